//! Form bodies: the token, revocation and introspection endpoints and Tessera's own pages
//! accept only `application/x-www-form-urlencoded` (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1).
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use super::pages::error_page;
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

/// The parameters of a form posted to one of Tessera's pages (or `/authorize`, `/logout`),
/// or the 415 page for a body that is not form-encoded.
#[allow(clippy::result_large_err)] // the error is the finished response, returned once
pub fn page_form(headers: &HeaderMap, body: &[u8]) -> Result<Params, Response> {
    if is_form_content_type(headers) {
        Ok(Params::parse(body))
    } else {
        Err(error_page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Invalid form",
            "Forms and requests must be sent as application/x-www-form-urlencoded.",
        ))
    }
}
