//! Receivables reports as of any date: aging, DSO (standard and countback), best possible DSO,
//! average days delinquent, the collection effectiveness index, collections per sales rep and
//! limit utilisation. Pure: every figure is a function of the ledger and the dates handed in.
//!
//! Conventions (the report pages state them too):
//! - **Aging is by due date.** On a date `d`, an open invoice whose due date is `d` or later is
//!   *current* (not yet due); otherwise it is `d - due` days past due and falls in 1-30, 31-60,
//!   61-90 or over 90. A partly paid invoice ages its remainder. The buckets of any set of
//!   invoices sum exactly to its open balance.
//! - **What was open on a date** is the ledger as it would have read that day: an invoice counts
//!   from its issue date; a payment's allocation or a credit note counts from its own date (or
//!   the invoice's issue date, if that is later). Order statuses and credit limits have no
//!   history: they are read as they stand now.
//! - **Periods** are the calendar months before the as-of date's month, each ending on its last
//!   day, and the as-of date's own month up to the as-of date (a partial period). A period's
//!   *days* are the days from the previous period's end (exclusive) to its end (inclusive).
//! - **Standard DSO** of a period = AR at its end / credit sales of the period x its days.
//!   **Countback DSO** takes the AR at the end of a period and walks back through the periods,
//!   latest first, taking each period's sales whole (and its days) until the AR is used up; the
//!   last period counts the fraction of its days that the remaining AR is of its sales.
//!   **Best possible DSO** = current (not yet due) AR / credit sales x days; **average days
//!   delinquent** = standard DSO - best possible DSO. Days are rounded half away from zero to a
//!   tenth, once, at the end.
//! - **CEI** over a period = (opening AR + credit sales - closing AR) / (opening AR + credit
//!   sales - closing current AR) x 100, rounded half away from zero to a tenth of a percent.
//!   Credit sales are the invoices issued in the period.

use crate::date::Date;
use crate::id::CustomerId;
use crate::ledger::{DaysTenths, Ledger, OpenItem};
use crate::money::{div_round_half_away, Money};
use serde::{Deserialize, Serialize};

/// An aging bucket, by days past due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Bucket {
    /// Not yet due (due today or later).
    Current,
    D1To30,
    D31To60,
    D61To90,
    Over90,
}

impl Bucket {
    pub const ALL: [Bucket; 5] = [
        Bucket::Current,
        Bucket::D1To30,
        Bucket::D31To60,
        Bucket::D61To90,
        Bucket::Over90,
    ];
    /// The bucket of an invoice that is `days` past due (0 or less: current).
    pub fn of(days_past_due: i32) -> Bucket {
        match days_past_due {
            i32::MIN..=0 => Bucket::Current,
            1..=30 => Bucket::D1To30,
            31..=60 => Bucket::D31To60,
            61..=90 => Bucket::D61To90,
            _ => Bucket::Over90,
        }
    }
    /// A stable code for URLs and CSV headers.
    pub fn code(self) -> &'static str {
        match self {
            Bucket::Current => "current",
            Bucket::D1To30 => "1-30",
            Bucket::D31To60 => "31-60",
            Bucket::D61To90 => "61-90",
            Bucket::Over90 => "90+",
        }
    }
    pub fn from_code(code: &str) -> Option<Bucket> {
        Bucket::ALL.into_iter().find(|b| b.code() == code)
    }
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Open amounts per bucket, indexed by [`Bucket::index`].
pub type Buckets = [Money; 5];

/// A customer or a portfolio on one date of a list of dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Point {
    pub date: Date,
    /// Open receivables on the date, and the same amount split by aging bucket.
    pub open_ar: Money,
    pub aging: Buckets,
    /// Open invoices past due on the date, and the most days one of them is past due.
    pub overdue_count: u32,
    pub max_days_overdue: i32,
    /// Flows since the previous date of the list (exclusive) up to this date (inclusive); for the
    /// first date, everything up to it. So `open_ar` equals the previous `open_ar` plus `sales`
    /// less `collected` and `credited`, exactly.
    pub sales: Money,
    pub collected: Money,
    pub credited: Money,
}

impl Point {
    pub fn overdue(&self) -> Money {
        self.open_ar - self.aging[0]
    }
    pub fn current(&self) -> Money {
        self.aging[0]
    }
    /// Counts `open`, what is open on `on` of an invoice due on `due`, in the balance and in its
    /// aging bucket (past due: also in the count and the most days past due).
    #[inline]
    fn age(&mut self, on: Date, due: Date, open: Money) {
        self.open_ar += open;
        let b = if due >= on {
            0
        } else {
            self.overdue_count += 1;
            let days = on.days_since(due);
            self.max_days_overdue = self.max_days_overdue.max(days);
            Bucket::of(days).index()
        };
        self.aging[b] += open;
    }

