//! The pages' static assets: Tessera's stylesheet, the colours generated from `[branding]`,
//! and the configured logo. Pages link each with `?v=<content hash>`; a request carrying the
//! current hash may be cached for a year, since a change (a new binary, a reload) changes the
//! URL. Any other request gets the current content marked `no-cache`, so nothing stale sticks.
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use std::sync::LazyLock;

use crate::branding::{STYLESHEET, stylesheet_version, version_of};
use crate::routes;
use crate::state::AppState;

/// The `?v=` the pages put on asset URLs.
#[derive(Deserialize)]
pub struct Version {
    v: Option<String>,
}

/// The passkey ceremonies' script (see `assets/passkeys.js`), built into the binary.
const PASSKEY_SCRIPT: &str = include_str!("../../../assets/passkeys.js");

/// `/assets/passkeys.js?v=<content hash>`, computed once: it changes only with the binary.
pub fn passkey_script_url() -> &'static str {
    static URL: LazyLock<String> = LazyLock::new(|| {
        let version = version_of(PASSKEY_SCRIPT.as_bytes());
        format!("{}?v={version}", routes::PASSKEY_SCRIPT)
    });
    &URL
}

pub async fn passkey_script(Query(asked): Query<Version>) -> Response {
    let version = version_of(PASSKEY_SCRIPT.as_bytes());
    let mut response = asset(
        "text/javascript; charset=utf-8",
        PASSKEY_SCRIPT.into(),
        &asked,
        &version,
    );
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// An SVG opened directly (not through `<img>`) is a document that could run script: none
/// is allowed, and `sandbox` takes away its origin as well.
const IMAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

pub async fn stylesheet(Query(asked): Query<Version>) -> Response {
    asset(
        "text/css; charset=utf-8",
        STYLESHEET.into(),
        &asked,
        stylesheet_version(),
    )
}

pub async fn brand_stylesheet(
    State(state): State<AppState>,
    Query(asked): Query<Version>,
) -> Response {
    let branding = state.branding();
    asset(
        "text/css; charset=utf-8",
        branding.brand_css.clone().into(),
        &asked,
        &branding.brand_css_version,
    )
}

/// The logo with the type its content was recognised as at load; 404 without one.
pub async fn logo(State(state): State<AppState>, Query(asked): Query<Version>) -> Response {
    let branding = state.branding();
    let Some(served) = &branding.logo else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    let logo = &served.logo;
    let mut response = asset(
        logo.kind.content_type(),
        // Shares the loaded bytes instead of copying them per request.
        Bytes::from_owner(logo.bytes.clone()),
        &asked,
        &served.version,
    );
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(IMAGE_CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn asset(content_type: &'static str, body: Bytes, asked: &Version, current: &str) -> Response {
    let cache = if asked.v.as_deref() == Some(current) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        body,
    )
        .into_response()
}
