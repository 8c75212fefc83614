//! Monitoring: warning rules as data, evaluated over each customer's facts as of a day, with
//! idempotent alerts (raised once while a condition holds, re-armed when it clears), holds on
//! ordering, collection tasks, review proposals and customer notices. Pure: the day and the time
//! are handed in.

use crate::approval::Role;
use crate::credit::Limits;
use crate::date::Date;
use crate::id::{CustomerId, IdMap};
use crate::ledger::{CustomerSummary, OpenItem};
use crate::money::Money;
use crate::party::Customer;
use crate::rating::{Fixed, Grade};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a rule looks at. Units: money in fen, utilisation in whole basis points rounded down (so
/// `≥ 9,000` is exactly "at least 90% of the limit"), days, months, counts,
/// a grade as its rank (AAA 0 … C 4), a score in hundredths of a point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Utilisation,
    OverdueAmount,
    MaxDaysOverdue,
    OpenAr,
    /// Whole months since the limit was last used (the last invoice), for customers with a limit.
    MonthsUnused,
    Grade,
    /// Grade steps lost since the previous evaluation (positive: worse).
    GradeDrop,
    /// Score lost since the previous evaluation, in hundredths (positive: lower).
    ScoreDrop,
    /// Days until the permanent limit expires (negative: expired); no expiry: never fires.
    DaysToLimitExpiry,
    /// Days until the limit review is due (negative: overdue); no review date: never fires.
    DaysToReview,
    LitigationCount,
    /// Days until the customer's first contract, guarantee or credit insurance lapses (negative:
    /// lapsed; see [`crate::document::days_to_expiry`]); none that lapses: never fires.
    DaysToDocumentExpiry,
    /// A custom field of the customer form, named by the rule's `field` (see
    /// [`crate::fields::readings`]): in hundredths, like every reading of a custom field.
    CustomField,
}

impl Metric {
    pub const ALL: [Metric; 12] = [
        Metric::Utilisation,
        Metric::OverdueAmount,
        Metric::MaxDaysOverdue,
        Metric::OpenAr,
        Metric::MonthsUnused,
        Metric::Grade,
        Metric::GradeDrop,
        Metric::ScoreDrop,
        Metric::DaysToLimitExpiry,
        Metric::DaysToReview,
        Metric::LitigationCount,
        Metric::DaysToDocumentExpiry,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Metric::Utilisation => "utilisation",
            Metric::OverdueAmount => "overdue_amount",
            Metric::MaxDaysOverdue => "max_days_overdue",
            Metric::OpenAr => "open_ar",
            Metric::MonthsUnused => "months_unused",
            Metric::Grade => "grade",
            Metric::GradeDrop => "grade_drop",
            Metric::ScoreDrop => "score_drop",
            Metric::DaysToLimitExpiry => "days_to_limit_expiry",
            Metric::DaysToReview => "days_to_review",
            Metric::LitigationCount => "litigation_count",
            Metric::DaysToDocumentExpiry => "days_to_document_expiry",
            Metric::CustomField => "custom_field",
        }
    }
    pub fn from_code(s: &str) -> Option<Metric> {
        Metric::ALL
            .into_iter()
            .chain([Metric::CustomField])
            .find(|m| m.code() == s)
    }
    /// Whether the threshold is money (typed in yuan, kept in fen).
    pub fn is_money(self) -> bool {
        matches!(self, Metric::OverdueAmount | Metric::OpenAr)
    }
    /// Whether the threshold is a percentage (typed as 90, kept as 9,000 basis points).
    pub fn is_percent(self) -> bool {
        self == Metric::Utilisation
    }
    /// Whether the threshold is a decimal kept in hundredths (a custom field's reading).
    pub fn is_hundredths(self) -> bool {
        self == Metric::CustomField
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

impl Op {
    pub const ALL: [Op; 5] = [Op::Ge, Op::Gt, Op::Le, Op::Lt, Op::Eq];
    pub fn holds(self, value: i64, threshold: i64) -> bool {
        match self {
            Op::Ge => value >= threshold,
            Op::Gt => value > threshold,
            Op::Le => value <= threshold,
            Op::Lt => value < threshold,
            Op::Eq => value == threshold,
        }
    }
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => "≥",
            Op::Gt => ">",
            Op::Le => "≤",
            Op::Lt => "<",
            Op::Eq => "=",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Op::Ge => "ge",
            Op::Gt => "gt",
            Op::Le => "le",
            Op::Lt => "lt",
            Op::Eq => "eq",
        }
    }
    pub fn from_code(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.code() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

/// What a rule does when it fires.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actions {
    /// Raise an alert to these roles…
    pub alert_roles: Vec<Role>,
    /// …and to the customer's own sales rep.
    pub alert_rep: bool,
    /// Draft a reminder to the customer.
    pub notice: bool,
    /// Hold all ordering.
    pub hold: bool,
    /// Open a collection task for the customer's sales rep.
    pub task: bool,
    /// Propose a review of the limit.
    pub review: bool,
}

impl Actions {
    /// Whether the alert goes to the customer's sales rep (who also owns its task, notice or
    /// review).
    pub fn reaches_rep(&self) -> bool {
        self.alert_rep || self.task || self.notice || self.review
    }
}

/// A warning rule, as data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// A stable code such as `W1001`.
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub enabled: bool,
    pub metric: Metric,
    pub op: Op,
    pub threshold: i64,
    /// Limits the rule to these grades, regions, sales reps (empty: all).
    #[serde(default)]
    pub grades: Vec<Grade>,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub reps: Vec<String>,
    pub actions: Actions,
    /// Lift the hold by itself when the condition clears (default: an unfreeze request is needed).
    #[serde(default)]
    pub auto_release: bool,
    /// With [`Metric::CustomField`]: the reading the rule looks at, a custom field's key (or
    /// `key=option` for one option of a choice; see [`crate::fields::readings`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub field: String,
}

/// The rule set, versioned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    pub version: u32,
    pub rules: Vec<Rule>,
}

