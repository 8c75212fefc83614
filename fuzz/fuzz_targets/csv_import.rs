//! The CSV import as the app runs it on a file's bytes: decode → sniff_delimiter → read_table
//! → guess_mapping (with guess_date_format) → validate, for every kind of record, against a
//! small stored book; then the error file. Nothing may panic, and every problem must be one of
//! the documented codes at a row of the file (the invariants of
//! src/domain/tests/import.rs `run_everything`).
#![no_main]

use creditdesk_domain::approval::{Role, User};
use creditdesk_domain::id::{DeviceId, Timestamp};
use creditdesk_domain::import::*;
use creditdesk_domain::*;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const TODAY: &str = "2026-11-28";

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}
fn meta() -> Meta {
    Meta::new(DeviceId::from_u128(9), Timestamp(1_700_000_000_000))
}
fn no(s: &str) -> DocNo {
    DocNo::parse(s).unwrap()
}

fn customer(id: u128, name: &str, uscc: &str) -> Customer {
    CustomerInput {
        name: name.into(),
        uscc: uscc.into(),
        region: "华东".into(),
        industry: "机械".into(),
        sales_rep: "李伟".into(),
        first_cooperation: "2020-01-01".into(),
        ..Default::default()
    }
    .validate(CustomerId::from_u128(id), meta(), BTreeMap::new(), d(TODAY))
    .unwrap()
}

/// What the file's rows are checked against: the stored book of the import tests (customers
/// by name and by USCC, two sharing a name; invoices partly paid and credited; two orders)
/// and a directory of sales reps (two sharing a name).
struct Stored {
    customers: Vec<Customer>,
    users: Vec<User>,
    ledger: Ledger,
}

fn stored() -> &'static Stored {
    static S: OnceLock<Stored> = OnceLock::new();
    S.get_or_init(|| {
        let c1 = CustomerId::from_u128(1);
        let c2 = CustomerId::from_u128(2);
        let invoice = |n: u128, c, number: &str, issue: &str, term: i32, units: i64| Invoice {
            id: InvoiceId::from_u128(n),
            meta: meta(),
            customer: c,
            order: None,
            number: no(number),
            issue_date: d(issue),
            due_date: d(issue).add_days(term),
            amount: Money::from_units(units),
        };
        let order = |n: u128, c, number: &str| Order {
            id: OrderId::from_u128(n),
            meta: meta(),
            customer: c,
            number: no(number),
            category: None,
            date: d("2026-01-05"),
            amount: Money::from_units(100),
            status: OrderStatus::Open,
        };
        let ledger = Ledger::from_entries(
            [order(201, c1, "SO-1"), order(202, c2, "SO-2")],
            vec![
                invoice(101, c1, "INV-1", "2026-01-10", 30, 1000),
                invoice(102, c1, "INV-2", "2026-02-10", 30, 500),
                invoice(103, c2, "INV-3", "2026-03-01", 60, 700),
            ],
            vec![Payment {
                id: PaymentId::from_u128(301),
                meta: meta(),
                customer: c1,
                reference: None,
                date: d("2026-02-20"),
                amount: Money::from_units(400),
                allocations: vec![Allocation {
                    invoice: InvoiceId::from_u128(101),
                    amount: Money::from_units(400),
                }],
            }],
            vec![CreditNote {
                id: CreditNoteId::from_u128(401),
                meta: meta(),
                customer: c1,
                invoice: Some(InvoiceId::from_u128(102)),
                number: no("CN-1"),
                date: d("2026-02-15"),
                amount: Money::from_units(100),
            }],
            Vec::new(),
        );
        let u = |id: &str, name: &str| User {
            id: id.into(),
            name: name.into(),
            roles: vec![Role::SalesRep],
            region: "华东".into(),
        };
        Stored {
            customers: vec![
                customer(1, "杭州华信机械有限公司", "91350100M000100Y43"),
                customer(2, "Acme Trading Ltd", "91110000600037341L"),
                customer(3, "重名公司", ""),
                customer(4, "重名公司", ""),
            ],
            users: vec![
                u("rep-li", "李伟"),
                u("rep-wang", "王芳"),
                u("rep-chen-1", "陈静"),
                u("rep-chen-2", "陈静"),
            ],
            ledger,
        }
    })
}

const FORMATS: [DateFormat; 5] = [
    DateFormat::Auto,
    DateFormat::Ymd,
    DateFormat::Dmy,
    DateFormat::Mdy,
    DateFormat::ExcelSerial,
];

fuzz_target!(|bytes: &[u8]| {
    let decoded = decode(bytes);
    let delim = sniff_delimiter(&decoded.text);
    assert!(DELIMITERS.contains(&delim));
    let table = match read_table(&decoded.text, delim) {
        Ok(t) => t,
        Err(p) => {
            assert!(ImportProblem::CODES.contains(&p.code()), "{p:?}");
            return;
        }
    };
    assert!(table.rows.iter().all(|r| r.len() == table.headers.len()));
    assert_eq!(table.rows.len(), table.line_of_row.len());
    assert!(table.line_of_row.windows(2).all(|w| w[0] < w[1]));
    let s = stored();
    let ctx = Context {
        customers: &s.customers,
        users: &s.users,
        ledger: &s.ledger,
        meta: meta(),
        fields: &Default::default(),
    };
    for kind in Kind::ALL {
        let mut mapping = guess_mapping(kind, &table.headers);
        let guessed = guess_date_format(&table, &mapping);
        // The app's guess, and one other format chosen by the input (every parser gets fed).
        let other = FORMATS[bytes.len() % FORMATS.len()];
        let formats = if other == guessed {
            &[guessed][..]
        } else {
            &[guessed, other][..]
        };
        for &format in formats {
            mapping.date_format = format;
            let mut next = 10_000u128;
            let mut ids = || {
                next += 1;
                next
            };
            let plan = validate(kind, &table, &mapping, &ctx, &mut ids, d(TODAY));
            for p in &plan.problems {
                assert!(ImportProblem::CODES.contains(&p.problem.code()), "{p:?}");
                assert!(p.row == 0 || table.line_of_row.contains(&p.row), "{p:?}");
                assert!(!p.problem.is_warning(), "{p:?}");
            }
            for w in &plan.warnings {
                assert!(ImportProblem::CODES.contains(&w.problem.code()), "{w:?}");
                assert!(table.line_of_row.contains(&w.row), "{w:?}");
                assert!(w.problem.is_warning(), "{w:?}");
            }
            if plan.can_import() {
                assert_eq!(
                    plan.records.len() + plan.rows_in_error.len(),
                    plan.rows_total
                );
            } else {
                assert!(plan.records.is_empty());
            }
            let _ = error_file(&table, &plan);
        }
    }
});
