//! The devices that sync, and the ones reported lost.
//!
//! The app names its device in every request (`X-CreditDesk-Device`: its client id, the one its
//! pushes carry). The server keeps, per device, its user, the session it last used, its browser
//! and when it was first and last seen. An administrator can report a device lost
//! (`POST /api/v1/devices/{client}/lost`): the session it last used ends at once, and its next
//! request (with a session, or after signing in again) is answered `410 SRV-DEVICE-LOST`, on
//! which the app erases its local database. A device answered so is marked wiped.

use sqlx::{AnyPool, Row};

/// The header that names the device.
pub const DEVICE_HEADER: &str = "x-creditdesk-device";

/// A device as the administrator sees it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Device {
    pub client: String,
    pub user: String,
    pub agent: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub lost_at: Option<i64>,
    pub lost_by: Option<String>,
    /// When the device was told to erase its data (after it was reported lost).
    pub wiped_at: Option<i64>,
}

fn db(e: sqlx::Error) -> String {
    format!("database: {e}")
}

/// Whether a client id is one the app makes (and so one worth keeping).
pub fn valid_client(client: &str) -> bool {
    !client.is_empty()
        && client.len() <= 64
        && client
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `client` was reported lost. If so, it is marked as told (it erases its data on this
/// answer).
pub async fn lost(pool: &AnyPool, client: &str, now: i64) -> Result<bool, String> {
    let row = sqlx::query("SELECT lost_at FROM devices WHERE client = $1")
        .bind(client.to_string())
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    let lost = row.is_some_and(|r| r.get::<Option<i64>, _>(0).is_some());
    if lost {
        sqlx::query("UPDATE devices SET wiped_at = $1 WHERE client = $2 AND wiped_at IS NULL")
            .bind(now)
            .bind(client.to_string())
            .execute(pool)
            .await
            .map_err(db)?;
    }
    Ok(lost)
}

/// The device a request names (`X-CreditDesk-Device`), if it is a client id the app makes.
pub fn client_of(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(DEVICE_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|c| valid_client(c))
}

/// Answers `410 SRV-DEVICE-LOST` to any API request that names a device reported lost, signed
/// in or not (its session was ended when it was reported).
pub async fn guard(
    axum::extract::State(shared): axum::extract::State<crate::api::Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use crate::api::ApiError;
    use axum::response::IntoResponse;
    if let Some(client) = client_of(request.headers()) {
        match lost(&shared.pool, client, shared.clock.now().0).await {
            Ok(false) => {}
            Ok(true) => {
                return ApiError::new(
                    axum::http::StatusCode::GONE,
                    "SRV-DEVICE-LOST",
                    "an administrator reported this device lost: its data is to be erased",
                )
                .into_response()
            }
            Err(e) => return ApiError::internal(e).into_response(),
        }
    }
    next.run(request).await
}

/// Records that `client` made a request as `user` with the session `session_hash` (at most one
/// write a minute per device: a sync makes several requests).
pub async fn seen(
    pool: &AnyPool,
    client: &str,
    user: &str,
    session_hash: &str,
    agent: &str,
    now: i64,
) -> Result<(), String> {
    let agent: String = agent.chars().take(200).collect();
    let row = sqlx::query("SELECT last_seen, user_id, session_hash FROM devices WHERE client = $1")
        .bind(client.to_string())
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    match row {
        None => {
            sqlx::query(
                "INSERT INTO devices (client, user_id, session_hash, agent, first_seen, last_seen) \
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(client.to_string())
            .bind(user.to_string())
            .bind(session_hash.to_string())
            .bind(agent)
            .bind(now)
            .execute(pool)
            .await
            .map_err(db)?;
        }
        Some(r) => {
            let last: i64 = r.get(0);
            let same = r.get::<String, _>(1) == user && r.get::<String, _>(2) == session_hash;
            if !same || now - last >= 60_000 {
                sqlx::query(
                    "UPDATE devices SET user_id = $1, session_hash = $2, agent = $3, last_seen = $4 \
                     WHERE client = $5",
                )
                .bind(user.to_string())
                .bind(session_hash.to_string())
                .bind(agent)
                .bind(now)
                .bind(client.to_string())
                .execute(pool)
                .await
                .map_err(db)?;
            }
        }
    }
    Ok(())
}

/// Every device, the most recently seen first.
pub async fn list(pool: &AnyPool) -> Result<Vec<Device>, String> {
    let rows = sqlx::query(
        "SELECT client, user_id, agent, first_seen, last_seen, lost_at, lost_by, wiped_at \
         FROM devices ORDER BY last_seen DESC, client",
    )
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .iter()
        .map(|r| Device {
            client: r.get(0),
            user: r.get(1),
            agent: r.get(2),
            first_seen: r.get(3),
            last_seen: r.get(4),
            lost_at: r.get(5),
            lost_by: r.get(6),
            wiped_at: r.get(7),
        })
        .collect())
}

/// Reports a device lost: its last session ends now. `false` if no such device.
pub async fn report_lost(pool: &AnyPool, client: &str, by: &str, now: i64) -> Result<bool, String> {
    let row = sqlx::query("SELECT session_hash FROM devices WHERE client = $1")
        .bind(client.to_string())
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    let Some(row) = row else {
        return Ok(false);
    };
    let session: String = row.get(0);
    let mut tx = pool.begin().await.map_err(db)?;
    sqlx::query(
        "UPDATE devices SET lost_at = $1, lost_by = $2 WHERE client = $3 AND lost_at IS NULL",
    )
    .bind(now)
    .bind(by.to_string())
    .bind(client.to_string())
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(session)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::valid_client;

    #[test]
    fn a_client_id_is_short_and_plain() {
        assert!(valid_client("d3f1-a9_x"));
        assert!(!valid_client(""));
        assert!(!valid_client("a b"));
        assert!(!valid_client(&"x".repeat(65)));
        assert!(!valid_client("<script>"));
    }
}
