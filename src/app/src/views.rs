//! Read models of the pages about one customer, the held orders and the inbox: what a page shows,
//! computed from the book for one user, so that the browser and the server show the same thing
//! and a native test can check it.

use crate::book::Book;
use creditdesk_domain::approval::{Inbox, Permission, User};
use creditdesk_domain::credit::{self, Reason};
use creditdesk_domain::ledger::{DaysTenths, Doc, OpenItem};
use creditdesk_domain::rating::Grade;
use creditdesk_domain::request::{Request, RequestKind};
use creditdesk_domain::sort;
use creditdesk_domain::*;
use std::collections::HashMap;

/// Why a page about one customer cannot show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No such customer (or no id in the address).
    Missing,
    /// Another sales rep's customer: the page says so and shows nothing of it.
    NotYours,
}

/// Customer 360: the customer, its figures and its ledger as of the book's day, newest first.
#[derive(Clone, Debug)]
pub struct Customer360 {
    pub customer: Customer,
    pub summary: CustomerSummary,
    pub items: Vec<OpenItem>,
    pub orders: Vec<Order>,
    pub payments: Vec<PaymentRow>,
    pub credit_notes: Vec<CreditNoteRow>,
    /// Cash and credit notes not applied to any invoice now (they lower no invoice until they
    /// are applied).
    pub unapplied: Money,
    /// Invoices void as of today, with their void (shown struck through under the open ones).
    pub void_invoices: Vec<(Invoice, Correction)>,
    pub average_days_to_pay: Option<DaysTenths>,
    /// Invoice numbers by id, for the payments' allocations (void invoices included).
    pub numbers: HashMap<InvoiceId, DocNo>,
    /// Whether the user may record invoices, payments and credit notes, and correct the ledger.
    pub may_record: bool,
    pub may_correct: bool,
    /// Whether the user may open and resolve disputes (a credit note also needs `may_record`).
    pub may_dispute: bool,
    /// What is disputed of each open invoice today (only those with a dispute).
    pub disputed: HashMap<InvoiceId, Money>,
    /// What each order may be moved to ([`Book::order_moves`]).
    pub moves: HashMap<OrderId, Vec<crate::OrderMove>>,
}

/// A payment as it stands today: its allocations now (after reallocations), what of it is
/// unapplied, and its void if it was voided.
#[derive(Clone, Debug)]
pub struct PaymentRow {
    pub payment: Payment,
    pub allocations: Vec<Allocation>,
    pub unapplied: Money,
    pub void: Option<Correction>,
}

/// A credit note as it stands today: the invoices it settles now, what of it is unapplied (all
/// of one on account until it is applied), and its void if it was voided.
#[derive(Clone, Debug)]
pub struct CreditNoteRow {
    pub note: CreditNote,
    pub allocations: Vec<Allocation>,
    pub unapplied: Money,
    pub void: Option<Correction>,
}

/// One held order, with why the check holds it today and the release request filed for it.
#[derive(Clone, Debug)]
pub struct HeldRow {
    pub order: Order,
    pub customer: String,
    pub reasons: Vec<Reason>,
    pub release_requested: Option<RequestId>,
}

/// What waits on a user: requests to decide (late first, then escalated, then the rest, oldest
/// step first), their own requests, every late request they may see, and, for those who see every
/// customer, the latest requests.
#[derive(Clone, Debug, Default)]
pub struct InboxView {
    pub waiting: Vec<(Inbox, Request)>,
    pub mine: Vec<Request>,
    pub late: Vec<Request>,
    pub all: Vec<Request>,
    pub sees_all: bool,
}

/// How many of the latest requests "all requests" lists.
pub const ALL_REQUESTS_SHOWN: usize = 200;

