//! The server as a client sees it: a real server bound to a loopback port, on SQLite and, when
//! `CREDITDESK_TEST_PG` names a PostgreSQL server (`./x test` starts one), on PostgreSQL too.
//! Each test gets a fresh database.

use creditdesk_app::sync::{
    Held, Mutation, PullReply, PullRequest, Push, PushReply, Snapshot, Status,
};
use creditdesk_app::{Book, Command};
use creditdesk_domain::approval::{Role, User};
use creditdesk_domain::demo::DemoLang;
use creditdesk_domain::ledger::OrderInput;
use creditdesk_domain::request::RequestKind;
use creditdesk_domain::*;
use creditdesk_server::clock::Clock;
use creditdesk_server::{start, Config, Running};
use serde_json::{json, Value};
mod common;
use common::databases;

/// 2026-06-15 10:00 in Beijing.
const NOW_MS: i64 = 1_781_488_800_000;
const PASSWORD: &str = "demo-password";

/// A fresh database of that kind: a file in a temp folder, or a new PostgreSQL database.
async fn fresh(kind: &str) -> String {
    creditdesk_server::loopback::fresh_database(kind).await
}

struct Server {
    running: Running,
    clock: Clock,
    url: String,
}

async fn server_on(url: String, demo: bool, clock: Clock) -> Server {
    let running = start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: url.clone(),
        site: None,
        demo: demo.then_some(DemoLang::En),
        demo_password: demo.then(|| PASSWORD.to_string()),
        session_hours: 12,
        clock: clock.clone(),
        large: false,
        behind_tls: false,
        tick: std::time::Duration::ZERO,
        relay: Default::default(),
        backups: None,
        lease: creditdesk_server::PRIMARY_LEASE,
    })
    .await
    .expect("server starts");
    Server {
        running,
        clock,
        url,
    }
}

async fn demo(kind: &str) -> Server {
    server_on(fresh(kind).await, true, Clock::manual(NOW_MS)).await
}

/// One request to the test server: the status and the JSON body.
async fn http(
    s: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let a =
        creditdesk_server::loopback::request(s.running.addr, method, path, token, body.as_ref())
            .await
            .expect("the server answers");
    (a.status, a.json)
}

async fn sign_in(s: &Server, user: &str, password: &str) -> (u16, Value) {
    http(
        s,
        "POST",
        "/api/v1/session",
        None,
        Some(json!({"user": user, "password": password})),
    )
    .await
}

async fn token(s: &Server, user: &str) -> String {
    let (status, v) = sign_in(s, user, PASSWORD).await;
    assert_eq!(status, 200, "{user} signs in: {v}");
    v["token"].as_str().unwrap().to_string()
}

/// A pulled snapshot with its ledger's chunks, fetched as a device fetches them.
struct Pulled(Snapshot, Vec<(String, Vec<u8>)>);

impl std::ops::Deref for Pulled {
    type Target = Snapshot;
    fn deref(&self) -> &Snapshot {
        &self.0
    }
}

impl Pulled {
    fn rows(&self) -> Result<creditdesk_storage::Rows, creditdesk_storage::StoreError> {
        self.0.rows(&self.1)
    }
}

/// One ledger chunk of the pull at `cursor`, as bytes (the status and the body).
async fn chunk(s: &Server, token: &str, cursor: u64, key: &str) -> (u16, Vec<u8>) {
    let a = creditdesk_server::loopback::request(
        s.running.addr,
        "GET",
        &format!("/api/v1/pull/chunk?cursor={cursor}&key={key}"),
        Some(token),
        None,
    )
    .await
    .expect("the server answers");
    (a.status, a.body)
}

async fn pull(s: &Server, token: &str) -> Pulled {
    let (status, v) = http(s, "GET", "/api/v1/pull?cursor=0", Some(token), None).await;
    assert_eq!(status, 200, "{v}");
    let snap = match serde_json::from_value::<PullReply>(v).unwrap() {
        PullReply::Snapshot(s) => *s,
        _ => panic!("a first pull is a snapshot"),
    };
    let mut fetched = std::collections::HashMap::new();
    for r in &snap.ledger {
        let (status, bytes) = chunk(s, token, snap.cursor, &r.key).await;
        assert_eq!(status, 200, "chunk {}", r.key);
        fetched.insert(r.key.clone(), bytes);
    }
    let chunks = snap
        .chunks_from(fetched)
        .expect("every chunk, matching its SHA-256");
    Pulled(snap, chunks)
}

async fn push(s: &Server, token: &str, client: &str, mutations: Vec<Mutation>) -> PushReply {
    let body = serde_json::to_value(Push {
        client: client.into(),
        mutations,
    })
    .unwrap();
    let (status, v) = http(s, "POST", "/api/v1/push", Some(token), Some(body)).await;
    assert_eq!(status, 200, "{v}");
    serde_json::from_value(v).unwrap()
}

/// A pull from a device that holds `held` (it sends its digest): the server's answer.
/// Pushes one command with its files' bytes from a device of `token`'s user.
async fn push_with_files(
    s: &Server,
    token: &str,
    command: Command,
    files: Vec<(String, Vec<u8>)>,
) -> PushReply {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    push(
        s,
        token,
        "phone-1",
        vec![Mutation {
            id: uuid::Uuid::new_v4().to_string(),
            n: 1,
            command,
            files: files
                .into_iter()
                .map(|(id, b)| (id, b64.encode(b)))
                .collect(),
        }],
    )
    .await
}

/// `GET /api/v1/attachments/{id}` as `token`'s user.
async fn get_attachment(s: &Server, token: &str, id: &str) -> creditdesk_server::loopback::Answer {
    creditdesk_server::loopback::request(
        s.running.addr,
        "GET",
        &format!("/api/v1/attachments/{id}"),
        Some(token),
        None,
    )
    .await
    .expect("the server answers")
}

async fn pull_changes(s: &Server, token: &str, cursor: u64, held: &Held) -> PullReply {
    let body = serde_json::to_value(PullRequest {
        cursor,
        digest: Some(held.digest()),
    })
    .unwrap();
    let (status, v) = http(s, "POST", "/api/v1/pull", Some(token), Some(body)).await;
    assert_eq!(status, 200, "{v}");
    serde_json::from_value(v).unwrap()
}

/// One of the rep's customers with no request open (a customer has one of a kind at a time),
/// and its permanent limit; `all` is a pull that sees every customer's requests.
async fn free_customer(s: &Server, rep: &str, all: &Pulled) -> (CustomerId, Money) {
    pull(s, rep)
        .await
        .customers
        .iter()
        .map(|c| (c.id, c.limits.permanent))
        .find(|(c, _)| {
            !all.requests
                .iter()
                .any(|r| r.customer == *c && r.state().is_open())
        })
        .expect("a customer without an open request")
}

/// A temporary limit 20,000 above `limit`, for the month from the test servers' day.
fn a_month_above(limit: Money) -> RequestKind {
    RequestKind::TemporaryLimit {
        amount: limit + Money::from_units(20_000),
        start: Date::parse("2026-06-15").unwrap(),
        end: Date::parse("2026-07-15").unwrap(),
    }
}

/// A book built from a snapshot: what a device has offline.
fn book_of(s: &Pulled) -> Book {
    let rows = s.rows().unwrap();
    let mut b = Book {
        as_of: s.as_of,
        customers: s.customers.clone(),
        ledger: Ledger::from_entries(
            rows.orders,
            rows.invoices,
            rows.payments,
            rows.credit_notes,
            rows.corrections,
        ),
        users: s.users.clone(),
        policy: s.policy.clone(),
        routes: s.routes.clone(),
        model: s.models.last().cloned().unwrap_or_default(),
        versions: s.models.clone(),
        requests: s.requests.clone(),
        reservations: s.reservations.clone(),
        ..Book::default()
    };
    b.reindex();
    b.summarise_all();
    b.compute_metrics();
    b.rescore();
    b
}

fn order(customer: CustomerId, number: &str, amount: Money) -> Command {
    Command::RecordOrder {
        id: OrderId::from_u128(uuid::Uuid::new_v4().as_u128()),
        customer,
        input: OrderInput {
            number: number.into(),
            date: "2026-06-15".into(),
            amount: amount.to_plain(),
            category: String::new(),
        },
        prepaid: false,
    }
}

