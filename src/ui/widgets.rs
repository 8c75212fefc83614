//! Small building blocks: form fields bound to a [`Form`], figure tiles, the loaded-data gate.

use crate::ui::i18n::T;
use crate::ui::link::A;
use crate::ui::state::{AppState, Phase};
use creditdesk_domain::error::{FieldError, Problem};
use creditdesk_domain::{CustomerId, Money};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// A form's values (as typed), its errors and whether it is saving.
#[derive(Clone, Copy)]
pub struct Form {
    pub values: RwSignal<BTreeMap<&'static str, String>>,
    pub errors: RwSignal<Vec<FieldError>>,
    pub saving: RwSignal<bool>,
    /// A message for the whole form (store failure, "fix the fields").
    pub message: RwSignal<Option<String>>,
}

impl Form {
    pub fn new(initial: impl IntoIterator<Item = (&'static str, String)>) -> Form {
        Form {
            values: RwSignal::new(initial.into_iter().collect()),
            errors: RwSignal::new(Vec::new()),
            saving: RwSignal::new(false),
            message: RwSignal::new(None),
        }
    }
    pub fn get(&self, k: &'static str) -> String {
        self.values
            .with_untracked(|v| v.get(k).cloned().unwrap_or_default())
    }
    pub fn set(&self, k: &'static str, v: String) {
        self.values.update(|m| {
            m.insert(k, v);
        });
        // An edited field's old error goes away at once.
        self.errors.update(|e| e.retain(|e| e.field != k));
    }
    pub fn error(&self, k: &'static str) -> Option<Problem> {
        self.errors
            .with(|e| e.iter().find(|e| e.field == k).map(|e| e.problem))
    }
}

/// A labelled text input with its inline error.
#[component]
pub fn Field(
    form: Form,
    name: &'static str,
    label: T,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] hint: Option<T>,
    #[prop(optional)] required: bool,
    #[prop(optional)] textarea: bool,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    /// The id of a `<datalist>` of suggestions.
    #[prop(optional)]
    list: Option<&'static str>,
    /// Shown but not editable (a value the user's role may not change).
    #[prop(optional, into)]
    disabled: Signal<bool>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = format!("f-{name}");
    let err_id = format!("e-{name}");
    let value = move || {
        form.values
            .with(|v| v.get(name).cloned().unwrap_or_default())
    };
    let invalid = move || form.error(name).is_some();
    let input = if textarea {
        view! {
            <textarea id=id.clone() name=name rows="3" aria-invalid=move || invalid().to_string()
                aria-describedby=err_id.clone()
                prop:value=value on:input=move |ev| form.set(name, event_target_value(&ev))></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() name=name type=input_type.unwrap_or("text") inputmode=inputmode
                placeholder=placeholder autocomplete="off" list=list disabled=disabled
                aria-invalid=move || invalid().to_string() aria-describedby=err_id.clone()
                prop:value=value on:input=move |ev| form.set(name, event_target_value(&ev)) />
        }
        .into_any()
    };
    view! {
        <div class="field" class:has-error=invalid>
            <label for=id>
                {move || state.t(label)}
                {required.then(|| view! { <span class="req" title=move || state.t(T::Required)>" *"</span> })}
            </label>
            {input}
            {hint.map(|h| view! { <small class="hint">{move || state.t(h)}</small> })}
            <small class="error" id=err_id data-error-for=name role="alert">
                {move || form.error(name).map(|p| state.lang.get().problem(p))}
            </small>
        </div>
    }
}

/// A labelled select; `options` gives `(value, label)` pairs.
#[component]
pub fn SelectField(
    form: Form,
    name: &'static str,
    label: T,
    options: Signal<Vec<(String, String)>>,
    /// Shown but not editable (a value the user's role may not change).
    #[prop(optional, into)]
    disabled: Signal<bool>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = format!("f-{name}");
    let invalid = move || form.error(name).is_some();
    view! {
        <div class="field" class:has-error=invalid>
            <label for=id.clone()>{move || state.t(label)}</label>
            <select id=id name=name disabled=move || disabled.get() on:change=move |ev| form.set(name, event_target_value(&ev))
                prop:value=move || form.values.with(|v| v.get(name).cloned().unwrap_or_default())>
                {move || options.get().into_iter().map(|(v, l)| {
                    let selected = form.get(name) == v;
                    view! { <option value=v selected=selected>{l}</option> }
                }).collect_view()}
            </select>
            <small class="error" data-error-for=name role="alert">
                {move || form.error(name).map(|p| state.lang.get().problem(p))}
            </small>
        </div>
    }
}

