//! Tessera's HTML pages and the headers every page carries: a strict CSP that forbids
//! framing and scripts, no referrer, no caching. Every page has one `brand` field (what the
//! frame, `base.html`, shows of `[branding]`) and is rendered in one `Locale`: its templates
//! take all their words from the catalogue (`locale.text("…")`), and the `-html` messages,
//! which place an argument inside markup, go through `Locale::markup`, which escapes the
//! argument first.
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::locale::LocalizedErrorPage;
pub use super::passkey_pages::{PasskeyOffer, PasskeysPage};
use crate::auth::recovery::RecoveryCode;
use crate::branding::Branding;
use crate::i18n::{Arg, Locale, Message};
use crate::oauth::scope::Scopes;
use crate::service::account::Overview;
use crate::service::mfa::Enrolment;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    /// The application signed in to; none when the user signs in to their account.
    pub client_name: Option<String>,
    pub action: String,
    pub csrf_token: String,
    pub email: String,
    pub error: Option<String>,
    /// "Sign in with a passkey", when this issuer can host passkeys.
    pub passkey: Option<PasskeyOffer>,
}

#[derive(Template, WebTemplate)]
#[template(path = "consent.html")]
pub struct ConsentPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub client_name: String,
    pub user_email: String,
    /// The message ids describing the OpenID Connect scopes asked for.
    pub scopes: Vec<&'static str>,
    /// Each API asked for: its name and the scopes of it asked for.
    pub apis: Vec<(String, Vec<String>)>,
    pub action: String,
    pub csrf_token: String,
}

/// The sign-in's TOTP step.
#[derive(Template, WebTemplate)]
#[template(path = "totp.html")]
pub struct TotpPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    /// As on `LoginPage`.
    pub client_name: Option<String>,
    pub action: String,
    pub csrf_token: String,
    pub error: Option<String>,
    /// The user has TOTP: the code form is shown.
    pub totp: bool,
    /// The user has passkeys: one of them may be the second step.
    pub passkey: Option<PasskeyOffer>,
}

/// Two-step verification on the account page. It may hold a TOTP secret or recovery codes,
/// so it has no `Debug`.
#[derive(Template, WebTemplate)]
#[template(path = "mfa.html")]
pub struct MfaPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub email: String,
    /// The application that demanded two-step verification, when one sent the user here.
    pub client_name: Option<String>,
    pub error: Option<String>,
    pub csrf_token: String,
    /// The sign-in is older than `reauth_max_age`: every change asks for the password.
    pub password_required: bool,
    /// The user has a second factor (a passkey) the session did not pass within
    /// `reauth_max_age`: turning TOTP on needs a fresh sign-in with it first.
    pub second_factor_required: bool,
    pub shown: MfaShown,
}

impl MfaPage {
    fn codes_left(&self, count: &i64) -> String {
        self.locale.count("mfa-codes-left", "count", *count)
    }
}

/// What the page shows.
pub enum MfaShown {
    /// Off: enrol with this secret; the form posts to `action`.
    Enrol {
        enrolment: Enrolment,
        action: String,
    },
    /// On: new recovery codes, or turn it off.
    Manage { recovery_codes_left: i64 },
    /// No `mfa_encryption_key` is configured: enrolment is refused.
    Unavailable,
    /// Recovery codes, shown this once, and the way on.
    Codes {
        codes: Vec<RecoveryCode>,
        continue_url: String,
        continue_label: String,
    },
}

/// The account page: the service's overview, shown as it is.
#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub overview: Overview,
    pub now: i64,
    pub csrf_token: String,
}

impl AccountPage {
    /// "Signed in 5 minutes ago, last active just now".
    fn session_times(&self, auth_time: &i64, last_seen_at: &i64) -> String {
        let signed_in = ago(self.locale, self.now, *auth_time);
        let last_seen = ago(self.locale, self.now, *last_seen_at);
        self.locale.format(
            "account-session",
            &[
                ("signed_in", Arg::Text(&signed_in)),
                ("last_seen", Arg::Text(&last_seen)),
            ],
        )
    }

    fn scopes(&self, scope: &Scopes) -> String {
        let described: Vec<String> = scope
            .iter()
            .filter_map(describe_scope)
            .map(|id| self.locale.text(id))
            .collect();
        described.join("; ")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "logout.html")]
pub struct LogoutPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub client_name: Option<String>,
    pub csrf_token: String,
    /// The logout request's parameters, carried through the confirmation.
    pub fields: Vec<(&'static str, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "signed_out.html")]
pub struct SignedOutPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
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
    apply_page_headers(response.headers_mut(), final_redirect, Scripts::None);
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
    apply_page_headers(response.headers_mut(), final_redirect, Scripts::Own);
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

fn apply_page_headers(headers: &mut HeaderMap, final_redirect: Option<&str>, scripts: Scripts) {
    let mut form_action = String::from("'self'");
    if let Some(source) = final_redirect.and_then(csp_source_for) {
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

/// "5 minutes ago"-style wording for the account page (no time zone to guess).
pub fn ago(locale: Locale, now: i64, then: i64) -> String {
    let seconds = (now - then).max(0);
    let (id, count) = match seconds {
        0..60 => return locale.text("ago-just-now"),
        60..3600 => ("ago-minutes", seconds / 60),
        3600..86400 => ("ago-hours", seconds / 3600),
        _ => ("ago-days", seconds / 86400),
    };
    locale.count(id, "count", count)
}

/// The message id of the plain words for a scope on the consent and account pages.
pub fn describe_scope(scope: &str) -> Option<&'static str> {
    match scope {
        "openid" => Some("scope-openid"),
        "profile" => Some("scope-profile"),
        "email" => Some("scope-email"),
        "offline_access" => Some("scope-offline-access"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
