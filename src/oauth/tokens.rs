//! Token contents: ID token claims (OIDC Core §2, §3.1.3.6), RFC 9068 access-token claims,
//! and opaque secrets (authorization codes, session ids), which are stored only as hashes.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::acr;
use super::scope::Scopes;

/// A new random secret: 256 bits, base64url. Used for codes and session ids.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The form in which a bearer secret is stored and looked up. SHA-256 suffices: the input
/// is 256 random bits, so there is nothing to brute-force.
pub fn hash_secret(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(secret.as_bytes()))
}

/// `at_hash`: base64url of the left half of SHA-256 of the access token (OIDC Core §3.1.3.6).
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.get(..16).unwrap_or_default())
}

/// The user as tokens and userinfo describe them.
#[derive(Debug, Clone)]
pub struct UserClaims {
    pub sub: String,
    pub email: String,
    pub email_verified: bool,
    pub name: Option<String>,
}

impl UserClaims {
    /// The claims a scope set releases (OIDC Core §5.4), always including `sub`.
    pub fn released(&self, scope: &Scopes) -> Map<String, Value> {
        let mut claims = Map::new();
        claims.insert("sub".into(), json!(self.sub));
        if scope.contains("email") {
            claims.insert("email".into(), json!(self.email));
            claims.insert("email_verified".into(), json!(self.email_verified));
        }
        if scope.contains("profile")
            && let Some(name) = &self.name
        {
            claims.insert("name".into(), json!(name));
        }
        claims
    }
}

/// Everything needed to mint the tokens of one grant.
#[derive(Debug, Clone)]
pub struct TokenContext<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub user: &'a UserClaims,
    pub scope: &'a Scopes,
    pub auth_time: i64,
    pub amr: &'a [String],
    pub nonce: Option<&'a str>,
    /// The browser session's public id (OIDC Front-Channel Logout `sid`), for logout hints.
    pub sid: Option<&'a str>,
    pub now: i64,
    pub access_token_ttl: i64,
    pub id_token_ttl: i64,
}

/// RFC 9068 §2.2 claims, with `acr` and `amr` (§2.2.1) so a resource server can demand the
/// second factor too. The audience is the issuer itself: Tessera's userinfo endpoint is
/// the resource server these tokens are for.
pub fn access_token_claims(ctx: &TokenContext<'_>, jti: &str) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(ctx.issuer));
    claims.insert("sub".into(), json!(ctx.user.sub));
    claims.insert("aud".into(), json!(ctx.issuer));
    claims.insert("client_id".into(), json!(ctx.client_id));
    claims.insert("scope".into(), json!(ctx.scope.to_string()));
    claims.insert("jti".into(), json!(jti));
    claims.insert("iat".into(), json!(ctx.now));
    claims.insert("exp".into(), json!(ctx.now + ctx.access_token_ttl));
    claims.insert("auth_time".into(), json!(ctx.auth_time));
    claims.insert("acr".into(), json!(acr::acr_for(ctx.amr)));
    claims.insert("amr".into(), json!(ctx.amr));
    claims
}

/// OIDC Core §2 ID token claims plus the user claims the scope releases.
pub fn id_token_claims(ctx: &TokenContext<'_>, access_token: &str) -> Map<String, Value> {
    let mut claims = ctx.user.released(ctx.scope);
    claims.insert("iss".into(), json!(ctx.issuer));
    claims.insert("aud".into(), json!(ctx.client_id));
    claims.insert("azp".into(), json!(ctx.client_id));
    claims.insert("iat".into(), json!(ctx.now));
    claims.insert("exp".into(), json!(ctx.now + ctx.id_token_ttl));
    claims.insert("auth_time".into(), json!(ctx.auth_time));
    claims.insert("amr".into(), json!(ctx.amr));
    claims.insert("acr".into(), json!(acr::acr_for(ctx.amr)));
    claims.insert("at_hash".into(), json!(at_hash(access_token)));
    if let Some(nonce) = ctx.nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    if let Some(sid) = ctx.sid {
        claims.insert("sid".into(), json!(sid));
    }
    claims
}

