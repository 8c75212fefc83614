//! Record an order, an invoice, a payment or a credit note for a customer, reallocate a
//! payment, and apply a credit note (one on account, or move one) to invoices.

use crate::ui::credit::CheckPanel;
use crate::ui::i18n::T;
use crate::ui::link::A;
use crate::ui::pages::customer::route_customer;
use crate::ui::pages::customer_form::submit;
use crate::ui::state::{
    correct, save_credit_note, save_invoice, save_order, save_payment, with_data, AppState,
};
use crate::ui::widgets::{
    customer_access, Field, Form, FormActions, FormMessage, SelectField, UnavailablePage,
    WhenLedger,
};
use creditdesk_domain::credit::Outcome;
use creditdesk_domain::ledger::{
    field as f, CreditNoteInput, InvoiceInput, OrderInput, PaymentInput,
};
use creditdesk_domain::{CreditNoteId, CustomerId, Fix, InvoiceId, OrderId, PaymentId};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Order,
    Invoice,
    Payment,
    /// A credit note against an invoice (`?invoice=` picks it) or on account.
    CreditNote,
    /// A new allocation of the payment in the route's `pid`.
    Reallocate,
    /// A new allocation of the credit note in the route's `cid`.
    ApplyCredit,
}

#[component]
pub fn LedgerFormPage(doc: Doc) -> impl IntoView {
    let id = route_customer();
    view! {
        <WhenLedger>
            {move || match customer_access(id.get()) {
                Ok(id) => {
                    let name = with_data(|d| d.customer(id).map(|c| c.name.clone()).unwrap_or_default());
                    view! { <LedgerForm doc=doc customer=id name=name /> }.into_any()
                }
                Err(why) => view! { <UnavailablePage why=why /> }.into_any(),
            }}
        </WhenLedger>
    }
}

