//! Monitoring: the rules (`creditdesk_domain::monitor`) run over the customers whose data
//! changed, when the day changes, periodically and on demand; a run writes the alerts, tasks
//! and holds that changed in one transaction with their audit entries, then files the review
//! requests its new alerts ask for.
//!
//! How monitoring's state is stored: alerts and tasks in stores of their own (one record each);
//! in the meta store the typed settings `monitor` (the id counter and the day of the last run),
//! `holds`, and `previous` (grades and scores of the last full run). The armed conditions are not
//! stored: they are the alerts not yet cleared.
//!
//! A run over every customer takes turns for the page (a browser's first start over a large book
//! raises some 11,500 alerts): the facts a few thousand customers a step, the rules over 2,500
//! (runs over some customers at a time are together the one run), the records and the trail's
//! entries in steps, and the store makes the write's values with turns. What a command changes in
//! a turn is never written over: the facts and the run look at the book's mark after each turn,
//! the write before it begins and again, through the store, right before its transaction; a
//! book that moved has what is left made again at once from the book as it is then.

use crate::book::Book;
use crate::exec::commit_audited;
use crate::CommandError;
use creditdesk_domain::approval::{Event, Permission, User};
use creditdesk_domain::monitor::{
    facts, Alert, AlertStatus, BacktestMonth, Facts, Metric, MonitorState, Rule, RuleSet,
    RunReport, Task,
};
use creditdesk_domain::request;
use creditdesk_domain::sort;
use creditdesk_domain::*;
use creditdesk_storage::settings::{self, MonitorCounter};
use creditdesk_storage::{Batch, Docs, Store, StoreError};
use std::cell::RefCell;
use std::collections::HashSet;

/// The facts of some customers (all when `ids` is `None`) as of the book's day.
pub fn facts_of(d: &Book, ids: Option<&[CustomerId]>) -> Vec<Facts> {
    let one = |c: &Customer| facts_of_one(d, c);
    match ids {
        None => d.customers.iter().map(one).collect(),
        Some(ids) => ids
            .iter()
            .filter_map(|id| d.customer(*id))
            .map(one)
            .collect(),
    }
}

/// One customer's facts as the rules see them today.
fn facts_of_one(d: &Book, c: &Customer) -> Facts {
    let s = d.summary_for_rules(c.id);
    let (score, grade) = d.score_and_grade(c.id);
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
    .with_custom(&d.fields, c, d.as_of)
}

/// How many alerts are parsed between two turns for the page (at a start, and after a restore).
pub(crate) const ALERTS_PER_TURN: usize = 2_000;

/// How many customers' facts a run over everyone makes between two turns for the page (the
/// large book's 10,000 were half of the run's task of 60 ms in a traced start).
const FACTS_PER_TURN: usize = 2_000;

/// Every customer's facts, [`FACTS_PER_TURN`] at a time with a turn for the page between. Should
/// the book move meanwhile (a command's trail entry, a new day, customers added, another run of
/// the rules, the book replaced by a start or a sync), they are made again at once: a run never
/// mixes facts from before and after a change.
async fn facts_in_steps<S: Store>(store: &S, book: &RefCell<Book>) -> Vec<Facts> {
    let mark = |d: &Book| {
        (
            d.made,
            d.rules_runs,
            d.audit.last().map(|e| e.hash.clone()),
            d.as_of,
            d.customers.len(),
        )
    };
    let before = mark(&book.borrow());
    let n = book.borrow().customers.len();
    let mut facts = Vec::with_capacity(n);
    let mut at = 0;
    while at < n {
        let end = (at + FACTS_PER_TURN).min(n);
        {
            let d = book.borrow();
            facts.extend(d.customers[at..end].iter().map(|c| facts_of_one(&d, c)));
        }
        at = end;
        if at < n {
            store.breathe().await;
            if mark(&book.borrow()) != before {
                return facts_of(&book.borrow(), None);
            }
        }
    }
    facts
}

/// Whether an alert is for this user: one of its roles, or the customer's rep.
pub fn is_for(a: &Alert, user: &User) -> bool {
    a.roles.iter().any(|r| user.has(*r)) || a.rep.as_deref() == Some(user.id.as_str())
}

