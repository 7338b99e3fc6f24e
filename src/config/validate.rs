//! The checks types cannot express: ranges, relations between keys, URL shapes, and
//! settings that are unsafe outside development.
use std::collections::HashSet;

use super::{Config, ConfigError};
use crate::oauth::signing_alg::SigningAlg;

/// The longest an authorization code may live (RFC 9700 §4.2.1 / DESIGN: ≤ 60 s).
const MAX_CODE_TTL: i64 = 60;
use crate::auth::password_policy::LEAST_MIN_LENGTH;
use crate::auth::throttle::MAX_THROTTLE_WINDOW;

pub fn validate(config: &Config) -> Result<(), ConfigError> {
    validate_issuer(config)?;
    super::listeners::validate(config)?;
    validate_database_url(&config.database_url)?;
    validate_durations(config)?;
    validate_limits(config)?;
    validate_origins(&config.cors_allowed_origins)?;
    validate_mfa(config)?;
    config.branding.validate(config.mfa_issuer_name.is_some())?;
    validate_webauthn(config)?;
    validate_keys(config)?;
    validate_signing_algs(&config.signing_algs)?;
    validate_backchannel(config)?;
    config.email.validate()?;
    config.dpop.validate()?;
    config.device_flow.validate()?;
    super::dynamic_clients::validate(config)?;
    validate_resources(config)?;
    validate_clients(config)?;
    super::profile::validate(config)?;
    super::token_exchange::validate(config)?;
    super::registration::validate_domains(&config.registration_email_domains)?;
    super::client_metadata::validate(config)?;
    super::upstreams::validate_all(&config.upstreams)
}

fn validate_issuer(config: &Config) -> Result<(), ConfigError> {
    let issuer = &config.issuer;
    let url = url::Url::parse(issuer)
        .map_err(|e| ConfigError::new("issuer", format!("not a URL: {e}")))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(ConfigError::new("issuer", "must be an https URL"));
    }
    if url.query().is_some() || issuer.contains('?') {
        return Err(ConfigError::new(
            "issuer",
            "must not have a query (OIDC Discovery §3)",
        ));
    }
    if url.fragment().is_some() || issuer.contains('#') {
        return Err(ConfigError::new(
            "issuer",
            "must not have a fragment (OIDC Discovery §3)",
        ));
    }
    if url.path() != "/" || issuer.ends_with('/') {
        return Err(ConfigError::new(
            "issuer",
            "must be scheme://host[:port] with no path and no trailing slash (Tessera serves at the root)",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::new("issuer", "must not contain credentials"));
    }
    // Plain http beyond loopback sends session cookies and codes in the clear: a production
    // misconfiguration, refused unless the operator says in writing that it is intended.
    if url.scheme() == "http" && !config.issuer_is_loopback_http() && !config.allow_insecure_http {
        return Err(ConfigError::new(
            "issuer",
            "plain http is allowed only on a loopback host (127.0.0.1, [::1], localhost); use https, or set allow_insecure_http = true for a test network",
        ));
    }
    Ok(())
}

fn validate_database_url(url: &str) -> Result<(), ConfigError> {
    let known = ["sqlite:", "postgres://", "postgresql://"];
    if known.iter().any(|prefix| url.starts_with(prefix)) {
        Ok(())
    } else {
        Err(ConfigError::new(
            "database_url",
            "must start with sqlite:, postgres:// or postgresql://",
        ))
    }
}

fn validate_durations(config: &Config) -> Result<(), ConfigError> {
    for (key, value) in [
        ("access_token_ttl", config.access_token_ttl),
        ("id_token_ttl", config.id_token_ttl),
        ("authorization_code_ttl", config.authorization_code_ttl),
        ("session_idle_ttl", config.session_idle_ttl),
        ("session_absolute_ttl", config.session_absolute_ttl),
        ("reauth_max_age", config.reauth_max_age),
        ("refresh_token_ttl", config.refresh_token_ttl),
        ("refresh_token_idle_ttl", config.refresh_token_idle_ttl),
        ("purge_interval", config.purge_interval),
        ("audit_retention", config.audit_retention),
        ("throttle_window", config.throttle_window),
        ("mfa_attempt_window", config.mfa_attempt_window),
    ] {
        if value <= 0 {
            return Err(ConfigError::new(
                key,
                "must be a positive number of seconds",
            ));
        }
    }
    if config.authorization_code_ttl > MAX_CODE_TTL {
        return Err(ConfigError::new(
            "authorization_code_ttl",
            format!("must be at most {MAX_CODE_TTL} seconds"),
        ));
    }
    for (key, window) in [
        ("throttle_window", config.throttle_window),
        ("mfa_attempt_window", config.mfa_attempt_window),
    ] {
        if window > MAX_THROTTLE_WINDOW {
            return Err(ConfigError::new(
                key,
                "must be at most 86400 seconds (a day)",
            ));
        }
    }
    if !(0..=60).contains(&config.refresh_grace_period) {
        return Err(ConfigError::new(
            "refresh_grace_period",
            "must be between 0 and 60 seconds",
        ));
    }
    if config.header_read_timeout == 0 {
        return Err(ConfigError::new("header_read_timeout", "must be positive"));
    }
    if config.request_timeout == 0 {
        return Err(ConfigError::new("request_timeout", "must be positive"));
    }
    if config.database_timeout == 0 {
        return Err(ConfigError::new("database_timeout", "must be positive"));
    }
    Ok(())
}

