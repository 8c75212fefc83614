//! Native figures for one payment committed through the command layer, on the benchmark's data
//! set (10,000 customers, about a million invoices and a million payments), against the in-memory
//! store. Baseline in the same run: the same payments validated and added straight to the ledger
//! with the customer's figures refreshed, without authorisation, audit entry or outbox record (what
//! the app did before the command layer). Prints p50 and p95 of each and the ratio.
//!
//! Run: `cargo run --release -p creditdesk-app --example commit`

use creditdesk_app::{execute, Book, Command, Ctx};
use creditdesk_domain::approval::{Role, User};
use creditdesk_domain::demo::{generate, DemoSpec};
use creditdesk_domain::ledger::PaymentInput;
use creditdesk_domain::*;
use creditdesk_storage::mem::MemStore;
use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the in-memory store never waits"),
    }
}

fn percentiles(mut xs: Vec<f64>) -> (f64, f64) {
    xs.sort_by(f64::total_cmp);
    (xs[xs.len() / 2], xs[xs.len() * 95 / 100])
}

fn main() {
    let as_of = Date::parse("2026-11-28").unwrap();
    let data = generate(&DemoSpec::large(as_of));
    let mut book = Book {
        as_of,
        device: DeviceId::from_u128(1),
        users: vec![User {
            id: "fs".into(),
            name: "Finance".into(),
            roles: vec![Role::FinanceSpecialist],
            region: String::new(),
        }],
        user: "fs".into(),
        customers: data.customers.clone(),
        ledger: Ledger::from_entries(
            data.orders,
            data.invoices,
            data.payments,
            data.credit_notes,
            Vec::new(),
        ),
        ..Book::default()
    };
    book.reindex();
    book.summarise_all();
    book.compute_metrics();
    book.rescore();
    let customer = book
        .summaries
        .iter()
        .find(|(_, s)| s.open_ar.minor() > 1_000)
        .map(|(id, _)| *id)
        .expect("a customer with something open");
    let input = || PaymentInput {
        reference: String::new(),
        date: as_of.iso(),
        amount: "0.01".into(),
        invoice: None,
    };
    let store = MemStore::new();
    let book = RefCell::new(book);
    let mut n = 0u128;
    let mut commands = Vec::new();
    for _ in 0..200 {
        n += 1;
        let ctx = Ctx {
            actor: book.borrow().me(),
            device: DeviceId::from_u128(1),
            now: Timestamp(1_800_000_000_000 + n as i64),
            as_of,
            command_id: format!("c{n}"),
        };
        let cmd = Command::RecordPayment {
            id: PaymentId::from_u128(10_000_000 + n),
            customer,
            input: input(),
        };
        let t = Instant::now();
        block_on(execute(&store, &book, &ctx, cmd, Vec::new())).expect("recorded");
        commands.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut direct = Vec::new();
    for _ in 0..200 {
        n += 1;
        let t = Instant::now();
        let mut b = book.borrow_mut();
        let p = input()
            .validate(
                &b.ledger,
                PaymentId::from_u128(10_000_000 + n),
                customer,
                Meta::new(DeviceId::from_u128(1), Timestamp(0)),
                as_of,
            )
            .expect("valid");
        b.ledger.add_payment(p).expect("added");
        b.refresh_summary(customer);
        direct.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (c50, c95) = percentiles(commands);
    let (d50, d95) = percentiles(direct);
    println!("one payment, 200 each, native, in-memory store:");
    println!("  through the command layer: p50 {c50:.3} ms, p95 {c95:.3} ms");
    println!("  baseline, validate + add + refresh: p50 {d50:.3} ms, p95 {d95:.3} ms");
    println!(
        "  command layer / baseline: p50 {:.2}x, p95 {:.2}x",
        c50 / d50,
        c95 / d95
    );
}
