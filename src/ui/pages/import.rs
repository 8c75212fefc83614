//! `/import`: bring customers and receivables in from CSV (choose, map, check, confirm), and take
//! everything out as a backup and put it back.

use crate::ui::i18n::{date_format_label, field_label, import_problem, kind_label, T};
use crate::ui::importing::{self, Imported, Parsed};
use crate::ui::link::A;
use crate::ui::state::{perf_now, with_data, AppState};
use crate::ui::widgets::{download_blob, download_bytes, WhenLedger};
use creditdesk_app::Blocked;
use creditdesk_domain::approval::Permission;
use creditdesk_domain::import::{self as im, DateFormat, Kind, Mapping, Need, Plan};
use creditdesk_storage::backup::Backup;
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// Lets the browser draw and handle input before the next step.
pub async fn tick() {
    crate::ui::state::yield_now().await;
}

/// The chosen file's name and bytes.
async fn file_bytes(ev: &leptos::ev::Event) -> Option<(String, Vec<u8>)> {
    let f = chosen_file(ev)?;
    let buf = wasm_bindgen_futures::JsFuture::from(f.array_buffer())
        .await
        .ok()?;
    Some((f.name(), js_sys::Uint8Array::new(&buf).to_vec()))
}

/// The file chosen in the input that sent `ev`, unread (a backup can be hundreds of megabytes:
/// `importing::check_backup` reads it a slice at a time).
fn chosen_file(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    let input = ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    input.files()?.get(0)
}

/// Publishes a timing of the import for the benchmark (`window.cdImport[key]`, milliseconds).
fn publish(key: &str, ms: f64) {
    let Some(w) = web_sys::window() else { return };
    let obj = js_sys::Reflect::get(&w, &"cdImport".into())
        .ok()
        .filter(|v| v.is_object())
        .unwrap_or_else(|| js_sys::Object::new().into());
    let _ = js_sys::Reflect::set(&obj, &key.into(), &ms.into());
    let _ = js_sys::Reflect::set(&w, &"cdImport".into(), &obj);
}

/// Where an import is: its phase, the share done, and rows per second so far.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Progress {
    phase: T,
    pct: u32,
    rows_per_s: f64,
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <section class="page import-page">
            <h1>{move || state.t(T::NavImport)}</h1>
            // Rows are checked against the whole ledger: not before it is loaded.
            <WhenLedger><CsvImport /></WhenLedger>
            <BackupRestore />
        </section>
    }
}

