//! Internally tagged enums (`{"type": "record_payment", "id": ..., ...}`) read without a buffer.
//!
//! serde's derive of `#[serde(tag = "...")]` reads the whole value into its private `Content`
//! tree and then the variant from that tree, so every type inside such an enum is compiled once
//! more, for that tree: for the commands, the sync's replies and the ledger's fixes that was
//! about 0.3 MB of the browser's wasm (measured with twiggy, 2026-12-06).
//!
//! Here the enum keeps its derived `Serialize` (which writes the tag first) and reads through a
//! twin: a `#[serde(remote = "...")]` copy of it without the tag attribute, whose derived
//! deserializer takes the externally tagged form. [`tagged_enum!`](crate::tagged_enum) declares
//! both from one list of variants. [`deserialize`] reads the first key; when it is
//! the tag, the rest of the same map is handed to the twin as the variant's fields, read in
//! place. When the tag comes later (canonical JSON, as the outbox keeps a command, sorts its keys),
//! each member is kept as its text (no tree of values), and the value is read again from those
//! texts put together with the tag first.
//!
//! A tag given twice is refused, as the derive refuses it. What differs from the derive: the form
//! of a sequence (`["record_payment", ...]`), which nothing writes, is not read.

use serde::de::value::{EnumAccessDeserializer, MapAccessDeserializer, StringDeserializer};
use serde::de::{
    Deserialize, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, Error, IgnoredAny,
    MapAccess, VariantAccess, Visitor,
};
use serde_json::value::RawValue;
use std::fmt;
use std::marker::PhantomData;

