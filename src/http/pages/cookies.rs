//! Tessera's cookies, all built one way: `__Host-` prefixed, `Secure`, `HttpOnly`,
//! `SameSite=Lax`, `Path=/`, no `Domain` and no `Max-Age` (RFC 6265bis §4.1.3.2). A plain-http
//! loopback issuer (development) cannot use the prefix or `Secure`, and drops both.
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::auth::csrf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The browser session (its value's hash is the session id in the database).
    Session,
    /// The double-submit CSRF token of the forms.
    Csrf,
    /// A sign-in waiting for its second factor.
    PendingSignIn,
    /// A trip to an upstream provider: the `state` it was sent with, which its callback must
    /// bring back.
    UpstreamTrip,
    /// An upstream identity waiting for the owner of the account with its email to sign in.
    PendingLink,
    /// The token of the emailed link being used, moved out of the URL (so it is in no
    /// history, log or Referer) until the link's form spends it.
    EmailLink,
}

impl Kind {
    fn name(self, secure: bool) -> &'static str {
        match (self, secure) {
            (Self::Session, true) => "__Host-tessera_session",
            (Self::Session, false) => "tessera_session",
            (Self::Csrf, true) => "__Host-tessera_csrf",
            (Self::Csrf, false) => "tessera_csrf",
            (Self::PendingSignIn, true) => "__Host-tessera_mfa",
            (Self::PendingSignIn, false) => "tessera_mfa",
            (Self::UpstreamTrip, true) => "__Host-tessera_upstream",
            (Self::UpstreamTrip, false) => "tessera_upstream",
            (Self::PendingLink, true) => "__Host-tessera_link",
            (Self::PendingLink, false) => "tessera_link",
            (Self::EmailLink, true) => "__Host-tessera_emailed",
            (Self::EmailLink, false) => "tessera_emailed",
        }
    }
}

pub fn cookie(kind: Kind, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((kind.name(secure), value))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .path("/")
        .build()
}

/// A cookie that tells the browser to forget `kind`.
pub fn removal(kind: Kind, secure: bool) -> Cookie<'static> {
    let mut cookie = cookie(kind, String::new(), secure);
    cookie.make_removal();
    cookie
}

/// The value of `kind` in the request's cookies, if present and not empty.
pub fn read(jar: &CookieJar, kind: Kind, secure: bool) -> Option<&str> {
    jar.get(kind.name(secure))
        .map(|c| c.value())
        .filter(|v| !v.is_empty())
}

/// The CSRF token for a form on this page, reusing the browser's cookie when it has one.
pub fn csrf_token(jar: CookieJar, secure: bool) -> (CookieJar, String) {
    if let Some(existing) = read(&jar, Kind::Csrf, secure) {
        let token = existing.to_string();
        return (jar, token);
    }
    let token = csrf::new_token();
    (jar.add(cookie(Kind::Csrf, token.clone(), secure)), token)
}

/// True when the form's token matches the cookie's (constant time).
pub fn csrf_ok(jar: &CookieJar, secure: bool, form_token: Option<&str>) -> bool {
    csrf::tokens_match(read(jar, Kind::Csrf, secure), form_token)
}

/// The browser's new session, with a fresh CSRF token (sign-in changes both).
pub fn signed_in(jar: CookieJar, session_cookie: String, secure: bool) -> CookieJar {
    jar.add(cookie(Kind::Session, session_cookie, secure))
        .add(cookie(Kind::Csrf, csrf::new_token(), secure))
}
