//! PMML 4.4 `Scorecard` models, read into an [`AdditiveCard`] and written from one.
//!
//! Read: `initialScore`, `Characteristic` (`baselineScore`, `reasonCode`), `Attribute`
//! (`partialScore`, `reasonCode`) and the predicates `SimplePredicate` (every operator),
//! `SimpleSetPredicate` (`isIn`, `isNotIn`), `CompoundPredicate` (`and`, `or`), `True` and
//! `False`, over fields of the `DataDictionary` (a `continuous` field is read as numbers, any
//! other as categories). A characteristic's baseline (what reason codes are measured against)
//! is its `baselineScore`, else the scorecard's, else by `baselineMethod` (`min` or, by
//! default, `max` of its points). Refused, each with its place and why:
//! `reasonCodeAlgorithm="pointsAbove"`, `baselineMethod` `mean` or `neutral` without a
//! baseline (they need the training data), `ComplexPartialScore` (points
//! computed by an expression), derived fields (`TransformationDictionary`,
//! `LocalTransformations`, a field the dictionary lacks), `xor` and `surrogate`, and a model
//! other than a scorecard. Every problem of the document at once.
//!
//! Written: the same elements, with a `DataDictionary` and `MiningSchema` of the card's fields,
//! an interval as one or two `SimplePredicate`s, categories as a `SimpleSetPredicate`.
//! Read back, a written card scores every value as the card did.

use super::additive::{AdditiveCard, Attribute, Characteristic, End, Micro, Test};

/// One problem of a PMML document: a stable code, where (an element path such as
/// `Characteristic 3 (age) / Attribute 2`), and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PmmlProblem {
    pub code: &'static str,
    pub at: String,
    pub detail: String,
}

impl std::fmt::Display for PmmlProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.code, self.at, self.detail)
    }
}

/// `PMML-XML`: not well-formed XML. `PMML-MODEL`: no `Scorecard` (or another model).
/// `PMML-UNSUPPORTED`: an element CreditDesk does not compute (see the module docs).
/// `PMML-FIELD`: a predicate on a field the `DataDictionary` lacks. `PMML-NUMBER`: a score or a
/// value that is not a number. `PMML-PREDICATE`: a predicate that does not read.
pub mod code {
    pub const XML: &str = "PMML-XML";
    pub const MODEL: &str = "PMML-MODEL";
    pub const UNSUPPORTED: &str = "PMML-UNSUPPORTED";
    pub const FIELD: &str = "PMML-FIELD";
    pub const NUMBER: &str = "PMML-NUMBER";
    pub const PREDICATE: &str = "PMML-PREDICATE";
}

type Node<'a, 'i> = roxmltree::Node<'a, 'i>;

struct Reader {
    problems: Vec<PmmlProblem>,
    /// `(name, continuous)` of the data dictionary.
    fields: Vec<(String, bool)>,
}

impl Reader {
    fn push(&mut self, code: &'static str, at: &str, detail: impl Into<String>) {
        self.problems.push(PmmlProblem {
            code,
            at: at.to_string(),
            detail: detail.into(),
        });
    }

    fn number(&mut self, at: &str, what: &str, s: Option<&str>) -> Option<Micro> {
        let s = s?;
        let v = Micro::parse(s);
        if v.is_none() {
            self.push(code::NUMBER, at, format!("{what} {s:?} is not a number"));
        }
        v
    }

    fn field(&mut self, at: &str, n: Node) -> Option<(String, bool)> {
        let name = n.attribute("field").unwrap_or("");
        match self.fields.iter().find(|(f, _)| f == name) {
            Some(f) => Some(f.clone()),
            None => {
                self.push(
                    code::FIELD,
                    at,
                    format!("the field {name:?} is not in the DataDictionary (derived fields are not supported)"),
                );
                None
            }
        }
    }

