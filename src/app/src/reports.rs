//! The figures behind the dashboard and the reports: which customers a view covers, and the
//! domain's report queries over them as of the chosen date.
//!
//! Grades, regions, reps and industries filter by what the customer is today; limits and order
//! statuses have no history and are read as they stand now. Everything from the ledger (open
//! amounts, aging, sales, collections) is what it was on the as-of date.

use crate::book::Book as Data;
use creditdesk_domain::credit::Exposure;
use creditdesk_domain::forecast::{BackTest, Cash, Forecast};
use creditdesk_domain::ledger::{DaysTenths, OpenItem};
use creditdesk_domain::money::ratio_bp_round_down;
use creditdesk_domain::rating::Grade;
use creditdesk_domain::reports::{
    cei, collections_by_rep, dso_rows, period_ends, utilisation_bin, Bucket, Countback, DsoRow,
    PercentTenths, Point, RepRow,
};
use creditdesk_domain::sort;
use creditdesk_domain::{Customer, CustomerId, Date, Money, OrderStatus};

/// The filters of a dashboard or report view (the UI keeps them in its URL).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub rep: String,
    pub region: String,
    pub grade: Option<Grade>,
    pub industry: String,
    pub as_of: Option<Date>,
}

impl Filter {
    pub fn matches(&self, d: &Data, c: &Customer) -> bool {
        (self.rep.is_empty() || c.sales_rep == self.rep)
            && (self.region.is_empty() || c.region == self.region)
            && (self.industry.is_empty() || c.industry == self.industry)
            && self.grade.is_none_or(|g| d.grade(c.id) == g)
    }
    /// The as-of date of the view: the chosen one, or today.
    pub fn date(&self, d: &Data) -> Date {
        self.as_of.unwrap_or(d.as_of)
    }
}

/// The customers a view covers: those the signed-in user sees, matching the filters.
pub fn chosen<'a>(d: &'a Data, f: &Filter) -> Vec<&'a Customer> {
    let me = d.me();
    d.customers
        .iter()
        .filter(|c| me.sees(&c.sales_rep) && f.matches(d, c))
        .collect()
}

/// The values a filter can take among the customers the user sees: reps (user id, name),
/// regions, industries.
pub fn choices(d: &Data) -> (Vec<(String, String)>, Vec<String>, Vec<String>) {
    let me = d.me();
    let mine = || d.customers.iter().filter(|c| me.sees(&c.sales_rep));
    (
        d.rep_choices(mine().map(|c| c.sales_rep.as_str())),
        crate::queries::distinct(mine().map(|c| c.region.as_str()).filter(|r| !r.is_empty())),
        crate::queries::distinct(
            mine()
                .map(|c| c.industry.as_str())
                .filter(|i| !i.is_empty()),
        ),
    )
}

/// A customer's exposure on a date: open receivables then, plus the orders the policy counts
/// (as their status stands now).
pub fn exposure_on(d: &Data, c: CustomerId, open_ar: Money, as_of: Date) -> Money {
    let (open_orders, held_orders) = if as_of == d.as_of {
        let s = d.summary(c);
        (s.open_orders, s.held_orders)
    } else {
        let orders = d.ledger.customer_orders(c);
        let sum = |f: &dyn Fn(OrderStatus) -> bool| {
            orders
                .iter()
                .filter(|o| f(o.status) && o.date <= as_of)
                .map(|o| o.amount)
                .sum::<Money>()
        };
        (
            sum(&|s| s.is_open_value()),
            sum(&|s| s == OrderStatus::Held),
        )
    };
    Exposure {
        open_ar,
        open_orders,
        held_orders,
        reserved: d.reserved(c, None),
    }
    .total(&d.policy)
}

/// Whether a band of the utilisation histogram ([`utilisation_bin`]) reaches the policy's
/// warning share (90% by default): the dashboard marks those bands.
pub fn warning_band(policy: &creditdesk_domain::credit::Policy, bin: usize) -> bool {
    creditdesk_domain::reports::UTILISATION_BINS
        .get(bin)
        .is_some_and(|(_, hi)| *hi > policy.warn_over_bp as i64)
}

