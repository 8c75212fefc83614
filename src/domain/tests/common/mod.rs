//! Builders shared by the ledger and report tests: customers, dates and ledger entries from a
//! few numbers.
#![allow(dead_code)]

use creditdesk_domain::id::{DeviceId, Timestamp};
use creditdesk_domain::*;

pub const C1: CustomerId = CustomerId::from_u128(1);
pub const C2: CustomerId = CustomerId::from_u128(2);

pub fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}
pub fn meta() -> Meta {
    Meta::new(DeviceId::from_u128(9), Timestamp(0))
}

/// A customer with only what the ledger's figures read: its id (the rest blank, no external
/// profile, cooperating since `since`).
pub fn bare_customer(id: CustomerId, since: Date) -> Customer {
    Customer {
        sealed: None,
        id,
        meta: meta(),
        name: "C".into(),
        uscc: None,
        contact_person: String::new(),
        phone: String::new(),
        email: String::new(),
        address: String::new(),
        region: String::new(),
        industry: String::new(),
        sales_rep: String::new(),
        first_cooperation: since,
        lang: Default::default(),
        profile: Default::default(),
        custom: Default::default(),
        limits: Default::default(),
        grade_override: None,
        disputes: Vec::new(),
        contacts: Vec::new(),
        documents: Vec::new(),
    }
}
pub fn invoice(n: u128, customer: CustomerId, issue: &str, term: i32, units: i64) -> Invoice {
    Invoice {
        id: InvoiceId::from_u128(n),
        meta: meta(),
        customer,
        order: None,
        number: DocNo::parse(&format!("INV-{n}")).unwrap(),
        issue_date: d(issue),
        due_date: d(issue).add_days(term),
        amount: Money::from_units(units),
    }
}
pub fn payment(n: u128, customer: CustomerId, date: &str, allocs: &[(u128, i64)]) -> Payment {
    let allocations: Vec<Allocation> = allocs
        .iter()
        .map(|&(i, u)| Allocation {
            invoice: InvoiceId::from_u128(i),
            amount: Money::from_units(u),
        })
        .collect();
    Payment {
        id: PaymentId::from_u128(n),
        meta: meta(),
        customer,
        reference: None,
        date: d(date),
        amount: allocations.iter().map(|a| a.amount).sum(),
        allocations,
    }
}

/// A metric's number (in hundredths, as `Fixed` holds it), `None` when it has no value; a
/// category where a number belongs fails the test.
pub fn metric_num(
    m: &creditdesk_domain::rating::Metrics,
    f: creditdesk_domain::rating::FactorKey,
) -> Option<i64> {
    match m.get(f) {
        Some(creditdesk_domain::rating::Value::Num(x)) => Some(x.0),
        None => None,
        other => panic!("{f:?} is {other:?}"),
    }
}
