//! Verifying Tessera's own JWT access tokens (RFC 9068 §4): signature by a published key
//! (RS256 only), `typ` at+jwt, issuer, audience, expiry, and not revoked.
use serde_json::{Map, Value};

use super::AppError;
use crate::oauth::tokens::check_access_token_claims;
use crate::state::AppState;

/// `Ok(Ok(claims))` for an active token; `Ok(Err(reason))` for one to refuse.
pub async fn verify_access_token(
    state: &AppState,
    token: &str,
) -> Result<Result<Map<String, Value>, &'static str>, AppError> {
    let claims = match state.keys().verify(token, "at+jwt") {
        Ok(claims) => claims,
        Err(why) => return Ok(Err(why)),
    };
    if let Err(why) = check_access_token_claims(&claims, state.issuer(), state.now()) {
        return Ok(Err(why));
    }
    let Some(jti) = claims.get("jti").and_then(Value::as_str) else {
        return Ok(Err("the token has no jti"));
    };
    if state.store().is_access_token_revoked(jti).await? {
        return Ok(Err("the token has been revoked"));
    }
    Ok(Ok(claims))
}
