//! Canonical JSON, written straight from a value: every object's keys in sorted order, no spaces.
//! The same text as `serde_json::to_value(v)?.to_string()`, without building the tree of values
//! first (an import's command holds 100,000 rows: its tree is millions of nodes). The backup
//! writes its records canonical, so that a restore exported again gives the same bytes; a command
//! stored this way is already canonical, and [`is_canonical`] lets the backup copy it as it is
//! instead of parsing megabytes into a tree to sort them (half a second of a large book's backup).
//!
//! How: each object's members are written as they come, and where their keys came out of order
//! the object's bytes are put in order once it is closed (most structs' fields do come out of
//! order; the copy is of bytes, not values). `canonical_text_is_the_tree_of_values_text` holds
//! this to `to_value` for structs, enums of every shape, maps, floats, raw values and duplicates.

use serde::ser::{self, Error as _, Serialize};
use serde_json::{Error, Value};
use std::borrow::Cow;

/// `value` as canonical JSON: what `serde_json::to_value(value)?.to_string()` writes.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut c = Canon {
        out: Vec::with_capacity(256),
        entries: Vec::new(),
        scratch: Vec::new(),
    };
    value.serialize(&mut c)?;
    Ok(String::from_utf8(c.out).expect("JSON is UTF-8"))
}

/// Canonical JSON written a part at a time, for a value too large to write in one task (an
/// import's command: 100,000 rows, 31 MB, a task of about 200 ms in a browser): each value's
/// canonical text ([`Parts::value`]) and the text between them ([`Parts::text`]: brackets,
/// commas, members' keys), in the order the whole value's canonical text has them.
/// [`crate::Payload::of_parts`] makes a record of it.
pub struct Parts(Canon);

impl Default for Parts {
    fn default() -> Parts {
        Parts(Canon {
            out: Vec::new(),
            entries: Vec::new(),
            scratch: Vec::new(),
        })
    }
}

impl Parts {
    /// Appends `value`'s canonical text.
    pub fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        // On an error the members of an object left open would stay: none are kept.
        let written = value.serialize(&mut self.0);
        self.0.entries.clear();
        written
    }
    /// Appends `text` as it is.
    pub fn text(&mut self, text: &str) {
        self.0.out.extend_from_slice(text.as_bytes());
    }
    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.0.out.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.out.is_empty()
    }
    /// Room for `more` bytes if there is: a hint (a list's rows, estimated from its first),
    /// never a failure.
    pub fn reserve(&mut self, more: usize) {
        let _ = self.0.out.try_reserve(more);
    }
    /// The text written, which is UTF-8 (text in, serde_json's JSON).
    pub(crate) fn into_text(self) -> String {
        String::from_utf8(self.0.out).expect("text and JSON are UTF-8")
    }
}

/// True if `text`, as serde_json writes JSON, is already canonical: no spaces between tokens,
/// every object's keys in strictly ascending order, only the escapes serde_json writes, no `E` in
/// a number. (A number such as `1.50` is not checked: every stored text is serde_json's.) Then
/// `canonical(text) == text` and the text can be copied as it is. One pass over the bytes, no
/// allocation beyond a stack of the open objects' last keys.
pub fn is_canonical(text: &str) -> bool {
    Check::new(text)
        .step(usize::MAX)
        .expect("the whole text is read in one step")
}

/// [`is_canonical`] a piece at a time, for a text of megabytes (an import's command) that a
/// browser's page checks between its other work: each [`Check::step`] reads about as many bytes
/// as it is given, and the verdict is the one [`is_canonical`] gives, however the text is cut.
#[derive(Debug)]
pub struct Check<'t> {
    text: &'t [u8],
    at: CheckAt,
}

/// Where a [`Check`] is in its text, the text handed over at each step ([`CheckAt::step`]): for
/// a text whose owner cannot lend it for the whole check (a backup's reader holds the record in
/// its own buffer, which takes more of the file meanwhile).
#[derive(Debug, Default)]
pub struct CheckAt {
    /// The open arrays and objects.
    stack: Vec<Nest>,
    /// The next byte to read.
    at: usize,
    /// Found, once the text is read or a byte shows it is not canonical.
    verdict: Option<bool>,
}