impl Default for RuleSet {
    /// The built-in rules, enabled and editable.
    fn default() -> Self {
        use Role::*;
        let rule =
            |code: &str, name: &str, severity, metric, op, threshold, actions: Actions| Rule {
                code: code.into(),
                name: name.into(),
                severity,
                enabled: true,
                metric,
                op,
                threshold,
                grades: Vec::new(),
                regions: Vec::new(),
                reps: Vec::new(),
                actions,
                auto_release: false,
                field: String::new(),
            };
        RuleSet {
            version: 1,
            rules: vec![
                rule(
                    "W1001",
                    "Utilisation at 90% or more",
                    Severity::Warning,
                    Metric::Utilisation,
                    Op::Ge,
                    9_000,
                    Actions {
                        alert_rep: true,
                        notice: true,
                        ..Actions::default()
                    },
                ),
                rule(
                    "W1002",
                    "An invoice is overdue",
                    Severity::Critical,
                    Metric::OverdueAmount,
                    Op::Gt,
                    0,
                    Actions {
                        hold: true,
                        task: true,
                        ..Actions::default()
                    },
                ),
                rule(
                    "W1003",
                    "Overdue above ¥10,000",
                    Severity::Critical,
                    Metric::OverdueAmount,
                    Op::Gt,
                    Money::from_units(10_000).minor(),
                    Actions {
                        alert_roles: vec![SalesManager, FinanceSpecialist],
                        hold: true,
                        ..Actions::default()
                    },
                ),
                rule(
                    "W1004",
                    "Limit unused for 6 months",
                    Severity::Info,
                    Metric::MonthsUnused,
                    Op::Ge,
                    6,
                    Actions {
                        review: true,
                        ..Actions::default()
                    },
                ),
                rule(
                    "W1005",
                    "Limit expired",
                    Severity::Warning,
                    Metric::DaysToLimitExpiry,
                    Op::Lt,
                    0,
                    Actions {
                        alert_roles: vec![FinanceSpecialist, FinanceManager],
                        ..Actions::default()
                    },
                ),
                rule(
                    "W1006",
                    "Limit review date passed",
                    Severity::Warning,
                    Metric::DaysToReview,
                    Op::Lt,
                    0,
                    Actions {
                        alert_roles: vec![FinanceSpecialist, FinanceManager],
                        review: true,
                        ..Actions::default()
                    },
                ),
                rule(
                    "W1007",
                    "A contract, guarantee or credit insurance lapses within 30 days",
                    Severity::Warning,
                    Metric::DaysToDocumentExpiry,
                    Op::Le,
                    30,
                    Actions {
                        alert_roles: vec![FinanceSpecialist],
                        alert_rep: true,
                        ..Actions::default()
                    },
                ),
            ],
        }
    }
}

/// What is wrong with a warning rule set. [`RuleCode::code`] is the stable code the UI shows and
/// tests match on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleCode {
    /// `RU000`: the user's role may not change the rules (raised by the app's command).
    NotAllowed,
    /// `RU001`: a rule's code is not `W` and four digits, like `W1001`.
    BadCode,
    /// `RU002`: two rules share a code.
    DuplicateCode,
    /// `RU003`: a rule has no name.
    NoName,
    /// `RU004`: a rule has no action (no alert, notice, hold, task or review).
    NoAction,
    /// `RU005`: a rule's threshold is out of range.
    ThresholdRange,
    /// `RU006`: a threshold, as typed, is not a number (raised by the rule editor).
    ThresholdNotANumber,
    /// `RU-STORE`: the database refused to save the rules (raised by the UI).
    Store,
    /// `RU007`: a rule on a custom field names no field, a field the form does not have, or
    /// one that gives no reading (a text); or another rule names a field.
    Field,
}

impl RuleCode {
    /// Every code.
    pub const ALL: [RuleCode; 9] = [
        RuleCode::NotAllowed,
        RuleCode::BadCode,
        RuleCode::DuplicateCode,
        RuleCode::NoName,
        RuleCode::NoAction,
        RuleCode::ThresholdRange,
        RuleCode::ThresholdNotANumber,
        RuleCode::Store,
        RuleCode::Field,
    ];

    /// The stable code, e.g. `RU001`.
    pub fn code(self) -> &'static str {
        match self {
            RuleCode::NotAllowed => "RU000",
            RuleCode::BadCode => "RU001",
            RuleCode::DuplicateCode => "RU002",
            RuleCode::NoName => "RU003",
            RuleCode::NoAction => "RU004",
            RuleCode::ThresholdRange => "RU005",
            RuleCode::ThresholdNotANumber => "RU006",
            RuleCode::Store => "RU-STORE",
            RuleCode::Field => "RU007",
        }
    }
}

impl std::fmt::Display for RuleCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A problem of the rule set, with a stable code and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleProblem {
    pub code: RuleCode,
    pub at: String,
    pub detail: &'static str,
}

impl RuleSet {
    pub fn problems(&self) -> Vec<RuleProblem> {
        let mut out = Vec::new();
        for (i, r) in self.rules.iter().enumerate() {
            let at = if r.code.is_empty() {
                format!("rule {}", i + 1)
            } else {
                r.code.clone()
            };
            let p = |code, detail| RuleProblem {
                code,
                at: at.clone(),
                detail,
            };
            let c = r.code.as_bytes();
            if c.len() != 5 || c[0] != b'W' || !c[1..].iter().all(u8::is_ascii_digit) {
                out.push(p(
                    RuleCode::BadCode,
                    "a code is W and four digits, like W1001",
                ));
            }
            if self.rules[..i].iter().any(|o| o.code == r.code) {
                out.push(p(RuleCode::DuplicateCode, "two rules share a code"));
            }
            if r.name.trim().is_empty() {
                out.push(p(RuleCode::NoName, "a rule needs a name"));
            }
            let a = &r.actions;
            if a.alert_roles.is_empty()
                && !a.alert_rep
                && !a.notice
                && !a.hold
                && !a.task
                && !a.review
            {
                out.push(p(RuleCode::NoAction, "a rule needs at least one action"));
            }
            if r.threshold.abs() > crate::money::MAX_INPUT_UNITS * 100 {
                out.push(p(RuleCode::ThresholdRange, "the threshold is out of range"));
            }
            if (r.metric == Metric::CustomField) == r.field.is_empty() {
                out.push(p(
                    RuleCode::Field,
                    "a rule on a custom field names the field, and only such a rule does",
                ));
            }
        }
        out
    }
}

