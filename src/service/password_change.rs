//! Changing the password from the account page. The current password is typed again and
//! checked under the password throttle, as every re-authentication is, so a stolen session
//! cookie cannot take the account over; an account made by an upstream sign-in has no
//! password yet and sets its first one after a recent sign-in instead. The new password
//! follows the policy (`auth::password_policy`). A change ends every session of the user
//! (back-channel logout to their apps) and every token issued so far; this browser goes on in
//! a fresh session.
use std::net::IpAddr;

use zeroize::Zeroizing;

use super::backchannel;
use super::error::Result;
use super::factors;
use super::reauthentication::{self, Reauthentication};
use super::sessions::{self, NewSession, SessionFor};
use super::sign_in::password::{self, PasswordCheck};
use super::signed_in::SignedIn;
use crate::audit::{AuditEvent, EventType};
use crate::auth::password_policy::PolicyRefusal;
use crate::oauth::amr::Amr;
use crate::state::AppState;

/// What the user typed into the form.
pub struct PasswordChangeRequest<'a> {
    pub signed_in: &'a SignedIn,
    /// Empty for an account that has no password yet.
    pub current_password: Zeroizing<String>,
    pub new_password: Zeroizing<String>,
    pub new_password_again: Zeroizing<String>,
    pub ip: IpAddr,
}

/// How a change ended.
#[derive(Debug)]
pub enum PasswordChange {
    Changed(Box<PasswordChanged>),
    /// The new password and its repetition differ; nothing was checked.
    NotTheSame,
    /// The new password breaks a rule of the policy; the current one was not checked.
    Refused(PolicyRefusal),
    /// The current password was wrong (a failure on the password throttle).
    WrongPassword,
    /// The account has no password and its sign-in is older than `reauth_max_age`.
    SignInAgain,
}

/// A changed password: the browser's new session, and whom to tell (the "your password was
/// changed" email goes to `email`).
#[derive(Debug)]
pub struct PasswordChanged {
    pub session: NewSession,
    pub email: String,
    pub name: Option<String>,
    /// The account had no password before (made by an upstream sign-in).
    pub first_password: bool,
    /// How many sessions ended (this browser's old one among them).
    pub sessions_ended: u64,
}

/// Changes the password, in this order: a recent sign-in for an account without a password;
/// the new password typed twice alike and within the policy (judged before any guess of the
/// current password is counted); the current password under the throttle; then the new hash
/// (every token issued until `now` dies with `tokens_valid_after`), every session ended, and
/// a fresh one for this browser.
pub async fn change_password(
    state: &AppState,
    request: PasswordChangeRequest<'_>,
    now: i64,
) -> Result<PasswordChange> {
    let PasswordChangeRequest {
        signed_in,
        current_password,
        new_password,
        new_password_again,
        ip,
    } = request;
    let user = &signed_in.user;
    let proof = reauthentication::needed(state, signed_in, now);
    if proof == Reauthentication::SignInAgain {
        return Ok(PasswordChange::SignInAgain);
    }
    let first_password = proof == Reauthentication::RecentSignIn;
    if new_password != new_password_again {
        return Ok(PasswordChange::NotTheSame);
    }
    let rules = state.config().password_rules();
    if let Err(refusal) = rules.check(&new_password, &user.email) {
        return Ok(PasswordChange::Refused(refusal));
    }
    if !first_password {
        let attempt = password::reserve(state, &user.email, ip, now).await?;
        let checked = attempt.evaluate(password::check(state, Some(user), current_password));
        if checked.await? != PasswordCheck::Right {
            state
                .audit()
                .record(AuditEvent::failure(EventType::PasswordChanged).user(&user.id));
            return Ok(PasswordChange::WrongPassword);
        }
    }
    let hash = state.passwords().hash(new_password).await?;
    state
        .store()
        .set_password_hash(&user.email, &hash, now)
        .await?;
    let receivers = state.backchannel_receivers();
    let sessions_ended =
        sessions::end_all_for_user(state.store(), state.audit(), receivers, &user.id, now).await?;
    backchannel::queued(state, sessions_ended);
    let like = fresh_session(state, signed_in, first_password, now);
    let session = sessions::start(state, like, None, now).await?;
    tell_the_mailbox(state, &user.id, &user.email, now).await?;
    state.audit().record(
        AuditEvent::success(EventType::PasswordChanged)
            .user(&user.id)
            .detail("first_password", first_password)
            .detail("sessions_ended", sessions_ended),
    );
    Ok(PasswordChange::Changed(Box::new(PasswordChanged {
        session,
        email: user.email.clone(),
        name: user.name.clone(),
        first_password,
        sessions_ended,
    })))
}

/// The browser's session after the change. A new session row counts as having passed its
/// methods when it was created (`factors::second_step_at`), so it names a second factor only
/// when the old session's second step is still recent: otherwise a stolen cookie and a known
/// password would make an old second step look fresh. The password just typed is the new
/// sign-in time; an account without one keeps its recent sign-in's.
fn fresh_session<'a>(
    state: &AppState,
    signed_in: &'a SignedIn,
    first_password: bool,
    now: i64,
) -> SessionFor<'a> {
    let old = &signed_in.session;
    let typed_now = !first_password;
    let amr = match factors::second_step_recent(state, old, now) || !typed_now {
        true => old.amr.clone(),
        false => Amr::password(),
    };
    SessionFor {
        user_id: &signed_in.user.id,
        amr,
        auth_time: if typed_now { now } else { old.auth_time },
    }
}

/// "Your password was changed", to the account's address, with the way back if it was not the
/// owner ("forgot password").
async fn tell_the_mailbox(state: &AppState, user_id: &str, email: &str, now: i64) -> Result<()> {
    let locale = super::emailed::mail_locale(state, user_id).await?;
    let kind = super::mail::MailKind::PasswordChanged {
        reset_link: super::emailed::issuer_url(state, crate::routes::PASSWORD_FORGOT),
    };
    let mail = super::mail::Mail {
        to: email.to_string(),
        locale,
        kind,
    };
    super::mail::queue(state, mail, now).await
}
