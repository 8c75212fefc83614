//! What a device and the server say to each other (Replicache's push and pull): the device pushes
//! its pending commands, each numbered per client; the server runs each as the signed-in user and
//! answers applied or refused, with a code and a reason; the device pulls what changed since its
//! cursor, only what its user may see. The types are shared so that both ends agree; no I/O here.
//!
//! A pull's ledger travels as the same binary chunks the browser stores (base64 in the JSON),
//! a tenth of the size of the rows as JSON.

use crate::book::Book;
use crate::command::Command;
use base64::Engine as _;
use creditdesk_domain::approval::{AuditEntry, Permission, Routes, User};
use creditdesk_domain::credit::Policy;
use creditdesk_domain::monitor::{Alert, RuleSet, Task};
use creditdesk_domain::rating::Scorecard;
use creditdesk_domain::request::Request;
use creditdesk_domain::{Customer, CustomerId, Date};
use creditdesk_storage::{chunks_of, Rows, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Commands a device sends, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Push {
    /// The device's client id (a UUID it made once).
    pub client: String,
    pub mutations: Vec<Mutation>,
}

/// One pending command: its number on the client (1, 2, 3, ...) and the command. Whoever the
/// device claims to be, the server runs it as the session's user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    pub n: u64,
    pub command: Command,
    /// Attachment bytes by id, base64, for a request filed with files.
    #[serde(default)]
    pub files: Vec<(String, String)>,
}

impl Mutation {
    /// The command's id on the server: unique per client and number, so a second push of the
    /// same mutation finds the first.
    pub fn key(&self, client: &str) -> String {
        format!("{client}:{}", self.n)
    }
}

/// What became of one mutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Applied,
    /// Pushed before and applied then: applied once, not again.
    AlreadyApplied,
    /// Not accepted: the device shows it in "not accepted" with the reason.
    Refused,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutationResult {
    pub n: u64,
    pub status: Status,
    /// The refusal's stable code (`CMD-…` from the application crate, `SRV-…` from the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushReply {
    pub results: Vec<MutationResult>,
    /// The server's cursor after the push: pull from the device's cursor to catch up.
    pub cursor: u64,
}

/// The answer to a pull.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PullReply {
    /// Nothing changed since the device's cursor.
    Unchanged { cursor: u64 },
    /// Everything the user may see, as of `cursor`.
    Snapshot(Box<Snapshot>),
}

/// Everything a user may see: a sales rep, their own customers with their ledger, requests,
/// alerts and tasks; the configuration for everyone; the audit trail for those who may read it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    pub cursor: u64,
    pub as_of: Date,
    pub me: User,
    pub users: Vec<User>,
    pub policy: Policy,
    pub routes: Routes,
    pub rules: RuleSet,
    pub models: Vec<Scorecard>,
    pub customers: Vec<Customer>,
    /// The ledger rows of those customers, as storage chunks `(key, base64)`.
    pub ledger: Vec<(String, String)>,
    pub requests: Vec<Request>,
    pub alerts: Vec<Alert>,
    pub tasks: Vec<Task>,
    pub audit: Vec<AuditEntry>,
}

impl Snapshot {
    /// The ledger rows, decoded.
    pub fn rows(&self) -> Result<Rows, StoreError> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut raw = creditdesk_storage::RawLedger::default();
        for (key, text) in &self.ledger {
            let bytes = b64
                .decode(text)
                .map_err(|e| StoreError::corrupt(format!("chunk {key}"), e))?;
            raw.chunks.push((key.clone(), bytes));
        }
        raw.decode()
    }
}

impl Book {
    /// What `user` may see, as of the server's `cursor`.
    pub fn snapshot_for(&self, user: &User, cursor: u64) -> Result<Snapshot, StoreError> {
        let seen: HashSet<CustomerId> = self
            .customers
            .iter()
            .filter(|c| user.sees(&c.sales_rep))
            .map(|c| c.id)
            .collect();
        let all = self.ledger_rows();
        let rows = Rows {
            orders: all
                .orders
                .into_iter()
                .filter(|o| seen.contains(&o.customer))
                .collect(),
            invoices: all
                .invoices
                .into_iter()
                .filter(|i| seen.contains(&i.customer))
                .collect(),
            payments: all
                .payments
                .into_iter()
                .filter(|p| seen.contains(&p.customer))
                .collect(),
            credit_notes: all
                .credit_notes
                .into_iter()
                .filter(|c| seen.contains(&c.customer))
                .collect(),
        };
        let b64 = base64::engine::general_purpose::STANDARD;
        Ok(Snapshot {
            cursor,
            as_of: self.as_of,
            me: user.clone(),
            users: self.users.clone(),
            policy: self.policy.clone(),
            routes: self.routes.clone(),
            rules: self.rules.clone(),
            models: self.versions.clone(),
            customers: self
                .customers
                .iter()
                .filter(|c| seen.contains(&c.id))
                .cloned()
                .collect(),
            ledger: chunks_of(&rows)?
                .into_iter()
                .map(|(k, v)| (k, b64.encode(v)))
                .collect(),
            requests: self
                .requests
                .iter()
                .filter(|r| seen.contains(&r.customer))
                .cloned()
                .collect(),
            alerts: self
                .monitor
                .alerts
                .iter()
                .filter(|a| seen.contains(&a.customer))
                .cloned()
                .collect(),
            tasks: self
                .monitor
                .tasks
                .iter()
                .filter(|t| seen.contains(&t.customer))
                .cloned()
                .collect(),
            audit: if user.may(Permission::ViewAudit) {
                self.audit.clone()
            } else {
                Vec::new()
            },
        })
    }

    /// Every ledger row, as the storage writes them.
    pub fn ledger_rows(&self) -> Rows {
        Rows {
            orders: self.ledger.orders().to_vec(),
            invoices: self.ledger.invoices().to_vec(),
            payments: self.ledger.payments().to_vec(),
            credit_notes: self.ledger.credit_notes().to_vec(),
        }
    }
}
