//! Requests that change a customer's credit: what each asks for, the forms that make them, the
//! effect an approved request has, and records kept from before the approval workflow existed.
//! How a request moves through its route is [`crate::approval::Flow`]; the workflow that ties a
//! request, its effect and its audit entries together is [`crate::workflow`].

use crate::approval::{Flow, Kind, Route, State, DAY_MS};
use crate::credit::{LimitInput, Limits, TemporaryLimit};
use crate::date::Date;
use crate::error::{Errors, FieldError, Problem};
use crate::id::{CustomerId, InvoiceId, Meta, OrderId, RequestId};
use crate::money::Money;
use crate::rating::{Fixed, Grade};
use crate::text::{text, DocNo};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// A first permanent limit for a customer that has none.
    FirstApplication {
        limit: Money,
        /// When the limit lapses (a contract, a guarantee, credit insurance); none: never.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires: Option<Date>,
        /// The next review, typed; none: the grade's review cycle from the day of approval.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        review: Option<Date>,
    },
    /// A new permanent limit; its calendar (expiry, review) as for a first limit. A change
    /// states the expiry it keeps: the form starts from the one in force.
    PermanentChange {
        before: Money,
        after: Money,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires: Option<Date>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        review: Option<Date>,
    },
    /// A limit in force from `start` to `end` (inclusive), above the permanent one.
    TemporaryLimit {
        amount: Money,
        start: Date,
        end: Date,
    },
    Freeze,
    /// Routed like a change to `limit`, the customer's limit when it was filed.
    Unfreeze {
        limit: Money,
    },
    /// Replace the scorecard's grade by another; routed by the customer's limit.
    GradeOverride {
        from: Grade,
        to: Grade,
        score: Fixed,
        model_version: u32,
        limit: Money,
    },
    /// Let an order the credit check held go ahead.
    ReleaseHeldOrder {
        order: OrderId,
        number: DocNo,
        amount: Money,
    },
    /// Write off what a dispute holds of an invoice (`number`): approved, it is recorded as a
    /// credit note (its id the request's, its number the next `WO-` one) and the dispute is
    /// resolved (see [`crate::dispute`]).
    WriteOff {
        dispute: String,
        invoice: InvoiceId,
        number: DocNo,
        amount: Money,
    },
}

impl RequestKind {
    pub fn kind(&self) -> Kind {
        match self {
            RequestKind::FirstApplication { .. } => Kind::FirstApplication,
            RequestKind::PermanentChange { .. } => Kind::PermanentChange,
            RequestKind::TemporaryLimit { .. } => Kind::TemporaryLimit,
            RequestKind::Freeze => Kind::Freeze,
            RequestKind::Unfreeze { .. } => Kind::Unfreeze,
            RequestKind::GradeOverride { .. } => Kind::GradeOverride,
            RequestKind::ReleaseHeldOrder { .. } => Kind::ReleaseHeldOrder,
            RequestKind::WriteOff { .. } => Kind::WriteOff,
        }
    }

    /// The amount that picks the tier: the limit the customer would have, or the order's amount.
    pub fn route_amount(&self) -> Money {
        match *self {
            RequestKind::FirstApplication { limit, .. } => limit,
            RequestKind::PermanentChange { after, .. } => after,
            RequestKind::TemporaryLimit { amount, .. } => amount,
            RequestKind::Freeze => Money::ZERO,
            RequestKind::Unfreeze { limit } => limit,
            RequestKind::GradeOverride { limit, .. } => limit,
            RequestKind::ReleaseHeldOrder { amount, .. } => amount,
            RequestKind::WriteOff { amount, .. } => amount,
        }
    }

    /// Whether approving it changes the customer's limits or freeze.
    pub fn changes_limits(&self) -> bool {
        !matches!(
            self,
            RequestKind::GradeOverride { .. }
                | RequestKind::ReleaseHeldOrder { .. }
                | RequestKind::WriteOff { .. }
        )
    }
    /// Whether approving it changes a customer's credit controls (limits, freeze or grade).
    pub fn changes_limits_or_grade(&self) -> bool {
        !matches!(
            self,
            RequestKind::ReleaseHeldOrder { .. } | RequestKind::WriteOff { .. }
        )
    }
}

