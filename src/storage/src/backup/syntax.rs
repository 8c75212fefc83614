//! A JSON value's syntax checked a piece at a time, for a record of megabytes (an import's
//! command in the outbox) that a browser's page reads between its other work: each
//! [`Syntax::step`] reads about as many bytes as it is given.
//!
//! It answers yes only for what serde_json takes as one JSON value (its grammar: numbers without
//! leading zeros, strings without control characters, only JSON's escapes, nothing after the
//! value), never nested deeper than [`DEPTH`]; anything else, or anything it is unsure of, is a
//! no, and the caller reads the record the whole way (`Scanner::outbox_record`), which names
//! the problem as serde_json does. UTF-8 is not its business: the caller checks it.
//!
//! For the outermost object it also notes where the value of its member `payload` lies, so that
//! the caller can check the rest of the record (the outbox entry's small fields) without reading
//! the payload again.

/// Deeper than this, the check gives up (serde_json refuses 128 levels; no record the app
/// writes comes near).
const DEPTH: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq)]
enum St {
    /// A value comes (after `:` or `,` in an array, or at the start).
    Value,
    /// After `[`: a value or `]`.
    FirstValue,
    /// After `{`: a key or `}`.
    FirstKey,
    /// After `,` in an object: a key.
    Key,
    /// After a key: `:`.
    Colon,
    /// After a value: `,` or the bracket that closes the open one.
    After,
    /// In a string (a key's or a value's), after a `\` in one, in a `\u` escape's digits.
    Str {
        key: bool,
    },
    Escape {
        key: bool,
    },
    Hex {
        key: bool,
        left: u8,
    },
    Num(Num),
    /// In `true`, `false` or `null`, its next letter.
    Word {
        word: &'static [u8],
        at: usize,
    },
    /// The value is whole.
    Done,
    /// Not JSON, or not sure.
    No,
}

/// Where a number is in its grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    Minus,
    Zero,
    Int,
    Dot,
    Frac,
    E,
    ESign,
    Exp,
}

impl Num {
    /// Whether the number may end here.
    fn whole(self) -> bool {
        matches!(self, Num::Zero | Num::Int | Num::Frac | Num::Exp)
    }
}

/// A JSON value's syntax under way; the text is handed over at each step, the same text each
/// time.
#[derive(Debug)]
pub(super) struct Syntax {
    /// The open arrays (`false`) and objects (`true`).
    stack: Vec<bool>,
    st: St,
    /// The next byte to read.
    at: usize,
    /// Where the key being read begins.
    key_start: usize,
    /// Whether the outermost object's member being read is `payload`.
    payload_member: bool,
    /// Where the outermost object's member value being read begins.
    member_start: usize,
    /// Where the value of the outermost object's `payload` lies.
    payload: Option<(usize, usize)>,
}

impl Default for Syntax {
    fn default() -> Self {
        Syntax {
            stack: Vec::new(),
            st: St::Value,
            at: 0,
            key_start: 0,
            payload_member: false,
            member_start: 0,
            payload: None,
        }
    }
}

fn space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

impl Syntax {
    /// The span of the outermost object's `payload` value, once the text is read.
    pub(super) fn payload(&self) -> Option<(usize, usize)> {
        self.payload
    }

    /// Reads `bytes` more of `text` (at least one); the verdict once there is one: true when the
    /// whole text is one JSON value.
    pub(super) fn step(&mut self, text: &[u8], bytes: usize) -> Option<bool> {
        let until = self.at.saturating_add(bytes.max(1)).min(text.len());
        while self.at < until {
            self.byte(text);
            if self.st == St::No {
                return Some(false);
            }
        }
        if self.at < text.len() {
            return None;
        }
        // A number that ends the text ends with it.
        if let St::Num(n) = self.st {
            if !n.whole() {
                return Some(false);
            }
            self.value_done(text.len());
        }
        Some(self.st == St::Done)
    }