/// One customer's utilisation on a date, in basis points rounded down (as monitoring reads it),
/// with the limit and the exposure; `None` without a limit in force, or with the limits hidden
/// from the user.
pub fn utilisation(
    d: &Data,
    c: &Customer,
    open_ar: Money,
    as_of: Date,
) -> (Money, Money, Option<i64>) {
    let limit = c.limits.effective(as_of);
    let exposure = exposure_on(d, c.id, open_ar, as_of);
    // A limit hidden from the user stands for nothing.
    let bp = (limit.is_positive() && !c.limits.hidden)
        .then(|| ratio_bp_round_down(exposure, limit).unwrap_or(0));
    (limit, exposure, bp)
}

/// A customer at risk: id, name, grade, overdue amount, most days overdue, utilisation.
pub type Risk = (CustomerId, String, Grade, Money, i32, Option<i64>);

/// Everything the dashboard shows.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Dashboard {
    pub as_of: Date,
    pub customers: u32,
    /// Portfolio points at the end of each of the last 12 periods, opening first (13).
    pub points: Vec<Point>,
    pub dso: Vec<DsoRow>,
    /// Collections over the last three periods: their start (exclusive), CEI and reps.
    pub period_start: Date,
    pub cei: Option<PercentTenths>,
    pub reps: Vec<RepRow>,
    /// Exposure of the customers with a limit / the sum of their limits (rounded down).
    pub utilisation_bp: Option<i64>,
    /// The limits are hidden from the user: utilisation, its bands and the customers over 90%
    /// are not known (none is counted as without a limit).
    #[serde(default)]
    pub limits_hidden: bool,
    pub over_90: u32,
    pub frozen: u32,
    pub open_requests: u32,
    pub open_alerts: u32,
    /// Customer counts and open receivables per grade (AAA first).
    pub grades: [(u32, Money); 5],
    pub util_bins: [u32; 11],
    pub no_limit: u32,
    pub top_risk: Vec<Risk>,
}

/// How open receivables moved over the last three periods: from the opening balance, plus
/// credit sales, less collections and credit notes, to the closing balance (exactly).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Movement {
    pub opening: Point,
    pub sales: Money,
    pub collected: Money,
    pub credited: Money,
    pub closing: Point,
}

impl Dashboard {
    pub fn now(&self) -> &Point {
        self.points.last().expect("13 points")
    }
    /// The overdue share of open receivables on the as-of date, as a percentage with one
    /// decimal rounded half away from zero (`12.5%`); `None` with nothing open.
    pub fn overdue_share(&self) -> Option<String> {
        let now = self.now();
        creditdesk_domain::money::percent_1dp_round_half_away(now.overdue(), now.open_ar)
    }
    /// The last three periods' movement of open receivables.
    pub fn movement(&self) -> Movement {
        let n = self.points.len();
        let flows = &self.points[n - 3..];
        Movement {
            opening: self.points[n - 4],
            sales: flows.iter().map(|p| p.sales).sum(),
            collected: flows.iter().map(|p| p.collected).sum(),
            credited: flows.iter().map(|p| p.credited).sum(),
            closing: self.points[n - 1],
        }
    }
    /// Countback DSO as of the as-of date.
    pub fn dso_now(&self) -> Option<Countback> {
        self.dso.last().map(|r| r.countback)
    }
}

/// Every customer's points at the dashboard's period ends, and its credit sales in each period
/// of the countback's look-back: one pass over the ledger per data revision and as-of date.
/// A filter then only adds up the customers it chooses.
pub struct Timeline {
    key: (u64, Date),
    pub ends: Vec<Date>,
    pub look: Vec<Date>,
    /// `ends.len()` points per customer, in the order of `Data::customers`.
    points: PerCustomer<Point>,
    /// `look.len()` amounts per customer, in the same order.
    sales: PerCustomer<Money>,
}

impl Timeline {
    pub fn points(&self, i: usize) -> &[Point] {
        self.points.of(i)
    }
    pub fn sales(&self, i: usize) -> &[Money] {
        self.sales.of(i)
    }
}

