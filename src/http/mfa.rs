//! The second factor's plumbing, shared by the sign-in's TOTP step and the account page:
//! half-done sign-ins (a row in the database behind a random cookie; the browser holds no
//! authenticated session until the code passes), and checking a TOTP or recovery code under
//! the per-account attempt limit, with the replay guard kept in the database.
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::AppError;
use super::browser::see_other;
use crate::auth::recovery;
use crate::auth::totp::{self, AttemptLimit, Verdict};
use crate::oauth::params::Params;
use crate::oauth::tokens::{generate_secret, hash_secret};
use crate::routes;
use crate::state::AppState;
use crate::store::mfa::PendingLogin;

/// A half-done sign-in expires after five minutes.
pub const PENDING_TTL: i64 = 5 * 60;

pub fn pending_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-tessera_mfa"
    } else {
        "tessera_mfa"
    }
}

fn pending_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((pending_cookie_name(secure), value))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .path("/")
        .build()
}

/// Tells the browser to forget its half-done sign-in.
pub fn pending_removal(secure: bool) -> Cookie<'static> {
    let mut cookie = pending_cookie(String::new(), secure);
    cookie.make_removal();
    cookie
}

/// Starts the TOTP step for `user_id` (after a correct password, or to step up the
/// password-only session `replaces_session`) and sends the browser to it.
pub async fn begin_second_factor(
    state: &AppState,
    jar: CookieJar,
    user_id: &str,
    replaces_session: Option<&str>,
    params: &Params,
) -> Result<Response, AppError> {
    let secret = generate_secret();
    let now = state.now();
    state
        .store()
        .insert_pending_login(&PendingLogin {
            id_hash: hash_secret(&secret),
            user_id: user_id.to_string(),
            replaces_session_hash: replaces_session.map(str::to_string),
            created_at: now,
            expires_at: now + PENDING_TTL,
        })
        .await?;
    let jar = jar.add(pending_cookie(secret, state.secure_cookies()));
    let next = see_other(&format!("{}?{}", routes::LOGIN_TOTP, params.to_query()));
    Ok((jar, next).into_response())
}

/// The half-done sign-in behind the browser's cookie, if it has not expired.
pub async fn current_pending_login(
    state: &AppState,
    jar: &CookieJar,
) -> Result<Option<PendingLogin>, AppError> {
    let Some(cookie) = jar.get(pending_cookie_name(state.secure_cookies())) else {
        return Ok(None);
    };
    Ok(state
        .store()
        .find_pending_login(&hash_secret(cookie.value()), state.now())
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

/// The outcome of checking a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorCheck {
    Passed,
    /// Wrong, replayed, or spent: the user is told the same either way.
    Wrong,
    /// Too many wrong codes for this account lately; no code is checked, right or not.
    Throttled {
        minutes: i64,
    },
    /// TOTP secrets cannot be opened (no or another `mfa_encryption_key`).
    Unavailable,
}

pub const WRONG_CODE: &str =
    "That code is not valid. A code works only once: if you just used one, wait for the next.";

pub fn throttled_message(minutes: i64) -> String {
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("Too many attempts, try again in {minutes} {unit}.")
}

/// Checks a TOTP code or recovery code for `user_id`. The attempt is counted in the database
/// before anything is checked, so instances and concurrent requests share one limit; it is
/// withdrawn again when it passes.
pub async fn check_second_factor(
    state: &AppState,
    user_id: &str,
    input: &str,
    against: Against,
) -> Result<FactorCheck, AppError> {
    let config = state.config();
    let limit = AttemptLimit {
        max_attempts: u32::try_from(config.mfa_max_attempts).unwrap_or(u32::MAX),
        window: config.mfa_attempt_window,
    };
    let now = state.now();
    let store = state.store();
    let attempt_id = uuid::Uuid::new_v4().to_string();
    let (recorded, oldest) = store
        .record_mfa_attempt(&attempt_id, user_id, now, limit.window_start(now))
        .await?;
    if let Err(wait) = limit.judge(recorded, oldest, now) {
        store.forget_mfa_attempt(&attempt_id).await?;
        tracing::warn!(user_id = %user_id, "second-factor attempts throttled");
        return Ok(FactorCheck::Throttled {
            minutes: totp::minutes_rounded_up(wait),
        });
    }
    let outcome = match (against, recovery::normalize(input)) {
        (Against::Authenticator, Some(code)) => {
            let hash = recovery::hash(user_id, &code);
            if store.consume_recovery_code(user_id, &hash, now).await? {
                tracing::info!(user_id = %user_id, "recovery code used");
                FactorCheck::Passed
            } else {
                FactorCheck::Wrong
            }
        }
        _ => check_totp(state, user_id, input, against, now).await?,
    };
    if outcome == FactorCheck::Wrong {
        tracing::info!(user_id = %user_id, "wrong second-factor code");
    } else {
        store.forget_mfa_attempt(&attempt_id).await?;
    }
    Ok(outcome)
}

async fn check_totp(
    state: &AppState,
    user_id: &str,
    input: &str,
    against: Against,
    now: i64,
) -> Result<FactorCheck, AppError> {
    let store = state.store();
    let Some(credential) = store.find_totp_credential(user_id).await? else {
        return Ok(FactorCheck::Wrong);
    };
    if credential.enabled != (against == Against::Authenticator) {
        return Ok(FactorCheck::Wrong);
    }
    let Some(key) = state.mfa_key() else {
        tracing::error!(user_id = %user_id, "a TOTP code cannot be checked: no mfa_encryption_key is configured");
        return Ok(FactorCheck::Unavailable);
    };
    let Ok(secret) = key.open(&credential.sealed_secret, user_id) else {
        tracing::error!(user_id = %user_id, "the TOTP secret does not open with the configured mfa_encryption_key");
        return Ok(FactorCheck::Unavailable);
    };
    match totp::verify_code(&secret, totp::DIGITS, input, now, credential.last_used_step) {
        // The conditional update is the real replay guard: a racing request with the same
        // code, on this instance or another, finds the step taken.
        Verdict::Accepted { step } if store.accept_totp_step(user_id, step).await? => {
            Ok(FactorCheck::Passed)
        }
        Verdict::Accepted { .. } | Verdict::Replayed => {
            tracing::warn!(user_id = %user_id, "TOTP code replayed");
            Ok(FactorCheck::Wrong)
        }
        Verdict::Wrong => Ok(FactorCheck::Wrong),
    }
}
