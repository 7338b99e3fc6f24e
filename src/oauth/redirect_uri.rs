//! Which redirect URIs may be registered at all (RFC 6749 §3.1.2, RFC 8252 §7, RFC 9700 §2.6).
//! Matching a request against the registered list is in `client.rs`.
use std::net::IpAddr;

/// Checks a redirect URI (or post-logout redirect URI) a client wants to register.
pub fn check_registration(uri: &str) -> Result<(), &'static str> {
    if uri.contains('#') {
        return Err("must not contain a fragment (RFC 6749 §3.1.2)");
    }
    let url = url::Url::parse(uri).map_err(|_| "must be an absolute URI (RFC 6749 §3.1.2)")?;
    if url.cannot_be_a_base() && !uri.contains(":/") {
        return Err("must be an absolute URI with a path");
    }
    match url.scheme() {
        "https" => Ok(()),
        // RFC 8252 §7.3 / RFC 9700 §2.6: plain http only for the loopback interface.
        "http" if is_loopback_host(&url) => Ok(()),
        "http" => {
            Err("http is allowed only on a loopback host (127.0.0.1, [::1], localhost); use https")
        }
        "javascript" | "data" | "file" | "vbscript" => Err("this scheme is not allowed"),
        _ => Ok(()), // private-use schemes of native apps (RFC 8252 §7.1)
    }
}

/// `127.0.0.1`, `[::1]` or `localhost`.
pub fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Appends response parameters to a redirect URI, keeping any query it was registered with
/// (RFC 6749 §3.1.2) and never touching the rest of the string.
pub fn with_params(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return redirect_uri.to_string();
    }
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        query.append_pair(name, value);
    }
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{separator}{}", query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_parameters_are_appended() {
        assert_eq!(
            with_params("https://a/cb", &[("code", "x y")]),
            "https://a/cb?code=x+y"
        );
        assert_eq!(
            with_params("https://a/cb?k=v", &[("code", "c")]),
            "https://a/cb?k=v&code=c"
        );
    }

    #[test]
    fn dangerous_registrations_are_refused() {
        for uri in [
            "/relative/cb",
            "https://a.example/cb#frag",
            "http://a.example/cb",
            "javascript:alert(1)",
            "data:text/html,x",
        ] {
            assert!(check_registration(uri).is_err(), "{uri}");
        }
    }

    #[test]
    fn loopback_http_and_private_use_schemes_are_allowed() {
        for uri in [
            "http://127.0.0.1:8765/cb",
            "http://[::1]/cb",
            "http://localhost:3000/cb",
            "com.example.app:/cb",
            "https://a.example/cb",
        ] {
            assert!(check_registration(uri).is_ok(), "{uri}");
        }
    }
}
