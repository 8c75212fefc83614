//! Data in and out: the CSV import's steps (read, map, check, write), and backup and restore.
//! The rules are the domain's (`creditdesk_domain::import`) and storage's (`backup`); this module
//! feeds them the file and the data in memory, writes in one transaction, and updates memory.

use crate::ui::state::{
    boot, db, new_uuid, now, require, with_data, with_data_mut, AppState, Phase, SaveError,
};
use creditdesk_app::{check_imported_orders, settle_blocked, Blocked, BlockedOrder};
use creditdesk_domain::approval::{chain, Event, Permission};
use creditdesk_domain::import::{
    self, decode, guess_date_format, guess_mapping, read_table, sniff_delimiter, Context,
    ImportProblem, Kind, Mapping, Plan, SourceEncoding, Table,
};
use creditdesk_domain::{CustomerId, Meta, OrderStatus};
use creditdesk_storage::backup::{self, Backup, BackupProblem, MergeReport};
use creditdesk_storage::{OutboxEntry, Rows, Store, StoreError};
use leptos::prelude::Set;
use serde::{Deserialize, Serialize};

/// A file read and split into rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub file: String,
    pub bytes: usize,
    pub encoding: SourceEncoding,
    /// Malformed bytes were replaced while decoding.
    pub replaced: bool,
    pub delimiter: u8,
    pub table: Table,
}

/// Decodes and splits a file; a file with no header line is refused.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Parsed, ImportProblem> {
    let d = decode(bytes);
    let delimiter = sniff_delimiter(&d.text);
    let table = read_table(&d.text, delimiter)?;
    Ok(Parsed {
        file: file.to_string(),
        bytes: bytes.len(),
        encoding: d.encoding,
        replaced: d.replaced,
        delimiter,
        table,
    })
}

/// A mapping saved for the next file of the same kind with the same headers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Saved {
    headers: Vec<String>,
    mapping: Mapping,
}

fn mapping_key(kind: Kind) -> String {
    format!("import_mapping:{}", kind.key())
}

/// The mapping for a file: the one saved for these headers if there is one, else a guess from
/// the headers (and a date format guessed from the values). The bool says it was saved.
pub async fn mapping_for(kind: Kind, table: &Table) -> (Mapping, bool) {
    if let Ok(store) = db() {
        if let Ok(Some(text)) = store.setting(&mapping_key(kind)).await {
            if let Ok(saved) = serde_json::from_str::<Saved>(&text) {
                if saved.headers == table.headers && saved.mapping.kind == kind {
                    return (saved.mapping, true);
                }
            }
        }
    }
    let mut m = guess_mapping(kind, &table.headers);
    m.date_format = guess_date_format(table, &m);
    (m, false)
}

pub async fn save_mapping(kind: Kind, table: &Table, mapping: &Mapping) -> Result<(), StoreError> {
    let saved = Saved {
        headers: table.headers.clone(),
        mapping: mapping.clone(),
    };
    db()?
        .set_setting(
            &mapping_key(kind),
            &serde_json::to_string(&saved).expect("json"),
        )
        .await
}

/// Checks every row against the data in memory, as of today. Ids are drawn for valid rows. A
/// user who sees only their own customers can refer only to those.
pub fn check(kind: Kind, table: &Table, mapping: &Mapping) -> Plan {
    with_data(|d| {
        let me = d.me();
        let mine: Vec<creditdesk_domain::Customer>;
        let customers: &[creditdesk_domain::Customer] = if me.may(Permission::SeeAllCustomers) {
            &d.customers
        } else {
            mine = d
                .customers
                .iter()
                .filter(|c| me.sees(&c.sales_rep))
                .cloned()
                .collect();
            &mine
        };
        let ctx = Context {
            customers,
            ledger: &d.ledger,
            meta: Meta::new(d.device, now()),
        };
        import::validate(kind, table, mapping, &ctx, &mut new_uuid, d.as_of)
    })
}

/// Which permission an import of a kind needs.
pub fn permission(kind: Kind) -> Permission {
    match kind {
        Kind::Customers => Permission::EditCustomers,
        Kind::Orders => Permission::RecordOrders,
        _ => Permission::RecordReceivables,
    }
}

/// The orders of a plan that the credit check blocks, on today's data (the same check as a
/// typed order's; see `creditdesk_app::check_imported_orders`).
pub fn blocked_orders(plan: &Plan) -> Vec<BlockedOrder> {
    with_data(|d| check_imported_orders(d, &plan.records.orders))
}

