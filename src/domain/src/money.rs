//! Exact money in integer minor units (fen for CNY). Never a float.
//!
//! Rounding happens only in the named functions below, each of which says its rule.

use crate::error::Problem;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// An amount of money in minor units (1/100 of the currency unit; CNY by default).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

/// The largest amount accepted from input: one trillion (10^12) units.
pub const MAX_INPUT_UNITS: i64 = 1_000_000_000_000;

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_minor(minor: i64) -> Money {
        Money(minor)
    }
    pub const fn from_units(units: i64) -> Money {
        Money(units * 100)
    }
    pub const fn minor(self) -> i64 {
        self.0
    }
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
    pub fn min(self, other: Money) -> Money {
        Money(self.0.min(other.0))
    }
    pub fn max(self, other: Money) -> Money {
        Money(self.0.max(other.0))
    }

    /// `self * num / den`, rounded half away from zero to the minor unit.
    /// Panics if `den == 0`.
    pub fn mul_ratio_round_half_away(self, num: i64, den: i64) -> Money {
        Money(div_round_half_away(self.0 as i128 * num as i128, den as i128) as i64)
    }

    /// Parses what a person types: `1234.5`, `1,234.50`, `¥1,234.56`, `CNY 12`, `１２３` is not
    /// accepted (full-width digits are rejected as not an amount). At most two decimals; no
    /// rounding of input ever happens.
    pub fn parse(input: &str) -> Result<Money, Problem> {
        let s = input.trim();
        let (neg_outer, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, s),
        };
        let s = s
            .strip_prefix('¥')
            .or_else(|| s.strip_prefix('￥'))
            .or_else(|| s.strip_prefix("CNY"))
            .or_else(|| s.strip_prefix("RMB"))
            .unwrap_or(s)
            .trim();
        let (neg_inner, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        if neg_outer && neg_inner {
            return Err(Problem::NotAnAmount);
        }
        let neg = neg_outer || neg_inner;
        if s.is_empty() {
            return Err(if neg {
                Problem::NotAnAmount
            } else {
                Problem::Required
            });
        }
        let (int_part, frac_part) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        if int_part.is_empty() && frac_part.is_none() {
            return Err(Problem::NotAnAmount);
        }
        // Thousands separators: either none, or commas every three digits.
        let digits: String = if int_part.contains(',') {
            let groups: Vec<&str> = int_part.split(',').collect();
            let first_ok = !groups[0].is_empty() && groups[0].len() <= 3;
            let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
            if !first_ok || !rest_ok {
                return Err(Problem::NotAnAmount);
            }
            groups.concat()
        } else {
            int_part.to_string()
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Problem::NotAnAmount);
        }
        let frac = frac_part.unwrap_or("");
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Problem::NotAnAmount);
        }
        if frac.len() > 2 {
            return Err(Problem::TooManyDecimals);
        }
        if digits.is_empty() && frac.is_empty() {
            return Err(Problem::NotAnAmount);
        }
        let digits = digits.trim_start_matches('0');
        if digits.len() > 13 {
            return Err(Problem::AmountTooLarge);
        }
        let units: i64 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| Problem::NotAnAmount)?
        };
        if units > MAX_INPUT_UNITS {
            return Err(Problem::AmountTooLarge);
        }
        let mut cents: i64 = 0;
        for (i, b) in frac.bytes().enumerate() {
            cents += (b - b'0') as i64 * if i == 0 { 10 } else { 1 };
        }
        let v = units * 100 + cents;
        if neg {
            Ok(Money(-v))
        } else {
            Ok(Money(v))
        }
    }

    /// Parses an amount that must be strictly positive (an invoice, a payment).
    pub fn parse_positive(input: &str) -> Result<Money, Problem> {
        let m = Money::parse(input)?;
        if m.is_negative() {
            Err(Problem::Negative)
        } else if m.is_zero() {
            Err(Problem::NotPositive)
        } else {
            Ok(m)
        }
    }

    /// Parses an amount that may be zero but not negative (registered capital).
    pub fn parse_non_negative(input: &str) -> Result<Money, Problem> {
        let m = Money::parse(input)?;
        if m.is_negative() {
            Err(Problem::Negative)
        } else {
            Ok(m)
        }
    }

    /// Plain decimal form with two decimals and no grouping: `-1234.50`. Used in inputs and CSV.
    pub fn to_plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }

    /// Grouped form with the yuan sign: `¥1,234,567.89` (the form is the same in zh-CN and en).
    pub fn format_cny(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        format!("{sign}¥{}.{:02}", group_thousands(a / 100), a % 100)
    }

    /// Compact form for chart labels and tiles: `¥1.23M` / `¥123万` style is left to the UI; this
    /// gives whole units grouped, rounded half away from zero: `¥1,234,568`.
    pub fn format_cny_whole(self) -> String {
        let units = div_round_half_away(self.0 as i128, 100) as i64;
        let sign = if units < 0 { "-" } else { "" };
        format!("{sign}¥{}", group_thousands(units.unsigned_abs()))
    }

    /// A short form for a figure in a tight space (a tile, a chart's label), or `None` when the
    /// amount is under a million yuan and is shown exactly. Rounded half away from zero to three
    /// or four significant digits: `¥7.52M`, `¥109.9M`, `¥1.10B` in [`Compact::Million`];
    /// `¥751.99万`, `¥1.10亿` in [`Compact::Wan`] (Chinese counts in 10⁴ and 10⁸). The exact
    /// amount goes beside it (a tooltip, a table, an export).
    pub fn format_cny_compact(self, style: Compact) -> Option<String> {
        let fen = self.0 as i128;
        if fen.abs() < 100_000_000 {
            return None;
        }
        // (unit in fen, its suffix, decimals), the first unit the amount reaches.
        let units: &[(i128, &str)] = match style {
            Compact::Million => &[(100_000_000_000, "B"), (100_000_000, "M")],
            Compact::Wan => &[(10_000_000_000, "亿"), (1_000_000, "万")],
        };
        // The largest unit the amount reaches once rounded to two decimals of it (¥999,999,999.99
        // is ¥1.00B, not ¥1,000.0M).
        let &(unit, suffix) = units
            .iter()
            .find(|(u, _)| div_round_half_away(fen * 100, *u).abs() >= 100)?;
        // Two decimals, one once the whole part has three digits (¥109.9M), none from four
        // (¥1,099万): never more than four significant digits. Rounding may add a digit
        // (¥99.996M is ¥100.0M), so the decimals are chosen again until they hold.
        let mut decimals: u32 = 2;
        let scaled = loop {
            let scaled = div_round_half_away(fen * 10i128.pow(decimals), unit);
            let want = match scaled.unsigned_abs() / 10u128.pow(decimals) {
                0..=99 => 2,
                100..=999 => 1,
                _ => 0,
            };
            if want >= decimals {
                break scaled;
            }
            decimals = want;
        };
        let sign = if scaled < 0 { "-" } else { "" };
        let a = scaled.unsigned_abs();
        let p = 10u128.pow(decimals);
        let int = group_thousands((a / p) as u64);
        Some(if decimals == 0 {
            format!("{sign}¥{int}{suffix}")
        } else {
            format!("{sign}¥{int}.{:0w$}{suffix}", a % p, w = decimals as usize)
        })
    }
}