/// `each` values per customer, in pages of [`PerCustomer::PAGE`] customers (about half a
/// megabyte of points): at the large size one vector would be 11 MB in one piece, which wasm
/// memory, never shrinking, can only add at its end, where pages fit in the room the ledger's
/// building freed.
struct PerCustomer<T> {
    each: usize,
    pages: Vec<Vec<T>>,
}

impl<T: Clone> PerCustomer<T> {
    const PAGE: usize = 512;

    /// `customers` customers' values, each `blank` until set.
    fn new(each: usize, customers: usize, blank: T) -> Self {
        let pages = (0..customers.div_ceil(Self::PAGE))
            .map(|p| vec![blank.clone(); (customers - p * Self::PAGE).min(Self::PAGE) * each])
            .collect();
        PerCustomer { each, pages }
    }

    /// Sets customer `i`'s values (`each` of them).
    fn set(&mut self, i: usize, values: &[T]) {
        debug_assert_eq!(values.len(), self.each);
        let at = (i % Self::PAGE) * self.each;
        self.pages[i / Self::PAGE][at..at + self.each].clone_from_slice(values);
    }

    fn of(&self, i: usize) -> &[T] {
        let at = (i % Self::PAGE) * self.each;
        &self.pages[i / Self::PAGE][at..at + self.each]
    }
}

thread_local! {
    static TIMELINE: std::cell::RefCell<Option<std::rc::Rc<Timeline>>> = const { std::cell::RefCell::new(None) };
}

/// The timeline of data revision `rev` as of a date, computed if it is not the one kept.
pub fn timeline(d: &Data, rev: u64, as_of: Date) -> std::rc::Rc<Timeline> {
    if let Some(t) = kept_timeline(rev, as_of) {
        return t;
    }
    let mut b = TimelineBuilder::new(d, rev, as_of);
    b.step(d, usize::MAX);
    b.finish()
}

/// The timeline kept for data revision `rev` as of a date, if it is the one kept.
pub fn kept_timeline(rev: u64, as_of: Date) -> Option<std::rc::Rc<Timeline>> {
    TIMELINE
        .with_borrow(|t| t.clone())
        .filter(|t| t.key == (rev, as_of))
}

/// A [`Timeline`] computed a slice of customers at a time, so that a caller can give the page a
/// turn between slices (one pass over a million invoices is a few hundred milliseconds in the
/// browser). The data must not change between the steps: the caller checks its revision and
/// drops the builder when it did. The customers are visited in the order that reads the ledger
/// front to back (`Ledger::visiting_order`; in their order by name the pass took half as long
/// again), each one's figures put in its place.
pub struct TimelineBuilder {
    t: Timeline,
    order: Vec<usize>,
    next: usize,
}

impl TimelineBuilder {
    pub fn new(d: &Data, rev: u64, as_of: Date) -> TimelineBuilder {
        let (ends, look) = (period_ends(as_of, 12), period_ends(as_of, 24));
        let ids: Vec<CustomerId> = d.customers.iter().map(|c| c.id).collect();
        TimelineBuilder {
            t: Timeline {
                key: (rev, as_of),
                points: PerCustomer::new(ends.len(), d.customers.len(), Point::default()),
                sales: PerCustomer::new(look.len(), d.customers.len(), Money::ZERO),
                ends,
                look,
            },
            order: d.ledger.visiting_order(&ids),
            next: 0,
        }
    }

    /// Computes the next `customers` customers; true when every customer is done.
    pub fn step(&mut self, d: &Data, customers: usize) -> bool {
        let end = self.next.saturating_add(customers).min(self.order.len());
        // The customers the order names that `d` still has (a caller whose data changed between
        // steps drops the builder, but the step must not fail first).
        let at: Vec<usize> = self.order[self.next..end]
            .iter()
            .copied()
            .filter(|&i| i < d.customers.len())
            .collect();
        let ids: Vec<CustomerId> = at.iter().map(|&i| d.customers[i].id).collect();
        let t = &mut self.t;
        d.ledger
            .each_customer(&ids, &t.ends, |k, pts| t.points.set(at[k], pts));
        for (&i, id) in at.iter().zip(&ids) {
            t.sales.set(i, &d.ledger.sales_in_periods([*id], &t.look));
        }
        self.next = end;
        end == self.order.len()
    }

