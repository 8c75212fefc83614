//! Credit policy per grade, limits over time, exposure, and the order-time credit check.
//!
//! All pure: the check takes every fact it needs (limit, exposure, overdue, policy, the day) and
//! answers pass, warn or block with every reason that applies and, for each block, what would
//! make the order pass.

use crate::date::Date;
use crate::id::CustomerId;
use crate::money::{ratio_bp_round_half_away, Money};
use crate::rating::Grade;
use serde::{Deserialize, Serialize};

/// How a grade's orders are settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Settlement {
    OnCredit,
    CashBeforeDelivery,
}

/// The policy of one grade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradePolicy {
    pub grade: Grade,
    /// The largest limit the grade may be given.
    pub max_limit: Money,
    pub term_days: u32,
    pub settlement: Settlement,
    pub review_months: u32,
}

/// The policy table and the rules of the order-time check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub version: u32,
    /// One row per grade, AAA first.
    pub grades: [GradePolicy; 5],
    /// Warn when the order takes utilisation above this share of the limit (basis points).
    pub warn_over_bp: u32,
    /// Hold the order when it takes utilisation above this share (basis points); `None`: only
    /// going over the limit itself blocks.
    pub hold_over_bp: Option<u32>,
    /// Block when the customer's overdue amount is above this (zero: any overdue blocks).
    pub block_overdue_over: Money,
    /// Block when an invoice is more than this many days overdue.
    pub block_days_overdue_over: i32,
    /// Whether open (not yet invoiced) orders count in exposure.
    pub exposure_includes_open_orders: bool,
    /// Whether orders held for a release (awaiting approval) count in exposure too.
    #[serde(default)]
    pub exposure_includes_held_orders: bool,
    /// The factor of the suggested limit, basis points (10000 = 1.0).
    pub suggestion_factor_bp: u32,
    /// The roles that may change a customer's external profile (capital, litigation, report
    /// score...), the rating inputs that move the grade, the cap and the term. Finance by default.
    #[serde(default = "default_profile_editors")]
    pub profile_editors: Vec<crate::approval::Role>,
    /// Where disputed amounts count besides exposure (nowhere else by default).
    #[serde(default)]
    pub disputes: crate::dispute::Counting,
}

/// Finance and the administrator: those who read the reports the profile comes from.
pub fn default_profile_editors() -> Vec<crate::approval::Role> {
    use crate::approval::Role::*;
    vec![FinanceSpecialist, FinanceManager, Cfo, Admin]
}

impl Default for Policy {
    fn default() -> Self {
        let row = |grade, max_units, term_days, settlement, review_months| GradePolicy {
            grade,
            max_limit: Money::from_units(max_units),
            term_days,
            settlement,
            review_months,
        };
        Policy {
            version: 1,
            grades: [
                row(Grade::AAA, 5_000_000, 90, Settlement::OnCredit, 12),
                row(Grade::AA, 2_000_000, 60, Settlement::OnCredit, 12),
                row(Grade::A, 1_000_000, 30, Settlement::OnCredit, 6),
                row(Grade::B, 300_000, 15, Settlement::OnCredit, 3),
                row(Grade::C, 0, 0, Settlement::CashBeforeDelivery, 3),
            ],
            warn_over_bp: 9_000,
            hold_over_bp: None,
            block_overdue_over: Money::ZERO,
            block_days_overdue_over: 0,
            exposure_includes_open_orders: true,
            exposure_includes_held_orders: false,
            suggestion_factor_bp: 10_000,
            profile_editors: default_profile_editors(),
            disputes: Default::default(),
        }
    }
}

