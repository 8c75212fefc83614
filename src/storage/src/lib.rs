//! CreditDesk storage: the only code that touches IndexedDB.
//!
//! Layout (the same in IndexedDB and in the in-memory twin):
//! - `customers`: one JSON record per customer, keyed by id;
//! - `chunks`: the ledger, as binary chunks of up to 10,000 rows of one kind (see [`codec`]),
//!   keyed `"{kind}:{seq:06}"`;
//! - `tail`: the write-ahead tail: one binary entry per new ledger row, auto-numbered; folded
//!   into `chunks` by [`Store::compact`] in a single transaction;
//! - `outbox`: every change, as JSON, for a later sync;
//! - `meta`: settings and small values (language, device id, schema data version), and what a
//!   start derived, with the data revision it came from: the figures ([`Store::derived`]) and
//!   the customers as one record ([`CUSTOMER_LIST`], megabytes for the large book);
//! - `field_defs` (schema 2): kept empty, for old backups' sake (custom field definitions are
//!   the `fields` setting of `meta`, see `settings::FIELDS`);
//! - `models` (schema 3): scorecard models as JSON, keyed `draft` or by version number;
//! - `requests` (schema 3): requests of the approval workflow, as JSON;
//! - `audit` (schema 4): the hash-chained audit trail, one JSON entry per sequence number; entries
//!   are only ever added, so two writers that chained to the same head cannot both commit;
//! - `attachments` (schema 4): the bytes of files attached to requests, keyed by id;
//! - `alerts` and `tasks` (schema 5): monitoring's alerts and collection tasks, JSON by id;
//! - `vault` (schema 6): the device's key record ([`vault`]). Once it holds one, every record of
//!   every other store is encrypted (AES-GCM, WebCrypto: [`crypt`]) and the store reads and
//!   writes nothing until it is unlocked.
//!
//! Every write is one transaction: a commit writes its customers, tail entries and outbox
//! records together or not at all.

pub mod backup;
pub mod canonical;
/// The ledger's rows as chunks of bytes: a crate of its own, built for speed (see its docs).
pub use creditdesk_codec as codec;
pub mod mem;
pub mod schema;
pub mod settings;
pub mod vault;

#[cfg(target_arch = "wasm32")]
pub mod crypt;
#[cfg(target_arch = "wasm32")]
pub mod durable;
#[cfg(target_arch = "wasm32")]
pub mod idb;
#[cfg(target_arch = "wasm32")]
pub mod tabs;
#[cfg(target_arch = "wasm32")]
pub mod turn;

pub use codec::{Entry, Kind, Rows};

use codec::{decode_chunk_into, decode_entry, encode_chunks, peek, CodecError, CHUNK_ROWS};
use creditdesk_domain::approval::AuditEntry;
use creditdesk_domain::Customer;
use serde::{Deserialize, Serialize};

/// Tail length at which the app folds the tail into chunks.
pub const COMPACT_AT: usize = 2_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The browser's database refused or failed (quota, blocked upgrade, closed tab...).
    Backend(String),
    /// Stored bytes could not be read back; `what` names the record.
    Corrupt { what: String, error: String },
    /// The device's data is encrypted and its key is not in memory: it must be unlocked first.
    Locked,
    /// What must hold the device's data alone (turning encryption on, a restore) found it open
    /// in this many other tabs or windows of the browser, and changed nothing.
    OtherTabs(usize),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Backend(s) => write!(f, "database error: {s}"),
            StoreError::Corrupt { what, error } => {
                write!(f, "stored data unreadable ({what}): {error}")
            }
            StoreError::Locked => write!(f, "this device's data is locked"),
            StoreError::OtherTabs(n) => write!(
                f,
                "CreditDesk is open in {n} other tab(s) or window(s) of this browser: close them, \
                 then try again (nothing was changed)"
            ),
        }
    }
}

impl StoreError {
    pub fn corrupt(what: impl Into<String>, e: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            what: what.into(),
            error: e.to_string(),
        }
    }
}

/// Everything stored, read back at start-up.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub customers: Vec<Customer>,
    pub rows: Rows,
    pub chunk_count: usize,
    pub tail_len: usize,
}

