//! Clients nobody wrote into the configuration: their metadata (RFC 7591 §2, also the body
//! of a Client ID Metadata Document) and the one policy both kinds are held to. Such a client
//! is public (PKCE, as always) or proves itself with `private_key_jwt`; it redirects only to
//! loopback `http` (RFC 8252 §7.3), `https` or a reverse-DNS private-use scheme (§7.1); it is
//! never spared the consent page; and it may ask only for the OpenID scopes and the APIs
//! whose `[[resources]]` block opens them to unregistered clients.
use serde_json::Value;

mod fields;

pub use fields::{ClientMetadata, MetadataError};

use crate::oauth::client::{AuthMethod, Client, ClientOrigin, GrantType};
use crate::oauth::client_assertion::{AssertionAlg, JwkSource, PrivateKeyJwt, parse_jwk_set};
use crate::oauth::resource::Resource;
use crate::oauth::scope;
use crate::oauth::signing_alg::SigningAlg;

/// What the operator lets unregistered clients have.
#[derive(Debug, Clone, Default)]
pub struct DynamicClientPolicy {
    /// `offline_access` (refresh tokens) may be asked for (`dynamic_clients_offline_access`).
    pub offline_access: bool,
    /// The APIs marked `dynamic_clients = true`: the only ones such a client may name.
    pub resources: Vec<Resource>,
    /// The algorithms ID tokens may be signed with (`signing_algs`).
    pub signing_algs: Vec<SigningAlg>,
    /// The global `require_pushed_authorization_requests`.
    pub require_pushed_authorization_requests: bool,
}

/// The longest client name and the most redirect URIs a client may register.
const MAX_NAME: usize = 200;
const MAX_REDIRECT_URIS: usize = 20;

/// The metadata as registered: checked against `policy`, with what the client left out
/// filled in as Tessera will use it (RFC 7591 §3.2.1 returns these values).
pub fn registered(
    meta: &ClientMetadata,
    policy: &DynamicClientPolicy,
) -> Result<ClientMetadata, MetadataError> {
    if meta.skip_consent == Some(true) {
        return Err(MetadataError::invalid_client_metadata(
            "skip_consent is never granted to a client registered this way",
        ));
    }
    let method = auth_method(meta)?;
    let grants = grant_types(meta)?;
    check_response_types(meta)?;
    check_redirect_uris("redirect_uris", &meta.redirect_uris, true)?;
    if let Some(uris) = &meta.post_logout_redirect_uris {
        check_redirect_uris("post_logout_redirect_uris", uris, false)?;
    }
    check_keys(meta, method)?;
    check_name(meta)?;
    id_token_alg(meta, policy)?;
    let scopes = scopes(meta, &grants, policy)?;
    Ok(ClientMetadata {
        token_endpoint_auth_method: Some(method.as_str().to_string()),
        grant_types: Some(grants.iter().map(|g| g.as_str().to_string()).collect()),
        response_types: Some(vec!["code".to_string()]),
        scope: Some(scopes.join(" ")),
        skip_consent: None,
        ..meta.clone()
    })
}

/// The client `meta` describes, under `client_id`, or why `policy` refuses it.
pub fn to_client(
    meta: &ClientMetadata,
    client_id: &str,
    origin: ClientOrigin,
    policy: &DynamicClientPolicy,
) -> Result<Client, MetadataError> {
    let meta = registered(meta, policy)?;
    let method = auth_method(&meta)?;
    let mut client = Client::new(client_id, method);
    client.name = meta
        .client_name
        .clone()
        .unwrap_or_else(|| client_id.to_string());
    client.redirect_uris = meta.redirect_uris.clone();
    client.post_logout_redirect_uris = meta.post_logout_redirect_uris.clone().unwrap_or_default();
    client.allowed_scopes = meta
        .scope
        .as_deref()
        .unwrap_or_default()
        .split(' ')
        .map(str::to_string)
        .collect();
    client.grant_types = grant_types(&meta)?;
    client.resources = policy.resources.clone();
    client.private_key_jwt = private_key_jwt(&meta, method);
    client.id_token_signed_response_alg = id_token_alg(&meta, policy)?;
    client.require_pushed_authorization_requests = policy.require_pushed_authorization_requests;
    client.dpop_bound_access_tokens = meta.dpop_bound_access_tokens.unwrap_or(false);
    client.skip_consent = false;
    client.origin = origin;
    Ok(client)
}

