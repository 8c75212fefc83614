//! Signing in, the sync state in the header, and the "not accepted" list (server mode only).

use crate::ui::i18n::{Lang, T};
use crate::ui::link::A;
use crate::ui::state::AppState;
use crate::ui::sync::{self, SyncError};
use creditdesk_app::Command;
use leptos::prelude::*;

pub(crate) fn error_text(lang: Lang, e: &SyncError) -> String {
    match e {
        SyncError::Unreachable => lang.t(T::ServerDown).into(),
        SyncError::SignedOut { expired: true } => lang.t(T::SessionExpired).into(),
        SyncError::SignedOut { expired: false } => lang.t(T::SignedOutText).into(),
        SyncError::WrongPassword => lang.t(T::WrongPassword).into(),
        SyncError::Throttled => lang.t(T::Throttled).into(),
        SyncError::OtherUserPending => lang.t(T::OtherUserPending).into(),
        SyncError::Unsynced => lang.t(T::UnsyncedSignOut).into(),
        SyncError::DeviceLost => lang.t(T::DeviceLostErased).into(),
        SyncError::Server { code, message } => format!("{message} ({code})"),
        SyncError::Store(e) => e.clone(),
        SyncError::OtherTabs => lang.t(T::OtherTabsOpen).into(),
    }
}

/// The sign-in page (or, on a first run, the administrator's set-up).
#[component]
pub fn SignInPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let user = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let first = state.sync.first_run;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let first_run = first.get_untracked();
        leptos::task::spawn_local(async move {
            let r = sync::sign_in(
                state,
                user.get_untracked(),
                password.get_untracked(),
                first_run.then(|| name.get_untracked()),
            )
            .await;
            busy.set(false);
            if let Err(e) = r {
                password.set(String::new());
                state.sync.error.set(Some(e));
            }
        });
    };
    view! {
        <section class="page sign-in" data-testid="sign-in">
            <form class="card sign-in-card" on:submit=submit>
                <h1>{move || state.t(if first.get() { T::FirstRunTitle } else { T::SignInTitle })}</h1>
                <p class="muted">{move || state.t(if first.get() { T::FirstRunHint } else { T::SignInHint })}</p>
                <div class="field">
                    <label for="sign-in-user">{move || state.t(T::UserId)}</label>
                    <input id="sign-in-user" data-testid="sign-in-user" autocomplete="username" required
                        prop:value=move || user.get() on:input=move |ev| user.set(event_target_value(&ev)) />
                </div>
                {move || first.get().then(|| view! {
                    <div class="field">
                        <label for="sign-in-name">{state.t(T::FullName)}</label>
                        <input id="sign-in-name" data-testid="sign-in-name" required
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    </div>
                })}
                <div class="field">
                    <label for="sign-in-password">{move || state.t(T::Password)}</label>
                    <input id="sign-in-password" data-testid="sign-in-password" type="password" required
                        autocomplete=move || if first.get() { "new-password" } else { "current-password" }
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                </div>
                <p class="error" role="alert" data-testid="sign-in-error">
                    {move || state.sync.error.get().map(|e| error_text(state.lang.get(), &e))}
                </p>
                <button class="primary" type="submit" data-testid="sign-in-submit" disabled=move || busy.get()>
                    {move || state.t(if first.get() { T::CreateAdmin } else { T::SignIn })}
                </button>
            </form>
        </section>
    }
}

/// The header's account and sync state: who, online or offline, what waits, when last synced.
#[component]
pub fn SyncBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let s = state.sync;
    view! {
        <div class="sync-bar" data-testid="sync-bar">
            <A href="/sync" attr:class="sync-state" attr:data-testid="sync-state">
                <span class=move || if state.online.get() { "dot on" } else { "dot off" } aria-hidden="true"></span>
                <span>{move || state.t(if state.online.get() { T::OnlineState } else { T::OfflineState })}</span>
                {move || (s.pending.get() > 0).then(|| view! {
                    <span class="badge" data-testid="sync-pending">{s.pending.get()}</span>
                })}
                {move || (!s.refused.get().is_empty()).then(|| view! {
                    <span class="badge warn" data-testid="sync-refused">{s.refused.get().len()}</span>
                })}
            </A>
            <crate::ui::widgets::SyncProgress />
            <span class="who" data-testid="signed-in-as">{move || s.session.get().map(|x| x.user.name)}</span>
        </div>
    }
}

