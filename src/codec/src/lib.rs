//! Compact binary rows for the ledger. A chunk holds up to [`CHUNK_ROWS`] rows of one kind; a
//! write-ahead tail entry is a chunk of one row. Decoding checks every length and never panics:
//! bad bytes give a [`CodecError`]. Dates must lie in the years the app reads
//! ([`FIRST_DATE`]..=[`LAST_DATE`]): a day count past them is refused (`BadDate`), not handed on
//! to calendar arithmetic that would overflow on it.
//!
//! Layout (little-endian):
//! ```text
//! chunk  = "CDLK" codec_version:u8 kind:u8 count:u32 ndevices:u8 device:u128*ndevices row*count
//! meta   = version:u32 updated_at:i64 device_index:u8
//! text   = len:u8 utf8*len                       (len 0 = none where optional)
//! id     = u128                                  (0 = none where optional)
//! order  = id meta customer:id number:text date:i32 amount:i64 status:u8 category:text (v2; absent in v1)
//! invoice= id meta customer:id order:id number:text issue:i32 due:i32 amount:i64
//! payment= id meta customer:id reference:text date:i32 amount:i64 n:u16 (invoice:id amount:i64)*n
//! credit = id meta customer:id invoice:id number:text date:i32 amount:i64
//! correction = id meta customer:id date:i32 fix:u8 target:id reason:len:u16 utf8*len
//!              (fix 4, a reallocation: n:u16 (invoice:id amount:i64)*n)
//! ```
//! `fix`: 1 void invoice, 2 void payment, 3 void credit note, 4 reallocate a payment (`target`
//! is the document corrected).
//!
//! A crate of its own for its build: the release profile builds it at opt-level 3, and the
//! storage around it, which mostly waits on the browser, for size (opt-level "z"). A generic
//! function here (`decode_chunk_into` over a [`RowSink`]) is compiled in the crate that names its
//! sink.

use creditdesk_domain::id::{DeviceId, Timestamp};
use creditdesk_domain::ledger::{LedgerBuilder, RowCounts};
use creditdesk_domain::*;

pub const MAGIC: &[u8; 4] = b"CDLK";
/// The version written. Version 1 (orders without a category) is still read.
pub const CODEC_VERSION: u8 = 2;
/// Rows per chunk: ~1 MB chunks, 100 of them for a million rows.
pub const CHUNK_ROWS: usize = 10_000;
/// The earliest date a row may hold: 1900-01-01, the first day of [`date::MIN_YEAR`]
/// (as days since 1970-01-01).
pub const FIRST_DATE: Date = Date::from_days(-25_567);
/// The latest date a row may hold: 2201-12-31, the last day of the year after
/// [`date::MAX_YEAR`] (a due date is an issue date plus a term of up to 365 days).
pub const LAST_DATE: Date = Date::from_days(84_735);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Order = 1,
    Invoice = 2,
    Payment = 3,
    CreditNote = 4,
    Correction = 5,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Order,
        Kind::Invoice,
        Kind::Payment,
        Kind::CreditNote,
        Kind::Correction,
    ];
    fn from_u8(b: u8) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| *k as u8 == b)
    }
}

/// One ledger entry, of any kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Order(Order),
    Invoice(Invoice),
    Payment(Payment),
    CreditNote(CreditNote),
    Correction(Correction),
}

