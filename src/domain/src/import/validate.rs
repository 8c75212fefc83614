//! Checking every row of a table against the mapping and the stored data.

use super::fields::{FieldKey, Kind, Mapping, Need};
use super::problem::{ImportProblem, RowProblem};
use super::table::Table;
use super::values::{
    parse_amount_wan, parse_date, parse_doc_no, parse_industry_position, parse_order_status,
    parse_positive_amount, parse_term_days, DateFormat,
};
use crate::approval::User;
use crate::date::Date;
use crate::error::Problem;
use crate::id::{CreditNoteId, CustomerId, IdMap, InvoiceId, Meta, OrderId, PaymentId};
use crate::ledger::{
    check_settlement_date, invoice_warnings, Allocation, CreditNote, Invoice, Ledger, Order,
    OrderStatus, Payment,
};
use crate::money::Money;
use crate::party::{Customer, CustomerInput, Uscc};
use crate::sieve::{among, Sieve};
use crate::text::DocNo;
use std::collections::hash_map::Entry;
// Fast hashing (foldhash) for the document numbers and names of a 100,000-row file. Natively it is
// seeded per process from the time and addresses; in the browser only from addresses, about the
// same every time: harmless there, the file being the user's own.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::{BTreeMap, BTreeSet};

/// What the database already holds, and the metadata new records get.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub customers: &'a [Customer],
    /// The user directory: a customer's sales rep is one of them, named in a file by name or id.
    pub users: &'a [User],
    pub ledger: &'a Ledger,
    /// Copied into every new record (version 1, the importing device, the time of import).
    pub meta: Meta,
    /// The custom fields of the customer form: a customers file may fill them
    /// ([`Mapping::custom`]).
    pub fields: &'a crate::fields::FieldSet,
}

/// The records of the valid rows, ready to write (only the vector of the file's kind is filled).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Records {
    pub customers: Vec<Customer>,
    pub orders: Vec<Order>,
    pub invoices: Vec<Invoice>,
    pub payments: Vec<Payment>,
    pub credit_notes: Vec<CreditNote>,
    /// The spreadsheet row of each record, in the same order.
    pub rows: Vec<u64>,
    /// What an invoice file says is disputed of its invoices (by the new invoice's id): the
    /// command that writes them opens a dispute of each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disputed: Vec<(InvoiceId, Money)>,
}

impl Records {
    /// How many records (of whichever kind).
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The outcome of [`validate`]: what would be written and everything that is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub kind: Kind,
    /// Data rows in the table (blank lines not counted).
    pub rows_total: usize,
    pub records: Records,
    /// File-level problems (row 0) first, then row problems in row order.
    pub problems: Vec<RowProblem>,
    /// Warnings ([`ImportProblem::is_warning`]), in row order: shown, but they keep no row out
    /// (a row with only warnings is a record; its row is not in `rows_in_error`).
    pub warnings: Vec<RowProblem>,
    /// The rows with at least one problem.
    pub rows_in_error: BTreeSet<u64>,
}

impl Plan {
    /// Problems of the whole file (row 0): while there is one, `records` is empty.
    pub fn file_problems(&self) -> impl Iterator<Item = &RowProblem> {
        self.problems.iter().filter(|p| p.row == 0)
    }
    /// True when nothing is wrong with the file as a whole (rows may still be in error and
    /// would be skipped).
    pub fn can_import(&self) -> bool {
        self.file_problems().next().is_none()
    }
}

/// A date that may not be after `as_of`.
fn past_date(s: &str, format: DateFormat, as_of: Date) -> Result<Date, ImportProblem> {
    let d = parse_date(s, format)?;
    if d > as_of {
        Err(ImportProblem::InFuture { as_of })
    } else {
        Ok(d)
    }
}

/// What a check carries from row to row (the table itself is handed to each step).
struct Sheet {
    cols: [Option<usize>; FieldKey::COUNT],
    /// Custom fields by key, and their columns (customers only).
    custom: Vec<(String, usize)>,
    /// The source carries no custom field ([`Mapping::without_custom`]).
    without_custom: bool,
    problems: Vec<RowProblem>,
    warnings: Vec<RowProblem>,
    rows_in_error: BTreeSet<u64>,
    format: DateFormat,
    as_of: Date,
    meta: Meta,
    /// False when the file has a file-level problem: rows are checked but nothing is kept.
    commit: bool,
}

/// One row being checked: reads cells by field and records problems.
struct Row<'s, 't> {
    sheet: &'s mut Sheet,
    headers: &'t [String],
    cells: &'t [String],
    line: u64,
    bad: bool,
    /// Fields with a problem already (bit per [`FieldKey::index`]).
    reported: u32,
}

impl<'s, 't> Row<'s, 't> {
    fn new(sheet: &'s mut Sheet, headers: &'t [String], cells: &'t [String], line: u64) -> Self {
        Row {
            sheet,
            headers,
            cells,
            line,
            bad: false,
            reported: 0,
        }
    }

    fn mapped(&self, f: FieldKey) -> bool {
        self.sheet.cols[f.index()].is_some()
    }

