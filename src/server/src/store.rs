//! The browser's store in SQL: [`SqlStore`] implements `creditdesk_storage::Store` over SQLite or
//! PostgreSQL (through sqlx's `Any` driver), with the same layout as IndexedDB (one table per
//! object store, the ledger as the same binary chunks and write-ahead tail), so that the
//! application crate runs unchanged on the server. Every `Store` write is one SQL transaction.
//!
//! The outbox table is the server's log of applied commands: a command's record is unique by its
//! id (`outbox_command` index), written in the transaction of its effects, so a command pushed twice,
//! or pushed again after a crash or a restore (the log survives a restore), is applied once.

use creditdesk_domain::approval::AuditEntry;
use creditdesk_domain::Customer;
use creditdesk_storage::backup::{Dump, DEVICE_KEY};
use creditdesk_storage::codec::encode_entry;
use creditdesk_storage::{
    append_chunks, audit_from_json, audit_seq, audit_to_json, chunks_of, customer_from_json,
    customer_to_json, outbox_for, plan_compaction, record_id, Batch, Docs, OutboxEntry, RawLedger,
    Rows, Stats, Store, StoreError,
};
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use sqlx::{Any, Row, Transaction};

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Result<Backend, String> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(format!(
                "database URL {url:?}: expected sqlite:PATH or postgres://USER@HOST:PORT/NAME"
            ))
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Opens a pool on `url` and brings its schema up to date. A SQLite file is created if missing,
/// in WAL mode with a busy timeout so that two pools (the engine's and the sign-in's) can write.
pub async fn open(url: &str, connections: u32) -> Result<(AnyPool, Backend), String> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of(url)?;
    let url = match backend {
        Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
        _ => url.to_string(),
    };
    let pool = AnyPoolOptions::new()
        .max_connections(connections)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    use sqlx::Executor;
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    let migrator = match backend {
        Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("migrations/postgres"),
    };
    migrator
        .run(&pool)
        .await
        .map_err(|e| format!("cannot migrate the database: {e}"))?;
    Ok((pool, backend))
}

fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// The application's store in SQL.
#[derive(Clone)]
pub struct SqlStore {
    pub pool: AnyPool,
    /// The primary lease every write transaction renews first (the engine's store); none for a
    /// tool's or a test's store.
    fence: Option<std::sync::Arc<crate::jobs::Fence>>,
}

type Tx = Transaction<'static, Any>;

async fn upsert(tx: &mut Tx, sql: &str, key: &str, value: &str) -> Result<(), StoreError> {
    sqlx::query(sql)
        .bind(key.to_string())
        .bind(value.to_string())
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(())
}

async fn put_customer(tx: &mut Tx, id: &str, json: &str) -> Result<(), StoreError> {
    upsert(
        tx,
        "INSERT INTO customers (id, json) VALUES ($1, $2) \
         ON CONFLICT (id) DO UPDATE SET json = excluded.json",
        id,
        json,
    )
    .await
}

