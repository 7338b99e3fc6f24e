//! Dynamic Client Registration (RFC 7591 §3) and its management (RFC 7592 §2): a client
//! registers its metadata at `/register` and gets a random `client_id` and a registration
//! access token (stored hashed), with which it reads, replaces or deletes its registration
//! at `/register/{client_id}`. Every registration is held to the policy for clients nobody
//! configured (`oauth::client_metadata`), counted per address, and never takes the name of a
//! configured client.
use std::fmt;
use std::net::IpAddr;

use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::error::Error;
use super::{clients, throttle};
use crate::audit::{AuditEvent, EventType};
use crate::auth::secret;
use crate::config::DynamicRegistration;
use crate::oauth::client_metadata::{self, ClientMetadata, MetadataError};
use crate::routes;
use crate::state::AppState;
use crate::store::registered_clients::RegisteredClientRow;

/// A registration as the endpoint answers it (RFC 7591 §3.2.1, RFC 7592 §3).
pub struct Registration {
    pub client_id: String,
    pub issued_at: i64,
    pub registration_access_token: String,
    pub registration_client_uri: String,
    /// The metadata as registered, with what the client left out filled in.
    pub metadata: ClientMetadata,
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("client_id", &self.client_id)
            .field("registration_access_token", &"(redacted)")
            .finish_non_exhaustive()
    }
}

impl Registration {
    /// The client information response: the metadata and the registration's own fields.
    pub fn to_json(&self) -> Value {
        let mut body = match serde_json::to_value(&self.metadata) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        body.insert("client_id".into(), self.client_id.clone().into());
        body.insert("client_id_issued_at".into(), self.issued_at.into());
        body.insert(
            "registration_access_token".into(),
            self.registration_access_token.clone().into(),
        );
        body.insert(
            "registration_client_uri".into(),
            self.registration_client_uri.clone().into(),
        );
        Value::Object(body)
    }
}

/// Why a registration request fails.
#[derive(Debug)]
pub enum RegistrationError {
    /// Registration is off (`dynamic_registration = "off"`): the endpoint does not exist.
    Off,
    /// RFC 7591 §3.2.2: the metadata is refused (`invalid_redirect_uri`, …), a 400.
    Metadata(MetadataError),
    /// The initial or registration access token is missing or wrong, or names no
    /// registration (RFC 7592 §2.1, RFC 6750 §3.1 `invalid_token`), a 401.
    InvalidToken,
    /// Throttled, or an internal failure.
    Service(Error),
}

impl<E: Into<Error>> From<E> for RegistrationError {
    fn from(e: E) -> Self {
        Self::Service(e.into())
    }
}

type Result<T> = std::result::Result<T, RegistrationError>;

/// `POST /register`: the metadata (already parsed from the JSON body), the `Authorization`
/// bearer token if any (the initial access token), and the caller's address.
pub async fn register(
    state: &AppState,
    metadata: ClientMetadata,
    bearer: Option<&str>,
    ip: IpAddr,
    now: i64,
) -> Result<Registration> {
    match state.config().dynamic_registration {
        DynamicRegistration::Off => return Err(RegistrationError::Off),
        DynamicRegistration::Open => {}
        DynamicRegistration::InitialToken => check_initial_token(state, bearer)?,
    }
    let registered = client_metadata::registered(&metadata, state.dynamic_client_policy())
        .map_err(RegistrationError::Metadata)?;
    // Counted once the request is well-formed, so a client fixing its metadata is not
    // locked out; every registration that gets this far counts.
    throttle::reserve(
        state.store(),
        throttle::client_registration_limit(state.config(), ip),
        now,
    )
    .await?
    .fail()
    .await?;
    let client_id = new_client_id(state);
    let token = secret::generate();
    state
        .store()
        .insert_registered_client(&RegisteredClientRow {
            client_id: client_id.clone(),
            metadata: stored(&metadata)?,
            registration_token_hash: secret::hash(&token),
            created_at: now,
            updated_at: now,
            last_used_at: now,
        })
        .await?;
    state.audit().record(
        AuditEvent::success(EventType::ClientRegistered)
            .client(&client_id)
            .detail("token_endpoint_auth_method", method_of(&registered)),
    );
    Ok(answer(state, client_id, now, token, registered))
}

/// `GET /register/{client_id}` (RFC 7592 §2.1).
pub async fn read(state: &AppState, client_id: &str, bearer: Option<&str>) -> Result<Registration> {
    let (row, token) = authorized(state, client_id, bearer).await?;
    let metadata = registered_metadata(state, &row)?;
    Ok(answer(
        state,
        row.client_id,
        row.created_at,
        token,
        metadata,
    ))
}

/// `PUT /register/{client_id}` (RFC 7592 §2.2): the metadata replaced whole, checked as a
/// new registration is. The body's `client_id` must be this one.
pub async fn update(
    state: &AppState,
    client_id: &str,
    metadata: ClientMetadata,
    bearer: Option<&str>,
    now: i64,
) -> Result<Registration> {
    let (row, token) = authorized(state, client_id, bearer).await?;
    if metadata.client_id.as_deref() != Some(client_id) {
        return Err(RegistrationError::Metadata(
            MetadataError::invalid_client_metadata(
                "client_id must be given, and be this registration's",
            ),
        ));
    }
    let registered = client_metadata::registered(&metadata, state.dynamic_client_policy())
        .map_err(RegistrationError::Metadata)?;
    if !state
        .store()
        .update_registered_client(client_id, &stored(&metadata)?, now)
        .await?
    {
        return Err(RegistrationError::InvalidToken);
    }
    state.audit().record(
        AuditEvent::success(EventType::ClientRegistrationUpdated)
            .client(client_id)
            .detail("token_endpoint_auth_method", method_of(&registered)),
    );
    Ok(answer(
        state,
        row.client_id,
        row.created_at,
        token,
        registered,
    ))
}

