//! The master key: 32 random bytes from which one sealing key per purpose is derived with
//! HKDF-SHA256 (RFC 5869), so a value sealed for one purpose (a TOTP secret) can never be
//! opened as another (a signing key), and the master key itself never encrypts anything.
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::sealing::SealingKey;

const KEY_LEN: usize = 32;

/// What a derived key seals. The label is part of the derivation: never change one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    TotpSecrets,
    SigningKeys,
    /// Messages waiting in the mail outbox: they hold one-time links.
    MailOutbox,
    /// The HMAC key of DPoP nonces (RFC 9449 §8): the same on every instance.
    DpopNonces,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Self::TotpSecrets => b"tessera/v1/totp-secrets",
            Self::SigningKeys => b"tessera/v1/signing-keys",
            Self::MailOutbox => b"tessera/v1/mail-outbox",
            Self::DpopNonces => b"tessera/v1/dpop-nonces",
        }
    }
}

#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(redacted)")
    }
}

impl MasterKey {
    /// A new key from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        rand::fill(bytes.as_mut_slice());
        Self(bytes)
    }

    /// Base64 (standard alphabet) of exactly 32 bytes, as `openssl rand -base64 32` prints.
    pub fn from_base64(text: &str) -> Result<Self, &'static str> {
        let bytes = Zeroizing::new(
            STANDARD
                .decode(text.trim())
                .map_err(|_| "must be base64 (e.g. the output of `openssl rand -base64 32`)")?,
        );
        let key: [u8; KEY_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| "must decode to exactly 32 bytes (`openssl rand -base64 32`)")?;
        Ok(Self(Zeroizing::new(key)))
    }

    /// The same key (compared in constant time: these are secrets).
    pub fn same_as(&self, other: &Self) -> bool {
        subtle::ConstantTimeEq::ct_eq(self.0.as_slice(), other.0.as_slice()).into()
    }

    /// The form written to a key file.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.0.as_slice()))
    }

    /// The sealing key for `purpose`.
    pub fn derive(&self, purpose: Purpose) -> SealingKey {
        SealingKey::from_bytes(self.derive_bytes(purpose))
    }

    /// The 32 bytes derived for `purpose`, for a key that is not a sealing key (an HMAC key).
    pub fn derive_bytes(&self, purpose: Purpose) -> Zeroizing<[u8; KEY_LEN]> {
        let mut okm = Zeroizing::new([0u8; KEY_LEN]);
        // 32 bytes is far below HKDF-SHA256's limit of 255 × 32, so expand cannot fail.
        let _ = Hkdf::<Sha256>::new(None, self.0.as_slice())
            .expand(purpose.label(), okm.as_mut_slice());
        okm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_get_different_keys_and_one_purpose_cannot_open_the_other() {
        let master = MasterKey::generate();
        let totp = master.derive(Purpose::TotpSecrets);
        let signing = master.derive(Purpose::SigningKeys);
        let sealed = totp.seal(b"secret", "owner").unwrap();
        assert!(totp.open(&sealed, "owner").is_ok());
        assert!(signing.open(&sealed, "owner").is_err());
        // Deterministic: another process with the same master key opens it.
        let again = MasterKey::from_base64(&master.to_base64()).unwrap();
        assert!(
            again
                .derive(Purpose::TotpSecrets)
                .open(&sealed, "owner")
                .is_ok()
        );
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64_and_stay_out_of_debug() {
        assert!(MasterKey::from_base64("not base64!").is_err());
        assert!(MasterKey::from_base64(&STANDARD.encode([1u8; 16])).is_err());
        assert_eq!(
            format!("{:?}", MasterKey::generate()),
            "MasterKey(redacted)"
        );
    }
}
