//! Baseline for ADR 0003: the domain's own `Date` (an `i32` of days since 1970) against
//! `chrono::NaiveDate` (without its clock feature) on what the ledger does with dates, in the
//! same run: parse a million ISO dates, subtract and add days over a million pairs, split a
//! million days into year, month and day. Prints milliseconds (median of 5) and the ratios.
//!
//! Run: `cargo run --release -p creditdesk-domain --example dates`

use chrono::{Datelike, Days, NaiveDate};
use creditdesk_domain::Date;
use std::hint::black_box;
use std::time::Instant;

const N: usize = 1_000_000;

fn median(mut f: impl FnMut()) -> f64 {
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[2]
}

fn main() {
    // A million days between 2000 and 2040, the same for both, from a fixed LCG.
    let mut x: u64 = 2026;
    let days: Vec<i32> = (0..N)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            10_957 + (x >> 33) as i32 % 14_610
        })
        .collect();
    let zero = Date::from_ymd(1970, 1, 1).unwrap();
    let ours: Vec<Date> = days.iter().map(|d| zero.add_days(*d)).collect();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let theirs: Vec<NaiveDate> = days.iter().map(|d| epoch + Days::new(*d as u64)).collect();
    let text: Vec<String> = ours.iter().map(|d| d.iso()).collect();
    assert!(text.iter().zip(&theirs).all(|(s, n)| *s == n.to_string()));

    let rows = [
        (
            "parse 1M ISO dates",
            median(|| {
                for s in &text {
                    black_box(Date::parse(black_box(s)).unwrap());
                }
            }),
            median(|| {
                for s in &text {
                    black_box(black_box(s).parse::<NaiveDate>().unwrap());
                }
            }),
        ),
        (
            "days between, then +30 days, 1M pairs",
            median(|| {
                for w in ours.windows(2) {
                    black_box(w[1].days_since(w[0]));
                    black_box(w[0].add_days(30));
                }
            }),
            median(|| {
                for w in theirs.windows(2) {
                    black_box((w[1] - w[0]).num_days());
                    black_box(w[0] + Days::new(30));
                }
            }),
        ),
        (
            "year, month, day of 1M dates",
            median(|| {
                for d in &ours {
                    black_box(d.ymd());
                }
            }),
            median(|| {
                for d in &theirs {
                    black_box((d.year(), d.month(), d.day()));
                }
            }),
        ),
    ];
    println!(
        "size of a date: Date {} bytes, NaiveDate {} bytes",
        std::mem::size_of::<Date>(),
        std::mem::size_of::<NaiveDate>()
    );
    println!(
        "{:<40} {:>10} {:>12} {:>8}",
        "", "Date ms", "NaiveDate ms", "ratio"
    );
    for (what, a, b) in rows {
        println!("{what:<40} {a:>10.1} {b:>12.1} {:>7.2}x", b / a);
    }
}
