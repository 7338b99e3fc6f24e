//! The keys a TOTP secret may be sealed under: the master key's TOTP key, and while secrets
//! move over to it, the deprecated `mfa_encryption_key`. Opening tries both, newest first, so
//! a secret enrolled before the master key keeps working until it is re-sealed.
use zeroize::Zeroizing;

use super::sealing::SealingKey;

/// The two optional sealing keys of TOTP secrets.
#[derive(Clone, Copy, Default)]
pub struct TotpKeys<'a> {
    /// The master key's TOTP key: new secrets are sealed under it.
    pub current: Option<&'a SealingKey>,
    /// The deprecated `mfa_encryption_key`: only opens what it sealed before.
    pub legacy: Option<&'a SealingKey>,
}

impl TotpKeys<'_> {
    /// Opens the secret `sealed` for `user_id`; `None` when neither key opens it (no key
    /// configured, or another one).
    pub fn open(&self, sealed: &str, user_id: &str) -> Option<Zeroizing<Vec<u8>>> {
        let opened_by = |key: Option<&SealingKey>| key.and_then(|k| k.open(sealed, user_id).ok());
        opened_by(self.current).or_else(|| opened_by(self.legacy))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SealingKey {
        SealingKey::from_bytes(Zeroizing::new([byte; 32]))
    }

    #[test]
    fn a_secret_opens_under_either_key_and_not_under_another() {
        let (current, legacy, other) = (key(1), key(2), key(3));
        let keys = TotpKeys {
            current: Some(&current),
            legacy: Some(&legacy),
        };
        let under_legacy = legacy.seal(b"secret", "u").unwrap();
        let opened = keys.open(&under_legacy, "u");
        assert_eq!(opened.as_deref().map(Vec::as_slice), Some(&b"secret"[..]));
        let under_other = other.seal(b"secret", "u").unwrap();
        assert!(keys.open(&under_other, "u").is_none());
        assert!(TotpKeys::default().open(&under_legacy, "u").is_none());
    }
}
