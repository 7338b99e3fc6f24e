//! The sign-in page (`/login`): the password step, and a passkey instead of the password
//! (`/login/passkey`). What a sign-in decides is `service::sign_in` (`password`, `passkey`);
//! this page only reads the forms and shows the outcome. Its "Continue with …" buttons are
//! links to `upstream` (a trip to a provider changes nothing of the user's until it returns).
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::continuation::{AccountPage, Next};
use super::cookies::{self, Kind};
use super::messages::{self, throttled_message, with_retry_after};
use super::page_form::{Continues, PageForm};
use super::templates::{LoginPage, PasskeyOffer, UpstreamButton};
use crate::http::client_ip::ClientIp;
use crate::http::error::HttpResult;
use crate::http::form::query;
use crate::http::html::{render, render_with_script};
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::Locale;
use crate::routes;
use crate::service::passkeys::CeremonyStart;
use crate::service::sign_in::{Refusal, SignIn, linking, passkey, password};
use crate::service::{self};
use crate::state::AppState;

pub async fn login_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let next = Next::from_params(&state, query(raw)).await?;
    let email = match &next {
        Next::Authorization { request, .. } => request.login_hint.clone().unwrap_or_default(),
        Next::Account(_) | Next::Device { .. } => String::new(),
    };
    let form = LoginForm {
        state: &state,
        next: &next,
        locale,
        email,
    };
    form.show(jar, None, StatusCode::OK).await
}

pub async fn login_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    posted: PageForm,
) -> HttpResult {
    let mut posted = posted
        .open(&state, Continues::FromQuery(AccountPage::Overview))
        .await?;
    let password = Zeroizing::new(posted.take("password"));
    let form = LoginForm {
        state: &state,
        next: &posted.next,
        locale,
        email: posted.get("email").trim().to_string(),
    };
    if !posted.csrf_ok {
        let expired = locale.text("login-expired");
        return form
            .show(posted.jar, Some(expired), StatusCode::FORBIDDEN)
            .await;
    }
    let current = posted.cookie(&state, Kind::Session);
    let now = state.now();
    let outcome =
        password::sign_in_with_password(&state, &form.email, password, ip, current, now).await;
    form.answer(posted.jar.clone(), outcome, now).await
}

/// A sign-in with a passkey: the form the page's script submitted with the browser's answer.
pub async fn passkey_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    posted: PageForm,
) -> HttpResult {
    let posted = posted
        .open(&state, Continues::FromQuery(AccountPage::Overview))
        .await?;
    let form = LoginForm {
        state: &state,
        next: &posted.next,
        locale,
        email: String::new(),
    };
    if !posted.csrf_ok {
        let expired = locale.text("login-expired");
        return form
            .show(posted.jar, Some(expired), StatusCode::FORBIDDEN)
            .await;
    }
    let (ceremony, credential) = (posted.get("ceremony"), posted.get("credential"));
    let current = posted.cookie(&state, Kind::Session);
    let now = state.now();
    let outcome =
        passkey::sign_in_with_passkey(&state, ceremony, credential, ip, current, now).await;
    form.answer(posted.jar.clone(), outcome, now).await
}

/// The words (a message id) the form is shown again with after `refusal`.
fn refusal_message(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::WrongEmailOrPassword => "login-bad-credentials",
        Refusal::Passkey(refusal) => messages::passkey_refusal(refusal),
    }
}

/// The sign-in form for one continuation (the upstream callback shows it too).
pub(super) struct LoginForm<'a> {
    pub state: &'a AppState,
    pub next: &'a Next<'a>,
    pub locale: Locale,
    /// Shown again in the email field.
    pub email: String,
}

impl LoginForm<'_> {
    pub(super) async fn answer(
        self,
        jar: CookieJar,
        outcome: service::Result<SignIn>,
        now: i64,
    ) -> HttpResult {
        let secure = self.state.secure_cookies();
        match outcome {
            Ok(SignIn::SignedIn(session)) => {
                let jar = cookies::signed_in(jar, session.cookie_value.clone(), secure);
                self.next
                    .after_sign_in(self.state, jar, &session, self.locale, now)
                    .await
            }
            Ok(SignIn::SecondStepNext(pending)) => {
                let cookie = cookies::cookie(Kind::PendingSignIn, pending.cookie_value, secure);
                let to = see_other(&self.next.action(routes::SECOND_STEP));
                Ok((jar.add(cookie), to).into_response())
            }
            Ok(SignIn::Refused(refusal)) => {
                let refused = self.locale.text(refusal_message(refusal));
                self.show(jar, Some(refused), StatusCode::OK).await
            }
            // Refused before any password work, with the same words whether the account exists.
            Err(service::Error::Throttled { retry_after }) => {
                let message = Some(throttled_message(self.locale, retry_after));
                let page = self
                    .show(jar, message, StatusCode::TOO_MANY_REQUESTS)
                    .await?;
                Ok(with_retry_after(page, retry_after))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The form, with a passkey ceremony ready when this issuer can host passkeys, a button
    /// per upstream provider, and the notice of an upstream identity waiting to be linked.
    pub(super) async fn show(
        &self,
        jar: CookieJar,
        error: Option<String>,
        status: StatusCode,
    ) -> HttpResult {
        let secure = self.state.secure_cookies();
        let now = self.state.now();
        let waiting_cookie = cookies::read(&jar, Kind::PendingLink, secure);
        let waiting = linking::waiting(self.state, waiting_cookie, now).await?;
        let (jar, csrf_token) = cookies::csrf_token(jar, secure);
        let passkey = match passkey::begin(self.state, self.state.now()).await? {
            CeremonyStart::Ready(ceremony) => Some(PasskeyOffer::new(
                ceremony,
                self.next.action(routes::LOGIN_PASSKEY),
            )),
            CeremonyStart::Unavailable => None,
        };
        let final_redirect = self.next.final_redirect();
        let with_script = passkey.is_some();
        let buttons = self.state.upstreams().buttons();
        let upstream_name = |id: &str| {
            let button = buttons.iter().find(|b| b.id == id);
            button.map_or(id, |b| b.display_name.as_str()).to_string()
        };
        let link_notice = waiting.as_ref().map(|link| {
            let provider = upstream_name(&link.upstream_id);
            let email = ("email", link.email.as_str());
            let provider = ("provider", provider.as_str());
            self.locale
                .markup_pair("upstream-link-first-html", &email, &provider)
        });
        let email = match (&waiting, self.email.is_empty()) {
            (Some(link), true) => link.email.clone(),
            _ => self.email.clone(),
        };
        let upstreams = buttons
            .iter()
            .map(|button| UpstreamButton {
                href: self
                    .next
                    .action(&routes::UPSTREAM_START.replace("{id}", &button.id)),
                label: self
                    .locale
                    .text_with("upstream-continue", "provider", &button.display_name),
            })
            .collect();
        let page = LoginPage {
            brand: self.state.branding(),
            locale: self.locale,
            client_name: self.next.audience(),
            action: self.next.action(routes::LOGIN),
            csrf_token,
            email,
            error,
            passkey,
            upstreams,
            link_notice,
            sign_up: crate::service::emailed::sign_up::is_open(self.state),
        };
        let page = match with_script {
            true => render_with_script(status, page, final_redirect),
            false => render(status, page, final_redirect),
        };
        Ok((jar, page).into_response())
    }
}
