//! The metrics a scorecard reads, computed from the ledger and the external profile as of a date.
//!
//! Definitions (as of day `A`; "the last 12 months" is the window `(A - 12 months, A]`):
//! - cooperation years: days since the first cooperation / 365, to the hundredth;
//! - orders per month: invoices issued in the last 12 months / 12 (every delivered order is
//!   invoiced, and invoices are the complete record in every data set);
//! - average order amount and 12-month sales: over those invoices (yuan);
//! - average days to pay: from invoice date to payment, weighted by the amount paid, all time;
//! - days beyond terms: from due date to payment (0 if paid on time), weighted by amount, over
//!   payments of the last 12 months;
//! - overdue count and amount: open invoices past their due date on `A` (what is disputed that
//!   day left out when the policy says disputes do not count in the rating);
//! - max days late in 12 months: the latest payment of the window, or the oldest open overdue item;
//! - product categories: distinct categories of the orders (not cancelled) of the last 12 months;
//!   missing when none of those orders records its category;
//! - history: whole months from the first invoice that counts on `A` (none before any invoice);
//!   not a factor, but what a scorecard's minimum of data reads;
//! - external: registered capital (yuan), years since founding, largest shareholder's share (%),
//!   litigation count and open amount (yuan), industry position, third-party report score (missing
//!   when the report is older than the model allows). Litigation the profile does not record is
//!   missing, not zero; the open amount of zero cases is zero.

use super::fixed::Fixed;
use crate::date::Date;
use crate::ledger::{Book, Ledger};
use crate::money::div_round_half_away;
use crate::party::{Customer, IndustryPosition};
use serde::{Deserialize, Serialize};

/// What a factor reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorKey {
    CooperationYears,
    OrdersPerMonth,
    AvgOrderAmount,
    Sales12m,
    AvgDaysToPay,
    DaysBeyondTerms,
    OverdueCount,
    OverdueAmount,
    MaxDaysLate12m,
    ProductCategories,
    RegisteredCapital,
    YearsSinceFounding,
    LargestShareholder,
    LitigationCount,
    LitigationOpenAmount,
    IndustryPosition,
    ReportScore,
}

impl FactorKey {
    pub const ALL: [FactorKey; 17] = [
        FactorKey::CooperationYears,
        FactorKey::OrdersPerMonth,
        FactorKey::AvgOrderAmount,
        FactorKey::Sales12m,
        FactorKey::AvgDaysToPay,
        FactorKey::DaysBeyondTerms,
        FactorKey::OverdueCount,
        FactorKey::OverdueAmount,
        FactorKey::MaxDaysLate12m,
        FactorKey::ProductCategories,
        FactorKey::RegisteredCapital,
        FactorKey::YearsSinceFounding,
        FactorKey::LargestShareholder,
        FactorKey::LitigationCount,
        FactorKey::LitigationOpenAmount,
        FactorKey::IndustryPosition,
        FactorKey::ReportScore,
    ];

    /// The stable key used in model JSON.
    pub fn key(self) -> &'static str {
        match self {
            FactorKey::CooperationYears => "cooperation_years",
            FactorKey::OrdersPerMonth => "orders_per_month",
            FactorKey::AvgOrderAmount => "avg_order_amount",
            FactorKey::Sales12m => "sales_12m",
            FactorKey::AvgDaysToPay => "avg_days_to_pay",
            FactorKey::DaysBeyondTerms => "days_beyond_terms",
            FactorKey::OverdueCount => "overdue_count",
            FactorKey::OverdueAmount => "overdue_amount",
            FactorKey::MaxDaysLate12m => "max_days_late_12m",
            FactorKey::ProductCategories => "product_categories",
            FactorKey::RegisteredCapital => "registered_capital",
            FactorKey::YearsSinceFounding => "years_since_founding",
            FactorKey::LargestShareholder => "largest_shareholder",
            FactorKey::LitigationCount => "litigation_count",
            FactorKey::LitigationOpenAmount => "litigation_open_amount",
            FactorKey::IndustryPosition => "industry_position",
            FactorKey::ReportScore => "report_score",
        }
    }

    pub fn from_key(k: &str) -> Option<FactorKey> {
        FactorKey::ALL.into_iter().find(|f| f.key() == k)
    }

    /// Whether the factor's value is a category (matched by value) rather than a number.
    pub fn is_categorical(self) -> bool {
        matches!(self, FactorKey::IndustryPosition)
    }

    /// True for data from outside the company.
    pub fn is_external(self) -> bool {
        matches!(
            self,
            FactorKey::RegisteredCapital
                | FactorKey::YearsSinceFounding
                | FactorKey::LargestShareholder
                | FactorKey::LitigationCount
                | FactorKey::LitigationOpenAmount
                | FactorKey::IndustryPosition
                | FactorKey::ReportScore
        )
    }
}