#[component]
fn CsvImport() -> impl IntoView {
    let state = expect_context::<AppState>();
    let kind = RwSignal::new(Kind::Invoices);
    // The file's rows and the check's plan (100,000 rows each, say) are shared, never copied, by
    // the steps that show them.
    let parsed: RwSignal<Option<Rc<Parsed>>, LocalStorage> = RwSignal::new_local(None);
    let mapping: RwSignal<Option<Mapping>, LocalStorage> = RwSignal::new_local(None);
    let remembered = RwSignal::new(false);
    let remember = RwSignal::new(true);
    let blocked = RwSignal::new(Blocked::Hold);
    let plan: RwSignal<Option<Rc<Plan>>, LocalStorage> = RwSignal::new_local(None);
    let progress = RwSignal::new(None::<Progress>);
    let done = RwSignal::new(None::<(Imported, f64)>);
    let message = RwSignal::new(None::<String>);
    let started = StoredValue::new(0.0f64);
    let file_key = RwSignal::new(0u32);

    let rate = move |rows: usize| {
        let secs = ((perf_now() - started.get_value()) / 1000.0).max(0.001);
        rows as f64 / secs
    };
    // Which check of the rows is the current one: a change of the mapping, another file or a
    // reset starts another, and one still taking its turns then stops and shows nothing.
    let checks = StoredValue::new(0u64);
    // An import is being written.
    let writing = RwSignal::new(false);
    let next_check = move || {
        let run = checks.get_value() + 1;
        checks.set_value(run);
        move || checks.try_get_value() == Some(run)
    };
    let reset = move || {
        checks.update_value(|n| *n += 1);
        parsed.set(None);
        mapping.set(None);
        plan.set(None);
        progress.set(None);
        done.set(None);
        file_key.update(|k| *k += 1);
    };
    // Checks the file against the mapping again after a change of the mapping; no plan (nothing
    // to confirm) until it is done.
    let recheck = move || {
        let (Some(p), Some(m)) = (parsed.get_untracked(), mapping.get_untracked()) else {
            return;
        };
        let kind = kind.get_untracked();
        let current = next_check();
        plan.set(None);
        progress.set(Some(Progress {
            phase: T::PhaseCheck,
            pct: 60,
            rows_per_s: 0.0,
        }));
        leptos::task::spawn_local(async move {
            if let Some(checked) = importing::check(kind, &p.table, &m, current).await {
                plan.try_set(Some(Rc::new(checked)));
                progress.try_set(None);
            }
        });
    };

    let on_file = move |ev: leptos::ev::Event| {
        // Cancel (a reset), another file, another kind and leaving the page stop the reading
        // (the check's run moves on, or is gone with the page; nothing is written before
        // Confirm), and this file's reading stops a check of the last file's mapping.
        let current = next_check();
        let stopped = move || !current();
        let kind = kind.get_untracked();
        leptos::task::spawn_local(async move {
            done.set(None);
            message.set(None);
            parsed.set(None);
            mapping.set(None);
            plan.set(None);
            started.set_value(perf_now());
            progress.set(Some(Progress {
                phase: T::PhaseRead,
                pct: 5,
                rows_per_s: 0.0,
            }));
            tick().await;
            let Some((name, bytes)) = file_bytes(&ev).await else {
                progress.set(None);
                return;
            };
            if stopped() {
                return;
            }
            publish("read_ms", perf_now() - started.get_value());
            progress.set(Some(Progress {
                phase: T::PhaseRead,
                pct: 30,
                rows_per_s: 0.0,
            }));
            tick().await;
            if stopped() {
                return;
            }
            let t = perf_now();
            let read = importing::parse(&name, &bytes).await;
            // Another file chosen, or the page left, while the rows were read in turns.
            if stopped() {
                return;
            }
            let p = match read {
                Ok(p) => p,
                Err(e) => {
                    progress.set(None);
                    message.set(Some(import_problem(state.lang.get_untracked(), &e)));
                    return;
                }
            };
            let rows = p.table.rows.len();
            publish("parse_ms", perf_now() - t);
            publish("rows", rows as f64);
            progress.set(Some(Progress {
                phase: T::PhaseCheck,
                pct: 60,
                rows_per_s: rate(rows),
            }));
            tick().await;
            if stopped() {
                return;
            }
            let (m, was_saved) = importing::mapping_for(kind, &p.table).await;
            remembered.set(was_saved);
            let t = perf_now();
            let Some(checked) = importing::check(kind, &p.table, &m, move || !stopped()).await
            else {
                return;
            };
            publish("check_ms", perf_now() - t);
            progress.set(Some(Progress {
                phase: T::PhaseCheck,
                pct: 100,
                rows_per_s: rate(rows),
            }));
            tick().await;
            if stopped() {
                return;
            }
            parsed.set(Some(Rc::new(p)));
            mapping.set(Some(m));
            plan.set(Some(Rc::new(checked)));
            progress.set(None);
        });
    };

    let confirm = move |_| {
        let Some(pl) = plan.get_untracked() else {
            return;
        };
        // Everything the write needs is read now: the user may leave the page while it runs,
        // and the page's values go with the page (the import itself finishes).
        let file = parsed
            .with_untracked(|p| p.as_ref().map(|p| p.file.clone()))
            .unwrap_or_default();
        let skip = blocked.get_untracked();
        let learn = remember
            .get_untracked()
            .then(|| parsed.get_untracked().zip(mapping.get_untracked()))
            .flatten();
        // No check of another mapping while the plan is written (the mapping is hidden).
        checks.update_value(|n| *n += 1);
        writing.set(true);
        leptos::task::spawn_local(async move {
            let rows = pl.rows_total;
            progress.set(Some(Progress {
                phase: T::PhaseWrite,
                pct: 80,
                rows_per_s: rate(rows),
            }));
            tick().await;
            let t = perf_now();
            let written = importing::commit(&pl, &file, skip).await;
            writing.try_set(false);
            match written {
                Ok(imported) => {
                    if let Some((p, m)) = learn {
                        let _ = importing::save_mapping(&p.table, &m).await;
                    }
                    let secs = (perf_now() - t) / 1000.0;
                    publish("write_ms", secs * 1000.0);
                    progress.set(None);
                    parsed.set(None);
                    mapping.set(None);
                    plan.set(None);
                    done.set(Some((imported, secs)));
                    state.changed();
                }
                Err(e) => {
                    progress.set(None);
                    message.set(Some(format!(
                        "{} {}",
                        state.t(T::ImportFailed),
                        crate::ui::pages::requests::save_error_text(state.lang.get_untracked(), &e)
                    )));
                }
            }
        });
    };

    let allowed = move || {
        state.rev.track();
        with_data(|d| d.me().may(importing::permission(kind.get())))
    };

    view! {
        <div class="card">
            <h2>{move || state.t(T::ImportTitle)}</h2>
            <p class="muted small">{move || state.t(T::ImportHint)}</p>
            <div class="toolbar">
                <label>{move || state.t(T::ImportKind)}" "
                    <select data-testid="import-kind" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some(k) = Kind::ALL.into_iter().find(|k| k.key() == v) {
                            kind.set(k);
                            reset();
                        }
                    }>
                        {move || {
                            let lang = state.lang.get();
                            Kind::ALL.into_iter().map(|k| view! {
                                <option value=k.key() selected=kind.get_untracked() == k>{kind_label(lang, k)}</option>
                            }).collect_view()
                        }}
                    </select>
                </label>
                {move || {
                    let _ = file_key.get();
                    view! {
                        <label>{move || state.t(T::ChooseFile)}" "
                            <input type="file" accept=".csv,.txt,text/csv" data-testid="import-file"
                                disabled=move || !allowed() on:change=on_file />
                        </label>
                    }
                }}
            </div>
            {move || (!allowed()).then(|| view! { <p class="warn">{state.t(T::NotPermitted)}</p> })}
            {move || message.get().map(|m| view! { <p class="warn" role="alert" data-testid="import-message">{m}</p> })}
            {move || progress.get().map(|p| view! {
                <div class="progress" role="status" data-testid="import-progress">
                    <div class="bar"><span style=format!("width:{}%", p.pct)></span></div>
                    <span>{format!("{} · {}% · {:.0} {}", state.t(p.phase), p.pct, p.rows_per_s, state.t(T::RowsPerSecond))}</span>
                    {(p.phase != T::PhaseWrite).then(|| view! {
                        <button on:click=move |_| { reset(); message.set(Some(state.t(T::ImportCancelled).into())); }>
                            {state.t(T::Cancel)}
                        </button>
                    })}
                </div>
            })}
            {move || done.get().map(|(imp, secs)| view! {
                <p class="ok" role="status" data-testid="import-done">
                    {format!("{} {} ({:.1} s)", state.t(T::ImportDone), imp.records, secs)}
                </p>
                <p class="links"><A href="/reports/aging">{state.t(T::SeeAging)}</A>" · "<A href="/customers">{state.t(T::NavCustomers)}</A></p>
            })}
            {move || parsed.get().zip(mapping.get()).filter(|_| !writing.get()).map(|(p, m)| view! {
                <MappingStep parsed=p mapping=m kind=kind.get() remembered=remembered.get()
                    on_change=Callback::new(move |m: Mapping| { mapping.set(Some(m)); recheck(); }) />
                <label class="check"><input type="checkbox" data-testid="remember-mapping" prop:checked=move || remember.get()
                    on:change=move |ev| remember.set(event_target_checked(&ev)) />{move || state.t(T::SaveMapping)}</label>
            })}
            {move || plan.get().zip(parsed.get()).map(|(pl, p)| view! {
                <CheckStep plan=pl parsed=p blocked=blocked on_confirm=Callback::new(move |_| confirm(())) on_cancel=Callback::new(move |_| reset()) />
            })}
        </div>
    }
}

