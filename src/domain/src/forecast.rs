//! The collections forecast: the cash each open invoice is expected to bring in each of the next
//! [`WEEKS`] weeks, from how its customer has paid, with a band; and its back-test, last
//! quarter's forecast set against what was collected.
//!
//! Method (every step in integer fen; the band's square root is an integer one):
//! - **Weeks.** Week 1 is the 7 days after the as-of date (the as-of day's payments are in the
//!   ledger already), week 2 the 7 after that, and so on to week 13.
//! - **A pattern** is how a set of customers has paid: for every payment allocation that stands on
//!   the as-of date and came in during the [`HISTORY_DAYS`] before it, the days from the
//!   invoice's due date to the day the money came (negative: early), weighted by the amount. A
//!   customer with at least [`MIN_OWN`] such allocations has its own pattern ([`Basis::Own`]);
//!   one with fewer borrows the book's, all customers' payments together ([`Basis::Book`]); when
//!   the book has no payment history at all, invoices are expected on their due date
//!   ([`Basis::Terms`]).
//! - **An open invoice** `d` days past due (negative: due in `-d` days) has not been paid by
//!   now, so only the part of the pattern later than `d` days applies; its open amount is spread
//!   over the weeks in proportion to the weight of that part falling in each week, and what
//!   falls after week 13 is [`Cash::later`]. When the customer's own pattern has never paid that
//!   late, the book's is asked; when nobody has, the amount is [`Cash::at_risk`]: no pattern
//!   expects it (unless the invoice is not past due yet: thin history does not put an invoice at
//!   risk before its due date, it is then expected on that date). The split is exact: the weeks, later and at risk sum to the open amount, to the
//!   fen (largest remainder, ties to the earlier week).
//! - **The band** of a week is an 80% interval: each invoice either pays in the week (with the
//!   probability its pattern gives) or not, independently, so the week's variance is the sum of
//!   `expected x (open - expected)` over its invoices; the band is the expected amount plus or
//!   minus 1.282 standard deviations (the low end rounded down and never below zero, the high end
//!   rounded up). Payments of one customer move together more than this assumes, so the band is,
//!   if anything, too narrow; the back-test says how often the collected amount fell inside.
//! - **The back-test** forecasts as of 13 weeks before the as-of date, from the ledger as it read
//!   that day, and sets each week against the cash that came in on the invoices open then
//!   (payments only: a credit note brings no money; a void payment is not cash). Its error is the
//!   weighted absolute percentage error, sum |forecast - collected| / sum collected, and its bias
//!   (sum forecast - sum collected) / sum collected, both in basis points.

use crate::date::Date;
use crate::id::CustomerId;
use crate::ledger::Ledger;
use crate::money::{div_round_half_away, Money};

/// How many weeks ahead the forecast looks.
pub const WEEKS: usize = 13;
/// How far back a pattern looks, in days.
pub const HISTORY_DAYS: i32 = 365;
/// The least number of payment allocations in the history for a customer's own pattern.
pub const MIN_OWN: u32 = 5;
/// The band's half-width in standard deviations, in thousandths (80%, two-sided).
const Z80_MILLI: u128 = 1282;

/// Whose payments a customer's forecast is drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Basis {
    /// The customer's own payments.
    Own,
    /// Too little history of its own: the book's payments.
    Book,
    /// No payment history in the book at all: each invoice on its due date (week 1 if past due).
    Terms,
}

impl Basis {
    pub fn code(self) -> &'static str {
        match self {
            Basis::Own => "own",
            Basis::Book => "book",
            Basis::Terms => "terms",
        }
    }
}

/// Expected cash: per week, after the horizon, and not expected at all, with each week's
/// variance (fen squared) for the band. Sums of these add field by field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cash {
    /// What is open now (= the weeks + later + at risk).
    pub open: Money,
    pub weeks: [Money; WEEKS],
    /// Expected after week 13.
    pub later: Money,
    /// No pattern has ever paid this late: not expected.
    pub at_risk: Money,
    variance: [u128; WEEKS],
}

