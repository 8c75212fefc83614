//! Notices: who hears of what, by which channel, in which words. Pure: the server decides when
//! to ask (after every command and on its schedule) and delivers what this module returns.
//!
//! - [`Settings`]: the administrator's default channels per [`Kind`] and each user's
//!   [`Contact`] (e-mail address, webhook, language, their own channels, and their manager: the
//!   "sales lead" of the customers they are the rep of).
//! - [`alert_notices`] and [`request_notices`]: the notices due, one per recipient, each with a
//!   stable `key` so that asking twice sends nothing twice.
//! - [`deliveries`]: a notice's channels for its recipient; [`webhook_payload`] the JSON that
//!   WeCom, DingTalk and Slack incoming webhooks accept.
//!
//! Who hears of an alert: its rule's roles and the customer's rep, except that the sales manager
//! role means the rep's own manager when the directory names one (not every sales manager).
//! Who hears of a request: each approver who may act on its current step when the step starts
//! and again when it is late; the next level up of a role still missing once it is past its
//! escalation time ([`crate::approval::Flow::inbox_reason`]). Only events at or after `since`
//! (when notices were turned on) are due, so a first start does not send the history.

use crate::approval::{Escalation, Inbox, Role, User};
use crate::id::CustomerId;
use crate::monitor::{alert_sentence, Alert, AlertStatus};
use crate::request::{Request, RequestKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a notice is about: each user chooses channels per kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A request waits for the user's decision (when its step starts, and when it is late).
    Approval,
    /// A request is past its escalation time and the user is the next level up.
    Escalation,
    /// A warning rule fired for a customer the user looks after.
    Alert,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Approval, Kind::Escalation, Kind::Alert];
    pub fn code(self) -> &'static str {
        match self {
            Kind::Approval => "approval",
            Kind::Escalation => "escalation",
            Kind::Alert => "alert",
        }
    }
    pub fn from_code(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// How a notice reaches a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The messages list in the app.
    Inbox,
    Email,
    /// The user's webhook (a WeCom, DingTalk or Slack robot, or any JSON endpoint).
    Webhook,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Inbox, Channel::Email, Channel::Webhook];
    pub fn code(self) -> &'static str {
        match self {
            Channel::Inbox => "inbox",
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }
    pub fn from_code(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// The JSON shape a webhook takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flavour {
    /// 企业微信 group robot: `{"msgtype":"text","text":{"content":…}}`.
    WeCom,
    /// 钉钉 custom robot: the same text message shape.
    DingTalk,
    /// Slack incoming webhook: `{"text":…}`.
    Slack,
    /// Any endpoint: the notice's fields as they are.
    Json,
}

/// A webhook: where it posts and in which shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hook {
    pub flavour: Flavour,
    pub url: String,
}

/// The language a person's notices are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    /// `zh` or `en`; empty is Chinese (the default).
    pub fn from_code(s: &str) -> Option<Lang> {
        match s.trim() {
            "" | "zh" | "zh-CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// How to reach one user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub hook: Option<Hook>,
    #[serde(default)]
    pub lang: Lang,
    /// The user's manager (a user id): the sales lead of the customers this user is the rep of.
    /// Set by the administrator.
    #[serde(default)]
    pub manager: Option<String>,
    /// The user's own channels per kind; a kind not named here takes the defaults.
    #[serde(default)]
    pub channels: BTreeMap<Kind, Vec<Channel>>,
}

/// Who is told what, and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub version: u32,
    /// The channels of a kind for anyone who has not chosen their own.
    pub defaults: BTreeMap<Kind, Vec<Channel>>,
    /// By user id.
    #[serde(default)]
    pub contacts: BTreeMap<String, Contact>,
    /// The server e-mails a customer the reminder a rule drafts (its `notice` action, such as
    /// W1001's) by itself, in the customer's language; else only when someone sends it.
    #[serde(default)]
    pub customer_reminders: bool,
}

impl Default for Settings {
    /// Every kind in the app's messages and by e-mail (for those with an address).
    fn default() -> Self {
        Settings {
            version: 0,
            defaults: Kind::ALL
                .into_iter()
                .map(|k| (k, vec![Channel::Inbox, Channel::Email]))
                .collect(),
            contacts: BTreeMap::new(),
            customer_reminders: false,
        }
    }
}

/// A problem of the settings, with a stable code and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// `N001`…: see [`Settings::problems`].
    pub code: String,
    pub at: String,
    pub detail: String,
}

/// Whether `s` reads as one e-mail address (`name@domain.tld`, no spaces).
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',' || c == ';')
        && s.len() <= 254
}

