//! Corrections of the ledger (voids and reallocations), named as sentences, and their invariants
//! as properties: before its date a correction changes nothing; after it, every way of reading
//! the ledger agrees.

use creditdesk_domain::ledger::CreditNoteInput;
use creditdesk_domain::*;
use proptest::prelude::*;

mod common;
use common::*;

fn units(u: i64) -> Money {
    Money::from_units(u)
}

fn correction(n: u128, customer: CustomerId, date: &str, fix: Fix) -> Correction {
    Correction {
        id: CorrectionId::from_u128(n),
        meta: meta(),
        customer,
        date: d(date),
        fix,
        reason: "typed wrong".into(),
    }
}

fn void_payment(n: u128) -> Fix {
    Fix::VoidPayment {
        payment: PaymentId::from_u128(n),
    }
}

fn void_invoice(n: u128) -> Fix {
    Fix::VoidInvoice {
        invoice: InvoiceId::from_u128(n),
    }
}

/// INV-1 1000 (due 02-09) and INV-2 500 (due 03-12) of C1; payment 10 pays 400 of INV-1 on 02-20.
fn sample() -> Ledger {
    let mut l = Ledger::new();
    l.add_invoice(invoice(1, C1, "2026-01-10", 30, 1000))
        .unwrap();
    l.add_invoice(invoice(2, C1, "2026-02-10", 30, 500))
        .unwrap();
    l.add_payment(payment(10, C1, "2026-02-20", &[(1, 400)]))
        .unwrap();
    l
}

/// The ledger keeps a payment's allocations as the settlements made of them (not a second
/// time): a payment reads back exactly as recorded, whether it was recorded one by one or read
/// from storage, and after a correction replaced its allocations.
#[test]
fn a_payment_reads_back_as_recorded_even_after_its_allocations_were_replaced() {
    let mut l = sample();
    let two = payment(11, C1, "2026-02-21", &[(2, 300), (1, 100)]);
    l.add_payment(two.clone()).unwrap();
    let recorded = vec![payment(10, C1, "2026-02-20", &[(1, 400)]), two];
    l.add_correction(correction(
        20,
        C1,
        "2026-03-01",
        Fix::Reallocate {
            payment: PaymentId::from_u128(10),
            allocations: vec![Allocation {
                invoice: InvoiceId::from_u128(2),
                amount: units(200),
            }],
        },
    ))
    .unwrap();
    assert_eq!(l.payments().collect::<Vec<_>>(), recorded);
    assert_eq!(l.customer_payments(C1), recorded);
    assert_eq!(
        l.payment(PaymentId::from_u128(11)).as_ref(),
        Some(&recorded[1])
    );
    assert_eq!(l.payment(PaymentId::from_u128(99)), None);
    // What stands now is the correction's.
    assert_eq!(
        l.allocations_now(C1, PaymentId::from_u128(10)),
        vec![Allocation {
            invoice: InvoiceId::from_u128(2),
            amount: units(200),
        }]
    );
    let rebuilt = Ledger::from_entries(
        l.orders().to_vec(),
        l.invoices().collect(),
        l.payments().collect(),
        l.credit_notes().to_vec(),
        l.corrections().to_vec(),
    );
    assert_eq!(rebuilt.payments().collect::<Vec<_>>(), recorded);
    assert_eq!(
        rebuilt.invoices().collect::<Vec<_>>(),
        l.invoices().collect::<Vec<_>>()
    );
}

/// An allocation to an invoice the customer does not have never settles anything, and the
/// payment still reads back as it was stored.
#[test]
fn a_stored_payment_naming_an_unknown_invoice_reads_back_whole() {
    let stray = payment(12, C1, "2026-02-22", &[(1, 50), (99, 25)]);
    let l = Ledger::from_entries(
        Vec::new(),
        vec![invoice(1, C1, "2026-01-10", 30, 1000)],
        vec![stray.clone()],
        Vec::new(),
        Vec::new(),
    );
    assert_eq!(l.payments().collect::<Vec<_>>(), vec![stray]);
    assert_eq!(l.summary(C1, d("2026-03-01")).open_ar, units(950));
}

