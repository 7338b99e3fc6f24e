//! Resource servers (APIs) and RFC 8707 resource indicators: which API a token is for, the
//! scopes each API defines, and the audience and scope an access token gets for it.
use std::fmt;

use super::error::OAuthError;
use super::scope::{self, Scopes};
use super::signing_alg::SigningAlg;

/// A registered API: the audience of the access tokens issued for it.
#[derive(Clone)]
pub struct Resource {
    /// The RFC 8707 resource URI; the `aud` of its tokens.
    pub identifier: String,
    /// Shown on the consent page.
    pub name: String,
    /// The scopes this API defines (never an OpenID Connect scope).
    pub scopes: Vec<String>,
    /// argon2id PHC string of the secret the API introspects with; `None`: it cannot.
    pub introspection_secret_hash: Option<String>,
    /// Seconds its access tokens live, when not the server-wide `access_token_ttl`.
    pub access_token_ttl: Option<i64>,
    /// The algorithm its access tokens are signed with.
    pub access_token_alg: SigningAlg,
}

impl fmt::Debug for Resource {
    // The secret hash stays out of Debug output: it is offline-crackable material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resource")
            .field("identifier", &self.identifier)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl Resource {
    pub fn defines(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// The part of a granted scope set an access token for this API carries.
    pub fn scope_of(&self, granted: &Scopes) -> Scopes {
        granted.retain(|s| self.defines(s))
    }
}

/// The scopes an access token for Tessera's own userinfo endpoint carries: the OpenID
/// Connect ones, never an API's.
pub fn userinfo_scope(granted: &Scopes) -> Scopes {
    granted.retain(|s| scope::SUPPORTED.contains(&s))
}

/// RFC 8707 §2: a resource indicator is an absolute URI without a fragment.
pub fn check_indicator(value: &str) -> Result<(), &'static str> {
    let url = url::Url::parse(value).map_err(|_| "must be an absolute URI")?;
    if url.fragment().is_some() {
        return Err("must not contain a fragment");
    }
    Ok(())
}

/// The API a `resource` value names, if this client may ask for it. Malformed values,
/// unknown APIs and APIs the client may not use are all `invalid_target` (RFC 8707 §2).
pub fn permitted<'r>(
    indicator: &str,
    permitted: &'r [Resource],
) -> Result<&'r Resource, OAuthError> {
    check_indicator(indicator)
        .map_err(|why| OAuthError::invalid_target(format!("resource {why}")))?;
    permitted
        .iter()
        .find(|r| r.identifier == indicator)
        .ok_or_else(|| {
            OAuthError::invalid_target("the resource is unknown or not permitted for this client")
        })
}

/// RFC 8707 §2.2: the API a token request names, which must be one the grant covers (and
/// one the client may still ask for: a reload may have withdrawn it); `None`: no API was
/// named, and the token is for Tessera's userinfo endpoint.
pub fn token_audience<'r>(
    permitted_to_client: &'r [Resource],
    covered: &ResourceIds,
    requested: Option<&str>,
) -> Result<Option<&'r Resource>, OAuthError> {
    let Some(requested) = requested else {
        return Ok(None);
    };
    if !covered.contains(requested) {
        return Err(OAuthError::invalid_target(
            "the grant does not cover this resource",
        ));
    }
    permitted(requested, permitted_to_client).map(Some)
}

/// The APIs a grant covers, as stored with codes, consents and refresh tokens: their
/// identifiers, space-separated (a URI has no space).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceIds(Vec<String>);

impl ResourceIds {
    pub fn new(ids: impl IntoIterator<Item = String>) -> Self {
        let mut list: Vec<String> = Vec::new();
        for id in ids {
            if !list.contains(&id) {
                list.push(id);
            }
        }
        Self(list)
    }

    pub fn parse(stored: &str) -> Self {
        Self::new(
            stored
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(String::from),
        )
    }

    pub fn contains(&self, identifier: &str) -> bool {
        self.0.iter().any(|r| r == identifier)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn is_subset_of(&self, other: &ResourceIds) -> bool {
        self.iter().all(|r| other.contains(r))
    }

    pub fn union(&self, other: &ResourceIds) -> ResourceIds {
        Self::new(self.0.iter().chain(other.0.iter()).cloned())
    }
}

impl fmt::Display for ResourceIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api() -> Resource {
        Resource {
            identifier: "https://api.example.com".into(),
            name: "Example API".into(),
            scopes: vec!["orders:read".into(), "orders:write".into()],
            introspection_secret_hash: None,
            access_token_ttl: None,
            access_token_alg: SigningAlg::Rs256,
        }
    }

    #[test]
    fn indicators_must_be_absolute_uris_without_fragments() {
        for good in [
            "https://api.example.com",
            "urn:example:api",
            "https://a/b?c=d",
        ] {
            assert!(check_indicator(good).is_ok(), "{good}");
        }
        for bad in ["api", "/orders", "https://api.example.com#x", "", "mailto"] {
            assert!(check_indicator(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_registered_and_permitted_resources_are_targets() {
        let apis = [api()];
        assert!(permitted("https://api.example.com", &apis).is_ok());
        for bad in [
            "https://api.example.com/",
            "https://other.example",
            "relative",
        ] {
            let err = permitted(bad, &apis).unwrap_err();
            assert_eq!(err.code, super::super::error::ErrorCode::InvalidTarget);
        }
    }

    #[test]
    fn a_token_is_for_an_api_the_grant_covers_and_the_client_may_still_use() {
        use super::super::error::ErrorCode;
        let apis = [api()];
        let covered = ResourceIds::parse("https://api.example.com");
        let audience = |permitted: &[Resource], covered: &ResourceIds, requested| {
            token_audience(permitted, covered, requested)
                .map(|api| api.map(|a| a.identifier.clone()))
        };
        assert_eq!(audience(&apis, &covered, None), Ok(None));
        assert_eq!(
            audience(&apis, &covered, Some("https://api.example.com")),
            Ok(Some("https://api.example.com".to_string()))
        );
        let uncovered = audience(
            &apis,
            &ResourceIds::default(),
            Some("https://api.example.com"),
        );
        assert_eq!(uncovered.unwrap_err().code, ErrorCode::InvalidTarget);
        let withdrawn = audience(&[], &covered, Some("https://api.example.com"));
        assert_eq!(withdrawn.unwrap_err().code, ErrorCode::InvalidTarget);
    }

    #[test]
    fn a_token_carries_only_its_audiences_scopes() {
        let granted = Scopes::parse("openid email orders:read offline_access").unwrap();
        assert_eq!(api().scope_of(&granted).to_string(), "orders:read");
        assert_eq!(
            userinfo_scope(&granted).to_string(),
            "openid email offline_access"
        );
    }

    #[test]
    fn stored_ids_round_trip_without_duplicates() {
        let ids = ResourceIds::parse("https://a https://b https://a");
        assert_eq!(ids.to_string(), "https://a https://b");
        assert!(ResourceIds::parse("").is_empty());
        assert!(ResourceIds::parse("https://a").is_subset_of(&ids));
    }
}