/// What is wrong with a credit policy table. [`PolicyCode::code`] is the stable code the UI
/// shows and tests match on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyCode {
    /// `P-ORDER`: the grade rows are not in the order AAA, AA, A, B, C.
    Order,
    /// `P-NEGATIVE`: a grade's maximum limit is negative.
    Negative,
    /// `P-TERM`: a grade's payment term is over 365 days.
    Term,
    /// `P-STRICTER-TERM` (to confirm): a better grade has a shorter term than the next grade.
    StricterTerm,
    /// `P-LOWER-CAP` (to confirm): a better grade has a lower maximum limit than the next grade.
    LowerCap,
    /// `P-STRICTER-SETTLEMENT` (to confirm): a better grade must pay cash before delivery while
    /// the next grade is on credit.
    StricterSettlement,
    /// `P-SHARE`: the warning or hold share of the limit is over 100%.
    Share,
}

impl PolicyCode {
    /// Every code.
    pub const ALL: [PolicyCode; 7] = [
        PolicyCode::Order,
        PolicyCode::Negative,
        PolicyCode::Term,
        PolicyCode::StricterTerm,
        PolicyCode::LowerCap,
        PolicyCode::StricterSettlement,
        PolicyCode::Share,
    ];

    /// The stable code, e.g. `P-NEGATIVE`.
    pub fn code(self) -> &'static str {
        match self {
            PolicyCode::Order => "P-ORDER",
            PolicyCode::Negative => "P-NEGATIVE",
            PolicyCode::Term => "P-TERM",
            PolicyCode::StricterTerm => "P-STRICTER-TERM",
            PolicyCode::LowerCap => "P-LOWER-CAP",
            PolicyCode::StricterSettlement => "P-STRICTER-SETTLEMENT",
            PolicyCode::Share => "P-SHARE",
        }
    }
}

impl std::fmt::Display for PolicyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Something in a policy table to fix, or (for `needs_confirmation`) to confirm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyProblem {
    pub code: PolicyCode,
    pub grade: Option<Grade>,
    /// A better grade with a stricter rule is allowed once someone confirms it.
    pub needs_confirmation: bool,
}

impl Policy {
    pub fn of(&self, g: Grade) -> &GradePolicy {
        &self.grades[g as usize]
    }

    /// Every inconsistency: hard ones (negative limits, rows out of order, shares over 100%) and
    /// ones a person may confirm (a better grade with a shorter term or a lower cap).
    pub fn problems(&self) -> Vec<PolicyProblem> {
        let mut out = Vec::new();
        for (i, row) in self.grades.iter().enumerate() {
            if row.grade != Grade::ALL[i] {
                out.push(PolicyProblem {
                    code: PolicyCode::Order,
                    grade: Some(row.grade),
                    needs_confirmation: false,
                });
            }
            if row.max_limit.is_negative() {
                out.push(PolicyProblem {
                    code: PolicyCode::Negative,
                    grade: Some(row.grade),
                    needs_confirmation: false,
                });
            }
            if row.term_days > 365 {
                out.push(PolicyProblem {
                    code: PolicyCode::Term,
                    grade: Some(row.grade),
                    needs_confirmation: false,
                });
            }
            if i > 0 {
                let better = &self.grades[i - 1];
                if better.term_days < row.term_days {
                    out.push(PolicyProblem {
                        code: PolicyCode::StricterTerm,
                        grade: Some(better.grade),
                        needs_confirmation: true,
                    });
                }
                if better.max_limit < row.max_limit {
                    out.push(PolicyProblem {
                        code: PolicyCode::LowerCap,
                        grade: Some(better.grade),
                        needs_confirmation: true,
                    });
                }
                if better.settlement == Settlement::CashBeforeDelivery
                    && row.settlement == Settlement::OnCredit
                {
                    out.push(PolicyProblem {
                        code: PolicyCode::StricterSettlement,
                        grade: Some(better.grade),
                        needs_confirmation: true,
                    });
                }
            }
        }
        if self.warn_over_bp > 10_000 || self.hold_over_bp.is_some_and(|h| h > 10_000) {
            out.push(PolicyProblem {
                code: PolicyCode::Share,
                grade: None,
                needs_confirmation: false,
            });
        }
        out
    }