/// One atomic write.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    pub customers: Vec<Customer>,
    pub entries: Vec<Entry>,
    /// Request records `(id, record)` written beside the change they describe (schema 3 on).
    pub requests: Vec<(String, serde_json::Value)>,
    /// Documents `(store, key, json)`, such as a published scorecard. An empty `json` removes
    /// the document (the scorecard's draft, once published or dropped): no store keeps an empty
    /// record from a commit, so that no reader meets one. (`Store::put_docs`, for the rules'
    /// alerts and tasks, is never given an empty one.)
    pub docs: Vec<(Docs, String, String)>,
    /// Settings `(key, value)` of the meta store, such as the credit policy or the routes.
    pub settings: Vec<(String, String)>,
    /// Audit entries, added after the last one (schema 4 on).
    pub audit: Vec<AuditEntry>,
    /// Attachment bytes by id (schema 4 on).
    pub attachments: Vec<(String, Vec<u8>)>,
    /// Outbox records besides those derived from customers, entries and requests.
    pub outbox: Vec<OutboxEntry>,
    /// The command that made this batch (see the application crate). When set, it is the
    /// batch's outbox record, and no record is derived from what the batch writes: a server
    /// replays the command, not its effects.
    pub command: Option<OutboxEntry>,
    /// Write no outbox record at all (a command replayed whose record is already stored).
    pub no_outbox: bool,
}

impl Batch {
    /// Whether the batch writes anything besides outbox records.
    pub fn writes_data(&self) -> bool {
        self.changes_data() || !self.settings.is_empty()
    }
    /// Whether the batch changes what figures are derived from: anything besides settings and
    /// outbox records (a setting that does, the policy or the scorecard, is checked by whoever
    /// derives; see [`Store::derived`]). Only such a batch stores a new data revision.
    pub fn changes_data(&self) -> bool {
        !(self.customers.is_empty()
            && self.entries.is_empty()
            && self.requests.is_empty()
            && self.docs.is_empty()
            && self.audit.is_empty()
            && self.attachments.is_empty())
    }
    pub fn customer(c: Customer) -> Batch {
        Batch {
            customers: vec![c],
            ..Batch::default()
        }
    }
    pub fn entry(e: Entry) -> Batch {
        Batch {
            entries: vec![e],
            ..Batch::default()
        }
    }
}

/// A change waiting to be synced. Its fields are declared in the order of their names, so that an
/// entry is written canonical (`crate::canonical`) when its payload is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub device: String,
    pub entity: String,
    pub id: String,
    pub payload: Payload,
    pub updated_at: i64,
    pub version: u32,
}

/// A record's or a command's JSON as it was written: kept as its text, never built as a tree of
/// values (an import's command holds 100,000 rows; building and then writing the tree was a
/// third of the import's write, all of it while the page waited).
///
/// Held as its text (`Box<str>`), written as a raw JSON value: made from a writer's text
/// without a copy (a copy of an import's 30 MB was a task of 25 ms in a browser's trace).
#[derive(Clone, Debug)]
pub struct Payload(Box<str>);

impl Serialize for Payload {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        canonical::raw(&self.0).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Payload, D::Error> {
        // The text as read, not copied again.
        Box::<serde_json::value::RawValue>::deserialize(d).map(|raw| Payload(raw.into()))
    }
}

impl Payload {
    /// The JSON of `value`, canonical (`crate::canonical`): a backup copies it as it is. The
    /// canonical writer's text is JSON as written, so it is not read again to be checked (an
    /// import's command, 31 MB, was a task of about 60 ms in a browser).
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Payload {
        let text = canonical::to_string(value).expect("a value serialises to JSON");
        Payload(text.into_boxed_str())
    }
    /// The text written in parts (an import's command, a few thousand rows a turn). Its writer
    /// answers for it being JSON: it is not read again, as [`Payload::of`]'s is not, and it is
    /// the text `of` gives for the whole value only when the parts are that value's, in its
    /// order (a test of each writer holds it to `of`'s text; a debug build checks it is JSON).
    pub fn of_parts(parts: canonical::Parts) -> Payload {
        let text = parts.into_text();
        debug_assert!(
            serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok(),
            "parts that are not JSON: {}",
            text.chars().take(200).collect::<String>()
        );
        Payload(text.into_boxed_str())
    }
    /// `null`: a record without a payload.
    pub fn null() -> Payload {
        Payload::of(&())
    }
    pub fn text(&self) -> &str {
        &self.0
    }
    /// Reads the payload as a `T`.
    pub fn read<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_str(&self.0)
    }
}

/// Equal when written alike (the same text).
impl PartialEq for Payload {
    fn eq(&self, other: &Payload) -> bool {
        self.text() == other.text()
    }
}
impl Eq for Payload {}

/// Counts for the settings page and the benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub customers: usize,
    pub chunks: usize,
    pub tail: usize,
    pub outbox: usize,
}

