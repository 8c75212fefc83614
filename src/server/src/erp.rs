//! The ERP and finance link: an API for other systems, under `/api/erp/v1`, with API keys.
//!
//! - **Keys.** An administrator creates a key (`POST /api/v1/api-keys`): a name, the directory
//!   user it acts as (its commands run as that user, with that user's permissions, and the audit
//!   trail names them), and its scopes: `read` (a customer's credit position), `ledger` (post
//!   customers and documents), `check` (the order-time credit check). The secret is shown once;
//!   only its SHA-256 is kept. A key is revoked, never deleted. Every call made with a key is
//!   recorded (`api_calls`: when, what, the answer's status, how long).
//! - **Documents by the ERP's number.** Customers (by the ERP's customer code), invoices,
//!   payments and credit notes are posted in batches. Each is checked exactly as a CSV import row
//!   is (`creditdesk_domain::import::validate`: every problem with its field and code), and the
//!   valid new ones are written by one `ImportBatch` command. The ERP's number is remembered with
//!   the record it became (`erp_refs`) and every version posted (`erp_history`): posting the same
//!   document again changes nothing; a customer posted with changes is updated (`SaveCustomer`,
//!   audited with before and after); a ledger document posted with changes is an **amendment**
//!   (status `amended`): the version CreditDesk has is voided and the new one recorded, with
//!   its history. An amended invoice or credit note is recorded as `<number>~<version>` (a void
//!   document keeps its number, and numbers are unique); what settles an amended invoice moves
//!   onto the new version; an amended payment or credit note settles from the amendment's day;
//!   later documents naming the ERP's number reach the version in force; the same values written
//!   another way are `unchanged`. The amendment is tried on the customer's ledger first, so one
//!   that cannot be made changes nothing (`ERP-AMENDMENT` with why).
//! - **The credit check** an ERP asks when it saves a sales order: pass / warn / block with every
//!   reason and remedy, computed on the book in memory.
//!
//! The OpenAPI document (`GET /api/erp/v1/openapi.json`) is generated from the handlers below
//! (utoipa); a contract test runs schemathesis against it.

use crate::api::{ApiError, Shared};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use creditdesk_app::{Book, Command};
use creditdesk_domain::approval::{sha256_hex, User};
use creditdesk_domain::import::{FieldKey, Kind, Mapping, Table};
use creditdesk_domain::{CustomerId, Money};
use serde::{Deserialize, Serialize};
use sqlx::{AnyPool, Row};
use utoipa::{OpenApi, ToSchema};

/// What a key may do.
pub const SCOPES: [&str; 3] = ["read", "ledger", "check"];

/// A key as the administrator lists it (never its secret).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: String,
    pub name: String,
    pub acts_as: String,
    pub scopes: Vec<String>,
    pub created_by: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// A new key: its secret, shown once.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewKey {
    pub key: KeyInfo,
    pub secret: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct KeyRequest {
    pub name: String,
    pub acts_as: String,
    pub scopes: Vec<String>,
}

fn random_hex(bytes: usize) -> String {
    (0..bytes.div_ceil(16))
        .map(|_| format!("{:032x}", uuid::Uuid::new_v4().as_u128()))
        .collect::<String>()
        .chars()
        .take(bytes * 2)
        .collect()
}

/// Creates a key for `acts_as` with `scopes`, as `by`.
pub async fn create_key(
    pool: &AnyPool,
    req: &KeyRequest,
    directory: &[User],
    by: &str,
    now: i64,
) -> Result<NewKey, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "SRV-API-KEY", m);
    if req.name.trim().is_empty() {
        return Err(bad("a key needs a name (what uses it)".into()));
    }
    if !directory.iter().any(|u| u.id == req.acts_as) {
        return Err(bad(format!(
            "acts_as: {:?} is not in the directory",
            req.acts_as
        )));
    }
    if req.scopes.is_empty() {
        return Err(bad(format!(
            "scopes: name at least one of {}",
            SCOPES.join(", ")
        )));
    }
    if let Some(s) = req.scopes.iter().find(|s| !SCOPES.contains(&s.as_str())) {
        return Err(bad(format!(
            "scopes: {s:?} is not one of {}",
            SCOPES.join(", ")
        )));
    }
    let id = format!("k{}", random_hex(6));
    let secret = format!("cdk_{id}_{}", random_hex(24));
    sqlx::query(
        "INSERT INTO api_keys (id, name, secret_sha256, acts_as, scopes, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.clone())
    .bind(req.name.trim().to_string())
    .bind(sha256_hex(secret.as_bytes()))
    .bind(req.acts_as.clone())
    .bind(req.scopes.join(","))
    .bind(by.to_string())
    .bind(now)
    .execute(pool)
    .await
    .map_err(ApiError::internal)?;
    Ok(NewKey {
        key: KeyInfo {
            id,
            name: req.name.trim().to_string(),
            acts_as: req.acts_as.clone(),
            scopes: req.scopes.clone(),
            created_by: by.to_string(),
            created_at: now,
            revoked_at: None,
            last_used_at: None,
        },
        secret,
    })
}

pub async fn list_keys(pool: &AnyPool) -> Result<Vec<KeyInfo>, ApiError> {
    let rows = sqlx::query(
        "SELECT id, name, acts_as, scopes, created_by, created_at, revoked_at, last_used_at \
         FROM api_keys ORDER BY created_at, id",
    )
    .fetch_all(pool)
    .await
    .map_err(ApiError::internal)?;
    Ok(rows
        .iter()
        .map(|r| KeyInfo {
            id: r.get(0),
            name: r.get(1),
            acts_as: r.get(2),
            scopes: r
                .get::<String, _>(3)
                .split(',')
                .map(str::to_string)
                .collect(),
            created_by: r.get(4),
            created_at: r.get(5),
            revoked_at: r.get(6),
            last_used_at: r.get(7),
        })
        .collect())
}

/// Revokes a key; false when there is no such key still in use.
pub async fn revoke_key(pool: &AnyPool, id: &str, now: i64) -> Result<bool, ApiError> {
    let done =
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id.to_string())
            .execute(pool)
            .await
            .map_err(ApiError::internal)?;
    Ok(done.rows_affected() == 1)
}

/// The caller of an ERP endpoint: a key in `Authorization: Bearer cdk_…`, and the user it acts as.
pub struct Caller {
    pub key: String,
    pub scopes: Vec<String>,
    pub user: User,
}

impl Caller {
    fn may(&self, scope: &str) -> Result<(), ApiError> {
        if self.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "ERP-SCOPE",
                format!(
                    "this key may not {scope}: its scopes are {}",
                    self.scopes.join(", ")
                ),
            ))
        }
    }
}

fn key_id_of(parts: &Parts) -> Option<(String, String)> {
    let v = parts.headers.get("authorization")?.to_str().ok()?;
    let secret = v.strip_prefix("Bearer ")?.trim();
    let id = secret.strip_prefix("cdk_")?.split('_').next()?;
    Some((id.to_string(), secret.to_string()))
}

impl FromRequestParts<Shared> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &Shared) -> Result<Self, Self::Rejection> {
        let unknown = || {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "ERP-KEY",
                "an API key is needed: Authorization: Bearer cdk_… (an administrator creates one)",
            )
        };
        let (id, secret) = key_id_of(parts).ok_or_else(unknown)?;
        let row = sqlx::query(
            "SELECT secret_sha256, acts_as, scopes, revoked_at FROM api_keys WHERE id = $1",
        )
        .bind(id.clone())
        .fetch_optional(&s.pool)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(unknown)?;
        let stored: String = row.get(0);
        if stored != sha256_hex(secret.as_bytes()) {
            return Err(unknown());
        }
        if row.get::<Option<i64>, _>(3).is_some() {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "ERP-KEY-REVOKED",
                "this API key was revoked",
            ));
        }
        let acts_as: String = row.get(1);
        let user = s
            .engine
            .directory()
            .await
            .map_err(ApiError::internal)?
            .into_iter()
            .find(|u| u.id == acts_as)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    "ERP-KEY-USER",
                    format!("the key acts as {acts_as}, who is no longer in the directory"),
                )
            })?;
        let _ = sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(s.clock.now().0)
            .bind(id.clone())
            .execute(&s.pool)
            .await;
        Ok(Caller {
            key: id,
            scopes: row
                .get::<String, _>(2)
                .split(',')
                .map(str::to_string)
                .collect(),
            user,
        })
    }
}

