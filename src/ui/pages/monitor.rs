//! Monitoring on screen: the alerts inbox, collection tasks, customer notices, and the rule
//! builder with its test on today's data and its back-test.

use crate::ui::i18n::{Lang, T};
use crate::ui::link::A;
use crate::ui::monitoring::{backtest_year, save_rules, set_alert, test_rule, update_task, watch};
use crate::ui::pages::customer::route_customer;
use crate::ui::pages::requests::{role_label, save_error_text};
use crate::ui::state::{with_data, AppState};
use crate::ui::widgets::{customer_access, UnavailablePage, WhenLedger};
use creditdesk_domain::approval::{Permission, Role};
use creditdesk_domain::monitor::{
    Alert, AlertStatus, Metric, Op, Rule, RuleCode, RuleProblem, RuleSet, Severity, TaskStatus,
};
use creditdesk_domain::rating::Grade;
use creditdesk_domain::sort;
use creditdesk_domain::{Date, Money};
use leptos::prelude::*;

/// The tabs over the three inboxes.
#[component]
pub fn InboxTabs() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <nav class="segmented tabs" aria-label=move || state.t(T::Inbox)>
            <A href="/inbox" exact=true>{move || state.t(T::Request)}</A>
            <A href="/alerts" attr:data-testid="alerts-tab">{move || state.t(T::Alerts)}</A>
            <A href="/tasks" attr:data-testid="tasks-tab">{move || state.t(T::Tasks)}</A>
            // The server's notices (server mode only).
            {move || state.sync.server.get().then(|| view! {
                <A href="/messages" attr:data-testid="messages-tab">{state.t(T::MessagesTitle)}</A>
            })}
        </nav>
    }
}

pub fn metric_label(m: Metric) -> T {
    match m {
        Metric::Utilisation => T::MUtilisation,
        Metric::OverdueAmount => T::MOverdue,
        Metric::MaxDaysOverdue => T::MMaxDays,
        Metric::OpenAr => T::MOpenAr,
        Metric::MonthsUnused => T::MUnused,
        Metric::Grade => T::MGrade,
        Metric::GradeDrop => T::MGradeDrop,
        Metric::ScoreDrop => T::MScoreDrop,
        Metric::DaysToLimitExpiry => T::MLimitExpiry,
        Metric::DaysToReview => T::MReview,
        Metric::LitigationCount => T::MLitigation,
        Metric::DaysToDocumentExpiry => T::MDocExpiry,
        Metric::CustomField => T::MCustomField,
    }
}

/// The name of what a rule reads: a metric's, or a custom field's label (with the option's, for
/// one option of a choice: `客户细分 = 出口`).
pub fn reading_name(lang: Lang, metric: Metric, field: &str) -> String {
    if metric != Metric::CustomField {
        return metric_name(lang, metric).to_string();
    }
    let en = lang == Lang::En;
    with_data(|d| {
        creditdesk_domain::fields::reading_names(&d.fields)
            .into_iter()
            .find(|(n, _, _)| n == field)
            .map(|(_, f, o)| match o {
                Some(o) => format!("{} = {}", f.label(en), if en { &o.en } else { &o.zh }),
                None => f.label(en).to_string(),
            })
            .unwrap_or_else(|| field.to_string())
    })
}

/// A value of a metric as people read it: yuan for money, a percentage for utilisation.
pub fn fmt_value(m: Metric, v: i64) -> String {
    m.show(v)
}

/// A metric's name without the unit the rule builder shows with it ("逾期金额（元）" reads
/// "逾期金额" beside an amount that carries its own ¥).
pub fn metric_name(lang: Lang, m: Metric) -> &'static str {
    let label = lang.t(metric_label(m));
    label.split(['（', '(']).next().unwrap_or(label).trim()
}

/// What an alert found, as a sentence (`monitor::alert_sentence`, which the server's notices
/// send too).
pub fn alert_sentence(lang: Lang, a: &Alert) -> String {
    creditdesk_domain::monitor::alert_sentence(lang == Lang::Zh, a)
}

