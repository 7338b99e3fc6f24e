//! Client secrets already verified by this instance. argon2 is deliberately slow, and a client
//! presents the same secret on every call, so a secret that passed argon2 is remembered as its
//! SHA-256 and later calls compare against that in constant time. Only verified secrets are
//! remembered: a wrong secret always pays argon2 (and the throttle). The cache is per instance
//! and cleared when the client's registration changes (see docs/architecture.md).
use std::collections::HashMap;
use std::sync::RwLock;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

#[derive(Default)]
pub struct SecretCache {
    verified: RwLock<HashMap<String, [u8; 32]>>,
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
}
