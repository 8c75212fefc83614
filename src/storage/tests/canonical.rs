//! Canonical JSON written straight from values, and the check that lets a canonical text be
//! copied as it is.

use creditdesk_storage::canonical::{canonical, is_canonical, to_string, Check};
use proptest::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};

// Fields declared out of order on purpose: the text must sort them.
#[derive(Serialize, Debug, Clone)]
struct Row {
    zeta: String,
    alpha: i64,
    mid: Option<f64>,
    inner: Vec<Inner>,
    kind: Kind,
    tagged: Tagged,
    tags: BTreeMap<String, u32>,
    numbered: HashMap<i32, bool>,
    small: f32,
    wide: u128,
    unit: (),
    pair: (u8, String),
    flat: Flat,
    #[serde(skip_serializing_if = "Option::is_none")]
    maybe: Option<String>,
    raw: Box<RawValue>,
}

#[derive(Serialize, Debug, Clone)]
struct Inner {
    y: i32,
    b: bool,
    #[serde(rename = "Ä")]
    umlaut: u8,
}

#[derive(Serialize, Debug, Clone)]
enum Kind {
    Unit,
    New(String),
    Tup(i32, String),
    Fields { y: u8, a: Vec<u8> },
}

#[derive(Serialize, Debug, Clone)]
#[serde(tag = "type")]
enum Tagged {
    Zed { z: i32, a: String },
    Ace { m: bool },
}

// A flattened map may repeat the struct's own key: the tree keeps the last.
#[derive(Serialize, Debug, Clone)]
struct Flat {
    z: i32,
    #[serde(flatten)]
    extra: BTreeMap<String, i32>,
}

fn text() -> impl Strategy<Value = String> {
    prop::string::string_regex("[a-zA-Z\"\\\\/\u{0}-\u{1f}\u{7f}é中😀 {}:,]{0,8}").unwrap()
}

fn inner() -> impl Strategy<Value = Inner> {
    (any::<i32>(), any::<bool>(), any::<u8>()).prop_map(|(y, b, umlaut)| Inner { y, b, umlaut })
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Unit),
        text().prop_map(Kind::New),
        (any::<i32>(), text()).prop_map(|(a, b)| Kind::Tup(a, b)),
        (any::<u8>(), prop::collection::vec(any::<u8>(), 0..4))
            .prop_map(|(y, a)| Kind::Fields { y, a }),
    ]
}

fn tagged() -> impl Strategy<Value = Tagged> {
    prop_oneof![
        (any::<i32>(), text()).prop_map(|(z, a)| Tagged::Zed { z, a }),
        any::<bool>().prop_map(|m| Tagged::Ace { m }),
    ]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(1e21),
        Just(0.1),
        Just(-0.0),
        (-1_000_000i64..1_000_000).prop_map(|c| c as f64 / 100.0),
    ]
}

fn row() -> impl Strategy<Value = Row> {
    (
        (text(), any::<i64>(), prop::option::of(float())),
        prop::collection::vec(inner(), 0..3),
        (kind(), tagged()),
        prop::collection::btree_map(text(), any::<u32>(), 0..4),
        prop::collection::hash_map(any::<i32>(), any::<bool>(), 0..4),
        (any::<f32>(), any::<u128>(), any::<u8>(), text()),
        (
            any::<i32>(),
            prop::collection::btree_map(
                prop_oneof![Just("z".to_string()), text()],
                any::<i32>(),
                0..3,
            ),
        ),
        prop::option::of(text()),
    )
        .prop_map(
            |(
                (zeta, alpha, mid),
                inner,
                (kind, tagged),
                tags,
                numbered,
                (small, wide, p, q),
                (z, extra),
                maybe,
            )| {
                // A raw value whose own text is out of order, as a struct writes it.
                let raw = RawValue::from_string(
                    serde_json::to_string(&Inner {
                        y: alpha as i32,
                        b: true,
                        umlaut: p,
                    })
                    .unwrap(),
                )
                .unwrap();
                Row {
                    zeta,
                    alpha,
                    mid,
                    inner,
                    kind,
                    tagged,
                    tags,
                    numbered,
                    small,
                    wide,
                    unit: (),
                    pair: (p, q),
                    flat: Flat { z, extra },
                    maybe,
                    raw,
                }
            },
        )
}

