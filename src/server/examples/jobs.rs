//! The always-on server's figures, printed with baselines from the same run:
//! - the warning rules over every customer of the large book (10,000 customers, about 1M invoices
//!   and 1M payments), as the schedule runs them (baseline: a round of the schedule without them);
//! - the ERP's credit check: at the server (the check itself) and on loopback (baseline: a health
//!   request that does no work), p50/p95, and the throughput of 16 clients at once;
//! - 100,000 invoices posted through the ERP API in batches of 5,000, on SQLite and, when
//!   `CREDITDESK_TEST_PG` names a server, on PostgreSQL;
//! - the large book's daily backup and its restore drill: time, file size, and the process's peak
//!   memory before and after (VmHWM).
//!
//! Run: `cargo run --release -p creditdesk-server --example jobs` (`./x bench` runs it).

use creditdesk_domain::demo::DemoLang;
use creditdesk_server::clock::Clock;
use creditdesk_server::loopback::request;
use creditdesk_server::{start, Config, Running};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const PASSWORD: &str = "bench-password";
/// 2026-06-15 10:00 in Beijing.
const NOW_MS: i64 = 1_781_488_800_000;

fn pct(mut v: Vec<f64>, p: usize) -> f64 {
    v.sort_by(f64::total_cmp);
    v[(v.len() * p / 100).min(v.len() - 1)]
}

/// The process's peak resident memory so far (VmHWM), MiB.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn server(url: String, large: bool, clock: Clock) -> Running {
    start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: url,
        site: None,
        demo: Some(DemoLang::En),
        demo_password: Some(PASSWORD.into()),
        session_hours: 12,
        clock,
        large,
        behind_tls: false,
        tick: Duration::ZERO,
        relay: Default::default(),
        backups: None,
        lease: creditdesk_server::PRIMARY_LEASE,
    })
    .await
    .expect("the server starts")
}

async fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Value {
    let a = request(addr, method, path, token, body.as_ref())
        .await
        .expect("an answer");
    assert!(a.status < 300, "{method} {path}: {} {}", a.status, a.json);
    a.json
}

