//! `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693): a confidential
//! client trades a user's token (an access token meant for it, or an ID token issued to it)
//! for an access token to one of the APIs its policy lists, acting for that user (`act`,
//! §4.1). The subject and actor tokens are checked as a resource server checks them (our
//! keys, our issuer, unexpired, not revoked, an active user); no refresh token is issued.
//! Every exchange, granted or refused, is an audit event.
use super::access_token::{self, Subject as Speaker, TokenCheck};
use super::error::{Error, Result};
use super::mint::lifetime::access_token_ttl;
use super::mint::sign::sign_access_token;
use crate::audit::{AuditEvent, EventType};
use crate::oauth::access_token::{AccessTokenClaims, Act};
use crate::oauth::client::Client;
use crate::oauth::dpop;
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::oauth::token_exchange::{
    self as exchange, ACCESS_TOKEN_TYPE, Exchanged, IdTokenClaims, Subject, SubjectKind,
    TokenExchangeGrant, unacceptable,
};
use crate::oauth::token_response::TokenResponse;
use crate::oauth::tokens::TokenType;
use crate::state::AppState;

/// What the audit event names, filled in as the exchange learns it.
#[derive(Debug, Default)]
struct Trail {
    user: Option<String>,
    target: Option<String>,
    actor: Option<String>,
}

/// The exchange, recorded whichever way it ends.
pub async fn exchange(
    state: &AppState,
    client: &Client,
    grant: &TokenExchangeGrant,
    dpop_jkt: Option<&str>,
    now: i64,
) -> Result<TokenResponse> {
    let mut trail = Trail::default();
    let outcome = exchange_tokens(state, client, grant, dpop_jkt, &mut trail, now).await;
    let event = match &outcome {
        Ok(_) => AuditEvent::success(EventType::TokenExchanged),
        Err(error) => {
            AuditEvent::failure(EventType::TokenExchanged).detail("error", code_of(error))
        }
    };
    let mut event = event
        .client(client.id.as_str())
        .detail("subject_token_type", kind_name(grant.subject_kind));
    if let Some(user) = trail.user {
        event = event.user(user);
    }
    for (key, value) in [("target", trail.target), ("actor", trail.actor)] {
        if let Some(value) = value {
            event = event.detail(key, value);
        }
    }
    state.audit().record(event);
    outcome
}

/// A token-exchange request refused before it reached [`exchange`] (malformed, or from a
/// client not registered for the grant): recorded too, since a client probing for the grant
/// is worth knowing about. Requests for other grants are not.
pub fn record_early_refusal(
    state: &AppState,
    client: &Client,
    params: &Params,
    error: &OAuthError,
) {
    if params.get("grant_type") == Some(exchange::GRANT_TYPE) {
        state.audit().record(
            AuditEvent::failure(EventType::TokenExchanged)
                .client(client.id.as_str())
                .detail("error", error.code.as_str()),
        );
    }
}

async fn exchange_tokens(
    state: &AppState,
    client: &Client,
    grant: &TokenExchangeGrant,
    dpop_jkt: Option<&str>,
    trail: &mut Trail,
    now: i64,
) -> Result<TokenResponse> {
    // Registration refuses it; a public client could not keep what it would get.
    if client.is_public() {
        return Err(OAuthError::unauthorized_client(
            "token exchange is for confidential clients only",
        )
        .into());
    }
    let api = exchange::target(client, grant)?;
    trail.target = Some(api.identifier.clone());
    let subject = match grant.subject_kind {
        SubjectKind::AccessToken => access_token_subject(state, client, grant, trail, now).await?,
        SubjectKind::IdToken => id_token_subject(state, client, grant, trail, now).await?,
    };
    exchange::check_binding("subject_token", subject.jkt.as_deref(), dpop_jkt)?;
    let actor = match &grant.actor_token {
        Some(token) => Some(actor(state, client, token, dpop_jkt, now).await?),
        None => None,
    };
    let act = exchange::delegation(client, subject.act.clone(), actor)?;
    trail.actor = act.as_ref().map(|act| act.sub.clone());
    let scope =
        exchange::exchanged_scope(subject.scope.as_ref(), grant.scope.as_deref(), client, api)?;
    let jti = uuid::Uuid::new_v4().to_string();
    let new = Exchanged {
        issuer: state.issuer(),
        client,
        api,
        scope: &scope,
        jti: &jti,
        api_ttl: access_token_ttl(state.config(), Some(api)),
        jkt: dpop_jkt,
        now,
    };
    let claims = exchange::exchanged_claims(subject, act, new);
    let expires_in = claims.exp - now;
    let access_token = sign_access_token(state, client, Some(api), &claims, now)?;
    crate::observe::token_issued("token_exchange");
    Ok(TokenResponse {
        token_type: dpop::token_type(dpop_jkt.is_some()),
        issued_token_type: Some(ACCESS_TOKEN_TYPE),
        ..TokenResponse::bearer(access_token, expires_in, scope)
    })
}

