//! Form bodies: the token, revocation and introspection endpoints and Tessera's own pages
//! accept only `application/x-www-form-urlencoded` (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1).
use axum::http::{HeaderMap, header};

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