    /// The suggested limit: `min(grade cap, average monthly sales x term / 30 x factor)`,
    /// rounded half away from zero to the yuan. Returns the figure and its parts for display.
    pub fn suggested_limit(&self, grade: Grade, sales_12m: Money) -> Suggestion {
        let row = self.of(grade);
        let monthly = sales_12m.mul_ratio_round_half_away(1, 12);
        let by_history = monthly
            .mul_ratio_round_half_away(
                row.term_days as i64 * self.suggestion_factor_bp as i64,
                30 * 10_000,
            )
            .mul_ratio_round_half_away(1, 100)
            .mul_ratio_round_half_away(100, 1);
        Suggestion {
            limit: by_history.min(row.max_limit).max(Money::ZERO),
            cap: row.max_limit,
            monthly_sales: monthly,
            by_history,
        }
    }
}

/// A suggested limit and how it was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub limit: Money,
    pub cap: Money,
    pub monthly_sales: Money,
    pub by_history: Money,
}

/// A temporary limit: in force from `start` to `end` inclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryLimit {
    pub amount: Money,
    pub start: Date,
    pub end: Date,
}

/// A customer's limits and freeze. A limit of zero means no credit, never "unchecked".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Limits {
    pub permanent: Money,
    pub temporary: Vec<TemporaryLimit>,
    pub frozen: bool,
    /// When the limit must be reviewed (from the grade's review cycle).
    pub review_due: Option<Date>,
    /// When the permanent limit lapses, if ever.
    pub expires: Option<Date>,
    /// Only in a copy made for a user from whom limits are hidden (see [`crate::access`]): the
    /// amounts are zero and stand for nothing. Never in the server's own record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

impl Limits {
    /// The limits as a user from whom they are hidden holds them: no amount, the dates and the
    /// freeze kept.
    pub fn without_amounts(&self) -> Limits {
        Limits {
            permanent: Money::ZERO,
            temporary: self
                .temporary
                .iter()
                .map(|t| TemporaryLimit {
                    amount: Money::ZERO,
                    ..t.clone()
                })
                .collect(),
            hidden: true,
            ..self.clone()
        }
    }

    /// The limit in force on a day: the permanent limit (zero once expired), or the largest
    /// temporary limit in force if that is higher. A temporary limit ends by itself.
    pub fn effective(&self, as_of: Date) -> Money {
        let permanent = if self.expired(as_of) {
            Money::ZERO
        } else {
            self.permanent
        };
        self.temporary
            .iter()
            .filter(|t| t.start <= as_of && as_of <= t.end)
            .map(|t| t.amount)
            .fold(permanent, Money::max)
    }

    /// Whether the permanent limit has lapsed by `as_of` (the day after its expiry date).
    pub fn expired(&self, as_of: Date) -> bool {
        self.expires.is_some_and(|e| as_of > e)
    }

    /// Whether the review date has passed by `as_of` (what W1006 sees; the order check already
    /// warns on the day itself).
    pub fn review_passed(&self, as_of: Date) -> bool {
        self.review_due.is_some_and(|r| as_of > r)
    }
}

/// What counts against the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Exposure {
    pub open_ar: Money,
    pub open_orders: Money,
    /// Orders held by the check, waiting for a release.
    pub held_orders: Money,
    /// Credit reserved for someone else (a rep going into the field): counted whatever the
    /// policy, until it is used or ends. The holder's own reservation is not in it.
    pub reserved: Money,
}

impl Exposure {
    /// Open receivables, plus the order components the policy counts.
    pub fn total(&self, policy: &Policy) -> Money {
        let orders = if policy.exposure_includes_open_orders {
            self.open_orders
        } else {
            Money::ZERO
        };
        let held = if policy.exposure_includes_held_orders {
            self.held_orders
        } else {
            Money::ZERO
        };
        self.open_ar + orders + held + self.reserved
    }
}

/// The longest a reservation of credit may run, in days.
pub const MAX_RESERVATION_DAYS: i32 = 14;

/// Credit set aside for one user on one customer until a day: the headroom a sales rep takes
/// into the field, so that what they promise offline is still there when they sync. It counts
/// in everyone else's exposure; the holder's orders use it up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    pub id: String,
    pub customer: CustomerId,
    /// The user it is for (their id).
    pub holder: String,
    /// What is left of it.
    pub amount: Money,
    /// The last day it holds.
    pub until: Date,
    pub made_on: Date,
}

