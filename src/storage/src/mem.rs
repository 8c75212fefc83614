//! The in-memory twin of the IndexedDB store: the same layout and the same encodings, held in
//! maps, for native tests.
//!
//! Every write operation is one transaction of single-record writes, applied one at a time as
//! IndexedDB applies a transaction's requests, and undone together if the transaction dies.
//! Two failures are simulated:
//! - [`MemStore::crash_after`]: the tab dies after that many more single-record writes, in the
//!   middle of whichever operation makes them; the store stays dead (every later write fails)
//!   until [`MemStore::revive`], like a tab that is gone. A test arms it at every point of a
//!   command (from 0 to [`MemStore::writes`] of a clean run) and checks that nothing is visible.
//! - `fail_next_commit`: the browser aborts the next transaction before its first write (quota,
//!   a version change); the store lives on and a retry may land.

use crate::backup::{Dump, DEVICE_KEY};
use crate::codec::encode_entry;
use crate::{
    append_chunks, audit_from_json, audit_seq, audit_to_json, chunks_of, customer_from_json,
    customer_to_json, outbox_for, plan_compaction, record_id, Batch, Docs, OutboxEntry, RawLedger,
    Rows, Stats, Store, StoreError,
};
use creditdesk_domain::approval::AuditEntry;
use creditdesk_domain::Customer;
use std::cell::{Cell, RefCell, RefMut};
use std::collections::BTreeMap;

#[derive(Default, Clone, Debug, PartialEq, Eq)]
pub struct MemData {
    pub customers: BTreeMap<String, String>,
    pub chunks: BTreeMap<String, Vec<u8>>,
    pub tail: BTreeMap<u64, Vec<u8>>,
    pub next_tail: u64,
    pub outbox: Vec<String>,
    pub meta: BTreeMap<String, String>,
    pub models: BTreeMap<String, String>,
    pub requests: BTreeMap<String, String>,
    pub audit: BTreeMap<u64, String>,
    pub alerts: BTreeMap<String, String>,
    pub tasks: BTreeMap<String, String>,
    pub attachments: BTreeMap<String, Vec<u8>>,
}

impl MemData {
    fn docs_mut(&mut self, which: Docs) -> &mut BTreeMap<String, String> {
        match which {
            Docs::Models => &mut self.models,
            Docs::Requests => &mut self.requests,
            Docs::Alerts => &mut self.alerts,
            Docs::Tasks => &mut self.tasks,
        }
    }
}

#[derive(Default)]
pub struct MemStore {
    pub data: RefCell<MemData>,
    /// When set, the next write operation fails before its first write; the store lives on.
    pub fail_next_commit: Cell<bool>,
    /// Single-record writes left before the simulated crash (see the module's docs).
    crash_after: Cell<Option<usize>>,
    dead: Cell<bool>,
    writes: Cell<usize>,
    /// The data's revision as this store last wrote or read it (see [`Store::derived`]).
    rev: RefCell<Option<String>>,
}

impl MemStore {
    pub fn new() -> MemStore {
        MemStore::default()
    }

    /// The tab dies after `writes` more single-record writes (0: at the next one).
    pub fn crash_after(&self, writes: usize) {
        self.crash_after.set(Some(writes));
    }

    /// The tab is opened again after a crash: writes work again.
    pub fn revive(&self) {
        self.dead.set(false);
        self.crash_after.set(None);
    }

    /// Single-record writes applied since the store was made (a test sizes its crash loop by
    /// the writes of a clean run).
    pub fn writes(&self) -> usize {
        self.writes.get()
    }

    /// Starts a write operation.
    fn begin(&self) -> Result<Tx<'_>, StoreError> {
        if self.dead.get() {
            return Err(StoreError::Backend(
                "simulated crash: the tab is gone".into(),
            ));
        }
        if self.fail_next_commit.replace(false) {
            return Err(StoreError::Backend(
                "simulated abort before the transaction wrote anything".into(),
            ));
        }
        let d = self.data.borrow_mut();
        // What to go back to if the transaction dies; kept only while a crash is armed.
        let saved = self.crash_after.get().map(|_| d.clone());
        Ok(Tx {
            store: self,
            d,
            saved,
        })
    }
}

/// One write operation: single-record writes applied in order, all undone if it dies.
struct Tx<'a> {
    store: &'a MemStore,
    d: RefMut<'a, MemData>,
    saved: Option<MemData>,
}

