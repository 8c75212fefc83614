//! Reading what is stored into a [`crate::Book`]: the configuration (scorecard versions and
//! draft, policy, routes, users), the requests and the audit trail. The customers and the ledger
//! are read by the caller, which may slice the work to keep a page answering.
//!
//! A stored model that no longer passes the rules is skipped, never used, with a warning to show;
//! unreadable routes or an unreadable policy are an error (failing closed, not to the defaults).

use creditdesk_domain::approval::{Routes, User};
use creditdesk_domain::credit::Policy;
use creditdesk_domain::rating::Scorecard;
use creditdesk_domain::request::{self, Request};
use creditdesk_domain::sort;
use creditdesk_domain::Date;
use creditdesk_storage::settings;
use creditdesk_storage::{Batch, Docs, Store, StoreError};

/// Everything but the customers, the ledger and the audit trail (a long trail is read after the
/// list is on screen: [`creditdesk_storage::Store::last_audit`] is all a command needs to chain to).
#[derive(Clone, Debug, Default)]
pub struct Configuration {
    pub model: Scorecard,
    pub versions: Vec<Scorecard>,
    pub draft: Option<Scorecard>,
    pub requests: Vec<Request>,
    pub users: Vec<User>,
    pub routes: Routes,
    pub policy: Policy,
    pub reservations: Vec<creditdesk_domain::credit::Reservation>,
    pub fields: creditdesk_domain::fields::FieldSet,
}

/// Reads the configuration; on a first open writes the default model as version 1 (published
/// on `as_of`) and `default_users` as the directory. Returns warnings of what was unreadable.
pub async fn configuration<S: Store>(
    store: &S,
    as_of: Date,
    default_users: impl FnOnce() -> Vec<User>,
) -> Result<(Configuration, Vec<String>), StoreError> {
    let mut warnings = Vec::new();
    // Every part is asked for at once: a browser's store reads one while the page parses another.
    let (models, requests, users, routes, policy, reservations, fields) = futures_util::join!(
        models(store, as_of, &mut warnings),
        requests(store),
        settings::USERS.read(store),
        settings::ROUTES.read(store),
        settings::POLICY.read(store),
        settings::RESERVATIONS.read(store),
        settings::FIELDS.read(store),
    );
    let (model, versions, draft) = models?;
    let requests = requests?;
    let users = match users? {
        Some(users) => users,
        None => {
            let users = default_users();
            let mut batch = Batch::default();
            settings::USERS.put(&mut batch, &users);
            store.commit(&batch).await?;
            users
        }
    };
    // Unreadable routes or an unreadable policy stop the start-up (the page offers a retry):
    // falling back to the defaults could loosen the credit rules without anyone deciding it.
    let (routes, policy) = (routes?, policy?);
    Ok((
        Configuration {
            model,
            versions,
            draft,
            requests,
            users,
            routes: routes.unwrap_or_default(),
            policy: policy.unwrap_or_default(),
            reservations: reservations?.unwrap_or_default(),
            fields: fields?.unwrap_or_default(),
        },
        warnings,
    ))
}

/// The scorecard versions (oldest first), the one in force, and the draft.
async fn models<S: Store>(
    store: &S,
    as_of: Date,
    warnings: &mut Vec<String>,
) -> Result<(Scorecard, Vec<Scorecard>, Option<Scorecard>), StoreError> {
    let mut versions = Vec::new();
    let mut draft = None;
    for (key, json) in store.docs(Docs::Models).await? {
        if json.is_empty() {
            continue;
        }
        if key == "draft" {
            // A draft may break rules while it is being edited: keep it, problems and all.
            match serde_json::from_str::<Scorecard>(&json) {
                Ok(m) => draft = Some(m),
                Err(e) => warnings.push(format!("scorecard draft unreadable: {e}")),
            }
            continue;
        }
        match Scorecard::from_json(&json) {
            Ok(m) => versions.push(m),
            Err(problems) => warnings.push(format!("scorecard {key} skipped: {problems:?}")),
        }
    }
    sort::by_key(&mut versions, |m| m.version);
    if versions.is_empty() {
        let first = Scorecard {
            published_on: Some(as_of),
            ..Scorecard::default()
        };
        store
            .put_doc(
                Docs::Models,
                &first.version.to_string(),
                &first.to_json(),
                None,
            )
            .await?;
        versions.push(first);
    }
    let model = versions.last().cloned().unwrap_or_default();
    Ok((model, versions, draft))
}

/// How many requests are parsed between two turns for the page: the large book's 1,096 were one
/// task of 70 ms in a traced start (a request with its flow and history is kilobytes of JSON).
const REQUESTS_PER_TURN: usize = 100;