#[test]
fn a_void_payment_reopens_what_it_paid_from_the_day_of_the_void_only() {
    let mut l = sample();
    l.add_correction(correction(20, C1, "2026-03-01", void_payment(10)))
        .unwrap();
    let check = |as_of: &str, open: i64, overdue: i64| {
        let s = l.summary(C1, d(as_of));
        assert_eq!(
            (s.open_ar, s.overdue),
            (units(open), units(overdue)),
            "as of {as_of}"
        );
        assert_eq!(
            l.summaries(d(as_of))[&C1],
            s,
            "one pass agrees, as of {as_of}"
        );
    };
    check("2026-02-20", 1100, 600); // what was true then stays true
    check("2026-02-28", 1100, 600);
    check("2026-03-01", 1500, 1000); // the overdue comes back
    assert_eq!(l.open_now(InvoiceId::from_u128(1)), Some(units(1000)));
    assert_eq!(l.unapplied(C1, PaymentId::from_u128(10)), Money::ZERO);
    assert!(l
        .void_of(
            C1,
            creditdesk_domain::ledger::Doc::Payment(PaymentId::from_u128(10))
        )
        .is_some());
}

#[test]
fn a_payment_is_voided_once() {
    let mut l = sample();
    l.add_correction(correction(20, C1, "2026-03-01", void_payment(10)))
        .unwrap();
    let again = l.add_correction(correction(21, C1, "2026-03-02", void_payment(10)));
    assert_eq!(again, Err(LedgerError::AlreadyVoid));
    assert_eq!(again.unwrap_err().problem().code(), "E-VOID");
    assert_eq!(
        l.corrections().len(),
        1,
        "a refused correction leaves no trace"
    );
}

#[test]
fn an_invoice_still_settled_is_not_voided_until_its_payment_is_unapplied() {
    let mut l = sample();
    let refused = l.add_correction(correction(20, C1, "2026-03-01", void_invoice(1)));
    assert_eq!(refused, Err(LedgerError::StillSettled));
    assert_eq!(refused.unwrap_err().problem().code(), "E-SETTLED");
    // Move the payment onto INV-2, then the invoice may go.
    l.add_correction(correction(
        21,
        C1,
        "2026-03-01",
        Fix::Reallocate {
            payment: PaymentId::from_u128(10),
            allocations: vec![Allocation {
                invoice: InvoiceId::from_u128(2),
                amount: units(400),
            }],
        },
    ))
    .unwrap();
    l.add_correction(correction(22, C1, "2026-03-02", void_invoice(1)))
        .unwrap();
    let items = l.items(C1, d("2026-03-02"));
    assert_eq!(
        items.len(),
        1,
        "the void invoice no longer counts: {items:?}"
    );
    assert_eq!(items[0].open, units(100));
    // As of the day before the void, INV-1 was whole and open, INV-2 paid 400.
    let before = l.summary(C1, d("2026-03-01"));
    assert_eq!(before.open_ar, units(1100));
    assert_eq!(before.overdue, units(1000));
    assert_eq!(l.open_now(InvoiceId::from_u128(1)), Some(Money::ZERO));
}

