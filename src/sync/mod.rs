//! Sync to a JSON endpoint: optional and off by default. Every change is already appended to the
//! outbox store in the same transaction as the change itself (see `creditdesk_storage::outbox_for`);
//! pushing the outbox and pulling remote changes comes with the sync issue. Until then nothing
//! here touches the network.

/// Whether sync is enabled. There is no endpoint setting yet, so it is always off.
pub const ENABLED: bool = false;
