//! Reading one cell: dates, amounts, terms, statuses, document numbers.

use super::fields::Mapping;
use super::problem::ImportProblem;
use super::table::Table;
use crate::date::{Date, MAX_YEAR, MIN_YEAR};
use crate::ledger::OrderStatus;
use crate::money::{Money, MAX_INPUT_UNITS};
use crate::party::IndustryPosition;
use crate::text::DocNo;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// How the date columns of a file are written. Year-first forms are accepted by every format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateFormat {
    /// Year-first forms only; a day/month-first date or a number is `I-DATE-FORMAT` (ask).
    #[default]
    Auto,
    /// Year-first forms only (`2026-01-05`, `2026/1/5`, `2026.1.5`, `2026年1月5日`, `20260105`).
    Ymd,
    /// Also `D/M/YYYY` (and with `-` or `.`): `5/1/2026` is 5 January.
    Dmy,
    /// Also `M/D/YYYY` (and with `-` or `.`), as US Excel writes: `1/5/2026` is 5 January.
    Mdy,
    /// Also Excel serial numbers (1900 date system): `45000` is 2023-03-15.
    ExcelSerial,
}

/// Full-width ASCII forms (`０`, `，`, `（`) to ASCII; ideographic and no-break spaces to a space.
pub fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' | '\u{2007}' | '\u{202F}' => ' ',
        _ => c,
    }
}

fn fold(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().map(fold_char).collect())
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// What a date cell looks like, before the format decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// Year, month, day as written (not yet checked).
    YearFirst(i32, u32, u32),
    /// `A/B/YYYY`: day and month in an order the format must say.
    DayMonth(u32, u32, i32),
    /// A number, maybe an Excel serial (its whole part; `None` if too long).
    Number(Option<i64>),
    Other,
}

/// Drops a time of day after a space or `T` (`2026/1/5 0:00`, `2026-01-05T08:30:00`).
fn strip_time(s: &str) -> Option<&str> {
    let Some(i) = s.find([' ', 'T']) else {
        return Some(s);
    };
    let time = s[i + 1..].trim();
    let ok = time.contains(':')
        && time
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b':' || b == b'.');
    ok.then(|| s[..i].trim_end())
}

fn shape(input: &str) -> Shape {
    let folded = fold(input);
    let Some(s) = strip_time(folded.trim()) else {
        return Shape::Other;
    };
    let owned;
    let s = if s.contains('年') {
        owned = s
            .strip_suffix('日')
            .unwrap_or(s)
            .replacen('年', "-", 1)
            .replacen('月', "-", 1);
        owned.as_str()
    } else {
        s
    };
    if !s.is_ascii() {
        return Shape::Other;
    }
    if s.len() == 8 && all_digits(s) {
        let n = |a: usize, b: usize| s[a..b].parse::<u32>().unwrap_or(0);
        return Shape::YearFirst(n(0, 4) as i32, n(4, 6), n(6, 8));
    }
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if all_digits(whole) && (frac.is_empty() || all_digits(frac)) && !s.ends_with('.') {
        return Shape::Number(if whole.len() <= 9 {
            whole.parse().ok()
        } else {
            None
        });
    }
    let Some(sep) = s.chars().find(|c| matches!(c, '-' | '/' | '.')) else {
        return Shape::Other;
    };
    let mut parts = s.split(sep);
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Shape::Other;
    };
    if !(all_digits(a) && all_digits(b) && all_digits(c)) {
        return Shape::Other;
    }
    let num = |p: &str| p.parse::<u32>().unwrap_or(0);
    if a.len() == 4 && b.len() <= 2 && c.len() <= 2 {
        Shape::YearFirst(num(a) as i32, num(b), num(c))
    } else if c.len() == 4 && a.len() <= 2 && b.len() <= 2 {
        Shape::DayMonth(num(a), num(b), num(c) as i32)
    } else {
        Shape::Other
    }
}