#[test]
fn a_reallocation_may_not_take_more_than_is_open_counting_what_it_frees() {
    let mut l = sample();
    // Payment 11 pays the rest of INV-1: nothing is open there any more.
    l.add_payment(payment(11, C1, "2026-02-21", &[(1, 600)]))
        .unwrap();
    let onto = |n: u128, invoice: u128, amount: i64| {
        correction(
            n,
            C1,
            "2026-03-01",
            Fix::Reallocate {
                payment: PaymentId::from_u128(10),
                allocations: vec![Allocation {
                    invoice: InvoiceId::from_u128(invoice),
                    amount: units(amount),
                }],
            },
        )
    };
    // Onto INV-1 again: what the payment itself frees there counts as open.
    l.add_correction(onto(20, 1, 400)).unwrap();
    // More than the payment.
    let over = l.add_correction(onto(21, 2, 450));
    assert!(
        matches!(over, Err(LedgerError::AllocationsExceedPayment { .. })),
        "{over:?}"
    );
    // More than is open: payment 12 leaves 200 open on INV-2.
    l.add_payment(payment(12, C1, "2026-02-22", &[(2, 300)]))
        .unwrap();
    let too_much = l.add_correction(onto(22, 2, 250));
    assert!(
        matches!(too_much, Err(LedgerError::AllocationExceedsInvoice { .. })),
        "{too_much:?}"
    );
    // Unapplied: the money is on account, the invoice open again.
    l.add_correction(correction(
        23,
        C1,
        "2026-03-01",
        Fix::Reallocate {
            payment: PaymentId::from_u128(10),
            allocations: Vec::new(),
        },
    ))
    .unwrap();
    assert_eq!(l.unapplied(C1, PaymentId::from_u128(10)), units(400));
    assert_eq!(l.summary(C1, d("2026-03-01")).open_ar, units(600));
    assert!(l.allocations_now(C1, PaymentId::from_u128(10)).is_empty());
}

#[test]
fn a_void_credit_note_puts_its_amount_back_on_its_invoice() {
    let mut l = sample();
    l.add_credit_note(CreditNote {
        id: CreditNoteId::from_u128(30),
        meta: meta(),
        customer: C1,
        invoice: Some(InvoiceId::from_u128(2)),
        number: DocNo::parse("CN-30").unwrap(),
        date: d("2026-02-15"),
        amount: units(200),
    })
    .unwrap();
    assert_eq!(l.summary(C1, d("2026-02-28")).open_ar, units(900));
    l.add_correction(correction(
        31,
        C1,
        "2026-03-01",
        Fix::VoidCreditNote {
            credit_note: CreditNoteId::from_u128(30),
        },
    ))
    .unwrap();
    assert_eq!(l.summary(C1, d("2026-02-28")).open_ar, units(900));
    assert_eq!(l.summary(C1, d("2026-03-01")).open_ar, units(1100));
}

fn on_account(n: u128, date: &str, amount: i64) -> CreditNote {
    CreditNote {
        id: CreditNoteId::from_u128(n),
        meta: meta(),
        customer: C1,
        invoice: None,
        number: DocNo::parse(&format!("CN-{n}")).unwrap(),
        date: d(date),
        amount: units(amount),
    }
}

fn apply_credit(n: u128, to: &[(u128, i64)]) -> Fix {
    Fix::ApplyCreditNote {
        credit_note: CreditNoteId::from_u128(n),
        allocations: to
            .iter()
            .map(|&(i, a)| Allocation {
                invoice: InvoiceId::from_u128(i),
                amount: units(a),
            })
            .collect(),
    }
}

#[test]
fn a_credit_note_on_account_lowers_no_invoice_until_it_is_applied_and_then_from_that_day() {
    let mut l = sample();
    l.add_credit_note(on_account(30, "2026-02-25", 300))
        .unwrap();
    let cn = CreditNoteId::from_u128(30);
    assert_eq!(l.credit_unapplied(C1, cn), units(300));
    assert!(l.credit_allocations_now(C1, cn).is_empty());
    // Like unapplied cash, it does not hide AR.
    assert_eq!(l.summary(C1, d("2026-03-01")).open_ar, units(1100));
    l.add_correction(correction(
        31,
        C1,
        "2026-03-05",
        apply_credit(30, &[(1, 250), (2, 50)]),
    ))
    .unwrap();
    assert_eq!(l.credit_unapplied(C1, cn), Money::ZERO);
    assert_eq!(
        l.summary(C1, d("2026-03-04")).open_ar,
        units(1100),
        "before the day applied"
    );
    let s = l.summary(C1, d("2026-03-05"));
    assert_eq!((s.open_ar, s.overdue), (units(800), units(350)));
    assert_eq!(l.summaries(d("2026-03-05"))[&C1], s, "one pass agrees");
    assert_eq!(l.open_now(InvoiceId::from_u128(1)), Some(units(350)));
    assert_eq!(
        l.credit_allocations_now(C1, cn)
            .iter()
            .map(|a| a.amount)
            .sum::<Money>(),
        units(300)
    );
}

