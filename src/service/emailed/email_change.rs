//! Changing the account's address: asked from the account page (after a recent sign-in, as
//! changing second factors is), confirmed through a link mailed to the new address; then the
//! old address is told, with a link that puts it back for 72 hours (and ends every session:
//! whoever changed it may have been someone else).
use super::{
    CHANGE_EMAIL_TTL, NewLink, UNDO_EMAIL_CHANGE_TTL, issue, looks_like_an_address, mail_locale,
    mailbox_allows,
};
use crate::audit::{AuditEvent, EventType};
use crate::service::error::Result;
use crate::service::factors;
use crate::service::mail::{self, Mail, MailKind};
use crate::service::sessions;
use crate::service::signed_in::SignedIn;
use crate::state::AppState;
use crate::store::email_links::LinkPurpose;
use crate::store::users::normalize_email;

/// How asking for a new address ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAsked {
    /// "Check your new address": the same whether or not another account has it.
    Sent,
    /// The sign-in is older than `reauth_max_age` (or its second step is): sign in again.
    SignInAgain,
    InvalidEmail,
    /// It is the account's address already.
    Same,
}

/// Mails a confirmation link to `new_email` for the signed-in user.
pub async fn ask(
    state: &AppState,
    current: &SignedIn,
    new_email: &str,
    now: i64,
) -> Result<ChangeAsked> {
    let needed = factors::proof_needed(state, current, now).await?;
    if needed.password || needed.second_factor {
        return Ok(ChangeAsked::SignInAgain);
    }
    let new_email = normalize_email(new_email);
    if !looks_like_an_address(&new_email) {
        return Ok(ChangeAsked::InvalidEmail);
    }
    let user = &current.user;
    if new_email == user.email {
        return Ok(ChangeAsked::Same);
    }
    let taken = state
        .store()
        .find_user_by_email(&new_email)
        .await?
        .is_some();
    if taken || !mailbox_allows(state, &new_email, now).await? {
        return Ok(ChangeAsked::Sent);
    }
    let link = issue(
        state,
        NewLink {
            purpose: LinkPurpose::ChangeEmail,
            user_id: Some(&user.id),
            email: &new_email,
            name: None,
            password_hash: None,
            ttl: CHANGE_EMAIL_TTL,
        },
        now,
    )
    .await?;
    let locale = mail_locale(state, &user.id).await?;
    let kind = MailKind::EmailChangeConfirm { link };
    mail::queue(
        state,
        Mail {
            to: new_email,
            locale,
            kind,
        },
        now,
    )
    .await?;
    state
        .audit()
        .record(AuditEvent::success(EventType::EmailChangeRequested).user(&user.id));
    Ok(ChangeAsked::Sent)
}

/// How a link of an email change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    Done,
    /// Another account has the address now.
    Taken,
    Expired,
}

/// The new address a live change link would set, for its page.
pub async fn new_address_of(
    state: &AppState,
    token: Option<&str>,
    now: i64,
) -> Result<Option<String>> {
    let link = super::peek(state, token, LinkPurpose::ChangeEmail, now).await?;
    Ok(link.map(|link| link.email))
}

/// The old address a live undo link would put back, for its page.
pub async fn old_address_of(
    state: &AppState,
    token: Option<&str>,
    now: i64,
) -> Result<Option<String>> {
    let link = super::peek(state, token, LinkPurpose::UndoEmailChange, now).await?;
    Ok(link.map(|link| link.email))
}

/// Confirms the new address; the old one is told, with a link to undo.
pub async fn confirm(state: &AppState, token: Option<&str>, now: i64) -> Result<Changed> {
    let store = state.store();
    let Some(link) = super::take(state, token, LinkPurpose::ChangeEmail, now).await? else {
        return Ok(Changed::Expired);
    };
    let Some(user) = active_user(state, link.user_id.as_deref()).await? else {
        return Ok(Changed::Expired);
    };
    if !store.change_email(&user.id, &link.email).await? {
        return Ok(Changed::Taken);
    }
    let undo_link = issue(
        state,
        NewLink {
            purpose: LinkPurpose::UndoEmailChange,
            user_id: Some(&user.id),
            email: &user.email,
            name: None,
            password_hash: None,
            ttl: UNDO_EMAIL_CHANGE_TTL,
        },
        now,
    )
    .await?;
    let locale = mail_locale(state, &user.id).await?;
    let kind = MailKind::EmailChangeNotice {
        new_email: link.email.clone(),
        undo_link,
    };
    mail::queue(
        state,
        Mail {
            to: user.email.clone(),
            locale,
            kind,
        },
        now,
    )
    .await?;
    state
        .audit()
        .record(AuditEvent::success(EventType::EmailChanged).user(&user.id));
    Ok(Changed::Done)
}

/// Puts the old address back and ends every session: the change may not have been the
/// owner's.
pub async fn undo(state: &AppState, token: Option<&str>, now: i64) -> Result<Changed> {
    let store = state.store();
    let Some(link) = super::take(state, token, LinkPurpose::UndoEmailChange, now).await? else {
        return Ok(Changed::Expired);
    };
    let Some(user) = active_user(state, link.user_id.as_deref()).await? else {
        return Ok(Changed::Expired);
    };
    if user.email != link.email && !store.change_email(&user.id, &link.email).await? {
        return Ok(Changed::Taken);
    }
    store
        .delete_email_links(&user.id, LinkPurpose::ChangeEmail)
        .await?;
    let receivers = state.backchannel_receivers();
    sessions::end_all_for_user(store, state.audit(), receivers, &user.id, now).await?;
    state
        .audit()
        .record(AuditEvent::success(EventType::EmailChangeUndone).user(&user.id));
    Ok(Changed::Done)
}

async fn active_user(
    state: &AppState,
    user_id: Option<&str>,
) -> Result<Option<crate::store::users::UserRow>> {
    match user_id {
        Some(id) => Ok(state.store().find_active_user(id).await?),
        None => Ok(None),
    }
}
