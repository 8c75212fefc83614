//! The scorecard: a model that is data (factors, bins, points, weights, thresholds), checked as
//! a whole, exchanged as JSON, and applied to [`Metrics`] with every factor's part explained.
//!
//! Arithmetic: points are whole numbers 0..=100, weights are basis points (10000 = 100%), the
//! score is in hundredths of a point (0..=10000). Each factor contributes `points x weight`; with
//! missing data either its weight is handed to the others in proportion ([`MissingPolicy::Reallocate`])
//! or it scores zero ([`MissingPolicy::Zero`]). The total is rounded half away from zero once,
//! and the parts are apportioned by largest remainder so that they add up to the total exactly.
//!
//! Too little data is not good data: reallocating a missing factor's weight would otherwise grade a
//! customer with no record on the few factors a newcomer scores well on (no overdue, no late
//! payment). A model's [`Minimum`] names the history (months since the first invoice) and the share
//! of its weight with data a grade needs; a customer short of either is graded *provisionally*, no
//! better than the minimum's ceiling grade (so the ceiling's policy row is its cap), and shown as
//! such until the data exist. An approved grade override is not provisional.

use super::additive::Micro;
use super::analyst::{to_fixed, Additive, CharPart, Reason};
use super::fixed::Fixed;
use super::metrics::{FactorKey, Metrics, Value};
use super::sealed::{Mask, Sealed};
use crate::date::Date;
use crate::money::Money;
use crate::party::IndustryPosition;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Grades, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Grade {
    AAA,
    AA,
    A,
    B,
    C,
}

impl Grade {
    pub const ALL: [Grade; 5] = [Grade::AAA, Grade::AA, Grade::A, Grade::B, Grade::C];
    pub fn label(self) -> &'static str {
        match self {
            Grade::AAA => "AAA",
            Grade::AA => "AA",
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
        }
    }
    /// The grade one step better, if any.
    pub fn better(self) -> Option<Grade> {
        match self {
            Grade::AAA => None,
            Grade::AA => Some(Grade::AAA),
            Grade::A => Some(Grade::AA),
            Grade::B => Some(Grade::A),
            Grade::C => Some(Grade::B),
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// A missing factor's weight goes to the factors that have data, in proportion.
    #[default]
    Reallocate,
    /// A missing factor scores zero points.
    Zero,
}

/// The data a grade needs before it stands on its own (see the module docs). `Minimum::NONE`
/// asks nothing: a model saved before minimums existed reads as that.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minimum {
    /// Whole months from the customer's first invoice.
    pub history_months: u32,
    /// The share of the model's weight whose factors have data, basis points.
    pub coverage_bp: u32,
    /// The best grade a customer short of either gets.
    pub ceiling: Grade,
}

impl Minimum {
    pub const NONE: Minimum = Minimum {
        history_months: 0,
        coverage_bp: 0,
        ceiling: Grade::AAA,
    };
    /// Whether a customer with this history and coverage is short of the minimum.
    pub fn short(&self, history_months: Option<u32>, coverage_bp: u32) -> bool {
        coverage_bp < self.coverage_bp
            || (self.history_months > 0 && history_months.is_none_or(|m| m < self.history_months))
    }
}

impl Default for Minimum {
    fn default() -> Self {
        Minimum::NONE
    }
}

/// A numeric bin `[min, max)`; an absent bound is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumBin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Fixed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Fixed>,
    pub points: u32,
}

impl NumBin {
    pub fn contains(&self, v: Fixed) -> bool {
        self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v < m)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatBin {
    pub value: String,
    pub points: u32,
}

/// One factor of the model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factor {
    pub key: String,
    /// Percent of the score, up to two decimals.
    pub weight: Fixed,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bins: Vec<NumBin>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<CatBin>,
}

/// Minimum scores of AAA, AA, A and B; below B's is C.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    #[serde(rename = "AAA")]
    pub aaa: Fixed,
    #[serde(rename = "AA")]
    pub aa: Fixed,
    #[serde(rename = "A")]
    pub a: Fixed,
    #[serde(rename = "B")]
    pub b: Fixed,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            aaa: Fixed::from_int(90),
            aa: Fixed::from_int(80),
            a: Fixed::from_int(70),
            b: Fixed::from_int(60),
        }
    }
}

impl Thresholds {
    pub fn grade(&self, score: Fixed) -> Grade {
        if score >= self.aaa {
            Grade::AAA
        } else if score >= self.aa {
            Grade::AA
        } else if score >= self.a {
            Grade::A
        } else if score >= self.b {
            Grade::B
        } else {
            Grade::C
        }
    }
    /// The least score that earns a grade.
    pub fn floor(&self, g: Grade) -> Fixed {
        match g {
            Grade::AAA => self.aaa,
            Grade::AA => self.aa,
            Grade::A => self.a,
            Grade::B => self.b,
            Grade::C => Fixed(0),
        }
    }
}

/// A scorecard model. `version` 0 is a draft that was never published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard {
    #[serde(default)]
    pub version: u32,
    #[serde(default)]
    pub name: String,
    /// The day the version was published (none for a draft).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_on: Option<Date>,
    #[serde(default)]
    pub missing: MissingPolicy,
    /// A third-party report older than this counts as missing.
    #[serde(default = "default_report_age")]
    pub max_report_age_days: i32,
    #[serde(default)]
    pub thresholds: Thresholds,
    /// The data a grade needs; short of it the grade is provisional and capped.
    #[serde(default)]
    pub minimum: Minimum,
    /// The weighted mode's factors (none in the additive mode).
    #[serde(default)]
    pub factors: Vec<Factor>,
    /// The additive mode: an analyst's card, its bindings and scaling ([`Additive`]). The
    /// thresholds are then bands on the card's own scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additive: Option<Additive>,
}

impl Default for Scorecard {
    fn default() -> Self {
        default_scorecard()
    }
}

fn default_report_age() -> i32 {
    730
}

