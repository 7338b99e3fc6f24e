//! Secrets at rest: AES-256-GCM under a key derived from the master key (`master_key.rs`), or
//! the legacy `mfa_encryption_key`. Each sealing draws a fresh random 96-bit nonce, stored in
//! front of the ciphertext; the associated data binds a sealed value to its owner (a user id,
//! a key id), so a ciphertext copied to another row does not open. The key never reaches the
//! database, logs or `Debug` output.
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use openssl::symm::{Cipher, decrypt_aead, encrypt_aead};
use zeroize::Zeroizing;

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Versioned, so a future key or algorithm change can tell old values from new ones.
const PREFIX: &str = "v1:";

/// The AES-256-GCM key that seals TOTP secrets.
#[derive(Clone)]
pub struct SealingKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(redacted)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealError {
    /// The value is not something this key sealed, or was altered.
    Unreadable,
    /// The cryptographic library failed.
    Crypto,
}

impl std::fmt::Display for SealError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreadable => f.write_str("sealed value cannot be opened with this key"),
            Self::Crypto => f.write_str("encryption failed"),
        }
    }
}

impl std::error::Error for SealError {}

impl SealingKey {
    /// Parses base64 (standard alphabet, padded) of exactly 32 bytes.
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

    pub fn from_bytes(bytes: Zeroizing<[u8; KEY_LEN]>) -> Self {
        Self(bytes)
    }

    /// The same key (compared in constant time: these are secrets).
    pub fn same_as(&self, other: &Self) -> bool {
        subtle::ConstantTimeEq::ct_eq(self.0.as_slice(), other.0.as_slice()).into()
    }

    /// Encrypts `plaintext` for `owner`; the result is text for a database column.
    pub fn seal(&self, plaintext: &[u8], owner: &str) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::fill(&mut nonce);
        let mut tag = [0u8; TAG_LEN];
        let ciphertext = encrypt_aead(
            Cipher::aes_256_gcm(),
            self.0.as_slice(),
            Some(&nonce),
            owner.as_bytes(),
            plaintext,
            &mut tag,
        )
        .map_err(|_| SealError::Crypto)?;
        let mut packed = Vec::with_capacity(NONCE_LEN + ciphertext.len() + TAG_LEN);
        packed.extend_from_slice(&nonce);
        packed.extend_from_slice(&ciphertext);
        packed.extend_from_slice(&tag);
        Ok(format!("{PREFIX}{}", STANDARD.encode(packed)))
    }

    /// Decrypts a value sealed for `owner`, checking it was not altered.
    pub fn open(&self, sealed: &str, owner: &str) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let encoded = sealed.strip_prefix(PREFIX).ok_or(SealError::Unreadable)?;
        let packed = STANDARD
            .decode(encoded)
            .map_err(|_| SealError::Unreadable)?;
        let (nonce, rest) = packed
            .split_at_checked(NONCE_LEN)
            .ok_or(SealError::Unreadable)?;
        let tag_start = rest
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(SealError::Unreadable)?;
        let (ciphertext, tag) = rest
            .split_at_checked(tag_start)
            .ok_or(SealError::Unreadable)?;
        decrypt_aead(
            Cipher::aes_256_gcm(),
            self.0.as_slice(),
            Some(nonce),
            owner.as_bytes(),
            ciphertext,
            tag,
        )
        .map(Zeroizing::new)
        .map_err(|_| SealError::Unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    #[test]
    fn sealed_values_open_only_for_their_owner_and_key() {
        let key = SealingKey::from_base64(KEY).unwrap();
        let sealed = key.seal(b"totp secret", "user-1").unwrap();
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("totp secret"));
        assert_eq!(
            key.open(&sealed, "user-1").unwrap().as_slice(),
            b"totp secret"
        );
        assert_eq!(key.open(&sealed, "user-2"), Err(SealError::Unreadable));
        let other = SealingKey::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        assert_eq!(other.open(&sealed, "user-1"), Err(SealError::Unreadable));
    }

    #[test]
    fn every_sealing_uses_a_fresh_nonce() {
        let key = SealingKey::from_base64(KEY).unwrap();
        assert_ne!(key.seal(b"x", "u").unwrap(), key.seal(b"x", "u").unwrap());
    }

    #[test]
    fn tampered_or_truncated_values_do_not_open() {
        let key = SealingKey::from_base64(KEY).unwrap();
        let sealed = key.seal(b"totp secret", "u").unwrap();
        let mut packed = STANDARD.decode(&sealed[3..]).unwrap();
        packed[NONCE_LEN] ^= 1;
        let tampered = format!("v1:{}", STANDARD.encode(&packed));
        assert_eq!(key.open(&tampered, "u"), Err(SealError::Unreadable));
        assert_eq!(key.open("v1:AAAA", "u"), Err(SealError::Unreadable));
        assert_eq!(key.open("plain", "u"), Err(SealError::Unreadable));
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64_and_stay_out_of_debug() {
        assert!(SealingKey::from_base64("not base64!").is_err());
        assert!(SealingKey::from_base64(&STANDARD.encode([1u8; 16])).is_err());
        let key = SealingKey::from_base64(KEY).unwrap();
        assert_eq!(format!("{key:?}"), "SealingKey(redacted)");
    }
}
