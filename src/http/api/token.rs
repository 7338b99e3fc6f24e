//! `POST /token` (RFC 6749 §3.2, §5): client authentication, then the grant the request
//! names, each a service (`code_exchange`, `refresh`, `client_credentials`).
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;

use super::client_auth::authenticated_form;
use crate::http::client_ip::ClientIp;
use crate::http::error::HttpResult;
use crate::http::respond::no_store_json;
use crate::oauth::client_credentials::Requested;
use crate::oauth::grants::{self, TokenRequest};
use crate::service::client_credentials;
use crate::service::code_exchange::{self, CodeExchange};
use crate::service::refresh::{self, RefreshRequest};
use crate::state::AppState;

pub async fn token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let (params, client) = authenticated_form(&state, &headers, &body, ip).await?;
    let now = state.now();
    let request = grants::parse_token_request(&params)?;
    grants::check_grant_allowed(client, &request)?;
    let response = match request {
        TokenRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
            resource,
        } => {
            let exchange = CodeExchange {
                code: &code,
                redirect_uri: redirect_uri.as_deref(),
                code_verifier: code_verifier.as_deref(),
                resource: resource.as_deref(),
            };
            code_exchange::exchange_code(&state, client, exchange, now).await?
        }
        TokenRequest::RefreshToken {
            refresh_token,
            scope,
            resource,
        } => {
            let request = RefreshRequest {
                refresh_token: &refresh_token,
                scope: scope.as_deref(),
                resource: resource.as_deref(),
            };
            refresh::refresh(&state, client, request, now).await?
        }
        TokenRequest::ClientCredentials { scope, resource } => {
            let requested = Requested {
                scope: scope.as_deref(),
                resource: resource.as_deref(),
            };
            client_credentials::issue(&state, client, requested, now)?
        }
    };
    Ok(no_store_json(&response))
}
