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
    let running = start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: creditdesk_server::loopback::fresh_database("sqlite").await,
        site: Some(p.to_path_buf()),
        demo: None,
        demo_password: None,
        session_hours: 12,
        clock: Clock::manual(1_781_488_800_000),
        large: false,
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

    // The API is not the site: an unknown API path is an API error, not the shell.
    let (status, h, _) = get(addr, "/api/v1/nothing-here", "identity").await;
    assert!(status.contains(" 404 "), "{status}");
    assert_eq!(header(&h, "cache-control"), None);
    std::fs::remove_dir_all(&dir).unwrap();
}