fn command_text(lang: Lang, c: &Command) -> String {
    let what = match c {
        Command::RecordOrder { input, .. } => {
            format!("{} {} ¥{}", lang.t(T::NewOrder), input.number, input.amount)
        }
        Command::RecordInvoice { input, .. } => format!(
            "{} {} ¥{}",
            lang.t(T::NewInvoice),
            input.number,
            input.amount
        ),
        Command::RecordPayment { input, .. } => {
            format!("{} ¥{}", lang.t(T::NewPayment), input.amount)
        }
        Command::SaveCustomer { input, .. } => {
            format!("{} {}", lang.t(T::EditCustomer), input.name)
        }
        Command::FileRequest { .. } => lang.t(T::NewRequest).to_string(),
        other => other.name().replace('_', " "),
    };
    what
}

/// Sync: the state, "sync now", sign-out, and the changes the server did not accept.
#[component]
pub fn SyncPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let s = state.sync;
    let settle = move |id: String, retry: bool| {
        leptos::task::spawn_local(async move {
            match sync::settle_refused(state, id, retry).await {
                Ok(()) => state.changed(),
                Err(e) => state
                    .toast
                    .set(Some(error_text(state.lang.get_untracked(), &e))),
            }
        });
    };
    view! {
        <section class="page" data-testid="sync-page">
            <h1>{move || state.t(T::SyncTitle)}</h1>
            <p data-testid="account">
                {move || s.session.get().map(|x| format!("{} {}{}", state.t(T::SignedInAs), x.user.name, state.lang.get().paren(&x.user.id)))}
            </p>
            <p data-testid="sync-summary">
                {move || {
                    let lang = state.lang.get();
                    let last = s.last_sync.get().map_or_else(
                        || lang.t(T::NeverSynced).to_string(),
                        |t| format!("{} {}", lang.t(T::SyncedAt), crate::ui::pages::requests::fmt_time(lang, t)),
                    );
                    format!("{} · {} {} · {last}",
                        lang.t(if state.online.get() { T::OnlineState } else { T::OfflineState }),
                        s.pending.get(), lang.t(T::PendingChanges))
                }}
            </p>
            {move || s.error.get().map(|e| {
                let lang = state.lang.get();
                let why = match e {
                    SyncError::Unreachable => lang.t(T::ServerUnreachable).to_string(),
                    e => error_text(lang, &e),
                };
                view! { <p class="error" role="alert" data-testid="sync-error">{format!("{}{why}", lang.label(lang.t(T::SyncFailed)))}</p> }
            })}
            <div class="actions">
                <button class="primary" data-testid="sync-now" disabled=move || s.busy.get()
                    on:click=move |_| leptos::task::spawn_local(sync::sync_now(state))>
                    {move || state.t(if s.busy.get() { T::Syncing } else { T::SyncNow })}
                </button>
                <button data-testid="sign-out" on:click=move |_| leptos::task::spawn_local(sync::sign_out(state))>
                    {move || state.t(T::SignOut)}
                </button>
            </div>
            <PasswordForms />
            <h2>{move || state.t(T::NotAccepted)}</h2>
            {move || {
                let lang = state.lang.get();
                let list = s.refused.get();
                if list.is_empty() {
                    return view! { <p class="muted">{lang.t(T::NothingRefused)}</p> }.into_any();
                }
                view! {
                    <p class="muted">{lang.t(T::NotAcceptedHint)}</p>
                    <ul class="plain refused-list" data-testid="refused">
                        {list.into_iter().map(|r| {
                            let (a, b) = (r.id.clone(), r.id.clone());
                            // Where to do it again by hand, changed: the customer it is about.
                            let fix = state.data(|d| d.customer_of(&r.command));
                            // Why, in the user's words: the same command checked here again gives
                            // the reason the forms give; else the server's own.
                            let why = creditdesk_app::plan(&crate::ui::state::book().borrow(), &crate::ui::state::ctx(), &r.command)
                                .err()
                                .map(|e| crate::ui::pages::requests::save_error_text(lang, &e.into()))
                                .unwrap_or_else(|| r.reason.clone());
                            view! {
                                <li class="card">
                                    <strong>{command_text(lang, &r.command)}</strong>
                                    <p data-testid="refused-why">{format!("{why} ({})", r.code)}</p>
                                    <div class="row-actions">
                                        {fix.map(|c| view! { <A href=format!("/customers/{c}") attr:class="button small" attr:data-testid="refused-fix">{lang.t(T::FixThere)}</A> })}
                                        <button class="small" data-testid="refused-retry" on:click=move |_| settle(a.clone(), true)>{lang.t(T::Retry)}</button>
                                        <button class="small danger" data-testid="refused-discard" on:click=move |_| settle(b.clone(), false)>{lang.t(T::Discard)}</button>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// Change my password; for an administrator, set anyone's (a new user's first password).
#[component]
fn PasswordForms() -> impl IntoView {
    let state = expect_context::<AppState>();
    let old = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let who = RwSignal::new(String::new());
    let theirs = RwSignal::new(String::new());
    let said = RwSignal::new(None::<(bool, String)>);
    let done = move |r: Result<(), SyncError>| match r {
        Ok(()) => said.set(Some((true, state.t(T::PasswordSaved).to_string()))),
        Err(e) => said.set(Some((false, error_text(state.lang.get_untracked(), &e)))),
    };
    let change = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            let r = sync::change_password(old.get_untracked(), new.get_untracked()).await;
            if r.is_ok() {
                old.set(String::new());
                new.set(String::new());
            }
            done(r);
        });
    };
    let set = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let user = state.data(|d| {
            d.users
                .iter()
                .find(|u| u.id == who.get_untracked())
                .cloned()
        });
        leptos::task::spawn_local(async move {
            let Some(user) = user else { return };
            let r = sync::set_password(user, theirs.get_untracked()).await;
            if r.is_ok() {
                theirs.set(String::new());
            }
            done(r);
        });
    };
    let admin = move || {
        state.data(|d| {
            d.me()
                .may(creditdesk_domain::approval::Permission::ManageUsers)
        })
    };
    view! {
        <form class="card" data-testid="change-password" on:submit=change>
            <h2>{move || state.t(T::ChangePassword)}</h2>
            <div class="field">
                <label for="pw-old">{move || state.t(T::CurrentPassword)}</label>
                <input id="pw-old" type="password" autocomplete="current-password" required
                    prop:value=move || old.get() on:input=move |ev| old.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="pw-new">{move || state.t(T::NewPassword)}</label>
                <input id="pw-new" type="password" autocomplete="new-password" required minlength="8"
                    prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev)) />
            </div>
            <button type="submit">{move || state.t(T::ChangePassword)}</button>
        </form>
        {move || admin().then(|| view! {
            <form class="card" data-testid="set-password" on:submit=set>
                <h2>{state.t(T::SetUserPassword)}</h2>
                <p class="muted small">{state.t(T::SetUserPasswordHint)}</p>
                <div class="field">
                    <label for="pw-user">{state.t(T::UserId)}</label>
                    <select id="pw-user" on:change=move |ev| who.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {state.data(|d| d.users.clone()).into_iter().map(|u| view! {
                            <option value=u.id.clone()>{format!("{}{}", u.name, state.lang.get_untracked().paren(&u.id))}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="pw-theirs">{state.t(T::NewPassword)}</label>
                    <input id="pw-theirs" type="password" autocomplete="new-password" required minlength="8"
                        prop:value=move || theirs.get() on:input=move |ev| theirs.set(event_target_value(&ev)) />
                </div>
                <button type="submit">{state.t(T::SetUserPassword)}</button>
            </form>
        })}
        {move || said.get().map(|(ok, text)| view! {
            <p class=if ok { "ok" } else { "error" } role="status" data-testid="password-note">{text}</p>
        })}
    }
}
