//! `grant_type=refresh_token` (RFC 6749 §6): rotate on every use; a replaced token coming
//! back revokes its whole family (committed before the error is answered).
use axum::response::Response;

use super::issue::{Family, Grant, NewRefresh, mint, token_response};
use super::json_error::{JsonError, no_store_json};
use crate::auth::session::amr_from_string;
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::refresh::{RefreshDecision, check_refresh, grace_period};
use crate::oauth::tokens::hash_secret;
use crate::state::AppState;

pub async fn refresh_token_grant(
    state: &AppState,
    client: &Client,
    refresh_token: &str,
    requested_scope: Option<&str>,
) -> Result<Response, JsonError> {
    let now = state.now();
    let store = state.store();
    let token_hash = hash_secret(refresh_token);
    let grace = grace_period(client, state.config().refresh_grace_period);
    // Two passes at most: if a concurrent refresh rotates the token between our read and our
    // update, the second pass sees it replaced and applies the reuse rules.
    for _ in 0..2 {
        let record = store
            .find_refresh_token(&token_hash)
            .await?
            .ok_or_else(|| OAuthError::invalid_grant("the refresh token is invalid"))?;
        let scope = match check_refresh(&record, client, requested_scope, grace, now) {
            RefreshDecision::Rotate { scope } => scope,
            RefreshDecision::Reject(error) => return Err(error.into()),
            RefreshDecision::RevokeFamily => {
                tracing::warn!(client_id = %client.id, "refresh token reused: revoking its family");
                store.revoke_refresh_family(&record.family_id, now).await?;
                return Err(
                    OAuthError::invalid_grant("the refresh token has already been used").into(),
                );
            }
        };
        let user = store
            .find_user(&record.user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or_else(|| OAuthError::invalid_grant("the user account is no longer active"))?;
        let amr = amr_from_string(&record.amr);
        let grant = Grant {
            client,
            user: &user,
            scope: &scope,
            auth_time: record.auth_time,
            amr: &amr,
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
            expires_at: record.expires_at,
        };
        if store
            .rotate_refresh_token(&token_hash, &next.row(state, &grant, &family, &minted, now))
            .await?
        {
            return Ok(no_store_json(token_response(
                state,
                &minted,
                &scope,
                Some(&next.token),
            )));
        }
    }
    Err(OAuthError::invalid_grant("the refresh token was used concurrently").into())
}
