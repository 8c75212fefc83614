//! The receivables ledger: orders, invoices, payments with their allocations, credit notes, and
//! the queries that read it as of a date.
//!
//! Semantics (as of a date `d`):
//! - an invoice counts from its issue date; a payment's allocations and a credit note count from
//!   their own dates;
//! - an invoice's open amount = amount - allocations - credit notes, all dated on or before `d`;
//! - open AR = invoices - credit notes - allocations, counting only what is applied to an
//!   invoice: unapplied cash and a credit note on account (no invoice, until a
//!   [`Fix::ApplyCreditNote`] applies it) never hide AR;
//! - an invoice is overdue on `d` when it is open and its due date is before `d`; it is then
//!   `d - due` days overdue.
//!
//! Corrections ([`Correction`]) never rewrite what was entered. Each is dated, and from its date
//! on the ledger reads as corrected: a void invoice no longer counts, a void payment's or credit
//! note's settlements end (the invoices they settled are open again), and a payment's or credit
//! note's new allocation replaces its old one. Before that date every figure is what it was, so a report as
//! of an earlier day still shows what was true then. An invoice that payments or credit notes
//! still settle cannot be voided: their allocations are reversed first, as in any ERP.
//!
//! In memory the ledger holds no public row type: invoices and payments are compact rows
//! (`rows`, ADR 0010), rebuilt as [`Invoice`] and [`Payment`] where one is asked for.

use crate::date::Date;
use crate::error::{Errors, FieldError, Problem};
use crate::id::{
    CorrectionId, CreditNoteId, CustomerId, IdMap, InvoiceId, Meta, OrderId, PaymentId,
};
use crate::money::{div_round_half_away, Money};
use crate::party::Customer;
use crate::text::DocNo;
pub(crate) use rows::Figures;
use rows::{Invoices, Keys, Payments, Run};
use serde::{Deserialize, Serialize};

mod rows;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderStatus {
    Open,
    Shipped,
    Invoiced,
    Cancelled,
    /// Blocked by the credit check and waiting for a release (or a rejection).
    Held,
    /// Taken as "payment before delivery": it uses no credit and ships only once payments
    /// covering it are recorded against its (advance) invoices; see [`Ledger::paid_on_order`].
    AwaitingPayment,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::Open,
        OrderStatus::Shipped,
        OrderStatus::Invoiced,
        OrderStatus::Cancelled,
        OrderStatus::Held,
        OrderStatus::AwaitingPayment,
    ];
    pub fn code(self) -> u8 {
        match self {
            OrderStatus::Open => 0,
            OrderStatus::Shipped => 1,
            OrderStatus::Invoiced => 2,
            OrderStatus::Cancelled => 3,
            OrderStatus::Held => 4,
            OrderStatus::AwaitingPayment => 5,
        }
    }
    pub fn from_code(c: u8) -> Option<OrderStatus> {
        OrderStatus::ALL.get(c as usize).copied()
    }
    /// Orders not yet invoiced count in exposure.
    pub fn is_open_value(self) -> bool {
        matches!(self, OrderStatus::Open | OrderStatus::Shipped)
    }
    /// Which status changes a person may make by hand (invoicing happens through an invoice).
    /// Held -> Open is not one of them: only an approved release makes it ([`Order::release`]).
    /// A prepaid order ships (and is then invoiced already) only when paid: the application
    /// layer checks that before it asks for AwaitingPayment -> Invoiced.
    pub fn can_become(self, next: OrderStatus) -> bool {
        matches!(
            (self, next),
            (OrderStatus::Open, OrderStatus::Shipped)
                | (OrderStatus::Open, OrderStatus::Cancelled)
                | (OrderStatus::Shipped, OrderStatus::Cancelled)
                | (OrderStatus::Open, OrderStatus::Invoiced)
                | (OrderStatus::Shipped, OrderStatus::Invoiced)
                | (OrderStatus::Held, OrderStatus::Cancelled)
                | (OrderStatus::AwaitingPayment, OrderStatus::Invoiced)
                | (OrderStatus::AwaitingPayment, OrderStatus::Cancelled)
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub meta: Meta,
    pub customer: CustomerId,
    pub number: DocNo,
    /// The product category ordered (a short code such as `STEEL` or `钢材`), when recorded.
    #[serde(default)]
    pub category: Option<DocNo>,
    pub date: Date,
    pub amount: Money,
    pub status: OrderStatus,
}

impl Order {
    /// The next version of this order in another status, if a person may make that change.
    pub fn with_status(
        &self,
        next: OrderStatus,
        device: crate::id::DeviceId,
        at: crate::id::Timestamp,
    ) -> Option<Order> {
        self.status.can_become(next).then(|| Order {
            status: next,
            meta: self.meta.bump(device, at),
            ..*self
        })
    }

    /// The next version of a held order that an approved release lets go ahead: the only way
    /// from Held to Open. `None` when the order is not held or the release does not cover it.
    pub fn release(
        &self,
        release: &crate::credit::Release,
        device: crate::id::DeviceId,
        at: crate::id::Timestamp,
    ) -> Option<Order> {
        (self.status == OrderStatus::Held && release.covers(self.amount)).then(|| Order {
            status: OrderStatus::Open,
            meta: self.meta.bump(device, at),
            ..*self
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: InvoiceId,
    pub meta: Meta,
    pub customer: CustomerId,
    pub order: Option<OrderId>,
    pub number: DocNo,
    pub issue_date: Date,
    pub due_date: Date,
    pub amount: Money,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub invoice: InvoiceId,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: PaymentId,
    pub meta: Meta,
    pub customer: CustomerId,
    /// The bank or cheque reference, if any.
    pub reference: Option<DocNo>,
    pub date: Date,
    pub amount: Money,
    pub allocations: Vec<Allocation>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNote {
    pub id: CreditNoteId,
    pub meta: Meta,
    pub customer: CustomerId,
    /// The invoice it reduces; `None`: on account (it settles nothing until a
    /// [`Fix::ApplyCreditNote`] applies it, as unapplied cash).
    pub invoice: Option<InvoiceId>,
    pub number: DocNo,
    pub date: Date,
    pub amount: Money,
}

/// A correction of the ledger: a void, or a payment's allocation replaced. The documents stay;
/// from `date` on they read as corrected (see the module's semantics).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub id: CorrectionId,
    pub meta: Meta,
    pub customer: CustomerId,
    /// The day from which the ledger reads as corrected (the business day it was made).
    pub date: Date,
    pub fix: Fix,
    /// Why (required for a void; at most [`Correction::REASON_MAX`] characters).
    pub reason: String,
}

impl Correction {
    pub const REASON_MAX: usize = 200;

    /// The document corrected, as `kind:id` (the audit trail's subject).
    pub fn subject(&self) -> String {
        self.fix.doc().subject()
    }
}

/// A document of the ledger that a correction is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doc {
    Invoice(InvoiceId),
    Payment(PaymentId),
    CreditNote(CreditNoteId),
}

impl Doc {
    /// `kind:id`, as the audit trail names it.
    pub fn subject(self) -> String {
        match self {
            Doc::Invoice(id) => format!("invoice:{id}"),
            Doc::Payment(id) => format!("payment:{id}"),
            Doc::CreditNote(id) => format!("credit_note:{id}"),
        }
    }
}

impl Fix {
    /// The document it corrects.
    pub fn doc(&self) -> Doc {
        match *self {
            Fix::VoidInvoice { invoice } => Doc::Invoice(invoice),
            Fix::VoidPayment { payment } | Fix::Reallocate { payment, .. } => Doc::Payment(payment),
            Fix::VoidCreditNote { credit_note } | Fix::ApplyCreditNote { credit_note, .. } => {
                Doc::CreditNote(credit_note)
            }
        }
    }
    /// Whether it voids its document (else it reallocates a payment or applies a credit note).
    pub fn is_void(&self) -> bool {
        self.reallocation().is_none()
    }
    /// The payment or credit note it allocates anew, and the new allocations; `None` for a void.
    pub fn reallocation(&self) -> Option<(Doc, &[Allocation])> {
        match self {
            Fix::Reallocate {
                payment,
                allocations,
            } => Some((Doc::Payment(*payment), allocations)),
            Fix::ApplyCreditNote {
                credit_note,
                allocations,
            } => Some((Doc::CreditNote(*credit_note), allocations)),
            _ => None,
        }
    }
}

crate::tagged_enum! {
    tag = "kind", name = "Fix", twin = FixDef, expecting = "a correction";
    /// What a [`Correction`] does.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    pub enum Fix {
        /// The invoice no longer counts (nothing may settle it any more).
        VoidInvoice { invoice: InvoiceId },
        /// The payment's settlements end: the invoices it paid are open again.
        VoidPayment { payment: PaymentId },
        /// The credit note's settlement ends: its invoice is open again by its amount.
        VoidCreditNote { credit_note: CreditNoteId },
        /// The payment's allocations are replaced by these (empty: it is unapplied, on account;
        /// unapplied cash does not lower open AR).
        Reallocate {
            payment: PaymentId,
            allocations: Vec<Allocation>,
        },
        /// The credit note's settlements are replaced by these: how a credit note on account is
        /// applied to invoices (or one against an invoice moved). Empty: it is on account again.
        ApplyCreditNote {
            credit_note: CreditNoteId,
            allocations: Vec<Allocation>,
        },
    }
}

/// Why the ledger refused an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerError {
    UnknownInvoice(InvoiceId),
    InvoiceOfOtherCustomer(InvoiceId),
    AllocationExceedsInvoice {
        invoice: InvoiceId,
        open: Money,
        allocated: Money,
    },
    AllocationsExceedPayment {
        payment: Money,
        allocated: Money,
    },
    PaymentExceedsOpen {
        open: Money,
        payment: Money,
    },
    NotPositive,
    DuplicateId,
    /// The document is void already.
    AlreadyVoid,
    /// Payments or credit notes still settle the invoice.
    StillSettled,
    /// The customer has no document with this id.
    UnknownDocument,
}

impl LedgerError {
    /// The problem to show: an allocation to an invoice with nothing open is
    /// [`Problem::AlreadyPaid`], not "more than the open amount".
    pub fn problem(&self) -> Problem {
        match self {
            LedgerError::UnknownInvoice(_) => Problem::UnknownInvoice,
            LedgerError::InvoiceOfOtherCustomer(_) => Problem::InvoiceOfOtherCustomer,
            LedgerError::AllocationExceedsInvoice { open, .. } if !open.is_positive() => {
                Problem::AlreadyPaid
            }
            LedgerError::AllocationExceedsInvoice { .. }
            | LedgerError::AllocationsExceedPayment { .. }
            | LedgerError::PaymentExceedsOpen { .. } => Problem::ExceedsOpenAmount,
            LedgerError::NotPositive => Problem::NotPositive,
            LedgerError::DuplicateId => Problem::DuplicateNumber,
            LedgerError::AlreadyVoid => Problem::AlreadyVoid,
            LedgerError::StillSettled => Problem::StillSettled,
            LedgerError::UnknownDocument => Problem::UnknownDocument,
        }
    }
}

/// A settlement of one invoice: part of a payment, or a credit note.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settlement {
    pub(crate) invoice: u32,
    /// The invoice's position in its customer's book (so per-customer work needs no lookup).
    pub(crate) pos: u32,
    /// The day it counts from: the payment's or credit note's date, or a reallocation's day.
    pub(crate) date: Date,
    /// The day the money came (the payment's or credit note's own date): what days to pay and
    /// lateness are measured to, whenever the allocation was made.
    pub(crate) paid: Date,
    /// The day it stops counting (a correction dated then); [`FOREVER`] while it stands.
    pub(crate) until: Date,
    pub(crate) amount: Money,
    /// The payment's or credit note's index, [`CREDIT_NOTE`] set for a credit note (32 bytes a
    /// settlement: there are millions).
    pub(crate) source: u32,
}

