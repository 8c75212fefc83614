//! The in-memory twin of the IndexedDB store: the same layout and the same encodings, held in
//! maps, for native tests. `fail_next_commit` simulates a tab killed in the middle of a write.

use crate::backup::{Dump, DEVICE_KEY};
use crate::codec::encode_entry;
use crate::{
    append_chunks, audit_from_json, audit_seq, audit_to_json, chunks_of, customer_from_json,
    customer_to_json, outbox_for, plan_compaction, record_id, Batch, Docs, OutboxEntry, RawLedger,
    Rows, Stats, Store, StoreError,
};
use creditdesk_domain::approval::AuditEntry;
use creditdesk_domain::Customer;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

#[derive(Default, Clone, Debug)]
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
    /// When set, the next commit or compaction fails before anything is applied.
    pub fail_next_commit: Cell<bool>,
}

impl MemStore {
    pub fn new() -> MemStore {
        MemStore::default()
    }
    fn crash_point(&self) -> Result<(), StoreError> {
        if self.fail_next_commit.replace(false) {
            Err(StoreError::Backend(
                "simulated crash before the transaction committed".into(),
            ))
        } else {
            Ok(())
        }
    }
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
        self.crash_point()?;
        let mut d = self.data.borrow_mut();
        // Audit entries are added, never overwritten: the whole write fails, as in IndexedDB.
        if let Some((seq, _)) = audit.iter().find(|(k, _)| d.audit.contains_key(k)) {
            return Err(StoreError::Backend(format!("audit entry {seq} exists")));
        }
        d.audit.extend(audit);
        d.customers.extend(customers);
        d.requests.extend(requests);
        for (which, key, json) in &batch.docs {
            d.docs_mut(*which).insert(key.clone(), json.clone());
        }
        for (k, v) in &batch.settings {
            d.meta.insert(k.clone(), v.clone());
        }
        for (k, v) in &batch.attachments {
            d.attachments.insert(k.clone(), v.clone());
        }
        for e in entries {
            let k = d.next_tail;
            d.tail.insert(k, e);
            d.next_tail += 1;
        }
        d.outbox.extend(outbox);
        Ok(())
    }

    async fn compact(&self) -> Result<usize, StoreError> {
        let plan = {
            let d = self.data.borrow();
            let keys: Vec<String> = d.chunks.keys().cloned().collect();
            let tail: Vec<(u64, Vec<u8>)> = d.tail.iter().map(|(k, v)| (*k, v.clone())).collect();
            plan_compaction(&keys, |k| d.chunks.get(k).cloned(), &tail)?
        };
        self.crash_point()?;
        let mut d = self.data.borrow_mut();
        for (k, v) in plan.puts {
            d.chunks.insert(k, v);
        }
        for k in &plan.delete_tail {
            d.tail.remove(k);
        }
        Ok(plan.delete_tail.len())
    }

    async fn replace_all(&self, customers: &[Customer], rows: &Rows) -> Result<(), StoreError> {
        let chunks = chunks_of(rows)?;
        self.crash_point()?;
        let mut d = self.data.borrow_mut();
        d.customers = customers
            .iter()
            .map(|c| (c.id.to_string(), customer_to_json(c)))
            .collect();
        d.chunks = chunks.into_iter().collect();
        d.tail.clear();
        d.outbox.clear();
        // Requests, the audit trail and attachments go with the data; configuration stays.
        d.requests.clear();
        d.audit.clear();
        d.attachments.clear();
        d.alerts.clear();
        d.tasks.clear();
        Ok(())
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
        self.crash_point()?;
        let mut d = self.data.borrow_mut();
        let device = d.meta.get(DEVICE_KEY).cloned();
        d.meta = dump
            .meta
            .iter()
            .filter(|(k, _)| k != DEVICE_KEY)
            .cloned()
            .collect();
        if let Some(device) = device {
            d.meta.insert(DEVICE_KEY.into(), device);
        }
        d.customers = customers;
        d.chunks = chunks.into_iter().collect();
        d.tail.clear();
        d.models = dump.models.iter().cloned().collect();
        d.requests = dump.requests.iter().cloned().collect();
        d.alerts = dump.alerts.iter().cloned().collect();
        d.tasks = dump.tasks.iter().cloned().collect();
        d.audit = audit;
        d.attachments = dump.attachments.iter().cloned().collect();
        d.outbox = dump.outbox.clone();
        Ok(())
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
        self.crash_point()?;
        let mut d = self.data.borrow_mut();
        if let Some(e) = audit.iter().find(|e| d.audit.contains_key(&e.seq)) {
            return Err(StoreError::Backend(format!("audit entry {} exists", e.seq)));
        }
        d.audit
            .extend(audit.iter().map(|e| (e.seq, audit_to_json(e))));
        d.customers.extend(
            customers
                .iter()
                .map(|c| (c.id.to_string(), customer_to_json(c))),
        );
        d.chunks.extend(chunks);
        d.outbox.extend(outbox);
        Ok(())
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
        self.crash_point()?;
        let mut d = self.data.borrow_mut();
        for (key, json) in docs {
            d.docs_mut(which).insert((*key).into(), (*json).into());
        }
        d.outbox.extend(records);
        Ok(())
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
        self.data.borrow_mut().meta.insert(key.into(), value.into());
        Ok(())
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
        self.crash_point()?;
        self.data.borrow_mut().outbox = kept;
        Ok(())
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
}
