//! The password step of a sign-in. Wrong email and wrong password look and take the same:
//! unknown emails are checked against a dummy argon2 hash. The attempt is reserved on the
//! throttle before argon2 runs, so parallel guesses cannot outrun the limit. A user with
//! two-step verification gets no session here: the password only starts the second step.
use std::net::IpAddr;

use zeroize::Zeroizing;

use super::error::{Error, Result};
use super::second_factor::{self, NewPending};
use super::sessions::{self, NewSession};
use super::throttle::{self, Reservation};
use crate::auth::throttle::ThrottleKind;
use crate::oauth::amr::Amr;
use crate::observe::{self, SignInOutcome};
use crate::state::AppState;
use crate::store::users::UserRow;

/// Passwords longer than this are refused unhashed: argon2 of a megabyte is a cheap DoS.
const MAX_PASSWORD_LEN: usize = 1024;

#[derive(Debug)]
pub enum SignIn {
    /// Wrong email or password, or a disabled account (told apart only in the log).
    Refused,
    /// Signed in: the browser's new session.
    SignedIn(NewSession),
    /// The password was right and the user has two-step verification: the second step next.
    SecondFactor(NewPending),
}

/// Reserves one password attempt for `email` from `ip` on every password limit.
pub async fn reserve_password_attempt(
    state: &AppState,
    email: &str,
    ip: IpAddr,
    now: i64,
) -> Result<Reservation> {
    let limits = throttle::password_limits(state.config(), email, ip);
    throttle::reserve(state.store(), limits, now).await
}

/// Verifies `password` for `user` (against a dummy hash when there is none, so it takes as
/// long) on an attempt already reserved. Right: the account's counters start again and the
/// address's attempt is given back. Wrong, or a disabled account: the attempt stays counted.
pub async fn verify_reserved_password(
    state: &AppState,
    reservation: Reservation,
    user: Option<&UserRow>,
    password: Zeroizing<String>,
) -> Result<bool> {
    if password.is_empty() || password.len() > MAX_PASSWORD_LEN {
        reservation.fail().await?;
        return Ok(false);
    }
    let hash = user.map(|u| u.password_hash.clone());
    let verified = match state.passwords().verify(password, hash).await {
        Ok(verified) => verified,
        // Not evaluated (the pool shed it): the attempt does not count.
        Err(e) => {
            reservation.release().await?;
            return Err(e.into());
        }
    };
    if !verified || user.is_none_or(|u| u.disabled) {
        reservation.fail().await?;
        return Ok(false);
    }
    let account = [
        ThrottleKind::LoginAccount,
        ThrottleKind::LoginAddressAccount,
    ];
    reservation.clear(&account).await?;
    Ok(true)
}

/// Checks `email` and `password` from `ip`; `replacing` is the browser's current session
/// cookie, which a successful sign-in replaces.
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
        return Err(Error::Overloaded);
    }
    if email.is_empty() || password.is_empty() || password.len() > MAX_PASSWORD_LEN {
        observe::sign_in(SignInOutcome::WrongPassword);
        return Ok(SignIn::Refused);
    }
    let reservation = match reserve_password_attempt(state, email, ip, now).await {
        Err(Error::Throttled { retry_after }) => {
            observe::sign_in(SignInOutcome::Throttled);
            return Err(Error::Throttled { retry_after });
        }
        other => other?,
    };
    let store = state.store();
    let user = store.find_user_by_email(email).await?;
    let verified = verify_reserved_password(state, reservation, user.as_ref(), password).await?;
    let user = match (user, verified) {
        (Some(user), true) => user,
        (user, _) => {
            observe::sign_in(match user {
                None => SignInOutcome::UnknownAccount,
                Some(u) if u.disabled => SignInOutcome::DisabledAccount,
                Some(_) => SignInOutcome::WrongPassword,
            });
            tracing::info!("sign-in refused");
            return Ok(SignIn::Refused);
        }
    };
    observe::note_user(&user.id);
    if super::factors::has_second_factor(state, &user.id).await? {
        observe::sign_in(SignInOutcome::SecondFactorNext);
        tracing::info!(user_id = %user.id, "password accepted; second factor next");
        let pending = second_factor::begin(state, &user.id, now, None, now).await?;
        return Ok(SignIn::SecondFactor(pending));
    }
    let session = sessions::start(state, &user.id, Amr::password(), now, replacing, now).await?;
    observe::sign_in(SignInOutcome::Success);
    tracing::info!(user_id = %user.id, "signed in");
    Ok(SignIn::SignedIn(session))
}
