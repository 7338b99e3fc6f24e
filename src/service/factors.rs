//! A user's second factors as one thing: whether the user has one (TOTP turned on, or any
//! passkey), and the one rule every change of them follows — turning TOTP on or off, new
//! recovery codes, adding or removing a passkey, and whatever factor comes next.
//!
//! NIST SP 800-63B §6.1.2.1: binding an authenticator needs authentication at the level it
//! will grant. A passkey signs in as two factors, so a session that used the password alone
//! (before the user had a second factor, or a stolen cookie of one) must not add one; nor may
//! it remove one. Both limits — password and code — are reserved before either secret is
//! looked at, so while one is reached every answer is the same whatever was typed: the form is
//! no oracle for the password or the code.
use std::net::IpAddr;

use zeroize::Zeroizing;

use super::error::Result;
use super::sign_in::attempt::Attempt;
use super::sign_in::code::{self, CodeCheck, CodeOf};
use super::sign_in::password::{self, PasswordCheck};
use super::signed_in::SignedIn;
use crate::state::AppState;
use crate::store::sessions::SessionRow;

/// Whether `user_id` has a second factor: TOTP is on, or a passkey is registered. The one
/// notion behind the sign-in's second step, a session's step-up, and the rule below.
pub async fn has_second_factor(state: &AppState, user_id: &str) -> Result<bool> {
    Ok(state.store().has_second_factor(user_id).await?)
}

/// True when changing second factors needs the password typed again: the session's password
/// (or passkey sign-in) is older than `reauth_max_age`.
pub fn password_required(state: &AppState, session: &SessionRow, now: i64) -> bool {
    now.saturating_sub(session.auth_time) > state.config().reauth_max_age
}

/// When the session passed a second factor, if it did. A session row is written only by
/// `sessions::start`, at the very request that proved the methods its `amr` names (a password
/// sign-in, a second step, a passkey sign-in, TOTP just turned on); a step-up writes a new row.
/// So a session that names a second factor passed it when the row was created.
pub fn second_step_at(session: &SessionRow) -> Option<i64> {
    session
        .amr
        .has_second_factor()
        .then_some(session.created_at)
}

/// True when the session's second step is younger than `reauth_max_age`.
pub fn second_step_recent(state: &AppState, session: &SessionRow, now: i64) -> bool {
    second_step_at(session)
        .is_some_and(|at| now.saturating_sub(at) <= state.config().reauth_max_age)
}

/// What a page needs to know to ask for the right proof before a change: the password field
/// when the sign-in is old, and the second factor when the user has one and the session's
/// second step is old (or never happened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProofNeeded {
    pub password: bool,
    pub second_factor: bool,
    /// The user has TOTP: a code (or a recovery code) typed into the form proves the second
    /// factor now. Without it, only a fresh sign-in with a passkey does.
    pub code_accepted: bool,
}

pub async fn proof_needed(state: &AppState, current: &SignedIn, now: i64) -> Result<ProofNeeded> {
    let (session, user_id) = (&current.session, current.user_id());
    let second_factor =
        !second_step_recent(state, session, now) && has_second_factor(state, user_id).await?;
    let code_accepted = second_factor && state.store().totp_enabled(user_id).await?;
    Ok(ProofNeeded {
        password: password_required(state, session, now),
        second_factor,
        code_accepted,
    })
}

/// What the user typed into a form that changes second factors.
pub struct ChangeRequest<'a> {
    pub signed_in: &'a SignedIn,
    /// Empty when the user typed none.
    pub password: Zeroizing<String>,
    /// Empty when the user typed none.
    pub code: Zeroizing<String>,
    pub ip: IpAddr,
}

/// What the form's code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeIs {
    /// A code of the user's TOTP (or a recovery code), if typed: it proves the second factor
    /// now.
    Proof,
    /// The first code of a TOTP secret being enrolled (verify-then-enable): always checked,
    /// and it proves nothing about who is asking.
    Enrolment,
}

/// How a change of second factors ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Change<T> {
    Done(T),
    /// The sign-in is older than `reauth_max_age` and no password was typed.
    PasswordRequired,
    /// The user has a second factor, the session did not pass it within `reauth_max_age`,
    /// and no code proves it now.
    SecondFactorRequired,
    /// The password or the code was wrong; the user is told the same either way.
    Refused,
    /// Codes from the authenticator cannot be checked (sealing key missing or changed).
    Unavailable,
}

