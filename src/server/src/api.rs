//! The JSON API under `/api/v1`, and the app's static files with every other path.
//!
//! | method and path            | who              | what                                            |
//! |----------------------------|------------------|-------------------------------------------------|
//! | `GET /api/v1/health`       | anyone           | up, which database, whether the first run waits, primary or standby |
//! | `GET /api/v1/health/primary` | anyone         | 200 on the primary, `503 SRV-STANDBY` on a standby (for a load balancer) |
//! | `POST /api/v1/setup`       | anyone, once     | the first administrator (only while no one can sign in) |
//! | `POST /api/v1/session`     | anyone           | sign in: `{user, password}` → session cookie and token |
//! | `DELETE /api/v1/session`   | signed in        | sign out                                        |
//! | `GET /api/v1/me`           | signed in        | who I am, until when                            |
//! | `POST /api/v1/password`    | signed in        | change my password (ends my other sessions)     |
//! | `POST /api/v1/users`       | administrator    | add or change a user and set their password     |
//! | `POST /api/v1/push`        | signed in        | run pending commands as me                      |
//! | `GET /api/v1/pull?cursor=` | signed in        | what I may see, if it changed                   |
//! | `POST /api/v1/pull`        | signed in        | `{cursor, digest}` → what changed against what the device holds |
//! | `GET /api/v1/pull/chunk?cursor=&key=` | signed in | one ledger chunk of that pull, as bytes |
//! | `GET /api/v1/attachments/{id}` | signed in    | a request's attachment or a customer document, if I see its customer |
//! | `GET /api/v1/events`       | signed in        | server-sent events: the cursor after each change |
//! | `GET /api/v1/devices`      | administrator    | the devices that sync, with their user and state |
//! | `POST /api/v1/devices/{client}/lost` | administrator | report a device lost: its session ends; it erases its data at its next contact |
//! | `POST /api/v1/customers/{id}/reminder` | who sees the customer | e-mail the customer a reminder of its open invoices in its language; recorded on its trail |
//! | `GET /api/v1/notices`      | signed in        | my messages (the notices of the `inbox` channel), newest first |
//! | `GET /api/v1/notices/settings` | signed in    | the notice settings I may see (all of them for an administrator; else the defaults and my contact) |
//! | `PUT /api/v1/notices/settings` | signed in    | save them (`SaveNotices`): an administrator all; anyone else their own contact |
//! | `GET /api/v1/notices/log`  | administrator    | every delivery, newest first: sent, waiting for a retry, failed |
//! | `POST /api/v1/notices/{id}/retry` | administrator | send a delivery again now |
//! | `GET /api/v1/jobs`         | administrator    | the schedule's jobs: runs, failures, the last error |
//! | `GET /api/v1/api-keys`     | administrator    | the ERP API's keys (never their secrets)        |
//! | `POST /api/v1/api-keys`    | administrator    | `{name, acts_as, scopes}` → a new key; its secret is shown once |
//! | `DELETE /api/v1/api-keys/{id}` | administrator | revoke a key                                   |
//! | `GET /api/v1/erp-hooks`    | administrator    | the ERP's webhook subscriptions                 |
//! | `POST /api/v1/erp-hooks`   | administrator    | `{url, events}` → a subscription to holds, releases, limit changes; its signing secret is shown once |
//! | `DELETE /api/v1/erp-hooks/{id}` | administrator | end a subscription                            |
//! | `/api/erp/v1/…`            | an API key       | the ERP API: see [`crate::erp`] and `GET /api/erp/v1/openapi.json` |
//!
//! A request that changes something and is signed in by the cookie carries `X-CreditDesk: 1`
//! (see [`crate::security`]); the app names its device in `X-CreditDesk-Device` (see
//! [`crate::devices`]): a device reported lost is answered `410 SRV-DEVICE-LOST`.
//!
//! Errors are `{"code": "SRV-…", "message": "…"}` with a fitting status. A server that stands by
//! (another process on its database is the primary, see [`crate::jobs`]) answers every API path
//! but the health with `503 SRV-STANDBY` and `Retry-After`.

