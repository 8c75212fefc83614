//! The ledger's invoices and payments as memory holds them: compact rows, no heap allocation per
//! row.
//!
//! At a million invoices and a million payments the rows are most of the browser's memory. As
//! the public types ([`Invoice`], [`Payment`]) they took 128 bytes each, plus a heap allocation
//! per payment for its allocations (issue 19 measured 369 MiB of wasm memory after start). Here:
//! - an invoice is 16 bytes of figures (issue and due date, amount: all that aging, the
//!   summaries and the metrics read, packed so that their passes stay in cache) and 64 bytes of
//!   the rest;
//! - a payment is one 80-byte row; its allocations are not held again once they are resolved:
//!   they are the settlements made of them (while the ledger is built they wait in a paged
//!   pool, a page never copied to grow, released once they are resolved);
//! - the customer is the index of its book (4 bytes, not 16), the device that last wrote a row
//!   an index into the few devices seen (2 bytes), an invoice's order an index into the orders
//!   named (4 bytes).
//!
//! Nothing is lost: [`Invoices::get`] and [`Payments::get`] give back exactly what was pushed.
//! A row whose device did not fit the table (more than 65,535 devices) keeps its whole [`Meta`]
//! beside; a payment with more allocations than a page, or one some allocation of which names no
//! invoice of the customer, keeps them beside too.

use super::{Allocation, Invoice, Payment};
use crate::date::Date;
use crate::id::{CustomerId, DeviceId, IdMap, InvoiceId, Meta, OrderId, PaymentId, Timestamp};
use crate::money::Money;
use crate::text::DocNo;

/// No order (an invoice's).
const NO_ORDER: u32 = u32::MAX;
/// The device index of a row whose [`Meta`] is kept beside it.
const META_BESIDE: u16 = u16::MAX;

/// What rows refer to by a small index: the customers (by book), devices and orders.
#[derive(Clone, Debug, Default)]
pub(crate) struct Keys {
    /// Each book's customer, by the book's index.
    pub(crate) customers: Vec<CustomerId>,
    devices: Vec<DeviceId>,
    device_ix: IdMap<DeviceId, u16>,
    orders: Vec<OrderId>,
    order_ix: IdMap<OrderId, u32>,
}

impl Keys {
    /// A device's index; [`META_BESIDE`] once the table is full.
    fn device(&mut self, d: DeviceId) -> u16 {
        if let Some(&i) = self.device_ix.get(&d) {
            return i;
        }
        if self.devices.len() >= META_BESIDE as usize {
            return META_BESIDE;
        }
        let i = self.devices.len() as u16;
        self.devices.push(d);
        self.device_ix.insert(d, i);
        i
    }

    fn order(&mut self, o: Option<OrderId>) -> u32 {
        let Some(o) = o else { return NO_ORDER };
        let next = self.orders.len() as u32;
        let i = *self.order_ix.entry(o).or_insert(next);
        if i == next {
            self.orders.push(o);
        }
        i
    }

    fn order_of(&self, i: u32) -> Option<OrderId> {
        (i != NO_ORDER).then(|| self.orders[i as usize])
    }
}

/// A row's version stamp without its device's 16 bytes.
#[derive(Clone, Copy, Debug)]
struct Stamp {
    updated_at: i64,
    version: u32,
    device: u16,
}

impl Stamp {
    /// The stamp of row `row`'s `m`; the whole meta is kept in `beside` when its device did not
    /// fit the table.
    fn of(m: Meta, keys: &mut Keys, beside: &mut IdMap<u32, Meta>, row: usize) -> Stamp {
        let device = keys.device(m.device);
        if device == META_BESIDE {
            beside.insert(row as u32, m);
        }
        Stamp {
            updated_at: m.updated_at.0,
            version: m.version,
            device,
        }
    }

    fn meta(self, keys: &Keys, beside: &IdMap<u32, Meta>, row: u32) -> Meta {
        if self.device == META_BESIDE {
            return beside[&row];
        }
        Meta {
            version: self.version,
            updated_at: Timestamp(self.updated_at),
            device: keys.devices[self.device as usize],
        }
    }
}

/// What every pass over the invoices reads: 16 bytes an invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Figures {
    pub(crate) issue_date: Date,
    pub(crate) due_date: Date,
    pub(crate) amount: Money,
}

/// The rest of an invoice (64 bytes).
#[derive(Clone, Copy, Debug)]
struct InvoiceRest {
    id: InvoiceId,
    number: DocNo,
    updated_at: i64,
    version: u32,
    device: u16,
    book: u32,
    order: u32,
}

/// The invoices, by their index in the ledger.
#[derive(Clone, Debug, Default)]
pub(crate) struct Invoices {
    figures: Vec<Figures>,
    rest: Vec<InvoiceRest>,
    meta_beside: IdMap<u32, Meta>,
}