/// Records every call made with a key: when, what, the answer and how long it took.
pub async fn record_calls(
    State(s): State<Shared>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let t = std::time::Instant::now();
    let (parts, body) = req.into_parts();
    let key = key_id_of(&parts).map(|(id, _)| id);
    let (method, path) = (parts.method.to_string(), parts.uri.path().to_string());
    let answer = next
        .run(axum::extract::Request::from_parts(parts, body))
        .await;
    if let Some(key) = key {
        let _ = sqlx::query(
            "INSERT INTO api_calls (key_id, at, method, path, status, micros) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(key)
        .bind(s.clock.now().0)
        .bind(method)
        .bind(path)
        .bind(i64::from(answer.status().as_u16()))
        .bind(t.elapsed().as_micros() as i64)
        .execute(&s.pool)
        .await;
    }
    answer
}

// ---- The documents ----

/// A customer as the ERP has it. `code` is the ERP's customer code (its key here).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ErpCustomer {
    /// The ERP's customer code, unique.
    pub code: String,
    pub name: String,
    /// The sales rep: a user id of CreditDesk's directory (or their name).
    pub sales_rep: String,
    pub region: String,
    pub industry: String,
    /// `YYYY-MM-DD`.
    pub first_cooperation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_person: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// An invoice. Amounts are decimal strings in yuan (`"12345.60"`), never binary floats.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ErpInvoice {
    /// The ERP's invoice number, unique.
    pub number: String,
    /// The ERP's customer code.
    pub customer: String,
    pub issue_date: String,
    /// `due_date`, or `term_days` from the issue date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_days: Option<String>,
    pub amount: String,
}

/// A payment, allocated to `invoice` (an ERP invoice number) or oldest-first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ErpPayment {
    /// The ERP's payment (receipt) number, unique: kept as the payment's reference.
    pub number: String,
    pub customer: String,
    pub date: String,
    pub amount: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<String>,
}

/// A credit note against an invoice, or on account (no `invoice`: applied to invoices later in
/// CreditDesk).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ErpCreditNote {
    pub number: String,
    pub customer: String,
    pub date: String,
    pub amount: String,
    /// The ERP's number of the invoice it credits; absent: on account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<String>,
}

/// A batch of one kind of document (at most 5,000).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Batch<T> {
    pub documents: Vec<T>,
}

/// A problem of one field of a posted document.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field (`amount`), or empty for the document as a whole.
    pub field: String,
    /// A stable code: the CSV import's (`I-AMOUNT`) or the API's (`ERP-…`).
    pub code: String,
    pub message: String,
}

/// What became of one posted document.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct DocResult {
    pub number: String,
    /// `created`, `linked` (a customer CreditDesk had already: the same USCC, or the only one of
    /// that name), `updated`, `amended` (a ledger document changed: see the module), `unchanged`
    /// or `refused`.
    pub status: String,
    /// CreditDesk's id of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<FieldProblem>,
}

/// The answer to a batch: one result per document, in order.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct BatchResult {
    pub created: usize,
    pub linked: usize,
    pub updated: usize,
    /// Ledger documents posted again with changes: the earlier version voided, this one recorded.
    #[serde(default)]
    pub amended: usize,
    pub unchanged: usize,
    pub refused: usize,
    pub results: Vec<DocResult>,
}

/// A document of any kind, as the engine handles it.
#[derive(Clone, Debug)]
pub enum Docs {
    Customers(Vec<ErpCustomer>),
    Invoices(Vec<ErpInvoice>),
    Payments(Vec<ErpPayment>),
    CreditNotes(Vec<ErpCreditNote>),
}

impl Docs {
    fn kind(&self) -> Kind {
        match self {
            Docs::Customers(_) => Kind::Customers,
            Docs::Invoices(_) => Kind::Invoices,
            Docs::Payments(_) => Kind::Payments,
            Docs::CreditNotes(_) => Kind::CreditNotes,
        }
    }
    fn label(&self) -> &'static str {
        match self {
            Docs::Customers(_) => "customer",
            Docs::Invoices(_) => "invoice",
            Docs::Payments(_) => "payment",
            Docs::CreditNotes(_) => "credit_note",
        }
    }
    fn len(&self) -> usize {
        match self {
            Docs::Customers(d) => d.len(),
            Docs::Invoices(d) => d.len(),
            Docs::Payments(d) => d.len(),
            Docs::CreditNotes(d) => d.len(),
        }
    }
    /// Each document's number, its canonical JSON, and its fields as the import reads them
    /// (customer codes are resolved by the caller).
    fn rows(&self) -> Vec<DocRow> {
        fn opt(v: &Option<String>) -> String {
            v.clone().unwrap_or_default()
        }
        let json = |v: &dyn erased::Json| v.json();
        match self {
            Docs::Customers(d) => d
                .iter()
                .map(|c| {
                    (
                        c.code.clone(),
                        json(c),
                        vec![
                            (FieldKey::Name, c.name.clone()),
                            (FieldKey::SalesRep, c.sales_rep.clone()),
                            (FieldKey::Region, c.region.clone()),
                            (FieldKey::Industry, c.industry.clone()),
                            (FieldKey::FirstCooperation, c.first_cooperation.clone()),
                            (FieldKey::Uscc, opt(&c.uscc)),
                            (FieldKey::ContactPerson, opt(&c.contact_person)),
                            (FieldKey::Phone, opt(&c.phone)),
                            (FieldKey::Email, opt(&c.email)),
                            (FieldKey::Address, opt(&c.address)),
                        ],
                    )
                })
                .collect(),
            Docs::Invoices(d) => d
                .iter()
                .map(|i| {
                    (
                        i.number.clone(),
                        json(i),
                        vec![
                            (FieldKey::Number, i.number.clone()),
                            (FieldKey::Customer, i.customer.clone()),
                            (FieldKey::IssueDate, i.issue_date.clone()),
                            (FieldKey::DueDate, opt(&i.due_date)),
                            (FieldKey::TermDays, opt(&i.term_days)),
                            (FieldKey::Amount, i.amount.clone()),
                        ],
                    )
                })
                .collect(),
            Docs::Payments(d) => d
                .iter()
                .map(|p| {
                    (
                        p.number.clone(),
                        json(p),
                        vec![
                            (FieldKey::Reference, p.number.clone()),
                            (FieldKey::Customer, p.customer.clone()),
                            (FieldKey::Date, p.date.clone()),
                            (FieldKey::Amount, p.amount.clone()),
                            (FieldKey::Invoice, opt(&p.invoice)),
                        ],
                    )
                })
                .collect(),
            Docs::CreditNotes(d) => d
                .iter()
                .map(|c| {
                    (
                        c.number.clone(),
                        json(c),
                        vec![
                            (FieldKey::Number, c.number.clone()),
                            (FieldKey::Customer, c.customer.clone()),
                            (FieldKey::Date, c.date.clone()),
                            (FieldKey::Amount, c.amount.clone()),
                            (FieldKey::Invoice, opt(&c.invoice)),
                        ],
                    )
                })
                .collect(),
        }
    }
}

/// A document as a row: its number, its canonical JSON, its fields as the import reads them.
type DocRow = (String, String, Vec<(FieldKey, String)>);

mod erased {
    /// A document's canonical JSON (its fields in declaration order, absent options left out).
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

/// The most documents one batch may carry.
pub const MAX_BATCH: usize = 5_000;

/// What the engine needs to post a batch: the store's pool (for the ERP's numbers), the book,
/// and a way to run a command as the caller.
pub struct Posting<'a> {
    pub pool: &'a AnyPool,
    pub book: &'a std::cell::RefCell<Book>,
    pub caller: &'a User,
    pub key: &'a str,
    pub now: i64,
}