/// The rule for every change of second factors, checked in this order:
/// 1. the password: the session's sign-in younger than `reauth_max_age`, or typed now;
/// 2. for a user with a second factor: a code of it typed now (`CodeIs::Proof`), or a
///    session whose second step is younger than `reauth_max_age`;
/// 3. both limits reserved (either full: `Throttled`, nothing evaluated); the password, if
///    typed, verified (wrong: the code is not even looked at); then the code.
///
/// `Done` carries the time the password (or passkey sign-in) was last entered.
pub async fn change_allowed(
    state: &AppState,
    change: ChangeRequest<'_>,
    code_is: CodeIs,
    now: i64,
) -> Result<Change<i64>> {
    let ChangeRequest {
        signed_in,
        password,
        code,
        ip,
    } = change;
    let (session, user) = (&signed_in.session, &signed_in.user);
    let password_typed = !password.is_empty();
    if !password_typed && password_required(state, session, now) {
        return Ok(Change::PasswordRequired);
    }
    let check_code = match code_is {
        CodeIs::Enrolment => Some(CodeOf::PendingEnrolment),
        CodeIs::Proof if !code.is_empty() => Some(CodeOf::Authenticator),
        CodeIs::Proof => None,
    };
    let proven_by_code = check_code == Some(CodeOf::Authenticator);
    if !proven_by_code
        && !second_step_recent(state, session, now)
        && has_second_factor(state, &user.id).await?
    {
        return Ok(Change::SecondFactorRequired);
    }
    let password_attempt = match password_typed {
        true => Some(password::reserve(state, &user.email, ip, now).await?),
        false => None,
    };
    let code_attempt = match check_code {
        Some(_) => match code::reserve_second_step_attempt(state, &user.id, now).await {
            Ok(reserved) => Some(reserved),
            Err(e) => {
                abandon(password_attempt).await?;
                return Err(e);
            }
        },
        None => None,
    };
    let auth_time = match password_attempt {
        Some(attempt) => {
            let checked = attempt.evaluate(password::check(state, Some(user), password));
            if checked.await? != PasswordCheck::Right {
                abandon(code_attempt).await?;
                return Ok(Change::Refused);
            }
            now
        }
        None => session.auth_time,
    };
    let (Some(of), Some(attempt)) = (check_code, code_attempt) else {
        return Ok(Change::Done(auth_time));
    };
    let checked = attempt.evaluate(code::check(state, &user.id, &code, of, now));
    Ok(match checked.await? {
        CodeCheck::Passed => Change::Done(auth_time),
        CodeCheck::Wrong => Change::Refused,
        CodeCheck::Unavailable => Change::Unavailable,
    })
}

/// Gives back an attempt reserved for a check that another refusal made moot.
async fn abandon(attempt: Option<Attempt>) -> Result<()> {
    match attempt {
        Some(attempt) => attempt.abandon().await,
        None => Ok(()),
    }
}

impl<T> Change<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Change<U> {
        match self {
            Self::Done(value) => Change::Done(f(value)),
            Self::PasswordRequired => Change::PasswordRequired,
            Self::SecondFactorRequired => Change::SecondFactorRequired,
            Self::Refused => Change::Refused,
            Self::Unavailable => Change::Unavailable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::amr::{Amr, Method};

    fn session(amr: Amr) -> SessionRow {
        SessionRow {
            id_hash: "h".into(),
            user_id: "u".into(),
            auth_time: 100,
            amr,
            created_at: 200,
            last_seen_at: 200,
            idle_expires_at: 1_000,
            expires_at: 1_000,
            user_agent: None,
            address: None,
        }
    }

    #[test]
    fn a_password_only_session_never_passed_a_second_step() {
        assert_eq!(second_step_at(&session(Amr::password())), None);
    }

    #[test]
    fn a_session_that_names_a_second_factor_passed_it_when_it_began() {
        let stepped_up = Amr::password().with(Method::OneTimeCode);
        assert_eq!(second_step_at(&session(stepped_up)), Some(200));
        let passkey = Amr::passkey().with(Method::MultiFactor);
        assert_eq!(second_step_at(&session(passkey)), Some(200));
    }
}