impl Invoices {
    pub(crate) fn len(&self) -> usize {
        self.figures.len()
    }

    pub(crate) fn reserve_exact(&mut self, n: usize) {
        self.figures.reserve_exact(n);
        self.rest.reserve_exact(n);
    }

    /// How many more rows fit without growing the columns.
    pub(crate) fn room(&self) -> usize {
        let len = self.len();
        (self.figures.capacity() - len).min(self.rest.capacity() - len)
    }

    /// Appends an invoice of book `book`; its index is the length before.
    pub(crate) fn push(&mut self, inv: &Invoice, book: u32, keys: &mut Keys) {
        let row = self.len();
        let s = Stamp::of(inv.meta, keys, &mut self.meta_beside, row);
        self.figures.push(Figures {
            issue_date: inv.issue_date,
            due_date: inv.due_date,
            amount: inv.amount,
        });
        self.rest.push(InvoiceRest {
            id: inv.id,
            number: inv.number,
            updated_at: s.updated_at,
            version: s.version,
            device: s.device,
            book,
            order: keys.order(inv.order),
        });
    }

    /// Every invoice's figures, by index.
    #[inline]
    pub(crate) fn figures(&self) -> &[Figures] {
        &self.figures
    }

    #[inline]
    pub(crate) fn fig(&self, i: u32) -> &Figures {
        &self.figures[i as usize]
    }

    #[inline]
    pub(crate) fn id(&self, i: u32) -> InvoiceId {
        self.rest[i as usize].id
    }

    /// The index of the invoice's book.
    pub(crate) fn book(&self, i: u32) -> u32 {
        self.rest[i as usize].book
    }

    pub(crate) fn number(&self, i: u32) -> DocNo {
        self.rest[i as usize].number
    }

    pub(crate) fn order(&self, i: u32, keys: &Keys) -> Option<OrderId> {
        keys.order_of(self.rest[i as usize].order)
    }

    /// The invoice at index `i`, whole.
    pub(crate) fn get(&self, i: u32, keys: &Keys) -> Invoice {
        let (f, r) = (&self.figures[i as usize], &self.rest[i as usize]);
        let stamp = Stamp {
            updated_at: r.updated_at,
            version: r.version,
            device: r.device,
        };
        Invoice {
            id: r.id,
            meta: stamp.meta(keys, &self.meta_beside, i),
            customer: keys.customers[r.book as usize],
            order: keys.order_of(r.order),
            number: r.number,
            issue_date: f.issue_date,
            due_date: f.due_date,
            amount: f.amount,
        }
    }
}

/// A payment (80 bytes).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PaymentRow {
    pub(crate) id: PaymentId,
    pub(crate) date: Date,
    pub(crate) amount: Money,
    reference: Option<DocNo>,
    updated_at: i64,
    version: u32,
    device: u16,
    book: u32,
    /// Its allocations: while the ledger is built, a run of the pending pool; once they are
    /// resolved, the run of the ledger's settlements they became ([`BESIDE`]: kept beside).
    first: u32,
    count: u32,
}

/// The `count` of a payment whose allocations are kept beside its row.
const BESIDE: u32 = u32::MAX;

/// Pending allocations in pages of [`PAGE`]: a run never crosses a page, and a page never grows
/// past its first capacity, so the pool grows without copying.
const PAGE: usize = 1 << 16;

/// Where a payment's allocations are.
pub(crate) enum Run<'a> {
    /// These settlements of the ledger, in order (each is one allocation: its invoice and
    /// amount).
    Settlements(std::ops::Range<usize>),
    /// Kept beside: some did not resolve to an invoice of the customer, or there were more than
    /// a page.
    Beside(&'a [Allocation]),
}

/// The payments, by their index in the ledger.
///
/// A payment's allocations are, once resolved, exactly the settlements made of them, in order:
/// they are not held a second time. The pending pool holds them only while the ledger is built
/// (24 bytes each) and is released once they are resolved.
#[derive(Clone, Debug, Default)]
pub(crate) struct Payments {
    rows: Vec<PaymentRow>,
    pending: Vec<Vec<Allocation>>,
    meta_beside: IdMap<u32, Meta>,
    allocations_beside: IdMap<u32, Vec<Allocation>>,
    /// Allocations pending, over all payments.
    pending_count: usize,
}

impl Payments {
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn reserve_exact(&mut self, n: usize) {
        self.rows.reserve_exact(n);
    }

    /// How many allocations are pending resolution.
    pub(crate) fn pending_count(&self) -> usize {
        self.pending_count
    }

    fn row_of(&mut self, p: &Payment, book: u32, keys: &mut Keys, first: u32, count: u32) {
        let row = self.len();
        let s = Stamp::of(p.meta, keys, &mut self.meta_beside, row);
        self.rows.push(PaymentRow {
            id: p.id,
            date: p.date,
            amount: p.amount,
            reference: p.reference,
            updated_at: s.updated_at,
            version: s.version,
            device: s.device,
            book,
            first,
            count,
        });
    }

