//! Server figures on loopback, printed with a baseline from the same run:
//! - one command pushed and applied, round trip p50/p95 (baseline: `GET /api/v1/health`, a
//!   request that does no work), on SQLite and, when `CREDITDESK_TEST_PG` names a server, on
//!   PostgreSQL;
//! - 100 clients pushing 100 commands each at once: throughput, push p95, and a count that proves
//!   no command was lost or applied twice;
//! - a new device's first pull of the 10,000-customer / 1M-invoice / 1M-payment book: time to
//!   the answer, bytes on the wire (against the same rows as JSON), and time to decode it.
//!
//! Run: `cargo run --release -p creditdesk-server --example sync` (`./x bench` runs it).

use creditdesk_app::sync::{Mutation, PullReply, Push};
use creditdesk_app::Command;
use creditdesk_domain::ledger::OrderInput;
use creditdesk_domain::*;
use creditdesk_server::clock::Clock;
use creditdesk_server::loopback::request;
use creditdesk_server::{start, Config, Running};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Instant;

const PASSWORD: &str = "bench-password";
/// 2026-06-15 10:00 in Beijing.
const NOW_MS: i64 = 1_781_488_800_000;

fn pct(mut v: Vec<f64>, p: usize) -> f64 {
    v.sort_by(f64::total_cmp);
    v[(v.len() * p / 100).min(v.len() - 1)]
}

async fn server(url: String, large: bool) -> Running {
    start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: url,
        site: None,
        demo: Some(demo::DemoLang::En),
        demo_password: Some(PASSWORD.into()),
        session_hours: 12,
        clock: Clock::starting_at(NOW_MS),
        large,
        behind_tls: false,
        tick: std::time::Duration::ZERO,
        relay: Default::default(),
        backups: None,
        lease: creditdesk_server::PRIMARY_LEASE,
    })
    .await
    .expect("the server starts")
}

async fn fresh(kind: &str) -> String {
    creditdesk_server::loopback::fresh_database(kind).await
}

async fn token(addr: SocketAddr, user: &str) -> String {
    let a = request(
        addr,
        "POST",
        "/api/v1/session",
        None,
        Some(&json!({"user": user, "password": PASSWORD})),
    )
    .await
    .unwrap();
    assert_eq!(a.status, 200, "{user}: {}", a.json);
    a.json["token"].as_str().unwrap().to_string()
}

async fn snapshot(addr: SocketAddr, token: &str) -> (creditdesk_app::sync::Snapshot, usize) {
    let a = request(addr, "GET", "/api/v1/pull?cursor=0", Some(token), None)
        .await
        .unwrap();
    match serde_json::from_value::<PullReply>(a.json).unwrap() {
        PullReply::Snapshot(s) => (*s, a.bytes),
        _ => unreachable!("a first pull is a snapshot"),
    }
}

/// A pull from a device that holds `held`: the patch, bytes sent (the digest) and received.
async fn patch(
    addr: SocketAddr,
    token: &str,
    cursor: u64,
    held: &creditdesk_app::sync::Held,
) -> (creditdesk_app::sync::Patch, usize, usize) {
    let body = serde_json::to_value(creditdesk_app::sync::PullRequest {
        cursor,
        digest: Some(held.digest()),
    })
    .unwrap();
    let sent = body.to_string().len();
    let a = request(addr, "POST", "/api/v1/pull", Some(token), Some(&body))
        .await
        .unwrap();
    match serde_json::from_value::<PullReply>(a.json).unwrap() {
        PullReply::Patch(p) => (*p, sent, a.bytes),
        _ => unreachable!("a device with a digest gets a patch"),
    }
}

/// The chunks of a snapshot a device does not hold, fetched one by one as the browser does;
/// returns them (checked against their SHA-256), the bytes fetched and how many chunks.
async fn fetch_chunks(
    addr: SocketAddr,
    token: &str,
    snap: &creditdesk_app::sync::Snapshot,
    held: Vec<(String, Vec<u8>)>,
) -> (Vec<(String, Vec<u8>)>, usize, usize) {
    let (mut have, missing) = creditdesk_app::sync::to_fetch(snap, held);
    let (mut bytes, count) = (0, missing.len());
    for r in missing {
        let a = request(
            addr,
            "GET",
            &format!("/api/v1/pull/chunk?cursor={}&key={}", snap.cursor, r.key),
            Some(token),
            None,
        )
        .await
        .unwrap();
        assert_eq!(a.status, 200);
        bytes += a.bytes;
        have.insert(r.key.clone(), a.body);
    }
    (snap.chunks_from(have).unwrap(), bytes, count)
}

