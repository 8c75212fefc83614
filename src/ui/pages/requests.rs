//! The approval workflow on screen: the request form with its route shown before submitting,
//! a request's timeline with approve / reject / withdraw, the inbox, and the audit trail.

use crate::ui::approvals::{attachment_bytes, decide, file_request, verify_stored_audit, withdraw};
use crate::ui::i18n::{Lang, T};
use crate::ui::link::A;
use crate::ui::pages::customer::route_customer;
use crate::ui::pages::customer_form::submit;
use crate::ui::state::{new_uuid, with_data, AppState, SaveError};
use crate::ui::widgets::{
    customer_access, download, download_bytes, Field, Form, FormMessage, SelectField, Unavailable,
    UnavailablePage, WhenLedger,
};
use creditdesk_domain::approval::{Escalation, Inbox, Mode, Role, Route, State, User};
use creditdesk_domain::credit::{limit_field as lf, LimitInput};
use creditdesk_domain::rating::Grade;
use creditdesk_domain::request::{
    field as rf, limit_request, Attachment, OverrideInput, Request, RequestKind,
};
use creditdesk_domain::workflow;
use creditdesk_domain::Money;
use creditdesk_domain::RequestId;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use wasm_bindgen::JsCast;

pub fn role_label(r: Role) -> T {
    match r {
        Role::SalesRep => T::RoleSalesRep,
        Role::SalesManager => T::RoleSalesManager,
        Role::FinanceSpecialist => T::RoleFinanceSpecialist,
        Role::FinanceManager => T::RoleFinanceManager,
        Role::Cfo => T::RoleCfo,
        Role::GeneralManager => T::RoleGeneralManager,
        Role::Admin => T::RoleAdmin,
    }
}

pub fn roles_text(lang: Lang, roles: &[Role]) -> String {
    lang.list(
        &roles
            .iter()
            .map(|r| lang.t(role_label(*r)))
            .collect::<Vec<_>>(),
    )
}

fn state_label(s: State) -> (T, &'static str) {
    match s {
        State::Draft => (T::StateDraft, ""),
        State::InStep(_) => (T::StateInStep, "warn"),
        State::Approved => (T::StateApproved, "ok"),
        State::Rejected => (T::StateRejected, "danger"),
        State::Withdrawn => (T::StateWithdrawn, ""),
        State::Expired => (T::StateExpired, ""),
    }
}

#[component]
pub fn StatePill(state: State) -> impl IntoView {
    let app = expect_context::<AppState>();
    let (t, tone) = state_label(state);
    view! { <span class=format!("pill {tone}") data-testid="request-state">{move || app.t(t)}</span> }
}

/// A moment in the user's local time: `2026/11/29 09:00` or `29 Nov 2026 09:00`.
pub fn fmt_time(lang: Lang, ms: i64) -> String {
    let d = js_sys::Date::new(&(ms as f64).into());
    let day = creditdesk_domain::Date::from_ymd(
        d.get_full_year() as i32,
        d.get_month() + 1,
        d.get_date(),
    )
    .unwrap_or_default();
    format!(
        "{} {:02}:{:02}",
        lang.date(day),
        d.get_hours(),
        d.get_minutes()
    )
}

/// A permanent limit's calendar as a request states it (" · expires … · review …"); empty when it
/// states neither.
fn calendar_text(
    lang: Lang,
    expires: Option<creditdesk_domain::date::Date>,
    review: Option<creditdesk_domain::date::Date>,
) -> String {
    let mut s = String::new();
    if let Some(d) = expires {
        s += &format!(" · {}{}", lang.label(lang.t(T::LimitExpires)), lang.date(d));
    }
    if let Some(d) = review {
        s += &format!(" · {}{}", lang.label(lang.t(T::NextReview)), lang.date(d));
    }
    s
}

/// What a request asks for, in words; a limit hidden from the user (zero in a request held
/// with its limits hidden) reads "hidden".
pub fn request_text(lang: Lang, r: &creditdesk_domain::request::Request) -> String {
    let limit = |m: &Money| {
        if r.limits_hidden && m.is_zero() {
            lang.t(T::HiddenValue).to_string()
        } else {
            m.format_cny_whole()
        }
    };
    kind_words(lang, &r.kind, &limit)
}

/// What a request asks for, in words.
pub fn kind_text(lang: Lang, k: &RequestKind) -> String {
    kind_words(lang, k, &|m: &Money| m.format_cny_whole())
}