/// A store's documents with their keys, each parsed by `parse`, with a turn for the page after
/// every `per_turn` (a large book's requests or alerts parsed in one go are a long task). One
/// that does not parse stops the read, named as `what` and its key.
pub(crate) async fn parse_docs<S: Store, T, E: std::fmt::Display>(
    store: &S,
    which: Docs,
    what: &str,
    per_turn: usize,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Vec<(String, T)>, StoreError> {
    let docs = store.docs(which).await?;
    let mut out = Vec::with_capacity(docs.len());
    for (n, (key, json)) in docs.into_iter().enumerate() {
        if n > 0 && n % per_turn == 0 {
            store.breathe().await;
        }
        let value = parse(&json).map_err(|e| StoreError::corrupt(format!("{what} {key}"), e))?;
        out.push((key, value));
    }
    Ok(out)
}

/// The requests, newest first.
async fn requests<S: Store>(store: &S) -> Result<Vec<Request>, StoreError> {
    let mut out: Vec<Request> = parse_docs(
        store,
        Docs::Requests,
        "request",
        REQUESTS_PER_TURN,
        request::from_stored,
    )
    .await?
    .into_iter()
    .map(|(_, r)| r)
    .collect();
    sort::by_key(&mut out, |r| std::cmp::Reverse(r.meta.updated_at));
    Ok(out)
}

/// Monitoring's memory (holds, grades of the last run, the id counter) belongs to the data it
/// watched: it goes when the data is replaced.
pub async fn forget_monitoring<S: Store>(store: &S) -> Result<(), StoreError> {
    store
        .commit(&Batch {
            settings: vec![
                settings::MONITOR.clear(),
                settings::HOLDS.clear(),
                settings::PREVIOUS.clear(),
            ],
            ..Batch::default()
        })
        .await
}

impl crate::Book {
    /// A book of the configuration and the customers (sorted by name here: a browser's store
    /// mostly hands them over in that order already, `customer_list_by_name`), without the ledger:
    /// the browser shows the list from it while the ledger is read. `audit` is what is read of
    /// the trail so far (its head is enough to chain to).
    pub fn from_parts(
        config: Configuration,
        mut customers: Vec<creditdesk_domain::Customer>,
        as_of: Date,
        device: creditdesk_domain::DeviceId,
        user: String,
        audit: Vec<creditdesk_domain::approval::AuditEntry>,
    ) -> crate::Book {
        sort::by(&mut customers, |a, b| a.name.cmp(&b.name));
        let mut book = crate::Book {
            customers,
            as_of,
            device,
            model: config.model,
            versions: config.versions,
            draft: config.draft,
            requests: config.requests,
            policy: config.policy,
            users: config.users,
            user,
            routes: config.routes,
            audit,
            reservations: config.reservations,
            fields: config.fields,
            ..crate::Book::default()
        };
        book.reindex();
        book
    }

    /// Takes the whole trail as read from the store, keeping the entries committed in memory
    /// since it was read (those after its last).
    pub fn take_trail(&mut self, trail: Vec<creditdesk_domain::approval::AuditEntry>) {
        let read_to = trail.last().map(|e| e.seq);
        let newer: Vec<_> = self
            .audit
            .drain(..)
            .filter(|e| Some(e.seq) > read_to)
            .collect();
        self.audit = trail;
        self.audit.extend(newer);
    }
}

/// Reads everything stored into a book for `as_of`, graded, in one go (a server, a native
/// tool). Returns the warnings of what was unreadable but skippable. The browser reads the same
/// parts in slices to keep the page answering.
pub async fn whole_book<S: Store>(
    store: &S,
    as_of: Date,
    device: creditdesk_domain::DeviceId,
    default_users: impl FnOnce() -> Vec<User>,
) -> Result<(crate::Book, Vec<String>), StoreError> {
    let (config, mut warnings) = configuration(store, as_of, default_users).await?;
    warnings.extend(crate::reps::link_reps(store).await?);
    let customers = store.load_customers().await?;
    let creditdesk_storage::Rows {
        orders,
        invoices,
        payments,
        credit_notes,
        corrections,
    } = store.load_ledger().await?.decode()?;
    let ledger = creditdesk_domain::Ledger::from_entries(
        orders,
        invoices,
        payments,
        credit_notes,
        corrections,
    );
    let (rules, monitor, warning) = crate::monitoring::load(store).await?;
    warnings.extend(warning);
    let audit = store.load_audit().await?;
    let mut book = crate::Book::from_parts(config, customers, as_of, device, String::new(), audit);
    book.summaries = ledger.summaries(as_of);
    book.ledger = ledger;
    book.adjust_disputed();
    book.rules = rules;
    book.monitor = monitor;
    book.notices = creditdesk_storage::settings::NOTICES
        .read(store)
        .await?
        .unwrap_or_default();
    // A device that syncs holds the user's copy: the sealed parts of what is hidden count.
    book.synced = crate::sync::synced(store).await?;
    book.compute_metrics();
    book.rescore();
    Ok((book, warnings))
}