impl Cash {
    /// Adds another's figures (a customer's to its rep's, a rep's to the total).
    pub fn add(&mut self, o: &Cash) {
        self.open += o.open;
        for k in 0..WEEKS {
            self.weeks[k] += o.weeks[k];
            self.variance[k] += o.variance[k];
        }
        self.later += o.later;
        self.at_risk += o.at_risk;
    }

    /// What the 13 weeks are expected to bring together.
    pub fn horizon(&self) -> Money {
        self.weeks.iter().copied().sum()
    }

    /// Week `k`'s 80% band (0-based), as (low, high).
    pub fn band(&self, k: usize) -> (Money, Money) {
        let sd = self.variance[k].isqrt();
        let half = div_round_half_away((sd * Z80_MILLI) as i128, 1000) as i64;
        let e = self.weeks[k].minor();
        (
            Money::from_minor((e - half).max(0)),
            Money::from_minor(e + half),
        )
    }
}

/// One customer's forecast.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub customer: CustomerId,
    pub basis: Basis,
    pub cash: Cash,
}

/// The forecast of a set of customers as of a date: a line for each with anything open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forecast {
    pub as_of: Date,
    pub lines: Vec<Line>,
}

impl Forecast {
    /// Week `k`'s first and last day (0-based).
    pub fn week(&self, k: usize) -> (Date, Date) {
        week_of(self.as_of, k)
    }

    /// Every line together.
    pub fn total(&self) -> Cash {
        let mut t = Cash::default();
        for l in &self.lines {
            t.add(&l.cash);
        }
        t
    }

    /// The lines summed by a key (a sales rep, a region), in the key's order.
    pub fn by<K: Ord>(&self, key: impl Fn(CustomerId) -> K) -> Vec<(K, Cash)> {
        let mut out: std::collections::BTreeMap<K, Cash> = Default::default();
        for l in &self.lines {
            out.entry(key(l.customer)).or_default().add(&l.cash);
        }
        out.into_iter().collect()
    }
}

fn week_of(as_of: Date, k: usize) -> (Date, Date) {
    let first = as_of.add_days(1 + 7 * k as i32);
    (first, first.add_days(6))
}

/// Days late (from the due date to the money) with their weight, sorted, merged and summed up
/// to each day.
#[derive(Clone, Debug, Default)]
struct Pattern {
    days: Vec<i32>,
    /// Weight of the payments up to and including `days[i]`.
    cum: Vec<i64>,
    count: u32,
}

impl Pattern {
    fn new(mut obs: Vec<(i32, i64)>) -> Pattern {
        obs.sort_unstable_by_key(|o| o.0);
        let mut p = Pattern {
            count: obs.len() as u32,
            ..Pattern::default()
        };
        let mut run = 0i64;
        for (d, w) in obs {
            run += w;
            if p.days.last() == Some(&d) {
                *p.cum.last_mut().expect("a day has its sum") = run;
            } else {
                p.days.push(d);
                p.cum.push(run);
            }
        }
        p
    }
    fn total(&self) -> i64 {
        self.cum.last().copied().unwrap_or(0)
    }
    /// The weight of payments at most `d` days late.
    fn upto(&self, d: i32) -> i64 {
        match self.days.partition_point(|&x| x <= d) {
            0 => 0,
            i => self.cum[i - 1],
        }
    }
    /// The weights, for an invoice `d` days past due today, of payment in each week and after,
    /// or `None` when the pattern has never paid later than `d` days.
    fn spread(&self, d: i32) -> Option<[i64; WEEKS + 1]> {
        let total = self.total() - self.upto(d);
        if total <= 0 {
            return None;
        }
        let mut w = [0i64; WEEKS + 1];
        let mut before = self.upto(d);
        for (k, slot) in w.iter_mut().take(WEEKS).enumerate() {
            let upto = self.upto(d + 7 * (k as i32 + 1));
            *slot = upto - before;
            before = upto;
        }
        w[WEEKS] = self.total() - before;
        Some(w)
    }
}

