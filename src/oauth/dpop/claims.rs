//! A proof's claims once its signature holds (RFC 9449 §4.2; §4.3 checks 3, 8, 9, 11 and the
//! `ath` of check 12), one check per rule. These messages reach only the holder of the key, so
//! they may say exactly what is wrong.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::htu::normalise;
use super::{ExpectedProof, LEEWAY, MAX_JTI_LEN, MAX_NONCE_LEN};
use crate::oauth::error::OAuthError;

/// What the stateful checks need from the claims.
pub struct CheckedClaims {
    pub jti: String,
    pub nonce: Option<String>,
    pub remember_until: i64,
}

fn refused(why: &'static str) -> OAuthError {
    OAuthError::invalid_dpop_proof(why)
}

pub fn check(
    claims: &Map<String, Value>,
    expected: &ExpectedProof<'_>,
) -> Result<CheckedClaims, OAuthError> {
    let jti = check_jti(claims)?;
    check_method(claims, expected.method)?;
    check_target(claims, expected.target)?;
    let iat = check_iat(claims, expected)?;
    if let Some(token) = expected.access_token {
        check_token_hash(claims, token)?;
    }
    let nonce = read_nonce(claims)?;
    Ok(CheckedClaims {
        jti,
        nonce,
        remember_until: iat
            .saturating_add(expected.iat_window)
            .saturating_add(LEEWAY),
    })
}

/// §4.2: a unique identifier, the replay guard's key.
fn check_jti(claims: &Map<String, Value>) -> Result<String, OAuthError> {
    match claims.get("jti").and_then(Value::as_str) {
        Some(jti) if !jti.is_empty() && jti.len() <= MAX_JTI_LEN => Ok(jti.to_string()),
        Some(jti) if !jti.is_empty() => Err(refused("the proof's jti may be at most 256 bytes")),
        _ => Err(refused("the proof must carry a jti")),
    }
}

/// §4.3 check 8: the method of this request, exactly.
fn check_method(claims: &Map<String, Value>, method: &str) -> Result<(), OAuthError> {
    match claims.get("htm").and_then(Value::as_str) {
        Some(htm) if htm == method => Ok(()),
        Some(_) => Err(refused("the proof's htm is not this request's method")),
        None => Err(refused("the proof must carry htm")),
    }
}

/// §4.3 check 9: the URL of this endpoint, query and fragment ignored, both sides normalised
/// (RFC 3986 §6.2.2, §6.2.3) before they are compared.
fn check_target(claims: &Map<String, Value>, target: &str) -> Result<(), OAuthError> {
    let htu = claims
        .get("htu")
        .and_then(Value::as_str)
        .ok_or_else(|| refused("the proof must carry htu"))?;
    match (normalise(htu), normalise(target)) {
        (Some(presented), Some(expected)) if presented == expected => Ok(()),
        _ => Err(refused("the proof's htu is not this endpoint's URL")),
    }
}

/// §4.3 check 11: made within the window around now, either way. Returns `iat`.
fn check_iat(claims: &Map<String, Value>, expected: &ExpectedProof<'_>) -> Result<i64, OAuthError> {
    let iat = claims
        .get("iat")
        .and_then(numeric_date)
        .ok_or_else(|| refused("the proof must carry iat, a number"))?;
    let window = expected.iat_window.saturating_add(LEEWAY);
    if iat < expected.now.saturating_sub(window) {
        return Err(refused(
            "the proof's iat is too old: make a new proof for each request",
        ));
    }
    if iat > expected.now.saturating_add(window) {
        return Err(refused("the proof's iat is in the future"));
    }
    Ok(iat)
}

/// RFC 7519 §2 NumericDate: seconds, possibly with a fraction (dropped).
fn numeric_date(value: &Value) -> Option<i64> {
    let n = value.as_number()?;
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.is_finite() && f.abs() < 1e15)
            .map(|f| f.floor() as i64)
    })
}

/// §4.3 check 12 (the hash part): `ath` is base64url(SHA-256(the access token)).
fn check_token_hash(claims: &Map<String, Value>, access_token: &str) -> Result<(), OAuthError> {
    let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.as_bytes()));
    match claims.get("ath").and_then(Value::as_str) {
        Some(ath) if ath == expected => Ok(()),
        Some(_) => Err(refused(
            "the proof's ath is not the hash of the access token sent with it",
        )),
        None => Err(refused(
            "a proof sent with an access token must carry ath, the token's hash",
        )),
    }
}

/// §8.1: when present, a string; whether it is the server's is the caller's to check.
fn read_nonce(claims: &Map<String, Value>) -> Result<Option<String>, OAuthError> {
    match claims.get("nonce") {
        None => Ok(None),
        Some(Value::String(nonce)) if !nonce.is_empty() && nonce.len() <= MAX_NONCE_LEN => {
            Ok(Some(nonce.clone()))
        }
        Some(_) => Err(refused(
            "the proof's nonce must be the DPoP-Nonce the server sent",
        )),
    }
}