impl Book {
    /// The customer a page about one customer may show to `user`.
    pub fn open_customer(&self, user: &User, id: Option<CustomerId>) -> Result<CustomerId, Access> {
        let id = id.ok_or(Access::Missing)?;
        match self.customer(id) {
            None => Err(Access::Missing),
            Some(c) if !user.sees(&c.sales_rep) => Err(Access::NotYours),
            Some(_) => Ok(id),
        }
    }

    /// Customer 360 for `user`.
    pub fn customer_360(&self, user: &User, id: Option<CustomerId>) -> Result<Customer360, Access> {
        let id = self.open_customer(user, id)?;
        let customer = self.customer(id).expect("checked").clone();
        let items = self.ledger.items(id, self.as_of);
        let mut orders: Vec<Order> = self
            .ledger
            .customer_orders(id)
            .into_iter()
            .copied()
            .collect();
        sort::by_key(&mut orders, |o| std::cmp::Reverse((o.date, o.number)));
        let l = &self.ledger;
        let mut payments: Vec<PaymentRow> = l
            .customer_payments(id)
            .into_iter()
            .map(|p| PaymentRow {
                allocations: l.allocations_now(id, p.id),
                unapplied: l.unapplied(id, p.id),
                void: l.void_of(id, Doc::Payment(p.id)).cloned(),
                payment: p.clone(),
            })
            .collect();
        sort::by_key(&mut payments, |p| std::cmp::Reverse(p.payment.date));
        let mut credit_notes: Vec<CreditNoteRow> = l
            .customer_credit_notes(id)
            .into_iter()
            .map(|c| CreditNoteRow {
                allocations: l.credit_allocations_now(id, c.id),
                unapplied: l.credit_unapplied(id, c.id),
                void: l.void_of(id, Doc::CreditNote(c.id)).cloned(),
                note: *c,
            })
            .collect();
        sort::by_key(&mut credit_notes, |c| std::cmp::Reverse(c.note.date));
        let invoices = l.customer_invoices(id);
        let void_invoices = invoices
            .iter()
            .filter_map(|i| l.void_of(id, Doc::Invoice(i.id)).map(|c| (*i, c.clone())))
            .collect();
        let disputed = items
            .iter()
            .map(|it| {
                let d = creditdesk_domain::dispute::disputed_on(
                    &customer.disputes,
                    it.invoice,
                    it.open,
                    self.as_of,
                );
                (it.invoice, d)
            })
            .filter(|(_, d)| d.is_positive())
            .collect();
        let unapplied = payments.iter().map(|p| p.unapplied).sum::<Money>()
            + credit_notes.iter().map(|c| c.unapplied).sum::<Money>();
        Ok(Customer360 {
            unapplied,
            disputed,
            may_dispute: user.may(Permission::HandleDisputes),
            numbers: invoices.iter().map(|i| (i.id, i.number)).collect(),
            void_invoices,
            may_record: user.may(Permission::RecordReceivables),
            may_correct: user.may(Permission::CorrectLedger),
            moves: orders.iter().map(|o| (o.id, self.order_moves(o))).collect(),
            summary: self.summary(id),
            average_days_to_pay: self.ledger.average_days_to_pay(id, self.as_of),
            customer,
            items,
            orders,
            payments,
            credit_notes,
        })
    }

    /// The held orders of the customers `user` sees, with today's reasons and any open release
    /// request.
    pub fn held_orders(&self, user: &User) -> Vec<HeldRow> {
        self.orders_in(user, OrderStatus::Held)
            .into_iter()
            .map(|(o, _)| HeldRow {
                customer: self
                    .customer(o.customer)
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                reasons: self
                    .check_order(o.customer, o.amount, false)
                    .map(|r| r.reasons)
                    .unwrap_or_default(),
                release_requested: self
                    .requests
                    .iter()
                    .find(|r| {
                        r.state().is_open()
                            && matches!(r.kind, RequestKind::ReleaseHeldOrder { order, .. } if order == o.id)
                    })
                    .map(|r| r.id),
                order: o,
            })
            .collect()
    }

