//! The account's address (`/account/email`): whether it is confirmed, sending the
//! confirmation link again, and changing it (a link to the new address confirms the change;
//! the old one is told). What each does is `service::emailed`.
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::continuation::{AccountPage, Next};
use super::cookies;
use super::email_templates::AccountEmailPage;
use super::page_form::{Continues, EXPIRED_RELOAD, PageForm, signed_in};
use crate::http::error::HttpResult;
use crate::http::html::render;
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::Locale;
use crate::routes;
use crate::service::emailed::email_change::{self, ChangeAsked};
use crate::service::emailed::verification::{self, Sent};
use crate::service::signed_in::SignedIn;
use crate::state::AppState;

const HERE: Next<'static> = Next::Account(AccountPage::Email);

/// What the page says after a change it redirected from (a fixed list).
#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn said(done: &str) -> Option<Result<&'static str, &'static str>> {
    Some(match done {
        "verification" => Ok("account-email-verification-sent"),
        "change" => Ok("account-email-change-sent"),
        "verified" => Ok("account-email-already-verified"),
        "toomany" => Err("account-email-too-many"),
        _ => return None,
    })
}

pub async fn email_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    Query(done): Query<Done>,
    jar: CookieJar,
) -> HttpResult {
    let current = signed_in(&state, &jar, &HERE).await?;
    let said = done.done.as_deref().and_then(said);
    show(&state, locale, &current, jar, said, StatusCode::OK)
}

pub async fn send_verification(State(state): State<AppState>, form: PageForm) -> HttpResult {
    let form = form
        .open(&state, Continues::To(AccountPage::Email))
        .await?
        .require_csrf(EXPIRED_RELOAD)?;
    let current = form.signed_in(&state).await?;
    let word = match verification::send_to_signed_in(&state, &current, state.now()).await? {
        Sent::Sent => "verification",
        Sent::AlreadyVerified => "verified",
        Sent::TooMany => "toomany",
    };
    Ok(done(word))
}

pub async fn change(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    form: PageForm,
) -> HttpResult {
    let form = form
        .open(&state, Continues::To(AccountPage::Email))
        .await?
        .require_csrf(EXPIRED_RELOAD)?;
    let current = form.signed_in(&state).await?;
    let new_email = form.get("email");
    let error = match email_change::ask(&state, &current, new_email, state.now()).await? {
        ChangeAsked::Sent => return Ok(done("change")),
        ChangeAsked::SignInAgain => "account-email-sign-in-again",
        ChangeAsked::InvalidEmail => "sign-up-invalid-email",
        ChangeAsked::Same => "account-email-same",
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    show(&state, locale, &current, form.jar, Some(Err(error)), status)
}

fn done(word: &str) -> axum::response::Response {
    see_other(&format!("{}?done={word}", routes::ACCOUNT_EMAIL))
}

fn show(
    state: &AppState,
    locale: Locale,
    current: &SignedIn,
    jar: CookieJar,
    said: Option<Result<&'static str, &'static str>>,
    status: StatusCode,
) -> HttpResult {
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = AccountEmailPage {
        brand: state.branding(),
        locale,
        email: current.email().to_string(),
        verified: current.email_verified(),
        csrf_token,
        notice: said.and_then(Result::ok).map(|id| locale.text(id)),
        error: said.and_then(Result::err).map(|id| locale.text(id)),
    };
    Ok((jar, render(status, page, None)).into_response())
}
