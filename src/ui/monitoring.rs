//! Monitoring in the app: runs the rules (`creditdesk_domain::monitor`) over the customers whose
//! data changed, when the day changes, every hour and on demand; writes the alerts, tasks and
//! holds that changed in one transaction with their audit entries; announces new alerts.

use crate::ui::approvals::commit_audited;
use crate::ui::state::{db, now, with_data, with_data_mut, Data, SaveError};
use creditdesk_domain::approval::{Event, Permission, User};
use creditdesk_domain::monitor::{
    facts, Alert, AlertStatus, BacktestMonth, Facts, Hold, MonitorState, Rule, RuleProblem,
    RuleSet, RunReport, Task, TaskNote, TaskStatus,
};
use creditdesk_domain::request;
use creditdesk_domain::*;
use creditdesk_storage::idb::IdbStore;
use creditdesk_storage::{Batch, Docs, Store, StoreError};
use std::collections::BTreeMap;

/// The facts of some customers (all when `ids` is `None`) as of the data's day.
pub fn facts_of(d: &Data, ids: Option<&[CustomerId]>) -> Vec<Facts> {
    let one = |c: &Customer| {
        let s = d.summary(c.id);
        let (score, grade) = d
            .rated
            .get(&c.id)
            .copied()
            .unwrap_or((rating::Fixed(0), rating::Grade::C));
        let exposure = d
            .check_input(c.id)
            .map(|i| i.exposure.total(&d.policy))
            .unwrap_or_default();
        facts(
            c,
            &s,
            exposure,
            grade,
            score,
            d.monitor.previous.get(&c.id).copied(),
            d.as_of,
        )
    };
    match ids {
        None => d.customers.iter().map(one).collect(),
        Some(ids) => ids
            .iter()
            .filter_map(|id| d.customer(*id))
            .map(one)
            .collect(),
    }
}

/// How many of the customers `d`'s user sees a rule would fire for today (enabled or not), and
/// the names of the first `names` of them.
pub fn test_rule(d: &Data, rule: Rule, names: usize) -> (usize, Vec<String>) {
    let me = d.me();
    let facts: Vec<Facts> = facts_of(d, None)
        .into_iter()
        .filter(|f| d.visible(&me, f.customer))
        .collect();
    let one = RuleSet {
        version: 0,
        rules: vec![Rule {
            enabled: true,
            ..rule
        }],
    };
    let hits = creditdesk_domain::monitor::evaluate(&one, &facts);
    let list = hits
        .iter()
        .take(names)
        .filter_map(|(_, c, _)| d.customer(*c).map(|c| c.name.clone()))
        .collect();
    (hits.len(), list)
}

/// What `rules` would have done at each of the last 12 month ends: the facts of every customer
/// as of that day from the ledger (today's grades, scores and limits: their history is not kept;
/// exposure is open receivables plus open orders), run in order by `monitor::backtest`.
pub fn backtest_year(d: &Data, rules: &RuleSet) -> Vec<BacktestMonth> {
    let months: Vec<(Date, Vec<Facts>)> = (0..12)
        .rev()
        .map(|k| {
            let day = d.as_of.first_of_month().add_months(-k).add_days(-1);
            let facts = d
                .customers
                .iter()
                .map(|c| {
                    let s = d.ledger.summary(c.id, day);
                    let (score, grade) = d
                        .rated
                        .get(&c.id)
                        .copied()
                        .unwrap_or((rating::Fixed(0), rating::Grade::C));
                    facts(c, &s, s.open_ar + s.open_orders, grade, score, None, day)
                })
                .collect();
            (day, facts)
        })
        .collect();
    creditdesk_domain::monitor::backtest(rules, &months)
}

/// How monitoring's state is stored: alerts and tasks in stores of their own (one record each);
/// in the meta store, `monitor` (the id counter and the day of the last run), `holds`, and
/// `previous` (grades and scores of the last full run). The armed conditions are not stored:
/// they are the alerts not yet cleared.
pub(crate) fn counter_json(m: &MonitorState) -> String {
    serde_json::json!({ "seq": m.seq, "last_run": m.last_run }).to_string()
}

pub(crate) fn holds_json(holds: &BTreeMap<CustomerId, Vec<Hold>>) -> String {
    serde_json::to_string(holds).expect("json")
}

