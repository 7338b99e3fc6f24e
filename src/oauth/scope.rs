//! Scopes (RFC 6749 §3.3): space-delimited, case-sensitive, order-insensitive sets.
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The scopes Tessera understands. Others are ignored, as OIDC Core §5.4 asks.
pub const SUPPORTED: &[&str] = &["openid", "profile", "email", "offline_access"];

/// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`
pub fn is_scope_token(token: &str) -> bool {
    !token.is_empty()
        && token
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Parses a scope string; `None` when a token has characters RFC 6749 forbids.
    pub fn parse(text: &str) -> Option<Self> {
        let mut scopes = Vec::new();
        for token in text.split(' ').filter(|t| !t.is_empty()) {
            if !is_scope_token(token) {
                return None;
            }
            if !scopes.iter().any(|s| s == token) {
                scopes.push(token.to_string());
            }
        }
        Some(Self(scopes))
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    pub fn is_subset_of(&self, other: &Scopes) -> bool {
        self.0.iter().all(|s| other.contains(s))
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn retain(&self, keep: impl Fn(&str) -> bool) -> Scopes {
        Scopes(self.0.iter().filter(|s| keep(s)).cloned().collect())
    }

    pub fn union(&self, other: &Scopes) -> Scopes {
        let mut all = self.0.clone();
        for s in other.iter() {
            if !all.iter().any(|a| a == s) {
                all.push(s.to_string());
            }
        }
        Scopes(all)
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

/// A scope string that breaks RFC 6749 §3.3 (in a stored record or a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedScope;

impl fmt::Display for MalformedScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("malformed scope string")
    }
}

impl std::error::Error for MalformedScope {}

impl std::str::FromStr for Scopes {
    type Err = MalformedScope;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text).ok_or(MalformedScope)
    }
}

/// On the wire (token claims, stored records) a scope set is its space-separated string.
impl Serialize for Scopes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Scopes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).ok_or_else(|| serde::de::Error::custom(MalformedScope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_deduplicates_and_refuses_bad_characters() {
        let scopes = Scopes::parse("openid  email openid").unwrap();
        assert_eq!(scopes.to_string(), "openid email");
        assert!(Scopes::parse("openid \"quoted\"").is_none());
        assert!(Scopes::parse("openid back\\slash").is_none());
    }

    #[test]
    fn subset_and_union() {
        let a = Scopes::parse("openid email").unwrap();
        let b = Scopes::parse("openid profile email").unwrap();
        assert!(a.is_subset_of(&b));
        assert!(!b.is_subset_of(&a));
        assert_eq!(a.union(&b).to_string(), "openid email profile");
    }
}
