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
use crate::id::CustomerId;
use crate::ledger::Ledger;
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

impl Ledger {
    /// The metrics of a customer as of a date, disputed amounts counted as overdue.
    pub fn metrics(&self, c: &Customer, as_of: Date) -> Metrics {
        self.metrics_with(c, as_of, true, &mut Vec::new())
    }

    /// The metrics of a customer as of a date; `count_disputed` false leaves what is disputed
    /// that day out of the overdue metrics (an invoice disputed in full is not overdue then).
    pub fn metrics_counting(&self, c: &Customer, as_of: Date, count_disputed: bool) -> Metrics {
        self.metrics_with(c, as_of, count_disputed, &mut Vec::new())
    }

    /// The metrics of many customers as of a date, in the order given: the same figures as
    /// [`Ledger::metrics_counting`], with one scratch buffer for all of them, computed in the
    /// order of the customers' books ([`Ledger::visiting_order`]).
    pub fn metrics_all<'a>(
        &self,
        customers: impl IntoIterator<Item = &'a Customer>,
        as_of: Date,
        count_disputed: bool,
    ) -> Vec<Metrics> {
        let customers: Vec<&Customer> = customers.into_iter().collect();
        let ids: Vec<CustomerId> = customers.iter().map(|c| c.id).collect();
        let mut scratch = Vec::new();
        let mut out = vec![Metrics::default(); customers.len()];
        for pos in self.visiting_order(&ids) {
            out[pos] = self.metrics_with(customers[pos], as_of, count_disputed, &mut scratch);
        }
        out
    }

    /// Distinct product categories ordered in `(from, to]`, or `None` when no order there says.
    fn categories_bought(
        &self,
        customer: crate::id::CustomerId,
        from: Date,
        to: Date,
    ) -> Option<usize> {
        let mut seen: Vec<crate::text::DocNo> = Vec::new();
        for o in self.customer_orders(customer) {
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

    fn metrics_with(
        &self,
        c: &Customer,
        as_of: Date,
        count_disputed: bool,
        open: &mut Vec<i64>,
    ) -> Metrics {
        use FactorKey::*;
        let mut m = Metrics {
            custom: c.custom.clone(),
            ..Metrics::default()
        };
        m.num(
            CooperationYears,
            years(as_of.days_since(c.first_cooperation)),
        );
        let window_start = as_of.add_months(-12);
        let (mut count, mut sales) = (0i64, 0i64);
        let (mut overdue_count, mut overdue_amount, mut max_late) = (0i64, 0i64, 0i32);
        let (mut w_pay, mut w_late, mut total, mut total_12m) = (0i128, 0i128, 0i128, 0i128);
        let mut first: Option<Date> = None;
        if let Some(book) = self.book(c.id) {
            let invoices = self.figures();
            // What is open on each of the customer's invoices as of the day; a settlement knows
            // its invoice's position in the book.
            open.clear();
            open.extend(book.invoices.iter().map(|&i| {
                let inv = &invoices[i as usize];
                if self.invoice_counts(i, as_of) {
                    first = Some(first.map_or(inv.issue_date, |f| f.min(inv.issue_date)));
                    if inv.issue_date > window_start {
                        count += 1;
                        sales += inv.amount.minor();
                    }
                    inv.amount.minor()
                } else {
                    0
                }
            }));
            for &k in &book.settlements {
                let s = self.settlements[k as usize];
                let inv = &invoices[s.invoice as usize];
                if !s.counts(as_of) || inv.issue_date > as_of {
                    continue;
                }
                open[s.pos as usize] -= s.amount.minor();
                if s.is_payment() {
                    // One amount (at most 10^14 fen) times days fits an i64; the sums widen.
                    // Measured to the day the money came, not to a later reallocation.
                    let amount = s.amount.minor();
                    w_pay += (amount * s.paid.days_since(inv.issue_date) as i64) as i128;
                    total += amount as i128;
                    if s.paid > window_start {
                        let late = s.paid.days_since(inv.due_date).max(0);
                        w_late += (amount * late as i64) as i128;
                        total_12m += amount as i128;
                        max_late = max_late.max(late);
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
                        overdue_count += 1;
                        overdue_amount += o;
                        max_late = max_late.max(as_of.days_since(inv.due_date));
                    }
                }
            }
        }
        m.num(OrdersPerMonth, Fixed::ratio(count, 12));
        m.num(Sales12m, Fixed(sales));
        m.set(
            AvgOrderAmount,
            (count > 0).then(|| {
                Value::Num(Fixed(
                    div_round_half_away(sales as i128, count as i128) as i64
                ))
            }),
        );
        let per = |w: i128, t: i128| {
            (t > 0).then(|| Value::Num(Fixed(div_round_half_away(w * 100, t) as i64)))
        };
        m.set(AvgDaysToPay, per(w_pay, total));
        m.set(DaysBeyondTerms, per(w_late, total_12m));
        m.num(OverdueCount, Fixed::from_int(overdue_count));
        m.num(OverdueAmount, Fixed(overdue_amount));
        m.num(MaxDaysLate12m, Fixed::from_int(max_late as i64));
        m.set(
            ProductCategories,
            self.categories_bought(c.id, window_start, as_of)
                .map(|n| Value::Num(Fixed::from_int(n as i64))),
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
            p.shareholders
                .iter()
                .map(|s| s.share_bp)
                .max()
                .map(|bp| Value::Num(Fixed(bp as i64))),
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
        m.history_months = first.map(|f| whole_months(f, as_of));
        m
    }
}
