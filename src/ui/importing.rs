//! Data in and out: the CSV import's steps (read, map, check, write), and backup and restore.
//! The rules are the domain's (`creditdesk_domain::import`) and storage's (`backup`); this module
//! feeds them the file and the data in memory, writes in one transaction, and updates memory.

use crate::ui::state::{boot, db, new_uuid, now, run, with_data, AppState, Phase, SaveError};
use creditdesk_app::{check_imported_orders, Blocked, BlockedOrder, Command};
use creditdesk_domain::import::{
    decode, guess_date_format, guess_mapping, read_table, sniff_delimiter, ImportProblem, Kind,
    Mapping, Plan, SourceEncoding, Table,
};
use creditdesk_storage::backup::{self, Backup, BackupProblem, MergeReport};
use creditdesk_storage::StoreError;
use leptos::prelude::Set;

/// A file read and split into rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub file: String,
    pub bytes: usize,
    pub encoding: SourceEncoding,
    /// Malformed bytes were replaced while decoding.
    pub replaced: bool,
    pub delimiter: u8,
    pub table: Table,
}

/// Decodes and splits a file; a file with no header line is refused.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Parsed, ImportProblem> {
    let d = decode(bytes);
    let delimiter = sniff_delimiter(&d.text);
    let table = read_table(&d.text, delimiter)?;
    Ok(Parsed {
        file: file.to_string(),
        bytes: bytes.len(),
        encoding: d.encoding,
        replaced: d.replaced,
        delimiter,
        table,
    })
}

/// The mapping for a file: the one saved for these headers if there is one, else a guess from
/// the headers (and a date format guessed from the values). The bool says it was saved.
pub async fn mapping_for(kind: Kind, table: &Table) -> (Mapping, bool) {
    if let Ok(store) = db() {
        if let Ok(Some(mut m)) =
            creditdesk_app::imports::saved_mapping(&*store, kind, &table.headers).await
        {
            custom_columns(&mut m, table);
            return (m, true);
        }
    }
    let mut m = guess_mapping(kind, &table.headers);
    custom_columns(&mut m, table);
    m.date_format = guess_date_format(table, &m);
    (m, false)
}

/// The custom fields the file's columns hold: found by key or label (also for a mapping saved
/// before a field existed), none the user may not see, none retired.
fn custom_columns(m: &mut Mapping, table: &Table) {
    with_data(|d| {
        m.guess_custom(&table.headers, &d.fields);
        let me = d.me();
        m.custom.retain(|k, _| {
            d.field_access(&me, &format!("custom.{k}")) != creditdesk_domain::access::Access::Hidden
        });
    });
}

pub async fn save_mapping(table: &Table, mapping: &Mapping) -> Result<(), StoreError> {
    creditdesk_app::imports::save_mapping(&*db()?, &table.headers, mapping).await
}

/// Checks every row against the data in memory, as of today. Ids are drawn for valid rows. A
/// user who sees only their own customers can refer only to those.
pub fn check(kind: Kind, table: &Table, mapping: &Mapping) -> Plan {
    with_data(|d| {
        creditdesk_app::imports::check_rows(d, &d.me(), kind, table, mapping, now(), &mut new_uuid)
    })
}

/// Which permission an import of a kind needs.
pub use creditdesk_app::permission;

/// The orders of a plan that the credit check blocks, on today's data (the same check as a
/// typed order's; see `creditdesk_app::check_imported_orders`).
pub fn blocked_orders(plan: &Plan) -> Vec<BlockedOrder> {
    with_data(|d| check_imported_orders(d, &plan.records.orders))
}

/// What an import wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Imported {
    pub records: usize,
    pub customers: usize,
}

/// Writes the valid rows of a plan in one transaction (nothing if it fails), as the application
/// crate's `ImportBatch` command: the same checks as typed records (orders through the credit
/// check, `blocked` saying what becomes of those it stops), an audit entry `data.imported` naming
/// the file and the counts, and the command as the outbox record. A plan with a problem of the
/// whole file writes nothing.
pub async fn commit(plan: &Plan, file: &str, blocked: Blocked) -> Result<Imported, SaveError> {
    if !plan.can_import() {
        return Err(SaveError::Store("the file has a problem of its own".into()));
    }
    let r = run(
        Command::ImportBatch {
            kind: plan.kind,
            file: file.to_string(),
            rows_total: plan.rows_total,
            skipped: plan.rows_in_error.len(),
            records: plan.records.clone(),
            blocked,
        },
        Vec::new(),
    )
    .await?;
    Ok(Imported {
        records: r.count,
        customers: plan.records.customers.len(),
    })
}

