//! Two-step verification on the account page (`/account/mfa`): enrolment with a QR code and
//! verify-then-enable, recovery codes shown once, new recovery codes, and turning it off with
//! password and code. Signed-in users only; every form is CSRF-protected. When an application
//! demanded two-step verification, its authorization request rides along in the query string
//! and goes on once the user has turned it on.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::AppError;
use super::account::signed_in_form;
use super::browser::{csrf_token, current_session, see_other};
use super::continuation::{Carried, Next};
use super::login::start_session;
use super::mfa::{Against, FactorCheck, WRONG_CODE, check_second_factor, throttled_message};
use super::pages::{CodesView, EnrolView, ManageView, MfaPage, render};
use crate::auth::recovery::{self, RecoveryCode};
use crate::auth::totp::{self, TotpSecret};
use crate::oauth::acr::{AMR_OTP, AMR_PASSWORD};
use crate::oauth::params::Params;
use crate::routes;
use crate::state::AppState;
use crate::store::users::UserRow;

/// Not signed in: the account sign-in, which comes back to the account page.
fn sign_in_required() -> Response {
    see_other(routes::LOGIN)
}

/// The signed-in user, or the response telling them to sign in.
async fn signed_in_user(
    state: &AppState,
    jar: &CookieJar,
) -> Result<Result<UserRow, Response>, AppError> {
    let Some(session) = current_session(state, jar).await? else {
        return Ok(Err(sign_in_required()));
    };
    Ok(state
        .store()
        .find_user(&session.user_id)
        .await?
        .ok_or_else(sign_in_required))
}

