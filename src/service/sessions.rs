//! Browser sessions: finding the live one behind a cookie, starting a fresh one at every
//! sign-in (a new id, so a planted cookie never becomes a signed-in session), and ending one
//! with everything that hangs on it.
use super::backchannel;
use super::error::Result;
use crate::audit::{AuditEvent, AuditLog, EventType, origin};
use crate::auth::{secret, session};
use crate::oauth::amr::Amr;
use crate::oauth::authorize::SessionView;
use crate::state::AppState;
use crate::store::Store;
use crate::store::refresh_tokens::FamilyFilter;
use crate::store::sessions::SessionRow;

/// A session just started: its cookie value for the browser (only its hash is stored).
pub struct NewSession {
    pub cookie_value: String,
    /// The stored session: read by the use cases that follow a sign-in, never by a page.
    pub(in crate::service) row: SessionRow,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("row", &self.row)
            .finish_non_exhaustive()
    }
}

/// The live session behind a session cookie value.
pub async fn current(
    state: &AppState,
    cookie_value: Option<&str>,
    now: i64,
) -> Result<Option<SessionRow>> {
    let Some(value) = cookie_value else {
        return Ok(None);
    };
    let idle_ttl = state.config().session_idle_ttl;
    Ok(state
        .store()
        .find_active_session(&secret::hash(value), now, idle_ttl)
        .await?)
}

/// Who a new session is for: the user, the methods they proved (RFC 8176) and when the first
/// factor was proved (`auth_time`, which a second step or a step-up keeps), named apart from
/// the `now` the session starts at.
#[derive(Debug, Clone)]
pub struct SessionFor<'a> {
    pub user_id: &'a str,
    pub amr: Amr,
    pub auth_time: i64,
}

/// Starts a new session `like` that, replacing the browser's old session (`replacing`, a
/// cookie value) if any.
pub async fn start(
    state: &AppState,
    like: SessionFor<'_>,
    replacing: Option<&str>,
    now: i64,
) -> Result<NewSession> {
    let replacing: Vec<String> = replacing.map(secret::hash).into_iter().collect();
    start_replacing(state, like, &replacing, now).await
}

/// As [`start`], replacing the sessions with these id hashes. One of the same user lives on
/// as the new one (its apps keep the `sid` they know, its refresh tokens follow it); one of
/// another user has ended, and its apps are sent a back-channel logout.
pub async fn start_replacing(
    state: &AppState,
    like: SessionFor<'_>,
    replacing: &[String],
    now: i64,
) -> Result<NewSession> {
    let SessionFor {
        user_id,
        amr,
        auth_time,
    } = like;
    let config = state.config();
    let cookie_value = secret::generate();
    // Where the browser that signs in is: what its owner sees on the account page.
    let origin = origin::current();
    let row = SessionRow {
        id_hash: secret::hash(&cookie_value),
        user_id: user_id.to_string(),
        auth_time,
        amr,
        created_at: now,
        last_seen_at: now,
        idle_expires_at: now + config.session_idle_ttl.min(config.session_absolute_ttl),
        expires_at: now + config.session_absolute_ttl,
        user_agent: origin.as_ref().and_then(|o| o.user_agent.clone()),
        address: origin.and_then(|o| o.address).map(|a| a.to_string()),
    };
    let receivers = state.backchannel_receivers();
    let queued = state
        .store()
        .start_session(&row, replacing, receivers, now)
        .await?;
    backchannel::queued(state, queued);
    Ok(NewSession { cookie_value, row })
}

/// Which refresh tokens ending a session revokes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeOnEnd<'a> {
    /// None: offline access outlives the browser session (OIDC Core §11).
    Nothing,
    /// This client's tokens obtained in the session (RP-initiated logout through a client
    /// with `logout_revokes_refresh_tokens`).
    Client(&'a str),
    /// Every client's tokens obtained in the session (the user ended it on the account page).
    AllClients,
}

