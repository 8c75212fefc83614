//! Rating in words and pictures: factor names, values with their units, bins, model problems,
//! the grade badge and the SVG waterfall of a score.

use crate::ui::i18n::{Lang, T};
use creditdesk_charts::{waterfall, Linear};
use creditdesk_domain::rating::scorecard::NumBin;
use creditdesk_domain::rating::{
    FactorKey, Fixed, Grade, Hint, Minimum, ModelCode, ModelProblem, Score, Value,
};
use creditdesk_domain::{IndustryPosition, Money};
use leptos::prelude::*;

pub fn factor_label(k: FactorKey) -> T {
    use FactorKey::*;
    match k {
        CooperationYears => T::FCooperationYears,
        OrdersPerMonth => T::FOrdersPerMonth,
        AvgOrderAmount => T::FAvgOrderAmount,
        Sales12m => T::FSales12m,
        AvgDaysToPay => T::AvgDaysToPay,
        DaysBeyondTerms => T::FDaysBeyondTerms,
        OverdueCount => T::FOverdueCount,
        OverdueAmount => T::OverdueAr,
        MaxDaysLate12m => T::FMaxDaysLate,
        ProductCategories => T::FProductCategories,
        RegisteredCapital => T::RegisteredCapital,
        YearsSinceFounding => T::FYearsSinceFounding,
        LargestShareholder => T::FLargestShareholder,
        LitigationCount => T::LitigationCount,
        LitigationOpenAmount => T::LitigationOpen,
        IndustryPosition => T::IndustryPosition,
        ReportScore => T::ReportScore,
    }
}

pub fn position_label(p: IndustryPosition) -> T {
    match p {
        IndustryPosition::Leader => T::PosLeader,
        IndustryPosition::Major => T::PosMajor,
        IndustryPosition::Average => T::PosAverage,
        IndustryPosition::Small => T::PosSmall,
    }
}

enum Unit {
    Yuan,
    Days,
    Years,
    PerMonth,
    Percent,
    Plain,
}

fn unit(k: FactorKey) -> Unit {
    use FactorKey::*;
    match k {
        AvgOrderAmount | Sales12m | OverdueAmount | RegisteredCapital | LitigationOpenAmount => {
            Unit::Yuan
        }
        AvgDaysToPay | DaysBeyondTerms | MaxDaysLate12m => Unit::Days,
        CooperationYears | YearsSinceFounding => Unit::Years,
        OrdersPerMonth => Unit::PerMonth,
        LargestShareholder => Unit::Percent,
        _ => Unit::Plain,
    }
}

/// A number of a factor with its unit: `¥12,000`, `45.5 天`, `6 yrs`, `60%`.
pub fn fmt_number(lang: Lang, k: FactorKey, v: Fixed) -> String {
    let zh = lang == Lang::Zh;
    match unit(k) {
        Unit::Yuan => Money::from_minor(v.0).format_cny_whole(),
        Unit::Days => format!("{} {}", v.display(), if zh { "天" } else { "days" }),
        Unit::Years => format!("{} {}", v.display(), if zh { "年" } else { "yrs" }),
        Unit::PerMonth => format!("{} {}", v.display(), if zh { "笔/月" } else { "/month" }),
        Unit::Percent => format!("{}%", v.display()),
        Unit::Plain => v.display(),
    }
}

/// The unit a factor's ranges are written in, for the editor.
pub fn unit_label(lang: Lang, k: FactorKey) -> &'static str {
    let zh = lang == Lang::Zh;
    match unit(k) {
        Unit::Yuan => {
            if zh {
                "元"
            } else {
                "CNY"
            }
        }
        Unit::Days => {
            if zh {
                "天"
            } else {
                "days"
            }
        }
        Unit::Years => {
            if zh {
                "年"
            } else {
                "years"
            }
        }
        Unit::PerMonth => {
            if zh {
                "笔/月"
            } else {
                "per month"
            }
        }
        Unit::Percent => "%",
        Unit::Plain => "",
    }
}

pub fn fmt_value(lang: Lang, k: FactorKey, v: Option<Value>) -> String {
    match v {
        None => lang.t(T::NoData).to_string(),
        Some(Value::Num(x)) => fmt_number(lang, k, x),
        Some(Value::Cat(p)) => lang.t(position_label(p)).to_string(),
    }
}

/// A bin in words: `30 天 – 45 天`, `< 30 天`, `≥ 90 天`.
pub fn fmt_bin(lang: Lang, k: FactorKey, b: &NumBin) -> String {
    match (b.min, b.max) {
        (Some(lo), Some(hi)) => {
            format!("{} – {}", fmt_number(lang, k, lo), fmt_number(lang, k, hi))
        }
        (None, Some(hi)) => format!("< {}", fmt_number(lang, k, hi)),
        (Some(lo), None) => format!("≥ {}", fmt_number(lang, k, lo)),
        (None, None) => "*".into(),
    }
}

pub fn fmt_score(s: Fixed) -> String {
    format!("{}.{:02}", s.0 / 100, s.0.rem_euclid(100))
}

