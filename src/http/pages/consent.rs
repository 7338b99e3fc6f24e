//! The consent page (`/consent`, OIDC Core §3.1.2.4). What it decides is `service::consent`.
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;

use super::authorize::{admit, resolve, step_response};
use super::cookies::{self, Kind};
use super::templates::{ConsentPage, describe_scope};
use crate::auth::csrf;
use crate::http::error::{HttpError, HttpResult};
use crate::http::form::{page_form, query};
use crate::http::html::render_with_image;
use crate::http::locale::PageLocale;
use crate::http::respond::see_other;
use crate::i18n::Message;
use crate::oauth::consent::apis_asked;
use crate::oauth::params::Params;
use crate::routes;
use crate::service::authorize::{Entry, Resolved};
use crate::service::consent;
use crate::state::AppState;

pub async fn consent_page(
    State(state): State<AppState>,
    PageLocale(locale): PageLocale,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> HttpResult {
    let now = state.now();
    let asked = query(raw);
    let state = admit(&state, &asked, now).await?;
    let Resolved {
        request,
        client,
        carried: params,
    } = resolve(&state, &asked, Entry::Page, now).await?;
    let cookie = cookies::read(&jar, Kind::Session, state.secure_cookies());
    let Some(current) = consent::signed_in_for(&state, &request, cookie, now).await? else {
        return Ok(sign_in_again(&params));
    };
    let (jar, csrf_token) = cookies::csrf_token(jar, state.secure_cookies());
    let page = ConsentPage {
        brand: state.branding(),
        locale,
        client_name: client.name.clone(),
        user_email: current.email().to_string(),
        scopes: request.scope.iter().filter_map(describe_scope).collect(),
        apis: apis_asked(client, &request.scope, &request.resources)
            .into_iter()
            .map(|(api, scope)| (api.name.clone(), scope.iter().map(String::from).collect()))
            .collect(),
        action: format!("{}?{}", routes::CONSENT, params.to_query()),
        csrf_token,
        asker: consent::asker(&state, client, &request.redirect_uri, now),
    };
    let logo = page.asker.logo_uri.clone();
    let page = render_with_image(
        StatusCode::OK,
        page,
        Some(&request.redirect_uri),
        logo.as_deref(),
    );
    Ok((jar, page).into_response())
}

pub async fn consent_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResult {
    let now = state.now();
    let asked = query(raw);
    let state = admit(&state, &asked, now).await?;
    let Resolved {
        request,
        client,
        carried: params,
    } = resolve(&state, &asked, Entry::Page, now).await?;
    let form = page_form(&headers, &body)?;
    let secure = state.secure_cookies();
    if !cookies::csrf_ok(&jar, secure, form.get(csrf::FIELD)) {
        return Err(HttpError::page(
            StatusCode::FORBIDDEN,
            "error-form-expired-title",
            Message::new("error-form-expired-sign-in-again"),
        ));
    }
    let cookie = cookies::read(&jar, Kind::Session, secure);
    let Some(current) = consent::signed_in_for(&state, &request, cookie, now).await? else {
        return Ok(sign_in_again(&params));
    };
    let step = match form.get("decision") {
        Some("allow") => consent::allow(&state, &request, client, &current, now).await?,
        Some("deny") => consent::deny(&state, &request, now).await?,
        _ => {
            let why = Message::new("error-choose-allow-or-deny");
            let title = "error-invalid-form-title";
            return Err(HttpError::page(StatusCode::BAD_REQUEST, title, why));
        }
    };
    Ok(step_response(&state, jar, step, &params))
}

fn sign_in_again(params: &Params) -> axum::response::Response {
    see_other(&format!("{}?{}", routes::LOGIN, params.to_query()))
}
