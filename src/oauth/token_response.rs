//! The successful token response body (RFC 6749 §5.1), the same for every grant type.
use serde::Serialize;

use super::scope::Scopes;

#[derive(Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    /// The access token's scope, which may be narrower than the grant's.
    pub scope: Scopes,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// RFC 8693 §2.2.1: the kind of token a token exchange issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<&'static str>,
}

// The tokens are bearer secrets: never in Debug output.
impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl TokenResponse {
    /// A bearer access token alone: no ID token, no refresh token.
    pub fn bearer(access_token: String, expires_in: i64, scope: Scopes) -> Self {
        Self {
            access_token,
            token_type: "Bearer",
            expires_in,
            scope,
            id_token: None,
            refresh_token: None,
            issued_token_type: None,
        }
    }
}
