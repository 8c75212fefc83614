//! Disputes: an invoice, or part of it, the customer does not accept (a price, a quantity, a
//! quality claim), recorded with a reason, a category and an owner until it is resolved.
//!
//! A dispute lives on the customer's record ([`Customer::disputes`]); it is never deleted. It is
//! open from the day it was opened until the day of its resolution, so figures as of an earlier
//! day show what was disputed then.
//!
//! - **What is disputed of an invoice** on a day: the amounts of its disputes open that day,
//!   capped by what is open on the invoice. Payments settle the undisputed part first (a customer
//!   pays what it accepts), so a partial payment leaves the disputed part whole.
//! - **How disputed amounts count** is the policy's ([`Counting`]): always in exposure (the money
//!   is owed until resolved); in the overdue rules, the order-time holds and the rating only when
//!   the policy says so (by default they do not).
//! - **Resolutions**: a credit note for what the customer was right about (the dispute closes
//!   when the note is recorded); a write-off, which needs an approved request (routed by its
//!   amount like a limit change), recorded as a credit note when approved; or upheld (the
//!   invoice stands in full and counts as overdue again from that day).

use crate::date::Date;
use crate::error::{Errors, FieldError, Problem};
use crate::id::{CreditNoteId, InvoiceId, RequestId};
use crate::ledger::{CustomerSummary, OpenItem};
use crate::money::Money;
use crate::party::Customer;
use crate::text::{text, DocNo};
use serde::{Deserialize, Serialize};

/// Field names of the dispute forms (errors are reported at these).
pub mod field {
    pub const INVOICE: &str = "invoice";
    pub const AMOUNT: &str = "amount";
    pub const CATEGORY: &str = "category";
    pub const REASON: &str = "reason";
    pub const OWNER: &str = "owner";
    pub const DISPUTE: &str = "dispute";
    pub const OUTCOME: &str = "outcome";
    pub const NOTE: &str = "note";
}

/// What the customer disputes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Price,
    Quantity,
    Quality,
    Delivery,
    Billing,
    Other,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Price,
        Category::Quantity,
        Category::Quality,
        Category::Delivery,
        Category::Billing,
        Category::Other,
    ];
    /// The stable key (forms, CSV, the import).
    pub fn key(self) -> &'static str {
        match self {
            Category::Price => "price",
            Category::Quantity => "quantity",
            Category::Quality => "quality",
            Category::Delivery => "delivery",
            Category::Billing => "billing",
            Category::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Result<Category, Problem> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Problem::Required);
        }
        Category::ALL
            .into_iter()
            .find(|c| c.key().eq_ignore_ascii_case(s))
            .ok_or(Problem::NotAChoice)
    }
}

crate::tagged_enum! {
    tag = "kind", name = "Outcome", twin = OutcomeDef, expecting = "a dispute's outcome";
    /// How a dispute ended.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
    pub enum Outcome {
        /// The customer was right (in part or whole): a credit note of `amount` was recorded.
        CreditNote { note: CreditNoteId, amount: Money },
        /// Written off by an approved request: a credit note of `amount` was recorded.
        WrittenOff {
            note: CreditNoteId,
            amount: Money,
            request: RequestId,
        },
        /// The invoice stands in full.
        Upheld,
    }
}

impl Outcome {
    pub fn key(&self) -> &'static str {
        match self {
            Outcome::CreditNote { .. } => "credit_note",
            Outcome::WrittenOff { .. } => "written_off",
            Outcome::Upheld => "upheld",
        }
    }
}

/// Who resolved a dispute, when and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    pub on: Date,
    pub by: String,
    pub outcome: Outcome,
    #[serde(default)]
    pub note: String,
}

/// One dispute of one invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispute {
    /// Unique within the customer (the command that opens it chooses it).
    pub id: String,
    pub invoice: InvoiceId,
    /// The invoice's number, for lists that do not look the invoice up.
    pub number: DocNo,
    /// What is disputed (at most what was open on the invoice when it was opened).
    pub amount: Money,
    pub category: Category,
    pub reason: String,
    /// The user who works on it.
    pub owner: String,
    pub opened: Date,
    pub opened_by: String,
    /// A write-off request waiting for its approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_off: Option<RequestId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
}

impl Dispute {
    pub const REASON_MAX: usize = 500;
    pub const NOTE_MAX: usize = 500;