async fn known(
    pool: &AnyPool,
    kind: &str,
    numbers: &[String],
) -> Result<std::collections::HashMap<String, (String, String)>, String> {
    let mut out = std::collections::HashMap::new();
    // In slices: a statement takes a bounded number of parameters.
    for part in numbers.chunks(500) {
        let marks: Vec<String> = (0..part.len()).map(|i| format!("${}", i + 2)).collect();
        let q = format!(
            "SELECT number, id, sha256 FROM erp_refs WHERE kind = $1 AND number IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query(&q).bind(kind.to_string());
        for n in part {
            query = query.bind(n.clone());
        }
        for r in query.fetch_all(pool).await.map_err(|e| e.to_string())? {
            out.insert(r.get::<String, _>(0), (r.get(1), r.get(2)));
        }
    }
    Ok(out)
}

/// Posts a batch: checks every document, writes the new valid ones in one command, updates
/// changed customers, and remembers every number. `run` executes a command as the caller.
pub async fn post_batch<F, Fut>(p: Posting<'_>, docs: Docs, run: F) -> Result<BatchResult, ApiError>
where
    F: Fn(Command) -> Fut,
    Fut: std::future::Future<Output = Result<(), (String, String)>>,
{
    if docs.len() > MAX_BATCH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "ERP-BATCH",
            format!(
                "a batch holds at most {MAX_BATCH} documents; this one has {}",
                docs.len()
            ),
        ));
    }
    let label = docs.label();
    let rows = docs.rows();
    let numbers: Vec<String> = rows.iter().map(|(n, _, _)| n.clone()).collect();
    let refs = known(p.pool, label, &numbers)
        .await
        .map_err(ApiError::internal)?;
    // The values of one field across the batch (those not empty).
    let values = |key: FieldKey| -> Vec<String> {
        rows.iter()
            .flat_map(|(_, _, f)| f.iter().filter(move |(k, _)| *k == key))
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
            .collect()
    };
    // Customer codes the documents name, as CreditDesk ids.
    let codes = values(FieldKey::Customer);
    let customers = known(p.pool, "customer", &codes)
        .await
        .map_err(ApiError::internal)?;
    // Invoice numbers payments and credit notes name, as CreditDesk's invoice numbers: the same,
    // but for an amended invoice, whose version in force has its own number.
    let named = values(FieldKey::Invoice);
    let invoice_numbers: std::collections::HashMap<String, String> = if named.is_empty() {
        Default::default()
    } else {
        let refs = known(p.pool, "invoice", &named)
            .await
            .map_err(ApiError::internal)?;
        let book = p.book.borrow();
        refs.into_iter()
            .filter_map(|(erp, (id, _))| {
                let id = creditdesk_domain::InvoiceId::parse(&id)?;
                let now = book.ledger.invoice(id)?.number.to_string();
                (now != erp).then_some((erp, now))
            })
            .collect()
    };
    let cells = |i: usize, number: Option<&str>| -> Vec<(FieldKey, String)> {
        rows[i]
            .2
            .iter()
            .map(|(k, v)| {
                let v = match k {
                    FieldKey::Customer => customers.get(v).map(|(id, _)| id.clone()),
                    FieldKey::Invoice => invoice_numbers.get(v).cloned(),
                    FieldKey::Number => number.map(str::to_string),
                    _ => None,
                }
                .unwrap_or_else(|| v.clone());
                (*k, v)
            })
            .collect()
    };
    let mut results: Vec<Option<DocResult>> = vec![None; rows.len()];
    let mut history: Vec<(String, &'static str, String, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut fresh: Vec<usize> = Vec::new();
    let mut changed: Vec<(usize, String)> = Vec::new();
    let mut linked = std::collections::HashSet::new();
    let mut amended: Vec<(usize, String)> = Vec::new();
    for (i, (number, json, fields)) in rows.iter().enumerate() {
        let sha = sha256_hex(json.as_bytes());
        let refuse = |code: &str, field: &str, message: String| DocResult {
            number: number.clone(),
            status: "refused".into(),
            id: None,
            problems: vec![FieldProblem {
                field: field.into(),
                code: code.into(),
                message,
            }],
        };
        if number.trim().is_empty() {
            results[i] = Some(refuse(
                "ERP-NUMBER",
                if label == "customer" {
                    "code"
                } else {
                    "number"
                },
                "the ERP's number is required".into(),
            ));
            continue;
        }
        if !seen.insert(number.clone()) {
            results[i] = Some(refuse(
                "ERP-TWICE",
                "number",
                format!("{number} is twice in this batch"),
            ));
            continue;
        }
        if let Some((_, code)) = fields
            .iter()
            .find(|(k, v)| *k == FieldKey::Customer && !customers.contains_key(v))
        {
            results[i] = Some(refuse(
                "ERP-UNKNOWN-CUSTOMER",
                "customer",
                format!("no customer with the ERP code {code:?}: post it to /customers first"),
            ));
            continue;
        }
        match refs.get(number) {
            Some((id, old)) if *old == sha => {
                results[i] = Some(DocResult {
                    number: number.clone(),
                    status: "unchanged".into(),
                    id: Some(id.clone()),
                    problems: Vec::new(),
                });
            }
            Some((id, _)) if label == "customer" => changed.push((i, id.clone())),
            Some((id, _)) => amended.push((i, id.clone())),
            // A customer CreditDesk has already (the same USCC, or the one customer of that
            // name) is linked to the code, and updated from the ERP's values.
            None if label == "customer" => match existing_customer(&p.book.borrow(), &docs, i) {
                Some(id) => {
                    linked.insert(i);
                    changed.push((i, id.to_string()));
                }
                None => fresh.push(i),
            },
            None => fresh.push(i),
        }
    }
    // The new ones: checked as import rows, written by one command.
    if !fresh.is_empty() {
        let kind = docs.kind();
        let mut keys: Vec<FieldKey> = Vec::new();
        for i in &fresh {
            for (k, _) in &rows[*i].2 {
                if !keys.contains(k) {
                    keys.push(*k);
                }
            }
        }
        let (table, mapping) = table_of(
            kind,
            &keys,
            &fresh.iter().map(|&i| cells(i, None)).collect::<Vec<_>>(),
        );
        let plan = {
            let book = p.book.borrow();
            let mut id = || uuid::Uuid::new_v4().as_u128();
            creditdesk_app::imports::check_rows(
                &book,
                p.caller,
                kind,
                &table,
                &mapping,
                creditdesk_domain::Timestamp(p.now),
                &mut id,
            )
        };
        let row_doc = |row: u64| fresh[(row - 2) as usize];
        for prob in plan.problems.iter() {
            if prob.row == 0 {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "ERP-BATCH",
                    prob.problem.to_string(),
                ));
            }
            let i = row_doc(prob.row);
            let number = rows[i].0.clone();
            let r = results[i].get_or_insert_with(|| DocResult {
                number,
                status: "refused".into(),
                id: None,
                problems: Vec::new(),
            });
            r.problems.push(FieldProblem {
                field: prob.field.map(|f| f.key().to_string()).unwrap_or_default(),
                code: prob.problem.code().to_string(),
                message: prob.problem.to_string(),
            });
        }
        let r = &plan.records;
        let ids: Vec<String> = match kind {
            Kind::Customers => r.customers.iter().map(|c| c.id.to_string()).collect(),
            Kind::Invoices => r.invoices.iter().map(|c| c.id.to_string()).collect(),
            Kind::Payments => r.payments.iter().map(|c| c.id.to_string()).collect(),
            Kind::CreditNotes => r.credit_notes.iter().map(|c| c.id.to_string()).collect(),
            Kind::Orders => Vec::new(),
        };
        if !r.is_empty() {
            let written: Vec<usize> = r.rows.iter().map(|row| row_doc(*row)).collect();
            let command = Command::ImportBatch {
                kind,
                file: format!("ERP API, key {}", p.key),
                rows_total: fresh.len(),
                skipped: fresh.len() - r.len(),
                records: r.clone(),
                blocked: creditdesk_app::imports::Blocked::Refuse,
            };
            match run(command).await {
                Ok(()) => {
                    let mut refs = Vec::with_capacity(written.len());
                    for (i, id) in written.iter().zip(ids) {
                        let (number, json, _) = &rows[*i];
                        let sha = sha256_hex(json.as_bytes());
                        refs.push((number.clone(), id.clone(), sha.clone()));
                        history.push((number.clone(), "created", sha, json.clone()));
                        results[*i] = Some(DocResult {
                            number: number.clone(),
                            status: "created".into(),
                            id: Some(id),
                            problems: Vec::new(),
                        });
                    }
                    remember_all(p.pool, label, &refs, p.now)
                        .await
                        .map_err(ApiError::internal)?;
                }
                Err((code, reason)) => {
                    for i in written {
                        results[i] = Some(DocResult {
                            number: rows[i].0.clone(),
                            status: "refused".into(),
                            id: None,
                            problems: vec![FieldProblem {
                                field: String::new(),
                                code: code.clone(),
                                message: format!(
                                    "the batch's new documents were not written: {reason}"
                                ),
                            }],
                        });
                    }
                }
            }
        }
    }
    // Ledger documents posted with changes: amendments, one at a time.
    for (i, old) in amended {
        let (number, json, _) = &rows[i];
        let sha = sha256_hex(json.as_bytes());
        // The next version: after those recorded, and after any number an amendment stopped
        // half way left taken.
        let mut version = versions_of(p.pool, label, number)
            .await
            .map_err(ApiError::internal)?
            + 1;
        let renumbered = matches!(docs.kind(), Kind::Invoices | Kind::CreditNotes);
        if renumbered {
            let book = p.book.borrow();
            let taken = |v: usize| {
                creditdesk_domain::DocNo::parse(&format!("{number}~{v}")).is_ok_and(|n| {
                    if docs.kind() == Kind::Invoices {
                        book.ledger.invoice_number_taken(&n)
                    } else {
                        book.ledger.credit_note_number_taken(&n)
                    }
                })
            };
            while taken(version) {
                version += 1;
            }
        }
        let renumber = renumbered.then(|| format!("{number}~{version}"));
        let fields = cells(i, renumber.as_deref());
        let outcome = amend(&p, docs.kind(), number, &old, fields, version, &run).await;
        results[i] = Some(match outcome {
            // Written another way, or a new version: the number now names that record.
            Ok(done) => {
                let (id, status) = match done {
                    Amended::Same(id) => (id, "unchanged"),
                    Amended::New(id) => (id, "amended"),
                };
                remember_all(
                    p.pool,
                    label,
                    &[(number.clone(), id.clone(), sha.clone())],
                    p.now,
                )
                .await
                .map_err(ApiError::internal)?;
                if status == "amended" {
                    history.push((number.clone(), "amended", sha, json.clone()));
                }
                DocResult {
                    number: number.clone(),
                    status: status.into(),
                    id: Some(id),
                    problems: Vec::new(),
                }
            }
            Err(problems) => {
                history.push((number.clone(), "refused-amendment", sha, json.clone()));
                DocResult {
                    number: number.clone(),
                    status: "refused".into(),
                    id: Some(old),
                    problems,
                }
            }
        });
    }
    // Customers posted with changes: updated as a person would edit them, audited.
    if let Docs::Customers(list) = &docs {
        for (i, id) in changed {
            let c = &list[i];
            let existing =
                CustomerId::parse(&id).and_then(|cid| p.book.borrow().customer(cid).cloned());
            let Some(existing) = existing else {
                results[i] = Some(DocResult {
                    number: c.code.clone(),
                    status: "refused".into(),
                    id: Some(id.clone()),
                    problems: vec![FieldProblem {
                        field: String::new(),
                        code: "ERP-GONE".into(),
                        message: "the customer this code named is gone".into(),
                    }],
                });
                continue;
            };
            let mut input = creditdesk_domain::CustomerInput::from_customer(&existing);
            // The ERP sends no custom fields: the customer's stay as they are (and a field made
            // required since does not stop the ERP's update).
            input.custom = None;
            input.name = c.name.clone();
            // The ERP may name the rep by name or by id, as a CSV file may.
            input.sales_rep =
                creditdesk_domain::import::user_named(&p.book.borrow().users, &c.sales_rep)
                    .unwrap_or_else(|_| c.sales_rep.clone());
            input.region = c.region.clone();
            input.industry = c.industry.clone();
            input.first_cooperation = c.first_cooperation.clone();
            // A field hidden from the key's user would be kept as saved: refuse the update
            // rather than answer "updated" with the ERP's value dropped.
            let hidden = {
                let b = p.book.borrow();
                creditdesk_domain::access::hidden(&b.fields, p.caller, &b.policy.profile_editors)
            };
            let kept: Vec<FieldProblem> = [
                ("uscc", &c.uscc),
                ("contact_person", &c.contact_person),
                ("phone", &c.phone),
                ("email", &c.email),
                ("address", &c.address),
            ]
            .into_iter()
            .filter(|(f, v)| v.is_some() && hidden.iter().any(|h| h == f))
            .map(|(f, _)| FieldProblem {
                field: f.to_string(),
                code: "ERP-HIDDEN".into(),
                message: format!(
                    "{f} is hidden from the key's user ({}): give the key to a user who sees it",
                    p.caller.id
                ),
            })
            .collect();
            if !kept.is_empty() {
                results[i] = Some(DocResult {
                    number: c.code.clone(),
                    status: "refused".into(),
                    id: Some(id.clone()),
                    problems: kept,
                });
                continue;
            }
            for (field, v) in [
                (&mut input.uscc, &c.uscc),
                (&mut input.contact_person, &c.contact_person),
                (&mut input.phone, &c.phone),
                (&mut input.email, &c.email),
                (&mut input.address, &c.address),
            ] {
                if let Some(v) = v {
                    *field = v.clone();
                }
            }
            let json = rows[i].1.clone();
            let sha = sha256_hex(json.as_bytes());
            let command = Command::SaveCustomer {
                id: existing.id,
                create: false,
                input,
                why: format!("updated by the ERP (key {})", p.key),
            };
            results[i] = Some(match run(command).await {
                Ok(()) => {
                    remember_all(
                        p.pool,
                        label,
                        &[(c.code.clone(), id.clone(), sha.clone())],
                        p.now,
                    )
                    .await
                    .map_err(ApiError::internal)?;
                    history.push((c.code.clone(), "updated", sha, json));
                    DocResult {
                        number: c.code.clone(),
                        status: if linked.contains(&i) {
                            "linked"
                        } else {
                            "updated"
                        }
                        .into(),
                        id: Some(id),
                        problems: Vec::new(),
                    }
                }
                Err((code, reason)) => DocResult {
                    number: c.code.clone(),
                    status: "refused".into(),
                    id: Some(id),
                    problems: vec![FieldProblem {
                        field: String::new(),
                        code,
                        message: reason,
                    }],
                },
            });
        }
    }
    if !history.is_empty() {
        let mut tx = p.pool.begin().await.map_err(ApiError::internal)?;
        crate::store::insert_many(
            &mut tx,
            "INSERT INTO erp_history (kind, number, at, key_id, outcome, sha256, body)",
            7,
            "",
            &history,
            |q, (number, outcome, sha, body)| {
                q.bind(label.to_string())
                    .bind(number.clone())
                    .bind(p.now)
                    .bind(p.key.to_string())
                    .bind(outcome.to_string())
                    .bind(sha.clone())
                    .bind(body.clone())
            },
        )
        .await
        .map_err(ApiError::internal)?;
        tx.commit().await.map_err(ApiError::internal)?;
    }
    let results: Vec<DocResult> = results
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| DocResult {
                number: rows[i].0.clone(),
                status: "refused".into(),
                id: None,
                problems: Vec::new(),
            })
        })
        .collect();
    let count = |s: &str| results.iter().filter(|r| r.status == s).count();
    Ok(BatchResult {
        created: count("created"),
        linked: count("linked"),
        updated: count("updated"),
        amended: count("amended"),
        unchanged: count("unchanged"),
        refused: count("refused"),
        results,
    })
}