/// A file attached to a request; its bytes are stored apart, under `id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    pub name: String,
    pub mime: String,
    pub size: u64,
}

pub const MAX_ATTACHMENTS: usize = 5;
pub const MAX_ATTACHMENT_BYTES: u64 = 5 * 1024 * 1024;

/// Checks files about to be attached: at most five, none empty or over 5 MiB.
pub fn check_attachments(files: &[Attachment]) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    if files.len() > MAX_ATTACHMENTS {
        e.push(
            field::ATTACHMENTS,
            Problem::OutOfRange {
                min: 0,
                max: MAX_ATTACHMENTS as i64,
            },
        );
    }
    for f in files {
        if f.size == 0 || f.size > MAX_ATTACHMENT_BYTES {
            e.push(
                field::ATTACHMENTS,
                Problem::FileSize {
                    max_mib: (MAX_ATTACHMENT_BYTES >> 20) as u32,
                },
            );
        }
    }
    e.finish(|| ())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: RequestId,
    pub meta: Meta,
    pub customer: CustomerId,
    pub kind: RequestKind,
    pub reason: String,
    /// The requester's user id.
    pub requested_by: String,
    pub requested_on: Date,
    pub flow: Flow,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Kept from before the approval workflow existed: applied at once, with no route.
    #[serde(default)]
    pub legacy: bool,
    /// Only in a copy made for a user from whom limits are hidden ([`Request::without_limits`]):
    /// the limits the kind names are zero, save the one that user proposed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub limits_hidden: bool,
}

/// A grade set by an approved override, in place of the scorecard's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeOverride {
    pub grade: Grade,
    pub request: RequestId,
    pub since: Date,
}

/// What an approved request changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Limits(Limits),
    Grade(GradeOverride),
    Release(OrderId),
    /// Write off a dispute: the request's kind says what.
    WriteOff,
}

impl Request {
    pub fn state(&self) -> State {
        self.flow.state
    }

    /// The request as `user`, from whom limits are hidden, holds it: every limit it names is
    /// zero (the one in force when it was filed, the one an unfreeze or an override is routed
    /// by), save the limit `user` proposed in it themselves, which they know. Another's proposal
    /// is hidden too: approved, it is the customer's limit. The tier it is routed by stays.
    pub fn without_limits(&self, user: &str) -> Request {
        let own = self.requested_by == user;
        let keep = |m: Money| if own { m } else { Money::ZERO };
        let kind = match &self.kind {
            RequestKind::FirstApplication {
                limit,
                expires,
                review,
            } => RequestKind::FirstApplication {
                limit: keep(*limit),
                expires: *expires,
                review: *review,
            },
            RequestKind::PermanentChange {
                after,
                expires,
                review,
                ..
            } => RequestKind::PermanentChange {
                before: Money::ZERO,
                after: keep(*after),
                expires: *expires,
                review: *review,
            },
            RequestKind::TemporaryLimit { amount, start, end } => RequestKind::TemporaryLimit {
                amount: keep(*amount),
                start: *start,
                end: *end,
            },
            RequestKind::Unfreeze { .. } => RequestKind::Unfreeze { limit: Money::ZERO },
            RequestKind::GradeOverride {
                from,
                to,
                score,
                model_version,
                ..
            } => RequestKind::GradeOverride {
                from: *from,
                to: *to,
                score: *score,
                model_version: *model_version,
                limit: Money::ZERO,
            },
            // An order's amount and a dispute's are the user's to see.
            k @ (RequestKind::Freeze
            | RequestKind::ReleaseHeldOrder { .. }
            | RequestKind::WriteOff { .. }) => k.clone(),
        };
        Request {
            kind,
            limits_hidden: true,
            ..self.clone()
        }
    }

