//! The server's jobs: what runs with nobody at a screen. A ticker asks the engine every
//! `--tick-seconds` to keep time (a new day moves the book on), expire requests, run the warning
//! rules over every customer and collect the notices due; the deliverer ([`crate::notify`])
//! sends them. A failed run is recorded and tried again at the next tick.
//!
//! One process at a time: each job takes a lease in the database (the `leases` table) before it
//! runs, so two server processes on one PostgreSQL never run the same job at once. A lease runs
//! out by itself, so a process that died does not hold a job for ever.

use sqlx::{AnyPool, Row};

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
