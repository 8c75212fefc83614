//! Running a command: [`plan`] (authorise, validate, compute the effects; pure) and [`execute`]
//! (commit the effects with their audit entries and the command's outbox record in one
//! transaction, then update the book).

use crate::book::Book;
use crate::command::{Base, Command, OrderMove};
use crate::error::CommandError;
use crate::Ctx;
use creditdesk_domain::access;
use creditdesk_domain::approval::{
    chain, directory_problems, follows, AuditEntry, Event, Permission, RouteCode, RouteProblem,
    Routes, State, User,
};
use creditdesk_domain::credit::{self, Outcome, Policy, Release, Reservation};
use creditdesk_domain::monitor::{
    Alert, AlertStatus, RuleCode, RuleProblem, RuleSet, Task, TaskNote, TaskStatus,
};
use creditdesk_domain::rating::Scorecard;
use creditdesk_domain::request::Effect;
use creditdesk_domain::request::{self, Request, RequestKind};
use creditdesk_domain::sort;
use creditdesk_domain::workflow;
use creditdesk_domain::*;
use creditdesk_storage::settings;
use creditdesk_storage::{Batch, Docs, Entry, OutboxEntry, Rows, Store, StoreError};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// A piece of configuration a command replaces.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigChange {
    Policy(Policy),
    Routes(Routes),
    Users(Vec<User>),
    Rules(RuleSet),
    Fields(creditdesk_domain::fields::FieldSet),
    Notices(creditdesk_domain::notice::Settings),
}

/// A change of the scorecard a command makes.
#[derive(Clone, Debug, PartialEq)]
pub enum ScorecardChange {
    Draft(Option<Scorecard>),
    Published(Scorecard),
}

/// What a command will write and change, computed before anything is written.
#[derive(Clone, Debug, Default)]
pub struct Effects {
    /// Customers, ledger entries, documents, settings to write (audit and outbox are added
    /// when it commits).
    pub batch: Batch,
    /// Requests written, typed (the batch gets their records).
    pub requests: Vec<Request>,
    pub events: Vec<Event>,
    pub base: Vec<Base>,
    /// Customers whose figures change.
    pub touched: Vec<CustomerId>,
    pub scorecard: Option<ScorecardChange>,
    pub config: Option<ConfigChange>,
    /// Alerts and tasks a person worked on.
    pub alerts: Vec<Alert>,
    pub tasks: Vec<Task>,
    /// An import's customers and rows, written as new chunks by `Store::import` instead of a
    /// commit.
    pub bulk: Option<(Vec<Customer>, Rows)>,
    /// An approved unfreeze lifts the holds monitoring put on this customer.
    pub release_holds: Option<CustomerId>,
    /// The credit check's outcome of a new order.
    pub outcome: Option<Outcome>,
    /// The state a request is left in.
    pub state: Option<State>,
    /// How many records the command changed (expiry: how many requests expired).
    pub count: usize,
    /// The reservations after the command, when it changed them.
    pub reservations: Option<Vec<Reservation>>,
}

impl Effects {
    /// Whether the command writes nothing at all.
    pub fn changes_nothing(&self) -> bool {
        let b = &self.batch;
        self.events.is_empty()
            && self.requests.is_empty()
            && b.customers.is_empty()
            && b.entries.is_empty()
            && b.docs.is_empty()
            && b.settings.is_empty()
            && b.attachments.is_empty()
            && self.bulk.is_none()
    }
}

/// What a committed command reports back.
#[derive(Clone, Debug, PartialEq)]
pub struct Receipt {
    pub touched: Vec<CustomerId>,
    pub outcome: Option<Outcome>,
    pub state: Option<State>,
    pub count: usize,
}

/// The user id of what the system does by itself (expiry, rule runs, reviews it files).
pub const SYSTEM: &str = "system";

/// The system as a user: who expires requests, runs the rules and files the reviews they ask
/// for (never a person, never in the directory).
pub fn system_user() -> User {
    User {
        id: SYSTEM.into(),
        name: SYSTEM.into(),
        roles: vec![creditdesk_domain::approval::Role::Admin],
        region: String::new(),
    }
}

pub(crate) fn require(user: &User, p: Permission, what: &'static str) -> Result<(), CommandError> {
    if user.may(p) {
        Ok(())
    } else {
        Err(CommandError::NotPermitted(what))
    }
}

/// The customer, if it exists and the actor sees it.
pub(crate) fn visible<'a>(
    book: &'a Book,
    ctx: &Ctx,
    id: CustomerId,
) -> Result<&'a Customer, CommandError> {
    let c = book.customer(id).ok_or(CommandError::Unknown("customer"))?;
    if ctx.actor.sees(&c.sales_rep) {
        Ok(c)
    } else {
        Err(CommandError::NotYours)
    }
}

fn base(entity: &str, id: impl ToString, version: u32) -> Base {
    Base {
        entity: entity.into(),
        id: id.to_string(),
        version,
    }
}

pub(crate) fn event(
    ctx: &Ctx,
    what: &str,
    subject: String,
    before: String,
    after: String,
    why: &str,
) -> Event {
    Event {
        who: ctx.actor.id.clone(),
        what: what.into(),
        subject,
        before,
        after,
        why: why.into(),
    }
}

/// The bytes sent with a command are its own files, each exactly as long as the command says: a
/// forged push stores no file the command does not name, nor one larger than it declares (the
/// 5 MiB limit is checked on the declared size).
fn check_files(cmd: &Command, files: &[(String, Vec<u8>)]) -> Result<(), CommandError> {
    let named = cmd.attachments();
    let theirs = |(id, bytes): &(String, Vec<u8>)| {
        named
            .iter()
            .any(|a| a.id == *id && a.size == bytes.len() as u64)
    };
    if files.iter().all(theirs) {
        Ok(())
    } else {
        Err(CommandError::Invalid(vec![FieldError::new(
            request::field::ATTACHMENTS,
            Problem::FileSize {
                max_mib: (request::MAX_ATTACHMENT_BYTES >> 20) as u32,
            },
        )]))
    }
}

/// The audit entry of a dispute opened: the invoice, amount, category and owner, and why.
pub(crate) fn dispute_opened(
    book: &Book,
    ctx: &Ctx,
    d: &creditdesk_domain::dispute::Dispute,
) -> Event {
    event(
        ctx,
        "dispute.opened",
        format!("dispute:{}", d.id),
        String::new(),
        format!(
            "{} {} {} ({})",
            d.number,
            d.amount.format_cny(),
            d.category.key(),
            book.user_name(&d.owner)
        ),
        &d.reason,
    )
}

/// The approved release of a held order, if there is one.
fn release_of(book: &Book, order: OrderId) -> Option<Release> {
    book.requests.iter().find_map(|r| match r.kind {
        RequestKind::ReleaseHeldOrder {
            order: o, amount, ..
        } if o == order && r.state() == State::Approved => Some(Release {
            amount,
            reason: r.reason.clone(),
            by: r
                .flow
                .decisions
                .last()
                .map(|d| d.user.clone())
                .unwrap_or_default(),
            on: r.requested_on,
        }),
        _ => None,
    })
}

/// The check an order passes to move on (ship, or be invoiced before it ships): today's state,
/// or an approved release that covers its amount.
pub(crate) fn may_move_on(book: &Book, o: &Order) -> Result<(), CommandError> {
    let Some(check) = book.recheck_order(o) else {
        return Err(CommandError::Unknown("customer"));
    };
    if check.outcome != Outcome::Block {
        return Ok(());
    }
    // A release lets an order over the limit or past the overdue rules go on; a freeze (or a
    // monitoring hold, which freezes ordering) that came later stops it all the same.
    let frozen = check.reasons.contains(&credit::Reason::Frozen);
    if !frozen && release_of(book, o.id).is_some_and(|r| r.covers(o.amount)) {
        return Ok(());
    }
    Err(CommandError::CreditBlocked(check.reasons))
}

