//! Read models of the pages that list and show customers: the customer list (search, filters,
//! sort, what a user may see) and the values its filters offer.

use crate::book::Book;
use creditdesk_domain::approval::User;
use creditdesk_domain::ledger::OpenItem;
use creditdesk_domain::rating::Grade;
use creditdesk_domain::sort;
use creditdesk_domain::text::next_number;
use creditdesk_domain::CustomerId;

/// How the customer list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ListSort {
    /// By name (the book's order).
    #[default]
    Name,
    /// Open receivables, largest first.
    Open,
    /// Overdue amount, largest first.
    Overdue,
    /// Days overdue of the oldest item, most first.
    Days,
    /// Score, lowest first (who to look at).
    Score,
}

/// What the customer list shows: a search text (name, rep or credit code, any case) and filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub text: String,
    pub region: String,
    pub rep: String,
    pub grade: Option<Grade>,
    pub only_overdue: bool,
    /// A custom field's option (`key=option`) or yes (`key`) the customer holds (empty: any;
    /// see [`creditdesk_domain::fields::holds`]).
    pub custom: String,
    pub sort: ListSort,
}

impl Book {
    /// The customers `user` sees that match the filter, as indices into `customers`, in the
    /// filter's order.
    pub fn customer_rows(&self, user: &User, f: &ListFilter) -> Vec<usize> {
        let q = f.text.trim().to_lowercase();
        // A search for a rep's name finds their customers (the customer holds the user's id).
        let reps_named: Vec<&str> = self
            .users
            .iter()
            .filter(|u| !q.is_empty() && u.name.to_lowercase().contains(&q))
            .map(|u| u.id.as_str())
            .collect();
        let mut ix: Vec<usize> = (0..self.customers.len())
            .filter(|&i| {
                let c = &self.customers[i];
                user.sees(&c.sales_rep)
                    && (f.region.is_empty() || c.region == f.region)
                    && (f.rep.is_empty() || c.sales_rep == f.rep)
                    && (!f.only_overdue || self.summary(c.id).overdue.is_positive())
                    && (f.custom.is_empty()
                        || creditdesk_domain::fields::holds(&c.custom, &f.custom))
                    && f.grade
                        .is_none_or(|g| self.rated.get(&c.id).is_some_and(|r| r.grade == g))
                    && (q.is_empty()
                        || c.name.to_lowercase().contains(&q)
                        || reps_named.contains(&c.sales_rep.as_str())
                        || c.uscc
                            .is_some_and(|u| u.as_str().to_lowercase().contains(&q)))
            })
            .collect();
        let id = |i: usize| self.customers[i].id;
        match f.sort {
            ListSort::Name => {}
            ListSort::Open => {
                sort::by_key(&mut ix, |&i| std::cmp::Reverse(self.summary(id(i)).open_ar))
            }
            ListSort::Overdue => {
                sort::by_key(&mut ix, |&i| std::cmp::Reverse(self.summary(id(i)).overdue))
            }
            ListSort::Days => sort::by_key(&mut ix, |&i| {
                std::cmp::Reverse(self.summary(id(i)).max_days_overdue)
            }),
            ListSort::Score => sort::by_key(&mut ix, |&i| self.rated.get(&id(i)).map(|r| r.score)),
        }
        ix
    }

    /// The regions and sales reps (user id, name) among the customers `user` sees, sorted, each
    /// once.
    pub fn list_choices(&self, user: &User) -> (Vec<String>, Vec<(String, String)>) {
        let mine = || self.customers.iter().filter(|c| user.sees(&c.sales_rep));
        (
            distinct(mine().map(|c| c.region.as_str()).filter(|r| !r.is_empty())),
            self.rep_choices(mine().map(|c| c.sales_rep.as_str())),
        )
    }
}

/// The distinct values among `values`, in order. A hash set of the few distinct values, then
/// their sort: not a sort of every customer's copy (at 10,000 customers about 8 ms of each
/// drawing of a list's or a report's filters in the browser), nor an ordered set, which compares
/// texts at every insertion (some 15 ms of the list's first drawing in a browser's profile).
pub fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let set: std::collections::HashSet<&str> = values.collect();
    let mut out: Vec<String> = set.into_iter().map(str::to_string).collect();
    sort::natural(&mut out);
    out
}