/// "Never": the end of a settlement or an invoice that no correction ended.
pub(crate) const FOREVER: Date = Date::from_days(i32::MAX);

/// The bit of [`Settlement::source`] that marks a credit note.
const CREDIT_NOTE: u32 = 1 << 31;

/// `(book, position)` pairs in the books' order, then the positions' ([`Ledger::in_book_order`]).
fn by_sorting(mut order: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    order.sort_unstable();
    order
}

/// The same as [`by_sorting`] when no book comes twice, by putting each pair at its book's place
/// among `books`; `None` when one does.
fn by_placing(order: &[(u32, u32)], books: usize) -> Option<Vec<(u32, u32)>> {
    let mut at = vec![u32::MAX; books];
    for &(b, pos) in order {
        let slot = &mut at[b as usize];
        if *slot != u32::MAX {
            return None;
        }
        *slot = pos;
    }
    Some((0..).zip(at).filter(|&(_, pos)| pos != u32::MAX).collect())
}

/// A settlement's `source` for a payment's (`is_payment`) or a credit note's index.
fn source_of(is_payment: bool, index: u32) -> u32 {
    if is_payment {
        index
    } else {
        index | CREDIT_NOTE
    }
}

impl Settlement {
    /// Part of a payment (else a credit note).
    #[inline]
    pub(crate) fn is_payment(&self) -> bool {
        self.source & CREDIT_NOTE == 0
    }

    /// Whether it counts as of a day.
    #[inline]
    pub(crate) fn counts(&self, as_of: Date) -> bool {
        self.date <= as_of && as_of < self.until
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Book {
    pub(crate) orders: Vec<u32>,
    pub(crate) invoices: Vec<u32>,
    pub(crate) payments: Vec<u32>,
    pub(crate) credit_notes: Vec<u32>,
    pub(crate) settlements: Vec<u32>,
    pub(crate) corrections: Vec<u32>,
}

/// The whole ledger in memory, indexed by customer.
///
/// There is deliberately no global index by invoice id: with a million invoices, building one at
/// start-up costs more than everything else. Allocations are resolved within each customer's
/// book, where a small map fits in cache. Invoices and payments are held as compact rows
/// ([`rows`]): about half the memory of the public types.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    orders: Vec<Order>,
    invoices: Invoices,
    payments: Payments,
    credit_notes: Vec<CreditNote>,
    keys: Keys,
    order_ix: IdMap<OrderId, u32>,
    pub(crate) settlements: Vec<Settlement>,
    /// The day each invoice was voided ([`FOREVER`]: it stands).
    pub(crate) invoice_until: Vec<Date>,
    corrections: Vec<Correction>,
    /// Invoices some settlement of which a correction ended: what is open on them may have been
    /// less on an earlier day (see [`Ledger::check_allocations_on`]).
    reopened: std::collections::HashSet<u32>,
    book_ix: IdMap<CustomerId, u32>,
    books: Vec<Book>,
}

/// Builds a [`Ledger`] from stored entries: each is kept in its compact form as it is pushed (so
/// a reader pushes rows as it decodes them, and never holds them twice). The first
/// [`LedgerBuilder::step`] files every invoice and payment in its customer's book (one pass,
/// whatever work it is given) and puts the orders; then the steps resolve allocations and credit
/// notes to invoices a slice at a time, so that a caller can give the page a turn between
/// slices. Every row is pushed before the first step (a later push panics). The result is the
/// one [`Ledger::from_entries`] gives.
pub struct LedgerBuilder {
    l: Ledger,
    orders: Vec<Order>,
    corrections: Vec<Correction>,
    phase: Phase,
    /// The next book to resolve.
    next: usize,
    last: Option<(CustomerId, usize)>,
    local: IdMap<InvoiceId, (u32, u32)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Pushing,
    /// Filing the rows in their books: the next row, counting the invoices then the payments.
    Filing(usize),
    Settlements,
    Done,
}

/// How many rows of each kind a [`LedgerBuilder`] is about to be given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub orders: usize,
    pub invoices: usize,
    pub payments: usize,
    pub credit_notes: usize,
    pub corrections: usize,
}

impl LedgerBuilder {
    /// A builder with room for `n` rows: reserved once and exactly, since a vector grown by
    /// doubling holds the old and the new copy at once and up to half of it unused (with a
    /// million rows, tens of megabytes of the start's peak: wasm memory keeps its highest mark).
    pub fn with_capacity(n: RowCounts) -> LedgerBuilder {
        let mut l = Ledger::default();
        l.invoices.reserve_exact(n.invoices);
        l.invoice_until.reserve_exact(n.invoices);
        l.payments.reserve_exact(n.payments);
        l.credit_notes.reserve_exact(n.credit_notes);
        LedgerBuilder {
            l,
            orders: Vec::with_capacity(n.orders),
            corrections: Vec::with_capacity(n.corrections),
            phase: Phase::Pushing,
            next: 0,
            last: None,
            local: IdMap::default(),
        }
    }

    /// A builder given these entries (in this order).
    pub fn new(
        orders: Vec<Order>,
        invoices: Vec<Invoice>,
        payments: Vec<Payment>,
        credit_notes: Vec<CreditNote>,
        corrections: Vec<Correction>,
    ) -> LedgerBuilder {
        let mut b = LedgerBuilder::with_capacity(RowCounts {
            orders: orders.len(),
            invoices: invoices.len(),
            payments: payments.len(),
            credit_notes: credit_notes.len(),
            corrections: corrections.len(),
        });
        orders.into_iter().for_each(|o| b.push_order(o));
        invoices.iter().for_each(|i| b.push_invoice(i));
        payments.iter().for_each(|p| b.push_payment(p));
        credit_notes.into_iter().for_each(|c| b.push_credit_note(c));
        corrections.into_iter().for_each(|c| b.push_correction(c));
        b
    }

    /// Orders are put once every row is in (an order that appears again, a status change,
    /// replaces the earlier version when its version is not lower).
    pub fn push_order(&mut self, o: Order) {
        assert_eq!(
            self.phase,
            Phase::Pushing,
            "a row pushed after the first step"
        );
        self.orders.push(o);
    }

    /// Filed in its book's list by the steps ([`LedgerBuilder::file_in_books`]).
    pub fn push_invoice(&mut self, inv: &Invoice) {
        assert_eq!(
            self.phase,
            Phase::Pushing,
            "a row pushed after the first step"
        );
        let l = &mut self.l;
        let b = l.book_index_cached(inv.customer, &mut self.last);
        l.invoices.push(inv, b as u32, &mut l.keys);
        l.invoice_until.push(FOREVER);
    }

    /// Filed in its book's list by the steps ([`LedgerBuilder::file_in_books`]).
    pub fn push_payment(&mut self, p: &Payment) {
        assert_eq!(
            self.phase,
            Phase::Pushing,
            "a row pushed after the first step"
        );
        let l = &mut self.l;
        let b = l.book_index_cached(p.customer, &mut self.last);
        l.payments.push_pending(p, b as u32, &mut l.keys);
    }

    /// Makes room in every book for its invoices and payments, each list allocated once at its
    /// exact length: pushed one by one, ten thousand lists grown by doubling would leave a quarter
    /// of their memory unused on average, and wasm memory keeps its highest mark.
    fn reserve_books(&mut self) {
        let l = &mut self.l;
        let mut n = vec![(0u32, 0u32); l.books.len()];
        for i in 0..l.invoices.len() as u32 {
            n[l.invoices.book(i) as usize].0 += 1;
        }
        for i in 0..l.payments.len() as u32 {
            n[l.payments.book(i) as usize].1 += 1;
        }
        for (book, &(invoices, payments)) in l.books.iter_mut().zip(&n) {
            book.invoices.reserve_exact(invoices as usize);
            book.payments.reserve_exact(payments as usize);
        }
    }

    /// Lists rows `from..to` (the invoices, then the payments) in their books, in order.
    fn file_in_books(&mut self, from: usize, to: usize) {
        let l = &mut self.l;
        let n = l.invoices.len();
        for i in from.min(n)..to.min(n) {
            let i = i as u32;
            l.books[l.invoices.book(i) as usize].invoices.push(i);
        }
        for i in from.max(n) - n..to.max(n) - n {
            let i = i as u32;
            l.books[l.payments.book(i) as usize].payments.push(i);
        }
    }

    pub fn push_credit_note(&mut self, c: CreditNote) {
        assert_eq!(
            self.phase,
            Phase::Pushing,
            "a row pushed after the first step"
        );
        let l = &mut self.l;
        let b = l.book_index_cached(c.customer, &mut self.last);
        let i = l.credit_notes.len() as u32;
        l.credit_notes.push(c);
        l.books[b].credit_notes.push(i);
    }

    /// Corrections are applied last, in the order pushed (each was checked when it was made).
    pub fn push_correction(&mut self, c: Correction) {
        assert_eq!(
            self.phase,
            Phase::Pushing,
            "a row pushed after the first step"
        );
        self.corrections.push(c);
    }

