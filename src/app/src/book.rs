//! The read model: everything loaded, in memory, and the figures derived from it.
//!
//! The browser keeps one `Book` for the signed-in user's device; a server keeps one per data
//! set. Every write goes through [`crate::execute`], which updates the book after the store has
//! committed, so the book never shows what the store does not hold.

use creditdesk_domain::approval::{AuditEntry, Routes, User};
use creditdesk_domain::credit::{self, CheckInput, CheckResult, Exposure, Policy, Reservation};
use creditdesk_domain::id::IdMap;
use creditdesk_domain::monitor::{MonitorState, RuleSet};
use creditdesk_domain::rating::{
    migration, Fixed, Grade, Mask, Metrics, Migration, Rating, Score, Scorecard, Sealed,
};
use creditdesk_domain::request::Request;
use creditdesk_domain::sort;
use creditdesk_domain::*;

use crate::PerCustomer;

/// A customer whose grade a draft changes: id, name, old and new grade, old and new score, exposure.
pub type GradeChange = (CustomerId, String, Grade, Grade, Fixed, Fixed, Money);

/// Which book this is: a number drawn whenever a book is made (`Book::default`), so that work
/// spanning turns for the page (a run of the rules over everyone) can tell the book it began on
/// from one put in its place (a start's, a sync's) with the same trail, day and customers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Made(u64);

