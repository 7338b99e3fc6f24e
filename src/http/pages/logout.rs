//! `GET|POST /logout`: OpenID Connect RP-Initiated Logout 1.0. What it decides is
//! `service::logout`; this reads the request and shows the outcome.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use super::cookies::{self, Kind};
use super::templates::{LogoutPage, SignedOutPage};
use crate::auth::csrf;
use crate::http::error::{HttpError, HttpResult};
use crate::http::form::{page_form, query};
use crate::http::html::render;
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::{Locale, Message, negotiate};
use crate::oauth::client::Client;
use crate::oauth::params::Params;
use crate::service::logout::{self, InvalidLogout, Logout};
use crate::state::AppState;

/// Parameters carried through the confirmation page (`ui_locales` so that the
/// confirmation's answer is in the same language).
const CARRIED: [&str; 5] = [
    "id_token_hint",
    "client_id",
    "post_logout_redirect_uri",
    "state",
    "ui_locales",
];

pub async fn logout_get(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    respond(&state, locale, jar, &query(raw), false).await
}

pub async fn logout_post(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let params = page_form(&headers, &body)?;
    // Only our own confirmation form (with its CSRF token) counts as the user's confirmation;
    // a relying party may POST the logout request itself (§2), which still needs confirming.
    let confirmed = params.get("confirm") == Some("yes")
        && cookies::csrf_ok(&jar, state.secure_cookies(), params.get(csrf::FIELD));
    // A POSTed logout request carries its `ui_locales` (§2) in the body, not the query.
    let locale = negotiate(params.get("ui_locales"), None, locale);
    respond(&state, locale, jar, &params, confirmed).await
}

fn invalid_logout_message(why: InvalidLogout) -> Message {
    match why {
        InvalidLogout::DuplicateParameter(name) => {
            Message::new("error-duplicate-parameter").with_text("name", name)
        }
        InvalidLogout::ForeignHint => Message::new("error-logout-foreign-hint"),
        InvalidLogout::UnknownClient => Message::new("error-logout-unknown-client"),
        InvalidLogout::ClientMismatch => Message::new("error-logout-hint-mismatch"),
    }
}

/// Asks the user to confirm, carrying the request's parameters through the form.
fn confirmation(
    jar: CookieJar,
    state: &AppState,
    locale: Locale,
    params: &Params,
    client: Option<&Client>,
    redirect_uri: Option<String>,
) -> Response {
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let fields = CARRIED
        .iter()
        .filter_map(|name| params.get(name).map(|value| (*name, value.to_string())))
        .collect();
    let page = LogoutPage {
        brand: state.branding(),
        locale,
        client_name: client.map(|c| c.name.clone()),
        csrf_token,
        fields,
    };
    let page = render(StatusCode::OK, page, redirect_uri.as_deref());
    (jar, page).into_response()
}

async fn respond(
    state: &AppState,
    locale: Locale,
    jar: CookieJar,
    params: &Params,
    confirmed: bool,
) -> HttpResult {
    let secure = state.secure_cookies();
    let session = cookies::read(&jar, Kind::Session, secure);
    let admitted = logout::admit_client(state, params, state.now()).await?;
    let state = &admitted;
    match logout::logout(state, params, session, confirmed, state.now()).await? {
        Logout::Invalid(why) => Err(HttpError::page(
            StatusCode::BAD_REQUEST,
            "error-invalid-logout-title",
            invalid_logout_message(why),
        )),
        Logout::Confirm {
            client,
            redirect_uri,
        } => Ok(confirmation(
            jar,
            state,
            locale,
            params,
            client,
            redirect_uri,
        )),
        Logout::Done {
            signed_out,
            redirect,
        } => {
            let jar = match signed_out {
                true => jar.add(cookies::removal(Kind::Session, secure)),
                false => jar,
            };
            let done = match redirect {
                Some(uri) => see_other(&uri),
                None => render(
                    StatusCode::OK,
                    SignedOutPage {
                        brand: state.branding(),
                        locale,
                    },
                    None,
                ),
            };
            Ok((jar, done).into_response())
        }
    }
}
