//! RFC 9068 JWT access tokens: the claims Tessera puts in them, as one typed struct that
//! minting writes and userinfo, introspection and revocation read back.
use serde::{Deserialize, Serialize};

use super::acr;
use super::amr::Amr;
use super::scope::Scopes;
use super::tokens::TokenContext;

/// `aud`: one audience or several (RFC 7519 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn includes(&self, audience: &str) -> bool {
        match self {
            Self::One(one) => one == audience,
            Self::Many(many) => many.iter().any(|a| a == audience),
        }
    }
}

/// RFC 9068 §2.2 claims, with `acr` and `amr` (§2.2.1) so a resource server can demand the
/// second factor too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: Audience,
    pub client_id: String,
    pub scope: Scopes,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    pub auth_time: i64,
    pub acr: String,
    pub amr: Amr,
}

impl AccessTokenClaims {
    /// The claims of a new access token. Its audience is the issuer itself: Tessera's
    /// userinfo endpoint is the resource server these tokens are for.
    pub fn new(ctx: &TokenContext<'_>, jti: &str) -> Self {
        Self {
            iss: ctx.issuer.to_string(),
            sub: ctx.user.sub.clone(),
            aud: Audience::One(ctx.issuer.to_string()),
            client_id: ctx.client_id.to_string(),
            scope: ctx.scope.clone(),
            jti: jti.to_string(),
            iat: ctx.now,
            exp: ctx.now + ctx.access_token_ttl,
            auth_time: ctx.auth_time,
            acr: acr::acr_for(ctx.amr).to_string(),
            amr: ctx.amr.clone(),
        }
    }

    /// Checks beyond the signature (RFC 9068 §4): our issuer, our audience, not expired.
    pub fn check(&self, issuer: &str, now: i64) -> Result<(), &'static str> {
        if self.iss != issuer {
            return Err("the token was not issued here");
        }
        if !self.aud.includes(issuer) {
            return Err("the token is not for this audience");
        }
        if now >= self.exp {
            return Err("the token has expired");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::tokens::tests::{context, user};

    #[test]
    fn claims_round_trip_and_are_checked() {
        let user = user();
        let scope = Scopes::parse("openid email").unwrap();
        let amr = Amr::password();
        let claims = AccessTokenClaims::new(&context(&user, &scope, &amr), "j1");
        let json = serde_json::to_value(&claims).unwrap();
        assert_eq!(json["scope"], "openid email");
        assert_eq!(json["amr"], serde_json::json!(["pwd"]));
        assert_eq!(json["acr"], "urn:tessera:pwd");
        let back: AccessTokenClaims = serde_json::from_value(json).unwrap();
        assert_eq!(back, claims);
        assert!(claims.check("https://id.example", 100).is_ok());
        assert!(claims.check("https://id.example", 1000).is_err());
        assert!(claims.check("https://other.example", 100).is_err());
    }

    #[test]
    fn corrupt_claims_do_not_parse() {
        let mut json = serde_json::json!({
            "iss": "i", "sub": "s", "aud": ["i"], "client_id": "c", "scope": "openid",
            "jti": "j", "iat": 1, "exp": 2, "auth_time": 1, "acr": "a", "amr": ["pwd"]
        });
        assert!(serde_json::from_value::<AccessTokenClaims>(json.clone()).is_ok());
        json["scope"] = serde_json::json!("open\"id");
        assert!(serde_json::from_value::<AccessTokenClaims>(json.clone()).is_err());
        json["scope"] = serde_json::json!("openid");
        json["amr"] = serde_json::json!(["sms"]);
        assert!(serde_json::from_value::<AccessTokenClaims>(json).is_err());
    }
}