/// How many of the customers `user` sees a rule would fire for today (enabled or not), and the
/// names of the first `names` of them.
pub fn test_rule(d: &Book, user: &User, rule: Rule, names: usize) -> (usize, Vec<String>) {
    let facts: Vec<Facts> = facts_of(d, None)
        .into_iter()
        .filter(|f| d.visible(user, f.customer))
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

/// What `rules` would have done at each of the last 12 month ends, over the customers `user`
/// sees (as the rule test beside it counts): the facts of each as of that day from the ledger
/// (today's grades, scores and limits: their history is not kept; exposure is open receivables
/// plus open orders), run in order by `monitor::backtest`.
pub fn backtest_year(d: &Book, user: &User, rules: &RuleSet) -> Vec<BacktestMonth> {
    let months: Vec<(Date, Vec<Facts>)> = (0..12)
        .rev()
        .map(|k| {
            let day = d.as_of.first_of_month().add_months(-k).add_days(-1);
            let facts = d
                .customers
                .iter()
                .filter(|c| user.sees(&c.sales_rep))
                .map(|c| {
                    let mut s = d.ledger.summary(c.id, day);
                    creditdesk_domain::dispute::apply(&d.ledger, c, &mut s, day);
                    let s = s.counting(d.policy.disputes.in_rules);
                    let (score, grade) = d.score_and_grade(c.id);
                    facts(c, &s, s.open_ar + s.open_orders, grade, score, None, day)
                        .with_custom(&d.fields, c, day)
                })
                .collect();
            (day, facts)
        })
        .collect();
    creditdesk_domain::monitor::backtest(rules, &months)
}

/// The rules and monitoring's state as stored. Rules that no longer read are replaced by the
/// built-ins, and said so in the second value (a warning for the console).
pub async fn load<S: Store>(
    store: &S,
) -> Result<(RuleSet, MonitorState, Option<String>), StoreError> {
    let (rules, warning) = match settings::RULES.read(store).await {
        Ok(r) => (r.unwrap_or_default(), None),
        Err(e) => (
            RuleSet::default(),
            Some(format!("{e}; built-in rules used")),
        ),
    };
    let mut state = MonitorState::default();
    if let Some(MonitorCounter { seq, last_run }) = settings::MONITOR.read(store).await? {
        state.seq = seq;
        state.last_run = last_run;
    }
    state.holds = settings::HOLDS.read(store).await?.unwrap_or_default();
    state.previous = settings::PREVIOUS.read(store).await?.unwrap_or_default();
    // The large book's 12,000 alerts are about 25 ms of parsing in a browser: a turn for the
    // page every 2,000.
    state.alerts = crate::load::parse_docs(store, Docs::Alerts, "alert", ALERTS_PER_TURN, |j| {
        serde_json::from_str::<Alert>(j)
    })
    .await?
    .into_iter()
    .map(|(_, a)| a)
    .collect();
    for (key, json) in store.docs(Docs::Tasks).await? {
        state.tasks.push(
            serde_json::from_str::<Task>(&json)
                .map_err(|e| StoreError::corrupt(format!("task {key}"), e))?,
        );
    }
    sort::by_key(&mut state.alerts, |a| a.raised_at);
    state.rearm_from_alerts();
    Ok((rules, state, warning))
}

/// Runs the rules over some customers (all when `ids` is `None`) at `at` and writes what
/// changed; returns the report and the alerts it raised. The run works on the state in the book
/// (no copy of every alert per run); should the write fail, the state is read back from the
/// store.
pub async fn run_rules<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    at: i64,
    ids: Option<Vec<CustomerId>>,
) -> Result<(RunReport, Vec<Alert>), CommandError> {
    let full = ids.is_none();
    let facts = match ids {
        None => facts_in_steps(store, book).await,
        Some(ids) => facts_of(&book.borrow(), Some(&ids)),
    };
    let (blind, made) = {
        let d = book.borrow();
        // A device from whom a rule's field is hidden leaves that rule to the server.
        let blind: Vec<String> = if d.synced {
            let hidden =
                creditdesk_domain::access::hidden(&d.fields, &d.me(), &d.policy.profile_editors);
            d.rules
                .rules
                .iter()
                .filter(|r| r.reads_hidden(&hidden))
                .map(|r| r.code.clone())
                .collect()
        } else {
            Vec::new()
        };
        (blind, d.made)
    };
    let Some((report, previous_changed)) = run_in_steps(store, book, facts, at, &blind, full).await
    else {
        return Ok((RunReport::default(), Vec::new()));
    };
    if report.is_empty() && !previous_changed {
        return Ok((RunReport::default(), Vec::new()));
    }
    // The records and their write in a task after the run's (after a large import, one task of
    // some 90 ms traced), made from the state as it is after the turn and after every write
    // begun before it has landed in the book: what a command changed meanwhile (an alert
    // acknowledged) is in them, never written over with what it was. A book put in this one's
    // place meanwhile (a start, a sync) is not the one the run ran on: nothing is written.
    store.breathe().await;
    if !settle(store, book, made).await {
        return Ok((RunReport::default(), Vec::new()));
    }
    let before = book.borrow().mark();
    // The records' JSON of a large run (the first start's 11,500 alerts) made a few thousand at a
    // time, and its trail's entries (thousands of holds) chained a thousand at a time, with
    // turns. Should a write land in a turn (an alert acknowledged), everything is made again at
    // once from the state after it, in the task that writes it: what it changed is never
    // written over.
    let docs = docs_in_steps(store, book, &report).await;
    let (mut report, mut batch, mut events, mut fresh) =
        written_by(&book.borrow(), report, previous_changed, docs);
    let mut chained = None;
    if events.len() > crate::exec::CHAIN_PER_TURN {
        let head = book.borrow().audit.last().cloned();
        chained = Some(crate::exec::chain_in_steps(store, head, at, &events).await);
    }
    if !settle(store, book, made).await {
        return Ok((RunReport::default(), Vec::new()));
    }
    if book.borrow().mark() != before {
        (report, batch, events, fresh) = written_by(&book.borrow(), report, previous_changed, None);
        chained = None;
    }
    // The store makes a large write's values with turns too: asked after them whether the book
    // is still where it was (no write landed, none under way but this one), or the write is made
    // again at once from the book as it is then (the last try without the question).
    for attempt in 1..=WRITE_TRIES {
        let still = unmoved(book);
        let check: Option<&dyn Fn() -> bool> = (attempt < WRITE_TRIES).then_some(&still);
        if write_run(store, book, &mut batch, &events, at, chained.take(), check).await? {
            break;
        }
        if !settle(store, book, made).await {
            return Ok((RunReport::default(), Vec::new()));
        }
        (report, batch, events, fresh) = written_by(&book.borrow(), report, previous_changed, None);
    }
    Ok((report, fresh))
}

