//! The whole database as one JSON backup file, and back.
//!
//! A backup holds every store: settings (except this device's id), customers, the ledger's
//! orders, invoices, payments and credit notes (as JSON records, in stored order), custom field
//! definitions, scorecard models, requests, alerts, tasks, the audit trail, attachments
//! (base64) and the outbox. It names its format and the schema version it was written at, and
//! how many rows each of the ledger's sections holds (`counts`: a reader makes room for them at
//! once; a hint, never checked, which a file written before 2026-12-06 lacks).
//!
//! **Canonical and byte-stable.** Every JSON record is written with its keys sorted and no
//! spaces, one record a line, in the order the database keeps them; so restoring a backup into
//! an empty database and exporting again gives the same bytes.
//!
//! **Validated before anything is written.** [`parse`] reads every record with the types the
//! app reads them with and collects every problem with its place (`invoices[12]`) and a stable
//! code; a file with any problem is refused whole.
//!
//! **Read a piece at a time.** [`Scanner`] takes the file's bytes as they come and decodes
//! each record once its last byte is in; [`parse`] and [`parse_reader`] are it fed whole or a
//! megabyte at a time, and the browser feeds it between the page's turns.
//!
//! **Older schemas are migrated.** A backup written at an older schema version lacks the stores
//! that came later (they are empty), and its requests (schema 3) are in the form used before
//! the approval workflow: they are converted as the app converts stored ones
//! ([`creditdesk_domain::request::from_stored`]); customers written before credit limits existed
//! get empty limits. A backup from a newer schema than this app's is refused.

use crate::canonical::canonical as canon;
use crate::codec::Rows;
use crate::schema::VERSION;
use crate::OutboxEntry;
use base64::Engine;
use creditdesk_domain::approval::AuditEntry;
use creditdesk_domain::monitor::{Alert, Task};
use creditdesk_domain::Customer;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

mod scan;
mod syntax;
pub use scan::Scanner;

/// The format marker of a backup file.
pub const FORMAT: &str = "creditdesk-backup";
/// The meta key of this device's id: never exported, never restored.
pub const DEVICE_KEY: &str = "device";

/// Everything in the database, as stored (JSON documents as text, the ledger decoded).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dump {
    pub meta: Vec<(String, String)>,
    pub customers: Vec<String>,
    pub rows: Rows,
    pub field_defs: Vec<(String, String)>,
    pub models: Vec<(String, String)>,
    pub requests: Vec<(String, String)>,
    pub alerts: Vec<(String, String)>,
    pub tasks: Vec<(String, String)>,
    /// Audit entries as JSON, in sequence order.
    pub audit: Vec<String>,
    pub attachments: Vec<(String, Vec<u8>)>,
    pub outbox: Vec<String>,
    /// The ledger as chunks ready to store (a pull's, fetched as bytes): when set, a restore
    /// writes them as they are and `rows` is not read. Never in a backup file.
    pub chunks: Option<Vec<(String, Vec<u8>)>>,
}

/// Counts of a dump, per section, for the restore screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub customers: usize,
    pub orders: usize,
    pub invoices: usize,
    pub payments: usize,
    pub credit_notes: usize,
    pub corrections: usize,
    pub requests: usize,
    pub alerts: usize,
    pub tasks: usize,
    pub audit: usize,
    pub attachments: usize,
}

impl Dump {
    pub fn counts(&self) -> Counts {
        Counts {
            customers: self.customers.len(),
            orders: self.rows.orders.len(),
            invoices: self.rows.invoices.len(),
            payments: self.rows.payments.len(),
            credit_notes: self.rows.credit_notes.len(),
            corrections: self.rows.corrections.len(),
            requests: self.requests.len(),
            alerts: self.alerts.len(),
            tasks: self.tasks.len(),
            audit: self.audit.len(),
            attachments: self.attachments.len(),
        }
    }
}

/// Why a backup file is refused. [`BackupCode::code`] is the stable code the UI shows and tests
/// match on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BackupCode {
    /// `BK-JSON`: the file is not JSON.
    Json,
    /// `BK-FORMAT`: the file is not a JSON object, or does not name the backup format.
    Format,
    /// `BK-SCHEMA`: the schema version is missing or not a version.
    Schema,
    /// `BK-NEWER`: the file was written at a newer schema version than this app's.
    Newer,
    /// `BK-SECTION`: a section (a store) is not a list.
    Section,
    /// `BK-RECORD`: a record does not read as the app reads it (or is not a `[key, value]`
    /// pair where one is expected).
    Record,
    /// `BK-BASE64`: an attachment's content is not base64.
    Base64,
}

impl BackupCode {
    /// Every code.
    pub const ALL: [BackupCode; 7] = [
        BackupCode::Json,
        BackupCode::Format,
        BackupCode::Schema,
        BackupCode::Newer,
        BackupCode::Section,
        BackupCode::Record,
        BackupCode::Base64,
    ];

