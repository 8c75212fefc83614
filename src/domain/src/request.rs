//! Requests that need approval. The approval workflow itself is another piece of work; until it
//! exists, a request is recorded as pending and shown, never applied silently.

use crate::date::Date;
use crate::error::{Errors, FieldError, Problem};
use crate::id::{CustomerId, Meta, RequestId};
use crate::rating::{Fixed, Grade};
use crate::text::text;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestStatus {
    Pending,
    /// Applied at once and recorded with who and why, until the approval workflow exists.
    Recorded,
    Approved,
    Rejected,
    Withdrawn,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestKind {
    /// Replace the scorecard's grade by another, for a reason.
    GradeOverride {
        from: Grade,
        to: Grade,
        score: Fixed,
        model_version: u32,
    },
    /// A change of limits or of the freeze.
    LimitChange {
        before: crate::credit::Limits,
        after: crate::credit::Limits,
    },
    /// A held order released (it may ship) or rejected (it is cancelled).
    OrderRelease {
        order: crate::id::OrderId,
        number: crate::text::DocNo,
        amount: crate::money::Money,
        released: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: RequestId,
    pub meta: Meta,
    pub customer: CustomerId,
    pub kind: RequestKind,
    pub reason: String,
    pub requested_by: String,
    pub requested_on: Date,
    pub status: RequestStatus,
}

/// The grade-override form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OverrideInput {
    pub to: String,
    pub reason: String,
}

pub mod field {
    pub const TO: &str = "to";
    pub const REASON: &str = "reason";
}

/// The grade the scorecard gave, for the override form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Current {
    pub grade: Grade,
    pub score: Fixed,
    pub model_version: u32,
}

impl OverrideInput {
    /// Checks the form: a grade other than the current one, and a reason of at least 10
    /// characters (a reason is what the approver reads).
    #[allow(clippy::too_many_arguments)]
    pub fn validate(
        &self,
        id: RequestId,
        meta: Meta,
        customer: CustomerId,
        current: Current,
        requested_by: &str,
        as_of: Date,
    ) -> Result<Request, Vec<FieldError>> {
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
        let reason = e.take(
            REASON,
            text(&self.reason, true, 500).and_then(|r| {
                if r.chars().count() < 10 {
                    Err(Problem::TooShort { min: 10 })
                } else {
                    Ok(r)
                }
            }),
        );
        e.finish(|| Request {
            id,
            meta,
            customer,
            kind: RequestKind::GradeOverride {
                from: current.grade,
                to: to.unwrap(),
                score: current.score,
                model_version: current.model_version,
            },
            reason: reason.unwrap(),
            requested_by: requested_by.to_string(),
            requested_on: as_of,
            status: RequestStatus::Pending,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{DeviceId, Timestamp};

    fn check(input: OverrideInput) -> Result<Request, Vec<(&'static str, Problem)>> {
        let current = Current {
            grade: Grade::B,
            score: Fixed(6512),
            model_version: 2,
        };
        input
            .validate(
                RequestId::from_u128(1),
                Meta::new(DeviceId::from_u128(2), Timestamp(3)),
                CustomerId::from_u128(4),
                current,
                "Li Wei",
                Date::parse("2026-11-28").unwrap(),
            )
            .map_err(|e| e.into_iter().map(|e| (e.field, e.problem)).collect())
    }

    #[test]
    fn an_override_needs_another_grade_and_a_real_reason() {
        let ok = check(OverrideInput {
            to: "A".into(),
            reason: "Guaranteed by the parent company".into(),
        })
        .unwrap();
        assert_eq!(ok.status, RequestStatus::Pending);
        assert_eq!(
            ok.kind,
            RequestKind::GradeOverride {
                from: Grade::B,
                to: Grade::A,
                score: Fixed(6512),
                model_version: 2
            }
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
}
