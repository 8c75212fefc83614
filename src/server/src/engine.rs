//! The engine: one thread that owns the book (the application crate's read model) and runs every
//! command on it, one at a time, committing through [`SqlStore`]. Handlers talk to it over a
//! channel. One writer is what makes "two reps cannot both spend the same available credit"
//! hold: the second order is checked on the state the first left, and held if nothing is left.
//!
//! The application crate's futures are not `Send` (the browser's IndexedDB is single-threaded),
//! so the engine runs them on a current-thread runtime of its own, with its own database pool.

use crate::clock::Clock;
use crate::store::{open, Backend, SqlStore};
use base64::Engine as _;
use creditdesk_app::monitoring::watch;
use creditdesk_app::sync::{Digest, Mutation, MutationResult, PullReply, Push, PushReply, Status};
use creditdesk_app::{execute, Book, Command, Ctx};
use creditdesk_domain::approval::User;
use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
use creditdesk_domain::{CustomerId, DeviceId};
use creditdesk_storage::{Rows, Store, StoreError};
use sqlx::Row;
use std::cell::RefCell;
use tokio::sync::{broadcast, mpsc, oneshot};

/// What the handlers ask of the engine.
pub enum Job {
    Push {
        user: String,
        push: Push,
        reply: oneshot::Sender<Result<PushReply, String>>,
    },
    Pull {
        user: String,
        cursor: u64,
        digest: Option<Digest>,
        reply: oneshot::Sender<Result<PullReply, String>>,
    },
    /// The bytes of one ledger chunk of the snapshot `user` pulled at `cursor`; `None` once that
    /// snapshot is gone (a newer one replaced it: pull again).
    Chunk {
        user: String,
        cursor: u64,
        key: String,
        reply: oneshot::Sender<Option<Chunk>>,
    },
    /// The bytes of a request's attachment, for a user who sees the request's customer; `None`
    /// when there is no such attachment or the user may not see it (the same answer for both).
    Attachment {
        user: String,
        id: String,
        reply: oneshot::Sender<Result<Option<Vec<u8>>, String>>,
    },
    /// The directory (who exists, with which roles).
    Directory { reply: oneshot::Sender<Vec<User>> },
    /// The server's schedule: keep time, expire requests, run the rules over every customer (at
    /// most once per `RULES_EVERY_MS`), and collect the notices due.
    Tick { reply: oneshot::Sender<()> },
    /// A batch of ERP documents, posted as the key's user (see `erp::post`).
    ErpPost {
        caller: crate::erp::Caller,
        docs: crate::erp::Docs,
        reply: oneshot::Sender<Result<crate::erp::BatchResult, crate::api::ApiError>>,
    },
    /// The order-time check for `user`: `None` when the user does not see the customer.
    ErpCheck {
        user: User,
        id: CustomerId,
        amount: creditdesk_domain::Money,
        prepaid: bool,
        reply: oneshot::Sender<Option<crate::erp::CheckAnswer>>,
    },
    /// A customer's credit position for `user`.
    ErpPosition {
        user: User,
        code: String,
        id: CustomerId,
        reply: oneshot::Sender<Option<crate::erp::Position>>,
    },
    /// A reminder about its open invoices to a customer, by e-mail in its language, sent by `user`.
    Remind {
        user: User,
        customer: CustomerId,
        reply: oneshot::Sender<Result<crate::api::Reminder, crate::api::ApiError>>,
    },
    /// The notice settings.
    Notices {
        reply: oneshot::Sender<creditdesk_domain::notice::Settings>,
    },
    /// Runs a command as `actor` outside a push (the administrator's user page, first run).
    Run {
        actor: User,
        command: Box<Command>,
        reply: oneshot::Sender<Result<(), String>>,
    },
}

/// A chunk's bytes, shared by every request for it.
pub type Chunk = std::sync::Arc<Vec<u8>>;

/// A snapshot's chunks kept for devices to fetch: whose ("all" or a rep's id), its cursor, and
/// the chunks by key.
type Kept = (String, u64, std::collections::HashMap<String, Chunk>);

/// How many snapshots' chunks the engine keeps for devices to fetch: everyone who sees every
/// customer shares them; each sales rep has their own. Of each, the newest two: a device still
/// fetching the one before the latest change finishes.
const SNAPSHOTS_KEPT: usize = 6;

/// How the engine starts.
#[derive(Clone, Debug)]
pub struct Start {
    pub database_url: String,
    pub clock: Clock,
    /// Write the demo data set (and its users) into an empty database.
    pub demo: Option<DemoLang>,
    /// With `demo`: the benchmark's large book instead.
    pub large: bool,
    /// Woken when notices are enqueued (the deliverer waits on it).
    pub wake: std::sync::Arc<tokio::sync::Notify>,
    /// This process's name in the job leases.
    pub holder: String,
    /// Daily backups (none: off).
    pub backups: Option<crate::backups::Plan>,
    /// How long the primary lease lasts without a renewal (see [`crate::jobs`]). A standby looks
    /// every third of it, and takes over this long after a primary stops renewing it, or at its
    /// next look when the primary's process on this machine is gone.
    pub lease_ms: i64,
}

/// How often the scheduled run of the rules over every customer runs (clock time): the rules
/// also run over the customers each command touches, and over everyone when the day changes.
pub const RULES_EVERY_MS: i64 = 60_000;