/// The credit check's reasons as an audit entry records them.
fn reasons_text(reasons: &[credit::Reason]) -> String {
    reasons
        .iter()
        .map(|r| format!("{r:?}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The fields that differ between two customers' records, as `(before, after)` JSON objects
/// (bookkeeping fields left out).
fn changed_fields(before: Option<&Customer>, after: &Customer) -> (String, String) {
    let obj = |c: &Customer| -> BTreeMap<String, serde_json::Value> {
        let serde_json::Value::Object(m) = serde_json::to_value(c).expect("customers serialise")
        else {
            return BTreeMap::new();
        };
        m.into_iter()
            .filter(|(k, _)| !matches!(k.as_str(), "meta" | "limits" | "grade_override"))
            .collect()
    };
    let a = obj(after);
    let b = before.map(obj).unwrap_or_default();
    let (mut was, mut now) = (BTreeMap::new(), BTreeMap::new());
    for (k, v) in &a {
        if b.get(k) != Some(v) {
            if let Some(old) = b.get(k) {
                was.insert(k.clone(), old.clone());
            }
            now.insert(k.clone(), v.clone());
        }
    }
    let json = |m: BTreeMap<String, serde_json::Value>| {
        if m.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&m).expect("json")
        }
    };
    (json(was), json(now))
}

/// Authorises, validates and computes the effects of a command, without writing anything.
///
/// A refusal by the credit check names no figure made from a limit hidden from the actor: the
/// limit's reasons (over it by so much, a share of it used) read as one, `HiddenLimit`.
pub fn plan(book: &Book, ctx: &Ctx, cmd: &Command) -> Result<Effects, CommandError> {
    plan_rechecked(book, ctx, cmd, None)
}

/// [`plan`], an import's ledger rules given as already checked on this book (`rechecked`: their
/// refusals, from [`creditdesk_domain::import::recheck`]).
fn plan_rechecked(
    book: &Book,
    ctx: &Ctx,
    cmd: &Command,
    rechecked: Option<Vec<String>>,
) -> Result<Effects, CommandError> {
    match plan_whole(book, ctx, cmd, rechecked) {
        Err(CommandError::CreditBlocked(reasons)) if book.limits_hidden_from(&ctx.actor) => Err(
            CommandError::CreditBlocked(credit::Reason::without_limit(reasons)),
        ),
        other => other,
    }
}

fn plan_whole(
    book: &Book,
    ctx: &Ctx,
    cmd: &Command,
    rechecked: Option<Vec<String>>,
) -> Result<Effects, CommandError> {
    let me = &ctx.actor;
    let (device, now, as_of) = (ctx.device, ctx.now, ctx.as_of);
    let mut fx = Effects::default();
    match cmd {
        Command::SaveCustomer {
            id,
            create,
            input,
            why,
        } => {
            require(me, Permission::EditCustomers, "edit customers")?;
            let prior = if *create {
                if book.customer(*id).is_some() {
                    return Err(CommandError::WrongState("a customer with this id exists"));
                }
                None
            } else {
                Some(visible(book, ctx, *id)?)
            };
            let (meta, prior_custom) = match prior {
                Some(c) => (c.meta.bump(device, now), c.custom.clone()),
                None => (Meta::new(device, now), BTreeMap::new()),
            };
            // A field hidden from the sender keeps its saved value: their device never had it.
            let editors = &book.policy.profile_editors;
            let hidden = access::hidden(&book.fields, me, editors);
            let mut input = input.clone();
            access::keep_hidden(&mut input, prior, &hidden);
            let input = &input;
            // Every problem at once: the fixed fields' and the custom fields'. A form that
            // carries no custom values (a device from before custom fields) keeps them as they are.
            let custom = match &input.custom {
                Some(values) => {
                    creditdesk_domain::fields::check_values(&book.fields, values, &prior_custom)
                }
                None => Ok(prior_custom.clone()),
            };
            let mut c = match (input.validate(*id, meta, BTreeMap::new(), as_of), custom) {
                (Ok(mut c), Ok(custom)) => {
                    c.custom = custom;
                    c
                }
                (fixed, custom) => {
                    let mut errors = fixed.err().unwrap_or_default();
                    errors.extend(custom.err().unwrap_or_default());
                    return Err(CommandError::Invalid(errors));
                }
            };
            // The form never touches limits, the freeze or a grade override: they change only
            // through approved requests. Disputes and contacts have commands of their own.
            if let Some(p) = prior {
                c.limits = p.limits.clone();
                c.grade_override = p.grade_override;
                // A device's copy keeps the sealed part of its hidden inputs (which the form
                // never holds); the server's record has none.
                c.sealed = p.sealed.clone();
                c.disputes = p.disputes.clone();
                c.contacts = p.contacts.clone();
                c.documents = p.documents.clone();
            }
            // Only those who see every customer give one to another sales rep.
            if !me.may(Permission::SeeAllCustomers) && c.sales_rep != me.id {
                return Err(CommandError::NotYours);
            }
            // The rep is a user of the directory (one who left may stay on an unchanged customer).
            let rep_changed = prior.is_none_or(|p| p.sales_rep != c.sales_rep);
            if rep_changed && !book.users.iter().any(|u| u.id == c.sales_rep) {
                return Err(CommandError::Invalid(vec![FieldError::new(
                    creditdesk_domain::party::field::SALES_REP,
                    Problem::UnknownUser,
                )]));
            }
            // The external profile and the first cooperation date are the rating's inputs: only
            // the roles the policy names change them, and always with a reason.
            let profile_before = prior.map(|p| p.profile.clone()).unwrap_or_default();
            let since_changed = prior.is_some_and(|p| p.first_cooperation != c.first_cooperation);
            // Custom fields placed with the profile are rating inputs as well.
            let custom_profile_changed = book
                .fields
                .in_section(creditdesk_domain::fields::Section::Profile)
                .iter()
                .any(|f| prior_custom.get(&f.key) != c.custom.get(&f.key));
            if c.profile != profile_before || since_changed || custom_profile_changed {
                if !book.may_edit_profile(me) {
                    return Err(CommandError::NotPermitted("change the rating's inputs"));
                }
                request::release_reason(why).map_err(|errs| {
                    CommandError::Invalid(
                        errs.into_iter()
                            .map(|e| FieldError::new("why", e.problem))
                            .collect(),
                    )
                })?;
            }
            // Field by field: what the sender's roles may only read stays as it is.
            let locked = access::locked(&book.fields, me, editors, input, prior, &c);
            if !locked.is_empty() {
                return Err(CommandError::Invalid(locked));
            }
            let (before, after) = changed_fields(prior, &c);
            if after.is_empty() {
                // Saved as it was: nothing to write.
                return Ok(fx);
            }
            let what = if prior.is_some() {
                "customer.changed"
            } else {
                "customer.created"
            };
            fx.events.push(event(
                ctx,
                what,
                format!("customer:{id}"),
                before,
                after,
                why,
            ));
            if let Some(p) = prior {
                fx.base.push(base("customer", id, p.meta.version));
            }
            fx.touched.push(*id);
            fx.batch.customers.push(c);
        }
        Command::RecordOrder {
            id,
            customer,
            input,
            prepaid,
        } => {
            require(me, Permission::RecordOrders, "record orders")?;
            visible(book, ctx, *customer)?;
            if book.ledger.order(*id).is_some() {
                return Err(CommandError::WrongState("an order with this id exists"));
            }
            let mut o = input
                .validate(&book.ledger, *id, *customer, Meta::new(device, now), as_of)
                .map_err(CommandError::Invalid)?;
            // The same check the form shows: payment before delivery lifts the limit and the
            // overdue rules, not a freeze.
            let check = book.check_order_as(me, *customer, o.amount, *prepaid);
            let outcome = check.as_ref().map_or(Outcome::Block, |r| r.outcome);
            let reasons = check.map(|r| r.reasons).unwrap_or_default();
            fx.outcome = Some(outcome);
            let what = match (outcome, *prepaid) {
                (Outcome::Block, _) => {
                    o.status = OrderStatus::Held;
                    "order.held"
                }
                (_, true) => {
                    o.status = OrderStatus::AwaitingPayment;
                    "order.awaiting_payment"
                }
                (_, false) => "order.recorded",
            };
            fx.events.push(event(
                ctx,
                what,
                format!("order:{id}"),
                String::new(),
                format!("{} {}", o.number, o.amount.format_cny()),
                &reasons_text(&reasons),
            ));
            // An order on credit the user reserved uses the reservation up.
            if o.status == OrderStatus::Open {
                if let Some(left) = use_reservation(book, &me.id, *customer, o.amount) {
                    settings::RESERVATIONS.put(&mut fx.batch, &left);
                    fx.reservations = Some(left);
                }
            }
            fx.touched.push(*customer);
            fx.batch.entries.push(Entry::Order(o));
        }
        Command::ReserveCredit {
            id,
            customer,
            amount,
            until,
        } => {
            require(me, Permission::RecordOrders, "reserve credit")?;
            visible(book, ctx, *customer)?;
            // What may be reserved is what is available: it would give the limit back.
            if book.limits_hidden_from(me) {
                return Err(CommandError::NotPermitted(
                    "reserve credit (limits are hidden from you)",
                ));
            }
            if let Some(why) = credit::reservation_problem(*amount, *until, as_of) {
                return Err(CommandError::Reservation(why));
            }
            if book.reservations.iter().any(|r| r.id == *id) {
                return Err(CommandError::WrongState(
                    "a reservation with this id exists",
                ));
            }
            // Only what an order of that amount could take today may be set aside, every
            // reservation (the user's own too) already counted.
            let check = book.check_order(*customer, *amount, false);
            if check.as_ref().is_none_or(|r| r.outcome == Outcome::Block) {
                return Err(CommandError::CreditBlocked(
                    check.map(|r| r.reasons).unwrap_or_default(),
                ));
            }
            let mut all: Vec<Reservation> = book
                .reservations
                .iter()
                .filter(|r| r.is_active(as_of))
                .cloned()
                .collect();
            all.push(Reservation {
                id: id.clone(),
                customer: *customer,
                holder: me.id.clone(),
                amount: *amount,
                until: *until,
                made_on: as_of,
            });
            fx.events.push(event(
                ctx,
                "credit.reserved",
                format!("customer:{customer}"),
                String::new(),
                format!("{} until {}", amount.format_cny(), until.iso()),
                "",
            ));
            settings::RESERVATIONS.put(&mut fx.batch, &all);
            fx.reservations = Some(all);
            fx.touched.push(*customer);
        }
        Command::ReleaseReservation { id } => {
            let r = book
                .reservations
                .iter()
                .find(|r| r.id == *id && r.is_active(as_of))
                .ok_or(CommandError::Unknown("reservation"))?;
            visible(book, ctx, r.customer)?;
            if !book.may_release(me, r) {
                return Err(CommandError::NotPermitted(
                    "release another user's reservation",
                ));
            }
            let left: Vec<Reservation> = book
                .reservations
                .iter()
                .filter(|x| x.id != *id && x.is_active(as_of))
                .cloned()
                .collect();
            fx.events.push(event(
                ctx,
                "credit.reservation_released",
                format!("customer:{}", r.customer),
                r.amount.format_cny(),
                String::new(),
                "",
            ));
            settings::RESERVATIONS.put(&mut fx.batch, &left);
            fx.reservations = Some(left);
            fx.touched.push(r.customer);
        }
        Command::MoveOrder { order, to } => {
            require(me, Permission::RecordOrders, "record orders")?;
            let o = *book
                .ledger
                .order(*order)
                .ok_or(CommandError::Unknown("order"))?;
            visible(book, ctx, o.customer)?;
            let next = match (to, o.status) {
                (OrderMove::Cancel, OrderStatus::Held) => {
                    return Err(CommandError::WrongState(
                        "a held order is cancelled with a reason",
                    ))
                }
                (OrderMove::Cancel, _) => OrderStatus::Cancelled,
                (OrderMove::Ship, OrderStatus::Open) => {
                    may_move_on(book, &o)?;
                    OrderStatus::Shipped
                }
                (OrderMove::Ship, OrderStatus::AwaitingPayment) => {
                    let paid = book.ledger.paid_on_order(o.customer, o.id);
                    if paid < o.amount {
                        return Err(CommandError::NotPaid {
                            paid,
                            needed: o.amount,
                        });
                    }
                    // Paid on its advance invoice: shipped and invoiced at once.
                    OrderStatus::Invoiced
                }
                (OrderMove::Ship, _) => {
                    return Err(CommandError::WrongState("only an open or paid order ships"))
                }
            };
            let moved = o
                .with_status(next, device, now)
                .ok_or(CommandError::WrongState(
                    "this order cannot change to that status",
                ))?;
            fx.events.push(event(
                ctx,
                match to {
                    OrderMove::Ship => "order.shipped",
                    OrderMove::Cancel => "order.cancelled",
                },
                format!("order:{order}"),
                format!("{:?}", o.status),
                format!("{next:?}"),
                "",
            ));
            fx.base.push(base("order", order, o.meta.version));
            fx.touched.push(o.customer);
            fx.batch.entries.push(Entry::Order(moved));
        }
        Command::CancelHeld { order, reason } => {
            let reason = request::release_reason(reason).map_err(CommandError::Invalid)?;
            require(me, Permission::CancelHeldOrders, "cancel held orders")?;
            let o = *book
                .ledger
                .order(*order)
                .ok_or(CommandError::Unknown("order"))?;
            visible(book, ctx, o.customer)?;
            if o.status != OrderStatus::Held {
                return Err(CommandError::WrongState("this order is not held"));
            }
            let next = o
                .with_status(OrderStatus::Cancelled, device, now)
                .ok_or(CommandError::WrongState("this order is not held"))?;
            fx.events.push(event(
                ctx,
                "order.cancelled",
                format!("order:{order}"),
                "held".into(),
                "cancelled".into(),
                &reason,
            ));
            // A release asked for this order has nothing left to release: it closes with it.
            for r in &book.requests {
                if r.state().is_open()
                    && matches!(r.kind, RequestKind::ReleaseHeldOrder { order: o, .. } if o == *order)
                {
                    let mut out = workflow::expire(r.clone(), now.0)?;
                    out.events[0].why = "order cancelled".into();
                    out.request.meta = out.request.meta.bump(device, now);
                    fx.events.append(&mut out.events);
                    fx.requests.push(out.request);
                }
            }
            fx.base.push(base("order", order, o.meta.version));
            fx.touched.push(o.customer);
            fx.batch.entries.push(Entry::Order(next));
        }
        Command::RecordInvoice {
            id,
            customer,
            input,
        } => {
            require(me, Permission::RecordReceivables, "record invoices")?;
            visible(book, ctx, *customer)?;
            if book.ledger.customer_invoice(*customer, *id).is_some() {
                return Err(CommandError::WrongState("an invoice with this id exists"));
            }
            let invoice = input
                .validate(&book.ledger, *id, *customer, Meta::new(device, now), as_of)
                .map_err(CommandError::Invalid)?;
            if let Some(oid) = invoice.order {
                let o = *book
                    .ledger
                    .order(oid)
                    .filter(|o| o.customer == *customer)
                    .ok_or(CommandError::Unknown("order"))?;
                let next = match o.status {
                    OrderStatus::Open => {
                        // Invoicing an order not yet shipped moves it on: checked again.
                        may_move_on(book, &o)?;
                        Some(OrderStatus::Invoiced)
                    }
                    OrderStatus::Shipped => Some(OrderStatus::Invoiced),
                    // The advance invoice of a prepaid order: the order waits for its payment.
                    OrderStatus::AwaitingPayment | OrderStatus::Invoiced => None,
                    OrderStatus::Held => {
                        return Err(CommandError::WrongState(
                            "a held order is invoiced only after its release",
                        ))
                    }
                    OrderStatus::Cancelled => {
                        return Err(CommandError::WrongState("the order is cancelled"))
                    }
                };
                if let Some(next) = next {
                    let moved = o
                        .with_status(next, device, now)
                        .ok_or(CommandError::WrongState("the order cannot be invoiced"))?;
                    fx.base.push(base("order", oid, o.meta.version));
                    fx.events.push(event(
                        ctx,
                        "order.invoiced",
                        format!("order:{oid}"),
                        format!("{:?}", o.status),
                        format!("{next:?}"),
                        "",
                    ));
                    fx.batch.entries.push(Entry::Order(moved));
                }
            }
            fx.events.push(event(
                ctx,
                "invoice.recorded",
                format!("invoice:{id}"),
                String::new(),
                format!("{} {}", invoice.number, invoice.amount.format_cny()),
                "",
            ));
            fx.touched.push(*customer);
            fx.batch.entries.insert(0, Entry::Invoice(invoice));
        }
        Command::RecordPayment {
            id,
            customer,
            input,
        } => {
            require(me, Permission::RecordReceivables, "record payments")?;
            visible(book, ctx, *customer)?;
            if book.ledger.customer_has_payment(*customer, *id) {
                return Err(CommandError::WrongState("a payment with this id exists"));
            }
            let payment = input
                .validate(&book.ledger, *id, *customer, Meta::new(device, now), as_of)
                .map_err(CommandError::Invalid)?;
            fx.events.push(event(
                ctx,
                "payment.recorded",
                format!("payment:{id}"),
                String::new(),
                payment.amount.format_cny(),
                "",
            ));
            fx.touched.push(*customer);
            fx.batch.entries.push(Entry::Payment(payment));
        }
        Command::RecordCreditNote {
            id,
            customer,
            input,
        } => {
            require(me, Permission::RecordReceivables, "record credit notes")?;
            visible(book, ctx, *customer)?;
            let note = input
                .validate(&book.ledger, *id, *customer, Meta::new(device, now), as_of)
                .map_err(CommandError::Invalid)?;
            let invoice = match note.invoice {
                Some(i) => book
                    .ledger
                    .customer_invoice(*customer, i)
                    .map(|i| i.number.to_string())
                    .unwrap_or_default(),
                None => "on account".to_string(),
            };
            fx.events.push(event(
                ctx,
                "credit_note.recorded",
                format!("credit_note:{id}"),
                String::new(),
                format!("{} {} → {invoice}", note.number, note.amount.format_cny()),
                "",
            ));
            fx.touched.push(*customer);
            fx.batch.entries.push(Entry::CreditNote(note));
        }
        Command::Correct {
            id,
            customer,
            fix,
            reason,
        } => {
            require(me, Permission::CorrectLedger, "correct the ledger")?;
            visible(book, ctx, *customer)?;
            let is_void = fix.is_void();
            let reason = creditdesk_domain::text::text(reason, is_void, Correction::REASON_MAX)
                .map_err(|p| {
                    CommandError::Invalid(vec![FieldError::new(
                        creditdesk_domain::ledger::field::REASON,
                        p,
                    )])
                })?;
            let c = Correction {
                id: *id,
                meta: Meta::new(device, now),
                customer: *customer,
                date: as_of,
                fix: fix.clone(),
                reason,
            };
            book.ledger.check_correction(&c).map_err(|e| {
                let field = match e {
                    LedgerError::AlreadyVoid
                    | LedgerError::StillSettled
                    | LedgerError::UnknownDocument
                    | LedgerError::DuplicateId => creditdesk_domain::ledger::field::DOCUMENT,
                    _ => creditdesk_domain::ledger::field::ALLOCATIONS,
                };
                CommandError::Invalid(vec![FieldError::new(field, e.problem())])
            })?;
            let (what, before, after) = describe_correction(book, &c);
            fx.events
                .push(event(ctx, what, c.subject(), before, after, &c.reason));
            fx.touched.push(*customer);
            fx.batch.entries.push(Entry::Correction(c));
        }
        Command::OpenDispute {
            customer,
            id,
            input,
        } => {
            require(me, Permission::HandleDisputes, "handle disputes")?;
            let c = visible(book, ctx, *customer)?;
            let invoice = input
                .invoice
                .and_then(|i| book.ledger.open_now_of(*customer, i))
                .map(|(inv, open)| (inv.id, inv.number, open));
            let owner = input.owner.trim();
            let owner_known = book.users.iter().any(|u| u.id == owner);
            let d = input
                .validate(c, id, invoice, owner_known, &me.id, as_of)
                .map_err(CommandError::Invalid)?;
            fx.events.push(dispute_opened(book, ctx, &d));
            let mut next = c.clone();
            next.disputes.push(d);
            next.meta = c.meta.bump(device, now);
            fx.base.push(base("customer", c.id, c.meta.version));
            fx.batch.customers.push(next);
            fx.touched.push(*customer);
        }
        Command::ResolveDispute {
            customer,
            dispute: did,
            resolve,
            note,
        } => {
            use creditdesk_domain::dispute::{self as dsp, Outcome as Ended, Resolution, Resolve};
            require(me, Permission::HandleDisputes, "handle disputes")?;
            let c = visible(book, ctx, *customer)?;
            let invalid = |e: FieldError| CommandError::Invalid(vec![e]);
            let d = dsp::resolvable(c, did).map_err(invalid)?;
            let note = dsp::note(note).map_err(invalid)?;
            let open = book
                .ledger
                .open_now_of(*customer, d.invoice)
                .map_or(Money::ZERO, |(_, o)| o);
            let disputed_now = d.amount.min(open).max(Money::ZERO);
            let subject = format!("dispute:{}", d.id);
            let mut next = c.clone();
            let slot = next
                .disputes
                .iter_mut()
                .find(|x| x.id == *did)
                .expect("resolvable found it");
            let resolved = |outcome| Resolution {
                on: as_of,
                by: me.id.clone(),
                outcome,
                note: note.clone(),
            };
            match resolve {
                Resolve::Upheld => {
                    slot.resolution = Some(resolved(Ended::Upheld));
                    fx.events.push(event(
                        ctx,
                        "dispute.upheld",
                        subject,
                        "open".into(),
                        format!("{} {}", d.number, d.amount.format_cny()),
                        &note,
                    ));
                }
                Resolve::CreditNote {
                    note: nid,
                    number,
                    amount,
                } => {
                    require(me, Permission::RecordReceivables, "record credit notes")?;
                    let amount = dsp::settle_amount(amount, disputed_now).map_err(invalid)?;
                    let cn = creditdesk_domain::ledger::CreditNoteInput {
                        number: number.clone(),
                        date: as_of.iso(),
                        amount: amount.to_plain(),
                        invoice: Some(d.invoice),
                        on_account: false,
                    }
                    .validate(&book.ledger, *nid, *customer, Meta::new(device, now), as_of)
                    .map_err(CommandError::Invalid)?;
                    slot.resolution = Some(resolved(Ended::CreditNote { note: *nid, amount }));
                    fx.events.push(event(
                        ctx,
                        "credit_note.recorded",
                        format!("credit_note:{nid}"),
                        String::new(),
                        format!("{} {} → {}", cn.number, amount.format_cny(), d.number),
                        &format!("dispute {}", d.id),
                    ));
                    fx.events.push(event(
                        ctx,
                        "dispute.credited",
                        subject,
                        "open".into(),
                        format!("{} {}", cn.number, amount.format_cny()),
                        &note,
                    ));
                    fx.batch.entries.push(Entry::CreditNote(cn));
                }
                Resolve::WriteOff {
                    request: rid,
                    amount,
                } => {
                    workflow::may_file(me)?;
                    let amount = dsp::settle_amount(amount, disputed_now).map_err(invalid)?;
                    let kind = RequestKind::WriteOff {
                        dispute: d.id.clone(),
                        invoice: d.invoice,
                        number: d.number,
                        amount,
                    };
                    request::release_reason(&note).map_err(|_| {
                        invalid(FieldError::new(dsp::field::NOTE, Problem::Required))
                    })?;
                    if book.requests.iter().any(|r| r.id == *rid) {
                        return Err(CommandError::WrongState("a request with this id exists"));
                    }
                    let route = workflow::route_for(&book.routes, &kind, book.grade(*customer));
                    let r = request::draft(
                        *rid,
                        Meta::new(device, now),
                        *customer,
                        kind,
                        note.clone(),
                        &me.id,
                        route,
                        as_of,
                    );
                    let out = workflow::submit(r, me, now.0)?;
                    slot.write_off = Some(*rid);
                    fx.state = Some(out.request.state());
                    fx.events.extend(out.events);
                    fx.requests.push(out.request);
                }
            }
            next.meta = c.meta.bump(device, now);
            fx.base.push(base("customer", c.id, c.meta.version));
            fx.batch.customers.push(next);
            fx.touched.push(*customer);
        }
        Command::AddDocument {
            customer,
            id,
            input,
            file,
        } => {
            require(me, Permission::EditCustomers, "add documents")?;
            let c = visible(book, ctx, *customer)?;
            if c.documents.iter().any(|x| x.id == *id) {
                return Err(CommandError::WrongState("a document with this id exists"));
            }
            let doc = input
                .validate(id, Some(file), &me.id, as_of)
                .map_err(CommandError::Invalid)?;
            fx.events.push(event(
                ctx,
                "document.added",
                format!("customer:{}", c.id),
                String::new(),
                format!(
                    "{}: {} ({}){}",
                    doc.kind.key(),
                    doc.title,
                    doc.file.name,
                    doc.expires
                        .map(|d| format!(", expires {}", d.iso()))
                        .unwrap_or_default()
                ),
                "",
            ));
            let mut next = c.clone();
            next.documents.push(doc);
            next.meta = c.meta.bump(device, now);
            fx.base.push(base("customer", c.id, c.meta.version));
            fx.batch.customers.push(next);
            // The rules read the documents' expiry.
            fx.touched.push(*customer);
        }
        Command::LogContact {
            customer,
            id,
            input,
        } => {
            require(me, Permission::EditCustomers, "record contacts")?;
            let c = visible(book, ctx, *customer)?;
            if c.contacts.iter().any(|x| x.id == *id) {
                return Err(CommandError::WrongState("a contact with this id exists"));
            }
            let contact = input
                .validate(id, &me.id, as_of, now.0)
                .map_err(CommandError::Invalid)?;
            fx.events.push(event(
                ctx,
                "contact.logged",
                format!("customer:{}", c.id),
                String::new(),
                if contact.with.is_empty() {
                    contact.channel.key().to_string()
                } else {
                    format!("{}: {}", contact.channel.key(), contact.with)
                },
                &contact.note,
            ));
            let mut next = c.clone();
            next.contacts.push(contact);
            next.meta = c.meta.bump(device, now);
            fx.base.push(base("customer", c.id, c.meta.version));
            fx.batch.customers.push(next);
        }
        Command::FileRequest {
            id,
            customer,
            kind,
            reason,
            attachments,
        } => {
            workflow::may_file(me)?;
            if matches!(kind, RequestKind::WriteOff { .. }) {
                return Err(CommandError::WrongState(
                    "a write-off is filed by resolving its dispute",
                ));
            }
            let c = visible(book, ctx, *customer)?;
            // A temporary limit must be above the limit in force: its check would name it.
            if matches!(kind, RequestKind::TemporaryLimit { .. }) && book.limits_hidden_from(me) {
                return Err(CommandError::NotPermitted(
                    "ask for a temporary limit (it must be above the limit in force, which is hidden from you)",
                ));
            }
            // What routes a request (the limit, the grade, the order's amount) is read from the
            // book, never taken from the client.
            let kind = &canonical_kind(book, c, kind)?;
            // The forms' rules, again here: a command from another device (or a forged one)
            // meets them too.
            let grade = book.grade(*customer);
            let current = book
                .limits_in_force(*customer)
                .unwrap_or_else(|| c.limits.clone());
            request::check_request(
                kind,
                reason,
                &current,
                book.policy.of(grade).max_limit,
                grade,
                as_of,
            )
            .map_err(CommandError::Invalid)?;
            if book.requests.iter().any(|r| r.id == *id) {
                return Err(CommandError::WrongState("a request with this id exists"));
            }
            if workflow::open_conflict(&book.requests, *customer, kind).is_some() {
                return Err(CommandError::Invalid(vec![FieldError::new(
                    "action",
                    Problem::OpenRequest,
                )]));
            }
            request::check_attachments(attachments).map_err(CommandError::Invalid)?;
            let route = workflow::route_for(&book.routes, kind, book.grade(*customer));
            let mut r = request::draft(
                *id,
                Meta::new(device, now),
                *customer,
                kind.clone(),
                reason.clone(),
                &me.id,
                route,
                as_of,
            );
            r.attachments = attachments.clone();
            // On a device that holds the limits without their amounts, the limit the request
            // names (zero here) is the server's to fill: shown as hidden until it comes back.
            r.limits_hidden = c.limits.hidden;
            let out = workflow::submit(r, me, now.0)?;
            fx.state = Some(out.request.state());
            fx.events = out.events;
            fx.requests.push(out.request);
        }
        Command::Decide {
            request,
            approve,
            comment,
        } => {
            let r = find(book, *request)?;
            let c = visible(book, ctx, r.customer)?;
            // A decision on a limit is made knowing it.
            if book.limits_hidden_from(me) {
                return Err(CommandError::NotPermitted(
                    "decide a request (limits are hidden from you)",
                ));
            }
            // The role to act in; when there is none the domain names why (own request, wrong
            // role...).
            let role = r
                .flow
                .can_act(me)
                .or(me.roles.first().copied())
                .ok_or(creditdesk_domain::approval::ApprovalError::WrongRole)?;
            let out = workflow::decide(
                r.clone(),
                &c.limits,
                me,
                role,
                *approve,
                comment,
                now.0,
                as_of,
            )?;
            fx.base.push(base("request", request, r.meta.version));
            outcome(book, ctx, out, &mut fx)?;
        }
        Command::Withdraw { request } => {
            let r = find(book, *request)?;
            visible(book, ctx, r.customer)?;
            let out = workflow::withdraw(r.clone(), me, now.0)?;
            fx.base.push(base("request", request, r.meta.version));
            outcome(book, ctx, out, &mut fx)?;
        }
        Command::ExpireDue => {
            if me.id != SYSTEM {
                return Err(CommandError::NotPermitted(
                    "expire requests (the system does)",
                ));
            }
            let due: Vec<&Request> = book
                .requests
                .iter()
                .filter(|r| r.expires(now.0, as_of, book.routes.expire_days))
                .collect();
            for r in due {
                outcome(book, ctx, workflow::expire(r.clone(), now.0)?, &mut fx)?;
                fx.count += 1;
            }
            // Temporary limits that ended: dropped from the limits, each on the trail, once.
            for c in &book.customers {
                let ended = request::lapsed(&c.limits, as_of);
                if ended.is_empty() || fx.batch.customers.iter().any(|x| x.id == c.id) {
                    continue;
                }
                let mut limits = c.limits.clone();
                limits.temporary.retain(|t| !ended.contains(t));
                for t in &ended {
                    fx.events.push(event(
                        ctx,
                        "limit.temporary_ended",
                        format!("customer:{}", c.id),
                        format!(
                            "temporary {} {}..{}",
                            t.amount.to_plain(),
                            t.start.iso(),
                            t.end.iso()
                        ),
                        String::new(),
                        "",
                    ));
                }
                fx.base.push(base("customer", c.id, c.meta.version));
                fx.batch.customers.push(Customer {
                    limits,
                    meta: c.meta.bump(device, now),
                    ..c.clone()
                });
                fx.touched.push(c.id);
                fx.count += 1;
            }
        }
        Command::SaveDraft { draft } => {
            require(me, Permission::EditScorecard, "edit the scorecard")?;
            let json = draft.as_ref().map(Scorecard::to_json).unwrap_or_default();
            fx.batch.docs.push((Docs::Models, "draft".into(), json));
            fx.scorecard = Some(ScorecardChange::Draft(draft.clone()));
        }
        Command::PublishScorecard { draft } => {
            let problems = draft.publish_problems(&book.fields);
            if !problems.is_empty() {
                return Err(CommandError::Model(problems));
            }
            require(me, Permission::PublishScorecard, "publish the scorecard")?;
            let next = book.versions.last().map_or(1, |v| v.version + 1);
            let model = Scorecard {
                version: next,
                published_on: Some(as_of),
                ..draft.clone()
            };
            let json = model.to_json();
            fx.batch.docs = vec![
                (Docs::Models, next.to_string(), json.clone()),
                (Docs::Models, "draft".into(), String::new()),
            ];
            // The last run's scores read again under the new model (see the apply below),
            // stored with it so that a restart reads them so too.
            if !book.monitor.previous.is_empty() {
                let p = model.prepare();
                let mut previous = book.monitor.previous.clone();
                for (id, prev) in previous.iter_mut() {
                    if let Some(m) = book.metrics.get(id) {
                        prev.1 = p.rate(m).score;
                    }
                }
                settings::PREVIOUS.put(&mut fx.batch, &previous);
            }
            fx.events.push(event(
                ctx,
                "scorecard.published",
                "scorecard".into(),
                format!("version {}", book.model.version),
                json,
                &model.name,
            ));
            fx.base
                .push(base("scorecard", "scorecard", book.model.version));
            fx.scorecard = Some(ScorecardChange::Published(model));
            fx.count = next as usize;
        }
        Command::SavePolicy { policy, confirmed } => {
            let problems = policy.problems();
            if problems.iter().any(|p| !p.needs_confirmation)
                || (!confirmed && !problems.is_empty())
            {
                return Err(CommandError::Policy(problems));
            }
            require(me, Permission::EditPolicy, "change the credit policy")?;
            let policy = Policy {
                version: book.policy.version + 1,
                ..policy.clone()
            };
            let why = format!("version {}", policy.version);
            config_event(ctx, "policy", &book.policy, &policy, &why, &mut fx);
            settings::POLICY.put(&mut fx.batch, &policy);
            fx.base.push(base("policy", "policy", book.policy.version));
            fx.config = Some(ConfigChange::Policy(policy));
        }
        Command::SaveRoutes { routes, why } => {
            let mut problems = routes.problems();
            // An approver decides knowing the limit.
            for role in routes.approver_roles() {
                if creditdesk_domain::access::hides_limits_from(&book.fields, role) {
                    problems.push(RouteProblem {
                        code: RouteCode::HiddenLimits,
                        at: format!("role {}", role.code()),
                        detail: "the credit limits are hidden from this role (field permissions): it cannot approve".into(),
                    });
                }
            }
            if !me.may(Permission::EditRoutes) {
                problems.push(RouteProblem {
                    code: RouteCode::NotAllowed,
                    at: "routes".into(),
                    detail: "your role may not change the routes".into(),
                });
            }
            if !problems.is_empty() {
                return Err(CommandError::Routes(problems));
            }
            let routes = Routes {
                version: book.routes.version + 1,
                ..routes.clone()
            };
            config_event(ctx, "routes", &book.routes, &routes, why, &mut fx);
            settings::ROUTES.put(&mut fx.batch, &routes);
            fx.base.push(base("routes", "routes", book.routes.version));
            fx.count = routes.version as usize;
            fx.config = Some(ConfigChange::Routes(routes));
        }
        Command::SaveUsers { users } => {
            let mut problems = directory_problems(users);
            // A customer's rep must be someone: whoever leaves gives their customers away first.
            for gone in book
                .users
                .iter()
                .filter(|u| !users.iter().any(|n| n.id == u.id))
            {
                let n = book
                    .customers
                    .iter()
                    .filter(|c| c.sales_rep == gone.id)
                    .count();
                if n > 0 {
                    problems.push(RouteProblem {
                        code: RouteCode::UserStillRep,
                        at: format!("user {}", gone.name),
                        detail: format!(
                            "{} is the sales rep of {n} customer(s): give them to another rep first",
                            gone.name
                        ),
                    });
                }
            }
            if !me.may(Permission::ManageUsers) {
                problems.push(RouteProblem {
                    code: RouteCode::DirectoryNotAllowed,
                    at: "directory".into(),
                    detail: "only an admin may change the users".into(),
                });
            }
            if !problems.is_empty() {
                return Err(CommandError::Routes(problems));
            }
            config_event(ctx, "users", &book.users, users, "", &mut fx);
            settings::USERS.put(&mut fx.batch, users);
            fx.config = Some(ConfigChange::Users(users.clone()));
        }
        Command::SaveRules { rules, why } => {
            let mut problems = rules.problems();
            // A rule on a custom field reads one the form has.
            let readings = creditdesk_domain::fields::reading_names(&book.fields);
            for r in &rules.rules {
                if !r.field.is_empty() && !readings.iter().any(|(n, _, _)| *n == r.field) {
                    problems.push(RuleProblem {
                        code: RuleCode::Field,
                        at: r.code.clone(),
                        detail: "no custom field (or option) of that name gives a reading",
                    });
                }
            }
            if !me.may(Permission::EditPolicy) {
                problems.push(RuleProblem {
                    code: RuleCode::NotAllowed,
                    at: "rules".into(),
                    detail: "your role may not change the rules",
                });
            }
            if !problems.is_empty() {
                return Err(CommandError::Rules(problems));
            }
            let rules = RuleSet {
                version: book.rules.version + 1,
                ..rules.clone()
            };
            config_event(ctx, "rules", &book.rules, &rules, why, &mut fx);
            settings::RULES.put(&mut fx.batch, &rules);
            fx.base.push(base("rules", "rules", book.rules.version));
            fx.count = rules.version as usize;
            fx.config = Some(ConfigChange::Rules(rules));
        }
        Command::SaveFields {
            fields,
            why,
            with_access,
        } => {
            let kept;
            let fields = if *with_access {
                fields
            } else {
                kept = creditdesk_domain::fields::FieldSet {
                    access: book.fields.access.clone(),
                    ..fields.clone()
                };
                &kept
            };
            let mut problems = fields.changes_from(&book.fields);
            // Limits are not hidden from a role that approves requests.
            for role in book.routes.approver_roles() {
                if creditdesk_domain::access::hides_limits_from(fields, role) {
                    problems.push(creditdesk_domain::fields::FieldProblem {
                        code: creditdesk_domain::fields::FieldCode::AccessHidden,
                        at: format!("permission (limits {})", role.code()),
                        detail: "a role that approves requests (the approval routes name it) decides knowing the limit".into(),
                    });
                }
            }
            if !me.may(Permission::EditFields) {
                problems.push(creditdesk_domain::fields::FieldProblem {
                    code: creditdesk_domain::fields::FieldCode::NotAllowed,
                    at: "fields".into(),
                    detail: "only an administrator may change the fields".into(),
                });
            }
            if !problems.is_empty() {
                return Err(CommandError::Fields(problems));
            }
            let fields = creditdesk_domain::fields::FieldSet {
                version: book.fields.version + 1,
                ..fields.clone()
            };
            config_event(ctx, "fields", &book.fields, &fields, why, &mut fx);
            settings::FIELDS.put(&mut fx.batch, &fields);
            fx.base.push(base("fields", "fields", book.fields.version));
            fx.count = fields.version as usize;
            fx.config = Some(ConfigChange::Fields(fields));
        }
        Command::ReminderSent {
            customer,
            to,
            subject,
            id,
        } => {
            let c = visible(book, ctx, *customer)?;
            if !creditdesk_domain::notice::is_email(to) {
                return Err(CommandError::Invalid(vec![FieldError::new(
                    creditdesk_domain::party::field::EMAIL,
                    Problem::BadEmail,
                )]));
            }
            fx.events.push(event(
                ctx,
                "reminder.sent",
                format!("customer:{}", c.id),
                String::new(),
                format!("to {to}: {subject}"),
                "",
            ));
            // On the file as an e-mail to the customer, once.
            if !id.is_empty() && !c.contacts.iter().any(|x| x.id == *id) {
                let mut next = c.clone();
                next.contacts.push(creditdesk_domain::contact::Contact {
                    id: id.clone(),
                    on: as_of,
                    at: now.0,
                    by: me.id.clone(),
                    channel: creditdesk_domain::contact::Channel::Email,
                    with: text_cut(to, creditdesk_domain::contact::Contact::WITH_MAX),
                    note: text_cut(subject, creditdesk_domain::contact::Contact::NOTE_MAX),
                });
                next.meta = c.meta.bump(device, now);
                fx.base.push(base("customer", c.id, c.meta.version));
                fx.batch.customers.push(next);
            }
        }
        Command::SaveNotices { settings: next } => {
            let mut problems = next.problems(&book.users);
            let admin = me.has(creditdesk_domain::approval::Role::Admin);
            // Anyone may change their own contact; only an administrator anything else.
            let mine = next.contacts.get(&me.id).cloned().unwrap_or_default();
            let only_mine = creditdesk_domain::notice::Settings {
                version: next.version,
                ..book.notices.with_own(&me.id, mine)
            };
            if !admin && *next != only_mine {
                problems.push(creditdesk_domain::notice::Problem {
                    code: "N007".into(),
                    at: "notices".into(),
                    detail: "only an administrator may change the defaults, managers or another user's contact".into(),
                });
            }
            if !problems.is_empty() {
                return Err(CommandError::Notices(problems));
            }
            let next = creditdesk_domain::notice::Settings {
                version: book.notices.version + 1,
                ..next.clone()
            };
            // The trail goes to every device that syncs it: webhook URLs (they carry tokens) only
            // by their host.
            config_event(
                ctx,
                "notices",
                &book.notices.redacted(),
                &next.redacted(),
                "",
                &mut fx,
            );
            settings::NOTICES.put(&mut fx.batch, &next);
            fx.base
                .push(base("notices", "notices", book.notices.version));
            fx.count = next.version as usize;
            fx.config = Some(ConfigChange::Notices(next));
        }
        Command::ImportBatch {
            kind,
            file,
            rows_total,
            skipped,
            records,
            blocked,
        } => crate::imports::plan_import(
            book,
            ctx,
            crate::imports::Import {
                kind: *kind,
                file,
                rows_total: *rows_total,
                skipped: *skipped,
                records,
                blocked: *blocked,
                rechecked,
            },
            &mut fx,
        )?,
        Command::SetAlert { alert, status } => {
            let mut a = book
                .monitor
                .alerts
                .iter()
                .find(|a| a.id == *alert)
                .cloned()
                .ok_or(CommandError::Unknown("alert"))?;
            visible(book, ctx, a.customer)?;
            if !crate::monitoring::is_for(&a, me) && !me.may(Permission::SeeAllCustomers) {
                return Err(CommandError::NotYours);
            }
            let before = format!("{:?}", a.status);
            a.status = *status;
            fx.events.push(event(
                ctx,
                match status {
                    AlertStatus::Open => "alert.reopened",
                    AlertStatus::Acknowledged => "alert.acknowledged",
                    AlertStatus::Resolved => "alert.resolved",
                },
                format!("alert:{alert}"),
                before,
                format!("{status:?}"),
                "",
            ));
            fx.batch.docs.push((
                Docs::Alerts,
                a.id.clone(),
                serde_json::to_string(&a).expect("json"),
            ));
            fx.alerts.push(a);
        }
        Command::UpdateTask { task, status, note } => {
            let mut t = book
                .monitor
                .tasks
                .iter()
                .find(|t| t.id == *task)
                .cloned()
                .ok_or(CommandError::Unknown("task"))?;
            visible(book, ctx, t.customer)?;
            if t.owner != me.id && !me.may(Permission::SeeAllCustomers) {
                return Err(CommandError::NotYours);
            }
            if t.closed_on.is_some() {
                return Err(CommandError::WrongState("the task is closed"));
            }
            if let TaskStatus::Promised { amount, date } = status {
                if !amount.is_positive() {
                    return Err(CommandError::Invalid(vec![FieldError::new(
                        "amount",
                        Problem::NotPositive,
                    )]));
                }
                // A promise to pay is about a day to come.
                if *date < as_of {
                    return Err(CommandError::Invalid(vec![FieldError::new(
                        "date",
                        Problem::InPast,
                    )]));
                }
            }
            if note.trim().is_empty() {
                return Err(CommandError::Invalid(vec![FieldError::new(
                    "note",
                    Problem::Required,
                )]));
            }
            t.status = status.clone();
            t.promise_broken = false;
            t.notes.push(TaskNote {
                at: now.0,
                who: me.id.clone(),
                text: note.trim().to_string(),
                status: status.clone(),
            });
            fx.events.push(event(
                ctx,
                "task.updated",
                format!("task:{task}"),
                String::new(),
                format!("{status:?}"),
                note.trim(),
            ));
            fx.batch.docs.push((
                Docs::Tasks,
                t.id.clone(),
                serde_json::to_string(&t).expect("json"),
            ));
            fx.tasks.push(t);
        }
    }
    Ok(fx)
}

/// The `{key}.changed` audit entry of a piece of configuration: the JSON before and after.
fn config_event<T: serde::Serialize>(
    ctx: &Ctx,
    key: &str,
    before: &T,
    after: &T,
    why: &str,
    fx: &mut Effects,
) {
    fx.events.push(event(
        ctx,
        &format!("{key}.changed"),
        key.into(),
        serde_json::to_string(before).expect("json"),
        serde_json::to_string(after).expect("json"),
        why,
    ));
}

/// A request's kind with every figure that routes or limits it taken from the book: the current
/// permanent limit, the grade and score as they stand, a held order of this customer with its
/// own number and amount.
fn canonical_kind(
    book: &Book,
    c: &Customer,
    kind: &RequestKind,
) -> Result<RequestKind, CommandError> {
    let limit = c.limits.permanent;
    Ok(match kind {
        RequestKind::PermanentChange {
            after,
            expires,
            review,
            ..
        } => RequestKind::PermanentChange {
            before: limit,
            after: *after,
            expires: *expires,
            review: *review,
        },
        RequestKind::Unfreeze { .. } => RequestKind::Unfreeze { limit },
        RequestKind::GradeOverride { to, .. } => {
            let rating::Rating {
                score, grade: from, ..
            } = book
                .rated
                .get(&c.id)
                .copied()
                .ok_or(CommandError::WrongState("the customer is not graded yet"))?;
            RequestKind::GradeOverride {
                from,
                to: *to,
                score,
                model_version: book.model.version,
                limit,
            }
        }
        RequestKind::ReleaseHeldOrder { order, .. } => {
            let o = book
                .ledger
                .order(*order)
                .filter(|o| o.customer == c.id)
                .ok_or(CommandError::Unknown("order"))?;
            if o.status != OrderStatus::Held {
                return Err(CommandError::WrongState("this order is not held"));
            }
            RequestKind::ReleaseHeldOrder {
                order: o.id,
                number: o.number,
                amount: o.amount,
            }
        }
        k => k.clone(),
    })
}

/// A customer as the command leaves it so far: planned already, or as the book has it.
fn planned_customer(fx: &Effects, c: &Customer) -> Customer {
    fx.batch
        .customers
        .iter()
        .rfind(|x| x.id == c.id)
        .unwrap_or(c)
        .clone()
}

/// Puts a customer in the batch, in place of an earlier plan of it (one record per customer).
fn put_planned(fx: &mut Effects, c: Customer) {
    fx.batch.customers.retain(|x| x.id != c.id);
    fx.batch.customers.push(c);
}

fn find(book: &Book, id: RequestId) -> Result<&Request, CommandError> {
    book.request(id).ok_or(CommandError::Unknown("request"))
}

/// What a workflow step writes: the request, its effect on the customer or the order, its audit
/// entries.
fn outcome(
    book: &Book,
    ctx: &Ctx,
    out: workflow::Outcome,
    fx: &mut Effects,
) -> Result<(), CommandError> {
    let workflow::Outcome {
        mut request,
        effect,
        mut events,
    } = out;
    let (device, now) = (ctx.device, ctx.now);
    request.meta = request.meta.bump(device, now);
    let customer = book
        .customer(request.customer)
        .ok_or(CommandError::Unknown("customer"))?;
    match &effect {
        Some(Effect::Limits(limits)) => {
            // A limit set or kept by a request is next reviewed one review cycle of the
            // customer's grade from today.
            let mut limits = limits.clone();
            let months = book.policy.of(book.grade(customer.id)).review_months;
            request::next_review(&request.kind, &mut limits, ctx.as_of, months);
            // The calendar's days that changed, each on the trail (empty: none).
            let iso = |d: Option<Date>| d.map(|d| d.iso()).unwrap_or_default();
            for (what, before, after) in [
                ("limit.expiry_set", customer.limits.expires, limits.expires),
                (
                    "limit.review_set",
                    customer.limits.review_due,
                    limits.review_due,
                ),
            ] {
                if before != after {
                    events.push(event(
                        ctx,
                        what,
                        format!("customer:{}", customer.id),
                        iso(before),
                        iso(after),
                        &format!("request {}", request.id),
                    ));
                }
            }
            fx.batch.customers.push(Customer {
                limits,
                meta: customer.meta.bump(device, now),
                ..customer.clone()
            })
        }
        Some(Effect::Grade(g)) => fx.batch.customers.push(Customer {
            grade_override: Some(*g),
            meta: customer.meta.bump(device, now),
            ..customer.clone()
        }),
        Some(Effect::Release(id)) => {
            let RequestKind::ReleaseHeldOrder { amount, .. } = request.kind else {
                return Err(CommandError::WrongState("not a release"));
            };
            let release = Release {
                amount,
                reason: request.reason.clone(),
                by: ctx.actor.id.clone(),
                on: ctx.as_of,
            };
            let o = book
                .ledger
                .order(*id)
                .filter(|o| o.customer == request.customer)
                .and_then(|o| o.release(&release, device, now))
                .ok_or(CommandError::WrongState(
                    "the order is no longer held (cancelled?)",
                ))?;
            fx.batch.entries.push(Entry::Order(o));
        }
        Some(Effect::WriteOff) => {
            let RequestKind::WriteOff {
                ref dispute,
                invoice,
                amount,
                ..
            } = request.kind
            else {
                return Err(CommandError::WrongState("not a write-off"));
            };
            let mut c = planned_customer(fx, customer);
            let d = c
                .disputes
                .iter_mut()
                .find(|d| d.id == *dispute && d.is_open() && d.write_off == Some(request.id))
                .ok_or(CommandError::WrongState(
                    "the dispute is no longer waiting for this write-off",
                ))?;
            let open = book
                .ledger
                .open_now_of(customer.id, invoice)
                .map_or(Money::ZERO, |(_, o)| o);
            let amount = amount.min(open);
            if !amount.is_positive() {
                return Err(CommandError::WrongState(
                    "nothing of the disputed amount is open any more",
                ));
            }
            let note = CreditNoteId(request.id.0);
            let cn = creditdesk_domain::ledger::CreditNoteInput {
                number: book.next_credit_note_number("WO", ctx.as_of.year()),
                date: ctx.as_of.iso(),
                amount: amount.to_plain(),
                invoice: Some(invoice),
                on_account: false,
            }
            .validate(
                &book.ledger,
                note,
                customer.id,
                Meta::new(device, now),
                ctx.as_of,
            )
            .map_err(CommandError::Invalid)?;
            events.push(event(
                ctx,
                "credit_note.recorded",
                format!("credit_note:{note}"),
                String::new(),
                format!("{} {} → {}", cn.number, amount.format_cny(), d.number),
                &format!("write-off, request {}", request.id),
            ));
            d.write_off = None;
            d.resolution = Some(creditdesk_domain::dispute::Resolution {
                on: ctx.as_of,
                by: ctx.actor.id.clone(),
                outcome: creditdesk_domain::dispute::Outcome::WrittenOff {
                    note,
                    amount,
                    request: request.id,
                },
                note: request.reason.clone(),
            });
            c.meta = c.meta.bump(device, now);
            put_planned(fx, c);
            fx.batch.entries.push(Entry::CreditNote(cn));
        }
        None => {}
    }
    // A write-off rejected, withdrawn or expired leaves its dispute open, free to resolve again.
    if let RequestKind::WriteOff { ref dispute, .. } = request.kind {
        if effect.is_none() && !request.state().is_open() {
            let mut c = planned_customer(fx, customer);
            if let Some(d) = c
                .disputes
                .iter_mut()
                .find(|d| d.id == *dispute && d.write_off == Some(request.id))
            {
                d.write_off = None;
                c.meta = c.meta.bump(device, now);
                put_planned(fx, c);
                fx.touched.push(request.customer);
            }
        }
    }
    // An approved unfreeze also lifts the holds monitoring rules put on ordering.
    if matches!(request.kind, RequestKind::Unfreeze { .. })
        && effect.is_some()
        && !book.monitor.held(request.customer).is_empty()
    {
        let mut holds = book.monitor.holds.clone();
        let lifted = holds.remove(&request.customer).unwrap_or_default();
        settings::HOLDS.put(&mut fx.batch, &holds);
        events.push(event(
            ctx,
            "hold.released",
            format!("customer:{}", request.customer),
            lifted
                .iter()
                .map(|h| h.rule.clone())
                .collect::<Vec<_>>()
                .join(","),
            String::new(),
            "unfreeze approved",
        ));
        fx.release_holds = Some(request.customer);
    }
    if effect.is_some() {
        fx.touched.push(request.customer);
    }
    fx.state = Some(request.state());
    fx.events.append(&mut events);
    fx.requests.push(request);
    Ok(())
}

/// Runs a command: plans it on the book, commits its effects with their audit entries and the
/// command's outbox record in one transaction, then applies them to the book. `files` are the
/// bytes of a request's attachments, by attachment id. On any error nothing is written.
pub async fn execute<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    ctx: &Ctx,
    cmd: Command,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Receipt, CommandError> {
    run(store, book, ctx, cmd, files, true).await
}

/// Runs a command whose outbox record is already stored (a device re-running its commands still
/// to push on a freshly pulled book): its effects are committed, no second record.
pub async fn replay<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    ctx: &Ctx,
    cmd: Command,
) -> Result<Receipt, CommandError> {
    run(store, book, ctx, cmd, Vec::new(), false).await
}