/// Reads the rules and the monitoring state at start-up.
pub async fn load(store: &IdbStore) -> Result<(RuleSet, MonitorState), StoreError> {
    let rules = match store.setting("rules").await? {
        Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
            web_sys::console::warn_1(&format!("rules unreadable, built-ins used: {e}").into());
            RuleSet::default()
        }),
        None => RuleSet::default(),
    };
    let mut state = MonitorState::default();
    if let Some(v) = store
        .setting("monitor")
        .await?
        .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
    {
        state.seq = v["seq"].as_u64().unwrap_or(0);
        state.last_run = serde_json::from_value(v["last_run"].clone()).unwrap_or(None);
    }
    if let Some(j) = store.setting("holds").await? {
        state.holds = serde_json::from_str(&j).unwrap_or_default();
    }
    if let Some(j) = store.setting("previous").await? {
        state.previous = serde_json::from_str(&j).unwrap_or_default();
    }
    for (key, json) in store.docs(Docs::Alerts).await? {
        state
            .alerts
            .push(
                serde_json::from_str::<Alert>(&json).map_err(|e| StoreError::Corrupt {
                    what: format!("alert {key}"),
                    error: e.to_string(),
                })?,
            );
    }
    for (key, json) in store.docs(Docs::Tasks).await? {
        state.tasks.push(
            serde_json::from_str::<Task>(&json).map_err(|e| StoreError::Corrupt {
                what: format!("task {key}"),
                error: e.to_string(),
            })?,
        );
    }
    state.alerts.sort_by_key(|a| a.raised_at);
    state.rearm_from_alerts();
    Ok((rules, state))
}

/// Runs the rules over some customers (all when `ids` is `None`) and writes what changed. The
/// run works on the state in memory (no copy of every alert per run); should the write fail, the
/// state is read back from the database.
pub async fn watch(ids: Option<Vec<CustomerId>>) -> Result<RunReport, StoreError> {
    let full = ids.is_none();
    let at = now().0;
    let planned = with_data_mut(|d| {
        let facts = facts_of(d, ids.as_deref());
        let previous_changed = full
            && facts
                .iter()
                .any(|f| d.monitor.previous.get(&f.customer) != Some(&(f.grade, f.score)));
        let report = d.monitor.run(&d.rules, &facts, d.as_of, at);
        if report.is_empty() && !previous_changed {
            return None;
        }
        let m = &d.monitor;
        // The records the run touched, by id.
        let alert_ids: std::collections::HashSet<&str> = report
            .raised
            .iter()
            .chain(&report.cleared)
            .map(String::as_str)
            .collect();
        let task_ids: std::collections::HashSet<&str> = report
            .tasks_opened
            .iter()
            .chain(&report.tasks_closed)
            .chain(report.broken_promises.iter().map(|(t, _, _)| t))
            .map(String::as_str)
            .collect();
        let mut docs = Vec::new();
        for a in m
            .alerts
            .iter()
            .filter(|a| alert_ids.contains(a.id.as_str()))
        {
            docs.push((
                Docs::Alerts,
                a.id.clone(),
                serde_json::to_string(a).expect("json"),
            ));
        }
        for t in m.tasks.iter().filter(|t| task_ids.contains(t.id.as_str())) {
            docs.push((
                Docs::Tasks,
                t.id.clone(),
                serde_json::to_string(t).expect("json"),
            ));
        }
        let mut settings = vec![("monitor".to_string(), counter_json(m))];
        if !report.held.is_empty() || !report.released.is_empty() {
            settings.push(("holds".into(), holds_json(&m.holds)));
        }
        if previous_changed {
            settings.push((
                "previous".into(),
                serde_json::to_string(&m.previous).expect("json"),
            ));
        }
        let fresh: Vec<Alert> = m
            .alerts
            .iter()
            .filter(|a| report.raised.contains(&a.id))
            .cloned()
            .collect();
        let name = |id: &CustomerId| d.customer(*id).map(|c| c.name.clone()).unwrap_or_default();
        let mut events = Vec::new();
        for c in &report.held {
            events.push(Event {
                who: "system".into(),
                what: "hold.set".into(),
                subject: format!("customer:{c}"),
                before: String::new(),
                after: m
                    .held(*c)
                    .iter()
                    .map(|h| h.rule.clone())
                    .collect::<Vec<_>>()
                    .join(","),
                why: name(c),
            });
        }
        for c in &report.released {
            events.push(Event {
                who: "system".into(),
                what: "hold.released".into(),
                subject: format!("customer:{c}"),
                before: "held".into(),
                after: m.held(*c).len().to_string(),
                why: "condition cleared".into(),
            });
        }
        Some((report, docs, settings, events, fresh))
    });
    let Some((report, docs, settings, events, fresh)) = planned else {
        return Ok(RunReport::default());
    };
    let batch = Batch {
        docs,
        settings,
        ..Batch::default()
    };
    let written = if events.is_empty() {
        match db() {
            Ok(store) => store.commit(&batch).await,
            Err(e) => Err(e),
        }
    } else {
        commit_audited(batch, events, at).await
    };
    if let Err(e) = written {
        // Memory ran ahead of the database: read the state back.
        if let Ok(store) = db() {
            if let Ok((_, m)) = load(&store).await {
                with_data_mut(|d| d.monitor = m);
            }
        }
        return Err(e);
    }
    announce(&fresh);
    propose_reviews(&fresh).await;
    Ok(report)
}