/// What the rules see of a customer on a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    pub customer: CustomerId,
    pub region: String,
    pub rep: String,
    pub grade: Grade,
    pub score: Fixed,
    pub values: Readings,
    /// The readings of the customer's custom fields (see [`crate::fields::readings`]).
    pub custom: BTreeMap<String, i64>,
}

/// A customer's reading of each metric, where it has one: a slot per metric, so that the facts
/// of every customer (a run over all of them) are made and read without a map or an allocation
/// each (a tree per customer was a third of the run's time in a browser's trace).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Readings([Option<i64>; Readings::SLOTS]);

impl Readings {
    const SLOTS: usize = Metric::CustomField as usize + 1;

    pub fn get(&self, m: Metric) -> Option<i64> {
        self.0[m as usize]
    }

    pub fn insert(&mut self, m: Metric, value: i64) {
        self.0[m as usize] = Some(value);
    }

    /// Each metric read, with its value, in the metrics' order.
    pub fn iter(&self) -> impl Iterator<Item = (Metric, i64)> + '_ {
        Metric::ALL
            .iter()
            .chain(std::iter::once(&Metric::CustomField))
            .filter_map(|&m| self.get(m).map(|v| (m, v)))
    }
}

// A slot for every metric, in the metrics' order (what `iter` and `Debug` rely on): `ALL` in
// declaration order, then the custom field, the last of them.
const _: () = {
    assert!(Metric::ALL.len() + 1 == Readings::SLOTS);
    let mut i = 0;
    while i < Metric::ALL.len() {
        assert!(Metric::ALL[i] as usize == i);
        i += 1;
    }
};

impl FromIterator<(Metric, i64)> for Readings {
    fn from_iter<I: IntoIterator<Item = (Metric, i64)>>(iter: I) -> Readings {
        let mut r = Readings::default();
        for (m, v) in iter {
            r.insert(m, v);
        }
        r
    }
}

impl std::fmt::Debug for Readings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Facts {
    pub fn get(&self, m: Metric) -> Option<i64> {
        self.values.get(m)
    }

    /// The facts with the readings of the customer's custom fields as of a day.
    pub fn with_custom(
        mut self,
        fields: &crate::fields::FieldSet,
        c: &Customer,
        as_of: Date,
    ) -> Facts {
        self.custom = crate::fields::readings(fields, &c.custom, as_of);
        self
    }
}

/// Whole months from `from` to `to`: the most months `n` with `from.add_months(n) <= to`. A month
/// counts once the same day of the month is reached, or the month's last day when it has no such
/// day (05-31 to 11-30 is six months, 01-31 to 02-28 one).
pub fn whole_months(from: Date, to: Date) -> i64 {
    let (y0, m0, _) = from.ymd();
    let (y1, m1, _) = to.ymd();
    let months = (y1 - y0) as i64 * 12 + m1 as i64 - m0 as i64;
    if from.add_months(months as i32) > to {
        months - 1
    } else {
        months
    }
}

/// The facts of a customer as of a day. `exposure` is what counts against the limit under the
/// policy; `previous` the grade and score of the previous evaluation, when there was one.
#[allow(clippy::too_many_arguments)]
pub fn facts(
    c: &Customer,
    s: &CustomerSummary,
    exposure: Money,
    grade: Grade,
    score: Fixed,
    previous: Option<(Grade, Fixed)>,
    as_of: Date,
) -> Facts {
    let limits: &Limits = &c.limits;
    let limit = limits.effective(as_of);
    let mut v = Readings::default();
    if limit.is_positive() {
        v.insert(
            Metric::Utilisation,
            crate::money::ratio_bp_round_down(exposure, limit).unwrap_or(0),
        );
        let since = s.last_invoice.unwrap_or(c.first_cooperation);
        v.insert(Metric::MonthsUnused, whole_months(since, as_of));
    }
    v.insert(Metric::OverdueAmount, s.overdue.minor());
    v.insert(Metric::MaxDaysOverdue, s.max_days_overdue as i64);
    v.insert(Metric::OpenAr, s.open_ar.minor());
    v.insert(Metric::Grade, grade as i64);
    if let Some((g, sc)) = previous {
        v.insert(Metric::GradeDrop, grade as i64 - g as i64);
        v.insert(Metric::ScoreDrop, sc.0 - score.0);
    }
    if let Some(e) = limits.expires {
        v.insert(Metric::DaysToLimitExpiry, e.days_since(as_of) as i64);
    }
    if let Some(r) = limits.review_due {
        v.insert(Metric::DaysToReview, r.days_since(as_of) as i64);
    }
    if let Some(n) = c.profile.litigation_count {
        v.insert(Metric::LitigationCount, n as i64);
    }
    if let Some(days) = crate::document::days_to_expiry(&c.documents, as_of) {
        v.insert(Metric::DaysToDocumentExpiry, days);
    }
    Facts {
        customer: c.id,
        region: c.region.clone(),
        rep: c.sales_rep.clone(),
        grade,
        score,
        values: v,
        custom: BTreeMap::new(),
    }
}

impl Alert {
    /// Whether the value the alert found reads a field hidden from a user (`hidden`: the fields
    /// hidden from them, as [`crate::access::hidden`] names them): see [`Rule::reads_hidden`].
    pub fn reads_hidden<S: AsRef<str>>(&self, rules: &RuleSet, hidden: &[S]) -> bool {
        match self.metric {
            // Utilisation with the exposure gives the limit back.
            Metric::Utilisation => crate::access::hides_limits(hidden),
            Metric::LitigationCount => hidden
                .iter()
                .any(|h| h.as_ref() == crate::party::field::LITIGATION_COUNT),
            // A rule since deleted or recoded no longer says which field: hidden if any is.
            Metric::CustomField => match rules.rules.iter().find(|r| r.code == self.rule) {
                Some(r) => r.reads_hidden(hidden),
                None => hidden.iter().any(|h| h.as_ref().starts_with("custom.")),
            },
            _ => false,
        }
    }

    /// The alert as a user from whom its value is hidden holds it: the rule, the customer and the
    /// threshold, not the value.
    pub fn redacted(&self) -> Alert {
        Alert {
            value: 0,
            redacted: true,
            ..self.clone()
        }
    }

    /// Adds who else this alert reaches: roles, and a rep when it reaches none yet.
    fn reach(&mut self, roles: &[Role], rep: Option<String>) {
        for r in roles {
            if !self.roles.contains(r) {
                self.roles.push(*r);
            }
        }
        if self.rep.is_none() {
            self.rep = rep;
        }
    }
}

