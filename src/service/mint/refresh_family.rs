//! Refresh tokens (RFC 6749 §6) as families: a grant's chain of rotated tokens, one scope,
//! one absolute end. A new token is a secret for the client and a row that stores only its
//! hash.
use super::issuance::Issuance;
use super::lifetime::{refresh_family_expires_at, refresh_idle_expires_at};
use super::sign::AccessTokenId;
use crate::auth::secret;
use crate::config::Config;
use crate::oauth::dpop;
use crate::oauth::resource::ResourceIds;
use crate::oauth::scope::Scopes;
use crate::store::refresh_tokens::NewRefreshToken;

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

impl<'a> Family<'a> {
    /// A new family for a grant just spent (an authorization code, an approved device),
    /// ending `refresh_token_ttl` from now.
    pub fn starting(
        id: &'a str,
        scope: &'a Scopes,
        resources: &'a ResourceIds,
        config: &Config,
        now: i64,
    ) -> Self {
        Self {
            id,
            scope,
            resources,
            expires_at: refresh_family_expires_at(config, now),
        }
    }
}

impl NewRefresh {
    /// The refresh token a spent grant brings: one only with `offline_access`, which is only
    /// ever granted with consent (OIDC Core §11).
    pub fn for_grant(scope: &Scopes) -> Option<Self> {
        scope.contains("offline_access").then(Self::generate)
    }

    pub fn generate() -> Self {
        let token = secret::generate();
        let token_hash = secret::hash(&token);
        Self { token, token_hash }
    }

    /// The row storing this token as the newest of `family`, issued with the access token
    /// `access`.
    pub fn row<'a>(
        &'a self,
        config: &Config,
        issuance: &'a Issuance<'a>,
        family: &Family<'a>,
        access: &'a AccessTokenId,
        now: i64,
    ) -> NewRefreshToken<'a> {
        NewRefreshToken {
            token_hash: &self.token_hash,
            family_id: family.id,
            client_id: &issuance.client.id,
            user_id: &issuance.user.id,
            session_id_hash: issuance.session_id_hash,
            scope: family.scope,
            resources: family.resources,
            auth_time: issuance.auth_time,
            amr: issuance.amr,
            access_token_jti: &access.jti,
            access_token_expires_at: access.expires_at,
            created_at: now,
            idle_expires_at: refresh_idle_expires_at(config, family.expires_at, now),
            expires_at: family.expires_at,
            dpop_jkt: dpop::refresh_binding(issuance.client, issuance.dpop_jkt),
        }
    }
}
