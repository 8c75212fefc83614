//! What a device and the server say to each other (Replicache's push and pull): the device pushes
//! its pending commands, each numbered per client; the server runs each as the signed-in user and
//! answers applied or refused, with a code and a reason; the device pulls what changed since its
//! cursor, only what its user may see. The types are shared so that both ends agree; no I/O here.
//!
//! A pull's ledger travels as the same binary chunks the browser stores, a tenth of the size of
//! the rows as JSON: the snapshot names them ([`ChunkRef`]: key, SHA-256, size) and the device
//! fetches, as plain bytes, only those it does not hold already ([`to_fetch`]), so a pull after a
//! change moves the chunks that changed, not the whole ledger.

use crate::book::Book;
use crate::command::Command;
use crate::command::Envelope;
use crate::Ctx;
use base64::Engine as _;
use creditdesk_domain::approval::{AuditEntry, Permission, Routes, User};
use creditdesk_domain::credit::{Policy, Reservation};
use creditdesk_domain::fields::FieldSet;
use creditdesk_domain::monitor::{Alert, Hold, RuleSet, Task};
use creditdesk_domain::rating::Scorecard;
use creditdesk_domain::request::Request;
use creditdesk_domain::sort;
use creditdesk_domain::{Customer, CustomerId, Date};
use creditdesk_domain::{DeviceId, OrderId, OrderStatus, Timestamp};
use creditdesk_storage::backup::Dump;
use creditdesk_storage::settings::{self, Setting};
use creditdesk_storage::{chunks_of, Batch, OutboxEntry, Rows, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashSet;

/// Commands a device sends, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Push {
    /// The device's client id (a UUID it made once).
    pub client: String,
    pub mutations: Vec<Mutation>,
}

/// One pending command: its id (the command's own, made on the device), its place in the push
/// (1, 2, 3, ...) and the command. Whoever the device claims to be, the server runs it as the
/// session's user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    pub id: String,
    pub n: u64,
    pub command: Command,
    /// Attachment bytes by id, base64, for a request filed with files.
    #[serde(default)]
    pub files: Vec<(String, String)>,
}

impl Mutation {
    /// The command's id on the server: the client's id and the command's, so a second push of
    /// the same mutation finds the first.
    pub fn key(&self, client: &str) -> String {
        format!("{client}:{}", self.id)
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

creditdesk_domain::tagged_enum! {
    tag = "kind", name = "PullReply", twin = PullReplyDef, expecting = "a pull's answer";
    /// The answer to a pull.
    #[derive(Clone, Debug, Serialize)]
    pub enum PullReply {
        /// Nothing changed since the device's cursor.
        Unchanged { cursor: u64 },
        /// Everything the user may see, as of `cursor`.
        Snapshot(Box<Snapshot>),
        /// What changed since the device's cursor, for a device that sent its digest.
        Patch(Box<Patch>),
    }
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
    /// The custom fields of the customer form.
    #[serde(default)]
    pub fields: FieldSet,
    pub customers: Vec<Customer>,
    /// The ledger rows of those customers, as storage chunks: named here, fetched apart.
    pub ledger: Vec<ChunkRef>,
    pub requests: Vec<Request>,
    pub alerts: Vec<Alert>,
    pub tasks: Vec<Task>,
    /// Holds on ordering set by the rules (they count in the credit check offline).
    #[serde(default)]
    pub holds: Vec<(CustomerId, Vec<Hold>)>,
    /// Credit reserved on those customers (the user's own is theirs to use offline).
    #[serde(default)]
    pub reservations: Vec<Reservation>,
    pub audit: Vec<AuditEntry>,
}

/// A ledger's chunks as the store keeps them: `(key, bytes)`.
pub type Chunks = Vec<(String, Vec<u8>)>;

/// A chunk of a snapshot's ledger: its storage key, the SHA-256 of its bytes (hex) and their
/// number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkRef {
    pub key: String,
    pub sha256: String,
    pub bytes: u64,
}

impl ChunkRef {
    pub fn of(key: &str, bytes: &[u8]) -> ChunkRef {
        ChunkRef {
            key: key.to_string(),
            sha256: creditdesk_domain::approval::sha256_hex(bytes),
            bytes: bytes.len() as u64,
        }
    }
}

impl Snapshot {
    /// The ledger's chunks in the snapshot's order, from `chunks` (by key): each must be there
    /// and match its SHA-256, or the pull is refused whole (nothing half-fetched is adopted).
    pub fn chunks_from(
        &self,
        mut chunks: std::collections::HashMap<String, Vec<u8>>,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.ledger
            .iter()
            .map(|r| {
                let bytes = chunks.remove(&r.key).ok_or_else(|| {
                    StoreError::corrupt(format!("chunk {}", r.key), "not fetched")
                })?;
                if creditdesk_domain::approval::sha256_hex(&bytes) != r.sha256 {
                    return Err(StoreError::corrupt(
                        format!("chunk {}", r.key),
                        "its bytes do not match the snapshot's SHA-256",
                    ));
                }
                Ok((r.key.clone(), bytes))
            })
            .collect()
    }

