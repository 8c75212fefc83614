//! The collections forecast on the demo book and on the large benchmark set: prints the
//! back-test (last quarter's forecast against what came in, its error and bias) and how long
//! the forecast and the back-test take, in JSON lines. Asserts nothing.
//!
//! `cargo run --release -p creditdesk-domain --example forecast [YYYY-MM-DD]`

use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
use creditdesk_domain::forecast::{back_test, forecast, WEEKS};
use creditdesk_domain::{CustomerId, Date, Ledger};
use std::time::Instant;

fn main() {
    let as_of = Date::parse(
        &std::env::args()
            .nth(1)
            .unwrap_or_else(|| "2026-11-28".into()),
    )
    .expect("a date YYYY-MM-DD");
    for (name, spec) in [
        ("demo", DemoSpec::demo(as_of, DemoLang::En)),
        ("large", DemoSpec::large(as_of)),
    ] {
        let data = generate(&spec);
        let ids: Vec<CustomerId> = data.customers.iter().map(|c| c.id).collect();
        let invoices = data.invoices.len();
        let ledger = Ledger::from_entries(
            data.orders,
            data.invoices,
            data.payments,
            data.credit_notes,
            Vec::new(),
        );
        let t = Instant::now();
        let f = forecast(&ledger, &ids, as_of);
        let forecast_ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        let b = back_test(&ledger, &ids, as_of);
        let back_test_ms = t.elapsed().as_secs_f64() * 1000.0;
        let total = f.total();
        let pct =
            |bp: Option<i64>| bp.map_or("null".to_string(), |b| format!("{:.2}", b as f64 / 100.0));
        println!(
            "{{\"set\":\"{name}\",\"invoices\":{invoices},\"open\":\"{}\",\"next_13_weeks\":\"{}\",\"later\":\"{}\",\"at_risk\":\"{}\",\"back_test_from\":\"{}\",\"back_test_expected\":\"{}\",\"back_test_collected\":\"{}\",\"wape_pct\":{},\"bias_pct\":{},\"weeks_in_band\":{},\"weeks\":{WEEKS},\"forecast_ms\":{forecast_ms:.1},\"back_test_ms\":{back_test_ms:.1}}}",
            total.open.to_plain(),
            total.horizon().to_plain(),
            total.later.to_plain(),
            total.at_risk.to_plain(),
            b.forecast.as_of.iso(),
            b.expected.horizon().to_plain(),
            b.collected_total().to_plain(),
            pct(b.wape_bp()),
            pct(b.bias_bp()),
            b.weeks_in_band(),
        );
    }
}