    /// The inbox of `user` at `now` (milliseconds).
    pub fn inbox(&self, user: &User, now: i64) -> InboxView {
        let mut v = InboxView {
            sees_all: user.may(Permission::SeeAllCustomers),
            ..InboxView::default()
        };
        for r in &self.requests {
            match r.flow.inbox_reason(user, now) {
                Some(Inbox::Mine) => v.mine.push(r.clone()),
                Some(x) => v.waiting.push((x, r.clone())),
                None if r.requested_by == user.id => v.mine.push(r.clone()),
                None => {}
            }
        }
        sort::by_key(&mut v.waiting, |(x, r)| (*x, r.flow.step_since));
        v.late = self
            .requests
            .iter()
            .filter(|r| {
                r.flow.overdue(now).is_some() && (v.sees_all || self.visible(user, r.customer))
            })
            .cloned()
            .collect();
        if v.sees_all {
            v.all = self
                .requests
                .iter()
                .take(ALL_REQUESTS_SHOWN)
                .cloned()
                .collect();
        }
        v
    }
}

/// What a customer's request is checked against (the form and the `FileRequest` command alike):
/// its limits as the check sees them, its grade and score as they stand, and the grade's
/// maximum permanent limit.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub limits: credit::Limits,
    pub current: creditdesk_domain::request::Current,
    pub cap: Money,
}

impl Book {
    /// What a request on customer `id` is checked against (none before it is graded).
    pub fn request_context(&self, id: CustomerId) -> Option<RequestContext> {
        let c = self.customer(id)?;
        let score = self.rated.get(&id)?.score;
        let grade = self.grade(id);
        Some(RequestContext {
            limits: self.limits_in_force(id)?,
            current: creditdesk_domain::request::Current {
                grade,
                score,
                model_version: self.model.version,
                limit: c.limits.effective(self.as_of),
            },
            cap: self.policy.of(grade).max_limit,
        })
    }

    /// A request's page for `user`: the request and its customer's name; "not yours" for a
    /// request on a customer they do not see, "missing" for none.
    pub fn request_for(
        &self,
        user: &User,
        id: Option<RequestId>,
    ) -> Result<(Request, String), Access> {
        let r = id.and_then(|id| self.request(id)).ok_or(Access::Missing)?;
        if !self.visible(user, r.customer) {
            return Err(Access::NotYours);
        }
        let name = self
            .customer(r.customer)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        Ok((r.clone(), name))
    }
}

/// One line of the audit trail's page: the entry, who (their name) and what it is about (a
/// customer's name; a request as its customer's name and its short number).
#[derive(Clone, Debug)]
pub struct AuditLine {
    pub entry: creditdesk_domain::approval::AuditEntry,
    pub who: String,
    pub subject: String,
}

impl Book {
    /// The newest `max` entries of the audit trail, newest first, for a user who may read it
    /// (`None` for one who may not), and how many there are in all.
    pub fn audit_page(&self, user: &User, max: usize) -> Option<(Vec<AuditLine>, usize)> {
        if !user.may(Permission::ViewAudit) {
            return None;
        }
        let lines = self
            .audit
            .iter()
            .rev()
            .take(max)
            .map(|e| AuditLine {
                who: self.user_name(&e.who),
                subject: self.subject_text(&e.subject),
                entry: e.clone(),
            })
            .collect();
        Some((lines, self.audit.len()))
    }

    /// An audit subject in words: `customer:<id>` as the customer's name, `request:<id>` as its
    /// customer's name and the request's short number; anything else as it is.
    pub fn subject_text(&self, subject: &str) -> String {
        let customer = |id: CustomerId| self.customer(id).map(|c| c.name.clone());
        let named = if let Some(id) = subject
            .strip_prefix("customer:")
            .and_then(CustomerId::parse)
        {
            customer(id)
        } else if let Some(rid) = subject.strip_prefix("request:") {
            RequestId::parse(rid).and_then(|id| {
                self.request(id)
                    .and_then(|r| customer(r.customer))
                    .map(|n| format!("{n} · #{}", rid.get(..8).unwrap_or(rid)))
            })
        } else {
            None
        };
        named.unwrap_or_else(|| subject.to_string())
    }
}

