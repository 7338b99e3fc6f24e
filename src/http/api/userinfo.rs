//! `GET|POST /userinfo` (OIDC Core §5.3) with an RFC 6750 bearer token, from the
//! `Authorization` header or (POST) a form body, never both.
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::http::error::{HttpError, HttpResult};
use crate::http::form::is_form_content_type;
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::service::userinfo;
use crate::state::AppState;

pub async fn userinfo_get(State(state): State<AppState>, headers: HeaderMap) -> HttpResult {
    respond(&state, bearer_from_header(&headers)?).await
}

/// RFC 6750 §2.2: the token may come in a form body instead of the header.
pub async fn userinfo_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let from_header = bearer_from_header(&headers)?;
    let from_body = if is_form_content_type(&headers) {
        let params = Params::parse(&body);
        params.reject_duplicates().map_err(HttpError::Bearer)?;
        params.get("access_token").map(str::to_string)
    } else {
        None
    };
    let token = match (from_header, from_body) {
        (Some(_), Some(_)) => {
            let twice = OAuthError::invalid_request("send the access token in one place only");
            return Err(HttpError::Bearer(twice));
        }
        (header, body) => header.or(body),
    };
    respond(&state, token).await
}

async fn respond(state: &AppState, token: Option<String>) -> HttpResult {
    let Some(token) = token else {
        return Ok(missing_token());
    };
    let claims = userinfo::userinfo(state, &token, state.now())
        .await
        .map_err(HttpError::bearer)?;
    let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    Ok((StatusCode::OK, no_store, Json(claims)).into_response())
}

fn bearer_from_header(headers: &HeaderMap) -> Result<Option<String>, HttpError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = |why| HttpError::Bearer(OAuthError::invalid_request(why));
    let value = value
        .to_str()
        .map_err(|_| malformed("malformed Authorization header"))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_string()))
        }
        _ => Err(malformed("the Authorization header must be a Bearer token")),
    }
}

/// RFC 6750 §3.1: no credentials at all gets a bare challenge, without an error code.
fn missing_token() -> Response {
    let challenge = HeaderValue::from_static("Bearer realm=\"tessera\"");
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, challenge)],
    )
        .into_response()
}