/// Import rows of `kind` (their fields as `(key, value)`), as a table with a column per key and
/// its mapping, numbered as a file's rows are (from line 2).
fn table_of(kind: Kind, keys: &[FieldKey], docs: &[Vec<(FieldKey, String)>]) -> (Table, Mapping) {
    let table = Table {
        headers: keys.iter().map(|k| k.key().to_string()).collect(),
        rows: docs
            .iter()
            .map(|fields| {
                keys.iter()
                    .map(|k| {
                        fields
                            .iter()
                            .find(|(f, _)| f == k)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect(),
        line_of_row: (0..docs.len() as u64).map(|r| r + 2).collect(),
        header_line: 1,
    };
    let mapping = Mapping {
        kind,
        columns: keys.iter().map(|k| Some(*k)).collect(),
        date_format: Default::default(),
        custom: Default::default(),
        without_custom: true,
    };
    (table, mapping)
}

/// How many versions of an ERP document CreditDesk recorded (the first, and each amendment).
async fn versions_of(pool: &AnyPool, kind: &str, number: &str) -> Result<usize, String> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) FROM erp_history WHERE kind = $1 AND number = $2 AND outcome IN ('created', 'amended')",
    )
    .bind(kind.to_string())
    .bind(number.to_string())
    .fetch_one(pool)
    .await
    .map_err(|e| e.to_string())?
    .get(0);
    Ok((n as usize).max(1))
}

fn problem(field: &str, code: &str, message: String) -> Vec<FieldProblem> {
    vec![FieldProblem {
        field: field.into(),
        code: code.into(),
        message,
    }]
}

/// What an amendment came to.
enum Amended {
    /// The new version was recorded: its id.
    New(String),
    /// The document posted is what CreditDesk has, written another way (`"100"` for
    /// `"100.00"`): nothing to amend.
    Same(String),
}

/// Amends a ledger document: voids the version CreditDesk has (`old`, its id) and records the
/// new one from `fields` (an invoice or credit note already renumbered as version `version`).
/// What settles an amended invoice moves onto the new version; an amended payment or credit
/// note is recorded unapplied (on account) and applied from today, so that it may take what the
/// voided one held (a void frees it from today, not from the old document's date). Every step is
/// tried on the customer's ledger first; what cannot be made is refused with why and changes
/// nothing.
async fn amend<F, Fut>(
    p: &Posting<'_>,
    kind: Kind,
    number: &str,
    old: &str,
    fields: Vec<(FieldKey, String)>,
    version: usize,
    run: &F,
) -> Result<Amended, Vec<FieldProblem>>
where
    F: Fn(Command) -> Fut,
    Fut: std::future::Future<Output = Result<(), (String, String)>>,
{
    use creditdesk_domain::ledger::Doc;
    use creditdesk_domain::{
        Allocation, Correction, CorrectionId, CreditNoteId, Fix, InvoiceId, Meta, PaymentId,
    };
    let label = match kind {
        Kind::Invoices => "invoice",
        Kind::Payments => "payment",
        _ => "credit note",
    };
    if !p
        .caller
        .may(creditdesk_domain::approval::Permission::CorrectLedger)
    {
        return Err(problem(
            "",
            "ERP-AMENDMENT",
            format!("{label} {number} was posted before with other values; amending it voids the earlier version, which the key's user ({}) may not do: give the key a finance user", p.caller.id),
        ));
    }
    let reason: String = format!(
        "amended by the ERP (key {}): {number}, version {version}",
        p.key
    )
    .chars()
    .take(Correction::REASON_MAX)
    .collect();
    let new_id = || CorrectionId::from_u128(uuid::Uuid::new_v4().as_u128());
    let gone = || {
        problem(
            "",
            "ERP-GONE",
            format!("the {label} {number} that CreditDesk recorded is not in its ledger any more"),
        )
    };
    // What CreditDesk has: the document and its customer.
    let (customer, doc) = {
        let book = p.book.borrow();
        let l = &book.ledger;
        match kind {
            Kind::Invoices => InvoiceId::parse(old)
                .and_then(|id| l.invoice(id))
                .map(|x| (x.customer, Doc::Invoice(x.id))),
            Kind::Payments => PaymentId::parse(old)
                .and_then(|id| l.payment(id))
                .map(|x| (x.customer, Doc::Payment(x.id))),
            _ => CreditNoteId::parse(old).and_then(|id| {
                l.credit_notes()
                    .iter()
                    .find(|x| x.id == id)
                    .map(|x| (x.customer, Doc::CreditNote(x.id)))
            }),
        }
        .ok_or_else(gone)?
    };
    let void_fix = match doc {
        Doc::Invoice(invoice) => Fix::VoidInvoice { invoice },
        Doc::Payment(payment) => Fix::VoidPayment { payment },
        Doc::CreditNote(credit_note) => Fix::VoidCreditNote { credit_note },
    };
    // Try it all on the customer's ledger; `steps` are the commands that make it.
    let (steps, new) = {
        let book = p.book.borrow();
        let as_of = book.as_of;
        let meta = Meta::new(book.device, creditdesk_domain::Timestamp(p.now));
        let correction = |fix: Fix| Correction {
            id: new_id(),
            meta,
            customer,
            date: as_of,
            fix,
            reason: reason.clone(),
        };
        let correct = |fix: Fix| Command::Correct {
            id: new_id(),
            customer,
            fix,
            reason: reason.clone(),
        };
        let mut mine = book.ledger.of_customer(customer);
        // A person may have voided it already: then there is nothing to void.
        let void = mine.void_of(customer, doc).is_none().then_some(void_fix);
        if let Some((_, n)) = fields.iter().find(|(k, _)| *k == FieldKey::Number) {
            if creditdesk_domain::DocNo::parse(n).is_err() {
                return Err(problem(
                    "number",
                    "ERP-AMENDMENT",
                    format!("{label} {number}'s new version would be numbered {n}, which is too long: amend it under a shorter number"),
                ));
            }
        }
        if let Doc::Invoice(was) = doc {
            let disputed = book
                .customer(customer)
                .is_some_and(|c| c.disputes.iter().any(|d| d.invoice == was && d.is_open()));
            if disputed {
                return Err(problem(
                    "",
                    "ERP-AMENDMENT",
                    format!("invoice {number} has an open dispute in CreditDesk: resolve it before the invoice is amended"),
                ));
            }
        }
        let keys: Vec<FieldKey> = fields.iter().map(|(k, _)| *k).collect();
        let (table, mapping) = table_of(kind, &keys, std::slice::from_ref(&fields));
        let mut id = || uuid::Uuid::new_v4().as_u128();
        // Checked as an import row, against the ledger without the old version's settlements.
        let mut freed = mine.clone();
        if kind != Kind::Invoices {
            if let Some(v) = &void {
                freed.add_correction(correction(v.clone())).map_err(|e| {
                    problem(
                        "",
                        "ERP-AMENDMENT",
                        format!("{label} {number} cannot be voided: {e:?}"),
                    )
                })?;
            }
        }
        let plan = creditdesk_app::imports::check_rows_against(
            &book,
            &freed,
            p.caller,
            kind,
            &table,
            &mapping,
            creditdesk_domain::Timestamp(p.now),
            &mut id,
        );
        if !plan.problems.is_empty() || plan.records.is_empty() {
            return Err(plan
                .problems
                .iter()
                .map(|prob| FieldProblem {
                    field: prob.field.map(|f| f.key().to_string()).unwrap_or_default(),
                    code: prob.problem.code().to_string(),
                    message: prob.problem.to_string(),
                })
                .collect());
        }
        let mut records = plan.records;
        let refused = |e: creditdesk_domain::LedgerError| {
            problem(
                "amount",
                "ERP-AMENDMENT",
                format!("{label} {number}'s new version cannot be recorded as it stands ({e:?})"),
            )
        };
        let mut steps = Vec::new();
        let new;
        match doc {
            Doc::Invoice(was) => {
                let inv = records.invoices[0];
                let old = mine.customer_invoice(customer, was).ok_or_else(gone)?;
                let same = (old.customer, old.issue_date, old.due_date, old.amount)
                    == (inv.customer, inv.issue_date, inv.due_date, inv.amount);
                if same && void.is_some() {
                    return Ok(Amended::Same(old.id.to_string()));
                }
                // What settles the old version moves onto the new one, then the old goes.
                let onto = |a: &[Allocation]| {
                    a.iter()
                        .map(|a| Allocation {
                            invoice: if a.invoice == was { inv.id } else { a.invoice },
                            amount: a.amount,
                        })
                        .collect::<Vec<_>>()
                };
                let mut moves = Vec::new();
                for pay in mine.customer_payments(customer) {
                    let now = mine.allocations_now(customer, pay.id);
                    if now.iter().any(|a| a.invoice == was) {
                        moves.push(Fix::Reallocate {
                            payment: pay.id,
                            allocations: onto(&now),
                        });
                    }
                }
                for c in mine.customer_credit_notes(customer) {
                    let now = mine.credit_allocations_now(customer, c.id);
                    if now.iter().any(|a| a.invoice == was) {
                        moves.push(Fix::ApplyCreditNote {
                            credit_note: c.id,
                            allocations: onto(&now),
                        });
                    }
                }
                if !moves.is_empty() && inv.customer != customer {
                    return Err(problem(
                        "customer",
                        "ERP-AMENDMENT",
                        format!("invoice {number} is settled by payments or credit notes of its customer: it cannot move to another customer"),
                    ));
                }
                mine.add_invoice(inv).map_err(refused)?;
                for fix in &moves {
                    mine.add_correction(correction(fix.clone())).map_err(|e| {
                        problem(
                            "amount",
                            "ERP-AMENDMENT",
                            format!("invoice {number} is settled by payments or credit notes that its new version cannot take ({e:?}): reverse them in CreditDesk first"),
                        )
                    })?;
                }
                if let Some(v) = &void {
                    mine.add_correction(correction(v.clone()))
                        .map_err(refused)?;
                }
                new = inv.id.to_string();
                steps.push(import_of(p, kind, number, records));
                steps.extend(moves.into_iter().map(correct));
                steps.extend(void.map(correct));
            }
            Doc::Payment(was) => {
                let pay = &mut records.payments[0];
                let old = mine
                    .customer_payments(customer)
                    .into_iter()
                    .find(|x| x.id == was)
                    .ok_or_else(gone)?;
                let held = mine.allocations_now(customer, was);
                let same = (old.customer, old.date, old.amount, old.reference)
                    == (pay.customer, pay.date, pay.amount, pay.reference)
                    && held == pay.allocations;
                if same && void.is_some() {
                    return Ok(Amended::Same(old.id.to_string()));
                }
                // Recorded unapplied, and applied from today.
                let allocations = std::mem::take(&mut pay.allocations);
                let apply = Fix::Reallocate {
                    payment: pay.id,
                    allocations,
                };
                if let Some(v) = &void {
                    mine.add_correction(correction(v.clone()))
                        .map_err(refused)?;
                }
                mine.add_payment(pay.clone()).map_err(refused)?;
                mine.add_correction(correction(apply.clone()))
                    .map_err(refused)?;
                new = pay.id.to_string();
                steps.extend(void.map(correct));
                steps.push(import_of(p, kind, number, records));
                steps.push(correct(apply));
            }
            Doc::CreditNote(was) => {
                let cn = &mut records.credit_notes[0];
                let old = mine
                    .customer_credit_notes(customer)
                    .into_iter()
                    .find(|x| x.id == was)
                    .copied()
                    .ok_or_else(gone)?;
                let same = (old.customer, old.date, old.amount, old.invoice)
                    == (cn.customer, cn.date, cn.amount, cn.invoice);
                if same && void.is_some() {
                    return Ok(Amended::Same(old.id.to_string()));
                }
                // Recorded on account, and applied from today.
                let allocations = cn
                    .invoice
                    .take()
                    .map(|invoice| Allocation {
                        invoice,
                        amount: cn.amount,
                    })
                    .into_iter()
                    .collect();
                let apply = Fix::ApplyCreditNote {
                    credit_note: cn.id,
                    allocations,
                };
                if let Some(v) = &void {
                    mine.add_correction(correction(v.clone()))
                        .map_err(refused)?;
                }
                mine.add_credit_note(*cn).map_err(refused)?;
                mine.add_correction(correction(apply.clone()))
                    .map_err(refused)?;
                new = cn.id.to_string();
                steps.extend(void.map(correct));
                steps.push(import_of(p, kind, number, records));
                steps.push(correct(apply));
            }
        }
        (steps, new)
    };
    // Made as tried. Each step is a command of its own: only a change made by someone else
    // between them could stop one, and the refusal says which.
    for (k, step) in steps.into_iter().enumerate() {
        if let Err((code, why)) = run(step).await {
            return Err(problem(
                "",
                &code,
                format!("{label} {number}: step {} of the amendment was refused ({why}); the steps before it were made", k + 1),
            ));
        }
    }
    Ok(Amended::New(new))
}

/// The command that writes an amendment's new version.
fn import_of(
    p: &Posting<'_>,
    kind: Kind,
    number: &str,
    records: creditdesk_domain::import::Records,
) -> Command {
    Command::ImportBatch {
        kind,
        file: format!("ERP API, key {}: {number} amended", p.key),
        rows_total: 1,
        skipped: 0,
        records,
        blocked: creditdesk_app::imports::Blocked::Refuse,
    }
}

/// The customer CreditDesk already has for the `i`th of a batch of customers: the one with its
/// USCC, else the only one of its name.
fn existing_customer(book: &Book, docs: &Docs, i: usize) -> Option<CustomerId> {
    let Docs::Customers(list) = docs else {
        return None;
    };
    let c = &list[i];
    if let Some(u) = c
        .uscc
        .as_deref()
        .and_then(|u| creditdesk_domain::party::Uscc::parse(u.trim()).ok())
    {
        if let Some(found) = book.customers.iter().find(|x| x.uscc == Some(u)) {
            return Some(found.id);
        }
    }
    let mut named = book.customers.iter().filter(|x| x.name == c.name.trim());
    match (named.next(), named.next()) {
        (Some(one), None) => Some(one.id),
        _ => None,
    }
}

/// Remembers many numbers in one transaction: (number, id, sha256).
async fn remember_all(
    pool: &AnyPool,
    kind: &str,
    refs: &[(String, String, String)],
    now: i64,
) -> Result<(), String> {
    // One row per number (the last one wins): a statement may not upsert a row twice.
    let mut last = std::collections::HashMap::new();
    for (i, (number, _, _)) in refs.iter().enumerate() {
        last.insert(number.as_str(), i);
    }
    let rows: Vec<&(String, String, String)> = refs
        .iter()
        .enumerate()
        .filter(|(i, (number, _, _))| last[number.as_str()] == *i)
        .map(|(_, r)| r)
        .collect();
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    crate::store::insert_many(
        &mut tx,
        "INSERT INTO erp_refs (kind, number, id, sha256, at)",
        5,
        "ON CONFLICT (kind, number) DO UPDATE SET id = excluded.id, sha256 = excluded.sha256, at = excluded.at",
        &rows,
        |q, (number, id, sha)| {
            q.bind(kind.to_string())
                .bind(number.clone())
                .bind(id.clone())
                .bind(sha.clone())
                .bind(now)
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    // PostgreSQL plans the next batch's lookup (`known`) by the table's statistics, which
    // autovacuum refreshes only now and then: planned as when the table was small, each lookup
    // reads the whole table. A large batch brings them up to date at once (tens of ms).
    if rows.len() >= 1_000
        && pool
            .connect_options()
            .database_url
            .scheme()
            .starts_with("postgres")
    {
        sqlx::query("ANALYZE erp_refs")
            .execute(pool)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The CreditDesk id of an ERP customer code.
pub async fn customer_of(pool: &AnyPool, code: &str) -> Result<Option<CustomerId>, String> {
    let row = sqlx::query("SELECT id FROM erp_refs WHERE kind = 'customer' AND number = $1")
        .bind(code.to_string())
        .fetch_optional(pool)
        .await
        .map_err(|e| e.to_string())?;
    Ok(row.and_then(|r| CustomerId::parse(&r.get::<String, _>(0))))
}

// ---- The credit check and the customer's position ----

/// An order the ERP is about to save.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckRequest {
    /// The ERP's customer code.
    #[schema(example = "C001")]
    pub customer: String,
    /// The order's amount in yuan, a decimal string (`"50000.00"`) below one trillion; 0 asks
    /// what is available.
    #[schema(pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$", example = "50000.00")]
    pub amount: String,
    /// Paid before delivery: it uses no credit.
    #[serde(default)]
    pub prepaid: bool,
}

/// Why the check did not simply pass, or what would make it pass.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Because {
    /// A stable code: `frozen`, `no_limit`, `cash_before_delivery`, `over_limit`,
    /// `over_hold_share`, `over_warn_share`, `overdue`, `limit_expired`, `review_due`; for
    /// remedies `pay`, `order_at_most`, `temporary_increase`, `first_limit`, `pay_overdue`,
    /// `prepay`, `unfreeze`.
    pub code: String,
    /// The amount it names, in yuan, when it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    pub text: String,
}

/// The credit check's answer.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckAnswer {
    /// `pass`, `warn` (the order may be saved; someone should look) or `block`.
    pub outcome: String,
    pub reasons: Vec<Because>,
    pub remedies: Vec<Because>,
    pub limit: String,
    pub exposure: String,
    pub available: String,
    /// Utilisation after the order, in percent with two decimals; none without a limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_after_percent: Option<String>,
    /// How long the check took at the server, in microseconds.
    pub micros: u64,
}

/// The check of an order of `amount` for a customer, on the book as it is.
pub fn check(book: &Book, id: CustomerId, amount: Money, prepaid: bool) -> Option<CheckAnswer> {
    use creditdesk_domain::credit::{Outcome, Reason, Remedy};
    let t = std::time::Instant::now();
    let r = book.check_order(id, amount, prepaid)?;
    let y = |m: Money| m.to_plain();
    let because = |code: &str, amount: Option<Money>, text: String| Because {
        code: code.into(),
        amount: amount.map(y),
        text,
    };
    let reasons = r
        .reasons
        .iter()
        .map(|x| match *x {
            Reason::Frozen => because(x.code(), None, "the customer's credit is frozen".into()),
            Reason::NoLimit => because(
                x.code(),
                None,
                "the customer has no credit limit yet".into(),
            ),
            Reason::CashBeforeDelivery => because(
                x.code(),
                None,
                "the customer's grade settles cash before delivery".into(),
            ),
            Reason::OverLimit { by } => because(
                x.code(),
                Some(by),
                format!(
                    "the order takes exposure over the limit by {}",
                    by.format_cny()
                ),
            ),
            Reason::OverHoldShare { used_bp } => because(
                x.code(),
                None,
                format!(
                    "utilisation after the order would be {}.{:02}%, over the hold share",
                    used_bp / 100,
                    used_bp % 100
                ),
            ),
            Reason::OverWarnShare { used_bp } => because(
                x.code(),
                None,
                format!(
                    "utilisation after the order would be {}.{:02}%, over the warning share",
                    used_bp / 100,
                    used_bp % 100
                ),
            ),
            Reason::Overdue { amount, days } => because(
                x.code(),
                Some(amount),
                format!(
                    "{} is overdue, the oldest by {days} days",
                    amount.format_cny()
                ),
            ),
            Reason::LimitExpired { on } => {
                because(x.code(), None, format!("the limit expired on {}", on.iso()))
            }
            Reason::ReviewDue { on } => because(
                x.code(),
                None,
                format!("the limit's review was due on {}", on.iso()),
            ),
            // The server's book holds every limit: only a device's copy leaves one unchecked.
            Reason::LimitUnchecked => {
                because(x.code(), None, "the limit is left to the server".into())
            }
            Reason::HiddenLimit => because(
                x.code(),
                None,
                "the order does not fit the credit limit".into(),
            ),
        })
        .collect();
    let remedies = r
        .remedies
        .iter()
        .map(|x| match *x {
            Remedy::Pay(m) => because(
                "pay",
                Some(m),
                format!("a payment of {} lets the order pass", m.format_cny()),
            ),
            Remedy::OrderAtMost(m) => because(
                "order_at_most",
                Some(m),
                format!("an order of at most {} passes today", m.format_cny()),
            ),
            Remedy::TemporaryIncrease(m) => because(
                "temporary_increase",
                Some(m),
                format!("a temporary increase of {} lets it pass", m.format_cny()),
            ),
            Remedy::PayOverdue(m) => because(
                "pay_overdue",
                Some(m),
                format!(
                    "paying the {} overdue lifts the overdue block",
                    m.format_cny()
                ),
            ),
            Remedy::Prepay => because(
                "prepay",
                None,
                "paid before delivery, the order passes".into(),
            ),
            Remedy::Unfreeze => because(
                "unfreeze",
                None,
                "only an approved unfreeze request helps".into(),
            ),
            Remedy::FirstLimit(m) => because(
                "first_limit",
                Some(m),
                format!(
                    "an approved first limit of {} lets the order pass",
                    m.format_cny()
                ),
            ),
        })
        .collect();
    Some(CheckAnswer {
        outcome: match r.outcome {
            Outcome::Pass => "pass",
            Outcome::Warn => "warn",
            Outcome::Block => "block",
        }
        .into(),
        reasons,
        remedies,
        limit: y(r.limit),
        exposure: y(r.exposure),
        available: y(r.available),
        used_after_percent: r
            .used_after_bp
            .map(|bp| format!("{}.{:02}", bp / 100, (bp % 100).abs())),
        micros: t.elapsed().as_micros() as u64,
    })
}

/// A customer's credit position.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Position {
    pub code: String,
    pub id: String,
    pub name: String,
    /// `AAA`, `AA`, `A`, `B` or `C`.
    pub grade: String,
    pub limit: String,
    pub exposure: String,
    pub available: String,
    pub open_receivables: String,
    pub overdue: String,
    pub frozen: bool,
    /// Ordering is held by a warning rule (an order is then blocked).
    pub held: bool,
}

pub fn position(book: &Book, code: &str, id: CustomerId) -> Option<Position> {
    let c = book.customer(id)?;
    let s = book.summary(id);
    let input = book.check_input(id)?;
    let limit = c.limits.effective(book.as_of);
    let exposure = input.exposure.total(&book.policy);
    Some(Position {
        code: code.into(),
        id: id.to_string(),
        name: c.name.clone(),
        grade: book.grade(id).to_string(),
        limit: limit.to_plain(),
        exposure: exposure.to_plain(),
        available: (limit - exposure).max(Money::ZERO).to_plain(),
        open_receivables: s.open_ar.to_plain(),
        overdue: s.overdue.to_plain(),
        frozen: c.limits.frozen,
        held: book.monitor.holds.get(&id).is_some_and(|h| !h.is_empty()),
    })
}

// ---- The routes ----

/// A JSON body; one that does not read as the document says is refused with `ERP-JSON` and why,
/// as JSON like every other refusal.
pub struct ErpJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ErpJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ErpJson(v)),
            Err(e) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "ERP-JSON",
                e.body_text(),
            )),
        }
    }
}

