//! Links that follow the site's base path.
//!
//! One build of the app serves at the root of a host (`/`) or under any sub-path
//! (`/creditdesk/`): `index.html` finds the base at run time and sets the page's `<base>`
//! (see the script there). The router matches routes below that base, and every link the app
//! builds goes through [`to`] (or this module's [`A`], a drop-in for the router's), so that
//! `/customers/C001` becomes `/creditdesk/customers/C001`. `use_navigate` adds the base by itself.
//! The server's API follows the base too ([`api`]), for a server behind a proxy at a sub-path.

use leptos::prelude::*;
use leptos_router::components::ToHref;

thread_local! {
    static BASE: String = find_base();
}

/// The page's base path without its trailing slash: `""` at the root, `"/creditdesk"` under a
/// sub-path.
fn find_base() -> String {
    let uri = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten());
    let path = uri
        .and_then(|u| web_sys::Url::new(&u).ok())
        .map(|u| u.pathname())
        .unwrap_or_default();
    base_of(&path)
}

/// The base path of a `<base href>`'s path: everything up to its last `/`, without that slash.
pub fn base_of(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => path[..i].to_string(),
        None => String::new(),
    }
}

/// The router's base: `""` at the root.
pub fn base() -> String {
    BASE.with(Clone::clone)
}

/// An app path (`/customers/C001`) as a URL path on this site (`/creditdesk/customers/C001`).
/// A query (`?x=1`), a fragment or a full URL is left as it is.
pub fn to(path: &str) -> String {
    BASE.with(|b| join(b, path))
}

/// A path of the server's API (`/api/v1/health`) on this site.
pub fn api(path: &str) -> String {
    to(path)
}

fn join(base: &str, path: &str) -> String {
    if path.starts_with('/') && !path.starts_with("//") {
        format!("{base}{path}")
    } else {
        path.to_string()
    }
}

/// The router's `<A>`, with its `href` below the site's base path.
#[component]
pub fn A<H>(
    href: H,
    /// Active only when the location is exactly this link's.
    #[prop(optional)]
    exact: bool,
    children: Children,
) -> impl IntoView
where
    H: ToHref + Send + Sync + 'static,
{
    let href = move || to(&href.to_href()());
    view! { <leptos_router::components::A href=href exact=exact>{children()}</leptos_router::components::A> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_path_joins_the_base_and_the_rest_stays_as_it_is() {
        let check = |base: &str, path: &str, expected: &str| {
            assert_eq!(join(base, path), expected, "{base:?} + {path:?}");
        };
        check("", "/customers", "/customers");
        check(
            "/creditdesk",
            "/customers/C001",
            "/creditdesk/customers/C001",
        );
        check("/a/b", "/", "/a/b/");
        check("/a", "?tab=aging", "?tab=aging");
        check("/a", "https://example.com/x", "https://example.com/x");
        check("/a", "//cdn.example.com/x", "//cdn.example.com/x");
        check("/a", "mailto:x@example.com", "mailto:x@example.com");
    }

    #[wasm_bindgen_test]
    fn the_base_is_the_folder_of_the_base_url() {
        let check = |path: &str, expected: &str| assert_eq!(base_of(path), expected, "{path:?}");
        check("/", "");
        check("/creditdesk/", "/creditdesk");
        check("/a/b/index.html", "/a/b");
        check("", "");
    }
}
