//! The login page. A correct password starts a brand-new session (fresh id, old one deleted),
//! then the authorization request continues. Wrong email and wrong password look and time
//! the same: unknown emails are checked against a dummy argon2 hash. A user with two-step
//! verification gets no session here: the password step only starts the TOTP step.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use zeroize::Zeroizing;

use super::AppError;
use super::authorize::{proceed, validate};
use super::browser::{csrf_ok, csrf_token};
use super::mfa::begin_second_factor;
use super::pages::{LoginPage, error_page, render};
use crate::auth::{csrf, session};
use crate::oauth::acr::AMR_PASSWORD;
use crate::oauth::authorize::AuthorizationRequest;
use crate::oauth::client::Client;
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
    let (request, client) = match validate(&state, &params) {
        Ok(valid) => valid,
        Err(response) => return response,
    };
    let email = request.login_hint.clone().unwrap_or_default();
    login_form(
        &state,
        jar,
        &params,
        &request,
        client,
        email,
        None,
        StatusCode::OK,
    )
}

pub async fn login_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let (request, client) = match validate(&state, &params) {
        Ok(valid) => valid,
        Err(response) => return response,
    };
    if !super::token::is_form_content_type(&headers) {
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
            &request,
            client,
            email,
            Some(message),
            StatusCode::FORBIDDEN,
        );
    }
    let password = Zeroizing::new(form.take("password").unwrap_or_default());
    match sign_in(&state, jar.clone(), &email, password).await {
        Ok(Some(SignIn::Session(jar, session))) => {
            match proceed(&state, &params, &request, client, Some(&session), true).await {
                Ok(response) => (jar, response).into_response(),
                Err(e) => e.into_response(),
            }
        }
        Ok(Some(SignIn::SecondFactor(user))) => {
            begin_second_factor(&state, jar, &user.id, None, &params)
                .await
                .unwrap_or_else(IntoResponse::into_response)
        }
        Ok(None) => login_form(
            &state,
            jar,
            &params,
            &request,
            client,
            email,
            Some(BAD_CREDENTIALS),
            StatusCode::OK,
        ),
        Err(e) => e.into_response(),
    }
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

#[allow(clippy::too_many_arguments)]
fn login_form(
    state: &AppState,
    jar: CookieJar,
    params: &Params,
    request: &AuthorizationRequest,
    client: &Client,
    email: String,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let (jar, csrf_token) = csrf_token(jar, state.secure_cookies());
    let page = LoginPage {
        client_name: client.name.clone(),
        action: format!("{}?{}", routes::LOGIN, params.to_query()),
        csrf_token,
        email,
        error: error.map(str::to_string),
    };
    (jar, render(status, page, Some(&request.redirect_uri))).into_response()
}