impl Rule {
    /// Whether the rule reads a field hidden from a user (`hidden`: as
    /// [`crate::access::hidden`] names them): the litigation count, or the custom field of its
    /// reading. A device without the field neither raises nor clears its alerts
    /// ([`MonitorState::run_blind`]); a copy of its alert for that user has no value
    /// ([`Alert::redacted`]).
    ///
    /// With the limits hidden: the rules on utilisation and on a limit left unused (both read
    /// the limit), and every rule that asks for a review (the review proposes a new limit from
    /// the one in force).
    pub fn reads_hidden<S: AsRef<str>>(&self, hidden: &[S]) -> bool {
        if crate::access::hides_limits(hidden)
            && (self.actions.review
                || matches!(self.metric, Metric::Utilisation | Metric::MonthsUnused))
        {
            return true;
        }
        let field = match self.metric {
            Metric::LitigationCount => crate::party::field::LITIGATION_COUNT.to_string(),
            Metric::CustomField => {
                let key = self
                    .field
                    .split_once('=')
                    .map_or(self.field.as_str(), |(k, _)| k);
                format!("custom.{key}")
            }
            _ => return false,
        };
        hidden.iter().any(|h| h.as_ref() == field)
    }
    /// Whether this rule holding means `other` holds too, for every value: the same metric, the
    /// same direction, a threshold at least as strict ("overdue above ¥10,000" implies "an
    /// invoice is overdue"). Then both speak of one fact, and one alert tells it.
    pub fn implies(&self, other: &Rule) -> bool {
        use Op::*;
        if self.metric != other.metric || self.field != other.field || self.code == other.code {
            return false;
        }
        let (a, b) = (self.threshold, other.threshold);
        match (self.op, other.op) {
            (Gt | Ge, Gt | Ge) => a > b || (a == b && (self.op == Gt || other.op == Ge)),
            (Lt | Le, Lt | Le) => a < b || (a == b && (self.op == Lt || other.op == Le)),
            _ => false,
        }
    }

    /// The value that makes the rule fire for these facts, if it does.
    pub fn fires(&self, f: &Facts) -> Option<i64> {
        if !self.grades.is_empty() && !self.grades.contains(&f.grade) {
            return None;
        }
        if !self.regions.is_empty() && !self.regions.contains(&f.region) {
            return None;
        }
        if !self.reps.is_empty() && !self.reps.contains(&f.rep) {
            return None;
        }
        let value = match self.metric {
            Metric::CustomField => f.custom.get(&self.field).copied()?,
            m => f.get(m)?,
        };
        self.op.holds(value, self.threshold).then_some(value)
    }
}

/// Which rules hold for which customers: `(rule index, customer, value)`, enabled rules only.
pub fn evaluate(rules: &RuleSet, facts: &[Facts]) -> Vec<(usize, CustomerId, i64)> {
    let mut out = Vec::new();
    for f in facts {
        for (i, r) in rules.rules.iter().enumerate() {
            if r.enabled {
                if let Some(v) = r.fires(f) {
                    out.push((i, f.customer, v));
                }
            }
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Open,
    Acknowledged,
    Resolved,
}

/// An alert: a rule that fired for a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    pub rule: String,
    pub name: String,
    pub severity: Severity,
    pub customer: CustomerId,
    pub metric: Metric,
    pub value: i64,
    pub op: Op,
    pub threshold: i64,
    pub raised_on: Date,
    pub raised_at: i64,
    /// Who sees it: these roles, and the rep (a user's id) when set.
    pub roles: Vec<Role>,
    pub rep: Option<String>,
    pub notice: bool,
    pub review: bool,
    pub status: AlertStatus,
    /// The day the condition cleared (the rule re-armed), if it has.
    pub cleared_on: Option<Date>,
    /// The codes of weaker rules on the same fact that this alert speaks for (overdue above
    /// ¥10,000 speaks for "an invoice is overdue"): they act (hold, task) but raise no alert of
    /// their own while this one is open. See [`Rule::implies`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<String>,
    /// The alert that took this one's place when a stricter rule on the same fact fired later
    /// (this one is then resolved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    /// Only in a copy for a user from whom the field the value reads is hidden: `value` is 0 and
    /// the sentence says the value is hidden ([`Alert::redacted`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    Contacted,
    Promised { date: Date, amount: Money },
    Paid,
    Escalated,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskNote {
    pub at: i64,
    pub who: String,
    pub text: String,
    pub status: TaskStatus,
}

/// A collection task for the customer's sales rep.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub customer: CustomerId,
    pub owner: String,
    pub rule: String,
    pub opened_on: Date,
    pub due: Date,
    pub status: TaskStatus,
    pub notes: Vec<TaskNote>,
    pub closed_on: Option<Date>,
    /// Set once a broken promise has raised its alert.
    #[serde(default)]
    pub promise_broken: bool,
}

impl Task {
    pub fn is_open(&self) -> bool {
        self.closed_on.is_none()
    }
}

/// A hold on ordering set by a rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub rule: String,
    pub since: Date,
}

/// What monitoring keeps between runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorState {
    /// Conditions that hold and have fired: `"{rule}|{customer}"` → the alert raised.
    pub armed: BTreeMap<String, String>,
    pub alerts: Vec<Alert>,
    pub tasks: Vec<Task>,
    /// Holds on ordering by customer.
    pub holds: BTreeMap<CustomerId, Vec<Hold>>,
    /// Each customer's grade and score at the previous run.
    pub previous: BTreeMap<CustomerId, (Grade, Fixed)>,
    /// The day of the last run.
    pub last_run: Option<Date>,
    /// A counter for ids.
    pub seq: u64,
}

/// Where a run finds an alert by its id, a customer's open alerts and whether a customer has an
/// open task, without a pass over every alert or task at each hit (at 10,000 customers the first
/// run raises about 8,000 alerts: the passes made it quadratic).
struct Seen {
    alert_at: foldhash::HashMap<String, usize>,
    /// Alerts neither cleared nor resolved when the run began, and those it raised, in order.
    open_of: IdMap<CustomerId, Vec<usize>>,
    open_tasks: std::collections::HashSet<CustomerId, crate::id::IdBuild>,
}

