//! Tessera's HTML pages (their headers are `http::html`'s). Every page has one `brand` field (what the
//! frame, `base.html`, shows of `[branding]`) and is rendered in one `Locale`: its templates
//! take all their words from the catalogue (`locale.text("…")`), and the `-html` messages,
//! which place an argument inside markup, go through `Locale::markup`, which escapes the
//! argument first.
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;

pub use super::account_security_templates::{AccountDeletedPage, DeleteAccountPage, PasswordPage};
use super::activity;
pub use super::passkey_templates::{PasskeyOffer, PasskeysPage};
pub use super::wording::{ago, describe_scope};
use crate::auth::recovery::RecoveryCode;
use crate::branding::Branding;
use crate::i18n::{Arg, Locale};
use crate::oauth::scope::Scopes;
use crate::service::account::{Overview, SessionSummary};
use crate::service::consent::Asker;
use crate::service::identities::LinkedIdentity;
use crate::service::mfa::Enrolment;

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
    /// "Continue with …", one per configured upstream provider.
    pub upstreams: Vec<UpstreamButton>,
    /// An upstream identity waits for this account's owner to sign in (markup: the email and
    /// the provider's name are escaped by the catalogue).
    pub link_notice: Option<String>,
    /// Open sign-up is on: the page links `/signup`.
    pub sign_up: bool,
}

/// A "Continue with …" link of the sign-in page.
#[derive(Debug, Clone)]
pub struct UpstreamButton {
    /// The trip's start, with the continuation in its query.
    pub href: String,
    pub label: String,
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
    /// What was checked about a client from outside the configuration (empty for others).
    pub asker: Asker,
}

/// The sign-in's TOTP step.
#[derive(Template, WebTemplate)]
#[template(path = "second_step.html")]
pub struct SecondStepPage {
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
    /// Upstream providers are configured: the page links the linked accounts.
    pub upstreams_configured: bool,
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

    /// The session's browser and address, when they were recorded: " · Firefox on Linux · 192.0.2.1".
    fn session_place(&self, session: &SessionSummary) -> String {
        let device = session
            .user_agent
            .as_deref()
            .and_then(|ua| activity::device(self.locale, ua));
        device
            .into_iter()
            .chain(session.address.clone())
            .map(|part| format!(" · {part}"))
            .collect()
    }

    fn activity(&self) -> Vec<activity::ActivityLine> {
        activity::lines(self.locale, self.now, &self.overview.activity)
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

/// The account's linked upstream identities: list, unlink, link another.
#[derive(Template, WebTemplate)]
#[template(path = "identities.html")]
pub struct IdentitiesPage {
    pub brand: Arc<Branding>,
    pub locale: Locale,
    pub email: String,
    pub linked: Vec<LinkedIdentity>,
    /// Configured providers not linked yet: (id, display name).
    pub linkable: Vec<(String, String)>,
    /// The sign-in that returns here (a fresh sign-in lets the user link and unlink).
    pub sign_in_again: String,
    pub csrf_token: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub now: i64,
}

impl IdentitiesPage {
    fn ago(&self, then: &i64) -> String {
        super::wording::ago(self.locale, self.now, *then)
    }
}
