//! The app's own part of the rating's pass and of a start, on the benchmarks' large book (10,000
//! customers, about a million invoices and a million payments), each beside a baseline in the
//! same run: the metrics and grades put into the book's rows (`PerCustomer`) against a hash map
//! of the values (as the book held them before), and the kept figures read back. Prints one JSON
//! line of medians of 21; asserts nothing.
//!
//! Natively: `cargo run --release -p creditdesk-app --example kernels`. As wasm in V8, in one
//! process, which on a machine whose speed drifts tells apart two builds of the same kernel
//! better than the browser's bench (the same release profile, built for WASI):
//!
//! ```sh
//! rustup target add wasm32-wasip1
//! cargo build --release -p creditdesk-app --example kernels --target wasm32-wasip1
//! node --no-liftoff tools/wasi.mjs target/wasm32-wasip1/release/examples/kernels.wasm
//! ```
//!
//! `--no-liftoff`: Node 20's V8 left the metrics' pass in its baseline compiler through all 21
//! runs (50-62 ms each, against 23-39 ms with the flag); Chromium tiers it up (the browser's
//! kernels bench measured the same with and without the flag). The grades are made as
//! `Book::rescore` makes them for a user who sees every input (`rate_sealed` with no sealed
//! part): the demo book hides none.

use creditdesk_app::{figures, Book, PerCustomer};
use creditdesk_domain::demo::{generate, DemoSpec};
use creditdesk_domain::id::{CustomerId, IdMap};
use creditdesk_domain::rating::{Metrics, Rating};
use creditdesk_domain::{Date, Ledger};
use std::time::Instant;

const RUNS: usize = 21;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let as_of = Date::parse("2026-11-28").expect("a date");
    let data = generate(&DemoSpec::large(as_of));
    let mut book = Book {
        customers: data.customers.clone(),
        as_of,
        ..Book::default()
    };
    creditdesk_domain::sort::by(&mut book.customers, |a, b| a.name.cmp(&b.name));
    book.reindex();
    book.ledger = Ledger::from_entries(
        data.orders,
        data.invoices,
        data.payments,
        data.credit_notes,
        Vec::new(),
    );
    book.summarise_all();
    book.compute_metrics();
    book.rescore();
    let ids: Vec<CustomerId> = book.customers.iter().map(|c| c.id).collect();
    let p = book.model.prepare();
    let (mut pass, mut rows, mut map, mut graded, mut graded_map) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut metrics: PerCustomer<Metrics> = PerCustomer::default();
    let mut rated: PerCustomer<Rating> = PerCustomer::default();
    let mut metrics_map: IdMap<CustomerId, Metrics> = IdMap::default();
    let mut rated_map: IdMap<CustomerId, Rating> = IdMap::default();
    for _ in 0..RUNS {
        let t = Instant::now();
        let all = book.ledger.metrics_all(&book.customers, as_of, true);
        pass.push(ms(t));
        let copy = all.clone();
        let t = Instant::now();
        metrics.refill(ids.iter().copied(), all);
        rows.push(ms(t));
        let t = Instant::now();
        metrics_map.clear();
        metrics_map.extend(ids.iter().copied().zip(copy));
        map.push(ms(t));
        let t = Instant::now();
        rated.refill(
            metrics.keys().copied(),
            metrics.values().map(|m| p.rate_sealed(m, None)),
        );
        graded.push(ms(t));
        let t = Instant::now();
        rated_map.clear();
        rated_map.extend(
            metrics_map
                .iter()
                .map(|(id, m)| (*id, p.rate_sealed(m, None))),
        );
        graded_map.push(ms(t));
    }
    let bytes = figures::encode(&book, None, None);
    let inputs = figures::inputs(&book);
    let kept: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(figures::decode(&bytes, as_of, inputs).ok());
            ms(t)
        })
        .collect();
    println!(
        r#"{{"customers":{},"metrics_ms":{:.2},"metrics_into_rows_ms":{:.2},"metrics_into_map_ms":{:.2},"grades_into_rows_ms":{:.2},"grades_into_map_ms":{:.2},"kept_figures_bytes":{},"kept_figures_read_ms":{:.2}}}"#,
        ids.len(),
        median(pass),
        median(rows),
        median(map),
        median(graded),
        median(graded_map),
        bytes.len(),
        median(kept),
    );
}
