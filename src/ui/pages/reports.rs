//! Reports: tables with sort, a row filter and CSV export, over the customers the URL's filters
//! choose, as of any date. Aging by customer, the open invoices behind an aging bucket, DSO and
//! CEI by month, collections per sales rep, days to pay, and limit utilisation.

use crate::ui::i18n::{Lang, T};
use crate::ui::link::A;
use crate::ui::reports::{self, bp_text, choices, countback_text, days_text, Filter, FilterUrl};
use crate::ui::state::AppState;
use crate::ui::widgets::{download_bytes, WhenLedger};
use creditdesk_domain::rating::Grade;
use creditdesk_domain::reports::{csv_bytes, utilisation_bin, Bucket, Countback};
use creditdesk_domain::sort;
use creditdesk_domain::{CustomerId, Date, Money};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

pub fn bucket_label(lang: Lang, b: Bucket) -> &'static str {
    lang.t(match b {
        Bucket::Current => T::BucketCurrent,
        Bucket::D1To30 => T::Bucket1,
        Bucket::D31To60 => T::Bucket31,
        Bucket::D61To90 => T::Bucket61,
        Bucket::Over90 => T::Bucket90,
    })
}

/// The filters of a view: rep, region, grade, industry and the as-of date. Each change rewrites
/// the URL (other parameters stay), so the view can be bookmarked and shared.
#[component]
pub fn FilterBar(base: &'static str, filter: Memo<Filter>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = use_query_map();
    let navigate = use_navigate();
    let set = move |key: &'static str, value: String| {
        let q = query.get_untracked();
        let mut pairs: Vec<(String, String)> = q
            .into_iter()
            .filter(|(k, _)| k != key)
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        if !value.is_empty() {
            pairs.push((key.to_string(), value));
        }
        let qs: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", String::from(js_sys::encode_uri_component(v))))
            .collect();
        let url = if qs.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", qs.join("&"))
        };
        navigate(&url, Default::default());
    };
    // In the user's language's order (Chinese by pinyin), as the list's names.
    let opts = Memo::new(move |_| {
        state.rev.track();
        let lang = state.lang.get();
        let (reps, regions, industries) = state.data(choices);
        let in_order = |v: Vec<String>| crate::ui::collate::in_order(lang, v, |t| t);
        (
            crate::ui::collate::in_order(lang, reps, |(_, name)| name),
            in_order(regions),
            in_order(industries),
        )
    });
    let set_sel = set.clone();
    let select = move |key: &'static str,
                       all: T,
                       label: T,
                       values: Vec<(String, String)>,
                       current: String| {
        let set = set_sel.clone();
        view! {
            <select aria-label=move || state.t(label) data-testid=format!("filter-{key}")
                on:change=move |ev| set(key, event_target_value(&ev))>
                <option value="">{move || state.t(all)}</option>
                {values.into_iter().map(|(v, shown)| {
                    let selected = v == current;
                    view! { <option value=v selected=selected>{shown}</option> }
                }).collect_view()}
            </select>
        }
    };
    let set_date = set.clone();
    let set_grade = set.clone();
    let nav_reset = use_navigate();
    move || {
        let f = filter.get();
        let (reps, regions, industries) = opts.get();
        let plain = |v: Vec<String>| v.into_iter().map(|x| (x.clone(), x)).collect::<Vec<_>>();
        let (regions, industries) = (plain(regions), plain(industries));
        let today = state.today.get();
        let set_date = set_date.clone();
        let set_grade = set_grade.clone();
        let nav_reset = nav_reset.clone();
        view! {
            <div class="filters report-filters">
                {select("rep", T::AllReps, T::SalesRep, reps, f.rep.clone())}
                {select("region", T::AllRegions, T::Region, regions, f.region.clone())}
                <select aria-label=move || state.t(T::Grade) data-testid="filter-grade"
                    on:change=move |ev| set_grade("grade", event_target_value(&ev))>
                    <option value="">{move || state.t(T::AllGrades)}</option>
                    {Grade::ALL.iter().map(|g| view! {
                        <option value=g.label() selected=f.grade == Some(*g)>{g.label()}</option>
                    }).collect_view()}
                </select>
                {select("industry", T::AllIndustries, T::Industry, industries, f.industry.clone())}
                <label class="as-of-input">{move || state.t(T::AsOf)}" "
                    <input type="date" data-testid="filter-as-of" max=today.iso()
                        prop:value=f.as_of.unwrap_or(today).iso()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            // An empty or impossible date goes back to today.
                            let v = Date::parse(&v).ok().filter(|d| *d != today).map(Date::iso).unwrap_or_default();
                            set_date("as_of", v);
                        } />
                </label>
                {(f != Filter::default()).then(|| view! {
                    <button class="link" data-testid="filter-reset" on:click=move |_| nav_reset(base, Default::default())>
                        {move || state.t(T::ResetFilters)}
                    </button>
                })}
            </div>
        }
    }
}

/// A sort key: amounts in fen, days in tenths, counts, or text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    None,
    Num(i64),
    Text(String),
}

/// One cell: what is shown, what goes into the CSV, how it sorts, and where it links.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub text: String,
    pub csv: String,
    pub key: Key,
    pub href: Option<String>,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        Cell {
            csv: s.clone(),
            key: Key::Text(s.to_lowercase()),
            text: s,
            href: None,
        }
    }
    pub fn money(m: Money) -> Cell {
        Cell {
            text: m.format_cny(),
            csv: m.to_plain(),
            key: Key::Num(m.minor()),
            href: None,
        }
    }
    pub fn num(n: i64) -> Cell {
        Cell {
            text: n.to_string(),
            csv: n.to_string(),
            key: Key::Num(n),
            href: None,
        }
    }
    pub fn date(lang: Lang, d: Date) -> Cell {
        Cell {
            text: lang.date(d),
            csv: d.iso(),
            key: Key::Num(d.days_since(Date::default()) as i64),
            href: None,
        }
    }
    /// A figure shown as `text` that sorts by `key` (`None` sorts first, shows as given).
    pub fn figure(text: String, key: Option<i64>) -> Cell {
        Cell {
            csv: if key.is_some() {
                text.clone()
            } else {
                String::new()
            },
            text,
            key: key.map_or(Key::None, Key::Num),
            href: None,
        }
    }
    pub fn link(mut self, href: String) -> Cell {
        self.href = Some(href);
        self
    }
}

