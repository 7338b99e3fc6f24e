//! Attempt limits against guessing (passwords, client secrets, second-factor codes): one
//! mechanism for all of them. Each limit is a counter in one fixed window, kept in the
//! database so every instance sees the same count, and keyed by a hash of what it limits so
//! no email or address is stored in the clear.
use super::secret;

/// Windows are at most a day (config validation), so the purge may drop older counters.
pub const MAX_THROTTLE_WINDOW: i64 = 86_400;

/// What a counter limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleKind {
    /// Password attempts on one account, from anywhere (online guessing).
    LoginAccount,
    /// Password attempts from one address, on any account (credential stuffing).
    LoginAddress,
    /// Password attempts on one account from one address, so a noisy neighbour cannot lock
    /// an account out for everybody sooner than it would alone.
    LoginAddressAccount,
    /// Client-secret attempts for one client.
    Client,
    /// Client-secret attempts for one client from one address.
    ClientAddress,
    /// Second-factor codes (TOTP or recovery) for one account.
    SecondFactor,
    /// Emailed links (reset, verification, sign-up) asked for one address's mailbox: a few
    /// per hour, so nobody can flood someone's inbox through Tessera.
    EmailedLinkRecipient,
    /// Emailed links asked for from one client address, whatever the mailbox.
    EmailedLinkAddress,
    /// Dynamic client registrations (RFC 7591) from one address.
    ClientRegistrationAddress,
}

impl ThrottleKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::LoginAccount => "login-account",
            Self::LoginAddress => "login-ip",
            Self::LoginAddressAccount => "login-ip-account",
            Self::Client => "client",
            Self::ClientAddress => "client-ip",
            Self::SecondFactor => "second-factor",
            Self::EmailedLinkRecipient => "mail-recipient",
            Self::EmailedLinkAddress => "mail-ip",
            Self::ClientRegistrationAddress => "registration-ip",
        }
    }
}

/// A counter as stored: when its window began, its failures, and the attempts being
/// evaluated right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub window_start: i64,
    pub failures: i64,
    pub pending: i64,
}

impl Counter {
    /// Full of failures: no attempt until the window ends (pending ones may still be wrong,
    /// but they may also be right, so only failures close the limit for good).
    pub fn is_full(&self, limit: &Limit, now: i64) -> bool {
        self.failures >= limit.max && self.window_start > now - limit.window
    }
}

/// One limit to enforce: at most `max` attempts per `window` seconds for `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub kind: ThrottleKind,
    pub key: String,
    pub max: i64,
    pub window: i64,
}

impl Limit {
    pub fn new(kind: ThrottleKind, value: &str, max: i64, window: i64) -> Self {
        Self {
            kind,
            key: Self::key_for(kind, value),
            max,
            window,
        }
    }

    /// The stored key of the counter for `kind` and `value`.
    pub fn key_for(kind: ThrottleKind, value: &str) -> String {
        secret::hash(&format!("{}:{value}", kind.as_str()))
    }

    pub fn is(&self, kind: ThrottleKind) -> bool {
        self.kind == kind
    }

    /// Seconds until `counter` allows another attempt; at least one while it is full.
    pub fn retry_after(&self, counter: Option<Counter>, now: i64) -> i64 {
        let window_end = counter.map_or(now, |c| c.window_start + self.window);
        (window_end - now).max(1)
    }
}

/// "N minutes", rounded up, for the one message every throttled form shows.
pub fn minutes(seconds: i64) -> i64 {
    (seconds.max(1) + 59) / 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_counts_to_the_end_of_the_window() {
        let limit = Limit::new(ThrottleKind::LoginAccount, "a", 5, 900);
        let counter = Counter {
            window_start: 1000,
            failures: 5,
            pending: 0,
        };
        assert_eq!(limit.retry_after(Some(counter), 1100), 800);
        assert_eq!(limit.retry_after(Some(counter), 1900), 1);
        assert_eq!(limit.retry_after(None, 1100), 1);
        assert_eq!(minutes(800), 14);
        assert_eq!(minutes(1), 1);
        assert_eq!(minutes(0), 1);
    }

    #[test]
    fn keys_hide_what_they_count_and_differ_by_kind() {
        let limit = Limit::new(ThrottleKind::LoginAccount, "ada@example.com", 5, 900);
        assert!(!limit.key.contains("ada"));
        assert_ne!(
            limit.key,
            Limit::new(ThrottleKind::SecondFactor, "ada@example.com", 5, 900).key
        );
    }
}
