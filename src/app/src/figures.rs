//! The figures a start-up derives, kept between starts so that the next start shows them before
//! the ledger is read (ADR 0008).
//!
//! What is kept: each customer's line of the list ([`CustomerSummary`]) and rating ([`Rating`]),
//! about 45 bytes a customer, and the unfiltered dashboard of the user who was signed in (a few
//! kilobytes; it depends on whose customers one sees). What it is valid for, checked twice:
//! - the store keeps the bytes with the data revision they came from, and gives them back only
//!   while no write of data has happened since (`Store::derived`);
//! - the bytes name the business day and a fingerprint of the configuration they were computed
//!   under (the published scorecard and the credit policy): a new day, a published model or a
//!   changed policy makes them stale.
//!
//! Kept figures are a preview: once the ledger is read, the start-up computes every figure again
//! and replaces them. A write waits for the ledger (the forms say "Reading the ledger..."), so no
//! decision is ever made on them.
//!
//! The encoding: a format byte, the day, the fingerprint, the count, then per customer its id
//! (16 bytes) and its values as LEB128 varints (zigzag for signed ones); most are small or zero.
//! Last the dashboard: its length (0: none), then the user's id and the dashboard as JSON (it
//! is drawn once, so its size matters more than its speed).
//!
//! With them, the list's order by name ([`NameOrder`]): the browser's collation (Chinese by
//! pinyin) of 10,000 names is a task of about 70 ms at every start, and the names are data, so
//! the order kept with the figures is as valid as they are. Its language follows the fingerprint
//! (its length, 0: none), and each customer's record ends with its rank plus one (0: unranked).

use crate::reports::Dashboard;
use crate::Book;
use creditdesk_domain::dispute::Overdue;
use creditdesk_domain::id::IdMap;
use creditdesk_domain::rating::{Fixed, Grade, Rating};
use creditdesk_domain::{CustomerId, CustomerSummary, Date, Money};

/// The encoding's version: bytes of another version are not read.
const FORMAT: u8 = 3;

/// Kept figures, as read back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kept {
    pub summaries: IdMap<CustomerId, CustomerSummary>,
    pub rated: crate::PerCustomer<Rating>,
    /// The unfiltered dashboard as of the day, and the user it was drawn for.
    pub dashboard: Option<(String, Dashboard)>,
    /// The list's order by name, if one was kept.
    pub order: Option<NameOrder>,
}

/// Customers' names in a language's collation order: each customer's rank (equal names, equal
/// ranks), and the language's code (`zh-CN`, `en`). The browser computes it; the figures keep it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NameOrder {
    pub lang: String,
    pub ranks: IdMap<CustomerId, u32>,
}

impl NameOrder {
    /// The order of `ranks`, one per customer of `book.customers` in its order.
    pub fn of(book: &Book, lang: &str, ranks: Vec<u32>) -> NameOrder {
        NameOrder {
            lang: lang.to_string(),
            ranks: book.customers.iter().map(|c| c.id).zip(ranks).collect(),
        }
    }

    /// The ranks in the order of `book.customers`, if this order is in `lang` and ranks every
    /// customer.
    pub fn ranks_for(&self, book: &Book, lang: &str) -> Option<Vec<u32>> {
        if self.lang != lang {
            return None;
        }
        book.customers
            .iter()
            .map(|c| self.ranks.get(&c.id).copied())
            .collect()
    }
}