/// An access token as the subject: checked as introspection checks it, then by the rules of
/// an exchange (meant for this client, for a user).
async fn access_token_subject(
    state: &AppState,
    client: &Client,
    grant: &TokenExchangeGrant,
    trail: &mut Trail,
    now: i64,
) -> Result<Subject> {
    let claims = access_token::verified_claims(state, &grant.subject_token, now)
        .map_err(|why| unacceptable("subject_token", why))?;
    if !claims.is_client_token() {
        trail.user = Some(claims.sub.clone());
    }
    let claims = active(state, claims, "subject_token").await?;
    Ok(exchange::access_token_subject(claims, client)?)
}

/// An ID token as the subject: our signature and `typ`, then the exchange's rules, then a
/// user who is still active and has not had their tokens ended since it was issued.
async fn id_token_subject(
    state: &AppState,
    client: &Client,
    grant: &TokenExchangeGrant,
    trail: &mut Trail,
    now: i64,
) -> Result<Subject> {
    let refuse = |why| Error::from(unacceptable("subject_token", why));
    let claims = state
        .keys()
        .verify(&grant.subject_token, TokenType::Id)
        .map_err(refuse)?;
    let claims: IdTokenClaims = serde_json::from_value(serde_json::Value::Object(claims))
        .map_err(|_| refuse("its claims are not those of a Tessera ID token"))?;
    let iat = claims.iat;
    trail.user = Some(claims.sub.clone());
    let subject = exchange::id_token_subject(claims, state.issuer(), client, now)?;
    let active = state
        .store()
        .find_user(&subject.sub)
        .await?
        .is_some_and(|user| user.accepts_token_issued_at(iat));
    if !active {
        return Err(refuse("the user account is no longer active"));
    }
    Ok(subject)
}

/// The actor token: an active access token this client holds — issued to it, or meant for
/// it or one of its APIs — bound to no key but the one the request proved. Its `sub` (a
/// user, or a client for a client's own token) and `client_id` name the actor.
async fn actor(
    state: &AppState,
    client: &Client,
    token: &str,
    dpop_jkt: Option<&str>,
    now: i64,
) -> Result<Act> {
    let claims = access_token::verified_claims(state, token, now)
        .map_err(|why| unacceptable("actor_token", why))?;
    let claims = active(state, claims, "actor_token").await?;
    if claims.client_id != client.id && !exchange::meant_for(&claims.aud, client) {
        return Err(unacceptable(
            "actor_token",
            "it was neither issued to this client nor meant for it or its APIs",
        )
        .into());
    }
    exchange::check_binding("actor_token", claims.bound_key(), dpop_jkt)?;
    Ok(Act {
        sub: claims.sub,
        client_id: Some(claims.client_id),
        act: None,
    })
}

/// Verified access-token claims that are still active (not revoked, their user or client
/// still there), whatever their audience.
async fn active(
    state: &AppState,
    claims: AccessTokenClaims,
    which: &str,
) -> Result<AccessTokenClaims> {
    match access_token::check_claims(state, claims).await? {
        TokenCheck::Active(claims, Speaker::User(_) | Speaker::Client) => Ok(*claims),
        TokenCheck::Inactive(why) => Err(unacceptable(which, why).into()),
    }
}

fn kind_name(kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::AccessToken => "access_token",
        SubjectKind::IdToken => "id_token",
    }
}

/// The RFC error code a refusal was answered with, for the audit detail.
fn code_of(error: &Error) -> &'static str {
    match error {
        Error::OAuth(error) => error.code.as_str(),
        Error::Throttled { .. } | Error::Overloaded | Error::Internal(_) => "server_error",
    }
}
