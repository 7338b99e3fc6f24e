//! The password: a first factor. Wrong email and wrong password look and take the same:
//! unknown emails are checked against a dummy argon2 hash. The attempt is reserved on the
//! throttle before argon2 runs, so parallel guesses cannot outrun the limit; a right password
//! starts the account's counters again.
use std::net::IpAddr;

use zeroize::Zeroizing;

use super::attempt::{self, Attempt, Settle, Verdict};
use super::audit;
use super::first_factor::{self, FirstFactorPassed};
use super::{Refusal, SignIn};
use crate::audit::Outcome;
use crate::auth::throttle::ThrottleKind;
use crate::oauth::amr::Amr;
use crate::observe::{self, SignInOutcome};
use crate::service::error::{Error, Result};
use crate::service::throttle;
use crate::state::AppState;
use crate::store::users::UserRow;

/// Passwords longer than this are refused unhashed: argon2 of a megabyte is a cheap DoS.
const MAX_PASSWORD_LEN: usize = 1024;

/// The limits a right password clears: the account's, so its owner starts afresh; the
/// address's attempt is only given back.
const CLEARED_BY_A_RIGHT_PASSWORD: &[ThrottleKind] = &[
    ThrottleKind::LoginAccount,
    ThrottleKind::LoginAddressAccount,
];

/// What a password check made of the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    Right,
    /// Wrong, empty or too long, no such account, or a disabled one.
    Wrong,
}

impl Verdict for PasswordCheck {
    fn settle(&self) -> Settle {
        match self {
            Self::Right => Settle::Clear(CLEARED_BY_A_RIGHT_PASSWORD),
            Self::Wrong => Settle::Fail,
        }
    }
}

/// Reserves one password attempt for `email` from `ip` on every password limit.
pub async fn reserve(state: &AppState, email: &str, ip: IpAddr, now: i64) -> Result<Attempt> {
    let limits = throttle::password_limits(state.config(), email, ip);
    attempt::reserve(state.store(), limits, now).await
}

/// Checks `password` for `user` (against a dummy hash when there is none, so it takes as
/// long); evaluate it on a reserved [`Attempt`].
pub async fn check(
    state: &AppState,
    user: Option<&UserRow>,
    password: Zeroizing<String>,
) -> Result<PasswordCheck> {
    if password.is_empty() || password.len() > MAX_PASSWORD_LEN {
        return Ok(PasswordCheck::Wrong);
    }
    // An account without a password (made by an upstream sign-in) is checked against the
    // dummy hash too, so it answers as slowly as any other.
    let hash = user
        .map(|u| u.password_hash.clone())
        .filter(|hash| !hash.is_empty());
    let verified = state.passwords().verify(password, hash).await?;
    Ok(match verified && user.is_some_and(|u| !u.disabled) {
        true => PasswordCheck::Right,
        false => PasswordCheck::Wrong,
    })
}

/// The `method` of this credential's audit events.
const METHOD: &str = "password";

/// Signs in with `email` and `password` from `ip`; `replacing` is the browser's current
/// session cookie, which a successful sign-in replaces.
pub async fn sign_in_with_password(
    state: &AppState,
    email: &str,
    password: Zeroizing<String>,
    ip: IpAddr,
    replacing: Option<&str>,
    now: i64,
) -> Result<SignIn> {
    // Shed a flood before spending even the throttle's database writes on it.
    if state.passwords().is_saturated() {
        observe::sign_in(SignInOutcome::Shed);
        audit::first_factor(state, METHOD, Outcome::Shed, None);
        return Err(Error::Overloaded);
    }
    if email.is_empty() || password.is_empty() || password.len() > MAX_PASSWORD_LEN {
        observe::sign_in(SignInOutcome::WrongPassword);
        audit::first_factor(state, METHOD, Outcome::Failure, None);
        return Ok(SignIn::Refused(Refusal::WrongEmailOrPassword));
    }
    // The account is read with the reservation, in one round trip (issue 30).
    let limits = throttle::password_limits(state.config(), email, ip);
    let reserved = attempt::reserve_reading_account(state.store(), limits, email, now).await;
    let (attempt, account) = match reserved {
        Err(Error::Throttled { retry_after }) => {
            observe::sign_in(SignInOutcome::Throttled);
            audit::first_factor(state, METHOD, Outcome::Throttled, None);
            return Err(Error::Throttled { retry_after });
        }
        other => other?,
    };
    let has_second_factor = account.as_ref().map(|a| a.has_second_factor);
    let user = account.map(|a| a.user);
    let checked = attempt.evaluate(check(state, user.as_ref(), password));
    let checked = checked.await.inspect_err(|e| {
        if let Some(outcome) = audit::outcome_of(e) {
            audit::first_factor(state, METHOD, outcome, None);
        }
    })?;
    let user = match (user, checked) {
        (Some(user), PasswordCheck::Right) => user,
        (user, _) => {
            observe::sign_in(match user {
                None => SignInOutcome::UnknownAccount,
                Some(ref u) if u.disabled => SignInOutcome::DisabledAccount,
                Some(_) => SignInOutcome::WrongPassword,
            });
            tracing::info!("sign-in refused");
            let user_id = user.as_ref().map(|u| u.id.as_str());
            audit::first_factor(state, METHOD, Outcome::Failure, user_id);
            return Ok(SignIn::Refused(Refusal::WrongEmailOrPassword));
        }
    };
    observe::note_user(&user.id);
    let passed = FirstFactorPassed {
        user_id: &user.id,
        amr: Amr::password(),
        auth_time: now,
        replacing,
        has_second_factor,
    };
    let outcome = first_factor::passed(state, passed, now).await?;
    match &outcome {
        SignIn::SecondStepNext(_) => {
            observe::sign_in(SignInOutcome::SecondFactorNext);
            audit::first_factor(state, METHOD, Outcome::Success, Some(&user.id));
        }
        SignIn::SignedIn(_) => {
            observe::sign_in(SignInOutcome::Success);
            audit::first_factor(state, METHOD, Outcome::Success, Some(&user.id));
        }
        SignIn::Refused(_) => {}
    }
    Ok(outcome)
}