/// Files a review request for each new alert of a rule that asks for one: the limit down to what
/// the policy suggests from the last 12 months of sales (or kept, when that is not lower), by the
/// system user, through the usual route; all in one transaction with their audit entries.
/// Skipped for a customer with a limit request already open.
async fn propose_reviews(fresh: &[Alert]) {
    let system = crate::ui::approvals::system_user();
    let at = now();
    let (requests, events) = with_data(|d| {
        let mut requests: Vec<request::Request> = Vec::new();
        let mut events = Vec::new();
        for a in fresh.iter().filter(|a| a.review) {
            let Some(c) = d.customer(a.customer) else {
                continue;
            };
            let sales: Money = d
                .ledger
                .sales_per_month(a.customer, d.as_of, 12)
                .iter()
                .map(|(_, m)| *m)
                .sum();
            let suggested = d.policy.suggested_limit(d.grade(a.customer), sales).limit;
            let kind = request::RequestKind::PermanentChange {
                before: c.limits.permanent,
                after: suggested.min(c.limits.permanent),
            };
            if creditdesk_domain::workflow::open_conflict(&d.requests, a.customer, &kind).is_some()
            {
                continue;
            }
            let route =
                creditdesk_domain::workflow::route_for(&d.routes, &kind, d.grade(a.customer));
            let r = request::draft(
                RequestId::from_u128(crate::ui::state::new_uuid()),
                Meta::new(d.device, at),
                a.customer,
                kind,
                format!("{} {}: {} = {}", a.rule, a.name, a.metric.code(), a.value),
                &system.id,
                route,
                d.as_of,
            );
            if let Ok(out) = creditdesk_domain::workflow::submit(r, &system, at.0) {
                events.extend(out.events);
                requests.push(out.request);
            }
        }
        (requests, events)
    });
    if requests.is_empty() {
        return;
    }
    let batch = Batch {
        requests: requests
            .iter()
            .map(|r| (r.id.to_string(), serde_json::to_value(r).expect("json")))
            .collect(),
        ..Batch::default()
    };
    match commit_audited(batch, events, at.0).await {
        Ok(()) => with_data_mut(|d| {
            for r in requests {
                d.requests.insert(0, r);
            }
        }),
        Err(e) => web_sys::console::warn_1(&format!("reviews not filed: {e}").into()),
    }
}

/// Whether an alert is for this user: one of its roles, or the customer's rep.
pub fn is_for(a: &Alert, me: &User) -> bool {
    a.roles.iter().any(|r| me.has(*r)) || a.rep.as_deref() == Some(me.name.as_str())
}