/// A request's kind in words, each limit it names as `limit` writes it.
fn kind_words(lang: Lang, k: &RequestKind, limit: &dyn Fn(&Money) -> String) -> String {
    let t = |x: T| lang.t(x);
    match k {
        RequestKind::FirstApplication {
            limit: l,
            expires,
            review,
        } => format!(
            "{} {}{}",
            t(T::ActFirst),
            limit(l),
            calendar_text(lang, *expires, *review)
        ),
        RequestKind::PermanentChange {
            before,
            after,
            expires,
            review,
        } => format!(
            "{}{} → {}{}",
            lang.label(t(T::PermanentLimit)),
            limit(before),
            limit(after),
            calendar_text(lang, *expires, *review)
        ),
        RequestKind::TemporaryLimit { amount, start, end } => format!(
            "{} {} ({} – {})",
            t(T::ActTemporary),
            limit(amount),
            lang.date(*start),
            lang.date(*end)
        ),
        RequestKind::Freeze => t(T::ActFreeze).into(),
        RequestKind::Unfreeze { .. } => t(T::ActUnfreeze).into(),
        RequestKind::GradeOverride { from, to, .. } => {
            format!("{}{from} → {to}", lang.label(t(T::ActOverride)))
        }
        RequestKind::ReleaseHeldOrder { number, amount, .. } => {
            format!("{} {number} · {}", t(T::ActRelease), amount.format_cny())
        }
        RequestKind::WriteOff { number, amount, .. } => {
            format!("{} {number} · {}", t(T::OutWriteOff), amount.format_cny())
        }
    }
}

/// A step's roles: `Sales manager` or `any one of CFO, General manager`.
fn step_roles(lang: Lang, s: &creditdesk_domain::approval::Step) -> String {
    if s.mode == Mode::AnyOf && s.roles.len() > 1 {
        format!("{} {}", lang.t(T::AnyOf), roles_text(lang, &s.roles))
    } else {
        roles_text(lang, &s.roles)
    }
}

/// The names of who of the directory may act in a step (never the requester).
fn approvers(users: &[User], roles: &[Role], requester: &str) -> Vec<String> {
    creditdesk_domain::approval::approvers(users, roles, requester)
        .into_iter()
        .map(|u| u.name.clone())
        .collect()
}

