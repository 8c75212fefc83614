//! Disputes on Customer 360: the card that lists a customer's disputes with their age and how
//! they ended, and the sheet that opens one from an invoice row or resolves one. What a dispute
//! is and how it counts is `creditdesk_domain::dispute`'s.

use crate::ui::i18n::{Lang, T};
use crate::ui::link::A;
use crate::ui::pages::requests::save_error_text;
use crate::ui::state::{new_uuid, open_dispute, resolve_dispute, AppState, SaveError};
use crate::ui::widgets::FieldProblem;
use creditdesk_domain::dispute::{field, Category, Dispute, DisputeInput, Outcome, Resolve};
use creditdesk_domain::sort;
use creditdesk_domain::*;
use leptos::prelude::*;

pub fn category_label(lang: Lang, c: Category) -> &'static str {
    lang.t(match c {
        Category::Price => T::CatPrice,
        Category::Quantity => T::CatQuantity,
        Category::Quality => T::CatQuality,
        Category::Delivery => T::CatDelivery,
        Category::Billing => T::CatBilling,
        Category::Other => T::CatOther,
    })
}

/// Where a dispute stands: open, its write-off waiting, or how it ended.
pub fn status_text(lang: Lang, d: &Dispute) -> String {
    let t = |k: T| lang.t(k);
    match &d.resolution {
        None if d.write_off.is_some() => t(T::WriteOffPending).into(),
        None => t(T::OpenDisputes).into(),
        Some(r) => {
            let how = match r.outcome {
                Outcome::CreditNote { amount, .. } => {
                    format!("{} {}", t(T::DisputeCredited), amount.format_cny())
                }
                Outcome::WrittenOff { amount, .. } => {
                    format!("{} {}", t(T::WrittenOff), amount.format_cny())
                }
                Outcome::Upheld => t(T::Upheld).into(),
            };
            format!("{how} · {}", lang.date(r.on))
        }
    }
}

/// Whether the signed-in user may resolve a dispute by a credit note (recording one is finance's).
fn may_credit() -> bool {
    expect_context::<AppState>().data(|d| {
        d.me()
            .may(creditdesk_domain::approval::Permission::RecordReceivables)
    })
}

/// What the sheet is doing: opening a dispute of an invoice (with what is open on it), or
/// resolving one (with what of it is disputed now).
#[derive(Clone)]
enum Mode {
    Open {
        invoice: InvoiceId,
        number: DocNo,
        open: Money,
    },
    Resolve {
        dispute: Dispute,
        disputed: Money,
    },
}

/// The dispute sheet: one per Customer 360, above the page, so that a redraw (a sync while a
/// reason is typed) keeps what was typed. A refusal is said at its field; nothing is lost.
#[derive(Clone, Copy)]
pub struct DisputeSheet {
    mode: RwSignal<Option<(CustomerId, Mode)>>,
    amount: RwSignal<String>,
    category: RwSignal<String>,
    reason: RwSignal<String>,
    owner: RwSignal<String>,
    outcome: RwSignal<String>,
    number: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
    other: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
}

impl Default for DisputeSheet {
    fn default() -> Self {
        Self::new()
    }
}