    /// The ledger rows, decoded from the snapshot's chunks (see [`Snapshot::chunks_from`]).
    pub fn rows(&self, chunks: &[(String, Vec<u8>)]) -> Result<Rows, StoreError> {
        let raw = creditdesk_storage::RawLedger {
            chunks: chunks.to_vec(),
            ..Default::default()
        };
        raw.decode()
    }

    /// What a new device shows while the ledger's chunks are still on their way: the snapshot
    /// as a book, as `device`, with an empty ledger (no figures, no grades yet). Nothing of it is
    /// stored: the device stores the snapshot once the whole ledger is there ([`adopt`]).
    pub fn book_without_ledger(&self, device: DeviceId) -> Book {
        let mut customers = self.customers.clone();
        sort::by(&mut customers, |a, b| a.name.cmp(&b.name));
        let mut b = Book {
            customers,
            as_of: self.as_of,
            device,
            model: self.models.last().cloned().unwrap_or_default(),
            versions: self.models.clone(),
            requests: self.requests.clone(),
            policy: self.policy.clone(),
            users: self.users.clone(),
            user: self.me.id.clone(),
            routes: self.routes.clone(),
            audit: self.audit.clone(),
            rules: self.rules.clone(),
            fields: self.fields.clone(),
            reservations: self.reservations.clone(),
            ..Book::default()
        };
        b.reindex();
        b
    }

    /// Bytes of the whole ledger.
    pub fn ledger_bytes(&self) -> u64 {
        self.ledger.iter().map(|r| r.bytes).sum()
    }
}

/// Splits a snapshot's chunks into those the device holds already (any chunk it has with the same
/// SHA-256, whatever its key: reused under the snapshot's key) and those to fetch.
pub fn to_fetch(
    snapshot: &Snapshot,
    held: Vec<(String, Vec<u8>)>,
) -> (std::collections::HashMap<String, Vec<u8>>, Vec<ChunkRef>) {
    let by_hash: std::collections::HashMap<String, Vec<u8>> = held
        .into_iter()
        .map(|(_, b)| (creditdesk_domain::approval::sha256_hex(&b), b))
        .collect();
    let mut have = std::collections::HashMap::new();
    let mut fetch = Vec::new();
    for r in &snapshot.ledger {
        match by_hash.get(&r.sha256) {
            Some(b) => {
                have.insert(r.key.clone(), b.clone());
            }
            None => fetch.push(r.clone()),
        }
    }
    (have, fetch)
}

impl Book {
    /// What `user` may see, as of the server's `cursor`, and the bytes of its ledger's chunks
    /// (which the server hands out apart).
    pub fn snapshot_for(&self, user: &User, cursor: u64) -> Result<(Snapshot, Chunks), StoreError> {
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
            corrections: all
                .corrections
                .into_iter()
                .filter(|c| seen.contains(&c.customer))
                .collect(),
        };
        let chunks = chunks_of(&rows)?;
        let hidden =
            creditdesk_domain::access::hidden(&self.fields, user, &self.policy.profile_editors);
        let snapshot = Snapshot {
            cursor,
            as_of: self.as_of,
            me: user.clone(),
            users: self.users.clone(),
            policy: self.policy.clone(),
            routes: self.routes.clone(),
            rules: self.rules.clone(),
            models: self.versions.clone(),
            fields: self.fields.clone(),
            // Without the fields hidden from the user: before any part is hashed, so the
            // device's digest and the patch agree, and the value never reaches the device.
            // Hidden rating inputs come as their part of the score instead (sealed).
            customers: {
                let mask = creditdesk_domain::rating::Mask::of(&hidden).read_by(&self.model);
                let model = self.model.prepare_masked(&mask);
                self.customers
                    .iter()
                    .filter(|c| seen.contains(&c.id))
                    .map(|c| {
                        let sealed = (!mask.is_empty()).then(|| match self.metrics.get(&c.id) {
                            Some(m) => model.seal(m),
                            None => model.seal(&self.ledger.metrics_counting(
                                c,
                                self.as_of,
                                self.policy.disputes.in_rating,
                            )),
                        });
                        let mut c = c.clone();
                        creditdesk_domain::access::strip(&mut c, &hidden);
                        c.sealed = sealed;
                        c
                    })
                    .collect()
            },
            ledger: chunks.iter().map(|(k, b)| ChunkRef::of(k, b)).collect(),
            // With the limits hidden, the limits a request names, save the user's own proposal.
            requests: {
                let limits = creditdesk_domain::access::hides_limits(&hidden);
                self.requests
                    .iter()
                    .filter(|r| seen.contains(&r.customer))
                    .map(|r| {
                        if limits {
                            r.without_limits(&user.id)
                        } else {
                            r.clone()
                        }
                    })
                    .collect()
            },
            // An alert whose value reads a field hidden from the user says so instead.
            alerts: {
                self.monitor
                    .alerts
                    .iter()
                    .filter(|a| seen.contains(&a.customer))
                    .map(|a| {
                        if a.reads_hidden(&self.rules, &hidden) {
                            a.redacted()
                        } else {
                            a.clone()
                        }
                    })
                    .collect()
            },
            tasks: self
                .monitor
                .tasks
                .iter()
                .filter(|t| seen.contains(&t.customer))
                .cloned()
                .collect(),
            reservations: self
                .reservations
                .iter()
                .filter(|r| seen.contains(&r.customer) && r.is_active(self.as_of))
                .cloned()
                .collect(),
            holds: self
                .monitor
                .holds
                .iter()
                .filter(|(c, _)| seen.contains(c))
                .map(|(c, h)| (*c, h.clone()))
                .collect(),
            audit: if user.may(Permission::ViewAudit) {
                self.audit.clone()
            } else {
                Vec::new()
            },
        };
        Ok((snapshot, chunks))
    }

