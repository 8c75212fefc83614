//! Bytes to text, text to a table, and tables back to CSV.

use super::problem::ImportProblem;
use super::validate::Plan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The encoding a file was read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceEncoding {
    /// Valid UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (Excel's "CSV UTF-8"); the mark is dropped.
    Utf8Bom,
    /// UTF-16 little-endian with its mark (Excel's "Unicode text").
    Utf16Le,
    /// UTF-16 big-endian with its mark.
    Utf16Be,
    /// Anything else, read as GBK (GB18030 decoder, a superset): what Excel writes on a Chinese
    /// Windows ("CSV (逗号分隔)").
    Gbk,
}

/// A file's text and how it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: SourceEncoding,
    /// True if some bytes were not valid in that encoding and became U+FFFD.
    pub replaced: bool,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a file: a UTF-8 mark is dropped; UTF-16 with a mark is decoded as such; valid UTF-8
/// stays UTF-8; anything else is read as GBK.
pub fn decode(bytes: &[u8]) -> Decoded {
    let (text, encoding, replaced) = if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        match std::str::from_utf8(rest) {
            Ok(s) => (s.to_owned(), SourceEncoding::Utf8Bom, false),
            Err(_) => (
                String::from_utf8_lossy(rest).into_owned(),
                SourceEncoding::Utf8Bom,
                true,
            ),
        }
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let (t, errors) = encoding_rs::UTF_16LE.decode_without_bom_handling(rest);
        (t.into_owned(), SourceEncoding::Utf16Le, errors)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let (t, errors) = encoding_rs::UTF_16BE.decode_without_bom_handling(rest);
        (t.into_owned(), SourceEncoding::Utf16Be, errors)
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        (s.to_owned(), SourceEncoding::Utf8, false)
    } else {
        let (t, errors) = encoding_rs::GBK.decode_without_bom_handling(bytes);
        (t.into_owned(), SourceEncoding::Gbk, errors)
    };
    Decoded {
        text,
        encoding,
        replaced,
    }
}

/// The delimiters [`sniff_delimiter`] chooses from, in order of preference on a tie.
pub const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// How many records [`sniff_delimiter`] reads per candidate.
const SNIFF_RECORDS: usize = 20;

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
}

fn is_blank(r: &csv::StringRecord) -> bool {
    r.iter().all(|f| f.trim().is_empty())
}

/// Chooses comma, semicolon or tab: read with each (quotes respected), the header line's field
/// count `n` must be at least 2; the winner has the most of the next 19 non-blank records with
/// exactly `n` fields, then the largest `n`, then comes first in [`DELIMITERS`]. Comma when none
/// splits the header.
pub fn sniff_delimiter(text: &str) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for d in DELIMITERS {
        let mut rdr = reader(text, d);
        let mut rec = csv::StringRecord::new();
        let mut header = None;
        let mut consistent = 0;
        let mut seen = 0;
        while seen < SNIFF_RECORDS {
            match rdr.read_record(&mut rec) {
                Ok(true) => {}
                _ => break,
            }
            if is_blank(&rec) {
                continue;
            }
            seen += 1;
            match header {
                None => header = Some(rec.len()),
                Some(n) if rec.len() == n => consistent += 1,
                Some(_) => {}
            }
        }
        let n = header.unwrap_or(0);
        if n >= 2 && (consistent, n) > (best.1, best.2) {
            best = (d, consistent, n);
        }
    }
    best.0
}

/// A file as rows of cells.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The header cells, trimmed. Extended with empty names when a row is wider.
    pub headers: Vec<String>,
    /// The data rows, cells as read (not trimmed), each exactly `headers.len()` long (short rows
    /// are padded with empty cells).
    pub rows: Vec<Vec<String>>,
    /// The spreadsheet row number of each data row (see the module documentation).
    pub line_of_row: Vec<u64>,
    /// The spreadsheet row number of the header (1 unless blank lines come first).
    pub header_line: u64,
}

/// Counts line breaks (CRLF, LF or a lone CR) up to the start of each record.
struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// The line of the record the csv reader says starts at `from`. The reader's position is
    /// just after the previous record, before any blank lines: skip them first.
    fn line_at(&mut self, from: usize) -> u64 {
        let mut start = from.max(self.pos).min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        for i in self.pos..start {
            match self.bytes[i] {
                b'\n' => self.line += 1,
                b'\r' if self.bytes.get(i + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
        }
        self.pos = start;
        self.line
    }
}

/// Reads CSV text with the csv crate: quoted fields may hold delimiters, doubled quotes and line
/// breaks; rows may have any number of fields; lines that are empty or hold only blank cells
/// are skipped. The first non-blank row is the header. `I-EMPTY-FILE` if there is none.
pub fn read_table(text: &str, delimiter: u8) -> Result<Table, ImportProblem> {
    let mut reader = TableReader::new(text, delimiter);
    reader.read(usize::MAX);
    reader.finish()
}

/// [`read_table`] a thousand or so records at a time ([`TableReader::read`]), for a page that
/// reads a file of 100,000 rows between its other work (one read was a task of 70-120 ms in a
/// browser). However the reads are cut, [`TableReader::finish`] gives [`read_table`]'s table
/// or problem.
pub struct TableReader<'t> {
    rdr: csv::Reader<&'t [u8]>,
    lines: LineCounter<'t>,
    rec: csv::StringRecord,
    table: Table,
    have_header: bool,
    width: usize,
    /// Set once the text is read or cannot be.
    end: Option<Result<(), ImportProblem>>,
}

