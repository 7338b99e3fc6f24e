//! The pages emailed links open. Each trades the token in its URL for a cookie at once (303
//! to the same page without it), then shows a form; only the form's POST uses the link, so a
//! mail scanner that opens links spends nothing, and the token is in no history or Referer.
//! What each link does is `service::emailed`.
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use super::continuation::AccountPage;
use super::cookies::{self, Kind};
use super::email_templates::{ConfirmLinkPage, NoticePage};
use super::page_form::{Continues, EXPIRED_RELOAD, OpenForm, PageForm};
use crate::http::error::HttpResult;
use crate::http::form::query;
use crate::http::html::render;
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::Locale;
use crate::routes;
use crate::service::emailed::{email_change, sign_up, verification};
use crate::state::AppState;

/// `GET path?token=…`: the token goes into a cookie and the browser comes back without it.
pub(super) fn trade_token(
    state: &AppState,
    jar: &CookieJar,
    path: &str,
    raw: Option<String>,
) -> Option<Response> {
    let token = query(raw).get("token")?.to_string();
    let cookie = cookies::cookie(Kind::EmailLink, token, state.secure_cookies());
    Some((jar.clone().add(cookie), see_other(path)).into_response())
}

pub(super) fn token(state: &AppState, jar: &CookieJar) -> Option<String> {
    cookies::read(jar, Kind::EmailLink, state.secure_cookies()).map(str::to_string)
}

fn notice(
    state: &AppState,
    locale: Locale,
    status: StatusCode,
    title: &str,
    message: &str,
    link: Option<(&str, &str)>,
) -> Response {
    let page = NoticePage {
        brand: state.branding(),
        locale,
        title: locale.text(title),
        message: locale.text(message),
        link: link.map(|(href, label)| (href.to_string(), locale.text(label))),
    };
    render(status, page, None)
}

/// The page of a link that is expired, used or unknown.
pub(super) fn expired(state: &AppState, locale: Locale) -> Response {
    notice(
        state,
        locale,
        StatusCode::GONE,
        "link-expired-title",
        "link-expired",
        Some((routes::LOGIN, "link-expired-sign-in")),
    )
}

/// A posted link form: CSRF checked; the link's token from its cookie, which goes.
async fn open_link_form(
    state: &AppState,
    form: PageForm,
) -> Result<(OpenForm<'_>, Option<String>), crate::http::error::HttpError> {
    let mut form = form
        .open(state, Continues::To(AccountPage::Overview))
        .await?
        .require_csrf(EXPIRED_RELOAD)?;
    let token = form.cookie(state, Kind::EmailLink).map(str::to_string);
    form.jar = form
        .jar
        .add(cookies::removal(Kind::EmailLink, state.secure_cookies()));
    Ok((form, token))
}

/// A link page with one button.
struct Confirm {
    path: &'static str,
    title: &'static str,
    lead: &'static str,
    submit: &'static str,
}

async fn show_confirm(
    state: &AppState,
    locale: Locale,
    jar: CookieJar,
    confirm: Confirm,
    email: Option<String>,
) -> HttpResult {
    let Some(email) = email else {
        return Ok((jar, expired(state, locale)).into_response());
    };
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = ConfirmLinkPage {
        brand: state.branding(),
        locale,
        title: locale.text(confirm.title),
        lead_html: locale.markup(confirm.lead, "email", &email),
        action: confirm.path.to_string(),
        csrf_token,
        submit: locale.text(confirm.submit),
    };
    Ok((jar, render(StatusCode::OK, page, None)).into_response())
}

const VERIFY: Confirm = Confirm {
    path: routes::EMAIL_VERIFY,
    title: "verify-title",
    lead: "verify-lead-html",
    submit: "verify-submit",
};

pub async fn verify_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    if let Some(traded) = trade_token(&state, &jar, VERIFY.path, raw) {
        return Ok(traded);
    }
    let email = verification::email_of(&state, token(&state, &jar).as_deref(), state.now()).await?;
    show_confirm(&state, locale, jar, VERIFY, email).await
}

pub async fn verify_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    form: PageForm,
) -> HttpResult {
    let (form, token) = open_link_form(&state, form).await?;
    let page = match verification::confirm(&state, token.as_deref(), state.now()).await? {
        true => notice(
            &state,
            locale,
            StatusCode::OK,
            "verify-done-title",
            "verify-done",
            Some((routes::ACCOUNT, "notice-to-account")),
        ),
        false => expired(&state, locale),
    };
    Ok((form.jar, page).into_response())
}

