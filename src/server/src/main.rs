//! `creditdesk-server`: see `--help`.

use clap::Parser;
use creditdesk_server::{clock::Clock, start, Config};
use std::path::PathBuf;

/// CreditDesk's server: one binary and a database.
///
/// It signs people in, runs every change as the signed-in user with the same checks as the
/// app, keeps the audit trail, syncs devices, and serves the built app. SQLite in the data
/// folder by default; PostgreSQL when DATABASE_URL names one. Every option can also be set in
/// the environment (the name in brackets).
#[derive(Parser, Debug)]
#[command(version, about, long_about)]
struct Args {
    #[command(subcommand)]
    task: Option<Task>,
    /// Address and port to listen on.
    #[arg(long, env = "CREDITDESK_LISTEN", default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// Folder for the SQLite database (creditdesk.sqlite) when no DATABASE_URL is given.
    #[arg(long, env = "CREDITDESK_DATA", default_value = "data")]
    data: PathBuf,
    /// sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DB. Default: SQLite in the data folder.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// The built app to serve (the folder with index.html). Without it, only the API is served.
    #[arg(long, env = "CREDITDESK_SITE")]
    site: Option<PathBuf>,
    /// Fill an empty database with the demo company (zh or en) and let its users sign in with
    /// --demo-password.
    #[arg(long, env = "CREDITDESK_DEMO", value_parser = ["zh", "en"])]
    demo: Option<String>,
    /// With --demo: the benchmark's large book (10,000 customers, a million invoices and a
    /// million payments) instead of the demo company.
    #[arg(long, requires = "demo")]
    demo_large: bool,
    /// The demo users' password.
    #[arg(long, env = "CREDITDESK_DEMO_PASSWORD", default_value = "creditdesk")]
    demo_password: String,
    /// How long a session lasts, in hours.
    #[arg(long, env = "CREDITDESK_SESSION_HOURS", default_value_t = 12)]
    session_hours: i64,
    /// The server is reached over HTTPS through a reverse proxy (nginx, Caddy) that terminates
    /// TLS: the session cookie is sent only over HTTPS and answers carry
    /// Strict-Transport-Security. See docs/server.md, "Behind TLS".
    #[arg(long, env = "CREDITDESK_BEHIND_TLS")]
    behind_tls: bool,
    /// How often, in seconds, the schedule runs: the warning rules over every customer (at most
    /// once a minute), request deadlines and expiry, and the notices due. 0 turns it off.
    #[arg(long, env = "CREDITDESK_TICK_SECONDS", default_value_t = 60.0)]
    tick_seconds: f64,
    /// One process runs the commands of a database (the primary); another one started on the same
    /// database stands by and looks every third of this. It takes over when the primary stops or
    /// its process on this machine is gone, else this many seconds after the primary's last
    /// renewal. See docs/server.md.
    #[arg(long, env = "CREDITDESK_LEASE_SECONDS", default_value_t = 15.0)]
    lease_seconds: f64,
    /// The mail relay for e-mail notices: smtp://HOST:PORT (plain, a local relay),
    /// smtp://USER:PASSWORD@HOST:587?tls=required (STARTTLS) or smtps://USER:PASSWORD@HOST:465.
    /// Without it e-mail notices wait (retried) until one is set. See docs/server.md, "Notices".
    #[arg(long, env = "CREDITDESK_SMTP_URL")]
    smtp_url: Option<String>,
    /// A PEM certificate to trust for the relay's TLS besides the public roots (a company's own
    /// certificate authority, or the relay's self-signed certificate).
    #[arg(long, env = "CREDITDESK_SMTP_CA")]
    smtp_ca: Option<PathBuf>,
    /// The sender of e-mail notices.
    #[arg(
        long,
        env = "CREDITDESK_SMTP_FROM",
        default_value = "CreditDesk <creditdesk@localhost>"
    )]
    smtp_from: String,
    /// The folder of the daily backups (default: `backups` in the data folder).
    #[arg(long, env = "CREDITDESK_BACKUP_DIR")]
    backup_dir: Option<PathBuf>,
    /// How many daily backups to keep; 0 turns them off. See docs/server.md, "Backups".
    #[arg(long, env = "CREDITDESK_BACKUP_KEEP", default_value_t = 14)]
    backup_keep: usize,
    /// Start the clock at 10:00 Beijing time on this day (`2026-06-15`) and let it run: for tests
    /// and demos only.
    #[arg(long, env = "CREDITDESK_FAKE_TODAY")]
    fake_today: Option<String>,
}

