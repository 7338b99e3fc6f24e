//! The second factor (RFC 6238 TOTP, or a single-use recovery code). A sign-in that passed
//! the password step is *pending*: a row behind a random cookie, with no session that counts
//! until the code passes. Codes are checked under the one throttle (reserved before the check)
//! and the replay guard lives in the database, so every instance agrees.
use super::error::{Error, Result};
use super::sessions::{self, NewSession, RevokeOnEnd};
use super::throttle::{self, Reservation};
use crate::auth::{recovery, secret, totp};
use crate::oauth::amr::{Amr, Method};
use crate::state::AppState;
use crate::store::pending_sign_ins::PendingSignIn;

/// A half-done sign-in expires after five minutes.
pub const PENDING_TTL: i64 = 5 * 60;

/// A pending sign-in just started: its cookie value for the browser.
pub struct NewPending {
    pub cookie_value: String,
}

impl std::fmt::Debug for NewPending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPending(redacted)")
    }
}

/// Starts the second step for `user_id`, who entered the password at `auth_time`, after a
/// sign-in or to step up the password-only session `replaces_session` (its id hash).
pub async fn begin(
    state: &AppState,
    user_id: &str,
    auth_time: i64,
    replaces_session: Option<&str>,
    now: i64,
) -> Result<NewPending> {
    let cookie_value = secret::generate();
    state
        .store()
        .insert_pending_sign_in(&PendingSignIn {
            id_hash: secret::hash(&cookie_value),
            user_id: user_id.to_string(),
            replaces_session_hash: replaces_session.map(str::to_string),
            auth_time,
            created_at: now,
            expires_at: now + PENDING_TTL,
        })
        .await?;
    Ok(NewPending { cookie_value })
}

/// The pending sign-in behind a cookie value, if it has not expired.
pub async fn pending(
    state: &AppState,
    cookie_value: Option<&str>,
    now: i64,
) -> Result<Option<PendingSignIn>> {
    let Some(value) = cookie_value else {
        return Ok(None);
    };
    Ok(state
        .store()
        .find_pending_sign_in(&secret::hash(value), now)
        .await?)
}

/// Which secret a code is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    /// The confirmed authenticator; a recovery code is accepted instead.
    Authenticator,
    /// The secret being enrolled (verify-then-enable); only a TOTP code will do.
    PendingEnrolment,
}

/// The outcome of checking a code that was allowed to be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Passed,
    /// Wrong, replayed, or spent: the user is told the same either way.
    Wrong,
    /// TOTP secrets cannot be opened (no `mfa_encryption_key`, or another one).
    Unavailable,
}

/// Checks a TOTP or recovery code for `user_id`. The attempt is reserved first (`Throttled`
/// past the limit, with no code looked at, right or not), and given back when it passes.
pub async fn check_code(
    state: &AppState,
    user_id: &str,
    input: &str,
    against: Against,
    now: i64,
) -> Result<CodeCheck> {
    let reservation = reserve_attempt(state, user_id, now).await?;
    check_reserved(state, reservation, user_id, input, against, now).await
}

/// Reserves one second-factor attempt for `user_id`, for a caller that must know the limit
/// allows it before it evaluates anything else (see `service::mfa`).
pub async fn reserve_attempt(state: &AppState, user_id: &str, now: i64) -> Result<Reservation> {
    let limits = throttle::second_factor_limits(state.config(), user_id);
    match throttle::reserve(state.store(), limits, now).await {
        Err(Error::Throttled { retry_after }) => {
            crate::observe::second_factor("throttled");
            tracing::warn!(user_id = %user_id, "second-factor attempts throttled");
            Err(Error::Throttled { retry_after })
        }
        other => other,
    }
}

/// Checks a code on an attempt already reserved; the attempt counts as a failure when the
/// code is wrong.
pub async fn check_reserved(
    state: &AppState,
    reservation: Reservation,
    user_id: &str,
    input: &str,
    against: Against,
    now: i64,
) -> Result<CodeCheck> {
    let outcome = match evaluate(state, user_id, input, against, now).await {
        Ok(outcome) => outcome,
        // Not evaluated (the database failed): the attempt does not count.
        Err(e) => {
            reservation.release().await?;
            return Err(e);
        }
    };
    crate::observe::second_factor(match outcome {
        CodeCheck::Passed => "passed",
        CodeCheck::Wrong => "wrong",
        CodeCheck::Unavailable => "unavailable",
    });
    match outcome {
        CodeCheck::Wrong => {
            tracing::info!(user_id = %user_id, "wrong second-factor code");
            reservation.fail().await?;
        }
        CodeCheck::Passed | CodeCheck::Unavailable => reservation.release().await?,
    }
    Ok(outcome)
}

