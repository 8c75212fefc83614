//! The approval workflow: routes, separation of duties, deadlines, the inbox, effects, and the
//! audit chain.

use creditdesk_domain::approval::*;
use creditdesk_domain::credit::{LimitInput, Limits};
use creditdesk_domain::id::{CustomerId, DeviceId, Meta, OrderId, RequestId, Timestamp};
use creditdesk_domain::rating::{Fixed, Grade};
use creditdesk_domain::request::{self, draft, limit_request, Effect, Request, RequestKind};
use creditdesk_domain::workflow;
use creditdesk_domain::{Date, DocNo, Money, Problem};
use proptest::prelude::*;

const H: i64 = HOUR_MS;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn y(units: i64) -> Money {
    Money::from_units(units)
}

fn user(id: &str, roles: &[Role]) -> User {
    User {
        id: id.into(),
        name: id.into(),
        roles: roles.to_vec(),
        region: "East".into(),
    }
}

fn roles_of(route: &Route) -> Vec<Vec<Role>> {
    route.steps.iter().map(|s| s.roles.clone()).collect()
}

#[test]
fn amounts_land_in_the_documented_tiers() {
    use Role::*;
    let r = Routes::default();
    let check = |units: i64, minor: i64, grade: Grade, expected: Vec<Vec<Role>>| {
        let amount = y(units) + Money::from_minor(minor);
        assert_eq!(
            roles_of(&r.route(Kind::PermanentChange, amount, grade)),
            expected,
            "{units}.{minor} {grade}"
        );
    };
    let base = vec![vec![SalesManager], vec![FinanceSpecialist]];
    let mid = [base.clone(), vec![vec![FinanceManager]]].concat();
    let top = [mid.clone(), vec![vec![Cfo, GeneralManager]]].concat();
    check(0, 0, Grade::A, base.clone());
    check(49_999, 99, Grade::A, base.clone());
    check(50_000, 0, Grade::A, mid.clone());
    check(200_000, 0, Grade::A, mid.clone());
    check(200_000, 1, Grade::A, top.clone());
    check(5_000_000, 0, Grade::C, top.clone());
    // AAA takes one step fewer, never fewer than one.
    check(200_000, 1, Grade::AAA, mid.clone());
    check(50_000, 0, Grade::AAA, base.clone());
    check(10, 0, Grade::AAA, base[..1].to_vec());
}

#[test]
fn each_request_type_takes_its_route() {
    use Role::*;
    let routes = Routes::default();
    let order = OrderId::from_u128(7);
    let check = |kind: RequestKind, grade: Grade, expected: Vec<Vec<Role>>| {
        assert_eq!(
            roles_of(&workflow::route_for(&routes, &kind, grade)),
            expected,
            "{kind:?}"
        );
    };
    let base = vec![vec![SalesManager], vec![FinanceSpecialist]];
    let mid = [base.clone(), vec![vec![FinanceManager]]].concat();
    check(
        RequestKind::FirstApplication {
            limit: y(30_000),
            expires: None,
            review: None,
        },
        Grade::B,
        base.clone(),
    );
    check(
        RequestKind::PermanentChange {
            before: y(30_000),
            after: y(50_000),
            expires: None,
            review: None,
        },
        Grade::B,
        mid.clone(),
    );
    check(
        RequestKind::TemporaryLimit {
            amount: y(49_000),
            start: d("2026-12-01"),
            end: d("2026-12-31"),
        },
        Grade::A,
        base.clone(),
    );
    check(
        RequestKind::Freeze,
        Grade::AAA,
        vec![vec![FinanceSpecialist, FinanceManager]],
    );
    // Unfreezing is routed like a change to the customer's limit.
    check(
        RequestKind::Unfreeze { limit: y(120_000) },
        Grade::B,
        mid.clone(),
    );
    check(
        RequestKind::GradeOverride {
            from: Grade::B,
            to: Grade::A,
            score: Fixed(6000),
            model_version: 1,
            limit: y(10_000),
        },
        Grade::B,
        base.clone(),
    );
    check(
        RequestKind::ReleaseHeldOrder {
            order,
            number: DocNo::parse("SO-1").unwrap(),
            amount: y(250_000),
        },
        Grade::A,
        [mid, vec![vec![Cfo, GeneralManager]]].concat(),
    );
}

#[test]
fn only_a_role_that_files_requests_may_file_one() {
    assert_eq!(
        workflow::may_file(&user("nobody", &[])),
        Err(ApprovalError::NotPermitted)
    );
    assert_eq!(workflow::may_file(&user("rep", &[Role::SalesRep])), Ok(()));
}

#[test]
fn each_decision_is_audited_with_its_step_and_role() {
    use Role::*;
    let rep = user("rep", &[SalesRep]);
    let r = routed(temporary(40_000), "rep", Grade::A);
    let mut req = workflow::submit(r, &rep, 0).unwrap().request;
    let mut seen = Vec::new();
    for (who, role) in [("mgr", SalesManager), ("fin", FinanceSpecialist)] {
        let out = workflow::decide(
            req,
            &limits(20_000),
            &user(who, &[role]),
            role,
            true,
            "",
            H,
            d(TODAY),
        )
        .unwrap();
        seen.push((out.events[0].what.clone(), out.events[0].before.clone()));
        req = out.request;
        if req.state() == State::Approved {
            break;
        }
    }
    assert_eq!(
        seen[0],
        (
            "request.step_approved".to_string(),
            "step 1 (sales_manager)".to_string()
        )
    );
    assert_eq!(
        seen.last().unwrap().1,
        format!("step {} (finance_specialist)", seen.len())
    );
}

