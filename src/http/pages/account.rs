//! The account page (`/account`): the user's sessions and the apps they allowed, with a way
//! to end any session or withdraw an app's access. What it does is `service::account`.
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;

use super::continuation::{AccountPage, Next};
use super::cookies::{self, Kind};
use super::page_form::{Continues, EXPIRED_RELOAD, PageForm, signed_in};
use super::templates::AccountPage as Page;
use crate::http::error::HttpResult;
use crate::http::html::render;
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::routes;
use crate::service::account;
use crate::state::AppState;

const HERE: Next<'static> = Next::Account(AccountPage::Overview);

pub async fn account_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
) -> HttpResult {
    let now = state.now();
    let current = signed_in(&state, &jar, &HERE).await?;
    let overview = account::overview(&state, &current, now).await?;
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = Page {
        brand: state.branding(),
        locale,
        overview,
        now,
        csrf_token,
        upstreams_configured: !state.upstreams().buttons().is_empty(),
    };
    Ok((jar, render(StatusCode::OK, page, None)).into_response())
}

pub async fn end_session(State(state): State<AppState>, form: PageForm) -> HttpResult {
    let form = form
        .open(&state, Continues::To(AccountPage::Overview))
        .await?
        .require_csrf(EXPIRED_RELOAD)?;
    let current = form.signed_in(&state).await?;
    let handle = form.get("session");
    if account::end_session(&state, &current, handle, state.now()).await? {
        let jar = form
            .jar
            .add(cookies::removal(Kind::Session, state.secure_cookies()));
        return Ok((jar, see_other(routes::LOGIN)).into_response());
    }
    Ok(see_other(routes::ACCOUNT))
}

pub async fn withdraw_consent(State(state): State<AppState>, form: PageForm) -> HttpResult {
    let form = form
        .open(&state, Continues::To(AccountPage::Overview))
        .await?
        .require_csrf(EXPIRED_RELOAD)?;
    let current = form.signed_in(&state).await?;
    let client_id = form.get("client_id");
    account::withdraw_consent(&state, &current, client_id, state.now()).await?;
    Ok(see_other(routes::ACCOUNT))
}
