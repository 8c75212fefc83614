//! Two server processes on one database: one is the primary and runs the commands, the other
//! stands by and takes over when the primary stops, dies or stalls; a primary that was replaced
//! writes nothing more. Real processes (the server binary), on SQLite and, when the test script
//! started one, on PostgreSQL.

use creditdesk_app::sync::{Mutation, PullReply, Push, PushReply, Snapshot, Status};
use creditdesk_app::Command;
use creditdesk_domain::ledger::OrderInput;
use creditdesk_domain::*;
use serde_json::{json, Value};
use std::io::BufRead;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
mod common;
use common::databases;

const PASSWORD: &str = "demo-password";

/// A server process on `url`, with a lease of six seconds: long enough that a takeover at once
/// (the primary's process gone) and one at the lease's end (it stalled) tell apart even on a busy
/// machine.
struct Process {
    child: std::process::Child,
    addr: SocketAddr,
}

impl Process {
    fn start(url: &str) -> Process {
        let data = std::env::temp_dir().join(format!("cd-primary-{}", uuid::Uuid::new_v4()));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_creditdesk-server"))
            .args(["--database-url", url, "--listen", "127.0.0.1:0"])
            .args(["--demo", "en", "--demo-password", PASSWORD])
            .args(["--tick-seconds", "0", "--lease-seconds", "6"])
            .args(["--backup-keep", "0", "--fake-today", "2026-06-15"])
            .arg("--data")
            .arg(&data)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the server binary runs");
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the server prints where it listens")
                .unwrap();
            if let Some(rest) = line.strip_prefix("CreditDesk server on http://") {
                break rest.split(' ').next().unwrap().parse().unwrap();
            }
        };
        // Whatever it prints later must not find the pipe closed.
        std::thread::spawn(move || lines.for_each(drop));
        Process { child, addr }
    }

    fn signal(&self, signal: &str) {
        let done = std::process::Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(done.success(), "kill {signal}");
    }

    async fn http(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let a = creditdesk_server::loopback::request(self.addr, method, path, token, body.as_ref())
            .await
            .expect("the server answers");
        (a.status, a.json)
    }

    /// The role its health names (200 whatever the role: the process is up).
    async fn role(&self) -> String {
        let (status, v) = self.http("GET", "/api/v1/health", None, None).await;
        assert_eq!(status, 200, "{v}");
        v["role"].as_str().unwrap().to_string()
    }

    /// What a load balancer's check gets: the status and the code.
    async fn balancer(&self) -> (u16, Option<String>) {
        let (status, v) = self.http("GET", "/api/v1/health/primary", None, None).await;
        (status, v["code"].as_str().map(str::to_string))
    }

    /// Waits (up to 20 s) until the process has `role`.
    async fn until(&self, role: &str) {
        let t = Instant::now();
        while self.role().await != role {
            assert!(t.elapsed() < Duration::from_secs(20), "never {role}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn token(&self, user: &str) -> String {
        let body = json!({"user": user, "password": PASSWORD});
        let (status, v) = self.http("POST", "/api/v1/session", None, Some(body)).await;
        assert_eq!(status, 200, "{user} signs in: {v}");
        v["token"].as_str().unwrap().to_string()
    }

    async fn push(&self, token: &str, m: &Mutation) -> (u16, Value) {
        let body = serde_json::to_value(Push {
            client: "phone".into(),
            mutations: vec![m.clone()],
        })
        .unwrap();
        self.http("POST", "/api/v1/push", Some(token), Some(body))
            .await
    }

    async fn applied(&self, token: &str, m: &Mutation) -> Status {
        let (status, v) = self.push(token, m).await;
        assert_eq!(status, 200, "{v}");
        serde_json::from_value::<PushReply>(v).unwrap().results[0].status
    }

    /// The numbers of the orders a pull from this process shows (its book in memory).
    async fn orders(&self, token: &str) -> Vec<String> {
        let (status, v) = self
            .http("GET", "/api/v1/pull?cursor=0", Some(token), None)
            .await;
        assert_eq!(status, 200, "{v}");
        let snap: Snapshot = match serde_json::from_value::<PullReply>(v).unwrap() {
            PullReply::Snapshot(s) => *s,
            _ => panic!("a first pull is a snapshot"),
        };
        let mut fetched = std::collections::HashMap::new();
        for r in &snap.ledger {
            let path = format!("/api/v1/pull/chunk?cursor={}&key={}", snap.cursor, r.key);
            let a =
                creditdesk_server::loopback::request(self.addr, "GET", &path, Some(token), None)
                    .await
                    .unwrap();
            assert_eq!(a.status, 200);
            fetched.insert(r.key.clone(), a.body);
        }
        let chunks = snap.chunks_from(fetched).unwrap();
        let mut v: Vec<String> = snap
            .rows(&chunks)
            .unwrap()
            .orders
            .iter()
            .map(|o| o.number.as_str().to_string())
            .filter(|n| n.starts_with("SO-P-"))
            .collect();
        v.sort();
        v
    }

    async fn first_customer(&self, token: &str) -> CustomerId {
        let (_, v) = self
            .http("GET", "/api/v1/pull?cursor=0", Some(token), None)
            .await;
        match serde_json::from_value::<PullReply>(v).unwrap() {
            PullReply::Snapshot(s) => s.customers[0].id,
            _ => unreachable!(),
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn order(customer: CustomerId, number: &str) -> Mutation {
    Mutation {
        id: uuid::Uuid::new_v4().to_string(),
        n: 1,
        command: Command::RecordOrder {
            id: OrderId::from_u128(uuid::Uuid::new_v4().as_u128()),
            customer,
            input: OrderInput {
                number: number.into(),
                date: "2026-06-15".into(),
                amount: "1".into(),
                category: String::new(),
            },
            prepaid: false,
        },
        files: vec![],
    }
}

#[tokio::test]
async fn a_second_server_process_stands_by_takes_over_from_a_stalled_primary_and_fences_it_out() {
    for db in databases() {
        let url = creditdesk_server::loopback::fresh_database(db).await;
        let a = Process::start(&url);
        assert_eq!(a.role().await, "primary", "{db}");
        let b = Process::start(&url);
        assert_eq!(b.role().await, "standby", "{db}");
        assert_eq!(a.balancer().await, (200, None), "{db}");
        assert_eq!(
            b.balancer().await,
            (503, Some("SRV-STANDBY".into())),
            "{db}"
        );
        // The standby answers nothing but its health.
        let (status, v) = b
            .http(
                "POST",
                "/api/v1/session",
                None,
                Some(json!({"user": "rep-1", "password": PASSWORD})),
            )
            .await;
        assert_eq!(
            (status, v["code"].as_str()),
            (503, Some("SRV-STANDBY")),
            "{db}: {v}"
        );

        let rep_a = a.token("rep-1").await;
        let customer = a.first_customer(&rep_a).await;
        let first = order(customer, "SO-P-1");
        assert_eq!(a.applied(&rep_a, &first).await, Status::Applied, "{db}");

        // The primary stalls (its process stopped, not gone): its lease runs out and the standby
        // takes over with the book as the database holds it.
        a.signal("-STOP");
        let t = Instant::now();
        b.until("primary").await;
        assert!(
            t.elapsed() > Duration::from_millis(3_500),
            "{db}: took over a live lease"
        );
        let rep_b = b.token("rep-1").await;
        assert_eq!(b.orders(&rep_b).await, ["SO-P-1"], "{db}");
        assert_eq!(
            b.applied(&rep_b, &first).await,
            Status::AlreadyApplied,
            "{db}"
        );
        assert_eq!(
            b.applied(&rep_b, &order(customer, "SO-P-2")).await,
            Status::Applied,
            "{db}"
        );

        // The old primary wakes up: whatever it is asked, it writes nothing and stands by.
        a.signal("-CONT");
        let (status, v) = a.push(&rep_a, &order(customer, "SO-P-3")).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (503, Some("SRV-STANDBY")),
            "{db}: {v}"
        );
        a.until("standby").await;
        assert_eq!(b.orders(&rep_b).await, ["SO-P-1", "SO-P-2"], "{db}");

        // The primary dies on this machine: the standby takes over at once (no lease to wait
        // for), loading what the other one wrote since it last held the book.
        let mut b = b;
        b.child.kill().unwrap();
        b.child.wait().unwrap();
        let t = Instant::now();
        a.until("primary").await;
        assert!(
            t.elapsed() < Duration::from_millis(3_500),
            "{db}: {:?}",
            t.elapsed()
        );
        let rep_a = a.token("rep-1").await;
        assert_eq!(a.orders(&rep_a).await, ["SO-P-1", "SO-P-2"], "{db}");
        assert_eq!(
            a.applied(&rep_a, &order(customer, "SO-P-4")).await,
            Status::Applied,
            "{db}"
        );
        assert_eq!(
            a.orders(&rep_a).await,
            ["SO-P-1", "SO-P-2", "SO-P-4"],
            "{db}"
        );
    }
}

#[tokio::test]
async fn a_store_whose_primary_lease_another_process_took_writes_nothing_more() {
    use creditdesk_server::jobs::{take_primary, Fence};
    use creditdesk_storage::Store;
    for db in databases() {
        let url = creditdesk_server::loopback::fresh_database(db).await;
        let (pool, _) = creditdesk_server::store::open(&url, 2).await.unwrap();
        assert_eq!(
            take_primary(&pool, "here/1/a", 60_000).await.unwrap(),
            None,
            "{db}"
        );
        let fence = std::sync::Arc::new(Fence::new("here/1/a", 60_000));
        let store = creditdesk_server::store::SqlStore::fenced(pool.clone(), fence.clone());
        store.set_setting("probe", "1").await.unwrap();
        // Another machine's process takes the lease over (this one's ran out meanwhile).
        sqlx::query("UPDATE leases SET holder = 'there/2/b' WHERE name = 'primary'")
            .execute(&pool)
            .await
            .unwrap();
        let e = store
            .set_setting("probe", "2")
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("SRV-STANDBY"), "{db}: {e}");
        assert!(fence.lost(), "{db}");
        assert_eq!(
            store.setting("probe").await.unwrap().as_deref(),
            Some("1"),
            "{db}"
        );
        // Nor does it take the lease back while the other's runs: its book may be behind.
        assert_eq!(
            take_primary(&pool, "here/1/a", 60_000)
                .await
                .unwrap()
                .as_deref(),
            Some("there/2/b"),
            "{db}"
        );
        fence.renew(&pool).await.unwrap();
        assert!(fence.lost(), "{db}");
    }
}
