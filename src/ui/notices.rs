//! Notices on screen (server mode only: the server sends them): my messages, how I am told
//! (address, language, webhook, channels per kind), and for an administrator the defaults, each
//! person's address and manager, the delivery log and the server's jobs. Who is told what is
//! `creditdesk_domain::notice`; saving runs `SaveNotices` on the server.

use crate::ui::i18n::{Lang, T};
use crate::ui::pages::account::error_text;
use crate::ui::pages::requests::fmt_time;
use crate::ui::state::AppState;
use crate::ui::sync::{self, Delivery, JobRun};
use creditdesk_domain::approval::Role;
use creditdesk_domain::notice::{
    Channel, Contact, Flavour, Hook, Kind, Lang as NoticeLang, Settings,
};
use creditdesk_domain::sort;
use leptos::prelude::*;

fn kind_label(k: Kind) -> T {
    match k {
        Kind::Approval => T::KindApproval,
        Kind::Escalation => T::KindEscalation,
        Kind::Alert => T::KindAlert,
    }
}

fn channel_label(c: Channel) -> T {
    match c {
        Channel::Inbox => T::ChMessages,
        Channel::Email => T::ChEmail,
        Channel::Webhook => T::ChWebhook,
    }
}

fn flavour_code(f: Option<Flavour>) -> &'static str {
    match f {
        None => "",
        Some(Flavour::WeCom) => "wecom",
        Some(Flavour::DingTalk) => "dingtalk",
        Some(Flavour::Slack) => "slack",
        Some(Flavour::Json) => "json",
    }
}

fn flavour_of(code: &str) -> Option<Flavour> {
    match code {
        "wecom" => Some(Flavour::WeCom),
        "dingtalk" => Some(Flavour::DingTalk),
        "slack" => Some(Flavour::Slack),
        "json" => Some(Flavour::Json),
        _ => None,
    }
}