/// Ends a session: revokes the refresh-token families `revoke` names first (so a failure
/// half-way leaves the user signed in rather than tokens alive), then deletes the session,
/// its unexchanged codes and half-done step-ups, and queues a back-channel logout for every
/// app that got tokens through it and registered a `backchannel_logout_uri` (in the same
/// transaction; delivery follows, never holding up the user). The revocation does not wait
/// for, or depend on, any delivery.
///
/// The families are revoked once more after the session is gone: a code exchange that spent
/// its code between the first pass and the session's end stored a family the first pass
/// could not see. Deleting the session row waits for such an exchange (it holds the row), and
/// no exchange can store one after it, so the second pass leaves none alive.
pub async fn end(state: &AppState, id_hash: &str, revoke: RevokeOnEnd<'_>, now: i64) -> Result<()> {
    let store = state.store();
    let filter = match revoke {
        RevokeOnEnd::Nothing => None,
        RevokeOnEnd::Client(client_id) => Some(FamilyFilter::Client(client_id)),
        RevokeOnEnd::AllClients => Some(FamilyFilter::AllClients),
    };
    if let Some(filter) = filter {
        revoke_families_of_session(store, id_hash, filter, now).await?;
    }
    let queued = store
        .end_session(id_hash, state.backchannel_receivers(), now)
        .await?;
    backchannel::queued(state, queued);
    if let Some(filter) = filter {
        revoke_families_of_session(store, id_hash, filter, now).await?;
    }
    Ok(())
}

/// Revokes the live refresh-token families obtained in the session that `filter` names.
async fn revoke_families_of_session(
    store: &Store,
    id_hash: &str,
    filter: FamilyFilter<'_>,
    now: i64,
) -> Result<()> {
    for family in store.refresh_families_for_session(id_hash, filter).await? {
        store.revoke_refresh_family(&family, now).await?;
    }
    Ok(())
}

/// Signs a user out everywhere and revokes every refresh family (an administrator reset the
/// password or disabled the account; access tokens die through `tokens_valid_after`), and
/// queues the back-channel logouts of every session for the apps in `receivers`. Takes the
/// store alone: the CLI runs it, and a running server's outbox worker delivers.
pub async fn end_all_for_user(
    store: &Store,
    audit: &AuditLog,
    receivers: &[String],
    user_id: &str,
    now: i64,
) -> Result<u64> {
    for family in store.refresh_families_for_user(user_id).await? {
        store.revoke_refresh_family(&family, now).await?;
    }
    let logouts_queued = store.end_user_sessions(user_id, receivers, now).await?;
    audit.record(
        AuditEvent::success(EventType::SessionEnded)
            .user(user_id)
            .detail("all", true)
            .detail("logouts_queued", logouts_queued),
    );
    Ok(logouts_queued)
}

/// Ends `user_id`'s session `id_hash` as [`end`] does, and records who ended it: `by` is
/// `logout` (the user signed out through an app), `account` (from their account page) or
/// `admin`.
pub async fn end_recorded(
    state: &AppState,
    user_id: &str,
    id_hash: &str,
    revoke: RevokeOnEnd<'_>,
    by: &'static str,
    now: i64,
) -> Result<()> {
    end(state, id_hash, revoke, now).await?;
    state.audit().record(
        AuditEvent::success(EventType::SessionEnded)
            .user(user_id)
            .detail("by", by)
            .detail("session", session::public_id(id_hash)),
    );
    Ok(())
}

/// What the protocol core needs to know of a session. `has_second_factor` is the store's one
/// notion of it (TOTP or a passkey), the one the sign-in's second step asks, so a
/// password-only session of a user who since added any second factor is stepped up. A
/// session that passed a second factor needs no step-up whatever the user has since, so the
/// lookup is spared then.
pub async fn view(state: &AppState, session: &SessionRow) -> Result<SessionView> {
    let user_has_one = !session.amr.has_second_factor()
        && state.store().has_second_factor(&session.user_id).await?;
    Ok(view_of(session, user_has_one))
}

/// As [`view`], whether the user has a second factor read already (`user_has_one`).
pub fn view_of(session: &SessionRow, user_has_one: bool) -> SessionView {
    SessionView {
        user_id: session.user_id.clone(),
        auth_time: session.auth_time,
        amr: session.amr.clone(),
        has_second_factor: session.amr.has_second_factor() || user_has_one,
    }
}