async fn run<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    ctx: &Ctx,
    cmd: Command,
    files: Vec<(String, Vec<u8>)>,
    record: bool,
) -> Result<Receipt, CommandError> {
    // The audit trail is the lock: two writes planned on the same state chain to the same head,
    // and the store takes only the first (entries are only ever added). The second is planned
    // again on what the first left, never committed as it was planned.
    for attempt in 0..2 {
        // An import's ledger rules (a pass over every stored invoice) before the rest of its
        // plan, authorised first, in steps with a turn for the page between; a trail that moved
        // meanwhile has the import planned again, as below (the second attempt, without turns,
        // checks them in its plan, in one go).
        let rechecked = match &cmd {
            Command::ImportBatch { kind, records, .. } if attempt == 0 => {
                crate::imports::authorise(&ctx.actor, *kind)?;
                let head = book.borrow().audit.last().cloned();
                let mut check = creditdesk_domain::import::Recheck::new(records);
                store.breathe().await;
                while !check.scan(&book.borrow().ledger, RECHECK_ROWS) {
                    store.breathe().await;
                }
                let mut refused = Vec::new();
                check.finish(&book.borrow().ledger, &mut refused);
                if turn_moved(store, book, &head).await {
                    continue;
                }
                Some(refused)
            }
            _ => None,
        };
        // The head the plan saw: the entries chain to it even if the store gives the page a turn
        // (below) and another command writes meanwhile; then the store refuses them, and the
        // command is planned again on what that one left.
        let (fx, head) = {
            let b = book.borrow();
            (
                plan_rechecked(&b, ctx, &cmd, rechecked)?,
                b.audit.last().cloned(),
            )
        };
        check_files(&cmd, &files)?;
        if fx.changes_nothing() {
            // Nothing to write (no request was due to expire, say): no outbox record either.
            return Ok(Receipt {
                touched: Vec::new(),
                outcome: fx.outcome,
                state: fx.state,
                count: fx.count,
            });
        }
        // An import's plan, its record (every row as the command's JSON, itself in turns:
        // `import_json`) and its write are each long: in a browser the page gets a turn between
        // them, after which a trail that moved is planned again (`turn_moved`). Not on the
        // second attempt, the last: a command written in a turn then would fail the import
        // instead of re-planning it.
        let bulk = fx.bulk.is_some() && attempt == 0;
        if bulk && turn_moved(store, book, &head).await {
            continue;
        }
        // A replayed command (not recorded) has no outbox record: its JSON is not written.
        let json = match (record, bulk) {
            (false, _) => None,
            (true, false) => Some(command_json(ctx, &cmd, &fx)),
            (true, true) => Some(import_json(store, ctx, &cmd, &fx).await),
        };
        let mut batch = written(ctx, &fx, &files, json);
        if let Some((_, rows)) = fx.bulk.as_ref().filter(|_| bulk) {
            // The ledger's columns grown in this task, not in the memory update after the write
            // (exactly: an import that fails leaves the room for the next).
            book.borrow_mut()
                .ledger
                .reserve_invoices(rows.invoices.len());
        }
        if bulk && turn_moved(store, book, &head).await {
            continue;
        }
        let entries = chain(head.as_ref(), ctx.now.0, fx.events.clone());
        batch.audit = entries.clone();
        let stored = written_through(book, async {
            match &fx.bulk {
                // An import appends chunks; its command and audit entry go in the same
                // transaction.
                Some((customers, rows)) => {
                    // Taken, not copied: an import's record holds every row of its file.
                    let outbox: Vec<OutboxEntry> = batch.command.take().into_iter().collect();
                    store.import(customers, rows, &outbox, &entries).await
                }
                None => store.commit(&batch).await,
            }
        })
        .await;
        match stored {
            Ok(()) => {
                let mut b = book.borrow_mut();
                b.audit.extend(entries.iter().cloned());
                apply(&mut b, &fx);
                return Ok(Receipt {
                    touched: fx.touched,
                    outcome: fx.outcome,
                    state: fx.state,
                    count: fx.count,
                });
            }
            Err(_) if attempt == 0 && !fx.events.is_empty() => {
                // Perhaps another writer took the trail's next number: read the trail again.
                // If the failure was something else, the second attempt fails the same way.
                let stored = store.load_audit().await?;
                book.borrow_mut().audit = stored;
            }
            Err(e) => return Err(e.into()),
        }
    }
    unreachable!("the loop returns")
}

