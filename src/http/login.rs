//! The sign-in page (`/login`): the password step. What a sign-in decides is
//! `service::sign_in`; this page only reads the form and shows the outcome.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::client_ip::ClientIp;
use super::continuation::Next;
use super::cookies::{self, Kind};
use super::error::HttpResult;
use super::form::{page_form, query};
use super::pages::{LoginPage, render};
use crate::auth::csrf;
use crate::auth::throttle::minutes;
use crate::routes;
use crate::service::sign_in::{self, SignIn};
use crate::service::{self};
use crate::state::AppState;

const BAD_CREDENTIALS: &str = "The email or password is incorrect.";

pub async fn login_page(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let next = Next::from_params(&state, query(raw))?;
    let email = match &next {
        Next::Authorization { request, .. } => request.login_hint.clone().unwrap_or_default(),
        Next::Account(_) => String::new(),
    };
    Ok(login_form(&state, jar, &next, email, None, StatusCode::OK))
}

pub async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let next = Next::from_params(&state, query(raw))?;
    let mut form = page_form(&headers, &body)?;
    let secure = state.secure_cookies();
    let email = form.get("email").unwrap_or_default().trim().to_string();
    if !cookies::csrf_ok(&jar, secure, form.get(csrf::FIELD)) {
        let expired = Some("The sign-in form expired. Please sign in again.".to_string());
        return Ok(login_form(
            &state,
            jar,
            &next,
            email,
            expired,
            StatusCode::FORBIDDEN,
        ));
    }
    let password = Zeroizing::new(form.take("password").unwrap_or_default());
    let now = state.now();
    let current = cookies::read(&jar, Kind::Session, secure);
    match sign_in::sign_in_with_password(&state, &email, password, ip, current, now).await {
        Ok(SignIn::SignedIn(session)) => {
            let jar = cookies::signed_in(jar, session.cookie_value, secure);
            next.after_sign_in(&state, jar, &session.row, now).await
        }
        Ok(SignIn::SecondFactor(pending)) => {
            let cookie = cookies::cookie(Kind::PendingSignIn, pending.cookie_value, secure);
            let to = super::respond::see_other(&next.action(routes::LOGIN_TOTP));
            Ok((jar.add(cookie), to).into_response())
        }
        Ok(SignIn::Refused) => {
            let error = Some(BAD_CREDENTIALS.to_string());
            Ok(login_form(&state, jar, &next, email, error, StatusCode::OK))
        }
        Err(service::Error::Throttled { retry_after }) => {
            Ok(throttled_form(&state, jar, &next, email, retry_after))
        }
        Err(e) => Err(e.into()),
    }
}

/// Refused before any password work, with the same words whether the account exists.
fn throttled_form(
    state: &AppState,
    jar: CookieJar,
    next: &Next<'_>,
    email: String,
    retry_after: i64,
) -> Response {
    let message = throttled_message(retry_after);
    let status = StatusCode::TOO_MANY_REQUESTS;
    let mut response = login_form(state, jar, next, email, Some(message), status);
    if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The one message every throttled form shows.
pub fn throttled_message(retry_after: i64) -> String {
    let minutes = minutes(retry_after);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("Too many attempts. Try again in {minutes} {unit}.")
}

fn login_form(
    state: &AppState,
    jar: CookieJar,
    next: &Next<'_>,
    email: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = LoginPage {
        client_name: next.audience(),
        action: next.action(routes::LOGIN),
        csrf_token,
        email,
        error,
    };
    (jar, render(status, page, next.final_redirect())).into_response()
}