    /// The stable code, e.g. `BK-RECORD`.
    pub fn code(self) -> &'static str {
        match self {
            BackupCode::Json => "BK-JSON",
            BackupCode::Format => "BK-FORMAT",
            BackupCode::Schema => "BK-SCHEMA",
            BackupCode::Newer => "BK-NEWER",
            BackupCode::Section => "BK-SECTION",
            BackupCode::Record => "BK-RECORD",
            BackupCode::Base64 => "BK-BASE64",
        }
    }
}

impl std::fmt::Display for BackupCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What is wrong with a backup file: a stable code, where, and the reader's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupProblem {
    pub code: BackupCode,
    /// The place: `file`, `schema`, `invoices[12]`, `requests["r-1"]`.
    pub at: String,
    pub detail: String,
}

/// A backup as read: its schema version and the dump, migrated to the current schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Backup {
    pub schema: u32,
    pub dump: Dump,
}

/// At most this many problems are listed (the count says how many there were).
pub const MAX_PROBLEMS: usize = 200;

/// The text of a JSON document with sorted keys and no spaces; `text` unchanged if not JSON (see
/// [`crate::canonical`]: a text already canonical is not parsed again).
pub fn canonical(text: &str) -> String {
    crate::canonical::canonical(text).into_owned()
}

fn pair(k: &str, v: &str) -> String {
    format!("[{},{v}]", Value::String(k.to_string()))
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .expect("records serialise")
        .to_string()
}

// The ledger's invoices and payments (nearly all of a large book's file) with their keys in sorted
// order as declared here, written straight from the rows: the same text as [`json`], which builds
// a tree of each record first (a tree for each of two million records held a browser's page for
// seconds). `the_ledger_records_are_written_as_their_json_trees_write_them` holds them to it.
#[derive(serde::Serialize)]
struct MetaOut {
    device: creditdesk_domain::DeviceId,
    updated_at: creditdesk_domain::Timestamp,
    version: u32,
}

impl From<&creditdesk_domain::Meta> for MetaOut {
    fn from(m: &creditdesk_domain::Meta) -> Self {
        MetaOut {
            device: m.device,
            updated_at: m.updated_at,
            version: m.version,
        }
    }
}

#[derive(serde::Serialize)]
struct InvoiceOut {
    amount: creditdesk_domain::Money,
    customer: creditdesk_domain::CustomerId,
    due_date: creditdesk_domain::Date,
    id: creditdesk_domain::InvoiceId,
    issue_date: creditdesk_domain::Date,
    meta: MetaOut,
    number: creditdesk_domain::DocNo,
    order: Option<creditdesk_domain::OrderId>,
}

#[derive(serde::Serialize)]
struct AllocationOut {
    amount: creditdesk_domain::Money,
    invoice: creditdesk_domain::InvoiceId,
}

#[derive(serde::Serialize)]
struct PaymentOut {
    allocations: Vec<AllocationOut>,
    amount: creditdesk_domain::Money,
    customer: creditdesk_domain::CustomerId,
    date: creditdesk_domain::Date,
    id: creditdesk_domain::PaymentId,
    meta: MetaOut,
    reference: Option<creditdesk_domain::DocNo>,
}

fn invoice_json(i: &creditdesk_domain::Invoice) -> String {
    let out = InvoiceOut {
        amount: i.amount,
        customer: i.customer,
        due_date: i.due_date,
        id: i.id,
        issue_date: i.issue_date,
        meta: (&i.meta).into(),
        number: i.number,
        order: i.order,
    };
    serde_json::to_string(&out).expect("records serialise")
}

fn payment_json(p: &creditdesk_domain::Payment) -> String {
    let out = PaymentOut {
        allocations: p
            .allocations
            .iter()
            .map(|a| AllocationOut {
                amount: a.amount,
                invoice: a.invoice,
            })
            .collect(),
        amount: p.amount,
        customer: p.customer,
        date: p.date,
        id: p.id,
        meta: (&p.meta).into(),
        reference: p.reference,
    };
    serde_json::to_string(&out).expect("records serialise")
}

