//! `[[clients]]`: registered applications as the file describes them, their checks, and the
//! protocol core's `Client` they become.
use std::fmt;

use serde::{Deserialize, Serialize};

use super::resources::ADMIN_API;
use super::{ClientDefaults, ConfigError, ResourceConfig};
use crate::oauth::backchannel;
use crate::oauth::client::{AuthMethod, Client, ClientOrigin, GrantType};
use crate::oauth::client_assertion::{
    AssertionAlg, JwkSource, PrivateKeyJwt, keys::usable_algs, parse_jwk_set,
};
use crate::oauth::profile::Profile;
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
    /// Required for the code grant; a client_credentials-only client has none.
    #[serde(default)]
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
    /// The grants it may use at the token endpoint.
    #[serde(default = "default_grant_types")]
    pub grant_types: Vec<GrantType>,
    /// The `[[resources]]` identifiers it may ask tokens for.
    #[serde(default)]
    pub resources: Vec<String>,
    /// private_key_jwt: the client's public keys as a JWK Set, written inline.
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
    /// private_key_jwt: where the client publishes its JWK Set (https, or http on loopback).
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// private_key_jwt: the one algorithm its assertions may use; any accepted one its keys
    /// fit when absent.
    #[serde(default)]
    pub token_endpoint_auth_signing_alg: Option<AssertionAlg>,
    /// private_key_jwt: also accept the token endpoint URL as an assertion's `aud` (besides
    /// the issuer). Off: the audience-injection advisories (CVE-2025-27370/27371).
    #[serde(default)]
    pub client_assertion_accepts_token_endpoint_aud: bool,
    /// OIDC Dynamic Client Registration §2: the algorithm of this client's ID tokens (and
    /// logout tokens); one of `signing_algs`.
    #[serde(default = "default_id_token_alg")]
    pub id_token_signed_response_alg: SigningAlg,
    /// RFC 9126 §5: authorization requests only through `/par`; the global
    /// `require_pushed_authorization_requests` when absent.
    #[serde(default)]
    pub require_pushed_authorization_requests: Option<bool>,
    /// `none` or `fapi2` (the FAPI 2.0 Security Profile); `default_profile` when absent.
    #[serde(default)]
    pub profile: Option<Profile>,
    /// RFC 9449 §5.2: access tokens only DPoP-bound (always, for a fapi2 client).
    #[serde(default)]
    pub dpop_bound_access_tokens: bool,
    /// RFC 9449 §8: this client's DPoP proofs must carry a nonce Tessera issued.
    #[serde(default)]
    pub dpop_nonce_required: bool,
}