impl Tx<'_> {
    /// Applies one single-record write, or dies here if the crash is due.
    fn write(&mut self, f: impl FnOnce(&mut MemData)) -> Result<(), StoreError> {
        if let Some(left) = self.store.crash_after.get() {
            if left == 0 {
                self.store.crash_after.set(None);
                self.store.dead.set(true);
                if let Some(saved) = self.saved.take() {
                    *self.d = saved;
                }
                return Err(StoreError::Backend(
                    "simulated crash in the middle of the transaction".into(),
                ));
            }
            self.store.crash_after.set(Some(left - 1));
        }
        self.store.writes.set(self.store.writes.get() + 1);
        f(&mut self.d);
        Ok(())
    }

    fn data(&self) -> &MemData {
        &self.d
    }

    /// The last write of a write of data: a new revision, the store's once it is written.
    fn new_rev(&mut self) -> Result<(), StoreError> {
        let next = self
            .d
            .meta
            .get(crate::DATA_REV)
            .and_then(|r| r.parse::<u64>().ok())
            .map_or(1, |n| n + 1)
            .to_string();
        self.write(|d| drop(d.meta.insert(crate::DATA_REV.into(), next.clone())))?;
        *self.store.rev.borrow_mut() = Some(next);
        Ok(())
    }
}

/// Runs `op` on a store from `setup` once cleanly to count its single-record writes, then again
/// on fresh stores with the tab dying after 0, 1, ... of them: each time the operation fails,
/// nothing of it is visible, the dead tab writes nothing more, and once the tab is opened again
/// the operation lands whole. Returns how many writes the operation makes. For tests: it panics
/// with the crash point that left something behind.
pub fn crash_after_every_write(
    setup: impl Fn() -> MemStore,
    op: impl Fn(&MemStore) -> Result<(), StoreError>,
) -> usize {
    let clean = setup();
    let start = clean.writes();
    op(&clean).expect("the operation lands when nothing dies");
    let writes = clean.writes() - start;
    let landed = clean.data.borrow().clone();
    for k in 0..writes {
        let s = setup();
        let before = s.data.borrow().clone();
        s.crash_after(k);
        assert!(
            matches!(op(&s), Err(StoreError::Backend(_))),
            "dying after {k} of {writes} writes is an error"
        );
        assert!(
            *s.data.borrow() == before,
            "dying after {k} of {writes} writes left some of them behind"
        );
        assert!(op(&s).is_err(), "a dead tab writes nothing");
        assert!(*s.data.borrow() == before);
        s.revive();
        op(&s).expect("the operation lands once the tab is opened again");
        assert!(
            *s.data.borrow() == landed,
            "after a crash at {k}, the retry lands as a clean run does"
        );
    }
    writes
}

impl Store for MemStore {
    async fn load_customers(&self) -> Result<Vec<Customer>, StoreError> {
        self.data
            .borrow()
            .customers
            .values()
            .map(|s| customer_from_json(s))
            .collect()
    }

    async fn load_ledger(&self) -> Result<RawLedger, StoreError> {
        let d = self.data.borrow();
        Ok(RawLedger {
            chunks: d
                .chunks
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            tail: d.tail.iter().map(|(k, v)| (*k, v.clone())).collect(),
            ..RawLedger::default()
        })
    }

