//! Monitoring: the built-in rules on their boundaries, idempotent alerts that re-arm, holds,
//! collection tasks and broken promises.

use creditdesk_domain::credit::Limits;
use creditdesk_domain::id::{DeviceId, Timestamp};
use creditdesk_domain::ledger::OpenItem;
use creditdesk_domain::monitor::*;
use creditdesk_domain::rating::{Fixed, Grade};
use creditdesk_domain::*;
use proptest::prelude::*;

const C: CustomerId = CustomerId::from_u128(1);
const TODAY: &str = "2026-11-28";

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}
fn y(units: i64) -> Money {
    Money::from_units(units)
}

fn customer(limit: i64) -> Customer {
    let mut c = demo::generate(&demo::DemoSpec {
        customers: 1,
        ..demo::DemoSpec::demo(d(TODAY), demo::DemoLang::En)
    })
    .customers
    .remove(0);
    c.id = C;
    c.sales_rep = "Li Na".into();
    c.region = "East".into();
    c.first_cooperation = d("2020-01-01");
    c.profile.litigation_count = Some(0);
    c.limits = Limits {
        permanent: y(limit),
        ..Limits::default()
    };
    c
}

/// The facts of a customer with these figures, as of today.
fn facts_of(c: &Customer, s: CustomerSummary, exposure: Money) -> Facts {
    facts(c, &s, exposure, Grade::A, Fixed(7000), None, d(TODAY))
}

/// The facts of a customer that owes `units` overdue and nothing else.
fn owing(c: &Customer, units: i64) -> Facts {
    facts_of(
        c,
        CustomerSummary {
            overdue: y(units),
            ..CustomerSummary::default()
        },
        Money::ZERO,
    )
}

fn fired(f: &Facts) -> Vec<String> {
    let rules = RuleSet::default();
    evaluate(&rules, std::slice::from_ref(f))
        .into_iter()
        .map(|(i, _, _)| rules.rules[i].code.clone())
        .collect()
}

#[test]
fn every_comparison_of_a_rule_holds_exactly_where_it_says() {
    // value below, at and above the threshold 10.
    let check = |op: Op, expected: [bool; 3]| {
        assert_eq!(
            [9, 10, 11].map(|v| op.holds(v, 10)),
            expected,
            "{}",
            op.symbol()
        );
    };
    check(Op::Ge, [false, true, true]);
    check(Op::Gt, [false, false, true]);
    check(Op::Le, [true, true, false]);
    check(Op::Lt, [true, false, false]);
    check(Op::Eq, [false, true, false]);
}

#[test]
fn whole_months_count_a_month_end_anniversary_in_a_shorter_month() {
    let check = |from: &str, to: &str, expected: i64| {
        assert_eq!(whole_months(d(from), d(to)), expected, "{from} to {to}");
    };
    check("2026-05-28", "2026-11-28", 6);
    check("2026-05-28", "2026-11-27", 5);
    // The 31st's anniversary in a 30-day month is its last day.
    check("2026-05-31", "2026-11-30", 6);
    check("2026-05-31", "2026-11-29", 5);
    check("2026-05-30", "2026-11-30", 6);
    check("2026-01-31", "2026-02-28", 1);
    check("2026-01-31", "2026-02-27", 0);
    // In a leap year February has a 29th: the 28th is not yet the anniversary of the 31st.
    check("2028-01-31", "2028-02-28", 0);
    check("2028-01-31", "2028-02-29", 1);
    check("2028-02-29", "2029-02-28", 12);
    check("2026-11-28", "2026-11-28", 0);
    check("2025-12-31", "2026-06-30", 6);
}

/// Whole months by the calendar, as a person counts them: the months between, less one if the
/// day of the month has not come yet, where a month without that day has its last day instead.
fn months_by_hand(from: Date, to: Date) -> i64 {
    let (y0, m0, d0) = from.ymd();
    let (y1, m1, d1) = to.ymd();
    let between = (y1 - y0) as i64 * 12 + m1 as i64 - m0 as i64;
    let anniversary = d0.min(creditdesk_domain::date::days_in_month(y1, m1));
    if d1 < anniversary {
        between - 1
    } else {
        between
    }
}

/// A day near a month's end more often than not: where the counting goes wrong.
fn a_day() -> impl Strategy<Value = Date> {
    (2024i32..2030, 1u32..=12, 0u32..8, any::<bool>()).prop_map(|(y, m, back, end)| {
        let last = creditdesk_domain::date::days_in_month(y, m);
        let day = if end {
            last - back.min(last - 1)
        } else {
            1 + back
        };
        Date::from_ymd(y, m, day).unwrap()
    })
}

proptest! {
    #[test]
    fn whole_months_agree_with_counting_by_hand(a in a_day(), b in a_day()) {
        let (from, to) = if a <= b { (a, b) } else { (b, a) };
        prop_assert_eq!(whole_months(from, to), months_by_hand(from, to), "{} to {}", from.iso(), to.iso());
    }
}

#[test]
fn an_unused_limit_is_reviewed_six_months_on_at_a_month_end_too() {
    // Last invoiced on 31 May: on 30 November (no 31st) six months have passed.
    let c = customer(100_000);
    let last = CustomerSummary {
        last_invoice: Some(d("2026-05-31")),
        ..CustomerSummary::default()
    };
    let on = |day: &str| {
        let f = facts(&c, &last, Money::ZERO, Grade::A, Fixed(7000), None, d(day));
        fired(&f)
    };
    assert_eq!(on("2026-11-30"), ["W1004"]);
    assert_eq!(on("2026-11-29"), Vec::<String>::new());
}

