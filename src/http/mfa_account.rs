//! Two-step verification on the account page (`/account/mfa`): enrolment, new recovery
//! codes, turning it off. What each form does is `service::mfa`. When an application demanded
//! two-step verification, its authorization request rides along in the query string and goes
//! on once the user has turned it on.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::client_ip::ClientIp;
use super::continuation::{AccountPage, Next};
use super::cookies::{self, Kind};
use super::error::{HttpError, HttpResult};
use super::form::{page_form, query};
use super::login::throttled_message;
use super::pages::{CodesView, EnrolView, ManageView, MfaPage, render};
use super::respond::see_other;
use crate::auth::csrf;
use crate::auth::recovery::RecoveryCode;
use crate::oauth::params::Params;
use crate::routes;
use crate::service::mfa::{self, Change, ChangeRequest, MfaView};
use crate::service::{self, sessions};
use crate::state::AppState;
use crate::store::sessions::SessionRow;
use crate::store::users::UserRow;

const REFUSED: &str = "The password or the code is incorrect.";
const PASSWORD_REQUIRED: &str = "Enter your password to make this change.";
const UNAVAILABLE: &str =
    "Codes from your authenticator app cannot be checked right now; use a recovery code.";

/// Which form was posted.
#[derive(Clone, Copy)]
enum Form {
    Enable,
    RecoveryCodes,
    Disable,
}

pub async fn mfa_page(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let next = Next::from_params_or(&state, query(raw), AccountPage::Mfa)?;
    let (session, user) = signed_in_user(&state, &jar, &next).await?;
    current_view(&state, jar, &next, &session, &user, None, StatusCode::OK).await
}

/// `POST /account/mfa/enable`: the first valid code from the app turns the pending secret on.
pub async fn enable(
    state: State<AppState>,
    ip: ClientIp,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    change(state, ip, jar, query(raw), headers, body, Form::Enable).await
}

/// `POST /account/mfa/recovery-codes`: a fresh set of codes; the old set stops working.
pub async fn regenerate_recovery_codes(
    state: State<AppState>,
    ip: ClientIp,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    change(
        state,
        ip,
        jar,
        Params::default(),
        headers,
        body,
        Form::RecoveryCodes,
    )
    .await
}

/// `POST /account/mfa/disable`.
pub async fn disable(
    state: State<AppState>,
    ip: ClientIp,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    change(
        state,
        ip,
        jar,
        Params::default(),
        headers,
        body,
        Form::Disable,
    )
    .await
}

