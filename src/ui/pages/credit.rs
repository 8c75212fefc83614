//! Credit on Customer 360 (limit, exposure, utilisation, suggestion, changes), the limit form,
//! the queue of held orders, and the policy table.

use crate::ui::approvals::{cancel_held, file_request, save_policy};
use crate::ui::credit::reason_text;
use crate::ui::i18n::{Lang, T};
use crate::ui::link::A;
use crate::ui::pages::requests::{request_text, save_error_text, StatePill};
use crate::ui::reports::bp_text;
use crate::ui::state::{with_data, AppState};
use crate::ui::widgets::{Tile, WhenLedger};
use creditdesk_domain::approval::Permission;
use creditdesk_domain::credit::Settlement;
use creditdesk_domain::rating::Fixed;
use creditdesk_domain::request::{self, RequestKind};
use creditdesk_domain::{CustomerId, Money, OrderStatus};
use leptos::prelude::*;

/// The credit card of Customer 360.
#[component]
pub fn CreditCard(customer: CustomerId) -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let lang = state.lang.get();
        let t = move |k: T| lang.t(k);

        let Some((c, s, card)) = state.data(|d| {
            Some((
                d.customer(customer)?.clone(),
                d.summary(customer),
                d.credit_card(&d.me(), customer)?,
            ))
        }) else {
            return ().into_any();
        };
        let holds: Vec<String> = card
            .holds
            .iter()
            .map(|h| match lang {
                Lang::Zh => format!("{}（{}起）", h.rule, lang.date(h.since)),
                Lang::En => format!("{} (since {})", h.rule, lang.date(h.since)),
            })
            .collect();
        let (limit, available) = (card.limit, card.available);
        let used = bp_text(card.utilisation_bp);
        let suggestion = card.suggestion;
        let row = card.row;
        let changes = card.requests;
        let (open_items, open_orders) = (card.open_items, card.counted_orders);
        let id = customer.to_string();
        let any_open = changes.iter().any(|r| r.state().is_open());
        view! {
            <div class="card credit" data-testid="credit">
                <div class="rating-head">
                    <h2>{t(T::Credit)}</h2>
                    {card.frozen.then(|| view! { <span class="pill danger" data-testid="frozen">{t(T::Frozen)}</span> })}
                    {(!holds.is_empty()).then(|| view! { <span class="pill danger" data-testid="held-by-rule">{format!("{}{}", lang.label(t(T::HeldByRule)), lang.list(&holds))}</span> })}
                    <A href=format!("/customers/{id}/request") attr:class="button small" attr:data-testid="change-limit">{t(T::NewRequest)}</A>
                </div>
                {if card.limit_hidden {
                    view! {
                        <div class="tiles">
                            <Tile label=t(T::Exposure).to_string() money=card.exposure testid="exposure" />
                            <Tile label=t(T::HeldOrders).to_string() money=s.held_orders />
                        </div>
                        <p class="muted" data-testid="limits-hidden">{t(T::LimitsHidden)}</p>
                    }.into_any()
                } else {
                    view! {
                        <div class="tiles">
                            <Tile label=t(T::EffectiveLimit).to_string() money=limit testid="limit" />
                            <Tile label=t(T::Utilisation).to_string() value=used.clone() testid="utilisation" />
                            <Tile label=t(T::Available).to_string() money=available testid="available" />
                            <Tile label=t(T::HeldOrders).to_string() money=s.held_orders />
                        </div>
                    }.into_any()
                }}
                <p class="muted" data-testid="suggestion">
                    {if suggestion.cap.is_zero() || row.term_days == 0 {
                        // A grade without credit: no formula to show, the policy says it all.
                        let permanent = if card.limit_hidden {
                            t(T::HiddenValue).to_string()
                        } else {
                            c.limits.permanent.format_cny_whole()
                        };
                        match lang {
                            Lang::Zh => format!("建议额度 ¥0：{} 级不给予赊销额度（上限 ¥0，账期 0 天）· 固定额度 {}",
                                card.grade, permanent),
                            Lang::En => format!("Suggested limit ¥0: grade {} gets no credit (cap ¥0, no term) · Permanent limit {}",
                                card.grade, permanent),
                        }
                    } else {
                        // A limit hidden from the user is not named.
                        let permanent = if card.limit_hidden {
                            t(T::HiddenValue).to_string()
                        } else {
                            c.limits.permanent.format_cny_whole()
                        };
                        format!("{} {} = min({}, {} × {} / 30 × {}) · {} {} · {} {}",
                            t(T::SuggestedLimit), suggestion.limit.format_cny_whole(), suggestion.cap.format_cny_whole(),
                            suggestion.monthly_sales.format_cny_whole(), row.term_days,
                            Fixed(card.suggestion_factor_bp as i64 / 100).display(),
                            t(T::PermanentLimit), permanent,
                            t(T::TermDays), row.term_days)
                    }}
                </p>
                {(c.limits.review_due.is_some() || c.limits.expires.is_some()).then(|| {
                    let as_of = state.data(|x| x.as_of);
                    let mark = |passed: bool| if passed { " ⚠" } else { "" };
                    let mut parts = Vec::new();
                    if let Some(r) = c.limits.review_due {
                        parts.push(format!("{}{}{}", lang.label(t(T::NextReview)), lang.date(r), mark(c.limits.review_passed(as_of))));
                    }
                    if let Some(e) = c.limits.expires {
                        parts.push(format!("{}{}{}", lang.label(t(T::LimitExpires)), lang.date(e), mark(c.limits.expired(as_of))));
                    }
                    view! { <p class="muted" data-testid="limit-calendar">{parts.join(" · ")}</p> }
                })}
                {(!c.limits.temporary.is_empty()).then(|| view! {
                    <p class="muted" data-testid="temporary-limits">{lang.label(t(T::TemporaryLimits))}
                        {c.limits.temporary.iter().map(|tl| {
                            let amount = if c.limits.hidden { t(T::HiddenValue).to_string() } else { tl.amount.format_cny_whole() };
                            format!("{} ({} – {})", amount, lang.date(tl.start), lang.date(tl.end))
                        }).collect::<Vec<_>>().join("; ")}
                    </p>
                })}
                <Reservations customer=customer />
                <details>
                    <summary>{t(T::DocsBehind)}</summary>
                    <ul class="plain small">
                        {open_items.into_iter().map(|i| view! { <li>{format!("{} · {} · {}", i.number, lang.date(i.due_date), i.open.format_cny())}</li> }).collect_view()}
                        {open_orders.into_iter().map(|o| view! { <li>{format!("{} · {} · {}", o.number, lang.t(crate::ui::pages::customer::status_text(o.status)), o.amount.format_cny())}</li> }).collect_view()}
                    </ul>
                </details>
                {(!changes.is_empty()).then(|| view! {
                    <details data-testid="limit-history" open=any_open.then_some("")>
                        <summary>{t(T::Requests)}" ("{changes.len()}")"</summary>
                        <ul class="requests">
                            {changes.into_iter().map(|r| view! {
                                <li>
                                    <StatePill state=r.state() />" "
                                    {let what = request_text(lang, &r); view! { <A href=format!("/requests/{}", r.id)>{what}</A> }}
                                    {format!(" · {} · {}", with_data(|d| crate::ui::audit::who(lang, d, &r.requested_by)), lang.date(r.requested_on))}
                                </li>
                            }).collect_view()}
                        </ul>
                    </details>
                })}
            </div>
        }
        .into_any()
    }
}