/// Checks of a decoded access token beyond its signature (RFC 9068 §4).
pub fn check_access_token_claims(
    claims: &Map<String, Value>,
    issuer: &str,
    now: i64,
) -> Result<(), &'static str> {
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
        return Err("the token was not issued here");
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == issuer,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(issuer)),
        _ => false,
    };
    if !audience_ok {
        return Err("the token is not for this audience");
    }
    match claims.get("exp").and_then(Value::as_i64) {
        Some(exp) if now < exp => {}
        _ => return Err("the token has expired"),
    }
    if claims.get("sub").and_then(Value::as_str).is_none() {
        return Err("the token has no subject");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserClaims {
        UserClaims {
            sub: "u1".into(),
            email: "a@example.com".into(),
            email_verified: true,
            name: Some("Ada".into()),
        }
    }

    #[test]
    fn secrets_are_random_and_hashes_stable() {
        let a = generate_secret();
        assert_ne!(a, generate_secret());
        assert_eq!(a.len(), 43);
        assert_eq!(hash_secret(&a), hash_secret(&a));
        assert_ne!(hash_secret(&a), a);
    }

    #[test]
    fn claims_follow_scope() {
        let scope = Scopes::parse("openid").unwrap();
        let claims = user().released(&scope);
        assert_eq!(claims.len(), 1);
        let scope = Scopes::parse("openid email profile").unwrap();
        let claims = user().released(&scope);
        assert_eq!(claims["email"], "a@example.com");
        assert_eq!(claims["name"], "Ada");
    }

    #[test]
    fn id_token_carries_nonce_at_hash_and_audience() {
        let user = user();
        let scope = Scopes::parse("openid").unwrap();
        let amr = vec!["pwd".to_string()];
        let ctx = TokenContext {
            issuer: "https://id.example",
            client_id: "app",
            user: &user,
            scope: &scope,
            auth_time: 90,
            amr: &amr,
            nonce: Some("n-1"),
            sid: Some("s-1"),
            now: 100,
            access_token_ttl: 900,
            id_token_ttl: 3600,
        };
        let claims = id_token_claims(&ctx, "token");
        assert_eq!(claims["nonce"], "n-1");
        assert_eq!(claims["aud"], "app");
        assert_eq!(claims["exp"], 3700);
        assert_eq!(claims["at_hash"], at_hash("token"));
        assert_eq!(claims["acr"], "urn:tessera:pwd");
        let access = access_token_claims(&ctx, "j1");
        assert_eq!(access["amr"], json!(["pwd"]));
        assert_eq!(access["acr"], "urn:tessera:pwd");
        assert!(check_access_token_claims(&access, "https://id.example", 100).is_ok());
        assert!(check_access_token_claims(&access, "https://id.example", 1000).is_err());
        assert!(check_access_token_claims(&access, "https://other.example", 100).is_err());
    }

    #[test]
    fn a_second_factor_raises_acr_in_both_tokens() {
        let user = user();
        let scope = Scopes::parse("openid").unwrap();
        let amr = vec!["pwd".to_string(), "otp".to_string()];
        let ctx = TokenContext {
            issuer: "https://id.example",
            client_id: "app",
            user: &user,
            scope: &scope,
            auth_time: 90,
            amr: &amr,
            nonce: None,
            sid: None,
            now: 100,
            access_token_ttl: 900,
            id_token_ttl: 3600,
        };
        let id = id_token_claims(&ctx, "token");
        assert_eq!(id["acr"], "urn:tessera:mfa");
        assert_eq!(id["amr"], json!(["pwd", "otp"]));
        let access = access_token_claims(&ctx, "j1");
        assert_eq!(access["acr"], "urn:tessera:mfa");
        assert_eq!(access["amr"], json!(["pwd", "otp"]));
    }
}
