//! Response shapes shared by the handlers: 303 redirects, uncacheable JSON, the generic 500.
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// `303 See Other`: after a POST the browser follows with a GET, never re-posting the form.
pub fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, value),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response(),
        Err(_) => generic_internal_error(),
    }
}

/// Token responses must not be cached (RFC 6749 §5.1).
pub fn no_store_headers() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}

/// A 200 JSON answer that must not be cached.
pub fn no_store_json(body: &impl Serialize) -> Response {
    no_store_json_with(StatusCode::OK, body)
}

/// A JSON answer with `status` that must not be cached (e.g. PAR's 201).
pub fn no_store_json_with(status: StatusCode, body: &impl Serialize) -> Response {
    (status, no_store_headers(), Json(body)).into_response()
}

/// Internal failures get a body that says nothing; the details are in the log under the
/// response's `x-request-id`.
pub fn generic_internal_error() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CACHE_CONTROL, "no-store")],
        "Internal server error. Quote the x-request-id response header when reporting this.",
    )
        .into_response()
}
