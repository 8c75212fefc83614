//! Calendar dates as days since 1970-01-01 (proleptic Gregorian). No clock here: today is
//! always handed in by the caller as `as_of`.

use crate::error::Problem;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A calendar date. Compact (4 bytes) so that ledger rows stay small.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Date(i32);

/// Earliest and latest dates the app accepts from input.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2200;

impl Date {
    pub const fn from_days(days: i32) -> Date {
        Date(days)
    }
    pub const fn days(self) -> i32 {
        self.0
    }

    /// A date from year, month (1-12) and day; `None` if no such day exists.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        Some(Date(days_from_civil(y, m, d)))
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }
    pub fn year(self) -> i32 {
        self.ymd().0
    }
    pub fn month(self) -> u32 {
        self.ymd().1
    }

    pub fn add_days(self, n: i32) -> Date {
        Date(self.0 + n)
    }
    /// Days from `earlier` to `self` (negative if `self` is earlier).
    pub fn days_since(self, earlier: Date) -> i32 {
        self.0 - earlier.0
    }

    /// The same day `n` months later (or earlier), clamped to the month's last day.
    pub fn add_months(self, n: i32) -> Date {
        let (y, m, d) = self.ymd();
        let total = y * 12 + (m as i32 - 1) + n;
        let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
        let nd = d.min(days_in_month(ny, nm));
        Date(days_from_civil(ny, nm, nd))
    }

    pub fn first_of_month(self) -> Date {
        let (y, m, _) = self.ymd();
        Date(days_from_civil(y, m, 1))
    }

    /// A month key `year * 12 + month - 1`, handy for grouping.
    pub fn month_index(self) -> i32 {
        let (y, m, _) = self.ymd();
        y * 12 + m as i32 - 1
    }

    /// Whole years from `earlier` to `self` (a birthday-style count; 0 if `self < earlier`).
    pub fn whole_years_since(self, earlier: Date) -> i32 {
        if self < earlier {
            return 0;
        }
        let (y1, m1, d1) = earlier.ymd();
        let (y2, m2, d2) = self.ymd();
        let mut years = y2 - y1;
        if (m2, d2) < (m1, d1) {
            years -= 1;
        }
        years
    }

    /// Parses `YYYY-MM-DD` (also `YYYY/M/D`), checking the day exists and the year is plausible.
    pub fn parse(input: &str) -> Result<Date, Problem> {
        // The stored form, read digit by digit: every stored customer, request and audit entry
        // holds dates, and a start reads tens of thousands of them.
        if let Some(date) = Date::parse_stored(input.as_bytes()) {
            return date;
        }
        Date::parse_any(input)
    }

    /// `YYYY-MM-DD` exactly, with the same answer as [`Date::parse_any`]; `None` for any other
    /// shape (which `parse_any` then reads).
    fn parse_stored(b: &[u8]) -> Option<Result<Date, Problem>> {
        const DIGITS: [usize; 8] = [0, 1, 2, 3, 5, 6, 8, 9];
        if b.len() != 10
            || b[4] != b'-'
            || b[7] != b'-'
            || DIGITS.iter().any(|&i| !b[i].is_ascii_digit())
        {
            return None;
        }
        let n = |from: usize, to: usize| {
            b[from..to]
                .iter()
                .fold(0u32, |n, &c| n * 10 + u32::from(c - b'0'))
        };
        let (y, m, d) = (n(0, 4) as i32, n(5, 7), n(8, 10));
        Some(if (MIN_YEAR..=MAX_YEAR).contains(&y) {
            Date::from_ymd(y, m, d).ok_or(Problem::NotADate)
        } else {
            Err(Problem::DateOutOfRange)
        })
    }

    fn parse_any(input: &str) -> Result<Date, Problem> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Problem::Required);
        }
        let sep = if s.contains('-') { '-' } else { '/' };
        let parts: Vec<&str> = s.split(sep).collect();
        if parts.len() != 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Problem::NotADate);
        }
        if parts[0].len() != 4 || parts[1].len() > 2 || parts[2].len() > 2 {
            return Err(Problem::NotADate);
        }
        let y: i32 = parts[0].parse().map_err(|_| Problem::NotADate)?;
        let m: u32 = parts[1].parse().map_err(|_| Problem::NotADate)?;
        let d: u32 = parts[2].parse().map_err(|_| Problem::NotADate)?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
            return Err(Problem::DateOutOfRange);
        }
        Date::from_ymd(y, m, d).ok_or(Problem::NotADate)
    }

    /// `2026-11-28`.
    pub fn iso(self) -> String {
        match self.iso_digits() {
            Some(b) => String::from_utf8_lossy(&b).into_owned(),
            None => {
                let (y, m, d) = self.ymd();
                format!("{y:04}-{m:02}-{d:02}")
            }
        }
    }

    /// `YYYY-MM-DD` written digit by digit, for the years 0 to 9999 (every stored date): no
    /// formatter, no allocation. A file of 100,000 invoices writes 200,000 of them.
    fn iso_digits(self) -> Option<[u8; 10]> {
        let (y, m, d) = self.ymd();
        let y = u32::try_from(y).ok().filter(|y| *y <= 9999)?;
        let digit = |n: u32| b'0' + (n % 10) as u8;
        Some([
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ])
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.iso_digits() {
            // Only ASCII digits and dashes.
            Some(b) => f.write_str(std::str::from_utf8(&b).map_err(|_| fmt::Error)?),
            None => f.write_str(&self.iso()),
        }
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.iso_digits() {
            Some(b) => s.serialize_str(std::str::from_utf8(&b).map_err(serde::ser::Error::custom)?),
            None => s.serialize_str(&self.iso()),
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        crate::text::from_text(d, "a date as YYYY-MM-DD", |s| {
            Date::parse(s).map_err(|p| format!("bad date {s:?}: {}", p.code()))
        })
    }
}

