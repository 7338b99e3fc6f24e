//! RFC 8693 token exchange, the pure part: the request (§2.1), the API the new token is for
//! (`resource` or `audience`, RFC 8707), what a verified subject token must be to be
//! exchanged here, the scope and lifetime of the new token, and its `act` claim (§4.1).
//! Verifying signatures and asking the database whether a token is still good are the
//! service's (`service::token_exchange`).
use std::fmt;

use serde::Deserialize;

use super::access_token::{AccessTokenClaims, Act, Audience, confirmation};
use super::acr;
use super::amr::Amr;
use super::client::Client;
use super::error::OAuthError;
use super::params::Params;
use super::resource::Resource;
use super::scope::Scopes;

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// RFC 8693 §3 token type identifiers.
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
pub const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
pub const JWT_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";

/// The longest delegation chain a token may carry: each exchange nests one more actor, and a
/// chain this long is a loop, not a design.
pub const MAX_ACTORS: usize = 8;

/// What kind of token the subject token is (`subject_token_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// A Tessera access token (RFC 9068) for the exchanging client or one of its APIs.
    AccessToken,
    /// A Tessera ID token issued to the exchanging client itself.
    IdToken,
}

/// `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` as the client sent it.
pub struct TokenExchangeGrant {
    pub subject_token: String,
    pub subject_kind: SubjectKind,
    /// An access token naming who acts (its `sub` and `client_id`).
    pub actor_token: Option<String>,
    pub scope: Option<String>,
    /// The API named by `resource` (RFC 8707) …
    pub resource: Option<String>,
    /// … or by `audience` (its identifier).
    pub audience: Option<String>,
}

// The tokens are bearer secrets: never in Debug output.
impl fmt::Debug for TokenExchangeGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenExchangeGrant")
            .field("subject_kind", &self.subject_kind)
            .field("actor_token", &self.actor_token.is_some())
            .field("scope", &self.scope)
            .field("resource", &self.resource)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// §2.1: the parameters, each once (the caller refused repeats); `resource` already checked.
pub fn parse(params: &Params, resource: Option<String>) -> Result<TokenExchangeGrant, OAuthError> {
    let required = |name: &'static str| {
        params
            .get(name)
            .ok_or_else(|| OAuthError::invalid_request(format!("{name} is required")))
    };
    let subject_token = required("subject_token")?;
    let subject_kind = match required("subject_token_type")? {
        ACCESS_TOKEN_TYPE => SubjectKind::AccessToken,
        ID_TOKEN_TYPE => SubjectKind::IdToken,
        _ => {
            return Err(OAuthError::invalid_request(
                "subject_token_type must be urn:ietf:params:oauth:token-type:access_token or …:id_token",
            ));
        }
    };
    let actor_token = match (params.get("actor_token"), params.get("actor_token_type")) {
        (None, None) => None,
        (Some(token), Some(ACCESS_TOKEN_TYPE)) => Some(token.to_string()),
        (Some(_), Some(_)) => {
            return Err(OAuthError::invalid_request(
                "actor_token_type must be urn:ietf:params:oauth:token-type:access_token",
            ));
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_request(
                "actor_token_type is required with actor_token",
            ));
        }
        (None, Some(_)) => {
            return Err(OAuthError::invalid_request(
                "actor_token_type without actor_token",
            ));
        }
    };
    match params.get("requested_token_type") {
        None | Some(ACCESS_TOKEN_TYPE | JWT_TYPE) => {}
        Some(_) => {
            return Err(OAuthError::invalid_request(
                "requested_token_type: only access tokens are issued (…:access_token or …:jwt)",
            ));
        }
    }
    Ok(TokenExchangeGrant {
        subject_token: subject_token.to_string(),
        subject_kind,
        actor_token,
        scope: params.get("scope").map(str::to_string),
        resource,
        audience: params.get("audience").map(str::to_string),
    })
}