    /// The cell of a field; `None` if no column is mapped to it.
    fn cell(&self, f: FieldKey) -> Option<&'t str> {
        let cells = self.cells;
        self.sheet.cols[f.index()]
            .and_then(|c| cells.get(c))
            .map(String::as_str)
    }

    fn text(&self, f: FieldKey) -> String {
        self.cell(f).unwrap_or("").to_owned()
    }

    /// Records a problem of a field; a warning goes to the warnings and leaves the row valid.
    fn report(&mut self, f: FieldKey, problem: ImportProblem) {
        let column = self.sheet.cols[f.index()]
            .and_then(|c| self.headers.get(c))
            .cloned();
        let value = self.text(f);
        let p = RowProblem {
            row: self.line,
            column,
            field: Some(f),
            value,
            problem,
        };
        if problem.is_warning() {
            self.sheet.warnings.push(p);
            return;
        }
        self.sheet.problems.push(p);
        self.sheet.rows_in_error.insert(self.line);
        self.bad = true;
        self.reported |= 1 << f.index();
    }

    /// Records a problem of a custom field: at its column, or named `custom.<key>` when no
    /// column holds it.
    fn report_custom(&mut self, column: Option<usize>, name: &str, problem: ImportProblem) {
        let p = RowProblem {
            row: self.line,
            column: Some(
                column
                    .and_then(|c| self.headers.get(c).cloned())
                    .unwrap_or_else(|| name.to_string()),
            ),
            field: None,
            value: column
                .and_then(|c| self.cells.get(c).cloned())
                .unwrap_or_default(),
            problem,
        };
        self.sheet.problems.push(p);
        self.sheet.rows_in_error.insert(self.line);
        self.bad = true;
    }

    fn was_reported(&self, f: FieldKey) -> bool {
        self.reported & (1 << f.index()) != 0
    }

    /// A required value: `None` if unmapped (reported for the file), empty, or not parsed.
    fn required<T>(
        &mut self,
        f: FieldKey,
        parse: impl FnOnce(&'t str) -> Result<T, ImportProblem>,
    ) -> Option<T> {
        let s = self.cell(f)?;
        if s.trim().is_empty() {
            self.report(f, ImportProblem::Required);
            return None;
        }
        match parse(s) {
            Ok(v) => Some(v),
            Err(p) => {
                self.report(f, p);
                None
            }
        }
    }

    /// An optional value: `Ok(None)` if unmapped or empty, `Err(())` if reported.
    fn optional<T>(
        &mut self,
        f: FieldKey,
        parse: impl FnOnce(&'t str) -> Result<T, ImportProblem>,
    ) -> Result<Option<T>, ()> {
        match self.cell(f) {
            Some(s) if !s.trim().is_empty() => match parse(s) {
                Ok(v) => Ok(Some(v)),
                Err(p) => {
                    self.report(f, p);
                    Err(())
                }
            },
            _ => Ok(None),
        }
    }

    /// True when the row may become a record.
    fn keep(&self) -> bool {
        !self.bad && self.sheet.commit
    }
}

/// The id of the user a file names: by id, else by name (trimmed, ignoring ASCII case); a name
/// that several users share must be given as an id.
pub fn user_named(users: &[User], text: &str) -> Result<String, ImportProblem> {
    let text = text.trim();
    if let Some(u) = users.iter().find(|u| u.id == text) {
        return Ok(u.id.clone());
    }
    let named: Vec<&User> = users
        .iter()
        .filter(|u| u.name.trim().eq_ignore_ascii_case(text))
        .collect();
    match named.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => Err(ImportProblem::UnknownUser),
        many => Err(ImportProblem::AmbiguousUser {
            count: many.len() as u32,
        }),
    }
}

/// Stored customers by trimmed name, by USCC and by id (their place in the context's list), read
/// once when a check is made.
struct CustomerIndex {
    by_name: HashMap<String, (CustomerId, u32)>,
    by_uscc: HashMap<Uscc, CustomerId>,
    by_id: IdMap<CustomerId, u32>,
}

impl CustomerIndex {
    fn new(customers: &[Customer]) -> Self {
        let mut by_name: HashMap<String, (CustomerId, u32)> =
            HashMap::with_capacity(customers.len());
        let mut by_uscc = HashMap::new();
        let mut by_id = IdMap::default();
        for (at, c) in customers.iter().enumerate() {
            by_id.entry(c.id).or_insert(at as u32);
            by_name
                .entry(c.name.trim().to_owned())
                .and_modify(|e| e.1 += 1)
                .or_insert((c.id, 1));
            if let Some(u) = c.uscc {
                by_uscc.entry(u).or_insert(c.id);
            }
        }
        CustomerIndex {
            by_name,
            by_uscc,
            by_id,
        }
    }

    fn find(&self, s: &str) -> Result<CustomerId, ImportProblem> {
        let t = s.trim();
        if let Some(&(id, count)) = self.by_name.get(t) {
            return if count > 1 {
                Err(ImportProblem::AmbiguousCustomer { count })
            } else {
                Ok(id)
            };
        }
        if t.len() == 18 {
            if let Some(&id) = Uscc::parse(t).ok().and_then(|u| self.by_uscc.get(&u)) {
                return Ok(id);
            }
        }
        // CreditDesk's own id (what the ERP API puts here for a customer code it knows).
        if t.len() == 36 {
            if let Some(id) = uuid::Uuid::parse_str(t)
                .ok()
                .map(|u| CustomerId::from_u128(u.as_u128()))
                .filter(|id| self.by_id.contains_key(id))
            {
                return Ok(id);
            }
        }
        Err(ImportProblem::UnknownCustomer)
    }

    /// A customer by id in `customers` (the list a step is given): `None` when the list no
    /// longer holds it where it was when the index was made.
    fn get<'c>(&self, customers: &'c [Customer], id: CustomerId) -> Option<&'c Customer> {
        self.by_id
            .get(&id)
            .and_then(|&at| customers.get(at as usize))
            .filter(|c| c.id == id)
    }
}

/// A stored invoice referred to by number.
#[derive(Clone, Copy)]
struct InvoiceRef {
    id: InvoiceId,
    customer: CustomerId,
    issue: Date,
}

/// The numbers in one column that parse as document numbers.
fn column_numbers(table: &Table, col: Option<usize>) -> HashSet<DocNo> {
    let Some(c) = col else {
        return HashSet::new();
    };
    table
        .rows
        .iter()
        .filter_map(|r| r.get(c))
        .filter_map(|s| DocNo::parse(s).ok())
        .collect()
}

/// What is open now on each invoice of one customer, oldest due first (the order of
/// [`Ledger::allocate_oldest_first`]), as earlier rows of the file leave it.
struct OpenBook {
    items: Vec<(InvoiceId, Money)>,
    pos: IdMap<InvoiceId, u32>,
    /// Every item before this one has nothing open.
    cursor: usize,
    /// Sum of the positive open amounts.
    total: Money,
}

