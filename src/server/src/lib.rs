//! CreditDesk's server: signs people in, runs the application crate's commands as the signed-in
//! user against SQLite (the default, a file in the data folder) or PostgreSQL (`DATABASE_URL`),
//! syncs devices by push and pull, and serves the built app.
//!
//! - [`store`]: the application's `Store` in SQL, with the migrations of both databases;
//! - [`engine`]: the one thread that owns the book and runs commands in order;
//! - [`identity`]: passwords (Argon2id), sessions, the sign-in throttle;
//! - [`api`]: the HTTP API under `/api/v1` and the static files;
//! - [`devices`]: the devices that sync, and the ones reported lost;
//! - [`clock`]: the one source of "now" and of the business day;
//! - [`site`]: the built app's files, precompressed and cached by name;
//! - [`security`]: the security headers of every answer and the cross-site request guard;
//! - [`jobs`]: the schedule (rules, expiry, notices) with nobody at a screen, one process at a time;
//! - [`notify`]: notices by e-mail, webhook and the app's messages, retried until delivered;
//! - [`erp`]: the ERP API under `/api/erp/v1` with API keys, and its OpenAPI document;
//! - [`backups`]: the daily backup (atomic, with its SHA-256, the newest kept) and the restore drill;
//! - [`loopback`]: a minimal HTTP client for the tests and the benchmark.

pub mod api;
pub mod backups;
pub mod clock;
pub mod devices;
pub mod engine;
pub mod erp;
pub mod identity;
pub mod jobs;
pub mod loopback;
pub mod notify;
pub mod security;
pub mod site;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Everything a server needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    /// The built app to serve (`index.html` and its files); none serves the API only.
    pub site: Option<PathBuf>,
    pub demo: Option<creditdesk_domain::demo::DemoLang>,
    /// The password every demo user gets (with `demo`).
    pub demo_password: Option<String>,
    pub session_hours: i64,
    pub clock: clock::Clock,
    /// Seed the benchmark's large book (10,000 customers, a million invoices and payments)
    /// instead of the demo (with `demo`).
    pub large: bool,
    /// The server is reached over HTTPS (a reverse proxy terminates TLS): cookies are `Secure`
    /// and answers carry `Strict-Transport-Security`.
    pub behind_tls: bool,
    /// How often the schedule runs (rules over every customer at most once a minute, expiry,
    /// notices); zero: never by itself (tests call `EngineHandle::tick`).
    pub tick: std::time::Duration,
    /// Where e-mail notices go out.
    pub relay: notify::Relay,
    /// Daily backups by the schedule (none: off).
    pub backups: Option<backups::Plan>,
    /// How long the primary lease lasts unrenewed: how soon a standby process on the same
    /// database takes over from a primary that stopped answering (see [`jobs`]).
    pub lease: std::time::Duration,
}

/// The primary lease's default length.
pub const PRIMARY_LEASE: std::time::Duration = std::time::Duration::from_secs(15);

/// A started server.
pub struct Running {
    pub addr: SocketAddr,
    pub engine: engine::EngineHandle,
    pub pool: sqlx::AnyPool,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    /// The ticker, the deliverer and the lease's renewal: they stop with the server.
    background: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, finishes what is in flight, and returns.
    pub async fn stop(mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
        let _ = (&mut self.task).await;
        self.finish().await;
    }
    /// Waits until the server stops (Ctrl-C, SIGTERM).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
        self.finish().await;
    }
    /// After the last answer: the background tasks end and the primary lease is given back,
    /// so that a standby (or this server started again) takes over at once.
    async fn finish(self) {
        for b in self.background {
            let _ = b.await;
        }
        if self.engine.role() != engine::Role::Standby {
            let fence = &self.engine.fence;
            let _ = jobs::release(&self.pool, jobs::PRIMARY, &fence.holder).await;
        }
    }
}

