//! The sign-in page (`/login`): the password step. What a sign-in decides is
//! `service::sign_in`; this page only reads the form and shows the outcome.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::client_ip::ClientIp;
use super::continuation::Next;
use super::cookies::{self, Kind};
use super::error::HttpResult;
use super::form::{page_form, query};
use super::locale::PageLocale;
use super::pages::{LoginPage, render};
use super::respond::see_other;
use crate::auth::csrf;
use crate::auth::throttle::minutes;
use crate::i18n::{Arg, Locale};
use crate::routes;
use crate::service::sign_in::{self, SignIn};
use crate::service::{self};
use crate::state::AppState;

pub async fn login_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let next = Next::from_params(&state, query(raw))?;
    let email = match &next {
        Next::Authorization { request, .. } => request.login_hint.clone().unwrap_or_default(),
        Next::Account(_) => String::new(),
    };
    let form = LoginForm {
        state: &state,
        next: &next,
        locale,
        email,
    };
    Ok(form.show(jar, None, StatusCode::OK))
}

pub async fn login_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let next = Next::from_params(&state, query(raw))?;
    let mut posted = page_form(&headers, &body)?;
    let email = posted.get("email").unwrap_or_default().trim().to_string();
    let form = LoginForm {
        state: &state,
        next: &next,
        locale,
        email,
    };
    let secure = state.secure_cookies();
    if !cookies::csrf_ok(&jar, secure, posted.get(csrf::FIELD)) {
        let expired = locale.text("login-expired");
        return Ok(form.show(jar, Some(expired), StatusCode::FORBIDDEN));
    }
    let password = Zeroizing::new(posted.take("password").unwrap_or_default());
    let current = cookies::read(&jar, Kind::Session, secure);
    let now = state.now();
    let outcome =
        sign_in::sign_in_with_password(&state, &form.email, password, ip, current, now).await;
    form.answer(jar, outcome, now).await
}

/// The sign-in form for one continuation.
struct LoginForm<'a> {
    state: &'a AppState,
    next: &'a Next<'a>,
    locale: Locale,
    /// Shown again in the email field.
    email: String,
}

impl LoginForm<'_> {
    async fn answer(
        self,
        jar: CookieJar,
        outcome: service::Result<SignIn>,
        now: i64,
    ) -> HttpResult {
        let secure = self.state.secure_cookies();
        match outcome {
            Ok(SignIn::SignedIn(session)) => {
                let jar = cookies::signed_in(jar, session.cookie_value, secure);
                self.next
                    .after_sign_in(self.state, jar, &session.row, now)
                    .await
            }
            Ok(SignIn::SecondFactor(pending)) => {
                let cookie = cookies::cookie(Kind::PendingSignIn, pending.cookie_value, secure);
                let to = see_other(&self.next.action(routes::LOGIN_TOTP));
                Ok((jar.add(cookie), to).into_response())
            }
            Ok(SignIn::Refused) => {
                let refused = self.locale.text("login-bad-credentials");
                Ok(self.show(jar, Some(refused), StatusCode::OK))
            }
            // Refused before any password work, with the same words whether the account exists.
            Err(service::Error::Throttled { retry_after }) => {
                let message = Some(throttled_message(self.locale, retry_after));
                let page = self.show(jar, message, StatusCode::TOO_MANY_REQUESTS);
                Ok(with_retry_after(page, retry_after))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn show(&self, jar: CookieJar, error: Option<String>, status: StatusCode) -> Response {
        let (jar, csrf_token) = cookies::csrf_token(jar, self.state.secure_cookies());
        let page = LoginPage {
            brand: self.state.branding(),
            locale: self.locale,
            client_name: self.next.audience(),
            action: self.next.action(routes::LOGIN),
            csrf_token,
            email: self.email.clone(),
            error,
        };
        (jar, render(status, page, self.next.final_redirect())).into_response()
    }
}

/// The one message every throttled form shows.
pub fn throttled_message(locale: Locale, retry_after: i64) -> String {
    let minutes = minutes(retry_after);
    locale.format("form-throttled", &[("minutes", Arg::Count(minutes))])
}

/// `Retry-After` (RFC 9110 §10.2.3) on a throttled page.
pub fn with_retry_after(mut response: Response, seconds: i64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
