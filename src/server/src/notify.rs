//! Notices on their way: the engine [`enqueue`]s what `creditdesk_domain::notice` says is due,
//! one row per recipient and channel in the `notices` table (its `key` is unique, so the same
//! event never goes twice); the [`Deliverer`] sends the rows that are due, by e-mail (SMTP with
//! lettre) or webhook (an HTTP POST of the robot's JSON), and records each try. A delivery that
//! fails is tried again later ([`notice::retry_after_ms`]) and after
//! [`notice::MAX_ATTEMPTS`] tries is marked failed, never dropped: an administrator sees it in
//! the delivery log and may send it again. The app's messages (channel `inbox`) are delivered
//! when they are written.
//!
//! Rows are claimed before they are sent (their `next_at` moves on in one conditional update), so
//! two server processes on one database do not send a row twice.

use crate::clock::Clock;
use creditdesk_domain::notice::{self, Channel, Notice, Settings};
use sqlx::{AnyPool, Row};
use std::sync::Arc;
use std::time::Duration;

/// Where e-mail goes out.
#[derive(Clone, Debug, Default)]
pub struct Relay {
    /// `smtp://host:port` (plain: a relay on this machine or the local network),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS), `smtps://user:password@host:465`
    /// (TLS). None: e-mail waits (and is retried) until one is configured.
    pub url: Option<String>,
    /// The sender, `CreditDesk <credit@example.com>`.
    pub from: String,
    /// A certificate (PEM) to trust for the relay besides the public roots: a company's own
    /// certificate authority, or the relay's self-signed certificate.
    pub ca: Option<String>,
}

