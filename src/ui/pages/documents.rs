//! Documents on Customer 360: the customer's contracts, guarantees, credit insurance and other
//! papers, each with its file (opened from this device, or fetched once from the server) and
//! its expiry, and the form that adds one. What counts as lapsing is
//! `creditdesk_domain::document`'s; the warning rule W1007 alerts before it happens.

use crate::ui::approvals::attachment_bytes;
use crate::ui::i18n::{Lang, T};
use crate::ui::pages::requests::{read_files, save_error_text, Files};
use crate::ui::state::{new_uuid, run, AppState, SaveError};
use crate::ui::widgets::{download_bytes, FieldProblem};
use creditdesk_app::Command;
use creditdesk_domain::document::{field, DocKind, Document, DocumentInput};
use creditdesk_domain::sort;
use creditdesk_domain::*;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

pub fn kind_label(lang: Lang, k: DocKind) -> &'static str {
    lang.t(match k {
        DocKind::Contract => T::DocContract,
        DocKind::Guarantee => T::DocGuarantee,
        DocKind::CreditInsurance => T::DocInsurance,
        DocKind::Other => T::DocOther,
    })
}

/// Adds a document with its file to the customer's file.
async fn add_document(
    customer: CustomerId,
    input: DocumentInput,
    file: Option<(creditdesk_domain::request::Attachment, Vec<u8>)>,
) -> Result<(), SaveError> {
    // No file chosen: the form's rules say what is wrong, every field at once, before anything
    // is sent.
    let Some((file, bytes)) = file else {
        let errs = input
            .validate("", None, "", Date::from_days(0))
            .err()
            .unwrap_or_default();
        return Err(SaveError::Invalid(errs));
    };
    let id = format!("{:032x}", new_uuid());
    let files = vec![(file.id.clone(), bytes)];
    run(
        Command::AddDocument {
            customer,
            id,
            input,
            file,
        },
        files,
    )
    .await?;
    Ok(())
}

/// What the add form holds; kept above the page so that a redraw keeps what was typed.
#[derive(Clone, Copy)]
pub struct DocumentFields {
    open: RwSignal<bool>,
    kind: RwSignal<String>,
    title: RwSignal<String>,
    expires: RwSignal<String>,
    files: Files,
    errors: RwSignal<Vec<FieldError>>,
    other: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
}

impl Default for DocumentFields {
    fn default() -> Self {
        Self::new()
    }
}