/// Writes a document; an empty `json` removes it (see `Batch::docs`).
async fn put_doc(tx: &mut Tx, store: &str, key: &str, json: &str) -> Result<(), StoreError> {
    if json.is_empty() {
        sqlx::query("DELETE FROM docs WHERE store = $1 AND key = $2")
            .bind(store.to_string())
            .bind(key.to_string())
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO docs (store, key, json) VALUES ($1, $2, $3) \
         ON CONFLICT (store, key) DO UPDATE SET json = excluded.json",
    )
    .bind(store.to_string())
    .bind(key.to_string())
    .bind(json.to_string())
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

async fn put_meta(tx: &mut Tx, key: &str, value: &str) -> Result<(), StoreError> {
    upsert(
        tx,
        "INSERT INTO meta (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        value,
    )
    .await
}

async fn put_bytes(tx: &mut Tx, sql: &str, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
    sqlx::query(sql)
        .bind(key.to_string())
        .bind(bytes.to_vec())
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(())
}

async fn put_chunk(tx: &mut Tx, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
    put_bytes(
        tx,
        "INSERT INTO chunks (key, bytes) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET bytes = excluded.bytes",
        key,
        bytes,
    )
    .await
}

async fn put_attachment(tx: &mut Tx, id: &str, bytes: &[u8]) -> Result<(), StoreError> {
    put_bytes(
        tx,
        "INSERT INTO attachments (id, bytes) VALUES ($1, $2) \
         ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes",
        id,
        bytes,
    )
    .await
}

/// Adds audit entries; an entry whose number is taken fails the whole transaction.
async fn add_audit(tx: &mut Tx, entries: &[AuditEntry]) -> Result<(), StoreError> {
    for e in entries {
        sqlx::query("INSERT INTO audit (seq, json) VALUES ($1, $2)")
            .bind(e.seq as i64)
            .bind(audit_to_json(e))
            .execute(&mut **tx)
            .await
            .map_err(|err| StoreError::Backend(format!("audit entry {}: {err}", e.seq)))?;
    }
    Ok(())
}

async fn add_outbox(tx: &mut Tx, records: &[OutboxEntry]) -> Result<(), StoreError> {
    let rows: Vec<(String, String, String)> = records
        .iter()
        .map(|o| {
            let json = serde_json::to_string(o).expect("json");
            (o.entity.clone(), o.id.clone(), json)
        })
        .collect();
    insert_many(
        tx,
        "INSERT INTO outbox (entity, record_id, json)",
        3,
        "",
        &rows,
        |q, (entity, id, json)| q.bind(entity.clone()).bind(id.clone()).bind(json.clone()),
    )
    .await
    .map_err(|err| match records {
        [one] => StoreError::Backend(format!("{} {}: {err}", one.entity, one.id)),
        _ => StoreError::Backend(format!("{} log records: {err}", records.len())),
    })
}

/// A query of the `Any` driver, as `insert_many` binds it.
pub type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// Inserts many rows with few statements: `{head} VALUES ($1, …), (…) {tail}`, as many rows to a
/// statement as stay under SQLite's limit of bound values (and at most 1,000). One statement per
/// row costs a round trip each; on PostgreSQL over a network that is most of a large write.
pub async fn insert_many<R>(
    conn: &mut sqlx::AnyConnection,
    head: &str,
    width: usize,
    tail: &str,
    rows: &[R],
    bind: impl for<'q> Fn(AnyQuery<'q>, &R) -> AnyQuery<'q>,
) -> Result<(), sqlx::Error> {
    let per = (30_000 / width.max(1)).clamp(1, 1_000);
    // SQLite reads `$n` as a parameter's name and finds each name by a linear search (thousands
    // of them make a statement quadratic): there, plain `?` in order.
    let numbered = !conn.backend_name().eq_ignore_ascii_case("sqlite");
    for chunk in rows.chunks(per) {
        let mut sql = String::with_capacity(head.len() + tail.len() + chunk.len() * width * 7 + 16);
        sql.push_str(head);
        sql.push_str(" VALUES ");
        for i in 0..chunk.len() {
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for j in 0..width {
                if j > 0 {
                    sql.push_str(", ");
                }
                if numbered {
                    sql.push('$');
                    sql.push_str(&(i * width + j + 1).to_string());
                } else {
                    sql.push('?');
                }
            }
            sql.push(')');
        }
        if !tail.is_empty() {
            sql.push(' ');
            sql.push_str(tail);
        }
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = bind(q, r);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn exec(tx: &mut Tx, sql: &str) -> Result<(), StoreError> {
    sqlx::query(sql).execute(&mut **tx).await.map_err(backend)?;
    Ok(())
}

impl SqlStore {
    pub fn new(pool: AnyPool) -> SqlStore {
        SqlStore { pool, fence: None }
    }

    /// A store whose every write first renews the primary lease, and writes nothing without it.
    pub fn fenced(pool: AnyPool, fence: std::sync::Arc<crate::jobs::Fence>) -> SqlStore {
        SqlStore {
            pool,
            fence: Some(fence),
        }
    }

    /// True once a write found another process holding the primary lease.
    pub fn fence_lost(&self) -> bool {
        self.fence.as_ref().is_some_and(|f| f.lost())
    }

    async fn begin(&self) -> Result<Tx, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        if let Some(fence) = &self.fence {
            fence.check(&mut tx).await.map_err(StoreError::Backend)?;
        }
        Ok(tx)
    }

    async fn pairs(
        &self,
        sql: &str,
        bind: Option<&str>,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut q = sqlx::query(sql);
        if let Some(b) = bind {
            q = q.bind(b.to_string());
        }
        let rows = q.fetch_all(&self.pool).await.map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0).map_err(backend)?,
                    r.try_get(1).map_err(backend)?,
                ))
            })
            .collect()
    }

    async fn column(&self, sql: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(sql)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(|r| r.try_get(0).map_err(backend)).collect()
    }

    async fn count(&self, table: &str) -> Result<usize, StoreError> {
        let row = sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(row.try_get::<i64, _>(0).map_err(backend)? as usize)
    }

    /// Whether a command with this id was applied (its record is in the outbox).
    pub async fn applied(&self, command_id: &str) -> Result<bool, StoreError> {
        let row =
            sqlx::query("SELECT COUNT(*) FROM outbox WHERE entity = 'command' AND record_id = $1")
                .bind(command_id.to_string())
                .fetch_one(&self.pool)
                .await
                .map_err(backend)?;
        Ok(row.try_get::<i64, _>(0).map_err(backend)? > 0)
    }

    /// The number of the latest change: the outbox's last sequence number.
    pub async fn cursor(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM outbox")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(row.try_get::<i64, _>(0).map_err(backend)? as u64)
    }
}

