//! Customer 360: master data, external profile, and the ledger as of today: open items with what
//! is open on each, orders, payments with their allocations, credit notes.

use crate::ui::custom_fields::custom_rows;
use crate::ui::i18n::{Lang, T};
use crate::ui::link::A;
use crate::ui::pages::credit::CreditCard;
use crate::ui::pages::disputes::{DisputeSheet, DisputesCard};
use crate::ui::pages::documents::{DocumentFields, DocumentsCard};
use crate::ui::pages::requests::{request_text, StatePill};
use crate::ui::rating::{
    factor_label, fmt_bin, fmt_score, fmt_value, hint_text, position_label, provisional_text,
    GradeBadge, Waterfall,
};
use crate::ui::state::{correct, move_order, AppState};
use crate::ui::widgets::{CsvButton, FieldProblem, Tile, UnavailablePage, WhenLedger};
use creditdesk_app::exports::List;
use creditdesk_app::{Customer360, OrderMove};
use creditdesk_domain::fields::Section;
use creditdesk_domain::rating::{Fixed, Grade};
use creditdesk_domain::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

pub fn status_text(s: OrderStatus) -> T {
    match s {
        OrderStatus::Open => T::StatusOpen,
        OrderStatus::Shipped => T::StatusShipped,
        OrderStatus::Invoiced => T::StatusInvoiced,
        OrderStatus::Cancelled => T::StatusCancelled,
        OrderStatus::Held => T::StatusHeld,
        OrderStatus::AwaitingPayment => T::StatusAwaitingPayment,
    }
}

/// The id in the route, if it is one.
pub fn route_customer() -> Memo<Option<CustomerId>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|s| CustomerId::parse(&s)))
}

#[component]
pub fn Customer360() -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = route_customer();
    // The void form lives here, above the page that data changes redraw (a sync while a reason
    // is typed keeps it); another customer's page closes it.
    let ask = VoidAsk::new();
    let sheet = DisputeSheet::new();
    let docs = DocumentFields::new();
    Effect::new(move |_| {
        id.track();
        ask.close();
        sheet.close();
        docs.close();
    });
    view! {
        {move || ask.view()}
        {move || sheet.view()}
        <WhenLedger>
            {move || {
                state.lang.track();
                let found = state.data(|d| d.customer_360(&d.me(), id.get()));
                match found {
                    Ok(v) => view! { <CustomerPage v=v ask=ask sheet=sheet docs=docs /> }.into_any(),
                    Err(why) => view! { <UnavailablePage why=why /> }.into_any(),
                }
            }}
        </WhenLedger>
    }
}

/// A void on its way: the document it voids (named for the form's title) and the reason typed.
/// The form asks why, in the page (the reason goes on the audit trail); cancelling it voids
/// nothing, and a refusal (a settled invoice, no reason) is said in the form, which stays open.
#[derive(Clone, Copy)]
pub struct VoidAsk {
    doc: RwSignal<Option<(CustomerId, Fix, String)>>,
    reason: RwSignal<String>,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
}

impl VoidAsk {
    fn new() -> Self {
        Self {
            doc: RwSignal::new(None),
            reason: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    fn open(self, customer: CustomerId, fix: Fix, what: String) {
        self.reason.set(String::new());
        self.error.set(None);
        self.doc.set(Some((customer, fix, what)));
    }

    fn close(self) {
        self.doc.set(None);
    }

    fn confirm(self) {
        let Some((customer, fix, _)) = self.doc.get_untracked() else {
            return;
        };
        let state = expect_context::<AppState>();
        let lang = state.lang.get_untracked();
        let reason = self.reason.get_untracked();
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            match correct(customer, fix, reason).await {
                Ok(()) => {
                    self.close();
                    state.changed();
                }
                Err(e) => self
                    .error
                    .set(Some(crate::ui::pages::requests::save_error_text(lang, &e))),
            }
            self.busy.set(false);
        });
    }

    fn view(self) -> Option<impl IntoView> {
        let (_, _, what) = self.doc.get()?;
        let lang = expect_context::<AppState>().lang.get_untracked();
        let t = move |k: T| lang.t(k);
        let input = NodeRef::<leptos::html::Input>::new();
        Effect::new(move |_| {
            if let Some(el) = input.get() {
                let _ = el.focus();
            }
        });
        Some(view! {
            <div class="sheet-backdrop" on:click=move |ev| {
                // A click beside the form closes it, as Esc does.
                if ev.target() == ev.current_target() { self.close() }
            }>
                <form class="sheet" role="dialog" aria-modal="true" aria-labelledby="void-title" data-testid="void-form"
                    on:submit=move |ev| { ev.prevent_default(); self.confirm() }
                    on:keydown=move |ev| if ev.key() == "Escape" { self.close() }>
                    <h2 id="void-title">{format!("{} {what}", t(T::VoidDoc))}</h2>
                    <label for="void-reason">{t(T::VoidPrompt)}</label>
                    <input id="void-reason" node_ref=input data-testid="void-reason" required maxlength=Correction::REASON_MAX.to_string()
                        aria-invalid=move || self.error.get().is_some().to_string()
                        prop:value=move || self.reason.get() on:input=move |ev| self.reason.set(event_target_value(&ev)) />
                    <p class="error" role="alert" data-testid="void-error">{move || self.error.get()}</p>
                    <div class="form-actions">
                        <button type="submit" class="danger" data-testid="void-confirm" disabled=move || self.busy.get()>{t(T::VoidDoc)}</button>
                        <button type="button" data-testid="void-cancel" on:click=move |_| self.close()>{t(T::Cancel)}</button>
                    </div>
                </form>
            </div>
        })
    }
}

