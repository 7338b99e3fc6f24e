//! Signing in with a passkey: without a password (a discoverable credential names the
//! account), or as the second step after the password for a user who has one. A passkey
//! cannot be guessed, so a sign-in with one is limited per address only: the password's
//! per-account limit (which anyone who knows the email can fill) never blocks it. At the
//! second step a failed assertion counts on the second-factor limit, as a wrong code does.
//!
//! The signature counter is judged against the counter stored when the sign-in ends, not the
//! snapshot the ceremony began with: the new counter is written with a compare, and a sign-in
//! whose counter is not above the stored one is refused as the crate refuses a counter that
//! went back (`CredentialPossibleCompromise`).
use std::net::IpAddr;

use webauthn_rs::prelude::{
    AuthenticationResult, Credential, DiscoverableAuthentication, Passkey, PasskeyAuthentication,
    PublicKeyCredential, WebauthnError,
};

use super::{Ceremony, Kind, Outcome, Refusal, save_ceremony, take_ceremony};
use crate::auth::passkey::credential_key;
use crate::oauth::amr::{Amr, Method};
use crate::service::error::{Internal, Result};
use crate::service::second_factor::{self, Completion};
use crate::service::sessions::{self, NewSession};
use crate::service::throttle;
use crate::state::AppState;
use crate::store::passkeys::{PasskeyRow, PasskeyUse};
use crate::store::pending_sign_ins::PendingSignIn;

/// Starts a sign-in by any passkey registered here (the browser offers the user's).
pub async fn begin(state: &AppState, now: i64) -> Result<Outcome<Ceremony>> {
    let Ok(relying_party) = state.passkeys() else {
        return Ok(Err(Refusal::Unavailable));
    };
    let (options, ceremony) = relying_party
        .start_discoverable_authentication()
        .map_err(Internal::passkey)?;
    let options = serde_json::to_string(&options).map_err(Internal::passkey)?;
    let id = save_ceremony(state, Kind::SignIn, None, &ceremony, now).await?;
    Ok(Ok(Ceremony { id, options }))
}

/// Finishes a passkey sign-in from `ip`; `replacing` is the browser's current session
/// cookie. The attempt is reserved on the address's limit before the signature is checked.
pub async fn finish(
    state: &AppState,
    ceremony_id: &str,
    credential: &str,
    ip: IpAddr,
    replacing: Option<&str>,
    now: i64,
) -> Result<Outcome<NewSession>> {
    let Ok(relying_party) = state.passkeys() else {
        return Ok(Err(Refusal::Unavailable));
    };
    let store = state.store();
    // Who the answer claims to be, before any signature work: the credential and the user
    // handle must both be registered, to the same user.
    let answer = serde_json::from_str::<PublicKeyCredential>(credential).ok();
    let claimed = answer.as_ref().and_then(|answer| {
        let (handle, credential_id) = relying_party
            .identify_discoverable_authentication(answer)
            .ok()?;
        Some((handle, credential_key(credential_id)))
    });
    let row = match &claimed {
        Some((_, credential_id)) => store.find_passkey(credential_id).await?,
        None => None,
    };
    let user = match &row {
        Some(row) => store.find_active_user(&row.user_id).await?,
        None => None,
    };
    let limits = throttle::passkey_sign_in_limits(state.config(), ip);
    let reservation = throttle::reserve(store, limits, now).await?;
    let taken = take_ceremony::<DiscoverableAuthentication>(state, Kind::SignIn, ceremony_id, now);
    let Some((_, ceremony)) = taken.await? else {
        reservation.release().await?;
        return Ok(Err(Refusal::Expired));
    };
    let (Some(answer), Some((handle, _)), Some(row), Some(user)) = (answer, claimed, row, user)
    else {
        reservation.fail().await?;
        return Ok(Err(Refusal::Rejected));
    };
    // WebAuthn §7.2 step 6: the user the handle names must own the credential.
    let owner = store.user_of_passkey_handle(&handle.to_string()).await?;
    if owner.as_deref() != Some(row.user_id.as_str()) {
        reservation.fail().await?;
        return Ok(Err(Refusal::Rejected));
    }
    let mut passkey = stored_passkey(&row)?;
    let verified = relying_party.finish_discoverable_authentication_v2(&answer, ceremony, &passkey);
    let result = match verified {
        Ok(result) => result,
        Err(e) => {
            refused(&row, &e);
            reservation.fail().await?;
            return Ok(Err(Refusal::Rejected));
        }
    };
    if !record_use(state, &row, &mut passkey, &result, now).await? {
        refused(&row, &WebauthnError::CredentialPossibleCompromise);
        reservation.fail().await?;
        return Ok(Err(Refusal::Rejected));
    }
    reservation.release().await?;
    let amr = Amr::passkey().with(Method::MultiFactor);
    let session = sessions::start(state, &user.id, amr, now, replacing, now).await?;
    tracing::info!(user_id = %user.id, "signed in with a passkey");
    Ok(Ok(session))
}