#[test]
fn a_credit_note_applies_no_more_than_it_is_worth_nor_than_is_open() {
    let mut l = sample();
    l.add_credit_note(on_account(30, "2026-02-25", 300))
        .unwrap();
    let over_note = l.add_correction(correction(
        31,
        C1,
        "2026-03-01",
        apply_credit(30, &[(1, 200), (2, 200)]),
    ));
    assert!(
        matches!(over_note, Err(LedgerError::AllocationsExceedPayment { .. })),
        "{over_note:?}"
    );
    // INV-2 has 500 open; a second credit note may not take more than that.
    l.add_correction(correction(
        32,
        C1,
        "2026-03-01",
        apply_credit(30, &[(2, 300)]),
    ))
    .unwrap();
    l.add_credit_note(on_account(33, "2026-02-26", 300))
        .unwrap();
    let over_open = l.add_correction(correction(
        34,
        C1,
        "2026-03-01",
        apply_credit(33, &[(2, 300)]),
    ));
    assert!(
        matches!(over_open, Err(LedgerError::AllocationExceedsInvoice { .. })),
        "{over_open:?}"
    );
    assert_eq!(
        l.corrections().len(),
        1,
        "a refused correction leaves no trace"
    );
    // What the oldest-first choice works out stays within both.
    let a = l
        .apply_credit_to(C1, CreditNoteId::from_u128(33), None, d("2026-03-01"))
        .unwrap();
    assert_eq!(
        a.iter().map(|a| (a.invoice, a.amount)).collect::<Vec<_>>(),
        vec![(InvoiceId::from_u128(1), units(300))]
    );
}

#[test]
fn an_applied_credit_note_goes_back_on_account_or_is_voided_and_its_invoice_reopens() {
    let mut l = sample();
    l.add_credit_note(on_account(30, "2026-02-25", 300))
        .unwrap();
    let cn = CreditNoteId::from_u128(30);
    l.add_correction(correction(
        31,
        C1,
        "2026-03-01",
        apply_credit(30, &[(1, 300)]),
    ))
    .unwrap();
    l.add_correction(correction(32, C1, "2026-03-10", apply_credit(30, &[])))
        .unwrap();
    assert_eq!(l.credit_unapplied(C1, cn), units(300));
    assert_eq!(l.summary(C1, d("2026-03-05")).open_ar, units(800));
    assert_eq!(l.summary(C1, d("2026-03-10")).open_ar, units(1100));
    l.add_correction(correction(
        33,
        C1,
        "2026-03-11",
        apply_credit(30, &[(2, 100)]),
    ))
    .unwrap();
    l.add_correction(correction(
        34,
        C1,
        "2026-03-12",
        Fix::VoidCreditNote { credit_note: cn },
    ))
    .unwrap();
    assert_eq!(
        l.credit_unapplied(C1, cn),
        Money::ZERO,
        "nothing of a void note is left to apply"
    );
    assert_eq!(l.summary(C1, d("2026-03-11")).open_ar, units(1000));
    assert_eq!(l.summary(C1, d("2026-03-12")).open_ar, units(1100));
    let again = l.add_correction(correction(
        35,
        C1,
        "2026-03-13",
        apply_credit(30, &[(2, 100)]),
    ));
    assert_eq!(again, Err(LedgerError::AlreadyVoid));
}

