//! The josekit signer and verifier of each algorithm. A verifier is made for one algorithm,
//! and josekit refuses a token whose `alg` header names another (RFC 8725 §3.1): a key's
//! own algorithm is what is enforced, never the token's say-so.
use josekit::jwk::Jwk;
use josekit::jws::{ES256, EdDSA, JwsSigner, JwsVerifier, PS256, RS256};
use serde_json::Value;

use super::KeyError;
use crate::oauth::signing_alg::SigningAlg;

fn bad(e: impl std::fmt::Display) -> KeyError {
    KeyError::BadKey(e.to_string())
}

/// The verifier of `alg` for a public JWK, bound to `kid`.
pub fn verifier(
    alg: SigningAlg,
    public_jwk: &Value,
    kid: &str,
) -> Result<Box<dyn JwsVerifier>, KeyError> {
    if let Some(named) = public_jwk.get("alg").and_then(Value::as_str)
        && named != alg.as_str()
    {
        return Err(KeyError::BadKey(format!(
            "key {kid} is stored as {alg} but its JWK says {named}"
        )));
    }
    let map = public_jwk
        .as_object()
        .cloned()
        .ok_or_else(|| KeyError::BadKey("the public JWK is not an object".into()))?;
    let jwk = Jwk::from_map(map).map_err(bad)?;
    Ok(match alg {
        SigningAlg::Rs256 => {
            let mut v = RS256.verifier_from_jwk(&jwk).map_err(bad)?;
            v.set_key_id(kid);
            Box::new(v)
        }
        SigningAlg::Ps256 => {
            let mut v = PS256.verifier_from_jwk(&jwk).map_err(bad)?;
            v.set_key_id(kid);
            Box::new(v)
        }
        SigningAlg::Es256 => {
            let mut v = ES256.verifier_from_jwk(&jwk).map_err(bad)?;
            v.set_key_id(kid);
            Box::new(v)
        }
        SigningAlg::EdDsa => {
            let mut v = EdDSA.verifier_from_jwk(&jwk).map_err(bad)?;
            v.set_key_id(kid);
            Box::new(v)
        }
    })
}

/// The signer of `alg` for a private key in PEM, putting `kid` in every header.
pub fn signer(alg: SigningAlg, pem: &[u8], kid: &str) -> Result<Box<dyn JwsSigner>, KeyError> {
    Ok(match alg {
        SigningAlg::Rs256 => {
            let mut s = RS256.signer_from_pem(pem).map_err(bad)?;
            s.set_key_id(kid);
            Box::new(s)
        }
        // An RSASSA-PSS key (PKCS#8 with the id-RSASSA-PSS algorithm, SHA-256, salt 32), as
        // `material` makes them: the key itself is bound to PSS, never usable for RS256.
        SigningAlg::Ps256 => {
            let mut s = PS256.signer_from_pem(pem).map_err(bad)?;
            s.set_key_id(kid);
            Box::new(s)
        }
        SigningAlg::Es256 => {
            let mut s = ES256.signer_from_pem(pem).map_err(bad)?;
            s.set_key_id(kid);
            Box::new(s)
        }
        SigningAlg::EdDsa => {
            let mut s = EdDSA.signer_from_pem(pem).map_err(bad)?;
            s.set_key_id(kid);
            Box::new(s)
        }
    })
}