/// Writes a dump as a backup file at the current schema version.
pub fn to_json(d: &Dump) -> String {
    let mut out = Vec::new();
    write_json(d, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// Writes a dump as a backup file to `out` record by record (the file is never one string in
/// memory: a server writes the large book's backup straight to disk).
pub fn write_json(d: &Dump, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut w = Writer::new(d);
    while !w.write_some(out, usize::MAX)? {}
    Ok(())
}

/// The sections of a backup file, in their order.
const SECTIONS: [&str; 15] = [
    "meta",
    "customers",
    "orders",
    "invoices",
    "payments",
    "credit_notes",
    "corrections",
    "field_defs",
    "models",
    "requests",
    "alerts",
    "tasks",
    "audit",
    "attachments",
    "outbox",
];

/// A backup file written a few records at a time ([`Writer::write_some`]), so that a browser's
/// page can write a large book's file between its other work, in parts it hands over as they
/// are written; [`write_json`] writes it in one go. Either way the same bytes.
pub struct Writer<'d> {
    d: &'d Dump,
    /// The settings that travel (not this device's own).
    meta: Vec<&'d (String, String)>,
    /// The documents of each kind (field definitions, models, requests, alerts, tasks) but those
    /// whose text is empty: a removed one, such as the scorecard's draft once it is published.
    /// (Written as `["draft",]`, it made the whole file unreadable.)
    docs: [Vec<&'d (String, String)>; 5],
    /// 0 before the file's head; then the section `SECTIONS[part - 1]`; then the file's end;
    /// past it, done.
    part: usize,
    /// The next record of the section.
    at: usize,
    /// The section's opening is written.
    opened: bool,
    /// The record at `at`, when it is a large stored text being checked and written a piece at
    /// a time ([`PIECE`]).
    large: Option<Large<'d>>,
}

/// A stored text (a customer, an audit entry, an outbox record) of this many bytes or more (an
/// import's command: megabytes) is checked as canonical and written [`PIECE`] bytes for each
/// record of a [`Writer::write_some`] call's count, so that no call holds a page for the whole
/// of it (it was a task of about 150 ms, the last long one of a large book's backup).
pub const LARGE: usize = 2 * PIECE;
/// What one record of a [`Writer::write_some`] call's count stands for in a large record.
pub const PIECE: usize = 64 << 10;

/// A large record under way: its canonical check, then how much of it is written.
struct Large<'d> {
    text: &'d str,
    check: crate::canonical::Check<'d>,
    written: Option<usize>,
}

impl<'d> Writer<'d> {
    pub fn new(d: &'d Dump) -> Writer<'d> {
        Writer {
            d,
            meta: d
                .meta
                .iter()
                .filter(|(k, _)| crate::meta_travels(k))
                .collect(),
            docs: [&d.field_defs, &d.models, &d.requests, &d.alerts, &d.tasks]
                .map(|docs| docs.iter().filter(|(_, v)| !v.is_empty()).collect()),
            part: 0,
            at: 0,
            opened: false,
            large: None,
        }
    }

    /// How many records the file holds in all (for a progress bar).
    pub fn records(&self) -> usize {
        (1..=SECTIONS.len()).map(|p| self.len(p)).sum()
    }

    /// How many records are written so far.
    pub fn written(&self) -> usize {
        (1..self.part.min(SECTIONS.len() + 1))
            .map(|p| self.len(p))
            .sum::<usize>()
            + self.at
    }

    fn len(&self, part: usize) -> usize {
        let d = self.d;
        match part {
            1 => self.meta.len(),
            2 => d.customers.len(),
            3 => d.rows.orders.len(),
            4 => d.rows.invoices.len(),
            5 => d.rows.payments.len(),
            6 => d.rows.credit_notes.len(),
            7 => d.rows.corrections.len(),
            8..=12 => self.docs[part - 8].len(),
            13 => d.audit.len(),
            14 => d.attachments.len(),
            15 => d.outbox.len(),
            _ => 0,
        }
    }

    fn record(&self, part: usize, i: usize) -> Cow<'_, str> {
        let d = self.d;
        let doc = |docs: &[&(String, String)]| pair(&docs[i].0, &canon(&docs[i].1)).into();
        match part {
            1 => pair(
                &self.meta[i].0,
                &Value::String(self.meta[i].1.clone()).to_string(),
            )
            .into(),
            2 | 13 | 15 => canon(self.stored(part, i).expect("a stored text")),
            3 => json(&d.rows.orders[i]).into(),
            4 => invoice_json(&d.rows.invoices[i]).into(),
            5 => payment_json(&d.rows.payments[i]).into(),
            6 => json(&d.rows.credit_notes[i]).into(),
            7 => json(&d.rows.corrections[i]).into(),
            8..=12 => doc(&self.docs[part - 8]),
            14 => {
                let b64 = base64::engine::general_purpose::STANDARD;
                let (k, v) = &d.attachments[i];
                pair(k, &Value::String(b64.encode(v)).to_string()).into()
            }
            _ => unreachable!("no section {part}"),
        }
    }

    /// The record, when it is a stored text, written as it is when it is canonical (a customer,
    /// an audit entry, a command: the app stores them canonical, `Payload::of`).
    fn stored(&self, part: usize, i: usize) -> Option<&'d str> {
        let d = self.d;
        match part {
            2 => Some(&d.customers[i]),
            13 => Some(&d.audit[i]),
            15 => Some(&d.outbox[i]),
            _ => None,
        }
    }

    /// One piece of a large record: [`PIECE`] bytes of it checked, or written (the step that
    /// ends the check writes the first piece). True once it is written whole: copied when it is
    /// canonical, else written again in one go (only a record the app did not write).
    fn large_piece(
        &mut self,
        out: &mut impl std::io::Write,
        text: &'d str,
        first: bool,
    ) -> std::io::Result<bool> {
        let large = self.large.get_or_insert_with(|| Large {
            text,
            check: crate::canonical::Check::new(text),
            written: None,
        });
        let text = large.text;
        let written = match (large.written, large.check.step(PIECE)) {
            (_, None) => return Ok(false),
            (None, Some(false)) => {
                self.large = None;
                out.write_all(separator(first))?;
                out.write_all(canon(text).as_bytes())?;
                return Ok(true);
            }
            (None, Some(true)) => {
                large.written = Some(0);
                out.write_all(separator(first))?;
                0
            }
            (Some(written), _) => written,
        };
        let end = (written + PIECE).min(text.len());
        out.write_all(&text.as_bytes()[written..end])?;
        large.written = Some(end);
        if end == text.len() {
            self.large = None;
            return Ok(true);
        }
        Ok(false)
    }

    /// Writes up to `records` more records (and the openings and closings around them); true
    /// once the whole file is written. A [`LARGE`] record counts as one record for each
    /// [`PIECE`] of it checked and for each written after the first.
    pub fn write_some(
        &mut self,
        out: &mut impl std::io::Write,
        mut records: usize,
    ) -> std::io::Result<bool> {
        if self.part == 0 {
            write!(out, "{{\"format\":\"{FORMAT}\",\"schema\":{VERSION}")?;
            // How many rows the ledger's sections hold: a reader makes room for them at once
            // (`Scanner`), rather than growing its lists by doubling. A hint, never checked.
            let r = &self.d.rows;
            write!(
                out,
                ",\"counts\":{{\"corrections\":{},\"credit_notes\":{},\"invoices\":{},\"orders\":{},\"payments\":{}}}",
                r.corrections.len(),
                r.credit_notes.len(),
                r.invoices.len(),
                r.orders.len(),
                r.payments.len()
            )?;
            self.part = 1;
        }
        while self.part <= SECTIONS.len() {
            let len = self.len(self.part);
            if !self.opened {
                write!(out, ",\n\"{}\":[", SECTIONS[self.part - 1])?;
                self.opened = true;
            }
            while self.at < len {
                if records == 0 {
                    return Ok(false);
                }
                records -= 1;
                let first = self.at == 0;
                let large = self.stored(self.part, self.at).filter(|t| t.len() >= LARGE);
                if let Some(text) = large {
                    if !self.large_piece(out, text, first)? {
                        continue;
                    }
                } else {
                    out.write_all(separator(first))?;
                    out.write_all(self.record(self.part, self.at).as_bytes())?;
                }
                self.at += 1;
            }
            out.write_all(if len == 0 { b"]" } else { b"\n]" })?;
            self.part += 1;
            self.at = 0;
            self.opened = false;
        }
        if self.part == SECTIONS.len() + 1 {
            out.write_all(b"\n}\n")?;
            self.part += 1;
        }
        Ok(true)
    }
}