    /// The timeline, kept for its revision and date.
    pub fn finish(self) -> std::rc::Rc<Timeline> {
        let t = std::rc::Rc::new(self.t);
        TIMELINE.with_borrow_mut(|k| *k = Some(t.clone()));
        t
    }
}

/// The dashboard's figures for a filter, over the data of revision `rev`.
pub fn dashboard(d: &Data, f: &Filter, rev: u64) -> Dashboard {
    let as_of = f.date(d);
    let tl = timeline(d, rev, as_of);
    let me = d.me();
    let chosen_ix: Vec<usize> = (0..d.customers.len())
        .filter(|&i| {
            let c = &d.customers[i];
            me.sees(&c.sales_rep) && f.matches(d, c)
        })
        .collect();
    let cs: Vec<&Customer> = chosen_ix.iter().map(|&i| &d.customers[i]).collect();
    let ids: Vec<CustomerId> = cs.iter().map(|c| c.id).collect();
    let (ends, look) = (&tl.ends, &tl.look);
    let mut sales = vec![Money::ZERO; look.len()];
    for &i in &chosen_ix {
        for (s, x) in sales.iter_mut().zip(tl.sales(i)) {
            *s += *x;
        }
    }
    let n = ends.len();
    let start = ends[n - 4];
    let mut points: Vec<Point> = ends
        .iter()
        .map(|e| Point {
            date: *e,
            ..Point::default()
        })
        .collect();
    let mut grades = [(0u32, Money::ZERO); 5];
    let mut util_bins = [0u32; 11];
    let (mut no_limit, mut over_90, mut frozen) = (0, 0, 0);
    let mut limits_hidden = false;
    let (mut exposure_sum, mut limit_sum) = (Money::ZERO, Money::ZERO);
    let mut risk = Vec::new();
    // Each customer's opening and closing point of the last three periods, the closing one with
    // the flows of all three (for the reps' collections).
    let mut spans: Vec<[Point; 2]> = Vec::with_capacity(ids.len());
    // Every chosen customer's points at every period end, from the timeline.
    for (k, &i) in chosen_ix.iter().enumerate() {
        let pts = tl.points(i);
        for (sum, p) in points.iter_mut().zip(pts) {
            sum.add(p);
        }
        let c = cs[k];
        let close = pts[n - 1];
        let mut flows = close;
        flows.sales = pts[n - 3..].iter().map(|p| p.sales).sum();
        flows.collected = pts[n - 3..].iter().map(|p| p.collected).sum();
        flows.credited = pts[n - 3..].iter().map(|p| p.credited).sum();
        spans.push([pts[n - 4], flows]);
        let g = d.grade(c.id);
        grades[g as usize].0 += 1;
        grades[g as usize].1 += close.open_ar;
        let (limit, exposure, bp) = utilisation(d, c, close.open_ar, as_of);
        match bp {
            Some(bp) => {
                util_bins[utilisation_bin(bp)] += 1;
                exposure_sum += exposure;
                limit_sum += limit;
                if bp >= 9000 {
                    over_90 += 1;
                }
            }
            None if c.limits.hidden => limits_hidden = true,
            None => no_limit += 1,
        }
        if d.limits_in_force(c.id).is_some_and(|l| l.frozen) {
            frozen += 1;
        }
        if close.overdue().is_positive() {
            risk.push((
                c.id,
                c.name.clone(),
                g,
                close.overdue(),
                close.max_days_overdue,
                bp,
            ));
        }
    }
    let dso = dso_rows(&points, look, &sales);
    let now = points[n - 1];
    let sales_3: Money = points[n - 3..].iter().map(|p| p.sales).sum();
    let cei_3 = cei(points[n - 4].open_ar, sales_3, now.open_ar, now.current());
    let reps = collections_by_rep(
        cs.iter()
            .zip(&spans)
            .map(|(c, p)| (c.sales_rep.as_str(), &p[..])),
    );
    sort::by(&mut risk, |a, b| {
        b.3.cmp(&a.3).then(b.4.cmp(&a.4)).then(a.1.cmp(&b.1))
    });
    risk.truncate(10);
    let set: std::collections::HashSet<CustomerId> = ids.iter().copied().collect();
    let open_requests = d
        .requests
        .iter()
        .filter(|r| r.state().is_open() && set.contains(&r.customer))
        .count() as u32;
    let open_alerts = d
        .monitor
        .alerts
        .iter()
        .filter(|a| {
            a.status != creditdesk_domain::monitor::AlertStatus::Resolved
                && set.contains(&a.customer)
        })
        .count() as u32;
    Dashboard {
        as_of,
        customers: ids.len() as u32,
        points,
        dso,
        period_start: start,
        cei: cei_3,
        reps,
        utilisation_bp: ratio_bp_round_down(exposure_sum, limit_sum),
        over_90,
        frozen,
        open_requests,
        open_alerts,
        grades,
        util_bins,
        no_limit,
        limits_hidden,
        top_risk: risk,
    }
}

