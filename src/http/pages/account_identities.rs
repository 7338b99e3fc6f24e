//! The account's upstream identities (`/account/identities`): the providers linked (which
//! account there, when linked, last used), a "link" button for each other configured
//! provider, and "unlink" for each linked one. Linking and unlinking change how the account
//! signs in, so they ask for a recent sign-in as second-factor changes do (`reauth_max_age`).
//! What each does is `service::identities`.
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::continuation::{AccountPage, Next};
use super::cookies::{self, Kind};
use super::page_form::{Continues, EXPIRED_RELOAD, OpenForm, PageForm, signed_in};
use super::templates::IdentitiesPage;
use crate::http::error::{HttpError, HttpResult};
use crate::http::html::render_leading_to;
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::Locale;
use crate::routes;
use crate::service::identities::{self, Change};
use crate::service::signed_in::SignedIn;
use crate::state::AppState;

const HERE: Next<'static> = Next::Account(AccountPage::Identities);

/// What the page says after a change it redirected from (a fixed list: nothing from the
/// query reaches the page as text).
#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// The notice (`Ok`) or error (`Err`) message id for a `done` word.
fn said(done: &str) -> Option<Result<&'static str, &'static str>> {
    Some(match done {
        "linked" => Ok("identities-linked"),
        "unlinked" => Ok("identities-unlinked"),
        "taken" => Err("identities-linked-elsewhere"),
        "refused" => Err("identities-not-allowed"),
        "expired" => Err("identities-signed-out"),
        "denied" => Err("identities-denied"),
        "unavailable" => Err("identities-unavailable"),
        "failed" => Err("identities-failed"),
        _ => return None,
    })
}

pub async fn identities_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    Query(done): Query<Done>,
    jar: CookieJar,
) -> HttpResult {
    let current = signed_in(&state, &jar, &HERE).await?;
    let said = done.done.as_deref().and_then(said);
    show(&state, locale, &current, jar, said, StatusCode::OK).await
}

pub async fn link(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    form: PageForm,
) -> HttpResult {
    let (current, form) = signed_in_form(&state, form).await?;
    let now = state.now();
    let change = identities::link(&state, &current, form.get("upstream"), now).await?;
    answer(&state, locale, &current, form.jar, change).await
}

pub async fn unlink(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    form: PageForm,
) -> HttpResult {
    let (current, form) = signed_in_form(&state, form).await?;
    let now = state.now();
    let change = identities::unlink(&state, &current, form.get("upstream"), now).await?;
    answer(&state, locale, &current, form.jar, change).await
}

async fn answer(
    state: &AppState,
    locale: Locale,
    current: &SignedIn,
    jar: CookieJar,
    change: Change,
) -> HttpResult {
    let error = match change {
        Change::Go {
            redirect,
            cookie_value,
        } => {
            let cookie = cookies::cookie(Kind::UpstreamTrip, cookie_value, state.secure_cookies());
            return Ok((jar.add(cookie), see_other(redirect.as_str())).into_response());
        }
        Change::Unlinked => {
            let to = format!("{}?done=unlinked", routes::ACCOUNT_IDENTITIES);
            return Ok(see_other(&to));
        }
        Change::SignInAgain => "identities-sign-in-again",
        Change::LastWayToSignIn => "identities-last-way",
        Change::NotFound => "identities-not-found",
        Change::Unavailable => "identities-unavailable",
    };
    let status = StatusCode::CONFLICT;
    show(state, locale, current, jar, Some(Err(error)), status).await
}

async fn show(
    state: &AppState,
    locale: Locale,
    current: &SignedIn,
    jar: CookieJar,
    said: Option<Result<&'static str, &'static str>>,
    status: StatusCode,
) -> HttpResult {
    let now = state.now();
    let view = identities::identities(state, current).await?;
    // The link forms lead, through Tessera's 303, to the providers: the CSP's form-action
    // must allow their origins, which browsers check on redirects too.
    let targets = identities::link_targets(state, &view, now).await;
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = IdentitiesPage {
        brand: state.branding(),
        locale,
        email: current.email().to_string(),
        linked: view.linked,
        linkable: view.linkable,
        sign_in_again: format!("{}?return_to={}", routes::LOGIN, routes::ACCOUNT_IDENTITIES),
        csrf_token,
        notice: said.and_then(Result::ok).map(|id| locale.text(id)),
        error: said.and_then(Result::err).map(|id| locale.text(id)),
        now,
    };
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    Ok((jar, render_leading_to(status, page, &targets)).into_response())
}

/// A form of this page: its body, its CSRF token checked, and the signed-in user.
async fn signed_in_form(
    state: &AppState,
    form: PageForm,
) -> Result<(SignedIn, OpenForm<'_>), HttpError> {
    let form = form
        .open(state, Continues::To(AccountPage::Identities))
        .await?;
    let form = form.require_csrf(EXPIRED_RELOAD)?;
    Ok((form.signed_in(state).await?, form))
}
