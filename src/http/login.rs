//! The login page. A correct password starts a brand-new session (fresh id, old one deleted),
//! then the authorization request continues. Wrong email and wrong password look and time
//! the same: unknown emails are checked against a dummy argon2 hash.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::AppError;
use super::authorize::{proceed, validate};
use super::browser::{csrf_ok, csrf_token, see_other};
use super::client_ip::ClientIp;
use super::pages::{LoginPage, error_page, render};
use super::throttle;
use crate::auth::password::PasswordError;
use crate::auth::throttle::minutes;
use crate::auth::{csrf, session};
use crate::oauth::authorize::AuthorizationRequest;
use crate::oauth::client::Client;
use crate::oauth::params::Params;
use crate::oauth::tokens::{generate_secret, hash_secret};
use crate::routes;
use crate::state::AppState;
use crate::store::sessions::SessionRow;

const BAD_CREDENTIALS: &str = "The email or password is incorrect.";
const MAX_PASSWORD_LEN: usize = 1024;

/// Where a sign-in continues: an authorization request, or (with no request) the account page.
enum Next<'s> {
    Authorization(AuthorizationRequest, &'s Client),
    Account,
}

#[allow(clippy::result_large_err)] // the error is the finished response, returned once
fn next_step<'s>(state: &'s AppState, params: &Params) -> Result<Next<'s>, Response> {
    let is_authorization = ["client_id", "redirect_uri", "response_type"]
        .iter()
        .any(|name| params.get(name).is_some());
    if !is_authorization {
        return Ok(Next::Account);
    }
    validate(state, params).map(|(request, client)| Next::Authorization(request, client))
}

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
    if !super::form::is_form_content_type(&headers) {
        return error_page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Invalid form",
            "The sign-in form must be posted as application/x-www-form-urlencoded.",
        );
    }
    let mut form = Params::parse(&body);
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
    let Some((jar, session)) = signed_in else {
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
    if let Err(e) = throttle::reset(&state, limits.of_account()).await {
        return e.into_response();
    }
    let continued = match &next {
        Next::Authorization(request, client) => {
            proceed(&state, &params, request, client, Some(&session), true).await
        }
        Next::Account => Ok(see_other(routes::ACCOUNT)),
    };
    match continued {
        Ok(response) => (jar, response).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Checks the password and, when right, replaces any session with a new one.
async fn sign_in(
    state: &AppState,
    jar: CookieJar,
    email: &str,
    password: Zeroizing<String>,
) -> Result<Option<(CookieJar, SessionRow)>, AppError> {
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
        user_id: user.id.clone(),
        auth_time: now,
        amr: session::amr_to_string(&["pwd"]),
        created_at: now,
        last_seen_at: now,
        idle_expires_at: now + config.session_idle_ttl.min(config.session_absolute_ttl),
        expires_at: now + config.session_absolute_ttl,
    };
    state.store().insert_session(&row).await?;
    tracing::info!(user_id = %user.id, "signed in");
    let jar = jar
        .add(session::session_cookie(session_id, secure))
        .add(csrf::csrf_cookie(csrf::new_token(), secure));
    Ok(Some((jar, row)))
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
    let (client_name, action, final_redirect) = match next {
        Next::Authorization(request, client) => (
            client.name.clone(),
            format!("{}?{}", routes::LOGIN, params.to_query()),
            Some(request.redirect_uri.as_str()),
        ),
        Next::Account => ("your account".to_string(), routes::LOGIN.to_string(), None),
    };
    let page = LoginPage {
        client_name,
        action,
        csrf_token,
        email,
        error: error.map(str::to_string),
    };
    (jar, render(status, page, final_redirect)).into_response()
}