/// A threshold as typed in the builder (yuan, percent or a plain number) into its stored unit.
fn parse_threshold(m: Metric, s: &str) -> Option<i64> {
    if m.is_money() {
        Money::parse(s).ok().map(|x| x.minor())
    } else if m.is_percent() || m.is_hundredths() {
        creditdesk_domain::rating::Fixed::parse(s).ok().map(|f| f.0)
    } else {
        s.trim().parse().ok()
    }
}

fn threshold_input(m: Metric, v: i64) -> String {
    if m.is_money() {
        Money::from_minor(v).to_plain()
    } else if m.is_percent() || m.is_hundredths() {
        creditdesk_domain::rating::Fixed(v).to_string()
    } else {
        v.to_string()
    }
}

pub(crate) fn severity(lang: Lang, s: Severity) -> (&'static str, &'static str) {
    match s {
        Severity::Info => (lang.t(T::SevInfo), ""),
        Severity::Warning => (lang.t(T::SevWarning), "warn"),
        Severity::Critical => (lang.t(T::SevCritical), "danger"),
    }
}

/// A rule's name in the user's language: the built-in rules keep their translated names until
/// someone renames them.
pub fn rule_name(lang: Lang, code: &str, name: &str) -> String {
    creditdesk_domain::monitor::rule_name(lang == Lang::Zh, code, name)
}

/// What a rule says, in words.
pub fn rule_text(lang: Lang, r: &Rule) -> String {
    let t = |k: T| lang.t(k);
    let mut acts = Vec::new();
    let a = &r.actions;
    if !a.alert_roles.is_empty() {
        acts.push(format!(
            "{}{}",
            lang.label(t(T::AlertRoles)),
            lang.list(
                &a.alert_roles
                    .iter()
                    .map(|x| t(role_label(*x)))
                    .collect::<Vec<_>>()
            )
        ));
    }
    for (on, k) in [
        (a.alert_rep, T::ActAlertRep),
        (a.notice, T::ActNotice),
        (a.hold, T::ActHold),
        (a.task, T::ActTask),
        (a.review, T::ActReview),
    ] {
        if on {
            acts.push(t(k).to_string());
        }
    }
    let mut scope = Vec::new();
    if !r.grades.is_empty() {
        scope.push(
            r.grades
                .iter()
                .map(|g| g.label())
                .collect::<Vec<_>>()
                .join("/"),
        );
    }
    scope.extend(r.regions.iter().cloned());
    scope.extend(with_data(|d| {
        r.reps.iter().map(|id| d.user_name(id)).collect::<Vec<_>>()
    }));
    format!(
        "{} {} {}{} → {}",
        reading_name(lang, r.metric, &r.field),
        r.op.symbol(),
        fmt_value(r.metric, r.threshold),
        if scope.is_empty() {
            String::new()
        } else {
            lang.paren(lang.list(&scope))
        },
        acts.join(if lang == Lang::Zh { "；" } else { "; " })
    )
}

