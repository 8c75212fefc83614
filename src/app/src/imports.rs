//! Imported orders pass the same credit check as typed ones: no row bypasses it.
//!
//! The rows are checked in file order, each on today's figures plus what the rows before it
//! (of the same customer) add, so a file cannot slip many small orders under a limit that one
//! large order would break. A row the check blocks is imported as held, with its reasons, or
//! left out: the person importing chooses ([`Blocked`]).

use crate::book::Book;
use crate::exec::{dispute_opened, event, may_move_on, require, visible, Effects};
use crate::{CommandError, Ctx};
use creditdesk_domain::approval::Permission;
use creditdesk_domain::credit::{self, Outcome, Reason};
use creditdesk_domain::id::IdMap;
use creditdesk_domain::*;
use creditdesk_storage::Rows;
use foldhash::{HashSet, HashSetExt};
use serde::{Deserialize, Serialize};

/// What an import does with an order the credit check blocks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Blocked {
    /// Imported as held, waiting for a release like a typed order.
    #[default]
    Hold,
    /// Left out of the import.
    Refuse,
}

/// An imported order the credit check blocks, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockedOrder {
    pub order: OrderId,
    pub number: DocNo,
    pub customer: CustomerId,
    pub amount: Money,
    pub reasons: Vec<Reason>,
}

/// The orders of a file that the credit check blocks. Only orders that would use credit are
/// checked (open or shipped); cancelled and invoiced ones are history.
pub fn check_imported_orders(book: &Book, orders: &[Order]) -> Vec<BlockedOrder> {
    let mut added: IdMap<CustomerId, Money> = IdMap::default();
    let mut out = Vec::new();
    for o in orders.iter().filter(|o| o.status.is_open_value()) {
        let extra = added.get(&o.customer).copied().unwrap_or_default();
        let result = book.check_input(o.customer).map(|mut input| {
            input.exposure.open_orders += extra;
            credit::check(&book.policy, &input, o.amount, false, book.as_of)
        });
        match result {
            Some(r) if r.outcome != Outcome::Block => {
                *added.entry(o.customer).or_default() += o.amount;
            }
            r => out.push(BlockedOrder {
                order: o.id,
                number: o.number,
                customer: o.customer,
                amount: o.amount,
                reasons: r.map(|r| r.reasons).unwrap_or_default(),
            }),
        }
    }
    out
}

/// Applies the choice to the orders to import: blocked ones become held, or are left out.
pub fn settle_blocked(orders: &mut Vec<Order>, blocked: &[BlockedOrder], choice: Blocked) {
    let is_blocked = |id: OrderId| blocked.iter().any(|b| b.order == id);
    match choice {
        Blocked::Hold => {
            for o in orders.iter_mut().filter(|o| is_blocked(o.id)) {
                o.status = OrderStatus::Held;
            }
        }
        Blocked::Refuse => orders.retain(|o| !is_blocked(o.id)),
    }
}

/// An import to plan: the checked rows of a file and what the person chose.
pub(crate) struct Import<'a> {
    pub kind: creditdesk_domain::import::Kind,
    pub file: &'a str,
    pub rows_total: usize,
    pub skipped: usize,
    pub records: &'a creditdesk_domain::import::Records,
    pub blocked: Blocked,
    /// The ledger's rules already checked on this book, in a turn of their own: what
    /// [`creditdesk_domain::import::recheck`] refused.
    pub rechecked: Option<Vec<String>>,
}

/// The permission an import of a kind needs: the same as typing its records.
pub fn permission(kind: creditdesk_domain::import::Kind) -> Permission {
    use creditdesk_domain::import::Kind;
    match kind {
        Kind::Customers => Permission::EditCustomers,
        Kind::Orders => Permission::RecordOrders,
        _ => Permission::RecordReceivables,
    }
}

/// Whether `me` may import records of `kind` (checked before any of the import's work).
pub(crate) fn authorise(
    me: &creditdesk_domain::approval::User,
    kind: creditdesk_domain::import::Kind,
) -> Result<(), CommandError> {
    require(me, permission(kind), "import these records")
}

