//! Recovery codes: ten single-use codes, shown once when two-step verification is turned on
//! (or the set is regenerated), for signing in when the authenticator is lost. Each carries
//! 80 random bits, so SHA-256 (salted with the user id) is a sufficient way to store them.
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Codes in a set.
pub const COUNT: usize = 10;
/// 80 bits: 16 base32 characters, shown as four groups of four.
const CODE_BYTES: usize = 10;
const CODE_CHARS: usize = 16;
const GROUP: usize = 4;
const ALPHABET: base32::Alphabet = base32::Alphabet::Rfc4648 { padding: false };

/// A recovery code as the user sees it (`ABCD-EFGH-JKLM-NPQR`). Never in `Debug`.
pub struct RecoveryCode(Zeroizing<String>);

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(redacted)")
    }
}

impl RecoveryCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A fresh set of codes.
pub fn generate() -> Vec<RecoveryCode> {
    (0..COUNT)
        .map(|_| {
            let mut bytes = Zeroizing::new([0u8; CODE_BYTES]);
            rand::fill(bytes.as_mut_slice());
            let plain = Zeroizing::new(base32::encode(ALPHABET, bytes.as_slice()));
            let groups: Vec<&str> = plain
                .as_bytes()
                .chunks(GROUP)
                .filter_map(|chunk| std::str::from_utf8(chunk).ok())
                .collect();
            RecoveryCode(Zeroizing::new(groups.join("-")))
        })
        .collect()
}

/// The canonical form of what a user typed (separators and spaces dropped, upper case), or
/// `None` when it cannot be a recovery code.
pub fn normalize(input: &str) -> Option<Zeroizing<String>> {
    let canonical: Zeroizing<String> = Zeroizing::new(
        input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    );
    let valid = canonical.len() == CODE_CHARS
        && canonical
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
    valid.then_some(canonical)
}

/// The stored form of a normalized code for `user_id`.
pub fn hash(user_id: &str, normalized: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(user_id.as_bytes());
    digest.update(b":");
    digest.update(normalized.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_ten_distinct_grouped_codes_that_normalize() {
        let codes = generate();
        assert_eq!(codes.len(), COUNT);
        let mut seen = std::collections::HashSet::new();
        for code in &codes {
            assert_eq!(code.as_str().len(), 19, "{}", code.as_str());
            assert_eq!(code.as_str().matches('-').count(), 3);
            let normalized = normalize(code.as_str()).unwrap();
            assert!(seen.insert(normalized.to_string()));
        }
        assert_eq!(format!("{:?}", codes[0]), "RecoveryCode(redacted)");
    }

    #[test]
    fn typing_variations_are_forgiven_but_totp_codes_are_not_recovery_codes() {
        let canonical = normalize("ABCD-EFGH-JKLM-NP23").unwrap();
        assert_eq!(normalize("abcd efgh jklm np23").unwrap(), canonical);
        assert_eq!(normalize(" ABCDEFGHJKLMNP23 ").unwrap(), canonical);
        assert!(normalize("123456").is_none());
        assert!(normalize("ABCD-EFGH-JKLM-NP2").is_none());
        assert!(
            normalize("ABCD-EFGH-JKLM-NP21").is_none(),
            "1 is not base32"
        );
    }

    #[test]
    fn hashes_are_per_user() {
        assert_ne!(
            hash("u1", "ABCDEFGHJKLMNP23"),
            hash("u2", "ABCDEFGHJKLMNP23")
        );
        assert_eq!(
            hash("u1", "ABCDEFGHJKLMNP23"),
            hash("u1", "ABCDEFGHJKLMNP23")
        );
    }
}
