//! The IndexedDB schema, versioned. Each store names the version that introduced it; opening a
//! database of an older version creates what is missing and keeps every record.

/// The current schema version.
pub const VERSION: u32 = 6;
pub const DB_NAME: &str = "creditdesk";

pub const CUSTOMERS: &str = "customers";
pub const CHUNKS: &str = "chunks";
pub const TAIL: &str = "tail";
pub const OUTBOX: &str = "outbox";
pub const META: &str = "meta";
pub const FIELD_DEFS: &str = "field_defs";
pub const MODELS: &str = "models";
pub const REQUESTS: &str = "requests";
pub const AUDIT: &str = "audit";
pub const ATTACHMENTS: &str = "attachments";
pub const ALERTS: &str = "alerts";
pub const TASKS: &str = "tasks";
/// Schema 6: the device's key record (see [`crate::vault`]), the one store never encrypted.
pub const VAULT: &str = "vault";

/// A store: its name, whether keys are generated, and the version that added it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreDef {
    pub name: &'static str,
    pub auto_increment: bool,
    pub since: u32,
}

pub const STORES: &[StoreDef] = &[
    StoreDef {
        name: META,
        auto_increment: false,
        since: 1,
    },
    StoreDef {
        name: CUSTOMERS,
        auto_increment: false,
        since: 1,
    },
    StoreDef {
        name: CHUNKS,
        auto_increment: false,
        since: 1,
    },
    StoreDef {
        name: TAIL,
        auto_increment: true,
        since: 1,
    },
    StoreDef {
        name: OUTBOX,
        auto_increment: true,
        since: 1,
    },
    StoreDef {
        name: FIELD_DEFS,
        auto_increment: false,
        since: 2,
    },
    StoreDef {
        name: MODELS,
        auto_increment: false,
        since: 3,
    },
    StoreDef {
        name: REQUESTS,
        auto_increment: false,
        since: 3,
    },
    StoreDef {
        name: AUDIT,
        auto_increment: false,
        since: 4,
    },
    StoreDef {
        name: ATTACHMENTS,
        auto_increment: false,
        since: 4,
    },
    StoreDef {
        name: ALERTS,
        auto_increment: false,
        since: 5,
    },
    StoreDef {
        name: TASKS,
        auto_increment: false,
        since: 5,
    },
    StoreDef {
        name: VAULT,
        auto_increment: false,
        since: 6,
    },
];

/// The stores that exist at a schema version.
pub fn stores_at(version: u32) -> impl Iterator<Item = &'static StoreDef> {
    STORES.iter().filter(move |s| s.since <= version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_keeps_the_stores_of_the_one_before() {
        for v in 2..=VERSION {
            let before: Vec<_> = stores_at(v - 1).map(|s| s.name).collect();
            let after: Vec<_> = stores_at(v).map(|s| s.name).collect();
            assert!(
                before.iter().all(|s| after.contains(s)),
                "version {v} drops a store"
            );
            assert!(after.len() > before.len(), "version {v} adds a store");
        }
    }
}
