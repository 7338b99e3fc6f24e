//! `POST /device_authorization` (RFC 8628 §3.1, §3.2): the client's call, read as at
//! `/token`, to `service::device::authorization`; the codes as JSON (no-store), or the RFC's
//! JSON error.
use axum::extract::State;

use super::client_request::ClientCall;
use crate::http::error::HttpResult;
use crate::http::respond::no_store_json;
use crate::service::device::authorization;
use crate::state::AppState;

pub async fn device_authorization(
    State(state): State<AppState>,
    ClientCall(request): ClientCall,
) -> HttpResult {
    let codes = authorization::start(&state, &request, state.now()).await?;
    Ok(no_store_json(&codes))
}