impl OpenBook {
    fn of(ledger: &Ledger, customer: CustomerId) -> OpenBook {
        // Far enough to include every settlement, near enough that day counts cannot overflow.
        let all_time = Date::from_days(3_000_000);
        let mut items = ledger.items(customer, all_time);
        items.sort_by_key(|i| (i.due_date, i.issue_date, i.number));
        OpenBook {
            total: items
                .iter()
                .map(|i| i.open)
                .filter(|o| o.is_positive())
                .sum(),
            pos: items
                .iter()
                .enumerate()
                .map(|(k, i)| (i.invoice, k as u32))
                .collect(),
            items: items.iter().map(|i| (i.invoice, i.open)).collect(),
            cursor: 0,
        }
    }

    fn open_of(&self, id: InvoiceId) -> Money {
        self.pos
            .get(&id)
            .map_or(Money::ZERO, |&k| self.items[k as usize].1)
    }

    /// Takes `amount` (at most what is open) off one invoice.
    fn settle(&mut self, id: InvoiceId, amount: Money) {
        if let Some(&k) = self.pos.get(&id) {
            let open = &mut self.items[k as usize].1;
            if open.is_positive() {
                self.total -= amount.min(*open);
            }
            *open -= amount;
        }
    }

    /// Allocates `amount` (at most `total`) oldest first.
    fn allocate(&mut self, amount: Money) -> Vec<Allocation> {
        let mut left = amount;
        let mut out = Vec::new();
        let mut k = self.cursor;
        while left.is_positive() && k < self.items.len() {
            let (id, open) = &mut self.items[k];
            if open.is_positive() {
                let take = (*open).min(left);
                *open -= take;
                self.total -= take;
                left -= take;
                out.push(Allocation {
                    invoice: *id,
                    amount: take,
                });
            }
            if !open.is_positive() && k == self.cursor {
                self.cursor += 1;
            }
            k += 1;
        }
        out
    }
}

/// What is open of each customer's invoices as the file's rows so far leave it, read from the
/// ledger on a customer's first row.
#[derive(Default)]
struct Opens {
    books: IdMap<CustomerId, OpenBook>,
}

impl Opens {
    fn book(&mut self, ledger: &Ledger, c: CustomerId) -> &mut OpenBook {
        self.books
            .entry(c)
            .or_insert_with(|| OpenBook::of(ledger, c))
    }
}

/// What makes two payments the same payment, besides the customer and the invoice: date,
/// amount and reference.
type PaymentKey = (Date, Money, Option<DocNo>);

/// The stored payments of each customer by [`PaymentKey`], built on first use of a customer.
#[derive(Default)]
struct StoredPayments {
    books: IdMap<CustomerId, HashMap<PaymentKey, Vec<Payment>>>,
}

impl StoredPayments {
    /// True when the customer has a stored payment with this date, amount and reference that
    /// went to `invoice` alone (any stored payment when the row names no invoice: it would be
    /// allocated oldest first, as the stored one was).
    fn has(
        &mut self,
        ledger: &Ledger,
        c: CustomerId,
        key: PaymentKey,
        invoice: Option<InvoiceId>,
    ) -> bool {
        let book = self.books.entry(c).or_insert_with(|| {
            let mut by_key: HashMap<PaymentKey, Vec<Payment>> = HashMap::new();
            // A void payment is no duplicate: recording it again right is what a void is for.
            let standing = ledger.customer_payments(c).into_iter().filter(|p| {
                ledger
                    .void_of(c, crate::ledger::Doc::Payment(p.id))
                    .is_none()
            });
            for p in standing {
                by_key
                    .entry((p.date, p.amount, p.reference))
                    .or_default()
                    .push(p);
            }
            by_key
        });
        book.get(&key).is_some_and(|ps| {
            ps.iter().any(|p| match invoice {
                None => true,
                Some(i) => p.allocations.iter().all(|a| a.invoice == i),
            })
        })
    }
}

/// Stored invoices whose number is in `wanted` (one scan of the ledger).
fn invoices_by_number(ledger: &Ledger, wanted: &HashSet<DocNo>) -> HashMap<DocNo, InvoiceRef> {
    let mut out = HashMap::with_capacity(wanted.len());
    if wanted.is_empty() {
        return out;
    }
    let sieve = Sieve::new(wanted.iter());
    for (i, n) in ledger.invoice_numbers().enumerate() {
        if sieve.may_hold(&n) && wanted.contains(&n) {
            let inv = ledger.invoice_at(i as u32);
            out.entry(inv.number).or_insert(InvoiceRef {
                id: inv.id,
                customer: inv.customer,
                issue: inv.issue_date,
            });
        }
    }
    out
}

/// Marks a number as seen in the file; reports a duplicate of a stored one or of an earlier row.
fn check_unique(r: &mut Row, stored: &HashSet<DocNo>, seen: &mut HashMap<DocNo, u64>, n: DocNo) {
    if stored.contains(&n) {
        r.report(
            FieldKey::Number,
            ImportProblem::Duplicate { first_row: None },
        );
        return;
    }
    match seen.entry(n) {
        Entry::Occupied(e) => {
            let first = *e.get();
            r.report(
                FieldKey::Number,
                ImportProblem::Duplicate {
                    first_row: Some(first),
                },
            );
        }
        Entry::Vacant(v) => {
            v.insert(r.line);
        }
    }
}

/// Checks every row of `table` as records of `kind`, read through `mapping`, against what
/// `ctx` holds, on day `as_of`. Every problem of every row is reported. Valid rows become
/// records with ids drawn from `ids` (one call per record, in row order) and `ctx.meta`. The
/// same as a [`Check`] made and finished at once.
pub fn validate(
    kind: Kind,
    table: &Table,
    mapping: &Mapping,
    ctx: &Context,
    ids: &mut dyn FnMut() -> u128,
    as_of: Date,
) -> Plan {
    Check::new(kind, table, mapping, ctx, as_of).finish(table, ctx, ids)
}

