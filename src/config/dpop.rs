//! `[dpop]`: how DPoP proofs (RFC 9449) are checked everywhere. Per client,
//! `dpop_bound_access_tokens` and `dpop_nonce_required` add to it (`clients.rs`).
use serde::{Deserialize, Serialize};

use super::ConfigError;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DpopConfig {
    /// Seconds a proof's `iat` may be from Tessera's clock, either way (plus 5 s of leeway).
    /// Its `jti` is remembered that long.
    #[serde(default = "iat_window")]
    pub iat_window: i64,
    /// Every proof, of every client and at every endpoint, must carry a nonce Tessera issued
    /// (RFC 9449 §8, §9). Off: only clients with `dpop_nonce_required` must.
    #[serde(default)]
    pub nonce_required: bool,
    /// Seconds between nonce changes. A nonce is accepted until two of these have passed
    /// since it was issued, and from one before (instances whose clocks differ).
    #[serde(default = "nonce_rotation")]
    pub nonce_rotation: i64,
}

fn iat_window() -> i64 {
    60
}

fn nonce_rotation() -> i64 {
    60
}

impl Default for DpopConfig {
    fn default() -> Self {
        Self {
            iat_window: iat_window(),
            nonce_required: false,
            nonce_rotation: nonce_rotation(),
        }
    }
}

impl DpopConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=600).contains(&self.iat_window) {
            return Err(ConfigError::new(
                "dpop.iat_window",
                "must be between 1 and 600 seconds: a proof is made for one request, moments before it",
            ));
        }
        if !(10..=3600).contains(&self.nonce_rotation) {
            return Err(ConfigError::new(
                "dpop.nonce_rotation",
                "must be between 10 and 3600 seconds",
            ));
        }
        Ok(())
    }
}
