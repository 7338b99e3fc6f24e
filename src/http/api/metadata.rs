//! Public, cacheable documents (discovery, JWKS) and health probes.
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

fn json_document(body: String, max_age: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(max_age)),
        ],
        body,
    )
        .into_response()
}

pub async fn discovery(State(state): State<AppState>) -> Response {
    json_document(state.discovery_json().to_string(), "public, max-age=3600")
}

pub async fn jwks(State(state): State<AppState>) -> Response {
    // Short: clients must notice a newly published key before it signs (key_prepublish is
    // longer than this, by config validation).
    let max_age = format!("public, max-age={}", state.config().jwks_max_age);
    let jwks = state.keys().jwks(state.now()).into_owned();
    let mut response = json_document(jwks, "no-cache");
    if let Ok(value) = HeaderValue::from_str(&max_age) {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    response
}

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: the database answers.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store().ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
