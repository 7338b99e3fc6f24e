//! Token introspection (RFC 7662). Only confidential clients may introspect (§2.1 requires
//! the caller to be authorized), and only the tokens issued to them; anything else —
//! another client's, expired, revoked, rotated, forged or unknown — is `{"active": false}`
//! with no further detail.
use serde::Serialize;

use super::access_token::{self, TokenCheck};
use super::error::Result;
use crate::auth::secret;
use crate::oauth::access_token::Audience;
use crate::oauth::acr;
use crate::oauth::amr::Amr;
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::scope::Scopes;
use crate::state::AppState;

/// The RFC 7662 §2.2 answer. Inactive is `active: false` and nothing else.
#[derive(Debug, Default, Serialize)]
pub struct Introspection {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scopes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amr: Option<Amr>,
}

pub async fn introspect(
    state: &AppState,
    client: &Client,
    token: &str,
    now: i64,
) -> Result<Introspection> {
    if client.is_public() {
        return Err(OAuthError::invalid_client(
            "introspection needs client authentication; public clients cannot introspect",
        )
        .into());
    }
    if let Some(answer) = refresh_token(state, client, token, now).await? {
        return Ok(answer);
    }
    access_token(state, client, token, now).await
}

async fn refresh_token(
    state: &AppState,
    client: &Client,
    token: &str,
    now: i64,
) -> Result<Option<Introspection>> {
    let store = state.store();
    let Some(record) = store.find_refresh_token(&secret::hash(token)).await? else {
        return Ok(None);
    };
    if record.client_id != client.id || !record.is_active(now) {
        return Ok(Some(Introspection::default()));
    }
    let active_user = store
        .find_user(&record.user_id)
        .await?
        .is_some_and(|u| u.accepts_token_issued_at(record.created_at));
    if !active_user {
        return Ok(Some(Introspection::default()));
    }
    Ok(Some(Introspection {
        active: true,
        token_type: Some("refresh_token"),
        acr: Some(acr::acr_for(&record.amr)),
        scope: Some(record.scope),
        aud: Some(Audience::One(record.client_id.clone())),
        client_id: Some(record.client_id),
        sub: Some(record.user_id),
        iss: Some(state.issuer().to_string()),
        iat: Some(record.created_at),
        exp: Some(record.idle_expires_at.min(record.expires_at)),
        jti: None,
        auth_time: Some(record.auth_time),
        amr: Some(record.amr),
    }))
}

async fn access_token(
    state: &AppState,
    client: &Client,
    token: &str,
    now: i64,
) -> Result<Introspection> {
    let claims = match access_token::check(state, token, now).await? {
        TokenCheck::Active(claims, _) if claims.client_id == client.id => claims,
        _ => return Ok(Introspection::default()),
    };
    let claims = *claims;
    Ok(Introspection {
        active: true,
        token_type: Some("Bearer"),
        scope: Some(claims.scope),
        client_id: Some(claims.client_id),
        sub: Some(claims.sub),
        aud: Some(claims.aud),
        iss: Some(claims.iss),
        iat: Some(claims.iat),
        exp: Some(claims.exp),
        jti: Some(claims.jti),
        auth_time: Some(claims.auth_time),
        acr: Some(acr::acr_for(&claims.amr)),
        amr: Some(claims.amr),
    })
}
