//! Data in and out: the CSV import's steps (read, map, check, write), and backup and restore.
//! The rules are the domain's (`creditdesk_domain::import`) and storage's (`backup`); this module
//! feeds them the file and the data in memory, writes in one transaction, and updates memory.

use crate::ui::state::{boot, db, new_uuid, now, run, with_data, AppState, Phase, SaveError};
use creditdesk_app::imports::RowCheck;
use creditdesk_app::{check_imported_orders, Blocked, BlockedOrder, Command};
use creditdesk_domain::import::{
    decode, guess_date_format, guess_mapping, sniff_delimiter, ImportProblem, Kind, Mapping, Plan,
    SourceEncoding, Table, TableReader,
};
use creditdesk_storage::backup::{self, Backup, BackupProblem, MergeReport};
use creditdesk_storage::StoreError;
use leptos::prelude::{GetUntracked, Set};

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

/// Decodes and splits a file; a file with no header line is refused. The rows are read a
/// thousand records a step, with a turn for the page whenever a slice has run 25 ms (a file of
/// 100,000 rows was one task of 70-120 ms).
pub async fn parse(file: &str, bytes: &[u8]) -> Result<Parsed, ImportProblem> {
    const RECORDS_PER_STEP: usize = 1_000;
    let d = decode(bytes);
    let delimiter = sniff_delimiter(&d.text);
    let mut reader = TableReader::new(&d.text, delimiter);
    let mut slice = creditdesk_storage::turn::Slice::start();
    while !reader.read(RECORDS_PER_STEP) {
        slice.breathe().await;
    }
    let table = reader.finish()?;
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
/// user who sees only their own customers can refer only to those. The rows are checked five
/// thousand a step, with a turn for the page whenever a slice has run 25 ms (100,000 invoices
/// were one task of 176 ms), each step against the data as it is then (the write checks every
/// row again). `None` once `wanted` says the check is no longer wanted (another file, another
/// mapping, the page left).
pub async fn check(
    kind: Kind,
    table: &Table,
    mapping: &Mapping,
    wanted: impl Fn() -> bool,
) -> Option<Plan> {
    const ROWS_PER_STEP: usize = 5_000;
    let mut slice = creditdesk_storage::turn::Slice::start();
    // Its making reads the ledger's documents the file names (about 40 ms at a million
    // invoices): a turn after it when that is all its slice can take.
    let mut check = with_data(|d| RowCheck::new(d, &d.me(), kind, table, mapping, now()));
    loop {
        slice.breathe().await;
        if !wanted() {
            return None;
        }
        if with_data(|d| check.step(d, table, &mut new_uuid, ROWS_PER_STEP)) {
            return Some(with_data(|d| check.finish(d, table, &mut new_uuid)));
        }
    }
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
    // A part's bytes are copied to the browser and made a file of their own as soon as the
    // part is full, within the slice that filled it: a few milliseconds at 2 MiB. (Parts of
    // 4 MiB handed over after a slice's 25 ms of writing made tasks of 50-67 ms; parts of 1 MiB
    // made the writing a third slower and the last file, of some 700 parts, a task of 107 ms.)
    const PART_BYTES: usize = 2 << 20;
    let blob_of = |parts: &js_sys::Array| {
        crate::ui::widgets::blob_of(parts, "application/json")
            .ok_or_else(|| SaveError::Store("the browser made no file".into()))
    };
    let me = with_data(|d| d.me());
    let t0 = crate::ui::state::perf_now();
    let mut dump = creditdesk_app::admin::backup_dump(&*db()?, &me).await?;
    crate::ui::state::publish_timing("backupDumpMs", crate::ui::state::perf_now() - t0);
    // The dump's last slice (the ledger's tail decoded) is not the writing's first.
    crate::ui::state::yield_now().await;
    let mut w = Writer::new(&dump);
    // Each part's bytes become a file of their own; the backup is the file of those files
    // (joined by reference, not copied again), made of them 32 at a time as they come: one file
    // of some 360 parts made at the end was a task of 58 ms.
    const GROUP: u32 = 32;
    let (groups, files) = (js_sys::Array::new(), js_sys::Array::new());
    let mut buf = Vec::with_capacity(PART_BYTES + (64 << 10));
    loop {
        let t = crate::ui::state::perf_now();
        let mut done = false;
        // A slice ends after 25 ms, the hand-over of a part it filled included.
        while !done && crate::ui::state::perf_now() - t < SLICE_MS {
            done = w
                .write_some(&mut buf, 20)
                .map_err(|e| SaveError::Store(e.to_string()))?;
            if buf.len() >= PART_BYTES || (done && !buf.is_empty()) {
                let bytes = js_sys::Uint8Array::from(buf.as_slice());
                let part: web_sys::Blob = blob_of(&js_sys::Array::of1(&bytes))?;
                files.push(&part);
                buf.clear();
                if files.length() == GROUP {
                    let group: web_sys::Blob = blob_of(&files)?;
                    groups.push(&group);
                    files.set_length(0);
                }
            }
        }
        progress(w.written(), w.records());
        if done {
            break;
        }
        // A turn: the page draws the progress, and input is taken.
        crate::ui::state::yield_now().await;
    }
    drop(w);
    // A million payments hold their allocations each: freed all at once, a task of about 20 ms
    // at the end of the writing's last slice.
    let mut payments = std::mem::take(&mut dump.rows.payments);
    while !payments.is_empty() {
        payments.truncate(payments.len().saturating_sub(100_000));
        crate::ui::state::yield_now().await;
    }
    if files.length() > 0 {
        let last: web_sys::Blob = blob_of(&files)?;
        groups.push(&last);
    }
    blob_of(&groups)
}

/// A backup file read and checked: ready to restore, or every problem found.
pub type Checked = Result<Backup, (Vec<BackupProblem>, usize)>;

/// Reads and checks a backup file the person chose (`file`), and its SHA-256 (hex). The file is
/// read a megabyte at a time (a slice of it handed over by the browser each time: neither wasm
/// nor the page holds the whole file, hundreds of megabytes for a large book), hashed as it is
/// read, and its records decoded as they come (`backup::Scanner`). The page draws and takes
/// input between pieces (the check of a large book's file took one task of 18.6 s);
/// `progress(read, of)` is told the bytes read at each turn. A file the browser cannot read is a
/// problem of the file.
pub async fn check_backup(file: &web_sys::Blob, progress: impl Fn(f64, f64)) -> (Checked, String) {
    use creditdesk_storage::turn;
    // Read from the file at once, and decoded at once (a large book's ledger decodes at about
    // 40 MB a second: a few milliseconds a piece).
    const READ: f64 = (1 << 20) as f64;
    const PIECE: usize = 256 << 10;
    let len = file.size();
    let mut at = 0.0;
    let mut scanner = backup::Scanner::of_len(len as u64);
    let mut sha = creditdesk_domain::approval::Sha256Parts::default();
    let mut room = Vec::new();
    let mut slice = turn::Slice::start();
    let mut longest = 0f64;
    while at < len {
        let end = (at + READ).min(len);
        let read = match file.slice_with_f64_and_f64(at, end) {
            Ok(part) => wasm_bindgen_futures::JsFuture::from(part.array_buffer()).await,
            Err(e) => Err(e),
        };
        let Ok(buf) = read else {
            let problem = BackupProblem {
                code: backup::BackupCode::Json,
                at: "file".into(),
                detail: format!("the browser could not read the file past byte {at}"),
            };
            return (Err((vec![problem], 1)), String::new());
        };
        let bytes = js_sys::Uint8Array::new(&buf);
        room.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut room);
        for part in room.chunks(PIECE) {
            sha.update(part);
            let t = turn::now();
            scanner.feed(part);
            longest = longest.max(turn::now() - t);
            if slice.is_due() {
                progress(at, len);
                slice.turn().await;
            }
        }
        at = end;
    }
    // A large record's check (an import's command in the outbox, the file's last section) goes
    // on after its last byte, a step at a time.
    while scanner.busy() {
        let t = turn::now();
        scanner.step();
        longest = longest.max(turn::now() - t);
        if slice.is_due() {
            progress(len, len);
            slice.turn().await;
        }
    }
    let t = turn::now();
    let checked = scanner.finish();
    // For the benchmark: the longest piece's decoding (or step of a large record's check), and
    // the checks after the last.
    crate::ui::state::publish_timing("restoreLongestPieceMs", longest);
    crate::ui::state::publish_timing("restoreFinishMs", turn::now() - t);
    (checked, sha.hex())
}