use crate::clock::Clock;
use crate::devices;
use crate::engine::EngineHandle;
use crate::identity::{self, Session, Throttle};
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use creditdesk_app::sync::{PullReply, PullRequest, Push, PushReply};
use creditdesk_app::Command;
use creditdesk_domain::approval::{Role, User};
use creditdesk_domain::notice::Settings as NoticeSettings;
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use std::sync::Arc;

/// What every handler shares.
#[derive(Clone)]
pub struct Shared {
    pub pool: AnyPool,
    pub engine: EngineHandle,
    pub clock: Clock,
    pub throttle: Arc<Throttle>,
    pub session_ms: i64,
    /// The server is reached over HTTPS: the session cookie is `Secure`.
    pub secure_cookies: bool,
    /// Turns true when the server is stopping.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

/// An API error: a status, a stable code and a sentence.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after_s: Option<i64>,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after_s: None,
        }
    }
    pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "SRV-INTERNAL",
            e.to_string(),
        )
    }
    fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            Json(serde_json::json!({"code": self.code, "message": self.message})),
        )
            .into_response();
        if let Some(s) = self.retry_after_s {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s.max(1)));
        }
        r
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

const COOKIE: &str = "cd_session";

fn token_of(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(t) = v.strip_prefix("Bearer ") {
            return Some(t.trim().to_string());
        }
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// The signed-in user of a request (token in `Authorization: Bearer` or the session cookie).
pub struct SignedIn {
    pub user: User,
    pub token: String,
    pub expires_at: i64,
}

impl FromRequestParts<Shared> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &Shared) -> Result<Self, Self::Rejection> {
        let token = token_of(&parts.headers).ok_or_else(|| {
            ApiError::new(StatusCode::UNAUTHORIZED, "SRV-SIGNED-OUT", "please sign in")
        })?;
        let (user, expires_at) = who(s, &token).await?;
        if let Some(client) = devices::client_of(&parts.headers) {
            let agent = parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let hash = identity::token_hash(&token);
            devices::seen(&s.pool, client, &user.id, &hash, agent, s.clock.now().0)
                .await
                .map_err(ApiError::internal)?;
        }
        Ok(SignedIn {
            user,
            token,
            expires_at,
        })
    }
}

/// Whose `token` is, and until when: a valid session of a user the directory still has. What
/// every request asks ([`SignedIn`]), and a live stream before each change it tells.
async fn who(s: &Shared, token: &str) -> Result<(User, i64), ApiError> {
    match identity::session(&s.pool, token, s.clock.now().0)
        .await
        .map_err(ApiError::internal)?
    {
        Session::Valid { user, expires_at } => {
            let directory = s.engine.directory().await.map_err(ApiError::internal)?;
            let user = directory
                .into_iter()
                .find(|u| u.id == user)
                .ok_or_else(|| {
                    // A server that lost its lease since the request came in holds no book
                    // (its directory is empty): the device is to try again, not to be told
                    // its user was removed.
                    if !s.engine.is_primary() {
                        return standby();
                    }
                    ApiError::new(
                        StatusCode::FORBIDDEN,
                        "SRV-NOT-IN-DIRECTORY",
                        "your user is no longer in the directory",
                    )
                })?;
            Ok((user, expires_at))
        }
        Session::Expired => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "SRV-SESSION-EXPIRED",
            "your session has expired: please sign in again",
        )),
        Session::Unknown => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "SRV-SIGNED-OUT",
            "please sign in",
        )),
    }
}

