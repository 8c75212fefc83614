//! Add or edit a customer. Validation is the domain's; every problem shows at its field, and
//! nothing is saved while any remains.

use crate::ui::i18n::T;
use crate::ui::pages::customer::route_customer;
use crate::ui::rating::position_label;
use crate::ui::state::{save_customer, with_data, AppState, SaveError};
use crate::ui::widgets::{
    customer_access, Field, Form, FormActions, FormMessage, SelectField, UnavailablePage,
    WhenLoaded,
};

/// The reason given for a change of the external profile (not part of the customer).
const WHY: &str = "why";
use crate::ui::custom_fields::CustomInputs;
use creditdesk_domain::access::Access;
use creditdesk_domain::fields::Section;
use creditdesk_domain::party::field as f;
use creditdesk_domain::{CustomerId, CustomerInput, IndustryPosition};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

fn form_from(i: &CustomerInput) -> Form {
    Form::new([
        (f::NAME, i.name.clone()),
        (f::USCC, i.uscc.clone()),
        (f::CONTACT_PERSON, i.contact_person.clone()),
        (f::PHONE, i.phone.clone()),
        (f::EMAIL, i.email.clone()),
        (f::ADDRESS, i.address.clone()),
        (f::REGION, i.region.clone()),
        (f::INDUSTRY, i.industry.clone()),
        (f::SALES_REP, i.sales_rep.clone()),
        (f::FIRST_COOPERATION, i.first_cooperation.clone()),
        (WHY, String::new()),
        (f::REGISTERED_CAPITAL, i.registered_capital.clone()),
        (f::FOUNDED, i.founded.clone()),
        (f::SHAREHOLDERS, i.shareholders.clone()),
        (f::LITIGATION_COUNT, i.litigation_count.clone()),
        (f::LITIGATION_OPEN_AMOUNT, i.litigation_open_amount.clone()),
        (f::INDUSTRY_POSITION, i.industry_position.clone()),
        (f::REPORT_SCORE, i.report_score.clone()),
        (f::REPORT_DATE, i.report_date.clone()),
        (f::LANG, i.lang.clone()),
    ])
}

fn input_from(form: &Form, custom: &crate::ui::custom_fields::Values) -> CustomerInput {
    CustomerInput {
        custom: Some(custom.get_untracked()),
        name: form.get(f::NAME),
        uscc: form.get(f::USCC),
        contact_person: form.get(f::CONTACT_PERSON),
        phone: form.get(f::PHONE),
        email: form.get(f::EMAIL),
        address: form.get(f::ADDRESS),
        region: form.get(f::REGION),
        industry: form.get(f::INDUSTRY),
        sales_rep: form.get(f::SALES_REP),
        first_cooperation: form.get(f::FIRST_COOPERATION),
        registered_capital: form.get(f::REGISTERED_CAPITAL),
        founded: form.get(f::FOUNDED),
        shareholders: form.get(f::SHAREHOLDERS),
        litigation_count: form.get(f::LITIGATION_COUNT),
        litigation_open_amount: form.get(f::LITIGATION_OPEN_AMOUNT),
        industry_position: form.get(f::INDUSTRY_POSITION),
        report_score: form.get(f::REPORT_SCORE),
        report_date: form.get(f::REPORT_DATE),
        lang: form.get(f::LANG),
    }
}

/// Runs a save: shows field errors or the store's failure, or calls `done` with the result.
pub fn submit<R: 'static>(
    state: AppState,
    form: Form,
    save: impl std::future::Future<Output = Result<R, SaveError>> + 'static,
    done: impl FnOnce(R) + 'static,
) {
    if form.saving.get_untracked() {
        return;
    }
    form.saving.set(true);
    form.message.set(None);
    leptos::task::spawn_local(async move {
        match save.await {
            Ok(r) => {
                state.changed();
                // The save moves on to another page: the toast goes with it.
                state.say_next(state.t(T::Saved).to_string());
                done(r);
            }
            Err(SaveError::Invalid(errors)) => {
                form.errors.set(errors);
                form.message
                    .set(Some(state.lang.get_untracked().t(T::FixErrors).to_string()));
                // After the errors are in the page.
                request_animation_frame(focus_first_error);
            }
            Err(e @ (SaveError::Store(_) | SaveError::Denied(_) | SaveError::Refused(_))) => {
                form.message
                    .set(Some(crate::ui::pages::requests::save_error_text(
                        state.lang.get_untracked(),
                        &e,
                    )));
            }
        }
        form.saving.set(false);
    });
}

