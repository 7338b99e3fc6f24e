//! Everything a request needs, built once at start and shared: the configuration and the
//! registered clients, the store, the keys, the clock, the argon2 pool and the cache of
//! verified client secrets.
use std::collections::HashMap;
use std::sync::Arc;

use crate::auth::password::PasswordHasher;
use crate::auth::sealing::SealingKey;
use crate::auth::secret_cache::SecretCache;
use crate::clock::Clock;
use crate::config::Config;
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
    /// Serialised once: discovery is fetched often and never changes while running.
    discovery_json: String,
    jwks_json: String,
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
        let discovery_json = discovery::provider_metadata(&config.issuer).to_string();
        let jwks_json = keys.jwks().to_string();
        Self {
            inner: Arc::new(Inner {
                config,
                clients,
                store,
                keys,
                clock,
                passwords,
                secret_cache: SecretCache::default(),
                discovery_json,
                jwks_json,
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
        &self.inner.config.trusted_proxies
    }

    /// Seals TOTP secrets at rest; `None` when no `mfa_encryption_key` is configured.
    pub fn mfa_key(&self) -> Option<&SealingKey> {
        self.inner.config.mfa_encryption_key.as_ref()
    }

    pub fn secure_cookies(&self) -> bool {
        self.inner.config.secure_cookies()
    }
}