/// Which rule a scorecard model breaks. [`ModelCode::code`] is the stable code the UI shows and
/// tests match on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModelCode {
    /// `M-JSON`: the text is not JSON, or not JSON of a model's shape.
    Json,
    /// `M-NO-FACTORS`: the model has no factor.
    NoFactors,
    /// `M-REPORT-AGE`: the age past which a third-party report counts as missing is negative.
    ReportAge,
    /// `M-REFUSED`: not a rule of the model: publishing it was refused for another reason (the
    /// role, the store); the detail says which. Raised by the UI.
    Refused,
    /// `W-NEGATIVE`: a factor's weight is negative.
    WeightNegative,
    /// `W-SUM`: the weights do not add up to 100%.
    WeightSum,
    /// `F-UNKNOWN`: a factor key the app does not know.
    FactorUnknown,
    /// `F-DUPLICATE`: the same factor appears twice.
    FactorDuplicate,
    /// `F-KIND`: ranges and categories mixed up: a numeric factor needs bins and no categories,
    /// a categorical one categories and no bins.
    FactorKind,
    /// `C-UNKNOWN`: a category value the app does not know.
    CategoryUnknown,
    /// `C-DUPLICATE`: the same category appears twice in a factor.
    CategoryDuplicate,
    /// `F-POINTS`: a bin's or category's points are above 100.
    PointsRange,
    /// `B-EMPTY`: a bin's lower end is not below its upper end, so it holds no value.
    BinEmpty,
    /// `B-LOW-END`: the first bin has a lower end; values below it fall in no bin.
    BinLowEnd,
    /// `B-HIGH-END`: the last bin has an upper end; values from it up fall in no bin.
    BinHighEnd,
    /// `B-OVERLAP`: a bin starts below where the previous one ends (or an inner bin is open).
    BinOverlap,
    /// `B-GAP`: a bin starts above where the previous one ends; values between fall in no bin.
    BinGap,
    /// `T-RANGE`: a grade threshold is outside 0 to 100.
    ThresholdRange,
    /// `T-ORDER`: the thresholds do not fall strictly from AAA to B.
    ThresholdOrder,
    /// `M-MINIMUM`: the minimum asks for more than all of the weight, or for more than ten
    /// years of history.
    Minimum,
    /// `M-IMPORT`: an analyst's model file has a problem; the detail starts with the reader's
    /// own code (`SC-…`, `PMML-…`).
    Import,
    /// `A-EMPTY`: an additive model without a characteristic.
    AdditiveEmpty,
    /// `A-MIXED`: an additive model that also lists weighted factors.
    Mixed,
    /// `A-INPUTS`: the bindings do not list the card's variables, each once, in order.
    Inputs,
    /// `A-UNBOUND`: a model variable bound to nothing CreditDesk knows.
    Unbound,
    /// `A-KIND`: a number characteristic bound to a category, or the reverse.
    BindingKind,
    /// `A-FIELD`: bound to a custom field the form lacks, has retired, or whose kind a model
    /// cannot read (a day, several options).
    BindingField,
    /// `A-CATEGORY`: a characteristic tests categories its bound field can never hold.
    BindingCategory,
    /// `A-SCALING`: odds not above zero, or zero points to double them.
    Scaling,
}

impl ModelCode {
    /// Every code.
    pub const ALL: [ModelCode; 29] = [
        ModelCode::Json,
        ModelCode::NoFactors,
        ModelCode::ReportAge,
        ModelCode::Refused,
        ModelCode::WeightNegative,
        ModelCode::WeightSum,
        ModelCode::FactorUnknown,
        ModelCode::FactorDuplicate,
        ModelCode::FactorKind,
        ModelCode::CategoryUnknown,
        ModelCode::CategoryDuplicate,
        ModelCode::PointsRange,
        ModelCode::BinEmpty,
        ModelCode::BinLowEnd,
        ModelCode::BinHighEnd,
        ModelCode::BinOverlap,
        ModelCode::BinGap,
        ModelCode::ThresholdRange,
        ModelCode::ThresholdOrder,
        ModelCode::Minimum,
        ModelCode::Import,
        ModelCode::AdditiveEmpty,
        ModelCode::Mixed,
        ModelCode::Inputs,
        ModelCode::Unbound,
        ModelCode::BindingKind,
        ModelCode::BindingField,
        ModelCode::BindingCategory,
        ModelCode::Scaling,
    ];

    /// The stable code, e.g. `W-SUM`.
    pub fn code(self) -> &'static str {
        match self {
            ModelCode::Json => "M-JSON",
            ModelCode::NoFactors => "M-NO-FACTORS",
            ModelCode::ReportAge => "M-REPORT-AGE",
            ModelCode::Refused => "M-REFUSED",
            ModelCode::WeightNegative => "W-NEGATIVE",
            ModelCode::WeightSum => "W-SUM",
            ModelCode::FactorUnknown => "F-UNKNOWN",
            ModelCode::FactorDuplicate => "F-DUPLICATE",
            ModelCode::FactorKind => "F-KIND",
            ModelCode::CategoryUnknown => "C-UNKNOWN",
            ModelCode::CategoryDuplicate => "C-DUPLICATE",
            ModelCode::PointsRange => "F-POINTS",
            ModelCode::BinEmpty => "B-EMPTY",
            ModelCode::BinLowEnd => "B-LOW-END",
            ModelCode::BinHighEnd => "B-HIGH-END",
            ModelCode::BinOverlap => "B-OVERLAP",
            ModelCode::BinGap => "B-GAP",
            ModelCode::ThresholdRange => "T-RANGE",
            ModelCode::ThresholdOrder => "T-ORDER",
            ModelCode::Minimum => "M-MINIMUM",
            ModelCode::Import => "M-IMPORT",
            ModelCode::AdditiveEmpty => "A-EMPTY",
            ModelCode::Mixed => "A-MIXED",
            ModelCode::Inputs => "A-INPUTS",
            ModelCode::Unbound => "A-UNBOUND",
            ModelCode::BindingKind => "A-KIND",
            ModelCode::BindingField => "A-FIELD",
            ModelCode::BindingCategory => "A-CATEGORY",
            ModelCode::Scaling => "A-SCALING",
        }
    }
}

