//! Monitoring in the browser: runs the application crate's rules (`creditdesk_app::monitoring`)
//! over the customers whose data changed, when the day changes, every hour and on demand, and
//! announces new alerts as browser notifications.

use crate::ui::state::{db, new_uuid, now, run, with_data, SaveError};
pub use creditdesk_app::monitoring::{backtest_year, facts_of, is_for};
use creditdesk_app::Command;
use creditdesk_domain::monitor::{
    Alert, AlertStatus, Rule, RuleCode, RuleProblem, RuleSet, RunReport, TaskStatus,
};
use creditdesk_domain::*;
use creditdesk_storage::StoreError;
use leptos::prelude::GetUntracked;

/// How many of the customers the signed-in user sees a rule would fire for today, and the names
/// of the first `names` of them.
pub fn test_rule(d: &crate::ui::state::Data, rule: Rule, names: usize) -> (usize, Vec<String>) {
    creditdesk_app::monitoring::test_rule(d, &d.me(), rule, names)
}

/// Runs the rules over some customers (all when `ids` is `None`), writes what changed, announces
/// the new alerts and files the reviews they ask for.
pub async fn watch(ids: Option<Vec<CustomerId>>) -> Result<RunReport, StoreError> {
    // Only over a whole book: while a start reads the ledger its book has neither the ledger nor
    // the monitoring state (a run would write its counter and holds from nothing). The start's
    // own run, once the book is whole, goes over every customer.
    if crate::ui::state::AppState::current().is_some_and(|s| !s.ledger_ready.get_untracked()) {
        return Ok(RunReport::default());
    }
    let store = db()?;
    let book = crate::ui::state::book();
    let system = crate::ui::approvals::system_user();
    let mut id = new_uuid;
    let w = creditdesk_app::monitoring::watch(&*store, &book, now(), ids, &system, &mut id)
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))?;
    announce(&w.fresh);
    if let Err(e) = w.reviews {
        web_sys::console::warn_1(&format!("reviews not filed: {e}").into());
    }
    Ok(w.report)
}

/// Shows new alerts for the signed-in user as browser notifications, when allowed.
fn announce(fresh: &[Alert]) {
    if fresh.is_empty() {
        return;
    }
    let mine: Vec<&Alert> =
        with_data(|d| creditdesk_app::monitoring::announced_for(d, &d.me(), fresh));
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
pub async fn set_alert(alert: String, status: AlertStatus) -> Result<(), SaveError> {
    run(Command::SetAlert { alert, status }, Vec::new()).await?;
    Ok(())
}

/// Records what was done on a collection task: a note and its new status.
pub async fn update_task(task: String, status: TaskStatus, note: String) -> Result<(), SaveError> {
    run(Command::UpdateTask { task, status, note }, Vec::new()).await?;
    Ok(())
}

/// Saves the rules as a new version, audited; then runs them over every customer.
pub async fn save_rules(rules: RuleSet, why: String) -> Result<u32, Vec<RuleProblem>> {
    match run(Command::SaveRules { rules, why }, Vec::new()).await {
        Ok(r) => {
            let _ = watch(None).await;
            Ok(r.count as u32)
        }
        Err(SaveError::Refused(creditdesk_app::CommandError::Rules(p))) => Err(p),
        Err(_) => Err(vec![RuleProblem {
            code: RuleCode::Store,
            at: "database".into(),
            detail: "the database refused the write",
        }]),
    }
}

/// How long writes must pause before the rules run over what they touched: a burst of writes
/// (a form saved twice, a run of payments) is one rule run, and no rule run competes with the
/// next write's transaction.
const SETTLE_MS: u32 = 150;

thread_local! {
    /// Customers touched since the last rule run, and the number of the latest change.
    static TOUCHED: std::cell::RefCell<(std::collections::BTreeSet<CustomerId>, u64)> =
        Default::default();
}

/// Runs the rules over the customers a change touched, in the background, once writes settle.
pub fn after_change(ids: Vec<CustomerId>) {
    let generation = TOUCHED.with_borrow_mut(|(set, generation)| {
        set.extend(ids);
        *generation += 1;
        *generation
    });
    leptos::task::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(SETTLE_MS).await;
        let ids = TOUCHED.with_borrow_mut(|(set, latest)| {
            (*latest == generation).then(|| std::mem::take(set).into_iter().collect::<Vec<_>>())
        });
        // A later change is waiting its own turn and takes these customers with it.
        let Some(ids) = ids else { return };
        match watch(Some(ids)).await {
            Ok(r) if !r.is_empty() => {
                if let Some(state) = crate::ui::state::AppState::current() {
                    state.changed();
                }
            }
            Ok(_) => {}
            Err(e) => web_sys::console::warn_1(&format!("rules not run: {e}").into()),
        }
        // Unless another change came meanwhile (its own turn keeps them), the figures as they
        // are now are kept for the next start.
        if TOUCHED.with_borrow(|(_, latest)| *latest == generation) {
            crate::ui::state::keep_figures().await;
        }
    });
}