/// The API the new token is for: named by `resource` or `audience` (the same thing here: both
/// given must agree), or the client's only API. It must be one the client lists in
/// `resources` (its exchange policy); anything else is `invalid_target` (§2.2.2).
pub fn target<'c>(
    client: &'c Client,
    grant: &TokenExchangeGrant,
) -> Result<&'c Resource, OAuthError> {
    let named = match (grant.resource.as_deref(), grant.audience.as_deref()) {
        (Some(resource), Some(audience)) if resource != audience => {
            return Err(OAuthError::invalid_target(
                "resource and audience name different APIs: name one",
            ));
        }
        (resource, audience) => resource.or(audience),
    };
    match (named, client.resources.as_slice()) {
        (Some(named), permitted) => permitted
            .iter()
            .find(|api| api.identifier == named)
            .ok_or_else(|| {
                OAuthError::invalid_target(
                    "the API is unknown or not one this client may exchange tokens for",
                )
            }),
        (None, [only]) => Ok(only),
        (None, _) => Err(OAuthError::invalid_target(
            "name the API with resource or audience",
        )),
    }
}

/// Why a subject or actor token is refused. §2.2.2: a token that is "invalid for any reason,
/// or unacceptable based on policy" is `invalid_request`.
pub fn unacceptable(which: &str, why: &str) -> OAuthError {
    OAuthError::invalid_request(format!("{which}: {why}"))
}

/// A subject token once verified (signature, issuer, expiry, revocation, an active user):
/// whom it speaks for and what it allows.
#[derive(Debug, Clone)]
pub struct Subject {
    pub sub: String,
    /// `None` for an ID token, which carries no scope: the policy alone bounds it.
    pub scope: Option<Scopes>,
    pub exp: i64,
    pub auth_time: i64,
    pub amr: Amr,
    /// The delegation chain it already carries.
    pub act: Option<Act>,
    /// The DPoP key it is bound to.
    pub jkt: Option<String>,
}

/// A verified access token as a subject token: it must speak for a user (`auth_time` is
/// there; a client's own token has none) and be meant for this client, one of its APIs
/// (`aud`).
pub fn access_token_subject(
    claims: AccessTokenClaims,
    client: &Client,
) -> Result<Subject, OAuthError> {
    if !meant_for(&claims.aud, client) {
        return Err(unacceptable(
            "subject_token",
            "its audience is neither this client nor one of its APIs",
        ));
    }
    let jkt = claims.bound_key().map(str::to_string);
    let (Some(auth_time), Some(amr)) = (claims.auth_time, claims.amr) else {
        return Err(unacceptable(
            "subject_token",
            "it speaks for no user (a client's own token)",
        ));
    };
    Ok(Subject {
        sub: claims.sub,
        scope: Some(claims.scope),
        exp: claims.exp,
        auth_time,
        amr,
        act: claims.act,
        jkt,
    })
}

/// The claims of a Tessera ID token that an exchange reads (OIDC Core §2).
#[derive(Debug, Clone, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: Audience,
    pub iat: i64,
    pub exp: i64,
    pub auth_time: i64,
    pub amr: Amr,
}

/// A verified ID token as a subject token: ours, unexpired, and issued to this very client
/// (an ID token is for its relying party alone, OIDC Core §2 `aud`).
pub fn id_token_subject(
    claims: IdTokenClaims,
    issuer: &str,
    client: &Client,
    now: i64,
) -> Result<Subject, OAuthError> {
    let why = if claims.iss != issuer {
        Some("it was not issued here")
    } else if now >= claims.exp {
        Some("it has expired")
    } else if claims.aud != Audience::One(client.id.clone()) {
        Some("it was issued to another client")
    } else {
        None
    };
    if let Some(why) = why {
        return Err(unacceptable("subject_token", why));
    }
    Ok(Subject {
        sub: claims.sub,
        scope: None,
        exp: claims.exp,
        auth_time: claims.auth_time,
        amr: claims.amr,
        act: None,
        jkt: None,
    })
}

/// Whether a token's audience is this client or one of the APIs it lists.
pub fn meant_for(aud: &Audience, client: &Client) -> bool {
    aud.includes(&client.id)
        || client
            .resources
            .iter()
            .any(|api| aud.includes(&api.identifier))
}

