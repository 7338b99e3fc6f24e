//! `GET|POST /authorize` and the steps shared with the login and consent pages: validate the
//! request, decide the next step, and finally issue a code (RFC 6749 §4.1.2, RFC 9207 `iss`).
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;

use super::AppError;
use super::browser::{current_session, redirect_uri_with, see_other};
use super::form::page_form;
use super::mfa::begin_second_factor;
use super::pages::error_page;
use crate::auth::session::amr_from_string;
use crate::oauth::acr::amr_has_second_factor;
use crate::oauth::authorize::{
    self, AuthorizationRequest, Decision, RedirectTarget, SessionView, Validation,
};
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::oauth::scope::Scopes;
use crate::oauth::tokens::{generate_secret, hash_secret};
use crate::routes;
use crate::state::AppState;
use crate::store::codes::NewCode;
use crate::store::sessions::SessionRow;

pub async fn authorize_get(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    authorize(&state, &jar, &params)
        .await
        .unwrap_or_else(|e| e.into_response_logged())
}

/// OIDC Core §3.1.2.1: the same parameters may arrive form-encoded in a POST body.
pub async fn authorize_post(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match page_form(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    authorize(&state, &jar, &params)
        .await
        .unwrap_or_else(|e| e.into_response_logged())
}

async fn authorize(
    state: &AppState,
    jar: &CookieJar,
    params: &Params,
) -> Result<Response, AppError> {
    let (request, client) = match validate(state, params) {
        Ok(valid) => valid,
        Err(response) => return Ok(response),
    };
    let session = current_session(state, jar).await?;
    proceed(state, params, &request, client, session.as_ref(), false).await
}

/// Validates an authorization request, or returns the response for an invalid one:
/// an error page while the redirect_uri is not trusted, an error redirect after.
#[allow(clippy::result_large_err)] // the error is the finished response, returned once
pub fn validate<'s>(
    state: &'s AppState,
    params: &Params,
) -> Result<(AuthorizationRequest, &'s Client), Response> {
    match authorize::validate(params, |id| state.client(id)) {
        Validation::Valid(request, client) => Ok((request, client)),
        Validation::ErrorPage(reason) => Err(error_page(
            StatusCode::BAD_REQUEST,
            "Invalid sign-in request",
            reason.message(),
        )),
        Validation::ErrorRedirect(target, error) => Err(error_redirect(state, &target, &error)),
    }
}

/// Sends an error to the client's (verified) redirect_uri (RFC 6749 §4.1.2.1).
pub fn error_redirect(state: &AppState, target: &RedirectTarget, error: &OAuthError) -> Response {
    let mut pairs = vec![
        ("error", error.code.as_str()),
        ("error_description", error.description.as_ref()),
    ];
    if let Some(state_param) = &target.state {
        pairs.push(("state", state_param));
    }
    pairs.push(("iss", state.issuer()));
    see_other(&redirect_uri_with(&target.redirect_uri, &pairs))
}

pub fn target_of(request: &AuthorizationRequest) -> RedirectTarget {
    RedirectTarget {
        redirect_uri: request.redirect_uri.clone(),
        state: request.state.clone(),
    }
}

/// Takes the request to its next step: the login page, the TOTP step, enrolment in two-step
/// verification, the consent page, or the client.
pub async fn proceed(
    state: &AppState,
    params: &Params,
    request: &AuthorizationRequest,
    client: &Client,
    session: Option<&SessionRow>,
    fresh_login: bool,
) -> Result<Response, AppError> {
    let consented = match session {
        Some(s) => state
            .store()
            .find_consent(&s.user_id, &client.id)
            .await?
            .and_then(|scope| Scopes::parse(&scope)),
        None => None,
    };
    let view = match session {
        Some(s) => Some(session_view(state, s).await?),
        None => None,
    };
    let decision = authorize::decide(
        request,
        client,
        view.as_ref(),
        consented.as_ref(),
        fresh_login,
        state.now(),
    );
    follow(state, params, request, decision, session, fresh_login).await
}

/// What the protocol core needs to know of a session: when and how it authenticated, and
/// whether its user has a confirmed authenticator.
pub async fn session_view(state: &AppState, session: &SessionRow) -> Result<SessionView, AppError> {
    let amr = amr_from_string(&session.amr);
    // A session that passed the second factor needs no step-up whatever the enrolment says
    // (see `step_up`), so the lookup is spared on every sign-in of an MFA user.
    let mfa_enrolled =
        amr_has_second_factor(&amr) || state.store().totp_enabled(&session.user_id).await?;
    Ok(SessionView {
        auth_time: session.auth_time,
        amr,
        mfa_enrolled,
    })
}

/// Carries out a decision.
pub async fn follow(
    state: &AppState,
    params: &Params,
    request: &AuthorizationRequest,
    decision: Decision,
    session: Option<&SessionRow>,
    fresh_login: bool,
) -> Result<Response, AppError> {
    let to = |path: &str| see_other(&format!("{path}?{}", params.to_query()));
    // A sign-in made just now satisfied prompt=login / max_age; later steps check them
    // again, so the request goes on without them.
    let carried = if fresh_login {
        authorize::after_fresh_login(params)
    } else {
        params.clone()
    };
    let onward = |path: &str| see_other(&format!("{path}?{}", carried.to_query()));
    match (decision, session) {
        (Decision::Login, _)
        | (Decision::Issue | Decision::Consent | Decision::Mfa | Decision::Enrol, None) => {
            Ok(to(routes::LOGIN))
        }
        // Step-up: the password-only session is replaced once the code passes.
        (Decision::Mfa, Some(session)) => {
            begin_second_factor(
                state,
                CookieJar::new(),
                &session.user_id,
                Some(&session.id_hash),
                &carried,
            )
            .await
        }
        (Decision::Enrol, Some(_)) => Ok(onward(routes::ACCOUNT_MFA)),
        (Decision::Consent, Some(_)) => Ok(onward(routes::CONSENT)),
        (Decision::Issue, Some(session)) => issue_code(state, request, session).await,
        (Decision::ErrorRedirect(error), _) => {
            Ok(error_redirect(state, &target_of(request), &error))
        }
    }
}

/// Stores a new single-use code bound to the client, redirect_uri, PKCE challenge, nonce,
/// scopes and session, and sends the browser back to the client with it.
pub async fn issue_code(
    state: &AppState,
    request: &AuthorizationRequest,
    session: &SessionRow,
) -> Result<Response, AppError> {
    let now = state.now();
    let code = generate_secret();
    let code_hash = hash_secret(&code);
    let scope = request.scope.to_string();
    let amr = amr_from_string(&session.amr).join(" ");
    state
        .store()
        .insert_code(&NewCode {
            code_hash: &code_hash,
            client_id: &request.client_id,
            user_id: &session.user_id,
            session_id_hash: &session.id_hash,
            redirect_uri: &request.redirect_uri,
            scope: &scope,
            nonce: request.nonce.as_deref(),
            code_challenge: &request.code_challenge,
            auth_time: session.auth_time,
            amr: &amr,
            created_at: now,
            expires_at: now + state.config().authorization_code_ttl,
        })
        .await?;
    let mut pairs = vec![("code", code.as_str())];
    if let Some(state_param) = &request.state {
        pairs.push(("state", state_param));
    }
    pairs.push(("iss", state.issuer()));
    Ok(see_other(&redirect_uri_with(&request.redirect_uri, &pairs)))
}

impl AppError {
    pub(crate) fn into_response_logged(self) -> Response {
        axum::response::IntoResponse::into_response(self)
    }
}
