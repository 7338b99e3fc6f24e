//! The browser's signed-in session with its active user, as a page holds it between reading
//! the cookie and calling a use case. Its database rows stay inside the service layer: a
//! page reads only what it shows (`email`), and hands the whole value back to the use case
//! that acts for the user (account, consent, second factors, passkeys).
use super::error::Result;
use crate::auth::secret;
use crate::state::AppState;
use crate::store::sessions::SessionRow;
use crate::store::users::UserRow;

pub struct SignedIn {
    pub(in crate::service) session: SessionRow,
    pub(in crate::service) user: UserRow,
}

impl SignedIn {
    pub fn user_id(&self) -> &str {
        &self.user.id
    }

    pub fn email(&self) -> &str {
        &self.user.email
    }

    /// Whether the user confirmed their address (the `email_verified` claim).
    pub fn email_verified(&self) -> bool {
        self.user.email_verified
    }
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("user_id", &self.user.id)
            .finish_non_exhaustive()
    }
}

/// The live session behind a session cookie value, if its user is active: one statement
/// reads both.
pub async fn signed_in(
    state: &AppState,
    session_cookie: Option<&str>,
    now: i64,
) -> Result<Option<SignedIn>> {
    let Some(value) = session_cookie else {
        return Ok(None);
    };
    let idle_ttl = state.config().session_idle_ttl;
    let found = state
        .store()
        .find_active_session_with_user(&secret::hash(value), now, idle_ttl)
        .await?;
    Ok(found.map(|(session, user)| SignedIn { session, user }))
}
