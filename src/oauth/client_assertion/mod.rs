//! private_key_jwt client authentication (RFC 7523 §2.2 and §3, OIDC Core §9): the client
//! proves itself with a JWT signed by its own private key. This reads the assertion, refuses
//! unsigned and HMAC ones before any key is looked up, verifies the signature with the key
//! the header names, and checks the claims. Finding the keys (inline or fetched) and
//! remembering used `jti`s are the caller's.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::error::OAuthError;

mod claims;
pub mod keys;
#[cfg(test)]
mod tests;

pub use claims::{ExpectedAssertion, VerifiedAssertion, check_claims};
pub use keys::{AssertionAlg, KeyLookup, parse_jwk_set, select_key};

/// RFC 7523 §2.2: the only `client_assertion_type` accepted.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The longest an assertion may live: it is made for one request, seconds before it.
pub const MAX_LIFETIME: i64 = 300;
/// Clock difference tolerated between the client and Tessera, in seconds.
pub const SKEW: i64 = 30;
pub const MAX_JTI_LEN: usize = 256;
/// Longer than any real assertion; reading further would only cost memory and time.
const MAX_ASSERTION_LEN: usize = 16 * 1024;

/// How a client registered for private_key_jwt proves itself.
#[derive(Debug, Clone, PartialEq)]
pub struct PrivateKeyJwt {
    pub keys: JwkSource,
    /// When set, the only algorithm accepted; otherwise any accepted one its key fits.
    pub alg: Option<AssertionAlg>,
    /// Also accept the token endpoint URL as `aud` (an explicit opt-in; see `claims`).
    pub token_endpoint_audience: bool,
}

/// Where the client's public keys are.
#[derive(Debug, Clone, PartialEq)]
pub enum JwkSource {
    /// From the configuration, already checked to be public keys.
    Inline(Vec<Value>),
    /// Fetched (and cached) from this URL.
    Uri(String),
}

/// What the header says, once the algorithm was found acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionHeader {
    pub alg: AssertionAlg,
    pub kid: Option<String>,
}

fn malformed() -> OAuthError {
    OAuthError::invalid_client("client_assertion is not a signed JWT (JWS compact serialization)")
}

/// The decoded JSON object of one base64url part of a compact JWS.
fn decode_part(part: &str) -> Result<Map<String, Value>, OAuthError> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| malformed())?;
    serde_json::from_slice(&bytes).map_err(|_| malformed())
}

/// The header and payload parts of a compact JWS (three parts, nothing more).
fn split(assertion: &str) -> Result<(&str, &str), OAuthError> {
    if assertion.len() > MAX_ASSERTION_LEN {
        return Err(malformed());
    }
    let mut parts = assertion.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(header), Some(payload), Some(_), None) => Ok((header, payload)),
        _ => Err(malformed()),
    }
}

/// The client the assertion claims to come from (its `sub`), read without verifying anything:
/// only to find whose keys to verify it with.
pub fn unverified_subject(assertion: &str) -> Result<String, OAuthError> {
    let (_, payload) = split(assertion)?;
    decode_part(payload)?
        .get("sub")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            OAuthError::invalid_client("client assertion: sub (the client_id) is required")
        })
}

/// The header, if its `alg` is one a client may sign with (and the client's registered one
/// when it has one). `none` and HMAC are refused here, before any key is looked up.
pub fn read_header(
    assertion: &str,
    registered: Option<AssertionAlg>,
) -> Result<AssertionHeader, OAuthError> {
    let (header, _) = split(assertion)?;
    let header = decode_part(header)?;
    let name = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or_else(malformed)?;
    let alg = AssertionAlg::from_name(name).ok_or_else(|| {
        OAuthError::invalid_client(
            "client assertion: alg must be RS256, PS256, ES256 or EdDSA (none and HMAC are refused)",
        )
    })?;
    if registered.is_some_and(|registered| registered != alg) {
        return Err(OAuthError::invalid_client(
            "client assertion: alg is not the one this client registered",
        ));
    }
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(malformed()),
    };
    Ok(AssertionHeader { alg, kid })
}

/// Verifies the signature with `key` (chosen by [`select_key`]) and then the claims.
pub fn verify(
    assertion: &str,
    header: &AssertionHeader,
    key: &Value,
    expected: &ExpectedAssertion<'_>,
) -> Result<VerifiedAssertion, OAuthError> {
    // The same answer for every signature failure: which part was wrong helps only a forger.
    let failed = || OAuthError::invalid_client("client authentication failed");
    let verifier = header.alg.verifier(key).ok_or_else(failed)?;
    let (payload, _) =
        josekit::jws::deserialize_compact(assertion, verifier.as_ref()).map_err(|_| failed())?;
    let claims: Map<String, Value> = serde_json::from_slice(&payload).map_err(|_| malformed())?;
    check_claims(&claims, expected)
}