    /// Reads the byte at `self.at` (or, in a string, a run of them).
    fn byte(&mut self, b: &[u8]) {
        let i = self.at;
        let c = b[i];
        self.at += 1;
        match self.st {
            St::Value | St::FirstValue => {
                if space(c) {
                    return;
                }
                if self.st == St::FirstValue && c == b']' {
                    return self.close(false, i);
                }
                if self.stack.len() == 1 && self.stack[0] {
                    self.member_start = i;
                }
                self.st = match c {
                    b'{' => return self.open(true),
                    b'[' => return self.open(false),
                    b'"' => St::Str { key: false },
                    b'-' => St::Num(Num::Minus),
                    b'0' => St::Num(Num::Zero),
                    b'1'..=b'9' => St::Num(Num::Int),
                    b't' => St::Word {
                        word: b"true",
                        at: 1,
                    },
                    b'f' => St::Word {
                        word: b"false",
                        at: 1,
                    },
                    b'n' => St::Word {
                        word: b"null",
                        at: 1,
                    },
                    _ => St::No,
                };
            }
            St::FirstKey | St::Key => match c {
                _ if space(c) => {}
                b'}' if self.st == St::FirstKey => self.close(true, i),
                b'"' => {
                    self.key_start = i + 1;
                    self.st = St::Str { key: true };
                }
                _ => self.st = St::No,
            },
            St::Colon => match c {
                _ if space(c) => {}
                b':' => self.st = St::Value,
                _ => self.st = St::No,
            },
            St::After => match (c, self.stack.last()) {
                _ if space(c) => {}
                (b',', Some(true)) => self.st = St::Key,
                (b',', Some(false)) => self.st = St::Value,
                (b'}', Some(true)) => self.close(true, i),
                (b']', Some(false)) => self.close(false, i),
                _ => self.st = St::No,
            },
            St::Str { key } => {
                // The string's plain bytes in one run.
                let mut j = i;
                while j < b.len() && !matches!(b[j], b'"' | b'\\') && b[j] >= 0x20 {
                    j += 1;
                }
                self.at = j + 1;
                match b.get(j) {
                    None => self.at = b.len(),
                    Some(b'"') if key => {
                        if self.stack.len() == 1 {
                            let payload = &b[self.key_start..j] == b"payload";
                            if payload && self.payload.is_some() {
                                // A key given twice: not for this check.
                                self.st = St::No;
                                return;
                            }
                            self.payload_member = payload;
                        }
                        self.st = St::Colon;
                    }
                    Some(b'"') => self.value_done(j + 1),
                    Some(b'\\') => self.st = St::Escape { key },
                    Some(_) => self.st = St::No,
                }
            }
            St::Escape { key } => {
                self.st = match c {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => St::Str { key },
                    b'u' => St::Hex { key, left: 4 },
                    _ => St::No,
                }
            }
            St::Hex { key, left } => {
                self.st = match (c.is_ascii_hexdigit(), left) {
                    (false, _) => St::No,
                    (true, 1) => St::Str { key },
                    (true, _) => St::Hex {
                        key,
                        left: left - 1,
                    },
                }
            }
            St::Num(n) => {
                let next = match (n, c) {
                    (Num::Minus, b'0') => Num::Zero,
                    (Num::Minus, b'1'..=b'9') => Num::Int,
                    (Num::Int, b'0'..=b'9') => Num::Int,
                    (Num::Zero | Num::Int, b'.') => Num::Dot,
                    (Num::Dot | Num::Frac, b'0'..=b'9') => Num::Frac,
                    (Num::Zero | Num::Int | Num::Frac, b'e' | b'E') => Num::E,
                    (Num::E, b'+' | b'-') => Num::ESign,
                    (Num::E | Num::ESign | Num::Exp, b'0'..=b'9') => Num::Exp,
                    _ if n.whole() && !c.is_ascii_digit() => {
                        // The number ended before this byte, which is read again after it.
                        self.at = i;
                        return self.value_done(i);
                    }
                    _ => {
                        self.st = St::No;
                        return;
                    }
                };
                self.st = St::Num(next);
            }
            St::Word { word, at } => {
                if c != word[at] {
                    self.st = St::No;
                } else if at + 1 == word.len() {
                    self.value_done(i + 1);
                } else {
                    self.st = St::Word { word, at: at + 1 };
                }
            }
            // Only white space after the value.
            St::Done if space(c) => {}
            St::Done | St::No => self.st = St::No,
        }
    }

