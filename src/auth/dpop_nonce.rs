//! Server-provided DPoP nonces (RFC 9449 §8 at the token endpoint, §9 at userinfo), kept in no
//! table: a nonce is an HMAC-SHA256 of the current time window under a key derived from the
//! master key, so every instance issues the same nonce in the same window and accepts it
//! without asking the others. A nonce is accepted in the window it was issued in and the next
//! one (between one and two `nonce_rotation`s), and one window early, for an instance whose
//! clock runs ahead of this one's.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Binds the MAC to its use, should the key ever be used for another.
const CONTEXT: &[u8] = b"tessera/dpop-nonce/";

/// The key nonces are made with.
#[derive(Clone)]
pub struct NonceKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for NonceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NonceKey(redacted)")
    }
}

impl NonceKey {
    pub fn from_bytes(bytes: Zeroizing<[u8; 32]>) -> Self {
        Self(bytes)
    }

    /// A key of this process only: for a state built without a master key (tests, tools).
    /// Its nonces are refused by every other process.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::fill(bytes.as_mut_slice());
        Self(bytes)
    }

    /// The nonce of the window `now` falls in, windows being `rotation` seconds long.
    pub fn nonce(&self, rotation: i64, now: i64) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(window(rotation, now)))
    }

    /// True for a nonce issued in this window or the one before, or (a clock ahead) the next.
    pub fn accepts(&self, nonce: &str, rotation: i64, now: i64) -> bool {
        let Ok(presented) = URL_SAFE_NO_PAD.decode(nonce) else {
            return false;
        };
        let current = window(rotation, now);
        let mut accepted = subtle::Choice::from(0);
        for w in [current - 1, current, current + 1] {
            accepted |= self.mac(w).as_slice().ct_eq(presented.as_slice());
        }
        accepted.into()
    }

    fn mac(&self, window: i64) -> [u8; 32] {
        // HMAC takes a key of any length: creating one cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.0.as_slice()) else {
            return [0; 32];
        };
        mac.update(CONTEXT);
        mac.update(&window.to_be_bytes());
        mac.finalize().into_bytes().into()
    }
}

fn window(rotation: i64, now: i64) -> i64 {
    now.div_euclid(rotation.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_lives_one_to_two_windows_on_every_instance_with_the_key() {
        let key = NonceKey::from_bytes(Zeroizing::new([7; 32]));
        let other_instance = NonceKey::from_bytes(Zeroizing::new([7; 32]));
        let issued = key.nonce(60, 1_000_020);
        assert_eq!(issued, other_instance.nonce(60, 1_000_059));
        for at in [1_000_020, 1_000_079, 1_000_119] {
            assert!(other_instance.accepts(&issued, 60, at), "{at}");
        }
        assert!(!key.accepts(&issued, 60, 1_000_140), "two windows later");
        // An instance whose clock is behind the issuer's, across a window boundary.
        assert!(key.accepts(&key.nonce(60, 1_000_080), 60, 1_000_079));
        assert!(!key.accepts(&key.nonce(60, 1_000_140), 60, 1_000_079));
        assert_ne!(issued, key.nonce(60, 1_000_080), "rotated");
    }

    #[test]
    fn another_key_or_garbage_is_refused() {
        let key = NonceKey::from_bytes(Zeroizing::new([7; 32]));
        let other = NonceKey::generate();
        assert!(!key.accepts(&other.nonce(60, 100), 60, 100));
        for junk in ["", "not base64!", "AAAA"] {
            assert!(!key.accepts(junk, 60, 100), "{junk}");
        }
    }
}
