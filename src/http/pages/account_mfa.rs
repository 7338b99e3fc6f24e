//! Two-step verification on the account page (`/account/mfa`): enrolment, new recovery
//! codes, turning it off. What each form does is `service::mfa`. When an application demanded
//! two-step verification, its authorization request rides along in the query string and goes
//! on once the user has turned it on.
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::continuation::{AccountPage, Next};
use super::cookies::{self, Kind};
use super::messages::{SECOND_FACTOR_REQUIRED, WRONG_CODE, throttled_message, with_retry_after};
use super::page_form::{Continues, EXPIRED_RELOAD, PageForm, signed_in};
use super::templates::{MfaPage, MfaShown};
use crate::auth::recovery::RecoveryCode;
use crate::http::client_ip::ClientIp;
use crate::http::error::{HttpError, HttpResult};
use crate::http::form::query;
use crate::http::html::render;
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::Locale;
use crate::routes;
use crate::service;
use crate::service::factors::{self, Change, ChangeRequest};
use crate::service::mfa::{self, MfaView};
use crate::service::signed_in::SignedIn;
use crate::state::AppState;

pub async fn mfa_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let next = Next::from_params_or(&state, query(raw), AccountPage::Mfa).await?;
    let current = signed_in(&state, &jar, &next).await?;
    current_view(&state, jar, &next, locale, &current, None, StatusCode::OK).await
}

/// `POST /account/mfa/enable`: the first valid code from the app turns the pending secret on.
/// An authorization request that demanded two-step verification may ride along.
pub async fn enable(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    form: PageForm,
) -> HttpResult {
    let continues = Continues::FromQuery(AccountPage::Mfa);
    let form = ChangeForm::read(&state, form, continues, locale).await?;
    let current = cookies::read(&form.jar, Kind::Session, state.secure_cookies());
    let outcome = mfa::enable(&state, form.request(ip), current, state.now()).await;
    let secure = state.secure_cookies();
    let outcome = outcome.map(|change| {
        change.map(|enabled| match enabled {
            Some(enabled) => {
                let jar =
                    cookies::signed_in(form.jar.clone(), enabled.session.cookie_value, secure);
                codes_page(&state, jar, &form, enabled.recovery_codes)
            }
            // Turned on meanwhile (another tab): nothing to show again.
            None => see_other(&form.next.form_action(routes::ACCOUNT_MFA)),
        })
    });
    form.answer(&state, outcome).await
}

/// `POST /account/mfa/recovery-codes`: a fresh set of codes; the old set stops working.
pub async fn regenerate_recovery_codes(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    form: PageForm,
) -> HttpResult {
    let continues = Continues::To(AccountPage::Mfa);
    let form = ChangeForm::read(&state, form, continues, locale).await?;
    let outcome = mfa::regenerate_recovery_codes(&state, form.request(ip), state.now()).await;
    let outcome = outcome
        .map(|change| change.map(|codes| codes_page(&state, form.jar.clone(), &form, codes)));
    form.answer(&state, outcome).await
}

/// `POST /account/mfa/disable`.
pub async fn disable(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    form: PageForm,
) -> HttpResult {
    let continues = Continues::To(AccountPage::Mfa);
    let form = ChangeForm::read(&state, form, continues, locale).await?;
    let outcome = mfa::disable(&state, form.request(ip), state.now()).await;
    let outcome = outcome.map(|change| change.map(|()| see_other(routes::ACCOUNT_MFA)));
    form.answer(&state, outcome).await
}

/// A posted change of second factors: who, and what they typed, and the language of the
/// page that answers it.
struct ChangeForm<'s> {
    next: Next<'s>,
    jar: CookieJar,
    locale: Locale,
    current: SignedIn,
    password: Zeroizing<String>,
    code: Zeroizing<String>,
}

impl<'s> ChangeForm<'s> {
    /// The form body, its CSRF token, and the signed-in user.
    async fn read(
        state: &'s AppState,
        form: PageForm,
        continues: Continues,
        locale: Locale,
    ) -> Result<Self, HttpError> {
        let mut form = form
            .open(state, continues)
            .await?
            .require_csrf(EXPIRED_RELOAD)?;
        let current = form.signed_in(state).await?;
        Ok(Self {
            password: Zeroizing::new(form.take("password")),
            code: Zeroizing::new(form.take("code")),
            next: form.next,
            jar: form.jar,
            locale,
            current,
        })
    }

