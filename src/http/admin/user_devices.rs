//! A user's sessions, consents, linked identities and passkeys: each listed, and ended or
//! removed one at a time (sessions all at once too).
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::PathParams;
use super::problem::Problem;
use super::users::UserId;
use crate::service::admin::{UserKey, devices};
use crate::state::AppState;

/// A live browser session (never its cookie).
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    /// Names the session here and on the user's account page.
    pub id: String,
    /// The methods proved (RFC 8176), e.g. `["pwd", "otp"]`.
    pub amr: Vec<String>,
    /// When the first factor was proved (unix seconds).
    pub auth_time: i64,
    pub started_at: i64,
    pub last_seen_at: i64,
    /// When it ends unless used again (or at the latest).
    pub expires_at: i64,
    /// The browser it started in (truncated), when known.
    pub user_agent: Option<String>,
    /// The address it started from, when known.
    pub address: Option<String>,
}

impl From<devices::SessionView> for Session {
    fn from(s: devices::SessionView) -> Self {
        Self {
            id: s.handle,
            amr: s.amr,
            auth_time: s.auth_time,
            started_at: s.started_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
            user_agent: s.user_agent,
            address: s.address,
        }
    }
}

/// List a user's sessions.
#[utoipa::path(get, path = "/users/{id}/sessions", tag = "sessions", params(UserId),
    responses((status = 200, description = "Live sessions, newest first", body = Vec<Session>)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
) -> Result<Json<Vec<Session>>, Problem> {
    let sessions = devices::list_sessions(&state, id.key(), state.now()).await?;
    Ok(Json(sessions.into_iter().map(Session::from).collect()))
}

/// How many sessions ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ended {
    pub ended_sessions: u64,
}

/// End every session of a user.
#[utoipa::path(delete, path = "/users/{id}/sessions", tag = "sessions", params(UserId),
    responses((status = 200, description = "Every session ended (apps told by back-channel \
        logout) and every refresh token revoked", body = Ended)))]
pub async fn end_all_sessions(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
) -> Result<Json<Ended>, Problem> {
    let ended = devices::end_all_sessions(&state, id.key(), state.now()).await?;
    Ok(Json(Ended {
        ended_sessions: ended,
    }))
}

/// The path of one of a user's things: `{id}` the user's id, then the thing's.
macro_rules! item_path {
    ($name:ident, $field:ident, $what:literal) => {
        #[derive(Debug, Deserialize, IntoParams)]
        #[into_params(parameter_in = Path)]
        pub struct $name {
            /// The user's id.
            pub id: String,
            #[doc = $what]
            pub $field: String,
        }

        impl $name {
            fn key(&self) -> UserKey<'_> {
                UserKey::Id(&self.id)
            }
        }
    };
}

item_path!(
    SessionPath,
    session_id,
    "The session's id, as the list shows it."
);
item_path!(ConsentPath, client_id, "The client the user allowed.");
item_path!(
    IdentityPath,
    upstream_id,
    "The upstream's id in config.toml."
);
item_path!(
    PasskeyPath,
    passkey_id,
    "The passkey's id, as the list shows it."
);

/// End one session of a user.
#[utoipa::path(delete, path = "/users/{id}/sessions/{session_id}", tag = "sessions",
    params(SessionPath),
    responses((status = 204, description = "Ended; its refresh tokens revoked, its apps told")))]
pub async fn end_session(
    State(state): State<AppState>,
    PathParams(path): PathParams<SessionPath>,
) -> Result<StatusCode, Problem> {
    devices::end_session(&state, path.key(), &path.session_id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An app the user allowed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Consent {
    pub client_id: String,
    pub client_name: String,
    pub scope: Vec<String>,
}

/// List the apps a user allowed.
#[utoipa::path(get, path = "/users/{id}/consents", tag = "consents", params(UserId),
    responses((status = 200, description = "The apps the user allowed", body = Vec<Consent>)))]
pub async fn list_consents(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
) -> Result<Json<Vec<Consent>>, Problem> {
    let consents = devices::list_consents(&state, id.key()).await?;
    Ok(Json(
        consents
            .into_iter()
            .map(|c| Consent {
                client_id: c.client_id,
                client_name: c.client_name,
                scope: c.scope,
            })
            .collect(),
    ))
}

/// Withdraw a user's consent for one app.
#[utoipa::path(delete, path = "/users/{id}/consents/{client_id}", tag = "consents",
    params(ConsentPath),
    responses((status = 204, description = "Withdrawn; that app's refresh tokens for the user \
        revoked")))]
pub async fn withdraw_consent(
    State(state): State<AppState>,
    PathParams(path): PathParams<ConsentPath>,
) -> Result<StatusCode, Problem> {
    devices::withdraw_consent(&state, path.key(), &path.client_id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An identity at an upstream provider linked to the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Identity {
    pub upstream_id: String,
    pub upstream_name: String,
    pub subject: String,
    pub account_name: Option<String>,
    pub linked_at: i64,
    pub last_used_at: i64,
}

/// List a user's linked identities.
#[utoipa::path(get, path = "/users/{id}/identities", tag = "identities", params(UserId),
    responses((status = 200, description = "Linked identities, oldest first", body = Vec<Identity>)))]
pub async fn list_identities(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
) -> Result<Json<Vec<Identity>>, Problem> {
    let identities = devices::list_identities(&state, id.key()).await?;
    Ok(Json(
        identities
            .into_iter()
            .map(|i| Identity {
                upstream_id: i.upstream_id,
                upstream_name: i.upstream_name,
                subject: i.subject,
                account_name: i.account_name,
                linked_at: i.linked_at,
                last_used_at: i.last_used_at,
            })
            .collect(),
    ))
}

/// Unlink a user's identity at one upstream.
#[utoipa::path(delete, path = "/users/{id}/identities/{upstream_id}", tag = "identities",
    params(IdentityPath),
    responses((status = 204, description = "Unlinked"),
        (status = 409, description = "The account's last way to sign in (`last-way-to-sign-in`)")))]
pub async fn unlink_identity(
    State(state): State<AppState>,
    PathParams(path): PathParams<IdentityPath>,
) -> Result<StatusCode, Problem> {
    devices::unlink_identity(&state, path.key(), &path.upstream_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A registered passkey.
#[derive(Debug, Serialize, ToSchema)]
pub struct Passkey {
    /// The credential ID (base64url).
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// Synced by a passkey provider rather than bound to one device.
    pub synced: bool,
}

/// List a user's passkeys.
#[utoipa::path(get, path = "/users/{id}/passkeys", tag = "passkeys", params(UserId),
    responses((status = 200, description = "Passkeys, oldest first", body = Vec<Passkey>)))]
pub async fn list_passkeys(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
) -> Result<Json<Vec<Passkey>>, Problem> {
    let passkeys = devices::list_passkeys(&state, id.key()).await?;
    Ok(Json(
        passkeys
            .into_iter()
            .map(|p| Passkey {
                id: p.id,
                name: p.name,
                created_at: p.created_at,
                last_used_at: p.last_used_at,
                synced: p.synced,
            })
            .collect(),
    ))
}

/// Remove one of a user's passkeys.
#[utoipa::path(delete, path = "/users/{id}/passkeys/{passkey_id}", tag = "passkeys",
    params(PasskeyPath),
    responses((status = 204, description = "Removed (a lost device)")))]
pub async fn remove_passkey(
    State(state): State<AppState>,
    PathParams(path): PathParams<PasskeyPath>,
) -> Result<StatusCode, Problem> {
    devices::remove_passkey(&state, path.key(), &path.passkey_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