impl Reservation {
    pub fn is_active(&self, as_of: Date) -> bool {
        self.amount.is_positive() && as_of <= self.until
    }
}

/// What is wrong with a reservation asked for on `as_of`: an amount that is not positive, an
/// end before today or beyond [`MAX_RESERVATION_DAYS`].
pub fn reservation_problem(amount: Money, until: Date, as_of: Date) -> Option<&'static str> {
    if !amount.is_positive() {
        Some("a reservation is a positive amount")
    } else if until < as_of {
        Some("a reservation ends today or later")
    } else if until.days_since(as_of) > MAX_RESERVATION_DAYS {
        Some("a reservation lasts at most 14 days")
    } else {
        None
    }
}

/// Everything the check needs to know about the customer on the day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckInput {
    pub grade: Grade,
    pub limits: Limits,
    pub exposure: Exposure,
    pub overdue: Money,
    pub max_days_overdue: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Pass,
    Warn,
    Block,
}

/// Why a check did not simply pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Frozen,
    /// The customer has no limit at all (never granted one): credit starts with a first-limit
    /// request, not with a smaller order.
    NoLimit,
    CashBeforeDelivery,
    /// The order takes exposure over the limit by this much.
    OverLimit {
        by: Money,
    },
    /// The order takes utilisation over the hold share (basis points after the order).
    OverHoldShare {
        used_bp: i64,
    },
    /// The order takes utilisation over the warning share.
    OverWarnShare {
        used_bp: i64,
    },
    Overdue {
        amount: Money,
        days: i32,
    },
    LimitExpired {
        on: Date,
    },
    ReviewDue {
        on: Date,
    },
    /// The limit is hidden from this device's user: the server checks the order against it when
    /// it arrives (and holds it if it does not fit).
    LimitUnchecked,
    /// The order does not fit the limit, which is hidden from the user: the reasons of the limit
    /// as the server tells such a user of them, with no figure ([`Reason::without_limit`]).
    HiddenLimit,
}

impl Reason {
    /// A stable code (`frozen`, `over_limit`, …): what the ERP's credit check answers with and
    /// what a list's CSV says.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Frozen => "frozen",
            Reason::NoLimit => "no_limit",
            Reason::CashBeforeDelivery => "cash_before_delivery",
            Reason::OverLimit { .. } => "over_limit",
            Reason::OverHoldShare { .. } => "over_hold_share",
            Reason::OverWarnShare { .. } => "over_warn_share",
            Reason::Overdue { .. } => "overdue",
            Reason::LimitExpired { .. } => "limit_expired",
            Reason::ReviewDue { .. } => "review_due",
            Reason::LimitUnchecked => "limit_unchecked",
            Reason::HiddenLimit => "hidden_limit",
        }
    }

    /// The reasons as a user from whom the limit is hidden may read them: the limit's reasons
    /// (none granted, over it by so much, over its hold share) as one [`Reason::HiddenLimit`],
    /// the warning share left out (both give the limit back with the exposure); the rest as they
    /// are.
    pub fn without_limit(reasons: Vec<Reason>) -> Vec<Reason> {
        let mut out = Vec::with_capacity(reasons.len());
        for r in reasons {
            match r {
                Reason::NoLimit | Reason::OverLimit { .. } | Reason::OverHoldShare { .. } => {
                    if !out.contains(&Reason::HiddenLimit) {
                        out.push(Reason::HiddenLimit);
                    }
                }
                Reason::OverWarnShare { .. } => {}
                r => out.push(r),
            }
        }
        out
    }
    pub fn blocks(&self) -> bool {
        !matches!(
            self,
            Reason::OverWarnShare { .. } | Reason::ReviewDue { .. } | Reason::LimitUnchecked
        )
    }
}