/// A column: a stable id (what the column chooser keeps), its label, whether it is numeric
/// (right-aligned), whether its amounts total, and whether it is a key figure (never hidden,
/// large on a phone's card). A report lists its identifying column first, its key figures next.
#[derive(Clone, Debug, PartialEq)]
pub struct Col {
    pub id: String,
    pub label: String,
    pub num: bool,
    pub total: bool,
    pub key: bool,
}

impl Col {
    /// This column as a key figure.
    fn key(self) -> Col {
        Col { key: true, ..self }
    }
}

fn col(lang: Lang, t: T) -> Col {
    Col {
        id: format!("{t:?}"),
        label: lang.t(t).to_string(),
        num: false,
        total: false,
        key: false,
    }
}
fn num(lang: Lang, t: T) -> Col {
    Col {
        num: true,
        ..col(lang, t)
    }
}
fn money(lang: Lang, t: T) -> Col {
    Col {
        num: true,
        total: true,
        ..col(lang, t)
    }
}

/// At most this many rows are drawn at first on a wide screen (a phone draws `SHOWN_PHONE` cards),
/// and "Show more" adds as many again; the CSV always has every row.
pub const SHOWN: usize = 500;
pub const SHOWN_PHONE: usize = 50;

/// Rows sorted by a column (stable; ties keep the report's order).
pub fn sorted(rows: &[Vec<Cell>], by: Option<(usize, bool)>, filter: &str) -> Vec<usize> {
    let q = filter.trim().to_lowercase();
    let mut ix: Vec<usize> = (0..rows.len())
        .filter(|&i| q.is_empty() || rows[i].iter().any(|c| c.text.to_lowercase().contains(&q)))
        .collect();
    if let Some((c, desc)) = by {
        sort::by(&mut ix, |&a, &b| {
            let o = rows[a][c].key.cmp(&rows[b][c].key);
            if desc {
                o.reverse()
            } else {
                o
            }
        });
    }
    ix
}

/// Totals of the money columns over the chosen rows.
pub fn totals(cols: &[Col], rows: &[Vec<Cell>], ix: &[usize]) -> Vec<Option<Money>> {
    cols.iter()
        .enumerate()
        .map(|(c, col)| {
            col.total.then(|| {
                ix.iter()
                    .map(|&i| match rows[i][c].key {
                        Key::Num(n) => Money::from_minor(n),
                        _ => Money::ZERO,
                    })
                    .sum()
            })
        })
        .collect()
}

/// Which columns a user hid in each report (by report and column id), kept on this device.
fn hidden_columns(report: &str) -> Vec<String> {
    HIDDEN.with_borrow(|h| h.get(report).cloned().unwrap_or_default())
}

thread_local! {
    /// The device's choice of hidden columns per report, read at start-up (`state::boot`).
    static HIDDEN: std::cell::RefCell<std::collections::BTreeMap<String, Vec<String>>> = Default::default();
}

/// The hidden columns of every report, as stored on this device (read once at start-up).
pub fn set_hidden_columns(all: std::collections::BTreeMap<String, Vec<String>>) {
    HIDDEN.with_borrow_mut(|m| *m = all);
}

/// Keeps the hidden columns of one report on this device.
fn save_hidden_columns(report: &'static str, hidden: Vec<String>) {
    let all = HIDDEN.with_borrow_mut(|m| {
        m.insert(report.to_string(), hidden);
        m.clone()
    });
    leptos::task::spawn_local(async move {
        if let Ok(db) = crate::ui::state::db() {
            let _ = creditdesk_storage::settings::REPORT_COLUMNS
                .write(&*db, &all)
                .await;
        }
    });
}

