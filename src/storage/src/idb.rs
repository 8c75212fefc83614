//! The IndexedDB store (rexie). Handles are not `Send`: the app keeps one in a thread-local, not in
//! a signal.
//!
//! Each method runs at most one read transaction and one write transaction (`load_customers`
//! first looks at the one-record list in a transaction of its own), and computes everything it
//! writes before the write transaction opens, so that no transaction waits on work.
//!
//! **Encryption at rest** ([`crate::vault`], [`crate::crypt`]): once the `vault` store holds the
//! device's key record, every value written to any other store is sealed (AES-GCM) before the
//! write transaction opens, and every value read is opened after the read transaction ends (an
//! `await` on WebCrypto inside a transaction would commit it). Until [`IdbStore::unlock`] is given
//! the right secret, every read and write fails with [`StoreError::Locked`]. Without a vault
//! record (a local-only installation that did not turn it on) values are stored as they were:
//! JSON as strings, ledger rows and files as bytes.
//!
//! Turning encryption on ([`IdbStore::encrypt`]) rewrites every store, so it must not clear a
//! write made while it read and sealed them (every other write waits for it), nor let values
//! made in the clear land among sealed ones: each write takes the key it makes values under
//! (`Sealing`) and is refused, or a commit made again, when the data was encrypted before its
//! transaction opened.

use crate::backup::{Dump, DEVICE_KEY};
use crate::codec::encode_entry;
use crate::crypt::{DataKey, Kek, Plain};
use crate::schema::{self, stores_at, CHUNKS, CUSTOMERS, META, OUTBOX, TAIL, VAULT};
use crate::vault::{AfterFailure, Secret, Vault, VAULT_KEY};
use crate::{
    append_chunks, audit_from_json, audit_seq, audit_to_json, chunks_of, customer_from_json,
    customer_to_json, outbox_for, plan_compaction, record_id, rekey, Batch, Docs, OutboxEntry,
    RawLedger, Rows, Stats, Store, StoreError,
};
use creditdesk_domain::approval::AuditEntry;
use creditdesk_domain::Customer;
use js_sys::Uint8Array;
use rexie::{ObjectStore, Rexie, TransactionMode};
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsValue;

/// How many chunks one read of the ledger asks for: about 4 MB of the large book, whose values
/// the browser opens in the task that hands the read over (at 8 chunks, a backup's profile showed
/// those openings as much of runs of 50-86 ms).
const CHUNKS_PER_READ: usize = 4;

/// How many records of another store one read of a whole store asks for (a backup's, and a
/// store's documents or trail read whole): a thousand customers are a few megabytes of text.
const RECORDS_PER_READ: usize = 1_000;

/// How many customers are parsed between two turns for the browser at start-up (about 20 ms).
const CUSTOMERS_PER_SLICE: usize = 1_000;

/// A value and its key, as `put_all` takes them.
type KeyedValue = (JsValue, Option<JsValue>);
/// A value still to seal (or not) and its key.
type PlainKeyed = (Plain, Option<JsValue>);

/// The open database, until [`IdbStore::wipe`] closes it to delete it.
struct Db(RefCell<Option<Rexie>>);

impl Db {
    fn transaction(
        &self,
        stores: &[&str],
        mode: TransactionMode,
    ) -> Result<rexie::Transaction, String> {
        match &*self.0.borrow() {
            Some(db) => db.transaction(stores, mode).map_err(|e| e.to_string()),
            None => Err("this device's database was erased".into()),
        }
    }
    fn store_names(&self) -> Vec<String> {
        self.0
            .borrow()
            .as_ref()
            .map(Rexie::store_names)
            .unwrap_or_default()
    }
    fn version(&self) -> Result<u32, String> {
        match &*self.0.borrow() {
            Some(db) => db.version().map_err(|e| e.to_string()),
            None => Err("this device's database was erased".into()),
        }
    }
    fn close(&self) {
        if let Some(db) = self.0.borrow_mut().take() {
            db.close();
        }
    }
}

pub struct IdbStore {
    db: Db,
    /// The database's name (for deleting it).
    name: String,
    /// For tests: the next write transaction makes every request, then is aborted instead of
    /// committed (see [`IdbStore::abort_next_write`]).
    abort_next: Cell<bool>,
    /// The vault record, when this device's data is encrypted.
    vault: RefCell<Option<Vault>>,
    /// The data key, once unlocked.
    key: RefCell<Option<DataKey>>,
    /// The data's revision as this store last wrote or read it (see [`Store::derived`]).
    rev: RefCell<Option<String>>,
    /// The revision at which the customers last changed ([`crate::CUSTOMERS_REV`]) as this store
    /// last wrote or read it, when it can be trusted (see `customers_rev_trusted`).
    customers_rev: RefCell<Option<String>>,
    /// Whether the stored [`crate::CUSTOMERS_REV`] was trusted when this store last read it (kept
    /// up by the last writer, [`crate::CUSTOMERS_REV_KEPT_AT`]) or stamped it.
    customers_rev_trusted: Cell<bool>,
    /// The customers as one record ([`crate::CUSTOMER_LIST`]) with the customers' revision they
    /// were read at: read one by one at this start, written with the next
    /// [`Store::put_derived`] (a start's background keep) if no customer changed since.
    list_pending: RefCell<Option<(String, Vec<u8>, bool)>>,
    /// Whether the last [`Store::load_customers`] read the one-record list. For tests.
    list_used: Cell<bool>,
    /// How many writes of data this store has committed (see [`IdbStore::put_derived`]).
    data_writes: Cell<u64>,
    /// Which data key values are made under now, counted up each time it changes (the data
    /// encrypted): a write whose values were made under an earlier one is refused (see
    /// [`Sealing`]).
    key_changes: Cell<u64>,
    /// While [`IdbStore::encrypt`] reads, seals and writes the data: a promise kept when it
    /// ends, which every other write waits for before it opens its transaction.
    encrypting: RefCell<Option<js_sys::Promise>>,
    /// How many writes wait for it.
    waiting: Cell<u32>,
    /// For tests: work run once at a point of a write (see [`IdbStore::at_next`]).
    hooks: RefCell<Vec<(Point, Hook)>>,
    /// This store's lock, which tells the browser's other tabs it has the data open (see
    /// [`crate::tabs`]); `None` where the browser has no Web Locks.
    presence: Option<crate::tabs::Presence>,
}

/// For tests: work a test runs inside a write of this store, at a [`Point`] of it.
#[doc(hidden)]
pub type Hook =
    Box<dyn for<'a> FnOnce(&'a IdbStore) -> futures_util::future::LocalBoxFuture<'a, ()>>;

/// For tests: where in a write a [`Hook`] runs.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    /// [`IdbStore::encrypt`] has read the data, before it seals it.
    EncryptRead,
    /// A commit has made its values, before it waits for an encryption and opens its
    /// transaction.
    CommitMade,
    /// [`IdbStore::encrypt`] has sealed the data, before it opens its transaction.
    EncryptWrites,
}

/// The data key a write's values were made under ([`IdbStore::sealing`], taken before the
/// values are made, as the key is read): the write is refused when the device's data was
/// encrypted meanwhile, for values made in the clear must not be stored among sealed ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sealing(u64);

/// A new data revision: unique enough that two writes (of this tab or another) never share one.
/// Random rather than counted: a sealed counter cannot be read and raised inside a transaction.
fn new_rev() -> String {
    format!(
        "{:x}-{:x}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
    )
}

/// Every store's records sealed, as [`IdbStore::encrypt`] writes them.
type StoresSealed = Vec<(&'static str, Vec<KeyedValue>)>;

/// How many times [`Store::commit`] makes its values: again only after an encryption (or a
/// failed one) came between their making and the write.
const COMMIT_TRIES: usize = 3;

/// A write refused because the device's data was encrypted after its values were made.
fn key_changed() -> StoreError {
    StoreError::Backend(
        "this device's data was encrypted while the write was being made: nothing was written; \
         try again"
            .into(),
    )
}

/// Whether this device's data is encrypted, and whether it can be read now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockState {
    /// Stored as it is (no vault record).
    Plain,
    /// Encrypted; the secret of this kind unlocks it.
    Locked(Secret),
    /// Encrypted, and the key is in memory.
    Unlocked(Secret),
}

/// What an unlock attempt did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unlock {
    Opened,
    /// The secret was wrong; this many tries are left before the data is deleted.
    Wrong {
        tries_left: u32,
    },
    /// That was the last try: the database was deleted, with this many changes never sent.
    Wiped {
        unsent: usize,
    },
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn bytes(v: &JsValue) -> Vec<u8> {
    as_array(v).to_vec()
}

/// A stored byte value as a `Uint8Array`: the value itself when it is one (as this module writes
/// them), a view when it is an `ArrayBuffer` (as decryption gives them). Never a copy:
/// `new Uint8Array(typedArray)` would copy every byte, 190 MB for the large book's ledger.
fn as_array(v: &JsValue) -> Uint8Array {
    use wasm_bindgen::JsCast;
    match v.dyn_ref::<Uint8Array>() {
        Some(a) => a.clone(),
        None => Uint8Array::new(v),
    }
}

fn js_bytes(b: &[u8]) -> JsValue {
    Uint8Array::from(b).into()
}

/// A stored text: a string, or its UTF-8 bytes. Anything else (a `Blob`: see [`text_of`]), or
/// bytes that are not UTF-8, is no text: empty, which no reader takes for a record.
fn text(v: &JsValue) -> String {
    use wasm_bindgen::JsCast;
    match v.as_string() {
        Some(s) => s,
        None => v
            .dyn_ref::<Uint8Array>()
            .and_then(|a| String::from_utf8(a.to_vec()).ok())
            .unwrap_or_default(),
    }
}

/// How much of a stored text [`text_of`] takes into wasm at a time (UTF-16 code units of a
/// string, bytes of a `Blob`): a quarter of a million, a few milliseconds. A text just under a
/// million (the kept figures, say) taken at once was a task of 40 ms in a traced start.
const TEXT_PIECE: u32 = 1 << 18;

/// A stored text of any form ([`text`]; a large outbox record stored as a `Blob`,
/// [`blob_in_parts`], read from the browser), taken into wasm [`TEXT_PIECE`] units at a time
/// with a turn for the page whenever `slice` has run its time. A `Blob` the browser cannot read,
/// or whose bytes are not UTF-8, is an error.
async fn text_of(v: &JsValue, slice: &mut crate::turn::Slice) -> Result<String, StoreError> {
    use wasm_bindgen::JsCast;
    if let Some(s) = v.dyn_ref::<js_sys::JsString>() {
        return Ok(text_of_string(s, slice).await);
    }
    let Some(blob) = v.dyn_ref::<web_sys::Blob>() else {
        return Ok(text(v));
    };
    let unread = |e: String| StoreError::corrupt("a large record", e);
    let buf = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .map_err(|e| unread(format!("the browser did not read it: {e:?}")))?;
    let bytes = Uint8Array::new(&buf);
    let len = bytes.length();
    let mut out = String::with_capacity(len as usize);
    let mut at = 0;
    while at < len {
        // A piece ends before a character's continuation byte, never inside the character
        // (bytes that are nothing but continuations, which no UTF-8 is, are taken as they come,
        // and refused).
        let whole = (at + TEXT_PIECE).min(len);
        let mut end = whole;
        while end < len && end > at && bytes.get_index(end) & 0xC0 == 0x80 {
            end -= 1;
        }
        if end == at {
            end = whole;
        }
        let piece = bytes.subarray(at, end).to_vec();
        out.push_str(std::str::from_utf8(&piece).map_err(|e| unread(e.to_string()))?);
        at = end;
        slice.breathe().await;
    }
    Ok(out)
}

/// [`text`] of a long string taken into wasm [`TEXT_PIECE`] code units at a time, with a turn for
/// the page whenever `slice` has run its time: one import's command is a text of tens of
/// megabytes, whose copy in one call (UTF-16 to UTF-8) is a task of tens of milliseconds. A piece
/// never ends between the two halves of a surrogate pair (each half alone would be read as
/// U+FFFD).
async fn text_of_string(s: &js_sys::JsString, slice: &mut crate::turn::Slice) -> String {
    let v: &JsValue = s;
    let len = s.length();
    if len <= TEXT_PIECE {
        return text(v);
    }
    let mut out = String::with_capacity(len as usize);
    let mut at = 0;
    while at < len {
        let mut end = (at + TEXT_PIECE).min(len);
        if end < len && (0xD800..0xDC00).contains(&(s.char_code_at(end - 1) as u32)) {
            end -= 1;
        }
        out.push_str(&text(&s.slice(at, end)));
        at = end;
        slice.breathe().await;
    }
    out
}

