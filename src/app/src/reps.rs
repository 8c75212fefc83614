//! A customer's sales rep is a user's id ([`creditdesk_domain::approval::User::sees`]). Data
//! stored before that named the rep by name: customers, the reps a rule is limited to, alerts
//! and collection tasks. [`link_reps`] turns each such name into the id of the one user who has
//! it, once per store, and writes the result; a name that no user (or several) has is left as it
//! was and reported, so that an administrator can add the user or pick the rep.

use creditdesk_domain::approval::User;
use creditdesk_domain::import::user_named;
use creditdesk_domain::monitor::{Alert, Task};
use creditdesk_storage::{settings, Batch, Docs, Store, StoreError};
use std::collections::BTreeSet;

/// The setting that says the store's reps are users' ids. A restore or merge clears it (an older
/// backup may name reps by name), so the next start links again.
pub const LINKED: &str = "reps_linked";

/// What a stored rep becomes: unchanged (already an id, or empty), a user's id, or nobody.
fn link(users: &[User], rep: &str, unknown: &mut BTreeSet<String>) -> Option<String> {
    if rep.is_empty() || users.iter().any(|u| u.id == rep) {
        return None;
    }
    match user_named(users, rep) {
        Ok(id) => Some(id),
        Err(_) => {
            unknown.insert(rep.to_string());
            None
        }
    }
}

/// Links the reps stored by name to users' ids (see the module docs); does nothing once done.
/// Returns a warning per name that matched no user or several.
pub async fn link_reps<S: Store>(store: &S) -> Result<Vec<String>, StoreError> {
    if store.setting(LINKED).await?.is_some() {
        return Ok(Vec::new());
    }
    let users = settings::USERS.read(store).await?.unwrap_or_default();
    if users.is_empty() {
        // A first start (the directory is written after this): nothing stored names a rep.
        store.set_setting(LINKED, "1").await?;
        return Ok(Vec::new());
    }
    let mut unknown = BTreeSet::new();
    let mut batch = Batch {
        // A format's upgrade, not a user's change: nothing to sync.
        no_outbox: true,
        ..Batch::default()
    };
    for mut c in store.load_customers().await? {
        if let Some(id) = link(&users, &c.sales_rep, &mut unknown) {
            c.sales_rep = id;
            batch.customers.push(c);
        }
    }
    if let Ok(Some(mut rules)) = settings::RULES.read(store).await {
        let mut changed = false;
        for rep in rules.rules.iter_mut().flat_map(|r| r.reps.iter_mut()) {
            if let Some(id) = link(&users, rep, &mut unknown) {
                *rep = id;
                changed = true;
            }
        }
        if changed {
            settings::RULES.put(&mut batch, &rules);
        }
    }
    for (key, json) in store.docs(Docs::Tasks).await? {
        let mut t: Task = serde_json::from_str(&json)
            .map_err(|e| StoreError::corrupt(format!("task {key}"), e))?;
        if let Some(id) = link(&users, &t.owner, &mut unknown) {
            t.owner = id;
            batch
                .docs
                .push((Docs::Tasks, key, serde_json::to_string(&t).expect("json")));
        }
    }
    // Parsed with turns for the page (the large book's 12,000 alerts, once after a restore,
    // were a task of 83 ms traced).
    let alerts = crate::load::parse_docs(
        store,
        Docs::Alerts,
        "alert",
        crate::monitoring::ALERTS_PER_TURN,
        |j| serde_json::from_str::<Alert>(j),
    )
    .await?;
    for (key, mut a) in alerts {
        if let Some(id) = a.rep.as_deref().and_then(|r| link(&users, r, &mut unknown)) {
            a.rep = Some(id);
            batch
                .docs
                .push((Docs::Alerts, key, serde_json::to_string(&a).expect("json")));
        }
    }
    batch.settings.push((LINKED.into(), "1".into()));
    store.commit(&batch).await?;
    Ok(unknown
        .into_iter()
        .map(|name| {
            format!("sales rep \"{name}\" is no user of the directory (or several): left as it was")
        })
        .collect())
}
