//! How the account page words the account's recent activity (from the audit trail) and the
//! browser a session started in: a line its owner recognises, or nothing for the events that
//! are not theirs to see (an admin API read, a key rotation).
use crate::audit::EventType;
use crate::i18n::{Arg, Locale};
use crate::service::account::Activity;

use super::wording::ago;

/// The most lines the page shows.
pub const SHOWN: usize = 10;

/// One line of the activity list.
pub struct ActivityLine {
    pub what: String,
    /// When, from where, in what, by whom: joined with " · ".
    pub details: String,
}

/// The lines for `activity` (newest first), at most [`SHOWN`].
pub fn lines(locale: Locale, now: i64, activity: &[Activity]) -> Vec<ActivityLine> {
    activity
        .iter()
        .filter_map(|a| {
            let what = message(a.event_type, &a.outcome)?;
            let mut details = vec![ago(locale, now, a.at)];
            details.extend(a.address.clone());
            details.extend(a.user_agent.as_deref().and_then(|ua| device(locale, ua)));
            if a.by_admin {
                details.push(locale.text("activity-by-admin"));
            }
            Some(ActivityLine {
                what: locale.text(what),
                details: details.join(" · "),
            })
        })
        .take(SHOWN)
        .collect()
}

/// The message id for an event its owner sees, or `None`.
fn message(event_type: EventType, outcome: &str) -> Option<&'static str> {
    let success = outcome == "success";
    Some(match (event_type, outcome) {
        (EventType::SignIn, "success") => "activity-sign-in",
        (EventType::SignIn, "failure") => "activity-sign-in-failed",
        (EventType::SignIn, "throttled") => "activity-sign-in-throttled",
        (EventType::SecondStep, "failure") => "activity-second-step-failed",
        (EventType::PasskeyAdded, _) if success => "activity-passkey-added",
        (EventType::PasskeyRemoved, _) if success => "activity-passkey-removed",
        (EventType::TotpEnabled, _) if success => "activity-totp-enabled",
        (EventType::TotpDisabled, _) if success => "activity-totp-disabled",
        (EventType::RecoveryCodesReplaced, _) if success => "activity-recovery-codes",
        (EventType::RecoveryCodeUsed, _) => "activity-recovery-code-used",
        (EventType::PasswordChanged, _) if success => "activity-password-changed",
        (EventType::PasswordSetByLink, _) => "activity-password-by-link",
        (EventType::PasswordSetByAdmin, _) => "activity-password-by-admin",
        (EventType::EmailChanged, _) => "activity-email-changed",
        (EventType::EmailVerified, _) => "activity-email-verified",
        (EventType::UpstreamIdentityLinked, _) => "activity-identity-linked",
        (EventType::UpstreamIdentityUnlinked, _) => "activity-identity-unlinked",
        (EventType::SessionEnded, _) => "activity-session-ended",
        (EventType::ConsentGranted, _) => "activity-app-allowed",
        (EventType::ConsentWithdrawn, _) => "activity-app-removed",
        (EventType::RefreshTokenReuse, _) => "activity-token-reuse",
        (EventType::SecondFactorsReset, _) => "activity-second-factors-reset",
        _ => return None,
    })
}

/// "Firefox on Linux" from a user agent, or `None` when it names neither a known browser
/// nor a known system (the raw string says little to a person and much to a fingerprinter).
pub fn device(locale: Locale, user_agent: &str) -> Option<String> {
    const BROWSERS: &[(&str, &str)] = &[
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    const SYSTEMS: &[(&str, &str)] = &[
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("CrOS", "ChromeOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let find = |names: &[(&str, &'static str)]| {
        names
            .iter()
            .find(|(marker, _)| user_agent.contains(marker))
            .map(|(_, name)| *name)
    };
    match (find(BROWSERS), find(SYSTEMS)) {
        (Some(browser), Some(system)) => Some(locale.format(
            "device-browser-on-system",
            &[
                ("browser", Arg::Text(browser)),
                ("system", Arg::Text(system)),
            ],
        )),
        (Some(name), None) | (None, Some(name)) => Some(name.to_string()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn common_browsers_are_named_and_noise_is_not() {
        let en = Locale::En;
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(device(en, firefox).as_deref(), Some("Firefox on Linux"));
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert_eq!(device(en, chrome).as_deref(), Some("Chrome on Windows"));
        let android =
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
        assert_eq!(device(en, android).as_deref(), Some("Chrome on Android"));
        assert_eq!(device(en, "curl/8.5.0"), None);
    }

    #[test]
    fn every_line_has_words_in_every_language() {
        for event_type in EventType::ALL {
            for outcome in ["success", "failure", "throttled", "shed"] {
                let Some(id) = message(*event_type, outcome) else {
                    continue;
                };
                let english = Locale::En.text(id);
                assert_ne!(english, id);
                for locale in [Locale::De, Locale::Fr] {
                    let words = locale.text(id);
                    assert!(words != id && words != english, "{locale} {id}");
                }
            }
        }
    }

    #[test]
    fn only_the_owners_events_have_words() {
        assert_eq!(
            message(EventType::SignIn, "success"),
            Some("activity-sign-in")
        );
        assert_eq!(message(EventType::SignIn, "shed"), None);
        assert_eq!(message(EventType::PasskeyAdded, "failure"), None);
        assert_eq!(message(EventType::SigningKeyRotated, "success"), None);
        assert_eq!(message(EventType::UserUpdated, "success"), None);
    }
}
