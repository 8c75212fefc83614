//! Customer 360: master data, external profile, and the ledger as of today: open items with what
//! is open on each, orders, payments with their allocations, credit notes.

use crate::ui::i18n::{Lang, T};
use crate::ui::state::{set_order_status, AppState};
use crate::ui::widgets::{Tile, WhenLedger};
use creditdesk_domain::ledger::OpenItem;
use creditdesk_domain::*;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

pub fn status_text(s: OrderStatus) -> T {
    match s {
        OrderStatus::Open => T::StatusOpen,
        OrderStatus::Shipped => T::StatusShipped,
        OrderStatus::Invoiced => T::StatusInvoiced,
        OrderStatus::Cancelled => T::StatusCancelled,
    }
}

pub fn position_text(p: IndustryPosition) -> T {
    match p {
        IndustryPosition::Leader => T::PosLeader,
        IndustryPosition::Major => T::PosMajor,
        IndustryPosition::Average => T::PosAverage,
        IndustryPosition::Small => T::PosSmall,
    }
}

/// The id in the route, if it is one.
pub fn route_customer() -> Memo<Option<CustomerId>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|s| CustomerId::parse(&s)))
}

#[derive(Clone)]
struct View360 {
    c: Customer,
    s: CustomerSummary,
    items: Vec<OpenItem>,
    orders: Vec<Order>,
    payments: Vec<Payment>,
    credits: Vec<CreditNote>,
    avg_days: Option<String>,
    numbers: std::collections::HashMap<InvoiceId, DocNo>,
}

#[component]
pub fn Customer360() -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = route_customer();
    view! {
        <WhenLedger>
            {move || {
                state.lang.track();
                let found = id.get().and_then(|id| state.data(|d| {
                    let c = d.customer(id)?.clone();
                    let as_of = d.as_of;
                    let items = d.ledger.items(id, as_of);
                    let mut orders: Vec<Order> = d.ledger.customer_orders(id).into_iter().copied().collect();
                    orders.sort_by_key(|o| std::cmp::Reverse((o.date, o.number)));
                    let mut payments: Vec<Payment> = d.ledger.customer_payments(id).into_iter().cloned().collect();
                    payments.sort_by_key(|p| std::cmp::Reverse(p.date));
                    let mut credits: Vec<CreditNote> = d.ledger.customer_credit_notes(id).into_iter().copied().collect();
                    credits.sort_by_key(|c| std::cmp::Reverse(c.date));
                    let numbers = items.iter().map(|i| (i.invoice, i.number)).collect();
                    Some(View360 {
                        s: d.summary(id),
                        avg_days: d.ledger.average_days_to_pay(id, as_of).map(|t| t.format()),
                        c, items, orders, payments, credits, numbers,
                    })
                }));
                match found {
                    Some(v) => view! { <CustomerPage v=v /> }.into_any(),
                    None => view! {
                        <section class="page">
                            <h1>{state.t(T::NotFound)}</h1>
                            <p>{state.t(T::CustomerNotFound)}</p>
                            <A href="/customers">{state.t(T::BackToList)}</A>
                        </section>
                    }.into_any(),
                }
            }}
        </WhenLedger>
    }
}

fn dl_row(label: &'static str, value: String) -> impl IntoView {
    view! { <div class="kv"><dt>{label}</dt><dd>{if value.is_empty() { "—".to_string() } else { value }}</dd></div> }
}

