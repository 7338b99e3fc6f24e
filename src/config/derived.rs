//! What is worked out from the product name and other keys: password rules, the TOTP
//! issuer label, the mail sender.
use super::{Config, email};

impl Config {
    /// The rules every new password follows: this minimum length, and the product's name as
    /// a word no password may contain.
    pub fn password_rules(&self) -> crate::auth::password_policy::PasswordRules {
        crate::auth::password_policy::PasswordRules {
            min_length: self.password_min_length,
            product_name: self.branding.product_name.clone(),
        }
    }

    /// The otpauth issuer label: `mfa_issuer_name` when set, else the product name.
    pub fn mfa_issuer(&self) -> &str {
        self.mfa_issuer_name
            .as_deref()
            .unwrap_or(&self.branding.product_name)
    }

    /// The From mailbox of every message: `email.from`, or the product name at
    /// `no-reply@<issuer host>`.
    pub fn mail_from(&self) -> lettre::message::Mailbox {
        self.email
            .from
            .as_deref()
            .and_then(|from| email::parse_mailbox(from).ok())
            .unwrap_or_else(|| email::default_from(&self.branding.product_name, &self.issuer))
    }
}