pub fn router(shared: Shared) -> Router {
    Router::new()
        .route("/api/v1/health", get(health))
        .route("/api/v1/health/primary", get(health_primary))
        .route("/api/v1/setup", post(setup))
        .route("/api/v1/session", post(sign_in).delete(sign_out))
        .route("/api/v1/me", get(me))
        .route("/api/v1/password", post(change_password))
        .route("/api/v1/users", post(save_user))
        // A push carries the device's pending commands with their files (a request may attach
        // five of 5 MiB, base64 in the JSON).
        .route(
            "/api/v1/push",
            post(push).layer(axum::extract::DefaultBodyLimit::max(128 << 20)),
        )
        // A digest names every customer the device holds (about 60 bytes each).
        .route(
            "/api/v1/pull",
            get(pull)
                .post(pull_changes)
                .layer(axum::extract::DefaultBodyLimit::max(64 << 20)),
        )
        .route("/api/v1/pull/chunk", get(pull_chunk))
        .route("/api/v1/attachments/{id}", get(attachment))
        .route("/api/v1/events", get(events))
        .route("/api/v1/devices", get(list_devices))
        .route("/api/v1/devices/{client}/lost", post(report_lost))
        .route("/api/v1/notices", get(my_notices))
        .route("/api/v1/customers/{id}/reminder", post(send_reminder))
        .route(
            "/api/v1/notices/settings",
            get(notice_settings).put(save_notice_settings),
        )
        .route("/api/v1/notices/log", get(notice_log))
        .route("/api/v1/notices/{id}/retry", post(retry_notice))
        .route("/api/v1/jobs", get(list_jobs))
        .route("/api/v1/api-keys", get(list_api_keys).post(create_api_key))
        .route(
            "/api/v1/erp-hooks",
            get(list_erp_hooks).post(create_erp_hook),
        )
        .route(
            "/api/v1/erp-hooks/{id}",
            axum::routing::delete(revoke_erp_hook),
        )
        .route(
            "/api/v1/api-keys/{id}",
            axum::routing::delete(revoke_api_key),
        )
        .merge(
            crate::erp::router().layer(axum::middleware::from_fn_with_state(
                shared.clone(),
                crate::erp::record_calls,
            )),
        )
        .route(
            "/api/{*rest}",
            axum::routing::any(|| async {
                ApiError::new(StatusCode::NOT_FOUND, "SRV-NOT-FOUND", "no such API path")
            }),
        )
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            devices::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            standby_guard,
        ))
        .with_state(shared)
}

/// The answer of a server that is not the primary of its database.
fn standby() -> ApiError {
    ApiError {
        retry_after_s: Some(2),
        ..ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::jobs::STANDBY,
            "this server stands by: another server process on its database is the primary; try again shortly",
        )
    }
}

/// Every API path but the health waits for this process to be the primary.
async fn standby_guard(
    State(s): State<Shared>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if s.engine.is_primary()
        || !req.uri().path().starts_with("/api/")
        || req.uri().path() == "/api/v1/health"
    {
        next.run(req).await
    } else {
        standby().into_response()
    }
}

/// An engine's failure as an answer: `503 SRV-STANDBY` when the server lost its lease meanwhile
/// (the device pushes again), else an internal error.
fn engine_failed(s: &Shared, e: String) -> ApiError {
    if e.starts_with(crate::jobs::STANDBY) || !s.engine.is_primary() {
        standby()
    } else {
        ApiError::internal(e)
    }
}

#[derive(Serialize)]
struct Health {
    ok: bool,
    database: &'static str,
    /// No one can sign in yet: the first run creates the administrator.
    first_run: bool,
    /// `primary`, `standby` or `taking_over` (see [`crate::jobs`]).
    role: &'static str,
}

fn role_name(role: crate::engine::Role) -> &'static str {
    match role {
        crate::engine::Role::Primary => "primary",
        crate::engine::Role::Standby => "standby",
        crate::engine::Role::TakingOver => "taking_over",
    }
}

/// The process is up (200 on a standby too: the app then knows a server is there and says why
/// it cannot sign in yet, rather than starting on its own).
async fn health(State(s): State<Shared>) -> ApiResult<Health> {
    Ok(Json(Health {
        ok: true,
        database: s.engine.backend.name(),
        first_run: !identity::anyone(&s.pool)
            .await
            .map_err(ApiError::internal)?,
        role: role_name(s.engine.role()),
    }))
}

/// For a load balancer: 200 on the primary only, `503 SRV-STANDBY` elsewhere.
async fn health_primary(State(s): State<Shared>) -> Result<Json<serde_json::Value>, ApiError> {
    if s.engine.is_primary() {
        Ok(Json(serde_json::json!({"ok": true, "role": "primary"})))
    } else {
        Err(standby())
    }
}

#[derive(Deserialize)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

#[derive(Serialize, Deserialize, Debug)]
pub struct SessionInfo {
    pub user: User,
    pub token: String,
    pub expires_at: i64,
}