fn key_text(k: &JsValue) -> String {
    k.as_string()
        .or_else(|| k.as_f64().map(|f| f.to_string()))
        .unwrap_or_default()
}

/// Customers as `(JSON, key)` pairs.
fn customer_rows(customers: &[Customer]) -> Vec<PlainKeyed> {
    customers
        .iter()
        .map(|c| {
            (
                Plain::Text(customer_to_json(c)),
                Some(JsValue::from_str(&c.id.to_string())),
            )
        })
        .collect()
}

/// Outbox records as `(JSON, no key)` pairs for `add_all` (the store numbers them), as
/// [`outbox_record`] stores them.
fn outbox_rows(outbox: &[OutboxEntry]) -> Vec<PlainKeyed> {
    outbox
        .iter()
        .map(|o| {
            // Written into room for the payload (an import's is megabytes), not grown by doubling.
            let mut json = Vec::with_capacity(o.payload.text().len() + 256);
            serde_json::to_writer(&mut json, o).expect("json");
            (outbox_record(json), None)
        })
        .collect()
}

/// An outbox record as it is stored: its JSON as a string; a large one ([`BLOB_AT`], an import's
/// command) as its UTF-8 bytes, which [`IdbStore::to_js`] makes a `Blob` ([`blob_in_parts`]) on
/// a device that is not encrypted. An import's command is tens of megabytes: made a string, then
/// cloned into the store, it was a task of about 265 ms (the UTF-8 decoded into a string) and
/// one of about 230 ms (the string copied by the store) in a restore, and the same in the import
/// that made it; as one array of bytes, its copy into the store was still a task of about 120 ms.
/// Read back by [`text_of`], which takes every form. An encrypted device seals the same bytes as
/// the text's. Every other record stays a string, as an older build reads it: a tab of an older
/// build still open after an update (the service worker takes over; open tabs run on until
/// reloaded) reads a `Blob` as no text. Such a tab refuses to push or back up while one is
/// waiting, but its acknowledgement of a push in flight, or its turning on of encryption, would
/// drop a large record made meanwhile: a narrow case, which a schema version (the older build
/// then cannot open the database) would close.
fn outbox_record(json: Vec<u8>) -> Plain {
    match json.len() >= BLOB_AT {
        true => Plain::Bytes(json),
        false => Plain::Text(String::from_utf8(json).expect("JSON is UTF-8")),
    }
}

/// Whether a value of `len` bytes of `store` is stored as a `Blob` on a device that is not
/// encrypted (see [`outbox_record`]).
fn stored_as_file(store: &str, len: usize) -> bool {
    store == OUTBOX && len >= BLOB_AT
}

/// An outbox record of this many bytes or more is stored as a `Blob` on a device that is not
/// encrypted (see [`outbox_record`]).
const BLOB_AT: usize = 1 << 20;

/// How many bytes of a large record [`blob_in_parts`] copies into a part of its own: a couple of
/// milliseconds.
const BLOB_PART: usize = 2 << 20;

/// `bytes` as a `Blob` made of parts of [`BLOB_PART`] bytes, each copied out of wasm memory into
/// a file of its own, with a turn for the page whenever `slice` has run its time; the whole is
/// the file of those files, joined by reference. Stored, it is handed to the database as a
/// reference: the store copies it off the page's thread (a `Uint8Array` of 31 MB was copied by
/// the put itself, in the page's task).
async fn blob_in_parts(
    bytes: &[u8],
    slice: &mut crate::turn::Slice,
) -> Result<JsValue, StoreError> {
    let no_file = |e: JsValue| StoreError::Backend(format!("the browser made no file: {e:?}"));
    let parts = js_sys::Array::new();
    for part in bytes.chunks(BLOB_PART) {
        let one = js_sys::Array::of1(&Uint8Array::from(part));
        let file = web_sys::Blob::new_with_u8_array_sequence(&one).map_err(no_file)?;
        parts.push(&file);
        slice.breathe().await;
    }
    Ok(web_sys::Blob::new_with_blob_sequence(&parts)
        .map_err(no_file)?
        .into())
}

/// Many short texts made the page's strings at once: joined, handed over (decoded) in one call,
/// then cut apart by `substring`, which copies nothing. Handed over one by one, each is a decode
/// of its own: the rules' 11,500 alerts after the first start were 22 ms of one task, traced.
/// Joined in pieces of at most [`JoinedTexts::PIECE`] bytes, one buffer reused for each: wasm
/// memory never shrinks, so a restore's hundreds of megabytes of documents must not be joined in
/// one.
struct JoinedTexts {
    /// The pieces after the one in use, each with how many texts it holds, in order.
    pieces: std::collections::VecDeque<(js_sys::JsString, usize)>,
    /// The piece in use, and how many of its texts are still to be asked for.
    piece: js_sys::JsString,
    left: usize,
    /// Where the next short text begins in `piece`, in UTF-16 units (a JavaScript string's).
    at: u32,
}

impl JoinedTexts {
    /// How many short texts are worth joining; texts longer than `SHORT` bytes go one by one
    /// (an import's command is tens of megabytes: joined, it would be copied once more).
    const AT_LEAST: usize = 64;
    const SHORT: usize = 64 * 1024;
    /// The most bytes joined in one piece (but one text longer than that, up to `SHORT`).
    const PIECE: usize = 256 * 1024;

    fn of<'a>(values: impl Iterator<Item = &'a Plain> + Clone) -> Option<JoinedTexts> {
        let short = || {
            values.clone().filter_map(|v| match v {
                Plain::Text(s) if s.len() <= Self::SHORT => Some(s.as_str()),
                _ => None,
            })
        };
        // Fewer than that: one by one.
        short().nth(Self::AT_LEAST - 1)?;
        let total: usize = short().map(str::len).sum();
        let mut pieces = std::collections::VecDeque::new();
        let mut buf = String::with_capacity(total.min(Self::PIECE));
        let mut n = 0;
        for s in short() {
            if n > 0 && buf.len() + s.len() > Self::PIECE {
                pieces.push_back((js_sys::JsString::from(buf.as_str()), n));
                buf.clear();
                n = 0;
            }
            buf.push_str(s);
            n += 1;
        }
        pieces.push_back((js_sys::JsString::from(buf.as_str()), n));
        let (piece, left) = pieces.pop_front()?;
        Some(JoinedTexts {
            pieces,
            piece,
            left,
            at: 0,
        })
    }

    /// `s` as the page's string, cut from the joined ones if it is one of them (the texts are
    /// asked for in the order they were joined); `None` for a long one.
    fn next(&mut self, s: &str) -> Option<JsValue> {
        if s.len() > Self::SHORT {
            return None;
        }
        if self.left == 0 {
            (self.piece, self.left) = self.pieces.pop_front()?;
            self.at = 0;
        }
        let units = if s.is_ascii() {
            s.len()
        } else {
            s.encode_utf16().count()
        } as u32;
        let piece = self.piece.substring(self.at, self.at + units);
        self.at += units;
        self.left -= 1;
        Some(piece.into())
    }
}

/// How many values a commit that takes turns makes between looks at the clock.
const TURN_EVERY: usize = 256;

/// How many values a commit that takes turns hands to WebCrypto at once, on an encrypted device.
const SEAL_PART: usize = 1_000;

/// A turn for the page after every [`TURN_EVERY`]th value of `made` if the slice `turns` (when
/// there is one) has run its time.
async fn breathe_every(turns: &mut Option<crate::turn::Slice>, made: usize) {
    if made.is_multiple_of(TURN_EVERY) {
        if let Some(t) = turns.as_mut() {
            t.breathe().await;
        }
    }
}

fn keyed_text(k: &str, v: &str) -> PlainKeyed {
    (Plain::Text(v.to_string()), Some(JsValue::from_str(k)))
}

/// How many chunks a restore hands over, and how many chunks or files it puts, at a time: one
/// (about 1 MB of the large book's). A put copies its value in the task that makes it: eight at a
/// time were tasks of up to 725 ms in the bench (180-290 ms each under the profiler, 2026-12-06).
const PUT_GROUP: usize = 1;

/// How many of the other records (customers, the trail, alerts, …) a restore puts at a time: a
/// thousand of the large book's customers were a task of about 86 ms.
const DOC_GROUP: usize = 250;

fn keyed_bytes(k: &str, v: &[u8]) -> PlainKeyed {
    (Plain::Bytes(v.to_vec()), Some(JsValue::from_str(k)))
}

thread_local! {
    static WRITING_MS: Cell<f64> = const { Cell::new(0.0) };
}

/// Milliseconds this page has spent in its write transactions so far, each from its opening to
/// its end (its requests made, the browser's commit awaited): for the benchmark, the store's part
/// of a commit.
pub fn writing_ms() -> f64 {
    WRITING_MS.get()
}

impl IdbStore {
    /// Opens (creating or upgrading) the database at the current schema version.
    pub async fn open(name: &str) -> Result<IdbStore, StoreError> {
        IdbStore::open_at(name, schema::VERSION).await
    }

    /// Opens the database at a given schema version (tests use older versions to test upgrades).
    pub async fn open_at(name: &str, version: u32) -> Result<IdbStore, StoreError> {
        let mut b = Rexie::builder(name).version(version);
        for s in stores_at(version) {
            b = b.add_object_store(ObjectStore::new(s.name).auto_increment(s.auto_increment));
        }
        // Present to the other tabs before anything is read: an encryption or a restore under
        // way in one of them is waited for here (see `crate::tabs`).
        let (db, presence) = futures_util::future::join(b.build(), crate::tabs::join(name)).await;
        let store = IdbStore {
            abort_next: Default::default(),
            db: Db(RefCell::new(Some(db.map_err(backend)?))),
            name: name.to_string(),
            vault: RefCell::new(None),
            key: RefCell::new(None),
            rev: RefCell::new(None),
            customers_rev: RefCell::new(None),
            customers_rev_trusted: Cell::new(false),
            list_pending: RefCell::new(None),
            list_used: Cell::new(false),
            data_writes: Cell::new(0),
            key_changes: Cell::new(0),
            encrypting: RefCell::new(None),
            waiting: Cell::new(0),
            hooks: RefCell::new(Vec::new()),
            // Without it the app still opens, uncoordinated, as where there are no Web Locks.
            presence: presence.unwrap_or_else(|e| {
                web_sys::console::warn_1(&format!("other tabs not coordinated: {e}").into());
                None
            }),
        };
        *store.vault.borrow_mut() = store.read_vault().await?;
        Ok(store)
    }

    pub fn version(&self) -> Result<u32, StoreError> {
        self.db.version().map_err(backend)
    }
    pub fn store_names(&self) -> Vec<String> {
        self.db.store_names()
    }
    pub fn close(self) {
        self.db.close();
    }
    pub async fn delete(name: &str) -> Result<(), StoreError> {
        Rexie::delete(name).await.map_err(backend)
    }

    /// Holds the device's data alone among the browser's tabs until the answer is dropped:
    /// refused ([`StoreError::OtherTabs`], nothing changed) while another tab has it open, and no
    /// tab opens it meanwhile (see [`crate::tabs`]). What replaces all of the data takes it:
    /// [`IdbStore::encrypt`] itself, a restore through the page.
    pub async fn alone(&self) -> Result<crate::tabs::Alone, StoreError> {
        crate::tabs::alone(&self.name, self.presence.as_ref()).await
    }

    /// How many other tabs have the device's data open now (see [`crate::tabs::others`]): asked
    /// before a step that cannot be undone and that [`IdbStore::alone`] would then refuse.
    pub async fn other_tabs(&self) -> Result<usize, StoreError> {
        crate::tabs::others(&self.name, self.presence.as_ref()).await
    }

    /// The data key values made now are made under.
    fn sealing(&self) -> Sealing {
        Sealing(self.key_changes.get())
    }

    /// A write transaction over `stores` running `f`'s requests. It waits for the device's
    /// data being encrypted, if it is, then is refused (nothing written) when its values were
    /// made under another key than the one now (`made`; `None` for a write of no sealed value,
    /// as a delete).
    async fn write(
        &self,
        stores: &[&str],
        made: Option<Sealing>,
        f: impl AsyncFnOnce(&rexie::Transaction) -> Result<(), rexie::Error>,
    ) -> Result<(), StoreError> {
        match self.write_when(stores, made, None, f).await? {
            true => Ok(()),
            false => Err(key_changed()),
        }
    }