/// [`validate`] a few rows at a time, so that a page can take its turns between them. Made with
/// the file's problems, the stored customers and what the stored data says of the documents the
/// file names (one pass over the ledger), then [`Check::step`] by step, each given the same table
/// and the data as it is then: a customer's open invoices and stored payments are read from it on
/// the customer's first row; what earlier rows of the file took (the numbers they used, the open
/// amounts their payments settled) is carried from step to step. The plan is the one
/// [`validate`] gives, in one step or in many, when the data does not change between them; when
/// it does, the plan is a preview the write checks again.
pub struct Check {
    kind: Kind,
    sheet: Sheet,
    file_problems: Vec<RowProblem>,
    records: Records,
    pass: Pass,
    /// The next row to check.
    next: usize,
    rows_total: usize,
}

/// What a kind's check carries from row to row.
enum Pass {
    /// The mapping is of another kind: no row is checked.
    Nothing,
    Invoices(InvoicePass),
    Payments(PaymentPass),
    CreditNotes(CreditNotePass),
    Orders(OrderPass),
    Customers(CustomerPass),
}

impl Check {
    pub fn new(kind: Kind, table: &Table, mapping: &Mapping, ctx: &Context, as_of: Date) -> Check {
        let mut file_problems = Vec::new();
        let file_problem = |field: Option<FieldKey>, column: Option<String>, problem| RowProblem {
            row: 0,
            column,
            field,
            value: String::new(),
            problem,
        };
        let mut sheet = Sheet {
            cols: [None; FieldKey::COUNT],
            custom: if kind == Kind::Customers {
                mapping
                    .custom
                    .iter()
                    .filter(|(k, c)| {
                        **c < table.headers.len() && ctx.fields.get(k).is_some_and(|d| !d.retired)
                    })
                    .map(|(k, c)| (k.clone(), *c))
                    .collect()
            } else {
                Vec::new()
            },
            without_custom: mapping.without_custom,
            problems: Vec::new(),
            warnings: Vec::new(),
            rows_in_error: BTreeSet::new(),
            format: mapping.date_format,
            as_of,
            meta: ctx.meta,
            commit: true,
        };
        if mapping.kind != kind {
            file_problems.push(file_problem(
                None,
                None,
                ImportProblem::MappingKind {
                    mapping: mapping.kind,
                },
            ));
            return Check {
                kind,
                sheet,
                file_problems,
                records: Records::default(),
                pass: Pass::Nothing,
                next: table.rows.len(),
                rows_total: table.rows.len(),
            };
        }
        for (i, c) in mapping.columns.iter().enumerate().take(table.headers.len()) {
            let Some(f) = c.filter(|f| kind.field(*f).is_some()) else {
                continue;
            };
            match sheet.cols[f.index()] {
                Some(first) => file_problems.push(file_problem(
                    Some(f),
                    Some(table.headers[i].clone()),
                    ImportProblem::ColumnMappedTwice {
                        field: f,
                        first_column: first as u32,
                    },
                )),
                None => sheet.cols[f.index()] = Some(i),
            }
        }
        for field in kind.fields() {
            let missing = |f: FieldKey| sheet.cols[f.index()].is_none();
            let or = match field.need {
                Need::Required => None,
                Need::RequiredUnless(other) if missing(other) => Some(other),
                _ => continue,
            };
            if missing(field.key) {
                file_problems.push(file_problem(
                    Some(field.key),
                    None,
                    ImportProblem::MissingColumn {
                        field: field.key,
                        or,
                    },
                ));
            }
        }
        sheet.commit = file_problems.is_empty();
        let mut records = Records::default();
        let pass = match kind {
            Kind::Customers => Pass::Customers(CustomerPass::new(ctx)),
            Kind::Orders => Pass::Orders(OrderPass::new(&sheet, table, ctx)),
            Kind::Invoices => {
                if sheet.commit {
                    records.invoices.reserve(table.rows.len());
                    records.rows.reserve(table.rows.len());
                }
                Pass::Invoices(InvoicePass::new(&sheet, table, ctx))
            }
            Kind::Payments => Pass::Payments(PaymentPass::new(&sheet, table, ctx)),
            Kind::CreditNotes => Pass::CreditNotes(CreditNotePass::new(&sheet, table, ctx)),
        };
        Check {
            kind,
            sheet,
            file_problems,
            records,
            pass,
            next: 0,
            rows_total: table.rows.len(),
        }
    }

    /// Checks up to `rows` more rows of `table` (at least one while any is left) against `ctx`;
    /// true once every row is checked.
    pub fn step(
        &mut self,
        table: &Table,
        ctx: &Context,
        ids: &mut dyn FnMut() -> u128,
        rows: usize,
    ) -> bool {
        // The table is the one the check was made with (a shorter one ends it early).
        debug_assert_eq!(table.rows.len(), self.rows_total, "another table");
        let last = self.rows_total.min(table.rows.len());
        let start = self.next.min(last);
        let end = start.saturating_add(rows.max(1)).min(last);
        let at = start..end;
        let (sheet, out) = (&mut self.sheet, &mut self.records);
        match &mut self.pass {
            Pass::Nothing => {}
            Pass::Invoices(p) => invoice_rows(p, sheet, table, at, ctx, ids, out),
            Pass::Payments(p) => payment_rows(p, sheet, table, at, ctx, ids, out),
            Pass::CreditNotes(p) => credit_note_rows(p, sheet, table, at, ctx, ids, out),
            Pass::Orders(p) => order_rows(p, sheet, table, at, ids, out),
            Pass::Customers(p) => customer_rows(p, sheet, table, at, ctx, ids, out),
        }
        self.next = end;
        end >= last
    }

    /// How many rows are checked.
    pub fn rows_checked(&self) -> usize {
        self.next
    }

