//! Token introspection (RFC 7662). The caller must be authorized (§2.1): a confidential
//! client, which sees only the tokens issued to it, or an API (resource server), which sees
//! only access tokens whose audience it is. Anything else — another's, expired, revoked,
//! rotated, forged or unknown — is `{"active": false}` with no further detail.
use super::access_token::{self, TokenCheck};
use super::client_request::ClientRequest;
use super::error::Result;
use crate::auth::secret;
use crate::oauth::access_token::{AccessTokenClaims, Audience};
use crate::oauth::acr;
use crate::oauth::client::Client;
use crate::oauth::dpop;
use crate::oauth::error::OAuthError;
use crate::oauth::introspection::{Caller, Introspection};
use crate::state::AppState;

/// `POST /introspect`: the token, as the authenticated client or API may see it.
pub async fn introspection_request(
    state: &AppState,
    request: &ClientRequest,
    now: i64,
) -> Result<Introspection> {
    let admitted = request.admit(state, now).await?;
    let state = &admitted;
    let caller = request.authenticate_introspector(state, now).await?;
    introspect(state, caller, request.token()?, now).await
}

pub async fn introspect(
    state: &AppState,
    caller: Caller<'_>,
    token: &str,
    now: i64,
) -> Result<Introspection> {
    match caller {
        Caller::Client(client) if client.is_public() => Err(OAuthError::invalid_client(
            "introspection needs client authentication; public clients cannot introspect",
        )
        .into()),
        Caller::Client(client) => {
            if let Some(answer) = refresh_token(state, client, token, now).await? {
                return Ok(answer);
            }
            access_token(state, token, now, |claims| claims.client_id == client.id).await
        }
        // A refresh token is never for an API: it cannot be sent to one, so an API asking
        // about one learns nothing.
        Caller::Api(api) => {
            access_token(state, token, now, |claims| {
                claims.aud.includes(&api.identifier)
            })
            .await
        }
    }
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
        // Only a public client's refresh token is bound to a key, and it cannot introspect.
        cnf: None,
    }))
}

/// An access token, if `visible` to the caller and active.
async fn access_token(
    state: &AppState,
    token: &str,
    now: i64,
    visible: impl Fn(&AccessTokenClaims) -> bool,
) -> Result<Introspection> {
    let claims = match access_token::verified_claims(state, token, now) {
        Ok(claims) if visible(&claims) => claims,
        _ => return Ok(Introspection::default()),
    };
    let claims = match access_token::check_claims(state, claims).await? {
        TokenCheck::Active(claims, _) => *claims,
        TokenCheck::Inactive(_) => return Ok(Introspection::default()),
    };
    Ok(Introspection {
        active: true,
        token_type: Some(dpop::token_type(claims.cnf.is_some())),
        scope: Some(claims.scope),
        client_id: Some(claims.client_id),
        sub: Some(claims.sub),
        aud: Some(claims.aud),
        iss: Some(claims.iss),
        iat: Some(claims.iat),
        exp: Some(claims.exp),
        jti: Some(claims.jti),
        auth_time: claims.auth_time,
        acr: claims.amr.as_ref().map(acr::acr_for),
        amr: claims.amr,
        cnf: claims.cnf,
    })
}
