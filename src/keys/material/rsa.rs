//! RSA-2048 keys: plain RSA keys for RS256 (and RSA PEM files of earlier versions), and
//! RSASSA-PSS keys for PS256 (RFC 7518 §3.5; PKCS#8 with the id-RSASSA-PSS algorithm, SHA-256,
//! MGF1 with SHA-256, salt 32), so a PS256 key can never sign RS256 and the other way round.
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jwk::alg::rsapss::RsaPssKeyPair;
use josekit::jwk::{Jwk, KeyPair};
use josekit::jws::PS256;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::{KeyError, NewKey, member, thumbprint};
use crate::oauth::signing_alg::SigningAlg;

const RSA_BITS: u32 = 2048;
/// The smallest RSA key RS256 and PS256 may use (RFC 7518 §3.3, §3.5; FAPI 2.0 §5.4.1);
/// josekit refuses smaller ones too, so a smaller key stored would never load.
const MIN_RSA_BITS: u32 = 2048;

/// A new RSA-2048 key for RS256.
pub fn generate_rsa() -> Result<NewKey, KeyError> {
    let pair = RsaKeyPair::generate(RSA_BITS).map_err(|e| KeyError::Jose(e.to_string()))?;
    from_pair(&pair)
}

/// A new RSASSA-PSS 2048-bit key for PS256.
pub fn generate_rsa_pss() -> Result<NewKey, KeyError> {
    let pair = PS256
        .generate_key_pair(RSA_BITS)
        .map_err(|e| KeyError::Jose(e.to_string()))?;
    from_pss_pair(&pair)
}

/// An RSASSA-PSS private key in PEM (PKCS#8) whose parameters are PS256's, if it has at least
/// 2048 bits; `None` when the PEM is not such a key at all.
pub fn rsa_pss_from_pem(pem: &[u8]) -> Option<Result<NewKey, KeyError>> {
    let pair = PS256.key_pair_from_pem(pem).ok()?;
    let bits = pair.key_len().saturating_mul(8);
    if bits < MIN_RSA_BITS {
        return Some(Err(KeyError::BadKey(format!(
            "an RSA-PSS key of {bits} bits: PS256 needs at least {MIN_RSA_BITS}"
        ))));
    }
    Some(from_pss_pair(&pair))
}

/// An RSA private key in PEM (PKCS#1 or PKCS#8), e.g. a file from an earlier version, if it
/// has at least 2048 bits.
pub fn rsa_from_pem(pem: &[u8]) -> Result<NewKey, KeyError> {
    let pair = RsaKeyPair::from_pem(pem).map_err(|e| KeyError::BadKey(e.to_string()))?;
    check_size(&pair)?;
    from_pair(&pair)
}

fn check_size(pair: &RsaKeyPair) -> Result<(), KeyError> {
    let bits = pair.key_len().saturating_mul(8);
    if bits < MIN_RSA_BITS {
        return Err(KeyError::BadKey(format!(
            "an RSA key of {bits} bits: RS256 needs at least {MIN_RSA_BITS} (RFC 7518 §3.3)"
        )));
    }
    Ok(())
}

fn from_pair(pair: &RsaKeyPair) -> Result<NewKey, KeyError> {
    new_key(
        SigningAlg::Rs256,
        &pair.to_jwk_public_key(),
        pair.to_pem_private_key(),
    )
}

fn from_pss_pair(pair: &RsaPssKeyPair) -> Result<NewKey, KeyError> {
    new_key(
        SigningAlg::Ps256,
        &pair.to_jwk_public_key(),
        pair.to_pem_private_key(),
    )
}

fn new_key(alg: SigningAlg, public: &Jwk, private_pem: Vec<u8>) -> Result<NewKey, KeyError> {
    let kid = rsa_thumbprint(public)?;
    Ok(NewKey {
        alg,
        public_jwk: public_jwk(alg, public, &kid)?,
        kid,
        private_pem: Zeroizing::new(private_pem),
    })
}

/// The JWK Set entry: public parts only, with `use`, `alg` and `kid`.
fn public_jwk(alg: SigningAlg, public: &Jwk, kid: &str) -> Result<Value, KeyError> {
    Ok(json!({
        "kty": "RSA",
        "use": "sig",
        "alg": alg.as_str(),
        "kid": kid,
        "n": member(public, "n")?,
        "e": member(public, "e")?,
    }))
}

/// RFC 7638 thumbprint of an RSA public JWK: SHA-256 over `{"e","kty","n"}` in that order.
fn rsa_thumbprint(public: &Jwk) -> Result<String, KeyError> {
    let (e, n) = (member(public, "e")?, member(public, "n")?);
    Ok(thumbprint(&format!(
        r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#
    )))
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

    #[test]
    fn a_ps256_key_is_an_rsa_pss_key_that_no_rs256_signer_or_verifier_takes() {
        let key = generate_rsa_pss().unwrap();
        assert_eq!(key.alg, SigningAlg::Ps256);
        assert_eq!(key.public_jwk["alg"], "PS256");
        assert_eq!(key.public_jwk["kty"], "RSA");
        assert!(
            rsa_from_pem(&key.private_pem).is_err(),
            "not a plain RSA key"
        );
        let again = rsa_pss_from_pem(&key.private_pem).unwrap().unwrap();
        assert_eq!((again.alg, again.kid), (SigningAlg::Ps256, key.kid));
        let plain = generate_rsa().unwrap();
        assert!(rsa_pss_from_pem(b"not a key").is_none());
        assert_ne!(
            rsa_pss_from_pem(&plain.private_pem).map(|k| k.map(|k| k.alg).ok()),
            Some(Some(SigningAlg::Ps256)),
            "a plain RSA PEM imports as RS256 (from_pem tries it first)"
        );
    }
}