    /// Adds another customer's point of the same date (balances and flows add; the most days
    /// overdue is the larger).
    pub fn add(&mut self, o: &Point) {
        self.open_ar += o.open_ar;
        for (a, b) in self.aging.iter_mut().zip(o.aging) {
            *a += b;
        }
        self.overdue_count += o.overdue_count;
        self.max_days_overdue = self.max_days_overdue.max(o.max_days_overdue);
        self.sales += o.sales;
        self.collected += o.collected;
        self.credited += o.credited;
    }
}

/// The period ends of a report: the last day of each of the `periods - 1` months before
/// `as_of`'s month, then `as_of`; preceded by the end of the month before the first period (the
/// opening). `periods + 1` dates, oldest first.
pub fn period_ends(as_of: Date, periods: u32) -> Vec<Date> {
    let first = as_of.first_of_month();
    let mut out: Vec<Date> = (1..=periods as i32)
        .rev()
        .map(|k| first.add_months(1 - k).add_days(-1))
        .collect();
    out.push(as_of);
    out
}

/// Scratch space reused from one customer to the next.
#[derive(Default)]
pub struct Scratch {
    settled: Vec<i64>,
}

impl Ledger {
    /// Adds one customer's figures at each of `dates` (ascending) into `out` (one point per
    /// date). Money is summed in integer fen.
    pub fn points_into(
        &self,
        customer: CustomerId,
        dates: &[Date],
        out: &mut [Point],
        scratch: &mut Scratch,
    ) {
        if let Some(book) = self.book(customer) {
            self.book_points_into(book, dates, out, scratch);
        }
    }

    /// [`Ledger::points_into`] for a customer's book.
    fn book_points_into(
        &self,
        book: &crate::ledger::Book,
        dates: &[Date],
        out: &mut [Point],
        scratch: &mut Scratch,
    ) {
        let n = dates.len();
        debug_assert_eq!(out.len(), n);
        let Some(&last) = dates.last() else {
            return;
        };
        if let [on] = *dates {
            return self.point_into(book, on, &mut out[0], scratch);
        }
        let settled = &mut scratch.settled;
        settled.clear();
        settled.resize(book.invoices.len() * n, 0);
        for &s in &book.settlements {
            let s = &self.settlements[s as usize];
            let inv = &self.figures()[s.invoice as usize];
            let eff = s.date.max(inv.issue_date);
            // A correction ends it: from then it no longer counts (a void payment is money
            // collected back out, in the period of the void).
            if eff > last || s.until <= eff {
                continue;
            }
            // The amount comes in on its first day, and goes back out on its end (if in range).
            let ends = (s.until <= last).then_some((s.until, -s.amount));
            for (day, amount) in std::iter::once((eff, s.amount)).chain(ends) {
                let k = dates.partition_point(|d| *d < day);
                settled[s.pos as usize * n + k] += amount.minor();
                let o = &mut out[k];
                if s.is_payment() {
                    o.collected += amount;
                } else {
                    o.credited += amount;
                }
            }
        }
        for (pos, &i) in book.invoices.iter().enumerate() {
            let inv = &self.figures()[i as usize];
            let until = self.invoice_until[i as usize];
            if inv.issue_date > last || until <= inv.issue_date {
                continue;
            }
            let k0 = dates.partition_point(|d| *d < inv.issue_date);
            out[k0].sales += inv.amount;
            // A void invoice counts until its void (its sale is reversed in that period).
            let kend = if until <= last {
                let k = dates.partition_point(|d| *d < until);
                out[k].sales -= inv.amount;
                k
            } else {
                n
            };
            let mut open = inv.amount.minor();
            let row = &settled[pos * n..pos * n + n];
            for k in k0..kend {
                open -= row[k];
                if open == 0 {
                    // Nothing further can reopen it (settlements only reduce), unless a later
                    // entry over-settles: keep going only if one does.
                    if row[k + 1..].iter().all(|&x| x == 0) {
                        break;
                    }
                    continue;
                }
                out[k].age(dates[k], inv.due_date, Money::from_minor(open));
            }
        }
        for (p, d) in out.iter_mut().zip(dates) {
            p.date = *d;
        }
    }