fn ymd(y: i32, m: u32, d: u32, format: DateFormat) -> Result<Date, ImportProblem> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
        return Err(ImportProblem::DateOutOfRange {
            min_year: MIN_YEAR,
            max_year: MAX_YEAR,
        });
    }
    Date::from_ymd(y, m, d).ok_or(ImportProblem::BadDate { format })
}

/// The date of an Excel serial number in the 1900 date system: 1 is 1900-01-01, 59 is
/// 1900-02-28, 61 is 1900-03-01. Excel counts a 29 February 1900 that never was (serial 60):
/// that serial, 0 and negatives have no date (`None`).
pub fn excel_serial_to_date(serial: i64) -> Option<Date> {
    let base = Date::from_ymd(1899, 12, 31)?;
    let offset = match serial {
        1..=59 => serial,
        61..=3_000_000 => serial - 1,
        _ => return None,
    };
    Some(base.add_days(offset as i32))
}

/// Reads a date written in `format` (see [`DateFormat`]). A time of day after the date is
/// ignored, as is a fraction of an Excel serial.
pub fn parse_date(input: &str, format: DateFormat) -> Result<Date, ImportProblem> {
    if input.trim().is_empty() {
        return Err(ImportProblem::Required);
    }
    let bad = ImportProblem::BadDate { format };
    match shape(input) {
        Shape::YearFirst(y, m, d) => ymd(y, m, d, format),
        Shape::DayMonth(a, b, y) => match format {
            DateFormat::Dmy => ymd(y, b, a, format),
            DateFormat::Mdy => ymd(y, a, b, format),
            DateFormat::Auto => Err(ImportProblem::DateFormatNeeded),
            DateFormat::Ymd | DateFormat::ExcelSerial => Err(bad),
        },
        Shape::Number(n) => match format {
            DateFormat::ExcelSerial => {
                let d = n.and_then(excel_serial_to_date).ok_or(bad)?;
                if d.year() > MAX_YEAR {
                    Err(ImportProblem::DateOutOfRange {
                        min_year: MIN_YEAR,
                        max_year: MAX_YEAR,
                    })
                } else {
                    Ok(d)
                }
            }
            DateFormat::Auto if n.is_some_and(|n| (1..=3_000_000).contains(&n)) => {
                Err(ImportProblem::DateFormatNeeded)
            }
            _ => Err(bad),
        },
        Shape::Other => Err(bad),
    }
}

/// Looks at the values of the date columns the mapping reads (up to 2,000 cells) and proposes a
/// format: `Auto` when every date is year-first (or nothing decides), `ExcelSerial` when they
/// are numbers, `Dmy`/`Mdy` when a day above 12 shows the order. Mixed or undecidable columns
/// stay `Auto`, so that the UI asks. The columns are those [`super::validate`] reads: for each
/// date field of the mapping's kind, the first column mapped to it (a second one is ignored,
/// `I-COLUMN-TWICE`). So the guess follows the mapping: after a change by hand, call this again,
/// or use [`Mapping::map_column`], which does.
pub fn guess_date_format(table: &Table, mapping: &Mapping) -> DateFormat {
    let cols: Vec<usize> = mapping
        .kind
        .fields()
        .iter()
        .filter(|f| f.key.is_date())
        .filter_map(|f| mapping.column_of(f.key))
        .filter(|&i| i < table.headers.len())
        .collect();
    let (mut numbers, mut day_month, mut other) = (0u32, 0u32, 0u32);
    let (mut dmy_possible, mut mdy_possible) = (true, true);
    let mut seen = 0;
    'rows: for row in &table.rows {
        for &c in &cols {
            let Some(v) = row.get(c).filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            seen += 1;
            if seen > 2_000 {
                break 'rows;
            }
            match shape(v) {
                Shape::YearFirst(..) => {}
                Shape::Number(_) => numbers += 1,
                Shape::DayMonth(a, b, _) => {
                    day_month += 1;
                    dmy_possible &= a <= 31 && b <= 12;
                    mdy_possible &= a <= 12 && b <= 31;
                }
                Shape::Other => other += 1,
            }
        }
    }
    match (numbers > 0, day_month > 0) {
        (true, false) if other == 0 => DateFormat::ExcelSerial,
        (false, true) if dmy_possible && !mdy_possible => DateFormat::Dmy,
        (false, true) if mdy_possible && !dmy_possible => DateFormat::Mdy,
        _ => DateFormat::Auto,
    }
}

