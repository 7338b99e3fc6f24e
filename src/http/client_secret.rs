//! Client-secret verification for the token endpoint. argon2 is deliberately slow, and a
//! client presents the same secret on every call, so a successful verification is
//! remembered as a SHA-256 of the secret and later calls compare against that in constant
//! time. Only secrets that passed argon2 are remembered; a wrong secret always pays argon2.
use std::collections::HashMap;
use std::sync::RwLock;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::AppError;
use crate::oauth::client::Client;
use crate::state::AppState;

#[derive(Default)]
pub struct SecretCache {
    verified: RwLock<HashMap<String, [u8; 32]>>,
}

impl SecretCache {
    fn matches(&self, client_id: &str, digest: &[u8; 32]) -> bool {
        let Ok(verified) = self.verified.read() else {
            return false;
        };
        verified
            .get(client_id)
            .is_some_and(|known| bool::from(known.ct_eq(digest)))
    }

    fn remember(&self, client_id: &str, digest: [u8; 32]) {
        if let Ok(mut verified) = self.verified.write() {
            verified.insert(client_id.to_string(), digest);
        }
    }
}

/// True when `secret` is known to be the client's secret without any hashing.
pub fn already_verified(state: &AppState, client: &Client, secret: &str) -> bool {
    let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
    state.secret_cache().matches(&client.id, &digest)
}

/// Verifies `secret` with argon2 and remembers it when right.
pub async fn verify_client_secret(
    state: &AppState,
    client: &Client,
    secret: String,
) -> Result<bool, AppError> {
    let secret = Zeroizing::new(secret);
    let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
    let Some(hash) = client.secret_hash.clone() else {
        return Ok(false);
    };
    let ok = state.passwords().verify(secret, Some(hash)).await?;
    if ok {
        state.secret_cache().remember(&client.id, digest);
    }
    Ok(ok)
}
