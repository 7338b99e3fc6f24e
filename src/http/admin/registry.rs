//! `/clients` and `/resources`: the registrations of `config.toml`, read only (a change is a
//! change of the file and a reload), never a secret or a secret's hash; and a client's
//! refresh tokens revoked.
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::PathParams;
use super::problem::Problem;
use super::users::Revoked;
use crate::service::admin::{access, registry};
use crate::state::AppState;

/// A registered client (its secret hash is never shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct Client {
    pub client_id: String,
    pub client_name: String,
    pub token_endpoint_auth_method: String,
    pub confidential: bool,
    pub grant_types: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    /// The APIs it may ask tokens for.
    pub resources: Vec<String>,
    pub skip_consent: bool,
    pub require_mfa: bool,
    pub backchannel_logout_uri: Option<String>,
    pub jwks_uri: Option<String>,
    pub id_token_signed_response_alg: String,
    /// `config` (config.toml, changed there) or `registered` (at `/register`, RFC 7591).
    pub origin: String,
}

impl From<registry::ClientView> for Client {
    fn from(c: registry::ClientView) -> Self {
        Self {
            client_id: c.client_id,
            client_name: c.client_name,
            token_endpoint_auth_method: c.token_endpoint_auth_method.to_string(),
            confidential: c.confidential,
            grant_types: c.grant_types.iter().map(|g| g.to_string()).collect(),
            redirect_uris: c.redirect_uris,
            post_logout_redirect_uris: c.post_logout_redirect_uris,
            scopes: c.scopes,
            resources: c.resources,
            skip_consent: c.skip_consent,
            require_mfa: c.require_mfa,
            backchannel_logout_uri: c.backchannel_logout_uri,
            jwks_uri: c.jwks_uri,
            id_token_signed_response_alg: c.id_token_signed_response_alg.to_string(),
            origin: c.origin.to_string(),
        }
    }
}

/// List the registered clients.
#[utoipa::path(get, path = "/clients", tag = "clients",
    responses((status = 200, description = "The clients of config.toml, then those registered \
        at /register (RFC 7591)", body = Vec<Client>)))]
pub async fn list_clients(State(state): State<AppState>) -> Result<Json<Vec<Client>>, Problem> {
    let clients = registry::clients(&state).await?;
    Ok(Json(clients.into_iter().map(Client::from).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ClientId {
    /// The client's `client_id`.
    pub client_id: String,
}

/// Read one registered client.
#[utoipa::path(get, path = "/clients/{client_id}", tag = "clients", params(ClientId),
    responses((status = 200, description = "The client", body = Client)))]
pub async fn get_client(
    State(state): State<AppState>,
    PathParams(path): PathParams<ClientId>,
) -> Result<Json<Client>, Problem> {
    Ok(Json(
        registry::client(&state, &path.client_id).await?.into(),
    ))
}

/// Revoke every refresh token of a client.
#[utoipa::path(delete, path = "/clients/{client_id}/refresh-tokens", tag = "clients",
    params(ClientId),
    responses((status = 200, description = "Every refresh token of the client revoked, whoever's \
        (a client no longer registered too), with the access tokens issued from them",
        body = Revoked)))]
pub async fn revoke_client_refresh_tokens(
    State(state): State<AppState>,
    PathParams(path): PathParams<ClientId>,
) -> Result<Json<Revoked>, Problem> {
    let revoked =
        access::revoke_client_refresh_tokens(&state, &path.client_id, state.now()).await?;
    Ok(Json(Revoked {
        revoked_families: revoked,
    }))
}

/// A registered API (its introspection secret's hash is never shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct Resource {
    pub identifier: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub access_token_ttl: i64,
    pub access_token_signed_response_alg: String,
    /// It may call `/introspect`.
    pub introspects: bool,
    /// Tessera's own admin API.
    pub built_in: bool,
}

/// List the registered APIs.
#[utoipa::path(get, path = "/resources", tag = "clients",
    responses((status = 200, description = "The registered APIs, then the built-in admin API",
        body = Vec<Resource>)))]
pub async fn list_resources(State(state): State<AppState>) -> Json<Vec<Resource>> {
    let resources = registry::resources(&state);
    Json(
        resources
            .into_iter()
            .map(|r| Resource {
                identifier: r.identifier,
                name: r.name,
                scopes: r.scopes,
                access_token_ttl: r.access_token_ttl,
                access_token_signed_response_alg: r.access_token_signed_response_alg.to_string(),
                introspects: r.introspects,
                built_in: r.built_in,
            })
            .collect(),
    )
}
