//! Tessera's own JWT access tokens as a resource server sees them (RFC 9068 §4): signed by a
//! published key with `typ` at+jwt, our issuer, unexpired, not revoked, and still speaking
//! for an active user (or, for a client's own token, a client still registered). Which
//! audience is acceptable is the caller's rule: userinfo wants its own, introspection the
//! caller's.
use super::error::Result;
use crate::oauth::access_token::AccessTokenClaims;
use crate::oauth::tokens::TokenType;
use crate::state::AppState;
use crate::store::users::UserRow;

/// What a presented access token turned out to be.
#[derive(Debug)]
pub enum TokenCheck {
    Active(Box<AccessTokenClaims>, Subject),
    /// Refused, with the reason for the client (never more detail than this).
    Inactive(&'static str),
}

/// Who an active token speaks for.
#[derive(Debug)]
pub enum Subject {
    User(UserRow),
    /// A client's own token (client_credentials): `sub` is the client.
    Client,
}

/// A token that verifies, was issued here and is not expired, whatever its audience: its
/// claims, or why not. No database access.
pub fn verified_claims(
    state: &AppState,
    token: &str,
    now: i64,
) -> std::result::Result<AccessTokenClaims, &'static str> {
    let claims = state.keys().verify(token, TokenType::Access)?;
    let claims: AccessTokenClaims = serde_json::from_value(serde_json::Value::Object(claims))
        .map_err(|_| "the token's claims are malformed")?;
    claims.check_issued(state.issuer(), now)?;
    Ok(claims)
}

/// The full check of verified claims: revocation, and the user (or client) behind them.
pub async fn check_claims(state: &AppState, claims: AccessTokenClaims) -> Result<TokenCheck> {
    let store = state.store();
    if claims.is_client_token() {
        if store.is_access_token_revoked(&claims.jti).await? {
            return Ok(TokenCheck::Inactive("the token has been revoked"));
        }
        return Ok(match state.client(&claims.client_id) {
            Some(_) => TokenCheck::Active(Box::new(claims), Subject::Client),
            None => TokenCheck::Inactive("the client is no longer registered"),
        });
    }
    let found = store.find_token_user(&claims.sub, &claims.jti).await?;
    if found.as_ref().is_some_and(|f| f.revoked) {
        return Ok(TokenCheck::Inactive("the token has been revoked"));
    }
    let user = found
        .map(|f| f.user)
        .filter(|user| user.accepts_token_issued_at(claims.iat));
    Ok(match user {
        Some(user) => TokenCheck::Active(Box::new(claims), Subject::User(user)),
        None => TokenCheck::Inactive("the user account is no longer active"),
    })
}

/// The full check of a token for Tessera's own userinfo endpoint (audience: the issuer).
pub async fn check(state: &AppState, token: &str, now: i64) -> Result<TokenCheck> {
    check_for_audience(state, token, state.issuer(), now).await
}

/// The full check of a token for `audience`.
pub async fn check_for_audience(
    state: &AppState,
    token: &str,
    audience: &str,
    now: i64,
) -> Result<TokenCheck> {
    match verified_claims(state, token, now) {
        Ok(claims) if claims.aud.includes(audience) => check_claims(state, claims).await,
        Ok(_) => Ok(TokenCheck::Inactive("the token is not for this audience")),
        Err(why) => Ok(TokenCheck::Inactive(why)),
    }
}