    /// Every ledger row, as the storage writes them.
    pub fn ledger_rows(&self) -> Rows {
        Rows {
            orders: self.ledger.orders().to_vec(),
            invoices: self.ledger.invoices().collect(),
            payments: self.ledger.payments().collect(),
            credit_notes: self.ledger.credit_notes().to_vec(),
            corrections: self.ledger.corrections().to_vec(),
        }
    }
}

// ----- A pull after the first: the changes since the device's cursor -----

/// What a device holds of the server's data, in brief, so that the server sends only what
/// differs (an rsync-like pull): a hash per customer of everything kept with it, one of the
/// configuration, and the part of the audit trail that came from the server.
///
/// The device's own unconfirmed effects (a command not pushed yet, or refused) make its hashes
/// differ from the server's, so the server's version of those customers comes back and replaces
/// them: the device rebases without keeping a second copy of the server's state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    /// `(customer, hash of its part)`, for every customer the device holds.
    pub customers: Vec<(CustomerId, String)>,
    /// Hash of the users, policy, routes, rules and scorecard versions.
    pub config: String,
    /// How many of the device's audit entries came from the server at its last pull, and the
    /// hash of the last of them: the server sends the entries after it.
    pub audit_base: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<String>,
}

/// A pull's body: the device's cursor and, unless it holds nothing yet, its digest.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PullRequest {
    pub cursor: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
}

/// One customer with everything kept with it: its requests, alerts, tasks, holds and the credit
/// reserved on it. The unit a patch replaces.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Part {
    pub customer: Customer,
    pub requests: Vec<Request>,
    pub alerts: Vec<Alert>,
    pub tasks: Vec<Task>,
    pub holds: Vec<Hold>,
    pub reservations: Vec<Reservation>,
}

impl Part {
    fn hash(&self) -> String {
        short_hash(self)
    }
}

/// The configuration every user receives whole when it changed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Config {
    pub users: Vec<User>,
    pub policy: Policy,
    pub routes: Routes,
    pub rules: RuleSet,
    pub models: Vec<Scorecard>,
    #[serde(default)]
    pub fields: FieldSet,
}

/// The changes since a device's cursor: the customers whose part differs from the device's (or
/// that are new to it), those it may no longer see, the configuration if it changed, the audit
/// entries after those it has from the server, and the ledger's chunk list (the device fetches
/// the chunks it does not hold, as for a snapshot).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Patch {
    pub cursor: u64,
    pub as_of: Date,
    pub me: User,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Config>,
    pub parts: Vec<Part>,
    pub gone: Vec<CustomerId>,
    pub ledger: Vec<ChunkRef>,
    /// The device keeps its first `audit_from` entries and replaces the rest with `audit`.
    pub audit_from: u64,
    pub audit: Vec<AuditEntry>,
}

/// The first 16 hex digits of the SHA-256 of a value's JSON (64 bits: enough to tell versions of
/// one customer apart; a device's digest of 10,000 customers is about 300 KB).
fn short_hash(v: &impl Serialize) -> String {
    let json = serde_json::to_vec(v).expect("json");
    creditdesk_domain::approval::sha256_hex(&json)[..16].to_string()
}

/// The parts of these customers, each with its own records, in the customers' order.
fn parts_of<'a>(
    customers: impl Iterator<Item = &'a Customer>,
    requests: &[Request],
    alerts: &[Alert],
    tasks: &[Task],
    holds: impl Iterator<Item = (CustomerId, &'a Vec<Hold>)>,
    reservations: &[Reservation],
) -> Vec<Part> {
    let mut parts: Vec<Part> = customers
        .map(|c| Part {
            customer: c.clone(),
            requests: Vec::new(),
            alerts: Vec::new(),
            tasks: Vec::new(),
            holds: Vec::new(),
            reservations: Vec::new(),
        })
        .collect();
    let at: std::collections::HashMap<CustomerId, usize> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| (p.customer.id, i))
        .collect();
    let mut put = |c: CustomerId, f: &mut dyn FnMut(&mut Part)| {
        if let Some(&i) = at.get(&c) {
            f(&mut parts[i]);
        }
    };
    for r in requests {
        put(r.customer, &mut |p| p.requests.push(r.clone()));
    }
    for a in alerts {
        put(a.customer, &mut |p| p.alerts.push(a.clone()));
    }
    for t in tasks {
        put(t.customer, &mut |p| p.tasks.push(t.clone()));
    }
    for (c, h) in holds {
        put(c, &mut |p| p.holds = h.clone());
    }
    for r in reservations {
        put(r.customer, &mut |p| p.reservations.push(r.clone()));
    }
    // One order on both ends, whatever order each keeps its records in.
    for p in &mut parts {
        sort::by_key(&mut p.requests, |r| r.id.to_string());
        sort::by(&mut p.alerts, |a, b| a.id.cmp(&b.id));
        sort::by(&mut p.tasks, |a, b| a.id.cmp(&b.id));
        sort::by(&mut p.reservations, |a, b| a.id.cmp(&b.id));
    }
    parts
}

