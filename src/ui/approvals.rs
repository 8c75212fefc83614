//! The approval workflow's actions and the audited configuration (policy, routes, users) as the
//! browser runs them: each is a command of the application crate, which decides who may do what;
//! this module only builds the command and maps its refusal for the pages.

use crate::ui::state::{ctx, db, new_uuid, now, run, run_as, SaveError};
use creditdesk_app::{Command, CommandError, Ctx};
use creditdesk_domain::approval::{ApprovalError, RouteCode, RouteProblem, Routes, State, User};
use creditdesk_domain::credit::{Policy, PolicyProblem};
use creditdesk_domain::request::{Attachment, RequestKind};
use creditdesk_domain::*;
use creditdesk_storage::idb::IdbStore;
use creditdesk_storage::{Store, StoreError};

impl From<ApprovalError> for SaveError {
    fn from(e: ApprovalError) -> Self {
        SaveError::Denied(e)
    }
}

/// The requester of what monitoring files by itself (a review of an unused limit).
pub fn system_user() -> User {
    creditdesk_app::system_user()
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
/// open), as the system. Not on a synced device: there the server expires requests on its own
/// clock (a device's command to expire would be refused, and its clock may be wrong).
pub async fn expire_due() -> Result<usize, SaveError> {
    if !creditdesk_app::admin::expires_here(&*db()?).await? {
        return Ok(0);
    }
    let ctx = Ctx {
        actor: system_user(),
        ..ctx()
    };
    Ok(run_as(&ctx, Command::ExpireDue, Vec::new()).await?.count)
}

/// After start-up: makes the demo's requests once grades exist, then expires what is due.
pub async fn after_boot(store: &IdbStore, lang: demo::DemoLang) {
    let book = crate::ui::state::book();
    if let Err(e) = creditdesk_app::admin::seed_demo_requests(store, &book, lang, now().0).await {
        web_sys::console::warn_1(&format!("demo requests not made: {e}").into());
    }
    if let Err(e) = expire_due().await {
        web_sys::console::warn_1(&format!("expiring requests postponed: {e:?}").into());
    }
}

/// Cancels a held order outright (no credit is granted, so no approval is needed), with a reason.
pub async fn cancel_held(order: OrderId, reason: String) -> Result<(), SaveError> {
    run(Command::CancelHeld { order, reason }, Vec::new()).await?;
    Ok(())
}

/// Saves the credit policy. Hard problems refuse it; a better grade with stricter rules needs
/// `confirmed`.
pub async fn save_policy(policy: Policy, confirmed: bool) -> Result<(), Vec<PolicyProblem>> {
    match run(Command::SavePolicy { policy, confirmed }, Vec::new()).await {
        Ok(_) => Ok(()),
        Err(SaveError::Refused(CommandError::Policy(p))) => Err(p),
        Err(_) => Err(Vec::new()),
    }
}

/// The problems a refused save of routes or users is shown with.
fn route_problems(e: SaveError, code: RouteCode) -> Vec<RouteProblem> {
    match e {
        SaveError::Refused(CommandError::Routes(p)) => p,
        e => vec![RouteProblem {
            code,
            at: "database".into(),
            detail: format!("{e:?}"),
        }],
    }
}

/// Saves the approval routes as a new version. Requests under way keep the route they took.
pub async fn save_routes(routes: Routes, why: String) -> Result<u32, Vec<RouteProblem>> {
    run(Command::SaveRoutes { routes, why }, Vec::new())
        .await
        .map(|r| r.count as u32)
        .map_err(|e| route_problems(e, RouteCode::Store))
}

/// Saves the user directory (admins only).
pub async fn save_users(users: Vec<User>) -> Result<(), Vec<RouteProblem>> {
    run(Command::SaveUsers { users }, Vec::new())
        .await
        .map(|_| ())
        .map_err(|e| route_problems(e, RouteCode::DirectoryStore))
}

/// Acts as another user of the directory (the demo's sign-in).
pub async fn switch_user(id: String) -> Result<(), CommandError> {
    creditdesk_app::admin::switch_user(&*db()?, &crate::ui::state::book(), &id).await
}

/// The bytes of an attachment: stored on this device, or (on a synced device, for a request
/// another device filed) fetched from the server once and kept.
pub async fn attachment_bytes(id: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let store = db()?;
    if let Some(bytes) = store.attachment(id).await? {
        return Ok(Some(bytes));
    }
    if !creditdesk_app::sync::synced(&*store).await? {
        return Ok(None);
    }
    let Some(bytes) = crate::ui::sync::fetch_attachment(id).await else {
        return Ok(None);
    };
    creditdesk_app::sync::keep_attachment(&*store, id, &bytes).await?;
    Ok(Some(bytes))
}

/// Re-reads the stored trail and verifies its chain: `Err(seq)` names the first broken entry.
pub async fn verify_stored_audit() -> Result<Result<usize, u64>, StoreError> {
    creditdesk_app::admin::verify_trail(&*db()?).await
}