/// An open array or object: for an object, its last key's span so far and whether the next
/// string in it is a key.
#[derive(Debug)]
struct Nest {
    object: bool,
    last_key: Option<(usize, usize)>,
    key_next: bool,
}

impl<'t> Check<'t> {
    pub fn new(text: &'t str) -> Check<'t> {
        Check {
            text: text.as_bytes(),
            at: CheckAt::default(),
        }
    }

    /// Reads `bytes` more of the text (at least one; a string it is in is read to its end); the
    /// verdict once there is one.
    pub fn step(&mut self, bytes: usize) -> Option<bool> {
        self.at.step(self.text, bytes)
    }
}

impl CheckAt {
    /// [`Check::step`] of `text`, which must be the same text at every step.
    pub fn step(&mut self, text: &[u8], bytes: usize) -> Option<bool> {
        if self.verdict.is_none() {
            self.verdict = self.read(text, self.at.saturating_add(bytes.max(1)));
        }
        self.verdict
    }

    fn read(&mut self, b: &[u8], until: usize) -> Option<bool> {
        let stack = &mut self.stack;
        let mut i = self.at;
        let until = until.min(b.len());
        while i < until {
            match b[i] {
                b'{' | b'[' => stack.push(Nest {
                    object: b[i] == b'{',
                    last_key: None,
                    key_next: b[i] == b'{',
                }),
                b'}' | b']' => {
                    stack.pop();
                }
                b',' => {
                    if let Some(top) = stack.last_mut() {
                        top.key_next = top.object;
                    }
                }
                b'"' => {
                    let start = i + 1;
                    i += 1;
                    let mut escaped = false;
                    while i < b.len() && b[i] != b'"' {
                        if b[i] == b'\\' {
                            // Only the escapes serde_json writes (a tree writes a string again so):
                            // `\u00XX` in lower case, for a control character without a short form.
                            match b.get(i + 1) {
                                Some(b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't') => {}
                                Some(b'u') if b.get(i + 2..i + 6).is_some_and(serde_escape) => {
                                    i += 4;
                                }
                                _ => return Some(false),
                            }
                            escaped = true;
                            i += 1;
                        }
                        i += 1;
                    }
                    if let Some(top) = stack.last_mut().filter(|t| t.key_next) {
                        // A key with an escape compares by its unescaped text: not checked here.
                        if escaped {
                            return Some(false);
                        }
                        if let Some((s, e)) = top.last_key {
                            if b[s..e] >= b[start..i] {
                                return Some(false);
                            }
                        }
                        top.last_key = Some((start, i));
                        top.key_next = false;
                    }
                }
                b' ' | b'\n' | b'\r' | b'\t' => return Some(false),
                // Numbers as serde_json writes them: `1e+21`, never `1E21`.
                b'E' => return Some(false),
                _ => {}
            }
            i += 1;
        }
        self.at = i;
        (i >= b.len()).then_some(true)
    }
}

/// Whether `hex`, the four digits of a `\u` escape, are as serde_json writes them: `00` then a
/// control character in lower-case hex that has no short escape (`\b`, `\t`, `\n`, `\f`, `\r`).
fn serde_escape(hex: &[u8]) -> bool {
    match hex {
        [b'0', b'0', b'0', low] => matches!(low, b'0'..=b'7' | b'b' | b'e' | b'f'),
        [b'0', b'0', b'1', low] => matches!(low, b'0'..=b'9' | b'a'..=b'f'),
        _ => false,
    }
}

/// A text this module wrote ([`to_string`], [`Parts`]), to be serialised as a raw JSON value:
/// written as it is, through serde_json's private raw-value name (what `RawValue` serialises as,
/// which `canonical.rs`'s `a_payload_holds_its_values_canonical_text_and_is_written_as_that_json`
/// would catch changing), not read again (`RawValue::from_string` would parse all of it to
/// check it is JSON), nor copied.
pub(crate) fn raw(text: &str) -> impl Serialize + '_ {
    struct Written<'a>(&'a str);
    impl Serialize for Written<'_> {
        fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use ser::SerializeStruct;
            let mut raw = s.serialize_struct(RAW, 1)?;
            raw.serialize_field(RAW, self.0)?;
            raw.end()
        }
    }
    Written(text)
}

