//! The device lock. While this device's data is encrypted and its key is not in memory (every
//! start, and after the idle time), only the lock page shows; the right secret opens the store
//! and the start-up goes on. Locking reloads the page, so nothing that was on screen or in memory
//! survives it; commands are in the outbox already, so a lock never loses one. The last of ten
//! wrong secrets, or the server's word that an administrator reported the device lost, erases
//! the database and says how many unsent changes went with it. The scheme is
//! `creditdesk_storage::vault`'s; the settings card to encrypt a local-only device, set a PIN and
//! choose the idle time is [`DeviceSecurity`]; the administrator's list of devices is
//! [`Devices`].
//!
//! The data is the browser's, not the tab's: locking it at the button, erasing it and signing
//! out are told to the browser's other tabs of the app ([`tell_other_tabs`]), which start again
//! too ([`hear_other_tabs`]), so that none goes on showing what this one locked or erased.

use crate::ui::i18n::T;
use crate::ui::state::{db, now, AppState};
use creditdesk_storage::idb::{LockState, Unlock};
use creditdesk_storage::schema::OUTBOX;
use creditdesk_storage::vault::{Secret, SecretProblem, IDLE_CHOICES};
use leptos::prelude::*;
use std::cell::Cell;

/// What the lock shows instead of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockView {
    /// The app (nothing locked).
    Open,
    /// The data is encrypted and closed: this secret opens it.
    Locked(Secret),
    /// The data was erased, with this many unsent changes; `lost`: on the server's word.
    Erased { unsent: usize, lost: bool },
}

thread_local! {
    /// When the user last touched, clicked or typed (ms, the app's clock).
    static LAST_ACTIVE: Cell<i64> = Cell::new(now().0);
}

/// Starts the page again from nothing: memory, the DOM and the data key are gone.
pub fn restart_page() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// Locks now: the page starts again and asks for the secret.
pub fn lock_now() {
    if let Ok(store) = db() {
        store.lock();
    }
    restart_page();
}

/// What a tab tells the browser's other tabs of the app; each starts again on hearing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Told {
    /// Locked at the button ("Lock now"): the other tabs lock too (an idle lock is the tab's).
    Locked,
    /// The data was erased: signed out, ten wrong secrets, or a device reported lost.
    Erased,
}

impl Told {
    fn word(self) -> &'static str {
        match self {
            Told::Locked => "locked",
            Told::Erased => "erased",
        }
    }
    fn of(word: &str) -> Option<Told> {
        [Told::Locked, Told::Erased]
            .into_iter()
            .find(|t| t.word() == word)
    }
}

/// The channel the tabs of the app speak on (a `BroadcastChannel`: this browser profile, this
/// origin).
const CHANNEL: &str = "creditdesk";

thread_local! {
    /// This page's end of the channel, kept open to hear the others.
    static HEARING: std::cell::RefCell<Option<web_sys::BroadcastChannel>> =
        const { std::cell::RefCell::new(None) };
}

/// Tells the browser's other tabs of the app (they start again: [`hear_other_tabs`]). Posted on
/// the channel this page hears on, which does not hear its own messages (another channel object
/// of this page would, and this page would start again before it shows what it did).
pub fn tell_other_tabs(told: Told) {
    HEARING.with_borrow(|h| {
        if let Some(channel) = h {
            let _ = channel.post_message(&told.word().into());
        }
    });
}

/// Starts this page again when another tab locked the data at the button, erased it or signed
/// out: memory, the screen and the data key go, as in that tab.
pub fn hear_other_tabs() {
    use wasm_bindgen::{closure::Closure, JsCast};
    // Once a page: a second channel object would hear this page's own messages.
    if HEARING.with_borrow(Option::is_some) {
        return;
    }
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let heard = Closure::<dyn Fn(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| {
        match e.data().as_string().as_deref().and_then(Told::of) {
            Some(Told::Locked) => lock_now(),
            Some(Told::Erased) => restart_page(),
            None => {}
        }
    });
    channel.set_onmessage(Some(heard.as_ref().unchecked_ref()));
    // For the page's life, as the channel.
    heard.forget();
    HEARING.with_borrow_mut(|h| *h = Some(channel));
}

/// Erases this device's data on the server's word that it was reported lost.
pub fn erase_lost_device() {
    leptos::task::spawn_local(async move {
        let Ok(store) = db() else { return };
        let unsent = store.count(OUTBOX).await.unwrap_or(0);
        if let Err(e) = store.wipe().await {
            web_sys::console::error_1(&format!("erasing this device failed: {e}").into());
        }
        tell_other_tabs(Told::Erased);
        if let Some(state) = AppState::current() {
            state.lock.set(LockView::Erased { unsent, lost: true });
        }
    });
}