impl DocumentFields {
    pub fn new() -> Self {
        Self {
            open: RwSignal::new(false),
            kind: RwSignal::new(DocKind::Contract.key().into()),
            title: RwSignal::new(String::new()),
            expires: RwSignal::new(String::new()),
            files: RwSignal::new_local(Vec::new()),
            errors: RwSignal::new(Vec::new()),
            other: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }
    pub fn close(self) {
        self.open.set(false);
    }
}

/// The customer's documents, newest first, and "Add a document".
#[component]
pub fn DocumentsCard(
    customer: CustomerId,
    documents: Vec<Document>,
    may_add: bool,
    form: DocumentFields,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let t = move |k: T| lang.t(k);
    let as_of = state.data(|d| d.as_of);
    let mut list = documents;
    sort::by_key(&mut list, |d| std::cmp::Reverse(d.added_on));
    let total = list.len();
    let rows = list
        .into_iter()
        .map(|d| {
            let expiry = d.expires.map(|e| {
                let left = e.days_since(as_of);
                let tone = if left < 0 {
                    "pill danger"
                } else if left <= 30 {
                    "pill warn"
                } else {
                    ""
                };
                view! { <span class=tone data-testid="document-expires">{lang.date(e)}</span> }
            });
            let file = d.file.clone();
            let label = format!("{} ({} KB)", file.name, file.size.div_ceil(1024));
            view! {
                <tr data-testid="document-row">
                    <td>{kind_label(lang, d.kind)}</td>
                    <td>{d.title.clone()}</td>
                    <td><button class="link" data-testid="document-file" on:click=move |_| {
                        let file = file.clone();
                        leptos::task::spawn_local(async move {
                            match attachment_bytes(&file.id).await {
                                Ok(Some(bytes)) => download_bytes(&file.name, &file.mime, &bytes),
                                Ok(None) => state.toast.set(Some(state.t(T::AttachmentUnavailable).to_string())),
                                Err(e) => state.toast.set(Some(e.to_string())),
                            }
                        });
                    }>{label}</button></td>
                    <td>{expiry.map(|v| v.into_any()).unwrap_or_else(|| "—".into_any())}</td>
                    <td>{lang.date(d.added_on)}" · "{state.data(|b| b.user_name(&d.by))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card" data-testid="documents">
            <h2>{t(T::Documents)} " " <small class="muted">{total}</small></h2>
            <p class="muted small">{t(T::DocumentsHint)}</p>
            {may_add.then(|| view! { <DocumentForm customer=customer form=form /> })}
            {(total > 0).then(|| view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr><th>{t(T::DocKindLabel)}</th><th>{t(T::DocTitle)}</th><th>{t(T::DocFile)}</th><th>{t(T::DocExpires)}</th><th>{t(T::DocAdded)}</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })}
        </div>
    }
}

#[component]
fn DocumentForm(customer: CustomerId, form: DocumentFields) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let t = move |k: T| lang.t(k);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = DocumentInput {
            kind: form.kind.get_untracked(),
            title: form.title.get_untracked(),
            expires: form.expires.get_untracked(),
        };
        let file = form.files.with_untracked(|f| f.first().cloned());
        form.busy.set(true);
        leptos::task::spawn_local(async move {
            match add_document(customer, input, file).await {
                Ok(()) => {
                    form.title.set(String::new());
                    form.expires.set(String::new());
                    form.files.set(Vec::new());
                    form.errors.set(Vec::new());
                    form.other.set(None);
                    form.open.set(false);
                    state.changed();
                }
                Err(SaveError::Invalid(errs)) => form.errors.set(errs),
                Err(e) => form.other.set(Some(save_error_text(lang, &e))),
            }
            form.busy.set(false);
        });
    };
    move || {
        if !form.open.get() {
            return view! {
                <button class="small" data-testid="add-document" on:click=move |_| form.open.set(true)>{t(T::AddDocument)}</button>
            }
            .into_any();
        }
        view! {
            <form class="contact-form" data-testid="document-form" on:submit=save>
                <label>{t(T::DocKindLabel)}
                    <select data-testid="document-kind" prop:value=move || form.kind.get() on:change=move |ev| form.kind.set(event_target_value(&ev))>
                        {DocKind::ALL.into_iter().map(|k| view! { <option value=k.key()>{kind_label(lang, k)}</option> }).collect_view()}
                    </select>
                </label>
                <FieldProblem errors=form.errors field=field::KIND />
                <label>{t(T::DocTitle)}
                    <input data-testid="document-title" maxlength=Document::TITLE_MAX.to_string()
                        prop:value=move || form.title.get() on:input=move |ev| form.title.set(event_target_value(&ev)) />
                </label>
                <FieldProblem errors=form.errors field=field::TITLE />
                <label>{t(T::DocExpires)}
                    <input type="date" data-testid="document-expires-input"
                        prop:value=move || form.expires.get() on:input=move |ev| form.expires.set(event_target_value(&ev)) />
                </label>
                <FieldProblem errors=form.errors field=field::EXPIRES />
                <label>{t(T::DocFile)}
                    <input type="file" data-testid="document-file-input" on:change=move |ev| {
                        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            leptos::task::spawn_local(read_files(input, form.files));
                        }
                    } />
                </label>
                <FieldProblem errors=form.errors field=field::FILE />
                {move || form.other.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                <div class="form-actions">
                    <button type="submit" class="primary" data-testid="document-save" disabled=move || form.busy.get()>{t(T::Save)}</button>
                    <button type="button" on:click=move |_| form.open.set(false)>{t(T::Cancel)}</button>
                </div>
            </form>
        }
        .into_any()
    }
}