    /// Does about `work` rows' worth of the filing and resolving (at least one book once the
    /// rows are filed); true when the ledger is complete. The first step also counts every
    /// book's rows (a pass over the ids, no copy); a million invoices and as many payments filed
    /// in one step were a task of 40-50 ms in a traced start.
    pub fn step(&mut self, work: usize) -> bool {
        let work = work.max(1);
        let mut rows = 0;
        if self.phase == Phase::Pushing {
            self.reserve_books();
            self.phase = Phase::Filing(0);
        }
        if let Phase::Filing(from) = self.phase {
            let total = self.l.invoices.len() + self.l.payments.len();
            let to = from.saturating_add(work).min(total);
            self.file_in_books(from, to);
            rows = to - from;
            self.phase = Phase::Filing(to);
            if to == total {
                for o in std::mem::take(&mut self.orders) {
                    self.l.put_order(o);
                }
                // Exactly one settlement per allocation and per credit note at most.
                let n = self.l.payments.pending_count() + self.l.credit_notes.len();
                self.l.settlements.reserve_exact(n);
                self.phase = Phase::Settlements;
            }
        }
        if self.phase == Phase::Settlements {
            // Allocations and credit notes resolved to invoices, one customer at a time.
            let Ledger {
                invoices,
                payments,
                credit_notes,
                settlements,
                books,
                ..
            } = &mut self.l;
            let local = &mut self.local;
            let mut at = self.next;
            while at < books.len() && (rows < work || at == self.next) {
                let book = &mut books[at];
                rows += book.invoices.len() + book.payments.len() + book.credit_notes.len();
                resolve_book(book, invoices, payments, credit_notes, settlements, local);
                at += 1;
            }
            self.next = at;
            if at >= books.len() {
                self.phase = Phase::Done;
                self.local = IdMap::default();
                self.l.payments.release_pending();
                for c in std::mem::take(&mut self.corrections) {
                    let applied = self.l.apply_correction(c, false);
                    debug_assert!(
                        applied.is_ok(),
                        "a stored correction was refused: {applied:?}"
                    );
                }
            }
        }
        self.phase == Phase::Done
    }

    /// The ledger, complete (steps left are done first).
    pub fn finish(mut self) -> Ledger {
        while !self.step(usize::MAX) {}
        self.l
    }
}

/// One customer's allocations and credit notes resolved to its invoices.
fn resolve_book(
    book: &mut Book,
    invoices: &Invoices,
    payments: &mut Payments,
    credit_notes: &[CreditNote],
    settlements: &mut Vec<Settlement>,
    local: &mut IdMap<InvoiceId, (u32, u32)>,
) {
    local.clear();
    local.extend(
        book.invoices
            .iter()
            .enumerate()
            .map(|(pos, &i)| (invoices.id(i), (i, pos as u32))),
    );
    let n: usize = book
        .payments
        .iter()
        .map(|&pi| payments.pending(pi).len())
        .sum();
    book.settlements.reserve_exact(n + book.credit_notes.len());
    for &pi in &book.payments {
        let date = payments.row(pi).date;
        let first = settlements.len();
        for a in payments.pending(pi) {
            if let Some(&(ix, pos)) = local.get(&a.invoice) {
                book.settlements.push(settlements.len() as u32);
                settlements.push(Settlement {
                    invoice: ix,
                    pos,
                    date,
                    paid: date,
                    until: FOREVER,
                    amount: a.amount,
                    source: source_of(true, pi),
                });
            }
        }
        payments.resolved(pi, first, settlements.len() - first);
    }
    for &ci in &book.credit_notes {
        let c = &credit_notes[ci as usize];
        if let Some(&(ix, pos)) = c.invoice.and_then(|i| local.get(&i)) {
            book.settlements.push(settlements.len() as u32);
            settlements.push(Settlement {
                invoice: ix,
                pos,
                date: c.date,
                paid: c.date,
                until: FOREVER,
                amount: c.amount,
                source: source_of(false, ci),
            });
        }
    }
}

/// One line of the customer list: the figures as of a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CustomerSummary {
    pub open_ar: Money,
    pub overdue: Money,
    pub overdue_count: u32,
    pub max_days_overdue: i32,
    pub open_orders: Money,
    /// Orders held by the credit check, waiting for a release.
    pub held_orders: Money,
    pub last_invoice: Option<Date>,
    /// The due date of the oldest item still open.
    pub oldest_open_due: Option<Date>,
    /// Of `open_ar`, what is under dispute, and of that what is overdue (see [`crate::dispute`]).
    pub disputed: Money,
    pub disputed_overdue: Money,
    /// The overdue figures without the disputed amounts (equal to the overdue ones until
    /// [`crate::dispute::adjust`] fills them for a customer with disputes).
    pub undisputed: crate::dispute::Overdue,
}

/// An open item of a customer as of a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenItem {
    pub invoice: InvoiceId,
    pub number: DocNo,
    pub issue_date: Date,
    pub due_date: Date,
    pub amount: Money,
    pub open: Money,
    /// Days past due (0 when not yet due).
    pub days_overdue: i32,
}

/// Average days from invoice to payment, in tenths of a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DaysTenths(pub i64);

impl DaysTenths {
    pub fn format(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{}.{}", self.0.abs() / 10, self.0.abs() % 10)
    }
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Builds a ledger from stored entries. Entries are applied in order; an order that appears
    /// again (a status change) replaces the earlier version when its version is not lower.
    /// [`LedgerBuilder`] does the same a slice at a time.
    pub fn from_entries(
        orders: impl IntoIterator<Item = Order>,
        invoices: Vec<Invoice>,
        payments: Vec<Payment>,
        credit_notes: Vec<CreditNote>,
        corrections: Vec<Correction>,
    ) -> Ledger {
        let mut b = LedgerBuilder::new(
            orders.into_iter().collect(),
            invoices,
            payments,
            credit_notes,
            corrections,
        );
        while !b.step(usize::MAX) {}
        b.finish()
    }

    pub(crate) fn book(&self, customer: CustomerId) -> Option<&Book> {
        self.book_ix
            .get(&customer)
            .map(|&b| &self.books[b as usize])
    }

    /// The books of `customers`, each with its customer's position in `customers`, in the
    /// order of the books (the order the ledger first met each customer); a customer without a
    /// book is left out, one given twice is there twice. A pass over many customers made in this
    /// order reads the ledger's rows from the front to the back, where one made in the order
    /// given (the app's, by name) jumps about memory from one customer to the next. Natively, at
    /// a million invoices, in the order by name and in this one: aging 21-24 ms and 8 ms, the
    /// rating's metrics 29-35 ms and 24-27 ms (measured before they took two passes, see
    /// `Ledger::metrics_all`), the dashboard's timeline 63 ms and 41 ms.
    pub(crate) fn in_book_order(
        &self,
        customers: impl IntoIterator<Item = CustomerId>,
    ) -> Vec<(&Book, usize)> {
        let order: Vec<(u32, u32)> = customers
            .into_iter()
            .enumerate()
            .filter_map(|(pos, c)| Some((*self.book_ix.get(&c)?, pos as u32)))
            .collect();
        // Many customers (a pass over all of them), each once: each put at its book's place, in
        // one pass and without a sort (at 10,000 customers the sort was the larger part of this).
        let placed = (order.len() * 4 >= self.books.len())
            .then(|| by_placing(&order, self.books.len()))
            .flatten()
            .unwrap_or_else(|| by_sorting(order));
        placed
            .into_iter()
            .map(|(b, pos)| (&self.books[b as usize], pos as usize))
            .collect()
    }

    /// The positions of `customers` (each once) in the order a pass over them best takes: their
    /// books' order ([`Ledger::in_book_order`]), then those without a book in the order given.
    pub fn visiting_order(&self, customers: &[CustomerId]) -> Vec<usize> {
        let mut visited = vec![false; customers.len()];
        let mut out: Vec<usize> = self
            .in_book_order(customers.iter().copied())
            .into_iter()
            .map(|(_, pos)| {
                visited[pos] = true;
                pos
            })
            .collect();
        out.extend((0..customers.len()).filter(|&pos| !visited[pos]));
        out
    }

    fn book_mut(&mut self, customer: CustomerId) -> &mut Book {
        let b = self.book_index_cached(customer, &mut None);
        &mut self.books[b]
    }

    /// The book of a customer, created if new; `last` short-cuts runs of the same customer.
    fn book_index_cached(
        &mut self,
        customer: CustomerId,
        last: &mut Option<(CustomerId, usize)>,
    ) -> usize {
        if let Some((c, b)) = *last {
            if c == customer {
                return b;
            }
        }
        let next = self.books.len() as u32;
        let b = *self.book_ix.entry(customer).or_insert(next) as usize;
        if b == self.books.len() {
            self.books.push(Book::default());
            self.keys.customers.push(customer);
        }
        *last = Some((customer, b));
        b
    }

    /// The index of a customer's invoice.
    /// A customer's invoice by id, looked up among that customer's rows only (no scan of the
    /// ledger).
    pub fn customer_invoice(&self, customer: CustomerId, id: InvoiceId) -> Option<Invoice> {
        self.invoice_index(customer, id).map(|i| self.invoice_at(i))
    }

    /// Whether a customer has a payment with this id (among that customer's rows only).
    pub fn customer_has_payment(&self, customer: CustomerId, id: PaymentId) -> bool {
        self.book(customer)
            .is_some_and(|b| b.payments.iter().any(|&i| self.payments.row(i).id == id))
    }

    /// The invoice at index `i`, whole.
    pub(crate) fn invoice_at(&self, i: u32) -> Invoice {
        self.invoices.get(i, &self.keys)
    }

    /// The payment at index `i`, whole: its allocations are the settlements made of them.
    fn payment_at(&self, i: u32) -> Payment {
        let allocations = match self.payments.run(i) {
            Run::Settlements(r) => self.settlements[r]
                .iter()
                .map(|s| Allocation {
                    invoice: self.invoices.id(s.invoice),
                    amount: s.amount,
                })
                .collect(),
            Run::Beside(a) => a.to_vec(),
        };
        self.payments.get(i, &self.keys, allocations)
    }

    /// Every invoice's figures, by index (what the passes over the ledger read).
    #[inline]
    pub(crate) fn figures(&self) -> &[Figures] {
        self.invoices.figures()
    }

    /// The id of the invoice at index `i`.
    pub(crate) fn invoice_id(&self, i: u32) -> InvoiceId {
        self.invoices.id(i)
    }

    fn invoice_index(&self, customer: CustomerId, id: InvoiceId) -> Option<u32> {
        let b = self.book(customer)?;
        b.invoices
            .iter()
            .copied()
            .find(|&i| self.invoices.id(i) == id)
    }

