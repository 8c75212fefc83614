//! Sync with a CreditDesk server, when the app is served by one: sign-in, push of the commands
//! still to send, pull of what changed, live notice of other users' changes (server-sent events),
//! and the "not accepted" list. The decisions are the application crate's
//! (`creditdesk_app::sync`); this module is the browser's glue: HTTP (gloo-net), timers, signals.
//!
//! Served as static files with no server behind (`/api/v1/health` does not answer), the app stays
//! local-only, as before: this module then does nothing.

use crate::ui::link::api;
use crate::ui::state::{book, db, now, today, with_data, with_data_mut, AppState};
use creditdesk_app::sync::{
    self as app_sync, PullReply, Push, PushReply, Refused, Session, LAST_SYNC, REFUSED, SESSION,
};
use creditdesk_domain::approval::User;
use creditdesk_storage::idb::LockState;
use creditdesk_storage::vault::Secret;
use creditdesk_storage::{Store, StoreError};
use gloo_net::http::Request;
use leptos::prelude::*;
use serde::Deserialize;
use std::cell::Cell;

/// What went wrong talking to the server.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncError {
    /// No answer: offline, or the server is down.
    Unreachable,
    /// 401: signed out or the session expired (`SRV-SESSION-EXPIRED`).
    SignedOut {
        expired: bool,
    },
    /// Too many wrong passwords.
    Throttled,
    WrongPassword,
    /// Another user's changes wait on this device.
    OtherUserPending,
    /// Changes wait to be sent: signing out now would strand them.
    Unsynced,
    /// 410: an administrator reported this device lost (its data is being erased).
    DeviceLost,
    /// Any other refusal, with the server's code and sentence.
    Server {
        code: String,
        message: String,
    },
    Store(String),
    /// The device's data must be encrypted, and another tab has it open (see
    /// `creditdesk_storage::tabs`).
    OtherTabs,
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        if let StoreError::OtherTabs(_) = e {
            return SyncError::OtherTabs;
        }
        SyncError::Store(e.to_string())
    }
}

#[derive(Deserialize)]
struct ApiError {
    code: String,
    message: String,
}

/// The sync state the header shows.
#[derive(Clone, Copy)]
pub struct SyncSignals {
    /// Served by a server (else local-only).
    pub server: RwSignal<bool>,
    /// Who is signed in (server mode).
    pub session: RwSignal<Option<Session>>,
    /// The sign-in page is showing.
    pub sign_in: RwSignal<bool>,
    /// No one can sign in yet: the page creates the administrator.
    pub first_run: RwSignal<bool>,
    pub pending: RwSignal<usize>,
    pub refused: RwSignal<Vec<Refused>>,
    pub last_sync: RwSignal<Option<i64>>,
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<SyncError>>,
    /// A short code of this device, in the numbers of the documents it makes offline, so that
    /// two devices never pick the same next number (`SO-7F3A-2026-0000001`).
    pub device_tag: RwSignal<Option<String>>,
    /// A pull's ledger chunks on their way: bytes fetched and bytes to fetch.
    pub progress: RwSignal<Option<(u64, u64)>>,
}

impl SyncSignals {
    pub fn new() -> SyncSignals {
        SyncSignals {
            server: RwSignal::new(false),
            session: RwSignal::new(None),
            sign_in: RwSignal::new(false),
            first_run: RwSignal::new(false),
            pending: RwSignal::new(0),
            refused: RwSignal::new(Vec::new()),
            last_sync: RwSignal::new(None),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            device_tag: RwSignal::new(None),
            progress: RwSignal::new(None),
        }
    }
}

impl Default for SyncSignals {
    fn default() -> Self {
        SyncSignals::new()
    }
}

thread_local! {
    /// A sync is running: commands wait for it (a pull replaces the stored data).
    static BUSY: Cell<bool> = const { Cell::new(false) };
    /// A sync was asked for while one ran: run again after it.
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    /// A new device's first sync shows the pulled list while the ledger's chunks still come: the
    /// start-up stops after the sync and runs again once the ledger is stored.
    static LEDGER_COMING: Cell<bool> = const { Cell::new(false) };
    /// This device's client id, named in every request (`X-CreditDesk-Device`), once known.
    static DEVICE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// How many `change` events of the server's stream this page has had.
    static LIVE: Cell<u32> = const { Cell::new(0) };
    /// How many starts asked to keep this page in sync, and how many times the timer, the
    /// listener and the event stream that do it were put in place (once a page).
    static KEEPING: Cell<(u32, u32)> = const { Cell::new((0, 0)) };
}

/// Every request names this device, so that the server can tell it apart and, when an
/// administrator reported it lost, answer so.
fn named(r: gloo_net::http::RequestBuilder) -> gloo_net::http::RequestBuilder {
    match DEVICE.with_borrow(|d| d.clone()) {
        Some(d) => r.header("X-CreditDesk-Device", &d),
        None => r,
    }
}

/// Whether a new device's ledger is still on its way (the start-up then stops after the sync).
pub fn ledger_coming() -> bool {
    LEDGER_COMING.get()
}

