//! RFC 9068 JWT access tokens: the claims Tessera puts in them, as one typed struct that
//! minting writes and userinfo, introspection and revocation read back.
use serde::{Deserialize, Serialize};

use super::acr;
use super::amr::Amr;
use super::dpop::Confirmation;
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

/// RFC 8693 §4.1 `act`: who acts for the token's subject (`sub`, and the client it acts
/// through), with the actor before it nested inside (a delegation chain, newest outermost).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Act {
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Box<Act>>,
}

impl Act {
    /// How many actors the chain names, this one included.
    pub fn depth(&self) -> usize {
        1 + self.act.as_ref().map_or(0, |prior| prior.depth())
    }
}

/// RFC 9068 §2.2 claims, with `acr` and `amr` (§2.2.1) so a resource server can demand the
/// second factor too, and `cnf` (RFC 9449 §6.1) when the token is bound to a DPoP key. A
/// token a client got for itself (client_credentials) has no user, so no `auth_time`, `acr`
/// or `amr`, and its `sub` is the client_id (§2.2).
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amr: Option<Amr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
    /// RFC 8693 §4.1: present on a token made by a token exchange (delegation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Act>,
}

/// Who a new access token is for, what it allows, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Issue<'a> {
    pub audience: &'a str,
    pub scope: &'a Scopes,
    pub jti: &'a str,
    pub ttl: i64,
    /// The thumbprint of the DPoP key the token is bound to, if any (RFC 9449 §6.1).
    pub jkt: Option<&'a str>,
}

impl AccessTokenClaims {
    /// The claims of an access token for the user of a grant.
    pub fn for_user(ctx: &TokenContext<'_>, issue: Issue<'_>) -> Self {
        Self {
            iss: ctx.issuer.to_string(),
            sub: ctx.user.sub.clone(),
            aud: Audience::One(issue.audience.to_string()),
            client_id: ctx.client_id.to_string(),
            scope: issue.scope.clone(),
            jti: issue.jti.to_string(),
            iat: ctx.now,
            exp: ctx.now + issue.ttl,
            auth_time: Some(ctx.auth_time),
            acr: Some(acr::acr_for(ctx.amr).to_string()),
            amr: Some(ctx.amr.clone()),
            cnf: confirmation(issue.jkt),
            act: None,
        }
    }

    /// The claims of an access token a client gets for itself (RFC 6749 §4.4).
    pub fn for_client(issuer: &str, client_id: &str, issue: Issue<'_>, now: i64) -> Self {
        Self {
            iss: issuer.to_string(),
            sub: client_id.to_string(),
            aud: Audience::One(issue.audience.to_string()),
            client_id: client_id.to_string(),
            scope: issue.scope.clone(),
            jti: issue.jti.to_string(),
            iat: now,
            exp: now + issue.ttl,
            auth_time: None,
            acr: None,
            amr: None,
            cnf: confirmation(issue.jkt),
            act: None,
        }
    }

    /// The key the token is bound to, if any.
    pub fn bound_key(&self) -> Option<&str> {
        self.cnf.as_ref().map(|cnf| cnf.jkt.as_str())
    }

    /// True for a token that speaks for a client alone, with no user behind it.
    pub fn is_client_token(&self) -> bool {
        self.auth_time.is_none()
    }

    /// Checks beyond the signature (RFC 9068 §4) but the audience, which is the resource
    /// server's to check: our issuer, not expired.
    pub fn check_issued(&self, issuer: &str, now: i64) -> Result<(), &'static str> {
        if self.iss != issuer {
            return Err("the token was not issued here");
        }
        if now >= self.exp {
            return Err("the token has expired");
        }
        Ok(())
    }
}

pub fn confirmation(jkt: Option<&str>) -> Option<Confirmation> {
    jkt.map(|jkt| Confirmation {
        jkt: jkt.to_string(),
    })
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
        let issue = Issue {
            audience: "https://id.example",
            scope: &scope,
            jti: "j1",
            ttl: 900,
            jkt: None,
        };
        let claims = AccessTokenClaims::for_user(&context(&user, &scope, &amr), issue);
        let json = serde_json::to_value(&claims).unwrap();
        assert_eq!(json["scope"], "openid email");
        assert_eq!(json["amr"], serde_json::json!(["pwd"]));
        assert_eq!(json["acr"], "urn:tessera:pwd");
        assert!(json.get("cnf").is_none(), "a bearer token carries no cnf");
        let back: AccessTokenClaims = serde_json::from_value(json).unwrap();
        assert_eq!(back, claims);
        let issuer = "https://id.example";
        assert!(claims.check_issued(issuer, 100).is_ok());
        assert!(claims.check_issued(issuer, 1000).is_err());
        assert!(claims.check_issued("https://other.example", 100).is_err());
        assert!(claims.aud.includes(issuer) && !claims.aud.includes("https://api.example"));
    }

    #[test]
    fn a_client_token_has_no_user_claims() {
        let scope = Scopes::parse("orders:read").unwrap();
        let issue = Issue {
            audience: "https://api.example",
            scope: &scope,
            jti: "j2",
            ttl: 600,
            jkt: Some("key-thumbprint"),
        };
        let claims = AccessTokenClaims::for_client("https://id.example", "svc", issue, 100);
        let json = serde_json::to_value(&claims).unwrap();
        assert_eq!(json["sub"], "svc");
        assert_eq!(json["aud"], "https://api.example");
        assert_eq!(json["exp"], 700);
        assert!(json.get("auth_time").is_none() && json.get("amr").is_none());
        assert_eq!(json["cnf"], serde_json::json!({ "jkt": "key-thumbprint" }));
        let back: AccessTokenClaims = serde_json::from_value(json).unwrap();
        assert!(back.is_client_token());
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
