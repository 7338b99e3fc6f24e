//! "Forgot password" (`/password/forgot`): one field, and the same answer — "if an account has
//! this address, we sent it a link" — in the same time whether or not one does (the lookup
//! and the mail happen after the answer). The link's page is `emailed_links`.
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;

use super::continuation::AccountPage;
use super::cookies;
use super::email_templates::{EmailFormPage, NoticePage};
use super::messages::{throttled_message, with_retry_after};
use super::page_form::{Continues, PageForm};
use crate::http::client_ip::ClientIp;
use crate::http::error::HttpResult;
use crate::http::html::render;
use crate::http::locale::PageLocale;
use crate::i18n::Locale;
use crate::routes;
use crate::service;
use crate::service::emailed::reset;
use crate::state::AppState;

pub async fn forgot_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
) -> HttpResult {
    show(&state, locale, jar, String::new(), None, StatusCode::OK)
}

pub async fn forgot_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    form: PageForm,
) -> HttpResult {
    let form = form
        .open(&state, Continues::To(AccountPage::Overview))
        .await?;
    let email = form.get("email").trim().to_string();
    if !form.csrf_ok {
        let error = Some(locale.text("error-form-expired-reload"));
        return show(
            &state,
            locale,
            form.jar,
            email,
            error,
            StatusCode::FORBIDDEN,
        );
    }
    match reset::ask(&state, &email, ip, state.now()).await {
        Ok(()) => {}
        Err(service::Error::Throttled { retry_after }) => {
            let error = Some(throttled_message(locale, retry_after));
            let page = show(
                &state,
                locale,
                form.jar,
                email,
                error,
                StatusCode::TOO_MANY_REQUESTS,
            )?;
            return Ok(with_retry_after(page, retry_after));
        }
        Err(e) => return Err(e.into()),
    }
    let page = NoticePage {
        brand: state.branding(),
        locale,
        title: locale.text("forgot-sent-title"),
        message: locale.text("forgot-sent"),
        link: Some((
            routes::LOGIN.to_string(),
            locale.text("link-expired-sign-in"),
        )),
    };
    Ok((form.jar, render(StatusCode::OK, page, None)).into_response())
}

fn show(
    state: &AppState,
    locale: Locale,
    jar: CookieJar,
    email: String,
    error: Option<String>,
    status: StatusCode,
) -> HttpResult {
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = EmailFormPage {
        brand: state.branding(),
        locale,
        title: locale.text("forgot-title"),
        lead: locale.text("forgot-lead"),
        action: routes::PASSWORD_FORGOT.to_string(),
        csrf_token,
        email,
        submit: locale.text("forgot-submit"),
        error,
        back: Some((routes::LOGIN.to_string(), locale.text("forgot-back"))),
    };
    Ok((jar, render(status, page, None)).into_response())
}
