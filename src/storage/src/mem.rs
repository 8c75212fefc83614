//! The in-memory twin of the IndexedDB store: the same layout and the same encodings, held in
//! maps, for native tests. `fail_next_commit` simulates a tab killed in the middle of a write.

use crate::codec::encode_entry;
use crate::{
    chunks_of, customer_from_json, customer_to_json, outbox_for, plan_compaction, Batch, Docs,
    OutboxEntry, RawLedger, Rows, Stats, Store, StoreError,
};
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
        self.crash_point()?;
        let mut d = self.data.borrow_mut();
        d.customers.extend(customers);
        d.requests.extend(requests);
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
        // Requests refer to the customers being replaced; scorecard models are configuration and stay.
        d.requests.clear();
        Ok(())
    }

    async fn docs(&self, which: Docs) -> Result<Vec<(String, String)>, StoreError> {
        let d = self.data.borrow();
        let map = match which {
            Docs::Models => &d.models,
            Docs::Requests => &d.requests,
        };
        Ok(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
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
            match which {
                Docs::Models => d.models.insert((*key).into(), (*json).into()),
                Docs::Requests => d.requests.insert((*key).into(), (*json).into()),
            };
        }
        d.outbox.extend(records);
        Ok(())
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