impl Settings {
    /// Every problem at once:
    /// - `N001` an e-mail address that is not one;
    /// - `N002` a webhook whose URL is not `http(s)://host…`;
    /// - `N003` a manager who is not in the directory, or the user themself;
    /// - `N004` a contact for someone not in the directory;
    /// - `N005` a user chose e-mail (or a webhook) without giving an address (or a URL);
    /// - `N006` a kind with no channel at all (the defaults must reach people somewhere).
    pub fn problems(&self, users: &[User]) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut add = |code: &str, at: String, detail: String| {
            out.push(Problem {
                code: code.into(),
                at,
                detail,
            })
        };
        for k in Kind::ALL {
            if self.defaults.get(&k).is_none_or(|c| c.is_empty()) {
                add(
                    "N006",
                    format!("defaults: {}", k.code()),
                    "each kind needs at least one channel".into(),
                );
            }
        }
        for (id, c) in &self.contacts {
            let at = |field: &str| format!("user {id}: {field}");
            if !users.iter().any(|u| &u.id == id) {
                add("N004", at("user"), format!("{id} is not in the directory"));
                continue;
            }
            let email = c.email.trim();
            if !email.is_empty() && !is_email(email) {
                add(
                    "N001",
                    at("email"),
                    format!("{email:?} is not an e-mail address"),
                );
            }
            if let Some(h) = &c.hook {
                let rest = h
                    .url
                    .strip_prefix("https://")
                    .or_else(|| h.url.strip_prefix("http://"));
                if rest.is_none_or(|r| r.is_empty() || r.starts_with('/') || r.contains(' ')) {
                    add(
                        "N002",
                        at("webhook"),
                        format!("{:?} is not an http(s) URL", h.url),
                    );
                }
            }
            if let Some(m) = &c.manager {
                if m == id {
                    add("N003", at("manager"), "nobody is their own manager".into());
                } else if !users.iter().any(|u| &u.id == m) {
                    add(
                        "N003",
                        at("manager"),
                        format!("{m} is not in the directory"),
                    );
                }
            }
            for (k, chosen) in &c.channels {
                if chosen.contains(&Channel::Email) && email.is_empty() {
                    add(
                        "N005",
                        at(k.code()),
                        "e-mail is chosen but there is no address".into(),
                    );
                }
                if chosen.contains(&Channel::Webhook) && c.hook.is_none() {
                    add(
                        "N005",
                        at(k.code()),
                        "a webhook is chosen but there is none".into(),
                    );
                }
            }
        }
        out
    }

    pub fn contact(&self, user: &str) -> Option<&Contact> {
        self.contacts.get(user)
    }

    fn zh(&self, user: &str) -> bool {
        self.contact(user).is_none_or(|c| c.lang == Lang::Zh)
    }

    /// The channels of `kind` for `user`: their own choice, else the defaults.
    pub fn channels(&self, user: &str, kind: Kind) -> Vec<Channel> {
        self.contact(user)
            .and_then(|c| c.channels.get(&kind))
            .or_else(|| self.defaults.get(&kind))
            .cloned()
            .unwrap_or_else(|| vec![Channel::Inbox])
    }

    /// The sales lead of a customer whose rep is `rep`: the rep's manager, when named.
    pub fn lead_of(&self, rep: &str) -> Option<&str> {
        self.contact(rep).and_then(|c| c.manager.as_deref())
    }

    /// What `user` may see of the settings: everything for an administrator; otherwise the
    /// defaults and their own contact (webhook URLs carry tokens; addresses are not everyone's).
    pub fn seen_by(&self, user: &User) -> Settings {
        if user.has(Role::Admin) {
            return self.clone();
        }
        Settings {
            version: self.version,
            customer_reminders: self.customer_reminders,
            defaults: self.defaults.clone(),
            contacts: self
                .contacts
                .get(&user.id)
                .map(|c| (user.id.clone(), c.clone()))
                .into_iter()
                .collect(),
        }
    }

    /// The settings with each webhook's URL cut to its scheme and host (a robot's URL is its
    /// password): what the audit trail records.
    pub fn redacted(&self) -> Settings {
        let mut s = self.clone();
        for c in s.contacts.values_mut() {
            if let Some(h) = &mut c.hook {
                let (scheme, rest) = h.url.split_once("://").unwrap_or(("", &h.url));
                let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
                h.url = format!("{scheme}://{host}/…");
            }
        }
        s
    }

    /// The settings after `user` (not an administrator) changes their own contact: everything
    /// else, their manager included, stays as it is.
    pub fn with_own(&self, user: &str, mut mine: Contact) -> Settings {
        mine.manager = self.contact(user).and_then(|c| c.manager.clone());
        let mut next = self.clone();
        next.contacts.insert(user.to_string(), mine);
        next
    }
}