const CURRENCY_PREFIXES: [&str; 6] = ["¥", "￥", "$", "CNY", "RMB", "人民币"];
const CURRENCY_SUFFIXES: [&str; 4] = ["元", "CNY", "RMB", "人民币"];

fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.get(..p.len())?;
    head.eq_ignore_ascii_case(p).then(|| &s[p.len()..])
}

fn strip_suffix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(p.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(p).then(|| &s[..cut])
}

/// Reads an amount as people and spreadsheets write it: `1234.5`, `1,234.50`, `¥1,234.50`,
/// `CNY 12`, `12元`, `$3`, full-width digits `１２３`, negatives as `-12`, `¥-12` or `(12)`.
/// More than two decimals is `I-DECIMALS` unless the extra ones are zeros (`1.500`: exact).
/// Thousands separators must be commas every three digits. Up to 10^12 yuan.
pub fn parse_amount(input: &str) -> Result<Money, ImportProblem> {
    parse_amount_scaled(input, false)
}

/// Like [`parse_amount`], also accepting `万` (ten thousand) before the currency:
/// `500万`, `1,234.5678万元`, `5000万人民币` (registered capital as company registers write it).
/// With `万`, up to six decimals are exact.
pub fn parse_amount_wan(input: &str) -> Result<Money, ImportProblem> {
    parse_amount_scaled(input, true)
}

/// An amount that must be positive: negatives are `I-NEGATIVE`, zero is `I-ZERO`.
pub fn parse_positive_amount(input: &str) -> Result<Money, ImportProblem> {
    let m = parse_amount(input)?;
    if m.is_negative() {
        Err(ImportProblem::Negative)
    } else if m.is_zero() {
        Err(ImportProblem::Zero)
    } else {
        Ok(m)
    }
}

fn parse_amount_scaled(input: &str, allow_wan: bool) -> Result<Money, ImportProblem> {
    use ImportProblem::BadAmount;
    let folded = fold(input);
    let mut s = folded.trim();
    if s.is_empty() {
        return Err(ImportProblem::Required);
    }
    let mut neg = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        neg = true;
        s = inner.trim();
    }
    let mut take_minus = |s: &mut &str| -> Result<(), ImportProblem> {
        if let Some(rest) = s.strip_prefix('-') {
            if neg {
                return Err(BadAmount);
            }
            neg = true;
            *s = rest.trim_start();
        }
        Ok(())
    };
    take_minus(&mut s)?;
    if let Some(rest) = CURRENCY_PREFIXES.iter().find_map(|p| strip_prefix_ci(s, p)) {
        s = rest.trim_start();
    }
    take_minus(&mut s)?;
    if let Some(rest) = CURRENCY_SUFFIXES.iter().find_map(|p| strip_suffix_ci(s, p)) {
        s = rest.trim_end();
    }
    let mut scale = 0u32;
    if allow_wan {
        if let Some(rest) = s.strip_suffix('万') {
            s = rest.trim_end();
            scale = 4;
        }
    }
    let (int_part, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    let digits_ok = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() && frac.is_empty() {
        return Err(BadAmount);
    }
    if !digits_ok(frac) {
        return Err(BadAmount);
    }
    // Thousands separators: none, or commas every three digits.
    if int_part.contains(',') {
        let mut groups = int_part.split(',');
        let first = groups.next().unwrap_or("");
        if first.is_empty() || first.len() > 3 || groups.any(|g| g.len() != 3) {
            return Err(BadAmount);
        }
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return Err(BadAmount);
    }
    let allowed = 2 + scale as usize;
    let (kept, extra) = frac.split_at(frac.len().min(allowed));
    if extra.bytes().any(|b| b != b'0') {
        return Err(ImportProblem::TooManyDecimals);
    }
    let too_large = ImportProblem::AmountTooLarge {
        max_units: MAX_INPUT_UNITS,
    };
    let mut value: u128 = 0;
    let mut significant = 0;
    for b in int_part.bytes().filter(u8::is_ascii_digit) {
        if value > 0 || b != b'0' {
            significant += 1;
        }
        if significant > 20 {
            return Err(too_large);
        }
        value = value * 10 + (b - b'0') as u128;
    }
    for i in 0..allowed {
        let d = kept.as_bytes().get(i).map_or(0, |b| b - b'0');
        value = value * 10 + d as u128;
    }
    // `value` is now in units of 10^-allowed yuan scaled by 10^scale: exactly minor units.
    if value > (MAX_INPUT_UNITS as u128) * 100 {
        return Err(too_large);
    }
    let minor = value as i64;
    Ok(Money::from_minor(if neg { -minor } else { minor }))
}