pub async fn mfa_page(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    let next = match Carried::from_query(&state, query) {
        Ok(next) => next,
        Err(response) => return response,
    };
    let result: Result<Response, AppError> = async {
        let user = match signed_in_user(&state, &jar).await? {
            Ok(user) => user,
            Err(response) => return Ok(response),
        };
        current_view(&state, jar, &next, &user, None, StatusCode::OK).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Checks what every form here needs (see `account::signed_in_form`), and loads the user.
async fn accept_form(
    state: &AppState,
    jar: &CookieJar,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Result<(UserRow, Params), Response>, AppError> {
    let (session, form) = match signed_in_form(state, jar, headers, body).await? {
        Ok(accepted) => accepted,
        Err(response) => return Ok(Err(response)),
    };
    Ok(state
        .store()
        .find_user(&session.user_id)
        .await?
        .map(|user| (user, form))
        .ok_or_else(sign_in_required))
}

/// `POST /account/mfa/enable`: the first valid code from the app turns the pending secret on.
pub async fn enable(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let next = match Carried::from_query(&state, query) {
        Ok(next) => next,
        Err(response) => return response,
    };
    let result: Result<Response, AppError> = async {
        let (user, mut form) = match accept_form(&state, &jar, &headers, &body).await? {
            Ok(accepted) => accepted,
            Err(response) => return Ok(response),
        };
        let code = Zeroizing::new(form.take("code").unwrap_or_default());
        let check = check_second_factor(&state, &user.id, &code, Against::PendingEnrolment).await?;
        let (error, status) = match check {
            FactorCheck::Passed => return turn_on(&state, jar, &next, &user).await,
            FactorCheck::Wrong => (WRONG_CODE.to_string(), StatusCode::OK),
            FactorCheck::Throttled { minutes } => {
                (throttled_message(minutes), StatusCode::TOO_MANY_REQUESTS)
            }
            FactorCheck::Unavailable => (String::new(), StatusCode::SERVICE_UNAVAILABLE),
        };
        let error = (!error.is_empty()).then_some(error);
        current_view(&state, jar, &next, &user, error, status).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn turn_on(
    state: &AppState,
    jar: CookieJar,
    next: &Carried<'_>,
    user: &UserRow,
) -> Result<Response, AppError> {
    let codes = recovery::generate();
    let hashes = hashes_of(&user.id, &codes);
    if !state
        .store()
        .enable_totp(&user.id, &hashes, state.now())
        .await?
    {
        // Turned on meanwhile (another tab): nothing to show again.
        return Ok(see_other(&next.action(routes::ACCOUNT_MFA)));
    }
    // The user has just shown the authenticator's code within this session, so from here on
    // the session has used both factors; a fresh id marks the change.
    let (jar, _) = start_session(state, jar, &user.id, &[AMR_PASSWORD, AMR_OTP]).await?;
    tracing::info!(user_id = %user.id, "two-step verification turned on");
    Ok(codes_page(state, jar, next, user, &codes))
}

/// `POST /account/mfa/recovery-codes`: a fresh set of codes; the old set stops working.
pub async fn regenerate_recovery_codes(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let next = Carried::account();
    let result: Result<Response, AppError> = async {
        let (user, mut form) = match accept_form(&state, &jar, &headers, &body).await? {
            Ok(accepted) => accepted,
            Err(response) => return Ok(response),
        };
        if !state.store().totp_enabled(&user.id).await? {
            return Ok(see_other(routes::ACCOUNT_MFA));
        }
        let code = Zeroizing::new(form.take("code").unwrap_or_default());
        let (error, status) =
            match check_second_factor(&state, &user.id, &code, Against::Authenticator).await? {
                FactorCheck::Passed => {
                    let codes = recovery::generate();
                    let hashes = hashes_of(&user.id, &codes);
                    state
                        .store()
                        .replace_recovery_codes(&user.id, &hashes, state.now())
                        .await?;
                    tracing::info!(user_id = %user.id, "recovery codes replaced");
                    return Ok(codes_page(&state, jar, &next, &user, &codes));
                }
                FactorCheck::Wrong => (WRONG_CODE.to_string(), StatusCode::OK),
                FactorCheck::Throttled { minutes } => {
                    (throttled_message(minutes), StatusCode::TOO_MANY_REQUESTS)
                }
                FactorCheck::Unavailable => {
                    (UNAVAILABLE.to_string(), StatusCode::SERVICE_UNAVAILABLE)
                }
            };
        current_view(&state, jar, &next, &user, Some(error), status).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

const UNAVAILABLE: &str =
    "Codes from your authenticator app cannot be checked right now; use a recovery code.";
const BAD_PASSWORD_OR_CODE: &str = "The password or the code is incorrect.";

/// `POST /account/mfa/disable`: needs the password and a current code (or a recovery code).
pub async fn disable(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let next = Carried::account();
    let result: Result<Response, AppError> = async {
        let (user, mut form) = match accept_form(&state, &jar, &headers, &body).await? {
            Ok(accepted) => accepted,
            Err(response) => return Ok(response),
        };
        if !state.store().totp_enabled(&user.id).await? {
            return Ok(see_other(routes::ACCOUNT_MFA));
        }
        let password = Zeroizing::new(form.take("password").unwrap_or_default());
        let code = Zeroizing::new(form.take("code").unwrap_or_default());
        let password_ok = !password.is_empty()
            && state
                .passwords()
                .verify(password, Some(user.password_hash.clone()))
                .await?;
        if !password_ok {
            // The code is not even looked at, so this form cannot test codes without the password.
            let error = Some(BAD_PASSWORD_OR_CODE.to_string());
            return current_view(&state, jar, &next, &user, error, StatusCode::OK).await;
        }
        let (error, status) =
            match check_second_factor(&state, &user.id, &code, Against::Authenticator).await? {
                FactorCheck::Passed => {
                    state.store().remove_mfa(&user.id).await?;
                    tracing::info!(user_id = %user.id, "two-step verification turned off");
                    return Ok(see_other(routes::ACCOUNT_MFA));
                }
                FactorCheck::Wrong => (BAD_PASSWORD_OR_CODE.to_string(), StatusCode::OK),
                FactorCheck::Throttled { minutes } => {
                    (throttled_message(minutes), StatusCode::TOO_MANY_REQUESTS)
                }
                FactorCheck::Unavailable => {
                    (UNAVAILABLE.to_string(), StatusCode::SERVICE_UNAVAILABLE)
                }
            };
        current_view(&state, jar, &next, &user, Some(error), status).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

fn hashes_of(user_id: &str, codes: &[RecoveryCode]) -> Vec<String> {
    codes
        .iter()
        .filter_map(|code| recovery::normalize(code.as_str()))
        .map(|normalized| recovery::hash(user_id, &normalized))
        .collect()
}

fn page(
    state: &AppState,
    jar: CookieJar,
    next: &Carried<'_>,
    user: &UserRow,
) -> (CookieJar, MfaPage) {
    let (jar, csrf_token) = csrf_token(jar, state.secure_cookies());
    let page = MfaPage {
        email: user.email.clone(),
        client_name: match &next.next {
            Next::Authorization(_, client) => Some(client.name.clone()),
            Next::Account => None,
        },
        error: None,
        csrf_token,
        unavailable: false,
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
    next: &Carried<'_>,
    user: &UserRow,
    codes: &[RecoveryCode],
) -> Response {
    let (jar, mut page) = page(state, jar, next, user);
    let (continue_url, continue_label) = match &next.next {
        Next::Authorization(_, client) => (
            next.action(routes::AUTHORIZE),
            format!("Continue to {}", client.name),
        ),
        Next::Account => (routes::ACCOUNT_MFA.to_string(), "Done".to_string()),
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
    next: &Carried<'_>,
    user: &UserRow,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (jar, mut page) = page(state, jar, next, user);
    page.error = error;
    let store = state.store();
    let credential = store.find_totp_credential(&user.id).await?;
    if credential.as_ref().is_some_and(|c| c.enabled) {
        page.client_name = None;
        page.manage = Some(ManageView {
            recovery_codes_left: store.count_unused_recovery_codes(&user.id).await?,
            codes_action: routes::ACCOUNT_MFA_RECOVERY_CODES.to_string(),
            disable_action: routes::ACCOUNT_MFA_DISABLE.to_string(),
        });
        return Ok((jar, render(status, page, None)).into_response());
    }
    let Some(key) = state.mfa_key() else {
        page.unavailable = true;
        let status = if status.is_success() {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            status
        };
        return Ok((jar, render(status, page, None)).into_response());
    };
    let opened = credential.and_then(|c| key.open(&c.sealed_secret, &user.id).ok());
    let secret = match opened {
        Some(bytes) => TotpSecret::from_bytes(bytes),
        None => {
            // None yet, or sealed under a key no longer configured: start a fresh one.
            store.delete_pending_totp(&user.id).await?;
            let secret = TotpSecret::generate();
            let sealed = key.seal(secret.as_bytes(), &user.id)?;
            if !store
                .insert_pending_totp(&user.id, &sealed, state.now())
                .await?
            {
                // Another request made one meanwhile; show the user that one.
                return Ok(see_other(&next.action(routes::ACCOUNT_MFA)));
            }
            secret
        }
    };
    let uri = totp::otpauth_uri(&secret, &state.config().mfa_issuer_name, &user.email)?;
    let qr = totp::qr_svg(&uri)?;
    let base32 = secret.to_base32();
    let grouped: Vec<&str> = base32
        .as_bytes()
        .chunks(4)
        .filter_map(|chunk| std::str::from_utf8(chunk).ok())
        .collect();
    page.enrol = Some(EnrolView {
        qr_svg: qr.to_string(),
        otpauth_uri: uri.to_string(),
        secret: grouped.join(" "),
        action: next.action(routes::ACCOUNT_MFA_ENABLE),
    });
    Ok((jar, render(status, page, None)).into_response())
}