impl fmt::Display for ModelCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One rule a model breaks: a stable code (the UI words it in the user's language), where, and
/// the values involved, written without words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelProblem {
    pub code: ModelCode,
    /// Where: `factors[3].bins[2]`, `thresholds`, or `json line 4 column 7`.
    pub at: String,
    pub detail: String,
}

impl fmt::Display for ModelProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {}", self.code, self.at, self.detail)
    }
}

fn problem(code: ModelCode, at: String, detail: String) -> ModelProblem {
    ModelProblem { code, at, detail }
}

/// One factor's part in a score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub factor: FactorKey,
    pub raw: Option<Value>,
    /// Points of the bin the value fell in (`None` when the data is missing).
    pub points: Option<u32>,
    /// The model's weight, basis points.
    pub weight_bp: u32,
    /// The weight after missing data was handled, basis points of the total (rounded for display).
    pub effective_weight_bp: u32,
    /// What the factor adds to the score, in hundredths of a point; the parts sum to the score.
    pub contribution: Fixed,
    /// The bin's index, when a numeric bin matched.
    pub bin: Option<usize>,
    /// Read from a field hidden from the user: counted in [`Score::hidden`] with the other
    /// hidden inputs (no value, points or contribution of its own).
    pub hidden: bool,
}

/// A customer's score under one model version as of a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Score {
    pub score: Fixed,
    /// The grade, capped at the minimum's ceiling when provisional.
    pub grade: Grade,
    /// Short of the model's minimum of data: the grade is provisional.
    pub provisional: bool,
    /// The share of the model's weight whose factors have data, basis points.
    pub coverage_bp: u32,
    /// Whole months since the first invoice (`None` before any).
    pub history_months: Option<u32>,
    pub model_version: u32,
    pub as_of: Date,
    /// The weighted mode's parts (none in the additive mode).
    pub parts: Vec<Part>,
    /// The additive mode's parts, one per characteristic (none in the weighted mode).
    pub characteristics: Vec<CharPart>,
    /// The additive mode's reason codes, the costliest first.
    pub reasons: Vec<Reason>,
    /// The part of the hidden inputs, when the user may not see some (see
    /// [`super::sealed`]), and what they add to the score together, hundredths.
    pub sealed: Option<Sealed>,
    pub hidden: Option<Fixed>,
}

impl Score {
    /// The weighted mode: the hidden inputs' effective weight together, basis points (what the
    /// visible factors' effective weights leave of 100%); `None` without hidden inputs.
    pub fn hidden_weight_bp(&self) -> Option<u32> {
        self.hidden?;
        let visible: u32 = self
            .parts
            .iter()
            .filter(|p| !p.hidden)
            .map(|p| p.effective_weight_bp)
            .sum();
        Some(10_000u32.saturating_sub(visible))
    }
}

/// What would move a customer up one grade soonest: one factor reaching a better bin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub factor: FactorKey,
    pub to: Grade,
    pub new_score: Fixed,
    /// For a numeric factor, the bin to reach; for a category, its value.
    pub bin: Option<NumBin>,
    pub category: Option<String>,
}

impl Scorecard {
    /// A new draft from this model (the published one, or one read from a file): not published,
    /// no version yet (publishing gives it the next).
    pub fn as_draft(&self) -> Scorecard {
        Scorecard {
            version: 0,
            published_on: None,
            ..self.clone()
        }
    }

