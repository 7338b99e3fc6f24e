//! The clients and APIs registered in `config.toml` (and the built-in admin API), and the
//! clients registered at `/register` (RFC 7591), as an administrator may see them: every
//! setting but a secret or a secret's hash.
use super::{AdminError, Result};
use crate::config::{ADMIN_API, ClientConfig, ResourceConfig};
use crate::oauth::client::{AuthMethod, Client};
use crate::service::client_registration;
use crate::state::AppState;

/// A registered client, without its secret hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientView {
    pub client_id: String,
    pub client_name: String,
    pub token_endpoint_auth_method: &'static str,
    /// Public clients (`none`) have no credential.
    pub confidential: bool,
    pub grant_types: Vec<&'static str>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    pub resources: Vec<String>,
    pub skip_consent: bool,
    pub require_mfa: bool,
    pub backchannel_logout_uri: Option<String>,
    pub jwks_uri: Option<String>,
    pub id_token_signed_response_alg: &'static str,
    /// `config` (config.toml) or `registered` (at `/register`).
    pub origin: &'static str,
}

impl From<&ClientConfig> for ClientView {
    fn from(client: &ClientConfig) -> Self {
        let method = client.token_endpoint_auth_method;
        Self {
            client_id: client.client_id.clone(),
            client_name: client
                .client_name
                .clone()
                .unwrap_or_else(|| client.client_id.clone()),
            token_endpoint_auth_method: method.as_str(),
            confidential: method != crate::oauth::client::AuthMethod::None,
            grant_types: client.grant_types.iter().map(|g| g.as_str()).collect(),
            redirect_uris: client.redirect_uris.clone(),
            post_logout_redirect_uris: client.post_logout_redirect_uris.clone(),
            scopes: client.scopes.clone(),
            resources: client.resources.clone(),
            skip_consent: client.skip_consent,
            require_mfa: client.require_mfa,
            backchannel_logout_uri: client.backchannel_logout_uri.clone(),
            jwks_uri: client.jwks_uri.clone(),
            id_token_signed_response_alg: client.id_token_signed_response_alg.as_str(),
            origin: "config",
        }
    }
}

impl From<&Client> for ClientView {
    /// A client registered at `/register`, as the current policy makes it.
    fn from(client: &Client) -> Self {
        let jwks_uri = match client.private_key_jwt.as_ref().map(|p| &p.keys) {
            Some(crate::oauth::client_assertion::JwkSource::Uri(uri)) => Some(uri.clone()),
            _ => None,
        };
        Self {
            client_id: client.id.clone(),
            client_name: client.name.clone(),
            token_endpoint_auth_method: client.auth_method.as_str(),
            confidential: client.auth_method != AuthMethod::None,
            grant_types: client.grant_types.iter().map(|g| g.as_str()).collect(),
            redirect_uris: client.redirect_uris.clone(),
            post_logout_redirect_uris: client.post_logout_redirect_uris.clone(),
            scopes: client.allowed_scopes.clone(),
            resources: client
                .resources
                .iter()
                .map(|r| r.identifier.clone())
                .collect(),
            skip_consent: client.skip_consent,
            require_mfa: client.require_mfa,
            backchannel_logout_uri: client.backchannel_logout_uri.clone(),
            jwks_uri,
            id_token_signed_response_alg: client.id_token_signed_response_alg.as_str(),
            origin: client.origin.as_str(),
        }
    }
}

/// The clients of the file, in its order, then those registered at `/register` (oldest
/// first) that the current policy still admits.
pub async fn clients(state: &AppState) -> Result<Vec<ClientView>> {
    let mut views: Vec<ClientView> = state
        .config()
        .clients
        .iter()
        .map(ClientView::from)
        .collect();
    for (_, client) in client_registration::list(state).await? {
        if let Some(client) = client.filter(|c| !state.is_configured_client(&c.id)) {
            views.push(ClientView::from(&client));
        }
    }
    Ok(views)
}

pub async fn client(state: &AppState, client_id: &str) -> Result<ClientView> {
    let configured = state
        .config()
        .clients
        .iter()
        .find(|c| c.client_id == client_id);
    if let Some(client) = configured {
        return Ok(ClientView::from(client));
    }
    let registered = client_registration::list(state).await?;
    registered
        .into_iter()
        .find_map(|(row, client)| client.filter(|_| row.client_id == client_id))
        .map(|client| ClientView::from(&client))
        .ok_or_else(|| AdminError::NotFound(format!("no client {client_id}")))
}

/// A registered API, without its introspection secret's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceView {
    pub identifier: String,
    pub name: String,
    pub scopes: Vec<String>,
    /// Seconds its access tokens live (the server's `access_token_ttl` when not its own).
    pub access_token_ttl: i64,
    pub access_token_signed_response_alg: &'static str,
    /// It has an introspection secret, so it may call `/introspect`.
    pub introspects: bool,
    /// Tessera's own admin API, which no `[[resources]]` block names.
    pub built_in: bool,
}

fn resource_view(state: &AppState, resource: &ResourceConfig) -> ResourceView {
    ResourceView {
        identifier: resource.identifier.clone(),
        name: resource
            .name
            .clone()
            .unwrap_or_else(|| resource.identifier.clone()),
        scopes: resource.scopes.clone(),
        access_token_ttl: resource
            .access_token_ttl
            .unwrap_or(state.config().access_token_ttl),
        access_token_signed_response_alg: resource.access_token_signed_response_alg.as_str(),
        introspects: resource.introspection_secret_hash.is_some(),
        built_in: resource.identifier == ADMIN_API,
    }
}

/// The registered APIs in the order of the file, then the built-in admin API.
pub fn resources(state: &AppState) -> Vec<ResourceView> {
    let all = state.config().all_resources();
    all.iter().map(|r| resource_view(state, r)).collect()
}