fn order_id(c: &Command) -> OrderId {
    match c {
        Command::RecordOrder { id, .. } => *id,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn a_user_signs_in_with_the_right_password_only_and_guessing_slows_down() {
    for db in databases() {
        let s = demo(db).await;
        let (status, v) = sign_in(&s, "rep-1", "wrong password").await;
        assert_eq!(
            (status, v["code"].as_str()),
            (401, Some("SRV-WRONG-PASSWORD")),
            "{db}"
        );
        let (status, _) = sign_in(&s, "nobody", PASSWORD).await;
        assert_eq!(
            status, 401,
            "{db}: an unknown user is told the same as a wrong password"
        );
        for _ in 1..5 {
            sign_in(&s, "rep-1", "wrong password").await;
        }
        let (status, v) = sign_in(&s, "rep-1", PASSWORD).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (429, Some("SRV-THROTTLED")),
            "{db}: {v}"
        );
        // Another account is not slowed down.
        let t = token(&s, "rep-2").await;
        let (status, v) = http(&s, "GET", "/api/v1/me", Some(&t), None).await;
        assert_eq!(
            (status, v["user"]["id"].as_str()),
            (200, Some("rep-2")),
            "{db}"
        );
        // A second later rep-1 may try again.
        s.clock.advance(1_000);
        token(&s, "rep-1").await;
        // A session ends at its expiry, and at sign-out.
        s.clock.advance(12 * 3_600_000);
        let (status, v) = http(&s, "GET", "/api/v1/me", Some(&t), None).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (401, Some("SRV-SESSION-EXPIRED")),
            "{db}"
        );
        let t = token(&s, "rep-2").await;
        let (status, _) = http(&s, "DELETE", "/api/v1/session", Some(&t), None).await;
        assert_eq!(status, 204);
        let (status, v) = http(&s, "GET", "/api/v1/me", Some(&t), None).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (401, Some("SRV-SIGNED-OUT")),
            "{db}"
        );
        s.running.stop().await;
    }
}

#[tokio::test]
async fn the_first_run_creates_one_administrator_who_adds_the_team() {
    for db in databases() {
        let s = server_on(fresh(db).await, false, Clock::manual(NOW_MS)).await;
        let (_, v) = http(&s, "GET", "/api/v1/health", None, None).await;
        assert_eq!(
            (v["first_run"].as_bool(), v["database"].as_str()),
            (Some(true), Some(db))
        );
        let (status, v) = http(
            &s,
            "POST",
            "/api/v1/setup",
            None,
            Some(json!({"user": "li", "name": "Li Admin", "password": "short"})),
        )
        .await;
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some("SRV-WEAK-PASSWORD")),
            "{db}"
        );
        let (status, v) = http(
            &s,
            "POST",
            "/api/v1/setup",
            None,
            Some(json!({"user": "li", "name": "Li Admin", "password": "first-admin-pw"})),
        )
        .await;
        assert_eq!(status, 200, "{db}: {v}");
        let admin = v["token"].as_str().unwrap().to_string();
        let (status, _) = http(
            &s,
            "POST",
            "/api/v1/setup",
            None,
            Some(json!({"user": "eve", "name": "Eve", "password": "another-admin"})),
        )
        .await;
        assert_eq!(status, 409, "{db}: set-up happens once");
        // The administrator adds a sales rep, who signs in and may not add anyone.
        let rep = User {
            id: "wang".into(),
            name: "Wang Rep".into(),
            roles: vec![Role::SalesRep],
            region: "East".into(),
        };
        let (status, v) = http(
            &s,
            "POST",
            "/api/v1/users",
            Some(&admin),
            Some(json!({"user": rep, "password": "wang-password"})),
        )
        .await;
        assert_eq!(status, 204, "{db}: {v}");
        let (status, v) = sign_in(&s, "wang", "wang-password").await;
        assert_eq!(status, 200, "{db}: {v}");
        let wang = v["token"].as_str().unwrap().to_string();
        let mallory = User {
            id: "mallory".into(),
            name: "Mallory".into(),
            roles: vec![Role::Admin],
            region: String::new(),
        };
        let (status, v) = http(
            &s,
            "POST",
            "/api/v1/users",
            Some(&wang),
            Some(json!({"user": mallory, "password": "mallory-password"})),
        )
        .await;
        assert_eq!(status, 403, "{db}: {v}");
        assert_eq!(sign_in(&s, "mallory", "mallory-password").await.0, 401);
        // A password change ends the other sessions.
        let other = token_for(&s, "wang", "wang-password").await;
        let (status, _) = http(
            &s,
            "POST",
            "/api/v1/password",
            Some(&wang),
            Some(json!({"old": "wang-password", "new": "wang-new-password"})),
        )
        .await;
        assert_eq!(status, 204);
        assert_eq!(
            http(&s, "GET", "/api/v1/me", Some(&other), None).await.0,
            401
        );
        assert_eq!(
            http(&s, "GET", "/api/v1/me", Some(&wang), None).await.0,
            200
        );
        assert_eq!(sign_in(&s, "wang", "wang-new-password").await.0, 200);
        s.running.stop().await;
    }
}

