//! A minimal HTTP/1.1 JSON client for the loopback tests and the benchmark: one request per
//! connection, the status and the JSON body back. Not for anything else (no TLS, no redirects).

use serde_json::Value;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What came back: the status, the JSON body (`Null` if none), the body's size in bytes, and
/// the body itself.
pub struct Answer {
    pub status: u16,
    pub json: Value,
    pub bytes: usize,
    pub body: Vec<u8>,
}

/// Sends one request as the app does (with its `X-CreditDesk: 1` header); `token` goes in
/// `Authorization: Bearer`.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> std::io::Result<Answer> {
    request_with(addr, method, path, token, body, &[]).await
}

/// [`request`] with more headers (`name`, `value`), such as the device's name.
pub async fn request_with(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> std::io::Result<Answer> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    for (k, v) in headers {
        auth.push_str(&format!("{k}: {v}\r\n"));
    }
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}\
         X-CreditDesk: 1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
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
        body,
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

/// A fresh, empty database for a test or a benchmark: a SQLite file in a new temp folder, or a
/// new database on the PostgreSQL server `CREDITDESK_TEST_PG` names (`postgres://user@host:port`).
pub async fn fresh_database(kind: &str) -> String {
    let name = format!("cd_{}", uuid::Uuid::new_v4().simple());
    if kind == "sqlite" {
        let dir = std::env::temp_dir().join(&name);
        std::fs::create_dir_all(&dir).expect("a temp folder");
        return format!("sqlite:{}", dir.join("db.sqlite").display());
    }
    let base = std::env::var("CREDITDESK_TEST_PG").expect("CREDITDESK_TEST_PG names the server");
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&format!("{base}/postgres"))
        .await
        .expect("PostgreSQL answers");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .expect("a new database");
    admin.close().await;
    format!("{base}/{name}")
}

/// Removes what [`fresh_database`] made for `url` when it is a SQLite file: its temp folder (a
/// benchmark's holds a million invoices, a gigabyte left behind by every run). A PostgreSQL
/// database goes with the throwaway cluster it is on. Anything else is left alone.
pub fn remove_database(url: &str) {
    let Some(path) = url.strip_prefix("sqlite:") else {
        return;
    };
    let Some(dir) = std::path::Path::new(path).parent() else {
        return;
    };
    let made_here = dir.parent() == Some(std::env::temp_dir().as_path())
        && dir
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("cd_"));
    if made_here {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_fresh_sqlite_database_is_removed_with_its_folder_and_nothing_else_is() {
        let url = super::fresh_database("sqlite").await;
        let file = std::path::PathBuf::from(url.strip_prefix("sqlite:").unwrap());
        let dir = file.parent().unwrap().to_path_buf();
        std::fs::write(&file, b"a database").unwrap();
        assert!(dir.exists());
        super::remove_database(&url);
        assert!(!dir.exists(), "{} left", dir.display());
        // A folder this module did not make, named as it names them or not, stays.
        let mine = std::env::temp_dir().join(format!("cd-kept-{}", uuid::Uuid::new_v4().simple()));
        let kept = mine.join("cd_kept");
        std::fs::create_dir_all(&kept).unwrap();
        for url in [
            format!("sqlite:{}", kept.join("db.sqlite").display()),
            format!("sqlite:{}", mine.join("db.sqlite").display()),
            "postgres://u@127.0.0.1:1/cd_x".to_string(),
        ] {
            super::remove_database(&url);
        }
        assert!(kept.exists());
        std::fs::remove_dir_all(&mine).unwrap();
    }
}