/// A refusal of the whole call.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ErpError {
    pub code: String,
    pub message: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "CreditDesk ERP API",
        version = "1",
        description = "Post customers and receivables from an ERP, ask the order-time credit check, read a customer's credit position. Every call needs an API key (Authorization: Bearer cdk_…) that an administrator creates; amounts are decimal strings in yuan."
    ),
    paths(post_customers, post_invoices, post_payments, post_credit_notes, credit_check, get_position),
    components(schemas(ErpCustomer, ErpInvoice, ErpPayment, ErpCreditNote, Batch<ErpCustomer>, Batch<ErpInvoice>, Batch<ErpPayment>, Batch<ErpCreditNote>, BatchResult, DocResult, FieldProblem, CheckRequest, CheckAnswer, Because, Position, ErpError)),
    modifiers(&KeyAuth),
    security(("api_key" = []))
)]
pub struct ErpApi;

struct KeyAuth;

impl utoipa::Modify for KeyAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("cdk_<id>_<secret>")
                    .build(),
            ),
        );
    }
}

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/api/erp/v1/customers", post(post_customers))
        .route("/api/erp/v1/invoices", post(post_invoices))
        .route("/api/erp/v1/payments", post(post_payments))
        .route("/api/erp/v1/credit-notes", post(post_credit_notes))
        .route("/api/erp/v1/credit-check", post(credit_check))
        .route("/api/erp/v1/customers/{code}", get(get_position))
        .route("/api/erp/v1/openapi.json", get(openapi))
        .layer(axum::extract::DefaultBodyLimit::max(32 << 20))
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ErpApi::openapi())
}