    fn open(&mut self, object: bool) {
        if self.stack.len() == DEPTH {
            self.st = St::No;
            return;
        }
        self.stack.push(object);
        self.st = if object { St::FirstKey } else { St::FirstValue };
    }

    /// The open array or object closes with the byte at `i`.
    fn close(&mut self, object: bool, i: usize) {
        match self.stack.pop() {
            Some(o) if o == object => self.value_done(i + 1),
            _ => self.st = St::No,
        }
    }

    /// A value ended before `end`.
    fn value_done(&mut self, end: usize) {
        if self.stack.is_empty() {
            self.st = St::Done;
            return;
        }
        if self.stack.len() == 1 && self.stack[0] && self.payload_member {
            self.payload = Some((self.member_start, end));
            self.payload_member = false;
        }
        self.st = St::After;
    }
}

#[cfg(test)]
mod tests {
    use super::Syntax;

    /// The verdict on `text` read in steps of `step` bytes.
    fn verdict(text: &[u8], step: usize) -> bool {
        let mut s = Syntax::default();
        loop {
            if let Some(v) = s.step(text, step) {
                return v;
            }
        }
    }

    fn check(text: &str, expected: bool) {
        let serde = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
        assert_eq!(serde, expected, "serde_json on {text:?}");
        for step in [1, 2, 3, 7, 1000] {
            assert_eq!(
                verdict(text.as_bytes(), step),
                expected,
                "{text:?} in steps of {step}"
            );
        }
    }

    #[test]
    fn a_value_is_taken_as_serde_json_takes_it() {
        for (text, ok) in [
            ("0", true),
            ("-0.5e+3", true),
            ("12E4", true),
            ("01", false),
            ("1.", false),
            ("-", false),
            ("1e", false),
            (".5", false),
            ("\"a\\u00e9\\n\"", true),
            ("\"a\\x\"", false),
            ("\"a\\u00g0\"", false),
            ("\"tab\there\"", false),
            ("[1,2,[],{}]", true),
            ("[1,]", false),
            ("[,1]", false),
            ("{\"a\":1,\"b\":[true,false,null]}", true),
            ("{\"a\":1,}", false),
            ("{\"a\" 1}", false),
            ("{1:1}", false),
            ("tru", false),
            ("truex", false),
            ("null null", false),
            (" [ 1 , { \"a\" : \"b\" } ] ", true),
            ("[1}", false),
            ("{\"a\":1]", false),
            ("", false),
        ] {
            check(text, ok);
        }
    }

    #[test]
    fn the_payloads_span_is_that_of_the_outermost_objects_payload_member() {
        let text = br#"{"a":{"payload":1},"payload":{"x":[1,2]},"z":"payload"}"#;
        for step in [1, 5, 1000] {
            let mut s = Syntax::default();
            while s.step(text, step).is_none() {}
            let (from, to) = s.payload().expect("a payload");
            assert_eq!(&text[from..to], br#"{"x":[1,2]}"#, "steps of {step}");
        }
        let mut s = Syntax::default();
        assert_eq!(s.step(br#"{"payload":-12}"#, 100), Some(true));
        assert_eq!(s.payload(), Some((11, 14)));
        // Given twice: not for this check.
        let mut s = Syntax::default();
        assert_eq!(s.step(br#"{"payload":1,"payload":2}"#, 100), Some(false));
    }

    #[test]
    fn nesting_deeper_than_the_check_takes_is_a_no() {
        let deep = format!("{}{}", "[".repeat(101), "]".repeat(101));
        assert!(!verdict(deep.as_bytes(), 1000));
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(verdict(ok.as_bytes(), 1000));
    }
}
