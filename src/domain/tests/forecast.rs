//! The collections forecast and its back-test, named as sentences, with the arithmetic worked by
//! hand; and its invariants as properties: the weeks, later and at risk sum to what is open, to
//! the fen, and every week's band holds its expected amount.

use creditdesk_domain::forecast::{back_test, forecast, Basis, WEEKS};
use creditdesk_domain::*;
use proptest::prelude::*;

mod common;
use common::*;

fn units(u: i64) -> Money {
    Money::from_units(u)
}

/// Five invoices of 100, 30 days' terms, issued a month apart from 2025-11-01, each paid in full
/// `late` days after its due date: a customer who always pays `late` days late. Ids from `base`.
fn habit(l: &mut Ledger, c: CustomerId, base: u128, late: i32) {
    for i in 0..5u128 {
        let issue = d("2025-11-01").add_days(30 * i as i32);
        let n = base + i;
        l.add_invoice(invoice(n, c, &issue.iso(), 30, 100)).unwrap();
        let paid = issue.add_days(30 + late);
        l.add_payment(payment(base + 100 + i, c, &paid.iso(), &[(n, 100)]))
            .unwrap();
    }
}

#[test]
fn a_customer_who_always_pays_ten_days_late_is_expected_ten_days_after_the_due_date() {
    let mut l = Ledger::new();
    habit(&mut l, C1, 1, 10);
    // Due 2026-08-05; as of 08-01 the money is expected on 08-15: 14 days on, week 2.
    l.add_invoice(invoice(50, C1, "2026-07-06", 30, 1000))
        .unwrap();
    let f = forecast(&l, &[C1], d("2026-08-01"));
    assert_eq!(f.lines.len(), 1);
    let line = &f.lines[0];
    assert_eq!(line.basis, Basis::Own);
    assert_eq!(line.cash.open, units(1000));
    assert_eq!(line.cash.weeks[1], units(1000));
    assert_eq!(line.cash.horizon(), units(1000));
    // Certain by its pattern: the band has no width.
    assert_eq!(line.cash.band(1), (units(1000), units(1000)));
    assert_eq!(f.week(1), (d("2026-08-09"), d("2026-08-15")));
}

#[test]
fn an_invoice_is_spread_by_the_share_of_payments_in_each_week_exactly_to_the_fen() {
    let mut l = Ledger::new();
    // Paid 0, 0, 0, 10 and 10 days late: three fifths on the day, two fifths ten days on.
    for (i, late) in [0, 0, 0, 10, 10].into_iter().enumerate() {
        let issue = d("2026-01-01").add_days(30 * i as i32);
        l.add_invoice(invoice(1 + i as u128, C1, &issue.iso(), 30, 100))
            .unwrap();
        let paid = issue.add_days(30 + late);
        l.add_payment(payment(
            101 + i as u128,
            C1,
            &paid.iso(),
            &[(1 + i as u128, 100)],
        ))
        .unwrap();
    }
    // 1000.01 due 08-03, as of 08-01: on the day is week 1 (08-02..08-08), ten days late (08-13)
    // week 2.
    let mut inv = invoice(50, C1, "2026-07-04", 30, 0);
    inv.amount = Money::from_minor(100_001);
    l.add_invoice(inv).unwrap();
    let f = forecast(&l, &[C1], d("2026-08-01"));
    let c = f.lines[0].cash;
    // 100001 x 3/5 = 60000.6 and x 2/5 = 40000.4: the odd fen goes to the larger remainder.
    assert_eq!(c.weeks[0], Money::from_minor(60_001));
    assert_eq!(c.weeks[1], Money::from_minor(40_000));
    // Variance of each week = expected x (open - expected) = 60001 x 40000; sd = 48990 (floor),
    // x 1.282 = 62805.18 fen, rounded half away; the low end stops at zero.
    assert_eq!(c.band(0), (Money::ZERO, Money::from_minor(60_001 + 62_805)));
    assert_eq!(
        c.band(1).0,
        Money::ZERO,
        "the low end never goes below zero"
    );
}

