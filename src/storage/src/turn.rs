//! A turn for the browser between slices of long work (reading and parsing at start-up here, the
//! start's and the import's passes in the UI).

/// Gives the browser a turn between slices of long work: input, rendering and other tasks run,
/// then the work goes on. `scheduler.yield()` where the browser has it (the work resumes ahead of
/// other queued tasks), else a message to a `MessageChannel` of our own. Not a zero-delay timeout:
/// browsers hold a nested one back at least 4 ms, which a start of twenty slices paid each time.
pub async fn yield_now() {
    use wasm_bindgen::JsCast;
    let scheduler = js_sys::Reflect::get(&js_sys::global(), &"scheduler".into())
        .ok()
        .filter(|s| s.is_object());
    if let Some(scheduler) = scheduler {
        let yielded = js_sys::Reflect::get(&scheduler, &"yield".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .and_then(|f| f.call0(&scheduler).ok())
            .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
        if let Some(p) = yielded {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
            return;
        }
    }
    let turn = js_sys::Promise::new(&mut |resolve, _| match web_sys::MessageChannel::new() {
        Ok(channel) => {
            channel.port1().set_onmessage(Some(&resolve));
            if channel
                .port2()
                .post_message(&wasm_bindgen::JsValue::NULL)
                .is_ok()
            {
                return;
            }
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
        Err(_) => {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(turn).await;
}