/// Shows new alerts for the signed-in user as browser notifications, when allowed.
fn announce(fresh: &[Alert]) {
    if fresh.is_empty() {
        return;
    }
    let me = with_data(|d| d.me());
    let mine: Vec<&Alert> = fresh.iter().filter(|a| is_for(a, &me)).collect();
    if mine.is_empty()
        || web_sys::Notification::permission() != web_sys::NotificationPermission::Granted
    {
        return;
    }
    let body = mine
        .iter()
        .take(3)
        .map(|a| {
            format!(
                "{} {} · {}",
                a.rule,
                a.name,
                with_data(|d| d
                    .customer(a.customer)
                    .map(|c| c.name.clone())
                    .unwrap_or_default())
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let opts = web_sys::NotificationOptions::new();
    opts.set_body(&body);
    let _ = web_sys::Notification::new_with_options(&format!("CreditDesk: {}", mine.len()), &opts);
}

/// Asks the browser for permission to show notifications.
pub fn ask_notifications() {
    // The browser asks the user; the answer is read when the next alert comes.
    let _ = web_sys::Notification::request_permission();
}

/// Acknowledges or resolves an alert.
pub async fn set_alert(id: String, status: AlertStatus) -> Result<(), SaveError> {
    let me = with_data(|d| d.me());
    let Some(mut a) = with_data(|d| d.monitor.alerts.iter().find(|a| a.id == id).cloned()) else {
        return Err(SaveError::Store("unknown alert".into()));
    };
    if !is_for(&a, &me) && !me.may(Permission::SeeAllCustomers) {
        return Err(SaveError::Denied(
            creditdesk_domain::approval::ApprovalError::NotPermitted,
        ));
    }
    a.status = status;
    let json = serde_json::to_string(&a).expect("json");
    let batch = Batch {
        docs: vec![(Docs::Alerts, a.id.clone(), json)],
        ..Batch::default()
    };
    db()?.commit(&batch).await?;
    with_data_mut(|d| {
        if let Some(slot) = d.monitor.alerts.iter_mut().find(|x| x.id == id) {
            *slot = a;
        }
    });
    Ok(())
}

/// Records what was done on a collection task: a note and its new status.
pub async fn update_task(id: String, status: TaskStatus, note: String) -> Result<(), SaveError> {
    let me = with_data(|d| d.me());
    let Some(mut t) = with_data(|d| d.monitor.tasks.iter().find(|t| t.id == id).cloned()) else {
        return Err(SaveError::Store("unknown task".into()));
    };
    if t.owner != me.name && !me.may(Permission::SeeAllCustomers) {
        return Err(SaveError::Denied(
            creditdesk_domain::approval::ApprovalError::NotPermitted,
        ));
    }
    if t.closed_on.is_some() {
        return Err(SaveError::Denied(
            creditdesk_domain::approval::ApprovalError::NotOpen,
        ));
    }
    if let TaskStatus::Promised { amount, .. } = &status {
        if !amount.is_positive() {
            return Err(SaveError::Invalid(vec![FieldError::new(
                "amount",
                Problem::NotPositive,
            )]));
        }
    }
    if note.trim().is_empty() {
        return Err(SaveError::Invalid(vec![FieldError::new(
            "note",
            Problem::Required,
        )]));
    }
    t.status = status.clone();
    t.promise_broken = false;
    t.notes.push(TaskNote {
        at: now().0,
        who: me.id.clone(),
        text: note.trim().to_string(),
        status,
    });
    let json = serde_json::to_string(&t).expect("json");
    db()?
        .commit(&Batch {
            docs: vec![(Docs::Tasks, t.id.clone(), json)],
            ..Batch::default()
        })
        .await?;
    with_data_mut(|d| {
        if let Some(slot) = d.monitor.tasks.iter_mut().find(|x| x.id == id) {
            *slot = t;
        }
    });
    Ok(())
}

/// Saves the rules as a new version, audited; then runs them over every customer.
pub async fn save_rules(rules: RuleSet, why: String) -> Result<u32, Vec<RuleProblem>> {
    let mut problems = rules.problems();
    let (me, before) = with_data(|d| (d.me(), d.rules.clone()));
    if !me.may(Permission::EditPolicy) {
        problems.push(RuleProblem {
            code: "M000",
            at: "rules".into(),
            detail: "your role may not change the rules",
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let rules = RuleSet {
        version: before.version + 1,
        ..rules
    };
    crate::ui::approvals::save_config("rules", &me, &before, &rules, None, why)
        .await
        .map_err(|_| {
            vec![RuleProblem {
                code: "M-STORE",
                at: "database".into(),
                detail: "the database refused the write",
            }]
        })?;
    let version = rules.version;
    with_data_mut(|d| d.rules = rules);
    let _ = watch(None).await;
    Ok(version)
}

/// Runs the rules over the customers a change touched, in the background.
pub fn after_change(ids: Vec<CustomerId>) {
    leptos::task::spawn_local(async move {
        match watch(Some(ids)).await {
            Ok(r) if !r.is_empty() => {
                if let Some(state) = crate::ui::state::AppState::current() {
                    state.changed();
                }
            }
            Ok(_) => {}
            Err(e) => web_sys::console::warn_1(&format!("rules not run: {e}").into()),
        }
    });
}