/// Stores of small JSON documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Docs {
    Models,
    Requests,
    Alerts,
    Tasks,
}

impl Docs {
    pub fn store_name(self) -> &'static str {
        match self {
            Docs::Models => schema::MODELS,
            Docs::Requests => schema::REQUESTS,
            Docs::Alerts => schema::ALERTS,
            Docs::Tasks => schema::TASKS,
        }
    }
}

/// The store the app talks to. Implemented by IndexedDB (in the browser) and by [`mem::MemStore`].
#[allow(async_fn_in_trait)]
pub trait Store {
    /// Every customer, in one read transaction (in a browser, first a look at the one-record
    /// list [`CUSTOMER_LIST`], which answers instead while no customer has changed since it was
    /// kept: see [`Store::put_derived`] and [`CUSTOMERS_REV`]).
    async fn load_customers(&self) -> Result<Vec<Customer>, StoreError>;
    /// The ledger as stored, not yet decoded (one read transaction), so that the caller can
    /// decode it in slices and keep the page responsive.
    async fn load_ledger(&self) -> Result<RawLedger, StoreError>;
    /// Everything, decoded.
    async fn load(&self) -> Result<Snapshot, StoreError> {
        let customers = self.load_customers().await?;
        let raw = self.load_ledger().await?;
        Ok(Snapshot {
            customers,
            rows: raw.decode()?,
            chunk_count: raw.chunks.len(),
            tail_len: raw.tail.len(),
        })
    }
    /// Writes everything in a batch, with its outbox records, in one transaction.
    async fn commit(&self, batch: &Batch) -> Result<(), StoreError>;
    /// [`Store::commit`] if `still` answers true right before the write begins, `Ok(false)` with
    /// nothing written if not. A store that gives the page turns while it makes a large batch's
    /// values (a browser's: the first start's 11,500 alerts) asks after them, in the task that
    /// begins the write: the caller's check that the book its batch was made from has not moved
    /// holds for the write itself.
    async fn commit_when(
        &self,
        batch: &Batch,
        still: &dyn Fn() -> bool,
    ) -> Result<bool, StoreError> {
        if !still() {
            return Ok(false);
        }
        self.commit(batch).await.map(|()| true)
    }
    /// The whole audit trail, in sequence order.
    async fn load_audit(&self) -> Result<Vec<AuditEntry>, StoreError>;
    /// The trail's last entry (what the next entries chain to), without reading the rest.
    async fn last_audit(&self) -> Result<Option<AuditEntry>, StoreError>;
    /// The bytes of an attachment.
    async fn attachment(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Folds the tail into chunks in one transaction; returns how many entries moved.
    async fn compact(&self) -> Result<usize, StoreError>;
    /// Replaces everything with a whole data set (demo, benchmark, restore), written as chunks.
    /// Requests, the audit trail and attachments go with the data; configuration (settings,
    /// scorecard models) stays.
    async fn replace_all(&self, customers: &[Customer], rows: &Rows) -> Result<(), StoreError>;
    /// Every document of a store, by key.
    async fn docs(&self, which: Docs) -> Result<Vec<(String, String)>, StoreError>;
    /// Writes documents and their outbox records, all in one transaction.
    async fn put_docs(
        &self,
        which: Docs,
        docs: &[(&str, &str)],
        outbox: &[OutboxEntry],
    ) -> Result<(), StoreError>;
    /// Writes one document and, if given, its outbox record, in one transaction.
    async fn put_doc(
        &self,
        which: Docs,
        key: &str,
        json: &str,
        outbox: Option<&OutboxEntry>,
    ) -> Result<(), StoreError> {
        self.put_docs(
            which,
            &[(key, json)],
            outbox.map(std::slice::from_ref).unwrap_or(&[]),
        )
        .await
    }
    /// Everything stored, in one read transaction (for a backup).
    async fn dump(&self) -> Result<backup::Dump, StoreError>;
    /// Replaces everything with a dump (a restore), in one transaction; this device's id stays.
    async fn restore(&self, dump: &backup::Dump) -> Result<(), StoreError>;
    /// Adds customers and ledger rows in bulk (an import), in one transaction: the rows as new
    /// chunks after the last of each kind, with the given outbox records and audit entries
    /// (added, never put: the import fails whole if another writer took their sequence numbers).
    async fn import(
        &self,
        customers: &[Customer],
        rows: &Rows,
        outbox: &[OutboxEntry],
        audit: &[AuditEntry],
    ) -> Result<(), StoreError>;
    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;
    async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError>;
    async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError>;
    /// Removes from the outbox the commands a server has answered (by command id) and every
    /// record that is not a command (on a synced device the server's copy replaces them), in one
    /// transaction; the commands still to push stay, in order.
    async fn acknowledge(&self, answered: &[String]) -> Result<(), StoreError>;
    async fn stats(&self) -> Result<Stats, StoreError>;
    /// What [`Store::put_derived`] kept, if the data has not changed since: every write of data
    /// (a commit that [`Batch::changes_data`], an import, a restore, a whole data set, documents)
    /// stores a new revision in the same transaction, and derived bytes are kept with the
    /// revision they came from. Folding the tail into chunks, a commit of settings alone and a
    /// preference change no data and keep them. A store that
    /// keeps nothing derived (the server holds its book in memory) answers `None`.
    ///
    /// The stored revision becomes this store's: call it before reading the data that the
    /// caller will derive bytes from again (at a start), never with a book already in memory.
    async fn derived(&self) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(None)
    }
    /// Keeps bytes derived from the data as this store last wrote or read it (see
    /// [`Store::derived`]): a caller derives them from what it holds in memory, which is what
    /// the store held after its last write. In a browser, also the customers as one record
    /// ([`CUSTOMER_LIST`]) if this start read them one by one and no customer has changed since
    /// (their revision, [`CUSTOMERS_REV`], is still the one they were read at): never built from
    /// memory.
    async fn put_derived(&self, _bytes: &[u8]) -> Result<(), StoreError> {
        Ok(())
    }
    /// A turn for whatever else runs on this thread, between the long steps of a large command
    /// (an import's plan, its record, its write) or of a large read (monitoring's alerts at a
    /// start): in a browser, the page's input and drawing (`turn::yield_now`). A store off the
    /// page's thread has nothing to give a turn to.
    async fn breathe(&self) {}
}