/// `amount` split in proportion to `weights` (not all zero), exactly: each part rounded down,
/// the fen left over going to the largest remainders (ties: the earlier part).
fn split(amount: i64, weights: &[i64; WEEKS + 1]) -> [i64; WEEKS + 1] {
    let total: i128 = weights.iter().map(|&w| w as i128).sum();
    let mut parts = [0i64; WEEKS + 1];
    let mut rems = [(0i128, 0usize); WEEKS + 1];
    for (k, &w) in weights.iter().enumerate() {
        let x = amount as i128 * w as i128;
        parts[k] = (x / total) as i64;
        rems[k] = (x % total, k);
    }
    let left = amount - parts.iter().sum::<i64>();
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, k) in rems.iter().take(left as usize) {
        parts[k] += 1;
    }
    parts
}

/// All weight on the week of the due date, `d` days past due (week 1 once it has passed).
fn on_due(d: i32) -> [i64; WEEKS + 1] {
    let k = ((-d - 1).max(0) / 7) as usize;
    let mut w = [0i64; WEEKS + 1];
    w[k.min(WEEKS)] = 1;
    w
}

/// One customer's payment observations in the history before `as_of`.
fn observations(ledger: &Ledger, customer: CustomerId, as_of: Date) -> Vec<(i32, i64)> {
    let Some(book) = ledger.book(customer) else {
        return Vec::new();
    };
    let since = as_of.add_days(-HISTORY_DAYS);
    let invoices = ledger.invoices();
    book.settlements
        .iter()
        .map(|&s| ledger.settlements[s as usize])
        .filter(|s| s.is_payment() && s.counts(as_of) && s.paid > since && s.paid <= as_of)
        .map(|s| {
            let due = invoices[s.invoice as usize].due_date;
            (s.paid.days_since(due), s.amount.minor())
        })
        .collect()
}

/// The forecast of `customers` as of `as_of`, from the ledger as it read that day.
pub fn forecast(ledger: &Ledger, customers: &[CustomerId], as_of: Date) -> Forecast {
    // The book's pattern: every customer's payments, not only the view's.
    let since = as_of.add_days(-HISTORY_DAYS);
    let invoices = ledger.invoices();
    let book = Pattern::new(
        ledger
            .settlements
            .iter()
            .filter(|s| s.is_payment() && s.counts(as_of) && s.paid > since && s.paid <= as_of)
            .map(|s| {
                let due = invoices[s.invoice as usize].due_date;
                (s.paid.days_since(due), s.amount.minor())
            })
            .collect(),
    );
    let lines = customers
        .iter()
        .filter_map(|&c| {
            let items: Vec<_> = ledger
                .items(c, as_of)
                .into_iter()
                .filter(|i| i.open.is_positive())
                .collect();
            if items.is_empty() {
                return None;
            }
            let own = Pattern::new(observations(ledger, c, as_of));
            let basis = if own.count >= MIN_OWN {
                Basis::Own
            } else if book.count > 0 {
                Basis::Book
            } else {
                Basis::Terms
            };
            let mut cash = Cash::default();
            for it in items {
                let d = as_of.days_since(it.due_date);
                let open = it.open.minor();
                cash.open += it.open;
                let weights = match basis {
                    Basis::Own => own.spread(d).or_else(|| book.spread(d)),
                    Basis::Book => book.spread(d),
                    Basis::Terms => None,
                };
                // Not past due and no pattern pays this early or later (thin data): on its due
                // date, as with no history at all.
                let weights =
                    weights.or_else(|| (basis == Basis::Terms || d <= 0).then(|| on_due(d)));
                let Some(weights) = weights else {
                    cash.at_risk += it.open;
                    continue;
                };
                let parts = split(open, &weights);
                for (k, &part) in parts.iter().take(WEEKS).enumerate() {
                    cash.weeks[k] += Money::from_minor(part);
                    cash.variance[k] += part as u128 * (open - part) as u128;
                }
                cash.later += Money::from_minor(parts[WEEKS]);
            }
            Some(Line {
                customer: c,
                basis,
                cash,
            })
        })
        .collect();
    Forecast { as_of, lines }
}

/// Last quarter's forecast against what came in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackTest {
    /// The forecast as of 13 weeks before the as-of date.
    pub forecast: Forecast,
    /// Its total.
    pub expected: Cash,
    /// Cash that came in each week on the invoices open on the forecast's date.
    pub collected: [Money; WEEKS],
}

