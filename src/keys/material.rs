//! Key material: generating RSA-2048 keys, their PEM form, the public JWK and its RFC 7638
//! thumbprint (the `kid`, derived from the key, so it never collides).
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jwk::Jwk;
use josekit::jwk::alg::rsa::RsaKeyPair;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::KeyError;

const RSA_BITS: u32 = 2048;

/// A private key ready to be stored: its id, its public JWK, and its PEM (secret).
pub struct NewKey {
    pub kid: String,
    pub public_jwk: Value,
    pub private_pem: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for NewKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A new RSA-2048 key for RS256.
pub fn generate_rsa() -> Result<NewKey, KeyError> {
    let pair = RsaKeyPair::generate(RSA_BITS).map_err(|e| KeyError::Jose(e.to_string()))?;
    from_pair(&pair)
}

/// An RSA private key in PEM (PKCS#1 or PKCS#8), e.g. a file from an earlier version.
pub fn rsa_from_pem(pem: &[u8]) -> Result<NewKey, KeyError> {
    let pair = RsaKeyPair::from_pem(pem).map_err(|e| KeyError::BadKey(e.to_string()))?;
    from_pair(&pair)
}

fn from_pair(pair: &RsaKeyPair) -> Result<NewKey, KeyError> {
    let public = pair.to_jwk_public_key();
    let kid = rsa_thumbprint(&public).ok_or_else(|| KeyError::BadKey("no modulus".into()))?;
    Ok(NewKey {
        public_jwk: public_jwk(&public, &kid),
        kid,
        private_pem: Zeroizing::new(pair.to_pem_private_key()),
    })
}

/// The JWK Set entry: public parts only, with `use`, `alg` and `kid`.
fn public_jwk(public: &Jwk, kid: &str) -> Value {
    json!({
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": kid,
        "n": public.parameter("n"),
        "e": public.parameter("e"),
    })
}

/// RFC 7638 thumbprint of an RSA public JWK: SHA-256 over `{"e","kty","n"}` in that order.
fn rsa_thumbprint(public: &Jwk) -> Option<String> {
    let e = public.parameter("e")?.as_str()?;
    let n = public.parameter("n")?.as_str()?;
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    Some(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kid_is_the_rfc_7638_thumbprint_and_the_jwk_is_public_only() {
        // RFC 7638 §3.1's example key and thumbprint.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let public = Jwk::from_map(
            json!({ "kty": "RSA", "n": n, "e": "AQAB" })
                .as_object()
                .unwrap()
                .clone(),
        )
        .unwrap();
        assert_eq!(
            rsa_thumbprint(&public).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        let key = generate_rsa().unwrap();
        let jwk = key.public_jwk.to_string();
        for private in ["\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\""] {
            assert!(!jwk.contains(private), "{private} leaked");
        }
        let again = rsa_from_pem(&key.private_pem).unwrap();
        assert_eq!(again.kid, key.kid);
    }
}
