//! Browser sessions: finding the live one behind a cookie, starting a fresh one at every
//! sign-in (a new id, so a planted cookie never becomes a signed-in session), and ending one
//! with everything that hangs on it.
use super::error::Result;
use crate::auth::secret;
use crate::oauth::amr::Amr;
use crate::oauth::authorize::SessionView;
use crate::state::AppState;
use crate::store::Store;
use crate::store::refresh_tokens::FamilyFilter;
use crate::store::sessions::SessionRow;
use crate::store::users::UserRow;

/// A session just started: its cookie value for the browser (only its hash is stored).
pub struct NewSession {
    pub cookie_value: String,
    pub row: SessionRow,
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

/// The live session behind a cookie value and its (active) user.
pub async fn current_with_user(
    state: &AppState,
    cookie_value: Option<&str>,
    now: i64,
) -> Result<Option<(SessionRow, UserRow)>> {
    let Some(session) = current(state, cookie_value, now).await? else {
        return Ok(None);
    };
    let user = state.store().find_active_user(&session.user_id).await?;
    Ok(user.map(|user| (session, user)))
}

/// Starts a new session for `user_id` that used `amr`, the password last entered at
/// `auth_time`, replacing the browser's old session (`replacing`, a cookie value) if any.
pub async fn start(
    state: &AppState,
    user_id: &str,
    amr: Amr,
    auth_time: i64,
    replacing: Option<&str>,
    now: i64,
) -> Result<NewSession> {
    let store = state.store();
    if let Some(old) = replacing {
        store.delete_session(&secret::hash(old)).await?;
    }
    let config = state.config();
    let cookie_value = secret::generate();
    let row = SessionRow {
        id_hash: secret::hash(&cookie_value),
        user_id: user_id.to_string(),
        auth_time,
        amr,
        created_at: now,
        last_seen_at: now,
        idle_expires_at: now + config.session_idle_ttl.min(config.session_absolute_ttl),
        expires_at: now + config.session_absolute_ttl,
    };
    store.insert_session(&row).await?;
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
/// its unexchanged codes and half-done step-ups.
pub async fn end(state: &AppState, id_hash: &str, revoke: RevokeOnEnd<'_>, now: i64) -> Result<()> {
    let store = state.store();
    let filter = match revoke {
        RevokeOnEnd::Nothing => None,
        RevokeOnEnd::Client(client_id) => Some(FamilyFilter::Client(client_id)),
        RevokeOnEnd::AllClients => Some(FamilyFilter::AllClients),
    };
    if let Some(filter) = filter {
        for family in store.refresh_families_for_session(id_hash, filter).await? {
            store.revoke_refresh_family(&family, now).await?;
        }
    }
    store.delete_session(id_hash).await?;
    Ok(())
}

/// Signs a user out everywhere and revokes every refresh family (an administrator reset the
/// password or disabled the account; access tokens die through `tokens_valid_after`).
pub async fn end_all_for_user(store: &Store, user_id: &str, now: i64) -> Result<()> {
    for family in store.refresh_families_for_user(user_id).await? {
        store.revoke_refresh_family(&family, now).await?;
    }
    store.delete_user_sessions(user_id).await?;
    Ok(())
}

/// What the protocol core needs to know of a session. A session that passed the second
/// factor needs no step-up whatever the enrolment says, so the lookup is spared then.
pub async fn view(state: &AppState, session: &SessionRow) -> Result<SessionView> {
    let mfa_enrolled =
        session.amr.has_second_factor() || state.store().totp_enabled(&session.user_id).await?;
    Ok(SessionView {
        user_id: session.user_id.clone(),
        auth_time: session.auth_time,
        amr: session.amr.clone(),
        mfa_enrolled,
    })
}
