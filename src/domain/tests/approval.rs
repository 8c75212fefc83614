//! Approval groundwork: routes, separation of duties, deadlines, and the audit chain.

use creditdesk_domain::approval::*;
use creditdesk_domain::rating::Grade;
use creditdesk_domain::Money;
use proptest::prelude::*;

fn user(id: &str, roles: &[Role]) -> User {
    User {
        id: id.into(),
        name: id.into(),
        roles: roles.to_vec(),
        region: "East".into(),
    }
}

fn roles_of(steps: &[Step]) -> Vec<Vec<Role>> {
    steps.iter().map(|s| s.roles.clone()).collect()
}

#[test]
fn amounts_land_in_the_documented_tiers() {
    use Role::*;
    let r = Routes::default();
    let check = |units: i64, minor: i64, grade: Grade, expected: Vec<Vec<Role>>| {
        let amount = Money::from_units(units) + Money::from_minor(minor);
        assert_eq!(
            roles_of(&r.route(Kind::PermanentChange, amount, grade)),
            expected,
            "{units}.{minor} {grade}"
        );
    };
    let base = vec![vec![SalesManager], vec![FinanceSpecialist]];
    let mid = vec![
        vec![SalesManager],
        vec![FinanceSpecialist],
        vec![FinanceManager],
    ];
    let top = vec![
        vec![SalesManager],
        vec![FinanceSpecialist],
        vec![FinanceManager],
        vec![Cfo, GeneralManager],
    ];
    check(49_999, 99, Grade::A, base.clone());
    check(50_000, 0, Grade::A, mid.clone());
    check(200_000, 0, Grade::A, mid.clone());
    check(200_000, 1, Grade::A, top.clone());
    // AAA takes one step fewer.
    check(200_000, 1, Grade::AAA, mid[..3].to_vec());
    check(10, 0, Grade::AAA, base[..1].to_vec());
    assert_eq!(
        roles_of(&r.route(Kind::Freeze, Money::ZERO, Grade::B)),
        vec![vec![FinanceSpecialist, FinanceManager]]
    );
    assert_eq!(
        r.route(Kind::Unfreeze, Money::from_units(60_000), Grade::B),
        r.route(Kind::PermanentChange, Money::from_units(60_000), Grade::B)
    );
}

#[test]
fn the_requester_never_approves_and_nobody_skips_a_step() {
    use Role::*;
    let steps = Routes::default().route(Kind::TemporaryLimit, Money::from_units(10_000), Grade::A);
    let rep = user("rep", &[SalesRep, SalesManager]);
    let manager = user("mgr", &[SalesManager]);
    let finance = user("fin", &[FinanceSpecialist]);
    let mut f = Flow::new("rep", steps);
    assert_eq!(
        f.decide(&manager, SalesManager, true, "", 1),
        Err(ApprovalError::NotOpen),
        "a draft cannot be approved"
    );
    f.submit(&rep).unwrap();
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
    assert_eq!(
        f.decide(&manager, SalesManager, true, "", 2),
        Ok(State::InStep(1))
    );
    assert_eq!(
        f.decide(&manager, SalesManager, true, "", 3),
        Err(ApprovalError::AlreadyActed)
    );
    assert_eq!(
        f.decide(&finance, FinanceSpecialist, true, "ok", 4),
        Ok(State::Approved)
    );
}

#[test]
fn a_late_step_reminds_then_escalates() {
    let steps = Routes::default().route(Kind::TemporaryLimit, Money::from_units(10_000), Grade::A);
    let mut f = Flow::new("rep", steps);
    f.submit(&user("rep", &[Role::SalesRep])).unwrap();
    let h = 3_600_000;
    assert_eq!(f.overdue(0, 23 * h), None);
    assert_eq!(f.overdue(0, 24 * h), Some(Escalation::Reminder));
    assert_eq!(f.overdue(0, 48 * h), Some(Escalation::NextLevel));
}

#[test]
fn the_audit_chain_verifies_and_names_the_first_edited_entry() {
    let mut trail = Vec::new();
    append(&mut trail, 1, "fin", "limit", "100", "200", "season");
    append(&mut trail, 2, "mgr", "grade", "B", "A", "guarantee");
    append(&mut trail, 3, "cfo", "policy", "v1", "v2", "board");
    assert_eq!(verify(&trail), Ok(()));
    let mut edited = trail.clone();
    edited[1].after = "AAA".into();
    assert_eq!(verify(&edited), Err(1));
    let mut removed = trail.clone();
    removed.remove(0);
    assert_eq!(verify(&removed), Err(0));
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
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        (0usize..6).prop_map(Act::Submit),
        (0usize..6).prop_map(Act::Withdraw),
        (0usize..6, 0usize..7, any::<bool>(), any::<bool>()).prop_map(
            |(who, role, approve, comment)| Act::Decide {
                who,
                role,
                approve,
                comment
            }
        ),
    ]
}

proptest! {
    #[test]
    fn no_sequence_of_actions_breaks_separation_of_duties(units in 1i64..400_000, aaa in any::<bool>(), acts in proptest::collection::vec(act(), 1..40)) {
        use Role::*;
        let all = [SalesRep, SalesManager, FinanceSpecialist, FinanceManager, Cfo, GeneralManager, Admin];
        let users = [
            user("u0", &[SalesRep]),
            user("u1", &[SalesManager, SalesRep]),
            user("u2", &[FinanceSpecialist]),
            user("u3", &[FinanceManager, FinanceSpecialist]),
            user("u4", &[Cfo]),
            user("u5", &[GeneralManager, SalesManager]),
        ];
        let grade = if aaa { Grade::AAA } else { Grade::A };
        let steps = Routes::default().route(Kind::TemporaryLimit, Money::from_units(units), grade);
        let mut f = Flow::new("u0", steps.clone());
        let mut trail = Vec::new();
        for a in acts {
            let before = format!("{:?}", f.state);
            let ok = match a {
                Act::Submit(u) => f.submit(&users[u]).is_ok(),
                Act::Withdraw(u) => f.withdraw(&users[u]).is_ok(),
                Act::Decide { who, role, approve, comment } =>
                    f.decide(&users[who], all[role], approve, if comment { "because" } else { "" }, 0).is_ok(),
            };
            if ok {
                append(&mut trail, 0, "x", "request", &before, &format!("{:?}", f.state), "");
            }
        }
        // Invariants over whatever happened.
        let mut seen = std::collections::HashSet::new();
        for d in &f.decisions {
            prop_assert!(d.user != f.requester, "the requester decided");
            prop_assert!(seen.insert(d.user.clone()), "one person decided twice");
            prop_assert!(steps[d.step].roles.contains(&d.role), "a role outside its step acted");
            prop_assert!(d.approve || !d.comment.is_empty(), "a rejection without a comment");
        }
        for w in f.decisions.windows(2) {
            prop_assert!(w[1].step >= w[0].step && w[1].step <= w[0].step + 1, "a step was skipped");
        }
        if f.state == State::Approved {
            for (k, s) in steps.iter().enumerate() {
                let approvals: Vec<Role> = f.decisions.iter().filter(|d| d.step == k && d.approve).map(|d| d.role).collect();
                match s.mode {
                    Mode::AllOf => prop_assert!(s.roles.iter().all(|r| approvals.contains(r))),
                    Mode::AnyOf => prop_assert!(!approvals.is_empty()),
                }
            }
        }
        prop_assert_eq!(verify(&trail), Ok(()));
    }
}