/// `DELETE /register/{client_id}` (RFC 7592 §2.3): the registration, its refresh tokens
/// and what users consented to for it are gone; its token no longer works.
pub async fn delete(
    state: &AppState,
    client_id: &str,
    bearer: Option<&str>,
    now: i64,
) -> Result<()> {
    authorized(state, client_id, bearer).await?;
    forget(state, client_id, "registration_access_token", now).await?;
    Ok(())
}

/// Deletes a registration and revokes what it was granted, as removing a client from the
/// configuration and revoking its tokens would (`by` says who: the client itself, an
/// administrator, or the purge of idle registrations). False when there was none.
pub async fn forget(
    state: &AppState,
    client_id: &str,
    by: &'static str,
    now: i64,
) -> std::result::Result<bool, Error> {
    if !state.store().delete_registered_client(client_id).await? {
        return Ok(false);
    }
    let store = state.store();
    let families = store.refresh_families_of_client(client_id).await?;
    for family in &families {
        store.revoke_refresh_family(family, now).await?;
    }
    let consents = store.delete_consents_of_client(client_id).await?;
    state.audit().record(
        AuditEvent::success(EventType::ClientRegistrationDeleted)
            .client(client_id)
            .detail("by", by)
            .detail("refresh_families_revoked", families.len())
            .detail("consents_removed", consents),
    );
    Ok(true)
}

/// The registration `client_id` and the token presented for it, if that token is its
/// registration access token; any failure is the same `invalid_token`, so nobody learns
/// which client ids exist. A configured client is never managed here.
async fn authorized(
    state: &AppState,
    client_id: &str,
    bearer: Option<&str>,
) -> Result<(RegisteredClientRow, String)> {
    if !state.config().dynamic_registration.is_on() {
        return Err(RegistrationError::Off);
    }
    let token = bearer.ok_or(RegistrationError::InvalidToken)?;
    if state.is_configured_client(client_id) {
        return Err(RegistrationError::InvalidToken);
    }
    let row = state
        .store()
        .find_registered_client(client_id)
        .await?
        .ok_or(RegistrationError::InvalidToken)?;
    let presented = secret::hash(token);
    if !bool::from(
        presented
            .as_bytes()
            .ct_eq(row.registration_token_hash.as_bytes()),
    ) {
        return Err(RegistrationError::InvalidToken);
    }
    Ok((row, token.to_string()))
}

fn check_initial_token(state: &AppState, bearer: Option<&str>) -> Result<()> {
    let expected = state.config().dynamic_registration_token().map_err(|why| {
        tracing::error!(%why, "dynamic registration: the initial access token cannot be read");
        RegistrationError::InvalidToken
    })?;
    let presented = bearer.ok_or(RegistrationError::InvalidToken)?;
    // Compared as hashes: equal lengths, so the comparison's time tells nothing.
    let matches = secret::hash(presented)
        .as_bytes()
        .ct_eq(secret::hash(&expected).as_bytes());
    if bool::from(matches) {
        Ok(())
    } else {
        Err(RegistrationError::InvalidToken)
    }
}

/// A random client id that no configured client has (config wins any clash, and a
/// registration must never be shadowed by one added later: the id is too random for that).
fn new_client_id(state: &AppState) -> String {
    loop {
        let id = format!("{}{}", clients::REGISTERED_ID_PREFIX, secret::generate());
        if !state.is_configured_client(&id) {
            return id;
        }
    }
}

/// The metadata as it is kept: as the client sent it, without the id it may have named.
fn stored(metadata: &ClientMetadata) -> std::result::Result<String, Error> {
    let kept = ClientMetadata {
        client_id: None,
        ..metadata.clone()
    };
    serde_json::to_string(&kept).map_err(|e| crate::store::corrupt("metadata", e).into())
}

/// A stored registration's metadata as the current policy registers it; one the policy
/// now refuses reads as refused, so the client learns why it no longer works.
fn registered_metadata(state: &AppState, row: &RegisteredClientRow) -> Result<ClientMetadata> {
    let meta: ClientMetadata = serde_json::from_str(&row.metadata).map_err(|_| {
        RegistrationError::Metadata(MetadataError::invalid_client_metadata(
            "the stored registration cannot be read",
        ))
    })?;
    client_metadata::registered(&meta, state.dynamic_client_policy())
        .map_err(RegistrationError::Metadata)
}

fn answer(
    state: &AppState,
    client_id: String,
    issued_at: i64,
    token: String,
    metadata: ClientMetadata,
) -> Registration {
    let registration_client_uri = format!(
        "{}{}",
        state.issuer().trim_end_matches('/'),
        routes::registration_client(&client_id)
    );
    Registration {
        client_id,
        issued_at,
        registration_access_token: token,
        registration_client_uri,
        metadata,
    }
}

fn method_of(metadata: &ClientMetadata) -> String {
    metadata
        .token_endpoint_auth_method
        .clone()
        .unwrap_or_default()
}

/// The clients registered here, as the current policy makes them (for the CLI and the
/// admin API): the rows, and for each the client or `None` when the policy refuses it now.
pub async fn list(
    state: &AppState,
) -> std::result::Result<Vec<(RegisteredClientRow, Option<crate::oauth::client::Client>)>, Error> {
    let rows = state.store().list_registered_clients().await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let client = clients::client_of(state, &row);
            (row, client)
        })
        .collect())
}