#[test]
fn the_built_in_rules_fire_exactly_at_their_boundaries() {
    let c = customer(100_000);
    let check = |s: CustomerSummary, exposure: Money, expected: &[&str]| {
        assert_eq!(
            fired(&facts_of(&c, s, exposure)),
            expected,
            "{s:?} {exposure:?}"
        );
    };
    let recent = CustomerSummary {
        last_invoice: Some(d("2026-11-01")),
        ..CustomerSummary::default()
    };
    // Utilisation: exactly 90% warns, a cent less does not.
    check(recent, y(90_000), &["W1001"]);
    check(recent, y(90_000) - Money::from_minor(1), &[]);
    // Any overdue holds and opens a task; above ¥10,000 (not at it) also alerts the lead.
    let overdue = |units: i64, minor: i64| CustomerSummary {
        overdue: y(units) + Money::from_minor(minor),
        ..recent
    };
    check(overdue(0, 1), Money::ZERO, &["W1002"]);
    check(overdue(10_000, 0), Money::ZERO, &["W1002"]);
    check(overdue(10_000, 1), Money::ZERO, &["W1002", "W1003"]);
    // Unused for 6 months to the day proposes a review; a day less does not.
    let last = |s: &str| CustomerSummary {
        last_invoice: Some(d(s)),
        ..CustomerSummary::default()
    };
    check(last("2026-05-28"), Money::ZERO, &["W1004"]);
    check(last("2026-05-29"), Money::ZERO, &[]);
    // A review date passed alerts finance; due today does not yet.
    let mut due = customer(100_000);
    due.limits.review_due = Some(d("2026-11-27"));
    assert_eq!(fired(&facts_of(&due, recent, Money::ZERO)), ["W1006"]);
    due.limits.review_due = Some(d(TODAY));
    assert_eq!(
        fired(&facts_of(&due, recent, Money::ZERO)),
        Vec::<String>::new()
    );
    // An expired limit alerts finance.
    due.limits.expires = Some(d("2026-11-27"));
    assert!(fired(&facts_of(&due, recent, Money::ZERO)).contains(&"W1005".to_string()));
    // No limit: no utilisation, no unused-limit review.
    let none = customer(0);
    assert_eq!(
        fired(&facts_of(&none, last("2020-01-01"), y(5))),
        Vec::<String>::new()
    );
}

#[test]
fn an_invoice_due_five_days_ago_holds_ordering_and_opens_one_task() {
    let c = customer(100_000);
    let meta = Meta::new(DeviceId::from_u128(9), Timestamp(0));
    let inv = |n: u128, due: &str, units: i64| Invoice {
        id: InvoiceId::from_u128(n),
        meta,
        customer: C,
        order: None,
        number: DocNo::parse(&format!("INV-{n}")).unwrap(),
        issue_date: d("2026-10-01"),
        due_date: d(due),
        amount: y(units),
    };
    let mut l = Ledger::new();
    l.add_invoice(inv(1, "2026-11-23", 500)).unwrap();
    l.add_invoice(inv(2, "2026-12-28", 1_000)).unwrap();
    let s = l.summary(C, d(TODAY));
    assert_eq!((s.overdue_count, s.overdue), (1, y(500)));
    let f = facts_of(&c, s, s.open_ar);
    let mut state = MonitorState::default();
    let report = state.run(&RuleSet::default(), std::slice::from_ref(&f), d(TODAY), 1);
    assert_eq!(report.held, vec![C]);
    assert_eq!(state.held(C).len(), 1);
    assert_eq!(state.tasks.len(), 1);
    assert_eq!(state.tasks[0].owner, "Li Na");
    assert_eq!(
        state
            .alerts
            .iter()
            .map(|a| a.rule.as_str())
            .collect::<Vec<_>>(),
        ["W1002"]
    );
    // The same facts again change nothing.
    assert!(state.run(&RuleSet::default(), &[f], d(TODAY), 2).is_empty());
    // Paid: the task closes by itself; the hold stays until an unfreeze is approved.
    let paid = facts_of(
        &c,
        CustomerSummary {
            open_ar: y(1_000),
            ..CustomerSummary::default()
        },
        y(1_000),
    );
    let report = state.run(&RuleSet::default(), &[paid], d("2026-11-29"), 3);
    assert_eq!(report.tasks_closed.len(), 1);
    assert_eq!(state.tasks[0].status, TaskStatus::Paid);
    assert_eq!(
        state.held(C).len(),
        1,
        "the default needs an unfreeze request"
    );
    assert!(state.release(C));
    assert!(state.held(C).is_empty());
}

#[test]
fn a_hold_lifts_by_itself_only_when_the_rule_says_so() {
    let c = customer(100_000);
    let mut rules = RuleSet::default();
    rules.rules[1].auto_release = true;
    let owing = owing(&c, 1);
    let clear = facts_of(&c, CustomerSummary::default(), Money::ZERO);
    let mut state = MonitorState::default();
    state.run(&rules, &[owing], d(TODAY), 1);
    assert_eq!(state.held(C).len(), 1);
    let report = state.run(&rules, &[clear], d("2026-11-29"), 2);
    assert_eq!(report.released, vec![C]);
    assert!(state.held(C).is_empty());
}

