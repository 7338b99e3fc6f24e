//! `POST /revoke` (RFC 7009). A refresh token revokes its family and the access tokens issued
//! from it; an access token is revoked by `jti`. Tokens of other clients, unknown, expired or
//! forged tokens change nothing and still get 200 (§2.2), so the endpoint reveals nothing.
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::access_token::verify_access_token;
use super::client_auth::authenticated_form;
use super::client_ip::ClientIp;
use super::json_error::JsonError;
use crate::oauth::error::OAuthError;
use crate::oauth::tokens::hash_secret;
use crate::state::AppState;

pub async fn revoke(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match revoke_token(&state, &headers, &body, ip).await {
        Ok(()) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn revoke_token(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    ip: std::net::IpAddr,
) -> Result<(), JsonError> {
    let (params, client) = authenticated_form(state, headers, body, ip).await?;
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let now = state.now();
    let store = state.store();

    // The hint only orders the look-ups (§2.1); an opaque token cannot be a JWT and vice versa.
    if let Some(record) = store.find_refresh_token(&hash_secret(token)).await? {
        if record.client_id == client.id {
            store.revoke_refresh_family(&record.family_id, now).await?;
            tracing::info!(client_id = %client.id, "refresh token revoked");
        }
        return Ok(());
    }
    if let Ok(claims) = verify_access_token(state, token).await?
        && claims.get("client_id").and_then(Value::as_str) == Some(client.id.as_str())
        && let (Some(jti), Some(exp)) = (
            claims.get("jti").and_then(Value::as_str),
            claims.get("exp").and_then(Value::as_i64),
        )
    {
        store.revoke_access_token(jti, exp).await?;
        tracing::info!(client_id = %client.id, "access token revoked");
    }
    Ok(())
}