fn validate_limits(config: &Config) -> Result<(), ConfigError> {
    for (key, value) in [
        (
            "login_max_failures_per_account",
            config.login_max_failures_per_account,
        ),
        (
            "login_max_failures_per_ip",
            config.login_max_failures_per_ip,
        ),
        ("client_max_auth_failures", config.client_max_auth_failures),
        ("mfa_max_attempts", config.mfa_max_attempts),
    ] {
        if value <= 0 {
            return Err(ConfigError::new(key, "must be at least 1"));
        }
    }
    if !(LEAST_MIN_LENGTH..=64).contains(&config.password_min_length) {
        // NIST SP 800-63B: at least 8; a minimum past 64 would outlaw what it says to allow.
        let why = format!("must be between {LEAST_MIN_LENGTH} and 64 characters");
        return Err(ConfigError::new("password_min_length", why));
    }
    if config.max_body_bytes < 1024 {
        return Err(ConfigError::new("max_body_bytes", "must be at least 1024"));
    }
    if config.rate_limit_per_second > 0 && config.rate_limit_burst == 0 {
        return Err(ConfigError::new(
            "rate_limit_burst",
            "must be at least 1 while rate_limit_per_second is on",
        ));
    }
    Ok(())
}

fn validate_origins(origins: &[String]) -> Result<(), ConfigError> {
    for (i, origin) in origins.iter().enumerate() {
        let valid = url::Url::parse(origin)
            .is_ok_and(|u| u.origin().ascii_serialization() == *origin && u.origin().is_tuple());
        if !valid {
            return Err(ConfigError::new(
                format!("cors_allowed_origins[{i}]"),
                "must be an origin like https://app.example.com (no path, no wildcard)",
            ));
        }
    }
    Ok(())
}

fn validate_mfa(config: &Config) -> Result<(), ConfigError> {
    let Some(name) = &config.mfa_issuer_name else {
        // The product name stands in; `branding` checks it fits.
        return Ok(());
    };
    if name.trim().is_empty()
        || name.len() > 64
        || name.contains(':')
        || name.chars().any(char::is_control)
    {
        return Err(ConfigError::new(
            "mfa_issuer_name",
            "must be 1 to 64 printable characters without a colon",
        ));
    }
    Ok(())
}

/// A configured relying party ID must be the issuer's host or a parent domain of it. Unset,
/// an issuer that cannot host passkeys (an IP address) only turns them off.
fn validate_webauthn(config: &Config) -> Result<(), ConfigError> {
    let Some(rp_id) = &config.webauthn_rp_id else {
        return Ok(());
    };
    let host = url::Url::parse(&config.issuer)
        .ok()
        .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    if !crate::auth::passkey::rp_id_fits(&host, rp_id) {
        return Err(ConfigError::new(
            "webauthn_rp_id",
            format!(
                "must be the issuer's host ({host}) or a parent domain of it, and not an IP address"
            ),
        ));
    }
    Ok(())
}

