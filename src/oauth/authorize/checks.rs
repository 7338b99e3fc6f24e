//! One check per function, each for one parameter or rule of RFC 6749 §4.1.1, RFC 7636 and
//! OIDC Core §3.1.2.1. The order they run in is `validate` in `mod.rs`.
use super::{Channel, Prompt, RedirectTarget, UntrustedRedirectError};
use crate::oauth::client::{Client, GrantType};
use crate::oauth::dpop;
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::params::Params;
use crate::oauth::pkce;
use crate::oauth::resource::{self, ResourceIds};
use crate::oauth::scope::{self, Scopes};

/// Longest `state` / `nonce` accepted; real clients send well under this.
const MAX_OPAQUE_PARAM_LEN: usize = 2048;
const MAX_LOGIN_HINT_LEN: usize = 320;

/// The client and the redirect_uri, which decide where errors may go: both must be present
/// once, the client registered and the URI registered for it.
pub fn trusted_redirect<'c, 'p>(
    params: &'p Params,
    find_client: impl Fn(&str) -> Option<&'c Client>,
) -> Result<(&'c Client, &'p str), UntrustedRedirectError> {
    // Any repeat of these two, whatever else repeats, leaves no single place to redirect to.
    for name in ["client_id", "redirect_uri"] {
        if params.is_duplicated(name) {
            return Err(UntrustedRedirectError::DuplicateParameter(name.into()));
        }
    }
    let client_id = params
        .get("client_id")
        .ok_or(UntrustedRedirectError::MissingClientId)?;
    let client = find_client(client_id).ok_or(UntrustedRedirectError::UnknownClient)?;
    let redirect_uri = params
        .get("redirect_uri")
        .ok_or(UntrustedRedirectError::MissingRedirectUri)?;
    if !client.redirect_uri_registered(redirect_uri) {
        return Err(UntrustedRedirectError::UnregisteredRedirectUri);
    }
    Ok((client, redirect_uri))
}

/// Where an error about this request goes: the trusted redirect_uri, with `state` echoed only
/// when it can be echoed faithfully (once, and not oversized).
pub fn error_target(params: &Params, redirect_uri: &str) -> RedirectTarget {
    let state = params
        .get("state")
        .filter(|s| s.len() <= MAX_OPAQUE_PARAM_LEN && !params.is_duplicated("state"));
    RedirectTarget {
        redirect_uri: redirect_uri.to_string(),
        state: state.map(str::to_string),
    }
}

/// RFC 9126 §5 (and FAPI 2.0 §5.3.2.2 item 3): a client that must push its requests gets
/// none through the browser. The redirect_uri is registered by now, so the client hears it.
pub fn pushed_if_required(client: &Client, channel: Channel) -> Result<(), OAuthError> {
    if client.require_pushed_authorization_requests && channel == Channel::FrontChannel {
        return Err(OAuthError::invalid_request(
            "this client must push its authorization requests to the pushed authorization request endpoint (RFC 9126)",
        ));
    }
    Ok(())
}

/// Request objects are not supported. A `request_uri` reaching here was not issued by `/par`
/// for this request (those are resolved before validation), or was pushed inside a pushed
/// request, which RFC 9126 §2.1 forbids.
pub fn no_request_objects(params: &Params, channel: Channel) -> Result<(), OAuthError> {
    if params.get("request").is_some() {
        return Err(OAuthError::new(
            ErrorCode::RequestNotSupported,
            "request objects are not supported",
        ));
    }
    if params.get("request_uri").is_some() && channel == Channel::Pushed {
        return Err(OAuthError::invalid_request(
            "a pushed authorization request cannot contain request_uri (RFC 9126 §2.1)",
        ));
    }
    if params.get("request_uri").is_some() {
        return Err(OAuthError::new(
            ErrorCode::RequestUriNotSupported,
            "request_uri is not supported",
        ));
    }
    Ok(())
}

pub fn response_type_is_code(params: &Params) -> Result<(), OAuthError> {
    match params.get("response_type") {
        Some("code") => Ok(()),
        None => Err(OAuthError::invalid_request("response_type is required")),
        Some(_) => Err(OAuthError::new(
            ErrorCode::UnsupportedResponseType,
            "only response_type=code is supported",
        )),
    }
}

pub fn response_mode_is_query(params: &Params) -> Result<(), OAuthError> {
    match params.get("response_mode") {
        None | Some("query") => Ok(()),
        Some(_) => Err(OAuthError::invalid_request(
            "only response_mode=query is supported",
        )),
    }
}

pub fn state(params: &Params) -> Result<Option<String>, OAuthError> {
    match params.get("state") {
        Some(state) if state.len() > MAX_OPAQUE_PARAM_LEN => {
            Err(OAuthError::invalid_request("state is too long"))
        }
        state => Ok(state.map(str::to_string)),
    }
}

/// OIDC Core §3.1.2.1: `none` must stand alone. `select_account` is accepted and does
/// nothing (a session holds one account), so it is not advertised.
pub fn prompt(params: &Params) -> Result<Prompt, OAuthError> {
    let mut prompt = Prompt::default();
    let tokens: Vec<&str> = params
        .get("prompt")
        .unwrap_or_default()
        .split(' ')
        .filter(|t| !t.is_empty())
        .collect();
    for token in &tokens {
        match *token {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            "select_account" => {}
            other => {
                return Err(OAuthError::invalid_request(format!(
                    "unsupported prompt value {other:?}"
                )));
            }
        }
    }
    if prompt.none && tokens.len() > 1 {
        return Err(OAuthError::invalid_request(
            "prompt=none cannot be combined with other values",
        ));
    }
    Ok(prompt)
}