/// The alerts inbox: open alerts for me (my roles, or my customers) first, newest first.
#[component]
pub fn AlertsPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let error = RwSignal::new(None::<String>);
    let set = move |id: String, s: AlertStatus| {
        leptos::task::spawn_local(async move {
            match set_alert(id, s).await {
                Ok(()) => {
                    error.set(None);
                    state.changed();
                }
                Err(e) => error.set(Some(save_error_text(state.lang.get_untracked(), &e))),
            }
        });
    };
    let run = move |_| {
        leptos::task::spawn_local(async move {
            if watch(None).await.is_ok() {
                state.changed();
                state.toast.set(Some(state.t(T::Saved).to_string()));
            }
        });
    };
    view! {
        <WhenLedger>
            {move || {
                let lang = state.lang.get();
                let t = move |k: T| lang.t(k);
                let mut rows: Vec<(Alert, String)> =
                    state.data(|d| creditdesk_app::monitoring::alerts_for(d, &d.me(), usize::MAX));
                let total = rows.len();
                rows.truncate(LISTED);
                view! {
                    <section class="page inbox">
                        <h1>{t(T::Inbox)}</h1>
                        <InboxTabs />
                        <div class="toolbar">
                            <button data-testid="run-rules" on:click=run>{t(T::RunRules)}</button>
                            <button on:click=move |_| crate::ui::monitoring::ask_notifications()>{t(T::AllowNotifications)}</button>
                            <A href="/rules">{t(T::Rules)}</A>
                            <crate::ui::widgets::CsvButton list=creditdesk_app::exports::List::Alerts testid="export-alerts" />
                        </div>
                        {cut_note(lang, total)}
                        <small class="error" role="alert">{move || error.get()}</small>
                        {if rows.is_empty() {
                            view! { <p class="muted">{t(T::NoAlerts)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="plain inbox-list" data-testid="alerts">
                                    {rows.into_iter().map(|(a, name)| {
                                        let (sev, tone) = severity(lang, a.severity);
                                        let (id1, id2) = (a.id.clone(), a.id.clone());
                                        let status = match a.status { AlertStatus::Open => T::AlertOpen, AlertStatus::Acknowledged => T::AlertAcknowledged, AlertStatus::Resolved => T::AlertResolved };
                                        view! {
                                            <li class="request-row" data-testid="alert">
                                                <a href=crate::ui::link::to(&format!("/customers/{}", a.customer))>
                                                    <strong>{name}</strong>
                                                    <span data-testid="alert-text">{alert_sentence(lang, &a)}</span>
                                                    <span class="muted code">{if a.covers.is_empty() { a.rule.clone() } else { match lang {
                                                        Lang::Zh => format!("{}（{} {}）", a.rule, t(T::AlsoCovers), lang.list(&a.covers)),
                                                        Lang::En => format!("{} ({} {})", a.rule, t(T::AlsoCovers), lang.list(&a.covers)),
                                                    } }}</span>
                                                    <span class="muted">{format!("{}{}", lang.date(a.raised_on), a.cleared_on.map(|c| format!(" · {} {}", t(T::Cleared), lang.date(c))).unwrap_or_default())}</span>
                                                </a>
                                                <span class=format!("pill {tone}")>{sev}</span>
                                                <span class="pill">{t(status)}</span>
                                                {a.notice.then(|| view! { <A href=format!("/customers/{}/notice", a.customer) attr:class="button small">{t(T::Notice)}</A> })}
                                                {a.review.then(|| view! { <A href=format!("/customers/{}/request?action=permanent", a.customer) attr:class="button small">{t(T::ProposeReview)}</A> })}
                                                {(a.status == AlertStatus::Open).then(|| view! { <button class="small" data-testid="ack" on:click=move |_| set(id1.clone(), AlertStatus::Acknowledged)>{t(T::Acknowledge)}</button> })}
                                                {(a.status != AlertStatus::Resolved).then(|| view! { <button class="small" on:click=move |_| set(id2.clone(), AlertStatus::Resolved)>{t(T::Resolve)}</button> })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                }
            }}
        </WhenLedger>
    }
}

/// The alerts and tasks pages draw at most this many (open ones and the most severe first).
const LISTED: usize = 300;

/// When a list has more than it draws: how many of how many, and that the CSV has them all.
fn cut_note(lang: Lang, total: usize) -> Option<impl IntoView> {
    (total > LISTED).then(|| {
        view! {
            <p class="muted small" data-testid="list-cut">
                {format!("{LISTED} / {total} · {}", lang.t(T::CsvHasAll))}
            </p>
        }
    })
}

pub(crate) fn task_status_label(s: &TaskStatus) -> T {
    match s {
        TaskStatus::Open => T::TaskOpen,
        TaskStatus::Contacted => T::TaskContacted,
        TaskStatus::Promised { .. } => T::TaskPromised,
        TaskStatus::Paid => T::TaskPaid,
        TaskStatus::Escalated => T::TaskEscalated,
    }
}

/// Collection tasks: mine (or every open one, for those who see every customer), with what was
/// done so far and a form to record the next step.
#[component]
pub fn TasksPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <WhenLedger>
            {move || {
                let lang = state.lang.get();
                let t = move |k: T| lang.t(k);
                let mut rows = state.data(|d| creditdesk_app::monitoring::tasks_for(d, &d.me(), usize::MAX));
                let total = rows.len();
                rows.truncate(LISTED);
                view! {
                    <section class="page inbox">
                        <h1>{t(T::Inbox)}</h1>
                        <InboxTabs />
                        <div class="toolbar">
                            <crate::ui::widgets::CsvButton list=creditdesk_app::exports::List::Tasks testid="export-tasks" />
                        </div>
                        {cut_note(lang, total)}
                        {if rows.is_empty() {
                            view! { <p class="muted">{t(T::NoTasks)}</p> }.into_any()
                        } else {
                            view! { <ul class="plain inbox-list" data-testid="tasks">
                                {rows.into_iter().map(|(task, name, overdue)| view! { <TaskRow task=task name=name overdue=overdue /> }).collect_view()}
                            </ul> }.into_any()
                        }}
                    </section>
                }
            }}
        </WhenLedger>
    }
}

#[component]
fn TaskRow(task: creditdesk_domain::monitor::Task, name: String, overdue: Money) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let t = move |k: T| lang.t(k);
    let status = RwSignal::new("contacted".to_string());
    let note = RwSignal::new(String::new());
    let date = RwSignal::new(with_data(|d| d.as_of.add_days(7)).iso());
    let amount = RwSignal::new(overdue.to_plain());
    let error = RwSignal::new(None::<String>);
    let id = task.id.clone();
    let save = move |_| {
        let next = match status.get_untracked().as_str() {
            "promised" => match (
                Date::parse(&date.get_untracked()),
                Money::parse(&amount.get_untracked()),
            ) {
                (Ok(date), Ok(amount)) => TaskStatus::Promised { date, amount },
                (Err(p), _) | (_, Err(p)) => {
                    error.set(Some(lang.problem(p)));
                    return;
                }
            },
            "escalated" => TaskStatus::Escalated,
            _ => TaskStatus::Contacted,
        };
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match update_task(id, next, note.get_untracked()).await {
                Ok(()) => {
                    error.set(None);
                    note.set(String::new());
                    state.changed();
                }
                Err(e) => error.set(Some(save_error_text(lang, &e))),
            }
        });
    };
    let open = task.is_open();
    let status_text = match &task.status {
        TaskStatus::Promised { date, amount } => format!(
            "{} {} {}",
            t(T::TaskPromised),
            lang.date(*date),
            amount.format_cny()
        ),
        s => t(task_status_label(s)).to_string(),
    };
    view! {
        <li class="request-row task" data-testid="task">
            <a href=crate::ui::link::to(&format!("/customers/{}", task.customer))>
                <strong>{name}</strong>
                <span>{format!("{} {} {} · {} {} · {} {}", task.rule, t(T::OverdueAr), overdue.format_cny(), t(T::Owner), with_data(|d| d.user_name(&task.owner)), t(T::Due), lang.date(task.due))}</span>
                <span class="muted">{task.notes.iter().map(|n| format!("{} · {}", crate::ui::pages::requests::fmt_time(lang, n.at), n.text)).collect::<Vec<_>>().join(" | ")}</span>
            </a>
            <span class=if open { "pill warn" } else { "pill ok" } data-testid="task-status">{status_text}</span>
            {open.then(|| view! {
                <div class="task-form">
                    <select aria-label=t(T::Status) on:change=move |ev| status.set(event_target_value(&ev))>
                        <option value="contacted">{t(T::TaskContacted)}</option>
                        <option value="promised">{t(T::TaskPromised)}</option>
                        <option value="escalated">{t(T::TaskEscalated)}</option>
                    </select>
                    {move || (status.get() == "promised").then(|| view! {
                        <input type="date" aria-label=t(T::PromiseDate) prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev)) />
                        <input inputmode="decimal" aria-label=t(T::PromiseAmount) prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev)) />
                    })}
                    <input placeholder=t(T::Note) aria-label=t(T::Note) prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                    <button class="small primary" on:click=save>{t(T::Save)}</button>
                    <small class="error" role="alert">{move || error.get()}</small>
                </div>
            })}
        </li>
    }
}