async fn token_for(s: &Server, user: &str, password: &str) -> String {
    let (_, v) = sign_in(s, user, password).await;
    v["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_rep_pulls_only_their_own_customers_and_finance_pulls_all() {
    for db in databases() {
        let s = demo(db).await;
        let rep_token = token(&s, "rep-1").await;
        let rep = pull(&s, &rep_token).await;
        let fs = pull(&s, &token(&s, "fs-1").await).await;
        assert!(!rep.customers.is_empty(), "{db}");
        // The ledger's chunks are the rep's own: the same key in finance's pull holds more.
        let key = &rep.ledger[0].key;
        let theirs = fs.ledger.iter().find(|r| r.key == *key).unwrap();
        assert!(theirs.bytes > rep.ledger[0].bytes, "{db}");
        // A rep asking for chunks of a snapshot that is not theirs gets none.
        let (status, _) = chunk(&s, &rep_token, rep.cursor + 1, key).await;
        assert_eq!(status, 409, "{db}");
        assert!(
            rep.customers.iter().all(|c| c.sales_rep == rep.me.id),
            "{db}"
        );
        assert!(fs.customers.len() > rep.customers.len(), "{db}");
        let mine: std::collections::HashSet<_> = rep.customers.iter().map(|c| c.id).collect();
        let rows = rep.rows().unwrap();
        assert!(!rows.invoices.is_empty());
        assert!(
            rows.invoices.iter().all(|i| mine.contains(&i.customer)),
            "{db}"
        );
        assert!(
            rep.requests.iter().all(|r| mine.contains(&r.customer)),
            "{db}"
        );
        assert!(
            rep.audit.is_empty() && !fs.audit.is_empty(),
            "{db}: the trail is for those who may read it"
        );
        assert!(
            creditdesk_domain::approval::verify(&fs.audit).is_ok(),
            "{db}"
        );
        // Nothing changed: the next pull says so.
        let t = token(&s, "rep-1").await;
        let (_, v) = http(
            &s,
            "GET",
            &format!("/api/v1/pull?cursor={}", rep.cursor),
            Some(&t),
            None,
        )
        .await;
        assert_eq!(v["kind"], "unchanged", "{db}");
        s.running.stop().await;
    }
}

#[tokio::test]
async fn a_pushed_command_runs_once_as_the_signed_in_user_and_a_forged_approval_changes_nothing() {
    for db in databases() {
        let s = demo(db).await;
        let rep = token(&s, "rep-1").await;
        let snap = pull(&s, &rep).await;
        let customer = snap.customers[0].id;
        let cmd = order(customer, "SO-T-1", Money::from_units(1));
        let m = Mutation {
            id: uuid::Uuid::new_v4().to_string(),
            n: 1,
            command: cmd.clone(),
            files: vec![],
        };
        let r = push(&s, &rep, "phone-1", vec![m.clone()]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        let again = push(&s, &rep, "phone-1", vec![m]).await;
        assert_eq!(again.results[0].status, Status::AlreadyApplied, "{db}");
        let after = pull(&s, &rep).await;
        let rows = after.rows().unwrap();
        assert_eq!(
            rows.orders
                .iter()
                .filter(|o| o.id == order_id(&cmd))
                .count(),
            1,
            "{db}"
        );
        // The audit entry names the signed-in user.
        let fs = pull(&s, &token(&s, "fs-1").await).await;
        let last = fs.audit.last().unwrap();
        assert_eq!(last.who, "rep-1", "{db}");
        // Another rep's customer is not theirs, whatever the device says.
        let theirs = fs
            .customers
            .iter()
            .find(|c| c.sales_rep != snap.me.id)
            .unwrap()
            .id;
        let r = push(
            &s,
            &rep,
            "phone-1",
            vec![Mutation {
                id: uuid::Uuid::new_v4().to_string(),
                n: 2,
                command: order(theirs, "SO-T-2", Money::from_units(1)),
                files: vec![],
            }],
        )
        .await;
        assert_eq!(
            (r.results[0].status, r.results[0].code.as_deref()),
            (Status::Refused, Some("CMD-NOT-YOURS")),
            "{db}"
        );
        // A forged approval: the rep "approves" an open request on their own customer.
        let open = fs
            .requests
            .iter()
            .find(|r| r.state().is_open() && snap.customers.iter().any(|c| c.id == r.customer));
        let request = match open {
            Some(r) => r.id,
            None => {
                let id = RequestId::from_u128(uuid::Uuid::new_v4().as_u128());
                let file = Command::FileRequest {
                    id,
                    customer,
                    kind: RequestKind::TemporaryLimit {
                        amount: Money::from_units(500_000),
                        start: Date::parse("2026-06-15").unwrap(),
                        end: Date::parse("2026-07-15").unwrap(),
                    },
                    reason: "Peak season order".into(),
                    attachments: vec![],
                };
                let r = push(
                    &s,
                    &rep,
                    "phone-1",
                    vec![Mutation {
                        id: uuid::Uuid::new_v4().to_string(),
                        n: 3,
                        command: file,
                        files: vec![],
                    }],
                )
                .await;
                assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
                id
            }
        };
        let before = pull(&s, &token(&s, "fs-1").await).await;
        let forged = Command::Decide {
            request,
            approve: true,
            comment: "looks fine".into(),
        };
        let r = push(
            &s,
            &rep,
            "phone-1",
            vec![Mutation {
                id: uuid::Uuid::new_v4().to_string(),
                n: 4,
                command: forged,
                files: vec![],
            }],
        )
        .await;
        assert_eq!(r.results[0].status, Status::Refused, "{db}: {r:?}");
        assert!(
            r.results[0].code.as_deref().unwrap().starts_with("CMD-"),
            "{db}"
        );
        assert!(!r.results[0].reason.as_deref().unwrap().is_empty());
        let after = pull(&s, &token(&s, "fs-1").await).await;
        assert_eq!(
            after.audit.len(),
            before.audit.len(),
            "{db}: nothing was written"
        );
        let state = |s: &Snapshot| {
            s.requests
                .iter()
                .find(|r| r.id == request)
                .map(|r| r.state())
        };
        assert_eq!(state(&after), state(&before), "{db}");
        s.running.stop().await;
    }
}

#[tokio::test]
async fn two_devices_offline_cannot_both_spend_the_same_available_credit() {
    for db in databases() {
        let s = demo(db).await;
        let rep = token(&s, "rep-1").await;
        let snap = pull(&s, &rep).await;
        // Offline, each device checks its order on the same book: each passes on its own.
        let book = book_of(&snap);
        let (customer, available) = snap
            .customers
            .iter()
            .filter_map(|c| {
                book.check_order(c.id, Money::from_units(1), false)
                    .map(|r| (c.id, r))
            })
            .find(|(_, r)| {
                r.outcome == creditdesk_domain::credit::Outcome::Pass
                    && r.available > Money::from_units(10_000)
            })
            .map(|(id, r)| (id, r.available))
            .expect("a customer with credit left");
        let amount = Money::from_minor(available.minor() * 6 / 10);
        assert_eq!(
            book.check_order(customer, amount, false).unwrap().outcome,
            creditdesk_domain::credit::Outcome::Pass
        );
        let phone = order(customer, "SO-PHONE", amount);
        let tablet = order(customer, "SO-TABLET", amount);
        let a = push(
            &s,
            &rep,
            "phone",
            vec![Mutation {
                id: uuid::Uuid::new_v4().to_string(),
                n: 1,
                command: phone.clone(),
                files: vec![],
            }],
        )
        .await;
        let b = push(
            &s,
            &rep,
            "tablet",
            vec![Mutation {
                id: uuid::Uuid::new_v4().to_string(),
                n: 1,
                command: tablet.clone(),
                files: vec![],
            }],
        )
        .await;
        assert_eq!(
            (a.results[0].status, b.results[0].status),
            (Status::Applied, Status::Applied),
            "{db}"
        );
        let after = pull(&s, &rep).await.rows().unwrap();
        let status = |c: &Command| {
            after
                .orders
                .iter()
                .find(|o| o.id == order_id(c))
                .unwrap()
                .status
        };
        assert_eq!(status(&phone), OrderStatus::Open, "{db}");
        assert_eq!(
            status(&tablet),
            OrderStatus::Held,
            "{db}: the second order found the credit spent"
        );
        s.running.stop().await;
    }
}

#[tokio::test]
async fn a_command_pushed_again_after_a_restart_is_applied_once() {
    for db in databases() {
        let url = fresh(db).await;
        let s = server_on(url.clone(), true, Clock::manual(NOW_MS)).await;
        let rep = token(&s, "rep-1").await;
        let customer = pull(&s, &rep).await.customers[0].id;
        let m = Mutation {
            id: uuid::Uuid::new_v4().to_string(),
            n: 1,
            command: order(customer, "SO-R-1", Money::from_units(1)),
            files: vec![],
        };
        assert_eq!(
            push(&s, &rep, "phone", vec![m.clone()]).await.results[0].status,
            Status::Applied
        );
        s.running.stop().await;
        let s = server_on(s.url.clone(), true, Clock::manual(NOW_MS)).await;
        let rep = token(&s, "rep-1").await;
        let r = push(&s, &rep, "phone", vec![m]).await;
        assert_eq!(r.results[0].status, Status::AlreadyApplied, "{db}");
        let orders = pull(&s, &rep).await.rows().unwrap().orders;
        assert_eq!(
            orders
                .iter()
                .filter(|o| o.number.as_str() == "SO-R-1")
                .count(),
            1,
            "{db}"
        );
        s.running.stop().await;
    }
}

/// The server binary run as a command-line tool on the database.
fn cli(url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_creditdesk-server"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .output()
        .expect("the binary runs")
}

#[tokio::test]
async fn only_an_administrator_restores_a_backup_on_the_server_and_the_restore_is_audited() {
    // SQLite only: the command-line tool is the same code on both databases.
    let url = fresh("sqlite").await;
    let s = server_on(url.clone(), true, Clock::manual(NOW_MS)).await;
    // A command applied before the backup is taken, and one after: both stay applied once.
    let rep = token(&s, "rep-1").await;
    let customer = pull(&s, &rep).await.customers[0].id;
    let mutation = |number: &str| Mutation {
        id: uuid::Uuid::new_v4().to_string(),
        n: 1,
        command: order(customer, number, Money::from_units(1)),
        files: vec![],
    };
    let before = mutation("SO-BEFORE-BACKUP");
    assert_eq!(
        push(&s, &rep, "phone", vec![before.clone()]).await.results[0].status,
        Status::Applied
    );
    s.running.stop().await;
    let backup = cli(&url, &["backup", "--as", "rep-1"]);
    assert!(
        !backup.status.success(),
        "a rep sees only their customers: no backup of all"
    );
    let backup = cli(&url, &["backup", "--as", "fs-1"]);
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    let file = std::env::temp_dir().join(format!("cd-{}.json", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, &backup.stdout).unwrap();
    let path = file.to_string_lossy().to_string();
    let refused = cli(&url, &["restore", &path, "--as", "fs-1"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("CMD-NOT-PERMITTED"));
    let s = server_on(url.clone(), true, Clock::manual(NOW_MS)).await;
    let rep = token(&s, "rep-1").await;
    let after = mutation("SO-AFTER-BACKUP");
    assert_eq!(
        push(&s, &rep, "phone", vec![after.clone()]).await.results[0].status,
        Status::Applied
    );
    s.running.stop().await;
    let done = cli(&url, &["restore", &path, "--as", "admin"]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    // The server starts on the restored data; the trail says who restored which file.
    let s = server_on(url, true, Clock::manual(NOW_MS)).await;
    let rep = token(&s, "rep-1").await;
    for m in [before, after] {
        let r = push(&s, &rep, "phone", vec![m]).await;
        assert_eq!(
            r.results[0].status,
            Status::AlreadyApplied,
            "the log of applied commands survives a restore"
        );
    }
    let fs = pull(&s, &token(&s, "fs-1").await).await;
    let last = fs
        .audit
        .iter()
        .rev()
        .find(|e| e.what == "data.restored")
        .expect("audited");
    assert_eq!(last.who, "admin");
    assert!(
        last.after
            .contains(&creditdesk_domain::approval::sha256_hex(&backup.stdout))
            || last
                .why
                .contains(&creditdesk_domain::approval::sha256_hex(&backup.stdout))
            || last
                .subject
                .contains(&creditdesk_domain::approval::sha256_hex(&backup.stdout)),
        "{last:?}"
    );
    s.running.stop().await;
}

#[tokio::test]
async fn credit_a_rep_reserved_before_going_offline_is_still_theirs_when_they_sync() {
    for db in databases() {
        let s = demo(db).await;
        let rep = token(&s, "rep-1").await;
        let snap = pull(&s, &rep).await;
        let book = book_of(&snap);
        let (customer, available) = snap
            .customers
            .iter()
            .filter_map(|c| {
                book.check_order(c.id, Money::from_units(1), false)
                    .map(|r| (c.id, r))
            })
            .find(|(_, r)| {
                r.outcome == creditdesk_domain::credit::Outcome::Pass
                    && r.available > Money::from_units(10_000)
            })
            .map(|(id, r)| (id, r.available))
            .expect("a customer with credit left");
        let reserve = Command::ReserveCredit {
            id: "field-1".into(),
            customer,
            amount: Money::from_minor(available.minor() * 6 / 10),
            until: Date::parse("2026-06-20").unwrap(),
        };
        let m = |n: u64, command| Mutation {
            id: uuid::Uuid::new_v4().to_string(),
            n,
            command,
            files: vec![],
        };
        let r = push(&s, &rep, "phone", vec![m(1, reserve)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        // The phone pulls the reservation, then goes offline: its check counts it as the rep's.
        let offline = book_of(&pull(&s, &rep).await);
        let mine = Money::from_minor(available.minor() / 2);
        let me = snap.me.clone();
        assert_eq!(
            offline
                .check_order_as(&me, customer, mine, false)
                .unwrap()
                .outcome,
            creditdesk_domain::credit::Outcome::Pass
        );
        // Meanwhile finance takes an order as big as what is left after the reservation, and more.
        let fs = token(&s, "fs-1").await;
        let big = order(
            customer,
            "SO-FS-1",
            Money::from_minor(available.minor() / 2),
        );
        let r = push(&s, &fs, "desk", vec![m(1, big.clone())]).await;
        assert_eq!(r.results[0].status, Status::Applied);
        // The rep syncs: their order uses the reservation and stands; finance's was held.
        let phone = order(customer, "SO-PHONE-R", mine);
        let r = push(&s, &rep, "phone", vec![m(2, phone.clone())]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        let rows = pull(&s, &rep).await.rows().unwrap();
        let status = |c: &Command| {
            rows.orders
                .iter()
                .find(|o| o.id == order_id(c))
                .unwrap()
                .status
        };
        assert_eq!(
            status(&big),
            OrderStatus::Held,
            "{db}: finance could not use the reserved credit"
        );
        assert_eq!(
            status(&phone),
            OrderStatus::Open,
            "{db}: the rep's reserved credit was still there"
        );
        s.running.stop().await;
    }
}

#[tokio::test]
async fn the_sql_store_keeps_the_trail_in_order_and_hands_out_its_head_alone() {
    use creditdesk_domain::approval::{chain, Event};
    use creditdesk_storage::{Batch, Store};
    for db in databases() {
        let url = fresh(db).await;
        let (pool, _) = creditdesk_server::store::open(&url, 2).await.unwrap();
        let store = creditdesk_server::store::SqlStore::new(pool);
        assert_eq!(store.last_audit().await.unwrap(), None, "{db}");
        let ev = |n: usize| Event {
            who: "fin-1".into(),
            what: "policy.changed".into(),
            why: format!("change {n}"),
            ..Event::default()
        };
        // Twelve entries: seq 10 and 11 must sort after 9 (numbers, not text).
        let trail = chain(None, NOW_MS, (0..12).map(ev).collect());
        store
            .commit(&Batch {
                audit: trail.clone(),
                ..Batch::default()
            })
            .await
            .unwrap();
        assert_eq!(store.load_audit().await.unwrap(), trail, "{db}");
        assert_eq!(
            store.last_audit().await.unwrap().as_ref(),
            trail.last(),
            "{db}"
        );
    }
}

#[tokio::test]
async fn the_sql_store_removes_a_document_committed_with_an_empty_text() {
    use creditdesk_storage::{Batch, Docs, Store};
    for db in databases() {
        let url = fresh(db).await;
        let (pool, _) = creditdesk_server::store::open(&url, 2).await.unwrap();
        let store = creditdesk_server::store::SqlStore::new(pool);
        let commit = |docs: &[(&str, &str)]| Batch {
            docs: docs
                .iter()
                .map(|(k, v)| (Docs::Models, k.to_string(), v.to_string()))
                .collect(),
            ..Batch::default()
        };
        store
            .commit(&commit(&[("draft", "{\"factors\":[]}")]))
            .await
            .unwrap();
        // Publishing: the version written and the draft removed, in one commit.
        store
            .commit(&commit(&[("1", "{\"version\":1}"), ("draft", "")]))
            .await
            .unwrap();
        let keys: Vec<String> = store
            .docs(Docs::Models)
            .await
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["1"], "{db}");
    }
}

#[tokio::test]
async fn alerts_the_rules_raise_on_a_new_day_reach_devices_without_any_command() {
    for db in databases() {
        let s = demo(db).await;
        let t = token(&s, "fs-1").await;
        let before = pull(&s, &t).await;
        // A day later nothing was pushed; the day's rule run raises alerts (invoices fall due).
        s.clock.advance(24 * 3_600_000);
        // (The session of yesterday has ended: sign in again.)
        let t = token(&s, "fs-1").await;
        match pull_changes(&s, &t, before.cursor, &before.held()).await {
            PullReply::Patch(patch) => {
                assert!(patch.cursor > before.cursor, "{db}");
                let alerts = |p: &creditdesk_app::sync::Part| p.alerts.len();
                assert!(
                    patch.parts.iter().map(alerts).sum::<usize>() > 0,
                    "{db}: the customers with new alerts come"
                );
                let after = patch.onto(before.held());
                assert!(
                    after.alerts.len() > before.alerts.len(),
                    "{db}: {} alerts before, {} after",
                    before.alerts.len(),
                    after.alerts.len()
                );
            }
            PullReply::Unchanged { .. } => {
                panic!("{db}: the day's new alerts did not reach the device")
            }
            PullReply::Snapshot(_) => panic!("{db}: a device with a digest gets a patch"),
        }
    }
}

#[tokio::test]
async fn a_device_that_sends_its_digest_gets_only_the_customers_that_changed() {
    for db in databases() {
        let s = demo(db).await;
        let fs = token(&s, "fs-1").await;
        let before = pull(&s, &fs).await;
        // Nothing changed: the cursor says so.
        assert!(
            matches!(
                pull_changes(&s, &fs, before.cursor, &before.held()).await,
                PullReply::Unchanged { .. }
            ),
            "{db}"
        );
        // A rep files a request on one customer.
        let rep = token(&s, "rep-1").await;
        let customer = file_a_request(&s, &rep, &before).await;
        let PullReply::Patch(patch) = pull_changes(&s, &fs, before.cursor, &before.held()).await
        else {
            panic!("{db}: a device with a digest gets a patch");
        };
        assert_eq!(
            patch
                .parts
                .iter()
                .map(|p| p.customer.id)
                .collect::<Vec<_>>(),
            vec![customer],
            "{db}: only the customer with the new request"
        );
        assert!(patch.config.is_none() && patch.gone.is_empty(), "{db}");
        assert_eq!(patch.audit_from as usize, before.audit.len(), "{db}");
        assert!(!patch.audit.is_empty(), "{db}: the request's audit entries");
        // Put onto what the device held, it is the whole snapshot a new device would get.
        let whole = patch.onto(before.held());
        let fresh = pull(&s, &fs).await;
        assert_eq!(whole.held().digest(), fresh.held().digest(), "{db}");
        assert_eq!(whole.ledger, fresh.ledger, "{db}");
    }
}

#[tokio::test]
async fn a_requests_attachment_goes_up_with_its_push_and_comes_down_only_to_who_sees_the_customer()
{
    for db in databases() {
        let s = demo(db).await;
        let rep = token(&s, "rep-1").await;
        let fs = token(&s, "fs-1").await;
        let before = pull(&s, &fs).await;
        let (customer, limit) = free_customer(&s, &rep, &before).await;
        // A 3 MiB scan: larger than a JSON body may be by default.
        let bytes: Vec<u8> = (0..3 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
        let id = uuid::Uuid::new_v4().to_string();
        let file = Command::FileRequest {
            id: RequestId::from_u128(uuid::Uuid::new_v4().as_u128()),
            customer,
            kind: a_month_above(limit),
            reason: "Bank guarantee attached".into(),
            attachments: vec![creditdesk_domain::request::Attachment {
                id: id.clone(),
                name: "guarantee.pdf".into(),
                mime: "application/pdf".into(),
                size: bytes.len() as u64,
            }],
        };
        let r = push_with_files(&s, &rep, file, vec![(id.clone(), bytes.clone())]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        let a = get_attachment(&s, &fs, &id).await;
        assert_eq!(a.status, 200, "{db}");
        assert!(a.body == bytes, "{db}: the same bytes come back");
        let a = get_attachment(&s, &rep, &id).await;
        assert_eq!(a.status, 200, "{db}: the rep who filed it");
        // Another rep does not see the customer: the same answer as for no attachment at all.
        let other = token(&s, "rep-2").await;
        let a = get_attachment(&s, &other, &id).await;
        assert_eq!(
            (a.status, a.json["code"].as_str()),
            (404, Some("SRV-NO-ATTACHMENT")),
            "{db}"
        );
        let a = get_attachment(&s, &fs, "no-such-file").await;
        assert_eq!(a.status, 404, "{db}");
    }
}

#[tokio::test]
async fn a_device_reported_lost_is_told_at_its_next_request_and_its_session_ends() {
    for kind in databases() {
        let s = demo(kind).await;
        let rep = token(&s, "rep-1").await;
        let admin = token(&s, "admin").await;
        let addr = s.running.addr;
        let as_device = |client: &'static str, token: String, path: &'static str| async move {
            let a = creditdesk_server::loopback::request_with(
                addr,
                "GET",
                path,
                Some(&token),
                None,
                &[("X-CreditDesk-Device", client)],
            )
            .await
            .unwrap();
            (a.status, a.json)
        };
        // The rep's phone pulls: the server now knows the device, with its user.
        let (status, _) = as_device("phone-1", rep.clone(), "/api/v1/pull?cursor=0").await;
        assert_eq!(status, 200, "{kind}");
        let (status, v) = as_device("desk-1", admin.clone(), "/api/v1/devices").await;
        assert_eq!(status, 200, "{kind}: {v}");
        let phone = v
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["client"] == "phone-1")
            .unwrap_or_else(|| panic!("{kind}: {v}"));
        assert_eq!(phone["user"], "rep-1");
        assert!(phone["lost_at"].is_null());

        // Only an administrator may see the devices or report one lost.
        let (status, _) = http(&s, "GET", "/api/v1/devices", Some(&rep), None).await;
        assert_eq!(status, 403, "{kind}");
        let (status, _) = http(&s, "POST", "/api/v1/devices/phone-1/lost", Some(&rep), None).await;
        assert_eq!(status, 403, "{kind}");
        let (status, v) = http(&s, "POST", "/api/v1/devices/nope/lost", Some(&admin), None).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (404, Some("SRV-NO-DEVICE")),
            "{kind}"
        );

        let (status, _) = http(
            &s,
            "POST",
            "/api/v1/devices/phone-1/lost",
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(status, 204, "{kind}");
        // The phone's session ended; whatever it asks next, it is told to erase its data.
        let (status, v) = as_device("phone-1", rep.clone(), "/api/v1/pull?cursor=0").await;
        assert_eq!(
            (status, v["code"].as_str()),
            (410, Some("SRV-DEVICE-LOST")),
            "{kind}"
        );
        let (status, _) = http(&s, "GET", "/api/v1/me", Some(&rep), None).await;
        assert_eq!(status, 401, "{kind}: the session it used has ended");
        // Signed in again on that device, it is still lost.
        let again = token(&s, "rep-1").await;
        let (status, _) = as_device("phone-1", again.clone(), "/api/v1/me").await;
        assert_eq!(status, 410, "{kind}");
        // The rep's other devices are not touched.
        let (status, _) = as_device("tablet-1", again, "/api/v1/me").await;
        assert_eq!(status, 200, "{kind}");
        let (_, v) = as_device("desk-1", admin.clone(), "/api/v1/devices").await;
        let phone = v
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["client"] == "phone-1")
            .unwrap();
        assert_eq!(phone["lost_by"], "admin");
        assert!(phone["wiped_at"].is_i64(), "{kind}: it was told: {phone}");
        s.running.stop().await;
    }
}

#[tokio::test]
async fn a_void_forged_by_a_reps_device_is_refused_and_finances_void_reaches_the_rep() {
    for db in databases() {
        let s = demo(db).await;
        let rep = token(&s, "rep-1").await;
        let fs = token(&s, "fs-1").await;
        let mine = pull(&s, &rep).await;
        // A payment on one of the rep's customers, still standing.
        let rows = mine.rows().unwrap();
        let p = rows
            .payments
            .iter()
            .find(|p| !p.allocations.is_empty())
            .expect("the demo rep has a payment")
            .clone();
        let void = |n: u128, reason: &str| Mutation {
            id: uuid::Uuid::new_v4().to_string(),
            n: n as u64,
            command: Command::Correct {
                id: CorrectionId::from_u128(uuid::Uuid::new_v4().as_u128()),
                customer: p.customer,
                fix: Fix::VoidPayment { payment: p.id },
                reason: reason.into(),
            },
            files: vec![],
        };
        let before = pull(&s, &fs).await;
        // The rep's device has no void button; a forged push is refused and writes nothing.
        let r = push(&s, &rep, "phone-1", vec![void(1, "typed wrong")]).await;
        assert_eq!(
            (r.results[0].status, r.results[0].code.as_deref()),
            (Status::Refused, Some("CMD-NOT-PERMITTED")),
            "{db}: {r:?}"
        );
        // Finance without a reason: refused at its field.
        let r = push(&s, &fs, "desk-1", vec![void(1, " ")]).await;
        assert_eq!(r.results[0].status, Status::Refused, "{db}: {r:?}");
        let after = pull(&s, &fs).await;
        assert_eq!(
            after.audit.len(),
            before.audit.len(),
            "{db}: nothing written"
        );
        // Finance with a reason: it lands, and the rep's next pull reads the payment as void.
        let r = push(&s, &fs, "desk-1", vec![void(2, "the cheque bounced")]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        let theirs = pull(&s, &rep).await;
        let book = book_of(&theirs);
        assert_eq!(book.ledger.corrections().len(), 1, "{db}");
        assert_eq!(
            book.ledger.unapplied(p.customer, p.id),
            Money::ZERO,
            "{db}: a void payment applies to nothing"
        );
        assert!(book.ledger.allocations_now(p.customer, p.id).is_empty());
        // On the trail as the signed-in user, with why (the rules may act on it after).
        let trail = pull(&s, &fs).await;
        let voided = trail
            .audit
            .iter()
            .find(|e| e.what == "payment.voided")
            .expect("the void is on the trail");
        assert_eq!(
            (voided.who.as_str(), voided.why.as_str()),
            ("fs-1", "the cheque bounced"),
            "{db}"
        );
        s.running.stop().await;
    }
}

#[tokio::test]
async fn a_limit_request_pushed_with_a_calendar_the_form_refuses_is_refused_and_writes_nothing() {
    for db in databases() {
        let s = demo(db).await;
        let rep = token(&s, "rep-1").await;
        let fs = token(&s, "fs-1").await;
        let before = pull(&s, &fs).await;
        let (customer, limit) = free_customer(&s, &rep, &before).await;
        let day = |s: &str| Date::parse(s).unwrap();
        let file = |n: u64, expires: &str, review: &str| Mutation {
            id: uuid::Uuid::new_v4().to_string(),
            n,
            command: Command::FileRequest {
                id: RequestId::from_u128(uuid::Uuid::new_v4().as_u128()),
                customer,
                kind: RequestKind::PermanentChange {
                    before: limit,
                    after: limit + Money::from_units(10_000),
                    expires: Some(day(expires)),
                    review: Some(day(review)),
                },
                reason: "Backed by a bank guarantee".into(),
                attachments: vec![],
            },
            files: vec![],
        };
        // Forged past the form (the test servers' day is 2026-06-15): a lapsed expiry, then a
        // review after the expiry. Both refused; nothing on the trail.
        for (n, expires, review) in [
            (1, "2026-06-01", "2026-09-01"),
            (2, "2026-09-01", "2026-12-01"),
        ] {
            let r = push(&s, &rep, "phone-1", vec![file(n, expires, review)]).await;
            assert_eq!(
                r.results[0].status,
                Status::Refused,
                "{db} {expires} {review}: {r:?}"
            );
        }
        assert_eq!(
            pull(&s, &fs).await.audit.len(),
            before.audit.len(),
            "{db}: nothing written"
        );
        // Within bounds: filed with its calendar.
        let r = push(
            &s,
            &rep,
            "phone-1",
            vec![file(3, "2026-12-01", "2026-09-01")],
        )
        .await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        let after = pull(&s, &fs).await;
        let filed = after
            .requests
            .iter()
            .find(|r| r.customer == customer && r.state().is_open())
            .expect("the request is filed");
        assert!(
            matches!(filed.kind, RequestKind::PermanentChange { expires: Some(x), review: Some(v), .. } if x == day("2026-12-01") && v == day("2026-09-01")),
            "{db}: {:?}",
            filed.kind
        );
        s.running.stop().await;
    }
}

#[tokio::test]
async fn two_devices_dispute_one_invoice_offline_the_first_lands_and_the_second_is_refused_at_it() {
    use creditdesk_domain::dispute::{DisputeInput, Resolve};
    for db in databases() {
        let s = demo(db).await;
        let rep = token(&s, "rep-1").await;
        let fs = token(&s, "fs-1").await;
        let mine = book_of(&pull(&s, &rep).await);
        // An invoice of the rep's, open and not disputed.
        let (customer, invoice) = mine
            .ledger
            .invoices()
            .filter(|i| mine.customer(i.customer).is_some())
            .find(|i| {
                mine.ledger
                    .open_now_of(i.customer, i.id)
                    .is_some_and(|(_, o)| o.is_positive())
                    && !mine
                        .customer(i.customer)
                        .unwrap()
                        .disputes
                        .iter()
                        .any(|d| d.invoice == i.id)
            })
            .map(|i| (i.customer, i.id))
            .expect("the demo rep has an open invoice");
        let dispute = |id: &str, reason: &str| Mutation {
            id: uuid::Uuid::new_v4().to_string(),
            n: 1,
            command: Command::OpenDispute {
                customer,
                id: id.into(),
                input: DisputeInput {
                    invoice: Some(invoice),
                    amount: String::new(),
                    category: "price".into(),
                    reason: reason.into(),
                    owner: "rep-1".into(),
                },
            },
            files: vec![],
        };
        // Both offline; the rep's phone pushes first.
        let r = push(
            &s,
            &rep,
            "phone-1",
            vec![dispute("d-phone", "price above the contract")],
        )
        .await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        let r = push(&s, &fs, "desk-1", vec![dispute("d-desk", "price again")]).await;
        assert_eq!(
            (r.results[0].status, r.results[0].code.as_deref()),
            (Status::Refused, Some("CMD-INVALID")),
            "{db}: {r:?}"
        );
        assert!(
            r.results[0]
                .reason
                .as_deref()
                .unwrap_or_default()
                .contains("invoice: OpenDispute"),
            "{db}: the refusal names why: {r:?}"
        );
        // Finance's next pull has the rep's dispute, on the trail as the rep.
        let theirs = pull(&s, &fs).await;
        let c = theirs.customers.iter().find(|c| c.id == customer).unwrap();
        let open: Vec<_> = c
            .disputes
            .iter()
            .filter(|d| d.is_open() && d.invoice == invoice)
            .collect();
        assert_eq!(
            (open.len(), open[0].id.as_str(), open[0].opened_by.as_str()),
            (1, "d-phone", "rep-1"),
            "{db}"
        );
        assert!(theirs
            .audit
            .iter()
            .any(|e| e.what == "dispute.opened" && e.who == "rep-1"));
        assert!(
            book_of(&theirs).summary(customer).disputed.is_positive(),
            "{db}"
        );
        // Upheld from the desk: the rep's next pull reads it closed.
        let upheld = Mutation {
            id: uuid::Uuid::new_v4().to_string(),
            n: 2,
            command: Command::ResolveDispute {
                customer,
                dispute: "d-phone".into(),
                resolve: Resolve::Upheld,
                note: "the contract price stands".into(),
            },
            files: vec![],
        };
        let r = push(&s, &fs, "desk-1", vec![upheld]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        let again = pull(&s, &rep).await;
        let c = again.customers.iter().find(|c| c.id == customer).unwrap();
        let d = c.disputes.iter().find(|d| d.id == "d-phone").unwrap();
        assert_eq!(
            d.resolution
                .as_ref()
                .map(|r| (r.by.as_str(), r.outcome.key())),
            Some(("fs-1", "upheld")),
            "{db}"
        );
        s.running.stop().await;
    }
}

#[tokio::test]
async fn a_document_on_a_customer_s_file_goes_up_with_its_push_and_comes_down_only_to_who_sees_it()
{
    use creditdesk_domain::document::DocumentInput;
    for db in databases() {
        let s = demo(db).await;
        let rep = token(&s, "rep-1").await;
        let fs = token(&s, "fs-1").await;
        let before = pull(&s, &fs).await;
        let (customer, _) = free_customer(&s, &rep, &before).await;
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
        let file_id = uuid::Uuid::new_v4().to_string();
        let add = Command::AddDocument {
            customer,
            id: "doc-1".into(),
            input: DocumentInput {
                kind: "credit_insurance".into(),
                title: "Sinosure policy 2026".into(),
                expires: "2026-07-01".into(),
            },
            file: creditdesk_domain::request::Attachment {
                id: file_id.clone(),
                name: "policy.pdf".into(),
                mime: "application/pdf".into(),
                size: bytes.len() as u64,
            },
        };
        let r = push_with_files(&s, &rep, add, vec![(file_id.clone(), bytes.clone())]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        let a = get_attachment(&s, &fs, &file_id).await;
        assert_eq!(a.status, 200, "{db}");
        assert!(a.body == bytes, "{db}: the same bytes come back");
        let a = get_attachment(&s, &token(&s, "rep-2").await, &file_id).await;
        assert_eq!(a.status, 404, "{db}: another rep does not see the customer");
        // Finance's pull carries the document, and the policy lapsing within 30 days is what the
        // rules read.
        let theirs = pull(&s, &fs).await;
        let c = theirs.customers.iter().find(|c| c.id == customer).unwrap();
        assert_eq!(
            c.documents
                .iter()
                .map(|d| d.title.as_str())
                .collect::<Vec<_>>(),
            ["Sinosure policy 2026"],
            "{db}"
        );
        assert_eq!(
            creditdesk_domain::document::days_to_expiry(&c.documents, theirs.as_of),
            Some(16),
            "{db}"
        );
        s.running.stop().await;
    }
}

#[tokio::test]
async fn a_push_whose_bytes_are_not_the_file_it_names_is_refused_and_stores_nothing() {
    use creditdesk_domain::document::DocumentInput;
    for db in databases() {
        let s = demo(db).await;
        let rep = token(&s, "rep-1").await;
        let before = pull(&s, &rep).await;
        let (customer, _) = free_customer(&s, &rep, &before).await;
        let add = |file_id: &str| Command::AddDocument {
            customer,
            id: uuid::Uuid::new_v4().to_string(),
            input: DocumentInput {
                kind: "contract".into(),
                title: "Supply contract".into(),
                expires: String::new(),
            },
            file: creditdesk_domain::request::Attachment {
                id: file_id.into(),
                name: "contract.pdf".into(),
                mime: "application/pdf".into(),
                size: 10,
            },
        };
        // Declared 10 bytes, 6 MiB sent: past the limit the declared size hides.
        let big = vec![1u8; 6 * 1024 * 1024];
        let r = push_with_files(&s, &rep, add("f-big"), vec![("f-big".into(), big)]).await;
        assert_eq!(
            (r.results[0].status, r.results[0].code.as_deref()),
            (Status::Refused, Some("CMD-INVALID")),
            "{db}: {r:?}"
        );
        // A file the command does not name rides along: refused too.
        let r = push_with_files(
            &s,
            &rep,
            add("f-ok"),
            vec![
                ("f-ok".into(), vec![2u8; 10]),
                ("f-other".into(), vec![3u8; 10]),
            ],
        )
        .await;
        assert_eq!(r.results[0].status, Status::Refused, "{db}: {r:?}");
        for id in ["f-big", "f-ok", "f-other"] {
            assert_eq!(get_attachment(&s, &rep, id).await.status, 404, "{db}: {id}");
        }
        let after = pull(&s, &rep).await;
        let c = after.customers.iter().find(|c| c.id == customer).unwrap();
        assert!(c.documents.is_empty(), "{db}");
        s.running.stop().await;
    }
}

#[tokio::test]
async fn a_field_hidden_from_sales_reps_is_never_in_their_pull_and_their_push_cannot_change_it() {
    use creditdesk_domain::access::{Access, Grant};
    use creditdesk_domain::fields::{FieldDef, FieldKind, FieldSet};
    for db in databases() {
        let s = demo(db).await;
        let (admin, fs, rep) = (
            token(&s, "admin").await,
            token(&s, "fs-1").await,
            token(&s, "rep-1").await,
        );
        let mutation = |n: u64, command: Command| Mutation {
            id: uuid::Uuid::new_v4().to_string(),
            n,
            command,
            files: vec![],
        };
        let fields = FieldSet {
            version: 0,
            fields: vec![FieldDef::new(
                "disputed_balance",
                "争议余额",
                "Disputed balance",
                FieldKind::Money,
            )],
            access: vec![
                Grant {
                    field: "custom.disputed_balance".into(),
                    role: Role::SalesRep,
                    access: Access::Hidden,
                },
                Grant {
                    field: "phone".into(),
                    role: Role::SalesRep,
                    access: Access::Read,
                },
                Grant {
                    field: "registered_capital".into(),
                    role: Role::SalesRep,
                    access: Access::Hidden,
                },
                Grant {
                    field: "report_score".into(),
                    role: Role::SalesRep,
                    access: Access::Hidden,
                },
            ],
        };
        let why = "disputes are finance's".to_string();
        let r = push(
            &s,
            &admin,
            "desk-0",
            vec![mutation(
                1,
                Command::SaveFields {
                    fields,
                    why,
                    with_access: true,
                },
            )],
        )
        .await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        // Finance records a disputed balance on one of the rep's customers.
        let mine = pull(&s, &rep).await;
        let id = mine.customers[0].id;
        let all = pull(&s, &fs).await;
        let c = all.customers.iter().find(|c| c.id == id).unwrap();
        let mut form = CustomerInput::from_customer(c);
        form.custom = Some([("disputed_balance".to_string(), "12000".to_string())].into());
        let save = |form: CustomerInput| Command::SaveCustomer {
            id,
            create: false,
            input: form,
            why: String::new(),
        };
        let r = push(&s, &fs, "desk-1", vec![mutation(1, save(form))]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        // The rep's pull: the customer without it; finance's: with it.
        let (status, raw) = http(&s, "GET", "/api/v1/pull?cursor=0", Some(&rep), None).await;
        assert_eq!(status, 200);
        assert!(
            raw["customers"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["custom"].get("disputed_balance").is_none()),
            "{db}: no customer in the rep's pull holds it"
        );
        let mine = raw["customers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == json!(id.to_string()))
            .unwrap();
        assert_eq!(mine["custom"], json!({}), "{db}");
        // Nor the hidden rating inputs: their part of each grade comes sealed instead, worked
        // out under the published model.
        let all_raw = http(&s, "GET", "/api/v1/pull?cursor=0", Some(&fs), None)
            .await
            .1;
        let fs_customers = all_raw["customers"].as_array().unwrap();
        assert!(
            fs_customers
                .iter()
                .any(|c| !c["profile"]["registered_capital"].is_null()),
            "{db}: finance holds registered capitals"
        );
        assert!(fs_customers.iter().all(|c| c.get("sealed").is_none()));
        for c in raw["customers"].as_array().unwrap() {
            assert!(
                c["profile"]["registered_capital"].is_null()
                    && c["profile"]["report_score"].is_null(),
                "{db}: {c}"
            );
            let published = &raw["models"].as_array().unwrap().last().unwrap()["version"];
            assert_eq!(&c["sealed"]["model"], published, "{db}: {c}");
        }
        let theirs = pull(&s, &rep).await;
        let held = theirs
            .customers
            .iter()
            .find(|c| c.id == id)
            .unwrap()
            .clone();
        // The rep's push: a value forged for the hidden field is ignored, the saved one stays;
        // a change of the read-only phone is refused at its field.
        let mut forged = CustomerInput::from_customer(&held);
        forged.custom = Some([("disputed_balance".to_string(), "0".to_string())].into());
        forged.contact_person = "Li Lei".into();
        forged.registered_capital = "1".into();
        let mut phone = CustomerInput::from_customer(&held);
        phone.phone = "13900000000".into();
        let r = push(
            &s,
            &rep,
            "phone-1",
            vec![mutation(1, save(forged)), mutation(2, save(phone))],
        )
        .await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        assert_eq!(
            (r.results[1].status, r.results[1].code.as_deref()),
            (Status::Refused, Some("CMD-INVALID")),
            "{db}: {r:?}"
        );
        let reason = r.results[1].reason.clone().unwrap_or_default();
        assert!(
            reason.contains("phone: ReadOnly"),
            "{db}: the refusal names the field: {reason}"
        );
        let after = pull(&s, &fs).await;
        let c = after.customers.iter().find(|c| c.id == id).unwrap();
        assert_eq!(c.custom["disputed_balance"], "12000.00", "{db}");
        assert_eq!(c.contact_person, "Li Lei", "{db}");
        assert_eq!(c.phone, held.phone, "{db}");
        let before = all.customers.iter().find(|c| c.id == id).unwrap();
        assert_eq!(
            c.profile.registered_capital, before.profile.registered_capital,
            "{db}: the forged capital is ignored"
        );
        s.running.stop().await;
    }
}

#[tokio::test]
async fn limits_hidden_from_sales_reps_are_never_in_their_pull_and_the_server_checks_their_orders()
{
    use creditdesk_domain::access::{Access, Grant};
    use creditdesk_domain::fields::FieldSet;
    use creditdesk_domain::ledger::OrderStatus;
    for db in databases() {
        let s = demo(db).await;
        let (admin, fs, rep) = (
            token(&s, "admin").await,
            token(&s, "fs-1").await,
            token(&s, "rep-1").await,
        );
        let mutation = |n: u64, command: Command| Mutation {
            id: uuid::Uuid::new_v4().to_string(),
            n,
            command,
            files: vec![],
        };
        let hide = Command::SaveFields {
            fields: FieldSet {
                access: vec![Grant {
                    field: "limits".into(),
                    role: Role::SalesRep,
                    access: Access::Hidden,
                }],
                ..pull(&s, &admin).await.fields.clone()
            },
            why: "limits are finance's".into(),
            with_access: true,
        };
        let r = push(&s, &admin, "desk-0", vec![mutation(1, hide)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        // Hiding them from the finance specialist, who reads the audit trail, is refused.
        let mut wrong = pull(&s, &admin).await.fields.clone();
        wrong.access.push(Grant {
            field: "limits".into(),
            role: Role::FinanceSpecialist,
            access: Access::Hidden,
        });
        let r = push(
            &s,
            &admin,
            "desk-0",
            vec![mutation(
                2,
                Command::SaveFields {
                    fields: wrong,
                    why: "try".into(),
                    with_access: true,
                },
            )],
        )
        .await;
        assert_eq!(r.results[0].status, Status::Refused, "{db}: {r:?}");
        assert!(
            r.results[0]
                .reason
                .as_deref()
                .unwrap_or_default()
                .contains("FD-ACCESS-HIDDEN"),
            "{db}: {r:?}"
        );
        // The rep's pull: every limit without its amount; finance's: with them.
        let (status, raw) = http(&s, "GET", "/api/v1/pull?cursor=0", Some(&rep), None).await;
        assert_eq!(status, 200);
        let theirs = raw["customers"].as_array().unwrap();
        assert!(!theirs.is_empty());
        for c in theirs {
            assert_eq!(c["limits"]["hidden"], json!(true), "{db}: {c}");
            assert_eq!(c["limits"]["permanent"], json!(0), "{db}: {c}");
        }
        let all = pull(&s, &fs).await;
        let finance = book_of(&all);
        // One of the rep's customers that an order twice its limit would overrun, and nothing
        // else would stop.
        let (id, limit) = all
            .customers
            .iter()
            .filter(|c| c.sales_rep == "rep-1" && c.limits.permanent.is_positive())
            .find_map(|c| {
                let twice = c.limits.permanent + c.limits.permanent;
                let check = finance.check_order(c.id, twice, false)?;
                (check.reasons.iter().map(|r| r.code()).collect::<Vec<_>>() == ["over_limit"])
                    .then_some((c.id, twice))
            })
            .expect("a customer held only by its limit");
        assert!(all.customers.iter().all(|c| !c.limits.hidden));
        let o = order(id, "SO-HIDDEN-1", limit);
        let oid = order_id(&o);
        let r = push(&s, &rep, "phone-1", vec![mutation(1, o)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        let after = book_of(&pull(&s, &fs).await);
        assert_eq!(
            after.ledger.order(oid).map(|o| o.status),
            Some(OrderStatus::Held),
            "{db}: the server held what the rep's device could not check"
        );
        // Credit is not reserved by one who cannot see what is available.
        let r = push(
            &s,
            &rep,
            "phone-1",
            vec![mutation(
                2,
                Command::ReserveCredit {
                    id: "res-1".into(),
                    customer: id,
                    amount: Money::from_units(1),
                    until: Date::parse("2026-06-20").unwrap(),
                },
            )],
        )
        .await;
        assert_eq!(r.results[0].status, Status::Refused, "{db}: {r:?}");
        assert!(
            r.results[0]
                .reason
                .as_deref()
                .unwrap_or_default()
                .contains("limits are hidden"),
            "{db}: {r:?}"
        );
        s.running.stop().await;
    }
}

/// The server's event stream as `token`'s session hears it, read off a raw connection.
struct Listening {
    stream: tokio::net::TcpStream,
    heard: Vec<u8>,
}

impl Listening {
    async fn open(s: &Server, token: &str) -> Listening {
        use tokio::io::AsyncWriteExt;
        let mut stream = tokio::net::TcpStream::connect(s.running.addr)
            .await
            .unwrap();
        let head = format!(
            "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
             Authorization: Bearer {token}\r\nX-CreditDesk: 1\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut l = Listening {
            stream,
            heard: Vec::new(),
        };
        // The response's head: the server listens for changes from then on.
        while !l.heard.windows(4).any(|w| w == b"\r\n\r\n") {
            use tokio::io::AsyncReadExt;
            let mut buf = [0u8; 1024];
            let got = l.stream.read(&mut buf).await.unwrap();
            assert!(got > 0, "the stream's head");
            l.heard.extend_from_slice(&buf[..got]);
        }
        assert!(
            l.heard.starts_with(b"HTTP/1.1 200"),
            "{:?}",
            String::from_utf8_lossy(&l.heard)
        );
        l
    }

    /// How many changes the stream has told of so far.
    fn changes(&self) -> usize {
        String::from_utf8_lossy(&self.heard)
            .matches("event: change")
            .count()
    }

    /// Reads until the stream has told of `n` changes (true) or has ended (false); at most ten
    /// seconds.
    async fn until_changes(&mut self, n: usize) -> bool {
        use tokio::io::AsyncReadExt;
        let read = async {
            let mut buf = [0u8; 4096];
            loop {
                if self.changes() >= n {
                    return true;
                }
                let got = self.stream.read(&mut buf).await.unwrap();
                self.heard.extend_from_slice(&buf[..got]);
                // Closed, or the body's last chunk sent.
                if got == 0 || self.heard.ends_with(b"\r\n0\r\n\r\n") {
                    return self.changes() >= n;
                }
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(10), read)
            .await
            .expect("the stream tells of a change or ends within ten seconds")
    }
}

/// Files a request on one of `token`'s customers without one (`all`: a pull that sees every
/// customer's requests), from a new device of theirs; returns the customer.
async fn file_a_request(s: &Server, token: &str, all: &Pulled) -> CustomerId {
    let (customer, limit) = free_customer(s, token, all).await;
    let file = Command::FileRequest {
        id: RequestId::from_u128(uuid::Uuid::new_v4().as_u128()),
        customer,
        kind: a_month_above(limit),
        reason: "Peak season order".into(),
        attachments: vec![],
    };
    let r = push_one(s, token, &uuid::Uuid::new_v4().to_string(), file).await;
    assert_eq!(r.results[0].status, Status::Applied, "{r:?}");
    customer
}

/// Pushes one command as a device's first mutation (`client`: the device).
async fn push_one(s: &Server, token: &str, client: &str, command: Command) -> PushReply {
    let mutation = Mutation {
        id: uuid::Uuid::new_v4().to_string(),
        n: 1,
        command,
        files: vec![],
    };
    push(s, token, client, vec![mutation]).await
}

#[tokio::test]
async fn a_session_that_signs_out_hears_no_more_changes_and_its_event_stream_ends() {
    for db in databases() {
        let s = demo(db).await;
        let rep = token(&s, "rep-1").await;
        let fs = token(&s, "fs-1").await;
        let mut phone = Listening::open(&s, &rep).await;
        file_a_request(&s, &fs, &pull(&s, &fs).await).await;
        assert!(phone.until_changes(1).await, "{db}: a change is told");
        let (status, _) = http(&s, "DELETE", "/api/v1/session", Some(&rep), None).await;
        assert_eq!(status, 204, "{db}");
        // The next change is not told to the ended session: its stream ends instead.
        file_a_request(&s, &fs, &pull(&s, &fs).await).await;
        assert!(
            !phone.until_changes(2).await,
            "{db}: the stream ended untold"
        );
        assert_eq!(phone.changes(), 1, "{db}");
        // A session still signed in hears on.
        let rep = token(&s, "rep-1").await;
        let mut desk = Listening::open(&s, &rep).await;
        file_a_request(&s, &fs, &pull(&s, &fs).await).await;
        assert!(desk.until_changes(1).await, "{db}");
    }
}

#[tokio::test]
async fn a_user_removed_from_the_directory_hears_no_more_changes_and_their_event_stream_ends() {
    for db in databases() {
        let s = demo(db).await;
        let admin = token(&s, "admin").await;
        let (fs1, fs2) = (token(&s, "fs-1").await, token(&s, "fs-2").await);
        let mut gone = Listening::open(&s, &fs2).await;
        let mut stays = Listening::open(&s, &fs1).await;
        file_a_request(&s, &fs1, &pull(&s, &fs1).await).await;
        assert!(gone.until_changes(1).await, "{db}: a change is told");
        // The administrator removes fs-2: their session row is still valid, but the change of
        // the directory is not told to them, and their stream ends.
        let users: Vec<_> = pull(&s, &admin)
            .await
            .users
            .iter()
            .filter(|u| u.id != "fs-2")
            .cloned()
            .collect();
        let r = push_one(&s, &admin, "admin-desk", Command::SaveUsers { users }).await;
        assert_eq!(r.results[0].status, Status::Applied, "{db}: {r:?}");
        assert!(
            !gone.until_changes(2).await,
            "{db}: the removed user's stream ended untold"
        );
        assert_eq!(gone.changes(), 1, "{db}");
        assert!(stays.until_changes(2).await, "{db}: fs-1 still hears");
    }
}