#[test]
fn an_aaa_customer_skips_the_last_of_several_steps_never_the_only_one() {
    let routes = Routes::default();
    // A freeze has one step (any finance role): an AAA customer keeps it.
    let freeze = routes.route(Kind::Freeze, Money::ZERO, Grade::AAA);
    assert_eq!((freeze.steps.len(), freeze.simplified), (1, false));
    // A tier of one step keeps it for AAA too.
    let mut one = Routes::default();
    assert!(one.aaa_simplified);
    one.tiers[0].steps.truncate(1);
    let r = one.route(Kind::PermanentChange, y(10_000), Grade::AAA);
    assert_eq!((r.steps.len(), r.simplified), (1, false));
    // A limit change of two steps loses its last for AAA, when the routes say so.
    let two = routes.route(Kind::PermanentChange, y(10_000), Grade::A);
    let aaa = routes.route(Kind::PermanentChange, y(10_000), Grade::AAA);
    assert!(two.steps.len() > 1);
    if routes.aaa_simplified {
        assert_eq!(
            (aaa.steps.len(), aaa.simplified),
            (two.steps.len() - 1, true)
        );
    } else {
        assert_eq!(aaa.steps, two.steps);
    }
}

#[test]
fn a_tier_limited_to_grades_routes_only_those_grades() {
    let mut routes = Routes::default();
    routes.tiers.insert(
        0,
        Tier {
            up_to: None,
            grades: vec![Grade::C],
            steps: vec![Step {
                roles: vec![Role::Cfo],
                mode: Mode::AllOf,
            }],
            due_hours: 4,
            escalate_hours: 8,
        },
    );
    assert_eq!(routes.problems(), vec![]);
    let c = routes.route(Kind::PermanentChange, y(10), Grade::C);
    assert_eq!(
        (roles_of(&c), c.due_hours, c.tier),
        (vec![vec![Role::Cfo]], 4, 1)
    );
    assert_eq!(routes.route(Kind::PermanentChange, y(10), Grade::B).tier, 2);
}

#[test]
fn broken_routes_are_refused_with_every_problem_named() {
    let mut r = Routes::default();
    r.tiers[1].up_to = Some(y(10_000));
    r.tiers[0].steps[0].roles.clear();
    r.tiers[2].up_to = Some(y(900_000));
    r.freeze.due_hours = 0;
    r.expire_days = 0;
    let got: Vec<(RouteCode, String)> = r.problems().into_iter().map(|p| (p.code, p.at)).collect();
    assert_eq!(
        got,
        vec![
            (RouteCode::NoRole, "tier 1, step 1".to_string()),
            (RouteCode::AmountsNotRising, "tier 2".to_string()),
            (RouteCode::NoCatchAll, "routes".to_string()),
            (RouteCode::DueHours, "freeze".to_string()),
            (RouteCode::ExpireDays, "routes".to_string()),
        ]
    );
    assert_eq!(Routes::default().problems(), vec![]);
}

#[test]
fn a_route_problem_is_written_with_its_code_as_the_string_it_always_had() {
    let p = RouteProblem {
        code: RouteCode::NoTier,
        at: "routes".into(),
        detail: "there is no tier".into(),
    };
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(
        json,
        r#"{"code":"R001","at":"routes","detail":"there is no tier"}"#
    );
    assert_eq!(serde_json::from_str::<RouteProblem>(&json).unwrap(), p);
    let unknown = r#"{"code":"R999","at":"routes","detail":""}"#;
    assert!(serde_json::from_str::<RouteProblem>(unknown).is_err());
    for c in RouteCode::ALL {
        assert_eq!(RouteCode::from_code(c.code()), Some(c));
    }
}

fn limits(permanent: i64) -> Limits {
    Limits {
        permanent: y(permanent),
        ..Limits::default()
    }
}

fn input(action: &str, amount: &str, start: &str, end: &str, reason: &str) -> LimitInput {
    LimitInput {
        action: action.into(),
        amount: amount.into(),
        start: start.into(),
        end: end.into(),
        reason: reason.into(),
        ..Default::default()
    }
}

const WHY: &str = "Season peak, orders doubled";
const TODAY: &str = "2026-11-28";

#[test]
fn the_limit_form_makes_each_kind_of_request_and_always_wants_a_reason() {
    let current = limits(100);
    let kind =
        |i: LimitInput, l: &Limits| limit_request(&i, l, y(1_000_000), d(TODAY)).map(|k| k.0);
    assert_eq!(
        kind(input("first", "30000", "", "", WHY), &limits(0)),
        Ok(RequestKind::FirstApplication {
            limit: y(30_000),
            expires: None,
            review: None,
        })
    );
    assert_eq!(
        kind(input("permanent", "0", "", "", WHY), &current),
        Ok(RequestKind::PermanentChange {
            before: y(100),
            after: Money::ZERO,
            expires: None,
            review: None,
        }),
        "a limit of zero is allowed: it means no credit"
    );
    assert_eq!(
        kind(
            input("temporary", "500", "2026-11-28", "2026-12-31", WHY),
            &current
        ),
        Ok(RequestKind::TemporaryLimit {
            amount: y(500),
            start: d("2026-11-28"),
            end: d("2026-12-31")
        })
    );
    assert_eq!(
        kind(input("freeze", "", "", "", WHY), &current),
        Ok(RequestKind::Freeze)
    );
    let problems = |i: LimitInput, l: &Limits| -> Vec<(&'static str, Problem)> {
        limit_request(&i, l, y(1_000), d(TODAY))
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field.to_string().leak() as &str, e.problem))
            .collect()
    };
    assert_eq!(
        problems(
            input("temporary", "-1", "2026-12-31", "2026-12-01", "short"),
            &current
        ),
        vec![
            ("amount", Problem::Negative),
            ("end", Problem::DueBeforeIssue),
            ("reason", Problem::TooShort { min: 10 }),
        ]
    );
    assert_eq!(
        problems(input("unfreeze", "", "", "", WHY), &current),
        vec![("action", Problem::SameAsCurrent)]
    );
    assert_eq!(
        problems(input("first", "500", "", "", WHY), &current),
        vec![("action", Problem::HasLimit)]
    );
    assert_eq!(
        problems(input("permanent", "100", "", "", WHY), &current),
        vec![("amount", Problem::SameAsCurrent)]
    );
    assert_eq!(
        problems(input("permanent", "1000.01", "", "", WHY), &current),
        vec![("amount", Problem::OutOfRange { min: 0, max: 1_000 })],
        "a permanent limit stays within the grade's maximum"
    );
}

