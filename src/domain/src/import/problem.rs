//! What can be wrong with an import: one stable code per problem, with the data a sentence needs.

use super::fields::{FieldKey, Kind};
use super::values::DateFormat;
use crate::date::Date;
use crate::error::Problem;
use crate::id::CustomerId;
use crate::money::Money;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a unified social credit code was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UsccReason {
    /// Not 18 characters.
    Length,
    /// A character outside the code's alphabet (`I`, `O`, `S`, `V`, `Z` and non-ASCII).
    Character,
    /// The 18th character does not match the first 17.
    CheckDigit,
}

/// One problem of an import. `code()` is stable: the UI translates it and fills in the data.
/// See the module documentation for what each code means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImportProblem {
    // ----- File level (reported at row 0) -----
    /// `I-EMPTY-FILE`: no header line (the file is empty or blank).
    EmptyFile,
    /// `I-UNREADABLE`: the CSV reader gave up at this line.
    Unreadable { line: u64 },
    /// `I-MAPPING-KIND`: the mapping was made for another kind of record.
    MappingKind { mapping: Kind },
    /// `I-MISSING-COLUMN`: no column is mapped to this required field (or to `or`, which would
    /// do instead).
    MissingColumn {
        field: FieldKey,
        or: Option<FieldKey>,
    },
    /// `I-COLUMN-TWICE`: two columns are mapped to the same field; the first one
    /// (`first_column`, 0-based) is used.
    ColumnMappedTwice { field: FieldKey, first_column: u32 },

    // ----- One value -----
    /// `I-REQUIRED`: the cell is empty.
    Required,
    /// `I-DATE`: not a date in the chosen format (or no such day).
    BadDate { format: DateFormat },
    /// `I-DATE-FORMAT`: with [`DateFormat::Auto`], a day-first/month-first date (`5/1/2026`) or a
    /// number (an Excel serial?): the user must choose the format.
    DateFormatNeeded,
    /// `I-DATE-RANGE`: the year is outside `min_year..=max_year`.
    DateOutOfRange { min_year: i32, max_year: i32 },
    /// `I-FUTURE`: the date is after `as_of`.
    InFuture { as_of: Date },
    /// `I-DUE-BEFORE-ISSUE`: the due date is before the issue date.
    DueBeforeIssue { issue: Date },
    /// `I-DUE-TERM`: both a due date and a term are given, and issue date + term gives
    /// `due_from_term`, not the due date.
    DueTermMismatch { due_from_term: Date },
    /// `I-BEFORE-INVOICE`: a payment or credit note dated before the invoice it settles.
    BeforeInvoice { issue: Date },
    /// `I-BEFORE-FIRST-COOPERATION` (a warning, see [`ImportProblem::is_warning`]): an invoice
    /// issued before the customer's first cooperation date.
    BeforeFirstCooperation { first_cooperation: Date },
    /// `I-AMOUNT`: not an amount.
    BadAmount,
    /// `I-DECIMALS`: more than two decimals (not rounded: refused).
    TooManyDecimals,
    /// `I-NEGATIVE`: the amount is negative.
    Negative,
    /// `I-ZERO`: the amount is zero where it must be positive.
    Zero,
    /// `I-AMOUNT-LARGE`: above `max_units` yuan.
    AmountTooLarge { max_units: i64 },
    /// `I-NUMBER`: not a whole number.
    BadNumber,
    /// `I-RANGE`: a number outside `min..=max`.
    OutOfRange { min: i64, max: i64 },
    /// `I-TOO-LONG`: longer than `max` characters, or `max` bytes of UTF-8 when `bytes` (document
    /// numbers: 24 bytes, that is 8 Chinese characters).
    TooLong { max: u32, bytes: bool },
    /// `I-TEXT`: a document number with a control character (a tab, a line break).
    BadText,
    /// `I-CHOICE`: not one of the accepted values (order status, industry position).
    UnknownChoice,
    /// `I-USCC`: not a valid unified social credit code.
    BadUscc { reason: UsccReason },
    /// `I-EMAIL`: not an e-mail address.
    BadEmail,
    /// `I-PHONE`: not a phone number.
    BadPhone,

    // ----- References and the ledger -----
    /// `I-UNKNOWN-CUSTOMER`: no stored customer has this name or USCC.
    UnknownCustomer,
    /// `I-AMBIGUOUS-CUSTOMER`: `count` stored customers have this name (use the USCC).
    AmbiguousCustomer { count: u32 },
    /// `I-UNKNOWN-USER`: no user of the directory has this name or id (a customer's sales rep).
    UnknownUser,
    /// `I-AMBIGUOUS-USER`: `count` users of the directory have this name (use the user's id).
    AmbiguousUser { count: u32 },
    /// `I-UNKNOWN-INVOICE`: no stored invoice has this number.
    UnknownInvoice,
    /// `I-UNKNOWN-ORDER`: no stored order has this number.
    UnknownOrder,
    /// `I-OTHER-CUSTOMER`: the invoice or order referred to belongs to `owner`, not to the row's
    /// customer.
    OfOtherCustomer { owner: CustomerId },
    /// `I-DUPLICATE`: the number (or customer name, or USCC) is already taken: by a stored record
    /// when `first_row` is `None`, else by an earlier row of this file.
    Duplicate { first_row: Option<u64> },
    /// `I-DUPLICATE-PAYMENT`: the same payment (customer, date, amount, invoice and reference)
    /// is already stored when `first_row` is `None`, else on an earlier row of this file.
    DuplicatePayment { first_row: Option<u64> },
    /// `I-ALREADY-PAID`: nothing is open on the invoice any more (paid or credited in full,
    /// counting earlier rows of the file).
    AlreadyPaid,
    /// `I-EXCEEDS-OPEN`: more than what is open on the invoice (`open`, after earlier rows of the
    /// file).
    ExceedsOpen { open: Money, amount: Money },
    /// `I-EXCEEDS-CUSTOMER-OPEN`: a payment without an invoice that is more than everything the
    /// customer owes (`open`, after earlier rows of the file).
    ExceedsCustomerOpen { open: Money, amount: Money },
    /// `I-INVALID`: another problem of the customer form; translate `problem` as the form does.
    Invalid { problem: Problem },
}

