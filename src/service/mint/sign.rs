//! Signing the tokens of an issuance: an RFC 9068 access token for userinfo or for one API
//! (bound to the request's DPoP key, if any), and an ID token (OIDC Core §2) when `openid`
//! was granted.
use super::issuance::Issuance;
use super::lifetime::access_token_ttl;
use crate::auth::session;
use crate::config::Config;
use crate::oauth::access_token::{AccessTokenClaims, Issue};
use crate::oauth::client::Client;
use crate::oauth::dpop;
use crate::oauth::profile::userinfo_token_alg;
use crate::oauth::resource::{self, Resource};
use crate::oauth::scope::Scopes;
use crate::oauth::token_response::TokenResponse;
use crate::oauth::tokens::{self, TokenContext, TokenType, UserClaims};
use crate::service::error::Result;
use crate::state::AppState;
use crate::store::users::UserRow;

/// An access token's id and lifetime, drawn before it is signed: a grant is spent with the
/// id recorded first, and only then are the tokens signed, so no database connection is held
/// while the CPU signs (issue 30).
pub struct AccessTokenId {
    pub jti: String,
    pub expires_in: i64,
    pub expires_at: i64,
}

impl AccessTokenId {
    /// A fresh id for an access token of `issuance`, issued `now`.
    pub fn draw(config: &Config, issuance: &Issuance<'_>, now: i64) -> Self {
        let ttl = access_token_ttl(config, issuance.audience);
        Self {
            jti: uuid::Uuid::new_v4().to_string(),
            expires_in: ttl,
            expires_at: now + ttl,
        }
    }
}

/// The signed tokens, with what the store records about the access token.
pub struct Signed {
    pub access_token: String,
    pub id: AccessTokenId,
    /// What the access token allows: the part of the grant its audience understands.
    pub scope: Scopes,
    pub id_token: Option<String>,
    /// `DPoP` for a token bound to a key, `Bearer` otherwise (RFC 9449 §5).
    pub token_type: &'static str,
}

impl Signed {
    /// The response carrying these tokens; its `scope` is the access token's (RFC 6749 §5.1).
    pub fn into_response(self, refresh_token: Option<String>) -> TokenResponse {
        TokenResponse {
            id_token: self.id_token,
            refresh_token,
            token_type: self.token_type,
            ..TokenResponse::bearer(self.access_token, self.id.expires_in, self.scope)
        }
    }
}

/// Signs the access token and, when `openid` was granted, the ID token.
pub fn sign_tokens(state: &AppState, issuance: &Issuance<'_>, now: i64) -> Result<Signed> {
    let id = AccessTokenId::draw(state.config(), issuance, now);
    sign_tokens_as(state, issuance, id, now)
}

/// As [`sign_tokens`], the access token's id and lifetime drawn (and recorded) already.
pub fn sign_tokens_as(
    state: &AppState,
    issuance: &Issuance<'_>,
    id: AccessTokenId,
    now: i64,
) -> Result<Signed> {
    let config = state.config();
    let user = user_claims(issuance.user);
    let sid = session::public_id(issuance.session_id_hash);
    let ctx = TokenContext {
        issuer: state.issuer(),
        client_id: &issuance.client.id,
        user: &user,
        scope: issuance.scope,
        auth_time: issuance.auth_time,
        amr: issuance.amr,
        nonce: issuance.nonce,
        sid: Some(&sid),
        now,
        id_token_ttl: config.id_token_ttl,
    };
    let (audience, scope) = access_token_target(state, issuance);
    let issue = Issue {
        audience,
        scope: &scope,
        jti: &id.jti,
        ttl: id.expires_in,
        jkt: issuance.dpop_jkt,
    };
    let claims = AccessTokenClaims::for_user(&ctx, issue);
    let access_token = sign_access_token(state, issuance.client, issuance.audience, &claims, now)?;
    let id_token = if issuance.scope.contains("openid") {
        let alg = issuance.client.id_token_signed_response_alg;
        let claims = tokens::id_token_claims(&ctx, &access_token, alg);
        Some(state.keys().sign(alg, TokenType::Id, &claims, now)?)
    } else {
        None
    };
    Ok(Signed {
        access_token,
        id,
        scope,
        id_token,
        token_type: dpop::token_type(issuance.dpop_jkt.is_some()),
    })
}

fn user_claims(user: &UserRow) -> UserClaims {
    UserClaims {
        sub: user.id.clone(),
        email: user.email.clone(),
        email_verified: user.email_verified,
        name: user.name.clone(),
    }
}

/// The `aud` of the access token and the part of the granted scope it carries: the API's
/// own scopes, or (for userinfo, whose audience is the issuer) the OpenID Connect ones.
fn access_token_target<'s>(state: &'s AppState, issuance: &Issuance<'s>) -> (&'s str, Scopes) {
    match issuance.audience {
        Some(api) => (api.identifier.as_str(), api.scope_of(issuance.scope)),
        None => (state.issuer(), resource::userinfo_scope(issuance.scope)),
    }
}

/// Signs access-token claims with the algorithm of their audience: the API's
/// `access_token_signed_response_alg`, or for userinfo RS256 (a fapi2 client's: its ID
/// tokens' algorithm, FAPI 2.0 §5.4.1).
pub fn sign_access_token(
    state: &AppState,
    client: &Client,
    audience: Option<&Resource>,
    claims: &AccessTokenClaims,
    now: i64,
) -> Result<String> {
    let alg = audience.map_or_else(|| userinfo_token_alg(client), |api| api.access_token_alg);
    Ok(state.keys().sign(alg, TokenType::Access, claims, now)?)
}
