//! P-256 keys for ES256 (RFC 7518 §3.4, §6.2).
use josekit::jwk::Jwk;
use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::{KeyError, NewKey, member, thumbprint};
use crate::oauth::signing_alg::SigningAlg;

/// A new P-256 key for ES256.
pub fn generate_p256() -> Result<NewKey, KeyError> {
    let pair = EcKeyPair::generate(EcCurve::P256).map_err(|e| KeyError::Jose(e.to_string()))?;
    from_pair(&pair)
}

/// An EC private key in PEM (SEC 1 or PKCS#8), if it is on P-256: ES256 is ECDSA on P-256
/// only (RFC 7518 §3.4), and Tessera signs with no other curve. `None`: not an EC key.
pub fn ec_from_pem(pem: &[u8]) -> Option<Result<NewKey, KeyError>> {
    let pair = EcKeyPair::from_pem(pem, None).ok()?;
    Some(match pair.curve() {
        EcCurve::P256 => from_pair(&pair),
        other => Err(KeyError::BadKey(format!(
            "an EC key on {}: Tessera signs ES256, which is P-256 only (RFC 7518 §3.4)",
            other.name()
        ))),
    })
}

fn from_pair(pair: &EcKeyPair) -> Result<NewKey, KeyError> {
    let public = pair.to_jwk_public_key();
    let kid = thumbprint(&canonical(&public)?);
    Ok(NewKey {
        alg: SigningAlg::Es256,
        public_jwk: public_jwk(&public, &kid)?,
        kid,
        private_pem: Zeroizing::new(pair.to_pem_private_key()),
    })
}

/// The JWK Set entry: `crv`, `x`, `y` and never `d`.
fn public_jwk(public: &Jwk, kid: &str) -> Result<Value, KeyError> {
    Ok(json!({
        "kty": "EC",
        "use": "sig",
        "alg": SigningAlg::Es256.as_str(),
        "kid": kid,
        "crv": member(public, "crv")?,
        "x": member(public, "x")?,
        "y": member(public, "y")?,
    }))
}

/// RFC 7638 §3.2: an EC key's required members are `crv`, `kty`, `x`, `y`, in that order.
fn canonical(public: &Jwk) -> Result<String, KeyError> {
    let (crv, x, y) = (
        member(public, "crv")?,
        member(public, "x")?,
        member(public, "y")?,
    );
    Ok(format!(
        r#"{{"crv":"{crv}","kty":"EC","x":"{x}","y":"{y}"}}"#
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thumbprint_covers_exactly_crv_kty_x_y_in_order_and_the_jwk_is_public_only() {
        // RFC 7517 Appendix A.1's EC key, with members the thumbprint must ignore.
        let (x, y) = (
            "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
            "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
        );
        let jwk = json!({"kty": "EC", "crv": "P-256", "x": x, "y": y, "use": "enc", "kid": "1"});
        let public = Jwk::from_map(jwk.as_object().unwrap().clone()).unwrap();
        assert_eq!(
            canonical(&public).unwrap(),
            format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#)
        );

        let key = generate_p256().unwrap();
        let mut members: Vec<&String> = key.public_jwk.as_object().unwrap().keys().collect();
        members.sort();
        assert_eq!(members, ["alg", "crv", "kid", "kty", "use", "x", "y"]);
        assert_eq!(key.public_jwk["crv"], "P-256");
        let public = Jwk::from_map(key.public_jwk.as_object().unwrap().clone()).unwrap();
        assert_eq!(thumbprint(&canonical(&public).unwrap()), key.kid);
    }
}