/// Authorises and plans an import with the rules of the typed commands: every record of a
/// customer the actor sees (new customers given to the actor unless they see every customer),
/// external profiles only from the policy's roles, orders through the credit check, invoices
/// moving their orders on as a typed invoice does. Refused rows are named; nothing is written
/// unless every row may be.
pub(crate) fn plan_import(
    book: &Book,
    ctx: &Ctx,
    import: Import<'_>,
    fx: &mut Effects,
) -> Result<(), CommandError> {
    let me = &ctx.actor;
    let r = import.records;
    authorise(me, import.kind)?;
    let mut refused = Vec::new();
    let profile_editor = book.policy.profile_editors.iter().any(|x| me.has(*x));
    let mut file_customers: HashSet<CustomerId> = HashSet::with_capacity(r.customers.len());
    for c in &r.customers {
        if book.customer(c.id).is_some() {
            refused.push(format!("customer {}: its id exists", c.name));
        }
        if !file_customers.insert(c.id) {
            refused.push(format!("customer {}: its id is in the file twice", c.name));
        }
        if !me.sees(&c.sales_rep) {
            refused.push(format!(
                "customer {}: only those who see every customer give one to {}",
                c.name,
                book.user_name(&c.sales_rep)
            ));
        } else if !book.users.iter().any(|u| u.id == c.sales_rep) {
            refused.push(format!(
                "customer {}: the sales rep {} is no user of the directory",
                c.name, c.sales_rep
            ));
        }
        // The rating's inputs: the external profile and the custom fields placed with it.
        let custom_profile = book
            .fields
            .in_section(creditdesk_domain::fields::Section::Profile)
            .iter()
            .any(|f| c.custom.get(&f.key).is_some_and(|v| !v.is_empty()));
        if (c.profile != ExternalProfile::default() || custom_profile) && !profile_editor {
            refused.push(format!(
                "customer {}: the external profile is for the roles the policy names",
                c.name
            ));
        }
        if c.limits != Default::default() || c.grade_override.is_some() {
            refused.push(format!(
                "customer {}: limits and grades change only through approved requests",
                c.name
            ));
        }
        // Field by field, as the form: a field hidden from the importer stays empty in a new
        // customer. Each custom value must be one the form in force would have saved (a
        // required field is not asked here: the file's check asks it of a file, and the ERP link
        // carries none).
        let input = creditdesk_domain::CustomerInput::from_customer(c);
        let editors = &book.policy.profile_editors;
        let locked = creditdesk_domain::access::locked(&book.fields, me, editors, &input, None, c);
        if !locked.is_empty() {
            refused.push(format!(
                "customer {}: {} may not be filled by your roles",
                c.name,
                locked
                    .iter()
                    .map(|e| e.field.as_ref())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let wrong: Vec<&str> = c
            .custom
            .iter()
            .filter(|(k, v)| {
                book.fields
                    .get(k)
                    .filter(|d| !d.retired)
                    .is_none_or(|d| d.parse(v).ok().flatten().as_deref() != Some(v.as_str()))
            })
            .map(|(k, _)| k.as_str())
            .collect();
        if !wrong.is_empty() {
            refused.push(format!(
                "customer {}: custom values the form would not save: {}",
                c.name,
                wrong.join(", ")
            ));
        }
    }
    // The row's name (`what`) is written only for a row refused: a file of 100,000 good rows
    // formats none.
    let seen = |id: CustomerId, what: &dyn Fn() -> String, refused: &mut Vec<String>| {
        if file_customers.contains(&id) {
            return;
        }
        match visible(book, ctx, id) {
            Ok(_) => {}
            Err(CommandError::NotYours) => refused.push(format!("{}: not your customer", what())),
            Err(_) => refused.push(format!("{}: no such customer", what())),
        }
    };
    for o in &r.orders {
        seen(o.customer, &|| format!("order {}", o.number), &mut refused);
        if !matches!(
            o.status,
            OrderStatus::Open
                | OrderStatus::Shipped
                | OrderStatus::Invoiced
                | OrderStatus::Cancelled
        ) {
            refused.push(format!(
                "order {}: a held or prepaid order is not imported",
                o.number
            ));
        }
    }
    for i in &r.invoices {
        seen(
            i.customer,
            &|| format!("invoice {}", i.number),
            &mut refused,
        );
    }
    for p in &r.payments {
        let what = || {
            format!(
                "payment {}",
                p.reference.map(|r| r.to_string()).unwrap_or_default()
            )
        };
        seen(p.customer, &what, &mut refused);
    }
    for c in &r.credit_notes {
        seen(
            c.customer,
            &|| format!("credit note {}", c.number),
            &mut refused,
        );
    }
    match import.rechecked {
        Some(lines) => refused.extend(lines),
        None => creditdesk_domain::import::recheck(&book.ledger, r, &mut refused),
    }
    let mut rows = Rows {
        orders: r.orders.clone(),
        invoices: r.invoices.clone(),
        payments: r.payments.clone(),
        credit_notes: r.credit_notes.clone(),
        corrections: Vec::new(),
    };
    // No order bypasses the credit check.
    let stopped = check_imported_orders(book, &rows.orders);
    settle_blocked(&mut rows.orders, &stopped, import.blocked);
    // An invoice moves its order on as a typed one does.
    for inv in &r.invoices {
        let Some(oid) = inv.order else { continue };
        let Some(o) = book
            .ledger
            .order(oid)
            .filter(|o| o.customer == inv.customer)
        else {
            refused.push(format!(
                "invoice {}: no such order of its customer",
                inv.number
            ));
            continue;
        };
        let next = match o.status {
            OrderStatus::Open => match may_move_on(book, o) {
                Ok(()) => Some(OrderStatus::Invoiced),
                Err(_) => {
                    refused.push(format!(
                        "invoice {}: the credit check stops order {} from going on",
                        inv.number, o.number
                    ));
                    None
                }
            },
            OrderStatus::Shipped => Some(OrderStatus::Invoiced),
            OrderStatus::AwaitingPayment | OrderStatus::Invoiced => None,
            OrderStatus::Held | OrderStatus::Cancelled => {
                refused.push(format!(
                    "invoice {}: order {} is held or cancelled",
                    inv.number, o.number
                ));
                None
            }
        };
        if let Some(next) = next {
            if let Some(moved) = o.with_status(next, ctx.device, ctx.now) {
                rows.orders.push(moved);
            }
        }
    }
    // What the file says is disputed opens a dispute of each invoice, owned by its customer's
    // rep (or the importer when the rep is no user), from today.
    let mut customers = r.customers.clone();
    // A sealed part of the score is the server's to send, never a sender's to give: an imported
    // customer is graded from what it holds.
    for c in &mut customers {
        c.sealed = None;
    }
    if !r.disputed.is_empty() && !me.may(Permission::HandleDisputes) {
        refused.push("disputed amounts: your role may not open disputes".into());
    }
    // By id, for a file whose every row may be disputed (a search of the file's rows for each
    // was a square of 100,000 rows); an id twice is the first row's, as a search finds it.
    let mut by_id: IdMap<InvoiceId, &Invoice> = IdMap::default();
    if !r.disputed.is_empty() {
        for i in &r.invoices {
            by_id.entry(i.id).or_insert(i);
        }
    }
    // Where each customer is in `customers` (the file's ones, then the book's that a dispute
    // changes; no id is there twice: the file's are refused above).
    let mut at: IdMap<CustomerId, usize> = IdMap::default();
    if !r.disputed.is_empty() {
        for (k, c) in customers.iter().enumerate() {
            at.insert(c.id, k);
        }
    }
    for &(id, amount) in &r.disputed {
        let Some(&inv) = by_id.get(&id) else {
            refused.push(format!(
                "a disputed amount of an invoice not in the file ({id})"
            ));
            continue;
        };
        if !amount.is_positive() || amount > inv.amount {
            refused.push(format!(
                "invoice {}: the disputed amount is not within the invoice",
                inv.number
            ));
            continue;
        }
        let Some(c) = at
            .get(&inv.customer)
            .map(|&k| &customers[k])
            .or_else(|| book.customer(inv.customer))
            .cloned()
        else {
            continue;
        };
        let owner = if book.users.iter().any(|u| u.id == c.sales_rep) {
            c.sales_rep.clone()
        } else {
            me.id.clone()
        };
        let d = creditdesk_domain::dispute::Dispute {
            id: format!("import-{id}"),
            invoice: id,
            number: inv.number,
            amount,
            category: creditdesk_domain::dispute::Category::Other,
            reason: format!("disputed in the import file {}", import.file),
            owner,
            opened: ctx.as_of,
            opened_by: me.id.clone(),
            write_off: None,
            resolution: None,
        };
        fx.events.push(dispute_opened(book, ctx, &d));
        let mut next = c;
        next.disputes.push(d);
        if book.customer(next.id).is_some() && !file_customers.contains(&next.id) {
            next.meta = next.meta.bump(ctx.device, ctx.now);
        }
        match at.get(&next.id) {
            Some(&k) => customers[k] = next,
            None => {
                at.insert(next.id, customers.len());
                customers.push(next);
            }
        }
    }
    if !refused.is_empty() {
        return Err(CommandError::Rows(refused));
    }
    let orders_kept = match import.blocked {
        Blocked::Hold => r.orders.len(),
        Blocked::Refuse => r.orders.len() - stopped.len(),
    };
    let written = r.customers.len()
        + orders_kept
        + rows.invoices.len()
        + rows.payments.len()
        + rows.credit_notes.len();
    fx.events.push(event(
        ctx,
        "data.imported",
        format!("import:{}", import.kind.key()),
        String::new(),
        format!(
            "{written} records ({} rows, {} skipped; {} orders blocked by the credit check, {})",
            import.rows_total,
            import.skipped,
            stopped.len(),
            match import.blocked {
                Blocked::Hold => "held",
                Blocked::Refuse => "left out",
            }
        ),
        import.file,
    ));
    // A set first: a file of 100,000 rows names a few hundred customers.
    let touched: IdMap<CustomerId, ()> = r
        .customers
        .iter()
        .map(|c| c.id)
        .chain(rows.orders.iter().map(|o| o.customer))
        .chain(rows.invoices.iter().map(|i| i.customer))
        .chain(rows.payments.iter().map(|p| p.customer))
        .chain(rows.credit_notes.iter().map(|c| c.customer))
        .map(|c| (c, ()))
        .collect();
    let mut touched: Vec<CustomerId> = touched.into_keys().collect();
    touched.sort_unstable();
    fx.touched = touched;
    fx.count = written;
    fx.bulk = Some((customers, rows));
    Ok(())
}

/// Checks every row of a file as `user` against the book: rows may refer only to the customers
/// `user` sees; ids for new records come from `new_id`, their meta says `at` on this device.
pub fn check_rows(
    book: &Book,
    user: &creditdesk_domain::approval::User,
    kind: creditdesk_domain::import::Kind,
    table: &creditdesk_domain::import::Table,
    mapping: &creditdesk_domain::import::Mapping,
    at: Timestamp,
    new_id: &mut dyn FnMut() -> u128,
) -> creditdesk_domain::import::Plan {
    RowCheck::new(book, user, kind, table, mapping, at).finish(book, table, new_id)
}

/// [`check_rows`] a few rows at a time (see `creditdesk_domain::import::Check`): each step is
/// given the book as it is then, and the same table. The customers the rows may name are those
/// of the check's start.
pub struct RowCheck {
    check: creditdesk_domain::import::Check,
    /// The customers the user sees when they are not all of them (else the book's own list).
    mine: Option<Vec<Customer>>,
    at: Timestamp,
}

impl RowCheck {
    pub fn new(
        book: &Book,
        user: &creditdesk_domain::approval::User,
        kind: creditdesk_domain::import::Kind,
        table: &creditdesk_domain::import::Table,
        mapping: &creditdesk_domain::import::Mapping,
        at: Timestamp,
    ) -> RowCheck {
        let mine = customers_seen(book, user);
        let ctx = context(book, &book.ledger, mine.as_deref(), at);
        let check = creditdesk_domain::import::Check::new(kind, table, mapping, &ctx, book.as_of);
        RowCheck { check, mine, at }
    }

    /// Checks up to `rows` more rows against the book as it is now; true once every row is
    /// checked.
    pub fn step(
        &mut self,
        book: &Book,
        table: &creditdesk_domain::import::Table,
        new_id: &mut dyn FnMut() -> u128,
        rows: usize,
    ) -> bool {
        let ctx = context(book, &book.ledger, self.mine.as_deref(), self.at);
        self.check.step(table, &ctx, new_id, rows)
    }

    /// The plan, once the rows left (if any) are checked against the book.
    pub fn finish(
        self,
        book: &Book,
        table: &creditdesk_domain::import::Table,
        new_id: &mut dyn FnMut() -> u128,
    ) -> creditdesk_domain::import::Plan {
        let ctx = context(book, &book.ledger, self.mine.as_deref(), self.at);
        self.check.finish(table, &ctx, new_id)
    }
}

/// The customers `user` may refer to when they are not all of the book's: whoever sees every
/// customer checks against the book's own list (no copy of 10,000 customers), anyone else
/// against a copy of theirs.
fn customers_seen(book: &Book, user: &creditdesk_domain::approval::User) -> Option<Vec<Customer>> {
    (!user.may(creditdesk_domain::approval::Permission::SeeAllCustomers)).then(|| {
        book.customers
            .iter()
            .filter(|c| user.sees(&c.sales_rep))
            .cloned()
            .collect()
    })
}

/// What an import's rows are checked against: `mine` (else all the book's customers), `ledger`.
fn context<'a>(
    book: &'a Book,
    ledger: &'a creditdesk_domain::Ledger,
    mine: Option<&'a [Customer]>,
    at: Timestamp,
) -> creditdesk_domain::import::Context<'a> {
    creditdesk_domain::import::Context {
        customers: mine.unwrap_or(&book.customers),
        users: &book.users,
        ledger,
        meta: Meta::new(book.device, at),
        fields: &book.fields,
    }
}

/// [`check_rows`] against another ledger than the book's: one a change is tried on first (a
/// customer's ledger with a document voided, before the void is made).
#[allow(clippy::too_many_arguments)]
pub fn check_rows_against(
    book: &Book,
    ledger: &creditdesk_domain::Ledger,
    user: &creditdesk_domain::approval::User,
    kind: creditdesk_domain::import::Kind,
    table: &creditdesk_domain::import::Table,
    mapping: &creditdesk_domain::import::Mapping,
    at: Timestamp,
    new_id: &mut dyn FnMut() -> u128,
) -> creditdesk_domain::import::Plan {
    let mine = customers_seen(book, user);
    let ctx = context(book, ledger, mine.as_deref(), at);
    creditdesk_domain::import::validate(kind, table, mapping, &ctx, new_id, book.as_of)
}

// ----- The column mappings an import remembers -----

/// A mapping saved for the next file of the same kind with the same headers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedMapping {
    pub headers: Vec<String>,
    pub mapping: creditdesk_domain::import::Mapping,
}

