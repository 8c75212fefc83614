//! WebCrypto for [`crate::vault`]'s scheme (wasm32 only): deriving the key-encryption key,
//! making, wrapping and unwrapping the data key, and sealing and opening records in batches.
//!
//! A batch is one call across the JS boundary and one `Promise.all`: the browser runs the AES-GCM
//! operations off the main thread, so ten thousand small records cost one round of awaits, not
//! ten thousand. Nothing here runs inside an IndexedDB transaction (an `await` on anything but
//! IndexedDB would commit it): the store seals before it opens a write transaction and opens
//! after its read transaction is done.

use crate::StoreError;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
const MAGIC = new Uint8Array([0x43, 0x44, 0x45, 0x31]); // "CDE1"
const enc = new TextEncoder();
const dec = new TextDecoder();
const subtle = () => globalThis.crypto.subtle;

export async function cd_derive(secret, salt, iterations) {
  const base = await subtle().importKey("raw", enc.encode(secret), "PBKDF2", false, ["deriveKey"]);
  return subtle().deriveKey(
    { name: "PBKDF2", salt, iterations, hash: "SHA-256" },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}

export function cd_random(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

export async function cd_new_key() {
  return subtle().generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
}

export async function cd_wrap(kek, key) {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const wrapped = new Uint8Array(await subtle().wrapKey("raw", key, kek, { name: "AES-GCM", iv }));
  const out = new Uint8Array(12 + wrapped.length);
  out.set(iv, 0);
  out.set(wrapped, 12);
  return out;
}

export async function cd_unwrap(kek, wrapped) {
  return subtle().unwrapKey(
    "raw",
    wrapped.subarray(12),
    kek,
    { name: "AES-GCM", iv: wrapped.subarray(0, 12) },
    { name: "AES-GCM", length: 256 },
    true,
    ["encrypt", "decrypt"],
  );
}

export async function cd_seal(key, aad, items) {
  const additionalData = enc.encode(aad);
  return Promise.all(items.map(async (v) => {
    const data = typeof v === "string" ? enc.encode(v) : v;
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await subtle().encrypt({ name: "AES-GCM", iv, additionalData }, key, data));
    const out = new Uint8Array(16 + ct.length);
    out.set(MAGIC, 0);
    out.set(iv, 4);
    out.set(ct, 16);
    return out;
  }));
}

export async function cd_seal_groups(key, groups) {
  return Promise.all(groups.map(([aad, items]) => cd_seal(key, aad, items)));
}

export async function cd_open(key, aad, items, text) {
  const additionalData = enc.encode(aad);
  return Promise.all(items.map(async (v) => {
    if (!(v instanceof Uint8Array) && !(v instanceof ArrayBuffer)) throw new Error("a record is stored unencrypted");
    const b = v instanceof Uint8Array ? v : new Uint8Array(v);
    if (b.length < 32 || b[0] !== 0x43 || b[1] !== 0x44 || b[2] !== 0x45 || b[3] !== 0x31) throw new Error("a record is stored unencrypted");
    const plain = await subtle().decrypt({ name: "AES-GCM", iv: b.subarray(4, 16), additionalData }, key, b.subarray(16));
    return text ? dec.decode(plain) : new Uint8Array(plain);
  }));
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn cd_derive(
        secret: &str,
        salt: &Uint8Array,
        iterations: u32,
    ) -> Result<JsValue, JsValue>;
    fn cd_random(n: u32) -> Uint8Array;
    #[wasm_bindgen(catch)]
    async fn cd_new_key() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn cd_wrap(kek: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn cd_unwrap(kek: &JsValue, wrapped: &Uint8Array) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn cd_seal(key: &JsValue, aad: &str, items: &Array) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn cd_seal_groups(key: &JsValue, groups: &Array) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn cd_open(
        key: &JsValue,
        aad: &str,
        items: &Array,
        text: bool,
    ) -> Result<JsValue, JsValue>;
}

thread_local! {
    /// Milliseconds spent opening records since the page started (for the benchmark).
    static OPENING_MS: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// Milliseconds this page has spent opening (decrypting) records, in all.
pub fn opening_ms() -> f64 {
    OPENING_MS.get()
}

fn js_error(what: &str, e: JsValue) -> StoreError {
    let msg = js_sys::Error::from(e)
        .message()
        .as_string()
        .unwrap_or_default();
    StoreError::corrupt(what, msg)
}

/// Random bytes from the browser's generator.
pub fn random(n: u32) -> Vec<u8> {
    cd_random(n).to_vec()
}

/// The key-encryption key for a secret (PBKDF2-SHA256); it can only wrap and unwrap.
pub struct Kek(JsValue);

impl Kek {
    pub async fn derive(secret: &str, salt: &[u8], iterations: u32) -> Result<Kek, StoreError> {
        cd_derive(secret, &Uint8Array::from(salt), iterations)
            .await
            .map(Kek)
            .map_err(|e| js_error("key derivation", e))
    }
}

/// The data key (AES-256-GCM), only in memory.
#[derive(Clone)]
pub struct DataKey(JsValue);

/// A value to seal: text (JSON) or bytes (ledger rows, attachments).
pub enum Plain {
    Text(String),
    Bytes(Vec<u8>),
}

/// Values as JavaScript hands them to WebCrypto: text as strings (encoded there), bytes as arrays.
fn js_items(values: Vec<Plain>) -> Array {
    values
        .into_iter()
        .map(|v| match v {
            Plain::Text(s) => JsValue::from_str(&s),
            Plain::Bytes(b) => Uint8Array::from(b.as_slice()).into(),
        })
        .collect()
}

impl DataKey {
    pub async fn generate() -> Result<DataKey, StoreError> {
        cd_new_key()
            .await
            .map(DataKey)
            .map_err(|e| js_error("key generation", e))
    }

    /// The data key wrapped under `kek`: nonce, then the wrapped key and its tag.
    pub async fn wrap(&self, kek: &Kek) -> Result<Vec<u8>, StoreError> {
        let w = cd_wrap(&kek.0, &self.0)
            .await
            .map_err(|e| js_error("key wrapping", e))?;
        Ok(Uint8Array::new(&w).to_vec())
    }

    /// Unwraps the data key; `None` when the tag does not verify (a wrong secret).
    pub async fn unwrap(kek: &Kek, wrapped: &[u8]) -> Option<DataKey> {
        if wrapped.len() < 12 + 16 {
            return None;
        }
        cd_unwrap(&kek.0, &Uint8Array::from(wrapped))
            .await
            .ok()
            .map(DataKey)
    }

    /// Seals every value for `store` (its name is the associated data).
    pub async fn seal(&self, store: &str, values: Vec<Plain>) -> Result<Vec<JsValue>, StoreError> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let out = cd_seal(&self.0, store, &js_items(values))
            .await
            .map_err(|e| js_error(store, e))?;
        Ok(Array::from(&out).iter().collect())
    }

    /// Seals the values of several stores at once (a commit's): one call, one `Promise.all`.
    pub async fn seal_groups(
        &self,
        groups: Vec<(&str, Vec<Plain>)>,
    ) -> Result<Vec<Vec<JsValue>>, StoreError> {
        let arg: Array = groups
            .into_iter()
            .map(|(store, values)| {
                JsValue::from(Array::of2(&JsValue::from_str(store), &js_items(values)))
            })
            .collect();
        let out = cd_seal_groups(&self.0, &arg)
            .await
            .map_err(|e| js_error("commit", e))?;
        Ok(Array::from(&out)
            .iter()
            .map(|g| Array::from(&g).iter().collect())
            .collect())
    }

    /// Opens sealed records of `store` as text (`text`) or as bytes. A record not sealed, sealed
    /// under another key or for another store, or altered, fails the whole batch.
    pub async fn open(
        &self,
        store: &str,
        values: &[JsValue],
        text: bool,
    ) -> Result<Vec<JsValue>, StoreError> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let t = js_sys::Date::now();
        let items: Array = values.iter().collect();
        let out = cd_open(&self.0, store, &items, text)
            .await
            .map_err(|e| js_error(store, e))?;
        OPENING_MS.set(OPENING_MS.get() + js_sys::Date::now() - t);
        Ok(Array::from(&out).iter().collect())
    }
}
