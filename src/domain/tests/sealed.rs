//! Rating inputs hidden from a user: a device that holds none of them, given their sealed part,
//! grades every customer exactly as the server does from every input, under weighted and
//! additive models, and its explanation keeps the hidden inputs' values, bins and points out.

use creditdesk_domain::access::{self, Access, Grant};
use creditdesk_domain::approval::Role;
use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
use creditdesk_domain::fields::{FieldDef, FieldKind, FieldOption, FieldSet};
use creditdesk_domain::ledger::Ledger;
use creditdesk_domain::rating::analyst::Additive;
use creditdesk_domain::rating::{
    default_scorecard, Mask, Minimum, MissingPolicy, Rating, Scorecard,
};
use creditdesk_domain::{Customer, Date};

fn as_of() -> Date {
    Date::parse("2026-11-28").unwrap()
}

fn form() -> FieldSet {
    let mut segment = FieldDef::new("segment", "客户细分", "Segment", FieldKind::Choice);
    segment.options = ["wholesale", "retail", "export"]
        .map(|k| FieldOption {
            key: k.into(),
            zh: k.into(),
            en: k.into(),
            retired: false,
        })
        .to_vec();
    FieldSet {
        access: Vec::new(),
        version: 1,
        fields: vec![segment],
    }
}

/// 120 demo customers (a third with a segment) and their ledger.
fn book() -> (Vec<Customer>, Ledger) {
    let data = generate(&DemoSpec {
        customers: 120,
        ..DemoSpec::demo(as_of(), DemoLang::En)
    });
    let mut customers = data.customers;
    for (i, c) in customers.iter_mut().enumerate() {
        if let Some(s) = ["wholesale", "retail", "export"].get(i % 4) {
            c.custom.insert("segment".into(), s.to_string());
        }
    }
    let l = Ledger::from_entries(
        data.orders,
        data.invoices,
        data.payments,
        data.credit_notes,
        Vec::new(),
    );
    (customers, l)
}

/// An analyst's card over the external profile, the ledger and the segment.
fn additive() -> Scorecard {
    let card = "variable,bin,points\nbasepoints,,480.5\n\
        registered_capital,missing,-12\nregistered_capital,\"[-inf,5000000.0)\",-20.25\nregistered_capital,\"[5000000.0,inf)\",15\n\
        report_score,missing,-8\nreport_score,\"[-inf,70.0)\",-10\nreport_score,\"[70.0,inf)\",22.5\n\
        litigation_count,missing,0\nlitigation_count,\"[-inf,1.0)\",9\nlitigation_count,\"[1.0,inf)\",-30\n\
        overdue_amount,\"[-inf,10000.0)\",20\noverdue_amount,\"[10000.0,inf)\",-40\n\
        segment,\"wholesale%,%missing\",-5\nsegment,\"retail%,%export\",10\n";
    let a = Additive::read(card, &form()).unwrap();
    Scorecard {
        name: "analyst".into(),
        version: 4,
        thresholds: a.even_bands(),
        minimum: Minimum::NONE,
        factors: Vec::new(),
        additive: Some(a),
        ..Scorecard::default()
    }
}

fn models() -> Vec<(&'static str, Scorecard)> {
    let weighted = default_scorecard();
    let zero = Scorecard {
        missing: MissingPolicy::Zero,
        ..default_scorecard()
    };
    vec![
        ("weighted", weighted),
        ("zero", zero),
        ("additive", additive()),
    ]
}

const PROFILE: [&str; 8] = [
    "registered_capital",
    "founded",
    "shareholders",
    "litigation_count",
    "litigation_open_amount",
    "industry_position",
    "report_score",
    "report_date",
];

