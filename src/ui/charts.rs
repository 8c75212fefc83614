//! SVG charts: stacked bars, bars (and histograms), bars with a band (a forecast), donut, lines with markers, horizontal
//! ranking bars and a waterfall. Thin views over `creditdesk_charts` (the tested geometry).
//!
//! Every chart is a `<figure>` with a title, an SVG with `role="img"`, a `<title>` and a
//! `<desc>`, and the same figures as a table in a `<details>` (the text alternative, with the
//! drill-down links). Each mark shows a tooltip on hover or keyboard focus; on a touch screen
//! the first tap shows the tooltip and a second tap opens the list behind the mark. Fills come
//! from ramps that read in grey (`creditdesk_charts::palette`). The SVG is drawn at the width
//! its container has, one unit a pixel, so labels keep their size on a phone.

use creditdesk_charts::{fit_label, label_every, nice_domain, Band, Linear};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// One mark of a chart: its value (a pixel measure only), the value as text, the tooltip, and
/// where a click leads.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub value: f64,
    pub display: String,
    pub tip: String,
    pub href: Option<String>,
}

impl Mark {
    pub fn new(value: f64, display: String, tip: String, href: Option<String>) -> Mark {
        Mark {
            value,
            display,
            tip,
            href,
        }
    }
}

const FONT: f64 = 12.0;

/// What a chart shares with its marks: the tooltip shown, and how a tap should behave.
#[derive(Clone, Copy)]
struct Tip {
    shown: RwSignal<Option<(String, f64, f64, usize)>>,
    /// The last press: by touch, and whether its mark's tooltip was up already.
    touch: StoredValue<(bool, bool)>,
}

/// The handlers of a mark: hover and focus show the tooltip; click (or Enter) drills down, except
/// that a first tap on a touch screen only shows the tooltip.
fn mark_view(
    tip: Tip,
    id: usize,
    m: &Mark,
    at: (f64, f64),
    shape: impl IntoView + 'static,
) -> impl IntoView {
    let navigate = use_navigate();
    let nav2 = navigate.clone();
    let (text, href) = (m.tip.clone(), m.href.clone());
    let (text2, text3, href2) = (text.clone(), text.clone(), href.clone());
    let show = move |t: &String| tip.shown.set(Some((t.clone(), at.0, at.1, id)));
    view! {
        <g class="mark" class:link=href.is_some() tabindex="0" role=if href.is_some() { "link" } else { "img" }
            aria-label=text.clone()
            on:pointerenter=move |ev: leptos::ev::PointerEvent| if ev.pointer_type() != "touch" { show(&text) }
            on:pointerleave=move |ev: leptos::ev::PointerEvent| if ev.pointer_type() != "touch" { tip.shown.set(None) }
            on:focus=move |_| show(&text2)
            on:pointerdown=move |ev: leptos::ev::PointerEvent| {
                // Whether this mark's tooltip was already up when the finger came down.
                let was_shown = tip.shown.get_untracked().is_some_and(|s| s.3 == id);
                tip.touch.set_value((ev.pointer_type() == "touch", was_shown));
            }
            on:click=move |_| {
                let (touch, was_shown) = tip.touch.get_value();
                if touch && !was_shown {
                    tip.shown.set(Some((text3.clone(), at.0, at.1, id)));
                } else if let Some(h) = &href {
                    navigate(h, Default::default());
                }
            }
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Enter" {
                    if let Some(h) = &href2 {
                        nav2(h, Default::default());
                    }
                }
            }>
            {shape}
        </g>
    }
}

