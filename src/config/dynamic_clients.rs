//! Clients nobody configured: `dynamic_registration` (RFC 7591 at `/register`), its initial
//! token, its limits, and the policy such clients are held to (`oauth::client_metadata`):
//! `dynamic_clients_offline_access` and the `[[resources]]` marked `dynamic_clients = true`.
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::upstreams::check_env_name;
use super::{Config, ConfigError};
use crate::oauth::client_metadata::DynamicClientPolicy;

/// Whether clients may register themselves at `/register`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DynamicRegistration {
    /// No `/register`; registered clients already stored are not admitted either.
    #[default]
    Off,
    /// Anyone may register (within the per-address limit).
    Open,
    /// A registration must carry the initial access token (RFC 7591 §3) as a Bearer token.
    InitialToken,
}

impl DynamicRegistration {
    pub fn is_on(self) -> bool {
        self != Self::Off
    }
}

pub fn registrations_per_ip() -> i64 {
    10
}

pub fn idle_expiry() -> i64 {
    30 * 24 * 3600
}

impl Config {
    /// What clients from outside the configuration may have.
    pub fn dynamic_client_policy(&self) -> DynamicClientPolicy {
        DynamicClientPolicy {
            offline_access: self.dynamic_clients_offline_access,
            resources: self
                .resources
                .iter()
                .filter(|r| r.dynamic_clients)
                .map(super::ResourceConfig::to_resource)
                .collect(),
            signing_algs: self.signing_algs.clone(),
            require_pushed_authorization_requests: self.require_pushed_authorization_requests,
        }
    }

    /// The initial access token registrations need (`initial_token` mode), read from its file
    /// or variable now, or why it cannot be (naming the file or variable, never a value).
    pub fn dynamic_registration_token(&self) -> Result<Zeroizing<String>, String> {
        let value = match (
            &self.dynamic_registration_token_file,
            &self.dynamic_registration_token_env,
        ) {
            (Some(path), _) => Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
                format!(
                    "cannot read dynamic_registration_token_file {}: {e}",
                    path.display()
                )
            })?),
            (None, Some(name)) => Zeroizing::new(std::env::var(name).map_err(|_| {
                format!(
                    "the environment variable {name} (dynamic_registration_token_env) is not set"
                )
            })?),
            (None, None) => return Err("no initial access token is configured".into()),
        };
        let token = value.trim();
        if token.is_empty() {
            return Err("the initial access token is empty".into());
        }
        Ok(Zeroizing::new(token.to_string()))
    }
}

pub(super) fn validate(config: &Config) -> Result<(), ConfigError> {
    let file = config.dynamic_registration_token_file.is_some();
    match (&config.dynamic_registration_token_env, file) {
        (Some(_), true) => {
            return Err(ConfigError::new(
                "dynamic_registration_token_env",
                "set dynamic_registration_token_file or dynamic_registration_token_env, not both",
            ));
        }
        (Some(name), false) => check_env_name("dynamic_registration_token_env", name)?,
        (None, false) if config.dynamic_registration == DynamicRegistration::InitialToken => {
            return Err(ConfigError::new(
                "dynamic_registration_token_file",
                "dynamic_registration = \"initial_token\" needs dynamic_registration_token_file or dynamic_registration_token_env (the token itself never goes in config.toml)",
            ));
        }
        _ => {}
    }
    if !(1..=10_000).contains(&config.dynamic_registrations_per_ip) {
        return Err(ConfigError::new(
            "dynamic_registrations_per_ip",
            "must be between 1 and 10000",
        ));
    }
    if config.dynamic_client_idle_expiry < 3600 {
        return Err(ConfigError::new(
            "dynamic_client_idle_expiry",
            "must be at least 3600 seconds",
        ));
    }
    Ok(())
}
