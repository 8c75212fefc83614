//! Validation problems: every error names the field it belongs to and carries a stable code that
//! the UI translates. Validators collect every problem instead of stopping at the first.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// What is wrong with one value. The code is stable (tests and translations key on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Problem {
    Required,
    TooLong {
        max: u32,
    },
    TooShort {
        min: u32,
    },
    SameAsCurrent,
    NotAnAmount,
    TooManyDecimals,
    Negative,
    NotPositive,
    AmountTooLarge,
    NotADate,
    DateOutOfRange,
    DueBeforeIssue,
    /// A payment or credit note dated before the invoice it settles was issued (`issue`).
    BeforeInvoice {
        issue: crate::date::Date,
    },
    InFuture,
    /// A day that has already passed where one to come is needed (a promise to pay).
    InPast,
    /// Today or earlier where a day to come is needed (a limit's expiry or review).
    NotAfterToday,
    /// A limit's review set after the day the limit expires.
    ReviewAfterExpiry,
    /// A warning, not a refusal: an invoice dated before the customer's first cooperation
    /// (`first_cooperation`). See [`crate::ledger::invoice_warnings`].
    BeforeFirstCooperation {
        first_cooperation: crate::date::Date,
    },
    UsccLength,
    UsccCharacter,
    UsccCheckDigit,
    NotANumber,
    /// Not one of the values the field offers.
    NotAChoice,
    OutOfRange {
        min: i64,
        max: i64,
    },
    SharesOver100,
    BadEmail,
    BadPhone,
    UnknownCustomer,
    /// No user of the directory has this id (a customer's sales rep).
    UnknownUser,
    /// A field the user's roles may only read (or that is hidden from them) was changed.
    ReadOnly,
    UnknownInvoice,
    DuplicateNumber,
    ExceedsOpenAmount,
    /// A payment to an invoice on which nothing is open any more.
    AlreadyPaid,
    InvoiceOfOtherCustomer,
    /// A first application for a customer that already has a limit.
    HasLimit,
    /// A file that is empty or too large.
    FileSize {
        max_mib: u32,
    },
    /// Another request of the same kind is still open for this customer.
    OpenRequest,
    /// A temporary limit must be above the permanent one (`min`, in yuan), or it changes nothing.
    NotAbove {
        min: i64,
    },
    /// A document that is void already (it cannot be voided or reallocated again).
    AlreadyVoid,
    /// An invoice that payments or credit notes still settle: their allocations are reversed
    /// (or the credit notes voided) before the invoice can be voided.
    StillSettled,
    /// No document of the customer has this id.
    UnknownDocument,
    /// The invoice has an open dispute already (one at a time per invoice).
    OpenDispute,
    /// A dispute (or other record) that is closed already.
    NotOpen,
    /// Below a field's least value (`min` in hundredths: a number's, an amount's fen, or a
    /// count of options times 100).
    BelowMin {
        min: i64,
    },
    /// Above a field's greatest value (`max` in hundredths, as [`Problem::BelowMin`]).
    AboveMax {
        max: i64,
    },
    /// A day before the earliest a field allows.
    DateBefore {
        min: crate::date::Date,
    },
    /// A day after the latest a field allows.
    DateAfter {
        max: crate::date::Date,
    },
    /// A text that does not match its field's pattern.
    Pattern,
    /// A value for a custom field that is not on the form (unknown, or retired).
    UnknownField,
}

impl Problem {
    /// A stable code, e.g. `E-REQUIRED`, for logs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Required => "E-REQUIRED",
            Problem::TooLong { .. } => "E-TOO-LONG",
            Problem::TooShort { .. } => "E-TOO-SHORT",
            Problem::SameAsCurrent => "E-SAME",
            Problem::NotAnAmount => "E-NOT-AMOUNT",
            Problem::TooManyDecimals => "E-DECIMALS",
            Problem::Negative => "E-NEGATIVE",
            Problem::NotPositive => "E-NOT-POSITIVE",
            Problem::AmountTooLarge => "E-AMOUNT-LARGE",
            Problem::NotADate => "E-NOT-DATE",
            Problem::DateOutOfRange => "E-DATE-RANGE",
            Problem::DueBeforeIssue => "E-DUE-BEFORE-ISSUE",
            Problem::BeforeInvoice { .. } => "E-BEFORE-INVOICE",
            Problem::InFuture => "E-FUTURE",
            Problem::InPast => "E-PAST",
            Problem::NotAfterToday => "E-NOT-AFTER-TODAY",
            Problem::ReviewAfterExpiry => "E-REVIEW-AFTER-EXPIRY",
            Problem::BeforeFirstCooperation { .. } => "E-BEFORE-FIRST-COOPERATION",
            Problem::UsccLength => "E-USCC-LENGTH",
            Problem::UsccCharacter => "E-USCC-CHAR",
            Problem::UsccCheckDigit => "E-USCC-CHECK",
            Problem::NotANumber => "E-NOT-NUMBER",
            Problem::NotAChoice => "E-CHOICE",
            Problem::OutOfRange { .. } => "E-RANGE",
            Problem::SharesOver100 => "E-SHARES-100",
            Problem::BadEmail => "E-EMAIL",
            Problem::BadPhone => "E-PHONE",
            Problem::UnknownCustomer => "E-UNKNOWN-CUSTOMER",
            Problem::UnknownUser => "E-UNKNOWN-USER",
            Problem::ReadOnly => "E-READ-ONLY",
            Problem::UnknownInvoice => "E-UNKNOWN-INVOICE",
            Problem::DuplicateNumber => "E-DUPLICATE",
            Problem::ExceedsOpenAmount => "E-EXCEEDS-OPEN",
            Problem::AlreadyPaid => "E-ALREADY-PAID",
            Problem::InvoiceOfOtherCustomer => "E-OTHER-CUSTOMER",
            Problem::HasLimit => "E-HAS-LIMIT",
            Problem::FileSize { .. } => "E-FILE-SIZE",
            Problem::OpenRequest => "E-OPEN-REQUEST",
            Problem::NotAbove { .. } => "E-NOT-ABOVE",
            Problem::AlreadyVoid => "E-VOID",
            Problem::StillSettled => "E-SETTLED",
            Problem::UnknownDocument => "E-UNKNOWN-DOCUMENT",
            Problem::OpenDispute => "E-OPEN-DISPUTE",
            Problem::NotOpen => "E-NOT-OPEN",
            Problem::BelowMin { .. } => "E-BELOW-MIN",
            Problem::AboveMax { .. } => "E-ABOVE-MAX",
            Problem::DateBefore { .. } => "E-DATE-BEFORE",
            Problem::DateAfter { .. } => "E-DATE-AFTER",
            Problem::Pattern => "E-PATTERN",
            Problem::UnknownField => "E-UNKNOWN-FIELD",
        }
    }
}

/// A problem attached to a named input field: a fixed field's name, or `custom.<key>` for a
/// custom field (see [`crate::fields`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Cow<'static, str>,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: &'static str, problem: Problem) -> Self {
        FieldError {
            field: Cow::Borrowed(field),
            problem,
        }
    }
}

/// Collects field errors while a form is validated.
#[derive(Default, Debug)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn push(&mut self, field: &'static str, problem: Problem) {
        self.0.push(FieldError::new(field, problem));
    }
    /// Runs a field parser; records its problem and returns `None` on failure.
    pub fn take<T>(&mut self, field: &'static str, r: Result<T, Problem>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(p) => {
                self.push(field, p);
                None
            }
        }
    }
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self.0)
        }
    }
}
