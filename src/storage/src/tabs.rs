//! The other tabs of this browser that hold the device's data open, so that what replaces all of
//! it (turning encryption on, restoring a backup) runs only where no other tab could write beside
//! it (the Web Locks API, `navigator.locks`).
//!
//! A tab cannot see another tab's memory: a tab open during an encryption would go on writing in
//! the clear among sealed records, or have a write cleared by the encryption's; after a restore
//! it would write from a book that is no longer there. So:
//!
//! - Every store opened holds a lock of its own, `"{db}/tab/{random}"`, until it is dropped or
//!   the page goes ([`Presence`]). It takes that lock while it holds the gate `"{db}/gate"`,
//!   shared, and before it reads anything.
//! - What must be alone ([`alone`]) takes the gate exclusively, so that a store opening meanwhile
//!   waits at the gate until it is done (and then finds, say, the data encrypted). It then asks
//!   the browser which tab locks are held: any but its own, and it is refused with
//!   [`StoreError::OtherTabs`], having changed nothing.
//!
//! Where the browser has no Web Locks (an origin that is not secure: WebCrypto, and so
//! encryption, is missing there too) nothing is coordinated.

use crate::StoreError;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A lock held until this is dropped.
pub struct Held {
    release: Option<Function>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

/// This store's own lock: it tells the other tabs that this one has the data open.
pub struct Presence {
    name: String,
    _held: Held,
}

/// The gate held exclusively: no store opens on the database until this is dropped, and no other
/// had it open when it was taken.
pub struct Alone {
    _gate: Option<Held>,
}

fn locks() -> Option<JsValue> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    Reflect::get(&navigator, &"locks".into())
        .ok()
        .filter(|l| !l.is_undefined() && !l.is_null())
}

fn failed(what: &str, e: JsValue) -> StoreError {
    // A refusal is a DOMException: its message (as JSON it is "{}").
    let message = Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string());
    StoreError::Backend(format!(
        "{what}: {}",
        e.as_string().or(message).unwrap_or_else(|| "failed".into())
    ))
}

fn gate(db: &str) -> String {
    format!("{db}/gate")
}

fn tab_prefix(db: &str) -> String {
    format!("{db}/tab/")
}

/// `target[method](...args)`; a refusal names `what`.
fn call(
    target: &JsValue,
    method: &str,
    args: &[JsValue],
    what: &str,
) -> Result<JsValue, StoreError> {
    Reflect::get(target, &method.into())
        .and_then(|f| f.dyn_into::<Function>())
        .and_then(|f| f.apply(target, &args.iter().collect()))
        .map_err(|e| failed(what, e))
}

/// Waits for the lock `name` in `mode` ("shared" or "exclusive") and holds it until the answer is
/// dropped.
async fn acquire(locks: &JsValue, name: &str, mode: &str) -> Result<Held, StoreError> {
    let what = format!("the lock {name}");
    let mut release = None;
    let released = Promise::new(&mut |resolve, _| release = Some(resolve));
    // Held from here on: if this ends before the grant (an error, or the future dropped), the
    // lock is let go as soon as the browser grants it.
    let held = Held { release };
    let (mut grant, mut refuse) = (None, None);
    let granted = Promise::new(&mut |resolve, reject| {
        grant = Some(resolve);
        refuse = Some(reject);
    });
    let (Some(grant), Some(refuse)) = (grant, refuse) else {
        return Err(StoreError::Backend(format!("{what}: no promise")));
    };
    // The browser calls this once the lock is ours, and holds it until `released` settles.
    let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let _ = grant.call0(&JsValue::NULL);
        released.into()
    });
    let options = js_sys::Object::new();
    Reflect::set(&options, &"mode".into(), &mode.into()).map_err(|e| failed(&what, e))?;
    let asked: Promise = call(
        locks,
        "request",
        &[name.into(), options.into(), callback],
        &what,
    )?
    .unchecked_into();
    // A request the browser refuses rejects before any grant: that ends the wait too.
    call(&asked, "catch", &[refuse.into()], &what)?;
    JsFuture::from(granted)
        .await
        .map_err(|e| failed(&what, e))?;
    Ok(held)
}

/// Tells the other tabs that this one opens the database `db`; waits while one of them is alone
/// with it. `None` where the browser has no Web Locks.
pub async fn join(db: &str) -> Result<Option<Presence>, StoreError> {
    let Some(locks) = locks() else {
        return Ok(None);
    };
    let gate = acquire(&locks, &gate(db), "shared").await?;
    let name = format!(
        "{}{:x}{:x}",
        tab_prefix(db),
        (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64,
        (js_sys::Date::now()) as u64
    );
    let held = acquire(&locks, &name, "exclusive").await?;
    drop(gate);
    Ok(Some(Presence { name, _held: held }))
}

/// How many other stores than `me` have the database `db` open, in this browser's tabs (0 where
/// the browser has no Web Locks). Holds nothing: for a question asked before a step that cannot
/// be undone (a sign-in's), which [`alone`] then asks again.
pub async fn others(db: &str, me: Option<&Presence>) -> Result<usize, StoreError> {
    let Some(locks) = locks() else {
        return Ok(0);
    };
    held_others(&locks, db, me).await
}

async fn held_others(
    locks: &JsValue,
    db: &str,
    me: Option<&Presence>,
) -> Result<usize, StoreError> {
    let what = "the open tabs (navigator.locks.query)";
    let state: Promise = call(locks, "query", &[], what)?.unchecked_into();
    let state = JsFuture::from(state).await.map_err(|e| failed(what, e))?;
    let held = Reflect::get(&state, &"held".into()).map_err(|e| failed(what, e))?;
    let prefix = tab_prefix(db);
    Ok(js_sys::Array::from(&held)
        .iter()
        .filter_map(|l| Reflect::get(&l, &"name".into()).ok()?.as_string())
        .filter(|n| n.starts_with(&prefix) && me.is_none_or(|me| *n != me.name))
        .count())
}

/// Holds the database `db` alone: waits for stores opening on it, then is refused with
/// [`StoreError::OtherTabs`] when another than `me` has it open. Until the answer is dropped, no
/// store opens on it.
pub async fn alone(db: &str, me: Option<&Presence>) -> Result<Alone, StoreError> {
    let Some(locks) = locks() else {
        return Ok(Alone { _gate: None });
    };
    let gate = acquire(&locks, &gate(db), "exclusive").await?;
    let others = held_others(&locks, db, me).await?;
    if others > 0 {
        return Err(StoreError::OtherTabs(others));
    }
    Ok(Alone { _gate: Some(gate) })
}