    /// Whether it was open on a day: opened on or before it, and not resolved by then.
    pub fn is_open_on(&self, day: Date) -> bool {
        self.opened <= day && self.resolution.as_ref().is_none_or(|r| r.on > day)
    }
    /// Whether it is still open (whatever the day).
    pub fn is_open(&self) -> bool {
        self.resolution.is_none()
    }
    /// Days since it was opened, to a day (until its resolution, once resolved).
    pub fn age(&self, as_of: Date) -> i32 {
        let end = self.resolution.as_ref().map_or(as_of, |r| r.on.min(as_of));
        end.days_since(self.opened).max(0)
    }
}

/// Whether disputed amounts count where overdue amounts count. Exposure always counts them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counting {
    /// In the warning rules' facts (overdue amount, count, days).
    #[serde(default)]
    pub in_rules: bool,
    /// In the order-time credit check's overdue blocks.
    #[serde(default)]
    pub in_holds: bool,
    /// In the scorecard's overdue metrics.
    #[serde(default)]
    pub in_rating: bool,
}

/// The overdue figures of a customer: amount, number of items and the most days overdue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overdue {
    pub amount: Money,
    pub count: u32,
    pub max_days: i32,
}

/// What is disputed of an invoice on a day: its disputes open that day, at most what is open.
pub fn disputed_on(disputes: &[Dispute], invoice: InvoiceId, open: Money, day: Date) -> Money {
    let sum: Money = disputes
        .iter()
        .filter(|d| d.invoice == invoice && d.is_open_on(day))
        .map(|d| d.amount)
        .sum();
    sum.min(open).max(Money::ZERO)
}

/// Fills a summary's dispute figures from the customer's open items on its day: the disputed
/// amount, and the overdue figures without it. A summary the ledger made has its undisputed
/// overdue equal to its overdue; this is needed only for a customer with disputes.
pub fn adjust(s: &mut CustomerSummary, items: &[OpenItem], disputes: &[Dispute], day: Date) {
    let mut disputed = Money::ZERO;
    let mut disputed_overdue = Money::ZERO;
    let mut rest = Overdue::default();
    for it in items {
        if !it.open.is_positive() {
            continue;
        }
        let d = disputed_on(disputes, it.invoice, it.open, day);
        disputed += d;
        if it.days_overdue > 0 {
            disputed_overdue += d;
            let left = it.open - d;
            if left.is_positive() {
                rest.amount += left;
                rest.count += 1;
                rest.max_days = rest.max_days.max(it.days_overdue);
            }
        }
    }
    s.disputed = disputed;
    s.disputed_overdue = disputed_overdue;
    s.undisputed = rest;
}

/// Fills the dispute figures of a customer's summary on a day from the ledger (nothing to do for
/// a customer without disputes: its undisputed overdue is its overdue already).
pub fn apply(ledger: &crate::ledger::Ledger, c: &Customer, s: &mut CustomerSummary, day: Date) {
    if !c.disputes.is_empty() {
        adjust(s, &ledger.items(c.id, day), &c.disputes, day);
    }
}

impl CustomerSummary {
    /// The overdue figures as a rule, hold or rating reads them: with the disputed amounts, or
    /// without them.
    pub fn overdue_counting(&self, disputed: bool) -> Overdue {
        if disputed {
            Overdue {
                amount: self.overdue,
                count: self.overdue_count,
                max_days: self.max_days_overdue,
            }
        } else {
            self.undisputed
        }
    }
    /// The summary with its overdue figures as counted (the rest unchanged).
    pub fn counting(&self, disputed: bool) -> CustomerSummary {
        let o = self.overdue_counting(disputed);
        CustomerSummary {
            overdue: o.amount,
            overdue_count: o.count,
            max_days_overdue: o.max_days,
            ..*self
        }
    }
}

/// The form that opens a dispute, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeInput {
    pub invoice: Option<InvoiceId>,
    /// Empty: all that is open on the invoice.
    #[serde(default)]
    pub amount: String,
    pub category: String,
    pub reason: String,
    /// The user who works on it (checked against the directory by the caller).
    pub owner: String,
}

