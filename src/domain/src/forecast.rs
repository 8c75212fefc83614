//! The collections forecast: the cash each open invoice is expected to bring in each of the next
//! [`WEEKS`] weeks, from how its customer has paid, with a band; and its back-test, last
//! quarter's forecast set against what was collected.
//!
//! Method (every step in integers: fen, and the curve in fixed point; the band's square root is
//! an integer one):
//! - **Weeks.** Week 1 is the 7 days after the as-of date (the as-of day's payments are in the
//!   ledger already), week 2 the 7 after that, and so on to week 13.
//! - **A pattern** is how a set of customers pays: a survival curve over days late (from the due
//!   date to the day the money came; negative: early), Kaplan-Meier style. Its events are the
//!   payment allocations that stand on the as-of date and came in during the [`HISTORY_DAYS`]
//!   before it, weighted by amount; what is open on the as-of date counts as unpaid up to its
//!   days past due and no further (censored). On each day someone paid, the curve drops by the
//!   share of what was unpaid at that many days late that was paid then. So slow payers that
//!   have not paid yet weigh in, and what the curve never reaches is not promised. A customer
//!   with at least [`MIN_OWN`] payments in the history has its own pattern ([`Basis::Own`]); one
//!   with fewer borrows the book's, all customers together ([`Basis::Book`]); when the book has
//!   no payment history at all, invoices are expected on their due date ([`Basis::Terms`]).
//! - **An open invoice** `d` days past due (negative: due in `-d` days) has not been paid by
//!   now, so only the curve after `d` days applies: its open amount is spread over the weeks by
//!   the curve's drop within each, what drops after week 13 is [`Cash::later`], and what the
//!   curve never drops to is [`Cash::at_risk`]. When nobody in the customer's own pattern has
//!   paid that late, the book's is asked; when nobody in the book has, the whole amount is at
//!   risk (unless the invoice is not past due yet: thin history does not put an invoice at risk
//!   before its due date, it is then expected on that date). The split is exact: the weeks,
//!   later and at risk sum to the open amount, to the fen (largest remainder, ties to the
//!   earlier part).
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
use crate::id::{CustomerId, IdMap};
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
    /// Not expected: the share the pattern never pays, or all of it when nobody ever paid so late.
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

    /// The lines summed by a key (a sales rep, a region), in the key's order, each with how
    /// many customers' lines it sums.
    pub fn by<K: Ord>(&self, key: impl Fn(CustomerId) -> K) -> Vec<(K, Cash, usize)> {
        let mut out: std::collections::BTreeMap<K, (Cash, usize)> = Default::default();
        for l in &self.lines {
            let (cash, n) = out.entry(key(l.customer)).or_default();
            cash.add(&l.cash);
            *n += 1;
        }
        out.into_iter().map(|(k, (c, n))| (k, c, n)).collect()
    }
}

fn week_of(as_of: Date, k: usize) -> (Date, Date) {
    let first = as_of.add_days(1 + 7 * k as i32);
    (first, first.add_days(6))
}

/// The parts an invoice is spread over: the weeks, after week 13, and never (at risk).
const PARTS: usize = WEEKS + 2;
const LATER: usize = WEEKS;
const NEVER: usize = WEEKS + 1;

/// One, in the fixed point of a survival curve.
const SCALE: i128 = 1_000_000_000_000_000;

/// How a set of customers pays, as a survival curve over days late (Kaplan-Meier): on each day
/// someone paid, the share of what was still unpaid at that many days late that was paid then.
/// What is open today counts as unpaid up to its days past due and no further (censored): slow
/// payers who have not paid yet weigh in, and the curve does not promise their money.
#[derive(Clone, Debug, Default)]
struct Pattern {
    /// The days late on which payments came, ascending.
    days: Vec<i32>,
    /// The share still unpaid after each of those days, in [`SCALE`] (rounded down).
    left: Vec<i128>,
    /// How many payments.
    count: u32,
}

