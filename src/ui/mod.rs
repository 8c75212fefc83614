//! The Leptos UI: thin components over domain queries.

pub mod approvals;
pub mod audit;
pub mod charts;
pub mod collate;
pub mod credit;
pub mod custom_fields;
pub mod i18n;
pub mod importing;
pub mod integrations;
pub mod link;
pub mod lock;
pub mod monitoring;
pub mod notices;
pub mod pages;
pub mod rating;
pub mod reports;
pub mod state;
pub mod sync;
pub mod widgets;

use i18n::{Lang, T};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use link::A;
use pages::credit::HeldPage;
use pages::customer::Customer360;
use pages::customer_form::CustomerFormPage;
use pages::customers::CustomerList;
use pages::dashboard::Dashboard;
use pages::ledger_forms::{Doc, LedgerFormPage};
use pages::requests::{AuditPage, InboxPage, RequestDetail, RequestPage};
use pages::scorecard::ScorecardPage;
use pages::settings::Settings;
use state::{boot, AppState};

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    state.register();
    provide_context(state);
    leptos::task::spawn_local(boot(state));
    watch_network(state);
    watch_day(state);
    lock::watch_idle();
    lock::hear_other_tabs();
    view! {
        <Router base=link::base()>
            <Shell />
        </Router>
    }
}

fn watch_network(state: AppState) {
    let _ = window_event_listener(leptos::ev::online, move |_| state.online.set(true));
    let _ = window_event_listener(leptos::ev::offline, move |_| state.online.set(false));
}

thread_local! {
    /// Minute checks (expiry) finished since the app opened.
    static MINUTES_DONE: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// The hour of the last hourly run of the rules (the first run is at start-up).
    static LAST_HOUR: std::cell::Cell<i64> =
        std::cell::Cell::new(state::now().0 / 3_600_000);
}

/// Keeps "today" current while the app stays open over midnight.
fn watch_day(state: AppState) {
    let _ = set_interval_with_handle(
        move || {
            state.now.set(state::now().0);
            let today = state::today();
            if today != state.today.get_untracked() {
                state.today.set(today);
            }
            // The book follows the day once its ledger is in (a day that turned while it was
            // still loading is caught up on the next tick).
            if state.ledger_ready.get_untracked() && state::with_data(|d| d.as_of) != today {
                state::roll_to(state, today);
            }
            // Every hour while the app is open, the rules run over every customer.
            let hour = state::now().0 / 3_600_000;
            if state.ledger_ready.get_untracked() && LAST_HOUR.replace(hour) != hour {
                leptos::task::spawn_local(async move {
                    if let Ok(r) = monitoring::watch(None).await {
                        if !r.is_empty() {
                            state.changed();
                        }
                    }
                });
            }
            // Requests past their time expire, checked every minute while the app is open.
            if state.ledger_ready.get_untracked() {
                leptos::task::spawn_local(async move {
                    if let Ok(n) = approvals::expire_due().await {
                        if n > 0 {
                            state.changed();
                        }
                    }
                    // For tests: how many minute checks have finished (a signal, not a sleep).
                    let done = MINUTES_DONE.with(|c| {
                        c.set(c.get() + 1);
                        c.get()
                    });
                    state::publish_timing("minutesDone", done as f64);
                });
            }
        },
        std::time::Duration::from_secs(60),
    );
}