/// The route a request will take: each step, who can act, and its deadline.
#[component]
fn RoutePreview(
    route: Route,
    requester: String,
    now: i64,
    amount: creditdesk_domain::Money,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let t = move |k: T| lang.t(k);
    let users = with_data(|d| d.users.clone());
    let steps = route.steps.clone();
    view! {
        <div class="route" data-testid="route">
            <p class="muted">
                {if route.tier == 0 { t(T::FreezeRoute).to_string() } else { format!("{} {}", t(T::RouteTier), route.tier) }}
                {(!amount.is_zero()).then(|| format!(" · {} {}", t(T::RoutedBy), amount.format_cny_whole()))}
                {format!(" · {} {} {} · {} {} {}", t(T::DueIn), route.due_hours, t(T::Hours), t(T::EscalateAfter), route.escalate_hours, t(T::Hours))}
                {route.simplified.then(|| format!(" · {}", t(T::RouteSimplified)))}
            </p>
            <ol class="steps">
                {steps.into_iter().enumerate().map(|(k, s)| {
                    let names = approvers(&users, &s.roles, &requester);
                    let due = (k == 0).then(|| format!(" · {} {}", t(T::DueBy), fmt_time(lang, route.first_due(now))));
                    view! {
                        <li data-testid="route-step">
                            <strong>{lang.label(&format!("{} {}", t(T::Step), k + 1))}</strong>
                            {step_roles(lang, &s)}
                            <span class="muted">{if names.is_empty() { format!(" — {}", t(T::NobodyHasRole)) } else { format!(" — {}", lang.list(&names)) }}{due}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </div>
    }
}

/// Files read from the file input, with their bytes.
pub(crate) type Files = RwSignal<Vec<(Attachment, Vec<u8>)>, LocalStorage>;

pub(crate) async fn read_files(input: web_sys::HtmlInputElement, files: Files) {
    let Some(list) = input.files() else { return };
    let mut out = Vec::new();
    for i in 0..list.length() {
        let Some(f) = list.get(i) else { continue };
        let Ok(buf) = wasm_bindgen_futures::JsFuture::from(f.array_buffer()).await else {
            continue;
        };
        let bytes = js_sys::Uint8Array::new(&buf).to_vec();
        out.push((
            Attachment {
                id: format!("att-{:032x}", new_uuid()),
                name: f.name(),
                mime: f.type_(),
                size: f.size() as u64,
            },
            bytes,
        ));
    }
    files.set(out);
}

/// The request form: `?action=` picks the kind (first, permanent, temporary, freeze, unfreeze,
/// override); `?amount=` prefills the amount (from a blocked credit check).
#[component]
pub fn RequestPage() -> impl IntoView {
    view! { <WhenLedger><RequestForm /></WhenLedger> }
}

#[component]
fn RequestForm() -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = route_customer();
    let query = use_query_map();
    let navigate = use_navigate();
    move || {
        let customer = match customer_access(id.get()) {
            Ok(c) => c,
            Err(why) => return view! { <UnavailablePage why=why /> }.into_any(),
        };
        let Some((name, ctx, me, today)) = with_data(|d| {
            Some((
                d.customer(customer)?.name.clone(),
                d.request_context(customer)?,
                d.me(),
                d.as_of,
            ))
        }) else {
            return ().into_any();
        };
        let creditdesk_app::RequestContext {
            limits,
            current,
            cap,
        } = ctx;
        let q = query.get_untracked();
        // With the limits hidden the device cannot tell a first limit from a change: it asks
        // for a new permanent limit, which the server routes from the one in force.
        let hidden = limits.hidden;
        let default_action = if limits.permanent.is_zero() && !hidden {
            "first"
        } else {
            "permanent"
        };
        let form = Form::new([
            (
                lf::ACTION,
                q.get("action").unwrap_or_else(|| default_action.into()),
            ),
            (lf::AMOUNT, q.get("amount").unwrap_or_default()),
            (lf::START, today.iso()),
            (lf::END, today.add_days(30).iso()),
            // A change keeps the expiry in force unless the user changes it here.
            (
                lf::EXPIRES,
                limits.expires.map(|d| d.iso()).unwrap_or_default(),
            ),
            (lf::REVIEW, String::new()),
            (rf::TO, String::new()),
            (lf::REASON, String::new()),
        ]);
        let files: Files = RwSignal::new_local(Vec::new());
        let first = limits.permanent.is_zero() && !hidden;
        let permanent = limits.permanent;
        let actions = Signal::derive(move || {
            let l = state.lang.get();
            let mut list = vec![if first {
                ("first", T::ActFirst)
            } else {
                ("permanent", T::ActPermanent)
            }];
            // A temporary limit must be above the limit in force: not asked blind.
            if !hidden {
                list.push(("temporary", T::ActTemporary));
            }
            list.extend([
                ("freeze", T::ActFreeze),
                ("unfreeze", T::ActUnfreeze),
                ("override", T::ActOverride),
            ]);
            list.into_iter()
                .map(|(v, t)| (v.to_string(), l.t(t).to_string()))
                .collect()
        });
        let grades = Signal::derive(move || {
            std::iter::once((String::new(), "—".to_string()))
                .chain(
                    Grade::ALL
                        .iter()
                        .map(|g| (g.label().into(), g.label().into())),
                )
                .collect()
        });
        // The request as typed, if it is complete: `reason` stands in for the real one, so that
        // the route shows before the reason is written.
        let kind_of = move |reason: String| {
            let action = form.get(lf::ACTION);
            if action == "override" {
                OverrideInput {
                    to: form.get(rf::TO),
                    reason,
                }
                .validate(current)
            } else {
                limit_request(
                    &LimitInput {
                        action,
                        amount: form.get(lf::AMOUNT),
                        start: form.get(lf::START),
                        end: form.get(lf::END),
                        expires: form.get(lf::EXPIRES),
                        review: form.get(lf::REVIEW),
                        reason,
                    },
                    &limits,
                    cap,
                    today,
                )
            }
        };
        let kind_of2 = kind_of.clone();
        let preview = move || {
            form.values.track();
            state.rev.track();
            let kind = kind_of2("route preview only".into()).ok()?.0;
            let route = with_data(|d| workflow::route_for(&d.routes, &kind, current.grade));
            Some((route, kind.route_amount()))
        };
        let navigate = navigate.clone();
        let on_submit = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let navigate = navigate.clone();
            let files = files.get_untracked();
            match kind_of(form.get(lf::REASON)) {
                Err(errors) => {
                    form.errors.set(errors);
                    form.message
                        .set(Some(state.lang.get_untracked().t(T::FixErrors).to_string()));
                }
                Ok((kind, reason)) => submit(
                    state,
                    form,
                    file_request(customer, kind, reason, files),
                    move |id| navigate(&format!("/requests/{id}"), Default::default()),
                ),
            }
        };
        let action = move || {
            form.values
                .with(|v| v.get(lf::ACTION).cloned().unwrap_or_default())
        };
        let needs_amount = move || matches!(action().as_str(), "first" | "permanent" | "temporary");
        // An open request of the kind chosen: shown and linked; the form is not submitted (the
        // command would refuse it).
        let open_for = move || {
            state.rev.track();
            let kind = creditdesk_domain::request::action_kind(&action())?;
            with_data(|d| workflow::open_of_kind(&d.requests, customer, kind).map(|r| r.id))
        };
        // The amount typed is the new limit: say so, with the change from today's.
        let amount_note = move || {
            let amount = form
                .values
                .with(|v| v.get(lf::AMOUNT).cloned().unwrap_or_default());
            let new = creditdesk_domain::Money::parse_positive(&amount).ok()?;
            if hidden {
                return Some(match state.lang.get() {
                    Lang::Zh => format!("新额度 {}", new.format_cny()),
                    Lang::En => format!("New limit {}", new.format_cny()),
                });
            }
            let from = if action() == "temporary" {
                current.limit
            } else {
                permanent
            };
            let change = new - from;
            let lang = state.lang.get();
            let sign = if change.is_negative() { "" } else { "+" };
            Some(match lang {
                Lang::Zh => format!(
                    "新额度 {}（较现额度 {} {sign}{}）",
                    new.format_cny(),
                    from.format_cny(),
                    change.format_cny()
                ),
                Lang::En => format!(
                    "New limit {} ({sign}{} on today's {})",
                    new.format_cny(),
                    change.format_cny(),
                    from.format_cny()
                ),
            })
        };
        let back = format!("/customers/{customer}");
        let requester = me.id.clone();
        view! {
            <section class="page form-page">
                <h1>{move || state.t(T::NewRequest)}</h1>
                <p class="muted">{move || { let lang = state.lang.get(); format!("{name} · {}{} · {}{}", lang.label(lang.t(T::Grade)), current.grade, lang.label(lang.t(T::EffectiveLimit)), if hidden { lang.t(T::HiddenValue).to_string() } else { current.limit.format_cny() }) }}</p>
                <form on:submit=on_submit novalidate data-testid="request-form">
                    <FormMessage form=form />
                    <SelectField form=form name=lf::ACTION label=T::LimitAction options=actions />
                    {move || open_for().map(|r| view! {
                        <p class="form-message" data-testid="open-request">{state.t(T::OpenOfKind)}" "
                            <A href=format!("/requests/{r}")>{state.t(T::ViewRequest)}</A>
                        </p>
                    })}
                    {move || needs_amount().then(|| view! {
                        <Field form=form name=lf::AMOUNT label=T::NewLimitAmount inputmode="decimal" required=true />
                        <p class="amount-note" data-testid="amount-note">{amount_note}</p>
                    })}
                    {move || matches!(action().as_str(), "first" | "permanent").then(|| view! {
                        <div class="row">
                            <Field form=form name=lf::EXPIRES label=T::LimitExpiresOn input_type="date" hint=T::ExpiresHint />
                            <Field form=form name=lf::REVIEW label=T::NextReviewOn input_type="date" hint=T::ReviewHint />
                        </div>
                    })}
                    {move || (action() == "temporary").then(|| view! {
                        <div class="row">
                            <Field form=form name=lf::START label=T::StartDate input_type="date" required=true />
                            <Field form=form name=lf::END label=T::EndDate input_type="date" required=true />
                        </div>
                    })}
                    {move || (action() == "override").then(|| view! { <SelectField form=form name=rf::TO label=T::OverrideTo options=grades /> })}
                    <Field form=form name=lf::REASON label=T::Reason textarea=true hint=T::ReasonHint required=true />
                    <div class="field" class:has-error=move || form.error(rf::ATTACHMENTS).is_some()>
                        <label for="f-attachments">{move || state.t(T::Attachments)}</label>
                        <input id="f-attachments" type="file" multiple data-testid="attachments"
                            on:change=move |ev| {
                                if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                    leptos::task::spawn_local(read_files(input, files));
                                }
                            } />
                        <small class="hint">{move || state.t(T::AttachHint)}</small>
                        <small class="error" role="alert">{move || form.error(rf::ATTACHMENTS).map(|p| state.lang.get().problem(p))}</small>
                    </div>
                    <h2>{move || state.t(T::Route)}</h2>
                    <p class="muted">{move || state.t(T::LimitNote)}</p>
                    {move || match preview() {
                        Some((route, amount)) => view! { <RoutePreview route=route requester=requester.clone() now=state.now.get_untracked() amount=amount /> }.into_any(),
                        None => view! { <p class="muted" data-testid="route-pending">{state.t(T::RouteFillIn)}</p> }.into_any(),
                    }}
                    <div class="form-actions">
                        <button type="submit" class="primary" disabled=move || form.saving.get() || open_for().is_some() data-testid="submit-request">{move || state.t(T::SubmitRequest)}</button>
                        <A href=back attr:class="button">{move || state.t(T::Cancel)}</A>
                    </div>
                </form>
            </section>
        }
        .into_any()
    }
}

/// One request: what it asks, its timeline, and what the signed-in user may do with it.
#[component]
pub fn RequestDetail() -> impl IntoView {
    let state = expect_context::<AppState>();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| RequestId::parse(&s)));
    let comment = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let act = move |what: u8| {
        let Some(id) = id.get_untracked() else { return };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let text = comment.get_untracked();
        leptos::task::spawn_local(async move {
            let r = match what {
                0 => decide(id, true, text).await,
                1 => decide(id, false, text).await,
                _ => withdraw(id).await,
            };
            match r {
                Ok(_) => {
                    error.set(None);
                    comment.set(String::new());
                    state.changed();
                    state.toast.set(Some(state.t(T::Saved).to_string()));
                }
                Err(e) => error.set(Some(save_error_text(state.lang.get_untracked(), &e))),
            }
            busy.set(false);
        });
    };
    view! {
        <WhenLedger>
            {move || {
                let lang = state.lang.get();
                let t = move |k: T| lang.t(k);
                let found = state.data(|d| d.request_for(&d.me(), id.get()).map(|(r, name)| (r, name, d.me(), d.users.clone())));
                let (r, customer, me, users) = match found {
                    Ok(v) => v,
                    Err(creditdesk_app::Access::NotYours) => {
                        return view! { <UnavailablePage why=Unavailable::NotYours /> }.into_any()
                    }
                    Err(_) => {
                        return view! { <section class="page"><p>{t(T::NoRequests)}</p></section> }.into_any()
                    }
                };
                let now = state.now.get();
                let can_act = r.flow.can_act(&me);
                let mine = r.requested_by == me.id;
                let open = r.state().is_open();
                let name_of = |id: &str| users.iter().find(|u| u.id == id).map_or_else(|| id.to_string(), |u| u.name.clone());
                let requester = name_of(&r.requested_by);
                let late = r.flow.overdue(now);
                view! {
                    <section class="page request" data-testid="request">
                        <div class="rating-head">
                            <h1>{request_text(lang, &r)}</h1>
                            <StatePill state=r.state() />
                            {late.map(|e| view! { <span class="pill danger" data-testid="late">{t(match e { creditdesk_domain::approval::Escalation::Reminder => T::Reminder, _ => T::EscalatedNote })}</span> })}
                        </div>
                        <p>
                            <A href=format!("/customers/{}", r.customer)>{customer}</A>
                            {format!(" · {} {} · {}", t(T::Requester), requester, fmt_time(lang, r.flow.submitted_at.max(r.meta.updated_at.0)))}
                        </p>
                        <p class="reason"><q>{r.reason.clone()}</q></p>
                        {r.legacy.then(|| view! { <p class="muted">{t(T::LegacyRecord)}</p> })}
                        {(!r.attachments.is_empty()).then(|| view! {
                            <div><h2>{t(T::Attachments)}</h2><ul class="plain">
                                {r.attachments.iter().cloned().map(|a| {
                                    let label = format!("{} ({} KB)", a.name, a.size.div_ceil(1024));
                                    view! { <li><button class="link" data-testid="attachment" on:click=move |_| {
                                        let a = a.clone();
                                        leptos::task::spawn_local(async move {
                                            match attachment_bytes(&a.id).await {
                                                Ok(Some(bytes)) => download_bytes(&a.name, &a.mime, &bytes),
                                                Ok(None) => state.toast.set(Some(state.t(T::AttachmentUnavailable).to_string())),
                                                Err(e) => state.toast.set(Some(e.to_string())),
                                            }
                                        });
                                    }>{label}</button></li> }
                                }).collect_view()}
                            </ul></div>
                        })}
                        <h2>{t(T::Timeline)}</h2>
                        <Timeline request=r.clone() users=users.clone() now=now />
                        {open.then(|| view! {
                            <div class="card decide" data-testid="decide">
                                {match (can_act, mine) {
                                    (Some(role), _) => view! {
                                        <p class="muted">{format!("{}{}", lang.label(t(T::ActingAs)), lang.t(role_label(role)))}</p>
                                        <div class="field">
                                            <label for="decide-comment">{t(T::Comment)}</label>
                                            <textarea id="decide-comment" rows="2" data-testid="comment" prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                                            <small class="hint">{t(T::CommentHint)}</small>
                                        </div>
                                        <div class="form-actions">
                                            <button class="primary" data-testid="approve" disabled=move || busy.get() on:click=move |_| act(0)>{t(T::Approve)}</button>
                                            <button class="danger" data-testid="reject" disabled=move || busy.get() on:click=move |_| act(1)>{t(T::Reject)}</button>
                                        </div>
                                    }.into_any(),
                                    (None, true) => view! {
                                        <p class="muted" data-testid="own-request">{t(T::OwnRequestNote)}</p>
                                        <div class="form-actions"><button data-testid="withdraw" disabled=move || busy.get() on:click=move |_| act(2)>{t(T::Withdraw)}</button></div>
                                    }.into_any(),
                                    (None, false) => view! { <p class="muted" data-testid="not-your-step">{t(T::NotYourStep)}</p> }.into_any(),
                                }}
                                <small class="error" role="alert" data-testid="decide-error">{move || error.get()}</small>
                            </div>
                        })}
                    </section>
                }
                .into_any()
            }}
        </WhenLedger>
    }
}

