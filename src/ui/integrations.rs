//! The ERP link on screen (server mode, administrators): the API keys an ERP uses, and the
//! webhook subscriptions CreditDesk posts holds, releases and limit changes to. Both live on
//! the server (`src/server/src/erp.rs`); this page lists, creates and revokes them, and shows a
//! new secret once.

use crate::ui::i18n::T;
use crate::ui::pages::account::error_text;
use crate::ui::pages::requests::fmt_time;
use crate::ui::state::AppState;
use crate::ui::sync::{self, ApiKey, ErpHook};
use creditdesk_domain::sort;
use leptos::prelude::*;

/// What a key may do, as the server names it, and its label.
const SCOPES: [(&str, T); 3] = [
    ("read", T::ScopeRead),
    ("ledger", T::ScopeLedger),
    ("check", T::ScopeCheck),
];

/// The events an ERP may subscribe to, and their labels.
const EVENTS: [(&str, T); 4] = [
    ("hold.set", T::EvHoldSet),
    ("hold.released", T::EvHoldReleased),
    ("limits.changed", T::EvLimitsChanged),
    ("limit.temporary_ended", T::EvTempEnded),
];

/// The label of a scope or event code (the code itself when unknown).
fn label(state: AppState, table: &[(&str, T)], code: &str) -> String {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_string(), |(_, t)| state.t(*t).to_string())
}

/// A set of codes chosen by check boxes.
fn toggle(set: RwSignal<Vec<String>>, code: &str, on: bool) {
    set.update(|v| {
        v.retain(|c| c != code);
        if on {
            v.push(code.to_string());
        }
    });
}

/// Asks before a revocation; `true` when the administrator confirms.
fn confirmed(state: AppState, question: T) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(state.t(question)).ok())
        .unwrap_or(false)
}