/// What to do besides serving (the default). Stop the server first: it holds the data in memory.
#[derive(clap::Subcommand, Debug)]
enum Task {
    /// Writes the whole database as a backup file (the app's JSON format) to standard output.
    Backup {
        /// The user taking it (must see every customer); recorded nowhere, checked against the
        /// directory.
        #[arg(long = "as")]
        actor: String,
    },
    /// Replaces the data with a backup file (or merges it in), as an administrator, audited: the
    /// trail before it is archived and the restore names the file and its SHA-256.
    Restore {
        file: PathBuf,
        /// The administrator restoring it.
        #[arg(long = "as")]
        actor: String,
        /// Add what the file has and the database lacks, instead of replacing.
        #[arg(long)]
        merge: bool,
    },
    /// Restores a backup (the latest in the backup folder, or FILE) into a scratch database and
    /// checks it: its SHA-256, every section's count, the audit trail's chain. Exits non-zero if
    /// anything does not match. Needs no stopped server.
    RestoreDrill { file: Option<PathBuf> },
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Err(e) = run(args).await {
        eprintln!("creditdesk-server: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let database_url = match args.database_url {
        Some(u) => u,
        None => {
            std::fs::create_dir_all(&args.data).map_err(|e| {
                format!("cannot create the data folder {}: {e}", args.data.display())
            })?;
            format!("sqlite:{}", args.data.join("creditdesk.sqlite").display())
        }
    };
    let backup_dir = args
        .backup_dir
        .clone()
        .unwrap_or_else(|| args.data.join("backups"));
    if let Some(task) = args.task {
        return admin_task(&database_url, &backup_dir, task).await;
    }
    let clock = match args.fake_today {
        None => Clock::System,
        Some(day) => {
            let d = creditdesk_domain::Date::parse(&day)
                .map_err(|e| format!("--fake-today {day:?}: {e:?}"))?;
            // 10:00 in Beijing is 02:00 UTC.
            Clock::starting_at(d.days() as i64 * 86_400_000 + 2 * 3_600_000)
        }
    };
    let demo = args.demo.as_deref().map(|l| match l {
        "en" => creditdesk_domain::demo::DemoLang::En,
        _ => creditdesk_domain::demo::DemoLang::Zh,
    });
    let relay = creditdesk_server::notify::Relay {
        url: args.smtp_url,
        from: args.smtp_from,
        ca: match &args.smtp_ca {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| format!("--smtp-ca {}: {e}", path.display()))?,
            ),
            None => None,
        },
    };
    // A relay's TLS that cannot work is said at the start, not at the first notice.
    relay.tls()?;
    let config = Config {
        listen: args.listen,
        database_url: database_url.clone(),
        site: args.site,
        demo,
        demo_password: demo.map(|_| args.demo_password.clone()),
        session_hours: args.session_hours,
        clock,
        large: args.demo_large,
        behind_tls: args.behind_tls,
        tick: std::time::Duration::try_from_secs_f64(args.tick_seconds.max(0.0))
            .map_err(|e| format!("--tick-seconds {}: {e}", args.tick_seconds))?,
        relay,
        lease: std::time::Duration::try_from_secs_f64(args.lease_seconds)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                format!(
                    "--lease-seconds {}: expected a positive number",
                    args.lease_seconds
                )
            })?,
        backups: Some(creditdesk_server::backups::Plan {
            dir: backup_dir,
            keep: args.backup_keep,
        }),
    };
    let running = start(config).await?;
    let shown = database_url.split('@').next_back().unwrap_or_default();
    println!(
        "CreditDesk server on http://{} ({}: {shown})",
        running.addr,
        running.engine.backend.name()
    );
    if !running.engine.is_primary() {
        println!("standing by: another server process is the primary of this database; the API answers 503 SRV-STANDBY until this one takes over");
    } else if demo.is_some() {
        println!("demo users sign in with password {:?}: admin, rep-1 … rep-8, sm-1, sm-2, fs-1, fs-2, fm-1, cfo-1, gm-1", args.demo_password);
    } else if !creditdesk_server::identity::anyone(&running.pool).await? {
        println!("first run: open the app (or POST /api/v1/setup) to create the administrator");
    }
    running.wait().await;
    Ok(())
}

/// A backup or a restore on the database, as a user of its directory; or the restore drill.
async fn admin_task(
    database_url: &str,
    backup_dir: &std::path::Path,
    task: Task,
) -> Result<(), String> {
    if let Task::RestoreDrill { file } = task {
        let file = match file {
            Some(f) => f,
            None => creditdesk_server::backups::list(backup_dir)
                .pop()
                .ok_or_else(|| format!("no backup in {}", backup_dir.display()))?,
        };
        let d = creditdesk_server::backups::drill(&file).await?;
        let c = &d.restored;
        println!(
            "restore drill passed: {} (sha-256 {})\n  {} customers, {} orders, {} invoices, {} payments, {} credit notes, {} requests, {} alerts, {} tasks, {} attachments: as in the file\n  audit trail: {} entries, the chain verifies\n  {} ms",
            d.file.display(),
            d.sha256,
            c.customers,
            c.orders,
            c.invoices,
            c.payments,
            c.credit_notes,
            c.requests,
            c.alerts,
            c.tasks,
            c.attachments,
            d.audit_verified,
            d.millis
        );
        return Ok(());
    }
    use creditdesk_storage::settings;
    let (pool, _) = creditdesk_server::store::open(database_url, 1).await?;
    let store = creditdesk_server::store::SqlStore::new(pool);
    let users = settings::USERS
        .read(&store)
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let find = |id: &str| {
        users
            .iter()
            .find(|u| u.id == id)
            .cloned()
            .ok_or_else(|| format!("no user {id:?} in the directory"))
    };
    match task {
        Task::Backup { actor } => {
            let json = creditdesk_app::admin::backup(&store, &find(&actor)?)
                .await
                .map_err(|e| e.to_string())?;
            println!("{json}");
        }
        Task::Restore { file, actor, merge } => {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let text = String::from_utf8(bytes.clone())
                .map_err(|_| format!("{} is not UTF-8 text", file.display()))?;
            let backup = creditdesk_storage::backup::parse(&text).map_err(|(problems, _)| {
                problems
                    .iter()
                    .map(|p| format!("{} at {}: {}", p.code, p.at, p.detail))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let report = creditdesk_app::admin::restore(
                &store,
                &find(&actor)?,
                Clock::System.now().0,
                backup,
                merge,
                &name,
                &creditdesk_domain::approval::sha256_hex(&bytes),
            )
            .await
            .map_err(|e| e.to_string())?;
            match report {
                Some(r) => println!("merged {name}: {r:?}"),
                None => println!("restored {name}"),
            }
        }
        Task::RestoreDrill { .. } => unreachable!("handled above"),
    }
    Ok(())
}
