//! `POST /register` (RFC 7591 §3) and `GET|PUT|DELETE /register/{client_id}` (RFC 7592 §2):
//! a JSON body and a Bearer token read here, the rest is `service::client_registration`.
//! Errors: §3.2.2's JSON 400 (`invalid_redirect_uri`, `invalid_client_metadata`), RFC 6750's
//! 401 `invalid_token` for a wrong initial or registration access token, 404 while
//! registration is off.
use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::client_ip::ClientIp;
use crate::http::error::HttpError;
use crate::http::respond::{no_store_headers, no_store_json_with};
use crate::oauth::client_metadata::ClientMetadata;
use crate::service;
use crate::service::client_registration::{self, RegistrationError};
use crate::state::AppState;

/// The largest registration body read (an inline JWK Set fits many times over).
const MAX_BODY: usize = 64 * 1024;

pub async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let now = state.now();
    let answer = async {
        let metadata = metadata(&headers, body).await?;
        client_registration::register(&state, metadata, bearer(&headers), ip, now).await
    };
    match answer.await {
        Ok(registration) => no_store_json_with(StatusCode::CREATED, &registration.to_json()),
        Err(error) => refusal(error),
    }
}

pub async fn read(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match client_registration::read(&state, &client_id, bearer(&headers)).await {
        Ok(registration) => no_store_json_with(StatusCode::OK, &registration.to_json()),
        Err(error) => refusal(error),
    }
}

pub async fn update(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let now = state.now();
    let answer = async {
        let metadata = metadata(&headers, body).await?;
        let token = bearer(&headers);
        client_registration::update(&state, &client_id, metadata, token, now).await
    };
    match answer.await {
        Ok(registration) => no_store_json_with(StatusCode::OK, &registration.to_json()),
        Err(error) => refusal(error),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let now = state.now();
    match client_registration::delete(&state, &client_id, bearer(&headers), now).await {
        Ok(()) => (StatusCode::NO_CONTENT, no_store_headers()).into_response(),
        Err(error) => refusal(error),
    }
}

/// The body as client metadata: JSON (`application/json`), at most [`MAX_BODY`] bytes, an
/// object. Anything else is `invalid_client_metadata`.
async fn metadata(headers: &HeaderMap, body: Body) -> Result<ClientMetadata, RegistrationError> {
    let invalid = |why: String| {
        RegistrationError::Metadata(
            crate::oauth::client_metadata::MetadataError::invalid_client_metadata(why),
        )
    };
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(invalid(
            "the body must be JSON (Content-Type: application/json)".into(),
        ));
    }
    let bytes = to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| invalid(format!("the body must be at most {MAX_BODY} bytes")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| invalid(format!("the body is not client metadata: {e}")))
}

/// The token of an `Authorization: Bearer` header, if there is one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn refusal(error: RegistrationError) -> Response {
    match error {
        RegistrationError::Off => StatusCode::NOT_FOUND.into_response(),
        RegistrationError::Metadata(why) => {
            let body = json!({ "error": why.code, "error_description": why.description });
            (StatusCode::BAD_REQUEST, no_store_headers(), Json(body)).into_response()
        }
        RegistrationError::InvalidToken => {
            let body = json!({
                "error": "invalid_token",
                "error_description": "the access token is missing, wrong, or names no registration",
            });
            let mut response =
                (StatusCode::UNAUTHORIZED, no_store_headers(), Json(body)).into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tessera\", error=\"invalid_token\""),
            );
            response
        }
        RegistrationError::Service(service::Error::Throttled { retry_after }) => {
            let body = json!({
                "error": "invalid_client_metadata",
                "error_description": format!("too many registrations from this address; retry after {retry_after} seconds"),
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
        RegistrationError::Service(other) => HttpError::from(other).into_response(),
    }
}