    /// A predicate element as a test of `field` (every predicate of a characteristic tests the
    /// field its first predicate names).
    fn predicate(&mut self, at: &str, n: Node, field: &mut Option<(String, bool)>) -> Option<Test> {
        let tag = n.tag_name().name();
        let same_field = |r: &mut Reader, f: (String, bool), field: &mut Option<(String, bool)>| {
            match field {
                None => {
                    *field = Some(f);
                    true
                }
                Some(g) if g.0 == f.0 => true,
                Some(g) => {
                    let detail = format!(
                        "tests {:?} where the characteristic tests {:?}: one field a characteristic",
                        f.0, g.0
                    );
                    r.push(code::UNSUPPORTED, at, detail);
                    false
                }
            }
        };
        match tag {
            "True" => Some(Test::Always),
            "False" => Some(Test::Never),
            "SimplePredicate" => {
                let f = self.field(at, n)?;
                if !same_field(self, f.clone(), field) {
                    return None;
                }
                let op = n.attribute("operator").unwrap_or("");
                let raw = n.attribute("value");
                let num = |r: &mut Reader| -> Option<Micro> {
                    match raw {
                        None => {
                            r.push(code::PREDICATE, at, format!("{op} needs a value"));
                            None
                        }
                        Some(_) => r.number(at, "the value", raw),
                    }
                };
                let end = |at: Micro, closed| Some(End { at, closed });
                Some(match op {
                    "isMissing" => Test::Missing,
                    "isNotMissing" => Test::Not(Box::new(Test::Missing)),
                    "lessThan" => Test::Range {
                        low: None,
                        high: end(num(self)?, false),
                    },
                    "lessOrEqual" => Test::Range {
                        low: None,
                        high: end(num(self)?, true),
                    },
                    "greaterThan" => Test::Range {
                        low: end(num(self)?, false),
                        high: None,
                    },
                    "greaterOrEqual" => Test::Range {
                        low: end(num(self)?, true),
                        high: None,
                    },
                    "equal" | "notEqual" => {
                        let t = if f.1 {
                            let v = num(self)?;
                            Test::Range {
                                low: end(v, true),
                                high: end(v, true),
                            }
                        } else {
                            let Some(v) = raw else {
                                self.push(code::PREDICATE, at, format!("{op} needs a value"));
                                return None;
                            };
                            Test::Among {
                                values: vec![v.to_string()],
                                missing: false,
                            }
                        };
                        if op == "equal" {
                            t
                        } else {
                            Test::Not(Box::new(t))
                        }
                    }
                    other => {
                        self.push(
                            code::PREDICATE,
                            at,
                            format!("the operator {other:?} is not PMML's"),
                        );
                        return None;
                    }
                })
            }
            "SimpleSetPredicate" => {
                let f = self.field(at, n)?;
                if !same_field(self, f.clone(), field) {
                    return None;
                }
                let Some(array) = n.children().find(|c| c.has_tag_name("Array")) else {
                    self.push(code::PREDICATE, at, "a SimpleSetPredicate needs an Array");
                    return None;
                };
                let values = array_values(array.text().unwrap_or(""));
                let set = if f.1 {
                    let mut tests = Vec::new();
                    for v in &values {
                        let x = self.number(at, "the value", Some(v))?;
                        tests.push(Test::Range {
                            low: Some(End {
                                at: x,
                                closed: true,
                            }),
                            high: Some(End {
                                at: x,
                                closed: true,
                            }),
                        });
                    }
                    Test::Any(tests)
                } else {
                    Test::Among {
                        values,
                        missing: false,
                    }
                };
                match n.attribute("booleanOperator") {
                    Some("isIn") => Some(set),
                    Some("isNotIn") => Some(Test::Not(Box::new(set))),
                    other => {
                        self.push(
                            code::PREDICATE,
                            at,
                            format!("booleanOperator {other:?}: isIn or isNotIn"),
                        );
                        None
                    }
                }
            }
            "CompoundPredicate" => {
                let op = n.attribute("booleanOperator").unwrap_or("");
                let mut parts = Vec::new();
                for (i, c) in n.children().filter(|c| c.is_element()).enumerate() {
                    let cat = format!("{at} / {} {}", c.tag_name().name(), i + 1);
                    parts.push(self.predicate(&cat, c, field));
                }
                let parts: Option<Vec<Test>> = parts.into_iter().collect();
                match op {
                    "and" => Some(Test::All(parts?)),
                    "or" => Some(Test::Any(parts?)),
                    "xor" | "surrogate" => {
                        self.push(
                            code::UNSUPPORTED,
                            at,
                            format!("a CompoundPredicate {op:?} is not supported: use and / or"),
                        );
                        None
                    }
                    other => {
                        self.push(
                            code::PREDICATE,
                            at,
                            format!("booleanOperator {other:?} is not PMML's"),
                        );
                        None
                    }
                }
            }
            other => {
                self.push(code::PREDICATE, at, format!("{other} is not a predicate"));
                None
            }
        }
    }
}

