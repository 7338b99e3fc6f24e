//! `/account/delete`: the confirmation page, and deleting the account. The page says what
//! goes and links the data download first; the form asks for the password (or, without one,
//! a recent sign-in) and a ticked box. What deleting does is `service::account_deletion`.
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::account_password::sign_in_again;
use super::continuation::{AccountPage, Next};
use super::cookies::{self, Kind};
use super::messages::{throttled_message, with_retry_after};
use super::page_form::{Continues, EXPIRED_RELOAD, PageForm, signed_in};
use super::templates::{AccountDeletedPage, DeleteAccountPage};
use crate::http::client_ip::ClientIp;
use crate::http::error::HttpResult;
use crate::http::html::render;
use crate::http::locale::PageLocale;
use crate::i18n::Locale;
use crate::service;
use crate::service::account_deletion::{self, Deletion, DeletionRequest};
use crate::service::reauthentication::{self, Reauthentication};
use crate::service::signed_in::SignedIn;
use crate::state::AppState;

const HERE: Next<'static> = Next::Account(AccountPage::Delete);

pub async fn delete_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
) -> HttpResult {
    let current = signed_in(&state, &jar, &HERE).await?;
    Ok(show(&state, locale, &current, jar, None, StatusCode::OK))
}

/// `POST /account/delete`.
pub async fn delete(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    form: PageForm,
) -> HttpResult {
    let continues = Continues::To(AccountPage::Delete);
    let mut form = form
        .open(&state, continues)
        .await?
        .require_csrf(EXPIRED_RELOAD)?;
    let current = form.signed_in(&state).await?;
    let request = DeletionRequest {
        signed_in: &current,
        password: Zeroizing::new(form.take("password")),
        confirmed: form.get("confirm") == "yes",
        ip,
    };
    let outcome = account_deletion::delete_account(&state, request, state.now()).await;
    let jar = form.jar;
    let error = match outcome {
        Ok(Deletion::Deleted { .. }) => {
            let jar = jar.add(cookies::removal(Kind::Session, state.secure_cookies()));
            let page = AccountDeletedPage {
                brand: state.branding(),
                locale,
            };
            return Ok((jar, render(StatusCode::OK, page, None)).into_response());
        }
        Ok(Deletion::NotConfirmed) => "delete-not-confirmed",
        Ok(Deletion::WrongPassword) => "delete-wrong-password",
        Ok(Deletion::SignInAgain) => "delete-needs-sign-in",
        Err(service::Error::Throttled { retry_after }) => {
            let error = Some(throttled_message(locale, retry_after));
            let status = StatusCode::TOO_MANY_REQUESTS;
            let page = show(&state, locale, &current, jar, error, status);
            return Ok(with_retry_after(page, retry_after));
        }
        Err(e) => return Err(e.into()),
    };
    let error = Some(locale.text(error));
    Ok(show(&state, locale, &current, jar, error, StatusCode::OK))
}

fn show(
    state: &AppState,
    locale: Locale,
    current: &SignedIn,
    jar: CookieJar,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let proof = reauthentication::needed(state, current, state.now());
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = DeleteAccountPage {
        brand: state.branding(),
        locale,
        email: current.email().to_string(),
        has_password: proof == Reauthentication::CurrentPassword,
        sign_in_again: sign_in_again(proof, AccountPage::Delete),
        csrf_token,
        error,
    };
    (jar, render(status, page, None)).into_response()
}
