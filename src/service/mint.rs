//! Minting the tokens of a grant: a signed RFC 9068 access token for userinfo or for one API,
//! an ID token when `openid` was granted, and (for `offline_access`) a refresh token stored
//! only as its hash; and the RFC 6749 §5.1 response that carries them.
use serde::Serialize;

use super::error::Result;
use crate::auth::{secret, session};
use crate::oauth::access_token::{AccessTokenClaims, Issue};
use crate::oauth::amr::Amr;
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::resource::{self, Resource, ResourceIds};
use crate::oauth::scope::Scopes;
use crate::oauth::signing_alg::SigningAlg;
use crate::oauth::tokens::{self, TokenContext, TokenType, UserClaims};
use crate::state::AppState;
use crate::store::refresh_tokens::NewRefreshToken;
use crate::store::users::UserRow;

/// Who and what a grant is for.
pub struct Grant<'a> {
    pub client: &'a Client,
    pub user: &'a UserRow,
    /// Everything granted: OpenID Connect scopes and the scopes of the grant's APIs.
    pub scope: &'a Scopes,
    /// The API this access token is for; `None`: Tessera's userinfo endpoint.
    pub audience: Option<&'a Resource>,
    pub auth_time: i64,
    pub amr: &'a Amr,
    pub nonce: Option<&'a str>,
    pub session_id_hash: &'a str,
}

pub struct Minted {
    pub access_token: String,
    pub jti: String,
    /// What the access token allows: the part of the grant its audience understands.
    pub scope: Scopes,
    pub expires_in: i64,
    pub access_token_expires_at: i64,
    pub id_token: Option<String>,
}

/// RFC 8707: the API a token request names, which must be one the grant covers (and the
/// client may still ask for: a reload may have withdrawn it).
pub fn audience<'c>(
    client: &'c Client,
    covered: &ResourceIds,
    requested: Option<&str>,
) -> std::result::Result<Option<&'c Resource>, OAuthError> {
    let Some(requested) = requested else {
        return Ok(None);
    };
    if !covered.contains(requested) {
        return Err(OAuthError::invalid_target(
            "the grant does not cover this resource",
        ));
    }
    resource::permitted(requested, &client.resources).map(Some)
}

/// Seconds an access token for `audience` lives.
pub fn access_token_ttl(state: &AppState, audience: Option<&Resource>) -> i64 {
    audience
        .and_then(|r| r.access_token_ttl)
        .unwrap_or(state.config().access_token_ttl)
}

/// Signs the access token and, when `openid` was granted, the ID token.
pub fn mint(state: &AppState, grant: &Grant<'_>, now: i64) -> Result<Minted> {
    let config = state.config();
    let user = UserClaims {
        sub: grant.user.id.clone(),
        email: grant.user.email.clone(),
        email_verified: grant.user.email_verified,
        name: grant.user.name.clone(),
    };
    let sid = session::public_id(grant.session_id_hash);
    let ctx = TokenContext {
        issuer: state.issuer(),
        client_id: &grant.client.id,
        user: &user,
        scope: grant.scope,
        auth_time: grant.auth_time,
        amr: grant.amr,
        nonce: grant.nonce,
        sid: Some(&sid),
        now,
        id_token_ttl: config.id_token_ttl,
    };
    let jti = uuid::Uuid::new_v4().to_string();
    let (audience, scope) = match grant.audience {
        Some(api) => (api.identifier.as_str(), api.scope_of(grant.scope)),
        None => (state.issuer(), resource::userinfo_scope(grant.scope)),
    };
    let ttl = access_token_ttl(state, grant.audience);
    let issue = Issue {
        audience,
        scope: &scope,
        jti: &jti,
        ttl,
    };
    let keys = state.keys();
    let claims = AccessTokenClaims::for_user(&ctx, issue);
    let access_token = sign_access_token(state, grant.audience, &claims, now)?;
    let id_token = if grant.scope.contains("openid") {
        let alg = grant.client.id_token_signed_response_alg;
        let claims = tokens::id_token_claims(&ctx, &access_token, alg);
        Some(keys.sign(alg, TokenType::Id, &claims, now)?)
    } else {
        None
    };
    Ok(Minted {
        access_token,
        jti,
        scope,
        expires_in: ttl,
        access_token_expires_at: now + ttl,
        id_token,
    })
}

/// Signs access-token claims with the algorithm of their audience: the API's
/// `access_token_signed_response_alg`, or RS256 for userinfo.
pub fn sign_access_token(
    state: &AppState,
    audience: Option<&Resource>,
    claims: &AccessTokenClaims,
    now: i64,
) -> Result<String> {
    let alg = audience.map_or(SigningAlg::Rs256, |api| api.access_token_alg);
    Ok(state.keys().sign(alg, TokenType::Access, claims, now)?)
}

/// A new refresh token: the secret for the client and the hash that is stored.
pub struct NewRefresh {
    pub token: String,
    pub token_hash: String,
}

/// A chain of rotated refresh tokens: one grant, one scope, one absolute expiry.
pub struct Family<'a> {
    pub id: &'a str,
    pub scope: &'a Scopes,
    pub resources: &'a ResourceIds,
    pub expires_at: i64,
}

impl NewRefresh {
    pub fn generate() -> Self {
        let token = secret::generate();
        let token_hash = secret::hash(&token);
        Self { token, token_hash }
    }

    /// The row storing this token as the newest of `family`.
    pub fn row<'a>(
        &'a self,
        state: &AppState,
        grant: &'a Grant<'a>,
        family: &Family<'a>,
        minted: &'a Minted,
        now: i64,
    ) -> NewRefreshToken<'a> {
        NewRefreshToken {
            token_hash: &self.token_hash,
            family_id: family.id,
            client_id: &grant.client.id,
            user_id: &grant.user.id,
            session_id_hash: grant.session_id_hash,
            scope: family.scope,
            resources: family.resources,
            auth_time: grant.auth_time,
            amr: grant.amr,
            access_token_jti: &minted.jti,
            access_token_expires_at: minted.access_token_expires_at,
            created_at: now,
            idle_expires_at: (now + state.config().refresh_token_idle_ttl).min(family.expires_at),
            expires_at: family.expires_at,
        }
    }
}

/// The RFC 6749 §5.1 response body.
#[derive(Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: Scopes,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl TokenResponse {
    /// The response for `minted`; its `scope` is the access token's (RFC 6749 §5.1).
    pub fn new(minted: Minted, refresh_token: Option<String>) -> Self {
        Self {
            access_token: minted.access_token,
            token_type: "Bearer",
            expires_in: minted.expires_in,
            scope: minted.scope,
            id_token: minted.id_token,
            refresh_token,
        }
    }
}
