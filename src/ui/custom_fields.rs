//! Custom fields on the customer form and on Customer 360: each field drawn by its kind, with
//! its labels and help in the user's language; the checks are the domain's
//! ([`creditdesk_domain::fields`]), their problems shown at the field like a fixed field's.

use crate::ui::i18n::{Lang, T};
use crate::ui::state::AppState;
use crate::ui::widgets::Form;
use creditdesk_domain::access::Access;
use creditdesk_domain::fields::{FieldDef, FieldKind, FieldSet, Section};
use creditdesk_domain::Customer;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The values typed into the custom fields of a form, by key.
pub type Values = RwSignal<BTreeMap<String, String>>;

/// The custom fields of one section of the customer form, in order.
#[component]
pub fn CustomInputs(
    form: Form,
    values: Values,
    section: Section,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    // Drawn once: the definitions do not change while the form is open.
    // Each with the user's access: a hidden field is not drawn, a read-only one is disabled.
    let defs: Vec<(FieldDef, Access)> = state.data(|d| {
        let me = d.me();
        d.fields
            .in_section(section)
            .into_iter()
            .map(|f| (f.clone(), d.field_access(&me, &f.error_name())))
            .filter(|(_, a)| *a != Access::Hidden)
            .collect()
    });
    defs.into_iter()
        .map(|(def, access)| {
            let disabled = Signal::derive(move || disabled.get() || access == Access::Read);
            view! { <CustomInput form=form values=values def=def disabled=disabled /> }
        })
        .collect_view()
}