/// The check a run's write (or the review proposals') asks the store to make right before it
/// writes: the book is where it is now, and no write is under way in it but that one.
fn unmoved(book: &RefCell<Book>) -> impl Fn() -> bool + '_ {
    let at_write = book.borrow().mark();
    move || {
        let b = book.borrow();
        b.writing == 1 && b.mark() == at_write
    }
}

/// How many times a run's write (or the review proposals') is made, the book having moved under
/// the one before: each but the last asks the store to check the book right before it writes
/// (`Store::commit_when`), the last does not, so that a book that keeps moving still gets its
/// write (an encrypted device's store seals the values with WebCrypto, whose answers come in
/// tasks of their own, so a write without the check can follow a command that begins meanwhile).
const WRITE_TRIES: usize = 3;

/// How many customers' facts [`run_in_steps`] runs the rules over in a step (the first start's
/// run over the large book's 10,000 customers, raising 11,500 alerts, was one task of 62–65 ms).
const RUN_PER_TURN: usize = 2_500;

/// The rules run over `facts` as runs over [`RUN_PER_TURN`] customers at a time, with a turn for
/// the page between: each customer's conditions are their own, so together they are the one run
/// (`RunReport::absorb`). Each step is a run of its own in the book (`Book::rules_runs`), on the
/// rules the book has then. Once a write has landed in a turn (a payment recorded) or the day
/// has rolled, each step's customers are run on their facts as they are when it comes; should
/// another book take this one's place (a start, a sync), `None`: what was run is not to be
/// written. With the report, whether some customer's grade or score is not the one the previous
/// run kept (when `full`: asked of each step's facts just before it runs).
async fn run_in_steps<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    mut facts: Vec<Facts>,
    at: i64,
    blind: &[String],
    full: bool,
) -> Option<(RunReport, bool)> {
    let mut report = RunReport::default();
    let (mut previous_changed, mut stale) = (false, false);
    let mut done = 0;
    while done < facts.len() {
        let mut end = (done + RUN_PER_TURN).min(facts.len());
        let (made, before, day) = {
            let mut guard = book.borrow_mut();
            let d = &mut *guard;
            if stale {
                let ids: Vec<CustomerId> = facts[done..end].iter().map(|f| f.customer).collect();
                let now = facts_of(d, Some(&ids));
                end = done + now.len();
                facts.splice(done..done + ids.len(), now);
            }
            let step = &facts[done..end];
            previous_changed |= full
                && step
                    .iter()
                    .any(|f| d.monitor.previous.get(&f.customer) != Some(&(f.grade, f.score)));
            report.absorb(d.monitor.run_blind(&d.rules, step, d.as_of, at, blind));
            d.rules_runs += 1;
            (d.made, d.mark(), d.as_of)
        };
        done = end;
        if done < facts.len() {
            store.breathe().await;
            let d = book.borrow();
            if d.made != made {
                return None;
            }
            stale |= d.mark() != before || d.as_of != day;
        }
    }
    Some((report, previous_changed))
}