/// Waits while a sync replaces the data, so that no command is written into data being replaced.
pub async fn wait_idle() {
    while BUSY.get() {
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
}

/// A refusal of the server, as the app says it.
async fn refusal(r: gloo_net::http::Response) -> SyncError {
    let Ok(e) = r.json::<ApiError>().await else {
        return SyncError::Unreachable;
    };
    match (r.status(), e.code.as_str()) {
        (_, "SRV-DEVICE-LOST") => {
            crate::ui::lock::erase_lost_device();
            SyncError::DeviceLost
        }
        (_, "SRV-WRONG-PASSWORD") => SyncError::WrongPassword,
        (_, "SRV-SESSION-EXPIRED") => SyncError::SignedOut { expired: true },
        (401, _) => SyncError::SignedOut { expired: false },
        (429, _) => SyncError::Throttled,
        _ => SyncError::Server {
            code: e.code,
            message: e.message,
        },
    }
}

async fn answer<T: for<'de> Deserialize<'de>>(
    r: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<T, SyncError> {
    let r = r.map_err(|_| SyncError::Unreachable)?;
    if !r.ok() {
        return Err(refusal(r).await);
    }
    r.json::<T>().await.map_err(|e| SyncError::Server {
        code: "SRV-ANSWER".into(),
        message: e.to_string(),
    })
}

/// A binary answer (a ledger chunk).
async fn get_bytes(path: &str) -> Result<Vec<u8>, SyncError> {
    let r = named(Request::get(&api(path)))
        .send()
        .await
        .map_err(|_| SyncError::Unreachable)?;
    if !r.ok() {
        return Err(refusal(r).await);
    }
    r.binary().await.map_err(|_| SyncError::Unreachable)
}

/// The ledger's chunks of a pulled snapshot: those this device holds already (by SHA-256) are
/// reused, the others fetched as bytes, with the progress on show.
async fn fetch_chunks(
    state: AppState,
    store: &creditdesk_storage::idb::IdbStore,
    snapshot: &app_sync::Snapshot,
) -> Result<Vec<(String, Vec<u8>)>, SyncError> {
    let held = if snapshot.ledger.is_empty() {
        Vec::new()
    } else {
        store.load_ledger().await?.chunks
    };
    let (mut have, missing) = app_sync::to_fetch(snapshot, held);
    let total: u64 = missing.iter().map(|r| r.bytes).sum();
    let mut done = 0;
    state.sync.progress.set(Some((0, total)));
    // A few at a time: one chunk's bytes are taken in while the next ones travel.
    use futures_util::StreamExt;
    let cursor = snapshot.cursor;
    let mut arriving = futures_util::stream::iter(missing.iter().map(|r| async move {
        let path = format!("/api/v1/pull/chunk?cursor={cursor}&key={}", r.key);
        (r.key.clone(), get_bytes(&path).await)
    }))
    .buffer_unordered(4);
    while let Some((key, got)) = arriving.next().await {
        let bytes = match got {
            Ok(b) => b,
            Err(e) => {
                state.sync.progress.set(None);
                return Err(e);
            }
        };
        done += bytes.len() as u64;
        state.sync.progress.set(Some((done, total)));
        have.insert(key, bytes);
    }
    drop(arriving);
    state.sync.progress.set(None);
    crate::ui::state::publish_timing("pullChunksFetched", missing.len() as f64);
    crate::ui::state::publish_timing("pullBytesFetched", done as f64);
    Ok(snapshot.chunks_from(have)?)
}

/// A request that changes something on the server carries the app's header, which no other
/// site's page can add (the server's guard against cross-site requests: `security.rs`).
fn changing(r: gloo_net::http::RequestBuilder) -> gloo_net::http::RequestBuilder {
    named(r).header("X-CreditDesk", "1")
}

async fn get<T: for<'de> Deserialize<'de>>(path: &str) -> Result<T, SyncError> {
    answer(named(Request::get(&api(path))).send().await).await
}

async fn post<T: for<'de> Deserialize<'de>>(
    path: &str,
    body: &impl serde::Serialize,
) -> Result<T, SyncError> {
    let req = changing(Request::post(&api(path)))
        .json(body)
        .map_err(|e| SyncError::Store(e.to_string()))?;
    answer(req.send().await).await
}

/// An attachment's bytes from the server (a pull names attachments, it does not carry them);
/// `None` offline, or when the server has none for this user.
pub async fn fetch_attachment(id: &str) -> Option<Vec<u8>> {
    let path = format!(
        "/api/v1/attachments/{}",
        String::from(js_sys::encode_uri_component(id))
    );
    get_bytes(&path).await.ok()
}

/// What `/api/v1/health` says: a server is there, and whether it waits for its first
/// administrator.
#[derive(Deserialize)]
pub struct Health {
    first_run: bool,
}

#[derive(Deserialize)]
struct Me {
    user: User,
    expires_at: i64,
}

/// What a start learned of the server behind the page.
pub enum Probe {
    /// A server answered.
    Up(Health),
    /// Something answered that is not a server (a static host), or nothing could be reached
    /// (offline): the answer came at once.
    Absent,
    /// Nothing answered within [`PROBE_WAIT_MS`]: a server that took the connection and hangs,
    /// or a network that swallows requests. A device that has been served starts offline; a
    /// new one cannot tell this from a server and does not start alone (see `state::boot`).
    Silent,
}

/// How long a start waits for the server's health answer (a few hundred bytes; on the slowest
/// network the benchmark throttles to it takes under half a second).
pub const PROBE_WAIT_MS: u32 = 5_000;

/// Whether a server answers behind the page, and whether it waits for its first administrator.
/// The page asks as it loads (`index.html`, `window.__cd_health`), while the app's files are
/// still downloading; the first start takes that answer, and every later one asks again. Waits
/// at most [`PROBE_WAIT_MS`].
pub async fn probe() -> Probe {
    let ask = std::pin::pin!(ask_health());
    let wait = gloo_timers::future::TimeoutFuture::new(PROBE_WAIT_MS);
    match futures_util::future::select(ask, wait).await {
        futures_util::future::Either::Left((Some(h), _)) => Probe::Up(h),
        futures_util::future::Either::Left((None, _)) => Probe::Absent,
        futures_util::future::Either::Right(_) => Probe::Silent,
    }
}

async fn ask_health() -> Option<Health> {
    use wasm_bindgen::JsCast;
    let r = match early_probe() {
        // The page's request, read by the same rules as this one's.
        Some(early) => gloo_net::http::Response::from(
            wasm_bindgen_futures::JsFuture::from(early)
                .await
                .ok()?
                .dyn_into::<web_sys::Response>()
                .ok()?,
        ),
        None => Request::get(&api("/api/v1/health")).send().await.ok()?,
    };
    if !r.ok() {
        return None;
    }
    r.json::<Health>().await.ok()
}

/// The page's own health request, taken once (the next start asks afresh).
fn early_probe() -> Option<js_sys::Promise> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window()?;
    let key = wasm_bindgen::JsValue::from_str("__cd_health");
    let promise = js_sys::Reflect::get(&window, &key).ok()?;
    js_sys::Reflect::delete_property(&window, &key).ok()?;
    promise.dyn_into::<js_sys::Promise>().ok()
}

/// At start-up, with what [`probe`] found: whether the app is served by a server and who is
/// signed in. Returns
/// the user to act as, or `None` when the sign-in page must show (the caller stops there).
/// Local-only (no server, never synced): `Some(None)`, the app works as before.
pub async fn start(
    state: AppState,
    up: Option<Health>,
) -> Result<Option<Option<User>>, StoreError> {
    let store = db()?;
    let s = state.sync;
    let known = app_sync::synced(&*store).await?;
    if up.is_none() && !known {
        return Ok(Some(None));
    }
    s.server.set(true);
    let client = client_id(&*store).await?;
    DEVICE.with_borrow_mut(|d| *d = Some(client.clone()));
    s.device_tag.set(Some(app_sync::series_tag(&client)));
    if !known {
        app_sync::mark_served(&*store).await?;
    }
    s.first_run.set(up.as_ref().is_some_and(|h| h.first_run));
    s.refused
        .set(REFUSED.read(&*store).await?.unwrap_or_default());
    s.last_sync.set(LAST_SYNC.read(&*store).await?);
    let stored = SESSION.read(&*store).await?;
    let session = if up.is_some() {
        match get::<Me>("/api/v1/me").await {
            Ok(me) => Some(Session {
                user: me.user,
                expires_at: me.expires_at,
            }),
            Err(SyncError::Unreachable) => stored.filter(|x| x.holds_at(now().0)),
            // Not signed in on this device (yet): the sign-in page says all there is to say.
            Err(SyncError::SignedOut { expired: false }) if stored.is_none() => None,
            Err(e) => {
                s.error.set(Some(e));
                None
            }
        }
    } else {
        // Offline: the last signed-in user, until their session ends; never anyone else.
        match stored {
            Some(x) if x.holds_at(now().0) => Some(x),
            Some(_) => {
                s.error.set(Some(SyncError::SignedOut { expired: true }));
                None
            }
            None => {
                s.error.set(Some(SyncError::Unreachable));
                None
            }
        }
    };
    // A device that synced before its data was encrypted (an older version of the app) signs in
    // again when the server answers: the password is what encrypts it. Offline it works on as
    // before, until it can.
    let unencrypted = up.is_some() && store.lock_state() == LockState::Plain;
    match session {
        Some(_) if unencrypted => {
            s.sign_in.set(true);
            Ok(None)
        }
        Some(x) => {
            let user = x.user.clone();
            keep_session(&x).await?;
            s.session.set(Some(x));
            Ok(Some(Some(user)))
        }
        None => {
            s.sign_in.set(true);
            Ok(None)
        }
    }
}

async fn keep_session(x: &Session) -> Result<(), StoreError> {
    app_sync::keep_session(&*db()?, x).await
}

/// Signs in (or, on a first run, creates the administrator), then loads the app as that user.
pub async fn sign_in(
    state: AppState,
    user: String,
    password: String,
    name: Option<String>,
) -> Result<(), SyncError> {
    let store = db()?;
    // Another user's unsynced changes must not be pushed as this user, nor lost.
    if app_sync::other_user_pending(&*store, user.trim()).await? {
        return Err(SyncError::OtherUserPending);
    }
    // A new device's data is encrypted under the password once the server has said yes, which
    // another tab with the data open would refuse: asked first, so that the server is not asked
    // (a first run's set-up done, a session begun) for a sign-in the device then refuses.
    if store.lock_state() == LockState::Plain && store.other_tabs().await? > 0 {
        return Err(SyncError::OtherTabs);
    }
    let body = match &name {
        Some(n) => serde_json::json!({"user": user.trim(), "name": n.trim(), "password": password}),
        None => serde_json::json!({"user": user.trim(), "password": password}),
    };
    let path = if name.is_some() {
        "/api/v1/setup"
    } else {
        "/api/v1/session"
    };
    let me: Me = post(path, &body).await?;
    // The password just proved opens this device's data from now on: the data is encrypted
    // under it (a new device), or its key is wrapped under it again (the password may have
    // changed on another device). A device that opens with a PIN keeps its PIN.
    match store.lock_state() {
        LockState::Plain => store.encrypt(&password, Secret::Password).await?,
        LockState::Unlocked(Secret::Password) => store.rewrap(&password, Secret::Password).await?,
        _ => {}
    }
    let session = Session {
        user: me.user,
        expires_at: me.expires_at,
    };
    keep_session(&session).await?;
    state.sync.session.set(Some(session));
    state.sync.sign_in.set(false);
    state.sync.first_run.set(false);
    state.sync.error.set(None);
    crate::ui::state::boot(state).await;
    Ok(())
}

/// Changes the signed-in user's password (the server ends their other sessions).
pub async fn change_password(old: String, new: String) -> Result<(), SyncError> {
    post_done(
        "/api/v1/password",
        &serde_json::json!({"old": old, "new": new}),
    )
    .await?;
    // This device's data now opens with the new password (unless it opens with a PIN).
    let store = db()?;
    if store.lock_state() == LockState::Unlocked(Secret::Password) {
        store.rewrap(&new, Secret::Password).await?;
    }
    Ok(())
}

/// An administrator sets a user's password (the user as the directory has them).
pub async fn set_password(user: User, password: String) -> Result<(), SyncError> {
    post_done(
        "/api/v1/users",
        &serde_json::json!({"user": user, "password": password}),
    )
    .await
}

async fn put<T: for<'de> Deserialize<'de>>(
    path: &str,
    body: &impl serde::Serialize,
) -> Result<T, SyncError> {
    let req = changing(Request::put(&api(path)))
        .json(body)
        .map_err(|e| SyncError::Store(e.to_string()))?;
    answer(req.send().await).await
}

pub use creditdesk_app::deliveries::{Delivery, JobRun};

/// My messages (the notices of the app's channel), newest first.
pub async fn messages() -> Result<Vec<Delivery>, SyncError> {
    get("/api/v1/notices").await
}

/// The notice settings I may see: all of them for an administrator.
pub async fn notice_settings() -> Result<creditdesk_domain::notice::Settings, SyncError> {
    get("/api/v1/notices/settings").await
}

/// Saves them (the server runs `SaveNotices` as me) and returns what is saved.
pub async fn save_notice_settings(
    s: &creditdesk_domain::notice::Settings,
) -> Result<creditdesk_domain::notice::Settings, SyncError> {
    put("/api/v1/notices/settings", s).await
}

/// A reminder the server queued to a customer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Reminder {
    pub to: String,
    pub subject: String,
    pub lang: String,
}

