//! `grant_type=client_credentials` (RFC 6749 §4.4): a confidential client asks a token for
//! itself, for one of its APIs. The token is an RFC 9068 JWT whose `sub` is the client
//! (§2.2), bound to the request's DPoP key when it proved one (RFC 9449 §5); no ID token and
//! no refresh token (§4.4.3). Nothing is stored: it is revoked by its `jti` like any access
//! token.
use super::error::Result;
use super::mint::lifetime::access_token_ttl;
use super::mint::sign::sign_access_token;
use crate::oauth::access_token::{AccessTokenClaims, Issue};
use crate::oauth::client::Client;
use crate::oauth::client_credentials::api_and_scope;
use crate::oauth::dpop;
use crate::oauth::grants::ClientCredentialsGrant;
use crate::oauth::token_response::TokenResponse;
use crate::state::AppState;

pub fn issue(
    state: &AppState,
    client: &Client,
    requested: &ClientCredentialsGrant,
    dpop_jkt: Option<&str>,
    now: i64,
) -> Result<TokenResponse> {
    let (api, scope) = api_and_scope(client, requested)?;
    let jti = uuid::Uuid::new_v4().to_string();
    let ttl = access_token_ttl(state.config(), Some(api));
    let issue = Issue {
        audience: &api.identifier,
        scope: &scope,
        jti: &jti,
        ttl,
        jkt: dpop_jkt,
    };
    let claims = AccessTokenClaims::for_client(state.issuer(), &client.id, issue, now);
    let access_token = sign_access_token(state, client, Some(api), &claims, now)?;
    crate::observe::token_issued("client_credentials");
    Ok(TokenResponse {
        token_type: dpop::token_type(dpop_jkt.is_some()),
        ..TokenResponse::bearer(access_token, ttl, scope)
    })
}