impl ImportProblem {
    /// The stable code, e.g. `I-DATE`.
    pub fn code(&self) -> &'static str {
        use ImportProblem::*;
        match self {
            EmptyFile => "I-EMPTY-FILE",
            Unreadable { .. } => "I-UNREADABLE",
            MappingKind { .. } => "I-MAPPING-KIND",
            MissingColumn { .. } => "I-MISSING-COLUMN",
            ColumnMappedTwice { .. } => "I-COLUMN-TWICE",
            Required => "I-REQUIRED",
            BadDate { .. } => "I-DATE",
            DateFormatNeeded => "I-DATE-FORMAT",
            DateOutOfRange { .. } => "I-DATE-RANGE",
            InFuture { .. } => "I-FUTURE",
            DueBeforeIssue { .. } => "I-DUE-BEFORE-ISSUE",
            DueTermMismatch { .. } => "I-DUE-TERM",
            BeforeInvoice { .. } => "I-BEFORE-INVOICE",
            BeforeFirstCooperation { .. } => "I-BEFORE-FIRST-COOPERATION",
            BadAmount => "I-AMOUNT",
            TooManyDecimals => "I-DECIMALS",
            Negative => "I-NEGATIVE",
            Zero => "I-ZERO",
            AmountTooLarge { .. } => "I-AMOUNT-LARGE",
            BadNumber => "I-NUMBER",
            OutOfRange { .. } => "I-RANGE",
            TooLong { .. } => "I-TOO-LONG",
            BadText => "I-TEXT",
            UnknownChoice => "I-CHOICE",
            BadUscc { .. } => "I-USCC",
            BadEmail => "I-EMAIL",
            BadPhone => "I-PHONE",
            UnknownCustomer => "I-UNKNOWN-CUSTOMER",
            AmbiguousCustomer { .. } => "I-AMBIGUOUS-CUSTOMER",
            UnknownUser => "I-UNKNOWN-USER",
            AmbiguousUser { .. } => "I-AMBIGUOUS-USER",
            UnknownInvoice => "I-UNKNOWN-INVOICE",
            UnknownOrder => "I-UNKNOWN-ORDER",
            OfOtherCustomer { .. } => "I-OTHER-CUSTOMER",
            Duplicate { .. } => "I-DUPLICATE",
            DuplicatePayment { .. } => "I-DUPLICATE-PAYMENT",
            AlreadyPaid => "I-ALREADY-PAID",
            ExceedsOpen { .. } => "I-EXCEEDS-OPEN",
            ExceedsCustomerOpen { .. } => "I-EXCEEDS-CUSTOMER-OPEN",
            Invalid { .. } => "I-INVALID",
        }
    }

    /// Every code, for the UI's translation tables and their completeness test.
    pub const CODES: [&'static str; 40] = [
        "I-EMPTY-FILE",
        "I-UNREADABLE",
        "I-MAPPING-KIND",
        "I-MISSING-COLUMN",
        "I-COLUMN-TWICE",
        "I-REQUIRED",
        "I-DATE",
        "I-DATE-FORMAT",
        "I-DATE-RANGE",
        "I-FUTURE",
        "I-DUE-BEFORE-ISSUE",
        "I-DUE-TERM",
        "I-BEFORE-INVOICE",
        "I-BEFORE-FIRST-COOPERATION",
        "I-AMOUNT",
        "I-DECIMALS",
        "I-NEGATIVE",
        "I-ZERO",
        "I-AMOUNT-LARGE",
        "I-NUMBER",
        "I-RANGE",
        "I-TOO-LONG",
        "I-TEXT",
        "I-CHOICE",
        "I-USCC",
        "I-EMAIL",
        "I-PHONE",
        "I-UNKNOWN-CUSTOMER",
        "I-AMBIGUOUS-CUSTOMER",
        "I-UNKNOWN-USER",
        "I-AMBIGUOUS-USER",
        "I-UNKNOWN-INVOICE",
        "I-UNKNOWN-ORDER",
        "I-OTHER-CUSTOMER",
        "I-DUPLICATE",
        "I-DUPLICATE-PAYMENT",
        "I-ALREADY-PAID",
        "I-EXCEEDS-OPEN",
        "I-EXCEEDS-CUSTOMER-OPEN",
        "I-INVALID",
    ];

    /// True for a warning: something odd the user should see, which does not keep the row out
    /// of the import. [`super::validate`] lists warnings in [`super::Plan::warnings`], apart from
    /// the problems. Today one: `I-BEFORE-FIRST-COOPERATION`.
    pub fn is_warning(&self) -> bool {
        matches!(self, ImportProblem::BeforeFirstCooperation { .. })
    }

    /// The import problem for a problem of the domain's forms and parsers.
    pub fn from_problem(p: Problem, format: DateFormat, as_of: Date) -> ImportProblem {
        use crate::date::{MAX_YEAR, MIN_YEAR};
        use ImportProblem::*;
        match p {
            Problem::Required => Required,
            Problem::TooLong { max } => TooLong { max, bytes: false },
            Problem::NotAnAmount => BadAmount,
            Problem::TooManyDecimals => TooManyDecimals,
            Problem::Negative => Negative,
            Problem::NotPositive => Zero,
            Problem::AmountTooLarge => AmountTooLarge {
                max_units: crate::money::MAX_INPUT_UNITS,
            },
            Problem::NotADate => BadDate { format },
            Problem::DateOutOfRange => DateOutOfRange {
                min_year: MIN_YEAR,
                max_year: MAX_YEAR,
            },
            Problem::InFuture => InFuture { as_of },
            Problem::UsccLength => BadUscc {
                reason: UsccReason::Length,
            },
            Problem::UsccCharacter => BadUscc {
                reason: UsccReason::Character,
            },
            Problem::UsccCheckDigit => BadUscc {
                reason: UsccReason::CheckDigit,
            },
            Problem::NotANumber => BadNumber,
            Problem::OutOfRange { min, max } => OutOfRange { min, max },
            Problem::BadEmail => BadEmail,
            Problem::BadPhone => BadPhone,
            Problem::AlreadyPaid => AlreadyPaid,
            Problem::BeforeInvoice { issue } => BeforeInvoice { issue },
            Problem::BeforeFirstCooperation { first_cooperation } => {
                BeforeFirstCooperation { first_cooperation }
            }
            other => Invalid { problem: other },
        }
    }
}

