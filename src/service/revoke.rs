//! Token revocation (RFC 7009). A refresh token revokes its family and the access tokens
//! issued from it; an access token is revoked by `jti`. Tokens of other clients, unknown,
//! expired or forged tokens change nothing and still succeed (§2.2), so the endpoint reveals
//! nothing about tokens the caller does not own.
use super::access_token;
use super::client_request::ClientRequest;
use super::error::Result;
use crate::auth::secret;
use crate::oauth::client::Client;
use crate::state::AppState;

/// `POST /revoke`: the token of an authenticated client.
pub async fn revocation_request(state: &AppState, request: &ClientRequest, now: i64) -> Result<()> {
    let admitted = request.admit(state, now).await?;
    let state = &admitted;
    let client = request.authenticate(state, now).await?;
    revoke(state, client, request.token()?, now).await
}

pub async fn revoke(state: &AppState, client: &Client, token: &str, now: i64) -> Result<()> {
    let store = state.store();
    // The hint only orders the look-ups (§2.1); an opaque token cannot be a JWT and vice versa.
    if let Some(record) = store.find_refresh_token(&secret::hash(token)).await? {
        if record.client_id == client.id {
            store.revoke_refresh_family(&record.family_id, now).await?;
            tracing::info!(client_id = %client.id, "refresh token revoked");
        }
        return Ok(());
    }
    if let Ok(claims) = access_token::verified_claims(state, token, now)
        && claims.client_id == client.id
    {
        store.revoke_access_token(&claims.jti, claims.exp).await?;
        tracing::info!(client_id = %client.id, "access token revoked");
    }
    Ok(())
}
