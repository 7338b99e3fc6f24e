//! The account page (`/account`): the user's sessions and the apps they allowed, with a way
//! to end any session or withdraw an app's access. What it does is `service::account`.
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;

use super::continuation::AccountPage;
use super::cookies::{self, Kind};
use super::templates::AccountPage as Page;
use crate::auth::csrf;
use crate::http::error::{HttpError, HttpResult};
use crate::http::form::page_form;
use crate::http::html::render;
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::Message;
use crate::oauth::params::Params;
use crate::routes;
use crate::service::account;
use crate::service::sessions;
use crate::state::AppState;
use crate::store::sessions::SessionRow;
use crate::store::users::UserRow;

pub async fn account_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
) -> HttpResult {
    let now = state.now();
    let current = signed_in(&state, &jar, AccountPage::Overview).await?;
    let Some(overview) = account::overview(&state, &current, now).await? else {
        return Err(AccountPage::Overview.sign_in());
    };
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = Page {
        brand: state.branding(),
        locale,
        overview,
        now,
        csrf_token,
    };
    Ok((jar, render(StatusCode::OK, page, None)).into_response())
}

pub async fn end_session(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let (current, form) =
        signed_in_form(&state, &jar, &headers, &body, AccountPage::Overview).await?;
    let handle = form.get("session").unwrap_or_default();
    if account::end_session(&state, &current, handle, state.now()).await? {
        let jar = jar.add(cookies::removal(Kind::Session, state.secure_cookies()));
        return Ok((jar, see_other(routes::LOGIN)).into_response());
    }
    Ok(see_other(routes::ACCOUNT))
}

pub async fn withdraw_consent(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let (current, form) =
        signed_in_form(&state, &jar, &headers, &body, AccountPage::Overview).await?;
    let client_id = form.get("client_id").unwrap_or_default();
    account::withdraw_consent(&state, &current, client_id, state.now()).await?;
    Ok(see_other(routes::ACCOUNT))
}

/// The browser's session, or the sign-in that comes back to `page`.
pub(super) async fn signed_in(
    state: &AppState,
    jar: &CookieJar,
    page: AccountPage,
) -> Result<SessionRow, HttpError> {
    let cookie = cookies::read(jar, Kind::Session, state.secure_cookies());
    sessions::current(state, cookie, state.now())
        .await?
        .ok_or_else(|| page.sign_in())
}

/// The browser's session and its user (one query), or the sign-in that comes back to `page`.
pub(super) async fn signed_in_user(
    state: &AppState,
    jar: &CookieJar,
    page: AccountPage,
) -> Result<(SessionRow, UserRow), HttpError> {
    let cookie = cookies::read(jar, Kind::Session, state.secure_cookies());
    sessions::current_with_user(state, cookie, state.now())
        .await?
        .ok_or_else(|| page.sign_in())
}

/// An account page's posted form, with its CSRF token checked.
pub(super) fn checked_form(
    state: &AppState,
    jar: &CookieJar,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Params, HttpError> {
    let form = page_form(headers, body)?;
    if !cookies::csrf_ok(jar, state.secure_cookies(), form.get(csrf::FIELD)) {
        return Err(HttpError::page(
            StatusCode::FORBIDDEN,
            "error-form-expired-title",
            Message::new("error-form-expired-reload"),
        ));
    }
    Ok(form)
}

/// What every account form needs: a form body, its CSRF token, and a signed-in session.
pub(super) async fn signed_in_form(
    state: &AppState,
    jar: &CookieJar,
    headers: &HeaderMap,
    body: &[u8],
    page: AccountPage,
) -> Result<(SessionRow, Params), HttpError> {
    let form = checked_form(state, jar, headers, body)?;
    Ok((signed_in(state, jar, page).await?, form))
}
