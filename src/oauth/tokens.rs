//! What Tessera's JWTs say: ID token claims (OIDC Core §2, §3.1.3.6) and the `typ` header
//! that keeps one kind of token from passing as another. Access-token claims are in
//! `access_token.rs`.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256, Sha512};

use super::acr;
use super::amr::Amr;
use super::scope::Scopes;
use super::signing_alg::SigningAlg;

/// The JWT `typ` header of each kind of token Tessera signs. Verifiers demand the kind they
/// expect, so an ID token is never accepted as an access token (RFC 9068 §4, RFC 8725 §3.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    /// RFC 9068 access token.
    Access,
    /// OIDC ID token.
    Id,
    /// Back-Channel Logout 1.0 §2.4 logout token.
    Logout,
}

impl TokenType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "at+jwt",
            Self::Id => "JWT",
            Self::Logout => "logout+jwt",
        }
    }
}

/// `at_hash` (OIDC Core §3.1.3.6): base64url of the left half of the access token's hash,
/// with the hash of the ID token's `alg`: SHA-256 for RS256 and ES256, SHA-512 for EdDSA
/// over Ed25519 (OIDC Core errata set 2, §3.1.3.6), which relying parties check it against.
pub fn at_hash(access_token: &str, alg: SigningAlg) -> String {
    let bytes = access_token.as_bytes();
    match alg {
        SigningAlg::Rs256 | SigningAlg::Ps256 | SigningAlg::Es256 => {
            left_half(&Sha256::digest(bytes))
        }
        SigningAlg::EdDsa => left_half(&Sha512::digest(bytes)),
    }
}

fn left_half(digest: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(digest.get(..digest.len() / 2).unwrap_or_default())
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
    pub amr: &'a Amr,
    pub nonce: Option<&'a str>,
    /// The browser session's public id (`sid`), for logout.
    pub sid: Option<&'a str>,
    pub now: i64,
    pub id_token_ttl: i64,
}

/// OIDC Core §2 ID token claims plus the user claims the scope releases, for an ID token
/// signed with `alg`.
pub fn id_token_claims(
    ctx: &TokenContext<'_>,
    access_token: &str,
    alg: SigningAlg,
) -> Map<String, Value> {
    let mut claims = ctx.user.released(ctx.scope);
    claims.insert("iss".into(), json!(ctx.issuer));
    claims.insert("aud".into(), json!(ctx.client_id));
    claims.insert("azp".into(), json!(ctx.client_id));
    claims.insert("iat".into(), json!(ctx.now));
    claims.insert("exp".into(), json!(ctx.now + ctx.id_token_ttl));
    claims.insert("auth_time".into(), json!(ctx.auth_time));
    claims.insert("amr".into(), json!(ctx.amr));
    claims.insert("acr".into(), json!(acr::acr_for(ctx.amr)));
    claims.insert("at_hash".into(), json!(at_hash(access_token, alg)));
    if let Some(nonce) = ctx.nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    if let Some(sid) = ctx.sid {
        claims.insert("sid".into(), json!(sid));
    }
    claims
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn user() -> UserClaims {
        UserClaims {
            sub: "u1".into(),
            email: "a@example.com".into(),
            email_verified: true,
            name: Some("Ada".into()),
        }
    }

    pub fn context<'a>(user: &'a UserClaims, scope: &'a Scopes, amr: &'a Amr) -> TokenContext<'a> {
        TokenContext {
            issuer: "https://id.example",
            client_id: "app",
            user,
            scope,
            auth_time: 90,
            amr,
            nonce: Some("n-1"),
            sid: Some("s-1"),
            now: 100,
            id_token_ttl: 3600,
        }
    }

    #[test]
    fn claims_follow_scope() {
        let scope = Scopes::parse("openid").unwrap();
        assert_eq!(user().released(&scope).len(), 1);
        let scope = Scopes::parse("openid email profile").unwrap();
        let claims = user().released(&scope);
        assert_eq!(claims["email"], "a@example.com");
        assert_eq!(claims["name"], "Ada");
    }

    #[test]
    fn id_token_carries_nonce_at_hash_audience_and_the_methods_used() {
        let user = user();
        let scope = Scopes::parse("openid").unwrap();
        let amr = Amr::parse("pwd otp").unwrap();
        let claims = id_token_claims(&context(&user, &scope, &amr), "token", SigningAlg::Rs256);
        assert_eq!(claims["nonce"], "n-1");
        assert_eq!(claims["aud"], "app");
        assert_eq!(claims["exp"], 3700);
        assert_eq!(claims["at_hash"], at_hash("token", SigningAlg::Rs256));
        assert_eq!(claims["acr"], "urn:tessera:mfa");
        assert_eq!(claims["amr"], json!(["pwd", "otp"]));
    }

    #[test]
    fn at_hash_uses_the_hash_of_the_id_tokens_alg() {
        // OIDC Core §A.3's access token and at_hash (RS256, SHA-256).
        let token = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
        assert_eq!(at_hash(token, SigningAlg::Rs256), "77QmUPtjPfzWtF2AnpK9RQ");
        assert_eq!(at_hash(token, SigningAlg::Es256), "77QmUPtjPfzWtF2AnpK9RQ");
        // Ed25519: the left 32 bytes of SHA-512, 43 characters.
        let ed = at_hash(token, SigningAlg::EdDsa);
        let expected = URL_SAFE_NO_PAD.encode(&Sha512::digest(token.as_bytes())[..32]);
        assert_eq!((ed.len(), ed), (43, expected));
    }
}