/// The banner above a form: what went wrong as a whole.
#[component]
pub fn FormMessage(form: Form) -> impl IntoView {
    view! {
        {move || form.message.get().map(|m| view! { <div class="form-message" role="alert">{m}</div> })}
    }
}

/// Save and cancel, at the foot of a form.
#[component]
pub fn FormActions(form: Form, #[prop(into)] back: String) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <div class="form-actions">
            <button type="submit" class="primary" disabled=move || form.saving.get() data-testid="save">{move || state.t(T::Save)}</button>
            <A href=back attr:class="button">{move || state.t(T::Cancel)}</A>
        </div>
    }
}

/// An amount of money as a person reads it: on one line, in tabular figures. `compact` (a tile,
/// where space is short): from a million yuan up the short form of the user's language
/// (¥1.10亿 / ¥109.9M), the exact amount on hover, and on focus or a tap (it takes focus).
/// Tables and exports show the exact amount.
#[component]
pub fn Amount(
    #[prop(into)] value: Signal<Money>,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let m = value.get();
        let exact = m.format_cny();
        let short = if compact {
            m.format_cny_compact(state.lang.get().compact())
        } else {
            None
        };
        match short {
            // Inside a link (a dashboard tile), a first tap shows the exact amount and a second
            // follows the link, as a chart's marks do.
            Some(short) => view! {
                <span class="money compact" tabindex="0" title=exact.clone() aria-label=exact.clone()
                    data-exact=exact
                    on:pointerdown=move |ev| {
                        let target: web_sys::Element = event_target(&ev);
                        let focused = web_sys::window()
                            .and_then(|w| w.document())
                            .and_then(|d| d.active_element())
                            .is_some_and(|a| a == target);
                        FIRST_TAP.set(ev.pointer_type() == "touch" && !focused);
                    }
                    on:click=move |ev| {
                        if FIRST_TAP.replace(false) {
                            ev.prevent_default();
                        }
                    }>{short}</span>
            }
            .into_any(),
            None => view! { <span class="money">{exact}</span> }.into_any(),
        }
    }
}

thread_local! {
    /// Whether the pointer that went down on a compact amount was a first touch on it.
    static FIRST_TAP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A figure with its caption: `value` as given, or `money` as an [`Amount`] in compact form.
#[component]
pub fn Tile(
    #[prop(into)] label: Signal<String>,
    #[prop(optional, into)] value: Signal<String>,
    #[prop(optional)] money: Option<Money>,
    #[prop(optional)] tone: Option<&'static str>,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let figure = match money {
        Some(m) => view! { <Amount value=m compact=true /> }.into_any(),
        None => view! { <span class="figure">{value}</span> }.into_any(),
    };
    view! {
        <div class=format!("tile {}", tone.unwrap_or("")) data-testid=testid>
            <div class="tile-value">{figure}</div>
            <div class="tile-label">{label}</div>
        </div>
    }
}

/// Shows its children once the data is loaded; a spinner or the error before.
#[component]
pub fn WhenLoaded(children: ChildrenFn) -> impl IntoView {
    let state = expect_context::<AppState>();
    move || match state.phase.get() {
        Phase::Ready => children().into_any(),
        Phase::Loading => view! {
            <div class="loading" role="status"><span class="spinner"></span>{state.t(T::Loading)}
                <SyncProgress />
            </div>
        }
        .into_any(),
        Phase::Failed(e) => start_failed(
            state,
            None,
            T::LoadFailed,
            view! { <p class="mono">{e}</p> },
        ),
        Phase::Unanswered => start_failed(
            state,
            Some("server-silent"),
            T::ServerSilentTitle,
            view! { <p>{state.t(T::ServerSilent)}</p> },
        ),
    }
}

/// Why a start stopped, and a button that starts again (reloads the page).
fn start_failed(
    state: AppState,
    id: Option<&'static str>,
    title: T,
    detail: impl IntoView + 'static,
) -> AnyView {
    view! {
        <div class="load-failed" role="alert" data-testid=id>
            <h2>{state.t(title)}</h2>
            {detail}
            <button on:click=move |_| { let _ = web_sys::window().map(|w| w.location().reload()); }>{state.t(T::Retry)}</button>
        </div>
    }.into_any()
}

/// Shows its children once the ledger is loaded too (the customers come first).
#[component]
pub fn WhenLedger(children: ChildrenFn) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <WhenLoaded>
            {
                let children = children.clone();
                move || if state.ledger_ready.get() {
                    children().into_any()
                } else {
                    view! { <div class="loading" role="status"><span class="spinner"></span>{state.t(T::LoadingLedger)}</div> }.into_any()
                }
            }
        </WhenLoaded>
    }
}

/// Whether the window is at least `px` wide (true when it cannot be read): what a view that
/// draws differently on a phone asks, at the widths the CSS switches at.
pub fn window_at_least(px: f64) -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .is_none_or(|w| w >= px)
}