/// The session cookie: never readable by a script (`HttpOnly`), never sent with another site's
/// request (`SameSite=Strict`), only over HTTPS when the server is behind TLS (`Secure`).
fn with_cookie(info: SessionInfo, s: &Shared) -> Response {
    let cookie = format!(
        "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        info.token,
        s.session_ms / 1000,
        if s.secure_cookies { "; Secure" } else { "" }
    );
    let mut r = Json(info).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

async fn hash(password: String) -> Result<String, ApiError> {
    if let Some(p) = identity::password_problem(&password) {
        return Err(ApiError::bad("SRV-WEAK-PASSWORD", p));
    }
    tokio::task::spawn_blocking(move || identity::hash_password(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

#[derive(Deserialize)]
pub struct Setup {
    pub user: String,
    pub name: String,
    pub password: String,
}

/// The first run: creates the first administrator, while no one can sign in.
async fn setup(State(s): State<Shared>, Json(b): Json<Setup>) -> Result<Response, ApiError> {
    if identity::anyone(&s.pool)
        .await
        .map_err(ApiError::internal)?
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "SRV-SET-UP",
            "this server is set up: sign in, or ask an administrator",
        ));
    }
    let (id, name) = (b.user.trim().to_string(), b.name.trim().to_string());
    if id.is_empty() || name.is_empty() {
        return Err(ApiError::bad("SRV-FIELD", "user id and name are required"));
    }
    let hashed = hash(b.password).await?;
    let mut users = s.engine.directory().await.map_err(ApiError::internal)?;
    let admin = match users.iter().find(|u| u.id == id) {
        Some(u) if u.has(Role::Admin) => u.clone(),
        Some(_) => {
            return Err(ApiError::bad(
                "SRV-FIELD",
                format!("user {id} exists and is not an administrator"),
            ))
        }
        None => {
            let u = User {
                id: id.clone(),
                name,
                roles: vec![Role::Admin],
                region: String::new(),
            };
            users.push(u.clone());
            s.engine
                .run(u.clone(), Command::SaveUsers { users })
                .await
                .map_err(|e| ApiError::bad("SRV-DIRECTORY", e))?;
            u
        }
    };
    let now = s.clock.now().0;
    identity::set_password(&s.pool, &admin.id, &hashed, now, None)
        .await
        .map_err(ApiError::internal)?;
    let (token, expires_at) = identity::create_session(&s.pool, &admin.id, now, s.session_ms)
        .await
        .map_err(ApiError::internal)?;
    Ok(with_cookie(
        SessionInfo {
            user: admin,
            token,
            expires_at,
        },
        &s,
    ))
}

async fn sign_in(
    State(s): State<Shared>,
    Json(b): Json<Credentials>,
) -> Result<Response, ApiError> {
    let now = s.clock.now().0;
    let who = b.user.trim().to_string();
    if let Some(ms) = s.throttle.wait(&who, now) {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "SRV-THROTTLED",
            format!(
                "too many wrong passwords: try again in {} s",
                (ms + 999) / 1000
            ),
        );
        e.retry_after_s = Some((ms + 999) / 1000);
        return Err(e);
    }
    let wrong = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "SRV-WRONG-PASSWORD",
            "wrong user or password",
        )
    };
    let stored = identity::credential(&s.pool, &who)
        .await
        .map_err(ApiError::internal)?;
    let password = b.password;
    let ok = match stored {
        Some(h) => tokio::task::spawn_blocking(move || identity::verify_password(&h, &password))
            .await
            .map_err(ApiError::internal)?,
        None => false,
    };
    let directory = s.engine.directory().await.map_err(ApiError::internal)?;
    let user = directory.into_iter().find(|u| u.id == who);
    let (true, Some(user)) = (ok, user) else {
        s.throttle.failed(&who, now);
        return Err(wrong());
    };
    s.throttle.succeeded(&who);
    let (token, expires_at) = identity::create_session(&s.pool, &user.id, now, s.session_ms)
        .await
        .map_err(ApiError::internal)?;
    Ok(with_cookie(
        SessionInfo {
            user,
            token,
            expires_at,
        },
        &s,
    ))
}