/// The reservations after `holder`'s order of `amount` on `customer` used theirs up (oldest
/// first); `None` when they hold none there.
fn use_reservation(
    book: &Book,
    holder: &str,
    customer: CustomerId,
    amount: Money,
) -> Option<Vec<Reservation>> {
    let mut left = amount;
    let mut used = false;
    let mut out: Vec<Reservation> = book
        .reservations
        .iter()
        .filter(|r| r.is_active(book.as_of))
        .cloned()
        .collect();
    for r in out
        .iter_mut()
        .filter(|r| r.holder == holder && r.customer == customer)
    {
        let take = r.amount.min(left);
        r.amount -= take;
        left -= take;
        used = true;
    }
    used.then(|| out.into_iter().filter(|r| r.amount.is_positive()).collect())
}

/// The command as its outbox record holds it: its envelope's canonical JSON (see
/// `creditdesk_storage::canonical`; an import's is megabytes).
fn command_json(ctx: &Ctx, cmd: &Command, fx: &Effects) -> creditdesk_storage::Payload {
    let device = ctx.device.to_string();
    let envelope = crate::command::EnvelopeRef {
        id: &ctx.command_id,
        actor: &ctx.actor.id,
        device: &device,
        at: ctx.now.0,
        as_of: ctx.as_of,
        base: &fx.base,
        command: cmd,
    };
    creditdesk_storage::Payload::of(&envelope)
}

