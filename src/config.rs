//! Configuration: `config.toml` plus `TESSERA_*` environment overrides, validated once at
//! start. Every error names the key it is about, so an operator can fix it without guessing.
use std::collections::HashSet;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::oauth::client::{AuthMethod, Client};

/// Top-level keys that may be overridden from the environment as `TESSERA_<KEY>`.
const ENV_STRING_KEYS: &[&str] = &[
    "issuer",
    "listen",
    "database_url",
    "keys_dir",
    "mfa_issuer_name",
    "mfa_encryption_key",
];
const ENV_INTEGER_KEYS: &[&str] = &[
    "access_token_ttl",
    "id_token_ttl",
    "authorization_code_ttl",
    "session_idle_ttl",
    "session_absolute_ttl",
    "refresh_token_ttl",
    "refresh_token_idle_ttl",
    "refresh_grace_period",
    "purge_interval",
    "password_hash_concurrency",
    "password_hash_queue",
    "login_max_failures_per_account",
    "login_max_failures_per_ip",
    "client_max_auth_failures",
    "throttle_window",
    "max_body_bytes",
    "request_timeout",
    "header_read_timeout",
    "mfa_max_attempts",
    "mfa_attempt_window",
];

/// TESSERA_* variables that are read elsewhere, not configuration keys.
const NOT_CONFIG_KEYS: &[&str] = &["TESSERA_CONFIG", "TESSERA_LOG"];

/// The longest an authorization code may live (RFC 9700 §4.2.1 / DESIGN: ≤ 60 s).
const MAX_CODE_TTL: i64 = 60;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The issuer identifier: an `https` URL (or `http` on loopback for development).
    #[serde(default = "defaults::issuer")]
    pub issuer: String,
    #[serde(default = "defaults::listen")]
    pub listen: String,
    #[serde(default = "defaults::database_url")]
    pub database_url: String,
    #[serde(default = "defaults::keys_dir")]
    pub keys_dir: PathBuf,
    /// Seconds an access token (RFC 9068 JWT) is valid.
    #[serde(default = "defaults::access_token_ttl")]
    pub access_token_ttl: i64,
    /// Seconds an ID token is valid.
    #[serde(default = "defaults::id_token_ttl")]
    pub id_token_ttl: i64,
    /// Seconds an authorization code is valid (at most 60).
    #[serde(default = "defaults::authorization_code_ttl")]
    pub authorization_code_ttl: i64,
    /// A browser session ends after this many seconds without use.
    #[serde(default = "defaults::session_idle_ttl")]
    pub session_idle_ttl: i64,
    /// A browser session ends this many seconds after sign-in, however active.
    #[serde(default = "defaults::session_absolute_ttl")]
    pub session_absolute_ttl: i64,
    /// A refresh-token family ends this many seconds after the sign-in that started it.
    #[serde(default = "defaults::refresh_token_ttl")]
    pub refresh_token_ttl: i64,
    /// A refresh token not used for this many seconds expires.
    #[serde(default = "defaults::refresh_token_idle_ttl")]
    pub refresh_token_idle_ttl: i64,
    /// Seconds after a rotation during which a confidential client presenting the old refresh
    /// token (two racing refreshes) is refused without revoking the family. Public clients: 0.
    #[serde(default = "defaults::refresh_grace_period")]
    pub refresh_grace_period: i64,
    /// Seconds between purges of expired codes, sessions, tokens and revocations.
    #[serde(default = "defaults::purge_interval")]
    pub purge_interval: i64,
    /// How many argon2 hashes may run at once (0 = number of CPU cores).
    #[serde(default)]
    pub password_hash_concurrency: usize,
    /// How many hashes may wait for a free slot; beyond that, logins answer 503 at once
    /// (0 = four per slot).
    #[serde(default)]
    pub password_hash_queue: usize,
    /// Failed sign-ins per account within `throttle_window` before that account's password
    /// step is refused for the rest of the window.
    #[serde(default = "defaults::login_max_failures_per_account")]
    pub login_max_failures_per_account: i64,
    /// Failed sign-ins per client IP address within `throttle_window`.
    #[serde(default = "defaults::login_max_failures_per_ip")]
    pub login_max_failures_per_ip: i64,
    /// Failed client authentications per client_id (and per client_id from one address:
    /// a fifth of this) within `throttle_window`.
    #[serde(default = "defaults::client_max_auth_failures")]
    pub client_max_auth_failures: i64,
    /// The throttling window, in seconds.
    #[serde(default = "defaults::throttle_window")]
    pub throttle_window: i64,
    /// Proxies whose `X-Forwarded-For` is believed (CIDR list). Empty: the socket address is
    /// the client, whatever the headers say.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Browser origins allowed to call the token and userinfo endpoints (CORS), e.g.
    /// "https://spa.example.com". Discovery and JWKS are readable from any origin.
    #[serde(default)]
    pub cors_allowed_origins: Vec<String>,
    /// Largest request body accepted, in bytes.
    #[serde(default = "defaults::max_body_bytes")]
    pub max_body_bytes: usize,
    /// Seconds before a request is abandoned with 408.
    #[serde(default = "defaults::request_timeout")]
    pub request_timeout: u64,
    /// Seconds a client has to send its request headers before the connection is closed
    /// (slow-loris protection).
    #[serde(default = "defaults::header_read_timeout")]
    pub header_read_timeout: u64,
    /// The name authenticator apps show for Tessera accounts (the otpauth `issuer`).
    #[serde(default = "defaults::mfa_issuer_name")]
    pub mfa_issuer_name: String,
    /// Base64 of 32 random bytes: the AES-256-GCM key sealing TOTP secrets at rest
    /// (`openssl rand -base64 32`). Without it, enrolment in two-step verification is refused.
    #[serde(default)]
    pub mfa_encryption_key: Option<SecretText>,
    /// Wrong second-factor codes an account may submit within `mfa_attempt_window`.
    #[serde(default = "defaults::mfa_max_attempts")]
    pub mfa_max_attempts: u32,
    /// Seconds over which wrong second-factor codes are counted.
    #[serde(default = "defaults::mfa_attempt_window")]
    pub mfa_attempt_window: i64,
    #[serde(default)]
    pub clients: Vec<ClientConfig>,
}

