//! The actions of the approval workflow, as commands of the application crate, and the audited
//! configuration (policy, routes, users), not yet moved there. Nothing here decides who may do
//! what: the domain and the application crate do.

use crate::ui::state::{ctx, db, new_uuid, now, run, run_as, with_data, with_data_mut, SaveError};
use creditdesk_app::{Command, Ctx};
use creditdesk_domain::approval::{
    chain, directory_problems, ApprovalError, AuditEntry, Event, Permission, RouteProblem, Routes,
    State, User,
};
use creditdesk_domain::credit::{Policy, PolicyProblem};
use creditdesk_domain::request::{Attachment, Request, RequestKind};
use creditdesk_domain::*;
use creditdesk_storage::idb::IdbStore;
use creditdesk_storage::{Batch, OutboxEntry, Store, StoreError};

/// Chains `events` after the trail's last entry, commits them with `batch` in one transaction,
/// then appends them to the trail in memory.
///
/// Another tab may have added entries since this one read the trail: then the write fails as a
/// whole (entries are only ever added), this tab reads the trail again and chains once more.
pub async fn commit_audited(
    mut batch: Batch,
    events: Vec<Event>,
    at: i64,
) -> Result<(), StoreError> {
    let store = db()?;
    for attempt in 0..2 {
        let entries = with_data(|d| chain(d.audit.last(), at, events.clone()));
        batch.audit = entries.clone();
        match store.commit(&batch).await {
            Ok(()) => {
                with_data_mut(|d| d.audit.extend(entries));
                return Ok(());
            }
            Err(_) if attempt == 0 => {
                // Perhaps another writer added entries meanwhile: read the trail and chain again.
                // If the failure was something else, the second attempt fails the same way.
                let stored = store.load_audit().await?;
                with_data_mut(|d| d.audit = stored);
            }
            Err(e) => return Err(e),
        }
    }
    unreachable!("the loop returns")
}

fn record(r: &Request) -> (String, serde_json::Value) {
    (r.id.to_string(), serde_json::to_value(r).expect("json"))
}

impl From<ApprovalError> for SaveError {
    fn from(e: ApprovalError) -> Self {
        SaveError::Denied(e)
    }
}

/// Saves a piece of configuration (the policy, the routes, the users, the rules) under its
/// `meta` key, with a `{key}.changed` audit entry holding the JSON before and after, and, when it
/// is versioned, an outbox record; all in one transaction.
pub async fn save_config<T: serde::Serialize>(
    key: &str,
    who: &User,
    before: &T,
    after: &T,
    version: Option<u32>,
    why: String,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(after).expect("json");
    let at = now().0;
    let batch = Batch {
        settings: vec![(key.into(), json.clone())],
        outbox: version
            .map(|version| OutboxEntry {
                entity: key.into(),
                id: key.into(),
                version,
                updated_at: at,
                device: with_data(|d| d.device.to_string()),
                payload: serde_json::to_value(after).expect("json"),
            })
            .into_iter()
            .collect(),
        ..Batch::default()
    };
    let event = Event {
        who: who.id.clone(),
        what: format!("{key}.changed"),
        subject: key.into(),
        before: serde_json::to_string(before).expect("json"),
        after: json,
        why,
    };
    commit_audited(batch, vec![event], at).await
}

/// Files a request for a customer and submits it: it enters the first step of its route.
/// The requester of what monitoring files by itself (a review of an unused limit).
pub fn system_user() -> User {
    User {
        id: "system".into(),
        name: "system".into(),
        roles: vec![creditdesk_domain::approval::Role::Admin],
        region: String::new(),
    }
}

/// Files a request as the signed-in user; `files` are attachments with their bytes, stored in
/// the same transaction.
pub async fn file_request(
    customer: CustomerId,
    kind: RequestKind,
    reason: String,
    files: Vec<(Attachment, Vec<u8>)>,
) -> Result<RequestId, SaveError> {
    let id = RequestId::from_u128(new_uuid());
    let attachments: Vec<Attachment> = files.iter().map(|(a, _)| a.clone()).collect();
    let bytes = files.into_iter().map(|(a, b)| (a.id, b)).collect();
    run(
        Command::FileRequest {
            id,
            customer,
            kind,
            reason,
            attachments,
        },
        bytes,
    )
    .await?;
    Ok(id)
}

/// Approves or rejects the step waiting on the signed-in user.
pub async fn decide(id: RequestId, approve: bool, comment: String) -> Result<State, SaveError> {
    let r = run(
        Command::Decide {
            request: id,
            approve,
            comment,
        },
        Vec::new(),
    )
    .await?;
    r.state.ok_or_else(|| SaveError::Store("no state".into()))
}

/// The requester takes a request back.
pub async fn withdraw(id: RequestId) -> Result<State, SaveError> {
    let r = run(Command::Withdraw { request: id }, Vec::new()).await?;
    r.state.ok_or_else(|| SaveError::Store("no state".into()))
}

/// Expires every open request past its time (at start-up, then every minute while the app is
/// open), as the system.
pub async fn expire_due() -> Result<usize, SaveError> {
    let ctx = Ctx {
        actor: system_user(),
        ..ctx()
    };
    Ok(run_as(&ctx, Command::ExpireDue, Vec::new()).await?.count)
}