/// A metric's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    Num(Fixed),
    Cat(IndustryPosition),
}

/// Every metric of one customer as of a date; `None` is missing data.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Metrics {
    pub values: [Option<Value>; 17],
    /// Days since the third-party report, when there is one.
    pub report_age_days: Option<i32>,
    /// Whole months from the customer's first invoice to the day (`None` before any invoice):
    /// what a scorecard's [`Minimum`](super::scorecard::Minimum) asks of a customer's history.
    pub history_months: Option<u32>,
    /// The customer's custom field values (stored text, by key): what an additive model's
    /// characteristics bound to custom fields read.
    pub custom: std::collections::BTreeMap<String, String>,
}

impl Metrics {
    pub fn get(&self, f: FactorKey) -> Option<Value> {
        self.values[f as usize]
    }
    pub fn set(&mut self, f: FactorKey, v: Option<Value>) {
        self.values[f as usize] = v;
    }
    fn num(&mut self, f: FactorKey, v: Fixed) {
        self.set(f, Some(Value::Num(v)));
    }
}

/// Whole months from `from` to `to` (0 when `to` is not a month later; a month from the 31st ends
/// on the last day of a shorter month).
pub fn whole_months(from: Date, to: Date) -> u32 {
    let mut n = to.month_index() - from.month_index();
    if n > 0 && from.add_months(n) > to {
        n -= 1;
    }
    n.max(0) as u32
}

fn years(days: i32) -> Fixed {
    Fixed::ratio(days.max(0) as i64, 365)
}

/// What one customer's book says for the rating as of a day: the sums a pass over its invoices,
/// settlements and orders makes, before they become [`Metrics`].
#[derive(Clone, Copy, Debug, Default)]
struct BookFigures {
    /// Invoices of the last 12 months.
    count: i64,
    /// Their amount (fen).
    sales: i64,
    overdue_count: i64,
    overdue_amount: i64,
    max_late: i32,
    /// Amount paid times days to pay (all time).
    w_pay: i128,
    /// Amount paid (all time).
    total: i128,
    /// Amount paid times days beyond terms (last 12 months).
    w_late: i128,
    /// Amount paid (last 12 months).
    total_12m: i128,
    /// The first invoice that counts on the day.
    first: Option<Date>,
    categories: Option<usize>,
}

impl BookFigures {
    /// Sets the metrics the ledger gives (a customer without a book has the zeros of none).
    fn set(&self, m: &mut Metrics, as_of: Date) {
        use FactorKey::*;
        m.num(OrdersPerMonth, Fixed::ratio(self.count, 12));
        m.num(Sales12m, Fixed(self.sales));
        m.set(
            AvgOrderAmount,
            (self.count > 0).then(|| {
                Value::Num(Fixed(
                    div_round_half_away(self.sales as i128, self.count as i128) as i64,
                ))
            }),
        );
        let per = |w: i128, t: i128| {
            (t > 0).then(|| Value::Num(Fixed(div_round_half_away(w * 100, t) as i64)))
        };
        m.set(AvgDaysToPay, per(self.w_pay, self.total));
        m.set(DaysBeyondTerms, per(self.w_late, self.total_12m));
        m.num(OverdueCount, Fixed::from_int(self.overdue_count));
        m.num(OverdueAmount, Fixed(self.overdue_amount));
        m.num(MaxDaysLate12m, Fixed::from_int(self.max_late as i64));
        m.set(
            ProductCategories,
            self.categories
                .map(|n| Value::Num(Fixed::from_int(n as i64))),
        );
        m.history_months = self.first.map(|f| whole_months(f, as_of));
    }
}