#[test]
fn a_device_without_the_hidden_inputs_grades_every_customer_as_the_server_does() {
    let (customers, l) = book();
    let masks: Vec<Vec<&str>> = vec![
        PROFILE.to_vec(),
        vec!["registered_capital"],
        vec!["report_date"],
        vec!["litigation_count"],
        vec!["custom.segment"],
        vec!["report_score", "custom.segment", "shareholders"],
    ];
    for (name, model) in models() {
        assert_eq!(model.problems(), [], "{name}");
        let server = model.prepare();
        for hidden in &masks {
            let mask = Mask::of(hidden);
            let device = model.prepare_masked(&mask);
            let mut moved = 0;
            for c in &customers {
                let full = l.metrics(c, as_of());
                let mut held = c.clone();
                let hidden_names: Vec<std::borrow::Cow<'static, str>> = hidden
                    .iter()
                    .map(|h| std::borrow::Cow::Owned(h.to_string()))
                    .collect();
                access::strip(&mut held, &hidden_names);
                let on_device = l.metrics(&held, as_of());
                let truth: Rating = server.rate(&full);
                let sealed = server_seal(&model, &mask, &full);
                let graded = device.rate_sealed(&on_device, Some(&sealed));
                assert_eq!(graded, truth, "{name} {hidden:?} {}", c.name);
                if device.rate(&on_device) != truth {
                    moved += 1;
                }
                // The explanation: the same score, the hidden inputs without values or points,
                // the parts adding up to the score.
                let s = model.score_sealed(&on_device, as_of(), &mask, Some(&sealed));
                assert_eq!((s.score, s.grade), (truth.score, truth.grade), "{name}");
                assert_eq!(s, model.score_sealed(&full, as_of(), &mask, Some(&sealed)));
                let hidden_parts: Vec<_> = s.parts.iter().filter(|p| p.hidden).collect();
                assert!(hidden_parts
                    .iter()
                    .all(|p| p.raw.is_none() && p.points.is_none() && p.contribution.0 == 0));
                if !s.parts.is_empty() {
                    let sum: i64 = s.parts.iter().map(|p| p.contribution.0).sum::<i64>()
                        + s.hidden.map_or(0, |h| h.0);
                    assert_eq!(sum, s.score.0, "{name} {hidden:?}");
                }
                assert!(s
                    .characteristics
                    .iter()
                    .filter(|c| c.hidden)
                    .all(|c| c.value.is_none() && c.attribute.is_none() && c.points.0 == 0));
            }
            // Without the sealed part the device would grade some customers otherwise: the
            // test would catch a part that carried nothing. (The weighted models read no
            // segment; the report's date alone changes no metric the device computes.)
            let idle = (name != "additive" && hidden == &vec!["custom.segment"])
                || hidden == &vec!["report_date"];
            if !idle {
                assert!(moved > 0, "{name} {hidden:?}: no customer depends on it");
            }
        }
    }
}

/// What the server sends: the part worked out from every input.
fn server_seal(
    model: &Scorecard,
    mask: &Mask,
    full: &creditdesk_domain::rating::Metrics,
) -> creditdesk_domain::rating::Sealed {
    model.prepare_masked(mask).seal(full)
}

#[test]
fn a_part_sealed_under_another_model_counts_for_nothing() {
    let (customers, l) = book();
    let model = default_scorecard();
    let mask = Mask::of(&PROFILE);
    let device = model.prepare_masked(&mask);
    let c = &customers[0];
    let full = l.metrics(c, as_of());
    let mut stale = device.seal(&full);
    stale.model += 1;
    let mut held = c.clone();
    let names: Vec<std::borrow::Cow<'static, str>> = PROFILE.iter().map(|h| (*h).into()).collect();
    access::strip(&mut held, &names);
    let on_device = l.metrics(&held, as_of());
    assert_eq!(
        device.rate_sealed(&on_device, Some(&stale)),
        device.rate(&on_device)
    );
    assert_eq!(
        model.score_sealed(&on_device, as_of(), &mask, Some(&stale)),
        model.score(&on_device, as_of())
    );
}

#[test]
fn the_profile_may_be_hidden_from_a_sales_rep_but_not_from_a_role_that_edits_scorecards() {
    let check = |field: &str, role: Role, expected: &[&str]| {
        let set = FieldSet {
            access: vec![Grant {
                field: field.into(),
                role,
                access: Access::Hidden,
            }],
            ..form()
        };
        let codes: Vec<String> = set
            .problems()
            .iter()
            .map(|p| p.code.code().into())
            .collect();
        assert_eq!(codes, expected, "{field} {role:?}");
    };
    check("registered_capital", Role::SalesRep, &[]);
    // Nothing is hidden from a role that reads the audit trail (it keeps every value).
    check("report_date", Role::SalesManager, &["FD-ACCESS-HIDDEN"]);
    check("custom.segment", Role::SalesRep, &[]);
    check(
        "registered_capital",
        Role::FinanceSpecialist,
        &["FD-ACCESS-HIDDEN"],
    );
    check(
        "custom.segment",
        Role::FinanceManager,
        &["FD-ACCESS-HIDDEN"],
    );
    check("phone", Role::FinanceSpecialist, &["FD-ACCESS-HIDDEN"]);
    check("phone", Role::SalesRep, &[]);
    check("name", Role::SalesRep, &["FD-ACCESS-HIDDEN"]);
}