/// Starts the second step with a passkey for the pending sign-in's user; `None` when the
/// user has none (or passkeys are off), so the page offers only the code.
pub async fn begin_second_factor(
    state: &AppState,
    pending: &PendingSignIn,
    now: i64,
) -> Result<Option<Ceremony>> {
    let Ok(relying_party) = state.passkeys() else {
        return Ok(None);
    };
    let rows = state.store().passkeys_of(&pending.user_id).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let passkeys = rows
        .iter()
        .map(stored_passkey)
        .collect::<Result<Vec<Passkey>>>()?;
    let (options, ceremony) = relying_party
        .start_passkey_authentication(&passkeys)
        .map_err(Internal::passkey)?;
    let options = serde_json::to_string(&options).map_err(Internal::passkey)?;
    let user = Some(pending.user_id.as_str());
    let id = save_ceremony(state, Kind::SecondFactor, user, &ceremony, now).await?;
    Ok(Some(Ceremony { id, options }))
}

/// The second step with a passkey for the pending sign-in behind `pending_cookie`; checked
/// under the second-factor limit, then finished as a code would be.
pub async fn finish_second_factor(
    state: &AppState,
    pending_cookie: Option<&str>,
    session_cookie: Option<&str>,
    ceremony_id: &str,
    credential: &str,
    now: i64,
) -> Result<Completion> {
    let Ok(relying_party) = state.passkeys() else {
        return Ok(Completion::Unavailable);
    };
    let Some(pending) = second_factor::pending(state, pending_cookie, now).await? else {
        return Ok(Completion::StartOver);
    };
    let reservation = second_factor::reserve_attempt(state, &pending.user_id, now).await?;
    let taken = take_ceremony::<PasskeyAuthentication>(state, Kind::SecondFactor, ceremony_id, now);
    let ceremony = match taken.await? {
        Some((Some(owner), ceremony)) if owner == pending.user_id => ceremony,
        _ => {
            reservation.release().await?;
            return Ok(Completion::Wrong);
        }
    };
    let answer = serde_json::from_str::<PublicKeyCredential>(credential).ok();
    let verified =
        answer.map(|answer| relying_party.finish_passkey_authentication(&answer, &ceremony));
    let result = match verified {
        Some(Ok(result)) => result,
        Some(Err(e)) => {
            tracing::info!(user_id = %pending.user_id, error = %e, "passkey second step refused");
            reservation.fail().await?;
            return Ok(Completion::Wrong);
        }
        None => {
            reservation.fail().await?;
            return Ok(Completion::Wrong);
        }
    };
    let store = state.store();
    let row = store
        .find_passkey(&credential_key(result.cred_id()))
        .await?;
    let Some(row) = row.filter(|row| row.user_id == pending.user_id) else {
        reservation.fail().await?;
        return Ok(Completion::Wrong);
    };
    let mut passkey = stored_passkey(&row)?;
    if !record_use(state, &row, &mut passkey, &result, now).await? {
        refused(&row, &WebauthnError::CredentialPossibleCompromise);
        reservation.fail().await?;
        return Ok(Completion::Wrong);
    }
    reservation.release().await?;
    throttle::forget_second_factor_attempts(store, &pending.user_id).await?;
    let mut amr = Amr::password();
    for method in Amr::passkey().iter() {
        amr = amr.with(method);
    }
    second_factor::finish(state, &pending, session_cookie, amr, now).await
}

fn stored_passkey(row: &PasskeyRow) -> Result<Passkey> {
    serde_json::from_str(&row.passkey).map_err(Internal::passkey)
}

/// Stores the passkey's new signature counter and backup flags, and when it was used; `false`
/// when the stored counter reached this answer's meanwhile (a racing sign-in, or a clone),
/// and nothing was written. `passkey` is the stored credential the answer was verified with.
async fn record_use(
    state: &AppState,
    row: &PasskeyRow,
    passkey: &mut Passkey,
    result: &AuthenticationResult,
    now: i64,
) -> Result<bool> {
    passkey.update_credential(result);
    let json = serde_json::to_string(passkey).map_err(Internal::passkey)?;
    let credential = Credential::from(passkey.clone());
    let used = PasskeyUse {
        credential_id: &row.credential_id,
        passkey: &json,
        sign_count: i64::from(result.counter()),
        backup_eligible: credential.backup_eligible,
        now,
    };
    Ok(state.store().passkey_used(&used).await?)
}

/// Logs a refused assertion; a counter that went backwards may mean a cloned authenticator.
fn refused(row: &PasskeyRow, error: &WebauthnError) {
    if matches!(error, WebauthnError::CredentialPossibleCompromise) {
        tracing::warn!(user_id = %row.user_id, credential = %row.credential_id,
            "passkey signature counter went backwards: the authenticator may have been cloned");
    } else {
        tracing::info!(user_id = %row.user_id, error = %error, "passkey sign-in refused");
    }
}
