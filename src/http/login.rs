//! The login page. A correct password starts a brand-new session (fresh id, old one deleted),
//! then the authorization request continues. Wrong email and wrong password look and time
//! the same: unknown emails are checked against a dummy argon2 hash. A user with two-step
//! verification gets no session here: the password step only starts the TOTP step.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::AppError;
use super::browser::{csrf_ok, csrf_token};
use super::client_ip::ClientIp;
use super::continuation::{Next, continue_signed_in, next_step};
use super::form::page_form;
use super::mfa::begin_second_factor;
use super::pages::{LoginPage, render};
use super::throttle;
use crate::auth::password::PasswordError;
use crate::auth::throttle::minutes;
use crate::auth::{csrf, session};
use crate::oauth::acr::AMR_PASSWORD;
use crate::oauth::params::Params;
use crate::oauth::tokens::{generate_secret, hash_secret};
use crate::routes;
use crate::state::AppState;
use crate::store::sessions::SessionRow;
use crate::store::users::UserRow;

const BAD_CREDENTIALS: &str = "The email or password is incorrect.";
const MAX_PASSWORD_LEN: usize = 1024;

pub async fn login_page(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let next = match next_step(&state, &params) {
        Ok(next) => next,
        Err(response) => return response,
    };
    let email = match &next {
        Next::Authorization(request, _) => request.login_hint.clone().unwrap_or_default(),
        Next::Account => String::new(),
    };
    login_form(&state, jar, &params, &next, email, None, StatusCode::OK)
}

pub async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let next = match next_step(&state, &params) {
        Ok(next) => next,
        Err(response) => return response,
    };
    let mut form = match page_form(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    let secure = state.secure_cookies();
    let email = form.get("email").unwrap_or_default().trim().to_string();
    if !csrf_ok(&jar, secure, form.get(csrf::FIELD)) {
        let message = "The sign-in form expired. Please sign in again.";
        return login_form(
            &state,
            jar,
            &params,
            &next,
            email,
            Some(message),
            StatusCode::FORBIDDEN,
        );
    }
    let password = Zeroizing::new(form.take("password").unwrap_or_default());
    // Shed a flood before spending even the throttle's database reads on it.
    if state.passwords().is_saturated() {
        return AppError::Password(PasswordError::Overloaded).into_response();
    }
    let limits = throttle::LoginLimits::new(&state, &email, ip);
    match throttle::blocked_for(&state, limits.all()).await {
        // Refused before any password work, with the same words whether the account exists.
        Ok(Some(wait)) => {
            let message = format!("Too many attempts. Try again in {} minutes.", minutes(wait));
            let mut response = login_form(
                &state,
                jar,
                &params,
                &next,
                email,
                Some(&message),
                StatusCode::TOO_MANY_REQUESTS,
            );
            if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return response;
        }
        Ok(None) => {}
        Err(e) => return e.into_response(),
    }
    let signed_in = match sign_in(&state, jar.clone(), &email, password).await {
        Ok(signed_in) => signed_in,
        Err(e) => return e.into_response(),
    };
    let Some(signed_in) = signed_in else {
        if let Err(e) = throttle::record_failure(&state, limits.all()).await {
            return e.into_response();
        }
        return login_form(
            &state,
            jar,
            &params,
            &next,
            email,
            Some(BAD_CREDENTIALS),
            StatusCode::OK,
        );
    };
    // The password was right: this account's counters start again.
    if let Err(e) = throttle::reset(&state, limits.of_account()).await {
        return e.into_response();
    }
    let result = match signed_in {
        SignIn::Session(jar, session) => continue_signed_in(&state, &params, &next, &session)
            .await
            .map(|response| (jar, response).into_response()),
        SignIn::SecondFactor(user) => {
            begin_second_factor(&state, jar, &user.id, None, &params).await
        }
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

/// What a correct password leads to.
enum SignIn {
    /// Signed in: the brand-new session.
    Session(CookieJar, SessionRow),
    /// The user has two-step verification: the TOTP step comes next, with no session yet.
    SecondFactor(UserRow),
}

/// Checks the password and, when right, either replaces any session with a new one or, for a
/// user with two-step verification, hands over to the TOTP step.
async fn sign_in(
    state: &AppState,
    jar: CookieJar,
    email: &str,
    password: Zeroizing<String>,
) -> Result<Option<SignIn>, AppError> {
    if email.is_empty() || password.is_empty() || password.len() > MAX_PASSWORD_LEN {
        return Ok(None);
    }
    let user = state.store().find_user_by_email(email).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let verified = state.passwords().verify(password, hash).await?;
    let Some(user) = user.filter(|u| verified && !u.disabled) else {
        tracing::info!("sign-in refused");
        return Ok(None);
    };
    if state.store().totp_enabled(&user.id).await? {
        tracing::info!(user_id = %user.id, "password accepted; TOTP step next");
        return Ok(Some(SignIn::SecondFactor(user)));
    }
    let (jar, row) = start_session(state, jar, &user.id, &[AMR_PASSWORD]).await?;
    tracing::info!(user_id = %user.id, "signed in");
    Ok(Some(SignIn::Session(jar, row)))
}

/// Replaces the browser's session, if any, with a brand-new one (fresh id, so a planted cookie
/// never becomes authenticated) that used the methods `amr`, and issues a fresh CSRF token.
pub(super) async fn start_session(
    state: &AppState,
    jar: CookieJar,
    user_id: &str,
    amr: &[&str],
) -> Result<(CookieJar, SessionRow), AppError> {
    let secure = state.secure_cookies();
    if let Some(old) = jar.get(session::cookie_name(secure)) {
        state
            .store()
            .delete_session(&hash_secret(old.value()))
            .await?;
    }
    let now = state.now();
    let config = state.config();
    let session_id = generate_secret();
    let row = SessionRow {
        id_hash: hash_secret(&session_id),
        user_id: user_id.to_string(),
        auth_time: now,
        amr: session::amr_to_string(amr),
        created_at: now,
        last_seen_at: now,
        idle_expires_at: now + config.session_idle_ttl.min(config.session_absolute_ttl),
        expires_at: now + config.session_absolute_ttl,
    };
    state.store().insert_session(&row).await?;
    let jar = jar
        .add(session::session_cookie(session_id, secure))
        .add(csrf::csrf_cookie(csrf::new_token(), secure));
    Ok((jar, row))
}

fn login_form(
    state: &AppState,
    jar: CookieJar,
    params: &Params,
    next: &Next<'_>,
    email: String,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let (jar, csrf_token) = csrf_token(jar, state.secure_cookies());
    let page = LoginPage {
        client_name: next.audience(),
        action: next.action(routes::LOGIN, params),
        csrf_token,
        email,
        error: error.map(str::to_string),
    };
    (jar, render(status, page, next.final_redirect())).into_response()
}
