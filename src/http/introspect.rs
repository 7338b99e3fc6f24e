//! `POST /introspect` (RFC 7662).
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;

use super::client_auth::{authenticated_form, token_param};
use super::client_ip::ClientIp;
use super::error::HttpResult;
use super::respond::no_store_json;
use crate::service::introspect;
use crate::state::AppState;

pub async fn introspect(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let (params, client) = authenticated_form(&state, &headers, &body, ip).await?;
    let answer = introspect::introspect(&state, client, token_param(&params)?, state.now()).await?;
    Ok(no_store_json(&answer))
}
