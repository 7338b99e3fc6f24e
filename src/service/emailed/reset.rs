//! "Forgot password": ask for a link by email (the same answer, in the same time, whether or
//! not an account has that address), then choose a new password through it. A reset ends
//! every session and refresh token of the user (apps told by back-channel logout), says so by
//! mail, and goes on as a sign-in with the new password: the second step still comes.
use std::net::IpAddr;

use zeroize::Zeroizing;

use super::{NewLink, RESET_TTL, after_answer, issue, issuer_url, mail_locale, mailbox_allows};
use crate::audit::{AuditEvent, EventType};
use crate::auth::password_policy::PolicyRefusal;
use crate::routes;
use crate::service::error::Result;
use crate::service::mail::{self, Mail, MailKind};
use crate::service::sessions;
use crate::service::sign_in::{SignIn, email_link};
use crate::state::AppState;
use crate::store::email_links::LinkPurpose;

/// Asks for a reset link for `email` from `ip`: `Throttled` when the address asked too often;
/// otherwise the link is mailed (if the account exists and is active) after the answer.
pub async fn ask(state: &AppState, email: &str, ip: IpAddr, now: i64) -> Result<()> {
    super::count_request(state, ip, now).await?;
    crate::observe::emailed_link(LinkPurpose::ResetPassword.as_str(), "requested");
    let (state, email) = (state.clone(), email.trim().to_string());
    after_answer("password reset", async move {
        send_link(&state, &email, now).await
    });
    Ok(())
}

/// Mails `email`'s active account a reset link now, unless its mailbox had its few links this
/// hour (the asker's per-address count is `ask`'s). Public for the admin API, which asks on
/// the user's behalf (`service::admin::mail`).
pub async fn send_link(state: &AppState, email: &str, now: i64) -> Result<()> {
    let store = state.store();
    let Some(user) = store.find_active_user_by_email(email).await? else {
        tracing::info!("password reset asked for an address with no active account");
        return Ok(());
    };
    if !mailbox_allows(state, &user.email, now).await? {
        return Ok(());
    }
    let link = issue(
        state,
        NewLink {
            purpose: LinkPurpose::ResetPassword,
            user_id: Some(&user.id),
            email: &user.email,
            name: None,
            password_hash: None,
            ttl: RESET_TTL,
        },
        now,
    )
    .await?;
    let locale = mail_locale(state, &user.id).await?;
    let kind = MailKind::ResetPassword { link };
    mail::queue(
        state,
        Mail {
            to: user.email,
            locale,
            kind,
        },
        now,
    )
    .await?;
    state
        .audit()
        .record(AuditEvent::success(EventType::PasswordResetRequested).user(&user.id));
    Ok(())
}

/// How choosing a new password through a link ended.
#[derive(Debug)]
pub enum NewPassword {
    /// On as a sign-in with the new password (second step next, if the user has one).
    SignIn(SignIn),
    /// No such link: expired, used, replaced by a newer one or by a password change.
    Expired,
    /// The two fields differ.
    Mismatch,
    /// The password breaks a rule; the link still works.
    Refused(PolicyRefusal),
}

/// Which link lets its holder choose a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordLinkKind {
    /// "Forgot password".
    Reset,
    /// An administrator's invitation (`tessera user invite`).
    Invitation,
}

impl PasswordLinkKind {
    fn purpose(self) -> LinkPurpose {
        match self {
            Self::Reset => LinkPurpose::ResetPassword,
            Self::Invitation => LinkPurpose::Invite,
        }
    }
}

/// The address a live link of `kind` was sent to, for its page.
pub async fn email_of(
    state: &AppState,
    kind: PasswordLinkKind,
    token: Option<&str>,
    now: i64,
) -> Result<Option<String>> {
    let link = super::peek(state, token, kind.purpose(), now).await?;
    Ok(link.map(|link| link.email))
}

/// Sets `password` through the link `token` of `kind`; `replacing` is the browser's session.
pub async fn choose_password(
    state: &AppState,
    kind: PasswordLinkKind,
    token: Option<&str>,
    passwords: NewPasswords,
    replacing: Option<&str>,
    now: i64,
) -> Result<NewPassword> {
    let chosen = PasswordLink {
        token,
        purpose: kind.purpose(),
        password: passwords.password,
        confirmation: passwords.confirmation,
    };
    set_through_link(state, chosen, replacing, now).await
}

/// The new password, typed twice.
pub struct NewPasswords {
    pub password: Zeroizing<String>,
    pub confirmation: Zeroizing<String>,
}

/// A password chosen through an emailed link (a reset or an invitation).
struct PasswordLink<'a> {
    token: Option<&'a str>,
    purpose: LinkPurpose,
    password: Zeroizing<String>,
    confirmation: Zeroizing<String>,
}

/// Checks the password, spends the link, sets the password, ends every session, tells the
/// user by mail, and signs in with the new password.
async fn set_through_link(
    state: &AppState,
    chosen: PasswordLink<'_>,
    replacing: Option<&str>,
    now: i64,
) -> Result<NewPassword> {
    let store = state.store();
    if chosen.password.as_str() != chosen.confirmation.as_str() {
        return Ok(NewPassword::Mismatch);
    }
    let Some(link) = super::peek(state, chosen.token, chosen.purpose, now).await? else {
        return Ok(NewPassword::Expired);
    };
    let Some(user_id) = link.user_id.as_deref() else {
        return Ok(NewPassword::Expired);
    };
    let Some(user) = store.find_active_user(user_id).await? else {
        return Ok(NewPassword::Expired);
    };
    if let Err(refusal) = super::password_allowed(state, &chosen.password, &user.email) {
        return Ok(NewPassword::Refused(refusal));
    }
    let hash = state.passwords().hash(chosen.password).await?;
    // Spent only now: a refused password leaves the link working.
    if super::take(state, chosen.token, chosen.purpose, now)
        .await?
        .is_none()
    {
        return Ok(NewPassword::Expired);
    }
    store.set_password_hash_of(&user.id, &hash, now).await?;
    store
        .delete_email_links(&user.id, LinkPurpose::ResetPassword)
        .await?;
    let receivers = state.backchannel_receivers();
    sessions::end_all_for_user(store, state.audit(), receivers, &user.id, now).await?;
    if link.email == user.email {
        store.mark_email_verified(&user.id).await?;
    }
    // A reset says so to the mailbox (an invitation's first password needs no notice).
    if link.purpose == LinkPurpose::ResetPassword {
        let locale = mail_locale(state, &user.id).await?;
        let kind = MailKind::PasswordChanged {
            reset_link: issuer_url(state, routes::PASSWORD_FORGOT),
        };
        let to = user.email.clone();
        mail::queue(state, Mail { to, locale, kind }, now).await?;
    }
    state.audit().record(
        AuditEvent::success(EventType::PasswordSetByLink)
            .user(&user.id)
            .detail("purpose", link.purpose.as_str()),
    );
    let sign_in = email_link::sign_in_with_new_password(state, &user.id, replacing, now).await?;
    Ok(NewPassword::SignIn(sign_in))
}
