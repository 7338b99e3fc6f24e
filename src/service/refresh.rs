//! `grant_type=refresh_token` (RFC 6749 §6): rotate on every use; a replaced token coming
//! back revokes its whole family, committed before the error is answered (RFC 9700 §4.14).
use super::error::Result;
use super::mint::{self, Family, Grant, NewRefresh, TokenResponse, mint};
use crate::auth::secret;
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::grants::RefreshGrant;
use crate::oauth::refresh::{RefreshDecision, check_refresh, grace_period};
use crate::state::AppState;

pub async fn refresh(
    state: &AppState,
    client: &Client,
    request: &RefreshGrant,
    now: i64,
) -> Result<TokenResponse> {
    let store = state.store();
    let token_hash = secret::hash(&request.refresh_token);
    let grace = grace_period(client, state.config().refresh_grace_period);
    // Two passes at most: if a concurrent refresh rotates the token (or a revocation ends
    // the family) between our read and our rotation, the second pass reads the new state
    // and applies the reuse rules to it.
    for _ in 0..2 {
        let record = store
            .find_refresh_token(&token_hash)
            .await?
            .ok_or_else(|| OAuthError::invalid_grant("the refresh token is invalid"))?;
        let scope = match check_refresh(&record, client, request.scope.as_deref(), grace, now) {
            RefreshDecision::Rotate { scope } => scope,
            RefreshDecision::Reject(error) => return Err(error.into()),
            RefreshDecision::RevokeFamily => {
                tracing::warn!(client_id = %client.id, "refresh token reused: revoking its family");
                crate::observe::refresh_token_reused();
                store.revoke_refresh_family(&record.family_id, now).await?;
                return Err(
                    OAuthError::invalid_grant("the refresh token has already been used").into(),
                );
            }
        };
        // Checked before anything changes: a wrong resource must not rotate the token.
        let audience = mint::audience(client, &record.resources, request.resource.as_deref())?;
        let user = store
            .find_user(&record.user_id)
            .await?
            .filter(|u| u.accepts_token_issued_at(record.created_at))
            .ok_or_else(|| OAuthError::invalid_grant("the user account is no longer active"))?;
        let grant = Grant {
            client,
            user: &user,
            scope: &scope,
            audience,
            auth_time: record.auth_time,
            amr: &record.amr,
            // OIDC Core §12.2: a refreshed ID token carries no nonce.
            nonce: None,
            session_id_hash: &record.session_id_hash,
        };
        let minted = mint(state, &grant, now)?;
        let next = NewRefresh::generate();
        let family = Family {
            id: &record.family_id,
            // RFC 6749 §6: the new refresh token keeps the original scope.
            scope: &record.scope,
            resources: &record.resources,
            expires_at: record.expires_at,
        };
        let row = next.row(state, &grant, &family, &minted, now);
        if store.rotate_refresh_token(&token_hash, &row).await? {
            crate::observe::note_user(&user.id);
            crate::observe::token_issued("refresh_token");
            return Ok(TokenResponse::new(minted, Some(next.token)));
        }
    }
    Err(OAuthError::invalid_grant("the refresh token was used concurrently").into())
}