impl Store for SqlStore {
    async fn load_customers(&self) -> Result<Vec<Customer>, StoreError> {
        self.column("SELECT json FROM customers ORDER BY id")
            .await?
            .iter()
            .map(|s| customer_from_json(s))
            .collect()
    }

    async fn load_ledger(&self) -> Result<RawLedger, StoreError> {
        let chunks = sqlx::query("SELECT key, bytes FROM chunks ORDER BY key")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get(0).map_err(backend)?,
                    r.try_get(1).map_err(backend)?,
                ))
            })
            .collect::<Result<Vec<(String, Vec<u8>)>, StoreError>>()?;
        let tail = sqlx::query("SELECT seq, bytes FROM tail ORDER BY seq")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<i64, _>(0).map_err(backend)? as u64,
                    r.try_get(1).map_err(backend)?,
                ))
            })
            .collect::<Result<Vec<(u64, Vec<u8>)>, StoreError>>()?;
        Ok(RawLedger {
            chunks,
            tail,
            ..RawLedger::default()
        })
    }

    async fn commit(&self, batch: &Batch) -> Result<(), StoreError> {
        let entries: Vec<Vec<u8>> = batch
            .entries
            .iter()
            .map(encode_entry)
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::corrupt("entry", e))?;
        let mut tx = self.begin().await?;
        add_audit(&mut tx, &batch.audit).await?;
        for c in &batch.customers {
            put_customer(&mut tx, &c.id.to_string(), &customer_to_json(c)).await?;
        }
        for (id, record) in &batch.requests {
            put_doc(
                &mut tx,
                Docs::Requests.store_name(),
                id,
                &record.to_string(),
            )
            .await?;
        }
        for (which, key, json) in &batch.docs {
            put_doc(&mut tx, which.store_name(), key, json).await?;
        }
        for (k, v) in &batch.settings {
            put_meta(&mut tx, k, v).await?;
        }
        for (k, v) in &batch.attachments {
            put_attachment(&mut tx, k, v).await?;
        }
        insert_many(
            &mut tx,
            "INSERT INTO tail (bytes)",
            1,
            "",
            &entries,
            |q, e| q.bind(e.clone()),
        )
        .await
        .map_err(backend)?;
        let mut records = outbox_for(batch);
        if records.is_empty() && batch.writes_data() {
            // A write with no record of its own (the rules' alerts, tasks and holds): a row in
            // the log all the same, so that the cursor moves and devices pull what changed.
            records.push(OutboxEntry {
                entity: "change".into(),
                id: uuid::Uuid::new_v4().to_string(),
                version: 1,
                updated_at: 0,
                device: String::new(),
                payload: creditdesk_storage::Payload::null(),
            });
        }
        add_outbox(&mut tx, &records).await?;
        tx.commit().await.map_err(backend)
    }

    async fn load_audit(&self) -> Result<Vec<AuditEntry>, StoreError> {
        self.column("SELECT json FROM audit ORDER BY seq")
            .await?
            .iter()
            .map(|s| audit_from_json(s))
            .collect()
    }

    async fn last_audit(&self) -> Result<Option<AuditEntry>, StoreError> {
        self.column("SELECT json FROM audit ORDER BY seq DESC LIMIT 1")
            .await?
            .first()
            .map(|s| audit_from_json(s))
            .transpose()
    }

    async fn attachment(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT bytes FROM attachments WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|r| r.try_get(0).map_err(backend)).transpose()
    }

    async fn compact(&self) -> Result<usize, StoreError> {
        let raw = self.load_ledger().await?;
        let keys: Vec<String> = raw.chunks.iter().map(|(k, _)| k.clone()).collect();
        let plan = plan_compaction(
            &keys,
            |k| {
                raw.chunks
                    .iter()
                    .find(|(x, _)| x == k)
                    .map(|(_, b)| b.clone())
            },
            &raw.tail,
        )?;
        let mut tx = self.begin().await?;
        for (k, v) in &plan.puts {
            put_chunk(&mut tx, k, v).await?;
        }
        for seq in &plan.delete_tail {
            sqlx::query("DELETE FROM tail WHERE seq = $1")
                .bind(*seq as i64)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(plan.delete_tail.len())
    }

    async fn replace_all(&self, customers: &[Customer], rows: &Rows) -> Result<(), StoreError> {
        let chunks = chunks_of(rows)?;
        let mut tx = self.begin().await?;
        for table in [
            "customers",
            "chunks",
            "tail",
            "outbox",
            "audit",
            "attachments",
        ] {
            exec(&mut tx, &format!("DELETE FROM {table}")).await?;
        }
        exec(
            &mut tx,
            "DELETE FROM docs WHERE store IN ('requests', 'alerts', 'tasks')",
        )
        .await?;
        for c in customers {
            put_customer(&mut tx, &c.id.to_string(), &customer_to_json(c)).await?;
        }
        for (k, v) in &chunks {
            put_chunk(&mut tx, k, v).await?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn docs(&self, which: Docs) -> Result<Vec<(String, String)>, StoreError> {
        self.pairs(
            "SELECT key, json FROM docs WHERE store = $1 ORDER BY key",
            Some(which.store_name()),
        )
        .await
    }

    async fn put_docs(
        &self,
        which: Docs,
        docs: &[(&str, &str)],
        outbox: &[OutboxEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        for (key, json) in docs {
            put_doc(&mut tx, which.store_name(), key, json).await?;
        }
        add_outbox(&mut tx, outbox).await?;
        tx.commit().await.map_err(backend)
    }

    async fn dump(&self) -> Result<Dump, StoreError> {
        let rows = self.load_ledger().await?.decode()?;
        let docs = |which: Docs| self.docs(which);
        Ok(Dump {
            chunks: None,
            meta: self
                .pairs("SELECT key, value FROM meta ORDER BY key", None)
                .await?,
            customers: self
                .column("SELECT json FROM customers ORDER BY id")
                .await?,
            rows,
            field_defs: Vec::new(),
            models: docs(Docs::Models).await?,
            requests: docs(Docs::Requests).await?,
            alerts: docs(Docs::Alerts).await?,
            tasks: docs(Docs::Tasks).await?,
            audit: self.column("SELECT json FROM audit ORDER BY seq").await?,
            attachments: sqlx::query("SELECT id, bytes FROM attachments ORDER BY id")
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get(0).map_err(backend)?,
                        r.try_get(1).map_err(backend)?,
                    ))
                })
                .collect::<Result<_, StoreError>>()?,
            outbox: self.column("SELECT json FROM outbox ORDER BY seq").await?,
        })
    }

    async fn restore(&self, dump: &Dump) -> Result<(), StoreError> {
        let chunks = match &dump.chunks {
            Some(c) => c.clone(),
            None => chunks_of(&dump.rows)?,
        };
        let customers = dump
            .customers
            .iter()
            .map(|c| Ok((record_id(c)?, c.clone())))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let audit = dump
            .audit
            .iter()
            .map(|a| Ok((audit_seq(a)?, a.clone())))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut tx = self.begin().await?;
        for table in [
            "customers",
            "chunks",
            "tail",
            "docs",
            "audit",
            "attachments",
        ] {
            exec(&mut tx, &format!("DELETE FROM {table}")).await?;
        }
        // The log of applied commands stays: a device pushing again a command applied before
        // the restore must find it applied, not run it on the restored data.
        exec(&mut tx, "DELETE FROM outbox WHERE entity <> 'command'").await?;
        sqlx::query("DELETE FROM meta WHERE key <> $1")
            .bind(DEVICE_KEY.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for (k, v) in dump.meta.iter().filter(|(k, _)| k != DEVICE_KEY) {
            put_meta(&mut tx, k, v).await?;
        }
        for (id, json) in &customers {
            put_customer(&mut tx, id, json).await?;
        }
        for (k, v) in &chunks {
            put_chunk(&mut tx, k, v).await?;
        }
        for (which, list) in [
            (Docs::Models, &dump.models),
            (Docs::Requests, &dump.requests),
            (Docs::Alerts, &dump.alerts),
            (Docs::Tasks, &dump.tasks),
        ] {
            for (k, v) in list {
                put_doc(&mut tx, which.store_name(), k, v).await?;
            }
        }
        for (seq, json) in &audit {
            sqlx::query("INSERT INTO audit (seq, json) VALUES ($1, $2)")
                .bind(*seq as i64)
                .bind(json.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        for (k, v) in &dump.attachments {
            put_attachment(&mut tx, k, v).await?;
        }
        for json in &dump.outbox {
            let o: OutboxEntry =
                serde_json::from_str(json).map_err(|e| StoreError::corrupt("outbox", e))?;
            if o.entity == "command" {
                let known = sqlx::query(
                    "SELECT COUNT(*) FROM outbox WHERE entity = 'command' AND record_id = $1",
                )
                .bind(o.id.clone())
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
                if known.try_get::<i64, _>(0).map_err(backend)? > 0 {
                    continue;
                }
            }
            add_outbox(&mut tx, &[o]).await?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn import(
        &self,
        customers: &[Customer],
        rows: &Rows,
        outbox: &[OutboxEntry],
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let keys = self.column("SELECT key FROM chunks ORDER BY key").await?;
        let chunks = append_chunks(&keys, rows)?;
        let mut tx = self.begin().await?;
        add_audit(&mut tx, audit).await?;
        for c in customers {
            put_customer(&mut tx, &c.id.to_string(), &customer_to_json(c)).await?;
        }
        for (k, v) in &chunks {
            put_chunk(&mut tx, k, v).await?;
        }
        add_outbox(&mut tx, outbox).await?;
        tx.commit().await.map_err(backend)
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = $1")
            .bind(key.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|r| r.try_get(0).map_err(backend)).transpose()
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        put_meta(&mut tx, key, value).await?;
        tx.commit().await.map_err(backend)
    }

    async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        self.column("SELECT json FROM outbox ORDER BY seq")
            .await?
            .iter()
            .map(|s| serde_json::from_str(s).map_err(|e| StoreError::corrupt("outbox", e)))
            .collect()
    }

    /// On the server the outbox is the log of applied commands: nothing is ever answered away.
    async fn acknowledge(&self, _answered: &[String]) -> Result<(), StoreError> {
        Ok(())
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        Ok(Stats {
            customers: self.count("customers").await?,
            chunks: self.count("chunks").await?,
            tail: self.count("tail").await?,
            outbox: self.count("outbox").await?,
        })
    }
}
