//! The administrator's operations on the whole data set: restoring or merging a backup, and
//! replacing everything (the demo data, an empty start). They are not commands: they replace
//! what commands work on. Each is allowed to `Permission::ResetData` only, and each leaves the
//! trail verifiable: a restore writes a `data.restored` entry naming the file and its SHA-256
//! after the backup's own trail, a merge a `data.merged` entry after this trail, and the trail a
//! restore or replacement removes is kept whole in the `meta` store under [`AUDIT_ARCHIVE`].

use crate::CommandError;
use creditdesk_domain::approval::{chain, Event, Permission, User};
use creditdesk_storage::backup::{self, Backup, Dump, MergeReport};
use creditdesk_storage::{
    audit_from_json, audit_to_json, settings, Batch, Rows, Store, StoreError,
};

/// The prefix of the `meta` keys under which replaced trails are kept, each a JSON array of its
/// entries (`audit_archive:{time}`), so that they stay verifiable (`approval::verify`).
pub const AUDIT_ARCHIVE: &str = "audit_archive:";

/// Whether `actor` may replace the data in `store`: an administrator's right, and never on a
/// device that syncs with a server (the server holds the data: its restore is the
/// administrator's command there; a device's would be undone by its next pull).
pub async fn allowed<S: Store>(store: &S, actor: &User) -> Result<(), CommandError> {
    if !actor.may(Permission::ResetData) {
        return Err(CommandError::NotPermitted("replace the data"));
    }
    if crate::sync::synced(store).await? {
        return Err(CommandError::NotPermitted(
            "replace the data on a synced device (the server's administrator restores there)",
        ));
    }
    Ok(())
}

/// Chains one entry after a dump's last one and adds it to the dump, so that it is written by
/// the same transaction as the dump.
fn audit_into(dump: &mut Dump, actor: &User, at: i64, what: &str, after: String, why: String) {
    let last = dump.audit.last().and_then(|a| audit_from_json(a).ok());
    let event = Event {
        who: actor.id.clone(),
        what: what.into(),
        subject: "database".into(),
        before: String::new(),
        after,
        why,
    };
    for e in chain(last.as_ref(), at, vec![event]) {
        dump.audit.push(audit_to_json(&e));
    }
}

/// A trail kept: its `meta` entry `(key, json)`, and a line that names it for the audit.
struct Archived {
    entry: (String, String),
    line: String,
}

/// The trail of `here` as an archive entry for the `meta` store.
fn archive(here: &Dump, at: i64) -> Result<Option<Archived>, CommandError> {
    let Some(head) = here.audit.last() else {
        return Ok(None);
    };
    let key = format!("{AUDIT_ARCHIVE}{at}");
    let head = audit_from_json(head)?;
    let line = format!(
        "{} entries kept under {key}, head {}",
        here.audit.len(),
        head.hash
    );
    Ok(Some(Archived {
        entry: (key, format!("[{}]", here.audit.join(","))),
        line,
    }))
}

/// The whole database as a backup file's text. It holds every customer, so only a user who sees
/// every customer may take it.
pub async fn backup<S: Store>(store: &S, actor: &User) -> Result<String, CommandError> {
    Ok(backup::to_json(&backup_dump(store, actor).await?))
}

/// What [`backup`] writes, to write as the caller goes ([`backup::Writer`]: a browser's page
/// writes a large book's file a slice at a time), under the same permission.
pub async fn backup_dump<S: Store>(store: &S, actor: &User) -> Result<backup::Dump, CommandError> {
    if !actor.may(Permission::SeeAllCustomers) {
        return Err(CommandError::NotPermitted(
            "take a backup of every customer",
        ));
    }
    Ok(store.dump().await?)
}

