//! The second step of a sign-in: a code (TOTP or recovery) or a passkey, for the pending
//! sign-in behind the browser's cookie. Whichever proves it, the sign-in completes one way:
//! the pending sign-in is claimed and becomes the browser's session.
use super::audit;
use super::code::{self, CodeCheck, CodeOf};
use super::passkey::{self, PasskeyCheck};
use super::pending::{self, PendingSignIn};
use crate::audit::Outcome;
use crate::auth::secret;
use crate::oauth::amr::{Amr, Method};
use crate::service::error::Result;
use crate::service::sessions::{self, NewSession, RevokeOnEnd, SessionFor};
use crate::service::throttle;
use crate::state::AppState;

/// How the second step ended.
#[derive(Debug)]
pub enum SecondStep {
    /// Signed in with both factors: the browser's new session.
    SignedIn(NewSession),
    /// The code or passkey was refused: the page asks again.
    Wrong,
    /// The factor cannot be checked here (TOTP secrets that do not open, passkeys off).
    Unavailable,
    /// No pending sign-in (expired, finished elsewhere, or the account is no longer active):
    /// back to the first factor.
    StartOver,
}

/// The second step with a code, for the pending sign-in behind `pending_cookie`; the
/// browser's session (`session_cookie`) is replaced when it passes.
pub async fn complete_with_code(
    state: &AppState,
    pending_cookie: Option<&str>,
    session_cookie: Option<&str>,
    code: &str,
    now: i64,
) -> Result<SecondStep> {
    let Some(pending) = pending::find(state, pending_cookie, now).await? else {
        return Ok(SecondStep::StartOver);
    };
    let of = CodeOf::Authenticator;
    let checked = code::check_code(state, &pending.user_id, code, of, now).await;
    match judged(state, "code", &pending.user_id, checked)? {
        CodeCheck::Passed => {}
        CodeCheck::Wrong => {
            audit::second_step(state, "code", Outcome::Failure, &pending.user_id);
            return Ok(SecondStep::Wrong);
        }
        CodeCheck::Unavailable => return Ok(SecondStep::Unavailable),
    }
    let amr = pending.first_factor.clone().with(Method::OneTimeCode);
    complete(state, &pending, session_cookie, amr, "code", now).await
}

/// The second step with a passkey: the answer `credential` to the ceremony `ceremony_id`,
/// checked under the second-step limit as a code is.
pub async fn complete_with_passkey(
    state: &AppState,
    pending_cookie: Option<&str>,
    session_cookie: Option<&str>,
    ceremony_id: &str,
    credential: &str,
    now: i64,
) -> Result<SecondStep> {
    let Ok(relying_party) = state.passkeys() else {
        return Ok(SecondStep::Unavailable);
    };
    let Some(pending) = pending::find(state, pending_cookie, now).await? else {
        return Ok(SecondStep::StartOver);
    };
    let reserved = code::reserve_second_step_attempt(state, &pending.user_id, now).await;
    let attempt = judged(state, "passkey", &pending.user_id, reserved)?;
    let checked =
        passkey::check_second_step(state, relying_party, &pending, ceremony_id, credential, now);
    let checked = judged(
        state,
        "passkey",
        &pending.user_id,
        attempt.evaluate(checked).await,
    )?;
    if checked != PasskeyCheck::Passed(()) {
        audit::second_step(state, "passkey", Outcome::Failure, &pending.user_id);
        return Ok(SecondStep::Wrong);
    }
    // The account's owner is proven beyond doubt: the codes that failed before start over.
    throttle::forget_second_factor_attempts(state.store(), &pending.user_id).await?;
    let mut amr = pending.first_factor.clone();
    for method in Amr::passkey().iter() {
        amr = amr.with(method);
    }
    complete(state, &pending, session_cookie, amr, "passkey", now).await
}

/// `checked`, with its audit event when an error ended the attempt (a full limit).
fn judged<T>(
    state: &AppState,
    method: &'static str,
    user_id: &str,
    checked: Result<T>,
) -> Result<T> {
    if let Some(outcome) = checked.as_ref().err().and_then(audit::outcome_of) {
        audit::second_step(state, method, outcome, user_id);
    }
    checked
}

/// Turns a pending sign-in whose second step passed into the browser's session, with the
/// methods `amr` (the first factor and the second step used). Its `auth_time` stays the time
/// the first factor was proved.
async fn complete(
    state: &AppState,
    pending: &PendingSignIn,
    session_cookie: Option<&str>,
    amr: Amr,
    method: &'static str,
    now: i64,
) -> Result<SecondStep> {
    let store = state.store();
    // Deleting it is the claim: a sign-in completes once, even if two tabs race.
    if !store.delete_pending_sign_in(&pending.id_hash).await? {
        return Ok(SecondStep::StartOver);
    }
    if store.find_active_user(&pending.user_id).await?.is_none() {
        if let Some(replaced) = &pending.replaces_session_hash {
            sessions::end(state, replaced, RevokeOnEnd::Nothing, now).await?;
        }
        return Ok(SecondStep::StartOver);
    }
    // The browser's session and the password-only session being stepped up (usually the
    // same one) live on as the new session.
    let replacing: Vec<String> = session_cookie
        .map(secret::hash)
        .into_iter()
        .chain(pending.replaces_session_hash.clone())
        .collect();
    let like = SessionFor {
        user_id: &pending.user_id,
        amr,
        auth_time: pending.auth_time,
    };
    let session = sessions::start_replacing(state, like, &replacing, now).await?;
    audit::second_step(state, method, Outcome::Success, &pending.user_id);
    Ok(SecondStep::SignedIn(session))
}