/// The saved mappings, one per kind of file (the newest).
pub const MAPPINGS: creditdesk_storage::settings::Setting<Vec<SavedMapping>> =
    creditdesk_storage::settings::Setting::new("import_mappings");

/// Where a mapping was kept before [`MAPPINGS`] (one setting per kind, read if there is no
/// newer one, so that no saved mapping is lost).
fn legacy_key(kind: creditdesk_domain::import::Kind) -> String {
    format!("import_mapping:{}", kind.key())
}

/// The mapping saved for files of `kind` with exactly these headers, if any.
pub async fn saved_mapping<S: creditdesk_storage::Store>(
    store: &S,
    kind: creditdesk_domain::import::Kind,
    headers: &[String],
) -> Result<Option<creditdesk_domain::import::Mapping>, creditdesk_storage::StoreError> {
    let mut saved = MAPPINGS.read(store).await?.unwrap_or_default();
    if !saved.iter().any(|s| s.mapping.kind == kind) {
        if let Some(text) = store.setting(&legacy_key(kind)).await? {
            // An unreadable old mapping is only a lost convenience: the import guesses again.
            saved.extend(serde_json::from_str::<SavedMapping>(&text).ok());
        }
    }
    Ok(saved
        .into_iter()
        .find(|s| s.mapping.kind == kind && s.headers == headers)
        .map(|s| s.mapping))
}

/// Keeps `mapping` for the next file of its kind with these headers (replacing that kind's).
pub async fn save_mapping<S: creditdesk_storage::Store>(
    store: &S,
    headers: &[String],
    mapping: &creditdesk_domain::import::Mapping,
) -> Result<(), creditdesk_storage::StoreError> {
    let mut saved = MAPPINGS.read(store).await?.unwrap_or_default();
    saved.retain(|s| s.mapping.kind != mapping.kind);
    saved.push(SavedMapping {
        headers: headers.to_vec(),
        mapping: mapping.clone(),
    });
    let mut batch = creditdesk_storage::Batch {
        no_outbox: true,
        ..creditdesk_storage::Batch::default()
    };
    MAPPINGS.put(&mut batch, &saved);
    store.commit(&batch).await
}