    /// Parses and checks a model; on failure lists every problem and nothing changes.
    pub fn from_json(text: &str) -> Result<Scorecard, Vec<ModelProblem>> {
        let model: Scorecard = serde_json::from_str(text).map_err(|e| {
            vec![problem(
                ModelCode::Json,
                format!("json line {} column {}", e.line(), e.column()),
                e.to_string(),
            )]
        })?;
        let problems = model.problems();
        if problems.is_empty() {
            Ok(model)
        } else {
            Err(problems)
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a model serialises")
    }

    /// Every rule the model breaks.
    pub fn problems(&self) -> Vec<ModelProblem> {
        if let Some(a) = &self.additive {
            let mut out = a.problems();
            if !self.factors.is_empty() {
                out.push(problem(ModelCode::Mixed, "factors".into(), String::new()));
            }
            self.common_problems(false, &mut out);
            return out;
        }
        let mut out = Vec::new();
        if self.factors.is_empty() {
            out.push(problem(
                ModelCode::NoFactors,
                "factors".into(),
                String::new(),
            ));
        }
        // i128: no number of weights, however large, adds up past it.
        let mut total = 0i128;
        let mut seen: Vec<FactorKey> = Vec::new();
        for (i, f) in self.factors.iter().enumerate() {
            let at = format!("factors[{i}]");
            total += i128::from(f.weight.0);
            if f.weight.0 < 0 {
                out.push(problem(
                    ModelCode::WeightNegative,
                    at.clone(),
                    format!("{}%", f.weight),
                ));
            }
            let Some(key) = FactorKey::from_key(&f.key) else {
                out.push(problem(
                    ModelCode::FactorUnknown,
                    at,
                    format!("{:?}", f.key),
                ));
                continue;
            };
            if seen.contains(&key) {
                out.push(problem(
                    ModelCode::FactorDuplicate,
                    at.clone(),
                    f.key.clone(),
                ));
            }
            seen.push(key);
            if key.is_categorical() {
                if !f.bins.is_empty() || f.categories.is_empty() {
                    out.push(problem(ModelCode::FactorKind, at.clone(), f.key.clone()));
                }
                for (j, c) in f.categories.iter().enumerate() {
                    let cat = format!("{at}.categories[{j}]");
                    if IndustryPosition::from_key(&c.value).is_none() {
                        out.push(problem(
                            ModelCode::CategoryUnknown,
                            cat.clone(),
                            format!("{:?}", c.value),
                        ));
                    }
                    if f.categories[..j].iter().any(|o| o.value == c.value) {
                        out.push(problem(
                            ModelCode::CategoryDuplicate,
                            cat.clone(),
                            format!("{:?}", c.value),
                        ));
                    }
                    if c.points > 100 {
                        out.push(problem(ModelCode::PointsRange, cat, c.points.to_string()));
                    }
                }
            } else {
                if f.bins.is_empty() || !f.categories.is_empty() {
                    out.push(problem(ModelCode::FactorKind, at.clone(), f.key.clone()));
                }
                for (j, b) in f.bins.iter().enumerate() {
                    let bin = format!("{at}.bins[{j}]");
                    if b.points > 100 {
                        out.push(problem(
                            ModelCode::PointsRange,
                            bin.clone(),
                            b.points.to_string(),
                        ));
                    }
                    if let (Some(lo), Some(hi)) = (b.min, b.max) {
                        if lo >= hi {
                            out.push(problem(
                                ModelCode::BinEmpty,
                                bin.clone(),
                                format!("[{lo}, {hi})"),
                            ));
                        }
                    }
                    if let (0, Some(lo)) = (j, b.min) {
                        out.push(problem(
                            ModelCode::BinLowEnd,
                            bin.clone(),
                            format!("< {lo}"),
                        ));
                    }
                    if let (true, Some(hi)) = (j + 1 == f.bins.len(), b.max) {
                        out.push(problem(
                            ModelCode::BinHighEnd,
                            bin.clone(),
                            format!("≥ {hi}"),
                        ));
                    }
                    if j > 0 {
                        let prev = f.bins[j - 1];
                        match (prev.max, b.min) {
                            (Some(pm), Some(m)) if m < pm => out.push(problem(
                                ModelCode::BinOverlap,
                                bin.clone(),
                                format!("{m} < {pm}"),
                            )),
                            (Some(pm), Some(m)) if m > pm => out.push(problem(
                                ModelCode::BinGap,
                                bin.clone(),
                                format!("{pm} – {m}"),
                            )),
                            (None, _) | (_, None) => {
                                out.push(problem(ModelCode::BinOverlap, bin.clone(), String::new()))
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        if total != 10_000 {
            let detail = match i64::try_from(total) {
                Ok(t) => format!("{}%", Fixed(t)),
                Err(_) => "∞%".into(),
            };
            out.push(problem(ModelCode::WeightSum, "factors".into(), detail));
        }
        self.common_problems(true, &mut out);
        out
    }

    /// The rules a model of either mode breaks against the form (an additive model's bindings
    /// to custom fields); none for a weighted model.
    pub fn binding_problems(&self, fields: &crate::fields::FieldSet) -> Vec<ModelProblem> {
        self.additive
            .as_ref()
            .map(|a| a.binding_problems(fields))
            .unwrap_or_default()
    }

    /// Every rule a draft breaks before it may be published: its own, and its bindings' against
    /// the form in force (what the page shows and `PublishScorecard` checks).
    pub fn publish_problems(&self, fields: &crate::fields::FieldSet) -> Vec<ModelProblem> {
        let mut p = self.problems();
        p.extend(self.binding_problems(fields));
        p
    }

    /// Whether the model is an analyst's additive card.
    pub fn is_additive(&self) -> bool {
        self.additive.is_some()
    }

    /// The thresholds, the report age and the minimum; the thresholds lie within 0-100 only in
    /// the weighted mode (an additive model's bands are on its own scale).
    fn common_problems(&self, weighted: bool, out: &mut Vec<ModelProblem>) {
        let t = self.thresholds;
        let ordered = [t.aaa, t.aa, t.a, t.b];
        if weighted && ordered.iter().any(|v| v.0 < 0 || v.0 > 10_000) {
            out.push(problem(
                ModelCode::ThresholdRange,
                "thresholds".into(),
                String::new(),
            ));
        }
        if ordered.windows(2).any(|w| w[0] <= w[1]) {
            out.push(problem(
                ModelCode::ThresholdOrder,
                "thresholds".into(),
                String::new(),
            ));
        }
        if self.max_report_age_days < 0 {
            out.push(problem(
                ModelCode::ReportAge,
                "max_report_age_days".into(),
                self.max_report_age_days.to_string(),
            ));
        }
        if self.minimum.coverage_bp > 10_000 {
            out.push(problem(
                ModelCode::Minimum,
                "minimum.coverage_bp".into(),
                self.minimum.coverage_bp.to_string(),
            ));
        }
        if self.minimum.history_months > 120 {
            out.push(problem(
                ModelCode::Minimum,
                "minimum.history_months".into(),
                self.minimum.history_months.to_string(),
            ));
        }
    }

    /// The grade after the minimum of data: capped at the ceiling when short of it.
    fn apply_minimum(&self, grade: Grade, provisional: bool) -> Grade {
        if provisional {
            grade.max(self.minimum.ceiling)
        } else {
            grade
        }
    }

    /// Weights redistributed for a customer's available data: basis points summing to 10000
    /// (largest remainder), or `None` when no factor has data.
    pub fn effective_weights(&self, available: &[bool]) -> Option<Vec<u32>> {
        let w: Vec<i64> = self.factors.iter().map(|f| f.weight.0).collect();
        let sum: i64 = w
            .iter()
            .zip(available)
            .filter(|(_, a)| **a)
            .map(|(w, _)| *w)
            .sum();
        if sum == 0 {
            return None;
        }
        let nums: Vec<i128> = w
            .iter()
            .zip(available)
            .map(|(w, a)| if *a { *w as i128 * 10_000 } else { 0 })
            .collect();
        Some(
            apportion(&nums, sum as i128, 10_000)
                .into_iter()
                .map(|v| v as u32)
                .collect(),
        )
    }

    fn points_of(f: &Factor, key: FactorKey, v: Option<Value>) -> (Option<u32>, Option<usize>) {
        match (key.is_categorical(), v) {
            (true, Some(Value::Cat(c))) => (
                f.categories
                    .iter()
                    .find(|b| b.value == c.key())
                    .map(|b| b.points),
                None,
            ),
            (false, Some(Value::Num(x))) => match f.bins.iter().position(|b| b.contains(x)) {
                Some(i) => (Some(f.bins[i].points), Some(i)),
                None => (None, None),
            },
            _ => (None, None),
        }
    }

    /// Scores metrics with every factor's part explained. The model must be free of problems
    /// ([`Scorecard::problems`]).
    pub fn score(&self, m: &Metrics, as_of: Date) -> Score {
        self.score_sealed(m, as_of, &Mask::default(), None)
    }

    /// The same for a user from whom the inputs in `mask` are hidden: their part comes sealed
    /// (see [`super::sealed`]). A part sealed under another model version counts for nothing:
    /// the inputs are then read from `m` (where a device holds none of them).
    pub fn score_sealed(
        &self,
        m: &Metrics,
        as_of: Date,
        mask: &Mask,
        sealed: Option<&Sealed>,
    ) -> Score {
        let sealed =
            sealed.filter(|s| s.model == self.version && !mask.is_empty() && s.covers(mask));
        if let Some(a) = &self.additive {
            let hidden = if sealed.is_some() {
                a.hidden_by(mask)
            } else {
                Vec::new()
            };
            let (mut total, mut present, characteristics, reasons) =
                a.explain(m, self.max_report_age_days, &hidden);
            if let Some(s) = sealed {
                total.0 += s.points;
                present += s.present as usize;
            }
            let rating = self.additive_rating(total, present, a, m);
            return Score {
                score: rating.score,
                grade: rating.grade,
                provisional: rating.provisional,
                coverage_bp: share_bp(present as i128, a.card.characteristics.len() as i128),
                history_months: m.history_months,
                model_version: self.version,
                as_of,
                parts: Vec::new(),
                characteristics,
                reasons,
                sealed: sealed.cloned(),
                hidden: sealed.map(|s| to_fixed(Micro(s.points))),
            };
        }
        let keys = self.keys();
        let hidden: Vec<bool> = keys
            .iter()
            .map(|k| sealed.is_some() && mask.hides_metric(*k))
            .collect();
        let points: Vec<(Option<u32>, Option<usize>, Option<Value>)> = self
            .factors
            .iter()
            .zip(&keys)
            .zip(&hidden)
            .map(|((f, &k), &h)| {
                if h {
                    return (None, None, None);
                }
                let raw = self.usable(k, m);
                let (p, bin) = Self::points_of(f, k, raw);
                (p, bin, raw)
            })
            .collect();
        let mut s = self.score_points(&keys, &points, as_of, &hidden, sealed);
        let (mut with, mut all) = (0i128, 0i128);
        for ((f, p), h) in self.factors.iter().zip(&points).zip(&hidden) {
            let w = f.weight.0.max(0) as i128;
            all += w;
            if p.0.is_some() && !h {
                with += w;
            }
        }
        with += sealed.map_or(0, |s| s.with as i128);
        s.coverage_bp = share_bp(with, all);
        s.history_months = m.history_months;
        s.provisional = self.minimum.short(m.history_months, s.coverage_bp);
        s.grade = self.apply_minimum(s.grade, s.provisional);
        s
    }

    /// An additive total as a rating: rounded to the hundredth, graded on the bands, with the
    /// minimum of data read as the share of characteristics with a value a bin takes.
    fn additive_rating(&self, total: Micro, present: usize, a: &Additive, m: &Metrics) -> Rating {
        let score = to_fixed(total);
        let coverage = share_bp(present as i128, a.card.characteristics.len() as i128);
        let provisional = self.minimum.short(m.history_months, coverage);
        Rating {
            score,
            grade: self.apply_minimum(self.thresholds.grade(score), provisional),
            provisional,
        }
    }

    fn keys(&self) -> Vec<FactorKey> {
        self.factors
            .iter()
            .map(|f| FactorKey::from_key(&f.key).expect("checked model"))
            .collect()
    }

    /// The value a factor reads, or `None` when it is missing or too old to count.
    fn usable(&self, k: FactorKey, m: &Metrics) -> Option<Value> {
        let stale = k == FactorKey::ReportScore
            && m.report_age_days
                .is_some_and(|a| a > self.max_report_age_days);
        if stale {
            None
        } else {
            m.get(k)
        }
    }

    /// The model made ready to score many customers quickly (no explanation).
    pub fn prepare(&self) -> Prepared<'_> {
        self.prepare_masked(&Mask::default())
    }

    /// The same for a user from whom the inputs in `mask` are hidden (see [`super::sealed`]).
    pub fn prepare_masked(&self, mask: &Mask) -> Prepared<'_> {
        let keys = self.keys();
        Prepared {
            model: self,
            hidden_factors: keys.iter().map(|k| mask.hides_metric(*k)).collect(),
            keys,
            inputs: self
                .additive
                .as_ref()
                .map(Additive::input_of)
                .unwrap_or_default(),
            hidden_characteristics: self
                .additive
                .as_ref()
                .map(|a| a.hidden_by(mask))
                .unwrap_or_default(),
            mask: mask.clone(),
            narrow: self.narrow(),
        }
    }

    /// See [`Prepared`]'s `narrow`.
    fn narrow(&self) -> bool {
        let bound: i128 = self
            .factors
            .iter()
            .map(|f| {
                let points = f.bins.iter().map(|b| b.points);
                let points = points.chain(f.categories.iter().map(|c| c.points));
                let w = (f.weight.0 as i128).abs();
                points.max().unwrap_or(0) as i128 * w * 100
            })
            .sum();
        bound <= i64::MAX as i128
    }

    /// The weighted score of the factors' points: the factors `hidden` marks are left out and
    /// `sealed` counts in their place.
    fn score_points(
        &self,
        keys: &[FactorKey],
        points: &[(Option<u32>, Option<usize>, Option<Value>)],
        as_of: Date,
        hidden: &[bool],
        sealed: Option<&Sealed>,
    ) -> Score {
        let weights: Vec<i64> = self.factors.iter().map(|f| f.weight.0).collect();
        let out = |i: usize| hidden.get(i).copied().unwrap_or(false);
        let available: Vec<bool> = points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                !out(i)
                    && match self.missing {
                        MissingPolicy::Reallocate => p.0.is_some(),
                        MissingPolicy::Zero => true,
                    }
            })
            .collect();
        let (extra_sum, extra_denom) = sealed.map_or((0, 0), |s| (s.sum as i128, s.denom as i128));
        let denom: i128 = weights
            .iter()
            .zip(&available)
            .filter(|(_, a)| **a)
            .map(|(w, _)| *w as i128)
            .sum::<i128>()
            + extra_denom;
        // Each part in hundredths of a point: points x weight(bp) / denom(bp) x 100; the hidden
        // inputs' sum last.
        let mut nums: Vec<i128> = points
            .iter()
            .zip(&weights)
            .zip(&available)
            .map(|(((p, _, _), w), a)| {
                if *a {
                    p.unwrap_or(0) as i128 * *w as i128 * 100
                } else {
                    0
                }
            })
            .collect();
        nums.push(extra_sum);
        let (total, parts) = if denom == 0 {
            (0, vec![0; nums.len()])
        } else {
            let sum: i128 = nums.iter().sum();
            let total = crate::money::div_round_half_away(sum, denom) as i64;
            (total, apportion(&nums, denom, total))
        };
        // The weights after missing data, basis points of the total (largest remainder).
        let eff: Vec<i64> = if denom == 0 {
            vec![0; weights.len() + 1]
        } else {
            let mut w: Vec<i128> = weights
                .iter()
                .zip(&available)
                .map(|(w, a)| if *a { *w as i128 * 10_000 } else { 0 })
                .collect();
            w.push(extra_denom * 10_000);
            apportion(&w, denom, 10_000)
        };
        let score = Fixed(total);
        Score {
            score,
            grade: self.thresholds.grade(score),
            provisional: false,
            coverage_bp: 0,
            history_months: None,
            model_version: self.version,
            as_of,
            characteristics: Vec::new(),
            reasons: Vec::new(),
            parts: keys
                .iter()
                .enumerate()
                .map(|(i, &k)| Part {
                    factor: k,
                    raw: points[i].2,
                    points: points[i].0,
                    weight_bp: weights[i] as u32,
                    effective_weight_bp: eff[i] as u32,
                    contribution: Fixed(parts[i]),
                    bin: points[i].1,
                    hidden: out(i),
                })
                .collect(),
            sealed: sealed.cloned(),
            hidden: sealed.map(|_| Fixed(parts[keys.len()])),
        }
    }

    /// The factor that would lift the customer one grade with the smallest change: the nearest
    /// better bin of one factor that is enough on its own (ties: the heavier factor). None for a
    /// provisional grade: data, not a better bin, is what lifts it.
    pub fn hint(&self, s: &Score) -> Option<Hint> {
        if s.provisional || self.is_additive() {
            return None;
        }
        let to = s.grade.better()?;
        let need = self.thresholds.floor(to);
        let keys: Vec<FactorKey> = s.parts.iter().map(|p| p.factor).collect();
        let base: Vec<(Option<u32>, Option<usize>, Option<Value>)> =
            s.parts.iter().map(|p| (p.points, p.bin, p.raw)).collect();
        let hidden: Vec<bool> = s.parts.iter().map(|p| p.hidden).collect();
        let mut best: Option<(usize, u32, Hint)> = None;
        for (i, f) in self.factors.iter().enumerate() {
            // A hidden input is not the user's to improve (nor to know).
            if hidden[i] {
                continue;
            }
            let current = base[i].0;
            let mut options: Vec<(usize, u32, Option<NumBin>, Option<String>)> = Vec::new();
            if keys[i].is_categorical() {
                for c in &f.categories {
                    if current.is_none_or(|p| c.points > p) {
                        options.push((1, c.points, None, Some(c.value.clone())));
                    }
                }
            } else {
                for (j, b) in f.bins.iter().enumerate() {
                    if current.is_none_or(|p| b.points > p) {
                        let distance = base[i].1.map_or(1, |cur| cur.abs_diff(j));
                        options.push((distance, b.points, Some(*b), None));
                    }
                }
            }
            crate::sort::by_key(&mut options, |o| (o.0, std::cmp::Reverse(o.1)));
            for (distance, pts, bin, category) in options {
                let mut trial = base.clone();
                trial[i].0 = Some(pts);
                let new = self.score_points(&keys, &trial, s.as_of, &hidden, s.sealed.as_ref());
                if new.score >= need {
                    let cand = Hint {
                        factor: keys[i],
                        to,
                        new_score: new.score,
                        bin,
                        category,
                    };
                    let better = match &best {
                        None => true,
                        Some((d, w, _)) => {
                            distance < *d || (distance == *d && f.weight.0 as u32 > *w)
                        }
                    };
                    if better {
                        best = Some((distance, f.weight.0 as u32, cand));
                    }
                    break;
                }
            }
        }
        best.map(|b| b.2)
    }
}

/// A checked model ready to grade a whole portfolio: the same score and grade as
/// [`Scorecard::score`], without the parts.
pub struct Prepared<'a> {
    model: &'a Scorecard,
    keys: Vec<FactorKey>,
    /// The additive mode: each characteristic's binding.
    inputs: Vec<usize>,
    /// The factors and characteristics that read an input hidden from the user.
    hidden_factors: Vec<bool>,
    hidden_characteristics: Vec<bool>,
    mask: Mask,
    /// Whether every factor's largest product of points, weight and 100 fits 64 bits (checked
    /// on their sum, a bound on each): so for every model a person can publish (points up to
    /// 100, weights in basis points). [`Prepared::rate_sealed`] then multiplies in 64 bits and
    /// adds in 128: on wasm32 a 128-bit multiplication is a library call, and grading every
    /// customer made 170,000 of them.
    narrow: bool,
}

/// A customer's grade in brief: what a portfolio keeps of a [`Score`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rating {
    pub score: Fixed,
    /// Capped at the minimum's ceiling when provisional; an approved override replaces it.
    pub grade: Grade,
    /// Short of the model's minimum of data (never for an override).
    pub provisional: bool,
}

impl Rating {
    /// The rating with an approved override's grade in place of the scorecard's: a person's
    /// decision, so never provisional. The score stays, for the record.
    pub fn overridden(self, grade: Option<Grade>) -> Rating {
        match grade {
            Some(grade) => Rating {
                grade,
                provisional: false,
                ..self
            },
            None => self,
        }
    }
}

impl Prepared<'_> {
    pub fn score_and_grade(&self, m: &Metrics) -> (Fixed, Grade) {
        let r = self.rate(m);
        (r.score, r.grade)
    }

