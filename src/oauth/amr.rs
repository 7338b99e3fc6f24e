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
    /// A hardware-secured key (`hwk`). Tessera asks for no attestation, so nothing proves a
    /// passkey is one: no sign-in asserts it now. Still parsed, as sessions stored before may
    /// name it.
    HardwareKey,
    /// Proof of possession of a key (`swk`): every passkey, as only attestation could prove
    /// the key hardware-bound (a backup-ineligible flag is the authenticator's own, unsigned
    /// claim).
    SoftwareKey,
    /// The authenticator tested that the user was there and verified them (`user`).
    UserPresence,
    /// One ceremony that was itself multi-factor: a passkey with user verification (`mfa`).
    /// Also an upstream provider's sign-in that said it was multi-factor, where the operator
    /// trusts it for that (`trusted_for_mfa`).
    MultiFactor,
    /// A sign-in at an upstream identity provider (`fed`). Not an RFC 8176 value: none of
    /// them names what Tessera verified here (an upstream's signed word, not a method it saw
    /// used), so it uses the value Microsoft Entra ID asserts for a federated sign-in.
    Federated,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "pwd",
            Self::OneTimeCode => "otp",
            Self::HardwareKey => "hwk",
            Self::SoftwareKey => "swk",
            Self::UserPresence => "user",
            Self::MultiFactor => "mfa",
            Self::Federated => "fed",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        match name {
            "pwd" => Some(Self::Password),
            "otp" => Some(Self::OneTimeCode),
            "hwk" => Some(Self::HardwareKey),
            "swk" => Some(Self::SoftwareKey),
            "user" => Some(Self::UserPresence),
            "mfa" => Some(Self::MultiFactor),
            "fed" => Some(Self::Federated),
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

    /// A sign-in at an upstream provider; `with_mfa` when a provider trusted for it said it
    /// was multi-factor.
    pub fn federated(with_mfa: bool) -> Self {
        let amr = Self(vec![Method::Federated]);
        match with_mfa {
            true => amr.with(Method::MultiFactor),
            false => amr,
        }
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

    /// A passkey, with the user verified by the authenticator: `swk`, whatever the
    /// authenticator says of itself (RFC 8176 §2: `hwk` needs the key proven hardware-secured,
    /// which only attestation, not asked for, could do).
    pub fn passkey() -> Self {
        Self(vec![Method::SoftwareKey, Method::UserPresence])
    }

    /// A second factor beyond the password was used, or one multi-factor ceremony (a passkey
    /// with user verification).
    pub fn has_second_factor(&self) -> bool {
        [
            Method::OneTimeCode,
            Method::HardwareKey,
            Method::SoftwareKey,
            Method::MultiFactor,
        ]
        .into_iter()
        .any(|method| self.contains(method))
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
    fn a_passkey_is_a_second_factor_and_never_claims_hardware_unproven() {
        let alone = Amr::passkey().with(Method::MultiFactor);
        assert_eq!(alone.to_string(), "swk user mfa");
        assert!(alone.has_second_factor());
        let mut stepped_up = Amr::password();
        for method in Amr::passkey().iter() {
            stepped_up = stepped_up.with(method);
        }
        assert_eq!(stepped_up.to_string(), "pwd swk user");
        assert!(stepped_up.has_second_factor());
        assert_eq!(
            Amr::parse("hwk user mfa").unwrap().to_string(),
            "hwk user mfa"
        );
    }

    #[test]
    fn an_upstream_sign_in_is_one_factor_unless_trusted_for_mfa() {
        assert_eq!(Amr::federated(false).to_string(), "fed");
        assert!(!Amr::federated(false).has_second_factor());
        let trusted = Amr::federated(true);
        assert_eq!(Amr::parse(&trusted.to_string()).unwrap(), trusted);
        assert!(trusted.has_second_factor());
    }

    #[test]
    fn corrupt_stored_methods_are_an_error_not_an_empty_list() {
        assert_eq!(Amr::parse("pwd sms"), Err(UnknownMethod("sms".into())));
    }
}