impl Pattern {
    /// From payments (days late, amount) and what is open (days past due, amount).
    fn new(mut paid: Vec<(i32, i64)>, mut open: Vec<(i32, i64)>) -> Pattern {
        paid.sort_unstable_by_key(|o| o.0);
        open.sort_unstable_by_key(|o| o.0);
        let count = paid.len() as u32;
        let (mut days, mut on_day) = (Vec::new(), Vec::<i128>::new());
        for (d, w) in paid {
            match (days.last(), on_day.last_mut()) {
                (Some(&last), Some(sum)) if last == d => *sum += w as i128,
                _ => {
                    days.push(d);
                    on_day.push(w as i128);
                }
            }
        }
        // What was paid on or after each payment day, and what is open at least so late.
        let mut paid_from = vec![0i128; days.len() + 1];
        for i in (0..days.len()).rev() {
            paid_from[i] = paid_from[i + 1] + on_day[i];
        }
        let mut open_from = vec![0i128; open.len() + 1];
        for i in (0..open.len()).rev() {
            open_from[i] = open_from[i + 1] + open[i].1 as i128;
        }
        let mut s = SCALE;
        let mut left = Vec::with_capacity(days.len());
        for (i, &t) in days.iter().enumerate() {
            // Unpaid until `t` days late: paid then or later, or open at least that late.
            let at_risk = paid_from[i] + open_from[open.partition_point(|o| o.0 < t)];
            s -= s * on_day[i] / at_risk;
            left.push(s);
        }
        Pattern { days, left, count }
    }
    /// The share unpaid after `d` days late.
    fn left_after(&self, d: i32) -> i128 {
        match self.days.partition_point(|&x| x <= d) {
            0 => SCALE,
            i => self.left[i - 1],
        }
    }
    /// The weights, for an invoice `d` days past due today, of payment in each week, after the
    /// horizon and never; `None` when nobody in the pattern has paid later than `d` days.
    fn spread(&self, d: i32) -> Option<[i64; PARTS]> {
        let start = self.left_after(d);
        if self.days.last().is_none_or(|&last| last <= d) || start == 0 {
            return None;
        }
        let mut w = [0i64; PARTS];
        let mut before = start;
        for (k, slot) in w.iter_mut().take(WEEKS).enumerate() {
            let after = self.left_after(d + 7 * (k as i32 + 1));
            *slot = (before - after) as i64;
            before = after;
        }
        let end = self.left.last().copied().unwrap_or(SCALE);
        w[LATER] = (before - end) as i64;
        w[NEVER] = end as i64;
        Some(w)
    }
}