async fn post_docs(s: &Shared, caller: Caller, docs: Docs) -> Result<Json<BatchResult>, ApiError> {
    caller.may("ledger")?;
    s.engine.erp_post(caller, docs).await.map(Json)
}

/// Creates or updates customers by their ERP code.
#[utoipa::path(post, path = "/api/erp/v1/customers", request_body = Batch<ErpCustomer>,
    responses((status = 200, body = BatchResult), (status = 400, body = ErpError), (status = 401, body = ErpError), (status = 403, body = ErpError), (status = 413, body = ErpError)))]
async fn post_customers(
    State(s): State<Shared>,
    caller: Caller,
    ErpJson(b): ErpJson<Batch<ErpCustomer>>,
) -> Result<Json<BatchResult>, ApiError> {
    post_docs(&s, caller, Docs::Customers(b.documents)).await
}

/// Posts invoices by their ERP number (the same one twice changes nothing).
#[utoipa::path(post, path = "/api/erp/v1/invoices", request_body = Batch<ErpInvoice>,
    responses((status = 200, body = BatchResult), (status = 400, body = ErpError), (status = 401, body = ErpError), (status = 403, body = ErpError), (status = 413, body = ErpError)))]
async fn post_invoices(
    State(s): State<Shared>,
    caller: Caller,
    ErpJson(b): ErpJson<Batch<ErpInvoice>>,
) -> Result<Json<BatchResult>, ApiError> {
    post_docs(&s, caller, Docs::Invoices(b.documents)).await
}