#[test]
fn the_credit_note_form_takes_an_invoice_or_on_account_chosen_on_purpose() {
    let l = sample();
    let input = |invoice: Option<u128>, on_account: bool| CreditNoteInput {
        number: "CN-9".into(),
        date: "2026-03-01".into(),
        amount: "100".into(),
        invoice: invoice.map(InvoiceId::from_u128),
        on_account,
    };
    let check = |i: CreditNoteInput| {
        i.validate(&l, CreditNoteId::from_u128(9), C1, meta(), d("2026-03-01"))
            .map(|c| c.invoice)
            .map_err(|e| {
                e.into_iter()
                    .map(|e| (e.field.to_string().leak() as &str, e.problem.code()))
                    .collect::<Vec<_>>()
            })
    };
    assert_eq!(
        check(input(Some(1), false)),
        Ok(Some(InvoiceId::from_u128(1)))
    );
    assert_eq!(check(input(None, true)), Ok(None));
    assert_eq!(
        check(input(None, false)),
        Err(vec![("invoice", "E-REQUIRED")])
    );
    assert_eq!(
        check(input(Some(1), true)),
        Err(vec![("invoice", "E-CHOICE")])
    );
}

#[test]
fn a_correction_of_a_document_the_customer_does_not_have_is_refused() {
    let mut l = sample();
    for fix in [void_payment(99), void_invoice(99), void_payment(10)] {
        let r = l.add_correction(correction(40, C2, "2026-03-01", fix));
        assert_eq!(r, Err(LedgerError::UnknownDocument));
    }
}

#[test]
fn the_aging_series_reverses_a_void_in_the_period_it_is_made() {
    let mut l = sample();
    l.add_correction(correction(20, C1, "2026-03-05", void_payment(10)))
        .unwrap();
    let dates = [d("2026-02-28"), d("2026-03-31")];
    let p = l.portfolio([C1], &dates);
    assert_eq!(p[0].open_ar, units(1100));
    assert_eq!(p[0].collected, units(400));
    assert_eq!(p[1].open_ar, units(1500));
    assert_eq!(
        p[1].collected,
        units(-400),
        "the void takes the cash back out in March"
    );
    assert_eq!(
        p[1].open_ar,
        p[0].open_ar + p[1].sales - p[1].collected - p[1].credited
    );
}

// ----- properties -----

#[derive(Clone, Debug)]
enum Op {
    Invoice {
        customer: u8,
        day: i32,
        term: i32,
        minor: i64,
    },
    Pay {
        customer: u8,
        day: i32,
        minor: i64,
    },
    Credit {
        pick: usize,
        day: i32,
        minor: i64,
    },
    CreditOnAccount {
        customer: u8,
        day: i32,
        minor: i64,
    },
    ApplyCredit {
        pick: usize,
        to: usize,
        day: i32,
    },
    VoidPayment {
        pick: usize,
        day: i32,
    },
    VoidCredit {
        pick: usize,
        day: i32,
    },
    VoidInvoice {
        pick: usize,
        day: i32,
    },
    Unapply {
        pick: usize,
        day: i32,
    },
    MoveTo {
        pick: usize,
        to: usize,
        day: i32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..3, 0i32..300, 0i32..90, 1i64..1_000_000)
            .prop_map(|(customer, day, term, minor)| Op::Invoice { customer, day, term, minor }),
        3 => (0u8..3, 0i32..300, 1i64..1_500_000)
            .prop_map(|(customer, day, minor)| Op::Pay { customer, day, minor }),
        1 => (0usize..100, 0i32..300, 1i64..500_000)
            .prop_map(|(pick, day, minor)| Op::Credit { pick, day, minor }),
        1 => (0u8..3, 0i32..300, 1i64..500_000)
            .prop_map(|(customer, day, minor)| Op::CreditOnAccount { customer, day, minor }),
        1 => (0usize..100, 0usize..101, 0i32..300)
            .prop_map(|(pick, to, day)| Op::ApplyCredit { pick, to, day }),
        1 => (0usize..100, 0i32..300).prop_map(|(pick, day)| Op::VoidPayment { pick, day }),
        1 => (0usize..100, 0i32..300).prop_map(|(pick, day)| Op::VoidCredit { pick, day }),
        1 => (0usize..100, 0i32..300).prop_map(|(pick, day)| Op::VoidInvoice { pick, day }),
        1 => (0usize..100, 0i32..300).prop_map(|(pick, day)| Op::Unapply { pick, day }),
        1 => (0usize..100, 0usize..100, 0i32..300)
            .prop_map(|(pick, to, day)| Op::MoveTo { pick, to, day }),
    ]
}