/// What an import wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Imported {
    pub records: usize,
    pub customers: usize,
}

/// At most this many records go in one outbox record of an import (`{kind}_batch`).
const OUTBOX_BATCH: usize = 10_000;

/// Writes the valid rows of a plan in one transaction (nothing if it fails), with an audit entry
/// `data.imported` naming the file and the counts, then updates the data in memory and runs the
/// warning rules over the customers touched. A plan with a problem of the whole file writes
/// nothing.
pub async fn commit(plan: &Plan, file: &str, blocked: Blocked) -> Result<Imported, SaveError> {
    require(permission(plan.kind))?;
    if !plan.can_import() {
        return Err(SaveError::Store("the file has a problem of its own".into()));
    }
    let r = &plan.records;
    let (device, at) = with_data(|d| (d.device, now()));
    let mut rows = Rows {
        orders: r.orders.clone(),
        invoices: r.invoices.clone(),
        payments: r.payments.clone(),
        credit_notes: r.credit_notes.clone(),
    };
    // No row bypasses the credit check: checked again now, on the data as it is at the write.
    let stopped = blocked_orders(plan);
    settle_blocked(&mut rows.orders, &stopped, blocked);
    let left_out = r.orders.len() - rows.orders.len();
    // Invoicing an order stores the order's new status with the invoices.
    with_data(|d| {
        for inv in &r.invoices {
            if let Some(mut o) = inv.order.and_then(|id| d.ledger.order(id).copied()) {
                if o.status.can_become(OrderStatus::Invoiced) {
                    o.status = OrderStatus::Invoiced;
                    o.meta = o.meta.bump(device, at);
                    rows.orders.push(o);
                }
            }
        }
    });
    let import_id = uuid::Uuid::from_u128(new_uuid()).to_string();
    let mut outbox = Vec::new();
    let mut batch = |entity: &str, values: Vec<serde_json::Value>| {
        for (n, part) in values.chunks(OUTBOX_BATCH).enumerate() {
            outbox.push(OutboxEntry {
                entity: format!("{entity}_batch"),
                id: format!("{import_id}:{entity}:{n}"),
                version: 1,
                updated_at: at.0,
                device: device.to_string(),
                payload: serde_json::Value::Array(part.to_vec()),
            });
        }
    };
    batch("customer", values(&r.customers));
    batch("order", values(&rows.orders));
    batch("invoice", values(&rows.invoices));
    batch("payment", values(&rows.payments));
    batch("credit_note", values(&rows.credit_notes));
    let event = Event {
        who: with_data(|d| d.me().id),
        what: "data.imported".into(),
        subject: format!("import:{}", plan.kind.key()),
        before: String::new(),
        after: format!(
            "{} records ({} rows, {} skipped; {} orders blocked by the credit check, {})",
            r.len() - left_out,
            plan.rows_total,
            plan.rows_in_error.len(),
            stopped.len(),
            match blocked {
                Blocked::Hold => "held",
                Blocked::Refuse => "left out",
            }
        ),
        why: file.to_string(),
    };
    let store = db()?;
    // Chained after the trail's last entry; if another tab added entries meanwhile, the import
    // fails whole, the trail is read again and the import chained once more.
    for attempt in 0..2 {
        let entries = with_data(|d| chain(d.audit.last(), at.0, vec![event.clone()]));
        match store.import(&r.customers, &rows, &outbox, &entries).await {
            Ok(()) => {
                with_data_mut(|d| d.audit.extend(entries));
                break;
            }
            Err(_) if attempt == 0 => {
                let stored = store.load_audit().await?;
                with_data_mut(|d| d.audit = stored);
            }
            Err(e) => return Err(e.into()),
        }
    }
    // Written: now memory, customer by customer.
    let mut touched: Vec<CustomerId> = Vec::new();
    with_data_mut(|d| {
        for c in &r.customers {
            d.index.insert(c.id, d.customers.len());
            d.customers.push(c.clone());
            touched.push(c.id);
        }
        for o in &rows.orders {
            d.ledger.put_order(*o);
            touched.push(o.customer);
        }
        for i in &r.invoices {
            let _ = d.ledger.add_invoice(*i);
            touched.push(i.customer);
        }
        for p in &r.payments {
            let _ = d.ledger.add_payment(p.clone());
            touched.push(p.customer);
        }
        for c in &r.credit_notes {
            let _ = d.ledger.add_credit_note(*c);
            touched.push(c.customer);
        }
        touched.sort();
        touched.dedup();
        for c in &touched {
            d.refresh_summary(*c);
        }
    });
    crate::ui::monitoring::after_change(touched);
    Ok(Imported {
        records: r.len() - left_out,
        customers: r.customers.len(),
    })
}

