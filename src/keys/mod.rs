//! Signing keys as one instance holds them: the key set read from the database (every
//! instance reads the same rows), the signer for `now`, a verifier per published key, and the
//! JWKS. Which key does what when is `lifecycle.rs`; making keys is `material.rs`; storing and
//! rotating them is `service::keys`.
use std::collections::HashMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jws::alg::rsassa::{RsassaJwsSigner, RsassaJwsVerifier};
use josekit::jws::{JwsHeader, RS256};
use josekit::jwt::{self, JwtPayload};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::oauth::tokens::TokenType;

pub mod lifecycle;
pub mod material;

use lifecycle::{KeyState, KeyTimes};

#[derive(Debug)]
pub enum KeyError {
    BadKey(String),
    /// No key signs at this moment (all retired, or none made yet).
    NoSigningKey,
    Jose(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadKey(e) => write!(f, "not a usable RSA key: {e}"),
            Self::NoSigningKey => f.write_str("no signing key is current"),
            Self::Jose(e) => write!(f, "signing failed: {e}"),
        }
    }
}

impl std::error::Error for KeyError {}

/// Which key a JWT's header names, read before any verification: nothing else in the token
/// is trusted by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedBy {
    /// A key this set verifies with: the signature decides.
    KnownKey,
    /// A `kid` this set does not verify with (retired, never ours, or from a backup that is
    /// gone): the token cannot be verified either way.
    UnknownKey,
    /// Not a compact JWS with a `kid`: not a token Tessera issued.
    Unreadable,
}

/// One key as stored: its id, algorithm, public JWK, times, and (when it opened) its signer.
pub struct LoadedKey {
    pub kid: String,
    pub alg: String,
    pub times: KeyTimes,
    pub created_at: i64,
    public_jwk: Value,
    signer: Option<RsassaJwsSigner>,
    verifier: RsassaJwsVerifier,
}

impl LoadedKey {
    /// A key from its public JWK and (for a key this instance may sign with) its PEM.
    pub fn new(
        kid: String,
        times: KeyTimes,
        created_at: i64,
        public_jwk: Value,
        private_pem: Option<&[u8]>,
    ) -> Result<Self, KeyError> {
        let public = josekit::jwk::Jwk::from_map(
            public_jwk
                .as_object()
                .cloned()
                .ok_or_else(|| KeyError::BadKey("the public JWK is not an object".into()))?,
        )
        .map_err(|e| KeyError::BadKey(e.to_string()))?;
        let mut verifier = RS256
            .verifier_from_jwk(&public)
            .map_err(|e| KeyError::BadKey(e.to_string()))?;
        verifier.set_key_id(kid.clone());
        let signer = match private_pem {
            Some(pem) => {
                let mut signer = RS256
                    .signer_from_pem(pem)
                    .map_err(|e| KeyError::BadKey(e.to_string()))?;
                signer.set_key_id(kid.clone());
                Some(signer)
            }
            None => None,
        };
        Ok(Self {
            kid,
            alg: "RS256".to_string(),
            times,
            created_at,
            public_jwk,
            signer,
            verifier,
        })
    }
}

/// The keys one instance knows, as of its last read of the database.
pub struct KeySet {
    keys: Vec<LoadedKey>,
    by_kid: HashMap<String, usize>,
    times: Vec<KeyTimes>,
    /// The JWKS for `jwks_from`, valid until the next change of any key's state.
    jwks: String,
    jwks_from: i64,
    jwks_until: Option<i64>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|k| k.kid.as_str()).collect();
        f.debug_struct("KeySet").field("kids", &kids).finish()
    }
}