/// What goes before a section's record: a new line, after a comma but before the first.
fn separator(first: bool) -> &'static [u8] {
    if first {
        b"\n"
    } else {
        b",\n"
    }
}

struct Reader {
    problems: Vec<BackupProblem>,
    count: usize,
}

impl Reader {
    fn problem(&mut self, code: BackupCode, at: String, detail: impl ToString) {
        self.count += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(BackupProblem {
                code,
                at,
                detail: detail.to_string(),
            });
        }
    }
    fn array<'a>(&mut self, root: &'a serde_json::Map<String, Value>, name: &str) -> &'a [Value] {
        match root.get(name) {
            None => &[],
            Some(Value::Array(a)) => a,
            Some(_) => {
                self.problem(BackupCode::Section, name.to_string(), "not a list");
                &[]
            }
        }
    }
    /// [`Reader::pairs`], or the pairs the scanner checked as it read them (`checked`).
    fn pairs_checked(
        &mut self,
        root: &serde_json::Map<String, Value>,
        checked: &mut BTreeMap<String, Vec<scan::Pair>>,
        name: &str,
        check: &dyn Fn(&Value) -> Result<String, String>,
    ) -> Vec<(String, String)> {
        match checked.remove(name) {
            Some(records) => self.take_pairs(name, records),
            None => self.pairs(root, name, check),
        }
    }
    /// `[key, value]` pairs; the value is checked by `check`, which may convert it.
    fn pairs(
        &mut self,
        root: &serde_json::Map<String, Value>,
        name: &str,
        check: &dyn Fn(&Value) -> Result<String, String>,
    ) -> Vec<(String, String)> {
        let records: Vec<scan::Pair> = self
            .array(root, name)
            .iter()
            .map(|v| pair_of(v, check))
            .collect();
        self.take_pairs(name, records)
    }
    /// The pairs of the section `name` that were checked good; each other one a problem at its
    /// place.
    fn take_pairs(&mut self, name: &str, records: Vec<scan::Pair>) -> Vec<(String, String)> {
        let mut out = Vec::with_capacity(records.len());
        for (i, record) in records.into_iter().enumerate() {
            match record {
                Ok(pair) => out.push(pair),
                Err((Some(k), e)) => {
                    self.problem(BackupCode::Record, format!("{name}[{i}] ({k})"), e)
                }
                Err((None, e)) => self.problem(BackupCode::Record, format!("{name}[{i}]"), e),
            }
        }
        out
    }
}