    /// Whether an open request must expire at `now`: still open `expire_days` after it was
    /// submitted, or a temporary limit whose end has passed before it was approved.
    pub fn expires(&self, now: i64, as_of: Date, expire_days: u32) -> bool {
        let State::InStep(_) = self.flow.state else {
            return false;
        };
        now - self.flow.submitted_at >= expire_days as i64 * DAY_MS
            || matches!(self.kind, RequestKind::TemporaryLimit { end, .. } if end < as_of)
    }

    /// The effect of approving, applied to the customer's limits as they are at approval (not
    /// as they were when it was filed, since other changes may have come between).
    pub fn effect(&self, current: &Limits, as_of: Date) -> Effect {
        let mut next = current.clone();
        match self.kind {
            RequestKind::FirstApplication { limit, expires, .. } => {
                next.permanent = limit;
                next.expires = expires;
            }
            RequestKind::PermanentChange { after, expires, .. } => {
                next.permanent = after;
                next.expires = expires;
            }
            RequestKind::TemporaryLimit { amount, start, end } => {
                next.temporary.push(TemporaryLimit { amount, start, end });
                // Temporary limits that ended long ago are dropped as new ones come.
                next.temporary.retain(|t| t.end.days_since(as_of) > -366);
            }
            RequestKind::Freeze => next.frozen = true,
            RequestKind::Unfreeze { .. } => next.frozen = false,
            RequestKind::GradeOverride { to, .. } => {
                return Effect::Grade(GradeOverride {
                    grade: to,
                    request: self.id,
                    since: as_of,
                })
            }
            RequestKind::ReleaseHeldOrder { order, .. } => return Effect::Release(order),
            RequestKind::WriteOff { .. } => return Effect::WriteOff,
        }
        Effect::Limits(next)
    }
}

/// The limit's calendar after an approved request set a permanent limit (a first limit, a
/// change, or a review that kept it): the next review is the one the request typed, else it
/// falls `review_months` (the grade's review cycle) after the day of approval; no cycle, no
/// review date. Other requests leave it as it was.
pub fn next_review(kind: &RequestKind, next: &mut Limits, as_of: Date, review_months: u32) {
    match kind {
        RequestKind::FirstApplication { review, .. }
        | RequestKind::PermanentChange { review, .. } => {
            next.review_due = review
                .or_else(|| (review_months > 0).then(|| as_of.add_months(review_months as i32)));
        }
        _ => {}
    }
}

/// The temporary limits that ended before `as_of` (they are dropped from the limits, with an
/// entry on the trail, the first day after their end).
pub fn lapsed(limits: &Limits, as_of: Date) -> Vec<TemporaryLimit> {
    limits
        .temporary
        .iter()
        .filter(|t| t.end < as_of)
        .cloned()
        .collect()
}

/// Limits as one line of text, for the audit trail.
pub fn limits_text(l: &Limits) -> String {
    let mut s = format!("permanent {}", l.permanent.to_plain());
    for t in &l.temporary {
        s += &format!(
            "; temporary {} {}..{}",
            t.amount.to_plain(),
            t.start.iso(),
            t.end.iso()
        );
    }
    if l.frozen {
        s += "; frozen";
    }
    s
}

/// The kind of request a form's action asks for (`first`, `permanent`, `temporary`, `freeze`,
/// `unfreeze`, `override`): what the form asks `workflow::open_of_kind` before it offers one.
pub fn action_kind(action: &str) -> Option<Kind> {
    Some(match action {
        "first" => Kind::FirstApplication,
        "permanent" => Kind::PermanentChange,
        "temporary" => Kind::TemporaryLimit,
        "freeze" => Kind::Freeze,
        "unfreeze" => Kind::Unfreeze,
        "override" => Kind::GradeOverride,
        _ => return None,
    })
}