fn request(kind: RequestKind, requester: &str, grade: Grade) -> Request {
    draft(
        RequestId::from_u128(1),
        Meta::new(DeviceId::from_u128(2), Timestamp(0)),
        CustomerId::from_u128(3),
        kind,
        WHY.into(),
        requester,
        workflow::route_for(&Routes::default(), &RequestKind::Freeze, grade),
        d(TODAY),
    )
}

fn temporary(amount: i64) -> RequestKind {
    RequestKind::TemporaryLimit {
        amount: y(amount),
        start: d("2026-11-28"),
        end: d("2026-12-31"),
    }
}

fn routed(kind: RequestKind, requester: &str, grade: Grade) -> Request {
    let mut r = request(kind.clone(), requester, grade);
    r.flow.route = workflow::route_for(&Routes::default(), &kind, grade);
    r
}

#[test]
fn the_requester_never_approves_and_nobody_skips_a_step() {
    use Role::*;
    let rep = user("rep", &[SalesRep, SalesManager]);
    let manager = user("mgr", &[SalesManager]);
    let finance = user("fin", &[FinanceSpecialist]);
    let mut f = routed(temporary(10_000), "rep", Grade::A).flow;
    assert_eq!(
        f.decide(&manager, SalesManager, true, "", 1),
        Err(ApprovalError::NotOpen),
        "a draft cannot be approved"
    );
    assert_eq!(f.submit(&manager, 0), Err(ApprovalError::NotRequester));
    f.submit(&rep, 0).unwrap();
    assert_eq!(f.can_act(&rep), None);
    assert_eq!(
        f.decide(&rep, SalesManager, true, "", 1),
        Err(ApprovalError::OwnRequest)
    );
    assert_eq!(
        f.decide(&finance, FinanceSpecialist, true, "", 1),
        Err(ApprovalError::WrongRole),
        "no skipping to step 2"
    );
    assert_eq!(
        f.decide(&manager, SalesManager, false, " ", 1),
        Err(ApprovalError::CommentRequired)
    );
    assert_eq!(f.can_act(&manager), Some(SalesManager));
    assert_eq!(
        f.decide(&manager, SalesManager, true, "", 2),
        Ok(State::InStep(1))
    );
    assert_eq!(
        f.step_since, 2,
        "the second step's clock starts when it is reached"
    );
    assert_eq!(
        f.decide(&manager, SalesManager, true, "", 3),
        Err(ApprovalError::AlreadyActed)
    );
    assert_eq!(
        f.decide(&finance, FinanceSpecialist, true, "ok", 4),
        Ok(State::Approved)
    );
    assert_eq!(f.closed_at, Some(4));
    assert_eq!(f.withdraw(&rep, 5), Err(ApprovalError::NotOpen));
}

#[test]
fn each_role_may_do_what_it_should_and_a_rep_sees_only_their_customers() {
    let admin = user("a", &[Role::Admin]);
    let rep = user("Li Na", &[Role::SalesRep]);
    assert!(admin.may(Permission::ManageUsers) && !rep.may(Permission::ManageUsers));
    assert!(rep.may(Permission::FileRequests));
    assert!(!rep.may(Permission::EditPolicy) && !rep.may(Permission::RecordReceivables));
    assert!(rep.sees("Li Na") && !rep.sees("Wang Wei"));
    assert!(user("f", &[Role::FinanceSpecialist]).sees("Wang Wei"));
    let gm = user("g", &[Role::GeneralManager]);
    assert!(!gm.may(Permission::RecordOrders));
    let mut f = routed(temporary(10), "g", Grade::A).flow;
    f.submit(&gm, 0).unwrap();
    let mut f2 = routed(temporary(10), "x", Grade::A).flow;
    assert_eq!(
        f2.submit(&user("x", &[]), 0),
        Err(ApprovalError::NotPermitted),
        "a user without a role files nothing"
    );
}

#[test]
fn a_late_step_reminds_its_approvers_then_escalates_to_the_next_level() {
    use Role::*;
    let rep = user("rep", &[SalesRep]);
    let manager = user("mgr", &[SalesManager]);
    let gm = user("gm", &[GeneralManager]);
    let cfo = user("cfo", &[Cfo]);
    let mut f = routed(temporary(10_000), "rep", Grade::A).flow;
    f.submit(&rep, 0).unwrap();
    assert_eq!(f.deadlines(), Some((24 * H, 48 * H)));
    assert_eq!(f.overdue(24 * H - 1), None);
    assert_eq!(f.inbox_reason(&manager, 23 * H), Some(Inbox::Waiting));
    assert_eq!(f.inbox_reason(&rep, 23 * H), Some(Inbox::Mine));
    assert_eq!(f.inbox_reason(&gm, 23 * H), None);
    assert_eq!(f.overdue(24 * H), Some(Escalation::Reminder));
    assert_eq!(f.inbox_reason(&manager, 24 * H), Some(Inbox::Overdue));
    assert_eq!(f.overdue(48 * H), Some(Escalation::NextLevel));
    // The sales manager's next level up is the general manager.
    assert_eq!(f.inbox_reason(&gm, 48 * H), Some(Inbox::Escalated));
    assert_eq!(f.inbox_reason(&cfo, 48 * H), None);
}