    /// The plan, once the rows left (if any) are checked.
    pub fn finish(mut self, table: &Table, ctx: &Context, ids: &mut dyn FnMut() -> u128) -> Plan {
        while !self.step(table, ctx, ids, usize::MAX) {}
        let mut problems = self.file_problems;
        problems.append(&mut self.sheet.problems);
        Plan {
            kind: self.kind,
            rows_total: self.rows_total,
            records: self.records,
            problems,
            warnings: self.sheet.warnings,
            rows_in_error: self.sheet.rows_in_error,
        }
    }
}

/// The rows `at` of a table with their spreadsheet lines.
fn rows_at(table: &Table, at: std::ops::Range<usize>) -> impl Iterator<Item = (&[String], u64)> {
    table.rows[at.clone()].iter().map(Vec::as_slice).zip(
        table
            .line_of_row
            .get(at)
            .unwrap_or_default()
            .iter()
            .copied(),
    )
}

/// An invoices file's check: the stored invoice numbers and orders the file names, and the
/// numbers of its rows so far.
struct InvoicePass {
    customers: CustomerIndex,
    stored: HashSet<DocNo>,
    orders: HashMap<DocNo, (OrderId, CustomerId)>,
    seen: HashMap<DocNo, u64>,
}

impl InvoicePass {
    fn new(sheet: &Sheet, table: &Table, ctx: &Context) -> Self {
        use FieldKey as K;
        let numbers = column_numbers(table, sheet.cols[K::Number.index()]);
        let stored = among(ctx.ledger.invoice_numbers(), &numbers);
        drop(numbers);
        let order_numbers = column_numbers(table, sheet.cols[K::Order.index()]);
        let mut orders: HashMap<DocNo, (OrderId, CustomerId)> = HashMap::new();
        if !order_numbers.is_empty() {
            for o in ctx.ledger.orders() {
                if order_numbers.contains(&o.number) {
                    orders.entry(o.number).or_insert((o.id, o.customer));
                }
            }
        }
        InvoicePass {
            customers: CustomerIndex::new(ctx.customers),
            stored,
            orders,
            seen: HashMap::with_capacity(table.rows.len()),
        }
    }
}

fn invoice_rows(
    pass: &mut InvoicePass,
    sheet: &mut Sheet,
    table: &Table,
    at: std::ops::Range<usize>,
    ctx: &Context,
    ids: &mut dyn FnMut() -> u128,
    out: &mut Records,
) {
    use FieldKey as K;
    let (format, as_of, meta) = (sheet.format, sheet.as_of, sheet.meta);
    let InvoicePass {
        customers,
        stored,
        orders,
        seen,
    } = pass;
    for (cells, line) in rows_at(table, at) {
        let mut r = Row::new(sheet, &table.headers, cells, line);
        let number = r.required(K::Number, parse_doc_no);
        if let Some(n) = number {
            check_unique(&mut r, stored, seen, n);
        }
        let customer = r.required(K::Customer, |s| customers.find(s));
        let issue = r.required(K::IssueDate, |s| past_date(s, format, as_of));
        if let (Some(c), Some(i)) = (
            customer.and_then(|c| customers.get(ctx.customers, c)),
            issue,
        ) {
            for w in invoice_warnings(c, i) {
                r.report(
                    K::IssueDate,
                    ImportProblem::from_problem(w.problem, format, as_of),
                );
            }
        }
        let due = r.optional(K::DueDate, |s| parse_date(s, format));
        let term = r.optional(K::TermDays, parse_term_days);
        let due_date = match (due, term) {
            (Ok(Some(d)), term) => {
                if let Some(i) = issue {
                    if d < i {
                        r.report(K::DueDate, ImportProblem::DueBeforeIssue { issue: i });
                    } else if let Ok(Some(t)) = term {
                        if i.add_days(t) != d {
                            r.report(
                                K::TermDays,
                                ImportProblem::DueTermMismatch {
                                    due_from_term: i.add_days(t),
                                },
                            );
                        }
                    }
                }
                Some(d)
            }
            (Ok(None), Ok(Some(t))) => issue.map(|i| i.add_days(t)),
            (Ok(None), Ok(None)) => {
                if r.mapped(K::DueDate) {
                    r.report(K::DueDate, ImportProblem::Required);
                } else if r.mapped(K::TermDays) {
                    r.report(K::TermDays, ImportProblem::Required);
                }
                None
            }
            _ => None,
        };
        let amount = r.required(K::Amount, parse_positive_amount);
        let disputed = match r.optional(K::Disputed, parse_disputed) {
            Ok(Some(Disputed::Part(d))) => match amount {
                Some(a) if d > a => {
                    r.report(
                        K::Disputed,
                        ImportProblem::ExceedsOpen { open: a, amount: d },
                    );
                    None
                }
                _ => Some(d),
            },
            Ok(Some(Disputed::All)) => amount,
            _ => None,
        };
        let order = match r.optional(K::Order, parse_doc_no) {
            Ok(Some(n)) => match orders.get(&n) {
                None => {
                    r.report(K::Order, ImportProblem::UnknownOrder);
                    None
                }
                Some(&(id, owner)) => {
                    if customer.is_some_and(|c| c != owner) {
                        r.report(K::Order, ImportProblem::OfOtherCustomer { owner });
                    }
                    Some(id)
                }
            },
            _ => None,
        };
        if !r.keep() {
            continue;
        }
        if let (Some(number), Some(customer), Some(issue_date), Some(due_date), Some(amount)) =
            (number, customer, issue, due_date, amount)
        {
            let id = InvoiceId::from_u128(ids());
            out.invoices.push(Invoice {
                id,
                meta,
                customer,
                order,
                number,
                issue_date,
                due_date,
                amount,
            });
            out.rows.push(line);
            if let Some(d) = disputed {
                out.disputed.push((id, d));
            }
        }
    }
}

/// What a "disputed" cell says.
enum Disputed {
    /// No dispute (no, false, 0, 否).
    None,
    /// All of the invoice (yes, true, x, 是).
    All,
    Part(Money),
}

