//! The pages where an emailed link lets its holder choose a password: a reset
//! (`/password/reset`) and an invitation (`/invitation`). As every link page, the token is
//! traded for a cookie first (`emailed_links`); the form's POST uses the link and goes on as a
//! sign-in with the new password, so the second step still comes.
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::continuation::{AccountPage, Next};
use super::cookies::{self, Kind};
use super::email_templates::NewPasswordPage;
use super::emailed_links::{expired, token, trade_token};
use super::messages::policy_refusal;
use super::page_form::{Continues, EXPIRED_RELOAD, PageForm};
use super::sign_in::LoginForm;
use crate::http::error::HttpResult;
use crate::http::html::render;
use crate::http::locale::PageLocale;
use crate::i18n::Locale;
use crate::routes;
use crate::service::emailed::reset::{self, NewPassword, NewPasswords, PasswordLinkKind};
use crate::state::AppState;

/// A page where a link lets its holder choose a password.
struct PasswordPage {
    kind: PasswordLinkKind,
    path: &'static str,
    title: &'static str,
    submit: &'static str,
}

const RESET: PasswordPage = PasswordPage {
    kind: PasswordLinkKind::Reset,
    path: routes::PASSWORD_RESET,
    title: "reset-title",
    submit: "reset-submit",
};

const INVITATION: PasswordPage = PasswordPage {
    kind: PasswordLinkKind::Invitation,
    path: routes::INVITATION,
    title: "invitation-title",
    submit: "invitation-submit",
};

async fn show_password_page(
    state: &AppState,
    locale: Locale,
    jar: CookieJar,
    page: PasswordPage,
    email: Option<String>,
    error: Option<String>,
) -> HttpResult {
    let Some(email) = email else {
        return Ok((jar, expired(state, locale)).into_response());
    };
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let shown = NewPasswordPage {
        brand: state.branding(),
        locale,
        title: locale.text(page.title),
        email,
        action: page.path.to_string(),
        csrf_token,
        submit: locale.text(page.submit),
        error,
        min_length: crate::service::emailed::password_min_length(state),
    };
    let status = match shown.error.is_some() {
        true => StatusCode::UNPROCESSABLE_ENTITY,
        false => StatusCode::OK,
    };
    Ok((jar, render(status, shown, None)).into_response())
}

pub async fn reset_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    password_page(state, locale, jar, raw, RESET).await
}

pub async fn invitation_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    password_page(state, locale, jar, raw, INVITATION).await
}

async fn password_page(
    state: AppState,
    locale: Locale,
    jar: CookieJar,
    raw: Option<String>,
    page: PasswordPage,
) -> HttpResult {
    if let Some(traded) = trade_token(&state, &jar, page.path, raw) {
        return Ok(traded);
    }
    let token = token(&state, &jar);
    let email = reset::email_of(&state, page.kind, token.as_deref(), state.now()).await?;
    show_password_page(&state, locale, jar, page, email, None).await
}

pub async fn reset_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    form: PageForm,
) -> HttpResult {
    password_submit(state, locale, form, RESET).await
}

pub async fn invitation_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    form: PageForm,
) -> HttpResult {
    password_submit(state, locale, form, INVITATION).await
}

async fn password_submit(
    state: AppState,
    locale: Locale,
    form: PageForm,
    page: PasswordPage,
) -> HttpResult {
    let mut form = form
        .open(&state, Continues::To(AccountPage::Overview))
        .await?
        .require_csrf(EXPIRED_RELOAD)?;
    let token = form.cookie(&state, Kind::EmailLink).map(str::to_string);
    let password = Zeroizing::new(form.take("password"));
    let confirmation = Zeroizing::new(form.take("confirmation"));
    let session = form.cookie(&state, Kind::Session).map(str::to_string);
    let now = state.now();
    let passwords = NewPasswords {
        password,
        confirmation,
    };
    let replacing = session.as_deref();
    let outcome = reset::choose_password(
        &state,
        page.kind,
        token.as_deref(),
        passwords,
        replacing,
        now,
    )
    .await?;
    let error = match outcome {
        NewPassword::SignIn(sign_in) => {
            let jar = form
                .jar
                .add(cookies::removal(Kind::EmailLink, state.secure_cookies()));
            let next = Next::Account(AccountPage::Overview);
            let login = LoginForm {
                state: &state,
                next: &next,
                locale,
                email: String::new(),
            };
            return login.answer(jar, Ok(sign_in), now).await;
        }
        NewPassword::Expired => return Ok((form.jar, expired(&state, locale)).into_response()),
        NewPassword::Mismatch => locale.text("new-password-mismatch"),
        NewPassword::Refused(refusal) => policy_refusal(locale, refusal),
    };
    let email = reset::email_of(&state, page.kind, token.as_deref(), now).await?;
    show_password_page(&state, locale, form.jar, page, email, Some(error)).await
}