impl DisputeSheet {
    pub fn new() -> Self {
        Self {
            mode: RwSignal::new(None),
            amount: RwSignal::new(String::new()),
            category: RwSignal::new(String::new()),
            reason: RwSignal::new(String::new()),
            owner: RwSignal::new(String::new()),
            outcome: RwSignal::new(String::new()),
            number: RwSignal::new(String::new()),
            errors: RwSignal::new(Vec::new()),
            other: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    fn reset(self) {
        for s in [self.amount, self.reason, self.number] {
            s.set(String::new());
        }
        self.errors.set(Vec::new());
        self.other.set(None);
    }

    /// Opens the form that disputes an invoice; the owner starts as the user.
    pub fn dispute(self, customer: CustomerId, invoice: InvoiceId, number: DocNo, open: Money) {
        let state = expect_context::<AppState>();
        self.reset();
        self.category.set(Category::Quality.key().into());
        self.owner.set(state.data(|d| d.user.clone()));
        self.mode.set(Some((
            customer,
            Mode::Open {
                invoice,
                number,
                open,
            },
        )));
    }

    /// Opens the form that resolves a dispute; a credit note starts numbered as the credit-note
    /// form would number it.
    pub fn resolve(self, customer: CustomerId, dispute: Dispute, disputed: Money) {
        let state = expect_context::<AppState>();
        self.reset();
        let tag = state.sync.device_tag.get_untracked();
        let series = creditdesk_app::sync::series("CN", tag.as_deref());
        self.number
            .set(state.data(|d| d.next_credit_note_number(&series, d.as_of.year())));
        self.outcome.set(
            if may_credit() {
                "credit_note"
            } else {
                "upheld"
            }
            .into(),
        );
        self.mode
            .set(Some((customer, Mode::Resolve { dispute, disputed })));
    }

    pub fn close(self) {
        self.mode.set(None);
    }

    fn submit(self) {
        let Some((customer, mode)) = self.mode.get_untracked() else {
            return;
        };
        let state = expect_context::<AppState>();
        let lang = state.lang.get_untracked();
        self.busy.set(true);
        let amount = self.amount.get_untracked();
        let reason = self.reason.get_untracked();
        let outcome = self.outcome.get_untracked();
        let number = self.number.get_untracked();
        let input = DisputeInput {
            invoice: None,
            amount: amount.clone(),
            category: self.category.get_untracked(),
            reason: reason.clone(),
            owner: self.owner.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            let done = match mode {
                Mode::Open { invoice, .. } => {
                    open_dispute(
                        customer,
                        DisputeInput {
                            invoice: Some(invoice),
                            ..input
                        },
                    )
                    .await
                }
                Mode::Resolve { dispute, .. } => {
                    let how = match outcome.as_str() {
                        "credit_note" => Resolve::CreditNote {
                            note: CreditNoteId::from_u128(new_uuid()),
                            number,
                            amount,
                        },
                        "write_off" => Resolve::WriteOff {
                            request: RequestId::from_u128(new_uuid()),
                            amount,
                        },
                        _ => Resolve::Upheld,
                    };
                    resolve_dispute(customer, dispute.id, how, reason).await
                }
            };
            match done {
                Ok(()) => {
                    self.close();
                    state.changed();
                }
                Err(SaveError::Invalid(errs)) => self.errors.set(errs),
                Err(e) => self.other.set(Some(save_error_text(lang, &e))),
            }
            self.busy.set(false);
        });
    }

    /// The problem at a field, in words (empty when none).
    fn error_at(self, lang: Lang, f: &'static str) -> Option<String> {
        self.errors.with(|errs| {
            let v: Vec<String> = errs
                .iter()
                .filter(|e| e.field == f)
                .map(|e| lang.problem(e.problem))
                .collect();
            (!v.is_empty()).then(|| v.join("; "))
        })
    }

    pub fn view(self) -> Option<impl IntoView> {
        let (_, mode) = self.mode.get()?;
        let state = expect_context::<AppState>();
        let lang = state.lang.get_untracked();
        let t = move |k: T| lang.t(k);
        // Errors at fields the form has no input for (the invoice, the dispute) go above.
        let general = move || {
            let mut v: Vec<String> = [field::INVOICE, field::DISPUTE]
                .into_iter()
                .filter_map(|f| self.error_at(lang, f))
                .collect();
            v.extend(self.other.get());
            (!v.is_empty())
                .then(|| view! { <p class="error" role="alert" data-testid="dispute-error">{v.join("; ")}</p> })
        };
        let (title, body) = match mode {
            Mode::Open { number, open, .. } => {
                let users = state.data(|d| {
                    let mut u: Vec<(String, String)> = d
                        .users
                        .iter()
                        .map(|u| (u.id.clone(), u.name.clone()))
                        .collect();
                    sort::by(&mut u, |a, b| a.1.cmp(&b.1));
                    u
                });
                (
                    format!("{} {number}", t(T::DisputeTitle)),
                    view! {
                        <label for="dispute-amount">{format!("{}{}", t(T::Amount), lang.paren(t(T::DisputeAmountHint)))}</label>
                        <input id="dispute-amount" data-testid="dispute-amount" inputmode="decimal" placeholder=open.to_plain()
                            prop:value=move || self.amount.get() on:input=move |ev| self.amount.set(event_target_value(&ev)) />
                        <FieldProblem errors=self.errors field=field::AMOUNT />
                        <label for="dispute-category">{t(T::DisputeCategory)}</label>
                        <select id="dispute-category" data-testid="dispute-category" prop:value=move || self.category.get()
                            on:change=move |ev| self.category.set(event_target_value(&ev))>
                            {Category::ALL.into_iter().map(|c| view! { <option value=c.key()>{category_label(lang, c)}</option> }).collect_view()}
                        </select>
                        <FieldProblem errors=self.errors field=field::CATEGORY />
                        <label for="dispute-reason">{t(T::Reason)}</label>
                        <input id="dispute-reason" data-testid="dispute-reason" maxlength=Dispute::REASON_MAX.to_string()
                            prop:value=move || self.reason.get() on:input=move |ev| self.reason.set(event_target_value(&ev)) />
                        <FieldProblem errors=self.errors field=field::REASON />
                        <label for="dispute-owner">{t(T::Owner)}</label>
                        <select id="dispute-owner" data-testid="dispute-owner" prop:value=move || self.owner.get()
                            on:change=move |ev| self.owner.set(event_target_value(&ev))>
                            {users.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                        </select>
                        <FieldProblem errors=self.errors field=field::OWNER />
                    }
                    .into_any(),
                )
            }
            Mode::Resolve { dispute, disputed } => {
                let may_credit = may_credit();
                let settles = move || self.outcome.get() != "upheld";
                (
                    format!("{} {} · {}", t(T::ResolveTitle), dispute.number, disputed.format_cny()),
                    view! {
                        <fieldset class="choices" data-testid="resolve-outcome">
                            <legend>{t(T::ResolveHow)}</legend>
                            {[("credit_note", T::OutCreditNote, may_credit), ("write_off", T::OutWriteOff, true), ("upheld", T::OutUpheld, true)]
                                .into_iter()
                                .map(|(key, label, allowed)| view! {
                                    <label class="choice">
                                        <input type="radio" name="resolve-outcome" value=key disabled=!allowed
                                            prop:checked=move || self.outcome.get() == key
                                            on:change=move |_| self.outcome.set(key.into()) />
                                        {t(label)}
                                    </label>
                                })
                                .collect_view()}
                        </fieldset>
                        <Show when=settles>
                            <label for="resolve-amount">{format!("{}{}", t(T::Amount), lang.paren(disputed.format_cny()))}</label>
                            <input id="resolve-amount" data-testid="resolve-amount" inputmode="decimal" placeholder=disputed.to_plain()
                                prop:value=move || self.amount.get() on:input=move |ev| self.amount.set(event_target_value(&ev)) />
                            <FieldProblem errors=self.errors field=field::AMOUNT />
                        </Show>
                        <Show when=move || self.outcome.get() == "credit_note">
                            <label for="resolve-number">{t(T::CreditNoteNumber)}</label>
                            <input id="resolve-number" data-testid="resolve-number"
                                prop:value=move || self.number.get() on:input=move |ev| self.number.set(event_target_value(&ev)) />
                            <FieldProblem errors=self.errors field="number" />
                        </Show>
                        <label for="resolve-note">{t(T::ResolutionNote)}</label>
                        <input id="resolve-note" data-testid="resolve-note" maxlength=Dispute::NOTE_MAX.to_string()
                            prop:value=move || self.reason.get() on:input=move |ev| self.reason.set(event_target_value(&ev)) />
                        <FieldProblem errors=self.errors field=field::NOTE />
                    }
                    .into_any(),
                )
            }
        };
        Some(view! {
            <div class="sheet-backdrop" on:click=move |ev| {
                if ev.target() == ev.current_target() { self.close() }
            }>
                <form class="sheet" role="dialog" aria-modal="true" aria-labelledby="dispute-title" data-testid="dispute-form"
                    on:submit=move |ev| { ev.prevent_default(); self.submit() }
                    on:keydown=move |ev| if ev.key() == "Escape" { self.close() }>
                    <h2 id="dispute-title">{title}</h2>
                    {general}
                    {body}
                    <div class="form-actions">
                        <button type="submit" class="primary" data-testid="dispute-save" disabled=move || self.busy.get()>{t(T::Save)}</button>
                        <button type="button" data-testid="dispute-cancel" on:click=move |_| self.close()>{t(T::Cancel)}</button>
                    </div>
                </form>
            </div>
        })
    }
}

/// A customer's disputes, open first (oldest first), then the resolved (newest first): the
/// invoice, what is disputed, why, who owns it, its age and where it stands.
#[component]
pub fn DisputesCard(
    customer: CustomerId,
    disputes: Vec<Dispute>,
    /// What of each open dispute's invoice is disputed today.
    disputed: std::collections::HashMap<InvoiceId, Money>,
    may_dispute: bool,
    sheet: DisputeSheet,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let t = move |k: T| lang.t(k);
    let as_of = state.data(|d| d.as_of);
    let mut list = disputes;
    sort::by_key(&mut list, |d| match &d.resolution {
        None => (false, d.opened.days_since(Date::from_days(0))),
        Some(r) => (true, -r.on.days_since(Date::from_days(0))),
    });
    let open = list.iter().filter(|d| d.is_open()).count();
    let total = list.len();
    let rows = list
        .into_iter()
        .map(|d| {
            let now = disputed.get(&d.invoice).copied().unwrap_or_default();
            let resolvable = may_dispute && d.is_open() && d.write_off.is_none();
            let shown = if d.is_open() { now } else { d.amount };
            let request = d.write_off;
            view! {
                <tr class:muted=!d.is_open() data-testid="dispute-row" data-invoice=d.number.to_string()>
                    <td class="mono">{d.number.to_string()}</td>
                    <td class="num"><span class="money">{shown.format_cny()}</span></td>
                    <td>{category_label(lang, d.category)}<div class="small muted">{d.reason.clone()}</div></td>
                    <td>{state.data(|b| b.user_name(&d.owner))}</td>
                    <td>{lang.date(d.opened)}</td>
                    <td class="num">{lang.days(d.age(as_of) as i64)}</td>
                    <td data-testid="dispute-status">
                        {status_text(lang, &d)}
                        {request.map(|r| view! { " "<A href=format!("/requests/{r}")>"→"</A> })}
                        {d.resolution.as_ref().filter(|r| !r.note.is_empty()).map(|r| view! { <div class="small muted">{r.note.clone()}</div> })}
                    </td>
                    <td>{resolvable.then(|| {
                        let d = d.clone();
                        view! {
                            <button class="small" data-testid="resolve-dispute" on:click=move |_| sheet.resolve(customer, d.clone(), now)>{t(T::ResolveDispute)}</button>
                        }
                    })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card" data-testid="disputes">
            <h2>{t(T::Disputes)} " " <small class="muted">{format!("{} {open} · {total}", t(T::OpenDisputes))}</small></h2>
            <p class="muted small">{t(T::DisputesHint)}</p>
            <div class="table-wrap">
                <table>
                    <thead><tr>
                        <th>{t(T::Number)}</th><th class="num">{t(T::Amount)}</th><th>{t(T::DisputeCategory)}</th>
                        <th>{t(T::Owner)}</th><th>{t(T::DisputeOpenedOn)}</th><th class="num">{t(T::DisputeAge)}</th>
                        <th>{t(T::Status)}</th><th></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </div>
    }
}