#[component]
fn MappingStep(
    parsed: Rc<Parsed>,
    mapping: Mapping,
    kind: Kind,
    remembered: bool,
    on_change: Callback<Mapping>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let enc = match parsed.encoding {
        im::SourceEncoding::Utf8 => "UTF-8",
        im::SourceEncoding::Utf8Bom => "UTF-8 (BOM)",
        im::SourceEncoding::Utf16Le | im::SourceEncoding::Utf16Be => "UTF-16",
        im::SourceEncoding::Gbk => "GBK",
    };
    let delim = match parsed.delimiter {
        b',' => ",",
        b';' => ";",
        b'\t' => "Tab",
        _ => "?",
    };
    let m2 = mapping.clone();
    // A customers file may fill the custom fields on the form (key, label, required).
    let custom_fields: Vec<(String, String, bool)> = if kind == Kind::Customers {
        let en = lang == crate::ui::i18n::Lang::En;
        crate::ui::state::with_data(|d| {
            let me = d.me();
            d.fields
                .active()
                .into_iter()
                .filter(|f| {
                    d.field_access(&me, &f.error_name())
                        != creditdesk_domain::access::Access::Hidden
                })
                .map(|f| (f.key.clone(), f.label(en).to_string(), f.required))
                .collect()
        })
    } else {
        Vec::new()
    };
    // Mapping a column by hand guesses the date format again (from the columns now read).
    let table = StoredValue::new_local(parsed.clone());
    view! {
        <p class="muted small" data-testid="file-summary">
            {format!("{}{} · {}{enc} · {}{delim} · {} {}", lang.label(lang.t(T::FileSummary)), parsed.file, lang.label(lang.t(T::Encoding)), lang.label(lang.t(T::Delimiter)), parsed.table.rows.len(), lang.t(T::RowsInFile))}
        </p>
        <h3>{lang.t(T::Mapping)}</h3>
        <p class="muted small">{lang.t(T::MappingHint)}</p>
        {remembered.then(|| view! { <p class="ok small">{lang.t(T::MappingRemembered)}</p> })}
        <div class="table-scroll">
            <table class="data mapping" data-testid="mapping">
                <thead><tr><th>{lang.t(T::Column)}</th><th>{lang.t(T::Sample)}</th><th>{lang.t(T::Field)}</th></tr></thead>
                <tbody>
                    {parsed.table.headers.iter().enumerate().map(|(i, h)| {
                        let sample = parsed.table.rows.iter().take(3).filter_map(|r| r.get(i)).filter(|v| !v.trim().is_empty()).cloned().collect::<Vec<_>>().join(" · ");
                        let current = mapping.columns.get(i).copied().flatten();
                        let current_custom = mapping.custom_at(i).map(str::to_string);
                        let m = mapping.clone();
                        view! {
                            <tr>
                                <td>{h.clone()}</td>
                                <td class="muted clip">{sample}</td>
                                <td>
                                    <select data-testid=format!("map-{i}") aria-label=h.clone() on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        let mut m = m.clone();
                                        table.with_value(|p| match v.strip_prefix("custom:") {
                                            Some(key) => m.map_custom(&p.table, i, key),
                                            None => m.map_column(&p.table, i, im::FieldKey::from_key(&v)),
                                        });
                                        on_change.run(m);
                                    }>
                                        <option value="" selected=current.is_none() && current_custom.is_none()>{lang.t(T::Ignore)}</option>
                                        {kind.fields().iter().map(|f| {
                                            let star = if matches!(f.need, Need::Optional) { "" } else { " *" };
                                            view! { <option value=f.key.key() selected=current == Some(f.key)>{format!("{}{star}", field_label(lang, f.key))}</option> }
                                        }).collect_view()}
                                        // The custom fields of the customer form.
                                        {custom_fields.clone().into_iter().map(|(key, label, required)| {
                                            let star = if required { " *" } else { "" };
                                            let selected = current_custom.as_deref() == Some(key.as_str());
                                            view! { <option value=format!("custom:{key}") selected=selected>{format!("{label}{star}")}</option> }
                                        }).collect_view()}
                                    </select>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <label class="toolbar">{lang.t(T::DateFormat)}" "
            <select data-testid="date-format" on:change=move |ev| {
                let v = event_target_value(&ev);
                let mut m = m2.clone();
                m.date_format = match v.as_str() {
                    "ymd" => DateFormat::Ymd,
                    "dmy" => DateFormat::Dmy,
                    "mdy" => DateFormat::Mdy,
                    "serial" => DateFormat::ExcelSerial,
                    _ => DateFormat::Auto,
                };
                on_change.run(m);
            }>
                {[(DateFormat::Auto, "auto"), (DateFormat::Ymd, "ymd"), (DateFormat::Dmy, "dmy"), (DateFormat::Mdy, "mdy"), (DateFormat::ExcelSerial, "serial")]
                    .into_iter().map(|(f, v)| view! { <option value=v selected=mapping.date_format == f>{date_format_label(lang, f)}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// Problems listed on the page; the error file has every one.
const PROBLEMS_SHOWN: usize = 200;

#[component]
fn CheckStep(
    plan: Rc<Plan>,
    parsed: Rc<Parsed>,
    /// What to do with orders the credit check blocks.
    blocked: RwSignal<Blocked>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let valid = plan.records.len();
    let in_error = plan.rows_in_error.len();
    let file_problems: Vec<String> = plan
        .file_problems()
        .map(|p| import_problem(lang, &p.problem))
        .collect();
    let can = plan.can_import();
    let total_problems = plan.problems.len();
    let error_file = {
        let plan = plan.clone();
        move |_| {
            let text = im::error_file(&parsed.table, &plan);
            let name = format!("{}-errors.csv", parsed.file.trim_end_matches(".csv"));
            download_bytes(&name, "text/csv;charset=utf-8", text.as_bytes());
        }
    };
    let rows: Vec<_> = plan
        .problems
        .iter()
        .filter(|p| p.row > 0)
        .take(PROBLEMS_SHOWN)
        .cloned()
        .collect();
    view! {
        <h3>{lang.t(T::CheckResult)}</h3>
        <p data-testid="check-summary">
            <strong class="ok">{format!("{valid} {}", lang.t(T::RowsValid))}</strong>
            {(in_error > 0).then(|| view! { " · "<strong class="warn">{format!("{in_error} {}", lang.t(T::RowsInError))}</strong> })}
        </p>
        {(!file_problems.is_empty()).then(|| view! {
            <div class="form-message error" role="alert" data-testid="file-problems">
                <p>{lang.t(T::FileProblems)}</p>
                <ul>{file_problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </div>
        })}
        {(!rows.is_empty()).then(|| view! {
            <p class="muted small">{format!("{} / {total_problems} {}", rows.len(), lang.t(T::ProblemsShown))}</p>
            <ProblemTable rows=rows testid="problems" warn=false />
        })}
        {(!plan.warnings.is_empty()).then(|| {
            let rows: Vec<_> = plan.warnings.iter().take(PROBLEMS_SHOWN).cloned().collect();
            view! { <ProblemTable rows=rows testid="warnings" warn=true /> }
        })}
        <BlockedOrders plan=plan.clone() choice=blocked />
        // A device that holds the limits without their amounts cannot check them: the server does.
        {(!plan.records.orders.is_empty() && with_data(|d| d.limits_hidden_from(&d.me()))).then(|| view! {
            <p class="muted small" data-testid="import-limits-hidden">{move || state.t(T::ImportLimitsHidden)}</p>
        })}
        <div class="form-actions">
            {(in_error > 0).then(|| view! { <button data-testid="download-errors" on:click=error_file>{lang.t(T::DownloadErrors)}</button> })}
            <button class="primary" data-testid="confirm-import" disabled=!can || valid == 0
                on:click=move |_| on_confirm.run(())>
                {if in_error > 0 { lang.t(T::ImportSkip).to_string() } else { format!("{} {valid}", lang.t(T::ImportAll)) }}
            </button>
            <button on:click=move |_| on_cancel.run(())>{lang.t(T::Cancel)}</button>
        </div>
    }
}

/// A backup file checked: ready, or its problems (as lines) and how many there were.
type CheckedBackup = Result<Backup, (Vec<String>, usize)>;

#[component]
fn BackupRestore() -> impl IntoView {
    let state = expect_context::<AppState>();
    let checked: RwSignal<Option<CheckedBackup>, LocalStorage> = RwSignal::new_local(None);
    // The chosen file's name and SHA-256, for the audit entry of the restore.
    let chosen = RwSignal::new((String::new(), String::new()));
    let merge = RwSignal::new(false);
    let busy = RwSignal::new(false);
    // What the last download or restore came to: (done, text); a failure shows as an error.
    let note = RwSignal::new(None::<(bool, String)>);
    // On a synced device the server holds the data: a restore there is the administrator's,
    // on the server (`creditdesk-server restore`), never a device's.
    let admin = move || {
        state.rev.track();
        !state.sync.server.get() && with_data(|d| d.me().may(Permission::ResetData))
    };
    let sees_all = move || {
        state.rev.track();
        with_data(|d| d.me().may(Permission::SeeAllCustomers))
    };
    // Records of the backup file written so far, of all, while it is written.
    let writing = RwSignal::new(None::<(usize, usize)>);
    // The chosen backup file's bytes read, of all, while it is checked.
    let checking = RwSignal::new(None::<(f64, f64)>);
    let restoring = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let download_backup = move |_| {
        leptos::task::spawn_local(async move {
            busy.set(true);
            note.set(None);
            writing.set(Some((0, 0)));
            let file = importing::backup_file(|n, of| writing.set(Some((n, of)))).await;
            writing.set(None);
            match file {
                Ok(blob) => download_blob(
                    &format!(
                        "creditdesk-backup-{}.json",
                        state.today.get_untracked().iso()
                    ),
                    &blob,
                ),
                Err(e) => note.set(Some((
                    false,
                    crate::ui::pages::requests::save_error_text(state.lang.get_untracked(), &e),
                ))),
            }
            busy.set(false);
        });
    };
    let on_file = move |ev: leptos::ev::Event| {
        leptos::task::spawn_local(async move {
            note.set(None);
            let Some(file) = chosen_file(&ev) else {
                return;
            };
            checking.set(Some((0.0, file.size())));
            let (result, sha256) =
                importing::check_backup(&file, |n, of| checking.set(Some((n, of)))).await;
            let name = file.name();
            checking.set(None);
            chosen.set((name, sha256));
            checked.set(Some(result.map_err(|(ps, n)| {
                (
                    ps.into_iter()
                        .map(|p| format!("{} {}: {}", p.code.code(), p.at, p.detail))
                        .collect(),
                    n,
                )
            })));
        });
    };
    let restore = move |_| {
        // Taken out, not copied: a large book's backup is two million rows. (A restore that
        // fails leaves everything here as it was; the file is chosen again.)
        if !matches!(
            checked.with_untracked(|c| c.as_ref().map(Result::is_ok)),
            Some(true)
        ) {
            return;
        }
        let Some(Some(Ok(b))) = checked.try_update(Option::take) else {
            return;
        };
        leptos::task::spawn_local(async move {
            busy.set(true);
            restoring.set(true);
            let (file, sha256) = chosen.get_untracked();
            let done = importing::restore(state, b, merge.get_untracked(), &file, &sha256).await;
            restoring.set(false);
            match done {
                Ok(report) => {
                    checked.set(None);
                    let kept = report.as_ref().is_some_and(|r| r.audit_kept);
                    let refused = report
                        .map(|r| {
                            r.controls_refused
                                .into_iter()
                                .map(|(_, name)| name)
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default();
                    note.set(Some((
                        true,
                        format!(
                            "{}{}{}",
                            state.t(T::Restored),
                            if kept {
                                format!(" · {}", state.t(T::MergeKeptAudit))
                            } else {
                                String::new()
                            },
                            if refused.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    " · {}{}",
                                    state
                                        .lang
                                        .get_untracked()
                                        .label(state.t(T::MergeRefusedControls)),
                                    state.lang.get_untracked().list(&refused)
                                )
                            }
                        ),
                    )));
                    state.changed();
                }
                Err(e) => {
                    // The checked backup went into the restore: the same file is chosen again
                    // (an input keeps its file, and choosing it again would change nothing).
                    if let Some(input) = file_input.get_untracked() {
                        input.set_value("");
                    }
                    note.set(Some((
                        false,
                        crate::ui::pages::requests::save_error_text(state.lang.get_untracked(), &e),
                    )))
                }
            }
            busy.set(false);
        });
    };
    view! {
        <div class="card" id="backup">
            <h2>{move || state.t(T::BackupTitle)}</h2>
            <p class="muted small">{move || state.t(T::BackupHint)}</p>
            <div class="toolbar">
                <button data-testid="download-backup" disabled=move || busy.get() || !sees_all() on:click=download_backup>{move || state.t(T::DownloadBackup)}</button>
                <label>{move || state.t(T::RestoreFile)}" "
                    <input type="file" accept=".json,application/json" data-testid="restore-file" node_ref=file_input
                        disabled=move || !admin() || checking.get().is_some() || restoring.get() on:change=on_file />
                </label>
            </div>
            {move || writing.get().map(|(n, of)| {
                let pct = (n * 100).checked_div(of).unwrap_or(0);
                // Before the first record: the store is read (a large book's, a second or so).
                let text = if of == 0 {
                    state.t(T::BackupReading).to_string()
                } else {
                    let count = creditdesk_domain::money::group_thousands;
                    format!("{} · {pct}% · {} / {} {}", state.t(T::BackupWriting), count(n as u64), count(of as u64), state.t(T::RecordsWritten))
                };
                view! {
                    <div class="progress" role="status" data-testid="backup-progress">
                        <div class="bar"><span style=format!("width:{pct}%")></span></div>
                        <span>{text}</span>
                    </div>
                }
            })}
            {move || checking.get().map(|(n, of)| {
                let pct = if of > 0.0 { (n * 100.0 / of).floor() } else { 0.0 };
                let mb = |b: f64| format!("{:.0}", b / 1e6);
                view! {
                    <div class="progress" role="status" data-testid="restore-progress">
                        <div class="bar"><span style=format!("width:{pct}%")></span></div>
                        <span>{format!("{} · {pct}% · {} / {} MB", state.t(T::BackupChecking), mb(n), mb(of))}</span>
                    </div>
                }
            })}
            {move || restoring.get().then(|| view! {
                <p class="muted" role="status" data-testid="restoring">{state.t(T::Restoring)}</p>
            })}
            {move || (!admin()).then(|| view! { <p class="muted small">{state.t(if state.sync.server.get() { T::DataOnServer } else { T::NotPermitted })}</p> })}
            {move || note.get().map(|(done, n)| {
                let (class, role) = if done { ("ok", "status") } else { ("error", "alert") };
                view! { <p class=class role=role data-testid="restore-note">{n}</p> }
            })}
            // Read in place: a copy of a large book's backup (two million rows) took a task of
            // 0.4 s.
            {move || checked.with(|c| c.as_ref().map(|c| match c {
                Err((ps, n)) => view! {
                    <div class="form-message error" role="alert" data-testid="backup-problems">
                        <p>{format!("{}{}", state.t(T::BackupProblems), state.lang.get_untracked().paren(n))}</p>
                        <ul>{ps.iter().map(|p| view! { <li><code>{p.clone()}</code></li> }).collect_view()}</ul>
                    </div>
                }.into_any(),
                Ok(b) => {
                    let c = b.dump.counts();
                    let lang = state.lang.get();
                    let old = b.schema < creditdesk_storage::schema::VERSION;
                    view! {
                        <div class="route" data-testid="backup-ready">
                            <p><strong>{lang.t(T::BackupReady)}</strong>{format!(" · {} {}", lang.t(T::SchemaVersion), b.schema)}
                                {old.then(|| view! { <span class="muted">{format!(" · {}", lang.t(T::Migrated))}</span> })}</p>
                            <p class="small">{[(T::CustomersCount, c.customers), (T::Invoices, c.invoices), (T::Payments, c.payments), (T::Orders, c.orders), (T::Requests, c.requests), (T::Audit, c.audit)]
                                .map(|(k, n)| format!("{}{}", lang.label(lang.t(k)), creditdesk_domain::money::group_thousands(n as u64))).join(" · ")}</p>
                            <label class="check"><input type="radio" name="restore-mode" prop:checked=move || !merge.get() on:change=move |_| merge.set(false) />{lang.t(T::ReplaceAll)}</label>
                            <label class="check"><input type="radio" name="restore-mode" data-testid="restore-merge" prop:checked=move || merge.get() on:change=move |_| merge.set(true) />{lang.t(T::MergeIn)}</label>
                            <div class="form-actions">
                                <button class="primary" data-testid="confirm-restore" disabled=move || busy.get() on:click=restore>{lang.t(T::ConfirmRestore)}</button>
                                <button on:click=move |_| checked.set(None)>{lang.t(T::Cancel)}</button>
                            </div>
                        </div>
                    }.into_any()
                }
            }))}
        </div>
    }
}

/// The offer shown where there is no data yet: the demo set, an import, or a restore.
#[component]
pub fn NoData() -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = move || state.lang.get();
    view! {
        <div class="card empty-start" data-testid="no-data">
            <h2>{move || lang().t(T::NoDataYet)}</h2>
            <p class="muted">{move || lang().t(T::NoDataHint)}</p>
            <div class="form-actions">
                <button class="primary" data-testid="load-demo" on:click=move |_| {
                    leptos::task::spawn_local(async move {
                        let _ = crate::ui::state::replace_data(state, true).await;
                        state.changed();
                    });
                }>{move || lang().t(T::LoadDemo)}</button>
                <A href="/import" attr:class="button">{move || lang().t(T::ImportTitle)}</A>
                <A href="/import#backup" attr:class="button">{move || lang().t(T::RestoreFile)}</A>
            </div>
        </div>
    }
}

/// The imported orders the credit check blocks, with why, and the choice: import them as held
/// (each waits for a release) or leave them out.
#[component]
fn BlockedOrders(plan: Rc<Plan>, choice: RwSignal<Blocked>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let rows = importing::blocked_orders(&plan);
    (!rows.is_empty()).then(|| {
        let names: Vec<String> = with_data(|d| {
            rows.iter()
                .map(|b| d.customer(b.customer).map(|c| c.name.clone()).unwrap_or_default())
                .collect()
        });
        view! {
            <h3>{lang.t(T::ImportBlockedOrders)}</h3>
            <p class="muted small">{lang.t(T::ImportBlockedHint)}</p>
            <div class="table-scroll">
                <table class="data" data-testid="blocked-orders">
                    <thead><tr><th>{lang.t(T::Number)}</th><th>{lang.t(T::Name)}</th><th class="num">{lang.t(T::Amount)}</th><th>{lang.t(T::CheckBlock)}</th></tr></thead>
                    <tbody>
                        {rows.iter().zip(names).map(|(b, name)| view! {
                            <tr>
                                <td class="mono">{b.number.to_string()}</td>
                                <td>{name}</td>
                                <td class="num">{b.amount.format_cny()}</td>
                                <td class="small">{b.reasons.iter().map(|r| crate::ui::credit::reason_text(lang, r)).collect::<Vec<_>>().join("; ")}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="segmented" role="radiogroup" data-testid="blocked-choice">
                <button role="radio" aria-checked=move || (choice.get() == Blocked::Hold).to_string() class:active=move || choice.get() == Blocked::Hold
                    data-testid="blocked-hold" on:click=move |_| choice.set(Blocked::Hold)>{lang.t(T::ImportBlockedHold)}</button>
                <button role="radio" aria-checked=move || (choice.get() == Blocked::Refuse).to_string() class:active=move || choice.get() == Blocked::Refuse
                    data-testid="blocked-refuse" on:click=move |_| choice.set(Blocked::Refuse)>{lang.t(T::ImportBlockedRefuse)}</button>
            </div>
        }
    })
}

/// Problems (or warnings) of an import's rows: row, column, value, what is wrong and its code.
#[component]
fn ProblemTable(rows: Vec<im::RowProblem>, testid: &'static str, warn: bool) -> impl IntoView {
    let lang = expect_context::<AppState>().lang.get_untracked();
    view! {
        <div class="table-scroll">
            <table class="data" data-testid=testid>
                <thead><tr><th class="num">{lang.t(T::Row)}</th><th>{lang.t(T::Column)}</th><th>{lang.t(T::Value)}</th><th>{lang.t(T::Problem)}</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|p| view! {
                        <tr class:warn=warn data-code=p.problem.code()>
                            <td class="num">{p.row}</td>
                            <td>{p.column.clone().unwrap_or_default()}</td>
                            <td class="clip">{p.value.clone()}</td>
                            <td class="small">{import_problem(lang, &p.problem)}<span class="muted">{lang.paren(p.problem.code())}</span></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
