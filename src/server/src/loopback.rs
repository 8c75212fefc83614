//! A minimal HTTP/1.1 JSON client for the loopback tests and the benchmark: one request per
//! connection, the status and the JSON body back. Not for anything else (no TLS, no redirects).

use serde_json::Value;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What came back: the status, the JSON body (`Null` if none), and the body's size in bytes.
pub struct Answer {
    pub status: u16,
    pub json: Value,
    pub bytes: usize,
}

/// Sends one request; `token` goes in `Authorization: Bearer`.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> std::io::Result<Answer> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await?;
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let head = String::from_utf8_lossy(&out[..split]).to_string();
    let rest = &out[split + 4..];
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        unchunk(rest)
    } else {
        rest.to_vec()
    };
    Ok(Answer {
        status,
        bytes: body.len(),
        json: serde_json::from_slice(&body).unwrap_or(Value::Null),
    })
}

fn unchunk(mut s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = s.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&s[..end]).unwrap_or("0");
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || s.len() < end + 2 + n {
            break;
        }
        out.extend_from_slice(&s[end + 2..end + 2 + n]);
        s = &s[(end + 4 + n).min(s.len())..];
    }
    out
}