/// Reads back what [`limits_text`] wrote (an audit entry's before or after), so that the trail
/// can be told in words: `None` for any other text. Review and expiry dates are not in the text.
pub fn read_limits_text(s: &str) -> Option<Limits> {
    let mut parts = s.split("; ");
    let permanent = Money::parse(parts.next()?.strip_prefix("permanent ")?).ok()?;
    let mut l = Limits {
        permanent,
        ..Limits::default()
    };
    for p in parts {
        if p == "frozen" {
            l.frozen = true;
        } else {
            let (amount, span) = p.strip_prefix("temporary ")?.split_once(' ')?;
            let (start, end) = span.split_once("..")?;
            l.temporary.push(TemporaryLimit {
                amount: Money::parse(amount).ok()?,
                start: Date::parse(start).ok()?,
                end: Date::parse(end).ok()?,
            });
        }
    }
    Some(l)
}

pub mod field {
    pub const TO: &str = "to";
    pub const REASON: &str = "reason";
    pub const ATTACHMENTS: &str = "attachments";
}

fn reason(input: &str) -> Result<String, Problem> {
    text(input, true, 500).and_then(|r| {
        if r.chars().count() < 10 {
            Err(Problem::TooShort { min: 10 })
        } else {
            Ok(r)
        }
    })
}

/// A limit form's expiry and review, each empty (none) or a day after `as_of` within ten years,
/// the review not after the expiry; problems go to `e`.
fn calendar(input: &LimitInput, as_of: Date, e: &mut Errors) -> (Option<Date>, Option<Date>) {
    use crate::credit::limit_field::{EXPIRES, REVIEW};
    let mut day = |field: &'static str, v: &str| {
        if v.trim().is_empty() {
            return None;
        }
        e.take(
            field,
            Date::parse(v).and_then(|d| match d {
                d if d <= as_of => Err(Problem::NotAfterToday),
                d if d > as_of.add_months(120) => Err(Problem::DateOutOfRange),
                d => Ok(d),
            }),
        )
    };
    let expires = day(EXPIRES, &input.expires);
    let review = day(REVIEW, &input.review);
    if let (Some(x), Some(r)) = (expires, review) {
        if r > x {
            e.push(REVIEW, Problem::ReviewAfterExpiry);
        }
    }
    (expires, review)
}

/// What a limit form asks for. Actions: `first`, `permanent`, `temporary`, `freeze`, `unfreeze`.
/// A permanent limit may not exceed the grade's maximum (`cap`); a temporary one may, for a
/// season.
pub fn limit_request(
    input: &LimitInput,
    current: &Limits,
    cap: Money,
    as_of: Date,
) -> Result<(RequestKind, String), Vec<FieldError>> {
    use crate::credit::limit_field::*;
    let mut e = Errors::default();
    let mut kind = None;
    let amount = |e: &mut Errors| {
        e.take(
            AMOUNT,
            Money::parse_non_negative(&input.amount).and_then(|a| {
                if a > cap {
                    Err(Problem::OutOfRange {
                        min: 0,
                        max: cap.minor() / 100,
                    })
                } else {
                    Ok(a)
                }
            }),
        )
    };
    // A permanent limit's calendar (`first`, `permanent`): an expiry and a review, each
    // optional, each after today (within ten years), the review not after the expiry. Its
    // problems are listed after the others, in the form's order.
    let mut calendar_errors = Errors::default();
    let (expires, review) = if matches!(input.action.as_str(), "first" | "permanent") {
        calendar(input, as_of, &mut calendar_errors)
    } else {
        (None, None)
    };
    match input.action.as_str() {
        "first" if !current.permanent.is_zero() => e.push(ACTION, Problem::HasLimit),
        "first" => {
            kind = amount(&mut e)
                .filter(|a| {
                    a.is_positive() || {
                        e.push(AMOUNT, Problem::NotPositive);
                        false
                    }
                })
                .map(|limit| RequestKind::FirstApplication {
                    limit,
                    expires,
                    review,
                });
        }
        "permanent" => {
            kind = amount(&mut e)
                .filter(|a| {
                    *a != current.permanent || {
                        e.push(AMOUNT, Problem::SameAsCurrent);
                        false
                    }
                })
                .map(|after| RequestKind::PermanentChange {
                    before: current.permanent,
                    after,
                    expires,
                    review,
                });
        }
        "temporary" => {
            let amount = e.take(
                AMOUNT,
                Money::parse_positive(&input.amount).and_then(|a| {
                    if a <= current.permanent {
                        Err(Problem::NotAbove {
                            min: current.permanent.minor() / 100,
                        })
                    } else {
                        Ok(a)
                    }
                }),
            );
            let start = e.take(START, Date::parse(&input.start));
            let end = e.take(END, Date::parse(&input.end));
            if let (Some(s), Some(en)) = (start, end) {
                if en < s {
                    e.push(END, Problem::DueBeforeIssue);
                } else if en.days_since(s) > 366 {
                    e.push(END, Problem::OutOfRange { min: 0, max: 366 });
                } else if en < as_of {
                    e.push(END, Problem::DateOutOfRange);
                }
            }
            if let (Some(amount), Some(start), Some(end)) = (amount, start, end) {
                kind = Some(RequestKind::TemporaryLimit { amount, start, end });
            }
        }
        "freeze" if current.frozen => e.push(ACTION, Problem::SameAsCurrent),
        "freeze" => kind = Some(RequestKind::Freeze),
        "unfreeze" if !current.frozen => e.push(ACTION, Problem::SameAsCurrent),
        "unfreeze" => {
            kind = Some(RequestKind::Unfreeze {
                limit: current.effective(as_of),
            })
        }
        _ => e.push(ACTION, Problem::Required),
    }
    e.0.append(&mut calendar_errors.0);
    let reason = e.take(REASON, reason(&input.reason));
    e.finish(|| (kind.expect("checked"), reason.expect("checked")))
}

