//! What every posted page form reads first, read once: the continuation riding in the query
//! string, the posted fields (form-encoded only), the cookie jar, whether the form's CSRF
//! token matches its cookie, and — on account pages — the signed-in user.
//!
//! The extractor takes the raw request; `open` then judges it in the order the pages always
//! have: the continuation first (an invalid authorization request is its error page, whatever
//! was posted), then the body's encoding (415), then the CSRF token, whose refusal each page
//! words its own way (the sign-in form shows itself again; an account form shows an error page).
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use super::continuation::{AccountPage, Next};
use super::cookies::{self, Kind};
use crate::auth::csrf;
use crate::http::error::HttpError;
use crate::http::form::{is_form_content_type, not_form_encoded};
use crate::i18n::Message;
use crate::oauth::params::Params;
use crate::service::signed_in::{self, SignedIn};
use crate::state::AppState;

/// A page form as it arrived, not yet judged.
pub struct PageForm {
    query: Params,
    /// The posted fields, or the 415 page when the body was not form-encoded; kept to be
    /// answered after the continuation is judged.
    fields: Result<Params, HttpError>,
    jar: CookieJar,
}

impl<S> FromRequest<S> for PageForm
where
    S: Send + Sync,
{
    /// Only a body past the size limit fails here, answered as axum answers it.
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let query = Params::parse(request.uri().query().unwrap_or_default().as_bytes());
        let jar = CookieJar::from_headers(request.headers());
        let form_encoded = is_form_content_type(request.headers());
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let fields = match form_encoded {
            true => Ok(Params::parse(&body)),
            false => Err(not_form_encoded()),
        };
        Ok(Self { query, fields, jar })
    }
}

/// Where a form leads once it succeeds.
#[derive(Debug, Clone, Copy)]
pub enum Continues {
    /// The authorization request in the query string, or else this account page.
    FromQuery(AccountPage),
    /// Always this account page; the query string is not read.
    To(AccountPage),
}

/// A page form, judged: its continuation, its fields, and whether its CSRF token held.
pub struct OpenForm<'s> {
    pub next: Next<'s>,
    pub fields: Params,
    pub jar: CookieJar,
    pub csrf_ok: bool,
}

impl PageForm {
    pub async fn open(
        self,
        state: &AppState,
        continues: Continues,
    ) -> Result<OpenForm<'_>, HttpError> {
        let next = match continues {
            Continues::FromQuery(page) => Next::from_params_or(state, self.query, page).await?,
            Continues::To(page) => Next::Account(page),
        };
        let fields = self.fields?;
        let csrf_ok = cookies::csrf_ok(&self.jar, state.secure_cookies(), fields.get(csrf::FIELD));
        Ok(OpenForm {
            next,
            fields,
            jar: self.jar,
            csrf_ok,
        })
    }
}

impl<'s> OpenForm<'s> {
    /// The form if its CSRF token held; otherwise the error page asking to `reload` (an
    /// account form) or to sign in again (the consent form).
    pub fn require_csrf(self, message: &'static str) -> Result<Self, HttpError> {
        if self.csrf_ok {
            return Ok(self);
        }
        Err(HttpError::page(
            StatusCode::FORBIDDEN,
            "error-form-expired-title",
            Message::new(message),
        ))
    }

    /// The browser's signed-in user, or the sign-in that comes back to this form's page.
    pub async fn signed_in(&self, state: &AppState) -> Result<SignedIn, HttpError> {
        signed_in(state, &self.jar, &self.next).await
    }

    /// Takes a field out of the form (a password or code, which is then zeroized by its new
    /// owner); empty when it was not sent.
    pub fn take(&mut self, name: &str) -> String {
        self.fields.take(name).unwrap_or_default()
    }

    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).unwrap_or_default()
    }

    /// The value of one of Tessera's cookies in the request, if present.
    pub fn cookie(&self, state: &AppState, kind: Kind) -> Option<&str> {
        cookies::read(&self.jar, kind, state.secure_cookies())
    }
}

/// The message of an account form whose CSRF token failed.
pub const EXPIRED_RELOAD: &str = "error-form-expired-reload";

/// The browser's signed-in user, or the sign-in that comes back to `next`.
pub async fn signed_in(
    state: &AppState,
    jar: &CookieJar,
    next: &Next<'_>,
) -> Result<SignedIn, HttpError> {
    let cookie = cookies::read(jar, Kind::Session, state.secure_cookies());
    signed_in::signed_in(state, cookie, state.now())
        .await?
        .ok_or_else(|| next.sign_in_first())
}
