//! Browser plumbing shared by the pages: the session cookie, the CSRF cookie, and 303s.
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use super::AppError;
use crate::auth::{csrf, session};
use crate::oauth::tokens::hash_secret;
use crate::state::AppState;
use crate::store::sessions::SessionRow;

/// The signed-in session behind the request's cookie, if it is still live.
pub async fn current_session(
    state: &AppState,
    jar: &CookieJar,
) -> Result<Option<SessionRow>, AppError> {
    let Some(cookie) = jar.get(session::cookie_name(state.secure_cookies())) else {
        return Ok(None);
    };
    let id_hash = hash_secret(cookie.value());
    Ok(state
        .store()
        .find_active_session(&id_hash, state.now(), state.config().session_idle_ttl)
        .await?)
}

/// The CSRF token for a form on this page, reusing the browser's cookie when it has one.
pub fn csrf_token(jar: CookieJar, secure: bool) -> (CookieJar, String) {
    if let Some(existing) = jar.get(csrf::cookie_name(secure))
        && !existing.value().is_empty()
    {
        let token = existing.value().to_string();
        return (jar, token);
    }
    let token = csrf::new_token();
    (jar.add(csrf::csrf_cookie(token.clone(), secure)), token)
}

pub fn csrf_ok(jar: &CookieJar, secure: bool, form_token: Option<&str>) -> bool {
    csrf::tokens_match(
        jar.get(csrf::cookie_name(secure)).map(|c| c.value()),
        form_token,
    )
}

/// `303 See Other`: after a POST the browser follows with a GET, never re-posting the form.
pub fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, value),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response(),
        Err(_) => super::generic_internal_error(),
    }
}

/// Appends response parameters to a redirect URI, keeping any query it was registered with
/// (RFC 6749 §3.1.2) and never touching the rest of the string.
pub fn redirect_uri_with(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return redirect_uri.to_string();
    }
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        query.append_pair(name, value);
    }
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{separator}{}", query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_parameters_are_appended() {
        assert_eq!(
            redirect_uri_with("https://a/cb", &[("code", "x y")]),
            "https://a/cb?code=x+y"
        );
        assert_eq!(
            redirect_uri_with("https://a/cb?k=v", &[("code", "c")]),
            "https://a/cb?k=v&code=c"
        );
    }
}