/// Locks the app after the idle time the user chose, on an encrypted device.
pub fn watch_idle() {
    let seen = || LAST_ACTIVE.set(now().0);
    let _ = window_event_listener(leptos::ev::pointerdown, move |_| seen());
    let _ = window_event_listener(leptos::ev::keydown, move |_| seen());
    let _ = window_event_listener(leptos::ev::wheel, move |_| seen());
    let _ = window_event_listener(leptos::ev::touchstart, move |_| seen());
    let _ = set_interval_with_handle(
        move || {
            let Ok(store) = db() else { return };
            if !matches!(store.lock_state(), LockState::Unlocked(_)) {
                return;
            }
            let minutes = store.idle_minutes().unwrap_or(5) as i64;
            if now().0 - LAST_ACTIVE.get() >= minutes * 60_000 {
                lock_now();
            }
        },
        std::time::Duration::from_secs(5),
    );
}

fn label(secret: Secret) -> T {
    match secret {
        Secret::Password => T::Password,
        Secret::Pin => T::Pin,
        Secret::Passphrase => T::Passphrase,
    }
}

fn problem_text(p: SecretProblem) -> T {
    match p {
        SecretProblem::Empty | SecretProblem::PinTooShort => T::PinTooShort,
        SecretProblem::PinNotDigits => T::PinDigits,
        SecretProblem::PassphraseTooShort => T::PassphraseTooShort,
    }
}

/// The lock page, or the page that says the data was erased.
#[component]
pub fn LockPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let secret = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let tries_left = RwSignal::new(None::<u32>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let t = crate::ui::state::perf_now();
        crate::ui::state::publish_timing("unlockStart", t);
        leptos::task::spawn_local(async move {
            let typed = secret.get_untracked();
            let r = match db() {
                Ok(store) => store.unlock(&typed).await,
                Err(e) => Err(e),
            };
            // The key derivation and the unwrapping (PBKDF2 dominates).
            crate::ui::state::publish_timing("unlockMs", crate::ui::state::perf_now() - t);
            busy.set(false);
            secret.set(String::new());
            match r {
                Ok(Unlock::Opened) => {
                    LAST_ACTIVE.set(now().0);
                    state.lock.set(LockView::Open);
                    crate::ui::state::publish_timing("unlocked", crate::ui::state::perf_now());
                    state.phase.set(crate::ui::state::Phase::Loading);
                    leptos::task::spawn_local(crate::ui::state::boot(state));
                }
                Ok(Unlock::Wrong { tries_left: n }) => tries_left.set(Some(n)),
                Ok(Unlock::Wiped { unsent }) => {
                    tell_other_tabs(Told::Erased);
                    state.lock.set(LockView::Erased {
                        unsent,
                        lost: false,
                    })
                }
                Err(e) => state
                    .phase
                    .set(crate::ui::state::Phase::Failed(e.to_string())),
            }
        });
    };
    move || {
        match state.lock.get() {
        LockView::Open => ().into_any(),
        LockView::Locked(kind) => view! {
            <section class="page sign-in" data-testid="unlock">
                <form class="card sign-in-card" on:submit=submit>
                    <h1>{move || state.t(T::LockedTitle)}</h1>
                    <p class="muted">{move || state.t(match kind {
                        Secret::Password => T::LockedHintPassword,
                        Secret::Pin => T::LockedHintPin,
                        Secret::Passphrase => T::LockedHintPassphrase,
                    })}</p>
                    <div class="field">
                        <label for="unlock-secret">{move || state.t(label(kind))}</label>
                        <input id="unlock-secret" data-testid="unlock-secret" type="password" required
                            autocomplete="current-password"
                            inputmode=if kind == Secret::Pin { "numeric" } else { "text" }
                            prop:value=move || secret.get() on:input=move |ev| secret.set(event_target_value(&ev)) />
                    </div>
                    <p class="error" role="alert" data-testid="unlock-error">
                        {move || tries_left.get().map(|n| format!("{} {n}", state.t(T::WrongSecret)))}
                    </p>
                    <button class="primary" type="submit" data-testid="unlock-submit" disabled=move || busy.get()>
                        {move || state.t(if busy.get() { T::Unlocking } else { T::Unlock })}
                    </button>
                </form>
            </section>
        }.into_any(),
        LockView::Erased { unsent, lost } => view! {
            <section class="page sign-in" data-testid="erased">
                <div class="card sign-in-card">
                    <h1>{move || state.t(T::ErasedTitle)}</h1>
                    <p>{move || state.t(if lost { T::DeviceLostErased } else { T::ErasedAfterTries })}</p>
                    <p data-testid="erased-unsent">{move || format!("{} {unsent}", state.t(T::ErasedUnsent))}</p>
                    <button class="primary" on:click=move |_| restart_page()>{move || state.t(T::StartAgain)}</button>
                </div>
            </section>
        }.into_any(),
    }
    }
}

