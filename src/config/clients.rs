//! `[[clients]]`: registered applications as the file describes them, their checks, and the
//! protocol core's `Client` they become.
use std::fmt;

use serde::{Deserialize, Serialize};

use super::ConfigError;
use crate::oauth::backchannel;
use crate::oauth::client::{AuthMethod, Client};
use crate::oauth::redirect_uri;
use crate::oauth::scope;
use crate::oauth::signing_alg::SigningAlg;

#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    pub client_id: String,
    /// Shown on the consent page; defaults to the client_id.
    #[serde(default)]
    pub client_name: Option<String>,
    /// argon2id PHC string from `tessera client hash-secret`; absent for public clients.
    #[serde(default)]
    pub client_secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    #[serde(default = "default_auth_method")]
    pub token_endpoint_auth_method: AuthMethod,
    /// First-party clients may skip the consent page.
    #[serde(default)]
    pub skip_consent: bool,
    /// Where RP-initiated logout may send the browser afterwards (exact match).
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Logging out through this client also revokes its refresh tokens bound to that
    /// browser session (never other clients' tokens).
    #[serde(default = "yes")]
    pub logout_revokes_refresh_tokens: bool,
    /// Every sign-in for this client must pass two-step verification (TOTP).
    #[serde(default)]
    pub require_mfa: bool,
    /// When two-step verification is demanded of a user without it: offer enrolment (true) or
    /// answer `access_denied` (false).
    #[serde(default = "yes")]
    pub allow_enrolment: bool,
    /// Back-Channel Logout 1.0: where a logout token is POSTed when a session this client got
    /// tokens through ends (https, or http on loopback).
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    /// Whether the client needs the `sid` claim in its logout tokens.
    #[serde(default = "yes")]
    pub backchannel_logout_session_required: bool,
    /// OIDC Dynamic Client Registration §2: the algorithm of this client's ID tokens (and
    /// logout tokens); one of `signing_algs`.
    #[serde(default = "default_id_token_alg")]
    pub id_token_signed_response_alg: SigningAlg,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}

fn default_auth_method() -> AuthMethod {
    AuthMethod::ClientSecretBasic
}

fn default_id_token_alg() -> SigningAlg {
    SigningAlg::Rs256
}

fn yes() -> bool {
    true
}

impl fmt::Debug for ClientConfig {
    // The secret hash stays out of Debug output: it is offline-crackable material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("client_id", &self.client_id)
            .field("redirect_uris", &self.redirect_uris)
            .field(
                "token_endpoint_auth_method",
                &self.token_endpoint_auth_method,
            )
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    pub fn to_client(&self) -> Client {
        Client {
            id: self.client_id.clone(),
            name: self
                .client_name
                .clone()
                .unwrap_or_else(|| self.client_id.clone()),
            secret_hash: self.client_secret_hash.clone(),
            auth_method: self.token_endpoint_auth_method,
            redirect_uris: self.redirect_uris.clone(),
            allowed_scopes: self.scopes.clone(),
            skip_consent: self.skip_consent,
            post_logout_redirect_uris: self.post_logout_redirect_uris.clone(),
            logout_revokes_refresh_tokens: self.logout_revokes_refresh_tokens,
            require_mfa: self.require_mfa,
            allow_enrolment: self.allow_enrolment,
            backchannel_logout_uri: self.backchannel_logout_uri.clone(),
            backchannel_logout_session_required: self.backchannel_logout_session_required,
            id_token_signed_response_alg: self.id_token_signed_response_alg,
        }
    }

    /// Checks one client; `key` is its place in the file, e.g. `clients[2]`.
    pub(super) fn validate(&self, key: &str) -> Result<(), ConfigError> {
        let field = |name: &str| format!("{key}.{name}");
        if self.client_id.is_empty() || !self.client_id.chars().all(|c| (' '..='~').contains(&c)) {
            return Err(ConfigError::new(
                field("client_id"),
                "must be non-empty printable ASCII",
            ));
        }
        self.validate_secret(&field("client_secret_hash"))?;
        if self.redirect_uris.is_empty() {
            return Err(ConfigError::new(
                field("redirect_uris"),
                "at least one redirect URI is required",
            ));
        }
        for (list, uris) in [
            ("redirect_uris", &self.redirect_uris),
            ("post_logout_redirect_uris", &self.post_logout_redirect_uris),
        ] {
            for (i, uri) in uris.iter().enumerate() {
                redirect_uri::check_registration(uri)
                    .map_err(|m| ConfigError::new(format!("{key}.{list}[{i}]"), m))?;
            }
        }
        if let Some(uri) = &self.backchannel_logout_uri {
            backchannel::check_registration(uri)
                .map_err(|m| ConfigError::new(field("backchannel_logout_uri"), m))?;
        }
        if !self.scopes.iter().any(|s| s == "openid") {
            return Err(ConfigError::new(field("scopes"), "must include \"openid\""));
        }
        if let Some(bad) = self.scopes.iter().find(|s| !scope::is_scope_token(s)) {
            return Err(ConfigError::new(
                field("scopes"),
                format!("{bad:?} is not a valid scope token"),
            ));
        }
        Ok(())
    }

    fn validate_secret(&self, key: &str) -> Result<(), ConfigError> {
        match (self.token_endpoint_auth_method, &self.client_secret_hash) {
            (AuthMethod::None, Some(_)) => Err(ConfigError::new(
                key,
                "a public client (token_endpoint_auth_method = \"none\") has no secret",
            )),
            (AuthMethod::None, None) => Ok(()),
            (_, None) => Err(ConfigError::new(
                key,
                "required for a confidential client (make one with `tessera client hash-secret`)",
            )),
            (_, Some(hash)) => crate::auth::password::parse_phc(hash)
                .map(|_| ())
                .map_err(|_| {
                    ConfigError::new(
                        key,
                        "is not an argon2 PHC string (make one with `tessera client hash-secret`)",
                    )
                }),
        }
    }
}