impl Default for Made {
    fn default() -> Made {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Made(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// Everything loaded, in memory.
#[derive(Default)]
pub struct Book {
    /// Which book this is (see [`Made`]).
    pub made: Made,
    /// How many runs of the rules this book has seen (each may change `monitor.previous`, which
    /// the rules' facts read, without a trail entry).
    pub rules_runs: u64,
    /// How many writes the command layer and the rules have committed to this book: long work
    /// that takes turns (the rules' write after a large run) compares it to know that nothing
    /// was committed under it. Counted by [`crate::exec::written_through`], as is `writing`.
    pub commits: u64,
    /// How many of those writes are under way: begun, their transaction not yet ended (what
    /// they change is in the book once it ends). Long work waits for none before it writes.
    pub writing: u32,
    /// The store holds data this book does not: a pull was adopted and the book could not be
    /// read again after it (`sync::adopt_onto`). Nothing derived from it is kept for the next
    /// start; the book that takes its place (a start's, the next pull's) holds what the store
    /// does.
    pub behind_store: bool,
    /// Sorted by name.
    pub customers: Vec<Customer>,
    pub index: IdMap<CustomerId, usize>,
    pub ledger: Ledger,
    pub summaries: IdMap<CustomerId, CustomerSummary>,
    /// The business day the figures are computed for.
    pub as_of: Date,
    /// This device's id.
    pub device: DeviceId,
    /// The published scorecard, every published version (oldest first), and the draft.
    pub model: Scorecard,
    pub versions: Vec<Scorecard>,
    pub draft: Option<Scorecard>,
    /// Each customer's metrics as of `as_of`, and its score and grade under `model`.
    pub metrics: PerCustomer<Metrics>,
    pub rated: PerCustomer<Rating>,
    /// Requests of the approval workflow, newest first.
    pub requests: Vec<Request>,
    /// The credit policy per grade and the rules of the order-time check.
    pub policy: Policy,
    /// The user directory, the signed-in user's id, and the approval routes.
    pub users: Vec<User>,
    pub user: String,
    pub routes: Routes,
    /// The audit trail, oldest first.
    pub audit: Vec<AuditEntry>,
    /// The warning rules and what monitoring keeps between runs (alerts, tasks, holds).
    pub rules: RuleSet,
    pub monitor: MonitorState,
    /// The custom fields of the customer form.
    pub fields: creditdesk_domain::fields::FieldSet,
    /// Credit set aside for users in the field (see [`Reservation`]).
    pub reservations: Vec<Reservation>,
    /// Who is told what and how: read by a server, which delivers notices (a device does not
    /// load it; the settings page reads it from the server).
    pub notices: creditdesk_domain::notice::Settings,
    /// A device's copy of a server's book (a signed-in user's): what is hidden from the user is
    /// missing from it, so the rules on hidden fields are left to the server and the sealed
    /// parts the server sent are counted. False on the server and in a browser on its own (which
    /// holds everything).
    pub synced: bool,
    /// The unfiltered dashboard the last start drew for this user, kept with the list's figures
    /// ([`crate::figures`]): shown until the ledger is read, then dropped.
    pub kept_dashboard: Option<crate::reports::Dashboard>,
    /// The list's order by name kept with those figures (`figures::apply`), for the browser's
    /// collation to start from; dropped with them.
    pub kept_order: Option<crate::figures::NameOrder>,
}

/// Where a book stands: which book it is, and how many runs of the rules and writes it has seen
/// ([`Book::mark`]). Work that takes turns compares it before and after them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    made: Made,
    rules_runs: u64,
    commits: u64,
}

impl Book {
    /// Where this book stands now: long work that takes turns (the rules' write after a large
    /// run, the figures kept for the next start) takes it before its turns and, when it is the
    /// same after them and no write is under way ([`Book::writing`]), knows that no write landed
    /// in the book it worked on and that no other book took its place. What changes a book in
    /// place without a write (its day rolled, the user switched) leaves the mark as it is: the
    /// browser's data revision moves with those.
    pub fn mark(&self) -> Mark {
        Mark {
            made: self.made,
            rules_runs: self.rules_runs,
            commits: self.commits,
        }
    }
    pub fn customer(&self, id: CustomerId) -> Option<&Customer> {
        self.index.get(&id).map(|&i| &self.customers[i])
    }
    /// A request of the workflow by its id.
    pub fn request(&self, id: RequestId) -> Option<&Request> {
        self.requests.iter().find(|r| r.id == id)
    }
    pub fn summary(&self, id: CustomerId) -> CustomerSummary {
        self.summaries.get(&id).copied().unwrap_or_default()
    }
    /// The signed-in user. One the directory no longer has is nobody: no roles, no customers
    /// (never another user's rights).
    pub fn me(&self) -> User {
        self.users
            .iter()
            .find(|u| u.id == self.user)
            .cloned()
            .unwrap_or_else(|| User {
                id: self.user.clone(),
                name: String::new(),
                roles: Vec::new(),
                region: String::new(),
            })
    }
    /// Whom `me` may make a customer's sales rep, as (user id, name) sorted by name: themselves
    /// when they see only their own customers; else the directory's sales reps and managers, and
    /// `current` even if it is no longer one of them (a rep who left stays until someone is
    /// chosen).
    pub fn rep_candidates(&self, me: &User, current: &str) -> Vec<(String, String)> {
        use creditdesk_domain::approval::{Permission, Role};
        if !me.may(Permission::SeeAllCustomers) {
            return vec![(me.id.clone(), me.name.clone())];
        }
        let sales = self
            .users
            .iter()
            .filter(|u| u.has(Role::SalesRep) || u.has(Role::SalesManager))
            .map(|u| u.id.as_str());
        self.rep_choices(sales.chain(std::iter::once(current)))
    }
    /// Sales reps as (user id, name), sorted by name, each once: a filter's options.
    pub fn rep_choices<'a>(&self, ids: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
        // A hash set, not an ordered one: ten thousand customers' reps, a text comparison at
        // every insertion (see `queries::distinct`).
        let ids: std::collections::HashSet<&str> = ids.filter(|s| !s.is_empty()).collect();
        let mut v: Vec<(String, String)> = ids
            .into_iter()
            .map(|id| (id.to_string(), self.user_name(id)))
            .collect();
        // By name; two people of one name by their ids.
        sort::by(&mut v, |a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
    pub fn user_name(&self, id: &str) -> String {
        self.users
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    }
    /// A customer's score and grade today (an approved override wins); 0 and C when not graded
    /// yet, the strictest, as the rules and the check read it.
    pub fn score_and_grade(&self, id: CustomerId) -> (Fixed, Grade) {
        self.rated
            .get(&id)
            .map_or((Fixed(0), Grade::C), |r| (r.score, r.grade))
    }
    /// A customer's grade today (an approved override wins); C when not graded yet.
    pub fn grade(&self, id: CustomerId) -> Grade {
        self.rated.get(&id).map_or(Grade::C, |r| r.grade)
    }
    /// A customer's limits as the check sees them: frozen too while a rule holds its ordering.
    pub fn limits_in_force(&self, id: CustomerId) -> Option<credit::Limits> {
        let c = self.customer(id)?;
        let mut l = c.limits.clone();
        l.frozen |= !self.monitor.held(id).is_empty();
        Some(l)
    }
    /// Whether `user` sees this customer (a sales rep sees their own).
    pub fn visible(&self, user: &User, id: CustomerId) -> bool {
        self.customer(id).is_some_and(|c| user.sees(&c.sales_rep))
    }
    /// Rebuilds the id index after the customer list changed order or length.
    pub fn reindex(&mut self) {
        self.index = self
            .customers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect();
    }
    /// Puts a customer in (a new one in name order) or replaces it.
    pub fn put_customer(&mut self, c: Customer) {
        match self.index.get(&c.id) {
            Some(&i) => self.customers[i] = c,
            None => {
                self.customers.push(c);
                sort::by(&mut self.customers, |a, b| a.name.cmp(&b.name));
                self.reindex();
            }
        }
    }
    /// Recomputes one customer's figures, metrics and grade (after a change of its data).
    pub fn refresh_summary(&mut self, id: CustomerId) {
        let mut s = self.ledger.summary(id, self.as_of);
        if let Some(c) = self.customer(id) {
            creditdesk_domain::dispute::apply(&self.ledger, c, &mut s, self.as_of);
        }
        self.summaries.insert(id, s);
        if let Some(c) = self.customer(id) {
            let m = self
                .ledger
                .metrics_counting(c, self.as_of, self.policy.disputes.in_rating);
            let sealed = self.sealed_of(c);
            let mask = sealed.map(Sealed::mask).unwrap_or_default();
            let r = self.model.prepare_masked(&mask).rate_sealed(&m, sealed);
            self.rated
                .insert(id, r.overridden(c.grade_override.map(|o| o.grade)));
            self.metrics.insert(id, m);
        }
    }

    /// Every customer's figures as of `as_of`.
    pub fn summarise_all(&mut self) {
        self.summaries = self.ledger.summaries(self.as_of);
        self.adjust_disputed();
    }

    /// Fills the dispute figures of the customers with disputes (the ledger's summaries know
    /// nothing of disputes: they live on the customer).
    pub fn adjust_disputed(&mut self) {
        for c in self.customers.iter().filter(|c| !c.disputes.is_empty()) {
            let s = self.summaries.entry(c.id).or_default();
            creditdesk_domain::dispute::apply(&self.ledger, c, s, self.as_of);
        }
    }

    /// A customer's figures as the warning rules read them: disputed amounts in the overdue ones
    /// only when the policy says so.
    pub fn summary_for_rules(&self, id: CustomerId) -> CustomerSummary {
        self.summary(id).counting(self.policy.disputes.in_rules)
    }

    /// Metrics for every customer (the slow half of grading; [`Book::rescore`] is the other).
    pub fn compute_metrics(&mut self) {
        let all =
            self.ledger
                .metrics_all(&self.customers, self.as_of, self.policy.disputes.in_rating);
        // Into the rows' own room, the index of the customers kept when they did not change.
        self.metrics
            .refill(self.customers.iter().map(|c| c.id), all);
    }

    /// The rating's metrics of the next `n` customers (after those in `parts`) from `ledger`, a
    /// ledger not yet in the book: a start computes them a part at a time, with turns for the
    /// page between, before the ledger joins the book. True once every customer has its part.
    pub fn metrics_part(&self, ledger: &Ledger, parts: &mut MetricsParts, n: usize) -> bool {
        let from = parts.0.len().min(self.customers.len());
        let part = &self.customers[from..(from + n).min(self.customers.len())];
        let figures = ledger.metrics_all(part, self.as_of, self.policy.disputes.in_rating);
        parts.0.extend(part.iter().map(|c| c.id).zip(figures));
        parts.0.len() >= self.customers.len()
    }

    /// Takes the metrics made by [`Book::metrics_part`] from the ledger now in the book, if they
    /// are still this book's: nothing changed meanwhile (`changed` false: the caller knows of
    /// writes) and they are of its customers, in order (a sync's rebase replaces them). Else
    /// computes them again, at once.
    pub fn take_metrics(&mut self, parts: MetricsParts, changed: bool) {
        let same = parts.0.len() == self.customers.len()
            && parts
                .0
                .iter()
                .zip(&self.customers)
                .all(|((id, _), c)| *id == c.id);
        if changed || !same {
            self.compute_metrics();
        } else {
            self.metrics = parts.0.into_iter().collect();
        }
    }

    /// Grades from the cached metrics under the published model; an approved override replaces
    /// the scorecard's grade (the score stays, for the record).
    pub fn rescore(&mut self) {
        let mask = self.sealing();
        let p = self.model.prepare_masked(&mask);
        let sealed: IdMap<CustomerId, &Sealed> = if mask.is_empty() {
            IdMap::default()
        } else {
            self.customers
                .iter()
                .filter_map(|c| Some((c.id, self.sealed_of(c)?)))
                .collect()
        };
        // Into the rows' own room, in the metrics' order, as the metrics (`Book::compute_metrics`).
        self.rated.refill(
            self.metrics.keys().copied(),
            self.metrics
                .iter()
                .map(|(id, m)| p.rate_sealed(m, sealed.get(id).copied())),
        );
        for c in &self.customers {
            if let (Some(o), Some(r)) = (c.grade_override, self.rated.get_mut(&c.id)) {
                *r = r.overridden(Some(o.grade));
            }
        }
    }

    /// Moves the figures to another business day; false when it already was that day.
    pub fn roll_to(&mut self, as_of: Date) -> bool {
        if self.as_of == as_of {
            return false;
        }
        self.as_of = as_of;
        self.summarise_all();
        self.compute_metrics();
        self.rescore();
        true
    }

    /// A customer's explained score under the published model.
    pub fn explain(&self, id: CustomerId) -> Option<Score> {
        let sealed = self.customer(id).and_then(|c| self.sealed_of(c));
        let mask = sealed.map(Sealed::mask).unwrap_or_default();
        self.metrics
            .get(&id)
            .map(|m| self.model.score_sealed(m, self.as_of, &mask, sealed))
    }

    /// The rating inputs hidden from this device's user, when the server sent their part of
    /// each score sealed (see `creditdesk_domain::rating::sealed`; one user's customers share
    /// one mask); empty on the server, and on a device that holds every input.
    pub fn sealing(&self) -> Mask {
        self.customers
            .iter()
            .find_map(|c| self.sealed_of(c))
            .map(Sealed::mask)
            .unwrap_or_default()
    }

    /// A customer's sealed part, counted only in a device's copy of a server's book
    /// ([`Book::synced`]): the server and a browser on its own grade from what they hold, so a
    /// part that came in otherwise (a forged import, a device's backup restored) counts for
    /// nothing there.
    fn sealed_of<'a>(&self, c: &'a Customer) -> Option<&'a Sealed> {
        c.sealed.as_ref().filter(|_| self.synced)
    }

    /// What the credit check needs to know about a customer today. A customer not graded yet is
    /// treated as grade C (the strictest). Every reservation on the customer counts.
    pub fn check_input(&self, id: CustomerId) -> Option<CheckInput> {
        self.check_input_for(id, None)
    }

    /// The same, for `holder`'s own order: their reservation on the customer is theirs to use,
    /// so it does not count against them.
    pub fn check_input_for(&self, id: CustomerId, holder: Option<&str>) -> Option<CheckInput> {
        let c = self.customer(id)?;
        let s = self.summary(id).counting(self.policy.disputes.in_holds);
        Some(CheckInput {
            grade: self.grade(id),
            limits: self.limits_in_force(c.id)?,
            exposure: Exposure {
                open_ar: s.open_ar,
                open_orders: s.open_orders,
                held_orders: s.held_orders,
                reserved: self.reserved(id, holder),
            },
            overdue: s.overdue,
            max_days_overdue: s.max_days_overdue,
        })
    }

    /// Credit reserved on a customer today, but for `holder`'s own reservations.
    pub fn reserved(&self, id: CustomerId, holder: Option<&str>) -> Money {
        self.reservations
            .iter()
            .filter(|r| r.customer == id && r.is_active(self.as_of))
            .filter(|r| holder != Some(r.holder.as_str()))
            .map(|r| r.amount)
            .sum()
    }

    /// The reservations in force on a customer.
    pub fn reservations_on(&self, id: CustomerId) -> Vec<&Reservation> {
        self.reservations
            .iter()
            .filter(|r| r.customer == id && r.is_active(self.as_of))
            .collect()
    }

    /// The order-time credit check of an order of `amount` for a customer, today.
    pub fn check_order(&self, id: CustomerId, amount: Money, prepaid: bool) -> Option<CheckResult> {
        self.check_input(id)
            .map(|c| credit::check(&self.policy, &c, amount, prepaid, self.as_of))
    }

    /// Whether the customers' limits are hidden from `user` (see [`creditdesk_domain::access`]):
    /// then they hold no figure made from a limit, and the server checks their orders against it.
    pub fn limits_hidden_from(&self, user: &User) -> bool {
        creditdesk_domain::access::hides_limits(&creditdesk_domain::access::hidden(
            &self.fields,
            user,
            &self.policy.profile_editors,
        ))
    }

    /// Whether `user` may set credit aside for an order to come: one who records orders and
    /// sees what is available (not one from whom limits are hidden).
    pub fn may_reserve(&self, user: &User) -> bool {
        user.may(creditdesk_domain::approval::Permission::RecordOrders)
            && !self.limits_hidden_from(user)
    }

    /// The check of `user`'s order: their own reservation on the customer is theirs to use.
    pub fn check_order_as(
        &self,
        user: &User,
        id: CustomerId,
        amount: Money,
        prepaid: bool,
    ) -> Option<CheckResult> {
        self.check_input_for(id, Some(&user.id))
            .map(|c| credit::check(&self.policy, &c, amount, prepaid, self.as_of))
    }

    /// The check of an order already counted in the figures, as it moves on (ships, is
    /// invoiced): its own amount is taken out of the exposure first, so that it is not counted
    /// twice.
    pub fn recheck_order(&self, order: &Order) -> Option<CheckResult> {
        let mut input = self.check_input(order.customer)?;
        if order.status.is_open_value() {
            input.exposure.open_orders -= order.amount;
        }
        Some(credit::check(
            &self.policy,
            &input,
            order.amount,
            false,
            self.as_of,
        ))
    }

    /// What a draft model would do to the customers `user` sees: the migration matrix from the
    /// published grades, and the customers whose grade changes, biggest exposure first.
    pub fn what_if(&self, user: &User, draft: &Scorecard) -> (Migration, Vec<GradeChange>) {
        let prepared = draft.prepare();
        let mut moves = Vec::with_capacity(self.customers.len());
        let mut changes = Vec::new();
        for c in self.customers.iter().filter(|c| user.sees(&c.sales_rep)) {
            let (
                Some(&Rating {
                    score: old_score,
                    grade: old,
                    ..
                }),
                Some(m),
            ) = (self.rated.get(&c.id), self.metrics.get(&c.id))
            else {
                continue;
            };
            let (new_score, new) = prepared.score_and_grade(m);
            let exposure = self.exposure(c.id);
            moves.push((old, new, exposure));
            if old != new {
                changes.push((
                    c.id,
                    c.name.clone(),
                    old,
                    new,
                    old_score,
                    new_score,
                    exposure,
                ));
            }
        }
        sort::by_key(&mut changes, |c| std::cmp::Reverse(c.6));
        (migration(moves), changes)
    }

    /// The orders in a status (held, awaiting payment) of the customers `user` sees, oldest
    /// first, each with what is paid on its invoices so far.
    pub fn orders_in(&self, user: &User, status: OrderStatus) -> Vec<(Order, Money)> {
        let mut out: Vec<(Order, Money)> = self
            .ledger
            .orders()
            .iter()
            .filter(|o| o.status == status && self.visible(user, o.customer))
            .map(|o| (*o, self.ledger.paid_on_order(o.customer, o.id)))
            .collect();
        sort::by_key(&mut out, |(o, _)| (o.date, o.number));
        out
    }

    /// The audit trail as the JSON file an auditor downloads.
    pub fn audit_json(&self) -> String {
        serde_json::to_string_pretty(&self.audit).expect("audit entries serialise")
    }

    /// Exposure for the migration matrix: open receivables plus open orders.
    pub fn exposure(&self, id: CustomerId) -> Money {
        let s = self.summary(id);
        s.open_ar + s.open_orders
    }
}

/// The rating's metrics of a book's customers, made a part at a time ([`Book::metrics_part`],
/// [`Book::take_metrics`]).
#[derive(Default)]
pub struct MetricsParts(Vec<(CustomerId, Metrics)>);
