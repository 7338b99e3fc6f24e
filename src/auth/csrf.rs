//! CSRF protection for Tessera's forms: a double-submit token. A random token lives in a
//! `__Host-`, HttpOnly, SameSite=Lax cookie and in a hidden form field; a POST is accepted
//! only when both match. Another site can neither read the cookie nor set a `__Host-` cookie,
//! so it cannot produce a matching pair. The token is replaced at every sign-in.
use subtle::ConstantTimeEq;

use super::secret;

pub const FIELD: &str = "csrf_token";

pub fn new_token() -> String {
    secret::generate()
}

/// True when the form's token equals the cookie's (constant time).
pub fn tokens_match(cookie: Option<&str>, form: Option<&str>) -> bool {
    match (cookie, form) {
        (Some(cookie), Some(form)) if !cookie.is_empty() => {
            cookie.as_bytes().ct_eq(form.as_bytes()).into()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_must_be_present_and_equal() {
        assert!(tokens_match(Some("abc"), Some("abc")));
        assert!(!tokens_match(Some("abc"), Some("abd")));
        assert!(!tokens_match(None, Some("abc")));
        assert!(!tokens_match(Some("abc"), None));
        assert!(!tokens_match(Some(""), Some("")));
    }
}