const SIGN_UP_CONFIRM: Confirm = Confirm {
    path: routes::SIGN_UP_CONFIRM,
    title: "sign-up-confirm-title",
    lead: "sign-up-confirm-lead-html",
    submit: "sign-up-confirm-submit",
};

pub async fn sign_up_confirm_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    if let Some(traded) = trade_token(&state, &jar, SIGN_UP_CONFIRM.path, raw) {
        return Ok(traded);
    }
    let email = sign_up::email_of(&state, token(&state, &jar).as_deref(), state.now()).await?;
    show_confirm(&state, locale, jar, SIGN_UP_CONFIRM, email).await
}

pub async fn sign_up_confirm_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    form: PageForm,
) -> HttpResult {
    let (form, token) = open_link_form(&state, form).await?;
    let page = match sign_up::confirm(&state, token.as_deref(), locale, state.now()).await? {
        sign_up::Confirmed::Created => notice(
            &state,
            locale,
            StatusCode::OK,
            "sign-up-done-title",
            "sign-up-done",
            Some((routes::LOGIN, "sign-up-done-sign-in")),
        ),
        sign_up::Confirmed::AlreadyExists => notice(
            &state,
            locale,
            StatusCode::CONFLICT,
            "sign-up-exists-title",
            "sign-up-exists",
            Some((routes::LOGIN, "sign-up-done-sign-in")),
        ),
        sign_up::Confirmed::Expired => expired(&state, locale),
    };
    Ok((form.jar, page).into_response())
}

const CHANGE_CONFIRM: Confirm = Confirm {
    path: routes::EMAIL_CHANGE_CONFIRM,
    title: "email-change-confirm-title",
    lead: "email-change-confirm-lead-html",
    submit: "email-change-confirm-submit",
};

const CHANGE_UNDO: Confirm = Confirm {
    path: routes::EMAIL_CHANGE_UNDO,
    title: "email-change-undo-title",
    lead: "email-change-undo-lead-html",
    submit: "email-change-undo-submit",
};

pub async fn change_confirm_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    if let Some(traded) = trade_token(&state, &jar, CHANGE_CONFIRM.path, raw) {
        return Ok(traded);
    }
    let token = token(&state, &jar);
    let email = email_change::new_address_of(&state, token.as_deref(), state.now()).await?;
    show_confirm(&state, locale, jar, CHANGE_CONFIRM, email).await
}

pub async fn change_undo_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    if let Some(traded) = trade_token(&state, &jar, CHANGE_UNDO.path, raw) {
        return Ok(traded);
    }
    let token = token(&state, &jar);
    let email = email_change::old_address_of(&state, token.as_deref(), state.now()).await?;
    show_confirm(&state, locale, jar, CHANGE_UNDO, email).await
}

pub async fn change_confirm_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    form: PageForm,
) -> HttpResult {
    let (form, token) = open_link_form(&state, form).await?;
    let changed = email_change::confirm(&state, token.as_deref(), state.now()).await?;
    let page = changed_page(&state, locale, changed, "email-change-done");
    Ok((form.jar, page).into_response())
}

pub async fn change_undo_submit(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    form: PageForm,
) -> HttpResult {
    let (form, token) = open_link_form(&state, form).await?;
    let changed = email_change::undo(&state, token.as_deref(), state.now()).await?;
    let page = match changed {
        email_change::Changed::Done => notice(
            &state,
            locale,
            StatusCode::OK,
            "email-change-undone-title",
            "email-change-undone",
            Some((routes::PASSWORD_FORGOT, "email-change-undone-reset")),
        ),
        other => changed_page(&state, locale, other, "email-change-done"),
    };
    Ok((form.jar, page).into_response())
}

fn changed_page(
    state: &AppState,
    locale: Locale,
    changed: email_change::Changed,
    done: &str,
) -> Response {
    match changed {
        email_change::Changed::Done => notice(
            state,
            locale,
            StatusCode::OK,
            "email-change-done-title",
            done,
            Some((routes::ACCOUNT, "notice-to-account")),
        ),
        email_change::Changed::Taken => notice(
            state,
            locale,
            StatusCode::CONFLICT,
            "email-change-taken-title",
            "email-change-taken",
            Some((routes::ACCOUNT, "notice-to-account")),
        ),
        email_change::Changed::Expired => expired(state, locale),
    }
}