impl Entry {
    pub fn kind(&self) -> Kind {
        match self {
            Entry::Order(_) => Kind::Order,
            Entry::Invoice(_) => Kind::Invoice,
            Entry::Payment(_) => Kind::Payment,
            Entry::CreditNote(_) => Kind::CreditNote,
            Entry::Correction(_) => Kind::Correction,
        }
    }
    pub fn meta(&self) -> Meta {
        match self {
            Entry::Order(o) => o.meta,
            Entry::Invoice(i) => i.meta,
            Entry::Payment(p) => p.meta,
            Entry::CreditNote(c) => c.meta,
            Entry::Correction(c) => c.meta,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodecError {
    Truncated { at: usize },
    BadMagic,
    UnsupportedVersion(u8),
    UnknownKind(u8),
    BadDevice(u8),
    BadText { at: usize },
    BadDate { at: usize },
    BadStatus(u8),
    BadFix(u8),
    TrailingBytes { at: usize },
    MixedKinds,
    TooManyDevices,
    TooManyAllocations,
}

impl std::fmt::Display for CodecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

/// The rows decoded from chunks, by kind, in storage order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rows {
    pub orders: Vec<Order>,
    pub invoices: Vec<Invoice>,
    pub payments: Vec<Payment>,
    pub credit_notes: Vec<CreditNote>,
    pub corrections: Vec<Correction>,
}

impl Rows {
    /// The rows of a generated data set, copied.
    pub fn of(d: &creditdesk_domain::demo::Dataset) -> Rows {
        Rows {
            orders: d.orders.clone(),
            invoices: d.invoices.clone(),
            payments: d.payments.clone(),
            credit_notes: d.credit_notes.clone(),
            corrections: Vec::new(),
        }
    }

    /// Splits a generated data set into its customers and its rows, without copying.
    pub fn split(d: creditdesk_domain::demo::Dataset) -> (Vec<Customer>, Rows) {
        let creditdesk_domain::demo::Dataset {
            customers,
            orders,
            invoices,
            payments,
            credit_notes,
        } = d;
        (
            customers,
            Rows {
                orders,
                invoices,
                payments,
                credit_notes,
                corrections: Vec::new(),
            },
        )
    }

    pub fn push(&mut self, e: Entry) {
        match e {
            Entry::Order(o) => self.orders.push(o),
            Entry::Invoice(i) => self.invoices.push(i),
            Entry::Payment(p) => self.payments.push(p),
            Entry::CreditNote(c) => self.credit_notes.push(c),
            Entry::Correction(c) => self.corrections.push(c),
        }
    }

    /// Room for `n` more rows of every kind.
    pub fn reserve_exact(&mut self, n: RowCounts) {
        self.orders.reserve_exact(n.orders);
        self.invoices.reserve_exact(n.invoices);
        self.payments.reserve_exact(n.payments);
        self.credit_notes.reserve_exact(n.credit_notes);
        self.corrections.reserve_exact(n.corrections);
    }
    /// Adds `other`'s rows after these, kind by kind.
    pub fn append(&mut self, mut other: Rows) {
        self.orders.append(&mut other.orders);
        self.invoices.append(&mut other.invoices);
        self.payments.append(&mut other.payments);
        self.credit_notes.append(&mut other.credit_notes);
        self.corrections.append(&mut other.corrections);
    }

    /// Takes from the front of each kind as many rows as fill whole chunks ([`CHUNK_ROWS`]
    /// each), leaving the rest: a book written as it is made stores full chunks, and only each
    /// kind's last is short.
    pub fn take_full_chunks(&mut self) -> Rows {
        fn full<T>(v: &mut Vec<T>) -> Vec<T> {
            let rest = v.split_off(v.len() / CHUNK_ROWS * CHUNK_ROWS);
            std::mem::replace(v, rest)
        }
        Rows {
            orders: full(&mut self.orders),
            invoices: full(&mut self.invoices),
            payments: full(&mut self.payments),
            credit_notes: full(&mut self.credit_notes),
            corrections: full(&mut self.corrections),
        }
    }

    pub fn len(&self) -> usize {
        self.orders.len()
            + self.invoices.len()
            + self.payments.len()
            + self.credit_notes.len()
            + self.corrections.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

// ---------- writing ----------

struct Writer {
    buf: Vec<u8>,
    devices: Vec<DeviceId>,
}

impl Writer {
    fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn u128(&mut self, v: u128) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn doc(&mut self, d: Option<&DocNo>) {
        match d {
            Some(d) => {
                let s = d.as_str().as_bytes();
                self.u8(s.len() as u8);
                self.buf.extend_from_slice(s);
            }
            None => self.u8(0),
        }
    }
    fn meta(&mut self, m: Meta) -> Result<(), CodecError> {
        let ix = match self.devices.iter().position(|d| *d == m.device) {
            Some(i) => i,
            None => {
                if self.devices.len() == 255 {
                    return Err(CodecError::TooManyDevices);
                }
                self.devices.push(m.device);
                self.devices.len() - 1
            }
        };
        self.u32(m.version);
        self.i64(m.updated_at.0);
        self.u8(ix as u8);
        Ok(())
    }
    fn entry(&mut self, e: &Entry) -> Result<(), CodecError> {
        match e {
            Entry::Order(o) => {
                self.u128(o.id.as_u128());
                self.meta(o.meta)?;
                self.u128(o.customer.as_u128());
                self.doc(Some(&o.number));
                self.i32(o.date.days());
                self.i64(o.amount.minor());
                self.u8(o.status.code());
                self.doc(o.category.as_ref());
            }
            Entry::Invoice(i) => {
                self.u128(i.id.as_u128());
                self.meta(i.meta)?;
                self.u128(i.customer.as_u128());
                self.u128(i.order.map_or(0, |o| o.as_u128()));
                self.doc(Some(&i.number));
                self.i32(i.issue_date.days());
                self.i32(i.due_date.days());
                self.i64(i.amount.minor());
            }
            Entry::Payment(p) => {
                self.u128(p.id.as_u128());
                self.meta(p.meta)?;
                self.u128(p.customer.as_u128());
                self.doc(p.reference.as_ref());
                self.i32(p.date.days());
                self.i64(p.amount.minor());
                let n = u16::try_from(p.allocations.len())
                    .map_err(|_| CodecError::TooManyAllocations)?;
                self.u16(n);
                for a in &p.allocations {
                    self.u128(a.invoice.as_u128());
                    self.i64(a.amount.minor());
                }
            }
            Entry::CreditNote(c) => {
                self.u128(c.id.as_u128());
                self.meta(c.meta)?;
                self.u128(c.customer.as_u128());
                // On account: the nil id (no invoice has it).
                self.u128(c.invoice.map_or(0, |i| i.as_u128()));
                self.doc(Some(&c.number));
                self.i32(c.date.days());
                self.i64(c.amount.minor());
            }
            Entry::Correction(c) => {
                self.u128(c.id.as_u128());
                self.meta(c.meta)?;
                self.u128(c.customer.as_u128());
                self.i32(c.date.days());
                let (code, target) = match &c.fix {
                    Fix::VoidInvoice { invoice } => (1, invoice.as_u128()),
                    Fix::VoidPayment { payment } => (2, payment.as_u128()),
                    Fix::VoidCreditNote { credit_note } => (3, credit_note.as_u128()),
                    Fix::Reallocate { payment, .. } => (4, payment.as_u128()),
                    Fix::ApplyCreditNote { credit_note, .. } => (5, credit_note.as_u128()),
                };
                self.u8(code);
                self.u128(target);
                let reason = c.reason.as_bytes();
                let n = u16::try_from(reason.len())
                    .map_err(|_| CodecError::BadText { at: self.buf.len() })?;
                self.u16(n);
                self.buf.extend_from_slice(reason);
                if let Fix::Reallocate { allocations, .. }
                | Fix::ApplyCreditNote { allocations, .. } = &c.fix
                {
                    let n = u16::try_from(allocations.len())
                        .map_err(|_| CodecError::TooManyAllocations)?;
                    self.u16(n);
                    for a in allocations {
                        self.u128(a.invoice.as_u128());
                        self.i64(a.amount.minor());
                    }
                }
            }
        }
        Ok(())
    }
}

/// Encodes rows of one kind as a chunk.
pub fn encode_chunk(entries: &[Entry]) -> Result<Vec<u8>, CodecError> {
    let kind = entries.first().map_or(Kind::Invoice, Entry::kind);
    if entries.iter().any(|e| e.kind() != kind) {
        return Err(CodecError::MixedKinds);
    }
    let mut body = Writer {
        buf: Vec::with_capacity(entries.len() * 96),
        devices: Vec::new(),
    };
    for e in entries {
        body.entry(e)?;
    }
    let mut out = Vec::with_capacity(body.buf.len() + 16 * body.devices.len() + 11);
    out.extend_from_slice(MAGIC);
    out.push(CODEC_VERSION);
    out.push(kind as u8);
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    out.push(body.devices.len() as u8);
    for d in &body.devices {
        out.extend_from_slice(&d.as_u128().to_le_bytes());
    }
    out.extend_from_slice(&body.buf);
    Ok(out)
}

/// Encodes one entry for the write-ahead tail.
pub fn encode_entry(e: &Entry) -> Result<Vec<u8>, CodecError> {
    encode_chunk(std::slice::from_ref(e))
}

// ---------- reading ----------

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
    devices: Vec<DeviceId>,
    version: u8,
}

impl<'a> Reader<'a> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let end = self
            .at
            .checked_add(N)
            .filter(|&e| e <= self.b.len())
            .ok_or(CodecError::Truncated { at: self.at })?;
        let mut a = [0u8; N];
        a.copy_from_slice(&self.b[self.at..end]);
        self.at = end;
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.take::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, CodecError> {
        Ok(u16::from_le_bytes(self.take()?))
    }
    fn u32(&mut self) -> Result<u32, CodecError> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    fn i32(&mut self) -> Result<i32, CodecError> {
        Ok(i32::from_le_bytes(self.take()?))
    }
    fn i64(&mut self) -> Result<i64, CodecError> {
        Ok(i64::from_le_bytes(self.take()?))
    }
    fn u128(&mut self) -> Result<u128, CodecError> {
        Ok(u128::from_le_bytes(self.take()?))
    }
    fn doc(&mut self) -> Result<Option<DocNo>, CodecError> {
        let at = self.at;
        let len = self.u8()? as usize;
        if len == 0 {
            return Ok(None);
        }
        if len > DocNo::MAX || self.at + len > self.b.len() {
            return Err(CodecError::BadText { at });
        }
        let mut bytes = [0u8; DocNo::MAX];
        bytes[..len].copy_from_slice(&self.b[self.at..self.at + len]);
        self.at += len;
        DocNo::from_stored(len as u8, bytes)
            .map(Some)
            .ok_or(CodecError::BadText { at })
    }
    /// A date in [`FIRST_DATE`]..=[`LAST_DATE`], else `BadDate`.
    fn date(&mut self) -> Result<Date, CodecError> {
        let at = self.at;
        let d = Date::from_days(self.i32()?);
        if d < FIRST_DATE || d > LAST_DATE {
            return Err(CodecError::BadDate { at });
        }
        Ok(d)
    }
    /// A longer text: `len:u16 utf8*len`.
    fn text16(&mut self) -> Result<String, CodecError> {
        let at = self.at;
        let len = self.u16()? as usize;
        if self.at + len > self.b.len() {
            return Err(CodecError::Truncated { at });
        }
        let s = std::str::from_utf8(&self.b[self.at..self.at + len])
            .map_err(|_| CodecError::BadText { at })?
            .to_string();
        self.at += len;
        Ok(s)
    }
    fn allocations(&mut self) -> Result<Vec<Allocation>, CodecError> {
        let n = self.u16()? as usize;
        if self.at + n * 24 > self.b.len() {
            return Err(CodecError::Truncated { at: self.at });
        }
        let mut allocations = Vec::with_capacity(n);
        for _ in 0..n {
            let invoice = InvoiceId::from_u128(self.u128()?);
            let amount = Money::from_minor(self.i64()?);
            allocations.push(Allocation { invoice, amount });
        }
        Ok(allocations)
    }
    fn doc_required(&mut self) -> Result<DocNo, CodecError> {
        let at = self.at;
        self.doc()?.ok_or(CodecError::BadText { at })
    }
    fn meta(&mut self) -> Result<Meta, CodecError> {
        let version = self.u32()?;
        let updated_at = Timestamp(self.i64()?);
        let ix = self.u8()?;
        let device = *self
            .devices
            .get(ix as usize)
            .ok_or(CodecError::BadDevice(ix))?;
        Ok(Meta {
            version,
            updated_at,
            device,
        })
    }
    fn entry(&mut self, kind: Kind) -> Result<Entry, CodecError> {
        Ok(match kind {
            Kind::Order => {
                let id = OrderId::from_u128(self.u128()?);
                let meta = self.meta()?;
                let customer = CustomerId::from_u128(self.u128()?);
                let number = self.doc_required()?;
                let date = self.date()?;
                let amount = Money::from_minor(self.i64()?);
                let s = self.u8()?;
                let status = OrderStatus::from_code(s).ok_or(CodecError::BadStatus(s))?;
                let category = if self.version >= 2 { self.doc()? } else { None };
                Entry::Order(Order {
                    id,
                    meta,
                    customer,
                    number,
                    category,
                    date,
                    amount,
                    status,
                })
            }
            Kind::Invoice => {
                let id = InvoiceId::from_u128(self.u128()?);
                let meta = self.meta()?;
                let customer = CustomerId::from_u128(self.u128()?);
                let order = match self.u128()? {
                    0 => None,
                    v => Some(OrderId::from_u128(v)),
                };
                let number = self.doc_required()?;
                let issue_date = self.date()?;
                let due_date = self.date()?;
                let amount = Money::from_minor(self.i64()?);
                Entry::Invoice(Invoice {
                    id,
                    meta,
                    customer,
                    order,
                    number,
                    issue_date,
                    due_date,
                    amount,
                })
            }
            Kind::Payment => {
                let id = PaymentId::from_u128(self.u128()?);
                let meta = self.meta()?;
                let customer = CustomerId::from_u128(self.u128()?);
                let reference = self.doc()?;
                let date = self.date()?;
                let amount = Money::from_minor(self.i64()?);
                let allocations = self.allocations()?;
                Entry::Payment(Payment {
                    id,
                    meta,
                    customer,
                    reference,
                    date,
                    amount,
                    allocations,
                })
            }
            Kind::CreditNote => {
                let id = CreditNoteId::from_u128(self.u128()?);
                let meta = self.meta()?;
                let customer = CustomerId::from_u128(self.u128()?);
                let invoice = Some(InvoiceId::from_u128(self.u128()?)).filter(|i| !i.is_nil());
                let number = self.doc_required()?;
                let date = self.date()?;
                let amount = Money::from_minor(self.i64()?);
                Entry::CreditNote(CreditNote {
                    id,
                    meta,
                    customer,
                    invoice,
                    number,
                    date,
                    amount,
                })
            }
            Kind::Correction => {
                let id = CorrectionId::from_u128(self.u128()?);
                let meta = self.meta()?;
                let customer = CustomerId::from_u128(self.u128()?);
                let date = self.date()?;
                let code = self.u8()?;
                let target = self.u128()?;
                let reason = self.text16()?;
                let fix = match code {
                    1 => Fix::VoidInvoice {
                        invoice: InvoiceId::from_u128(target),
                    },
                    2 => Fix::VoidPayment {
                        payment: PaymentId::from_u128(target),
                    },
                    3 => Fix::VoidCreditNote {
                        credit_note: CreditNoteId::from_u128(target),
                    },
                    4 => Fix::Reallocate {
                        payment: PaymentId::from_u128(target),
                        allocations: self.allocations()?,
                    },
                    5 => Fix::ApplyCreditNote {
                        credit_note: CreditNoteId::from_u128(target),
                        allocations: self.allocations()?,
                    },
                    c => return Err(CodecError::BadFix(c)),
                };
                Entry::Correction(Correction {
                    id,
                    meta,
                    customer,
                    date,
                    fix,
                    reason,
                })
            }
        })
    }
}

/// Reads a chunk's kind and row count without decoding its rows.
pub fn peek(bytes: &[u8]) -> Result<(Kind, u32), CodecError> {
    peek_version(bytes).map(|(k, c, _)| (k, c))
}

fn peek_version(bytes: &[u8]) -> Result<(Kind, u32, u8), CodecError> {
    let mut r = Reader {
        b: bytes,
        at: 0,
        devices: Vec::new(),
        version: CODEC_VERSION,
    };
    if &r.take::<4>()? != MAGIC {
        return Err(CodecError::BadMagic);
    }
    let v = r.u8()?;
    if !(1..=CODEC_VERSION).contains(&v) {
        return Err(CodecError::UnsupportedVersion(v));
    }
    let k = r.u8()?;
    let kind = Kind::from_u8(k).ok_or(CodecError::UnknownKind(k))?;
    Ok((kind, r.u32()?, v))
}

/// Where decoded rows go: [`Rows`], or a ledger being built, which files each row in its compact
/// form as it is read, so that the decoded rows are never held twice.
pub trait RowSink {
    fn push(&mut self, e: Entry);
    /// Room for `n` more rows of `kind` (a hint).
    fn reserve(&mut self, _kind: Kind, _n: usize) {}
}

impl RowSink for Rows {
    fn push(&mut self, e: Entry) {
        Rows::push(self, e);
    }
    fn reserve(&mut self, kind: Kind, n: usize) {
        match kind {
            Kind::Order => self.orders.reserve(n),
            Kind::Invoice => self.invoices.reserve(n),
            Kind::Payment => self.payments.reserve(n),
            Kind::CreditNote => self.credit_notes.reserve(n),
            Kind::Correction => self.corrections.reserve(n),
        }
    }
}

impl RowSink for LedgerBuilder {
    fn push(&mut self, e: Entry) {
        match e {
            Entry::Order(o) => self.push_order(o),
            Entry::Invoice(i) => self.push_invoice(&i),
            Entry::Payment(p) => self.push_payment(&p),
            Entry::CreditNote(c) => self.push_credit_note(c),
            Entry::Correction(c) => self.push_correction(c),
        }
    }
}

/// Decodes a chunk, appending its rows to `out`.
pub fn decode_chunk_into(bytes: &[u8], out: &mut impl RowSink) -> Result<(), CodecError> {
    let (kind, count, version) = peek_version(bytes)?;
    let mut r = Reader {
        b: bytes,
        at: 10,
        devices: Vec::new(),
        version,
    };
    let nd = r.u8()?;
    for _ in 0..nd {
        let d = DeviceId::from_u128(r.u128()?);
        r.devices.push(d);
    }
    // A row is at least 40 bytes: refuse counts the bytes cannot hold before reserving.
    if (count as usize).saturating_mul(40) > bytes.len() {
        return Err(CodecError::Truncated { at: r.at });
    }
    out.reserve(kind, count as usize);
    for _ in 0..count {
        out.push(r.entry(kind)?);
    }
    if r.at != bytes.len() {
        return Err(CodecError::TrailingBytes { at: r.at });
    }
    Ok(())
}

/// Decodes one tail entry.
pub fn decode_entry(bytes: &[u8]) -> Result<Entry, CodecError> {
    let mut rows = Rows::default();
    decode_chunk_into(bytes, &mut rows)?;
    let mut all: Vec<Entry> = rows
        .orders
        .into_iter()
        .map(Entry::Order)
        .chain(rows.invoices.into_iter().map(Entry::Invoice))
        .chain(rows.payments.into_iter().map(Entry::Payment))
        .chain(rows.credit_notes.into_iter().map(Entry::CreditNote))
        .chain(rows.corrections.into_iter().map(Entry::Correction))
        .collect();
    if all.len() != 1 {
        return Err(CodecError::TrailingBytes { at: 0 });
    }
    Ok(all.remove(0))
}

/// Splits entries of one kind into encoded chunks of at most [`CHUNK_ROWS`] rows.
pub fn encode_chunks(entries: &[Entry]) -> Result<Vec<Vec<u8>>, CodecError> {
    entries.chunks(CHUNK_ROWS).map(encode_chunk).collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
    use proptest::prelude::*;

    fn sample() -> creditdesk_domain::demo::Dataset {
        generate(&DemoSpec {
            customers: 20,
            ..DemoSpec::demo(Date::parse("2026-11-28").unwrap(), DemoLang::Zh)
        })
    }

    #[test]
    fn every_kind_of_row_survives_a_round_trip() {
        let mut d = sample();
        // A credit note on account: no invoice.
        let mut on_account = d.credit_notes[0];
        on_account.id = CreditNoteId::from_u128(u128::MAX);
        on_account.invoice = None;
        d.credit_notes.push(on_account);
        let mut rows = Rows::default();
        for e in [
            d.orders
                .iter()
                .cloned()
                .map(Entry::Order)
                .collect::<Vec<_>>(),
            d.invoices.iter().cloned().map(Entry::Invoice).collect(),
            d.payments.iter().cloned().map(Entry::Payment).collect(),
            d.credit_notes
                .iter()
                .cloned()
                .map(Entry::CreditNote)
                .collect(),
        ] {
            for chunk in encode_chunks(&e).unwrap() {
                decode_chunk_into(&chunk, &mut rows).unwrap();
            }
        }
        assert_eq!(rows.orders, d.orders);
        assert_eq!(rows.invoices, d.invoices);
        assert_eq!(rows.payments, d.payments);
        assert_eq!(rows.credit_notes, d.credit_notes);
        assert!(!d.credit_notes.is_empty());
    }

    #[test]
    fn every_kind_of_correction_survives_a_round_trip_with_its_reason() {
        let d = sample();
        let p = &d.payments[3];
        let fixes = [
            Fix::VoidInvoice {
                invoice: d.invoices[0].id,
            },
            Fix::VoidPayment { payment: p.id },
            Fix::VoidCreditNote {
                credit_note: d.credit_notes[0].id,
            },
            Fix::Reallocate {
                payment: p.id,
                allocations: p.allocations.clone(),
            },
            Fix::Reallocate {
                payment: p.id,
                allocations: Vec::new(),
            },
            Fix::ApplyCreditNote {
                credit_note: d.credit_notes[0].id,
                allocations: p.allocations.clone(),
            },
            Fix::ApplyCreditNote {
                credit_note: d.credit_notes[0].id,
                allocations: Vec::new(),
            },
        ];
        let entries: Vec<Entry> = fixes
            .into_iter()
            .enumerate()
            .map(|(i, fix)| {
                Entry::Correction(Correction {
                    id: CorrectionId::from_u128(i as u128 + 1),
                    meta: p.meta,
                    customer: p.customer,
                    date: p.date,
                    fix,
                    reason: format!("录错了 typed wrong #{i}"),
                })
            })
            .collect();
        let chunk = encode_chunk(&entries).unwrap();
        let mut rows = Rows::default();
        decode_chunk_into(&chunk, &mut rows).unwrap();
        let back: Vec<Entry> = rows
            .corrections
            .into_iter()
            .map(Entry::Correction)
            .collect();
        assert_eq!(back, entries);
        // A fix code the reader does not know is refused, not guessed.
        let mut bad = encode_entry(&entries[0]).unwrap();
        let at = bad.len() - 2 - entries_reason_len(&entries[0]) - 16 - 1;
        bad[at] = 9;
        assert_eq!(decode_entry(&bad), Err(CodecError::BadFix(9)));
    }

    fn entries_reason_len(e: &Entry) -> usize {
        match e {
            Entry::Correction(c) => c.reason.len(),
            _ => 0,
        }
    }

    #[test]
    fn a_tail_entry_is_a_chunk_of_one() {
        let d = sample();
        let e = Entry::Payment(d.payments[3].clone());
        assert_eq!(decode_entry(&encode_entry(&e).unwrap()), Ok(e));
    }

    #[test]
    fn a_version_1_chunk_of_orders_still_reads_with_no_category() {
        let d = sample();
        let o = Order {
            category: None,
            ..d.orders[0]
        };
        let mut bytes = encode_chunk(&[Entry::Order(o)]).unwrap();
        // Version 1 had no category: drop its empty-text byte at the end of the row.
        assert_eq!(bytes.pop(), Some(0));
        bytes[4] = 1;
        let mut rows = Rows::default();
        decode_chunk_into(&bytes, &mut rows).unwrap();
        assert_eq!(rows.orders, vec![o]);
        bytes[4] = 3;
        assert_eq!(
            decode_chunk_into(&bytes, &mut Rows::default()),
            Err(CodecError::UnsupportedVersion(3))
        );
    }

    #[test]
    fn a_chunk_refuses_rows_of_mixed_kinds() {
        let d = sample();
        let mixed = [Entry::Invoice(d.invoices[0]), Entry::Order(d.orders[0])];
        assert_eq!(encode_chunk(&mixed), Err(CodecError::MixedKinds));
    }

    #[test]
    fn a_cut_chunk_is_reported_not_half_read() {
        let d = sample();
        let chunk = encode_chunk(
            &d.invoices
                .iter()
                .take(3)
                .cloned()
                .map(Entry::Invoice)
                .collect::<Vec<_>>(),
        )
        .unwrap();
        for cut in [0, 3, 9, 40, chunk.len() - 1] {
            let mut rows = Rows::default();
            assert!(
                decode_chunk_into(&chunk[..cut], &mut rows).is_err(),
                "cut at {cut}"
            );
        }
        let mut longer = chunk.clone();
        longer.push(0);
        assert!(matches!(
            decode_chunk_into(&longer, &mut Rows::default()),
            Err(CodecError::TrailingBytes { .. })
        ));
        let mut wrong = chunk;
        wrong[0] = b'X';
        assert_eq!(
            decode_chunk_into(&wrong, &mut Rows::default()),
            Err(CodecError::BadMagic)
        );
    }

    #[test]
    fn the_first_and_last_dates_are_the_years_the_app_reads_and_one_more_for_due_dates() {
        use creditdesk_domain::date::{MAX_YEAR, MIN_YEAR};
        assert_eq!(Date::from_ymd(MIN_YEAR, 1, 1), Some(FIRST_DATE));
        assert_eq!(Date::from_ymd(MAX_YEAR + 1, 12, 31), Some(LAST_DATE));
    }

    /// Found by the ledger_codec fuzz target (fuzz/corpus/ledger_codec/): an invoice due on day
    /// 2^31 - 1 decoded, then panicked (attempt to add with overflow in `Date::ymd`) when the
    /// row was first written as JSON, by a backup or on screen.
    #[test]
    fn a_chunk_holding_a_date_outside_the_apps_years_is_refused_not_a_panic_later() {
        let d = sample();
        let inv = d.invoices[0];
        let chunk = encode_chunk(&[Entry::Invoice(inv)]).unwrap();
        // The row ends with the due date and the amount (i64).
        let at = chunk.len() - 12;
        assert_eq!(chunk[at..at + 4], inv.due_date.days().to_le_bytes());
        for days in [
            i32::MAX,
            i32::MIN,
            LAST_DATE.days() + 1,
            FIRST_DATE.days() - 1,
        ] {
            let mut bad = chunk.clone();
            bad[at..at + 4].copy_from_slice(&days.to_le_bytes());
            assert_eq!(
                decode_chunk_into(&bad, &mut Rows::default()),
                Err(CodecError::BadDate { at }),
                "day {days}"
            );
        }
        for days in [LAST_DATE.days(), FIRST_DATE.days()] {
            let mut edge = chunk.clone();
            edge[at..at + 4].copy_from_slice(&days.to_le_bytes());
            let mut rows = Rows::default();
            decode_chunk_into(&edge, &mut rows).unwrap();
            assert_eq!(rows.invoices[0].due_date.days(), days);
            serde_json::to_string(&rows.invoices[0]).unwrap();
        }
    }

    #[test]
    fn invoice_rows_stay_compact() {
        let d = sample();
        let n = 500.min(d.invoices.len());
        let chunk = encode_chunk(
            &d.invoices[..n]
                .iter()
                .cloned()
                .map(Entry::Invoice)
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let per_row = chunk.len() / n;
        assert!(per_row <= 100, "{per_row} bytes per invoice");
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_the_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = decode_chunk_into(&bytes, &mut Rows::default());
            let _ = decode_entry(&bytes);
        }

        /// Random rows behind a valid header: the row decoder itself is fed, not the magic number
        /// check (random bytes alone never get past it).
        #[test]
        fn random_rows_behind_a_valid_header_reach_the_row_decoder(
            kind in proptest::sample::select(Kind::ALL.to_vec()),
            count in 0u32..20,
            devices in 0u8..3,
            body in proptest::collection::vec(any::<u8>(), 0..600),
        ) {
            let mut b = MAGIC.to_vec();
            b.extend([CODEC_VERSION, kind as u8]);
            b.extend(count.to_le_bytes());
            b.push(devices);
            for i in 0..devices {
                b.extend((i as u128 + 1).to_le_bytes());
            }
            b.extend(&body);
            let mut rows = Rows::default();
            match decode_chunk_into(&b, &mut rows) {
                Err(CodecError::BadMagic | CodecError::UnsupportedVersion(_) | CodecError::UnknownKind(_)) => {
                    prop_assert!(false, "stopped at the header")
                }
                Ok(()) => prop_assert_eq!(rows.len(), count as usize),
                Err(_) => {}
            }
        }

        #[test]
        fn corrupting_a_valid_chunk_never_panics(flip in 0usize..2000, value in any::<u8>()) {
            let d = sample();
            let mut chunk = encode_chunk(&d.payments.iter().take(10).cloned().map(Entry::Payment).collect::<Vec<_>>()).unwrap();
            let i = flip % chunk.len();
            chunk[i] = value;
            let _ = decode_chunk_into(&chunk, &mut Rows::default());
        }
    }
}
