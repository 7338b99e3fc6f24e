//! `POST /par` (RFC 9126 §2): the client's call, read as at `/token`, to
//! `service::par`; 201 with the `request_uri` (no-store), or the RFC's JSON error.
use axum::extract::State;
use axum::http::StatusCode;

use super::client_request::ClientCall;
use crate::http::error::HttpResult;
use crate::http::respond::no_store_json_with;
use crate::service::par;
use crate::state::AppState;

pub async fn par(State(state): State<AppState>, ClientCall(request): ClientCall) -> HttpResult {
    let pushed = par::push(&state, &request, state.now()).await?;
    Ok(no_store_json_with(StatusCode::CREATED, &pushed))
}