/// The values of a PMML `Array`: separated by spaces, a value with spaces in double quotes
/// (`\"` inside one).
fn array_values(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&c) = chars.peek() else { break };
        let mut v = String::new();
        if c == '"' {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' if matches!(chars.peek(), Some('"' | '\\')) => {
                        v.extend(chars.next());
                    }
                    '"' => break,
                    c => v.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                v.push(c);
                chars.next();
            }
        }
        out.push(v);
    }
    out
}

/// Reads a PMML document's `Scorecard`. Every problem at once.
pub fn from_pmml(xml: &str) -> Result<AdditiveCard, Vec<PmmlProblem>> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| {
        vec![PmmlProblem {
            code: code::XML,
            at: format!("line {}", e.pos().row),
            detail: e.to_string(),
        }]
    })?;
    let root = doc.root_element();
    let mut r = Reader {
        problems: Vec::new(),
        fields: Vec::new(),
    };
    for n in root.descendants().filter(|n| {
        n.has_tag_name("TransformationDictionary") || n.has_tag_name("LocalTransformations")
    }) {
        if n.children().any(|c| c.has_tag_name("DerivedField")) {
            let tag = n.tag_name().name().to_string();
            r.push(
                code::UNSUPPORTED,
                &tag,
                "derived fields are not supported: bind the model to the data as it is",
            );
        }
    }
    if let Some(dd) = root.children().find(|n| n.has_tag_name("DataDictionary")) {
        for f in dd.children().filter(|n| n.has_tag_name("DataField")) {
            r.fields.push((
                f.attribute("name").unwrap_or("").to_string(),
                f.attribute("optype") == Some("continuous"),
            ));
        }
    }
    let Some(model) = root.children().find(|n| n.has_tag_name("Scorecard")) else {
        let other = root
            .children()
            .filter(|n| n.is_element() && n.tag_name().name().ends_with("Model"))
            .map(|n| n.tag_name().name().to_string())
            .next();
        r.push(
            code::MODEL,
            "PMML",
            match other {
                Some(m) => format!("the document holds a {m}, not a Scorecard"),
                None => "the document holds no Scorecard".into(),
            },
        );
        return Err(r.problems);
    };
    let base = r
        .number("Scorecard", "initialScore", model.attribute("initialScore"))
        .unwrap_or_default();
    // Reason codes: CreditDesk ranks the points below each characteristic's baseline (PMML's
    // default, `pointsBelow`). A baseline is the characteristic's own `baselineScore`, else the
    // scorecard's, else by `baselineMethod`: `max` (the default here) or `min` of its points;
    // `mean` and `neutral` need the training data and are refused without a baseline.
    let algorithm = model
        .attribute("reasonCodeAlgorithm")
        .unwrap_or("pointsBelow");
    if algorithm != "pointsBelow" {
        r.push(
            code::UNSUPPORTED,
            "Scorecard",
            format!("reasonCodeAlgorithm {algorithm:?}: only pointsBelow is computed"),
        );
    }
    let model_baseline = r.number(
        "Scorecard",
        "baselineScore",
        model.attribute("baselineScore"),
    );
    let method = model.attribute("baselineMethod").unwrap_or("other");
    let mut characteristics = Vec::new();
    let chars = model.children().find(|n| n.has_tag_name("Characteristics"));
    for (i, c) in chars
        .into_iter()
        .flat_map(|n| n.children())
        .filter(|n| n.has_tag_name("Characteristic"))
        .enumerate()
    {
        let name = c.attribute("name").unwrap_or("").to_string();
        let at = format!("Characteristic {} ({name})", i + 1);
        let baseline = r
            .number(&at, "baselineScore", c.attribute("baselineScore"))
            .or(model_baseline);
        let uses_reasons = model.attribute("useReasonCodes") != Some("false");
        if baseline.is_none() && uses_reasons && matches!(method, "mean" | "neutral") {
            r.push(
                code::UNSUPPORTED,
                &at,
                format!("baselineMethod {method:?} without a baselineScore: give the baseline"),
            );
        }
        let min_baseline = baseline.is_none() && method == "min";
        let mut field = None;
        let mut attributes = Vec::new();
        for (j, a) in c
            .children()
            .filter(|n| n.has_tag_name("Attribute"))
            .enumerate()
        {
            let aat = format!("{at} / Attribute {}", j + 1);
            if a.children().any(|n| n.has_tag_name("ComplexPartialScore")) {
                r.push(code::UNSUPPORTED, &aat, "ComplexPartialScore (points by an expression) is not supported: give partialScore");
                continue;
            }
            let points = match a.attribute("partialScore") {
                Some(s) => r.number(&aat, "partialScore", Some(s)),
                None => {
                    r.push(code::NUMBER, &aat, "no partialScore");
                    None
                }
            };
            let Some(p) = a
                .children()
                .find(|n| n.is_element() && n.tag_name().name() != "Extension")
            else {
                r.push(code::PREDICATE, &aat, "no predicate");
                continue;
            };
            let test = r.predicate(&format!("{aat} / {}", p.tag_name().name()), p, &mut field);
            if let (Some(test), Some(points)) = (test, points) {
                attributes.push(Attribute {
                    test,
                    points,
                    label: label_of(p),
                    reason: a.attribute("reasonCode").map(str::to_string),
                });
            }
        }
        let (field, numeric) = field.unwrap_or((name.clone(), false));
        let baseline = if min_baseline {
            attributes.iter().map(|a| a.points).min()
        } else {
            baseline
        };
        characteristics.push(Characteristic {
            name,
            field,
            numeric,
            baseline,
            reason: c.attribute("reasonCode").map(str::to_string),
            attributes,
        });
    }
    if characteristics.is_empty() && r.problems.is_empty() {
        r.push(code::MODEL, "Scorecard", "no Characteristic");
    }
    if r.problems.is_empty() {
        Ok(AdditiveCard {
            base,
            characteristics,
        })
    } else {
        Err(r.problems)
    }
}