fn dl_row(label: &'static str, value: String) -> impl IntoView {
    view! { <div class="kv"><dt>{label}</dt><dd>{if value.is_empty() { "—".to_string() } else { value }}</dd></div> }
}

#[component]
fn CustomerPage(
    v: Customer360,
    ask: VoidAsk,
    sheet: DisputeSheet,
    docs: DocumentFields,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang: Lang = state.lang.get_untracked();
    let t = move |k: T| lang.t(k);
    let Customer360 {
        customer: c,
        summary: s,
        items,
        orders,
        payments,
        credit_notes: credits,
        void_invoices,
        average_days_to_pay,
        numbers,
        moves,
        may_record,
        may_correct,
        may_dispute,
        disputed,
        unapplied,
    } = v;
    let disputes = c.disputes.clone();
    let documents = c.documents.clone();
    let may_add_documents = state.data(|d| {
        d.me()
            .may(creditdesk_domain::approval::Permission::EditCustomers)
    });
    let customer = c.id;
    let void = move |fix: Fix, what: String| ask.open(customer, fix, what);
    let void_note =
        |c: &Correction| format!("{} {} · {}", t(T::VoidedOn), lang.date(c.date), c.reason);
    let avg_days = average_days_to_pay.map(|t| t.format());
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
        .collect::<Vec<_>>();
    let shareholders = lang.list(&shareholders);
    let fields = state.data(|d| d.fields.clone());
    let more = custom_rows(&c, &fields, &[Section::More], lang);
    // A master-data field hidden from the user is not listed (their device holds no value).
    let shown = |name: &str| {
        state.data(|d| d.field_access(&d.me(), name)) != creditdesk_domain::access::Access::Hidden
    };
    use creditdesk_domain::party::field as f;
    let report = match (p.report_score, p.report_date) {
        (Some(score), Some(d)) => format!("{score}{}", lang.paren(lang.date(d))),
        // The report's date hidden from the user.
        (Some(score), None) => score.to_string(),
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
                    {may_record.then(|| view! {
                        <A href=format!("/customers/{id}/credit-note") attr:class="button" attr:data-testid="new-credit-note">{t(T::NewCreditNote)}</A>
                    })}
                    <A href=format!("/customers/{id}/payment") attr:class="button primary" attr:data-testid="new-payment">{t(T::NewPayment)}</A>
                </div>
            </div>
            <div class="tiles">
                <Tile label=t(T::OpenAr).to_string() money=s.open_ar testid="open-ar" />
                <Tile label=t(T::Overdue).to_string() money=s.overdue tone=if overdue { "warn" } else { "" } testid="overdue" />
                <Tile label=t(T::MaxDaysOverdue).to_string() value=if overdue { lang.days(s.max_days_overdue as i64) } else { "—".into() } tone=if overdue { "warn" } else { "" } />
                {s.disputed.is_positive().then(|| view! {
                    <Tile label=t(T::Disputed).to_string() money=s.disputed testid="disputed" />
                })}
                {unapplied.is_positive().then(|| view! {
                    <Tile label=t(T::Unapplied).to_string() money=unapplied testid="unapplied" />
                })}
                <Tile label=t(T::OpenOrders).to_string() money=s.open_orders testid="open-orders" />
                <Tile label=t(T::OldestOpen).to_string() value=s.oldest_open_due.map(|d| lang.date(d)).unwrap_or_else(|| "—".into()) />
                <Tile label=t(T::AvgDaysToPay).to_string() value=avg_days.unwrap_or_else(|| "—".into()) />
            </div>
            <CreditCard customer=c.id />
            <RatingCard customer=c.id />
            {(!disputes.is_empty()).then(|| view! {
                <DisputesCard customer=c.id disputes=disputes disputed=disputed.clone() may_dispute=may_dispute sheet=sheet />
            })}
            {(may_add_documents || !documents.is_empty()).then(|| view! {
                <DocumentsCard customer=c.id documents=documents may_add=may_add_documents form=docs />
            })}
            <HistoryCard customer=c.id />
            <div class="two-col">
                <div class="card">
                    <h2>{t(T::MasterData)}</h2>
                    <dl>
                        {shown(f::CONTACT_PERSON).then(|| dl_row(t(T::ContactPerson), c.contact_person.clone()))}
                        {shown(f::PHONE).then(|| dl_row(t(T::Phone), c.phone.clone()))}
                        {shown(f::EMAIL).then(|| dl_row(t(T::Email), c.email.clone()))}
                        {shown(f::ADDRESS).then(|| dl_row(t(T::Address), c.address.clone()))}
                        {shown(f::REGION).then(|| dl_row(t(T::Region), c.region.clone()))}
                        {shown(f::INDUSTRY).then(|| dl_row(t(T::Industry), c.industry.clone()))}
                        {dl_row(t(T::SalesRep), state.data(|d| d.user_name(&c.sales_rep)))}
                        {dl_row(t(T::FirstCooperation), lang.date(c.first_cooperation))}
                        {custom_rows(&c, &fields, &[Section::Basic, Section::Contact], lang).into_iter().map(|(k, v)| view! { <div class="kv" data-custom=""><dt>{k}</dt><dd>{if v.is_empty() { "—".to_string() } else { v }}</dd></div> }).collect_view()}
                    </dl>
                </div>
                <div class="card">
                    <h2>{t(T::ExternalProfile)}</h2>
                    <dl>
                        {shown(f::REGISTERED_CAPITAL).then(|| dl_row(t(T::RegisteredCapital), p.registered_capital.map(|m| m.format_cny_whole()).unwrap_or_default()))}
                        {shown(f::FOUNDED).then(|| dl_row(t(T::Founded), p.founded.map(|d| lang.date(d)).unwrap_or_default()))}
                        {shown(f::SHAREHOLDERS).then(|| dl_row(t(T::Shareholders), shareholders))}
                        {(shown(f::LITIGATION_COUNT) || shown(f::LITIGATION_OPEN_AMOUNT)).then(|| dl_row(t(T::Litigation), match (p.litigation_count, p.litigation_open()) {
                        // The count hidden from the user, the amount not.
                        (None, Some(a)) => a.format_cny(),
                        (None, _) => String::new(),
                        (Some(n), Some(a)) if n > 0 => format!("{n} · {}", a.format_cny()),
                        (Some(n), _) => n.to_string(),
                    }))}
                        {shown(f::INDUSTRY_POSITION).then(|| dl_row(t(T::IndustryPosition), p.industry_position.map(|x| t(position_label(x)).to_string()).unwrap_or_default()))}
                        {shown(f::REPORT_SCORE).then(|| dl_row(t(T::ReportScore), report))}
                        {custom_rows(&c, &fields, &[Section::Profile], lang).into_iter().map(|(k, v)| view! { <div class="kv" data-custom=""><dt>{k}</dt><dd>{if v.is_empty() { "—".to_string() } else { v }}</dd></div> }).collect_view()}
                    </dl>
                    {c.sealed.is_some().then(|| view! { <p class="muted" data-testid="profile-hidden">{t(T::ProfileHidden)}</p> })}
                </div>
                {(!more.is_empty()).then(|| view! {
                    <div class="card" data-testid="more-details">
                        <h2>{t(T::MoreDetails)}</h2>
                        <dl>
                            {more.into_iter().map(|(k, v)| view! { <div class="kv" data-custom=""><dt>{k}</dt><dd>{if v.is_empty() { "—".to_string() } else { v }}</dd></div> }).collect_view()}
                        </dl>
                    </div>
                })}
            </div>

            <h2>{t(T::Invoices)} " " <small class="muted">{items.len()}</small></h2>
            <div class="table-tools"><CsvButton list=List::Invoices(customer) testid="export-invoices" /></div>
            <div class="table-wrap">
                <table data-testid="invoices">
                    <thead><tr><th>{t(T::Number)}</th><th class="num">{t(T::OpenAmount)}</th><th>{t(T::Status)}</th><th>{t(T::DueDate)}</th><th class="num">{t(T::Amount)}</th><th>{t(T::IssueDate)}</th><th></th></tr></thead>
                    <tbody>
                        {items.into_iter().map(|i| {
                            let status = if !i.open.is_positive() { t(T::Paid).to_string() }
                                else if i.days_overdue > 0 { format!("{} {}", t(T::Overdue), lang.days(i.days_overdue as i64)) }
                                else { t(T::NotDue).to_string() };
                            let invoice = i.invoice;
                            let in_dispute = disputed.get(&invoice).copied();
                            let (number, open) = (i.number, i.open);
                            view! {
                                <tr class:warn={i.days_overdue > 0} data-invoice=i.number.to_string()>
                                    <td class="mono">{i.number.to_string()}</td>
                                    <td class="num"><span class="money">{i.open.format_cny()}</span></td>
                                    <td>{status}{in_dispute.map(|a| view! {
                                        " "<span class="pill warn" data-testid="invoice-disputed">{format!("{} {}", t(T::Disputed), a.format_cny())}</span>
                                    })}</td>
                                    <td>{lang.date(i.due_date)}</td>
                                    <td class="num"><span class="money">{i.amount.format_cny()}</span></td>
                                    <td>{lang.date(i.issue_date)}</td>
                                    <td><div class="row-actions">
                                        {(may_dispute && open.is_positive() && in_dispute.is_none()).then(|| view! {
                                            <button class="small" data-testid="dispute-invoice" on:click=move |_| sheet.dispute(customer, invoice, number, open)>{t(T::DisputeInvoice)}</button>
                                        })}
                                        {(may_record && i.open.is_positive()).then(|| view! {
                                            <A href=format!("/customers/{customer}/credit-note?invoice={invoice}") attr:class="button small" attr:data-testid="credit-note">{t(T::NewCreditNote)}</A>
                                        })}
                                        {may_correct.then(|| view! {
                                            <button class="small danger" data-testid="void-invoice" on:click={let what = i.number.to_string(); move |_| void(Fix::VoidInvoice { invoice }, what.clone())}>{t(T::VoidDoc)}</button>
                                        })}
                                    </div></td>
                                </tr>
                            }
                        }).collect_view()}
                        {void_invoices.into_iter().map(|(i, c)| view! {
                            <tr class="void" data-invoice=i.number.to_string()>
                                <td class="mono"><s>{i.number.to_string()}</s></td>
                                <td class="num">"—"</td>
                                <td colspan="3" class="small">{void_note(&c)}</td>
                                <td>{lang.date(i.issue_date)}</td>
                                <td></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>

            <h2>{t(T::Payments)} " " <small class="muted">{payments.len()}</small></h2>
            <div class="table-tools"><CsvButton list=List::Payments(customer) testid="export-payments" /></div>
            <div class="table-wrap">
                <table data-testid="payments">
                    <thead><tr><th>{t(T::Date)}</th><th class="num">{t(T::Amount)}</th><th>{t(T::Reference)}</th><th>{t(T::Allocations)}</th><th></th></tr></thead>
                    <tbody>
                        {payments.into_iter().map(|r| {
                            let mut allocs = r.allocations.iter().map(|a| format!("{} {}",
                                numbers.get(&a.invoice).map(|n| n.to_string()).unwrap_or_default(), a.amount.format_cny())).collect::<Vec<_>>();
                            if r.unapplied.is_positive() {
                                allocs.push(format!("{} {}", t(T::Unapplied), r.unapplied.format_cny()));
                            }
                            let p = r.payment;
                            let payment = p.id;
                            let standing = r.void.is_none();
                            view! {
                                <tr class:void=!standing data-payment=p.amount.to_plain()>
                                    <td>{lang.date(p.date)}</td>
                                    <td class="num"><span class="money">{if standing { view! { <span>{p.amount.format_cny()}</span> }.into_any() } else { view! { <s>{p.amount.format_cny()}</s> }.into_any() }}</span></td>
                                    <td class="mono">{p.reference.map(|r| r.to_string()).unwrap_or_default()}</td>
                                    <td class="small">{match &r.void { Some(c) => void_note(c), None => allocs.join("; ") }}</td>
                                    <td><div class="row-actions">
                                        {(may_correct && standing).then(|| view! {
                                            <A href=format!("/customers/{customer}/payments/{payment}/reallocate") attr:class="button small" attr:data-testid="reallocate">{t(T::ReallocatePayment)}</A>
                                            <button class="small danger" data-testid="void-payment" on:click={let what = format!("{} {}", lang.date(p.date), p.amount.format_cny()); move |_| void(Fix::VoidPayment { payment }, what.clone())}>{t(T::VoidDoc)}</button>
                                        })}
                                    </div></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>

            <h2>{t(T::Orders)} " " <small class="muted">{orders.len()}</small></h2>
            <div class="table-tools"><CsvButton list=List::Orders(customer) testid="export-orders" /></div>
            <div class="table-wrap">
                <table data-testid="orders">
                    <thead><tr><th>{t(T::Number)}</th><th class="num">{t(T::Amount)}</th><th>{t(T::Status)}</th><th></th><th>{t(T::Date)}</th><th>{t(T::Category)}</th></tr></thead>
                    <tbody>
                        {orders.into_iter().map(|o| {
                            let allowed = moves.get(&o.id).cloned().unwrap_or_default();
                            let can = |m: OrderMove| allowed.contains(&m);
                            let change = move |next: OrderMove| {
                                if next == OrderMove::Cancel {
                                    let ok = web_sys::window().and_then(|w| w.confirm_with_message(t(T::ConfirmCancelOrder)).ok()).unwrap_or(false);
                                    if !ok {
                                        return;
                                    }
                                }
                                leptos::task::spawn_local(async move {
                                    match move_order(o.id, next).await {
                                        Ok(()) => state.changed(),
                                        Err(e) => state.toast.set(Some(crate::ui::pages::requests::save_error_text(lang, &e))),
                                    }
                                });
                            };
                            view! {
                                <tr>
                                    <td class="mono">{o.number.to_string()}</td>
                                    <td class="num"><span class="money">{o.amount.format_cny()}</span></td>
                                    <td>{t(status_text(o.status))}</td>
                                    <td><div class="row-actions">
                                        {can(OrderMove::Ship).then(|| view! {
                                            <button class="small" on:click=move |_| change(OrderMove::Ship)>{t(T::MarkShipped)}</button>
                                        })}
                                        {can(OrderMove::Cancel).then(|| view! {
                                            <button class="small danger" on:click=move |_| change(OrderMove::Cancel)>{t(T::CancelOrder)}</button>
                                        })}
                                    </div></td>
                                    <td>{lang.date(o.date)}</td>
                                    <td>{o.category.map(|c| c.to_string()).unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>

            {(!credits.is_empty()).then(|| view! {
                <h2>{t(T::CreditNotes)}</h2>
                <div class="table-tools"><CsvButton list=List::CreditNotes(customer) testid="export-credit-notes" /></div>
                <div class="table-wrap">
                    <table>
                        <thead><tr><th>{t(T::Number)}</th><th class="num">{t(T::Amount)}</th><th>{t(T::Allocations)}</th><th>{t(T::Date)}</th><th></th></tr></thead>
                        <tbody>
                            {credits.into_iter().map(|r| {
                                let c = r.note;
                                let credit_note = c.id;
                                let standing = r.void.is_none();
                                // What it settles now; what is left on account.
                                let mut applied = r.allocations.iter().map(|a| format!("{} {}",
                                    numbers.get(&a.invoice).map(|n| n.to_string()).unwrap_or_default(), a.amount.format_cny())).collect::<Vec<_>>();
                                if r.unapplied.is_positive() {
                                    applied.push(if c.invoice.is_none() && r.allocations.is_empty() {
                                        t(T::OnAccount).to_string()
                                    } else {
                                        format!("{} {}", t(T::Unapplied), r.unapplied.format_cny())
                                    });
                                }
                                view! {
                                    <tr class:void=!standing data-credit-note=c.number.to_string()>
                                        <td class="mono">{if standing { view! { <span>{c.number.to_string()}</span> }.into_any() } else { view! { <s>{c.number.to_string()}</s> }.into_any() }}</td>
                                        <td class="num"><span class="money">{c.amount.format_cny()}</span></td>
                                        <td class="small" data-testid="credit-applied">{match &r.void { Some(v) => void_note(v), None => applied.join("; ") }}</td>
                                        <td>{lang.date(c.date)}</td>
                                        <td><div class="row-actions">{(may_correct && standing).then(|| view! {
                                            <A href=format!("/customers/{customer}/credit-notes/{credit_note}/apply") attr:class="button small" attr:data-testid="apply-credit">{t(T::ApplyCredit)}</A>
                                            <button class="small danger" data-testid="void-credit-note" on:click={let what = c.number.to_string(); move |_| void(Fix::VoidCreditNote { credit_note }, what.clone())}>{t(T::VoidDoc)}</button>
                                        })}</div></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

/// How many moments the history shows before "Show all".
const HISTORY_SHOWN: usize = 8;

/// The customer's history on one timeline, newest first ([`creditdesk_app::Happened`]).
#[component]
fn HistoryCard(customer: CustomerId) -> impl IntoView {
    use crate::ui::pages::monitor::{alert_sentence, severity, task_status_label};
    use creditdesk_app::Happened;
    use creditdesk_domain::monitor::TaskStatus;
    let state = expect_context::<AppState>();
    let all = RwSignal::new(false);
    // The contact form's values live here, so that a redraw keeps what was typed.
    let form = ContactFields::new();
    move || {
        let may_log = state.data(|d| {
            d.me()
                .may(creditdesk_domain::approval::Permission::EditCustomers)
        });
        let lang = state.lang.get();
        let t = move |k: T| lang.t(k);
        let Some(line) = state.data(|d| d.timeline(&d.me(), customer)) else {
            return ().into_any();
        };
        let total = line.len();
        let shown = if all.get() {
            total
        } else {
            total.min(HISTORY_SHOWN)
        };
        let name = move |id: &str| state.data(|d| d.user_name(id));
        let rows = line
            .into_iter()
            .take(shown)
            .map(|m| {
                let when = match m.at {
                    Some(ms) => crate::ui::pages::requests::fmt_time(lang, ms),
                    None => lang.date(m.on),
                };
                let (kind, body): (&str, AnyView) = match m.what {
                    Happened::Alert(a) => {
                        let (sev, tone) = severity(lang, a.severity);
                        ("alert", view! {
                            <span class=format!("pill {tone}")>{sev}</span>" "{alert_sentence(lang, &a)}
                        }.into_any())
                    }
                    Happened::AlertCleared(a) => (
                        "cleared",
                        format!("{}: {}", crate::ui::pages::monitor::rule_name(lang, &a.rule, &a.name), t(T::Cleared)).into_any(),
                    ),
                    Happened::TaskOpened { owner, .. } => (
                        "task",
                        format!("{}{}", lang.label(t(T::TaskOpenedFor)), name(&owner)).into_any(),
                    ),
                    Happened::TaskStep { note, broken, .. } => {
                        let promise = match &note.status {
                            TaskStatus::Promised { date, amount } => format!(
                                " {} {} {}",
                                amount.format_cny(),
                                t(T::PromisedFor),
                                lang.date(*date)
                            ),
                            _ => String::new(),
                        };
                        ("step", view! {
                            <strong>{name(&note.who)}</strong>" · "{t(task_status_label(&note.status))}{promise}
                            {broken.then(|| view! { " "<span class="pill danger">{t(T::PromiseBroken)}</span> })}
                            <q class="history-note">{note.text.clone()}</q>
                        }.into_any())
                    }
                    Happened::Payment { amount, reference } => (
                        "payment",
                        format!(
                            "{}{}{}",
                            lang.label(t(T::PaymentIn)),
                            amount.format_cny(),
                            reference.map(|r| lang.paren(r.as_str())).unwrap_or_default()
                        )
                        .into_any(),
                    ),
                    Happened::CreditNote { number, amount } => (
                        "credit-note",
                        format!("{}{} {}", lang.label(t(T::CreditNoteWord)), number.as_str(), amount.format_cny()).into_any(),
                    ),
                    Happened::Void(c) => (
                        "void",
                        view! { {format!("{} {}", c.subject(), t(T::DocVoided))}" "<q class="history-note">{c.reason.clone()}</q> }.into_any(),
                    ),
                    Happened::DisputeOpened(d) => (
                        "dispute",
                        view! {
                            {format!("{}{} {} · {}", lang.label(t(T::DisputeOpenedH)), d.number, d.amount.format_cny(), crate::ui::pages::disputes::category_label(lang, d.category))}
                            " "<q class="history-note">{d.reason.clone()}</q>
                        }.into_any(),
                    ),
                    Happened::DisputeResolved(d) => (
                        "dispute-resolved",
                        format!("{}{} · {}", lang.label(t(T::DisputeResolvedH)), d.number, crate::ui::pages::disputes::status_text(lang, &d)).into_any(),
                    ),
                    Happened::Contact(c) => (
                        "contact",
                        view! {
                            <strong>{name(&c.by)}</strong>" · "{t(channel_label(c.channel))}
                            {(!c.with.is_empty()).then(|| format!(" · {}", c.with))}
                            <q class="history-note">{c.note.clone()}</q>
                        }.into_any(),
                    ),
                    Happened::Request(r) => (
                        "request",
                        view! {
                            <StatePill state=r.state() />" "
                            {let what = request_text(lang, &r); view! { <A href=format!("/requests/{}", r.id)>{what}</A> }}
                            " · "{name(&r.requested_by)}
                        }.into_any(),
                    ),
                };
                view! {
                    <li data-testid="history-item" data-kind=kind>
                        <span class="muted history-when">{when}</span>
                        <span class="history-what">{body}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="card history" data-testid="history">
                <h2>{t(T::CustomerHistory)} " " <small class="muted">{total}</small></h2>
                <p class="muted small">{t(T::CustomerHistoryHint)}</p>
                {may_log.then(|| view! { <ContactForm customer=customer form=form /> })}
                {if total == 0 {
                    view! { <p class="muted">{t(T::NoHistory)}</p> }.into_any()
                } else {
                    view! { <ol class="plain history-list">{rows}</ol> }.into_any()
                }}
                {(total > shown).then(|| view! {
                    <button class="more" data-testid="history-all" on:click=move |_| all.set(true)>
                        {format!("{}{}", t(T::ShowAllHistory), lang.paren(total))}
                    </button>
                })}
            </div>
        }
        .into_any()
    }
}

fn channel_label(c: creditdesk_domain::contact::Channel) -> T {
    use creditdesk_domain::contact::Channel;
    match c {
        Channel::Call => T::ChannelCall,
        Channel::Visit => T::ChannelVisit,
        Channel::Email => T::ChannelEmail,
        Channel::Message => T::ChannelMessage,
    }
}

/// What the contact form holds: typed values, the problems of the last save, and whether it is
/// open and saving.
#[derive(Clone, Copy)]
struct ContactFields {
    open: RwSignal<bool>,
    channel: RwSignal<String>,
    with: RwSignal<String>,
    note: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
    other: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
}

impl ContactFields {
    fn new() -> Self {
        Self {
            open: RwSignal::new(false),
            channel: RwSignal::new("call".into()),
            with: RwSignal::new(String::new()),
            note: RwSignal::new(String::new()),
            errors: RwSignal::new(Vec::new()),
            other: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }
}

/// "Log a contact": a call, a visit, an e-mail or a message, with whom and what was said, on the
/// customer's file (it joins the history). A refusal is said at its field; nothing typed is lost.
#[component]
fn ContactForm(customer: CustomerId, form: ContactFields) -> impl IntoView {
    use creditdesk_domain::contact::{field, Channel, Contact, ContactInput};
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let t = move |k: T| lang.t(k);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = ContactInput {
            channel: form.channel.get_untracked(),
            with: form.with.get_untracked(),
            note: form.note.get_untracked(),
        };
        form.busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::ui::state::log_contact(customer, input).await {
                Ok(()) => {
                    form.with.set(String::new());
                    form.note.set(String::new());
                    form.errors.set(Vec::new());
                    form.other.set(None);
                    form.open.set(false);
                    state.changed();
                }
                Err(crate::ui::state::SaveError::Invalid(errs)) => form.errors.set(errs),
                Err(e) => form
                    .other
                    .set(Some(crate::ui::pages::requests::save_error_text(lang, &e))),
            }
            form.busy.set(false);
        });
    };
    move || {
        if !form.open.get() {
            return view! {
                <button class="small" data-testid="log-contact" on:click=move |_| form.open.set(true)>{t(T::LogContact)}</button>
            }
            .into_any();
        }
        view! {
            <form class="contact-form" data-testid="contact-form" on:submit=save>
                <label>{t(T::Channel)}
                    <select data-testid="contact-channel" prop:value=move || form.channel.get() on:change=move |ev| form.channel.set(event_target_value(&ev))>
                        {Channel::ALL.into_iter().map(|c| view! { <option value=c.key()>{t(channel_label(c))}</option> }).collect_view()}
                    </select>
                </label>
                <FieldProblem errors=form.errors field=field::CHANNEL />
                <label>{t(T::ContactWith)}
                    <input data-testid="contact-with" maxlength=Contact::WITH_MAX.to_string()
                        prop:value=move || form.with.get() on:input=move |ev| form.with.set(event_target_value(&ev)) />
                </label>
                <FieldProblem errors=form.errors field=field::WITH />
                <label>{t(T::ContactNote)}
                    <input data-testid="contact-note" maxlength=Contact::NOTE_MAX.to_string()
                        prop:value=move || form.note.get() on:input=move |ev| form.note.set(event_target_value(&ev)) />
                </label>
                <FieldProblem errors=form.errors field=field::NOTE />
                {move || form.other.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                <div class="form-actions">
                    <button type="submit" class="primary" data-testid="contact-save" disabled=move || form.busy.get()>{t(T::Save)}</button>
                    <button type="button" on:click=move |_| form.open.set(false)>{t(T::Cancel)}</button>
                </div>
            </form>
        }
        .into_any()
    }
}

/// The customer's score explained: the waterfall, the factor table, what would lift the grade,
/// and grade-override requests.
#[component]
fn RatingCard(customer: CustomerId) -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let lang = state.lang.get();
        let view = state.data(|d| d.rating_view(customer));
        let Some(v) = view else { return ().into_any() };
        // What would lift the grade, in words: the bin or the category it must reach.
        let hint = v.hint.clone().map(|h| {
            let bin = match (&h.bin, &h.category) {
                (Some(b), _) => fmt_bin(lang, h.factor, b),
                (None, Some(c)) => IndustryPosition::from_key(c)
                    .map(|p| lang.t(position_label(p)).to_string())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            (h, bin)
        });
        let t = move |k: T| lang.t(k);
        let parts = v.score.parts.clone();
        let hidden = v.score.hidden;
        let hidden_weight = v.score.hidden_weight_bp().unwrap_or(0);
        let additive = !v.score.characteristics.is_empty();
        let reasons = v.score.reasons.clone();
        let lift = v.lift.clone();
        view! {
            <div class="card rating" data-testid="rating">
                <div class="rating-head">
                    <h2>{t(T::Rating)}</h2>
                    <GradeBadge grade=v.grade provisional=v.provisional />
                    {v.provisional.then(|| view! { <span class="pill warn" data-testid="provisional">{t(T::Provisional)}</span> })}
                    {v.overridden.then(|| view! { <span class="pill warn" data-testid="overridden">{format!("{} {}", t(T::ActOverride), v.score.grade)}</span> })}
                    <span class="big" data-testid="score">{fmt_score(v.score.score)}</span>
                    <span class="muted">{format!("{} v{} · {} {}", t(T::ModelVersion), v.score.model_version, t(T::AsOf), lang.date(v.score.as_of))}</span>
                    <A href=format!("/customers/{customer}/request?action=override") attr:class="button small" attr:data-testid="request-override">{t(T::RequestOverride)}</A>
                </div>
                <p class="hint-line" data-testid="hint">{match &hint {
                    _ if v.provisional => provisional_text(lang, &v.score, &v.minimum),
                    _ if additive => additive_hint_text(lang, lift.as_ref(), &reasons),
                    Some((h, bin)) => hint_text(lang, h, bin.clone()),
                    None if v.score.grade == Grade::AAA => t(T::TopGrade).to_string(),
                    None => t(T::NoSingleFactor).to_string(),
                }}</p>
                {(!v.requests.is_empty()).then(|| view! {
                    <ul class="requests" data-testid="requests">
                        {v.requests.clone().into_iter().map(|r| view! {
                            <li>
                                <StatePill state=r.state() />" "
                                {let what = request_text(lang, &r); view! { <A href=format!("/requests/{}", r.id)>{what}</A> }}
                                {format!(" · {} · ", lang.date(r.requested_on))}
                                <q>{r.reason.clone()}</q>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                {additive.then(|| view! { <AdditiveTable score=v.score.clone() /> })}
                {(!additive).then(|| view! {
                <div class="rating-body">
                    <div class="waterfall-wrap"><Waterfall score=v.score.clone() thresholds=v.thresholds /></div>
                    <div class="table-wrap">
                        <table class="factor-table" data-testid="factors">
                            <thead><tr>
                                <th>{t(T::Factor)}</th><th class="num">{t(T::Contribution)}</th><th class="num">{t(T::Points)}</th>
                                <th class="num">{t(T::RawValue)}</th><th class="num">{t(T::Weight)}</th><th class="num">{t(T::EffectiveWeight)}</th>
                            </tr></thead>
                            <tbody>
                                {parts.into_iter().map(|p| if p.hidden { view! {
                                    <tr class="hidden-input" data-hidden="">
                                        <td>{t(factor_label(p.factor))}</td>
                                        <td class="num muted" colspan="3">{t(T::HiddenValue)}</td>
                                        <td class="num">{format!("{}%", Fixed(p.weight_bp as i64).display())}</td>
                                        <td class="num">"—"</td>
                                    </tr>
                                }.into_any() } else { view! {
                                    <tr class:missing=p.points.is_none()>
                                        <td>{t(factor_label(p.factor))}</td>
                                        <td class="num key">{fmt_score(p.contribution)}</td>
                                        <td class="num">{p.points.map(|x| x.to_string()).unwrap_or_else(|| "—".into())}</td>
                                        <td class="num">{fmt_value(lang, p.factor, p.raw)}</td>
                                        <td class="num">{format!("{}%", Fixed(p.weight_bp as i64).display())}</td>
                                        <td class="num">{format!("{}%", Fixed(p.effective_weight_bp as i64).display())}</td>
                                    </tr>
                                }.into_any() }).collect_view()}
                                {hidden.map(|h| view! {
                                    <tr class="hidden-total" data-testid="hidden-inputs">
                                        <td>{t(T::HiddenInputs)}</td>
                                        <td class="num key">{fmt_score(h)}</td>
                                        <td class="num" colspan="3"></td>
                                        <td class="num">{format!("{}%", Fixed(hidden_weight as i64).display())}</td>
                                    </tr>
                                })}
                            </tbody>
                        </table>
                    </div>
                </div>
                })}
            </div>
        }
        .into_any()
    }
}

/// An additive model's score explained: each characteristic's value, the bin it fell in, its
/// points and how far below its baseline, the reason codes beside.
#[component]
fn AdditiveTable(score: creditdesk_domain::rating::Score) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let t = move |k: T| lang.t(k);
    let fields = state.data(|d| d.fields.clone());
    let en = lang == crate::ui::i18n::Lang::En;
    let source_label = move |s: &Option<creditdesk_domain::rating::analyst::Source>| match s {
        Some(creditdesk_domain::rating::analyst::Source::Metric(k)) => {
            t(factor_label(*k)).to_string()
        }
        Some(creditdesk_domain::rating::analyst::Source::Custom { key, .. }) => fields
            .get(key)
            .map_or(key.clone(), |f| f.label(en).to_string()),
        None => "—".into(),
    };
    view! {
        <div class="table-wrap">
            <table class="factor-table" data-testid="characteristics">
                <thead><tr>
                    <th>{t(T::Characteristic)}</th><th>{t(T::ReadsFrom)}</th><th class="num">{t(T::RawValue)}</th>
                    <th>{t(T::BinLabel)}</th><th class="num">{t(T::Points)}</th><th class="num">{t(T::BelowBaseline)}</th>
                </tr></thead>
                <tbody>
                    {score.characteristics.iter().map(|c| {
                        let below = c.below();
                        if c.hidden {
                            return view! {
                                <tr class="hidden-input" data-hidden="" data-characteristic=c.name.clone()>
                                    <td>{c.name.clone()}</td>
                                    <td>{source_label(&c.source)}</td>
                                    <td class="num muted" colspan="4">{t(T::HiddenValue)}</td>
                                </tr>
                            }.into_any();
                        }
                        view! {
                            <tr class:missing=c.attribute.is_none() data-characteristic=c.name.clone()>
                                <td>{c.name.clone()}</td>
                                <td>{source_label(&c.source)}</td>
                                <td class="num">{c.value.clone().unwrap_or_else(|| "—".into())}</td>
                                <td>{if c.attribute.is_some() { c.label.clone() } else { t(T::NoBin).to_string() }}</td>
                                <td class="num key">{c.points.display()}</td>
                                <td class="num">{below.map(|b| format!("−{}", b.display())).unwrap_or_default()}</td>
                            </tr>
                        }.into_any()
                    }).collect_view()}
                    {score.sealed.map(|h| view! {
                        <tr class="hidden-total" data-testid="hidden-inputs">
                            <td colspan="4">{t(T::HiddenInputs)}</td>
                            <td class="num key">{creditdesk_domain::rating::additive::Micro(h.points).display()}</td>
                            <td></td>
                        </tr>
                    })}
                </tbody>
            </table>
        </div>
    }
}

/// An additive model's hint line: what would lift the grade (when one bin is enough), then the
/// three reason codes that cost the most points.
fn additive_hint_text(
    lang: crate::ui::i18n::Lang,
    lift: Option<&creditdesk_domain::rating::analyst::LiftHint>,
    reasons: &[creditdesk_domain::rating::analyst::Reason],
) -> String {
    let sep = if lang == crate::ui::i18n::Lang::Zh {
        "，"
    } else {
        ", "
    };
    let costliest = (!reasons.is_empty()).then(|| {
        let codes: Vec<String> = reasons
            .iter()
            .take(3)
            .map(|r| format!("{} (−{})", r.code, r.below.display()))
            .collect();
        format!("{}{}", lang.label(lang.t(T::ReasonCodes)), codes.join(sep))
    });
    let Some(h) = lift else {
        return costliest.unwrap_or_else(|| lang.t(T::NoReasons).to_string());
    };
    let lift = match lang {
        crate::ui::i18n::Lang::Zh => format!(
            "升至 {}：将「{}」改善到 {}（得分将为 {}）",
            h.to,
            h.characteristic,
            h.label,
            fmt_score(h.new_score)
        ),
        crate::ui::i18n::Lang::En => format!(
            "To reach {}: bring “{}” to {} (score would be {})",
            h.to,
            h.characteristic,
            h.label,
            fmt_score(h.new_score)
        ),
    };
    match costliest {
        Some(c) => format!("{lift} · {c}"),
        None => lift,
    }
}