pub fn save_error_text(lang: Lang, e: &SaveError) -> String {
    use creditdesk_domain::approval::ApprovalError::*;
    match e {
        SaveError::Invalid(errs) => errs
            .iter()
            .map(|e| lang.problem(e.problem))
            .collect::<Vec<_>>()
            .join("; "),
        SaveError::Denied(a) => {
            let (zh, en) = match a {
                CommentRequired => ("驳回时请填写意见", "Say why you reject it"),
                OwnRequest => (
                    "不能审批自己提交的申请",
                    "You cannot approve your own request",
                ),
                AlreadyActed => (
                    "您已审批过此申请的一个步骤",
                    "You already decided a step of this request",
                ),
                WrongRole => (
                    "当前步骤不需要您的角色审批",
                    "This step is not for your role",
                ),
                NotOpen => ("该申请已结束", "This request is closed"),
                NotRequester => ("只有申请人可以撤回", "Only the requester may withdraw it"),
                NoSteps => ("审批路线没有步骤", "The route has no steps"),
                NotPermitted => ("您的角色无权执行此操作", "Your role may not do this"),
            };
            format!(
                "{}{}",
                if lang == Lang::Zh { zh } else { en },
                lang.paren(a.code())
            )
        }
        SaveError::Refused(e) => refused_text(lang, e),
        SaveError::Store(s) => format!("{}{s}", lang.label(lang.t(T::SaveFailed))),
    }
}

