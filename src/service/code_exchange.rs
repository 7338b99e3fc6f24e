//! `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6). The code is checked
//! before it is spent, so a wrong client or verifier cannot burn the legitimate client's
//! code; it is then redeemed in one transaction with the tokens it produced, so a replay
//! always finds what to revoke (RFC 6749 §4.1.2).
use super::error::Result;
use super::mint::{self, Family, Grant, NewRefresh, TokenResponse, mint};
use crate::auth::{secret, session};
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::grants::{CodeGrant, check_code_exchange};
use crate::state::AppState;
use crate::store::codes::{CodeTokens, Redeemed, Redemption};

pub async fn exchange_code(
    state: &AppState,
    client: &Client,
    request: &CodeGrant,
    now: i64,
) -> Result<TokenResponse> {
    let store = state.store();
    let code_hash = secret::hash(&request.code);
    let Some(issued) = store.find_code(&code_hash, now).await? else {
        return Err(OAuthError::invalid_grant("the code is invalid").into());
    };
    if issued.consumed {
        return Err(replayed(state, &code_hash, now).await);
    }
    check_code_exchange(
        &issued,
        client,
        request.redirect_uri.as_deref(),
        request.code_verifier.as_deref(),
        now,
    )?;
    let audience = mint::audience(client, &issued.resources, request.resource.as_deref())?;
    let user = store
        .find_active_user(&issued.user_id)
        .await?
        .ok_or_else(|| OAuthError::invalid_grant("the user account is no longer active"))?;
    let grant = Grant {
        client,
        user: &user,
        scope: &issued.scope,
        audience,
        auth_time: issued.auth_time,
        amr: &issued.amr,
        nonce: issued.nonce.as_deref(),
        session_id_hash: &issued.session_id_hash,
    };
    crate::observe::note_user(&user.id);
    let minted = mint(state, &grant, now)?;

    // OIDC Core §11: offline_access (only ever granted with consent) brings a refresh token.
    let family_id = uuid::Uuid::new_v4().to_string();
    let refresh = issued
        .scope
        .contains("offline_access")
        .then(NewRefresh::generate);
    let family = Family {
        id: &family_id,
        scope: &issued.scope,
        resources: &issued.resources,
        expires_at: now + state.config().refresh_token_ttl,
    };
    let refresh_row = refresh
        .as_ref()
        .map(|r| r.row(state, &grant, &family, &minted, now));
    let tokens = CodeTokens {
        access_token_jti: minted.jti.clone(),
        access_token_expires_at: minted.access_token_expires_at,
        refresh_family_id: refresh.as_ref().map(|_| family_id.clone()),
    };
    let sid = session::public_id(&issued.session_id_hash);
    let redemption = Redemption {
        code_hash: &code_hash,
        client_id: &client.id,
        session_id_hash: &issued.session_id_hash,
        sid: &sid,
        now,
    };
    match store
        .redeem_code(&redemption, &tokens, refresh_row.as_ref())
        .await?
    {
        Redeemed::Redeemed => {}
        // A concurrent exchange of the same code won: this one is the replay.
        Redeemed::AlreadyUsed => return Err(replayed(state, &code_hash, now).await),
        // Signed out between the check and now: the app would never hear of this session's
        // end, so it gets no tokens for it.
        Redeemed::SessionEnded => {
            return Err(OAuthError::invalid_grant("the session has ended").into());
        }
    }
    crate::observe::token_issued("authorization_code");
    Ok(TokenResponse::new(minted, refresh.map(|r| r.token)))
}

/// RFC 6749 §4.1.2: a code used twice is evidence of theft; revoke what its first use got,
/// commit that, and only then answer `invalid_grant`.
async fn replayed(state: &AppState, code_hash: &str, now: i64) -> super::error::Error {
    tracing::warn!("authorization code replayed: revoking the tokens it issued");
    crate::observe::code_replayed();
    if let Err(e) = revoke_tokens_of(state, code_hash, now).await {
        return e;
    }
    OAuthError::invalid_grant("the code has already been used").into()
}

async fn revoke_tokens_of(state: &AppState, code_hash: &str, now: i64) -> Result<()> {
    let store = state.store();
    if let Some(tokens) = store.find_code_tokens(code_hash).await? {
        store
            .revoke_access_token(&tokens.access_token_jti, tokens.access_token_expires_at)
            .await?;
        if let Some(family) = tokens.refresh_family_id {
            store.revoke_refresh_family(&family, now).await?;
        }
    }
    Ok(())
}