/// What this process is to its database (see [`crate::jobs`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Another process holds the primary lease: the API answers `503 SRV-STANDBY`.
    Standby,
    /// This process holds the lease and is loading the book.
    TakingOver,
    /// This process holds the lease and runs the commands.
    Primary,
}

/// The role, shared by the engine thread (which changes it) and the handlers and the lease's
/// renewal (which read it).
#[derive(Debug, Default)]
pub struct RoleCell(std::sync::atomic::AtomicU8);

impl RoleCell {
    pub fn get(&self) -> Role {
        match self.0.load(std::sync::atomic::Ordering::SeqCst) {
            0 => Role::Standby,
            1 => Role::TakingOver,
            _ => Role::Primary,
        }
    }
    fn set(&self, role: Role) {
        let n = match role {
            Role::Standby => 0,
            Role::TakingOver => 1,
            Role::Primary => 2,
        };
        self.0.store(n, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The handlers' end of the engine.
#[derive(Clone)]
pub struct EngineHandle {
    jobs: mpsc::Sender<Job>,
    /// The cursor after every change, for the live event stream.
    pub changes: broadcast::Sender<u64>,
    pub backend: Backend,
    wake: std::sync::Arc<tokio::sync::Notify>,
    role: std::sync::Arc<RoleCell>,
    /// The primary lease this process holds or waits for.
    pub fence: std::sync::Arc<crate::jobs::Fence>,
}

impl EngineHandle {
    /// Primary, standby, or taking over.
    pub fn role(&self) -> Role {
        self.role.get()
    }
    pub fn is_primary(&self) -> bool {
        self.role() == Role::Primary
    }
    async fn ask<T>(&self, job: impl FnOnce(oneshot::Sender<T>) -> Job) -> Result<T, String> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(job(tx))
            .await
            .map_err(|_| "the engine stopped".to_string())?;
        rx.await.map_err(|_| "the engine stopped".to_string())
    }
    pub async fn push(&self, user: String, push: Push) -> Result<PushReply, String> {
        self.ask(|reply| Job::Push { user, push, reply }).await?
    }
    /// What `user` may see, if it changed since `cursor`: the changes against `digest` when the
    /// device sent one, else everything.
    pub async fn pull(
        &self,
        user: String,
        cursor: u64,
        digest: Option<Digest>,
    ) -> Result<PullReply, String> {
        self.ask(|reply| Job::Pull {
            user,
            cursor,
            digest,
            reply,
        })
        .await?
    }
    pub async fn chunk(
        &self,
        user: String,
        cursor: u64,
        key: String,
    ) -> Result<Option<Chunk>, String> {
        self.ask(|reply| Job::Chunk {
            user,
            cursor,
            key,
            reply,
        })
        .await
    }
    pub async fn attachment(&self, user: String, id: String) -> Result<Option<Vec<u8>>, String> {
        self.ask(|reply| Job::Attachment { user, id, reply })
            .await?
    }
    /// One round of the schedule (the ticker calls it; tests call it after moving the clock).
    pub async fn tick(&self) -> Result<(), String> {
        self.ask(|reply| Job::Tick { reply }).await
    }
    pub async fn erp_post(
        &self,
        caller: crate::erp::Caller,
        docs: crate::erp::Docs,
    ) -> Result<crate::erp::BatchResult, crate::api::ApiError> {
        self.ask(|reply| Job::ErpPost {
            caller,
            docs,
            reply,
        })
        .await
        .map_err(crate::api::ApiError::internal)?
    }
    pub async fn erp_check(
        &self,
        user: User,
        id: CustomerId,
        amount: creditdesk_domain::Money,
        prepaid: bool,
    ) -> Result<Option<crate::erp::CheckAnswer>, String> {
        self.ask(|reply| Job::ErpCheck {
            user,
            id,
            amount,
            prepaid,
            reply,
        })
        .await
    }
    pub async fn erp_position(
        &self,
        user: User,
        code: String,
        id: CustomerId,
    ) -> Result<Option<crate::erp::Position>, String> {
        self.ask(|reply| Job::ErpPosition {
            user,
            code,
            id,
            reply,
        })
        .await
    }
    pub async fn remind(
        &self,
        user: User,
        customer: CustomerId,
    ) -> Result<crate::api::Reminder, crate::api::ApiError> {
        self.ask(|reply| Job::Remind {
            user,
            customer,
            reply,
        })
        .await
        .map_err(crate::api::ApiError::internal)?
    }
    pub async fn notice_settings(&self) -> Result<creditdesk_domain::notice::Settings, String> {
        self.ask(|reply| Job::Notices { reply }).await
    }
    /// Asks the deliverer for a round now (a delivery was put back in the queue).
    pub fn wake_deliverer(&self) {
        self.wake.notify_one();
    }
    pub async fn directory(&self) -> Result<Vec<User>, String> {
        self.ask(|reply| Job::Directory { reply }).await
    }
    pub async fn run(&self, actor: User, command: Command) -> Result<(), String> {
        self.ask(|reply| Job::Run {
            actor,
            command: Box::new(command),
            reply,
        })
        .await?
    }
}

/// Starts the engine thread. It takes the primary lease (else it stands by, refusing every job,
/// and tries again every third of the lease), opens the database, loads (or seeds) the book, then
/// serves jobs until the handles are gone or the lease is lost; then it stands by again. Returns
/// once the engine serves, or stands by.
pub fn spawn(start: Start) -> Result<EngineHandle, String> {
    let (jobs, mut rx) = mpsc::channel::<Job>(1024);
    let (changes, _) = broadcast::channel(64);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<Backend, String>>();
    let changes_out = changes.clone();
    let wake = start.wake.clone();
    let role = std::sync::Arc::new(RoleCell::default());
    let fence = std::sync::Arc::new(crate::jobs::Fence::new(
        start.holder.clone(),
        start.lease_ms,
    ));
    let (role_out, fence_out) = (role.clone(), fence.clone());
    std::thread::Builder::new()
        .name("creditdesk-engine".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            let local = tokio::task::LocalSet::new();
            local.block_on(&rt, async move {
                let mut ready = Some(ready_tx);
                let (pool, backend) = match open(&start.database_url, 1).await {
                    Ok(p) => p,
                    Err(e) => {
                        let _ = ready.take().map(|r| r.send(Err(e)));
                        return;
                    }
                };
                let every = std::time::Duration::from_millis((start.lease_ms / 3).max(50) as u64);
                loop {
                    // Standby until this process holds the primary lease.
                    let mut waited = false;
                    loop {
                        match crate::jobs::take_primary(&pool, &start.holder, start.lease_ms).await
                        {
                            Ok(None) => break,
                            Ok(Some(holder)) if !waited => {
                                waited = true;
                                eprintln!(
                                    "standing by: server process {holder} is the primary of this database; this one takes over when it stops"
                                );
                            }
                            Ok(Some(_)) => {}
                            Err(e) => eprintln!("the primary lease: {e}"),
                        }
                        let _ = ready.take().map(|r| r.send(Ok(backend)));
                        let next = tokio::time::sleep(every);
                        tokio::pin!(next);
                        loop {
                            tokio::select! {
                                job = rx.recv() => match job {
                                    Some(job) => job.refuse(),
                                    None => return,
                                },
                                _ = &mut next => break,
                            }
                        }
                    }
                    role_out.set(Role::TakingOver);
                    fence_out.renewed();
                    let engine = match Engine::open(&start, changes_out.clone(), fence_out.clone()).await {
                        Ok(e) => e,
                        Err(e) => {
                            role_out.set(Role::Standby);
                            let _ = crate::jobs::release(&pool, crate::jobs::PRIMARY, &start.holder).await;
                            match ready.take() {
                                Some(r) => {
                                    let _ = r.send(Err(e));
                                    return;
                                }
                                None => {
                                    eprintln!("cannot take over as the primary: {e}");
                                    tokio::time::sleep(every).await;
                                    continue;
                                }
                            }
                        }
                    };
                    role_out.set(Role::Primary);
                    if waited {
                        eprintln!("now the primary of this database: the book is loaded afresh");
                    }
                    let _ = ready.take().map(|r| r.send(Ok(backend)));
                    let mut check = tokio::time::interval(every);
                    while !fence_out.lost() {
                        tokio::select! {
                            job = rx.recv() => match job {
                                Some(job) => engine.serve(job).await,
                                None => {
                                    role_out.set(Role::Standby);
                                    let _ = crate::jobs::release(&pool, crate::jobs::PRIMARY, &start.holder).await;
                                    return;
                                }
                            },
                            _ = check.tick() => {}
                        }
                    }
                    role_out.set(Role::Standby);
                    eprintln!(
                        "no longer the primary of this database: another server process took the lease over; standing by"
                    );
                }
            });
        })
        .map_err(|e| e.to_string())?;
    let backend = ready_rx
        .recv()
        .map_err(|_| "the engine stopped while starting".to_string())??;
    Ok(EngineHandle {
        jobs,
        changes,
        backend,
        wake,
        role,
        fence,
    })
}

impl Job {
    /// The answer of a process that stands by (the API's guard answers first; this is for any
    /// other caller, and for a job that raced a step down).
    fn refuse(self) {
        let why = || {
            format!(
                "{}: this server stands by; another server process on its database is the primary",
                crate::jobs::STANDBY
            )
        };
        let api = || {
            crate::api::ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                crate::jobs::STANDBY,
                why(),
            )
        };
        match self {
            Job::Push { reply, .. } => drop(reply.send(Err(why()))),
            Job::Pull { reply, .. } => drop(reply.send(Err(why()))),
            Job::Chunk { reply, .. } => drop(reply.send(None)),
            Job::Attachment { reply, .. } => drop(reply.send(Err(why()))),
            Job::Directory { reply } => drop(reply.send(Vec::new())),
            Job::Tick { reply } => drop(reply.send(())),
            Job::ErpPost { reply, .. } => drop(reply.send(Err(api()))),
            Job::ErpCheck { reply, .. } => drop(reply.send(None)),
            Job::ErpPosition { reply, .. } => drop(reply.send(None)),
            Job::Remind { reply, .. } => drop(reply.send(Err(api()))),
            Job::Notices { reply } => drop(reply.send(Default::default())),
            Job::Run { reply, .. } => drop(reply.send(Err(why()))),
        }
    }
}