/// Posts payments by their ERP number.
#[utoipa::path(post, path = "/api/erp/v1/payments", request_body = Batch<ErpPayment>,
    responses((status = 200, body = BatchResult), (status = 400, body = ErpError), (status = 401, body = ErpError), (status = 403, body = ErpError), (status = 413, body = ErpError)))]
async fn post_payments(
    State(s): State<Shared>,
    caller: Caller,
    ErpJson(b): ErpJson<Batch<ErpPayment>>,
) -> Result<Json<BatchResult>, ApiError> {
    post_docs(&s, caller, Docs::Payments(b.documents)).await
}

/// Posts credit notes by their ERP number.
#[utoipa::path(post, path = "/api/erp/v1/credit-notes", request_body = Batch<ErpCreditNote>,
    responses((status = 200, body = BatchResult), (status = 400, body = ErpError), (status = 401, body = ErpError), (status = 403, body = ErpError), (status = 413, body = ErpError)))]
async fn post_credit_notes(
    State(s): State<Shared>,
    caller: Caller,
    ErpJson(b): ErpJson<Batch<ErpCreditNote>>,
) -> Result<Json<BatchResult>, ApiError> {
    post_docs(&s, caller, Docs::CreditNotes(b.documents)).await
}

/// The order-time credit check: pass, warn or block, with every reason and remedy.
#[utoipa::path(post, path = "/api/erp/v1/credit-check", request_body = CheckRequest,
    responses((status = 200, body = CheckAnswer), (status = 400, body = ErpError), (status = 401, body = ErpError), (status = 403, body = ErpError), (status = 404, body = ErpError)))]