/// The grade-override form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OverrideInput {
    pub to: String,
    pub reason: String,
}

/// The grade the scorecard gave, for the override form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Current {
    pub grade: Grade,
    pub score: Fixed,
    pub model_version: u32,
    /// The customer's limit today, which routes the request.
    pub limit: Money,
}

impl OverrideInput {
    /// Checks the form: a grade other than the current one, and a reason of at least 10
    /// characters (a reason is what the approver reads).
    pub fn validate(&self, current: Current) -> Result<(RequestKind, String), Vec<FieldError>> {
        use field::*;
        let mut e = Errors::default();
        let to = e.take(
            TO,
            Grade::ALL
                .into_iter()
                .find(|g| g.label() == self.to.trim())
                .ok_or(Problem::Required)
                .and_then(|g| {
                    if g == current.grade {
                        Err(Problem::SameAsCurrent)
                    } else {
                        Ok(g)
                    }
                }),
        );
        let reason = e.take(REASON, reason(&self.reason));
        e.finish(|| {
            (
                RequestKind::GradeOverride {
                    from: current.grade,
                    to: to.unwrap(),
                    score: current.score,
                    model_version: current.model_version,
                    limit: current.limit,
                },
                reason.unwrap(),
            )
        })
    }
}

/// Checks a request as it arrives, typed (a command from this device or pushed from another),
/// by the same rules as the forms that make it: [`limit_request`] for a limit or a freeze (the
/// grade's maximum `cap` for a permanent limit; a temporary one above the permanent limit, for
/// at most 366 days, not ended; a first limit only without one), [`OverrideInput::validate`] for
/// a grade override (another grade than `grade`), [`release_reason`] for a release; and always a
/// reason of at least 10 characters.
pub fn check_request(
    kind: &RequestKind,
    reason_text: &str,
    current: &Limits,
    cap: Money,
    grade: Grade,
    as_of: Date,
) -> Result<(), Vec<FieldError>> {
    let iso = |d: Option<Date>| d.map(|d| d.iso()).unwrap_or_default();
    let (expires, review) = match kind {
        RequestKind::FirstApplication {
            expires, review, ..
        }
        | RequestKind::PermanentChange {
            expires, review, ..
        } => (iso(*expires), iso(*review)),
        _ => Default::default(),
    };
    let limit = |action: &str, amount: Money, start: Option<Date>, end: Option<Date>| {
        limit_request(
            &LimitInput {
                action: action.into(),
                amount: amount.to_plain(),
                start: iso(start),
                end: iso(end),
                expires: expires.clone(),
                review: review.clone(),
                reason: reason_text.into(),
            },
            current,
            cap,
            as_of,
        )
        .map(|_| ())
    };
    match kind {
        RequestKind::FirstApplication { limit: l, .. } => limit("first", *l, None, None),
        RequestKind::PermanentChange { after, .. } => limit("permanent", *after, None, None),
        RequestKind::TemporaryLimit { amount, start, end } => {
            limit("temporary", *amount, Some(*start), Some(*end))
        }
        RequestKind::Freeze => limit("freeze", Money::ZERO, None, None),
        RequestKind::Unfreeze { .. } => limit("unfreeze", Money::ZERO, None, None),
        RequestKind::GradeOverride { to, .. } => OverrideInput {
            to: to.label().into(),
            reason: reason_text.into(),
        }
        .validate(Current {
            grade,
            score: Fixed(0),
            model_version: 0,
            limit: Money::ZERO,
        })
        .map(|_| ()),
        RequestKind::ReleaseHeldOrder { .. } | RequestKind::WriteOff { .. } => {
            release_reason(reason_text).map(|_| ())
        }
    }
}

