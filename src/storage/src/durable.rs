//! Whether the browser keeps this device's data when the disk runs short, and how much of the
//! origin's quota the data uses (the Storage API: `navigator.storage`).
//!
//! A browser stores a site's IndexedDB as "best effort" unless the site asks for persistent
//! storage and the browser grants it: under storage pressure a best-effort origin is evicted
//! whole, with every change not yet synced. The app therefore asks once the book is loaded
//! ([`ask_to_persist`]) and shows the answer and the usage on the settings page ([`durability`]).
//! Chromium answers without a prompt from its own signals (an installed app, a bookmark,
//! notifications allowed, how much the site is used); Firefox asks the user. Asking again when
//! granted changes nothing.

use crate::StoreError;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// What the browser says of this origin's storage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Durability {
    /// The browser will not evict the data under storage pressure.
    pub persisted: bool,
    /// Bytes the origin uses (IndexedDB, caches, service worker), as the browser estimates it.
    pub usage: Option<u64>,
    /// Bytes the origin may use.
    pub quota: Option<u64>,
}

fn manager() -> Result<web_sys::StorageManager, StoreError> {
    let global = js_sys::global();
    let navigator = js_sys::Reflect::get(&global, &"navigator".into())
        .map_err(|_| StoreError::Backend("no navigator in this context".into()))?;
    let storage = js_sys::Reflect::get(&navigator, &"storage".into())
        .ok()
        .filter(|s| !s.is_undefined() && !s.is_null())
        .ok_or_else(|| {
            StoreError::Backend(
                "this browser has no Storage API (navigator.storage; it needs a secure origin)"
                    .into(),
            )
        })?;
    Ok(storage.unchecked_into())
}

fn failed(what: &str, e: wasm_bindgen::JsValue) -> StoreError {
    StoreError::Backend(format!(
        "{what}: {}",
        e.as_string()
            .or_else(|| js_sys::JSON::stringify(&e).ok().and_then(|s| s.as_string()))
            .unwrap_or_else(|| "failed".into())
    ))
}

/// Awaits one of the Storage API's promises; a refusal, thrown or rejected, names the call.
async fn call(
    what: &str,
    promise: Result<js_sys::Promise, wasm_bindgen::JsValue>,
) -> Result<wasm_bindgen::JsValue, StoreError> {
    JsFuture::from(promise.map_err(|e| failed(what, e))?)
        .await
        .map_err(|e| failed(what, e))
}

/// Whether the data is persistent, and the usage and quota.
pub async fn durability() -> Result<Durability, StoreError> {
    let m = manager()?;
    let persisted = call("storage.persisted", m.persisted())
        .await?
        .as_bool()
        .unwrap_or(false);
    let estimate: web_sys::StorageEstimate = call("storage.estimate", m.estimate())
        .await?
        .unchecked_into();
    let bytes = |v: Option<f64>| v.filter(|v| v.is_finite() && *v >= 0.0).map(|v| v as u64);
    Ok(Durability {
        persisted,
        usage: bytes(estimate.get_usage()),
        quota: bytes(estimate.get_quota()),
    })
}

/// Asks the browser to keep the data; returns whether it is persistent now.
pub async fn ask_to_persist() -> Result<bool, StoreError> {
    let m = manager()?;
    Ok(call("storage.persist", m.persist())
        .await?
        .as_bool()
        .unwrap_or(false))
}