    /// Appends a payment of book `book` whose allocations are still to be resolved
    /// ([`Payments::pending`], then [`Payments::resolved`]); its index is the length before.
    pub(crate) fn push_pending(&mut self, p: &Payment, book: u32, keys: &mut Keys) {
        let n = p.allocations.len();
        let (first, count) = if n == 0 {
            // Nothing to hold (and no page to name: the last one may be full).
            (0, 0)
        } else if n > PAGE {
            self.allocations_beside
                .insert(self.len() as u32, p.allocations.clone());
            (0, BESIDE)
        } else {
            if self.pending.last().is_none_or(|pg| pg.len() + n > PAGE) {
                self.pending.push(Vec::with_capacity(PAGE));
            }
            let last = self.pending.len() - 1;
            let page = &mut self.pending[last];
            let first = (last * PAGE + page.len()) as u32;
            page.extend_from_slice(&p.allocations);
            self.pending_count += n;
            (first, n as u32)
        };
        self.row_of(p, book, keys, first, count);
    }

    /// The allocations of a payment pushed with [`Payments::push_pending`], not yet resolved.
    pub(crate) fn pending(&self, i: u32) -> &[Allocation] {
        let r = &self.rows[i as usize];
        match r.count {
            0 => &[],
            BESIDE => &self.allocations_beside[&i],
            n => {
                let (page, at) = (r.first as usize / PAGE, r.first as usize % PAGE);
                &self.pending[page][at..at + n as usize]
            }
        }
    }

    /// Records that `made` settlements from `first` on were made of the payment's pending
    /// allocations: they are its allocations from now on, unless fewer were made than it has
    /// (an allocation to an invoice the customer does not have), when they are kept beside.
    pub(crate) fn resolved(&mut self, i: u32, first: usize, made: usize) {
        let r = self.rows[i as usize];
        if r.count == BESIDE {
            return;
        }
        if made == r.count as usize {
            self.rows[i as usize].first = first as u32;
        } else {
            let all = self.pending(i).to_vec();
            self.allocations_beside.insert(i, all);
            self.rows[i as usize].count = BESIDE;
        }
    }

    /// Frees the pending pool once every payment is resolved.
    pub(crate) fn release_pending(&mut self) {
        self.pending = Vec::new();
        self.pending_count = 0;
    }

    /// Appends a payment whose allocations were just made into the settlements `first..` (`made`
    /// of them); its index is the length before.
    pub(crate) fn push_settled(
        &mut self,
        p: &Payment,
        book: u32,
        keys: &mut Keys,
        first: usize,
        made: usize,
    ) {
        let n = p.allocations.len();
        if made == n && n <= PAGE {
            self.row_of(p, book, keys, first as u32, n as u32);
        } else {
            self.allocations_beside
                .insert(self.len() as u32, p.allocations.clone());
            self.row_of(p, book, keys, 0, BESIDE);
        }
    }

    /// The index of the payment's book.
    pub(crate) fn book(&self, i: u32) -> u32 {
        self.rows[i as usize].book
    }

    #[inline]
    pub(crate) fn row(&self, i: u32) -> &PaymentRow {
        &self.rows[i as usize]
    }