impl DisputeInput {
    /// Checks the form against the invoice's open amount today and the customer's disputes:
    /// every problem at its field. `open` is what is open on the invoice now (`None`: not one of
    /// the customer's invoices, or void).
    #[allow(clippy::too_many_arguments)]
    pub fn validate(
        &self,
        c: &Customer,
        id: &str,
        invoice: Option<(InvoiceId, DocNo, Money)>,
        owner_known: bool,
        by: &str,
        as_of: Date,
    ) -> Result<Dispute, Vec<FieldError>> {
        use field::*;
        let mut e = Errors::default();
        let inv = match (self.invoice, invoice) {
            (None, _) => {
                e.push(INVOICE, Problem::Required);
                None
            }
            (Some(_), None) => {
                e.push(INVOICE, Problem::UnknownInvoice);
                None
            }
            (Some(_), Some((inv, number, open))) => {
                if !open.is_positive() {
                    e.push(INVOICE, Problem::AlreadyPaid);
                    None
                } else if c.disputes.iter().any(|d| d.invoice == inv && d.is_open()) {
                    e.push(INVOICE, Problem::OpenDispute);
                    None
                } else {
                    Some((inv, number, open))
                }
            }
        };
        let amount = if self.amount.trim().is_empty() {
            inv.map(|(_, _, open)| open)
        } else {
            e.take(AMOUNT, Money::parse_positive(&self.amount))
                .and_then(|a| match inv {
                    Some((_, _, open)) if a > open => {
                        e.push(AMOUNT, Problem::ExceedsOpenAmount);
                        None
                    }
                    _ => Some(a),
                })
        };
        let category = e.take(CATEGORY, Category::parse(&self.category));
        let reason = e.take(REASON, text(&self.reason, true, Dispute::REASON_MAX));
        let owner = self.owner.trim();
        if owner.is_empty() {
            e.push(OWNER, Problem::Required);
        } else if !owner_known {
            e.push(OWNER, Problem::UnknownUser);
        }
        if c.disputes.iter().any(|d| d.id == id) {
            e.push(DISPUTE, Problem::DuplicateNumber);
        }
        let result = e.finish(|| ());
        result.map(|()| {
            let (invoice, number, _) = inv.expect("checked");
            Dispute {
                id: id.to_string(),
                invoice,
                number,
                amount: amount.expect("checked"),
                category: category.expect("checked"),
                reason: reason.expect("checked"),
                owner: owner.to_string(),
                opened: as_of,
                opened_by: by.to_string(),
                write_off: None,
                resolution: None,
            }
        })
    }
}

crate::tagged_enum! {
    tag = "kind", name = "Resolve", twin = ResolveDef, expecting = "a dispute's resolution";
    /// How a person resolves a dispute, as chosen on the form.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    pub enum Resolve {
        /// Records a credit note of `amount` (empty: all that is disputed) numbered `number`.
        CreditNote {
            note: CreditNoteId,
            number: String,
            #[serde(default)]
            amount: String,
        },
        /// Files a write-off request of `amount` (empty: all that is disputed).
        WriteOff {
            request: RequestId,
            #[serde(default)]
            amount: String,
        },
        Upheld,
    }
}

/// The dispute a resolution applies to, if it can: it exists and is open, and no write-off of
/// it waits for approval.
pub fn resolvable<'a>(c: &'a Customer, id: &str) -> Result<&'a Dispute, FieldError> {
    let d = c
        .disputes
        .iter()
        .find(|d| d.id == id)
        .ok_or(FieldError::new(field::DISPUTE, Problem::UnknownDocument))?;
    if !d.is_open() {
        return Err(FieldError::new(field::DISPUTE, Problem::NotOpen));
    }
    if d.write_off.is_some() {
        return Err(FieldError::new(field::DISPUTE, Problem::OpenRequest));
    }
    Ok(d)
}

/// The amount a credit note or write-off settles: typed (at most what is disputed and open now),
/// or all of it when left empty.
pub fn settle_amount(typed: &str, disputed_now: Money) -> Result<Money, FieldError> {
    let at = |p| FieldError::new(field::AMOUNT, p);
    if !disputed_now.is_positive() {
        return Err(at(Problem::AlreadyPaid));
    }
    if typed.trim().is_empty() {
        return Ok(disputed_now);
    }
    let a = Money::parse_positive(typed).map_err(at)?;
    if a > disputed_now {
        return Err(at(Problem::ExceedsOpenAmount));
    }
    Ok(a)
}

/// The customer with one dispute replaced by `f` applied to it.
pub fn with_dispute(c: &Customer, id: &str, f: impl FnOnce(&mut Dispute)) -> Customer {
    let mut c = c.clone();
    if let Some(d) = c.disputes.iter_mut().find(|d| d.id == id) {
        f(d);
    }
    c
}

/// A note's text as a resolution keeps it.
pub fn note(s: &str) -> Result<String, FieldError> {
    text(s, false, Dispute::NOTE_MAX).map_err(|p| FieldError::new(field::NOTE, p))
}
