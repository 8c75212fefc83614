//! Short business texts stored in compact ledger rows.

use crate::error::Problem;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A document number (invoice, order, payment reference): 1 to 24 bytes of UTF-8 with no control
/// characters, stored inline so that a ledger row has a fixed size.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocNo {
    len: u8,
    bytes: [u8; DocNo::MAX],
}

impl DocNo {
    pub const MAX: usize = 24;

    pub fn parse(input: &str) -> Result<DocNo, Problem> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Problem::Required);
        }
        if s.len() > Self::MAX {
            return Err(Problem::TooLong {
                max: Self::MAX as u32,
            });
        }
        if s.chars().any(char::is_control) {
            return Err(Problem::NotANumber);
        }
        let mut bytes = [0u8; Self::MAX];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        Ok(DocNo {
            len: s.len() as u8,
            bytes,
        })
    }

    /// Rebuilds from stored bytes (the storage codec); `None` if they are not a valid number.
    pub fn from_stored(len: u8, bytes: [u8; Self::MAX]) -> Option<DocNo> {
        if len as usize > Self::MAX || len == 0 {
            return None;
        }
        std::str::from_utf8(&bytes[..len as usize]).ok()?;
        Some(DocNo { len, bytes })
    }

    pub fn as_str(&self) -> &str {
        // Constructed only from valid UTF-8.
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }
    pub fn stored(&self) -> (u8, [u8; Self::MAX]) {
        (self.len, self.bytes)
    }
}

impl fmt::Debug for DocNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocNo({:?})", self.as_str())
    }
}
impl fmt::Display for DocNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl Serialize for DocNo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
impl<'de> Deserialize<'de> for DocNo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DocNo, D::Error> {
        let s = String::deserialize(d)?;
        DocNo::parse(&s).map_err(|p| serde::de::Error::custom(p.code()))
    }
}

/// Deserialises a value from a text as the reader holds it, not copied into a `String` first:
/// stored customers, requests and audit entries hold dates and codes, and a start reads tens of
/// thousands of them. `expecting` names the value in the reader's own errors; `parse` says what
/// is wrong with a text.
pub(crate) fn from_text<'de, D: Deserializer<'de>, T>(
    d: D,
    expecting: &'static str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error> {
    struct Text<F>(&'static str, F);
    impl<T, F: FnOnce(&str) -> Result<T, String>> serde::de::Visitor<'_> for Text<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<T, E> {
            (self.1)(s).map_err(E::custom)
        }
    }
    d.deserialize_str(Text(expecting, parse))
}

/// Checks a free text: trimmed, required or not, at most `max` characters.
pub fn text(input: &str, required: bool, max: usize) -> Result<String, Problem> {
    let s = input.trim();
    if required && s.is_empty() {
        return Err(Problem::Required);
    }
    if s.chars().count() > max {
        return Err(Problem::TooLong { max: max as u32 });
    }
    Ok(s.to_string())
}

/// A suggested next document number: `PREFIX-YEAR-NNNNNNN`, one above the highest in use.
pub fn next_number(prefix: &str, year: i32, taken: impl Iterator<Item = DocNo>) -> String {
    let head = format!("{prefix}-{year}-");
    let max = taken
        .filter_map(|n| {
            n.as_str()
                .strip_prefix(&head)
                .and_then(|r| r.parse::<u64>().ok())
        })
        .max()
        .unwrap_or(0);
    format!("{head}{:07}", max + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_number_is_one_above_the_highest_of_the_year() {
        let taken = [
            "INV-2026-0000007",
            "INV-2026-0000012",
            "INV-2025-0000099",
            "X-1",
        ]
        .map(|s| DocNo::parse(s).unwrap());
        assert_eq!(
            next_number("INV", 2026, taken.iter().copied()),
            "INV-2026-0000013"
        );
        assert_eq!(
            next_number("SO", 2027, std::iter::empty()),
            "SO-2027-0000001"
        );
    }

    #[test]
    fn document_numbers_hold_up_to_24_bytes() {
        assert_eq!(
            DocNo::parse(" INV-2026-000001 ").unwrap().as_str(),
            "INV-2026-000001"
        );
        assert_eq!(
            DocNo::parse("发票二〇二六一号").unwrap().as_str(),
            "发票二〇二六一号"
        );
        assert_eq!(DocNo::parse(""), Err(Problem::Required));
        assert_eq!(
            DocNo::parse(&"x".repeat(25)),
            Err(Problem::TooLong { max: 24 })
        );
        assert_eq!(DocNo::parse("a\tb"), Err(Problem::NotANumber));
    }

    #[test]
    fn stored_bytes_that_are_not_utf8_are_refused() {
        let mut b = [0u8; DocNo::MAX];
        b[0] = 0xff;
        assert_eq!(DocNo::from_stored(1, b), None);
        assert_eq!(DocNo::from_stored(0, b), None);
    }
}