/// Reads a "disputed" cell: yes / no in English or Chinese, or the disputed amount.
fn parse_disputed(s: &str) -> Result<Disputed, ImportProblem> {
    let t = s.trim().to_lowercase();
    match t.as_str() {
        "no" | "n" | "false" | "0" | "否" | "无" | "-" => Ok(Disputed::None),
        "yes" | "y" | "true" | "x" | "是" | "有" | "争议" => Ok(Disputed::All),
        _ => parse_positive_amount(s).map(Disputed::Part),
    }
}

/// The problem of settling `amount` on an invoice with `open` left: `I-ALREADY-PAID` when
/// nothing is open, `I-EXCEEDS-OPEN` when it is more than what is.
fn exceeds_open(open: Money, amount: Money) -> Option<ImportProblem> {
    if !open.is_positive() {
        Some(ImportProblem::AlreadyPaid)
    } else if amount > open {
        Some(ImportProblem::ExceedsOpen { open, amount })
    } else {
        None
    }
}

/// Where a payment goes.
#[derive(Clone, Copy)]
enum Target {
    Invoice(InvoiceRef),
    OldestFirst,
    Bad,
}

/// A payments file's check: the stored invoices the file names, what is open of each customer's
/// invoices and their stored payments (read on the customer's first row), and the payments of
/// the rows so far.
struct PaymentPass {
    customers: CustomerIndex,
    invoices: HashMap<DocNo, InvoiceRef>,
    opens: Opens,
    stored: StoredPayments,
    /// The first row of each payment: (customer, invoice number, date, amount, reference).
    seen: HashMap<(CustomerId, Option<DocNo>, PaymentKey), u64>,
}

impl PaymentPass {
    fn new(sheet: &Sheet, table: &Table, ctx: &Context) -> Self {
        PaymentPass {
            customers: CustomerIndex::new(ctx.customers),
            invoices: invoices_by_number(
                ctx.ledger,
                &column_numbers(table, sheet.cols[FieldKey::Invoice.index()]),
            ),
            opens: Opens::default(),
            stored: StoredPayments::default(),
            seen: HashMap::new(),
        }
    }
}

fn payment_rows(
    pass: &mut PaymentPass,
    sheet: &mut Sheet,
    table: &Table,
    at: std::ops::Range<usize>,
    ctx: &Context,
    ids: &mut dyn FnMut() -> u128,
    out: &mut Records,
) {
    use FieldKey as K;
    let (format, as_of, meta) = (sheet.format, sheet.as_of, sheet.meta);
    let ledger = ctx.ledger;
    let PaymentPass {
        customers,
        invoices,
        opens,
        stored,
        seen,
    } = pass;
    for (cells, line) in rows_at(table, at) {
        let mut r = Row::new(sheet, &table.headers, cells, line);
        let customer = r.required(K::Customer, |s| customers.find(s));
        let date = r.required(K::Date, |s| past_date(s, format, as_of));
        let amount = r.required(K::Amount, parse_positive_amount);
        let reference = r.optional(K::Reference, parse_doc_no);
        let invoice_no = r.optional(K::Invoice, parse_doc_no);
        let target = match invoice_no {
            Ok(Some(n)) => match invoices.get(&n) {
                Some(&inv) => Target::Invoice(inv),
                None => {
                    r.report(K::Invoice, ImportProblem::UnknownInvoice);
                    Target::Bad
                }
            },
            Ok(None) => Target::OldestFirst,
            Err(()) => Target::Bad,
        };
        let Some(c) = customer else {
            continue;
        };
        match target {
            Target::Invoice(inv) if inv.customer != c => {
                r.report(
                    K::Invoice,
                    ImportProblem::OfOtherCustomer {
                        owner: inv.customer,
                    },
                );
            }
            Target::Invoice(inv) => {
                if let Some(Err(p)) = date.map(|d| check_settlement_date(d, inv.issue)) {
                    r.report(K::Date, ImportProblem::from_problem(p, format, as_of));
                }
                if let Some(a) = amount {
                    if let Some(p) = exceeds_open(opens.book(ledger, c).open_of(inv.id), a) {
                        r.report(K::Amount, p);
                    }
                }
            }
            Target::OldestFirst => {
                if let Some(a) = amount {
                    let open = opens.book(ledger, c).total;
                    if a > open {
                        r.report(
                            K::Amount,
                            ImportProblem::ExceedsCustomerOpen { open, amount: a },
                        );
                    }
                }
            }
            Target::Bad => {}
        }
        if let (Some(d), Some(a), Ok(reference), Ok(number)) = (date, amount, reference, invoice_no)
        {
            let key = (d, a, reference);
            let invoice = match target {
                Target::Invoice(inv) => Some(Some(inv.id)),
                Target::OldestFirst => Some(None),
                Target::Bad => None,
            };
            if invoice.is_some_and(|i| stored.has(ledger, c, key, i)) {
                r.report(
                    K::Amount,
                    ImportProblem::DuplicatePayment { first_row: None },
                );
            } else {
                match seen.entry((c, number, key)) {
                    Entry::Occupied(e) => {
                        let first = *e.get();
                        r.report(
                            K::Amount,
                            ImportProblem::DuplicatePayment {
                                first_row: Some(first),
                            },
                        );
                    }
                    Entry::Vacant(v) => {
                        v.insert(line);
                    }
                }
            }
        }
        if !r.keep() {
            continue;
        }
        if let (Some(date), Some(amount), Ok(reference)) = (date, amount, reference) {
            let book = opens.book(ledger, c);
            let allocations = match target {
                Target::Invoice(inv) => {
                    book.settle(inv.id, amount);
                    vec![Allocation {
                        invoice: inv.id,
                        amount,
                    }]
                }
                Target::OldestFirst => book.allocate(amount),
                Target::Bad => continue,
            };
            out.payments.push(Payment {
                id: PaymentId::from_u128(ids()),
                meta,
                customer: c,
                reference,
                date,
                amount,
                allocations,
            });
            out.rows.push(line);
        }
    }
}