async fn erp_key(addr: SocketAddr) -> String {
    let t = call(
        addr,
        "POST",
        "/api/v1/session",
        None,
        Some(json!({"user": "admin", "password": PASSWORD})),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    call(
        addr,
        "POST",
        "/api/v1/api-keys",
        Some(&t),
        Some(json!({"name": "bench", "acts_as": "fs-1", "scopes": ["ledger", "check", "read"]})),
    )
    .await["secret"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn rules_and_checks(url: String) {
    let t0 = Instant::now();
    let clock = Clock::manual(NOW_MS);
    let s = server(url.clone(), true, clock.clone()).await;
    println!(
        "large book: server seeded and started in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    // The rules over every customer, as the schedule runs them (a minute apart on its clock).
    let mut with_rules = Vec::new();
    let mut without = Vec::new();
    for _ in 0..5 {
        clock.advance(61_000);
        let t = Instant::now();
        s.engine.tick().await.unwrap();
        with_rules.push(t.elapsed().as_secs_f64() * 1e3);
        clock.advance(1_000);
        let t = Instant::now();
        s.engine.tick().await.unwrap();
        without.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (pool, _) = creditdesk_server::store::open(&url, 1).await.unwrap();
    let jobs = creditdesk_server::jobs::list(&pool).await.unwrap();
    let rules = jobs
        .iter()
        .find(|j| j.name == "rules")
        .expect("the rules ran");
    println!(
        "rules over every customer (10,000; ~1M invoices, ~1M payments): a scheduled round with them \
         median {:.1} ms, max {:.1} ms (the rules' own last run {} ms); baseline, a round without them: \
         median {:.1} ms; target < 100 ms",
        pct(with_rules.clone(), 50),
        pct(with_rules, 100),
        rules.last_ms,
        pct(without, 50),
    );

    // The credit check an ERP asks when it saves an order.
    let key = erp_key(s.addr).await;
    // A customer of the large book, linked to an ERP code by its USCC or name.
    let fs = call(
        s.addr,
        "POST",
        "/api/v1/session",
        None,
        Some(json!({"user": "fs-1", "password": PASSWORD})),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let pulled = call(s.addr, "GET", "/api/v1/pull?cursor=0", Some(&fs), None).await;
    let all = pulled["customers"].as_array().unwrap();
    let c = all
        .iter()
        .find(|c| {
            c["limits"]["permanent"].as_i64().unwrap_or(0) > 0
                && all.iter().filter(|o| o["name"] == c["name"]).count() == 1
        })
        .expect("a customer with a limit and a name of its own");
    let doc = json!({"documents": [{"code": "B1", "name": c["name"], "sales_rep": c["sales_rep"], "region": c["region"],
        "industry": c["industry"], "first_cooperation": c["first_cooperation"]}]});
    let linked = call(
        s.addr,
        "POST",
        "/api/erp/v1/customers",
        Some(&key),
        Some(doc),
    )
    .await;
    assert_eq!(linked["linked"], 1, "{linked}");
    let body = json!({"customer": "B1", "amount": "1000.00"});
    let (mut at_server, mut round, mut health) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..500 {
        let t = Instant::now();
        let a = call(
            s.addr,
            "POST",
            "/api/erp/v1/credit-check",
            Some(&key),
            Some(body.clone()),
        )
        .await;
        round.push(t.elapsed().as_secs_f64() * 1e3);
        at_server.push(a["micros"].as_f64().unwrap() / 1e3);
        let t = Instant::now();
        call(s.addr, "GET", "/api/v1/health", None, None).await;
        health.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let t = Instant::now();
    let clients: Vec<_> = (0..16)
        .map(|_| {
            let (addr, key, body) = (s.addr, key.clone(), body.clone());
            tokio::spawn(async move {
                for _ in 0..250 {
                    call(
                        addr,
                        "POST",
                        "/api/erp/v1/credit-check",
                        Some(&key),
                        Some(body.clone()),
                    )
                    .await;
                }
            })
        })
        .collect();
    for c in clients {
        c.await.unwrap();
    }
    let rate = 4_000.0 / t.elapsed().as_secs_f64();
    println!(
        "credit check on the large book: the check at the server p50 {:.3} ms, p95 {:.3} ms; on loopback \
         (the request, the key, the lookup of the code, the check) p50 {:.2} ms, p95 {:.2} ms; baseline \
         GET /health p50 {:.2} ms, p95 {:.2} ms; 16 clients at once: {rate:.0} checks/s; target p95 < 5 ms",
        pct(at_server.clone(), 50),
        pct(at_server, 95),
        pct(round.clone(), 50),
        pct(round, 95),
        pct(health.clone(), 50),
        pct(health, 95),
    );
    s.stop().await;

    // The large book's backup and its drill.
    let dir = std::env::temp_dir().join(format!("cd-bench-backup-{}", uuid::Uuid::new_v4()));
    let store = creditdesk_server::store::SqlStore::new(pool);
    let before = peak_mib();
    let t = Instant::now();
    let taken = creditdesk_server::backups::take(
        &store,
        &dir,
        creditdesk_domain::Date::parse("2026-06-15").unwrap(),
        1,
    )
    .await
    .unwrap();
    let took = t.elapsed().as_secs_f64();
    let after_backup = peak_mib();
    let t = Instant::now();
    let drill = creditdesk_server::backups::drill(&taken.path)
        .await
        .unwrap();
    let drilled = t.elapsed().as_secs_f64();
    let after_drill = peak_mib();
    println!(
        "large book backup: {:.1} s, {:.0} MB written ({} invoices, {} payments); restore drill (check, restore \
         into a scratch SQLite database, compare, verify the trail): {drilled:.1} s; this process's peak memory \
         {before:.0} MiB before (the server with the book), {after_backup:.0} MiB after the backup, \
         {after_drill:.0} MiB after the drill",
        took,
        taken.bytes as f64 / 1e6,
        drill.restored.invoices,
        drill.restored.payments,
    );
    let _ = std::fs::remove_dir_all(&dir);
    // The book's database goes last: the backup above still reads it.
    drop(store);
    creditdesk_server::loopback::remove_database(&url);
}

async fn post_invoices(kind: &str) {
    let url = creditdesk_server::loopback::fresh_database(kind).await;
    let s = server(url.clone(), false, Clock::starting_at(NOW_MS)).await;
    let key = erp_key(s.addr).await;
    let customers: Vec<Value> = (0..100)
        .map(|i| json!({"code": format!("P{i:03}"), "name": format!("Bench Posting Customer {i:03}"), "sales_rep": "rep-1",
            "region": "East", "industry": "Steel", "first_cooperation": "2020-01-01"}))
        .collect();
    call(
        s.addr,
        "POST",
        "/api/erp/v1/customers",
        Some(&key),
        Some(json!({"documents": customers})),
    )
    .await;
    let t = Instant::now();
    let mut created = 0;
    for batch in 0..20 {
        let docs: Vec<Value> = (0..5_000)
            .map(|i| {
                let n = batch * 5_000 + i;
                json!({"number": format!("BP-{n:06}"), "customer": format!("P{:03}", n % 100), "issue_date": "2026-05-01",
                    "term_days": "60", "amount": format!("{}.{:02}", 100 + n % 900, n % 100)})
            })
            .collect();
        let a = call(
            s.addr,
            "POST",
            "/api/erp/v1/invoices",
            Some(&key),
            Some(json!({"documents": docs})),
        )
        .await;
        created += a["created"].as_u64().unwrap();
    }
    let took = t.elapsed().as_secs_f64();
    assert_eq!(created, 100_000);
    println!(
        "{kind}: 100,000 invoices posted through the ERP API in 20 batches of 5,000: {took:.1} s ({:.0} invoices/s){}",
        100_000.0 / took,
        if kind == "sqlite" { "; target < 10 s" } else { "" }
    );
    s.stop().await;
    creditdesk_server::loopback::remove_database(&url);
}

#[tokio::main]
async fn main() {
    post_invoices("sqlite").await;
    if std::env::var("CREDITDESK_TEST_PG").is_ok() {
        post_invoices("postgres").await;
    } else {
        println!("postgres: skipped (CREDITDESK_TEST_PG not set; ./x bench starts a cluster)");
    }
    // `BENCH_ONLY=post`: the posting alone (while working on it).
    if std::env::var("BENCH_ONLY").as_deref() == Ok("post") {
        return;
    }
    rules_and_checks(creditdesk_server::loopback::fresh_database("sqlite").await).await;
}
