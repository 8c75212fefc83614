//! Settings of the approval workflow: the routes (tiers, steps, deadlines) and the user directory.
//! Both are data; saving checks them in the domain and records the change in the audit trail.

use crate::ui::approvals::{save_routes, save_users};
use crate::ui::i18n::T;
use crate::ui::pages::requests::role_label;
use crate::ui::state::{with_data, AppState};
use creditdesk_domain::approval::{
    Mode, Permission, Role, RouteCode, RouteProblem, Routes, Step, Tier, User,
};
use creditdesk_domain::rating::Grade;
use creditdesk_domain::sort;
use creditdesk_domain::Money;
use leptos::prelude::*;
use std::collections::BTreeSet;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Tier(usize),
    Freeze,
}

fn tier_mut(r: &mut Routes, w: Which) -> &mut Tier {
    match w {
        Which::Tier(i) => &mut r.tiers[i],
        Which::Freeze => &mut r.freeze,
    }
}

fn problems_view(list: Vec<RouteProblem>) -> impl IntoView {
    (!list.is_empty()).then(|| {
        view! {
            <ul class="form-message problems" role="alert" data-testid="route-problems">
                {list.into_iter().map(|p| view! { <li><span class="mono">{p.code.code()}</span>{format!(" {} — {}", p.at, p.detail)}</li> }).collect_view()}
            </ul>
        }
    })
}

