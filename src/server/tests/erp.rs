//! The ERP API as an ERP calls it, on SQLite and PostgreSQL: keys an administrator creates and
//! revokes, customers and documents posted by their ERP numbers (again: nothing changes; changed:
//! an update or a refusal kept in the history), every problem named with its field and code, the
//! order-time credit check, and every call recorded.

use creditdesk_domain::demo::DemoLang;
use creditdesk_server::clock::Clock;
use creditdesk_server::{start, Config, Running};
use creditdesk_storage::Store;
use serde_json::{json, Value};
use sqlx::Row;
use std::time::Duration;
mod common;
use common::databases;

/// 2026-06-15 10:00 in Beijing.
const NOW_MS: i64 = 1_781_488_800_000;
const PASSWORD: &str = "demo-password";

pub async fn server(db: &str) -> (Running, String) {
    let url = creditdesk_server::loopback::fresh_database(db).await;
    let running = start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: url.clone(),
        site: None,
        demo: Some(DemoLang::En),
        demo_password: Some(PASSWORD.into()),
        session_hours: 12,
        clock: Clock::manual(NOW_MS),
        large: false,
        behind_tls: false,
        tick: Duration::ZERO,
        relay: Default::default(),
        backups: None,
        lease: creditdesk_server::PRIMARY_LEASE,
    })
    .await
    .expect("server starts");
    (running, url)
}

async fn http(
    r: &Running,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let a = creditdesk_server::loopback::request(r.addr, method, path, token, body.as_ref())
        .await
        .expect("the server answers");
    (a.status, a.json)
}

/// Documents posted to an ERP path with a key: the status and the answer.
async fn post_docs(r: &Running, key: &str, path: &str, docs: Value) -> (u16, Value) {
    http(
        r,
        "POST",
        path,
        Some(key),
        Some(json!({ "documents": docs })),
    )
    .await
}