thread_local! {
    /// The width each chart (by its test id) was last drawn at.
    static WIDTHS: std::cell::RefCell<std::collections::HashMap<&'static str, f64>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// The frame of every chart: heading, SVG (sized to its container), tooltip and table.
#[component]
fn Frame(
    #[prop(into)] title: String,
    #[prop(into)] desc: String,
    #[prop(into)] table_label: String,
    height: f64,
    testid: &'static str,
    /// Draws the chart for a width in pixels.
    draw: std::sync::Arc<dyn Fn(f64, Tip) -> AnyView + Send + Sync>,
    table: AnyView,
) -> impl IntoView {
    // Drawn at once at the width this chart last had (a filter change, new data, another
    // language: no blank chart in between); a chart not drawn yet in this session waits for its
    // measure below.
    let width = RwSignal::new(
        WIDTHS
            .with_borrow(|w| w.get(testid).copied())
            .unwrap_or(0.0),
    );
    let fig = NodeRef::<leptos::html::Figure>::new();
    // Measured once mounted, then at each resize; a chart gone since measures nothing.
    let measure = move || {
        if let Some(Some(el)) = fig.try_get_untracked() {
            let w = el.client_width() as f64;
            if w > 0.0
                && width
                    .try_get_untracked()
                    .is_some_and(|old| (w - old).abs() > 1.0)
            {
                WIDTHS.with_borrow_mut(|m| m.insert(testid, w));
                width.set(w);
            }
        }
    };
    // Each chart measured (and, the first time, drawn) in a task of its own, after the one that
    // mounted the page: the dashboard's seven in the task that built the page were one task of
    // 180-250 ms at a large book's start (each measure forced a layout of the page the one
    // before had changed).
    Effect::new(move |_| {
        if fig.get().is_some() {
            leptos::task::spawn_local(async move {
                crate::ui::state::yield_now().await;
                measure();
            });
        }
    });
    let handle = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || handle.remove());
    let tip = Tip {
        shown: RwSignal::new(None),
        touch: StoredValue::new((false, false)),
    };
    let title_id = format!("{testid}-title");
    let desc_id = format!("{testid}-desc");
    view! {
        <figure class="chart" node_ref=fig data-testid=testid>
            <figcaption id=title_id.clone()>{title.clone()}</figcaption>
            {move || {
                let w = width.get();
                if w > 0.0 {
                    view! {
                        <svg role="img" width=w height=height viewBox=format!("0 0 {w} {height}")
                            aria-labelledby=format!("{title_id} {desc_id}")>
                            <title>{title.clone()}</title>
                            <desc id=desc_id.clone()>{desc.clone()}</desc>
                            {draw(w, tip)}
                        </svg>
                    }
                    .into_any()
                } else {
                    // The chart's room kept until it is drawn: the page does not jump.
                    view! { <div class="chart-space" style=format!("height:{height}px")></div> }
                        .into_any()
                }
            }}
            {move || tip.shown.get().map(|(t, x, y, _)| {
                // Centred over the mark in the middle third; anchored on the near side at the
                // edges, so the tooltip stays inside the chart on a phone.
                let at = (x / width.get().max(1.0)).clamp(0.0, 1.0);
                let side = if at < 1.0 / 3.0 {
                    format!("left:{:.1}%;--tip-x:0%", at * 100.0)
                } else if at > 2.0 / 3.0 {
                    format!("right:{:.1}%;--tip-x:0%", (1.0 - at) * 100.0)
                } else {
                    format!("left:{:.1}%;--tip-x:-50%", at * 100.0)
                };
                view! { <div class="chart-tip" role="status" style=format!("{side};top:{y:.0}px")>{t}</div> }
            })}
            <details class="chart-table">
                <summary>{table_label}</summary>
                <div class="table-scroll">{table}</div>
            </details>
        </figure>
    }
}

/// Y axis gridlines and labels for a linear scale.
fn y_axis(s: &Linear, step: f64, x0: f64, x1: f64, fmt: fn(f64) -> String) -> impl IntoView {
    s.ticks(step)
        .into_iter()
        .map(|v| {
            let y = s.px(v);
            view! {
                <line class="grid" x1=x0 x2=x1 y1=y y2=y />
                <text class="axis" x=x0 - 4.0 y=y + 4.0 text-anchor="end">{fmt(v)}</text>
            }
        })
        .collect_view()
}

