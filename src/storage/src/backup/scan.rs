//! Reading a backup file a piece at a time. [`Scanner`] takes the file's bytes as they come and
//! decodes each record as soon as its last byte is in, so that a caller may stop between any two
//! pieces (the browser lets the page draw, see `creditdesk::ui::importing`) and nothing but the
//! record being read is held as text: the file is never whole in memory, nor a tree of it.
//!
//! The file's outer structure is read here: the root object, its keys, and each section that is
//! a list, one record at a time. Every value inside (a record, a key, a section that is not a
//! list) is read by serde_json, which checks it whole, but for a large outbox record (an import's
//! command), checked a step at a time by [`super::syntax`] and the canonical check, and taken
//! only when both say yes (else serde_json reads it); so a file is taken exactly when it is JSON
//! (`tests/backup.rs` holds the two to each other on mangled files). A syntax error is named at
//! its line and column in the file. The one thing taken that is not JSON is the record of a
//! removed draft, `["draft",]` (see [`REMOVED_DRAFT`]): it is left out, as if not written.

use super::{Root, REMOVED_DRAFT};
use crate::codec::Rows;
use crate::OutboxEntry;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The sections whose records are checked as they come and kept as their canonical text: the
/// outbox (an import's command alone is megabytes: a tree of it took a quarter of a second to
/// build and as long to write out again), the customers and the audit trail.
const CHECKED: [&str; 3] = ["outbox", "customers", "audit"];

/// The sections of `[key, value]` records checked as they come (a large book's thousands of
/// alerts and tasks, with the trail, checked after the file's last piece were a task of about
/// 200 ms), each by what [`super::from_root`] checks it with.
const PAIRS: [(&str, PairCheck); 2] = [
    (
        "alerts",
        super::decodes::<creditdesk_domain::monitor::Alert>,
    ),
    ("tasks", super::decodes::<creditdesk_domain::monitor::Task>),
];

/// What checks the value of a `[key, value]` record, and gives the text kept of it.
type PairCheck = fn(&Value) -> Result<String, String>;

/// A `[key, value]` record checked as it was read: its key and its value's text; or what is
/// wrong, with the key when there is one.
pub(super) type Pair = Result<(String, String), (Option<String>, String)>;

/// Whether `name` is a section of [`CHECKED`] or [`PAIRS`] records.
fn checked_as_read(name: &str) -> bool {
    CHECKED.contains(&name) || PAIRS.iter().any(|(n, _)| *n == name)
}

/// The sections whose records are decoded into the ledger's rows as they are read.
const LEDGER: [&str; 5] = [
    "orders",
    "invoices",
    "payments",
    "credit_notes",
    "corrections",
];

/// Where the reading is, between two bytes of the file's outer structure.
#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    /// Before the root object.
    Start,
    /// After `{` (`first`) or a `,` at the top level: a key comes (or `}` after `{`).
    Key { first: bool },
    /// After a key.
    Colon,
    /// After a key's `:`.
    Section,
    /// In a section's list, after `[` (`first`) or a `,`: a record comes (or `]` after `[`).
    Record { first: bool },
    /// After a record.
    AfterRecord,
    /// After a section's value.
    AfterSection,
    /// After the root object: only white space may follow.
    End,
    /// A syntax error was met (`Scanner::fail`); the rest is not read.
    Failed,
}

/// The extent of the value that starts at the reading position, as far as scanned so far: it
/// is taken up again where it stopped when more bytes come.
#[derive(Clone, Copy, Debug, Default)]
struct Extent {
    /// Bytes of the value scanned.
    len: usize,
    depth: u32,
    in_string: bool,
    escaped: bool,
}

/// Why the file cannot be read.
#[derive(Debug)]
pub(super) enum Fail {
    /// Its root is a JSON value but not an object.
    NotObject,
    /// A syntax error: its place ("line L column C") and the message.
    Json { at: String, detail: String },
}

