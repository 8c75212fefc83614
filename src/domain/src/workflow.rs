//! The approval workflow as pure functions. Each action takes a request, the acting user and the
//! time, and returns the request as it becomes, the effect to write with it (only when the last
//! step approves) and the audit events that record it. The caller writes all three in one
//! transaction, so a limit never changes without its approved request and its audit entry.

use crate::approval::{ApprovalError, Event, Kind, Permission, Role, Route, Routes, State, User};
use crate::credit::Limits;
use crate::date::Date;
use crate::id::CustomerId;
use crate::rating::Grade;
use crate::request::{limits_text, Effect, Request, RequestKind};

/// What an action produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub request: Request,
    pub effect: Option<Effect>,
    pub events: Vec<Event>,
}

/// The route a request of this kind takes for a customer of this grade.
pub fn route_for(routes: &Routes, kind: &RequestKind, grade: Grade) -> Route {
    routes.route(kind.kind(), kind.route_amount(), grade)
}

/// The customer's open request of `kind` (other than a held order's release, which is one per
/// order): what a form shows instead of offering a request that would be refused.
pub fn open_of_kind(requests: &[Request], customer: CustomerId, kind: Kind) -> Option<&Request> {
    requests
        .iter()
        .find(|r| r.customer == customer && r.state().is_open() && r.kind.kind() == kind)
}

/// An open request of the same kind for the same customer (only one may be under way).
pub fn open_conflict<'a>(
    requests: &'a [Request],
    customer: CustomerId,
    kind: &RequestKind,
) -> Option<&'a Request> {
    requests.iter().find(|r| {
        r.customer == customer
            && r.state().is_open()
            && match (&r.kind, kind) {
                (
                    RequestKind::ReleaseHeldOrder { order: a, .. },
                    RequestKind::ReleaseHeldOrder { order: b, .. },
                ) => a == b,
                (
                    RequestKind::WriteOff { dispute: a, .. },
                    RequestKind::WriteOff { dispute: b, .. },
                ) => a == b,
                (a, b) => a.changes_limits() == b.changes_limits() && a.kind() == b.kind(),
            }
    })
}

fn subject(r: &Request) -> String {
    format!("request:{}", r.id)
}

fn event(
    who: &str,
    what: &str,
    subject: String,
    before: String,
    after: String,
    why: &str,
) -> Event {
    Event {
        who: who.into(),
        what: what.into(),
        subject,
        before,
        after,
        why: why.into(),
    }
}

/// A short description of what a request asks for, for the audit trail.
pub fn describe(kind: &RequestKind) -> String {
    match kind {
        RequestKind::FirstApplication { limit, .. } => format!("first limit {}", limit.to_plain()),
        RequestKind::PermanentChange { before, after, .. } => {
            format!("permanent {} -> {}", before.to_plain(), after.to_plain())
        }
        RequestKind::TemporaryLimit { amount, start, end } => format!(
            "temporary {} {}..{}",
            amount.to_plain(),
            start.iso(),
            end.iso()
        ),
        RequestKind::Freeze => "freeze".into(),
        RequestKind::Unfreeze { .. } => "unfreeze".into(),
        RequestKind::GradeOverride { from, to, .. } => {
            format!("grade {} -> {}", from.label(), to.label())
        }
        RequestKind::ReleaseHeldOrder { number, amount, .. } => {
            format!("release order {} ({})", number.as_str(), amount.to_plain())
        }
        RequestKind::WriteOff { number, amount, .. } => {
            format!(
                "write off {} of invoice {}",
                amount.to_plain(),
                number.as_str()
            )
        }
    }
}

