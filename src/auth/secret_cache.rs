//! Client secrets already verified by this instance. argon2 is deliberately slow, and a client
//! presents the same secret on every call, so a secret that passed argon2 is remembered as its
//! SHA-256 and later calls compare against that in constant time. Only verified secrets are
//! remembered: a wrong secret always pays argon2 (and the throttle). The cache is per instance
//! and cleared when the client's registration changes (see docs/architecture.md).
//!
//! A secret not yet remembered is verified once however many requests present it at the same
//! moment (single flight): after a restart a busy client's first burst would otherwise queue
//! one argon2 run per request and overflow the hash queue (issue 22, finding 16).
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::OnceCell;

/// A verification in flight, keyed by client and the digest of the secret presented.
type FlightKey = (String, [u8; 32]);

#[derive(Default)]
pub struct SecretCache {
    verified: RwLock<HashMap<String, [u8; 32]>>,
    in_flight: Mutex<HashMap<FlightKey, Arc<OnceCell<()>>>>,
}

impl SecretCache {
    /// True when `secret` is known to be `client_id`'s secret without any hashing.
    pub fn matches(&self, client_id: &str, secret: &str) -> bool {
        let digest = digest(secret);
        let Ok(verified) = self.verified.read() else {
            return false;
        };
        verified
            .get(client_id)
            .is_some_and(|known| bool::from(known.ct_eq(&digest)))
    }

    /// Forgets every secret (the client registrations were reloaded).
    pub fn clear(&self) {
        if let Ok(mut verified) = self.verified.write() {
            verified.clear();
        }
    }

    /// Remembers a secret that argon2 just verified.
    pub fn remember(&self, client_id: &str, secret: &str) {
        if let Ok(mut verified) = self.verified.write() {
            verified.insert(client_id.to_string(), digest(secret));
        }
    }
}

impl SecretCache {
    /// Proves `secret` for `client_id` with `verify` (the throttle and argon2), once among
    /// callers presenting the same secret at the same time: the first runs its `verify`, the
    /// others wait and share its success. A failure is never shared: the next waiter then
    /// runs its own `verify`, so every wrong guess pays argon2 and the throttle as if it had
    /// come alone. A verified secret is remembered before the waiters are let go.
    pub async fn verify_once<E, F, Fut>(
        &self,
        client_id: &str,
        secret: &str,
        verify: F,
    ) -> Result<(), E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(), E>>,
    {
        let key = (client_id.to_string(), digest(secret));
        let flight = self.join(&key);
        let _leave = Leave {
            cache: self,
            key: &key,
            flight: &flight,
        };
        flight
            .get_or_try_init(|| async {
                verify().await?;
                self.remember(client_id, secret);
                Ok(())
            })
            .await
            .map(|_| ())
    }

    fn join(&self, key: &FlightKey) -> Arc<OnceCell<()>> {
        match self.in_flight.lock() {
            Ok(mut flights) => flights.entry(key.clone()).or_default().clone(),
            // A poisoned map only loses the sharing: this caller verifies on its own.
            Err(_) => Arc::default(),
        }
    }
}

/// Drops the flight from the map when its last caller leaves (finished or abandoned), so the
/// map holds only verifications in progress.
struct Leave<'a> {
    cache: &'a SecretCache,
    key: &'a FlightKey,
    flight: &'a Arc<OnceCell<()>>,
}

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        let Ok(mut flights) = self.cache.in_flight.lock() else {
            return;
        };
        // New callers clone the flight only under this lock: two references (the map's and
        // this caller's) mean nobody else waits on it.
        let last = flights
            .get(self.key)
            .is_some_and(|f| Arc::ptr_eq(f, self.flight) && Arc::strong_count(f) == 2);
        if last {
            flights.remove(self.key);
        }
    }
}

fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_remembered_secret_of_that_client_matches() {
        let cache = SecretCache::default();
        assert!(!cache.matches("a", "s"));
        cache.remember("a", "s");
        assert!(cache.matches("a", "s"));
        assert!(!cache.matches("a", "t"));
        assert!(!cache.matches("b", "s"));
    }

    /// Runs `n` concurrent `verify_once` calls for `secret`, each verification taking a
    /// while and answering `outcome`; returns how many verifications ran and the results.
    async fn concurrently(
        cache: &Arc<SecretCache>,
        n: usize,
        secret: &'static str,
        outcome: Result<(), ()>,
    ) -> (usize, Vec<Result<(), ()>>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let runs = Arc::new(AtomicUsize::new(0));
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..n {
            let (cache, runs) = (cache.clone(), runs.clone());
            calls.spawn(async move {
                cache
                    .verify_once("a", secret, || async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        outcome
                    })
                    .await
            });
        }
        let results = calls.join_all().await;
        (runs.load(Ordering::SeqCst), results)
    }

    #[tokio::test]
    async fn concurrent_callers_with_one_secret_share_one_verification() {
        let cache = Arc::new(SecretCache::default());
        let (runs, results) = concurrently(&cache, 12, "s", Ok(())).await;
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(runs, 1);
        assert!(cache.matches("a", "s"));
        assert!(cache.in_flight.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_failed_verification_is_not_shared_each_wrong_guess_runs_its_own() {
        let cache = Arc::new(SecretCache::default());
        let (runs, results) = concurrently(&cache, 5, "guess", Err(())).await;
        assert!(results.iter().all(Result::is_err));
        assert_eq!(runs, 5);
        assert!(!cache.matches("a", "guess"));
        assert!(cache.in_flight.lock().unwrap().is_empty());
    }
}