/// `none` when left out: RFC 7591 §2 would default to `client_secret_basic`, which this
/// policy never grants, and §3.2.1 lets the server substitute the value it registers.
fn auth_method(meta: &ClientMetadata) -> Result<AuthMethod, MetadataError> {
    match meta.token_endpoint_auth_method.as_deref() {
        None | Some("none") => Ok(AuthMethod::None),
        Some("private_key_jwt") => Ok(AuthMethod::PrivateKeyJwt),
        Some("client_secret_basic" | "client_secret_post" | "client_secret_jwt") => {
            Err(MetadataError::invalid_client_metadata(
                "a client registered this way is public (token_endpoint_auth_method \"none\", with PKCE) or uses private_key_jwt: no shared secret is issued",
            ))
        }
        Some(other) => Err(MetadataError::invalid_client_metadata(format!(
            "token_endpoint_auth_method {other:?} is not supported"
        ))),
    }
}

/// `authorization_code`, and `refresh_token` beside it; nothing else.
fn grant_types(meta: &ClientMetadata) -> Result<Vec<GrantType>, MetadataError> {
    let Some(names) = &meta.grant_types else {
        return Ok(vec![GrantType::AuthorizationCode]);
    };
    let mut grants = Vec::new();
    for name in names {
        let grant = match name.as_str() {
            "authorization_code" => GrantType::AuthorizationCode,
            "refresh_token" => GrantType::RefreshToken,
            other => {
                return Err(MetadataError::invalid_client_metadata(format!(
                    "grant type {other:?} is not available to a client registered this way (authorization_code and refresh_token are)"
                )));
            }
        };
        if !grants.contains(&grant) {
            grants.push(grant);
        }
    }
    if !grants.contains(&GrantType::AuthorizationCode) {
        return Err(MetadataError::invalid_client_metadata(
            "grant_types must include authorization_code",
        ));
    }
    Ok(grants)
}

fn check_response_types(meta: &ClientMetadata) -> Result<(), MetadataError> {
    match &meta.response_types {
        Some(types) if types.iter().any(|t| t != "code") => Err(
            MetadataError::invalid_client_metadata("only the response type \"code\" is supported"),
        ),
        _ => Ok(()),
    }
}

/// Loopback `http` (RFC 8252 §7.3; IP literals, as `localhost` is not recommended, §8.3),
/// `https` with a host, or a private-use scheme named after a domain (§7.1); no fragment.
fn check_redirect_uris(field: &str, uris: &[String], required: bool) -> Result<(), MetadataError> {
    if required && uris.is_empty() {
        return Err(MetadataError::invalid_redirect_uri(format!(
            "{field}: at least one is required"
        )));
    }
    if uris.len() > MAX_REDIRECT_URIS {
        return Err(MetadataError::invalid_redirect_uri(format!(
            "{field}: at most {MAX_REDIRECT_URIS}"
        )));
    }
    for uri in uris {
        check_redirect_uri(uri).map_err(|why| {
            MetadataError::invalid_redirect_uri(format!("{field}: {uri:?} {why}"))
        })?;
    }
    Ok(())
}

fn check_redirect_uri(uri: &str) -> Result<(), &'static str> {
    if uri.contains('#') {
        return Err("must not contain a fragment");
    }
    let url = url::Url::parse(uri).map_err(|_| "is not an absolute URI")?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry user information");
    }
    match url.scheme() {
        "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        "https" => Err("needs a host"),
        "http" => match url.host() {
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => Ok(()),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => Ok(()),
            _ => Err("may use http only on a loopback address (127.0.0.1 or [::1])"),
        },
        scheme if is_private_use_scheme(scheme) && url.host_str().is_none_or(str::is_empty) => {
            Ok(())
        }
        _ => Err(
            "must be https, loopback http, or a private-use scheme named after a domain (com.example.app:/callback)",
        ),
    }
}

/// RFC 8252 §7.1: a scheme that is a reverse domain name, so it names its owner.
fn is_private_use_scheme(scheme: &str) -> bool {
    let labels: Vec<&str> = scheme.split('.').collect();
    labels.len() >= 2 && labels.iter().all(|label| !label.is_empty())
}