/// A model problem in the user's language, with where it is.
pub fn problem_text(lang: Lang, p: &ModelProblem) -> String {
    let (en, zh) = match p.code {
        ModelCode::Json => ("not valid JSON", "不是有效的 JSON"),
        ModelCode::NoFactors => ("a model needs at least one factor", "模型至少需要一个因子"),
        ModelCode::WeightNegative => ("a weight cannot be negative", "权重不能为负"),
        ModelCode::WeightSum => ("weights must add up to 100%; they add up to", "权重合计须为 100%，现为"),
        ModelCode::FactorUnknown => ("unknown factor", "未知因子"),
        ModelCode::FactorDuplicate => ("factor appears twice", "因子重复"),
        ModelCode::FactorKind => ("ranges and categories mixed up (numbers take ranges, industry position takes categories)", "区间与类别用错（数值因子用区间，行业地位用类别）"),
        ModelCode::CategoryUnknown => ("unknown category", "未知类别"),
        ModelCode::CategoryDuplicate => ("category appears twice", "类别重复"),
        ModelCode::PointsRange => ("points must be between 0 and 100", "分值须在 0 到 100 之间"),
        ModelCode::BinEmpty => ("the range holds no value", "区间为空"),
        ModelCode::BinLowEnd => ("the first range must be open below; these values fall in no range", "最低区间须不设下限，否则这些值无处归类"),
        ModelCode::BinHighEnd => ("the last range must be open above; these values fall in no range", "最高区间须不设上限，否则这些值无处归类"),
        ModelCode::BinOverlap => ("ranges overlap", "区间重叠"),
        ModelCode::BinGap => ("gap between ranges; these values fall in no range", "区间之间有空档，这些值无处归类"),
        ModelCode::ThresholdRange => ("thresholds must lie between 0 and 100", "阈值须在 0 到 100 之间"),
        ModelCode::ThresholdOrder => ("thresholds must satisfy AAA > AA > A > B", "阈值须满足 AAA > AA > A > B"),
        ModelCode::ReportAge => ("report validity cannot be negative", "报告有效期不能为负"),
        ModelCode::Refused => ("could not be saved", "无法保存"),
        ModelCode::Minimum => ("the minimum of data asks for more than 100% of the weight or more than 120 months", "最少数据要求超过 100% 权重或 120 个月"),
        ModelCode::Import => ("the model file has a problem:", "模型文件有问题："),
        ModelCode::AdditiveEmpty => ("the model has no characteristic", "模型没有任何特征"),
        ModelCode::Mixed => ("an additive model cannot also have weighted factors", "加总型模型不能同时含加权因子"),
        ModelCode::Inputs => ("the bindings do not list the model's variables", "绑定与模型变量不一致"),
        ModelCode::Unbound => ("choose what this variable reads:", "请为此变量选择数据："),
        ModelCode::BindingKind => ("a number variable must read a number, a category variable a category", "数值变量须读取数值，类别变量须读取类别"),
        ModelCode::BindingField => ("the custom field is not on the form, is retired, or is of a kind a model cannot read:", "该自定义字段不在表单中、已停用，或其类型无法用于模型："),
        ModelCode::BindingCategory => ("the model tests categories the field never holds (check the option keys):", "模型检验的类别在该字段中不存在（请核对选项键）："),
        ModelCode::Scaling => ("odds must be above zero and the points to double them not zero", "好坏比须大于零，翻倍分值不能为零"),
    };
    let what = if lang == Lang::Zh { zh } else { en };
    let detail = if p.detail.is_empty() {
        String::new()
    } else {
        format!(" {}", p.detail)
    };
    format!("{what}{detail} · {} [{}]", p.at, p.code)
}

pub fn hint_text(lang: Lang, h: &Hint, bin_text: String) -> String {
    let factor = lang.t(factor_label(h.factor));
    match lang {
        Lang::Zh => format!(
            "升至 {}：将「{factor}」改善到 {bin_text}（得分将为 {}）",
            h.to,
            fmt_score(h.new_score)
        ),
        Lang::En => format!(
            "To reach {}: bring “{factor}” to {bin_text} (score would be {})",
            h.to,
            fmt_score(h.new_score)
        ),
    }
}

/// A grade; a provisional one (too little data yet) is drawn dashed with a question mark and says
/// so in its title.
#[component]
pub fn GradeBadge(grade: Grade, #[prop(optional)] provisional: bool) -> impl IntoView {
    let state = expect_context::<crate::ui::state::AppState>();
    let title = if provisional {
        format!("{} ({})", grade.label(), state.t(T::Provisional))
    } else {
        grade.label().to_string()
    };
    view! { <span class=format!("grade g-{}", grade.label()) class:provisional=provisional title=title.clone() aria-label=title>{grade.label()}</span> }
}

