//! How long a fetched client metadata document is used before it is fetched again: its HTTP
//! caching headers (RFC 9111 §4.2.1: `s-maxage`, then `max-age`, then `Expires`, less
//! `Age`), held between a minute and a day whatever they say. A document that says nothing,
//! or not to be stored, is used for the minute: long enough for one sign-in's `/authorize`
//! and `/token` to read the same document, short enough that a change is seen soon.
use chrono::DateTime;

/// The shortest time a document is used.
pub const MIN_LIFETIME: i64 = 60;
/// The longest time a document is used, whatever its headers say.
pub const MAX_LIFETIME: i64 = 86_400;

/// The caching headers of one answer, as received.
#[derive(Debug, Default, Clone, Copy)]
pub struct CacheHeaders<'a> {
    pub cache_control: Option<&'a str>,
    pub expires: Option<&'a str>,
    pub date: Option<&'a str>,
    pub age: Option<&'a str>,
}

/// Seconds the answer is used for, from `now` (when it was received).
pub fn lifetime(headers: &CacheHeaders<'_>, now: i64) -> i64 {
    stated_lifetime(headers, now)
        .unwrap_or(MIN_LIFETIME)
        .clamp(MIN_LIFETIME, MAX_LIFETIME)
}

fn stated_lifetime(headers: &CacheHeaders<'_>, now: i64) -> Option<i64> {
    let age = headers
        .age
        .and_then(|age| age.trim().parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    if let Some(control) = headers.cache_control {
        let directives: Vec<(String, Option<&str>)> = control
            .split(',')
            .map(|d| match d.split_once('=') {
                Some((name, value)) => (name.trim().to_ascii_lowercase(), Some(value.trim())),
                None => (d.trim().to_ascii_lowercase(), None),
            })
            .collect();
        let named = |wanted: &str| directives.iter().find(|(name, _)| name == wanted);
        if named("no-store").is_some() || named("no-cache").is_some() {
            return Some(0);
        }
        let seconds = |wanted: &str| {
            named(wanted)
                .and_then(|(_, value)| *value)
                .map(|v| v.trim_matches('"').parse::<i64>().unwrap_or(0))
        };
        if let Some(max_age) = seconds("s-maxage").or_else(|| seconds("max-age")) {
            return Some(max_age.saturating_sub(age));
        }
    }
    // An unparsable Expires (such as "0") means already expired (RFC 9111 §5.3).
    let expires = headers.expires?;
    let Some(expires) = http_date(expires) else {
        return Some(0);
    };
    let date = headers.date.and_then(http_date).unwrap_or(now);
    Some((expires - date).saturating_sub(age))
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) as Unix seconds.
fn http_date(text: &str) -> Option<i64> {
    DateTime::parse_from_rfc2822(text.trim())
        .ok()
        .map(|t| t.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn with_control(control: &str) -> i64 {
        let headers = CacheHeaders {
            cache_control: Some(control),
            ..CacheHeaders::default()
        };
        lifetime(&headers, NOW)
    }

    #[test]
    fn max_age_is_used_within_a_minute_and_a_day() {
        assert_eq!(with_control("public, max-age=3600"), 3600);
        assert_eq!(with_control("max-age=5"), MIN_LIFETIME);
        assert_eq!(with_control("max-age=0"), MIN_LIFETIME);
        assert_eq!(with_control("max-age=31536000"), MAX_LIFETIME);
        assert_eq!(with_control("max-age=\"600\""), 600);
        assert_eq!(with_control("max-age=600, s-maxage=1200"), 1200);
    }

    #[test]
    fn no_store_and_no_cache_mean_the_shortest_time() {
        assert_eq!(with_control("no-store, max-age=3600"), MIN_LIFETIME);
        assert_eq!(with_control("No-Cache"), MIN_LIFETIME);
    }

    #[test]
    fn age_is_taken_off() {
        let headers = CacheHeaders {
            cache_control: Some("max-age=3600"),
            age: Some("600"),
            ..CacheHeaders::default()
        };
        assert_eq!(lifetime(&headers, NOW), 3000);
    }

    #[test]
    fn expires_counts_from_the_date_header_or_now() {
        let headers = CacheHeaders {
            expires: Some("Sun, 06 Nov 1994 10:49:37 GMT"),
            date: Some("Sun, 06 Nov 1994 08:49:37 GMT"),
            ..CacheHeaders::default()
        };
        assert_eq!(lifetime(&headers, NOW), 7200);
        let without_date = CacheHeaders {
            expires: Some("Sun, 06 Nov 1994 10:49:37 GMT"),
            ..CacheHeaders::default()
        };
        assert_eq!(lifetime(&without_date, NOW), MIN_LIFETIME);
        let unparsable = CacheHeaders {
            expires: Some("0"),
            ..CacheHeaders::default()
        };
        assert_eq!(lifetime(&unparsable, NOW), MIN_LIFETIME);
    }

    #[test]
    fn max_age_wins_over_expires_and_silence_means_a_minute() {
        let headers = CacheHeaders {
            cache_control: Some("max-age=900"),
            expires: Some("Sun, 06 Nov 1994 10:49:37 GMT"),
            date: Some("Sun, 06 Nov 1994 08:49:37 GMT"),
            age: None,
        };
        assert_eq!(lifetime(&headers, NOW), 900);
        assert_eq!(lifetime(&CacheHeaders::default(), NOW), MIN_LIFETIME);
    }
}
