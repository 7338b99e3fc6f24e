//! Minting the tokens of a grant: a signed RFC 9068 access token, an ID token when `openid`
//! was granted, and (for `offline_access`) a refresh token stored only as its hash; and the
//! RFC 6749 §5.1 response that carries them.
use serde::Serialize;

use super::error::Result;
use crate::auth::{secret, session};
use crate::oauth::access_token::AccessTokenClaims;
use crate::oauth::amr::Amr;
use crate::oauth::client::Client;
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
    pub scope: &'a Scopes,
    pub auth_time: i64,
    pub amr: &'a Amr,
    pub nonce: Option<&'a str>,
    pub session_id_hash: &'a str,
}

pub struct Minted {
    pub access_token: String,
    pub jti: String,
    pub access_token_expires_at: i64,
    pub id_token: Option<String>,
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
        access_token_ttl: config.access_token_ttl,
        id_token_ttl: config.id_token_ttl,
    };
    let jti = uuid::Uuid::new_v4().to_string();
    let keys = state.keys();
    // RS256 for every resource until resources may name their own algorithm: every resource
    // server can verify it (OIDC Core requires it), whatever else it supports.
    let access_token = sign_access_token(state, SigningAlg::Rs256, &ctx, &jti, now)?;
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
        access_token_expires_at: now + config.access_token_ttl,
        id_token,
    })
}

/// The RFC 9068 access token of `ctx`, signed with `alg`.
fn sign_access_token(
    state: &AppState,
    alg: SigningAlg,
    ctx: &TokenContext<'_>,
    jti: &str,
    now: i64,
) -> Result<String> {
    let claims = AccessTokenClaims::new(ctx, jti);
    Ok(state.keys().sign(alg, TokenType::Access, &claims, now)?)
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
            scope: family.scope.to_string(),
            auth_time: grant.auth_time,
            amr: grant.amr.to_string(),
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
    pub fn new(
        state: &AppState,
        minted: Minted,
        scope: Scopes,
        refresh_token: Option<String>,
    ) -> Self {
        Self {
            access_token: minted.access_token,
            token_type: "Bearer",
            expires_in: state.config().access_token_ttl,
            scope,
            id_token: minted.id_token,
            refresh_token,
        }
    }
}