async fn session(r: &Running, user: &str) -> String {
    let (status, v) = http(
        r,
        "POST",
        "/api/v1/session",
        None,
        Some(json!({"user": user, "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    v["token"].as_str().unwrap().to_string()
}

/// A key acting as `user` with `scopes`, made by the administrator: its secret.
async fn key(r: &Running, user: &str, scopes: &[&str]) -> (String, String) {
    let admin = session(r, "admin").await;
    let (status, v) = http(
        r,
        "POST",
        "/api/v1/api-keys",
        Some(&admin),
        Some(json!({"name": "ERP nightly feed", "acts_as": user, "scopes": scopes})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    (
        v["key"]["id"].as_str().unwrap().into(),
        v["secret"].as_str().unwrap().into(),
    )
}

fn customer(code: &str, name: &str) -> Value {
    json!({"code": code, "name": name, "sales_rep": "rep-1", "region": "East", "industry": "Steel", "first_cooperation": "2023-03-01"})
}

fn statuses(v: &Value) -> Vec<(String, String)> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["number"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn codes_of(v: &Value, number: &str) -> Vec<(String, String)> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["number"] == number)
        .unwrap()["problems"]
        .as_array()
        .map(|p| {
            p.iter()
                .map(|p| {
                    (
                        p["field"].as_str().unwrap().to_string(),
                        p["code"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn only_an_administrator_makes_keys_and_a_key_does_only_what_its_scopes_say() {
    for db in databases() {
        let (r, _) = server(db).await;
        let rep = session(&r, "rep-1").await;
        let (status, v) = http(
            &r,
            "POST",
            "/api/v1/api-keys",
            Some(&rep),
            Some(json!({"name": "x", "acts_as": "fs-1", "scopes": ["read"]})),
        )
        .await;
        assert_eq!(
            (status, v["code"].as_str()),
            (403, Some("SRV-ADMIN-ONLY")),
            "{db}"
        );
        let admin = session(&r, "admin").await;
        let (status, v) = http(
            &r,
            "POST",
            "/api/v1/api-keys",
            Some(&admin),
            Some(json!({"name": "x", "acts_as": "nobody", "scopes": ["write"]})),
        )
        .await;
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some("SRV-API-KEY")),
            "{db}: {v}"
        );
        assert!(
            v["message"].as_str().unwrap().contains("acts_as"),
            "{db}: {v}"
        );

        let (id, read_only) = key(&r, "fs-1", &["read"]).await;
        let (status, v) = http(
            &r,
            "POST",
            "/api/erp/v1/customers",
            Some(&read_only),
            Some(json!({"documents": [customer("C9", "Nine Ltd")]})),
        )
        .await;
        assert_eq!(
            (status, v["code"].as_str()),
            (403, Some("ERP-SCOPE")),
            "{db}: {v}"
        );
        let (status, v) = http(
            &r,
            "POST",
            "/api/erp/v1/credit-check",
            None,
            Some(json!({"customer": "C9", "amount": "1.00"})),
        )
        .await;
        assert_eq!((status, v["code"].as_str()), (401, Some("ERP-KEY")), "{db}");
        let (status, _) = http(
            &r,
            "POST",
            "/api/erp/v1/credit-check",
            Some("cdk_kzzzz_wrong"),
            Some(json!({"customer": "C9", "amount": "1.00"})),
        )
        .await;
        assert_eq!(status, 401, "{db}");
        // Revoked, it opens nothing; the list shows it revoked, never a secret.
        let (status, _) = http(
            &r,
            "DELETE",
            &format!("/api/v1/api-keys/{id}"),
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(status, 204, "{db}");
        let (status, v) = http(
            &r,
            "GET",
            "/api/erp/v1/customers/C9",
            Some(&read_only),
            None,
        )
        .await;
        assert_eq!(
            (status, v["code"].as_str()),
            (401, Some("ERP-KEY-REVOKED")),
            "{db}"
        );
        let (_, list) = http(&r, "GET", "/api/v1/api-keys", Some(&admin), None).await;
        assert!(list[0]["revoked_at"].is_i64(), "{db}: {list}");
        assert!(
            !list.to_string().contains(&read_only[12..]),
            "{db}: no secret in the list"
        );
        r.stop().await;
    }
}

#[tokio::test]
async fn an_erp_posts_customers_and_invoices_by_number_and_posting_twice_changes_nothing() {
    for db in databases() {
        let (r, url) = server(db).await;
        let (id, k) = key(&r, "fs-1", &["read", "ledger", "check"]).await;
        let post = |path: &'static str, docs: Value| {
            let k = k.clone();
            let r = &r;
            async move { http(r, "POST", path, Some(&k), Some(json!({"documents": docs}))).await }
        };
        // Customers: two new, one with every problem named.
        let bad = json!({"code": "C3", "name": "", "sales_rep": "nobody", "region": "East", "industry": "Steel", "first_cooperation": "2023-02-30"});
        let (status, v) = post(
            "/api/erp/v1/customers",
            json!([
                customer("C1", "ERP One Trading"),
                customer("C2", "ERP Two Metals"),
                bad
            ]),
        )
        .await;
        assert_eq!(status, 200, "{db}: {v}");
        assert_eq!(
            statuses(&v),
            [
                ("C1".into(), "created".into()),
                ("C2".into(), "created".into()),
                ("C3".into(), "refused".into())
            ],
            "{db}: {v}"
        );
        let mut c3 = codes_of(&v, "C3");
        c3.sort();
        let fields: Vec<&str> = c3.iter().map(|(f, _)| f.as_str()).collect();
        assert!(
            fields.contains(&"name")
                && fields.contains(&"sales_rep")
                && fields.contains(&"first_cooperation"),
            "{db}: {c3:?}"
        );
        // The same again: unchanged. C1 renamed: updated, audited as the key's user.
        let (_, v) = post(
            "/api/erp/v1/customers",
            json!([
                customer("C1", "ERP One Trading Co"),
                customer("C2", "ERP Two Metals")
            ]),
        )
        .await;
        assert_eq!(
            statuses(&v),
            [
                ("C1".into(), "updated".into()),
                ("C2".into(), "unchanged".into())
            ],
            "{db}: {v}"
        );

        // Invoices: one good, one of an unknown customer, one with a bad amount.
        let inv = |n: &str, c: &str, amount: &str| json!({"number": n, "customer": c, "issue_date": "2026-06-01", "term_days": "30", "amount": amount});
        let (_, v) = post(
            "/api/erp/v1/invoices",
            json!([
                inv("INV-1", "C1", "12345.60"),
                inv("INV-2", "C404", "10.00"),
                inv("INV-3", "C2", "12.345")
            ]),
        )
        .await;
        assert_eq!(
            statuses(&v),
            [
                ("INV-1".into(), "created".into()),
                ("INV-2".into(), "refused".into()),
                ("INV-3".into(), "refused".into())
            ],
            "{db}: {v}"
        );
        assert_eq!(
            codes_of(&v, "INV-2"),
            [("customer".into(), "ERP-UNKNOWN-CUSTOMER".into())],
            "{db}"
        );
        assert_eq!(
            codes_of(&v, "INV-3"),
            [("amount".into(), "I-DECIMALS".into())],
            "{db}"
        );
        // Again: nothing changes. Changed: refused, and the attempt kept in the history.
        let (_, v) = post(
            "/api/erp/v1/invoices",
            json!([inv("INV-1", "C1", "12345.60")]),
        )
        .await;
        assert_eq!(statuses(&v), [("INV-1".into(), "unchanged".into())], "{db}");
        // A payment of part of it, and a credit note.
        let (_, v) = post("/api/erp/v1/payments", json!([{"number": "RC-1", "customer": "C1", "date": "2026-06-10", "amount": "345.60", "invoice": "INV-1"}])).await;
        assert_eq!(
            statuses(&v),
            [("RC-1".into(), "created".into())],
            "{db}: {v}"
        );
        let (_, v) = post("/api/erp/v1/credit-notes", json!([{"number": "CN-1", "customer": "C1", "date": "2026-06-11", "amount": "1000.00", "invoice": "INV-1"}])).await;
        assert_eq!(
            statuses(&v),
            [("CN-1".into(), "created".into())],
            "{db}: {v}"
        );
        // One without an invoice is on account: it settles nothing until applied.
        let (_, v) = post(
            "/api/erp/v1/credit-notes",
            json!([{"number": "RB-1", "customer": "C1", "date": "2026-06-11", "amount": "50.00"}]),
        )
        .await;
        assert_eq!(
            statuses(&v),
            [("RB-1".into(), "created".into())],
            "{db}: {v}"
        );

        // The position: 12,345.60 - 345.60 - 1,000.00 open.
        let (status, v) = http(&r, "GET", "/api/erp/v1/customers/C1", Some(&k), None).await;
        assert_eq!(status, 200, "{db}: {v}");
        assert_eq!(
            (v["name"].as_str(), v["open_receivables"].as_str()),
            (Some("ERP One Trading Co"), Some("11000.00")),
            "{db}: {v}"
        );
        // The credit check: no limit yet, so an order is blocked, with why and what helps: a first
        // limit (exposure 11,000 + 5,000), not a smaller order.
        let (status, v) = http(
            &r,
            "POST",
            "/api/erp/v1/credit-check",
            Some(&k),
            Some(json!({"customer": "C1", "amount": "5000.00"})),
        )
        .await;
        assert_eq!(status, 200, "{db}: {v}");
        assert_eq!(v["outcome"], "block", "{db}: {v}");
        assert!(
            v["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["code"] == "no_limit"),
            "{db}: {v}"
        );
        assert_eq!(
            (
                v["remedies"][0]["code"].as_str(),
                v["remedies"][0]["amount"].as_str()
            ),
            (Some("first_limit"), Some("16000.00")),
            "{db}: {v}"
        );
        let (status, v) = http(
            &r,
            "POST",
            "/api/erp/v1/credit-check",
            Some(&k),
            Some(json!({"customer": "C1", "amount": "-5"})),
        )
        .await;
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some("ERP-AMOUNT")),
            "{db}"
        );

        // Every call is recorded; the trail names the key's user and the key.
        let (pool, _) = creditdesk_server::store::open(&url, 1).await.unwrap();
        let calls: i64 = sqlx::query("SELECT COUNT(*) FROM api_calls WHERE key_id = $1")
            .bind(id.clone())
            .fetch_one(&pool)
            .await
            .unwrap()
            .get(0);
        assert_eq!(calls, 10, "{db}: two customer batches, two of invoices, a payment, two credit notes, a position, two checks");
        let history: i64 = sqlx::query(
            "SELECT COUNT(*) FROM erp_history WHERE kind = 'invoice' AND number = 'INV-1'",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0);
        assert_eq!(
            history, 1,
            "{db}: created (posting it unchanged adds nothing)"
        );
        let trail = creditdesk_server::store::SqlStore::new(pool)
            .load_audit()
            .await
            .unwrap();
        assert!(
            trail.iter().any(|e| e.who == "fs-1" && e.why.contains(&id)),
            "{db}: {:?}",
            trail.iter().rev().take(3).collect::<Vec<_>>()
        );
        r.stop().await;
    }
}

#[tokio::test]
async fn a_batch_larger_than_one_statement_takes_is_written_whole_and_posting_it_again_changes_nothing(
) {
    // The server writes many rows to a statement (at most 1,000): 2,345 invoices take three.
    for db in databases() {
        let (r, _) = server(db).await;
        let (_, k) = key(&r, "fs-1", &["ledger"]).await;
        let post = |docs: Value| post_docs(&r, &k, "/api/erp/v1/invoices", docs);
        let buyer = json!([customer("B1", "ERP Bulk Buyer")]);
        let (status, v) = post_docs(&r, &k, "/api/erp/v1/customers", buyer).await;
        assert_eq!(status, 200, "{db}: {v}");
        let docs: Vec<Value> = (0..2_345)
            .map(|n| json!({"number": format!("BULK-{n:05}"), "customer": "B1", "issue_date": "2026-06-01", "term_days": "30", "amount": format!("{}.{:02}", 10 + n, n % 100)}))
            .collect();
        let (status, v) = post(Value::Array(docs.clone())).await;
        assert_eq!(status, 200, "{db}: {v}");
        assert_eq!(v["created"], 2_345, "{db}");
        let (_, v) = post(Value::Array(docs)).await;
        let s = statuses(&v);
        assert_eq!(s.len(), 2_345, "{db}");
        assert!(
            s.iter().all(|(_, st)| st == "unchanged"),
            "{db}: {:?}",
            &s[..3]
        );
        let count = |sql: &'static str| {
            let pool = r.pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            count("SELECT COUNT(*) FROM erp_refs WHERE kind = 'invoice'").await,
            2_345,
            "{db}"
        );
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM erp_history WHERE kind = 'invoice' AND outcome = 'created'"
            )
            .await,
            2_345,
            "{db}"
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM erp_refs WHERE kind = 'invoice' AND number = 'BULK-02344'")
                .await,
            1,
            "{db}"
        );
        r.stop().await;
    }
}

#[tokio::test]
async fn an_erp_update_keeps_the_custom_values_even_of_a_field_made_required_since() {
    for db in databases() {
        let (r, _) = server(db).await;
        let (_, k) = key(&r, "fs-1", &["read", "ledger"]).await;
        let post = |docs: Value| post_docs(&r, &k, "/api/erp/v1/customers", docs);
        let (_, v) = post(json!([customer("C1", "ERP One Trading")])).await;
        assert_eq!(statuses(&v), [("C1".into(), "created".into())], "{db}: {v}");
        // The administrator adds a required segment on a desktop.
        let admin = session(&r, "admin").await;
        let fields = json!({"version": 0, "fields": [{
            "key": "segment", "label_zh": "客户细分", "label_en": "Segment", "kind": "choice",
            "required": true, "section": "basic", "order": 1,
            "options": [{"key": "retail", "zh": "零售", "en": "Retail"}]
        }]});
        let push = json!({"client": "desk-1", "mutations": [{"id": "m1", "n": 1,
            "command": {"type": "save_fields", "fields": fields, "why": "segments"}}]});
        let (status, v) = http(&r, "POST", "/api/v1/push", Some(&admin), Some(push)).await;
        assert_eq!(
            (status, v["results"][0]["status"].as_str()),
            (200, Some("applied")),
            "{db}: {v}"
        );
        // The ERP knows nothing of the segment: its update still goes through.
        let (_, v) = post(json!([customer("C1", "ERP One Trading Co")])).await;
        assert_eq!(statuses(&v), [("C1".into(), "updated".into())], "{db}: {v}");
        r.stop().await;
    }
}

#[tokio::test]
async fn a_changed_ledger_document_is_an_amendment_that_voids_the_old_version_and_keeps_what_settles_it(
) {
    for db in databases() {
        let (r, url) = server(db).await;
        let (_, k) = key(&r, "fs-1", &["read", "ledger"]).await;
        let post = |path: &'static str, docs: Value| {
            let k = k.clone();
            let r = &r;
            async move { http(r, "POST", path, Some(&k), Some(json!({"documents": docs}))).await }
        };
        let open = || {
            let k = k.clone();
            let r = &r;
            async move {
                let (_, v) = http(r, "GET", "/api/erp/v1/customers/C1", Some(&k), None).await;
                v["open_receivables"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            }
        };
        post(
            "/api/erp/v1/customers",
            json!([customer("C1", "ERP Amend Co")]),
        )
        .await;
        let inv = |amount: &str| json!([{"number": "INV-1", "customer": "C1", "issue_date": "2026-06-01", "term_days": "30", "amount": amount}]);
        let pay = |amount: &str| json!([{"number": "RC-1", "customer": "C1", "date": "2026-06-10", "amount": amount, "invoice": "INV-1"}]);
        let cn = |amount: &str| json!([{"number": "CN-1", "customer": "C1", "date": "2026-06-11", "amount": amount, "invoice": "INV-1"}]);
        post("/api/erp/v1/invoices", inv("12345.60")).await;
        post("/api/erp/v1/payments", pay("345.60")).await;
        post("/api/erp/v1/credit-notes", cn("1000.00")).await;
        assert_eq!(open().await, "11000.00", "{db}");

        // The ERP corrects the invoice's amount: the old version is voided, the new one is
        // INV-1~2, and the payment and credit note settle it now.
        let (_, v) = post("/api/erp/v1/invoices", inv("12000.00")).await;
        assert_eq!(
            statuses(&v),
            [("INV-1".into(), "amended".into())],
            "{db}: {v}"
        );
        assert_eq!(v["amended"], 1, "{db}: {v}");
        assert_eq!(open().await, "10654.40", "{db}");
        // Less than what settles it: refused with why, and nothing changes.
        let (_, v) = post("/api/erp/v1/invoices", inv("1000.00")).await;
        assert_eq!(
            codes_of(&v, "INV-1"),
            [("amount".into(), "ERP-AMENDMENT".into())],
            "{db}: {v}"
        );
        assert_eq!(open().await, "10654.40", "{db}");
        // A later payment naming INV-1 reaches the version in force.
        let (_, v) = post("/api/erp/v1/payments", json!([{"number": "RC-2", "customer": "C1", "date": "2026-06-12", "amount": "654.40", "invoice": "INV-1"}])).await;
        assert_eq!(
            statuses(&v),
            [("RC-2".into(), "created".into())],
            "{db}: {v}"
        );
        assert_eq!(open().await, "10000.00", "{db}");
        // A payment and a credit note amended: voided and recorded again.
        let (_, v) = post("/api/erp/v1/payments", pay("300.00")).await;
        assert_eq!(
            statuses(&v),
            [("RC-1".into(), "amended".into())],
            "{db}: {v}"
        );
        assert_eq!(open().await, "10045.60", "{db}");
        let (_, v) = post("/api/erp/v1/credit-notes", cn("900.00")).await;
        assert_eq!(
            statuses(&v),
            [("CN-1".into(), "amended".into())],
            "{db}: {v}"
        );
        assert_eq!(open().await, "10145.60", "{db}");
        // Posting the amended version again changes nothing, nor does writing it another way.
        let (_, v) = post("/api/erp/v1/credit-notes", cn("900.00")).await;
        assert_eq!(
            statuses(&v),
            [("CN-1".into(), "unchanged".into())],
            "{db}: {v}"
        );
        let (_, v) = post("/api/erp/v1/invoices", inv("12000")).await;
        assert_eq!(
            statuses(&v),
            [("INV-1".into(), "unchanged".into())],
            "{db}: {v}"
        );
        assert_eq!(open().await, "10145.60", "{db}");
        // A payment that paid its invoice in full, amended on the same day: its new version takes
        // what the old one held (from today), and the rest of the invoice is open again.
        let (_, v) = post("/api/erp/v1/invoices", json!([{"number": "INV-2", "customer": "C1", "issue_date": "2026-06-01", "term_days": "30", "amount": "500.00"}])).await;
        assert_eq!(
            statuses(&v),
            [("INV-2".into(), "created".into())],
            "{db}: {v}"
        );
        let full = |amount: &str| json!([{"number": "RC-3", "customer": "C1", "date": "2026-06-10", "amount": amount, "invoice": "INV-2"}]);
        let (_, v) = post("/api/erp/v1/payments", full("500.00")).await;
        assert_eq!(
            statuses(&v),
            [("RC-3".into(), "created".into())],
            "{db}: {v}"
        );
        assert_eq!(open().await, "10145.60", "{db}");
        let (_, v) = post("/api/erp/v1/payments", full("450.00")).await;
        assert_eq!(
            statuses(&v),
            [("RC-3".into(), "amended".into())],
            "{db}: {v}"
        );
        assert_eq!(open().await, "10195.60", "{db}");

        // The history of INV-1, and the trail: each void says it was the ERP's amendment.
        let (pool, _) = creditdesk_server::store::open(&url, 1).await.unwrap();
        let outcomes: Vec<String> = sqlx::query(
            "SELECT outcome FROM erp_history WHERE kind = 'invoice' AND number = 'INV-1' ORDER BY at, outcome",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        let mut sorted = outcomes.clone();
        sorted.sort();
        assert_eq!(sorted, ["amended", "created", "refused-amendment"], "{db}");
        let trail = creditdesk_server::store::SqlStore::new(pool)
            .load_audit()
            .await
            .unwrap();
        let voids: Vec<&str> = trail
            .iter()
            .filter(|e| e.what.ends_with(".voided") && e.why.contains("amended by the ERP"))
            .map(|e| e.what.as_str())
            .collect();
        assert_eq!(
            voids,
            [
                "invoice.voided",
                "payment.voided",
                "credit_note.voided",
                "payment.voided"
            ],
            "{db}"
        );
        assert!(
            trail.iter().any(|e| e.what == "credit_note.applied"),
            "{db}: the credit note moved onto the new version"
        );
        r.stop().await;
    }
}

#[tokio::test]
async fn the_openapi_document_names_every_erp_path_and_the_key() {
    let (r, _) = server("sqlite").await;
    let (status, v) = http(&r, "GET", "/api/erp/v1/openapi.json", None, None).await;
    assert_eq!(status, 200);
    let paths: Vec<&String> = v["paths"].as_object().unwrap().keys().collect();
    assert_eq!(
        paths,
        [
            "/api/erp/v1/credit-check",
            "/api/erp/v1/credit-notes",
            "/api/erp/v1/customers",
            "/api/erp/v1/customers/{code}",
            "/api/erp/v1/invoices",
            "/api/erp/v1/payments"
        ]
    );
    assert_eq!(
        v["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
    r.stop().await;
}

/// The Python with schemathesis: `CREDITDESK_TEST_PYTHON`, else `./x setup`'s `.tools/py`; as for
/// the notice tests, its absence skips the test unless `CREDITDESK_REQUIRE_SMTP` is set.
fn schemathesis() -> Option<std::path::PathBuf> {
    let python = std::env::var_os("CREDITDESK_TEST_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.tools/py/bin/python")
        });
    let st = python.with_file_name("st");
    if st.exists() {
        Some(st)
    } else if std::env::var_os("CREDITDESK_REQUIRE_SMTP").is_some() {
        panic!("{} is missing (run ./x setup)", st.display())
    } else {
        eprintln!("skipped: no schemathesis at {}", st.display());
        None
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_the_openapi_document_does_not_say() {
    let Some(st) = schemathesis() else { return };
    let (r, _) = server("sqlite").await;
    let (_, k) = key(&r, "fs-1", &["read", "ledger", "check"]).await;
    // The customer of the document's examples exists, so that the examples reach the logic.
    let (status, _) = http(
        &r,
        "POST",
        "/api/erp/v1/customers",
        Some(&k),
        Some(json!({"documents": [customer("C001", "Example Trading")]})),
    )
    .await;
    assert_eq!(status, 200);
    let schema = format!("http://{}/api/erp/v1/openapi.json", r.addr);
    let auth = format!("Authorization: Bearer {k}");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(st)
            .args(["run", &schema, "--checks", "all", "-H", &auth])
            .args([
                "--max-examples",
                "40",
                "--generation-deterministic",
                "--request-timeout",
                "20",
            ])
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("passed"), "{said}");
    r.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_feed_script_posts_an_erps_csv_exports_and_asks_a_credit_check() {
    let Some(st) = schemathesis() else { return };
    let python = st.with_file_name("python");
    let (r, _) = server("sqlite").await;
    let (_, k) = key(&r, "fs-1", &["read", "ledger", "check"]).await;
    // A customer CreditDesk has already: the ERP's export names it; the feed links the code.
    let fs = session(&r, "fs-1").await;
    let (_, pulled) = http(&r, "GET", "/api/v1/pull?cursor=0", Some(&fs), None).await;
    let all = pulled["customers"].as_array().unwrap();
    let known = all
        .iter()
        .find(|c| {
            c["limits"]["permanent"].as_i64().unwrap_or(0) > 0
                && all.iter().filter(|o| o["name"] == c["name"]).count() == 1
        })
        .unwrap();
    let name = known["name"].as_str().unwrap();
    let rep = known["sales_rep"].as_str().unwrap();
    let dir = std::env::temp_dir().join(format!("cd-erp-feed-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    // As Excel writes it: a BOM, CRLF line ends.
    let write = |file: &str, text: String| {
        std::fs::write(
            dir.join(file),
            format!("\u{feff}{}", text.replace('\n', "\r\n")),
        )
        .unwrap()
    };
    write(
        "customers.csv",
        format!("CustomerCode,CustomerName,SalesRep,Region,Industry,Since\nN1,Feed New Trading,rep-1,East,Steel,2024-01-10\nN2,Feed Second Metals,rep-2,North,Chemicals,2023-05-01\nL1,\"{name}\",{rep},{},{},{}\n",
            known["region"].as_str().unwrap(), known["industry"].as_str().unwrap(), known["first_cooperation"].as_str().unwrap()),
    );
    write(
        "invoices.csv",
        "InvoiceNo,CustomerCode,InvoiceDate,DueDate,Amount\nF-1,N1,2026-05-20,2026-06-19,\"12,000.00\"\nF-2,N1,2026-06-01,2026-07-01,3000.50\nF-3,N2,2026-06-02,2026-05-01,10.00\nF-4,N9,2026-06-02,2026-07-01,10.00\n".into(),
    );
    write(
        "payments.csv",
        "ReceiptNo,CustomerCode,ReceiptDate,Amount,InvoiceNo\nR-1,N1,2026-06-10,2000.00,F-1\n"
            .into(),
    );
    let (addr, k2, dir2) = (r.addr, k.clone(), dir.clone());
    let run = move || {
        std::process::Command::new(&python)
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tools/erp-feed.py"
            ))
            .args(["--server", &format!("http://{addr}"), "--key", &k2])
            .args([
                "--customers",
                "customers.csv",
                "--invoices",
                "invoices.csv",
                "--payments",
                "payments.csv",
            ])
            .args([
                "--batch",
                "2",
                "--check",
                "L1:0.01",
                "--check",
                "N1:1000.00",
            ])
            .current_dir(&dir2)
            .output()
            .unwrap()
    };
    let out = tokio::task::spawn_blocking(run.clone()).await.unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refused document and a blocked check: {said}"
    );
    for line in [
        "customers: 2 created, 1 linked, 0 updated, 0 amended, 0 unchanged, 0 refused",
        "invoices: 2 created, 0 linked, 0 updated, 0 amended, 0 unchanged, 2 refused",
        "invoices.csv: F-3 due_date: I-DUE-BEFORE-ISSUE",
        "invoices.csv: F-4 customer: ERP-UNKNOWN-CUSTOMER",
        "payments: 1 created, 0 linked, 0 updated, 0 amended, 0 unchanged, 0 refused",
        "check N1 1000.00: block",
        "  because no_limit:",
        "  remedy first_limit:",
    ] {
        assert!(said.contains(line), "{line:?} in:\n{said}");
    }
    assert!(said.contains("check L1 0.01: "), "{said}");
    // Run again: nothing is posted twice.
    let out = tokio::task::spawn_blocking(run).await.unwrap();
    let again = String::from_utf8_lossy(&out.stdout).to_string();
    for line in [
        "customers: 0 created, 0 linked, 0 updated, 0 amended, 3 unchanged, 0 refused",
        "invoices: 0 created, 0 linked, 0 updated, 0 amended, 2 unchanged, 2 refused",
        "payments: 0 created, 0 linked, 0 updated, 0 amended, 1 unchanged, 0 refused",
    ] {
        assert!(again.contains(line), "{line:?} in:\n{again}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    r.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erp_subscribed_to_holds_is_told_of_one_in_a_signed_post() {
    use std::sync::{Arc, Mutex};
    for db in databases() {
        let (r, _) = server(db).await;
        // The ERP's endpoint: keeps what it is sent with its headers.
        let got: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
        let keep = got.clone();
        let app = axum::Router::new().route(
            "/erp/events",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let keep = keep.clone();
                async move {
                    let h = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string()
                    };
                    keep.lock().unwrap().push((
                        h("x-creditdesk-event"),
                        h("x-creditdesk-signature"),
                        body,
                    ));
                    "ok"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

        let admin = session(&r, "admin").await;
        let (status, v) = http(
            &r,
            "POST",
            "/api/v1/erp-hooks",
            Some(&admin),
            Some(json!({"url": "ftp://x", "events": ["hold.set"]})),
        )
        .await;
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some("SRV-ERP-HOOK")),
            "{db}"
        );
        let (status, v) = http(
            &r,
            "POST",
            "/api/v1/erp-hooks",
            Some(&admin),
            Some(json!({"url": format!("http://{sink}/erp/events"), "events": ["hold.set", "limits.changed"]})),
        )
        .await;
        assert_eq!(status, 200, "{db}: {v}");
        let secret = v["secret"].as_str().unwrap().to_string();
        // A customer and an invoice 45 days overdue: the rules hold its ordering at once.
        let (_, k) = key(&r, "fs-1", &["ledger"]).await;
        http(
            &r,
            "POST",
            "/api/erp/v1/customers",
            Some(&k),
            Some(json!({"documents": [customer("H1", "Hook Test Trading")]})),
        )
        .await;
        let (_, v) = http(
            &r,
            "POST",
            "/api/erp/v1/invoices",
            Some(&k),
            Some(json!({"documents": [{"number": "H-INV-1", "customer": "H1", "issue_date": "2026-04-01", "term_days": "30", "amount": "20000.00"}]})),
        )
        .await;
        assert_eq!(v["created"], 1, "{db}: {v}");
        let t = std::time::Instant::now();
        let (event, signature, body) = loop {
            if let Some(x) = got
                .lock()
                .unwrap()
                .iter()
                .find(|x| x.2.contains("Hook Test Trading"))
                .cloned()
            {
                break x;
            }
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "{db}: the ERP heard nothing"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(event, "hold.set", "{db}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (v["event"].as_str(), v["customer"]["code"].as_str()),
            (Some("hold.set"), Some("H1")),
            "{db}: {v}"
        );
        // The signature is the HMAC-SHA256 of "<t>.<body>" with the subscription's secret,
        // as the ERP checks it.
        let (t_part, v1) = signature.split_once(',').unwrap();
        let at = t_part.strip_prefix("t=").unwrap();
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{at}.{body}").as_bytes());
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(v1, format!("v1={expected}"), "{db}");
        r.stop().await;
    }
}

#[tokio::test]
async fn an_erp_update_of_a_field_hidden_from_the_keys_user_is_refused_not_dropped() {
    for db in databases() {
        let (r, _) = server(db).await;
        let (_, k) = key(&r, "rep-1", &["read", "ledger"]).await;
        let post = |docs: Value| {
            let k = k.clone();
            let r = &r;
            async move {
                http(
                    r,
                    "POST",
                    "/api/erp/v1/customers",
                    Some(&k),
                    Some(json!({ "documents": docs })),
                )
                .await
            }
        };
        let (_, v) = post(json!([customer("C1", "ERP One Trading")])).await;
        assert_eq!(statuses(&v), [("C1".into(), "created".into())], "{db}: {v}");
        // The phone is hidden from sales reps (the key acts as one).
        let admin = session(&r, "admin").await;
        let fields = json!({"version": 0, "fields": [], "access": [
            {"field": "phone", "role": "sales_rep", "access": "hidden"}
        ]});
        let push = json!({"client": "desk-1", "mutations": [{"id": "m1", "n": 1,
            "command": {"type": "save_fields", "fields": fields, "why": "numbers are finance's", "with_access": true}}]});
        let (status, v) = http(&r, "POST", "/api/v1/push", Some(&admin), Some(push)).await;
        assert_eq!(
            (status, v["results"][0]["status"].as_str()),
            (200, Some("applied")),
            "{db}: {v}"
        );
        let mut with_phone = customer("C1", "ERP One Trading Co");
        with_phone["phone"] = json!("13800000000");
        let (_, v) = post(json!([with_phone])).await;
        assert_eq!(statuses(&v), [("C1".into(), "refused".into())], "{db}: {v}");
        assert_eq!(
            codes_of(&v, "C1"),
            [("phone".into(), "ERP-HIDDEN".into())],
            "{db}: {v}"
        );
        // Without the phone, the update goes through.
        let (_, v) = post(json!([customer("C1", "ERP One Trading Co")])).await;
        assert_eq!(statuses(&v), [("C1".into(), "updated".into())], "{db}: {v}");
        r.stop().await;
    }
}