async fn change(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    params: Params,
    headers: HeaderMap,
    body: Bytes,
    form_kind: Form,
) -> HttpResult {
    let next = Next::from_params_or(&state, params, AccountPage::Mfa)?;
    let mut form = page_form(&headers, &body)?;
    if !cookies::csrf_ok(&jar, state.secure_cookies(), form.get(csrf::FIELD)) {
        let why = "This form has expired. Reload the page and try again.";
        return Err(HttpError::page(StatusCode::FORBIDDEN, "Form expired", why));
    }
    let (session, user) = signed_in_user(&state, &jar, &next).await?;
    let password = Zeroizing::new(form.take("password").unwrap_or_default());
    // Without a password the code alone was judged: say so, as the sign-in's step does.
    let refused = match password.is_empty() {
        true => super::totp_login::WRONG_CODE,
        false => REFUSED,
    };
    let request = ChangeRequest {
        session: &session,
        user: &user,
        password,
        code: Zeroizing::new(form.take("code").unwrap_or_default()),
        ip,
    };
    let now = state.now();
    let current = cookies::read(&jar, Kind::Session, state.secure_cookies());
    let outcome = match form_kind {
        Form::Enable => mfa::enable(&state, request, current, now)
            .await
            .map(|c| c.map(Done::Enabled)),
        Form::RecoveryCodes => mfa::regenerate_recovery_codes(&state, request, now)
            .await
            .map(|c| c.map(Done::Codes)),
        Form::Disable => mfa::disable(&state, request, now)
            .await
            .map(|c| c.map(|()| Done::Off)),
    };
    let (error, status) = match outcome {
        Ok(Change::Done(done)) => return Ok(done.respond(&state, jar, &next, &user)),
        Ok(Change::PasswordRequired) => (PASSWORD_REQUIRED.to_string(), StatusCode::OK),
        Ok(Change::Refused) => (refused.to_string(), StatusCode::OK),
        Ok(Change::Unavailable) => (UNAVAILABLE.to_string(), StatusCode::SERVICE_UNAVAILABLE),
        Err(service::Error::Throttled { retry_after }) => {
            let mut page = current_view(
                &state,
                jar,
                &next,
                &session,
                &user,
                Some(throttled_message(retry_after)),
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await?;
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                page.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Ok(page);
        }
        Err(e) => return Err(e.into()),
    };
    current_view(&state, jar, &next, &session, &user, Some(error), status).await
}

/// A change that went through.
enum Done {
    Enabled(Option<mfa::Enabled>),
    Codes(Vec<RecoveryCode>),
    Off,
}

impl Done {
    fn respond(
        self,
        state: &AppState,
        jar: CookieJar,
        next: &Next<'_>,
        user: &UserRow,
    ) -> Response {
        match self {
            Self::Enabled(Some(enabled)) => {
                let secure = state.secure_cookies();
                let jar = cookies::signed_in(jar, enabled.session.cookie_value, secure);
                codes_page(state, jar, next, user, &enabled.recovery_codes)
            }
            // Turned on meanwhile (another tab): nothing to show again.
            Self::Enabled(None) => see_other(&next.form_action(routes::ACCOUNT_MFA)),
            Self::Codes(codes) => {
                codes_page(state, jar, &Next::Account(AccountPage::Mfa), user, &codes)
            }
            Self::Off => see_other(routes::ACCOUNT_MFA),
        }
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

fn page(state: &AppState, jar: CookieJar, next: &Next<'_>, user: &UserRow) -> (CookieJar, MfaPage) {
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = MfaPage {
        email: user.email.clone(),
        client_name: match next {
            Next::Authorization { client, .. } => Some(client.name.clone()),
            Next::Account(_) => None,
        },
        error: None,
        csrf_token,
        unavailable: false,
        password_required: false,
        enrol: None,
        manage: None,
        codes: None,
    };
    (jar, page)
}

/// The codes, shown this once, and the way on: back to the application, or to this page.
fn codes_page(
    state: &AppState,
    jar: CookieJar,
    next: &Next<'_>,
    user: &UserRow,
    codes: &[RecoveryCode],
) -> Response {
    let (jar, mut page) = page(state, jar, next, user);
    let (continue_url, continue_label) = match next {
        Next::Authorization { client, .. } => (
            next.action(routes::AUTHORIZE),
            format!("Continue to {}", client.name),
        ),
        Next::Account(_) => (routes::ACCOUNT_MFA.to_string(), "Done".to_string()),
    };
    page.client_name = None;
    page.codes = Some(CodesView {
        codes: codes.iter().map(|c| c.as_str().to_string()).collect(),
        continue_url,
        continue_label,
    });
    (jar, render(StatusCode::OK, page, None)).into_response()
}

/// The page for the user's current state: management when two-step verification is on,
/// otherwise enrolment with a pending secret (made on first visit, kept across reloads).
async fn current_view(
    state: &AppState,
    jar: CookieJar,
    next: &Next<'_>,
    session: &SessionRow,
    user: &UserRow,
    error: Option<String>,
    status: StatusCode,
) -> HttpResult {
    let now = state.now();
    let (jar, mut page) = page(state, jar, next, user);
    page.error = error;
    page.password_required = mfa::password_required(state, session, now);
    let status = match mfa::view(state, user, now).await? {
        MfaView::Manage {
            recovery_codes_left,
        } => {
            page.client_name = None;
            page.manage = Some(ManageView {
                recovery_codes_left,
                codes_action: routes::ACCOUNT_MFA_RECOVERY_CODES.to_string(),
                disable_action: routes::ACCOUNT_MFA_DISABLE.to_string(),
            });
            status
        }
        MfaView::Enrol(enrolment) => {
            page.enrol = Some(EnrolView {
                qr_svg: enrolment.qr_svg.to_string(),
                otpauth_uri: enrolment.otpauth_uri.to_string(),
                secret: enrolment.secret_grouped.to_string(),
                action: next.form_action(routes::ACCOUNT_MFA_ENABLE),
            });
            status
        }
        MfaView::Unavailable => {
            page.unavailable = true;
            match status.is_success() {
                true => StatusCode::SERVICE_UNAVAILABLE,
                false => status,
            }
        }
    };
    Ok((jar, render(status, page, None)).into_response())
}
