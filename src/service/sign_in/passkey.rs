//! A passkey: a first factor that is two (something held, unlocked by something known or
//! been), so it signs in without a password; or the second step after a password. A passkey
//! cannot be guessed, so a sign-in with one is limited per address only: the password's
//! per-account limit (which anyone who knows the email can fill) never blocks it. At the
//! second step a failed assertion counts on the second-step limit, as a wrong code does.
//!
//! The signature counter is judged against the counter stored when the sign-in ends, not the
//! snapshot the ceremony began with: the new counter is written with a compare, and a sign-in
//! whose counter is not above the stored one is refused as the crate refuses a counter that
//! went back (`CredentialPossibleCompromise`).
use std::net::IpAddr;

use webauthn_rs::prelude::{
    AuthenticationResult, Credential, DiscoverableAuthentication, Passkey, PasskeyAuthentication,
    PublicKeyCredential, Webauthn, WebauthnError,
};

use super::attempt::{self, Settle, Verdict};
use super::audit;
use super::first_factor::{self, FirstFactorPassed};
use super::pending::PendingSignIn;
use super::{Refusal, SignIn};
use crate::audit::Outcome;
use crate::auth::passkey::credential_key;
use crate::oauth::amr::{Amr, Method};
use crate::service::error::{Internal, Result};
use crate::service::passkeys::{self, Ceremony, CeremonyStart, Kind, save_ceremony, take_ceremony};
use crate::service::throttle;
use crate::state::AppState;
use crate::store::passkeys::{PasskeyRow, PasskeyUse};
use crate::store::users::UserRow;

/// What checking the browser's answer made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasskeyCheck<T> {
    /// The signature verified, for this (the user signing in, or nothing at the second step).
    Passed(T),
    /// The ceremony is unknown, finished already, older than five minutes, or another
    /// user's: nothing was guessed.
    Expired,
    /// The answer did not verify: wrong origin, signature, challenge, counter, or a credential
    /// that is not the user's.
    Rejected,
}

impl<T> Verdict for PasskeyCheck<T> {
    fn settle(&self) -> Settle {
        match self {
            Self::Passed(_) | Self::Expired => Settle::Release,
            Self::Rejected => Settle::Fail,
        }
    }

    /// An answer that could not be checked to the end counts, as an abandoned one does.
    const IF_NOT_EVALUATED: Settle = Settle::Fail;
}

/// Starts a sign-in by any passkey registered here (the browser offers the user's).
pub async fn begin(state: &AppState, now: i64) -> Result<CeremonyStart> {
    let Ok(relying_party) = state.passkeys() else {
        return Ok(CeremonyStart::Unavailable);
    };
    let (options, ceremony) = relying_party
        .start_discoverable_authentication()
        .map_err(Internal::passkey)?;
    let options = serde_json::to_string(&options).map_err(Internal::passkey)?;
    let id = save_ceremony(state, Kind::SignIn, None, &ceremony, now).await?;
    Ok(CeremonyStart::Ready(Ceremony { id, options }))
}

/// Signs in with the passkey answer `credential` to the ceremony `ceremony_id`, from `ip`;
/// `replacing` is the browser's current session cookie. The attempt is reserved on the
/// address's limit before the signature is checked.
pub async fn sign_in_with_passkey(
    state: &AppState,
    ceremony_id: &str,
    credential: &str,
    ip: IpAddr,
    replacing: Option<&str>,
    now: i64,
) -> Result<SignIn> {
    let Ok(relying_party) = state.passkeys() else {
        return Ok(refused(passkeys::Refusal::Unavailable));
    };
    let claim = Claim::read(state, relying_party, credential).await?;
    let limits = throttle::passkey_sign_in_limits(state.config(), ip);
    let checked = claim.check(state, relying_party, ceremony_id, now);
    let checked = attempt::run(state.store(), limits, now, checked)
        .await
        .inspect_err(|e| {
            if let Some(outcome) = audit::outcome_of(e) {
                audit::first_factor(state, "passkey", outcome, None);
            }
        })?;
    let user = match checked {
        PasskeyCheck::Passed(user) => user,
        PasskeyCheck::Expired => return Ok(refused(passkeys::Refusal::Expired)),
        PasskeyCheck::Rejected => {
            audit::first_factor(state, "passkey", Outcome::Failure, None);
            return Ok(refused(passkeys::Refusal::Rejected));
        }
    };
    let passed = FirstFactorPassed {
        user_id: &user.id,
        amr: Amr::passkey().with(Method::MultiFactor),
        auth_time: now,
        replacing,
        has_second_factor: None,
    };
    let outcome = first_factor::passed(state, passed, now).await?;
    audit::first_factor(state, "passkey", Outcome::Success, Some(&user.id));
    Ok(outcome)
}

fn refused(why: passkeys::Refusal) -> SignIn {
    SignIn::Refused(Refusal::Passkey(why))
}