fn config_hash(
    users: &[User],
    policy: &Policy,
    routes: &Routes,
    rules: &RuleSet,
    models: &[Scorecard],
    fields: &FieldSet,
) -> String {
    short_hash(&(users, policy, routes, rules, models, fields))
}

/// What a device holds of the server's data, taken from its book at one moment: the digest is
/// made of it, and the patch that answers the digest goes onto it (the book may change while
/// the pull is on its way).
#[derive(Clone, Debug)]
pub struct Held {
    parts: Vec<Part>,
    config: Config,
    audit: Vec<AuditEntry>,
    /// How many of `audit` came from the server.
    audit_base: usize,
}

impl Held {
    /// What the device tells the server it holds (see [`Digest`]).
    pub fn digest(&self) -> Digest {
        let c = &self.config;
        Digest {
            customers: self
                .parts
                .iter()
                .map(|p| (p.customer.id, p.hash()))
                .collect(),
            config: config_hash(
                &c.users, &c.policy, &c.routes, &c.rules, &c.models, &c.fields,
            ),
            audit_base: self.audit_base as u64,
            audit_head: self
                .audit_base
                .checked_sub(1)
                .map(|i| self.audit[i].hash.clone()),
        }
    }
}

impl Snapshot {
    /// What a device that adopted this snapshot holds.
    pub fn held(&self) -> Held {
        Held {
            parts: self.parts(),
            config: Config {
                users: self.users.clone(),
                policy: self.policy.clone(),
                routes: self.routes.clone(),
                rules: self.rules.clone(),
                models: self.models.clone(),
                fields: self.fields.clone(),
            },
            audit: self.audit.clone(),
            audit_base: self.audit.len(),
        }
    }

    fn parts(&self) -> Vec<Part> {
        parts_of(
            self.customers.iter(),
            &self.requests,
            &self.alerts,
            &self.tasks,
            self.holds.iter().map(|(c, h)| (*c, h)),
            &self.reservations,
        )
    }

    /// What of this snapshot a device with `digest` lacks (see [`Digest`]).
    pub fn patch(&self, digest: &Digest) -> Patch {
        let held: std::collections::HashMap<CustomerId, &str> = digest
            .customers
            .iter()
            .map(|(c, h)| (*c, h.as_str()))
            .collect();
        let parts: Vec<Part> = self
            .parts()
            .into_iter()
            .filter(|p| held.get(&p.customer.id) != Some(&p.hash().as_str()))
            .collect();
        let mine: HashSet<CustomerId> = self.customers.iter().map(|c| c.id).collect();
        let gone = digest
            .customers
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| !mine.contains(c))
            .collect();
        let config = (config_hash(
            &self.users,
            &self.policy,
            &self.routes,
            &self.rules,
            &self.models,
            &self.fields,
        ) != digest.config)
            .then(|| Config {
                users: self.users.clone(),
                policy: self.policy.clone(),
                routes: self.routes.clone(),
                rules: self.rules.clone(),
                models: self.models.clone(),
                fields: self.fields.clone(),
            });
        // The device's trail continues the server's if its last entry from the server is the
        // server's entry at that place; otherwise it takes the whole trail again.
        let base = digest.audit_base as usize;
        let continues = base <= self.audit.len()
            && match (base, &digest.audit_head) {
                (0, _) => true,
                (n, Some(h)) => self.audit[n - 1].hash == *h,
                (_, None) => false,
            };
        let audit_from = if continues { base } else { 0 };
        Patch {
            cursor: self.cursor,
            as_of: self.as_of,
            me: self.me.clone(),
            config,
            parts,
            gone,
            ledger: self.ledger.clone(),
            audit_from: audit_from as u64,
            audit: self.audit[audit_from..].to_vec(),
        }
    }
}

impl Book {
    /// What this device holds of the server's data (see [`Held`]); `audit_base` is how many
    /// audit entries its last pull brought ([`AUDIT_BASE`]).
    pub fn held(&self, audit_base: u64) -> Held {
        Held {
            parts: parts_of(
                self.customers.iter(),
                &self.requests,
                &self.monitor.alerts,
                &self.monitor.tasks,
                self.monitor.holds.iter().map(|(c, h)| (*c, h)),
                &self.reservations,
            ),
            config: Config {
                users: self.users.clone(),
                policy: self.policy.clone(),
                routes: self.routes.clone(),
                rules: self.rules.clone(),
                models: self.versions.clone(),
                fields: self.fields.clone(),
            },
            audit: self.audit.clone(),
            audit_base: (audit_base as usize).min(self.audit.len()),
        }
    }
}

