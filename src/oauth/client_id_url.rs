//! Client identifier URLs (draft-ietf-oauth-client-id-metadata-document-02 §3): when a
//! `client_id` names a metadata document, and which hosts may name one (the
//! `client_id_metadata_hosts_allow` / `_deny` lists). Pure: nothing is fetched here.
use super::redirect_uri::is_loopback_host;

/// Longer client ids are refused before any parsing or fetching.
pub const MAX_LENGTH: usize = 1024;

/// Whether `client_id` is meant as a metadata document URL (an http(s) URL); whether it is a
/// valid one is [`parse`]'s question.
pub fn looks_like_url(client_id: &str) -> bool {
    let lower = client_id.get(..8).map(str::to_ascii_lowercase);
    lower.is_some_and(|l| l.starts_with("https://") || l.starts_with("http://"))
}

/// Checks `client_id` as a client identifier URL and returns it parsed. `https` with a host
/// and a path other than `/`; no credentials, fragment or dot segments; and written exactly
/// as the URL serialises (lower-case host, no default port, no `%2e` segments), so one
/// document has one client id. Plain `http` only to a loopback host when
/// `allow_loopback_http` (the test setting).
pub fn parse(client_id: &str, allow_loopback_http: bool) -> Result<url::Url, &'static str> {
    if client_id.len() > MAX_LENGTH {
        return Err("the client_id URL is too long");
    }
    if client_id.contains('#') {
        return Err("a client_id URL has no fragment");
    }
    let url = url::Url::parse(client_id).map_err(|_| "the client_id is not a URL")?;
    match url.scheme() {
        "https" => {}
        "http" if allow_loopback_http && is_loopback_host(&url) => {}
        _ => return Err("a client_id URL must be https"),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("a client_id URL has no user name or password");
    }
    if url.host().is_none() {
        return Err("a client_id URL has a host");
    }
    let dot_segment = url
        .path_segments()
        .is_some_and(|mut segments| segments.any(|s| s == "." || s == ".."));
    if dot_segment {
        return Err("a client_id URL has no . or .. path segments");
    }
    if url.as_str() != client_id {
        // Dot segments (also as %2e), an upper-case host, a default port or a missing path
        // all serialise differently.
        return Err(
            "the client_id URL is not in its normal form (no dot segments, lower-case host, no default port)",
        );
    }
    if url.path() == "/" {
        return Err("a client_id URL has a path");
    }
    Ok(url)
}

/// Whether a host may name metadata documents: not matched by `deny`, and matched by
/// `allow` unless `allow` is empty. A pattern is a host name (exact) or `*.` and a domain
/// (every host below it, not the domain itself).
pub fn host_permitted(host: &str, allow: &[String], deny: &[String]) -> bool {
    let host = host.to_ascii_lowercase();
    if deny.iter().any(|pattern| host_matches(pattern, &host)) {
        return false;
    }
    allow.is_empty() || allow.iter().any(|pattern| host_matches(pattern, &host))
}

fn host_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(domain) => host
            .strip_suffix(domain)
            .is_some_and(|below| below.len() > 1 && below.ends_with('.')),
        None => pattern == host,
    }
}

/// Why a host pattern of the configuration is malformed, if it is.
pub fn pattern_problem(pattern: &str) -> Option<&'static str> {
    let host = pattern.strip_prefix("*.").unwrap_or(pattern);
    let plain = !host.is_empty()
        && host.bytes().all(|b| {
            b.is_ascii_lowercase()
                || b.is_ascii_digit()
                || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
        });
    (!plain).then_some("must be a lower-case host name (app.example.com) or *. and a domain (*.example.com), without scheme, port or path")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_https_url_with_a_path_is_a_client_id_url() {
        for ok in [
            "https://app.example.com/client.json",
            "https://app.example.com:8443/oauth/client",
            "https://app.example.com/c?v=2",
            "https://[2001:4860::1]/c",
        ] {
            assert_eq!(parse(ok, false).map(|u| u.to_string()), Ok(ok.to_string()));
            assert!(looks_like_url(ok));
        }
        assert!(!looks_like_url("confidential"));
        assert!(looks_like_url("HTTPS://app.example/c"));
    }

    #[test]
    fn urls_the_draft_forbids_are_refused() {
        for bad in [
            "http://app.example.com/client.json",
            "https://app.example.com",
            "https://app.example.com/",
            "https://app.example.com/c#frag",
            "https://app.example.com/c#",
            "https://user:pw@app.example.com/c",
            "https://user@app.example.com/c",
            "https://app.example.com/a/../c",
            "https://app.example.com/a/./c",
            "https://app.example.com/a/%2e%2e/c",
            "https://APP.example.com/c",
            "https://app.example.com:443/c",
            "ftp://app.example.com/c",
            "https:///c",
            "not a url",
        ] {
            assert!(parse(bad, false).is_err(), "{bad}");
        }
        let long = format!("https://app.example.com/{}", "a".repeat(MAX_LENGTH));
        assert!(parse(&long, false).is_err());
    }

    #[test]
    fn plain_http_only_to_loopback_and_only_with_the_test_setting() {
        assert!(parse("http://127.0.0.1:4000/c", false).is_err());
        assert!(parse("http://127.0.0.1:4000/c", true).is_ok());
        assert!(parse("http://localhost:4000/c", true).is_ok());
        assert!(parse("http://app.example.com/c", true).is_err());
    }

    #[test]
    fn deny_wins_and_an_empty_allow_list_allows_every_host() {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(host_permitted("app.example.com", &[], &[]));
        assert!(!host_permitted(
            "app.example.com",
            &[],
            &list(&["app.example.com"])
        ));
        assert!(host_permitted(
            "app.example.com",
            &list(&["*.example.com"]),
            &[]
        ));
        assert!(!host_permitted(
            "example.com",
            &list(&["*.example.com"]),
            &[]
        ));
        assert!(!host_permitted(
            "badexample.com",
            &list(&["*.example.com"]),
            &[]
        ));
        assert!(!host_permitted(
            "other.test",
            &list(&["*.example.com"]),
            &[]
        ));
        assert!(!host_permitted(
            "evil.example.com",
            &list(&["*.example.com"]),
            &list(&["evil.example.com"])
        ));
        assert!(host_permitted(
            "App.Example.com",
            &list(&["app.example.com"]),
            &[]
        ));
    }

    #[test]
    fn host_patterns_are_checked() {
        assert_eq!(pattern_problem("app.example.com"), None);
        assert_eq!(pattern_problem("*.example.com"), None);
        assert!(pattern_problem("https://app.example.com").is_some());
        assert!(pattern_problem("App.example.com").is_some());
        assert!(pattern_problem("").is_some());
        assert!(pattern_problem("app.example.com/x").is_some());
    }
}