/// X labels under bands, thinned when they do not fit.
fn x_labels(labels: &[String], band: &Band, y: f64) -> impl IntoView {
    let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let every = label_every(&refs, band.step(), FONT);
    // Thinned from the last label back, so the latest (often the as-of date) always shows.
    let last = labels.len().saturating_sub(1);
    labels
        .iter()
        .enumerate()
        .filter(|(i, _)| (last - i).is_multiple_of(every))
        .map(|(i, l)| {
            let text = fit_label(l, band.step() * every as f64 - 2.0, FONT);
            view! { <text class="axis" x=band.mid(i) y=y text-anchor="middle">{text}</text> }
        })
        .collect_view()
}

/// The plot area of a chart with a value axis and bands: the value scale (from zero, on nice
/// steps), the bands, and the frame that draws the gridlines, the marks and the band labels.
struct Plot {
    y: Linear,
    step: f64,
    band: Band,
    w: f64,
    h: f64,
}

impl Plot {
    fn new(w: f64, h: f64, (min, max): (f64, f64), bands: usize, padding: f64) -> Plot {
        let (lo, hi, step) = nice_domain(min, max, 4);
        Plot {
            y: Linear::new((lo, hi), (h - BOTTOM, TOP)),
            step,
            band: Band::new(bands, (LEFT, w - 4.0), padding),
            w,
            h,
        }
    }
    fn frame(
        &self,
        labels: &[String],
        y_fmt: fn(f64) -> String,
        marks: impl IntoView + 'static,
    ) -> AnyView {
        view! {
            <g>{y_axis(&self.y, self.step, LEFT, self.w - 4.0, y_fmt)}</g>
            <g>{marks}</g>
            <g>{x_labels(labels, &self.band, self.h - 6.0)}</g>
        }
        .into_any()
    }
}

fn swatch(colour: &str) -> impl IntoView {
    view! { <span class="swatch" style=format!("background:{colour}") aria-hidden="true"></span> }
}