#[component]
fn Shell() -> impl IntoView {
    let state = expect_context::<AppState>();
    // A toast belongs to its page: a navigation clears it (unless it was raised for the page
    // the navigation shows).
    let location = leptos_router::hooks::use_location();
    Effect::new(move |prev: Option<String>| {
        let path = location.pathname.get();
        if prev.is_some_and(|p| p != path) {
            if state.toast_follows.get_untracked() {
                state.toast_follows.set(false);
            } else {
                state.toast.set(None);
            }
        }
        path
    });
    // Toasts fade after three seconds (an earlier toast's timer leaves a newer one be).
    Effect::new(move |_| {
        if let Some(shown) = state.toast.get() {
            set_timeout(
                move || {
                    if state.toast.get_untracked().as_deref() == Some(shown.as_str()) {
                        state.toast.set(None)
                    }
                },
                std::time::Duration::from_secs(3),
            );
        }
    });
    // The inbox's tabs (alerts, tasks) and a request opened from it are part of the inbox.
    let in_inbox = move || {
        let p = location.pathname.get();
        ["/alerts", "/tasks", "/requests/"]
            .iter()
            .any(|s| p.starts_with(s))
    };
    // Locked or erased: only the lock page shows (no menu, no account, no data).
    let locked = move || state.lock.get() != lock::LockView::Open;
    let nav = move || {
        view! {
            <A href="/" exact=true attr:class="nav-link"><span class="ico" aria-hidden="true">"▦"</span><span>{move || state.t(T::NavDashboard)}</span></A>
            <A href="/customers" attr:class="nav-link"><span class="ico" aria-hidden="true">"☰"</span><span>{move || state.t(T::NavCustomers)}</span></A>
            <A href="/inbox" attr:class=move || if in_inbox() { "nav-link in-section" } else { "nav-link" }><span class="ico" aria-hidden="true">"✉"</span><span>{move || state.t(T::Inbox)}</span>
                {move || {
                    let n = pages::requests::waiting_count(state);
                    (n > 0).then(|| view! { <span class="badge" data-testid="inbox-count">{n}</span> })
                }}
            </A>
            <A href="/reports" attr:class="nav-link"><span class="ico" aria-hidden="true">"▤"</span><span>{move || state.t(T::NavReports)}</span></A>
            <A href="/scorecard" attr:class="nav-link"><span class="ico" aria-hidden="true">"★"</span><span>{move || state.t(T::NavScorecard)}</span></A>
            <A href="/settings" attr:class="nav-link"><span class="ico" aria-hidden="true">"⚙"</span><span>{move || state.t(T::NavSettings)}</span></A>
        }
    };
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand"><span class="logo" aria-hidden="true">"¥"</span>{move || state.t(T::AppName)}</A>
            <nav class="nav-top" class:hidden=move || state.sync.sign_in.get() || locked() aria-label=move || state.t(T::Menu)>{nav()}</nav>
            {move || if locked() {
                ().into_any()
            } else if state.sync.server.get() {
                view! { <pages::account::SyncBar /> }.into_any()
            } else {
                view! { <UserSwitch /> }.into_any()
            }}
            <button class="lang" data-testid="lang-switch" aria-label=move || state.t(T::Language)
                on:click=move |_| state.set_lang(if state.lang.get() == Lang::Zh { Lang::En } else { Lang::Zh })>
                {move || if state.lang.get() == Lang::Zh { "EN" } else { "中文" }}
            </button>
        </header>
        {move || (!state.online.get()).then(|| view! { <div class="offline-bar" role="status" data-testid="offline">{state.t(T::Offline)}</div> })}
        <lock::LockPage />
        {move || (state.sync.sign_in.get() && !locked()).then(|| view! { <pages::account::SignInPage /> })}
        <main class:hidden=move || state.sync.sign_in.get() || locked()>
            <Routes fallback=move || view! { <section class="page"><h1>{state.t(T::NotFound)}</h1></section> }>
                <Route path=path!("/") view=Dashboard />
                <Route path=path!("/customers") view=CustomerList />
                <Route path=path!("/customers/new") view=|| view! { <CustomerFormPage /> } />
                <Route path=path!("/customers/:id") view=Customer360 />
                <Route path=path!("/customers/:id/edit") view=|| view! { <CustomerFormPage edit=true /> } />
                <Route path=path!("/customers/:id/order") view=|| view! { <LedgerFormPage doc=Doc::Order /> } />
                <Route path=path!("/customers/:id/invoice") view=|| view! { <LedgerFormPage doc=Doc::Invoice /> } />
                <Route path=path!("/customers/:id/payment") view=|| view! { <LedgerFormPage doc=Doc::Payment /> } />
                <Route path=path!("/customers/:id/credit-note") view=|| view! { <LedgerFormPage doc=Doc::CreditNote /> } />
                <Route path=path!("/customers/:id/payments/:pid/reallocate") view=|| view! { <LedgerFormPage doc=Doc::Reallocate /> } />
                <Route path=path!("/customers/:id/credit-notes/:cid/apply") view=|| view! { <LedgerFormPage doc=Doc::ApplyCredit /> } />
                <Route path=path!("/scorecard") view=ScorecardPage />
                <Route path=path!("/customers/:id/limit") view=RequestPage />
                <Route path=path!("/customers/:id/request") view=RequestPage />
                <Route path=path!("/requests/:id") view=RequestDetail />
                <Route path=path!("/inbox") view=InboxPage />
                <Route path=path!("/audit") view=AuditPage />
                <Route path=path!("/alerts") view=pages::monitor::AlertsPage />
                <Route path=path!("/tasks") view=pages::monitor::TasksPage />
                <Route path=path!("/messages") view=notices::MessagesPage />
                <Route path=path!("/rules") view=pages::monitor::RulesPage />
                <Route path=path!("/fields") view=pages::fields::FieldsPage />
                <Route path=path!("/customers/:id/notice") view=pages::monitor::NoticePage />
                <Route path=path!("/held") view=HeldPage />
                <Route path=path!("/settings") view=Settings />
                <Route path=path!("/sync") view=pages::account::SyncPage />
                <Route path=path!("/reports") view=pages::reports::ReportPage />
                <Route path=path!("/import") view=pages::import::ImportPage />
                <Route path=path!("/reports/:kind") view=pages::reports::ReportPage />
            </Routes>
        </main>
        <nav class="nav-bottom" class:hidden=move || state.sync.sign_in.get() || locked() aria-label=move || state.t(T::Menu)>{nav()}</nav>
        {move || state.toast.get().map(|m| view! { <div class="toast" role="status" data-testid="toast">{m}</div> })}
    }
}

/// Who the app acts as: one user of the directory at a time (the demo's sign-in).
#[component]
fn UserSwitch() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Drawn again when the directory or who I am changes, not on every change of the data.
    let who = Memo::new(move |_| state.data(|d| (d.users.clone(), d.me().id)));
    move || {
        let lang = state.lang.get();
        let (users, me) = who.get();
        view! {
            <select class="user-switch" data-testid="user-switch" aria-label=lang.t(T::SignedInAs)
                on:change=move |ev| {
                    let id = event_target_value(&ev);
                    leptos::task::spawn_local(async move {
                        if approvals::switch_user(id).await.is_ok() {
                            state.changed();
                        }
                    });
                }>
                {users.into_iter().map(|u| {
                    let selected = u.id == me;
                    let label = format!("{} · {}", u.name, pages::requests::roles_text(lang, &u.roles));
                    view! { <option value=u.id.clone() selected=selected>{label}</option> }
                }).collect_view()}
            </select>
        }
    }
}