fn base() -> Date {
    d("2025-01-01")
}

fn apply(l: &mut Ledger, n: u128, op: &Op) {
    let base = base();
    let fix = |l: &mut Ledger, customer: CustomerId, day: i32, fix: Fix| {
        let _ = l.add_correction(Correction {
            id: CorrectionId::from_u128(n),
            meta: meta(),
            customer,
            date: base.add_days(day),
            fix,
            reason: "test".into(),
        });
    };
    match *op {
        Op::Invoice {
            customer,
            day,
            term,
            minor,
        } => {
            l.add_invoice(Invoice {
                id: InvoiceId::from_u128(n),
                meta: meta(),
                customer: CustomerId::from_u128(customer as u128),
                order: None,
                number: DocNo::parse(&format!("I{n}")).unwrap(),
                issue_date: base.add_days(day),
                due_date: base.add_days(day + term),
                amount: Money::from_minor(minor),
            })
            .unwrap();
        }
        Op::Pay {
            customer,
            day,
            minor,
        } => {
            let c = CustomerId::from_u128(customer as u128);
            if let Ok(allocations) = l.allocate_oldest_first(c, Money::from_minor(minor)) {
                l.add_payment(Payment {
                    id: PaymentId::from_u128(n),
                    meta: meta(),
                    customer: c,
                    reference: None,
                    date: base.add_days(day),
                    amount: Money::from_minor(minor),
                    allocations,
                })
                .unwrap();
            }
        }
        Op::Credit { pick, day, minor } => {
            let picked = l.invoices().nth(pick % l.invoice_count().max(1));
            if let Some(inv) = picked {
                let _ = l.add_credit_note(CreditNote {
                    id: CreditNoteId::from_u128(n),
                    meta: meta(),
                    customer: inv.customer,
                    invoice: Some(inv.id),
                    number: DocNo::parse(&format!("C{n}")).unwrap(),
                    date: base.add_days(day),
                    amount: Money::from_minor(minor),
                });
            }
        }
        Op::CreditOnAccount {
            customer,
            day,
            minor,
        } => {
            l.add_credit_note(CreditNote {
                id: CreditNoteId::from_u128(n),
                meta: meta(),
                customer: CustomerId::from_u128(customer as u128),
                invoice: None,
                number: DocNo::parse(&format!("C{n}")).unwrap(),
                date: base.add_days(day),
                amount: Money::from_minor(minor),
            })
            .unwrap();
        }
        Op::ApplyCredit { pick, to, day } => {
            let Some(c) = l
                .credit_notes()
                .get(pick % l.credit_notes().len().max(1))
                .copied()
            else {
                return;
            };
            let mine: Vec<InvoiceId> = l
                .invoices()
                .filter(|i| i.customer == c.customer)
                .map(|i| i.id)
                .collect();
            // One invoice, oldest first (`to` past the end), or back on account (no invoice).
            let target = if mine.is_empty() || to == 100 {
                Ok(Vec::new())
            } else if to % 2 == 0 {
                l.apply_credit_to(c.customer, c.id, None, base.add_days(day))
            } else {
                l.apply_credit_to(
                    c.customer,
                    c.id,
                    Some(mine[to % mine.len()]),
                    base.add_days(day),
                )
            };
            if let Ok(allocations) = target {
                fix(
                    l,
                    c.customer,
                    day,
                    Fix::ApplyCreditNote {
                        credit_note: c.id,
                        allocations,
                    },
                );
            }
        }
        Op::VoidPayment { pick, day } | Op::Unapply { pick, day } => {
            let picked = l.payments().nth(pick % l.payment_count().max(1));
            if let Some(p) = picked {
                let f = if matches!(op, Op::Unapply { .. }) {
                    Fix::Reallocate {
                        payment: p.id,
                        allocations: Vec::new(),
                    }
                } else {
                    Fix::VoidPayment { payment: p.id }
                };
                fix(l, p.customer, day, f);
            }
        }
        Op::VoidCredit { pick, day } => {
            if let Some(c) = l
                .credit_notes()
                .get(pick % l.credit_notes().len().max(1))
                .copied()
            {
                fix(
                    l,
                    c.customer,
                    day,
                    Fix::VoidCreditNote { credit_note: c.id },
                );
            }
        }
        Op::VoidInvoice { pick, day } => {
            let picked = l.invoices().nth(pick % l.invoice_count().max(1));
            if let Some(i) = picked {
                fix(l, i.customer, day, Fix::VoidInvoice { invoice: i.id });
            }
        }
        Op::MoveTo { pick, to, day } => {
            let Some(p) = l.payments().nth(pick % l.payment_count().max(1)) else {
                return;
            };
            let mine: Vec<Invoice> = l.invoices().filter(|i| i.customer == p.customer).collect();
            let target = mine[to % mine.len()];
            // What the payment holds now, all onto one invoice, as far as it is open there.
            let held: Money = l
                .allocations_now(p.customer, p.id)
                .iter()
                .map(|a| a.amount)
                .sum();
            let amount = held.min(p.amount);
            if amount.is_positive() {
                let allocations = vec![Allocation {
                    invoice: target.id,
                    amount,
                }];
                fix(
                    l,
                    p.customer,
                    day,
                    Fix::Reallocate {
                        payment: p.id,
                        allocations,
                    },
                );
            }
        }
    }
}