/// A backup file read a piece at a time: [`Scanner::feed`] each piece in order, then
/// [`Scanner::finish`]. The result is [`super::parse`]'s.
pub struct Scanner {
    /// Bytes received and not yet read past (`buf[at..]`).
    buf: Vec<u8>,
    at: usize,
    /// The line and column (1-based, in bytes) of `buf[at]` in the file.
    line: usize,
    column: usize,
    state: State,
    extent: Extent,
    /// The section being read, its records so far (a section that is not the ledger's), and
    /// the index of the next record.
    key: String,
    list: Vec<Value>,
    index: usize,
    sections: serde_json::Map<String, Value>,
    rows: Rows,
    problems: Vec<(String, String)>,
    /// The records of the [`CHECKED`] sections that are lists: each one's canonical text, or
    /// what is wrong with it.
    checked: BTreeMap<String, Vec<Result<String, String>>>,
    /// The records of the [`PAIRS`] sections that are lists, checked.
    pairs: BTreeMap<String, Vec<Pair>>,
    fail: Option<Fail>,
    /// The file's length in bytes, when known: what the rows the file announces may reserve.
    len: Option<u64>,
    /// The outbox record at the reading position, when it is [`super::LARGE`] and being checked
    /// a piece at a time ([`Scanner::step`]).
    large: Option<Large>,
}

/// How many bytes of a large outbox record one step of its check reads (each of its checks:
/// UTF-8, syntax, canonical form): a few milliseconds in a browser.
const LARGE_STEP: usize = 1 << 20;

/// A large outbox record's check under way: an import's command of 31 MB, read whole in one task
/// as the tree's way does (syntax, then the canonical check, then a copy), held a browser's page
/// for 115-450 ms. Checked a piece at a time instead: its UTF-8 (copied as it is checked), its
/// syntax ([`super::syntax`]), its canonical form; then the entry's own fields with the payload
/// left out. Taken as written only when every check says yes; on any no, the record is read the
/// tree's way after all ([`Scanner::outbox_record`]), which names what is wrong.
struct Large {
    len: usize,
    text: String,
    syntax: super::syntax::Syntax,
    canonical: crate::canonical::CheckAt,
}

impl Large {
    /// One step of the checks of `record` (the same bytes each time): `None` while under way;
    /// then the record's text, or `Some(None)` when the tree's way must read it.
    fn step(&mut self, record: &[u8]) -> Option<Option<String>> {
        let done = self.text.len();
        if done < record.len() {
            let end = (done + LARGE_STEP).min(record.len());
            let piece = match std::str::from_utf8(&record[done..end]) {
                Ok(piece) => piece,
                // A character cut at the piece's end: the next piece has it.
                Err(e) if e.error_len().is_none() && end < record.len() && e.valid_up_to() > 0 => {
                    std::str::from_utf8(&record[done..done + e.valid_up_to()]).ok()?
                }
                Err(_) => return Some(None),
            };
            self.text.push_str(piece);
        }
        let syntax = self.syntax.step(record, LARGE_STEP);
        let canonical = self.canonical.step(record, LARGE_STEP);
        if syntax == Some(false) || canonical == Some(false) {
            return Some(None);
        }
        if self.text.len() < record.len() || syntax.is_none() || canonical.is_none() {
            return None;
        }
        // The entry's fields, its payload (checked above) read as `null`.
        let Some((from, to)) = self.syntax.payload() else {
            return Some(None);
        };
        let mut entry = Vec::with_capacity(from + 4 + record.len() - to);
        entry.extend_from_slice(&record[..from]);
        entry.extend_from_slice(b"null");
        entry.extend_from_slice(&record[to..]);
        if serde_json::from_slice::<OutboxEntry>(&entry).is_err() {
            return Some(None);
        }
        Some(Some(std::mem::take(&mut self.text)))
    }
}

/// No record of the ledger's sections is written in fewer bytes (an invoice's is about 250, a
/// payment's about 300): a file of `n` bytes holds fewer than `n / MIN_ROW_BYTES` rows.
const MIN_ROW_BYTES: u64 = 64;

impl Default for Scanner {
    fn default() -> Self {
        Scanner::new()
    }
}

