//! Which client a request names, when it is not one of the configuration's: a client
//! registered at `/register` (RFC 7591), read from the database on every request so every
//! instance knows it at once; or a Client ID Metadata Document (`metadata_document`). The client found is
//! admitted into the request's [`AppState`] snapshot (`AppState::with_visiting_client`),
//! where `AppState::client` finds it like a configured one. A configured client always wins
//! a clash of names; a registered client that cannot be admitted is simply unknown, and the
//! endpoint answers as it does for any unknown client; a metadata document that cannot be
//! used is a refusal (`AdmitError::Refused`): an error page in the browser, `invalid_client`
//! at the endpoints.
use std::fmt;

use super::error::Error;
use super::metadata_document;
use crate::oauth::client::{Client, ClientOrigin};
use crate::oauth::client_metadata::{self, ClientMetadata, MetadataError};
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::registered_clients::RegisteredClientRow;

/// A registered client's `last_used_at` is written at most this often (seconds).
const TOUCH_INTERVAL: i64 = 3600;

/// What every client id Tessera hands out at `/register` starts with: an id without it is
/// never looked up, so a mistyped or made-up client id costs no database round trip.
pub const REGISTERED_ID_PREFIX: &str = "dyn-";

/// Why a client could not be admitted.
#[derive(Debug)]
pub enum AdmitError {
    /// The database failed.
    Store(StoreError),
    /// The client's metadata could not be had, or the policy refuses it.
    Refused(MetadataError),
}

impl fmt::Display for AdmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Store(e) => write!(f, "database: {e}"),
            Self::Refused(e) => write!(f, "client refused: {e}"),
        }
    }
}

impl From<StoreError> for AdmitError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<AdmitError> for Error {
    fn from(e: AdmitError) -> Self {
        match e {
            AdmitError::Store(e) => e.into(),
            AdmitError::Refused(why) => OAuthError::invalid_client(why.description).into(),
        }
    }
}

/// The request's state with the client `client_id` admitted: the state as it is for a
/// configured (or unknown) client, a snapshot that also knows a registered one.
pub async fn admit(state: &AppState, client_id: &str, now: i64) -> Result<AppState, AdmitError> {
    if state.is_configured_client(client_id) {
        return Ok(state.clone());
    }
    if metadata_document::applies(state, client_id) {
        let client = metadata_document::admit(state, client_id, now)
            .await
            .map_err(AdmitError::Refused)?;
        return Ok(state.with_visiting_client(client));
    }
    if state.config().dynamic_registration.is_on()
        && client_id.starts_with(REGISTERED_ID_PREFIX)
        && let Some(client) = registered(state, client_id, now).await?
    {
        return Ok(state.with_visiting_client(client));
    }
    Ok(state.clone())
}

/// As [`admit`], for the client a request's parameters name (`client_id`, sent once; a
/// repeated one is refused later, as ever).
pub async fn admit_named(state: &AppState, params: &Params, now: i64) -> Result<AppState, Error> {
    Ok(admit_named_or_refused(state, params, now)
        .await?
        .map_err(AdmitError::Refused)?)
}

/// As [`admit_named`], with a client that cannot be admitted (a metadata document that
/// cannot be used) kept apart from a failure: a page explains it to the person, where an
/// endpoint answers `invalid_client`.
pub async fn admit_named_or_refused(
    state: &AppState,
    params: &Params,
    now: i64,
) -> Result<Result<AppState, MetadataError>, Error> {
    match params.get("client_id") {
        Some(client_id) if !params.is_duplicated("client_id") => {
            match admit(state, client_id, now).await {
                Ok(admitted) => Ok(Ok(admitted)),
                Err(AdmitError::Refused(why)) => Ok(Err(why)),
                Err(AdmitError::Store(e)) => Err(e.into()),
            }
        }
        _ => Ok(Ok(state.clone())),
    }
}

/// The name of the client `client_id` for a page that lists clients (the account's
/// consents): a configured client's, else a registered one's (reading it is no use), else
/// the id itself.
pub async fn display_name(state: &AppState, client_id: &str) -> Result<String, AdmitError> {
    if let Some(client) = state.client(client_id) {
        return Ok(client.name.clone());
    }
    if !client_id.starts_with(REGISTERED_ID_PREFIX) {
        return Ok(client_id.to_string());
    }
    let row = state.store().find_registered_client(client_id).await?;
    Ok(row
        .and_then(|row| client_of(state, &row))
        .map_or_else(|| client_id.to_string(), |client| client.name))
}

/// The registered client `client_id`, as the current policy makes it; marks it used.
async fn registered(
    state: &AppState,
    client_id: &str,
    now: i64,
) -> Result<Option<Client>, AdmitError> {
    let Some(row) = state.store().find_registered_client(client_id).await? else {
        return Ok(None);
    };
    let Some(client) = client_of(state, &row) else {
        return Ok(None);
    };
    if row.last_used_at < now - TOUCH_INTERVAL {
        state
            .store()
            .touch_registered_client(client_id, now, now - TOUCH_INTERVAL)
            .await?;
    }
    Ok(Some(client))
}

/// The client a stored registration describes; none (logged) when the policy, narrowed
/// since, refuses it now, or the row is damaged.
pub fn client_of(state: &AppState, row: &RegisteredClientRow) -> Option<Client> {
    let meta: ClientMetadata = match serde_json::from_str(&row.metadata) {
        Ok(meta) => meta,
        Err(e) => {
            tracing::error!(client_id = %row.client_id, error = %e, "a registered client's stored metadata does not parse");
            return None;
        }
    };
    let policy = state.dynamic_client_policy();
    match client_metadata::to_client(&meta, &row.client_id, ClientOrigin::Registered, policy) {
        Ok(client) => Some(client),
        Err(why) => {
            tracing::warn!(client_id = %row.client_id, %why, "a registered client no longer passes the dynamic client policy");
            None
        }
    }
}