/// The largest shareholder's share (basis points), if the profile records shareholders.
fn largest_share(c: &Customer) -> Option<u32> {
    c.profile.shareholders.iter().map(|s| s.share_bp).max()
}

/// The metrics a customer's own record gives (the cooperation, the external profile, the custom
/// fields): no ledger. `largest` is the profile's [`largest_share`], read beforehand.
fn own_metrics(c: &Customer, as_of: Date, largest: Option<u32>) -> Metrics {
    use FactorKey::*;
    let mut m = Metrics {
        custom: c.custom.clone(),
        ..Metrics::default()
    };
    m.num(
        CooperationYears,
        years(as_of.days_since(c.first_cooperation)),
    );
    let p = &c.profile;
    m.set(
        RegisteredCapital,
        p.registered_capital.map(|r| Value::Num(Fixed(r.minor()))),
    );
    m.set(
        YearsSinceFounding,
        p.founded.map(|f| Value::Num(years(as_of.days_since(f)))),
    );
    m.set(
        LargestShareholder,
        largest.map(|bp| Value::Num(Fixed(bp as i64))),
    );
    // Litigation not recorded is missing data, not a clean record.
    m.set(
        LitigationCount,
        p.litigation_count
            .map(|n| Value::Num(Fixed::from_int(n as i64))),
    );
    m.set(
        LitigationOpenAmount,
        p.litigation_open().map(|a| Value::Num(Fixed(a.minor()))),
    );
    m.set(IndustryPosition, p.industry_position.map(Value::Cat));
    m.set(
        ReportScore,
        p.report_score
            .map(|s| Value::Num(Fixed::from_int(s as i64))),
    );
    m.report_age_days = p.report_date.map(|d| as_of.days_since(d));
    m
}

impl Ledger {
    /// The metrics of a customer as of a date, disputed amounts counted as overdue.
    pub fn metrics(&self, c: &Customer, as_of: Date) -> Metrics {
        self.metrics_counting(c, as_of, true)
    }

    /// The metrics of a customer as of a date; `count_disputed` false leaves what is disputed
    /// that day out of the overdue metrics (an invoice disputed in full is not overdue then).
    pub fn metrics_counting(&self, c: &Customer, as_of: Date, count_disputed: bool) -> Metrics {
        let mut m = own_metrics(c, as_of, largest_share(c));
        self.book(c.id)
            .map(|book| self.book_figures(book, c, as_of, count_disputed, &mut Vec::new()))
            .unwrap_or_default()
            .set(&mut m, as_of);
        m
    }