/// A fingerprint of what the kept figures depend on besides the data: the published model and
/// the policy, as JSON (FNV-1a, stable across builds).
pub fn inputs(book: &Book) -> u64 {
    let json = serde_json::to_string(&(&book.model, &book.policy)).unwrap_or_default();
    json.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The book's figures as bytes (every customer with a summary or a rating, by id), and
/// `dashboard`: the book's unfiltered dashboard as of its day for its user, if computed, and
/// `order`: the list's order by name, if known.
pub fn encode(book: &Book, dashboard: Option<&Dashboard>, order: Option<&NameOrder>) -> Vec<u8> {
    let mut w = Vec::with_capacity(64 + book.summaries.len() * 50);
    w.push(FORMAT);
    w.extend_from_slice(&book.as_of.days().to_le_bytes());
    w.extend_from_slice(&inputs(book).to_le_bytes());
    let lang = order.map_or("", |o| o.lang.as_str());
    uint(&mut w, lang.len() as u64);
    w.extend_from_slice(lang.as_bytes());
    let ids: std::collections::BTreeSet<CustomerId> = book
        .summaries
        .keys()
        .chain(book.rated.keys())
        .copied()
        .collect();
    uint(&mut w, ids.len() as u64);
    for id in ids {
        w.extend_from_slice(&id.as_u128().to_le_bytes());
        let s = book.summaries.get(&id).copied().unwrap_or_default();
        for m in [
            s.open_ar,
            s.overdue,
            s.open_orders,
            s.held_orders,
            s.disputed,
            s.disputed_overdue,
            s.undisputed.amount,
        ] {
            int(&mut w, m.minor());
        }
        uint(&mut w, s.overdue_count as u64);
        int(&mut w, s.max_days_overdue as i64);
        uint(&mut w, s.undisputed.count as u64);
        int(&mut w, s.undisputed.max_days as i64);
        for d in [s.last_invoice, s.oldest_open_due] {
            match d {
                Some(d) => {
                    w.push(1);
                    int(&mut w, d.days() as i64);
                }
                None => w.push(0),
            }
        }
        match book.rated.get(&id) {
            Some(r) => {
                w.push(1 + r.grade as u8 + if r.provisional { 8 } else { 0 });
                int(&mut w, r.score.0);
            }
            None => w.push(0),
        }
        if let Some(o) = order.filter(|o| !o.lang.is_empty()) {
            uint(&mut w, o.ranks.get(&id).map_or(0, |&r| r as u64 + 1));
        }
    }
    match dashboard.and_then(|d| serde_json::to_vec(&(&book.user, d)).ok()) {
        Some(json) => {
            uint(&mut w, json.len() as u64);
            w.extend_from_slice(&json);
        }
        None => uint(&mut w, 0),
    }
    w
}

/// Kept figures for `as_of` under `inputs`; `None` when they are for another day, another
/// configuration or another format. Bytes that do not read are an error (they are not used).
pub fn decode(bytes: &[u8], as_of: Date, inputs: u64) -> Result<Option<Kept>, String> {
    let mut r = Reader { b: bytes, at: 0 };
    if r.byte()? != FORMAT {
        return Ok(None);
    }
    let day = i32::from_le_bytes(r.take::<4>()?);
    let fp = u64::from_le_bytes(r.take::<8>()?);
    if day != as_of.days() || fp != inputs {
        return Ok(None);
    }
    let lang_len = r.uint()? as usize;
    let lang =
        r.b.get(r.at..r.at.saturating_add(lang_len))
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| format!("the order's language at byte {} does not read", r.at))?
            .to_string();
    r.at += lang_len;
    let n = r.uint()? as usize;
    let mut kept = Kept::default();
    kept.summaries.reserve(n.min(1 << 20));
    let mut ranks = IdMap::default();
    for _ in 0..n {
        let id = CustomerId::from_u128(u128::from_le_bytes(r.take::<16>()?));
        let mut money = [Money::ZERO; 7];
        for m in &mut money {
            *m = Money::from_minor(r.int()?);
        }
        let [open_ar, overdue, open_orders, held_orders, disputed, disputed_overdue, undisputed] =
            money;
        let overdue_count = r.small()?;
        let max_days_overdue = r.int32()?;
        let undisputed = Overdue {
            amount: undisputed,
            count: r.small()?,
            max_days: r.int32()?,
        };
        let mut dates = [None; 2];
        for d in &mut dates {
            *d = match r.byte()? {
                0 => None,
                1 => Some(Date::from_days(r.int32()?)),
                b => return Err(format!("a date's marker {b} at byte {}", r.at - 1)),
            };
        }
        kept.summaries.insert(
            id,
            CustomerSummary {
                open_ar,
                overdue,
                overdue_count,
                max_days_overdue,
                open_orders,
                held_orders,
                last_invoice: dates[0],
                oldest_open_due: dates[1],
                disputed,
                disputed_overdue,
                undisputed,
            },
        );
        let tag = r.byte()?;
        if tag != 0 {
            let grade = *Grade::ALL
                .get(((tag - 1) & 7) as usize)
                .ok_or_else(|| format!("a grade's marker {tag} at byte {}", r.at - 1))?;
            let score = Fixed(r.int()?);
            kept.rated.insert(
                id,
                Rating {
                    score,
                    grade,
                    provisional: (tag - 1) & 8 != 0,
                },
            );
        }
        if lang_len > 0 {
            match r.uint()? {
                0 => {}
                rank => {
                    let rank = u32::try_from(rank - 1)
                        .map_err(|_| format!("a rank too large at byte {}", r.at))?;
                    ranks.insert(id, rank);
                }
            }
        }
    }
    if lang_len > 0 {
        kept.order = Some(NameOrder { lang, ranks });
    }
    let len = r.uint()? as usize;
    if len > 0 {
        let at = r.at;
        let json =
            r.b.get(at..at.saturating_add(len))
                .ok_or_else(|| format!("the figures end at byte {}", r.b.len()))?;
        r.at += len;
        kept.dashboard = Some(
            serde_json::from_slice(json)
                .map_err(|e| format!("the dashboard at byte {at} does not read: {e}"))?,
        );
    }
    if r.at != bytes.len() {
        return Err(format!("{} bytes after the dashboard", bytes.len() - r.at));
    }
    Ok(Some(kept))
}