/// How many stored invoices an import's ledger rules scan between two turns for the page (a
/// million took a task of 60-80 ms in a browser's trace).
const RECHECK_ROWS: usize = 250_000;

/// How many of an import's rows are written as JSON between two turns for the page (about
/// 12 ms of a browser's time for invoices).
const ROWS_PER_TURN: usize = 5_000;

/// [`command_json`]'s text for an import, its rows written [`ROWS_PER_TURN`] at a time with a
/// turn for the page between (`Store::breathe`; the whole command was a task of about 200 ms at
/// 100,000 rows): the command is written with its records' lists empty, and each list's rows,
/// canonical, go where its empty list was, in the order of the lists' names.
async fn import_json<S: Store>(
    store: &S,
    ctx: &Ctx,
    cmd: &Command,
    fx: &Effects,
) -> creditdesk_storage::Payload {
    use creditdesk_domain::import::Records;
    use creditdesk_storage::canonical::{self, Parts};
    let Command::ImportBatch {
        kind,
        file,
        rows_total,
        skipped,
        records,
        blocked,
    } = cmd
    else {
        return command_json(ctx, cmd, fx);
    };
    let hollow = Command::ImportBatch {
        kind: *kind,
        file: file.clone(),
        rows_total: *rows_total,
        skipped: *skipped,
        records: Records::default(),
        blocked: *blocked,
    };
    let text = command_json(ctx, &hollow, fx);
    let empty = format!(
        "\"records\":{}",
        canonical::to_string(&Records::default()).expect("records serialise")
    );
    // A quote in a string is escaped: the empty records are the command's member and no other.
    let Some((head, tail)) = text.text().split_once(&empty) else {
        debug_assert!(false, "no empty records in {}", text.text());
        return command_json(ctx, cmd, fx);
    };
    async fn list<S: Store, T: serde::Serialize>(
        store: &S,
        out: &mut Parts,
        name: &str,
        rows: &[T],
    ) {
        out.text(&format!("\"{name}\":["));
        for (n, turn) in rows.chunks(ROWS_PER_TURN).enumerate() {
            if n > 0 {
                store.breathe().await;
            }
            for (i, row) in turn.iter().enumerate() {
                if n > 0 || i > 0 {
                    out.text(",");
                }
                let before = out.len();
                out.value(row).expect("a row serialises");
                if n == 0 && i == 0 {
                    // Room for the rest, as long as the first (a hint: never more than 256 MiB).
                    let each = out.len() - before + 1;
                    out.reserve(each.saturating_mul(rows.len() - 1).min(256 << 20));
                }
            }
        }
        out.text("]");
    }
    let mut out = Parts::default();
    out.text(head);
    out.text("\"records\":{");
    let r = records;
    list(store, &mut out, "credit_notes", &r.credit_notes).await;
    out.text(",");
    list(store, &mut out, "customers", &r.customers).await;
    if !r.disputed.is_empty() {
        out.text(",");
        list(store, &mut out, "disputed", &r.disputed).await;
    }
    out.text(",");
    list(store, &mut out, "invoices", &r.invoices).await;
    out.text(",");
    list(store, &mut out, "orders", &r.orders).await;
    out.text(",");
    list(store, &mut out, "payments", &r.payments).await;
    out.text(",");
    list(store, &mut out, "rows", &r.rows).await;
    out.text("}");
    out.text(tail);
    creditdesk_storage::Payload::of_parts(out)
}

