//! `GET|POST /authorize` (RFC 6749 §4.1.1; OIDC Core §3.1.2.1 allows POST), and turning the
//! authorization service's steps and refusals into redirects.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use super::cookies::{self, Kind};
use crate::http::error::{HttpError, HttpResult};
use crate::http::form::{page_form, query};
use crate::http::respond::see_other;
use crate::i18n::Message;
use crate::oauth::authorize::UntrustedRedirectError;
use crate::oauth::params::Params;
use crate::routes;
use crate::service::authorize::{self, Entry, Refusal, Resolved, Step};
use crate::service::clients;
use crate::state::AppState;

pub async fn authorize_get(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    authorize_request(&state, jar, &query(raw)).await
}

pub async fn authorize_post(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    authorize_request(&state, jar, &page_form(&headers, &body)?).await
}

async fn authorize_request(state: &AppState, jar: CookieJar, params: &Params) -> HttpResult {
    let now = state.now();
    let admitted = admit(state, params, now).await?;
    let state = &admitted;
    let Resolved {
        request,
        client,
        carried,
    } = resolve(state, params, Entry::Endpoint, now).await?;
    let cookie = cookies::read(&jar, Kind::Session, state.secure_cookies());
    let step = authorize::next_step_for_browser(state, &request, client, cookie, now).await?;
    Ok(step_response(state, jar, step, &carried))
}

/// `state` with the client `params` name admitted (`service::clients`), or the error page
/// for a client whose metadata document cannot be used: its redirect_uri is unverified, so
/// the person is told here and never sent there.
pub async fn admit(state: &AppState, params: &Params, now: i64) -> Result<AppState, HttpError> {
    clients::admit_named_or_refused(state, params, now)
        .await?
        .map_err(|refused| {
            HttpError::page(
                StatusCode::BAD_REQUEST,
                "error-client-metadata-title",
                Message::new("error-client-metadata").with_text("reason", refused.description),
            )
        })
}

/// The request `params` stand for at `entry` (a pushed one is claimed at the endpoint and
/// read by its handle on the pages), against `state` with its client admitted
/// (`service::clients::admit_named`), or the response for one that cannot go on: an error
/// page while the redirect_uri is not trusted, an error redirect after.
pub async fn resolve<'s>(
    state: &'s AppState,
    params: &Params,
    entry: Entry,
    now: i64,
) -> Result<Resolved<'s>, HttpError> {
    authorize::resolve(state, params, entry, now)
        .await?
        .map_err(|refusal| match refusal {
            Refusal::Page(reason) => HttpError::page(
                StatusCode::BAD_REQUEST,
                "error-invalid-request-title",
                refusal_message(&reason),
            ),
            Refusal::Redirect(location) => HttpError::Redirect(location),
        })
}

/// What the error page says about a request whose redirect_uri cannot be trusted.
fn refusal_message(reason: &UntrustedRedirectError) -> Message {
    match reason {
        UntrustedRedirectError::MissingClientId => Message::new("error-missing-client-id"),
        UntrustedRedirectError::UnknownClient => Message::new("error-unknown-client"),
        UntrustedRedirectError::MissingRedirectUri => Message::new("error-missing-redirect-uri"),
        UntrustedRedirectError::UnregisteredRedirectUri => {
            Message::new("error-unregistered-redirect-uri")
        }
        UntrustedRedirectError::DuplicateParameter(name) => {
            Message::new("error-duplicate-parameter").with_text("name", name.clone())
        }
        UntrustedRedirectError::InvalidRequestUri => Message::new("error-invalid-request-uri"),
        UntrustedRedirectError::PushedRequestEnded => Message::new("error-pushed-request-ended"),
    }
}

/// Sends the browser to the step's page, carrying the request in `params` (for a pushed
/// request, only its client and handle).
pub fn step_response(state: &AppState, jar: CookieJar, step: Step, params: &Params) -> Response {
    let to = |path: &str| see_other(&format!("{path}?{}", params.to_query()));
    match step {
        Step::Login => (jar, to(routes::LOGIN)).into_response(),
        Step::SecondFactor(pending) => {
            let cookie = cookies::cookie(
                Kind::PendingSignIn,
                pending.cookie_value,
                state.secure_cookies(),
            );
            (jar.add(cookie), to(routes::SECOND_STEP)).into_response()
        }
        Step::Enrol => (jar, to(routes::ACCOUNT_MFA)).into_response(),
        Step::Consent => (jar, to(routes::CONSENT)).into_response(),
        Step::Redirect(location) => (jar, see_other(&location)).into_response(),
    }
}
