//! The built app as the server serves it: precompressed copies when the browser takes them, the
//! shell for the app's routes, and cache lifetimes by file name.

use creditdesk_server::clock::Clock;
use creditdesk_server::{start, Config};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The status line and headers (lower-cased names) of a GET, and its body.
async fn get(addr: SocketAddr, path: &str, accept: &str) -> (String, String, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAccept-Encoding: {accept}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&out[..split]).to_ascii_lowercase();
    let (status, headers) = head.split_once("\r\n").unwrap();
    (
        status.to_string(),
        headers.to_string(),
        out[split + 4..].to_vec(),
    )
}

fn header<'a>(headers: &'a str, name: &str) -> Option<&'a str> {
    headers
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
}

#[tokio::test]
async fn the_server_sends_the_brotli_copy_the_shell_for_a_route_and_caches_by_name() {
    let dir = std::env::temp_dir().join(format!("cd_site_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.as_path();
    std::fs::write(p.join("index.html"), "<!DOCTYPE html><title>shell</title>").unwrap();
    std::fs::write(p.join("index.html.br"), b"brotli shell").unwrap();
    std::fs::write(p.join("app-0123456789abcdef_bg.wasm"), b"plain wasm").unwrap();
    std::fs::write(p.join("app-0123456789abcdef_bg.wasm.br"), b"brotli wasm").unwrap();
    std::fs::write(p.join("app-0123456789abcdef_bg.wasm.gz"), b"gzip wasm").unwrap();
    std::fs::write(p.join("sw.js"), b"// worker").unwrap();
    std::fs::write(p.join("csp-hashes.json"), r#"["sha256-abc+/="]"#).unwrap();
    let running = start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: creditdesk_server::loopback::fresh_database("sqlite").await,
        site: Some(p.to_path_buf()),
        demo: None,
        demo_password: None,
        session_hours: 12,
        clock: Clock::manual(1_781_488_800_000),
        large: false,
        behind_tls: false,
        tick: std::time::Duration::ZERO,
        relay: Default::default(),
        backups: None,
        lease: creditdesk_server::PRIMARY_LEASE,
    })
    .await
    .expect("server starts");
    let addr = running.addr;
    let wasm = "/app-0123456789abcdef_bg.wasm";

    let (status, h, body) = get(addr, wasm, "gzip, deflate, br").await;
    assert!(status.contains(" 200 "), "{status}");
    assert_eq!(header(&h, "content-encoding"), Some("br"));
    assert_eq!(header(&h, "content-type"), Some("application/wasm"));
    assert_eq!(
        header(&h, "cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(body, b"brotli wasm");

    let (_, h, body) = get(addr, wasm, "gzip").await;
    assert_eq!(header(&h, "content-encoding"), Some("gzip"));
    assert_eq!(body, b"gzip wasm");

    let (_, h, body) = get(addr, wasm, "identity").await;
    assert_eq!(header(&h, "content-encoding"), None);
    assert_eq!(body, b"plain wasm");

    // A route of the app is the shell, asked again at every visit.
    let (status, h, body) = get(addr, "/customers/C001", "identity").await;
    assert!(status.contains(" 200 "), "{status}");
    assert_eq!(header(&h, "cache-control"), Some("no-cache"));
    assert_eq!(body, b"<!DOCTYPE html><title>shell</title>");
    let (_, h, body) = get(addr, "/reports/aging", "br").await;
    assert_eq!(header(&h, "content-encoding"), Some("br"));
    assert_eq!(body, b"brotli shell");

    let (_, h, _) = get(addr, "/sw.js", "identity").await;
    assert_eq!(header(&h, "cache-control"), Some("no-cache"));

    // Every answer says where scripts may come from, and that no other site may frame the app.
    for path in ["/", "/customers/C001", wasm, "/api/v1/health"] {
        let (_, h, _) = get(addr, path, "identity").await;
        let csp = header(&h, "content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc+/=';"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(header(&h, "x-content-type-options"), Some("nosniff"));
        assert_eq!(header(&h, "referrer-policy"), Some("no-referrer"));
        // Plain HTTP (a test, or a trusted network): no HSTS, which would lock browsers out.
        assert_eq!(header(&h, "strict-transport-security"), None);
    }

    // The API is not the site: an unknown API path is an API error, not the shell.
    let (status, h, _) = get(addr, "/api/v1/nothing-here", "identity").await;
    assert!(status.contains(" 404 "), "{status}");
    assert_eq!(header(&h, "cache-control"), None);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A raw request: the status line and lower-cased headers.
async fn raw(addr: SocketAddr, text: &str) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(text.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let head = String::from_utf8_lossy(&out).to_ascii_lowercase();
    let (status, headers) = head.split_once("\r\n").unwrap();
    (status.to_string(), headers.to_string())
}

fn post(path: &str, extra: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{extra}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn behind_tls_the_cookie_is_secure_and_a_cross_site_post_is_refused() {
    let running = start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: creditdesk_server::loopback::fresh_database("sqlite").await,
        site: None,
        demo: None,
        demo_password: None,
        session_hours: 12,
        clock: Clock::manual(1_781_488_800_000),
        large: false,
        behind_tls: true,
        tick: std::time::Duration::ZERO,
        relay: Default::default(),
        backups: None,
        lease: creditdesk_server::PRIMARY_LEASE,
    })
    .await
    .expect("server starts");
    let addr = running.addr;
    let setup = r#"{"user":"admin","name":"Admin","password":"a long password 1"}"#;

    // A form on another site posting here: no app header, another origin.
    let (status, _) = raw(
        addr,
        &post("/api/v1/setup", "Origin: http://evil.example\r\n", setup),
    )
    .await;
    assert!(status.contains(" 403 "), "{status}");
    let (status, _) = raw(addr, &post("/api/v1/setup", "", setup)).await;
    assert!(status.contains(" 403 "), "{status}");
    // Nothing was created by either: the first run still waits.
    let (_, h) = raw(
        addr,
        "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    // (`raw` lower-cases what it reads.)
    assert_eq!(
        header(&h, "strict-transport-security"),
        Some("max-age=31536000; includesubdomains")
    );
    let health = creditdesk_server::loopback::request(addr, "GET", "/api/v1/health", None, None)
        .await
        .unwrap();
    assert_eq!(health.json["first_run"], true);

    // The app itself, from its own origin.
    let (status, h) = raw(
        addr,
        &post(
            "/api/v1/setup",
            "Origin: http://localhost\r\nX-CreditDesk: 1\r\n",
            setup,
        ),
    )
    .await;
    assert!(status.contains(" 200 "), "{status}");
    let cookie = header(&h, "set-cookie").unwrap_or_default();
    for part in ["httponly", "samesite=strict", "secure"] {
        assert!(cookie.split("; ").any(|p| p == part), "{part} in {cookie}");
    }
    running.stop().await;
}