/// Asks the server to e-mail a customer the reminder of its open invoices, in its language.
pub async fn send_reminder(customer: creditdesk_domain::CustomerId) -> Result<Reminder, SyncError> {
    post(
        &format!("/api/v1/customers/{customer}/reminder"),
        &serde_json::json!({}),
    )
    .await
}

/// Every delivery, newest first (administrators only).
pub async fn notice_log() -> Result<Vec<Delivery>, SyncError> {
    get("/api/v1/notices/log").await
}

/// Sends a delivery again now (administrators only).
pub async fn retry_notice(id: i64) -> Result<(), SyncError> {
    post_done(
        &format!("/api/v1/notices/{id}/retry"),
        &serde_json::json!({}),
    )
    .await
}

/// An ERP API key as the administrator lists it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    pub acts_as: String,
    pub scopes: Vec<String>,
    pub created_by: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// A new key and its secret, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct NewApiKey {
    pub key: ApiKey,
    pub secret: String,
}

/// An ERP webhook subscription (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ErpHook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_by: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A new subscription and its signing secret, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct NewErpHook {
    pub hook: ErpHook,
    pub secret: String,
}

/// The ERP API's keys (administrators only).
pub async fn api_keys() -> Result<Vec<ApiKey>, SyncError> {
    get("/api/v1/api-keys").await
}