    /// Where the allocations of a resolved payment are.
    pub(crate) fn run(&self, i: u32) -> Run<'_> {
        let r = &self.rows[i as usize];
        if r.count == BESIDE {
            return Run::Beside(&self.allocations_beside[&i]);
        }
        Run::Settlements(r.first as usize..(r.first + r.count) as usize)
    }

    /// The payment at index `i`, whole, with its allocations (read from where [`Payments::run`]
    /// says).
    pub(crate) fn get(&self, i: u32, keys: &Keys, allocations: Vec<Allocation>) -> Payment {
        let r = &self.rows[i as usize];
        let stamp = Stamp {
            updated_at: r.updated_at,
            version: r.version,
            device: r.device,
        };
        Payment {
            id: r.id,
            meta: stamp.meta(keys, &self.meta_beside, i),
            customer: keys.customers[r.book as usize],
            reference: r.reference,
            date: r.date,
            amount: r.amount,
            allocations,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::DeviceId;

    fn meta(device: u128, at: i64, version: u32) -> Meta {
        Meta {
            version,
            updated_at: Timestamp(at),
            device: DeviceId::from_u128(device),
        }
    }

    #[test]
    fn rows_take_the_sizes_the_memory_budget_counts_on() {
        assert_eq!(std::mem::size_of::<Figures>(), 16);
        assert_eq!(std::mem::size_of::<InvoiceRest>(), 64);
        assert_eq!(std::mem::size_of::<PaymentRow>(), 80);
    }

    #[test]
    fn an_invoice_and_a_payment_read_back_as_pushed() {
        let mut keys = Keys {
            customers: vec![CustomerId::from_u128(7)],
            ..Keys::default()
        };
        let inv = Invoice {
            id: InvoiceId::from_u128(1),
            meta: meta(9, 1_700_000_000_000, 3),
            customer: CustomerId::from_u128(7),
            order: Some(OrderId::from_u128(5)),
            number: DocNo::parse("INV-1").unwrap(),
            issue_date: Date::from_days(100),
            due_date: Date::from_days(130),
            amount: Money::from_minor(12_345),
        };
        let mut invoices = Invoices::default();
        invoices.push(&inv, 0, &mut keys);
        invoices.push(&Invoice { order: None, ..inv }, 0, &mut keys);
        assert_eq!(invoices.get(0, &keys), inv);
        assert_eq!(invoices.get(1, &keys).order, None);
        let p = Payment {
            id: PaymentId::from_u128(2),
            meta: meta(9, 1_700_000_000_001, 1),
            customer: CustomerId::from_u128(7),
            reference: None,
            date: Date::from_days(120),
            amount: Money::from_minor(10_000),
            allocations: vec![
                Allocation {
                    invoice: inv.id,
                    amount: Money::from_minor(6_000),
                },
                Allocation {
                    invoice: InvoiceId::from_u128(3),
                    amount: Money::from_minor(4_000),
                },
            ],
        };
        let mut payments = Payments::default();
        payments.push_pending(&p, 0, &mut keys);
        payments.push_pending(&p, 0, &mut keys);
        assert_eq!(payments.pending(0), &p.allocations[..]);
        assert_eq!(payments.get(0, &keys, payments.pending(0).to_vec()), p);
        assert_eq!(payments.pending_count(), 4);
        // Both made into settlements from 7 on: they are read there from now on.
        payments.resolved(0, 7, 2);
        assert!(matches!(payments.run(0), Run::Settlements(r) if r == (7..9)));
        // One of two made: both are kept beside, as recorded.
        payments.resolved(1, 9, 1);
        payments.release_pending();
        assert!(matches!(payments.run(1), Run::Beside(a) if a == &p.allocations[..]));
        // Made when recorded, after the ledger was built.
        payments.push_settled(&p, 0, &mut keys, 20, 2);
        assert!(matches!(payments.run(2), Run::Settlements(r) if r == (20..22)));
        payments.push_settled(&p, 0, &mut keys, 22, 0);
        assert!(matches!(payments.run(3), Run::Beside(a) if a == &p.allocations[..]));
    }

    #[test]
    fn a_row_keeps_its_meta_beside_once_the_device_table_is_full() {
        let mut keys = Keys {
            customers: vec![CustomerId::from_u128(1)],
            ..Keys::default()
        };
        for d in 0..META_BESIDE as u128 {
            keys.device(DeviceId::from_u128(d + 1_000));
        }
        let inv = Invoice {
            id: InvoiceId::from_u128(1),
            meta: meta(42, 5, 2),
            customer: CustomerId::from_u128(1),
            order: None,
            number: DocNo::parse("A").unwrap(),
            issue_date: Date::from_days(1),
            due_date: Date::from_days(2),
            amount: Money::from_minor(1),
        };
        let mut invoices = Invoices::default();
        invoices.push(&inv, 0, &mut keys);
        assert_eq!(invoices.get(0, &keys), inv);
    }

    #[test]
    fn allocations_runs_never_cross_a_page_and_a_long_one_is_kept_beside() {
        let mut keys = Keys {
            customers: vec![CustomerId::from_u128(1)],
            ..Keys::default()
        };
        let alloc = |k: u128| Allocation {
            invoice: InvoiceId::from_u128(k),
            amount: Money::from_minor(k as i64),
        };
        let pay = |n: usize| Payment {
            id: PaymentId::from_u128(n as u128),
            meta: meta(1, 1, 1),
            customer: CustomerId::from_u128(1),
            reference: DocNo::parse("BANK-1").ok(),
            date: Date::from_days(1),
            amount: Money::from_minor(1),
            allocations: (0..n as u128).map(alloc).collect(),
        };
        let mut payments = Payments::default();
        // A full page, then a payment with no allocation: it names no page.
        let shapes = [PAGE - 1, 3, PAGE + 1, 2, PAGE - 2, 2, 0];
        for &n in &shapes {
            payments.push_pending(&pay(n), 0, &mut keys);
        }
        for (i, &n) in shapes.iter().enumerate() {
            assert_eq!(payments.pending(i as u32), &pay(n).allocations[..]);
        }
        assert!(payments.pending.iter().all(|p| p.capacity() == PAGE));
    }
}
