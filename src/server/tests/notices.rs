//! The server with nobody at a screen: its schedule runs the rules and the request deadlines,
//! and the notices reach people through a real SMTP server (Python's aiosmtpd on loopback, from
//! `./x setup`'s virtual environment) and a webhook sink, on SQLite and PostgreSQL.

use creditdesk_app::sync::{Mutation, Push, PushReply, Status};
use creditdesk_app::Command;
use creditdesk_domain::demo::DemoLang;
use creditdesk_domain::ledger::InvoiceInput;
use creditdesk_domain::notice::{Channel, Contact, Flavour, Hook, Kind, Lang, Settings};
use creditdesk_domain::request::RequestKind;
use creditdesk_domain::*;
use creditdesk_server::clock::Clock;
use creditdesk_server::notify::{Delivery, Relay};
use creditdesk_server::{start, Config, Running};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command as Process, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
mod common;
use common::databases;

/// 2026-06-15 10:00 in Beijing.
const NOW_MS: i64 = 1_781_488_800_000;
const HOUR: i64 = 3_600_000;
const PASSWORD: &str = "demo-password";
const CUSTOMER: &str = "Notice Test Trading Co";

/// The Python with aiosmtpd: `CREDITDESK_TEST_PYTHON`, else `./x setup`'s `.tools/py`. None
/// (the test says so and does nothing) unless `CREDITDESK_REQUIRE_SMTP` is set, as `./x test`
/// sets it.
fn python() -> Option<PathBuf> {
    let p = std::env::var_os("CREDITDESK_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.tools/py/bin/python")
        });
    let ok = Process::new(&p)
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(p)
    } else if std::env::var_os("CREDITDESK_REQUIRE_SMTP").is_some() {
        panic!(
            "CREDITDESK_REQUIRE_SMTP is set but {} has no aiosmtpd (run ./x setup)",
            p.display()
        )
    } else {
        eprintln!(
            "skipped: no aiosmtpd at {} (./x setup installs it)",
            p.display()
        );
        None
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real SMTP server on loopback writing what it receives into a maildir.
struct Smtp {
    child: Child,
    python: PathBuf,
    dir: PathBuf,
}

/// One message as received: the envelope's recipient, the subject and body decoded.
#[derive(Debug, serde::Deserialize)]
struct Mail {
    to: String,
    subject: String,
    body: String,
}

impl Smtp {
    fn start(python: &PathBuf, port: u16) -> Smtp {
        Smtp::start_with(python, port, &[])
    }

    /// With aiosmtpd's TLS options (`--tlscert`/`--tlskey` for STARTTLS, `--smtpscert`/
    /// `--smtpskey` for implicit TLS).
    fn start_with(python: &PathBuf, port: u16, tls: &[&std::ffi::OsStr]) -> Smtp {
        let dir = std::env::temp_dir().join(format!("cd-mail-{}", uuid::Uuid::new_v4()));
        let child = Process::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(tls)
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        let t = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(t.elapsed() < Duration::from_secs(20), "aiosmtpd listens");
            std::thread::sleep(Duration::from_millis(100));
        }
        Smtp {
            child,
            python: python.clone(),
            dir,
        }
    }

    /// Every message received so far, parsed by Python's email package.
    fn mails(&self) -> Vec<Mail> {
        let script = r#"
import json, mailbox, sys
out = []
for m in mailbox.Maildir(sys.argv[1], factory=None, create=False):
    body = m.get_payload(decode=True).decode(m.get_content_charset() or "utf-8")
    subject = str(__import__("email.header", fromlist=["x"]).make_header(__import__("email.header", fromlist=["x"]).decode_header(m["Subject"])))
    out.append({"to": m["To"], "subject": subject, "body": body})
print(json.dumps(out))
"#;
        if !self.dir.join("new").exists() {
            return Vec::new();
        }
        let out = Process::new(&self.python)
            .args(["-c", script])
            .arg(&self.dir)
            .output()
            .expect("python reads the maildir");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A webhook endpoint on loopback that keeps what it is sent and answers as WeCom does.
async fn sink() -> (String, Arc<Mutex<Vec<Value>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::Json<Value>| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(body.0);
                axum::Json(json!({"errcode": 0, "errmsg": "ok"}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), got)
}

struct Server {
    running: Running,
    clock: Clock,
}

async fn server(db: &str, smtp_port: u16, tick: Duration) -> Server {
    let relay = Relay {
        url: Some(format!("smtp://127.0.0.1:{smtp_port}")),
        from: "CreditDesk <credit@example.com>".into(),
        ca: None,
    };
    server_with(db, relay, tick).await
}

async fn server_with(db: &str, relay: Relay, tick: Duration) -> Server {
    let clock = Clock::manual(NOW_MS);
    let running = start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: creditdesk_server::loopback::fresh_database(db).await,
        site: None,
        demo: Some(DemoLang::En),
        demo_password: Some(PASSWORD.into()),
        session_hours: 1_000,
        clock: clock.clone(),
        large: false,
        behind_tls: false,
        tick,
        relay,
        backups: None,
        lease: creditdesk_server::PRIMARY_LEASE,
    })
    .await
    .expect("server starts");
    Server { running, clock }
}

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

