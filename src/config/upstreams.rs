//! `[[upstreams]]`: the identity providers people may sign in with ("Continue with GitHub"),
//! as the file describes them, and their checks. The client secret itself is never in the
//! file: it is named by a file or an environment variable, read when the upstream is used.
use std::collections::HashSet;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::ConfigError;
use crate::oauth::redirect_uri::is_loopback_host;
use crate::oauth::scope;

pub const GITHUB_WEB_URL: &str = "https://github.com";
pub const GITHUB_API_URL: &str = "https://api.github.com";
/// The longest button label that fits the sign-in page.
const MAX_DISPLAY_NAME: usize = 40;
const MAX_ID: usize = 32;

/// How Tessera talks to an upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UpstreamKind {
    /// GitHub (or GitHub Enterprise): OAuth 2.0 and its REST API; there is no ID token.
    Github,
    /// Any OpenID Connect provider, configured by discovery from its issuer.
    Oidc,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    /// A slug (`[a-z0-9-]{1,32}`): the callback is `{issuer}/login/upstream/{id}/callback`.
    pub id: String,
    pub kind: UpstreamKind,
    /// The button's label.
    pub display_name: String,
    pub client_id: String,
    /// A file holding the client secret (one line); or `client_secret_env`.
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    /// An environment variable holding the client secret; or `client_secret_file`.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// GitHub only: the web address (GitHub Enterprise: the server's), `https://github.com` by default.
    #[serde(default)]
    pub web_url: Option<String>,
    /// GitHub only: the REST API's base, `https://api.github.com` by default.
    #[serde(default)]
    pub api_url: Option<String>,
    /// OIDC only (and required): the provider's issuer identifier, where discovery starts.
    #[serde(default)]
    pub issuer: Option<String>,
    /// The scopes asked for; each kind has its defaults (see [`UpstreamConfig::scopes`]).
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// A first sign-in from this upstream creates a Tessera user (otherwise only linked
    /// accounts may sign in with it).
    #[serde(default)]
    pub create_users: bool,
    /// When not empty, only addresses in these domains (lowercase) are accepted.
    #[serde(default)]
    pub allowed_email_domains: Vec<String>,
    /// An ID token asserting multi-factor authentication counts as Tessera's second step.
    #[serde(default)]
    pub trusted_for_mfa: bool,
}

impl UpstreamConfig {
    /// The scopes asked for: the configured ones, or the kind's defaults.
    pub fn scopes(&self) -> Vec<String> {
        if let Some(scopes) = &self.scopes {
            return scopes.clone();
        }
        let defaults: &[&str] = match self.kind {
            UpstreamKind::Github => &["read:user", "user:email"],
            UpstreamKind::Oidc => &["openid", "email", "profile"],
        };
        defaults.iter().map(|s| s.to_string()).collect()
    }

    /// GitHub's web address, without a trailing slash.
    pub fn web_url(&self) -> &str {
        self.web_url
            .as_deref()
            .unwrap_or(GITHUB_WEB_URL)
            .trim_end_matches('/')
    }

    /// GitHub's REST API base, without a trailing slash.
    pub fn api_url(&self) -> &str {
        self.api_url
            .as_deref()
            .unwrap_or(GITHUB_API_URL)
            .trim_end_matches('/')
    }

    /// Checks one upstream; `key` is its place in the file, e.g. `upstreams[0]`.
    pub(super) fn validate(&self, key: &str) -> Result<(), ConfigError> {
        let field = |name: &str| format!("{key}.{name}");
        if !is_slug(&self.id) {
            return Err(ConfigError::new(
                field("id"),
                "must be 1 to 32 characters of a-z, 0-9 and - (it is part of the callback URL)",
            ));
        }
        let name = self.display_name.trim();
        if name.is_empty()
            || self.display_name.chars().count() > MAX_DISPLAY_NAME
            || self.display_name.chars().any(char::is_control)
        {
            return Err(ConfigError::new(
                field("display_name"),
                format!("must be 1 to {MAX_DISPLAY_NAME} printable characters"),
            ));
        }
        if self.client_id.trim().is_empty() || self.client_id.chars().any(char::is_control) {
            return Err(ConfigError::new(field("client_id"), "must not be empty"));
        }
        self.validate_secret(key)?;
        self.validate_addresses(key)?;
        self.validate_scopes(key)?;
        validate_domains(key, &self.allowed_email_domains)
    }