/// One notice for one person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Stable: the same event for the same person always has the same key.
    pub key: String,
    pub kind: Kind,
    /// The recipient's user id.
    pub user: String,
    pub customer: Option<CustomerId>,
    pub subject: String,
    pub body: String,
    /// When the event happened (milliseconds).
    pub at: i64,
}

/// Who hears of an alert: the rep (when the rule reaches the rep), and the users of the rule's
/// roles, the sales manager role narrowed to the rep's manager when the directory names one.
pub fn alert_recipients(a: &Alert, rep: &str, users: &[User], settings: &Settings) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |id: &str| {
        if users.iter().any(|u| u.id == id) && !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    };
    if let Some(r) = a.rep.as_deref() {
        add(r);
    }
    for role in &a.roles {
        let lead = (*role == Role::SalesManager)
            .then(|| settings.lead_of(rep))
            .flatten()
            .filter(|m| users.iter().any(|u| u.id == *m));
        match lead {
            Some(m) => add(m),
            None => users
                .iter()
                .filter(|u| u.has(*role))
                .for_each(|u| add(&u.id)),
        }
    }
    out
}

/// The notices of the open alerts raised at or after `since`. `customer` gives a customer's name
/// and its rep's id; `hides(alert, user)` whether the alert's value reads a field hidden from that
/// user (their notice then says so instead of the value).
pub fn alert_notices<'a>(
    alerts: &[Alert],
    customer: impl Fn(CustomerId) -> Option<(&'a str, &'a str)>,
    users: &[User],
    settings: &Settings,
    since: i64,
    hides: impl Fn(&Alert, &str) -> bool,
) -> Vec<Notice> {
    let mut out = Vec::new();
    for a in alerts
        .iter()
        .filter(|a| a.status == AlertStatus::Open && a.raised_at >= since)
    {
        let Some((name, rep)) = customer(a.customer) else {
            continue;
        };
        for user in alert_recipients(a, rep, users, settings) {
            let redacted;
            let a = if hides(a, &user) {
                redacted = a.redacted();
                &redacted
            } else {
                a
            };
            let zh = settings.zh(&user);
            let rep_name = users
                .iter()
                .find(|u| u.id == rep)
                .map_or(rep, |u| u.name.as_str());
            let (subject, body) = if zh {
                (
                    format!("【CreditDesk】{name}：{}", crate::monitor::rule_name(true, &a.rule, &a.name)),
                    format!(
                        "{}\n\n客户：{name}\n销售代表：{rep_name}\n日期：{}\n\n请在 CreditDesk 的“提醒”页查看并处理。",
                        alert_sentence(true, a),
                        a.raised_on.iso()
                    ),
                )
            } else {
                (
                    format!("[CreditDesk] {name}: {}", a.name),
                    format!(
                        "{}\n\nCustomer: {name}\nSales rep: {rep_name}\nDate: {}\n\nOpen Alerts in CreditDesk to act on it.",
                        alert_sentence(false, a),
                        a.raised_on.iso()
                    ),
                )
            };
            out.push(Notice {
                key: format!("alert:{}:{user}", a.id),
                kind: Kind::Alert,
                user,
                customer: Some(a.customer),
                subject,
                body,
                at: a.raised_at,
            });
        }
    }
    out
}

/// What a request asks, in a few words.
/// A request in words as its holder may read it: in a copy made for a user from whom limits are
/// hidden ([`Request::without_limits`](crate::request::Request::without_limits)), a limit it
/// holds as zero reads "hidden".
pub fn request_text_of(zh: bool, r: &crate::request::Request) -> String {
    let hidden = if zh { "已隐藏" } else { "hidden" };
    request_words(zh, &r.kind, &|m| {
        if r.limits_hidden && m.is_zero() {
            hidden.to_string()
        } else {
            m.format_cny()
        }
    })
}

pub fn request_text(zh: bool, kind: &RequestKind) -> String {
    request_words(zh, kind, &|m| m.format_cny())
}