fn order(customer: CustomerId, number: String) -> Command {
    Command::RecordOrder {
        id: OrderId::from_u128(uuid::Uuid::new_v4().as_u128()),
        customer,
        input: OrderInput {
            number,
            date: "2026-06-15".into(),
            amount: "1.00".into(),
            category: String::new(),
        },
        prepaid: false,
    }
}

fn push_body(client: &str, n: u64, command: Command) -> Value {
    serde_json::to_value(Push {
        client: client.into(),
        mutations: vec![Mutation {
            id: uuid::Uuid::new_v4().to_string(),
            n,
            command,
            files: vec![],
        }],
    })
    .unwrap()
}

async fn round_trip(kind: &str) {
    let url = fresh(kind).await;
    let s = server(url.clone(), false).await;
    let addr = s.addr;
    let t = token(addr, "rep-1").await;
    let customer = snapshot(addr, &t).await.0.customers[0].id;
    let (mut pushes, mut baseline) = (Vec::new(), Vec::new());
    for i in 0..300u64 {
        let body = push_body("bench", i + 1, order(customer, format!("SO-RT-{i}")));
        let t0 = Instant::now();
        let a = request(addr, "POST", "/api/v1/push", Some(&t), Some(&body))
            .await
            .unwrap();
        pushes.push(t0.elapsed().as_secs_f64() * 1e3);
        assert_eq!(a.json["results"][0]["status"], "applied", "{}", a.json);
        let t0 = Instant::now();
        request(addr, "GET", "/api/v1/health", None, None)
            .await
            .unwrap();
        baseline.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    let (p50, p95) = (pct(pushes.clone(), 50), pct(pushes, 95));
    let (b50, b95) = (pct(baseline.clone(), 50), pct(baseline, 95));
    let target = if kind == "sqlite" { 20.0 } else { 30.0 };
    println!(
        "{kind}: one command pushed and applied, round trip p50 {p50:.2} ms, p95 {p95:.2} ms over 300 \
         (target p95 < {target} ms); baseline health round trip p50 {b50:.2} ms, p95 {b95:.2} ms; push/baseline p95 {:.1}x",
        p95 / b95
    );
    load(kind, &s).await;
    s.stop().await;
    creditdesk_server::loopback::remove_database(&url);
}

/// 100 clients, 100 commands each, all at once.
async fn load(kind: &str, s: &Running) {
    let addr = s.addr;
    let mut reps = Vec::new();
    for r in 1..=8 {
        let t = token(addr, &format!("rep-{r}")).await;
        let c = snapshot(addr, &t).await.0.customers[0].id;
        reps.push((t, c));
    }
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..100usize {
        let (t, c) = reps[client % reps.len()].clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for i in 0..100u64 {
                let body = push_body(
                    &format!("load-{client}"),
                    i + 1,
                    order(c, format!("SO-L-{client}-{i}")),
                );
                let t1 = Instant::now();
                let a = request(addr, "POST", "/api/v1/push", Some(&t), Some(&body))
                    .await
                    .unwrap();
                times.push(t1.elapsed().as_secs_f64() * 1e3);
                assert_eq!(a.json["results"][0]["status"], "applied", "{}", a.json);
            }
            times
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let secs = t0.elapsed().as_secs_f64();
    let fs = token(addr, "fs-1").await;
    let snap = snapshot(addr, &fs).await.0;
    let (chunks, _, _) = fetch_chunks(addr, &fs, &snap, Vec::new()).await;
    let rows = snap.rows(&chunks).unwrap();
    let mut numbers: Vec<String> = rows
        .orders
        .iter()
        .map(|o| o.number.to_string())
        .filter(|n| n.starts_with("SO-L-"))
        .collect();
    let n = numbers.len();
    numbers.sort();
    numbers.dedup();
    println!(
        "{kind}: 100 clients x 100 commands at once: {:.0} commands/s ({secs:.1} s), push p50 {:.1} ms, p95 {:.1} ms; \
         orders stored {n}, distinct {} (expected 10000 and 10000)",
        all.len() as f64 / secs,
        pct(all.clone(), 50),
        pct(all, 95),
        numbers.len()
    );
    assert_eq!(
        (n, numbers.len()),
        (10_000, 10_000),
        "no command lost or doubled"
    );
}

async fn first_sync() {
    let t0 = Instant::now();
    let url = fresh("sqlite").await;
    let s = server(url.clone(), true).await;
    println!(
        "large book: server seeded and started in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let t = token(s.addr, "fs-1").await;
    let t0 = Instant::now();
    let (snap, bytes) = snapshot(s.addr, &t).await;
    let answered = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let (chunks, chunk_bytes, _) = fetch_chunks(s.addr, &t, &snap, Vec::new()).await;
    let fetched = t1.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let rows = snap.rows(&chunks).unwrap();
    let decoded = t1.elapsed().as_secs_f64();
    let as_json = serde_json::to_vec(&(
        &rows.orders,
        &rows.invoices,
        &rows.payments,
        &rows.credit_notes,
    ))
    .unwrap()
    .len();
    let ledger = snap.ledger_bytes() as usize;
    println!(
        "large book, first pull as finance ({} customers, {} invoices, {} payments): snapshot in {answered:.2} s \
         ({:.1} MB of JSON), {} ledger chunks fetched in {fetched:.2} s ({:.1} MB of bytes), decoded in {decoded:.2} s; \
         the same rows as JSON would be {:.1} MB ({:.1}x the chunks) (the browser's figure to an interactive \
         list is printed by the browser benchmark)",
        snap.customers.len(),
        rows.invoices.len(),
        rows.payments.len(),
        bytes as f64 / 1e6,
        snap.ledger.len(),
        chunk_bytes as f64 / 1e6,
        as_json as f64 / 1e6,
        as_json as f64 / ledger as f64
    );
    // One change later (a payment recorded): the device fetches only the chunks that changed.
    let customer = snap.customers[0].id;
    let body = push_body(
        "bench-after",
        1,
        Command::RecordPayment {
            id: creditdesk_domain::PaymentId::from_u128(uuid::Uuid::new_v4().as_u128()),
            customer,
            input: creditdesk_domain::ledger::PaymentInput {
                reference: "bench".into(),
                date: snap.as_of.iso(),
                amount: "1.00".into(),
                invoice: None,
            },
        },
    );
    let a = request(s.addr, "POST", "/api/v1/push", Some(&t), Some(&body))
        .await
        .unwrap();
    assert_eq!(a.json["results"][0]["status"], "applied", "{}", a.json);
    let t1 = Instant::now();
    let (next, sent, next_bytes) = patch(s.addr, &t, snap.cursor, &snap.held()).await;
    let parts = next.parts.len();
    let next = next.onto(snap.held());
    let (_, fetched_bytes, fetched) = fetch_chunks(s.addr, &t, &next, chunks).await;
    let took = t1.elapsed().as_secs_f64();
    // Baseline, same run: the whole snapshot a device without a digest gets.
    let t1 = Instant::now();
    let (_, whole_bytes) = snapshot(s.addr, &t).await;
    println!(
        "large book, the next pull after one payment: {took:.2} s; sent a digest of {:.2} MB, received \
         {:.3} MB of JSON ({parts} of {} customers, {} audit entries) and {:.2} MB of chunks ({} of {} \
         chunks fetched; the rest were held already); baseline, same run: the whole snapshot {:.1} MB of \
         JSON in {:.2} s",
        sent as f64 / 1e6,
        next_bytes as f64 / 1e6,
        next.customers.len(),
        next.audit.len().saturating_sub(snap.audit.len()),
        fetched_bytes as f64 / 1e6,
        fetched,
        next.ledger.len(),
        whole_bytes as f64 / 1e6,
        t1.elapsed().as_secs_f64(),
    );
    s.stop().await;
    creditdesk_server::loopback::remove_database(&url);
}

#[tokio::main]
async fn main() {
    round_trip("sqlite").await;
    if std::env::var("CREDITDESK_TEST_PG").is_ok() {
        round_trip("postgres").await;
    } else {
        println!("postgres: skipped (CREDITDESK_TEST_PG not set; ./x bench starts a cluster)");
    }
    first_sync().await;
}
