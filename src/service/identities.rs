//! The upstream identities linked to an account (`/account/identities` and `tessera user
//! identities`): list them, link another (a trip to the upstream, `upstream_trip`), and
//! unlink one, never the account's last way to sign in.
use super::error::Result;
use super::factors;
use super::signed_in::SignedIn;
use super::upstream_trip::{self, Start, TripFor};
use crate::audit::{AuditEvent, AuditLog, EventType};
use crate::state::AppState;
use crate::store::Store;
use crate::store::upstream_identities::UpstreamIdentityRow;

/// One linked identity, as the account page and the CLI show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedIdentity {
    pub upstream_id: String,
    /// The upstream's `display_name`, or its id when it is no longer configured.
    pub upstream_name: String,
    pub account_name: Option<String>,
    pub linked_at: i64,
    pub last_used_at: i64,
}

/// The upstreams the user may link and the identities already linked.
#[derive(Debug, Clone)]
pub struct Identities {
    pub linked: Vec<LinkedIdentity>,
    /// Configured upstreams with no identity of the user yet: (id, display name).
    pub linkable: Vec<(String, String)>,
}

pub async fn identities(state: &AppState, current: &SignedIn) -> Result<Identities> {
    let rows = state
        .store()
        .list_upstream_identities(current.user_id())
        .await?;
    let buttons = state.upstreams().buttons();
    let name_of = |id: &str| {
        buttons
            .iter()
            .find(|b| b.id == id)
            .map_or_else(|| id.to_string(), |b| b.display_name.clone())
    };
    let linkable = buttons
        .iter()
        .filter(|b| !rows.iter().any(|row| row.upstream_id == b.id))
        .map(|b| (b.id.clone(), b.display_name.clone()))
        .collect();
    let linked = rows.into_iter().map(|row| shown(row, &name_of)).collect();
    Ok(Identities { linked, linkable })
}

fn shown(row: UpstreamIdentityRow, name_of: &impl Fn(&str) -> String) -> LinkedIdentity {
    LinkedIdentity {
        upstream_name: name_of(&row.upstream_id),
        upstream_id: row.upstream_id,
        account_name: row.account_name,
        linked_at: row.linked_at,
        last_used_at: row.last_used_at,
    }
}

/// How a request to link or unlink from the account page ended.
#[derive(Debug)]
pub enum Change {
    /// Linking: off to the upstream.
    Go {
        redirect: url::Url,
        cookie_value: String,
    },
    Unlinked,
    /// The sign-in is too old for changing how the account signs in (the rule for second
    /// factors, `reauth_max_age`): sign in again first.
    SignInAgain,
    /// Unlinking would leave the account with no way to sign in.
    LastWayToSignIn,
    /// No such upstream, or no such identity.
    NotFound,
    /// The upstream cannot be used now.
    Unavailable,
}

/// Starts linking an identity at `upstream_id` to the signed-in user.
pub async fn link(
    state: &AppState,
    current: &SignedIn,
    upstream_id: &str,
    now: i64,
) -> Result<Change> {
    if !recent_enough(state, current, now).await? {
        return Ok(Change::SignInAgain);
    }
    let trip_for = TripFor::Link {
        user_id: current.user_id(),
    };
    Ok(
        match upstream_trip::start(state, upstream_id, trip_for, now).await? {
            Start::Go {
                redirect,
                cookie_value,
            } => Change::Go {
                redirect,
                cookie_value,
            },
            Start::Unknown => Change::NotFound,
            Start::Unavailable => Change::Unavailable,
        },
    )
}

/// Unlinks the signed-in user's identities at `upstream_id`.
pub async fn unlink(
    state: &AppState,
    current: &SignedIn,
    upstream_id: &str,
    now: i64,
) -> Result<Change> {
    if !recent_enough(state, current, now).await? {
        return Ok(Change::SignInAgain);
    }
    let passkeys_usable = state.passkeys().is_ok();
    unlink_for(
        state.store(),
        state.audit(),
        current.user_id(),
        upstream_id,
        passkeys_usable,
    )
    .await
}

/// Unlinks `user_id`'s identities at `upstream_id`, unless that leaves no way to sign in
/// (`passkeys_usable`: this issuer can use passkeys, so they count as one). The account page
/// and the CLI both come here.
pub async fn unlink_for(
    store: &Store,
    audit: &AuditLog,
    user_id: &str,
    upstream_id: &str,
    passkeys_usable: bool,
) -> Result<Change> {
    let linked = store.list_upstream_identities(user_id).await?;
    if !linked.iter().any(|row| row.upstream_id == upstream_id) {
        return Ok(Change::NotFound);
    }
    let others = linked.iter().any(|row| row.upstream_id != upstream_id);
    if !others && !signs_in_without_upstreams(store, user_id, passkeys_usable).await? {
        return Ok(Change::LastWayToSignIn);
    }
    store
        .unlink_upstream_identities(user_id, upstream_id)
        .await?;
    audit.record(
        AuditEvent::success(EventType::UpstreamIdentityUnlinked)
            .user(user_id)
            .detail("upstream", upstream_id),
    );
    Ok(Change::Unlinked)
}

/// A password, or a passkey where this issuer can use passkeys.
async fn signs_in_without_upstreams(
    store: &Store,
    user_id: &str,
    passkeys_usable: bool,
) -> Result<bool> {
    let has_password = store
        .find_user(user_id)
        .await?
        .is_some_and(|user| !user.password_hash.is_empty());
    if has_password {
        return Ok(true);
    }
    Ok(passkeys_usable && !store.passkeys_of(user_id).await?.is_empty())
}

/// The rule for changing second factors applies to changing how the account signs in: a
/// sign-in younger than `reauth_max_age`, and its second step too when the user has one.
async fn recent_enough(state: &AppState, current: &SignedIn, now: i64) -> Result<bool> {
    let needed = factors::proof_needed(state, current, now).await?;
    Ok(!needed.password && !needed.second_factor)
}

/// Where the page's link forms lead: the authorization endpoint of each linkable upstream
/// that can be used now (for the page's CSP `form-action`).
pub async fn link_targets(state: &AppState, view: &Identities, now: i64) -> Vec<String> {
    let upstreams = state.upstreams();
    let mut targets = Vec::new();
    for (id, _) in &view.linkable {
        if let Ok(upstream) = upstreams.get(id, now).await {
            targets.push(upstream.authorization_endpoint().to_string());
        }
    }
    targets
}
