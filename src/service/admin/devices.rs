//! Where a user is signed in and what they allowed or linked: sessions (with the browser and
//! address each started from, never its cookie), consents, linked upstream identities and
//! passkeys; each listed, and ended or removed one at a time. The services called record
//! their own events (a session ended by `admin`, a consent withdrawn, an identity unlinked, a
//! passkey removed).
use super::{AdminError, Result, UserKey, user};
use crate::auth::session;
use crate::service::passkeys::{self, PasskeySummary};
use crate::service::{account, backchannel, identities, sessions};
use crate::state::AppState;
use crate::store::upstream_identities::UpstreamIdentityRow;

/// One live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    /// The session's public id (a hash of its id hash): names it, and cannot be replayed.
    pub handle: String,
    /// When the password (or the first factor) was entered.
    pub auth_time: i64,
    /// The methods proved (RFC 8176), e.g. `pwd otp`.
    pub amr: Vec<String>,
    pub started_at: i64,
    pub last_seen_at: i64,
    /// When it ends unless used again, or at the latest.
    pub expires_at: i64,
    pub user_agent: Option<String>,
    pub address: Option<String>,
}

pub async fn list_sessions(
    state: &AppState,
    key: UserKey<'_>,
    now: i64,
) -> Result<Vec<SessionView>> {
    let user = user(state, key).await?;
    let rows = state.store().user_session_details(&user.id, now).await?;
    Ok(rows
        .into_iter()
        .map(|row| SessionView {
            handle: session::public_id(&row.id_hash),
            auth_time: row.auth_time,
            amr: row.amr.split_whitespace().map(str::to_string).collect(),
            started_at: row.created_at,
            last_seen_at: row.last_seen_at,
            expires_at: row.idle_expires_at.min(row.expires_at),
            user_agent: row.user_agent,
            address: row.address,
        })
        .collect())
}

/// Ends one session, as its owner could from their account page: the refresh tokens obtained
/// through it are revoked and its apps told by back-channel logout.
pub async fn end_session(state: &AppState, key: UserKey<'_>, handle: &str, now: i64) -> Result<()> {
    let user = user(state, key).await?;
    match account::end_session_of(state, &user.id, handle, "admin", now).await? {
        Some(_) => Ok(()),
        None => Err(AdminError::NotFound(format!(
            "{} has no session {handle}",
            user.email
        ))),
    }
}

/// Ends every session of the user and revokes every refresh token (sign out everywhere);
/// how many live sessions there were.
pub async fn end_all_sessions(state: &AppState, key: UserKey<'_>, now: i64) -> Result<u64> {
    let user = user(state, key).await?;
    let store = state.store();
    let live = store.list_user_sessions(&user.id, now).await?.len() as u64;
    let receivers = state.backchannel_receivers();
    let queued = sessions::end_all_for_user(store, state.audit(), receivers, &user.id, now).await?;
    backchannel::queued(state, queued);
    Ok(live)
}

/// An app the user allowed, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentView {
    pub client_id: String,
    /// The client's name, or its id when it is no longer registered.
    pub client_name: String,
    pub scope: Vec<String>,
}

pub async fn list_consents(state: &AppState, key: UserKey<'_>) -> Result<Vec<ConsentView>> {
    let user = user(state, key).await?;
    let consents = state.store().list_consents(&user.id).await?;
    Ok(consents
        .into_iter()
        .map(|(client_id, scope)| ConsentView {
            client_name: state
                .client(&client_id)
                .map_or_else(|| client_id.clone(), |c| c.name.clone()),
            scope: scope.iter().map(str::to_string).collect(),
            client_id,
        })
        .collect())
}

/// Withdraws the user's consent for `client_id` (the next sign-in asks again) and revokes
/// that app's refresh tokens for them.
pub async fn withdraw_consent(
    state: &AppState,
    key: UserKey<'_>,
    client_id: &str,
    now: i64,
) -> Result<()> {
    let user = user(state, key).await?;
    let consents = state.store().list_consents(&user.id).await?;
    if !consents.iter().any(|(client, _)| client == client_id) {
        return Err(AdminError::NotFound(format!(
            "{} has not allowed {client_id}",
            user.email
        )));
    }
    account::withdraw_consent_of(state, &user.id, client_id, now).await?;
    Ok(())
}

/// An identity at an upstream provider linked to the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityView {
    /// The upstream's `id` in config.toml.
    pub upstream_id: String,
    /// Its `display_name`, or its id when it is no longer configured.
    pub upstream_name: String,
    /// The provider's stable subject for the account.
    pub subject: String,
    /// The account's name there (a GitHub login), when known.
    pub account_name: Option<String>,
    pub linked_at: i64,
    pub last_used_at: i64,
}

/// A user's linked upstream identities, oldest link first.
pub async fn list_identities(state: &AppState, key: UserKey<'_>) -> Result<Vec<IdentityView>> {
    let user = user(state, key).await?;
    let rows = state.store().list_upstream_identities(&user.id).await?;
    let buttons = state.upstreams().buttons();
    let name_of = |id: &str| {
        buttons
            .iter()
            .find(|b| b.id == id)
            .map_or_else(|| id.to_string(), |b| b.display_name.clone())
    };
    Ok(rows
        .into_iter()
        .map(|row: UpstreamIdentityRow| IdentityView {
            upstream_name: name_of(&row.upstream_id),
            upstream_id: row.upstream_id,
            subject: row.subject,
            account_name: row.account_name,
            linked_at: row.linked_at,
            last_used_at: row.last_used_at,
        })
        .collect())
}

/// Unlinks the user's identities at `upstream_id`, by the rule the account page follows:
/// never the account's last way to sign in (passkeys count where this issuer can use them).
pub async fn unlink_identity(state: &AppState, key: UserKey<'_>, upstream_id: &str) -> Result<()> {
    let user = user(state, key).await?;
    let (store, audit) = (state.store(), state.audit());
    let passkeys_usable = state.passkeys().is_ok();
    match identities::unlink_for(store, audit, &user.id, upstream_id, passkeys_usable).await? {
        identities::Change::Unlinked => Ok(()),
        identities::Change::LastWayToSignIn => Err(AdminError::LastWayToSignIn {
            upstream: upstream_id.to_string(),
            email: user.email,
        }),
        _ => Err(AdminError::NotFound(format!(
            "{} has no identity at {upstream_id}",
            user.email
        ))),
    }
}

/// A user's passkeys, oldest first.
pub async fn list_passkeys(state: &AppState, key: UserKey<'_>) -> Result<Vec<PasskeySummary>> {
    let user = user(state, key).await?;
    Ok(passkeys::list(state, &user.id).await?)
}

/// Removes one passkey (by the ID the list shows) from a user: a lost device.
pub async fn remove_passkey(state: &AppState, key: UserKey<'_>, id: &str) -> Result<()> {
    let user = user(state, key).await?;
    if passkeys::remove_for(state.store(), state.audit(), &user.id, id).await? {
        Ok(())
    } else {
        Err(AdminError::NotFound(format!(
            "{} has no passkey {id}",
            user.email
        )))
    }
}
