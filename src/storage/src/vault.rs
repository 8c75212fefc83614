//! The device's key record: how the data key that encrypts every stored record is kept, and the
//! rules for unlocking it. Pure (the cryptography itself is WebCrypto's, in `crypt`, wasm32 only).
//!
//! The scheme (docs/adr/0006-encryption-at-rest.md has the reasons):
//! - one random AES-256-GCM **data key** per device encrypts every record of every store but
//!   `vault`; each record has its own random 96-bit nonce, and the store's name as associated
//!   data (a record moved to another store does not decrypt);
//! - the data key is kept only **wrapped** (AES-GCM) under a key-encryption key derived from the
//!   user's secret with PBKDF2-SHA256 ([`PBKDF2_ITERATIONS`], OWASP's 2023 figure) and a random
//!   128-bit salt; the unwrapped key lives only in the page's memory;
//! - the secret is the user's password on a synced device, a PIN the user sets instead, or a
//!   passphrase on a local-only installation ([`Secret`]); changing it re-wraps the data key and
//!   re-encrypts nothing;
//! - a wrong secret fails the wrap's authentication tag and reads nothing; after
//!   [`MAX_FAILURES`] wrong tries in a row the device's data is deleted.
//!
//! What stays readable without the secret: store names, record keys (ids, chunk numbers, audit
//! sequence numbers), record counts and sizes, and this record.

use serde::{Deserialize, Serialize};

/// The key of the one record in the `vault` store.
pub const VAULT_KEY: &str = "device";
/// PBKDF2-HMAC-SHA256 iterations (OWASP Password Storage Cheat Sheet, 2023: 600,000).
pub const PBKDF2_ITERATIONS: u32 = 600_000;
/// Wrong secrets in a row after which the device's data is deleted.
pub const MAX_FAILURES: u32 = 10;
/// Minutes without a touch or a key after which the app locks, unless the user chose otherwise.
pub const DEFAULT_IDLE_MINUTES: u32 = 5;
/// The idle times a user may choose, in minutes.
pub const IDLE_CHOICES: [u32; 5] = [1, 2, 5, 15, 30];
/// The first bytes of every encrypted record ("CDE1"), then the 12-byte nonce, then the
/// ciphertext and its 16-byte tag.
pub const SEALED_MAGIC: [u8; 4] = *b"CDE1";

/// What unlocks the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Secret {
    /// The user's sign-in password (a synced device, by default).
    Password,
    /// A PIN of at least six digits the user set on this device instead of the password.
    Pin,
    /// A passphrase of a local-only installation.
    Passphrase,
}

impl Secret {
    /// Why `text` cannot be this kind of secret, or `None`. A password is the server's to judge.
    pub fn problem(self, text: &str) -> Option<SecretProblem> {
        match self {
            Secret::Password => text.is_empty().then_some(SecretProblem::Empty),
            Secret::Pin if !text.chars().all(|c| c.is_ascii_digit()) => {
                Some(SecretProblem::PinNotDigits)
            }
            Secret::Pin if text.len() < 6 => Some(SecretProblem::PinTooShort),
            Secret::Passphrase if text.chars().count() < 10 => {
                Some(SecretProblem::PassphraseTooShort)
            }
            _ => None,
        }
    }
}

/// Why a secret is refused, with a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretProblem {
    Empty,
    PinNotDigits,
    PinTooShort,
    PassphraseTooShort,
}

impl SecretProblem {
    pub fn code(self) -> &'static str {
        match self {
            SecretProblem::Empty => "V-EMPTY",
            SecretProblem::PinNotDigits => "V-PIN-DIGITS",
            SecretProblem::PinTooShort => "V-PIN-SHORT",
            SecretProblem::PassphraseTooShort => "V-PASSPHRASE-SHORT",
        }
    }
}

/// The vault record, stored as JSON in the clear.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vault {
    /// The record's format (1).
    pub format: u32,
    /// `PBKDF2-SHA256`.
    pub kdf: String,
    pub iterations: u32,
    /// Base64 of the 16-byte salt.
    pub salt: String,
    /// Base64 of the 12-byte nonce followed by the wrapped data key and its tag.
    pub wrapped: String,
    pub secret: Secret,
    /// Wrong secrets since the last right one.
    #[serde(default)]
    pub failures: u32,
    /// Minutes of no use after which the app locks.
    #[serde(default = "default_idle")]
    pub idle_minutes: u32,
}

fn default_idle() -> u32 {
    DEFAULT_IDLE_MINUTES
}