/// Replaces everything with a backup, or merges it in (see `creditdesk_app::admin::restore`);
/// then loads the data again. `file` and `sha256` name the file in the audit entry.
pub async fn restore(
    state: AppState,
    backup: Backup,
    merge: bool,
    file: &str,
    sha256: &str,
) -> Result<Option<MergeReport>, SaveError> {
    let store = db()?;
    let me = with_data(|d| d.me());
    // No other tab of the browser may have the data open: it would go on writing from the book
    // the restore replaces. Refused before anything changes (see `creditdesk_storage::tabs`).
    let alone = store.alone().await.map_err(|e| store_error(state, e))?;
    // Nothing else is written meanwhile: the restore replaces every store, and what the page
    // committed in its turns would be lost unarchived. The data is read again either way (a
    // restore that fails changes nothing).
    state.phase.set(Phase::Loading);
    // The book no longer holds what the store does from the write on: nothing derived from it
    // is kept for the next start (see `state::keep_figures`) until it is read again; no sync
    // begins (one under way ends first: its pull would write the store under the restore).
    state.ledger_ready.set(false);
    crate::ui::sync::wait_idle().await;
    let report =
        creditdesk_app::admin::restore(&*store, &me, now().0, backup, merge, file, sha256).await;
    drop(alone);
    // For the benchmark: when (ms since navigation) the stores were replaced, and when the start
    // after it was done.
    crate::ui::state::publish_timing("restoreWrittenAt", crate::ui::state::perf_now());
    boot(state).await;
    crate::ui::state::publish_timing("restoreBootedAt", crate::ui::state::perf_now());
    Ok(report?)
}

/// A store's error for the page, in its language where it is the user's to act on.
pub fn store_error(state: AppState, e: StoreError) -> SaveError {
    match e {
        StoreError::OtherTabs(_) => SaveError::Store(
            state
                .lang
                .get_untracked()
                .t(crate::ui::i18n::T::OtherTabsOpen)
                .into(),
        ),
        e => e.into(),
    }
}