fn default_grant_types() -> Vec<GrantType> {
    vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
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
    /// The client as the protocol core sees it; `resources` is every registered API, of
    /// which it keeps those this client may ask for; `defaults` fills what it leaves out.
    pub fn to_client(&self, resources: &[ResourceConfig], defaults: ClientDefaults) -> Client {
        let profile = self.profile(defaults);
        let fapi2 = profile == Profile::Fapi2;
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
            grant_types: self.grant_types.clone(),
            resources: resources
                .iter()
                .filter(|r| self.resources.contains(&r.identifier))
                .map(ResourceConfig::to_resource)
                .collect(),
            private_key_jwt: self.private_key_jwt(),
            id_token_signed_response_alg: self.id_token_signed_response_alg,
            require_pushed_authorization_requests: fapi2
                || self
                    .require_pushed_authorization_requests
                    .unwrap_or(defaults.require_pushed_authorization_requests),
            profile,
            dpop_bound_access_tokens: fapi2 || self.dpop_bound_access_tokens,
            dpop_nonce_required: self.dpop_nonce_required,
            origin: ClientOrigin::Config,
        }
    }

    /// The profile this client is held to: its own, or the global default.
    pub fn profile(&self, defaults: ClientDefaults) -> Profile {
        self.profile.unwrap_or(defaults.profile)
    }

    /// The private_key_jwt registration, for a client that uses it. Inline keys that do not
    /// parse (only possible without validation) become no keys: every assertion is refused.
    fn private_key_jwt(&self) -> Option<PrivateKeyJwt> {
        if self.token_endpoint_auth_method != AuthMethod::PrivateKeyJwt {
            return None;
        }
        let keys = match (&self.jwks, &self.jwks_uri) {
            (_, Some(uri)) => JwkSource::Uri(uri.clone()),
            (Some(set), None) => JwkSource::Inline(parse_jwk_set(set).unwrap_or_default()),
            (None, None) => return None,
        };
        Some(PrivateKeyJwt {
            keys,
            alg: self.token_endpoint_auth_signing_alg,
            token_endpoint_audience: self.client_assertion_accepts_token_endpoint_aud,
        })
    }

    /// Checks one client; `key` is its place in the file, e.g. `clients[2]`.
    pub(super) fn validate(
        &self,
        key: &str,
        resources: &[ResourceConfig],
    ) -> Result<(), ConfigError> {
        let field = |name: &str| format!("{key}.{name}");
        if self.client_id.is_empty() || !self.client_id.chars().all(|c| (' '..='~').contains(&c)) {
            return Err(ConfigError::new(
                field("client_id"),
                "must be non-empty printable ASCII",
            ));
        }
        self.validate_secret(&field("client_secret_hash"))?;
        self.validate_assertion_keys(key)?;
        self.validate_grant_types(&field("grant_types"))?;
        let interactive = self.grant_types.contains(&GrantType::AuthorizationCode);
        if interactive && self.redirect_uris.is_empty() {
            return Err(ConfigError::new(
                field("redirect_uris"),
                "at least one redirect URI is required for the authorization_code grant",
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
        if interactive && !self.scopes.iter().any(|s| s == "openid") {
            return Err(ConfigError::new(field("scopes"), "must include \"openid\""));
        }
        if let Some(bad) = self.scopes.iter().find(|s| !scope::is_scope_token(s)) {
            return Err(ConfigError::new(
                field("scopes"),
                format!("{bad:?} is not a valid scope token"),
            ));
        }
        self.validate_resources(key, resources)
    }

    /// Every API named is registered, and every scope that is not an OpenID Connect one
    /// belongs to one of them: a scope nobody defines would silently never be granted.
    fn validate_resources(
        &self,
        key: &str,
        resources: &[ResourceConfig],
    ) -> Result<(), ConfigError> {
        for (i, id) in self.resources.iter().enumerate() {
            if !resources.iter().any(|r| &r.identifier == id) {
                return Err(ConfigError::new(
                    format!("{key}.resources[{i}]"),
                    format!("{id:?} is not the identifier of any [[resources]] entry"),
                ));
            }
        }
        let mine = || {
            resources
                .iter()
                .filter(|r| self.resources.contains(&r.identifier))
        };
        for (i, name) in self.scopes.iter().enumerate() {
            let known = scope::SUPPORTED.contains(&name.as_str())
                || mine().any(|r| r.scopes.contains(name));
            if !known {
                return Err(ConfigError::new(
                    format!("{key}.scopes[{i}]"),
                    format!(
                        "{name:?} is neither an OpenID Connect scope nor a scope of an API this client lists in `resources`"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn validate_grant_types(&self, key: &str) -> Result<(), ConfigError> {
        let has = |g| self.grant_types.contains(&g);
        if self.resources.iter().any(|id| id == ADMIN_API)
            && self.grant_types != [GrantType::ClientCredentials]
        {
            return Err(ConfigError::new(
                key,
                format!(
                    "a client of {ADMIN_API} may use client_credentials only (grant_types = [\"client_credentials\"]): a token a user signed in for must never carry admin scopes"
                ),
            ));
        }
        if self.grant_types.is_empty() {
            return Err(ConfigError::new(key, "at least one grant type is required"));
        }
        if has(GrantType::RefreshToken) && !has(GrantType::AuthorizationCode) {
            return Err(ConfigError::new(
                key,
                "refresh_token needs authorization_code (refresh tokens come only from a sign-in)",
            ));
        }
        if has(GrantType::ClientCredentials) && self.token_endpoint_auth_method == AuthMethod::None
        {
            return Err(ConfigError::new(
                key,
                "client_credentials is for confidential clients only; a public client cannot keep a credential",
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
            (AuthMethod::PrivateKeyJwt, Some(_)) => Err(ConfigError::new(
                key,
                "a private_key_jwt client proves itself with its key, not a secret: remove the secret",
            )),
            (AuthMethod::None | AuthMethod::PrivateKeyJwt, None) => Ok(()),
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

impl ClientConfig {
    /// private_key_jwt: exactly one of `jwks` and `jwks_uri`, public keys only, and a
    /// registered algorithm some key fits; other methods register no keys.
    fn validate_assertion_keys(&self, key: &str) -> Result<(), ConfigError> {
        let field = |name: &str| format!("{key}.{name}");
        if self.token_endpoint_auth_method != AuthMethod::PrivateKeyJwt {
            for (name, set) in [
                ("jwks", self.jwks.is_some()),
                ("jwks_uri", self.jwks_uri.is_some()),
                (
                    "token_endpoint_auth_signing_alg",
                    self.token_endpoint_auth_signing_alg.is_some(),
                ),
                (
                    "client_assertion_accepts_token_endpoint_aud",
                    self.client_assertion_accepts_token_endpoint_aud,
                ),
            ] {
                if set {
                    return Err(ConfigError::new(
                        field(name),
                        "only for token_endpoint_auth_method = \"private_key_jwt\"",
                    ));
                }
            }
            return Ok(());
        }
        match (&self.jwks, &self.jwks_uri) {
            (Some(_), Some(_)) => Err(ConfigError::new(
                field("jwks_uri"),
                "give either jwks or jwks_uri, not both",
            )),
            (None, None) => Err(ConfigError::new(
                field("jwks"),
                "a private_key_jwt client needs its public keys: jwks (inline) or jwks_uri",
            )),
            (None, Some(uri)) => backchannel::check_registration(uri)
                .map_err(|m| ConfigError::new(field("jwks_uri"), m)),
            (Some(set), None) => {
                let keys = parse_jwk_set(set).map_err(|m| ConfigError::new(field("jwks"), m))?;
                match self.token_endpoint_auth_signing_alg {
                    Some(alg) if !keys.iter().any(|k| usable_algs(k).contains(&alg)) => {
                        Err(ConfigError::new(
                            field("token_endpoint_auth_signing_alg"),
                            format!("no key in jwks can verify {}", alg.as_str()),
                        ))
                    }
                    _ => Ok(()),
                }
            }
        }
    }
}
