//! Client authentication for the token, revocation and introspection endpoints: HTTP Basic
//! (credentials form-encoded first, RFC 6749 §2.3.1), body credentials, or none for public
//! clients. The core decides which client and which secret; this verifies the secret.
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use std::net::IpAddr;

use super::AppError;
use super::client_secret::{already_verified, verify_client_secret};
use super::form::is_form_content_type;
use super::json_error::JsonError;
use super::throttle::{blocked_for, client_auth_limits, record_failure};
use crate::auth::password::PasswordError;
use crate::oauth::client::Client;
use crate::oauth::client_auth::{PresentedCredentials, identify_client};
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::state::AppState;

/// The common start of the token, revocation and introspection endpoints: a form body
/// (RFC 6749 §3.2) with no repeated parameter, from an authenticated client.
pub async fn authenticated_form<'s>(
    state: &'s AppState,
    headers: &HeaderMap,
    body: &[u8],
    ip: IpAddr,
) -> Result<(Params, &'s Client), JsonError> {
    if !is_form_content_type(headers) {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        )
        .into());
    }
    let params = Params::parse(body);
    params.reject_duplicates()?;
    let client = authenticate_client(state, headers, &params, ip).await?;
    Ok((params, client))
}

async fn authenticate_client<'s>(
    state: &'s AppState,
    headers: &HeaderMap,
    params: &Params,
    ip: IpAddr,
) -> Result<&'s Client, JsonError> {
    let presented = PresentedCredentials {
        basic: basic_credentials(headers)?,
        body_client_id: params.get("client_id").map(str::to_string),
        body_client_secret: params.get("client_secret").map(str::to_string),
    };
    let tried_basic = presented.basic.is_some();
    let claimed =
        identify_client(presented, |id| state.client(id)).map_err(|error| JsonError::OAuth {
            error,
            used_basic: tried_basic,
        })?;
    let Some(secret) = claimed.secret else {
        return Ok(claimed.client);
    };
    // The common case, a secret that already passed argon2, costs no hashing and no
    // database round trip; everything else is throttled before argon2 runs.
    if already_verified(state, claimed.client, &secret) {
        return Ok(claimed.client);
    }
    if state.passwords().is_saturated() {
        return Err(JsonError::Internal(AppError::Password(
            PasswordError::Overloaded,
        )));
    }
    let limits = client_auth_limits(state, &claimed.client.id, ip);
    if let Some(retry_after) = blocked_for(state, &limits).await? {
        return Err(JsonError::Throttled { retry_after });
    }
    if !verify_client_secret(state, claimed.client, secret).await? {
        tracing::info!(client_id = %claimed.client.id, "client authentication failed");
        record_failure(state, &limits).await?;
        return Err(JsonError::OAuth {
            error: OAuthError::invalid_client("client authentication failed"),
            used_basic: claimed.used_basic,
        });
    }
    Ok(claimed.client)
}

fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, JsonError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || JsonError::OAuth {
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
    Ok(Some((form_unescape(id), form_unescape(secret))))
}

fn form_unescape(s: &str) -> String {
    // A literal `&` would split the pair; it can only mean itself here.
    url::form_urlencoded::parse(format!("x={}", s.replace('&', "%26")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
