//! Credit policy, limits over time, exposure and the order-time check.

use creditdesk_domain::credit::*;
use creditdesk_domain::rating::Grade;
use creditdesk_domain::{Date, Money};
use proptest::prelude::*;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}
fn y(units: i64) -> Money {
    Money::from_units(units)
}

fn customer(grade: Grade, limit: i64, balance: i64) -> CheckInput {
    CheckInput {
        grade,
        limits: Limits {
            permanent: y(limit),
            ..Limits::default()
        },
        exposure: Exposure {
            open_ar: y(balance),
            open_orders: Money::ZERO,
            held_orders: Money::ZERO,
            reserved: Money::ZERO,
        },
        overdue: Money::ZERO,
        max_days_overdue: 0,
    }
}

fn hold_at_90() -> Policy {
    Policy {
        hold_over_bp: Some(9_000),
        ..Policy::default()
    }
}

const TODAY: &str = "2026-11-28";

#[test]
fn with_a_hold_rule_at_90_percent_4500_is_held_and_4000_passes() {
    let c = customer(Grade::A, 10_000, 5_000);
    let held = check(&hold_at_90(), &c, y(4_500), false, d(TODAY));
    assert_eq!(held.outcome, Outcome::Block);
    assert_eq!(held.reasons, vec![Reason::OverHoldShare { used_bp: 9_500 }]);
    assert!(held.remedies.contains(&Remedy::Pay(y(500))));
    assert!(held.remedies.contains(&Remedy::OrderAtMost(y(4_000))));
    // 90% of a limit of 10,555.56 is 9,500.00: the increase that lets it pass.
    assert!(held
        .remedies
        .contains(&Remedy::TemporaryIncrease(Money::from_minor(55_556))));
    let passes = check(&hold_at_90(), &c, y(4_000), false, d(TODAY));
    assert_eq!(passes.outcome, Outcome::Pass, "exactly 90% is not over 90%");
    assert_eq!(passes.used_after_bp, Some(9_000));
    let warned = check(&Policy::default(), &c, y(4_500), false, d(TODAY));
    assert_eq!(
        (warned.outcome, warned.reasons),
        (
            Outcome::Warn,
            vec![Reason::OverWarnShare { used_bp: 9_500 }]
        ),
        "without the hold rule, 95% only warns"
    );
}

#[test]
fn an_order_equal_to_the_available_credit_passes_and_one_cent_more_is_blocked() {
    let policy = Policy {
        warn_over_bp: 10_000,
        ..Policy::default()
    };
    let c = customer(Grade::A, 10_000, 5_000);
    let at = check(&policy, &c, y(5_000), false, d(TODAY));
    assert_eq!((at.outcome, at.available), (Outcome::Pass, y(5_000)));
    let over = check(
        &policy,
        &c,
        y(5_000) + Money::from_minor(1),
        false,
        d(TODAY),
    );
    assert_eq!(over.outcome, Outcome::Block);
    assert_eq!(
        over.reasons,
        vec![Reason::OverLimit {
            by: Money::from_minor(1)
        }]
    );
    assert_eq!(
        over.remedies,
        vec![
            Remedy::Pay(Money::from_minor(1)),
            Remedy::OrderAtMost(y(5_000)),
            Remedy::TemporaryIncrease(Money::from_minor(1))
        ]
    );
}

#[test]
fn a_payment_is_offered_only_when_paying_what_is_owed_can_clear_the_block() {
    let policy = Policy {
        warn_over_bp: 10_000,
        ..Policy::default()
    };
    let c = customer(Grade::A, 10_000, 2_000);
    let r = check(&policy, &c, y(20_000), false, d(TODAY));
    assert_eq!(r.reasons, vec![Reason::OverLimit { by: y(12_000) }]);
    assert!(
        !r.remedies.iter().any(|m| matches!(m, Remedy::Pay(_))),
        "{:?}",
        r.remedies
    );
    assert!(r.remedies.contains(&Remedy::TemporaryIncrease(y(12_000))));
}