// ----- The report pages' rows -----

/// A customer's row of the aging report: its open receivables by bucket on the as-of date.
#[derive(Clone, Debug, PartialEq)]
pub struct AgingRow<'a> {
    pub customer: &'a Customer,
    pub grade: Grade,
    pub point: Point,
    /// Of the open receivables, what is under dispute on the date (shown apart).
    pub disputed: Money,
}

/// What of a customer's receivables is disputed on a day (see `creditdesk_domain::dispute`).
pub fn disputed_on(d: &Data, c: &Customer, day: Date) -> Money {
    let mut s = creditdesk_domain::CustomerSummary::default();
    creditdesk_domain::dispute::apply(&d.ledger, c, &mut s, day);
    s.disputed
}

/// The view's customers, each with its ledger points at `dates` (one pass over their ledgers).
fn chosen_points<'a>(d: &'a Data, f: &Filter, dates: &[Date]) -> Vec<(&'a Customer, Vec<Point>)> {
    let cs = chosen(d, f);
    let ids: Vec<CustomerId> = cs.iter().map(|c| c.id).collect();
    let per = d.ledger.per_customer(&ids, dates);
    cs.into_iter().zip(per).collect()
}

/// The aging report: the view's customers with receivables open on the as-of date.
pub fn aging<'a>(d: &'a Data, f: &Filter) -> Vec<AgingRow<'a>> {
    let day = f.date(d);
    chosen_points(d, f, &[day])
        .into_iter()
        .filter(|(_, p)| !p[0].open_ar.is_zero())
        .map(|(c, p)| AgingRow {
            customer: c,
            grade: d.grade(c.id),
            point: p[0],
            disputed: disputed_on(d, c, day),
        })
        .collect()
}

/// A dispute as the disputes report lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct DisputeRow<'a> {
    pub customer: &'a Customer,
    pub dispute: &'a creditdesk_domain::dispute::Dispute,
    /// What is disputed on the date (open), or what was (resolved).
    pub amount: Money,
    /// Days open on the date (to its resolution, once resolved).
    pub age: i32,
    /// Days the invoice is past due on the date (0: not due, or settled).
    pub days_overdue: i32,
    pub open: bool,
}

/// How far back the disputes report lists resolved disputes.
pub const RESOLVED_DAYS: i32 = 90;