/// Fills the book's list figures and grades (and its kept dashboard, if it was drawn for the
/// book's user) from bytes the store kept ([`Store::derived`], which
/// answers only while no data changed since; [`Store::put_derived`] of [`encode`] keeps them),
/// when they are valid for the book's day and configuration; true when it did. Call it once the
/// configuration is in the book. Bytes that do not read are left alone (the start-up computes
/// the figures anyway).
///
/// [`Store::derived`]: creditdesk_storage::Store::derived
/// [`Store::put_derived`]: creditdesk_storage::Store::put_derived
pub fn apply(bytes: &[u8], book: &mut Book) -> bool {
    match decode(bytes, book.as_of, inputs(book)) {
        Ok(Some(kept)) => {
            book.summaries = kept.summaries;
            book.rated = kept.rated;
            book.kept_dashboard = kept
                .dashboard
                .filter(|(user, _)| *user == book.user)
                .map(|(_, d)| d);
            book.kept_order = kept.order;
            true
        }
        Ok(None) | Err(_) => false,
    }
}

fn uint(w: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        w.push((v as u8) | 0x80);
        v >>= 7;
    }
    w.push(v as u8);
}

fn int(w: &mut Vec<u8>, v: i64) {
    uint(w, ((v << 1) ^ (v >> 63)) as u64);
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

/// The error of bytes that end before what they must hold, at byte `at`. The errors are made
/// out of line and the readers below always inlined: the app is built for size (opt-level "z"),
/// which left them as calls, and a start reads every customer's figures before the list shows
/// (10,000 customers: about 150,000 numbers). The large book's decoding, as wasm in V8: 10.2-11.0
/// ms as calls, 6.2-6.4 ms inlined.
#[cold]
#[inline(never)]
fn ended(at: usize) -> String {
    format!("the figures end at byte {at}")
}

impl Reader<'_> {
    #[inline(always)]
    fn byte(&mut self) -> Result<u8, String> {
        match self.b.get(self.at) {
            Some(&v) => {
                self.at += 1;
                Ok(v)
            }
            None => Err(ended(self.at)),
        }
    }
    #[inline(always)]
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        match self.b.get(self.at..self.at + N) {
            Some(s) => {
                self.at += N;
                Ok(s.try_into().expect("N bytes"))
            }
            None => Err(ended(self.b.len())),
        }
    }
    /// A base-128 number of at most ten bytes, low bits first.
    #[inline(always)]
    fn uint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        let mut shift = 0;
        while shift < 64 {
            let b = self.byte()?;
            v |= ((b & 0x7f) as u64) << shift;
            if b < 0x80 {
                return Ok(v);
            }
            shift += 7;
        }
        Err(too_long(self.at))
    }
    #[inline(always)]
    fn int(&mut self) -> Result<i64, String> {
        let v = self.uint()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }
    #[inline(always)]
    fn int32(&mut self) -> Result<i32, String> {
        let at = self.at;
        i32::try_from(self.int()?).map_err(|_| out_of_range("a day count", at))
    }
    #[inline(always)]
    fn small(&mut self) -> Result<u32, String> {
        let at = self.at;
        u32::try_from(self.uint()?).map_err(|_| out_of_range("a count", at))
    }
}

#[cold]
#[inline(never)]
fn too_long(at: usize) -> String {
    format!("a number longer than 64 bits at byte {at}")
}

