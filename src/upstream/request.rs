//! The per-request secrets of one upstream sign-in, made and kept by the caller.
use std::fmt;

/// `state` (CSRF, RFC 6749 §10.12), `nonce` (ID token replay, OIDC Core §15.5.2) and the PKCE
/// verifier (RFC 7636): all three are bearer secrets of the sign-in in progress.
pub struct UpstreamRequest {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

impl fmt::Debug for UpstreamRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "UpstreamRequest { state: <redacted>, nonce: <redacted>, pkce_verifier: <redacted> }",
        )
    }
}