/// The ledger forms' defaults and a reminder's items.
impl Book {
    /// The next free order number in a series (`SO-2026-0000001`; `series` may carry a device's
    /// tag, `SO-7F3A`), for the order form's default.
    pub fn next_order_number(&self, series: &str, year: i32) -> String {
        next_number(series, year, self.ledger.orders().iter().map(|o| o.number))
    }
    /// The next free invoice number in a series, for the invoice form's default.
    pub fn next_invoice_number(&self, series: &str, year: i32) -> String {
        next_number(series, year, self.ledger.invoice_numbers())
    }
    pub fn next_credit_note_number(&self, series: &str, year: i32) -> String {
        next_number(
            series,
            year,
            self.ledger.credit_notes().iter().map(|c| c.number),
        )
    }
    /// Whether `user` may change a customer's rating inputs (the external profile, the first
    /// cooperation date): the roles the policy names (finance by default).
    pub fn may_edit_profile(&self, user: &User) -> bool {
        self.policy.profile_editors.iter().any(|r| user.has(*r))
    }
    /// What `user` may do with a customer field (a fixed field's name or `custom.<key>`):
    /// the field-level permissions, with the defaults (see `creditdesk_domain::access`).
    pub fn field_access(&self, user: &User, field: &str) -> creditdesk_domain::access::Access {
        creditdesk_domain::access::access(&self.fields, user, field, &self.policy.profile_editors)
    }
    /// Whether `user` may give back a reservation: its holder, or whoever may edit the policy.
    pub fn may_release(&self, user: &User, r: &creditdesk_domain::credit::Reservation) -> bool {
        r.holder == user.id || user.may(creditdesk_domain::approval::Permission::EditPolicy)
    }
    /// The sales rep a new customer of `user` gets by default: themselves if they see only
    /// their own customers (they may give it no one else), else nobody yet.
    pub fn default_rep(&self, user: &User) -> String {
        if user.may(creditdesk_domain::approval::Permission::SeeAllCustomers) {
            String::new()
        } else {
            user.id.clone()
        }
    }
    /// What a warning rule may be scoped to: every region and every sales rep (id, name) of the
    /// customers (a rule watches them all, whoever edits it).
    pub fn rule_scopes(&self) -> (Vec<String>, Vec<(String, String)>) {
        (
            distinct(self.customers.iter().map(|c| c.region.as_str())),
            self.rep_choices(self.customers.iter().map(|c| c.sales_rep.as_str())),
        )
    }
    /// The customer a command is about, if it is about one (to fix a refused command there).
    pub fn customer_of(&self, cmd: &crate::Command) -> Option<CustomerId> {
        use crate::Command as C;
        match cmd {
            C::SaveCustomer { id, .. } => Some(*id),
            C::RecordOrder { customer, .. }
            | C::RecordInvoice { customer, .. }
            | C::RecordPayment { customer, .. }
            | C::RecordCreditNote { customer, .. }
            | C::Correct { customer, .. }
            | C::FileRequest { customer, .. }
            | C::ReserveCredit { customer, .. } => Some(*customer),
            C::MoveOrder { order, .. } | C::CancelHeld { order, .. } => {
                self.ledger.order(*order).map(|o| o.customer)
            }
            C::Decide { request, .. } | C::Withdraw { request } => {
                self.request(*request).map(|r| r.customer)
            }
            C::SetAlert { alert, .. } => self
                .monitor
                .alerts
                .iter()
                .find(|a| a.id == *alert)
                .map(|a| a.customer),
            C::UpdateTask { task, .. } => self
                .monitor
                .tasks
                .iter()
                .find(|t| t.id == *task)
                .map(|t| t.customer),
            C::ReleaseReservation { id } => self
                .reservations
                .iter()
                .find(|r| r.id == *id)
                .map(|r| r.customer),
            _ => None,
        }
    }
    /// How many of the customers `user` sees have each grade (AAA first).
    pub fn grade_counts(&self, user: &User) -> [u32; 5] {
        let mut counts = [0u32; 5];
        for c in self.customers.iter().filter(|c| user.sees(&c.sales_rep)) {
            if let Some(r) = self.rated.get(&c.id) {
                counts[r.grade as usize] += 1;
            }
        }
        counts
    }
    /// The payment term of a customer's new invoice, by default: its grade's term in the policy.
    pub fn default_term_days(&self, id: CustomerId) -> u32 {
        self.policy.of(self.grade(id)).term_days
    }
    /// The orders an invoice may bill: open or shipped ones, and prepaid ones (their advance
    /// invoice); never a held or cancelled one (as `RecordInvoice` decides).
    pub fn invoiceable_orders(&self, id: CustomerId) -> Vec<creditdesk_domain::Order> {
        use creditdesk_domain::OrderStatus;
        self.ledger
            .customer_orders(id)
            .into_iter()
            .filter(|o| o.status.is_open_value() || o.status == OrderStatus::AwaitingPayment)
            .copied()
            .collect()
    }
    /// The categories orders have used, sorted, once each (the order form offers them).
    pub fn order_categories(&self) -> Vec<String> {
        // The few distinct ones first, then their text (not a text per order).
        let distinct: std::collections::HashSet<_> = self
            .ledger
            .orders()
            .iter()
            .filter_map(|o| o.category)
            .collect();
        let mut cats: Vec<String> = distinct.into_iter().map(|c| c.to_string()).collect();
        sort::natural(&mut cats);
        cats
    }
    /// A customer's invoices with something still open on the as-of date (a reminder lists
    /// them).
    pub fn open_items(&self, id: CustomerId) -> Vec<OpenItem> {
        self.ledger
            .items(id, self.as_of)
            .into_iter()
            .filter(|i| i.open.is_positive())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_values_come_once_each_in_order() {
        let check = |values: &[&str], expected: &[&str]| {
            assert_eq!(distinct(values.iter().copied()), expected, "{values:?}");
        };
        check(&[], &[]);
        check(&["North"], &["North"]);
        check(
            &["South", "East", "South", "North", "East", "South"],
            &["East", "North", "South"],
        );
        check(&["华东", "East", "华东", "east"], &["East", "east", "华东"]);
    }

    #[test]
    fn reps_are_chosen_by_name_once_each_and_two_of_one_name_by_their_ids() {
        let user = |id: &str, name: &str| User {
            id: id.into(),
            name: name.into(),
            roles: Vec::new(),
            region: String::new(),
        };
        let book = Book {
            users: vec![
                user("rep-9", "Wang"),
                user("rep-2", "Li"),
                user("rep-7", "Wang"),
            ],
            ..Book::default()
        };
        let ids = ["rep-9", "rep-7", "", "rep-2", "rep-9", "gone", "rep-7"];
        let pair = |id: &str, name: &str| (id.to_string(), name.to_string());
        assert_eq!(
            book.rep_choices(ids.into_iter()),
            [
                pair("rep-2", "Li"),
                pair("rep-7", "Wang"),
                pair("rep-9", "Wang"),
                pair("gone", "gone")
            ]
        );
    }
}
