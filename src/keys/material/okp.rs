//! Ed25519 keys for EdDSA (RFC 8037): an OKP key has one public member, `x`.
use josekit::jwk::Jwk;
use josekit::jwk::alg::ed::{EdCurve, EdKeyPair};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::{KeyError, NewKey, member, thumbprint};
use crate::oauth::signing_alg::SigningAlg;

/// A new Ed25519 key for EdDSA.
pub fn generate_ed25519() -> Result<NewKey, KeyError> {
    let pair = EdKeyPair::generate(EdCurve::Ed25519).map_err(|e| KeyError::Jose(e.to_string()))?;
    from_pair(&pair)
}

/// An EdDSA private key in PEM (PKCS#8), if it is Ed25519: the only curve Tessera signs
/// EdDSA with (RFC 8037 §3.1 also defines Ed448). `None`: not an EdDSA key.
pub fn ed_from_pem(pem: &[u8]) -> Option<Result<NewKey, KeyError>> {
    let pair = EdKeyPair::from_pem(pem).ok()?;
    Some(match pair.curve() {
        EdCurve::Ed25519 => from_pair(&pair),
        other => Err(KeyError::BadKey(format!(
            "an EdDSA key on {}: Tessera signs EdDSA with Ed25519 only (RFC 8037)",
            other.name()
        ))),
    })
}

fn from_pair(pair: &EdKeyPair) -> Result<NewKey, KeyError> {
    let public = pair.to_jwk_public_key();
    let kid = thumbprint(&canonical(&public)?);
    Ok(NewKey {
        alg: SigningAlg::EdDsa,
        public_jwk: public_jwk(&public, &kid)?,
        kid,
        private_pem: Zeroizing::new(pair.to_pem_private_key()),
    })
}

/// The JWK Set entry: `crv` and `x`, never `d`.
fn public_jwk(public: &Jwk, kid: &str) -> Result<Value, KeyError> {
    Ok(json!({
        "kty": "OKP",
        "use": "sig",
        "alg": SigningAlg::EdDsa.as_str(),
        "kid": kid,
        "crv": member(public, "crv")?,
        "x": member(public, "x")?,
    }))
}

/// RFC 8037 §2: an OKP key's thumbprint members are `crv`, `kty`, `x`, in that order.
fn canonical(public: &Jwk) -> Result<String, KeyError> {
    let (crv, x) = (member(public, "crv")?, member(public, "x")?);
    Ok(format!(r#"{{"crv":"{crv}","kty":"OKP","x":"{x}"}}"#))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thumbprint_is_rfc_8037_appendix_a_3s_and_the_jwk_is_public_only() {
        let jwk = json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        });
        let public = Jwk::from_map(jwk.as_object().unwrap().clone()).unwrap();
        assert_eq!(
            thumbprint(&canonical(&public).unwrap()),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );

        let key = generate_ed25519().unwrap();
        let mut members: Vec<&String> = key.public_jwk.as_object().unwrap().keys().collect();
        members.sort();
        assert_eq!(members, ["alg", "crv", "kid", "kty", "use", "x"]);
        assert_eq!(key.public_jwk["crv"], "Ed25519");
    }
}
