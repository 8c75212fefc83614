//! Who is signed in: passwords hashed with Argon2id, sessions as random tokens of which only the
//! SHA-256 is stored, an expiry on every session, and a throttle on failed sign-ins. Who a user
//! *is* (name, roles, region) is the application's directory; this module only proves it.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use creditdesk_domain::approval::sha256_hex;
use sqlx::AnyPool;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Mutex;

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

/// A password's problem, said to the person typing it.
pub fn password_problem(password: &str) -> Option<String> {
    (password.chars().count() < MIN_PASSWORD)
        .then(|| format!("a password has at least {MIN_PASSWORD} characters"))
}

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes) and a fresh salt.
/// Slow on purpose: call it off the async threads.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches a stored hash.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A new session token (256 random bits, hex) and the hash that is stored.
pub fn new_token() -> (String, String) {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    let token = format!("{a}{b}");
    let hash = sha256_hex(token.as_bytes());
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

fn db(e: sqlx::Error) -> String {
    format!("database: {e}")
}

pub async fn credential(pool: &AnyPool, user: &str) -> Result<Option<String>, String> {
    let row = sqlx::query("SELECT hash FROM credentials WHERE user_id = $1")
        .bind(user.to_string())
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    Ok(row.map(|r| r.get::<String, _>(0)))
}

/// Whether anyone can sign in yet (else the first run asks for an administrator).
pub async fn anyone(pool: &AnyPool) -> Result<bool, String> {
    let row = sqlx::query("SELECT COUNT(*) FROM credentials")
        .fetch_one(pool)
        .await
        .map_err(db)?;
    Ok(row.get::<i64, _>(0) > 0)
}

/// Sets a user's password hash; ends their other sessions (all, when `keep` is `None`).
pub async fn set_password(
    pool: &AnyPool,
    user: &str,
    hash: &str,
    now: i64,
    keep: Option<&str>,
) -> Result<(), String> {
    let mut tx = pool.begin().await.map_err(db)?;
    sqlx::query(
        "INSERT INTO credentials (user_id, hash, changed_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, changed_at = excluded.changed_at",
    )
    .bind(user.to_string())
    .bind(hash.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user.to_string())
        .bind(keep.unwrap_or("").to_string())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)
}

pub async fn create_session(
    pool: &AnyPool,
    user: &str,
    now: i64,
    ttl_ms: i64,
) -> Result<(String, i64), String> {
    let (token, hash) = new_token();
    let expires = now + ttl_ms;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(hash)
    .bind(user.to_string())
    .bind(now)
    .bind(expires)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok((token, expires))
}

/// What a session token is.
#[derive(Debug, PartialEq, Eq)]
pub enum Session {
    Valid { user: String, expires_at: i64 },
    Expired,
    Unknown,
}

pub async fn session(pool: &AnyPool, token: &str, now: i64) -> Result<Session, String> {
    let row = sqlx::query("SELECT user_id, expires_at FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    Ok(match row {
        None => Session::Unknown,
        Some(r) => {
            let expires_at: i64 = r.get(1);
            if expires_at <= now {
                Session::Expired
            } else {
                Session::Valid {
                    user: r.get(0),
                    expires_at,
                }
            }
        }
    })
}

pub async fn end_session(pool: &AnyPool, token: &str) -> Result<(), String> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

/// Failed sign-ins per account: after [`Throttle::FREE`] failures in a row, each further attempt
/// waits twice as long as the one before (1 s, 2 s, 4 s, … up to 15 minutes). A success clears it.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, i64)>>,
}

impl Throttle {
    pub const FREE: u32 = 5;
    const MAX_WAIT_MS: i64 = 15 * 60_000;

    /// Milliseconds to wait before `who` may try again, if any.
    pub fn wait(&self, who: &str, now: i64) -> Option<i64> {
        let f = self.failures.lock().expect("throttle");
        let (n, last) = *f.get(who)?;
        if n < Self::FREE {
            return None;
        }
        let wait = (1_000i64 << (n - Self::FREE).min(20)).min(Self::MAX_WAIT_MS);
        let left = last + wait - now;
        (left > 0).then_some(left)
    }
    pub fn failed(&self, who: &str, now: i64) {
        let mut f = self.failures.lock().expect("throttle");
        let e = f.entry(who.to_string()).or_insert((0, now));
        e.0 += 1;
        e.1 = now;
    }
    pub fn succeeded(&self, who: &str) {
        self.failures.lock().expect("throttle").remove(who);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hash_verifies_its_password_and_no_other() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "correct horse"));
        assert!(!verify_password(&h, "correct horsE"));
        assert!(!verify_password("not a hash", "correct horse"));
    }

    #[test]
    fn failed_sign_ins_wait_longer_and_longer_after_five() {
        let t = Throttle::default();
        for i in 0..Throttle::FREE {
            assert_eq!(t.wait("rep-1", 0), None, "attempt {i}");
            t.failed("rep-1", 0);
        }
        assert_eq!(t.wait("rep-1", 0), Some(1_000));
        assert_eq!(t.wait("rep-1", 1_000), None);
        t.failed("rep-1", 1_000);
        assert_eq!(t.wait("rep-1", 1_000), Some(2_000));
        assert_eq!(
            t.wait("rep-2", 1_000),
            None,
            "another account is not slowed"
        );
        t.succeeded("rep-1");
        assert_eq!(t.wait("rep-1", 1_000), None);
    }
}