    /// [`Ledger::points_into`] for one date, the aging report's case: the same figures in one
    /// pass over the settlements and one over the invoices, with no search for a row's period.
    /// A settlement counts on `on` from its first day (its own date, or its invoice's issue if
    /// that is later) until a correction ends it; one that came in and went back out by `on` adds
    /// nothing, neither to what is settled nor to the flows. An invoice counts from its issue
    /// until its void, the same way.
    fn point_into(
        &self,
        book: &crate::ledger::Book,
        on: Date,
        p: &mut Point,
        scratch: &mut Scratch,
    ) {
        let figures = self.figures();
        // What payments and what credit notes counted on `on` settled of each invoice, kept
        // apart for the flows (a settlement of an invoice not yet issued is left out with it).
        let settled = &mut scratch.settled;
        settled.clear();
        settled.resize(book.invoices.len() * 2, 0);
        for &s in &book.settlements {
            let s = &self.settlements[s as usize];
            if s.counts(on) {
                settled[s.pos as usize * 2 + usize::from(!s.is_payment())] += s.amount.minor();
            }
        }
        for (&i, settled) in book.invoices.iter().zip(settled.chunks_exact(2)) {
            let inv = &figures[i as usize];
            if inv.issue_date > on {
                continue;
            }
            p.collected += Money::from_minor(settled[0]);
            p.credited += Money::from_minor(settled[1]);
            if self.invoice_until[i as usize] <= on {
                continue;
            }
            p.sales += inv.amount;
            let open = inv.amount.minor() - settled[0] - settled[1];
            if open == 0 {
                continue;
            }
            p.age(on, inv.due_date, Money::from_minor(open));
        }
        p.date = on;
    }

    /// The figures of a set of customers, summed, at each of `dates` (ascending). The customers
    /// are visited in their books' order (see `Ledger::in_book_order`).
    pub fn portfolio(
        &self,
        customers: impl IntoIterator<Item = CustomerId>,
        dates: &[Date],
    ) -> Vec<Point> {
        let mut out = vec![Point::default(); dates.len()];
        let mut scratch = Scratch::default();
        for (book, _) in self.in_book_order(customers) {
            self.book_points_into(book, dates, &mut out, &mut scratch);
        }
        for (p, d) in out.iter_mut().zip(dates) {
            p.date = *d;
        }
        out
    }

    /// Calls `f` with each customer's position in `customers` and its figures at each of
    /// `dates`, reusing one buffer (no allocation per customer).
    pub fn each_customer(
        &self,
        customers: &[CustomerId],
        dates: &[Date],
        mut f: impl FnMut(usize, &[Point]),
    ) {
        let mut scratch = Scratch::default();
        let blank: Vec<Point> = dates
            .iter()
            .map(|d| Point {
                date: *d,
                ..Point::default()
            })
            .collect();
        let mut out = blank.clone();
        for (i, &c) in customers.iter().enumerate() {
            out.copy_from_slice(&blank);
            self.points_into(c, dates, &mut out, &mut scratch);
            f(i, &out);
        }
    }

    /// Each customer's figures at each of `dates`, in the order given (computed in the books'
    /// order, see `Ledger::in_book_order`).
    pub fn per_customer(&self, customers: &[CustomerId], dates: &[Date]) -> Vec<Vec<Point>> {
        let mut scratch = Scratch::default();
        let blank: Vec<Point> = dates
            .iter()
            .map(|d| Point {
                date: *d,
                ..Point::default()
            })
            .collect();
        let mut out = vec![blank; customers.len()];
        for (book, pos) in self.in_book_order(customers.iter().copied()) {
            self.book_points_into(book, dates, &mut out[pos], &mut scratch);
        }
        out
    }

    /// Credit sales (invoices issued) of a set of customers in each period: period `k` runs from
    /// `ends[k - 1]` (exclusive) to `ends[k]` (inclusive); period 0 from the beginning. A cheap
    /// pass over invoices only, for the long look-back of countback DSO.
    pub fn sales_in_periods(
        &self,
        customers: impl IntoIterator<Item = CustomerId>,
        ends: &[Date],
    ) -> Vec<Money> {
        let mut out = vec![Money::ZERO; ends.len()];
        let Some(&last) = ends.last() else {
            return out;
        };
        for c in customers {
            let Some(book) = self.book(c) else { continue };
            for &i in &book.invoices {
                let inv = &self.figures()[i as usize];
                let until = self.invoice_until[i as usize];
                if inv.issue_date <= last && inv.issue_date < until {
                    out[ends.partition_point(|d| *d < inv.issue_date)] += inv.amount;
                    if until <= last {
                        out[ends.partition_point(|d| *d < until)] -= inv.amount;
                    }
                }
            }
        }
        out
    }