#[test]
fn a_request_expires_when_it_waits_too_long_or_its_period_has_passed() {
    let rep = user("rep", &[Role::SalesRep]);
    let mut r = routed(temporary(10_000), "rep", Grade::A);
    assert!(
        !r.expires(100 * DAY_MS, d("2027-06-01"), 14),
        "a draft does not expire"
    );
    r.flow.submit(&rep, 0).unwrap();
    assert!(!r.expires(14 * DAY_MS - 1, d("2026-12-10"), 14));
    assert!(r.expires(14 * DAY_MS, d("2026-12-10"), 14));
    assert!(
        r.expires(H, d("2027-01-01"), 14),
        "the temporary period ended"
    );
    let out = workflow::expire(r, 14 * DAY_MS).unwrap();
    assert_eq!(out.request.state(), State::Expired);
    assert_eq!(out.events[0].what, "request.expired");
}

#[test]
fn approving_the_last_step_applies_the_effect_with_its_audit_entries() {
    use Role::*;
    let rep = user("rep", &[SalesRep]);
    let manager = user("mgr", &[SalesManager]);
    let finance = user("fin", &[FinanceSpecialist]);
    let current = limits(20_000);
    let r = routed(temporary(40_000), "rep", Grade::A);
    let out = workflow::submit(r, &rep, 0).unwrap();
    assert_eq!(out.events[0].what, "request.submitted");
    // The trail names the request the entry is about, and what it asks for.
    assert_eq!(out.events[0].subject, format!("request:{}", out.request.id));
    assert_eq!(
        out.events[0].before,
        "temporary 40000.00 2026-11-28..2026-12-31"
    );
    let out = workflow::decide(
        out.request,
        &current,
        &manager,
        SalesManager,
        true,
        "",
        H,
        d(TODAY),
    )
    .unwrap();
    assert_eq!(out.effect, None, "nothing changes before the last step");
    let out = workflow::decide(
        out.request,
        &current,
        &finance,
        FinanceSpecialist,
        true,
        "ok",
        2 * H,
        d(TODAY),
    )
    .unwrap();
    let Some(Effect::Limits(next)) = out.effect else {
        panic!("the limits change")
    };
    assert_eq!(next.effective(d("2026-12-31")), y(40_000));
    assert_eq!(
        next.effective(d("2027-01-01")),
        y(20_000),
        "it ends by itself"
    );
    let what: Vec<&str> = out.events.iter().map(|e| e.what.as_str()).collect();
    assert_eq!(what, ["request.approved", "limits.changed"]);
    assert_eq!(out.events[1].before, "permanent 20000.00");
    assert_eq!(
        out.events[1].after,
        "permanent 20000.00; temporary 40000.00 2026-11-28..2026-12-31"
    );
}

#[test]
fn a_rejection_changes_nothing_and_keeps_the_comment() {
    let rep = user("rep", &[Role::SalesRep]);
    let manager = user("mgr", &[Role::SalesManager]);
    let out = workflow::submit(routed(RequestKind::Freeze, "rep", Grade::B), &rep, 0).unwrap();
    assert_eq!(
        workflow::decide(
            out.request.clone(),
            &limits(1),
            &manager,
            Role::SalesManager,
            true,
            "",
            1,
            d(TODAY)
        ),
        Err(ApprovalError::WrongRole),
        "a freeze is for finance alone"
    );
    let fin = user("fin", &[Role::FinanceManager]);
    let out = workflow::decide(
        out.request,
        &limits(1),
        &fin,
        Role::FinanceManager,
        false,
        "Paid yesterday",
        1,
        d(TODAY),
    )
    .unwrap();
    assert_eq!((out.request.state(), out.effect), (State::Rejected, None));
    assert_eq!(out.events[0].why, "Paid yesterday");
}

#[test]
fn only_one_request_of_a_kind_is_open_per_customer() {
    let rep = user("rep", &[Role::SalesRep]);
    let open = workflow::submit(routed(temporary(5), "rep", Grade::A), &rep, 0)
        .unwrap()
        .request;
    let all = vec![open];
    let c = CustomerId::from_u128(3);
    assert!(workflow::open_conflict(&all, c, &temporary(9)).is_some());
    assert!(workflow::open_conflict(&all, c, &RequestKind::Freeze).is_none());
    assert!(workflow::open_conflict(&all, CustomerId::from_u128(4), &temporary(9)).is_none());
    // What a form asks before it offers a request: the open one of that kind, if any.
    assert!(workflow::open_of_kind(&all, c, Kind::TemporaryLimit).is_some());
    assert!(workflow::open_of_kind(&all, c, Kind::Freeze).is_none());
    // A release is per held order: another order's release may be under way beside it.
    let release = |order: u128| RequestKind::ReleaseHeldOrder {
        order: OrderId::from_u128(order),
        number: DocNo::parse(&format!("SO-{order}")).unwrap(),
        amount: y(1_000),
    };
    let open = workflow::submit(routed(release(1), "rep", Grade::A), &rep, 0)
        .unwrap()
        .request;
    let all = vec![open];
    assert!(workflow::open_conflict(&all, c, &release(1)).is_some());
    assert!(workflow::open_conflict(&all, c, &release(2)).is_none());
}