/// A configuration value that must stay out of logs and `Debug` output (a key).
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct SecretText(String);

impl SecretText {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText(redacted)")
    }
}

impl Drop for SecretText {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

#[derive(Clone, Deserialize)]
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
    #[serde(default = "defaults::client_scopes")]
    pub scopes: Vec<String>,
    #[serde(default = "defaults::auth_method")]
    pub token_endpoint_auth_method: AuthMethod,
    /// First-party clients may skip the consent page.
    #[serde(default)]
    pub skip_consent: bool,
    /// Where RP-initiated logout may send the browser afterwards (exact match).
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Logging out through this client also revokes its refresh tokens bound to that
    /// browser session (never other clients' tokens).
    #[serde(default = "defaults::yes")]
    pub logout_revokes_refresh_tokens: bool,
    /// Every sign-in for this client must pass two-step verification (TOTP).
    #[serde(default)]
    pub require_mfa: bool,
    /// When two-step verification is demanded of a user without it: offer enrolment (true) or
    /// answer `access_denied` (false).
    #[serde(default = "defaults::allow_enrolment")]
    pub allow_enrolment: bool,
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

mod defaults {
    use super::AuthMethod;
    use std::path::PathBuf;

    pub fn issuer() -> String {
        "http://127.0.0.1:8080".into()
    }
    pub fn listen() -> String {
        "127.0.0.1:8080".into()
    }
    pub fn database_url() -> String {
        "sqlite://data/tessera.db".into()
    }
    pub fn keys_dir() -> PathBuf {
        PathBuf::from("keys")
    }
    pub fn access_token_ttl() -> i64 {
        900
    }
    pub fn id_token_ttl() -> i64 {
        3600
    }
    pub fn authorization_code_ttl() -> i64 {
        60
    }
    pub fn session_idle_ttl() -> i64 {
        8 * 3600
    }
    pub fn session_absolute_ttl() -> i64 {
        7 * 24 * 3600
    }
    pub fn refresh_token_ttl() -> i64 {
        30 * 24 * 3600
    }
    pub fn refresh_token_idle_ttl() -> i64 {
        14 * 24 * 3600
    }
    pub fn refresh_grace_period() -> i64 {
        5
    }
    pub fn purge_interval() -> i64 {
        3600
    }
    pub fn yes() -> bool {
        true
    }
    pub fn login_max_failures_per_account() -> i64 {
        5
    }
    pub fn login_max_failures_per_ip() -> i64 {
        50
    }
    pub fn client_max_auth_failures() -> i64 {
        50
    }
    pub fn throttle_window() -> i64 {
        900
    }
    pub fn max_body_bytes() -> usize {
        16 * 1024
    }
    pub fn request_timeout() -> u64 {
        30
    }
    pub fn header_read_timeout() -> u64 {
        10
    }
    pub fn client_scopes() -> Vec<String> {
        vec!["openid".into(), "profile".into(), "email".into()]
    }
    pub fn auth_method() -> AuthMethod {
        AuthMethod::ClientSecretBasic
    }
    pub fn mfa_issuer_name() -> String {
        "Tessera".into()
    }
    pub fn mfa_max_attempts() -> u32 {
        5
    }
    pub fn mfa_attempt_window() -> i64 {
        15 * 60
    }
    pub fn allow_enrolment() -> bool {
        true
    }
}

/// A configuration problem, naming the key it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl ConfigError {
    fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "config key `{}`: {}", self.key, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads `path`, applies `TESSERA_*` overrides from `env`, and validates.
    pub fn load(
        path: &Path,
        env: impl Iterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new("(file)", format!("cannot read {}: {e}", path.display()))
        })?;
        Self::from_toml_with_env(&text, env)
    }

    /// Parses TOML text, applies overrides, validates.
    pub fn from_toml_with_env(
        text: &str,
        env: impl Iterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut table: toml::Table = toml::from_str(text).map_err(|e| toml_error(&e))?;
        apply_env_overrides(&mut table, env)?;
        let config: Config =
            Config::deserialize(toml::Value::Table(table)).map_err(|e| toml_error(&e))?;
        config.validate()?;
        Ok(config)
    }

    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        Self::from_toml_with_env(text, std::iter::empty())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        validate_issuer(&self.issuer)?;
        self.listen_addr()?;
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::new(
                "database_url",
                "must start with sqlite:, postgres:// or postgresql://",
            ));
        }
        for (key, value) in [
            ("access_token_ttl", self.access_token_ttl),
            ("id_token_ttl", self.id_token_ttl),
            ("authorization_code_ttl", self.authorization_code_ttl),
            ("session_idle_ttl", self.session_idle_ttl),
            ("session_absolute_ttl", self.session_absolute_ttl),
            ("refresh_token_ttl", self.refresh_token_ttl),
            ("refresh_token_idle_ttl", self.refresh_token_idle_ttl),
            ("purge_interval", self.purge_interval),
            (
                "login_max_failures_per_account",
                self.login_max_failures_per_account,
            ),
            ("login_max_failures_per_ip", self.login_max_failures_per_ip),
            ("client_max_auth_failures", self.client_max_auth_failures),
            ("throttle_window", self.throttle_window),
        ] {
            if value <= 0 {
                return Err(ConfigError::new(
                    key,
                    "must be a positive number of seconds",
                ));
            }
        }
        if self.authorization_code_ttl > MAX_CODE_TTL {
            return Err(ConfigError::new(
                "authorization_code_ttl",
                format!("must be at most {MAX_CODE_TTL} seconds"),
            ));
        }
        if self.throttle_window > crate::store::purge::MAX_THROTTLE_WINDOW {
            return Err(ConfigError::new(
                "throttle_window",
                "must be at most 86400 seconds (a day)",
            ));
        }
        if !(0..=60).contains(&self.refresh_grace_period) {
            return Err(ConfigError::new(
                "refresh_grace_period",
                "must be between 0 and 60 seconds",
            ));
        }
        if self.max_body_bytes < 1024 {
            return Err(ConfigError::new("max_body_bytes", "must be at least 1024"));
        }
        if self.header_read_timeout == 0 {
            return Err(ConfigError::new("header_read_timeout", "must be positive"));
        }
        if self.request_timeout == 0 {
            return Err(ConfigError::new("request_timeout", "must be positive"));
        }
        for (i, cidr) in self.trusted_proxies.iter().enumerate() {
            parse_cidr(cidr).ok_or_else(|| {
                ConfigError::new(
                    format!("trusted_proxies[{i}]"),
                    "must be an address or CIDR such as 10.0.0.0/8",
                )
            })?;
        }
        for (i, origin) in self.cors_allowed_origins.iter().enumerate() {
            let valid = url::Url::parse(origin).is_ok_and(|u| {
                u.origin().ascii_serialization() == *origin && u.origin().is_tuple()
            });
            if !valid {
                return Err(ConfigError::new(
                    format!("cors_allowed_origins[{i}]"),
                    "must be an origin like https://app.example.com (no path, no wildcard)",
                ));
            }
        }
        self.validate_mfa()?;
        let mut seen = HashSet::new();
        for (index, client) in self.clients.iter().enumerate() {
            let key = format!("clients[{index}]");
            if !seen.insert(client.client_id.as_str()) {
                return Err(ConfigError::new(
                    format!("{key}.client_id"),
                    format!("duplicate client_id {:?}", client.client_id),
                ));
            }
            validate_client(&key, client)?;
        }
        Ok(())
    }

    fn validate_mfa(&self) -> Result<(), ConfigError> {
        let name = &self.mfa_issuer_name;
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
        if let Some(key) = &self.mfa_encryption_key {
            crate::auth::sealing::SealingKey::from_base64(key.expose())
                .map_err(|m| ConfigError::new("mfa_encryption_key", m))?;
        }
        if self.mfa_max_attempts == 0 {
            return Err(ConfigError::new("mfa_max_attempts", "must be at least 1"));
        }
        if self.mfa_attempt_window <= 0 {
            return Err(ConfigError::new(
                "mfa_attempt_window",
                "must be a positive number of seconds",
            ));
        }
        Ok(())
    }

    /// The key sealing TOTP secrets, when one is configured (validated at load).
    pub fn mfa_sealing_key(&self) -> Option<crate::auth::sealing::SealingKey> {
        self.mfa_encryption_key
            .as_ref()
            .and_then(|key| crate::auth::sealing::SealingKey::from_base64(key.expose()).ok())
    }

    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.listen
            .parse()
            .map_err(|_| ConfigError::new("listen", "must be an address like 127.0.0.1:8080"))
    }

    /// Cookies get `Secure` and the `__Host-` prefix unless the issuer is plain http
    /// (allowed for loopback development only).
    pub fn secure_cookies(&self) -> bool {
        self.issuer.starts_with("https://")
    }

    /// The parsed `trusted_proxies` (validated at load).
    pub fn trusted_proxy_nets(&self) -> Vec<ipnet::IpNet> {
        self.trusted_proxies
            .iter()
            .filter_map(|c| parse_cidr(c))
            .collect()
    }

    pub fn issuer_is_loopback_http(&self) -> bool {
        url::Url::parse(&self.issuer)
            .map(|u| u.scheme() == "http" && is_loopback_host(&u))
            .unwrap_or(false)
    }

    /// The registered clients, in the protocol core's terms.
    pub fn clients(&self) -> Vec<Client> {
        self.clients
            .iter()
            .map(|c| Client {
                id: c.client_id.clone(),
                name: c.client_name.clone().unwrap_or_else(|| c.client_id.clone()),
                secret_hash: c.client_secret_hash.clone(),
                auth_method: c.token_endpoint_auth_method,
                redirect_uris: c.redirect_uris.clone(),
                allowed_scopes: c.scopes.clone(),
                skip_consent: c.skip_consent,
                post_logout_redirect_uris: c.post_logout_redirect_uris.clone(),
                logout_revokes_refresh_tokens: c.logout_revokes_refresh_tokens,
                require_mfa: c.require_mfa,
                allow_enrolment: c.allow_enrolment,
            })
            .collect()
    }
}

