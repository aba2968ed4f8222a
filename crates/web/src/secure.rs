//! The headers every response carries, set in one layer around the whole router (fallbacks
//! and refusals included), so no handler can forget them.
//!
//! | header | value | why |
//! |---|---|---|
//! | `Content-Security-Policy` | [`CSP`] | only the app's own script and style run; no inline script, style attribute or handler, no plug-ins, no framing, forms post only here |
//! | `X-Content-Type-Options` | `nosniff` | a download is never run as a script or a page |
//! | `X-Frame-Options` | `DENY` | no framing, for browsers without `frame-ancestors` |
//! | `Referrer-Policy` | `same-origin` | addresses (which may name an area or a plan) stay on this site |
//! | `Cache-Control` | `no-store` | on every response to a signed-in request (a session cookie or a bearer token), on the sign-in, editing, audit and user pages and their API, and on any response that sets a cookie |
//!
//! Only `/static/` keeps its own caching: the same files for everyone.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The Content-Security-Policy of every response: the app's own script and style only
/// (`/static/app.js`, `/static/style.css`), images from this site or inline `data:` (the empty
/// favicon), requests to this site only, forms posted to this site only, and no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Paths whose every response is private, signed in or not.
const PRIVATE: [&str; 9] = [
    "/login",
    "/logout",
    "/plans/edit/",
    "/plans/new/",
    "/plans/delete/",
    "/plans/audit",
    "/admin/",
    "/api/auth/",
    "/api/audit",
];

/// The fixed headers, as `(name, value)`: also written by the connection limit's own refusal,
/// which no handler answers.
pub const FIXED: [(&str, &str); 4] = [
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
];

/// Whether the request is signed in: a session cookie or a bearer token (valid or not: its
/// answer is about that session either way).
fn signed_in(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
        || headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|kv| kv.trim_start().starts_with(crate::edit::COOKIE))
}

/// The layer: runs the request, then sets the headers on whatever came back.
pub(crate) async fn headers(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let own_asset = path.starts_with("/static/");
    let private = !own_asset
        && (signed_in(req.headers())
            || PRIVATE
                .iter()
                .any(|p| path == p.trim_end_matches('/') || path.starts_with(p)));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    for (name, value) in FIXED {
        h.insert(name, HeaderValue::from_static(value));
    }
    if private || h.contains_key(header::SET_COOKIE) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