#[test]
fn the_audit_chain_verifies_and_names_the_first_edited_entry() {
    let ev = |what: &str| Event {
        who: "fin".into(),
        what: what.into(),
        subject: "customer:1".into(),
        before: "100".into(),
        after: "200".into(),
        why: "season".into(),
    };
    let mut trail = chain(None, 1, vec![ev("a"), ev("b")]);
    let more = chain(trail.last(), 2, vec![ev("c")]);
    trail.extend(more);
    assert_eq!(trail.iter().map(|e| e.seq).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(verify(&trail), Ok(()));
    let mut edited = trail.clone();
    edited[1].after = "AAA".into();
    assert_eq!(verify(&edited), Err(1));
    let mut removed = trail.clone();
    removed.remove(0);
    assert_eq!(verify(&removed), Err(0));
    let mut swapped = trail.clone();
    swapped.swap(1, 2);
    assert_eq!(verify(&swapped), Err(1));
}

#[test]
fn entries_chained_on_a_head_follow_it_and_no_other() {
    let ev = |what: &str| Event {
        who: "fin".into(),
        what: what.into(),
        ..Event::default()
    };
    let first = chain(None, 1, vec![ev("a"), ev("b")]);
    let next = chain(first.last(), 2, vec![ev("c")]);
    assert!(follows(&first, None));
    assert!(follows(&next, first.last()));
    assert!(
        !follows(&next, None),
        "entries after a head do not start a trail"
    );
    assert!(!follows(&next, first.first()), "nor follow another entry");
    assert!(
        !follows(&first, first.last()),
        "a trail's start follows no entry"
    );
    assert!(follows(&[], first.last()), "nothing follows anything");
}

#[test]
fn the_demo_has_requests_waiting_late_and_escalated() {
    use creditdesk_domain::demo;
    let spec = demo::DemoSpec {
        customers: 60,
        ..demo::DemoSpec::demo(d(TODAY), demo::DemoLang::En)
    };
    let data = demo::generate(&spec);
    let users = demo::users(demo::DemoLang::En);
    assert_eq!(directory_problems(&users), vec![]);
    let now = d(TODAY).days() as i64 * DAY_MS + 10 * H;
    let (requests, trail) = demo::requests(
        &data.customers,
        &users,
        &Routes::default(),
        &|_| Grade::A,
        now,
        d(TODAY),
        demo::DemoLang::En,
    );
    assert_eq!(requests.len(), 3);
    assert_eq!(verify(&trail), Ok(()));
    let by = |id: &str| users.iter().find(|u| u.id == id).unwrap();
    assert_eq!(
        requests[0].flow.inbox_reason(by("sm-1"), now),
        Some(Inbox::Waiting)
    );
    assert_eq!(
        requests[1].flow.inbox_reason(by("fs-1"), now),
        Some(Inbox::Overdue)
    );
    assert_eq!(
        requests[2].flow.inbox_reason(by("gm-1"), now),
        Some(Inbox::Escalated)
    );
    assert!(requests
        .iter()
        .all(|r| request::check_attachments(&r.attachments).is_ok()));
}

#[derive(Debug, Clone)]
enum Act {
    Submit(usize),
    Withdraw(usize),
    Decide {
        who: usize,
        role: usize,
        approve: bool,
        comment: bool,
    },
    Expire,
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        1 => (0usize..6).prop_map(Act::Submit),
        1 => (0usize..6).prop_map(Act::Withdraw),
        4 => (0usize..6, 0usize..7, any::<bool>(), any::<bool>()).prop_map(
            |(who, role, approve, comment)| Act::Decide {
                who,
                role,
                approve,
                comment
            }
        ),
        1 => Just(Act::Expire),
    ]
}

fn kind_strategy() -> impl Strategy<Value = RequestKind> {
    (0u8..6, 1i64..400_000).prop_map(|(k, units)| match k {
        0 => RequestKind::FirstApplication {
            limit: y(units),
            expires: None,
            review: None,
        },
        1 => RequestKind::PermanentChange {
            before: y(1),
            after: y(units),
            expires: None,
            review: None,
        },
        2 => temporary(units),
        3 => RequestKind::Freeze,
        4 => RequestKind::Unfreeze { limit: y(units) },
        _ => RequestKind::GradeOverride {
            from: Grade::B,
            to: Grade::A,
            score: Fixed(1),
            model_version: 1,
            limit: y(units),
        },
    })
}

/// One move of the workflow property: mostly the next valid move of request `which` (submit a
/// draft; approve, or now and then reject, a waiting step as a user who may), sometimes `act`,
/// any move at all by anyone.
#[derive(Debug, Clone)]
struct Move {
    which: usize,
    valid: bool,
    pick: usize,
    reject: bool,
    act: Act,
}

fn a_move() -> impl Strategy<Value = Move> {
    (0usize..4, 0u8..100, 0usize..64, 0u8..100, act()).prop_map(|(which, p, pick, r, act)| Move {
        which,
        valid: p < 85,
        pick,
        reject: r < 6,
        act,
    })
}

/// How the requests of the cases ended, for the property's coverage floor.
#[derive(Default, Debug)]
struct Ends {
    requests: usize,
    approved: usize,
    approved_multi_step: usize,
    rejected: usize,
    withdrawn: usize,
    expired: usize,
    open: usize,
    refused_moves: usize,
}