    /// Settles an invoice from `date`, with money that came on `paid`.
    #[allow(clippy::too_many_arguments)]
    fn settle(
        &mut self,
        customer: CustomerId,
        invoice: InvoiceId,
        date: Date,
        paid: Date,
        amount: Money,
        is_payment: bool,
        source: u32,
    ) {
        if let Some(ix) = self.invoice_index(customer, invoice) {
            let pos = self
                .book(customer)
                .and_then(|b| b.invoices.iter().position(|&i| i == ix))
                .unwrap_or(0) as u32;
            let k = self.settlements.len() as u32;
            self.settlements.push(Settlement {
                invoice: ix,
                pos,
                date,
                paid,
                until: FOREVER,
                amount,
                source: source_of(is_payment, source),
            });
            self.book_mut(customer).settlements.push(k);
        }
    }

    pub fn orders(&self) -> &[Order] {
        &self.orders
    }
    /// Every invoice, in the order recorded (each rebuilt from its compact row).
    pub fn invoices(&self) -> impl ExactSizeIterator<Item = Invoice> + '_ {
        (0..self.invoices.len() as u32).map(|i| self.invoice_at(i))
    }
    /// Every invoice's number (a cheaper pass than [`Ledger::invoices`]).
    pub fn invoice_numbers(&self) -> impl ExactSizeIterator<Item = DocNo> + '_ {
        (0..self.invoices.len() as u32).map(|i| self.invoices.number(i))
    }
    /// Every invoice's id (a cheaper pass than [`Ledger::invoices`]).
    pub fn invoice_ids(&self) -> impl ExactSizeIterator<Item = InvoiceId> + '_ {
        (0..self.invoices.len() as u32).map(|i| self.invoices.id(i))
    }
    /// The number and id of each invoice in `rows` (positions in the order recorded), a pass
    /// over one compact column.
    pub fn invoice_keys(
        &self,
        rows: std::ops::Range<usize>,
    ) -> impl Iterator<Item = (DocNo, InvoiceId)> + '_ {
        (rows.start as u32..rows.end as u32).map(|i| (self.invoices.number(i), self.invoices.id(i)))
    }
    pub fn invoice_count(&self) -> usize {
        self.invoices.len()
    }
    /// Every payment, in the order recorded (each rebuilt from its compact row).
    pub fn payments(&self) -> impl ExactSizeIterator<Item = Payment> + '_ {
        (0..self.payments.len() as u32).map(|i| self.payment_at(i))
    }
    pub fn payment_count(&self) -> usize {
        self.payments.len()
    }
    pub fn credit_notes(&self) -> &[CreditNote] {
        &self.credit_notes
    }
    /// Finds an invoice by id. This scans the ledger: use it off the hot path only.
    pub fn invoice(&self, id: InvoiceId) -> Option<Invoice> {
        self.invoice_position(id).map(|i| self.invoice_at(i))
    }
    /// Finds a payment by id. This scans the ledger's rows (rebuilding only the one found): use
    /// it off the hot path only.
    pub fn payment(&self, id: PaymentId) -> Option<Payment> {
        (0..self.payments.len() as u32)
            .find(|&i| self.payments.row(i).id == id)
            .map(|i| self.payment_at(i))
    }
    /// The index of an invoice by id. This scans the ledger.
    fn invoice_position(&self, id: InvoiceId) -> Option<u32> {
        (0..self.invoices.len() as u32).find(|&i| self.invoices.id(i) == id)
    }
    pub fn order(&self, id: OrderId) -> Option<&Order> {
        self.order_ix.get(&id).map(|&i| &self.orders[i as usize])
    }

    /// Inserts an order, or replaces the stored one with the same id if this version is not older.
    pub fn put_order(&mut self, o: Order) {
        match self.order_ix.get(&o.id) {
            Some(&i) => {
                if o.meta.version >= self.orders[i as usize].meta.version {
                    self.orders[i as usize] = o;
                }
            }
            None => {
                let i = self.orders.len() as u32;
                self.order_ix.insert(o.id, i);
                self.orders.push(o);
                self.book_mut(o.customer).orders.push(i);
            }
        }
    }

    pub fn add_invoice(&mut self, inv: Invoice) -> Result<(), LedgerError> {
        if self.invoice_index(inv.customer, inv.id).is_some() {
            return Err(LedgerError::DuplicateId);
        }
        if !inv.amount.is_positive() {
            return Err(LedgerError::NotPositive);
        }
        self.push_invoice(&inv, &mut None);
        Ok(())
    }

    /// Appends a checked invoice to its customer's rows and moves its order on.
    fn push_invoice(&mut self, inv: &Invoice, last: &mut Option<(CustomerId, usize)>) {
        let i = self.invoices.len() as u32;
        let b = self.book_index_cached(inv.customer, last);
        self.invoices.push(inv, b as u32, &mut self.keys);
        self.invoice_until.push(FOREVER);
        self.books[b].invoices.push(i);
        if let Some(oid) = inv.order {
            if let Some(&oi) = self.order_ix.get(&oid) {
                let o = &mut self.orders[oi as usize];
                // A prepaid order's advance invoice leaves it waiting for its payment.
                if o.status != OrderStatus::AwaitingPayment
                    && o.status.can_become(OrderStatus::Invoiced)
                {
                    o.status = OrderStatus::Invoiced;
                    o.meta = o.meta.bump(inv.meta.device, inv.meta.updated_at);
                }
            }
        }
    }

    /// Room for `n` more invoices: the columns copied to their new place now if they must grow
    /// (a million rows: some 45 ms in a browser's trace), not while the rows come. An import
    /// grows them before its write, so that the memory update after it is shorter. Grown by an
    /// eighth of the ledger at least, so that the next small import finds room; not doubled (a
    /// million rows doubled hold room for a million more, some 80 MB that nothing fills).
    pub fn reserve_invoices(&mut self, n: usize) {
        if self.invoices.room() < n {
            let more = n.max(self.invoices.len() / 8);
            self.invoices.reserve_exact(more);
            self.invoice_until.reserve_exact(more);
        }
    }

    /// Adds many invoices at once (an import), all or none. Stricter than [`Ledger::add_invoice`]
    /// each, which looks for the id among the customer's own invoices: an id held anywhere in
    /// the ledger (or twice in `invs`) is refused, found in one pass over the ledger's ids rather
    /// than a scan of a customer's invoices per invoice. Nothing is added if one is refused.
    pub fn add_invoices(&mut self, invs: &[Invoice]) -> Result<(), LedgerError> {
        if invs.is_empty() {
            return Ok(());
        }
        if invs.iter().any(|i| !i.amount.is_positive()) {
            return Err(LedgerError::NotPositive);
        }
        let mut ids: IdMap<InvoiceId, ()> = IdMap::default();
        ids.reserve(invs.len());
        for i in invs {
            if ids.insert(i.id, ()).is_some() {
                return Err(LedgerError::DuplicateId);
            }
        }
        let sieve = crate::sieve::Sieve::new(ids.keys());
        if self
            .invoice_ids()
            .any(|id| sieve.may_hold(&id) && ids.contains_key(&id))
        {
            return Err(LedgerError::DuplicateId);
        }
        self.reserve_invoices(invs.len());
        let mut last = None;
        for inv in invs {
            self.push_invoice(inv, &mut last);
        }
        Ok(())
    }

    /// Records a payment after checking its allocations ([`Ledger::check_allocations`]).
    pub fn add_payment(&mut self, p: Payment) -> Result<(), LedgerError> {
        let dup = self
            .book(p.customer)
            .is_some_and(|b| b.payments.iter().any(|&i| self.payments.row(i).id == p.id));
        if dup {
            return Err(LedgerError::DuplicateId);
        }
        self.check_allocations_on(p.customer, p.amount, &p.allocations, p.date)?;
        let i = self.payments.len() as u32;
        let b = self.book_index_cached(p.customer, &mut None);
        self.books[b].payments.push(i);
        let first = self.settlements.len();
        for a in &p.allocations {
            self.settle(p.customer, a.invoice, p.date, p.date, a.amount, true, i);
        }
        let made = self.settlements.len() - first;
        self.payments
            .push_settled(&p, b as u32, &mut self.keys, first, made);
        Ok(())
    }

    pub fn add_credit_note(&mut self, c: CreditNote) -> Result<(), LedgerError> {
        let dup = self.book(c.customer).is_some_and(|b| {
            b.credit_notes
                .iter()
                .any(|&i| self.credit_notes[i as usize].id == c.id)
        });
        if dup {
            return Err(LedgerError::DuplicateId);
        }
        match c.invoice {
            Some(invoice) => self.check_allocations_on(
                c.customer,
                c.amount,
                &[Allocation {
                    invoice,
                    amount: c.amount,
                }],
                c.date,
            )?,
            // On account: it settles nothing yet.
            None if !c.amount.is_positive() => return Err(LedgerError::NotPositive),
            None => {}
        }
        let i = self.credit_notes.len() as u32;
        self.book_mut(c.customer).credit_notes.push(i);
        if let Some(invoice) = c.invoice {
            self.settle(c.customer, invoice, c.date, c.date, c.amount, false, i);
        }
        self.credit_notes.push(c);
        Ok(())
    }

    /// What is open on an invoice now (after every recorded settlement). Scans the ledger.
    pub fn open_now(&self, id: InvoiceId) -> Option<Money> {
        self.invoice_position(id).map(|i| self.open_now_ix(i))
    }

    /// What is open on an invoice now (by index): nothing on a void one.
    fn open_now_ix(&self, i: u32) -> Money {
        if self.invoice_until[i as usize] != FOREVER {
            return Money::ZERO;
        }
        self.invoices.fig(i).amount - self.settled_now(i)
    }

    /// What the settlements that stand settle on an invoice (by index), from its customer's
    /// book: no amount per invoice is kept for it (8 bytes an invoice; every caller reads the
    /// book's settlements anyway).
    fn settled_now(&self, i: u32) -> Money {
        self.books[self.invoices.book(i) as usize]
            .settlements
            .iter()
            .map(|&k| &self.settlements[k as usize])
            .filter(|s| s.invoice == i && s.until == FOREVER)
            .map(|s| s.amount)
            .sum()
    }

    /// One of the customer's invoices with what is open on it now (nothing on a void one).
    pub fn open_now_of(&self, customer: CustomerId, id: InvoiceId) -> Option<(Invoice, Money)> {
        self.invoice_index(customer, id)
            .map(|i| (self.invoice_at(i), self.open_now_ix(i)))
    }

    /// Everything the customer owes now, whatever the dates.
    pub fn open_now_total(&self, customer: CustomerId) -> Money {
        // What stands on a void invoice does not count (none should: one is voided only once
        // nothing settles it, and nothing may settle it after).
        self.book(customer)
            .map(|b| {
                let invoiced: Money = b
                    .invoices
                    .iter()
                    .filter(|&&i| self.invoice_until[i as usize] == FOREVER)
                    .map(|&i| self.invoices.fig(i).amount)
                    .sum();
                let settled: Money = b
                    .settlements
                    .iter()
                    .map(|&k| &self.settlements[k as usize])
                    .filter(|s| {
                        s.until == FOREVER && self.invoice_until[s.invoice as usize] == FOREVER
                    })
                    .map(|s| s.amount)
                    .sum();
                invoiced - settled
            })
            .unwrap_or_default()
    }

    /// Checks that allocations are positive, belong to the customer's invoices, never exceed what
    /// is open on an invoice, and together never exceed the amount.
    ///
    /// Checked as of every day: an amount a correction freed on an invoice is open only from the
    /// correction's day, so an allocation dated before it may not take it (else the invoice
    /// would read as paid more than in full on the days between). Without a date the check is
    /// the strictest (every day of the ledger).
    pub fn check_allocations(
        &self,
        customer: CustomerId,
        amount: Money,
        allocs: &[Allocation],
    ) -> Result<(), LedgerError> {
        self.check_allocations_freeing(customer, amount, allocs, Date::from_days(i32::MIN), None)
    }

    /// [`Ledger::check_allocations`] for allocations that count from `from`.
    pub fn check_allocations_on(
        &self,
        customer: CustomerId,
        amount: Money,
        allocs: &[Allocation],
        from: Date,
    ) -> Result<(), LedgerError> {
        self.check_allocations_freeing(customer, amount, allocs, from, None)
    }

    /// What may still be allocated to an invoice (by index) by a settlement counting from
    /// `from`: the least open on any day from then on. `freeing` (the [`Settlement::source`] of
    /// a payment being reallocated or a credit note being applied from `from`) does not count:
    /// its settlements end by then.
    fn open_from(&self, customer: CustomerId, ix: u32, from: Date, freeing: Option<u32>) -> Money {
        let mine = |s: &&Settlement| s.invoice == ix;
        // What the document being reallocated holds now (its settlements that stand).
        let freed = |s: &Settlement| freeing.is_some_and(|f| s.source == f && s.until == FOREVER);
        let settlements = || {
            self.book(customer)
                .into_iter()
                .flat_map(|b| b.settlements.iter())
                .map(|&k| &self.settlements[k as usize])
                .filter(mine)
        };
        if self.invoice_until[ix as usize] != FOREVER {
            return Money::ZERO;
        }
        let now = self.open_now_ix(ix);
        if !self.reopened.contains(&ix) {
            let back: Money = settlements()
                .filter(|s| s.until == FOREVER && freed(s))
                .map(|s| s.amount)
                .sum();
            return now + back;
        }
        // The most settled on any day from `from` on: at `from` or where a settlement starts.
        let most = std::iter::once(from)
            .chain(settlements().map(|s| s.date).filter(|d| *d > from))
            .map(|t| {
                settlements()
                    .filter(|s| s.counts(t) && !freed(s))
                    .map(|s| s.amount)
                    .sum::<Money>()
            })
            .max()
            .unwrap_or_default();
        self.invoices.fig(ix).amount - most
    }

    /// [`Ledger::check_allocations`] for allocations counting from `from`, counting as open what
    /// the standing settlements of `freeing` (the source of a payment or credit note about to be
    /// reallocated) hold.
    fn check_allocations_freeing(
        &self,
        customer: CustomerId,
        amount: Money,
        allocs: &[Allocation],
        from: Date,
        freeing: Option<u32>,
    ) -> Result<(), LedgerError> {
        if !amount.is_positive() {
            return Err(LedgerError::NotPositive);
        }
        let mut total = Money::ZERO;
        let mut per_invoice: Vec<(InvoiceId, Money)> = Vec::new();
        for a in allocs {
            if !a.amount.is_positive() {
                return Err(LedgerError::NotPositive);
            }
            if self.invoice_index(customer, a.invoice).is_none() {
                return Err(match self.invoice(a.invoice) {
                    Some(_) => LedgerError::InvoiceOfOtherCustomer(a.invoice),
                    None => LedgerError::UnknownInvoice(a.invoice),
                });
            }
            total += a.amount;
            match per_invoice.iter_mut().find(|(id, _)| *id == a.invoice) {
                Some((_, m)) => *m += a.amount,
                None => per_invoice.push((a.invoice, a.amount)),
            }
        }
        for (id, allocated) in per_invoice {
            let open = self
                .invoice_index(customer, id)
                .map(|ix| self.open_from(customer, ix, from, freeing))
                .unwrap_or_default();
            if allocated > open {
                return Err(LedgerError::AllocationExceedsInvoice {
                    invoice: id,
                    open,
                    allocated,
                });
            }
        }
        if total > amount {
            return Err(LedgerError::AllocationsExceedPayment {
                payment: amount,
                allocated: total,
            });
        }
        Ok(())
    }

    /// Allocates a payment to the customer's open invoices, oldest due date first (then issue
    /// date, then number). Refuses a payment larger than everything open.
    pub fn allocate_oldest_first(
        &self,
        customer: CustomerId,
        amount: Money,
    ) -> Result<Vec<Allocation>, LedgerError> {
        self.allocate_oldest_first_on(customer, amount, Date::from_days(i32::MIN))
    }

    /// [`Ledger::allocate_oldest_first`] for a payment dated `from`: what is open on each invoice
    /// is what may be allocated from that day ([`Ledger::check_allocations_on`]).
    pub fn allocate_oldest_first_on(
        &self,
        customer: CustomerId,
        amount: Money,
        from: Date,
    ) -> Result<Vec<Allocation>, LedgerError> {
        if !amount.is_positive() {
            return Err(LedgerError::NotPositive);
        }
        let open: Vec<(Invoice, Money)> = self
            .book(customer)
            .map(|b| {
                b.invoices
                    .iter()
                    .map(|&i| (i, self.open_from(customer, i, from, None)))
                    .filter(|(_, o)| o.is_positive())
                    .map(|(i, o)| (self.invoice_at(i), o))
                    .collect()
            })
            .unwrap_or_default();
        let total: Money = open.iter().map(|(_, o)| *o).sum();
        if amount > total {
            return Err(LedgerError::PaymentExceedsOpen {
                open: total,
                payment: amount,
            });
        }
        Ok(fill_oldest_first(open, amount))
    }

    /// The customer's invoices with what is open on each, as of a date (newest first).
    pub fn items(&self, customer: CustomerId, as_of: Date) -> Vec<OpenItem> {
        let Some(book) = self.book(customer) else {
            return Vec::new();
        };
        let mut settled: IdMap<u32, Money> = IdMap::default();
        for &s in &book.settlements {
            let s = self.settlements[s as usize];
            if s.counts(as_of) {
                *settled.entry(s.invoice).or_default() += s.amount;
            }
        }
        let mut items: Vec<OpenItem> = book
            .invoices
            .iter()
            .filter(|&&i| self.invoice_counts(i, as_of))
            .map(|&i| {
                let inv = self.invoices.fig(i);
                let open = inv.amount - settled.get(&i).copied().unwrap_or_default();
                let days = if open.is_positive() && inv.due_date < as_of {
                    as_of.days_since(inv.due_date)
                } else {
                    0
                };
                OpenItem {
                    invoice: self.invoices.id(i),
                    number: self.invoices.number(i),
                    issue_date: inv.issue_date,
                    due_date: inv.due_date,
                    amount: inv.amount,
                    open,
                    days_overdue: days,
                }
            })
            .collect();
        items.sort_by_key(|i| std::cmp::Reverse((i.issue_date, i.number)));
        items
    }

    /// The figures of one customer as of a date.
    pub fn summary(&self, customer: CustomerId, as_of: Date) -> CustomerSummary {
        let mut s = self
            .book(customer)
            .and_then(|b| self.book_summary(b, as_of, &mut Vec::new()))
            .unwrap_or_default();
        s.open_orders = self.open_order_value(customer, as_of);
        s.held_orders = self
            .customer_orders(customer)
            .iter()
            .filter(|o| o.status == OrderStatus::Held && o.date <= as_of)
            .map(|o| o.amount)
            .sum();
        s.undisputed = s.overdue_counting(true);
        s
    }

    /// A book's invoice figures as of a date (what is open, overdue, the last invoice, the
    /// oldest open due date), in one pass over its invoices and settlements; `None` if none of
    /// its invoices counts then. `open` is [`Ledger::open_in_book`]'s scratch.
    fn book_summary(
        &self,
        book: &Book,
        as_of: Date,
        open: &mut Vec<i64>,
    ) -> Option<CustomerSummary> {
        let mut summary: Option<CustomerSummary> = None;
        self.open_in_book(book, as_of, open);
        for (pos, &i) in book.invoices.iter().enumerate() {
            let inv = self.invoices.fig(i);
            if inv.issue_date > as_of || as_of >= self.invoice_until[i as usize] {
                continue;
            }
            let s = summary.get_or_insert_default();
            let o = Money::from_minor(open[pos]);
            s.open_ar += o;
            if o.is_positive() && inv.due_date < as_of {
                s.overdue += o;
                s.overdue_count += 1;
                s.max_days_overdue = s.max_days_overdue.max(as_of.days_since(inv.due_date));
            }
            s.last_invoice = Some(
                s.last_invoice
                    .map_or(inv.issue_date, |d| d.max(inv.issue_date)),
            );
            if o.is_positive() {
                s.oldest_open_due = Some(
                    s.oldest_open_due
                        .map_or(inv.due_date, |d| d.min(inv.due_date)),
                );
            }
        }
        summary
    }

    /// What is open on each of a book's invoices as of a date (fen), by its position in the book,
    /// into `open` (cleared first), in one pass over the book's settlements. An invoice that does
    /// not count then (not yet issued, or void) may read below zero: callers take only those
    /// that count, or only what is above zero. A scratch the size of one book, not the ledger:
    /// wasm memory never shrinks.
    pub(crate) fn open_in_book(&self, book: &Book, as_of: Date, open: &mut Vec<i64>) {
        open.clear();
        open.extend(book.invoices.iter().map(|&i| {
            if self.invoice_counts(i, as_of) {
                self.invoices.fig(i).amount.minor()
            } else {
                0
            }
        }));
        for &k in &book.settlements {
            let s = &self.settlements[k as usize];
            if s.counts(as_of) {
                open[s.pos as usize] -= s.amount.minor();
            }
        }
    }

    /// Every customer's book, with the customer.
    pub(crate) fn books(&self) -> impl Iterator<Item = (CustomerId, &Book)> + '_ {
        self.keys.customers.iter().copied().zip(&self.books)
    }

    /// Every customer's figures as of a date, in one pass over the ledger, a book at a time
    /// (what is open on each invoice is worked out in a scratch the size of one book, not of
    /// the ledger).
    pub fn summaries(&self, as_of: Date) -> IdMap<CustomerId, CustomerSummary> {
        let mut out: IdMap<CustomerId, CustomerSummary> = IdMap::default();
        out.reserve(self.books.len());
        let mut open: Vec<i64> = Vec::new();
        for (customer, book) in self.books() {
            if let Some(s) = self.book_summary(book, as_of, &mut open) {
                out.insert(customer, s);
            }
        }
        for o in &self.orders {
            if o.status.is_open_value() && o.date <= as_of {
                out.entry(o.customer).or_default().open_orders += o.amount;
            } else if o.status == OrderStatus::Held && o.date <= as_of {
                out.entry(o.customer).or_default().held_orders += o.amount;
            }
        }
        for s in out.values_mut() {
            s.undisputed = s.overdue_counting(true);
        }
        out
    }

    /// Value of orders placed on or before `as_of` and not yet invoiced or cancelled (as they
    /// stand now: order status history is not kept).
    pub fn open_order_value(&self, customer: CustomerId, as_of: Date) -> Money {
        self.book(customer)
            .map(|b| {
                b.orders
                    .iter()
                    .map(|&i| &self.orders[i as usize])
                    .filter(|o| o.status.is_open_value() && o.date <= as_of)
                    .map(|o| o.amount)
                    .sum()
            })
            .unwrap_or_default()
    }

    /// Invoiced amount per calendar month for the `months` months ending with `as_of`'s month,
    /// oldest first, as `(month_index, amount)`.
    pub fn sales_per_month(
        &self,
        customer: CustomerId,
        as_of: Date,
        months: u32,
    ) -> Vec<(i32, Money)> {
        let last = as_of.month_index();
        let first = last - months as i32 + 1;
        let mut out: Vec<(i32, Money)> = (first..=last).map(|m| (m, Money::ZERO)).collect();
        if let Some(b) = self.book(customer) {
            for &i in &b.invoices {
                let inv = self.invoices.fig(i);
                let m = inv.issue_date.month_index();
                if self.invoice_counts(i, as_of) && m >= first {
                    out[(m - first) as usize].1 += inv.amount;
                }
            }
        }
        out
    }

    /// Average days from invoice date to payment, weighted by the amount paid, over payments
    /// dated on or before `as_of`; rounded half away from zero to a tenth of a day.
    pub fn average_days_to_pay(&self, customer: CustomerId, as_of: Date) -> Option<DaysTenths> {
        let b = self.book(customer)?;
        let (mut weighted, mut total) = (0i128, 0i128);
        for &s in &b.settlements {
            let s = self.settlements[s as usize];
            if s.is_payment() && s.counts(as_of) {
                let inv = self.invoices.fig(s.invoice);
                weighted +=
                    s.amount.minor() as i128 * s.paid.days_since(inv.issue_date) as i128 * 10;
                total += s.amount.minor() as i128;
            }
        }
        (total > 0).then(|| DaysTenths(div_round_half_away(weighted, total) as i64))
    }

    /// What has been paid (payments only: a credit note lowers what is owed, it brings no
    /// money) on the invoices of an order: what covers a prepaid order before it ships.
    pub fn paid_on_order(&self, customer: CustomerId, order: OrderId) -> Money {
        self.book(customer)
            .map(|b| {
                b.settlements
                    .iter()
                    .map(|&k| &self.settlements[k as usize])
                    .filter(|s| {
                        s.is_payment()
                            && s.until == FOREVER
                            && self.invoices.order(s.invoice, &self.keys) == Some(order)
                    })
                    .map(|s| s.amount)
                    .sum()
            })
            .unwrap_or_default()
    }

    pub fn customer_orders(&self, customer: CustomerId) -> Vec<&Order> {
        self.book(customer)
            .map(|b| b.orders.iter().map(|&i| &self.orders[i as usize]).collect())
            .unwrap_or_default()
    }
    pub fn customer_invoices(&self, customer: CustomerId) -> Vec<Invoice> {
        self.book(customer)
            .map(|b| b.invoices.iter().map(|&i| self.invoice_at(i)).collect())
            .unwrap_or_default()
    }
    pub fn customer_payments(&self, customer: CustomerId) -> Vec<Payment> {
        self.book(customer)
            .map(|b| b.payments.iter().map(|&i| self.payment_at(i)).collect())
            .unwrap_or_default()
    }
    /// The ledger of one customer alone (its orders, documents and corrections): small, so a
    /// change may be tried on it before it is made on the whole ledger.
    pub fn of_customer(&self, customer: CustomerId) -> Ledger {
        let corrections = self
            .book(customer)
            .map(|b| {
                b.corrections
                    .iter()
                    .map(|&i| self.corrections[i as usize].clone())
                    .collect()
            })
            .unwrap_or_default();
        Ledger::from_entries(
            self.customer_orders(customer).into_iter().copied(),
            self.customer_invoices(customer),
            self.customer_payments(customer),
            self.customer_credit_notes(customer)
                .into_iter()
                .copied()
                .collect(),
            corrections,
        )
    }

    pub fn customer_credit_notes(&self, customer: CustomerId) -> Vec<&CreditNote> {
        self.book(customer)
            .map(|b| {
                b.credit_notes
                    .iter()
                    .map(|&i| &self.credit_notes[i as usize])
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether an invoice counts as of a day: issued by then and not void by then.
    #[inline]
    pub(crate) fn invoice_counts(&self, i: u32, as_of: Date) -> bool {
        self.invoices.fig(i).issue_date <= as_of && as_of < self.invoice_until[i as usize]
    }

    /// Every correction, in the order made.
    pub fn corrections(&self) -> &[Correction] {
        &self.corrections
    }

    /// The void of a document of the customer, if it was voided.
    pub fn void_of(&self, customer: CustomerId, doc: Doc) -> Option<&Correction> {
        self.book(customer)?
            .corrections
            .iter()
            .map(|&i| &self.corrections[i as usize])
            .find(|c| c.fix.is_void() && c.fix.doc() == doc)
    }

    /// What of a payment is not allocated to any invoice now (after voids and reallocations;
    /// nothing for a void payment).
    pub fn unapplied(&self, customer: CustomerId, payment: PaymentId) -> Money {
        let Some(pi) = self.payment_index(customer, payment) else {
            return Money::ZERO;
        };
        if self.void_of(customer, Doc::Payment(payment)).is_some() {
            return Money::ZERO;
        }
        let applied: Money = self.standing_of(customer, true, pi).map(|s| s.amount).sum();
        self.payments.row(pi).amount - applied
    }

    /// The payment's allocations that stand now.
    pub fn allocations_now(&self, customer: CustomerId, payment: PaymentId) -> Vec<Allocation> {
        let Some(pi) = self.payment_index(customer, payment) else {
            return Vec::new();
        };
        self.standing_allocations(customer, true, pi)
    }

    /// What of a credit note settles no invoice now: all of one on account until it is applied
    /// ([`Fix::ApplyCreditNote`]); nothing for a void one.
    pub fn credit_unapplied(&self, customer: CustomerId, credit_note: CreditNoteId) -> Money {
        let Some(ci) = self.credit_note_index(customer, credit_note) else {
            return Money::ZERO;
        };
        if self
            .void_of(customer, Doc::CreditNote(credit_note))
            .is_some()
        {
            return Money::ZERO;
        }
        let applied: Money = self
            .standing_of(customer, false, ci)
            .map(|s| s.amount)
            .sum();
        self.credit_notes[ci as usize].amount - applied
    }

    /// The invoices a credit note settles now, and by how much.
    pub fn credit_allocations_now(
        &self,
        customer: CustomerId,
        credit_note: CreditNoteId,
    ) -> Vec<Allocation> {
        let Some(ci) = self.credit_note_index(customer, credit_note) else {
            return Vec::new();
        };
        self.standing_allocations(customer, false, ci)
    }

    fn standing_allocations(
        &self,
        customer: CustomerId,
        is_payment: bool,
        i: u32,
    ) -> Vec<Allocation> {
        self.standing_of(customer, is_payment, i)
            .map(|s| Allocation {
                invoice: self.invoices.id(s.invoice),
                amount: s.amount,
            })
            .collect()
    }

    fn payment_index(&self, customer: CustomerId, id: PaymentId) -> Option<u32> {
        self.book(customer)?
            .payments
            .iter()
            .copied()
            .find(|&i| self.payments.row(i).id == id)
    }

    fn credit_note_index(&self, customer: CustomerId, id: CreditNoteId) -> Option<u32> {
        self.book(customer)?
            .credit_notes
            .iter()
            .copied()
            .find(|&i| self.credit_notes[i as usize].id == id)
    }

    /// The standing settlements of a payment (`is_payment`) or a credit note, by its index.
    fn standing_of(
        &self,
        customer: CustomerId,
        is_payment: bool,
        source: u32,
    ) -> impl Iterator<Item = &Settlement> + '_ {
        self.book(customer)
            .into_iter()
            .flat_map(|b| b.settlements.iter())
            .map(|&k| &self.settlements[k as usize])
            .filter(move |s| s.source == source_of(is_payment, source) && s.until == FOREVER)
    }

    /// Ends the standing settlements of a payment or credit note on `date`.
    fn end_settlements(&mut self, customer: CustomerId, is_payment: bool, source: u32, date: Date) {
        let Some(&b) = self.book_ix.get(&customer) else {
            return;
        };
        for &k in &self.books[b as usize].settlements {
            let s = &mut self.settlements[k as usize];
            if s.source == source_of(is_payment, source) && s.until == FOREVER {
                s.until = date;
                self.reopened.insert(s.invoice);
            }
        }
    }

    /// New allocations for a payment reallocated on `on`: all to one invoice (as far as it is
    /// open there, counting what the payment itself frees; the rest stays unapplied), or oldest
    /// due first over what is open (`None`). Refused only for a payment that is not the
    /// customer's or is void.
    pub fn reallocate_to(
        &self,
        customer: CustomerId,
        payment: PaymentId,
        invoice: Option<InvoiceId>,
        on: Date,
    ) -> Result<Vec<Allocation>, LedgerError> {
        self.allocate_to(customer, Doc::Payment(payment), invoice, on)
    }

    /// New allocations for a credit note applied on `on` ([`Fix::ApplyCreditNote`]), as
    /// [`Ledger::reallocate_to`] works them out for a payment.
    pub fn apply_credit_to(
        &self,
        customer: CustomerId,
        credit_note: CreditNoteId,
        invoice: Option<InvoiceId>,
        on: Date,
    ) -> Result<Vec<Allocation>, LedgerError> {
        self.allocate_to(customer, Doc::CreditNote(credit_note), invoice, on)
    }

    /// A payment's or credit note's index, settlement source, date and amount; refused when it
    /// is not the customer's or is void (never for an invoice).
    fn settling_doc(
        &self,
        customer: CustomerId,
        doc: Doc,
    ) -> Result<(u32, Date, Money), LedgerError> {
        let (source, date, amount) = match doc {
            Doc::Payment(id) => {
                let i = self
                    .payment_index(customer, id)
                    .ok_or(LedgerError::UnknownDocument)?;
                let p = self.payments.row(i);
                (source_of(true, i), p.date, p.amount)
            }
            Doc::CreditNote(id) => {
                let i = self
                    .credit_note_index(customer, id)
                    .ok_or(LedgerError::UnknownDocument)?;
                let c = &self.credit_notes[i as usize];
                (source_of(false, i), c.date, c.amount)
            }
            Doc::Invoice(_) => return Err(LedgerError::UnknownDocument),
        };
        if self.void_of(customer, doc).is_some() {
            return Err(LedgerError::AlreadyVoid);
        }
        Ok((source, date, amount))
    }

    fn allocate_to(
        &self,
        customer: CustomerId,
        doc: Doc,
        invoice: Option<InvoiceId>,
        on: Date,
    ) -> Result<Vec<Allocation>, LedgerError> {
        let (source, date, amount) = self.settling_doc(customer, doc)?;
        let start = date.max(on);
        let book = self.book(customer).ok_or(LedgerError::UnknownDocument)?;
        let open: Vec<(Invoice, Money)> = book
            .invoices
            .iter()
            .filter(|&&i| invoice.is_none_or(|id| self.invoices.id(i) == id))
            .filter(|&&i| self.invoices.fig(i).issue_date <= start)
            .map(|&i| (i, self.open_from(customer, i, start, Some(source))))
            .filter(|(_, o)| o.is_positive())
            .map(|(i, o)| (self.invoice_at(i), o))
            .collect();
        Ok(fill_oldest_first(open, amount))
    }

    /// Checks a correction against the ledger as it stands and applies it (see the module's
    /// semantics). A correction is never applied in part.
    pub fn add_correction(&mut self, c: Correction) -> Result<(), LedgerError> {
        self.apply_correction(c, true)
    }

    /// Whether a correction may be made as the ledger stands (what [`Ledger::add_correction`]
    /// checks), without making it.
    pub fn check_correction(&self, c: &Correction) -> Result<(), LedgerError> {
        let customer = c.customer;
        if self.book(customer).is_some_and(|b| {
            b.corrections
                .iter()
                .any(|&i| self.corrections[i as usize].id == c.id)
        }) {
            return Err(LedgerError::DuplicateId);
        }
        // A reallocation (of a payment, or a credit note applied) may take what it frees, never
        // more than it is worth nor than is open from its day.
        if let Some((doc, allocations)) = c.fix.reallocation() {
            let (source, date, amount) = self.settling_doc(customer, doc)?;
            return self.check_allocations_freeing(
                customer,
                amount,
                allocations,
                date.max(c.date),
                Some(source),
            );
        }
        let void = |doc: Doc| self.void_of(customer, doc).is_some();
        match &c.fix {
            Fix::VoidInvoice { invoice } => {
                let ix = self
                    .invoice_index(customer, *invoice)
                    .ok_or(LedgerError::UnknownDocument)?;
                if self.invoice_until[ix as usize] != FOREVER {
                    return Err(LedgerError::AlreadyVoid);
                }
                if self.settled_now(ix) != Money::ZERO {
                    return Err(LedgerError::StillSettled);
                }
            }
            Fix::VoidPayment { payment } => {
                self.payment_index(customer, *payment)
                    .ok_or(LedgerError::UnknownDocument)?;
                if void(Doc::Payment(*payment)) {
                    return Err(LedgerError::AlreadyVoid);
                }
            }
            Fix::VoidCreditNote { credit_note } => {
                self.credit_note_index(customer, *credit_note)
                    .ok_or(LedgerError::UnknownDocument)?;
                if void(Doc::CreditNote(*credit_note)) {
                    return Err(LedgerError::AlreadyVoid);
                }
            }
            Fix::Reallocate { .. } | Fix::ApplyCreditNote { .. } => {}
        }
        Ok(())
    }

    /// Applies a correction, checked first when `check` (stored ones were checked when made).
    fn apply_correction(&mut self, c: Correction, check: bool) -> Result<(), LedgerError> {
        if check {
            self.check_correction(&c)?;
        }
        let customer = c.customer;
        let void = |l: &Ledger, doc: Doc| l.void_of(customer, doc).is_some();
        match &c.fix {
            Fix::VoidInvoice { invoice } => {
                let ix = self
                    .invoice_index(customer, *invoice)
                    .ok_or(LedgerError::UnknownDocument)?;
                if self.invoice_until[ix as usize] != FOREVER {
                    return Err(LedgerError::AlreadyVoid);
                }
                // Never before the end of a settlement of it: a void dated earlier (a device's
                // day behind) takes effect when the last of them ended, so that no settlement
                // ever counts against an invoice that does not.
                let last_end = self
                    .book(customer)
                    .into_iter()
                    .flat_map(|b| b.settlements.iter())
                    .map(|&k| &self.settlements[k as usize])
                    .filter(|s| s.invoice == ix && s.until != FOREVER)
                    .map(|s| s.until)
                    .max();
                self.invoice_until[ix as usize] = last_end.map_or(c.date, |e| e.max(c.date));
            }
            Fix::VoidPayment { payment } => {
                let pi = self
                    .payment_index(customer, *payment)
                    .ok_or(LedgerError::UnknownDocument)?;
                if void(self, Doc::Payment(*payment)) {
                    return Err(LedgerError::AlreadyVoid);
                }
                self.end_settlements(customer, true, pi, c.date);
            }
            Fix::VoidCreditNote { credit_note } => {
                let ci = self
                    .credit_note_index(customer, *credit_note)
                    .ok_or(LedgerError::UnknownDocument)?;
                if void(self, Doc::CreditNote(*credit_note)) {
                    return Err(LedgerError::AlreadyVoid);
                }
                self.end_settlements(customer, false, ci, c.date);
            }
            Fix::Reallocate { .. } | Fix::ApplyCreditNote { .. } => {
                let (doc, allocations) = c.fix.reallocation().expect("a reallocation");
                let (source, dated, _) = self.settling_doc(customer, doc)?;
                let (is_payment, i) = (source & CREDIT_NOTE == 0, source & !CREDIT_NOTE);
                // What it settled ends on the correction's day; the new settlements start then
                // (never before the money came), and keep the day it came.
                self.end_settlements(customer, is_payment, i, c.date);
                for a in allocations {
                    let start = dated.max(c.date);
                    self.settle(customer, a.invoice, start, dated, a.amount, is_payment, i);
                }
            }
        }
        let k = self.corrections.len() as u32;
        self.book_mut(customer).corrections.push(k);
        self.corrections.push(c);
        Ok(())
    }

    /// True if an invoice with this number exists (numbers are unique across the ledger).
    pub fn invoice_number_taken(&self, n: &DocNo) -> bool {
        self.invoice_numbers().any(|i| i == *n)
    }
    pub fn credit_note_number_taken(&self, n: &DocNo) -> bool {
        self.credit_notes.iter().any(|c| c.number == *n)
    }
    pub fn order_number_taken(&self, n: &DocNo) -> bool {
        self.orders.iter().any(|o| o.number == *n)
    }
}

/// The credit-note form: a credit note against one of the customer's invoices, dated on or
/// before today and on or after the invoice, for at most what is open on it; or on account
/// (`on_account`, no invoice), dated on or before today, applied to invoices later with
/// [`Fix::ApplyCreditNote`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNoteInput {
    pub number: String,
    pub date: String,
    pub amount: String,
    pub invoice: Option<InvoiceId>,
    /// On account: chosen on purpose (an invoice left unchosen is [`Problem::Required`]).
    #[serde(default)]
    pub on_account: bool,
}

