//! Key material: generating a key for each algorithm, its private PEM (PKCS#8, or PKCS#1 for
//! RSA keys of earlier versions), the public JWK (public members only) and its RFC 7638
//! thumbprint, the `kid`: derived from the key, so it never collides, and computed here from
//! the canonical members rather than trusted to a library. One file per key type.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::KeyError;
use crate::oauth::signing_alg::SigningAlg;

mod ec;
mod okp;
mod rsa;

pub use rsa::{generate_rsa, generate_rsa_pss, rsa_from_pem};

/// A private key in PEM, for the algorithm its type signs with: RSA of 2048 bits or more for
/// RS256, RSASSA-PSS (SHA-256) of 2048 bits or more for PS256, EC P-256 for ES256, Ed25519
/// for EdDSA (RFC 7518 §3.3–3.5, RFC 8037). Anything else is refused here, before it is
/// stored: a key no server can load would only be left out on every instance.
pub fn from_pem(pem: &[u8]) -> Result<NewKey, KeyError> {
    if josekit::jwk::alg::rsa::RsaKeyPair::from_pem(pem).is_ok() {
        return rsa_from_pem(pem);
    }
    rsa::rsa_pss_from_pem(pem)
        .or_else(|| ec::ec_from_pem(pem))
        .or_else(|| okp::ed_from_pem(pem))
        .unwrap_or_else(|| {
            Err(KeyError::BadKey(
                "not an RSA, RSA-PSS, EC or Ed25519 private key in PEM (PKCS#1, SEC 1 or PKCS#8)"
                    .into(),
            ))
        })
}

/// A private key ready to be stored: its algorithm, id, public JWK, and PEM (secret).
pub struct NewKey {
    pub alg: SigningAlg,
    pub kid: String,
    pub public_jwk: Value,
    pub private_pem: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for NewKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A new key for `alg`: RSA-2048 for RS256, RSASSA-PSS 2048 for PS256, P-256 for ES256,
/// Ed25519 for EdDSA.
pub fn generate(alg: SigningAlg) -> Result<NewKey, KeyError> {
    match alg {
        SigningAlg::Rs256 => rsa::generate_rsa(),
        SigningAlg::Ps256 => rsa::generate_rsa_pss(),
        SigningAlg::Es256 => ec::generate_p256(),
        SigningAlg::EdDsa => okp::generate_ed25519(),
    }
}

/// RFC 7638 §3: base64url of SHA-256 over the canonical JSON of the required members
/// (lexicographic order, no whitespace), which each key type writes out itself.
fn thumbprint(canonical: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// A string member of a JWK that a key type cannot do without.
fn member<'a>(jwk: &'a josekit::jwk::Jwk, name: &str) -> Result<&'a str, KeyError> {
    jwk.parameter(name)
        .and_then(Value::as_str)
        .ok_or_else(|| KeyError::BadKey(format!("the public key has no {name:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_makes_a_key_whose_jwk_names_it() {
        for alg in SigningAlg::ALL {
            let key = generate(alg).unwrap();
            assert_eq!(key.alg, alg);
            assert_eq!(key.public_jwk["alg"], alg.as_str());
            assert_eq!(key.public_jwk["kid"], key.kid.as_str());
            assert_eq!(key.public_jwk["use"], "sig");
            assert!(!format!("{key:?}").contains("PRIVATE"));
            let again = from_pem(&key.private_pem).unwrap();
            assert_eq!((again.alg, &again.kid), (alg, &key.kid), "{alg} imports");
        }
    }

    #[test]
    fn a_weak_rsa_key_or_a_curve_tessera_does_not_sign_with_is_refused_on_import() {
        use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
        use josekit::jwk::alg::ed::{EdCurve, EdKeyPair};
        use josekit::jwk::alg::rsa::RsaKeyPair;
        let refused = |pem: Vec<u8>| match from_pem(&pem) {
            Err(KeyError::BadKey(why)) => why,
            other => panic!("accepted: {other:?}"),
        };
        let weak = RsaKeyPair::generate(1024).unwrap().to_pem_private_key();
        assert!(refused(weak).contains("1024 bits"));
        let p384 = EcKeyPair::generate(EcCurve::P384)
            .unwrap()
            .to_pem_private_key();
        assert!(refused(p384).contains("P-384"));
        let ed448 = EdKeyPair::generate(EdCurve::Ed448)
            .unwrap()
            .to_pem_private_key();
        assert!(refused(ed448).contains("Ed448"));
        assert!(refused(b"not a key".to_vec()).contains("not an RSA"));
    }
}