/// The `meta` key of the data's revision: a new value with every write of data.
pub const DATA_REV: &str = "data_rev";
/// The `meta` key of the derived bytes, kept as `"{revision}:{base64}"`.
pub const DERIVED: &str = "derived";
/// The `meta` key of the customers as one record (UTF-8 bytes, `"{revision}:{json}\n{json}..."`):
/// what a browser's start reads instead of one record per customer while the data has not
/// changed. Its revision is also kept as text under [`CUSTOMER_LIST_REV`], to be compared
/// before the list is opened.
pub const CUSTOMER_LIST: &str = "customer_list";
/// The `meta` key of the revision of [`CUSTOMER_LIST`].
pub const CUSTOMER_LIST_REV: &str = "customer_list_rev";
/// The `meta` key of the data revision at which the customers last changed: every write that
/// puts or clears customers stores its revision here too, so that the one-record list stays of
/// use while only the ledger, requests or settings change (a payment). Where it is missing (a
/// database from before it), [`DATA_REV`] stands in, and the next write of data stores one:
/// a write that says the customers last changed at its own revision is never wrong, only early.
pub const CUSTOMERS_REV: &str = "customers_rev";
/// The `meta` key of the data revision whose writer kept [`CUSTOMERS_REV`] up: every write of
/// data by this build stores its revision's value here too, the very same stored value. A build
/// from before [`CUSTOMERS_REV`] (an old tab still open) writes customers without stamping it
/// and leaves this behind the data's revision: [`CUSTOMERS_REV`] is then not trusted (the data's
/// revision stands in), and the next write of this build stamps it again.
pub const CUSTOMERS_REV_KEPT_AT: &str = "customers_rev_kept_at";

/// The `meta` records this device derives from the data (its kept figures, the customers'
/// one-record list and the revisions that vouch for them): never in a backup, not even read for
/// one (the list is megabytes).
pub const DERIVED_META: [&str; 5] = [
    DERIVED,
    CUSTOMER_LIST,
    CUSTOMER_LIST_REV,
    CUSTOMERS_REV,
    CUSTOMERS_REV_KEPT_AT,
];

/// Whether a `meta` key goes into a backup and comes back from one: not the device's id, not
/// what is derived from the data on this device ([`DERIVED_META`]).
pub fn meta_travels(key: &str) -> bool {
    ![backup::DEVICE_KEY, DATA_REV].contains(&key) && !DERIVED_META.contains(&key)
}