    /// The score, the grade after the minimum of data, and whether it is provisional.
    pub fn rate(&self, m: &Metrics) -> Rating {
        self.rate_sealed(m, None)
    }

    /// The same with the hidden inputs' part sealed (see [`super::sealed`]): the inputs the mask
    /// hides are left out and `sealed` counts in their place. Without a part (or one from
    /// another model version) every input is read from `m`.
    pub fn rate_sealed(&self, m: &Metrics, sealed: Option<&Sealed>) -> Rating {
        let model = self.model;
        let sealed = sealed
            .filter(|s| !self.mask.is_empty() && s.model == model.version && s.covers(&self.mask));
        if let Some(a) = &model.additive {
            let skip = if sealed.is_some() {
                &self.hidden_characteristics[..]
            } else {
                &[]
            };
            let (mut total, mut present) =
                a.total(&self.inputs, m, model.max_report_age_days, skip);
            if let Some(s) = sealed {
                total.0 += s.points;
                present += s.present as usize;
            }
            return model.additive_rating(total, present, a, m);
        }
        let (mut sum, mut denom) = (0i128, 0i128);
        let (mut with, mut all) = (0i128, 0i128);
        for ((f, &k), &h) in model
            .factors
            .iter()
            .zip(&self.keys)
            .zip(&self.hidden_factors)
        {
            let w = f.weight.0.max(0) as i128;
            all += w;
            if h && sealed.is_some() {
                continue;
            }
            let (p, _) = Scorecard::points_of(f, k, model.usable(k, m));
            if p.is_some() {
                with += w;
            }
            match (p, model.missing) {
                (Some(p), _) => {
                    sum += if self.narrow {
                        (p as i64 * f.weight.0 * 100) as i128
                    } else {
                        p as i128 * f.weight.0 as i128 * 100
                    };
                    denom += f.weight.0 as i128;
                }
                (None, MissingPolicy::Zero) => denom += f.weight.0 as i128,
                (None, MissingPolicy::Reallocate) => {}
            }
        }
        if let Some(s) = sealed {
            sum += s.sum as i128;
            denom += s.denom as i128;
            with += s.with as i128;
        }
        let score = if denom == 0 {
            Fixed(0)
        } else {
            Fixed(crate::money::div_round_half_away(sum, denom) as i64)
        };
        let coverage = share_bp(with, all);
        let provisional = model.minimum.short(m.history_months, coverage);
        Rating {
            score,
            grade: model.apply_minimum(model.thresholds.grade(score), provisional),
            provisional,
        }
    }