/// The API keys: the list (newest first), a new key's form, and its secret once.
#[component]
pub fn ApiKeys() -> impl IntoView {
    let state = expect_context::<AppState>();
    let keys = RwSignal::new(Vec::<ApiKey>::new());
    // Why the list could not be read, apart from why the form was refused.
    let unread = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let secret = RwSignal::new(None::<(String, String)>);
    let name = RwSignal::new(String::new());
    let acts_as = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec!["ledger".to_string()]);
    let saving = RwSignal::new(false);
    let load = move || {
        leptos::task::spawn_local(async move {
            match sync::api_keys().await {
                Ok(mut k) => {
                    sort::by_key(&mut k, |k| std::cmp::Reverse(k.created_at));
                    keys.set(k);
                    unread.set(None);
                }
                Err(e) => unread.set(Some(error_text(state.lang.get_untracked(), &e))),
            }
        })
    };
    load();
    let users = move || {
        state.data(|d| {
            d.users
                .iter()
                .map(|u| (u.id.clone(), u.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        error.set(None);
        let (n, a, s) = (
            name.get_untracked(),
            acts_as.get_untracked(),
            scopes.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            match sync::create_api_key(n, a, s).await {
                Ok(k) => {
                    secret.set(Some((k.key.name.clone(), k.secret)));
                    name.set(String::new());
                    load();
                }
                // What was typed stays, beside why it was refused.
                Err(e) => error.set(Some(error_text(state.lang.get_untracked(), &e))),
            }
            saving.set(false);
        })
    };
    let revoke = move |id: String| {
        if !confirmed(state, T::ConfirmRevokeKey) {
            return;
        }
        leptos::task::spawn_local(async move {
            match sync::revoke_api_key(&id).await {
                Ok(()) => load(),
                Err(e) => unread.set(Some(error_text(state.lang.get_untracked(), &e))),
            }
        })
    };
    view! {
        <div class="card" data-testid="api-keys">
            <h2>{move || state.t(T::ApiKeysTitle)}</h2>
            <p class="muted small">{move || state.t(T::ApiKeysHint)}</p>
            {move || unread.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || secret.get().map(|(n, s)| view! {
                <div class="notice-box" data-testid="new-secret" role="status">
                    <strong>{n}</strong> ": " {move || state.t(T::SecretOnce)}
                    <pre class="mono secret">{s}</pre>
                </div>
            })}
            {move || keys.with(Vec::is_empty).then(|| view! { <p class="muted">{state.t(T::NoKeys)}</p> })}
            <ul class="plain key-list">
                {move || keys.get().into_iter().map(|k| {
                    let lang = state.lang.get();
                    let who = state.data(|d| d.users.iter().find(|u| u.id == k.acts_as).map_or_else(|| k.acts_as.clone(), |u| u.name.clone()));
                    let may = lang.list(&k.scopes.iter().map(|c| label(state, &SCOPES, c)).collect::<Vec<_>>());
                    let used = k.last_used_at.map_or_else(|| lang.t(T::NeverUsed).to_string(), |t| format!("{} {}", lang.t(T::LastUsed), fmt_time(lang, t)));
                    let id = k.id.clone();
                    view! {
                        <li class="key-row" class:void=k.revoked_at.is_some() data-testid="api-key" data-name=k.name.clone()>
                            <div>
                                <strong>{k.name.clone()}</strong>
                                <div class="muted small">{lang.t(T::ActsAs)} " " {who} " · " {may}</div>
                                <div class="muted small">{fmt_time(lang, k.created_at)} " · " {used}</div>
                            </div>
                            {match k.revoked_at {
                                Some(t) => view! { <span class="pill">{lang.t(T::Revoked)} " " {fmt_time(lang, t)}</span> }.into_any(),
                                None => view! {
                                    <button type="button" class="small danger" data-testid="revoke-key" on:click=move |_| revoke(id.clone())>{lang.t(T::RevokeKey)}</button>
                                }.into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="key-form" on:submit=create data-testid="new-key" novalidate>
                <label>{move || state.t(T::KeyName)}
                    <input id="key-name" maxlength="80" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label>{move || state.t(T::ActsAs)}
                    <select id="key-acts-as" on:change=move |ev| acts_as.set(event_target_value(&ev))>
                        <option value="" selected=move || acts_as.with(String::is_empty)>"—"</option>
                        {move || users().into_iter().map(|(id, n)| {
                            let (chosen, text) = (id.clone(), format!("{n} ({id})"));
                            view! { <option value=id selected=move || acts_as.get() == chosen>{text}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <fieldset class="checks">
                    <legend>{move || state.t(T::Scopes)}</legend>
                    {SCOPES.into_iter().map(|(code, t)| view! {
                        <label class="check">
                            <input type="checkbox" data-scope=code prop:checked=move || scopes.with(|v| v.iter().any(|c| c == code))
                                on:change=move |ev| toggle(scopes, code, event_target_checked(&ev)) />
                            {move || state.t(t)}
                        </label>
                    }).collect_view()}
                </fieldset>
                {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="key-error">{e}</p> })}
                <div class="form-actions">
                    <button type="submit" class="primary" disabled=move || saving.get() data-testid="create-key">{move || state.t(T::CreateKey)}</button>
                </div>
            </form>
        </div>
    }
}

/// The ERP's webhook subscriptions: the list, a new one's form, and its secret once.
#[component]
pub fn ErpHooks() -> impl IntoView {
    let state = expect_context::<AppState>();
    let hooks = RwSignal::new(Vec::<ErpHook>::new());
    let unread = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let secret = RwSignal::new(None::<(String, String)>);
    let url = RwSignal::new(String::new());
    let events = RwSignal::new(
        EVENTS
            .iter()
            .map(|(c, _)| c.to_string())
            .collect::<Vec<_>>(),
    );
    let saving = RwSignal::new(false);
    let load = move || {
        leptos::task::spawn_local(async move {
            match sync::erp_hooks().await {
                Ok(mut h) => {
                    sort::by_key(&mut h, |h| std::cmp::Reverse(h.created_at));
                    hooks.set(h);
                    unread.set(None);
                }
                Err(e) => unread.set(Some(error_text(state.lang.get_untracked(), &e))),
            }
        })
    };
    load();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        error.set(None);
        let (u, e) = (url.get_untracked(), events.get_untracked());
        leptos::task::spawn_local(async move {
            match sync::create_erp_hook(u, e).await {
                Ok(h) => {
                    secret.set(Some((h.hook.url.clone(), h.secret)));
                    url.set(String::new());
                    load();
                }
                Err(e) => error.set(Some(error_text(state.lang.get_untracked(), &e))),
            }
            saving.set(false);
        })
    };
    let end = move |id: String| {
        if !confirmed(state, T::ConfirmEndHook) {
            return;
        }
        leptos::task::spawn_local(async move {
            match sync::end_erp_hook(&id).await {
                Ok(()) => load(),
                Err(e) => unread.set(Some(error_text(state.lang.get_untracked(), &e))),
            }
        })
    };
    view! {
        <div class="card" data-testid="erp-hooks">
            <h2>{move || state.t(T::ErpHooksTitle)}</h2>
            <p class="muted small">{move || state.t(T::ErpHooksHint)}</p>
            {move || unread.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || secret.get().map(|(u, s)| view! {
                <div class="notice-box" data-testid="new-hook-secret" role="status">
                    <strong class="mono">{u}</strong> ": " {move || state.t(T::SecretOnce)}
                    <pre class="mono secret">{s}</pre>
                </div>
            })}
            {move || hooks.with(Vec::is_empty).then(|| view! { <p class="muted">{state.t(T::NoHooks)}</p> })}
            <ul class="plain key-list">
                {move || hooks.get().into_iter().map(|h| {
                    let lang = state.lang.get();
                    let what = lang.list(&h.events.iter().map(|c| label(state, &EVENTS, c)).collect::<Vec<_>>());
                    let id = h.id.clone();
                    view! {
                        <li class="key-row" class:void=h.revoked_at.is_some() data-testid="erp-hook">
                            <div>
                                <strong class="mono wrap">{h.url.clone()}</strong>
                                <div class="muted small">{what}</div>
                                <div class="muted small">{fmt_time(lang, h.created_at)}</div>
                            </div>
                            {match h.revoked_at {
                                Some(t) => view! { <span class="pill">{lang.t(T::Ended)} " " {fmt_time(lang, t)}</span> }.into_any(),
                                None => view! {
                                    <button type="button" class="small danger" data-testid="end-hook" on:click=move |_| end(id.clone())>{lang.t(T::EndHook)}</button>
                                }.into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="key-form" on:submit=create data-testid="new-hook" novalidate>
                <label>{move || state.t(T::HookUrl)}
                    <input id="hook-url" type="url" inputmode="url" prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev)) />
                </label>
                <fieldset class="checks">
                    <legend>{move || state.t(T::HookEvents)}</legend>
                    {EVENTS.into_iter().map(|(code, t)| view! {
                        <label class="check">
                            <input type="checkbox" data-event=code prop:checked=move || events.with(|v| v.iter().any(|c| c == code))
                                on:change=move |ev| toggle(events, code, event_target_checked(&ev)) />
                            {move || state.t(t)}
                        </label>
                    }).collect_view()}
                </fieldset>
                {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="hook-error">{e}</p> })}
                <div class="form-actions">
                    <button type="submit" class="primary" disabled=move || saving.get() data-testid="create-hook">{move || state.t(T::Subscribe)}</button>
                </div>
            </form>
        </div>
    }
}
