//! The server's jobs: what runs with nobody at a screen. A ticker asks the engine every
//! `--tick-seconds` to keep time (a new day moves the book on), expire requests, run the warning
//! rules over every customer and collect the notices due; the deliverer ([`crate::notify`])
//! sends them. A failed run is recorded and tried again at the next tick.
//!
//! One process at a time: each job takes a lease in the database (the `leases` table) before it
//! runs, so two server processes on one PostgreSQL never run the same job at once. A lease runs
//! out by itself, so a process that died does not hold a job for ever.
//!
//! One writer per database: the book lives in the engine's memory, so only one process may run
//! commands on a database. That process holds the [`PRIMARY`] lease; any other process started on
//! the same database is a standby (the API answers `503 SRV-STANDBY`) that takes the lease over
//! when the primary stops or dies, loading the book afresh. The lease is also a fence: every write
//! transaction of the primary's store renews it first ([`Fence::check`]) and writes nothing when
//! another process holds it, so a primary that was cut off and replaced cannot write over its
//! successor's work; it steps down instead.

use sqlx::{AnyPool, Row};
use std::sync::atomic::{AtomicBool, Ordering};

/// The lease of the one process on a database that runs commands.
pub const PRIMARY: &str = "primary";

/// Milliseconds since the epoch by the machine's clock: leases are about processes being alive,
/// not about the business day (a test's or a demo's clock may stand still).
pub fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// The primary lease as the store's writes see it: who holds it, for how long a renewal lasts,
/// and whether it was found taken by another process.
#[derive(Debug)]
pub struct Fence {
    pub holder: String,
    pub ms: i64,
    lost: AtomicBool,
}

impl Fence {
    pub fn new(holder: impl Into<String>, ms: i64) -> Fence {
        Fence {
            holder: holder.into(),
            ms,
            lost: AtomicBool::new(false),
        }
    }

    /// True once a write or a renewal found the lease held by another process.
    pub fn lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    /// A new term: this process has just taken the lease.
    pub fn renewed(&self) {
        self.lost.store(false, Ordering::SeqCst);
    }

    /// Renews the lease outside a write (the renewal task, every third of the lease); marks it
    /// lost when another process holds it. Never takes a lease back once another process has
    /// held it: the book in memory may be behind what that process wrote.
    pub async fn renew(&self, pool: &AnyPool) -> Result<(), String> {
        self.extend(pool).await.map(|_| ())
    }

    /// The first statement of every write transaction: renews the lease; an error (and nothing
    /// written) when another process holds it. On PostgreSQL the row lock it takes also orders
    /// the writes of two processes that both believe they are the primary.
    pub async fn check(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ) -> Result<(), String> {
        if self.extend(&mut **tx).await? {
            Ok(())
        } else {
            Err(format!(
                "{STANDBY}: this server is no longer the primary of its database (another server process took over); nothing was written"
            ))
        }
    }

    /// Moves this holder's lease on by `ms`; false (and the lease marked lost) when the row is
    /// another process's or gone.
    async fn extend<'e, E>(&self, on: E) -> Result<bool, String>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let done = sqlx::query("UPDATE leases SET until_at = $1 WHERE name = $2 AND holder = $3")
            .bind(wall_ms() + self.ms)
            .bind(PRIMARY.to_string())
            .bind(self.holder.clone())
            .execute(on)
            .await
            .map_err(|e| e.to_string())?;
        let held = done.rows_affected() == 1;
        if !held {
            self.lost.store(true, Ordering::SeqCst);
        }
        Ok(held)
    }
}

/// The code of an answer from a server that is not (or no longer) the primary.
pub const STANDBY: &str = "SRV-STANDBY";