    /// The hidden inputs' part of a customer's score, worked out from metrics that hold them
    /// (the server's): what a user from whom they are hidden receives in their place.
    pub fn seal(&self, m: &Metrics) -> Sealed {
        let model = self.model;
        let mut s = Sealed::empty(model.version, &self.mask);
        if let Some(a) = &model.additive {
            let (points, present) = a.part(
                &self.inputs,
                m,
                model.max_report_age_days,
                &self.hidden_characteristics,
            );
            s.points = points;
            s.present = present as u32;
            return s;
        }
        for ((f, &k), &h) in model
            .factors
            .iter()
            .zip(&self.keys)
            .zip(&self.hidden_factors)
        {
            if !h {
                continue;
            }
            let (p, _) = Scorecard::points_of(f, k, model.usable(k, m));
            let w = f.weight.0;
            match (p, model.missing) {
                (Some(p), _) => {
                    s.sum += p as i64 * w * 100;
                    s.denom += w;
                    s.with += w.max(0);
                }
                (None, MissingPolicy::Zero) => s.denom += w,
                (None, MissingPolicy::Reallocate) => {}
            }
        }
        s
    }
}

/// `with / all` in basis points, rounded down; 0 of nothing.
fn share_bp(with: i128, all: i128) -> u32 {
    if all == 0 {
        return 0;
    }
    // In 64 bits when it fits (every model a person can publish), as `Prepared::narrow` says.
    match (i64::try_from(with), i64::try_from(all)) {
        (Ok(w), Ok(a)) if w.unsigned_abs() <= (i64::MAX / 10_000) as u64 => (w * 10_000 / a) as u32,
        _ => (with * 10_000 / all) as u32,
    }
}

