//! A fixed-point number with two decimals (hundredths), for metric values and scorecard bins:
//! yuan to the fen, years and ratios to the hundredth. Exact, never a float.

use crate::error::Problem;
use crate::money::{div_round_half_away, group_thousands};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fixed(pub i64);

impl Fixed {
    pub const fn from_hundredths(h: i64) -> Fixed {
        Fixed(h)
    }
    pub const fn from_int(n: i64) -> Fixed {
        Fixed(n * 100)
    }
    /// `num / den` to the hundredth, rounded half away from zero.
    pub fn ratio(num: i64, den: i64) -> Fixed {
        Fixed(div_round_half_away(num as i128 * 100, den as i128) as i64)
    }
    /// Parses `12`, `-3.5`, `1,000.25` (at most two decimals).
    pub fn parse(s: &str) -> Result<Fixed, Problem> {
        crate::money::Money::parse(s).map(|m| Fixed(m.minor()))
    }
    /// `1,234.5` style: grouped, trailing zeros of the decimals dropped.
    pub fn display(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let (int, frac) = (a / 100, a % 100);
        match frac {
            0 => format!("{sign}{}", group_thousands(int)),
            f if f % 10 == 0 => format!("{sign}{}.{}", group_thousands(int), f / 10),
            f => format!("{sign}{}.{f:02}", group_thousands(int)),
        }
    }
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display().replace(',', ""))
    }
}

impl Serialize for Fixed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Fixed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fixed, D::Error> {
        d.deserialize_any(FixedVisitor)
    }
}

/// Text (`"12.5"`) or a JSON number. A number is read through its text, as a string is (so the
/// same bounds hold: a whole number too large to hold in hundredths is refused, not multiplied
/// over), and one with decimals through its shortest text form, never as binary.
struct FixedVisitor;

impl FixedVisitor {
    fn read<E: serde::de::Error>(text: &str, shown: impl fmt::Display) -> Result<Fixed, E> {
        Fixed::parse(text).map_err(|p| E::custom(format!("{shown}: {}", p.code())))
    }
}

impl serde::de::Visitor<'_> for FixedVisitor {
    type Value = Fixed;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number with at most two decimals, or its text")
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Fixed, E> {
        Self::read(s, format_args!("{s:?}"))
    }
    fn visit_i64<E: serde::de::Error>(self, i: i64) -> Result<Fixed, E> {
        Self::read(&i.to_string(), i)
    }
    fn visit_u64<E: serde::de::Error>(self, u: u64) -> Result<Fixed, E> {
        Self::read(&u.to_string(), u)
    }
    fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<Fixed, E> {
        Self::read(&f.to_string(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_values_parse_and_print_without_floats() {
        assert_eq!(Fixed::parse("3.5"), Ok(Fixed(350)));
        assert_eq!(Fixed::parse("-12"), Ok(Fixed(-1200)));
        assert_eq!(Fixed(350).to_string(), "3.5");
        assert_eq!(Fixed(12_345_605).display(), "123,456.05");
        assert_eq!(Fixed::ratio(1, 3), Fixed(33));
        assert_eq!(Fixed::ratio(2, 3), Fixed(67));
        let v: Vec<Fixed> = serde_json::from_str(r#"["1.25", 7, 2.5]"#).unwrap();
        assert_eq!(v, vec![Fixed(125), Fixed(700), Fixed(250)]);
        assert!(serde_json::from_str::<Fixed>(r#""1.234""#).is_err());
    }

    /// Found by the scorecard fuzz target (fuzz/corpus/scorecard/): a whole JSON number was
    /// multiplied by 100 unchecked (attempt to multiply with overflow in `Fixed::from_int`).
    #[test]
    fn a_whole_number_too_large_for_hundredths_is_refused_not_a_panic() {
        for n in [
            "777777777777777777",
            "92233720368547758",
            "-9223372036854775808",
        ] {
            assert!(serde_json::from_str::<Fixed>(n).is_err(), "{n}");
            assert_eq!(
                serde_json::from_str::<Fixed>(n).is_err(),
                serde_json::from_str::<Fixed>(&format!("\"{n}\"")).is_err(),
                "a number and its text read alike: {n}"
            );
        }
        assert_eq!(
            serde_json::from_str::<Fixed>("1000000000000").unwrap(),
            Fixed(100_000_000_000_000)
        );
        assert_eq!(serde_json::from_str::<Fixed>("-12").unwrap(), Fixed(-1200));
    }

    #[test]
    fn a_value_that_is_neither_a_number_nor_its_text_says_what_was_expected() {
        for bad in ["true", "null", "[1]", "{}"] {
            let e = serde_json::from_str::<Fixed>(bad).unwrap_err().to_string();
            assert!(
                e.contains("expected a number with at most two decimals, or its text"),
                "{bad}: {e}"
            );
        }
        assert!(serde_json::from_str::<Fixed>("18446744073709551615").is_err());
    }
}