/// A request's kind in words, each limit it names as `limit` writes it.
fn request_words(
    zh: bool,
    kind: &RequestKind,
    limit: &dyn Fn(&crate::money::Money) -> String,
) -> String {
    use RequestKind::*;
    match (kind, zh) {
        (FirstApplication { limit: l, .. }, true) => format!("首次授信 {}", limit(l)),
        (FirstApplication { limit: l, .. }, false) => format!("first limit of {}", limit(l)),
        (PermanentChange { before, after, .. }, true) => {
            format!("额度调整 {} → {}", limit(before), limit(after))
        }
        (PermanentChange { before, after, .. }, false) => {
            format!("limit change {} → {}", limit(before), limit(after))
        }
        (TemporaryLimit { amount, start, end }, true) => format!(
            "临时额度 {}（{} 至 {}）",
            limit(amount),
            start.iso(),
            end.iso()
        ),
        (TemporaryLimit { amount, start, end }, false) => format!(
            "temporary limit of {} ({} to {})",
            limit(amount),
            start.iso(),
            end.iso()
        ),
        (Freeze, true) => "冻结".into(),
        (Freeze, false) => "freeze".into(),
        (Unfreeze { .. }, true) => "解冻".into(),
        (Unfreeze { .. }, false) => "unfreeze".into(),
        (GradeOverride { from, to, .. }, true) => format!("评级调整 {from} → {to}"),
        (GradeOverride { from, to, .. }, false) => format!("grade override {from} → {to}"),
        (ReleaseHeldOrder { number, amount, .. }, true) => {
            format!("放行订单 {number}（{}）", amount.format_cny())
        }
        (ReleaseHeldOrder { number, amount, .. }, false) => {
            format!("release of order {number} ({})", amount.format_cny())
        }
        (WriteOff { number, amount, .. }, true) => {
            format!("核销发票 {number} 争议金额（{}）", amount.format_cny())
        }
        (WriteOff { number, amount, .. }, false) => {
            format!(
                "write-off of {} disputed on invoice {number}",
                amount.format_cny()
            )
        }
    }
}

/// When (milliseconds, UTC+8) reads as people read it: `2026-06-15 10:00`.
fn when(ms: i64) -> String {
    use crate::date::{business_day, BUSINESS_OFFSET_MS, DAY_MS};
    let day = business_day(ms);
    let minutes = (ms + BUSINESS_OFFSET_MS).rem_euclid(DAY_MS) / 60_000;
    format!("{} {:02}:{:02}", day.iso(), minutes / 60, minutes % 60)
}

/// The notices the open requests owe at `now`: each approver who may act on a step when it
/// starts and once more when it is late; the next level up once it is past its escalation time.
/// Only events at or after `since`.
pub fn request_notices(
    requests: &[Request],
    customer_name: impl Fn(CustomerId) -> Option<String>,
    users: &[User],
    settings: &Settings,
    now: i64,
    since: i64,
) -> Vec<Notice> {
    let mut out = Vec::new();
    for r in requests {
        let crate::approval::State::InStep(step) = r.flow.state else {
            continue;
        };
        let Some((due, escalate)) = r.flow.deadlines() else {
            continue;
        };
        let late = r.flow.overdue(now);
        // The notices below, for any user: its step began, its time to decide passed, its step
        // escalated, each since `since`. The server asks every round, of every open request:
        // one with none of them has its texts left unmade.
        if r.flow.step_since < since
            && !(late.is_some() && due >= since)
            && !(late == Some(Escalation::NextLevel) && escalate >= since)
        {
            continue;
        }
        let Some(name) = customer_name(r.customer) else {
            continue;
        };
        let requester = users
            .iter()
            .find(|u| u.id == r.requested_by)
            .map_or(r.requested_by.as_str(), |u| u.name.as_str());
        for u in users {
            let zh = settings.zh(&u.id);
            let what = request_text(zh, &r.kind);
            let mut push = |event: &str, kind: Kind, at: i64, subject: String, body: String| {
                out.push(Notice {
                    key: format!("request:{}:{step}:{event}:{}", r.id, u.id),
                    kind,
                    user: u.id.clone(),
                    customer: Some(r.customer),
                    subject,
                    body,
                    at,
                });
            };
            let detail = if zh {
                format!(
                    "客户：{name}\n申请：{what}\n申请人：{requester}\n理由：{}\n审批时限：{}",
                    r.reason,
                    when(due)
                )
            } else {
                format!(
                    "Customer: {name}\nRequest: {what}\nRequested by: {requester}\nReason: {}\nDecide by: {}",
                    r.reason,
                    when(due)
                )
            };
            match r.flow.inbox_reason(u, now) {
                Some(Inbox::Waiting | Inbox::Overdue) => {
                    if r.flow.step_since >= since {
                        let (s, b) = if zh {
                            (
                                format!("【CreditDesk】待您审批：{name}（{what}）"),
                                format!("{detail}\n\n请在 CreditDesk 的“审批”页处理。"),
                            )
                        } else {
                            (
                                format!("[CreditDesk] Waiting for your decision: {name} ({what})"),
                                format!("{detail}\n\nOpen the Inbox in CreditDesk to decide."),
                            )
                        };
                        push("waiting", Kind::Approval, r.flow.step_since, s, b);
                    }
                    if late.is_some() && due >= since {
                        let (s, b) = if zh {
                            (
                                format!("【CreditDesk】审批已超时：{name}（{what}）"),
                                format!(
                                    "{detail}\n\n已超过审批时限，请尽快处理；{} 起将升级至上级。",
                                    when(escalate)
                                ),
                            )
                        } else {
                            (format!("[CreditDesk] Late: {name} ({what})"), format!("{detail}\n\nThe time to decide has passed; from {} it goes to the next level up.", when(escalate)))
                        };
                        push("late", Kind::Approval, due, s, b);
                    }
                }
                Some(Inbox::Escalated)
                    if late == Some(Escalation::NextLevel) && escalate >= since =>
                {
                    let missing: Vec<&str> =
                        r.flow.missing_roles().iter().map(|r| r.code()).collect();
                    let (s, b) = if zh {
                        (
                            format!("【CreditDesk】审批已升级：{name}（{what}）"),
                            format!(
                                "{detail}\n\n该步骤（待 {} 审批）已超过升级时限，您是其上级。",
                                missing.join("、")
                            ),
                        )
                    } else {
                        (format!("[CreditDesk] Escalated to you: {name} ({what})"), format!("{detail}\n\nThe step (waiting for {}) is past its escalation time; you are the next level up.", missing.join(", ")))
                    };
                    push("escalated", Kind::Escalation, escalate, s, b);
                }
                _ => {}
            }
        }
    }
    out
}