/// A reminder to the customer, in Chinese or English, ready to copy or send by e-mail.
#[component]
pub fn NoticePage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = route_customer();
    // The customer's language (its form says it), unless the user picks the other here.
    let zh = RwSignal::new(None::<bool>);
    let sending = RwSignal::new(false);
    view! {
        <WhenLedger>
            {move || {
                let lang = state.lang.get();
                let id = match customer_access(id.get()) {
                    Ok(id) => id,
                    Err(why) => return view! { <UnavailablePage why=why /> }.into_any(),
                };
                let Some((name, email, items, as_of, own_zh)) = Some(id).and_then(|id| state.data(|d| {
                    let c = d.customer(id)?;
                    Some((c.name.clone(), c.email.clone(), d.open_items(id), d.as_of, c.lang == creditdesk_domain::notice::Lang::Zh))
                })) else { return ().into_any() };
                let is_zh = zh.get().unwrap_or(own_zh);
                let served = state.sync.server.get();
                let send = move |_| {
                    sending.set(true);
                    leptos::task::spawn_local(async move {
                        let said = match crate::ui::sync::send_reminder(id).await {
                            Ok(r) => format!("{} {}", lang.t(T::ReminderQueued), r.to),
                            Err(e) => crate::ui::pages::account::error_text(lang, &e),
                        };
                        state.toast.set(Some(said));
                        sending.set(false);
                    });
                };
                // Paid up since the alert that linked here: nothing to remind of (the server
                // would refuse the reminder too).
                let Some((subject, body)) = creditdesk_domain::notice::reminder(is_zh, &name, &items, as_of) else {
                    return view! {
                        <section class="page form-page">
                            <h1>{lang.t(T::Notice)}</h1>
                            <p><A href=format!("/customers/{id}") attr:data-testid="notice-customer">{name}</A></p>
                            <p class="empty" data-testid="nothing-to-remind">{lang.t(T::NothingToRemind)}</p>
                        </section>
                    }.into_any();
                };
                let mailto = format!("mailto:{}?subject={}&body={}", email, js_sys::encode_uri_component(&subject), js_sys::encode_uri_component(&body));
                let copy_body = body.clone();
                view! {
                    <section class="page form-page">
                        <h1>{lang.t(T::Notice)}</h1>
                        // Back to the customer the reminder is for.
                        <p><A href=format!("/customers/{id}") attr:data-testid="notice-customer">{name.clone()}</A></p>
                        <div class="segmented" role="group">
                            <button class:active=is_zh on:click=move |_| zh.set(Some(true))>"中文"</button>
                            <button class:active=!is_zh on:click=move |_| zh.set(Some(false))>"English"</button>
                        </div>
                        <p><strong>{subject}</strong></p>
                        <pre class="notice" data-testid="notice">{body}</pre>
                        <div class="form-actions">
                            // Served by the server: it sends the reminder in the customer's own
                            // language and records it on the customer's trail.
                            {served.then(|| view! {
                                <button class="primary" data-testid="send-reminder" disabled=move || sending.get() on:click=send>{lang.t(T::SendFromServer)}</button>
                            })}
                            <a class="button" class:primary=!served href=mailto data-testid="mailto">{lang.t(T::SendMail)}</a>
                            <button on:click=move |_| {
                                if let Some(w) = web_sys::window() {
                                    let _ = w.navigator().clipboard().write_text(&copy_body);
                                    state.toast.set(Some(lang.t(T::Copied).to_string()));
                                }
                            }>{lang.t(T::CopyText)}</button>
                        </div>
                    </section>
                }.into_any()
            }}
        </WhenLedger>
    }
}