/// What a device holds, read from its store (a device still starting, whose book is not in
/// memory yet): everything a digest covers, without the ledger.
pub async fn held_in<S: Store>(store: &S, as_of: Date) -> Result<Held, StoreError> {
    let (config, _) = crate::load::configuration(store, as_of, Vec::new).await?;
    let customers = store.load_customers().await?;
    let (rules, monitor, _) = crate::monitoring::load(store).await?;
    let audit = store.load_audit().await?;
    let base = AUDIT_BASE.read(store).await?.unwrap_or(0);
    let book = Book {
        customers,
        as_of,
        versions: config.versions,
        requests: config.requests,
        policy: config.policy,
        users: config.users,
        routes: config.routes,
        audit,
        reservations: config.reservations,
        fields: config.fields,
        rules,
        monitor,
        ..Book::default()
    };
    Ok(book.held(base))
}

impl Patch {
    /// The whole snapshot this patch stands for, from what the device held when it made its
    /// digest: its customers and records where the patch says nothing, the patch's elsewhere.
    /// The device adopts it as it would a snapshot ([`adopt`]).
    pub fn onto(self, held: Held) -> Snapshot {
        let replaced: HashSet<CustomerId> = self
            .parts
            .iter()
            .map(|p| p.customer.id)
            .chain(self.gone.iter().copied())
            .collect();
        let mut parts: Vec<Part> = held
            .parts
            .into_iter()
            .filter(|p| !replaced.contains(&p.customer.id))
            .collect();
        parts.extend(self.parts);
        let config = self.config.unwrap_or(held.config);
        let mut audit = held.audit;
        audit.truncate(self.audit_from as usize);
        audit.extend(self.audit);
        let mut s = Snapshot {
            cursor: self.cursor,
            as_of: self.as_of,
            me: self.me,
            users: config.users,
            policy: config.policy,
            routes: config.routes,
            rules: config.rules,
            models: config.models,
            fields: config.fields,
            customers: Vec::with_capacity(parts.len()),
            ledger: self.ledger,
            requests: Vec::new(),
            alerts: Vec::new(),
            tasks: Vec::new(),
            holds: Vec::new(),
            reservations: Vec::new(),
            audit,
        };
        for p in parts {
            if !p.holds.is_empty() {
                s.holds.push((p.customer.id, p.holds));
            }
            s.customers.push(p.customer);
            s.requests.extend(p.requests);
            s.alerts.extend(p.alerts);
            s.tasks.extend(p.tasks);
            s.reservations.extend(p.reservations);
        }
        sort::by(&mut s.customers, |a, b| a.name.cmp(&b.name));
        // Requests newest first, as the book keeps them.
        s.requests
            .sort_by_key(|r| std::cmp::Reverse(r.meta.updated_at));
        s
    }

    /// Whether the patch changes nothing but the cursor and the ledger's list.
    pub fn is_empty(&self) -> bool {
        self.config.is_none()
            && self.parts.is_empty()
            && self.gone.is_empty()
            && self.audit.is_empty()
    }
}

// ----- The device's side -----

/// The device's client id, made once (`meta` key `client`).
pub const CLIENT: Setting<String> = Setting::new("client");
/// The server's cursor of the device's last pull.
pub const CURSOR: Setting<u64> = Setting::new("sync_cursor");
/// How many audit entries the device's last pull brought (the rest of its trail is its own
/// copy of its commands' entries, replaced by the server's at the next pull).
pub const AUDIT_BASE: Setting<u64> = Setting::new("sync_audit_base");
/// Commands the server did not accept, for the user to fix, retry or discard.
pub const REFUSED: Setting<Vec<Refused>> = Setting::new("sync_refused");
/// When the device last synced (milliseconds).
pub const LAST_SYNC: Setting<i64> = Setting::new("sync_last");

/// Whether this device syncs with a server (it then never acts without a signed-in user).
pub const SERVER: Setting<bool> = Setting::new("sync_server");

/// Whether this device syncs with a server ([`SERVER`], unset on a local device).
pub async fn synced<S: Store>(store: &S) -> Result<bool, StoreError> {
    Ok(SERVER.read(store).await?.unwrap_or(false))
}
/// Who is signed in on this device, until when: the device keeps working offline as this user
/// until the session expires, and never as anyone else.
pub const SESSION: Setting<Session> = Setting::new("sync_session");

/// A signed-in user and the session's end (milliseconds since 1970).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub user: User,
    pub expires_at: i64,
}

impl Session {
    /// Whether the session still holds at `now` (milliseconds): the device acts as its user
    /// until then, offline too, and never after.
    pub fn holds_at(&self, now: i64) -> bool {
        self.expires_at > now
    }
}

