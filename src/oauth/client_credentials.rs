//! The rules of `grant_type=client_credentials` (RFC 6749 §4.4): which API the token is
//! for, and which of its scopes it carries.
use super::client::Client;
use super::error::OAuthError;
use super::grants::ClientCredentialsGrant;
use super::resource::{self, Resource};
use super::scope::Scopes;

/// The API and the scopes of the token. The API is the `resource` named, or the client's
/// only API; without `scope`, every scope of that API the client may have (RFC 6749 §3.3
/// lets the server choose a default). An API the client may not use is `invalid_target`;
/// a scope outside the API's (an OpenID Connect one included: there is no user) or outside
/// the client's is `invalid_scope`.
pub fn api_and_scope<'c>(
    client: &'c Client,
    requested: &ClientCredentialsGrant,
) -> Result<(&'c Resource, Scopes), OAuthError> {
    let api = match (requested.resource.as_deref(), client.resources.as_slice()) {
        (Some(indicator), permitted) => resource::permitted(indicator, permitted)?,
        (None, [only]) => only,
        (None, []) => {
            return Err(OAuthError::invalid_target(
                "this client may not ask tokens for any API (it lists no resources)",
            ));
        }
        (None, _) => {
            return Err(OAuthError::invalid_target(
                "name the API with the resource parameter (this client may use several)",
            ));
        }
    };
    let permitted = |s: &str| client.allows_resource_scope(api, s);
    let scope = match requested.scope.as_deref() {
        None => Scopes::parse(&api.scopes.join(" "))
            .unwrap_or_default()
            .retain(permitted),
        Some(text) => {
            let asked = Scopes::parse(text)
                .ok_or_else(|| OAuthError::invalid_scope("scope is malformed"))?;
            if let Some(refused) = asked.iter().find(|s| !permitted(s)) {
                return Err(OAuthError::invalid_scope(format!(
                    "scope {refused} is not a scope of this API that this client may have"
                )));
            }
            asked
        }
    };
    Ok((api, scope))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::client::{AuthMethod, GrantType};
    use crate::oauth::error::ErrorCode;

    fn api(id: &str) -> Resource {
        Resource {
            identifier: id.into(),
            name: id.into(),
            scopes: vec!["read".into(), "write".into(), "admin".into()],
            introspection_secret_hash: None,
            access_token_ttl: None,
            access_token_alg: crate::oauth::signing_alg::SigningAlg::Rs256,
        }
    }

    fn service(apis: Vec<Resource>) -> Client {
        Client {
            grant_types: vec![GrantType::ClientCredentials],
            allowed_scopes: vec!["read".into(), "write".into()],
            resources: apis,
            ..Client::new("svc", AuthMethod::ClientSecretBasic)
        }
    }

    /// Neither `scope` nor `resource`: the defaults.
    fn asked_nothing() -> ClientCredentialsGrant {
        ClientCredentialsGrant::default()
    }

    fn code(result: Result<(&Resource, Scopes), OAuthError>) -> ErrorCode {
        result.unwrap_err().code
    }

    #[test]
    fn the_only_api_and_the_clients_scopes_are_the_defaults() {
        let client = service(vec![api("https://a")]);
        let (api, scope) = api_and_scope(&client, &asked_nothing()).unwrap();
        assert_eq!(api.identifier, "https://a");
        assert_eq!(scope.to_string(), "read write");
    }

    #[test]
    fn asked_scopes_must_be_the_apis_and_the_clients() {
        let client = service(vec![api("https://a")]);
        let asked = |scope: &str| ClientCredentialsGrant {
            scope: Some(scope.into()),
            resource: Some("https://a".into()),
        };
        assert_eq!(
            api_and_scope(&client, &asked("read"))
                .unwrap()
                .1
                .to_string(),
            "read"
        );
        assert_eq!(
            code(api_and_scope(&client, &asked("admin"))),
            ErrorCode::InvalidScope
        );
        assert_eq!(
            code(api_and_scope(&client, &asked("openid"))),
            ErrorCode::InvalidScope
        );
        assert_eq!(
            code(api_and_scope(&client, &asked("re\"ad"))),
            ErrorCode::InvalidScope
        );
    }

    #[test]
    fn the_api_must_be_named_when_ambiguous_and_permitted() {
        let two = service(vec![api("https://a"), api("https://b")]);
        assert_eq!(
            code(api_and_scope(&two, &asked_nothing())),
            ErrorCode::InvalidTarget
        );
        let other = ClientCredentialsGrant {
            resource: Some("https://c".into()),
            ..asked_nothing()
        };
        assert_eq!(code(api_and_scope(&two, &other)), ErrorCode::InvalidTarget);
        assert_eq!(
            code(api_and_scope(&service(vec![]), &asked_nothing())),
            ErrorCode::InvalidTarget
        );
    }
}