/// A new key must be visible to every relying party before it signs: published for longer
/// than a JWKS may be cached, plus the time an instance may take to read the new key set.
fn validate_keys(config: &Config) -> Result<(), ConfigError> {
    if config.key_refresh_interval <= 0 {
        return Err(ConfigError::new(
            "key_refresh_interval",
            "must be a positive number of seconds",
        ));
    }
    if config.jwks_max_age < 0 {
        return Err(ConfigError::new("jwks_max_age", "must not be negative"));
    }
    let needed = config.jwks_max_age + config.key_refresh_interval;
    if config.key_prepublish <= needed {
        return Err(ConfigError::new(
            "key_prepublish",
            format!(
                "must be longer than jwks_max_age + key_refresh_interval ({needed} s), so every cached JWKS holds a new key before it signs"
            ),
        ));
    }
    if config.key_rotation_interval < 0
        || (config.key_rotation_interval > 0
            && config.key_rotation_interval <= config.key_prepublish)
    {
        return Err(ConfigError::new(
            "key_rotation_interval",
            "must be 0 (rotate by hand only) or longer than key_prepublish",
        ));
    }
    if config.master_key.is_some() && config.master_key_file.is_some() {
        return Err(ConfigError::new(
            "master_key_file",
            "set master_key or master_key_file, not both",
        ));
    }
    Ok(())
}

/// OIDC Core §15.1: every provider supports RS256, and clients that ask for nothing get it.
fn validate_signing_algs(algs: &[SigningAlg]) -> Result<(), ConfigError> {
    if !algs.contains(&SigningAlg::Rs256) {
        return Err(ConfigError::new(
            "signing_algs",
            "must include \"RS256\" (OpenID Connect requires it)",
        ));
    }
    let mut seen = HashSet::new();
    if let Some(twice) = algs.iter().find(|alg| !seen.insert(**alg)) {
        return Err(ConfigError::new(
            "signing_algs",
            format!("lists {twice} twice"),
        ));
    }
    Ok(())
}

fn validate_backchannel(config: &Config) -> Result<(), ConfigError> {
    for (key, value) in [
        (
            "backchannel_logout_initial_backoff",
            config.backchannel_logout_initial_backoff,
        ),
        (
            "backchannel_logout_retry_for",
            config.backchannel_logout_retry_for,
        ),
        (
            "backchannel_logout_poll_interval",
            config.backchannel_logout_poll_interval,
        ),
    ] {
        if value <= 0 {
            return Err(ConfigError::new(
                key,
                "must be a positive number of seconds",
            ));
        }
    }
    // A delivery holds its claim on the row for the timeout plus a margin; past a minute an
    // app is not answering, and a hanging one would hold a worker slot that long.
    if !(1..=60).contains(&config.backchannel_logout_timeout) {
        return Err(ConfigError::new(
            "backchannel_logout_timeout",
            "must be between 1 and 60 seconds",
        ));
    }
    if !(1..=256).contains(&config.backchannel_logout_concurrency) {
        return Err(ConfigError::new(
            "backchannel_logout_concurrency",
            "must be between 1 and 256",
        ));
    }
    Ok(())
}

fn validate_resources(config: &Config) -> Result<(), ConfigError> {
    let mut seen = HashSet::new();
    for (index, resource) in config.resources.iter().enumerate() {
        let key = format!("resources[{index}]");
        if !seen.insert(resource.identifier.as_str()) {
            return Err(ConfigError::new(
                format!("{key}.identifier"),
                format!("duplicate identifier {:?}", resource.identifier),
            ));
        }
        resource.validate(&key, &config.issuer)?;
        let alg = resource.access_token_signed_response_alg;
        configured_alg(
            config,
            alg,
            &format!("{key}.access_token_signed_response_alg"),
        )?;
        // At /introspect the Basic user name says who calls: a client or an API.
        if config
            .clients
            .iter()
            .any(|c| c.client_id == resource.identifier)
        {
            return Err(ConfigError::new(
                format!("{key}.identifier"),
                "must differ from every client_id",
            ));
        }
    }
    Ok(())
}

fn validate_clients(config: &Config) -> Result<(), ConfigError> {
    let resources = config.all_resources();
    let mut seen = HashSet::new();
    for (index, client) in config.clients.iter().enumerate() {
        let key = format!("clients[{index}]");
        if !seen.insert(client.client_id.as_str()) {
            return Err(ConfigError::new(
                format!("{key}.client_id"),
                format!("duplicate client_id {:?}", client.client_id),
            ));
        }
        client.validate(&key, &resources)?;
        let alg = client.id_token_signed_response_alg;
        configured_alg(config, alg, &format!("{key}.id_token_signed_response_alg"))?;
    }
    Ok(())
}

/// A client's or an API's algorithm must be one Tessera keeps a key for.
pub(super) fn configured_alg(
    config: &Config,
    alg: SigningAlg,
    key: &str,
) -> Result<(), ConfigError> {
    if config.signing_algs.contains(&alg) {
        Ok(())
    } else {
        Err(ConfigError::new(
            key,
            format!("{alg} is not in signing_algs, so Tessera has no key to sign with it"),
        ))
    }
}