fn focus_first_error() {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[aria-invalid=true]").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

#[component]
pub fn CustomerFormPage(#[prop(optional)] edit: bool) -> impl IntoView {
    let id = route_customer();
    view! {
        <WhenLoaded>
            {move || {
                let existing = if edit {
                    match customer_access(id.get()) {
                        Ok(id) => Some(id),
                        Err(why) => return view! { <UnavailablePage why=why /> }.into_any(),
                    }
                } else {
                    None
                };
                let input = existing
                    .and_then(|id| with_data(|d| d.customer(id).map(CustomerInput::from_customer)))
                    .unwrap_or_else(|| CustomerInput {
                        first_cooperation: with_data(|d| d.as_of.iso()),
                        // A sales rep's new customer is their own.
                        sales_rep: with_data(|d| d.default_rep(&d.me())),
                        ..Default::default()
                    });
                view! { <CustomerForm input=input existing=existing /> }.into_any()
            }}
        </WhenLoaded>
    }
}

#[component]
fn CustomerForm(input: CustomerInput, existing: Option<CustomerId>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = form_from(&input);
    let custom: crate::ui::custom_fields::Values =
        RwSignal::new(input.custom.clone().unwrap_or_default());
    // Only fields the user sees: a section of hidden ones is not drawn empty.
    let has_more = state.data(|d| {
        let me = d.me();
        d.fields
            .in_section(Section::More)
            .iter()
            .any(|f| d.field_access(&me, &f.error_name()) != Access::Hidden)
    });
    let navigate = use_navigate();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let navigate = navigate.clone();
        submit(
            state,
            form,
            save_customer(input_from(&form, &custom), existing, form.get(WHY)),
            move |id| {
                navigate(&format!("/customers/{id}"), Default::default());
            },
        );
    };
    // The sales rep is a user of the directory, chosen from it.
    let current_rep = input.sales_rep.clone();
    let reps = Signal::derive(move || {
        let lang = state.lang.get();
        state.data(|d| {
            let mut v = d.rep_candidates(&d.me(), &current_rep);
            if v.len() > 1 {
                v.insert(0, (String::new(), lang.t(T::ChooseRep).to_string()));
            }
            v
        })
    });
    // Reminders are written to the customer in its language, whatever the user's.
    let languages = Signal::derive(|| {
        vec![
            ("zh".to_string(), "中文".to_string()),
            ("en".to_string(), "English".to_string()),
        ]
    });
    let positions = Signal::derive(move || {
        let lang = state.lang.get();
        std::iter::once((String::new(), lang.t(T::NotKnown).to_string()))
            .chain(
                IndustryPosition::ALL
                    .iter()
                    .map(|p| (p.key().to_string(), lang.t(position_label(*p)).to_string())),
            )
            .collect()
    });
    // The external profile moves the grade: only the roles the policy names change it.
    let may_edit_profile = move || state.data(|d| d.may_edit_profile(&d.me()));
    // Field by field, the user's access: a hidden field is not drawn, a read-only one is shown
    // disabled (a hidden one keeps its saved value on save; see `creditdesk_domain::access`).
    let access_of = move |name: &str| state.data(|d| d.field_access(&d.me(), name));
    let shown = move |name: &'static str| access_of(name) != Access::Hidden;
    // Some of the external profile is hidden from the user: its part of the grade comes from
    // the server.
    let profile_hidden = creditdesk_domain::access::profile()
        .iter()
        .any(|n| !shown(n))
        && state.data(|d| !d.sealing().is_empty());
    let ro = move |name: &'static str| Signal::derive(move || access_of(name) != Access::Edit);
    let back = existing
        .map(|id| format!("/customers/{id}"))
        .unwrap_or_else(|| "/customers".into());
    view! {
        <section class="page form-page">
            <h1>{move || state.t(if existing.is_some() { T::EditCustomer } else { T::NewCustomer })}</h1>
            <form on:submit=on_submit novalidate data-testid="customer-form">
                <FormMessage form=form />
                <fieldset>
                    <legend>{move || state.t(T::MasterData)}</legend>
                    <Field form=form name=f::NAME label=T::Name required=true disabled=ro(f::NAME) />
                    {shown(f::USCC).then(|| view! { <Field form=form name=f::USCC label=T::Uscc placeholder="91350100M000100Y43" disabled=ro(f::USCC) /> })}
                    <div class="row">
                        {shown(f::REGION).then(|| view! { <Field form=form name=f::REGION label=T::Region required=true disabled=ro(f::REGION) /> })}
                        {shown(f::INDUSTRY).then(|| view! { <Field form=form name=f::INDUSTRY label=T::Industry required=true disabled=ro(f::INDUSTRY) /> })}
                    </div>
                    <div class="row">
                        <SelectField form=form name=f::SALES_REP label=T::SalesRep options=reps disabled=ro(f::SALES_REP) />
                        <Field form=form name=f::FIRST_COOPERATION label=T::FirstCooperation input_type="date" required=true
                            disabled=Signal::derive(move || (existing.is_some() && !may_edit_profile()) || ro(f::FIRST_COOPERATION).get()) />
                    </div>
                    <div class="row">
                        {shown(f::CONTACT_PERSON).then(|| view! { <Field form=form name=f::CONTACT_PERSON label=T::ContactPerson disabled=ro(f::CONTACT_PERSON) /> })}
                        {shown(f::PHONE).then(|| view! { <Field form=form name=f::PHONE label=T::Phone input_type="tel" inputmode="tel" disabled=ro(f::PHONE) /> })}
                    </div>
                    <div class="row">
                        {shown(f::EMAIL).then(|| view! { <Field form=form name=f::EMAIL label=T::Email input_type="email" inputmode="email" disabled=ro(f::EMAIL) /> })}
                        {shown(f::LANG).then(|| view! { <SelectField form=form name=f::LANG label=T::CustomerLanguage options=languages disabled=ro(f::LANG) /> })}
                    </div>
                    {shown(f::ADDRESS).then(|| view! { <Field form=form name=f::ADDRESS label=T::Address disabled=ro(f::ADDRESS) /> })}
                    <CustomInputs form=form values=custom section=Section::Basic />
                    <CustomInputs form=form values=custom section=Section::Contact />
                </fieldset>
                <fieldset disabled=move || !may_edit_profile()>
                    <legend>{move || state.t(T::ExternalProfile)}</legend>
                    <div class="row">
                        {shown(f::REGISTERED_CAPITAL).then(|| view! { <Field form=form name=f::REGISTERED_CAPITAL label=T::RegisteredCapital inputmode="decimal" disabled=ro(f::REGISTERED_CAPITAL) /> })}
                        {shown(f::FOUNDED).then(|| view! { <Field form=form name=f::FOUNDED label=T::Founded input_type="date" disabled=ro(f::FOUNDED) /> })}
                    </div>
                    {shown(f::SHAREHOLDERS).then(|| view! { <Field form=form name=f::SHAREHOLDERS label=T::Shareholders textarea=true hint=T::ShareholdersHint disabled=ro(f::SHAREHOLDERS) /> })}
                    <div class="row">
                        {shown(f::LITIGATION_COUNT).then(|| view! { <Field form=form name=f::LITIGATION_COUNT label=T::LitigationCount inputmode="numeric" disabled=ro(f::LITIGATION_COUNT) /> })}
                        {shown(f::LITIGATION_OPEN_AMOUNT).then(|| view! { <Field form=form name=f::LITIGATION_OPEN_AMOUNT label=T::LitigationOpen inputmode="decimal" disabled=ro(f::LITIGATION_OPEN_AMOUNT) /> })}
                    </div>
                    {shown(f::INDUSTRY_POSITION).then(|| view! { <SelectField form=form name=f::INDUSTRY_POSITION label=T::IndustryPosition options=positions disabled=ro(f::INDUSTRY_POSITION) /> })}
                    <div class="row">
                        {shown(f::REPORT_SCORE).then(|| view! { <Field form=form name=f::REPORT_SCORE label=T::ReportScore inputmode="numeric" disabled=ro(f::REPORT_SCORE) /> })}
                        {shown(f::REPORT_DATE).then(|| view! { <Field form=form name=f::REPORT_DATE label=T::ReportDate input_type="date" disabled=ro(f::REPORT_DATE) /> })}
                    </div>
                    <CustomInputs form=form values=custom section=Section::Profile />
                    {profile_hidden.then(|| view! { <p class="muted" data-testid="profile-hidden">{state.t(T::ProfileHidden)}</p> })}
                    {move || (!may_edit_profile()).then(|| view! { <p class="muted" data-testid="profile-locked">{state.t(T::ProfileLocked)}</p> })}
                </fieldset>
                {has_more.then(|| view! {
                    <fieldset data-testid="more-fields">
                        <legend>{move || state.t(T::MoreDetails)}</legend>
                        <CustomInputs form=form values=custom section=Section::More />
                    </fieldset>
                })}
                {move || may_edit_profile().then(|| view! {
                    <Field form=form name=WHY label=T::ProfileWhy hint=T::ProfileWhyHint />
                })}
                <FormActions form=form back=back />
            </form>
        </section>
    }
}