/// A record of a section of `[key, value]` pairs, its value checked by `check` (which may
/// convert it): as a tree of the file reads it, and as the scanner reads it record by record.
fn pair_of(v: &Value, check: &dyn Fn(&Value) -> Result<String, String>) -> scan::Pair {
    match v.as_array().map(Vec::as_slice) {
        Some([Value::String(k), value]) => match check(value) {
            Ok(text) => Ok((k.clone(), text)),
            Err(e) => Err((Some(k.clone()), e)),
        },
        _ => Err((None, "not a [key, value] pair".to_string())),
    }
}

fn decodes<T: DeserializeOwned>(v: &Value) -> Result<String, String> {
    T::deserialize(v)
        .map(|_| v.to_string())
        .map_err(|e| e.to_string())
}

/// Reads a backup file: every record is checked, older schemas are migrated. Any problem
/// refuses the whole file; the problems come back with the total count.
pub fn parse(text: &str) -> Result<Backup, (Vec<BackupProblem>, usize)> {
    // A megabyte at a time, as from a file: the scanner never holds a copy of the whole text.
    read_into(Scanner::of_len(text.len() as u64), text.as_bytes())
}

/// [`parse`] reading from `r` a megabyte at a time: the records are decoded as they are read
/// (see [`Scanner`]), so that neither the file nor a tree of it is ever whole in memory.
pub fn parse_reader(r: impl std::io::Read) -> Result<Backup, (Vec<BackupProblem>, usize)> {
    read_into(Scanner::new(), r)
}

