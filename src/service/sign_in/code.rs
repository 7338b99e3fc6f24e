//! A code as a second factor: RFC 6238 TOTP, or a single-use recovery code. Codes are checked
//! under the account's second-step limit (reserved before the check) and the replay guard
//! lives in the database, so every instance agrees.
use super::attempt::{self, Attempt, Settle, Verdict};
use crate::audit::{AuditEvent, EventType};
use crate::auth::totp_keys::TotpKeys;
use crate::auth::{recovery, totp};
use crate::service::error::{Error, Result};
use crate::service::throttle;
use crate::state::AppState;

/// Which secret a code is a code of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeOf {
    /// The confirmed authenticator; a recovery code is accepted instead.
    Authenticator,
    /// The secret being enrolled (verify-then-enable); only a TOTP code will do.
    PendingEnrolment,
}

/// What checking a code made of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Passed,
    /// Wrong, replayed, or spent: the user is told the same either way.
    Wrong,
    /// TOTP secrets cannot be opened (no `mfa_encryption_key`, or another one).
    Unavailable,
}

impl Verdict for CodeCheck {
    fn settle(&self) -> Settle {
        match self {
            Self::Wrong => Settle::Fail,
            // A code that could not be checked was no guess.
            Self::Passed | Self::Unavailable => Settle::Release,
        }
    }
}

/// Checks a TOTP or recovery code for `user_id`. The attempt is reserved first (`Throttled`
/// past the limit, with no code looked at, right or not), and given back when it passes.
pub async fn check_code(
    state: &AppState,
    user_id: &str,
    input: &str,
    of: CodeOf,
    now: i64,
) -> Result<CodeCheck> {
    let attempt = reserve_second_step_attempt(state, user_id, now).await?;
    attempt
        .evaluate(check(state, user_id, input, of, now))
        .await
}

/// Reserves one attempt on the account's second-step limit, which codes and passkeys at the
/// second step share, for a caller that must know the limit allows it before it evaluates
/// anything else (see `service::factors`).
pub async fn reserve_second_step_attempt(
    state: &AppState,
    user_id: &str,
    now: i64,
) -> Result<Attempt> {
    let limits = throttle::second_factor_limits(state.config(), user_id);
    match attempt::reserve(state.store(), limits, now).await {
        Err(Error::Throttled { retry_after }) => {
            crate::observe::second_factor("throttled");
            tracing::warn!(user_id = %user_id, "second-factor attempts throttled");
            Err(Error::Throttled { retry_after })
        }
        other => other,
    }
}

/// Checks a code; evaluate it on a reserved [`Attempt`].
pub async fn check(
    state: &AppState,
    user_id: &str,
    input: &str,
    of: CodeOf,
    now: i64,
) -> Result<CodeCheck> {
    let outcome = match (of, recovery::normalize(input)) {
        (CodeOf::Authenticator, Some(code)) => {
            check_recovery_code(state, user_id, &code, now).await?
        }
        _ => check_totp(state, user_id, input, of, now).await?,
    };
    crate::observe::second_factor(match outcome {
        CodeCheck::Passed => "passed",
        CodeCheck::Wrong => "wrong",
        CodeCheck::Unavailable => "unavailable",
    });
    if outcome == CodeCheck::Wrong {
        tracing::info!(user_id = %user_id, "wrong second-factor code");
    }
    Ok(outcome)
}

/// Spends a recovery code: one atomic update, so a code works once even under a race.
async fn check_recovery_code(
    state: &AppState,
    user_id: &str,
    normalized: &str,
    now: i64,
) -> Result<CodeCheck> {
    let hash = recovery::hash(user_id, normalized);
    let spent = state
        .store()
        .consume_recovery_code(user_id, &hash, now)
        .await?;
    if !spent {
        return Ok(CodeCheck::Wrong);
    }
    state
        .audit()
        .record(AuditEvent::success(EventType::RecoveryCodeUsed).user(user_id));
    Ok(CodeCheck::Passed)
}

async fn check_totp(
    state: &AppState,
    user_id: &str,
    input: &str,
    of: CodeOf,
    now: i64,
) -> Result<CodeCheck> {
    let store = state.store();
    let Some(credential) = store.find_totp_credential(user_id).await? else {
        return Ok(CodeCheck::Wrong);
    };
    if credential.enabled != (of == CodeOf::Authenticator) {
        return Ok(CodeCheck::Wrong);
    }
    let Some(secret) = totp_keys(state).open(&credential.sealed_secret, user_id) else {
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

/// The keys this server's TOTP secrets may be sealed under.
pub fn totp_keys(state: &AppState) -> TotpKeys<'_> {
    TotpKeys {
        current: state.mfa_key(),
        legacy: state.legacy_mfa_key(),
    }
}