async fn sign_out(State(s): State<Shared>, me: SignedIn) -> Result<Response, ApiError> {
    identity::end_session(&s.pool, &me.token)
        .await
        .map_err(ApiError::internal)?;
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("cd_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    Ok(r)
}

#[derive(Serialize, Deserialize)]
pub struct Me {
    pub user: User,
    pub expires_at: i64,
}

async fn me(me: SignedIn) -> ApiResult<Me> {
    Ok(Json(Me {
        user: me.user,
        expires_at: me.expires_at,
    }))
}

#[derive(Deserialize)]
pub struct PasswordChange {
    pub old: String,
    pub new: String,
}

async fn change_password(
    State(s): State<Shared>,
    me: SignedIn,
    Json(b): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let stored = identity::credential(&s.pool, &me.user.id)
        .await
        .map_err(ApiError::internal)?
        .unwrap_or_default();
    let old = b.old;
    let ok = tokio::task::spawn_blocking(move || identity::verify_password(&stored, &old))
        .await
        .map_err(ApiError::internal)?;
    if !ok {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "SRV-WRONG-PASSWORD",
            "the current password is wrong",
        ));
    }
    let hashed = hash(b.new).await?;
    identity::set_password(
        &s.pool,
        &me.user.id,
        &hashed,
        s.clock.now().0,
        Some(&identity::token_hash(&me.token)),
    )
    .await
    .map_err(ApiError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct SaveUser {
    pub user: User,
    /// A new password; none keeps the current one (a new user needs one).
    #[serde(default)]
    pub password: Option<String>,
}

/// Adds or changes a user in the directory (a `SaveUsers` command, so the application crate
/// decides who may) and sets their password.
async fn save_user(
    State(s): State<Shared>,
    me: SignedIn,
    Json(b): Json<SaveUser>,
) -> Result<StatusCode, ApiError> {
    let hashed = match b.password {
        Some(p) => Some(hash(p).await?),
        None => None,
    };
    let has_password = identity::credential(&s.pool, &b.user.id)
        .await
        .map_err(ApiError::internal)?
        .is_some();
    if hashed.is_none() && !has_password {
        return Err(ApiError::bad(
            "SRV-FIELD",
            format!("user {} needs a password to sign in", b.user.id),
        ));
    }
    let mut users = s.engine.directory().await.map_err(ApiError::internal)?;
    match users.iter_mut().find(|u| u.id == b.user.id) {
        Some(u) => *u = b.user.clone(),
        None => users.push(b.user.clone()),
    }
    s.engine
        .run(me.user.clone(), Command::SaveUsers { users })
        .await
        .map_err(|e| ApiError::new(StatusCode::FORBIDDEN, "SRV-REFUSED", e))?;
    if let Some(h) = hashed {
        identity::set_password(&s.pool, &b.user.id, &h, s.clock.now().0, None)
            .await
            .map_err(ApiError::internal)?;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn push(State(s): State<Shared>, me: SignedIn, Json(b): Json<Push>) -> ApiResult<PushReply> {
    if b.client.trim().is_empty() || b.client.len() > 64 {
        return Err(ApiError::bad(
            "SRV-CLIENT",
            "a push names its client id (1-64 characters)",
        ));
    }
    s.engine
        .push(me.user.id, b)
        .await
        .map(Json)
        .map_err(|e| engine_failed(&s, e))
}

#[derive(Deserialize)]
pub struct PullQuery {
    #[serde(default)]
    pub cursor: u64,
}

async fn pull(
    State(s): State<Shared>,
    me: SignedIn,
    Query(q): Query<PullQuery>,
) -> ApiResult<PullReply> {
    s.engine
        .pull(me.user.id, q.cursor, None)
        .await
        .map(Json)
        .map_err(ApiError::internal)
}

/// A pull from a device that holds data already: it sends its digest (a hash per customer, see
/// `creditdesk_app::sync::Digest`) and gets only what differs.
async fn pull_changes(
    State(s): State<Shared>,
    me: SignedIn,
    Json(q): Json<PullRequest>,
) -> ApiResult<PullReply> {
    s.engine
        .pull(me.user.id, q.cursor, q.digest)
        .await
        .map(Json)
        .map_err(ApiError::internal)
}

#[derive(Deserialize)]
pub struct ChunkQuery {
    pub cursor: u64,
    pub key: String,
}

/// One ledger chunk of the snapshot the user pulled at `cursor`, as bytes. Gone (409) once a
/// newer snapshot replaced it: the device pulls again.
async fn pull_chunk(
    State(s): State<Shared>,
    me: SignedIn,
    Query(q): Query<ChunkQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    match s
        .engine
        .chunk(me.user.id, q.cursor, q.key)
        .await
        .map_err(ApiError::internal)?
    {
        Some(bytes) => Ok((
            [(axum::http::header::CONTENT_TYPE, "application/octet-stream")],
            bytes.as_ref().clone(),
        )
            .into_response()),
        None => Err(ApiError::new(
            StatusCode::CONFLICT,
            "SRV-PULL-GONE",
            "that snapshot was replaced by a newer one: pull again",
        )),
    }
}

/// A request's attachment or a document of a customer's file as bytes, for a user who sees the customer (a pull names
/// attachments; a device fetches one when someone opens it). No such attachment and one the user
/// may not see answer alike: 404.
async fn attachment(
    State(s): State<Shared>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<axum::response::Response, ApiError> {
    match s
        .engine
        .attachment(me.user.id, id)
        .await
        .map_err(ApiError::internal)?
    {
        Some(bytes) => {
            Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
        }
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "SRV-NO-ATTACHMENT",
            "no such attachment among the requests and documents you may see",
        )),
    }
}

/// The cursor after every change, so that a device pulls soon after another user's change. A
/// session that ends (signed out, its password changed, expired, its device reported lost)
/// hears no more, nor does a user removed from the directory: the stream ends at the next change,
/// as the session and the directory are asked again before each.
async fn events(
    State(s): State<Shared>,
    me: SignedIn,
) -> Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>> {
    use futures_util::StreamExt;
    let rx = s.engine.changes.subscribe();
    let mut stopping = s.stopping.clone();
    // An open stream would keep a graceful shutdown waiting for ever: it ends when the server stops.
    let stop = async move {
        let _ = stopping.wait_for(|s| *s).await;
    };
    let token = me.token;
    let stream = tokio_stream::wrappers::BroadcastStream::new(rx)
        .filter_map(|c| async move { c.ok() })
        .take_while(move |_| {
            let (s, token) = (s.clone(), token.clone());
            // Asked as a request is (an error, a standby's included, ends the stream too).
            async move { who(&s, &token).await.is_ok() }
        })
        .map(|cursor| Ok(Event::default().event("change").data(cursor.to_string())))
        .take_until(Box::pin(stop));
    Sse::new(stream).keep_alive(KeepAlive::default())
}

fn admin_only(me: &SignedIn) -> Result<(), ApiError> {
    if me.user.has(Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "SRV-ADMIN-ONLY",
            "only an administrator may do this",
        ))
    }
}

