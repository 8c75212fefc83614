//! CreditDesk: offline-first customer-credit management in the browser.
//!
//! - `creditdesk_domain` (src/domain): pure logic, tested natively;
//! - `creditdesk_storage` (src/storage): IndexedDB behind a trait, with an in-memory twin;
//! - [`ui`]: Leptos components over domain queries;
//! - [`ui::sync`]: sync with a CreditDesk server, when the app is served by one.

pub mod ui;

/// Mounts the app on `<body>`, in a task after the one that compiled and instantiated the
/// module: at the large book's start that one was about 100 ms of the browser's own, and the
/// mount another 60 ms in the same task.
pub fn start() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        creditdesk_storage::turn::yield_now().await;
        leptos::mount::mount_to_body(ui::App);
    });
}