#[test]
fn a_promise_past_its_date_with_the_debt_still_there_raises_one_alert() {
    let c = customer(100_000);
    let owing = owing(&c, 300);
    let mut state = MonitorState::default();
    state.run(
        &RuleSet::default(),
        std::slice::from_ref(&owing),
        d(TODAY),
        1,
    );
    state.tasks[0].status = TaskStatus::Promised {
        date: d("2026-11-30"),
        amount: y(300),
    };
    assert!(state
        .run(
            &RuleSet::default(),
            std::slice::from_ref(&owing),
            d("2026-11-30"),
            2
        )
        .broken_promises
        .is_empty());
    let report = state.run(
        &RuleSet::default(),
        std::slice::from_ref(&owing),
        d("2026-12-01"),
        3,
    );
    assert_eq!(report.broken_promises.len(), 1);
    assert!(state.alerts.iter().any(|a| a.rule == PROMISE_BROKEN));
    assert!(
        state
            .run(&RuleSet::default(), &[owing], d("2026-12-02"), 4)
            .broken_promises
            .is_empty(),
        "once"
    );
}

#[test]
fn a_notice_lists_the_open_invoices_in_the_customers_language() {
    let item = OpenItem {
        invoice: InvoiceId::from_u128(1),
        number: DocNo::parse("INV-7").unwrap(),
        issue_date: d("2026-10-01"),
        due_date: d("2026-11-23"),
        amount: y(500),
        open: y(500),
        days_overdue: 5,
    };
    let (subject, body) = notice_text(true, "华东机械", &[item], d(TODAY));
    assert!(subject.contains("华东机械"));
    assert!(body.contains("INV-7") && body.contains("¥500.00") && body.contains("已逾期 5 天"));
    let (_, body) = notice_text(false, "East Machinery", &[item], d(TODAY));
    assert!(body.contains("5 days overdue"));
}

#[test]
fn broken_rules_are_named_with_a_code_and_where() {
    let mut rules = RuleSet::default();
    rules.rules[0].code = "X1".into();
    rules.rules[1].code = "W1003".into();
    rules.rules[2].actions = Actions::default();
    let got: Vec<(RuleCode, String)> = rules
        .problems()
        .into_iter()
        .map(|p| (p.code, p.at))
        .collect();
    assert_eq!(
        got,
        vec![
            (RuleCode::BadCode, "X1".to_string()),
            (RuleCode::DuplicateCode, "W1003".to_string()),
            (RuleCode::NoAction, "W1003".to_string())
        ]
    );
    assert!(RuleSet::default().problems().is_empty());
}

proptest! {
    /// Over any day-by-day history of overdue amounts: an alert is raised exactly when the
    /// condition starts to hold, never twice while it holds, and again after it clears; running
    /// twice on a day changes nothing.
    #[test]
    fn alerts_are_raised_once_per_episode_and_rearm_when_cleared(days in proptest::collection::vec(0i64..3, 1..60)) {
        let c = customer(100_000);
        let rules = RuleSet { version: 1, rules: vec![RuleSet::default().rules[1].clone()] };
        let mut state = MonitorState::default();
        let mut episodes = 0;
        let mut was = false;
        for (i, owed) in days.iter().enumerate() {
            let now = owed > &0;
            if now && !was { episodes += 1; }
            was = now;
            let f = facts_of(&c, CustomerSummary { overdue: Money::from_minor(*owed), ..CustomerSummary::default() }, Money::ZERO);
            let day = d(TODAY).add_days(i as i32);
            state.run(&rules, std::slice::from_ref(&f), day, i as i64);
            let again = state.run(&rules, &[f], day, i as i64);
            prop_assert!(again.raised.is_empty() && again.cleared.is_empty(), "idempotent");
            prop_assert_eq!(state.armed.len(), usize::from(now));
            prop_assert!(state.tasks.iter().filter(|t| t.is_open()).count() <= 1, "one open task at most");
        }
        prop_assert_eq!(state.alerts.len(), episodes);
    }
}

#[test]
fn a_back_test_counts_what_each_month_would_have_raised_and_held() {
    let c = customer(100_000);
    let month = |owed: i64| {
        vec![facts_of(
            &c,
            CustomerSummary {
                overdue: y(owed),
                last_invoice: Some(d("2026-08-01")),
                ..CustomerSummary::default()
            },
            Money::ZERO,
        )]
    };
    let months = vec![
        (d("2026-08-31"), month(0)),
        (d("2026-09-30"), month(12_000)),
        (d("2026-10-31"), month(12_000)),
        (d("2026-11-28"), month(500)),
    ];
    let rows = backtest(&RuleSet::default(), &months);
    assert_eq!(rows[0].raised.len(), 0);
    // One alert for one fact: overdue above ¥10,000 speaks for "an invoice is overdue".
    assert_eq!(rows[1].raised.get("W1002"), None);
    assert_eq!(rows[1].raised.get("W1003"), Some(&1));
    assert_eq!((rows[1].held, rows[1].held_overdue), (1, y(12_000)));
    assert!(rows[2].raised.is_empty(), "still the same episode");
    assert_eq!(
        rows[3].held_overdue,
        y(500),
        "held until an unfreeze, whatever is owed"
    );
}

