//! `POST /token` (RFC 6749 §3.2, §4.1.3, §5): client authentication, atomic code consumption,
//! PKCE, and the signed ID and access tokens. Every answer carries `Cache-Control: no-store`.
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::AppError;
use super::client_secret::verify_client_secret;
use crate::auth::session::amr_from_string;
use crate::oauth::client::Client;
use crate::oauth::client_auth::{PresentedCredentials, identify_client};
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::grants::{self, TokenRequest};
use crate::oauth::params::Params;
use crate::oauth::scope::Scopes;
use crate::oauth::tokens::{self, TokenContext, UserClaims, hash_secret};
use crate::state::AppState;
use crate::store::codes::Consumed;

/// True for `application/x-www-form-urlencoded`, with or without parameters such as charset.
pub fn is_form_content_type(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// A token-endpoint failure: a protocol error (§5.2 JSON) or an internal one (500).
enum TokenError {
    OAuth { error: OAuthError, used_basic: bool },
    Internal(AppError),
}

impl From<OAuthError> for TokenError {
    fn from(error: OAuthError) -> Self {
        Self::OAuth {
            error,
            used_basic: false,
        }
    }
}

impl From<AppError> for TokenError {
    fn from(e: AppError) -> Self {
        Self::Internal(e)
    }
}

impl From<crate::store::StoreError> for TokenError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Internal(e.into())
    }
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        match self {
            Self::Internal(e) => e.into_response(),
            Self::OAuth { error, used_basic } => oauth_error_response(&error, used_basic),
        }
    }
}

/// RFC 6749 §5.2: JSON error; `invalid_client` is a 401 with a `WWW-Authenticate` challenge.
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

fn no_store_headers() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}

pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match exchange(&state, &headers, &body).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn exchange(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, TokenError> {
    if !is_form_content_type(headers) {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        )
        .into());
    }
    let params = Params::parse(body);
    params.reject_duplicates()?;
    let client = authenticate_client(state, headers, &params).await?;
    match grants::parse_token_request(&params)? {
        TokenRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            authorization_code_grant(
                state,
                client,
                &code,
                redirect_uri.as_deref(),
                code_verifier.as_deref(),
            )
            .await
        }
    }
}

async fn authenticate_client<'s>(
    state: &'s AppState,
    headers: &HeaderMap,
    params: &Params,
) -> Result<&'s Client, TokenError> {
    let presented = PresentedCredentials {
        basic: basic_credentials(headers)?,
        body_client_id: params.get("client_id").map(str::to_string),
        body_client_secret: params.get("client_secret").map(str::to_string),
    };
    let tried_basic = presented.basic.is_some();
    let claimed =
        identify_client(presented, |id| state.client(id)).map_err(|error| TokenError::OAuth {
            error,
            used_basic: tried_basic,
        })?;
    if let Some(secret) = claimed.secret
        && !verify_client_secret(state, claimed.client, secret).await?
    {
        tracing::info!(client_id = %claimed.client.id, "client authentication failed");
        return Err(TokenError::OAuth {
            error: OAuthError::invalid_client("client authentication failed"),
            used_basic: claimed.used_basic,
        });
    }
    Ok(claimed.client)
}

/// `Authorization: Basic` credentials; RFC 6749 §2.3.1 form-encodes id and secret first.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, TokenError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || TokenError::OAuth {
        error: OAuthError::invalid_client("malformed Basic credentials"),
        used_basic: true,
    };
    let value = value.to_str().map_err(|_| malformed())?;
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return Err(malformed());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(malformed());
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let unescape = |s: &str| -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((unescape(id), unescape(secret))))
}

async fn authorization_code_grant(
    state: &AppState,
    client: &Client,
    code: &str,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
) -> Result<Response, TokenError> {
    let now = state.now();
    let code_hash = hash_secret(code);
    let issued = match state.store().consume_code(&code_hash, now).await? {
        Consumed::Fresh(issued) => issued,
        Consumed::AlreadyUsed => {
            tracing::warn!(client_id = %client.id, "authorization code replayed");
            return Err(OAuthError::invalid_grant("the code has already been used").into());
        }
        Consumed::NotFound => return Err(OAuthError::invalid_grant("the code is invalid").into()),
    };
    grants::check_code_exchange(&issued, client, redirect_uri, code_verifier, now)?;

    let user = state
        .store()
        .find_user(&issued.user_id)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(|| OAuthError::invalid_grant("the user account is no longer active"))?;
    let user = UserClaims {
        sub: user.id,
        email: user.email,
        email_verified: user.email_verified,
        name: user.name,
    };
    let scope = Scopes::parse(&issued.scope).unwrap_or_default();
    let amr = amr_from_string(&issued.amr);
    let config = state.config();
    let ctx = TokenContext {
        issuer: state.issuer(),
        client_id: &client.id,
        user: &user,
        scope: &scope,
        auth_time: issued.auth_time,
        amr: &amr,
        nonce: issued.nonce.as_deref(),
        now,
        access_token_ttl: config.access_token_ttl,
        id_token_ttl: config.id_token_ttl,
    };
    let jti = uuid::Uuid::new_v4().to_string();
    let keys = state.keys();
    let access_token = keys
        .sign("at+jwt", tokens::access_token_claims(&ctx, &jti))
        .map_err(AppError::from)?;
    let id_token = keys
        .sign("JWT", tokens::id_token_claims(&ctx, &access_token))
        .map_err(AppError::from)?;
    state.store().record_code_token(&code_hash, &jti).await?;

    let body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": config.access_token_ttl,
        "id_token": id_token,
        "scope": scope.to_string(),
    });
    Ok((StatusCode::OK, no_store_headers(), Json(body)).into_response())
}
