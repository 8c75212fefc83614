//! Typed, globally unique ids and the sync metadata every record carries.
//!
//! Ids are random 128-bit values (UUID v4 in the app, a seeded generator in the demo), made by the
//! caller: the domain never draws randomness itself.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        // One 128-bit write, so that [`IdHasher`] folds it in two instructions.
        impl std::hash::Hash for $name {
            fn hash<H: Hasher>(&self, state: &mut H) {
                state.write_u128(self.0.as_u128());
            }
        }

        impl $name {
            pub const fn from_u128(v: u128) -> Self {
                $name(Uuid::from_u128(v))
            }
            pub const fn as_u128(self) -> u128 {
                self.0.as_u128()
            }
            pub fn is_nil(self) -> bool {
                self.0.is_nil()
            }
            /// Parses the hyphenated text form.
            pub fn parse(s: &str) -> Option<Self> {
                Uuid::parse_str(s).ok().map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }
    };
}

typed_id!(/// A customer.
    CustomerId);
typed_id!(/// A sales order.
    OrderId);
typed_id!(/// An invoice.
    InvoiceId);
typed_id!(/// A payment received.
    PaymentId);
typed_id!(/// A credit note.
    CreditNoteId);
typed_id!(/// A correction of the ledger (a void or a new allocation of a payment).
    CorrectionId);
typed_id!(/// A request for the approval workflow.
    RequestId);
typed_id!(/// The device (browser profile) that wrote a record.
    DeviceId);

/// Milliseconds since the Unix epoch, as handed in by the caller.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

/// What every stored record carries for sync: who wrote which version when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Meta {
    /// Starts at 1 and grows by one on every edit.
    pub version: u32,
    pub updated_at: Timestamp,
    pub device: DeviceId,
}

impl Meta {
    pub fn new(device: DeviceId, at: Timestamp) -> Meta {
        Meta {
            version: 1,
            updated_at: at,
            device,
        }
    }
    /// The metadata of the next version of this record.
    pub fn bump(self, device: DeviceId, at: Timestamp) -> Meta {
        Meta {
            version: self.version + 1,
            updated_at: at,
            device,
        }
    }
}

/// A hasher for maps keyed by random ids: their low 64 bits are already uniformly distributed,
/// so hashing them again is wasted work on the hot path of ledger indexing.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Used only for ids (16 bytes); fold anything else in FNV style to stay correct.
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = (self.0 ^ v as u64 ^ (v >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(v as u64);
    }
}

pub type IdBuild = BuildHasherDefault<IdHasher>;
pub type IdMap<K, V> = std::collections::HashMap<K, V, IdBuild>;