/// Allocates `amount` to `open` invoices (with what may be allocated to each), oldest due date
/// first (then issue date, then number), as far as it goes; what is left over stays unallocated.
fn fill_oldest_first(mut open: Vec<(Invoice, Money)>, amount: Money) -> Vec<Allocation> {
    open.sort_by_key(|(i, _)| (i.due_date, i.issue_date, i.number));
    let mut left = amount;
    let mut out = Vec::new();
    for (inv, o) in open {
        if left.is_zero() {
            break;
        }
        let take = o.min(left);
        out.push(Allocation {
            invoice: inv.id,
            amount: take,
        });
        left -= take;
    }
    out
}

/// The invoice form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceInput {
    pub number: String,
    pub issue_date: String,
    pub term_days: String,
    pub amount: String,
    pub order: Option<OrderId>,
}

/// The payment form. `invoice: None` allocates oldest-first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentInput {
    pub reference: String,
    pub date: String,
    pub amount: String,
    pub invoice: Option<InvoiceId>,
}

/// The order form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderInput {
    pub number: String,
    /// Optional product category.
    pub category: String,
    pub date: String,
    pub amount: String,
}

pub mod field {
    pub const NUMBER: &str = "number";
    pub const ISSUE_DATE: &str = "issue_date";
    pub const TERM_DAYS: &str = "term_days";
    pub const AMOUNT: &str = "amount";
    pub const DATE: &str = "date";
    pub const REFERENCE: &str = "reference";
    pub const INVOICE: &str = "invoice";
    pub const CATEGORY: &str = "category";
    /// A correction's reason.
    pub const REASON: &str = "reason";
    /// The document a correction is about.
    pub const DOCUMENT: &str = "document";
    /// A reallocation's invoices and amounts.
    pub const ALLOCATIONS: &str = "allocations";
}