#[test]
fn an_invoice_later_than_the_customer_ever_paid_borrows_the_books_pattern_and_what_nobody_pays_is_at_risk(
) {
    let mut l = Ledger::new();
    habit(&mut l, C1, 1, 0); // always on the day
    habit(&mut l, C2, 201, 60); // always 60 days late
                                // C1's invoice due 07-02 is 30 days past due on 08-01: C1 never paid that late, C2 did (60
                                // days: 08-31, 30 days on, week 5).
    l.add_invoice(invoice(50, C1, "2026-06-02", 30, 700))
        .unwrap();
    // C1's invoice 90 days past due: nobody ever paid that late.
    l.add_invoice(invoice(51, C1, "2026-04-03", 30, 300))
        .unwrap();
    let f = forecast(&l, &[C1], d("2026-08-01"));
    let c = f.lines[0].cash;
    assert_eq!(f.lines[0].basis, Basis::Own);
    // The book: at 0 days, 500 of the 2,000 unpaid (all ten and both open) was paid: 3/4 left.
    // At 60 days, 500 of 800 (C2's ten, and the 300 open 90 days): 3/4 x 3/8 left for good.
    // Of 700 at 30 days: 700 x (3/4 - 9/32) / (3/4) = 437.50 in week 5, 262.50 never.
    assert_eq!(c.weeks[4], Money::from_minor(43_750));
    assert_eq!(c.at_risk, Money::from_minor(26_250 + 30_000));
    assert_eq!(c.horizon() + c.later + c.at_risk, c.open);
}

#[test]
fn a_customer_with_too_little_history_takes_the_books_pattern() {
    let mut l = Ledger::new();
    habit(&mut l, C1, 1, 21); // C1 pays 21 days late
    l.add_invoice(invoice(300, C2, "2026-01-05", 30, 100))
        .unwrap();
    l.add_payment(payment(301, C2, "2026-02-04", &[(300, 100)]))
        .unwrap();
    // Due 08-10 (9 days on): by the book's habit 08-31, 30 days on: week 5.
    l.add_invoice(invoice(302, C2, "2026-07-11", 30, 400))
        .unwrap();
    let f = forecast(&l, &[C2], d("2026-08-01"));
    assert_eq!(f.lines[0].basis, Basis::Book);
    // The book is everyone: C1's 500 paid 21 days late and C2's own 100 on the day. On the due
    // date (08-10, week 2) 400 x 1/6 = 66.666..., 21 days late (week 5) x 5/6 = 333.333...: the
    // odd fen to the larger remainder.
    let c = f.lines[0].cash;
    assert_eq!(c.weeks[1], Money::from_minor(6_667));
    assert_eq!(c.weeks[4], Money::from_minor(33_333));
}

#[test]
fn with_no_payment_history_anywhere_invoices_are_expected_on_their_due_date() {
    let mut l = Ledger::new();
    l.add_invoice(invoice(1, C1, "2026-07-20", 30, 100))
        .unwrap(); // due 08-19: 18 days on, week 3
    l.add_invoice(invoice(2, C1, "2026-05-01", 30, 200))
        .unwrap(); // past due: week 1
    l.add_invoice(invoice(3, C1, "2026-07-31", 200, 50))
        .unwrap(); // due in 2027: after the horizon
    let f = forecast(&l, &[C1], d("2026-08-01"));
    let c = f.lines[0].cash;
    assert_eq!(f.lines[0].basis, Basis::Terms);
    assert_eq!(
        (c.weeks[0], c.weeks[2], c.later),
        (units(200), units(100), units(50))
    );
}

#[test]
fn an_invoice_not_yet_due_that_no_pattern_fits_is_expected_on_its_due_date_not_at_risk() {
    let mut l = Ledger::new();
    habit(&mut l, C1, 1, -20); // always 20 days early
                               // Due in 10 days: the habit's moment has passed, but nothing is late yet.
    l.add_invoice(invoice(50, C1, "2026-07-12", 30, 100))
        .unwrap();
    let f = forecast(&l, &[C1], d("2026-08-01"));
    let c = f.lines[0].cash;
    assert_eq!((c.weeks[1], c.at_risk), (units(100), Money::ZERO));
}

#[test]
fn customers_with_nothing_open_have_no_line_and_lines_sum_by_a_key() {
    let mut l = Ledger::new();
    habit(&mut l, C1, 1, 0);
    l.add_invoice(invoice(50, C2, "2026-07-20", 30, 100))
        .unwrap();
    let f = forecast(&l, &[C1, C2], d("2026-08-01"));
    assert_eq!(f.lines.len(), 1, "C1 has paid everything");
    let by = f.by(|_| "rep-1");
    assert_eq!(by.len(), 1);
    assert_eq!(by[0].1, f.total());
}

