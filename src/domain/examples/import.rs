//! Native figures for the import benchmark: the same 100,000-invoice CSV that `./x bench` imports
//! in the browser, decoded, read and checked against the large data set (10,000 customers, about
//! a million invoices), each kernel in one go, the median of five runs (the browser's are
//! `cd_bench_import_kernels`'s). Prints one JSON line; asserts nothing.

use creditdesk_domain::demo::{generate, DemoSpec};
use creditdesk_domain::id::{DeviceId, Meta, Timestamp};
use creditdesk_domain::import::{
    decode, guess_mapping, read_table, sniff_delimiter, validate, Context, Kind,
};
use creditdesk_domain::{Date, Ledger};
use std::time::Instant;

fn main() {
    let as_of = Date::parse(
        &std::env::args()
            .nth(1)
            .unwrap_or_else(|| "2026-11-28".into()),
    )
    .expect("a date YYYY-MM-DD");
    let data = generate(&DemoSpec::large(as_of));
    let mut customers = data.customers;
    // In the order the app holds them (by name, see creditdesk-app's `Book::from_parts`): the
    // browser's benchmark picks its 500 names from that order, and the check meets them in it.
    customers.sort_by(|a, b| a.name.cmp(&b.name));
    let ledger = Ledger::from_entries(
        data.orders,
        data.invoices,
        data.payments,
        data.credit_notes,
        Vec::new(),
    );
    // The names the browser benchmark uses: 500 customers spread over the book, names unique.
    let names = creditdesk_domain::demo::unique_names(&customers, 500);
    let mut csv = String::from("\u{feff}发票号码,客户名称,开票日期,到期日,金额\r\n");
    for i in 0..100_000i32 {
        let issue = as_of.add_days(-(i % 60) - 1);
        let cents = 100_000 + (i as i64 % 97) * 11_337;
        csv.push_str(&format!(
            "IMP-{i:07},\"{}\",{},{},\"{}.{:02}\"\r\n",
            names[i as usize % names.len()].replace('"', "\"\""),
            issue.iso(),
            issue.add_days(30).iso(),
            cents / 100,
            cents % 100
        ));
    }
    let bytes = csv.into_bytes();
    let (mut parse_ms, mut check_ms) = (Vec::new(), Vec::new());
    let mut outcome = (0, 0, 0);
    for _ in 0..RUNS {
        let t = Instant::now();
        let text = decode(&bytes).text;
        let table = read_table(&text, sniff_delimiter(&text)).expect("a table");
        parse_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let mapping = guess_mapping(Kind::Invoices, &table.headers);
        let ctx = Context {
            customers: &customers,
            users: &[],
            ledger: &ledger,
            meta: Meta::new(DeviceId::from_u128(1), Timestamp(0)),
            fields: &Default::default(),
        };
        let mut n = 0u128;
        let plan = validate(
            Kind::Invoices,
            &table,
            &mapping,
            &ctx,
            &mut || {
                n += 1;
                n
            },
            as_of,
        );
        check_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        for p in plan.problems.iter().take(3) {
            eprintln!("{} {:?} {:?} {}", p.row, p.column, p.value, p.problem);
        }
        outcome = (table.rows.len(), plan.records.len(), plan.problems.len());
    }
    println!(
        r#"{{"rows":{},"valid":{},"problems":{},"parse_ms":{:.2},"check_ms":{:.2}}}"#,
        outcome.0,
        outcome.1,
        outcome.2,
        median(parse_ms),
        median(check_ms)
    );
}

/// Runs of each kernel, their median printed: as many as the browser's (`cd_bench_import_kernels`).
const RUNS: usize = 5;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}