fn run(ops: &[Op]) -> Ledger {
    let mut l = Ledger::new();
    for (n, op) in ops.iter().enumerate() {
        apply(&mut l, n as u128 + 1000, op);
    }
    l
}

fn customers() -> [CustomerId; 3] {
    [0, 1, 2].map(CustomerId::from_u128)
}

proptest! {
    #[test]
    fn before_its_date_a_correction_changes_no_figure(
        ops in prop::collection::vec(op(), 1..50),
        last in op(),
        as_of_day in 0i32..400,
    ) {
        let before = run(&ops);
        let mut after = before.clone();
        apply(&mut after, 5000, &last);
        if let Some(c) = after.corrections().last().filter(|c| c.id == CorrectionId::from_u128(5000)) {
            let as_of = base().add_days(as_of_day);
            if as_of < c.date {
                prop_assert_eq!(before.summaries(as_of), after.summaries(as_of));
                for c in customers() {
                    prop_assert_eq!(before.items(c, as_of), after.items(c, as_of));
                }
            }
        }
    }

    #[test]
    fn every_reading_of_a_corrected_ledger_agrees(
        ops in prop::collection::vec(op(), 1..60),
        as_of_day in 0i32..400,
    ) {
        let l = run(&ops);
        let as_of = base().add_days(as_of_day);
        let all = l.summaries(as_of);
        let dates = [as_of.add_days(-40), as_of.add_days(-10), as_of];
        for c in customers() {
            let one = l.summary(c, as_of);
            prop_assert_eq!(all.get(&c).copied().unwrap_or_default(), one);
            // No invoice is ever paid more than in full, on any day.
            prop_assert!(l.items(c, as_of).iter().all(|i| !i.open.is_negative()), "{:?}", l.items(c, as_of));
            let items: Money = l.items(c, as_of).iter().map(|i| i.open).sum();
            prop_assert_eq!(items, one.open_ar);
            let points = l.portfolio([c], &dates);
            prop_assert_eq!(points[2].open_ar, one.open_ar);
            prop_assert_eq!(points[2].overdue(), one.overdue);
            for k in 1..dates.len() {
                let (p, q) = (&points[k - 1], &points[k]);
                prop_assert_eq!(q.open_ar, p.open_ar + q.sales - q.collected - q.credited);
            }
        }
        for inv in l.invoices() {
            let open = l.open_now(inv.id).unwrap();
            prop_assert!(!open.is_negative() && open <= inv.amount, "{} open {}", inv.number, open);
        }
        // What a customer owes now is what is open now on each of its invoices.
        for c in customers() {
            let each: Money = l.customer_invoices(c).iter().map(|i| l.open_now(i.id).unwrap()).sum();
            prop_assert_eq!(l.open_now_total(c), each);
        }
    }

    #[test]
    fn one_dates_figures_are_that_dates_point_in_a_list_of_dates(
        ops in prop::collection::vec(op(), 1..60),
        as_of_day in 0i32..400,
    ) {
        let l = run(&ops);
        let as_of = base().add_days(as_of_day);
        // The days a correction ends something, and the days either side, are where one date's
        // reading and a list's could part.
        let dates: Vec<Date> = l
            .corrections()
            .iter()
            .flat_map(|c| [c.date.add_days(-1), c.date, c.date.add_days(1)])
            .chain([as_of.add_days(-40), as_of.add_days(-10), as_of])
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut groups: Vec<Vec<CustomerId>> = customers().iter().map(|&c| vec![c]).collect();
        groups.push(customers().to_vec());
        for group in groups {
            let many = l.portfolio(group.iter().copied(), &dates);
            for (k, &day) in dates.iter().enumerate() {
                let one = l.portfolio(group.iter().copied(), &[day])[0];
                let p = &many[k];
                prop_assert_eq!(one.date, day);
                prop_assert_eq!(
                    (one.open_ar, one.aging, one.overdue_count, one.max_days_overdue),
                    (p.open_ar, p.aging, p.overdue_count, p.max_days_overdue),
                    "balances of {:?} on {}", group, day.iso()
                );
                // One date's flows are everything up to it: the list's flows up to that date.
                let flows = many[..=k].iter().fold((Money::ZERO, Money::ZERO, Money::ZERO), |(s, c, r), q| {
                    (s + q.sales, c + q.collected, r + q.credited)
                });
                prop_assert_eq!((one.sales, one.collected, one.credited), flows, "flows of {:?} to {}", group, day.iso());
            }
        }
    }

    #[test]
    fn a_corrected_ledgers_rating_metrics_see_what_is_overdue_as_its_figures_do(
        ops in prop::collection::vec(op(), 1..60),
        as_of_day in 0i32..400,
    ) {
        use creditdesk_domain::rating::FactorKey;
        let l = run(&ops);
        let as_of = base().add_days(as_of_day);
        let all: Vec<Customer> = customers().iter().map(|&id| bare_customer(id, base())).collect();
        let metrics = l.metrics_all(&all, as_of, true);
        for (c, m) in all.iter().zip(&metrics) {
            let s = l.summary(c.id, as_of);
            let num = |f: FactorKey| metric_num(m, f);
            prop_assert_eq!(num(FactorKey::OverdueAmount), Some(s.overdue.minor()), "overdue of {:?} on {}", c.id, as_of.iso());
            prop_assert_eq!(num(FactorKey::OverdueCount), Some(s.overdue_count as i64 * 100));
            prop_assert_eq!(m, &l.metrics(c, as_of));
        }
    }

    #[test]
    fn a_corrected_ledger_rebuilt_from_its_stored_entries_reads_the_same(
        ops in prop::collection::vec(op(), 1..60),
        as_of_day in 0i32..400,
    ) {
        let l = run(&ops);
        let rebuilt = Ledger::from_entries(
            l.orders().to_vec(),
            l.invoices().collect(),
            l.payments().collect(),
            l.credit_notes().to_vec(),
            l.corrections().to_vec(),
        );
        let as_of = base().add_days(as_of_day);
        prop_assert_eq!(l.summaries(as_of), rebuilt.summaries(as_of));
        for c in customers() {
            prop_assert_eq!(l.open_now_total(c), rebuilt.open_now_total(c));
        }
        prop_assert_eq!(l.payments().collect::<Vec<_>>(), rebuilt.payments().collect::<Vec<_>>());
        prop_assert_eq!(l.invoices().collect::<Vec<_>>(), rebuilt.invoices().collect::<Vec<_>>());
    }
}