/// What is odd, but allowed, about an invoice of `customer` issued on `issue_date`: warnings to
/// show next to the form's fields, never refusals ([`InvoiceInput::validate`] does not check
/// them). Today one: an issue date before the customer's first cooperation
/// ([`Problem::BeforeFirstCooperation`] at [`field::ISSUE_DATE`]). The import warns alike.
pub fn invoice_warnings(customer: &Customer, issue_date: Date) -> Vec<FieldError> {
    let mut out = Vec::new();
    if issue_date < customer.first_cooperation {
        out.push(FieldError::new(
            field::ISSUE_DATE,
            Problem::BeforeFirstCooperation {
                first_cooperation: customer.first_cooperation,
            },
        ));
    }
    out
}

/// A payment or credit note may not be dated before the invoice it settles was issued
/// ([`Problem::BeforeInvoice`]): the payment form and the import refuse it alike.
pub fn check_settlement_date(date: Date, invoice_issue: Date) -> Result<Date, Problem> {
    if date < invoice_issue {
        Err(Problem::BeforeInvoice {
            issue: invoice_issue,
        })
    } else {
        Ok(date)
    }
}

/// A document number typed for a new document: well formed and not taken yet.
fn new_number(text: &str, taken: impl Fn(&DocNo) -> bool) -> Result<DocNo, Problem> {
    DocNo::parse(text).and_then(|n| {
        if taken(&n) {
            Err(Problem::DuplicateNumber)
        } else {
            Ok(n)
        }
    })
}