/// Creates a key acting as `acts_as` with `scopes` (administrators only).
pub async fn create_api_key(
    name: String,
    acts_as: String,
    scopes: Vec<String>,
) -> Result<NewApiKey, SyncError> {
    post(
        "/api/v1/api-keys",
        &serde_json::json!({"name": name, "acts_as": acts_as, "scopes": scopes}),
    )
    .await
}

/// Revokes a key (administrators only).
pub async fn revoke_api_key(id: &str) -> Result<(), SyncError> {
    delete(&format!(
        "/api/v1/api-keys/{}",
        String::from(js_sys::encode_uri_component(id))
    ))
    .await
}

/// The ERP's webhook subscriptions (administrators only).
pub async fn erp_hooks() -> Result<Vec<ErpHook>, SyncError> {
    get("/api/v1/erp-hooks").await
}

/// Subscribes `url` to `events` (administrators only).
pub async fn create_erp_hook(url: String, events: Vec<String>) -> Result<NewErpHook, SyncError> {
    post(
        "/api/v1/erp-hooks",
        &serde_json::json!({"url": url, "events": events}),
    )
    .await
}

/// Ends a subscription (administrators only).
pub async fn end_erp_hook(id: &str) -> Result<(), SyncError> {
    delete(&format!(
        "/api/v1/erp-hooks/{}",
        String::from(js_sys::encode_uri_component(id))
    ))
    .await
}