/// The tag of a synced device's own document series (`SO-7F3A-2026-0000001`): the first four
/// hex digits of its client id, so that two devices offline never pick the same next number.
pub fn series_tag(client: &str) -> String {
    client
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(4)
        .collect::<String>()
        .to_uppercase()
}

/// A document series' prefix: `SO` or `INV`, with this device's tag if it has one.
pub fn series(prefix: &str, tag: Option<&str>) -> String {
    tag.map_or_else(|| prefix.to_string(), |t| format!("{prefix}-{t}"))
}

/// This device's client id, made once with `new_id` (a UUID) and kept.
pub async fn client_id<S: Store>(
    store: &S,
    new_id: impl FnOnce() -> String,
) -> Result<String, StoreError> {
    if let Some(c) = CLIENT.read(store).await? {
        return Ok(c);
    }
    let c = new_id();
    CLIENT.write(store, &c).await?;
    Ok(c)
}

/// Notes that this device syncs with a server: from now on it acts only as a signed-in user.
pub async fn mark_served<S: Store>(store: &S) -> Result<(), StoreError> {
    SERVER.write(store, &true).await
}

/// Notes when the device last synced (milliseconds).
pub async fn mark_synced<S: Store>(store: &S, at: i64) -> Result<(), StoreError> {
    LAST_SYNC.write(store, &at).await
}

/// Forgets the session (signed out): the next start asks who signs in.
pub async fn forget_session<S: Store>(store: &S) -> Result<(), StoreError> {
    let (key, empty) = SESSION.clear();
    store.set_setting(&key, &empty).await
}

/// Keeps an attachment's bytes fetched from the server (a cache of the server's copy: no
/// command, nothing to push).
pub async fn keep_attachment<S: Store>(
    store: &S,
    id: &str,
    bytes: &[u8],
) -> Result<(), StoreError> {
    store
        .commit(&Batch {
            attachments: vec![(id.to_string(), bytes.to_vec())],
            no_outbox: true,
            ..Batch::default()
        })
        .await
}

/// Keeps who signed in, until when: the session and the acting user, in one write.
pub async fn keep_session<S: Store>(store: &S, session: &Session) -> Result<(), StoreError> {
    let mut b = Batch::default();
    SESSION.put(&mut b, session);
    settings::USER.put(&mut b, &session.user.id);
    store.commit(&b).await
}

/// Whether commands of a user other than `user` wait on this device to be pushed: then `user`
/// may not sign in here yet (those must not go as them, nor be lost).
pub async fn other_user_pending<S: Store>(store: &S, user: &str) -> Result<bool, StoreError> {
    Ok(match SESSION.read(store).await? {
        Some(prev) if prev.user.id != user => !pending(store).await?.is_empty(),
        _ => false,
    })
}

/// Takes a command out of the "not accepted" list (the user discards it, or runs it again as a
/// new command): returns it and the list left, already stored; `None` if it is not there.
pub async fn take_refused<S: Store>(
    store: &S,
    id: &str,
) -> Result<Option<(Refused, Vec<Refused>)>, StoreError> {
    let mut list = REFUSED.read(store).await?.unwrap_or_default();
    let Some(pos) = list.iter().position(|r| r.id == id) else {
        return Ok(None);
    };
    let taken = list.remove(pos);
    let mut b = Batch::default();
    REFUSED.put(&mut b, &list);
    store.commit(&b).await?;
    Ok(Some((taken, list)))
}

/// A command the server did not accept: what, why, and when it was made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    pub id: String,
    pub at: i64,
    pub command: Command,
    pub code: String,
    pub reason: String,
}

/// Whether a `meta` key is a device's sync state (its client id, cursor, session, refusals...):
/// it belongs to the device it was written on and never travels in a backup's restore.
pub fn device_sync_state(key: &str) -> bool {
    [
        CLIENT.key,
        CURSOR.key,
        REFUSED.key,
        LAST_SYNC.key,
        SERVER.key,
        SESSION.key,
        AUDIT_BASE.key,
    ]
    .contains(&key)
}

/// The `meta` keys whose values come from the server: a pull replaces them; every other key
/// (language, device, client id, session) stays the device's own.
pub fn server_owned(key: &str) -> bool {
    [
        settings::POLICY.key,
        settings::ROUTES.key,
        settings::USERS.key,
        settings::RULES.key,
        settings::FIELDS.key,
        settings::MONITOR.key,
        settings::HOLDS.key,
        settings::PREVIOUS.key,
        settings::RESERVATIONS.key,
        crate::admin::DEMO_REQUESTS,
    ]
    .contains(&key)
}

/// The commands still to push, oldest first, with the bytes of the files they attach.
pub async fn pending<S: Store>(store: &S) -> Result<Vec<(OutboxEntry, Mutation)>, StoreError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = Vec::new();
    for (i, o) in store
        .outbox()
        .await?
        .into_iter()
        .filter(|o| o.entity == "command")
        .enumerate()
    {
        let e: Envelope = o
            .payload
            .read()
            .map_err(|e| StoreError::corrupt(format!("command {}", o.id), e))?;
        let mut files = Vec::new();
        for a in e.command.attachments() {
            if let Some(bytes) = store.attachment(&a.id).await? {
                files.push((a.id.clone(), b64.encode(bytes)));
            }
        }
        out.push((
            o,
            Mutation {
                id: e.id,
                n: i as u64 + 1,
                command: e.command,
                files,
            },
        ));
    }
    Ok(out)
}

