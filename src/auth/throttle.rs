//! Attempt limits (brute force, credential stuffing): failures are counted per key in a fixed
//! window kept in the database, so every instance sees the same counts. A key is a hash of
//! what is limited ("account:ada@example.com", "ip:203.0.113.9", "client:app").
use crate::oauth::tokens::hash_secret;

/// Windows are at most a day (config validation), so the purge may drop older counters.
pub const MAX_THROTTLE_WINDOW: i64 = 86_400;

/// A counter as stored: when its window began and how many failures it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub window_start: i64,
    pub failures: i64,
}

/// One limit to enforce.
#[derive(Debug, Clone)]
pub struct Limit {
    pub key: String,
    pub max_failures: i64,
}

impl Limit {
    pub fn new(kind: &str, value: &str, max_failures: i64) -> Self {
        Self {
            key: hash_secret(&format!("{kind}:{value}")),
            max_failures,
        }
    }
}

/// Seconds until `counter` allows another attempt, or `None` when it allows one now.
pub fn retry_after(
    counter: Option<Counter>,
    max_failures: i64,
    window: i64,
    now: i64,
) -> Option<i64> {
    let counter = counter?;
    let window_end = counter.window_start + window;
    (now < window_end && counter.failures >= max_failures).then_some(window_end - now)
}

/// "N minutes", rounded up, for the error message.
pub fn minutes(seconds: i64) -> i64 {
    (seconds + 59) / 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_at_the_limit_until_the_window_ends() {
        let counter = |failures| {
            Some(Counter {
                window_start: 1000,
                failures,
            })
        };
        assert_eq!(retry_after(None, 5, 900, 1000), None);
        assert_eq!(retry_after(counter(4), 5, 900, 1100), None);
        assert_eq!(retry_after(counter(5), 5, 900, 1100), Some(800));
        assert_eq!(retry_after(counter(50), 5, 900, 1900), None, "window over");
        assert_eq!(minutes(800), 14);
        assert_eq!(minutes(1), 1);
    }

    #[test]
    fn keys_hide_what_they_count() {
        let limit = Limit::new("account", "ada@example.com", 5);
        assert!(!limit.key.contains("ada"));
        assert_ne!(limit.key, Limit::new("ip", "ada@example.com", 5).key);
    }
}