fn read_into(
    mut s: Scanner,
    mut r: impl std::io::Read,
) -> Result<Backup, (Vec<BackupProblem>, usize)> {
    let mut room = vec![0; 1 << 20];
    loop {
        match r.read(&mut room) {
            Ok(0) => break,
            Ok(n) => s.feed(&room[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(json_problem("file".into(), e.to_string())),
        }
    }
    s.finish()
}

/// What the files written before 2026-12-05 hold for a scorecard's draft removed by publishing:
/// the record `["draft",]`, whose trailing comma no JSON reader takes, so that such a file was
/// refused whole. Read as if the record were not there (a removed draft is no draft; see
/// [`Scanner`]).
const REMOVED_DRAFT: &[u8] = b"[\"draft\",]";

/// The file's top level, as [`Scanner`] read it: every section as JSON, except the ledger's,
/// decoded record by record. (One is made for a whole file, and moved once: its size is of no
/// matter.)
#[allow(clippy::large_enum_variant)]
enum Root {
    NotObject,
    Object {
        sections: serde_json::Map<String, Value>,
        rows: Rows,
        /// (where, what) of each ledger record that does not decode.
        problems: Vec<(String, String)>,
        /// The records of the sections checked as they were read (the outbox, the customers, the
        /// audit trail),
        /// as canonical text or what is wrong with each; such a section is not in `sections`.
        checked: BTreeMap<String, Vec<Result<String, String>>>,
        /// The `[key, value]` records of the sections checked as they were read (alerts,
        /// tasks), checked; such a section is not in `sections`.
        pairs: BTreeMap<String, Vec<scan::Pair>>,
    },
}

/// [`parse`] by way of a tree of the whole file: what the tests hold the scanner to. Not for use:
/// it holds the file twice over in memory. Two differences, on files no writer makes: a key given
/// twice keeps its last value here, where the scanner (as the reader before it) reads every
/// ledger section given; and the ledger's problems come in the keys' order, not the file's.
#[doc(hidden)]
pub fn parse_as_tree(text: &str) -> Result<Backup, (Vec<BackupProblem>, usize)> {
    let root = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => {
            let (mut sections, mut rows, mut problems) =
                (serde_json::Map::new(), Rows::default(), Vec::new());
            fn ledger<T: DeserializeOwned>(
                name: &str,
                v: &Value,
                out: &mut Vec<T>,
                problems: &mut Vec<(String, String)>,
            ) {
                let Value::Array(records) = v else {
                    problems.push((name.to_string(), "not a list".into()));
                    return;
                };
                for (i, r) in records.iter().enumerate() {
                    match T::deserialize(r) {
                        Ok(t) => out.push(t),
                        Err(e) => problems.push((format!("{name}[{i}]"), e.to_string())),
                    }
                }
            }
            for (k, v) in map {
                match k.as_str() {
                    "orders" => ledger(&k, &v, &mut rows.orders, &mut problems),
                    "invoices" => ledger(&k, &v, &mut rows.invoices, &mut problems),
                    "payments" => ledger(&k, &v, &mut rows.payments, &mut problems),
                    "credit_notes" => ledger(&k, &v, &mut rows.credit_notes, &mut problems),
                    "corrections" => ledger(&k, &v, &mut rows.corrections, &mut problems),
                    _ => drop(sections.insert(k, v)),
                }
            }
            Root::Object {
                sections,
                rows,
                problems,
                checked: BTreeMap::new(),
                pairs: BTreeMap::new(),
            }
        }
        Ok(_) => Root::NotObject,
        Err(e) => {
            return Err(json_problem(
                format!("line {} column {}", e.line(), e.column()),
                e.to_string(),
            ))
        }
    };
    from_root(root)
}

/// The file is not JSON: where (`line L column C`) and what.
fn json_problem(at: String, detail: String) -> (Vec<BackupProblem>, usize) {
    let mut r = Reader {
        problems: Vec::new(),
        count: 0,
    };
    r.problem(BackupCode::Json, at, detail);
    (r.problems, r.count)
}

/// The records of the section `name` that read as `T`, as their canonical text passed through
/// `keep` (which may write one again, as an older schema's is migrated); each one that does not is
/// a problem at `name[i]`. As the scanner checked them while reading, or (a file read as a tree)
/// from the tree.
fn checked_records<T: DeserializeOwned>(
    r: &mut Reader,
    root: &serde_json::Map<String, Value>,
    checked: &mut BTreeMap<String, Vec<Result<String, String>>>,
    name: &str,
    keep: impl Fn(String) -> Result<String, String>,
) -> Vec<String> {
    let records: Vec<Result<String, String>> = match checked.remove(name) {
        Some(records) => records,
        None => r
            .array(root, name)
            .iter()
            .map(|v| {
                T::deserialize(v)
                    .map(|_| v.to_string())
                    .map_err(|e| e.to_string())
            })
            .collect(),
    };
    records
        .into_iter()
        .enumerate()
        .filter_map(|(i, record)| match record.and_then(&keep) {
            Ok(text) => Some(text),
            Err(e) => {
                r.problem(BackupCode::Record, format!("{name}[{i}]"), e);
                None
            }
        })
        .collect()
}

/// The backup a file's top level holds: every section checked, older schemas migrated.
fn from_root(root: Root) -> Result<Backup, (Vec<BackupProblem>, usize)> {
    let mut r = Reader {
        problems: Vec::new(),
        count: 0,
    };
    let Root::Object {
        sections,
        rows,
        problems: ledger_problems,
        mut checked,
        mut pairs,
    } = root
    else {
        r.problem(BackupCode::Format, "file".into(), "not a JSON object");
        return Err((r.problems, r.count));
    };
    let root = &sections;
    if root.get("format").and_then(Value::as_str) != Some(FORMAT) {
        r.problem(
            BackupCode::Format,
            "format".into(),
            format!("not \"{FORMAT}\""),
        );
        return Err((r.problems, r.count));
    }
    let schema = match root.get("schema").and_then(Value::as_u64) {
        Some(s) if s >= 1 && s <= VERSION as u64 => s as u32,
        Some(s) if s > VERSION as u64 => {
            r.problem(
                BackupCode::Newer,
                "schema".into(),
                format!("{s} > {VERSION}"),
            );
            return Err((r.problems, r.count));
        }
        _ => {
            r.problem(BackupCode::Schema, "schema".into(), "not a schema version");
            return Err((r.problems, r.count));
        }
    };
    let meta = r.pairs(root, "meta", &|v| {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| "not text".to_string())
    });
    let customers = checked_records::<Customer>(&mut r, root, &mut checked, "customers", |text| {
        // Before schema 4 a customer had no limits: written as the app reads it.
        if schema < 4 {
            serde_json::from_str::<Customer>(&text)
                .map(|c| json(&c))
                .map_err(|e| e.to_string())
        } else {
            Ok(text)
        }
    });
    for (at, detail) in ledger_problems {
        let code = if detail == "not a list" {
            BackupCode::Section
        } else {
            BackupCode::Record
        };
        r.problem(code, at, detail);
    }
    let any = |v: &Value| Ok(v.to_string());
    let field_defs = r.pairs(root, "field_defs", &any);
    let models = r.pairs(root, "models", &|v| {
        let text = v.to_string();
        creditdesk_domain::rating::Scorecard::from_json(&text)
            .map(|_| text)
            .map_err(|e| format!("{e:?}"))
    });
    let requests = r.pairs(root, "requests", &|v| {
        let text = v.to_string();
        let req = creditdesk_domain::request::from_stored(&text)?;
        // Requests of schema 3 are converted to the workflow's form.
        Ok(if schema < 4 { json(&req) } else { text })
    });
    let alerts = r.pairs_checked(root, &mut pairs, "alerts", &decodes::<Alert>);
    let tasks = r.pairs_checked(root, &mut pairs, "tasks", &decodes::<Task>);
    let audit = checked_records::<AuditEntry>(&mut r, root, &mut checked, "audit", Ok);
    let b64 = base64::engine::general_purpose::STANDARD;
    let attachments: Vec<(String, Vec<u8>)> = r
        .pairs(root, "attachments", &|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| "not text".into())
        })
        .into_iter()
        .enumerate()
        .filter_map(|(i, (k, v))| match b64.decode(v.as_bytes()) {
            Ok(bytes) => Some((k, bytes)),
            Err(e) => {
                r.problem(BackupCode::Base64, format!("attachments[{i}] ({k})"), e);
                None
            }
        })
        .collect();
    let outbox = checked_records::<OutboxEntry>(&mut r, root, &mut checked, "outbox", Ok);
    if r.count > 0 {
        return Err((r.problems, r.count));
    }
    Ok(Backup {
        schema,
        dump: Dump {
            chunks: None,
            meta: meta
                .into_iter()
                .filter(|(k, _)| crate::meta_travels(k))
                .collect(),
            customers,
            rows,
            field_defs,
            models,
            requests,
            alerts,
            tasks,
            audit,
            attachments,
            outbox,
        },
    })
}

