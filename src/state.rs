//! Everything a request needs. [`SharedState`] lives as long as the server: the store, the
//! clock, the argon2 pool, the secret cache, and the two things that change while it runs —
//! the settings (replaced whole by a reload) and the key set (re-read from the database on a
//! timer). Each request works on an [`AppState`]: a snapshot of both taken when it starts, so
//! a reload or a key refresh never changes the rules half-way through a request.
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use arc_swap::ArcSwap;

use crate::audit::AuditLog;
use crate::auth::client_jwks::JwksCache;
use crate::auth::dpop_nonce::NonceKey;
use crate::auth::master_key::{MasterKey, Purpose};
use crate::auth::passkey;
use crate::auth::password::PasswordHasher;
use crate::auth::sealing::SealingKey;
use crate::auth::secret_cache::SecretCache;
use crate::branding::Branding;
use crate::clock::Clock;
use crate::config::Config;
use crate::keys::KeySet;
use crate::oauth::client::Client;
use crate::oauth::client_metadata::DynamicClientPolicy;
use crate::oauth::discovery;
use crate::oauth::resource::Resource;
use crate::outbound::{DocumentCache, FetchError, Guard};
use crate::store::Store;
use crate::upstream::Upstreams;
use webauthn_rs::Webauthn;

/// The settings a reload replaces, and what is derived from them once.
pub struct Settings {
    config: Config,
    clients: HashMap<String, Client>,
    /// What clients from outside the configuration may have (`oauth::client_metadata`).
    dynamic_client_policy: DynamicClientPolicy,
    /// The APIs (resource servers), by identifier.
    resources: HashMap<String, Resource>,
    /// Serialised once: discovery is fetched often and changes only with the settings.
    discovery_json: String,
    /// Seals TOTP secrets (derived from the master key).
    totp_key: Option<SealingKey>,
    /// Seals signing keys (derived from the master key).
    signing_key_sealer: Option<SealingKey>,
    /// Seals messages in the mail outbox (derived from the master key).
    mail_sealer: Option<SealingKey>,
    /// Makes DPoP nonces (derived from the master key, so every instance makes the same).
    dpop_nonces: NonceKey,
    /// The clients that registered a `backchannel_logout_uri`: the ones told of a session's end.
    backchannel_receivers: Vec<String>,
    /// What the page frame shows (`[branding]`), resolved once per (re)load.
    branding: Arc<Branding>,
    /// The WebAuthn relying party, or why this issuer cannot host passkeys.
    passkeys: Result<Webauthn, passkey::Unavailable>,
    /// The upstream identity providers (`[[upstreams]]`), resolved on first use: a reload
    /// builds a new set, so changed secrets and discovery documents are read again.
    upstreams: Arc<Upstreams>,
    /// The guarded client for URLs not from the configuration, made on first use.
    outbound: OnceLock<Guard>,
}

impl Settings {
    pub fn new(config: Config) -> Self {
        let clients: HashMap<String, Client> = config
            .clients()
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        // The built-in admin API among them; discovery below names the configured ones only.
        let resources = config
            .all_resources()
            .iter()
            .map(|r| (r.identifier.clone(), r.to_resource()))
            .collect();
        let offered = discovery::Offered {
            issuer: &config.issuer,
            signing_algs: &config.signing_algs,
            api_scopes: config
                .resources
                .iter()
                .flat_map(|r| r.scopes.iter().map(String::as_str))
                .collect(),
            require_pushed_authorization_requests: config.require_pushed_authorization_requests,
            registration_endpoint: config.dynamic_registration.is_on(),
            client_id_metadata_document_supported: config.client_id_metadata_documents,
        };
        let discovery_json = discovery::provider_metadata(&offered).to_string();
        let backchannel_receivers = crate::oauth::backchannel::receivers(clients.values());
        let master: Option<&MasterKey> = config.master_key.as_ref();
        let passkeys = passkey::relying_party(
            &config.issuer,
            config.webauthn_rp_id.as_deref(),
            &config.branding.product_name,
        );
        Self {
            upstreams: Arc::new(Upstreams::new(&config.issuer, &config.upstreams)),
            branding: Arc::new(Branding::new(&config.branding.look())),
            passkeys,
            totp_key: master.map(|m| m.derive(Purpose::TotpSecrets)),
            signing_key_sealer: master.map(|m| m.derive(Purpose::SigningKeys)),
            mail_sealer: master.map(|m| m.derive(Purpose::MailOutbox)),
            dpop_nonces: master.map_or_else(NonceKey::generate, |m| {
                NonceKey::from_bytes(m.derive_bytes(Purpose::DpopNonces))
            }),
            dynamic_client_policy: config.dynamic_client_policy(),
            outbound: OnceLock::new(),
            clients,
            resources,
            discovery_json,
            backchannel_receivers,
            config,
        }
    }
}

