//! Minting the tokens of a grant: a signed RFC 9068 access token, an ID token when `openid`
//! was granted, and (for `offline_access`) a refresh token stored only as its hash.
use serde_json::{Value, json};

use super::AppError;
use crate::auth::session;
use crate::oauth::client::Client;
use crate::oauth::scope::Scopes;
use crate::oauth::tokens::{self, TokenContext, UserClaims, generate_secret, hash_secret};
use crate::state::AppState;
use crate::store::refresh_tokens::NewRefreshToken;
use crate::store::users::UserRow;

/// Who and what a grant is for.
pub struct Grant<'a> {
    pub client: &'a Client,
    pub user: &'a UserRow,
    pub scope: &'a Scopes,
    pub auth_time: i64,
    pub amr: &'a [String],
    pub nonce: Option<&'a str>,
    pub session_id_hash: &'a str,
}

pub struct Minted {
    pub access_token: String,
    pub jti: String,
    pub access_token_expires_at: i64,
    pub id_token: Option<String>,
}

pub fn mint(state: &AppState, grant: &Grant<'_>, now: i64) -> Result<Minted, AppError> {
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
    let access_token = keys.sign("at+jwt", tokens::access_token_claims(&ctx, &jti))?;
    let id_token = if grant.scope.contains("openid") {
        Some(keys.sign("JWT", tokens::id_token_claims(&ctx, &access_token))?)
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

/// A new refresh token and the row that stores it, continuing `family_id`.
pub struct NewRefresh {
    pub token: String,
    pub token_hash: String,
}

impl NewRefresh {
    pub fn generate() -> Self {
        let token = generate_secret();
        let token_hash = hash_secret(&token);
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
            auth_time: grant.auth_time,
            amr: grant.amr.join(" "),
            access_token_jti: &minted.jti,
            access_token_expires_at: minted.access_token_expires_at,
            created_at: now,
            idle_expires_at: (now + state.config().refresh_token_idle_ttl).min(family.expires_at),
            expires_at: family.expires_at,
        }
    }
}

/// A chain of rotated refresh tokens: one grant, one scope, one absolute expiry.
pub struct Family<'a> {
    pub id: &'a str,
    pub scope: &'a str,
    pub expires_at: i64,
}

/// The RFC 6749 §5.1 response body.
pub fn token_response(
    state: &AppState,
    minted: &Minted,
    scope: &Scopes,
    refresh_token: Option<&str>,
) -> Value {
    let mut body = serde_json::Map::new();
    body.insert("access_token".into(), json!(minted.access_token));
    body.insert("token_type".into(), json!("Bearer"));
    body.insert("expires_in".into(), json!(state.config().access_token_ttl));
    body.insert("scope".into(), json!(scope.to_string()));
    if let Some(id_token) = &minted.id_token {
        body.insert("id_token".into(), json!(id_token));
    }
    if let Some(refresh_token) = refresh_token {
        body.insert("refresh_token".into(), json!(refresh_token));
    }
    Value::Object(body)
}
