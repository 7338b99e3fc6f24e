//! The sign-in's second step (`/login/totp`): a code from the authenticator app, or a
//! recovery code, or one of the user's passkeys (`/login/totp/passkey`), for the pending
//! sign-in behind the browser's cookie. What it decides is `service::sign_in::second_step`.
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::continuation::{AccountPage, Next};
use super::cookies::{self, Kind};
use super::messages::{WRONG_CODE, throttled_message, with_retry_after};
use super::page_form::{Continues, PageForm};
use super::templates::{PasskeyOffer, SecondStepPage};
use crate::http::error::{HttpError, HttpResult};
use crate::http::form::query;
use crate::http::html::{render, render_with_script};
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::{Locale, Message};
use crate::routes;
use crate::service::sign_in::second_step::{self, SecondStep};
use crate::service::sign_in::{passkey, pending};
use crate::service::{self};
use crate::state::AppState;

pub async fn page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let next = Next::from_params(&state, query(raw)).await?;
    totp_form(&state, jar, &next, locale, None, StatusCode::OK).await
}

pub async fn submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    posted: PageForm,
) -> HttpResult {
    let mut posted = posted
        .open(&state, Continues::FromQuery(AccountPage::Overview))
        .await?;
    let (next, jar) = (&posted.next, posted.jar.clone());
    if !posted.csrf_ok {
        let expired = Some(locale.text("totp-expired"));
        return totp_form(&state, jar, next, locale, expired, StatusCode::FORBIDDEN).await;
    }
    let code = Zeroizing::new(posted.take("code"));
    let pending = posted.cookie(&state, Kind::PendingSignIn);
    let current = posted.cookie(&state, Kind::Session);
    let now = state.now();
    let outcome = second_step::complete_with_code(&state, pending, current, &code, now).await;
    let page = Form {
        state: &state,
        next: &posted.next,
        locale,
        wrong: WRONG_CODE,
    };
    page.answer(posted.jar.clone(), outcome, now).await
}

/// The second step with a passkey: the form the page's script submitted.
pub async fn passkey_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    posted: PageForm,
) -> HttpResult {
    let posted = posted
        .open(&state, Continues::FromQuery(AccountPage::Overview))
        .await?;
    let (next, jar) = (&posted.next, posted.jar.clone());
    if !posted.csrf_ok {
        let expired = Some(locale.text("totp-expired"));
        return totp_form(&state, jar, next, locale, expired, StatusCode::FORBIDDEN).await;
    }
    let (ceremony, credential) = (posted.get("ceremony"), posted.get("credential"));
    let pending = posted.cookie(&state, Kind::PendingSignIn);
    let current = posted.cookie(&state, Kind::Session);
    let now = state.now();
    let outcome =
        second_step::complete_with_passkey(&state, pending, current, ceremony, credential, now)
            .await;
    let page = Form {
        state: &state,
        next,
        locale,
        wrong: "passkey-rejected",
    };
    page.answer(jar, outcome, now).await
}

/// The second step's page for one continuation; `wrong` is the message id a refused
/// factor shows.
struct Form<'a> {
    state: &'a AppState,
    next: &'a Next<'a>,
    locale: Locale,
    wrong: &'static str,
}

impl Form<'_> {
    async fn answer(
        self,
        jar: CookieJar,
        outcome: service::Result<SecondStep>,
        now: i64,
    ) -> HttpResult {
        let Form {
            state,
            next,
            locale,
            wrong,
        } = self;
        let secure = state.secure_cookies();
        match outcome {
            Ok(SecondStep::SignedIn(session)) => {
                let jar = jar.add(cookies::removal(Kind::PendingSignIn, secure));
                let jar = cookies::signed_in(jar, session.cookie_value.clone(), secure);
                next.after_sign_in(state, jar, &session, locale, now).await
            }
            Ok(SecondStep::Wrong) => {
                let error = Some(locale.text(wrong));
                totp_form(state, jar, next, locale, error, StatusCode::OK).await
            }
            Ok(SecondStep::StartOver) => Ok(start_over(next)),
            Ok(SecondStep::Unavailable) => Err(HttpError::page(
                StatusCode::SERVICE_UNAVAILABLE,
                "error-totp-unavailable-title",
                Message::new("error-totp-unavailable"),
            )),
            Err(service::Error::Throttled { retry_after }) => {
                let message = Some(throttled_message(locale, retry_after));
                let status = StatusCode::TOO_MANY_REQUESTS;
                let page = totp_form(state, jar, next, locale, message, status).await?;
                Ok(with_retry_after(page, retry_after))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// No pending sign-in (expired, finished, or never started): back to the password.
fn start_over(next: &Next<'_>) -> Response {
    see_other(&next.action(routes::LOGIN))
}

/// The second step's form: the code when the user has TOTP, and a passkey ceremony when
/// the user has passkeys. Without a pending sign-in (expired, finished, never started): back
/// to the password.
async fn totp_form(
    state: &AppState,
    jar: CookieJar,
    next: &Next<'_>,
    locale: Locale,
    error: Option<String>,
    status: StatusCode,
) -> HttpResult {
    let now = state.now();
    let cookie = cookies::read(&jar, Kind::PendingSignIn, state.secure_cookies());
    let Some(pending) = pending::find(state, cookie, now).await? else {
        return Ok(start_over(next));
    };
    let totp = pending::code_accepted(state, &pending).await?;
    let ceremony = passkey::begin_second_step(state, &pending, now).await?;
    let action = next.action(routes::SECOND_STEP_PASSKEY);
    let passkey = ceremony.map(|c| PasskeyOffer::new(c, action));
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let with_script = passkey.is_some();
    let page = SecondStepPage {
        brand: state.branding(),
        locale,
        client_name: next.audience(),
        action: next.action(routes::SECOND_STEP),
        csrf_token,
        error,
        totp,
        passkey,
    };
    let page = match with_script {
        true => render_with_script(status, page, next.final_redirect()),
        false => render(status, page, next.final_redirect()),
    };
    Ok((jar, page).into_response())
}
