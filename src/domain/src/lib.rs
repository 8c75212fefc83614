//! CreditDesk's domain: pure logic with no I/O.
//!
//! Invariants (enforced by `tests/purity.rs`):
//! - no `leptos`, `web_sys`, `js_sys`, `rexie` or `gloo` anywhere in this crate;
//! - no clock: nothing here reads the current time. Every function whose answer depends on the day
//!   takes an `as_of: Date`, and every record's `updated_at` is handed in by the caller;
//! - money is integer minor units (`Money`), never a float; rounding happens only in the named
//!   functions of [`money`].

pub mod access;
pub mod approval;
pub mod contact;
pub mod credit;
pub mod date;
pub mod demo;
pub mod dispute;
pub mod document;
pub mod error;
pub mod fields;
pub mod forecast;
pub mod id;
pub mod import;
pub mod ledger;
pub mod money;
pub mod monitor;
pub mod notice;
pub mod party;
pub mod rating;
pub mod reports;
pub mod request;
pub mod rng;
pub mod sieve;
pub mod sort;
pub mod tagged;
pub mod text;
pub mod workflow;

pub use date::Date;
pub use error::{FieldError, Problem};
pub use id::{
    CorrectionId, CreditNoteId, CustomerId, DeviceId, InvoiceId, Meta, OrderId, PaymentId,
    RequestId, Timestamp,
};
pub use ledger::{
    Allocation, Correction, CreditNote, CustomerSummary, Fix, Invoice, Ledger, LedgerError, Order,
    OrderStatus, Payment,
};
pub use money::{Compact, Money};
pub use party::{Customer, CustomerInput, ExternalProfile, IndustryPosition, Uscc};
pub use text::DocNo;