#[test]
fn a_run_over_some_customers_leaves_the_others_armed() {
    let a = customer(100_000);
    let mut b = customer(100_000);
    b.id = CustomerId::from_u128(2);
    let owing = |c: &Customer| {
        facts_of(
            c,
            CustomerSummary {
                overdue: y(5),
                last_invoice: Some(d("2026-11-01")),
                ..CustomerSummary::default()
            },
            Money::ZERO,
        )
    };
    let mut state = MonitorState::default();
    state.run(&RuleSet::default(), &[owing(&a), owing(&b)], d(TODAY), 1);
    assert_eq!(state.armed.len(), 2);
    let report = state.run(&RuleSet::default(), &[owing(&a)], d(TODAY), 2);
    assert!(
        report.cleared.is_empty(),
        "b was not looked at, so it did not clear"
    );
    assert_eq!(state.armed.len(), 2);
}

#[test]
fn a_hold_of_a_rule_since_removed_stays_until_an_unfreeze() {
    let c = customer(100_000);
    let owing = owing(&c, 1);
    let clear = facts_of(&c, CustomerSummary::default(), Money::ZERO);
    let mut state = MonitorState::default();
    state.run(&RuleSet::default(), &[owing], d(TODAY), 1);
    let mut rules = RuleSet::default();
    rules.rules.retain(|r| r.code != "W1002");
    state.run(&rules, &[clear], d("2026-11-29"), 2);
    assert_eq!(state.held(C).len(), 1);
}

#[test]
fn the_armed_conditions_are_the_alerts_not_yet_cleared() {
    let c = customer(100_000);
    let owing = facts_of(
        &c,
        CustomerSummary {
            overdue: y(20_000),
            ..CustomerSummary::default()
        },
        y(95_000),
    );
    let mut state = MonitorState::default();
    state.run(&RuleSet::default(), &[owing], d(TODAY), 1);
    let armed = state.armed.clone();
    assert!(armed.len() >= 3);
    state.armed.clear();
    state.rearm_from_alerts();
    assert_eq!(state.armed, armed);
}

/// A rule over one metric with these actions.
fn rule(code: &str, metric: Metric, threshold: i64, actions: Actions) -> Rule {
    Rule {
        code: code.into(),
        name: code.into(),
        severity: Severity::Warning,
        enabled: true,
        metric,
        op: Op::Gt,
        threshold,
        grades: vec![],
        regions: vec![],
        reps: vec![],
        actions,
        auto_release: false,
        field: String::new(),
    }
}

/// Customer 1's facts: this much overdue, the oldest this many days.
fn overdue_for_days(overdue: i64, days: i64) -> Facts {
    facts_with(
        1,
        Grade::B,
        "East",
        "li",
        &[
            (Metric::OverdueAmount, overdue),
            (Metric::MaxDaysOverdue, days),
        ],
    )
}

/// Facts with these values.
fn facts_with(
    customer: u128,
    grade: Grade,
    region: &str,
    rep: &str,
    values: &[(Metric, i64)],
) -> Facts {
    Facts {
        customer: CustomerId::from_u128(customer),
        region: region.into(),
        rep: rep.into(),
        grade,
        score: Fixed(6000),
        values: values.iter().copied().collect(),
        custom: Default::default(),
    }
}

#[test]
fn a_rule_limited_to_grades_regions_and_reps_fires_only_inside_them() {
    let mut r = rule("W9001", Metric::OverdueAmount, 0, Actions::default());
    r.grades = vec![Grade::B];
    r.regions = vec!["East".into()];
    r.reps = vec!["li".into()];
    let check = |grade, region, rep, expected: bool| {
        let f = facts_with(1, grade, region, rep, &[(Metric::OverdueAmount, 100)]);
        assert_eq!(r.fires(&f).is_some(), expected, "{grade:?} {region} {rep}");
    };
    check(Grade::B, "East", "li", true);
    check(Grade::A, "East", "li", false);
    check(Grade::B, "West", "li", false);
    check(Grade::B, "East", "wang", false);
}

#[test]
fn a_drop_in_grade_or_score_is_measured_from_the_previous_evaluation() {
    let c = customer(100_000);
    let f = facts(
        &c,
        &CustomerSummary::default(),
        Money::ZERO,
        Grade::B,
        Fixed(6000),
        Some((Grade::AA, Fixed(8500))),
        d(TODAY),
    );
    // AA to B is two grades down; 85.00 to 60.00 is 25 points.
    assert_eq!(f.get(Metric::GradeDrop), Some(2));
    assert_eq!(f.get(Metric::ScoreDrop), Some(2500));
}

