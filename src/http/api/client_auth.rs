//! The common start of the token, revocation and introspection endpoints: a form body
//! (RFC 6749 §3.2) with no repeated parameter, from an authenticated client.
use std::net::IpAddr;

use axum::http::{HeaderMap, header};

use crate::http::error::HttpError;
use crate::http::form::api_form;
use crate::oauth::client::Client;
use crate::oauth::client_auth::{PresentedCredentials, parse_basic};
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::service::client_auth;
use crate::state::AppState;

pub async fn authenticated_form<'s>(
    state: &'s AppState,
    headers: &HeaderMap,
    body: &[u8],
    ip: IpAddr,
) -> Result<(Params, &'s Client), HttpError> {
    let params = api_form(headers, body)?;
    let presented = presented_credentials(headers, &params)?;
    let client = client_auth::authenticate(state, presented, ip, state.now()).await?;
    Ok((params, client))
}

/// The credentials a request carries: a Basic header and/or the body's.
pub fn presented_credentials(
    headers: &HeaderMap,
    params: &Params,
) -> Result<PresentedCredentials, HttpError> {
    let basic = match headers.get(header::AUTHORIZATION) {
        Some(value) => {
            let value = value
                .to_str()
                .map_err(|_| OAuthError::invalid_client("malformed Basic credentials"))?;
            Some(parse_basic(value)?)
        }
        None => None,
    };
    Ok(PresentedCredentials {
        basic,
        body_client_id: params.get("client_id").map(str::to_string),
        body_client_secret: params.get("client_secret").map(str::to_string),
        client_assertion_type: params.get("client_assertion_type").map(str::to_string),
        client_assertion: params.get("client_assertion").map(str::to_string),
    })
}

/// The `token` parameter of revocation and introspection requests.
pub fn token_param(params: &Params) -> Result<&str, HttpError> {
    params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required").into())
}