/// How [`Money::format_cny_compact`] counts: in millions and billions (English) or in 万 (10⁴)
/// and 亿 (10⁸) (Chinese).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compact {
    Million,
    Wan,
}

/// Integer division rounded half away from zero. Panics if `den == 0`.
pub fn div_round_half_away(num: i128, den: i128) -> i128 {
    assert!(den != 0, "division by zero");
    // The common case fits 64 bits, where division is one instruction (on wasm32, 128-bit
    // division is a library call).
    if let (Ok(n), Ok(d)) = (i64::try_from(num), i64::try_from(den)) {
        if n != i64::MIN && d != i64::MIN {
            return div_round_half_away_i64(n, d) as i128;
        }
    }
    let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
    let q = num / den;
    let r = num % den;
    if 2 * r.abs() >= den {
        q + num.signum()
    } else {
        q
    }
}

fn div_round_half_away_i64(num: i64, den: i64) -> i64 {
    let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
    let q = num / den;
    let r = num % den;
    // `2 * |r| >= den` without overflow: `|r| >= den - |r|`.
    if r.abs() >= den - r.abs() {
        q + num.signum()
    } else {
        q
    }
}

/// `part / whole` in basis points (1/100 of a percent), rounded half away from zero.
/// `None` when `whole` is zero.
pub fn ratio_bp_round_half_away(part: Money, whole: Money) -> Option<i64> {
    if whole.is_zero() {
        None
    } else {
        Some(div_round_half_away(part.0 as i128 * 10_000, whole.0 as i128) as i64)
    }
}

/// `part / whole` in whole basis points, rounded toward negative infinity (so that "at least 90%"
/// on the result is exactly `part ≥ 90% × whole`). `None` when `whole` is zero or negative.
pub fn ratio_bp_round_down(part: Money, whole: Money) -> Option<i64> {
    if !whole.is_positive() {
        None
    } else {
        Some((part.0 as i128 * 10_000).div_euclid(whole.0 as i128) as i64)
    }
}