/// A report table with sortable headers, a row filter, a totals row and CSV export. Its first
/// column stays in view as the table scrolls sideways, a shadow at an edge says there is more,
/// and a column chooser (kept per `report` on this device) hides columns other than the first
/// and the key figures. On a phone each row is a card: the first column as its title, the key
/// figures large, the other columns shown as label and value.
#[component]
pub fn Table(
    cols: Vec<Col>,
    rows: Vec<Vec<Cell>>,
    file: String,
    testid: &'static str,
    /// The report's name, under which its column choice is kept.
    report: &'static str,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let sort = RwSignal::new(None::<(usize, bool)>);
    let q = RwSignal::new(String::new());
    let hidden = RwSignal::new(hidden_columns(report));
    // How many rows are drawn: a phone starts with fewer cards.
    let limit = RwSignal::new(if wide_screen() { SHOWN } else { SHOWN_PHONE });
    let rows = StoredValue::new(rows);
    let cols = StoredValue::new(cols);
    let order = Memo::new(move |_| {
        let (by, q, lang) = (sort.get(), q.get(), state.lang.get());
        // Text sorts in the user's language (Chinese by pinyin); a list of customers starts in
        // their names' order.
        let by_name = cols.with_value(|c| c.first().is_some_and(|c| c.id == "Name"));
        let text_sort = match by {
            Some((c, desc)) => rows
                .with_value(|r| {
                    r.first()
                        .is_some_and(|row| matches!(row[c].key, Key::Text(_)))
                })
                .then_some((c, desc)),
            None => by_name.then_some((0, false)),
        };
        rows.with_value(|r| {
            let mut ix = sorted(r, by, &q);
            if let Some((c, desc)) = text_sort {
                let texts: Vec<&str> = r.iter().map(|row| row[c].text.as_str()).collect();
                let rank = crate::ui::collate::ranks(lang, &texts);
                sort::by(&mut ix, |&a, &b| {
                    let o = rank[a].cmp(&rank[b]);
                    if desc {
                        o.reverse()
                    } else {
                        o
                    }
                });
            }
            ix
        })
    });
    // The columns shown, by index.
    let shown = Memo::new(move |_| {
        let h = hidden.get();
        cols.with_value(|cs| {
            cs.iter()
                .enumerate()
                .filter(|(i, c)| *i == 0 || c.key || !h.contains(&c.id))
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        })
    });
    let export = move |_| {
        // The CSV has every column and every row, exact amounts.
        let ix = order.get_untracked();
        let headers: Vec<String> = cols.with_value(|c| c.iter().map(|c| c.label.clone()).collect());
        let body: Vec<Vec<String>> = rows.with_value(|r| {
            ix.iter()
                .map(|&i| r[i].iter().map(|c| c.csv.clone()).collect())
                .collect()
        });
        download_bytes(&file, "text/csv;charset=utf-8", &csv_bytes(&headers, &body));
    };
    // The scroll cue: which edges have more to see.
    let frame = NodeRef::<leptos::html::Div>::new();
    let more = RwSignal::new((false, false));
    // Runs a frame later, or on a resize: by then the table may be gone (the report rebuilt it
    // when the ledger came in, or the user left the page), and a gone table has nothing to measure.
    let measure = move || {
        if let Some(el) = frame.try_get_untracked().flatten() {
            let (left, width, client) = (el.scroll_left(), el.scroll_width(), el.client_width());
            more.try_set((left > 1, left + client < width - 1));
            // The left shadow starts where the first (sticky) column ends.
            use wasm_bindgen::JsCast;
            let first = el
                .query_selector("th:first-child")
                .ok()
                .flatten()
                .and_then(|th| th.dyn_into::<web_sys::HtmlElement>().ok())
                .map_or(0, |th| th.offset_width());
            if let Some(p) = el
                .parent_element()
                .and_then(|p| p.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = p.style().set_property("--first-col", &format!("{first}px"));
            }
        }
    };
    Effect::new(move |_| {
        order.track();
        shown.track();
        request_animation_frame(measure);
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());
    let chooser = move || {
        let h = hidden.get();
        cols.with_value(|cs| {
            cs.iter()
                .enumerate()
                .filter(|(i, c)| *i != 0 && !c.key)
                .map(|(_, c)| {
                    let id = c.id.clone();
                    let on = !h.contains(&id);
                    view! {
                        <label class="check">
                            <input type="checkbox" prop:checked=on data-column=id.clone()
                                on:change=move |ev| {
                                    let show = event_target_checked(&ev);
                                    let mut h = hidden.get_untracked();
                                    h.retain(|x| x != &id);
                                    if !show {
                                        h.push(id.clone());
                                    }
                                    save_hidden_columns(report, h.clone());
                                    hidden.set(h);
                                } />
                            {c.label.clone()}
                        </label>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="table-tools">
            <input type="search" class="search" data-testid="table-filter" aria-label=move || state.t(T::FilterRows)
                placeholder=move || state.t(T::FilterRows) on:input=move |ev| q.set(event_target_value(&ev)) />
            <span class="count" data-testid="table-count">{move || {
                let n = order.get().len();
                let total = rows.with_value(Vec::len);
                let drawn = limit.get();
                if n > drawn {
                    format!("{drawn} / {n} · {}", state.t(T::CsvHasAll))
                } else if n == total {
                    format!("{n} {}", state.t(T::Shown))
                } else {
                    format!("{n} / {total}")
                }
            }}</span>
            <details class="columns" data-testid="column-chooser">
                <summary class="button">{move || state.t(T::Columns)}</summary>
                <div class="column-list">{chooser}</div>
            </details>
            <button data-testid="export-csv" on:click=export>{move || state.t(T::ExportCsv)}</button>
        </div>
        <div class="table-frame" class:more-left=move || more.get().0 class:more-right=move || more.get().1>
        <div class="table-scroll" node_ref=frame on:scroll=move |_| measure()>
            <table class="data report" data-testid=testid>
                <thead><tr>
                    {move || {
                        let shown = shown.get();
                        cols.with_value(|cs| shown.iter().map(|&i| {
                        let c = &cs[i];
                        let label = c.label.clone();
                        let (is_num, is_key) = (c.num, c.key);
                        let mark = move || match sort.get() {
                            Some((k, true)) if k == i => " ▼",
                            Some((k, false)) if k == i => " ▲",
                            _ => "",
                        };
                        let aria = move || match sort.get() {
                            Some((k, true)) if k == i => "descending",
                            Some((k, false)) if k == i => "ascending",
                            _ => "none",
                        };
                        view! {
                            <th class:num=is_num class:key=is_key aria-sort=aria data-column=c.id.clone()>
                                <button class="sort" on:click=move |_| sort.update(|s| {
                                    *s = match *s {
                                        // Amounts first sort largest first; a second click reverses.
                                        Some((k, d)) if k == i => Some((i, !d)),
                                        _ => Some((i, is_num)),
                                    }
                                })>{label}{mark}</button>
                            </th>
                        }
                    }).collect_view())
                    }}
                </tr></thead>
                <tbody>
                    {move || {
                        let ix = order.get();
                        let shown = shown.get();
                        let meta: Vec<(String, bool, bool)> = cols.with_value(|c| c.iter().map(|c| (c.label.clone(), c.num, c.key)).collect());
                        rows.with_value(|r| ix.iter().take(limit.get()).map(|&i| {
                            view! { <tr>{shown.iter().map(|&k| {
                                let c = r[i][k].clone();
                                let (label, n, key) = meta[k].clone();
                                let title = (k == 0).then(|| c.text.clone());
                                let text = if matches!(c.key, Key::Num(_)) && n && c.text.starts_with(['¥', '-']) {
                                    view! { <span class="money">{c.text}</span> }.into_any()
                                } else {
                                    c.text.into_any()
                                };
                                view! {
                                <td class:num=n class:key=key data-label=label title=title>{match c.href {
                                    Some(h) => view! { <A href=h>{text}</A> }.into_any(),
                                    None => text,
                                }}</td>
                            }}).collect_view()}</tr> }
                        }).collect_view())
                    }}
                </tbody>
                <tfoot>
                    {move || {
                        let ix = order.get();
                        let shown = shown.get();
                        let t = rows.with_value(|r| cols.with_value(|c| totals(c, r, &ix)));
                        let labels: Vec<String> = cols.with_value(|c| c.iter().map(|c| c.label.clone()).collect());
                        let keys: Vec<bool> = cols.with_value(|c| c.iter().map(|c| c.key).collect());
                        t.iter().any(Option::is_some).then(|| view! {
                            <tr data-testid="table-total">{shown.iter().map(|&i| view! {
                                <td class="num" class:key=keys[i] data-label=labels[i].clone()>{match t[i] {
                                    Some(m) => view! { <span class="money">{m.format_cny()}</span> }.into_any(),
                                    None if i == 0 => state.t(T::Total).into_any(),
                                    None => "".into_any(),
                                }}</td>
                            }).collect_view()}</tr>
                        })
                    }}
                </tfoot>
            </table>
        </div>
        </div>
        {move || (order.get().len() > limit.get()).then(|| {
            let step = if wide_screen() { SHOWN } else { SHOWN_PHONE };
            view! {
                <button class="more" data-testid="show-more" on:click=move |_| limit.update(|l| *l += step)>
                    {format!("{}{}", state.t(T::ShowMore), state.lang.get().paren(format!("{} / {}", limit.get(), order.get().len())))}
                </button>
            }
        })}
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Aging,
    Invoices,
    Dso,
    Collections,
    DaysToPay,
    Utilisation,
    Forecast,
    Disputes,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Aging,
        Kind::Invoices,
        Kind::Dso,
        Kind::Collections,
        Kind::DaysToPay,
        Kind::Utilisation,
        Kind::Forecast,
        Kind::Disputes,
    ];
    /// The report's page, `/reports/{slug}`.
    pub fn path(self) -> &'static str {
        match self {
            Kind::Aging => "/reports/aging",
            Kind::Invoices => "/reports/invoices",
            Kind::Dso => "/reports/dso",
            Kind::Collections => "/reports/collections",
            Kind::DaysToPay => "/reports/days-to-pay",
            Kind::Utilisation => "/reports/utilisation",
            Kind::Forecast => "/reports/forecast",
            Kind::Disputes => "/reports/disputes",
        }
    }
    pub fn slug(self) -> &'static str {
        self.path().trim_start_matches("/reports/")
    }
    fn title(self) -> T {
        match self {
            Kind::Aging => T::ReportAging,
            Kind::Invoices => T::ReportInvoices,
            Kind::Dso => T::ReportDso,
            Kind::Collections => T::ReportCollections,
            Kind::DaysToPay => T::ReportDaysToPay,
            Kind::Utilisation => T::ReportUtilisation,
            Kind::Forecast => T::ReportForecast,
            Kind::Disputes => T::DisputesReport,
        }
    }
    fn convention(self) -> T {
        match self {
            Kind::Aging | Kind::Invoices => T::AgingConvention,
            Kind::Dso => T::DsoConvention,
            Kind::Collections => T::CollectionsConvention,
            Kind::DaysToPay => T::DaysToPayConvention,
            Kind::Utilisation => T::UtilisationConvention,
            Kind::Forecast => T::ForecastConvention,
            Kind::Disputes => T::DisputesReportHint,
        }
    }
}

/// Whether the window is wider than a phone (what the CSS calls a phone: 600 px or less).
fn wide_screen() -> bool {
    crate::ui::widgets::window_at_least(601.0)
}

/// `/reports/:kind`, with the filters and the as-of date in the URL.
#[component]
pub fn ReportPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let params = use_params_map();
    let query = use_query_map();
    let kind = Memo::new(move |_| {
        let k = params.get().get("kind").unwrap_or_default();
        Kind::ALL
            .into_iter()
            .find(|x| x.slug() == k)
            .unwrap_or(Kind::Aging)
    });
    let filter = Memo::new(move |_| {
        let q = query.get();
        Filter::from_query(|k| q.get(k))
    });
    view! {
        <section class="page reports">
            <h1>{move || state.t(T::NavReports)}
                <span class="as-of">{move || {
                    let d = filter.get().as_of.unwrap_or(state.today.get());
                    format!("{} {}", state.t(T::AsOf), state.lang.get().date(d))
                }}</span>
            </h1>
            <nav class="tabs" aria-label=move || state.t(T::NavReports)>
                {move || {
                    let f = filter.get();
                    Kind::ALL.into_iter().map(|k| {
                        let href = format!("{}{}", k.path(), f.query(&[]));
                        view! { <A href=href attr:data-testid=format!("tab-{}", k.slug())>{move || state.t(k.title())}</A> }
                    }).collect_view()
                }}
            </nav>
            <WhenLedger>
                // The filter bar's base path follows the report shown.
                {move || view! { <FilterBar base=kind.get().path() filter=filter /> }}
                // How the report counts: open on a wide screen; on a phone a line that opens, so that
                // the first screen reaches the figures.
                <details class="convention muted" data-testid="convention" open=wide_screen()>
                    <summary>{move || state.t(T::HowCounted)}</summary>
                    <p>{move || state.t(kind.get().convention())}</p>
                </details>
                {move || {
                    state.rev.track();
                    let lang = state.lang.get();
                    let f = filter.get();
                    let q = query.get();
                    let k = kind.get();
                    let (title, cols, rows, extra) = state.data(|d| build(d, lang, k, &f, &|key| q.get(key)));
                    let date = f.as_of.unwrap_or(state.today.get_untracked());
                    let file = format!("creditdesk-{}-{}.csv", k.slug(), date.iso());
                    // A report with no columns has nothing to show the user (its note says why).
                    let table = (!cols.is_empty()).then(|| view! {
                        <Table cols rows file testid="report-table" report=k.slug() />
                    });
                    view! {
                        <h2>{title}</h2>
                        {extra}
                        {table}
                    }
                }}
            </WhenLedger>
        </section>
    }
}

type Built = (String, Vec<Col>, Vec<Vec<Cell>>, AnyView);

/// What narrows a list besides the filters (a bucket, a customer, a band of utilisation), each a
/// chip, with a link that clears them; nothing when there is nothing.
fn chips_view(lang: Lang, chips: Vec<String>, clear: String) -> AnyView {
    (!chips.is_empty())
        .then(|| {
            view! {
                <p class="chips" data-testid="report-chips">
                    {chips.into_iter().map(|c| view! { <span class="chip">{c}</span> }).collect_view()}
                    <A href=clear>{lang.t(T::ResetFilters)}</A>
                </p>
            }
        })
        .into_any()
}

fn customer_link(id: CustomerId) -> String {
    format!("/customers/{id}")
}

/// The title, columns and rows of a report.
fn build(
    d: &crate::ui::state::Data,
    lang: Lang,
    kind: Kind,
    f: &Filter,
    q: &dyn Fn(&str) -> Option<String>,
) -> Built {
    let as_of = f.date(d);
    let title = lang.t(kind.title()).to_string();
    match kind {
        Kind::Aging => {
            // The customer, then what a credit manager looks for first: open and overdue.
            let mut cols = vec![
                col(lang, T::Name),
                money(lang, T::OpenAr).key(),
                money(lang, T::Overdue).key(),
                money(lang, T::Disputed),
            ];
            for b in Bucket::ALL {
                cols.push(Col {
                    id: b.code().to_string(),
                    label: bucket_label(lang, b).to_string(),
                    ..money(lang, T::Bucket)
                });
            }
            cols.extend([
                col(lang, T::Grade),
                col(lang, T::SalesRep),
                col(lang, T::Region),
            ]);
            let rows = reports::aging(d, f)
                .into_iter()
                .map(|row| {
                    let (c, p) = (row.customer, row.point);
                    let mut r = vec![
                        Cell::text(c.name.clone()).link(customer_link(c.id)),
                        Cell::money(p.open_ar),
                        Cell::money(p.overdue()),
                        Cell::money(row.disputed),
                    ];
                    for b in Bucket::ALL {
                        let m = p.aging[b.index()];
                        let mut cell = Cell::money(m);
                        if !m.is_zero() {
                            cell = cell.link(format!(
                                "/reports/invoices{}",
                                f.query(&[
                                    ("customer", c.id.to_string()),
                                    ("bucket", b.code().into())
                                ])
                            ));
                        }
                        r.push(cell);
                    }
                    r.extend([
                        Cell::text(row.grade.label()),
                        Cell::text(d.user_name(&c.sales_rep)),
                        Cell::text(c.region.clone()),
                    ]);
                    r
                })
                .collect();
            (title, cols, rows, ().into_any())
        }
        Kind::Disputes => {
            use crate::ui::pages::disputes::{category_label, status_text};
            let rows = reports::disputes(d, f);
            let ages = reports::dispute_ages(&rows);
            let cols = vec![
                col(lang, T::Name).key(),
                col(lang, T::InvoiceNo),
                money(lang, T::Disputed),
                num(lang, T::DisputeAge).key(),
                num(lang, T::DaysPastDue),
                col(lang, T::DisputeCategory),
                col(lang, T::Owner),
                col(lang, T::DisputeOpenedOn),
                col(lang, T::Status),
                col(lang, T::Reason),
            ];
            let cells = rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(r.customer.name.clone()).link(customer_link(r.customer.id)),
                        Cell::text(r.dispute.number.as_str()),
                        Cell::money(r.amount),
                        Cell::num(r.age as i64),
                        Cell::num(r.days_overdue as i64),
                        Cell::text(category_label(lang, r.dispute.category)),
                        Cell::text(d.user_name(&r.dispute.owner)),
                        Cell::date(lang, r.dispute.opened),
                        Cell::text(status_text(lang, r.dispute)),
                        Cell::text(r.dispute.reason.clone()),
                    ]
                })
                .collect();
            let labels = ["0–30", "31–60", "61–90", "> 90"];
            let extra = view! {
                <div class="tiles" data-testid="dispute-ages">
                    {ages.into_iter().zip(labels).map(|((n, m), l)| view! {
                        <crate::ui::widgets::Tile label=format!("{} {l} {}{}", lang.t(T::DisputeAge), lang.t(T::AgeDays), lang.paren(n)) money=m />
                    }).collect_view()}
                </div>
            }
            .into_any();
            (title, cols, cells, extra)
        }
        Kind::Invoices => {
            let by = reports::InvoiceFilter {
                bucket: q("bucket").and_then(|b| Bucket::from_code(&b)),
                only_overdue: q("overdue").is_some_and(|v| v == "1"),
                customer: q("customer").and_then(|c| CustomerId::parse(&c)),
            };
            let items = reports::open_invoices(d, f, &by);
            let cols = vec![
                col(lang, T::InvoiceNo),
                money(lang, T::OpenAmount).key(),
                num(lang, T::DaysPastDue).key(),
                col(lang, T::Name).key(),
                col(lang, T::DueDate),
                col(lang, T::Bucket),
                money(lang, T::Amount),
                col(lang, T::IssueDate),
            ];
            let rows = items
                .into_iter()
                .map(|(c, it, b)| {
                    let name = d.customer(c).map_or_else(String::new, |c| c.name.clone());
                    vec![
                        Cell::text(it.number.as_str()),
                        Cell::money(it.open),
                        Cell::num(it.days_overdue as i64),
                        Cell::text(name).link(customer_link(c)),
                        Cell::date(lang, it.due_date),
                        Cell::text(bucket_label(lang, b)),
                        Cell::money(it.amount),
                        Cell::date(lang, it.issue_date),
                    ]
                })
                .collect();
            let mut chips = Vec::new();
            if let Some(b) = by.bucket {
                chips.push(bucket_label(lang, b).to_string());
            }
            if by.only_overdue {
                chips.push(lang.t(T::Overdue).to_string());
            }
            if let Some(c) = by.customer.and_then(|c| d.customer(c)) {
                chips.push(c.name.clone());
            }
            let extra = chips_view(lang, chips, format!("/reports/invoices{}", f.query(&[])));
            (title, cols, rows, extra)
        }
        Kind::Dso => {
            let rows_d = reports::dso(d, f);
            let cols = vec![
                col(lang, T::Period),
                num(lang, T::DsoCountback).key(),
                num(lang, T::DsoStandard),
                num(lang, T::Cei).key(),
                num(lang, T::DsoBest),
                num(lang, T::DaysDelinquent),
                money(lang, T::CreditSales),
                money(lang, T::Collected),
                num(lang, T::ClosingAr),
                num(lang, T::CurrentAr),
                num(lang, T::DaysSuffix),
            ];
            let rows = rows_d
                .iter()
                .rev()
                .map(|r| {
                    // A whole month by its name; the month to date says so, with its days.
                    let (y, m, _) = r.to.ymd();
                    let month = match lang {
                        Lang::Zh => format!("{y}年{m}月"),
                        Lang::En => {
                            let d = lang.date(r.to);
                            let mon = d.split(' ').nth(1).unwrap_or_default().to_string();
                            format!("{mon} {y}")
                        }
                    };
                    let period = match (r.is_partial(), lang) {
                        (false, _) => month,
                        (true, Lang::Zh) => {
                            format!("{month}（{}，{} 天）", lang.t(T::MonthToDate), r.days)
                        }
                        (true, Lang::En) => format!(
                            "{month} ({}, {})",
                            lang.t(T::MonthToDate),
                            lang.days(r.days as i64)
                        ),
                    };
                    let cb = match r.countback {
                        Countback::Days(t) => Some(t.0),
                        Countback::MoreThan(_) => None,
                    };
                    vec![
                        Cell {
                            key: Key::Num(r.to.days_since(Date::default()) as i64),
                            ..Cell::text(period)
                        },
                        Cell::figure(countback_text(Some(r.countback)), cb),
                        Cell::figure(days_text(r.standard), r.standard.map(|t| t.0)),
                        Cell::figure(
                            r.cei.map_or_else(|| "—".into(), |c| c.format()),
                            r.cei.map(|c| c.0),
                        ),
                        Cell::figure(days_text(r.best_possible), r.best_possible.map(|t| t.0)),
                        Cell::figure(days_text(r.delinquent), r.delinquent.map(|t| t.0)),
                        Cell::money(r.sales),
                        Cell::money(r.collected),
                        Cell::money(r.ar).link(format!(
                            "/reports/invoices{}",
                            f.query(&[("as_of", r.to.iso())])
                        )),
                        Cell::money(r.current_ar),
                        Cell::num(r.days as i64),
                    ]
                })
                .collect();
            // Closing AR columns are balances, not flows: they do not total.
            (title, cols, rows, ().into_any())
        }
        Kind::Collections => {
            let months: u32 = q("months")
                .and_then(|m| m.parse().ok())
                .filter(|m| [1, 3, 6, 12].contains(m))
                .unwrap_or(3);
            let (start, reps) = reports::collections(d, f, months);
            let cols = vec![
                col(lang, T::SalesRep),
                num(lang, T::Rank).key(),
                money(lang, T::Collected).key(),
                money(lang, T::Overdue).key(),
                num(lang, T::OverdueRatio),
                num(lang, T::Cei),
                money(lang, T::OpenAr),
                num(lang, T::CustomersCount),
            ];
            let rows = reps
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(d.user_name(&r.rep)).link(format!(
                            "/reports/aging{}",
                            f.query(&[("rep", r.rep.clone())])
                        )),
                        Cell::num(r.rank as i64),
                        Cell::money(r.collected),
                        Cell::money(r.overdue),
                        Cell::figure(bp_text(r.overdue_ratio_bp), r.overdue_ratio_bp),
                        Cell::figure(
                            r.cei.map_or_else(|| "—".into(), |c| c.format()),
                            r.cei.map(|c| c.0),
                        ),
                        Cell::money(r.open_ar),
                        Cell::num(r.customers as i64),
                    ]
                })
                .collect();
            let period = format!(
                "{} {} – {}",
                lang.t(T::Period),
                lang.date(start.add_days(1)),
                lang.date(as_of)
            );
            let links = [1u32, 3, 6, 12]
                .into_iter()
                .map(|m| {
                    let href = format!("/reports/collections{}", f.query(&[("months", m.to_string())]));
                    let cls = if m == months { "chip on" } else { "chip" };
                    view! { <A href=href attr:class=cls>{format!("{m} {}", lang.t(T::MonthsShort))}</A> }
                })
                .collect_view();
            let extra =
                view! { <p class="chips" data-testid="report-period">{period}" "{links}</p> }
                    .into_any();
            (title, cols, rows, extra)
        }
        Kind::DaysToPay => {
            let cols = vec![
                col(lang, T::Name),
                num(lang, T::AvgDaysToPay).key(),
                money(lang, T::Overdue).key(),
                money(lang, T::OpenAr),
                num(lang, T::MaxDaysOverdue),
                col(lang, T::SalesRep),
            ];
            let rows = reports::days_to_pay(d, f)
                .into_iter()
                .map(|r| {
                    let (c, p, adp) = (r.customer, r.point, r.days_to_pay);
                    vec![
                        Cell::text(c.name.clone()).link(customer_link(c.id)),
                        Cell::figure(days_text(adp), adp.map(|t| t.0)),
                        Cell::money(p.overdue()),
                        Cell::money(p.open_ar),
                        Cell::figure(
                            lang.days(p.max_days_overdue as i64),
                            Some(p.max_days_overdue as i64),
                        ),
                        Cell::text(d.user_name(&c.sales_rep)),
                    ]
                })
                .collect();
            (title, cols, rows, ().into_any())
        }
        // No row is made of a limit hidden from the user: no table, a note that says why.
        Kind::Utilisation if d.limits_hidden_from(&d.me()) => (
            title,
            Vec::new(),
            Vec::new(),
            view! { <p class="muted" data-testid="limits-hidden">{lang.t(T::LimitsHiddenShort)}</p> }
                .into_any(),
        ),
        Kind::Utilisation => {
            let by = reports::UtilisationFilter {
                bin: q("bin")
                    .and_then(|b| b.parse::<i64>().ok())
                    .map(|lo| utilisation_bin(lo * 100)),
                min_bp: q("min")
                    .and_then(|m| m.parse::<i64>().ok())
                    .map(|m| m * 100),
                frozen_only: q("frozen").is_some_and(|v| v == "1"),
            };
            let cols = vec![
                col(lang, T::Name),
                num(lang, T::Utilisation).key(),
                money(lang, T::Available).key(),
                money(lang, T::EffectiveLimit),
                money(lang, T::Exposure),
                col(lang, T::Frozen),
                col(lang, T::Grade),
                col(lang, T::SalesRep),
            ];
            let rows = reports::utilisation_rows(d, f, &by)
                .into_iter()
                .map(|r| {
                    let c = r.customer;
                    vec![
                        Cell::text(c.name.clone()).link(customer_link(c.id)),
                        Cell::figure(bp_text(r.bp), r.bp),
                        Cell::money(r.available),
                        Cell::money(r.limit),
                        Cell::money(r.exposure),
                        Cell::text(if r.frozen { lang.t(T::Frozen) } else { "" }),
                        Cell::text(r.grade.label()),
                        Cell::text(d.user_name(&c.sales_rep)),
                    ]
                })
                .collect();
            let mut chips = Vec::new();
            if let Some(b) = by.bin {
                let (lo, hi) = creditdesk_domain::reports::UTILISATION_BINS[b];
                chips.push(if hi == i64::MAX {
                    format!("≥ {}%", lo / 100)
                } else {
                    format!("{}–{}%", lo / 100, hi / 100)
                });
            }
            if let Some(m) = by.min_bp {
                chips.push(format!("≥ {}%", m / 100));
            }
            if by.frozen_only {
                chips.push(lang.t(T::Frozen).to_string());
            }
            let extra = chips_view(lang, chips, format!("/reports/utilisation{}", f.query(&[])));
            (title, cols, rows, extra)
        }
        Kind::Forecast => forecast_report(d, lang, f, q, title),
    }
}

