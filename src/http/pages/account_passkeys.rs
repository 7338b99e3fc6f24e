//! The account's passkeys (`/account/passkeys`): the list (name, kind, added, last used),
//! renaming, removing, and adding one through the page's script. Adding and removing change
//! the user's second factors, so they ask for what `service::factors` needs: the password after
//! `reauth_max_age`, and for a user with a second factor a TOTP code (or a fresh sign-in with
//! a passkey) once the session's second step is older than that. What each does is
//! `service::passkeys`.
use std::net::IpAddr;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::continuation::{AccountPage, Next};
use super::cookies;
use super::messages::{passkey_refusal, throttled_message, with_retry_after};
use super::page_form::{Continues, EXPIRED_RELOAD, OpenForm, PageForm, signed_in};
use super::templates::{PasskeyOffer, PasskeysPage};
use crate::auth::passkey::Unavailable;
use crate::http::client_ip::ClientIp;
use crate::http::error::{HttpError, HttpResult};
use crate::http::html::{render, render_with_script};
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::Locale;
use crate::routes;
use crate::service;
use crate::service::factors::{self, ChangeRequest};
use crate::service::passkeys::registration::{self, Addition, Removal};
use crate::service::passkeys::{self, CeremonyStart, Refusal};
use crate::service::signed_in::SignedIn;
use crate::state::AppState;

/// What the page says after a change it redirected from (a fixed list: nothing from the
/// query reaches the page as text).
#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

const HERE: Next<'static> = Next::Account(AccountPage::Passkeys);

fn notice_for(done: &str) -> Option<&'static str> {
    match done {
        "added" => Some("passkey-added"),
        "renamed" => Some("passkey-renamed"),
        "removed" => Some("passkey-removed"),
        _ => None,
    }
}

pub async fn passkeys_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    Query(done): Query<Done>,
    jar: CookieJar,
) -> HttpResult {
    let current = signed_in(&state, &jar, &HERE).await?;
    let notice = done.done.as_deref().and_then(notice_for);
    let view = View::new(&state, locale, &current);
    view.show(jar, None, notice, StatusCode::OK).await
}

pub async fn add(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    form: PageForm,
) -> HttpResult {
    let (current, mut form) = signed_in_form(&state, form).await?;
    let view = View::new(&state, locale, &current);
    let who = view.who(&mut form, ip);
    let ceremony = form.get("ceremony");
    let credential = form.get("credential");
    let name = form.get("name");
    let now = state.now();
    let outcome = registration::finish(&state, who, ceremony, credential, name, now).await;
    view.answer(form.jar, "added", outcome.map(Addition::refusal))
        .await
}

pub async fn rename(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    form: PageForm,
) -> HttpResult {
    let (current, form) = signed_in_form(&state, form).await?;
    let id = form.get("id");
    let name = form.get("name");
    if passkeys::rename(&state, current.user_id(), id, name).await? {
        return Ok(done("renamed"));
    }
    let view = View::new(&state, locale, &current);
    let error = Some(locale.text("passkey-name-invalid"));
    view.show(form.jar, error, None, StatusCode::OK).await
}

pub async fn remove(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    ClientIp(ip): ClientIp,
    form: PageForm,
) -> HttpResult {
    let (current, mut form) = signed_in_form(&state, form).await?;
    let view = View::new(&state, locale, &current);
    let who = view.who(&mut form, ip);
    let id = form.get("id");
    let outcome = registration::remove(&state, who, id, state.now()).await;
    view.answer(form.jar, "removed", outcome.map(Removal::refusal))
        .await
}

fn done(what: &str) -> Response {
    see_other(&format!("{}?done={what}", routes::ACCOUNT_PASSKEYS))
}

/// The page for one signed-in user.
struct View<'a> {
    state: &'a AppState,
    locale: Locale,
    current: &'a SignedIn,
}

impl<'a> View<'a> {
    fn new(state: &'a AppState, locale: Locale, current: &'a SignedIn) -> Self {
        Self {
            state,
            locale,
            current,
        }
    }

    /// The user asking for a change, with the password and code typed into `form` (if any).
    fn who(&self, form: &mut OpenForm<'_>, ip: IpAddr) -> ChangeRequest<'a> {
        ChangeRequest {
            signed_in: self.current,
            password: Zeroizing::new(form.take("password")),
            code: Zeroizing::new(form.take("code")),
            ip,
        }
    }

    /// After a change: back to the page saying `what` happened, or the page with the reason
    /// it was refused.
    async fn answer(
        &self,
        jar: CookieJar,
        what: &'static str,
        refusal: service::Result<Option<Refusal>>,
    ) -> HttpResult {
        match refusal {
            Ok(None) => Ok(done(what)),
            Ok(Some(refusal)) => {
                let error = Some(self.locale.text(passkey_refusal(refusal)));
                self.show(jar, error, None, StatusCode::OK).await
            }
            Err(service::Error::Throttled { retry_after }) => {
                let error = Some(throttled_message(self.locale, retry_after));
                let status = StatusCode::TOO_MANY_REQUESTS;
                let page = self.show(jar, error, None, status).await?;
                Ok(with_retry_after(page, retry_after))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn show(
        &self,
        jar: CookieJar,
        error: Option<String>,
        notice: Option<&'static str>,
        status: StatusCode,
    ) -> HttpResult {
        let state = self.state;
        let now = state.now();
        let list = passkeys::list(state, self.current.user_id()).await?;
        let (add, unavailable) = match registration::begin(state, self.current, now).await? {
            CeremonyStart::Ready(ceremony) => {
                let action = routes::ACCOUNT_PASSKEYS_ADD.to_string();
                (Some(PasskeyOffer::new(ceremony, action)), None)
            }
            CeremonyStart::Unavailable => (None, Some(unavailable_reason(state))),
        };
        let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
        let with_script = add.is_some();
        let needed = factors::proof_needed(state, self.current, now).await?;
        let page = PasskeysPage {
            brand: state.branding(),
            locale: self.locale,
            email: self.current.email().to_string(),
            passkeys: list,
            add,
            unavailable,
            password_required: needed.password,
            second_factor_required: needed.second_factor,
            code_field: needed.code_accepted,
            csrf_token,
            error,
            notice: notice.map(|id| self.locale.text(id)),
            now,
        };
        let page = match with_script {
            true => render_with_script(status, page, None),
            false => render(status, page, None),
        };
        Ok((jar, page).into_response())
    }
}

/// The message id saying why this server cannot offer passkeys.
fn unavailable_reason(state: &AppState) -> &'static str {
    match state.passkeys().err() {
        Some(Unavailable::IpAddressIssuer) => "passkey-unavailable-ip",
        Some(Unavailable::InsecureOrigin) => "passkey-unavailable-insecure",
        _ => "passkey-unavailable",
    }
}

/// A form of this page: its body, its CSRF token checked, and the signed-in user.
async fn signed_in_form(
    state: &AppState,
    form: PageForm,
) -> Result<(SignedIn, OpenForm<'_>), HttpError> {
    let form = form
        .open(state, Continues::To(AccountPage::Passkeys))
        .await?;
    let form = form.require_csrf(EXPIRED_RELOAD)?;
    Ok((form.signed_in(state).await?, form))
}
