//! Components mounted in a real browser (wasm-bindgen-test in headless Chromium).
#![cfg(target_arch = "wasm32")]

use creditdesk::ui::i18n::{Lang, T};
use creditdesk::ui::state::AppState;
use creditdesk::ui::widgets::{Field, Form};
use creditdesk_domain::error::{FieldError, Problem};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Waits up to `ms` for an element whose text satisfies `ok`.
async fn wait_for_text(selector: &str, ms: i32, ok: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..(ms / 50) {
        if let Some(el) = document().query_selector(selector).unwrap() {
            last = el.text_content().unwrap_or_default();
            if ok(&last) {
                return last;
            }
        }
        sleep(50).await;
    }
    panic!("{selector} never matched; last text {last:?}");
}

fn fresh_container() -> web_sys::HtmlElement {
    let el = document()
        .create_element("div")
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>();
    document().body().unwrap().append_child(&el).unwrap();
    el
}

#[wasm_bindgen_test]
async fn the_app_mounts_loads_the_demo_on_first_open_and_shows_real_figures() {
    let handle = leptos::mount::mount_to(fresh_container(), creditdesk::ui::App);
    let customers = wait_for_text("[data-testid=dash-customers]", 30_000, |t| !t.is_empty()).await;
    assert_eq!(customers, "200");
    let total = wait_for_text("[data-testid=kpi-total-ar] .tile-value", 1_000, |t| {
        t.starts_with('¥')
    })
    .await;
    assert_ne!(total, "¥0.00", "the demo has open receivables");
    handle.forget();
}

#[wasm_bindgen_test]
async fn a_field_shows_its_problem_in_the_chosen_language_and_clears_it_on_input() {
    let state = AppState::new();
    let form = Form::new([("name", String::new())]);
    let handle = leptos::mount::mount_to(fresh_container(), move || {
        provide_context(state);
        view! { <div id="field-test"><Field form=form name="name" label=T::Name required=true /></div> }
    });
    state.lang.set(Lang::En);
    form.errors
        .set(vec![FieldError::new("name", Problem::Required)]);
    sleep(20).await;
    let error = || {
        document()
            .query_selector("#field-test [data-error-for=name]")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
    };
    assert_eq!(error(), "Required");
    let label = document()
        .query_selector("#field-test label")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(label.starts_with("Company name"), "{label}");
    state.lang.set(Lang::Zh);
    sleep(20).await;
    assert_eq!(error(), "必填");
    // Typing into the field clears its error.
    let input = document()
        .query_selector("#field-test input")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlInputElement>();
    input.set_value("华信");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    sleep(20).await;
    assert_eq!(error(), "");
    assert_eq!(form.get("name"), "华信");
    handle.forget();
}

#[wasm_bindgen_test]
async fn a_chart_draws_its_marks_names_itself_and_shows_a_tooltip_on_hover() {
    use creditdesk::ui::charts::{Mark, StackedBars};
    let state = AppState::new();
    let container = fresh_container();
    container.set_attribute("style", "width:400px").unwrap();
    let mark = |v: f64, tip: &str| Mark::new(v, format!("{v}"), tip.to_string(), None);
    let handle = leptos::mount::mount_to(container, move || {
        provide_context(state);
        view! {
            <leptos_router::components::Router>
                <StackedBars title="Aging" desc="Two month-ends" table_label="Table"
                    categories=vec!["Oct".into(), "Nov".into()]
                    series=vec![("current".into(), "#e6f4ea"), ("1-30".into(), "#f2d27c")]
                    marks=vec![vec![mark(10.0, "Oct current"), mark(0.0, "Oct 1-30")], vec![mark(5.0, "Nov current"), mark(7.0, "Nov 1-30")]]
                    y_fmt=|v| format!("{v}") testid="test-chart" />
            </leptos_router::components::Router>
        }
    });
    wait_for_text("[data-testid=test-chart] svg title", 2_000, |t| {
        t == "Aging"
    })
    .await;
    let svg = document()
        .query_selector("[data-testid=test-chart] svg")
        .unwrap()
        .unwrap();
    let figure = document()
        .query_selector("[data-testid=test-chart]")
        .unwrap()
        .unwrap();
    assert_eq!(
        svg.get_attribute("width"),
        Some(figure.client_width().to_string()),
        "drawn at its figure's width, one unit a pixel"
    );
    assert!(figure.client_width() > 200);
    assert_eq!(svg.get_attribute("role").as_deref(), Some("img"));
    // A zero segment draws nothing: three marks for four values.
    let marks = document()
        .query_selector_all("[data-testid=test-chart] g.mark")
        .unwrap();
    assert_eq!(marks.length(), 3);
    let rows = document()
        .query_selector_all("[data-testid=test-chart] details table tbody tr")
        .unwrap();
    assert_eq!(
        rows.length(),
        2,
        "the text alternative has a row per category"
    );
    let last = marks.item(2).unwrap();
    assert_eq!(
        last.unchecked_ref::<web_sys::Element>()
            .get_attribute("aria-label")
            .as_deref(),
        Some("Nov 1-30")
    );
    let init = web_sys::PointerEventInit::new();
    init.set_pointer_type("mouse");
    last.dispatch_event(
        &web_sys::PointerEvent::new_with_event_init_dict("pointerenter", &init).unwrap(),
    )
    .unwrap();
    let tip = wait_for_text("[data-testid=test-chart] .chart-tip", 1_000, |t| {
        !t.is_empty()
    })
    .await;
    assert_eq!(tip, "Nov 1-30");
    handle.forget();
}

#[wasm_bindgen_test]
async fn an_address_being_typed_is_kept_when_the_data_changes_underneath() {
    use creditdesk::ui::notices::AdminNoticeSettings;
    use creditdesk_domain::notice::Settings;
    // The directory comes with the data: the demo's, as the app's first start writes it.
    let state = AppState::new();
    state.register();
    let settings = RwSignal::new(Some(Settings::default()));
    let saved = RwSignal::new(false);
    let handle = leptos::mount::mount_to(fresh_container(), move || {
        provide_context(state);
        view! { <div id="notice-admin-test"><AdminNoticeSettings settings saved /></div> }
    });
    creditdesk::ui::state::boot(state).await;
    sleep(20).await;
    let email = || {
        document()
            .query_selector(
                "#notice-admin-test [data-testid=contact-row] [data-testid=contact-email]",
            )
            .unwrap()
            .expect("a row per user of the directory")
            .unchecked_into::<web_sys::HtmlInputElement>()
    };
    // Typed, not yet left (no change event): then a background sync changes the data.
    let typing = email();
    typing.set_value("sm1@exa");
    state.changed();
    sleep(20).await;
    assert!(
        typing.is_connected(),
        "the input is not drawn again under the typing"
    );
    assert_eq!(email().value(), "sm1@exa");
    // Leaving the field edits the settings; that does not draw the rows again either.
    typing
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    sleep(20).await;
    assert!(typing.is_connected());
    let first = settings.with_untracked(|s| {
        s.as_ref()
            .unwrap()
            .contacts
            .values()
            .map(|c| c.email.clone())
            .collect::<Vec<_>>()
    });
    assert_eq!(first, vec!["sm1@exa".to_string()]);
    handle.forget();
}