/// The rating card of Customer 360: the score explained, what would lift the grade, the model's
/// thresholds, the grade in force and the customer's grade-override requests.
#[derive(Clone, Debug)]
pub struct RatingView {
    pub score: creditdesk_domain::rating::Score,
    pub hint: Option<creditdesk_domain::rating::Hint>,
    /// An additive model's hint: the one bin that lifts the grade with the fewest points.
    pub lift: Option<creditdesk_domain::rating::analyst::LiftHint>,
    /// The lowest scores of AAA, AA, A and B.
    pub thresholds: [creditdesk_domain::rating::Fixed; 4],
    pub requests: Vec<Request>,
    /// The grade in force ([`Book::grade`]: an approved override wins over the scorecard's),
    /// and whether it is an override.
    pub grade: Grade,
    pub overridden: bool,
    /// The grade in force is provisional: the customer is short of the model's minimum of data
    /// (never when overridden).
    pub provisional: bool,
    /// What the model asks before a grade stands on its own.
    pub minimum: creditdesk_domain::rating::Minimum,
}

impl Book {
    /// The rating card of customer `id` (none before it is graded).
    pub fn rating_view(&self, id: CustomerId) -> Option<RatingView> {
        let score = self.explain(id)?;
        let t = self.model.thresholds;
        let grade = self.grade(id);
        Some(RatingView {
            hint: self.model.hint(&score),
            lift: self.model.lift_hint(&score),
            thresholds: [t.aaa, t.aa, t.a, t.b],
            requests: self
                .requests
                .iter()
                .filter(|r| r.customer == id && matches!(r.kind, RequestKind::GradeOverride { .. }))
                .cloned()
                .collect(),
            overridden: grade != score.grade,
            provisional: self.rated.get(&id).is_some_and(|r| r.provisional),
            minimum: self.model.minimum,
            grade,
            score,
        })
    }
}

/// The credit card of Customer 360: the limit in force, exposure and what is left, as the
/// order-time check sees them before any order; the suggested limit; and the documents behind
/// the exposure.
#[derive(Clone, Debug)]
pub struct CreditCard {
    pub grade: Grade,
    /// The grade's row of the policy (term, settlement, cap).
    pub row: credit::GradePolicy,
    pub limit: Money,
    pub exposure: Money,
    pub available: Money,
    /// Exposure / limit in basis points, rounded down as the rules read it (90.00% warns, 89.99%
    /// does not); `None` without a limit.
    pub utilisation_bp: Option<i64>,
    /// The limit is hidden from the user: `limit`, `available` and `utilisation_bp` stand for
    /// nothing and are not shown.
    pub limit_hidden: bool,
    pub sales_12m: Money,
    pub suggestion: credit::Suggestion,
    /// The policy's factor of the suggestion, in basis points.
    pub suggestion_factor_bp: u32,
    /// Frozen by a request, or held by a rule.
    pub frozen: bool,
    /// The rules holding its ordering, with since when.
    pub holds: Vec<creditdesk_domain::monitor::Hold>,
    /// The customer's requests, newest first.
    pub requests: Vec<Request>,
    /// Invoices with something open on the book's day.
    pub open_items: Vec<OpenItem>,
    /// Orders the policy counts in the exposure (open ones, held ones, as it says).
    pub counted_orders: Vec<Order>,
}