struct Shared {
    settings: ArcSwap<Settings>,
    keys: ArcSwap<KeySet>,
    store: Store,
    clock: Arc<dyn Clock>,
    passwords: PasswordHasher,
    secret_cache: SecretCache,
    /// private_key_jwt clients' JWK Sets fetched from their `jwks_uri`.
    client_jwks: JwksCache,
    /// Rings when back-channel logouts were queued (or a delivery slot came free), so the
    /// outbox worker need not wait for its next poll.
    outbox_bell: tokio::sync::Notify,
    /// Rings when mail was queued here (or a sending slot came free).
    mail_bell: tokio::sync::Notify,
    /// The audit trail's writer.
    audit: AuditLog,
    /// Client metadata documents fetched by this instance.
    client_metadata: DocumentCache,
}

/// The state the router holds; every handler gets a fresh [`AppState`] snapshot of it.
#[derive(Clone)]
pub struct SharedState(Arc<Shared>);

/// One request's view: the settings and keys as they were when it started.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
    settings: Arc<Settings>,
    keys: Arc<KeySet>,
    /// A client not in the configuration, admitted for this request only
    /// (`service::clients::admit`): registered in the database or described by a metadata
    /// document. [`AppState::client`] finds it beside the configured ones.
    visiting: Option<Arc<Client>>,
}

impl AppState {
    pub fn new(config: Config, store: Store, keys: KeySet, clock: Arc<dyn Clock>) -> Self {
        let passwords =
            PasswordHasher::new(config.password_hash_concurrency, config.password_hash_queue);
        let audit = AuditLog::new(store.clone(), clock.clone());
        let shared = Arc::new(Shared {
            audit,
            settings: ArcSwap::from_pointee(Settings::new(config)),
            keys: ArcSwap::from_pointee(keys),
            store,
            clock,
            passwords,
            secret_cache: SecretCache::default(),
            client_jwks: JwksCache::default(),
            outbox_bell: tokio::sync::Notify::new(),
            mail_bell: tokio::sync::Notify::new(),
            client_metadata: DocumentCache::default(),
        });
        Self::snapshot(&shared)
    }

    fn snapshot(shared: &Arc<Shared>) -> Self {
        Self {
            shared: shared.clone(),
            settings: shared.settings.load_full(),
            keys: shared.keys.load_full(),
            visiting: None,
        }
    }

    /// The state the router holds.
    pub fn shared(&self) -> SharedState {
        SharedState(self.shared.clone())
    }

    /// A request's snapshot of the router's state.
    pub fn of(shared: &SharedState) -> Self {
        Self::snapshot(&shared.0)
    }

    /// A snapshot of the settings and keys as they are now.
    pub fn current(&self) -> Self {
        Self::snapshot(&self.shared)
    }

    /// Replaces the settings for every request that starts from now on. Client secrets
    /// verified under the old registration are forgotten.
    pub fn replace_settings(&self, config: Config) {
        self.shared.settings.store(Arc::new(Settings::new(config)));
        self.shared.secret_cache.clear();
    }

    /// Replaces the key set (after a read of the database).
    pub fn replace_keys(&self, keys: KeySet) {
        self.shared.keys.store(Arc::new(keys));
    }

    pub fn config(&self) -> &Config {
        &self.settings.config
    }

    /// The WebAuthn relying party, or why passkeys are unavailable with this issuer.
    pub fn passkeys(&self) -> Result<&Webauthn, passkey::Unavailable> {
        self.settings.passkeys.as_ref().map_err(|why| *why)
    }

    pub fn issuer(&self) -> &str {
        &self.settings.config.issuer
    }