/// Plays the moves on the requests and checks that separation of duties holds, limits change
/// only by an approved request, and the audit chain verifies; editing any stored entry makes
/// verification fail at that entry.
fn play(
    kinds: &[(RequestKind, bool)],
    moves: &[Move],
    edit: prop::sample::Index,
    ends: &mut Ends,
) -> Result<(), TestCaseError> {
    use Role::*;
    let all = Role::ALL;
    let users = [
        user("u0", &[SalesRep]),
        user("u1", &[SalesManager, SalesRep]),
        user("u2", &[FinanceSpecialist]),
        user("u3", &[FinanceManager, FinanceSpecialist]),
        user("u4", &[Cfo]),
        user("u5", &[GeneralManager, SalesManager]),
    ];
    let mut requests: Vec<Request> = kinds
        .iter()
        .enumerate()
        .map(|(i, (k, aaa))| {
            let mut r = routed(
                k.clone(),
                &format!("u{}", i % 3),
                if *aaa { Grade::AAA } else { Grade::A },
            );
            r.id = RequestId::from_u128(i as u128 + 1);
            r
        })
        .collect();
    let routes: Vec<Route> = requests.iter().map(|r| r.flow.route.clone()).collect();
    let mut current = limits(1_000);
    let mut trail: Vec<AuditEntry> = Vec::new();
    let mut approved = 0;
    for (t, m) in moves.iter().enumerate() {
        let i = m.which % requests.len();
        let r = requests[i].clone();
        let at = t as i64 * H;
        let requester = users.iter().find(|u| u.id == r.flow.requester).unwrap();
        let out = if m.valid {
            match r.flow.state {
                State::Draft => workflow::submit(r, requester, at),
                State::InStep(_) => {
                    // Someone who may act now: one of the roles still missing, not the
                    // requester, not someone who already decided.
                    let missing = r.flow.missing_roles();
                    let can: Vec<(&User, Role)> = users
                        .iter()
                        .filter(|u| {
                            u.id != r.flow.requester
                                && r.flow.decisions.iter().all(|d| d.user != u.id)
                        })
                        .flat_map(|u| {
                            missing
                                .iter()
                                .filter(|role| u.has(**role))
                                .map(move |role| (u, *role))
                        })
                        .collect();
                    if can.is_empty() {
                        continue;
                    }
                    let (u, role) = can[m.pick % can.len()];
                    let comment = if m.reject { "not now" } else { "" };
                    workflow::decide(r, &current, u, role, !m.reject, comment, at, d(TODAY))
                }
                _ => continue,
            }
        } else if matches!(r.flow.state, State::InStep(_)) && m.pick % 2 == 0 {
            // An attack on separation of duties, aimed where it could do harm: the requester,
            // someone who already decided, or someone without the role, acting on a role the
            // step still needs; or a rejection without a comment.
            let missing = r.flow.missing_roles();
            let role = missing[m.pick / 2 % missing.len()];
            let decided: Vec<&User> = users
                .iter()
                .filter(|u| r.flow.decisions.iter().any(|d| d.user == u.id))
                .collect();
            let lacking: Vec<&User> = users.iter().filter(|u| !u.has(role)).collect();
            let (who, approve, comment) = match m.pick / 2 % 4 {
                0 => (requester, true, ""),
                1 if !decided.is_empty() => (decided[m.pick % decided.len()], true, ""),
                2 => (lacking[m.pick % lacking.len()], true, ""),
                _ => {
                    let able: Vec<&User> = users
                        .iter()
                        .filter(|u| u.has(role) && u.id != r.flow.requester)
                        .collect();
                    (able[m.pick % able.len()], false, " ")
                }
            };
            workflow::decide(r, &current, who, role, approve, comment, at, d(TODAY))
        } else {
            match m.act.clone() {
                Act::Submit(u) => workflow::submit(r, &users[u], at),
                Act::Withdraw(u) => workflow::withdraw(r, &users[u], at),
                Act::Expire => workflow::expire(r, at),
                Act::Decide {
                    who,
                    role,
                    approve,
                    comment,
                } => workflow::decide(
                    r,
                    &current,
                    &users[who],
                    all[role],
                    approve,
                    if comment { "because" } else { "" },
                    at,
                    d(TODAY),
                ),
            }
        };
        let Ok(out) = out else {
            ends.refused_moves += 1;
            continue;
        };
        let before = current.clone();
        match &out.effect {
            Some(Effect::Limits(next)) => {
                prop_assert_eq!(out.request.state(), State::Approved);
                current = next.clone();
                approved += 1;
            }
            Some(_) => prop_assert_eq!(out.request.state(), State::Approved),
            None => {}
        }
        let logged = out.events.iter().any(|e| e.what == "limits.changed");
        prop_assert_eq!(
            logged,
            before != current || matches!(out.effect, Some(Effect::Limits(_)))
        );
        trail.extend(chain(trail.last(), at, out.events));
        requests[i] = out.request;
    }
    for (r, route) in requests.iter().zip(&routes) {
        let f = &r.flow;
        let mut seen = std::collections::HashSet::new();
        for d in &f.decisions {
            prop_assert!(d.user != f.requester, "the requester decided");
            prop_assert!(seen.insert(d.user.clone()), "one person decided twice");
            prop_assert!(
                route.steps[d.step].roles.contains(&d.role),
                "a role outside its step acted"
            );
            prop_assert!(
                users.iter().any(|u| u.id == d.user && u.has(d.role)),
                "someone acted in a role they lack"
            );
            prop_assert!(
                d.approve || !d.comment.trim().is_empty(),
                "a rejection without a comment"
            );
        }
        for w in f.decisions.windows(2) {
            prop_assert!(
                w[1].step >= w[0].step && w[1].step <= w[0].step + 1,
                "a step was skipped"
            );
        }
        if f.state == State::Approved {
            for (k, s) in route.steps.iter().enumerate() {
                let approvals: Vec<Role> = f
                    .decisions
                    .iter()
                    .filter(|d| d.step == k && d.approve)
                    .map(|d| d.role)
                    .collect();
                match s.mode {
                    Mode::AllOf => prop_assert!(s.roles.iter().all(|r| approvals.contains(r))),
                    Mode::AnyOf => prop_assert!(!approvals.is_empty()),
                }
            }
        }
        ends.requests += 1;
        match f.state {
            State::Approved if route.steps.len() > 1 => {
                ends.approved += 1;
                ends.approved_multi_step += 1;
            }
            State::Approved => ends.approved += 1,
            State::Rejected => ends.rejected += 1,
            State::Withdrawn => ends.withdrawn += 1,
            State::Expired => ends.expired += 1,
            State::Draft | State::InStep(_) => ends.open += 1,
        }
    }
    let limit_approvals = requests
        .iter()
        .filter(|r| r.state() == State::Approved && r.kind.changes_limits())
        .count();
    prop_assert_eq!(
        approved,
        limit_approvals,
        "limits changed only by approved requests"
    );
    prop_assert_eq!(verify(&trail), Ok(()));
    if !trail.is_empty() {
        let at = edit.index(trail.len());
        let mut edited = trail.clone();
        edited[at].why.push('!');
        prop_assert_eq!(verify(&edited), Err(at as u64));
    }
    Ok(())
}

