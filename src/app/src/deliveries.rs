//! What the server says of its notices and jobs, as the server writes it and the app reads it
//! (`GET /api/v1/notices`, `/notices/log`, `/jobs`): one type for both ends.

use serde::{Deserialize, Serialize};

/// One notice on its way or sent: one recipient, one channel.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub kind: String,
    pub user: String,
    pub channel: String,
    pub address: String,
    pub customer: Option<String>,
    pub subject: String,
    pub body: String,
    /// `pending` (waiting for its first or next try), `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub next_at: i64,
    pub sent_at: Option<i64>,
}

/// What a server job did.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct JobRun {
    pub name: String,
    pub runs: i64,
    pub failures: i64,
    pub last_start: i64,
    pub last_ms: i64,
    /// When it last succeeded.
    pub last_ok: Option<i64>,
    /// The last run's error (none when it succeeded).
    pub last_error: Option<String>,
}