/// What a merge did, per section: records added from the backup, and records of the backup
/// that replaced an older version here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    pub added: BTreeMap<&'static str, usize>,
    pub updated: BTreeMap<&'static str, usize>,
    /// The audit trail stays this device's (a chain cannot take another's entries).
    pub audit_kept: bool,
    /// Customers whose limits, freeze or grade override the backup would have changed without
    /// an approved request and its audit entries behind it: their credit controls stay as they
    /// are here (the rest of the record is merged). `(customer id, name)`.
    pub controls_refused: Vec<(String, String)>,
}

/// `(version, updated_at)` of a record's `meta`, when it has one.
fn stamp(text: &str) -> (u64, i64) {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    (
        v.pointer("/meta/version")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        v.pointer("/meta/updated_at")
            .and_then(Value::as_i64)
            .unwrap_or(0),
    )
}

fn merge_keyed(
    name: &'static str,
    current: &[(String, String)],
    incoming: &[(String, String)],
    report: &mut MergeReport,
) -> Vec<(String, String)> {
    let mut out: BTreeMap<String, String> = current.iter().cloned().collect();
    for (k, v) in incoming {
        match out.get(k) {
            None => {
                out.insert(k.clone(), v.clone());
                *report.added.entry(name).or_default() += 1;
            }
            Some(here) if stamp(v) > stamp(here) => {
                out.insert(k.clone(), v.clone());
                *report.updated.entry(name).or_default() += 1;
            }
            Some(_) => {}
        }
    }
    out.into_iter().collect()
}

/// What a merge needs to judge a change of credit controls, read once per merge.
struct Controls {
    /// Each customer here, by id: its limits and grade override.
    here: BTreeMap<
        String,
        (
            creditdesk_domain::credit::Limits,
            Option<creditdesk_domain::request::GradeOverride>,
        ),
    >,
    /// Customers with an approved request in the backup that is not approved here, decided (its
    /// last decision an approval) and with its `request.approved` audit entry in the backup.
    backed: BTreeSet<String>,
}

impl Controls {
    fn read(current: &Dump, incoming: &Dump) -> Controls {
        use creditdesk_domain::approval::{AuditEntry, State};
        use creditdesk_domain::Customer;
        let here = current
            .customers
            .iter()
            .filter_map(|t| serde_json::from_str::<Customer>(t).ok())
            .map(|c| (c.id.to_string(), (c.limits, c.grade_override)))
            .collect();
        let approved_here: BTreeSet<String> = current
            .requests
            .iter()
            .filter_map(|(_, t)| creditdesk_domain::request::from_stored(t).ok())
            .filter(|r| r.state() == State::Approved)
            .map(|r| r.id.to_string())
            .collect();
        let audited: BTreeSet<String> = incoming
            .audit
            .iter()
            .filter_map(|t| serde_json::from_str::<AuditEntry>(t).ok())
            .filter(|e| e.what == "request.approved")
            .map(|e| e.subject)
            .collect();
        let backed = incoming
            .requests
            .iter()
            .filter_map(|(_, t)| creditdesk_domain::request::from_stored(t).ok())
            .filter(|r| {
                r.state() == State::Approved
                    && r.flow.decisions.last().is_some_and(|d| d.approve)
                    && r.kind.changes_limits_or_grade()
                    && !approved_here.contains(&r.id.to_string())
                    && audited.contains(&format!("request:{}", r.id))
            })
            .map(|r| r.customer.to_string())
            .collect();
        Controls { here, backed }
    }

