//! The account page's use cases: where the user is signed in and which apps they allowed,
//! ending any of their sessions, and withdrawing an app's access.
use super::error::Result;
use super::sessions::{self, RevokeOnEnd};
use super::signed_in::SignedIn;
use crate::audit::{AuditEvent, EventType};
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
}

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
        })
        .collect();
    let consents = store
        .list_consents(&user.id)
        .await?
        .into_iter()
        .map(|(client_id, scope)| ConsentSummary {
            client_name: state
                .client(&client_id)
                .map_or_else(|| client_id.clone(), |c| c.name.clone()),
            client_id,
            scope,
        })
        .collect();
    Ok(Overview {
        email: user.email.clone(),
        sessions,
        consents,
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