/// Splits `total` in proportion to `nums / denom`: floors first, then one unit each to the
/// largest remainders, so the parts add up to `total` exactly.
fn apportion(nums: &[i128], denom: i128, total: i64) -> Vec<i64> {
    let mut parts: Vec<i64> = nums.iter().map(|n| (n / denom) as i64).collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..nums.len()).filter(|&i| nums[i] != 0).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(nums[i] % denom), i));
    let mut k = 0;
    while left > 0 && !order.is_empty() {
        parts[order[k % order.len()]] += 1;
        left -= 1;
        k += 1;
    }
    while left < 0 && !order.is_empty() {
        parts[order[order.len() - 1 - (k % order.len())]] -= 1;
        left += 1;
        k += 1;
    }
    parts
}

fn bins(edges: &[(i64, u32)], scale: i64) -> Vec<NumBin> {
    // `edges`: (lower bound in whole units, points); the first bin is open below, the last open above.
    edges
        .iter()
        .enumerate()
        .map(|(i, &(lo, points))| NumBin {
            min: (i > 0).then(|| Fixed(lo * scale)),
            max: edges.get(i + 1).map(|&(hi, _)| Fixed(hi * scale)),
            points,
        })
        .collect()
}

/// Bins for an amount in yuan where exactly zero is a bin of its own: `< 0.01`, then `edges`
/// (lower bounds in whole yuan, the first of them read as 0.01).
fn amount_bins(zero_points: u32, edges: &[(i64, u32)]) -> Vec<NumBin> {
    let zero = NumBin {
        min: None,
        max: Some(Fixed(1)),
        points: zero_points,
    };
    let rest = edges.iter().enumerate().map(|(i, &(lo, points))| NumBin {
        min: Some(if i == 0 { Fixed(1) } else { Fixed(lo * 100) }),
        max: edges.get(i + 1).map(|&(hi, _)| Fixed(hi * 100)),
        points,
    });
    std::iter::once(zero).chain(rest).collect()
}

