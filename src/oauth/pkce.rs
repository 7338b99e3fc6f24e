//! RFC 7636 PKCE: S256 only; `plain` and downgrades are refused.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::OAuthError;

/// `code-verifier = 43*128unreserved` (RFC 7636 §4.1).
pub fn is_valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len()) && verifier.bytes().all(is_unreserved)
}

/// An S256 challenge is the unpadded base64url of a SHA-256 digest: exactly 43 characters.
pub fn is_valid_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Checks the verifier sent to the token endpoint against the challenge bound to the code.
/// A code without a challenge and a verifier without a code challenge are both refused:
/// the second is the PKCE downgrade attack (RFC 9700 §4.8.2).
pub fn verify_pkce(challenge: Option<&str>, verifier: Option<&str>) -> Result<(), OAuthError> {
    match (challenge, verifier) {
        (Some(challenge), Some(verifier)) => {
            if !is_valid_verifier(verifier) {
                return Err(OAuthError::invalid_grant(
                    "code_verifier must be 43-128 characters of [A-Za-z0-9-._~]",
                ));
            }
            let computed = s256_challenge(verifier);
            if computed.as_bytes().ct_eq(challenge.as_bytes()).into() {
                Ok(())
            } else {
                Err(OAuthError::invalid_grant(
                    "code_verifier does not match the code_challenge",
                ))
            }
        }
        (Some(_), None) => Err(OAuthError::invalid_grant("code_verifier is required")),
        (None, Some(_)) => Err(OAuthError::invalid_grant(
            "code_verifier sent for a code issued without code_challenge",
        )),
        (None, None) => Err(OAuthError::invalid_grant("PKCE is required")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(s256_challenge(VERIFIER), CHALLENGE);
        assert!(verify_pkce(Some(CHALLENGE), Some(VERIFIER)).is_ok());
    }

    #[test]
    fn wrong_verifier_is_refused() {
        let other = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj";
        assert!(verify_pkce(Some(CHALLENGE), Some(other)).is_err());
    }

    #[test]
    fn pkce_downgrade_is_refused() {
        assert!(verify_pkce(None, Some(VERIFIER)).is_err());
        assert!(verify_pkce(Some(CHALLENGE), None).is_err());
        assert!(verify_pkce(None, None).is_err());
    }

    #[test]
    fn plain_verifier_equal_to_challenge_is_refused() {
        // With `plain`, verifier == challenge; S256 must not accept that.
        assert!(verify_pkce(Some(CHALLENGE), Some(CHALLENGE)).is_err());
    }

    #[test]
    fn verifier_syntax() {
        assert!(!is_valid_verifier("short"));
        assert!(!is_valid_verifier(&"a".repeat(129)));
        assert!(!is_valid_verifier(&format!("{}+", "a".repeat(42))));
        assert!(is_valid_verifier(&"a".repeat(43)));
    }
}
