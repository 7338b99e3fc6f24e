//! How the account's most sensitive forms (a new password, deleting the account) make the
//! user prove again who they are: the password typed now, checked under the password
//! throttle; or, for an account made by an upstream sign-in that has no password, a sign-in
//! younger than `reauth_max_age` (`factors::password_required`).
use super::factors;
use super::signed_in::SignedIn;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reauthentication {
    /// The account has a password: the form asks for it.
    CurrentPassword,
    /// No password, and the sign-in is recent enough: nothing more to ask.
    RecentSignIn,
    /// No password, and the sign-in is too old: sign in again first.
    SignInAgain,
}

/// What `current` must prove at `now` before a sensitive change.
pub fn needed(state: &AppState, current: &SignedIn, now: i64) -> Reauthentication {
    if !current.user.password_hash.is_empty() {
        return Reauthentication::CurrentPassword;
    }
    match factors::password_required(state, &current.session, now) {
        true => Reauthentication::SignInAgain,
        false => Reauthentication::RecentSignIn,
    }
}