impl Seen {
    fn of(m: &MonitorState) -> Seen {
        let mut seen = Seen {
            alert_at: Default::default(),
            open_of: Default::default(),
            open_tasks: m
                .tasks
                .iter()
                .filter(|t| t.is_open())
                .map(|t| t.customer)
                .collect(),
        };
        for (i, a) in m.alerts.iter().enumerate() {
            // The first of an id, as a pass over them found it.
            seen.alert_at.entry(a.id.clone()).or_insert(i);
            if a.cleared_on.is_none() && a.status != AlertStatus::Resolved {
                seen.open_of.entry(a.customer).or_default().push(i);
            }
        }
        seen
    }

    fn add(&mut self, at: usize, id: &str, customer: CustomerId) {
        self.alert_at.entry(id.to_string()).or_insert(at);
        self.open_of.entry(customer).or_default().push(at);
    }
}

/// The armed set's key of a rule's condition on a customer, `"{rule}|{customer}"`, written
/// without the formatting machinery: a run makes one per hit (11,755 on the large book, where
/// `format!` and the id's `Display` were about a tenth of a run after the first in a browser).
fn armed_key(rule: &str, customer: CustomerId) -> String {
    let mut id = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let id = customer.0.hyphenated().encode_lower(&mut id);
    let mut key = String::with_capacity(rule.len() + 1 + id.len());
    key.push_str(rule);
    key.push('|');
    key.push_str(id);
    key
}

/// The code of the alert a broken payment promise raises.
pub const PROMISE_BROKEN: &str = "W1090";

impl MonitorState {
    pub fn held(&self, c: CustomerId) -> &[Hold] {
        self.holds.get(&c).map_or(&[], Vec::as_slice)
    }

    /// Rebuilds which conditions are armed from the alerts (an alert not yet cleared is one), so
    /// that the armed set need not be stored.
    pub fn rearm_from_alerts(&mut self) {
        self.armed = self
            .alerts
            .iter()
            .filter(|a| a.cleared_on.is_none() && a.rule != PROMISE_BROKEN)
            .flat_map(|a| {
                std::iter::once(&a.rule)
                    .chain(&a.covers)
                    .map(move |r| (armed_key(r, a.customer), a.id.clone()))
            })
            .collect();
    }

    /// Lifts every hold of a customer (an approved unfreeze request does); the rules stay armed,
    /// so a condition that still holds does not hold the customer again until it clears first.
    pub fn release(&mut self, c: CustomerId) -> bool {
        self.holds.remove(&c).is_some()
    }

    /// An id from the run's time and a counter, so that two devices (or tabs) running at
    /// different moments do not make the same id.
    fn next_id(&mut self, prefix: &str, now: i64) -> String {
        self.seq += 1;
        format!("{prefix}-{now}-{}", self.seq)
    }

    /// What a rule that newly holds does besides its alert: hold the customer's orders, open a
    /// collection task.
    fn act(
        &mut self,
        r: &Rule,
        f: &Facts,
        as_of: Date,
        now: i64,
        report: &mut RunReport,
        seen: &mut Seen,
    ) {
        let customer = f.customer;
        let a = &r.actions;
        if a.hold {
            let holds = self.holds.entry(customer).or_default();
            if !holds.iter().any(|h| h.rule == r.code) {
                holds.push(Hold {
                    rule: r.code.clone(),
                    since: as_of,
                });
                report.held.push(customer);
            }
        }
        if a.task && seen.open_tasks.insert(customer) {
            let id = self.next_id("T", now);
            self.tasks.push(Task {
                id: id.clone(),
                customer,
                owner: f.rep.clone(),
                rule: r.code.clone(),
                opened_on: as_of,
                due: as_of.add_days(7),
                status: TaskStatus::Open,
                notes: Vec::new(),
                closed_on: None,
                promise_broken: false,
            });
            report.tasks_opened.push(id);
        }
    }

    /// One run of the rules as of `as_of` over the customers in `facts` (all, or those whose data
    /// just changed): raises alerts for conditions that newly hold, re-arms
    /// those that cleared, sets and (when the rule says so) lifts holds, opens and closes tasks,
    /// and raises an alert for a broken payment promise. Running again on the same facts changes
    /// nothing. Returns what changed, for the caller to write and announce.
    pub fn run(&mut self, rules: &RuleSet, facts: &[Facts], as_of: Date, now: i64) -> RunReport {
        self.run_blind(rules, facts, as_of, now, &[])
    }

