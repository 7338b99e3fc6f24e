//! The sign-in's second step (RFC 6238 TOTP, or a recovery code). It works only on a
//! half-done sign-in: the password was checked (or a password-only session is being stepped
//! up), but the browser holds no session that counts until the code passes. Then a brand-new
//! session with amr ["pwd", "otp"] replaces any old one and the authorization request goes on.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::AppError;
use super::browser::{csrf_ok, csrf_token, see_other};
use super::continuation::{Next, continue_signed_in, next_step};
use super::form::page_form;
use super::login::start_session;
use super::mfa::{
    Against, FactorCheck, WRONG_CODE, check_second_factor, current_pending_login, pending_removal,
    throttled_message,
};
use super::pages::{TotpPage, error_page, render};
use crate::auth::csrf;
use crate::oauth::acr::{AMR_OTP, AMR_PASSWORD};
use crate::oauth::params::Params;
use crate::routes;
use crate::state::AppState;
use crate::store::mfa::PendingLogin;

pub async fn totp_page(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let next = match next_step(&state, &params) {
        Ok(next) => next,
        Err(response) => return response,
    };
    match current_pending_login(&state, &jar).await {
        Ok(Some(_)) => totp_form(&state, jar, &params, &next, None, StatusCode::OK),
        Ok(None) => start_over(&params),
        Err(e) => e.into_response(),
    }
}

pub async fn totp_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let next = match next_step(&state, &params) {
        Ok(next) => next,
        Err(response) => return response,
    };
    let mut form = match page_form(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    if !csrf_ok(&jar, state.secure_cookies(), form.get(csrf::FIELD)) {
        let message = "The form expired. Please enter the code again.";
        return totp_form(
            &state,
            jar,
            &params,
            &next,
            Some(message.into()),
            StatusCode::FORBIDDEN,
        );
    }
    let code = Zeroizing::new(form.take("code").unwrap_or_default());
    let result: Result<Response, AppError> = async {
        let Some(pending) = current_pending_login(&state, &jar).await? else {
            return Ok(start_over(&params));
        };
        let page = |error: String, status| {
            totp_form(&state, jar.clone(), &params, &next, Some(error), status)
        };
        match check_second_factor(&state, &pending.user_id, &code, Against::Authenticator).await? {
            FactorCheck::Passed => {
                complete(&state, jar.clone(), &params, &next, pending).await
            }
            FactorCheck::Wrong => Ok(page(WRONG_CODE.into(), StatusCode::OK)),
            FactorCheck::Throttled { minutes } => {
                Ok(page(throttled_message(minutes), StatusCode::TOO_MANY_REQUESTS))
            }
            FactorCheck::Unavailable => Ok(error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Two-step verification unavailable",
                "Codes from your authenticator app cannot be checked right now; a recovery code still works. If this persists, contact the administrator.",
            )),
        }
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// The code passed: end the half-done sign-in (once), replace any old session with a new one
/// that used both factors, and continue the authorization request.
async fn complete(
    state: &AppState,
    jar: CookieJar,
    params: &Params,
    next: &Next<'_>,
    pending: PendingLogin,
) -> Result<Response, AppError> {
    let store = state.store();
    if !store.delete_pending_login(&pending.id_hash).await? {
        return Ok(start_over(params));
    }
    if let Some(replaced) = &pending.replaces_session_hash {
        store.delete_session(replaced).await?;
    }
    let active = store
        .find_user(&pending.user_id)
        .await?
        .is_some_and(|user| !user.disabled);
    if !active {
        return Ok(start_over(params));
    }
    let jar = jar.add(pending_removal(state.secure_cookies()));
    let (jar, session) =
        start_session(state, jar, &pending.user_id, &[AMR_PASSWORD, AMR_OTP]).await?;
    tracing::info!(user_id = %pending.user_id, "signed in with two factors");
    let response = continue_signed_in(state, params, next, &session).await?;
    Ok((jar, response).into_response())
}

/// No half-done sign-in (expired, finished, or never started): back to the password.
fn start_over(params: &Params) -> Response {
    see_other(&format!("{}?{}", routes::LOGIN, params.to_query()))
}

fn totp_form(
    state: &AppState,
    jar: CookieJar,
    params: &Params,
    next: &Next<'_>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let (jar, csrf_token) = csrf_token(jar, state.secure_cookies());
    let page = TotpPage {
        client_name: next.audience(),
        action: next.action(routes::LOGIN_TOTP, params),
        csrf_token,
        error,
    };
    (jar, render(status, page, next.final_redirect())).into_response()
}