/// Records as JSON values, for an outbox record's payload.
fn values<T: Serialize>(records: &[T]) -> Vec<serde_json::Value> {
    records
        .iter()
        .map(|r| serde_json::to_value(r).expect("records serialise"))
        .collect()
}

/// The whole database as a backup file's text. It holds every customer, so only a user who sees
/// every customer may take it.
pub async fn backup_text() -> Result<String, SaveError> {
    require(Permission::SeeAllCustomers)?;
    let dump = db()?.dump().await?;
    Ok(backup::to_json(&dump))
}

/// Chains an audit entry after a dump's last one and adds it to the dump, so that it is written
/// by the same transaction as the restore.
fn audit_into(dump: &mut backup::Dump, what: &str, after: String, why: String) {
    let last = dump
        .audit
        .last()
        .and_then(|a| creditdesk_storage::audit_from_json(a).ok());
    let event = Event {
        who: with_data(|d| d.me().id),
        what: what.into(),
        subject: "database".into(),
        before: String::new(),
        after,
        why,
    };
    for e in chain(last.as_ref(), now().0, vec![event]) {
        dump.audit.push(creditdesk_storage::audit_to_json(&e));
    }
}

/// A backup file read and checked: ready to restore, or every problem found.
pub type Checked = Result<Backup, (Vec<BackupProblem>, usize)>;

pub fn check_backup(text: &str) -> Checked {
    backup::parse(text)
}

/// The meta key under which a trail replaced by a restore is kept, whole, so that it stays
/// verifiable (`approval::verify`) after the restore.
pub const AUDIT_ARCHIVE: &str = "audit_archive:";

/// Replaces everything with a backup, or merges it in; then loads the data again. Only an admin
/// may (the same permission as the demo reset). `file` and `sha256` name the file in the audit
/// entry the restore or merge writes.
pub async fn restore(
    state: AppState,
    backup: &Backup,
    merge: bool,
    file: &str,
    sha256: &str,
) -> Result<Option<MergeReport>, SaveError> {
    require(Permission::ResetData)?;
    let store = db()?;
    let c = backup.dump.counts();
    let summary = format!(
        "schema {}: {} customers, {} invoices, {} payments, {} requests",
        backup.schema, c.customers, c.invoices, c.payments, c.requests
    );
    let why = format!("{file} (sha-256 {sha256})");
    let here = store.dump().await?;
    // Audited in the trail each leaves, in the same transaction as the data.
    let report = if merge {
        let (mut merged, report) = backup::merge(&here, &backup.dump);
        let refused = if report.controls_refused.is_empty() {
            String::new()
        } else {
            format!(
                "; credit controls kept here for {} customers without an approved request: {}",
                report.controls_refused.len(),
                report
                    .controls_refused
                    .iter()
                    .map(|(_, name)| name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        audit_into(
            &mut merged,
            "data.merged",
            format!("{summary}{refused}"),
            why,
        );
        store.restore(&merged).await?;
        Some(report)
    } else {
        // The backup's trail comes back with its data, and a `data.restored` entry chains after
        // it. The trail it replaces is kept whole beside it (and the ones kept before), so that
        // what happened here before the restore stays verifiable.
        let mut dump = backup.dump.clone();
        for (k, v) in &here.meta {
            if k.starts_with(AUDIT_ARCHIVE) && !dump.meta.iter().any(|(x, _)| x == k) {
                dump.meta.push((k.clone(), v.clone()));
            }
        }
        let before = match here.audit.last() {
            Some(head) => {
                let key = format!("{AUDIT_ARCHIVE}{}", now().0);
                let trail = format!("[{}]", here.audit.join(","));
                dump.meta.push((key.clone(), trail));
                let head = creditdesk_storage::audit_from_json(head)?;
                format!(
                    "{} entries kept under {key}, head {}",
                    here.audit.len(),
                    head.hash
                )
            }
            None => String::new(),
        };
        audit_into(
            &mut dump,
            "data.restored",
            format!("{summary}; the trail before: {before}"),
            why,
        );
        store.restore(&dump).await?;
        None
    };
    state.phase.set(Phase::Loading);
    boot(state).await;
    Ok(report)
}
