//! `POST /introspect` (RFC 7662), for clients and for APIs (resource servers).
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;

use super::client_auth::{presented_credentials, token_param};
use crate::http::client_ip::ClientIp;
use crate::http::error::HttpResult;
use crate::http::form::api_form;
use crate::http::respond::no_store_json;
use crate::service::{client_auth, introspect};
use crate::state::AppState;

pub async fn introspect(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let params = api_form(&headers, &body)?;
    let presented = presented_credentials(&headers, &params)?;
    let now = state.now();
    let caller = client_auth::authenticate_introspector(&state, presented, ip, now).await?;
    let answer = introspect::introspect(&state, caller, token_param(&params)?, now).await?;
    Ok(no_store_json(&answer))
}