#[test]
fn the_back_test_sets_last_quarters_forecast_against_what_came_in() {
    let mut l = Ledger::new();
    habit(&mut l, C1, 1, 10);
    // Forecast as of 2026-08-01 - 91 days = 05-02. Open then: 1000 due 05-12, expected (10 days
    // late) on 05-22, 20 days on: week 3. What came: 600 on 05-22 (week 3), 400 on 06-01 (30 days
    // on, week 5).
    l.add_invoice(invoice(50, C1, "2026-04-12", 30, 1000))
        .unwrap();
    l.add_payment(payment(60, C1, "2026-05-22", &[(50, 600)]))
        .unwrap();
    l.add_payment(payment(61, C1, "2026-06-01", &[(50, 400)]))
        .unwrap();
    // An invoice issued after the forecast's date is not in it, nor its payment.
    l.add_invoice(invoice(51, C1, "2026-06-01", 30, 500))
        .unwrap();
    l.add_payment(payment(62, C1, "2026-07-01", &[(51, 500)]))
        .unwrap();
    let b = back_test(&l, &[C1], d("2026-08-01"));
    assert_eq!(b.forecast.as_of, d("2026-05-02"));
    assert_eq!(b.expected.weeks[2], units(1000));
    assert_eq!(b.collected[2], units(600));
    assert_eq!(b.collected[4], units(400));
    assert_eq!(b.collected_total(), units(1000));
    // |1000 - 600| + |0 - 400| = 800 of 1000 collected: 80.00%; nothing expected went uncollected
    // in total: bias 0.
    assert_eq!(b.wape_bp(), Some(8_000));
    assert_eq!(b.bias_bp(), Some(0));
    assert_eq!(b.weeks_in_band(), WEEKS - 2);
}

#[test]
fn the_back_test_reads_the_ledger_as_it_was_not_as_corrected_since() {
    let mut l = Ledger::new();
    habit(&mut l, C1, 1, 10);
    l.add_invoice(invoice(50, C1, "2026-04-12", 30, 1000))
        .unwrap();
    l.add_payment(payment(60, C1, "2026-05-22", &[(50, 1000)]))
        .unwrap();
    // The payment is voided on 07-01: it was not cash after all.
    l.add_correction(Correction {
        id: CorrectionId::from_u128(70),
        meta: meta(),
        customer: C1,
        date: d("2026-07-01"),
        fix: Fix::VoidPayment {
            payment: PaymentId::from_u128(60),
        },
        reason: "bounced".into(),
    })
    .unwrap();
    let b = back_test(&l, &[C1], d("2026-08-01"));
    assert_eq!(b.expected.weeks[2], units(1000));
    assert_eq!(b.collected_total(), Money::ZERO);
    assert_eq!(b.wape_bp(), None, "nothing collected: no ratio to give");
}

fn ledger_strategy() -> impl Strategy<Value = (Ledger, Vec<CustomerId>, Date)> {
    // Up to 3 customers, each with up to 12 invoices; each invoice maybe paid in part or whole.
    let inv = (
        0u128..3,
        0i32..400,
        0i32..120,
        1i64..10_000,
        0u8..4,
        0i32..200,
    );
    (prop::collection::vec(inv, 0..36), 0i32..500).prop_map(|(rows, at)| {
        let mut l = Ledger::new();
        let start = d("2025-06-01");
        for (n, (c, issue, term, amount, paid, late)) in rows.into_iter().enumerate() {
            let c = CustomerId::from_u128(c + 1);
            let issue = start.add_days(issue);
            let id = n as u128 + 1;
            l.add_invoice(invoice(id, c, &issue.iso(), term, amount))
                .unwrap();
            if paid > 0 {
                let part = amount * paid as i64 / 4;
                if part > 0 {
                    let day = issue.add_days(late);
                    l.add_payment(payment(10_000 + id, c, &day.iso(), &[(id, part)]))
                        .unwrap();
                }
            }
        }
        let cs = (1..=3).map(CustomerId::from_u128).collect();
        (l, cs, start.add_days(at))
    })
}

proptest! {
    #[test]
    fn every_fen_open_is_forecast_in_a_week_later_or_at_risk_and_every_band_holds_its_week(
        (l, cs, as_of) in ledger_strategy()
    ) {
        let f = forecast(&l, &cs, as_of);
        for line in &f.lines {
            let c = line.cash;
            prop_assert_eq!(c.open, l.summary(line.customer, as_of).open_ar);
            prop_assert_eq!(c.horizon() + c.later + c.at_risk, c.open);
            for k in 0..WEEKS {
                let (lo, hi) = c.band(k);
                prop_assert!(lo <= c.weeks[k] && c.weeks[k] <= hi);
                prop_assert!(!lo.is_negative() && !c.weeks[k].is_negative());
            }
        }
        let b = back_test(&l, &cs, as_of);
        // Nothing comes in on an invoice beyond what was open on it.
        prop_assert!(b.collected_total() <= b.expected.open);
    }
}