async fn list_devices(State(s): State<Shared>, me: SignedIn) -> ApiResult<Vec<devices::Device>> {
    admin_only(&me)?;
    devices::list(&s.pool)
        .await
        .map(Json)
        .map_err(ApiError::internal)
}

async fn report_lost(
    State(s): State<Shared>,
    me: SignedIn,
    axum::extract::Path(client): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    admin_only(&me)?;
    let found = devices::report_lost(&s.pool, &client, &me.user.id, s.clock.now().0)
        .await
        .map_err(ApiError::internal)?;
    if found {
        eprintln!("device {client} reported lost by {}", me.user.id);
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "SRV-NO-DEVICE",
            format!("no device {client} has synced with this server"),
        ))
    }
}

async fn my_notices(
    State(s): State<Shared>,
    me: SignedIn,
) -> ApiResult<Vec<crate::notify::Delivery>> {
    crate::notify::list(&s.pool, Some(&me.user.id), 100)
        .await
        .map(Json)
        .map_err(ApiError::internal)
}

async fn notice_settings(State(s): State<Shared>, me: SignedIn) -> ApiResult<NoticeSettings> {
    let all = s
        .engine
        .notice_settings()
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(all.seen_by(&me.user)))
}

/// An administrator's settings are saved as sent; anyone else's contact is taken from what they
/// sent and merged into the rest, which they cannot see.
async fn save_notice_settings(
    State(s): State<Shared>,
    me: SignedIn,
    Json(sent): Json<NoticeSettings>,
) -> ApiResult<NoticeSettings> {
    let next = if me.user.has(Role::Admin) {
        sent
    } else {
        let all = s
            .engine
            .notice_settings()
            .await
            .map_err(ApiError::internal)?;
        let mine = sent.contacts.get(&me.user.id).cloned().unwrap_or_default();
        all.with_own(&me.user.id, mine)
    };
    s.engine
        .run(me.user.clone(), Command::SaveNotices { settings: next })
        .await
        .map_err(|e| ApiError::bad("SRV-NOTICES", e))?;
    notice_settings(State(s), me).await
}

