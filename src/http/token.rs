//! `POST /token` (RFC 6749 §3.2, §5): client authentication, then the grant the request
//! names, each a service (`code_exchange`, `refresh`).
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;

use super::client_auth::authenticated_form;
use super::client_ip::ClientIp;
use super::error::HttpResult;
use super::respond::no_store_json;
use crate::oauth::grants::{self, TokenRequest};
use crate::service::{code_exchange, refresh};
use crate::state::AppState;

pub async fn token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let (params, client) = authenticated_form(&state, &headers, &body, ip).await?;
    let now = state.now();
    let response = match grants::parse_token_request(&params)? {
        TokenRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            let (redirect_uri, verifier) = (redirect_uri.as_deref(), code_verifier.as_deref());
            code_exchange::exchange_code(&state, client, &code, redirect_uri, verifier, now).await?
        }
        TokenRequest::RefreshToken {
            refresh_token,
            scope,
        } => refresh::refresh(&state, client, &refresh_token, scope.as_deref(), now).await?,
    };
    Ok(no_store_json(&response))
}
