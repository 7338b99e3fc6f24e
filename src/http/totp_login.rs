//! The sign-in's second step (`/login/totp`): a code from the authenticator app, or a
//! recovery code, for the pending sign-in behind the browser's cookie. What it decides is
//! `service::second_factor::complete`.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::continuation::Next;
use super::cookies::{self, Kind};
use super::error::{HttpError, HttpResult};
use super::form::{page_form, query};
use super::login::{throttled_message, with_retry_after};
use super::pages::{TotpPage, render};
use super::respond::see_other;
use crate::auth::csrf;
use crate::routes;
use crate::service::second_factor::{self, Completion};
use crate::service::{self};
use crate::state::AppState;

pub const WRONG_CODE: &str =
    "That code is not valid. A code works only once: if you just used one, wait for the next.";
const EXPIRED: &str = "The form expired. Please enter the code again.";

pub async fn totp_page(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let next = Next::from_params(&state, query(raw))?;
    let cookie = cookies::read(&jar, Kind::PendingSignIn, state.secure_cookies());
    match second_factor::pending(&state, cookie, state.now()).await? {
        Some(_) => Ok(totp_form(&state, jar, &next, None, StatusCode::OK)),
        None => Ok(start_over(&next)),
    }
}

pub async fn totp_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let next = Next::from_params(&state, query(raw))?;
    let mut form = page_form(&headers, &body)?;
    let secure = state.secure_cookies();
    if !cookies::csrf_ok(&jar, secure, form.get(csrf::FIELD)) {
        let expired = Some(EXPIRED.to_string());
        return Ok(totp_form(
            &state,
            jar,
            &next,
            expired,
            StatusCode::FORBIDDEN,
        ));
    }
    let code = Zeroizing::new(form.take("code").unwrap_or_default());
    let pending = cookies::read(&jar, Kind::PendingSignIn, secure);
    let current = cookies::read(&jar, Kind::Session, secure);
    let now = state.now();
    let outcome = second_factor::complete(&state, pending, current, &code, now).await;
    answer(&state, jar, &next, outcome, now).await
}

async fn answer(
    state: &AppState,
    jar: CookieJar,
    next: &Next<'_>,
    outcome: service::Result<Completion>,
    now: i64,
) -> HttpResult {
    let secure = state.secure_cookies();
    match outcome {
        Ok(Completion::SignedIn(session)) => {
            let jar = jar.add(cookies::removal(Kind::PendingSignIn, secure));
            let jar = cookies::signed_in(jar, session.cookie_value, secure);
            next.after_sign_in(state, jar, &session.row, now).await
        }
        Ok(Completion::Wrong) => Ok(totp_form(
            state,
            jar,
            next,
            Some(WRONG_CODE.into()),
            StatusCode::OK,
        )),
        Ok(Completion::StartOver) => Ok(start_over(next)),
        Ok(Completion::Unavailable) => Err(HttpError::page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Two-step verification unavailable",
            "Codes from your authenticator app cannot be checked right now; a recovery code still works. If this persists, contact the administrator.",
        )),
        Err(service::Error::Throttled { retry_after }) => {
            let message = Some(throttled_message(retry_after));
            let page = totp_form(state, jar, next, message, StatusCode::TOO_MANY_REQUESTS);
            Ok(with_retry_after(page, retry_after))
        }
        Err(e) => Err(e.into()),
    }
}

/// No pending sign-in (expired, finished, or never started): back to the password.
fn start_over(next: &Next<'_>) -> Response {
    see_other(&next.action(routes::LOGIN))
}

fn totp_form(
    state: &AppState,
    jar: CookieJar,
    next: &Next<'_>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = TotpPage {
        brand: state.branding(),
        client_name: next.audience(),
        action: next.action(routes::LOGIN_TOTP),
        csrf_token,
        error,
    };
    (jar, render(status, page, next.final_redirect())).into_response()
}
