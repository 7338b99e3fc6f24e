//! `GET|POST /userinfo` (OIDC Core §5.3) with an RFC 6750 bearer token, from the
//! `Authorization` header or (POST) a form body, never both; or a DPoP-bound token with
//! `Authorization: DPoP` and a `DPoP` proof (RFC 9449 §7).
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::client_request::{dpop_proof, with_dpop_nonce};
use crate::http::error::{HttpError, HttpResult, dpop_challenge};
use crate::http::form::is_form_content_type;
use crate::oauth::dpop::{self, Scheme};
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::service::userinfo::{self, PresentedToken, Userinfo};
use crate::state::AppState;

pub async fn userinfo_get(State(state): State<AppState>, headers: HeaderMap) -> HttpResult {
    let token = token_from_header(&headers)?;
    respond(&state, &headers, Method::GET, token).await
}

/// RFC 6750 §2.2: the token may come in a form body instead of the header.
pub async fn userinfo_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let from_header = token_from_header(&headers)?;
    let from_body = if is_form_content_type(&headers) {
        let params = Params::parse(&body);
        params.reject_duplicates().map_err(HttpError::Bearer)?;
        params
            .get("access_token")
            .map(|token| (Scheme::Bearer, token.to_string()))
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
    respond(&state, &headers, Method::POST, token).await
}

async fn respond(
    state: &AppState,
    headers: &HeaderMap,
    method: Method,
    token: Option<(Scheme, String)>,
) -> HttpResult {
    let Some((scheme, token)) = token else {
        return Ok(missing_token());
    };
    let proof = dpop_proof(headers);
    let presented = PresentedToken {
        token: &token,
        scheme,
        proof: &proof,
        method: method.as_str(),
    };
    let answer = match userinfo::userinfo(state, presented, state.now()).await? {
        Userinfo::Claims(claims) => {
            let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
            (StatusCode::OK, no_store, Json(claims)).into_response()
        }
        Userinfo::Refused(error, Scheme::Bearer) => HttpError::Bearer(error).into_response(),
        Userinfo::Refused(error, Scheme::Dpop) => dpop_challenge(&error),
    };
    Ok(with_dpop_nonce(state, proof.is_present(), answer))
}

/// The token and its scheme from `Authorization: Bearer …` or `Authorization: DPoP …`.
fn token_from_header(headers: &HeaderMap) -> Result<Option<(Scheme, String)>, HttpError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = |why| HttpError::Bearer(OAuthError::invalid_request(why));
    let value = value
        .to_str()
        .map_err(|_| malformed("malformed Authorization header"))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| malformed("the Authorization header must be a Bearer or DPoP token"))?;
    let token = token.trim();
    let scheme = if scheme.eq_ignore_ascii_case("bearer") {
        Scheme::Bearer
    } else if scheme.eq_ignore_ascii_case("dpop") {
        Scheme::Dpop
    } else {
        return Err(malformed(
            "the Authorization header must be a Bearer or DPoP token",
        ));
    };
    if token.is_empty() {
        return Err(malformed("the Authorization header holds no token"));
    }
    Ok(Some((scheme, token.to_string())))
}

/// RFC 6750 §3.1, RFC 9449 §7.1: no credentials at all gets a bare challenge of each scheme,
/// without an error code.
fn missing_token() -> Response {
    let challenge = format!(
        "Bearer realm=\"tessera\", DPoP algs=\"{}\"",
        dpop::SUPPORTED_ALGS.join(" ")
    );
    let challenge = HeaderValue::from_str(&challenge)
        .unwrap_or(HeaderValue::from_static("Bearer realm=\"tessera\""));
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, challenge)],
    )
        .into_response()
}
