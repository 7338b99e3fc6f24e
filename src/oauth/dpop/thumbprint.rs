//! RFC 7638 JWK thumbprints (SHA-256), the `jkt` of RFC 9449 §6.1: the hash of the key's
//! required members only, in lexicographic order, without whitespace (RFC 7638 §3.2; RFC 8037
//! §2 for OKP keys). Written out member by member rather than trusted to a map's ordering.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The required members of each key type, already in lexicographic order.
fn required_members(kty: &str) -> Option<&'static [&'static str]> {
    match kty {
        "RSA" => Some(&["e", "kty", "n"]),
        "EC" => Some(&["crv", "kty", "x", "y"]),
        "OKP" => Some(&["crv", "kty", "x"]),
        _ => None,
    }
}

/// base64url(SHA-256(canonical JSON)) of a public RSA, EC or OKP key; `None` when a required
/// member is missing or not a string.
pub fn jwk_thumbprint(jwk: &Map<String, Value>) -> Option<String> {
    let kty = jwk.get("kty").and_then(Value::as_str)?;
    let mut canonical = String::from("{");
    for (i, name) in required_members(kty)?.iter().enumerate() {
        let value = jwk.get(*name).and_then(Value::as_str)?;
        if i > 0 {
            canonical.push(',');
        }
        canonical.push_str(&serde_json::to_string(name).ok()?);
        canonical.push(':');
        canonical.push_str(&serde_json::to_string(value).ok()?);
    }
    canonical.push('}');
    Some(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())))
}
