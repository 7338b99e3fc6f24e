//! The keys a private_key_jwt client signs with (RFC 7517 JWK Sets, RFC 7518 §3): the
//! algorithms accepted, which registered keys are usable public keys, and which key verifies
//! a given assertion. Shared secrets (`oct`, HMAC) are never keys here: anyone who can verify
//! with one can also sign.
use josekit::jwk::Jwk;
use josekit::jws::{ES256, EdDSA, JwsVerifier, PS256, RS256};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The signature algorithms a client assertion may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum AssertionAlg {
    #[serde(rename = "RS256")]
    Rs256,
    #[serde(rename = "PS256")]
    Ps256,
    #[serde(rename = "ES256")]
    Es256,
    #[serde(rename = "EdDSA")]
    EdDsa,
}

/// The names discovery lists, in the order it lists them.
pub const SUPPORTED_ALGS: [&str; 4] = ["RS256", "PS256", "ES256", "EdDSA"];

/// Members only a private (or symmetric) JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
pub const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

impl AssertionAlg {
    pub const ALL: [AssertionAlg; 4] = [Self::Rs256, Self::Ps256, Self::Es256, Self::EdDsa];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Ps256 => "PS256",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.as_str() == name)
    }

    /// The JWK `kty` of this algorithm's keys.
    pub fn key_type(self) -> &'static str {
        match self {
            Self::Rs256 | Self::Ps256 => "RSA",
            Self::Es256 => "EC",
            Self::EdDsa => "OKP",
        }
    }

    /// A verifier for `key`. The key's `kid` is left out: the key was already chosen (by
    /// `kid` when the assertion names one), and josekit would otherwise demand the header
    /// carry it. josekit checks the key's own `alg`, `use` and `key_ops`, the curve, and
    /// that an RSA key has at least 2048 bits.
    pub fn verifier(self, key: &Value) -> Option<Box<dyn JwsVerifier>> {
        let mut map = key.as_object()?.clone();
        map.remove("kid");
        let jwk = Jwk::from_map(map).ok()?;
        let verifier: Box<dyn JwsVerifier> = match self {
            Self::Rs256 => Box::new(RS256.verifier_from_jwk(&jwk).ok()?),
            Self::Ps256 => Box::new(PS256.verifier_from_jwk(&jwk).ok()?),
            Self::Es256 => Box::new(ES256.verifier_from_jwk(&jwk).ok()?),
            Self::EdDsa => Box::new(EdDSA.verifier_from_jwk(&jwk).ok()?),
        };
        Some(verifier)
    }
}

/// Checks a JWK Set (`{"keys": [...]}`, from the configuration or a `jwks_uri`) and returns
/// its keys: at least one, each a public key some accepted algorithm can verify with.
pub fn parse_jwk_set(set: &Value) -> Result<Vec<Value>, String> {
    let keys = set
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("must be a JWK Set: an object with a \"keys\" array")?;
    if keys.is_empty() {
        return Err("holds no keys".into());
    }
    for (i, key) in keys.iter().enumerate() {
        check_public_key(key).map_err(|m| format!("keys[{i}] {m}"))?;
    }
    Ok(keys.clone())
}

fn check_public_key(key: &Value) -> Result<(), String> {
    let map = key.as_object().ok_or("is not a JSON object")?;
    let kty = map
        .get("kty")
        .and_then(Value::as_str)
        .ok_or("has no \"kty\"")?;
    if kty == "oct" {
        return Err(
            "has kty \"oct\": a shared secret cannot authenticate a client here; register a public key"
                .into(),
        );
    }
    if let Some(member) = PRIVATE_MEMBERS.iter().find(|m| map.contains_key(**m)) {
        return Err(format!(
            "holds the private member \"{member}\": register the public key only, and replace this key"
        ));
    }
    if usable_algs(key).is_empty() {
        return Err(format!(
            "(kty \"{kty}\") is not a public signing key Tessera can verify with: RSA of 2048 bits \
             or more (RS256, PS256), EC P-256 (ES256) or OKP Ed25519 (EdDSA)"
        ));
    }
    Ok(())
}

/// The accepted algorithms `key` can verify with.
pub fn usable_algs(key: &Value) -> Vec<AssertionAlg> {
    let kty = key.get("kty").and_then(Value::as_str);
    AssertionAlg::ALL
        .into_iter()
        .filter(|alg| Some(alg.key_type()) == kty && alg.verifier(key).is_some())
        .collect()
}

/// The key to verify an assertion with, by its header.
#[derive(Debug, PartialEq)]
pub enum KeyLookup<'k> {
    Found(&'k Value),
    /// No key with this `kid` (or, without one, no key for this algorithm): the client may
    /// have rotated its keys, so a `jwks_uri` is worth fetching again.
    NotFound,
    /// No `kid`, and more than one key fits.
    Ambiguous,
}

/// By `kid` when the header names one (of keys sharing it, the first that can verify `alg`);
/// otherwise the only key that can verify `alg`.
pub fn select_key<'k>(keys: &'k [Value], alg: AssertionAlg, kid: Option<&str>) -> KeyLookup<'k> {
    if let Some(kid) = kid {
        // FAPI 2.0 §5.4.3: keys sharing a kid are told apart by what they can verify.
        return keys
            .iter()
            .filter(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
            .find(|k| usable_algs(k).contains(&alg))
            .map_or(KeyLookup::NotFound, KeyLookup::Found);
    }
    let mut fitting = keys.iter().filter(|k| usable_algs(k).contains(&alg));
    match (fitting.next(), fitting.next()) {
        (Some(key), None) => KeyLookup::Found(key),
        (None, _) => KeyLookup::NotFound,
        (Some(_), Some(_)) => KeyLookup::Ambiguous,
    }
}