/// How many turns [`settle`] waits at most for the writes under way.
const SETTLE_TURNS: usize = 200;

/// Turns for the page until no write is under way in the book (a command's transaction begun
/// and not yet ended: what it changes is in the book only once it ends), [`SETTLE_TURNS`] at
/// most. A store whose turns are no turns (the server's, whose writes do not overlap) returns
/// at once. False when the book is no longer the one `made` names (a start or a sync put
/// another in its place): what was worked out on it is not to be written.
async fn settle<S: Store>(store: &S, book: &RefCell<Book>, made: crate::book::Made) -> bool {
    for _ in 0..SETTLE_TURNS {
        if book.borrow().writing == 0 {
            break;
        }
        store.breathe().await;
    }
    book.borrow().made == made
}

/// A run's write (see `exec::commit_audited` for `still`); false when `still` answered false and
/// nothing was written. Should it fail, the book ran ahead of the store and its monitoring state
/// is read back.
async fn write_run<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    batch: &mut Batch,
    events: &[Event],
    at: i64,
    chained: Option<Vec<creditdesk_domain::approval::AuditEntry>>,
    still: Option<&dyn Fn() -> bool>,
) -> Result<bool, CommandError> {
    match commit_audited(store, book, batch, events, at, chained, still).await {
        Ok(written) => Ok(written.is_some()),
        Err(e) => {
            // The book ran ahead of the store: read the state back.
            if let Ok((_, m, _)) = load(store).await {
                let mut d = book.borrow_mut();
                d.monitor = m;
                d.rules_runs += 1;
            }
            Err(e)
        }
    }
}

/// How many alerts' and tasks' records [`docs_in_steps`] makes in a step (the first start's
/// 11,500 alerts and tasks were some 27 ms of JSON in one task, traced).
const DOCS_PER_TURN: usize = 4_000;

/// Which record of the book's monitoring state a run writes: an alert's or a task's, by place.
#[derive(Clone, Copy)]
enum Written {
    Alert(usize),
    Task(usize),
}

/// The alerts and tasks whose records a run writes: those it raised, cleared, opened or closed.
fn docs_written(d: &Book, report: &RunReport) -> Vec<Written> {
    let m = &d.monitor;
    let alert_ids: HashSet<&str> = report
        .raised
        .iter()
        .chain(&report.cleared)
        .map(String::as_str)
        .collect();
    let task_ids: HashSet<&str> = report
        .tasks_opened
        .iter()
        .chain(&report.tasks_closed)
        .chain(report.broken_promises.iter().map(|(t, _, _)| t))
        .map(String::as_str)
        .collect();
    let alerts = (m.alerts.iter().enumerate())
        .filter(|(_, a)| alert_ids.contains(a.id.as_str()))
        .map(|(i, _)| Written::Alert(i));
    let tasks = (m.tasks.iter().enumerate())
        .filter(|(_, t)| task_ids.contains(t.id.as_str()))
        .map(|(i, _)| Written::Task(i));
    alerts.chain(tasks).collect()
}

