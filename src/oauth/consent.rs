//! What a user approved for a client: scopes, and the APIs (RFC 8707 resources) tokens may
//! be issued for. A request needs consent again when it asks for more of either.
use super::client::Client;
use super::resource::{Resource, ResourceIds};
use super::scope::Scopes;

/// The APIs a request asks access to, each with the scopes of it asked for: what the
/// consent page lists after the OpenID Connect scopes.
pub fn apis_asked<'c>(
    client: &'c Client,
    scope: &Scopes,
    resources: &ResourceIds,
) -> Vec<(&'c Resource, Scopes)> {
    client
        .resources
        .iter()
        .filter(|api| resources.contains(&api.identifier))
        .map(|api| (api, api.scope_of(scope)))
        .collect()
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approval {
    pub scope: Scopes,
    pub resources: ResourceIds,
}

impl Approval {
    /// An approval of scopes alone (no API).
    pub fn of_scope(scope: Scopes) -> Self {
        Self {
            scope,
            resources: ResourceIds::default(),
        }
    }

    /// True when everything `scope` and `resources` ask for was approved.
    pub fn covers(&self, scope: &Scopes, resources: &ResourceIds) -> bool {
        scope.is_subset_of(&self.scope) && resources.is_subset_of(&self.resources)
    }

    /// This approval widened by what was approved now.
    pub fn union(&self, scope: &Scopes, resources: &ResourceIds) -> Self {
        Self {
            scope: self.scope.union(scope),
            resources: self.resources.union(resources),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_api_or_scope_needs_consent_again() {
        let scope = |s| Scopes::parse(s).unwrap();
        let approved = Approval::of_scope(scope("openid orders:read"))
            .union(&scope("email"), &ResourceIds::parse("https://api"));
        assert!(approved.covers(&scope("openid email"), &ResourceIds::parse("https://api")));
        assert!(!approved.covers(&scope("openid"), &ResourceIds::parse("https://other")));
        assert!(!approved.covers(&scope("openid profile"), &ResourceIds::default()));
    }
}