impl Book {
    /// The credit card of customer `id` for `user` (their own reservation is theirs to use).
    pub fn credit_card(&self, user: &User, id: CustomerId) -> Option<CreditCard> {
        let position = self.check_order_as(user, id, Money::ZERO, false)?;
        let grade = self.grade(id);
        let sales_12m: Money = self
            .ledger
            .sales_per_month(id, self.as_of, 12)
            .iter()
            .map(|(_, m)| *m)
            .sum();
        let p = &self.policy;
        Some(CreditCard {
            grade,
            row: *p.of(grade),
            limit: position.limit,
            exposure: position.exposure,
            available: position.available,
            utilisation_bp: position.limit.is_positive().then(|| {
                creditdesk_domain::money::ratio_bp_round_down(position.exposure, position.limit)
                    .unwrap_or(0)
            }),
            limit_hidden: position.limit_hidden,
            sales_12m,
            suggestion: p.suggested_limit(grade, sales_12m),
            suggestion_factor_bp: p.suggestion_factor_bp,
            frozen: self.limits_in_force(id).is_some_and(|l| l.frozen),
            holds: self.monitor.held(id).to_vec(),
            requests: self
                .requests
                .iter()
                .filter(|r| r.customer == id)
                .cloned()
                .collect(),
            open_items: self.open_items(id),
            counted_orders: self
                .ledger
                .customer_orders(id)
                .into_iter()
                .filter(|o| {
                    (p.exposure_includes_open_orders && o.status.is_open_value())
                        || (p.exposure_includes_held_orders && o.status == OrderStatus::Held)
                })
                .copied()
                .collect(),
        })
    }

    /// What an order may be moved to from where it stands: shipped (open, or awaiting payment
    /// and paid in full; the credit check runs again then) or cancelled (a held order is
    /// cancelled with a reason, from the held list).
    pub fn order_moves(&self, o: &Order) -> Vec<crate::OrderMove> {
        let mut moves = Vec::new();
        let paid = || self.ledger.paid_on_order(o.customer, o.id) >= o.amount;
        if o.status == OrderStatus::Open || (o.status == OrderStatus::AwaitingPayment && paid()) {
            moves.push(crate::OrderMove::Ship);
        }
        if o.status.can_become(OrderStatus::Cancelled) && o.status != OrderStatus::Held {
            moves.push(crate::OrderMove::Cancel);
        }
        moves
    }
}

/// One thing that happened with a customer, for its timeline on Customer 360.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moment {
    /// The business day it happened.
    pub on: Date,
    /// When, to the millisecond, if it was recorded on that day (a task's note, a payment typed
    /// in); else the day only.
    pub at: Option<i64>,
    pub what: Happened,
}

/// What a [`Moment`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Happened {
    /// A rule raised an alert (still open, acknowledged or resolved as it stands now).
    Alert(creditdesk_domain::monitor::Alert),
    /// The condition behind an alert cleared.
    AlertCleared(creditdesk_domain::monitor::Alert),
    /// A collection task was opened for `owner`.
    TaskOpened {
        task: String,
        owner: String,
        rule: String,
    },
    /// A step recorded on a collection task: contact, promise, paid, escalated, with its note;
    /// `broken` when it is a promise whose day passed with the overdue still there.
    TaskStep {
        task: String,
        note: creditdesk_domain::monitor::TaskNote,
        broken: bool,
    },
    /// A payment came in.
    Payment {
        amount: Money,
        reference: Option<DocNo>,
    },
    /// A credit note was issued.
    CreditNote { number: DocNo, amount: Money },
    /// A document was voided.
    Void(Correction),
    /// A request was filed (its state as it stands now).
    Request(Request),
    /// A dispute was opened (as it stands now).
    DisputeOpened(creditdesk_domain::dispute::Dispute),
    /// A dispute was resolved.
    DisputeResolved(creditdesk_domain::dispute::Dispute),
    /// A call, visit, e-mail or message recorded on the customer's file.
    Contact(creditdesk_domain::contact::Contact),
}