/// Settings: how this device's data is kept, a PIN or passphrase, the idle time, lock now.
#[component]
pub fn DeviceSecurity() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Read from the store whenever it may have changed: the page can show before the store is
    // open (a link opened at start-up), and a save changes it.
    let saved = RwSignal::new(0u32);
    let lock_state = move || {
        state.phase.track();
        state.rev.track();
        saved.track();
        db().map(|s| s.lock_state()).unwrap_or(LockState::Plain)
    };
    let idle = move || {
        saved.track();
        state.phase.track();
        db().ok().and_then(|s| s.idle_minutes()).unwrap_or(5)
    };
    let first = RwSignal::new(String::new());
    let second = RwSignal::new(String::new());
    let note = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    // A synced device may switch to a PIN; a local-only one sets a passphrase.
    let new_kind = move || match lock_state() {
        LockState::Plain => Secret::Passphrase,
        _ => Secret::Pin,
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let kind = new_kind();
        let (a, b) = (first.get_untracked(), second.get_untracked());
        if let Some(p) = kind.problem(&a) {
            note.set(Some((false, state.t(problem_text(p)).into())));
            return;
        }
        if a != b {
            note.set(Some((false, state.t(T::NotTheSame).into())));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = match db() {
                Ok(store) => store.encrypt(&a, kind).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            first.set(String::new());
            second.set(String::new());
            match r {
                Ok(()) => {
                    saved.update(|n| *n += 1);
                    note.set(Some((true, state.t(T::SecretSaved).into())));
                }
                Err(creditdesk_storage::StoreError::OtherTabs(_)) => {
                    note.set(Some((false, state.t(T::OtherTabsOpen).into())))
                }
                Err(e) => note.set(Some((false, e.to_string()))),
            }
        });
    };
    let set_idle = move |ev: leptos::ev::Event| {
        let Ok(minutes) = event_target_value(&ev).parse::<u32>() else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(store) = db() {
                if store.set_idle_minutes(minutes).await.is_ok() {
                    saved.update(|n| *n += 1);
                }
            }
        });
    };
    view! {
        <div class="card" data-testid="device-security">
            <h2>{move || state.t(T::DeviceSecurity)}</h2>
            {move || match lock_state() {
                LockState::Plain => view! { <p class="muted" data-testid="not-encrypted">{state.t(T::NotEncrypted)}</p> }.into_any(),
                LockState::Locked(k) | LockState::Unlocked(k) => view! {
                    <p data-testid="encrypted">{state.t(T::EncryptedWith)}{(state.lang.get() == crate::ui::i18n::Lang::En).then_some(" ")}
                        <strong>{state.t(if k == Secret::Password { T::YourPassword } else { label(k) })}</strong></p>
                    <div class="field">
                        <label for="idle-minutes">{state.t(T::LockAfter)}</label>
                        <select id="idle-minutes" data-testid="idle-minutes" on:change=set_idle>
                            {IDLE_CHOICES.iter().map(|m| {
                                let m = *m;
                                view! { <option value=m.to_string() selected=move || idle() == m>{m}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <button type="button" data-testid="lock-now" on:click=move |_| {
                        tell_other_tabs(Told::Locked);
                        lock_now();
                    }>{state.t(T::LockNow)}</button>
                }.into_any(),
            }}
            <form on:submit=save data-testid="secret-form">
                <h3>{move || state.t(if new_kind() == Secret::Pin { T::UsePin } else { T::EncryptThisDevice })}</h3>
                {move || (new_kind() == Secret::Pin).then(|| view! { <p class="muted small">{state.t(T::PinHint)}</p> })}
                <div class="field">
                    <label for="secret-new">{move || state.t(if new_kind() == Secret::Pin { T::PinRule } else { T::PassphraseRule })}</label>
                    <input id="secret-new" data-testid="secret-new" type="password" autocomplete="new-password" required
                        inputmode=move || if new_kind() == Secret::Pin { "numeric" } else { "text" }
                        prop:value=move || first.get() on:input=move |ev| first.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="secret-repeat">{move || state.t(T::Repeat)}</label>
                    <input id="secret-repeat" data-testid="secret-repeat" type="password" autocomplete="new-password" required
                        inputmode=move || if new_kind() == Secret::Pin { "numeric" } else { "text" }
                        prop:value=move || second.get() on:input=move |ev| second.set(event_target_value(&ev)) />
                </div>
                <button type="submit" data-testid="secret-save" disabled=move || busy.get()>
                    {move || state.t(if new_kind() == Secret::Pin { T::UsePin } else { T::EncryptThisDevice })}
                </button>
            </form>
            {move || note.get().map(|(ok, text)| view! {
                <p class=if ok { "ok" } else { "error" } role="status" data-testid="secret-note">{text}</p>
            })}
        </div>
    }
}

/// The administrator's list of devices, each with "Report lost" (server mode).
#[component]
pub fn Devices() -> impl IntoView {
    let state = expect_context::<AppState>();
    let list = RwSignal::new(Vec::<crate::ui::sync::Device>::new());
    let error = RwSignal::new(None::<String>);
    let load = move || {
        leptos::task::spawn_local(async move {
            match crate::ui::sync::devices().await {
                Ok(d) => {
                    list.set(d);
                    error.set(None);
                }
                Err(e) => error.set(Some(format!("{e:?}"))),
            }
        })
    };
    load();
    let report = move |client: String| {
        leptos::task::spawn_local(async move {
            match crate::ui::sync::report_lost(&client).await {
                Ok(()) => load(),
                Err(e) => error.set(Some(format!("{e:?}"))),
            }
        })
    };
    let me = crate::ui::sync::device_id();
    view! {
        <div class="card" data-testid="devices">
            <h2>{move || state.t(T::DevicesTitle)}</h2>
            <p class="muted small">{move || state.t(T::DevicesHint)}</p>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <ul class="plain device-list">
                {move || list.get().into_iter().map(|d| {
                    let client = d.client.clone();
                    let mine = me.as_deref() == Some(d.client.as_str());
                    let lang = state.lang.get();
                    let name = state.data(|data| {
                        data.users
                            .iter()
                            .find(|u| u.id == d.user)
                            .map_or_else(|| d.user.clone(), |u| u.name.clone())
                    });
                    let seen = crate::ui::pages::requests::fmt_time(lang, d.last_seen);
                    let status = match (d.lost_at, d.wiped_at) {
                        (Some(_), Some(_)) => Some(format!("{} · {}", state.t(T::ReportedLost), state.t(T::Erased))),
                        (Some(_), None) => Some(state.t(T::ReportedLost).to_string()),
                        _ => None,
                    };
                    view! {
                        <li class="device-row" data-testid="device" data-client=d.client.clone()>
                            <div class="device-who">
                                <strong>{name}</strong>" "<span class="muted">{d.user.clone()}</span>
                                {mine.then(|| view! { <span class="muted">" · " {state.t(T::ThisDevice)}</span> })}
                                <div class="muted small" title=d.agent.clone()>
                                    {device_label(&d.agent)} " · " {creditdesk_app::sync::series_tag(&d.client)}
                                </div>
                                <div class="muted small">{state.t(T::LastSeen)} " " {seen}</div>
                            </div>
                            {match status {
                                Some(s) => view! { <span class="pill danger" data-testid="device-status">{s}</span> }.into_any(),
                                None if mine => ().into_any(),
                                None => view! {
                                    <button type="button" class="danger" data-testid="report-lost"
                                        on:click=move |_| report(client.clone())>{state.t(T::ReportLost)}</button>
                                }.into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

/// A browser's user agent as a person names the device: "Chrome 156 · Android", "Safari ·
/// iPhone". What is not recognised is left out (the whole string is the row's tooltip).
pub fn device_label(agent: &str) -> String {
    let version = |name: &str| {
        agent.split_whitespace().find_map(|part| {
            let v = part.strip_prefix(name)?.strip_prefix('/')?;
            Some(v.split('.').next().unwrap_or(v).to_string())
        })
    };
    let browser = if let Some(v) = version("Edg") {
        format!("Edge {v}")
    } else if let Some(v) = version("Firefox") {
        format!("Firefox {v}")
    } else if let Some(v) = version("Chrome").or_else(|| version("HeadlessChrome")) {
        format!("Chrome {v}")
    } else if agent.contains("Safari/") {
        "Safari".to_string()
    } else {
        String::new()
    };
    let system = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| agent.contains(needle))
    .map_or("", |(_, name)| name);
    match (browser.is_empty(), system.is_empty()) {
        (false, false) => format!("{browser} · {system}"),
        (false, true) => browser,
        (true, false) => system.to_string(),
        (true, true) => "?".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::device_label;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_user_agent_is_named_by_its_browser_and_system() {
        let check =
            |agent: &str, expected: &str| assert_eq!(device_label(agent), expected, "{agent}");
        check("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36", "Chrome 131 · Android");
        check("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari · iPhone");
        check("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70", "Edge 131 · Windows");
        check(
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox 133 · Linux",
        );
        check("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", "Chrome 156 · Linux");
        check("curl/8.5.0", "?");
    }
}