#[component]
fn CustomInput(form: Form, values: Values, def: FieldDef, disabled: Signal<bool>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let key = def.key.clone();
    let err_name = def.error_name().into_owned();
    let id = format!("f-custom-{}", def.key);
    let err_id = format!("e-custom-{}", def.key);
    // This field's value alone: typing in another field does not touch this one.
    let value = {
        let key = key.clone();
        Memo::new(move |_| values.with(|v| v.get(&key).cloned().unwrap_or_default()))
    };
    // What the customer holds when the form opens: a retired option it holds stays offered.
    let held: Vec<String> = values.with_untracked(|m| {
        m.get(&key)
            .map(|v| v.split(',').map(str::to_string).collect())
            .unwrap_or_default()
    });
    let problem = {
        let err_name = err_name.clone();
        Memo::new(move |_| {
            form.errors.with(|e| {
                e.iter()
                    .find(|e| e.field == err_name.as_str())
                    .map(|e| e.problem)
            })
        })
    };
    let set = {
        let (key, err_name) = (key.clone(), err_name.clone());
        move |v: String| {
            values.update(|m| {
                m.insert(key.clone(), v);
            });
            form.errors
                .update(|e| e.retain(|e| e.field != err_name.as_str()));
        }
    };
    let invalid = move || problem.get().is_some();
    let en = move || state.lang.get() == Lang::En;
    let input = match def.kind {
        FieldKind::YesNo | FieldKind::Choice => {
            // Drawn again only when the language changes; the choice follows `value`.
            let options = {
                let def = def.clone();
                move || {
                    let lang = state.lang.get_untracked();
                    let mut v = vec![(String::new(), lang.t(T::NotKnown).to_string())];
                    if def.kind == FieldKind::YesNo {
                        v.push(("yes".into(), lang.t(T::Yes).into()));
                        v.push(("no".into(), lang.t(T::No).into()));
                    } else {
                        v.extend(
                            def.options
                                .iter()
                                .filter(|o| !o.retired || held.contains(&o.key))
                                .map(|o| {
                                    (
                                        o.key.clone(),
                                        if lang == Lang::En {
                                            o.en.clone()
                                        } else {
                                            o.zh.clone()
                                        },
                                    )
                                }),
                        );
                    }
                    v
                }
            };
            let set = set.clone();
            view! {
                <select id=id.clone() name=err_name.clone() disabled=disabled
                    aria-invalid=move || invalid().to_string() aria-describedby=err_id.clone()
                    prop:value=move || value.get()
                    on:change=move |ev| set(event_target_value(&ev))>
                    {move || {
                        state.lang.track();
                        let now = value.get_untracked();
                        options().into_iter().map(|(v, l)| {
                            let selected = now == v;
                            view! { <option value=v selected=selected>{l}</option> }
                        }).collect_view()
                    }}
                </select>
            }
            .into_any()
        }
        FieldKind::Multi => {
            // One checkbox an option, drawn once: ticking keeps the focus where it is. The
            // chosen keys go in the options' order, as the customer's value is stored.
            let order: Vec<String> = def.options.iter().map(|o| o.key.clone()).collect();
            let boxes = def
                .options
                .iter()
                .filter(|o| !o.retired || held.contains(&o.key))
                .cloned()
                .map(|o| {
                    let k = o.key.clone();
                    let (k2, order, set) = (k.clone(), order.clone(), set.clone());
                    view! {
                        <label class="check">
                            <input type="checkbox" value=k.clone() disabled=disabled
                                prop:checked=move || value.get().split(',').any(|x| x == k)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let now = value.get_untracked();
                                    let chosen: Vec<&str> = order
                                        .iter()
                                        .map(String::as_str)
                                        .filter(|o| if *o == k2 { on } else { now.split(',').any(|x| x == *o) })
                                        .collect();
                                    set(chosen.join(","));
                                } />
                            {move || if state.lang.get() == Lang::En { o.en.clone() } else { o.zh.clone() }}
                        </label>
                    }
                })
                .collect_view();
            view! {
                <div class="checks" id=id.clone() role="group" aria-describedby=err_id.clone()>
                    {boxes}
                </div>
            }
            .into_any()
        }
        kind => {
            let (input_type, inputmode) = match kind {
                FieldKind::Number | FieldKind::Money => ("text", Some("decimal")),
                FieldKind::Date => ("date", None),
                _ => ("text", None),
            };
            let set = set.clone();
            view! {
                <input id=id.clone() name=err_name.clone() type=input_type inputmode=inputmode autocomplete="off"
                    disabled=disabled aria-invalid=move || invalid().to_string() aria-describedby=err_id.clone()
                    prop:value=move || value.get() on:input=move |ev| set(event_target_value(&ev)) />
            }
            .into_any()
        }
    };
    let (label_def, help_def) = (def.clone(), def.clone());
    view! {
        <div class="field" class:has-error=invalid data-custom=key.clone()>
            <label for=id>
                {move || label_def.label(en()).to_string()}
                {def.required.then(|| view! { <span class="req" title=move || state.t(T::Required)>" *"</span> })}
                {(def.kind == FieldKind::Money).then_some(" (¥)")}
            </label>
            {input}
            {move || {
                let h = help_def.help(en()).to_string();
                (!h.is_empty()).then(|| view! { <small class="hint">{h}</small> })
            }}
            <small class="error" id=err_id data-error-for=err_name role="alert">
                {move || problem.get().map(|p| state.lang.get().problem(p))}
            </small>
        </div>
    }
}

/// A customer's custom values of some sections, as `(label, value)` to show: the fields on the
/// form in their order, then retired fields that still hold a value (marked as retired).
pub fn custom_rows(
    c: &Customer,
    fields: &FieldSet,
    sections: &[Section],
    lang: Lang,
) -> Vec<(String, String)> {
    let en = lang == Lang::En;
    // A field hidden from the user is not listed (the device holds no value for it).
    let state = expect_context::<AppState>();
    let hidden: Vec<String> = state.data(|d| {
        let me = d.me();
        fields
            .fields
            .iter()
            .filter(|f| d.field_access(&me, &f.error_name()) == Access::Hidden)
            .map(|f| f.key.clone())
            .collect()
    });
    let mut rows: Vec<(String, String)> = fields
        .active()
        .into_iter()
        .filter(|f| sections.contains(&f.section) && !hidden.contains(&f.key))
        .map(|f| {
            let v = c
                .custom
                .get(&f.key)
                .map(|v| f.display(v, en))
                .unwrap_or_default();
            (f.label(en).to_string(), v)
        })
        .collect();
    if sections.contains(&Section::More) {
        for (k, v) in &c.custom {
            match fields.get(k) {
                Some(f) if f.retired => rows.push((
                    format!("{} ({})", f.label(en), lang.t(T::FieldRetired)),
                    f.display(v, en),
                )),
                None => rows.push((k.clone(), v.clone())),
                _ => {}
            }
        }
    }
    rows
}
