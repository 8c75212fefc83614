//! What every answer carries against a hostile page or network, and the guard against cross-site
//! requests.
//!
//! - **Headers** ([`headers`]): a Content-Security-Policy that lets scripts come only from the
//!   server itself, WebAssembly compile (`'wasm-unsafe-eval'`) and the app page's own inline
//!   scripts, pinned by their SHA-256 (the build lists them in `csp-hashes.json`, see
//!   `tools/precache.mjs`); `frame-ancestors 'none'`; `X-Content-Type-Options: nosniff`;
//!   `Referrer-Policy: no-referrer`; and, when the server is reached over HTTPS (`--behind-tls`),
//!   `Strict-Transport-Security`.
//! - **Cross-site requests** ([`csrf`]): a request that changes something and is signed in by the
//!   session cookie must carry the header `X-CreditDesk: 1`, which a page on another site cannot
//!   add without the browser asking this server first (a CORS preflight this server never
//!   grants), and, when it names its `Origin`, come from this server's own. A request signed in
//!   by `Authorization: Bearer` (a script, the ERP) carries no ambient credential and is let
//!   through. The cookie is also `SameSite=Strict` and `HttpOnly` (and `Secure` behind TLS): see
//!   `api::with_cookie`.

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::path::Path;
use std::sync::Arc;

/// The header the app adds to every request that changes something.
pub const CSRF_HEADER: &str = "x-creditdesk";

/// The security headers of every answer, computed once at start.
#[derive(Clone, Debug)]
pub struct Policy {
    csp: HeaderValue,
    hsts: bool,
}

impl Policy {
    /// The policy for a server serving the built app in `site` (none: the API alone), over
    /// HTTPS or not.
    pub fn new(site: Option<&Path>, behind_tls: bool) -> Result<Policy, String> {
        let hashes = match site {
            Some(dir) => inline_script_hashes(dir)?,
            None => Vec::new(),
        };
        Ok(Policy {
            csp: HeaderValue::from_str(&content_security_policy(&hashes))
                .map_err(|e| format!("csp-hashes.json: {e}"))?,
            hsts: behind_tls,
        })
    }
}

/// The hashes of the app page's inline scripts, as the build wrote them. A site without the
/// file (an older build) gets none: its inline scripts would not run, so the server refuses to
/// start rather than serve a page that stays blank.
fn inline_script_hashes(site: &Path) -> Result<Vec<String>, String> {
    let path = site.join("csp-hashes.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e} (the site must be built by trunk with tools/precache.mjs)",
            path.display()
        )
    })?;
    let hashes: Vec<String> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    for h in &hashes {
        let ok = h.strip_prefix("sha256-").is_some_and(|b| {
            !b.is_empty()
                && b.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"+/=".contains(&c))
        });
        if !ok {
            return Err(format!(
                "{}: {h:?} is not a sha256-BASE64 hash",
                path.display()
            ));
        }
    }
    Ok(hashes)
}

/// The Content-Security-Policy: everything from this server only; scripts also as WebAssembly
/// and as the listed inline scripts; no plugin, no frame around the app, no form posting
/// elsewhere. Styles may be inline: the views set `style` attributes (bar widths, colours).
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script = String::from("'self' 'wasm-unsafe-eval'");
    for h in script_hashes {
        script.push_str(&format!(" '{h}'"));
    }
    format!(
        "default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; \
         manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Adds the security headers to every answer.
pub async fn headers(State(policy): State<Arc<Policy>>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, policy.csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if policy.hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// Refuses a request that changes something, is signed in by the session cookie and could have
/// been sent by another site's page (see the module docs).
pub async fn csrf(request: Request, next: Next) -> Response {
    if let Some(why) = cross_site(&request) {
        return crate::api::ApiError::new(StatusCode::FORBIDDEN, "SRV-CROSS-SITE", why)
            .into_response();
    }
    next.run(request).await
}

/// Why a request is refused as possibly cross-site, or `None`.
fn cross_site(request: &Request) -> Option<String> {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return None;
    }
    // The ERP API signs in by API key only (no cookie opens it): nothing to forge across sites,
    // and a call without its key is told so (401) by the API itself.
    if request.uri().path().starts_with("/api/erp/") {
        return None;
    }
    let h = request.headers();
    let bearer = h
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    if bearer {
        return None;
    }
    if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = h
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
        if origin == "null" || origin_host != host {
            return Some(format!(
                "a request from {origin} may not change anything on this server ({host})"
            ));
        }
    }
    if h.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) != Some("1") {
        return Some(format!(
            "a request that changes something must carry the header {CSRF_HEADER}: 1 (the app adds it; a script signs in with Authorization: Bearer)"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(method: Method, headers: &[(&str, &str)]) -> Request {
        let mut b = axum::http::Request::builder()
            .method(method)
            .uri("/api/v1/push");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn a_cookie_signed_change_needs_the_apps_header_and_its_own_origin() {
        let check = |method: Method, headers: &[(&str, &str)], refused: bool| {
            assert_eq!(
                cross_site(&request(method.clone(), headers)).is_some(),
                refused,
                "{method} {headers:?}"
            );
        };
        let host = ("host", "127.0.0.1:8080");
        let app = ("x-creditdesk", "1");
        check(Method::GET, &[host], false);
        check(Method::POST, &[host, app], false);
        check(
            Method::POST,
            &[host, app, ("origin", "http://127.0.0.1:8080")],
            false,
        );
        check(Method::POST, &[host], true);
        check(Method::DELETE, &[host], true);
        check(Method::POST, &[host, ("x-creditdesk", "yes")], true);
        check(
            Method::POST,
            &[host, app, ("origin", "http://evil.example")],
            true,
        );
        check(Method::POST, &[host, app, ("origin", "null")], true);
        // A script with a bearer token carries no ambient credential.
        check(
            Method::POST,
            &[host, ("authorization", "Bearer abc")],
            false,
        );
    }

    #[test]
    fn the_policy_lets_scripts_come_only_from_the_server_and_the_pages_own_hashes() {
        let csp = content_security_policy(&["sha256-AAAA".into()]);
        let directive = |name: &str| -> Vec<String> {
            csp.split(';')
                .map(str::trim)
                .find_map(|d| d.strip_prefix(name))
                .unwrap_or_else(|| panic!("no {name} in {csp}"))
                .split_whitespace()
                .map(String::from)
                .collect()
        };
        assert_eq!(
            directive("script-src "),
            ["'self'", "'wasm-unsafe-eval'", "'sha256-AAAA'"]
        );
        assert_eq!(directive("frame-ancestors "), ["'none'"]);
        assert_eq!(directive("object-src "), ["'none'"]);
        assert_eq!(directive("default-src "), ["'self'"]);
    }
}
