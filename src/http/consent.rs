//! The consent page (OIDC Core §3.1.2.4). Approval is remembered per user and client and
//! asked again only for scopes not yet approved, or when the client sends prompt=consent.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use super::AppError;
use super::authorize::{error_redirect, follow, issue_code, session_view, target_of, validate};
use super::browser::{csrf_ok, csrf_token, current_session, see_other};
use super::form::page_form;
use super::pages::{ConsentPage, describe_scope, error_page, render};
use crate::auth::csrf;
use crate::oauth::authorize::{AuthorizationRequest, authentication_satisfied};
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::params::Params;
use crate::oauth::scope::Scopes;
use crate::oauth::step_up::second_factor_step;
use crate::routes;
use crate::state::AppState;
use crate::store::sessions::SessionRow;

pub async fn consent_page(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let (request, client) = match validate(&state, &params) {
        Ok(valid) => valid,
        Err(response) => return response,
    };
    let session = match signed_in_for(&state, &jar, &request).await {
        Ok(Some(session)) => session,
        Ok(None) => return see_other(&format!("{}?{}", routes::LOGIN, params.to_query())),
        Err(e) => return e.into_response(),
    };
    let user_email = match state.store().find_user(&session.user_id).await {
        Ok(Some(user)) => user.email,
        Ok(None) => return see_other(&format!("{}?{}", routes::LOGIN, params.to_query())),
        Err(e) => return AppError::from(e).into_response(),
    };
    let (jar, csrf_token) = csrf_token(jar, state.secure_cookies());
    let page = ConsentPage {
        client_name: client.name.clone(),
        user_email,
        scopes: request.scope.iter().filter_map(describe_scope).collect(),
        action: format!("{}?{}", routes::CONSENT, params.to_query()),
        csrf_token,
    };
    (
        jar,
        render(StatusCode::OK, page, Some(&request.redirect_uri)),
    )
        .into_response()
}

pub async fn consent_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let (request, client) = match validate(&state, &params) {
        Ok(valid) => valid,
        Err(response) => return response,
    };
    let form = match page_form(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    if !csrf_ok(&jar, state.secure_cookies(), form.get(csrf::FIELD)) {
        return error_page(
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form has expired. Go back to the application and sign in again.",
        );
    }
    let result: Result<Response, AppError> = async {
        let Some(session) = signed_in_for(&state, &jar, &request).await? else {
            return Ok(see_other(&format!(
                "{}?{}",
                routes::LOGIN,
                params.to_query()
            )));
        };
        match form.get("decision") {
            Some("allow") => {
                // The consent form is reachable directly: the second factor is checked again
                // here, or a password-only session could skip it.
                let view = session_view(&state, &session).await?;
                if let Some(step) = second_factor_step(&request, client, &view) {
                    return follow(&state, &params, &request, step, Some(&session), false).await;
                }
                let store = state.store();
                let previous = store
                    .find_consent(&session.user_id, &client.id)
                    .await?
                    .and_then(|s| Scopes::parse(&s))
                    .unwrap_or_default();
                let approved = previous.union(&request.scope);
                store
                    .save_consent(
                        &session.user_id,
                        &client.id,
                        &approved.to_string(),
                        state.now(),
                    )
                    .await?;
                issue_code(&state, &request, &session).await
            }
            Some("deny") => Ok(error_redirect(
                &state,
                &target_of(&request),
                &OAuthError::new(ErrorCode::AccessDenied, "the user denied the request"),
            )),
            _ => Ok(error_page(
                StatusCode::BAD_REQUEST,
                "Invalid form",
                "Choose Allow or Deny.",
            )),
        }
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// The browser's session, if it meets the request's `prompt=login` / `max_age` demands; the
/// consent step must not become a way around them.
async fn signed_in_for(
    state: &AppState,
    jar: &CookieJar,
    request: &AuthorizationRequest,
) -> Result<Option<SessionRow>, AppError> {
    let session = current_session(state, jar).await?;
    Ok(session.filter(|s| authentication_satisfied(request, s.auth_time, false, state.now())))
}