/// A week of a forecast, short: `W3 · 18 Dec` / `第3周 12/18`.
fn week_label(lang: Lang, k: usize, first: Date) -> String {
    match lang {
        Lang::Zh => format!("第{}周 {}", k + 1, lang.day_month(first)),
        Lang::En => format!("W{} · {}", k + 1, lang.day_month(first)),
    }
}

/// A signed percentage from basis points, one decimal, half away from zero: `+4.5%`, `−12.0%`.
fn signed_pct(bp: i64) -> String {
    let tenths = creditdesk_domain::money::div_round_half_away(bp as i128, 10) as i64;
    let sign = match tenths.signum() {
        1 => "+",
        -1 => "−",
        _ => "",
    };
    format!("{sign}{}.{}%", tenths.abs() / 10, tenths.abs() % 10)
}

/// The collections forecast: a row per customer (or per rep) with its 13 weeks, the chart of the
/// total with its band, and the back-test.
fn forecast_report(
    d: &crate::ui::state::Data,
    lang: Lang,
    f: &Filter,
    q: &dyn Fn(&str) -> Option<String>,
    title: String,
) -> Built {
    use crate::ui::charts::{BandBars, LineChart, Mark};
    use creditdesk_charts::palette;
    use creditdesk_domain::forecast::{Basis, Cash, WEEKS};
    let by_rep = q("by").is_some_and(|b| b == "rep");
    let (fc, back) = reports::forecast(d, f);
    let labels: Vec<String> = (0..WEEKS)
        .map(|k| week_label(lang, k, fc.week(k).0))
        .collect();
    let mut cols = vec![
        if by_rep {
            col(lang, T::SalesRep)
        } else {
            col(lang, T::Name)
        },
        money(lang, T::NextWeeks).key(),
        money(lang, T::AtRisk).key(),
        money(lang, T::OpenAr),
    ];
    for (k, l) in labels.iter().enumerate() {
        cols.push(Col {
            id: format!("w{}", k + 1),
            label: l.clone(),
            ..money(lang, T::Expected)
        });
    }
    cols.push(money(lang, T::AfterWeeks));
    let figures = |c: &Cash| {
        let mut r = vec![
            Cell::money(c.horizon()),
            Cell::money(c.at_risk),
            Cell::money(c.open),
        ];
        r.extend(c.weeks.iter().map(|&m| Cell::money(m)));
        r.push(Cell::money(c.later));
        r
    };
    let rows: Vec<Vec<Cell>> = if by_rep {
        cols.push(num(lang, T::CustomersCount));
        let mut reps = reports::forecast_by_rep(d, &fc);
        sort::by_key(&mut reps, |(_, c, _)| std::cmp::Reverse(c.horizon()));
        reps.into_iter()
            .map(|(rep, c, customers)| {
                let href = format!("/reports/forecast{}", f.query(&[("rep", rep.clone())]));
                let mut r = vec![Cell::text(d.user_name(&rep)).link(href)];
                r.extend(figures(&c));
                r.push(Cell::num(customers as i64));
                r
            })
            .collect()
    } else {
        cols.extend([col(lang, T::ForecastBasis), col(lang, T::SalesRep)]);
        // The most cash first: who to watch.
        let mut lines: Vec<_> = fc.lines.iter().collect();
        sort::by_key(&mut lines, |l| std::cmp::Reverse(l.cash.horizon()));
        lines
            .into_iter()
            .filter_map(|l| {
                let c = d.customer(l.customer)?;
                let mut r = vec![Cell::text(c.name.clone()).link(customer_link(c.id))];
                r.extend(figures(&l.cash));
                r.push(Cell::text(lang.t(match l.basis {
                    Basis::Own => T::BasisOwn,
                    Basis::Book => T::BasisBook,
                    Basis::Terms => T::BasisTerms,
                })));
                r.push(Cell::text(d.user_name(&c.sales_rep)));
                Some(r)
            })
            .collect()
    };
    // The chart: the view's total per week, with its band.
    let total = fc.total();
    let yuan = |m: Money| m.minor() as f64 / 100.0;
    let band: Vec<(Money, Money)> = (0..WEEKS).map(|k| total.band(k)).collect();
    let marks: Vec<Mark> = band
        .iter()
        .enumerate()
        .map(|(k, (lo, hi))| {
            let (a, b) = fc.week(k);
            let tip = format!(
                "{} – {}: {}{}",
                lang.date(a),
                lang.date(b),
                total.weeks[k].format_cny(),
                lang.paren(format!("80%: {} – {}", lo.format_cny(), hi.format_cny()))
            );
            Mark::new(yuan(total.weeks[k]), total.weeks[k].format_cny(), tip, None)
        })
        .collect();
    let bands: Vec<(f64, f64)> = band.iter().map(|&(lo, hi)| (yuan(lo), yuan(hi))).collect();
    let band_text: Vec<(String, String)> = band
        .iter()
        .map(|(lo, hi)| (lo.format_cny(), hi.format_cny()))
        .collect();
    let heads = [
        lang.t(T::Expected).to_string(),
        lang.t(T::BandLow).to_string(),
        lang.t(T::BandHigh).to_string(),
    ];
    let y_fmt = crate::ui::pages::dashboard::money_axis(lang);
    // The back-test: what was forecast 13 weeks ago against what came.
    let from = back.forecast.as_of;
    let as_of = f.date(d);
    let summary = match (back.wape_bp(), back.bias_bp()) {
        (Some(wape), Some(bias)) => match lang {
            Lang::Zh => format!(
                "{} 所作的预测（至 {}）：预计回款 {}，这些发票实际回款 {}。误差 {}，偏差 {}；{} 周中有 {} 周落在区间内。",
                lang.date(from), lang.date(as_of), back.expected.horizon().format_cny(),
                back.collected_total().format_cny(), signed_pct(wape).trim_start_matches('+'),
                signed_pct(bias), WEEKS, back.weeks_in_band()
            ),
            Lang::En => format!(
                "Forecast made on {} for the 13 weeks to {}: {} expected, {} collected on those invoices. Error {}, bias {}; collected inside the band in {} of {} weeks.",
                lang.date(from), lang.date(as_of), back.expected.horizon().format_cny(),
                back.collected_total().format_cny(), signed_pct(wape).trim_start_matches('+'),
                signed_pct(bias), back.weeks_in_band(), WEEKS
            ),
        },
        _ => match lang {
            Lang::Zh => format!("{} 时未结的发票此后没有回款：无误差可算。", lang.date(from)),
            Lang::En => format!(
                "Nothing came in on the invoices open on {}: no error to give.",
                lang.date(from)
            ),
        },
    };
    let back_x: Vec<String> = (0..WEEKS)
        .map(|k| week_label(lang, k, back.forecast.week(k).0))
        .collect();
    let series = |name: T, colour: &'static str, dashed: bool, values: [Money; WEEKS]| {
        (
            lang.t(name).to_string(),
            colour,
            dashed,
            values
                .iter()
                .map(|&m| Some(Mark::new(yuan(m), m.format_cny(), m.format_cny(), None)))
                .collect::<Vec<_>>(),
        )
    };
    let back_series = vec![
        series(
            T::ForecastThen,
            palette::LINES[1],
            true,
            back.expected.weeks,
        ),
        series(T::CollectedSince, palette::LINES[0], false, back.collected),
    ];
    let group = [(false, T::ForecastByCustomer, "customer"), (true, T::ForecastByRep, "rep")]
        .into_iter()
        .map(|(rep, t, code)| {
            let href = format!("/reports/forecast{}", f.query(&[("by", code.to_string())]));
            let cls = if rep == by_rep { "chip on" } else { "chip" };
            view! { <A href=href attr:class=cls attr:data-testid=format!("forecast-by-{code}")>{lang.t(t)}</A> }
        })
        .collect_view();
    let extra = view! {
        <p class="chips" data-testid="forecast-group">{group}</p>
        <div class="chart-card">
            <BandBars title=lang.t(T::ExpectedCash) desc=lang.t(T::ExpectedCashDesc) table_label=lang.t(T::ShowTable)
                labels=labels marks bands heads band_text fill=palette::ONE y_fmt testid="forecast-chart" />
        </div>
        <div class="chart-card" data-testid="backtest">
            <LineChart title=lang.t(T::BackTestTitle) desc=summary.clone() table_label=lang.t(T::ShowTable)
                x=back_x series=back_series y_fmt testid="backtest-chart" />
            <p data-testid="backtest-summary">{summary}</p>
        </div>
    }
    .into_any();
    (title, cols, rows, extra)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn rows() -> Vec<Vec<Cell>> {
        vec![
            vec![Cell::text("Beta"), Cell::money(Money::from_units(5))],
            vec![Cell::text("alpha"), Cell::money(Money::from_units(20))],
            vec![Cell::text("Gamma"), Cell::money(Money::from_units(-1))],
        ]
    }

    #[test]
    fn rows_sort_by_a_column_either_way_and_filter_by_text() {
        let r = rows();
        assert_eq!(sorted(&r, None, ""), vec![0, 1, 2]);
        assert_eq!(sorted(&r, Some((0, false)), ""), vec![1, 0, 2]);
        assert_eq!(sorted(&r, Some((1, true)), ""), vec![1, 0, 2]);
        assert_eq!(sorted(&r, Some((1, false)), ""), vec![2, 0, 1]);
        assert_eq!(sorted(&r, None, "AM"), vec![2]);
    }

    #[test]
    fn totals_add_the_money_columns_of_the_rows_shown() {
        let cols = vec![
            Col {
                id: "n".into(),
                label: "n".into(),
                num: false,
                total: false,
                key: false,
            },
            Col {
                id: "a".into(),
                label: "a".into(),
                num: true,
                total: true,
                key: true,
            },
        ];
        let r = rows();
        assert_eq!(
            totals(&cols, &r, &[0, 1, 2]),
            vec![None, Some(Money::from_units(24))]
        );
        assert_eq!(
            totals(&cols, &r, &[2]),
            vec![None, Some(Money::from_units(-1))]
        );
    }
}
