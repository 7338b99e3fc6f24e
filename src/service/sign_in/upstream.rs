//! An upstream identity provider's sign-in (GitHub, Google, any OpenID provider, another
//! Tessera): a first factor. The identity the upstream vouched for (already verified by
//! `crate::upstream`) leads to its linked user; a first sign-in may create one; an identity
//! whose email belongs to an existing account is never linked on the upstream's word alone
//! (pre-account takeover, the nOAuth class): it waits for that account's owner to sign in.
use super::audit;
use super::first_factor::{self, FirstFactorPassed};
use super::{SignIn, linking};
use crate::audit::{AuditEvent, EventType, Outcome};
use crate::oauth::amr::Amr;
use crate::service::error::Result;
use crate::state::AppState;
use crate::store::upstream_identities::{IdentityKey, Linked};
use crate::store::users::{UserRow, normalize_email};
use crate::upstream::{Upstream, VerifiedIdentity};

/// How an upstream sign-in ended.
#[derive(Debug)]
pub enum UpstreamSignIn {
    /// On as any first factor: signed in, or the second step next.
    SignIn(SignIn),
    /// An account with the identity's email exists: its owner signs in first, then the
    /// identity is linked (the waiting link's cookie for the browser).
    LinkFirst(linking::NewPendingLink),
    Refused(UpstreamRefusal),
}

/// Why an upstream identity may not sign in. Each is told to the user plainly: the identity
/// is the user's own, proven by the upstream, so nothing here is an enumeration oracle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamRefusal {
    /// Not linked to any account, and this upstream creates none (`create_users = false`).
    NoAccount,
    /// The email's domain is not in the upstream's `allowed_email_domains`.
    DomainNotAllowed,
    /// A new account needs an email the upstream says is verified: an unverified one would
    /// let anyone hold another person's address here.
    NoVerifiedEmail,
    /// The linked account is disabled.
    AccountDisabled,
    /// Linking: the identity already belongs to another account.
    LinkedElsewhere,
}

impl UpstreamRefusal {
    /// The metric's outcome word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoAccount => "no_account",
            Self::DomainNotAllowed => "domain_not_allowed",
            Self::NoVerifiedEmail => "no_verified_email",
            Self::AccountDisabled => "account_disabled",
            Self::LinkedElsewhere => "linked_elsewhere",
        }
    }
}

/// Signs in with the identity `upstream` vouched for; `replacing` is the browser's session
/// cookie, which a completed sign-in replaces.
pub async fn sign_in_with_upstream(
    state: &AppState,
    upstream: &Upstream,
    identity: &VerifiedIdentity,
    replacing: Option<&str>,
    now: i64,
) -> Result<UpstreamSignIn> {
    if !upstream.allows_email_of(identity) {
        return Ok(UpstreamSignIn::Refused(UpstreamRefusal::DomainNotAllowed));
    }
    let store = state.store();
    let user = match store.use_upstream_identity(key_of(identity), now).await? {
        Some(linked) => match store.find_active_user(&linked.user_id).await? {
            Some(user) => user,
            None => {
                audit::first_factor(state, "upstream", Outcome::Failure, Some(&linked.user_id));
                return Ok(UpstreamSignIn::Refused(UpstreamRefusal::AccountDisabled));
            }
        },
        None => match first_sign_in(state, upstream, identity, now).await? {
            FirstSignIn::Created(user) => user,
            FirstSignIn::Ended(ended) => return Ok(ended),
        },
    };
    let passed = FirstFactorPassed {
        user_id: &user.id,
        amr: Amr::federated(upstream.trusted_for_mfa() && identity.upstream_mfa),
        auth_time: now,
        replacing,
        has_second_factor: None,
    };
    let outcome = first_factor::passed(state, passed, now).await?;
    state.audit().record(
        AuditEvent::success(EventType::SignIn)
            .user(&user.id)
            .detail("method", "upstream")
            .detail("upstream", upstream.id()),
    );
    Ok(UpstreamSignIn::SignIn(outcome))
}

enum FirstSignIn {
    Created(UserRow),
    Ended(UpstreamSignIn),
}

/// An identity seen for the first time: an existing account with its email waits for its
/// owner; otherwise a new account, where this upstream may create one.
async fn first_sign_in(
    state: &AppState,
    upstream: &Upstream,
    identity: &VerifiedIdentity,
    now: i64,
) -> Result<FirstSignIn> {
    let store = state.store();
    if let Some(email) = &identity.email
        && let Some(existing) = store.find_user_by_email(email).await?
    {
        let waiting = linking::wait_for_owner(state, &existing, identity, now).await?;
        return Ok(FirstSignIn::Ended(UpstreamSignIn::LinkFirst(waiting)));
    }
    if !upstream.create_users() {
        return Ok(ended(UpstreamRefusal::NoAccount));
    }
    let Some(email) = identity
        .email
        .as_deref()
        .filter(|_| identity.email_verified)
    else {
        return Ok(ended(UpstreamRefusal::NoVerifiedEmail));
    };
    let user = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        email: normalize_email(email),
        name: identity.name.clone(),
        // No password: this account signs in through its upstream (and passkeys it adds).
        password_hash: String::new(),
        email_verified: true,
        disabled: false,
        created_at: now,
        tokens_valid_after: 0,
    };
    store.insert_user(&user).await?;
    let account_name = identity.account_name.as_deref();
    // A race with another first sign-in of the same identity: the loser's new account stays
    // empty of identities and the winner's link stands.
    if store
        .link_upstream_identity(key_of(identity), &user.id, account_name, now)
        .await?
        == Linked::ToAnotherUser
    {
        return Ok(ended(UpstreamRefusal::LinkedElsewhere));
    }
    state.audit().record(
        AuditEvent::success(EventType::SignedUp)
            .user(&user.id)
            .detail("upstream", upstream.id()),
    );
    Ok(FirstSignIn::Created(user))
}

fn ended(refusal: UpstreamRefusal) -> FirstSignIn {
    FirstSignIn::Ended(UpstreamSignIn::Refused(refusal))
}

/// The identity's key in the store.
pub fn key_of(identity: &VerifiedIdentity) -> IdentityKey<'_> {
    IdentityKey {
        upstream_id: &identity.upstream_id,
        issuer: &identity.issuer,
        subject: &identity.subject,
    }
}