/// A command's refusal in the user's language, with its stable code.
fn refused_text(lang: Lang, e: &creditdesk_app::CommandError) -> String {
    use creditdesk_app::CommandError::*;
    let zh = lang == Lang::Zh;
    let text = match e {
        NotPermitted(_) => {
            if zh {
                "您的角色无权执行此操作".to_string()
            } else {
                "Your role may not do this".to_string()
            }
        }
        NotYours => lang.t(T::NotYours).to_string(),
        Unknown(what) => {
            if zh {
                format!("找不到该记录（{what}）")
            } else {
                format!("No such {what}")
            }
        }
        CreditBlocked(reasons) => {
            let why = reasons
                .iter()
                .map(|r| crate::ui::credit::reason_text(lang, r))
                .collect::<Vec<_>>()
                .join("; ");
            if zh {
                format!("信用检查不通过：{why}")
            } else {
                format!("The credit check blocks it: {why}")
            }
        }
        NotPaid { paid, needed } => {
            if zh {
                format!(
                    "款到发货：已收 {}，应收 {}",
                    paid.format_cny(),
                    needed.format_cny()
                )
            } else {
                format!(
                    "Payment before delivery: {} paid of {}",
                    paid.format_cny(),
                    needed.format_cny()
                )
            }
        }
        WrongState(s) => s.to_string(),
        e => e.to_string(),
    };
    format!("{text}{}", lang.paren(e.code().as_str()))
}