async fn credit_check(
    State(s): State<Shared>,
    caller: Caller,
    ErpJson(b): ErpJson<CheckRequest>,
) -> Result<Json<CheckAnswer>, ApiError> {
    caller.may("check")?;
    let amount = Money::parse(&b.amount)
        .ok()
        .filter(|m| *m >= Money::ZERO)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "ERP-AMOUNT",
                format!(
                    "amount: {:?} is not an amount in yuan (0 or more, at most two decimals)",
                    b.amount
                ),
            )
        })?;
    let id = find(&s, &b.customer).await?;
    s.engine
        .erp_check(caller.user, id, amount, b.prepaid)
        .await
        .map_err(ApiError::internal)?
        .map(Json)
        .ok_or_else(|| not_yours(&b.customer))
}

/// A customer's credit position: grade, limit, exposure, what is available, overdue, holds.
#[utoipa::path(get, path = "/api/erp/v1/customers/{code}", params(("code" = String, Path, description = "the ERP's customer code", example = "C001")),
    responses((status = 200, body = Position), (status = 401, body = ErpError), (status = 403, body = ErpError), (status = 404, body = ErpError)))]
async fn get_position(
    State(s): State<Shared>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<Position>, ApiError> {
    caller.may("read")?;
    let id = find(&s, &code).await?;
    s.engine
        .erp_position(caller.user, code.clone(), id)
        .await
        .map_err(ApiError::internal)?
        .map(Json)
        .ok_or_else(|| not_yours(&code))
}

fn not_yours(code: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "ERP-UNKNOWN-CUSTOMER",
        format!("no customer with the ERP code {code:?} that this key's user sees"),
    )
}

async fn find(s: &Shared, code: &str) -> Result<CustomerId, ApiError> {
    customer_of(&s.pool, code)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| not_yours(code))
}

// ---- Outgoing webhooks ----

/// The events an ERP may subscribe to: audit entries of these kinds.
pub const EVENTS: [&str; 4] = [
    "hold.set",
    "hold.released",
    "limits.changed",
    "limit.temporary_ended",
];

/// A subscription as the administrator lists it (never its secret).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Hook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_by: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct HookRequest {
    pub url: String,
    pub events: Vec<String>,
}

/// A new subscription with the secret its posts are signed with, shown once.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewHook {
    pub hook: Hook,
    pub secret: String,
}

pub async fn create_hook(
    pool: &AnyPool,
    req: &HookRequest,
    by: &str,
    now: i64,
) -> Result<NewHook, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "SRV-ERP-HOOK", m);
    let rest = req
        .url
        .strip_prefix("https://")
        .or_else(|| req.url.strip_prefix("http://"));
    if rest.is_none_or(|r| r.is_empty() || r.starts_with('/') || r.contains(' ')) {
        return Err(bad(format!("url: {:?} is not an http(s) URL", req.url)));
    }
    if req.events.is_empty() {
        return Err(bad(format!(
            "events: name at least one of {}",
            EVENTS.join(", ")
        )));
    }
    if let Some(e) = req.events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
        return Err(bad(format!(
            "events: {e:?} is not one of {}",
            EVENTS.join(", ")
        )));
    }
    let id = format!("h{}", random_hex(6));
    let secret = random_hex(32);
    sqlx::query(
        "INSERT INTO erp_hooks (id, url, secret, events, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.clone())
    .bind(req.url.clone())
    .bind(secret.clone())
    .bind(req.events.join(","))
    .bind(by.to_string())
    .bind(now)
    .execute(pool)
    .await
    .map_err(ApiError::internal)?;
    Ok(NewHook {
        hook: Hook {
            id,
            url: req.url.clone(),
            events: req.events.clone(),
            created_by: by.into(),
            created_at: now,
            revoked_at: None,
        },
        secret,
    })
}

pub async fn list_hooks(pool: &AnyPool) -> Result<Vec<Hook>, String> {
    let rows = sqlx::query(
        "SELECT id, url, events, created_by, created_at, revoked_at FROM erp_hooks ORDER BY created_at, id",
    )
    .fetch_all(pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok(rows
        .iter()
        .map(|r| Hook {
            id: r.get(0),
            url: r.get(1),
            events: r
                .get::<String, _>(2)
                .split(',')
                .map(str::to_string)
                .collect(),
            created_by: r.get(3),
            created_at: r.get(4),
            revoked_at: r.get(5),
        })
        .collect())
}

pub async fn revoke_hook(pool: &AnyPool, id: &str, now: i64) -> Result<bool, String> {
    let done =
        sqlx::query("UPDATE erp_hooks SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id.to_string())
            .execute(pool)
            .await
            .map_err(|e| e.to_string())?;
    Ok(done.rows_affected() == 1)
}

/// A hook's URL and secret for the deliverer, while it is not revoked.
pub async fn hook_target(pool: &AnyPool, id: &str) -> Result<Option<(String, String)>, String> {
    let row = sqlx::query("SELECT url, secret FROM erp_hooks WHERE id = $1 AND revoked_at IS NULL")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await
        .map_err(|e| e.to_string())?;
    Ok(row.map(|r| (r.get(0), r.get(1))))
}

/// The signature header of a post: `t=<ms>,v1=<hex HMAC-SHA256 of "<ms>." + body>`.
pub fn signature(secret: &str, at: i64, body: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{at}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={at},v1={hex}")
}

/// An audit entry an ERP may subscribe to, with its customer's name.
#[derive(Clone, Debug)]
pub struct Event {
    pub entry: creditdesk_domain::approval::AuditEntry,
    pub name: String,
}

/// The audit entries after `after` of the events ERPs may subscribe to, and the last sequence
/// number looked at.
pub fn events_after(book: &Book, after: u64) -> (u64, Vec<Event>) {
    let last = book.audit.last().map_or(after, |e| e.seq);
    // The trail is in order: only what came after `after` is read.
    let from = book.audit.partition_point(|e| e.seq <= after);
    let due = book.audit[from..]
        .iter()
        .filter(|e| EVENTS.contains(&e.what.as_str()))
        .map(|e| Event {
            name: e
                .subject
                .strip_prefix("customer:")
                .and_then(CustomerId::parse)
                .and_then(|id| book.customer(id))
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            entry: e.clone(),
        })
        .collect();
    (last, due)
}

/// Enqueues a post of each event to every subscriber of its kind.
pub async fn enqueue_events(pool: &AnyPool, due: &[Event], now: i64) -> Result<(), String> {
    if due.is_empty() {
        return Ok(());
    }
    let hooks: Vec<Hook> = list_hooks(pool)
        .await?
        .into_iter()
        .filter(|h| h.revoked_at.is_none())
        .collect();
    if hooks.is_empty() {
        return Ok(());
    }
    let codes: std::collections::HashMap<String, String> =
        sqlx::query("SELECT id, number FROM erp_refs WHERE kind = 'customer'")
            .fetch_all(pool)
            .await
            .map_err(|e| e.to_string())?
            .iter()
            .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
            .collect();
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    for Event { entry: e, name } in due {
        let customer = e.subject.strip_prefix("customer:").unwrap_or_default();
        let payload = serde_json::json!({
            "event": e.what,
            "seq": e.seq,
            "at": e.at,
            "customer": {"id": customer, "code": codes.get(customer), "name": name},
            "before": e.before,
            "after": e.after,
            "why": e.why,
            "by": e.who,
        })
        .to_string();
        for h in hooks.iter().filter(|h| h.events.contains(&e.what)) {
            sqlx::query(
                "INSERT INTO notices (key, kind, user_id, channel, address, customer, subject, body, \
                 payload, status, attempts, created_at, next_at) \
                 VALUES ($1, 'event', '', 'erp_hook', $2, $3, $4, '', $5, 'pending', 0, $6, $6) \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(format!("hook:{}:{}", h.id, e.seq))
            .bind(h.id.clone())
            .bind(customer.to_string())
            .bind(format!("{} {}", e.what, name))
            .bind(payload.clone())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
        }
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(())
}
