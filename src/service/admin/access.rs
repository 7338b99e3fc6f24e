//! What keeps a user signed in, taken away or given back: disabling and enabling, a password
//! set by an administrator, second factors reset, refresh tokens revoked.
use zeroize::Zeroizing;

use super::{AdminError, Result, UserKey, UserView, user};
use crate::audit::{AuditEvent, EventType};
use crate::service::{backchannel, sessions, throttle};
use crate::state::AppState;
use crate::store::passkeys::PasskeyRow;
use crate::store::users::UserRow;

/// Disables (or enables) a user. Disabling ends their sessions (the apps told by back-channel
/// logout) and every token issued to them so far, refresh families and access tokens alike,
/// so enabling later brings none of them back. Either is a no-op when the user is in that
/// state already (nothing is recorded then).
pub async fn set_disabled(
    state: &AppState,
    key: UserKey<'_>,
    disabled: bool,
    now: i64,
) -> Result<UserView> {
    let user = user(state, key).await?;
    if user.disabled == disabled {
        return Ok(UserView::from(&user));
    }
    let store = state.store();
    if disabled {
        store.disable_user(&user.email, now).await?;
        end_everything(state, &user, now).await?;
        state
            .audit()
            .record(AuditEvent::success(EventType::UserDisabled).user(&user.id));
    } else {
        store.enable_user(&user.email).await?;
        state
            .audit()
            .record(AuditEvent::success(EventType::UserEnabled).user(&user.id));
    }
    Ok(UserView::from(
        &super::user(state, UserKey::Id(&user.id)).await?,
    ))
}

/// Every session ended and every refresh family revoked; the running server delivers the
/// back-channel logouts queued (rung here when this is that server).
async fn end_everything(state: &AppState, user: &UserRow, now: i64) -> Result<u64> {
    let (store, audit) = (state.store(), state.audit());
    let receivers = state.backchannel_receivers();
    let ended = sessions::end_all_for_user(store, audit, receivers, &user.id, now).await?;
    backchannel::queued(state, ended);
    Ok(ended)
}

/// Sets a new password (it follows `Config::password_rules`) and signs the user out
/// everywhere: an administrator sets a password when the old one may be known to someone
/// else.
pub async fn set_password(
    state: &AppState,
    key: UserKey<'_>,
    password: Zeroizing<String>,
    now: i64,
) -> Result<()> {
    let user = user(state, key).await?;
    let rules = state.config().password_rules();
    rules
        .check(&password, &user.email)
        .map_err(AdminError::PasswordRefused)?;
    let hash = state.passwords().hash(password).await?;
    if !state
        .store()
        .set_password_hash_of(&user.id, &hash, now)
        .await?
    {
        return Err(AdminError::NotFound(format!("no user {}", user.id)));
    }
    end_everything(state, &user, now).await?;
    state
        .audit()
        .record(AuditEvent::success(EventType::PasswordSetByAdmin).user(&user.id));
    Ok(())
}

/// The second factors a user has. After an account was taken over, any of them may be the
/// attacker's: a password reset alone leaves them signing in.
#[derive(Debug)]
pub struct SecondFactors {
    pub totp: bool,
    pub passkeys: Vec<PasskeyRow>,
}

impl SecondFactors {
    pub fn is_empty(&self) -> bool {
        !self.totp && self.passkeys.is_empty()
    }
}

pub async fn second_factors(state: &AppState, key: UserKey<'_>) -> Result<SecondFactors> {
    let user = user(state, key).await?;
    let store = state.store();
    Ok(SecondFactors {
        totp: store.totp_enabled(&user.id).await?,
        passkeys: store.passkeys_of(&user.id).await?,
    })
}

/// What a reset removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactorsRemoved {
    pub totp: bool,
    pub passkeys: u64,
}

/// Turns off TOTP (the secret, recovery codes, half-done sign-ins and the count of wrong
/// codes) and removes every passkey (a user who lost their devices, or an account taken
/// over). The user then signs in with the password alone and may enrol again; sessions stay
/// as they are.
pub async fn reset_second_factors(state: &AppState, key: UserKey<'_>) -> Result<FactorsRemoved> {
    let user = user(state, key).await?;
    let store = state.store();
    let totp = store.totp_enabled(&user.id).await?;
    store.remove_mfa(&user.id).await?;
    let passkeys = store.delete_passkeys_of(&user.id).await?;
    throttle::forget_second_factor_attempts(store, &user.id).await?;
    state.audit().record(
        AuditEvent::success(EventType::SecondFactorsReset)
            .user(&user.id)
            .detail("totp", totp)
            .detail("passkeys", passkeys),
    );
    Ok(FactorsRemoved { totp, passkeys })
}

/// Revokes a user's refresh tokens (only those of `client_id`, when given): each family and
/// every access token issued from it. Sessions stay. How many families were live.
pub async fn revoke_user_refresh_tokens(
    state: &AppState,
    key: UserKey<'_>,
    client_id: Option<&str>,
    now: i64,
) -> Result<u64> {
    let user = user(state, key).await?;
    let store = state.store();
    let families = match client_id {
        Some(client_id) => {
            store
                .refresh_families_for_client(&user.id, client_id)
                .await?
        }
        None => store.refresh_families_for_user(&user.id).await?,
    };
    let revoked = revoke_families(state, &families, now).await?;
    let mut event = AuditEvent::success(EventType::RefreshTokensRevoked)
        .user(&user.id)
        .detail("families", revoked);
    if let Some(client_id) = client_id {
        event = event.client(client_id);
    }
    state.audit().record(event);
    Ok(revoked)
}

/// Revokes every refresh token of one client, whoever's (a client whose tokens leaked, or
/// one being retired; it need not be registered any more). How many families were live.
pub async fn revoke_client_refresh_tokens(
    state: &AppState,
    client_id: &str,
    now: i64,
) -> Result<u64> {
    let families = state.store().refresh_families_of_client(client_id).await?;
    let revoked = revoke_families(state, &families, now).await?;
    state.audit().record(
        AuditEvent::success(EventType::RefreshTokensRevoked)
            .client(client_id)
            .detail("families", revoked),
    );
    Ok(revoked)
}

async fn revoke_families(state: &AppState, families: &[String], now: i64) -> Result<u64> {
    for family in families {
        state.store().revoke_refresh_family(family, now).await?;
    }
    Ok(families.len() as u64)
}