/// Offers `bytes` to the user as a file named `name`.
pub fn download_bytes(name: &str, mime: &str, bytes: &[u8]) {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    if let Some(blob) = blob_of(&parts, mime) {
        download_blob(name, &blob);
    }
}

/// A file of `parts` (byte arrays, or files already made of some), as the browser holds it.
pub fn blob_of(parts: &js_sys::Array, mime: &str) -> Option<web_sys::Blob> {
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(parts, &opts).ok()
}

/// Hands a file the browser holds to it as a download named `name`.
pub fn download_blob(name: &str, blob: &web_sys::Blob) {
    use wasm_bindgen::JsCast;
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    if let Some(a) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    // Let go of the file once the browser has surely taken it (a large one is read as it saves).
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
}

/// "Export CSV" for a list: the file has every row the page lists for the signed-in user (see
/// `creditdesk_app::exports`), in the user's language.
#[component]
pub fn CsvButton(list: creditdesk_app::exports::List, testid: &'static str) -> impl IntoView {
    let state = expect_context::<crate::ui::state::AppState>();
    let make = move |zh: bool| {
        let now = state.now.get_untracked();
        state.data(|d| d.export(&d.me(), list, zh, now))
    };
    view! { <TableCsvButton make=make testid=testid /> }
}

/// "Export CSV" of a table the page has already computed (a back-test, a what-if list): `make`
/// builds it in the user's language (`true`: Chinese) when the button is pressed.
#[component]
pub fn TableCsvButton(
    make: impl Fn(bool) -> Option<creditdesk_app::exports::Table> + 'static,
    testid: &'static str,
) -> impl IntoView {
    let state = expect_context::<crate::ui::state::AppState>();
    let export = move |_| {
        if let Some(t) = make(state.lang.get_untracked() == crate::ui::i18n::Lang::Zh) {
            download_bytes(
                &format!("{}.csv", t.name),
                "text/csv;charset=utf-8",
                &t.csv(),
            );
        }
    };
    view! {
        <button class="small" data-testid=testid on:click=export>{move || state.t(crate::ui::i18n::T::ExportCsv)}</button>
    }
}

/// Offers JSON text to the user as a file named `name`.
pub fn download(name: &str, text: &str) {
    download_bytes(name, "application/json", text.as_bytes());
}

/// Why a page about one customer cannot show it: no such customer, or another sales rep's.
pub use creditdesk_app::Access as Unavailable;

/// The customer of a route, if the signed-in user may see it.
pub fn customer_access(id: Option<CustomerId>) -> Result<CustomerId, Unavailable> {
    crate::ui::state::with_data(|d| d.open_customer(&d.me(), id))
}

/// The page shown instead of a customer the user may not open, or that does not exist.
#[component]
pub fn UnavailablePage(why: Unavailable) -> impl IntoView {
    let state = expect_context::<AppState>();
    let (title, text) = match why {
        Unavailable::Missing => (T::NotFound, T::CustomerNotFound),
        Unavailable::NotYours => (T::NotYours, T::NotYoursHint),
    };
    view! {
        <section class="page" data-testid="unavailable">
            <h1>{move || state.t(title)}</h1>
            <p>{move || state.t(text)}</p>
            <A href="/customers">{move || state.t(T::BackToList)}</A>
        </section>
    }
}

/// The ledger's chunks of a pull on their way, when there are some: "45.2 / 189.0 MB (24%)".
#[component]
pub fn SyncProgress() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.sync.progress.get().filter(|(_, total)| *total > 0).map(|(done, total)| {
            let mb = |b: u64| format!("{:.1}", b as f64 / 1e6);
            let pct = done * 100 / total;
            view! {
                <span class="sync-progress" data-testid="sync-progress">
                    <progress max=total.to_string() value=done.to_string()></progress>
                    <span class="label">{format!("{} {} / {} MB", state.t(T::FetchingLedger), mb(done), mb(total))}</span>
                    <span class="pct">{format!("{pct}%")}</span>
                </span>
            }
        })
    }
}

/// The problems of a form's last save at one field, in words, under it (nothing when none).
#[component]
pub fn FieldProblem(
    errors: RwSignal<Vec<creditdesk_domain::FieldError>>,
    field: &'static str,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let lang = state.lang.get();
        errors.with(|errs| {
            let v: Vec<String> = errs
                .iter()
                .filter(|e| e.field == field)
                .map(|e| lang.problem(e.problem))
                .collect();
            (!v.is_empty()).then(
                || view! { <p class="error" role="alert" data-field=field>{v.join("; ")}</p> },
            )
        })
    }
}