fn not_after(d: Date, as_of: Date) -> Result<Date, Problem> {
    if d > as_of {
        Err(Problem::InFuture)
    } else {
        Ok(d)
    }
}

impl InvoiceInput {
    pub fn validate(
        &self,
        ledger: &Ledger,
        id: InvoiceId,
        customer: CustomerId,
        meta: Meta,
        as_of: Date,
    ) -> Result<Invoice, Vec<FieldError>> {
        use field::*;
        let mut e = Errors::default();
        let number = e.take(
            NUMBER,
            new_number(&self.number, |n| ledger.invoice_number_taken(n)),
        );
        let issue = e.take(
            ISSUE_DATE,
            Date::parse(&self.issue_date).and_then(|d| not_after(d, as_of)),
        );
        let term = e.take(
            TERM_DAYS,
            self.term_days
                .trim()
                .parse::<i32>()
                .map_err(|_| {
                    if self.term_days.trim().is_empty() {
                        Problem::Required
                    } else {
                        Problem::NotANumber
                    }
                })
                .and_then(|t| {
                    if (0..=365).contains(&t) {
                        Ok(t)
                    } else {
                        Err(Problem::OutOfRange { min: 0, max: 365 })
                    }
                }),
        );
        let amount = e.take(AMOUNT, Money::parse_positive(&self.amount));
        e.finish(|| {
            let issue = issue.unwrap();
            Invoice {
                id,
                meta,
                customer,
                order: self.order,
                number: number.unwrap(),
                issue_date: issue,
                due_date: issue.add_days(term.unwrap()),
                amount: amount.unwrap(),
            }
        })
    }
}

