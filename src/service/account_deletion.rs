//! Deleting one's own account from the account page. It cannot be undone, so it asks for a
//! ticked confirmation and a re-authentication: the password typed now (checked under the
//! password throttle), or for an account without one a sign-in younger than
//! `reauth_max_age`. Then every session ends with a back-channel logout to the apps that got
//! tokens through it, every refresh token is revoked, and the user row goes with everything
//! that hangs on it (`Store::delete_user`).
use std::net::IpAddr;

use zeroize::Zeroizing;

use super::backchannel;
use super::error::Result;
use super::reauthentication::{self, Reauthentication};
use super::sessions;
use super::sign_in::password::{self, PasswordCheck};
use super::signed_in::SignedIn;
use crate::audit::{AuditEvent, EventType};
use crate::state::AppState;

/// What the user sent from the confirmation page.
pub struct DeletionRequest<'a> {
    pub signed_in: &'a SignedIn,
    /// Empty for an account that has no password.
    pub password: Zeroizing<String>,
    /// The "I understand" box was ticked.
    pub confirmed: bool,
    pub ip: IpAddr,
}

/// How a deletion ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Deletion {
    /// Gone; `email` is free for a new account.
    Deleted { email: String },
    /// The confirmation was not ticked; nothing was checked.
    NotConfirmed,
    /// The password was wrong (a failure on the password throttle).
    WrongPassword,
    /// The account has no password and its sign-in is older than `reauth_max_age`.
    SignInAgain,
}

pub async fn delete_account(
    state: &AppState,
    request: DeletionRequest<'_>,
    now: i64,
) -> Result<Deletion> {
    let DeletionRequest {
        signed_in,
        password,
        confirmed,
        ip,
    } = request;
    let user = &signed_in.user;
    let proof = reauthentication::needed(state, signed_in, now);
    if proof == Reauthentication::SignInAgain {
        return Ok(Deletion::SignInAgain);
    }
    if !confirmed {
        return Ok(Deletion::NotConfirmed);
    }
    if proof == Reauthentication::CurrentPassword {
        let attempt = password::reserve(state, &user.email, ip, now).await?;
        let checked = attempt.evaluate(password::check(state, Some(user), password));
        if checked.await? != PasswordCheck::Right {
            state
                .audit()
                .record(AuditEvent::failure(EventType::AccountDeleted).user(&user.id));
            return Ok(Deletion::WrongPassword);
        }
    }
    let store = state.store();
    // The logouts are queued while the sessions still name their apps; the row goes after.
    let receivers = state.backchannel_receivers();
    let ended = sessions::end_all_for_user(store, state.audit(), receivers, &user.id, now).await?;
    backchannel::queued(state, ended);
    store.delete_user(&user.id).await?;
    state.audit().record(
        AuditEvent::success(EventType::AccountDeleted)
            .user(&user.id)
            .detail("logouts_queued", ended),
    );
    Ok(Deletion::Deleted {
        email: user.email.clone(),
    })
}