#[component]
fn LedgerForm(doc: Doc, customer: CustomerId, name: String) -> impl IntoView {
    let state = expect_context::<AppState>();
    let (today, year) = with_data(|d| (d.as_of.iso(), d.as_of.year()));
    // On a synced device each device numbers its own series: two devices offline never pick
    // the same next number.
    let tag = state.sync.device_tag.get_untracked();
    let series = |p: &str| creditdesk_app::sync::series(p, tag.as_deref());
    let number = with_data(|d| match doc {
        Doc::Order => d.next_order_number(&series("SO"), year),
        Doc::Invoice => d.next_invoice_number(&series("INV"), year),
        Doc::CreditNote => d.next_credit_note_number(&series("CN"), year),
        Doc::Payment | Doc::Reallocate | Doc::ApplyCredit => String::new(),
    });
    let query = use_query_map();
    let picked = query
        .with_untracked(|q| q.get("invoice"))
        .unwrap_or_default();
    let params = use_params_map();
    let payment = params
        .with_untracked(|p| p.get("pid"))
        .and_then(|p| PaymentId::parse(&p));
    let credit_note = params
        .with_untracked(|p| p.get("cid"))
        .and_then(|c| CreditNoteId::parse(&c));
    // The credit note being applied, as it stands: amount, date, what it settles now.
    let credit_row = credit_note.and_then(|cid| {
        with_data(|d| {
            let me = d.me();
            d.customer_360(&me, Some(customer)).ok().and_then(|v| {
                let numbers = v.numbers;
                v.credit_notes
                    .into_iter()
                    .find(|c| c.note.id == cid)
                    .map(|c| (c, numbers))
            })
        })
    });
    // The payment being reallocated, as it stands: "¥amount · date · reference", and its
    // allocations now.
    let payment_row = payment.and_then(|pid| {
        with_data(|d| {
            let me = d.me();
            d.customer_360(&me, Some(customer)).ok().and_then(|v| {
                let numbers = v.numbers;
                v.payments
                    .into_iter()
                    .find(|p| p.payment.id == pid)
                    .map(|p| (p, numbers))
            })
        })
    });
    let form = Form::new([
        (f::NUMBER, number),
        (f::DATE, today.clone()),
        (f::ISSUE_DATE, today),
        (
            f::TERM_DAYS,
            with_data(|d| d.default_term_days(customer)).to_string(),
        ),
        (f::AMOUNT, String::new()),
        (f::REFERENCE, String::new()),
        (f::INVOICE, picked),
        (f::REASON, String::new()),
        (f::CATEGORY, String::new()),
        ("order", String::new()),
    ]);
    // Open invoices (for a payment) and open orders (for an invoice) to choose from.
    let choices = Signal::derive(move || {
        let lang = state.lang.get();
        state.data(|d| match doc {
            Doc::Payment | Doc::CreditNote | Doc::Reallocate | Doc::ApplyCredit => {
                let first = match doc {
                    // No default: the invoice a credit note reduces, or "on account", is chosen
                    // on purpose.
                    Doc::CreditNote => Some(vec![
                        (String::new(), lang.t(T::ChooseInvoice).to_string()),
                        ("-".to_string(), lang.t(T::OnAccountChoice).to_string()),
                    ]),
                    Doc::Reallocate => Some(vec![
                        (String::new(), lang.t(T::OldestFirst).to_string()),
                        ("-".to_string(), lang.t(T::LeaveUnapplied).to_string()),
                    ]),
                    Doc::ApplyCredit => Some(vec![
                        (String::new(), lang.t(T::OldestFirst).to_string()),
                        ("-".to_string(), lang.t(T::LeaveOnAccount).to_string()),
                    ]),
                    _ => Some(vec![(String::new(), lang.t(T::OldestFirst).to_string())]),
                };
                first
                    .into_iter()
                    .flatten()
                    .chain(d.open_items(customer).into_iter().map(|i| {
                        (
                            i.invoice.to_string(),
                            format!(
                                "{} · {} · {}",
                                i.number,
                                lang.date(i.due_date),
                                i.open.format_cny()
                            ),
                        )
                    }))
                    .collect()
            }
            _ => std::iter::once((String::new(), lang.t(T::NoOrder).to_string()))
                .chain(d.invoiceable_orders(customer).into_iter().map(|o| {
                    (
                        o.id.to_string(),
                        format!("{} · {}", o.number, o.amount.format_cny()),
                    )
                }))
                .collect(),
        })
    });
    let navigate = use_navigate();
    let back = format!("/customers/{customer}");
    let back2 = back.clone();
    // The credit check, live as the amount is typed (orders only).
    let prepaid = RwSignal::new(false);
    let check = Memo::new(move |_| {
        if doc != Doc::Order {
            return None;
        }
        let amount = form
            .values
            .with(|v| v.get(f::AMOUNT).cloned().unwrap_or_default());
        let amount = creditdesk_domain::Money::parse_positive(&amount).ok()?;
        let prepaid = prepaid.get();
        state.data(|d| d.check_order_as(&d.me(), customer, amount, prepaid))
    });
    // Warnings that do not refuse the invoice (dated before the first cooperation), as typed.
    let invoice_warnings = Memo::new(move |_| {
        let typed = form
            .values
            .with(|v| v.get(f::ISSUE_DATE).cloned().unwrap_or_default());
        creditdesk_domain::Date::parse(&typed)
            .ok()
            .map(|issue| {
                state.data(|d| {
                    d.customer(customer)
                        .map(|c| creditdesk_domain::ledger::invoice_warnings(c, issue))
                        .unwrap_or_default()
                })
            })
            .unwrap_or_default()
    });
    let blocked = move || check.with(|c| c.as_ref().is_some_and(|c| c.outcome == Outcome::Block));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let navigate = navigate.clone();
        let back = back2.clone();
        let go = move || navigate(&back, Default::default());
        match doc {
            Doc::Order => submit(
                state,
                form,
                save_order(
                    customer,
                    OrderInput {
                        number: form.get(f::NUMBER),
                        date: form.get(f::DATE),
                        amount: form.get(f::AMOUNT),
                        category: form.get(f::CATEGORY),
                    },
                    prepaid.get_untracked(),
                ),
                move |(_, outcome)| {
                    go();
                    if outcome == Some(Outcome::Block) {
                        state.say_next(state.t(T::OrderHeld).to_string());
                    }
                },
            ),
            Doc::Invoice => submit(
                state,
                form,
                save_invoice(
                    customer,
                    InvoiceInput {
                        number: form.get(f::NUMBER),
                        issue_date: form.get(f::ISSUE_DATE),
                        term_days: form.get(f::TERM_DAYS),
                        amount: form.get(f::AMOUNT),
                        order: OrderId::parse(&form.get("order")),
                    },
                ),
                move |_| go(),
            ),
            Doc::Payment => submit(
                state,
                form,
                save_payment(
                    customer,
                    PaymentInput {
                        reference: form.get(f::REFERENCE),
                        date: form.get(f::DATE),
                        amount: form.get(f::AMOUNT),
                        invoice: InvoiceId::parse(&form.get(f::INVOICE)),
                    },
                ),
                move |_| go(),
            ),
            Doc::CreditNote => submit(
                state,
                form,
                save_credit_note(
                    customer,
                    CreditNoteInput {
                        number: form.get(f::NUMBER),
                        date: form.get(f::DATE),
                        amount: form.get(f::AMOUNT),
                        invoice: InvoiceId::parse(&form.get(f::INVOICE)),
                        on_account: form.get(f::INVOICE) == "-",
                    },
                ),
                move |_| go(),
            ),
            Doc::Reallocate | Doc::ApplyCredit => {
                // What the choice means is worked out by the ledger, as of today.
                let to = form.get(f::INVOICE);
                let invoice = InvoiceId::parse(&to);
                let fix = match (doc, payment, credit_note) {
                    (Doc::Reallocate, Some(pid), _) => with_data(|d| {
                        if to == "-" {
                            Ok(Vec::new())
                        } else {
                            d.ledger.reallocate_to(customer, pid, invoice, d.as_of)
                        }
                    })
                    .map(|allocations| Fix::Reallocate {
                        payment: pid,
                        allocations,
                    }),
                    (Doc::ApplyCredit, _, Some(cid)) => with_data(|d| {
                        if to == "-" {
                            Ok(Vec::new())
                        } else {
                            d.ledger.apply_credit_to(customer, cid, invoice, d.as_of)
                        }
                    })
                    .map(|allocations| Fix::ApplyCreditNote {
                        credit_note: cid,
                        allocations,
                    }),
                    _ => return,
                };
                let reason = form.get(f::REASON);
                let work = async move {
                    let fix = fix.map_err(|e| {
                        crate::ui::state::SaveError::Invalid(vec![
                            creditdesk_domain::FieldError::new(f::INVOICE, e.problem()),
                        ])
                    })?;
                    correct(customer, fix, reason).await.map_err(|e| match e {
                        // The form has one choice: what the ledger says of the allocations or
                        // of the payment shows there.
                        crate::ui::state::SaveError::Invalid(errs) => {
                            crate::ui::state::SaveError::Invalid(
                                errs.into_iter()
                                    .map(|mut e| {
                                        if e.field != f::REASON {
                                            e.field = f::INVOICE.into();
                                        }
                                        e
                                    })
                                    .collect(),
                            )
                        }
                        other => other,
                    })
                };
                submit(state, form, work, move |_| go())
            }
        }
    };
    // Choosing an order fills in its amount.
    let pick_order = move || {
        if let Some(o) = OrderId::parse(&form.get("order"))
            .and_then(|o| with_data(|d| d.ledger.order(o).copied()))
        {
            form.set(f::AMOUNT, o.amount.to_plain());
        }
    };
    let title = match doc {
        Doc::Order => T::NewOrder,
        Doc::Invoice => T::NewInvoice,
        Doc::Payment => T::NewPayment,
        Doc::CreditNote => T::NewCreditNote,
        Doc::Reallocate => T::ReallocatePayment,
        Doc::ApplyCredit => T::ApplyCreditTitle,
    };
    view! {
        <section class="page form-page">
            <h1>{move || state.t(title)}</h1>
            <p class="muted">{name}</p>
            <form on:submit=on_submit novalidate data-testid="ledger-form">
                <FormMessage form=form />
                {match doc {
                    Doc::Order => view! {
                        <Field form=form name=f::NUMBER label=T::Number required=true />
                        <Field form=form name=f::DATE label=T::Date input_type="date" required=true />
                        <Field form=form name=f::AMOUNT label=T::Amount inputmode="decimal" required=true placeholder="0.00" />
                        <Field form=form name=f::CATEGORY label=T::Category list="categories" />
                        <datalist id="categories">
                            {with_data(|d| d.order_categories()).into_iter().map(|c| view! { <option value=c></option> }).collect_view()}
                        </datalist>
                        <label class="check"><input type="checkbox" data-testid="prepaid" prop:checked=move || prepaid.get()
                            on:change=move |ev| prepaid.set(event_target_checked(&ev)) />{move || state.t(T::Prepaid)}</label>
                        {move || check.get().map(|r| view! { <CheckPanel result=r customer=customer.to_string() /> })}
                    }.into_any(),
                    Doc::Invoice => view! {
                        <div on:change=move |_| pick_order()>
                            <SelectField form=form name="order" label=T::FromOrder options=choices />
                        </div>
                        <Field form=form name=f::NUMBER label=T::Number required=true />
                        <div class="row">
                            <Field form=form name=f::ISSUE_DATE label=T::IssueDate input_type="date" required=true />
                            <Field form=form name=f::TERM_DAYS label=T::TermDays inputmode="numeric" required=true />
                        </div>
                        {move || invoice_warnings.get().into_iter().map(|w| view! {
                            <p class="warn small" data-testid="invoice-warning">{state.lang.get().problem(w.problem)}</p>
                        }).collect_view()}
                        <Field form=form name=f::AMOUNT label=T::Amount inputmode="decimal" required=true placeholder="0.00" />
                    }.into_any(),
                    Doc::Payment => view! {
                        <div class="row">
                            <Field form=form name=f::DATE label=T::Date input_type="date" required=true />
                            <Field form=form name=f::AMOUNT label=T::Amount inputmode="decimal" required=true placeholder="0.00" />
                        </div>
                        <Field form=form name=f::REFERENCE label=T::Reference />
                        <SelectField form=form name=f::INVOICE label=T::AllocateTo options=choices />
                    }.into_any(),
                    Doc::CreditNote => view! {
                        <SelectField form=form name=f::INVOICE label=T::CreditedInvoice options=choices />
                        <Field form=form name=f::NUMBER label=T::Number required=true />
                        <div class="row">
                            <Field form=form name=f::DATE label=T::Date input_type="date" required=true />
                            <Field form=form name=f::AMOUNT label=T::Amount inputmode="decimal" required=true placeholder="0.00" />
                        </div>
                    }.into_any(),
                    Doc::Reallocate => {
                        let lang = state.lang.get_untracked();
                        view! {
                            {payment_row.clone().map(|(p, numbers)| {
                                let now = if p.allocations.is_empty() { lang.t(T::Unapplied).to_string() } else {
                                    p.allocations.iter().map(|a| format!("{} {}",
                                        numbers.get(&a.invoice).map(|n| n.to_string()).unwrap_or_default(),
                                        a.amount.format_cny())).collect::<Vec<_>>().join("; ")
                                };
                                view! {
                                    <dl class="card" data-testid="reallocated-payment">
                                        <div class="kv"><dt>{lang.t(T::Amount)}</dt><dd class="money">{p.payment.amount.format_cny()}</dd></div>
                                        <div class="kv"><dt>{lang.t(T::Date)}</dt><dd>{lang.date(p.payment.date)}</dd></div>
                                        <div class="kv"><dt>{lang.t(T::CurrentAllocations)}</dt><dd>{now}</dd></div>
                                    </dl>
                                }
                            })}
                            <p class="muted small">{lang.t(T::ReallocateHint)}</p>
                            <SelectField form=form name=f::INVOICE label=T::AllocateTo options=choices />
                            <Field form=form name=f::REASON label=T::ReasonOptional />
                        }.into_any()
                    }
                    Doc::ApplyCredit => {
                        let lang = state.lang.get_untracked();
                        view! {
                            {credit_row.clone().map(|(c, numbers)| {
                                let mut now = c.allocations.iter().map(|a| format!("{} {}",
                                    numbers.get(&a.invoice).map(|n| n.to_string()).unwrap_or_default(),
                                    a.amount.format_cny())).collect::<Vec<_>>();
                                if c.unapplied.is_positive() {
                                    now.push(format!("{} {}", lang.t(T::Unapplied), c.unapplied.format_cny()));
                                }
                                view! {
                                    <dl class="card" data-testid="applied-credit-note">
                                        <div class="kv"><dt>{lang.t(T::Number)}</dt><dd class="mono">{c.note.number.to_string()}</dd></div>
                                        <div class="kv"><dt>{lang.t(T::Amount)}</dt><dd class="money">{c.note.amount.format_cny()}</dd></div>
                                        <div class="kv"><dt>{lang.t(T::Date)}</dt><dd>{lang.date(c.note.date)}</dd></div>
                                        <div class="kv"><dt>{lang.t(T::CurrentAllocations)}</dt><dd>{now.join("; ")}</dd></div>
                                    </dl>
                                }
                            })}
                            <p class="muted small">{lang.t(T::ApplyCreditHint)}</p>
                            <SelectField form=form name=f::INVOICE label=T::AllocateTo options=choices />
                            <Field form=form name=f::REASON label=T::ReasonOptional />
                        }.into_any()
                    }
                }}
                {move || if blocked() {
                    view! {
                        <div class="form-actions">
                            <button type="submit" class="danger" disabled=move || form.saving.get() data-testid="save">{state.t(T::SaveHeld)}</button>
                            <A href=back.clone() attr:class="button">{state.t(T::Cancel)}</A>
                        </div>
                    }.into_any()
                } else {
                    view! { <FormActions form=form back=back.clone() /> }.into_any()
                }}
            </form>
        </section>
    }
}
