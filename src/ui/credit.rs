//! The credit check in words: outcomes, reasons and remedies in the user's language.

use crate::ui::i18n::{Lang, T};
use creditdesk_domain::credit::{CheckResult, Outcome, Reason, Remedy};
use creditdesk_domain::money::percent_1dp_round_half_away;
use creditdesk_domain::Money;
use leptos::prelude::*;

pub fn outcome_label(o: Outcome) -> T {
    match o {
        Outcome::Pass => T::CheckPass,
        Outcome::Warn => T::CheckWarn,
        Outcome::Block => T::CheckBlock,
    }
}

fn pct(bp: i64) -> String {
    percent_1dp_round_half_away(Money::from_minor(bp), Money::from_minor(10_000))
        .unwrap_or_default()
}

pub fn reason_text(lang: Lang, r: &Reason) -> String {
    let zh = lang == Lang::Zh;
    match *r {
        Reason::LimitUnchecked => lang.t(crate::ui::i18n::T::LimitUnchecked).into(),
        Reason::HiddenLimit => lang.t(crate::ui::i18n::T::HiddenLimitReason).into(),
        Reason::Frozen => {
            if zh {
                "客户已冻结下单".into()
            } else {
                "The customer is frozen".into()
            }
        }
        Reason::NoLimit => {
            if zh {
                "客户尚无信用额度".into()
            } else {
                "The customer has no credit limit yet".into()
            }
        }
        Reason::CashBeforeDelivery => {
            if zh {
                "该评级须款到发货".into()
            } else {
                "This grade buys cash before delivery".into()
            }
        }
        Reason::OverLimit { by } => {
            if zh {
                format!("超出额度 {}", by.format_cny())
            } else {
                format!("Over the limit by {}", by.format_cny())
            }
        }
        Reason::OverHoldShare { used_bp } => {
            if zh {
                format!("下单后额度使用率 {}，超过暂扣线", pct(used_bp))
            } else {
                format!(
                    "Utilisation after the order {}, above the hold line",
                    pct(used_bp)
                )
            }
        }
        Reason::OverWarnShare { used_bp } => {
            if zh {
                format!("下单后额度使用率 {}", pct(used_bp))
            } else {
                format!("Utilisation after the order {}", pct(used_bp))
            }
        }
        Reason::Overdue { amount, days } => {
            if zh {
                format!("有逾期 {}（最长 {} 天）", amount.format_cny(), days)
            } else {
                format!("Overdue {} (up to {days} days)", amount.format_cny())
            }
        }
        Reason::LimitExpired { on } => {
            if zh {
                format!("额度已于 {} 到期", lang.date(on))
            } else {
                format!("The limit expired on {}", lang.date(on))
            }
        }
        Reason::ReviewDue { on } => {
            if zh {
                format!("额度复核已于 {} 到期", lang.date(on))
            } else {
                format!("The limit review was due on {}", lang.date(on))
            }
        }
    }
}

pub fn remedy_text(lang: Lang, r: &Remedy) -> String {
    let zh = lang == Lang::Zh;
    match *r {
        Remedy::Pay(m) => {
            if zh {
                format!("回款 {} 即可通过", m.format_cny())
            } else {
                format!("A payment of {} lets it pass", m.format_cny())
            }
        }
        Remedy::OrderAtMost(m) => {
            if zh {
                format!("订单金额不超过 {} 可通过", m.format_cny())
            } else {
                format!("An order of at most {} passes", m.format_cny())
            }
        }
        Remedy::TemporaryIncrease(m) => {
            if zh {
                format!("临时提额 {} 即可通过", m.format_cny())
            } else {
                format!("A temporary increase of {} lets it pass", m.format_cny())
            }
        }
        Remedy::PayOverdue(m) => {
            if zh {
                format!("结清逾期 {}", m.format_cny())
            } else {
                format!("Clear the overdue {}", m.format_cny())
            }
        }
        Remedy::Prepay => {
            if zh {
                "改为款到发货（预付）".into()
            } else {
                "Take payment before delivery".into()
            }
        }
        Remedy::Unfreeze => {
            if zh {
                "需先解除冻结".into()
            } else {
                "The customer must be unfrozen first".into()
            }
        }
        Remedy::FirstLimit(m) => {
            if zh {
                format!("申请首次额度 {}（需审批）", m.format_cny())
            } else {
                format!("A first limit of {}, through a request", m.format_cny())
            }
        }
    }
}

