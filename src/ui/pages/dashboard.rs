//! The dashboard: KPI tiles and SVG charts over the customers the filters choose, as of a date.
//! The filters live in the URL (`/?rep=…&grade=A&as_of=2026-06-30`), so a view can be
//! bookmarked; every chart element drills down to the list behind it.

use crate::ui::charts::{Bars, Donut, LineChart, Mark, Ranking, StackedBars, StepKind, Waterfall};
use crate::ui::i18n::{Lang, T};
use crate::ui::link::A;
use crate::ui::pages::reports::{bucket_label, FilterBar};
use crate::ui::reports::{self, bp_text, countback_text, Dashboard, Filter, FilterUrl};
use crate::ui::state::{perf_now, AppState};
use crate::ui::widgets::{Amount, WhenLedger};
use creditdesk_charts::palette;
use creditdesk_domain::rating::Grade;
use creditdesk_domain::reports::{Bucket, UTILISATION_BINS};
use creditdesk_domain::{Date, Money};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Yuan as a pixel measure (never for figures).
fn yuan(m: Money) -> f64 {
    m.minor() as f64 / 100.0
}
fn axis_en(v: f64) -> String {
    creditdesk_charts::compact(v, false)
}
fn axis_zh(v: f64) -> String {
    creditdesk_charts::compact(v, true)
}
fn axis_plain(v: f64) -> String {
    format!("{v}")
}
pub(crate) fn money_axis(lang: Lang) -> fn(f64) -> String {
    if lang == Lang::Zh {
        axis_zh
    } else {
        axis_en
    }
}

/// A month-end's short label: `Jun` / `6月`; the as-of date as month and day (`29 Nov`, `11/29`).
fn period_label(lang: Lang, d: Date, last: bool) -> String {
    if last {
        return lang.day_month(d);
    }
    let m = d.month();
    match lang {
        Lang::Zh => format!("{m}月"),
        Lang::En => crate::ui::i18n::MONTHS[m as usize - 1].to_string(),
    }
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.get();
        Filter::from_query(|k| q.get(k))
    });
    // Until the ledger is read, the unfiltered dashboard the last start drew, when no data
    // changed since (`creditdesk_app::figures`); every other view waits. Memos, so that new data
    // (the rules' writes after a start, a sync) redraws the figures, not the page around them.
    let kept = Memo::new(move |_| {
        state.rev.track();
        (!state.ledger_ready.get() && filter.get() == Filter::default())
            .then(|| state.data(|d| d.kept_dashboard.clone()))
            .flatten()
    });
    let empty = Memo::new(move |_| {
        state.rev.track();
        state.data(|d| d.customers.is_empty())
    });
    view! {
        <section class="page dashboard">
            <h1>{move || state.t(T::NavDashboard)}
                <span class="as-of">{move || {
                    let d = filter.get().as_of.unwrap_or(state.today.get());
                    format!("{} {}", state.t(T::AsOf), state.lang.get().date(d))
                }}</span>
            </h1>
            {move || {
                match kept.get() {
                    Some(dash) => view! {
                        <p class="kept-note" role="status" data-testid="dashboard-kept">
                            <span class="spinner"></span>{state.t(T::KeptDashboard)}
                        </p>
                        <FilterBar base="/" filter=filter />
                        <KeptFigures dash=dash filter=filter />
                    }
                    .into_any(),
                    None => view! {
                        <WhenLedger>
                            {move || {
                                if empty.get() {
                                    view! { <crate::ui::pages::import::NoData /> }.into_any()
                                } else {
                                    view! { <FilterBar base="/" filter=filter /><Figures filter=filter /> }.into_any()
                                }
                            }}
                        </WhenLedger>
                    }
                    .into_any(),
                }
            }}
        </section>
    }
}

thread_local! {
    /// The dashboard last drawn, on any visit to the page, and for whom: what the page shows,
    /// marked as updating, while the figures of new data are computed.
    static LAST_DRAWN: std::cell::RefCell<Option<(String, Dashboard)>> = const { std::cell::RefCell::new(None) };
}

