//! A proof JWT's header and signature (RFC 9449 §4.2, §4.3 checks 2 and 4–7): a compact JWS
//! of three parts, `typ` dpop+jwt, an asymmetric `alg` Tessera verifies, a `jwk` that is a
//! public key and nothing more, and a signature that this key verifies. The claims are
//! `claims.rs`'s.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::thumbprint::jwk_thumbprint;
use super::{ExpectedProof, MAX_PROOF_LEN, VerifiedProof, claims};
use crate::oauth::client_assertion::AssertionAlg;
use crate::oauth::client_assertion::keys::PRIVATE_MEMBERS;
use crate::oauth::error::OAuthError;

const TYP: &str = "dpop+jwt";

fn refused(why: &'static str) -> OAuthError {
    OAuthError::invalid_dpop_proof(why)
}

/// Checks `proof` against the request it came with (§4.3 checks 2–9, 11 and 12's `ath`);
/// its key's thumbprint, `jti` and nonce are returned for the checks that need state.
pub fn verify(proof: &str, expected: &ExpectedProof<'_>) -> Result<VerifiedProof, OAuthError> {
    let header = read_header(proof)?;
    let alg = accepted_alg(&header)?;
    let jwk = public_jwk(&header)?;
    let verifier = alg
        .verifier(&Value::Object(jwk.clone()))
        .ok_or_else(|| refused("the jwk is not a public key for the proof's alg"))?;
    let (payload, _) = josekit::jws::deserialize_compact(proof, verifier.as_ref())
        .map_err(|_| refused("the proof's signature does not verify with its jwk"))?;
    let payload: Map<String, Value> = serde_json::from_slice(&payload)
        .map_err(|_| refused("the proof's payload is not a JSON object"))?;
    let checked = claims::check(&payload, expected)?;
    let jkt = jwk_thumbprint(&jwk).ok_or_else(|| refused("the jwk lacks a required member"))?;
    Ok(VerifiedProof {
        jkt,
        jti: checked.jti,
        nonce: checked.nonce,
        remember_until: checked.remember_until,
    })
}

/// The decoded header of a compact JWS (three parts, nothing more), with `typ` dpop+jwt.
fn read_header(proof: &str) -> Result<Map<String, Value>, OAuthError> {
    let malformed = || refused("the DPoP header is not a signed JWT (JWS compact serialization)");
    if proof.len() > MAX_PROOF_LEN {
        return Err(malformed());
    }
    let mut parts = proof.split('.');
    let header = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(header), Some(_), Some(_), None) => header,
        _ => return Err(malformed()),
    };
    let bytes = URL_SAFE_NO_PAD.decode(header).map_err(|_| malformed())?;
    let header: Map<String, Value> = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
    // A media type: compared without regard to case (RFC 7515 §4.1.9).
    match header.get("typ").and_then(Value::as_str) {
        Some(typ) if typ.eq_ignore_ascii_case(TYP) => Ok(header),
        _ => Err(refused("the proof's typ must be dpop+jwt")),
    }
}

/// An asymmetric algorithm Tessera verifies; `none` and HMAC are refused before any key is
/// read (§4.3 check 5).
fn accepted_alg(header: &Map<String, Value>) -> Result<AssertionAlg, OAuthError> {
    header
        .get("alg")
        .and_then(Value::as_str)
        .and_then(AssertionAlg::from_name)
        .ok_or_else(|| {
            refused(
                "the proof's alg must be ES256, EdDSA, RS256 or PS256 (none and HMAC are refused)",
            )
        })
}

/// The `jwk` header: an object holding a public key only (§4.3 check 7). A shared secret
/// (`oct`) or any private member is refused: whoever sees such a proof could sign with it.
fn public_jwk(header: &Map<String, Value>) -> Result<Map<String, Value>, OAuthError> {
    let jwk = header
        .get("jwk")
        .and_then(Value::as_object)
        .ok_or_else(|| refused("the proof's header must carry the public key as jwk"))?;
    if jwk.get("kty").and_then(Value::as_str) == Some("oct") {
        return Err(refused(
            "the proof's jwk must be a public key, not a shared secret",
        ));
    }
    if PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m)) {
        return Err(refused(
            "the proof's jwk holds a private key: send the public key only",
        ));
    }
    Ok(jwk.clone())
}