/// RFC 6749 §4.1.2.1: a client registered without the code grant may not start one.
pub fn code_grant_allowed(client: &Client) -> Result<(), OAuthError> {
    if client.may_use(GrantType::AuthorizationCode) {
        Ok(())
    } else {
        Err(OAuthError::unauthorized_client(
            "this client is not registered for the authorization code grant",
        ))
    }
}

/// RFC 8707 §2: every `resource` (it may repeat) is an API this client may ask for.
pub fn resources(params: &Params, client: &Client) -> Result<ResourceIds, OAuthError> {
    let mut named = Vec::new();
    for indicator in params.get_all("resource") {
        named.push(
            resource::permitted(indicator, &client.resources)?
                .identifier
                .clone(),
        );
    }
    Ok(ResourceIds::new(named))
}

/// The scopes granted if the user agrees: OpenID Connect scopes Tessera understands and
/// scopes of the APIs named in `resources`, each one the client may have. `openid` is
/// required; anything else is ignored (OIDC Core §5.4), except an API's scope asked for
/// without naming the API: that is a mistake the client's developer should hear about.
/// `offline_access` is honoured only when the user is asked (`prompt=consent`) or the
/// client never asks (OIDC Core §11).
pub fn scope(
    params: &Params,
    client: &Client,
    prompt: Prompt,
    resources: &ResourceIds,
) -> Result<Scopes, OAuthError> {
    let requested = params
        .get("scope")
        .and_then(Scopes::parse)
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidScope, "scope is missing or malformed"))?;
    if !requested.contains("openid") {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "the openid scope is required",
        ));
    }
    let named = || {
        client
            .resources
            .iter()
            .filter(|r| resources.contains(&r.identifier))
    };
    let is_oidc = |s: &str| scope::SUPPORTED.contains(&s);
    if let Some(orphan) = requested.iter().find(|s| {
        !is_oidc(s)
            && client.resources.iter().any(|r| r.defines(s))
            && !named().any(|r| r.defines(s))
    }) {
        return Err(OAuthError::invalid_scope(format!(
            "scope {orphan} belongs to an API: name the API with the resource parameter"
        )));
    }
    let scope = requested.retain(|s| {
        client.allows_scope(s)
            && (is_oidc(s) || named().any(|r| client.allows_resource_scope(r, s)))
    });
    Ok(if prompt.consent || client.skip_consent {
        scope
    } else {
        scope.retain(|s| s != "offline_access")
    })
}

/// RFC 7636 / RFC 9700 §2.1.1: an S256 challenge from every client; `plain` is refused.
pub fn pkce_challenge(params: &Params) -> Result<String, OAuthError> {
    match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (None, _) => Err(OAuthError::invalid_request(
            "code_challenge is required (PKCE)",
        )),
        (Some(_), None) => Err(OAuthError::invalid_request(
            "code_challenge_method is required and must be S256",
        )),
        (Some(_), Some(method)) if method != "S256" => Err(OAuthError::invalid_request(
            "code_challenge_method must be S256; plain is not allowed",
        )),
        (Some(challenge), Some(_)) if !pkce::is_valid_s256_challenge(challenge) => Err(
            OAuthError::invalid_request("code_challenge is not a valid S256 challenge"),
        ),
        (Some(challenge), Some(_)) => Ok(challenge.to_string()),
    }
}

pub fn nonce(params: &Params) -> Result<Option<String>, OAuthError> {
    match params.get("nonce") {
        Some(nonce) if nonce.len() > MAX_OPAQUE_PARAM_LEN => {
            Err(OAuthError::invalid_request("nonce is too long"))
        }
        nonce => Ok(nonce.map(str::to_string)),
    }
}

pub fn max_age(params: &Params) -> Result<Option<i64>, OAuthError> {
    params
        .get("max_age")
        .map(|text| {
            text.parse::<u32>()
                .map(i64::from)
                .map_err(|_| OAuthError::invalid_request("max_age must be a non-negative integer"))
        })
        .transpose()
}

/// RFC 9449 §10: binds the code to the DPoP key with this thumbprint.
pub fn dpop_jkt(params: &Params) -> Result<Option<String>, OAuthError> {
    params.get("dpop_jkt").map(dpop::parse_jkt).transpose()
}

/// A hint only pre-fills the sign-in form; an oversized one is ignored.
pub fn login_hint(params: &Params) -> Option<String> {
    params
        .get("login_hint")
        .filter(|h| h.len() <= MAX_LOGIN_HINT_LEN)
        .map(str::to_string)
}

/// Unknown classes are ignored: acr_values is a voluntary request (OIDC Core §5.5.1.1).
pub fn acr_values(params: &Params) -> Vec<String> {
    params
        .get("acr_values")
        .filter(|v| v.len() <= MAX_OPAQUE_PARAM_LEN)
        .map(|v| {
            v.split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}