    /// [`IdbStore::write`], also asking `still` (in the task that opens the transaction, after
    /// any wait): false, and nothing written, when it answers false or the key changed.
    async fn write_when(
        &self,
        stores: &[&str],
        made: Option<Sealing>,
        still: Option<&dyn Fn() -> bool>,
        f: impl AsyncFnOnce(&rexie::Transaction) -> Result<(), rexie::Error>,
    ) -> Result<bool, StoreError> {
        self.encrypted().await;
        if made.is_some_and(|m| m != self.sealing()) || still.is_some_and(|still| !still()) {
            return Ok(false);
        }
        self.write_now(stores, f).await.map(|()| true)
    }

    /// Waits for the encryption of the device's data to end, when it is under way.
    async fn encrypted(&self) {
        loop {
            let Some(ends) = self.encrypting.borrow().clone() else {
                break;
            };
            self.waiting.set(self.waiting.get() + 1);
            let _ = wasm_bindgen_futures::JsFuture::from(ends).await;
            self.waiting.set(self.waiting.get() - 1);
        }
    }

    /// How many writes wait for an encryption now. For tests.
    #[doc(hidden)]
    pub fn writes_waiting(&self) -> u32 {
        self.waiting.get()
    }

    /// [`IdbStore::write`] with no wait and no check (the encryption's own write).
    async fn write_now(
        &self,
        stores: &[&str],
        f: impl AsyncFnOnce(&rexie::Transaction) -> Result<(), rexie::Error>,
    ) -> Result<(), StoreError> {
        let t = crate::turn::now();
        let done = self.write_timed(stores, f).await;
        WRITING_MS.set(WRITING_MS.get() + crate::turn::now() - t);
        done
    }

    async fn write_timed(
        &self,
        stores: &[&str],
        f: impl AsyncFnOnce(&rexie::Transaction) -> Result<(), rexie::Error>,
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(stores, TransactionMode::ReadWrite)
            .map_err(backend)?;
        if let Err(e) = f(&tx).await {
            // A request that failed (an audit entry whose number another write took) aborts
            // the transaction by itself, and its error event is still on its way to the
            // transaction: handlers set now would take that event for the end, be freed, and
            // the abort that follows would call a freed closure. The transaction is left to
            // end alone. Anything else (a value the browser would not store) is aborted here,
            // with every request already answered, so the abort is the only event to come.
            if !matches!(e, rexie::Error::IdbError(idb::Error::DomException(_))) {
                let _ = tx.abort().await;
            }
            return Err(backend(e));
        }
        if self.abort_next.replace(false) {
            let _ = tx.abort().await;
            return Err(StoreError::Backend(
                "the transaction was aborted after its last request (a test)".into(),
            ));
        }
        let done = tx.done().await.map_err(backend)?;
        if done.is_committed() {
            Ok(())
        } else {
            Err(StoreError::Backend("the transaction was aborted".into()))
        }
    }

    /// A write of data: `f`'s requests, then a new data revision in `meta`, in one transaction;
    /// the revision is this store's once the transaction has committed.
    /// `made`: the key `f`'s values were made under (see [`IdbStore::write`]).
    async fn write_data(
        &self,
        stores: &[&str],
        made: Sealing,
        f: impl AsyncFnOnce(&rexie::Transaction) -> Result<(), rexie::Error>,
    ) -> Result<(), StoreError> {
        let stamps = self.stamps(stores.contains(&CUSTOMERS)).await?;
        let mut all = stores.to_vec();
        if !all.contains(&META) {
            all.push(META);
        }
        let stamped = Cell::new(false);
        let (stamps_ref, stamped_ref) = (&stamps, &stamped);
        self.write(&all, Some(made), async move |tx| {
            f(tx).await?;
            stamped_ref.set(stamps_ref.put(&tx.store(META)?).await?);
            Ok(())
        })
        .await?;
        self.stamped(stamps, stamped.get());
        Ok(())
    }

    /// The revisions a write of data stores beside its records, sealed (or not) before its
    /// transaction opens.
    async fn stamps(&self, writes_customers: bool) -> Result<Stamps, StoreError> {
        let rev = new_rev();
        let mut values = self
            .keyed(
                META,
                [crate::DATA_REV, crate::CUSTOMERS_REV]
                    .iter()
                    .map(|k| keyed_text(k, &rev))
                    .collect(),
            )
            .await?
            .into_iter();
        let (data, customers) = (
            values.next().unwrap_or_default(),
            values.next().unwrap_or_default(),
        );
        Ok(Stamps {
            rev,
            data: data.0,
            customers,
            writes_customers,
        })
    }

    /// From the revisions stored (read in one transaction with what they are of): the revision
    /// the customers' one-record list must be of, and what this store knows of them from now on.
    /// The customers' revision ([`crate::CUSTOMERS_REV`]) is trusted while the last writer of
    /// data kept it up ([`crate::CUSTOMERS_REV_KEPT_AT`] is the data's revision); otherwise (a
    /// database from before it, or a tab of such a build wrote since) the data's revision is the
    /// one, as before there was a customers' revision.
    async fn customers_rev_of(
        &self,
        key: &Option<DataKey>,
        [customers, data, kept]: [Option<JsValue>; 3],
    ) -> Result<Option<String>, StoreError> {
        // The same stored value under both keys: the last writer kept the customers' one up.
        let kept_up =
            data.is_some() && data.as_ref().map(stored_bytes) == kept.as_ref().map(stored_bytes);
        let present: Vec<JsValue> = [&customers, &data].into_iter().flatten().cloned().collect();
        let mut texts = Self::texts_with(key.clone(), META, &present)
            .await?
            .into_iter();
        let mut next = |v: &Option<JsValue>| v.as_ref().and_then(|_| texts.next());
        let (customers, data) = (next(&customers), next(&data));
        let trusted = kept_up && customers.is_some();
        self.customers_rev_trusted.set(trusted);
        *self.customers_rev.borrow_mut() = customers.clone().filter(|_| trusted);
        Ok(if trusted { customers } else { data })
    }

    /// After a write's transaction committed with `stamps` (`stamped`: the customers'
    /// revision with them).
    fn stamped(&self, stamps: Stamps, stamped: bool) {
        if stamped {
            *self.customers_rev.borrow_mut() = Some(stamps.rev.clone());
            self.customers_rev_trusted.set(true);
        }
        *self.rev.borrow_mut() = Some(stamps.rev);
        self.data_writes.set(self.data_writes.get() + 1);
    }
}

/// What a write of data puts into `meta` beside its records (see [`crate::CUSTOMERS_REV`]).
struct Stamps {
    rev: String,
    /// The data revision as stored: also put as [`crate::CUSTOMERS_REV_KEPT_AT`], the very same
    /// value (the same bytes when sealed), so that a transaction can tell whether the last writer
    /// kept the customers' revision up without opening anything.
    data: JsValue,
    /// The customers' revision, as stored.
    customers: KeyedValue,
    writes_customers: bool,
}

impl Stamps {
    /// Inside the write's transaction: puts the revisions, and the customers' too when the write
    /// puts customers, or when the stored one cannot be trusted (missing, or the last writer of
    /// data did not keep it up: a build from before it). Returns whether it stamped it.
    async fn put(&self, meta: &rexie::Store) -> Result<bool, rexie::Error> {
        let stamp = self.writes_customers || {
            let (customers, data, kept) = futures_util::future::join3(
                meta.key_exists(JsValue::from_str(crate::CUSTOMERS_REV)),
                meta.get(JsValue::from_str(crate::DATA_REV)),
                meta.get(JsValue::from_str(crate::CUSTOMERS_REV_KEPT_AT)),
            )
            .await;
            let (data, kept) = (
                data?.map(|v| stored_bytes(&v)),
                kept?.map(|v| stored_bytes(&v)),
            );
            !(customers? && data.is_some() && data == kept)
        };
        meta.put(&self.data, Some(&JsValue::from_str(crate::DATA_REV)))
            .await?;
        meta.put(
            &self.data,
            Some(&JsValue::from_str(crate::CUSTOMERS_REV_KEPT_AT)),
        )
        .await?;
        if stamp {
            meta.put(&self.customers.0, self.customers.1.as_ref())
                .await?;
        }
        Ok(stamp)
    }
}

/// The customers', the data's and [`crate::CUSTOMERS_REV_KEPT_AT`]'s revisions as stored, in the
/// caller's transaction.
async fn read_revs(meta: &rexie::Store) -> Result<[Option<JsValue>; 3], StoreError> {
    let mut out: [Option<JsValue>; 3] = Default::default();
    for (slot, k) in out.iter_mut().zip([
        crate::CUSTOMERS_REV,
        crate::DATA_REV,
        crate::CUSTOMERS_REV_KEPT_AT,
    ]) {
        *slot = meta.get(JsValue::from_str(k)).await.map_err(backend)?;
    }
    Ok(out)
}

/// A stored value's bytes: a text's UTF-8, or the bytes of a sealed value.
fn stored_bytes(v: &JsValue) -> Vec<u8> {
    match v.as_string() {
        Some(s) => s.into_bytes(),
        None => bytes(v),
    }
}

/// Sealing and opening values, and the vault.
impl IdbStore {
    fn data_key(&self) -> Result<Option<DataKey>, StoreError> {
        match (&*self.key.borrow(), self.vault.borrow().is_some()) {
            (Some(k), _) => Ok(Some(k.clone())),
            (None, true) => Err(StoreError::Locked),
            (None, false) => Ok(None),
        }
    }

    /// Values as they are written to `store`: sealed when the device is encrypted.
    /// A large outbox record in the clear is a `Blob` ([`blob_in_parts`]): then a turn for the
    /// page may come between values (never inside a transaction: values are made before it).
    async fn to_js(&self, store: &str, values: Vec<Plain>) -> Result<Vec<JsValue>, StoreError> {
        if let Some(k) = self.data_key()? {
            return k.seal(store, values).await;
        }
        let mut joined = JoinedTexts::of(values.iter());
        Self::plain_to_js(store, values, &mut joined, &mut None).await
    }

