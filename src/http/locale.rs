//! The language of a page, from the request: `ui_locales` in the query, then
//! `Accept-Language`, then the configured `default_locale` (the choice itself is
//! `i18n::negotiate`).
//!
//! `ui_locales` is read from the page's own query string because the sign-in pages carry the
//! authorization request there whole (see `continuation`): the language a client asked for
//! at `/authorize` stays through sign-in, the second step, consent and enrolment without
//! being stored anywhere. A logout request may carry its own (RP-Initiated Logout 1.0 §2);
//! account pages have none unless an authorization request rides along, so the browser's
//! preference decides there.
//!
//! Error pages are made by `HttpError`'s `IntoResponse`, which has no request. They carry
//! their text as message ids (`LocalizedErrorPage` in the response's extensions) and
//! `localize_error_pages`, which sees the request, renders them in its language.
use std::convert::Infallible;

use axum::body::Body;
use axum::extract::{FromRef, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Uri, header};
use axum::middleware::Next;
use axum::response::Response;

use super::html::{self, LocalizedErrorPage};
use crate::i18n::{Locale, negotiate};
use crate::oauth::params::Params;
use crate::state::{AppState, SharedState};

/// The language a page handler renders in.
#[derive(Debug, Clone, Copy)]
pub struct PageLocale(pub Locale);

impl<S> FromRequestParts<S> for PageLocale
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let default = AppState::from_ref(state).config().default_locale;
        let accept_language = parts.headers.get(header::ACCEPT_LANGUAGE);
        Ok(Self(locale_of(&parts.uri, accept_language, default)))
    }
}

/// The negotiated locale of a request.
fn locale_of(uri: &Uri, accept_language: Option<&HeaderValue>, default: Locale) -> Locale {
    let query = Params::parse(uri.query().unwrap_or_default().as_bytes());
    let accept_language = accept_language.and_then(|value| value.to_str().ok());
    negotiate(query.get("ui_locales"), accept_language, default)
}

/// Renders the error pages made without a request in the request's language. The status
/// and every header (`Retry-After`, the page headers) are kept; only the body changes.
pub async fn localize_error_pages(
    State(shared): State<SharedState>,
    request: Request,
    next: Next,
) -> Response {
    // Kept aside (cheap copies) and negotiated only for the few responses that need it.
    let uri = request.uri().clone();
    let accept_language = request.headers().get(header::ACCEPT_LANGUAGE).cloned();
    let response = next.run(request).await;
    let Some(page) = response.extensions().get::<LocalizedErrorPage>().cloned() else {
        return response;
    };
    let default = AppState::of(&shared).config().default_locale;
    let locale = locale_of(&uri, accept_language.as_ref(), default);
    if locale == Locale::En {
        return response;
    }
    let (mut parts, english) = response.into_parts();
    match html::error_page_html(locale, page.title, &page.message) {
        Ok(html) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(html))
        }
        // Cannot happen with a template that compiled; English is better than nothing.
        Err(_) => Response::from_parts(parts, english),
    }
}