/// private_key_jwt needs its keys: `jwks_uri` (https) or `jwks`, not both (RFC 7591 §2).
fn check_keys(meta: &ClientMetadata, method: AuthMethod) -> Result<(), MetadataError> {
    if method != AuthMethod::PrivateKeyJwt {
        if meta.jwks.is_some() || meta.jwks_uri.is_some() {
            return Err(MetadataError::invalid_client_metadata(
                "jwks and jwks_uri are for private_key_jwt clients",
            ));
        }
        return Ok(());
    }
    match (&meta.jwks_uri, &meta.jwks) {
        (Some(_), Some(_)) => Err(MetadataError::invalid_client_metadata(
            "give jwks_uri or jwks, not both",
        )),
        (None, None) => Err(MetadataError::invalid_client_metadata(
            "private_key_jwt needs jwks_uri or jwks",
        )),
        (Some(uri), None) => match url::Url::parse(uri) {
            Ok(url) if url.scheme() == "https" && url.host_str().is_some() => Ok(()),
            _ => Err(MetadataError::invalid_client_metadata(
                "jwks_uri must be an https URL",
            )),
        },
        (None, Some(set)) => parse_jwk_set(set)
            .map(|_| ())
            .map_err(|why| MetadataError::invalid_client_metadata(format!("jwks: {why}"))),
    }?;
    if let Some(alg) = &meta.token_endpoint_auth_signing_alg {
        assertion_alg(alg)?;
    }
    Ok(())
}

fn assertion_alg(name: &str) -> Result<AssertionAlg, MetadataError> {
    serde_json::from_value(Value::String(name.to_string())).map_err(|_| {
        MetadataError::invalid_client_metadata(format!(
            "token_endpoint_auth_signing_alg {name:?} is not supported"
        ))
    })
}

fn private_key_jwt(meta: &ClientMetadata, method: AuthMethod) -> Option<PrivateKeyJwt> {
    if method != AuthMethod::PrivateKeyJwt {
        return None;
    }
    let keys = match (&meta.jwks_uri, &meta.jwks) {
        (Some(uri), _) => JwkSource::Uri(uri.clone()),
        (None, Some(set)) => JwkSource::Inline(parse_jwk_set(set).ok()?),
        (None, None) => return None,
    };
    Some(PrivateKeyJwt {
        keys,
        alg: meta
            .token_endpoint_auth_signing_alg
            .as_deref()
            .and_then(|name| assertion_alg(name).ok()),
        token_endpoint_audience: false,
    })
}

fn check_name(meta: &ClientMetadata) -> Result<(), MetadataError> {
    match &meta.client_name {
        Some(name) if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) => {
            Err(MetadataError::invalid_client_metadata(format!(
                "client_name must be at most {MAX_NAME} printable characters"
            )))
        }
        _ => Ok(()),
    }
}

fn id_token_alg(
    meta: &ClientMetadata,
    policy: &DynamicClientPolicy,
) -> Result<SigningAlg, MetadataError> {
    let Some(name) = &meta.id_token_signed_response_alg else {
        return Ok(SigningAlg::Rs256);
    };
    serde_json::from_value::<SigningAlg>(Value::String(name.clone()))
        .ok()
        .filter(|alg| policy.signing_algs.contains(alg))
        .ok_or_else(|| {
            MetadataError::invalid_client_metadata(format!(
                "id_token_signed_response_alg {name:?} is not one this server signs with"
            ))
        })
}

/// The scopes the client may be granted: what it asked for, each allowed by `policy`
/// (`openid` always among them); everything allowed when it asked for nothing.
fn scopes(
    meta: &ClientMetadata,
    grants: &[GrantType],
    policy: &DynamicClientPolicy,
) -> Result<Vec<String>, MetadataError> {
    let offline = policy.offline_access && grants.contains(&GrantType::RefreshToken);
    let mut allowed: Vec<&str> = vec!["openid", "profile", "email"];
    if offline {
        allowed.push("offline_access");
    }
    for api in &policy.resources {
        allowed.extend(api.scopes.iter().map(String::as_str));
    }
    let Some(asked) = &meta.scope else {
        return Ok(allowed.into_iter().map(str::to_string).collect());
    };
    let mut granted = vec!["openid".to_string()];
    for name in asked.split(' ').filter(|s| !s.is_empty()) {
        if !scope::is_scope_token(name) {
            return Err(MetadataError::invalid_client_metadata(format!(
                "{name:?} is not a valid scope token"
            )));
        }
        if !allowed.contains(&name) {
            return Err(MetadataError::invalid_client_metadata(format!(
                "scope {name:?} is not available to a client registered this way"
            )));
        }
        if !granted.iter().any(|g| g == name) {
            granted.push(name.to_string());
        }
    }
    Ok(granted)
}

#[cfg(test)]
mod tests;
