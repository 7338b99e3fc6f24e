//! Confirming an account's address: a link mailed to it sets `email_verified`, the claim apps
//! read. Sent on request from the account page, by `tessera user add --send-verification`,
//! and again after an email change's confirmation is not needed (that link proves it).
use super::{NewLink, VERIFY_TTL, issue, mail_locale, mailbox_allows};
use crate::audit::{AuditEvent, EventType};
use crate::service::error::Result;
use crate::service::mail::{self, Mail, MailKind};
use crate::state::AppState;
use crate::store::email_links::LinkPurpose;
use crate::store::users::UserRow;

/// How asking for a verification mail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Sent,
    AlreadyVerified,
    /// The mailbox had its few links this hour.
    TooMany,
}

/// Mails `user` a link that confirms their address.
pub async fn send(state: &AppState, user: &UserRow, now: i64) -> Result<Sent> {
    if user.email_verified {
        return Ok(Sent::AlreadyVerified);
    }
    if !mailbox_allows(state, &user.email, now).await? {
        return Ok(Sent::TooMany);
    }
    let link = issue(
        state,
        NewLink {
            purpose: LinkPurpose::VerifyEmail,
            user_id: Some(&user.id),
            email: &user.email,
            name: None,
            password_hash: None,
            ttl: VERIFY_TTL,
        },
        now,
    )
    .await?;
    let locale = mail_locale(state, &user.id).await?;
    let to = user.email.clone();
    mail::queue(
        state,
        Mail {
            to,
            locale,
            kind: MailKind::VerifyEmail { link },
        },
        now,
    )
    .await?;
    state
        .audit()
        .record(AuditEvent::success(EventType::VerificationSent).user(&user.id));
    Ok(Sent::Sent)
}

/// Mails the signed-in user a verification link (the account page's "send again").
pub async fn send_to_signed_in(
    state: &AppState,
    current: &crate::service::signed_in::SignedIn,
    now: i64,
) -> Result<Sent> {
    send(state, &current.user, now).await
}

/// The address a live verification link would confirm, for its page.
pub async fn email_of(state: &AppState, token: Option<&str>, now: i64) -> Result<Option<String>> {
    let link = super::peek(state, token, LinkPurpose::VerifyEmail, now).await?;
    Ok(link.map(|link| link.email))
}

/// Confirms the address through the link `token`: true when it was confirmed now (the
/// account still has the address the link was sent to).
pub async fn confirm(state: &AppState, token: Option<&str>, now: i64) -> Result<bool> {
    let store = state.store();
    let Some(link) = super::take(state, token, LinkPurpose::VerifyEmail, now).await? else {
        return Ok(false);
    };
    let Some(user_id) = link.user_id.as_deref() else {
        return Ok(false);
    };
    let Some(user) = store.find_active_user(user_id).await? else {
        return Ok(false);
    };
    if user.email != link.email {
        return Ok(false);
    }
    store.mark_email_verified(&user.id).await?;
    state
        .audit()
        .record(AuditEvent::success(EventType::EmailVerified).user(&user.id));
    Ok(true)
}
