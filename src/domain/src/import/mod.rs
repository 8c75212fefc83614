//! CSV import of customers, orders, invoices, payments and credit notes: the pure core.
//!
//! The app reads the file's bytes and calls, in order:
//! [`decode`] → [`sniff_delimiter`] → [`read_table`] → [`guess_mapping`] (or a saved
//! [`Mapping`]; [`guess_date_format`] proposes its date format, and [`Mapping::map_column`]
//! changes a column by hand and guesses the format again) → [`validate`], which returns a
//! [`Plan`]: the records of the valid rows, ready to write, and every problem of every row.
//! [`error_file`] gives the rows in error back as CSV to fix. Nothing here reads the clock:
//! `as_of` is today, handed in. One file holds one [`Kind`] of record.
//!
//! # Encodings ([`decode`])
//! A UTF-8 byte-order mark is dropped ([`SourceEncoding::Utf8Bom`]); a UTF-16 mark (`FF FE`,
//! `FE FF`: Excel's "Unicode text") decodes UTF-16; bytes that are valid UTF-8 stay UTF-8;
//! anything else is GBK (encoding_rs's GBK, which decodes all of GB18030), the encoding of
//! Excel's CSV on a Chinese Windows. [`Decoded::replaced`] says whether malformed bytes became
//! U+FFFD.
//!
//! # Delimiters and rows ([`sniff_delimiter`], [`read_table`])
//! Comma, semicolon or tab, chosen by reading the first 20 non-blank records with each (quotes
//! respected): the header must split into at least 2 fields; most following records with the
//! header's field count wins, then most fields, then the order comma, semicolon, tab.
//! The csv crate reads the text: quoted fields may hold delimiters, doubled quotes (`""`) and
//! line breaks; records may have any length (short rows are padded with empty cells, and a row
//! wider than the header adds unnamed columns). Lines that are empty or hold only blank cells
//! (`,,,`) are skipped and not counted. Header cells are trimmed; data cells are kept as read
//! and trimmed when parsed.
//!
//! **Row numbers** are those a spreadsheet shows when it opens the file line by line: the line
//! number (1-based; CRLF, LF or a lone CR end a line) on which the record starts. The header is
//! row 1 (unless blank lines precede it) and the first data row is row 2; blank lines still
//! count, so the numbers match the file. A record whose quoted field spans lines is numbered by
//! the line it starts on, and the next record by its own start line. (The csv crate's record
//! position points just after the previous record, before skipped blank lines; [`read_table`]
//! moves past those line breaks to the record's first byte.) Row 0 means the whole file.
//!
//! # Mapping ([`Mapping`], [`guess_mapping`])
//! Each header column maps to at most one [`FieldKey`] of the kind, each field to at most one
//! column. Headers are compared after [`normalise_header`] (full-width to ASCII, lower case,
//! letters and digits only), first whole and then without bracketed text (`金额（元）` →
//! `金额`), against the field's key and its English and zh-CN synonyms ([`Kind::fields`]). The
//! stronger synonym wins when several columns could hold a field. Fields of another kind in a
//! saved mapping are ignored; entries past the last header are ignored.
//!
//! Required columns ([`Need`]): customers — name, region, industry, sales_rep,
//! first_cooperation (as the customer form); orders — number, customer, date, amount;
//! invoices — number, customer, issue_date, amount, and due_date or term_days (optional:
//! `disputed`, yes / no / an amount not above the invoice's, read into `Records::disputed`); payments —
//! customer, date, amount; credit notes — number, customer, invoice, date, amount.
//!
//! # Dates ([`parse_date`], [`DateFormat`])
//! Every format accepts the year-first forms: `2026-01-05`, `2026-1-5`, `2026/1/5`,
//! `2026.1.5`, `2026年1月5日`, `20260105`, each optionally followed by a time after a space or
//! `T` (`2026/1/5 0:00`), which is ignored. Full-width digits are read as digits.
//! - `Auto` (the default) and `Ymd`: nothing else. In `Auto`, `5/1/2026` and plain numbers
//!   are `I-DATE-FORMAT` (the user must say which format); in `Ymd` they are `I-DATE`.
//! - `Dmy`: also `D/M/YYYY`, `D-M-YYYY`, `D.M.YYYY`; `Mdy`: also `M/D/YYYY` and the like.
//! - `ExcelSerial`: also whole numbers (a fraction, the time, is ignored) in Excel's 1900 date
//!   system: 1 = 1900-01-01, 59 = 1900-02-28, 61 = 1900-03-01, 45000 = 2023-03-15. Serial 60
//!   is Excel's 29 February 1900, a day that never was: `I-DATE`, as are 0 and negatives.
//!
//! Years must be 1900 to 2200 (`I-DATE-RANGE`). Dates of events (issue, order, payment,
//! credit note, first cooperation, founded, report) may not be after `as_of` (`I-FUTURE`); due
//! dates may.
//!
//! # Amounts ([`parse_amount`])
//! `1234.5`, `1,234.50` (commas every three digits only), surrounding spaces, a currency sign
//! or code before or after (`¥ ￥ $ CNY RMB 人民币` before; `元 CNY RMB 人民币` after), full-width
//! digits and punctuation, negatives as `-12`, `¥-12`, `-¥12` or `(12)`. No exponents. More
//! than two decimals is `I-DECIMALS` unless the extra digits are zeros (`1.500` is exact, so
//! accepted; nothing is ever rounded). Up to 10^12 yuan (`I-AMOUNT-LARGE`). Amounts of
//! records must be positive (`I-NEGATIVE`, `I-ZERO`). Registered capital and litigation
//! amounts also accept `万` (`5000万元`, [`parse_amount_wan`]) and may be zero.
//!
//! # Rows of each kind ([`validate`])
//! Every problem of every row is reported, each at its row and column. A row with any problem
//! is in [`Plan::rows_in_error`] and not in [`Plan::records`]; every other row is a record, so
//! `records.len() + rows_in_error.len() == rows_total` unless there is a file-level problem.
//! **Warnings** ([`ImportProblem::is_warning`]) are listed apart, in [`Plan::warnings`], at
//! their row and column too: the user should see them, but they keep no row out.
//! With a file-level problem (row 0: `I-MAPPING-KIND`, `I-MISSING-COLUMN`,
//! `I-COLUMN-TWICE`) rows are still checked, but `records` stays empty and no id is drawn.
//!
//! - A **customer reference** matches a stored customer by exact trimmed name, else by USCC
//!   (18 characters, any case). Two stored customers with that name: `I-AMBIGUOUS-CUSTOMER`.
//!   Files hold one kind, so rows never refer to customers created by the same import.
//! - **Numbers** of invoices, orders and credit notes (each their own namespace) must be new:
//!   `I-DUPLICATE` with `first_row: None` when stored, `Some(row)` when an earlier row of the
//!   file has it. The first row holding a number claims it even if that row has other
//!   problems: the later one is reported all the same. Numbers are [`crate::DocNo`]s: at most
//!   24 bytes of UTF-8 (`I-TOO-LONG` with `bytes: true`), no control characters (`I-TEXT`).
//! - **Invoice**: due date if given, else issue date + term (`30`, `30天`, `30 days`; 0 to 365).
//!   Given both, they must agree (`I-DUE-TERM`, on the term). Due before issue:
//!   `I-DUE-BEFORE-ISSUE`. Issued before the customer's first cooperation: the warning
//!   `I-BEFORE-FIRST-COOPERATION` (from [`crate::ledger::invoice_warnings`], as the invoice
//!   form warns). An order number, if given, must be a stored order
//!   (`I-UNKNOWN-ORDER`) of the same customer (`I-OTHER-CUSTOMER`).
//! - **Payment**: with an invoice number, the whole amount is allocated to that stored invoice
//!   (`I-UNKNOWN-INVOICE`, `I-OTHER-CUSTOMER`, `I-BEFORE-INVOICE` when paid before it was
//!   issued, `I-ALREADY-PAID` when nothing is open on it any more, `I-EXCEEDS-OPEN` when more
//!   than is open on it). Without, it is allocated oldest due first like
//!   [`crate::Ledger::allocate_oldest_first`] and refused above the customer's total open
//!   (`I-EXCEEDS-CUSTOMER-OPEN`). "Open" is what is open now (all stored settlements, whatever
//!   their dates) minus what earlier *valid* rows of the file took.
//!   The same payment twice is `I-DUPLICATE-PAYMENT` (at the amount): same customer, date,
//!   amount, reference (none equals none) and invoice number, as an earlier row of the file
//!   (`first_row: Some(row)`; the first row claims it even if it has other problems), or as a
//!   stored payment of the customer (`first_row: None`) whose allocations all go to that
//!   invoice; a row without an invoice matches a stored payment however it was allocated.
//! - **Credit note**: like a payment to one invoice, which is required (`I-ALREADY-PAID`,
//!   `I-EXCEEDS-OPEN` alike).
//! - **Order**: status `Open`, `Shipped`, `Invoiced`, `Cancelled` or 未发货/待发货, 已发货,
//!   已开票, 已取消/取消 (any case); empty is `Open`; `Held` cannot be imported (`I-CHOICE`).
//!   Category is an optional [`crate::DocNo`].
//! - **Customer**: the row goes through [`crate::CustomerInput::validate`]; its field errors
//!   are reported at the mapped column. Dates and amounts are read first with this module's
//!   parsers (so formats, currency signs and `万` work); industry position accepts its key or
//!   龙头/主要/一般/较小 and the like; shareholders may be separated by `;` as well as line
//!   breaks. The name and the USCC must not be stored already nor repeat in the file
//!   (`I-DUPLICATE`). Custom fields are not imported.
//!
//! Records get their ids from the caller's `ids` (one call per record, in row order, only for
//! valid rows) and [`Context::meta`].
//!
//! # Problem codes ([`ImportProblem::code`])
//! | code | meaning (data) |
//! |---|---|
//! | `I-EMPTY-FILE` | no header line |
//! | `I-UNREADABLE` | the CSV reader failed (`line`) |
//! | `I-MAPPING-KIND` | the mapping is for another kind (`mapping`) |
//! | `I-MISSING-COLUMN` | no column for a required field (`field`, `or`: a field that would do instead) |
//! | `I-COLUMN-TWICE` | a second column mapped to a field, ignored (`field`, `first_column`) |
//! | `I-REQUIRED` | empty cell |
//! | `I-DATE` | not a date in the format (`format`) |
//! | `I-DATE-FORMAT` | `Auto` met a day/month-first date or a number: choose a format |
//! | `I-DATE-RANGE` | year outside (`min_year`, `max_year`) |
//! | `I-FUTURE` | after today (`as_of`) |
//! | `I-DUE-BEFORE-ISSUE` | due before the issue date (`issue`) |
//! | `I-DUE-TERM` | due date and term disagree (`due_from_term`) |
//! | `I-BEFORE-INVOICE` | dated before the invoice's issue date (`issue`) |
//! | `I-BEFORE-FIRST-COOPERATION` | warning: invoice issued before the customer's first cooperation (`first_cooperation`) |
//! | `I-AMOUNT` | not an amount |
//! | `I-DECIMALS` | more than 2 decimals |
//! | `I-NEGATIVE` | negative amount |
//! | `I-ZERO` | zero amount where positive is needed |
//! | `I-AMOUNT-LARGE` | above `max_units` yuan |
//! | `I-NUMBER` | not a whole number |
//! | `I-RANGE` | number outside (`min`, `max`) |
//! | `I-TOO-LONG` | longer than `max` characters, or bytes when `bytes` |
//! | `I-TEXT` | control character in a document number |
//! | `I-CHOICE` | not an accepted status or industry position |
//! | `I-USCC` | bad USCC (`reason`: length, character, check digit) |
//! | `I-EMAIL` / `I-PHONE` | bad e-mail / phone |
//! | `I-UNKNOWN-CUSTOMER` | no stored customer with that name or USCC |
//! | `I-AMBIGUOUS-CUSTOMER` | several stored customers with that name (`count`) |
//! | `I-UNKNOWN-USER` | a sales rep that is no user of the directory (by name or id) |
//! | `I-AMBIGUOUS-USER` | several users of the directory with that name (`count`) |
//! | `I-UNKNOWN-INVOICE` / `I-UNKNOWN-ORDER` | no stored invoice / order with that number |
//! | `I-OTHER-CUSTOMER` | the invoice or order belongs to another customer (`owner`) |
//! | `I-DUPLICATE` | number, name or USCC taken (`first_row`: `None` = stored) |
//! | `I-DUPLICATE-PAYMENT` | the same payment again (`first_row`: `None` = stored) |
//! | `I-ALREADY-PAID` | nothing is open on the invoice any more |
//! | `I-EXCEEDS-OPEN` | more than open on the invoice (`open`, `amount`) |
//! | `I-EXCEEDS-CUSTOMER-OPEN` | more than the customer's total open (`open`, `amount`) |
//! | `I-INVALID` | another customer-form problem (`problem`: its `E-` code) |
//!
//! # Writing CSV ([`write_csv`], [`error_file`])
//! UTF-8 with a byte-order mark and CRLF line ends, as Excel expects; fields quoted only when
//! needed. The error file holds the rows in error with their original cells and a last column
//! `problems`: `CODE (column)` items separated by `; `.
//!
//! # Speed
//! Lookups are built once per call (stored customers by name and USCC; stored numbers only
//! for the numbers the file holds, by one scan of the ledger; open amounts per customer on
//! first use), so a row costs a few hash lookups and no search of the ledger.

mod fields;
mod problem;
mod recheck;
mod table;
mod validate;
mod values;

pub use fields::{guess_mapping, normalise_header, Field, FieldKey, Kind, Mapping, Need};
pub use problem::{ImportProblem, RowProblem, UsccReason};
pub use recheck::{recheck, Recheck};
pub use table::{
    decode, error_file, inert_cell, read_table, sniff_delimiter, write_csv, Decoded,
    SourceEncoding, Table, TableReader, DELIMITERS, PROBLEMS_COLUMN,
};
pub use validate::{user_named, validate, Check, Context, Plan, Records};
pub use values::{
    excel_serial_to_date, fold_char, guess_date_format, parse_amount, parse_amount_wan, parse_date,
    parse_doc_no, parse_industry_position, parse_order_status, parse_positive_amount,
    parse_term_days, DateFormat,
};