    /// The open invoices of a set of customers on a date, with their customer, optionally only
    /// those of one bucket; oldest due date first.
    pub fn aged_items(
        &self,
        customers: impl IntoIterator<Item = CustomerId>,
        as_of: Date,
        bucket: Option<Bucket>,
    ) -> Vec<(CustomerId, OpenItem, Bucket)> {
        let mut out = Vec::new();
        for c in customers {
            for it in self.items(c, as_of) {
                if it.open.is_zero() {
                    continue;
                }
                let b = Bucket::of(it.days_overdue);
                if bucket.is_none_or(|x| x == b) {
                    out.push((c, it, b));
                }
            }
        }
        out.sort_by_key(|(_, it, _)| (it.due_date, it.number));
        out
    }
}

/// `num / den x days` in tenths of a day, rounded half away from zero; `None` without sales.
pub fn days_ratio(num: Money, den: Money, days: i32) -> Option<DaysTenths> {
    (den.is_positive()).then(|| {
        DaysTenths(
            div_round_half_away(num.minor() as i128 * days as i128 * 10, den.minor() as i128)
                as i64,
        )
    })
}

/// Standard DSO: AR at a period's end / the period's credit sales x its days.
pub fn dso_standard(ar: Money, sales: Money, days: i32) -> Option<DaysTenths> {
    days_ratio(ar, sales, days)
}

/// Best possible DSO: current (not yet due) AR / credit sales x days.
pub fn best_possible_dso(current_ar: Money, sales: Money, days: i32) -> Option<DaysTenths> {
    days_ratio(current_ar, sales, days)
}

/// Countback DSO's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Countback {
    Days(DaysTenths),
    /// The AR is more than all the sales of the periods given: more than this many days.
    MoreThan(i32),
}

/// Countback DSO: `periods` are `(credit sales, days)`, latest first. Rounded once, half away
/// from zero, to a tenth of a day.
pub fn dso_countback(ar: Money, periods: &[(Money, i32)]) -> Countback {
    let mut left = ar.minor() as i128;
    let mut whole_days: i128 = 0;
    if left <= 0 {
        return Countback::Days(DaysTenths(0));
    }
    for &(sales, days) in periods {
        let s = sales.minor() as i128;
        if left <= s {
            let frac = div_round_half_away(left * days as i128 * 10, s);
            return Countback::Days(DaysTenths((whole_days * 10 + frac) as i64));
        }
        left -= s;
        whole_days += days as i128;
    }
    Countback::MoreThan(whole_days as i32)
}

/// A percentage in tenths (`737` is 73.7%).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PercentTenths(pub i64);

impl PercentTenths {
    pub fn format(self) -> String {
        format!("{}%", DaysTenths(self.0).format())
    }
}

/// The collection effectiveness index over a period; `None` when its denominator is not positive
/// (nothing was collectable).
pub fn cei(
    opening_ar: Money,
    credit_sales: Money,
    closing_ar: Money,
    closing_current: Money,
) -> Option<PercentTenths> {
    let num = (opening_ar + credit_sales - closing_ar).minor() as i128;
    let den = (opening_ar + credit_sales - closing_current).minor() as i128;
    (den > 0).then(|| PercentTenths(div_round_half_away(num * 1000, den) as i64))
}

/// One period of the DSO report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DsoRow {
    /// The period: after `from` up to and including `to`.
    pub from: Date,
    pub to: Date,
    pub days: i32,
    pub ar: Money,
    pub current_ar: Money,
    pub sales: Money,
    pub collected: Money,
    pub standard: Option<DaysTenths>,
    pub countback: Countback,
    pub best_possible: Option<DaysTenths>,
    /// Average days delinquent: standard - best possible.
    pub delinquent: Option<DaysTenths>,
    pub cei: Option<PercentTenths>,
}

impl DsoRow {
    /// A period shorter than its calendar month (the month to date, or a start mid-month):
    /// standard DSO and CEI over a few days say little (one day of sales against a month's
    /// receivables reads as a DSO of 140), so it is labelled as such and trend lines leave it
    /// out. Countback DSO does not depend on the period's length.
    pub fn is_partial(&self) -> bool {
        let month_end = |d: Date| d.add_days(1).ymd().2 == 1;
        !month_end(self.to) || !month_end(self.from)
    }
}

