//! `POST /token` (RFC 6749 §3.2, §5): the request to `service::token`, its tokens or its
//! error back as JSON, with the current `DPoP-Nonce` when the request carried a proof
//! (RFC 9449 §8).
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::client_request::{ClientCall, with_dpop_nonce};
use crate::http::error::HttpError;
use crate::http::respond::no_store_json;
use crate::service::token;
use crate::state::AppState;

pub async fn token(State(state): State<AppState>, ClientCall(request): ClientCall) -> Response {
    let answer = match token::token_request(&state, &request, state.now()).await {
        Ok(tokens) => no_store_json(&tokens),
        Err(error) => HttpError::from(error).into_response(),
    };
    with_dpop_nonce(&state, request.dpop.is_present(), answer)
}
