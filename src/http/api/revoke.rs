//! `POST /revoke` (RFC 7009): answers 200 whatever the token was (§2.2).
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;

use super::client_request::client_request;
use crate::http::client_ip::ClientIp;
use crate::http::error::HttpResult;
use crate::service::revoke;
use crate::state::AppState;

pub async fn revoke(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let request = client_request(&headers, &body, ip)?;
    revoke::revocation_request(&state, &request, state.now()).await?;
    let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    Ok((StatusCode::OK, no_store).into_response())
}