fn legend(series: &[(String, &'static str)]) -> impl IntoView {
    view! {
        <ul class="legend">
            {series.iter().map(|(l, c)| view! { <li>{swatch(c)}{l.clone()}</li> }).collect_view()}
        </ul>
    }
}

fn cell_link(m: &Mark) -> AnyView {
    match &m.href {
        Some(h) => view! { <a href=crate::ui::link::to(h)>{m.display.clone()}</a> }.into_any(),
        None => m.display.clone().into_any(),
    }
}

const LEFT: f64 = 52.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 8.0;

/// Vertical bars, each a stack of series (for example month-ends stacked by aging bucket).
#[component]
pub fn StackedBars(
    #[prop(into)] title: String,
    #[prop(into)] desc: String,
    #[prop(into)] table_label: String,
    categories: Vec<String>,
    series: Vec<(String, &'static str)>,
    /// `marks[category][series]`.
    marks: Vec<Vec<Mark>>,
    y_fmt: fn(f64) -> String,
    testid: &'static str,
) -> impl IntoView {
    let h = 240.0;
    let (cats, ser, mk) = (categories.clone(), series.clone(), marks.clone());
    let draw = std::sync::Arc::new(move |w: f64, tip: Tip| {
        let max = mk
            .iter()
            .map(|c| c.iter().map(|m| m.value.max(0.0)).sum::<f64>())
            .fold(0.0, f64::max);
        let plot = Plot::new(w, h, (0.0, max), cats.len(), 0.3);
        let (y, band) = (plot.y, plot.band);
        let mut id = 0;
        let bars = mk
            .iter()
            .enumerate()
            .map(|(i, stack)| {
                let values: Vec<f64> = stack.iter().map(|m| m.value).collect();
                creditdesk_charts::stack(&values)
                    .into_iter()
                    .zip(stack)
                    .enumerate()
                    .filter(|(_, ((a, b), _))| b > a)
                    .map(|(k, ((a, b), m))| {
                        id += 1;
                        let (y0, y1) = (y.px(b), y.px(a));
                        let x = band.start(i);
                        let shape = view! {
                            <rect x=x y=y0 width=band.width() height=(y1 - y0).max(1.0)
                                fill=ser[k].1 stroke="#fff" stroke-width="0.5" />
                        };
                        mark_view(tip, id, m, (band.mid(i), y0), shape)
                    })
                    .collect_view()
            })
            .collect_view();
        plot.frame(&cats, y_fmt, bars)
    });
    let table = view! {
        <table class="data">
            <thead><tr><th></th>{series.iter().map(|(s, _)| view! { <th class="num">{s.clone()}</th> }).collect_view()}</tr></thead>
            <tbody>
                {categories.iter().zip(&marks).map(|(c, row)| view! {
                    <tr><th scope="row">{c.clone()}</th>{row.iter().map(|m| view! { <td class="num">{cell_link(m)}</td> }).collect_view()}</tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any();
    view! {
        <Frame title desc table_label height=h testid draw table />
        {legend(&series)}
    }
}

/// Vertical bars of one series (a histogram when the labels are bins).
#[component]
pub fn Bars(
    #[prop(into)] title: String,
    #[prop(into)] desc: String,
    #[prop(into)] table_label: String,
    labels: Vec<String>,
    marks: Vec<Mark>,
    /// One fill per bar (cycled).
    fills: Vec<&'static str>,
    y_fmt: fn(f64) -> String,
    testid: &'static str,
) -> impl IntoView {
    let h = 220.0;
    let (lb, mk, fl) = (labels.clone(), marks.clone(), fills.clone());
    let draw = std::sync::Arc::new(move |w: f64, tip: Tip| {
        let max = mk.iter().map(|m| m.value).fold(0.0, f64::max);
        let plot = Plot::new(w, h, (0.0, max), lb.len(), 0.15);
        let (y, band) = (plot.y, plot.band);
        let bars = mk
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let top = y.px(m.value.max(0.0));
                let fill = fl[i % fl.len().max(1)];
                let shape = view! {
                    <rect x=band.start(i) y=top width=band.width() height=(y.px(0.0) - top).max(0.0) fill=fill />
                    <rect x=band.start(i) y=TOP width=band.width() height=h - BOTTOM - TOP fill="transparent" />
                };
                mark_view(tip, i + 1, m, (band.mid(i), top), shape)
            })
            .collect_view();
        plot.frame(&lb, y_fmt, bars)
    });
    let table = view! {
        <table class="data"><tbody>
            {labels.iter().zip(&marks).map(|(l, m)| view! {
                <tr><th scope="row">{l.clone()}</th><td class="num">{cell_link(m)}</td></tr>
            }).collect_view()}
        </tbody></table>
    }
    .into_any();
    view! { <Frame title desc table_label height=h testid draw table /> }
}

/// Bars with a band on each: an expected amount and the interval around it (a forecast), the
/// band drawn as a whisker with caps. `bands` holds each bar's (low, high) in the marks' unit;
/// `band_text` each band as text for the table.
#[component]
pub fn BandBars(
    #[prop(into)] title: String,
    #[prop(into)] desc: String,
    #[prop(into)] table_label: String,
    labels: Vec<String>,
    marks: Vec<Mark>,
    bands: Vec<(f64, f64)>,
    /// The table's column heads: the bar, the band's low end, its high end.
    heads: [String; 3],
    band_text: Vec<(String, String)>,
    fill: &'static str,
    y_fmt: fn(f64) -> String,
    testid: &'static str,
) -> impl IntoView {
    let h = 230.0;
    let (lb, mk, bd) = (labels.clone(), marks.clone(), bands.clone());
    let draw = std::sync::Arc::new(move |w: f64, tip: Tip| {
        let max = mk
            .iter()
            .map(|m| m.value)
            .chain(bd.iter().map(|b| b.1))
            .fold(0.0, f64::max);
        let plot = Plot::new(w, h, (0.0, max), lb.len(), 0.25);
        let (y, band) = (plot.y, plot.band);
        let bars = mk
            .iter()
            .zip(&bd)
            .enumerate()
            .map(|(i, (m, &(lo, hi)))| {
                let top = y.px(m.value.max(0.0));
                let (x, cap) = (band.mid(i), (band.width() / 4.0).min(8.0));
                let (y_lo, y_hi) = (y.px(lo.max(0.0)), y.px(hi.max(0.0)));
                let shape = view! {
                    <rect x=band.start(i) y=top width=band.width() height=(y.px(0.0) - top).max(0.0) fill=fill />
                    <g class="whisker">
                        <line x1=x x2=x y1=y_lo y2=y_hi />
                        <line x1=x - cap x2=x + cap y1=y_lo y2=y_lo />
                        <line x1=x - cap x2=x + cap y1=y_hi y2=y_hi />
                    </g>
                    <rect x=band.start(i) y=TOP width=band.width() height=h - BOTTOM - TOP fill="transparent" />
                };
                mark_view(tip, i + 1, m, (x, top.min(y_hi)), shape)
            })
            .collect_view();
        plot.frame(&lb, y_fmt, bars)
    });
    let [bar_head, lo_head, hi_head] = heads;
    let table = view! {
        <table class="data">
            <thead><tr><th></th><th class="num">{bar_head}</th><th class="num">{lo_head}</th><th class="num">{hi_head}</th></tr></thead>
            <tbody>
                {labels.iter().zip(&marks).zip(&band_text).map(|((l, m), (lo, hi))| view! {
                    <tr><th scope="row">{l.clone()}</th><td class="num">{cell_link(m)}</td>
                        <td class="num">{lo.clone()}</td><td class="num">{hi.clone()}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any();
    view! { <Frame title desc table_label height=h testid draw table /> }
}

/// A donut of parts of a whole, with the total in the middle.
#[component]
pub fn Donut(
    #[prop(into)] title: String,
    #[prop(into)] desc: String,
    #[prop(into)] table_label: String,
    slices: Vec<(String, &'static str, Mark)>,
    #[prop(into)] centre: String,
    testid: &'static str,
) -> impl IntoView {
    let h = 200.0;
    let sl = slices.clone();
    let draw = std::sync::Arc::new(move |w: f64, tip: Tip| {
        let values: Vec<f64> = sl.iter().map(|s| s.2.value).collect();
        let (cx, cy, r) = (w / 2.0, h / 2.0, h / 2.0 - 6.0);
        let arcs = creditdesk_charts::turns(&values)
            .into_iter()
            .zip(&sl)
            .enumerate()
            .filter(|(_, ((a, b), _))| b > a)
            .map(|(i, ((a, b), (_, fill, m)))| {
                let mid = (a + b) / 2.0 * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
                let at = (cx + r * 0.8 * mid.cos(), cy + r * 0.8 * mid.sin());
                let d = creditdesk_charts::donut_slice(cx, cy, r * 0.58, r, a, b);
                let shape = view! { <path d=d fill=*fill stroke="#b9c4c0" stroke-width="0.75" /> };
                mark_view(tip, i + 1, m, at, shape)
            })
            .collect_view();
        let centre = centre.clone();
        view! {
            <g>{arcs}</g>
            <text class="donut-centre" x=cx y=cy + 6.0 text-anchor="middle">{centre}</text>
        }
        .into_any()
    });
    let legend_items: Vec<(String, &'static str)> = slices
        .iter()
        .map(|(l, c, m)| (format!("{l} {}", m.display), *c))
        .collect();
    let table = view! {
        <table class="data"><tbody>
            {slices.iter().map(|(l, _, m)| view! {
                <tr><th scope="row">{l.clone()}</th><td class="num">{cell_link(m)}</td></tr>
            }).collect_view()}
        </tbody></table>
    }
    .into_any();
    view! {
        <Frame title desc table_label height=h testid draw table />
        {legend(&legend_items)}
    }
}

/// Lines with markers over shared x labels; a missing value breaks the line.
#[component]
pub fn LineChart(
    #[prop(into)] title: String,
    #[prop(into)] desc: String,
    #[prop(into)] table_label: String,
    x: Vec<String>,
    /// Name, colour, dashed, and one optional mark per x label.
    series: Vec<(String, &'static str, bool, Vec<Option<Mark>>)>,
    y_fmt: fn(f64) -> String,
    testid: &'static str,
) -> impl IntoView {
    let h = 230.0;
    let (xs, ser) = (x.clone(), series.clone());
    let draw = std::sync::Arc::new(move |w: f64, tip: Tip| {
        let max = ser
            .iter()
            .flat_map(|s| s.3.iter().flatten().map(|m| m.value))
            .fold(0.0, f64::max);
        let plot = Plot::new(w, h, (0.0, max), xs.len(), 0.0);
        let (y, band) = (plot.y, plot.band);
        let mut id = 0;
        let lines = ser
            .iter()
            .map(|(_, colour, dashed, marks)| {
                let mut d = String::new();
                let mut pen_up = true;
                for (i, m) in marks.iter().enumerate() {
                    match m {
                        Some(m) => {
                            let cmd = if pen_up { 'M' } else { 'L' };
                            d.push_str(&format!("{cmd}{:.1},{:.1} ", band.mid(i), y.px(m.value)));
                            pen_up = false;
                        }
                        None => pen_up = true,
                    }
                }
                let dots = marks
                    .iter()
                    .enumerate()
                    .filter_map(|(i, m)| m.as_ref().map(|m| (i, m)))
                    .map(|(i, m)| {
                        id += 1;
                        let (cx, cy) = (band.mid(i), y.px(m.value));
                        let shape = if *dashed {
                            view! { <rect x=cx - 4.0 y=cy - 4.0 width="8" height="8" fill="#fff" stroke=*colour stroke-width="2" /> }.into_any()
                        } else {
                            view! { <circle cx=cx cy=cy r="4.5" fill=*colour /> }.into_any()
                        };
                        let hit = view! { <circle cx=cx cy=cy r="12" fill="transparent" /> };
                        mark_view(tip, id, m, (cx, cy), view! { {hit}{shape} })
                    })
                    .collect_view();
                view! {
                    <path d=d fill="none" stroke=*colour stroke-width="2"
                        stroke-dasharray=if *dashed { "6 4" } else { "" } />
                    {dots}
                }
            })
            .collect_view();
        plot.frame(&xs, y_fmt, lines)
    });
    let legend_items: Vec<(String, &'static str)> =
        series.iter().map(|s| (s.0.clone(), s.1)).collect();
    let table = view! {
        <table class="data">
            <thead><tr><th></th>{series.iter().map(|s| view! { <th class="num">{s.0.clone()}</th> }).collect_view()}</tr></thead>
            <tbody>
                {x.iter().enumerate().map(|(i, l)| view! {
                    <tr><th scope="row">{l.clone()}</th>
                        {series.iter().map(|s| view! { <td class="num">{s.3[i].as_ref().map_or_else(|| "—".into_any(), cell_link)}</td> }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any();
    view! {
        <Frame title desc table_label height=h testid draw table />
        {legend(&legend_items)}
    }
}

/// Horizontal bars in rank order, each with its label and a side note.
#[component]
pub fn Ranking(
    #[prop(into)] title: String,
    #[prop(into)] desc: String,
    #[prop(into)] table_label: String,
    rows: Vec<(String, Mark, String)>,
    fill: &'static str,
    testid: &'static str,
) -> impl IntoView {
    let row_h = 28.0;
    let h = (rows.len().max(1) as f64) * row_h + 4.0;
    let rs = rows.clone();
    let draw = std::sync::Arc::new(move |w: f64, tip: Tip| {
        let label_w = (w * 0.38).min(220.0);
        let max = rs.iter().map(|r| r.1.value).fold(0.0, f64::max);
        // Room on the right for the longest value label.
        let value_w = rs
            .iter()
            .map(|r| creditdesk_charts::text_width(&r.1.display, FONT))
            .fold(0.0, f64::max)
            + 8.0;
        let x = Linear::new(
            (0.0, max.max(1e-9)),
            (label_w + 4.0, (w - value_w).max(label_w + 24.0)),
        );
        rs.iter()
            .enumerate()
            .map(|(i, (label, m, _))| {
                let y0 = i as f64 * row_h + 2.0;
                let x1 = x.px(m.value.max(0.0));
                let text = fit_label(&format!("{}. {label}", i + 1), label_w - 4.0, FONT);
                let shape = view! {
                    <rect x="0" y=y0 width=w height=row_h - 2.0 fill="transparent" />
                    <text class="axis" x="0" y=y0 + 17.0>{text}</text>
                    <rect x=label_w + 4.0 y=y0 + 4.0 width=(x1 - label_w - 4.0).max(1.0) height=row_h - 10.0 fill=fill />
                    <text class="axis" x=x1 + 4.0 y=y0 + 17.0>{m.display.clone()}</text>
                };
                mark_view(tip, i + 1, m, (x1, y0), shape)
            })
            .collect_view()
            .into_any()
    });
    let table = view! {
        <table class="data"><tbody>
            {rows.iter().enumerate().map(|(i, (l, m, note))| view! {
                <tr><td class="num">{i + 1}</td><th scope="row">{l.clone()}</th><td class="num">{cell_link(m)}</td><td>{note.clone()}</td></tr>
            }).collect_view()}
        </tbody></table>
    }
    .into_any();
    view! { <Frame title desc table_label height=h testid draw table /> }
}

/// How a waterfall step is drawn: a total from zero, or a rise or fall from the running total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    Total,
    Up,
    Down,
}

/// A waterfall: an opening total, rises and falls, and a closing total.
#[component]
pub fn Waterfall(
    #[prop(into)] title: String,
    #[prop(into)] desc: String,
    #[prop(into)] table_label: String,
    steps: Vec<(String, Mark, StepKind)>,
    y_fmt: fn(f64) -> String,
    testid: &'static str,
) -> impl IntoView {
    let h = 230.0;
    let st = steps.clone();
    let draw = std::sync::Arc::new(move |w: f64, tip: Tip| {
        // Running total: totals reset it, rises and falls move it.
        let mut at = 0.0;
        let spans: Vec<(f64, f64)> = st
            .iter()
            .map(|(_, m, k)| match k {
                StepKind::Total => {
                    at = m.value;
                    (0.0, m.value)
                }
                StepKind::Up => {
                    let s = (at, at + m.value);
                    at += m.value;
                    s
                }
                StepKind::Down => {
                    let s = (at - m.value, at);
                    at -= m.value;
                    s
                }
            })
            .collect();
        let max = spans.iter().map(|s| s.0.max(s.1)).fold(0.0, f64::max);
        let min = spans.iter().map(|s| s.0.min(s.1)).fold(0.0, f64::min);
        let plot = Plot::new(w, h, (min, max), st.len(), 0.3);
        let (y, band) = (plot.y, plot.band);
        let labels: Vec<String> = st.iter().map(|s| s.0.clone()).collect();
        let bars = st
            .iter()
            .zip(&spans)
            .enumerate()
            .map(|(i, ((_, m, k), (a, b)))| {
                let (top, bottom) = (y.px(a.max(*b)), y.px(a.min(*b)));
                let fill = match k {
                    StepKind::Total => creditdesk_charts::palette::ONE,
                    StepKind::Up => "#8ec9d6",
                    StepKind::Down => "#c2543b",
                };
                let shape = view! {
                    <rect x=band.start(i) y=top width=band.width() height=(bottom - top).max(1.0) fill=fill />
                };
                mark_view(tip, i + 1, m, (band.mid(i), top), shape)
            })
            .collect_view();
        plot.frame(&labels, y_fmt, bars)
    });
    let table = view! {
        <table class="data"><tbody>
            {steps.iter().map(|(l, m, k)| {
                let sign = match k { StepKind::Total => "", StepKind::Up => "+ ", StepKind::Down => "− " };
                view! { <tr><th scope="row">{l.clone()}</th><td class="num">{sign}{cell_link(m)}</td></tr> }
            }).collect_view()}
        </tbody></table>
    }
    .into_any();
    view! { <Frame title desc table_label height=h testid draw table /> }
}