/// Gives the page a turn between an import's long steps (`Store::breathe`); true if the trail
/// moved meanwhile. A turn may bring an audited command, or a pull or a restore that replaces the
/// trail's end: then the head the plan chained to may be gone while its sequence number is free
/// again, and the store would take entries that break the chain.
async fn turn_moved<S: Store>(store: &S, book: &RefCell<Book>, head: &Option<AuditEntry>) -> bool {
    store.breathe().await;
    book.borrow().audit.last().map(|e| &e.hash) != head.as_ref().map(|e| &e.hash)
}

/// What a planned command writes: its effects, its requests' records, the attachments' bytes,
/// and the command itself (`json`, from [`command_json`] or [`import_json`]) as the outbox
/// record; no outbox record without it (a replayed command).
fn written(
    ctx: &Ctx,
    fx: &Effects,
    files: &[(String, Vec<u8>)],
    json: Option<creditdesk_storage::Payload>,
) -> Batch {
    let mut batch = fx.batch.clone();
    batch.requests = fx
        .requests
        .iter()
        .map(|r| (r.id.to_string(), serde_json::to_value(r).expect("json")))
        .collect();
    batch.attachments = files.to_vec();
    batch.command = json.map(|json| OutboxEntry {
        entity: "command".into(),
        id: ctx.command_id.clone(),
        version: 1,
        updated_at: ctx.now.0,
        device: ctx.device.to_string(),
        payload: json,
    });
    batch.no_outbox |= batch.command.is_none();
    batch
}