/// Submits a draft: it enters its first step.
pub fn submit(mut r: Request, user: &User, at: i64) -> Result<Outcome, ApprovalError> {
    r.flow.submit(user, at)?;
    let route = r
        .flow
        .route
        .steps
        .iter()
        .map(|s| {
            s.roles
                .iter()
                .map(|x| x.code())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect::<Vec<_>>()
        .join(" > ");
    let events = vec![event(
        &user.id,
        "request.submitted",
        subject(&r),
        describe(&r.kind),
        route,
        &r.reason,
    )];
    Ok(Outcome {
        request: r,
        effect: None,
        events,
    })
}

/// Approves or rejects the current step. When the last step approves, the effect is applied to
/// the customer's limits as they are now (`limits`).
#[allow(clippy::too_many_arguments)]
pub fn decide(
    mut r: Request,
    limits: &Limits,
    user: &User,
    role: Role,
    approve: bool,
    comment: &str,
    at: i64,
    as_of: Date,
) -> Result<Outcome, ApprovalError> {
    let before = r.flow.state;
    let after = r.flow.decide(user, role, approve, comment, at)?;
    let step = match before {
        State::InStep(k) => k + 1,
        _ => 0,
    };
    let what = match (approve, after) {
        (false, _) => "request.rejected",
        (true, State::Approved) => "request.approved",
        (true, _) => "request.step_approved",
    };
    let mut events = vec![event(
        &user.id,
        what,
        subject(&r),
        format!("step {step} ({})", role.code()),
        after.code().into(),
        comment.trim(),
    )];
    let effect = (after == State::Approved).then(|| r.effect(limits, as_of));
    let why = format!("{} (request {})", r.reason, r.id);
    let customer = format!("customer:{}", r.customer);
    match &effect {
        Some(Effect::Limits(next)) => events.push(event(
            &user.id,
            "limits.changed",
            customer,
            limits_text(limits),
            limits_text(next),
            &why,
        )),
        Some(Effect::Grade(g)) => {
            let RequestKind::GradeOverride { from, .. } = r.kind else {
                unreachable!("a grade effect comes from an override")
            };
            events.push(event(
                &user.id,
                "grade.overridden",
                customer,
                from.label().into(),
                g.grade.label().into(),
                &why,
            ))
        }
        Some(Effect::Release(order)) => events.push(event(
            &user.id,
            "order.released",
            format!("order:{order}"),
            "held".into(),
            "open".into(),
            &why,
        )),
        Some(Effect::WriteOff) => {
            let RequestKind::WriteOff {
                ref dispute,
                amount,
                ..
            } = r.kind
            else {
                unreachable!("a write-off effect comes from a write-off")
            };
            events.push(event(
                &user.id,
                "dispute.written_off",
                format!("dispute:{dispute}"),
                "open".into(),
                amount.to_plain(),
                &why,
            ))
        }
        None => {}
    }
    Ok(Outcome {
        request: r,
        effect,
        events,
    })
}

/// The requester takes the request back.
pub fn withdraw(mut r: Request, user: &User, at: i64) -> Result<Outcome, ApprovalError> {
    let before = r.flow.state;
    r.flow.withdraw(user, at)?;
    let events = vec![event(
        &user.id,
        "request.withdrawn",
        subject(&r),
        format!("{before:?}"),
        "withdrawn".into(),
        "",
    )];
    Ok(Outcome {
        request: r,
        effect: None,
        events,
    })
}

/// The system closes a request that waited too long (see `Request::expires`).
pub fn expire(mut r: Request, at: i64) -> Result<Outcome, ApprovalError> {
    let before = r.flow.state;
    r.flow.expire(at)?;
    let events = vec![event(
        "system",
        "request.expired",
        subject(&r),
        format!("{before:?}"),
        "expired".into(),
        "deadline passed",
    )];
    Ok(Outcome {
        request: r,
        effect: None,
        events,
    })
}

/// Whether `user` may file a request of this kind.
pub fn may_file(user: &User) -> Result<(), ApprovalError> {
    if user.may(Permission::FileRequests) {
        Ok(())
    } else {
        Err(ApprovalError::NotPermitted)
    }
}