    fn validate_secret(&self, key: &str) -> Result<(), ConfigError> {
        match (&self.client_secret_file, &self.client_secret_env) {
            (Some(_), Some(_)) => Err(ConfigError::new(
                format!("{key}.client_secret_env"),
                "set client_secret_file or client_secret_env, not both",
            )),
            (None, None) => Err(ConfigError::new(
                format!("{key}.client_secret_file"),
                "set client_secret_file or client_secret_env (the secret itself never goes in config.toml)",
            )),
            (Some(path), None) if path.as_os_str().is_empty() => Err(ConfigError::new(
                format!("{key}.client_secret_file"),
                "must not be empty",
            )),
            (None, Some(name)) => check_env_name(&format!("{key}.client_secret_env"), name),
            (Some(_), None) => Ok(()),
        }
    }

    fn validate_addresses(&self, key: &str) -> Result<(), ConfigError> {
        let field = |name: &str| format!("{key}.{name}");
        match self.kind {
            UpstreamKind::Github => {
                if self.issuer.is_some() {
                    return Err(ConfigError::new(
                        field("issuer"),
                        "is for kind = \"oidc\"; GitHub is configured with web_url and api_url",
                    ));
                }
                check_base_url(&field("web_url"), self.web_url())?;
                check_base_url(&field("api_url"), self.api_url())
            }
            UpstreamKind::Oidc => {
                for (name, set) in [("web_url", &self.web_url), ("api_url", &self.api_url)] {
                    if set.is_some() {
                        return Err(ConfigError::new(
                            field(name),
                            "is for kind = \"github\"; an OpenID provider is found from its issuer",
                        ));
                    }
                }
                let Some(issuer) = &self.issuer else {
                    return Err(ConfigError::new(
                        field("issuer"),
                        "is required for kind = \"oidc\" (discovery starts there)",
                    ));
                };
                check_base_url(&field("issuer"), issuer)
            }
        }
    }

    fn validate_scopes(&self, key: &str) -> Result<(), ConfigError> {
        let scopes = self.scopes();
        for (i, name) in scopes.iter().enumerate() {
            if !scope::is_scope_token(name) {
                return Err(ConfigError::new(
                    format!("{key}.scopes[{i}]"),
                    "is not a valid scope token",
                ));
            }
        }
        if self.kind == UpstreamKind::Oidc && !scopes.iter().any(|s| s == "openid") {
            return Err(ConfigError::new(
                format!("{key}.scopes"),
                "must contain \"openid\" (without it there is no ID token)",
            ));
        }
        Ok(())
    }
}

/// Every upstream's checks, and ids that are unique (each has its own callback).
pub(super) fn validate_all(upstreams: &[UpstreamConfig]) -> Result<(), ConfigError> {
    let mut seen = HashSet::new();
    for (index, upstream) in upstreams.iter().enumerate() {
        let key = format!("upstreams[{index}]");
        upstream.validate(&key)?;
        if !seen.insert(upstream.id.as_str()) {
            return Err(ConfigError::new(
                format!("{key}.id"),
                format!("duplicate id {:?}", upstream.id),
            ));
        }
    }
    Ok(())
}

fn is_slug(id: &str) -> bool {
    (1..=MAX_ID).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The secret's variable. `TESSERA_*` names are refused: the loader takes every such variable
/// for a setting and refuses the unknown ones, so the server would not start.
pub(super) fn check_env_name(key: &str, name: &str) -> Result<(), ConfigError> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(ConfigError::new(
            key,
            "must be an environment variable name (letters, digits and _)",
        ));
    }
    if name.to_ascii_uppercase().starts_with("TESSERA_") {
        return Err(ConfigError::new(
            key,
            "must not start with TESSERA_: Tessera reads every TESSERA_ variable as a setting and refuses unknown ones; use another name, e.g. GITHUB_CLIENT_SECRET",
        ));
    }
    Ok(())
}

/// An issuer or a GitHub base address: https (http only on a loopback host, for tests and
/// development), no credentials, no query, no fragment.
fn check_base_url(key: &str, value: &str) -> Result<(), ConfigError> {
    let url =
        url::Url::parse(value).map_err(|e| ConfigError::new(key, format!("not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&url) => {}
        _ => {
            return Err(ConfigError::new(
                key,
                "must be an https URL (plain http only on a loopback host: 127.0.0.1, [::1], localhost)",
            ));
        }
    }
    if url.query().is_some()
        || value.contains('?')
        || url.fragment().is_some()
        || value.contains('#')
    {
        return Err(ConfigError::new(key, "must not have a query or a fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::new(key, "must not contain credentials"));
    }
    Ok(())
}

fn validate_domains(key: &str, domains: &[String]) -> Result<(), ConfigError> {
    for (i, domain) in domains.iter().enumerate() {
        let valid = !domain.is_empty()
            && domain.len() <= 253
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && domain
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid {
            return Err(ConfigError::new(
                format!("{key}.allowed_email_domains[{i}]"),
                "must be a lowercase domain such as example.com (no @, no wildcard)",
            ));
        }
    }
    Ok(())
}