/// A credit notes file's check: the stored invoices and credit note numbers the file names,
/// what is open of each customer's invoices (read on the customer's first row), and the numbers
/// of the rows so far.
struct CreditNotePass {
    customers: CustomerIndex,
    invoices: HashMap<DocNo, InvoiceRef>,
    stored: HashSet<DocNo>,
    seen: HashMap<DocNo, u64>,
    opens: Opens,
}

impl CreditNotePass {
    fn new(sheet: &Sheet, table: &Table, ctx: &Context) -> Self {
        use FieldKey as K;
        let numbers = column_numbers(table, sheet.cols[K::Number.index()]);
        CreditNotePass {
            customers: CustomerIndex::new(ctx.customers),
            invoices: invoices_by_number(
                ctx.ledger,
                &column_numbers(table, sheet.cols[K::Invoice.index()]),
            ),
            stored: among(ctx.ledger.credit_notes().iter().map(|c| c.number), &numbers),
            seen: HashMap::new(),
            opens: Opens::default(),
        }
    }
}

fn credit_note_rows(
    pass: &mut CreditNotePass,
    sheet: &mut Sheet,
    table: &Table,
    at: std::ops::Range<usize>,
    ctx: &Context,
    ids: &mut dyn FnMut() -> u128,
    out: &mut Records,
) {
    use FieldKey as K;
    let (format, as_of, meta) = (sheet.format, sheet.as_of, sheet.meta);
    let ledger = ctx.ledger;
    let CreditNotePass {
        customers,
        invoices,
        stored,
        seen,
        opens,
    } = pass;
    for (cells, line) in rows_at(table, at) {
        let mut r = Row::new(sheet, &table.headers, cells, line);
        let number = r.required(K::Number, parse_doc_no);
        if let Some(n) = number {
            check_unique(&mut r, stored, seen, n);
        }
        let customer = r.required(K::Customer, |s| customers.find(s));
        // An empty invoice cell: the credit note is on account (applied to invoices later).
        let invoice = match r.optional(K::Invoice, parse_doc_no) {
            Ok(None) => Some(None),
            Ok(Some(n)) => match invoices.get(&n) {
                Some(&inv) => Some(Some(inv)),
                None => {
                    r.report(K::Invoice, ImportProblem::UnknownInvoice);
                    None
                }
            },
            Err(()) => None,
        };
        let date = r.required(K::Date, |s| past_date(s, format, as_of));
        let amount = r.required(K::Amount, parse_positive_amount);
        let (Some(c), Some(invoice)) = (customer, invoice) else {
            continue;
        };
        if let Some(inv) = invoice.filter(|inv| inv.customer != c) {
            r.report(
                K::Invoice,
                ImportProblem::OfOtherCustomer {
                    owner: inv.customer,
                },
            );
        } else if let Some(inv) = invoice {
            if let Some(Err(p)) = date.map(|d| check_settlement_date(d, inv.issue)) {
                r.report(K::Date, ImportProblem::from_problem(p, format, as_of));
            }
            if let Some(a) = amount {
                if let Some(p) = exceeds_open(opens.book(ledger, c).open_of(inv.id), a) {
                    r.report(K::Amount, p);
                }
            }
        }
        if !r.keep() {
            continue;
        }
        if let (Some(number), Some(date), Some(amount)) = (number, date, amount) {
            if let Some(inv) = invoice {
                opens.book(ledger, c).settle(inv.id, amount);
            }
            out.credit_notes.push(CreditNote {
                id: CreditNoteId::from_u128(ids()),
                meta,
                customer: c,
                invoice: invoice.map(|inv| inv.id),
                number,
                date,
                amount,
            });
            out.rows.push(line);
        }
    }
}

/// An orders file's check: the stored order numbers the file names, and the numbers of the
/// rows so far.
struct OrderPass {
    customers: CustomerIndex,
    stored: HashSet<DocNo>,
    seen: HashMap<DocNo, u64>,
}

impl OrderPass {
    fn new(sheet: &Sheet, table: &Table, ctx: &Context) -> Self {
        let numbers = column_numbers(table, sheet.cols[FieldKey::Number.index()]);
        OrderPass {
            customers: CustomerIndex::new(ctx.customers),
            stored: among(ctx.ledger.orders().iter().map(|o| o.number), &numbers),
            seen: HashMap::new(),
        }
    }
}

fn order_rows(
    pass: &mut OrderPass,
    sheet: &mut Sheet,
    table: &Table,
    at: std::ops::Range<usize>,
    ids: &mut dyn FnMut() -> u128,
    out: &mut Records,
) {
    use FieldKey as K;
    let (format, as_of, meta) = (sheet.format, sheet.as_of, sheet.meta);
    for (cells, line) in rows_at(table, at) {
        let mut r = Row::new(sheet, &table.headers, cells, line);
        let number = r.required(K::Number, parse_doc_no);
        if let Some(n) = number {
            check_unique(&mut r, &pass.stored, &mut pass.seen, n);
        }
        let customer = r.required(K::Customer, |s| pass.customers.find(s));
        let date = r.required(K::Date, |s| past_date(s, format, as_of));
        let amount = r.required(K::Amount, parse_positive_amount);
        let category = r.optional(K::Category, parse_doc_no);
        let status = r.optional(K::Status, parse_order_status);
        if !r.keep() {
            continue;
        }
        if let (Some(number), Some(customer), Some(date), Some(amount), Ok(category), Ok(status)) =
            (number, customer, date, amount, category, status)
        {
            out.orders.push(Order {
                id: OrderId::from_u128(ids()),
                meta,
                customer,
                number,
                category,
                date,
                amount,
                status: status.unwrap_or(OrderStatus::Open),
            });
            out.rows.push(line);
        }
    }
}

/// A customers file's check: the stored customers' names and USCCs, and those of the rows so
/// far.
struct CustomerPass {
    stored_names: HashSet<String>,
    stored_uscc: HashSet<Uscc>,
    seen_names: HashMap<String, u64>,
    seen_uscc: HashMap<Uscc, u64>,
}

