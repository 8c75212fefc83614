//! Read models of the pages about one customer, the held orders and the inbox: what a page shows,
//! computed from the book for one user, so that the browser and the server show the same thing
//! and a native test can check it.

use crate::book::Book;
use creditdesk_domain::approval::{Inbox, Permission, User};
use creditdesk_domain::credit::Reason;
use creditdesk_domain::ledger::{DaysTenths, OpenItem};
use creditdesk_domain::request::{Request, RequestKind};
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
    pub payments: Vec<Payment>,
    pub credit_notes: Vec<CreditNote>,
    pub average_days_to_pay: Option<DaysTenths>,
    /// Invoice numbers by id, for the payments' allocations.
    pub numbers: HashMap<InvoiceId, DocNo>,
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
        orders.sort_by_key(|o| std::cmp::Reverse((o.date, o.number)));
        let mut payments: Vec<Payment> = self
            .ledger
            .customer_payments(id)
            .into_iter()
            .cloned()
            .collect();
        payments.sort_by_key(|p| std::cmp::Reverse(p.date));
        let mut credit_notes: Vec<CreditNote> = self
            .ledger
            .customer_credit_notes(id)
            .into_iter()
            .copied()
            .collect();
        credit_notes.sort_by_key(|c| std::cmp::Reverse(c.date));
        Ok(Customer360 {
            numbers: items.iter().map(|i| (i.invoice, i.number)).collect(),
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
        v.waiting.sort_by_key(|(x, r)| (*x, r.flow.step_since));
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
