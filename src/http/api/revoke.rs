//! `POST /revoke` (RFC 7009): answers 200 whatever the token was (§2.2).
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;

use super::client_request::ClientCall;
use crate::http::error::HttpResult;
use crate::service::revoke;
use crate::state::AppState;

pub async fn revoke(State(state): State<AppState>, ClientCall(request): ClientCall) -> HttpResult {
    revoke::revocation_request(&state, &request, state.now()).await?;
    let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    Ok((StatusCode::OK, no_store).into_response())
}