#[test]
fn a_run_holds_once_per_rule_opens_one_task_per_customer_names_the_rep_and_clears_only_its_own_alert(
) {
    let hold_and_task = Actions {
        hold: true,
        task: true,
        ..Actions::default()
    };
    let hold_and_notice = Actions {
        hold: true,
        notice: true,
        ..Actions::default()
    };
    let roles_only = Actions {
        alert_roles: vec![creditdesk_domain::approval::Role::FinanceManager],
        ..Actions::default()
    };
    let rules = RuleSet {
        version: 1,
        rules: vec![
            rule("R1", Metric::OverdueAmount, 0, hold_and_task),
            rule("R2", Metric::MaxDaysOverdue, 30, hold_and_notice),
            rule("R3", Metric::OpenAr, 0, roles_only),
        ],
    };
    let x = |days| {
        facts_with(
            1,
            Grade::B,
            "East",
            "li",
            &[
                (Metric::OverdueAmount, 500),
                (Metric::MaxDaysOverdue, days),
                (Metric::OpenAr, 900),
            ],
        )
    };
    let y = facts_with(
        2,
        Grade::B,
        "East",
        "wang",
        &[
            (Metric::OverdueAmount, 700),
            (Metric::MaxDaysOverdue, 3),
            (Metric::OpenAr, 700),
        ],
    );
    // z: over 30 days on paper but owing nothing overdue now: R2 and R3 fire, R1 does not.
    let z = facts_with(
        3,
        Grade::B,
        "East",
        "zhao",
        &[
            (Metric::OverdueAmount, 0),
            (Metric::MaxDaysOverdue, 45),
            (Metric::OpenAr, 100),
        ],
    );
    let mut state = MonitorState::default();
    state.run(&rules, &[x(40), y.clone(), z.clone()], d(TODAY), 1);
    let (cx, cy, cz) = (
        CustomerId::from_u128(1),
        CustomerId::from_u128(2),
        CustomerId::from_u128(3),
    );
    // x is held by both rules, once each.
    let holds: Vec<&str> = state.held(cx).iter().map(|h| h.rule.as_str()).collect();
    assert_eq!(holds, ["R1", "R2"]);
    // One task for x and one for y, none for z (no rule of z opens tasks).
    let tasks: Vec<CustomerId> = state.tasks.iter().map(|t| t.customer).collect();
    assert_eq!(tasks.iter().filter(|c| **c == cx).count(), 1);
    assert_eq!(tasks.iter().filter(|c| **c == cy).count(), 1);
    assert_eq!(tasks.iter().filter(|c| **c == cz).count(), 0);
    // An alert names the rep when the rule acts through them (a task, a notice).
    let rep_of = |code: &str, c: CustomerId| {
        state
            .alerts
            .iter()
            .find(|a| a.rule == code && a.customer == c)
            .map(|a| a.rep.clone())
    };
    assert_eq!(rep_of("R1", cx), Some(Some("li".into())));
    assert_eq!(rep_of("R2", cz), Some(Some("zhao".into())));
    assert_eq!(rep_of("R3", cx), Some(None));
    // x's days fall under 30: R2's alert clears, R1's stays open.
    state.run(&rules, &[x(10), y, z], d(TODAY), 2);
    let cleared = |code: &str| {
        state
            .alerts
            .iter()
            .find(|a| a.rule == code && a.customer == cx)
            .unwrap()
            .cleared_on
    };
    assert_eq!(cleared("R2"), Some(d(TODAY)));
    assert_eq!(cleared("R1"), None);
    assert_eq!(cleared("R3"), None);
}

#[test]
fn a_rule_that_lifts_its_own_hold_reports_a_release_only_when_it_held() {
    let hold = Actions {
        hold: true,
        ..Actions::default()
    };
    let mut lifts = rule("R1", Metric::OverdueAmount, 0, hold);
    lifts.auto_release = true;
    let mut no_hold = rule("R2", Metric::MaxDaysOverdue, 30, Actions::default());
    no_hold.auto_release = true;
    let rules = RuleSet {
        version: 1,
        rules: vec![lifts, no_hold],
    };
    let x = overdue_for_days;
    let cx = CustomerId::from_u128(1);
    let mut state = MonitorState::default();
    state.run(&rules, &[x(500, 40)], d(TODAY), 1);
    assert_eq!(state.held(cx).len(), 1);
    // R2 clears: it held nothing, so nothing is released.
    let report = state.run(&rules, &[x(500, 10)], d(TODAY), 2);
    assert_eq!(report.cleared.len(), 1);
    assert!(report.released.is_empty(), "{report:?}");
    assert_eq!(state.held(cx).len(), 1);
    // R1 clears: its hold is lifted and reported.
    let report = state.run(&rules, &[x(0, 10)], d(TODAY), 3);
    assert_eq!(report.released, vec![cx]);
    assert!(state.held(cx).is_empty());
}

#[test]
fn a_broken_promise_alerts_the_owner_of_its_own_task() {
    let task_rule = Actions {
        task: true,
        ..Actions::default()
    };
    let rules = RuleSet {
        version: 1,
        rules: vec![rule("R1", Metric::OverdueAmount, 0, task_rule)],
    };
    let fx = facts_with(1, Grade::B, "East", "li", &[(Metric::OverdueAmount, 500)]);
    let fy = facts_with(2, Grade::B, "East", "wang", &[(Metric::OverdueAmount, 700)]);
    let mut state = MonitorState::default();
    state.run(&rules, &[fx.clone(), fy.clone()], d(TODAY), 1);
    // Wang's customer promised to pay yesterday and did not.
    let t = state
        .tasks
        .iter_mut()
        .find(|t| t.owner == "wang")
        .expect("wang's task");
    t.status = TaskStatus::Promised {
        date: d(TODAY).add_days(-1),
        amount: y(700),
    };
    let report = state.run(&rules, &[fx, fy], d(TODAY), 2);
    assert_eq!(report.broken_promises.len(), 1);
    let alert = state
        .alerts
        .iter()
        .find(|a| a.rule == PROMISE_BROKEN)
        .unwrap();
    assert_eq!(
        (alert.customer, alert.rep.as_deref()),
        (CustomerId::from_u128(2), Some("wang"))
    );
}

/// The customer's alerts: (rule, status, cleared, what it covers, superseded by).
fn alerts_of(state: &MonitorState) -> Vec<(String, AlertStatus, bool, Vec<String>, bool)> {
    state
        .alerts
        .iter()
        .map(|a| {
            (
                a.rule.clone(),
                a.status,
                a.cleared_on.is_some(),
                a.covers.clone(),
                a.superseded_by.is_some(),
            )
        })
        .collect()
}

