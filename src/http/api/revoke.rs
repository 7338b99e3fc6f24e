//! `POST /revoke` (RFC 7009): answers 200 whatever the token was (§2.2).
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;

use super::client_auth::{authenticated_form, token_param};
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
    let (params, client) = authenticated_form(&state, &headers, &body, ip).await?;
    revoke::revoke(&state, client, token_param(&params)?, state.now()).await?;
    let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    Ok((StatusCode::OK, no_store).into_response())
}