/// The rule builder: every rule in words, enabled or not; a rule edited from lists; a test on
/// today's data and a back-test over the last 12 months before saving.
#[component]
pub fn RulesPage() -> impl IntoView {
    // The draft starts from the rules in force: only once they are loaded (a page opened by its
    // link before the data is in would edit, and could save, the defaults).
    view! { <WhenLedger><RulesBody /></WhenLedger> }
}

#[component]
fn RulesBody() -> impl IntoView {
    let state = expect_context::<AppState>();
    let draft = RwSignal::new(with_data(|d| d.rules.clone()));
    let editing = RwSignal::new(None::<usize>);
    let problems = RwSignal::new(Vec::<RuleProblem>::new());
    let why = RwSignal::new(String::new());
    let tested = RwSignal::new(None::<(usize, Vec<String>)>);
    let back = RwSignal::new(None::<Vec<creditdesk_domain::monitor::BacktestMonth>>);
    // Rules whose threshold, as typed, is not a number.
    let unreadable = RwSignal::new(std::collections::BTreeSet::<usize>::new());
    let save = move |_| {
        let bad = unreadable.get_untracked();
        if !bad.is_empty() {
            problems.set(
                bad.into_iter()
                    .map(|i| RuleProblem {
                        code: RuleCode::ThresholdNotANumber,
                        at: draft.with_untracked(|d| {
                            d.rules.get(i).map(|r| r.code.clone()).unwrap_or_default()
                        }),
                        detail: "the threshold is not a number",
                    })
                    .collect(),
            );
            return;
        }
        let r = draft.get_untracked();
        let reason = why.get_untracked();
        leptos::task::spawn_local(async move {
            match save_rules(r, reason).await {
                Ok(v) => {
                    problems.set(Vec::new());
                    draft.update(|d| d.version = v);
                    state.changed();
                    state.toast.set(Some(format!("{} v{v}", state.t(T::Saved))));
                }
                Err(p) => problems.set(p),
            }
        });
    };
    let test = move |i: usize| {
        let rule = draft.with_untracked(|d| d.rules[i].clone());
        tested.set(Some(with_data(|d| test_rule(d, rule, 20))));
    };
    let run_back = move |_| {
        let rules = draft.get_untracked();
        let rows = with_data(|d| backtest_year(d, &d.me(), &rules));
        back.set(Some(rows));
    };
    // RulesPage shows it once the ledger is in.
    move || {
        let lang = state.lang.get();
        let t = move |k: T| lang.t(k);
        let allowed = state.data(|d| d.me().may(Permission::EditPolicy));
        let rules = draft.get();
        view! {
            <section class="page rules">
                <h1>{format!("{} · v{}", t(T::Rules), rules.version)}</h1>
                <ul class="plain inbox-list" data-testid="rules">
                    {rules.rules.iter().enumerate().map(|(i, r)| {
                        let (sev, tone) = severity(lang, r.severity);
                        view! {
                            <li class="request-row" data-testid="rule">
                                <label class="check"><input type="checkbox" prop:checked=r.enabled on:change=move |ev| draft.update(|d| d.rules[i].enabled = event_target_checked(&ev)) />{format!("{} {}", r.code, rule_name(lang, &r.code, &r.name))}</label>
                                <span class="rule-text">{rule_text(lang, r)}</span>
                                <span class=format!("pill {tone}")>{sev}</span>
                                <button class="small" on:click=move |_| editing.set(if editing.get_untracked() == Some(i) { None } else { Some(i) })>{t(T::Edit)}</button>
                                <button class="small" data-testid="test-rule" on:click=move |_| test(i)>{t(T::TestRule)}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {move || tested.get().map(|(n, names)| view! {
                    <p class="route" data-testid="would-fire">{format!("{} {n}", t(T::WouldFire))}<br /><span class="muted">{lang.list(&names)}</span></p>
                })}
                {move || editing.get().filter(|i| *i < draft.with(|d| d.rules.len())).map(|i| view! { <RuleEditor draft=draft index=i unreadable=unreadable /> })}
                <div class="toolbar">
                    <button on:click=move |_| {
                        draft.update(|d| {
                            let n = 1100 + d.rules.len();
                            let mut r = RuleSet::default().rules[0].clone();
                            r.code = format!("W{n:04}");
                            r.name = t(T::NewRule).to_string();
                            r.enabled = false;
                            d.rules.push(r);
                        });
                        editing.set(Some(draft.with_untracked(|d| d.rules.len() - 1)));
                    }>{t(T::NewRule)}</button>
                    <button data-testid="backtest" on:click=run_back>{t(T::Backtest)}</button>
                </div>
                {move || back.get().map(|rows| view! {
                    <div class="table-tools">
                        <crate::ui::widgets::TableCsvButton testid="export-backtest" make=move |zh| {
                            back.with_untracked(|b| b.as_ref().map(|m| creditdesk_app::exports::backtest_table(m, with_data(|d| d.as_of), zh)))
                        } />
                    </div>
                    <div class="table-wrap">
                        <table data-testid="backtest-table">
                            <thead><tr><th>{t(T::AsOf)}</th><th>{t(T::Alerts)}</th><th class="num">{t(T::HeldCustomers)}</th><th class="num">{t(T::HeldOverdue)}</th></tr></thead>
                            <tbody>{rows.into_iter().map(|m| view! {
                                <tr>
                                    <td>{lang.date(m.month_end)}</td>
                                    <td>{m.raised.iter().map(|(k, v)| format!("{k}×{v}")).collect::<Vec<_>>().join(" ")}</td>
                                    <td class="num">{m.held}</td>
                                    <td class="num">{m.held_overdue.format_cny()}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    </div>
                })}
                <div class="field">
                    <label for="rules-why">{t(T::ChangeReason)}</label>
                    <input id="rules-why" prop:value=move || why.get() on:input=move |ev| why.set(event_target_value(&ev)) />
                </div>
                {move || (!problems.get().is_empty()).then(|| view! {
                    <ul class="form-message problems" role="alert" data-testid="rule-problems">
                        {problems.get().into_iter().map(|p| view! { <li><span class="mono">{p.code.code()}</span>{format!(" {} — {}", p.at, p.detail)}</li> }).collect_view()}
                    </ul>
                })}
                <button class="primary" data-testid="save-rules" disabled=!allowed on:click=save>{t(T::Save)}</button>
            </section>
        }
    }
}

/// One rule, edited from lists.
#[component]
fn RuleEditor(
    draft: RwSignal<RuleSet>,
    index: usize,
    unreadable: RwSignal<std::collections::BTreeSet<usize>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let t = move |k: T| lang.t(k);
    let r = draft.with_untracked(|d| d.rules[index].clone());
    let edit = move |f: Box<dyn FnOnce(&mut Rule)>| draft.update(|d| f(&mut d.rules[index]));
    let bad = Signal::derive(move || unreadable.with(|u| u.contains(&index)));
    let (regions, reps) = with_data(|d| d.rule_scopes());
    let metric = r.metric;
    view! {
        <fieldset class="tier rule-editor" data-testid="rule-editor">
            <legend>{r.code.clone()}</legend>
            <div class="row">
                <label class="inline">"Code "<input value=r.code.clone() on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |r| r.code = v)) } /></label>
                <label class="inline">{t(T::Name)}" "<input value=r.name.clone() on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |r| r.name = v)) } /></label>
                <label class="inline">{t(T::Severity)}" "
                    <select on:change=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |r| r.severity = match v.as_str() { "info" => Severity::Info, "critical" => Severity::Critical, _ => Severity::Warning })) }>
                        <option value="info" selected=r.severity == Severity::Info>{t(T::SevInfo)}</option>
                        <option value="warning" selected=r.severity == Severity::Warning>{t(T::SevWarning)}</option>
                        <option value="critical" selected=r.severity == Severity::Critical>{t(T::SevCritical)}</option>
                    </select>
                </label>
            </div>
            <div class="row">
                // The built-in metrics, then every reading of the custom fields.
                <select aria-label=t(T::Metric) data-testid="rule-metric" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    match v.strip_prefix("custom:") {
                        Some(field) => { let field = field.to_string(); edit(Box::new(move |r| { r.metric = Metric::CustomField; r.field = field; })) }
                        None => if let Some(m) = Metric::from_code(&v) { edit(Box::new(move |r| { r.metric = m; r.field.clear(); })) },
                    }
                }>
                    {Metric::ALL.into_iter().map(|m| view! { <option value=m.code() selected=m == metric>{t(metric_label(m))}</option> }).collect_view()}
                    // Retired fields and options only for the rule that reads one already.
                    {with_data(|d| creditdesk_domain::fields::reading_names(&d.fields).into_iter()
                        .filter(|(n, f, o)| (!f.retired && !o.is_some_and(|o| o.retired)) || (metric == Metric::CustomField && r.field == *n))
                        .map(|(n, _, _)| n).collect::<Vec<_>>()).into_iter().map(|n| {
                        let selected = metric == Metric::CustomField && r.field == n;
                        let label = reading_name(lang, Metric::CustomField, &n);
                        view! { <option value=format!("custom:{n}") selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
                <select aria-label="op" on:change=move |ev| { if let Some(o) = Op::from_code(&event_target_value(&ev)) { edit(Box::new(move |r| r.op = o)) } }>
                    {Op::ALL.into_iter().map(|o| view! { <option value=o.code() selected=o == r.op>{o.symbol()}</option> }).collect_view()}
                </select>
                <input class="num" aria-label=t(T::Threshold) data-testid="rule-threshold" value=threshold_input(r.metric, r.threshold)
                    class:invalid=move || bad.get()
                    on:input=move |ev| {
                        let m = draft.with_untracked(|d| d.rules[index].metric);
                        match parse_threshold(m, &event_target_value(&ev)) {
                            Some(v) => { unreadable.update(|u| { u.remove(&index); }); edit(Box::new(move |r| r.threshold = v)) }
                            None => unreadable.update(|u| { u.insert(index); }),
                        }
                    } />
            </div>
            <div class="row">
                <span class="inline">{lang.label(t(T::Grades))}
                    {Grade::ALL.into_iter().map(|g| view! {
                        <label class="check"><input type="checkbox" prop:checked=r.grades.contains(&g) on:change=move |ev| { let on = event_target_checked(&ev); edit(Box::new(move |r| { r.grades.retain(|x| *x != g); if on { r.grades.push(g); sort::natural(&mut r.grades); } })) } />{g.label()}</label>
                    }).collect_view()}
                </span>
            </div>
            <div class="row">
                <label class="inline">{t(T::Region)}" "
                    <select multiple on:change=move |ev| {
                        use wasm_bindgen::JsCast;
                        let Some(sel) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) else { return };
                        let opts = sel.selected_options();
                        let v: Vec<String> = (0..opts.length()).filter_map(|i| opts.item(i)).filter_map(|o| o.text_content()).collect();
                        edit(Box::new(move |r| r.regions = v));
                    }>
                        {regions.into_iter().map(|x| view! { <option selected=r.regions.contains(&x)>{x.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="inline">{t(T::SalesRep)}" "
                    <select multiple on:change=move |ev| {
                        use wasm_bindgen::JsCast;
                        let Some(sel) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) else { return };
                        let opts = sel.selected_options();
                        let v: Vec<String> = (0..opts.length()).filter_map(|i| opts.item(i)).filter_map(|o| o.get_attribute("value")).collect();
                        edit(Box::new(move |r| r.reps = v));
                    }>
                        {reps.into_iter().map(|(id, name)| view! { <option value=id.clone() selected=r.reps.contains(&id)>{name}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <div class="row">
                {[(T::ActAlertRep, 0u8), (T::ActNotice, 1), (T::ActHold, 2), (T::ActTask, 3), (T::ActReview, 4)].into_iter().map(|(k, which)| {
                    let on = match which { 0 => r.actions.alert_rep, 1 => r.actions.notice, 2 => r.actions.hold, 3 => r.actions.task, _ => r.actions.review };
                    view! {
                        <label class="check"><input type="checkbox" prop:checked=on on:change=move |ev| {
                            let v = event_target_checked(&ev);
                            edit(Box::new(move |r| match which { 0 => r.actions.alert_rep = v, 1 => r.actions.notice = v, 2 => r.actions.hold = v, 3 => r.actions.task = v, _ => r.actions.review = v }))
                        } />{t(k)}</label>
                    }
                }).collect_view()}
            </div>
            <div class="row">
                <span class="inline">{lang.label(t(T::AlertRoles))}
                    {Role::ALL.into_iter().map(|role| view! {
                        <label class="check"><input type="checkbox" prop:checked=r.actions.alert_roles.contains(&role) on:change=move |ev| { let on = event_target_checked(&ev); edit(Box::new(move |r| { r.actions.alert_roles.retain(|x| *x != role); if on { r.actions.alert_roles.push(role); sort::natural(&mut r.actions.alert_roles); } })) } />{t(role_label(role))}</label>
                    }).collect_view()}
                </span>
            </div>
            <label class="check"><input type="checkbox" prop:checked=r.auto_release on:change=move |ev| { let v = event_target_checked(&ev); edit(Box::new(move |r| r.auto_release = v)) } />{t(T::AutoRelease)}</label>
            <p class="muted" data-testid="rule-words">{move || draft.with(|d| d.rules.get(index).map(|r| rule_text(lang, r)).unwrap_or_default())}</p>
        </fieldset>
    }
}