/// Most of a push's files, as base64 characters, and most commands in one push: the server takes
/// a body up to 128 MiB, and a push that fails is sent again whole.
pub const PUSH_FILE_CHARS: usize = 24 << 20;
pub const PUSH_COMMANDS: usize = 200;

/// The pending commands as the pushes that carry them, in order: each at most
/// [`PUSH_COMMANDS`] commands and [`PUSH_FILE_CHARS`] of files (a command whose files alone are
/// more goes alone).
pub fn pushes(pending: Vec<(OutboxEntry, Mutation)>) -> Vec<Vec<(OutboxEntry, Mutation)>> {
    let mut out: Vec<Vec<(OutboxEntry, Mutation)>> = Vec::new();
    let mut chars = 0;
    for p in pending {
        let size: usize = p.1.files.iter().map(|(_, b)| b.len()).sum();
        let full = out.last().is_none_or(|last| {
            last.len() >= PUSH_COMMANDS || (!last.is_empty() && chars + size > PUSH_FILE_CHARS)
        });
        if full {
            out.push(Vec::new());
            chars = 0;
        }
        chars += size;
        out.last_mut().expect("a push").push(p);
    }
    out
}

/// The orders a push carries, as they stand on this device (before the server's answer).
pub fn orders_as_pushed(
    book: &Book,
    pushed: &[(OutboxEntry, Mutation)],
) -> Vec<(OrderId, OrderStatus)> {
    let status = |id: &OrderId| book.ledger.order(*id).map(|o| (o.id, o.status));
    pushed
        .iter()
        .flat_map(|(_, m)| match &m.command {
            Command::RecordOrder { id, .. } => status(id).into_iter().collect::<Vec<_>>(),
            // An import's orders too: the server checks each as it takes them (a device that
            // holds the limits without their amounts could not).
            Command::ImportBatch { records, .. } => records
                .orders
                .iter()
                .filter_map(|o| status(&o.id))
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// The numbers of those orders that the server held although this device had not (another
/// device used the credit first): the rep must hear of them.
pub fn held_by_server(book: &Book, before: &[(OrderId, OrderStatus)]) -> Vec<String> {
    before
        .iter()
        .filter(|(_, was)| *was != OrderStatus::Held)
        .filter_map(|(id, _)| book.ledger.order(*id))
        .filter(|o| o.status == OrderStatus::Held)
        .map(|o| o.number.to_string())
        .collect()
}

/// Takes in the server's answer to a push: applied commands leave the outbox; refused ones leave
/// it too and join the "not accepted" list with their code and reason. Returns how many were
/// refused.
pub async fn answered<S: Store>(
    store: &S,
    pushed: &[(OutboxEntry, Mutation)],
    reply: &PushReply,
) -> Result<usize, StoreError> {
    let mut refused = REFUSED.read(store).await?.unwrap_or_default();
    let mut done = Vec::new();
    let mut n = 0;
    for r in &reply.results {
        let Some((o, m)) = pushed.iter().find(|(_, m)| m.n == r.n) else {
            continue;
        };
        done.push(o.id.clone());
        if r.status == Status::Refused {
            n += 1;
            refused.push(Refused {
                id: m.id.clone(),
                at: o.updated_at,
                command: m.command.clone(),
                code: r.code.clone().unwrap_or_default(),
                reason: r.reason.clone().unwrap_or_default(),
            });
        }
    }
    let mut batch = Batch::default();
    REFUSED.put(&mut batch, &refused);
    store.commit(&batch).await?;
    store.acknowledge(&done).await?;
    Ok(n)
}

/// What the device's store holds after a pull: the server's snapshot, the device's own settings
/// and scorecard draft, and its commands still to push with their files.
pub fn dump_of(
    snapshot: &Snapshot,
    chunks: &[(String, Vec<u8>)],
    local_meta: &[(String, String)],
    draft: Option<(String, String)>,
    pending: &[OutboxEntry],
    files: Vec<(String, Vec<u8>)>,
) -> Result<Dump, StoreError> {
    let mut meta: Vec<(String, String)> = local_meta
        .iter()
        .filter(|(k, _)| !server_owned(k) && k != CURSOR.key && k != AUDIT_BASE.key)
        .cloned()
        .collect();
    meta.push(settings::POLICY.entry(&snapshot.policy));
    meta.push(settings::ROUTES.entry(&snapshot.routes));
    meta.push(settings::USERS.entry(&snapshot.users));
    meta.push(settings::RULES.entry(&snapshot.rules));
    meta.push(settings::FIELDS.entry(&snapshot.fields));
    meta.push(settings::HOLDS.entry(&snapshot.holds.iter().cloned().collect()));
    meta.push(settings::RESERVATIONS.entry(&snapshot.reservations));
    meta.push(CURSOR.entry(&snapshot.cursor));
    meta.push(AUDIT_BASE.entry(&(snapshot.audit.len() as u64)));
    fn json(v: &impl Serialize) -> String {
        serde_json::to_string(v).expect("json")
    }
    Ok(Dump {
        meta,
        customers: snapshot
            .customers
            .iter()
            .map(creditdesk_storage::customer_to_json)
            .collect(),
        // The chunks go into the store as they came: nothing decoded and encoded again.
        rows: Rows::default(),
        chunks: Some(chunks.to_vec()),
        field_defs: Vec::new(),
        models: snapshot
            .models
            .iter()
            .map(|m| (m.version.to_string(), m.to_json()))
            .chain(draft)
            .collect(),
        requests: snapshot
            .requests
            .iter()
            .map(|r| (r.id.to_string(), json(r)))
            .collect(),
        alerts: snapshot
            .alerts
            .iter()
            .map(|a| (a.id.clone(), json(a)))
            .collect(),
        tasks: snapshot
            .tasks
            .iter()
            .map(|t| (t.id.clone(), json(t)))
            .collect(),
        audit: snapshot
            .audit
            .iter()
            .map(creditdesk_storage::audit_to_json)
            .collect(),
        attachments: files,
        outbox: pending
            .iter()
            .map(|o| serde_json::to_string(o).expect("json"))
            .collect(),
    })
}

/// Replaces what the device holds with a pulled snapshot, keeping its own settings, draft and
/// commands still to push, with their files, in one transaction; returns those commands, for
/// [`replay`] on the new book.
pub async fn adopt<S: Store>(
    store: &S,
    snapshot: &Snapshot,
    chunks: &[(String, Vec<u8>)],
) -> Result<Vec<OutboxEntry>, StoreError> {
    let dump = store.dump().await?;
    let pending: Vec<OutboxEntry> = store
        .outbox()
        .await?
        .into_iter()
        .filter(|o| o.entity == "command")
        .collect();
    let draft = dump.models.iter().find(|(k, _)| k == "draft").cloned();
    let fresh = dump_of(
        snapshot,
        chunks,
        &dump.meta,
        draft,
        &pending,
        dump.attachments.clone(),
    )?;
    store.restore(&fresh).await?;
    Ok(pending)
}

/// A pull adopted on a device whose book is in memory: [`adopt`], a turn for the page, then
/// [`rebase`] (what it returns). Counted as one write of the book ([`Book::writing`]) from the
/// store's write until the book read again is in place: meanwhile the store holds data the book
/// in memory does not, and work that derives from the book for the store (the figures kept for
/// the next start) waits rather than file the old book's figures under the new data.
pub async fn adopt_onto<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    as_of: Date,
    snapshot: &Snapshot,
    chunks: &[(String, Vec<u8>)],
    mine: &[(OrderId, OrderStatus)],
) -> Result<Vec<String>, StoreError> {
    crate::exec::written_through(book, async {
        let pending = adopt(store, snapshot, chunks).await?;
        store.breathe().await;
        let read = rebase(store, book, as_of, pending, mine).await;
        book.borrow_mut().behind_store = read.is_err();
        read
    })
    .await
}

/// After a pull is adopted on a device whose book is in memory: reads the book again from the
/// store (as of `as_of`, as the same user), runs the device's commands still to push on top, and
/// returns the numbers of its orders the server held although this device had not (`mine`, as
/// they stood before the push: another device used the credit first).
pub async fn rebase<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    as_of: Date,
    pending: Vec<OutboxEntry>,
    mine: &[(OrderId, OrderStatus)],
) -> Result<Vec<String>, StoreError> {
    let (device, user) = {
        let b = book.borrow();
        (b.device, b.user.clone())
    };
    let (mut fresh, _) = crate::load::whole_book(store, as_of, device, Vec::new).await?;
    fresh.user = user;
    // The writes under way stay counted in the book that takes this one's place (the pull's own,
    // when `adopt_onto` runs this, ends only once the commands still to push are replayed).
    fresh.writing = book.borrow().writing;
    *book.borrow_mut() = fresh;
    let me = book.borrow().me();
    replay(store, book, &me, device, pending).await;
    Ok(held_by_server(&book.borrow(), mine))
}

/// Runs the commands still to push again on the pulled book, as `actor`, in order, so that their
/// effects show at once; their records stay in the outbox as they were, to be pushed. One the
/// book now refuses is left to the server to decide. Returns how many ran.
pub async fn replay<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    actor: &User,
    device: DeviceId,
    pending: Vec<OutboxEntry>,
) -> usize {
    let mut ran = 0;
    for o in pending {
        let Ok(e) = o.payload.read::<Envelope>() else {
            continue;
        };
        let ctx = Ctx {
            actor: actor.clone(),
            device,
            now: Timestamp(e.at),
            as_of: book.borrow().as_of,
            command_id: e.id,
        };
        if crate::exec::replay(store, book, &ctx, e.command)
            .await
            .is_ok()
        {
            ran += 1;
        }
    }
    ran
}