/// The verdict of a [`Check`] made `piece` bytes a step, and how many steps it took.
fn pieced(text: &str, piece: usize) -> (bool, usize) {
    let mut check = Check::new(text);
    let mut steps = 1;
    loop {
        if let Some(verdict) = check.step(piece) {
            return (verdict, steps);
        }
        steps += 1;
        assert!(steps <= text.len() + 1, "a step reads at least a byte");
    }
}

proptest! {
    #[test]
    fn a_check_in_pieces_of_any_size_gives_the_verdict_of_one_pass(
        rows in prop::collection::vec(row(), 0..3),
        piece in 1usize..40,
    ) {
        for text in [serde_json::to_string(&rows), to_string(&rows)].into_iter().flatten() {
            let (verdict, steps) = pieced(&text, piece);
            prop_assert_eq!(verdict, is_canonical(&text), "{} in pieces of {}", text, piece);
            if verdict {
                // Read to the end, a piece a step (a string is read to its end at once).
                prop_assert!(steps <= text.len().div_ceil(piece).max(1), "{} steps", steps);
            }
        }
    }

    #[test]
    fn canonical_text_is_the_tree_of_values_text(rows in prop::collection::vec(row(), 0..3)) {
        let tree = serde_json::to_value(&rows);
        let direct = to_string(&rows);
        match (tree, direct) {
            (Ok(tree), Ok(direct)) => {
                let tree = tree.to_string();
                prop_assert_eq!(&direct, &tree);
                prop_assert!(is_canonical(&direct), "canonical text not recognised: {}", direct);
                // The text as a struct writes it becomes the same canonical text.
                let declared = serde_json::to_string(&rows).unwrap();
                let again = canonical(&declared).into_owned();
                prop_assert_eq!(again, tree);
            }
            // A 128-bit number too wide for JSON's numbers fails both ways.
            (Err(_), Err(_)) => {}
            (tree, direct) => prop_assert!(false, "tree {:?}, direct {:?}", tree.map(|t| t.to_string()), direct),
        }
    }

    #[test]
    fn a_text_said_to_be_canonical_is_its_own_canonical_form(rows in prop::collection::vec(row(), 0..3)) {
        if let Ok(declared) = serde_json::to_string(&rows) {
            if is_canonical(&declared) {
                let tree: serde_json::Value = serde_json::from_str(&declared).unwrap();
                prop_assert_eq!(tree.to_string(), declared);
            }
        }
    }
}

