//! Request parameters: form bodies (`application/x-www-form-urlencoded` only, as RFC 6749
//! §3.2, RFC 7009 §2.1 and RFC 7662 §2.1 require, and for Tessera's own pages) and queries.
use axum::http::{HeaderMap, StatusCode, header};

use super::error::HttpError;
use crate::i18n::Message;
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;

/// True for `application/x-www-form-urlencoded`, with or without parameters such as charset.
pub fn is_form_content_type(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// A form posted to one of Tessera's pages (or `/authorize`, `/logout`); anything else is
/// the 415 page.
pub fn page_form(headers: &HeaderMap, body: &[u8]) -> Result<Params, HttpError> {
    if is_form_content_type(headers) {
        Ok(Params::parse(body))
    } else {
        Err(not_form_encoded())
    }
}

/// The 415 page for a page form that is not form-encoded.
pub fn not_form_encoded() -> HttpError {
    HttpError::page(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "error-invalid-form-title",
        Message::new("error-form-encoding"),
    )
}

/// The form of a client-authenticated JSON endpoint: form-encoded, no repeated parameter
/// but `resource`, which the token endpoint refuses itself with RFC 8707's `invalid_target`.
/// `form_encoded` is [`is_form_content_type`] of the request's headers.
pub fn api_form(form_encoded: bool, body: &[u8]) -> Result<Params, HttpError> {
    if !form_encoded {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        )
        .into());
    }
    let params = Params::parse(body);
    params.reject_duplicates_except(&["resource"])?;
    Ok(params)
}

/// A page's query string as parameters.
pub fn query(raw: Option<String>) -> Params {
    Params::parse(raw.unwrap_or_default().as_bytes())
}