/// A short text of a predicate, for explanations (`age >= 26 and age < 28`).
fn label_of(n: Node) -> String {
    match n.tag_name().name() {
        "True" => "any".into(),
        "False" => "none".into(),
        "SimplePredicate" => format!(
            "{} {} {}",
            n.attribute("field").unwrap_or(""),
            n.attribute("operator").unwrap_or(""),
            n.attribute("value").unwrap_or("")
        )
        .trim_end()
        .to_string(),
        "SimpleSetPredicate" => format!(
            "{} {} [{}]",
            n.attribute("field").unwrap_or(""),
            n.attribute("booleanOperator").unwrap_or(""),
            n.children()
                .find(|c| c.has_tag_name("Array"))
                .and_then(|a| a.text())
                .unwrap_or("")
                .trim()
        ),
        "CompoundPredicate" => n
            .children()
            .filter(|c| c.is_element())
            .map(label_of)
            .collect::<Vec<_>>()
            .join(&format!(
                " {} ",
                n.attribute("booleanOperator").unwrap_or("")
            )),
        other => other.to_string(),
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Kept as they are when read back (an attribute's raw tab or new line reads as a
            // space).
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A value in an `Array`: in double quotes when it holds a space, a quote or a backslash (a
/// quote and a backslash then escaped by a backslash).
fn array_value(s: &str) -> String {
    if s.is_empty() || s.contains(char::is_whitespace) || s.contains(['"', '\\']) {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        s.to_string()
    }
}

/// A `SimpleSetPredicate` of categories (`f` escaped already).
fn set_xml(f: &str, op: &str, values: &[String]) -> String {
    let array: Vec<String> = values.iter().map(|v| array_value(v)).collect();
    format!(
        r#"<SimpleSetPredicate field="{f}" booleanOperator="{op}"><Array n="{}" type="string">{}</Array></SimpleSetPredicate>"#,
        values.len(),
        esc(&array.join(" "))
    )
}

fn predicate_xml(field: &str, t: &Test) -> String {
    let f = esc(field);
    let simple = |op: &str, v: Micro| {
        format!(r#"<SimplePredicate field="{f}" operator="{op}" value="{v}"/>"#)
    };
    match t {
        Test::Always => "<True/>".into(),
        Test::Never => "<False/>".into(),
        Test::Missing => format!(r#"<SimplePredicate field="{f}" operator="isMissing"/>"#),
        Test::Other => format!(r#"<SimplePredicate field="{f}" operator="isNotMissing"/>"#),
        Test::Range { low, high } => {
            let lo = low.map(|e| {
                simple(
                    if e.closed {
                        "greaterOrEqual"
                    } else {
                        "greaterThan"
                    },
                    e.at,
                )
            });
            let hi = high.map(|e| simple(if e.closed { "lessOrEqual" } else { "lessThan" }, e.at));
            match (lo, hi) {
                (Some(a), Some(b)) => {
                    format!(
                        r#"<CompoundPredicate booleanOperator="and">{a}{b}</CompoundPredicate>"#
                    )
                }
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => {
                    format!(r#"<SimplePredicate field="{f}" operator="isNotMissing"/>"#)
                }
            }
        }
        Test::Among { values, missing } => {
            let set = set_xml(&f, "isIn", values);
            if *missing {
                format!(
                    r#"<CompoundPredicate booleanOperator="or">{set}<SimplePredicate field="{f}" operator="isMissing"/></CompoundPredicate>"#
                )
            } else {
                set
            }
        }
        Test::Not(t) => match t.as_ref() {
            Test::Missing => format!(r#"<SimplePredicate field="{f}" operator="isNotMissing"/>"#),
            // Neither the categories nor missing: not among them, and present.
            Test::Among {
                values,
                missing: true,
            } => predicate_xml(
                field,
                &Test::All(vec![
                    Test::Not(Box::new(Test::Among {
                        values: values.clone(),
                        missing: false,
                    })),
                    Test::Not(Box::new(Test::Missing)),
                ]),
            ),
            // PMML has no negation element: a negated test is written through its parts.
            Test::Among {
                values,
                missing: false,
            } => set_xml(&f, "isNotIn", values),
            Test::Range { low, high } => {
                let below =
                    low.map(|e| simple(if e.closed { "lessThan" } else { "lessOrEqual" }, e.at));
                let above = high.map(|e| {
                    simple(
                        if e.closed {
                            "greaterThan"
                        } else {
                            "greaterOrEqual"
                        },
                        e.at,
                    )
                });
                match (below, above) {
                    (Some(a), Some(b)) => {
                        format!(
                            r#"<CompoundPredicate booleanOperator="or">{a}{b}</CompoundPredicate>"#
                        )
                    }
                    (Some(a), None) | (None, Some(a)) => a,
                    (None, None) => "<False/>".into(),
                }
            }
            other => predicate_xml(field, &negate(other)),
        },
        Test::All(ts) => format!(
            r#"<CompoundPredicate booleanOperator="and">{}</CompoundPredicate>"#,
            ts.iter()
                .map(|t| predicate_xml(field, t))
                .collect::<String>()
        ),
        Test::Any(ts) => format!(
            r#"<CompoundPredicate booleanOperator="or">{}</CompoundPredicate>"#,
            ts.iter()
                .map(|t| predicate_xml(field, t))
                .collect::<String>()
        ),
    }
}

/// The negation pushed inwards (De Morgan), for the tests PMML cannot negate as they are.
fn negate(t: &Test) -> Test {
    match t {
        Test::Always => Test::Never,
        Test::Never => Test::Always,
        Test::Not(t) => (**t).clone(),
        Test::All(ts) => Test::Any(ts.iter().map(|t| Test::Not(Box::new(t.clone()))).collect()),
        Test::Any(ts) => Test::All(ts.iter().map(|t| Test::Not(Box::new(t.clone()))).collect()),
        Test::Other => Test::Missing,
        other => Test::Not(Box::new(other.clone())),
    }
}

/// Writes a card as a PMML 4.4 document with one `Scorecard` (`modelName` = `name`).
pub fn to_pmml(card: &AdditiveCard, name: &str) -> String {
    let mut out = String::new();
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    out.push('\n');
    out.push_str(r#"<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">"#);
    out.push_str("\n  <Header description=\"Written by CreditDesk\"/>\n  <DataDictionary>\n");
    let fields: Vec<(&str, bool)> = card
        .fields()
        .into_iter()
        .map(|f| {
            let numeric = card
                .characteristics
                .iter()
                .any(|c| c.field == f && c.numeric);
            (f, numeric)
        })
        .collect();
    for (f, numeric) in &fields {
        out.push_str(&format!(
            "    <DataField name=\"{}\" optype=\"{}\" dataType=\"{}\"/>\n",
            esc(f),
            if *numeric {
                "continuous"
            } else {
                "categorical"
            },
            if *numeric { "double" } else { "string" }
        ));
    }
    let reasons = card
        .characteristics
        .iter()
        .any(|c| c.reason.is_some() || c.attributes.iter().any(|a| a.reason.is_some()));
    out.push_str("  </DataDictionary>\n");
    out.push_str(&format!(
        "  <Scorecard modelName=\"{}\" functionName=\"regression\" initialScore=\"{}\" useReasonCodes=\"{reasons}\">\n    <MiningSchema>\n",
        esc(name),
        card.base
    ));
    for (f, _) in &fields {
        out.push_str(&format!(
            "      <MiningField name=\"{}\" usageType=\"active\" invalidValueTreatment=\"asMissing\"/>\n",
            esc(f)
        ));
    }
    out.push_str("    </MiningSchema>\n    <Characteristics>\n");
    for c in &card.characteristics {
        out.push_str(&format!("      <Characteristic name=\"{}\"", esc(&c.name)));
        if let Some(b) = c.baseline {
            out.push_str(&format!(" baselineScore=\"{b}\""));
        }
        if let Some(rc) = &c.reason {
            out.push_str(&format!(" reasonCode=\"{}\"", esc(rc)));
        }
        out.push_str(">\n");
        for a in &c.attributes {
            out.push_str(&format!("        <Attribute partialScore=\"{}\"", a.points));
            if let Some(rc) = &a.reason {
                out.push_str(&format!(" reasonCode=\"{}\"", esc(rc)));
            }
            out.push('>');
            out.push_str(&predicate_xml(&c.field, &a.test));
            out.push_str("</Attribute>\n");
        }
        out.push_str("      </Characteristic>\n");
    }
    out.push_str("    </Characteristics>\n  </Scorecard>\n</PMML>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rating::additive::Value;
    use std::collections::BTreeMap;

    const DOC: &str = r#"<?xml version="1.0"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="age" optype="continuous" dataType="double"/>
    <DataField name="segment" optype="categorical" dataType="string"/>
  </DataDictionary>
  <Scorecard functionName="regression" initialScore="600.5" useReasonCodes="true" reasonCodeAlgorithm="pointsBelow" baselineMethod="other">
    <MiningSchema><MiningField name="age"/><MiningField name="segment"/></MiningSchema>
    <Characteristics>
      <Characteristic name="age_score" baselineScore="20" reasonCode="RC-AGE">
        <Attribute partialScore="-12.25"><SimplePredicate field="age" operator="isMissing"/></Attribute>
        <Attribute partialScore="-8"><SimplePredicate field="age" operator="lessThan" value="26"/></Attribute>
        <Attribute partialScore="10"><CompoundPredicate booleanOperator="and">
          <SimplePredicate field="age" operator="greaterOrEqual" value="26"/>
          <SimplePredicate field="age" operator="lessThan" value="35"/></CompoundPredicate></Attribute>
        <Attribute partialScore="25"><True/></Attribute>
      </Characteristic>
      <Characteristic name="segment_score" baselineScore="0">
        <Attribute partialScore="15" reasonCode="RC-SEG"><SimpleSetPredicate field="segment" booleanOperator="isIn"><Array n="2" type="string">retail "big box"</Array></SimpleSetPredicate></Attribute>
        <Attribute partialScore="-5"><SimplePredicate field="segment" operator="isNotMissing"/></Attribute>
        <Attribute partialScore="0"><SimplePredicate field="segment" operator="isMissing"/></Attribute>
      </Characteristic>
    </Characteristics>
  </Scorecard>
</PMML>"#;

    fn score(card: &AdditiveCard, age: Option<&str>, segment: Option<&str>) -> String {
        let mut v = BTreeMap::new();
        if let Some(a) = age {
            v.insert("age".to_string(), Value::Number(Micro::parse(a).unwrap()));
        }
        if let Some(s) = segment {
            v.insert("segment".to_string(), Value::Text(s.to_string()));
        }
        card.score(&v).unwrap().total.to_string()
    }

    #[test]
    fn a_pmml_scorecard_reads_with_its_predicates_and_reason_codes() {
        let card = from_pmml(DOC).unwrap();
        assert_eq!(card.base.to_string(), "600.5");
        assert_eq!(card.fields(), ["age", "segment"]);
        assert_eq!(card.characteristics[0].reason.as_deref(), Some("RC-AGE"));
        assert_eq!(
            card.characteristics[1].attributes[0].reason.as_deref(),
            Some("RC-SEG")
        );
        assert_eq!(score(&card, Some("25.9"), Some("big box")), "607.5");
        assert_eq!(score(&card, Some("26"), Some("online")), "605.5");
        assert_eq!(score(&card, None, None), "588.25");
        assert_eq!(score(&card, Some("70"), None), "625.5");
    }

    #[test]
    fn a_written_card_reads_back_and_scores_the_same() {
        let card = from_pmml(DOC).unwrap();
        let again = from_pmml(&to_pmml(&card, "test")).unwrap();
        for (age, seg) in [
            (Some("25.9"), Some("big box")),
            (Some("26"), Some("online")),
            (None, None),
            (Some("70"), Some("retail")),
        ] {
            assert_eq!(
                score(&again, age, seg),
                score(&card, age, seg),
                "{age:?} {seg:?}"
            );
        }
    }

    #[test]
    fn categories_with_spaces_quotes_and_backslashes_survive_a_round_trip() {
        let odd = ["a b\\", "say \"hi\"", "C:\\dir", "", "tab\there", "<&>"];
        let card = AdditiveCard {
            base: Micro(0),
            characteristics: vec![Characteristic {
                name: "odd".into(),
                field: "odd field".into(),
                numeric: false,
                baseline: None,
                reason: None,
                attributes: vec![Attribute {
                    test: Test::Among {
                        values: odd.iter().map(|s| s.to_string()).collect(),
                        missing: false,
                    },
                    points: Micro(1_000_000),
                    label: String::new(),
                    reason: None,
                }],
            }],
        };
        let again = from_pmml(&to_pmml(&card, "odd")).unwrap();
        assert_eq!(
            again.characteristics[0].attributes[0].test,
            card.characteristics[0].attributes[0].test
        );
    }

    #[test]
    fn what_creditdesk_does_not_compute_is_refused_with_its_place_all_at_once() {
        let doc = DOC
            .replace(
                r#"<Attribute partialScore="-8">"#,
                r#"<Attribute><ComplexPartialScore><FieldRef field="age"/></ComplexPartialScore>"#,
            )
            .replace(r#"initialScore="600.5""#, r#"initialScore="lots""#)
            .replace(r#"booleanOperator="and">"#, r#"booleanOperator="xor">"#)
            .replace(
                r#"field="segment" operator="isNotMissing""#,
                r#"field="region" operator="isNotMissing""#,
            );
        let got: Vec<String> = from_pmml(&doc)
            .unwrap_err()
            .iter()
            .map(|p| format!("{} {}", p.code, p.at))
            .collect();
        assert_eq!(
            got,
            [
                "PMML-NUMBER Scorecard",
                "PMML-UNSUPPORTED Characteristic 1 (age_score) / Attribute 2",
                "PMML-UNSUPPORTED Characteristic 1 (age_score) / Attribute 3 / CompoundPredicate",
                "PMML-FIELD Characteristic 2 (segment_score) / Attribute 2 / SimplePredicate",
            ]
        );
        let derived = DOC.replace(
            "<DataDictionary>",
            r#"<TransformationDictionary><DerivedField name="x" optype="continuous"/></TransformationDictionary><DataDictionary>"#,
        );
        assert_eq!(from_pmml(&derived).unwrap_err()[0].code, code::UNSUPPORTED);
        let tree = r#"<PMML version="4.4"><DataDictionary/><TreeModel functionName="classification"/></PMML>"#;
        assert_eq!(
            from_pmml(tree).unwrap_err()[0].detail,
            "the document holds a TreeModel, not a Scorecard"
        );
        assert_eq!(from_pmml("<PMML").unwrap_err()[0].code, code::XML);
    }

    #[test]
    fn baselines_come_from_the_characteristic_the_scorecard_or_its_method_and_points_above_is_refused(
    ) {
        // The scorecard's baseline for a characteristic without its own.
        let doc = DOC.replace(r#"baselineScore="0">"#, ">").replace(
            r#"baselineMethod="other">"#,
            r#"baselineMethod="other" baselineScore="7">"#,
        );
        let card = from_pmml(&doc).unwrap();
        let b: Vec<Option<String>> = card
            .characteristics
            .iter()
            .map(|c| c.baseline.map(|b| b.display()))
            .collect();
        assert_eq!(b, [Some("20".to_string()), Some("7".to_string())]);
        // "min": the characteristic's lowest points.
        let min = DOC
            .replace(r#"baselineScore="0">"#, ">")
            .replace(r#"baselineMethod="other""#, r#"baselineMethod="min""#);
        let card = from_pmml(&min).unwrap();
        assert_eq!(card.characteristics[1].baseline, Some(Micro(-5_000_000)));
        // "mean" without a baseline, and points above: refused, both at once.
        let mean = DOC
            .replace(r#"baselineScore="0">"#, ">")
            .replace(r#"baselineMethod="other""#, r#"baselineMethod="mean""#)
            .replace("pointsBelow", "pointsAbove");
        let got: Vec<String> = from_pmml(&mean)
            .unwrap_err()
            .iter()
            .map(|p| format!("{} {}", p.code, p.at))
            .collect();
        assert_eq!(
            got,
            [
                "PMML-UNSUPPORTED Scorecard",
                "PMML-UNSUPPORTED Characteristic 2 (segment_score)"
            ]
        );
    }
}
