//! `POST /token` (RFC 6749 §3.2, §5): the request to `service::token`, its tokens or its
//! error back as JSON.
use axum::extract::State;

use super::client_request::ClientCall;
use crate::http::error::HttpResult;
use crate::http::respond::no_store_json;
use crate::service::token;
use crate::state::AppState;

pub async fn token(State(state): State<AppState>, ClientCall(request): ClientCall) -> HttpResult {
    let response = token::token_request(&state, &request, state.now()).await?;
    Ok(no_store_json(&response))
}
