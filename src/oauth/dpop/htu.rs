//! The `htu` comparison of RFC 9449 §4.3 check 9: query and fragment ignored, and the rest
//! normalised on both sides as RFC 3986 §6.2.2 (syntax) and §6.2.3 (scheme) describe, so two
//! spellings of the same URL compare equal and nothing else does.

/// `http`/`https` URI `uri` as `scheme://host[:port]/path`: scheme and host in lower case
/// (the `url` crate's parsing), the scheme's default port dropped, dot segments removed, an
/// empty path as `/`, percent-encoded unreserved characters decoded and the other
/// percent-encodings in upper case. `None` for anything else, and for a URI with user
/// information, which no endpoint URL has.
pub fn normalise(uri: &str) -> Option<String> {
    let url = url::Url::parse(uri).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let host = url.host_str()?;
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = normalise_percent_encoding(url.path())?;
    Some(format!("{}://{host}{port}{path}", url.scheme()))
}

/// RFC 3986 §6.2.2.1 and §6.2.2.2: `%7e` is `~`, `%2f` is `%2F`.
fn normalise_percent_encoding(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'%' {
            out.push(char::from(b));
            i += 1;
            continue;
        }
        let hex = path.get(i + 1..i + 3)?;
        let decoded = u8::from_str_radix(hex, 16).ok()?;
        if decoded.is_ascii_alphanumeric() || b"-._~".contains(&decoded) {
            out.push(char::from(decoded));
        } else {
            out.push('%');
            out.push_str(&hex.to_ascii_uppercase());
        }
        i += 3;
    }
    Some(out)
}
