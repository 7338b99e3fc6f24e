//! Everything a request handler needs, built once at start and shared.
use std::collections::HashMap;
use std::sync::Arc;

use crate::auth::password::PasswordHasher;
use crate::auth::sealing::SealingKey;
use crate::clock::Clock;
use crate::config::Config;
use crate::http::client_secret::SecretCache;
use crate::keys::KeyStore;
use crate::oauth::client::Client;
use crate::oauth::discovery;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    clients: HashMap<String, Client>,
    store: Store,
    keys: KeyStore,
    clock: Arc<dyn Clock>,
    passwords: PasswordHasher,
    secret_cache: SecretCache,
    /// Seals TOTP secrets at rest; `None` when no `mfa_encryption_key` is configured.
    mfa_key: Option<SealingKey>,
    /// Serialised once: discovery is fetched often and never changes while running.
    discovery_json: String,
    jwks_json: String,
    trusted_proxies: Vec<ipnet::IpNet>,
}

impl AppState {
    pub fn new(config: Config, store: Store, keys: KeyStore, clock: Arc<dyn Clock>) -> Self {
        let clients = config
            .clients()
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let passwords =
            PasswordHasher::new(config.password_hash_concurrency, config.password_hash_queue);
        let trusted_proxies = config.trusted_proxies.clone();
        let discovery_json = discovery::provider_metadata(&config.issuer).to_string();
        let jwks_json = keys.jwks().to_string();
        let mfa_key = config.mfa_encryption_key.clone();
        Self {
            inner: Arc::new(Inner {
                config,
                clients,
                store,
                keys,
                clock,
                passwords,
                secret_cache: SecretCache::default(),
                mfa_key,
                discovery_json,
                jwks_json,
                trusted_proxies,
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn issuer(&self) -> &str {
        &self.inner.config.issuer
    }

    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.inner.clients.get(client_id)
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn keys(&self) -> &KeyStore {
        &self.inner.keys
    }

    pub fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    pub fn passwords(&self) -> &PasswordHasher {
        &self.inner.passwords
    }

    pub fn secret_cache(&self) -> &SecretCache {
        &self.inner.secret_cache
    }

    pub fn discovery_json(&self) -> &str {
        &self.inner.discovery_json
    }

    pub fn jwks_json(&self) -> &str {
        &self.inner.jwks_json
    }

    pub fn trusted_proxies(&self) -> &[ipnet::IpNet] {
        &self.inner.trusted_proxies
    }

    pub fn mfa_key(&self) -> Option<&SealingKey> {
        self.inner.mfa_key.as_ref()
    }

    pub fn secure_cookies(&self) -> bool {
        self.inner.config.secure_cookies()
    }
}