/// Replaces everything with a backup (`merge` false) or merges it in, audited as the module
/// says. `file` and `sha256` name the file. Returns the merge's report.
pub async fn restore<S: Store>(
    store: &S,
    actor: &User,
    at: i64,
    mut backup: Backup,
    merge: bool,
    file: &str,
    sha256: &str,
) -> Result<Option<MergeReport>, CommandError> {
    allowed(store, actor).await?;
    let c = backup.dump.counts();
    let summary = format!(
        "schema {}: {} customers, {} invoices, {} payments, {} requests",
        backup.schema, c.customers, c.invoices, c.payments, c.requests
    );
    let why = format!("{file} (sha-256 {sha256})");
    let here = store.dump().await?;
    // A backup taken on a synced device carries that device's sync state: it stays behind.
    // (Taken by value: a large book's backup is two million rows, too many to copy.)
    backup
        .dump
        .meta
        .retain(|(k, _)| !crate::sync::device_sync_state(k));
    if merge {
        let (mut merged, report) = backup::merge(&here, &backup.dump);
        let refused = if report.controls_refused.is_empty() {
            String::new()
        } else {
            format!(
                "; credit controls kept here for {} customers without an approved request: {}",
                report.controls_refused.len(),
                report
                    .controls_refused
                    .iter()
                    .map(|(_, name)| name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let after = format!("{summary}{refused}");
        audit_into(&mut merged, actor, at, "data.merged", after, why);
        // An older backup may name its reps by name: the next start links them to users.
        merged.meta.retain(|(k, _)| k != crate::reps::LINKED);
        store.restore(&merged).await?;
        free_in_turns(store, merged).await;
        free_in_turns(store, backup.dump).await;
        free_in_turns(store, here).await;
        return Ok(Some(report));
    }
    // The backup's trail comes back with its data, and the restore chains after it. The trail
    // it replaces is kept whole beside it, with the ones kept before.
    let mut dump = backup.dump;
    for (k, v) in &here.meta {
        if k.starts_with(AUDIT_ARCHIVE) && !dump.meta.iter().any(|(x, _)| x == k) {
            dump.meta.push((k.clone(), v.clone()));
        }
    }
    let before = match archive(&here, at)? {
        Some(a) => {
            dump.meta.push(a.entry);
            a.line
        }
        None => "none".into(),
    };
    let after = format!("{summary}; the trail before: {before}");
    audit_into(&mut dump, actor, at, "data.restored", after, why);
    dump.meta.retain(|(k, _)| k != crate::reps::LINKED);
    store.restore(&dump).await?;
    free_in_turns(store, dump).await;
    free_in_turns(store, here).await;
    Ok(None)
}

/// Drops a dump its payments a part at a time, with the store's turn between parts
/// ([`Store::breathe`]): a large book's million payments hold an allocation each, and freed at
/// once they were a task of about 80 ms in a browser (the invoices and orders hold none; the few
/// credit notes and corrections go with the rest).
async fn free_in_turns<S: Store>(store: &S, mut dump: Dump) {
    const AT_A_TIME: usize = 100_000;
    let rows = &mut dump.rows;
    while !rows.payments.is_empty() {
        rows.payments
            .truncate(rows.payments.len().saturating_sub(AT_A_TIME));
        store.breathe().await;
    }
}

/// Replaces the data (customers, ledger, requests, trail; configuration stays) with a data set,
/// or with nothing. The trail it removes is kept in the archive first. An empty start begins its
/// trail with a `data.replaced` entry; a data set brings its own trail later (the demo's
/// requests).
pub async fn replace<S: Store>(
    store: &S,
    actor: &User,
    at: i64,
    customers: &[creditdesk_domain::Customer],
    rows: &Rows,
) -> Result<(), CommandError> {
    allowed(store, actor).await?;
    let trail: Vec<String> = store
        .load_audit()
        .await?
        .iter()
        .map(audit_to_json)
        .collect();
    let here = Dump {
        chunks: None,
        audit: trail,
        ..Dump::default()
    };
    let archived = archive(&here, at)?;
    if let Some(a) = &archived {
        store
            .commit(&Batch {
                settings: vec![a.entry.clone()],
                ..Batch::default()
            })
            .await?;
    }
    store.replace_all(customers, rows).await?;
    crate::load::forget_monitoring(store).await?;
    if customers.is_empty() {
        let event = Event {
            who: actor.id.clone(),
            what: "data.replaced".into(),
            subject: "database".into(),
            before: archived.map(|a| a.line).unwrap_or_default(),
            after: "empty".into(),
            why: String::new(),
        };
        store
            .commit(&Batch {
                audit: chain(None, at, vec![event]),
                ..Batch::default()
            })
            .await?;
    }
    Ok(())
}

/// Acts as another user of the directory on a local device (the demo's drop-down): only a user
/// of the directory, and never on a synced device (there you are who signed in).
pub async fn switch_user<S: Store>(
    store: &S,
    book: &std::cell::RefCell<crate::Book>,
    id: &str,
) -> Result<(), CommandError> {
    if crate::sync::synced(store).await? {
        return Err(CommandError::NotPermitted(
            "act as someone else on a synced device (sign in as them)",
        ));
    }
    if !book.borrow().users.iter().any(|u| u.id == id) {
        return Err(CommandError::Unknown("user"));
    }
    settings::USER.write(store, id).await?;
    book.borrow_mut().user = id.to_string();
    Ok(())
}

/// The `meta` key that says the demo's requests are still to be made (`pending`) or made.
pub const DEMO_REQUESTS: &str = "demo_requests";

/// Writes a generated data set in place of the data (the first start's demo; a test build's
/// seeds), monitoring's memory going with the data it watched. With `demo`, the demo's
/// requests are made once its customers are graded ([`seed_demo_requests`]). Not audited: a
/// first start has no trail yet, and the administrator's replacement is [`replace`].
pub async fn write_dataset<S: Store>(
    store: &S,
    data: creditdesk_domain::demo::Dataset,
    demo: bool,
) -> Result<(), StoreError> {
    let (customers, rows) = Rows::split(data);
    store.replace_all(&customers, &rows).await?;
    crate::load::forget_monitoring(store).await?;
    if demo {
        expect_demo_requests(store).await?;
    }
    Ok(())
}

/// A generated book too large to make at once (the benchmark's five million invoices) written as
/// it is made, `per_part` customers at a time: the data replaced by nothing, then each part's
/// customers with the rows that fill whole chunks, and the rest of the rows at the end. `pause`
/// runs after every part (the browser draws and handles input there). Not one transaction:
/// a test build's seed, never a way to replace a company's data.
pub async fn write_in_parts<S: Store, F: std::future::Future<Output = ()>>(
    store: &S,
    spec: &creditdesk_domain::demo::DemoSpec,
    per_part: u32,
    mut pause: impl FnMut() -> F,
) -> Result<(), StoreError> {
    write_dataset(store, Default::default(), false).await?;
    let mut generator = creditdesk_domain::demo::Generator::new(spec);
    let mut rest = Rows::default();
    while let Some(part) = generator.next_part(per_part) {
        let (customers, rows) = Rows::split(part);
        rest.append(rows);
        store
            .import(&customers, &rest.take_full_chunks(), &[], &[])
            .await?;
        pause().await;
    }
    store.import(&[], &rest, &[], &[]).await
}

/// The administrator's "start again": the data replaced with the demo data set (`Some`) or with
/// nothing, audited as [`replace`] says; the demo's requests follow once it is graded.
pub async fn start_again<S: Store>(
    store: &S,
    actor: &User,
    at: i64,
    demo: Option<creditdesk_domain::demo::Dataset>,
) -> Result<(), CommandError> {
    let with_demo = demo.is_some();
    let (customers, rows) = demo.map(Rows::split).unwrap_or_default();
    replace(store, actor, at, &customers, &rows).await?;
    if with_demo {
        expect_demo_requests(store).await?;
    }
    started(store).await?;
    Ok(())
}

/// The stored audit trail checked link by link: its length, or the sequence number of the
/// first entry that does not verify.
pub async fn verify_trail<S: Store>(store: &S) -> Result<Result<usize, u64>, StoreError> {
    let trail = store.load_audit().await?;
    Ok(creditdesk_domain::approval::verify(&trail).map(|()| trail.len()))
}

/// Notes that the demo's requests are to be made once its data set is graded.
pub async fn expect_demo_requests<S: Store>(store: &S) -> Result<(), StoreError> {
    store.set_setting(DEMO_REQUESTS, "pending").await
}

/// Whether this is a local device's first start with nothing in it: its first data is then
/// written (the demo), once. Never on a synced device: its data is the server's.
pub async fn first_start<S: Store>(store: &S) -> Result<bool, StoreError> {
    // The usual start (already initialised) settles it with one read.
    Ok(settings::INITIALIZED.read(store).await?.is_none()
        && !crate::sync::synced(store).await?
        && store.stats().await?.customers == 0)
}

/// Whether this device expires requests past their time itself: a local one does; on a synced
/// one the server does, on its own clock (a device's expiry would be refused there).
pub async fn expires_here<S: Store>(store: &S) -> Result<bool, StoreError> {
    Ok(!crate::sync::synced(store).await?)
}

/// Notes that the first start's data is written (demo, empty or replaced): never again.
pub async fn started<S: Store>(store: &S) -> Result<(), StoreError> {
    settings::INITIALIZED.write(store, "1").await
}

/// After the demo data set is written and graded: its requests and their trail, once. The trail
/// was emptied with the data it described; the demo's starts it afresh (nothing is made when a
/// trail already exists).
pub async fn seed_demo_requests<S: Store>(
    store: &S,
    book: &std::cell::RefCell<crate::Book>,
    lang: creditdesk_domain::demo::DemoLang,
    now: i64,
) -> Result<(), CommandError> {
    if store.setting(DEMO_REQUESTS).await?.as_deref() != Some("pending") {
        return Ok(());
    }
    let (requests, trail) = {
        let d = book.borrow();
        if !d.audit.is_empty() {
            return Ok(());
        }
        creditdesk_domain::demo::requests(
            &d.customers,
            &d.users,
            &d.routes,
            &|id| d.grade(id),
            now,
            d.as_of,
            lang,
        )
    };
    let batch = Batch {
        requests: requests
            .iter()
            .map(|r| (r.id.to_string(), serde_json::to_value(r).expect("json")))
            .collect(),
        audit: trail.clone(),
        settings: vec![(DEMO_REQUESTS.into(), "done".into())],
        ..Batch::default()
    };
    crate::exec::written_through(book, store.commit(&batch)).await?;
    let mut d = book.borrow_mut();
    d.audit = trail;
    d.requests.splice(0..0, requests);
    Ok(())
}
