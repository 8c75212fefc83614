//! A scorecard model as the rating page imports it from a file (and a backup's `models`):
//! `Scorecard::from_json` parses and checks it (an analyst's card, PMML included, is the
//! `analyst_card` target's). Nothing may panic. An accepted model reads back the same from
//! its own JSON, and scores without panicking: with no data, with a generated book's customers,
//! and with values on every bin's edges; the parts add up to the score, the prepared scorer
//! agrees with the explained one, and a hint reaches the grade it names.
#![no_main]

use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
use creditdesk_domain::rating::{FactorKey, Fixed, Metrics, ModelCode, Scorecard, Value};
use creditdesk_domain::{Date, IndustryPosition};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn as_of() -> Date {
    Date::parse("2026-11-28").unwrap()
}

/// The metrics of a small generated book's customers (computed once).
fn book_metrics() -> &'static [Metrics] {
    static M: OnceLock<Vec<Metrics>> = OnceLock::new();
    M.get_or_init(|| {
        let d = generate(&DemoSpec {
            customers: 12,
            ..DemoSpec::demo(as_of(), DemoLang::Zh)
        });
        let ledger = creditdesk_domain::Ledger::from_entries(
            d.orders.clone(),
            d.invoices.clone(),
            d.payments.clone(),
            d.credit_notes.clone(),
            Vec::new(),
        );
        d.customers
            .iter()
            .map(|c| ledger.metrics(c, as_of()))
            .collect()
    })
}

/// Metrics whose values sit on the model's own bin edges (the `j`-th bin of every factor, at
/// its lower end, or just below its upper end when it is open below), categories in turn.
fn edge_metrics(model: &Scorecard) -> Vec<Metrics> {
    let most = model
        .factors
        .iter()
        .map(|f| f.bins.len().max(f.categories.len()))
        .max()
        .unwrap_or(0)
        .min(16);
    let mut out = Vec::new();
    for j in 0..most {
        for below in [false, true] {
            let mut m = Metrics::default();
            for f in &model.factors {
                let Some(key) = FactorKey::from_key(&f.key) else {
                    continue;
                };
                let v = if key.is_categorical() {
                    f.categories
                        .get(j)
                        .and_then(|c| IndustryPosition::from_key(&c.value))
                        .map(Value::Cat)
                } else {
                    f.bins.get(j).map(|b| {
                        let x = match (b.min, b.max) {
                            (Some(lo), _) if !below => lo,
                            (_, Some(hi)) => Fixed(hi.0.saturating_sub(1)),
                            (Some(lo), None) => Fixed(lo.0.saturating_add(1)),
                            (None, None) => Fixed(0),
                        };
                        Value::Num(x)
                    })
                };
                m.set(key, v);
            }
            m.report_age_days = Some(if below { model.max_report_age_days } else { 0 });
            // Either side of the minimum's history.
            let h = model.minimum.history_months;
            m.history_months = Some(if below { h.saturating_sub(1) } else { h });
            out.push(m);
        }
    }
    out
}

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let model = match Scorecard::from_json(&text) {
        Err(problems) => {
            assert!(!problems.is_empty());
            assert!(problems.iter().all(|p| ModelCode::ALL.contains(&p.code)));
            return;
        }
        Ok(m) => m,
    };
    assert_eq!(
        Scorecard::from_json(&model.to_json()),
        Ok(model.clone()),
        "an accepted model does not read back from its own JSON"
    );
    let _ = model.as_draft();
    let prepared = model.prepare();
    let edges = edge_metrics(&model);
    let none = [Metrics::default()];
    for m in none.iter().chain(book_metrics()).chain(&edges) {
        let s = model.score(m, as_of());
        assert!((0..=10_000).contains(&s.score.0), "score {:?}", s.score);
        let sum: i64 = s.parts.iter().map(|p| p.contribution.0).sum();
        assert_eq!(sum, s.score.0, "the parts do not add up to the score");
        let r = prepared.rate(m);
        assert_eq!(
            (r.score, r.grade, r.provisional),
            (s.score, s.grade, s.provisional),
            "the quick path and the explained one disagree"
        );
        assert!(s.grade >= model.thresholds.grade(s.score), "a minimum never lifts a grade");
        if let Some(h) = model.hint(&s) {
            assert!(h.to < s.grade, "a hint to a grade not better");
            assert!(h.new_score >= model.thresholds.floor(h.to));
        }
    }
});