    /// The same, for a party that does not hold what the rules coded `blind` read (a device
    /// from whom the field is hidden): those rules neither raise nor clear anything; the server,
    /// which holds the field, runs them.
    pub fn run_blind(
        &mut self,
        rules: &RuleSet,
        facts: &[Facts],
        as_of: Date,
        now: i64,
        blind: &[String],
    ) -> RunReport {
        let mut report = RunReport::default();
        let mut hits = evaluate(rules, facts);
        hits.retain(|h| !blind.contains(&rules.rules[h.0].code));
        // One alert per fact: a rule that a stricter rule holding for the same customer implies
        // is covered by it (it acts, but its alert is the stricter one's). Leads go first, so
        // that a covered rule finds its lead's alert.
        // `evaluate` lists a customer's hits together: each group is looked at alone, so the
        // cost grows with the rules per customer, not with the square of all hits.
        let lead_of = |i: usize, group: &[(usize, CustomerId, i64)]| {
            group
                .iter()
                .map(|h| h.0)
                .filter(|&j| rules.rules[j].implies(&rules.rules[i]))
                .find(|&j| {
                    !group
                        .iter()
                        .any(|h| rules.rules[h.0].implies(&rules.rules[j]))
                })
        };
        let mut leads: Vec<Option<usize>> = vec![None; hits.len()];
        for (start, group) in hits.chunk_by(|a, b| a.1 == b.1).scan(0, |at, g| {
            let start = *at;
            *at += g.len();
            Some((start, g))
        }) {
            for (k, &(i, _, _)) in group.iter().enumerate() {
                leads[start + k] = lead_of(i, group);
            }
        }
        let mut order: Vec<usize> = (0..hits.len()).collect();
        order.sort_by_key(|&k| leads[k].is_some());
        hits = order.iter().map(|&k| hits[k]).collect();
        let leads: Vec<Option<usize>> = order.iter().map(|&k| leads[k]).collect();
        let mut holding: foldhash::HashSet<String> = Default::default();
        let by_customer: IdMap<CustomerId, &Facts> =
            facts.iter().map(|f| (f.customer, f)).collect();
        // Made at the first hit that acts or the first condition that cleared: a run that finds
        // every condition as it was (most runs after the first) makes none (at 12,000 alerts,
        // about a third of such a run). Until then the run has changed no alert nor task.
        let mut seen: Option<Seen> = None;
        for (k, &(i, customer, value)) in hits.iter().enumerate() {
            let r = &rules.rules[i];
            let key = armed_key(&r.code, customer);
            if self.armed.contains_key(&key) {
                holding.insert(key);
                continue;
            }
            holding.insert(key.clone());
            let seen = seen.get_or_insert_with(|| Seen::of(self));
            let f = by_customer[&customer];
            let a = &r.actions;
            // A covered rule: its lead's alert speaks for it.
            let lead_alert = leads[k].and_then(|j| {
                self.armed
                    .get(&armed_key(&rules.rules[j].code, customer))
                    .cloned()
            });
            if let Some(lead) = lead_alert {
                if let Some(al) = seen.alert_at.get(&lead).map(|&i| &mut self.alerts[i]) {
                    if !al.covers.contains(&r.code) {
                        al.covers.push(r.code.clone());
                    }
                    // It reaches whom the covered rule's alert would have reached.
                    al.reach(&a.alert_roles, a.reaches_rep().then(|| f.rep.clone()));
                }
                self.armed.insert(key, lead);
                self.act(r, f, as_of, now, &mut report, seen);
                continue;
            }
            let id = self.next_id("A", now);
            // Open alerts of weaker rules on the same fact give way to this one, which reaches
            // whom they reached.
            let mut reached: Vec<(Vec<Role>, Option<String>)> = Vec::new();
            let theirs = seen.open_of.get(&customer).map_or(&[][..], Vec::as_slice);
            for &i in theirs {
                let old = &mut self.alerts[i];
                let weaker = old.cleared_on.is_none()
                    && old.status != AlertStatus::Resolved
                    && rules
                        .rules
                        .iter()
                        .find(|w| w.code == old.rule)
                        .is_some_and(|w| r.implies(w));
                if !weaker {
                    continue;
                }
                old.status = AlertStatus::Resolved;
                old.superseded_by = Some(id.clone());
                report.superseded.push(old.id.clone());
                reached.push((old.roles.clone(), old.rep.clone()));
            }
            self.alerts.push(Alert {
                redacted: false,
                id: id.clone(),
                rule: r.code.clone(),
                name: r.name.clone(),
                severity: r.severity,
                customer,
                metric: r.metric,
                value,
                op: r.op,
                threshold: r.threshold,
                raised_on: as_of,
                raised_at: now,
                roles: a.alert_roles.clone(),
                rep: a.reaches_rep().then(|| f.rep.clone()),
                notice: a.notice,
                review: a.review,
                status: AlertStatus::Open,
                cleared_on: None,
                covers: Vec::new(),
                superseded_by: None,
            });
            if let Some(new) = self.alerts.last_mut() {
                for (roles, rep) in reached {
                    new.reach(&roles, rep);
                }
            }
            seen.add(self.alerts.len() - 1, &id, customer);
            report.raised.push(id.clone());
            self.armed.insert(key, id);
            self.act(r, f, as_of, now, &mut report, seen);
        }
        // Conditions that cleared re-arm their rule; holds lift only when the rule says so. Only
        // the customers in `facts` are looked at: a run may cover a few customers.
        let cleared: Vec<(String, String)> = self
            .armed
            .iter()
            .filter(|(k, _)| !holding.contains(*k))
            .filter(|(k, _)| {
                k.split_once('|')
                    .is_none_or(|(r, _)| !blind.iter().any(|b| b == r))
            })
            .filter(|(k, _)| {
                k.split_once('|')
                    .and_then(|(_, c)| CustomerId::parse(c))
                    .is_some_and(|c| by_customer.contains_key(&c))
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        // How many armed conditions each alert speaks for.
        let mut speaks: foldhash::HashMap<String, usize> = Default::default();
        if !cleared.is_empty() {
            for v in self.armed.values() {
                *speaks.entry(v.clone()).or_default() += 1;
            }
        }
        for (key, alert) in cleared {
            self.armed.remove(&key);
            // An alert that speaks for several rules clears with the last of them.
            let still = speaks.get_mut(&alert).is_some_and(|n| {
                *n -= 1;
                *n > 0
            });
            if let Some(a) = seen
                .get_or_insert_with(|| Seen::of(self))
                .alert_at
                .get(&alert)
                .map(|&i| &mut self.alerts[i])
                .filter(|_| !still)
            {
                a.cleared_on = Some(as_of);
            }
            let (code, customer) = key.split_once('|').expect("key");
            // A rule since removed or renamed keeps its holds: only an unfreeze lifts them then.
            let auto = rules
                .rules
                .iter()
                .find(|r| r.code == code)
                .is_some_and(|r| r.auto_release);
            if let (true, Some(c)) = (auto, CustomerId::parse(customer)) {
                if let Some(list) = self.holds.get_mut(&c) {
                    let before = list.len();
                    list.retain(|h| h.rule != code);
                    if list.len() < before {
                        report.released.push(c);
                    }
                    if list.is_empty() {
                        self.holds.remove(&c);
                    }
                }
            }
            if !still {
                report.cleared.push(alert);
            }
        }
        // Tasks close by themselves once the customer owes nothing overdue; a promise past its
        // date with the overdue still there raises one alert.
        for t in self.tasks.iter_mut().filter(|t| t.closed_on.is_none()) {
            let Some(f) = by_customer.get(&t.customer) else {
                continue;
            };
            let overdue = f.get(Metric::OverdueAmount).unwrap_or(0);
            if overdue == 0 {
                t.status = TaskStatus::Paid;
                t.closed_on = Some(as_of);
                t.notes.push(TaskNote {
                    at: now,
                    who: "system".into(),
                    text: "overdue cleared".into(),
                    status: TaskStatus::Paid,
                });
                report.tasks_closed.push(t.id.clone());
            } else if let TaskStatus::Promised { date, .. } = t.status {
                if as_of > date && !t.promise_broken {
                    t.promise_broken = true;
                    report
                        .broken_promises
                        .push((t.id.clone(), t.customer, overdue));
                }
            }
        }
        for (task, customer, overdue) in report.broken_promises.clone() {
            let id = self.next_id("A", now);
            let owner = self
                .tasks
                .iter()
                .find(|t| t.id == task)
                .map(|t| t.owner.clone());
            self.alerts.push(Alert {
                redacted: false,
                id: id.clone(),
                rule: PROMISE_BROKEN.into(),
                name: "Payment promise broken".into(),
                severity: Severity::Critical,
                customer,
                metric: Metric::OverdueAmount,
                value: overdue,
                op: Op::Gt,
                threshold: 0,
                raised_on: as_of,
                raised_at: now,
                roles: vec![Role::SalesManager],
                rep: owner,
                notice: false,
                review: false,
                status: AlertStatus::Open,
                cleared_on: None,
                covers: Vec::new(),
                superseded_by: None,
            });
            report.raised.push(id);
        }
        self.previous
            .extend(facts.iter().map(|f| (f.customer, (f.grade, f.score))));
        self.last_run = Some(as_of);
        report
    }
}

/// What one run changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    pub raised: Vec<String>,
    pub cleared: Vec<String>,
    pub held: Vec<CustomerId>,
    pub released: Vec<CustomerId>,
    pub tasks_opened: Vec<String>,
    pub tasks_closed: Vec<String>,
    pub broken_promises: Vec<(String, CustomerId, i64)>,
    /// Alerts resolved because a stricter rule's alert on the same fact took their place.
    pub superseded: Vec<String>,
}

impl RunReport {
    pub fn is_empty(&self) -> bool {
        *self == RunReport::default()
    }

