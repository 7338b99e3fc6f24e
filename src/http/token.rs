//! `POST /token` (RFC 6749 §3.2, §4.1.3, §5): client authentication, then the grant. The
//! authorization_code grant lives here; refresh_token in `refresh_grant.rs`.
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::client_auth::authenticated_form;
use super::client_ip::ClientIp;
use super::issue::{Family, Grant, NewRefresh, mint, token_response};
use super::json_error::{JsonError, no_store_json};
use super::refresh_grant::refresh_token_grant;
use crate::auth::session::amr_from_string;
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::grants::{self, TokenRequest};
use crate::oauth::scope::Scopes;
use crate::oauth::tokens::hash_secret;
use crate::state::AppState;
use crate::store::codes::{CodeTokens, Consumed};

pub async fn token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match dispatch(&state, &headers, &body, ip).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn dispatch(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    ip: std::net::IpAddr,
) -> Result<Response, JsonError> {
    let (params, client) = authenticated_form(state, headers, body, ip).await?;
    match grants::parse_token_request(&params)? {
        TokenRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            authorization_code_grant(
                state,
                client,
                &code,
                redirect_uri.as_deref(),
                code_verifier.as_deref(),
            )
            .await
        }
        TokenRequest::RefreshToken {
            refresh_token,
            scope,
        } => refresh_token_grant(state, client, &refresh_token, scope.as_deref()).await,
    }
}

async fn authorization_code_grant(
    state: &AppState,
    client: &Client,
    code: &str,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
) -> Result<Response, JsonError> {
    let now = state.now();
    let store = state.store();
    let code_hash = hash_secret(code);
    let issued = match store.consume_code(&code_hash, now).await? {
        Consumed::Fresh(issued) => issued,
        Consumed::AlreadyUsed => {
            revoke_tokens_of_replayed_code(state, &code_hash, now).await?;
            return Err(OAuthError::invalid_grant("the code has already been used").into());
        }
        Consumed::NotFound => return Err(OAuthError::invalid_grant("the code is invalid").into()),
    };
    grants::check_code_exchange(&issued, client, redirect_uri, code_verifier, now)?;

    let user = store
        .find_user(&issued.user_id)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(|| OAuthError::invalid_grant("the user account is no longer active"))?;
    let scope = Scopes::parse(&issued.scope).unwrap_or_default();
    let amr = amr_from_string(&issued.amr);
    let grant = Grant {
        client,
        user: &user,
        scope: &scope,
        auth_time: issued.auth_time,
        amr: &amr,
        nonce: issued.nonce.as_deref(),
        session_id_hash: &issued.session_id_hash,
    };
    let minted = mint(state, &grant, now)?;

    // OIDC Core §11: offline_access (only ever granted with consent) brings a refresh token.
    let refresh = if scope.contains("offline_access") {
        let refresh = NewRefresh::generate();
        let family_id = uuid::Uuid::new_v4().to_string();
        let family = Family {
            id: &family_id,
            scope: &issued.scope,
            expires_at: now + state.config().refresh_token_ttl,
        };
        store
            .insert_refresh_token(&refresh.row(state, &grant, &family, &minted, now))
            .await?;
        Some((refresh, family_id))
    } else {
        None
    };
    store
        .record_code_tokens(
            &code_hash,
            &CodeTokens {
                access_token_jti: minted.jti.clone(),
                access_token_expires_at: minted.access_token_expires_at,
                refresh_family_id: refresh.as_ref().map(|(_, family)| family.clone()),
            },
        )
        .await?;
    let refresh_token = refresh.as_ref().map(|(r, _)| r.token.as_str());
    Ok(no_store_json(token_response(
        state,
        &minted,
        &scope,
        refresh_token,
    )))
}

/// RFC 6749 §4.1.2: a code used twice is evidence of theft; revoke what its first use got.
/// This commits before the error is answered.
async fn revoke_tokens_of_replayed_code(
    state: &AppState,
    code_hash: &str,
    now: i64,
) -> Result<(), JsonError> {
    tracing::warn!("authorization code replayed: revoking the tokens it issued");
    let store = state.store();
    if let Some(tokens) = store.find_code_tokens(code_hash).await? {
        store
            .revoke_access_token(&tokens.access_token_jti, tokens.access_token_expires_at)
            .await?;
        if let Some(family) = tokens.refresh_family_id {
            store.revoke_refresh_family(&family, now).await?;
        }
    }
    Ok(())
}
