//! Rendering a page, and the headers every page carries: a strict CSP that forbids framing
//! and scripts, no referrer, no caching. The error page lives here too: `HttpError` renders
//! it where no request is at hand, and `locale::localize_error_pages` renders it again in the
//! request's language.
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::branding::Branding;
use crate::i18n::{Locale, Message};
use crate::state::AppState;

/// An error page's text, still as message ids: the response's body is its English
/// rendering until `localize_error_pages` renders it in the request's language.
#[derive(Debug, Clone)]
pub struct LocalizedErrorPage {
    pub title: &'static str,
    pub message: Message,
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub title: String,
    pub message: String,
}

/// Renders a page. `final_redirect` is where a form on it may end up after our 303s:
/// browsers apply `form-action` to redirects too, so the client's redirect_uri origin must
/// be allowed or the last hop of the sign-in would be blocked.
pub fn render(
    status: StatusCode,
    page: impl IntoResponse,
    final_redirect: Option<&str>,
) -> Response {
    let mut response = (status, page).into_response();
    let targets: Vec<&str> = final_redirect.into_iter().collect();
    apply_page_headers(response.headers_mut(), &targets, Scripts::None);
    response
}

/// As [`render`], for a page showing one image from another origin (a metadata-document
/// client's logo on the consent page): `img-src` allows that URL alone. An image whose URL
/// cannot be written safely into the policy is left blocked.
pub fn render_with_image(
    status: StatusCode,
    page: impl IntoResponse,
    final_redirect: Option<&str>,
    image: Option<&str>,
) -> Response {
    let mut response = (status, page).into_response();
    let targets: Vec<&str> = final_redirect.into_iter().collect();
    apply_page_headers(response.headers_mut(), &targets, Scripts::None);
    if let Some(source) = image.and_then(csp_image_source) {
        let headers = response.headers_mut();
        let widened = headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|csp| csp.to_str().ok())
            .map(|csp| {
                csp.replacen(
                    "img-src 'self' data:",
                    &format!("img-src 'self' data: {source}"),
                    1,
                )
            })
            .and_then(|csp| HeaderValue::from_str(&csp).ok());
        if let Some(csp) = widened {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
    }
    response
}

/// As [`render`], for a page whose forms lead (through Tessera's 303s) to other origins
/// than the page's own: each of `targets` is allowed in `form-action`.
pub fn render_leading_to(
    status: StatusCode,
    page: impl IntoResponse,
    targets: &[&str],
) -> Response {
    let mut response = (status, page).into_response();
    apply_page_headers(response.headers_mut(), targets, Scripts::None);
    response
}

/// As [`render`], for a page that runs Tessera's own passkey script (and nothing else: no
/// inline script, no other origin).
pub fn render_with_script(
    status: StatusCode,
    page: impl IntoResponse,
    final_redirect: Option<&str>,
) -> Response {
    let mut response = (status, page).into_response();
    let targets: Vec<&str> = final_redirect.into_iter().collect();
    apply_page_headers(response.headers_mut(), &targets, Scripts::Own);
    response
}

/// Which scripts a page may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scripts {
    None,
    /// Files from Tessera's origin (`/assets/passkeys.js`).
    Own,
}

tokio::task_local! {
    /// The branding of the request being answered, for the one page rendered where no state
    /// is at hand: the error page, made by `HttpError::into_response` (and rendered again in
    /// the request's language by `locale::localize_error_pages`).
    static REQUEST_BRANDING: Arc<Branding>;
}

/// Middleware: makes the request's branding available to [`error_page`].
pub async fn with_branding(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    REQUEST_BRANDING
        .scope(state.branding(), next.run(request))
        .await
}

/// The branding of the request being answered (Tessera's own look outside a request).
fn request_branding() -> Arc<Branding> {
    REQUEST_BRANDING
        .try_with(Arc::clone)
        .unwrap_or_else(|_| Branding::standard())
}

/// An error page made where the request's language is unknown: rendered in English, and
/// marked so that `locale::localize_error_pages` renders it again in the request's language.
pub fn error_page(status: StatusCode, title: &'static str, message: Message) -> Response {
    let page = ErrorPage {
        brand: request_branding(),
        locale: Locale::En,
        title: Locale::En.text(title),
        message: Locale::En.message(&message),
    };
    let mut response = render(status, page, None);
    response
        .extensions_mut()
        .insert(LocalizedErrorPage { title, message });
    response
}

/// The body of an error page in `locale`.
pub fn error_page_html(
    locale: Locale,
    title: &'static str,
    message: &Message,
) -> askama::Result<String> {
    let page = ErrorPage {
        brand: request_branding(),
        locale,
        title: locale.text(title),
        message: locale.message(message),
    };
    page.render()
}

fn apply_page_headers(headers: &mut HeaderMap, targets: &[&str], scripts: Scripts) {
    let mut form_action = String::from("'self'");
    for source in targets.iter().filter_map(|target| csp_source_for(target)) {
        form_action.push(' ');
        form_action.push_str(&source);
    }
    let script_src = match scripts {
        Scripts::None => "",
        Scripts::Own => " script-src 'self';",
    };
    let csp = format!(
        "default-src 'none';{script_src} style-src 'self'; img-src 'self' data:; form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// The CSP source expression for a redirect URI: its origin for http(s), its scheme for
/// private-use schemes. Only characters that cannot break out of the directive pass.
fn csp_source_for(redirect_uri: &str) -> Option<String> {
    let url = url::Url::parse(redirect_uri).ok()?;
    let source = match url.scheme() {
        "http" | "https" => url.origin().ascii_serialization(),
        scheme => format!("{scheme}:"),
    };
    let safe = source
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._:/[]+".contains(&b));
    safe.then_some(source)
}

/// The CSP source for one https image: its origin and path (CSP matches paths exactly and
/// ignores queries), or nothing when a character could break out of the directive.
fn csp_image_source(image: &str) -> Option<String> {
    let url = url::Url::parse(image).ok()?;
    if url.scheme() != "https" {
        return None;
    }
    let source = format!("{}{}", url.origin().ascii_serialization(), url.path());
    let safe = source
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._:/[]+%~".contains(&b));
    safe.then_some(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_sources() {
        assert_eq!(
            csp_image_source("https://app.example/img/logo.png?v=2").unwrap(),
            "https://app.example/img/logo.png"
        );
        assert_eq!(csp_image_source("http://app.example/logo.png"), None);
        assert_eq!(csp_image_source("https://app.example/a;b.png"), None);
        assert_eq!(csp_image_source("https://app.example/a,b.png"), None);
    }

    #[test]
    fn csp_sources() {
        assert_eq!(
            csp_source_for("https://app.example:8443/cb?x=1").unwrap(),
            "https://app.example:8443"
        );
        assert_eq!(
            csp_source_for("http://127.0.0.1:5000/cb").unwrap(),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            csp_source_for("com.example.app:/cb").unwrap(),
            "com.example.app:"
        );
    }
}
