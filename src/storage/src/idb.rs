//! The IndexedDB store (rexie). Handles are not `Send`: the app keeps one in a thread-local, not in
//! a signal.
//!
//! Each method runs at most one read transaction and one write transaction, and computes
//! everything it writes before the write transaction opens, so that no transaction waits on work.

use crate::backup::{Dump, DEVICE_KEY};
use crate::codec::encode_entry;
use crate::schema::{self, stores_at, CHUNKS, CUSTOMERS, META, OUTBOX, TAIL};
use crate::{
    append_chunks, audit_from_json, audit_seq, audit_to_json, chunks_of, customer_from_json,
    customer_to_json, outbox_for, plan_compaction, record_id, rekey, Batch, Docs, OutboxEntry,
    RawLedger, Rows, Stats, Store, StoreError,
};
use creditdesk_domain::approval::AuditEntry;
use creditdesk_domain::Customer;
use js_sys::Uint8Array;
use rexie::{ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::JsValue;

/// A value and its key, as `put_all` takes them.
type KeyedValue = (JsValue, Option<JsValue>);

pub struct IdbStore {
    db: Rexie,
    /// For tests: the next write transaction makes every request, then is aborted instead of
    /// committed (see [`IdbStore::abort_next_write`]).
    abort_next: std::cell::Cell<bool>,
}

fn backend(e: rexie::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn bytes(v: &JsValue) -> Vec<u8> {
    Uint8Array::new(v).to_vec()
}

/// Customers as `(JSON value, key)` pairs for `put_all`.
fn customer_rows(customers: &[Customer]) -> Vec<(JsValue, Option<JsValue>)> {
    customers
        .iter()
        .map(|c| {
            (
                JsValue::from_str(&customer_to_json(c)),
                Some(JsValue::from_str(&c.id.to_string())),
            )
        })
        .collect()
}

/// Outbox records as `(JSON value, no key)` pairs for `add_all` (the store numbers them).
fn outbox_rows(outbox: &[OutboxEntry]) -> Vec<(JsValue, Option<JsValue>)> {
    outbox
        .iter()
        .map(|o| {
            (
                JsValue::from_str(&serde_json::to_string(o).expect("json")),
                None,
            )
        })
        .collect()
}

fn js_bytes(b: &[u8]) -> JsValue {
    Uint8Array::from(b).into()
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
        Ok(IdbStore {
            abort_next: Default::default(),
            db: b.build().await.map_err(backend)?,
        })
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

    async fn write(
        &self,
        stores: &[&str],
        f: impl AsyncFnOnce(&rexie::Transaction) -> Result<(), rexie::Error>,
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(stores, TransactionMode::ReadWrite)
            .map_err(backend)?;
        if let Err(e) = f(&tx).await {
            let _ = tx.abort().await;
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
}

impl IdbStore {
    /// Puts a raw string value under a key, bypassing every rule: what someone editing the
    /// database by hand does. For tests.
    #[doc(hidden)]
    pub async fn raw_put(&self, store: &str, key: JsValue, value: &str) -> Result<(), StoreError> {
        let v = JsValue::from_str(value);
        self.write(&[store], async move |tx| {
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
}

/// One store's part of a transaction's writes.
type Write<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), rexie::Error>> + 'a>>;

impl Store for IdbStore {
    async fn load_customers(&self) -> Result<Vec<Customer>, StoreError> {
        let tx = self
            .db
            .transaction(&[CUSTOMERS], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let all = tx
            .store(CUSTOMERS)
            .map_err(backend)?
            .get_all(None, None)
            .await
            .map_err(backend)?;
        drop(tx);
        all.iter()
            .map(|v| customer_from_json(&v.as_string().unwrap_or_default()))
            .collect()
    }

    async fn load_ledger(&self) -> Result<RawLedger, StoreError> {
        let tx = self
            .db
            .transaction(&[CHUNKS, TAIL], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let chunk_store = tx.store(CHUNKS).map_err(backend)?;
        let keys = chunk_store
            .get_all_keys(None, None)
            .await
            .map_err(backend)?;
        let chunks = chunk_store.get_all(None, None).await.map_err(backend)?;
        let tail = tx
            .store(TAIL)
            .map_err(backend)?
            .scan(None, None, None, None)
            .await
            .map_err(backend)?;
        drop(tx);
        Ok(RawLedger {
            chunks: keys
                .iter()
                .map(|k| k.as_string().unwrap_or_default())
                .zip(chunks.iter().map(bytes))
                .collect(),
            tail: tail
                .iter()
                .map(|(k, v)| (k.as_f64().unwrap_or(-1.0) as u64, bytes(v)))
                .collect(),
        })
    }

    async fn commit(&self, batch: &Batch) -> Result<(), StoreError> {
        let customers = customer_rows(&batch.customers);
        let entries: Vec<(JsValue, Option<JsValue>)> = batch
            .entries
            .iter()
            .map(|e| encode_entry(e).map(|b| (js_bytes(&b), None)))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::corrupt("entry", e))?;
        let outbox = outbox_rows(&outbox_for(batch));
        let keyed = |k: &str, v: &str| (JsValue::from_str(v), Some(JsValue::from_str(k)));
        let requests: Vec<_> = batch
            .requests
            .iter()
            .map(|(k, v)| keyed(k, &v.to_string()))
            .collect();
        let settings: Vec<_> = batch.settings.iter().map(|(k, v)| keyed(k, v)).collect();
        let docs: Vec<(&'static str, (JsValue, Option<JsValue>))> = batch
            .docs
            .iter()
            .map(|(w, k, v)| (w.store_name(), keyed(k, v)))
            .collect();
        let audit: Vec<(JsValue, Option<JsValue>)> = batch
            .audit
            .iter()
            .map(|e| {
                (
                    JsValue::from_str(&audit_to_json(e)),
                    Some(JsValue::from_f64(e.seq as f64)),
                )
            })
            .collect();
        let attachments: Vec<(JsValue, Option<JsValue>)> = batch
            .attachments
            .iter()
            .map(|(k, v)| (js_bytes(v), Some(JsValue::from_str(k))))
            .collect();
        let mut stores = vec![CUSTOMERS, TAIL, OUTBOX];
        for (s, used) in [
            (schema::REQUESTS, !requests.is_empty()),
            (META, !settings.is_empty()),
            (schema::AUDIT, !audit.is_empty()),
            (schema::ATTACHMENTS, !attachments.is_empty()),
        ] {
            if used {
                stores.push(s);
            }
        }
        for (s, _) in &docs {
            if !stores.contains(s) {
                stores.push(s);
            }
        }
        self.write(&stores, async move |tx| {
            // Every store's requests are made at once and awaited together: one round trip
            // for the transaction, not one per store.
            let mut writes: Vec<Write> = Vec::new();
            if !customers.is_empty() {
                let s = tx.store(CUSTOMERS)?;
                writes.push(Box::pin(async move {
                    s.put_all(customers.into_iter()).await.map(drop)
                }));
            }
            if !entries.is_empty() {
                let s = tx.store(TAIL)?;
                writes.push(Box::pin(async move {
                    s.add_all(entries.into_iter()).await.map(drop)
                }));
            }
            if !requests.is_empty() {
                let s = tx.store(schema::REQUESTS)?;
                writes.push(Box::pin(async move {
                    s.put_all(requests.into_iter()).await.map(drop)
                }));
            }
            if !settings.is_empty() {
                let s = tx.store(META)?;
                writes.push(Box::pin(async move {
                    s.put_all(settings.into_iter()).await.map(drop)
                }));
            }
            for (name, (v, k)) in docs {
                let s = tx.store(name)?;
                writes.push(Box::pin(
                    async move { s.put(&v, k.as_ref()).await.map(drop) },
                ));
            }
            if !audit.is_empty() {
                // Added, not put: an entry with the same sequence number fails the transaction.
                let s = tx.store(schema::AUDIT)?;
                writes.push(Box::pin(async move {
                    s.add_all(audit.into_iter()).await.map(drop)
                }));
            }
            if !attachments.is_empty() {
                let s = tx.store(schema::ATTACHMENTS)?;
                writes.push(Box::pin(async move {
                    s.put_all(attachments.into_iter()).await.map(drop)
                }));
            }
            let s = tx.store(OUTBOX)?;
            writes.push(Box::pin(async move {
                s.add_all(outbox.into_iter()).await.map(drop)
            }));
            // Every request is awaited to its end, even after one failed (an audit entry whose
            // number another tab took): the transaction then aborts and IndexedDB still answers
            // each of its requests; a request whose future was dropped first would call back into
            // freed memory ("closure invoked after being dropped").
            futures_util::future::join_all(writes)
                .await
                .into_iter()
                .collect::<Result<Vec<()>, _>>()
                .map(drop)
        })
        .await
    }

    async fn load_audit(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let tx = self
            .db
            .transaction(&[schema::AUDIT], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let all = tx
            .store(schema::AUDIT)
            .map_err(backend)?
            .get_all(None, None)
            .await
            .map_err(backend)?;
        all.iter()
            .map(|v| audit_from_json(&v.as_string().unwrap_or_default()))
            .collect()
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
        last.first()
            .map(|(_, v)| audit_from_json(&v.as_string().unwrap_or_default()))
            .transpose()
    }

    async fn attachment(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let tx = self
            .db
            .transaction(&[schema::ATTACHMENTS], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let v = tx
            .store(schema::ATTACHMENTS)
            .map_err(backend)?
            .get(JsValue::from_str(id))
            .await
            .map_err(backend)?;
        Ok(v.map(|v| bytes(&v)))
    }

    async fn compact(&self) -> Result<usize, StoreError> {
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
            .map(|k| k.as_string().unwrap_or_default())
            .collect();
        let tail: Vec<(u64, Vec<u8>)> = tx
            .store(TAIL)
            .map_err(backend)?
            .scan(None, None, None, None)
            .await
            .map_err(backend)?
            .iter()
            .map(|(k, v)| (k.as_f64().unwrap_or(-1.0) as u64, bytes(v)))
            .collect();
        if tail.is_empty() {
            return Ok(0);
        }
        // The last chunk of each kind is the only one a compaction may extend.
        let mut lasts: Vec<(String, Vec<u8>)> = Vec::new();
        for kind in crate::Kind::ALL {
            let prefix = format!("{}:", kind as u8);
            if let Some(k) = keys.iter().filter(|k| k.starts_with(&prefix)).max() {
                if let Some(v) = chunk_store
                    .get(JsValue::from_str(k))
                    .await
                    .map_err(backend)?
                {
                    lasts.push((k.clone(), bytes(&v)));
                }
            }
        }
        drop(tx);
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
        let puts: Vec<(JsValue, Option<JsValue>)> = plan
            .puts
            .iter()
            .map(|(k, v)| (js_bytes(v), Some(JsValue::from_str(k))))
            .collect();
        let deletes = plan.delete_tail;
        self.write(&[CHUNKS, TAIL], async move |tx| {
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
        let customers = customer_rows(customers);
        let chunks: Vec<(JsValue, Option<JsValue>)> = chunks_of(rows)?
            .iter()
            .map(|(k, v)| (js_bytes(v), Some(JsValue::from_str(k))))
            .collect();
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
        self.write(&stores, async move |tx| {
            for s in clear {
                tx.store(s)?.clear().await?;
            }
            tx.store(CUSTOMERS)?.put_all(customers.into_iter()).await?;
            tx.store(CHUNKS)?.put_all(chunks.into_iter()).await?;
            Ok(())
        })
        .await
    }

    async fn dump(&self) -> Result<Dump, StoreError> {
        let names = self.db.store_names();
        let stores: Vec<&str> = stores_at(schema::VERSION)
            .map(|s| s.name)
            .filter(|n| names.iter().any(|x| x == n))
            .collect();
        let tx = self
            .db
            .transaction(&stores, TransactionMode::ReadOnly)
            .map_err(backend)?;
        let scan = async |name: &str| -> Result<Vec<(JsValue, JsValue)>, StoreError> {
            if !stores.contains(&name) {
                return Ok(Vec::new());
            }
            tx.store(name)
                .map_err(backend)?
                .scan(None, None, None, None)
                .await
                .map_err(backend)
        };
        let text = |v: &JsValue| v.as_string().unwrap_or_default();
        let key = |k: &JsValue| {
            k.as_string()
                .or_else(|| k.as_f64().map(|f| f.to_string()))
                .unwrap_or_default()
        };
        let pairs = |all: Vec<(JsValue, JsValue)>| -> Vec<(String, String)> {
            all.iter().map(|(k, v)| (key(k), text(v))).collect()
        };
        let meta = pairs(scan(META).await?);
        let customers = scan(CUSTOMERS)
            .await?
            .iter()
            .map(|(_, v)| text(v))
            .collect();
        let chunks = scan(CHUNKS).await?;
        let tail = scan(TAIL).await?;
        let field_defs = pairs(scan(schema::FIELD_DEFS).await?);
        let models = pairs(scan(schema::MODELS).await?);
        let requests = pairs(scan(schema::REQUESTS).await?);
        let alerts = pairs(scan(schema::ALERTS).await?);
        let tasks = pairs(scan(schema::TASKS).await?);
        let audit = scan(schema::AUDIT)
            .await?
            .iter()
            .map(|(_, v)| text(v))
            .collect();
        let attachments = scan(schema::ATTACHMENTS)
            .await?
            .iter()
            .map(|(k, v)| (key(k), bytes(v)))
            .collect();
        let outbox = scan(OUTBOX).await?.iter().map(|(_, v)| text(v)).collect();
        drop(tx);
        let raw = RawLedger {
            chunks: chunks.iter().map(|(k, v)| (key(k), bytes(v))).collect(),
            tail: tail
                .iter()
                .map(|(k, v)| (k.as_f64().unwrap_or(-1.0) as u64, bytes(v)))
                .collect(),
        };
        Ok(Dump {
            chunks: None,
            meta,
            customers,
            rows: raw.decode()?,
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
        let keyed = |k: &str, v: &str| (JsValue::from_str(v), Some(JsValue::from_str(k)));
        let customers: Vec<(JsValue, Option<JsValue>)> = dump
            .customers
            .iter()
            .map(|c| Ok(keyed(&record_id(c)?, c)))
            .collect::<Result<_, StoreError>>()?;
        let encoded;
        let raw: &[(String, Vec<u8>)] = match &dump.chunks {
            Some(c) => c,
            None => {
                encoded = chunks_of(&dump.rows)?;
                &encoded
            }
        };
        let chunks: Vec<(JsValue, Option<JsValue>)> = raw
            .iter()
            .map(|(k, v)| (js_bytes(v), Some(JsValue::from_str(k))))
            .collect();
        let audit: Vec<(JsValue, Option<JsValue>)> = dump
            .audit
            .iter()
            .map(|a| {
                Ok((
                    JsValue::from_str(a),
                    Some(JsValue::from_f64(audit_seq(a)? as f64)),
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        let docs = |list: &[(String, String)]| -> Vec<(JsValue, Option<JsValue>)> {
            list.iter().map(|(k, v)| keyed(k, v)).collect()
        };
        let meta: Vec<_> = dump
            .meta
            .iter()
            .filter(|(k, _)| k != DEVICE_KEY)
            .map(|(k, v)| keyed(k, v))
            .collect();
        let written: Vec<(&str, Vec<KeyedValue>)> = vec![
            (CUSTOMERS, customers),
            (CHUNKS, chunks),
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
                    .map(|(k, v)| (js_bytes(v), Some(JsValue::from_str(k))))
                    .collect(),
            ),
        ];
        let outbox: Vec<(JsValue, Option<JsValue>)> = dump
            .outbox
            .iter()
            .map(|o| (JsValue::from_str(o), None))
            .collect();
        let stores: Vec<&str> = stores_at(schema::VERSION).map(|s| s.name).collect();
        let clear = stores.clone();
        self.write(&stores, async move |tx| {
            // This device keeps its own id.
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
            for (s, rows) in written {
                if !rows.is_empty() {
                    tx.store(s)?.put_all(rows.into_iter()).await?;
                }
            }
            if !outbox.is_empty() {
                tx.store(OUTBOX)?.add_all(outbox.into_iter()).await?;
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
        // Encoded first; the keys are given inside the transaction, after the chunks it sees.
        let encoded = append_chunks(&[], rows)?;
        let customers = customer_rows(customers);
        let outbox = outbox_rows(outbox);
        let audit: Vec<KeyedValue> = audit
            .iter()
            .map(|e| {
                (
                    JsValue::from_str(&audit_to_json(e)),
                    Some(JsValue::from_f64(e.seq as f64)),
                )
            })
            .collect();
        self.write(
            &[CUSTOMERS, CHUNKS, OUTBOX, schema::AUDIT],
            async move |tx| {
                if !audit.is_empty() {
                    // Added, not put: a sequence number taken by another writer fails the import.
                    tx.store(schema::AUDIT)?.add_all(audit.into_iter()).await?;
                }
                let chunks = tx.store(CHUNKS)?;
                let keys: Vec<String> = chunks
                    .get_all_keys(None, None)
                    .await?
                    .iter()
                    .map(|k| k.as_string().unwrap_or_default())
                    .collect();
                let rekeyed = rekey(&keys, encoded);
                chunks
                    .put_all(
                        rekeyed
                            .into_iter()
                            .map(|(k, v)| (js_bytes(&v), Some(JsValue::from_str(&k)))),
                    )
                    .await?;
                if !customers.is_empty() {
                    tx.store(CUSTOMERS)?.put_all(customers.into_iter()).await?;
                }
                if !outbox.is_empty() {
                    tx.store(OUTBOX)?.add_all(outbox.into_iter()).await?;
                }
                Ok(())
            },
        )
        .await
    }

    async fn docs(&self, which: Docs) -> Result<Vec<(String, String)>, StoreError> {
        let name = which.store_name();
        let tx = self
            .db
            .transaction(&[name], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let all = tx
            .store(name)
            .map_err(backend)?
            .scan(None, None, None, None)
            .await
            .map_err(backend)?;
        Ok(all
            .iter()
            .map(|(k, v)| {
                (
                    k.as_string().unwrap_or_default(),
                    v.as_string().unwrap_or_default(),
                )
            })
            .collect())
    }

    async fn put_docs(
        &self,
        which: Docs,
        docs: &[(&str, &str)],
        outbox: &[OutboxEntry],
    ) -> Result<(), StoreError> {
        let name = which.store_name();
        let docs: Vec<(JsValue, Option<JsValue>)> = docs
            .iter()
            .map(|(k, v)| (JsValue::from_str(v), Some(JsValue::from_str(k))))
            .collect();
        let records = outbox_rows(outbox);
        self.write(&[name, OUTBOX], async move |tx| {
            tx.store(name)?.put_all(docs.into_iter()).await?;
            if !records.is_empty() {
                tx.store(OUTBOX)?.add_all(records.into_iter()).await?;
            }
            Ok(())
        })
        .await
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let tx = self
            .db
            .transaction(&[META], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let v = tx
            .store(META)
            .map_err(backend)?
            .get(JsValue::from_str(key))
            .await
            .map_err(backend)?;
        Ok(v.and_then(|v| v.as_string()))
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let (k, v) = (JsValue::from_str(key), JsValue::from_str(value));
        self.write(&[META], async move |tx| {
            tx.store(META)?.put(&v, Some(&k)).await?;
            Ok(())
        })
        .await
    }

    async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let tx = self
            .db
            .transaction(&[OUTBOX], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let all = tx
            .store(OUTBOX)
            .map_err(backend)?
            .get_all(None, None)
            .await
            .map_err(backend)?;
        all.iter()
            .map(|v| {
                serde_json::from_str(&v.as_string().unwrap_or_default()).map_err(|e| {
                    StoreError::Corrupt {
                        what: "outbox".into(),
                        error: e.to_string(),
                    }
                })
            })
            .collect()
    }

    async fn acknowledge(&self, answered: &[String]) -> Result<(), StoreError> {
        let answered = answered.to_vec();
        self.write(&[OUTBOX], async move |tx| {
            let s = tx.store(OUTBOX)?;
            for (k, v) in s.scan(None, None, None, None).await? {
                let keep = serde_json::from_str::<OutboxEntry>(&v.as_string().unwrap_or_default())
                    .is_ok_and(|o| crate::still_pending(&o, &answered));
                if !keep {
                    s.delete(k).await?;
                }
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
}
