//! Native figures for the rating and aging benchmarks: metrics and scores for 10,000 customers
//! over about a million invoices and a million payments, and aging of every invoice on the day
//! (one total, a row per customer). `./x bench` runs it beside the browser run and prints their
//! ratios, medians of 11 runs. Prints one JSON line; asserts nothing.

use creditdesk_domain::demo::{generate, DemoSpec};
use creditdesk_domain::rating::default_scorecard;
use creditdesk_domain::{Date, Ledger};
use std::time::Instant;

/// Runs of each measure, their median printed: as many as the browser's (`cd_bench_rescore`,
/// `cd_bench_reports`), enough that one slow run on a shared machine does not move it.
const RUNS: usize = 11;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

fn main() {
    let as_of = Date::parse(
        &std::env::args()
            .nth(1)
            .unwrap_or_else(|| "2026-11-28".into()),
    )
    .expect("a date YYYY-MM-DD");
    let mut data = generate(&DemoSpec::large(as_of));
    // In the order the app holds them (by name, see creditdesk-app's `Book::from_parts`), which
    // the browser's figures are measured in: what a pass meets in memory depends on the order it
    // visits the customers (a pass over them in the order made read the ledger front to back).
    data.customers.sort_by(|a, b| a.name.cmp(&b.name));
    // And made again in that order (each customer's strings and lists allocated anew, the
    // old ones still held meanwhile), as a browser's start makes them from the store's list of
    // the customers, kept in that order (`creditdesk_storage::customer_list_by_name`): a pass
    // then finds them in memory in the order it visits them.
    data.customers = data.customers.to_vec();
    let ledger = Ledger::from_entries(
        data.orders,
        data.invoices,
        data.payments,
        data.credit_notes,
        Vec::new(),
    );
    let model = default_scorecard();
    let (mut metrics_ms, mut score_ms) = (Vec::new(), Vec::new());
    let mut grades = [0usize; 5];
    for _ in 0..RUNS {
        let t = Instant::now();
        let metrics = ledger.metrics_all(&data.customers, as_of, true);
        metrics_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let prepared = model.prepare();
        let scores: Vec<_> = metrics
            .iter()
            .map(|m| prepared.score_and_grade(m))
            .collect();
        score_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        grades = [0; 5];
        for s in &scores {
            grades[s.1 as usize] += 1;
        }
    }
    let ids: Vec<_> = data.customers.iter().map(|c| c.id).collect();
    let timed = |f: &dyn Fn()| {
        median(
            (0..RUNS)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed().as_secs_f64() * 1000.0
                })
                .collect(),
        )
    };
    let aging_ms = timed(&|| {
        std::hint::black_box(ledger.portfolio(ids.iter().copied(), &[as_of]));
    });
    let aging_by_customer_ms = timed(&|| {
        std::hint::black_box(ledger.per_customer(&ids, &[as_of]));
    });
    println!(
        r#"{{"customers":{},"invoices":{},"payments":{},"metrics_ms":{:.2},"score_ms":{:.2},"grades":{:?},"aging_ms":{aging_ms:.2},"aging_by_customer_ms":{aging_by_customer_ms:.2}}}"#,
        data.customers.len(),
        ledger.invoice_count(),
        ledger.payment_count(),
        median(metrics_ms),
        median(score_ms),
        grades
    );
}