#[test]
fn canonical_texts_are_told_from_the_rest() {
    fn check(text: &str, expected: bool) {
        assert_eq!(is_canonical(text), expected, "{text}");
        for piece in [1, 2, 3, 5, 8] {
            assert_eq!(
                pieced(text, piece).0,
                expected,
                "{text} in pieces of {piece}"
            );
        }
    }
    check(r#"{"a":1,"b":2}"#, true);
    check(r#"{"b":1,"a":2}"#, false);
    check(r#"{"a":1, "b":2}"#, false);
    check("{\"a\":1,\n\"b\":2}", false);
    check(r#"{"a":1,"a":2}"#, false);
    check(r#"{"a":{"z":1},"b":[{"x":2,"y":1}]}"#, true);
    check(r#"{"a":{"z":1},"b":[{"y":1,"x":2}]}"#, false);
    check(r#"{"a":{"z":1,"y":0},"b":2}"#, false);
    check(r#"["b","a"]"#, true);
    check(r#"{"a":"z","b":"a"}"#, true);
    check(r#"{"a":"}{,\"","b":1}"#, true);
    check(r#"{"a\"":1}"#, false);
    check(r#"{"ab":1,"b":2}"#, true);
    check(r#"{"b":1,"ab":2}"#, false);
    check(r#"{"":1,"a":[]}"#, true);
    check(r#"{"a":"x y"}"#, true);
}

#[test]
fn text_that_is_not_json_is_kept_as_it_is() {
    assert_eq!(canonical("not json {"), "not json {");
    assert_eq!(canonical(r#"{"b":1, "a":2}"#), r#"{"a":2,"b":1}"#);
}

#[test]
fn a_repeated_key_keeps_its_last_value_as_the_tree_does() {
    let flat = |extra: &[(&str, i32)]| Flat {
        z: 1,
        extra: extra.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
    };
    for (value, expected) in [
        (flat(&[("z", 2)]), r#"{"z":2}"#),
        (flat(&[("a", 0), ("z", 3)]), r#"{"a":0,"z":3}"#),
        (flat(&[("zz", 4)]), r#"{"z":1,"zz":4}"#),
    ] {
        assert_eq!(to_string(&value).unwrap(), expected);
        assert_eq!(serde_json::to_value(&value).unwrap().to_string(), expected);
    }
}

#[test]
fn map_keys_follow_the_trees_rules_for_every_kind_of_key() {
    use serde::ser::{SerializeMap, Serializer};
    // A map of one key of each kind (f32, Option, u128 and i128 past 64 bits, bool, char).
    struct Keyed<K>(K);
    impl<K: Serialize> Serialize for Keyed<K> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(1))?;
            m.serialize_entry(&self.0, &1)?;
            m.end()
        }
    }
    fn check<K: Serialize>(key: K) {
        let v = Keyed(key);
        let tree = serde_json::to_value(&v).map(|t| t.to_string());
        let direct = to_string(&v);
        match (&tree, &direct) {
            (Ok(t), Ok(d)) => assert_eq!(d, t),
            (Err(_), Err(_)) => {}
            _ => panic!("tree {tree:?}, direct {direct:?}"),
        }
    }
    check(0.1f32);
    check(2.5f64);
    check(Some("a"));
    check(None::<&str>);
    check(u128::MAX);
    check(i128::MIN);
    check(7u128);
    check(true);
    check('x');
    check(-3i8);
    check(());
}

#[test]
fn a_text_that_a_tree_would_write_otherwise_is_not_canonical() {
    for (text, expected) in [
        (r#"{"a":"\"\\\n\t\u001f"}"#, true),
        (r#"{"a":"\u0041"}"#, false),
        // Control characters as serde_json writes them: a short escape where there is one,
        // else `\u00XX` in lower case.
        (r#"{"a":"\u0000\u0007\u000b\u000e\u001a"}"#, true),
        (r#"{"a":"\u000a"}"#, false),
        (r#"{"a":"\u0008"}"#, false),
        (r#"{"a":"\u0009"}"#, false),
        (r#"{"a":"\u000c"}"#, false),
        (r#"{"a":"\u000d"}"#, false),
        (r#"{"a":"\u001F"}"#, false),
        (r#"{"a":"\u000B"}"#, false),
        (r#"{"a":"\/"}"#, false),
        (r#"{"a":1E5}"#, false),
        (r#"{"a":1e+21}"#, true),
        (r#"{"a":-1.5e-7}"#, true),
    ] {
        assert_eq!(is_canonical(text), expected, "{text}");
        assert_eq!(pieced(text, 3).0, expected, "{text} in pieces of 3");
        if expected {
            let tree: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(tree.to_string(), text);
        }
    }
}

#[test]
fn a_payload_holds_its_values_canonical_text_and_is_written_as_that_json() {
    use creditdesk_storage::{OutboxEntry, Payload};
    let value = serde_json::json!({ "b": [1, "x\"y"], "a": { "d": null, "c": 2.5 } });
    let payload = Payload::of(&value);
    assert_eq!(payload.text(), r#"{"a":{"c":2.5,"d":null},"b":[1,"x\"y"]}"#);
    assert_eq!(payload.read::<serde_json::Value>().unwrap(), value);
    let entry = OutboxEntry {
        device: "d".into(),
        entity: "command".into(),
        id: "c1".into(),
        payload,
        updated_at: 1,
        version: 1,
    };
    // Inside a record it is JSON, not a string of JSON; canonical within a canonical record.
    let text = to_string(&entry).unwrap();
    assert_eq!(
        text,
        r#"{"device":"d","entity":"command","id":"c1","payload":{"a":{"c":2.5,"d":null},"b":[1,"x\"y"]},"updated_at":1,"version":1}"#
    );
    assert_eq!(serde_json::to_string(&entry).unwrap(), text);
    assert_eq!(serde_json::from_str::<OutboxEntry>(&text).unwrap(), entry);
}