/// Checks the reason given for releasing a held order.
pub fn release_reason(input: &str) -> Result<String, Vec<FieldError>> {
    reason(input).map_err(|p| vec![FieldError::new(field::REASON, p)])
}

/// A new request, not yet submitted: its route is the one the routes give today.
#[allow(clippy::too_many_arguments)]
pub fn draft(
    id: RequestId,
    meta: Meta,
    customer: CustomerId,
    kind: RequestKind,
    reason: String,
    requester: &str,
    route: Route,
    as_of: Date,
) -> Request {
    Request {
        id,
        meta,
        customer,
        kind,
        reason,
        requested_by: requester.into(),
        requested_on: as_of,
        flow: Flow::new(requester, route),
        attachments: Vec::new(),
        legacy: false,
        limits_hidden: false,
    }
}

/// Reads a stored request, converting records kept before the approval workflow existed (they
/// had a `status` and were applied at once) so that nothing saved is lost.
pub fn from_stored(json: &str) -> Result<Request, String> {
    if let Ok(r) = serde_json::from_str::<Request>(json) {
        return Ok(r);
    }
    legacy::convert(json)
}

mod legacy {
    use super::*;
    use crate::approval::Route;

    #[derive(Deserialize)]
    enum OldKind {
        GradeOverride {
            from: Grade,
            to: Grade,
            score: Fixed,
            model_version: u32,
        },
        LimitChange {
            before: Limits,
            after: Limits,
        },
        OrderRelease {
            order: OrderId,
            number: DocNo,
            amount: Money,
            released: bool,
        },
    }

    #[derive(Deserialize)]
    struct Old {
        id: RequestId,
        meta: Meta,
        customer: CustomerId,
        kind: OldKind,
        reason: String,
        requested_by: String,
        requested_on: Date,
        status: String,
    }