/// The check's verdict with every reason and, when blocked, what would make the order pass.
#[component]
pub fn CheckPanel(result: CheckResult, customer: String) -> impl IntoView {
    let state = expect_context::<crate::ui::state::AppState>();
    let lang = state.lang.get_untracked();
    let class = match result.outcome {
        Outcome::Pass => "credit-check pass",
        Outcome::Warn => "credit-check warn",
        Outcome::Block => "credit-check block",
    };
    let id = creditdesk_domain::CustomerId::parse(&customer);
    // The request the check offers: a first limit, or a temporary one.
    let offer = id
        .and_then(|id| crate::ui::state::with_data(|d| d.customer(id).map(|c| c.limits.permanent)))
        .and_then(|permanent| result.request_to_ask(permanent));
    let first =
        offer.is_some_and(|(k, _)| k == creditdesk_domain::approval::Kind::FirstApplication);
    let (kind, ask) = (offer.map(|o| o.0), offer.map(|o| o.1));
    // One already asked for: shown and linked, not offered again (it would be refused).
    let open = id.zip(kind).and_then(|(id, kind)| {
        crate::ui::state::with_data(|d| {
            creditdesk_domain::workflow::open_of_kind(&d.requests, id, kind).map(|r| r.id)
        })
    });
    let increase = ask.map(|m| m - result.limit);
    view! {
        <div class=class data-testid="check" data-outcome=format!("{:?}", result.outcome).to_lowercase() role="status">
            <strong>{lang.t(outcome_label(result.outcome))}</strong>
            {(!result.limit_hidden).then(|| view! {
                <small class="muted">{format!(" · {} {} · {} {}", lang.t(T::EffectiveLimit), result.limit.format_cny(), lang.t(T::Available), result.available.format_cny())}</small>
            })}
            {(!result.reasons.is_empty()).then(|| view! {
                <ul class="reasons" data-testid="reasons">{result.reasons.iter().map(|r| view! { <li>{reason_text(lang, r)}</li> }).collect_view()}</ul>
            })}
            {(!result.remedies.is_empty()).then(|| view! {
                <p class="muted">{lang.t(T::WhatItTakes)}</p>
                <ul class="remedies" data-testid="remedies">{result.remedies.iter().map(|r| view! { <li>{remedy_text(lang, r)}</li> }).collect_view()}</ul>
            })}
            {match (ask, open) {
                (Some(_), Some(r)) => Some(view! {
                    <p class="open-request" data-testid="open-request">{lang.t(T::OpenOfKind)}" "
                        <crate::ui::link::A href=format!("/requests/{r}")>{lang.t(T::ViewRequest)}</crate::ui::link::A>
                    </p>
                }.into_any()),
                (Some(m), None) if first => Some(view! {
                    <crate::ui::link::A href=format!("/customers/{customer}/request?action=first&amount={}", m.to_plain())
                        attr:class="button small" attr:data-testid="request-first-limit">
                        {match lang {
                            Lang::Zh => format!("申请首次额度 {}", m.format_cny()),
                            Lang::En => format!("Request a first limit of {}", m.format_cny()),
                        }}
                    </crate::ui::link::A>
                }.into_any()),
                (Some(m), None) => Some(view! {
                    <crate::ui::link::A href=format!("/customers/{customer}/request?action=temporary&amount={}", m.to_plain())
                        attr:class="button small" attr:data-testid="request-increase">
                        {match lang {
                            Lang::Zh => format!("申请临时额度 {}（增加 {}）", m.format_cny(), increase.unwrap_or_default().format_cny()),
                            Lang::En => format!("Request a temporary limit of {} (an increase of {})", m.format_cny(), increase.unwrap_or_default().format_cny()),
                        }}
                    </crate::ui::link::A>
                }.into_any()),
                _ => None,
            }}
        </div>
    }
}