impl<'t> TableReader<'t> {
    pub fn new(text: &'t str, delimiter: u8) -> TableReader<'t> {
        TableReader {
            rdr: reader(text, delimiter),
            lines: LineCounter {
                bytes: text.as_bytes(),
                pos: 0,
                line: 1,
            },
            rec: csv::StringRecord::new(),
            table: Table::default(),
            have_header: false,
            width: 0,
            end: None,
        }
    }

    /// Reads up to `records` more records (blank ones included); true once the text is read
    /// or found unreadable (then a read reads nothing more).
    pub fn read(&mut self, records: usize) -> bool {
        for _ in 0..records {
            if self.end.is_some() {
                break;
            }
            match self.rdr.read_record(&mut self.rec) {
                Ok(true) => {}
                Ok(false) => {
                    self.end = Some(Ok(()));
                    break;
                }
                Err(e) => {
                    self.end = Some(Err(ImportProblem::Unreadable {
                        line: e.position().map_or(0, |p| p.line()),
                    }));
                    break;
                }
            }
            let rec = &self.rec;
            if is_blank(rec) {
                continue;
            }
            let line = self
                .lines
                .line_at(rec.position().map_or(0, |p| p.byte() as usize));
            if !self.have_header {
                self.table.headers = rec.iter().map(|h| h.trim().to_owned()).collect();
                self.table.header_line = line;
                self.width = self.table.headers.len();
                self.have_header = true;
            } else {
                self.width = self.width.max(rec.len());
                self.table
                    .rows
                    .push(rec.iter().map(|c| read_back(c).to_owned()).collect());
                self.table.line_of_row.push(line);
            }
        }
        self.end.is_some()
    }

    /// The table, or why the file cannot be read; `I-EMPTY-FILE` as well if it is not read to
    /// its end (a caller that stops early).
    pub fn finish(self) -> Result<Table, ImportProblem> {
        self.end.unwrap_or(Err(ImportProblem::EmptyFile))?;
        if !self.have_header {
            return Err(ImportProblem::EmptyFile);
        }
        let mut table = self.table;
        let width = self.width;
        table.headers.resize(width, String::new());
        for r in &mut table.rows {
            r.resize(width, String::new());
        }
        Ok(table)
    }
}

/// CSV as Excel opens it: UTF-8 with a byte-order mark, CRLF line ends, fields quoted only when
/// needed. Rows may differ in length. Every cell, headers included, is made inert first
/// ([`inert_cell`]): a spreadsheet opening the file runs no formula a user typed.
pub fn write_csv<H: AsRef<str>>(headers: &[H], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(UTF8_BOM.to_vec());
    // Writing to a Vec cannot fail, and `flexible` accepts any row length.
    let _ = w.write_record(headers.iter().map(|h| inert_bytes(h.as_ref())));
    for r in rows {
        let _ = w.write_record(r.iter().map(|c| inert_bytes(c)));
    }
    w.into_inner().unwrap_or_default()
}

/// The first characters with which a spreadsheet reads a cell as a formula (OWASP's list for
/// CSV injection: `=`, `+`, `-`, `@`, a tab, a carriage return).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as it is safe to write to a CSV file a spreadsheet will open: one that starts like a
/// formula gets a leading `'`, which spreadsheets show as text. A plain decimal number
/// (`-1234.50`, what every amount column holds) is a value, not a formula, and stays a number.
/// [`read_table`] takes the mark off again, so an exported file imports as it was typed.
pub fn inert_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_START) && !is_plain_number(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// [`inert_cell`] as the csv writer takes it (no copy when nothing changes).
fn inert_bytes(cell: &str) -> std::borrow::Cow<'_, [u8]> {
    match inert_cell(cell) {
        std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
    }
}

/// `-1234.50`, `+7`: an optional sign, digits, at most one point with digits after it.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, "1"));
    !whole.is_empty()
        && !frac.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// A cell read from a file: the mark [`inert_cell`] put before a formula-like text comes off.
fn read_back(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) && !is_plain_number(rest) => rest,
        _ => cell,
    }
}

/// The name of the column [`error_file`] adds.
pub const PROBLEMS_COLUMN: &str = "problems";

/// The rows in error as a CSV file (UTF-8 with a mark, CRLF) for the user to fix and import
/// again: the original columns, then `problems` listing `CODE (column)` separated by `; `.
/// A last column already named `problems` (an error file imported again) is replaced.
pub fn error_file(table: &Table, plan: &Plan) -> String {
    let mut headers: Vec<&str> = table.headers.iter().map(String::as_str).collect();
    let replace = headers.last() == Some(&PROBLEMS_COLUMN);
    if replace {
        headers.pop();
    }
    let keep = headers.len();
    headers.push(PROBLEMS_COLUMN);
    let mut by_row: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for p in plan.problems.iter().filter(|p| p.row > 0) {
        by_row.entry(p.row).or_default().push(match &p.column {
            Some(c) => format!("{} ({c})", p.problem.code()),
            None => p.problem.code().to_owned(),
        });
    }
    let rows = table
        .rows
        .iter()
        .zip(&table.line_of_row)
        .filter(|(_, line)| plan.rows_in_error.contains(line))
        .map(|(row, line)| {
            let mut cells: Vec<String> = row.iter().take(keep).cloned().collect();
            cells.resize(keep, String::new());
            cells.push(by_row.get(line).map(|p| p.join("; ")).unwrap_or_default());
            cells
        });
    let bytes = write_csv(&headers, rows);
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
