//! Who may make an account themselves: `registration` (closed, open, or by invitation) and
//! `registration_email_domains`.
use serde::{Deserialize, Serialize};

use super::ConfigError;

/// How accounts come to be, besides an administrator's `tessera user add`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Registration {
    /// Only administrators make accounts (and upstream providers with `create_users`).
    #[default]
    Closed,
    /// Anyone may sign up at `/signup`; the account exists once its address is confirmed.
    Open,
    /// Accounts are made by `tessera user invite`; the invited set their password.
    Invite,
}

/// Lower-case domains without `@`; an empty list allows every domain.
pub fn validate_domains(domains: &[String]) -> Result<(), ConfigError> {
    for (i, domain) in domains.iter().enumerate() {
        let plain = !domain.is_empty()
            && domain.contains('.')
            && domain
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if !plain {
            return Err(ConfigError::new(
                format!("registration_email_domains[{i}]"),
                "must be a lower-case domain such as example.com",
            ));
        }
    }
    Ok(())
}

/// Whether `email`'s domain is one of `domains` (every domain when the list is empty).
pub fn domain_allowed(domains: &[String], email: &str) -> bool {
    let domain = email.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase());
    domains.is_empty() || domain.is_some_and(|d| domains.contains(&d))
}