impl fmt::Display for ImportProblem {
    /// A short English form for logs (the UI writes its own sentences from the code and data).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ImportProblem::*;
        f.write_str(self.code())?;
        match self {
            Unreadable { line } => write!(f, " at line {line}"),
            MappingKind { mapping } => write!(f, " (mapping for {})", mapping.key()),
            MissingColumn { field, or } => match or {
                Some(o) => write!(f, " {} or {}", field.key(), o.key()),
                None => write!(f, " {}", field.key()),
            },
            ColumnMappedTwice {
                field,
                first_column,
            } => write!(f, " {} (first column {first_column})", field.key()),
            BadDate { format } => write!(f, " (format {format:?})"),
            DateOutOfRange { min_year, max_year } => write!(f, " ({min_year}..={max_year})"),
            InFuture { as_of } => write!(f, " (after {as_of})"),
            DueBeforeIssue { issue } => write!(f, " (issued {issue})"),
            DueTermMismatch { due_from_term } => write!(f, " (term gives {due_from_term})"),
            BeforeInvoice { issue } => write!(f, " (invoice issued {issue})"),
            BeforeFirstCooperation { first_cooperation } => {
                write!(f, " (first cooperation {first_cooperation})")
            }
            AmountTooLarge { max_units } => write!(f, " (max {max_units})"),
            OutOfRange { min, max } => write!(f, " ({min}..={max})"),
            TooLong { max, bytes } => {
                write!(f, " (max {max} {})", if *bytes { "bytes" } else { "chars" })
            }
            BadUscc { reason } => write!(f, " ({reason:?})"),
            AmbiguousCustomer { count } => write!(f, " ({count} customers)"),
            OfOtherCustomer { owner } => write!(f, " (belongs to {owner})"),
            Duplicate { first_row } | DuplicatePayment { first_row } => match first_row {
                Some(r) => write!(f, " (first at row {r})"),
                None => f.write_str(" (already stored)"),
            },
            ExceedsOpen { open, amount } | ExceedsCustomerOpen { open, amount } => {
                write!(f, " ({} > open {})", amount.to_plain(), open.to_plain())
            }
            Invalid { problem } => write!(f, " ({})", problem.code()),
            _ => Ok(()),
        }
    }
}

/// One problem found in an import, where the user will look for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    /// The spreadsheet row (header = 1, see the module documentation); 0 for the whole file.
    pub row: u64,
    /// The header text of the column, when the problem belongs to one.
    pub column: Option<String>,
    /// The field the column is mapped to.
    pub field: Option<FieldKey>,
    /// The cell as read (empty for file-level problems).
    pub value: String,
    pub problem: ImportProblem,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}", self.row)?;
        if let Some(c) = &self.column {
            write!(f, " [{c}]")?;
        }
        write!(f, ": {}", self.problem)
    }
}
