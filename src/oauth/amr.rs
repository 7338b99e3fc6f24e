//! Authentication methods references (RFC 8176 `amr`): what a sign-in really used. Parsed once
//! from storage; an unknown name in a stored record is corrupt data, not an empty list.
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The RFC 8176 §2 methods Tessera asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A password (`pwd`).
    Password,
    /// A one-time code: TOTP or a recovery code (`otp`).
    OneTimeCode,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "pwd",
            Self::OneTimeCode => "otp",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        match name {
            "pwd" => Some(Self::Password),
            "otp" => Some(Self::OneTimeCode),
            _ => None,
        }
    }
}

/// The methods of one sign-in, in the order they were used, each once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Amr(Vec<Method>);

/// A stored `amr` names a method Tessera does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMethod(pub String);

impl fmt::Display for UnknownMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown authentication method {:?}", self.0)
    }
}

impl std::error::Error for UnknownMethod {}

impl Amr {
    pub fn password() -> Self {
        Self(vec![Method::Password])
    }

    /// Parses the stored, space-separated form.
    pub fn parse(stored: &str) -> Result<Self, UnknownMethod> {
        let mut amr = Self::default();
        for name in stored.split(' ').filter(|s| !s.is_empty()) {
            let method = Method::parse(name).ok_or_else(|| UnknownMethod(name.to_string()))?;
            amr = amr.with(method);
        }
        Ok(amr)
    }

    /// These methods plus `method` (kept once).
    pub fn with(mut self, method: Method) -> Self {
        if !self.0.contains(&method) {
            self.0.push(method);
        }
        self
    }

    pub fn contains(&self, method: Method) -> bool {
        self.0.contains(&method)
    }

    /// A second factor beyond the password was used.
    pub fn has_second_factor(&self) -> bool {
        self.contains(Method::OneTimeCode)
    }

    pub fn iter(&self) -> impl Iterator<Item = Method> + '_ {
        self.0.iter().copied()
    }
}

/// The stored form: names separated by single spaces.
impl fmt::Display for Amr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Method::as_str).collect();
        f.write_str(&names.join(" "))
    }
}

/// The token form: a JSON array of names.
impl Serialize for Amr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(Method::as_str))
    }
}

impl<'de> Deserialize<'de> for Amr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        Self::parse(&names.join(" ")).map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for Amr {
    type Err = UnknownMethod;

    fn from_str(stored: &str) -> Result<Self, Self::Err> {
        Self::parse(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_keeps_each_method_once() {
        let amr = Amr::parse("pwd otp pwd").unwrap();
        assert_eq!(amr.to_string(), "pwd otp");
        assert!(amr.has_second_factor());
        assert_eq!(
            serde_json::to_value(&amr).unwrap(),
            serde_json::json!(["pwd", "otp"])
        );
        assert!(!Amr::password().has_second_factor());
    }

    #[test]
    fn corrupt_stored_methods_are_an_error_not_an_empty_list() {
        assert_eq!(Amr::parse("pwd sms"), Err(UnknownMethod("sms".into())));
    }
}