async fn evaluate(
    state: &AppState,
    user_id: &str,
    input: &str,
    against: Against,
    now: i64,
) -> Result<CodeCheck> {
    match (against, recovery::normalize(input)) {
        (Against::Authenticator, Some(code)) => {
            let hash = recovery::hash(user_id, &code);
            let spent = state
                .store()
                .consume_recovery_code(user_id, &hash, now)
                .await?;
            if spent {
                tracing::info!(user_id = %user_id, "recovery code used");
                Ok(CodeCheck::Passed)
            } else {
                Ok(CodeCheck::Wrong)
            }
        }
        _ => check_totp(state, user_id, input, against, now).await,
    }
}

async fn check_totp(
    state: &AppState,
    user_id: &str,
    input: &str,
    against: Against,
    now: i64,
) -> Result<CodeCheck> {
    let store = state.store();
    let Some(credential) = store.find_totp_credential(user_id).await? else {
        return Ok(CodeCheck::Wrong);
    };
    if credential.enabled != (against == Against::Authenticator) {
        return Ok(CodeCheck::Wrong);
    }
    let keys = crate::auth::totp_keys::TotpKeys {
        current: state.mfa_key(),
        legacy: state.legacy_mfa_key(),
    };
    let Some(secret) = keys.open(&credential.sealed_secret, user_id) else {
        tracing::error!(user_id = %user_id, "the TOTP secret does not open with the master key (or the legacy mfa_encryption_key)");
        return Ok(CodeCheck::Unavailable);
    };
    match totp::verify_code(&secret, totp::DIGITS, input, now, credential.last_used_step) {
        // The conditional update is the real replay guard: a racing request with the same
        // code, on this instance or another, finds the step taken.
        totp::Verdict::Accepted { step } if store.accept_totp_step(user_id, step).await? => {
            Ok(CodeCheck::Passed)
        }
        totp::Verdict::Accepted { .. } | totp::Verdict::Replayed => {
            tracing::warn!(user_id = %user_id, "TOTP code replayed");
            Ok(CodeCheck::Wrong)
        }
        totp::Verdict::Wrong => Ok(CodeCheck::Wrong),
    }
}

/// Whether the user's second step may be a code (TOTP is on); a user with passkeys only is
/// asked for a passkey alone.
pub async fn has_totp(state: &AppState, user_id: &str) -> Result<bool> {
    Ok(state.store().totp_enabled(user_id).await?)
}

/// How the sign-in's second step ended.
#[derive(Debug)]
pub enum Completion {
    /// Signed in with both factors: the browser's new session.
    SignedIn(NewSession),
    Wrong,
    Unavailable,
    /// No pending sign-in (expired, finished elsewhere, or the account is no longer active):
    /// back to the password.
    StartOver,
}

/// The second step of a sign-in: checks `code` for the pending sign-in behind
/// `pending_cookie` and, when it passes, replaces any session of the browser
/// (`session_cookie`) with a new one that used both factors. Its `auth_time` stays the time
/// the password was entered.
pub async fn complete(
    state: &AppState,
    pending_cookie: Option<&str>,
    session_cookie: Option<&str>,
    code: &str,
    now: i64,
) -> Result<Completion> {
    let Some(pending) = pending(state, pending_cookie, now).await? else {
        return Ok(Completion::StartOver);
    };
    match check_code(state, &pending.user_id, code, Against::Authenticator, now).await? {
        CodeCheck::Passed => {}
        CodeCheck::Wrong => return Ok(Completion::Wrong),
        CodeCheck::Unavailable => return Ok(Completion::Unavailable),
    }
    let amr = Amr::password().with(Method::OneTimeCode);
    finish(state, &pending, session_cookie, amr, now).await
}

/// Turns a pending sign-in whose second factor passed into the browser's session, with the
/// methods `amr` (the password and the second factor used).
pub async fn finish(
    state: &AppState,
    pending: &PendingSignIn,
    session_cookie: Option<&str>,
    amr: Amr,
    now: i64,
) -> Result<Completion> {
    let store = state.store();
    // Deleting it is the claim: a sign-in completes once, even if two tabs race.
    if !store.delete_pending_sign_in(&pending.id_hash).await? {
        return Ok(Completion::StartOver);
    }
    if store.find_active_user(&pending.user_id).await?.is_none() {
        if let Some(replaced) = &pending.replaces_session_hash {
            sessions::end(state, replaced, RevokeOnEnd::Nothing, now).await?;
        }
        return Ok(Completion::StartOver);
    }
    // The browser's session and the password-only session being stepped up (usually the
    // same one) live on as the new session.
    let replacing: Vec<String> = session_cookie
        .map(secret::hash)
        .into_iter()
        .chain(pending.replaces_session_hash.clone())
        .collect();
    let session = sessions::start_replacing(
        state,
        &pending.user_id,
        amr,
        pending.auth_time,
        &replacing,
        now,
    )
    .await?;
    tracing::info!(user_id = %pending.user_id, "signed in with two factors");
    Ok(Completion::SignedIn(session))
}
