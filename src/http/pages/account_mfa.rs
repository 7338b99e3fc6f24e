//! Two-step verification on the account page (`/account/mfa`): enrolment, new recovery
//! codes, turning it off. What each form does is `service::mfa`. When an application demanded
//! two-step verification, its authorization request rides along in the query string and goes
//! on once the user has turned it on.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::continuation::{AccountPage, Next};
use super::cookies::{self, Kind};
use super::messages::{SECOND_FACTOR_REQUIRED, WRONG_CODE, throttled_message, with_retry_after};
use super::templates::{MfaPage, MfaShown};
use crate::auth::csrf;
use crate::auth::recovery::RecoveryCode;
use crate::http::client_ip::ClientIp;
use crate::http::error::{HttpError, HttpResult};
use crate::http::form::{page_form, query};
use crate::http::html::render;
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::{Locale, Message};
use crate::oauth::params::Params;
use crate::routes;
use crate::service::factors::{self, Change, ChangeRequest};
use crate::service::mfa::{self, MfaView};
use crate::service::{self, sessions};
use crate::state::AppState;
use crate::store::sessions::SessionRow;
use crate::store::users::UserRow;

pub async fn mfa_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let next = Next::from_params_or(&state, query(raw), AccountPage::Mfa)?;
    let (session, user) = signed_in_user(&state, &jar, &next).await?;
    let who = (&session, &user);
    current_view(&state, jar, &next, locale, who, None, StatusCode::OK).await
}

/// `POST /account/mfa/enable`: the first valid code from the app turns the pending secret on.
pub async fn enable(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let next = Next::from_params_or(&state, query(raw), AccountPage::Mfa)?;
    let form = ChangeForm::read(&state, &jar, &next, locale, &headers, &body).await?;
    let current = cookies::read(&jar, Kind::Session, state.secure_cookies());
    let outcome = mfa::enable(&state, form.request(ip), current, state.now()).await;
    let secure = state.secure_cookies();
    let outcome = outcome.map(|change| {
        change.map(|enabled| match enabled {
            Some(enabled) => {
                let jar = cookies::signed_in(jar.clone(), enabled.session.cookie_value, secure);
                codes_page(&state, jar, &form, enabled.recovery_codes)
            }
            // Turned on meanwhile (another tab): nothing to show again.
            None => see_other(&next.form_action(routes::ACCOUNT_MFA)),
        })
    });
    form.answer(&state, jar, outcome).await
}

/// `POST /account/mfa/recovery-codes`: a fresh set of codes; the old set stops working.
pub async fn regenerate_recovery_codes(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let next = Next::Account(AccountPage::Mfa);
    let form = ChangeForm::read(&state, &jar, &next, locale, &headers, &body).await?;
    let outcome = mfa::regenerate_recovery_codes(&state, form.request(ip), state.now()).await;
    let outcome =
        outcome.map(|change| change.map(|codes| codes_page(&state, jar.clone(), &form, codes)));
    form.answer(&state, jar, outcome).await
}

/// `POST /account/mfa/disable`.
pub async fn disable(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let next = Next::Account(AccountPage::Mfa);
    let form = ChangeForm::read(&state, &jar, &next, locale, &headers, &body).await?;
    let outcome = mfa::disable(&state, form.request(ip), state.now()).await;
    let outcome = outcome.map(|change| change.map(|()| see_other(routes::ACCOUNT_MFA)));
    form.answer(&state, jar, outcome).await
}

/// A posted change of second factors: who, and what they typed, and the language of the
/// page that answers it.
struct ChangeForm<'n> {
    next: &'n Next<'n>,
    locale: Locale,
    session: SessionRow,
    user: UserRow,
    password: Zeroizing<String>,
    code: Zeroizing<String>,
}

impl<'n> ChangeForm<'n> {
    /// The form body, its CSRF token, and the signed-in user.
    async fn read(
        state: &AppState,
        jar: &CookieJar,
        next: &'n Next<'n>,
        locale: Locale,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Self, HttpError> {
        let mut form: Params = page_form(headers, body)?;
        if !cookies::csrf_ok(jar, state.secure_cookies(), form.get(csrf::FIELD)) {
            let why = Message::new("error-form-expired-reload");
            let title = "error-form-expired-title";
            return Err(HttpError::page(StatusCode::FORBIDDEN, title, why));
        }
        let (session, user) = signed_in_user(state, jar, next).await?;
        Ok(Self {
            next,
            locale,
            session,
            user,
            password: Zeroizing::new(form.take("password").unwrap_or_default()),
            code: Zeroizing::new(form.take("code").unwrap_or_default()),
        })
    }

    fn who(&self) -> (&SessionRow, &UserRow) {
        (&self.session, &self.user)
    }

    fn request(&self, ip: std::net::IpAddr) -> ChangeRequest<'_> {
        ChangeRequest {
            session: &self.session,
            user: &self.user,
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
        jar: CookieJar,
        outcome: service::Result<Change<Response>>,
    ) -> HttpResult {
        // Without a password the code alone was judged: say so, as the sign-in's step does.
        let refused = match self.password.is_empty() {
            true => WRONG_CODE,
            false => "mfa-refused",
        };
        let (error, status) = match outcome {
            Ok(Change::Done(response)) => return Ok(response),
            Ok(Change::PasswordRequired) => ("mfa-password-required", StatusCode::OK),
            Ok(Change::SecondFactorRequired) => (SECOND_FACTOR_REQUIRED, StatusCode::OK),
            Ok(Change::Refused) => (refused, StatusCode::OK),
            Ok(Change::Unavailable) => ("mfa-unavailable", StatusCode::SERVICE_UNAVAILABLE),
            Err(service::Error::Throttled { retry_after }) => {
                let message = Some(throttled_message(self.locale, retry_after));
                let status = StatusCode::TOO_MANY_REQUESTS;
                let (next, locale, who) = (self.next, self.locale, self.who());
                let page = current_view(state, jar, next, locale, who, message, status).await?;
                return Ok(with_retry_after(page, retry_after));
            }
            Err(e) => return Err(e.into()),
        };
        let (next, locale, who) = (self.next, self.locale, self.who());
        let error = Some(locale.text(error));
        current_view(state, jar, next, locale, who, error, status).await
    }
}

/// The signed-in session and its user, or the sign-in that comes back here.
async fn signed_in_user(
    state: &AppState,
    jar: &CookieJar,
    next: &Next<'_>,
) -> Result<(SessionRow, UserRow), HttpError> {
    let cookie = cookies::read(jar, Kind::Session, state.secure_cookies());
    sessions::current_with_user(state, cookie, state.now())
        .await?
        .ok_or_else(|| next.sign_in_first())
}

/// The page showing `shown` to `user`, without an error yet.
fn page_for(
    state: &AppState,
    next: &Next<'_>,
    locale: Locale,
    user: &UserRow,
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
        email: user.email.clone(),
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
    let (next, locale) = (form.next, form.locale);
    let (continue_url, continue_label) = match next {
        Next::Authorization { client, .. } => (
            next.action(routes::AUTHORIZE),
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
        page_for(state, next, locale, &form.user, shown),
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
    (session, user): (&SessionRow, &UserRow),
    error: Option<String>,
    status: StatusCode,
) -> HttpResult {
    let now = state.now();
    let (shown, status) = match mfa::view(state, user, now).await? {
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
    let mut page = page_for(state, next, locale, user, shown);
    page.error = error;
    let needed = factors::proof_needed(state, session, &user.id, now).await?;
    page.password_required = needed.password;
    page.second_factor_required = needed.second_factor;
    Ok(show(state, jar, page, status))
}