    /// The client with this id: a configured one, or the visiting client this snapshot
    /// admitted. A configured client always wins a clash of names.
    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.settings.clients.get(client_id).or_else(|| {
            self.visiting
                .as_deref()
                .filter(|visiting| visiting.id == client_id)
        })
    }

    /// True when the configuration registers a client with this id.
    pub fn is_configured_client(&self, client_id: &str) -> bool {
        self.settings.clients.contains_key(client_id)
    }

    /// This snapshot, whose [`Self::client`] also finds `client` (unless a configured client
    /// has its id): how a client from outside the configuration takes part in one request.
    pub fn with_visiting_client(&self, client: Client) -> AppState {
        let mut admitted = self.clone();
        admitted.visiting = Some(Arc::new(client));
        admitted
    }

    /// What clients from outside the configuration may have.
    pub fn dynamic_client_policy(&self) -> &DynamicClientPolicy {
        &self.settings.dynamic_client_policy
    }

    /// The API (resource server) with this identifier.
    pub fn resource(&self, identifier: &str) -> Option<&Resource> {
        self.settings.resources.get(identifier)
    }

    /// Where security events are recorded.
    pub fn audit(&self) -> &AuditLog {
        &self.shared.audit
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    pub fn now(&self) -> i64 {
        self.shared.clock.now()
    }

    pub fn passwords(&self) -> &PasswordHasher {
        &self.shared.passwords
    }

    pub fn secret_cache(&self) -> &SecretCache {
        &self.shared.secret_cache
    }

    pub fn client_jwks(&self) -> &JwksCache {
        &self.shared.client_jwks
    }

    /// Client metadata documents fetched (and still fresh).
    pub fn client_metadata(&self) -> &DocumentCache {
        &self.shared.client_metadata
    }

    /// The guarded HTTP client for URLs not from the configuration (`outbound::guard`).
    pub fn outbound(&self) -> Result<&Guard, FetchError> {
        if let Some(guard) = self.settings.outbound.get() {
            return Ok(guard);
        }
        let guard = Guard::new(self.settings.config.client_id_metadata_allow_loopback)?;
        Ok(self.settings.outbound.get_or_init(|| guard))
    }

    pub fn discovery_json(&self) -> &str {
        &self.settings.discovery_json
    }

    pub fn trusted_proxies(&self) -> &[ipnet::IpNet] {
        &self.settings.config.trusted_proxies
    }

    /// Seals TOTP secrets at rest; `None` without a master key.
    pub fn mfa_key(&self) -> Option<&SealingKey> {
        self.settings.totp_key.as_ref()
    }

    /// The key TOTP secrets of earlier versions were sealed with (`mfa_encryption_key`).
    pub fn legacy_mfa_key(&self) -> Option<&SealingKey> {
        self.settings.config.mfa_encryption_key.as_ref()
    }

    /// Seals signing keys at rest; `None` without a master key.
    pub fn signing_key_sealer(&self) -> Option<&SealingKey> {
        self.settings.signing_key_sealer.as_ref()
    }

    /// Seals messages in the mail outbox; `None` without a master key.
    pub fn mail_sealer(&self) -> Option<&SealingKey> {
        self.settings.mail_sealer.as_ref()
    }

    /// Makes and checks DPoP nonces.
    pub fn dpop_nonces(&self) -> &NonceKey {
        &self.settings.dpop_nonces
    }

    pub fn backchannel_receivers(&self) -> &[String] {
        &self.settings.backchannel_receivers
    }

    /// Tells the outbox worker there is work (it looks at once, or after its current look).
    pub fn ring_outbox(&self) {
        self.shared.outbox_bell.notify_one();
    }

    /// Waits for [`Self::ring_outbox`] (a ring while nobody waited is kept for the next wait).
    pub async fn outbox_rung(&self) {
        self.shared.outbox_bell.notified().await;
    }

    /// Tells the mail worker there is mail to send.
    pub fn ring_mail(&self) {
        self.shared.mail_bell.notify_one();
    }

    /// Waits for [`Self::ring_mail`] (a ring while nobody waited is kept for the next wait).
    pub async fn mail_rung(&self) {
        self.shared.mail_bell.notified().await;
    }

    /// The page frame's branding, shared by every page of this snapshot.
    pub fn branding(&self) -> Arc<Branding> {
        self.settings.branding.clone()
    }

    /// The upstream identity providers of this snapshot's settings.
    pub fn upstreams(&self) -> Arc<Upstreams> {
        self.settings.upstreams.clone()
    }

    pub fn secure_cookies(&self) -> bool {
        self.settings.config.secure_cookies()
    }
}
