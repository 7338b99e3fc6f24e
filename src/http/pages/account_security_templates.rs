//! The templates of the account's security pages: the password, deleting the account, and
//! the page a deleted account ends on.
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;

use crate::branding::Branding;
use crate::i18n::Locale;

/// `/account/password`: change the password, or set a first one.
#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub email: String,
    /// The account has a password: the form asks for the current one.
    pub has_password: bool,
    /// The account has no password and its sign-in is too old: only this link is offered.
    pub sign_in_again: Option<String>,
    pub min_length: usize,
    pub csrf_token: String,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl PasswordPage {
    fn rules(&self) -> String {
        let min = i64::try_from(self.min_length).unwrap_or(i64::MAX);
        self.locale.count("password-rules-hint", "count", min)
    }
}

/// `/account/delete`: what goes, and the confirmation.
#[derive(Template, WebTemplate)]
#[template(path = "delete_account.html")]
pub struct DeleteAccountPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub email: String,
    pub has_password: bool,
    pub sign_in_again: Option<String>,
    pub csrf_token: String,
    pub error: Option<String>,
}

/// Where a deleted account ends: signed out, nothing left.
#[derive(Template, WebTemplate)]
#[template(path = "account_deleted.html")]
pub struct AccountDeletedPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
}
