//! Open sign-up (`/signup`, `registration = "open"`): email, name, password, then "check your
//! email" — the same answer for an address that already has an account. The account is made
//! when the mailed link is used (`emailed_links`). Closed or by invitation: 404.
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::continuation::AccountPage;
use super::cookies;
use super::email_templates::{NoticePage, SignUpPage};
use super::messages::{policy_refusal, throttled_message, with_retry_after};
use super::page_form::{Continues, PageForm};
use crate::http::client_ip::ClientIp;
use crate::http::error::{HttpError, HttpResult};
use crate::http::html::render;
use crate::http::locale::PageLocale;
use crate::i18n::{Locale, Message};
use crate::routes;
use crate::service;
use crate::service::emailed::sign_up::{self, SignUpAnswer, SignUpForm};
use crate::state::AppState;

pub async fn sign_up_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
) -> HttpResult {
    if !sign_up::is_open(&state) {
        return Err(not_open());
    }
    show(&state, locale, jar, Typed::default(), None, StatusCode::OK)
}

pub async fn sign_up_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    form: PageForm,
) -> HttpResult {
    if !sign_up::is_open(&state) {
        return Err(not_open());
    }
    let mut form = form
        .open(&state, Continues::To(AccountPage::Overview))
        .await?;
    let typed = Typed {
        email: form.get("email").trim().to_string(),
        name: form.get("name").trim().to_string(),
    };
    if !form.csrf_ok {
        let error = Some(locale.text("error-form-expired-reload"));
        return show(
            &state,
            locale,
            form.jar,
            typed,
            error,
            StatusCode::FORBIDDEN,
        );
    }
    let asked = SignUpForm {
        email: typed.email.clone(),
        name: typed.name.clone(),
        password: Zeroizing::new(form.take("password")),
        confirmation: Zeroizing::new(form.take("confirmation")),
        locale,
    };
    let error = match sign_up::ask(&state, asked, ip, state.now()).await {
        Ok(SignUpAnswer::CheckYourEmail) => {
            let page = NoticePage {
                brand: state.branding(),
                locale,
                title: locale.text("sign-up-sent-title"),
                message: locale.text("sign-up-sent"),
                link: None,
            };
            return Ok((form.jar, render(StatusCode::OK, page, None)).into_response());
        }
        Ok(SignUpAnswer::Closed) => return Err(not_open()),
        Ok(SignUpAnswer::InvalidEmail) => locale.text("sign-up-invalid-email"),
        Ok(SignUpAnswer::DomainNotAllowed) => locale.text("sign-up-domain-not-allowed"),
        Ok(SignUpAnswer::Mismatch) => locale.text("new-password-mismatch"),
        Ok(SignUpAnswer::Refused(refusal)) => policy_refusal(locale, refusal),
        Err(service::Error::Throttled { retry_after }) => {
            let error = Some(throttled_message(locale, retry_after));
            let status = StatusCode::TOO_MANY_REQUESTS;
            let page = show(&state, locale, form.jar, typed, error, status)?;
            return Ok(with_retry_after(page, retry_after));
        }
        Err(e) => return Err(e.into()),
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    show(&state, locale, form.jar, typed, Some(error), status)
}

/// What the form is shown again with (never the password).
#[derive(Default)]
struct Typed {
    email: String,
    name: String,
}

fn show(
    state: &AppState,
    locale: Locale,
    jar: CookieJar,
    typed: Typed,
    error: Option<String>,
    status: StatusCode,
) -> HttpResult {
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = SignUpPage {
        brand: state.branding(),
        locale,
        action: routes::SIGN_UP.to_string(),
        csrf_token,
        email: typed.email,
        name: typed.name,
        error,
        min_length: service::emailed::password_min_length(state),
    };
    Ok((jar, render(status, page, None)).into_response())
}

fn not_open() -> HttpError {
    HttpError::page(
        StatusCode::NOT_FOUND,
        "error-not-found-title",
        Message::new("error-not-found"),
    )
}