    async fn commit(&self, batch: &Batch) -> Result<(), StoreError> {
        // Compute everything first, then apply in one step, as the IndexedDB transaction does.
        let customers: Vec<(String, String)> = batch
            .customers
            .iter()
            .map(|c| (c.id.to_string(), customer_to_json(c)))
            .collect();
        let entries: Vec<Vec<u8>> = batch
            .entries
            .iter()
            .map(encode_entry)
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::corrupt("entry", e))?;
        let outbox: Vec<String> = outbox_for(batch)
            .iter()
            .map(|o| serde_json::to_string(o).expect("json"))
            .collect();
        let requests: Vec<(String, String)> = batch
            .requests
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect();
        let audit: Vec<(u64, String)> = batch
            .audit
            .iter()
            .map(|e| (e.seq, audit_to_json(e)))
            .collect();
        let mut tx = self.begin()?;
        // Audit entries are added, never overwritten: the whole write fails, as in IndexedDB.
        if let Some((seq, _)) = audit.iter().find(|(k, _)| tx.data().audit.contains_key(k)) {
            return Err(StoreError::Backend(format!("audit entry {seq} exists")));
        }
        for (k, v) in audit {
            tx.write(|d| drop(d.audit.insert(k, v)))?;
        }
        for (k, v) in customers {
            tx.write(|d| drop(d.customers.insert(k, v)))?;
        }
        for (k, v) in requests {
            tx.write(|d| drop(d.requests.insert(k, v)))?;
        }
        for (which, key, json) in &batch.docs {
            tx.write(|d| {
                let docs = d.docs_mut(*which);
                drop(if json.is_empty() {
                    docs.remove(key)
                } else {
                    docs.insert(key.clone(), json.clone())
                })
            })?;
        }
        for (k, v) in &batch.settings {
            tx.write(|d| drop(d.meta.insert(k.clone(), v.clone())))?;
        }
        for (k, v) in &batch.attachments {
            tx.write(|d| drop(d.attachments.insert(k.clone(), v.clone())))?;
        }
        for e in entries {
            tx.write(|d| {
                let k = d.next_tail;
                d.tail.insert(k, e);
                d.next_tail += 1;
            })?;
        }
        for o in outbox {
            tx.write(|d| d.outbox.push(o))?;
        }
        if batch.changes_data() {
            tx.new_rev()?;
        }
        Ok(())
    }

    async fn compact(&self) -> Result<usize, StoreError> {
        let plan = {
            let d = self.data.borrow();
            let keys: Vec<String> = d.chunks.keys().cloned().collect();
            let tail: Vec<(u64, Vec<u8>)> = d.tail.iter().map(|(k, v)| (*k, v.clone())).collect();
            plan_compaction(&keys, |k| d.chunks.get(k).cloned(), &tail)?
        };
        let mut tx = self.begin()?;
        for (k, v) in plan.puts {
            tx.write(|d| drop(d.chunks.insert(k, v)))?;
        }
        for k in &plan.delete_tail {
            tx.write(|d| drop(d.tail.remove(k)))?;
        }
        Ok(plan.delete_tail.len())
    }

    async fn replace_all(&self, customers: &[Customer], rows: &Rows) -> Result<(), StoreError> {
        let chunks = chunks_of(rows)?;
        let mut tx = self.begin()?;
        // Requests, the audit trail and attachments go with the data; configuration stays.
        tx.write(|d| {
            d.customers.clear();
            d.chunks.clear();
            d.tail.clear();
            d.outbox.clear();
            d.requests.clear();
            d.audit.clear();
            d.attachments.clear();
            d.alerts.clear();
            d.tasks.clear();
        })?;
        for c in customers {
            tx.write(|d| drop(d.customers.insert(c.id.to_string(), customer_to_json(c))))?;
        }
        for (k, v) in chunks {
            tx.write(|d| drop(d.chunks.insert(k, v)))?;
        }
        tx.new_rev()
    }

    async fn dump(&self) -> Result<Dump, StoreError> {
        let raw = self.load_ledger().await?;
        let d = self.data.borrow();
        let pairs = |m: &BTreeMap<String, String>| -> Vec<(String, String)> {
            m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        Ok(Dump {
            chunks: None,
            meta: pairs(&d.meta),
            customers: d.customers.values().cloned().collect(),
            rows: raw.decode()?,
            field_defs: Vec::new(),
            models: pairs(&d.models),
            requests: pairs(&d.requests),
            alerts: pairs(&d.alerts),
            tasks: pairs(&d.tasks),
            audit: d.audit.values().cloned().collect(),
            attachments: d
                .attachments
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            outbox: d.outbox.clone(),
        })
    }

    async fn restore(&self, dump: &Dump) -> Result<(), StoreError> {
        let chunks = match &dump.chunks {
            Some(c) => c.clone(),
            None => chunks_of(&dump.rows)?,
        };
        let customers = dump
            .customers
            .iter()
            .map(|c| Ok((record_id(c)?, c.clone())))
            .collect::<Result<BTreeMap<_, _>, StoreError>>()?;
        let audit = dump
            .audit
            .iter()
            .map(|a| Ok((audit_seq(a)?, a.clone())))
            .collect::<Result<BTreeMap<_, _>, StoreError>>()?;
        let mut tx = self.begin()?;
        // The device keeps its own identity; everything else is the file's.
        let device = tx.data().meta.get(DEVICE_KEY).cloned();
        tx.write(|d| {
            d.meta.retain(|k, _| k == DEVICE_KEY);
            d.customers.clear();
            d.chunks.clear();
            d.tail.clear();
            d.models.clear();
            d.requests.clear();
            d.alerts.clear();
            d.tasks.clear();
            d.audit.clear();
            d.attachments.clear();
            d.outbox.clear();
        })?;
        for (k, v) in dump.meta.iter().filter(|(k, _)| crate::meta_travels(k)) {
            tx.write(|d| drop(d.meta.insert(k.clone(), v.clone())))?;
        }
        if let Some(device) = device {
            tx.write(|d| drop(d.meta.insert(DEVICE_KEY.into(), device)))?;
        }
        for (k, v) in customers {
            tx.write(|d| drop(d.customers.insert(k, v)))?;
        }
        for (k, v) in chunks {
            tx.write(|d| drop(d.chunks.insert(k, v)))?;
        }
        for (k, v) in &dump.models {
            tx.write(|d| drop(d.models.insert(k.clone(), v.clone())))?;
        }
        for (k, v) in &dump.requests {
            tx.write(|d| drop(d.requests.insert(k.clone(), v.clone())))?;
        }
        for (k, v) in &dump.alerts {
            tx.write(|d| drop(d.alerts.insert(k.clone(), v.clone())))?;
        }
        for (k, v) in &dump.tasks {
            tx.write(|d| drop(d.tasks.insert(k.clone(), v.clone())))?;
        }
        for (k, v) in audit {
            tx.write(|d| drop(d.audit.insert(k, v)))?;
        }
        for (k, v) in &dump.attachments {
            tx.write(|d| drop(d.attachments.insert(k.clone(), v.clone())))?;
        }
        for o in &dump.outbox {
            tx.write(|d| d.outbox.push(o.clone()))?;
        }
        tx.new_rev()
    }

    async fn import(
        &self,
        customers: &[Customer],
        rows: &Rows,
        outbox: &[OutboxEntry],
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let keys: Vec<String> = self.data.borrow().chunks.keys().cloned().collect();
        let chunks = append_chunks(&keys, rows)?;
        let outbox: Vec<String> = outbox
            .iter()
            .map(|o| serde_json::to_string(o).expect("json"))
            .collect();
        let mut tx = self.begin()?;
        if let Some(e) = audit.iter().find(|e| tx.data().audit.contains_key(&e.seq)) {
            return Err(StoreError::Backend(format!("audit entry {} exists", e.seq)));
        }
        for e in audit {
            tx.write(|d| drop(d.audit.insert(e.seq, audit_to_json(e))))?;
        }
        for c in customers {
            tx.write(|d| drop(d.customers.insert(c.id.to_string(), customer_to_json(c))))?;
        }
        for (k, v) in chunks {
            tx.write(|d| drop(d.chunks.insert(k, v)))?;
        }
        for o in outbox {
            tx.write(|d| d.outbox.push(o))?;
        }
        tx.new_rev()
    }

    async fn docs(&self, which: Docs) -> Result<Vec<(String, String)>, StoreError> {
        let mut d = self.data.borrow_mut();
        Ok(d.docs_mut(which)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    async fn put_docs(
        &self,
        which: Docs,
        docs: &[(&str, &str)],
        outbox: &[OutboxEntry],
    ) -> Result<(), StoreError> {
        let records: Vec<String> = outbox
            .iter()
            .map(|o| serde_json::to_string(o).expect("json"))
            .collect();
        let mut tx = self.begin()?;
        for (key, json) in docs {
            tx.write(|d| drop(d.docs_mut(which).insert((*key).into(), (*json).into())))?;
        }
        for r in records {
            tx.write(|d| d.outbox.push(r))?;
        }
        tx.new_rev()
    }

    async fn load_audit(&self) -> Result<Vec<AuditEntry>, StoreError> {
        self.data
            .borrow()
            .audit
            .values()
            .map(|s| audit_from_json(s))
            .collect()
    }

    async fn last_audit(&self) -> Result<Option<AuditEntry>, StoreError> {
        self.data
            .borrow()
            .audit
            .values()
            .next_back()
            .map(|s| audit_from_json(s))
            .transpose()
    }

    async fn attachment(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.data.borrow().attachments.get(id).cloned())
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.data.borrow().meta.get(key).cloned())
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.begin()?
            .write(|d| drop(d.meta.insert(key.into(), value.into())))
    }

    async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        self.data
            .borrow()
            .outbox
            .iter()
            .map(|s| serde_json::from_str(s).map_err(|e| StoreError::corrupt("outbox", e)))
            .collect()
    }

    async fn acknowledge(&self, answered: &[String]) -> Result<(), StoreError> {
        let kept: Vec<String> = self
            .outbox()
            .await?
            .iter()
            .filter(|o| crate::still_pending(o, answered))
            .map(|o| serde_json::to_string(o).expect("json"))
            .collect();
        self.begin()?.write(|d| d.outbox = kept)
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        let d = self.data.borrow();
        Ok(Stats {
            customers: d.customers.len(),
            chunks: d.chunks.len(),
            tail: d.tail.len(),
            outbox: d.outbox.len(),
        })
    }

    async fn derived(&self) -> Result<Option<Vec<u8>>, StoreError> {
        let d = self.data.borrow();
        let rev = d.meta.get(crate::DATA_REV).cloned();
        let kept = d
            .meta
            .get(crate::DERIVED)
            .and_then(|r| crate::derived_bytes(rev.as_deref(), r));
        *self.rev.borrow_mut() = rev;
        Ok(kept)
    }

    async fn put_derived(&self, bytes: &[u8]) -> Result<(), StoreError> {
        let mut tx = self.begin()?;
        if self.rev.borrow().is_none() {
            // Data never written through a revision (an older database): one starts here.
            tx.new_rev()?;
        }
        let record = crate::derived_record(self.rev.borrow().as_deref().unwrap_or_default(), bytes);
        tx.write(|d| drop(d.meta.insert(crate::DERIVED.into(), record)))
    }
}