/// Chains `events` after the trail's last entry, commits them with `batch` in one transaction,
/// then appends them to the trail in the book; returns the entries.
///
/// Another writer (another tab) may have added entries since the book read the trail: then the
/// write fails as a whole (entries are only ever added), the trail is read again and chained once
/// more. If the failure was something else, the second attempt fails the same way. A batch with
/// no events is written once.
///
/// `chained`: the events' entries, if the caller chained them already (in steps: see
/// [`chain_in_steps`]); used if they still follow the trail's head, else chained again here.
///
/// `still`: the caller's check that the book its batch was made from has not moved, asked by the
/// store right before its write begins (`Store::commit_when`: a browser's store makes a large
/// batch's values with turns for the page first). `Ok(None)` when it answered false: nothing was
/// written, and the caller makes its batch again from the book as it is then. The check runs
/// while this write is counted as under way in the book ([`Book::writing`]: one, its own).
pub(crate) async fn commit_audited<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    batch: &mut Batch,
    events: &[Event],
    at: i64,
    mut chained: Option<Vec<AuditEntry>>,
    still: Option<&dyn Fn() -> bool>,
) -> Result<Option<Vec<AuditEntry>>, CommandError> {
    /// Why a write did not happen: the store failed, or `still` answered false.
    enum Unwritten {
        Failed(StoreError),
        Moved,
    }
    for attempt in 0..2 {
        let entries = {
            let b = book.borrow();
            let head = b.audit.last();
            match chained.take() {
                Some(c) if c.len() == events.len() && follows(&c, head) => c,
                _ => chain(head, at, events.to_vec()),
            }
        };
        batch.audit = entries.clone();
        // Counted as a commit in the book only if it wrote.
        let write = async {
            match still {
                None => store.commit(batch).await.map_err(Unwritten::Failed),
                Some(still) => match store.commit_when(batch, still).await {
                    Ok(true) => Ok(()),
                    Ok(false) => Err(Unwritten::Moved),
                    Err(e) => Err(Unwritten::Failed(e)),
                },
            }
        };
        match written_through(book, write).await {
            Ok(()) => {
                book.borrow_mut().audit.extend(entries.iter().cloned());
                return Ok(Some(entries));
            }
            Err(Unwritten::Moved) => return Ok(None),
            Err(Unwritten::Failed(_)) if attempt == 0 && !events.is_empty() => {
                let stored = store.load_audit().await?;
                book.borrow_mut().audit = stored;
            }
            Err(Unwritten::Failed(e)) => return Err(e.into()),
        }
    }
    unreachable!("the loop returns")
}