/// After start-up: makes the demo's requests once grades exist, then expires what is due.
pub async fn after_boot(store: &IdbStore, lang: demo::DemoLang) {
    if let Err(e) = seed_demo_requests(store, lang).await {
        web_sys::console::warn_1(&format!("demo requests not made: {e}").into());
    }
    if let Err(e) = expire_due().await {
        web_sys::console::warn_1(&format!("expiring requests postponed: {e:?}").into());
    }
}

async fn seed_demo_requests(store: &IdbStore, lang: demo::DemoLang) -> Result<(), StoreError> {
    if store.setting("demo_requests").await?.as_deref() != Some("pending") {
        return Ok(());
    }
    let (requests, trail) = with_data(|d| {
        let now = now().0;
        demo::requests(
            &d.customers,
            &d.users,
            &d.routes,
            &|id| d.grade(id),
            now,
            d.as_of,
            lang,
        )
    });
    let batch = Batch {
        requests: requests.iter().map(record).collect(),
        audit: trail.clone(),
        settings: vec![("demo_requests".into(), "done".into())],
        ..Batch::default()
    };
    // The trail was cleared with the data it described; the demo's starts it afresh.
    if with_data(|d| d.audit.is_empty()) {
        store.commit(&batch).await?;
        with_data_mut(|d| {
            d.audit = trail;
            d.requests.splice(0..0, requests);
        });
    }
    Ok(())
}

/// Cancels a held order outright (no credit is granted, so no approval is needed), with a reason.
pub async fn cancel_held(order: OrderId, reason: String) -> Result<(), SaveError> {
    run(Command::CancelHeld { order, reason }, Vec::new()).await?;
    Ok(())
}

/// Saves the credit policy. Hard problems refuse it; a better grade with stricter rules needs
/// `confirmed`.
pub async fn save_policy(policy: Policy, confirmed: bool) -> Result<(), Vec<PolicyProblem>> {
    let problems = policy.problems();
    if problems.iter().any(|p| !p.needs_confirmation) || (!confirmed && !problems.is_empty()) {
        return Err(problems);
    }
    let (me, before) = with_data(|d| (d.me(), d.policy.clone()));
    if !me.may(Permission::EditPolicy) {
        return Err(Vec::new());
    }
    let policy = Policy {
        version: before.version + 1,
        ..policy
    };
    let why = format!("version {}", policy.version);
    save_config("policy", &me, &before, &policy, Some(policy.version), why)
        .await
        .map_err(|_| Vec::new())?;
    with_data_mut(|d| d.policy = policy);
    Ok(())
}

/// Saves the approval routes as a new version. Requests under way keep the route they took.
pub async fn save_routes(routes: Routes, why: String) -> Result<u32, Vec<RouteProblem>> {
    let mut problems = routes.problems();
    let (me, before) = with_data(|d| (d.me(), d.routes.clone()));
    if !me.may(Permission::EditRoutes) {
        problems.push(RouteProblem {
            code: "R000",
            at: "routes".into(),
            detail: "your role may not change the routes".into(),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let routes = Routes {
        version: before.version + 1,
        ..routes
    };
    save_config("routes", &me, &before, &routes, Some(routes.version), why)
        .await
        .map_err(|e| {
            vec![RouteProblem {
                code: "R-STORE",
                at: "database".into(),
                detail: e.to_string(),
            }]
        })?;
    let version = routes.version;
    with_data_mut(|d| d.routes = routes);
    Ok(version)
}

/// Saves the user directory (admins only).
pub async fn save_users(users: Vec<User>) -> Result<(), Vec<RouteProblem>> {
    let mut problems = directory_problems(&users);
    let (me, before) = with_data(|d| (d.me(), d.users.clone()));
    if !me.may(Permission::ManageUsers) {
        problems.push(RouteProblem {
            code: "U000",
            at: "directory".into(),
            detail: "only an admin may change the users".into(),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    save_config("users", &me, &before, &users, None, String::new())
        .await
        .map_err(|e| {
            vec![RouteProblem {
                code: "U-STORE",
                at: "database".into(),
                detail: e.to_string(),
            }]
        })?;
    with_data_mut(|d| d.users = users);
    Ok(())
}

/// Acts as another user of the directory (the demo's sign-in).
pub async fn switch_user(id: String) -> Result<(), StoreError> {
    db()?.set_setting("user", &id).await?;
    with_data_mut(|d| d.user = id);
    Ok(())
}

/// The stored bytes of an attachment.
pub async fn attachment_bytes(id: &str) -> Result<Option<Vec<u8>>, StoreError> {
    db()?.attachment(id).await
}

/// Re-reads the stored trail and verifies its chain: `Err(seq)` names the first broken entry.
pub async fn verify_stored_audit() -> Result<Result<usize, u64>, StoreError> {
    let trail: Vec<AuditEntry> = db()?.load_audit().await?;
    Ok(creditdesk_domain::approval::verify(&trail).map(|()| trail.len()))
}