impl Relay {
    /// The TLS the relay's URL asks for, trusting `ca` too; none when there is no `ca` (the URL's
    /// own TLS with the public roots). An error names what is wrong with either.
    pub fn tls(&self) -> Result<Option<lettre::transport::smtp::client::Tls>, String> {
        use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
        let (Some(pem), Some(url)) = (&self.ca, &self.url) else {
            return Ok(None);
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("the relay URL {url:?}: {e}"))?;
        let host = parsed
            .host_str()
            .ok_or_else(|| format!("the relay URL {url:?} names no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        if !pem.contains("-----BEGIN CERTIFICATE-----") {
            return Err(
                "the relay's certificate (--smtp-ca) holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
                    .into(),
            );
        }
        let cert = Certificate::from_pem(pem.as_bytes()).map_err(|e| {
            format!("the relay's certificate (--smtp-ca) is not a PEM certificate: {e}")
        })?;
        let params = TlsParameters::builder(host)
            .add_root_certificate(cert)
            .build()
            .map_err(|e| format!("the relay's TLS: {e}"))?;
        let tls = parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        match (parsed.scheme(), tls.as_deref()) {
            ("smtps", _) => Ok(Some(Tls::Wrapper(params))),
            ("smtp", Some("required")) => Ok(Some(Tls::Required(params))),
            ("smtp", Some("opportunistic")) => Ok(Some(Tls::Opportunistic(params))),
            _ => Err(format!(
                "a certificate for the relay (--smtp-ca) is given, but the relay URL {url:?} asks for no TLS: use smtps://HOST:465 or smtp://HOST:587?tls=required"
            )),
        }
    }
}

/// How long a claimed row is left alone by other processes while it is being sent.
const CLAIM_MS: i64 = 120_000;

/// Writes the deliveries of `notices` that are not there yet; returns how many were new. The
/// messages channel is delivered at once.
pub async fn enqueue(
    pool: &AnyPool,
    notices: &[Notice],
    settings: &Settings,
    now: i64,
) -> Result<usize, String> {
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    let mut added = 0;
    for n in notices {
        for (channel, address) in notice::deliveries(n, settings) {
            let payload = match channel {
                Channel::Webhook => settings
                    .contact(&n.user)
                    .and_then(|c| c.hook.as_ref())
                    .map(|h| notice::webhook_payload(h.flavour, n).to_string()),
                _ => None,
            };
            let inbox = channel == Channel::Inbox;
            let done = sqlx::query(
                "INSERT INTO notices (key, kind, user_id, channel, address, customer, subject, body, \
                 payload, status, attempts, created_at, next_at, sent_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13) \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(format!("{}:{}", n.key, channel.code()))
            .bind(n.kind.code().to_string())
            .bind(n.user.clone())
            .bind(channel.code().to_string())
            .bind(address)
            .bind(n.customer.map(|c| c.to_string()))
            .bind(n.subject.clone())
            .bind(n.body.clone())
            .bind(payload)
            .bind(if inbox { "sent" } else { "pending" }.to_string())
            .bind(now)
            .bind(now)
            .bind(inbox.then_some(now))
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
            added += done.rows_affected() as usize;
        }
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(added)
}

/// Queues one e-mail to a customer (a reminder): `key` keeps it from going twice. Returns
/// whether it was new.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue_customer_mail(
    pool: &AnyPool,
    key: &str,
    sender: &str,
    customer: &str,
    to: &str,
    subject: &str,
    body: &str,
    now: i64,
) -> Result<bool, String> {
    let done = sqlx::query(
        "INSERT INTO notices (key, kind, user_id, channel, address, customer, subject, body, \
         status, attempts, created_at, next_at) \
         VALUES ($1, 'reminder', $2, 'email', $3, $4, $5, $6, 'pending', 0, $7, $7) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(key.to_string())
    .bind(sender.to_string())
    .bind(to.to_string())
    .bind(customer.to_string())
    .bind(subject.to_string())
    .bind(body.to_string())
    .bind(now)
    .execute(pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok(done.rows_affected() == 1)
}

pub use creditdesk_app::deliveries::Delivery;

const COLUMNS: &str = "id, kind, user_id, channel, address, customer, subject, body, status, \
                       attempts, last_error, created_at, next_at, sent_at";

fn delivery(r: &sqlx::any::AnyRow) -> Delivery {
    Delivery {
        id: r.get(0),
        kind: r.get(1),
        user: r.get(2),
        channel: r.get(3),
        address: r.get(4),
        customer: r.get(5),
        subject: r.get(6),
        body: r.get(7),
        status: r.get(8),
        attempts: r.get(9),
        last_error: r.get(10),
        created_at: r.get(11),
        next_at: r.get(12),
        sent_at: r.get(13),
    }
}

/// The newest deliveries: of one user's messages (`user` and channel `inbox`), or every one.
pub async fn list(pool: &AnyPool, user: Option<&str>, limit: i64) -> Result<Vec<Delivery>, String> {
    let q = match user {
        Some(_) => format!(
            "SELECT {COLUMNS} FROM notices WHERE user_id = $1 AND channel = 'inbox' ORDER BY id DESC LIMIT $2"
        ),
        None => format!("SELECT {COLUMNS} FROM notices ORDER BY id DESC LIMIT $1"),
    };
    let mut query = sqlx::query(&q);
    if let Some(u) = user {
        query = query.bind(u.to_string());
    }
    let rows = query
        .bind(limit)
        .fetch_all(pool)
        .await
        .map_err(|e| e.to_string())?;
    Ok(rows.iter().map(delivery).collect())
}

/// Sends a delivery again at the next round (a failed one, or one waiting for its next try).
pub async fn retry(pool: &AnyPool, id: i64, now: i64) -> Result<bool, String> {
    let done = sqlx::query(
        "UPDATE notices SET status = 'pending', next_at = $1, attempts = 0 \
         WHERE id = $2 AND status IN ('pending', 'failed') AND channel <> 'inbox'",
    )
    .bind(now)
    .bind(id)
    .execute(pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok(done.rows_affected() == 1)
}

/// Sends what is due, over and over, until the server stops.
pub struct Deliverer {
    pub pool: AnyPool,
    pub clock: Clock,
    pub relay: Relay,
    /// Woken when the engine enqueues something.
    pub wake: Arc<tokio::sync::Notify>,
    pub http: reqwest::Client,
}

impl Deliverer {
    pub fn new(pool: AnyPool, clock: Clock, relay: Relay, wake: Arc<tokio::sync::Notify>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .user_agent("CreditDesk")
            .build()
            .unwrap_or_default();
        Deliverer {
            pool,
            clock,
            relay,
            wake,
            http,
        }
    }

    /// Runs until `stopping` turns true: a round when woken, and at least every second.
    pub async fn run(self, mut stopping: tokio::sync::watch::Receiver<bool>) {
        loop {
            if *stopping.borrow() {
                return;
            }
            let started = self.clock.now().0;
            let t = std::time::Instant::now();
            match self.round().await {
                Ok(0) => {}
                Ok(_) => {
                    let _ = crate::jobs::record(
                        &self.pool,
                        "deliver",
                        started,
                        t.elapsed().as_millis() as i64,
                        None,
                    )
                    .await;
                }
                Err(e) => {
                    eprintln!("notices not delivered: {e}");
                    let _ = crate::jobs::record(
                        &self.pool,
                        "deliver",
                        started,
                        t.elapsed().as_millis() as i64,
                        Some(&e),
                    )
                    .await;
                }
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stopping.changed() => {}
            }
        }
    }

    /// One round: claims the due rows one by one and sends each. Returns how many it tried.
    pub async fn round(&self) -> Result<usize, String> {
        let now = self.clock.now().0;
        let rows = sqlx::query(
            "SELECT id, channel, address, subject, body, payload, attempts, next_at FROM notices \
             WHERE status = 'pending' AND next_at <= $1 ORDER BY id LIMIT 50",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| e.to_string())?;
        let mut tried = 0;
        for r in rows {
            let id: i64 = r.get(0);
            let next_at: i64 = r.get(7);
            let claimed = sqlx::query(
                "UPDATE notices SET next_at = $1 WHERE id = $2 AND status = 'pending' AND next_at = $3",
            )
            .bind(now + CLAIM_MS)
            .bind(id)
            .bind(next_at)
            .execute(&self.pool)
            .await
            .map_err(|e| e.to_string())?;
            if claimed.rows_affected() != 1 {
                continue;
            }
            tried += 1;
            let channel: String = r.get(1);
            let address: String = r.get(2);
            let subject: String = r.get(3);
            let body: String = r.get(4);
            let payload: Option<String> = r.get(5);
            let attempts = r.get::<i64, _>(6) + 1;
            let sent = match channel.as_str() {
                "erp_hook" => self.erp_hook(&address, payload.as_deref()).await,
                _ => match Channel::from_code(&channel) {
                    Some(Channel::Email) => self.mail(&address, &subject, &body).await,
                    Some(Channel::Webhook) => self.post(&address, payload.as_deref()).await,
                    _ => Ok(()),
                },
            };
            let at = self.clock.now().0;
            let update = match &sent {
                Ok(()) => sqlx::query(
                    "UPDATE notices SET status = 'sent', attempts = $1, sent_at = $2, last_error = NULL WHERE id = $3",
                )
                .bind(attempts)
                .bind(at)
                .bind(id),
                Err(e) => {
                    let failed = attempts >= i64::from(notice::MAX_ATTEMPTS);
                    sqlx::query(
                        "UPDATE notices SET status = $1, attempts = $2, next_at = $3, last_error = $4 WHERE id = $5",
                    )
                    .bind(if failed { "failed" } else { "pending" }.to_string())
                    .bind(attempts)
                    .bind(at + notice::retry_after_ms(attempts as u32))
                    .bind(e.clone())
                    .bind(id)
                }
            };
            update
                .execute(&self.pool)
                .await
                .map_err(|e| e.to_string())?;
            if let Err(e) = sent {
                eprintln!("notice {id} by {channel} to {address} not sent (try {attempts}): {e}");
            }
        }
        Ok(tried)
    }

    async fn mail(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        use lettre::message::header::ContentType;
        use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
        let url = self
            .relay
            .url
            .as_deref()
            .ok_or("no mail relay is configured (--smtp-url)")?;
        let message = Message::builder()
            .from(
                self.relay
                    .from
                    .parse()
                    .map_err(|e| format!("the sender {:?}: {e}", self.relay.from))?,
            )
            .to(to.parse().map_err(|e| format!("the address {to:?}: {e}"))?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| e.to_string())?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("the relay URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)));
        if let Some(tls) = self.relay.tls()? {
            builder = builder.tls(tls);
        }
        let transport = builder.build();
        transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("the relay refused or did not answer: {e}"))
    }

    /// An event to an ERP's subscription (`erp::enqueue_events`), signed with its secret.
    async fn erp_hook(&self, hook: &str, payload: Option<&str>) -> Result<(), String> {
        let (url, secret) = crate::erp::hook_target(&self.pool, hook)
            .await?
            .ok_or_else(|| format!("the subscription {hook} was revoked"))?;
        let body = payload.unwrap_or("{}").to_string();
        let at = self.clock.now().0;
        let event = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["event"].as_str().map(str::to_string))
            .unwrap_or_default();
        let answer = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .header("x-creditdesk-event", event)
            .header(
                "x-creditdesk-signature",
                crate::erp::signature(&secret, at, &body),
            )
            .body(body)
            .send()
            .await
            .map_err(|e| format!("the ERP did not answer: {e}"))?;
        if answer.status().is_success() {
            Ok(())
        } else {
            let status = answer.status();
            Err(format!(
                "the ERP answered {status}: {}",
                cut(&answer.text().await.unwrap_or_default())
            ))
        }
    }

    async fn post(&self, url: &str, payload: Option<&str>) -> Result<(), String> {
        let answer = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(payload.unwrap_or("{}").to_string())
            .send()
            .await
            .map_err(|e| format!("the webhook did not answer: {e}"))?;
        let status = answer.status();
        let text = answer.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!("the webhook answered {status}: {}", cut(&text)));
        }
        // WeCom and DingTalk answer 200 with {"errcode": n, "errmsg": …}: 0 is success.
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            if let Some(code) = v.get("errcode").and_then(|c| c.as_i64()) {
                if code != 0 {
                    return Err(format!("the robot refused it: {}", cut(&text)));
                }
            }
        }
        Ok(())
    }
}

fn cut(s: &str) -> String {
    s.chars().take(200).collect()
}
