//! The pages of emailed links and of the account's address: a notice, a form with one email
//! field, choosing a password, confirming a link, signing up, the account's address.
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;

use crate::branding::Branding;
use crate::i18n::Locale;

/// A page that says one thing ("Check your email", "Address confirmed"), with a way on.
#[derive(Template, WebTemplate)]
#[template(path = "notice.html")]
pub struct NoticePage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub title: String,
    pub message: String,
    /// (href, label).
    pub link: Option<(String, String)>,
}

/// A form asking for an email address ("Forgot password").
#[derive(Template, WebTemplate)]
#[template(path = "email_form.html")]
pub struct EmailFormPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub title: String,
    pub lead: String,
    pub action: String,
    pub csrf_token: String,
    pub email: String,
    pub submit: String,
    pub error: Option<String>,
    pub back: Option<(String, String)>,
}

/// Choosing a password through a link (a reset, an invitation).
#[derive(Template, WebTemplate)]
#[template(path = "new_password.html")]
pub struct NewPasswordPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub title: String,
    /// The account's address (shown, and given to password managers).
    pub email: String,
    pub action: String,
    pub csrf_token: String,
    pub submit: String,
    pub error: Option<String>,
    pub min_length: i64,
}

/// A link's page: one button that uses it (a GET never does: mail scanners open links).
#[derive(Template, WebTemplate)]
#[template(path = "confirm_link.html")]
pub struct ConfirmLinkPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub title: String,
    /// Markup from the catalogue, its argument escaped by `Locale::markup`.
    pub lead_html: String,
    pub action: String,
    pub csrf_token: String,
    pub submit: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "sign_up.html")]
pub struct SignUpPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub action: String,
    pub csrf_token: String,
    pub email: String,
    pub name: String,
    pub error: Option<String>,
    pub min_length: i64,
}

/// The account's address: confirmed or not, send the link again, change it.
#[derive(Template, WebTemplate)]
#[template(path = "account_email.html")]
pub struct AccountEmailPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub email: String,
    pub verified: bool,
    pub csrf_token: String,
    pub notice: Option<String>,
    pub error: Option<String>,
}