/// The user the server acts as on its own (expiry, reviews the rules file).
fn system() -> User {
    creditdesk_app::system_user()
}

struct Engine {
    /// When requests were last checked for expiry (milliseconds).
    expired_at: std::cell::Cell<i64>,
    store: SqlStore,
    book: RefCell<Book>,
    clock: Clock,
    changes: broadcast::Sender<u64>,
    /// The chunks of the latest snapshots, newest last: (whose: "all" or a rep's id, cursor,
    /// chunks by key).
    snapshots: RefCell<Vec<Kept>>,
    /// When the rules last ran over every customer on the schedule (milliseconds).
    ruled_at: std::cell::Cell<i64>,
    /// When notices began on this database (the `notices.since` setting), once read.
    notices_since: std::cell::Cell<Option<i64>>,
    /// The alerts whose notices were worked out and enqueued, under which settings and directory
    /// (a change of either works every open alert out again). Without it every command would
    /// write out the notices of every open alert again, only to find them known.
    noticed: RefCell<Noticed>,
    /// The last audit entry the ERP's events were collected up to (the `erp_hooks.seq` setting,
    /// written only when events were enqueued: a restart reads entries again that had none).
    erp_seq: std::cell::Cell<Option<u64>>,
    /// The keys of the notices enqueued by this process (the table's unique key is the guard;
    /// this only saves asking again).
    enqueued: RefCell<std::collections::HashSet<String>>,
    wake: std::sync::Arc<tokio::sync::Notify>,
    holder: String,
    backups: Option<crate::backups::Plan>,
}

