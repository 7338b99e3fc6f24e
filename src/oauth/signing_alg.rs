//! The JWS algorithms (RFC 7518 §3.1, RFC 8037 §3.1) Tessera signs with: RS256, which
//! OIDC Core §15.1 requires every provider to support, beside PS256 (RSASSA-PSS), ES256 and
//! EdDSA (Ed25519), the three the FAPI 2.0 Security Profile (§5.4.1) allows. Named by their
//! `alg` value in the configuration, the JWKS, discovery and the CLI.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256 over an RSA-2048 key.
    Rs256,
    /// RSASSA-PSS with SHA-256 and MGF1 with SHA-256 over an RSA-2048 key (RFC 7518 §3.5).
    Ps256,
    /// ECDSA over P-256 with SHA-256.
    Es256,
    /// Ed25519.
    EdDsa,
}

impl SigningAlg {
    /// Every algorithm Tessera can sign with, RS256 first.
    pub const ALL: [SigningAlg; 4] = [Self::Rs256, Self::Ps256, Self::Es256, Self::EdDsa];

    /// The `alg` value (case-sensitive, as RFC 7515 §4.1.1 has it).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Ps256 => "PS256",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }

    /// FAPI 2.0 Security Profile §5.4.1: PS256, ES256 or EdDSA; never RS256.
    pub fn allowed_by_fapi2(self) -> bool {
        self != Self::Rs256
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `alg` Tessera does not sign with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAlg(pub String);

impl fmt::Display for UnknownAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a signing algorithm Tessera supports (RS256, PS256, ES256, EdDSA)",
            self.0
        )
    }
}

impl std::error::Error for UnknownAlg {}

impl FromStr for SigningAlg {
    type Err = UnknownAlg;

    /// Exact names only: `alg` values are case-sensitive, and a lenient parse would let
    /// `es256` in the file pass while every relying party compares `ES256`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|alg| alg.as_str() == s)
            .ok_or_else(|| UnknownAlg(s.to_string()))
    }
}

impl Serialize for SigningAlg {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SigningAlg {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_exactly_and_case_matters() {
        for alg in SigningAlg::ALL {
            assert_eq!(alg.as_str().parse::<SigningAlg>(), Ok(alg));
            assert_eq!(
                serde_json::to_value(alg).unwrap(),
                serde_json::json!(alg.as_str())
            );
        }
        for wrong in ["es256", "ps256", "EDDSA", "HS256", "PS384", "none", ""] {
            assert!(wrong.parse::<SigningAlg>().is_err(), "{wrong}");
        }
    }
}