    /// Plain values as the page's values (texts cut from `joined` where they were joined). With
    /// `turns`, a turn for the page whenever that slice has run its time, between values.
    async fn plain_to_js(
        store: &str,
        values: Vec<Plain>,
        joined: &mut Option<JoinedTexts>,
        turns: &mut Option<crate::turn::Slice>,
    ) -> Result<Vec<JsValue>, StoreError> {
        // Without turns, a slice begun at the first file: the clock is not read for each of a
        // commit's thousands of one-document groups (some 5 ms of the rules' write, traced).
        let mut own = None;
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            out.push(match v {
                Plain::Text(s) => match joined.as_mut().and_then(|j| j.next(&s)) {
                    Some(piece) => piece,
                    None => JsValue::from_str(&s),
                },
                Plain::Bytes(b) if stored_as_file(store, b.len()) => {
                    let slice = match turns.as_mut() {
                        Some(t) => t,
                        None => own.get_or_insert_with(crate::turn::Slice::start),
                    };
                    blob_in_parts(&b, slice).await?
                }
                Plain::Bytes(b) => js_bytes(&b),
            });
            breathe_every(turns, out.len()).await;
        }
        Ok(out)
    }

    /// Keyed values of several stores as they are written (a commit's), sealed in one batch.
    async fn keyed_groups(
        &self,
        groups: Vec<(&'static str, Vec<PlainKeyed>)>,
        turns: &mut Option<crate::turn::Slice>,
    ) -> Result<Vec<Vec<KeyedValue>>, StoreError> {
        let Some(key) = self.data_key()? else {
            // Every group's short texts joined at once (a commit's thousands of documents are
            // a group each).
            let mut joined =
                JoinedTexts::of(groups.iter().flat_map(|(_, v)| v.iter().map(|(p, _)| p)));
            let mut out = Vec::new();
            for (k, (store, values)) in groups.into_iter().enumerate() {
                let (plain, keys): (Vec<Plain>, Vec<Option<JsValue>>) = values.into_iter().unzip();
                let values = Self::plain_to_js(store, plain, &mut joined, turns).await?;
                out.push(values.into_iter().zip(keys).collect());
                // A commit's documents are a group each.
                breathe_every(turns, k + 1).await;
            }
            return Ok(out);
        };
        let mut keys: Vec<Vec<Option<JsValue>>> = Vec::new();
        let mut plain: Vec<(&str, Vec<Plain>)> = Vec::new();
        for (store, values) in groups {
            let (p, k): (Vec<Plain>, Vec<Option<JsValue>>) = values.into_iter().unzip();
            keys.push(k);
            plain.push((store, p));
        }
        // With turns: the groups sealed [`SEAL_PART`] values at a time, a turn for the page
        // between (handing 11,500 alerts to WebCrypto at once is one long task).
        let sealed = match turns {
            None => key.seal_groups(plain).await?,
            Some(_) => {
                let mut sealed = Vec::with_capacity(plain.len());
                let mut part = Vec::new();
                let mut n = 0;
                for group in plain {
                    n += group.1.len();
                    part.push(group);
                    if n >= SEAL_PART {
                        sealed.extend(key.seal_groups(std::mem::take(&mut part)).await?);
                        n = 0;
                        if let Some(t) = turns.as_mut() {
                            t.breathe().await;
                        }
                    }
                }
                sealed.extend(key.seal_groups(part).await?);
                sealed
            }
        };
        Ok(sealed
            .into_iter()
            .zip(keys)
            .map(|(values, keys)| values.into_iter().zip(keys).collect())
            .collect())
    }

    /// [`Store::commit`], and [`Store::commit_when`] with `still`: then a large batch's values
    /// are made with turns for the page between them ([`TURN_EVERY`] at a time), `still` is asked
    /// after them, in the task that begins the transaction, and nothing is written (false) if it
    /// answers false or the device's data was encrypted meanwhile (values made in the clear:
    /// [`Store::commit`] makes them again). On an encrypted device the values are sealed
    /// [`SEAL_PART`] at a time with turns between (`DataKey::seal_groups`), or in one batch for a
    /// write that does not check first.
    async fn commit_in(
        &self,
        batch: &Batch,
        still: Option<&dyn Fn() -> bool>,
    ) -> Result<bool, StoreError> {
        let made = self.sealing();
        // A locked device makes nothing.
        self.data_key()?;
        let mut turns = still.map(|_| crate::turn::Slice::start());
        let entries: Vec<PlainKeyed> = batch
            .entries
            .iter()
            .map(|e| encode_entry(e).map(|b| (Plain::Bytes(b), None)))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::corrupt("entry", e))?;
        let mut requests = Vec::with_capacity(batch.requests.len());
        for (k, v) in &batch.requests {
            requests.push(keyed_text(k, &v.to_string()));
            breathe_every(&mut turns, requests.len()).await;
        }
        // A commit that changes data stores a new revision with its settings (see
        // [`IdbStore::write_data`]; here sealed in the commit's one batch).
        let stamps = match batch.changes_data() {
            true => Some(self.stamps(!batch.customers.is_empty()).await?),
            false => None,
        };
        let settings: Vec<_> = batch
            .settings
            .iter()
            .map(|(k, v)| keyed_text(k, v))
            .collect();
        let mut audit = Vec::with_capacity(batch.audit.len());
        for e in &batch.audit {
            audit.push((
                Plain::Text(audit_to_json(e)),
                Some(JsValue::from_f64(e.seq as f64)),
            ));
            breathe_every(&mut turns, audit.len()).await;
        }
        let attachments: Vec<_> = batch
            .attachments
            .iter()
            .map(|(k, v)| keyed_bytes(k, v))
            .collect();
        // Sealed (or not) before the transaction opens, every store's values in one batch.
        let mut groups: Vec<(&'static str, Vec<PlainKeyed>)> = vec![
            (CUSTOMERS, customer_rows(&batch.customers)),
            (TAIL, entries),
            (OUTBOX, outbox_rows(&outbox_for(batch))),
            (schema::REQUESTS, requests),
            (META, settings),
            (schema::AUDIT, audit),
            (schema::ATTACHMENTS, attachments),
        ];
        // Documents written, and removed (an empty text: see `Batch::docs`).
        let (written, removed): (Vec<_>, Vec<_>) =
            batch.docs.iter().partition(|(_, _, v)| !v.is_empty());
        for (n, (w, k, v)) in written.iter().enumerate() {
            groups.push((w.store_name(), vec![keyed_text(k, v)]));
            breathe_every(&mut turns, n + 1).await;
        }
        let mut sealed = self.keyed_groups(groups, &mut turns).await?.into_iter();
        let mut next = || sealed.next().unwrap_or_default();
        let (customers, entries, outbox) = (next(), next(), next());
        let (requests, settings, audit, attachments) = (next(), next(), next(), next());
        let docs: Vec<(&'static str, KeyedValue)> = written
            .iter()
            .filter_map(|(w, _, _)| next().pop().map(|v| (w.store_name(), v)))
            .collect();
        let removed: Vec<(&'static str, JsValue)> = removed
            .iter()
            .map(|(w, k, _)| (w.store_name(), JsValue::from_str(k)))
            .collect();
        let mut stores = vec![CUSTOMERS, TAIL, OUTBOX];
        for (s, used) in [
            (schema::REQUESTS, !requests.is_empty()),
            (META, !settings.is_empty() || stamps.is_some()),
            (schema::AUDIT, !audit.is_empty()),
            (schema::ATTACHMENTS, !attachments.is_empty()),
        ] {
            if used {
                stores.push(s);
            }
        }
        for s in docs
            .iter()
            .map(|(s, _)| s)
            .chain(removed.iter().map(|(s, _)| s))
        {
            if !stores.contains(s) {
                stores.push(s);
            }
        }
        self.hook(Point::CommitMade).await;
        let stamped = Cell::new(false);
        let (stamps_ref, stamped_ref) = (&stamps, &stamped);
        let written = self.write_when(&stores, Some(made), still, async move |tx| {
            // Every store's first requests are made at once (each store's a few at a time,
            // `in_groups`) and awaited together: one round trip for the transaction, not one per
            // store. The revisions' first (their reads see the stored revisions before any of
            // this commit's writes).
            let mut writes: Vec<Write> = Vec::new();
            if let Some(stamps) = stamps_ref {
                let meta = tx.store(META)?;
                writes.push(Box::pin(async move {
                    stamped_ref.set(stamps.put(&meta).await?);
                    Ok(())
                }));
            }
            writes.extend(grouped(tx, CUSTOMERS, customers, Request::Put)?);
            writes.extend(grouped(tx, TAIL, entries, Request::Add)?);
            writes.extend(grouped(tx, schema::REQUESTS, requests, Request::Put)?);
            writes.extend(grouped(tx, META, settings, Request::Put)?);
            // A store's documents in groups (the rules' run after a large import writes
            // thousands of alerts), then its removals, as before every put came first.
            let mut by_store: Vec<(&'static str, Vec<KeyedValue>, Vec<JsValue>)> = Vec::new();
            let at = |by_store: &mut Vec<(&'static str, _, _)>, name| match by_store
                .iter()
                .position(|(n, _, _)| *n == name)
            {
                Some(k) => k,
                None => {
                    by_store.push((name, Vec::new(), Vec::new()));
                    by_store.len() - 1
                }
            };
            for (name, v) in docs {
                let k = at(&mut by_store, name);
                by_store[k].1.push(v);
            }
            for (name, key) in removed {
                let k = at(&mut by_store, name);
                by_store[k].2.push(key);
            }
            for (name, puts, deletes) in by_store {
                let s = tx.store(name)?;
                writes.push(Box::pin(async move {
                    in_groups(&s, puts, Request::Put, COMMIT_GROUP).await?;
                    for key in deletes {
                        s.delete(key).await?;
                    }
                    Ok(())
                }));
            }
            // Added, not put: an entry with the same sequence number fails the transaction.
            writes.extend(grouped(tx, schema::AUDIT, audit, Request::Add)?);
            writes.extend(grouped(tx, schema::ATTACHMENTS, attachments, Request::Put)?);
            writes.extend(grouped(tx, OUTBOX, outbox, Request::Add)?);
            // Every request is awaited to its end, even after one failed (an audit entry whose
            // number another tab took): the transaction then aborts and IndexedDB still answers
            // each of its requests; a request whose future was dropped first would call back into
            // freed memory ("closure invoked after being dropped").
            futures_util::future::join_all(writes)
                .await
                .into_iter()
                .collect::<Result<Vec<()>, _>>()
                .map(drop)
        });
        if !written.await? {
            return Ok(false);
        }
        if let Some(stamps) = stamps {
            self.stamped(stamps, stamped.get());
        }
        Ok(true)
    }

    /// Keyed values as they are written to `store`.
    async fn keyed(
        &self,
        store: &str,
        values: Vec<PlainKeyed>,
    ) -> Result<Vec<KeyedValue>, StoreError> {
        let (plain, keys): (Vec<Plain>, Vec<Option<JsValue>>) = values.into_iter().unzip();
        Ok(self
            .to_js(store, plain)
            .await?
            .into_iter()
            .zip(keys)
            .collect())
    }

    /// JSON records of `store` as read back.
    async fn texts(&self, store: &str, values: &[JsValue]) -> Result<Vec<String>, StoreError> {
        Self::texts_with(self.data_key()?, store, values).await
    }

    /// [`IdbStore::texts`] with a key taken before: the same key for every slice of a read that
    /// gives the browser turns in between.
    async fn texts_with(
        key: Option<DataKey>,
        store: &str,
        values: &[JsValue],
    ) -> Result<Vec<String>, StoreError> {
        let values = opened(key, store, values, true).await?;
        let mut slice = crate::turn::Slice::start();
        let mut out = Vec::with_capacity(values.len());
        for v in values.iter() {
            out.push(text_of(v, &mut slice).await?);
            // Many short ones take turns too: the large book's 12,000 alerts, read at each start,
            // were about 20 ms of copying in the task that had opened them.
            slice.breathe().await;
        }
        Ok(out)
    }

    /// [`IdbStore::texts`] taken into wasm with a turn for the page whenever `slice` has run its
    /// time: for a whole store read at once (a backup's), where one import's command is a text
    /// of tens of megabytes and the audit trail thousands. Only after the transaction that read
    /// them: a turn lets it end. The caller's slice goes on from store to store (a new slice for
    /// each let a backup's reading of them run on for 84 ms without a turn).
    async fn texts_in_turns(
        &self,
        store: &str,
        values: &[JsValue],
        slice: &mut crate::turn::Slice,
    ) -> Result<Vec<String>, StoreError> {
        let values = opened(self.data_key()?, store, values, true).await?;
        let mut out = Vec::with_capacity(values.len());
        for v in values.iter() {
            out.push(text_of(v, slice).await?);
            slice.breathe().await;
        }
        Ok(out)
    }

    /// Byte records of `store` as read back.
    async fn byteses(&self, store: &str, values: &[JsValue]) -> Result<Vec<Vec<u8>>, StoreError> {
        let arrays = self.arrays(store, values).await?;
        Ok(arrays.iter().map(Uint8Array::to_vec).collect())
    }

    /// Binary values as the browser holds them (opened first on an encrypted device), not
    /// copied into wasm memory.
    async fn arrays(&self, store: &str, values: &[JsValue]) -> Result<Vec<Uint8Array>, StoreError> {
        Ok(opened(self.data_key()?, store, values, false)
            .await?
            .iter()
            .map(as_array)
            .collect())
    }

    async fn read_vault(&self) -> Result<Option<Vault>, StoreError> {
        if !self.db.store_names().iter().any(|n| n == VAULT) {
            return Ok(None);
        }
        self.raw_get(VAULT, VAULT_KEY)
            .await?
            .map(|v| Vault::from_json(&text(&v)))
            .transpose()
    }

    async fn write_vault(&self, vault: &Vault) -> Result<(), StoreError> {
        let (k, v) = (
            JsValue::from_str(VAULT_KEY),
            JsValue::from_str(&vault.to_json()),
        );
        self.write(&[VAULT], None, async move |tx| {
            tx.store(VAULT)?.put(&v, Some(&k)).await?;
            Ok(())
        })
        .await
    }

    /// Whether this device's data is encrypted and whether it is open.
    pub fn lock_state(&self) -> LockState {
        match (&*self.vault.borrow(), self.key.borrow().is_some()) {
            (None, _) => LockState::Plain,
            (Some(v), false) => LockState::Locked(v.secret),
            (Some(v), true) => LockState::Unlocked(v.secret),
        }
    }

    /// Minutes of no use after which the app locks (encrypted devices only).
    pub fn idle_minutes(&self) -> Option<u32> {
        self.vault.borrow().as_ref().map(|v| v.idle_minutes)
    }

    /// Sets the minutes of no use after which the app locks.
    pub async fn set_idle_minutes(&self, minutes: u32) -> Result<(), StoreError> {
        let Some(mut v) = self.vault.borrow().clone() else {
            return Err(StoreError::Locked);
        };
        v.idle_minutes = minutes;
        self.write_vault(&v).await?;
        *self.vault.borrow_mut() = Some(v);
        Ok(())
    }

    /// Tries a secret. Right: the data key is in memory and the count of wrong tries starts
    /// again. Wrong: the count goes up and is stored; at the last try the database is deleted.
    /// The caller must not use this store after [`Unlock::Wiped`].
    pub async fn unlock(&self, secret: &str) -> Result<Unlock, StoreError> {
        let Some(mut vault) = self.vault.borrow().clone() else {
            return Ok(Unlock::Opened);
        };
        let kek = Kek::derive(secret, &vault.salt_bytes()?, vault.iterations).await?;
        match DataKey::unwrap(&kek, &vault.wrapped_bytes()?).await {
            Some(key) => {
                if vault.failures > 0 {
                    vault.failures = 0;
                    self.write_vault(&vault).await?;
                    *self.vault.borrow_mut() = Some(vault);
                }
                *self.key.borrow_mut() = Some(key);
                Ok(Unlock::Opened)
            }
            None => match vault.fail() {
                AfterFailure::TriesLeft(tries_left) => {
                    self.write_vault(&vault).await?;
                    *self.vault.borrow_mut() = Some(vault);
                    Ok(Unlock::Wrong { tries_left })
                }
                AfterFailure::Wipe => {
                    let unsent = self.count(OUTBOX).await.unwrap_or(0);
                    self.wipe().await?;
                    Ok(Unlock::Wiped { unsent })
                }
            },
        }
    }

    /// Deletes this device's database (the store is closed; it must not be used after). A
    /// device reported lost, or the last wrong secret.
    pub async fn wipe(&self) -> Result<(), StoreError> {
        *self.key.borrow_mut() = None;
        self.db.close();
        IdbStore::delete(&self.name).await
    }

    /// Forgets the data key: reads and writes fail with [`StoreError::Locked`] until the next
    /// [`IdbStore::unlock`].
    pub fn lock(&self) {
        *self.key.borrow_mut() = None;
    }

    /// Records in a store, counted without reading them (a locked device can count).
    pub async fn count(&self, store: &str) -> Result<usize, StoreError> {
        let tx = self
            .db
            .transaction(&[store], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let n = tx
            .store(store)
            .map_err(backend)?
            .count(None)
            .await
            .map_err(backend)?;
        Ok(n as usize)
    }

    /// Encrypts this device's data under `secret`: a new data key, wrapped under a key derived
    /// from the secret, and every record of every store re-written sealed, all in one
    /// transaction with the vault record (a failure leaves the data as it was). Re-wraps the key
    /// instead when the data is encrypted already (see [`IdbStore::rewrap`]).
    ///
    /// Every other write of this store waits from before the records are read until they are
    /// written sealed (one made meanwhile would be cleared by this one). A write whose values
    /// were made in the clear before is then made again or refused (see `IdbStore::write`): none
    /// is lost, and none is stored in the clear among sealed ones.
    pub async fn encrypt(&self, secret: &str, kind: Secret) -> Result<(), StoreError> {
        // Another encryption (a second click) ends first: then this one is a new secret.
        self.encrypted().await;
        if self.vault.borrow().is_some() {
            return self.rewrap(secret, kind).await;
        }
        // No other tab may have the data open (it would write in the clear, or be cleared), nor
        // open it until the data is sealed: refused, with nothing changed, while one has.
        let _alone = self.alone().await?;
        self.encrypted().await;
        if self.vault.borrow().is_some() {
            return self.rewrap(secret, kind).await;
        }
        let key = DataKey::generate().await?;
        let salt = crate::crypt::random(16);
        let kek = Kek::derive(secret, &salt, crate::vault::PBKDF2_ITERATIONS).await?;
        let vault = Vault::new(kind, &salt, &key.wrap(&kek).await?);
        // One begun while the key was made ends first (where the browser has no Web Locks,
        // nothing else keeps a second one of this tab out).
        self.encrypted().await;
        if self.vault.borrow().is_some() {
            return self.rewrap(secret, kind).await;
        }
        let mut keep: Option<js_sys::Function> = None;
        let ends = js_sys::Promise::new(&mut |resolve, _| keep = Some(resolve));
        *self.encrypting.borrow_mut() = Some(ends);
        let done = self.encrypt_held(key, vault).await;
        self.encrypting.borrow_mut().take();
        if let Some(keep) = keep {
            let _ = keep.call0(&JsValue::NULL);
        }
        done
    }

    /// [`IdbStore::encrypt`]'s work while the other writes wait.
    async fn encrypt_held(&self, key: DataKey, vault: Vault) -> Result<(), StoreError> {
        let (stores, sealed) = self.sealed_data(&key).await?;
        let (vk, vv) = (
            JsValue::from_str(VAULT_KEY),
            JsValue::from_str(&vault.to_json()),
        );
        let mut written: Vec<&str> = stores.clone();
        written.push(VAULT);
        self.hook(Point::EncryptWrites).await;
        self.write_now(&written, async move |tx| {
            for (s, rows) in sealed {
                let st = tx.store(s)?;
                st.clear().await?;
                if !rows.is_empty() {
                    st.put_all(rows.into_iter()).await?;
                }
            }
            tx.store(VAULT)?.put(&vv, Some(&vk)).await?;
            Ok(())
        })
        .await?;
        // Only now, with the data sealed on disk, do reads open it and writes seal theirs (a
        // write made meanwhile, in the clear, is made again or refused).
        *self.vault.borrow_mut() = Some(vault);
        *self.key.borrow_mut() = Some(key);
        self.key_changes.set(self.key_changes.get() + 1);
        Ok(())
    }

    /// Every record of every store (but the vault) as stored now, in the clear, sealed under
    /// `key`: the stores read, and each store's `(value, key)` pairs.
    async fn sealed_data(
        &self,
        key: &DataKey,
    ) -> Result<(Vec<&'static str>, StoresSealed), StoreError> {
        let all = self.raw_data(&[]).await?;
        self.hook(Point::EncryptRead).await;
        let stores: Vec<&'static str> = all.iter().map(|(s, _)| *s).collect();
        let mut sealed: StoresSealed = Vec::new();
        for (s, records) in all {
            let (keys, values): (Vec<JsValue>, Vec<JsValue>) = records.into_iter().unzip();
            let mut plain = Vec::with_capacity(values.len());
            for v in &values {
                plain.push(match v.as_string() {
                    Some(t) => Plain::Text(t),
                    // A large outbox record, read from the browser (see `outbox_record`).
                    None if wasm_bindgen::JsCast::is_instance_of::<web_sys::Blob>(v) => {
                        let mut slice = crate::turn::Slice::start();
                        Plain::Text(text_of(v, &mut slice).await?)
                    }
                    None => Plain::Bytes(bytes(v)),
                });
            }
            let values = key.seal(s, plain).await?;
            sealed.push((
                s,
                values.into_iter().zip(keys.into_iter().map(Some)).collect(),
            ));
        }
        Ok((stores, sealed))
    }

    /// Wraps the data key under a new secret (the password changed, or a PIN replaces it); no
    /// record is re-encrypted. The device must be unlocked.
    pub async fn rewrap(&self, secret: &str, kind: Secret) -> Result<(), StoreError> {
        // An encryption under way ends first: if it failed, there is no key to wrap.
        self.encrypted().await;
        let key = self.data_key()?.ok_or(StoreError::Locked)?;
        let Some(old) = self.vault.borrow().clone() else {
            return Err(StoreError::Locked);
        };
        let salt = crate::crypt::random(16);
        let kek = Kek::derive(secret, &salt, crate::vault::PBKDF2_ITERATIONS).await?;
        let mut vault = Vault::new(kind, &salt, &key.wrap(&kek).await?);
        vault.idle_minutes = old.idle_minutes;
        self.write_vault(&vault).await?;
        *self.vault.borrow_mut() = Some(vault);
        Ok(())
    }

    /// Every value of a store exactly as IndexedDB holds it (strings as strings, bytes as
    /// bytes), in its own read transaction: what someone copying the browser profile reads.
    /// Asked for in ranges (see [`pairs_in_ranges`]): the large book's audit trail in one request
    /// was opened in one task of 40 ms in a traced start.
    #[doc(hidden)]
    pub async fn raw_values(&self, store: &str) -> Result<Vec<JsValue>, StoreError> {
        Ok(self
            .raw_pairs(store)
            .await?
            .into_iter()
            .map(|(_, v)| v)
            .collect())
    }

    /// Every store that holds data (all but `vault`) with its `(key, value)` pairs as stored, in
    /// one read transaction: a consistent picture of the whole database, but for the `meta` keys
    /// in `leave_out`, which are not read at all. A store of many records is handed over in
    /// ranges, each in a task of its own (see [`pairs_in_ranges`]).
    async fn raw_data(
        &self,
        leave_out: &[&str],
    ) -> Result<Vec<(&'static str, Vec<(JsValue, JsValue)>)>, StoreError> {
        let names = self.db.store_names();
        let stores: Vec<&'static str> = stores_at(schema::VERSION)
            .map(|s| s.name)
            .filter(|n| *n != VAULT && names.iter().any(|x| x == n))
            .collect();
        let tx = self
            .db
            .transaction(&stores, TransactionMode::ReadOnly)
            .map_err(backend)?;
        let mut all = Vec::new();
        for name in stores {
            let store = tx.store(name).map_err(backend)?;
            let records = if name == CHUNKS {
                pairs_in_ranges(&store, CHUNKS_PER_READ).await?
            } else if name == META {
                pairs_except(&store, leave_out).await?
            } else {
                pairs_in_ranges(&store, RECORDS_PER_READ).await?
            };
            all.push((name, records));
        }
        Ok(all)
    }

    /// Every `(key, value)` of a store as stored, in its own read transaction, in ranges of
    /// [`RECORDS_PER_READ`]: the browser opens each range's values in a task of its own (the
    /// large book's 12,000 alerts asked for at once were opened in one task of 38 ms).
    async fn raw_pairs(&self, store: &str) -> Result<Vec<(JsValue, JsValue)>, StoreError> {
        let tx = self
            .db
            .transaction(&[store], TransactionMode::ReadOnly)
            .map_err(backend)?;
        pairs_in_ranges(&tx.store(store).map_err(backend)?, RECORDS_PER_READ).await
    }

    /// One value of a store as stored, in its own read transaction.
    async fn raw_get(&self, store: &str, key: &str) -> Result<Option<JsValue>, StoreError> {
        let tx = self
            .db
            .transaction(&[store], TransactionMode::ReadOnly)
            .map_err(backend)?;
        tx.store(store)
            .map_err(backend)?
            .get(JsValue::from_str(key))
            .await
            .map_err(backend)
    }
}

impl IdbStore {
    /// The ledger as stored, its chunks left in the browser's memory ([`Outside`]) and copied
    /// into wasm memory one at a time as they are decoded (`RawLedger::decode_and_release`), so
    /// that the start's highest mark of wasm memory is the rows, not the rows and every chunk.
    /// On an encrypted device the chunks are opened (by WebCrypto, into the browser's memory)
    /// first. [`Store::load_ledger`] is this with every chunk copied in.
    ///
    /// [`Outside`]: crate::Outside
    pub async fn load_ledger_in_place(&self) -> Result<RawLedger, StoreError> {
        let tx = self
            .db
            .transaction(&[CHUNKS, TAIL], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let (keys, chunks) = pairs_in_ranges(&tx.store(CHUNKS).map_err(backend)?, CHUNKS_PER_READ)
            .await?
            .into_iter()
            .unzip::<_, _, Vec<JsValue>, Vec<JsValue>>();
        let tail = all_pairs(&tx.store(TAIL).map_err(backend)?).await?;
        drop(tx);
        let (tail_keys, tail_values): (Vec<JsValue>, Vec<JsValue>) = tail.into_iter().unzip();
        let (chunks, tail_values) = futures_util::future::join(
            self.arrays(CHUNKS, &chunks),
            self.byteses(TAIL, &tail_values),
        )
        .await;
        let chunks = chunks?;
        Ok(RawLedger {
            chunks: keys.iter().map(|k| (text(k), Vec::new())).collect(),
            tail: tail_keys
                .iter()
                .map(|k| k.as_f64().unwrap_or(-1.0) as u64)
                .zip(tail_values?)
                .collect(),
            outside: crate::Outside {
                arrays: chunks.into_iter().map(Some).collect(),
            },
        })
    }

    /// The customers from the one-record list, if it is of the stored customers' revision (see
    /// [`IdbStore::customers_rev_of`]): the revisions are read with the list (one transaction)
    /// and compared before the list is opened or copied into wasm memory.
    async fn customers_from_one_record(
        &self,
        key: &Option<DataKey>,
    ) -> Result<Option<Vec<Customer>>, StoreError> {
        // Begun before the reads, so that the record's reading into wasm (about 35 ms at 10,000
        // customers) and its splitting and parsing take turns.
        let mut slice = crate::turn::Slice::start();
        let tx = self
            .db
            .transaction(&[META], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let meta = tx.store(META).map_err(backend)?;
        let revs = read_revs(&meta).await?;
        let mut got = Vec::new();
        for k in [crate::CUSTOMER_LIST_REV, crate::CUSTOMER_LIST] {
            got.push(meta.get(JsValue::from_str(k)).await.map_err(backend)?);
        }
        drop(tx);
        let rev = self.customers_rev_of(key, revs).await?;
        let [Some(list_rev), Some(list)]: [Option<JsValue>; 2] = got.try_into().unwrap_or_default()
        else {
            return Ok(None);
        };
        let Some(rev) = rev else { return Ok(None) };
        let list_rev = Self::texts_with(key.clone(), META, &[list_rev])
            .await?
            .pop()
            .unwrap_or_default();
        if rev.is_empty() || rev != list_rev {
            return Ok(None);
        }
        let list = match key {
            Some(k) => k
                .open(META, &[list], false)
                .await?
                .iter()
                .map(as_array)
                .next(),
            None => Some(as_array(&list)),
        }
        .map(|a| a.to_vec())
        .unwrap_or_default();
        slice.breathe().await;
        let texts = crate::customer_list_texts(Some(&rev), &list).ok_or_else(|| {
            StoreError::corrupt("the customers' one-record list", "does not read")
        })?;
        // Parsed in slices of time, not of a count: a thousand of the large book's customers
        // took 30-60 ms here, after the record's own reading in the same task. The clock is read
        // every `CLOCK_EVERY` customers (a few microseconds each), not after each: ten thousand
        // reads of it were some 6 ms of the start in a browser's profile.
        const CLOCK_EVERY: usize = 16;
        let mut out = Vec::with_capacity(texts.len());
        for (i, t) in texts.into_iter().enumerate() {
            out.push(customer_from_json(t)?);
            if i % CLOCK_EVERY == CLOCK_EVERY - 1 {
                slice.breathe().await;
            }
        }
        Ok(Some(out))
    }

    /// Whether the last [`Store::load_customers`] read the customers as one record (the data
    /// unchanged since a start kept them so). For tests.
    #[doc(hidden)]
    pub fn customers_from_list(&self) -> bool {
        self.list_used.get()
    }

    /// Deletes a key, bypassing every rule. For tests.
    #[doc(hidden)]
    pub async fn raw_delete(&self, store: &str, key: &str) -> Result<(), StoreError> {
        let key = JsValue::from_str(key);
        self.write(&[store], None, async move |tx| {
            tx.store(store)?.delete(key).await
        })
        .await
    }

    /// Puts a raw string value under a key, bypassing every rule: what someone editing the
    /// database by hand does. For tests.
    #[doc(hidden)]
    pub async fn raw_put(&self, store: &str, key: JsValue, value: &str) -> Result<(), StoreError> {
        let v = JsValue::from_str(value);
        self.write(&[store], None, async move |tx| {
            tx.store(store)?.put(&v, Some(&key)).await?;
            Ok(())
        })
        .await
    }

    /// The next write operation makes all its requests, then is aborted instead of committed:
    /// a tab killed at the last moment, after everything was written into the transaction. For
    /// tests, which drive the real [`Store::commit`] (and every other write) this way.
    #[doc(hidden)]
    pub fn abort_next_write(&self) {
        self.abort_next.set(true);
    }

    /// Runs `hook` the next time a write reaches `point`, and waits for it there: what a test
    /// does to put another write exactly in a gap of this one. For tests.
    #[doc(hidden)]
    pub fn at_next(&self, point: Point, hook: Hook) {
        self.hooks.borrow_mut().push((point, hook));
    }

    /// The hook a test set for `point`, run (see [`IdbStore::at_next`]).
    async fn hook(&self, point: Point) {
        let hook = {
            let mut hooks = self.hooks.borrow_mut();
            let at = hooks.iter().position(|(p, _)| *p == point);
            at.map(|k| hooks.remove(k).1)
        };
        if let Some(hook) = hook {
            hook(self).await;
        }
    }
}

/// Records of `store` as read back, opened first (as text, or as bytes) when the device is
/// encrypted (`key`); as they are otherwise.
async fn opened<'v>(
    key: Option<DataKey>,
    store: &str,
    values: &'v [JsValue],
    text: bool,
) -> Result<std::borrow::Cow<'v, [JsValue]>, StoreError> {
    Ok(match key {
        Some(k) => std::borrow::Cow::Owned(k.open(store, values, text).await?),
        None => std::borrow::Cow::Borrowed(values),
    })
}

/// Every `(key, value)` of a store, in key order: its keys and its values asked for at once (two
/// requests in one round trip), where a cursor takes a round trip per record (the large book's
/// 1,096 requests took tens of milliseconds of cursor steps at every start).
async fn all_pairs(store: &rexie::Store) -> Result<Vec<(JsValue, JsValue)>, StoreError> {
    let (keys, values) =
        futures_util::future::join(store.get_all_keys(None, None), store.get_all(None, None)).await;
    paired(keys.map_err(backend)?, values.map_err(backend)?)
}

/// Keys and values read from one store in one transaction, as pairs: as many of each, or the
/// store's read is refused.
fn paired(keys: Vec<JsValue>, values: Vec<JsValue>) -> Result<Vec<(JsValue, JsValue)>, StoreError> {
    if keys.len() != values.len() {
        return Err(StoreError::Backend(format!(
            "{} keys and {} values read from one store in one transaction",
            keys.len(),
            values.len()
        )));
    }
    Ok(keys.into_iter().zip(values).collect())
}

/// [`all_pairs`] for a store of large or many records (the ledger's chunks, about 1 MB each; the
/// alerts, the trail): the keys, then the values asked for in ranges of `per_read` records, all
/// at once. The browser hands each range's values
/// over (copying them into the page) in a task of its own, where one request for everything took
/// a task of 150-170 ms for the large book (at a start, and again at a backup).
async fn pairs_in_ranges(
    store: &rexie::Store,
    per_read: usize,
) -> Result<Vec<(JsValue, JsValue)>, StoreError> {
    let keys = store.get_all_keys(None, None).await.map_err(backend)?;
    let ranges = keys
        .chunks(per_read.max(1))
        .map(|k| {
            let (first, last) = (&k[0], &k[k.len() - 1]);
            rexie::KeyRange::bound(first, last, None, None).map_err(backend)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let values: Vec<JsValue> = futures_util::future::try_join_all(
        ranges.into_iter().map(|r| store.get_all(Some(r), None)),
    )
    .await
    .map_err(backend)?
    .into_iter()
    .flatten()
    .collect();
    paired(keys, values)
}

/// Every `(key, value)` of a small store of settings but the keys in `leave_out`, which are never
/// read: the keys first, then each value kept, all asked for at once (a record a device derived,
/// the customers' one-record list say, is megabytes the browser would otherwise copy over in one
/// task to be dropped).
async fn pairs_except(
    store: &rexie::Store,
    leave_out: &[&str],
) -> Result<Vec<(JsValue, JsValue)>, StoreError> {
    let keys: Vec<JsValue> = store
        .get_all_keys(None, None)
        .await
        .map_err(backend)?
        .into_iter()
        .filter(|k| !leave_out.contains(&key_text(k).as_str()))
        .collect();
    let values = futures_util::future::try_join_all(keys.iter().map(|k| store.get(k.clone())))
        .await
        .map_err(backend)?;
    keys.into_iter()
        .zip(values)
        .map(|(k, v)| match v {
            Some(v) => Ok((k, v)),
            None => Err(StoreError::Backend(format!(
                "{} listed and not read in one transaction",
                key_text(&k)
            ))),
        })
        .collect()
}

/// Whether [`in_groups`] puts (adds or replaces) or adds (fails on a key already there).
#[derive(Clone, Copy)]
enum Request {
    Put,
    Add,
}

/// How many of one store's values a commit puts at a time (see [`in_groups`]): a put of an
/// alert's text took some 100 µs in a browser's trace, and a commit's first groups of every
/// store are made in one task.
const COMMIT_GROUP: usize = 64;

/// Values of one store, `group` requests at a time, each group made when the last is done (a
/// task of its own, the transaction still active; nothing else may be awaited meanwhile, or the
/// transaction commits half written): a request copies its value in the task that makes it, and
/// the rules' run after a large import made a thousand in one task of 86 ms. Rows of one store
/// keep their order (an added row's number is the order it came in).
async fn in_groups(
    store: &rexie::Store,
    rows: Vec<KeyedValue>,
    request: Request,
    group: usize,
) -> Result<(), rexie::Error> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let some = rows.by_ref().take(group);
        match request {
            Request::Put => store.put_all(some).await?,
            Request::Add => store.add_all(some).await?,
        }
    }
    Ok(())
}

/// One store's part of a transaction's writes.
type Write<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), rexie::Error>> + 'a>>;

/// A commit's write of one store's `values` in groups ([`in_groups`]); none for no values.
fn grouped<'a>(
    tx: &rexie::Transaction,
    store: &str,
    values: Vec<KeyedValue>,
    request: Request,
) -> Result<Option<Write<'a>>, rexie::Error> {
    if values.is_empty() {
        return Ok(None);
    }
    let s = tx.store(store)?;
    Ok(Some(Box::pin(async move {
        in_groups(&s, values, request, COMMIT_GROUP).await
    })))
}

impl Store for IdbStore {
    async fn load_customers(&self) -> Result<Vec<Customer>, StoreError> {
        // One key for every read and slice below.
        let key = self.data_key()?;
        // The one-record list, if no customer has changed since it was written: the browser
        // hands 10,000 records over in about 200 ms, one record of the same texts in a few. A
        // list that does not read is only a cache: the records are read instead.
        match self.customers_from_one_record(&key).await {
            Ok(Some(out)) => {
                self.list_used.set(true);
                return Ok(out);
            }
            Ok(None) => {}
            Err(e) => web_sys::console::warn_1(
                &format!(
                    "the customers' one-record list does not read ({e}); reading them one by one"
                )
                .into(),
            ),
        }
        self.list_used.set(false);
        // One by one, with the revision they are of (one transaction).
        let tx = self
            .db
            .transaction(&[CUSTOMERS, META], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let all = tx
            .store(CUSTOMERS)
            .map_err(backend)?
            .get_all(None, None)
            .await
            .map_err(backend)?;
        let revs = read_revs(&tx.store(META).map_err(backend)?).await?;
        drop(tx);
        let rev = self.customers_rev_of(&key, revs).await?;
        let trusted = self.customers_rev_trusted.get();
        // Taken into wasm and parsed a thousand at a time, with a turn for the browser between:
        // the large book's 10,000 in one go were a task of about 200 ms before the list shows.
        // The texts read become the one-record list as they are parsed (never held a text at a
        // time beside it); that list is copied once at the end, in the order of the names.
        let mut out = Vec::with_capacity(all.len());
        let mut list = rev.as_ref().map(|r| crate::customer_list_record(r, &[]));
        for (i, part) in all.chunks(CUSTOMERS_PER_SLICE).enumerate() {
            if i > 0 {
                crate::turn::yield_now().await;
            }
            for t in Self::texts_with(key.clone(), CUSTOMERS, part).await? {
                out.push(customer_from_json(&t)?);
                if let Some(l) = &mut list {
                    crate::customer_list_push(l, &t);
                }
            }
        }
        // In the order of the customers' names, so that the next start makes them in the order
        // the app holds them (see `customer_list_by_name`). Written with the next keep of what
        // the start derived, if no customer changed since; a database without the customers'
        // revision gets one with the next write of data, and the list waits for the start after.
        let pending = rev.zip(list).and_then(|(rev, read)| {
            let by_name = crate::customer_list_by_name(&rev, &read, &out)?;
            Some((rev, by_name, trusted))
        });
        *self.list_pending.borrow_mut() = pending;
        Ok(out)
    }

    async fn load_ledger(&self) -> Result<RawLedger, StoreError> {
        let mut raw = self.load_ledger_in_place().await?;
        for (i, (_, bytes)) in raw.chunks.iter_mut().enumerate() {
            if let Some(a) = raw.outside.arrays.get_mut(i).and_then(Option::take) {
                *bytes = a.to_vec();
            }
        }
        Ok(raw)
    }

    async fn commit(&self, batch: &Batch) -> Result<(), StoreError> {
        // Made again when the device's data was encrypted while its values were made.
        for _ in 0..COMMIT_TRIES {
            if self.commit_in(batch, None).await? {
                return Ok(());
            }
        }
        Err(key_changed())
    }

    async fn commit_when(
        &self,
        batch: &Batch,
        still: &dyn Fn() -> bool,
    ) -> Result<bool, StoreError> {
        self.commit_in(batch, Some(still)).await
    }

    /// The trail read at once and parsed with turns for the page (thousands of entries: parsed
    /// in the task that read them, 48 ms of an 80 ms task in a trace of a large book's start).
    async fn load_audit(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let all = self.raw_values(schema::AUDIT).await?;
        let values = opened(self.data_key()?, schema::AUDIT, &all, true).await?;
        let mut out = Vec::with_capacity(values.len());
        let mut slice = crate::turn::Slice::start();
        for v in values.iter() {
            out.push(audit_from_json(&text(v))?);
            slice.breathe().await;
        }
        Ok(out)
    }

    async fn last_audit(&self) -> Result<Option<AuditEntry>, StoreError> {
        let tx = self
            .db
            .transaction(&[schema::AUDIT], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let last = tx
            .store(schema::AUDIT)
            .map_err(backend)?
            .scan(None, Some(1), None, Some(rexie::Direction::Prev))
            .await
            .map_err(backend)?;
        drop(tx);
        let values: Vec<JsValue> = last.into_iter().map(|(_, v)| v).collect();
        self.texts(schema::AUDIT, &values)
            .await?
            .first()
            .map(|t| audit_from_json(t))
            .transpose()
    }

    async fn attachment(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self.raw_get(schema::ATTACHMENTS, id).await? {
            Some(v) => Ok(self.byteses(schema::ATTACHMENTS, &[v]).await?.pop()),
            None => Ok(None),
        }
    }

    async fn compact(&self) -> Result<usize, StoreError> {
        let made = self.sealing();
        let tx = self
            .db
            .transaction(&[CHUNKS, TAIL], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let chunk_store = tx.store(CHUNKS).map_err(backend)?;
        let keys: Vec<String> = chunk_store
            .get_all_keys(None, None)
            .await
            .map_err(backend)?
            .iter()
            .map(text)
            .collect();
        let tail = all_pairs(&tx.store(TAIL).map_err(backend)?).await?;
        if tail.is_empty() {
            return Ok(0);
        }
        // The last chunk of each kind is the only one a compaction may extend.
        let mut last_keys: Vec<String> = Vec::new();
        let mut last_values: Vec<JsValue> = Vec::new();
        for kind in crate::Kind::ALL {
            let prefix = format!("{}:", kind as u8);
            if let Some(k) = keys.iter().filter(|k| k.starts_with(&prefix)).max() {
                if let Some(v) = chunk_store
                    .get(JsValue::from_str(k))
                    .await
                    .map_err(backend)?
                {
                    last_keys.push(k.clone());
                    last_values.push(v);
                }
            }
        }
        drop(tx);
        let (tail_keys, tail_values): (Vec<JsValue>, Vec<JsValue>) = tail.into_iter().unzip();
        let tail: Vec<(u64, Vec<u8>)> = tail_keys
            .iter()
            .map(|k| k.as_f64().unwrap_or(-1.0) as u64)
            .zip(self.byteses(TAIL, &tail_values).await?)
            .collect();
        let lasts: Vec<(String, Vec<u8>)> = last_keys
            .into_iter()
            .zip(self.byteses(CHUNKS, &last_values).await?)
            .collect();
        let plan = plan_compaction(
            &keys,
            |k| {
                lasts
                    .iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v.clone())
            },
            &tail,
        )?;
        let moved = plan.delete_tail.len();
        let puts = self
            .keyed(
                CHUNKS,
                plan.puts.iter().map(|(k, v)| keyed_bytes(k, v)).collect(),
            )
            .await?;
        let deletes = plan.delete_tail;
        self.write(&[CHUNKS, TAIL], Some(made), async move |tx| {
            tx.store(CHUNKS)?.put_all(puts.into_iter()).await?;
            let t = tx.store(TAIL)?;
            for k in deletes {
                t.delete(JsValue::from_f64(k as f64)).await?;
            }
            Ok(())
        })
        .await?;
        Ok(moved)
    }

    async fn replace_all(&self, customers: &[Customer], rows: &Rows) -> Result<(), StoreError> {
        let made = self.sealing();
        let customers = self.keyed(CUSTOMERS, customer_rows(customers)).await?;
        let chunks = self
            .keyed(
                CHUNKS,
                chunks_of(rows)?
                    .iter()
                    .map(|(k, v)| keyed_bytes(k, v))
                    .collect(),
            )
            .await?;
        // Requests, the audit trail and attachments go with the data; settings and scorecard
        // models are configuration and stay.
        let mut stores = vec![CUSTOMERS, CHUNKS, TAIL, OUTBOX];
        let names = self.db.store_names();
        for s in [
            schema::REQUESTS,
            schema::AUDIT,
            schema::ATTACHMENTS,
            schema::ALERTS,
            schema::TASKS,
        ] {
            if names.iter().any(|n| n == s) {
                stores.push(s);
            }
        }
        let clear = stores.clone();
        self.write_data(&stores, made, async move |tx| {
            for s in clear {
                tx.store(s)?.clear().await?;
            }
            in_groups(&tx.store(CUSTOMERS)?, customers, Request::Put, DOC_GROUP).await?;
            tx.store(CHUNKS)?.put_all(chunks.into_iter()).await?;
            Ok(())
        })
        .await
    }

    async fn dump(&self) -> Result<Dump, StoreError> {
        // What this device derived from the data never leaves it: not even read.
        let raw = self.raw_data(&crate::DERIVED_META).await?;
        // Each store's records, opened: `(key, value)` as text or bytes.
        let mut texts: std::collections::HashMap<&str, Vec<(String, String)>> = Default::default();
        let mut binary: std::collections::HashMap<&str, Vec<(String, Vec<u8>)>> =
            Default::default();
        // The ledger's chunks stay in the browser's memory until each is decoded.
        let mut chunks = (Vec::new(), Vec::new());
        // One slice from the first store's records to the ledger's last chunk.
        let mut slice = crate::turn::Slice::start();
        for (name, all) in raw {
            let (keys, values): (Vec<JsValue>, Vec<JsValue>) = all.into_iter().unzip();
            let keys: Vec<String> = keys.iter().map(key_text).collect();
            if name == CHUNKS {
                chunks = (keys, self.arrays(name, &values).await?);
            } else if [TAIL, schema::ATTACHMENTS].contains(&name) {
                let v = self.byteses(name, &values).await?;
                binary.insert(name, keys.into_iter().zip(v).collect());
            } else {
                let v = self.texts_in_turns(name, &values, &mut slice).await?;
                texts.insert(name, keys.into_iter().zip(v).collect());
            }
        }
        let mut pairs = |name: &str| texts.remove(name).unwrap_or_default();
        let values = |list: Vec<(String, String)>| -> Vec<String> {
            list.into_iter().map(|(_, v)| v).collect()
        };
        let meta = pairs(META);
        let customers = values(pairs(CUSTOMERS));
        let field_defs = pairs(schema::FIELD_DEFS);
        let models = pairs(schema::MODELS);
        let requests = pairs(schema::REQUESTS);
        let alerts = pairs(schema::ALERTS);
        let tasks = pairs(schema::TASKS);
        let audit = values(pairs(schema::AUDIT));
        let outbox = values(pairs(OUTBOX));
        let mut binary_of = |name: &str| binary.remove(name).unwrap_or_default();
        let mut raw = RawLedger {
            chunks: chunks.0.into_iter().map(|k| (k, Vec::new())).collect(),
            outside: crate::Outside {
                arrays: chunks.1.into_iter().map(Some).collect(),
            },
            tail: binary_of(TAIL)
                .into_iter()
                .map(|(k, v)| (k.parse::<f64>().unwrap_or(-1.0) as u64, v))
                .collect(),
        };
        let attachments = binary_of(schema::ATTACHMENTS);
        // The ledger decoded a chunk at a time (a large book's is a million rows), with turns
        // for the page.
        let mut rows = Rows::default();
        slice.breathe().await;
        raw.reserve_rows(&mut rows);
        raw.decode_in_turns(&mut rows, &mut slice).await?;
        Ok(Dump {
            chunks: None,
            meta,
            customers,
            rows,
            field_defs,
            models,
            requests,
            alerts,
            tasks,
            audit,
            attachments,
            outbox,
        })
    }

    async fn restore(&self, dump: &Dump) -> Result<(), StoreError> {
        let made = self.sealing();
        // Each customer's id read from its text, with a turn for the page every slice (the large
        // book's 10,000 were a task of about 100 ms).
        let mut customers: Vec<PlainKeyed> = Vec::with_capacity(dump.customers.len());
        let mut slice = crate::turn::Slice::start();
        for c in &dump.customers {
            customers.push(keyed_text(&record_id(c)?, c));
            slice.breathe().await;
        }
        let encoded;
        let raw: &[(String, Vec<u8>)] = match &dump.chunks {
            Some(c) => c,
            None => {
                // A chunk at a time, with a turn for the page every slice (the large book's
                // two million rows took 0.4 s in one task).
                let mut out = Vec::new();
                let mut slice = crate::turn::Slice::start();
                for chunk in crate::chunks_one_by_one(&dump.rows) {
                    out.push(chunk?);
                    slice.breathe().await;
                }
                encoded = out;
                &encoded
            }
        };
        let audit: Vec<PlainKeyed> = dump
            .audit
            .iter()
            .map(|a| {
                Ok((
                    Plain::Text(a.clone()),
                    Some(JsValue::from_f64(audit_seq(a)? as f64)),
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        let docs = |list: &[(String, String)]| -> Vec<PlainKeyed> {
            list.iter().map(|(k, v)| keyed_text(k, v)).collect()
        };
        let meta: Vec<_> = dump
            .meta
            .iter()
            .filter(|(k, _)| crate::meta_travels(k))
            .map(|(k, v)| keyed_text(k, v))
            .collect();
        // The chunks handed to the browser (or sealed) a few at a time, a turn between.
        let mut chunks = Vec::with_capacity(raw.len());
        for group in raw.chunks(PUT_GROUP) {
            let group = group.iter().map(|(k, v)| keyed_bytes(k, v)).collect();
            chunks.extend(self.keyed(CHUNKS, group).await?);
            crate::turn::yield_now().await;
        }
        let plain: Vec<(&str, Vec<PlainKeyed>)> = vec![
            (CUSTOMERS, customers),
            (schema::FIELD_DEFS, docs(&dump.field_defs)),
            (schema::MODELS, docs(&dump.models)),
            (schema::REQUESTS, docs(&dump.requests)),
            (schema::ALERTS, docs(&dump.alerts)),
            (schema::TASKS, docs(&dump.tasks)),
            (schema::AUDIT, audit),
            (
                schema::ATTACHMENTS,
                dump.attachments
                    .iter()
                    .map(|(k, v)| keyed_bytes(k, v))
                    .collect(),
            ),
        ];
        // Each store's values made [`DOC_GROUP`] at a time, with a turn for the page every slice
        // (the large book's customers, alerts and trail made at once were a task of about 150 ms).
        let mut written: Vec<(&str, Vec<KeyedValue>)> = vec![(CHUNKS, chunks)];
        let mut slice = crate::turn::Slice::start();
        for (s, rows) in plain {
            let mut values = Vec::with_capacity(rows.len());
            let mut rows = rows.into_iter().peekable();
            while rows.peek().is_some() {
                let group = rows.by_ref().take(DOC_GROUP).collect();
                values.extend(self.keyed(s, group).await?);
                slice.breathe().await;
            }
            written.push((s, values));
        }
        let meta = self.keyed(META, meta).await?;
        slice.breathe().await;
        // One record at a time (an import's command is tens of megabytes, made a file in parts
        // straight from the dump's text: its copy first was a further 19 ms).
        let mut outbox = Vec::with_capacity(dump.outbox.len());
        let clear = self.data_key()?.is_none();
        for o in &dump.outbox {
            if clear && stored_as_file(OUTBOX, o.len()) {
                outbox.push((blob_in_parts(o.as_bytes(), &mut slice).await?, None));
            } else {
                let record = outbox_record(o.as_bytes().to_vec());
                outbox.extend(self.keyed(OUTBOX, vec![(record, None)]).await?);
            }
            slice.breathe().await;
        }
        let stores: Vec<&str> = stores_at(schema::VERSION)
            .map(|s| s.name)
            .filter(|n| *n != VAULT)
            .collect();
        let clear = stores.clone();
        self.write_data(&stores, made, async move |tx| {
            // This device keeps its own id (as stored: sealed or not, it is put back unopened).
            let device_key = JsValue::from_str(DEVICE_KEY);
            let device = tx.store(META)?.get(device_key.clone()).await?;
            for s in clear {
                tx.store(s)?.clear().await?;
            }
            if let Some(device) = device {
                tx.store(META)?.put(&device, Some(&device_key)).await?;
            }
            if !meta.is_empty() {
                tx.store(META)?.put_all(meta.into_iter()).await?;
            }
            // Nothing but this transaction's own requests is awaited in here: each group is made
            // as the last one's requests are done, while the transaction is still active. A turn
            // for the page (or any other wait) would let it commit half written.
            for (s, rows) in written {
                // A few values at a time: each put copies its value in the task that makes it
                // (the large book's chunks, all at once, took 0.57 s); the next few are made as
                // the last are done, a task of their own.
                let group = if s == CHUNKS || s == schema::ATTACHMENTS {
                    PUT_GROUP
                } else {
                    DOC_GROUP
                };
                in_groups(&tx.store(s)?, rows, Request::Put, group).await?;
            }
            if !outbox.is_empty() {
                // In groups too: the large book's were one task of 80 ms traced.
                in_groups(&tx.store(OUTBOX)?, outbox, Request::Add, COMMIT_GROUP).await?;
            }
            Ok(())
        })
        .await
    }

    async fn import(
        &self,
        customers: &[Customer],
        rows: &Rows,
        outbox: &[OutboxEntry],
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let made = self.sealing();
        // Encoded and sealed first; the keys are given inside the transaction, after the chunks
        // it sees (the associated data is the store's name, not the key, so a chunk sealed
        // before it was numbered still opens).
        // Each step is a task of its own: the page is not held for all of them at once.
        let encoded = append_chunks(&[], rows)?;
        crate::turn::yield_now().await;
        let (names, plain): (Vec<String>, Vec<Plain>) = encoded
            .into_iter()
            .map(|(k, v)| (k, Plain::Bytes(v)))
            .unzip();
        let sealed = self.to_js(CHUNKS, plain).await?;
        let customers = self.keyed(CUSTOMERS, customer_rows(customers)).await?;
        crate::turn::yield_now().await;
        let outbox = self.keyed(OUTBOX, outbox_rows(outbox)).await?;
        crate::turn::yield_now().await;
        let audit = self
            .keyed(
                schema::AUDIT,
                audit
                    .iter()
                    .map(|e| {
                        (
                            Plain::Text(audit_to_json(e)),
                            Some(JsValue::from_f64(e.seq as f64)),
                        )
                    })
                    .collect(),
            )
            .await?;
        // The customers' store only when customers come: its revision says they changed.
        let stores: &[&str] = if customers.is_empty() {
            &[CHUNKS, OUTBOX, schema::AUDIT]
        } else {
            &[CUSTOMERS, CHUNKS, OUTBOX, schema::AUDIT]
        };
        self.write_data(stores, made, async move |tx| {
            if !audit.is_empty() {
                // Added, not put: a sequence number taken by another writer fails the import.
                tx.store(schema::AUDIT)?.add_all(audit.into_iter()).await?;
            }
            let chunks = tx.store(CHUNKS)?;
            let keys: Vec<String> = chunks
                .get_all_keys(None, None)
                .await?
                .iter()
                .map(text)
                .collect();
            // Numbered after the chunks stored, by kind: `rekey` renames, in order.
            let positions: Vec<(String, usize)> =
                names.into_iter().enumerate().map(|(i, k)| (k, i)).collect();
            let mut values: Vec<Option<JsValue>> = sealed.into_iter().map(Some).collect();
            let rekeyed = rekey(&keys, positions);
            // A chunk at a time, as a restore puts them (a put copies its value in the task that
            // makes it: an import's twenty chunks at once were a task of 42 ms traced).
            let rows: Vec<KeyedValue> = rekeyed
                .into_iter()
                .filter_map(|(k, i)| values[i].take().map(|v| (v, Some(JsValue::from_str(&k)))))
                .collect();
            in_groups(&chunks, rows, Request::Put, PUT_GROUP).await?;
            if !customers.is_empty() {
                in_groups(&tx.store(CUSTOMERS)?, customers, Request::Put, DOC_GROUP).await?;
            }
            if !outbox.is_empty() {
                tx.store(OUTBOX)?.add_all(outbox.into_iter()).await?;
            }
            Ok(())
        })
        .await
    }

    async fn docs(&self, which: Docs) -> Result<Vec<(String, String)>, StoreError> {
        let name = which.store_name();
        let all = self.raw_pairs(name).await?;
        // Their copying into wasm in a task after the one that opened them (the large book's
        // alerts: about 38 ms to open, 20 to copy).
        crate::turn::yield_now().await;
        let (keys, values): (Vec<JsValue>, Vec<JsValue>) = all.into_iter().unzip();
        Ok(keys
            .iter()
            .map(text)
            .zip(self.texts(name, &values).await?)
            .collect())
    }

    async fn put_docs(
        &self,
        which: Docs,
        docs: &[(&str, &str)],
        outbox: &[OutboxEntry],
    ) -> Result<(), StoreError> {
        let made = self.sealing();
        let name = which.store_name();
        let docs = self
            .keyed(name, docs.iter().map(|(k, v)| keyed_text(k, v)).collect())
            .await?;
        let records = self.keyed(OUTBOX, outbox_rows(outbox)).await?;
        self.write_data(&[name, OUTBOX], made, async move |tx| {
            tx.store(name)?.put_all(docs.into_iter()).await?;
            if !records.is_empty() {
                tx.store(OUTBOX)?.add_all(records.into_iter()).await?;
            }
            Ok(())
        })
        .await
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self.raw_get(META, key).await? {
            Some(v) => Ok(self.texts(META, &[v]).await?.pop()),
            None => Ok(None),
        }
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let made = self.sealing();
        let mut one = self.keyed(META, vec![keyed_text(key, value)]).await?;
        let (v, k) = one.remove(0);
        self.write(&[META], Some(made), async move |tx| {
            tx.store(META)?.put(&v, k.as_ref()).await?;
            Ok(())
        })
        .await
    }

    async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let all = self.raw_values(OUTBOX).await?;
        self.texts(OUTBOX, &all)
            .await?
            .iter()
            .map(|t| {
                serde_json::from_str(t).map_err(|e| StoreError::Corrupt {
                    what: "outbox".into(),
                    error: e.to_string(),
                })
            })
            .collect()
    }

    async fn acknowledge(&self, answered: &[String]) -> Result<(), StoreError> {
        // Read and opened first; then the records no longer pending are deleted by key (a
        // record added in between is not among them, and stays).
        let all = self.raw_pairs(OUTBOX).await?;
        let (keys, values): (Vec<JsValue>, Vec<JsValue>) = all.into_iter().unzip();
        let texts = self.texts(OUTBOX, &values).await?;
        let gone: Vec<JsValue> = keys
            .into_iter()
            .zip(texts)
            // A record that does not read is kept: what cannot be read is not known to be sent.
            .filter(|(_, t)| {
                serde_json::from_str::<OutboxEntry>(t)
                    .is_ok_and(|o| !crate::still_pending(&o, answered))
            })
            .map(|(k, _)| k)
            .collect();
        if gone.is_empty() {
            return Ok(());
        }
        self.write(&[OUTBOX], None, async move |tx| {
            let s = tx.store(OUTBOX)?;
            for k in gone {
                s.delete(k).await?;
            }
            Ok(())
        })
        .await
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        let tx = self
            .db
            .transaction(
                &[CUSTOMERS, CHUNKS, TAIL, OUTBOX],
                TransactionMode::ReadOnly,
            )
            .map_err(backend)?;
        let count = async |s: &str| -> Result<usize, StoreError> {
            Ok(tx
                .store(s)
                .map_err(backend)?
                .count(None)
                .await
                .map_err(backend)? as usize)
        };
        Ok(Stats {
            customers: count(CUSTOMERS).await?,
            chunks: count(CHUNKS).await?,
            tail: count(TAIL).await?,
            outbox: count(OUTBOX).await?,
        })
    }

    async fn derived(&self) -> Result<Option<Vec<u8>>, StoreError> {
        let tx = self
            .db
            .transaction(&[META], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let meta = tx.store(META).map_err(backend)?;
        let rev = meta
            .get(JsValue::from_str(crate::DATA_REV))
            .await
            .map_err(backend)?;
        let kept = meta
            .get(JsValue::from_str(crate::DERIVED))
            .await
            .map_err(backend)?;
        drop(tx);
        // Opened together (one batch when the device is encrypted); no revision, nothing kept.
        let stored: Vec<JsValue> = rev.into_iter().chain(kept).collect();
        let mut texts = self.texts(META, &stored).await?.into_iter();
        let rev = texts.next();
        let kept = texts
            .next()
            .and_then(|r| crate::derived_bytes(rev.as_deref(), &r));
        *self.rev.borrow_mut() = rev;
        Ok(kept)
    }

    async fn breathe(&self) {
        crate::turn::yield_now().await;
    }

    async fn put_derived(&self, bytes: &[u8]) -> Result<(), StoreError> {
        let made = self.sealing();
        if self.rev.borrow().is_none() {
            // No revision known (data never written through one: an older database; or none read
            // by this store yet): one starts here. The bytes were made before this write waited:
            // should another write of data commit meanwhile (a command), they are not of the
            // revision after it, and nothing is kept (the next keep keeps them).
            let before = self.data_writes.get();
            self.write_data(&[META], made, async |_| Ok(())).await?;
            if self.data_writes.get() != before + 1 {
                return Ok(());
            }
        }
        // Taken before any wait: the caller made the bytes from what it holds in this task.
        let rev = self.rev.borrow().clone().unwrap_or_default();
        // With them, the customers as one record if this start read them one by one. It is of
        // the customers' revision they were read at: if a customer changed since (here or in
        // another tab), the next start finds it stale and reads them one by one again.
        // (Read where the customers' revision was not trusted, it is of the data's revision, the
        // rule before there was one.)
        let customers_rev = self.customers_rev.borrow().clone();
        let trusted = self.customers_rev_trusted.get();
        let list = self
            .list_pending
            .borrow_mut()
            .take()
            .filter(|(at, _, trusted_then)| match trusted_then {
                true => trusted && Some(at) == customers_rev.as_ref(),
                false => !trusted && *at == rev,
            })
            .map(|(at, l, _)| (at, l));
        let records = std::iter::once(keyed_text(
            crate::DERIVED,
            &crate::derived_record(&rev, bytes),
        ))
        .chain(list.into_iter().flat_map(|(at, l)| {
            [
                keyed_text(crate::CUSTOMER_LIST_REV, &at),
                keyed_bytes(crate::CUSTOMER_LIST, &l),
            ]
        }))
        .collect();
        let values = self.keyed(META, records).await?;
        self.write(&[META], Some(made), async move |tx| {
            let meta = tx.store(META)?;
            for (v, k) in &values {
                meta.put(v, k.as_ref()).await?;
            }
            Ok(())
        })
        .await
    }
}