/// The messages page: the notices the server sent me in the app, newest first.
#[component]
pub fn MessagesPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let list = LocalResource::new(sync::messages);
    view! {
        <section class="page">
            <crate::ui::pages::monitor::InboxTabs />
            <h1>{move || state.t(T::MessagesTitle)}</h1>
            <Suspense fallback=|| view! { <p class="muted">"…"</p> }>
                {move || list.get().map(|r| match r {
                    Ok(items) if items.is_empty() => view! {
                        <p class="muted" data-testid="no-messages">{state.t(T::NoMessages)}</p>
                    }.into_any(),
                    Ok(items) => view! {
                        <ul class="plain message-list" data-testid="messages">
                            {items.into_iter().map(|m| view! {
                                <li class="card message" data-testid="message">
                                    <details>
                                        <summary>
                                            <strong>{m.subject.clone()}</strong>
                                            <span class="muted small">" · " {fmt_time(state.lang.get_untracked(), m.created_at)}</span>
                                        </summary>
                                        <pre class="notice-text">{m.body.clone()}</pre>
                                    </details>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{error_text(state.lang.get_untracked(), &e)}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// The channel checkboxes of one kind: `chosen` is what applies, `own` whether it is the
/// person's own choice (else the defaults').
fn channel_boxes(
    state: AppState,
    testid: String,
    chosen: Vec<Channel>,
    own: Option<bool>,
    set: impl Fn(Channel, bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <span class="channel-boxes" data-testid=testid>
            {Channel::ALL.into_iter().map(|c| {
                let on = chosen.contains(&c);
                view! {
                    <label class="check">
                        <input type="checkbox" data-channel=c.code() prop:checked=on
                            on:change=move |ev| set(c, event_target_checked(&ev)) />
                        " " {state.t(channel_label(c))}
                    </label>
                }
            }).collect_view()}
            {(own == Some(false)).then(|| view! { <span class="muted small">"(" {state.t(T::UsesDefaults)} ")"</span> })}
        </span>
    }
}

/// The notice settings card: my contact and channels; for an administrator also the defaults
/// and everyone's address and manager.
#[component]
pub fn NoticeSettingsCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let settings = RwSignal::new(None::<Settings>);
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        match sync::notice_settings().await {
            Ok(s) => settings.set(Some(s)),
            Err(e) => error.set(Some(error_text(state.lang.get_untracked(), &e))),
        }
    });
    // Notices are the server's: who I am is who the session says.
    let me = move || {
        state
            .sync
            .session
            .get()
            .map(|x| x.user.id)
            .unwrap_or_default()
    };
    // Memos: the parts below are drawn again only when these change, not on every edit of the
    // settings or every change of the data (a background sync), which would replace an input
    // under the person typing in it and lose what they typed.
    let admin = Memo::new(move |_| {
        state
            .sync
            .session
            .with(|x| x.as_ref().is_some_and(|x| x.user.has(Role::Admin)))
    });
    let shown = Memo::new(move |_| {
        settings.with(Option::is_some) && state.sync.session.with(Option::is_some)
    });
    let edit_mine = move |f: &dyn Fn(&mut Contact)| {
        let id = me();
        saved.set(false);
        settings.update(|s| {
            if let Some(s) = s {
                f(s.contacts.entry(id).or_default());
            }
        });
    };
    let save = move |_| {
        let Some(s) = settings.get_untracked() else {
            return;
        };
        saved.set(false);
        leptos::task::spawn_local(async move {
            match sync::save_notice_settings(&s).await {
                Ok(s) => {
                    settings.set(Some(s));
                    error.set(None);
                    saved.set(true);
                }
                Err(e) => error.set(Some(error_text(state.lang.get_untracked(), &e))),
            }
        });
    };
    let mine = move || {
        settings
            .get()
            .and_then(|s| s.contacts.get(&me()).cloned())
            .unwrap_or_default()
    };
    view! {
        <div class="card" data-testid="notice-settings">
            <h2>{move || state.t(T::NoticesTitle)}</h2>
            <p class="muted small">{move || state.t(T::NoticesHint)}</p>
            // Who "my" is comes with the session, which a reload may restore after the settings
            // arrive: until both are known there is nothing to show or edit (an edit before would
            // land on nobody).
            {move || shown.get().then(|| view! {
                <h3>{state.t(T::MyContact)}</h3>
                <div class="form-grid">
                    <label>{state.t(T::Email)}
                        <input type="email" data-testid="my-email" prop:value=move || mine().email
                            on:change=move |ev| { let v = event_target_value(&ev); edit_mine(&|c| c.email = v.trim().to_string()) } />
                    </label>
                    <label>{state.t(T::NoticeLanguage)}
                        <select data-testid="my-notice-lang" on:change=move |ev| {
                            let en = event_target_value(&ev) == "en";
                            edit_mine(&|c| c.lang = if en { NoticeLang::En } else { NoticeLang::Zh })
                        }>
                            <option value="zh" selected=move || mine().lang == NoticeLang::Zh>"中文"</option>
                            <option value="en" selected=move || mine().lang == NoticeLang::En>"English"</option>
                        </select>
                    </label>
                    <label>{state.t(T::WebhookLabel)}
                        <select data-testid="my-webhook-kind" on:change=move |ev| {
                            let f = flavour_of(&event_target_value(&ev));
                            edit_mine(&|c| c.hook = f.map(|flavour| Hook {
                                flavour,
                                url: c.hook.as_ref().map(|h| h.url.clone()).unwrap_or_default(),
                            }))
                        }>
                            {[None, Some(Flavour::WeCom), Some(Flavour::DingTalk), Some(Flavour::Slack), Some(Flavour::Json)].into_iter().map(|f| {
                                let name = match f {
                                    None => state.t(T::WebhookNone).to_string(),
                                    Some(Flavour::WeCom) => "企业微信 WeCom".into(),
                                    Some(Flavour::DingTalk) => "钉钉 DingTalk".into(),
                                    Some(Flavour::Slack) => "Slack".into(),
                                    Some(Flavour::Json) => "JSON".into(),
                                };
                                view! { <option value=flavour_code(f) selected=move || mine().hook.map(|h| h.flavour) == f>{name}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {move || mine().hook.is_some().then(|| view! {
                        <label>{state.t(T::WebhookUrl)}
                            <input type="url" data-testid="my-webhook-url" prop:value=move || mine().hook.map(|h| h.url).unwrap_or_default()
                                on:change=move |ev| { let v = event_target_value(&ev); edit_mine(&|c| if let Some(h) = &mut c.hook { h.url = v.trim().to_string() }) } />
                        </label>
                    })}
                </div>
                <div class="notice-kinds">
                        {Kind::ALL.into_iter().map(|k| view! {
                            <div class="kind-row">
                                <span class="kind-name">{state.t(kind_label(k))}</span>
                                {move || {
                                    let s = settings.get().unwrap_or_default();
                                    let own = mine().channels.contains_key(&k);
                                    channel_boxes(state, format!("my-channels-{}", k.code()), s.channels(&me(), k), Some(own), move |c, on| {
                                        let now = settings.get_untracked().map(|s| s.channels(&me(), k)).unwrap_or_default();
                                        edit_mine(&|contact| {
                                            let mut next: Vec<Channel> = now.iter().copied().filter(|x| *x != c).collect();
                                            if on { next.push(c); sort::natural(&mut next); }
                                            contact.channels.insert(k, next);
                                        })
                                    })
                                }}
                            </div>
                        }).collect_view()}
                </div>
                {move || admin.get().then(|| view! { <AdminNoticeSettings settings saved /> })}
                <div class="actions">
                    <button type="button" class="primary" data-testid="save-notices" on:click=save>{state.t(T::Save)}</button>
                    {move || saved.get().then(|| view! { <span class="muted" role="status" data-testid="notices-saved">{state.t(T::Saved)}</span> })}
                </div>
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="notices-error">{e}</p> })}
        </div>
    }
}

/// The administrator's part: the defaults per kind, and each person's address, language and
/// manager.
#[component]
pub fn AdminNoticeSettings(
    settings: RwSignal<Option<Settings>>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let edit = move |f: &dyn Fn(&mut Settings)| {
        saved.set(false);
        settings.update(|s| {
            if let Some(s) = s {
                f(s)
            }
        });
    };
    // The directory as a memo: the rows are drawn again when it changes, not on every change of
    // the data.
    let users = Memo::new(move |_| state.data(|d| d.users.clone()));
    view! {
        <label class="check">
            <input type="checkbox" data-testid="customer-reminders"
                prop:checked=move || settings.get().is_some_and(|s| s.customer_reminders)
                on:change=move |ev| { let on = event_target_checked(&ev); edit(&|s| s.customer_reminders = on) } />
            " " {move || state.t(T::CustomerReminders)}
        </label>
        <h3>{move || state.t(T::DefaultsForAll)}</h3>
        <div class="notice-kinds">
                {Kind::ALL.into_iter().map(|k| view! {
                    <div class="kind-row">
                        <span class="kind-name">{state.t(kind_label(k))}</span>
                        {move || {
                            let chosen = settings.get().and_then(|s| s.defaults.get(&k).cloned()).unwrap_or_default();
                            channel_boxes(state, format!("default-channels-{}", k.code()), chosen, None, move |c, on| {
                                edit(&|s| {
                                    let list = s.defaults.entry(k).or_default();
                                    list.retain(|x| *x != c);
                                    if on { list.push(c); sort::natural(list); }
                                })
                            })
                        }}
                    </div>
                }).collect_view()}
        </div>
        <h3>{move || state.t(T::PeopleContacts)}</h3>
        <div class="table-scroll">
            <table class="people-contacts" data-testid="people-contacts">
                <thead><tr>
                    <th>{move || state.t(T::PersonName)}</th>
                    <th>{move || state.t(T::Email)}</th>
                    <th>{move || state.t(T::ReportsTo)}</th>
                    <th>{move || state.t(T::Language)}</th>
                </tr></thead>
                <tbody>
                    {move || users.get().into_iter().map(|u| {
                        let id = u.id.clone();
                        let contact = Memo::new(move |_| settings.get().and_then(|s| s.contacts.get(&id).cloned()).unwrap_or_default());
                        let (id2, id3, id4) = (u.id.clone(), u.id.clone(), u.id.clone());
                        let others: Vec<(String, String)> = users.get_untracked().into_iter().filter(|o| o.id != u.id).map(|o| (o.id, o.name)).collect();
                        view! {
                            <tr data-testid="contact-row" data-user=u.id.clone()>
                                <td>{u.name.clone()} <span class="muted small">" " {u.id.clone()}</span></td>
                                <td data-label=move || state.t(T::Email)><input type="email" data-testid="contact-email" aria-label=move || state.t(T::Email) prop:value=move || contact.get().email
                                    on:change=move |ev| { let v = event_target_value(&ev); let id = id2.clone(); edit(&|s| s.contacts.entry(id.clone()).or_default().email = v.trim().to_string()) } /></td>
                                <td data-label=move || state.t(T::ReportsTo)><select data-testid="contact-manager" aria-label=move || state.t(T::ReportsTo) on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    let id = id3.clone();
                                    edit(&|s| s.contacts.entry(id.clone()).or_default().manager = (!v.is_empty()).then(|| v.clone()))
                                }>
                                    <option value="" selected=move || contact.get().manager.is_none()>{state.t(T::NobodyAbove)}</option>
                                    {others.into_iter().map(|(oid, name)| {
                                        let o2 = oid.clone();
                                        view! { <option value=oid selected=move || contact.get().manager.as_deref() == Some(o2.as_str())>{name}</option> }
                                    }).collect_view()}
                                </select></td>
                                <td data-label=move || state.t(T::Language)><select aria-label=move || state.t(T::Language) on:change=move |ev| {
                                    let en = event_target_value(&ev) == "en";
                                    let id = id4.clone();
                                    edit(&|s| s.contacts.entry(id.clone()).or_default().lang = if en { NoticeLang::En } else { NoticeLang::Zh })
                                }>
                                    <option value="zh" selected=move || contact.get().lang == NoticeLang::Zh>"中文"</option>
                                    <option value="en" selected=move || contact.get().lang == NoticeLang::En>"English"</option>
                                </select></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A server job's name in words (the code where there are none).
fn job_name(lang: Lang, code: &str) -> String {
    let zh = lang == Lang::Zh;
    match (code, zh) {
        ("rules", true) => "预警规则（全部客户）".into(),
        ("rules", false) => "Warning rules over every customer".into(),
        ("deliver", true) => "发送通知".into(),
        ("deliver", false) => "Delivering notices".into(),
        ("backup", true) => "每日备份".into(),
        ("backup", false) => "Daily backup".into(),
        _ => code.to_string(),
    }
}

fn status_text(lang: Lang, status: &str) -> (&'static str, &'static str) {
    match status {
        "sent" => (lang.t(T::StatusSent), ""),
        "failed" => (lang.t(T::StatusFailed), "danger"),
        _ => (lang.t(T::StatusPending), "warn"),
    }
}

/// The administrator's log of e-mails and webhooks, with "send again", and the server's jobs.
#[component]
pub fn DeliveryLog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let log = RwSignal::new(Vec::<Delivery>::new());
    let jobs = RwSignal::new(Vec::<JobRun>::new());
    let error = RwSignal::new(None::<String>);
    let load = move || {
        leptos::task::spawn_local(async move {
            let lang = state.lang.get_untracked();
            match sync::notice_log().await {
                Ok(l) => log.set(l.into_iter().filter(|d| d.channel != "inbox").collect()),
                Err(e) => error.set(Some(error_text(lang, &e))),
            }
            match sync::jobs().await {
                Ok(j) => jobs.set(j),
                Err(e) => error.set(Some(error_text(lang, &e))),
            }
        })
    };
    load();
    let again = move |id: i64| {
        leptos::task::spawn_local(async move {
            match sync::retry_notice(id).await {
                Ok(()) => load(),
                Err(e) => error.set(Some(error_text(state.lang.get_untracked(), &e))),
            }
        })
    };
    view! {
        <div class="card" data-testid="delivery-log">
            <h2>{move || state.t(T::DeliveryLog)}</h2>
            <p class="muted small">{move || state.t(T::DeliveryLogHint)}</p>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || log.get().is_empty().then(|| view! { <p class="muted">{state.t(T::NothingSentYet)}</p> })}
            <ul class="plain delivery-list">
                {move || log.get().into_iter().take(50).map(|d| {
                    let lang = state.lang.get();
                    let (status, class) = status_text(lang, &d.status);
                    let id = d.id;
                    let who = state.data(|data| data.users.iter().find(|u| u.id == d.user).map_or_else(|| d.user.clone(), |u| u.name.clone()));
                    view! {
                        <li class="delivery-row" data-testid="delivery" data-status=d.status.clone()>
                            <div>
                                <strong>{d.subject.clone()}</strong>
                                <div class="muted small">
                                    {who} " · " {d.address.clone()} " · " {d.channel.clone()} " · " {fmt_time(lang, d.created_at)}
                                    " · " {d.attempts} " " {state.t(T::Tries)}
                                </div>
                                {d.last_error.clone().map(|e| view! { <div class="error small">{e}</div> })}
                            </div>
                            <span class=format!("pill {class}")>{status}</span>
                            {(d.status != "sent").then(|| view! {
                                <button type="button" data-testid="send-again" on:click=move |_| again(id)>{state.t(T::SendAgain)}</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <h3>{move || state.t(T::JobsTitle)}</h3>
            <ul class="plain" data-testid="jobs">
                {move || jobs.get().into_iter().map(|j| {
                    let lang = state.lang.get();
                    view! {
                        <li>
                            <strong>{job_name(lang, &j.name)}</strong> " · " {j.runs} " " {state.t(T::JobRuns)}
                            " · " {j.failures} " " {state.t(T::JobFailures)}
                            " · " {state.t(T::LastRun)} " " {fmt_time(lang, j.last_start)} " (" {j.last_ms} " ms)"
                            {j.last_error.clone().map(|e| view! { <div class="error small">{e}</div> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}