/// One tier (or the freeze route): amount, grades, deadlines, and its steps.
#[component]
fn TierEditor(
    routes: RwSignal<Routes>,
    which: Which,
    shape: RwSignal<u32>,
    bad: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let t = move |k: T| lang.t(k);
    let tier = routes.with_untracked(|r| match which {
        Which::Tier(i) => r.tiers[i].clone(),
        Which::Freeze => r.freeze.clone(),
    });
    let edit = move |f: Box<dyn FnOnce(&mut Tier)>| routes.update(|r| f(tier_mut(r, which)));
    let key = match which {
        Which::Tier(i) => format!("tier {}", i + 1),
        Which::Freeze => "freeze".to_string(),
    };
    let hours = move |field: &'static str, value: u32| {
        let key = format!("{key}: {field}");
        view! {
            <input class="num" inputmode="numeric" value=value.to_string() data-testid=format!("{}-{field}", match which { Which::Tier(i) => format!("tier{}", i + 1), Which::Freeze => "freeze".into() })
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    match v.trim().parse::<u32>() {
                        Ok(h) => {
                            bad.update(|b| { b.remove(&key); });
                            edit(Box::new(move |t| if field == "due" { t.due_hours = h } else { t.escalate_hours = h }));
                        }
                        Err(_) => bad.update(|b| { b.insert(key.clone()); }),
                    }
                } />
        }
    };
    let amount_key = format!(
        "{}: amount",
        match which {
            Which::Tier(i) => format!("tier {}", i + 1),
            Which::Freeze => "freeze".into(),
        }
    );
    view! {
        <fieldset class="tier" data-testid="tier">
            <legend>{match which { Which::Tier(i) => format!("{} {}", t(T::RouteTier), i + 1), Which::Freeze => t(T::FreezeRoute).to_string() }}</legend>
            {matches!(which, Which::Tier(_)).then(|| view! {
                <div class="row">
                    <label class="inline">{t(T::UpTo)}" "
                        <input class="num" inputmode="decimal" placeholder=t(T::AnyAmount) value=tier.up_to.map(|m| m.to_plain()).unwrap_or_default()
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                let parsed = if v.trim().is_empty() { Ok(None) } else { Money::parse_non_negative(&v).map(Some) };
                                match parsed {
                                    Ok(m) => { bad.update(|b| { b.remove(&amount_key); }); edit(Box::new(move |t| t.up_to = m)); }
                                    Err(_) => bad.update(|b| { b.insert(amount_key.clone()); }),
                                }
                            } />
                    </label>
                    <span class="inline">{lang.label(t(T::Grades))}
                        {Grade::ALL.into_iter().map(|g| view! {
                            <label class="check"><input type="checkbox" prop:checked=tier.grades.contains(&g)
                                on:change=move |ev| { let on = event_target_checked(&ev); edit(Box::new(move |t| { t.grades.retain(|x| *x != g); if on { t.grades.push(g); sort::natural(&mut t.grades); } })) } />{g.label()}</label>
                        }).collect_view()}
                    </span>
                </div>
            })}
            <div class="row">
                <label class="inline">{format!("{}{}", t(T::DueIn), lang.paren(t(T::Hours)))}" "{hours("due", tier.due_hours)}</label>
                <label class="inline">{format!("{}{}", t(T::EscalateAfter), lang.paren(t(T::Hours)))}" "{hours("escalate", tier.escalate_hours)}</label>
            </div>
            <ol class="steps">
                {tier.steps.iter().enumerate().map(|(k, s)| {
                    let s = s.clone();
                    view! {
                        <li>
                            <span class="inline">{format!("{} {}: ", t(T::Step), k + 1)}</span>
                            {Role::ALL.into_iter().map(|r| view! {
                                <label class="check"><input type="checkbox" prop:checked=s.roles.contains(&r)
                                    on:change=move |ev| { let on = event_target_checked(&ev); edit(Box::new(move |t| { let st = &mut t.steps[k]; st.roles.retain(|x| *x != r); if on { st.roles.push(r); sort::natural(&mut st.roles); } })) } />{t(role_label(r))}</label>
                            }).collect_view()}
                            <select aria-label=t(T::Mode) on:change=move |ev| { let any = event_target_value(&ev) == "any"; edit(Box::new(move |t| t.steps[k].mode = if any { Mode::AnyOf } else { Mode::AllOf })) }>
                                <option value="all" selected=s.mode == Mode::AllOf>{t(T::AllOf)}</option>
                                <option value="any" selected=s.mode == Mode::AnyOf>{t(T::AnyOf)}</option>
                            </select>
                            <button class="small" on:click=move |_| { edit(Box::new(move |t| { t.steps.remove(k); })); shape.update(|n| *n += 1); }>{t(T::Remove)}</button>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <div class="row-actions">
                <button class="small" on:click=move |_| { edit(Box::new(|t| t.steps.push(Step { roles: vec![Role::FinanceManager], mode: Mode::AllOf }))); shape.update(|n| *n += 1); }>{t(T::AddStep)}</button>
                {match which {
                    Which::Tier(i) => Some(view! { <button class="small danger" on:click=move |_| { routes.update(|r| { r.tiers.remove(i); }); shape.update(|n| *n += 1); }>{t(T::Remove)}</button> }),
                    Which::Freeze => None,
                }}
            </div>
        </fieldset>
    }
}

/// The approval routes, edited as data.
#[component]
pub fn RoutesEditor() -> impl IntoView {
    let state = expect_context::<AppState>();
    let routes = RwSignal::new(with_data(|d| d.routes.clone()));
    let shape = RwSignal::new(0u32);
    let bad = RwSignal::new(BTreeSet::<String>::new());
    let why = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<RouteProblem>::new());
    let save = move |_| {
        let unreadable = bad.get_untracked();
        if !unreadable.is_empty() {
            problems.set(
                unreadable
                    .into_iter()
                    .map(|at| RouteProblem {
                        code: RouteCode::NotANumber,
                        at,
                        detail: state.lang.get_untracked().t(T::NotANumberShort).into(),
                    })
                    .collect(),
            );
            return;
        }
        let r = routes.get_untracked();
        let reason = why.get_untracked();
        leptos::task::spawn_local(async move {
            match save_routes(r, reason).await {
                Ok(v) => {
                    problems.set(Vec::new());
                    why.set(String::new());
                    routes.update(|r| r.version = v);
                    state.changed();
                    state.toast.set(Some(format!("{} v{v}", state.t(T::Saved))));
                }
                Err(list) => problems.set(list),
            }
        });
    };
    move || {
        shape.track();
        let lang = state.lang.get();
        let t = move |k: T| lang.t(k);
        let (n, aaa, expire, version) =
            routes.with_untracked(|r| (r.tiers.len(), r.aaa_simplified, r.expire_days, r.version));
        let allowed = state.data(|d| d.me().may(Permission::EditRoutes));
        view! {
            <div class="card routes-editor" data-testid="routes-editor">
                <h2>{format!("{} · v{version}", t(T::Routes))}</h2>
                <p class="muted">{t(T::RoutesNote)}</p>
                {(0..n).map(|i| view! { <TierEditor routes=routes which=Which::Tier(i) shape=shape bad=bad /> }).collect_view()}
                <button class="small" on:click=move |_| {
                    routes.update(|r| {
                        let at = r.tiers.len().saturating_sub(1);
                        let copy = r.tiers.get(at).cloned().unwrap_or(Tier { up_to: None, grades: Vec::new(), steps: Vec::new(), due_hours: 24, escalate_hours: 48 });
                        r.tiers.insert(at, Tier { up_to: Some(Money::from_units(10_000)), ..copy });
                    });
                    shape.update(|n| *n += 1);
                }>{t(T::AddTier)}</button>
                <TierEditor routes=routes which=Which::Freeze shape=shape bad=bad />
                <div class="row">
                    <label class="check"><input type="checkbox" prop:checked=aaa on:change=move |ev| routes.update(|r| r.aaa_simplified = event_target_checked(&ev)) />{t(T::AaaSimplified)}</label>
                    <label class="inline">{t(T::ExpireDays)}" "
                        <input class="num" inputmode="numeric" value=expire.to_string() on:input=move |ev| match event_target_value(&ev).trim().parse() {
                            Ok(v) => { bad.update(|b| { b.remove("expiry"); }); routes.update(|r| r.expire_days = v) }
                            Err(_) => bad.update(|b| { b.insert("expiry".into()); }),
                        } />
                    </label>
                </div>
                <div class="field">
                    <label for="routes-why">{t(T::ChangeReason)}</label>
                    <input id="routes-why" prop:value=move || why.get() on:input=move |ev| why.set(event_target_value(&ev)) />
                </div>
                {move || problems_view(problems.get())}
                <button class="primary" data-testid="save-routes" disabled=!allowed on:click=save>{t(T::Save)}</button>
                {(!allowed).then(|| view! { <p class="muted">{t(T::NotPermitted)}</p> })}
            </div>
        }
    }
}

/// The local user directory (admins edit it).
#[component]
pub fn UsersEditor() -> impl IntoView {
    let state = expect_context::<AppState>();
    let users = RwSignal::new(with_data(|d| d.users.clone()));
    let shape = RwSignal::new(0u32);
    let problems = RwSignal::new(Vec::<RouteProblem>::new());
    let save = move |_| {
        let list = users.get_untracked();
        leptos::task::spawn_local(async move {
            match save_users(list).await {
                Ok(()) => {
                    problems.set(Vec::new());
                    state.changed();
                    state.toast.set(Some(state.t(T::Saved).to_string()));
                }
                Err(p) => problems.set(p),
            }
        });
    };
    move || {
        shape.track();
        let lang = state.lang.get();
        let t = move |k: T| lang.t(k);
        let allowed = state.data(|d| d.me().may(Permission::ManageUsers));
        let list = users.get_untracked();
        view! {
            <div class="card" data-testid="users-editor">
                <h2>{t(T::Users)}</h2>
                <div class="table-wrap">
                    <table class="editor">
                        <thead><tr><th>{t(T::PersonName)}</th><th>{t(T::Region)}</th><th>{t(T::Roles)}</th></tr></thead>
                        <tbody>
                            {list.into_iter().enumerate().map(|(i, u)| view! {
                                <tr>
                                    <td><input value=u.name.clone() disabled=!allowed on:input=move |ev| users.update(|l| l[i].name = event_target_value(&ev)) /></td>
                                    <td><input value=u.region.clone() disabled=!allowed on:input=move |ev| users.update(|l| l[i].region = event_target_value(&ev)) /></td>
                                    <td class="roles">{Role::ALL.into_iter().map(|r| view! {
                                        <label class="check"><input type="checkbox" prop:checked=u.has(r) disabled=!allowed
                                            on:change=move |ev| { let on = event_target_checked(&ev); users.update(|l| { l[i].roles.retain(|x| *x != r); if on { l[i].roles.push(r); sort::natural(&mut l[i].roles); } }) } />{t(role_label(r))}</label>
                                    }).collect_view()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {move || problems_view(problems.get())}
                {allowed.then(|| view! {
                    <div class="row-actions">
                        <button class="small" on:click=move |_| {
                            users.update(|l| {
                                let n = l.len() + 1;
                                l.push(User { id: format!("user-{n}-{:08x}", crate::ui::state::new_uuid() as u32), name: format!("User {n}"), roles: vec![Role::SalesRep], region: String::new() });
                            });
                            shape.update(|n| *n += 1);
                        }>{t(T::AddUser)}</button>
                        <button class="primary" data-testid="save-users" on:click=save>{t(T::Save)}</button>
                    </div>
                })}
            </div>
        }
    }
}
