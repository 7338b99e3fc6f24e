//! Wording the templates compute from values: how long ago, and what a scope means.
use crate::i18n::Locale;

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