/// A CIDR, or a single address as its /32 or /128.
fn parse_cidr(text: &str) -> Option<ipnet::IpNet> {
    text.parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(ipnet::IpNet::from))
}

fn toml_error(e: &impl fmt::Display) -> ConfigError {
    // toml/serde messages already name the offending key ("unknown field `x`").
    ConfigError::new("(file)", e.to_string().trim().replace('\n', " "))
}

fn apply_env_overrides(
    table: &mut toml::Table,
    env: impl Iterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    for (name, value) in env {
        let Some(key) = name.strip_prefix("TESSERA_") else {
            continue;
        };
        let key = key.to_ascii_lowercase();
        if ENV_STRING_KEYS.contains(&key.as_str()) {
            table.insert(key, toml::Value::String(value));
        } else if ENV_INTEGER_KEYS.contains(&key.as_str()) {
            let number: i64 = value
                .trim()
                .parse()
                .map_err(|_| ConfigError::new(name.clone(), "must be an integer"))?;
            table.insert(key, toml::Value::Integer(number));
        } else if !(NOT_CONFIG_KEYS.contains(&name.as_str()) || name.starts_with("TESSERA_TEST_")) {
            // A misspelt override would otherwise be silently ignored.
            return Err(ConfigError::new(
                name.clone(),
                format!(
                    "unknown setting; the environment can override {}",
                    ENV_STRING_KEYS
                        .iter()
                        .chain(ENV_INTEGER_KEYS)
                        .map(|k| format!("TESSERA_{}", k.to_ascii_uppercase()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn validate_issuer(issuer: &str) -> Result<(), ConfigError> {
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
    Ok(())
}

fn validate_client(key: &str, client: &ClientConfig) -> Result<(), ConfigError> {
    if client.client_id.is_empty() || !client.client_id.chars().all(|c| (' '..='~').contains(&c)) {
        return Err(ConfigError::new(
            format!("{key}.client_id"),
            "must be non-empty printable ASCII",
        ));
    }
    match (
        client.token_endpoint_auth_method,
        &client.client_secret_hash,
    ) {
        (AuthMethod::None, Some(_)) => {
            return Err(ConfigError::new(
                format!("{key}.client_secret_hash"),
                "a public client (token_endpoint_auth_method = \"none\") has no secret",
            ));
        }
        (AuthMethod::None, None) => {}
        (_, None) => {
            return Err(ConfigError::new(
                format!("{key}.client_secret_hash"),
                "required for a confidential client (make one with `tessera client hash-secret`)",
            ));
        }
        (_, Some(hash)) => {
            if crate::auth::password::parse_phc(hash).is_err() {
                return Err(ConfigError::new(
                    format!("{key}.client_secret_hash"),
                    "is not an argon2 PHC string (make one with `tessera client hash-secret`)",
                ));
            }
        }
    }
    if client.redirect_uris.is_empty() {
        return Err(ConfigError::new(
            format!("{key}.redirect_uris"),
            "at least one redirect URI is required",
        ));
    }
    for (i, uri) in client.redirect_uris.iter().enumerate() {
        validate_redirect_uri(uri)
            .map_err(|m| ConfigError::new(format!("{key}.redirect_uris[{i}]"), m))?;
    }
    for (i, uri) in client.post_logout_redirect_uris.iter().enumerate() {
        validate_redirect_uri(uri)
            .map_err(|m| ConfigError::new(format!("{key}.post_logout_redirect_uris[{i}]"), m))?;
    }
    if !client.scopes.iter().any(|s| s == "openid") {
        return Err(ConfigError::new(
            format!("{key}.scopes"),
            "must include \"openid\"",
        ));
    }
    for scope in &client.scopes {
        if !crate::oauth::scope::is_scope_token(scope) {
            return Err(ConfigError::new(
                format!("{key}.scopes"),
                format!("{scope:?} is not a valid scope token"),
            ));
        }
    }
    Ok(())
}

fn validate_redirect_uri(uri: &str) -> Result<(), &'static str> {
    if uri.contains('#') {
        return Err("must not contain a fragment (RFC 6749 §3.1.2)");
    }
    let url = url::Url::parse(uri).map_err(|_| "must be an absolute URI (RFC 6749 §3.1.2)")?;
    if url.cannot_be_a_base() && !uri.contains(":/") {
        return Err("must be an absolute URI with a path");
    }
    match url.scheme() {
        "https" => Ok(()),
        // RFC 8252 §7.3 / RFC 9700 §2.6: plain http only for the loopback interface.
        "http" if is_loopback_host(&url) => Ok(()),
        "http" => {
            Err("http is allowed only on a loopback host (127.0.0.1, [::1], localhost); use https")
        }
        "javascript" | "data" | "file" | "vbscript" => Err("this scheme is not allowed"),
        _ => Ok(()), // private-use schemes of native apps (RFC 8252 §7.1)
    }
}

fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7sFrbNPIEvIvZS6R0E0q3lUO5JgxSvgEjWEnSvi4hhw";

    fn config_with_client(client: &str) -> String {
        format!("issuer = \"https://id.example.com\"\n[[clients]]\n{client}\n")
    }

    fn error_key(text: &str) -> String {
        Config::from_toml(text)
            .expect_err("config should be refused")
            .key
    }

    #[test]
    fn defaults_are_valid() {
        let config = Config::from_toml("").unwrap();
        assert_eq!(config.database_url, "sqlite://data/tessera.db");
        assert_eq!(config.authorization_code_ttl, 60);
        assert!(config.issuer_is_loopback_http());
        assert!(!config.secure_cookies());
    }

    #[test]
    fn unknown_key_is_refused_by_name() {
        let err = Config::from_toml("isuer = \"https://x\"").unwrap_err();
        assert!(err.message.contains("isuer"), "{err}");
    }

    #[test]
    fn issuer_with_query_fragment_or_path_is_refused() {
        assert_eq!(
            error_key("issuer = \"https://id.example.com?x=1\""),
            "issuer"
        );
        assert_eq!(error_key("issuer = \"https://id.example.com#x\""), "issuer");
        assert_eq!(error_key("issuer = \"https://id.example.com/\""), "issuer");
        assert_eq!(error_key("issuer = \"not a url\""), "issuer");
    }

    #[test]
    fn duplicate_client_id_is_refused() {
        let client = format!(
            "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://a.example/cb\"]"
        );
        let text = format!("{}[[clients]]\n{client}\n", config_with_client(&client));
        assert_eq!(error_key(&text), "clients[1].client_id");
    }

    #[test]
    fn bad_redirect_uris_are_refused() {
        for uri in [
            "/relative/cb",
            "https://a.example/cb#frag",
            "http://a.example/cb",
            "javascript:alert(1)",
        ] {
            let client = format!(
                "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"{uri}\"]"
            );
            assert_eq!(
                error_key(&config_with_client(&client)),
                "clients[0].redirect_uris[0]",
                "{uri}"
            );
        }
    }

    #[test]
    fn loopback_http_and_custom_scheme_redirects_are_allowed() {
        let client = format!(
            "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"http://127.0.0.1:8765/cb\", \"http://[::1]/cb\", \"com.example.app:/cb\"]"
        );
        Config::from_toml(&config_with_client(&client)).unwrap();
    }

    #[test]
    fn confidential_client_needs_a_secret_and_public_client_must_not_have_one() {
        let client = "client_id = \"a\"\nredirect_uris = [\"https://a.example/cb\"]";
        assert_eq!(
            error_key(&config_with_client(client)),
            "clients[0].client_secret_hash"
        );
        let client = format!(
            "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\ntoken_endpoint_auth_method = \"none\"\nredirect_uris = [\"https://a.example/cb\"]"
        );
        assert_eq!(
            error_key(&config_with_client(&client)),
            "clients[0].client_secret_hash"
        );
        let client = "client_id = \"a\"\nclient_secret_hash = \"plain\"\nredirect_uris = [\"https://a.example/cb\"]";
        assert_eq!(
            error_key(&config_with_client(client)),
            "clients[0].client_secret_hash"
        );
    }

    #[test]
    fn code_ttl_is_capped_at_sixty_seconds() {
        assert_eq!(
            error_key("authorization_code_ttl = 600"),
            "authorization_code_ttl"
        );
    }

    #[test]
    fn env_overrides_apply_and_are_checked() {
        let env = vec![
            (
                "TESSERA_ISSUER".to_string(),
                "https://login.example.org".to_string(),
            ),
            ("TESSERA_ACCESS_TOKEN_TTL".to_string(), "300".to_string()),
            ("TESSERA_CONFIG".to_string(), "ignored.toml".to_string()),
        ];
        let config = Config::from_toml_with_env("", env.into_iter()).unwrap();
        assert_eq!(config.issuer, "https://login.example.org");
        assert_eq!(config.access_token_ttl, 300);
        let env = vec![(
            "TESSERA_ISUER".to_string(),
            "https://typo.example".to_string(),
        )];
        let err = Config::from_toml_with_env("", env.into_iter()).unwrap_err();
        assert_eq!(err.key, "TESSERA_ISUER");
        let env = vec![("TESSERA_ACCESS_TOKEN_TTL".to_string(), "soon".to_string())];
        let err = Config::from_toml_with_env("", env.into_iter()).unwrap_err();
        assert_eq!(err.key, "TESSERA_ACCESS_TOKEN_TTL");
    }

    #[test]
    fn mfa_settings_have_safe_defaults_and_are_checked() {
        let config = Config::from_toml("").unwrap();
        assert_eq!(config.mfa_issuer_name, "Tessera");
        assert!(config.mfa_encryption_key.is_none());
        assert_eq!(config.mfa_max_attempts, 5);
        assert_eq!(config.mfa_attempt_window, 900);
        assert_eq!(
            error_key("mfa_encryption_key = \"c2hvcnQ=\""),
            "mfa_encryption_key"
        );
        assert_eq!(error_key("mfa_issuer_name = \"A:B\""), "mfa_issuer_name");
        assert_eq!(error_key("mfa_max_attempts = 0"), "mfa_max_attempts");
        assert_eq!(error_key("mfa_attempt_window = 0"), "mfa_attempt_window");
    }

    #[test]
    fn mfa_key_comes_from_the_environment_and_stays_out_of_debug() {
        let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        let env = vec![
            ("TESSERA_MFA_ENCRYPTION_KEY".to_string(), key.to_string()),
            ("TESSERA_MFA_MAX_ATTEMPTS".to_string(), "3".to_string()),
        ];
        let config = Config::from_toml_with_env("", env.into_iter()).unwrap();
        assert!(config.mfa_sealing_key().is_some());
        assert_eq!(config.mfa_max_attempts, 3);
        assert!(!format!("{config:?}").contains(key));
    }

    #[test]
    fn clients_may_require_mfa_and_refuse_enrolment() {
        let client = format!(
            "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://a.example/cb\"]\nrequire_mfa = true\nallow_enrolment = false"
        );
        let config = Config::from_toml(&config_with_client(&client)).unwrap();
        let clients = config.clients();
        assert!(clients[0].require_mfa);
        assert!(!clients[0].allow_enrolment);
        let plain = format!(
            "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://a.example/cb\"]"
        );
        let clients = Config::from_toml(&config_with_client(&plain))
            .unwrap()
            .clients();
        assert!(!clients[0].require_mfa);
        assert!(clients[0].allow_enrolment);
    }
}