/// The request's progress: submitted, each step (who acted, when, what they said; or who may act
/// and by when), and how it ended.
#[component]
fn Timeline(request: Request, users: Vec<User>, now: i64) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let t = move |k: T| lang.t(k);
    let name_of = |id: &str| {
        users
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    };
    let f = &request.flow;
    let mut items: Vec<(String, String, &'static str)> = vec![(
        t(T::Submitted).to_string(),
        format!(
            "{} · {}",
            name_of(&f.requester),
            fmt_time(lang, f.submitted_at)
        ),
        "done",
    )];
    for (k, s) in f.route.steps.iter().enumerate() {
        let head = format!(
            "{}{}",
            lang.label(&format!("{} {}", t(T::Step), k + 1)),
            step_roles(lang, s)
        );
        let decided: Vec<String> = f
            .decisions
            .iter()
            .filter(|d| d.step == k)
            .map(|d| {
                let who = format!(
                    "{}{}",
                    name_of(&d.user),
                    lang.paren(lang.t(role_label(d.role)))
                );
                let comment = if d.comment.is_empty() {
                    String::new()
                } else {
                    format!(" · “{}”", d.comment)
                };
                // "周婷（销售经理）已批准" / "Approved by Zhou Ting (Sales manager)".
                match (lang, d.approve) {
                    (Lang::Zh, true) => format!("{who}已批准 · {}{comment}", fmt_time(lang, d.at)),
                    (Lang::Zh, false) => format!("{who}已驳回 · {}{comment}", fmt_time(lang, d.at)),
                    (Lang::En, true) => {
                        format!("Approved by {who} · {}{comment}", fmt_time(lang, d.at))
                    }
                    (Lang::En, false) => {
                        format!("Rejected by {who} · {}{comment}", fmt_time(lang, d.at))
                    }
                }
            })
            .collect();
        let current = f.state == State::InStep(k);
        let (body, tone) = if current {
            let (due, _) = f.deadlines().unwrap_or_default();
            let who = approvers(&users, &f.missing_roles(), &f.requester);
            let mut b = decided.join("; ");
            if !b.is_empty() {
                b += "; ";
            }
            b += &format!(
                "{} — {} · {} {}",
                t(T::Waiting),
                lang.list(&who),
                t(T::DueBy),
                fmt_time(lang, due)
            );
            let late = f.overdue(now);
            match late {
                Some(Escalation::NextLevel) => b += &format!(" · {}", t(T::EscalatedNote)),
                Some(Escalation::Reminder) => b += &format!(" · {}", t(T::Reminder)),
                None => {}
            }
            (b, if late.is_some() { "late" } else { "current" })
        } else if decided.is_empty() {
            ("—".to_string(), "todo")
        } else {
            (decided.join("; "), "done")
        };
        items.push((head, body, tone));
    }
    if !f.state.is_open() {
        let (label, _) = state_label(f.state);
        items.push((
            t(label).to_string(),
            f.closed_at.map(|at| fmt_time(lang, at)).unwrap_or_default(),
            "end",
        ));
    }
    view! {
        <ol class="timeline" data-testid="timeline">
            {items.into_iter().map(|(head, body, tone)| view! {
                <li class=tone><strong>{head}</strong><br /><span class="muted">{body}</span></li>
            }).collect_view()}
        </ol>
    }
}