/// The disputes report: the view's customers' disputes open on the as-of date, oldest first,
/// then those resolved in the [`RESOLVED_DAYS`] before it, newest first.
pub fn disputes<'a>(d: &'a Data, f: &Filter) -> Vec<DisputeRow<'a>> {
    let day = f.date(d);
    let mut out = Vec::new();
    for c in chosen(d, f).into_iter().filter(|c| !c.disputes.is_empty()) {
        let items = d.ledger.items(c.id, day);
        for x in &c.disputes {
            let open = x.is_open_on(day);
            let resolved_lately = x
                .resolution
                .as_ref()
                .is_some_and(|r| r.on <= day && day.days_since(r.on) <= RESOLVED_DAYS);
            if !open && !resolved_lately {
                continue;
            }
            let item = items.iter().find(|it| it.invoice == x.invoice);
            let amount = if open {
                item.map_or(Money::ZERO, |it| {
                    creditdesk_domain::dispute::disputed_on(
                        std::slice::from_ref(x),
                        x.invoice,
                        it.open,
                        day,
                    )
                })
            } else {
                x.amount
            };
            out.push(DisputeRow {
                customer: c,
                dispute: x,
                amount,
                age: x.age(day),
                days_overdue: item.map_or(0, |it| it.days_overdue),
                open,
            });
        }
    }
    sort::by_key(&mut out, |r| {
        (
            !r.open,
            if r.open { -r.age } else { 0 },
            std::cmp::Reverse(r.dispute.resolution.as_ref().map(|x| x.on)),
        )
    });
    out
}

/// Open disputes by age (0–30, 31–60, 61–90, over 90 days): how many and how much in each.
pub fn dispute_ages(rows: &[DisputeRow]) -> [(usize, Money); 4] {
    let mut out = [(0usize, Money::ZERO); 4];
    for r in rows.iter().filter(|r| r.open) {
        let k = match r.age {
            ..=30 => 0,
            31..=60 => 1,
            61..=90 => 2,
            _ => 3,
        };
        out[k].0 += 1;
        out[k].1 += r.amount;
    }
    out
}

/// What narrows the open-invoices report besides the view's filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvoiceFilter {
    pub customer: Option<CustomerId>,
    pub bucket: Option<Bucket>,
    pub only_overdue: bool,
}

/// The invoices open on the as-of date behind an aging figure: customer, invoice, bucket.
pub fn open_invoices(
    d: &Data,
    f: &Filter,
    by: &InvoiceFilter,
) -> Vec<(CustomerId, OpenItem, Bucket)> {
    let ids = chosen(d, f)
        .into_iter()
        .map(|c| c.id)
        .filter(|c| by.customer.is_none_or(|x| x == *c));
    d.ledger
        .aged_items(ids, f.date(d), by.bucket)
        .into_iter()
        .filter(|(_, _, b)| !by.only_overdue || *b != Bucket::Current)
        .collect()
}

/// DSO and CEI for each of the 12 periods up to the as-of date, oldest first.
pub fn dso(d: &Data, f: &Filter) -> Vec<DsoRow> {
    let as_of = f.date(d);
    let ids: Vec<CustomerId> = chosen(d, f).iter().map(|c| c.id).collect();
    let ends = period_ends(as_of, 12);
    let points = d.ledger.portfolio(ids.iter().copied(), &ends);
    let look = period_ends(as_of, 24);
    let sales = d.ledger.sales_in_periods(ids.iter().copied(), &look);
    dso_rows(&points, &look, &sales)
}

/// The collections ranking of the sales reps over the last `months` periods up to the as-of
/// date: the period's start (exclusive) and a row per rep, best first.
pub fn collections(d: &Data, f: &Filter, months: u32) -> (Date, Vec<RepRow>) {
    let as_of = f.date(d);
    let start = period_ends(as_of, months)[0];
    let per = chosen_points(d, f, &[start, as_of]);
    let reps = collections_by_rep(per.iter().map(|(c, p)| (c.sales_rep.as_str(), &p[..])));
    (start, reps)
}

/// A customer's row of the days-to-pay report.
#[derive(Clone, Debug, PartialEq)]
pub struct PayRow<'a> {
    pub customer: &'a Customer,
    /// Average days from invoice to payment, weighted by amount, up to the as-of date.
    pub days_to_pay: Option<DaysTenths>,
    pub point: Point,
}

/// How each of the view's customers pays.
pub fn days_to_pay<'a>(d: &'a Data, f: &Filter) -> Vec<PayRow<'a>> {
    let as_of = f.date(d);
    chosen_points(d, f, &[as_of])
        .into_iter()
        .map(|(c, p)| PayRow {
            customer: c,
            days_to_pay: d.ledger.average_days_to_pay(c.id, as_of),
            point: p[0],
        })
        .collect()
}

