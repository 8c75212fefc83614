//! CreditDesk: offline-first customer-credit management in the browser.
//!
//! - `creditdesk_domain` (src/domain): pure logic, tested natively;
//! - `creditdesk_storage` (src/storage): IndexedDB behind a trait, with an in-memory twin;
//! - [`ui`]: Leptos components over domain queries;
//! - [`ui::sync`]: sync with a CreditDesk server, when the app is served by one.

pub mod ui;

/// Mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::App);
}