async fn notice_log(
    State(s): State<Shared>,
    me: SignedIn,
) -> ApiResult<Vec<crate::notify::Delivery>> {
    admin_only(&me)?;
    crate::notify::list(&s.pool, None, 200)
        .await
        .map(Json)
        .map_err(ApiError::internal)
}

async fn retry_notice(
    State(s): State<Shared>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<StatusCode, ApiError> {
    admin_only(&me)?;
    if crate::notify::retry(&s.pool, id, s.clock.now().0)
        .await
        .map_err(ApiError::internal)?
    {
        s.engine.wake_deliverer();
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "SRV-NO-NOTICE",
            format!("no e-mail or webhook delivery {id} is waiting or failed"),
        ))
    }
}

async fn list_jobs(State(s): State<Shared>, me: SignedIn) -> ApiResult<Vec<crate::jobs::JobRun>> {
    admin_only(&me)?;
    crate::jobs::list(&s.pool)
        .await
        .map(Json)
        .map_err(ApiError::internal)
}

async fn list_api_keys(
    State(s): State<Shared>,
    me: SignedIn,
) -> ApiResult<Vec<crate::erp::KeyInfo>> {
    admin_only(&me)?;
    crate::erp::list_keys(&s.pool).await.map(Json)
}

async fn create_api_key(
    State(s): State<Shared>,
    me: SignedIn,
    Json(b): Json<crate::erp::KeyRequest>,
) -> ApiResult<crate::erp::NewKey> {
    admin_only(&me)?;
    let directory = s.engine.directory().await.map_err(ApiError::internal)?;
    let key = crate::erp::create_key(&s.pool, &b, &directory, &me.user.id, s.clock.now().0).await?;
    eprintln!(
        "API key {} ({}) created by {} for {} with {}",
        key.key.id,
        key.key.name,
        me.user.id,
        key.key.acts_as,
        key.key.scopes.join(", ")
    );
    Ok(Json(key))
}

async fn revoke_api_key(
    State(s): State<Shared>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    admin_only(&me)?;
    if crate::erp::revoke_key(&s.pool, &id, s.clock.now().0).await? {
        eprintln!("API key {id} revoked by {}", me.user.id);
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "SRV-NO-API-KEY",
            format!("no API key {id} in use"),
        ))
    }
}

async fn list_erp_hooks(State(s): State<Shared>, me: SignedIn) -> ApiResult<Vec<crate::erp::Hook>> {
    admin_only(&me)?;
    crate::erp::list_hooks(&s.pool)
        .await
        .map(Json)
        .map_err(ApiError::internal)
}

async fn create_erp_hook(
    State(s): State<Shared>,
    me: SignedIn,
    Json(b): Json<crate::erp::HookRequest>,
) -> ApiResult<crate::erp::NewHook> {
    admin_only(&me)?;
    let hook = crate::erp::create_hook(&s.pool, &b, &me.user.id, s.clock.now().0).await?;
    eprintln!(
        "ERP webhook {} to {} for {} created by {}",
        hook.hook.id,
        hook.hook.url,
        hook.hook.events.join(", "),
        me.user.id
    );
    Ok(Json(hook))
}

async fn revoke_erp_hook(
    State(s): State<Shared>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    admin_only(&me)?;
    if crate::erp::revoke_hook(&s.pool, &id, s.clock.now().0)
        .await
        .map_err(ApiError::internal)?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "SRV-NO-ERP-HOOK",
            format!("no webhook subscription {id} in use"),
        ))
    }
}

/// A reminder queued to a customer.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Reminder {
    pub to: String,
    pub subject: String,
    /// The customer's language: `zh` or `en`.
    pub lang: String,
}

async fn send_reminder(
    State(s): State<Shared>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<Reminder> {
    let customer = creditdesk_domain::CustomerId::parse(&id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "SRV-NO-CUSTOMER",
            "no such customer that you see",
        )
    })?;
    s.engine.remind(me.user.clone(), customer).await.map(Json)
}