async fn token(s: &Server, user: &str) -> String {
    let (status, v) = http(
        s,
        "POST",
        "/api/v1/session",
        None,
        Some(json!({"user": user, "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    v["token"].as_str().unwrap().to_string()
}

async fn push(s: &Server, token: &str, commands: Vec<Command>) {
    let mutations = commands
        .into_iter()
        .enumerate()
        .map(|(i, command)| Mutation {
            id: uuid::Uuid::new_v4().to_string(),
            n: i as u64 + 1,
            command,
            files: Vec::new(),
        })
        .collect();
    let body = serde_json::to_value(Push {
        client: "test-device".into(),
        mutations,
    })
    .unwrap();
    let (status, v) = http(s, "POST", "/api/v1/push", Some(token), Some(body)).await;
    assert_eq!(status, 200, "{v}");
    let reply: PushReply = serde_json::from_value(v).unwrap();
    for r in reply.results {
        assert_eq!(r.status, Status::Applied, "{r:?}");
    }
}

fn en(email: &str) -> Contact {
    Contact {
        email: email.into(),
        lang: Lang::En,
        ..Contact::default()
    }
}

/// Waits (the schedule and the deliverer run by themselves) until `f` holds, for at most 30 s.
async fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let t = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "waited 30 s for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A new customer of rep-1 (who adds it) owing 20,000 on an invoice due tomorrow (which finance
/// records).
async fn customer_owing(s: &Server) -> CustomerId {
    customer_owing_with(s, "", "").await
}

/// The same, with the customer's e-mail address and language (`zh`, `en`).
async fn customer_owing_with(s: &Server, email: &str, lang: &str) -> CustomerId {
    let id = CustomerId::from_u128(uuid::Uuid::new_v4().as_u128());
    let (rep, finance) = (token(s, "rep-1").await, token(s, "fs-1").await);
    push(
        s,
        &rep,
        vec![Command::SaveCustomer {
            id,
            create: true,
            input: CustomerInput {
                name: CUSTOMER.into(),
                sales_rep: "rep-1".into(),
                region: "East".into(),
                industry: "Steel".into(),
                first_cooperation: "2024-01-15".into(),
                email: email.into(),
                lang: lang.into(),
                ..CustomerInput::default()
            },
            why: String::new(),
        }],
    )
    .await;
    push(
        s,
        &finance,
        vec![Command::RecordInvoice {
            id: InvoiceId::from_u128(uuid::Uuid::new_v4().as_u128()),
            customer: id,
            input: InvoiceInput {
                number: "NT-0001".into(),
                issue_date: "2026-05-17".into(),
                term_days: "30".into(),
                amount: "20000.00".into(),
                order: None,
            },
        }],
    )
    .await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_browser_open_an_invoice_falling_overdue_above_ten_thousand_locks_and_mails_the_lead_and_finance(
) {
    let Some(py) = python() else { return };
    for db in databases() {
        let port = free_port();
        let smtp = Smtp::start(&py, port);
        let (hook, hooked) = sink().await;
        let s = server(db, port, Duration::from_millis(100)).await;
        let admin = token(&s, "admin").await;
        let mut settings = Settings::default();
        for (user, email) in [
            ("rep-1", "rep1@example.com"),
            ("sm-1", "sm1@example.com"),
            ("sm-2", "sm2@example.com"),
            ("fs-1", "fs1@example.com"),
            ("fs-2", "fs2@example.com"),
        ] {
            settings.contacts.insert(user.into(), en(email));
        }
        // rep-1's manager is sm-2: the lead of rep-1's customers.
        settings.contacts.get_mut("rep-1").unwrap().manager = Some("sm-2".into());
        // fs-2 takes alerts by webhook (a WeCom robot) as well as by e-mail.
        let fs2 = settings.contacts.get_mut("fs-2").unwrap();
        fs2.hook = Some(Hook {
            flavour: Flavour::WeCom,
            url: hook.clone(),
        });
        fs2.channels = BTreeMap::from([(Kind::Alert, vec![Channel::Email, Channel::Webhook])]);
        let (status, v) = http(
            &s,
            "PUT",
            "/api/v1/notices/settings",
            Some(&admin),
            Some(serde_json::to_value(&settings).unwrap()),
        )
        .await;
        assert_eq!(status, 200, "{db}: {v}");
        let rep = token(&s, "rep-1").await;
        customer_owing(&s).await;
        // Nothing is overdue yet: nobody is told of this customer.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            !smtp.mails().iter().any(|m| m.subject.contains(CUSTOMER)),
            "{db}"
        );
        // Two days on, with no request from anyone: the schedule notices the new day.
        s.clock.advance(48 * HOUR);
        let ours = |smtp: &Smtp| -> Vec<Mail> {
            smtp.mails()
                .into_iter()
                .filter(|m| m.subject.contains(CUSTOMER) && m.subject.contains("Overdue above"))
                .collect()
        };
        let mails = eventually("the W1003 e-mails", || {
            let m = ours(&smtp);
            (m.len() >= 4).then_some(m)
        })
        .await;
        let mut to: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
        to.sort();
        assert_eq!(
            to,
            [
                "fs1@example.com",
                "fs2@example.com",
                "rep1@example.com",
                "sm2@example.com"
            ],
            "{db}: the lead (sm-2), not every sales manager, and finance"
        );
        let fs1 = mails.iter().find(|m| m.to == "fs1@example.com").unwrap();
        assert_eq!(
            fs1.subject,
            format!("[CreditDesk] {CUSTOMER}: Overdue above ¥10,000"),
            "{db}"
        );
        assert!(
            fs1.body.starts_with("Overdue above ¥10,000: overdue amount ¥20,000.00, above the threshold of ¥10,000.00."),
            "{db}: {}",
            fs1.body
        );
        // The WeCom robot got its text message.
        let posted = eventually("the webhook", || {
            let got = hooked.lock().unwrap();
            got.iter()
                .find(|v| {
                    v["text"]["content"]
                        .as_str()
                        .is_some_and(|t| t.contains(CUSTOMER))
                })
                .cloned()
        })
        .await;
        assert_eq!(posted["msgtype"], "text", "{db}");
        // The customer is locked: its orders are held (the pull shows the rules' hold).
        let (_, pulled) = http(&s, "GET", "/api/v1/pull?cursor=0", Some(&rep), None).await;
        let id = pulled["customers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == CUSTOMER)
            .unwrap()["id"]
            .clone();
        let holds = pulled["holds"].as_array().unwrap();
        assert!(
            holds
                .iter()
                .any(|h| h[0] == id && h[1].as_array().is_some_and(|v| !v.is_empty())),
            "{db}: the customer is held"
        );
        // The app's messages list has it too; the log shows each delivery sent.
        let fs1 = token(&s, "fs-1").await;
        let (_, mine) = http(&s, "GET", "/api/v1/notices", Some(&fs1), None).await;
        let mine: Vec<Delivery> = serde_json::from_value(mine).unwrap();
        assert!(
            mine.iter()
                .any(|d| d.subject.contains(CUSTOMER) && d.channel == "inbox"),
            "{db}"
        );
        let (_, log) = http(&s, "GET", "/api/v1/notices/log", Some(&admin), None).await;
        let log: Vec<Delivery> = serde_json::from_value(log).unwrap();
        let sent: Vec<&Delivery> = log
            .iter()
            .filter(|d| d.subject.contains(CUSTOMER) && d.channel != "inbox")
            .collect();
        assert_eq!(sent.len(), 5, "{db}: four e-mails and one webhook");
        assert!(
            sent.iter().all(|d| d.status == "sent" && d.attempts == 1),
            "{db}: {sent:?}"
        );
        // Another day on, the same episode tells nobody again.
        s.clock.advance(24 * HOUR);
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert_eq!(
            ours(&smtp).len(),
            4,
            "{db}: one e-mail per person per episode"
        );
        let (status, _) = http(&s, "GET", "/api/v1/notices/log", Some(&rep), None).await;
        assert_eq!(status, 403, "{db}: the log is the administrator's");
        let (_, jobs) = http(&s, "GET", "/api/v1/jobs", Some(&admin), None).await;
        let rules = jobs
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["name"] == "rules")
            .unwrap()
            .clone();
        assert!(
            rules["runs"].as_i64().unwrap() >= 1 && rules["failures"] == 0,
            "{db}: {rules}"
        );
        s.running.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_waiting_past_its_deadline_reminds_its_approvers_then_escalates() {
    let Some(py) = python() else { return };
    for db in databases() {
        let port = free_port();
        let smtp = Smtp::start(&py, port);
        let s = server(db, port, Duration::ZERO).await;
        let admin = token(&s, "admin").await;
        let mut settings = Settings::default();
        for user in ["sm-1", "sm-2", "fs-1", "fs-2", "fm-1", "gm-1", "cfo-1"] {
            settings
                .contacts
                .insert(user.into(), en(&format!("{user}@example.com")));
        }
        let (status, v) = http(
            &s,
            "PUT",
            "/api/v1/notices/settings",
            Some(&admin),
            Some(serde_json::to_value(&settings).unwrap()),
        )
        .await;
        assert_eq!(status, 200, "{db}: {v}");
        // A minute after the server started (notices cover what happens after that).
        s.clock.advance(60_000);
        let rep = token(&s, "rep-1").await;
        let customer = customer_owing(&s).await;
        push(
            &s,
            &rep,
            vec![Command::FileRequest {
                id: RequestId::from_u128(uuid::Uuid::new_v4().as_u128()),
                customer,
                kind: RequestKind::FirstApplication {
                    limit: Money::from_units(30_000),
                    expires: None,
                    review: None,
                },
                reason: "A new distributor in Hangzhou".into(),
                attachments: Vec::new(),
            }],
        )
        .await;
        let of = |smtp: &Smtp, what: &str| -> Vec<String> {
            let mut to: Vec<String> = smtp
                .mails()
                .into_iter()
                .filter(|m| m.subject.contains(CUSTOMER) && m.subject.contains(what))
                .map(|m| m.to)
                .collect();
            to.sort();
            to
        };
        let waiting = eventually("the approvers' e-mails", || {
            let w = of(&smtp, "Waiting for your decision");
            (w.len() >= 2).then_some(w)
        })
        .await;
        // The first step is the sales managers'; the requester is not asked.
        assert_eq!(waiting, ["sm-1@example.com", "sm-2@example.com"], "{db}");
        assert!(of(&smtp, "Late").is_empty(), "{db}");
        // Past the step's due time: the approvers are reminded (the schedule runs on the tick).
        let routes = creditdesk_domain::approval::Routes::default();
        let due = routes.tiers[0].due_hours as i64;
        let escalate = routes.tiers[0].escalate_hours as i64;
        s.clock.advance(due * HOUR + 60_000);
        s.running.engine.tick().await.unwrap();
        let late = eventually("the reminders", || {
            let l = of(&smtp, "Late");
            (l.len() >= waiting.len()).then_some(l)
        })
        .await;
        assert_eq!(late, waiting, "{db}: each approver is reminded once");
        assert!(of(&smtp, "Escalated").is_empty(), "{db}");
        // Past the escalation time: the next level up of each missing role hears of it.
        s.clock.advance((escalate - due) * HOUR);
        s.running.engine.tick().await.unwrap();
        let up = eventually("the escalations", || {
            let e = of(&smtp, "Escalated");
            (!e.is_empty()).then_some(e)
        })
        .await;
        let expected: Vec<&str> = up.iter().map(|s| s.as_str()).collect();
        assert!(
            expected
                .iter()
                .all(|a| ["gm-1@example.com", "fm-1@example.com"].contains(a)),
            "{db}: {up:?}"
        );
        s.running.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_that_is_down_loses_no_notice_it_is_retried_until_sent() {
    let Some(py) = python() else { return };
    for db in databases() {
        let port = free_port();
        let s = server(db, port, Duration::ZERO).await;
        let admin = token(&s, "admin").await;
        let mut settings = Settings::default();
        settings
            .contacts
            .insert("fs-1".into(), en("fs1@example.com"));
        let (status, _) = http(
            &s,
            "PUT",
            "/api/v1/notices/settings",
            Some(&admin),
            Some(serde_json::to_value(&settings).unwrap()),
        )
        .await;
        assert_eq!(status, 200);
        customer_owing(&s).await;
        s.clock.advance(48 * HOUR);
        s.running.engine.tick().await.unwrap();
        // Nothing listens on the relay's port: the try fails and is recorded.
        let t = Instant::now();
        let failed = loop {
            if let Some(d) = email_of(&s, &admin).await.filter(|d| d.attempts >= 1) {
                break d;
            }
            assert!(t.elapsed() < Duration::from_secs(30), "{db}: a first try");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(failed.status, "pending", "{db}: {failed:?}");
        assert!(
            failed.last_error.as_deref().is_some_and(|e| !e.is_empty()),
            "{db}"
        );
        // The relay comes back; a minute later the next try delivers it.
        let smtp = Smtp::start(&py, port);
        s.clock.advance(61_000);
        let mail = eventually("the retried e-mail", || {
            smtp.mails()
                .into_iter()
                .find(|m| m.subject.contains(CUSTOMER))
        })
        .await;
        assert_eq!(mail.to, "fs1@example.com", "{db}");
        let t = Instant::now();
        let sent = loop {
            if let Some(d) = email_of(&s, &admin).await.filter(|d| d.status == "sent") {
                break d;
            }
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "{db}: recorded as sent"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(sent.attempts, 2, "{db}");
        assert_eq!(sent.last_error, None, "{db}");
        s.running.stop().await;
    }
}

#[tokio::test]
async fn a_job_runs_in_one_process_at_a_time_until_its_lease_runs_out() {
    use creditdesk_server::jobs::{lease, release};
    for db in databases() {
        let (pool, _) = creditdesk_server::store::open(
            &creditdesk_server::loopback::fresh_database(db).await,
            2,
        )
        .await
        .unwrap();
        assert!(
            lease(&pool, "rules", "a", 1_000, 500).await.unwrap(),
            "{db}"
        );
        assert!(
            !lease(&pool, "rules", "b", 1_200, 500).await.unwrap(),
            "{db}: a holds it"
        );
        assert!(
            lease(&pool, "rules", "a", 1_300, 500).await.unwrap(),
            "{db}: a renews"
        );
        assert!(
            lease(&pool, "deliver", "b", 1_300, 500).await.unwrap(),
            "{db}: another job"
        );
        assert!(
            !lease(&pool, "rules", "b", 1_700, 500).await.unwrap(),
            "{db}"
        );
        assert!(
            lease(&pool, "rules", "b", 1_801, 500).await.unwrap(),
            "{db}: a's ran out"
        );
        release(&pool, "rules", "b").await.unwrap();
        assert!(
            lease(&pool, "rules", "a", 1_802, 500).await.unwrap(),
            "{db}: given back"
        );
    }
}

/// The e-mail delivery of the test customer's notice, as the administrator's log shows it.
async fn email_of(s: &Server, admin: &str) -> Option<Delivery> {
    let (_, v) = http(s, "GET", "/api/v1/notices/log", Some(admin), None).await;
    let log: Vec<Delivery> = serde_json::from_value(v).unwrap();
    log.into_iter()
        .find(|d| d.subject.contains(CUSTOMER) && d.channel == "email")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_goes_to_the_customer_in_its_own_language_with_its_invoices_and_is_on_its_trail()
{
    let Some(py) = python() else { return };
    for db in databases() {
        let port = free_port();
        let smtp = Smtp::start(&py, port);
        let s = server(db, port, Duration::ZERO).await;
        s.clock.advance(60_000);
        // An English demo, a Chinese customer: its language is its own, not the user's.
        let id = customer_owing_with(&s, "ap@example.cn", "zh").await;
        let rep = token(&s, "rep-1").await;
        let path = format!("/api/v1/customers/{id}/reminder");
        let (status, v) = http(&s, "POST", &path, Some(&rep), Some(json!({}))).await;
        assert_eq!(status, 200, "{db}: {v}");
        assert_eq!(
            (v["to"].as_str(), v["lang"].as_str()),
            (Some("ap@example.cn"), Some("zh")),
            "{db}"
        );
        let mail = eventually("the reminder", || {
            smtp.mails().into_iter().find(|m| m.to == "ap@example.cn")
        })
        .await;
        assert_eq!(mail.subject, format!("付款提醒：{CUSTOMER}"), "{db}");
        assert!(
            mail.body.contains("发票 NT-0001") && mail.body.contains("¥20,000.00"),
            "{db}: {}",
            mail.body
        );
        // On the customer's trail, by the rep (as finance, who reads the whole trail, sees it).
        let fs = token(&s, "fs-1").await;
        let (_, pulled) = http(&s, "GET", "/api/v1/pull?cursor=0", Some(&fs), None).await;
        let on_trail = pulled["audit"].as_array().unwrap().iter().any(|e| {
            e["what"] == "reminder.sent"
                && e["who"] == "rep-1"
                && e["subject"] == format!("customer:{id}")
        });
        assert!(on_trail, "{db}");
        // And on the customer's file, as an e-mail to it: the rep's own device (which has no
        // trail) shows it on the customer's timeline.
        let (_, mine) = http(&s, "GET", "/api/v1/pull?cursor=0", Some(&rep), None).await;
        assert!(mine["audit"].as_array().unwrap().is_empty(), "{db}");
        let on_file = mine["customers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id.to_string())
            .and_then(|c| c["contacts"].as_array().cloned())
            .unwrap_or_default();
        assert_eq!(on_file.len(), 1, "{db}: {on_file:?}");
        assert_eq!(
            (
                &on_file[0]["channel"],
                &on_file[0]["with"],
                &on_file[0]["note"],
                &on_file[0]["by"]
            ),
            (
                &json!("email"),
                &json!("ap@example.cn"),
                &json!(mail.subject),
                &json!("rep-1")
            ),
            "{db}"
        );
        // A device may not record a reminder on its own word: only the server that sends one does.
        let forged = serde_json::to_value(Push {
            client: "test-device".into(),
            mutations: vec![Mutation {
                id: uuid::Uuid::new_v4().to_string(),
                n: 1,
                command: Command::ReminderSent {
                    customer: id,
                    to: "ap@example.cn".into(),
                    subject: "made up".into(),
                    id: "reminder:forged".into(),
                },
                files: Vec::new(),
            }],
        })
        .unwrap();
        let (_, v) = http(&s, "POST", "/api/v1/push", Some(&rep), Some(forged)).await;
        let reply: PushReply = serde_json::from_value(v).unwrap();
        assert_eq!(
            (reply.results[0].status, reply.results[0].code.as_deref()),
            (Status::Refused, Some("SRV-SERVER-ONLY")),
            "{db}"
        );
        // Another rep's customer is not theirs to write to; a customer without an address says so.
        let other = token(&s, "rep-2").await;
        let (status, v) = http(&s, "POST", &path, Some(&other), Some(json!({}))).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (404, Some("SRV-NO-CUSTOMER")),
            "{db}"
        );
        let bare = CustomerId::from_u128(uuid::Uuid::new_v4().as_u128());
        push(
            &s,
            &rep,
            vec![Command::SaveCustomer {
                id: bare,
                create: true,
                input: CustomerInput {
                    name: "No Address Ltd".into(),
                    sales_rep: "rep-1".into(),
                    region: "East".into(),
                    industry: "Steel".into(),
                    first_cooperation: "2024-01-15".into(),
                    ..CustomerInput::default()
                },
                why: String::new(),
            }],
        )
        .await;
        let (status, v) = http(
            &s,
            "POST",
            &format!("/api/v1/customers/{bare}/reminder"),
            Some(&rep),
            Some(json!({})),
        )
        .await;
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some("SRV-NO-EMAIL")),
            "{db}: {v}"
        );
        s.running.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_administrator_lets_them_a_rules_reminder_goes_to_the_customer_by_itself() {
    let Some(py) = python() else { return };
    for db in databases() {
        let port = free_port();
        let smtp = Smtp::start(&py, port);
        let s = server(db, port, Duration::ZERO).await;
        let admin = token(&s, "admin").await;
        // Overdue above 10,000 drafts a reminder too; reminders go by themselves.
        let mut rules = creditdesk_domain::monitor::RuleSet::default();
        rules
            .rules
            .iter_mut()
            .find(|r| r.code == "W1003")
            .unwrap()
            .actions
            .notice = true;
        let admin_user = s
            .running
            .engine
            .directory()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.id == "admin")
            .unwrap();
        s.running
            .engine
            .run(
                admin_user,
                Command::SaveRules {
                    rules,
                    why: "remind overdue customers".into(),
                },
            )
            .await
            .unwrap();
        let settings = Settings {
            customer_reminders: true,
            ..Settings::default()
        };
        let (status, v) = http(
            &s,
            "PUT",
            "/api/v1/notices/settings",
            Some(&admin),
            Some(serde_json::to_value(&settings).unwrap()),
        )
        .await;
        assert_eq!(status, 200, "{db}: {v}");
        s.clock.advance(60_000);
        customer_owing_with(&s, "payables@example.com", "en").await;
        assert!(smtp.mails().is_empty(), "{db}: nothing is overdue yet");
        s.clock.advance(48 * HOUR);
        s.running.engine.tick().await.unwrap();
        let mail = eventually("the reminder", || {
            smtp.mails()
                .into_iter()
                .find(|m| m.to == "payables@example.com")
        })
        .await;
        assert_eq!(
            mail.subject,
            format!("Payment reminder: {CUSTOMER}"),
            "{db}"
        );
        assert!(
            mail.body.contains("Invoice NT-0001") && mail.body.contains("days overdue"),
            "{db}: {}",
            mail.body
        );
        // Once per episode.
        s.clock.advance(24 * HOUR);
        s.running.engine.tick().await.unwrap();
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert_eq!(
            smtp.mails()
                .iter()
                .filter(|m| m.to == "payables@example.com")
                .count(),
            1,
            "{db}"
        );
        s.running.stop().await;
    }
}

/// A certificate authority and a relay's certificate it signed (for 127.0.0.1), made by openssl
/// in a temp folder: (folder, the CA's PEM).
fn relay_certificates() -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("cd-tls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        let out = Process::new("openssl")
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=CreditDesk Test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=relay",
        "-keyout",
        "relay.key",
        "-out",
        "relay.csr",
    ]);
    std::fs::write(
        dir.join("relay.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "relay.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "relay.ext",
        "-out",
        "relay.pem",
    ]);
    let ca = std::fs::read_to_string(dir.join("ca.pem")).unwrap();
    (dir, ca)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_over_tls_gets_the_mail_when_its_certificate_is_trusted_and_otherwise_the_notice_waits(
) {
    let Some(py) = python() else { return };
    let (dir, ca) = relay_certificates();
    let (cert, key) = (dir.join("relay.pem"), dir.join("relay.key"));
    // aiosmtpd with the relay's certificate: `tls` for STARTTLS, `smtps` for implicit TLS.
    let with_tls = |flag: &str| {
        let port = free_port();
        let (c, k) = (format!("--{flag}cert"), format!("--{flag}key"));
        let args = [c.as_ref(), cert.as_os_str(), k.as_ref(), key.as_os_str()];
        (port, Smtp::start_with(&py, port, &args))
    };
    let (starttls, smtp_starttls) = with_tls("tls");
    let (implicit, smtp_implicit) = with_tls("smtps");
    let relay = |url: String, ca: Option<&str>| Relay {
        url: Some(url),
        from: "CreditDesk <credit@example.com>".into(),
        ca: ca.map(str::to_string),
    };
    let cases = [
        (
            "STARTTLS",
            relay(
                format!("smtp://127.0.0.1:{starttls}?tls=required"),
                Some(&ca),
            ),
            &smtp_starttls,
            "tls@example.com",
        ),
        (
            "implicit TLS",
            relay(format!("smtps://127.0.0.1:{implicit}"), Some(&ca)),
            &smtp_implicit,
            "smtps@example.com",
        ),
    ];
    for (what, relay, smtp, to) in cases {
        let s = server_with("sqlite", relay, Duration::ZERO).await;
        s.clock.advance(60_000);
        let id = customer_owing_with(&s, to, "en").await;
        let rep = token(&s, "rep-1").await;
        let path = format!("/api/v1/customers/{id}/reminder");
        let (status, v) = http(&s, "POST", &path, Some(&rep), Some(json!({}))).await;
        assert_eq!(status, 200, "{what}: {v}");
        let mail = eventually(what, || smtp.mails().into_iter().find(|m| m.to == to)).await;
        assert!(
            mail.body.contains(CUSTOMER) || mail.subject.contains(CUSTOMER),
            "{what}: {mail:?}"
        );
        s.running.stop().await;
    }

    // The same relay without its certificate trusted: nothing is sent in the clear, the try
    // fails on the certificate and the notice waits for the next one.
    let s = server_with(
        "sqlite",
        relay(format!("smtp://127.0.0.1:{starttls}?tls=required"), None),
        Duration::ZERO,
    )
    .await;
    s.clock.advance(60_000);
    let id = customer_owing_with(&s, "untrusted@example.com", "en").await;
    let rep = token(&s, "rep-1").await;
    let admin = token(&s, "admin").await;
    let path = format!("/api/v1/customers/{id}/reminder");
    let (status, v) = http(&s, "POST", &path, Some(&rep), Some(json!({}))).await;
    assert_eq!(status, 200, "{v}");
    let t = Instant::now();
    let failed = loop {
        let (_, v) = http(&s, "GET", "/api/v1/notices/log", Some(&admin), None).await;
        let log: Vec<Delivery> = serde_json::from_value(v).unwrap();
        if let Some(d) = log
            .into_iter()
            .find(|d| d.address == "untrusted@example.com" && d.attempts >= 1)
        {
            break d;
        }
        assert!(t.elapsed() < Duration::from_secs(30), "a first try");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(failed.status, "pending", "{failed:?}");
    let error = failed.last_error.unwrap_or_default().to_lowercase();
    assert!(error.contains("certificate"), "{error}");
    assert!(!smtp_starttls
        .mails()
        .iter()
        .any(|m| m.to == "untrusted@example.com"));
    s.running.stop().await;

    // A certificate that is not one is said before anything is sent.
    let bad = relay(
        format!("smtps://127.0.0.1:{implicit}"),
        Some("not a certificate"),
    );
    let e = bad.tls().unwrap_err();
    assert!(e.contains("--smtp-ca"), "{e}");
    let plain = relay(format!("smtp://127.0.0.1:{starttls}"), Some(&ca));
    let e = plain.tls().unwrap_err();
    assert!(e.contains("asks for no TLS"), "{e}");
}

#[tokio::test]
async fn a_finance_specialist_added_after_an_alert_was_raised_finds_it_in_their_messages_once() {
    // The server works out an open alert's notices once, and again when the directory or the
    // settings change: whoever the change makes a recipient is told, nobody twice.
    use creditdesk_domain::approval::{Role, User};
    for db in databases() {
        let s = server(db, free_port(), Duration::ZERO).await;
        let admin = token(&s, "admin").await;
        customer_owing(&s).await;
        s.clock.advance(48 * HOUR);
        s.running.engine.tick().await.unwrap();
        let fs9 = User {
            id: "fs-9".into(),
            name: "Finance Nine".into(),
            roles: vec![Role::FinanceSpecialist],
            region: String::new(),
        };
        let body = json!({"user": fs9, "password": "fs9-password-long"});
        let (status, v) = http(&s, "POST", "/api/v1/users", Some(&admin), Some(body)).await;
        assert_eq!(status, 204, "{db}: {v}");
        s.running.engine.tick().await.unwrap();
        let (status, v) = http(
            &s,
            "POST",
            "/api/v1/session",
            None,
            Some(json!({"user": "fs-9", "password": "fs9-password-long"})),
        )
        .await;
        assert_eq!(status, 200, "{db}: {v}");
        let mine = |v: Value| -> usize {
            serde_json::from_value::<Vec<Delivery>>(v)
                .unwrap()
                .iter()
                .filter(|d| d.subject.contains(CUSTOMER))
                .count()
        };
        let token = v["token"].as_str().unwrap().to_string();
        let (_, v) = http(&s, "GET", "/api/v1/notices", Some(&token), None).await;
        assert_eq!(mine(v), 1, "{db}: the alert reaches the new specialist");
        s.running.engine.tick().await.unwrap();
        let (_, v) = http(&s, "GET", "/api/v1/notices", Some(&token), None).await;
        assert_eq!(mine(v), 1, "{db}: once");
        s.running.stop().await;
    }
}
