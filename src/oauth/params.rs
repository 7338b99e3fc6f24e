//! Form / query parameters as the protocol sees them: each name at most once
//! (RFC 6749 §3.1 and §3.2: "parameters MUST NOT be included more than once").
use std::collections::HashMap;

use super::error::OAuthError;

/// Decoded `application/x-www-form-urlencoded` pairs. Repeated names are remembered, so a
/// request can be refused for them; every value is kept, for the one parameter that may
/// repeat (`resource` on an authorization request, RFC 8707 §2).
/// Empty values count as absent (RFC 6749 §3.1).
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: HashMap<String, Vec<String>>,
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
            let values = params.values.entry(name.to_string()).or_default();
            values.push(value.into_owned());
            if values.len() == 2 {
                params.duplicated.push(name.into_owned());
            }
        }
        params
    }

    /// The parameter's value; for a repeated one (refused elsewhere), the last.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|values| values.last())
            .map(String::as_str)
    }

    /// Every value of a parameter, in the order sent.
    pub fn get_all(&self, name: &str) -> &[String] {
        self.values.get(name).map(Vec::as_slice).unwrap_or_default()
    }

    /// Sets or (with `None`) removes a parameter.
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(value) => self
                .values
                .insert(name.to_string(), vec![value.to_string()]),
            None => self.values.remove(name),
        };
        self.duplicated.retain(|d| d != name);
    }

    /// Removes and returns a parameter, e.g. a password that should not linger.
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.duplicated.retain(|d| d != name);
        self.values.remove(name).and_then(|mut values| values.pop())
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
        self.reject_duplicates_except(&[])
    }

    /// Refuses a request that repeats any parameter but those named.
    pub fn reject_duplicates_except(&self, may_repeat: &[&str]) -> Result<(), OAuthError> {
        match self
            .duplicated
            .iter()
            .find(|name| !may_repeat.contains(&name.as_str()))
        {
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
            for value in self.get_all(name) {
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
    fn every_value_of_a_repeated_name_is_kept_and_round_trips() {
        let params = Params::parse(b"resource=https%3A%2F%2Fa&x=1&resource=https%3A%2F%2Fb");
        assert_eq!(params.get_all("resource"), ["https://a", "https://b"]);
        assert!(params.reject_duplicates().is_err());
        assert!(params.reject_duplicates_except(&["resource"]).is_ok());
        let again = Params::parse(params.to_query().as_bytes());
        assert_eq!(again.get_all("resource"), ["https://a", "https://b"]);
        assert!(
            Params::parse(b"x=1&x=2")
                .reject_duplicates_except(&["resource"])
                .is_err()
        );
    }

    #[test]
    fn query_round_trips() {
        let params = Params::parse(b"scope=openid+email&state=a%26b");
        let again = Params::parse(params.to_query().as_bytes());
        assert_eq!(again.get("scope"), Some("openid email"));
        assert_eq!(again.get("state"), Some("a&b"));
    }
}
