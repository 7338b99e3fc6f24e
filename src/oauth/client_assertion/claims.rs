//! The claims of a client assertion whose signature holds (RFC 7523 §3, OIDC Core §9), one
//! check per rule. These messages reach only the holder of the client's private key, so they
//! may say exactly what is wrong.
use serde_json::{Map, Value};

use super::{MAX_JTI_LEN, MAX_LIFETIME, SKEW};
use crate::oauth::error::OAuthError;

/// What the assertion must say, for the client it claims to be.
pub struct ExpectedAssertion<'a> {
    pub client_id: &'a str,
    /// The issuer identifier: the one audience always accepted.
    pub issuer: &'a str,
    /// The token endpoint URL, only for a client that opted in to it as an audience.
    pub token_endpoint: Option<&'a str>,
    pub now: i64,
}

/// An assertion that passed every check: its `jti`, to be refused from now on, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAssertion {
    pub jti: String,
    /// Past this time the assertion would be refused as expired anyway, so its `jti` need
    /// not be remembered longer.
    pub remember_until: i64,
}

pub fn check_claims(
    claims: &Map<String, Value>,
    expected: &ExpectedAssertion<'_>,
) -> Result<VerifiedAssertion, OAuthError> {
    check_issuer_and_subject(claims, expected.client_id)?;
    check_audience(claims, expected)?;
    let exp = check_times(claims, expected.now)?;
    let jti = check_jti(claims)?;
    Ok(VerifiedAssertion {
        jti,
        remember_until: exp.saturating_add(SKEW),
    })
}

fn refused(why: &'static str) -> OAuthError {
    OAuthError::invalid_client(why)
}

/// RFC 7523 §3 items 1–2: the client signs for itself, so `iss` and `sub` are its client_id.
fn check_issuer_and_subject(
    claims: &Map<String, Value>,
    client_id: &str,
) -> Result<(), OAuthError> {
    let iss = claims.get("iss").and_then(Value::as_str);
    let sub = claims.get("sub").and_then(Value::as_str);
    if iss != Some(client_id) || sub != Some(client_id) {
        return Err(refused(
            "client assertion: iss and sub must both be the client_id",
        ));
    }
    Ok(())
}

/// The issuer identifier, as a single string (draft-ietf-oauth-rfc7523bis, after the
/// audience-injection advisories CVE-2025-27370/27371). An array is refused even when it holds
/// the issuer: a client tricked into signing for several audiences at once (another server's
/// and ours) has made a token that server can replay here. An endpoint URL a client was told
/// by metadata it fetched could be another server's, so it is accepted only from a client
/// registered for it, and likewise only as the single string.
fn check_audience(
    claims: &Map<String, Value>,
    expected: &ExpectedAssertion<'_>,
) -> Result<(), OAuthError> {
    let accepted = |aud: &str| aud == expected.issuer || Some(aud) == expected.token_endpoint;
    match claims.get("aud") {
        Some(Value::String(aud)) if accepted(aud) => Ok(()),
        Some(Value::Array(_)) => Err(refused(
            "client assertion: aud must be a single string, the issuer identifier (an array is refused)",
        )),
        _ => Err(refused(
            "client assertion: aud must be the issuer identifier",
        )),
    }
}

/// `exp` required, not past and at most [`MAX_LIFETIME`] ahead; `nbf` and `iat`, when
/// present, not in the future; each with [`SKEW`] for clocks that differ. Returns `exp`.
fn check_times(claims: &Map<String, Value>, now: i64) -> Result<i64, OAuthError> {
    let exp = match claims.get("exp") {
        None => return Err(refused("client assertion: exp is required")),
        Some(value) => {
            numeric_date(value).ok_or_else(|| refused("client assertion: exp must be a number"))?
        }
    };
    if exp.saturating_add(SKEW) <= now {
        return Err(refused("client assertion: expired"));
    }
    if exp > now.saturating_add(MAX_LIFETIME + SKEW) {
        return Err(refused(
            "client assertion: exp may be at most 5 minutes ahead",
        ));
    }
    for name in ["nbf", "iat"] {
        if let Some(value) = claims.get(name) {
            let at = numeric_date(value)
                .ok_or_else(|| refused("client assertion: nbf and iat must be numbers"))?;
            if at > now.saturating_add(SKEW) {
                return Err(refused("client assertion: nbf or iat is in the future"));
            }
        }
    }
    Ok(exp)
}

/// RFC 7519 §2 NumericDate: seconds, possibly with a fraction (dropped).
fn numeric_date(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite())
                .map(|f| f.floor() as i64)
        }),
        _ => None,
    }
}

/// RFC 7523 §3 item 7 (OIDC Core §9 makes it required): the replay guard's key.
fn check_jti(claims: &Map<String, Value>) -> Result<String, OAuthError> {
    match claims.get("jti").and_then(Value::as_str) {
        Some(jti) if !jti.is_empty() && jti.len() <= MAX_JTI_LEN => Ok(jti.to_string()),
        Some(jti) if !jti.is_empty() => {
            Err(refused("client assertion: jti may be at most 256 bytes"))
        }
        _ => Err(refused("client assertion: jti is required")),
    }
}