/// One record a run writes, as stored; `None` if the state has no such place (it changed since
/// the places were taken).
fn doc_of(m: &MonitorState, w: Written) -> Option<(Docs, String, String)> {
    Some(match w {
        Written::Alert(i) => {
            let a = m.alerts.get(i)?;
            let json = serde_json::to_string(a).expect("json");
            (Docs::Alerts, a.id.clone(), json)
        }
        Written::Task(i) => {
            let t = m.tasks.get(i)?;
            let json = serde_json::to_string(t).expect("json");
            (Docs::Tasks, t.id.clone(), json)
        }
    })
}

/// The records a run writes (see [`docs_written`]), [`DOCS_PER_TURN`] a step with a turn for
/// the page between steps; `None` when they are few enough to be made with the rest at once, or
/// when a place taken before a turn is gone after it. Whether the book moved in the turns is the
/// caller's check, before it writes (`run_rules`).
async fn docs_in_steps<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    report: &RunReport,
) -> Option<Vec<(Docs, String, String)>> {
    let which = docs_written(&book.borrow(), report);
    if which.len() <= DOCS_PER_TURN {
        return None;
    }
    let mut docs = Vec::with_capacity(which.len());
    for (k, part) in which.chunks(DOCS_PER_TURN).enumerate() {
        if k > 0 {
            store.breathe().await;
        }
        let d = book.borrow();
        for &w in part {
            docs.push(doc_of(&d.monitor, w)?);
        }
    }
    Some(docs)
}

/// What a run writes: the alerts and tasks it touched (their records `docs` when already made,
/// by [`docs_in_steps`]), the settings that changed, the audit entries of
/// holds set and released, and the alerts it raised.
fn written_by(
    d: &Book,
    report: RunReport,
    previous_changed: bool,
    docs: Option<Vec<(Docs, String, String)>>,
) -> (RunReport, Batch, Vec<Event>, Vec<Alert>) {
    let m = &d.monitor;
    let mut batch = Batch {
        docs: docs.unwrap_or_else(|| {
            let which = docs_written(d, &report);
            which.iter().filter_map(|&w| doc_of(m, w)).collect()
        }),
        ..Batch::default()
    };
    settings::MONITOR.put(
        &mut batch,
        &MonitorCounter {
            seq: m.seq,
            last_run: m.last_run,
        },
    );
    if !report.held.is_empty() || !report.released.is_empty() {
        settings::HOLDS.put(&mut batch, &m.holds);
    }
    if previous_changed {
        settings::PREVIOUS.put(&mut batch, &m.previous);
    }
    // By a set: a run after a large import raises thousands among twelve thousand.
    let raised: HashSet<&str> = report.raised.iter().map(String::as_str).collect();
    let fresh: Vec<Alert> = m
        .alerts
        .iter()
        .filter(|a| raised.contains(a.id.as_str()))
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
    (report, batch, events, fresh)
}

/// The review requests new alerts ask for: for each alert of a rule that asks for a review, the
/// limit the policy suggests from the last 12 months of sales: for a limit unused for months only
/// ever lower (or kept), for a review that came due up or down. Filed by `system` through the
/// usual route. Skipped for a customer with a limit
/// request already open. `new_id` draws each request's id.
pub fn reviews_for(
    d: &Book,
    fresh: &[Alert],
    system: &User,
    at: Timestamp,
    new_id: &mut dyn FnMut() -> u128,
) -> (Vec<request::Request>, Vec<Event>) {
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
        // A limit unused for months is only ever lowered; a review that came due proposes what
        // the policy suggests today, up or down (kept, it sets the next review date).
        let after = if a.metric == creditdesk_domain::monitor::Metric::MonthsUnused {
            suggested.min(c.limits.permanent)
        } else {
            suggested
        };
        let kind = request::RequestKind::PermanentChange {
            before: c.limits.permanent,
            after,
            // The review keeps an expiry still to come (a lapsed one is what it reviews).
            expires: c.limits.expires.filter(|x| *x > d.as_of),
            review: None,
        };
        let open = |list: &[request::Request]| {
            creditdesk_domain::workflow::open_conflict(list, a.customer, &kind).is_some()
        };
        if open(&d.requests) || open(&requests) {
            continue;
        }
        let route = creditdesk_domain::workflow::route_for(&d.routes, &kind, d.grade(a.customer));
        let r = request::draft(
            RequestId::from_u128(new_id()),
            Meta::new(d.device, at),
            a.customer,
            kind,
            // A value read from a custom field or the litigation count, or a utilisation (which
            // gives the limit back), may be hidden from some who see the request: it is left out.
            match a.metric {
                Metric::CustomField | Metric::LitigationCount | Metric::Utilisation => {
                    format!("{} {}: {}", a.rule, a.name, a.metric.code())
                }
                _ => format!("{} {}: {} = {}", a.rule, a.name, a.metric.code(), a.value),
            },
            &system.id,
            route,
            d.as_of,
        );
        if let Ok(out) = creditdesk_domain::workflow::submit(r, system, at.0) {
            events.extend(out.events);
            requests.push(out.request);
        }
    }
    (requests, events)
}

