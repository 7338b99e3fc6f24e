//! Form / query parameters as the protocol sees them: each name at most once
//! (RFC 6749 §3.1 and §3.2: "parameters MUST NOT be included more than once").
use std::collections::HashMap;

use super::error::OAuthError;

/// Decoded `application/x-www-form-urlencoded` pairs with repeated names rejected.
/// Empty values count as absent (RFC 6749 §3.1).
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: HashMap<String, String>,
    /// Every name that came more than once, in the order first repeated.
    duplicated: Vec<String>,
}

impl Params {
    pub fn parse(encoded: &[u8]) -> Self {
        let mut params = Self::default();
        for (name, value) in url::form_urlencoded::parse(encoded) {
            if value.is_empty() {
                continue;
            }
            let repeated = params
                .values
                .insert(name.to_string(), value.into_owned())
                .is_some();
            if repeated && !params.is_duplicated(&name) {
                params.duplicated.push(name.into_owned());
            }
        }
        params
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Sets or (with `None`) removes a parameter.
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(value) => self.values.insert(name.to_string(), value.to_string()),
            None => self.values.remove(name),
        };
    }

    /// Removes and returns a parameter, e.g. a password that should not linger.
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.values.remove(name)
    }

    /// The first repeated parameter name, if any.
    pub fn duplicated(&self) -> Option<&str> {
        self.duplicated.first().map(String::as_str)
    }

    /// True when `name` came more than once (whichever other names also did).
    pub fn is_duplicated(&self, name: &str) -> bool {
        self.duplicated.iter().any(|d| d == name)
    }

    /// Refuses a request that repeats any parameter.
    pub fn reject_duplicates(&self) -> Result<(), OAuthError> {
        match self.duplicated() {
            Some(name) => Err(OAuthError::invalid_request(format!(
                "parameter {name} was sent more than once"
            ))),
            None => Ok(()),
        }
    }

    /// Re-encodes the parameters (sorted for a stable URL), e.g. to carry an authorization
    /// request through the login and consent pages.
    pub fn to_query(&self) -> String {
        let mut names: Vec<&String> = self.values.keys().collect();
        names.sort();
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for name in names {
            if let Some(value) = self.values.get(name) {
                out.append_pair(name, value);
            }
        }
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_are_detected_and_empty_values_ignored() {
        let params = Params::parse(b"a=1&b=&c=3&a=2");
        assert_eq!(params.duplicated(), Some("a"));
        assert!(params.reject_duplicates().is_err());
        let both = Params::parse(b"state=a&state=b&redirect_uri=x&redirect_uri=y");
        assert!(both.is_duplicated("state") && both.is_duplicated("redirect_uri"));
        assert_eq!(params.get("b"), None);
        assert_eq!(params.get("c"), Some("3"));
    }

    #[test]
    fn query_round_trips() {
        let params = Params::parse(b"scope=openid+email&state=a%26b");
        let again = Params::parse(params.to_query().as_bytes());
        assert_eq!(again.get("scope"), Some("openid email"));
        assert_eq!(again.get("state"), Some("a&b"));
    }
}
