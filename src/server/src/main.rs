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
    /// The demo users' password.
    #[arg(long, env = "CREDITDESK_DEMO_PASSWORD", default_value = "creditdesk")]
    demo_password: String,
    /// How long a session lasts, in hours.
    #[arg(long, env = "CREDITDESK_SESSION_HOURS", default_value_t = 12)]
    session_hours: i64,
    /// Start the clock at 10:00 Beijing time on this day (`2026-06-15`) and let it run: for tests
    /// and demos only.
    #[arg(long, env = "CREDITDESK_FAKE_TODAY")]
    fake_today: Option<String>,
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
    let config = Config {
        listen: args.listen,
        database_url: database_url.clone(),
        site: args.site,
        demo,
        demo_password: demo.map(|_| args.demo_password.clone()),
        session_hours: args.session_hours,
        clock,
        large: false,
    };
    let running = start(config).await?;
    let shown = database_url.split('@').next_back().unwrap_or_default();
    println!(
        "CreditDesk server on http://{} ({}: {shown})",
        running.addr,
        running.engine.backend.name()
    );
    if demo.is_some() {
        println!("demo users sign in with password {:?}: admin, rep-1 … rep-8, sm-1, sm-2, fs-1, fs-2, fm-1, cfo-1, gm-1", args.demo_password);
    } else if !creditdesk_server::identity::anyone(&running.pool).await? {
        println!("first run: open the app (or POST /api/v1/setup) to create the administrator");
    }
    running.wait().await;
    Ok(())
}