impl CustomerPass {
    fn new(ctx: &Context) -> Self {
        CustomerPass {
            stored_names: ctx
                .customers
                .iter()
                .map(|c| c.name.trim().to_owned())
                .collect(),
            stored_uscc: ctx.customers.iter().filter_map(|c| c.uscc).collect(),
            seen_names: HashMap::new(),
            seen_uscc: HashMap::new(),
        }
    }
}

fn customer_rows(
    pass: &mut CustomerPass,
    sheet: &mut Sheet,
    table: &Table,
    at: std::ops::Range<usize>,
    ctx: &Context,
    ids: &mut dyn FnMut() -> u128,
    out: &mut Records,
) {
    use FieldKey as K;
    let (format, as_of, meta) = (sheet.format, sheet.as_of, sheet.meta);
    let sheet_without_custom = sheet.without_custom;
    let CustomerPass {
        stored_names,
        stored_uscc,
        seen_names,
        seen_uscc,
    } = pass;
    for (cells, line) in rows_at(table, at) {
        let mut r = Row::new(sheet, &table.headers, cells, line);
        let mut input = CustomerInput {
            name: r.text(K::Name),
            uscc: r.text(K::Uscc),
            contact_person: r.text(K::ContactPerson),
            phone: r.text(K::Phone),
            email: r.text(K::Email),
            address: r.text(K::Address),
            region: r.text(K::Region),
            industry: r.text(K::Industry),
            sales_rep: r.text(K::SalesRep),
            shareholders: r.text(K::Shareholders).replace([';', '；'], "\n"),
            litigation_count: r.text(K::LitigationCount),
            report_score: r.text(K::ReportScore),
            ..CustomerInput::default()
        };
        // The sales rep is a user of the directory: a file names them by id or by name.
        if !input.sales_rep.trim().is_empty() {
            match user_named(ctx.users, &input.sales_rep) {
                Ok(id) => input.sales_rep = id,
                Err(p) => r.report(K::SalesRep, p),
            }
        }
        // Dates and amounts are read here (formats, currency signs, 万), then handed to the
        // form in its own plain forms; the form checks the rest.
        if let Ok(Some(d)) = r.optional(K::FirstCooperation, |s| parse_date(s, format)) {
            input.first_cooperation = d.iso();
        }
        if let Ok(Some(d)) = r.optional(K::Founded, |s| parse_date(s, format)) {
            input.founded = d.iso();
        }
        if let Ok(Some(d)) = r.optional(K::ReportDate, |s| parse_date(s, format)) {
            input.report_date = d.iso();
        }
        if let Ok(Some(m)) = r.optional(K::RegisteredCapital, parse_amount_wan) {
            input.registered_capital = m.to_plain();
        }
        if let Ok(Some(m)) = r.optional(K::LitigationOpenAmount, parse_amount_wan) {
            input.litigation_open_amount = m.to_plain();
        }
        if let Ok(Some(p)) = r.optional(K::IndustryPosition, parse_industry_position) {
            input.industry_position = p.key().to_owned();
        }
        let name = input.name.trim();
        if !name.is_empty() && name.chars().count() <= 100 {
            if stored_names.contains(name) {
                r.report(K::Name, ImportProblem::Duplicate { first_row: None });
            } else if let Some(&first) = seen_names.get(name) {
                r.report(
                    K::Name,
                    ImportProblem::Duplicate {
                        first_row: Some(first),
                    },
                );
            } else {
                seen_names.insert(name.to_owned(), line);
            }
        }
        if let Ok(u) = Uscc::parse(&input.uscc) {
            if stored_uscc.contains(&u) {
                r.report(K::Uscc, ImportProblem::Duplicate { first_row: None });
            } else {
                match seen_uscc.entry(u) {
                    Entry::Occupied(e) => {
                        let first = *e.get();
                        r.report(
                            K::Uscc,
                            ImportProblem::Duplicate {
                                first_row: Some(first),
                            },
                        );
                    }
                    Entry::Vacant(v) => {
                        v.insert(line);
                    }
                }
            }
        }
        // The custom fields mapped, checked as the form checks them; each problem at its column.
        let values: BTreeMap<String, String> = r
            .sheet
            .custom
            .iter()
            .map(|(k, c)| (k.clone(), cells.get(*c).cloned().unwrap_or_default()))
            .collect();
        // A required field no column holds is reported on every row, named by its key (unless
        // the source can carry none: the ERP link).
        let custom = match crate::fields::check_values(ctx.fields, &values, &BTreeMap::new()) {
            Ok(v) => Some(v),
            Err(errors) => {
                let mut errors = errors;
                if sheet_without_custom {
                    errors.retain(|e| e.problem != crate::error::Problem::Required);
                }
                for e in errors {
                    let key = e.field.strip_prefix("custom.").unwrap_or(&e.field);
                    let col = r.sheet.custom.iter().find(|(k, _)| k == key).map(|c| c.1);
                    let problem = ImportProblem::from_problem(e.problem, format, as_of);
                    r.report_custom(col, &e.field, problem);
                }
                None
            }
        };
        match input.validate(CustomerId::from_u128(0), meta, BTreeMap::new(), as_of) {
            Ok(mut c) => {
                c.custom = custom.unwrap_or_default();
                if r.keep() {
                    c.id = CustomerId::from_u128(ids());
                    out.customers.push(c);
                    out.rows.push(line);
                }
            }
            Err(errors) => {
                for e in errors {
                    let Some(f) = FieldKey::from_key(&e.field) else {
                        continue;
                    };
                    let column_missing = !r.mapped(f)
                        && e.problem == Problem::Required
                        && Kind::Customers
                            .field(f)
                            .is_some_and(|d| d.need == Need::Required);
                    if r.was_reported(f) || column_missing {
                        continue;
                    }
                    r.report(f, ImportProblem::from_problem(e.problem, format, as_of));
                }
            }
        }
    }
}
