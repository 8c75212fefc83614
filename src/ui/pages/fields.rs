//! The custom fields editor (administrators): every field of the customer form an administrator
//! added, edited as text and saved as the set's next version. The set's rules are the domain's
//! ([`creditdesk_domain::fields::FieldSet::changes_from`]); this page only turns what is typed
//! into definitions, and says where a limit it cannot read is.

use crate::ui::i18n::{Lang, T};
use crate::ui::state::{run, AppState, SaveError};
use crate::ui::widgets::WhenLoaded;
use creditdesk_app::{Command, CommandError};
use creditdesk_domain::access::{self, Access, Grant};
use creditdesk_domain::approval::{Permission, Role};
use creditdesk_domain::fields::{
    FieldCode, FieldDef, FieldKind, FieldOption, FieldProblem, FieldSet, Section,
};
use creditdesk_domain::rating::Fixed;
use creditdesk_domain::Date;
use leptos::prelude::*;

/// One field as the editor holds it: limits and options as typed.
#[derive(Clone, Debug, Default)]
struct Draft {
    def: Option<FieldDef>,
    key: String,
    zh: String,
    en: String,
    kind: Option<FieldKind>,
    required: bool,
    min: String,
    max: String,
    pattern: String,
    options: String,
    help_zh: String,
    help_en: String,
    section: Section,
    order: String,
    retired: bool,
}

