//! Accounts people make themselves. Open sign-up (`registration = "open"`): email, name and
//! password, then "check your email"; the account is made only when the address is
//! confirmed, so an unconfirmed sign-up holds no address. The answer is the same for an
//! address that already has an account (its owner is mailed "someone tried to sign up with
//! your address" instead). Invitations (`registration = "invite"`, `tessera user invite`): the
//! account exists, without a password, and its owner sets one through the mailed link
//! (`reset::choose_password` with `PasswordLinkKind::Invitation`).
use std::net::IpAddr;

use zeroize::Zeroizing;

use super::{INVITE_TTL, NewLink, SIGN_UP_TTL, after_answer, issue, issuer_url, mailbox_allows};
use crate::audit::{AuditEvent, EventType};
use crate::auth::password_policy::PolicyRefusal;
use crate::config::{Registration, registration_domain_allowed};
use crate::i18n::Locale;
use crate::routes;
use crate::service::error::Result;
use crate::service::mail::{self, Mail, MailKind};
use crate::state::AppState;
use crate::store::email_links::LinkPurpose;
use crate::store::users::{UserRow, normalize_email};

/// What the sign-up form sent.
pub struct SignUpForm {
    pub email: String,
    pub name: String,
    pub password: Zeroizing<String>,
    pub confirmation: Zeroizing<String>,
    /// The page's language: the mail's.
    pub locale: Locale,
}

/// How a sign-up request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpAnswer {
    /// The same answer whether or not the address has an account.
    CheckYourEmail,
    /// `registration` is not `open`.
    Closed,
    /// Not an email address.
    InvalidEmail,
    /// Not in `registration_email_domains`.
    DomainNotAllowed,
    Mismatch,
    Refused(PolicyRefusal),
}

/// Whether open sign-up is on (the sign-in page links it then).
pub fn is_open(state: &AppState) -> bool {
    state.config().registration == Registration::Open
}

/// Asks for an account from `ip`; the mail goes out after the answer.
pub async fn ask(state: &AppState, form: SignUpForm, ip: IpAddr, now: i64) -> Result<SignUpAnswer> {
    let config = state.config();
    if !is_open(state) {
        return Ok(SignUpAnswer::Closed);
    }
    let email = normalize_email(&form.email);
    if !super::looks_like_an_address(&email) {
        return Ok(SignUpAnswer::InvalidEmail);
    }
    if !registration_domain_allowed(&config.registration_email_domains, &email) {
        return Ok(SignUpAnswer::DomainNotAllowed);
    }
    if form.password.as_str() != form.confirmation.as_str() {
        return Ok(SignUpAnswer::Mismatch);
    }
    if let Err(refusal) = super::password_allowed(state, &form.password, &email) {
        return Ok(SignUpAnswer::Refused(refusal));
    }
    super::count_request(state, ip, now).await?;
    crate::observe::emailed_link(LinkPurpose::SignUp.as_str(), "requested");
    let state = state.clone();
    after_answer(
        "sign-up",
        async move { send(&state, email, form, now).await },
    );
    Ok(SignUpAnswer::CheckYourEmail)
}

async fn send(state: &AppState, email: String, form: SignUpForm, now: i64) -> Result<()> {
    if !mailbox_allows(state, &email, now).await? {
        return Ok(());
    }
    let kind = match state.store().find_user_by_email(&email).await? {
        Some(_) => MailKind::SignUpExists {
            sign_in_link: issuer_url(state, routes::LOGIN),
            reset_link: issuer_url(state, routes::PASSWORD_FORGOT),
        },
        None => {
            let hash = state.passwords().hash(form.password).await?;
            let name = Some(form.name.trim().to_string()).filter(|n| !n.is_empty());
            let new_link = NewLink {
                purpose: LinkPurpose::SignUp,
                user_id: None,
                email: &email,
                name,
                password_hash: Some(hash),
                ttl: SIGN_UP_TTL,
            };
            MailKind::VerifyEmail {
                link: issue(state, new_link, now).await?,
            }
        }
    };
    let mail = Mail {
        to: email,
        locale: form.locale,
        kind,
    };
    mail::queue(state, mail, now).await
}

/// How confirming a sign-up ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    /// The account exists now; its owner signs in.
    Created,
    /// Someone made an account with the address meanwhile.
    AlreadyExists,
    Expired,
}

/// The address a live sign-up link would confirm, for its page.
pub async fn email_of(state: &AppState, token: Option<&str>, now: i64) -> Result<Option<String>> {
    let link = super::peek(state, token, LinkPurpose::SignUp, now).await?;
    Ok(link.map(|link| link.email))
}

/// Makes the account of the sign-up behind `token`, its address confirmed.
pub async fn confirm(
    state: &AppState,
    token: Option<&str>,
    locale: Locale,
    now: i64,
) -> Result<Confirmed> {
    let store = state.store();
    let Some(link) = super::take(state, token, LinkPurpose::SignUp, now).await? else {
        return Ok(Confirmed::Expired);
    };
    let Some(password_hash) = link.password_hash else {
        return Ok(Confirmed::Expired);
    };
    if store.find_user_by_email(&link.email).await?.is_some() {
        return Ok(Confirmed::AlreadyExists);
    }
    let user = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        email: link.email,
        name: link.name,
        password_hash,
        email_verified: true,
        disabled: false,
        created_at: now,
        tokens_valid_after: 0,
    };
    // The unique index decides a race with another sign-up or an administrator.
    if !store.insert_user_unless_taken(&user).await? {
        return Ok(Confirmed::AlreadyExists);
    }
    store.set_user_locale(&user.id, locale.as_str()).await?;
    state
        .audit()
        .record(AuditEvent::success(EventType::SignedUp).user(&user.id));
    Ok(Confirmed::Created)
}

/// How an invitation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invited {
    /// The account (new, without a password) and the link mailed to it.
    Invited { user_id: String },
    /// The address already has an account.
    Exists,
}

/// Makes an account for `email` (no password yet) and mails its owner a link to set one.
pub async fn invite(
    state: &AppState,
    email: &str,
    name: Option<String>,
    now: i64,
) -> Result<Invited> {
    let store = state.store();
    let email = normalize_email(email);
    if store.find_user_by_email(&email).await?.is_some() {
        return Ok(Invited::Exists);
    }
    let user = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        email: email.clone(),
        name,
        password_hash: String::new(),
        email_verified: false,
        disabled: false,
        created_at: now,
        tokens_valid_after: 0,
    };
    store.insert_user(&user).await?;
    let link = issue(
        state,
        NewLink {
            purpose: LinkPurpose::Invite,
            user_id: Some(&user.id),
            email: &email,
            name: None,
            password_hash: None,
            ttl: INVITE_TTL,
        },
        now,
    )
    .await?;
    let locale = state.config().default_locale;
    mail::queue(
        state,
        Mail {
            to: email,
            locale,
            kind: MailKind::Invite { link },
        },
        now,
    )
    .await?;
    state
        .audit()
        .record(AuditEvent::success(EventType::UserInvited).user(&user.id));
    Ok(Invited::Invited { user_id: user.id })
}