/// The customers' stored texts as one record of revision `rev`: UTF-8 bytes, `rev:` then the
/// texts a line each (a text never holds a raw line break: JSON escapes it). Bytes, not a
/// string: the browser hands bytes into wasm as one copy, where a string of 10,000 customers'
/// texts is re-encoded character by character (about 60 ms).
pub fn customer_list_record(rev: &str, texts: &[String]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(rev.len() + 1 + texts.iter().map(|t| t.len() + 1).sum::<usize>());
    out.extend_from_slice(rev.as_bytes());
    out.push(b':');
    for t in texts {
        customer_list_push(&mut out, t);
    }
    out
}

/// Appends one more text to a record of [`customer_list_record`] (a customer's JSON, never
/// empty: an empty first text could not be told from none).
pub fn customer_list_push(record: &mut Vec<u8>, text: &str) {
    if record.last() != Some(&b':') {
        record.push(b'\n');
    }
    record.extend_from_slice(text.as_bytes());
}

/// A one-record list of revision `rev` ([`customer_list_record`]) with its texts put in the order
/// of the customers' names, `customers` being those texts parsed, in the list's order; `None`
/// when the record is not of `rev` or the counts differ.
///
/// The app holds the customers in that order (`Book::from_parts` sorts them by name, with the
/// same comparison), and a start parses them in the list's order: kept in it, each customer's
/// strings and lists are allocated in the order the app's passes visit them, which then read
/// memory front to back. Natively, at 10,000 customers, the rating's metrics over customers
/// made in another order took 27.7 ms, 23.8 ms over the same customers made in this one.
pub fn customer_list_by_name(rev: &str, record: &[u8], customers: &[Customer]) -> Option<Vec<u8>> {
    let texts = customer_list_texts(Some(rev), record)?;
    if texts.len() != customers.len() {
        return None;
    }
    let mut order: Vec<usize> = (0..texts.len()).collect();
    creditdesk_domain::sort::by(&mut order, |&a, &b| {
        customers[a].name.cmp(&customers[b].name)
    });
    let mut out = customer_list_record(rev, &[]);
    out.reserve(record.len().saturating_sub(out.len()));
    for i in order {
        customer_list_push(&mut out, texts[i]);
    }
    Some(out)
}

/// The customers' texts of a one-record list, if it is of revision `rev` (and reads).
pub fn customer_list_texts<'a>(rev: Option<&str>, record: &'a [u8]) -> Option<Vec<&'a str>> {
    let colon = record.iter().position(|&b| b == b':')?;
    if Some(&record[..colon]) != rev.map(str::as_bytes) {
        return None;
    }
    let body = std::str::from_utf8(&record[colon + 1..]).ok()?;
    Some(if body.is_empty() {
        Vec::new()
    } else {
        body.split('\n').collect()
    })
}

/// Derived bytes as `meta` keeps them, with the revision they came from.
pub(crate) fn derived_record(rev: &str, bytes: &[u8]) -> String {
    use base64::Engine;
    format!(
        "{rev}:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
    )
}

/// The bytes of a derived record, if it came from revision `rev` (and is readable).
pub(crate) fn derived_bytes(rev: Option<&str>, record: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let (from, b64) = record.split_once(':')?;
    if Some(from) != rev {
        return None;
    }
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(b64)
        .ok()
}

pub fn chunk_key(kind: Kind, seq: u32) -> String {
    format!("{}:{seq:06}", kind as u8)
}

fn parse_chunk_key(key: &str) -> Option<(u8, u32)> {
    let (k, s) = key.split_once(':')?;
    Some((k.parse().ok()?, s.parse().ok()?))
}

pub fn customer_to_json(c: &Customer) -> String {
    serde_json::to_string(c).expect("customers serialise")
}

pub fn customer_from_json(s: &str) -> Result<Customer, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::corrupt("customer", e))
}

/// The outbox records of a batch.
pub fn outbox_for(batch: &Batch) -> Vec<OutboxEntry> {
    if batch.no_outbox {
        return Vec::new();
    }
    let mut out = batch.outbox.clone();
    if let Some(command) = &batch.command {
        out.insert(0, command.clone());
        return out;
    }
    for (id, record) in &batch.requests {
        out.push(OutboxEntry {
            entity: "request".into(),
            id: id.clone(),
            version: record
                .pointer("/meta/version")
                .and_then(|v| v.as_u64())
                .unwrap_or(1) as u32,
            updated_at: record
                .pointer("/meta/updated_at")
                .and_then(|v| v.as_i64())
                .unwrap_or(0),
            device: record
                .pointer("/meta/device")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
            payload: Payload::of(record),
        });
    }
    for c in &batch.customers {
        out.push(OutboxEntry {
            entity: "customer".into(),
            id: c.id.to_string(),
            version: c.meta.version,
            updated_at: c.meta.updated_at.0,
            device: c.meta.device.to_string(),
            payload: Payload::of(c),
        });
    }
    for e in &batch.entries {
        let (entity, id, payload) = match e {
            Entry::Order(o) => ("order", o.id.to_string(), Payload::of(o)),
            Entry::Invoice(i) => ("invoice", i.id.to_string(), Payload::of(i)),
            Entry::Payment(p) => ("payment", p.id.to_string(), Payload::of(p)),
            Entry::CreditNote(c) => ("credit_note", c.id.to_string(), Payload::of(c)),
            Entry::Correction(c) => ("correction", c.id.to_string(), Payload::of(c)),
        };
        let m = e.meta();
        out.push(OutboxEntry {
            entity: entity.into(),
            id,
            version: m.version,
            updated_at: m.updated_at.0,
            device: m.device.to_string(),
            payload,
        });
    }
    out
}

