//! `POST /introspect` (RFC 7662). A client may introspect the tokens issued to it; anything
//! else — another client's, expired, revoked, rotated, forged or unknown — is
//! `{"active": false}` with no further detail.
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::access_token::verify_access_token;
use super::client_auth::authenticated_form;
use super::client_ip::ClientIp;
use super::json_error::{JsonError, no_store_json};
use crate::auth::session::amr_from_string;
use crate::oauth::acr::acr_for;
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::tokens::hash_secret;
use crate::state::AppState;

pub async fn introspect(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match introspection(&state, &headers, &body, ip).await {
        Ok(answer) => no_store_json(answer),
        Err(e) => e.into_response(),
    }
}

async fn introspection(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    ip: std::net::IpAddr,
) -> Result<Value, JsonError> {
    let (params, client) = authenticated_form(state, headers, body, ip).await?;
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    if let Some(answer) = refresh_token_answer(state, client, token).await? {
        return Ok(answer);
    }
    access_token_answer(state, client, token).await
}

fn inactive() -> Value {
    json!({ "active": false })
}

async fn refresh_token_answer(
    state: &AppState,
    client: &Client,
    token: &str,
) -> Result<Option<Value>, JsonError> {
    let Some(record) = state
        .store()
        .find_refresh_token(&hash_secret(token))
        .await?
    else {
        return Ok(None);
    };
    let now = state.now();
    if record.client_id != client.id || !record.is_active(now) {
        return Ok(Some(inactive()));
    }
    let active_user = state
        .store()
        .find_user(&record.user_id)
        .await?
        .is_some_and(|u| !u.disabled);
    if !active_user {
        return Ok(Some(inactive()));
    }
    let amr = amr_from_string(&record.amr);
    Ok(Some(json!({
        "active": true,
        "token_type": "refresh_token",
        "scope": record.scope,
        "client_id": record.client_id,
        "sub": record.user_id,
        "aud": record.client_id,
        "iss": state.issuer(),
        "iat": record.created_at,
        "exp": record.idle_expires_at.min(record.expires_at),
        "auth_time": record.auth_time,
        "acr": acr_for(&amr),
        "amr": amr,
    })))
}

async fn access_token_answer(
    state: &AppState,
    client: &Client,
    token: &str,
) -> Result<Value, JsonError> {
    let Ok(claims) = verify_access_token(state, token).await? else {
        return Ok(inactive());
    };
    if claims.get("client_id").and_then(Value::as_str) != Some(client.id.as_str()) {
        return Ok(inactive());
    }
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let active_user = state
        .store()
        .find_user(sub)
        .await?
        .is_some_and(|u| !u.disabled);
    if !active_user {
        return Ok(inactive());
    }
    let mut answer = serde_json::Map::new();
    answer.insert("active".into(), json!(true));
    answer.insert("token_type".into(), json!("Bearer"));
    for claim in [
        "scope",
        "client_id",
        "sub",
        "exp",
        "iat",
        "aud",
        "iss",
        "jti",
        "auth_time",
        "acr",
        "amr",
    ] {
        if let Some(value) = claims.get(claim) {
            answer.insert(claim.into(), value.clone());
        }
    }
    Ok(Value::Object(answer))
}
