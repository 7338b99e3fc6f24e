//! Links Tessera sends by email: each proves control of a mailbox, once, for a short while.
//! A reset and an invitation then set a password and go on as a sign-in (through
//! `sign_in::email_link`, so the second step still comes); the others confirm an address.
//!
//! Links are built from the issuer only, never from the request (`Host`, `X-Forwarded-*`):
//! a forged host cannot make Tessera mail a link to the attacker's site (reset poisoning).
//! A link's page never spends it on a GET (mail scanners open links): the page trades the
//! token in the URL for a cookie, shows a form, and the form's POST uses it.
use crate::auth::secret;
use crate::i18n::Locale;
use crate::service::error::Result;
use crate::service::throttle;
use crate::state::AppState;
use crate::store::email_links::{EmailLinkRow, LinkPurpose};

pub mod email_change;
pub mod reset;
pub mod sign_up;
pub mod verification;

/// How long each kind of link works.
pub const RESET_TTL: i64 = 30 * 60;
pub const VERIFY_TTL: i64 = 24 * 3600;
pub const SIGN_UP_TTL: i64 = 24 * 3600;
pub const INVITE_TTL: i64 = 7 * 24 * 3600;
pub const CHANGE_EMAIL_TTL: i64 = 24 * 3600;
pub const UNDO_EMAIL_CHANGE_TTL: i64 = 72 * 3600;

/// Where each kind of link leads (with `?token=`).
pub fn path_of(purpose: LinkPurpose) -> &'static str {
    use crate::routes;
    match purpose {
        LinkPurpose::ResetPassword => routes::PASSWORD_RESET,
        LinkPurpose::VerifyEmail => routes::EMAIL_VERIFY,
        LinkPurpose::SignUp => routes::SIGN_UP_CONFIRM,
        LinkPurpose::Invite => routes::INVITATION,
        LinkPurpose::ChangeEmail => routes::EMAIL_CHANGE_CONFIRM,
        LinkPurpose::UndoEmailChange => routes::EMAIL_CHANGE_UNDO,
    }
}

/// A page's address at the issuer: `{issuer}{path}`.
pub fn issuer_url(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.config().issuer.trim_end_matches('/'))
}

/// What a new link is for and to whom.
pub struct NewLink<'a> {
    pub purpose: LinkPurpose,
    pub user_id: Option<&'a str>,
    pub email: &'a str,
    /// A sign-up's name and argon2 hash, kept until the address is confirmed.
    pub name: Option<String>,
    pub password_hash: Option<String>,
    pub ttl: i64,
}

/// Stores a new link (replacing older ones of its purpose) and returns its URL at the issuer.
pub async fn issue(state: &AppState, link: NewLink<'_>, now: i64) -> Result<String> {
    let token = secret::generate();
    let row = EmailLinkRow {
        token_hash: secret::hash(&token),
        purpose: link.purpose,
        user_id: link.user_id.map(str::to_string),
        email: crate::store::users::normalize_email(link.email),
        name: link.name,
        password_hash: link.password_hash,
        created_at: now,
        expires_at: now + link.ttl,
    };
    state.store().insert_email_link(&row).await?;
    crate::observe::emailed_link(link.purpose.as_str(), "sent");
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", &token)
        .finish();
    Ok(issuer_url(
        state,
        &format!("{}?{query}", path_of(link.purpose)),
    ))
}

/// The unexpired link behind `token`, without spending it.
pub async fn peek(
    state: &AppState,
    token: Option<&str>,
    purpose: LinkPurpose,
    now: i64,
) -> Result<Option<EmailLinkRow>> {
    let Some(token) = token else {
        return Ok(None);
    };
    Ok(state
        .store()
        .find_email_link(&secret::hash(token), purpose, now)
        .await?)
}

/// Spends the link behind `token` (once).
pub async fn take(
    state: &AppState,
    token: Option<&str>,
    purpose: LinkPurpose,
    now: i64,
) -> Result<Option<EmailLinkRow>> {
    let Some(token) = token else {
        return Ok(None);
    };
    let taken = state
        .store()
        .take_email_link(&secret::hash(token), purpose, now)
        .await?;
    let outcome = match taken {
        Some(_) => "used",
        None => "expired",
    };
    crate::observe::emailed_link(purpose.as_str(), outcome);
    Ok(taken)
}

/// The language a user's mail is written in: the one they last signed in with.
pub async fn mail_locale(state: &AppState, user_id: &str) -> Result<Locale> {
    let stored = state.store().user_locale(user_id).await?;
    Ok(stored
        .as_deref()
        .and_then(Locale::parse)
        .unwrap_or(state.config().default_locale))
}

/// One more link for `email`'s mailbox: false when it had its few this hour (the mail is
/// then not sent; the page answers the same).
pub async fn mailbox_allows(state: &AppState, email: &str, now: i64) -> Result<bool> {
    let limits = throttle::emailed_link_recipient_limit(email);
    match throttle::reserve(state.store(), limits, now).await {
        Ok(reservation) => {
            reservation.fail().await?;
            Ok(true)
        }
        Err(crate::service::Error::Throttled { .. }) => {
            tracing::info!("emailed link not sent: the mailbox had its links this hour");
            crate::observe::emailed_link("any", "refused");
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// One more link asked for from `ip`: `Throttled` when it asked for its few this hour.
pub async fn count_request(state: &AppState, ip: std::net::IpAddr, now: i64) -> Result<()> {
    let limits = throttle::emailed_link_address_limit(ip);
    throttle::reserve(state.store(), limits, now)
        .await?
        .fail()
        .await
}

/// Runs `work` after the answer: what it finds (whether an account exists) must not change
/// how long the answer takes. Its failure is logged; the person was told to check their mail.
pub fn after_answer<F>(what: &'static str, work: F)
where
    F: std::future::Future<Output = Result<()>> + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(e) = work.await {
            tracing::error!(error = %e, what, "emailed link not sent");
        }
    });
}

/// The password rules (NIST SP 800-63B) for a password `email`'s owner chose.
pub fn password_allowed(
    state: &AppState,
    password: &str,
    email: &str,
) -> std::result::Result<(), crate::auth::password_policy::PolicyRefusal> {
    state.config().password_rules().check(password, email)
}

/// `user@domain`, nothing more is checked: the mailed link is the real test.
pub fn looks_like_an_address(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
}

/// The shortest password the rules allow (shown on the password forms).
pub fn password_min_length(state: &AppState) -> i64 {
    i64::try_from(state.config().password_min_length).unwrap_or(i64::MAX)
}