impl Scanner {
    pub fn new() -> Scanner {
        Scanner {
            buf: Vec::new(),
            at: 0,
            line: 1,
            column: 1,
            state: State::Start,
            extent: Extent::default(),
            key: String::new(),
            list: Vec::new(),
            index: 0,
            sections: serde_json::Map::new(),
            rows: Rows::default(),
            problems: Vec::new(),
            checked: BTreeMap::new(),
            pairs: BTreeMap::new(),
            fail: None,
            len: None,
            large: None,
        }
    }

    /// A scanner for a file of `len` bytes: it makes room at once for the rows the file's
    /// `counts` announces (no more in all than `len` bytes can hold), where a list of a million
    /// rows grown by doubling copies the whole list at each step (tasks of 40-80 ms in a browser's
    /// check of a large book's file). [`Scanner::new`] reserves nothing.
    pub fn of_len(len: u64) -> Scanner {
        Scanner {
            len: Some(len),
            ..Scanner::new()
        }
    }

    /// Room for the rows `counts` (the file's `counts` section, a hint never checked) announces:
    /// no more rows in all than the file's length can hold.
    fn reserve(&mut self, counts: &Value) {
        let Some(len) = self.len else { return };
        let mut left = len / MIN_ROW_BYTES;
        let mut n = |name: &str| {
            let n = counts
                .get(name)
                .and_then(Value::as_u64)
                .unwrap_or(0)
                .min(left);
            left -= n;
            n as usize
        };
        let r = &mut self.rows;
        // A hint the memory cannot hold is left: the lists grow as they come.
        let _ = r.invoices.try_reserve_exact(n("invoices"));
        let _ = r.payments.try_reserve_exact(n("payments"));
        let _ = r.orders.try_reserve_exact(n("orders"));
        let _ = r.credit_notes.try_reserve_exact(n("credit_notes"));
        let _ = r.corrections.try_reserve_exact(n("corrections"));
    }