/// The ledger as stored: encoded chunks and write-ahead tail entries, each in key order.
#[derive(Clone, Debug, Default)]
pub struct RawLedger {
    /// Each chunk's key and bytes; the bytes are empty for a chunk held [`Outside`].
    pub chunks: Vec<(String, Vec<u8>)>,
    pub tail: Vec<(u64, Vec<u8>)>,
    pub outside: Outside,
}

/// Chunks still in the browser's memory, as IndexedDB gave them back (the stored `Uint8Array`s,
/// or views of the decrypted buffers on an encrypted device), each
/// copied into wasm memory only while it is decoded (see `IdbStore::load_ledger_in_place`). wasm
/// memory never shrinks: read into it all at once, the chunks (about 190 MB at a million
/// invoices and payments) would stay in its highest mark beside the decoded rows. Natively there
/// are none.
#[derive(Clone, Debug, Default)]
pub struct Outside {
    #[cfg(target_arch = "wasm32")]
    pub(crate) arrays: Vec<Option<js_sys::Uint8Array>>,
}

impl Outside {
    /// The first `n` bytes of chunk `i` if it is held outside (all of them if shorter).
    #[cfg(target_arch = "wasm32")]
    fn head(&self, i: usize, n: u32) -> Option<Vec<u8>> {
        let a = self.arrays.get(i)?.as_ref()?;
        Some(a.subarray(0, n.min(a.length())).to_vec())
    }
    #[cfg(not(target_arch = "wasm32"))]
    fn head(&self, _: usize, _: u32) -> Option<Vec<u8>> {
        None
    }
    /// Chunk `i`'s bytes, copied in, if it is held outside.
    fn bytes(&self, i: usize) -> Option<Vec<u8>> {
        self.head(i, u32::MAX)
    }
    fn release(&mut self, _i: usize) {
        #[cfg(target_arch = "wasm32")]
        if let Some(a) = self.arrays.get_mut(_i) {
            *a = None;
        }
    }
}

impl RawLedger {
    /// Decodes everything: the chunks, then the tail.
    pub fn decode(&self) -> Result<Rows, StoreError> {
        let mut rows = Rows::default();
        self.reserve_rows(&mut rows);
        self.decode_chunks_into(0..self.chunks.len(), &mut rows)?;
        self.decode_tail_into(&mut rows)?;
        Ok(rows)
    }

    /// Decodes some of the chunks, appending to `rows`; an unreadable chunk is named in the error.
    pub fn decode_chunks_into(
        &self,
        range: std::ops::Range<usize>,
        rows: &mut impl codec::RowSink,
    ) -> Result<(), StoreError> {
        for i in range {
            let (key, bytes) = &self.chunks[i];
            let outside = self.outside.bytes(i);
            decode_chunk_into(outside.as_deref().unwrap_or(bytes), rows)
                .map_err(|e| StoreError::corrupt(format!("chunk {key}"), e))?;
        }
        Ok(())
    }

    /// Decodes some of the chunks and frees their bytes, so that memory does not hold the
    /// encoded and the decoded ledger at once.
    pub fn decode_and_release(
        &mut self,
        range: std::ops::Range<usize>,
        rows: &mut impl codec::RowSink,
    ) -> Result<(), StoreError> {
        self.decode_chunks_into(range.clone(), rows)?;
        for i in range {
            self.chunks[i].1 = Vec::new();
            self.outside.release(i);
        }
        Ok(())
    }

    /// Makes room in `rows`, once and exactly, for every row [`RawLedger::counts`] counts.
    pub fn reserve_rows(&self, rows: &mut Rows) {
        rows.reserve_exact(self.counts());
    }

