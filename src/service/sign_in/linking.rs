//! Linking an upstream identity to an existing account, made only after that account's owner
//! proves who they are (Keycloak's first-login flow is the model): the upstream's word that
//! an email is someone's is never enough (pre-account takeover, nOAuth).
//!
//! The identity waits as a pending link behind a cookie for ten minutes; the sign-in that
//! completes next in the browser (password or passkey, and the second step if the account
//! has one) links it, if it is that account's.
use crate::audit::{AuditEvent, EventType};
use crate::auth::secret;
use crate::service::error::Result;
use crate::state::AppState;
use crate::store::upstream_identities::{IdentityKey, Linked, PendingLinkRow};
use crate::store::users::UserRow;
use crate::upstream::VerifiedIdentity;

/// How long a link waits for its account's owner.
pub const PENDING_LINK_TTL: i64 = 10 * 60;

/// A link just put to wait: its cookie value for the browser, and whose account it is for
/// (the sign-in page offers that email).
pub struct NewPendingLink {
    pub cookie_value: String,
    pub email: String,
    pub upstream_id: String,
}

impl std::fmt::Debug for NewPendingLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPendingLink(redacted)")
    }
}

/// Puts `identity` to wait for the owner of `account` to sign in.
pub async fn wait_for_owner(
    state: &AppState,
    account: &UserRow,
    identity: &VerifiedIdentity,
    now: i64,
) -> Result<NewPendingLink> {
    let cookie_value = secret::generate();
    let row = PendingLinkRow {
        id_hash: secret::hash(&cookie_value),
        user_id: account.id.clone(),
        upstream_id: identity.upstream_id.clone(),
        issuer: identity.issuer.clone(),
        subject: identity.subject.clone(),
        account_name: identity.account_name.clone(),
        created_at: now,
        expires_at: now + PENDING_LINK_TTL,
    };
    state.store().insert_pending_link(&row).await?;
    tracing::info!(user_id = %account.id, upstream = %identity.upstream_id, "upstream identity waits for the account's owner to sign in");
    Ok(NewPendingLink {
        cookie_value,
        email: account.email.clone(),
        upstream_id: identity.upstream_id.clone(),
    })
}

/// A waiting link, as the sign-in page shows it.
#[derive(Debug, Clone)]
pub struct WaitingLink {
    pub upstream_id: String,
    pub email: String,
}

/// The link waiting behind `cookie_value`, if any (for the sign-in page's notice).
pub async fn waiting(
    state: &AppState,
    cookie_value: Option<&str>,
    now: i64,
) -> Result<Option<WaitingLink>> {
    let Some(value) = cookie_value else {
        return Ok(None);
    };
    let store = state.store();
    let Some(link) = store.find_pending_link(&secret::hash(value), now).await? else {
        return Ok(None);
    };
    let email = store.find_user(&link.user_id).await?.map(|user| user.email);
    Ok(email.map(|email| WaitingLink {
        upstream_id: link.upstream_id,
        email,
    }))
}

/// What became of a waiting link when a sign-in completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterLinkSignIn {
    /// The account's owner signed in: the identity is linked.
    Linked { upstream_id: String },
    /// Someone else signed in, or the identity was linked elsewhere meanwhile: not linked.
    NotLinked,
}

/// Completes the link waiting behind `cookie_value` for `user_id`, who just signed in. The
/// link is taken either way: it was for one sign-in.
pub async fn complete(
    state: &AppState,
    cookie_value: &str,
    user_id: &str,
    now: i64,
) -> Result<AfterLinkSignIn> {
    let store = state.store();
    let Some(link) = store
        .take_pending_link(&secret::hash(cookie_value), now)
        .await?
    else {
        return Ok(AfterLinkSignIn::NotLinked);
    };
    if link.user_id != user_id {
        tracing::info!(
            user_id,
            "a waiting upstream link was for another account: dropped"
        );
        return Ok(AfterLinkSignIn::NotLinked);
    }
    let key = IdentityKey {
        upstream_id: &link.upstream_id,
        issuer: &link.issuer,
        subject: &link.subject,
    };
    let linked = store
        .link_upstream_identity(key, user_id, link.account_name.as_deref(), now)
        .await?;
    if linked == Linked::ToAnotherUser {
        return Ok(AfterLinkSignIn::NotLinked);
    }
    crate::observe::upstream_sign_in(&link.upstream_id, "linked");
    state.audit().record(
        AuditEvent::success(EventType::UpstreamIdentityLinked)
            .user(user_id)
            .detail("upstream", link.upstream_id.as_str()),
    );
    Ok(AfterLinkSignIn::Linked {
        upstream_id: link.upstream_id,
    })
}
