//! `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6, RFC 9449 §10). The code
//! is checked before it is spent, so a wrong client, verifier or DPoP key cannot burn the
//! legitimate client's code; it is then redeemed in one transaction with the tokens it
//! produced, so a replay always finds what to revoke (RFC 6749 §4.1.2).
use super::dpop;
use super::error::{Error, Result};
use super::mint::issuance::Issuance;
use super::mint::refresh_family::{Family, NewRefresh};
use super::mint::sign::{AccessTokenId, sign_tokens_as};
use crate::audit::{AuditEvent, EventType};
use crate::auth::{secret, session};
use crate::oauth::client::Client;
use crate::oauth::dpop::check_code_binding;
use crate::oauth::error::OAuthError;
use crate::oauth::grants::{CodeGrant, IssuedCode, check_code_exchange};
use crate::oauth::resource::token_audience;
use crate::oauth::token_response::TokenResponse;
use crate::state::AppState;
use crate::store::codes::{CodeTokens, Redeemed, Redemption};
use crate::store::held::Held;

pub async fn exchange_code(
    state: &AppState,
    client: &Client,
    request: &CodeGrant,
    dpop_jkt: Option<&str>,
    now: i64,
) -> Result<TokenResponse> {
    let code_hash = secret::hash(&request.code);
    // One connection for the read and the redemption, released before the tokens are
    // signed; released too before a replay is answered, which needs the store again.
    let mut held = state.store().hold().await?;
    let Some((issued, user)) = held.find_code_with_user(&code_hash, now).await? else {
        return Err(OAuthError::invalid_grant("the code is invalid").into());
    };
    if issued.consumed {
        drop(held);
        return Err(replayed(state, &code_hash, &issued, now).await);
    }
    check_code_exchange(
        &issued,
        client,
        request.redirect_uri.as_deref(),
        request.code_verifier.as_deref(),
        now,
    )?;
    check_code_binding(issued.dpop_jkt.as_deref(), dpop_jkt)
        .map_err(|e| dpop::refused("wrong_key", e))?;
    let audience = token_audience(
        &client.resources,
        &issued.resources,
        request.resource.as_deref(),
    )?;
    let user =
        user.ok_or_else(|| OAuthError::invalid_grant("the user account is no longer active"))?;
    let issuance = Issuance {
        client,
        user: &user,
        scope: &issued.scope,
        audience,
        auth_time: issued.auth_time,
        amr: &issued.amr,
        nonce: issued.nonce.as_deref(),
        session_id_hash: &issued.session_id_hash,
        dpop_jkt,
    };
    crate::observe::note_user(&user.id);
    let access = AccessTokenId::draw(state.config(), &issuance, now);
    let refresh = NewRefresh::for_grant(&issued.scope);
    let spent = Spent {
        code_hash: &code_hash,
        issued: &issued,
        access: &access,
        refresh: refresh.as_ref(),
    };
    match redeem(state, &mut held, &issuance, spent, now).await? {
        Redeemed::Redeemed => {}
        // A concurrent exchange of the same code won: this one is the replay.
        Redeemed::AlreadyUsed => {
            drop(held);
            return Err(replayed(state, &code_hash, &issued, now).await);
        }
        // Signed out between the check and now: the app would never hear of this session's
        // end, so it gets no tokens for it.
        Redeemed::SessionEnded => {
            return Err(OAuthError::invalid_grant("the session has ended").into());
        }
    }
    drop(held);
    // Signed once the code is spent: were signing to fail (no usable key), the client gets
    // a server error and the code is spent, never tokens nobody recorded.
    let signed = sign_tokens_as(state, &issuance, access, now)?;
    crate::observe::token_issued("authorization_code");
    Ok(signed.into_response(refresh.map(|r| r.token)))
}

/// What a redemption spends the code on: the access token's id and the refresh token that
/// starts a family, if any.
struct Spent<'a> {
    code_hash: &'a str,
    issued: &'a IssuedCode,
    access: &'a AccessTokenId,
    refresh: Option<&'a NewRefresh>,
}

/// Marks the code used and stores what it produced, at once.
async fn redeem(
    state: &AppState,
    held: &mut Held<'_>,
    issuance: &Issuance<'_>,
    spent: Spent<'_>,
    now: i64,
) -> Result<Redeemed> {
    let Spent {
        code_hash,
        issued,
        access,
        refresh,
    } = spent;
    let family_id = uuid::Uuid::new_v4().to_string();
    let family = Family::starting(
        &family_id,
        &issued.scope,
        &issued.resources,
        state.config(),
        now,
    );
    let refresh_row = refresh.map(|r| r.row(state.config(), issuance, &family, access, now));
    let tokens = CodeTokens {
        access_token_jti: access.jti.clone(),
        access_token_expires_at: access.expires_at,
        refresh_family_id: refresh.map(|_| family_id.clone()),
    };
    let sid = session::public_id(&issued.session_id_hash);
    let redemption = Redemption {
        code_hash,
        client_id: &issuance.client.id,
        session_id_hash: &issued.session_id_hash,
        sid: &sid,
        now,
    };
    Ok(held
        .redeem_code(&redemption, &tokens, refresh_row.as_ref())
        .await?)
}

/// RFC 6749 §4.1.2: a code used twice is evidence of theft; revoke what its first use got,
/// commit that, and only then answer `invalid_grant`.
async fn replayed(state: &AppState, code_hash: &str, issued: &IssuedCode, now: i64) -> Error {
    tracing::warn!("authorization code replayed: revoking the tokens it issued");
    state.audit().record(
        AuditEvent::failure(EventType::CodeReplayed)
            .user(&issued.user_id)
            .client(&issued.client_id)
            .detail("tokens_revoked", true),
    );
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