/// Users do valid and invalid things to requests, and the workflow's rules hold whatever they
/// do. The moves mostly follow valid paths to the end, so that most requests are decided across
/// all their steps: the test prints how the requests ended and fails if too few got far.
#[test]
fn no_sequence_of_actions_breaks_the_workflow() {
    use proptest::test_runner::{Config, TestRunner};
    let strategy = (
        proptest::collection::vec((kind_strategy(), any::<bool>()), 1..4),
        proptest::collection::vec(a_move(), 1..60),
        any::<prop::sample::Index>(),
    );
    let ends = std::cell::RefCell::new(Ends::default());
    let mut runner = TestRunner::new(Config {
        cases: 512,
        ..Config::default()
    });
    let result = runner.run(&strategy, |(kinds, moves, edit)| {
        let mut mine = Ends::default();
        play(&kinds, &moves, edit, &mut mine)?;
        let mut e = ends.borrow_mut();
        e.requests += mine.requests;
        e.approved += mine.approved;
        e.approved_multi_step += mine.approved_multi_step;
        e.rejected += mine.rejected;
        e.withdrawn += mine.withdrawn;
        e.expired += mine.expired;
        e.open += mine.open;
        e.refused_moves += mine.refused_moves;
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let e = ends.into_inner();
    let share = |n: usize| n as f64 / e.requests as f64;
    println!(
        "workflow coverage over {} requests: {:.0}% approved ({:.0}% through more than one step), \
         {:.0}% rejected, {:.0}% withdrawn, {:.0}% expired, {:.0}% still open; {} moves refused",
        e.requests,
        100.0 * share(e.approved),
        100.0 * share(e.approved_multi_step),
        100.0 * share(e.rejected),
        100.0 * share(e.withdrawn),
        100.0 * share(e.expired),
        100.0 * share(e.open),
        e.refused_moves,
    );
    assert!(
        share(e.approved) >= 0.30,
        "too few requests reach Approved: {e:?}"
    );
    assert!(
        share(e.approved_multi_step) >= 0.15,
        "too few approvals cross several steps: {e:?}"
    );
    assert!(share(e.rejected) >= 0.03, "too few rejections: {e:?}");
    assert!(
        e.withdrawn + e.expired > 0 && e.refused_moves > 0,
        "no invalid moves: {e:?}"
    );
}

#[test]
fn who_may_act_in_a_step_never_includes_the_requester() {
    use creditdesk_domain::approval::approvers;
    let users = vec![
        User {
            id: "sm-1".into(),
            name: "Zhou".into(),
            roles: vec![Role::SalesManager],
            region: String::new(),
        },
        User {
            id: "sm-2".into(),
            name: "Qian".into(),
            roles: vec![Role::SalesManager, Role::FinanceSpecialist],
            region: String::new(),
        },
        User {
            id: "rep-1".into(),
            name: "Li".into(),
            roles: vec![Role::SalesRep],
            region: String::new(),
        },
    ];
    let names = |roles: &[Role], requester: &str| -> Vec<String> {
        approvers(&users, roles, requester)
            .into_iter()
            .map(|u| u.id.clone())
            .collect()
    };
    assert_eq!(names(&[Role::SalesManager], "rep-1"), vec!["sm-1", "sm-2"]);
    assert_eq!(names(&[Role::SalesManager], "sm-2"), vec!["sm-1"]);
    assert_eq!(
        names(&[Role::FinanceSpecialist], "sm-2"),
        Vec::<String>::new()
    );
    assert_eq!(names(&[Role::Cfo], "rep-1"), Vec::<String>::new());
}

proptest! {
    /// The audit trail's limits text reads back as the limits it was written from (without the
    /// review and expiry dates, which it does not hold).
    #[test]
    fn limits_text_reads_back_as_the_limits_it_was_written_from(
        permanent in 0i64..10_000_000_000,
        temporary in proptest::collection::vec((1i64..1_000_000_000, 0i32..3650, 0i32..365), 0..3),
        frozen in any::<bool>(),
    ) {
        let base = Date::parse("2020-01-01").unwrap();
        let l = Limits {
            permanent: Money::from_minor(permanent),
            temporary: temporary
                .into_iter()
                .map(|(a, s, n)| creditdesk_domain::credit::TemporaryLimit {
                    amount: Money::from_minor(a),
                    start: base.add_days(s),
                    end: base.add_days(s + n),
                })
                .collect(),
            frozen,
            ..Limits::default()
        };
        prop_assert_eq!(request::read_limits_text(&request::limits_text(&l)), Some(l));
    }
}

#[test]
fn a_text_that_is_not_a_limits_text_reads_as_nothing() {
    for s in [
        "",
        "step 2 (cfo)",
        "permanent x",
        "permanent 1.00; temporary 5.00 2026-01-01",
        "permanent 1.00; thawed",
    ] {
        assert_eq!(request::read_limits_text(s), None, "{s:?}");
    }
}

// ----- a permanent limit's calendar, as a request states it -----

/// The expiry and review a request states, or its problems (field, code).
type Calendar = Result<(Option<Date>, Option<Date>), Vec<(&'static str, &'static str)>>;

#[test]
fn a_first_or_permanent_limit_request_may_state_its_expiry_and_next_review_within_bounds() {
    let current = limits(100);
    let today = d(TODAY);
    // (action, expires, review) → the calendar the request states, or the problems by field.
    let check = |action: &str, expires: &str, review: &str| {
        let i = LimitInput {
            expires: expires.into(),
            review: review.into(),
            ..input(action, "50000", "", "", WHY)
        };
        let l = if action == "first" {
            limits(0)
        } else {
            current.clone()
        };
        match limit_request(&i, &l, y(1_000_000), today) {
            Ok((
                RequestKind::FirstApplication {
                    expires, review, ..
                },
                _,
            ))
            | Ok((
                RequestKind::PermanentChange {
                    expires, review, ..
                },
                _,
            )) => Ok((expires, review)),
            Ok(k) => panic!("not a permanent limit: {k:?}"),
            Err(es) => Err(es
                .into_iter()
                .map(|e| (e.field.to_string().leak() as &str, e.problem.code()))
                .collect::<Vec<_>>()),
        }
    };
    let cases: &[(&str, &str, &str, Calendar)] = &[
        ("first", "", "", Ok((None, None))),
        (
            "permanent",
            "2027-11-30",
            "2027-05-31",
            Ok((Some(d("2027-11-30")), Some(d("2027-05-31")))),
        ),
        (
            "permanent",
            "2027-11-30",
            "2027-11-30",
            Ok((Some(d("2027-11-30")), Some(d("2027-11-30")))),
        ),
        ("first", "", "2027-01-15", Ok((None, Some(d("2027-01-15"))))),
        (
            "permanent",
            TODAY,
            "",
            Err(vec![("expires", "E-NOT-AFTER-TODAY")]),
        ),
        (
            "permanent",
            "",
            "2026-11-01",
            Err(vec![("review", "E-NOT-AFTER-TODAY")]),
        ),
        (
            "permanent",
            "2036-11-29",
            "",
            Err(vec![("expires", "E-DATE-RANGE")]),
        ),
        (
            "permanent",
            "2027-03-01",
            "2027-03-02",
            Err(vec![("review", "E-REVIEW-AFTER-EXPIRY")]),
        ),
        (
            "first",
            "next year",
            "",
            Err(vec![("expires", "E-NOT-DATE")]),
        ),
    ];
    for (action, expires, review, expected) in cases {
        assert_eq!(
            &check(action, expires, review),
            expected,
            "{action} {expires:?} {review:?}"
        );
    }
    // A temporary limit has no calendar of its own: the fields are not read.
    let i = LimitInput {
        expires: TODAY.into(),
        ..input("temporary", "500", TODAY, "2026-12-28", WHY)
    };
    assert!(limit_request(&i, &current, y(1_000_000), today).is_ok());
}

#[test]
fn an_approved_limit_takes_the_expiry_its_request_states_and_the_typed_review_over_the_cycle() {
    let today = d(TODAY);
    let mut current = limits(100);
    current.expires = Some(d("2027-01-31"));
    let kind = RequestKind::PermanentChange {
        before: y(100),
        after: y(200),
        expires: Some(d("2027-06-30")),
        review: Some(d("2027-03-31")),
    };
    let Effect::Limits(mut next) = request(kind.clone(), "rep-1", Grade::A).effect(&current, today)
    else {
        panic!("a limit")
    };
    assert_eq!(
        (next.permanent, next.expires),
        (y(200), Some(d("2027-06-30")))
    );
    request::next_review(&kind, &mut next, today, 6);
    assert_eq!(
        next.review_due,
        Some(d("2027-03-31")),
        "the typed review wins"
    );
    // Stating none clears the expiry and leaves the review to the cycle.
    let plain = RequestKind::PermanentChange {
        before: y(100),
        after: y(200),
        expires: None,
        review: None,
    };
    let Effect::Limits(mut next) =
        request(plain.clone(), "rep-1", Grade::A).effect(&current, today)
    else {
        panic!("a limit")
    };
    assert_eq!(next.expires, None);
    request::next_review(&plain, &mut next, today, 6);
    assert_eq!(next.review_due, Some(today.add_months(6)));
}

#[test]
fn a_typed_request_is_checked_like_the_form_and_reads_the_same_without_a_calendar() {
    // A pushed request with a lapsed expiry is refused as the form refuses it.
    let kind = RequestKind::FirstApplication {
        limit: y(30_000),
        expires: Some(d("2026-10-01")),
        review: None,
    };
    let errors = request::check_request(&kind, WHY, &limits(0), y(1_000_000), Grade::A, d(TODAY))
        .unwrap_err();
    assert_eq!(errors[0].field, "expires");
    assert_eq!(errors[0].problem, Problem::NotAfterToday);
    // Stored before the calendar existed: reads as none, and writes as it did.
    let old = r#"{"permanent_change":{"before":10000,"after":20000}}"#;
    let read: RequestKind = serde_json::from_str(old).unwrap();
    assert_eq!(
        read,
        RequestKind::PermanentChange {
            before: y(100),
            after: y(200),
            expires: None,
            review: None
        }
    );
    assert_eq!(serde_json::to_string(&read).unwrap(), old);
}

proptest! {
    #[test]
    fn a_file_hashed_in_parts_has_the_hash_of_the_whole(
        bytes in proptest::collection::vec(any::<u8>(), 0..3000),
        cuts in proptest::collection::vec(0usize..3000, 0..6),
    ) {
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
        cuts.sort_unstable();
        let mut parts = Sha256Parts::default();
        let mut from = 0;
        for c in cuts.into_iter().chain([bytes.len()]) {
            parts.update(&bytes[from..c]);
            from = c;
        }
        prop_assert_eq!(parts.hex(), sha256_hex(&bytes));
    }
}

#[test]
fn the_hash_of_a_file_is_its_sha256() {
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}