/// A DELETE whose success has no body.
async fn delete(path: &str) -> Result<(), SyncError> {
    done(changing(Request::delete(&api(path))).send().await).await
}

/// The answer to a request whose success has no body.
async fn done(sent: Result<gloo_net::http::Response, gloo_net::Error>) -> Result<(), SyncError> {
    let r = sent.map_err(|_| SyncError::Unreachable)?;
    if r.ok() {
        Ok(())
    } else {
        Err(refusal(r).await)
    }
}

/// The server's jobs (administrators only).
pub async fn jobs() -> Result<Vec<JobRun>, SyncError> {
    get("/api/v1/jobs").await
}

/// A POST whose success has no body.
async fn post_done(path: &str, body: &impl serde::Serialize) -> Result<(), SyncError> {
    let req = changing(Request::post(&api(path)))
        .json(body)
        .map_err(|e| SyncError::Store(e.to_string()))?;
    done(req.send().await).await
}

/// Signs out: first sends what waits (the next person must not push it as theirs, and it must
/// not be lost), then ends the session on the server and erases this device's copy of the data.
/// With changes still waiting (no connection), it does not sign out and says why.
pub async fn sign_out(state: AppState) {
    // A start reading the book syncs when it is done (no sync runs meanwhile): its end is awaited
    // (a minute at most: a start that failed never ends), so that what waits is sent.
    for _ in 0..600 {
        if state.ledger_ready.get_untracked()
            || matches!(
                state.phase.get_untracked(),
                crate::ui::state::Phase::Failed(_) | crate::ui::state::Phase::Unanswered
            )
        {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(100).await;
    }
    sync_now(state).await;
    while BUSY.get() {
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    count_pending(state).await;
    if state.sync.pending.get_untracked() > 0 {
        state.sync.error.set(Some(SyncError::Unsynced));
        return;
    }
    let _ = changing(Request::delete(&api("/api/v1/session")))
        .send()
        .await;
    // Nothing waits to be sent: this device's copy is erased (the next person to sign in pulls
    // their own, under their own password), and the page starts again with nothing in memory.
    if let Ok(store) = db() {
        if store.wipe().await.is_err() {
            let _ = app_sync::forget_session(&*store).await;
        }
    }
    // The other tabs of the app show the data of a session that ended: they start again too.
    crate::ui::lock::tell_other_tabs(crate::ui::lock::Told::Erased);
    state.sync.session.set(None);
    state.sync.sign_in.set(true);
    crate::ui::lock::restart_page();
}

/// Pushes what waits, then pulls what changed; at most one at a time (a second call while one
/// runs makes it run once more after).
pub async fn sync_now(state: AppState) {
    if !state.sync.server.get_untracked() || state.sync.session.get_untracked().is_none() {
        return;
    }
    // A start under way (after a sign-in, a restore) reads the book from the store and syncs
    // first itself; a pull adopted now would put a book in its place that the start then fills
    // with the ledger it read before. It keeps the device in sync once it is done.
    if !state.ledger_ready.get_untracked() {
        return;
    }
    if BUSY.get() {
        AGAIN.set(true);
        return;
    }
    BUSY.set(true);
    state.sync.busy.set(true);
    loop {
        AGAIN.set(false);
        let r = once(state, true).await;
        match r {
            Ok(()) => state.sync.error.set(None),
            Err(SyncError::SignedOut { expired }) => {
                state.sync.error.set(Some(SyncError::SignedOut { expired }));
                state.sync.sign_in.set(true);
                break;
            }
            Err(e) => {
                state.sync.error.set(Some(e));
                break;
            }
        }
        if !AGAIN.get() {
            break;
        }
    }
    BUSY.set(false);
    state.sync.busy.set(false);
    count_pending(state).await;
}

/// At start-up, before the data loads: push and pull once (the caller loads what was pulled).
pub async fn first_sync(state: AppState) {
    // A sync begun before this start (the page's, before a sign-in) ends first: one at a time.
    while BUSY.get() {
        gloo_timers::future::TimeoutFuture::new(50).await;
    }
    BUSY.set(true);
    state.sync.busy.set(true);
    match once(state, false).await {
        Ok(()) => state.sync.error.set(None),
        Err(e) => state.sync.error.set(Some(e)),
    }
    // A new device's ledger still coming keeps commands waiting until it is stored.
    if !LEDGER_COMING.get() {
        BUSY.set(false);
        state.sync.busy.set(false);
    }
}

/// A new device's first sync, second half: with the pulled list on screen, fetches the ledger's
/// chunks (progress on show), stores the whole snapshot in one transaction, and runs the
/// start-up again on what is stored. If it fails, nothing was stored: the device stays empty and
/// its next start syncs afresh.
async fn finish_first_sync(state: AppState, snapshot: app_sync::Snapshot) {
    let done: Result<(), SyncError> = async {
        let store = db()?;
        let chunks = fetch_chunks(state, &store, &snapshot).await?;
        crate::ui::state::publish_timing("pullFetchedAt", crate::ui::state::perf_now());
        app_sync::adopt(&*store, &snapshot, &chunks).await?;
        crate::ui::state::publish_timing("pullAdoptedAt", crate::ui::state::perf_now());
        mark_synced(state, &store).await
    }
    .await;
    LEDGER_COMING.set(false);
    BUSY.set(false);
    state.sync.busy.set(false);
    match done {
        Ok(()) => state.sync.error.set(None),
        Err(e) => state.sync.error.set(Some(e)),
    }
    crate::ui::state::boot(state).await;
}

async fn once(state: AppState, reload: bool) -> Result<(), SyncError> {
    let store = db()?;
    let pushed = app_sync::pending(&*store).await?;
    // Orders this device recorded as they stand here: the server may hold one (another device
    // used the credit first), and the rep must hear of it.
    let mine = with_data(|d| app_sync::orders_as_pushed(d, &pushed));
    if !pushed.is_empty() {
        let client = client_id(&*store).await?;
        // In pushes the server takes (files are large); each answered before the next goes.
        let mut refused = 0;
        for part in app_sync::pushes(pushed.clone()) {
            let reply: PushReply = post(
                "/api/v1/push",
                &Push {
                    client: client.clone(),
                    mutations: part.iter().map(|(_, m)| m.clone()).collect(),
                },
            )
            .await?;
            refused += app_sync::answered(&*store, &part, &reply).await?;
        }
        if refused > 0 {
            state
                .sync
                .refused
                .set(REFUSED.read(&*store).await?.unwrap_or_default());
            state.toast.set(Some(format!(
                "{refused} {}",
                state.t(crate::ui::i18n::T::Refusals)
            )));
        }
    }
    let cursor = app_sync::CURSOR.read(&*store).await?.unwrap_or(0);
    // A new device (nothing pulled, nothing to push): the list shows from the snapshot while the
    // ledger's chunks come; nothing is stored until all of it is there.
    if cursor == 0 && pushed.is_empty() && !reload {
        let reply: PullReply = get("/api/v1/pull?cursor=0").await?;
        if let PullReply::Snapshot(snapshot) = reply {
            crate::ui::state::publish_timing("pullSnapshotAt", crate::ui::state::perf_now());
            crate::ui::state::publish_timing("pullLedgerBytes", snapshot.ledger_bytes() as f64);
            // The start-up has not loaded this device's id into the book yet: read it.
            let device = creditdesk_storage::settings::DEVICE
                .read(&*store)
                .await?
                .and_then(|s| creditdesk_domain::DeviceId::parse(&s))
                .unwrap_or_else(|| with_data(|d| d.device));
            with_data_mut(|d| *d = snapshot.book_without_ledger(device));
            state.ledger_ready.set(false);
            state.figures_ready.set(false);
            state.phase.set(crate::ui::state::Phase::Ready);
            state.changed();
            LEDGER_COMING.set(true);
            leptos::task::spawn_local(finish_first_sync(state, *snapshot));
        }
        return Ok(());
    }
    let mut reply = pull(&store, state, cursor).await?;
    if let PullReply::Snapshot(snapshot) = &reply {
        crate::ui::state::publish_timing("pullSnapshotAt", crate::ui::state::perf_now());
        crate::ui::state::publish_timing("pullLedgerBytes", snapshot.ledger_bytes() as f64);
    }
    let mut fetched = None;
    for attempt in 0..2 {
        let PullReply::Snapshot(snapshot) = &reply else {
            break;
        };
        match fetch_chunks(state, &store, snapshot).await {
            Ok(chunks) => {
                fetched = Some(chunks);
                break;
            }
            // A newer snapshot replaced this one on the server while the chunks came: pull again.
            Err(SyncError::Server { code, .. }) if code == "SRV-PULL-GONE" && attempt == 0 => {
                reply = pull(&store, state, cursor).await?;
            }
            Err(e) => return Err(e),
        }
    }
    if let (PullReply::Snapshot(snapshot), Some(chunks)) = (reply, fetched) {
        crate::ui::state::publish_timing("pullFetchedAt", crate::ui::state::perf_now());
        if !reload {
            // The start-up reads the store next; the pending commands stay in the outbox and
            // are pushed by the next sync (their effects show once the server applies them).
            app_sync::adopt(&*store, &snapshot, &chunks).await?;
            crate::ui::state::publish_timing("pullAdoptedAt", crate::ui::state::perf_now());
            return mark_synced(state, &store).await;
        }
        // Adopted and read again as one write of the book: nothing kept meanwhile for the next
        // start is filed under the adopted data (see `keep_figures`).
        let as_of = state.today.get_untracked();
        let held = app_sync::adopt_onto(&*store, &book(), as_of, &snapshot, &chunks, &mine).await?;
        crate::ui::state::publish_timing("pullAdoptedAt", crate::ui::state::perf_now());
        if !held.is_empty() {
            let lang = state.lang.get_untracked();
            // One who cannot see the limits learns of the check's outcome only.
            let why = if crate::ui::state::with_data(|d| d.limits_hidden_from(&d.me())) {
                crate::ui::i18n::T::HeldByServerCheck
            } else {
                crate::ui::i18n::T::HeldByServer
            };
            state.toast.set(Some(format!(
                "{}{}",
                lang.label(&lang.list(&held)),
                state.t(why)
            )));
        }
        state.changed();
        // The book is the adopted data now: kept for the next start.
        crate::ui::state::keep_figures().await;
    }
    mark_synced(state, &store).await
}

/// Pulls what changed since `cursor`. A device that holds data sends its digest and gets only
/// what differs from what it holds (a patch), put onto what it held into the whole snapshot it
/// adopts. What it holds comes from its book once that is whole in memory, else from its store
/// (at start-up, before the data is read); a device that holds nothing asks for everything.
async fn pull(
    store: &creditdesk_storage::idb::IdbStore,
    state: AppState,
    cursor: u64,
) -> Result<PullReply, SyncError> {
    if cursor == 0 {
        return get("/api/v1/pull?cursor=0").await;
    }
    let held = if state.ledger_ready.get_untracked() {
        let base = app_sync::AUDIT_BASE.read(store).await?.unwrap_or(0);
        with_data(|d| d.held(base))
    } else {
        app_sync::held_in(store, today()).await?
    };
    let request = app_sync::PullRequest {
        cursor,
        digest: Some(held.digest()),
    };
    Ok(match post("/api/v1/pull", &request).await? {
        PullReply::Patch(patch) => {
            crate::ui::state::publish_timing("pullParts", patch.parts.len() as f64);
            PullReply::Snapshot(Box::new(patch.onto(held)))
        }
        other => other,
    })
}

/// Records that the device is in sync now: stored, on show, and for the tests and benchmarks.
async fn mark_synced(
    state: AppState,
    store: &creditdesk_storage::idb::IdbStore,
) -> Result<(), SyncError> {
    let t = now().0;
    app_sync::mark_synced(store, t).await?;
    state.sync.last_sync.set(Some(t));
    crate::ui::state::publish_timing("syncDone", t as f64);
    Ok(())
}

async fn client_id<S: Store>(store: &S) -> Result<String, StoreError> {
    app_sync::client_id(store, || {
        uuid::Uuid::from_u128(crate::ui::state::new_uuid()).to_string()
    })
    .await
}

/// Counts the commands waiting to be pushed, for the header.
pub async fn count_pending(state: AppState) {
    if let Ok(store) = db() {
        if let Ok(p) = app_sync::pending(&*store).await {
            state.sync.pending.set(p.len());
        }
    }
}

/// After a local change: count it, and push it soon.
pub fn after_change(state: AppState) {
    if !state.sync.server.get_untracked() {
        return;
    }
    leptos::task::spawn_local(async move {
        count_pending(state).await;
        gloo_timers::future::TimeoutFuture::new(300).await;
        sync_now(state).await;
    });
}

/// Keeps the device in sync: now, every 30 seconds, when the network comes back, and soon after
/// another user's change (the server's event stream).
pub fn keep_in_sync(state: AppState) {
    if !state.sync.server.get_untracked() {
        return;
    }
    leptos::task::spawn_local(sync_now(state));
    // Once a page: a start after a sign-in or a restore finds them in place (each start added
    // another timer, listener and event stream). For the tests: the starts that asked, and the
    // times they were put in place.
    let (asked, placed) = KEEPING.get();
    KEEPING.set((asked + 1, placed));
    crate::ui::state::publish_timing("syncStarts", f64::from(asked + 1));
    if placed > 0 {
        return;
    }
    KEEPING.set((asked + 1, placed + 1));
    crate::ui::state::publish_timing("syncKeepers", f64::from(placed + 1));
    let _ = set_interval_with_handle(
        move || leptos::task::spawn_local(sync_now(state)),
        std::time::Duration::from_secs(30),
    );
    let _ = window_event_listener(leptos::ev::online, move |_| {
        leptos::task::spawn_local(sync_now(state))
    });
    listen(state);
}

/// How often the listener looks whether the user signed out (closing the stream) or in again.
const SIGNED_OUT_LOOK_MS: u32 = 5_000;

/// The server's event stream: a `change` event names the new cursor; the device pulls. The
/// browser reconnects a dropped stream by itself (offline, a server restart); an error event
/// is skipped, and a stream that ends is opened again a little later, after a sync that finds
/// out whether the session ended. Signed out, or asked to sign in again, the device closes its
/// stream and opens none (the server would refuse it) until someone signs in.
fn listen(state: AppState) {
    use futures_util::future::{select, Either};
    use futures_util::StreamExt;
    let signed_out = move || {
        state.sync.session.with_untracked(Option::is_none) || state.sync.sign_in.get_untracked()
    };
    leptos::task::spawn_local(async move {
        loop {
            // For the tests: whether the listener waits for a sign-in (1) or listens (0).
            while signed_out() {
                crate::ui::state::publish_timing("liveWaiting", 1.0);
                gloo_timers::future::TimeoutFuture::new(SIGNED_OUT_LOOK_MS).await;
            }
            crate::ui::state::publish_timing("liveWaiting", 0.0);
            let opened = gloo_net::eventsource::futures::EventSource::new(&api("/api/v1/events"))
                .and_then(|mut es| es.subscribe("change").map(|s| (es, s)));
            let (es, mut changes) = match opened {
                Ok(opened) => opened,
                Err(e) => {
                    web_sys::console::warn_1(&format!("no live updates: {e}").into());
                    gloo_timers::future::TimeoutFuture::new(5_000).await;
                    continue;
                }
            };
            loop {
                let out = std::pin::pin!(async {
                    while !signed_out() {
                        gloo_timers::future::TimeoutFuture::new(SIGNED_OUT_LOOK_MS).await;
                    }
                });
                let event = match select(changes.next(), out).await {
                    Either::Left((Some(event), _)) => event,
                    // Ended; or signed out: the stream is closed as it is dropped.
                    Either::Left((None, _)) | Either::Right(_) => break,
                };
                match event {
                    Ok(_) => {
                        // For the tests: syncs the stream asked for.
                        LIVE.set(LIVE.get() + 1);
                        crate::ui::state::publish_timing("liveSyncs", f64::from(LIVE.get()));
                        sync_now(state).await;
                    }
                    // A stream the browser gave up on (refused on reconnecting: a session
                    // ended; a proxy's error) sends nothing more: opened again.
                    Err(_) if es.state() == gloo_net::eventsource::State::Closed => break,
                    // Reconnecting by itself (offline, a server restart).
                    Err(_) => {}
                }
            }
            drop((changes, es));
            if !signed_out() {
                // Refused: a sync finds out whether it was the session (then the sign-in shows).
                sync_now(state).await;
                gloo_timers::future::TimeoutFuture::new(5_000).await;
            }
        }
    });
}

/// Drops a refused command from the list, or runs it again as a new command.
pub async fn settle_refused(state: AppState, id: String, retry: bool) -> Result<(), SyncError> {
    let store = db()?;
    if retry {
        // Run again first: if it fails here, it stays on the list.
        let list = REFUSED.read(&*store).await?.unwrap_or_default();
        let Some(r) = list.into_iter().find(|r| r.id == id) else {
            return Ok(());
        };
        crate::ui::state::run(r.command, Vec::new())
            .await
            .map_err(|e| SyncError::Server {
                code: "CMD".into(),
                message: format!("{e:?}"),
            })?;
    }
    if let Some((_, left)) = app_sync::take_refused(&*store, &id).await? {
        state.sync.refused.set(left);
    }
    Ok(())
}

/// A device that syncs, as the server lists it for an administrator.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Device {
    pub client: String,
    pub user: String,
    pub agent: String,
    pub last_seen: i64,
    pub lost_at: Option<i64>,
    pub wiped_at: Option<i64>,
}

/// This device's client id, once the app knows it is served by a server.
pub fn device_id() -> Option<String> {
    DEVICE.with_borrow(|d| d.clone())
}

/// The devices that sync with the server (administrators only).
pub async fn devices() -> Result<Vec<Device>, SyncError> {
    get("/api/v1/devices").await
}

/// Reports a device lost (administrators only).
pub async fn report_lost(client: &str) -> Result<(), SyncError> {
    let path = format!(
        "/api/v1/devices/{}/lost",
        String::from(js_sys::encode_uri_component(client))
    );
    post_done(&path, &serde_json::json!({})).await
}