/// `text` canonical: copied when it already is, else parsed and written again (`text` as it is
/// if it is not JSON).
pub fn canonical(text: &str) -> Cow<'_, str> {
    if is_canonical(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        serde_json::from_str::<Value>(text)
            .map(|v| v.to_string())
            .unwrap_or_else(|_| text.to_string()),
    )
}

/// One member of an open object: its key and where `"key":value` lies in `out`.
struct Entry {
    key: Cow<'static, str>,
    start: usize,
    end: usize,
}

struct Canon {
    out: Vec<u8>,
    /// The members of every open object, innermost last.
    entries: Vec<Entry>,
    /// Room to put an object's bytes in order (reused).
    scratch: Vec<u8>,
}

/// An open object: where its members begin in `entries` and in `out`.
#[derive(Clone, Copy)]
struct Open {
    base: usize,
    start: usize,
}

impl Canon {
    fn json<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        serde_json::to_writer(&mut self.out, v)
    }

    /// Written as the tree would write it (floats and 128-bit numbers: rare, and their text is
    /// the tree's own).
    fn via_tree<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let v = serde_json::to_value(v)?;
        self.json(&v)
    }

    /// A raw value's text, written from `start` as a JSON string: put back as its tree writes
    /// it (sorted too).
    #[inline(never)]
    fn raw_from(&mut self, start: usize) -> Result<(), Error> {
        let quoted = self.out.split_off(start);
        let text: String = serde_json::from_slice(&quoted)?;
        let tree: Value = serde_json::from_str(&text)?;
        self.json(&tree)
    }

    fn open(&mut self) -> Open {
        self.out.push(b'{');
        Open {
            base: self.entries.len(),
            start: self.out.len(),
        }
    }

    #[inline(never)]
    fn key(&mut self, o: Open, key: Cow<'static, str>) -> Result<(), Error> {
        if self.entries.len() > o.base {
            self.out.push(b',');
        }
        let start = self.out.len();
        self.json(key.as_ref())?;
        self.out.push(b':');
        self.entries.push(Entry {
            key,
            start,
            end: start,
        });
        Ok(())
    }

    fn value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        v.serialize(&mut *self)?;
        let end = self.out.len();
        self.entries.last_mut().expect("a key before its value").end = end;
        Ok(())
    }

    /// Closes the object, its members in key order; of members with the same key the last one
    /// stays, where the tree would keep it.
    #[inline(never)]
    fn close(&mut self, o: Open) {
        let es = &mut self.entries[o.base..];
        if !es.windows(2).all(|w| w[0].key < w[1].key) {
            // In place (a struct's few fields: no allocation), by key and then as they came.
            es.sort_unstable_by(|a, b| a.key.cmp(&b.key).then(a.start.cmp(&b.start)));
            let mut scratch = std::mem::take(&mut self.scratch);
            scratch.clear();
            scratch.extend_from_slice(&self.out[o.start..]);
            self.out.truncate(o.start);
            for (n, e) in es.iter().enumerate() {
                if es.get(n + 1).is_some_and(|next| next.key == e.key) {
                    continue;
                }
                if self.out.len() > o.start {
                    self.out.push(b',');
                }
                self.out
                    .extend_from_slice(&scratch[e.start - o.start..e.end - o.start]);
            }
            self.scratch = scratch;
        }
        self.entries.truncate(o.base);
        self.out.push(b'}');
    }

    /// `{"variant":` before a variant's content.
    fn variant(&mut self, variant: &str) -> Result<(), Error> {
        self.out.push(b'{');
        self.json(variant)?;
        self.out.push(b':');
        Ok(())
    }
}

const RAW: &str = "$serde_json::private::RawValue";

