//! A sync push body as the server reads it (`POST /api/v1/push`, axum's `Json<Push>`, which is
//! `serde_json::from_slice`), then what the server does with it before it runs a command
//! (src/server/src/api.rs `push` and src/server/src/engine.rs `one`: the client id's length,
//! each mutation's key, the attachments' base64). No server is started. Nothing may panic,
//! and an accepted body reads back the same once written again (the client writes what the
//! server reads).
#![no_main]

use base64::Engine as _;
use creditdesk_app::sync::Push;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(push) = serde_json::from_slice::<Push>(bytes) else {
        return;
    };
    // api.rs `push`: a push names its client id (1-64 characters).
    if push.client.trim().is_empty() || push.client.len() > 64 {
        return;
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    for m in &push.mutations {
        let _ = m.key(&push.client);
        let _ = m.command.name();
        for (_, data) in &m.files {
            let _ = b64.decode(data);
        }
    }
    let written = serde_json::to_vec(&push).expect("a push serialises");
    let read: Push = match serde_json::from_slice(&written) {
        Ok(p) => p,
        Err(e) => panic!(
            "a push the server accepts does not read back once written: {e}\n{}",
            String::from_utf8_lossy(&written)
        ),
    };
    assert_eq!(read, push, "a push reads back as another push");
});