/// What a watch did: the run's report, the alerts it raised, and the reviews it filed (or why
/// they were not: the run's writes stand either way).
pub struct Watched {
    pub report: RunReport,
    pub fresh: Vec<Alert>,
    pub reviews: Result<usize, CommandError>,
}

/// Runs the rules (over some customers, or all) and files, as `system`, the reviews they ask
/// for: what the browser and the server both do after a change and on a new day.
pub async fn watch<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    at: Timestamp,
    ids: Option<Vec<CustomerId>>,
    system: &User,
    new_id: &mut dyn FnMut() -> u128,
) -> Result<Watched, CommandError> {
    let (report, fresh) = run_rules(store, book, at.0, ids).await?;
    let reviews = propose_reviews(store, book, &fresh, system, at, new_id).await;
    Ok(Watched {
        report,
        fresh,
        reviews,
    })
}

/// How many proposed requests' records [`propose_reviews`] makes in a step (the first start's
/// 2,500 proposals, their records made in the task that wrote them, were some 20 ms of it).
const RECORDS_PER_TURN: usize = 1_000;

/// A request's record as a batch holds it: its id and its JSON.
fn record_of(r: &request::Request) -> (String, serde_json::Value) {
    (r.id.to_string(), serde_json::to_value(r).expect("json"))
}

/// Files the review requests of [`reviews_for`] in one transaction with their audit entries.
pub async fn propose_reviews<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    fresh: &[Alert],
    system: &User,
    at: Timestamp,
    new_id: &mut dyn FnMut() -> u128,
) -> Result<usize, CommandError> {
    let made = book.borrow().made;
    // A book put in this one's place (a start's, its ledger perhaps not read yet; a sync's) is
    // not the one whose run raised the alerts: nothing is proposed on it.
    if !settle(store, book, made).await {
        return Ok(0);
    }
    let before = book.borrow().mark();
    let (mut requests, mut events) = reviews_for(&book.borrow(), fresh, system, at, new_id);
    if requests.is_empty() {
        return Ok(0);
    }
    // Their trail's entries chained a thousand a step, and their write, in tasks of their own
    // (the first start's proposals, chained and written in one task, were 52 ms traced);
    // proposed again at once, in the task that writes them, should a write have landed (or
    // begun) in a turn.
    store.breathe().await;
    let head = book.borrow().audit.last().cloned();
    let mut chained = Some(crate::exec::chain_in_steps(store, head, at.0, &events).await);
    let mut records = Vec::with_capacity(requests.len());
    for (k, part) in requests.chunks(RECORDS_PER_TURN).enumerate() {
        if k > 0 {
            store.breathe().await;
        }
        records.extend(part.iter().map(record_of));
    }
    store.breathe().await;
    if !settle(store, book, made).await {
        return Ok(0);
    }
    if book.borrow().mark() != before {
        (requests, events) = reviews_for(&book.borrow(), fresh, system, at, new_id);
        chained = None;
        if requests.is_empty() {
            return Ok(0);
        }
        records = requests.iter().map(record_of).collect();
    }
    let mut batch = Batch {
        requests: records,
        ..Batch::default()
    };
    // As the rules' write (`run_rules`): should the book move while the store makes the values,
    // proposed again at once.
    for attempt in 1..=WRITE_TRIES {
        let still = unmoved(book);
        let check: Option<&dyn Fn() -> bool> = (attempt < WRITE_TRIES).then_some(&still);
        let entries = chained.take();
        let written = commit_audited(store, book, &mut batch, &events, at.0, entries, check);
        if written.await?.is_some() {
            break;
        }
        if !settle(store, book, made).await {
            return Ok(0);
        }
        (requests, events) = reviews_for(&book.borrow(), fresh, system, at, new_id);
        if requests.is_empty() {
            return Ok(0);
        }
        batch.requests = requests.iter().map(record_of).collect();
    }
    let n = requests.len();
    // Newest first, as one insertion at the front each would leave them (in one move of the
    // requests there, not one per proposal).
    book.borrow_mut()
        .requests
        .splice(0..0, requests.into_iter().rev());
    Ok(n)
}

