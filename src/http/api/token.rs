//! `POST /token` (RFC 6749 §3.2, §5): client authentication, then the grant the request
//! names, each a service (`code_exchange`, `refresh`, `client_credentials`).
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;

use super::client_auth::authenticated_form;
use crate::http::client_ip::ClientIp;
use crate::http::error::HttpResult;
use crate::http::respond::no_store_json;
use crate::oauth::grants::{self, TokenRequest};
use crate::service::{client_credentials, code_exchange, refresh};
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
    let response = match &request {
        TokenRequest::AuthorizationCode(grant) => {
            code_exchange::exchange_code(&state, client, grant, now).await?
        }
        TokenRequest::RefreshToken(grant) => refresh::refresh(&state, client, grant, now).await?,
        TokenRequest::ClientCredentials(grant) => {
            client_credentials::issue(&state, client, grant, now)?
        }
    };
    Ok(no_store_json(&response))
}
