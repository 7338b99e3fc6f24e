//! The one error type of the handlers. Each kind is rendered in one place, the way its RFC
//! says: an HTML page, an authorization error redirect (RFC 6749 §4.1.2.1), a §5.2 JSON body
//! (401 + `WWW-Authenticate` for `invalid_client`), an RFC 6750 bearer challenge. Internal
//! failures are logged with their source under the request's span and answered with a body
//! that says nothing.
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::html;
use super::respond::{no_store_headers, see_other};
use crate::i18n::Message;
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::service;

#[derive(Debug)]
pub enum HttpError {
    /// An error page for the user. Its words are message ids, not text: this type turns into
    /// a response without seeing the request, so the page is rendered in English here and
    /// again in the request's language by `locale::localize_error_pages`, which does.
    Page {
        status: StatusCode,
        /// The message id of the title.
        title: &'static str,
        message: Message,
    },
    /// A 303 instead of the page: an authorization error sent back to the client's verified
    /// redirect_uri, or the sign-in a page needs first.
    Redirect(String),
    /// An error of the token, revocation or introspection endpoint.
    OAuth(OAuthError),
    /// An error of a resource endpoint (userinfo), as a bearer-token challenge.
    Bearer(OAuthError),
    /// Too many failed client authentications.
    Throttled {
        retry_after: i64,
    },
    /// The argon2 queue is full.
    Overloaded,
    Internal(service::Internal),
}

pub type HttpResult = Result<Response, HttpError>;

impl HttpError {
    /// An error page titled by message `title`, saying `message`.
    pub fn page(status: StatusCode, title: &'static str, message: Message) -> Self {
        Self::Page {
            status,
            title,
            message,
        }
    }

    /// A service error at a resource endpoint: protocol refusals become bearer challenges.
    pub fn bearer(error: service::Error) -> Self {
        match error {
            service::Error::OAuth(e) => Self::Bearer(e),
            other => other.into(),
        }
    }
}

impl From<service::Error> for HttpError {
    fn from(error: service::Error) -> Self {
        match error {
            service::Error::OAuth(e) => Self::OAuth(e),
            service::Error::Throttled { retry_after } => Self::Throttled { retry_after },
            service::Error::Overloaded => Self::Overloaded,
            service::Error::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<OAuthError> for HttpError {
    fn from(error: OAuthError) -> Self {
        Self::OAuth(error)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        match self {
            Self::Page {
                status,
                title,
                message,
            } => html::error_page(status, title, message),
            Self::Redirect(location) => see_other(&location),
            Self::OAuth(error) => oauth_json(&error),
            Self::Bearer(error) => bearer_challenge(&error),
            Self::Throttled { retry_after } => throttled(retry_after),
            Self::Overloaded => overloaded(),
            Self::Internal(error) => internal(&error),
        }
    }
}

/// RFC 6749 §5.2.
fn oauth_json(error: &OAuthError) -> Response {
    let invalid_client = error.code == ErrorCode::InvalidClient;
    let status = if invalid_client {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    let body = json!({ "error": error.code.as_str(), "error_description": error.description });
    let mut response = (status, no_store_headers(), Json(body)).into_response();
    if invalid_client {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"tessera\", charset=\"UTF-8\""),
        );
    }
    response
}

/// RFC 6750 §3: the status follows the error code; no credentials at all gets a bare
/// challenge without an error code.
fn bearer_challenge(error: &OAuthError) -> Response {
    resource_challenge("Bearer realm=\"tessera\", ", "", error)
}

/// RFC 9449 §7.1: a refusal of a DPoP-bound token, or of a DPoP proof, is a challenge of the
/// DPoP scheme naming the algorithms a proof may use; `use_dpop_nonce` and
/// `invalid_dpop_proof` are 401 like `invalid_token`.
pub fn dpop_challenge(error: &OAuthError) -> Response {
    let algs = format!(
        ", algs=\"{}\"",
        crate::oauth::dpop::SUPPORTED_ALGS.join(" ")
    );
    resource_challenge("DPoP ", &algs, error)
}

/// `WWW-Authenticate: <start>error="…", error_description="…"<end>` and the same in JSON.
fn resource_challenge(start: &str, end: &str, error: &OAuthError) -> Response {
    let status = match error.code {
        ErrorCode::InvalidRequest => StatusCode::BAD_REQUEST,
        ErrorCode::InsufficientScope => StatusCode::FORBIDDEN,
        _ => StatusCode::UNAUTHORIZED,
    };
    // Descriptions are our own constant texts; quotes are replaced all the same.
    let challenge = format!(
        "{start}error=\"{}\", error_description=\"{}\"{end}",
        error.code.as_str(),
        error.description.replace(['"', '\\'], "'")
    );
    let challenge = HeaderValue::from_str(&challenge)
        .unwrap_or(HeaderValue::from_static("Bearer error=\"invalid_token\""));
    let body = json!({ "error": error.code.as_str(), "error_description": error.description });
    (status, [(header::WWW_AUTHENTICATE, challenge)], Json(body)).into_response()
}

fn throttled(retry_after: i64) -> Response {
    let body = json!({
        "error": "invalid_client",
        "error_description": format!("too many failed client authentications; retry after {retry_after} seconds"),
    });
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        no_store_headers(),
        Json(body),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// A login flood: shed load quickly instead of queueing without bound.
fn overloaded() -> Response {
    tracing::warn!("password hashing queue full: answering 503");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::RETRY_AFTER, "1"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        "Too many sign-ins at this moment. Please try again in a few seconds.",
    )
        .into_response()
}

/// Marks a response as "the database is unavailable", so the API routes can answer it in
/// their own format (see `unavailable_as_json`).
#[derive(Debug, Clone, Copy)]
pub struct Unavailable;

fn internal(error: &service::Internal) -> Response {
    if error.is_unavailable() {
        tracing::error!(error = %error, "database unavailable");
        let mut response = html::error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "error-unavailable-title",
            Message::new("error-unavailable"),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        response.extensions_mut().insert(Unavailable);
        return response;
    }
    tracing::error!(error = %error, "request failed");
    super::respond::generic_internal_error()
}

/// On the JSON endpoints, "unavailable" is `temporarily_unavailable` JSON (the RFC 6749
/// §4.1.2.1 code) with 503 and `Retry-After`, not a page.
pub async fn unavailable_as_json(response: Response) -> Response {
    if response.extensions().get::<Unavailable>().is_none() {
        return response;
    }
    let body = json!({
        "error": "temporarily_unavailable",
        "error_description": "the database is unreachable; try again in a few seconds",
    });
    let mut json = (
        StatusCode::SERVICE_UNAVAILABLE,
        no_store_headers(),
        Json(body),
    )
        .into_response();
    json.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    json
}