#[test]
fn grade_c_on_credit_is_blocked_whatever_the_size_and_passes_prepaid() {
    let c = customer(Grade::C, 1_000_000, 0);
    let small = check(
        &Policy::default(),
        &c,
        Money::from_minor(1),
        false,
        d(TODAY),
    );
    assert_eq!(small.outcome, Outcome::Block);
    assert_eq!(small.reasons, vec![Reason::CashBeforeDelivery]);
    assert_eq!(small.remedies, vec![Remedy::Prepay]);
    let prepaid = check(&Policy::default(), &c, y(5_000_000), true, d(TODAY));
    assert_eq!(prepaid.outcome, Outcome::Pass);
}

#[test]
fn a_frozen_customer_is_blocked_even_with_headroom() {
    let mut c = customer(Grade::AAA, 1_000_000, 0);
    c.limits.frozen = true;
    let r = check(&Policy::default(), &c, y(1), false, d(TODAY));
    assert_eq!(r.outcome, Outcome::Block);
    assert_eq!(r.reasons, vec![Reason::Frozen]);
    assert_eq!(r.remedies, vec![Remedy::Unfreeze]);
}

#[test]
fn a_customer_never_granted_a_limit_is_told_to_request_a_first_one_not_to_order_less() {
    let c = customer(Grade::A, 0, 0);
    let r = check(
        &Policy::default(),
        &c,
        Money::from_minor(1),
        false,
        d(TODAY),
    );
    assert_eq!(
        r.outcome,
        Outcome::Block,
        "a zero limit is no credit, not unchecked"
    );
    assert_eq!(r.reasons, vec![Reason::NoLimit]);
    assert_eq!(r.remedies, vec![Remedy::FirstLimit(Money::from_minor(1))]);
    assert_eq!(r.used_after_bp, None);
    // Under a hold line at 90%, the first limit to ask for keeps the order under it.
    let r = check(&hold_at_90(), &c, y(9_000), false, d(TODAY));
    assert_eq!(r.remedies, vec![Remedy::FirstLimit(y(10_000))]);
    // Prepaid, it passes: no credit is used.
    let r = check(&Policy::default(), &c, y(9_000), true, d(TODAY));
    assert_eq!(r.outcome, Outcome::Pass);
}

#[test]
fn a_lapsed_limit_or_a_temporary_one_is_not_a_customer_without_a_limit() {
    let mut lapsed = customer(Grade::A, 1_000, 0);
    lapsed.limits.expires = Some(d("2026-11-01"));
    let r = check(&Policy::default(), &lapsed, y(10), false, d(TODAY));
    assert!(!r.reasons.contains(&Reason::NoLimit), "{:?}", r.reasons);
    assert!(r.reasons.contains(&Reason::OverLimit { by: y(10) }));
    let mut temporary = customer(Grade::A, 0, 0);
    temporary.limits.temporary.push(TemporaryLimit {
        amount: y(500),
        start: d("2026-11-01"),
        end: d("2026-12-31"),
    });
    let r = check(&Policy::default(), &temporary, y(600), false, d(TODAY));
    assert_eq!(r.reasons, vec![Reason::OverLimit { by: y(100) }]);
}

#[test]
fn overdue_blocks_by_amount_or_by_days_as_configured() {
    let mut c = customer(Grade::A, 100_000, 10_000);
    c.overdue = y(2_000);
    c.max_days_overdue = 12;
    let strict = check(&Policy::default(), &c, y(10), false, d(TODAY));
    assert_eq!(
        strict.reasons,
        vec![Reason::Overdue {
            amount: y(2_000),
            days: 12
        }]
    );
    assert_eq!(strict.remedies, vec![Remedy::PayOverdue(y(2_000))]);
    let lenient = Policy {
        block_overdue_over: y(5_000),
        block_days_overdue_over: 30,
        ..Policy::default()
    };
    assert_eq!(
        check(&lenient, &c, y(10), false, d(TODAY)).outcome,
        Outcome::Pass
    );
    c.max_days_overdue = 31;
    assert_eq!(
        check(&lenient, &c, y(10), false, d(TODAY)).outcome,
        Outcome::Block
    );
}

