//! Errors of the JSON endpoints (token, revocation, introspection) as RFC 6749 §5.2 bodies:
//! `invalid_client` is a 401 with a `WWW-Authenticate` challenge, the rest 400. Internal
//! failures become the generic 500.
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppError;
use crate::oauth::error::{ErrorCode, OAuthError};

pub enum JsonError {
    OAuth {
        error: OAuthError,
        used_basic: bool,
    },
    /// Too many failed client authentications: 429 with Retry-After.
    Throttled {
        retry_after: i64,
    },
    Internal(AppError),
}

impl From<OAuthError> for JsonError {
    fn from(error: OAuthError) -> Self {
        Self::OAuth {
            error,
            used_basic: false,
        }
    }
}

impl From<AppError> for JsonError {
    fn from(e: AppError) -> Self {
        Self::Internal(e)
    }
}

impl From<crate::store::StoreError> for JsonError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Internal(e.into())
    }
}

impl From<crate::keys::KeyError> for JsonError {
    fn from(e: crate::keys::KeyError) -> Self {
        Self::Internal(e.into())
    }
}

impl IntoResponse for JsonError {
    fn into_response(self) -> Response {
        match self {
            Self::Internal(e) => e.into_response(),
            Self::OAuth { error, used_basic } => oauth_error_response(&error, used_basic),
            Self::Throttled { retry_after } => {
                let body = json!({
                    "error": "invalid_client",
                    "error_description": format!("too many failed client authentications; retry after {retry_after} seconds"),
                });
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    no_store_headers(),
                    Json(body),
                )
                    .into_response();
                if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                response
            }
        }
    }
}

fn oauth_error_response(error: &OAuthError, used_basic: bool) -> Response {
    let status = if error.code == ErrorCode::InvalidClient {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    let body = json!({ "error": error.code.as_str(), "error_description": error.description });
    let mut response = (status, no_store_headers(), Json(body)).into_response();
    if error.code == ErrorCode::InvalidClient {
        let challenge = if used_basic {
            "Basic realm=\"tessera\", charset=\"UTF-8\""
        } else {
            "Basic realm=\"tessera\""
        };
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
    }
    response
}

/// Token responses must not be cached (RFC 6749 §5.1).
pub fn no_store_headers() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}

/// A 200 JSON answer that must not be cached.
pub fn no_store_json(body: serde_json::Value) -> Response {
    (StatusCode::OK, no_store_headers(), Json(body)).into_response()
}