/// Resolves when the process is asked to end (SIGTERM: a service manager, a container's stop);
/// never where there is no such signal.
async fn terminated() {
    #[cfg(unix)]
    if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        s.recv().await;
        return;
    }
    std::future::pending::<()>().await
}

/// Opens the database, starts the engine, binds and serves.
pub async fn start(config: Config) -> Result<Running, String> {
    let wake = Arc::new(tokio::sync::Notify::new());
    let engine = {
        let start = engine::Start {
            database_url: config.database_url.clone(),
            clock: config.clock.clone(),
            demo: config.demo,
            large: config.large,
            wake: wake.clone(),
            holder: jobs::holder_name(),
            backups: config.backups.clone(),
            lease_ms: config.lease.as_millis().max(1) as i64,
        };
        tokio::task::spawn_blocking(move || engine::spawn(start))
            .await
            .map_err(|e| e.to_string())??
    };
    let (pool, _) = store::open(&config.database_url, 8).await?;
    if let (Some(_), Some(password)) = (config.demo, &config.demo_password) {
        // The demo's users sign in with the demo password, until someone changes theirs.
        let hashed = identity::hash_password(password)?;
        for u in engine.directory().await? {
            if identity::credential(&pool, &u.id).await?.is_none() {
                identity::set_password(&pool, &u.id, &hashed, config.clock.now().0, None).await?;
            }
        }
    }
    let (stopping_tx, stopping) = tokio::sync::watch::channel(false);
    let renewal = {
        // The primary lease is renewed off the engine's thread, so that a long job there (the
        // book's first load, a backup) does not let it run out.
        let (engine, pool, mut stopping) = (engine.clone(), pool.clone(), stopping.clone());
        let every = (config.lease / 3).max(std::time::Duration::from_millis(50));
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            loop {
                tokio::select! {
                    _ = interval.tick() => {
                        if engine.role() != engine::Role::Standby && !engine.fence.lost() {
                            if let Err(e) = engine.fence.renew(&pool).await {
                                eprintln!("the primary lease not renewed: {e}");
                            }
                        }
                    }
                    _ = stopping.changed() => return,
                }
            }
        })
    };
    let mut background = vec![
        renewal,
        tokio::spawn(
            notify::Deliverer::new(
                pool.clone(),
                config.clock.clone(),
                config.relay.clone(),
                wake,
            )
            .run(stopping.clone()),
        ),
    ];
    if !config.tick.is_zero() {
        let (engine, mut stopping, every) = (engine.clone(), stopping.clone(), config.tick);
        background.push(tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = interval.tick() => {
                        if !engine.is_primary() {
                            continue;
                        }
                        if let Err(e) = engine.tick().await {
                            eprintln!("the schedule stopped: {e}");
                            return;
                        }
                    }
                    _ = stopping.changed() => return,
                }
            }
        }));
    }
    let shared = api::Shared {
        stopping,
        pool: pool.clone(),
        engine: engine.clone(),
        clock: config.clock.clone(),
        throttle: Arc::new(identity::Throttle::default()),
        session_ms: config.session_hours * 3_600_000,
        secure_cookies: config.behind_tls,
    };
    let policy = Arc::new(security::Policy::new(
        config.site.as_deref(),
        config.behind_tls,
    )?);
    let mut app = api::router(shared);
    if let Some(site) = &config.site {
        app = site::serve(app, site);
    }
    let app = app.layer(axum::middleware::from_fn(security::csrf)).layer(
        axum::middleware::from_fn_with_state(policy, security::headers),
    );
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let stop = async move {
            tokio::select! {
                _ = rx => {}
                _ = tokio::signal::ctrl_c() => {}
                _ = terminated() => {}
            }
            let _ = stopping_tx.send(true);
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
        {
            eprintln!("server stopped: {e}");
        }
    });
    Ok(Running {
        addr,
        engine,
        pool,
        shutdown: Some(tx),
        task,
        background,
    })
}
