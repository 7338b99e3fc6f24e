//! `[[resources]]`: the APIs (resource servers) tokens may be issued for, as the file
//! describes them, their checks, and the protocol core's `Resource` they become.
use std::fmt;

use serde::{Deserialize, Serialize};

use super::ConfigError;
use crate::oauth::resource::{self, Resource};
use crate::oauth::scope;
use crate::oauth::signing_alg::SigningAlg;

#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceConfig {
    /// The RFC 8707 resource URI: the `aud` of the API's access tokens.
    pub identifier: String,
    /// Shown on the consent page; defaults to the identifier.
    #[serde(default)]
    pub name: Option<String>,
    /// The scopes this API defines.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// argon2id PHC string (`tessera client hash-secret`) of the secret the API introspects
    /// tokens with; without it the API cannot call `/introspect`.
    #[serde(default)]
    pub introspection_secret_hash: Option<String>,
    /// Seconds the API's access tokens live; the server-wide `access_token_ttl` when unset.
    #[serde(default)]
    pub access_token_ttl: Option<i64>,
    /// The algorithm of the API's access tokens: one of `signing_algs` the API can verify.
    #[serde(default = "rs256")]
    pub access_token_signed_response_alg: SigningAlg,
    /// Clients nobody configured (registered at `/register`, or metadata documents) may ask
    /// tokens for this API, with its scopes. Off: it stays reserved to `[[clients]]`.
    #[serde(default)]
    pub dynamic_clients: bool,
}

fn rs256() -> SigningAlg {
    SigningAlg::Rs256
}

/// Tessera's own admin API (docs/admin-api.md): built in, present without a `[[resources]]`
/// block. Only clients that use `client_credentials` alone may list it, so no token a user
/// signed in for can ever carry its scopes.
pub const ADMIN_API: &str = "urn:tessera:admin";
/// Reading through the admin API (every `GET`).
pub const ADMIN_READ: &str = "admin:read";
/// Changing anything through the admin API (every other method); it does not imply
/// [`ADMIN_READ`].
pub const ADMIN_WRITE: &str = "admin:write";

impl fmt::Debug for ResourceConfig {
    // The secret hash stays out of Debug output: it is offline-crackable material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceConfig")
            .field("identifier", &self.identifier)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl ResourceConfig {
    /// The built-in admin API: its two scopes, no introspection secret, the server's access
    /// token lifetime, RS256 (always among `signing_algs`).
    pub fn admin_api() -> Self {
        Self {
            identifier: ADMIN_API.to_string(),
            name: Some("Tessera admin API".to_string()),
            scopes: vec![ADMIN_READ.to_string(), ADMIN_WRITE.to_string()],
            introspection_secret_hash: None,
            access_token_ttl: None,
            access_token_signed_response_alg: SigningAlg::Rs256,
            dynamic_clients: false,
        }
    }

    pub fn to_resource(&self) -> Resource {
        Resource {
            identifier: self.identifier.clone(),
            name: self.name.clone().unwrap_or_else(|| self.identifier.clone()),
            scopes: self.scopes.clone(),
            introspection_secret_hash: self.introspection_secret_hash.clone(),
            access_token_ttl: self.access_token_ttl,
            access_token_alg: self.access_token_signed_response_alg,
        }
    }

    /// Checks one API, all but its algorithm (checked against `signing_algs` by the caller);
    /// `key` is its place in the file, e.g. `resources[0]`.
    pub(super) fn validate(&self, key: &str, issuer: &str) -> Result<(), ConfigError> {
        let field = |name: &str| format!("{key}.{name}");
        resource::check_indicator(&self.identifier)
            .map_err(|why| ConfigError::new(field("identifier"), why))?;
        if self.identifier == ADMIN_API {
            return Err(ConfigError::new(
                field("identifier"),
                "is Tessera's built-in admin API, which needs no [[resources]] block: list it in a client's `resources`",
            ));
        }
        if self.identifier == issuer {
            return Err(ConfigError::new(
                field("identifier"),
                "must differ from the issuer (tokens for the issuer are for userinfo)",
            ));
        }
        for (i, name) in self.scopes.iter().enumerate() {
            let at = format!("{key}.scopes[{i}]");
            if !scope::is_scope_token(name) {
                return Err(ConfigError::new(at, "is not a valid scope token"));
            }
            if scope::SUPPORTED.contains(&name.as_str()) {
                return Err(ConfigError::new(
                    at,
                    format!("{name:?} is an OpenID Connect scope; an API defines its own"),
                ));
            }
        }
        if let Some(hash) = &self.introspection_secret_hash {
            crate::auth::password::parse_phc(hash).map_err(|_| {
                ConfigError::new(
                    field("introspection_secret_hash"),
                    "is not an argon2 PHC string (make one with `tessera client hash-secret`)",
                )
            })?;
        }
        if self.access_token_ttl.is_some_and(|ttl| ttl <= 0) {
            return Err(ConfigError::new(
                field("access_token_ttl"),
                "must be a positive number of seconds",
            ));
        }
        Ok(())
    }
}