/// A map's key as the tree writes it: the key of a map of that one key, made by the tree's own
/// key rules (a number's or a bool's text; an error for what cannot be a key).
fn key_text<T: Serialize + ?Sized>(key: &T) -> Result<String, Error> {
    struct OneKey<'a, T: ?Sized>(&'a T);
    impl<T: Serialize + ?Sized> Serialize for OneKey<'_, T> {
        fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use ser::SerializeMap;
            let mut map = s.serialize_map(Some(1))?;
            map.serialize_entry(self.0, &())?;
            map.end()
        }
    }
    match serde_json::to_value(OneKey(key))? {
        Value::Object(map) => map
            .into_iter()
            .next()
            .map(|(k, _)| k)
            .ok_or_else(|| Error::custom("a map's key was lost")),
        _ => Err(Error::custom("key must be a string")),
    }
}

/// An array (or a tuple), perhaps a variant's: `]` or `]}` closes it.
struct Seq<'a> {
    c: &'a mut Canon,
    first: bool,
    close: &'static [u8],
}

impl Seq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        if !self.first {
            self.c.out.push(b',');
        }
        self.first = false;
        v.serialize(&mut *self.c)
    }
    fn finish(self) -> Result<(), Error> {
        self.c.out.extend_from_slice(self.close);
        Ok(())
    }
}

/// The four kinds of sequence serde has, each written as an array.
macro_rules! seq {
    ($($kind:ident :: $method:ident),*) => {$(
        impl ser::$kind for Seq<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
                self.element(v)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}
seq!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// An object (a map or a struct, perhaps a variant's); `raw` for serde_json's raw value, whose
/// text the tree would parse (and so sort) too.
struct Obj<'a> {
    c: &'a mut Canon,
    open: Open,
    variant: bool,
    raw: bool,
}

impl Obj<'_> {
    fn finish(self) -> Result<(), Error> {
        if self.raw {
            return Ok(());
        }
        self.c.close(self.open);
        if self.variant {
            self.c.out.push(b'}');
        }
        Ok(())
    }
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Error> {
        if self.raw {
            // The raw text comes as a string: written (quoted) by this serializer, then read
            // back as its tree (`Canon::raw_from`). Not by `to_value(v)`, which would build a
            // second serializer into the wasm for every type a struct's field has.
            let start = self.c.out.len();
            v.serialize(&mut *self.c)?;
            return self.c.raw_from(start);
        }
        self.c.key(self.open, Cow::Borrowed(key))?;
        self.c.value(v)
    }
}

impl ser::SerializeMap for Obj<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let key = key_text(key)?;
        self.c.key(self.open, Cow::Owned(key))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.c.value(v)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

/// A struct and a struct variant, each written as an object.
macro_rules! fields {
    ($($kind:ident),*) => {$(
        impl ser::$kind for Obj<'_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                v: &T,
            ) -> Result<(), Error> {
                self.field(key, v)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}
fields!(SerializeStruct, SerializeStructVariant);

impl<'a> ser::Serializer for &'a mut Canon {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Seq<'a>;
    type SerializeMap = Obj<'a>;
    type SerializeStruct = Obj<'a>;
    type SerializeStructVariant = Obj<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.json(&v)
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.json(&v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.json(&v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.json(&v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.json(&v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.via_tree(&v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.json(&v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.json(&v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.json(&v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.json(&v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.via_tree(&v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.via_tree(&v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.via_tree(&v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.json(&v)
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.json(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.json(v)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Result<(), Error> {
        self.json(v)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.variant(variant)?;
        v.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>, Error> {
        self.out.push(b'[');
        Ok(Seq {
            c: self,
            first: true,
            close: b"]",
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Seq<'a>, Error> {
        self.variant(variant)?;
        self.out.push(b'[');
        Ok(Seq {
            c: self,
            first: true,
            close: b"]}",
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Obj<'a>, Error> {
        let open = self.open();
        Ok(Obj {
            c: self,
            open,
            variant: false,
            raw: false,
        })
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Obj<'a>, Error> {
        if name == RAW {
            let open = Open {
                base: self.entries.len(),
                start: self.out.len(),
            };
            return Ok(Obj {
                c: self,
                open,
                variant: false,
                raw: true,
            });
        }
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Obj<'a>, Error> {
        self.variant(variant)?;
        let open = self.open();
        Ok(Obj {
            c: self,
            open,
            variant: true,
            raw: false,
        })
    }
}