/// Where a notice goes for its recipient: (channel, address). E-mail without an address and a
/// webhook the user has not set are left out; the messages list needs no address.
pub fn deliveries(n: &Notice, settings: &Settings) -> Vec<(Channel, String)> {
    let contact = settings.contact(&n.user);
    settings
        .channels(&n.user, n.kind)
        .into_iter()
        .filter_map(|ch| match ch {
            Channel::Inbox => Some((ch, String::new())),
            Channel::Email => contact
                .map(|c| c.email.trim())
                .filter(|e| !e.is_empty())
                .map(|e| (ch, e.to_string())),
            Channel::Webhook => contact
                .and_then(|c| c.hook.as_ref())
                .map(|h| (ch, h.url.clone())),
        })
        .collect()
}

/// The JSON a webhook of this flavour accepts for a notice.
pub fn webhook_payload(flavour: Flavour, n: &Notice) -> serde_json::Value {
    let text = format!("{}\n\n{}", n.subject, n.body);
    match flavour {
        Flavour::WeCom | Flavour::DingTalk => serde_json::json!({
            "msgtype": "text",
            "text": { "content": text },
        }),
        Flavour::Slack => serde_json::json!({ "text": format!("*{}*\n{}", n.subject, n.body) }),
        Flavour::Json => serde_json::json!({
            "key": n.key,
            "kind": n.kind.code(),
            "user": n.user,
            "customer": n.customer.map(|c| c.to_string()),
            "subject": n.subject,
            "body": n.body,
            "at": n.at,
        }),
    }
}

/// How long to wait before the next try of a delivery that failed `attempts` times: 1, 5, 15
/// minutes, then hourly doubling up to a day.
pub fn retry_after_ms(attempts: u32) -> i64 {
    const MIN: i64 = 60_000;
    match attempts {
        0 | 1 => MIN,
        2 => 5 * MIN,
        3 => 15 * MIN,
        n => ((60 * MIN) << (n - 4).min(5)).min(24 * 60 * MIN),
    }
}

/// After this many failed tries a delivery is marked failed (kept, and an administrator may
/// send it again).
pub const MAX_ATTEMPTS: u32 = 10;

/// The reminder to a customer about its open invoices, in the customer's language (subject and
/// body, as the app drafts it); `None` when nothing is open.
pub fn customer_reminder(
    c: &crate::party::Customer,
    items: &[crate::ledger::OpenItem],
    as_of: crate::date::Date,
) -> Option<(String, String)> {
    reminder(c.lang == Lang::Zh, &c.name, items, as_of)
}

/// The reminder about `items` to the customer named `name`, in Chinese or English (the page
/// lets the user pick); `None` when nothing is open: there is no letter of "¥0.00 open".
pub fn reminder(
    zh: bool,
    name: &str,
    items: &[crate::ledger::OpenItem],
    as_of: crate::date::Date,
) -> Option<(String, String)> {
    (!items.is_empty()).then(|| crate::monitor::notice_text(zh, name, items, as_of))
}