/// A token bound to a DPoP key (RFC 9449 §6.1) is only as good as a proof of that key: the
/// exchange request must carry one (`proven`), and the new token is bound to it too.
pub fn check_binding(
    which: &str,
    bound: Option<&str>,
    proven: Option<&str>,
) -> Result<(), OAuthError> {
    match bound {
        Some(jkt) if proven != Some(jkt) => Err(unacceptable(
            which,
            "it is DPoP-bound: send a DPoP proof of its key with the exchange",
        )),
        _ => Ok(()),
    }
}

/// §4.1: the `act` of the new token. With an actor token, its subject acts, and whoever acted
/// before (the subject token's `act`) nests inside. Without one, the exchanging client acts,
/// unless it may impersonate (`token_exchange_impersonation`), when the chain stays as the
/// subject token had it.
pub fn delegation(
    client: &Client,
    subject_act: Option<Act>,
    actor: Option<Act>,
) -> Result<Option<Act>, OAuthError> {
    let prior = subject_act.map(Box::new);
    let act = match actor {
        Some(actor) => Some(Act {
            act: prior,
            ..actor
        }),
        None if client.token_exchange_impersonation => prior.map(|act| *act),
        None => Some(Act {
            sub: client.id.clone(),
            client_id: Some(client.id.clone()),
            act: prior,
        }),
    };
    if act.as_ref().is_some_and(|act| act.depth() > MAX_ACTORS) {
        return Err(unacceptable(
            "subject_token",
            "its delegation chain is already as long as Tessera allows",
        ));
    }
    Ok(act)
}

/// The scope of the new token: the subject token's (an ID token has none to narrow by), ∩ the
/// client's policy for the API (`scopes` and the API's own), ∩ what was asked. Nothing left
/// is `invalid_scope`.
pub fn exchanged_scope(
    subject: Option<&Scopes>,
    requested: Option<&str>,
    client: &Client,
    api: &Resource,
) -> Result<Scopes, OAuthError> {
    let permitted = |s: &str| client.allows_resource_scope(api, s);
    let mut scope = match subject {
        Some(subject) => subject.retain(permitted),
        None => Scopes::parse(&api.scopes.join(" "))
            .unwrap_or_default()
            .retain(permitted),
    };
    if let Some(text) = requested {
        let asked =
            Scopes::parse(text).ok_or_else(|| OAuthError::invalid_scope("scope is malformed"))?;
        scope = scope.retain(|s| asked.contains(s));
    }
    if scope.iter().next().is_none() {
        return Err(OAuthError::invalid_scope(
            "no scope is left: the subject token's, this client's for the API and the asked ones do not meet",
        ));
    }
    Ok(scope)
}

/// What the new token is, beyond its subject.
#[derive(Debug, Clone, Copy)]
pub struct Exchanged<'a> {
    pub issuer: &'a str,
    pub client: &'a Client,
    pub api: &'a Resource,
    pub scope: &'a Scopes,
    pub jti: &'a str,
    /// Seconds the API's tokens live (`access_token_ttl`).
    pub api_ttl: i64,
    /// The DPoP key the request proved, to bind the new token to.
    pub jkt: Option<&'a str>,
    pub now: i64,
}

/// The claims of the new access token (RFC 9068): the subject's `sub` and authentication,
/// the API as `aud`, this client as `client_id`, and a lifetime that ends no later than the
/// subject token's (§2.2.1 `expires_in`).
pub fn exchanged_claims(
    subject: Subject,
    act: Option<Act>,
    new: Exchanged<'_>,
) -> AccessTokenClaims {
    let exp = (new.now + new.api_ttl).min(subject.exp);
    AccessTokenClaims {
        iss: new.issuer.to_string(),
        sub: subject.sub,
        aud: Audience::One(new.api.identifier.clone()),
        client_id: new.client.id.clone(),
        scope: new.scope.clone(),
        jti: new.jti.to_string(),
        iat: new.now,
        exp,
        auth_time: Some(subject.auth_time),
        acr: Some(acr::acr_for(&subject.amr).to_string()),
        amr: Some(subject.amr),
        cnf: confirmation(new.jkt),
        act,
    }
}

#[cfg(test)]
mod tests;
