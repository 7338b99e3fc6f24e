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
use super::locale::PageLocale;
use super::login::{throttled_message, with_retry_after};
use super::pages::{TotpPage, render};
use super::respond::see_other;
use crate::auth::csrf;
use crate::i18n::{Locale, Message};
use crate::routes;
use crate::service::second_factor::{self, Completion};
use crate::service::{self};
use crate::state::AppState;

/// The words for a wrong code, here and on the account's two-step verification page.
pub const WRONG_CODE: &str = "totp-wrong-code";

pub async fn totp_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let next = Next::from_params(&state, query(raw))?;
    let cookie = cookies::read(&jar, Kind::PendingSignIn, state.secure_cookies());
    match second_factor::pending(&state, cookie, state.now()).await? {
        Some(_) => Ok(totp_form(&state, jar, &next, locale, None, StatusCode::OK)),
        None => Ok(start_over(&next)),
    }
}

pub async fn totp_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let next = Next::from_params(&state, query(raw))?;
    let mut form = page_form(&headers, &body)?;
    let secure = state.secure_cookies();
    if !cookies::csrf_ok(&jar, secure, form.get(csrf::FIELD)) {
        let expired = Some(locale.text("totp-expired"));
        return Ok(totp_form(
            &state,
            jar,
            &next,
            locale,
            expired,
            StatusCode::FORBIDDEN,
        ));
    }
    let code = Zeroizing::new(form.take("code").unwrap_or_default());
    let pending = cookies::read(&jar, Kind::PendingSignIn, secure);
    let current = cookies::read(&jar, Kind::Session, secure);
    let now = state.now();
    let outcome = second_factor::complete(&state, pending, current, &code, now).await;
    answer(&state, jar, &next, locale, outcome, now).await
}

async fn answer(
    state: &AppState,
    jar: CookieJar,
    next: &Next<'_>,
    locale: Locale,
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
            locale,
            Some(locale.text(WRONG_CODE)),
            StatusCode::OK,
        )),
        Ok(Completion::StartOver) => Ok(start_over(next)),
        Ok(Completion::Unavailable) => Err(HttpError::page(
            StatusCode::SERVICE_UNAVAILABLE,
            "error-totp-unavailable-title",
            Message::new("error-totp-unavailable"),
        )),
        Err(service::Error::Throttled { retry_after }) => {
            let message = Some(throttled_message(locale, retry_after));
            let status = StatusCode::TOO_MANY_REQUESTS;
            let page = totp_form(state, jar, next, locale, message, status);
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
    locale: Locale,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = TotpPage {
        brand: state.branding(),
        locale,
        client_name: next.audience(),
        action: next.action(routes::LOGIN_TOTP),
        csrf_token,
        error,
    };
    (jar, render(status, page, next.final_redirect())).into_response()
}
