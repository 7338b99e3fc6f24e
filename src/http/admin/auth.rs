//! Who may call the admin API: a registered client with its own access token (RFC 6750
//! bearer, from `client_credentials`: `sub` is the client) for `urn:tessera:admin`, carrying
//! `admin:read` for a `GET` and `admin:write` for anything else (neither implies the other).
//! A user's token is never accepted, whatever it carries; config validation already keeps
//! admin scopes out of them (docs/security.md). No or a bad token: 401; a good token that may
//! not do this: 403 (RFC 6750 §3.1), both with a `WWW-Authenticate` challenge and a problem
//! document. The request then runs with the client as its audit origin's actor.
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::{Kind, Problem};
use crate::audit::origin::{self, Actor, Origin};
use crate::config::{ADMIN_API, ADMIN_READ, ADMIN_WRITE};
use crate::oauth::access_token::AccessTokenClaims;
use crate::service::access_token::{Subject, TokenCheck, check_claims, verified_claims};
use crate::state::AppState;

const REALM: &str = "tessera-admin";

/// The scope a request needs: reading for `GET` (and `HEAD`), writing for the rest.
pub fn scope_for(method: &Method) -> &'static str {
    if *method == Method::GET || *method == Method::HEAD {
        ADMIN_READ
    } else {
        ADMIN_WRITE
    }
}

/// Lets the request through as its admin client, or answers why not.
pub async fn require_admin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let needed = scope_for(request.method());
    let client_id = match admin_client(&state, request.headers(), needed).await {
        Ok(client_id) => client_id,
        Err(problem) => return problem.into_response(),
    };
    tracing::Span::current().record("client_id", client_id.as_str());
    let origin = match origin::current() {
        Some(origin) => origin.by_admin_client(&client_id),
        None => Origin {
            actor: Actor::AdminClient(client_id),
            address: None,
            user_agent: None,
        },
    };
    origin::within(origin, next.run(request)).await
}

/// The bearer token of the `Authorization` header; `None` when none was presented.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn unauthenticated() -> Problem {
    let mut problem = Problem::new(
        Kind::Unauthenticated,
        "send a Tessera access token for urn:tessera:admin: Authorization: Bearer <token>",
    );
    problem.www_authenticate = Some(format!("Bearer realm=\"{REALM}\""));
    problem
}

fn invalid_token(why: &str) -> Problem {
    let mut problem = Problem::new(Kind::InvalidToken, why);
    let why = why.replace(['"', '\\'], "'");
    problem.www_authenticate = Some(format!(
        "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{why}\""
    ));
    problem
}

fn insufficient(why: &str, needed: &'static str) -> Problem {
    let mut problem = Problem::new(Kind::InsufficientScope, why);
    problem.scope = Some(needed);
    problem.www_authenticate = Some(format!(
        "Bearer realm=\"{REALM}\", error=\"insufficient_scope\", scope=\"{needed}\""
    ));
    problem
}

/// The client behind a token that may do what `needed` allows, or the problem to answer.
async fn admin_client(
    state: &AppState,
    headers: &HeaderMap,
    needed: &'static str,
) -> Result<String, Problem> {
    let token = bearer(headers).ok_or_else(unauthenticated)?;
    if token.is_empty() {
        return Err(invalid_token("the bearer token is empty"));
    }
    let claims = verified_claims(state, token, state.now()).map_err(invalid_token)?;
    let claims = allowed_claims(claims, needed)?;
    let claims = match check_claims(state, claims).await {
        Ok(TokenCheck::Active(claims, Subject::Client)) => claims,
        Ok(TokenCheck::Active(_, Subject::User(_))) => {
            return Err(insufficient(
                "a user's token is never accepted here",
                needed,
            ));
        }
        Ok(TokenCheck::Inactive(why)) => return Err(invalid_token(why)),
        Err(error) => return Err(crate::service::admin::AdminError::from(error).into()),
    };
    let lists_admin = state
        .client(&claims.client_id)
        .is_some_and(|client| client.resources.iter().any(|r| r.identifier == ADMIN_API));
    if !lists_admin {
        return Err(insufficient(
            "the client no longer lists urn:tessera:admin in its resources",
            needed,
        ));
    }
    Ok(claims.client_id)
}

/// The checks on the claims alone: the audience, a client's own token, the scope.
fn allowed_claims(
    claims: AccessTokenClaims,
    needed: &'static str,
) -> Result<AccessTokenClaims, Problem> {
    if !claims.aud.includes(ADMIN_API) {
        return Err(insufficient(
            "the token's audience is not urn:tessera:admin",
            needed,
        ));
    }
    if !claims.is_client_token() || claims.sub != claims.client_id {
        return Err(insufficient(
            "only a client's own token (client_credentials) is accepted here",
            needed,
        ));
    }
    if !claims.scope.contains(needed) {
        return Err(insufficient(
            &format!("the token does not carry the scope {needed}"),
            needed,
        ));
    }
    Ok(claims)
}
