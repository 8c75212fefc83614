//! The customer list: search, filters, sort, and a virtualised list that stays smooth with
//! 10,000 customers (only the rows in view are in the DOM).

use crate::ui::i18n::T;
use crate::ui::link::A;
use crate::ui::rating::GradeBadge;
use crate::ui::state::{mark_ready, AppState};
use crate::ui::widgets::WhenLoaded;
use creditdesk_app::ListFilter;
use creditdesk_domain::rating::Grade;
use creditdesk_domain::sort;
use creditdesk_domain::CustomerSummary;
use leptos::prelude::*;

/// Height of one row in pixels on a wide screen, and on a narrower one where a row takes three
/// lines (name, region and rep, the amounts); the CSS gives `.vrow` the same heights.
pub const ROW_H: f64 = 64.0;
pub const ROW_H_NARROW: f64 = 84.0;

/// The row height for this window (the CSS switches at 760 px).
fn row_height() -> f64 {
    if crate::ui::widgets::window_at_least(760.0) {
        ROW_H
    } else {
        ROW_H_NARROW
    }
}
const OVERSCAN: usize = 8;

pub use creditdesk_app::ListSort as Sort;

/// The rows in view for a scroll position: `start..end` of `len` rows of `row_h` pixels.
pub fn window(scroll_top: f64, viewport: f64, len: usize, row_h: f64) -> (usize, usize) {
    let first = (scroll_top.max(0.0) / row_h) as usize;
    let count = (viewport / row_h).ceil() as usize + 1;
    let start = first.saturating_sub(OVERSCAN).min(len);
    let end = (first + count + OVERSCAN).min(len);
    (start, end)
}

#[derive(Clone, PartialEq)]
struct Row {
    id: String,
    name: String,
    sub: String,
    s: CustomerSummary,
    grade: Option<(Grade, bool)>,
    /// The value of the custom field shown as a column, as a person reads it.
    cf: Option<String>,
}