#[test]
fn an_expired_limit_blocks_and_a_due_review_warns() {
    let mut c = customer(Grade::A, 100_000, 0);
    c.limits.review_due = Some(d("2026-11-01"));
    let r = check(&Policy::default(), &c, y(10), false, d(TODAY));
    assert_eq!(
        (r.outcome, r.reasons.clone()),
        (
            Outcome::Warn,
            vec![Reason::ReviewDue {
                on: d("2026-11-01")
            }]
        )
    );
    c.limits.expires = Some(d("2026-11-27"));
    let r = check(&Policy::default(), &c, y(10), false, d(TODAY));
    assert_eq!(r.outcome, Outcome::Block);
    assert!(r.reasons.contains(&Reason::LimitExpired {
        on: d("2026-11-27")
    }));
    assert_eq!(r.limit, Money::ZERO);
}

#[test]
fn the_effective_limit_follows_temporary_limits_over_time() {
    let limits = Limits {
        permanent: y(100),
        temporary: vec![
            TemporaryLimit {
                amount: y(300),
                start: d("2026-12-01"),
                end: d("2026-12-31"),
            },
            TemporaryLimit {
                amount: y(80),
                start: d("2026-11-01"),
                end: d("2027-01-31"),
            },
        ],
        ..Limits::default()
    };
    let cases = [
        ("2026-11-30", 100),
        ("2026-12-01", 300),
        ("2026-12-31", 300),
        ("2027-01-01", 100),
        ("2027-02-01", 100),
    ];
    for (day, expected) in cases {
        assert_eq!(limits.effective(d(day)), y(expected), "{day}");
    }
}

#[test]
fn a_permanent_limit_holds_through_its_expiry_day_and_lapses_the_day_after() {
    let limits = Limits {
        permanent: y(100),
        temporary: vec![TemporaryLimit {
            amount: y(50),
            start: d("2026-11-01"),
            end: d("2027-01-31"),
        }],
        expires: Some(d("2026-12-31")),
        ..Limits::default()
    };
    let check =
        |day: &str, expected: i64| assert_eq!(limits.effective(d(day)), y(expected), "{day}");
    check("2026-12-30", 100);
    check("2026-12-31", 100);
    // Lapsed: only the temporary limit still in force is left.
    check("2027-01-01", 50);
    check("2027-02-01", 0);
}

#[test]
fn a_blocked_order_is_offered_only_the_remedies_of_what_blocks_it() {
    // Frozen, and the order lands exactly on the limit: only unfreezing helps; nothing is over.
    let mut c = customer_minor(100_000, 60_000);
    c.limits.frozen = true;
    let r = check(
        &Policy::default(),
        &c,
        Money::from_minor(40_000),
        false,
        d(TODAY),
    );
    assert_eq!(r.outcome, Outcome::Block);
    assert_eq!(r.remedies, vec![Remedy::Unfreeze]);
    // A hold share of 0% would hold every order: the increase asked for is what is over.
    let policy = Policy {
        hold_over_bp: Some(0),
        ..Policy::default()
    };
    let r = check(
        &policy,
        &customer_minor(100_000, 0),
        Money::from_minor(5_000),
        false,
        d(TODAY),
    );
    assert!(
        r.remedies
            .contains(&Remedy::TemporaryIncrease(Money::from_minor(5_000))),
        "{:?}",
        r.remedies
    );
}