impl BackTest {
    pub fn collected_total(&self) -> Money {
        self.collected.iter().copied().sum()
    }
    /// Sum |forecast - collected| / sum collected, in basis points (half away from zero); `None`
    /// when nothing was collected.
    pub fn wape_bp(&self) -> Option<i64> {
        let actual = self.collected_total().minor() as i128;
        let off: i128 = (0..WEEKS)
            .map(|k| (self.expected.weeks[k].minor() - self.collected[k].minor()).abs() as i128)
            .sum();
        (actual > 0).then(|| div_round_half_away(off * 10_000, actual) as i64)
    }
    /// (Sum forecast - sum collected) / sum collected, in basis points: above zero, the forecast
    /// expected more than came.
    pub fn bias_bp(&self) -> Option<i64> {
        let actual = self.collected_total().minor() as i128;
        let diff = (self.expected.horizon() - self.collected_total()).minor() as i128;
        (actual > 0).then(|| div_round_half_away(diff * 10_000, actual) as i64)
    }
    /// The weeks whose collected cash fell inside the forecast's band.
    pub fn weeks_in_band(&self) -> usize {
        (0..WEEKS)
            .filter(|&k| {
                let (lo, hi) = self.expected.band(k);
                lo <= self.collected[k] && self.collected[k] <= hi
            })
            .count()
    }
}

/// The forecast of `customers` made 13 weeks before `as_of`, and the cash that came in on the
/// invoices it covered in each of its weeks.
pub fn back_test(ledger: &Ledger, customers: &[CustomerId], as_of: Date) -> BackTest {
    let from = as_of.add_days(-7 * WEEKS as i32);
    let forecast = forecast(ledger, customers, from);
    let expected = forecast.total();
    let mut collected = [Money::ZERO; WEEKS];
    let invoices = ledger.invoices();
    for &c in customers {
        let Some(book) = ledger.book(c) else {
            continue;
        };
        // What was open on each of its invoices on the forecast's date.
        let mut open: crate::id::IdMap<u32, i64> = Default::default();
        for &i in &book.invoices {
            if ledger.invoice_counts(i, &invoices[i as usize], from) {
                open.insert(i, invoices[i as usize].amount.minor());
            }
        }
        for &s in &book.settlements {
            let s = ledger.settlements[s as usize];
            if s.counts(from) {
                if let Some(o) = open.get_mut(&s.invoice) {
                    *o -= s.amount.minor();
                }
            }
        }
        for &s in &book.settlements {
            let s = ledger.settlements[s as usize];
            let was_open = open.get(&s.invoice).is_some_and(|&o| o > 0);
            if was_open && s.is_payment() && s.counts(as_of) && !s.counts(from) && s.paid > from {
                let k = ((s.paid.days_since(from) - 1) / 7) as usize;
                if k < WEEKS {
                    collected[k] += s.amount;
                }
            }
        }
    }
    BackTest {
        forecast,
        expected,
        collected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_is_exact_to_the_fen_and_gives_the_odd_fen_to_the_largest_remainders() {
        let mut w = [0i64; WEEKS + 1];
        w[0] = 1;
        w[1] = 1;
        w[2] = 1;
        let p = split(100, &w);
        assert_eq!(&p[..3], &[34, 33, 33]);
        assert_eq!(p.iter().sum::<i64>(), 100);
    }

    #[test]
    fn a_pattern_spreads_only_what_is_later_than_the_days_already_past_due() {
        // Paid 0, 10 and 40 days late, one each.
        let p = Pattern::new(vec![(0, 1), (10, 1), (40, 1), (10, 1)]);
        assert_eq!(p.count, 4);
        // 5 days past due: the 0-day payment can no longer happen.
        let w = p.spread(5).unwrap();
        assert_eq!(w[0], 2); // days 6..=12 late: the two at 10
        assert_eq!(w[4], 1); // days 34..=40: the one at 40
        assert_eq!(w.iter().sum::<i64>(), 3);
        assert_eq!(p.spread(40), None);
    }
}
