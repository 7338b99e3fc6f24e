//! The UserInfo endpoint (OIDC Core §5.3): the claims the token's scope releases, for an
//! active access token that was issued with `openid`.
use serde_json::{Map, Value};

use super::access_token::{self, Subject, TokenCheck};
use super::error::Result;
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::tokens::UserClaims;
use crate::state::AppState;

pub async fn userinfo(state: &AppState, token: &str, now: i64) -> Result<Map<String, Value>> {
    // Userinfo is the resource server of tokens whose audience is the issuer itself; an
    // API's token (a client's own token included) is not for it.
    let (claims, user) = match access_token::check(state, token, now).await? {
        TokenCheck::Active(claims, Subject::User(user)) => (claims, user),
        TokenCheck::Active(_, Subject::Client) => {
            let why = "the token is not for this audience";
            return Err(OAuthError::new(ErrorCode::InvalidToken, why).into());
        }
        TokenCheck::Inactive(why) => {
            return Err(OAuthError::new(ErrorCode::InvalidToken, why).into());
        }
    };
    if !claims.scope.contains("openid") {
        return Err(OAuthError::new(
            ErrorCode::InsufficientScope,
            "the token was not issued with the openid scope",
        )
        .into());
    }
    let user = UserClaims {
        sub: user.id,
        email: user.email,
        email_verified: user.email_verified,
        name: user.name,
    };
    Ok(user.released(&claims.scope))
}
