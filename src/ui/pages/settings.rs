//! Settings: language, this device's encryption and lock, the devices that sync, notices and the
//! ERP link's keys and webhooks (administrator, server mode), what is stored on this device,
//! sync, and replacing the data.

use crate::ui::i18n::{Lang, T};
use crate::ui::link::A;
use crate::ui::state::{replace_data, storage_stats, AppState};
use creditdesk_domain::approval::{Permission, Role};
use leptos::prelude::*;

#[component]
pub fn Settings() -> impl IntoView {
    let state = expect_context::<AppState>();
    let stats = LocalResource::new(move || {
        state.rev.track();
        storage_stats()
    });
    // Whether the browser keeps the data under storage pressure, and the space it takes; asked
    // again by the button (the app asks once at each start, see `state::boot`).
    let ask = RwSignal::new(false);
    let durability = LocalResource::new(move || {
        state.rev.track();
        let asking = ask.get();
        async move {
            if asking {
                creditdesk_storage::durable::ask_to_persist().await?;
            }
            creditdesk_storage::durable::durability().await
        }
    });
    let replace = move |demo: bool| {
        let ok = web_sys::window()
            .and_then(|w| w.confirm_with_message(state.t(T::ConfirmReplace)).ok())
            .unwrap_or(false);
        if ok {
            leptos::task::spawn_local(async move {
                if let Err(e) = replace_data(state, demo).await {
                    state
                        .toast
                        .set(Some(crate::ui::pages::requests::save_error_text(
                            state.lang.get_untracked(),
                            &e,
                        )));
                }
            });
        }
    };
    let admin_on_server =
        Memo::new(move |_| state.sync.server.get() && state.data(|d| d.me().has(Role::Admin)));
    view! {
        <section class="page settings">
            <h1>{move || state.t(T::NavSettings)}</h1>
            <div class="card">
                <h2>{move || state.t(T::Language)}</h2>
                <div class="segmented" role="group">
                    <button class:active=move || state.lang.get() == Lang::Zh on:click=move |_| state.set_lang(Lang::Zh)>"中文"</button>
                    <button class:active=move || state.lang.get() == Lang::En on:click=move |_| state.set_lang(Lang::En)>"English"</button>
                </div>
            </div>
            // The editors start from what is stored: only once it is loaded (opened by a link
            // before, they would show, and could save, the defaults).
            <crate::ui::widgets::WhenLoaded><crate::ui::pages::credit::PolicyEditor /></crate::ui::widgets::WhenLoaded>
            <p class="links">
                <A href="/held" attr:data-testid="held-link">{move || state.t(T::HeldOrders)}</A>
                " · "
                <A href="/audit" attr:data-testid="audit-link">{move || state.t(T::Audit)}</A>
                " · "
                <A href="/rules" attr:data-testid="rules-link">{move || state.t(T::Rules)}</A>
                " · "
                <A href="/fields" attr:data-testid="fields-link">{move || state.t(T::CustomFields)}</A>
                " · "
                <A href="/import" attr:data-testid="import-link">{move || state.t(T::NavImport)}</A>
            </p>
            <crate::ui::widgets::WhenLoaded>
                <crate::ui::pages::admin::RoutesEditor />
                <crate::ui::pages::admin::UsersEditor />
            </crate::ui::widgets::WhenLoaded>
            <crate::ui::lock::DeviceSecurity />
            // The administrator's list of the devices that sync (server mode).
            {move || admin_on_server.get().then(|| view! { <crate::ui::lock::Devices /> })}
            // Notices come from the server: how I am told, and the administrator's log.
            {move || state.sync.server.get().then(|| view! { <crate::ui::notices::NoticeSettingsCard /> })}
            {move || admin_on_server.get().then(|| view! { <crate::ui::notices::DeliveryLog /> })}
            // The ERP link: its API keys and webhook subscriptions (server mode, administrators).
            // Drawn again only when that changes, not at each sync (which would empty the forms).
            {move || admin_on_server.get()
                .then(|| view! {
                    <crate::ui::integrations::ApiKeys />
                    <crate::ui::integrations::ErpHooks />
                })}
            <div class="card">
                <h2>{move || state.t(T::Storage)}</h2>
                <Suspense fallback=|| view! { <p class="muted">"…"</p> }>
                    {move || stats.get().map(|s| match s {
                        Ok(s) => view! {
                            <ul class="plain" data-testid="storage-stats">
                                <li>{s.customers} " " {state.t(T::CustomersCount)}</li>
                                <li>{s.chunks} " " {state.t(T::ChunksStored)}</li>
                                <li>{s.tail} " " {state.t(T::TailEntries)}</li>
                                <li>{s.outbox} " " {state.t(T::OutboxEntries)}</li>
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    })}
                </Suspense>
                <Suspense fallback=|| ()>
                    {move || durability.get().map(|d| match d {
                        Ok(d) => {
                            let lang = state.lang.get();
                            let used = match (d.usage, d.quota) {
                                (Some(u), Some(q)) if q > 0 => format!(
                                    "{}{} / {}{}",
                                    lang.label(lang.t(T::SpaceUsed)), lang.bytes(u), lang.bytes(q),
                                    lang.paren(format!("{:.1}%", u as f64 * 100.0 / q as f64))
                                ),
                                (Some(u), _) => format!("{}{}", lang.label(lang.t(T::SpaceUsed)), lang.bytes(u)),
                                _ => String::new(),
                            };
                            view! {
                                <div data-testid="durability" data-persisted=d.persisted.to_string()>
                                    <p class=if d.persisted { "ok" } else { "warn" }>
                                        {lang.t(if d.persisted { T::StorageKept } else { T::StorageNotKept })}
                                    </p>
                                    <p class="muted" data-testid="space-used">{used}</p>
                                    {(!d.persisted).then(|| view! {
                                        <button data-testid="ask-to-keep" on:click=move |_| ask.set(true)>{lang.t(T::AskToKeep)}</button>
                                    })}
                                </div>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    })}
                </Suspense>
            </div>
            <div class="card">
                <h2>{move || state.t(T::Sync)}</h2>
                {move || if state.sync.server.get() {
                    view! { <p><A href="/sync">{state.t(T::SyncTitle)}</A></p> }.into_any()
                } else {
                    view! { <p>{state.t(T::SyncOff)}</p> }.into_any()
                }}
            </div>
            <div class="card">
                <h2>{move || state.t(T::Data)}</h2>
                {move || if state.sync.server.get() {
                    // The server holds the data: replacing it is the administrator's, on the server.
                    view! { <p class="muted" data-testid="data-on-server">{state.t(T::DataOnServer)}</p> }.into_any()
                } else {
                    view! {
                        <div class="actions">
                            <button disabled=move || !state.data(|d| d.me().may(Permission::ResetData)) on:click=move |_| replace(true)>{move || state.t(T::ResetDemo)}</button>
                            <button class="danger" disabled=move || !state.data(|d| d.me().may(Permission::ResetData)) on:click=move |_| replace(false)>{move || state.t(T::StartEmpty)}</button>
                        </div>
                    }.into_any()
                }}
            </div>
            <p class="muted">{move || state.t(T::Version)} " " {env!("CARGO_PKG_VERSION")}</p>
        </section>
    }
}