/// A row of the inbox.
#[component]
fn RequestRow(request: Request, reason: Option<Inbox>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let (customer, requester) = with_data(|d| {
        (
            d.customer(request.customer)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            crate::ui::audit::who(lang, d, &request.requested_by),
        )
    });
    let step = match request.state() {
        State::InStep(k) => format!(
            " · {} {}/{}",
            lang.t(T::Step),
            k + 1,
            request.flow.route.steps.len()
        ),
        _ => String::new(),
    };
    let flag = match reason {
        Some(Inbox::Overdue) => Some(T::Late),
        Some(Inbox::Escalated) => Some(T::Escalated),
        _ => None,
    };
    let what = request_text(lang, &request);
    let state_now = request.state();
    view! {
        <li class="request-row" data-testid="inbox-row">
            <A href=format!("/requests/{}", request.id)>
                <strong>{customer}</strong>
                <span>{what}</span>
                <span class="muted">{format!("{} · {}{step}", requester, lang.date(request.requested_on))}</span>
            </A>
            <StatePill state=state_now />
            {flag.map(|f| view! { <span class="pill danger">{lang.t(f)}</span> })}
        </li>
    }
}

/// The signed-in user's inbox: waiting for me (late first), escalated to me, my requests, and,
/// for those who see every customer, all requests.
#[component]
pub fn InboxPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <WhenLedger>
            {move || {
                let lang = state.lang.get();
                let t = move |k: T| lang.t(k);
                let now = state.now.get();
                let creditdesk_app::InboxView { waiting, mine, late, all, sees_all: see_all } =
                    state.data(|d| d.inbox(&d.me(), now));
                view! {
                    <section class="page inbox">
                        <h1>{t(T::Inbox)}</h1>
                        <crate::ui::pages::monitor::InboxTabs />
                        <div class="toolbar">
                            <crate::ui::widgets::CsvButton list=creditdesk_app::exports::List::Inbox testid="export-inbox" />
                        </div>
                        <h2>{format!("{}{}", t(T::WaitingForMe), lang.paren(waiting.len()))}</h2>
                        {if waiting.is_empty() {
                            view! { <p class="muted" data-testid="inbox-empty">{t(T::NothingWaiting)}</p> }.into_any()
                        } else {
                            view! { <ul class="plain inbox-list" data-testid="waiting">
                                {waiting.into_iter().map(|(x, r)| view! { <RequestRow request=r reason=Some(x) /> }).collect_view()}
                            </ul> }.into_any()
                        }}
                        <h2>{format!("{}{}", t(T::MyRequests), lang.paren(mine.len()))}</h2>
                        {if mine.is_empty() {
                            view! { <p class="muted">{t(T::NoRequests)}</p> }.into_any()
                        } else {
                            view! { <ul class="plain inbox-list" data-testid="mine">
                                {mine.into_iter().map(|r| view! { <RequestRow request=r reason=None /> }).collect_view()}
                            </ul> }.into_any()
                        }}
                        <h2>{format!("{}{}", t(T::OverdueRequests), lang.paren(late.len()))}</h2>
                        {if late.is_empty() {
                            view! { <p class="muted">{t(T::NoRequests)}</p> }.into_any()
                        } else {
                            view! { <ul class="plain inbox-list" data-testid="late">
                                {late.into_iter().map(|r| view! { <RequestRow request=r reason=Some(Inbox::Overdue) /> }).collect_view()}
                            </ul> }.into_any()
                        }}
                        {see_all.then(|| view! {
                            <details>
                                <summary>{format!("{}{}", t(T::AllRequests), lang.paren(all.len()))}</summary>
                                <ul class="plain inbox-list" data-testid="all-requests">
                                    {all.into_iter().map(|r| view! { <RequestRow request=r reason=None /> }).collect_view()}
                                </ul>
                            </details>
                        })}
                    </section>
                }
            }}
        </WhenLedger>
    }
}