/// An enum written with its tag inside (`#[serde(tag = "...")]`) that reads through its twin.
pub trait Tagged: Sized {
    /// The tag's key.
    const TAG: &'static str;
    /// What the value is, for a message ("a command").
    const EXPECTING: &'static str;
    /// Reads the externally tagged form: the twin's derived deserializer.
    fn external<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

/// Declares an internally tagged enum and the twin it reads through, from one list of variants
/// (so that the two cannot drift apart): the enum as written, with
/// `#[serde(tag = $tag, rename_all = "snake_case")]` added; a private `#[serde(remote)]` twin
/// with the same variants, fields and attributes; and its [`Tagged`] and `Deserialize` impls.
/// `name` is the enum's name as text, for serde's `remote`. Variants are unit, struct or newtype
/// variants. The enum's own derives must include `Serialize` and not `Deserialize`. Serde
/// attributes of the enum itself (before `enum`) are not given to the twin: only the variants'
/// and fields' are, so the enum takes none beyond the `tag` and `rename_all` given here. The
/// crate that uses it names `serde` as a dependency (serde's derive needs it).
#[macro_export]
macro_rules! tagged_enum {
    (
        tag = $tag:literal, name = $remote:literal, twin = $twin:ident, expecting = $expecting:literal;
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident
                $( { $( $(#[$fmeta:meta])* $field:ident : $fty:ty ),* $(,)? } )?
                $( ( $inner:ty ) )?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[serde(tag = $tag, rename_all = "snake_case")]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                $variant
                $( { $( $(#[$fmeta])* $field : $fty ),* } )?
                $( ( $inner ) )?
            ),*
        }

        #[derive(serde::Deserialize)]
        #[serde(remote = $remote, rename_all = "snake_case")]
        #[allow(clippy::large_enum_variant)] // never made: only its derived reader is used
        enum $twin {
            $(
                $(#[$vmeta])*
                $variant
                $( { $( $(#[$fmeta])* $field : $fty ),* } )?
                $( ( $inner ) )?
            ),*
        }

        impl $crate::tagged::Tagged for $name {
            const TAG: &'static str = $tag;
            const EXPECTING: &'static str = $expecting;
            fn external<'de, D: serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $twin::deserialize(d)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::tagged::deserialize(d)
            }
        }
    };
}

/// Reads an internally tagged enum: the body of its `Deserialize` impl.
pub fn deserialize<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Tagged + DeserializeOwned,
{
    d.deserialize_map(TagVisitor(PhantomData))
}

struct TagVisitor<T>(PhantomData<T>);

impl<'de, T: Tagged + DeserializeOwned> Visitor<'de> for TagVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Err(A::Error::missing_field(T::TAG));
        };
        if key == T::TAG {
            let variant: String = map.next_value()?;
            return T::external(EnumAccessDeserializer::new(Variant {
                variant,
                map,
                tag: T::TAG,
            }));
        }
        // The tag is further on (canonical JSON sorts its keys, so "type" mostly comes late):
        // keep every member as its text, and read them again from a text with the tag first.
        let mut members: Vec<(String, Box<RawValue>)> = vec![(key, map.next_value()?)];
        while let Some(entry) = map.next_entry()? {
            members.push(entry);
        }
        let Some(at) = members.iter().position(|(k, _)| k == T::TAG) else {
            return Err(A::Error::missing_field(T::TAG));
        };
        if members[at + 1..].iter().any(|(k, _)| k == T::TAG) {
            return Err(A::Error::duplicate_field(T::TAG));
        }
        let tag = members.remove(at);
        let size: usize = members
            .iter()
            .map(|(k, v)| k.len() + v.get().len() + 4)
            .sum();
        let mut text = String::with_capacity(size + tag.1.get().len() + 16);
        for (k, v) in std::iter::once(&tag).chain(&members) {
            text.push(if text.is_empty() { '{' } else { ',' });
            text.push_str(&serde_json::to_string(k).map_err(A::Error::custom)?);
            text.push(':');
            text.push_str(v.get());
        }
        text.push('}');
        serde_json::from_str(&text).map_err(|e| {
            // Said without the place in the rewritten text: the reader adds its own.
            let said = e.to_string();
            let said = match said.rsplit_once(" at line ") {
                Some((what, _)) if e.line() > 0 => what.to_string(),
                _ => said,
            };
            A::Error::custom(said)
        })
    }
}

/// The variant named by the tag, with the rest of the map as its fields.
struct Variant<A> {
    variant: String,
    map: A,
    tag: &'static str,
}

impl<'de, A: MapAccess<'de>> EnumAccess<'de> for Variant<A> {
    type Error = A::Error;
    type Variant = Fields<A>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Fields<A>), A::Error> {
        let name = seed.deserialize(StringDeserializer::<A::Error>::new(self.variant))?;
        Ok((name, Fields(self.map, self.tag)))
    }
}

struct Fields<A>(A, &'static str);

impl<'de, A: MapAccess<'de>> VariantAccess<'de> for Fields<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        let mut rest = NoTag(self.0, self.1);
        while rest.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        seed.deserialize(MapAccessDeserializer::new(NoTag(self.0, self.1)))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _v: V) -> Result<V::Value, A::Error> {
        Err(A::Error::custom(
            "a tuple variant cannot be written with its tag inside",
        ))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_map(NoTag(self.0, self.1))
    }
}

/// The fields after the tag, with the tag refused if it comes again.
struct NoTag<A>(A, &'static str);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for NoTag<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(KeyNotTag(seed, self.1))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.0.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// A field's key, read as text and refused when it is the tag; otherwise handed on.
struct KeyNotTag<K>(K, &'static str);

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for KeyNotTag<K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<K::Value, D::Error> {
        let key = String::deserialize(d)?;
        if key == self.1 {
            return Err(D::Error::duplicate_field(self.1));
        }
        self.0.deserialize(StringDeserializer::<D::Error>::new(key))
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    // Declared as the app's enums are: unit, struct and newtype variants.
    crate::tagged_enum! {
        tag = "type", name = "Shape", twin = ShapeDef, expecting = "a shape";
        #[derive(Debug, PartialEq, Serialize)]
        enum Shape {
            Circle {
                r: u32,
                #[serde(default)]
                label: String,
            },
            Boxed(Inner),
            Empty,
        }
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Inner {
        w: u32,
        h: Vec<u32>,
    }

    /// The derive's reading, the oracle.
    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Derived {
        Circle {
            r: u32,
            #[serde(default)]
            label: String,
        },
        Boxed(Inner),
        Empty,
    }

    fn read(text: &str) -> Result<Shape, String> {
        serde_json::from_str::<Shape>(text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_value_reads_as_the_derive_reads_it_wherever_its_tag_is() {
        let check = |text: &str, expected: Shape| {
            assert_eq!(read(text), Ok(expected), "{text}");
            // The derive reads the same text the same way (compared through the written form).
            let derived = serde_json::from_str::<Derived>(text).unwrap();
            assert_eq!(
                format!("{derived:?}"),
                format!("{:?}", read(text).unwrap()),
                "{text}"
            );
        };
        let circle = |r, label: &str| Shape::Circle {
            r,
            label: label.into(),
        };
        check(r#"{"type":"circle","r":3}"#, circle(3, ""));
        check(r#"{"r":3,"type":"circle","label":"x"}"#, circle(3, "x"));
        check(r#"{"label":"x","r":3,"type":"circle"}"#, circle(3, "x"));
        check(
            r#"{"type":"circle","r":3,"extra":[1,{"a":2}]}"#,
            circle(3, ""),
        );
        check(r#"{"extra":null,"type":"circle","r":3}"#, circle(3, ""));
        let boxed = Shape::Boxed(Inner {
            w: 2,
            h: vec![1, 2],
        });
        check(r#"{"type":"boxed","w":2,"h":[1,2]}"#, boxed);
        let boxed = Shape::Boxed(Inner {
            w: 2,
            h: vec![1, 2],
        });
        check(r#"{"h":[1,2],"w":2,"type":"boxed"}"#, boxed);
        check(r#"{"type":"empty"}"#, Shape::Empty);
        check(r#"{"type":"empty","r":{"deep":[1]}}"#, Shape::Empty);
        check(r#"{"r":1,"type":"empty"}"#, Shape::Empty);
        check(r#"{"a\"b\u00e9":[],"r":2,"type":"circle"}"#, circle(2, ""));
        check(" { \"r\" : 2 ,\n \"type\" : \"circle\" } ", circle(2, ""));
    }

    #[test]
    fn a_tree_of_values_reads_as_its_text_does() {
        // A tree's keys are sorted: its tag comes after "r".
        let tree = serde_json::json!({"type": "circle", "r": 4, "label": "q"});
        let expected = Shape::Circle {
            r: 4,
            label: "q".into(),
        };
        assert_eq!(Shape::deserialize(&tree).unwrap(), expected);
        assert_eq!(Shape::deserialize(tree).unwrap(), expected);
    }

    #[test]
    fn what_it_writes_reads_back() {
        for shape in [
            Shape::Circle {
                r: 1,
                label: "a \"b\"".into(),
            },
            Shape::Boxed(Inner { w: 0, h: vec![] }),
            Shape::Empty,
        ] {
            let text = serde_json::to_string(&shape).unwrap();
            assert_eq!(read(&text), Ok(shape));
            let tree = serde_json::to_value(read(&text).unwrap()).unwrap();
            assert_eq!(Shape::deserialize(&tree).unwrap(), read(&text).unwrap());
        }
    }

    #[test]
    fn a_value_the_derive_refuses_is_refused_with_what_is_wrong() {
        let check = |text: &str, says: &str| {
            let e = read(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
            assert!(serde_json::from_str::<Derived>(text).is_err(), "{text}");
        };
        check(r#"{}"#, "missing field `type`");
        check(r#"{"r":1}"#, "missing field `type`");
        check(r#"{"type":"square","r":1}"#, "unknown variant `square`");
        check(r#"{"r":1,"type":"square"}"#, "unknown variant `square`");
        check(r#"{"type":"circle"}"#, "missing field `r`");
        check(r#"{"type":"circle","r":"3"}"#, "invalid type: string \"3\"");
        check(r#"{"type":7,"r":1}"#, "invalid type: integer `7`");
        check(r#"{"type":"boxed","w":1}"#, "missing field `h`");
        check(r#"[1,2]"#, "invalid type: sequence, expected a shape");
        check(r#""circle""#, "expected a shape");
        check(r#"{"type":"circle","r":1"#, "EOF");
        check(r#"{"r":1,"type":"circle""#, "EOF");
        check(r#"{"r":1,"type":"circle",}"#, "trailing comma");
        // A tag given twice, wherever it comes.
        check(
            r#"{"type":"circle","r":1,"type":"circle"}"#,
            "duplicate field `type`",
        );
        check(
            r#"{"type":"circle","type":"empty","r":1}"#,
            "duplicate field `type`",
        );
        check(
            r#"{"r":1,"type":"circle","type":"empty"}"#,
            "duplicate field `type`",
        );
        check(
            r#"{"type":"empty","type":"empty"}"#,
            "duplicate field `type`",
        );
        check(
            r#"{"type":"boxed","w":1,"h":[],"type":"boxed"}"#,
            "duplicate field `type`",
        );
        check(
            r#"{"type":"circle","typ\u0065":"empty","r":1}"#,
            "duplicate field `type`",
        );
    }

    #[test]
    fn a_refusal_after_the_tag_names_one_place_in_the_text_read() {
        // The place is the end of the value (its members are read once it is whole).
        let e = read(r#"{"r":"3","type":"circle"}"#).unwrap_err();
        assert_eq!(
            e,
            "invalid type: string \"3\", expected u32 at line 1 column 25"
        );
        let e = read(r#"{"r":3,"type":"square"}"#).unwrap_err();
        assert!(e.starts_with("unknown variant `square`"), "{e}");
        assert_eq!(e.matches(" at line ").count(), 1, "{e}");
    }
}
