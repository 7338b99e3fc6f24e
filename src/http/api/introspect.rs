//! `POST /introspect` (RFC 7662), for clients and for APIs (resource servers).
use axum::extract::State;

use super::client_request::ClientCall;
use crate::http::error::HttpResult;
use crate::http::respond::no_store_json;
use crate::service::introspect;
use crate::state::AppState;

pub async fn introspect(
    State(state): State<AppState>,
    ClientCall(request): ClientCall,
) -> HttpResult {
    let answer = introspect::introspection_request(&state, &request, state.now()).await?;
    Ok(no_store_json(&answer))
}
