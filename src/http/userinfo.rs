//! `GET|POST /userinfo` (OIDC Core §5.3) with RFC 6750 bearer tokens: the access token is
//! verified (RS256 only, known `kid`, `typ` at+jwt, issuer, audience, expiry) before any claim
//! is released.
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::AppError;
use super::access_token::verify_access_token;
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::params::Params;
use crate::oauth::scope::Scopes;
use crate::oauth::tokens::UserClaims;
use crate::state::AppState;

pub async fn userinfo_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    respond(&state, bearer_from_header(&headers)).await
}

/// RFC 6750 §2.2: the token may come in a form body instead of the header, never both.
pub async fn userinfo_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let from_header = bearer_from_header(&headers);
    let from_body = if super::form::is_form_content_type(&headers) {
        let params = Params::parse(&body);
        if params.duplicated().is_some() {
            return bearer_error(OAuthError::invalid_request(
                "a parameter was sent more than once",
            ));
        }
        params.get("access_token").map(str::to_string)
    } else {
        None
    };
    let token = match (from_header, from_body) {
        (Ok(Some(_)), Some(_)) => {
            return bearer_error(OAuthError::invalid_request(
                "send the access token in one place only",
            ));
        }
        (Ok(None), Some(token)) => Ok(Some(token)),
        (other, _) => other,
    };
    respond(&state, token).await
}

async fn respond(state: &AppState, token: Result<Option<String>, OAuthError>) -> Response {
    let token = match token {
        Ok(Some(token)) => token,
        Ok(None) => return missing_token(),
        Err(e) => return bearer_error(e),
    };
    match userinfo(state, &token).await {
        Ok(Ok(claims)) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            Json(claims),
        )
            .into_response(),
        Ok(Err(e)) => bearer_error(e),
        Err(e) => e.into_response(),
    }
}

async fn userinfo(
    state: &AppState,
    token: &str,
) -> Result<Result<serde_json::Map<String, Value>, OAuthError>, AppError> {
    let invalid = |why: &'static str| Ok(Err(OAuthError::new(ErrorCode::InvalidToken, why)));
    let claims = match verify_access_token(state, token).await? {
        Ok(claims) => claims,
        Err(why) => return invalid(why),
    };
    let scope = claims
        .get("scope")
        .and_then(Value::as_str)
        .and_then(Scopes::parse)
        .unwrap_or_default();
    if !scope.contains("openid") {
        return Ok(Err(OAuthError::new(
            ErrorCode::InsufficientScope,
            "the token was not issued with the openid scope",
        )));
    }
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(user) = state.store().find_user(sub).await?.filter(|u| !u.disabled) else {
        return invalid("the user account is no longer active");
    };
    let user = UserClaims {
        sub: user.id,
        email: user.email,
        email_verified: user.email_verified,
        name: user.name,
    };
    Ok(Ok(user.released(&scope)))
}

fn bearer_from_header(headers: &HeaderMap) -> Result<Option<String>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| OAuthError::invalid_request("malformed Authorization header"))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_string()))
        }
        _ => Err(OAuthError::invalid_request(
            "the Authorization header must be a Bearer token",
        )),
    }
}

/// RFC 6750 §3.1: no credentials at all gets a bare challenge, without an error code.
fn missing_token() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"tessera\""),
        )],
    )
        .into_response()
}

fn bearer_error(error: OAuthError) -> Response {
    let status = match error.code {
        ErrorCode::InvalidRequest => StatusCode::BAD_REQUEST,
        ErrorCode::InsufficientScope => StatusCode::FORBIDDEN,
        _ => StatusCode::UNAUTHORIZED,
    };
    // Descriptions are our own constant texts: no quotes or control characters to escape.
    let challenge = format!(
        "Bearer realm=\"tessera\", error=\"{}\", error_description=\"{}\"",
        error.code.as_str(),
        error.description.replace(['"', '\\'], "'")
    );
    let challenge = HeaderValue::from_str(&challenge)
        .unwrap_or(HeaderValue::from_static("Bearer error=\"invalid_token\""));
    let body =
        serde_json::json!({ "error": error.code.as_str(), "error_description": error.description });
    (status, [(header::WWW_AUTHENTICATE, challenge)], Json(body)).into_response()
}