    /// Takes the file's next bytes, and reads every record they complete.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.state == State::Failed {
            return;
        }
        if self.at > 0 {
            self.buf.drain(..self.at);
            self.at = 0;
        }
        self.buf.extend_from_slice(bytes);
        self.run(false);
    }

    /// Whether a large record's check is under way, each [`Scanner::feed`] or [`Scanner::step`]
    /// taking it a step further: a caller that gives the page turns steps it to its end before
    /// [`Scanner::finish`], which would take the rest in one go.
    pub fn busy(&self) -> bool {
        self.large.is_some()
    }

    /// Takes a large record's check a step further, and reads what the bytes so far allow after
    /// it (see [`Scanner::busy`]).
    pub fn step(&mut self) {
        self.run(false);
    }

    /// The file has ended: the backup it holds, or every problem with it.
    pub fn finish(mut self) -> Result<super::Backup, (Vec<super::BackupProblem>, usize)> {
        self.run(true);
        while self.large.is_some() && self.state != State::Failed {
            self.run(true);
        }
        if self.fail.is_none() && self.state != State::End {
            let what = match self.state {
                State::Start | State::Section | State::Colon => "EOF while parsing a value",
                State::Record { .. } | State::AfterRecord => "EOF while parsing a list",
                _ => "EOF while parsing an object",
            };
            // Named at the last byte, as serde_json names it.
            let (line, column) = (self.line, self.column.saturating_sub(1));
            self.fail(line, column, what);
        }
        let root = match self.fail.take() {
            Some(Fail::NotObject) => Root::NotObject,
            Some(Fail::Json { at, detail }) => return Err(super::json_problem(at, detail)),
            None => Root::Object {
                sections: self.sections,
                rows: self.rows,
                problems: self.problems,
                checked: self.checked,
                pairs: self.pairs,
            },
        };
        super::from_root(root)
    }

    fn fail(&mut self, line: usize, column: usize, what: &str) {
        let at = format!("line {line} column {column}");
        self.fail = Some(Fail::Json {
            detail: format!("{what} at {at}"),
            at,
        });
        self.state = State::Failed;
    }

    /// A serde_json error in the value at the reading position, named at its place in the file.
    fn fail_in_value(&mut self, e: &serde_json::Error) {
        let (line, column) = if e.line() <= 1 {
            (self.line, (self.column + e.column()).saturating_sub(1))
        } else {
            (self.line + e.line() - 1, e.column())
        };
        let text = e.to_string();
        let what = text.rsplit_once(" at line ").map_or(&*text, |(w, _)| w);
        self.fail(line, column, what);
    }

    /// Moves the reading position `n` bytes on, counting lines.
    fn consume(&mut self, n: usize) {
        let passed = &self.buf[self.at..self.at + n];
        match passed.iter().rposition(|&b| b == b'\n') {
            Some(last) => {
                self.line += passed.iter().filter(|&&b| b == b'\n').count();
                self.column = n - last;
            }
            None => self.column += n,
        }
        if n > 0 {
            self.at += n;
            self.extent = Extent::default();
        }
    }

    /// The next byte that is not white space, read up to it; `None` if the bytes so far end first.
    fn next_byte(&mut self) -> Option<u8> {
        let n = self.buf[self.at..]
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        match n {
            Some(n) => {
                self.consume(n);
                Some(self.buf[self.at])
            }
            None => {
                let rest = self.buf.len() - self.at;
                self.consume(rest);
                None
            }
        }
    }

    /// The length of the value that starts at the reading position, once its last byte is in
    /// (at the file's end, whatever there is). Only its outline is followed: brackets outside
    /// strings, and where a string or a bare value ends; serde_json checks the rest.
    fn value_len(&mut self, eof: bool) -> Option<usize> {
        let bytes = &self.buf[self.at..];
        let x = &mut self.extent;
        let nested = matches!(bytes.first(), Some(b'{' | b'[' | b'"'));
        while x.len < bytes.len() {
            let b = bytes[x.len];
            x.len += 1;
            if !nested {
                if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}') {
                    x.len -= 1;
                    return Some(x.len);
                }
            } else if x.in_string {
                if x.escaped {
                    x.escaped = false;
                } else if b == b'\\' {
                    x.escaped = true;
                } else if b == b'"' {
                    x.in_string = false;
                    if x.depth == 0 {
                        return Some(x.len);
                    }
                }
            } else {
                match b {
                    b'"' => x.in_string = true,
                    b'{' | b'[' => x.depth += 1,
                    b'}' | b']' => {
                        x.depth = x.depth.saturating_sub(1);
                        if x.depth == 0 {
                            return Some(x.len);
                        }
                    }
                    _ => {}
                }
            }
        }
        eof.then_some(x.len)
    }

    /// The value of `len` bytes at the reading position, decoded; read past it either way.
    fn decode<T: DeserializeOwned>(&mut self, len: usize) -> Option<T> {
        if len == 0 && self.at < self.buf.len() {
            // A `,`, `]` or `}` where a value should be.
            self.fail(self.line, self.column, "expected value");
            return None;
        }
        match serde_json::from_slice::<T>(&self.buf[self.at..self.at + len]) {
            Ok(v) => {
                self.consume(len);
                Some(v)
            }
            Err(e) => {
                // Named where a check of the whole file's syntax names it (decoding into a type
                // may name a byte further on).
                let bytes = &self.buf[self.at..self.at + len];
                let e = serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
                    .err()
                    .unwrap_or(e);
                self.fail_in_value(&e);
                None
            }
        }
    }

    /// A record of the ledger's section `name` decoded into `out`; one that is JSON but not such
    /// a record is a problem at its place, named as a tree of it names it.
    fn ledger_record<T: DeserializeOwned>(
        &mut self,
        len: usize,
        pick: fn(&mut Rows) -> &mut Vec<T>,
    ) {
        // By way of a tree: decoding the text straight into each row type ran about a third
        // faster, but built a decoder of each into the app (15 KB of the download).
        let Some(v) = self.decode::<Value>(len) else {
            return;
        };
        match T::deserialize(&v) {
            Ok(t) => pick(&mut self.rows).push(t),
            Err(e) => {
                let at = format!("{}[{}]", self.key, self.index);
                self.problems.push((at, e.to_string()));
            }
        }
    }

    /// A record of a [`CHECKED`] section checked as `T` by way of a tree of it, kept as the
    /// tree's text (canonical).
    fn tree_record<T: DeserializeOwned>(&mut self, len: usize) {
        let Some(v) = self.decode::<Value>(len) else {
            return;
        };
        let record = T::deserialize(&v)
            .map(|_| v.to_string())
            .map_err(|e| e.to_string());
        self.checked
            .entry(self.key.clone())
            .or_default()
            .push(record);
    }

    /// A record of a [`PAIRS`] section checked as [`super::from_root`] checks a tree's: a
    /// `[key, value]` pair whose value `check` takes.
    fn pair_record(&mut self, len: usize, check: PairCheck) {
        let Some(v) = self.decode::<Value>(len) else {
            return;
        };
        let record = super::pair_of(&v, &check);
        self.pairs.entry(self.key.clone()).or_default().push(record);
    }

    /// One step of the check of the large outbox record at the reading position (`len` bytes);
    /// true once it is read, either way.
    fn large_outbox_record(&mut self, len: usize) -> bool {
        let Some(large) = self.large.as_mut() else {
            return true;
        };
        match large.step(&self.buf[self.at..self.at + len]) {
            None => false,
            Some(Some(text)) => {
                self.large = None;
                self.consume(len);
                self.checked
                    .entry(self.key.clone())
                    .or_default()
                    .push(Ok(text));
                true
            }
            Some(None) => {
                self.large = None;
                self.outbox_record(len);
                true
            }
        }
    }

    /// An outbox record checked as the tree of it is checked, and kept as its canonical text (a
    /// record written by the app is canonical already: copied as it is; an import's command is
    /// megabytes, too large for a tree).
    fn outbox_record(&mut self, len: usize) {
        let bytes = &self.buf[self.at..self.at + len];
        // Taken as written only when it is canonical text (then it is the tree's text); anything
        // else, such as an escape serde_json never writes (a lone surrogate, which a raw value
        // lets through), goes the tree's way.
        let checked = serde_json::from_slice::<OutboxEntry>(bytes)
            .ok()
            .and_then(|_| std::str::from_utf8(bytes).ok())
            .filter(|text| crate::canonical::is_canonical(text))
            .map(str::to_string);
        let record = match checked {
            Some(text) => {
                self.consume(len);
                Ok(text)
            }
            // Not such a record, or one only a tree takes (a key given twice, the last kept):
            // read as a tree, and named as a tree names it.
            None => {
                let Some(v) = self.decode::<Value>(len) else {
                    return;
                };
                OutboxEntry::deserialize(&v)
                    .map(|_| v.to_string())
                    .map_err(|e| e.to_string())
            }
        };
        self.checked
            .entry(self.key.clone())
            .or_default()
            .push(record);
    }

    fn record(&mut self, len: usize) {
        match self.key.as_str() {
            "orders" => self.ledger_record(len, |r| &mut r.orders),
            "invoices" => self.ledger_record(len, |r| &mut r.invoices),
            "payments" => self.ledger_record(len, |r| &mut r.payments),
            "credit_notes" => self.ledger_record(len, |r| &mut r.credit_notes),
            "corrections" => self.ledger_record(len, |r| &mut r.corrections),
            "outbox" => self.outbox_record(len),
            "customers" => self.tree_record::<creditdesk_domain::Customer>(len),
            "audit" => self.tree_record::<creditdesk_domain::approval::AuditEntry>(len),
            name => match PAIRS.iter().find(|(n, _)| *n == name) {
                Some((_, check)) => self.pair_record(len, *check),
                None => {
                    if let Some(v) = self.decode::<Value>(len) {
                        self.list.push(v);
                    }
                }
            },
        }
    }

    /// A section's list has ended.
    fn close_list(&mut self) {
        if !LEDGER.contains(&self.key.as_str()) && !checked_as_read(&self.key) {
            let list = std::mem::take(&mut self.list);
            self.sections
                .insert(std::mem::take(&mut self.key), Value::Array(list));
        }
        self.state = State::AfterSection;
    }

    /// Reads as far as the bytes so far allow (`eof`: there are no more).
    fn run(&mut self, eof: bool) {
        loop {
            let state = self.state;
            if state == State::Failed {
                return;
            }
            let Some(b) = self.next_byte() else {
                return;
            };
            let here = (self.line, self.column);
            match state {
                State::Failed => return,
                State::Start => {
                    if b == b'{' {
                        self.consume(1);
                        self.state = State::Key { first: true };
                    } else if matches!(b, b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') {
                        // A JSON value of another kind: its syntax is beside the point.
                        self.fail = Some(Fail::NotObject);
                        self.state = State::Failed;
                    } else {
                        self.fail(here.0, here.1, "expected value");
                    }
                }
                State::Key { first } => match b {
                    b'}' if first => {
                        self.consume(1);
                        self.state = State::End;
                    }
                    b'}' => self.fail(here.0, here.1, "trailing comma"),
                    b'"' => {
                        let Some(len) = self.value_len(eof) else {
                            return;
                        };
                        let Some(key) = self.decode::<String>(len) else {
                            return;
                        };
                        self.key = key;
                        self.state = State::Colon;
                    }
                    _ => self.fail(here.0, here.1, "key must be a string"),
                },
                State::Colon => {
                    if b == b':' {
                        self.consume(1);
                        self.state = State::Section;
                    } else {
                        self.fail(here.0, here.1, "expected `:`");
                    }
                }
                State::Section => {
                    // A key given twice: the last one's value is the section's.
                    if checked_as_read(&self.key) {
                        self.checked.remove(&self.key);
                        self.pairs.remove(&self.key);
                        self.sections.remove(&self.key);
                    }
                    if b == b'[' {
                        self.consume(1);
                        self.index = 0;
                        self.list.clear();
                        if CHECKED.contains(&self.key.as_str()) {
                            self.checked.insert(self.key.clone(), Vec::new());
                        } else if checked_as_read(&self.key) {
                            self.pairs.insert(self.key.clone(), Vec::new());
                        }
                        self.state = State::Record { first: true };
                        continue;
                    }
                    let Some(len) = self.value_len(eof) else {
                        return;
                    };
                    let Some(v) = self.decode::<Value>(len) else {
                        return;
                    };
                    let key = std::mem::take(&mut self.key);
                    if LEDGER.contains(&key.as_str()) {
                        self.problems.push((key, "not a list".into()));
                    } else {
                        if key == "counts" {
                            self.reserve(&v);
                        }
                        self.sections.insert(key, v);
                    }
                    self.state = State::AfterSection;
                }
                State::Record { first } => {
                    if let Some(len) = self.large.as_ref().map(|l| l.len) {
                        if !self.large_outbox_record(len) {
                            return;
                        }
                        self.index += 1;
                        if self.state != State::Failed {
                            self.state = State::AfterRecord;
                        }
                        continue;
                    }
                    if b == b']' {
                        if !first {
                            self.fail(here.0, here.1, "trailing comma");
                            return;
                        }
                        self.consume(1);
                        self.close_list();
                        continue;
                    }
                    let Some(len) = self.value_len(eof) else {
                        return;
                    };
                    if &self.buf[self.at..self.at + len] == REMOVED_DRAFT {
                        self.consume(len);
                    } else if self.key == "outbox" && len >= super::LARGE {
                        self.large = Some(Large {
                            len,
                            text: String::with_capacity(len),
                            syntax: Default::default(),
                            canonical: Default::default(),
                        });
                        // A step now; the rest with the next feeds or steps.
                        continue;
                    } else {
                        self.record(len);
                        self.index += 1;
                    }
                    if self.state != State::Failed {
                        self.state = State::AfterRecord;
                    }
                }
                State::AfterRecord => match b {
                    b',' => {
                        self.consume(1);
                        self.state = State::Record { first: false };
                    }
                    b']' => {
                        self.consume(1);
                        self.close_list();
                    }
                    _ => self.fail(here.0, here.1, "expected `,` or `]`"),
                },
                State::AfterSection => match b {
                    b',' => {
                        self.consume(1);
                        self.state = State::Key { first: false };
                    }
                    b'}' => {
                        self.consume(1);
                        self.state = State::End;
                    }
                    _ => self.fail(here.0, here.1, "expected `,` or `}`"),
                },
                State::End => self.fail(here.0, here.1, "trailing characters"),
            }
        }
    }
}
