//! The built app as static files: brotli or gzip copies when the browser takes them (the build
//! writes `.br` and `.gz` beside each file), a year's cache for the files whose names carry the
//! build's hash, none for `index.html`, `404.html` and `sw.js` (a new build must reach every
//! device at its next visit), and the app shell for any path that is not a file (the app's routes).

use axum::extract::Request;
use axum::http::header::{HeaderValue, CACHE_CONTROL};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// `router` with the app in `site` behind every path it does not answer itself.
pub fn serve(router: Router, site: &Path) -> Router {
    let shell = ServeFile::new(site.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(site)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(shell);
    router.fallback_service(
        Router::new()
            .fallback_service(files)
            .layer(axum::middleware::from_fn(cache)),
    )
}

async fn cache(request: Request, next: Next) -> Response {
    let policy = cache_policy(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// How long a browser may keep the file at `path` without asking again.
pub fn cache_policy(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    let built = [".js", ".wasm", ".css", ".br", ".gz"]
        .iter()
        .any(|ext| name.ends_with(ext));
    let hashed = built
        && name
            .split(['-', '.', '_'])
            .any(|part| part.len() == 16 && part.bytes().all(|b| b.is_ascii_hexdigit()));
    if hashed {
        "public, max-age=31536000, immutable"
    } else if name.starts_with("icon") || name.starts_with("maskable") {
        "public, max-age=86400"
    } else {
        // index.html, 404.html, sw.js, the manifest, and the shell served for a route.
        "no-cache"
    }
}

#[cfg(test)]
mod tests {
    use super::cache_policy;

    #[test]
    fn hashed_files_are_kept_a_year_and_the_shell_is_always_asked_again() {
        let check = |path: &str, expected: &str| assert_eq!(cache_policy(path), expected, "{path}");
        let year = "public, max-age=31536000, immutable";
        check("/creditdesk-52404bbbfd4da798_bg.wasm", year);
        check("/creditdesk-52404bbbfd4da798.js", year);
        check("/main-713b75337e3db8f1.css", year);
        check("/", "no-cache");
        check("/index.html", "no-cache");
        check("/sw.js", "no-cache");
        check("/manifest.webmanifest", "no-cache");
        check("/customers/C001", "no-cache");
        check("/icons/icon-192.png", "public, max-age=86400");
        // A route is the shell, whatever its last segment looks like.
        check("/requests/0123456789abcdef", "no-cache");
        check("/customers/this-is-no-hash-abcdefghijklmnop.js", "no-cache");
    }
}
