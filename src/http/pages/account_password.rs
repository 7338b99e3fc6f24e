//! `/account/password`: change the password (the current one typed again), or set a first
//! one on an account made by an upstream sign-in (after a recent sign-in). What a change does
//! is `service::password_change`; this reads the form and says how it went.
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::continuation::{AccountPage, Next};
use super::cookies;
use super::messages::{policy_refusal, throttled_message, with_retry_after};
use super::page_form::{Continues, EXPIRED_RELOAD, PageForm, signed_in};
use super::templates::PasswordPage;
use crate::http::client_ip::ClientIp;
use crate::http::error::HttpResult;
use crate::http::html::render;
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::Locale;
use crate::routes;
use crate::service;
use crate::service::password_change::{self, PasswordChange, PasswordChangeRequest};
use crate::service::reauthentication::{self, Reauthentication};
use crate::service::signed_in::SignedIn;
use crate::state::AppState;

const HERE: Next<'static> = Next::Account(AccountPage::Password);

/// `?done=changed` after a change: the only word the query may carry to the page.
#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn password_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    Query(done): Query<Done>,
    jar: CookieJar,
) -> HttpResult {
    let current = signed_in(&state, &jar, &HERE).await?;
    let notice = (done.done.as_deref() == Some("changed")).then(|| locale.text("password-changed"));
    Ok(show(
        &state,
        locale,
        &current,
        jar,
        Said {
            notice,
            error: None,
        },
        StatusCode::OK,
    ))
}

/// `POST /account/password`.
pub async fn change(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    form: PageForm,
) -> HttpResult {
    let continues = Continues::To(AccountPage::Password);
    let mut form = form
        .open(&state, continues)
        .await?
        .require_csrf(EXPIRED_RELOAD)?;
    let current = form.signed_in(&state).await?;
    let request = PasswordChangeRequest {
        signed_in: &current,
        current_password: Zeroizing::new(form.take("current_password")),
        new_password: Zeroizing::new(form.take("new_password")),
        new_password_again: Zeroizing::new(form.take("new_password_again")),
        ip,
    };
    let outcome = password_change::change_password(&state, request, state.now()).await;
    let jar = form.jar;
    let error = match outcome {
        Ok(PasswordChange::Changed(changed)) => {
            // This browser goes on in the fresh session; every other one has ended.
            let jar = cookies::signed_in(jar, changed.session.cookie_value, state.secure_cookies());
            let done = format!("{}?done=changed", routes::ACCOUNT_PASSWORD);
            return Ok((jar, see_other(&done)).into_response());
        }
        Ok(PasswordChange::NotTheSame) => locale.text("password-not-the-same"),
        Ok(PasswordChange::Refused(refusal)) => policy_refusal(locale, refusal),
        Ok(PasswordChange::WrongPassword) => locale.text("password-wrong-current"),
        // The page itself now offers the sign-in.
        Ok(PasswordChange::SignInAgain) => locale.text("password-first-needs-sign-in"),
        Err(service::Error::Throttled { retry_after }) => {
            let error = Some(throttled_message(locale, retry_after));
            let said = Said {
                notice: None,
                error,
            };
            let page = show(
                &state,
                locale,
                &current,
                jar,
                said,
                StatusCode::TOO_MANY_REQUESTS,
            );
            return Ok(with_retry_after(page, retry_after));
        }
        Err(e) => return Err(e.into()),
    };
    let said = Said {
        notice: None,
        error: Some(error),
    };
    Ok(show(&state, locale, &current, jar, said, StatusCode::OK))
}

/// What the page says above its form.
struct Said {
    notice: Option<String>,
    error: Option<String>,
}

fn show(
    state: &AppState,
    locale: Locale,
    current: &SignedIn,
    jar: CookieJar,
    said: Said,
    status: StatusCode,
) -> axum::response::Response {
    let proof = reauthentication::needed(state, current, state.now());
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = PasswordPage {
        brand: state.branding(),
        locale,
        email: current.email().to_string(),
        has_password: proof == Reauthentication::CurrentPassword,
        sign_in_again: sign_in_again(proof, AccountPage::Password),
        min_length: state.config().password_min_length,
        csrf_token,
        notice: said.notice,
        error: said.error,
    };
    (jar, render(status, page, None)).into_response()
}

/// The sign-in that comes back to `page`, when the account must sign in again first.
pub(super) fn sign_in_again(proof: Reauthentication, page: AccountPage) -> Option<String> {
    (proof == Reauthentication::SignInAgain).then(|| Next::Account(page).action(routes::LOGIN))
}