    fn request(&self, ip: std::net::IpAddr) -> ChangeRequest<'_> {
        ChangeRequest {
            signed_in: &self.current,
            password: self.password.clone(),
            code: self.code.clone(),
            ip,
        }
    }

    /// The response for a change's outcome: its own page when done, otherwise this page again
    /// with the reason (the same reason, whatever was typed, while a limit is reached).
    async fn answer(
        &self,
        state: &AppState,
        outcome: service::Result<Change<Response>>,
    ) -> HttpResult {
        // Without a password the code alone was judged: say so, as the sign-in's step does.
        let refused = match self.password.is_empty() {
            true => WRONG_CODE,
            false => "mfa-refused",
        };
        let (next, locale, current, jar) =
            (&self.next, self.locale, &self.current, self.jar.clone());
        let (error, status) = match outcome {
            Ok(Change::Done(response)) => return Ok(response),
            Ok(Change::PasswordRequired) => ("mfa-password-required", StatusCode::OK),
            Ok(Change::SecondFactorRequired) => (SECOND_FACTOR_REQUIRED, StatusCode::OK),
            Ok(Change::Refused) => (refused, StatusCode::OK),
            Ok(Change::Unavailable) => ("mfa-unavailable", StatusCode::SERVICE_UNAVAILABLE),
            Err(service::Error::Throttled { retry_after }) => {
                let message = Some(throttled_message(locale, retry_after));
                let status = StatusCode::TOO_MANY_REQUESTS;
                let page = current_view(state, jar, next, locale, current, message, status).await?;
                return Ok(with_retry_after(page, retry_after));
            }
            Err(e) => return Err(e.into()),
        };
        let error = Some(locale.text(error));
        current_view(state, jar, next, locale, current, error, status).await
    }
}

/// The page showing `shown` to `user`, without an error yet.
fn page_for(
    state: &AppState,
    next: &Next<'_>,
    locale: Locale,
    current: &SignedIn,
    shown: MfaShown,
) -> MfaPage {
    // The demanding application is named while the user sets two-step verification up.
    let client_name = match (next, &shown) {
        (Next::Authorization { client, .. }, MfaShown::Enrol { .. }) => Some(client.name.clone()),
        _ => None,
    };
    MfaPage {
        brand: state.branding(),
        locale,
        email: current.email().to_string(),
        client_name,
        error: None,
        csrf_token: String::new(),
        password_required: false,
        second_factor_required: false,
        shown,
    }
}

fn show(state: &AppState, jar: CookieJar, mut page: MfaPage, status: StatusCode) -> Response {
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    page.csrf_token = csrf_token;
    (jar, render(status, page, None)).into_response()
}

/// The codes, shown this once, and the way on: back to the application, or to this page.
fn codes_page(
    state: &AppState,
    jar: CookieJar,
    form: &ChangeForm<'_>,
    codes: Vec<RecoveryCode>,
) -> Response {
    let (next, locale) = (&form.next, form.locale);
    let (continue_url, continue_label) = match next {
        Next::Authorization { client, .. } => (
            next.action(routes::AUTHORIZE),
            locale.text_with("mfa-continue-to", "client", &client.name),
        ),
        Next::Device { client, .. } => (
            next.action(routes::DEVICE_CONSENT),
            locale.text_with("mfa-continue-to", "client", &client.name),
        ),
        Next::Account(_) => (routes::ACCOUNT_MFA.to_string(), locale.text("mfa-done")),
    };
    let shown = MfaShown::Codes {
        codes,
        continue_url,
        continue_label,
    };
    show(
        state,
        jar,
        page_for(state, next, locale, &form.current, shown),
        StatusCode::OK,
    )
}

/// The page for the user's current state: management when two-step verification is on,
/// otherwise enrolment with a pending secret (made on first visit, kept across reloads).
async fn current_view(
    state: &AppState,
    jar: CookieJar,
    next: &Next<'_>,
    locale: Locale,
    current: &SignedIn,
    error: Option<String>,
    status: StatusCode,
) -> HttpResult {
    let now = state.now();
    let (shown, status) = match mfa::view(state, current, now).await? {
        MfaView::Manage {
            recovery_codes_left,
        } => (
            MfaShown::Manage {
                recovery_codes_left,
            },
            status,
        ),
        MfaView::Enrol(enrolment) => {
            let action = next.form_action(routes::ACCOUNT_MFA_ENABLE);
            (MfaShown::Enrol { enrolment, action }, status)
        }
        MfaView::Unavailable if status.is_success() => {
            (MfaShown::Unavailable, StatusCode::SERVICE_UNAVAILABLE)
        }
        MfaView::Unavailable => (MfaShown::Unavailable, status),
    };
    let mut page = page_for(state, next, locale, current, shown);
    page.error = error;
    let needed = factors::proof_needed(state, current, now).await?;
    page.password_required = needed.password;
    page.second_factor_required = needed.second_factor;
    Ok(show(state, jar, page, status))
}