/// The DSO report from a portfolio's points at `ends` (as [`period_ends`] gives them, opening
/// first) and the credit sales of every period of a longer look-back (`lookback_ends`, ending
/// with the same dates) for countback. One row per period, oldest first.
pub fn dso_rows(points: &[Point], lookback_ends: &[Date], lookback_sales: &[Money]) -> Vec<DsoRow> {
    let mut out = Vec::new();
    for k in 1..points.len() {
        let (prev, p) = (&points[k - 1], &points[k]);
        let days = p.date.days_since(prev.date);
        // Countback walks back from this period through the look-back periods.
        let at = lookback_ends.partition_point(|d| *d < p.date);
        let periods: Vec<(Money, i32)> = (1..=at.min(lookback_ends.len() - 1))
            .rev()
            .map(|j| {
                (
                    lookback_sales[j],
                    lookback_ends[j].days_since(lookback_ends[j - 1]),
                )
            })
            .collect();
        let standard = dso_standard(p.open_ar, p.sales, days);
        let best = best_possible_dso(p.current(), p.sales, days);
        out.push(DsoRow {
            from: prev.date,
            to: p.date,
            days,
            ar: p.open_ar,
            current_ar: p.current(),
            sales: p.sales,
            collected: p.collected,
            standard,
            countback: dso_countback(p.open_ar, &periods),
            best_possible: best,
            delinquent: standard.zip(best).map(|(s, b)| DaysTenths(s.0 - b.0)),
            cei: cei(prev.open_ar, p.sales, p.open_ar, p.current()),
        });
    }
    out
}

/// Collections of one sales rep over a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepRow {
    pub rep: String,
    pub customers: u32,
    pub collected: Money,
    pub open_ar: Money,
    pub overdue: Money,
    /// Overdue / open AR at the period's end, in basis points (rounded half away from zero).
    pub overdue_ratio_bp: Option<i64>,
    pub cei: Option<PercentTenths>,
    /// 1 for the best: highest CEI, then lowest overdue ratio, then most collected.
    pub rank: u32,
}

/// Groups customers' points (each `[opening, closing]`) by sales rep and ranks the reps.
pub fn collections_by_rep<'a>(
    rows: impl IntoIterator<Item = (&'a str, &'a [Point])>,
) -> Vec<RepRow> {
    let mut by: std::collections::BTreeMap<&str, (u32, Point, Point)> = Default::default();
    for (rep, pts) in rows {
        let (Some(open), Some(close)) = (pts.first(), pts.last()) else {
            continue;
        };
        let e = by.entry(rep).or_default();
        e.0 += 1;
        e.1.add(open);
        // The closing point's flows cover the period when the opening point is its start.
        e.2.add(close);
    }
    let mut out: Vec<RepRow> = by
        .into_iter()
        .map(|(rep, (n, open, close))| RepRow {
            rep: rep.to_string(),
            customers: n,
            collected: close.collected,
            open_ar: close.open_ar,
            overdue: close.overdue(),
            overdue_ratio_bp: crate::money::ratio_bp_round_half_away(
                close.overdue(),
                close.open_ar,
            ),
            cei: cei(open.open_ar, close.sales, close.open_ar, close.current()),
            rank: 0,
        })
        .collect();
    out.sort_by(|a, b| {
        b.cei
            .unwrap_or(PercentTenths(i64::MIN))
            .cmp(&a.cei.unwrap_or(PercentTenths(i64::MIN)))
            .then(
                a.overdue_ratio_bp
                    .unwrap_or(0)
                    .cmp(&b.overdue_ratio_bp.unwrap_or(0)),
            )
            .then(b.collected.cmp(&a.collected))
            .then(a.rep.cmp(&b.rep))
    });
    for (i, r) in out.iter_mut().enumerate() {
        r.rank = i as u32 + 1;
    }
    out
}

/// The bins of the utilisation histogram, in basis points: `[lo, hi)`, the last open-ended.
pub const UTILISATION_BINS: [(i64, i64); 11] = [
    (0, 1000),
    (1000, 2000),
    (2000, 3000),
    (3000, 4000),
    (4000, 5000),
    (5000, 6000),
    (6000, 7000),
    (7000, 8000),
    (8000, 9000),
    (9000, 10000),
    (10000, i64::MAX),
];

/// The histogram bin of a utilisation in basis points.
pub fn utilisation_bin(bp: i64) -> usize {
    UTILISATION_BINS
        .iter()
        .position(|(lo, hi)| bp >= *lo && bp < *hi)
        .unwrap_or(0)
}

/// A CSV file as Excel opens it: UTF-8 with a byte-order mark (so Chinese reads right), CRLF
/// line ends, fields quoted where needed, no cell a spreadsheet would run as a formula (see
/// [`crate::import::inert_cell`]). Amounts go in as plain decimals (`1234.50`).
pub fn csv_bytes(headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    crate::import::write_csv(headers, rows.iter().cloned())
}