#[test]
fn overdue_blocks_above_its_amount_or_past_its_days_and_an_expired_limit_the_day_after() {
    let policy = Policy {
        block_overdue_over: y(10_000),
        block_days_overdue_over: 30,
        ..Policy::default()
    };
    let blocked_for_overdue = |overdue: Money, days: i32| {
        let mut c = customer_minor(100_000_000, 0);
        c.overdue = overdue;
        c.max_days_overdue = days;
        let r = check(&policy, &c, Money::from_minor(100), false, d(TODAY));
        r.reasons
            .iter()
            .any(|x| matches!(x, Reason::Overdue { .. }))
    };
    assert!(
        !blocked_for_overdue(y(10_000), 5),
        "at the amount: not over it"
    );
    assert!(blocked_for_overdue(y(10_000) + Money::from_minor(1), 5));
    assert!(
        !blocked_for_overdue(y(500), 30),
        "at the days: not past them"
    );
    assert!(blocked_for_overdue(y(500), 31));
    assert!(
        !blocked_for_overdue(Money::ZERO, 31),
        "nothing owed, nothing blocked"
    );
    // A limit expiring today is in force today; tomorrow the check says it expired.
    let mut c = customer_minor(100_000_000, 0);
    c.limits.expires = Some(d(TODAY));
    let expired = |day: Date| {
        check(&Policy::default(), &c, Money::from_minor(100), false, day)
            .reasons
            .iter()
            .any(|x| matches!(x, Reason::LimitExpired { .. }))
    };
    assert!(!expired(d(TODAY)));
    assert!(expired(d(TODAY).add_days(1)));
}

#[test]
fn exposure_adds_receivables_the_order_parts_the_policy_counts_and_others_reservations() {
    let e = Exposure {
        open_ar: y(1_000),
        open_orders: y(200),
        held_orders: y(30),
        reserved: y(4),
    };
    let check = |open: bool, held: bool, expected: i64| {
        let policy = Policy {
            exposure_includes_open_orders: open,
            exposure_includes_held_orders: held,
            ..Policy::default()
        };
        assert_eq!(
            e.total(&policy),
            y(expected),
            "open orders {open}, held {held}"
        );
    };
    // Reservations count whatever the policy.
    check(false, false, 1_004);
    check(true, false, 1_204);
    check(false, true, 1_034);
    check(true, true, 1_234);
}

#[test]
fn exposure_counts_open_orders_only_when_configured() {
    let e = Exposure {
        open_ar: y(100),
        open_orders: y(40),
        held_orders: Money::ZERO,
        reserved: Money::ZERO,
    };
    assert_eq!(e.total(&Policy::default()), y(140));
    assert_eq!(
        e.total(&Policy {
            exposure_includes_open_orders: false,
            ..Policy::default()
        }),
        y(100)
    );
}

#[test]
fn the_default_policy_is_consistent_and_a_stricter_better_grade_needs_confirmation() {
    assert_eq!(Policy::default().problems(), vec![]);
    let defaults = Policy::default();
    assert_eq!(defaults.grades.map(|g| g.term_days), [90, 60, 30, 15, 0]);
    assert_eq!(
        defaults.of(Grade::C).settlement,
        Settlement::CashBeforeDelivery
    );
    let mut p = Policy::default();
    p.grades[1].term_days = 20; // AA gets a shorter term than A's 30
    p.grades[4].max_limit = y(-1);
    let problems = p.problems();
    assert_eq!(
        problems,
        vec![
            PolicyProblem {
                code: PolicyCode::StricterTerm,
                grade: Some(Grade::AA),
                needs_confirmation: true
            },
            PolicyProblem {
                code: PolicyCode::Negative,
                grade: Some(Grade::C),
                needs_confirmation: false
            },
        ]
    );
}

#[test]
fn the_suggested_limit_is_history_times_term_capped_by_the_grade() {
    let p = Policy::default();
    // 1,200,000 a year = 100,000 a month; AA term 60 days: 200,000, under the 2,000,000 cap.
    let s = p.suggested_limit(Grade::AA, y(1_200_000));
    assert_eq!(
        (s.monthly_sales, s.by_history, s.limit),
        (y(100_000), y(200_000), y(200_000))
    );
    let capped = p.suggested_limit(Grade::B, y(120_000_000));
    assert_eq!(capped.limit, y(300_000));
    assert_eq!(p.suggested_limit(Grade::C, y(1_000_000)).limit, Money::ZERO);
}

