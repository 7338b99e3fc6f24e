//! The device flow's pages (RFC 8628 §3.3): typing the code, and the consent that names the
//! application, says a device is asking, and warns against codes from someone else (§5.4).
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;

use crate::branding::Branding;
use crate::i18n::Locale;

/// `/device`: the code the device shows.
#[derive(Template, WebTemplate)]
#[template(path = "device.html")]
pub struct DevicePage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub action: String,
    pub csrf_token: String,
    /// What the field shows: `?user_code=` of the complete verification URI, or what was typed.
    pub user_code: String,
    pub error: Option<String>,
}

/// `/device/consent`: allow or deny the waiting device.
#[derive(Template, WebTemplate)]
#[template(path = "device_consent.html")]
pub struct DeviceConsentPage {
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