/// Who a sign-in answer claims to be, read before any signature work: the credential and the
/// user handle must both be registered, to the same (active) user.
struct Claim {
    answer: Option<PublicKeyCredential>,
    handle: Option<String>,
    row: Option<PasskeyRow>,
    user: Option<UserRow>,
}

impl Claim {
    async fn read(state: &AppState, relying_party: &Webauthn, credential: &str) -> Result<Self> {
        let store = state.store();
        let answer = serde_json::from_str::<PublicKeyCredential>(credential).ok();
        let claimed = answer.as_ref().and_then(|answer| {
            let (handle, credential_id) = relying_party
                .identify_discoverable_authentication(answer)
                .ok()?;
            Some((handle.to_string(), credential_key(credential_id)))
        });
        let row = match &claimed {
            Some((_, credential_id)) => store.find_passkey(credential_id).await?,
            None => None,
        };
        let user = match &row {
            Some(row) => store.find_active_user(&row.user_id).await?,
            None => None,
        };
        let handle = claimed.map(|(handle, _)| handle);
        Ok(Self {
            answer,
            handle,
            row,
            user,
        })
    }

    /// Takes the ceremony (once) and verifies the answer against it.
    async fn check(
        self,
        state: &AppState,
        relying_party: &Webauthn,
        ceremony_id: &str,
        now: i64,
    ) -> Result<PasskeyCheck<UserRow>> {
        let store = state.store();
        let taken =
            take_ceremony::<DiscoverableAuthentication>(state, Kind::SignIn, ceremony_id, now);
        let Some((_, ceremony)) = taken.await? else {
            return Ok(PasskeyCheck::Expired);
        };
        let (Some(answer), Some(handle), Some(row), Some(user)) =
            (self.answer, self.handle, self.row, self.user)
        else {
            return Ok(PasskeyCheck::Rejected);
        };
        // WebAuthn §7.2 step 6: the user the handle names must own the credential.
        let owner = store.user_of_passkey_handle(&handle).await?;
        if owner.as_deref() != Some(row.user_id.as_str()) {
            return Ok(PasskeyCheck::Rejected);
        }
        let mut passkey = stored_passkey(&row)?;
        let verified =
            relying_party.finish_discoverable_authentication_v2(&answer, ceremony, &passkey);
        let result = match verified {
            Ok(result) => result,
            Err(e) => {
                log_refusal(&row, &e);
                return Ok(PasskeyCheck::Rejected);
            }
        };
        if !record_use(state, &row, &mut passkey, &result, now).await? {
            log_refusal(&row, &WebauthnError::CredentialPossibleCompromise);
            return Ok(PasskeyCheck::Rejected);
        }
        Ok(PasskeyCheck::Passed(user))
    }
}

/// Starts the second step with a passkey for the pending sign-in's user; `None` when the
/// user has none (or passkeys are off), so the page offers only the code.
pub async fn begin_second_step(
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

/// Checks a passkey answer at the pending sign-in's second step; evaluate it on a reserved
/// attempt of the second-step limit.
pub async fn check_second_step(
    state: &AppState,
    relying_party: &Webauthn,
    pending: &PendingSignIn,
    ceremony_id: &str,
    credential: &str,
    now: i64,
) -> Result<PasskeyCheck<()>> {
    let taken = take_ceremony::<PasskeyAuthentication>(state, Kind::SecondFactor, ceremony_id, now);
    let ceremony = match taken.await? {
        Some((Some(owner), ceremony)) if owner == pending.user_id => ceremony,
        _ => return Ok(PasskeyCheck::Expired),
    };
    let Ok(answer) = serde_json::from_str::<PublicKeyCredential>(credential) else {
        return Ok(PasskeyCheck::Rejected);
    };
    let result = match relying_party.finish_passkey_authentication(&answer, &ceremony) {
        Ok(result) => result,
        Err(e) => {
            tracing::info!(user_id = %pending.user_id, error = %e, "passkey second step refused");
            return Ok(PasskeyCheck::Rejected);
        }
    };
    let store = state.store();
    let row = store
        .find_passkey(&credential_key(result.cred_id()))
        .await?;
    let Some(row) = row.filter(|row| row.user_id == pending.user_id) else {
        return Ok(PasskeyCheck::Rejected);
    };
    let mut passkey = stored_passkey(&row)?;
    if !record_use(state, &row, &mut passkey, &result, now).await? {
        log_refusal(&row, &WebauthnError::CredentialPossibleCompromise);
        return Ok(PasskeyCheck::Rejected);
    }
    Ok(PasskeyCheck::Passed(()))
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
fn log_refusal(row: &PasskeyRow, error: &WebauthnError) {
    if matches!(error, WebauthnError::CredentialPossibleCompromise) {
        tracing::warn!(user_id = %row.user_id, credential = %row.credential_id,
            "passkey signature counter went backwards: the authenticator may have been cloned");
    } else {
        tracing::info!(user_id = %row.user_id, error = %error, "passkey sign-in refused");
    }
}
