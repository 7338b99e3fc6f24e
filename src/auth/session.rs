//! Browser session cookies. The cookie holds a 256-bit random id; the database holds only its
//! hash (see `store::sessions`). A new id is issued at every sign-in, so a planted cookie
//! cannot become an authenticated session (session fixation).
use axum_extra::extract::cookie::{Cookie, SameSite};

/// `__Host-` binds the cookie to this exact origin over https with Path=/ (RFC 6265bis §4.1.3.2).
/// A plain-http loopback issuer (development) cannot use the prefix or `Secure`.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-tessera_session"
    } else {
        "tessera_session"
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, Path=/, Secure when the issuer is https.
/// No Max-Age: the server decides expiry, and the cookie dies with the browser.
pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((cookie_name(secure), value))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .path("/")
        .build()
}

/// A cookie that tells the browser to forget the session.
pub fn removal_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = session_cookie(String::new(), secure);
    cookie.make_removal();
    cookie
}

/// The session's public identifier (`sid` in ID tokens, the handle on the account page):
/// a hash of the stored hash, so it can be shown without revealing the lookup key.
pub fn public_id(id_hash: &str) -> String {
    crate::oauth::tokens::hash_secret(id_hash)
}

/// Authentication methods (RFC 8176), stored as a space-separated list.
pub fn amr_to_string(amr: &[&str]) -> String {
    amr.join(" ")
}

pub fn amr_from_string(stored: &str) -> Vec<String> {
    stored
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