/// The facts of a customer that owes `units`, all overdue, and invoiced this month.
fn owes(c: &Customer, units: i64) -> Facts {
    facts_of(
        c,
        CustomerSummary {
            overdue: y(units),
            open_ar: y(units),
            last_invoice: Some(d("2026-11-01")),
            ..CustomerSummary::default()
        },
        y(units),
    )
}

#[test]
fn overdue_above_10000_raises_one_alert_that_speaks_for_the_overdue_and_still_holds_and_opens_a_task(
) {
    let c = customer(1_000_000);
    let mut state = MonitorState::default();
    let rules = RuleSet::default();
    let report = state.run(&rules, &[owes(&c, 12_000)], d(TODAY), 1);
    assert_eq!(report.raised.len(), 1);
    assert_eq!(
        alerts_of(&state),
        [(
            "W1003".into(),
            AlertStatus::Open,
            false,
            vec!["W1002".into()],
            false
        )]
    );
    // It reaches the lead and finance (W1003) and the rep who owns the task (W1002).
    assert_eq!(state.alerts[0].rep.as_deref(), Some("Li Na"));
    assert_eq!(
        state.alerts[0].roles,
        [
            approval::Role::SalesManager,
            approval::Role::FinanceSpecialist
        ]
    );
    // Both rules act: W1002's hold and task, W1003's hold.
    let holds: Vec<&str> = state.held(C).iter().map(|h| h.rule.as_str()).collect();
    assert_eq!(holds, ["W1003", "W1002"]);
    assert_eq!(state.tasks.len(), 1);
    // Again, and after a reload (the armed set rebuilt from the alerts): nothing new.
    assert!(state
        .run(&rules, &[owes(&c, 12_000)], d(TODAY), 2)
        .is_empty());
    state.rearm_from_alerts();
    assert!(state
        .run(&rules, &[owes(&c, 12_000)], d(TODAY), 3)
        .is_empty());
    // Down to ¥500 overdue: still the same fact (overdue), the alert stays open.
    let report = state.run(&rules, &[owes(&c, 500)], d("2026-11-29"), 4);
    assert!(
        report.raised.is_empty() && report.cleared.is_empty(),
        "{report:?}"
    );
    state.rearm_from_alerts();
    assert!(state
        .run(&rules, &[owes(&c, 500)], d("2026-11-29"), 5)
        .raised
        .is_empty());
    // Paid: the alert clears.
    let report = state.run(&rules, &[owes(&c, 0)], d("2026-11-30"), 6);
    assert_eq!(report.cleared.len(), 1);
    assert!(alerts_of(&state)[0].2);
}

#[test]
fn each_customer_in_a_run_gets_its_own_one_alert_per_fact() {
    let c = customer(1_000_000);
    let mut other = customer(1_000_000);
    other.id = CustomerId::from_u128(2);
    let mut state = MonitorState::default();
    let facts = [owes(&c, 12_000), owes(&other, 500)];
    state.run(&RuleSet::default(), &facts, d(TODAY), 1);
    let got: Vec<(CustomerId, String, Vec<String>)> = state
        .alerts
        .iter()
        .map(|a| (a.customer, a.rule.clone(), a.covers.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (C, "W1003".to_string(), vec!["W1002".to_string()]),
            (other.id, "W1002".to_string(), vec![]),
        ]
    );
}

#[test]
fn an_overdue_alert_gives_way_when_the_overdue_grows_above_10000() {
    let c = customer(1_000_000);
    let mut state = MonitorState::default();
    let rules = RuleSet::default();
    state.run(&rules, &[owes(&c, 500)], d(TODAY), 1);
    assert_eq!(
        alerts_of(&state),
        [("W1002".into(), AlertStatus::Open, false, vec![], false)]
    );
    let report = state.run(&rules, &[owes(&c, 12_000)], d("2026-11-29"), 2);
    assert_eq!((report.raised.len(), report.superseded.len()), (1, 1));
    assert_eq!(
        alerts_of(&state),
        [
            ("W1002".into(), AlertStatus::Resolved, false, vec![], true),
            ("W1003".into(), AlertStatus::Open, false, vec![], false),
        ]
    );
    // One open alert: the lock's.
    let open = state
        .alerts
        .iter()
        .filter(|a| a.status != AlertStatus::Resolved)
        .count();
    assert_eq!(open, 1);
}

#[test]
fn a_rule_implies_another_on_the_same_metric_with_a_threshold_at_least_as_strict() {
    let rule = |code: &str, metric, op, threshold| Rule {
        code: code.into(),
        metric,
        op,
        threshold,
        ..RuleSet::default().rules[1].clone()
    };
    let check = |a: Rule, b: Rule, expected: bool| {
        assert_eq!(
            a.implies(&b),
            expected,
            "{:?} {} vs {:?} {}",
            a.op,
            a.threshold,
            b.op,
            b.threshold
        )
    };
    let m = Metric::OverdueAmount;
    check(rule("A", m, Op::Gt, 10), rule("B", m, Op::Gt, 0), true);
    check(rule("A", m, Op::Gt, 0), rule("B", m, Op::Gt, 10), false);
    check(rule("A", m, Op::Gt, 5), rule("B", m, Op::Ge, 5), true);
    check(rule("A", m, Op::Ge, 5), rule("B", m, Op::Gt, 5), false);
    check(rule("A", m, Op::Ge, 5), rule("B", m, Op::Ge, 5), true);
    check(rule("A", m, Op::Lt, -5), rule("B", m, Op::Lt, 0), true);
    check(rule("A", m, Op::Le, 0), rule("B", m, Op::Lt, 0), false);
    check(rule("A", m, Op::Eq, 5), rule("B", m, Op::Ge, 5), false);
    check(
        rule("A", m, Op::Gt, 10),
        rule("B", Metric::OpenAr, Op::Gt, 0),
        false,
    );
    check(rule("A", m, Op::Gt, 10), rule("A", m, Op::Gt, 0), false);
}