#[test]
fn a_release_covers_its_amount_and_no_more() {
    let r = Release {
        amount: y(4_500),
        reason: "CFO agreed".into(),
        by: "Li".into(),
        on: d(TODAY),
    };
    assert!(r.covers(y(4_500)));
    assert!(!r.covers(y(4_500) + Money::from_minor(1)));
}

proptest! {
    #[test]
    fn available_credit_plus_exposure_is_the_effective_limit(limit in 0i64..10_000_000, ar in 0i64..10_000_000, orders in 0i64..1_000_000) {
        let c = CheckInput {
            grade: Grade::A,
            limits: Limits { permanent: Money::from_minor(limit), ..Limits::default() },
            exposure: Exposure { open_ar: Money::from_minor(ar), open_orders: Money::from_minor(orders), held_orders: Money::ZERO, reserved: Money::ZERO },
            overdue: Money::ZERO,
            max_days_overdue: 0,
        };
        let r = check(&Policy::default(), &c, Money::from_minor(1), false, d(TODAY));
        if r.exposure <= r.limit {
            prop_assert_eq!(r.available + r.exposure, r.limit);
        } else {
            prop_assert_eq!(r.available, Money::ZERO);
        }
    }

    #[test]
    fn an_order_up_to_the_available_credit_never_goes_over_the_limit(limit in 1i64..10_000_000, ar in 0i64..10_000_000, amount in 1i64..10_000_000) {
        let c = customer_minor(limit, ar);
        let r = check(&Policy::default(), &c, Money::from_minor(amount), false, d(TODAY));
        let over = r.reasons.iter().any(|x| matches!(x, Reason::OverLimit { .. }));
        prop_assert_eq!(over, Money::from_minor(amount) > r.available);
        if over {
            // Each remedy, taken alone, makes the order pass the limit.
            for remedy in &r.remedies {
                let again = match *remedy {
                    Remedy::Pay(p) => check(&Policy::default(), &customer_minor(limit, ar - p.minor()), Money::from_minor(amount), false, d(TODAY)),
                    Remedy::OrderAtMost(m) if m.is_positive() => check(&Policy::default(), &c, m, false, d(TODAY)),
                    Remedy::TemporaryIncrease(inc) => check(&Policy::default(), &customer_minor(limit + inc.minor(), ar), Money::from_minor(amount), false, d(TODAY)),
                    _ => continue,
                };
                prop_assert!(again.reasons.iter().all(|x| !matches!(x, Reason::OverLimit { .. })), "{remedy:?} did not clear it");
            }
        }
    }

    /// With a hold share on, the temporary increase asked for is the least that lets the order
    /// through: with it the order is neither over the limit nor over the hold share; a fen less
    /// and it still is.
    #[test]
    fn the_increase_asked_for_under_a_hold_share_is_the_least_that_lets_the_order_through(
        limit in 1i64..10_000_000,
        ar in 0i64..10_000_000,
        amount in 1i64..10_000_000,
        hold in 5_000u32..=10_000,
    ) {
        let policy = Policy { hold_over_bp: Some(hold), ..Policy::default() };
        let r = check(&policy, &customer_minor(limit, ar), Money::from_minor(amount), false, d(TODAY));
        let held = |r: &CheckResult| r.reasons.iter().any(|x| matches!(x, Reason::OverLimit { .. } | Reason::OverHoldShare { .. }));
        let Some(inc) = r.remedies.iter().find_map(|m| match m { Remedy::TemporaryIncrease(i) => Some(i.minor()), _ => None }) else {
            prop_assert!(!held(&r), "held without an increase to ask for: {:?}", r.reasons);
            return Ok(());
        };
        let with = check(&policy, &customer_minor(limit + inc, ar), Money::from_minor(amount), false, d(TODAY));
        prop_assert!(!held(&with), "{} more did not let it through: {:?}", inc, with.reasons);
        if inc > 1 {
            let less = check(&policy, &customer_minor(limit + inc - 1, ar), Money::from_minor(amount), false, d(TODAY));
            prop_assert!(held(&less), "{} was more than needed", inc);
        }
    }

    /// A held order released for its amount opens; the same order raised afterwards, by any
    /// amount, stays held; an order that is not held is never "released".
    #[test]
    fn a_released_order_never_bypasses_a_later_increase(amount in 1i64..1_000_000, rise in 1i64..1_000_000, status in 0usize..6) {
        use creditdesk_domain::id::{DeviceId, Meta, OrderId, Timestamp};
        use creditdesk_domain::ledger::{Order, OrderStatus};
        let statuses = [OrderStatus::Held, OrderStatus::Open, OrderStatus::Shipped, OrderStatus::Invoiced, OrderStatus::Cancelled, OrderStatus::AwaitingPayment];
        let order = Order {
            id: OrderId::from_u128(1),
            meta: Meta::new(DeviceId::from_u128(1), Timestamp(0)),
            customer: creditdesk_domain::id::CustomerId::from_u128(2),
            number: creditdesk_domain::DocNo::parse("SO-1").unwrap(),
            date: d(TODAY),
            amount: Money::from_minor(amount),
            status: statuses[status],
            category: None,
        };
        let release = Release { amount: Money::from_minor(amount), reason: "deposit".into(), by: "fm".into(), on: d(TODAY) };
        let released = order.release(&release, DeviceId::from_u128(3), Timestamp(5));
        if order.status == OrderStatus::Held {
            let opened = released.expect("a held order released for its amount opens");
            prop_assert_eq!((opened.status, opened.amount), (OrderStatus::Open, order.amount));
            let raised = Order { amount: order.amount + Money::from_minor(rise), ..order };
            prop_assert_eq!(raised.release(&release, DeviceId::from_u128(3), Timestamp(5)), None);
        } else {
            prop_assert_eq!(released, None);
        }
    }
}