    pub fn convert(json: &str) -> Result<Request, String> {
        let old: Old = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let at = old.meta.updated_at.0;
        let (kind, state) = match old.kind {
            OldKind::GradeOverride {
                from,
                to,
                score,
                model_version,
            } => (
                RequestKind::GradeOverride {
                    from,
                    to,
                    score,
                    model_version,
                    limit: Money::ZERO,
                },
                // Never routed: it lapses, and may be filed again.
                if old.status == "Pending" {
                    State::Expired
                } else {
                    State::Approved
                },
            ),
            OldKind::LimitChange { before, after } => {
                let kind = if after.frozen != before.frozen {
                    if after.frozen {
                        RequestKind::Freeze
                    } else {
                        RequestKind::Unfreeze {
                            limit: before.permanent,
                        }
                    }
                } else if let Some(t) = after
                    .temporary
                    .iter()
                    .find(|t| !before.temporary.contains(t))
                {
                    RequestKind::TemporaryLimit {
                        amount: t.amount,
                        start: t.start,
                        end: t.end,
                    }
                } else {
                    RequestKind::PermanentChange {
                        before: before.permanent,
                        after: after.permanent,
                        expires: None,
                        review: None,
                    }
                };
                (kind, State::Approved)
            }
            OldKind::OrderRelease {
                order,
                number,
                amount,
                released,
            } => (
                RequestKind::ReleaseHeldOrder {
                    order,
                    number,
                    amount,
                },
                if released {
                    State::Approved
                } else {
                    State::Rejected
                },
            ),
        };
        let mut flow = Flow::new(
            &old.requested_by,
            Route {
                steps: Vec::new(),
                due_hours: 0,
                escalate_hours: 0,
                tier: 0,
                simplified: false,
            },
        );
        flow.state = state;
        flow.submitted_at = at;
        flow.closed_at = Some(at);
        Ok(Request {
            id: old.id,
            meta: old.meta,
            customer: old.customer,
            kind,
            reason: old.reason,
            requested_by: old.requested_by,
            requested_on: old.requested_on,
            flow,
            attachments: Vec::new(),
            legacy: true,
            limits_hidden: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current() -> Current {
        Current {
            grade: Grade::B,
            score: Fixed(6512),
            model_version: 2,
            limit: Money::from_units(80_000),
        }
    }

    fn static_name(f: std::borrow::Cow<'static, str>) -> &'static str {
        match f {
            std::borrow::Cow::Borrowed(s) => s,
            std::borrow::Cow::Owned(s) => s.leak(),
        }
    }

    fn check(input: OverrideInput) -> Result<RequestKind, Vec<(&'static str, Problem)>> {
        input.validate(current()).map(|(k, _)| k).map_err(|e| {
            e.into_iter()
                .map(|e| (static_name(e.field), e.problem))
                .collect()
        })
    }

    #[test]
    fn an_override_needs_another_grade_and_a_real_reason() {
        assert_eq!(
            check(OverrideInput {
                to: "A".into(),
                reason: "Guaranteed by the parent company".into(),
            }),
            Ok(RequestKind::GradeOverride {
                from: Grade::B,
                to: Grade::A,
                score: Fixed(6512),
                model_version: 2,
                limit: Money::from_units(80_000),
            })
        );
        assert_eq!(
            check(OverrideInput {
                to: "B".into(),
                reason: "short".into()
            }),
            Err(vec![
                (field::TO, Problem::SameAsCurrent),
                (field::REASON, Problem::TooShort { min: 10 })
            ])
        );
        assert_eq!(
            check(OverrideInput {
                to: "Z".into(),
                reason: "  ".into()
            }),
            Err(vec![
                (field::TO, Problem::Required),
                (field::REASON, Problem::Required)
            ])
        );
    }

    #[test]
    fn a_record_from_before_approvals_is_kept_as_a_legacy_request() {
        let json = r#"{"id":"00000000-0000-0000-0000-000000000001","meta":{"version":1,"updated_at":5,"device":"00000000-0000-0000-0000-000000000002"},"customer":"00000000-0000-0000-0000-000000000003","kind":{"LimitChange":{"before":{"permanent":100,"temporary":[],"frozen":false,"review_due":null,"expires":null},"after":{"permanent":100,"temporary":[],"frozen":true,"review_due":null,"expires":null}}},"reason":"overdue three months","requested_by":"Li Wei","requested_on":"2026-11-28","status":"Recorded"}"#;
        let r = from_stored(json).unwrap();
        assert!(r.legacy);
        assert_eq!(r.kind, RequestKind::Freeze);
        assert_eq!(r.state(), State::Approved);
        assert_eq!(r.reason, "overdue three months");
        assert!(from_stored("{\"id\":1}").is_err());
    }
}