#[cold]
#[inline(never)]
fn out_of_range(what: &str, at: usize) -> String {
    format!("{what} out of range at byte {at}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use creditdesk_domain::rating::Grade;

    /// What `read` makes of `bytes` (as a number), or the error it says.
    fn check(
        read: fn(&mut Reader) -> Result<i64, String>,
        bytes: &[u8],
        expected: Result<i64, &str>,
    ) {
        let mut r = Reader { b: bytes, at: 0 };
        assert_eq!(read(&mut r), expected.map_err(String::from), "{bytes:?}");
    }

    #[test]
    fn numbers_read_back_and_bad_ones_say_what_and_at_which_byte() {
        let uint: fn(&mut Reader) -> Result<i64, String> = |r| r.uint().map(|v| v as i64);
        check(uint, &[0], Ok(0));
        check(uint, &[0x7f], Ok(127));
        check(uint, &[0x80, 0x01], Ok(128));
        check(uint, &[0xff, 0xff, 0xff, 0xff, 0x0f], Ok(u32::MAX as i64));
        let mut max = vec![0xff; 9];
        max.push(0x01);
        check(uint, &max, Ok(-1)); // u64::MAX
        check(uint, &[], Err("the figures end at byte 0"));
        check(uint, &[0x80, 0x80], Err("the figures end at byte 2"));
        check(
            uint,
            &[0xff; 11],
            Err("a number longer than 64 bits at byte 10"),
        );
        let small: fn(&mut Reader) -> Result<i64, String> = |r| {
            r.at = 1;
            r.small().map(i64::from)
        };
        check(small, b"-\x7f", Ok(127));
        check(
            small,
            b"-\xff\xff\xff\xff\x10",
            Err("a count out of range at byte 1"),
        );
        let int32: fn(&mut Reader) -> Result<i64, String> = |r| r.int32().map(i64::from);
        check(int32, &[0x03], Ok(-2));
        check(int32, &[0xfe, 0xff, 0xff, 0xff, 0x0f], Ok(i32::MAX as i64));
        check(
            int32,
            &[0x80, 0x80, 0x80, 0x80, 0x10],
            Err("a day count out of range at byte 0"),
        );
        // A fixed-size part short of its bytes says where the figures end.
        let take: fn(&mut Reader) -> Result<i64, String> =
            |r| r.take::<4>().map(|b| i32::from_le_bytes(b) as i64);
        check(take, &[1, 0, 0, 0], Ok(1));
        check(take, &[1, 0, 0], Err("the figures end at byte 3"));
    }

    fn summary(seed: i64) -> CustomerSummary {
        CustomerSummary {
            open_ar: Money::from_minor(seed * 1_234_567),
            overdue: Money::from_minor(seed * 1_000),
            overdue_count: seed as u32 % 7,
            max_days_overdue: (seed as i32 % 90) - 3,
            open_orders: Money::from_minor(-seed),
            held_orders: Money::ZERO,
            last_invoice: (seed % 2 == 0).then(|| Date::from_days(20_000 + seed as i32)),
            oldest_open_due: Some(Date::from_days(19_000 - seed as i32)),
            disputed: Money::from_minor(i64::MAX - seed),
            disputed_overdue: Money::from_minor(i64::MIN + seed),
            undisputed: Overdue {
                amount: Money::from_minor(seed),
                count: u32::MAX,
                max_days: i32::MIN,
            },
        }
    }

    fn book(n: i64) -> Book {
        let mut b = Book {
            as_of: Date::from_days(20_500),
            ..Book::default()
        };
        for i in 0..n {
            let id = CustomerId::from_u128(0xfeed_0000_0000_0000_0000_0000_0000_0000 + i as u128);
            b.summaries.insert(id, summary(i));
            if i % 3 != 0 {
                b.rated.insert(
                    id,
                    Rating {
                        score: Fixed(i * 137 - 500),
                        grade: Grade::ALL[i as usize % 5],
                        provisional: i % 2 == 0,
                    },
                );
            }
        }
        b
    }

    #[test]
    fn kept_figures_read_back_as_they_were_written() {
        let b = book(50);
        let kept = decode(&encode(&b, None, None), b.as_of, inputs(&b))
            .unwrap()
            .unwrap();
        assert_eq!(kept.summaries, b.summaries);
        assert_eq!(kept.rated, b.rated);
    }

    #[test]
    fn figures_of_another_day_or_configuration_are_not_used() {
        let b = book(3);
        let bytes = encode(&b, None, None);
        assert_eq!(
            decode(&bytes, Date::from_days(20_501), inputs(&b)),
            Ok(None)
        );
        assert_eq!(decode(&bytes, b.as_of, inputs(&b) ^ 1), Ok(None));
        let mut other = vec![FORMAT + 1];
        other.extend_from_slice(&bytes[1..]);
        assert_eq!(decode(&other, b.as_of, inputs(&b)), Ok(None));
        let mut policy = book(3);
        policy.policy.disputes.in_rating = !policy.policy.disputes.in_rating;
        assert_ne!(
            inputs(&policy),
            inputs(&b),
            "the policy is part of the fingerprint"
        );
    }

    #[test]
    fn cut_or_padded_bytes_are_an_error_that_says_where() {
        let b = book(4);
        let bytes = encode(&b, None, None);
        for cut in [14, 30, bytes.len() - 1] {
            let e = decode(&bytes[..cut], b.as_of, inputs(&b)).unwrap_err();
            assert!(e.contains("end at byte"), "{e}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            decode(&longer, b.as_of, inputs(&b)),
            Err("1 bytes after the dashboard".into())
        );
        let mut book_of = book(4);
        assert!(
            !apply(&bytes[..30], &mut book_of),
            "unreadable bytes are not applied"
        );
    }

    fn dashboard(rep: &str) -> Dashboard {
        use creditdesk_domain::reports::{Countback, DsoRow, PercentTenths, Point, RepRow};
        let p = |days: i32, open: i64| Point {
            date: Date::from_days(days),
            open_ar: Money::from_minor(open),
            aging: [
                Money::from_minor(open),
                Money::ZERO,
                Money::from_minor(-1),
                Money::ZERO,
                Money::ZERO,
            ],
            overdue_count: 3,
            max_days_overdue: -2,
            sales: Money::from_minor(i64::MAX),
            collected: Money::from_minor(i64::MIN),
            credited: Money::ZERO,
        };
        Dashboard {
            as_of: Date::from_days(20_500),
            customers: 2,
            points: (0..13)
                .map(|i| p(20_100 + 30 * i, 1_000 * i as i64))
                .collect(),
            dso: vec![DsoRow {
                from: Date::from_days(20_470),
                to: Date::from_days(20_500),
                days: 30,
                ar: Money::from_minor(5),
                current_ar: Money::ZERO,
                sales: Money::from_minor(7),
                collected: Money::from_minor(2),
                standard: None,
                countback: Countback::MoreThan(90),
                best_possible: Some(creditdesk_domain::ledger::DaysTenths(-15)),
                delinquent: None,
                cei: Some(PercentTenths(737)),
            }],
            period_start: Date::from_days(20_410),
            cei: None,
            reps: vec![RepRow {
                rep: rep.into(),
                customers: 2,
                collected: Money::from_minor(2),
                open_ar: Money::from_minor(5),
                overdue: Money::ZERO,
                overdue_ratio_bp: Some(10_000),
                cei: None,
                rank: 1,
            }],
            utilisation_bp: Some(9_001),
            over_90: 1,
            frozen: 0,
            open_requests: 4,
            open_alerts: 12_000,
            grades: [
                (1, Money::from_minor(5)),
                (0, Money::ZERO),
                (1, Money::ZERO),
                (0, Money::ZERO),
                (0, Money::ZERO),
            ],
            util_bins: [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0],
            no_limit: 0,
            limits_hidden: false,
            top_risk: vec![(
                CustomerId::from_u128(7),
                "华东 \"quoted\" Ltd".into(),
                Grade::C,
                Money::from_minor(5),
                91,
                Some(12_345),
            )],
        }
    }

    #[test]
    fn the_dashboard_comes_back_only_for_the_user_it_was_drawn_for() {
        let mut b = book(5);
        b.user = "rep-li".into();
        let dash = dashboard("李雷");
        let bytes = encode(&b, Some(&dash), None);
        let kept = decode(&bytes, b.as_of, inputs(&b)).unwrap().unwrap();
        assert_eq!(kept.dashboard, Some(("rep-li".to_string(), dash.clone())));
        assert_eq!(
            kept.summaries, b.summaries,
            "the customers' figures are still there"
        );
        let next = |user: &str| {
            let mut n = Book {
                as_of: b.as_of,
                user: user.into(),
                ..Book::default()
            };
            assert!(apply(&bytes, &mut n));
            n
        };
        assert_eq!(next("rep-li").kept_dashboard, Some(dash));
        let other = next("admin");
        assert_eq!(
            other.kept_dashboard, None,
            "another user's dashboard is not shown"
        );
        assert_eq!(other.summaries, b.summaries);
        // Without a dashboard, none comes back.
        let plain = decode(&encode(&b, None, None), b.as_of, inputs(&b))
            .unwrap()
            .unwrap();
        assert_eq!(plain.dashboard, None);
    }

    #[test]
    fn the_order_by_name_comes_back_with_its_language_and_only_when_kept() {
        let b = book(40);
        let ids: Vec<CustomerId> = b.summaries.keys().copied().collect();
        // Every customer but the last ranked; two share a rank (equal names).
        let order = NameOrder {
            lang: "zh-CN".into(),
            ranks: ids[..39]
                .iter()
                .enumerate()
                .map(|(i, id)| (*id, (i as u32 * 7919) % 40 / 2))
                .collect(),
        };
        let bytes = encode(&b, None, Some(&order));
        let kept = decode(&bytes, b.as_of, inputs(&b)).unwrap().unwrap();
        assert_eq!(kept.order, Some(order.clone()));
        assert_eq!(kept.summaries, b.summaries, "the figures read as before");
        let mut next = Book {
            as_of: b.as_of,
            ..Book::default()
        };
        assert!(apply(&bytes, &mut next));
        assert_eq!(next.kept_order, Some(order));
        // None kept: none comes back, and the bytes are those without it.
        let plain = decode(&encode(&b, None, None), b.as_of, inputs(&b))
            .unwrap()
            .unwrap();
        assert_eq!(plain.order, None);
        // A damaged language is an error that says where.
        let mut broken = bytes.clone();
        broken[14] = 0xff;
        let e = decode(&broken, b.as_of, inputs(&b)).unwrap_err();
        assert!(e.contains("language at byte 14"), "{e}");
    }

    #[test]
    fn an_order_maps_ranks_to_the_books_customers_and_back_only_whole_and_in_its_language() {
        use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
        let mut all = generate(&DemoSpec::demo(Date::from_days(20_500), DemoLang::En)).customers;
        let mut b = book(0);
        b.customers = all.drain(..3).collect();
        let order = NameOrder::of(&b, "en", vec![2, 0, 1]);
        assert_eq!(order.ranks_for(&b, "en"), Some(vec![2, 0, 1]));
        assert_eq!(order.ranks_for(&b, "zh-CN"), None, "another language");
        b.customers.push(all.remove(0));
        assert_eq!(
            order.ranks_for(&b, "en"),
            None,
            "a customer it does not rank"
        );
    }

    #[test]
    fn a_dashboard_that_does_not_read_is_an_error_that_says_where() {
        let mut b = book(2);
        b.user = "u".into();
        let mut bytes = encode(&b, Some(&dashboard("r")), None);
        let n = bytes.len();
        // Cut inside the JSON: the length says more bytes than there are.
        let e = decode(&bytes[..n - 5], b.as_of, inputs(&b)).unwrap_err();
        assert!(e.contains("end at byte"), "{e}");
        // Same length, damaged text.
        bytes[n - 3] = b'#';
        let e = decode(&bytes, b.as_of, inputs(&b)).unwrap_err();
        assert!(e.starts_with("the dashboard at byte "), "{e}");
    }

    #[test]
    fn ten_thousand_customers_take_under_fifty_bytes_each() {
        let mut b = book(10_000);
        for (i, s) in b.summaries.values_mut().enumerate() {
            let i = i as i64;
            *s = CustomerSummary {
                open_ar: Money::from_minor(12_345_600 + i * 1_001),
                overdue: Money::from_minor(i * 313),
                overdue_count: 2,
                max_days_overdue: 45,
                last_invoice: Some(Date::from_days(20_490)),
                oldest_open_due: Some(Date::from_days(20_400)),
                undisputed: Overdue {
                    amount: Money::from_minor(i * 313),
                    count: 2,
                    max_days: 45,
                },
                ..CustomerSummary::default()
            };
        }
        let n = encode(&b, None, None).len();
        assert!(n < 10_000 * 50 + 64, "{n} bytes");
    }
}
