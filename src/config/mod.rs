//! Configuration: `config.toml` plus `TESSERA_*` environment overrides, parsed into typed
//! values and validated once at start. Every error names the key it is about, so an operator
//! can fix it without guessing.
//!
//! The schema and its defaults live here; `env` applies overrides (derived from this struct,
//! so a new key is overridable the day it is added), `validate` checks what types cannot,
//! and `clients` turns `[[clients]]` into the protocol core's `Client`.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::auth::master_key::MasterKey;
use crate::auth::sealing::SealingKey;
use crate::i18n::Locale;
use crate::oauth::client::Client;
use crate::oauth::profile::Profile;
use crate::oauth::signing_alg::SigningAlg;

mod branding;
mod choices;
mod client_metadata;
mod clients;
mod defaults;
mod derived;
mod device_flow;
mod dpop;
mod dynamic_clients;
mod email;
mod env;
mod error;
mod listeners;
mod profile;
mod registration;
mod reload;
mod resources;
mod token_exchange;
mod typed;
mod upstreams;
mod validate;

pub use branding::BrandingConfig;
pub use choices::{KeyFilePermissions, LogFormat};
pub use clients::ClientConfig;
pub use device_flow::DeviceFlowConfig;
pub use dpop::DpopConfig;
pub use dynamic_clients::DynamicRegistration;
pub use email::{EmailConfig, MailTransport, SmtpEndpoint, SmtpPassword, SmtpSecurity};
pub use error::ConfigError;
pub use profile::ClientDefaults;
pub use registration::{Registration, domain_allowed as registration_domain_allowed};
pub use resources::{ADMIN_API, ADMIN_READ, ADMIN_WRITE, ResourceConfig};
pub use upstreams::{GITHUB_API_URL, GITHUB_WEB_URL, UpstreamConfig, UpstreamKind};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The issuer identifier: an `https` URL (or `http` on loopback for development).
    #[serde(default = "defaults::issuer")]
    pub issuer: String,
    /// Lets an `http` issuer on a non-loopback host start anyway (never in production).
    #[serde(default)]
    pub allow_insecure_http: bool,
    #[serde(default = "defaults::listen")]
    pub listen: SocketAddr,
    #[serde(default = "defaults::database_url")]
    pub database_url: String,
    /// Seconds any one database call may take (waiting for a connection included) before the
    /// request is answered 503: a slow or unreachable database fails requests fast.
    #[serde(default = "defaults::database_timeout")]
    pub database_timeout: u64,
    /// Where the master key file and PEM keys of earlier versions live.
    #[serde(default = "defaults::keys_dir")]
    pub keys_dir: PathBuf,
    /// Base64 of 32 random bytes (`openssl rand -base64 32`): the key every sealing key is
    /// derived from (TOTP secrets, signing keys). Usually set as `TESSERA_MASTER_KEY`.
    #[serde(
        default,
        deserialize_with = "typed::master_key",
        serialize_with = "typed::redacted",
        skip_serializing_if = "Option::is_none"
    )]
    pub master_key: Option<MasterKey>,
    /// A file holding the master key (base64), when it is not set directly.
    #[serde(default)]
    pub master_key_file: Option<PathBuf>,
    /// What a key file (the master key file, PEM keys of earlier versions) that its group or
    /// other users may read gets at start: `warn` (a log line) or `refuse` (no start).
    #[serde(default)]
    pub key_file_permissions: KeyFilePermissions,
    /// Seconds a new signing key is published before it signs.
    #[serde(default = "defaults::key_prepublish")]
    pub key_prepublish: i64,
    /// Seconds between automatic key rotations; 0: only `tessera keys rotate`.
    #[serde(default = "defaults::key_rotation_interval")]
    pub key_rotation_interval: i64,
    /// Seconds between each instance's reads of the key set (and rotation checks).
    #[serde(default = "defaults::key_refresh_interval")]
    pub key_refresh_interval: i64,
    /// The JWS algorithms Tessera signs with, each with keys of its own: RS256 (required by
    /// OIDC Core, so always present), ES256, EdDSA. Clients choose theirs with
    /// `id_token_signed_response_alg`.
    #[serde(default = "defaults::signing_algs")]
    pub signing_algs: Vec<SigningAlg>,
    /// The `Cache-Control: max-age` of the JWKS, in seconds.
    #[serde(default = "defaults::jwks_max_age")]
    pub jwks_max_age: i64,
    /// Where `serve` writes its process id, for `tessera reload`.
    #[serde(default = "defaults::pid_file")]
    pub pid_file: PathBuf,
    /// A separate listener for Prometheus metrics (e.g. 127.0.0.1:9464); off when unset.
    #[serde(default)]
    pub metrics_listen: Option<SocketAddr>,
    /// A separate listener for the admin API (e.g. 127.0.0.1:9465): when set, `/admin/api/`
    /// is served there only and is gone from `listen`.
    #[serde(default)]
    pub admin_listen: Option<SocketAddr>,
    /// `text` (default) or `json`: one JSON object per log line.
    #[serde(default)]
    pub log_format: LogFormat,
    /// Seconds an access token (RFC 9068 JWT) is valid.
    #[serde(default = "defaults::access_token_ttl")]
    pub access_token_ttl: i64,
    /// Seconds an ID token is valid.
    #[serde(default = "defaults::id_token_ttl")]
    pub id_token_ttl: i64,
    /// Seconds an authorization code is valid (at most 60).
    #[serde(default = "defaults::authorization_code_ttl")]
    pub authorization_code_ttl: i64,
    // PAR (RFC 9126) and the FAPI 2.0 Security Profile; checked in `profile.rs`.
    /// Seconds a pushed request's `request_uri` may wait for `/authorize` (1 to 599).
    #[serde(default = "defaults::par_expires_in")]
    pub par_expires_in: i64,
    /// Clients must push their authorization requests (RFC 9126 §5) unless they say otherwise.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// The profile of clients that name none: `none` (the default) or `fapi2`.
    #[serde(default)]
    pub default_profile: Profile,
    /// A browser session ends after this many seconds without use.
    #[serde(default = "defaults::session_idle_ttl")]
    pub session_idle_ttl: i64,
    /// A browser session ends this many seconds after sign-in, however active.
    #[serde(default = "defaults::session_absolute_ttl")]
    pub session_absolute_ttl: i64,
    /// The WebAuthn relying party ID for passkeys: the issuer's host when unset, or a parent
    /// domain of it (passkeys then work on every host under it). Never changed once users have
    /// passkeys: each passkey is bound to it.
    #[serde(default)]
    pub webauthn_rp_id: Option<String>,
    /// Changing second factors needs a password entered at most this many seconds ago.
    #[serde(default = "defaults::reauth_max_age")]
    pub reauth_max_age: i64,
    /// The fewest characters a new password may have (NIST SP 800-63B: at least 8).
    #[serde(default = "defaults::password_min_length")]
    pub password_min_length: usize,
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
    /// Seconds audit events are kept before the purge deletes them.
    #[serde(default = "defaults::audit_retention")]
    pub audit_retention: i64,
    /// How many argon2 hashes may run at once (0 = number of CPU cores minus one).
    #[serde(default)]
    pub password_hash_concurrency: usize,
    /// How many hashes may wait for a free slot; beyond that, logins answer 503 at once
    /// (0 = four per slot).
    #[serde(default)]
    pub password_hash_queue: usize,
    /// Password attempts per account within `throttle_window`.
    #[serde(default = "defaults::login_max_failures_per_account")]
    pub login_max_failures_per_account: i64,
    /// Password attempts per client IP address within `throttle_window`.
    #[serde(default = "defaults::login_max_failures_per_ip")]
    pub login_max_failures_per_ip: i64,
    /// Failed client authentications per client_id (and per client_id from one address:
    /// a fifth of this) within `throttle_window`.
    #[serde(default = "defaults::client_max_auth_failures")]
    pub client_max_auth_failures: i64,
    /// The throttling window, in seconds.
    #[serde(default = "defaults::throttle_window")]
    pub throttle_window: i64,
    /// Proxies whose `X-Forwarded-For` is believed (addresses or CIDRs). Empty: the socket
    /// address is the client, whatever the headers say.
    #[serde(default, deserialize_with = "typed::proxy_nets")]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Browser origins allowed to call the token and userinfo endpoints (CORS).
    #[serde(default)]
    pub cors_allowed_origins: Vec<String>,
    /// Requests per second one client address may make to the protocol endpoints
    /// (`/authorize`, `/token`, `/userinfo`, `/introspect`, `/revoke`); 0 turns it off.
    #[serde(default = "defaults::rate_limit_per_second")]
    pub rate_limit_per_second: u32,
    /// How many requests one address may send at once; the allowance refills at
    /// `rate_limit_per_second`.
    #[serde(default = "defaults::rate_limit_burst")]
    pub rate_limit_burst: u32,
    /// Largest request body accepted, in bytes.
    #[serde(default = "defaults::max_body_bytes")]
    pub max_body_bytes: usize,
    /// Seconds before a request is abandoned with 408.
    #[serde(default = "defaults::request_timeout")]
    pub request_timeout: u64,
    /// Seconds a client has to send its request headers (slow-loris protection).
    #[serde(default = "defaults::header_read_timeout")]
    pub header_read_timeout: u64,
    /// The language of pages when neither the client's `ui_locales` nor the browser's
    /// `Accept-Language` names a supported one: `en`, `de` or `fr`.
    #[serde(
        default,
        deserialize_with = "typed::locale",
        serialize_with = "typed::locale_tag"
    )]
    pub default_locale: Locale,
    /// The name authenticator apps show for Tessera accounts (the otpauth `issuer`); when
    /// unset, `branding.product_name`. Read it through [`Config::mfa_issuer`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_issuer_name: Option<String>,
    /// Deprecated: the key earlier versions sealed TOTP secrets with. Still opens them; `serve`
    /// re-seals them under the master key at start, after which it can be removed.
    #[serde(
        default,
        deserialize_with = "typed::sealing_key",
        serialize_with = "typed::redacted",
        skip_serializing_if = "Option::is_none"
    )]
    pub mfa_encryption_key: Option<SealingKey>,
    /// Second-factor attempts an account may make within `mfa_attempt_window`.
    #[serde(default = "defaults::mfa_max_attempts")]
    pub mfa_max_attempts: i64,
    /// Seconds over which second-factor attempts are counted.
    #[serde(default = "defaults::mfa_attempt_window")]
    pub mfa_attempt_window: i64,
    /// Seconds an app's back-channel logout endpoint has to answer one delivery.
    #[serde(default = "defaults::backchannel_logout_timeout")]
    pub backchannel_logout_timeout: u64,
    /// Seconds before a failed back-channel logout is tried again; each later wait doubles
    /// (up to an hour).
    #[serde(default = "defaults::backchannel_logout_initial_backoff")]
    pub backchannel_logout_initial_backoff: i64,
    /// Seconds after a session ended during which a failed delivery is retried; then it is
    /// given up (logged and counted).
    #[serde(default = "defaults::backchannel_logout_retry_for")]
    pub backchannel_logout_retry_for: i64,
    /// Seconds between the outbox worker's looks for deliveries due (retries, and logouts
    /// written by another instance or the CLI).
    #[serde(default = "defaults::backchannel_logout_poll_interval")]
    pub backchannel_logout_poll_interval: i64,
    /// Deliveries one instance makes at once (a hanging app holds one of them until its
    /// timeout).
    #[serde(default = "defaults::backchannel_logout_concurrency")]
    pub backchannel_logout_concurrency: usize,
    #[serde(default)]
    pub clients: Vec<ClientConfig>,
    /// The APIs (resource servers) access tokens may be issued for (RFC 8707).
    #[serde(default)]
    pub resources: Vec<ResourceConfig>,
    /// The pages' product name, logo, colour and footer links.
    #[serde(default)]
    pub branding: BrandingConfig,
    /// The identity providers people may sign in with (GitHub, any OpenID provider).
    #[serde(default)]
    pub upstreams: Vec<UpstreamConfig>,
    /// Whether people may make accounts themselves: `closed` (default), `open` (sign-up at
    /// `/signup`, the address confirmed first) or `invite` (`tessera user invite`).
    #[serde(default)]
    pub registration: Registration,
    /// With open sign-up: only addresses in these domains may sign up (empty: any).
    #[serde(default)]
    pub registration_email_domains: Vec<String>,
    /// How mail is sent: `.eml` files (the default) or SMTP.
    #[serde(default)]
    pub email: EmailConfig,
    /// DPoP proofs (RFC 9449): their `iat` window and the server's nonces.
    #[serde(default)]
    pub dpop: DpopConfig,
    /// The device authorization grant (RFC 8628): code lifetime, polling interval, the
    /// `/device` page's limit on wrong codes.
    #[serde(default)]
    pub device_flow: DeviceFlowConfig,
    /// Dynamic Client Registration (RFC 7591) at `/register`: `off`, `open` or `initial_token`.
    #[serde(default)]
    pub dynamic_registration: DynamicRegistration,
    /// `initial_token`: the file holding the token a registration must present; or the env.
    #[serde(default)]
    pub dynamic_registration_token_file: Option<PathBuf>,
    /// `initial_token`: the (non-`TESSERA_`) variable holding that token; or the file.
    #[serde(default)]
    pub dynamic_registration_token_env: Option<String>,
    /// Unregistered clients may ask for `offline_access` (refresh tokens).
    #[serde(default)]
    pub dynamic_clients_offline_access: bool,
    /// Registrations one address (an IPv6 /64) may make per `throttle_window`.
    #[serde(default = "dynamic_clients::registrations_per_ip")]
    pub dynamic_registrations_per_ip: i64,
    /// Seconds a registered client lives unused before it is purged.
    #[serde(default = "dynamic_clients::idle_expiry")]
    pub dynamic_client_idle_expiry: i64,
    /// Clients may name themselves by the https URL of their metadata document
    /// (draft-ietf-oauth-client-id-metadata-document); checked in `client_metadata.rs`.
    #[serde(default)]
    pub client_id_metadata_documents: bool,
    /// Hosts whose URLs may be such client ids (`app.example.com`, `*.example.com`); empty: any.
    #[serde(default)]
    pub client_id_metadata_hosts_allow: Vec<String>,
    /// Hosts whose URLs may never be (wins over the allow list).
    #[serde(default)]
    pub client_id_metadata_hosts_deny: Vec<String>,
    /// Tests and development only: documents and keys from plain http on loopback.
    #[serde(default)]
    pub client_id_metadata_allow_loopback: bool,
}

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
        let mut table: toml::Table = toml::from_str(text).map_err(|e| typed::toml_error(&e))?;
        env::apply_overrides(&mut table, env)?;
        let mut config = Self::from_table(table)?;
        validate::validate(&config)?;
        config.branding.read_logo()?;
        Ok(config)
    }

    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        Self::from_toml_with_env(text, std::iter::empty())
    }

    fn from_table(table: toml::Table) -> Result<Self, ConfigError> {
        serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| typed::located_error(&e.path().to_string(), &e.inner().to_string()))
    }

    /// Cookies get `Secure` and the `__Host-` prefix unless the issuer is plain http
    /// (allowed for loopback development only).
    pub fn secure_cookies(&self) -> bool {
        self.issuer.starts_with("https://")
    }

    pub fn issuer_is_loopback_http(&self) -> bool {
        url::Url::parse(&self.issuer)
            .map(|u| u.scheme() == "http" && crate::oauth::redirect_uri::is_loopback_host(&u))
            .unwrap_or(false)
    }

    /// The registered clients, in the protocol core's terms.
    pub fn clients(&self) -> Vec<Client> {
        let resources = self.all_resources();
        self.clients
            .iter()
            .map(|c| c.to_client(&resources, self.client_defaults()))
            .collect()
    }

    /// The APIs tokens may be issued for: `[[resources]]` and the built-in admin API.
    pub fn all_resources(&self) -> Vec<ResourceConfig> {
        let mut all = self.resources.clone();
        all.push(ResourceConfig::admin_api());
        all
    }
}

#[cfg(test)]
mod tests;
