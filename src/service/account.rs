//! The account page's use cases: where the user is signed in and which apps they allowed,
//! ending any of their sessions, and withdrawing an app's access.
use super::error::Result;
use super::sessions::{self, RevokeOnEnd};
use super::signed_in::SignedIn;
use crate::audit::{self, Actor, AuditEvent, EventType};
use crate::auth::session;
use crate::oauth::scope::Scopes;
use crate::state::AppState;

/// One of the user's live sessions.
#[derive(Debug)]
pub struct SessionSummary {
    /// The session's public id, posted back to end it.
    pub handle: String,
    pub auth_time: i64,
    pub last_seen_at: i64,
    pub current: bool,
    /// The browser it started in, as it named itself (truncated).
    pub user_agent: Option<String>,
    pub address: Option<String>,
}

/// Something that happened to the account, from the audit trail: what its owner may want to
/// notice (a sign-in from elsewhere, a factor added).
#[derive(Debug)]
pub struct Activity {
    pub event_type: EventType,
    pub outcome: String,
    pub at: i64,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    /// Done by an administrator (the admin API or the CLI), not by the owner.
    pub by_admin: bool,
}

/// An app the user allowed, and what they allowed it.
#[derive(Debug)]
pub struct ConsentSummary {
    pub client_id: String,
    pub client_name: String,
    pub scope: Scopes,
}

#[derive(Debug)]
pub struct Overview {
    pub email: String,
    pub sessions: Vec<SessionSummary>,
    pub consents: Vec<ConsentSummary>,
    /// The latest events of the account, newest first.
    pub activity: Vec<Activity>,
}

/// How many of the account's latest events the page is given to choose from.
const ACTIVITY_READ: u32 = 50;

/// Everything the account page shows for the signed-in `current` session.
pub async fn overview(state: &AppState, current: &SignedIn, now: i64) -> Result<Overview> {
    let store = state.store();
    let (user, current) = (&current.user, &current.session);
    let sessions = store
        .list_user_sessions(&user.id, now)
        .await?
        .into_iter()
        .map(|s| SessionSummary {
            handle: session::public_id(&s.id_hash),
            auth_time: s.auth_time,
            last_seen_at: s.last_seen_at,
            current: s.id_hash == current.id_hash,
            user_agent: s.user_agent,
            address: s.address,
        })
        .collect();
    let mut consents = Vec::new();
    for (client_id, scope) in store.list_consents(&user.id).await? {
        consents.push(ConsentSummary {
            client_name: super::clients::display_name(state, &client_id).await?,
            client_id,
            scope,
        });
    }
    let activity = audit::recent_for_user(store, &user.id, ACTIVITY_READ)
        .await?
        .into_iter()
        .filter_map(|row| {
            Some(Activity {
                event_type: EventType::parse(&row.event_type)?,
                by_admin: row.actor != Actor::User.kind() && row.actor != Actor::System.kind(),
                outcome: row.outcome,
                at: row.at,
                address: row.address,
                user_agent: row.user_agent,
            })
        })
        .collect();
    Ok(Overview {
        email: user.email.clone(),
        sessions,
        consents,
        activity,
    })
}

/// Ends the user's session with public id `handle` (only one of their own), revoking the
/// refresh tokens every app obtained through it. True when it was the current session.
pub async fn end_session(
    state: &AppState,
    current: &SignedIn,
    handle: &str,
    now: i64,
) -> Result<bool> {
    let ended = end_session_of(state, current.user_id(), handle, "account", now).await?;
    Ok(ended.is_some_and(|id_hash| id_hash == current.session.id_hash))
}

/// Ends `user_id`'s session whose public handle is `handle` (`by`: who, for the audit
/// trail), revoking every refresh token obtained through it; its id hash, or `None` when
/// the user has no such session. The account page and the admin API come here.
pub async fn end_session_of(
    state: &AppState,
    user_id: &str,
    handle: &str,
    by: &'static str,
    now: i64,
) -> Result<Option<String>> {
    let target = state
        .store()
        .list_user_sessions(user_id, now)
        .await?
        .into_iter()
        .find(|s| session::public_id(&s.id_hash) == handle);
    let Some(target) = target else {
        return Ok(None);
    };
    let revoke = RevokeOnEnd::AllClients;
    sessions::end_recorded(state, user_id, &target.id_hash, revoke, by, now).await?;
    Ok(Some(target.id_hash))
}

/// Forgets the user's consent for `client_id` (the next sign-in asks again) and revokes that
/// app's refresh tokens for the user.
pub async fn withdraw_consent(
    state: &AppState,
    current: &SignedIn,
    client_id: &str,
    now: i64,
) -> Result<()> {
    withdraw_consent_of(state, current.user_id(), client_id, now).await
}

/// Forgets `user_id`'s consent for `client_id` and revokes that app's refresh tokens for the
/// user. The account page and the admin API come here.
pub async fn withdraw_consent_of(
    state: &AppState,
    user_id: &str,
    client_id: &str,
    now: i64,
) -> Result<()> {
    let store = state.store();
    store.delete_consent(user_id, client_id).await?;
    for family in store
        .refresh_families_for_client(user_id, client_id)
        .await?
    {
        store.revoke_refresh_family(&family, now).await?;
    }
    state.audit().record(
        AuditEvent::success(EventType::ConsentWithdrawn)
            .user(user_id)
            .client(client_id),
    );
    Ok(())
}