fn customer_minor(limit: i64, ar: i64) -> CheckInput {
    CheckInput {
        grade: Grade::A,
        limits: Limits {
            permanent: Money::from_minor(limit),
            ..Limits::default()
        },
        exposure: Exposure {
            open_ar: Money::from_minor(ar),
            open_orders: Money::ZERO,
            held_orders: Money::ZERO,
            reserved: Money::ZERO,
        },
        overdue: Money::ZERO,
        max_days_overdue: 0,
    }
}

#[test]
fn the_temporary_limit_to_ask_is_the_whole_limit_and_above_the_permanent_one() {
    use creditdesk_domain::credit::{CheckResult, Outcome, Remedy};
    let result = |limit: i64, increase: Option<i64>| CheckResult {
        outcome: Outcome::Block,
        reasons: vec![],
        remedies: increase
            .map(|m| vec![Remedy::TemporaryIncrease(Money::from_units(m))])
            .unwrap_or_default(),
        limit: Money::from_units(limit),
        exposure: Money::ZERO,
        available: Money::ZERO,
        used_after_bp: None,
        limit_hidden: false,
    };
    let check = |limit, increase, permanent, expected: Option<Money>| {
        assert_eq!(
            result(limit, increase).temporary_limit_to_ask(Money::from_units(permanent)),
            expected,
            "limit {limit}, increase {increase:?}, permanent {permanent}"
        );
    };
    // In force 100,000, 30,000 short: ask for 130,000 (not 30,000).
    check(
        100_000,
        Some(30_000),
        100_000,
        Some(Money::from_units(130_000)),
    );
    // The permanent 100,000 has lapsed (nothing in force), 60,000 short: a temporary limit must
    // still be above the permanent one.
    check(
        0,
        Some(60_000),
        100_000,
        Some(Money::from_minor(10_000_001)),
    );
    check(100_000, None, 100_000, None);
}

