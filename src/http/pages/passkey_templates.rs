//! What the pages show of passkeys: the offer a sign-in page makes (a ceremony the page's
//! script completes), and the account's passkey page.
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;

use super::assets::passkey_script_url;
use crate::branding::Branding;
use crate::i18n::Locale;
use crate::service::passkeys::{Ceremony, PasskeySummary};

/// A passkey ceremony the page offers: its form posts the browser's answer to `action`.
pub struct PasskeyOffer {
    pub action: String,
    /// The ceremony's id, sent back with the answer.
    pub ceremony: String,
    /// The options for `navigator.credentials`, as JSON (an attribute value, escaped).
    pub options: String,
    /// `/assets/passkeys.js?v=…`.
    pub script: &'static str,
}

impl PasskeyOffer {
    pub fn new(ceremony: Ceremony, action: String) -> Self {
        Self {
            action,
            ceremony: ceremony.id,
            options: ceremony.options,
            script: passkey_script_url(),
        }
    }
}

/// The account's passkeys: list, rename, remove, add.
#[derive(Template, WebTemplate)]
#[template(path = "passkeys.html")]
pub struct PasskeysPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub email: String,
    pub passkeys: Vec<PasskeySummary>,
    /// Adding one: none when this issuer cannot host passkeys (`unavailable` says why).
    pub add: Option<PasskeyOffer>,
    /// Why passkeys are off here (a message id), when they are.
    pub unavailable: Option<&'static str>,
    /// The sign-in is older than `reauth_max_age`: adding or removing asks for the password.
    pub password_required: bool,
    /// The user has a second factor the session did not pass within `reauth_max_age`:
    /// adding or removing needs it now (`code_field`) or a fresh sign-in with a passkey.
    pub second_factor_required: bool,
    /// The user has TOTP: adding or removing takes a code typed into the form as the second
    /// factor.
    pub code_field: bool,
    pub csrf_token: String,
    pub error: Option<String>,
    /// Said after a change ("Passkey added.").
    pub notice: Option<String>,
    pub now: i64,
}

impl PasskeysPage {
    fn ago(&self, then: &i64) -> String {
        super::wording::ago(self.locale, self.now, *then)
    }
}