impl PaymentInput {
    /// Validates the form and works out the allocations (to the chosen invoice, or oldest-first).
    /// A payment to a chosen invoice may not be dated before it was issued
    /// ([`check_settlement_date`], as in the import).
    pub fn validate(
        &self,
        ledger: &Ledger,
        id: PaymentId,
        customer: CustomerId,
        meta: Meta,
        as_of: Date,
    ) -> Result<Payment, Vec<FieldError>> {
        use field::*;
        let mut e = Errors::default();
        let reference = e.take(
            REFERENCE,
            if self.reference.trim().is_empty() {
                Ok(None)
            } else {
                DocNo::parse(&self.reference).map(Some)
            },
        );
        let date = e.take(
            DATE,
            Date::parse(&self.date).and_then(|d| not_after(d, as_of)),
        );
        let amount = e.take(AMOUNT, Money::parse_positive(&self.amount));
        if let (Some(d), Some(inv)) = (date, self.invoice) {
            if let Some(issue) = ledger.open_now_of(customer, inv).map(|(i, _)| i.issue_date) {
                e.take(DATE, check_settlement_date(d, issue));
            }
        }
        let mut allocations = None;
        if let Some(amount) = amount {
            let r = match self.invoice {
                None => match date {
                    Some(d) => ledger.allocate_oldest_first_on(customer, amount, d),
                    None => ledger.allocate_oldest_first(customer, amount),
                },
                Some(inv) => {
                    let a = vec![Allocation {
                        invoice: inv,
                        amount,
                    }];
                    match date {
                        Some(d) => ledger.check_allocations_on(customer, amount, &a, d),
                        None => ledger.check_allocations(customer, amount, &a),
                    }
                    .map(|_| a)
                }
            };
            match r {
                Ok(a) => allocations = Some(a),
                Err(err) => {
                    let problem = err.problem();
                    let f = match problem {
                        Problem::UnknownInvoice
                        | Problem::InvoiceOfOtherCustomer
                        | Problem::AlreadyPaid => INVOICE,
                        _ => AMOUNT,
                    };
                    e.push(f, problem);
                }
            }
        }
        e.finish(|| Payment {
            id,
            meta,
            customer,
            reference: reference.unwrap(),
            date: date.unwrap(),
            amount: amount.unwrap(),
            allocations: allocations.unwrap(),
        })
    }
}

impl CreditNoteInput {
    /// Validates the form; every problem is reported at its field.
    pub fn validate(
        &self,
        ledger: &Ledger,
        id: CreditNoteId,
        customer: CustomerId,
        meta: Meta,
        as_of: Date,
    ) -> Result<CreditNote, Vec<FieldError>> {
        use field::*;
        let mut e = Errors::default();
        let number = e.take(
            NUMBER,
            new_number(&self.number, |n| ledger.credit_note_number_taken(n)),
        );
        let date = e.take(
            DATE,
            Date::parse(&self.date).and_then(|d| not_after(d, as_of)),
        );
        let amount = e.take(AMOUNT, Money::parse_positive(&self.amount));
        let invoice = match self.invoice {
            None if self.on_account => None,
            None => {
                e.push(INVOICE, Problem::Required);
                None
            }
            // Both an invoice and "on account": which was meant is not known.
            Some(_) if self.on_account => {
                e.push(INVOICE, Problem::NotAChoice);
                None
            }
            Some(inv) => match ledger.invoice_index(customer, inv) {
                None => {
                    e.push(
                        INVOICE,
                        if ledger.invoice(inv).is_some() {
                            Problem::InvoiceOfOtherCustomer
                        } else {
                            Problem::UnknownInvoice
                        },
                    );
                    None
                }
                Some(ix) if ledger.invoice_until[ix as usize] != FOREVER => {
                    e.push(INVOICE, Problem::AlreadyVoid);
                    None
                }
                Some(ix) => Some(ledger.invoice_at(ix)),
            },
        };
        if let (Some(d), Some(inv)) = (date, invoice) {
            e.take(DATE, check_settlement_date(d, inv.issue_date));
        }
        if let (Some(d), Some(amount), Some(inv)) = (date, amount, invoice) {
            let a = [Allocation {
                invoice: inv.id,
                amount,
            }];
            if let Err(err) = ledger.check_allocations_on(customer, amount, &a, d) {
                let problem = err.problem();
                let f = if problem == Problem::AlreadyPaid {
                    INVOICE
                } else {
                    AMOUNT
                };
                e.push(f, problem);
            }
        }
        e.finish(|| CreditNote {
            id,
            meta,
            customer,
            invoice: invoice.map(|i| i.id),
            number: number.unwrap(),
            date: date.unwrap(),
            amount: amount.unwrap(),
        })
    }
}

impl OrderInput {
    pub fn validate(
        &self,
        ledger: &Ledger,
        id: OrderId,
        customer: CustomerId,
        meta: Meta,
        as_of: Date,
    ) -> Result<Order, Vec<FieldError>> {
        use field::*;
        let mut e = Errors::default();
        let number = e.take(
            NUMBER,
            new_number(&self.number, |n| ledger.order_number_taken(n)),
        );
        let date = e.take(
            DATE,
            Date::parse(&self.date).and_then(|d| not_after(d, as_of)),
        );
        let amount = e.take(AMOUNT, Money::parse_positive(&self.amount));
        let category = e.take(
            CATEGORY,
            if self.category.trim().is_empty() {
                Ok(None)
            } else {
                DocNo::parse(&self.category).map(Some)
            },
        );
        e.finish(|| Order {
            id,
            meta,
            customer,
            number: number.unwrap(),
            date: date.unwrap(),
            amount: amount.unwrap(),
            status: OrderStatus::Open,
            category: category.unwrap(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pairs of a book (0..8) and a position, positions distinct, books maybe twice.
    fn pairs() -> impl proptest::strategy::Strategy<Value = Vec<(u32, u32)>> {
        use proptest::prelude::*;
        proptest::collection::vec(0u32..8, 0..12).prop_map(|books| {
            books
                .into_iter()
                .enumerate()
                .map(|(pos, b)| (b, pos as u32 * 3))
                .collect()
        })
    }

    proptest::proptest! {
        #[test]
        fn placing_each_customer_at_its_book_gives_the_order_sorting_gives_or_declines(order in pairs()) {
            let sorted = by_sorting(order.clone());
            let mut books: Vec<u32> = order.iter().map(|p| p.0).collect();
            books.sort_unstable();
            books.dedup();
            match by_placing(&order, 8) {
                Some(placed) => proptest::prop_assert_eq!(placed, sorted),
                None => proptest::prop_assert!(books.len() < order.len(), "declined only for a book that comes twice"),
            }
            if books.len() == order.len() {
                proptest::prop_assert!(by_placing(&order, 8).is_some());
            }
        }
    }

    fn invoice(k: u128) -> Invoice {
        Invoice {
            id: InvoiceId::from_u128(k + 1),
            meta: Meta::default(),
            customer: CustomerId::from_u128(1 + k % 3),
            order: None,
            number: DocNo::parse(&format!("INV-{k}")).expect("a number"),
            issue_date: Date::from_days(100),
            due_date: Date::from_days(130),
            amount: Money::from_minor(1_000),
        }
    }

    #[test]
    fn the_room_an_import_makes_is_an_eighth_of_the_ledger_at_least_and_a_small_one_after_needs_no_more(
    ) {
        let mut l = Ledger::from_entries(
            Vec::new(),
            (0..800).map(invoice).collect(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        l.reserve_invoices(1);
        let room = l.invoices.room();
        assert!(room >= 100, "room for {room} more");
        assert!(room < 800, "doubled: room for {room} more");
        l.add_invoices(&[invoice(10_000)]).expect("added");
        l.reserve_invoices(5);
        assert_eq!(
            l.invoices.room(),
            room - 1,
            "the small one after finds room"
        );
        // A file larger than an eighth gets its own size.
        l.reserve_invoices(room + 500);
        assert!(l.invoices.room() >= room + 500);
    }
}