#[test]
fn with_the_limit_hidden_the_device_leaves_the_limit_to_the_server_and_still_applies_every_other_rule(
) {
    // Hidden: the amounts are zero and stand for nothing; a zero limit must not read as "none".
    let hidden = |c: CheckInput| CheckInput {
        limits: c.limits.without_amounts(),
        ..c
    };
    let check_one = |c: CheckInput, amount: i64, prepaid: bool| {
        let r = check(&Policy::default(), &c, y(amount), prepaid, d(TODAY));
        (r.outcome, r.reasons, r.remedies, r.limit_hidden)
    };
    // An order far over the limit: the device cannot tell, and says the server checks it.
    assert_eq!(
        check_one(hidden(customer(Grade::A, 10_000, 9_000)), 50_000, false),
        (Outcome::Warn, vec![Reason::LimitUnchecked], vec![], true)
    );
    // Seen in full, the same order is held: what the server answers.
    assert_eq!(
        check_one(customer(Grade::A, 10_000, 9_000), 50_000, false).0,
        Outcome::Block
    );
    // A customer that never had a limit is not refused as "no limit" on the device either.
    assert_eq!(
        check_one(hidden(customer(Grade::A, 0, 0)), 1_000, false).1,
        vec![Reason::LimitUnchecked]
    );
    // The freeze and the overdue block are known to the device and still hold the order.
    let mut frozen = hidden(customer(Grade::A, 10_000, 0));
    frozen.limits.frozen = true;
    frozen.overdue = y(20_000);
    frozen.max_days_overdue = 40;
    let (outcome, reasons, _, _) = check_one(frozen, 100, false);
    assert_eq!(outcome, Outcome::Block);
    assert_eq!(
        reasons.iter().map(Reason::code).collect::<Vec<_>>(),
        ["frozen", "limit_unchecked", "overdue"]
    );
    // Paid before delivery, the limit does not apply: nothing is left to check.
    assert_eq!(
        check_one(hidden(customer(Grade::A, 10_000, 9_000)), 50_000, true).1,
        vec![]
    );
}

#[test]
fn limits_without_amounts_keep_the_dates_and_the_freeze_and_nothing_of_an_amount() {
    let limits = Limits {
        permanent: y(80_000),
        temporary: vec![TemporaryLimit {
            amount: y(120_000),
            start: d("2026-11-01"),
            end: d("2026-12-31"),
        }],
        frozen: true,
        review_due: Some(d("2027-03-01")),
        expires: Some(d("2027-06-30")),
        hidden: false,
    };
    let h = limits.without_amounts();
    assert!(h.hidden);
    assert_eq!(h.permanent, Money::ZERO);
    assert_eq!(h.temporary[0].amount, Money::ZERO);
    assert_eq!(h.effective(d(TODAY)), Money::ZERO);
    assert_eq!(
        (h.frozen, h.review_due, h.expires, h.temporary[0].end),
        (
            limits.frozen,
            limits.review_due,
            limits.expires,
            limits.temporary[0].end
        )
    );
    let json = serde_json::to_string(&h).unwrap();
    assert!(
        !json.contains("8000000") && !json.contains("12000000"),
        "{json}"
    );
    // The server's own record never says `hidden`.
    assert!(!serde_json::to_string(&limits).unwrap().contains("hidden"));
}

#[test]
fn the_limits_reasons_read_as_one_without_a_figure_for_a_user_from_whom_the_limit_is_hidden() {
    let check = |reasons: Vec<Reason>, expected: Vec<Reason>| {
        assert_eq!(
            Reason::without_limit(reasons.clone()),
            expected,
            "{reasons:?}"
        );
    };
    let overdue = Reason::Overdue {
        amount: y(12_000),
        days: 40,
    };
    check(
        vec![Reason::OverLimit { by: y(1_500) }],
        vec![Reason::HiddenLimit],
    );
    check(
        vec![
            Reason::Frozen,
            Reason::OverHoldShare { used_bp: 9_500 },
            overdue,
        ],
        vec![Reason::Frozen, Reason::HiddenLimit, overdue],
    );
    check(vec![Reason::NoLimit], vec![Reason::HiddenLimit]);
    // The warning share does not block: it is left out, not turned into a block.
    check(vec![Reason::OverWarnShare { used_bp: 9_200 }], vec![]);
    check(vec![overdue], vec![overdue]);
}