/// The alerts whose notices are enqueued, and the settings' version and directory they were
/// worked out under.
#[derive(Default)]
struct Noticed {
    version: Option<u32>,
    users: Vec<User>,
    alerts: std::collections::HashSet<String>,
}

/// Whose ledger a snapshot holds: everyone who sees every customer shares one.
fn scope(user: &User) -> String {
    if user.may(creditdesk_domain::approval::Permission::SeeAllCustomers) {
        "all".into()
    } else {
        user.id.clone()
    }
}

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Engine {
    async fn open(
        start: &Start,
        changes: broadcast::Sender<u64>,
        fence: std::sync::Arc<crate::jobs::Fence>,
    ) -> Result<Engine, String> {
        let (pool, _) = open(&start.database_url, 4).await?;
        let store = SqlStore::fenced(pool, fence);
        let as_of = start.clock.today();
        if let Some(lang) = start.demo {
            if store.setting("initialized").await.map_err(text)?.is_none()
                && store.stats().await.map_err(text)?.customers == 0
            {
                let spec = if start.large {
                    DemoSpec::large(as_of)
                } else {
                    DemoSpec::demo(as_of, lang)
                };
                let (customers, rows) = Rows::split(generate(&spec));
                store.replace_all(&customers, &rows).await.map_err(text)?;
                creditdesk_app::load::forget_monitoring(&store)
                    .await
                    .map_err(text)?;
                store
                    .set_setting(creditdesk_app::admin::DEMO_REQUESTS, "pending")
                    .await
                    .map_err(text)?;
            }
        }
        store.set_setting("initialized", "1").await.map_err(text)?;
        let device = DeviceId::from_u128(0);
        let demo_users = start.demo;
        let (book, warnings) = creditdesk_app::load::whole_book(&store, as_of, device, || {
            demo_users
                .map(creditdesk_domain::demo::users)
                .unwrap_or_default()
        })
        .await
        .map_err(text)?;
        for w in warnings {
            eprintln!("warning: {w}");
        }
        let engine = Engine {
            expired_at: std::cell::Cell::new(i64::MIN / 2),
            store,
            book: RefCell::new(book),
            clock: start.clock.clone(),
            changes,
            snapshots: RefCell::new(Vec::new()),
            ruled_at: std::cell::Cell::new(i64::MIN / 2),
            notices_since: std::cell::Cell::new(None),
            noticed: RefCell::new(Noticed::default()),
            erp_seq: std::cell::Cell::new(None),
            enqueued: RefCell::new(Default::default()),
            wake: start.wake.clone(),
            holder: start.holder.clone(),
            backups: start.backups.clone(),
        };
        if let Some(lang) = start.demo {
            creditdesk_app::admin::seed_demo_requests(
                &engine.store,
                &engine.book,
                lang,
                engine.clock.now().0,
            )
            .await
            .map_err(text)?;
        }
        let _ = engine.watch(None).await;
        // The schedule's first run over everyone is a minute on: this one was it.
        engine.ruled_at.set(engine.clock.now().0);
        engine.notify().await;
        engine.erp_events().await;
        Ok(engine)
    }

    async fn serve(&self, job: Job) {
        self.keep_time().await;
        match job {
            Job::Push { user, push, reply } => {
                let _ = reply.send(self.push(&user, push).await);
            }
            Job::Pull {
                user,
                cursor,
                digest,
                reply,
            } => {
                let _ = reply.send(self.pull(&user, cursor, digest).await);
            }
            Job::Chunk {
                user,
                cursor,
                key,
                reply,
            } => {
                let whose = self.user(&user).map(|u| scope(&u));
                let found = self.snapshots.borrow().iter().find_map(|(w, c, chunks)| {
                    (Some(w) == whose.as_ref() && *c == cursor)
                        .then(|| chunks.get(&key).cloned())
                        .flatten()
                });
                let _ = reply.send(found);
            }
            Job::Attachment { user, id, reply } => {
                // A request's attachment, or a document on a customer's file, of a customer the
                // user sees.
                let seen = self.user(&user).is_some_and(|me| {
                    let book = self.book.borrow();
                    book.requests
                        .iter()
                        .find(|r| r.attachments.iter().any(|a| a.id == id))
                        .map(|r| r.customer)
                        .or_else(|| {
                            book.customers
                                .iter()
                                .find(|c| c.documents.iter().any(|d| d.file.id == id))
                                .map(|c| c.id)
                        })
                        .is_some_and(|c| book.visible(&me, c))
                });
                let bytes = if seen {
                    self.store.attachment(&id).await.map_err(text)
                } else {
                    Ok(None)
                };
                let _ = reply.send(bytes);
            }
            Job::Tick { reply } => {
                self.scheduled().await;
                let _ = reply.send(());
            }
            Job::ErpPost {
                caller,
                docs,
                reply,
            } => {
                let now = self.clock.now().0;
                let posting = crate::erp::Posting {
                    pool: &self.store.pool,
                    book: &self.book,
                    caller: &caller.user,
                    key: &caller.key,
                    now,
                };
                let (user, key) = (&caller.user, &caller.key);
                let r = crate::erp::post_batch(posting, docs, |command| async move {
                    let id = format!("erp:{key}:{}", uuid::Uuid::new_v4());
                    self.execute(user, &id, command, Vec::new())
                        .await
                        .map(|_| ())
                })
                .await;
                let _ = reply.send(r);
            }
            Job::ErpCheck {
                user,
                id,
                amount,
                prepaid,
                reply,
            } => {
                let book = self.book.borrow();
                let answer = book
                    .visible(&user, id)
                    .then(|| crate::erp::check(&book, id, amount, prepaid))
                    .flatten();
                let _ = reply.send(answer);
            }
            Job::ErpPosition {
                user,
                code,
                id,
                reply,
            } => {
                let book = self.book.borrow();
                let answer = book
                    .visible(&user, id)
                    .then(|| crate::erp::position(&book, &code, id))
                    .flatten();
                let _ = reply.send(answer);
            }
            Job::Remind {
                user,
                customer,
                reply,
            } => {
                let _ = reply.send(self.remind(&user, customer, None).await);
            }
            Job::Notices { reply } => {
                let _ = reply.send(self.book.borrow().notices.clone());
            }
            Job::Directory { reply } => {
                let _ = reply.send(self.book.borrow().users.clone());
            }
            Job::Run {
                actor,
                command,
                reply,
            } => {
                let key = format!("server:{}", uuid::Uuid::new_v4());
                let r = self.execute(&actor, &key, *command, Vec::new()).await;
                let _ = reply.send(
                    r.map(|_| ())
                        .map_err(|(code, reason)| format!("{code}: {reason}")),
                );
            }
        }
    }

    /// A new day moves the book on and runs the rules over everyone; requests past their time
    /// expire (checked at most once a minute), as the system.
    async fn keep_time(&self) {
        let today = self.clock.today();
        if self.book.borrow_mut().roll_to(today) {
            // A new day: invoices fall due, limits end. The rules' alerts go out to devices.
            let _ = self.watch(None).await;
            self.announce().await;
        }
        let now = self.clock.now().0;
        if now - self.expired_at.get() >= 60_000 {
            self.expired_at.set(now);
            let key = format!("system:expire:{now}");
            if let Err((code, reason)) = self
                .execute(&system(), &key, Command::ExpireDue, Vec::new())
                .await
            {
                eprintln!("requests not expired: {code}: {reason}");
            }
        }
    }

    fn user(&self, id: &str) -> Option<User> {
        self.book
            .borrow()
            .users
            .iter()
            .find(|u| u.id == id)
            .cloned()
    }

    /// How the server runs a command as `actor`: its clock, its own device, the command's id.
    fn ctx(&self, actor: &User, command_id: &str) -> Ctx {
        Ctx {
            actor: actor.clone(),
            device: DeviceId::from_u128(0),
            now: self.clock.now(),
            as_of: self.clock.today(),
            command_id: command_id.to_string(),
        }
    }

    /// Runs one command as `actor`; on success the rules run over what it touched.
    async fn execute(
        &self,
        actor: &User,
        key: &str,
        command: Command,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<Vec<CustomerId>, (String, String)> {
        let ctx = self.ctx(actor, key);
        match execute(&self.store, &self.book, &ctx, command, files).await {
            Ok(receipt) => {
                if !receipt.touched.is_empty() {
                    let _ = self.watch(Some(receipt.touched.clone())).await;
                }
                self.notify().await;
                self.erp_events().await;
                self.announce().await;
                Ok(receipt.touched)
            }
            Err(e) => Err((e.code().as_str().to_string(), e.to_string())),
        }
    }

    /// Runs the rules (over some customers, or all), and files the reviews they ask for.
    async fn watch(&self, ids: Option<Vec<CustomerId>>) -> Result<(), String> {
        let now = self.clock.now();
        let mut id = || uuid::Uuid::new_v4().as_u128();
        match watch(&self.store, &self.book, now, ids, &system(), &mut id).await {
            Ok(w) => {
                if let Err(e) = w.reviews {
                    eprintln!("reviews not filed: {e}");
                    return Err(format!("reviews not filed: {e}"));
                }
                Ok(())
            }
            Err(e) => {
                eprintln!("rules not run: {e}");
                Err(format!("rules not run: {e}"))
            }
        }
    }

    /// The scheduled run: the rules over every customer (at most once per `RULES_EVERY_MS`,
    /// and only while this process holds the `rules` lease), then the notices due. Time itself
    /// (a new day, expiry) was kept before any job.
    async fn scheduled(&self) {
        let now = self.clock.now().0;
        if now - self.ruled_at.get() >= RULES_EVERY_MS {
            let pool = &self.store.pool;
            match crate::jobs::lease(pool, "rules", &self.holder, now, 5 * RULES_EVERY_MS).await {
                Ok(true) => {
                    self.ruled_at.set(now);
                    let t = std::time::Instant::now();
                    let error = self.watch(None).await.err();
                    let _ = crate::jobs::record(
                        pool,
                        "rules",
                        now,
                        t.elapsed().as_millis() as i64,
                        error.as_deref(),
                    )
                    .await;
                    self.announce().await;
                }
                Ok(false) => {}
                Err(e) => eprintln!("the rules' lease: {e}"),
            }
        }
        self.notify().await;
        self.erp_events().await;
        self.back_up().await;
    }

    /// Posts the audit entries ERPs subscribe to (holds, releases, limit changes) to their
    /// webhooks, from where the last round left off (the first time: from now on).
    async fn erp_events(&self) {
        let last = self.book.borrow().audit.last().map_or(0, |e| e.seq);
        let after = match self.erp_seq.get() {
            Some(seq) => seq,
            None => match self.store.setting("erp_hooks.seq").await {
                Ok(Some(s)) => s.parse().unwrap_or(last),
                Ok(None) => {
                    let _ = self
                        .store
                        .set_setting("erp_hooks.seq", &last.to_string())
                        .await;
                    self.erp_seq.set(Some(last));
                    return;
                }
                Err(e) => {
                    eprintln!("ERP events not collected: {e}");
                    return;
                }
            },
        };
        self.erp_seq.set(Some(after));
        if after >= last {
            return;
        }
        let now = self.clock.now().0;
        let (upto, due) = crate::erp::events_after(&self.book.borrow(), after);
        if due.is_empty() {
            // Nothing for the ERP: remembered here only (a command does not pay for a write).
            self.erp_seq.set(Some(upto));
            return;
        }
        match crate::erp::enqueue_events(&self.store.pool, &due, now).await {
            Ok(()) => {
                if self
                    .store
                    .set_setting("erp_hooks.seq", &upto.to_string())
                    .await
                    .is_ok()
                {
                    self.erp_seq.set(Some(upto));
                }
                self.wake.notify_one();
            }
            Err(e) => eprintln!("ERP events not enqueued: {e}"),
        }
    }

    /// Today's backup, if it is not there yet (under the `backup` lease; see `backups`).
    async fn back_up(&self) {
        let Some(plan) = self.backups.as_ref().filter(|p| p.keep > 0) else {
            return;
        };
        let today = self.clock.today();
        if plan.dir.join(crate::backups::file_name(today)).exists() {
            return;
        }
        let now = self.clock.now().0;
        let pool = &self.store.pool;
        match crate::jobs::lease(pool, "backup", &self.holder, now, 3_600_000).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                eprintln!("the backup's lease: {e}");
                return;
            }
        }
        // The dump is read here, between commands, so that it is one consistent state; it is
        // written to disk off this thread, while commands go on.
        let t = std::time::Instant::now();
        let dump = self.store.dump().await;
        let (pool, holder, dir, keep) = (
            self.store.pool.clone(),
            self.holder.clone(),
            plan.dir.clone(),
            plan.keep,
        );
        tokio::task::spawn_local(async move {
            let taken = match dump {
                Ok(dump) => tokio::task::spawn_blocking(move || {
                    crate::backups::write(&dump, &dir, today, keep)
                })
                .await
                .unwrap_or_else(|e| Err(e.to_string())),
                Err(e) => Err(e.to_string()),
            };
            let error = taken.as_ref().err().cloned();
            match &taken {
                Ok(b) => println!(
                    "backup {} ({} bytes, sha-256 {}){}",
                    b.path.display(),
                    b.bytes,
                    b.sha256,
                    if b.removed.is_empty() {
                        String::new()
                    } else {
                        format!("; removed {} older", b.removed.len())
                    }
                ),
                Err(e) => eprintln!("backup not taken: {e}"),
            }
            let _ = crate::jobs::record(
                &pool,
                "backup",
                now,
                t.elapsed().as_millis() as i64,
                error.as_deref(),
            )
            .await;
            let _ = crate::jobs::release(&pool, "backup", &holder).await;
        });
    }

    /// Queues a reminder to a customer (by `user`; by the system for an alert, whose id keeps it
    /// from going twice) and records it on the customer's trail.
    async fn remind(
        &self,
        user: &User,
        customer: CustomerId,
        alert: Option<&str>,
    ) -> Result<crate::api::Reminder, crate::api::ApiError> {
        use crate::api::ApiError;
        use axum::http::StatusCode;
        let (c, items, as_of) = {
            let book = self.book.borrow();
            let Some(c) = book
                .customer(customer)
                .filter(|c| user.sees(&c.sales_rep))
                .cloned()
            else {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "SRV-NO-CUSTOMER",
                    "no such customer that you see",
                ));
            };
            let items = book.open_items(customer);
            (c, items, book.as_of)
        };
        // The reply names the address only to whom may see the customer's e-mail.
        let email_shown = self
            .book
            .borrow()
            .field_access(user, creditdesk_domain::party::field::EMAIL)
            != creditdesk_domain::access::Access::Hidden;
        let to = c.email.trim().to_string();
        if !creditdesk_domain::notice::is_email(&to) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "SRV-NO-EMAIL",
                format!(
                    "{} has no e-mail address: add one on the customer's form",
                    c.name
                ),
            ));
        }
        let Some((subject, body)) = creditdesk_domain::notice::customer_reminder(&c, &items, as_of)
        else {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "SRV-NOTHING-OPEN",
                format!("{} has no open invoice to remind of", c.name),
            ));
        };
        let now = self.clock.now().0;
        let key = match alert {
            Some(a) => format!("reminder:alert:{a}"),
            None => format!("reminder:{}:{}", c.id, uuid::Uuid::new_v4()),
        };
        let new = crate::notify::enqueue_customer_mail(
            &self.store.pool,
            &key,
            &user.id,
            &c.id.to_string(),
            &to,
            &subject,
            &body,
            now,
        )
        .await
        .map_err(ApiError::internal)?;
        if new {
            let command = Command::ReminderSent {
                customer,
                to: to.clone(),
                subject: subject.clone(),
                id: key.clone(),
            };
            // Only an entry on the trail: no figure changes, so no rules to run (and no notices).
            let ctx = self.ctx(user, &format!("server:{key}"));
            execute(&self.store, &self.book, &ctx, command, Vec::new())
                .await
                .map_err(|e| {
                    ApiError::new(StatusCode::BAD_REQUEST, "SRV-REMINDER", e.to_string())
                })?;
            self.announce().await;
            self.wake.notify_one();
        }
        Ok(crate::api::Reminder {
            to: if email_shown { to } else { String::new() },
            subject,
            lang: c.lang.code().into(),
        })
    }

    /// Enqueues the notices due now (alerts raised and requests waiting, late or escalated since
    /// notices began on this database) and wakes the deliverer.
    async fn notify(&self) {
        let now = self.clock.now().0;
        let since = match self.notices_since.get() {
            Some(since) => Ok(Some(since.to_string())),
            None => self.store.setting("notices.since").await,
        };
        let since = match since {
            Ok(Some(s)) => s.parse().unwrap_or(now),
            Ok(None) => {
                // The first time: what happened before now is history, not news.
                let since = now + 1;
                if let Err(e) = self
                    .store
                    .set_setting("notices.since", &since.to_string())
                    .await
                {
                    eprintln!("notices not started: {e}");
                    return;
                }
                since
            }
            Err(e) => {
                eprintln!("notices not collected: {e}");
                return;
            }
        };
        self.notices_since.set(Some(since));
        let (due, settings, fresh) = {
            let book = self.book.borrow();
            let fresh: Vec<creditdesk_domain::monitor::Alert> = {
                let mut noticed = self.noticed.borrow_mut();
                if noticed.version != Some(book.notices.version) || noticed.users != book.users {
                    *noticed = Noticed {
                        version: Some(book.notices.version),
                        users: book.users.clone(),
                        alerts: Default::default(),
                    };
                }
                book.monitor
                    .alerts
                    .iter()
                    .filter(|a| !noticed.alerts.contains(&a.id))
                    .cloned()
                    .collect()
            };
            // Each user's hidden fields, worked out once (not per alert and recipient).
            let hidden: std::collections::HashMap<&str, _> = book
                .users
                .iter()
                .filter(|_| !fresh.is_empty())
                .map(|u| {
                    let h = creditdesk_domain::access::hidden(
                        &book.fields,
                        u,
                        &book.policy.profile_editors,
                    );
                    (u.id.as_str(), h)
                })
                .filter(|(_, h)| !h.is_empty())
                .collect();
            let mut due = creditdesk_domain::notice::alert_notices(
                &fresh,
                |id| {
                    book.customer(id)
                        .map(|c| (c.name.as_str(), c.sales_rep.as_str()))
                },
                &book.users,
                &book.notices,
                since,
                |a, user| {
                    hidden
                        .get(user)
                        .is_some_and(|h| a.reads_hidden(&book.rules, h))
                },
            );
            due.extend(creditdesk_domain::notice::request_notices(
                &book.requests,
                |id| book.customer(id).map(|c| c.name.clone()),
                &book.users,
                &book.notices,
                now,
                since,
            ));
            let known = self.enqueued.borrow();
            due.retain(|n| !known.contains(&n.key));
            let fresh: Vec<String> = fresh.into_iter().map(|a| a.id).collect();
            (due, book.notices.clone(), fresh)
        };
        let noticed = |fresh: Vec<String>| self.noticed.borrow_mut().alerts.extend(fresh);
        // Reminders to customers a rule drafts, when the administrator lets them go by themselves.
        if settings.customer_reminders {
            let drafted: Vec<(String, CustomerId)> = self
                .book
                .borrow()
                .monitor
                .alerts
                .iter()
                .filter(|a| {
                    a.notice
                        && a.status == creditdesk_domain::monitor::AlertStatus::Open
                        && a.raised_at >= since
                })
                .map(|a| (a.id.clone(), a.customer))
                .filter(|(id, _)| {
                    !self
                        .enqueued
                        .borrow()
                        .contains(&format!("reminder:alert:{id}"))
                })
                .collect();
            for (alert, customer) in drafted {
                match self.remind(&system(), customer, Some(&alert)).await {
                    Ok(_) => {}
                    // No address or nothing open: nothing to send, and nothing to retry.
                    Err(e) if e.code != "SRV-INTERNAL" => {}
                    Err(e) => eprintln!("reminder not queued: {}", e.message),
                }
                self.enqueued
                    .borrow_mut()
                    .insert(format!("reminder:alert:{alert}"));
            }
        }
        if due.is_empty() {
            noticed(fresh);
            return;
        }
        match crate::notify::enqueue(&self.store.pool, &due, &settings, now).await {
            Ok(added) => {
                noticed(fresh);
                self.enqueued
                    .borrow_mut()
                    .extend(due.into_iter().map(|n| n.key));
                if added > 0 {
                    self.wake.notify_one();
                }
            }
            Err(e) => eprintln!("notices not enqueued: {e}"),
        }
    }

    async fn announce(&self) {
        if let Ok(c) = self.store.cursor().await {
            let _ = self.changes.send(c);
        }
    }

    async fn push(&self, user: &str, push: Push) -> Result<PushReply, String> {
        let mut results = Vec::with_capacity(push.mutations.len());
        let actor = self.user(user);
        for m in push.mutations {
            results.push(self.one(actor.as_ref(), &push.client, m).await?);
        }
        Ok(PushReply {
            results,
            cursor: self.store.cursor().await.map_err(text)?,
        })
    }

    async fn one(
        &self,
        actor: Option<&User>,
        client: &str,
        m: Mutation,
    ) -> Result<MutationResult, String> {
        let key = m.key(client);
        let n = m.n;
        let refused = |code: &str, reason: String| MutationResult {
            n,
            status: Status::Refused,
            code: Some(code.into()),
            reason: Some(reason),
        };
        if self.store.applied(&key).await.map_err(text)? {
            return Ok(MutationResult {
                n,
                status: Status::AlreadyApplied,
                code: None,
                reason: None,
            });
        }
        if let Some((code, reason)) = self.refusal(&key).await.map_err(text)? {
            return Ok(refused(&code, reason));
        }
        let Some(actor) = actor else {
            return Ok(refused(
                "SRV-NOT-IN-DIRECTORY",
                "your user is not in the directory any more".into(),
            ));
        };
        // A reminder is recorded by the server as it sends one, never on a device's word (it
        // writes on the customer's file).
        if matches!(m.command, Command::ReminderSent { .. }) {
            return Ok(refused(
                "SRV-SERVER-ONLY",
                "a reminder is recorded by the server when it sends one (POST /api/v1/customers/{id}/reminder)".into(),
            ));
        }
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut files = Vec::new();
        for (id, data) in &m.files {
            match b64.decode(data) {
                Ok(bytes) => files.push((id.clone(), bytes)),
                Err(e) => {
                    return Ok(refused(
                        "SRV-ATTACHMENT",
                        format!("attachment {id} is not base64: {e}"),
                    ))
                }
            }
        }
        match self.execute(actor, &key, m.command, files).await {
            Ok(_) => Ok(MutationResult {
                n,
                status: Status::Applied,
                code: None,
                reason: None,
            }),
            // The store failed (the database, or the lease lost): nothing was written and the
            // command is not refused; the device keeps it and pushes it again.
            Err(_) if self.store.fence_lost() => Err(format!(
                "{}: this server is no longer the primary of its database; push again",
                crate::jobs::STANDBY
            )),
            Err((code, reason)) if code == "CMD-STORE" => Err(reason),
            Err((code, reason)) => {
                self.remember_refusal(&key, &actor.id, &code, &reason)
                    .await
                    .map_err(text)?;
                Ok(refused(&code, reason))
            }
        }
    }

    async fn refusal(&self, key: &str) -> Result<Option<(String, String)>, StoreError> {
        let row = sqlx::query("SELECT code, reason FROM refusals WHERE command_id = $1")
            .bind(key.to_string())
            .fetch_optional(&self.store.pool)
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(row.map(|r| (r.get::<String, _>(0), r.get::<String, _>(1))))
    }

    async fn remember_refusal(
        &self,
        key: &str,
        user: &str,
        code: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO refusals (command_id, user_id, code, reason, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(key.to_string())
        .bind(user.to_string())
        .bind(code.to_string())
        .bind(reason.to_string())
        .bind(self.clock.now().0)
        .execute(&self.store.pool)
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(())
    }

    async fn pull(
        &self,
        user: &str,
        cursor: u64,
        digest: Option<Digest>,
    ) -> Result<PullReply, String> {
        let now = self.store.cursor().await.map_err(text)?;
        if cursor == now && cursor > 0 {
            return Ok(PullReply::Unchanged { cursor });
        }
        let Some(me) = self.user(user) else {
            return Err("your user is not in the directory any more".into());
        };
        let whose = scope(&me);
        let cached = self
            .snapshots
            .borrow()
            .iter()
            .any(|(w, c, _)| *w == whose && *c == now);
        let (snapshot, chunks) = self.book.borrow().snapshot_for(&me, now).map_err(text)?;
        if !cached {
            let mut kept = self.snapshots.borrow_mut();
            // Of this scope's, only the newest stays beside the new one.
            if let Some(newest) = kept.iter().rposition(|(w, _, _)| *w == whose) {
                let mut i = 0;
                kept.retain(|(w, _, _)| {
                    i += 1;
                    *w != whose || i - 1 == newest
                });
            }
            if kept.len() >= SNAPSHOTS_KEPT {
                kept.remove(0);
            }
            kept.push((
                whose,
                now,
                chunks
                    .into_iter()
                    .map(|(k, b)| (k, std::sync::Arc::new(b)))
                    .collect(),
            ));
        }
        Ok(match digest {
            Some(d) => PullReply::Patch(Box::new(snapshot.patch(&d))),
            None => PullReply::Snapshot(Box::new(snapshot)),
        })
    }
}
