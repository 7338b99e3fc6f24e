//! Tessera's own JWT access tokens as a resource server sees them (RFC 9068 §4): signed by a
//! published key with `typ` at+jwt, our issuer and audience, unexpired, not revoked, and
//! still speaking for an active user.
use super::error::Result;
use crate::oauth::access_token::AccessTokenClaims;
use crate::oauth::tokens::TokenType;
use crate::state::AppState;
use crate::store::users::UserRow;

/// What a presented access token turned out to be.
#[derive(Debug)]
pub enum TokenCheck {
    Active(Box<AccessTokenClaims>, UserRow),
    /// Refused, with the reason for the client (never more detail than this).
    Inactive(&'static str),
}

/// A token that verifies and is not expired: its claims, or why not. No database access.
pub fn verified_claims(
    state: &AppState,
    token: &str,
    now: i64,
) -> std::result::Result<AccessTokenClaims, &'static str> {
    let claims = state.keys().verify(token, TokenType::Access)?;
    let claims: AccessTokenClaims = serde_json::from_value(serde_json::Value::Object(claims))
        .map_err(|_| "the token's claims are malformed")?;
    claims.check(state.issuer(), now)?;
    Ok(claims)
}

/// The full check, including revocation and the user: what userinfo and introspection need.
pub async fn check(state: &AppState, token: &str, now: i64) -> Result<TokenCheck> {
    let claims = match verified_claims(state, token, now) {
        Ok(claims) => claims,
        Err(why) => return Ok(TokenCheck::Inactive(why)),
    };
    let found = state
        .store()
        .find_token_user(&claims.sub, &claims.jti)
        .await?;
    if found.as_ref().is_some_and(|f| f.revoked) {
        return Ok(TokenCheck::Inactive("the token has been revoked"));
    }
    let user = found
        .map(|f| f.user)
        .filter(|user| user.accepts_token_issued_at(claims.iat));
    Ok(match user {
        Some(user) => TokenCheck::Active(Box::new(claims), user),
        None => TokenCheck::Inactive("the user account is no longer active"),
    })
}