/// What would make a blocked order pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// A payment of this much clears the limit (and hold share) for this order.
    Pay(Money),
    /// The largest order that passes today.
    OrderAtMost(Money),
    /// A temporary increase of the limit by this much lets the order pass.
    TemporaryIncrease(Money),
    /// Clearing this overdue amount lifts the overdue block.
    PayOverdue(Money),
    /// Marked as paid before delivery, the order passes the settlement rule.
    Prepay,
    /// Only an unfreeze (through a request) helps.
    Unfreeze,
    /// A first limit of this much (through a request) lets the order pass.
    FirstLimit(Money),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    pub remedies: Vec<Remedy>,
    pub limit: Money,
    pub exposure: Money,
    /// Credit left before this order (never negative).
    pub available: Money,
    /// Utilisation after the order, basis points (`None` with a zero limit).
    pub used_after_bp: Option<i64>,
    /// The limit is hidden from the user: `limit`, `available` and `used_after_bp` stand for
    /// nothing (zero, `None`) and are not to be shown.
    pub limit_hidden: bool,
}

impl CheckResult {
    /// The request a blocked check offers, with the limit to ask for: a first limit for a
    /// customer without any ([`Remedy::FirstLimit`]), else the temporary limit of
    /// [`CheckResult::temporary_limit_to_ask`]; `None` when no limit helps.
    pub fn request_to_ask(&self, permanent: Money) -> Option<(crate::approval::Kind, Money)> {
        if let Some(m) = self.remedies.iter().find_map(|r| match r {
            Remedy::FirstLimit(m) => Some(*m),
            _ => None,
        }) {
            return Some((crate::approval::Kind::FirstApplication, m));
        }
        self.temporary_limit_to_ask(permanent)
            .map(|m| (crate::approval::Kind::TemporaryLimit, m))
    }

    /// The temporary limit to ask for so that the order passes, when a temporary increase is a
    /// remedy: the limit in force raised by the increase (a temporary limit is the whole limit
    /// for a while, not an addition) and above the customer's `permanent` limit, as a temporary
    /// limit must be even when the permanent one has lapsed.
    pub fn temporary_limit_to_ask(&self, permanent: Money) -> Option<Money> {
        self.remedies.iter().find_map(|r| match r {
            Remedy::TemporaryIncrease(m) => {
                Some((self.limit + *m).max(permanent + Money::from_minor(1)))
            }
            _ => None,
        })
    }
}

/// The highest exposure a share of the limit allows: `limit x bp / 10000`, rounded down to the fen
/// (an order may take utilisation *to* the share, not over it).
fn share_of(limit: Money, bp: u32) -> Money {
    Money::from_minor((limit.minor() as i128 * bp as i128 / 10_000) as i64)
}

/// The least limit under which an exposure of `after` passes the hold line (the limit itself
/// when the hold rule is off).
fn limit_for(policy: &Policy, after: Money) -> Money {
    match policy.hold_over_bp {
        Some(bp) if bp > 0 => {
            let target = after.mul_ratio_round_half_away(10_000, bp as i64);
            if share_of(target, bp) < after {
                target + Money::from_minor(1)
            } else {
                target
            }
        }
        _ => after,
    }
}

