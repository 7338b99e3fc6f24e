//! Signing in through an upstream provider: the sign-in page's "Continue with …" link
//! (`/login/upstream/{id}`) sends the browser to the provider, and the provider's callback
//! (`/login/upstream/{id}/callback`) brings it back. What a trip decides is
//! `service::upstream_trip`; this reads the query and cookies and shows the outcome: on with
//! the sign-in as a password would go, or the sign-in page again with what went wrong.
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;

use super::continuation::Next;
use super::cookies::{self, Kind};
use super::sign_in::LoginForm;
use crate::http::error::{HttpError, HttpResult};
use crate::http::form::query;
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::{Locale, Message};
use crate::oauth::params::Params;
use crate::routes;
use crate::service::sign_in::upstream::{UpstreamRefusal, UpstreamSignIn};
use crate::service::upstream_trip::{
    self, Browser, Callback, CallbackQuery, Failure, LinkOutcome, Start, TripFor,
};
use crate::state::AppState;

/// `GET /login/upstream/{id}`: off to the provider, the continuation kept server-side.
pub async fn start(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    Path(upstream_id): Path<String>,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let next = Next::from_params(&state, query(raw)).await?;
    let continuation = next.query();
    let trip_for = TripFor::SignIn {
        continuation: &continuation,
    };
    let now = state.now();
    match upstream_trip::start(&state, &upstream_id, trip_for, now).await? {
        Start::Go {
            redirect,
            cookie_value,
        } => {
            let secure = state.secure_cookies();
            let jar = jar.add(cookies::cookie(Kind::UpstreamTrip, cookie_value, secure));
            Ok((jar, see_other(redirect.as_str())).into_response())
        }
        Start::Unknown => Err(not_found()),
        Start::Unavailable => {
            let message = failure_message(&state, locale, &upstream_id, Failure::Unavailable);
            let form = login_form(&state, &next, locale);
            form.show(jar, Some(message), StatusCode::SERVICE_UNAVAILABLE)
                .await
        }
    }
}

/// `GET /login/upstream/{id}/callback`: the provider's answer.
pub async fn callback(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    Path(upstream_id): Path<String>,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let params = query(raw);
    let secure = state.secure_cookies();
    let now = state.now();
    let callback_query = CallbackQuery {
        state: params.get("state"),
        code: params.get("code"),
        error: params.get("error"),
        iss: params.get("iss"),
    };
    let browser = Browser {
        trip_cookie: cookies::read(&jar, Kind::UpstreamTrip, secure),
        session_cookie: cookies::read(&jar, Kind::Session, secure),
    };
    let outcome = upstream_trip::finish(&state, &upstream_id, callback_query, browser, now).await?;
    let jar = jar.add(cookies::removal(Kind::UpstreamTrip, secure));
    match outcome {
        Callback::NoTrip => Err(HttpError::page(
            StatusCode::BAD_REQUEST,
            "upstream-expired-title",
            Message::new("upstream-expired"),
        )),
        Callback::SignIn {
            continuation,
            outcome,
        } => {
            let next = continue_with(&state, &continuation).await?;
            let form = login_form(&state, &next, locale);
            match outcome {
                UpstreamSignIn::SignIn(sign_in) => form.answer(jar, Ok(sign_in), now).await,
                UpstreamSignIn::LinkFirst(link) => {
                    let cookie = cookies::cookie(Kind::PendingLink, link.cookie_value, secure);
                    let to = see_other(&next.action(routes::LOGIN));
                    Ok((jar.add(cookie), to).into_response())
                }
                UpstreamSignIn::Refused(refusal) => {
                    let message = refusal_message(&state, locale, &upstream_id, refusal);
                    form.show(jar, Some(message), StatusCode::FORBIDDEN).await
                }
            }
        }
        Callback::Failed {
            for_link: true,
            failure,
            ..
        } => Ok((jar, identities_done(failure_word(failure))).into_response()),
        Callback::Failed {
            continuation,
            failure,
            ..
        } => {
            let next = continue_with(&state, &continuation).await?;
            let message = failure_message(&state, locale, &upstream_id, failure);
            let status = match failure {
                Failure::Unavailable => StatusCode::BAD_GATEWAY,
                Failure::Denied | Failure::Refused => StatusCode::FORBIDDEN,
            };
            login_form(&state, &next, locale)
                .show(jar, Some(message), status)
                .await
        }
        Callback::Link(outcome) => Ok((jar, identities_done(link_word(outcome))).into_response()),
    }
}

/// The sign-in's continuation as the trip kept it (validated again: the client's settings
/// may have changed meanwhile).
async fn continue_with<'s>(state: &'s AppState, continuation: &str) -> Result<Next<'s>, HttpError> {
    Next::from_params(state, Params::parse(continuation.as_bytes())).await
}

fn login_form<'a>(state: &'a AppState, next: &'a Next<'a>, locale: Locale) -> LoginForm<'a> {
    LoginForm {
        state,
        next,
        locale,
        email: String::new(),
    }
}

fn not_found() -> HttpError {
    HttpError::page(
        StatusCode::NOT_FOUND,
        "error-not-found-title",
        Message::new("error-not-found"),
    )
}

/// The account's identities page, saying how a link from it ended (a word from a fixed list).
fn identities_done(word: &str) -> axum::response::Response {
    see_other(&format!("{}?done={word}", routes::ACCOUNT_IDENTITIES))
}

fn link_word(outcome: LinkOutcome) -> &'static str {
    match outcome {
        LinkOutcome::Linked => "linked",
        LinkOutcome::Refused(UpstreamRefusal::LinkedElsewhere) => "taken",
        LinkOutcome::Refused(_) => "refused",
        LinkOutcome::NotSignedIn => "expired",
    }
}

fn failure_word(failure: Failure) -> &'static str {
    match failure {
        Failure::Denied => "denied",
        Failure::Unavailable => "unavailable",
        Failure::Refused => "failed",
    }
}

/// The provider's name as configured (its id if it is gone since).
fn provider_name(state: &AppState, upstream_id: &str) -> String {
    let buttons = state.upstreams().buttons();
    let button = buttons.iter().find(|b| b.id == upstream_id);
    button.map_or_else(|| upstream_id.to_string(), |b| b.display_name.clone())
}

fn failure_message(
    state: &AppState,
    locale: Locale,
    upstream_id: &str,
    failure: Failure,
) -> String {
    let id = match failure {
        Failure::Denied => "upstream-denied",
        Failure::Unavailable => "upstream-unavailable",
        Failure::Refused => "upstream-failed",
    };
    locale.text_with(id, "provider", &provider_name(state, upstream_id))
}

fn refusal_message(
    state: &AppState,
    locale: Locale,
    upstream_id: &str,
    refusal: UpstreamRefusal,
) -> String {
    let id = match refusal {
        UpstreamRefusal::NoAccount => "upstream-no-account",
        UpstreamRefusal::DomainNotAllowed => "upstream-domain-not-allowed",
        UpstreamRefusal::NoVerifiedEmail => "upstream-no-verified-email",
        UpstreamRefusal::AccountDisabled => "upstream-account-disabled",
        UpstreamRefusal::LinkedElsewhere => "upstream-linked-elsewhere",
    };
    locale.text_with(id, "provider", &provider_name(state, upstream_id))
}