/// Runs `write`, a store's write of what the book is to hold once it succeeds, counted in the
/// book as under way while it runs ([`Book::writing`]) and as committed if it succeeds
/// ([`Book::commits`]; the caller puts what it wrote into the book in the same task). The one
/// place that counts the book's writes (a command's, the rules', a pull adopted onto the book:
/// `sync::adopt_onto`), for long work that takes turns and checks that none landed under it or is
/// under way (`monitoring::run_rules`, the browser's figures kept for the next start).
pub(crate) async fn written_through<T, E>(
    book: &RefCell<Book>,
    write: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, E> {
    book.borrow_mut().writing += 1;
    let done = write.await;
    let mut b = book.borrow_mut();
    // A book put in this one's place meanwhile never saw the write begin.
    b.writing = b.writing.saturating_sub(1);
    if done.is_ok() {
        b.commits += 1;
    }
    done
}

/// How many audit entries [`chain_in_steps`] chains in a step: each is a SHA-256 of its
/// canonical form (the first start's rules over the large book set some thousands of holds:
/// 26 ms of one task, traced).
pub(crate) const CHAIN_PER_TURN: usize = 1_000;

/// The events' audit entries after `head`, [`CHAIN_PER_TURN`] a step with a turn for the page
/// between: the same entries as [`chain`] makes at once.
pub(crate) async fn chain_in_steps<S: Store>(
    store: &S,
    head: Option<AuditEntry>,
    at: i64,
    events: &[Event],
) -> Vec<AuditEntry> {
    let mut out: Vec<AuditEntry> = Vec::with_capacity(events.len());
    for (k, part) in events.chunks(CHAIN_PER_TURN).enumerate() {
        if k > 0 {
            store.breathe().await;
        }
        let last = out.last().or(head.as_ref()).cloned();
        out.extend(chain(last.as_ref(), at, part.to_vec()));
    }
    out
}

/// The audit entry's action, before and after for a correction: the document as it stood, and
/// what it reads as now.
fn describe_correction(book: &Book, c: &Correction) -> (&'static str, String, String) {
    let l = &book.ledger;
    // Nothing applied: a payment's cash is unapplied, a credit note on account.
    let applied = |a: &[Allocation], none: &str| -> String {
        if a.is_empty() {
            return none.into();
        }
        a.iter()
            .map(|a| {
                let n = l
                    .customer_invoice(c.customer, a.invoice)
                    .map(|i| i.number.to_string())
                    .unwrap_or_else(|| a.invoice.to_string());
                format!("{n} {}", a.amount.format_cny())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let payment = |id: PaymentId| {
        l.customer_payments(c.customer)
            .into_iter()
            .find(|p| p.id == id)
            .map(|p| {
                let r = p.reference.map(|r| format!("{r} ")).unwrap_or_default();
                format!("{r}{} {}", p.date, p.amount.format_cny())
            })
            .unwrap_or_default()
    };
    let credit = |id: CreditNoteId| {
        l.customer_credit_notes(c.customer)
            .into_iter()
            .find(|n| n.id == id)
            .map(|n| format!("{} {}", n.number, n.amount.format_cny()))
            .unwrap_or_default()
    };
    match &c.fix {
        Fix::VoidInvoice { invoice } => (
            "invoice.voided",
            l.customer_invoice(c.customer, *invoice)
                .map(|i| format!("{} {}", i.number, i.amount.format_cny()))
                .unwrap_or_default(),
            "void".into(),
        ),
        Fix::VoidPayment { payment: id } => ("payment.voided", payment(*id), "void".into()),
        Fix::VoidCreditNote { credit_note } => {
            ("credit_note.voided", credit(*credit_note), "void".into())
        }
        Fix::Reallocate {
            payment: id,
            allocations: to,
        } => (
            "payment.reallocated",
            format!(
                "{}: {}",
                payment(*id),
                applied(&l.allocations_now(c.customer, *id), "unapplied")
            ),
            applied(to, "unapplied"),
        ),
        Fix::ApplyCreditNote {
            credit_note,
            allocations: to,
        } => (
            "credit_note.applied",
            format!(
                "{}: {}",
                credit(*credit_note),
                applied(
                    &l.credit_allocations_now(c.customer, *credit_note),
                    "on account"
                )
            ),
            applied(to, "on account"),
        ),
    }
}

/// Puts what a committed command wrote into the book.
fn apply(book: &mut Book, fx: &Effects) {
    if let Some(r) = &fx.reservations {
        book.reservations = r.clone();
    }
    for c in &fx.batch.customers {
        book.put_customer(c.clone());
    }
    for e in &fx.batch.entries {
        // Each was validated against this ledger: adding it cannot fail.
        let added = match e {
            Entry::Order(o) => {
                book.ledger.put_order(*o);
                Ok(())
            }
            Entry::Invoice(i) => book.ledger.add_invoice(*i),
            Entry::Payment(p) => book.ledger.add_payment(p.clone()),
            Entry::CreditNote(c) => book.ledger.add_credit_note(*c),
            Entry::Correction(c) => book.ledger.add_correction(c.clone()),
        };
        debug_assert!(added.is_ok(), "a planned entry was refused: {added:?}");
    }
    if let Some((customers, rows)) = &fx.bulk {
        if !customers.is_empty() {
            // New customers, or known ones with what the import added (disputes).
            for c in customers {
                match book.index.get(&c.id) {
                    Some(&i) => book.customers[i] = c.clone(),
                    None => book.customers.push(c.clone()),
                }
            }
            sort::by(&mut book.customers, |a, b| a.name.cmp(&b.name));
            book.reindex();
        }
        for o in &rows.orders {
            book.ledger.put_order(*o);
        }
        // All at once: each id was checked against this ledger by the plan. Were one refused
        // all the same, memory keeps every other one, as the store does.
        let added = book.ledger.add_invoices(&rows.invoices);
        debug_assert!(added.is_ok(), "{added:?}");
        if added.is_err() {
            for i in &rows.invoices {
                let _ = book.ledger.add_invoice(*i);
            }
        }
        for p in &rows.payments {
            let added = book.ledger.add_payment(p.clone());
            debug_assert!(added.is_ok(), "{added:?}");
        }
        for c in &rows.credit_notes {
            let added = book.ledger.add_credit_note(*c);
            debug_assert!(added.is_ok(), "{added:?}");
        }
    }
    for r in &fx.requests {
        match book.requests.iter_mut().find(|x| x.id == r.id) {
            Some(slot) => *slot = r.clone(),
            None => book.requests.insert(0, r.clone()),
        }
    }
    match &fx.scorecard {
        Some(ScorecardChange::Draft(d)) => book.draft = d.clone(),
        Some(ScorecardChange::Published(m)) => {
            book.versions.push(m.clone());
            book.model = m.clone();
            book.draft = None;
            book.rescore();
            // Scores of two models are on two scales (an analyst's card is not 0-100): the
            // last run's scores are read again under the new model, so that "the score fell"
            // never fires for a change of model. A grade that moved still counts.
            let Book { monitor, rated, .. } = book;
            for (id, prev) in monitor.previous.iter_mut() {
                if let Some(r) = rated.get(id) {
                    prev.1 = r.score;
                }
            }
        }
        None => {}
    }
    match &fx.config {
        Some(ConfigChange::Policy(p)) => {
            let regrade = book.policy.disputes.in_rating != p.disputes.in_rating;
            book.policy = p.clone();
            // Whether disputes count in the rating moves the overdue metrics.
            if regrade {
                book.compute_metrics();
                book.rescore();
            }
        }
        Some(ConfigChange::Routes(r)) => book.routes = r.clone(),
        Some(ConfigChange::Users(u)) => book.users = u.clone(),
        Some(ConfigChange::Rules(r)) => book.rules = r.clone(),
        Some(ConfigChange::Fields(f)) => book.fields = f.clone(),
        Some(ConfigChange::Notices(n)) => book.notices = n.clone(),
        None => {}
    }
    for a in &fx.alerts {
        if let Some(slot) = book.monitor.alerts.iter_mut().find(|x| x.id == a.id) {
            *slot = a.clone();
        }
    }
    for t in &fx.tasks {
        if let Some(slot) = book.monitor.tasks.iter_mut().find(|x| x.id == t.id) {
            *slot = t.clone();
        }
    }
    if let Some(c) = fx.release_holds {
        book.monitor.release(c);
    }
    for id in &fx.touched {
        book.refresh_summary(*id);
    }
}

/// `s` cut to at most `max` characters (a field's limit), whole characters only.
fn text_cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