/// The business day of a time (milliseconds since 1970-01-01 UTC): CreditDesk's days are China
/// Standard Time, UTC+8, on the server's clock and in every record's time alike.
pub fn business_day(ms: i64) -> Date {
    Date::from_days((ms + BUSINESS_OFFSET_MS).div_euclid(DAY_MS) as i32)
}

/// UTC+8, in milliseconds.
pub const BUSINESS_OFFSET_MS: i64 = 8 * 3_600_000;
/// A day, in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's civil calendar algorithms.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn the_epoch_is_day_zero() {
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date::from_days(0)));
        assert_eq!(d("2000-03-01").days(), 11_017);
    }

    #[test]
    fn dates_are_parsed_in_iso_and_slash_forms() {
        let cases = [
            ("2026-11-28", Ok((2026, 11, 28))),
            ("2026/1/5", Ok((2026, 1, 5))),
            ("2024-02-29", Ok((2024, 2, 29))),
            ("2023-02-29", Err(Problem::NotADate)),
            ("2026-13-01", Err(Problem::NotADate)),
            ("28.11.2026", Err(Problem::NotADate)),
            ("1850-01-01", Err(Problem::DateOutOfRange)),
            ("", Err(Problem::Required)),
            ("26-11-28", Err(Problem::NotADate)),
        ];
        for (input, expected) in cases {
            assert_eq!(
                Date::parse(input).map(Date::ymd),
                expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn adding_months_clamps_to_the_last_day() {
        assert_eq!(d("2026-01-31").add_months(1), d("2026-02-28"));
        assert_eq!(d("2024-01-31").add_months(1), d("2024-02-29"));
        assert_eq!(d("2026-03-15").add_months(-3), d("2025-12-15"));
        assert_eq!(d("2026-03-15").add_months(12), d("2027-03-15"));
    }

    #[test]
    fn whole_years_count_like_birthdays() {
        assert_eq!(d("2026-11-28").whole_years_since(d("2020-11-28")), 6);
        assert_eq!(d("2026-11-27").whole_years_since(d("2020-11-28")), 5);
        assert_eq!(d("2020-11-27").whole_years_since(d("2026-11-28")), 0);
    }

    proptest::proptest! {
        #[test]
        fn days_round_trip_through_the_civil_calendar(days in -100_000i32..200_000) {
            let date = Date::from_days(days);
            let (y, m, dd) = date.ymd();
            proptest::prop_assert_eq!(Date::from_ymd(y, m, dd), Some(date));
        }

        #[test]
        fn the_stored_form_is_read_as_any_form_is(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9 /-]{0,12}",
            days in -30_000i32..90_000,
        ) {
            proptest::prop_assert_eq!(Date::parse(&text), Date::parse_any(&text), "{:?}", text);
            let iso = Date::from_days(days).iso();
            proptest::prop_assert_eq!(Date::parse(&iso), Date::parse_any(&iso));
        }

        #[test]
        fn dates_read_from_json_as_they_are_parsed(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9/-]{0,12}") {
            let json = serde_json::to_string(&text).unwrap();
            let read = serde_json::from_str::<Date>(&json).map_err(|_| ());
            proptest::prop_assert_eq!(read, Date::parse(&text).map_err(|_| ()));
        }

        #[test]
        fn dates_are_written_digit_by_digit_as_the_formatter_writes_them(days in -800_000i32..3_000_000) {
            // From before year 0 to after year 9999: the digits where they apply, the formatter
            // elsewhere, the same text everywhere (shown, kept in JSON).
            let date = Date::from_days(days);
            let (y, m, dd) = date.ymd();
            let formatted = format!("{y:04}-{m:02}-{dd:02}");
            proptest::prop_assert_eq!(&date.iso(), &formatted);
            proptest::prop_assert_eq!(&date.to_string(), &formatted);
            proptest::prop_assert_eq!(serde_json::to_string(&date).unwrap(), format!("\"{formatted}\""));
        }

        #[test]
        fn iso_text_round_trips(days in -25_000i32..80_000) {
            let date = Date::from_days(days);
            proptest::prop_assert_eq!(Date::parse(&date.iso()), Ok(date));
        }
    }
}