impl KeySet {
    pub fn new(keys: Vec<LoadedKey>, now: i64) -> Self {
        let times: Vec<KeyTimes> = keys.iter().map(|k| k.times).collect();
        let by_kid = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.kid.clone(), i))
            .collect();
        let mut set = Self {
            keys,
            by_kid,
            times,
            jwks: String::new(),
            jwks_from: now,
            jwks_until: None,
        };
        set.jwks = set.build_jwks(now);
        set.jwks_until = lifecycle::next_change(&set.times, now);
        set
    }

    /// One key that signs from `now` on (tests and tools that need a signer of their own).
    pub fn single(key: material::NewKey, now: i64) -> Result<Self, KeyError> {
        let times = KeyTimes {
            generation: 1,
            publish_at: now,
            sign_at: now,
            retire_at: None,
            retired_at: None,
        };
        let loaded = LoadedKey::new(key.kid, times, now, key.public_jwk, Some(&key.private_pem))?;
        Ok(Self::new(vec![loaded], now))
    }

    /// Every key with its state at `now`, oldest first.
    pub fn keys_at(&self, now: i64) -> impl Iterator<Item = (&LoadedKey, KeyState)> {
        self.keys
            .iter()
            .enumerate()
            .map(move |(i, k)| (k, lifecycle::state(&self.times, i, now)))
    }

    fn state_of(&self, index: usize, now: i64) -> KeyState {
        lifecycle::state(&self.times, index, now)
    }

    /// The key that signs at `now`.
    pub fn current(&self, now: i64) -> Option<&LoadedKey> {
        lifecycle::current(&self.times, now).and_then(|i| self.keys.get(i))
    }

    /// When the signing key changes next, if a successor is waiting.
    pub fn next_switch(&self, now: i64) -> Option<i64> {
        lifecycle::next_switch(&self.times, now)
    }

    /// The JWK Set document at `now`: public parts of every published key.
    pub fn jwks(&self, now: i64) -> std::borrow::Cow<'_, str> {
        let fresh = now >= self.jwks_from && self.jwks_until.is_none_or(|until| now < until);
        match fresh {
            true => std::borrow::Cow::Borrowed(&self.jwks),
            false => std::borrow::Cow::Owned(self.build_jwks(now)),
        }
    }

    fn build_jwks(&self, now: i64) -> String {
        let published: Vec<&Value> = self
            .keys
            .iter()
            .enumerate()
            .filter(|(i, _)| lifecycle::state(&self.times, *i, now).is_published())
            .map(|(_, k)| &k.public_jwk)
            .collect();
        json!({ "keys": published }).to_string()
    }

    /// Signs `claims` as a JWT with the key current at `now`; the kind of token goes in the
    /// `typ` header.
    pub fn sign(
        &self,
        typ: TokenType,
        claims: &impl Serialize,
        now: i64,
    ) -> Result<String, KeyError> {
        let key = self.current(now).ok_or(KeyError::NoSigningKey)?;
        let signer = key.signer.as_ref().ok_or(KeyError::NoSigningKey)?;
        let mut header = JwsHeader::new();
        header.set_token_type(typ.as_str());
        header.set_key_id(key.kid.clone());
        let claims = match serde_json::to_value(claims) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(KeyError::Jose("claims must be a JSON object".into())),
            Err(e) => return Err(KeyError::Jose(e.to_string())),
        };
        let payload = JwtPayload::from_map(claims).map_err(|e| KeyError::Jose(e.to_string()))?;
        jwt::encode_with_signer(&payload, &header, signer)
            .map_err(|e| KeyError::Jose(e.to_string()))
    }

    /// The key verifying tokens signed with `kid`: published (or signing) when the set was read.
    fn verifier_for(&self, kid: &str) -> Option<&LoadedKey> {
        self.by_kid
            .get(kid)
            .filter(|i| self.state_of(**i, self.jwks_from) != KeyState::Retired)
            .and_then(|i| self.keys.get(*i))
    }

    /// Which key `token` says it was signed with, without verifying anything.
    pub fn signed_by(&self, token: &str) -> SignedBy {
        let mut parts = token.split('.');
        let header = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(header), Some(_), Some(_), None) => header,
            _ => return SignedBy::Unreadable,
        };
        let header: Option<Value> = URL_SAFE_NO_PAD
            .decode(header)
            .ok()
            .and_then(|json| serde_json::from_slice(&json).ok());
        match header.as_ref().and_then(|h| h.get("kid")?.as_str()) {
            None => SignedBy::Unreadable,
            Some(kid) if self.verifier_for(kid).is_some() => SignedBy::KnownKey,
            Some(_) => SignedBy::UnknownKey,
        }
    }

    /// Verifies a JWT's signature with the key its `kid` names, if that key is not retired.
    /// Only RS256 is accepted (the verifier enforces `alg`), and `typ` must be the expected
    /// kind, so an ID token cannot pass as an access token.
    pub fn verify(
        &self,
        token: &str,
        expected: TokenType,
    ) -> Result<Map<String, Value>, &'static str> {
        let (payload, header) = jwt::decode_with_verifier_selector(token, |header| {
            Ok(header
                .key_id()
                .and_then(|kid| self.verifier_for(kid))
                .map(|k| &k.verifier as &dyn josekit::jws::JwsVerifier))
        })
        .map_err(|_| "the token signature is invalid")?;
        if header.token_type() != Some(expected.as_str()) {
            return Err("the token has the wrong type");
        }
        Ok(payload.claims_set().clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(generation: i64, sign_at: i64) -> LoadedKey {
        let key = material::generate_rsa().unwrap();
        let times = KeyTimes {
            generation,
            publish_at: sign_at - 60,
            sign_at,
            retire_at: None,
            retired_at: None,
        };
        LoadedKey::new(key.kid, times, 0, key.public_jwk, Some(&key.private_pem)).unwrap()
    }

    #[test]
    fn signed_tokens_verify_and_tampering_is_detected() {
        let set = KeySet::new(vec![loaded(1, 0)], 5);
        let mut claims = Map::new();
        claims.insert("sub".into(), json!("u1"));
        let token = set.sign(TokenType::Access, &claims, 5).unwrap();
        assert_eq!(set.verify(&token, TokenType::Access).unwrap()["sub"], "u1");
        assert!(set.verify(&token, TokenType::Id).is_err());
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"sub":"admin"}"#);
        parts[1] = &forged;
        assert!(set.verify(&parts.join("."), TokenType::Access).is_err());
    }

    #[test]
    fn the_signer_follows_the_clock_and_the_jwks_publishes_ahead() {
        let (old, new) = (loaded(1, 0), loaded(2, 100));
        let (old_kid, new_kid) = (old.kid.clone(), new.kid.clone());
        let set = KeySet::new(vec![old, new], 50);
        assert_eq!(set.current(99).unwrap().kid, old_kid);
        assert_eq!(set.current(100).unwrap().kid, new_kid);
        assert!(set.jwks(50).contains(&new_kid), "published before it signs");
        assert!(!set.jwks(50).contains("\"d\""));
        let token = set
            .sign(TokenType::Access, &json!({"sub": "x"}), 100)
            .unwrap();
        assert!(set.verify(&token, TokenType::Access).is_ok());
    }
}