fn factor(key: FactorKey, weight: i64, b: Vec<NumBin>) -> Factor {
    Factor {
        key: key.key().into(),
        weight: Fixed::from_int(weight),
        bins: b,
        categories: Vec::new(),
    }
}

/// The default model: every factor, internal data 60%, external 40%.
pub fn default_scorecard() -> Scorecard {
    use FactorKey::*;
    const U: i64 = 100; // one whole unit in hundredths
    let yuan = |y: i64| y; // whole yuan
    let f = vec![
        factor(
            CooperationYears,
            8,
            bins(&[(0, 20), (1, 50), (3, 70), (5, 85), (10, 100)], U),
        ),
        factor(
            OrdersPerMonth,
            6,
            vec![
                NumBin {
                    min: None,
                    max: Some(Fixed(50)),
                    points: 20,
                },
                NumBin {
                    min: Some(Fixed(50)),
                    max: Some(Fixed(100)),
                    points: 40,
                },
                NumBin {
                    min: Some(Fixed(100)),
                    max: Some(Fixed(200)),
                    points: 60,
                },
                NumBin {
                    min: Some(Fixed(200)),
                    max: Some(Fixed(400)),
                    points: 80,
                },
                NumBin {
                    min: Some(Fixed(400)),
                    max: None,
                    points: 100,
                },
            ],
        ),
        factor(
            AvgOrderAmount,
            4,
            bins(
                &[
                    (0, 40),
                    (yuan(10_000), 60),
                    (yuan(50_000), 80),
                    (yuan(200_000), 100),
                ],
                U,
            ),
        ),
        factor(
            Sales12m,
            8,
            bins(
                &[
                    (0, 20),
                    (100_000, 45),
                    (500_000, 70),
                    (2_000_000, 85),
                    (10_000_000, 100),
                ],
                U,
            ),
        ),
        factor(
            AvgDaysToPay,
            8,
            bins(&[(0, 100), (30, 85), (45, 70), (60, 45), (90, 15)], U),
        ),
        factor(
            DaysBeyondTerms,
            8,
            bins(&[(0, 100), (1, 80), (10, 55), (30, 30), (60, 0)], U),
        ),
        factor(
            OverdueCount,
            5,
            bins(&[(0, 100), (1, 70), (2, 45), (4, 15)], U),
        ),
        factor(
            OverdueAmount,
            6,
            amount_bins(100, &[(0, 70), (50_000, 40), (200_000, 10)]),
        ),
        factor(
            MaxDaysLate12m,
            5,
            bins(&[(0, 100), (1, 80), (15, 60), (30, 30), (90, 0)], U),
        ),
        factor(ProductCategories, 2, bins(&[(0, 40), (2, 70), (4, 100)], U)),
        factor(
            RegisteredCapital,
            6,
            bins(
                &[(0, 30), (1_000_000, 55), (5_000_000, 75), (20_000_000, 100)],
                U,
            ),
        ),
        factor(
            YearsSinceFounding,
            5,
            bins(&[(0, 30), (3, 50), (5, 70), (10, 85), (20, 100)], U),
        ),
        factor(
            LargestShareholder,
            3,
            bins(&[(0, 80), (50, 70), (80, 50)], U),
        ),
        factor(
            LitigationCount,
            6,
            bins(&[(0, 100), (1, 70), (2, 40), (4, 10)], U),
        ),
        factor(
            LitigationOpenAmount,
            4,
            amount_bins(100, &[(0, 70), (100_000, 40), (1_000_000, 10)]),
        ),
        Factor {
            key: IndustryPosition.key().into(),
            weight: Fixed::from_int(6),
            bins: Vec::new(),
            categories: [
                ("leader", 100),
                ("major", 80),
                ("average", 60),
                ("small", 40),
            ]
            .iter()
            .map(|(v, p)| CatBin {
                value: (*v).into(),
                points: *p,
            })
            .collect(),
        },
        factor(
            ReportScore,
            10,
            bins(&[(0, 10), (40, 40), (60, 65), (75, 85), (90, 100)], U),
        ),
    ];
    Scorecard {
        version: 1,
        name: "CreditDesk default".into(),
        published_on: None,
        missing: MissingPolicy::Reallocate,
        max_report_age_days: 730,
        thresholds: Thresholds::default(),
        minimum: Minimum {
            history_months: 3,
            coverage_bp: 5000,
            ceiling: Grade::B,
        },
        factors: f,
        additive: None,
    }
}

/// How a portfolio's grades move from one model to another: counts and exposure per cell,
/// rows the old grade, columns the new.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Migration {
    pub counts: [[u32; 5]; 5],
    pub exposure: [[Money; 5]; 5],
}

impl Migration {
    pub fn changed(&self) -> u32 {
        (0..5)
            .flat_map(|i| (0..5).map(move |j| (i, j)))
            .filter(|(i, j)| i != j)
            .map(|(i, j)| self.counts[i][j])
            .sum()
    }
}

/// The migration matrix of `(old grade, new grade, exposure)` triples.
pub fn migration(moves: impl IntoIterator<Item = (Grade, Grade, Money)>) -> Migration {
    let mut m = Migration::default();
    for (from, to, exposure) in moves {
        m.counts[from as usize][to as usize] += 1;
        m.exposure[from as usize][to as usize] += exposure;
    }
    m
}
