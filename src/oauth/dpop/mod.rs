//! RFC 9449 DPoP, the pure part: the `DPoP` header as the request carried it (§4.1), a proof
//! checked to the letter of §4.3 (`proof`, `claims`, `htu`), the RFC 7638 thumbprint of its key
//! (`thumbprint`, §6.1), and the bindings a proven key must match: a code's `dpop_jkt` (§10),
//! a public client's refresh token (§5), an access token's `cnf` at a resource (§7)
//! (`binding`). Remembering each proof's `jti` and the server's nonces (§8, §9, §11.1) are the
//! service's: they need the database and the master key.
use std::fmt;

use super::error::OAuthError;

mod binding;
mod claims;
mod htu;
mod proof;
#[cfg(test)]
mod tests;
mod thumbprint;

pub use binding::{
    Confirmation, Scheme, check_code_binding, check_proof_required, check_refresh_binding,
    check_resource_binding, parse_jkt, refresh_binding, token_type,
};
pub use htu::normalise as normalise_htu;
pub use proof::verify;
pub use thumbprint::jwk_thumbprint;

/// The algorithms a proof may be signed with (`dpop_signing_alg_values_supported`, §5.1), in
/// the order discovery lists them: asymmetric only; `none` and HMAC never (§4.3 check 5).
pub const SUPPORTED_ALGS: [&str; 4] = ["ES256", "EdDSA", "RS256", "PS256"];

/// Seconds added to the `iat` window on both sides, for clocks that differ a little.
pub const LEEWAY: i64 = 5;
pub const MAX_JTI_LEN: usize = 256;
pub const MAX_NONCE_LEN: usize = 256;
/// Longer than any real proof (an RSA-4096 key in the header included).
const MAX_PROOF_LEN: usize = 8 * 1024;

/// What the request carried in `DPoP` header fields.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum PresentedProof {
    #[default]
    Absent,
    One(String),
    /// More than one field (§4.3 check 1 wants exactly one).
    Several,
    /// A value that is not visible ASCII, so no JWT.
    Unreadable,
}

// A proof is good for one request only, but within its window it could be replayed: it
// stays out of Debug output like the tokens do.
impl fmt::Debug for PresentedProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Absent => "Absent",
            Self::One(_) => "One(..)",
            Self::Several => "Several",
            Self::Unreadable => "Unreadable",
        })
    }
}

impl PresentedProof {
    /// The `DPoP` header field values as received, in order.
    pub fn from_header_values<'a>(mut values: impl Iterator<Item = &'a [u8]>) -> Self {
        match (values.next(), values.next()) {
            (None, _) => Self::Absent,
            (Some(_), Some(_)) => Self::Several,
            (Some(value), None) => match std::str::from_utf8(value) {
                Ok(text) if text.bytes().all(|b| b.is_ascii_graphic()) => {
                    Self::One(text.to_string())
                }
                _ => Self::Unreadable,
            },
        }
    }

    pub fn is_present(&self) -> bool {
        *self != Self::Absent
    }

    /// The one proof, if any was sent; several header fields, or one that cannot be a JWT,
    /// are an invalid proof (§4.3 checks 1 and 2).
    pub fn single(&self) -> Result<Option<&str>, OAuthError> {
        match self {
            Self::Absent => Ok(None),
            Self::One(proof) => Ok(Some(proof)),
            Self::Several => Err(OAuthError::invalid_dpop_proof(
                "send exactly one DPoP header field",
            )),
            Self::Unreadable => Err(OAuthError::invalid_dpop_proof(
                "the DPoP header is not a JWT",
            )),
        }
    }
}

/// What a proof must say for the request it came with.
#[derive(Debug, Clone, Copy)]
pub struct ExpectedProof<'a> {
    /// The request's HTTP method (`htm`).
    pub method: &'a str,
    /// The URL the request was sent to, built from the issuer (never from the `Host` header),
    /// without query or fragment (`htu`).
    pub target: &'a str,
    /// At a resource: the access token presented with the proof, whose hash `ath` must be.
    pub access_token: Option<&'a str>,
    /// How far `iat` may be from `now`, either way (plus [`LEEWAY`]).
    pub iat_window: i64,
    pub now: i64,
}

/// A proof that passed every check of §4.3 but the server's own two: its nonce (§8) and its
/// `jti` never seen before (§11.1).
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The RFC 7638 SHA-256 thumbprint of the proof's key.
    pub jkt: String,
    pub jti: String,
    pub nonce: Option<String>,
    /// Past this time the proof would be refused as stale anyway: its `jti` need not be
    /// remembered longer.
    pub remember_until: i64,
}

impl fmt::Debug for VerifiedProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedProof")
            .field("jkt", &self.jkt)
            .field("remember_until", &self.remember_until)
            .finish_non_exhaustive()
    }
}
