//! What a user approved for a client: OpenID Connect scopes, and for each API (RFC 8707
//! resource) the scopes of that API. Consent is remembered per (API, scope): two APIs may
//! define a scope of the same name (`read`), and approving it for one says nothing about the
//! other (RFC 8707 §2: the resource says which API a scope is about). A request needs consent
//! again when it asks for anything not approved in exactly that pairing.
use super::client::Client;
use super::resource::{Resource, ResourceIds};
use super::scope::{self, Scopes};

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

fn is_oidc(scope: &str) -> bool {
    scope::SUPPORTED.contains(&scope)
}

/// One API the user approved, with the scopes of it approved (possibly none: a token for the
/// API without any of its scopes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiApproval {
    pub resource: String,
    pub scope: Scopes,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approval {
    /// Every scope name approved, for the account page. Only its OpenID Connect scopes are
    /// matched against requests: an API's scope counts only through `apis`.
    pub scope: Scopes,
    pub apis: Vec<ApiApproval>,
}

impl Approval {
    /// An approval of scopes alone (no API).
    pub fn of_scope(scope: Scopes) -> Self {
        Self {
            scope,
            apis: Vec::new(),
        }
    }

    /// The API identifiers approved, as the legacy `resources` column stores them.
    pub fn resources(&self) -> ResourceIds {
        ResourceIds::new(self.apis.iter().map(|api| api.resource.clone()))
    }

    fn api(&self, resource: &str) -> Option<&ApiApproval> {
        self.apis.iter().find(|api| api.resource == resource)
    }

    /// True when everything the request asks was approved: its OpenID Connect scopes, and
    /// for each API it names, that API with each of the API's scopes it asks for.
    pub fn covers(&self, client: &Client, scope: &Scopes, resources: &ResourceIds) -> bool {
        let oidc_covered = scope.retain(is_oidc).is_subset_of(&self.scope);
        // An API the client may not use (any more) cannot be covered by a past approval.
        let all_known = resources
            .iter()
            .all(|r| client.resources.iter().any(|api| api.identifier == r));
        oidc_covered
            && all_known
            && apis_asked(client, scope, resources)
                .iter()
                .all(|(api, asked)| {
                    self.api(&api.identifier)
                        .is_some_and(|approved| asked.is_subset_of(&approved.scope))
                })
    }

    /// This approval widened by what was approved now: each API gets the scopes of it the
    /// request asked for, never another API's.
    pub fn union(&self, client: &Client, scope: &Scopes, resources: &ResourceIds) -> Self {
        let mut apis = self.apis.clone();
        for (api, asked) in apis_asked(client, scope, resources) {
            match apis.iter_mut().find(|a| a.resource == api.identifier) {
                Some(approved) => approved.scope = approved.scope.union(&asked),
                None => apis.push(ApiApproval {
                    resource: api.identifier.clone(),
                    scope: asked,
                }),
            }
        }
        Self {
            scope: self.scope.union(scope),
            apis,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::signing_alg::SigningAlg;

    fn scope(s: &str) -> Scopes {
        Scopes::parse(s).unwrap()
    }

    fn api(identifier: &str, scopes: &[&str]) -> Resource {
        Resource {
            identifier: identifier.into(),
            name: identifier.into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            introspection_secret_hash: None,
            access_token_ttl: None,
            access_token_alg: SigningAlg::Rs256,
        }
    }

    fn client() -> Client {
        Client {
            resources: vec![
                api("https://a", &["read"]),
                api("https://b", &["read", "write"]),
            ],
            ..Client::new("app", crate::oauth::client::AuthMethod::ClientSecretBasic)
        }
    }

    #[test]
    fn a_new_api_or_scope_needs_consent_again() {
        let client = client();
        let a = ResourceIds::parse("https://a");
        let approved = Approval::of_scope(scope("openid")).union(&client, &scope("email read"), &a);
        assert!(approved.covers(&client, &scope("openid email read"), &a));
        assert!(!approved.covers(&client, &scope("openid"), &ResourceIds::parse("https://b")));
        assert!(!approved.covers(&client, &scope("openid profile"), &ResourceIds::default()));
    }

    #[test]
    fn approving_read_on_one_api_does_not_approve_read_on_another() {
        let client = client();
        let (a, b) = (
            ResourceIds::parse("https://a"),
            ResourceIds::parse("https://b"),
        );
        let approved = Approval::of_scope(scope("openid"))
            .union(&client, &scope("openid read"), &a)
            .union(&client, &scope("openid write"), &b);
        assert!(approved.covers(&client, &scope("openid write"), &b));
        assert!(approved.covers(&client, &scope("openid read"), &a));
        assert!(
            !approved.covers(&client, &scope("openid read"), &b),
            "read was approved for A only"
        );
    }
}
