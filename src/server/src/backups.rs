//! Backups that keep themselves, and the drill that proves they restore.
//!
//! - [`take`]: the whole database as the app's backup file (`creditdesk_storage::backup`),
//!   written record by record to a temporary file, flushed to disk and renamed into place (a
//!   crash leaves the last good backup, never half a file), with its SHA-256 beside it in
//!   `NAME.sha256` (`sha256sum -c` reads it); then only the newest `keep` are kept.
//! - The schedule ([`crate::jobs`]) takes one a day (`creditdesk-YYYY-MM-DD.json`, the business
//!   day), under the `backup` lease.
//! - [`drill`]: restores a backup into a scratch SQLite database, checks its SHA-256, compares
//!   every section's count with the file's and verifies the audit trail's hash chain;
//!   `creditdesk-server restore-drill` runs it on the latest backup.

use crate::store::SqlStore;
use creditdesk_domain::Date;
use creditdesk_storage::backup::{self, Counts};
use creditdesk_storage::Store;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where and how many.
#[derive(Clone, Debug)]
pub struct Plan {
    pub dir: PathBuf,
    /// How many daily backups to keep; 0 turns scheduled backups off.
    pub keep: usize,
}

/// The file of a day's backup.
pub fn file_name(day: Date) -> String {
    format!("creditdesk-{}.json", day.iso())
}

/// The backups in `dir`, oldest first.
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("creditdesk-") && n.ends_with(".json"))
        })
        .collect();
    v.sort();
    v
}

/// A `std::io::Write` that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hash: sha2::Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What a backup wrote.
#[derive(Clone, Debug)]
pub struct Taken {
    pub path: PathBuf,
    pub bytes: u64,
    pub sha256: String,
    pub counts: Counts,
    /// Older backups removed to keep `keep`.
    pub removed: Vec<PathBuf>,
}

/// Writes the database's backup for `day` into `dir` atomically, and keeps the newest `keep`.
pub async fn take(store: &SqlStore, dir: &Path, day: Date, keep: usize) -> Result<Taken, String> {
    let dump = store.dump().await.map_err(|e| e.to_string())?;
    write(&dump, dir, day, keep)
}

/// Writes a dump as the backup for `day` into `dir` atomically, and keeps the newest `keep`: the
/// part of [`take`] that needs no database (the schedule runs it off the engine's thread).
pub fn write(
    dump: &creditdesk_storage::backup::Dump,
    dir: &Path,
    day: Date,
    keep: usize,
) -> Result<Taken, String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the backup folder {}: {e}", dir.display()))?;
    let name = file_name(day);
    let path = dir.join(&name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let (bytes, sha256) = {
        let file = std::fs::File::create(&tmp)
            .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        let mut w = Hashing {
            inner: std::io::BufWriter::with_capacity(1 << 20, file),
            hash: <sha2::Sha256 as sha2::Digest>::new(),
        };
        backup::write_json(dump, &mut w)
            .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        w.flush().map_err(|e| e.to_string())?;
        let file = w.inner.into_inner().map_err(|e| e.to_string())?;
        file.sync_all().map_err(|e| e.to_string())?;
        let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let hex: String = sha2::Digest::finalize(w.hash)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        (bytes, hex)
    };
    std::fs::rename(&tmp, &path).map_err(|e| format!("cannot move the backup into place: {e}"))?;
    let side = dir.join(format!("{name}.sha256"));
    let side_tmp = dir.join(format!(".{name}.sha256.tmp"));
    std::fs::write(&side_tmp, format!("{sha256}  {name}\n")).map_err(|e| e.to_string())?;
    std::fs::rename(&side_tmp, &side).map_err(|e| e.to_string())?;
    let mut removed = Vec::new();
    let all = list(dir);
    if keep > 0 && all.len() > keep {
        for old in &all[..all.len() - keep] {
            let _ = std::fs::remove_file(old);
            let _ = std::fs::remove_file(old.with_extension("json.sha256"));
            removed.push(old.clone());
        }
    }
    Ok(Taken {
        path,
        bytes,
        sha256,
        counts: dump.counts(),
        removed,
    })
}

/// What the drill found.
#[derive(Clone, Debug)]
pub struct Drill {
    pub file: PathBuf,
    pub sha256: String,
    /// In the file, and in the scratch database after the restore.
    pub file_counts: Counts,
    pub restored: Counts,
    /// How many audit entries verified link by link.
    pub audit_verified: usize,
    pub millis: u128,
}

/// Restores `file` into a scratch SQLite database and checks that everything came back: the
/// SHA-256 beside it (when there is one), every section's count, the audit trail's chain.
pub async fn drill(file: &Path) -> Result<Drill, String> {
    let t = std::time::Instant::now();
    let open =
        || std::fs::File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()));
    // The checksum and the parse read the file as a stream: it is never whole in memory.
    let sha256 = {
        use sha2::Digest;
        use std::io::Read;
        let mut f = open()?;
        let mut hash = sha2::Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = f
                .read(&mut buf)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
        }
        hash.finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let side = PathBuf::from(format!("{}.sha256", file.display()));
    if let Ok(expected) = std::fs::read_to_string(&side) {
        let expected = expected.split_whitespace().next().unwrap_or_default();
        if expected != sha256 {
            return Err(format!(
                "{} is not the file that was written: its SHA-256 is {sha256}, {} says {expected}",
                file.display(),
                side.display()
            ));
        }
    }
    let parsed = backup::parse_reader(open()?).map_err(|(problems, count)| {
        format!(
            "{} does not read as a backup ({count} problems): {}",
            file.display(),
            problems
                .iter()
                .take(5)
                .map(|p| format!("{} at {}: {}", p.code.code(), p.at, p.detail))
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    let scratch = std::env::temp_dir().join(format!("creditdesk-drill-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let result = async {
        let url = format!("sqlite:{}", scratch.join("drill.sqlite").display());
        let (pool, _) = crate::store::open(&url, 1).await?;
        let store = SqlStore::new(pool);
        let file_counts = parsed.dump.counts();
        store.restore(&parsed.dump).await.map_err(|e| e.to_string())?;
        // The file's rows go before the database's are read back: one copy at a time.
        drop(parsed);
        let restored = store.dump().await.map_err(|e| e.to_string())?.counts();
        if restored != file_counts {
            return Err(format!(
                "the restore does not match the file: the file has {file_counts:?}, the database {restored:?}"
            ));
        }
        let audit_verified = creditdesk_app::admin::verify_trail(&store)
            .await
            .map_err(|e| e.to_string())?
            .map_err(|seq| format!("the audit trail breaks at entry {seq}"))?;
        store.pool.close().await;
        Ok(Drill {
            file: file.to_path_buf(),
            sha256: sha256.clone(),
            file_counts,
            restored,
            audit_verified,
            millis: t.elapsed().as_millis(),
        })
    }
    .await;
    let _ = std::fs::remove_dir_all(&scratch);
    result
}
