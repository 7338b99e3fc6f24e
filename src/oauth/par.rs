//! Pushed authorization requests (RFC 9126): what a pushed request may hold (§2.1), the
//! `request_uri` that names it (§2.2), and the handle under which a claimed one continues
//! through the sign-in pages, whose URLs then carry nothing the browser could change.
use std::fmt;

use super::error::{ErrorCode, OAuthError};
use super::params::Params;

/// RFC 9126 §2.2: the URN prefix of every `request_uri` Tessera issues.
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// The query parameter naming a claimed pushed request on the sign-in pages.
pub const CONTINUATION: &str = "pushed_request";
/// How a client authenticates at `/par`: never part of the request, never stored.
const CLIENT_CREDENTIALS: [&str; 3] =
    ["client_secret", "client_assertion", "client_assertion_type"];
/// The random part of a `request_uri` and of a handle: 256 bits, base64url.
const RANDOM_LEN: usize = 43;

/// The `request_uri` naming the pushed request whose random reference is `reference`.
pub fn request_uri(reference: &str) -> String {
    format!("{REQUEST_URI_PREFIX}{reference}")
}

/// The random reference in a `request_uri` Tessera could have issued; anything else (a URL
/// to fetch a request object from, which is not supported) is `invalid_request_uri`.
pub fn reference(request_uri: &str) -> Result<&str, OAuthError> {
    request_uri
        .strip_prefix(REQUEST_URI_PREFIX)
        .filter(|r| r.len() == RANDOM_LEN && r.bytes().all(is_base64url))
        .ok_or_else(invalid_request_uri)
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// RFC 9101 §7 / RFC 9126 §4: the `request_uri` is unknown, expired, used, or another
/// client's; which of these is not said.
pub fn invalid_request_uri() -> OAuthError {
    OAuthError::new(
        ErrorCode::InvalidRequestUri,
        "request_uri is unknown, expired, already used, or not this client's",
    )
}

/// The authorization request a client pushed (RFC 9126 §2.1): its form, less the parameters
/// that authenticated it, with `client_id` the client that did. A `request_uri` inside is
/// refused, and so is a `client_id` naming another client.
pub fn pushed_params(form: &Params, client_id: &str) -> Result<Params, OAuthError> {
    if form.get("request_uri").is_some() {
        return Err(OAuthError::invalid_request(
            "a pushed authorization request cannot contain request_uri (RFC 9126 §2.1)",
        ));
    }
    if form.get("client_id").is_some_and(|id| id != client_id) {
        return Err(OAuthError::invalid_request(
            "client_id differs from the authenticated client",
        ));
    }
    let mut params = form.clone();
    for name in CLIENT_CREDENTIALS {
        params.take(name);
    }
    params.set("client_id", Some(client_id));
    Ok(params)
}

/// The handle a pushed request continues under once `/authorize` claimed it: a secret of its
/// own, so the `request_uri` (single-use) is spent and only this browser's pages go on.
#[derive(Clone, PartialEq, Eq)]
pub struct PushedHandle(String);

impl PushedHandle {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The handle named by a sign-in page's query, if it has the shape of one.
    pub fn from_params(params: &Params) -> Option<Self> {
        params
            .get(CONTINUATION)
            .filter(|h| h.len() == RANDOM_LEN && h.bytes().all(is_base64url))
            .map(|h| Self(h.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PushedHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PushedHandle(..)")
    }
}

/// What the sign-in pages carry for a claimed pushed request: the client, the handle, and
/// the language the client asked for (the pages' words only; every decision reads the stored
/// request).
pub fn continuation(pushed: &Params, handle: &PushedHandle) -> Params {
    let mut carried = Params::default();
    carried.set("client_id", pushed.get("client_id"));
    carried.set(CONTINUATION, Some(handle.as_str()));
    carried.set("ui_locales", pushed.get("ui_locales"));
    carried
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";

    #[test]
    fn only_request_uris_of_our_shape_name_a_reference() {
        assert_eq!(reference(&request_uri(REFERENCE)), Ok(REFERENCE));
        for other in [
            "https://client.example/request.jwt",
            "urn:ietf:params:oauth:request_uri:short",
            &format!("urn:ietf:params:oauth:request_uri:{REFERENCE}x"),
            &format!("urn:ietf:params:oauth:request_uri:{}", "a/".repeat(22)),
            REFERENCE,
        ] {
            let refused = reference(other).unwrap_err();
            assert_eq!(refused.code, ErrorCode::InvalidRequestUri, "{other}");
        }
    }

    #[test]
    fn a_pushed_request_loses_the_credentials_and_may_not_name_a_request_uri_or_another_client() {
        let form = Params::parse(
            b"response_type=code&client_secret=s&client_assertion=a&client_assertion_type=t&scope=openid",
        );
        let pushed = pushed_params(&form, "app").unwrap();
        assert_eq!(pushed.get("client_id"), Some("app"));
        assert_eq!(pushed.get("scope"), Some("openid"));
        for gone in CLIENT_CREDENTIALS {
            assert_eq!(pushed.get(gone), None, "{gone}");
        }
        let inside = Params::parse(b"request_uri=urn%3Ax&scope=openid");
        assert_eq!(
            pushed_params(&inside, "app").unwrap_err().code,
            ErrorCode::InvalidRequest
        );
        let other = Params::parse(b"client_id=other&scope=openid");
        assert_eq!(
            pushed_params(&other, "app").unwrap_err().code,
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn the_pages_carry_the_client_the_handle_and_the_language_only() {
        let pushed = Params::parse(
            b"client_id=app&redirect_uri=https%3A%2F%2Fa%2Fcb&scope=openid&ui_locales=de",
        );
        let handle = PushedHandle::new(REFERENCE.into());
        let carried = continuation(&pushed, &handle);
        assert_eq!(
            carried.to_query(),
            format!("client_id=app&{CONTINUATION}={REFERENCE}&ui_locales=de")
        );
        assert_eq!(PushedHandle::from_params(&carried), Some(handle.clone()));
        assert_eq!(format!("{handle:?}"), "PushedHandle(..)");
        assert_eq!(
            PushedHandle::from_params(&Params::parse(b"pushed_request=x")),
            None
        );
    }
}