/// Why a grade is provisional, in words: the history and the data against the model's minimum.
pub fn provisional_text(lang: Lang, s: &Score, m: &Minimum) -> String {
    let months = s.history_months.unwrap_or(0);
    let cov = Fixed(s.coverage_bp as i64).display();
    let need = Fixed(m.coverage_bp as i64).display();
    // An additive model counts the share of its characteristics with a value a bin takes.
    let additive = !s.characteristics.is_empty();
    match lang {
        Lang::Zh => {
            let what = if additive {
                "有数据的特征占"
            } else {
                "有数据的因子权重"
            };
            format!(
                "暂定评级：首张发票起 {months}/{} 个月，{what} {cov}%（需 {need}%）。数据充足前评级最高为 {}；首次额度请走额度申请。",
                m.history_months, m.ceiling
            )
        }
        Lang::En => {
            let what = if additive {
                "of the characteristics have"
            } else {
                "of the weight has"
            };
            format!(
                "Provisional: {months} of {} months since the first invoice, {cov}% {what} data ({need}% needed). Graded no better than {} until the data exist; a first limit goes through a request.",
                m.history_months, m.ceiling
            )
        }
    }
}

/// The score as a waterfall: each factor's contribution stacked from 0 to the total, with the
/// grade thresholds as dashed lines. The table beside it is the text alternative.
#[component]
pub fn Waterfall(score: Score, thresholds: [Fixed; 4]) -> impl IntoView {
    let state = expect_context::<crate::ui::state::AppState>();
    let lang = state.lang.get_untracked();
    const W: f64 = 560.0;
    const LABEL: f64 = 210.0;
    const ROW: f64 = 20.0;
    // Room above the bars for the grades' names on their threshold lines.
    const TOP: f64 = 16.0;
    // The inputs hidden from the user are one bar together (their part is all the device has).
    let mut bars: Vec<(String, Fixed, bool)> = score
        .parts
        .iter()
        .filter(|p| !p.hidden)
        .map(|p| {
            (
                lang.t(factor_label(p.factor)).to_string(),
                p.contribution,
                p.points.is_none(),
            )
        })
        .collect();
    if let Some(h) = score.hidden {
        bars.push((lang.t(T::HiddenInputs).to_string(), h, false));
    }
    let rows = bars.len() + 1;
    let h = rows as f64 * ROW + 28.0 + TOP;
    let x = Linear::new((0.0, 100.0), (LABEL, W - 10.0));
    let parts: Vec<f64> = bars.iter().map(|b| b.1 .0 as f64 / 100.0).collect();
    let steps = waterfall(&parts);
    let title = format!(
        "{} {} · {} {}",
        lang.t(T::Score),
        fmt_score(score.score),
        lang.t(T::Grade),
        score.grade
    );
    let label = title.clone();
    view! {
        <svg class="waterfall" viewBox=format!("0 0 {W} {h}") role="img" aria-label=label preserveAspectRatio="xMinYMin meet">
            <title>{title}</title>
            {x.ticks(25.0).into_iter().map(|t| view! {
                <g>
                    <line x1=x.px(t) x2=x.px(t) y1=TOP y2=h - 18.0 class="tick" />
                    <text x=x.px(t) y=h - 4.0 class="axis" text-anchor="middle">{format!("{t}")}</text>
                </g>
            }).collect_view()}
            {thresholds.iter().zip(["AAA", "AA", "A", "B"]).map(|(t, g)| {
                let px = x.px(t.0 as f64 / 100.0);
                view! {
                    <g class="threshold-mark">
                        <line x1=px x2=px y1=TOP - 2.0 y2=h - 18.0 class="threshold"><title>{format!("{g} ≥ {}", fmt_score(*t))}</title></line>
                        <text x=px y=TOP - 5.0 class="threshold-label" text-anchor="middle">{g}</text>
                    </g>
                }
            }).collect_view()}
            {bars.iter().zip(steps).enumerate().map(|(i, ((label, contribution, missing), s))| {
                let y = i as f64 * ROW + 2.0 + TOP;
                let missing = *missing;
                let (x0, x1) = (x.px(s.start), x.px(s.end));
                view! {
                    <g class:missing=missing>
                        <text x=LABEL - 6.0 y=y + ROW * 0.7 class="label" text-anchor="end">{label.clone()}</text>
                        <rect x=x0 y=y + 3.0 width=(x1 - x0).max(if missing { 0.0 } else { 1.0 }) height=ROW - 6.0 class="bar">
                            <title>{format!("{}+{}", lang.label(label), fmt_score(*contribution))}</title>
                        </rect>
                    </g>
                }
            }).collect_view()}
            {
                let y = bars.len() as f64 * ROW + 2.0 + TOP;
                view! {
                    <g class="total">
                        <text x=LABEL - 6.0 y=y + ROW * 0.7 class="label strong" text-anchor="end">{lang.t(T::Score)}</text>
                        <rect x=x.px(0.0) y=y + 3.0 width=x.px(score.score.0 as f64 / 100.0) - x.px(0.0) height=ROW - 6.0 class="bar total-bar" />
                    </g>
                }
            }
        </svg>
    }
}
