//! The device flow's pages (RFC 8628 §3.3): `/device`, where a person types the code their
//! device shows (prefilled from `verification_uri_complete`), then the sign-in pages carrying
//! the device's handle, then `/device/consent` to allow or deny it, and a page saying to go
//! back to the device. What each step decides is `service::device`.
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use super::continuation::AccountPage;
use super::continuation::{DEVICE, device_ended};
use super::cookies::{self, Kind};
use super::device_templates::{DeviceConsentPage, DevicePage};
use super::email_templates::NoticePage;
use super::messages::{throttled_message, with_retry_after};
use super::page_form::{Continues, PageForm};
use super::templates::describe_scope;
use crate::http::client_ip::ClientIp;
use crate::http::error::{HttpError, HttpResult};
use crate::http::form::query;
use crate::http::html::render;
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::{Locale, Message};
use crate::oauth::consent::apis_asked;
use crate::oauth::params::Params;
use crate::routes;
use crate::service::device::answer::{self, Answered, Answerer};
use crate::service::device::entry::{self, Entry, WaitingDevice};
use crate::service::{self};
use crate::state::AppState;

pub async fn device_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let typed = query(raw).get("user_code").unwrap_or_default().to_string();
    Ok(entry_form(&state, jar, locale, typed, None, StatusCode::OK))
}

pub async fn device_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    posted: PageForm,
) -> HttpResult {
    // The code form carries no continuation: its query string is not read.
    let posted = posted
        .open(&state, Continues::To(AccountPage::Overview))
        .await?;
    let typed = posted.get("user_code").trim().to_string();
    let secure = state.secure_cookies();
    let browser = cookies::read(&posted.jar, Kind::Csrf, secure).map(str::to_string);
    let (true, Some(browser)) = (posted.csrf_ok, browser) else {
        let expired = Some(locale.text("device-form-expired"));
        let page = entry_form(
            &state,
            posted.jar,
            locale,
            typed,
            expired,
            StatusCode::FORBIDDEN,
        );
        return Ok(page);
    };
    let jar = posted.jar.clone();
    let now = state.now();
    match entry::enter(&state, &typed, ip, &browser, now).await {
        Ok(Entry::Found(handle)) => {
            let to = format!("{}?{}", routes::DEVICE_CONSENT, handle_query(&handle.0));
            Ok((jar, see_other(&to)).into_response())
        }
        Ok(Entry::Unknown) => {
            let wrong = Some(locale.text("device-code-wrong"));
            Ok(entry_form(
                &state,
                jar,
                locale,
                typed,
                wrong,
                StatusCode::OK,
            ))
        }
        Err(service::Error::Throttled { retry_after }) => {
            let message = Some(throttled_message(locale, retry_after));
            let status = StatusCode::TOO_MANY_REQUESTS;
            let page = entry_form(&state, jar, locale, typed, message, status);
            Ok(with_retry_after(page, retry_after))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn consent_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let handle = handle_of(&query(raw))?;
    let now = state.now();
    let waiting = waiting(&state, &handle, now).await?;
    let cookie = cookies::read(&jar, Kind::Session, state.secure_cookies());
    let current = match answer::answerer(&state, waiting.client, cookie, now).await? {
        Answerer::Ready(current) => current,
        Answerer::SignInFirst => return Ok(sign_in_first(&handle)),
        Answerer::SecondFactorMissing => {
            answer::deny(&state, &handle, waiting.client, None, now).await?;
            return Err(second_factor_missing(&waiting.client.name));
        }
    };
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = DeviceConsentPage {
        brand: state.branding(),
        locale,
        client_name: waiting.client.name.clone(),
        user_email: current.email().to_string(),
        scopes: waiting.scope.iter().filter_map(describe_scope).collect(),
        apis: apis_asked(waiting.client, &waiting.scope, &waiting.resources)
            .into_iter()
            .map(|(api, scope)| (api.name.clone(), scope.iter().map(String::from).collect()))
            .collect(),
        action: format!("{}?{}", routes::DEVICE_CONSENT, handle_query(&handle)),
        csrf_token,
    };
    Ok((jar, render(StatusCode::OK, page, None)).into_response())
}

pub async fn consent_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    RawQuery(raw): RawQuery,
    posted: PageForm,
) -> HttpResult {
    let handle = handle_of(&query(raw))?;
    let posted = posted
        .open(&state, Continues::To(AccountPage::Overview))
        .await?
        .require_csrf("error-form-expired-reload")?;
    let now = state.now();
    let waiting = waiting(&state, &handle, now).await?;
    let cookie = posted.cookie(&state, Kind::Session);
    let client = waiting.client;
    let current = match answer::answerer(&state, client, cookie, now).await? {
        Answerer::Ready(current) => current,
        Answerer::SignInFirst => return Ok(sign_in_first(&handle)),
        Answerer::SecondFactorMissing => {
            answer::deny(&state, &handle, client, None, now).await?;
            return Err(second_factor_missing(&client.name));
        }
    };
    let answered = match posted.get("decision") {
        "allow" => answer::allow(&state, &handle, client, &current, now).await?,
        "deny" => {
            let user = Some(current.user_id());
            answer::deny(&state, &handle, client, user, now).await?
        }
        _ => {
            let why = Message::new("error-choose-allow-or-deny");
            let title = "error-invalid-form-title";
            return Err(HttpError::page(StatusCode::BAD_REQUEST, title, why));
        }
    };
    let (title, message) = match answered {
        Answered::Approved => ("device-done-title", "device-approved"),
        Answered::Denied => ("device-denied-title", "device-denied"),
        Answered::NoLongerWaiting => return Err(device_ended()),
    };
    let page = NoticePage {
        brand: state.branding(),
        locale,
        title: locale.text(title),
        message: locale.text_with(message, "client", &client.name),
        link: None,
    };
    Ok(render(StatusCode::OK, page, None))
}

/// The form to type the code in, with `typed` in its field.
fn entry_form(
    state: &AppState,
    jar: CookieJar,
    locale: Locale,
    typed: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = DevicePage {
        brand: state.branding(),
        locale,
        action: routes::DEVICE.to_string(),
        csrf_token,
        user_code: typed,
        error,
    };
    (jar, render(status, page, None)).into_response()
}

async fn waiting<'s>(
    state: &'s AppState,
    handle: &str,
    now: i64,
) -> Result<WaitingDevice<'s>, HttpError> {
    entry::waiting(state, handle, now)
        .await?
        .ok_or_else(device_ended)
}

fn handle_of(params: &Params) -> Result<String, HttpError> {
    params
        .get(DEVICE)
        .map(str::to_string)
        .ok_or_else(device_ended)
}

fn handle_query(handle: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair(DEVICE, handle)
        .finish()
}

/// The sign-in pages, carrying the device's handle back here.
fn sign_in_first(handle: &str) -> Response {
    see_other(&format!("{}?{}", routes::LOGIN, handle_query(handle)))
}

fn second_factor_missing(client_name: &str) -> HttpError {
    let message = Message::new("device-second-factor-required").with_text("client", client_name);
    HttpError::page(StatusCode::FORBIDDEN, "device-ended-title", message)
}