impl Book {
    /// The customer's timeline, newest first: alerts, collection tasks with every contact and
    /// promise, contacts recorded on the file, disputes, payments and credit notes, voids and
    /// requests. `None` when the user may not see
    /// the customer.
    pub fn timeline(&self, user: &User, id: CustomerId) -> Option<Vec<Moment>> {
        if self.customer(id).is_none() || !self.visible(user, id) {
            return None;
        }
        let mut v = Vec::new();
        for a in self.monitor.alerts.iter().filter(|a| a.customer == id) {
            if let Some(c) = a.cleared_on {
                v.push(Moment {
                    on: c,
                    at: None,
                    what: Happened::AlertCleared(a.clone()),
                });
            }
            v.push(Moment {
                on: a.raised_on,
                at: timed(a.raised_on, a.raised_at),
                what: Happened::Alert(a.clone()),
            });
        }
        for t in self.monitor.tasks.iter().filter(|t| t.customer == id) {
            v.push(Moment {
                on: t.opened_on,
                at: None,
                what: Happened::TaskOpened {
                    task: t.id.clone(),
                    owner: t.owner.clone(),
                    rule: t.rule.clone(),
                },
            });
            let last_promise = t.notes.iter().rposition(|n| {
                matches!(
                    n.status,
                    creditdesk_domain::monitor::TaskStatus::Promised { .. }
                )
            });
            for (i, n) in t.notes.iter().enumerate() {
                v.push(Moment {
                    on: creditdesk_domain::date::business_day(n.at),
                    at: Some(n.at),
                    what: Happened::TaskStep {
                        task: t.id.clone(),
                        note: n.clone(),
                        broken: t.promise_broken && Some(i) == last_promise,
                    },
                });
            }
        }
        for p in self.ledger.customer_payments(id) {
            v.push(Moment {
                on: p.date,
                at: timed(p.date, p.meta.updated_at.0),
                what: Happened::Payment {
                    amount: p.amount,
                    reference: p.reference,
                },
            });
        }
        for c in self.ledger.customer_credit_notes(id) {
            v.push(Moment {
                on: c.date,
                at: timed(c.date, c.meta.updated_at.0),
                what: Happened::CreditNote {
                    number: c.number,
                    amount: c.amount,
                },
            });
        }
        for c in self
            .ledger
            .corrections()
            .iter()
            .filter(|c| c.customer == id)
        {
            if c.fix.is_void() {
                v.push(Moment {
                    on: c.date,
                    at: timed(c.date, c.meta.updated_at.0),
                    what: Happened::Void(c.clone()),
                });
            }
        }
        for c in &self.customer(id).expect("checked").contacts {
            v.push(Moment {
                on: c.on,
                at: timed(c.on, c.at),
                what: Happened::Contact(c.clone()),
            });
        }
        for d in &self.customer(id).expect("checked").disputes {
            if let Some(r) = &d.resolution {
                v.push(Moment {
                    on: r.on,
                    at: None,
                    what: Happened::DisputeResolved(d.clone()),
                });
            }
            v.push(Moment {
                on: d.opened,
                at: None,
                what: Happened::DisputeOpened(d.clone()),
            });
        }
        for r in self.requests.iter().filter(|r| r.customer == id) {
            v.push(Moment {
                on: r.requested_on,
                at: timed(r.requested_on, r.flow.submitted_at),
                what: Happened::Request(r.clone()),
            });
        }
        // Newest first; within a day by the time it was recorded where that is known (the
        // untimed, such as an alert's clearing, last).
        sort::by_key(&mut v, |m| {
            std::cmp::Reverse((m.on, m.at.unwrap_or(i64::MIN)))
        });
        Some(v)
    }
}

/// The time a thing was recorded, when that was on its own day (an import or the demo records
/// old documents today: their time says nothing of their day).
fn timed(on: Date, ms: i64) -> Option<i64> {
    (ms > 0 && creditdesk_domain::date::business_day(ms) == on).then_some(ms)
}