/// What narrows the utilisation report: a band of the dashboard's histogram
/// ([`utilisation_bin`]), a least utilisation (basis points), frozen customers only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UtilisationFilter {
    pub bin: Option<usize>,
    pub min_bp: Option<i64>,
    pub frozen_only: bool,
}

/// A customer's row of the utilisation report.
#[derive(Clone, Debug, PartialEq)]
pub struct UtilisationRow<'a> {
    pub customer: &'a Customer,
    pub grade: Grade,
    pub limit: Money,
    pub exposure: Money,
    /// Exposure / limit in basis points, rounded down; `None` without a limit.
    pub bp: Option<i64>,
    pub available: Money,
    pub frozen: bool,
}

/// Each of the view's customers' limit, exposure and utilisation on the as-of date.
pub fn utilisation_rows<'a>(
    d: &'a Data,
    f: &Filter,
    by: &UtilisationFilter,
) -> Vec<UtilisationRow<'a>> {
    let as_of = f.date(d);
    chosen_points(d, f, &[as_of])
        .into_iter()
        // A limit hidden from the user stands for nothing: no row is made of it.
        .filter(|(c, _)| !c.limits.hidden)
        .filter_map(|(c, p)| {
            let (limit, exposure, bp) = utilisation(d, c, p[0].open_ar, as_of);
            let frozen = d.limits_in_force(c.id).is_some_and(|l| l.frozen);
            let keep = by
                .bin
                .is_none_or(|b| bp.is_some_and(|bp| utilisation_bin(bp) == b))
                && by.min_bp.is_none_or(|m| bp.is_some_and(|bp| bp >= m))
                && (!by.frozen_only || frozen);
            keep.then(|| UtilisationRow {
                customer: c,
                grade: d.grade(c.id),
                limit,
                exposure,
                bp,
                available: (limit - exposure).max(Money::ZERO),
                frozen,
            })
        })
        .collect()
}

/// The collections forecast of the view's customers from the as-of date, and its back-test
/// (`creditdesk_domain::forecast`). Where a customer's own payments are too few, the pattern is
/// the whole book's: a statistic of every customer's payments, no one customer's figures.
pub fn forecast(d: &Data, f: &Filter) -> (Forecast, BackTest) {
    let ids: Vec<CustomerId> = chosen(d, f).iter().map(|c| c.id).collect();
    let as_of = f.date(d);
    (
        creditdesk_domain::forecast::forecast(&d.ledger, &ids, as_of),
        creditdesk_domain::forecast::back_test(&d.ledger, &ids, as_of),
    )
}

/// A forecast summed by sales rep (user id), in the order of their ids, with how many of the
/// rep's customers it covers.
pub fn forecast_by_rep(d: &Data, f: &Forecast) -> Vec<(String, Cash, usize)> {
    f.by(|c| {
        d.customer(c)
            .map(|c| c.sales_rep.clone())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::PerCustomer;

    #[test]
    fn values_per_customer_set_in_any_order_read_back_across_pages() {
        let n = PerCustomer::<u32>::PAGE * 2 + 7;
        let mut v: PerCustomer<u32> = PerCustomer::new(3, n, u32::MAX);
        assert_eq!(v.of(n - 1), &[u32::MAX; 3], "blank until set");
        // Backwards, as a pass in the books' order may set them.
        for i in (0..n as u32).rev() {
            v.set(i as usize, &[i, i + 1, i + 2]);
        }
        assert_eq!(v.pages.len(), 3);
        for i in [0, 1, 511, 512, 1023, 1024, n - 1] {
            let i32 = i as u32;
            assert_eq!(v.of(i), &[i32, i32 + 1, i32 + 2], "customer {i}");
        }
        // Each page exactly as long as its customers' values, the last one shorter.
        let lens: Vec<usize> = v.pages.iter().map(|p| p.len()).collect();
        assert_eq!(
            lens,
            [
                PerCustomer::<u32>::PAGE * 3,
                PerCustomer::<u32>::PAGE * 3,
                7 * 3
            ]
        );
        assert!(v.pages.iter().all(|p| p.capacity() == p.len()));
    }
}
