//! `GET|POST /logout`: OpenID Connect RP-Initiated Logout 1.0. The browser is sent to
//! `post_logout_redirect_uri` only when it exactly matches one the identified client
//! registered; otherwise the user sees a plain "signed out" page.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde_json::Value;

use super::AppError;
use super::account::end_browser_session;
use super::browser::{csrf_ok, csrf_token, current_session, redirect_uri_with, see_other};
use super::form::page_form;
use super::pages::{LogoutPage, SignedOutPage, error_page, render};
use crate::auth::{csrf, session};
use crate::oauth::client::Client;
use crate::oauth::logout::{LogoutHint, LogoutStep, decide_logout, requesting_client};
use crate::oauth::params::Params;
use crate::state::AppState;

/// Parameters carried through the confirmation page.
const CARRIED: [&str; 4] = [
    "id_token_hint",
    "client_id",
    "post_logout_redirect_uri",
    "state",
];

pub async fn logout_get(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    logout(&state, jar, &params, false).await
}

pub async fn logout_post(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match page_form(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    // Only our own confirmation form (with its CSRF token) counts as the user's confirmation;
    // a relying party may POST the logout request itself (§2), which still needs confirming.
    let confirmed = params.get("confirm") == Some("yes")
        && csrf_ok(&jar, state.secure_cookies(), params.get(csrf::FIELD));
    logout(&state, jar, &params, confirmed).await
}

async fn logout(state: &AppState, jar: CookieJar, params: &Params, confirmed: bool) -> Response {
    if let Some(name) = params.duplicated() {
        return invalid(format!("The parameter {name} was sent more than once."));
    }
    let hint = match params.get("id_token_hint") {
        Some(token) => match verify_hint(state, token) {
            Some(hint) => Some(hint),
            None => return invalid("The id_token_hint was not issued by this server.".into()),
        },
        None => None,
    };
    let client = match requesting_client(hint.as_ref(), params.get("client_id")) {
        Ok(Some(id)) => match state.client(id) {
            Some(client) => Some(client),
            None => return invalid("The application that sent you here is not registered.".into()),
        },
        Ok(None) => None,
        Err(why) => return invalid(why.into()),
    };
    let redirect = params
        .get("post_logout_redirect_uri")
        .filter(|uri| client.is_some_and(|c: &Client| c.post_logout_redirect_registered(uri)));
    if params.get("post_logout_redirect_uri").is_some() && redirect.is_none() {
        tracing::info!("post_logout_redirect_uri not registered for the client: not redirecting");
    }

    let result: Result<Response, AppError> = async {
        let session = current_session(state, &jar).await?;
        let session_sid = session.as_ref().map(|s| session::public_id(&s.id_hash));
        match decide_logout(
            hint.as_ref(),
            session_sid.as_deref(),
            confirmed,
            state.now(),
        ) {
            LogoutStep::Confirm => Ok(confirmation(state, jar, params, client)),
            step => {
                let mut jar = jar;
                if let (LogoutStep::SignOut, Some(session)) = (step, &session) {
                    let revoke_for = client
                        .filter(|c| c.logout_revokes_refresh_tokens)
                        .map(|c| c.id.as_str());
                    end_browser_session(state, &session.id_hash, revoke_for).await?;
                    jar = jar.remove(session::removal_cookie(state.secure_cookies()));
                    tracing::info!(user_id = %session.user_id, "signed out");
                }
                let done = match redirect {
                    Some(uri) => {
                        let pairs: Vec<(&str, &str)> = params
                            .get("state")
                            .map(|s| ("state", s))
                            .into_iter()
                            .collect();
                        see_other(&redirect_uri_with(uri, &pairs))
                    }
                    None => render(StatusCode::OK, SignedOutPage, None),
                };
                Ok((jar, done).into_response())
            }
        }
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

fn invalid(message: String) -> Response {
    error_page(StatusCode::BAD_REQUEST, "Invalid sign-out request", message)
}

/// Our signature and issuer; expiry is deliberately not checked here (see `decide_logout`).
fn verify_hint(state: &AppState, token: &str) -> Option<LogoutHint> {
    let claims = state.keys().verify(token, "JWT").ok()?;
    if claims.get("iss").and_then(Value::as_str) != Some(state.issuer()) {
        return None;
    }
    LogoutHint::from_claims(&claims)
}

fn confirmation(
    state: &AppState,
    jar: CookieJar,
    params: &Params,
    client: Option<&Client>,
) -> Response {
    let (jar, csrf_token) = csrf_token(jar, state.secure_cookies());
    let fields = CARRIED
        .iter()
        .filter_map(|name| params.get(name).map(|value| (*name, value.to_string())))
        .collect();
    let page = LogoutPage {
        client_name: client.map(|c| c.name.clone()),
        csrf_token,
        fields,
    };
    let final_redirect = params
        .get("post_logout_redirect_uri")
        .filter(|uri| client.is_some_and(|c| c.post_logout_redirect_registered(uri)));
    (jar, render(StatusCode::OK, page, final_redirect)).into_response()
}
