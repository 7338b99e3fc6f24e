//! Signing keys as one instance holds them: the key set read from the database (every
//! instance reads the same rows), the signer of each algorithm for `now`, a verifier per
//! published key, and the JWKS. Each algorithm's keys live their own life side by side: which
//! key does what when is `lifecycle.rs`, applied per algorithm; making keys is `material/`;
//! the josekit signers and verifiers are `jose.rs`; storing and rotating them is
//! `service::keys`.
use std::collections::HashMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jws::{JwsHeader, JwsSigner, JwsVerifier};
use josekit::jwt::{self, JwtPayload};
use serde::Serialize;
use serde_json::{Map, Value, json};

pub use crate::oauth::signing_alg::SigningAlg;
use crate::oauth::tokens::TokenType;

mod jose;
pub mod lifecycle;
pub mod material;

use lifecycle::{KeyState, KeyTimes};

#[derive(Debug)]
pub enum KeyError {
    BadKey(String),
    /// No key of the algorithm asked for signs at this moment (all retired, or none made
    /// yet).
    NoSigningKey,
    Jose(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadKey(e) => write!(f, "not a usable signing key: {e}"),
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
    pub alg: SigningAlg,
    pub times: KeyTimes,
    pub created_at: i64,
    public_jwk: Value,
    signer: Option<Box<dyn JwsSigner>>,
    verifier: Box<dyn JwsVerifier>,
}

impl LoadedKey {
    /// A key of `alg` from its public JWK and (for a key this instance may sign with) its
    /// PEM. A JWK naming another algorithm than the row is refused.
    pub fn new(
        kid: String,
        alg: SigningAlg,
        times: KeyTimes,
        created_at: i64,
        public_jwk: Value,
        private_pem: Option<&[u8]>,
    ) -> Result<Self, KeyError> {
        let verifier = jose::verifier(alg, &public_jwk, &kid)?;
        let signer = match private_pem {
            Some(pem) => Some(jose::signer(alg, pem, &kid)?),
            None => None,
        };
        Ok(Self {
            kid,
            alg,
            times,
            created_at,
            public_jwk,
            signer,
            verifier,
        })
    }
}

/// A stored key this instance could not load (a key too weak for its algorithm, a damaged
/// row, a master key that does not open it, an algorithm this version does not know): left
/// out of signing and of the JWKS, and reported (`tessera_signing_keys_unusable`, the log,
/// `keys list`), so one bad row never stops the others from being used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusableKey {
    pub kid: String,
    pub alg: String,
    pub reason: String,
    /// Retired by its times: it would not be used anyway, so it is listed but not counted
    /// or warned about (retiring is how an operator disposes of such a key).
    pub retired: bool,
}

/// One algorithm's keys: their places in the set and their times, in the set's order. The
/// life cycle is decided over these alone, so rotating ES256 never touches RS256.
struct AlgKeys {
    alg: SigningAlg,
    members: Vec<usize>,
    times: Vec<KeyTimes>,
}

impl AlgKeys {
    fn current(&self, now: i64) -> Option<usize> {
        lifecycle::current(&self.times, now).and_then(|i| self.members.get(i).copied())
    }
}

/// The keys one instance knows, as of its last read of the database.
pub struct KeySet {
    keys: Vec<LoadedKey>,
    by_kid: HashMap<String, usize>,
    by_alg: Vec<AlgKeys>,
    /// The JWKS for `jwks_from`, valid until the next change of any key's state.
    jwks: String,
    jwks_from: i64,
    jwks_until: Option<i64>,
    unusable: Vec<UnusableKey>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|k| k.kid.as_str()).collect();
        f.debug_struct("KeySet").field("kids", &kids).finish()
    }
}

