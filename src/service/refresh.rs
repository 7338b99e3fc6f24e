//! `grant_type=refresh_token` (RFC 6749 §6): rotate on every use; a replaced token coming
//! back revokes its whole family, committed before the error is answered (RFC 9700 §4.14).
//! A public client's token bound to a DPoP key is used only with a proof of that key (RFC 9449
//! §5), checked before anything changes.
use super::dpop;
use super::error::{Error, Result};
use super::mint::issuance::Issuance;
use super::mint::refresh_family::{Family, NewRefresh};
use super::mint::sign::{AccessTokenId, sign_tokens_as};
use crate::audit::{AuditEvent, EventType};
use crate::auth::secret;
use crate::oauth::client::Client;
use crate::oauth::dpop::check_refresh_binding;
use crate::oauth::error::OAuthError;
use crate::oauth::grants::RefreshGrant;
use crate::oauth::refresh::{RefreshDecision, RefreshTokenRecord, check_refresh, grace_period};
use crate::oauth::resource::token_audience;
use crate::oauth::scope::Scopes;
use crate::oauth::token_response::TokenResponse;
use crate::state::AppState;
use crate::store::held::Held;
use crate::store::users::UserRow;

pub async fn refresh(
    state: &AppState,
    client: &Client,
    request: &RefreshGrant,
    dpop_jkt: Option<&str>,
    now: i64,
) -> Result<TokenResponse> {
    let presented = Presented {
        client,
        request,
        dpop_jkt,
        token_hash: secret::hash(&request.refresh_token),
        grace: grace_period(client, state.config().refresh_grace_period),
    };
    // Two passes at most: if a concurrent refresh rotates the token (or a revocation ends
    // the family) between our read and our rotation, the second pass reads the new state
    // and applies the reuse rules to it.
    for _ in 0..2 {
        if let Some(response) = rotate(state, &presented, now).await? {
            return Ok(response);
        }
    }
    Err(OAuthError::invalid_grant("the refresh token was used concurrently").into())
}

/// A refresh token presented by a client, and the seconds a replaced one may still come
/// back without revoking its family.
struct Presented<'a> {
    client: &'a Client,
    request: &'a RefreshGrant,
    /// The key the request proved, if any.
    dpop_jkt: Option<&'a str>,
    token_hash: String,
    grace: i64,
}

/// One pass: read the token and its user, decide, rotate, sign. `None`: a concurrent refresh
/// or revocation changed the family first, and nothing was issued.
async fn rotate(
    state: &AppState,
    presented: &Presented<'_>,
    now: i64,
) -> Result<Option<TokenResponse>> {
    let (client, request) = (presented.client, presented.request);
    // One connection for the read and the rotation, released before the tokens are signed
    // and before a reuse is answered (which needs the store again).
    let mut held = state.store().hold().await?;
    let Rotatable {
        record,
        user,
        scope,
        again,
    } = match rotatable(&mut held, presented, now).await? {
        Found::Rotatable(rotatable) => rotatable,
        Found::Reused(record) => {
            drop(held);
            return Err(reused(state, client, &record, now).await);
        }
    };
    // Checked before anything changes: a wrong resource must not rotate the token.
    let audience = token_audience(
        &client.resources,
        &record.resources,
        request.resource.as_deref(),
    )?;
    let user = user
        .filter(|u| u.accepts_token_issued_at(record.created_at))
        .ok_or_else(|| OAuthError::invalid_grant("the user account is no longer active"))?;
    let issuance = Issuance {
        client,
        user: &user,
        scope: &scope,
        audience,
        auth_time: record.auth_time,
        amr: &record.amr,
        // OIDC Core §12.2: a refreshed ID token carries no nonce.
        nonce: None,
        session_id_hash: &record.session_id_hash,
        dpop_jkt: presented.dpop_jkt,
    };
    let access = AccessTokenId::draw(state.config(), &issuance, now);
    let next = NewRefresh::generate();
    let family = Family {
        id: &record.family_id,
        // RFC 6749 §6: the new refresh token keeps the original scope.
        scope: &record.scope,
        resources: &record.resources,
        expires_at: record.expires_at,
    };
    let row = next.row(state.config(), &issuance, &family, &access, now);
    let rotated = match again {
        false => {
            held.rotate_refresh_token(&presented.token_hash, &row)
                .await?
        }
        true => {
            held.rotate_refresh_token_again(&presented.token_hash, &row)
                .await?
        }
    };
    drop(held);
    if !rotated {
        return Ok(None);
    }
    // Signed once the rotation is stored: were signing to fail, the client gets a server
    // error and may retry with the replaced token inside the grace period, if it has one.
    let signed = sign_tokens_as(state, &issuance, access, now)?;
    crate::observe::note_user(&user.id);
    crate::observe::token_issued("refresh_token");
    Ok(Some(signed.into_response(Some(next.token))))
}

/// A stored token that may be rotated now, its user, the scope of the new access token,
/// and whether this is a fapi2 client's retry with the token replaced moments ago.
struct Rotatable {
    record: RefreshTokenRecord,
    user: Option<UserRow>,
    scope: Scopes,
    again: bool,
}

/// What the presented token turned out to be.
enum Found {
    Rotatable(Rotatable),
    /// A replaced token came back: its family is to be revoked.
    Reused(RefreshTokenRecord),
}

async fn rotatable(held: &mut Held<'_>, presented: &Presented<'_>, now: i64) -> Result<Found> {
    let Presented {
        client,
        request,
        dpop_jkt,
        token_hash,
        grace,
    } = presented;
    let (record, user) = held
        .find_refresh_token_with_user(token_hash)
        .await?
        .ok_or_else(|| OAuthError::invalid_grant("the refresh token is invalid"))?;
    // Before reuse detection: a request that does not prove the token's key could never use
    // it, and must not be able to revoke the family either.
    check_refresh_binding(record.dpop_jkt.as_deref(), *dpop_jkt)
        .map_err(|e| dpop::refused("wrong_key", e))?;
    let (scope, again) = match check_refresh(&record, client, request.scope.as_deref(), *grace, now)
    {
        RefreshDecision::Rotate { scope } => (scope, false),
        RefreshDecision::RotateAgain { scope } => (scope, true),
        RefreshDecision::Reject(error) => return Err(error.into()),
        RefreshDecision::RevokeFamily => return Ok(Found::Reused(record)),
    };
    Ok(Found::Rotatable(Rotatable {
        record,
        user,
        scope,
        again,
    }))
}

/// RFC 9700 §4.14.2: a replaced token came back, so it was copied: revoke its family,
/// commit that, and only then answer `invalid_grant`.
async fn reused(state: &AppState, client: &Client, record: &RefreshTokenRecord, now: i64) -> Error {
    tracing::warn!(client_id = %client.id, "refresh token reused: revoking its family");
    state.audit().record(
        AuditEvent::failure(EventType::RefreshTokenReuse)
            .user(&record.user_id)
            .client(&client.id)
            .detail("family_revoked", true),
    );
    crate::observe::refresh_token_reused();
    if let Err(e) = state
        .store()
        .revoke_refresh_family(&record.family_id, now)
        .await
    {
        return e.into();
    }
    OAuthError::invalid_grant("the refresh token has already been used").into()
}