#[component]
fn CustomerPage(v: View360) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang: Lang = state.lang.get_untracked();
    let t = move |k: T| lang.t(k);
    let View360 {
        c,
        s,
        items,
        orders,
        payments,
        credits,
        avg_days,
        numbers,
    } = v;
    let id = c.id.to_string();
    let p = &c.profile;
    let overdue = s.overdue.is_positive();
    let shareholders = p
        .shareholders
        .iter()
        .map(|h| {
            format!(
                "{} {}%",
                h.name,
                Money::from_minor(h.share_bp as i64)
                    .to_plain()
                    .trim_end_matches(".00")
            )
        })
        .collect::<Vec<_>>()
        .join("，");
    let report = match (p.report_score, p.report_date) {
        (Some(score), Some(d)) => format!("{score} ({})", lang.date(d)),
        _ => String::new(),
    };
    view! {
        <section class="page customer-page" data-testid="customer-360">
            <div class="page-head">
                <div>
                    <h1 data-testid="customer-name">{c.name.clone()}</h1>
                    <p class="muted mono">{c.uscc.map(|u| u.to_string()).unwrap_or_default()}</p>
                </div>
                <div class="actions">
                    <A href=format!("/customers/{id}/edit") attr:class="button">{t(T::Edit)}</A>
                    <A href=format!("/customers/{id}/order") attr:class="button" attr:data-testid="new-order">{t(T::NewOrder)}</A>
                    <A href=format!("/customers/{id}/invoice") attr:class="button" attr:data-testid="new-invoice">{t(T::NewInvoice)}</A>
                    <A href=format!("/customers/{id}/payment") attr:class="button primary" attr:data-testid="new-payment">{t(T::NewPayment)}</A>
                </div>
            </div>
            <div class="tiles">
                <Tile label=t(T::OpenAr).to_string() value=s.open_ar.format_cny() testid="open-ar" />
                <Tile label=t(T::Overdue).to_string() value=s.overdue.format_cny() tone=if overdue { "warn" } else { "" } testid="overdue" />
                <Tile label=t(T::MaxDaysOverdue).to_string() value=if overdue { lang.days(s.max_days_overdue as i64) } else { "—".into() } tone=if overdue { "warn" } else { "" } />
                <Tile label=t(T::OpenOrders).to_string() value=s.open_orders.format_cny() testid="open-orders" />
                <Tile label=t(T::OldestOpen).to_string() value=s.oldest_open_due.map(|d| lang.date(d)).unwrap_or_else(|| "—".into()) />
                <Tile label=t(T::AvgDaysToPay).to_string() value=avg_days.unwrap_or_else(|| "—".into()) />
            </div>
            <div class="two-col">
                <div class="card">
                    <h2>{t(T::MasterData)}</h2>
                    <dl>
                        {dl_row(t(T::ContactPerson), c.contact_person.clone())}
                        {dl_row(t(T::Phone), c.phone.clone())}
                        {dl_row(t(T::Email), c.email.clone())}
                        {dl_row(t(T::Address), c.address.clone())}
                        {dl_row(t(T::Region), c.region.clone())}
                        {dl_row(t(T::Industry), c.industry.clone())}
                        {dl_row(t(T::SalesRep), c.sales_rep.clone())}
                        {dl_row(t(T::FirstCooperation), lang.date(c.first_cooperation))}
                        {c.custom.iter().map(|(k, v)| view! { <div class="kv"><dt>{k.clone()}</dt><dd>{v.clone()}</dd></div> }).collect_view()}
                    </dl>
                </div>
                <div class="card">
                    <h2>{t(T::ExternalProfile)}</h2>
                    <dl>
                        {dl_row(t(T::RegisteredCapital), p.registered_capital.map(|m| m.format_cny_whole()).unwrap_or_default())}
                        {dl_row(t(T::Founded), p.founded.map(|d| lang.date(d)).unwrap_or_default())}
                        {dl_row(t(T::Shareholders), shareholders)}
                        {dl_row(t(T::Litigation), if p.litigation_count > 0 { format!("{} · {}", p.litigation_count, p.litigation_open_amount.format_cny()) } else { "0".into() })}
                        {dl_row(t(T::IndustryPosition), p.industry_position.map(|x| t(position_text(x)).to_string()).unwrap_or_default())}
                        {dl_row(t(T::ReportScore), report)}
                    </dl>
                </div>
            </div>

            <h2>{t(T::Invoices)} " " <small class="muted">{items.len()}</small></h2>
            <div class="table-wrap">
                <table data-testid="invoices">
                    <thead><tr><th>{t(T::Number)}</th><th>{t(T::IssueDate)}</th><th>{t(T::DueDate)}</th><th class="num">{t(T::Amount)}</th><th class="num">{t(T::OpenAmount)}</th><th>{t(T::Status)}</th></tr></thead>
                    <tbody>
                        {items.into_iter().map(|i| {
                            let status = if !i.open.is_positive() { t(T::Paid).to_string() }
                                else if i.days_overdue > 0 { format!("{} {}", t(T::Overdue), lang.days(i.days_overdue as i64)) }
                                else { t(T::NotDue).to_string() };
                            view! {
                                <tr class:warn={i.days_overdue > 0}>
                                    <td class="mono">{i.number.to_string()}</td>
                                    <td>{lang.date(i.issue_date)}</td>
                                    <td>{lang.date(i.due_date)}</td>
                                    <td class="num">{i.amount.format_cny()}</td>
                                    <td class="num">{i.open.format_cny()}</td>
                                    <td>{status}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>

            <h2>{t(T::Payments)} " " <small class="muted">{payments.len()}</small></h2>
            <div class="table-wrap">
                <table data-testid="payments">
                    <thead><tr><th>{t(T::Date)}</th><th>{t(T::Reference)}</th><th class="num">{t(T::Amount)}</th><th>{t(T::Allocations)}</th></tr></thead>
                    <tbody>
                        {payments.into_iter().map(|p| {
                            let allocs = p.allocations.iter().map(|a| format!("{} {}",
                                numbers.get(&a.invoice).map(|n| n.to_string()).unwrap_or_default(), a.amount.format_cny())).collect::<Vec<_>>().join("; ");
                            view! {
                                <tr>
                                    <td>{lang.date(p.date)}</td>
                                    <td class="mono">{p.reference.map(|r| r.to_string()).unwrap_or_default()}</td>
                                    <td class="num">{p.amount.format_cny()}</td>
                                    <td class="small">{allocs}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>

            <h2>{t(T::Orders)} " " <small class="muted">{orders.len()}</small></h2>
            <div class="table-wrap">
                <table data-testid="orders">
                    <thead><tr><th>{t(T::Number)}</th><th>{t(T::Date)}</th><th class="num">{t(T::Amount)}</th><th>{t(T::Status)}</th><th></th></tr></thead>
                    <tbody>
                        {orders.into_iter().map(|o| {
                            let change = move |next: OrderStatus| {
                                if next == OrderStatus::Cancelled {
                                    let ok = web_sys::window().and_then(|w| w.confirm_with_message(t(T::ConfirmCancelOrder)).ok()).unwrap_or(false);
                                    if !ok {
                                        return;
                                    }
                                }
                                leptos::task::spawn_local(async move {
                                    match set_order_status(o.id, next).await {
                                        Ok(()) => state.changed(),
                                        Err(e) => state.toast.set(Some(format!("{}: {e:?}", t(T::SaveFailed)))),
                                    }
                                });
                            };
                            view! {
                                <tr>
                                    <td class="mono">{o.number.to_string()}</td>
                                    <td>{lang.date(o.date)}</td>
                                    <td class="num">{o.amount.format_cny()}</td>
                                    <td>{t(status_text(o.status))}</td>
                                    <td><div class="row-actions">
                                        {o.status.can_become(OrderStatus::Shipped).then(|| view! {
                                            <button class="small" on:click=move |_| change(OrderStatus::Shipped)>{t(T::MarkShipped)}</button>
                                        })}
                                        {o.status.can_become(OrderStatus::Cancelled).then(|| view! {
                                            <button class="small danger" on:click=move |_| change(OrderStatus::Cancelled)>{t(T::CancelOrder)}</button>
                                        })}
                                    </div></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>

            {(!credits.is_empty()).then(|| view! {
                <h2>{t(T::CreditNotes)}</h2>
                <div class="table-wrap">
                    <table>
                        <thead><tr><th>{t(T::Number)}</th><th>{t(T::Date)}</th><th class="num">{t(T::Amount)}</th><th>{t(T::Invoices)}</th></tr></thead>
                        <tbody>
                            {credits.into_iter().map(|c| view! {
                                <tr>
                                    <td class="mono">{c.number.to_string()}</td>
                                    <td>{lang.date(c.date)}</td>
                                    <td class="num">{c.amount.format_cny()}</td>
                                    <td class="mono">{numbers.get(&c.invoice).map(|n| n.to_string()).unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}