/// This process's name in the leases: the machine, the process id, and a random part
/// (`host/pid/uuid`), so that a process on the same machine can tell that a holder is gone.
pub fn holder_name() -> String {
    format!(
        "{}/{}/{}",
        host(),
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    )
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// True when `holder` names a process of this machine that no longer runs (a crash, `kill -9`).
/// Where that cannot be known (another machine, no `/proc`), false: its lease must run out.
fn gone(holder: &str) -> bool {
    let mut parts = holder.split('/');
    let (Some(h), Some(pid)) = (parts.next(), parts.next()) else {
        return false;
    };
    let here = host();
    !here.is_empty()
        && h == here
        && std::path::Path::new("/proc/self").exists()
        && pid.parse::<u32>().is_ok()
        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Tries to become the primary: takes the lease when it is free or ran out, or when its holder
/// was a process of this machine that is gone. `None` when this process holds it now, else who
/// does.
pub async fn take_primary(pool: &AnyPool, holder: &str, ms: i64) -> Result<Option<String>, String> {
    if lease(pool, PRIMARY, holder, wall_ms(), ms).await? {
        return Ok(None);
    }
    let row = sqlx::query("SELECT holder FROM leases WHERE name = $1")
        .bind(PRIMARY.to_string())
        .fetch_optional(pool)
        .await
        .map_err(|e| e.to_string())?;
    let Some(other) = row.map(|r| r.get::<String, _>(0)) else {
        return Ok(Some("(released just now)".into()));
    };
    if gone(&other) {
        let done = sqlx::query(
            "UPDATE leases SET holder = $1, until_at = $2 WHERE name = $3 AND holder = $4",
        )
        .bind(holder.to_string())
        .bind(wall_ms() + ms)
        .bind(PRIMARY.to_string())
        .bind(other.clone())
        .execute(pool)
        .await
        .map_err(|e| e.to_string())?;
        if done.rows_affected() == 1 {
            eprintln!("the primary's process {other} is gone: taking over at once");
            return Ok(None);
        }
    }
    Ok(Some(other))
}

/// Takes (or renews) the lease `name` for `holder` until `now + ms`; false when another holder's
/// lease has not run out.
pub async fn lease(
    pool: &AnyPool,
    name: &str,
    holder: &str,
    now: i64,
    ms: i64,
) -> Result<bool, String> {
    let done = sqlx::query(
        "INSERT INTO leases (name, holder, until_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_at = excluded.until_at \
         WHERE leases.until_at < $4 OR leases.holder = excluded.holder",
    )
    .bind(name.to_string())
    .bind(holder.to_string())
    .bind(now + ms)
    .bind(now)
    .execute(pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok(done.rows_affected() == 1)
}

/// Gives a lease back (the next tick of any process may take it).
pub async fn release(pool: &AnyPool, name: &str, holder: &str) -> Result<(), String> {
    sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
        .bind(name.to_string())
        .bind(holder.to_string())
        .execute(pool)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Records one run of a job: when it started, how long it took, and its error if it failed.
pub async fn record(
    pool: &AnyPool,
    name: &str,
    started: i64,
    ms: i64,
    error: Option<&str>,
) -> Result<(), String> {
    sqlx::query(
        "INSERT INTO jobs (name, runs, failures, last_start, last_ms, last_ok, last_error) \
         VALUES ($1, 1, $2, $3, $4, $5, $6) \
         ON CONFLICT (name) DO UPDATE SET runs = jobs.runs + 1, \
         failures = jobs.failures + excluded.failures, last_start = excluded.last_start, \
         last_ms = excluded.last_ms, last_ok = COALESCE(excluded.last_ok, jobs.last_ok), \
         last_error = excluded.last_error",
    )
    .bind(name.to_string())
    .bind(i64::from(error.is_some()))
    .bind(started)
    .bind(ms)
    .bind(error.is_none().then_some(started))
    .bind(error.map(str::to_string))
    .execute(pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

pub use creditdesk_app::deliveries::JobRun;

pub async fn list(pool: &AnyPool) -> Result<Vec<JobRun>, String> {
    let rows = sqlx::query(
        "SELECT name, runs, failures, last_start, last_ms, last_ok, last_error FROM jobs ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok(rows
        .iter()
        .map(|r| JobRun {
            name: r.get(0),
            runs: r.get(1),
            failures: r.get(2),
            last_start: r.get(3),
            last_ms: r.get(4),
            last_ok: r.get(5),
            last_error: r.get(6),
        })
        .collect())
}
