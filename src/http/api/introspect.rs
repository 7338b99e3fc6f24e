//! `POST /introspect` (RFC 7662), for clients and for APIs (resource servers).
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;

use super::client_request::client_request;
use crate::http::client_ip::ClientIp;
use crate::http::error::HttpResult;
use crate::http::respond::no_store_json;
use crate::service::introspect;
use crate::state::AppState;

pub async fn introspect(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let request = client_request(&headers, &body, ip)?;
    let answer = introspect::introspection_request(&state, &request, state.now()).await?;
    Ok(no_store_json(&answer))
}