/// `part / whole` as a percentage with one decimal (`33.2%`), rounded half away from zero.
/// `None` when `whole` is zero.
pub fn percent_1dp_round_half_away(part: Money, whole: Money) -> Option<String> {
    if whole.is_zero() {
        return None;
    }
    let permille = div_round_half_away(part.0 as i128 * 1000, whole.0 as i128) as i64;
    let sign = if permille < 0 { "-" } else { "" };
    Some(format!(
        "{sign}{}.{}%",
        permille.abs() / 10,
        permille.abs() % 10
    ))
}

/// `123456789` -> `123,456,789`.
pub fn group_thousands(mut n: u64) -> String {
    if n == 0 {
        return "0".into();
    }
    let mut parts = Vec::new();
    while n > 0 {
        parts.push(n % 1000);
        n /= 1000;
    }
    let mut s = parts.last().unwrap().to_string();
    for p in parts.iter().rev().skip(1) {
        s.push_str(&format!(",{p:03}"));
    }
    s
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_cny())
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}
impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}
impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 += o.0;
    }
}
impl SubAssign for Money {
    fn sub_assign(&mut self, o: Money) {
        self.0 -= o.0;
    }
}
impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}
impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::any;

    fn check_parse(input: &str, expected: Result<i64, Problem>) {
        assert_eq!(
            Money::parse(input).map(Money::minor),
            expected,
            "input {input:?}"
        );
    }

    #[test]
    fn amounts_are_parsed_as_people_type_them() {
        check_parse("1234.5", Ok(123_450));
        check_parse("1,234.56", Ok(123_456));
        check_parse("¥1,234,567.89", Ok(123_456_789));
        check_parse("￥12", Ok(1200));
        check_parse("CNY 12.3", Ok(1230));
        check_parse(" 0.01 ", Ok(1));
        check_parse(".5", Ok(50));
        check_parse("-3", Ok(-300));
        check_parse("007", Ok(700));
    }

    #[test]
    fn malformed_amounts_say_what_is_wrong() {
        check_parse("", Err(Problem::Required));
        check_parse("¥", Err(Problem::Required));
        check_parse("12a", Err(Problem::NotAnAmount));
        check_parse("1,23", Err(Problem::NotAnAmount));
        check_parse("1,2345", Err(Problem::NotAnAmount));
        check_parse("1.234", Err(Problem::TooManyDecimals));
        check_parse("1e5", Err(Problem::NotAnAmount));
        check_parse("１２", Err(Problem::NotAnAmount));
        check_parse("99999999999999", Err(Problem::AmountTooLarge));
        check_parse(".", Err(Problem::NotAnAmount));
    }

    #[test]
    fn positive_amounts_reject_zero_and_negatives() {
        assert_eq!(Money::parse_positive("0"), Err(Problem::NotPositive));
        assert_eq!(Money::parse_positive("-1"), Err(Problem::Negative));
        assert_eq!(Money::parse_positive("1"), Ok(Money::from_units(1)));
    }

    #[test]
    fn cny_is_formatted_with_grouping_and_two_decimals() {
        assert_eq!(Money::from_minor(123_456_789).format_cny(), "¥1,234,567.89");
        assert_eq!(Money::from_minor(-5).format_cny(), "-¥0.05");
        assert_eq!(Money::ZERO.format_cny(), "¥0.00");
        assert_eq!(Money::from_minor(100_050).format_cny_whole(), "¥1,001");
        assert_eq!(Money::from_minor(-150).format_cny_whole(), "-¥2");
        assert_eq!(Money::from_minor(-150).to_plain(), "-1.50");
    }

    #[test]
    fn compact_amounts_keep_three_or_four_significant_digits_in_either_counting() {
        fn check(yuan_fen: i64, million: Option<&str>, wan: Option<&str>) {
            let m = Money::from_minor(yuan_fen);
            assert_eq!(
                m.format_cny_compact(Compact::Million).as_deref(),
                million,
                "{m}"
            );
            assert_eq!(m.format_cny_compact(Compact::Wan).as_deref(), wan, "{m}");
        }
        check(99_999_999, None, None);
        check(100_000_000, Some("¥1.00M"), Some("¥100.0万"));
        check(751_996_209, Some("¥7.52M"), Some("¥752.0万"));
        check(9_999_500_000, Some("¥100.0M"), Some("¥1.00亿"));
        check(7_519_962_009, Some("¥75.20M"), Some("¥7,520万"));
        check(10_993_000_849, Some("¥109.9M"), Some("¥1.10亿"));
        check(1_099_300_084_900, Some("¥10.99B"), Some("¥109.9亿"));
        check(-169_000_000, Some("-¥1.69M"), Some("-¥169.0万"));
        // Half away from zero at the last digit shown.
        check(100_500_000, Some("¥1.01M"), Some("¥100.5万"));
        check(-100_500_000, Some("-¥1.01M"), Some("-¥100.5万"));
        check(99_999_999_999, Some("¥1.00B"), Some("¥10.00亿"));
        check(9_999_600_000, Some("¥100.0M"), Some("¥1.00亿"));
        check(999_960_000, Some("¥10.00M"), Some("¥1,000万"));
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round_half_away(5, 2), 3);
        assert_eq!(div_round_half_away(-5, 2), -3);
        assert_eq!(div_round_half_away(4, 3), 1);
        assert_eq!(div_round_half_away(5, -2), -3);
        assert_eq!(
            Money::from_minor(1).mul_ratio_round_half_away(1, 2),
            Money::from_minor(1)
        );
        assert_eq!(
            ratio_bp_round_half_away(Money::from_units(9), Money::from_units(10)),
            Some(9000)
        );
        assert_eq!(
            ratio_bp_round_half_away(Money::from_units(9), Money::ZERO),
            None
        );
    }

    proptest::proptest! {
        #[test]
        fn formatting_then_parsing_gives_the_same_amount(minor in -10_000_000_000_000i64..10_000_000_000_000) {
            let m = Money::from_minor(minor);
            proptest::prop_assert_eq!(Money::parse(&m.format_cny()), Ok(m));
            proptest::prop_assert_eq!(Money::parse(&m.to_plain()), Ok(m));
        }

        #[test]
        fn the_64_bit_path_rounds_like_the_128_bit_one(num in any::<i64>(), den in any::<i64>()) {
            proptest::prop_assume!(den != 0 && den != i64::MIN && num != i64::MIN);
            let wide = {
                let (n, d) = if den < 0 { (-(num as i128), -(den as i128)) } else { (num as i128, den as i128) };
                let (q, r) = (n / d, n % d);
                if 2 * r.abs() >= d { q + n.signum() } else { q }
            };
            proptest::prop_assert_eq!(div_round_half_away(num as i128, den as i128), wide);
        }

        /// The case the rule is about: an exact half goes away from zero, a hair less does not.
        #[test]
        fn an_exact_half_rounds_away_from_zero_and_a_hair_less_does_not(
            q in 0i64..1_000_000_000_000,
            k in 1i64..1_000_000,
            negative in any::<bool>(),
            flip in any::<bool>(),
        ) {
            // (2q + 1)k / 2k is exactly q + 1/2; the sign goes on the numerator or the denominator.
            let s: i128 = if negative { -1 } else { 1 };
            let (num_sign, den_sign) = if flip { (-s, -1) } else { (s, 1) };
            let half = (2 * q as i128 + 1) * k as i128;
            let den = den_sign * 2 * k as i128;
            let q = q as i128;
            proptest::prop_assert_eq!(div_round_half_away(num_sign * half, den), s * (q + 1));
            proptest::prop_assert_eq!(div_round_half_away(num_sign * (half - 1), den), s * q);
            proptest::prop_assert_eq!(div_round_half_away(num_sign * (half + 1), den), s * (q + 1));
        }

        /// Half a fen through `Money`: ¥0.05 x 1/2 is ¥0.03, and -¥0.05 x 1/2 is -¥0.03.
        #[test]
        fn half_of_an_odd_amount_rounds_away_from_zero(fen in -1_000_000_000i64..1_000_000_000) {
            let odd = 2 * fen + 1;
            let away = if odd > 0 { fen + 1 } else { fen };
            proptest::prop_assert_eq!(
                Money::from_minor(odd).mul_ratio_round_half_away(1, 2),
                Money::from_minor(away)
            );
        }

        /// "At least 90%" means at least exactly 90%: a fen under it is under, whatever rounding
        /// to basis points would say.
        #[test]
        fn a_share_rounded_down_reaches_90_percent_only_at_90_percent(whole in 1i64..10_000_000_000, below in 0i64..3) {
            let at = ((whole as i128 * 9 + 9) / 10) as i64; // the least part that is >= 90%
            let part = at - below;
            let bp = ratio_bp_round_down(Money::from_minor(part), Money::from_minor(whole)).unwrap();
            proptest::prop_assert_eq!(bp >= 9000, part as i128 * 10 >= whole as i128 * 9, "{} of {}", part, whole);
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(s in ".{0,40}") {
            let _ = Money::parse(&s);
        }
    }
}