    /// Keeps a merged customer's credit controls (limits, freeze, grade override) as they are
    /// here unless the backup carries what changed them (see `backed`). A refused change is
    /// listed in the report; the rest of the record is merged. A record that does not read is
    /// refused whole: the one here stays (or, for a new customer, none is added).
    fn guard(&self, id: &str, merged: String, report: &mut MergeReport) -> Option<String> {
        let Ok(mut c) = serde_json::from_str::<creditdesk_domain::Customer>(&merged) else {
            report
                .controls_refused
                .push((id.to_string(), String::new()));
            return None;
        };
        let (limits, grade_override) = self.here.get(id).cloned().unwrap_or_default();
        if (c.limits == limits && c.grade_override == grade_override) || self.backed.contains(id) {
            return Some(merged);
        }
        report
            .controls_refused
            .push((c.id.to_string(), c.name.clone()));
        c.limits = limits;
        c.grade_override = grade_override;
        Some(crate::customer_to_json(&c))
    }
}

/// Merges a backup into what is here: records the database lacks are added; a record both
/// have is taken from the backup only when its version (then its time) is newer. Ledger rows
/// are added when their id (for orders, their id and version) is new. Settings and the audit
/// trail stay as they are here (a setting only the backup has is added).
pub fn merge(current: &Dump, incoming: &Dump) -> (Dump, MergeReport) {
    let mut report = MergeReport::default();
    let id_of = |text: &String| -> String {
        serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_default()
    };
    let keyed = |list: &[String]| -> Vec<(String, String)> {
        list.iter().map(|c| (id_of(c), c.clone())).collect()
    };
    let controls = Controls::read(current, incoming);
    let customers = merge_keyed(
        "customers",
        &keyed(&current.customers),
        &keyed(&incoming.customers),
        &mut report,
    )
    .into_iter()
    .filter_map(|(id, v)| {
        let keep = controls.guard(&id, v, &mut report);
        // A record that does not read stays as it is here.
        keep.or_else(|| current.customers.iter().find(|t| id_of(t) == id).cloned())
    })
    .collect();
    let mut rows = current.rows.clone();
    let orders: BTreeSet<(String, u32)> = rows
        .orders
        .iter()
        .map(|o| (o.id.to_string(), o.meta.version))
        .collect();
    for o in &incoming.rows.orders {
        if !orders.contains(&(o.id.to_string(), o.meta.version)) {
            rows.orders.push(*o);
            *report.added.entry("orders").or_default() += 1;
        }
    }
    macro_rules! add_new {
        ($field:ident, $name:literal) => {{
            let have: BTreeSet<String> = rows.$field.iter().map(|x| x.id.to_string()).collect();
            for x in &incoming.rows.$field {
                if !have.contains(&x.id.to_string()) {
                    rows.$field.push(x.clone());
                    *report.added.entry($name).or_default() += 1;
                }
            }
        }};
    }
    add_new!(invoices, "invoices");
    add_new!(payments, "payments");
    add_new!(credit_notes, "credit_notes");
    add_new!(corrections, "corrections");
    let mut meta: BTreeMap<String, String> = current.meta.iter().cloned().collect();
    for (k, v) in &incoming.meta {
        meta.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let attachments = {
        let mut m: BTreeMap<String, Vec<u8>> = current.attachments.iter().cloned().collect();
        for (k, v) in &incoming.attachments {
            if !m.contains_key(k) {
                m.insert(k.clone(), v.clone());
                *report.added.entry("attachments").or_default() += 1;
            }
        }
        m.into_iter().collect()
    };
    let audit = if current.audit.is_empty() {
        incoming.audit.clone()
    } else {
        report.audit_kept = !incoming.audit.is_empty();
        current.audit.clone()
    };
    let mut outbox = current.outbox.clone();
    let have: BTreeSet<String> = outbox.iter().map(|o| canonical(o)).collect();
    outbox.extend(
        incoming
            .outbox
            .iter()
            .filter(|o| !have.contains(&canonical(o)))
            .cloned(),
    );
    let merged = Dump {
        chunks: None,
        meta: meta.into_iter().collect(),
        customers,
        rows,
        field_defs: merge_keyed(
            "field_defs",
            &current.field_defs,
            &incoming.field_defs,
            &mut report,
        ),
        models: merge_keyed("models", &current.models, &incoming.models, &mut report),
        requests: merge_keyed(
            "requests",
            &current.requests,
            &incoming.requests,
            &mut report,
        ),
        alerts: merge_keyed("alerts", &current.alerts, &incoming.alerts, &mut report),
        tasks: merge_keyed("tasks", &current.tasks, &incoming.tasks, &mut report),
        audit,
        attachments,
        outbox,
    };
    (merged, report)
}