    /// Adds what a later run changed (a run over more customers made as runs over some at a
    /// time: each customer's conditions are their own, so the runs' reports together are the
    /// one run's).
    pub fn absorb(&mut self, later: RunReport) {
        let RunReport {
            raised,
            cleared,
            held,
            released,
            tasks_opened,
            tasks_closed,
            broken_promises,
            superseded,
        } = later;
        self.raised.extend(raised);
        self.cleared.extend(cleared);
        self.held.extend(held);
        self.released.extend(released);
        self.tasks_opened.extend(tasks_opened);
        self.tasks_closed.extend(tasks_closed);
        self.broken_promises.extend(broken_promises);
        self.superseded.extend(superseded);
    }
}

/// A reminder to a customer about its open invoices, in zh-CN or English.
pub fn notice_text(zh: bool, customer: &str, items: &[OpenItem], as_of: Date) -> (String, String) {
    let total: Money = items.iter().map(|i| i.open).sum();
    let lines: Vec<String> = items
        .iter()
        .map(|i| {
            if zh {
                format!(
                    "  发票 {} · 到期日 {} · 未付 {}{}",
                    i.number,
                    i.due_date.iso(),
                    i.open.format_cny(),
                    if i.days_overdue > 0 {
                        format!(" · 已逾期 {} 天", i.days_overdue)
                    } else {
                        String::new()
                    }
                )
            } else {
                format!(
                    "  Invoice {} · due {} · open {}{}",
                    i.number,
                    i.due_date.iso(),
                    i.open.format_cny(),
                    if i.days_overdue > 0 {
                        format!(" · {} days overdue", i.days_overdue)
                    } else {
                        String::new()
                    }
                )
            }
        })
        .collect();
    if zh {
        (
            format!("付款提醒：{customer}"),
            format!(
                "尊敬的{customer}：\n\n截至 {}，贵司以下发票尚未结清，合计 {}：\n{}\n\n请尽快安排付款。如已付款，请忽略本提醒并告知我们付款信息。\n\n此致\n敬礼",
                as_of.iso(),
                total.format_cny(),
                lines.join("\n")
            ),
        )
    } else {
        (
            format!("Payment reminder: {customer}"),
            format!(
                "Dear {customer},\n\nAs of {}, the following invoices are open, {} in total:\n{}\n\nPlease arrange payment at your earliest convenience. If you have already paid, please let us know the payment details.\n\nKind regards",
                as_of.iso(),
                total.format_cny(),
                lines.join("\n")
            ),
        )
    }
}

/// One month of a back-test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BacktestMonth {
    pub month_end: Date,
    /// Alerts raised that month, by rule code.
    pub raised: BTreeMap<String, usize>,
    /// Customers on hold at the month's end, and what they owed overdue then.
    pub held: usize,
    pub held_overdue: Money,
}

/// What a rule set would have done over the history: a fresh state run at each month end, in
/// order, on the facts of that day.
pub fn backtest(rules: &RuleSet, months: &[(Date, Vec<Facts>)]) -> Vec<BacktestMonth> {
    let mut state = MonitorState::default();
    months
        .iter()
        .map(|(day, facts)| {
            let report = state.run(rules, facts, *day, 0);
            let mut raised = BTreeMap::new();
            for id in &report.raised {
                if let Some(a) = state.alerts.iter().find(|a| &a.id == id) {
                    *raised.entry(a.rule.clone()).or_insert(0) += 1;
                }
            }
            let held_overdue = facts
                .iter()
                .filter(|f| !state.held(f.customer).is_empty())
                .map(|f| Money::from_minor(f.get(Metric::OverdueAmount).unwrap_or(0)))
                .sum();
            BacktestMonth {
                month_end: *day,
                raised,
                held: state.holds.len(),
                held_overdue,
            }
        })
        .collect()
}