/// Held orders, with the reasons the check gives today; release or reject with a reason.
#[component]
pub fn HeldPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let decide = move |order: creditdesk_domain::OrderId, release: bool| {
        let text = reason.get_untracked();
        leptos::task::spawn_local(async move {
            let done = if release {
                let found = with_data(|d| d.ledger.order(order).copied());
                match (found, request::release_reason(&text)) {
                    (Some(o), Ok(why)) => file_request(
                        o.customer,
                        RequestKind::ReleaseHeldOrder {
                            order,
                            number: o.number,
                            amount: o.amount,
                        },
                        why,
                        Vec::new(),
                    )
                    .await
                    .map(|_| ()),
                    (_, Err(e)) => Err(crate::ui::state::SaveError::Invalid(e)),
                    (None, _) => Err(crate::ui::state::SaveError::Store("unknown order".into())),
                }
            } else {
                cancel_held(order, text).await
            };
            match done {
                Ok(()) => {
                    error.set(None);
                    reason.set(String::new());
                    state.changed();
                    state.toast.set(Some(state.t(T::Saved).to_string()));
                }
                Err(e) => error.set(Some(save_error_text(state.lang.get_untracked(), &e))),
            }
        });
    };
    view! {
        <WhenLedger>
            <section class="page">
                <h1>{move || state.t(T::HeldOrders)}</h1>
                <div class="toolbar">
                    <crate::ui::widgets::CsvButton list=creditdesk_app::exports::List::HeldOrders testid="export-held" />
                </div>
                {move || {
                    let lang = state.lang.get();
                    let rows = state.data(|d| d.held_orders(&d.me()));
                    if rows.is_empty() {
                        return view! { <p class="muted">{lang.t(T::NoHeld)}</p> }.into_any();
                    }
                    // The reason a release or a cancellation gives (asked only when something is held).
                    view! {
                        <div class="field">
                            <label for="held-reason">{lang.t(T::Reason)}</label>
                            <input id="held-reason" data-testid="held-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                            <small class="error" role="alert" data-testid="held-error">{move || error.get()}</small>
                        </div>
                        <div class="table-wrap">
                            <table data-testid="held">
                                <thead><tr><th>{lang.t(T::Name)}</th><th>{lang.t(T::Number)}</th><th class="num">{lang.t(T::Amount)}</th><th>{lang.t(T::CheckBlock)}</th><th></th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|row| { let o = row.order; let pending = row.release_requested; let reasons = row.reasons.iter().map(|x| reason_text(lang, x)).collect::<Vec<_>>().join("; "); view! {
                                        <tr>
                                            <td><A href=format!("/customers/{}", o.customer)>{row.customer}</A></td>
                                            <td class="mono">{o.number.to_string()}</td>
                                            <td class="num">{o.amount.format_cny()}</td>
                                            <td class="small">{reasons}</td>
                                            <td><div class="row-actions">
                                                {match pending {
                                                    Some(r) => view! { <A href=format!("/requests/{r}") attr:class="button small">{lang.t(T::ReleaseRequested)}</A> }.into_any(),
                                                    None => view! { <button class="small" data-testid="request-release" on:click=move |_| decide(o.id, true)>{lang.t(T::RequestRelease)}</button> }.into_any(),
                                                }}
                                                <button class="small danger" data-testid="cancel-held" on:click=move |_| decide(o.id, false)>{lang.t(T::CancelHeld)}</button>
                                            </div></td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                    .into_any()
                }}
                <AwaitingPayment />
            </section>
        </WhenLedger>
    }
}

/// The policy table, for finance.
#[component]
pub fn PolicyEditor() -> impl IntoView {
    let state = expect_context::<AppState>();
    let policy = RwSignal::new(with_data(|d| d.policy.clone()));
    let confirmed = RwSignal::new(false);
    let problems = RwSignal::new(Vec::<String>::new());
    // Fields whose text is not a number: named on save, which they stop (a value typed wrong is
    // never saved as something else, nor silently left as it was).
    let bad = RwSignal::new(std::collections::BTreeSet::<String>::new());
    let unreadable_msg = RwSignal::new(None::<String>);
    let mark = move |key: String, ok: bool| {
        bad.update(|b| {
            if ok {
                b.remove(&key);
            } else {
                b.insert(key);
            }
        })
    };
    let invalid = move |key: &'static str| move || bad.with(|b| b.contains(key)).to_string();
    let save = move |_| {
        let unreadable = bad.get_untracked();
        if !unreadable.is_empty() {
            let lang = state.lang.get_untracked();
            unreadable_msg.set(Some(
                unreadable
                    .into_iter()
                    .map(|k| format!("{k}: {}", lang.t(T::NotANumberShort)))
                    .collect::<Vec<_>>()
                    .join(" · "),
            ));
            return;
        }
        unreadable_msg.set(None);
        let p = policy.get_untracked();
        leptos::task::spawn_local(async move {
            match save_policy(p, confirmed.get_untracked()).await {
                Ok(()) => {
                    problems.set(Vec::new());
                    state.changed();
                    state.toast.set(Some(state.t(T::PolicySaved).to_string()));
                }
                Err(list) => problems.set(
                    list.iter()
                        .map(|p| {
                            format!(
                                "{}{}",
                                p.code.code(),
                                p.grade.map(|g| format!(" ({g})")).unwrap_or_default()
                            )
                        })
                        .collect(),
                ),
            }
        });
    };
    let money_cell = move |g: usize| {
        let key = format!(
            "{} {}",
            policy.get_untracked().grades[g].grade.label(),
            state.t(T::MaxLimit)
        );
        let k2 = key.clone();
        view! {
            <input class="num" inputmode="decimal" value=policy.get_untracked().grades[g].max_limit.to_plain()
                aria-invalid=move || bad.with(|b| b.contains(&k2)).to_string()
                on:input=move |ev| { let r = Money::parse_non_negative(&event_target_value(&ev)); mark(key.clone(), r.is_ok()); if let Ok(m) = r { policy.update(|p| p.grades[g].max_limit = m) } } />
        }
    };
    move || {
        let lang = state.lang.get();
        let p0 = policy.get_untracked();
        view! {
            <div class="card" data-testid="policy">
                <h2>{lang.t(T::CreditPolicy)}</h2>
                <div class="table-wrap">
                    <table class="editor">
                        <thead><tr><th>{lang.t(T::Grade)}</th><th>{lang.t(T::MaxLimit)}</th><th>{lang.t(T::TermDays)}</th><th>{lang.t(T::SettlementLabel)}</th><th>{lang.t(T::ReviewMonths)}</th></tr></thead>
                        <tbody>
                            {(0..5).map(|g| {
                                let row = p0.grades[g];
                                view! {
                                    <tr>
                                        <td>{row.grade.label()}</td>
                                        <td>{money_cell(g)}</td>
                                        <td><input class="num" inputmode="numeric" value=row.term_days.to_string() data-testid=format!("term-{}", row.grade.label())
                                            on:input=move |ev| { let r = event_target_value(&ev).trim().parse(); mark(format!("{} {}", row.grade.label(), lang.t(T::TermDays)), r.is_ok()); if let Ok(v) = r { policy.update(|p| p.grades[g].term_days = v) } } /></td>
                                        <td><select on:change=move |ev| { let v = event_target_value(&ev); policy.update(|p| p.grades[g].settlement = if v == "cash" { Settlement::CashBeforeDelivery } else { Settlement::OnCredit }) }>
                                            <option value="credit" selected=row.settlement == Settlement::OnCredit>{lang.t(T::OnCredit)}</option>
                                            <option value="cash" selected=row.settlement == Settlement::CashBeforeDelivery>{lang.t(T::CashFirst)}</option>
                                        </select></td>
                                        <td><input class="num" inputmode="numeric" value=row.review_months.to_string()
                                            on:input=move |ev| { let r = event_target_value(&ev).trim().parse(); mark(format!("{} {}", row.grade.label(), lang.t(T::ReviewMonths)), r.is_ok()); if let Ok(v) = r { policy.update(|p| p.grades[g].review_months = v) } } /></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <div class="toolbar">
                    <label class="inline">{lang.t(T::WarnOver)}" "
                        <input class="num" value=Fixed(p0.warn_over_bp as i64).to_string() aria-invalid=invalid(lang.t(T::WarnOver)) data-testid="warn-over"
                            on:input=move |ev| { let r = Fixed::parse(&event_target_value(&ev)).ok().filter(|v| v.0 >= 0); mark(lang.t(T::WarnOver).into(), r.is_some()); if let Some(v) = r { policy.update(|p| p.warn_over_bp = v.0.min(1_000_000) as u32) } } /></label>
                    <label class="inline">{lang.t(T::HoldOver)}" "
                        <input class="num" data-testid="hold-over" value=p0.hold_over_bp.map(|b| Fixed(b as i64).to_string()).unwrap_or_default()
                            aria-invalid=invalid(lang.t(T::HoldOver))
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                // Empty: no hold line; anything else must read as a percentage.
                                let r = if v.trim().is_empty() { Some(None) } else { Fixed::parse(&v).ok().filter(|x| x.0 >= 0).map(|x| Some(x.0.min(1_000_000) as u32)) };
                                mark(lang.t(T::HoldOver).into(), r.is_some());
                                if let Some(h) = r { policy.update(|p| p.hold_over_bp = h) }
                            } /></label>
                    <label class="inline">{lang.t(T::BlockOverdueOver)}" "
                        <input class="num" value=p0.block_overdue_over.to_plain() aria-invalid=invalid(lang.t(T::BlockOverdueOver))
                            on:input=move |ev| { let r = Money::parse_non_negative(&event_target_value(&ev)); mark(lang.t(T::BlockOverdueOver).into(), r.is_ok()); if let Ok(m) = r { policy.update(|p| p.block_overdue_over = m) } } /></label>
                    <label class="inline">{lang.t(T::BlockDaysOver)}" "
                        <input class="num" value=p0.block_days_overdue_over.to_string() aria-invalid=invalid(lang.t(T::BlockDaysOver))
                            on:input=move |ev| { let r = event_target_value(&ev).trim().parse(); mark(lang.t(T::BlockDaysOver).into(), r.is_ok()); if let Ok(v) = r { policy.update(|p| p.block_days_overdue_over = v) } } /></label>
                    <label class="check"><input type="checkbox" prop:checked=p0.exposure_includes_open_orders on:change=move |ev| policy.update(|p| p.exposure_includes_open_orders = event_target_checked(&ev)) />{lang.t(T::IncludeOpenOrders)}</label>
                    <label class="check"><input type="checkbox" prop:checked=p0.exposure_includes_held_orders on:change=move |ev| policy.update(|p| p.exposure_includes_held_orders = event_target_checked(&ev)) />{lang.t(T::IncludeHeldOrders)}</label>
                    <label class="check"><input type="checkbox" data-testid="disputes-in-holds" prop:checked=p0.disputes.in_holds on:change=move |ev| policy.update(|p| p.disputes.in_holds = event_target_checked(&ev)) />{lang.t(T::DisputesCountHolds)}</label>
                    <label class="check"><input type="checkbox" data-testid="disputes-in-rules" prop:checked=p0.disputes.in_rules on:change=move |ev| policy.update(|p| p.disputes.in_rules = event_target_checked(&ev)) />{lang.t(T::DisputesCountRules)}</label>
                    <label class="check"><input type="checkbox" data-testid="disputes-in-rating" prop:checked=p0.disputes.in_rating on:change=move |ev| policy.update(|p| p.disputes.in_rating = event_target_checked(&ev)) />{lang.t(T::DisputesCountRating)}</label>
                </div>
                {move || unreadable_msg.get().map(|m| view! { <div class="form-message" role="alert" data-testid="policy-unreadable">{m}</div> })}
                {move || (!problems.get().is_empty()).then(|| view! {
                    <div class="form-message" role="alert">{problems.get().join(" · ")}
                        <label class="check"><input type="checkbox" on:change=move |ev| confirmed.set(event_target_checked(&ev)) />{state.t(T::ConfirmStricter)}</label>
                    </div>
                })}
                <button class="primary" data-testid="save-policy" on:click=save disabled=move || !state.data(|d| d.me().may(Permission::EditPolicy))>{lang.t(T::Save)}</button>
            </div>
        }
    }
}

/// Orders taken as payment before delivery, waiting for the money: what is paid on each so far.
#[component]
fn AwaitingPayment() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let lang = state.lang.get();
        let rows = state.data(|d| {
            d.orders_in(&d.me(), OrderStatus::AwaitingPayment)
                .into_iter()
                .map(|(o, paid)| {
                    let name = d
                        .customer(o.customer)
                        .map(|c| c.name.clone())
                        .unwrap_or_default();
                    (o, name, paid)
                })
                .collect::<Vec<_>>()
        });
        (!rows.is_empty()).then(|| view! {
            <h2>{lang.t(T::AwaitingPayment)}</h2>
            <p class="muted">{lang.t(T::AwaitingPaymentHint)}</p>
            <div class="table-wrap">
                <table data-testid="awaiting-payment">
                    <thead><tr><th>{lang.t(T::Name)}</th><th>{lang.t(T::Number)}</th><th class="num">{lang.t(T::Amount)}</th><th class="num">{lang.t(T::Paid)}</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(o, name, paid)| view! {
                            <tr>
                                <td><A href=format!("/customers/{}", o.customer)>{name}</A></td>
                                <td class="mono">{o.number.to_string()}</td>
                                <td class="num">{o.amount.format_cny()}</td>
                                <td class="num">{paid.format_cny()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })
    }
}

/// Credit set aside on the customer: who holds how much until when (and giving it back); and,
/// for those who take orders, setting some aside before going into the field.
#[component]
fn Reservations(customer: CustomerId) -> impl IntoView {
    let state = expect_context::<AppState>();
    let amount = RwSignal::new(String::new());
    let until = RwSignal::new(with_data(|d| d.as_of.add_days(3).iso()));
    let error = RwSignal::new(None::<String>);
    let run = move |cmd: creditdesk_app::Command| {
        leptos::task::spawn_local(async move {
            match crate::ui::state::run(cmd, Vec::new()).await {
                Ok(_) => {
                    error.set(None);
                    amount.set(String::new());
                    state.changed();
                    state.toast.set(Some(state.t(T::Saved).to_string()));
                }
                Err(e) => error.set(Some(save_error_text(state.lang.get_untracked(), &e))),
            }
        });
    };
    let reserve = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = state.lang.get_untracked();
        let parsed = (
            Money::parse(&amount.get_untracked()),
            creditdesk_domain::Date::parse(&until.get_untracked()),
        );
        match parsed {
            (Ok(amount), Ok(until)) => run(creditdesk_app::Command::ReserveCredit {
                id: uuid::Uuid::from_u128(crate::ui::state::new_uuid()).to_string(),
                customer,
                amount,
                until,
            }),
            (Err(p), _) | (_, Err(p)) => error.set(Some(lang.problem(p))),
        }
    };
    move || {
        let lang = state.lang.get();
        let (list, may_reserve) = state.data(|d| {
            let me = d.me();
            let list: Vec<(String, String, Money, creditdesk_domain::Date, bool)> = d
                .reservations_on(customer)
                .into_iter()
                .map(|r| {
                    (
                        r.id.clone(),
                        d.user_name(&r.holder),
                        r.amount,
                        r.until,
                        d.may_release(&me, r),
                    )
                })
                .collect();
            (list, d.may_reserve(&me))
        });
        view! {
            <div class="reservations" data-testid="reservations">
                {(!list.is_empty()).then(|| view! {
                    <p class="muted">{lang.label(lang.t(T::Reserved))}</p>
                    <ul class="plain small">
                        {list.into_iter().map(|(id, who, amount, until, may_release)| view! {
                            <li data-testid="reservation">
                                {format!("{who} · {} · {} {}", amount.format_cny(), lang.t(T::Until), lang.date(until))}" "
                                {may_release.then(|| {
                                    let id = id.clone();
                                    view! { <button class="small" data-testid="release-reservation" on:click=move |_| run(creditdesk_app::Command::ReleaseReservation { id: id.clone() })>{lang.t(T::GiveBack)}</button> }
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                {may_reserve.then(|| view! {
                    <details data-testid="reserve">
                        <summary>{lang.t(T::ReserveForField)}</summary>
                        <p class="muted small">{lang.t(T::ReserveHint)}</p>
                        <form class="inline-form" on:submit=reserve>
                            <label>{lang.t(T::Amount)}" "
                                <input class="num" inputmode="decimal" data-testid="reserve-amount" required
                                    prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev)) />
                            </label>
                            <label>{lang.t(T::Until)}" "
                                <input type="date" data-testid="reserve-until" required
                                    prop:value=move || until.get() on:input=move |ev| until.set(event_target_value(&ev)) />
                            </label>
                            <button type="submit" class="small" data-testid="reserve-submit">{lang.t(T::Reserve)}</button>
                        </form>
                        <small class="error" role="alert" data-testid="reserve-error">{move || error.get()}</small>
                    </details>
                })}
            </div>
        }
    }
}