impl KeySet {
    pub fn new(mut keys: Vec<LoadedKey>, now: i64) -> Self {
        // One order on every instance (RS256 first, then by generation), so their JWKS
        // documents are the same bytes and `keys list` reads the same.
        keys.sort_by_key(|k| (k.alg, k.times.generation));
        let by_kid = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.kid.clone(), i))
            .collect();
        let by_alg = SigningAlg::ALL
            .into_iter()
            .map(|alg| {
                let members: Vec<usize> = (0..keys.len())
                    .filter(|i| keys.get(*i).is_some_and(|k| k.alg == alg))
                    .collect();
                let times = members
                    .iter()
                    .filter_map(|i| keys.get(*i))
                    .map(|k| k.times)
                    .collect();
                AlgKeys {
                    alg,
                    members,
                    times,
                }
            })
            .filter(|group| !group.members.is_empty())
            .collect();
        let all_times: Vec<KeyTimes> = keys.iter().map(|k| k.times).collect();
        let mut set = Self {
            keys,
            by_kid,
            by_alg,
            jwks: String::new(),
            jwks_from: now,
            jwks_until: None,
            unusable: Vec::new(),
        };
        set.jwks = set.build_jwks(now);
        set.jwks_until = lifecycle::next_change(&all_times, now);
        set
    }

    /// The set, noting the stored keys that were left out because they could not be loaded.
    pub fn with_unusable(mut self, unusable: Vec<UnusableKey>) -> Self {
        self.unusable = unusable;
        self
    }

    /// The stored keys left out of this set, retired ones included.
    pub fn unusable(&self) -> &[UnusableKey] {
        &self.unusable
    }

    /// The stored keys left out of this set that would otherwise be published or sign.
    pub fn unusable_live(&self) -> impl Iterator<Item = &UnusableKey> {
        self.unusable.iter().filter(|k| !k.retired)
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
        let loaded = LoadedKey::new(
            key.kid,
            key.alg,
            times,
            now,
            key.public_jwk,
            Some(&key.private_pem),
        )?;
        Ok(Self::new(vec![loaded], now))
    }

    /// Every key with its state at `now` (within its algorithm), oldest first.
    pub fn keys_at(&self, now: i64) -> impl Iterator<Item = (&LoadedKey, KeyState)> {
        self.keys
            .iter()
            .enumerate()
            .map(move |(i, k)| (k, self.state_of(i, now)))
    }

    fn group(&self, alg: SigningAlg) -> Option<&AlgKeys> {
        self.by_alg.iter().find(|g| g.alg == alg)
    }

    fn state_of(&self, index: usize, now: i64) -> KeyState {
        let place = self.keys.get(index).and_then(|key| {
            let group = self.group(key.alg)?;
            let position = group.members.iter().position(|m| *m == index)?;
            Some((group, position))
        });
        match place {
            Some((group, position)) => lifecycle::state(&group.times, position, now),
            None => KeyState::Retired,
        }
    }

    /// The key of `alg` that signs at `now`.
    pub fn current(&self, alg: SigningAlg, now: i64) -> Option<&LoadedKey> {
        self.group(alg)
            .and_then(|g| g.current(now))
            .and_then(|i| self.keys.get(i))
    }

    /// The key each algorithm signs with at `now`, RS256 first.
    pub fn signing(&self, now: i64) -> impl Iterator<Item = &LoadedKey> {
        self.by_alg
            .iter()
            .filter_map(move |g| g.current(now))
            .filter_map(|i| self.keys.get(i))
    }

    /// When a signing key changes next, of any algorithm, if a successor is waiting.
    pub fn next_switch(&self, now: i64) -> Option<i64> {
        self.by_alg
            .iter()
            .filter_map(|g| lifecycle::next_switch(&g.times, now))
            .min()
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
            .filter(|(i, _)| self.state_of(*i, now).is_published())
            .map(|(_, k)| &k.public_jwk)
            .collect();
        json!({ "keys": published }).to_string()
    }

    /// Signs `claims` as a JWT with the key of `alg` current at `now`; the kind of token goes
    /// in the `typ` header. No current key of `alg` (none made yet, or all retired) is
    /// `NoSigningKey`: never a fallback to another algorithm the relying party did not ask for.
    pub fn sign(
        &self,
        alg: SigningAlg,
        typ: TokenType,
        claims: &impl Serialize,
        now: i64,
    ) -> Result<String, KeyError> {
        let key = self.current(alg, now).ok_or(KeyError::NoSigningKey)?;
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
        jwt::encode_with_signer(&payload, &header, signer.as_ref())
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

    /// Verifies a JWT's signature with the key its `kid` names, if that key is not retired,
    /// whatever its algorithm. The key's verifier demands its own `alg` in the header, so a
    /// token cannot pick the algorithm a key is checked with; and `typ` must be the expected
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
                .map(|k| k.verifier.as_ref()))
        })
        .map_err(|_| "the token signature is invalid")?;
        if header.token_type() != Some(expected.as_str()) {
            return Err("the token has the wrong type");
        }
        Ok(payload.claims_set().clone())
    }
}

#[cfg(test)]
mod tests;
