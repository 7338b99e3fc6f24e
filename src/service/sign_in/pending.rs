//! The pending sign-in: a sign-in that passed its first factor (or a password-only session
//! being stepped up) and waits for the second step. It is a row behind a random cookie, with
//! no session that counts until the second step passes.
use crate::auth::secret;
use crate::oauth::amr::Amr;
use crate::service::error::Result;
use crate::state::AppState;
pub use crate::store::pending_sign_ins::PendingSignIn;

/// A pending sign-in expires after five minutes.
pub const PENDING_TTL: i64 = 5 * 60;

/// A pending sign-in just started: its cookie value for the browser.
pub struct NewPendingSignIn {
    pub cookie_value: String,
}

impl std::fmt::Debug for NewPendingSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPendingSignIn(redacted)")
    }
}

/// Who waits for a second step, after which first factor, and since when.
#[derive(Debug, Clone)]
pub struct PendingStart<'a> {
    pub user_id: &'a str,
    /// The methods the first factor proved (`pwd`, `fed`).
    pub first_factor: Amr,
    /// When the first factor was proved: the auth_time of the session this becomes.
    pub first_factor_at: i64,
    /// The one-factor session (its id hash) this steps up, which the new one replaces;
    /// `None` for a sign-in.
    pub steps_up: Option<&'a str>,
}

/// Starts a pending sign-in at `now`.
pub async fn start(
    state: &AppState,
    start: PendingStart<'_>,
    now: i64,
) -> Result<NewPendingSignIn> {
    let cookie_value = secret::generate();
    state
        .store()
        .insert_pending_sign_in(&PendingSignIn {
            id_hash: secret::hash(&cookie_value),
            user_id: start.user_id.to_string(),
            replaces_session_hash: start.steps_up.map(str::to_string),
            first_factor: start.first_factor,
            auth_time: start.first_factor_at,
            created_at: now,
            expires_at: now + PENDING_TTL,
        })
        .await?;
    Ok(NewPendingSignIn { cookie_value })
}

/// The pending sign-in behind a cookie value, if it has not expired.
pub async fn find(
    state: &AppState,
    cookie_value: Option<&str>,
    now: i64,
) -> Result<Option<PendingSignIn>> {
    let Some(value) = cookie_value else {
        return Ok(None);
    };
    Ok(state
        .store()
        .find_pending_sign_in(&secret::hash(value), now)
        .await?)
}

/// Whether the user's second step may be a code (TOTP is on); a user with passkeys only is
/// asked for a passkey alone.
pub async fn code_accepted(state: &AppState, pending: &PendingSignIn) -> Result<bool> {
    Ok(state.store().totp_enabled(&pending.user_id).await?)
}