/// Checks an order of `amount` on the day. `prepaid` marks an order paid before delivery.
pub fn check(
    policy: &Policy,
    c: &CheckInput,
    amount: Money,
    prepaid: bool,
    as_of: Date,
) -> CheckResult {
    let row = policy.of(c.grade);
    let limit = c.limits.effective(as_of);
    let exposure = c.exposure.total(policy);
    let after = exposure + amount;
    let available = (limit - exposure).max(Money::ZERO);
    let used_after_bp = ratio_bp_round_half_away(after, limit);
    let mut reasons = Vec::new();
    let mut remedies = Vec::new();
    if c.limits.frozen {
        reasons.push(Reason::Frozen);
        remedies.push(Remedy::Unfreeze);
    }
    if row.settlement == Settlement::CashBeforeDelivery && !prepaid {
        reasons.push(Reason::CashBeforeDelivery);
        remedies.push(Remedy::Prepay);
    }
    if !prepaid && c.limits.hidden {
        // Not known here: the server checks the limit when the order reaches it.
        reasons.push(Reason::LimitUnchecked);
    } else if !prepaid {
        // The binding ceiling: the limit, or the hold share of it when that rule is on.
        let ceiling = match policy.hold_over_bp {
            Some(bp) => share_of(limit, bp).min(limit),
            None => limit,
        };
        let never_granted = c.limits.permanent.is_zero() && limit.is_zero();
        if never_granted && after.is_positive() {
            reasons.push(Reason::NoLimit);
        } else if after > limit {
            reasons.push(Reason::OverLimit { by: after - limit });
        } else if after > ceiling {
            reasons.push(Reason::OverHoldShare {
                used_bp: used_after_bp.unwrap_or(i64::MAX),
            });
        } else if after > share_of(limit, policy.warn_over_bp) {
            reasons.push(Reason::OverWarnShare {
                used_bp: used_after_bp.unwrap_or(i64::MAX),
            });
        }
        if never_granted && after.is_positive() {
            remedies.push(Remedy::FirstLimit(limit_for(policy, after)));
        } else if after > ceiling {
            let over = after - ceiling;
            // A payment lowers open receivables, so it helps only up to what is owed.
            if over <= c.exposure.open_ar {
                remedies.push(Remedy::Pay(over));
            }
            remedies.push(Remedy::OrderAtMost((ceiling - exposure).max(Money::ZERO)));
            // A higher limit raises the hold ceiling too: ask for enough that the order fits under it.
            let needed = match policy.hold_over_bp {
                Some(bp) if bp > 0 => limit_for(policy, after) - limit,
                _ => over,
            };
            remedies.push(Remedy::TemporaryIncrease(needed.max(Money::from_minor(1))));
        }
    }
    let overdue_block = c.overdue > policy.block_overdue_over
        || (c.max_days_overdue > policy.block_days_overdue_over && c.overdue.is_positive());
    if overdue_block && !prepaid {
        reasons.push(Reason::Overdue {
            amount: c.overdue,
            days: c.max_days_overdue,
        });
        remedies.push(Remedy::PayOverdue(c.overdue));
    }
    if let Some(e) = c.limits.expires.filter(|e| as_of > *e) {
        reasons.push(Reason::LimitExpired { on: e });
    }
    if let Some(r) = c.limits.review_due.filter(|r| as_of >= *r) {
        reasons.push(Reason::ReviewDue { on: r });
    }
    let outcome = if reasons.iter().any(Reason::blocks) {
        Outcome::Block
    } else if reasons.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Warn
    };
    if outcome != Outcome::Block {
        remedies.clear();
    }
    CheckResult {
        outcome,
        reasons,
        remedies,
        limit,
        exposure,
        available,
        used_after_bp,
        limit_hidden: c.limits.hidden,
    }
}

/// A held order released by someone: the release covers the amount it was given for, and no more.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub amount: Money,
    pub reason: String,
    pub by: String,
    pub on: Date,
}

impl Release {
    /// Whether the release still lets the order through at `amount`: a larger amount is checked
    /// again, as if never released.
    pub fn covers(&self, amount: Money) -> bool {
        amount <= self.amount
    }
}

/// The limit form: set the permanent limit, add a temporary one, freeze or unfreeze; always with
/// a reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LimitInput {
    /// `first`, `permanent`, `temporary`, `freeze` or `unfreeze`; see `request::limit_request`.
    pub action: String,
    pub amount: String,
    pub start: String,
    pub end: String,
    /// A permanent limit's expiry and next review (`first`, `permanent`); empty: none / the
    /// grade's review cycle.
    pub expires: String,
    pub review: String,
    pub reason: String,
}

pub mod limit_field {
    pub const ACTION: &str = "action";
    pub const AMOUNT: &str = "amount";
    pub const START: &str = "start";
    pub const END: &str = "end";
    pub const EXPIRES: &str = "expires";
    pub const REVIEW: &str = "review";
    pub const REASON: &str = "reason";
}