    /// How many rows of each kind the chunks' headers count, and room for the tail's, so that
    /// decoding a million rows never grows its vectors by doubling: a doubling copies, holds the
    /// old and the new vector at once, and leaves up to half the capacity unused, and wasm
    /// memory keeps its highest mark. A header that does not read is left to the decoding,
    /// which names the chunk.
    pub fn counts(&self) -> creditdesk_domain::ledger::RowCounts {
        let mut n = [0usize; 5];
        for (i, (_, bytes)) in self.chunks.iter().enumerate() {
            // A header is 10 bytes.
            let outside = self.outside.head(i, 16);
            if let Ok((kind, count)) = peek(outside.as_deref().unwrap_or(bytes)) {
                // Kinds are numbered from 1 (`Kind::Order`) to 5 (`Kind::Correction`).
                n[kind as usize - 1] += count as usize;
            }
        }
        // A tail entry may be of any kind: a little room for each.
        let t = self.tail.len();
        creditdesk_domain::ledger::RowCounts {
            orders: n[0] + t,
            invoices: n[1] + t,
            payments: n[2] + t,
            credit_notes: n[3] + t,
            corrections: n[4] + t,
        }
    }

    /// Decodes every chunk into `rows`, one at a time, each chunk's bytes freed once decoded
    /// (see [`RawLedger::decode_and_release`]), then the tail; the page gets a turn
    /// (`turn::yield_now`) whenever `slice` has taken [`turn::SLICE_MS`]: the caller's, so that
    /// work done just before in the same slice counts. The start and the backup read a large
    /// book's million rows this way.
    #[cfg(target_arch = "wasm32")]
    pub async fn decode_in_turns(
        &mut self,
        rows: &mut impl codec::RowSink,
        slice: &mut turn::Slice,
    ) -> Result<(), StoreError> {
        slice.breathe().await;
        for i in 0..self.chunks.len() {
            self.decode_and_release(i..i + 1, rows)?;
            slice.breathe().await;
        }
        self.decode_tail_into(rows)
    }

    pub fn decode_tail_into(&self, rows: &mut impl codec::RowSink) -> Result<(), StoreError> {
        for (key, bytes) in &self.tail {
            rows.push(
                decode_entry(bytes)
                    .map_err(|e| StoreError::corrupt(format!("tail entry {key}"), e))?,
            );
        }
        Ok(())
    }
}

/// What a compaction writes: the chunks to put and the tail keys to delete, in one transaction.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CompactionPlan {
    pub puts: Vec<(String, Vec<u8>)>,
    pub delete_tail: Vec<u64>,
}

/// Plans a compaction from the chunk keys, the last chunk of each kind, and the tail.
///
/// Tail rows are appended to the last chunk of their kind while it has room, then to new chunks.
pub fn plan_compaction(
    chunk_keys: &[String],
    last_chunk: impl Fn(&str) -> Option<Vec<u8>>,
    tail: &[(u64, Vec<u8>)],
) -> Result<CompactionPlan, StoreError> {
    let mut plan = CompactionPlan::default();
    let mut by_kind: Vec<(Kind, Vec<Entry>)> = Kind::ALL.iter().map(|k| (*k, Vec::new())).collect();
    for (key, bytes) in tail {
        let e =
            decode_entry(bytes).map_err(|e| StoreError::corrupt(format!("tail entry {key}"), e))?;
        by_kind
            .iter_mut()
            .find(|(k, _)| *k == e.kind())
            .expect("all kinds listed")
            .1
            .push(e);
        plan.delete_tail.push(*key);
    }
    for (kind, new_rows) in by_kind {
        if new_rows.is_empty() {
            continue;
        }
        let last = chunk_keys
            .iter()
            .filter_map(|k| parse_chunk_key(k))
            .filter(|(k, _)| *k == kind as u8)
            .map(|(_, s)| s)
            .max();
        let mut rows: Vec<Entry> = Vec::new();
        let mut seq = last.map_or(0, |s| s + 1);
        if let Some(last) = last {
            let key = chunk_key(kind, last);
            let bytes =
                last_chunk(&key).ok_or_else(|| StoreError::corrupt(key.clone(), "missing"))?;
            let (_, count) = peek(&bytes).map_err(|e| StoreError::corrupt(key.clone(), e))?;
            if (count as usize) < CHUNK_ROWS {
                let mut r = Rows::default();
                decode_chunk_into(&bytes, &mut r)
                    .map_err(|e| StoreError::corrupt(key.clone(), e))?;
                rows.extend(r.orders.into_iter().map(Entry::Order));
                rows.extend(r.invoices.into_iter().map(Entry::Invoice));
                rows.extend(r.payments.into_iter().map(Entry::Payment));
                rows.extend(r.credit_notes.into_iter().map(Entry::CreditNote));
                rows.extend(r.corrections.into_iter().map(Entry::Correction));
                seq = last;
            }
        }
        rows.extend(new_rows);
        for bytes in
            encode_chunks(&rows).map_err(|e: CodecError| StoreError::corrupt("compaction", e))?
        {
            plan.puts.push((chunk_key(kind, seq), bytes));
            seq += 1;
        }
    }
    Ok(plan)
}