/// The alerts list of `user`: those for them (their role, or they are the customer's rep) and,
/// for whoever sees every customer, every one not resolved; only on customers they see. Open ones
/// first, the most severe first, newest first among equals; cut to `max` only then, so an open
/// alert never gives way to newer resolved ones. With each, the customer's name.
pub fn alerts_for(d: &Book, user: &User, max: usize) -> Vec<(Alert, String)> {
    let all = user.may(Permission::SeeAllCustomers);
    let mut v: Vec<&Alert> = d
        .monitor
        .alerts
        .iter()
        .rev()
        .filter(|a| is_for(a, user) || (all && a.status != AlertStatus::Resolved))
        .filter(|a| d.visible(user, a.customer))
        .collect();
    sort::by_key(&mut v, |a| {
        (
            a.status != AlertStatus::Open,
            std::cmp::Reverse(a.severity),
            a.cleared_on.is_some(),
        )
    });
    v.into_iter()
        .take(max)
        .map(|a| (a.clone(), name_of(d, a.customer)))
        .collect()
}

/// The collection tasks list of `user`: their own and, for whoever sees every customer, all;
/// only on customers they see; open ones first, by due day, at most `max`. With each, the
/// customer's name and what it has overdue today.
pub fn tasks_for(d: &Book, user: &User, max: usize) -> Vec<(Task, String, Money)> {
    let all = user.may(Permission::SeeAllCustomers);
    let mut v: Vec<(Task, String, Money)> = d
        .monitor
        .tasks
        .iter()
        .filter(|t| t.owner == user.id || all)
        .filter(|t| d.visible(user, t.customer))
        .map(|t| {
            (
                t.clone(),
                name_of(d, t.customer),
                d.summary(t.customer).overdue,
            )
        })
        .collect();
    sort::by_key(&mut v, |(t, _, _)| (t.closed_on.is_some(), t.due));
    v.truncate(max);
    v
}

/// Of the alerts a run just raised, those to announce to `user` (a browser notification): for
/// them, on customers they see, as the alerts list shows them.
pub fn announced_for<'a>(d: &Book, user: &User, fresh: &'a [Alert]) -> Vec<&'a Alert> {
    fresh
        .iter()
        .filter(|a| is_for(a, user) && d.visible(user, a.customer))
        .collect()
}

/// How many things wait on `user` (the navigation's badge): requests for them to decide (due,
/// overdue or escalated), open alerts for them and their open collection tasks, on customers
/// they see.
pub fn waiting_count(d: &Book, user: &User, now: i64) -> usize {
    use creditdesk_domain::approval::Inbox;
    let requests = d
        .requests
        .iter()
        .filter(|r| {
            matches!(
                r.flow.inbox_reason(user, now),
                Some(Inbox::Waiting | Inbox::Overdue | Inbox::Escalated)
            )
        })
        .count();
    let alerts = d
        .monitor
        .alerts
        .iter()
        .filter(|a| {
            a.status == AlertStatus::Open
                && a.cleared_on.is_none()
                && is_for(a, user)
                && d.visible(user, a.customer)
        })
        .count();
    let tasks = d
        .monitor
        .tasks
        .iter()
        .filter(|t| t.is_open() && t.owner == user.id && d.visible(user, t.customer))
        .count();
    requests + alerts + tasks
}

fn name_of(d: &Book, id: CustomerId) -> String {
    d.customer(id).map(|c| c.name.clone()).unwrap_or_default()
}