/// How many things wait on the signed-in user (for the navigation badge): requests to decide,
/// open alerts for them, and their open collection tasks.
pub fn waiting_count(state: AppState) -> usize {
    let now = state.now.get();
    state.data(|d| creditdesk_app::monitoring::waiting_count(d, &d.me(), now))
}

/// The audit trail: newest first, with verify and export.
#[component]
pub fn AuditPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let verdict = RwSignal::new(None::<Result<usize, u64>>);
    let verify = move |_| {
        leptos::task::spawn_local(async move {
            match verify_stored_audit().await {
                Ok(v) => verdict.set(Some(v)),
                Err(e) => state.toast.set(Some(e.to_string())),
            }
        });
    };
    let export = move |_| {
        let (json, day) = with_data(|d| (d.audit_json(), d.as_of));
        download(&format!("creditdesk-audit-{}.json", day.iso()), &json);
    };
    view! {
        <WhenLedger>
            {move || {
                let lang = state.lang.get();
                let t = move |k: T| lang.t(k);
                let Some((lines, total)) = state.data(|d| d.audit_page(&d.me(), 500)) else {
                    return view! { <section class="page"><h1>{t(T::Audit)}</h1><p data-testid="not-permitted">{t(T::NotPermitted)}</p></section> }.into_any();
                };
                view! {
                    <section class="page audit">
                        <h1>{t(T::Audit)}</h1>
                        <p class="muted">{t(T::AuditNote)}</p>
                        <div class="form-actions">
                            <button data-testid="verify" on:click=verify>{t(T::Verify)}</button>
                            <button data-testid="export-audit" on:click=export>{t(T::Export)}</button>
                            <crate::ui::widgets::CsvButton list=creditdesk_app::exports::List::Audit testid="export-audit-csv" />
                        </div>
                        {move || verdict.get().map(|v| match v {
                            Ok(n) => view! { <p class="pill ok" data-testid="verdict">{format!("{}{}", t(T::ChainIntact), lang.paren(n))}</p> }.into_any(),
                            Err(seq) => view! { <p class="pill danger" data-testid="verdict">{format!("{} #{seq}", t(T::ChainBroken))}</p> }.into_any(),
                        })}
                        <p class="muted">{format!("{total} {}", t(T::Entries))}</p>
                        <div class="table-wrap">
                            <table class="audit-table" data-testid="audit">
                                <thead><tr><th>"#"</th><th>{t(T::When)}</th><th>{t(T::What)}</th><th>{t(T::Why)}</th></tr></thead>
                                <tbody>
                                    {lines.into_iter().map(|creditdesk_app::AuditLine { entry: e, .. }| {
                                        // The sentence; what was recorded (code, values) on hover.
                                        let (said, why) = with_data(|d| (
                                            crate::ui::audit::sentence(lang, d, &e),
                                            crate::ui::audit::why(lang, &e),
                                        ));
                                        let recorded = format!("{}: {}\n{} → {}", t(T::Recorded), e.what, clip(&e.before), clip(&e.after));
                                        view! {
                                            <tr data-what=e.what.clone()>
                                                <td class="num">{e.seq}</td>
                                                <td>{fmt_time(lang, e.at)}</td>
                                                <td class="said" title=recorded>{said}</td>
                                                <td class="said muted">{why}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </section>
                }
                .into_any()
            }}
        </WhenLedger>
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() > 80 {
        s.chars().take(80).chain(std::iter::once('…')).collect()
    } else {
        s.to_string()
    }
}