    /// The metrics of many customers as of a date, in the order given: the same figures as
    /// [`Ledger::metrics_counting`], in two passes. The ledger's part visits the customers in
    /// their books' order ([`Ledger::in_book_order`]), reading the rows front to back, with one
    /// scratch buffer for all of them; the customers' own part (their records, profiles and
    /// custom fields) visits them in the order given, reading their records front to back.
    /// Natively, at a million invoices: 19-20 ms; one pass doing both in the books' order took
    /// 25-26 ms, about a third of it waiting for the customers' records (and their profiles'
    /// shareholders) read in an order not theirs.
    pub fn metrics_all<'a>(
        &self,
        customers: impl IntoIterator<Item = &'a Customer>,
        as_of: Date,
        count_disputed: bool,
    ) -> Vec<Metrics> {
        let customers: Vec<&Customer> = customers.into_iter().collect();
        let mut books = vec![BookFigures::default(); customers.len()];
        let mut scratch = Vec::new();
        for (book, pos) in self.in_book_order(customers.iter().map(|c| c.id)) {
            books[pos] =
                self.book_figures(book, customers[pos], as_of, count_disputed, &mut scratch);
        }
        // Each profile's largest shareholder first, in a loop of its own: each is a read of
        // another allocation, in no order of memory when the customers were made in another
        // order than this one, and a loop that does nothing else has many of those reads under
        // way at once. Natively, at 10,000 customers made in another order: 25.8 ms for every
        // metric, 27.7 ms with the read in the loop below.
        let largest: Vec<Option<u32>> = customers.iter().map(|c| largest_share(c)).collect();
        customers
            .iter()
            .zip(&books)
            .zip(largest)
            .map(|((c, b), l)| {
                let mut m = own_metrics(c, as_of, l);
                b.set(&mut m, as_of);
                m
            })
            .collect()
    }

    /// Distinct product categories ordered in `(from, to]`, or `None` when no order there says.
    fn categories_bought(&self, book: &Book, from: Date, to: Date) -> Option<usize> {
        let mut seen: Vec<crate::text::DocNo> = Vec::new();
        for &i in &book.orders {
            let o = &self.orders()[i as usize];
            if o.date > from && o.date <= to && o.status != crate::ledger::OrderStatus::Cancelled {
                if let Some(c) = o.category {
                    if !seen.contains(&c) {
                        seen.push(c);
                    }
                }
            }
        }
        (!seen.is_empty()).then_some(seen.len())
    }

    /// What customer `c`'s book says for the rating as of `as_of` (`open`: scratch).
    fn book_figures(
        &self,
        book: &Book,
        c: &Customer,
        as_of: Date,
        count_disputed: bool,
        open: &mut Vec<i64>,
    ) -> BookFigures {
        let window_start = as_of.add_months(-12);
        let mut f = BookFigures::default();
        let invoices = self.figures();
        // What is open on each of the customer's invoices as of the day; a settlement knows
        // its invoice's position in the book.
        open.clear();
        open.extend(book.invoices.iter().map(|&i| {
            let inv = &invoices[i as usize];
            if self.invoice_counts(i, as_of) {
                f.first = Some(f.first.map_or(inv.issue_date, |d| d.min(inv.issue_date)));
                if inv.issue_date > window_start {
                    f.count += 1;
                    f.sales += inv.amount.minor();
                }
                inv.amount.minor()
            } else {
                0
            }
        }));
        for &k in &book.settlements {
            let s = &self.settlements[k as usize];
            let inv = &invoices[s.invoice as usize];
            if !s.counts(as_of) || inv.issue_date > as_of {
                continue;
            }
            open[s.pos as usize] -= s.amount.minor();
            if s.is_payment() {
                // One amount (at most 10^14 fen) times days fits an i64; the sums widen.
                // Measured to the day the money came, not to a later reallocation.
                let amount = s.amount.minor();
                f.w_pay += (amount * s.paid.days_since(inv.issue_date) as i64) as i128;
                f.total += amount as i128;
                if s.paid > window_start {
                    let late = s.paid.days_since(inv.due_date).max(0);
                    f.w_late += (amount * late as i64) as i128;
                    f.total_12m += amount as i128;
                    f.max_late = f.max_late.max(late);
                }
            }
        }
        for (pos, &i) in book.invoices.iter().enumerate() {
            let inv = &invoices[i as usize];
            if open[pos] > 0 && inv.due_date < as_of && self.invoice_counts(i, as_of) {
                let mut o = open[pos];
                if !count_disputed && !c.disputes.is_empty() {
                    let d = crate::dispute::disputed_on(
                        &c.disputes,
                        self.invoice_id(i),
                        crate::money::Money::from_minor(o),
                        as_of,
                    );
                    o -= d.minor();
                }
                if o > 0 {
                    f.overdue_count += 1;
                    f.overdue_amount += o;
                    f.max_late = f.max_late.max(as_of.days_since(inv.due_date));
                }
            }
        }
        f.categories = self.categories_bought(book, window_start, as_of);
        f
    }
}