/// `amount` split in proportion to `weights` (not all zero), exactly: each part rounded down,
/// the fen left over going to the largest remainders (ties: the earlier part).
fn split(amount: i64, weights: &[i64; PARTS]) -> [i64; PARTS] {
    let total: i128 = weights.iter().map(|&w| w as i128).sum();
    let mut parts = [0i64; PARTS];
    let mut rems = [(0i128, 0usize); PARTS];
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
fn on_due(d: i32) -> [i64; PARTS] {
    let k = ((-d - 1).max(0) / 7) as usize;
    let mut w = [0i64; PARTS];
    w[k.min(LATER)] = 1;
    w
}

/// Per customer, as of a day: its payments in the history (days late, amount) and what is open
/// (days past due, amount). One pass over the ledger.
type Seen = IdMap<CustomerId, (Vec<(i32, i64)>, Vec<(i32, i64)>)>;

fn gather(ledger: &Ledger, as_of: Date) -> Seen {
    let since = as_of.add_days(-HISTORY_DAYS);
    let invoices = ledger.figures();
    let mut seen = Seen::default();
    // A book at a time: what is open is worked out in a scratch the size of one book.
    let mut open = Vec::new();
    for (customer, book) in ledger.books() {
        let mut paid = Vec::new();
        for &k in &book.settlements {
            let s = &ledger.settlements[k as usize];
            if s.is_payment() && s.counts(as_of) && s.paid > since {
                let inv = &invoices[s.invoice as usize];
                paid.push((s.paid.days_since(inv.due_date), s.amount.minor()));
            }
        }
        ledger.open_in_book(book, as_of, &mut open);
        let items: Vec<(i32, i64)> = book
            .invoices
            .iter()
            .zip(&open)
            .filter(|(_, &o)| o > 0)
            .map(|(&i, &o)| (as_of.days_since(invoices[i as usize].due_date), o))
            .collect();
        if !paid.is_empty() || !items.is_empty() {
            seen.insert(customer, (paid, items));
        }
    }
    seen
}

/// The forecast of `customers` as of `as_of`, from the ledger as it read that day.
pub fn forecast(ledger: &Ledger, customers: &[CustomerId], as_of: Date) -> Forecast {
    let seen = gather(ledger, as_of);
    // The book's pattern: every customer's, not only the view's.
    let book = Pattern::new(
        seen.values().flat_map(|(p, _)| p.iter().copied()).collect(),
        seen.values().flat_map(|(_, o)| o.iter().copied()).collect(),
    );
    let lines = customers
        .iter()
        .filter_map(|&c| {
            let (paid, items) = seen.get(&c)?;
            if items.is_empty() {
                return None;
            }
            let own = Pattern::new(paid.clone(), items.clone());
            let basis = if own.count >= MIN_OWN {
                Basis::Own
            } else if book.count > 0 {
                Basis::Book
            } else {
                Basis::Terms
            };
            let mut cash = Cash::default();
            for &(d, open) in items {
                cash.open += Money::from_minor(open);
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
                    cash.at_risk += Money::from_minor(open);
                    continue;
                };
                let parts = split(open, &weights);
                for (k, &part) in parts.iter().take(WEEKS).enumerate() {
                    cash.weeks[k] += Money::from_minor(part);
                    cash.variance[k] += part as u128 * (open - part) as u128;
                }
                cash.later += Money::from_minor(parts[LATER]);
                cash.at_risk += Money::from_minor(parts[NEVER]);
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
    // What was open on each of the customer's invoices on the forecast's date.
    let mut open = Vec::new();
    for &c in customers {
        let Some(book) = ledger.book(c) else {
            continue;
        };
        ledger.open_in_book(book, from, &mut open);
        for &s in &book.settlements {
            let s = ledger.settlements[s as usize];
            let was_open = open[s.pos as usize] > 0;
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
        let mut w = [0i64; PARTS];
        w[0] = 1;
        w[1] = 1;
        w[2] = 1;
        let p = split(100, &w);
        assert_eq!(&p[..3], &[34, 33, 33]);
        assert_eq!(p.iter().sum::<i64>(), 100);
    }

    #[test]
    fn a_pattern_spreads_only_what_is_later_than_the_days_already_past_due() {
        // Paid 0, 10, 10 and 40 days late, 1 each; nothing open.
        let p = Pattern::new(vec![(0, 1), (10, 1), (40, 1), (10, 1)], vec![]);
        assert_eq!(p.count, 4);
        // 5 days past due: the 0-day payment can no longer happen; of the 3 later, two are in
        // days 6..=12 (week 1), one in days 34..=40 (week 5).
        let w = p.spread(5).unwrap();
        assert_eq!(w[0] * 2, w[4] * 4);
        assert_eq!((w[LATER], w[NEVER]), (0, 0));
        assert_eq!(p.spread(40), None);
    }

    #[test]
    fn what_is_still_open_late_keeps_a_share_of_the_pattern_unpaid() {
        // Paid 10 days late: 100. Open 30 days past due: 100. Of the 200 unpaid at 10 days, half
        // was paid then; the rest never has been.
        let p = Pattern::new(vec![(10, 100)], vec![(30, 100)]);
        let w = p.spread(0).unwrap();
        assert_eq!((w[1], w[NEVER]), (SCALE as i64 / 2, SCALE as i64 / 2));
    }
}
