//! `POST /token` (RFC 6749 §3.2, §5): the request to `service::token`, its tokens or its
//! error back as JSON.
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;

use super::client_request::client_request;
use crate::http::client_ip::ClientIp;
use crate::http::error::HttpResult;
use crate::http::respond::no_store_json;
use crate::service::token;
use crate::state::AppState;

pub async fn token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let request = client_request(&headers, &body, ip)?;
    let response = token::token_request(&state, &request, state.now()).await?;
    Ok(no_store_json(&response))
}
