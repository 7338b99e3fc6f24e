//! OpenID Connect Back-Channel Logout 1.0 deliveries: which URIs an app may register (§2.2),
//! what its answer means (§2.8), and when to try again after a failure.
use super::client::Client;
use super::redirect_uri::is_loopback_host;
// The schedule is every outbox's; logouts use it with `backchannel_logout_*`.
pub use crate::retry::{MAX_BACKOFF, NextAttempt, RetryPolicy, next_attempt};

/// The clients to tell when a session ends: those that registered a back-channel logout URI.
pub fn receivers<'a>(clients: impl IntoIterator<Item = &'a Client>) -> Vec<String> {
    clients
        .into_iter()
        .filter(|c| c.backchannel_logout_uri.is_some())
        .map(|c| c.id.clone())
        .collect()
}

/// Checks a `backchannel_logout_uri`: an absolute https URL (http only on loopback, for
/// development), without a fragment (§2.2) or credentials.
pub fn check_registration(uri: &str) -> Result<(), &'static str> {
    if uri.contains('#') {
        return Err("must not contain a fragment (Back-Channel Logout §2.2)");
    }
    let url = url::Url::parse(uri).map_err(|_| "must be an absolute https URL")?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain credentials");
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback_host(&url) => Ok(()),
        "http" => {
            Err("http is allowed only on a loopback host (127.0.0.1, [::1], localhost); use https")
        }
        _ => Err("must be an absolute https URL"),
    }
}

/// What an app's answer to a logout token means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: the app logged the session out (§2.8 says 200; any success counts).
    Delivered,
    /// 400: the app refused this token (§2.8). The same token would be refused again.
    Rejected,
    /// No answer, a timeout, 5xx, 429, a redirect or another 4xx: the endpoint is not working
    /// right now (down, overloaded, being deployed, or its URI is being fixed in the
    /// configuration, which is read again at every attempt). Try again later.
    TryAgain,
}

/// The verdict on an HTTP status, or on no answer at all (`None`).
pub fn verdict(status: Option<u16>) -> Verdict {
    match status {
        Some(200..=299) => Verdict::Delivered,
        Some(400) => Verdict::Rejected,
        _ => Verdict::TryAgain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_without_fragment_or_credentials_registers() {
        for ok in [
            "https://app.example/logout",
            "https://app.example:8443/bcl?tenant=1",
            "http://127.0.0.1:9000/logout",
            "http://localhost/logout",
        ] {
            assert!(check_registration(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://app.example/logout",
            "https://app.example/logout#x",
            "https://user:pw@app.example/logout",
            "/logout",
            "ftp://app.example/logout",
            "com.example.app:/logout",
            "javascript:alert(1)",
        ] {
            assert!(check_registration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn success_delivers_400_gives_up_and_everything_else_is_tried_again() {
        assert_eq!(verdict(Some(200)), Verdict::Delivered);
        assert_eq!(verdict(Some(204)), Verdict::Delivered);
        assert_eq!(verdict(Some(400)), Verdict::Rejected);
        for retry in [
            None,
            Some(500),
            Some(503),
            Some(429),
            Some(408),
            Some(302),
            Some(404),
        ] {
            assert_eq!(verdict(retry), Verdict::TryAgain, "{retry:?}");
        }
    }

    #[test]
    fn waits_double_up_to_the_cap_and_the_last_attempt_is_at_the_deadline() {
        let policy = RetryPolicy {
            initial_backoff: 10,
            retry_for: 86_400,
        };
        assert_eq!(next_attempt(policy, 0, 1, 0), NextAttempt::At(10));
        assert_eq!(next_attempt(policy, 0, 2, 10), NextAttempt::At(30));
        assert_eq!(next_attempt(policy, 0, 3, 30), NextAttempt::At(70));
        assert_eq!(
            next_attempt(policy, 0, 40, 1000),
            NextAttempt::At(1000 + MAX_BACKOFF)
        );
        assert_eq!(next_attempt(policy, 0, 40, 86_000), NextAttempt::At(86_400));
        assert_eq!(next_attempt(policy, 0, 41, 86_400), NextAttempt::GiveUp);
    }
}