/// A payment term in days, 0 to 365: `30`, `30天`, `30 days`.
pub fn parse_term_days(input: &str) -> Result<i32, ImportProblem> {
    let folded = fold(input);
    let mut s = folded.trim();
    if s.is_empty() {
        return Err(ImportProblem::Required);
    }
    for suffix in ["天", "日", "days", "day", "d"] {
        if let Some(rest) = strip_suffix_ci(s, suffix) {
            s = rest.trim_end();
            break;
        }
    }
    if !all_digits(s) {
        return Err(ImportProblem::BadNumber);
    }
    let range = ImportProblem::OutOfRange { min: 0, max: 365 };
    if s.len() > 6 {
        return Err(range);
    }
    let t: i32 = s.parse().map_err(|_| ImportProblem::BadNumber)?;
    if t > 365 {
        Err(range)
    } else {
        Ok(t)
    }
}

fn choice<T: Copy>(input: &str, table: &[(&str, T)]) -> Option<T> {
    let folded = fold(input);
    let s = folded.trim();
    table
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(s))
        .map(|(_, v)| *v)
}

/// An order status in English or Chinese; empty is `Open`. `Held` is not importable (orders are
/// held only by the credit check).
pub fn parse_order_status(input: &str) -> Result<OrderStatus, ImportProblem> {
    use OrderStatus::*;
    if input.trim().is_empty() {
        return Ok(Open);
    }
    const TABLE: &[(&str, OrderStatus)] = &[
        ("open", Open),
        ("未发货", Open),
        ("待发货", Open),
        ("shipped", Shipped),
        ("已发货", Shipped),
        ("invoiced", Invoiced),
        ("已开票", Invoiced),
        ("cancelled", Cancelled),
        ("canceled", Cancelled),
        ("已取消", Cancelled),
        ("取消", Cancelled),
    ];
    choice(input, TABLE).ok_or(ImportProblem::UnknownChoice)
}

/// An industry position: its key (`leader`, `major`, `average`, `small`) or Chinese name.
pub fn parse_industry_position(input: &str) -> Result<IndustryPosition, ImportProblem> {
    use IndustryPosition::*;
    const TABLE: &[(&str, IndustryPosition)] = &[
        ("leader", Leader),
        ("龙头", Leader),
        ("行业龙头", Leader),
        ("领先", Leader),
        ("major", Major),
        ("主要", Major),
        ("骨干", Major),
        ("average", Average),
        ("一般", Average),
        ("中等", Average),
        ("small", Small),
        ("较小", Small),
        ("小型", Small),
    ];
    if input.trim().is_empty() {
        return Err(ImportProblem::Required);
    }
    choice(input, TABLE).ok_or(ImportProblem::UnknownChoice)
}

/// A document number ([`DocNo`]: 1 to 24 bytes, no control characters).
pub fn parse_doc_no(input: &str) -> Result<DocNo, ImportProblem> {
    DocNo::parse(input).map_err(|p| match p {
        crate::error::Problem::Required => ImportProblem::Required,
        crate::error::Problem::TooLong { max } => ImportProblem::TooLong { max, bytes: true },
        _ => ImportProblem::BadText,
    })
}