/// The whole database as a backup file (see `creditdesk_app::admin::backup`), as the browser
/// holds it. The file is written a few hundred records at a time, with a turn for the page
/// whenever a slice has taken 25 ms, and handed to the browser in parts as it is written: the
/// page is never held for the whole file (a large book's is hundreds of megabytes, seconds of
/// writing), nor does wasm memory ever hold it whole. `progress` hears records written of all.
pub async fn backup_file(progress: impl Fn(usize, usize)) -> Result<web_sys::Blob, SaveError> {
    use creditdesk_storage::backup::Writer;
    use creditdesk_storage::turn::SLICE_MS;
    const SLICE_BYTES: usize = 4 << 20;
    const MIME: &str = "application/json";
    let me = with_data(|d| d.me());
    let t0 = crate::ui::state::perf_now();
    let dump = creditdesk_app::admin::backup_dump(&*db()?, &me).await?;
    crate::ui::state::publish_timing("backupDumpMs", crate::ui::state::perf_now() - t0);
    let mut w = Writer::new(&dump);
    // Each slice's bytes become a file of their own; the backup is the file of those files
    // (joined by reference, not copied again).
    let files = js_sys::Array::new();
    let mut buf = Vec::with_capacity(4 << 20);
    loop {
        let t = crate::ui::state::perf_now();
        let mut done = false;
        // A slice ends after 25 ms or 4 MiB (a section of large records, attachments say).
        while !done && crate::ui::state::perf_now() - t < SLICE_MS && buf.len() < SLICE_BYTES {
            done = w
                .write_some(&mut buf, 20)
                .map_err(|e| SaveError::Store(e.to_string()))?;
        }
        let bytes = js_sys::Uint8Array::from(buf.as_slice());
        let part = crate::ui::widgets::blob_of(&js_sys::Array::of1(&bytes), MIME)
            .ok_or_else(|| SaveError::Store("the browser made no file".into()))?;
        files.push(&part);
        buf.clear();
        progress(w.written(), w.records());
        if done {
            break;
        }
        // A turn: the page draws the progress, and input is taken.
        crate::ui::state::yield_now().await;
    }
    crate::ui::widgets::blob_of(&files, MIME)
        .ok_or_else(|| SaveError::Store("the browser made no file".into()))
}

/// A backup file read and checked: ready to restore, or every problem found.
pub type Checked = Result<Backup, (Vec<BackupProblem>, usize)>;

/// Reads and checks a backup file held by the browser (`file`, its bytes), and its SHA-256
/// (hex). The file is read into wasm a megabyte at a time, hashed as it is read, and its records
/// decoded as they come (`backup::parse_reader`): wasm memory never holds the file, nor a copy of
/// it as text (a large book's file is hundreds of megabytes; holding it twice took wasm memory
/// past 2 GiB).
pub fn check_backup(file: &js_sys::Uint8Array) -> (Checked, String) {
    let mut reader = JsFile {
        bytes: file.clone(),
        at: 0,
        sha: Default::default(),
    };
    let checked = backup::parse_reader(&mut reader);
    // The whole file in the hash, whatever the check stopped at (a megabyte a read).
    let mut rest = vec![0; 1 << 20];
    while matches!(std::io::Read::read(&mut reader, &mut rest), Ok(n) if n > 0) {}
    (checked, reader.sha.hex())
}

/// A file in the browser's memory, read into wasm a slice at a time and hashed as it is read.
struct JsFile {
    bytes: js_sys::Uint8Array,
    at: u32,
    sha: creditdesk_domain::approval::Sha256Parts,
}

impl std::io::Read for JsFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (self.bytes.length() - self.at).min(buf.len().min(u32::MAX as usize) as u32);
        let part = &mut buf[..n as usize];
        self.bytes.subarray(self.at, self.at + n).copy_to(part);
        self.sha.update(part);
        self.at += n;
        Ok(n as usize)
    }
}

/// Replaces everything with a backup, or merges it in (see `creditdesk_app::admin::restore`);
/// then loads the data again. `file` and `sha256` name the file in the audit entry.
pub async fn restore(
    state: AppState,
    backup: &Backup,
    merge: bool,
    file: &str,
    sha256: &str,
) -> Result<Option<MergeReport>, SaveError> {
    let store = db()?;
    let me = with_data(|d| d.me());
    let report =
        creditdesk_app::admin::restore(&*store, &me, now().0, backup, merge, file, sha256).await?;
    state.phase.set(Phase::Loading);
    boot(state).await;
    Ok(report)
}
