//! What can go wrong with an upstream, in the two kinds the sign-in must tell apart: try
//! again later, or this answer is not to be believed.
use std::fmt;

#[derive(Debug)]
pub enum UpstreamError {
    /// No upstream has this id (a stale or forged link).
    UnknownUpstream,
    /// Could not be reached or answered wrongly (network, timeout, 5xx, too big, bad
    /// discovery, secret unreadable): try again later. The text is a log detail, never shown
    /// to users, never holding a secret or token.
    Unavailable(String),
    /// The answer was refused: a bad, forged or expired ID token, a wrong nonce, a wrong `iss`
    /// (mix-up), a code the provider refused, an API error status. A log detail as above.
    Refused(String),
}

impl fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownUpstream => f.write_str("no upstream with this id is configured"),
            Self::Unavailable(why) => write!(f, "upstream unavailable: {why}"),
            Self::Refused(why) => write!(f, "upstream answer refused: {why}"),
        }
    }
}

impl std::error::Error for UpstreamError {}

/// An error code from a provider's answer, kept only when it looks like one (`[a-z_]`, short):
/// the text is the provider's, and it goes to the log.
pub fn error_code(code: Option<&str>) -> String {
    match code {
        Some(code)
            if !code.is_empty()
                && code.len() <= 64
                && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
        {
            code.to_string()
        }
        Some(_) => "an unreadable error code".to_string(),
        None => "no error code".to_string(),
    }
}