impl Draft {
    fn of(f: &FieldDef) -> Draft {
        let limit = |v: Option<Fixed>| match (v, f.kind) {
            (Some(v), FieldKind::Date) => {
                FieldDef::date_limit(v).map(|d| d.iso()).unwrap_or_default()
            }
            (Some(v), _) => v.to_string(),
            (None, _) => String::new(),
        };
        Draft {
            def: Some(f.clone()),
            key: f.key.clone(),
            zh: f.label_zh.clone(),
            en: f.label_en.clone(),
            kind: Some(f.kind),
            required: f.required,
            min: limit(f.min),
            max: limit(f.max),
            pattern: f.pattern.clone(),
            options: f
                .options
                .iter()
                .map(|o| {
                    format!(
                        "{} | {} | {}{}",
                        o.key,
                        o.zh,
                        o.en,
                        if o.retired { " | retired" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            help_zh: f.help_zh.clone(),
            help_en: f.help_en.clone(),
            section: f.section,
            order: f.order.to_string(),
            retired: f.retired,
        }
    }

    /// The definition, or where what was typed does not read.
    fn def(&self, at: &str) -> Result<FieldDef, Vec<FieldProblem>> {
        let kind = self.kind.unwrap_or(FieldKind::Text);
        let mut problems = Vec::new();
        let mut limit = |s: &str| -> Option<Fixed> {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            let v = if kind == FieldKind::Date {
                Date::parse(s).ok().map(FieldDef::date_as_limit)
            } else {
                Fixed::parse(s).ok()
            };
            if v.is_none() {
                problems.push(FieldProblem {
                    code: FieldCode::Limits,
                    at: at.to_string(),
                    detail: format!("{s:?} is not a limit of a {} field", kind.code()),
                });
            }
            v
        };
        let (min, max) = (limit(&self.min), limit(&self.max));
        let order = match self.order.trim() {
            "" => 0,
            s => s.parse().unwrap_or_else(|_| {
                problems.push(FieldProblem {
                    code: FieldCode::Limits,
                    at: at.to_string(),
                    detail: format!("the order {s:?} is not a whole number"),
                });
                0
            }),
        };
        let options = self
            .options
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let parts: Vec<&str> = l.split('|').map(str::trim).collect();
                FieldOption {
                    key: parts.first().copied().unwrap_or("").to_string(),
                    zh: parts.get(1).copied().unwrap_or("").to_string(),
                    en: parts.get(2).copied().unwrap_or("").to_string(),
                    retired: parts
                        .get(3)
                        .is_some_and(|r| r.eq_ignore_ascii_case("retired")),
                }
            })
            .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(FieldDef {
            key: self.key.trim().to_string(),
            label_zh: self.zh.trim().to_string(),
            label_en: self.en.trim().to_string(),
            kind,
            required: self.required,
            min,
            max,
            pattern: self.pattern.trim().to_string(),
            options,
            help_zh: self.help_zh.trim().to_string(),
            help_en: self.help_en.trim().to_string(),
            section: self.section,
            order,
            retired: self.retired,
        })
    }
}

fn kind_label(k: FieldKind) -> T {
    match k {
        FieldKind::Text => T::KindText,
        FieldKind::Number => T::KindNumber,
        FieldKind::Money => T::KindMoney,
        FieldKind::Date => T::KindDate,
        FieldKind::YesNo => T::KindYesNo,
        FieldKind::Choice => T::KindChoice,
        FieldKind::Multi => T::KindMulti,
    }
}

fn section_label(s: Section) -> T {
    match s {
        Section::Basic => T::SectionBasic,
        Section::Contact => T::SectionContact,
        Section::Profile => T::SectionProfile,
        Section::More => T::SectionMore,
    }
}

/// Saves the set; its version, or every problem.
async fn save_fields(fields: FieldSet, why: String) -> Result<u32, Vec<FieldProblem>> {
    match run(
        Command::SaveFields {
            fields,
            why,
            with_access: true,
        },
        Vec::new(),
    )
    .await
    {
        Ok(r) => Ok(r.count as u32),
        Err(SaveError::Refused(CommandError::Fields(p))) => Err(p),
        Err(e) => Err(vec![FieldProblem {
            code: FieldCode::NotAllowed,
            at: "fields".into(),
            detail: crate::ui::pages::requests::save_error_text(Lang::En, &e),
        }]),
    }
}

#[component]
pub fn FieldsPage() -> impl IntoView {
    view! { <WhenLoaded><FieldsEditor /></WhenLoaded> }
}

#[component]
fn FieldsEditor() -> impl IntoView {
    let state = expect_context::<AppState>();
    let set = state.data(|d| d.fields.clone());
    let version = RwSignal::new(set.version);
    let drafts = RwSignal::new(set.fields.iter().map(Draft::of).collect::<Vec<_>>());
    let shape = RwSignal::new(0u32);
    let why = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<FieldProblem>::new());
    let grants = RwSignal::new(set.access.clone());
    let allowed = state.data(|d| d.me().may(Permission::EditFields));
    let save = move |_| {
        let mut bad = Vec::new();
        let mut fields = Vec::new();
        for (i, d) in drafts.get_untracked().iter().enumerate() {
            match d.def(&format!("field {} ({})", i + 1, d.key.trim())) {
                Ok(f) => fields.push(f),
                Err(p) => bad.extend(p),
            }
        }
        if !bad.is_empty() {
            problems.set(bad);
            return;
        }
        let next = FieldSet {
            version: version.get_untracked(),
            fields,
            access: grants.get_untracked(),
        };
        let reason = why.get_untracked();
        leptos::task::spawn_local(async move {
            match save_fields(next, reason).await {
                Ok(v) => {
                    problems.set(Vec::new());
                    why.set(String::new());
                    version.set(v);
                    // What is saved is now what a later save must keep.
                    let saved = state.data(|d| d.fields.clone());
                    drafts.set(saved.fields.iter().map(Draft::of).collect());
                    grants.set(saved.access.clone());
                    shape.update(|n| *n += 1);
                    state.changed();
                    state.toast.set(Some(format!("{} v{v}", state.t(T::Saved))));
                }
                Err(p) => problems.set(p),
            }
        });
    };
    move || {
        shape.track();
        let lang = state.lang.get();
        let t = move |k: T| lang.t(k);
        let list = drafts.get_untracked();
        view! {
            <section class="page fields-page" data-testid="fields-editor">
                <h1>{format!("{} · v{}", t(T::CustomFields), version.get_untracked())}</h1>
                <p class="muted">{t(T::CustomFieldsNote)}</p>
                {list.is_empty().then(|| view! { <p class="muted">{t(T::NoFieldsYet)}</p> })}
                {list.into_iter().enumerate().map(|(i, d)| view! {
                    <FieldCard i=i draft=d drafts=drafts allowed=allowed />
                }).collect_view()}
                {allowed.then(|| view! {
                    <button class="small" data-testid="add-field" on:click=move |_| {
                        drafts.update(|l| {
                            let order = (l.len() as i32 + 1) * 10;
                            l.push(Draft { kind: Some(FieldKind::Text), order: order.to_string(), ..Draft::default() })
                        });
                        shape.update(|n| *n += 1);
                    }>{t(T::AddField)}</button>
                })}
                <AccessMatrix grants=grants drafts=drafts allowed=allowed />
                <div class="field">
                    <label for="fields-why">{t(T::ChangeReason)}</label>
                    <input id="fields-why" disabled=!allowed prop:value=move || why.get() on:input=move |ev| why.set(event_target_value(&ev)) />
                </div>
                {move || {
                    let list = problems.get();
                    (!list.is_empty()).then(|| view! {
                        <ul class="form-message problems" role="alert" data-testid="field-problems">
                            {list.into_iter().map(|p| view! { <li><span class="mono">{p.code.code()}</span>{format!(" {} — {}", p.at, p.detail)}</li> }).collect_view()}
                        </ul>
                    })
                }}
                <button class="primary" data-testid="save-fields" disabled=!allowed on:click=save>{t(T::Save)}</button>
                {(!allowed).then(|| view! { <p class="muted">{t(T::NotPermitted)}</p> })}
            </section>
        }
    }
}

#[component]
fn FieldCard(i: usize, draft: Draft, drafts: RwSignal<Vec<Draft>>, allowed: bool) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move |k: T| state.t(k);
    // A saved field keeps its key and its kind.
    let saved = draft.def.is_some();
    let text = move |label: T, value: String, testid: &'static str, set: fn(&mut Draft, String)| {
        view! {
            <div class="field">
                <label>{move || t(label)}
                    <input value=value disabled=!allowed data-testid=testid
                        on:input=move |ev| drafts.update(|l| set(&mut l[i], event_target_value(&ev))) />
                </label>
            </div>
        }
    };
    let title = if draft.key.is_empty() {
        format!("#{}", i + 1)
    } else {
        format!("#{} {}", i + 1, draft.key)
    };
    let kind = draft.kind.unwrap_or(FieldKind::Text);
    // Only a change of kind draws the kind's inputs again (not each key typed).
    let kind_now = Memo::new(move |_| {
        drafts.with(|l| l.get(i).and_then(|d| d.kind).unwrap_or(FieldKind::Text))
    });
    view! {
        <div class="card field-def" class:retired=draft.retired data-testid=format!("field-{i}")>
            <h2>{title}</h2>
            <div class="row">
                <div class="field">
                    <label>{move || t(T::FieldKey)}
                        <input class="mono" value=draft.key.clone() disabled=!allowed || saved data-testid="field-key"
                            on:input=move |ev| drafts.update(|l| l[i].key = event_target_value(&ev)) />
                    </label>
                </div>
                <div class="field">
                    <label>{move || t(T::FieldKindLabel)}
                        <select disabled=!allowed || saved data-testid="field-kind"
                            on:change=move |ev| drafts.update(|l| l[i].kind = FieldKind::from_code(&event_target_value(&ev)))>
                            {FieldKind::ALL.into_iter().map(|k| view! {
                                <option value=k.code() selected=k == kind>{move || t(kind_label(k))}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
            </div>
            <div class="row">
                {text(T::FieldLabelZh, draft.zh.clone(), "field-zh", |d, v| d.zh = v)}
                {text(T::FieldLabelEn, draft.en.clone(), "field-en", |d, v| d.en = v)}
            </div>
            <div class="row">
                <div class="field">
                    <label>{move || t(T::FieldSection)}
                        <select disabled=!allowed data-testid="field-section"
                            on:change=move |ev| drafts.update(|l| l[i].section = Section::from_code(&event_target_value(&ev)).unwrap_or_default())>
                            {Section::ALL.into_iter().map(|s| view! {
                                <option value=s.code() selected=s == draft.section>{move || t(section_label(s))}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                {text(T::FieldOrder, draft.order.clone(), "field-order", |d, v| d.order = v)}
            </div>
            // Only what the kind has: limits (not yes/no or one of a list), a pattern (text),
            // options (a list).
            {move || {
                let kind = kind_now.get();
                let d = drafts.with_untracked(|l| l.get(i).cloned().unwrap_or_default());
                view! {
                    {(!matches!(kind, FieldKind::YesNo | FieldKind::Choice)).then(|| view! {
                        <div class="row">
                            {text(T::FieldMin, d.min.clone(), "field-min", |d, v| d.min = v)}
                            {text(T::FieldMax, d.max.clone(), "field-max", |d, v| d.max = v)}
                        </div>
                        <small class="hint">{move || t(T::FieldLimitsHint)}</small>
                    })}
                    {(kind == FieldKind::Text).then(|| text(T::FieldPattern, d.pattern.clone(), "field-pattern", |d, v| d.pattern = v))}
                    {kind.has_options().then(|| view! {
                        <div class="field">
                            <label>{move || t(T::FieldOptions)}
                                <textarea rows="3" class="mono" disabled=!allowed data-testid="field-options"
                                    on:input=move |ev| drafts.update(|l| l[i].options = event_target_value(&ev))>{d.options.clone()}</textarea>
                            </label>
                            <small class="hint">{move || t(T::FieldOptionsHint)}</small>
                        </div>
                    })}
                }
            }}
            <div class="row">
                {text(T::FieldHelpZh, draft.help_zh.clone(), "field-help-zh", |d, v| d.help_zh = v)}
                {text(T::FieldHelpEn, draft.help_en.clone(), "field-help-en", |d, v| d.help_en = v)}
            </div>
            <div class="row">
                <label class="check"><input type="checkbox" prop:checked=draft.required disabled=!allowed data-testid="field-required"
                    on:change=move |ev| drafts.update(|l| l[i].required = event_target_checked(&ev)) />{move || t(T::FieldRequiredLabel)}</label>
                <label class="check"><input type="checkbox" prop:checked=draft.retired disabled=!allowed data-testid="field-retired"
                    on:change=move |ev| drafts.update(|l| l[i].retired = event_target_checked(&ev)) />{move || t(T::FieldRetire)}</label>
            </div>
        </div>
    }
}

/// A fixed field's label on the customer form.
pub fn fixed_label(name: &str) -> T {
    use creditdesk_domain::party::field as f;
    match name {
        f::NAME => T::Name,
        f::USCC => T::Uscc,
        f::CONTACT_PERSON => T::ContactPerson,
        f::PHONE => T::Phone,
        f::EMAIL => T::Email,
        f::ADDRESS => T::Address,
        f::REGION => T::Region,
        f::INDUSTRY => T::Industry,
        f::SALES_REP => T::SalesRep,
        f::FIRST_COOPERATION => T::FirstCooperation,
        f::LANG => T::CustomerLanguage,
        f::REGISTERED_CAPITAL => T::RegisteredCapital,
        f::FOUNDED => T::Founded,
        f::SHAREHOLDERS => T::Shareholders,
        f::LITIGATION_COUNT => T::LitigationCount,
        f::LITIGATION_OPEN_AMOUNT => T::LitigationOpen,
        f::INDUSTRY_POSITION => T::IndustryPosition,
        f::REPORT_SCORE => T::ReportScore,
        _ => T::ReportDate,
    }
}

fn access_label(a: Access) -> T {
    match a {
        Access::Hidden => T::AccessHidden,
        Access::Read => T::AccessRead,
        Access::Edit => T::AccessEdit,
    }
}

/// Who sees and changes each field: a row per field (fixed, then custom), a column per role,
/// each cell the role's access or empty for the default (shown in brackets).
#[component]
fn AccessMatrix(
    grants: RwSignal<Vec<Grant>>,
    drafts: RwSignal<Vec<Draft>>,
    allowed: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let t = move |k: T| lang.t(k);
    let (saved, editors) = state.data(|d| (d.fields.clone(), d.policy.profile_editors.clone()));
    // The form as drafted (a field's section or "required" decides whether it may be hidden).
    let set = FieldSet {
        fields: drafts
            .get_untracked()
            .iter()
            .filter_map(|d| d.def("").ok())
            .collect(),
        ..saved
    };
    let mut rows: Vec<(String, String)> = access::FIXED
        .iter()
        .map(|f| (f.to_string(), t(fixed_label(f)).to_string()))
        .collect();
    for d in drafts.get_untracked() {
        let key = d.key.trim().to_string();
        if !key.is_empty() {
            let label = if lang == Lang::En {
                d.en.clone()
            } else {
                d.zh.clone()
            };
            rows.push((
                format!("custom.{key}"),
                if label.is_empty() { key } else { label },
            ));
        }
    }
    // Not a field of the form, but a grant may hide them.
    rows.push((
        creditdesk_domain::party::field::LIMITS.to_string(),
        t(T::CreditLimitsField).to_string(),
    ));
    let current = grants.get_untracked();
    view! {
        <div class="card" data-testid="field-access">
            <h2>{t(T::FieldAccessTitle)}</h2>
            <p class="muted">{t(T::FieldAccessNote)}</p>
            <div class="table-wrap">
                <table class="access-matrix">
                    <thead><tr><th>{t(T::FieldColumn)}</th>
                        {Role::ALL.into_iter().map(|r| view! { <th>{t(crate::ui::pages::requests::role_label(r))}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(field, label)| {
                            view! {
                                <tr data-field=field.clone()>
                                    <th>{label}</th>
                                    {Role::ALL.into_iter().map(|role| {
                                        let given = current.iter().find(|g| g.field == field && g.role == role).map(|g| g.access);
                                        let default = access::default_access(&set, role, &field, &editors);
                                        let hideable = access::hideable_from(&set, &field, role);
                                        let field = field.clone();
                                        view! {
                                            <td>
                                                <select disabled=!allowed data-testid=format!("access-{field}-{}", role.code())
                                                    aria-label=format!("{field} {}", t(crate::ui::pages::requests::role_label(role)))
                                                    on:change=move |ev| {
                                                        let chosen = Access::from_code(&event_target_value(&ev));
                                                        let field = field.clone();
                                                        grants.update(|g| {
                                                            g.retain(|x| !(x.field == field && x.role == role));
                                                            if let Some(access) = chosen {
                                                                g.push(Grant { field, role, access });
                                                            }
                                                        });
                                                    }>
                                                    <option value="" selected=given.is_none()>{format!("({})", t(access_label(default)))}</option>
                                                    // Grants only restrict: nothing above the default.
                                                    {Access::ALL.into_iter().filter(|a| (*a != Access::Hidden || hideable) && *a <= default).map(|a| view! {
                                                        <option value=a.code() selected=given == Some(a)>{t(access_label(a))}</option>
                                                    }).collect_view()}
                                                </select>
                                            </td>
                                        }
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </div>
    }
}