/// Whether an outbox record stays after the server answered `answered`: a command not yet
/// answered.
pub fn still_pending(record: &OutboxEntry, answered: &[String]) -> bool {
    record.entity == "command" && !answered.contains(&record.id)
}

/// The chunks of a whole data set.
pub fn chunks_of(rows: &Rows) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    chunks_one_by_one(rows).collect()
}

/// [`chunks_of`] a chunk at a time, each encoded as it is asked for (so that a caller may give
/// the page a turn between chunks: the large book's two million rows take 0.4 s to encode).
pub fn chunks_one_by_one(
    rows: &Rows,
) -> impl Iterator<Item = Result<(String, Vec<u8>), StoreError>> + '_ {
    let kinds = [
        (Kind::Order, rows.orders.len()),
        (Kind::Invoice, rows.invoices.len()),
        (Kind::Payment, rows.payments.len()),
        (Kind::CreditNote, rows.credit_notes.len()),
        (Kind::Correction, rows.corrections.len()),
    ];
    kinds.into_iter().flat_map(move |(kind, len)| {
        (0..len)
            .step_by(CHUNK_ROWS)
            .enumerate()
            .map(move |(seq, start)| {
                let at = start..(start + CHUNK_ROWS).min(len);
                let entries: Vec<Entry> = match kind {
                    Kind::Order => rows.orders[at].iter().copied().map(Entry::Order).collect(),
                    Kind::Invoice => rows.invoices[at]
                        .iter()
                        .copied()
                        .map(Entry::Invoice)
                        .collect(),
                    Kind::Payment => rows.payments[at]
                        .iter()
                        .cloned()
                        .map(Entry::Payment)
                        .collect(),
                    Kind::CreditNote => rows.credit_notes[at]
                        .iter()
                        .copied()
                        .map(Entry::CreditNote)
                        .collect(),
                    Kind::Correction => rows.corrections[at]
                        .iter()
                        .cloned()
                        .map(Entry::Correction)
                        .collect(),
                };
                codec::encode_chunk(&entries)
                    .map(|bytes| (chunk_key(kind, seq as u32), bytes))
                    .map_err(|e| StoreError::corrupt("chunking", e))
            })
    })
}

pub fn audit_to_json(e: &AuditEntry) -> String {
    serde_json::to_string(e).expect("audit entries serialise")
}

pub fn audit_from_json(s: &str) -> Result<AuditEntry, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::corrupt("audit entry", e))
}

/// The chunks that add `rows` after the chunks already stored (`keys`): each kind continues at
/// the sequence number after its last chunk. Existing chunks are never rewritten.
pub fn append_chunks(keys: &[String], rows: &Rows) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    Ok(rekey(keys, chunks_of(rows)?))
}

/// The audit sequence number of an entry's JSON.
pub fn audit_seq(json: &str) -> Result<u64, StoreError> {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| v.get("seq").and_then(serde_json::Value::as_u64))
        .ok_or_else(|| StoreError::corrupt("audit entry", "no sequence number"))
}

/// The id of a JSON record with an `"id"` field.
pub fn record_id(json: &str) -> Result<String, StoreError> {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| v.get("id").and_then(|i| i.as_str().map(str::to_string)))
        .ok_or_else(|| StoreError::corrupt("record", "no id"))
}

/// Renames chunks numbered from 0 (as [`append_chunks`] numbers them after no chunks) to follow
/// the chunks `keys` already has.
pub fn rekey<V>(keys: &[String], chunks: Vec<(String, V)>) -> Vec<(String, V)> {
    chunks
        .into_iter()
        .map(|(k, v)| {
            let (kind, seq) = parse_chunk_key(&k).expect("our own key");
            let next = keys
                .iter()
                .filter_map(|k| parse_chunk_key(k))
                .filter(|(k, _)| *k == kind)
                .map(|(_, s)| s + 1)
                .max()
                .unwrap_or(0);
            (format!("{kind}:{:06}", next + seq), v)
        })
        .collect()
}
