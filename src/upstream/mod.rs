//! Upstream identity providers: "Continue with GitHub / Google / any OpenID provider". This
//! module is the client side only: it builds the provider's authorization URL and turns a
//! callback into a [`VerifiedIdentity`]. What Tessera then does with it (users, links,
//! sessions) is the sign-in service's.
//!
//! [`Upstreams`] holds every configured upstream, resolved (secret read, discovery fetched)
//! lazily and again after a reload; one that failed is tried again after a while, so a
//! provider that was down at start comes back by itself.
use std::sync::Arc;

use tokio::sync::Mutex;

use crate::config::UpstreamConfig;

mod endpoints;
mod error;
mod github;
mod http_client;
mod id_token;
mod identity;
mod oidc;
mod request;
mod resolved;
mod secret;
mod token_exchange;
mod userinfo;

pub use crate::config::UpstreamKind;
pub use error::UpstreamError;
pub use identity::{
    GithubEmail, PAPE_MULTI_FACTOR, VerifiedIdentity, email_domain_allowed, github_email,
    upstream_mfa,
};
pub use oidc::REFETCH_AFTER as JWKS_REFETCH_AFTER;
pub use request::UpstreamRequest;
pub use resolved::Upstream;

/// How long an upstream that failed to resolve is left alone before it is tried again.
pub const RETRY_AFTER: i64 = 30;

/// One button of the sign-in page.
#[derive(Debug, Clone)]
pub struct UpstreamButton {
    pub id: String,
    pub display_name: String,
    pub kind: UpstreamKind,
}

/// Every configured upstream, resolved lazily and re-resolved on reload (a reload builds a
/// new `Upstreams`).
pub struct Upstreams {
    issuer: String,
    entries: Vec<Entry>,
}

struct Entry {
    config: UpstreamConfig,
    /// Held while resolving, so concurrent sign-ins wait for one discovery, not start many.
    slot: Mutex<Slot>,
}

enum Slot {
    Unresolved,
    Resolved(Arc<Upstream>),
    Failed { at: i64, why: String },
}

impl Upstreams {
    /// Built from config without I/O (secrets not yet read, discovery not yet fetched).
    pub fn new(issuer: &str, configs: &[UpstreamConfig]) -> Self {
        Self {
            issuer: issuer.to_string(),
            entries: configs
                .iter()
                .map(|config| Entry {
                    config: config.clone(),
                    slot: Mutex::new(Slot::Unresolved),
                })
                .collect(),
        }
    }

    /// Reads every secret and fetches every OIDC upstream's discovery (and JWKS) now; logs
    /// one error per failing upstream, naming its id; never fails as a whole. Called at serve
    /// start and after a reload.
    pub async fn resolve_all(&self, now: i64) {
        for (id, result) in self.check_all(now).await {
            match result {
                Ok(()) => tracing::info!(upstream = %id, "upstream identity provider ready"),
                Err(e) => tracing::error!(
                    upstream = %id,
                    error = %e,
                    "upstream identity provider unavailable: its sign-in button will fail until it resolves (tried again at most every {RETRY_AFTER} s)"
                ),
            }
        }
    }

    /// For check-config: each upstream's id and whether it resolves.
    pub async fn check_all(&self, now: i64) -> Vec<(String, Result<(), UpstreamError>)> {
        let mut results = Vec::with_capacity(self.entries.len());
        for entry in &self.entries {
            let result = self.resolve(entry, now).await.map(|_| ());
            results.push((entry.config.id.clone(), result));
        }
        results
    }

    /// The buttons the sign-in page shows, in config order (every configured upstream).
    pub fn buttons(&self) -> Vec<UpstreamButton> {
        self.entries
            .iter()
            .map(|entry| UpstreamButton {
                id: entry.config.id.clone(),
                display_name: entry.config.display_name.clone(),
                kind: entry.config.kind,
            })
            .collect()
    }

    /// Whether an upstream with this id is configured (no I/O).
    pub fn contains(&self, id: &str) -> bool {
        self.entries.iter().any(|entry| entry.config.id == id)
    }

    /// One upstream, resolved on first use; one that failed to resolve is tried again at
    /// most every [`RETRY_AFTER`] seconds.
    pub async fn get(&self, id: &str, now: i64) -> Result<Arc<Upstream>, UpstreamError> {
        let entry = self
            .entries
            .iter()
            .find(|entry| entry.config.id == id)
            .ok_or(UpstreamError::UnknownUpstream)?;
        self.resolve(entry, now).await
    }

    async fn resolve(&self, entry: &Entry, now: i64) -> Result<Arc<Upstream>, UpstreamError> {
        let mut slot = entry.slot.lock().await;
        match &*slot {
            Slot::Resolved(upstream) => return Ok(upstream.clone()),
            Slot::Failed { at, why } if now - at < RETRY_AFTER => {
                return Err(UpstreamError::Unavailable(format!(
                    "upstream {}: {why} (tried again at most every {RETRY_AFTER} s)",
                    entry.config.id
                )));
            }
            _ => {}
        }
        match Upstream::resolve(&self.issuer, &entry.config, now).await {
            Ok(upstream) => {
                let upstream = Arc::new(upstream);
                *slot = Slot::Resolved(upstream.clone());
                Ok(upstream)
            }
            Err(why) => {
                let error =
                    UpstreamError::Unavailable(format!("upstream {}: {why}", entry.config.id));
                *slot = Slot::Failed { at: now, why };
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests;