#[test]
fn a_rule_reads_custom_fields_an_amount_a_day_and_an_option_of_a_choice() {
    use creditdesk_domain::fields::{readings, FieldDef, FieldKind, FieldOption, FieldSet};
    let def = |key: &str, kind| FieldDef::new(key, key, key, kind);
    let opt = |k: &str| FieldOption {
        key: k.into(),
        zh: k.into(),
        en: k.into(),
        retired: false,
    };
    let set = FieldSet {
        access: Vec::new(),
        version: 1,
        fields: vec![
            def("disputed_balance", FieldKind::Money),
            def("audit_due", FieldKind::Date),
            def("note", FieldKind::Text),
            FieldDef {
                options: vec![opt("retail"), opt("export")],
                ..def("segment", FieldKind::Choice)
            },
        ],
    };
    let values: std::collections::BTreeMap<String, String> = [
        ("disputed_balance", "12000.50"),
        ("audit_due", "2026-06-20"),
        ("note", "call first"),
        ("segment", "export"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let read = readings(&set, &values, d("2026-06-15"));
    assert_eq!(
        read.into_iter().collect::<Vec<_>>(),
        [
            ("audit_due".to_string(), 500),
            ("disputed_balance".to_string(), 1_200_050),
            ("segment=export".to_string(), 100),
            ("segment=retail".to_string(), 0),
        ]
    );
    let mut f = facts_with(1, Grade::A, "East", "rep-1", &[]);
    f.custom = readings(&set, &values, d("2026-06-15"));
    let on = |field: &str, op: Op, threshold: i64| {
        let r = Rule {
            field: field.into(),
            op,
            ..rule("W9100", Metric::CustomField, threshold, Actions::default())
        };
        r.fires(&f)
    };
    // Disputed balance over ¥10,000; an audit due within 7 days; the export segment.
    assert_eq!(on("disputed_balance", Op::Gt, 1_000_000), Some(1_200_050));
    assert_eq!(on("disputed_balance", Op::Gt, 2_000_000), None);
    assert_eq!(on("audit_due", Op::Le, 700), Some(500));
    assert_eq!(on("segment=export", Op::Ge, 100), Some(100));
    assert_eq!(on("segment=retail", Op::Ge, 100), None);
    // A customer without the value: the rule does not fire.
    assert_eq!(on("no_such", Op::Ge, 0), None);
    assert_eq!(Metric::CustomField.show(1_200_050), "12,000.5");
    // Its alert reads as the rule's name and the value against the threshold.
    let watch = Rule {
        field: "disputed_balance".into(),
        name: "Disputed balance over 10,000".into(),
        op: Op::Gt,
        ..rule(
            "W9103",
            Metric::CustomField,
            1_000_000,
            Actions {
                alert_rep: true,
                ..Actions::default()
            },
        )
    };
    let set = RuleSet {
        version: 1,
        rules: vec![watch],
    };
    let mut state = MonitorState::default();
    state.run(&set, std::slice::from_ref(&f), d("2026-06-15"), 0);
    assert_eq!(
        alert_sentence(false, &state.alerts[0]),
        "Disputed balance over 10,000: 12,000.5, above the threshold of 10,000."
    );
    // A rule on a custom field names one; no other rule does.
    let mut unnamed = rule(
        "W9101",
        Metric::CustomField,
        0,
        Actions {
            alert_rep: true,
            ..Actions::default()
        },
    );
    let mut named = rule(
        "W9102",
        Metric::OverdueAmount,
        0,
        Actions {
            alert_rep: true,
            ..Actions::default()
        },
    );
    named.field = "segment=export".into();
    unnamed.name = "x".into();
    let set = RuleSet {
        version: 1,
        rules: vec![unnamed, named],
    };
    let codes: Vec<&str> = set.problems().iter().map(|p| p.code.code()).collect();
    assert_eq!(codes, ["RU007", "RU007"]);
}

#[test]
fn with_the_limits_hidden_a_device_leaves_to_the_server_every_rule_that_reads_a_limit_or_proposes_one(
) {
    use creditdesk_domain::monitor::{Metric, RuleSet};
    let rules = RuleSet::default();
    let blind = |hidden: &[&str]| -> Vec<(Metric, bool)> {
        rules
            .rules
            .iter()
            .filter(|r| r.reads_hidden(hidden))
            .map(|r| (r.metric, r.actions.review))
            .collect()
    };
    // Nothing hidden: the device runs every rule.
    assert_eq!(blind(&[]), vec![]);
    assert_eq!(blind(&["phone"]), vec![]);
    // Limits hidden: utilisation and the unused limit read the limit; the review of a limit
    // whose date passed proposes a new one from it. Overdue and the rest stay on the device.
    let with_limits = blind(&["limits"]);
    assert!(!with_limits.is_empty());
    assert!(
        with_limits
            .iter()
            .all(|(m, review)| *review || matches!(m, Metric::Utilisation | Metric::MonthsUnused)),
        "{with_limits:?}"
    );
    for m in [
        Metric::Utilisation,
        Metric::MonthsUnused,
        Metric::DaysToReview,
    ] {
        assert!(
            with_limits.iter().any(|(x, _)| *x == m),
            "{m:?} not left to the server: {with_limits:?}"
        );
    }
    assert!(!with_limits
        .iter()
        .any(|(m, _)| matches!(m, Metric::OverdueAmount | Metric::MaxDaysOverdue)));
}

#[test]
fn a_customer_has_one_open_collection_task_however_many_rules_ask_for_one() {
    let task = Actions {
        task: true,
        ..Actions::default()
    };
    let rules = RuleSet {
        version: 1,
        rules: vec![
            rule("R1", Metric::OverdueAmount, 0, task.clone()),
            rule("R2", Metric::MaxDaysOverdue, 30, task.clone()),
        ],
    };
    let x = overdue_for_days;
    let open = |m: &MonitorState| m.tasks.iter().filter(|t| t.is_open()).count();
    let mut m = MonitorState::default();
    // Both rules in one run: one task.
    let r = m.run(&rules, &[x(500, 40)], d("2026-11-28"), 1);
    assert_eq!((r.raised.len(), r.tasks_opened.len(), open(&m)), (2, 1, 1));
    // R2 clears and fires again while the task is still open: no second task.
    m.run(&rules, &[x(500, 3)], d("2026-11-29"), 2);
    let r = m.run(&rules, &[x(500, 45)], d("2026-11-30"), 3);
    assert_eq!((r.raised.len(), r.tasks_opened.len(), open(&m)), (1, 0, 1));
    // Paid: the task closes; overdue again, a new one opens.
    m.run(&rules, &[x(0, 0)], d("2026-12-01"), 4);
    assert_eq!(open(&m), 0);
    let r = m.run(&rules, &[x(800, 31)], d("2026-12-02"), 5);
    assert_eq!((r.tasks_opened.len(), open(&m)), (1, 1));
}

/// What a state holds, whatever the ids its runs gave: each alert's rule, customer, status,
/// whether it cleared, what it covers and whether a stricter one took its place; the armed
/// conditions; the holds; each task's customer and whether it is open.
type Held = (
    Vec<(String, CustomerId, String, bool, Vec<String>, bool)>,
    Vec<String>,
    Vec<(CustomerId, Vec<String>)>,
    Vec<(CustomerId, bool)>,
);

fn held(state: &MonitorState) -> Held {
    let mut alerts: Vec<_> = state
        .alerts
        .iter()
        .map(|a| {
            (
                a.rule.clone(),
                a.customer,
                format!("{:?}", a.status),
                a.cleared_on.is_some(),
                a.covers.clone(),
                a.superseded_by.is_some(),
            )
        })
        .collect();
    alerts.sort();
    let armed = state.armed.keys().cloned().collect();
    let holds = (state.holds.iter())
        .map(|(c, h)| (*c, h.iter().map(|h| h.rule.clone()).collect()))
        .collect();
    let mut tasks: Vec<_> = state
        .tasks
        .iter()
        .map(|t| (t.customer, t.is_open()))
        .collect();
    tasks.sort();
    (alerts, armed, holds, tasks)
}

/// How many of each kind a report names.
fn counts(r: &RunReport) -> [usize; 8] {
    [
        r.raised.len(),
        r.cleared.len(),
        r.held.len(),
        r.released.len(),
        r.tasks_opened.len(),
        r.tasks_closed.len(),
        r.broken_promises.len(),
        r.superseded.len(),
    ]
}

proptest! {
    /// A run over many customers may be made as runs over some of them at a time (the app runs
    /// a large book's customers a few thousand a step, with turns for the page): on any book,
    /// over two days with the debts changed between them, the parts leave the state the one run
    /// leaves and report as much.
    #[test]
    fn a_run_made_in_parts_leaves_what_the_one_run_leaves(
        owed in proptest::collection::vec((0usize..3, 0usize..3), 1..12),
        cuts in proptest::collection::vec(0usize..12, 0..3),
    ) {
        let rules = RuleSet::default();
        let book: Vec<Customer> = (0..owed.len())
            .map(|i| {
                let mut c = customer(100_000);
                c.id = CustomerId::from_u128(i as u128 + 1);
                c
            })
            .collect();
        let day = |k: usize| -> Vec<Facts> {
            // Nothing, a little overdue, or over the 10,000 that locks.
            let units = |o: usize| [0, 5, 20_000][o];
            book.iter().zip(&owed).map(|(c, o)| owes(c, units(if k == 0 { o.0 } else { o.1 }))).collect()
        };
        // Where the parts end: up to three parts, any of them empty.
        let mut ends: Vec<usize> = cuts.iter().map(|&c| c.min(owed.len())).collect();
        ends.sort();
        ends.push(owed.len());
        let (mut whole, mut parts) = (MonitorState::default(), MonitorState::default());
        for k in 0..2 {
            let facts = day(k);
            let on = d(TODAY).add_days(k as i32);
            let one = whole.run(&rules, &facts, on, k as i64);
            let mut together = RunReport::default();
            let mut from = 0;
            for &end in &ends {
                together.absorb(parts.run(&rules, &facts[from..end], on, k as i64));
                from = end;
            }
            prop_assert_eq!(counts(&together), counts(&one));
            prop_assert_eq!(held(&parts), held(&whole));
            prop_assert_eq!(
                (parts.seq, &parts.previous, parts.last_run),
                (whole.seq, &whole.previous, whole.last_run)
            );
        }
    }
}