#[component]
pub fn CustomerList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let rep = RwSignal::new(String::new());
    let only_overdue = RwSignal::new(false);
    let grade = RwSignal::new(String::new());
    let custom = RwSignal::new(String::new());
    // The custom field shown as a column (its key; empty: none).
    let column = RwSignal::new(String::new());
    let sort = RwSignal::new(Sort::Name);
    let scroll = RwSignal::new(0.0f64);
    let row_h = row_height();
    let viewport = RwSignal::new(720.0f64);

    // In the user's language's order (Chinese by pinyin), as the names.
    let choices = Memo::new(move |_| {
        let lang = state.lang.get();
        let (regions, reps) = state.data(|d| d.list_choices(&d.me()));
        (
            crate::ui::collate::in_order(lang, regions, |r| r),
            crate::ui::collate::in_order(lang, reps, |(_, name)| name),
        )
    });

    // Indices into the customer vector, filtered and sorted (the application crate's query).
    let rows = Memo::new(move |_| {
        let filter = ListFilter {
            text: query.get(),
            region: region.get(),
            rep: rep.get(),
            grade: Grade::ALL.into_iter().find(|g| g.label() == grade.get()),
            only_overdue: only_overdue.get(),
            custom: custom.get(),
            sort: sort.get(),
        };
        let lang = state.lang.get();
        state.data(|d| {
            let mut ix = d.customer_rows(&d.me(), &filter);
            if filter.sort == Sort::Name {
                // By name in the user's language: Chinese by pinyin (the browser's collation).
                let names: Vec<&str> = d.customers.iter().map(|c| c.name.as_str()).collect();
                let rank = crate::ui::collate::ranks(lang, &names);
                sort::by_key(&mut ix, |&i| rank[i]);
            }
            ix
        })
    });

    let visible = move || {
        let ix = rows.get();
        let (start, end) = window(scroll.get(), viewport.get(), ix.len(), row_h);
        let en = state.lang.get() == crate::ui::i18n::Lang::En;
        let column = column.get();
        state.data(|d| {
            let def = d.fields.get(&column).filter(|_| !column.is_empty());
            ix[start..end]
                .iter()
                .enumerate()
                .map(|(k, &i)| {
                    let c = &d.customers[i];
                    (
                        start + k,
                        Row {
                            id: c.id.to_string(),
                            name: c.name.clone(),
                            sub: format!("{} · {}", c.region, d.user_name(&c.sales_rep)),
                            s: d.summary(c.id),
                            grade: d.rated.get(&c.id).map(|r| (r.grade, r.provisional)),
                            cf: def.map(|f| {
                                c.custom
                                    .get(&f.key)
                                    .map(|v| f.display(v, en))
                                    .unwrap_or_default()
                            }),
                        },
                    )
                })
                .collect::<Vec<_>>()
        })
    };

    let list_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if list_ref.get().is_some() {
            // Measured in the next frame, where the browser lays the page out anyway: read in the
            // task that drew the list, the height forced that layout into it (36 ms of a 113 ms
            // task in a trace of a large book's start).
            // (A page left before that frame has disposed of the list: nothing to measure.)
            request_animation_frame(move || {
                if let Some(Some(el)) = list_ref.try_get_untracked() {
                    viewport.set(el.client_height().max(200) as f64);
                }
            });
        }
    });
    // Publish "the list is interactive" once rows are on screen (the benchmark reads it).
    Effect::new(move |_| {
        if !rows.get().is_empty() {
            request_animation_frame(mark_ready);
        }
    });

    let opt = move |v: String, l: String| view! { <option value=v.clone()>{l}</option> };
    // The list as shown (filters and sort), every row, as CSV.
    let export = move |ix: &[usize]| {
        let lang = state.lang.get_untracked();
        let en = lang == crate::ui::i18n::Lang::En;
        // Then the custom fields on the form, as exact values (amounts `1234.50`, ISO dates) or,
        // for yes/no and lists, in words.
        let fields: Vec<creditdesk_domain::fields::FieldDef> =
            state.data(|d| d.fields.active().into_iter().cloned().collect());
        let headers: Vec<String> = [
            T::Name,
            T::Uscc,
            T::Region,
            T::Industry,
            T::SalesRep,
            T::Grade,
            T::Score,
            T::OpenAr,
            T::Overdue,
            T::MaxDaysOverdue,
        ]
        .iter()
        .map(|t| lang.t(*t).to_string())
        .chain(fields.iter().map(|f| f.label(en).to_string()))
        .collect();
        let body: Vec<Vec<String>> = state.data(|d| {
            ix.iter()
                .map(|&i| {
                    let c = &d.customers[i];
                    let s = d.summary(c.id);
                    let r = d.rated.get(&c.id);
                    vec![
                        c.name.clone(),
                        c.uscc.map(|u| u.as_str().to_string()).unwrap_or_default(),
                        c.region.clone(),
                        c.industry.clone(),
                        d.user_name(&c.sales_rep),
                        r.map(|r| {
                            if r.provisional {
                                format!("{} ({})", r.grade.label(), lang.t(T::Provisional))
                            } else {
                                r.grade.label().to_string()
                            }
                        })
                        .unwrap_or_default(),
                        r.map(|r| r.score.to_string()).unwrap_or_default(),
                        s.open_ar.to_plain(),
                        s.overdue.to_plain(),
                        s.max_days_overdue.to_string(),
                    ]
                    .into_iter()
                    .chain(fields.iter().map(|f| {
                        f.export(c.custom.get(&f.key).map(String::as_str).unwrap_or(""), en)
                    }))
                    .collect()
                })
                .collect()
        });
        let name = format!(
            "creditdesk-customers-{}.csv",
            state.today.get_untracked().iso()
        );
        crate::ui::widgets::download_bytes(
            &name,
            "text/csv;charset=utf-8",
            &creditdesk_domain::reports::csv_bytes(&headers, &body),
        );
    };

    view! {
        <section class="page list-page">
            <div class="page-head">
                <h1>{move || state.t(T::NavCustomers)}</h1>
                <span class="head-actions">
                    <button data-testid="export-customers" on:click=move |_| export(&rows.get_untracked())>{move || state.t(T::ExportCsv)}</button>
                    <A href="/import" attr:class="button" attr:data-testid="import-link">{move || state.t(T::NavImport)}</A>
                    <A href="/customers/new" attr:class="button primary" attr:data-testid="new-customer">{move || state.t(T::NewCustomer)}</A>
                </span>
            </div>
            <WhenLoaded>
                {move || { state.rev.track(); state.data(|d| d.customers.is_empty()) }.then(|| view! { <crate::ui::pages::import::NoData /> })}
                <div class="filters">
                    <input type="search" class="search" aria-label=move || state.t(T::Search) placeholder=move || state.t(T::Search)
                        prop:value=move || query.get() on:input=move |ev| { query.set(event_target_value(&ev)); scroll.set(0.0); } />
                    <select aria-label=move || state.t(T::Region) on:change=move |ev| region.set(event_target_value(&ev))>
                        <option value="">{move || state.t(T::AllRegions)}</option>
                        {move || choices.get().0.into_iter().map(|r| opt(r.clone(), r)).collect_view()}
                    </select>
                    <select aria-label=move || state.t(T::SalesRep) on:change=move |ev| rep.set(event_target_value(&ev))>
                        <option value="">{move || state.t(T::AllReps)}</option>
                        {move || choices.get().1.into_iter().map(|(id, name)| opt(id, name)).collect_view()}
                    </select>
                    <select aria-label=move || state.t(T::SortBy) on:change=move |ev| sort.set(match event_target_value(&ev).as_str() {
                        "open" => Sort::Open, "overdue" => Sort::Overdue, "days" => Sort::Days, "score" => Sort::Score, _ => Sort::Name })>
                        <option value="name">{move || format!("{}{}", state.lang.get().label(state.t(T::SortBy)), state.t(T::SortName))}</option>
                        <option value="open">{move || format!("{}{}", state.lang.get().label(state.t(T::SortBy)), state.t(T::SortOpen))}</option>
                        <option value="overdue">{move || format!("{}{}", state.lang.get().label(state.t(T::SortBy)), state.t(T::SortOverdue))}</option>
                        <option value="days">{move || format!("{}{}", state.lang.get().label(state.t(T::SortBy)), state.t(T::SortDays))}</option>
                        <option value="score">{move || format!("{}{}", state.lang.get().label(state.t(T::SortBy)), state.t(T::SortScore))}</option>
                    </select>
                    <select aria-label=move || state.t(T::Grade) data-testid="grade-filter" on:change=move |ev| grade.set(event_target_value(&ev))>
                        <option value="">{move || state.t(T::AllGrades)}</option>
                        {Grade::ALL.iter().map(|g| view! { <option value=g.label()>{g.label()}</option> }).collect_view()}
                    </select>
                    // By a custom field: an option of a list, or a yes/no field's yes (only when
                    // the form has such a field).
                    {move || {
                        let lang = state.lang.get();
                        let en = lang == crate::ui::i18n::Lang::En;
                        let readings: Vec<(String, String)> = state.data(|d| {
                            creditdesk_domain::fields::filter_readings(&d.fields).into_iter().map(|(n, f, o)| {
                                let what = match o {
                                    Some(o) => if en { o.en.clone() } else { o.zh.clone() },
                                    None => lang.t(T::Yes).to_string(),
                                };
                                (n, format!("{}: {what}", f.label(en)))
                            }).collect()
                        });
                        (!readings.is_empty()).then(|| view! {
                            <select aria-label=lang.t(T::CustomFields) data-testid="custom-filter" on:change=move |ev| custom.set(event_target_value(&ev))>
                                <option value="">{lang.t(T::AnyCustomField)}</option>
                                {readings.into_iter().map(|(v, l)| { let selected = custom.get_untracked() == v; view! { <option value=v selected=selected>{l}</option> } }).collect_view()}
                            </select>
                        })
                    }}
                    // A custom field as a column of the list: those on the form the user may see.
                    {move || {
                        let lang = state.lang.get();
                        let en = lang == crate::ui::i18n::Lang::En;
                        let shown: Vec<(String, String)> = state.data(|d| {
                            let me = d.me();
                            d.fields.active().into_iter()
                                .filter(|f| d.field_access(&me, &f.error_name()) != creditdesk_domain::access::Access::Hidden)
                                .map(|f| (f.key.clone(), f.label(en).to_string()))
                                .collect()
                        });
                        (!shown.is_empty()).then(|| view! {
                            <select aria-label=lang.t(T::ColumnOfField) data-testid="custom-column" on:change=move |ev| column.set(event_target_value(&ev))>
                                <option value="">{lang.t(T::NoCustomColumn)}</option>
                                {shown.into_iter().map(|(k, l)| { let selected = column.get_untracked() == k; view! { <option value=k selected=selected>{format!("{}{l}", lang.label(lang.t(T::ColumnOfField)))}</option> } }).collect_view()}
                            </select>
                        })
                    }}
                    <label class="check"><input type="checkbox" prop:checked=move || only_overdue.get()
                        on:change=move |ev| only_overdue.set(event_target_checked(&ev)) />{move || state.t(T::OnlyOverdue)}</label>
                    <span class="count" data-testid="row-count">{move || format!("{} {}", rows.get().len(), state.t(T::Shown))}</span>
                </div>
                <div class="list-head" class:with-cf=move || !column.with(String::is_empty) aria-hidden="true">
                    <span>{move || state.t(T::Name)}</span>
                    <span class="num">{move || state.t(T::OpenAr)}</span>
                    <span class="num">{move || state.t(T::Overdue)}</span>
                    <span class="num">{move || state.t(T::MaxDaysOverdue)}</span>
                    {move || {
                        let key = column.get();
                        let en = state.lang.get() == crate::ui::i18n::Lang::En;
                        state.data(|d| d.fields.get(&key).map(|f| f.label(en).to_string())).map(|l| view! { <span class="cf">{l}</span> })
                    }}
                </div>
                <div class="vlist" class:with-cf=move || !column.with(String::is_empty) node_ref=list_ref role="list" data-testid="customer-list"
                    on:scroll=move |ev| {
                        use wasm_bindgen::JsCast;
                        if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                            scroll.set(el.scroll_top() as f64);
                            viewport.set(el.client_height().max(200) as f64);
                        }
                    }>
                    <div class="vspace" style=move || format!("height:{}px", rows.get().len() as f64 * row_h)>
                        {move || visible().into_iter().map(|(pos, r)| {
                            let lang = state.lang.get();
                            let known = state.figures_ready.get();
                            let overdue = r.s.overdue.is_positive();
                            view! {
                                <A href=format!("/customers/{}", r.id) attr:class="vrow" attr:role="listitem"
                                    attr:style=format!("transform:translateY({}px)", pos as f64 * row_h)>
                                    <span class="who"><strong>{r.grade.map(|(g, p)| view! { <GradeBadge grade=g provisional=p />" " })}<span class="cname">{r.name}</span></strong><small>{r.sub}{r.cf.clone().filter(|v| !v.is_empty()).map(|v| view! { <span class="cf-inline">{format!(" · {v}")}</span> })}</small></span>
                                    <span class="num"><small class="lbl">{lang.t(T::OpenAr)}</small><span class="money">{if known { r.s.open_ar.format_cny() } else { "…".into() }}</span></span>
                                    <span class="num" class:warn=overdue><small class="lbl">{lang.t(T::Overdue)}</small><span class="money">{if overdue { r.s.overdue.format_cny() } else if known { "—".into() } else { "…".into() }}</span></span>
                                    <span class="num" class:warn=overdue>{if overdue { lang.days(r.s.max_days_overdue as i64) } else { String::new() }}</span>
                                    {r.cf.map(|v| view! { <span class="cf" data-testid="cf-cell">{if v.is_empty() { "—".to_string() } else { v }}</span> })}
                                </A>
                            }
                        }).collect_view()}
                    </div>
                    {move || rows.get().is_empty().then(|| view! { <p class="empty">{state.t(T::NoMatch)}</p> })}
                </div>
            </WhenLoaded>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_window_covers_the_viewport_plus_overscan() {
        assert_eq!(window(0.0, 640.0, 10_000, ROW_H), (0, 19));
        assert_eq!(window(64.0 * 100.0, 640.0, 10_000, ROW_H), (92, 119));
        assert_eq!(
            window(64.0 * 9_995.0, 640.0, 10_000, ROW_H),
            (9_987, 10_000)
        );
        assert_eq!(window(0.0, 640.0, 3, ROW_H), (0, 3));
        assert_eq!(window(-50.0, 640.0, 0, ROW_H), (0, 0));
        assert_eq!(window(84.0 * 10.0, 740.0, 100, ROW_H_NARROW), (2, 28));
    }
}