/// What a wrong secret leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    /// Tries left before the data is deleted.
    TriesLeft(u32),
    /// That was the last try: delete the device's data.
    Wipe,
}

impl Vault {
    pub fn new(secret: Secret, salt: &[u8], wrapped: &[u8]) -> Vault {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        Vault {
            format: 1,
            kdf: "PBKDF2-SHA256".into(),
            iterations: PBKDF2_ITERATIONS,
            salt: b64.encode(salt),
            wrapped: b64.encode(wrapped),
            secret,
            failures: 0,
            idle_minutes: DEFAULT_IDLE_MINUTES,
        }
    }

    pub fn from_json(text: &str) -> Result<Vault, crate::StoreError> {
        let v: Vault =
            serde_json::from_str(text).map_err(|e| crate::StoreError::corrupt("vault", e))?;
        if v.format != 1 || v.kdf != "PBKDF2-SHA256" || v.iterations == 0 {
            return Err(crate::StoreError::corrupt(
                "vault",
                format!("format {} with {} is not known", v.format, v.kdf),
            ));
        }
        Ok(v)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("the vault serialises")
    }

    pub fn salt_bytes(&self) -> Result<Vec<u8>, crate::StoreError> {
        decode64(&self.salt)
    }

    pub fn wrapped_bytes(&self) -> Result<Vec<u8>, crate::StoreError> {
        decode64(&self.wrapped)
    }

    /// Counts a wrong secret.
    pub fn fail(&mut self) -> AfterFailure {
        self.failures = self.failures.saturating_add(1);
        if self.failures >= MAX_FAILURES {
            AfterFailure::Wipe
        } else {
            AfterFailure::TriesLeft(MAX_FAILURES - self.failures)
        }
    }
}

fn decode64(s: &str) -> Result<Vec<u8>, crate::StoreError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| crate::StoreError::corrupt("vault", e))
}

/// Whether stored bytes are an encrypted record (they start with [`SEALED_MAGIC`] and are long
/// enough for a nonce and a tag).
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.len() >= 4 + 12 + 16 && bytes[..4] == SEALED_MAGIC
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_refused_with_its_reason() {
        let check = |kind: Secret, text: &str, expected: Option<&str>| {
            assert_eq!(
                kind.problem(text).map(SecretProblem::code),
                expected,
                "{kind:?} {text:?}"
            );
        };
        check(Secret::Pin, "123456", None);
        check(Secret::Pin, "12345", Some("V-PIN-SHORT"));
        check(Secret::Pin, "12345a", Some("V-PIN-DIGITS"));
        check(Secret::Pin, "１２３４５６", Some("V-PIN-DIGITS"));
        check(Secret::Passphrase, "correct horse", None);
        check(
            Secret::Passphrase,
            "短短短短短短短短短",
            Some("V-PASSPHRASE-SHORT"),
        );
        check(Secret::Passphrase, "短短短短短短短短短短", None);
        check(Secret::Password, "", Some("V-EMPTY"));
        check(Secret::Password, "x", None);
    }

    #[test]
    fn the_tenth_wrong_secret_in_a_row_wipes_the_device() {
        let mut v = Vault::new(Secret::Pin, &[1; 16], &[2; 60]);
        for left in (1..MAX_FAILURES).rev() {
            assert_eq!(v.fail(), AfterFailure::TriesLeft(left));
        }
        assert_eq!(v.fail(), AfterFailure::Wipe);
        assert_eq!(v.failures, MAX_FAILURES);
    }

    #[test]
    fn the_vault_round_trips_and_an_unknown_format_is_refused() {
        let v = Vault::new(Secret::Password, &[7; 16], &[9; 60]);
        let back = Vault::from_json(&v.to_json()).unwrap();
        assert_eq!(back, v);
        assert_eq!(back.salt_bytes().unwrap(), vec![7; 16]);
        assert_eq!(back.iterations, 600_000);
        let newer = v.to_json().replace("\"format\":1", "\"format\":2");
        assert!(Vault::from_json(&newer).is_err());
        assert!(Vault::from_json("{").is_err());
    }

    #[test]
    fn only_a_record_with_the_mark_a_nonce_and_a_tag_is_sealed() {
        let mut sealed = SEALED_MAGIC.to_vec();
        sealed.extend([0; 28]);
        assert!(is_sealed(&sealed));
        assert!(!is_sealed(&sealed[..31]));
        assert!(!is_sealed(b"{\"name\":\"CDE1\"}"));
    }
}