impl Metric {
    /// The metric's name without a unit, in zh-CN or English (lower case, to sit in a sentence).
    pub fn name(self, zh: bool) -> &'static str {
        let (en, cn) = match self {
            Metric::Utilisation => ("utilisation", "额度使用率"),
            Metric::OverdueAmount => ("overdue amount", "逾期金额"),
            Metric::MaxDaysOverdue => ("max days overdue", "最长逾期天数"),
            Metric::OpenAr => ("open receivables", "应收余额"),
            Metric::MonthsUnused => ("months since the limit was used", "额度未使用月数"),
            Metric::Grade => ("grade", "评级"),
            Metric::GradeDrop => ("grade steps lost since the last run", "评级下降级数"),
            Metric::ScoreDrop => ("score points lost since the last run", "评分下降"),
            Metric::DaysToLimitExpiry => ("days to limit expiry", "额度到期剩余天数"),
            Metric::DaysToReview => ("days to limit review", "额度复核剩余天数"),
            Metric::LitigationCount => ("litigation count", "诉讼数量"),
            Metric::DaysToDocumentExpiry => (
                "days until a contract, guarantee or credit insurance lapses",
                "合同、担保或信用保险到期剩余天数",
            ),
            Metric::CustomField => ("custom field", "自定义字段"),
        };
        if zh {
            cn
        } else {
            en
        }
    }

    /// A value of the metric as people read it: yuan for money, a percentage for utilisation.
    pub fn show(self, v: i64) -> String {
        if self.is_money() {
            Money::from_minor(v).format_cny()
        } else if self.is_percent() {
            format!("{}.{:02}%", v / 100, (v % 100).abs())
        } else if self.is_hundredths() {
            Fixed(v).display()
        } else {
            v.to_string()
        }
    }
}

/// A rule's name in zh-CN or English: the built-in rules keep their translated names until
/// someone renames them.
pub fn rule_name(zh: bool, code: &str, name: &str) -> String {
    let builtin = RuleSet::default();
    let is_default = builtin
        .rules
        .iter()
        .any(|r| r.code == code && r.name == name)
        || (code == PROMISE_BROKEN);
    if !zh || !is_default {
        return name.to_string();
    }
    match code {
        "W1001" => "额度使用率达到 90%",
        "W1002" => "存在逾期发票",
        "W1003" => "逾期金额超过 ¥10,000",
        "W1004" => "额度连续 6 个月未使用",
        "W1005" => "额度已到期",
        "W1006" => "额度复核日已过",
        "W1007" => "合同、担保或信用保险 30 天内到期",
        PROMISE_BROKEN => "未按承诺付款",
        _ => name,
    }
    .to_string()
}

fn days(zh: bool, n: i64) -> String {
    match (zh, n) {
        (true, n) => format!("{n} 天"),
        (false, 1) => "1 day".into(),
        (false, n) => format!("{n} days"),
    }
}

/// What an alert found, as a sentence: "Overdue above ¥10,000: overdue amount ¥93,689.50, above
/// the threshold of ¥10,000.00." / "逾期金额超过 ¥10,000：逾期金额 ¥93,689.50，超过阈值 ¥10,000.00。"
/// The app shows it and the server's notices send it.
pub fn alert_sentence(zh: bool, a: &Alert) -> String {
    let name = rule_name(zh, &a.rule, &a.name);
    let (value, threshold) = (a.metric.show(a.value), a.metric.show(a.threshold));
    let label = match a.metric {
        Metric::CustomField => String::new(),
        m => format!("{} ", m.name(zh)),
    };
    let finding = match (a.metric, zh) {
        _ if a.redacted => {
            let rule = format!("{} {threshold}", a.op.symbol());
            if zh {
                format!("{label}对您隐藏（规则：{rule}）")
            } else {
                format!("{label}hidden from you (the rule: {rule})")
            }
        }
        (Metric::DaysToLimitExpiry, true) if a.value < 0 => {
            format!("额度已于 {} 天前到期", -a.value)
        }
        (Metric::DaysToLimitExpiry, false) if a.value < 0 => {
            format!("the limit expired {} ago", days(false, -a.value))
        }
        (Metric::DaysToReview, true) if a.value < 0 => format!("额度复核已逾期 {} 天", -a.value),
        (Metric::DaysToReview, false) if a.value < 0 => {
            format!("the limit review was due {} ago", days(false, -a.value))
        }
        (Metric::DaysToDocumentExpiry, true) if a.value < 0 => {
            format!("合同、担保或信用保险已于 {} 天前到期", -a.value)
        }
        (Metric::DaysToDocumentExpiry, false) if a.value < 0 => format!(
            "a contract, guarantee or credit insurance lapsed {} ago",
            days(false, -a.value)
        ),
        (Metric::DaysToDocumentExpiry, true) => {
            format!("合同、担保或信用保险将在 {} 天后到期", a.value)
        }
        (Metric::DaysToDocumentExpiry, false) => format!(
            "a contract, guarantee or credit insurance lapses in {}",
            days(false, a.value)
        ),
        (Metric::MonthsUnused, true) => {
            format!(
                "额度已连续 {} 个月未使用（阈值 {} 个月）",
                a.value, a.threshold
            )
        }
        (Metric::MonthsUnused, false) => format!(
            "the limit has not been used for {} months (the rule: {} or more)",
            a.value, a.threshold
        ),
        _ => {
            // A custom field's rule is named for what it reads (the rule's name says which
            // field); any other metric is named in the sentence (`label`).
            // "above ¥0.00" says nothing: any amount is the finding.
            if a.op == Op::Gt && a.threshold == 0 {
                format!("{label}{value}")
            } else {
                // Past the threshold, not just at it, reads "above".
                let above = a.value > a.threshold && matches!(a.op, Op::Ge | Op::Gt);
                let cmp = match (a.op, zh) {
                    (Op::Ge | Op::Gt, true) if above => "超过阈值",
                    (Op::Ge, true) => "达到阈值",
                    (Op::Gt, true) => "超过阈值",
                    (Op::Le, true) => "不超过阈值",
                    (Op::Lt, true) => "低于阈值",
                    (Op::Eq, true) => "等于",
                    (Op::Ge | Op::Gt, false) if above => "above the threshold of",
                    (Op::Ge, false) => "at the threshold of",
                    (Op::Gt, false) => "above the threshold of",
                    (Op::Le, false) => "at or below the threshold of",
                    (Op::Lt, false) => "below the threshold of",
                    (Op::Eq, false) => "equal to",
                };
                if zh {
                    format!("{label}{value}，{cmp} {threshold}")
                } else {
                    format!("{label}{value}, {cmp} {threshold}")
                }
            }
        }
    };
    if zh {
        format!("{name}：{finding}。")
    } else {
        format!("{name}: {finding}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_armed_key_is_the_rule_and_the_customer_as_text() {
        for (rule, id) in [
            ("W1001", 0),
            ("W1090", u128::MAX),
            ("", 0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        ] {
            let customer = CustomerId::from_u128(id);
            assert_eq!(armed_key(rule, customer), format!("{rule}|{customer}"));
        }
    }
}
