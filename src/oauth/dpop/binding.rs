//! What a proven key must match, and what it binds: RFC 9449 §5 (token requests, a public
//! client's refresh tokens, `dpop_bound_access_tokens` of §5.2), §6.1 (`cnf.jkt`), §7.1 and
//! §7.2 (a resource: the scheme a token comes with and the key it is bound to), §10 (a code
//! requested with `dpop_jkt`). Thumbprints are public values: compared as plain strings.
use serde::{Deserialize, Serialize};

use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;

/// The `cnf` claim of a DPoP-bound access token (RFC 7800 §3.1; RFC 9449 §6.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// The SHA-256 JWK thumbprint of the key the token is bound to.
    pub jkt: String,
}

/// The length of a SHA-256 thumbprint in base64url without padding.
const JKT_LEN: usize = 43;

/// `dpop_jkt` of an authorization request (§10): a SHA-256 JWK thumbprint, base64url.
pub fn parse_jkt(value: &str) -> Result<String, OAuthError> {
    let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    if value.len() == JKT_LEN && value.bytes().all(base64url) {
        Ok(value.to_string())
    } else {
        Err(OAuthError::invalid_request(
            "dpop_jkt must be the base64url SHA-256 JWK thumbprint (RFC 7638) of the DPoP key",
        ))
    }
}

/// §5.2: a client registered with `dpop_bound_access_tokens` sends a proof with every token
/// request. The RFC names no code for its absence; `invalid_dpop_proof` is the one its
/// registry defines for a token request whose proof does not do (§12.2).
pub fn check_proof_required(client: &Client, proven: bool) -> Result<(), OAuthError> {
    if client.dpop_bound_access_tokens && !proven {
        return Err(OAuthError::invalid_dpop_proof(
            "this client must send a DPoP proof with every token request (dpop_bound_access_tokens)",
        ));
    }
    Ok(())
}

/// §10: a code requested with `dpop_jkt` is exchanged only with a proof of that key. Checked
/// before the code is spent, so a thief without the key cannot burn it.
pub fn check_code_binding(bound: Option<&str>, proven: Option<&str>) -> Result<(), OAuthError> {
    match (bound, proven) {
        (None, _) => Ok(()),
        (Some(bound), Some(proven)) if bound == proven => Ok(()),
        (Some(_), Some(_)) => Err(OAuthError::invalid_grant(
            "the DPoP proof was made with another key than the code is bound to (dpop_jkt)",
        )),
        (Some(_), None) => Err(OAuthError::invalid_grant(
            "the code is bound to a DPoP key (dpop_jkt): exchange it with a proof made with that key",
        )),
    }
}

/// §5: a refresh token bound to a key (a public client's) is used only with a proof of that
/// key. Checked before it is rotated: a thief without the key neither refreshes nor revokes.
pub fn check_refresh_binding(bound: Option<&str>, proven: Option<&str>) -> Result<(), OAuthError> {
    match (bound, proven) {
        (None, _) => Ok(()),
        (Some(bound), Some(proven)) if bound == proven => Ok(()),
        (Some(_), Some(_)) => Err(OAuthError::invalid_grant(
            "the DPoP proof was made with another key than the refresh token is bound to",
        )),
        (Some(_), None) => Err(OAuthError::invalid_grant(
            "the refresh token is bound to a DPoP key: refresh with a proof made with that key",
        )),
    }
}

/// §5: the key a refresh token issued now is bound to. A public client's is bound to the key
/// of the proof (it has no other way to show it is the same client); a confidential client's
/// stays bound to the client's own authentication, as without DPoP.
pub fn refresh_binding<'a>(client: &Client, proven: Option<&'a str>) -> Option<&'a str> {
    if client.is_public() { proven } else { None }
}

/// The `token_type` of an access token (§5, §6.2): `DPoP` when bound to a key.
pub fn token_type(bound: bool) -> &'static str {
    if bound { "DPoP" } else { "Bearer" }
}

/// How an access token came to a resource: `Authorization: Bearer` (RFC 6750), or
/// `Authorization: DPoP` with a proof (§7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bearer,
    Dpop,
}

/// §7.1, §7.2: a bound token only with the DPoP scheme and a proof of its key; an unbound one
/// only as a bearer token. Refusals are `invalid_token` (the token is not usable this way).
pub fn check_resource_binding(
    scheme: Scheme,
    cnf: Option<&Confirmation>,
    proven: Option<&str>,
) -> Result<(), OAuthError> {
    match (scheme, cnf) {
        (Scheme::Bearer, None) => Ok(()),
        (Scheme::Bearer, Some(_)) => Err(OAuthError::invalid_token(
            "the token is bound to a DPoP key: send it with the DPoP scheme and a proof",
        )),
        (Scheme::Dpop, None) => Err(OAuthError::invalid_token(
            "the token is not bound to a DPoP key: send it as a Bearer token",
        )),
        (Scheme::Dpop, Some(cnf)) if proven == Some(cnf.jkt.as_str()) => Ok(()),
        (Scheme::Dpop, Some(_)) => Err(OAuthError::invalid_token(
            "the DPoP proof was made with another key than the token is bound to",
        )),
    }
}