/// The dashboard last drawn for the signed-in user (another user's is never shown).
fn last_drawn(state: &AppState) -> Option<Dashboard> {
    let me = state.data(|d| d.user.clone());
    LAST_DRAWN.with_borrow(|l| l.as_ref().filter(|(u, _)| *u == me).map(|(_, d)| d.clone()))
}

fn keep_drawn(state: &AppState, dash: &Dashboard) {
    let me = state.data(|d| d.user.clone());
    LAST_DRAWN.with_borrow_mut(|l| *l = Some((me, dash.clone())));
}

/// For the tests and the benchmark: when the dashboard was first drawn, every chart in it (each
/// is drawn in a task of its own), and whether from kept figures (1) or from the ledger (0).
fn publish_drawn(kept: bool) {
    thread_local!(static DRAWN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if !DRAWN.replace(true) {
        // About ten seconds of frames.
        when_charts_drawn(600, move || {
            crate::ui::state::publish_timing("dashboardDrawn", perf_now());
            crate::ui::state::publish_timing("dashboardKept", if kept { 1.0 } else { 0.0 });
        });
    }
}

/// Runs `then` in the first frame in which every chart on the page has its drawing; never, if
/// the page has no chart by then (left before it was drawn), nor after `frames` more frames (a
/// chart with no width, in a hidden part of the page, is drawn only once it has one).
fn when_charts_drawn(frames: u32, then: impl FnOnce() + 'static) {
    request_animation_frame(move || {
        let count = |q: &str| document().query_selector_all(q).map_or(0, |l| l.length());
        let charts = count(".charts figure.chart");
        if charts > 0 && count(".charts figure.chart > svg") == charts {
            then();
        } else if charts > 0 && frames > 0 {
            when_charts_drawn(frames - 1, then);
        }
    });
}

/// The dashboard the last start drew (see [`Dashboard`]'s page above).
#[component]
fn KeptFigures(dash: Dashboard, filter: Memo<Filter>) -> impl IntoView {
    let state = expect_context::<AppState>();
    publish_drawn(true);
    keep_drawn(&state, &dash);
    move || draw(state.lang.get(), &filter.get(), &dash)
}

/// The tiles and charts of a dashboard.
fn draw(lang: Lang, f: &Filter, dash: &Dashboard) -> impl IntoView {
    view! {
        <Tiles dash=dash.clone() filter=f.clone() lang=lang />
        <div class="charts">
            {aging_chart(lang, dash, f)}
            {grade_chart(lang, dash, f)}
            {utilisation_chart(lang, dash, f)}
            {dso_chart(lang, dash, f)}
            {risk_chart(lang, dash)}
            {reps_chart(lang, dash, f)}
            {movement_chart(lang, dash, f)}
        </div>
    }
}

/// The dashboard's figures: a filter change adds up the per-customer timeline kept for this data
/// revision and date (`reports::timeline`, a few milliseconds). New data, or another as-of date,
/// needs a pass over the ledger (about 150-200 ms at a million invoices): that pass is made a
/// slice at a time (`state::timeline_sliced`) while the dashboard last drawn for the user (or
/// kept from the last start) stays on screen, marked as updating; with none, the note alone.
#[component]
fn Figures(filter: Memo<Filter>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let started = StoredValue::new(0.0f64);
    // Bumped when a sliced pass has kept the timeline the figures wait for.
    let passed = RwSignal::new(0u32);
    // The revision and date whose pass the figures want: a pass for others (a date since
    // changed, data since changed, the page left) stops.
    let wanted = StoredValue::new(None::<(u64, Date)>);
    // The figures, and whether they are the last drawn ones while new ones are computed.
    let figures = Memo::new(move |_| -> Option<(Dashboard, bool)> {
        let rev = state.rev.get();
        let f = filter.get();
        passed.track();
        started.set_value(perf_now());
        let as_of = state.data(|d| f.date(d));
        if reports::kept_timeline(rev, as_of).is_none() {
            let mine = Some((rev, as_of));
            wanted.set_value(mine);
            let still = move || wanted.try_get_value() == Some(mine);
            leptos::task::spawn_local(async move {
                if crate::ui::state::timeline_sliced(&state, as_of, still)
                    .await
                    .is_some()
                    && still()
                {
                    passed.update(|n| *n += 1);
                }
            });
            return last_drawn(&state).map(|last| (last, true));
        }
        let dash = state.data(|d| reports::dashboard(d, &f, rev));
        keep_drawn(&state, &dash);
        Some((dash, false))
    });
    // Publish how long a filter change took, computed and drawn (the benchmark reads it).
    Effect::new(move |_| {
        let Some((f, false)) = figures.get() else {
            return;
        };
        let ms = perf_now() - started.get_value();
        if let Some(w) = web_sys::window() {
            let _ = js_sys::Reflect::set(&w, &"cdDashboardMs".into(), &ms.into());
            let runs = js_sys::Reflect::get(&w, &"cdDashboardRuns".into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0);
            let _ = js_sys::Reflect::set(&w, &"cdDashboardRuns".into(), &(runs + 1.0).into());
            let _ = js_sys::Reflect::set(&w, &"cdDashboardCustomers".into(), &f.customers.into());
        }
    });
    // The note and the drawing apart: the same figures marked updating are not drawn again.
    let updating = Memo::new(move |_| figures.with(|f| f.as_ref().is_none_or(|f| f.1)));
    let shown = Memo::new(move |_| figures.with(|f| f.as_ref().map(|f| f.0.clone())));
    view! {
        {move || updating.get().then(|| view! {
            <p class="kept-note" role="status" data-testid="dashboard-updating">
                <span class="spinner"></span>{state.t(T::DashboardUpdating)}
            </p>
        })}
        {move || {
            if !updating.get_untracked() {
                publish_drawn(false);
            }
            shown.get().map(|dash| draw(state.lang.get(), &filter.get(), &dash))
        }}
    }
}

#[component]
fn Tiles(dash: Dashboard, filter: Filter, lang: Lang) -> impl IntoView {
    let now = *dash.now();
    let pct = dash.overdue_share().unwrap_or_else(|| "—".into());
    let tile =
        |label: T, value: AnyView, tone: &'static str, href: String, testid: &'static str| {
            view! {
                <A href=href attr:class=format!("tile {tone}") attr:data-testid=testid>
                    <div class="tile-value">{value}</div>
                    <div class="tile-label">{lang.t(label)}</div>
                </A>
            }
        };
    let q = |extra: &[(&str, String)]| filter.query(extra);
    let money = |m: Money| view! { <Amount value=m compact=true /> }.into_any();
    let figure = |s: String| view! { <span class="figure">{s}</span> }.into_any();
    let cei_hint = format!(
        "{} {} – {}",
        lang.t(T::Period),
        lang.date(dash.period_start.add_days(1)),
        lang.date(dash.as_of)
    );
    view! {
        <div class="tiles kpis">
            {tile(T::TotalAr, money(now.open_ar), "", format!("/reports/aging{}", q(&[])), "kpi-total-ar")}
            {tile(T::OverdueAr, money(now.overdue()), "warn", format!("/reports/invoices{}", q(&[("overdue", "1".into())])), "kpi-overdue")}
            {tile(T::OverdueShare, figure(pct), "warn", format!("/reports/aging{}", q(&[])), "kpi-overdue-pct")}
            {tile(T::KpiDso, figure(countback_text(dash.dso_now())), "", format!("/reports/dso{}", q(&[])), "kpi-dso")}
            <A href=format!("/reports/dso{}", q(&[])) attr:class="tile" attr:data-testid="kpi-cei" attr:title=cei_hint.clone()>
                <div class="tile-value"><span class="figure">{dash.cei.map_or_else(|| "—".into(), |c| c.format())}</span></div>
                <div class="tile-label">{lang.t(T::KpiCei)}</div>
            </A>
            // Utilisation is not known to one from whom the limits are hidden.
            {(!dash.limits_hidden).then(|| tile(T::KpiAvgUtil, figure(bp_text(dash.utilisation_bp)), "", format!("/reports/utilisation{}", q(&[])), "kpi-avg-util"))}
            {(!dash.limits_hidden).then(|| tile(T::KpiOver90, figure(dash.over_90.to_string()), if dash.over_90 > 0 { "warn" } else { "" }, format!("/reports/utilisation{}", q(&[("min", "90".into())])), "kpi-over-90"))}
            // The utilisation report makes no row of a hidden limit: the frozen go to the list.
            {tile(T::KpiFrozen, figure(dash.frozen.to_string()), "", if dash.limits_hidden { "/customers".to_string() } else { format!("/reports/utilisation{}", q(&[("frozen", "1".into())])) }, "kpi-frozen")}
            {tile(T::KpiOpenRequests, figure(dash.open_requests.to_string()), "", "/inbox".to_string(), "kpi-requests")}
            {tile(T::KpiOpenAlerts, figure(dash.open_alerts.to_string()), "", "/alerts".to_string(), "kpi-alerts")}
        </div>
        <p class="muted small">{lang.label(lang.t(T::CustomersCount))}<span data-testid="dash-customers">{dash.customers}</span>" · "{cei_hint}</p>
    }
}

fn aging_chart(lang: Lang, dash: &Dashboard, f: &Filter) -> impl IntoView {
    let pts = &dash.points[dash.points.len() - 6..];
    let categories: Vec<String> = pts
        .iter()
        .enumerate()
        .map(|(i, p)| period_label(lang, p.date, i == pts.len() - 1))
        .collect();
    let series: Vec<(String, &'static str)> = Bucket::ALL
        .iter()
        .map(|b| {
            (
                bucket_label(lang, *b).to_string(),
                palette::AGING[b.index()],
            )
        })
        .collect();
    let marks: Vec<Vec<Mark>> = pts
        .iter()
        .zip(&categories)
        .map(|(p, cat)| {
            Bucket::ALL
                .iter()
                .map(|b| {
                    let m = p.aging[b.index()];
                    let href = format!(
                        "/reports/invoices{}",
                        f.query(&[("as_of", p.date.iso()), ("bucket", b.code().to_string())])
                    );
                    Mark::new(
                        yuan(m),
                        m.format_cny(),
                        format!(
                            "{cat} · {}{}",
                            lang.label(bucket_label(lang, *b)),
                            m.format_cny()
                        ),
                        Some(href),
                    )
                })
                .collect()
        })
        .collect();
    view! {
        <div class="chart-card wide">
            <StackedBars title=lang.t(T::ChartAging) desc=lang.t(T::ChartAgingDesc) table_label=lang.t(T::ShowTable)
                categories series marks y_fmt=money_axis(lang) testid="chart-aging" />
        </div>
    }
}

fn grade_chart(lang: Lang, dash: &Dashboard, f: &Filter) -> impl IntoView {
    let slices: Vec<(String, &'static str, Mark)> = Grade::ALL
        .iter()
        .map(|g| {
            let (n, ar) = dash.grades[*g as usize];
            let href = format!(
                "/reports/aging{}",
                f.query(&[("grade", g.label().to_string())])
            );
            (
                g.label().to_string(),
                palette::GRADES[*g as usize],
                Mark::new(
                    n as f64,
                    n.to_string(),
                    format!("{}{n} · {}", lang.label(g.label()), ar.format_cny()),
                    Some(href),
                ),
            )
        })
        .collect();
    view! {
        <div class="chart-card">
            <Donut title=lang.t(T::GradeDistribution) desc=lang.t(T::ChartGradesDesc) table_label=lang.t(T::ShowTable)
                slices centre=dash.customers.to_string() testid="chart-grades" />
        </div>
    }
}

fn utilisation_chart(lang: Lang, dash: &Dashboard, f: &Filter) -> impl IntoView {
    if dash.limits_hidden {
        return view! {
            <div class="chart-card" data-testid="chart-utilisation-hidden">
                <h3>{lang.t(T::ChartUtil)}</h3>
                <p class="muted">{lang.t(T::LimitsHiddenShort)}</p>
            </div>
        }
        .into_any();
    }
    let labels: Vec<String> = UTILISATION_BINS
        .iter()
        .map(|(lo, hi)| {
            if *hi == i64::MAX {
                format!("≥{}%", lo / 100)
            } else {
                format!("{}–{}", lo / 100, hi / 100)
            }
        })
        .collect();
    let marks: Vec<Mark> = dash
        .util_bins
        .iter()
        .zip(&labels)
        .zip(UTILISATION_BINS)
        .map(|((n, l), (lo, _))| {
            let href = format!(
                "/reports/utilisation{}",
                f.query(&[("bin", (lo / 100).to_string())])
            );
            Mark::new(*n as f64, n.to_string(), format!("{l}%: {n}"), Some(href))
        })
        .collect();
    let policy = crate::ui::state::with_data(|d| d.policy.clone());
    let fills: Vec<&'static str> = (0..11)
        .map(|i| {
            if creditdesk_app::reports::warning_band(&policy, i) {
                palette::AGING[3]
            } else {
                palette::ONE
            }
        })
        .collect();
    let desc = format!(
        "{} {}{}",
        lang.t(T::ChartUtilDesc),
        lang.label(lang.t(T::NoLimit)),
        dash.no_limit
    );
    view! {
        <div class="chart-card">
            <Bars title=lang.t(T::ChartUtil) desc=desc.clone() table_label=lang.t(T::ShowTable)
                labels marks fills y_fmt=axis_plain testid="chart-utilisation" />
            <p class="muted small">{desc}</p>
        </div>
    }
    .into_any()
}

fn dso_chart(lang: Lang, dash: &Dashboard, f: &Filter) -> impl IntoView {
    let x: Vec<String> = dash
        .dso
        .iter()
        .enumerate()
        .map(|(i, r)| period_label(lang, r.to, i == dash.dso.len() - 1))
        .collect();
    let days = |t: i64| t as f64 / 10.0;
    let href = |to: Date| {
        Some(format!(
            "/reports/invoices{}",
            f.query(&[("as_of", to.iso())])
        ))
    };
    let line = |name: T, pick: &dyn Fn(&creditdesk_domain::reports::DsoRow) -> Option<i64>| {
        dash.dso
            .iter()
            .zip(&x)
            .map(|(r, l)| {
                pick(r).map(|t| {
                    let text = format!("{}.{}", t / 10, (t % 10).abs());
                    Mark::new(
                        days(t),
                        text.clone(),
                        format!("{l} · {}: {text}", lang.t(name)),
                        href(r.to),
                    )
                })
            })
            .collect::<Vec<_>>()
    };
    let countback = line(T::DsoCountback, &|r| match r.countback {
        creditdesk_domain::reports::Countback::Days(t) => Some(t.0),
        _ => None,
    });
    // A partial period (the month to date) has no standard or best possible DSO in the trend.
    let standard = line(T::DsoStandard, &|r| {
        r.standard.filter(|_| !r.is_partial()).map(|t| t.0)
    });
    let best = line(T::DsoBest, &|r| {
        r.best_possible.filter(|_| !r.is_partial()).map(|t| t.0)
    });
    let series = vec![
        (
            lang.t(T::DsoCountback).to_string(),
            palette::LINES[0],
            false,
            countback,
        ),
        (
            lang.t(T::DsoStandard).to_string(),
            palette::LINES[1],
            true,
            standard,
        ),
        (
            lang.t(T::DsoBest).to_string(),
            palette::LINES[2],
            true,
            best,
        ),
    ];
    view! {
        <div class="chart-card wide">
            <LineChart title=lang.t(T::ChartDso) desc=lang.t(T::ChartDsoDesc) table_label=lang.t(T::ShowTable)
                x series y_fmt=axis_plain testid="chart-dso" />
        </div>
    }
}

fn risk_chart(lang: Lang, dash: &Dashboard) -> impl IntoView {
    let rows: Vec<(String, Mark, String)> = dash
        .top_risk
        .iter()
        .map(|(id, name, g, overdue, days, bp)| {
            let note = format!(
                "{} · {} · {}",
                g.label(),
                lang.days(*days as i64),
                bp_text(*bp)
            );
            (
                name.clone(),
                Mark::new(
                    yuan(*overdue),
                    overdue.format_cny(),
                    format!("{name}: {} · {note}", overdue.format_cny()),
                    Some(format!("/customers/{id}")),
                ),
                note,
            )
        })
        .collect();
    let empty = rows.is_empty();
    view! {
        <div class="chart-card">
            {if empty {
                view! { <h3 class="chart-empty-title">{lang.t(T::ChartRisk)}</h3><p class="muted">{lang.t(T::NothingOverdue)}</p> }.into_any()
            } else {
                view! { <Ranking title=lang.t(T::ChartRisk) desc=lang.t(T::ChartRiskDesc) table_label=lang.t(T::ShowTable)
                    rows fill=palette::AGING[3] testid="chart-risk" /> }.into_any()
            }}
        </div>
    }
}

fn reps_chart(lang: Lang, dash: &Dashboard, f: &Filter) -> impl IntoView {
    let rows: Vec<(String, Mark, String)> = dash
        .reps
        .iter()
        .map(|r| {
            let cei = r.cei.map_or_else(|| "—".into(), |c| c.format());
            let note = format!(
                "{} {} · {} {}",
                lang.t(T::Collected),
                r.collected.format_cny(),
                lang.t(T::OverdueRatio),
                bp_text(r.overdue_ratio_bp)
            );
            let href = format!("/reports/collections{}", f.query(&[("rep", r.rep.clone())]));
            let name = crate::ui::state::with_data(|d| d.user_name(&r.rep));
            (
                name.clone(),
                Mark::new(
                    r.cei.map_or(0.0, |c| c.0 as f64 / 10.0),
                    cei.clone(),
                    format!("{name} · CEI {cei} · {note}"),
                    Some(href),
                ),
                note,
            )
        })
        .collect();
    view! {
        <div class="chart-card">
            <Ranking title=lang.t(T::ChartReps) desc=lang.t(T::ChartRepsDesc) table_label=lang.t(T::ShowTable)
                rows fill=palette::ONE testid="chart-reps" />
        </div>
    }
}

fn movement_chart(lang: Lang, dash: &Dashboard, f: &Filter) -> impl IntoView {
    let m = dash.movement();
    let (open, sales, collected, credited, close) =
        (m.opening, m.sales, m.collected, m.credited, m.closing);
    let inv = |d: Date| {
        Some(format!(
            "/reports/invoices{}",
            f.query(&[("as_of", d.iso())])
        ))
    };
    let dso = Some(format!("/reports/dso{}", f.query(&[])));
    let step = |label: T, m: Money, kind: StepKind, href: Option<String>| {
        (
            lang.t(label).to_string(),
            Mark::new(
                yuan(m),
                m.format_cny(),
                format!("{}{}", lang.label(lang.t(label)), m.format_cny()),
                href,
            ),
            kind,
        )
    };
    let steps = vec![
        step(T::Opening, open.open_ar, StepKind::Total, inv(open.date)),
        step(T::CreditSales, sales, StepKind::Up, dso.clone()),
        step(T::Collected, collected, StepKind::Down, dso.clone()),
        step(T::Credited, credited, StepKind::Down, dso),
        step(T::Closing, close.open_ar, StepKind::Total, inv(close.date)),
    ];
    view! {
        <div class="chart-card">
            <Waterfall title=lang.t(T::ChartMovement) desc=lang.t(T::ChartMovementDesc) table_label=lang.t(T::ShowTable)
                steps y_fmt=money_axis(lang) testid="chart-movement" />
        </div>
    }
}
