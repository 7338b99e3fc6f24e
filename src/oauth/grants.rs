//! The token endpoint's grant types (RFC 6749 §4.1.3, §4.4.2, §6, §5): parsing a token
//! request into the grant it names, checking the client may use it, and checking an
//! authorization code against the client, redirect_uri, expiry and PKCE.
use std::fmt;

use super::amr::Amr;
use super::client::{Client, GrantType};
use super::error::{ErrorCode, OAuthError};
use super::params::Params;
use super::pkce;
use super::resource::{self, ResourceIds};
use super::scope::Scopes;
use super::token_exchange::{self, TokenExchangeGrant};

use super::device;
pub use super::device::DeviceCodeGrant;

/// A parsed token request: one grant type and its parameters. `resource` (RFC 8707) names
/// the one API the access token is for; without it the token is for Tessera's userinfo
/// endpoint.
#[derive(Debug)]
pub enum TokenRequest {
    AuthorizationCode(CodeGrant),
    RefreshToken(RefreshGrant),
    ClientCredentials(ClientCredentialsGrant),
    TokenExchange(TokenExchangeGrant),
    /// RFC 8628 §3.4.
    DeviceCode(DeviceCodeGrant),
}

/// `grant_type=authorization_code` as the client sent it (RFC 6749 §4.1.3).
pub struct CodeGrant {
    pub code: String,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    /// The API the access token is for: one the authorization request named.
    pub resource: Option<String>,
}

/// `grant_type=refresh_token` as the client sent it (RFC 6749 §6).
pub struct RefreshGrant {
    pub refresh_token: String,
    /// A narrower scope.
    pub scope: Option<String>,
    /// The API the new access token is for: any the grant covers (RFC 8707 §2.2).
    pub resource: Option<String>,
}

/// `grant_type=client_credentials` as the client sent it (RFC 6749 §4.4.2).
#[derive(Debug, Clone, Default)]
pub struct ClientCredentialsGrant {
    pub scope: Option<String>,
    pub resource: Option<String>,
}

impl RefreshGrant {
    /// A plain refresh: same scope, a token for userinfo.
    pub fn token(refresh_token: &str) -> Self {
        Self {
            refresh_token: refresh_token.to_string(),
            scope: None,
            resource: None,
        }
    }
}

// The code, its verifier and the refresh token are bearer secrets: never in Debug output.
impl fmt::Debug for CodeGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeGrant")
            .field("redirect_uri", &self.redirect_uri)
            .field("resource", &self.resource)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for RefreshGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshGrant")
            .field("scope", &self.scope)
            .field("resource", &self.resource)
            .finish_non_exhaustive()
    }
}

impl TokenRequest {
    pub fn grant_type(&self) -> GrantType {
        match self {
            Self::AuthorizationCode(_) => GrantType::AuthorizationCode,
            Self::RefreshToken(_) => GrantType::RefreshToken,
            Self::ClientCredentials(_) => GrantType::ClientCredentials,
            Self::TokenExchange(_) => GrantType::TokenExchange,
            Self::DeviceCode(_) => GrantType::DeviceCode,
        }
    }
}

pub fn parse_token_request(params: &Params) -> Result<TokenRequest, OAuthError> {
    let resource = token_resource(params)?;
    params.reject_duplicates()?;
    match params.get("grant_type") {
        None => Err(OAuthError::invalid_request("grant_type is required")),
        Some("authorization_code") => {
            let code = params
                .get("code")
                .ok_or_else(|| OAuthError::invalid_request("code is required"))?;
            Ok(TokenRequest::AuthorizationCode(CodeGrant {
                code: code.to_string(),
                redirect_uri: params.get("redirect_uri").map(str::to_string),
                code_verifier: params.get("code_verifier").map(str::to_string),
                resource,
            }))
        }
        Some("refresh_token") => {
            let refresh_token = params
                .get("refresh_token")
                .ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
            Ok(TokenRequest::RefreshToken(RefreshGrant {
                refresh_token: refresh_token.to_string(),
                scope: params.get("scope").map(str::to_string),
                resource,
            }))
        }
        Some("client_credentials") => Ok(TokenRequest::ClientCredentials(ClientCredentialsGrant {
            scope: params.get("scope").map(str::to_string),
            resource,
        })),
        Some(token_exchange::GRANT_TYPE) => Ok(TokenRequest::TokenExchange(token_exchange::parse(
            params, resource,
        )?)),
        Some(device::GRANT_TYPE) => Ok(TokenRequest::DeviceCode(device::parse(params, resource)?)),
        Some(_) => Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            "supported grant types: authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:token-exchange, urn:ietf:params:oauth:grant-type:device_code",
        )),
    }
}

/// The one `resource` of a token request: Tessera issues one access token per request, so
/// it has one audience; several, or one that is not an absolute URI, is `invalid_target`
/// (RFC 8707 §2).
fn token_resource(params: &Params) -> Result<Option<String>, OAuthError> {
    match params.get_all("resource") {
        [] => Ok(None),
        [one] => {
            resource::check_indicator(one)
                .map_err(|why| OAuthError::invalid_target(format!("resource {why}")))?;
            Ok(Some(one.clone()))
        }
        _ => Err(OAuthError::invalid_target(
            "one resource per token request: ask for a token per API",
        )),
    }
}

/// RFC 6749 §5.2: a client may use only the grants it is registered for.
pub fn check_grant_allowed(client: &Client, request: &TokenRequest) -> Result<(), OAuthError> {
    let grant = request.grant_type();
    if client.may_use(grant) {
        Ok(())
    } else {
        Err(OAuthError::unauthorized_client(format!(
            "this client is not registered for the {} grant",
            grant.as_str()
        )))
    }
}

/// An authorization code as stored.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub client_id: String,
    pub user_id: String,
    pub session_id_hash: String,
    pub redirect_uri: String,
    pub scope: Scopes,
    /// The APIs named on the authorization request (RFC 8707).
    pub resources: ResourceIds,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub auth_time: i64,
    pub amr: Amr,
    pub expires_at: i64,
    /// Already exchanged once: presenting it again is a replay.
    pub consumed: bool,
    /// The browser session it came from is still live (not signed out, not expired).
    pub session_active: bool,
    /// RFC 9449 §10: the DPoP key named by `dpop_jkt` on the authorization request.
    pub dpop_jkt: Option<String>,
}

/// Checks an unspent code against the request that presents it, before anything is
/// changed: a wrong client or verifier must not burn the legitimate client's code.
pub fn check_code_exchange(
    code: &IssuedCode,
    client: &Client,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
    now: i64,
) -> Result<(), OAuthError> {
    if code.client_id != client.id {
        return Err(OAuthError::invalid_grant(
            "the code was issued to another client",
        ));
    }
    if now >= code.expires_at {
        return Err(OAuthError::invalid_grant("the code has expired"));
    }
    // A sign-out (or an administrator) ended the session after the code was issued: the
    // user no longer stands behind it.
    if !code.session_active {
        return Err(OAuthError::invalid_grant(
            "the sign-in this code came from has ended",
        ));
    }
    // The authorization request always carries redirect_uri (OIDC Core §3.1.2.1), so the
    // token request must repeat it exactly (RFC 6749 §4.1.3).
    if redirect_uri != Some(code.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the authorization request",
        ));
    }
    pkce::verify_pkce(code.code_challenge.as_deref(), code_verifier)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::client::AuthMethod;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn client(id: &str) -> Client {
        Client {
            redirect_uris: vec!["https://a/cb".into()],
            allowed_scopes: vec!["openid".into()],
            ..Client::new(id, AuthMethod::None)
        }
    }

    fn code() -> IssuedCode {
        IssuedCode {
            client_id: "a".into(),
            user_id: "u".into(),
            session_id_hash: "s".into(),
            redirect_uri: "https://a/cb".into(),
            scope: Scopes::parse("openid").unwrap(),
            resources: ResourceIds::default(),
            nonce: None,
            code_challenge: Some(CHALLENGE.into()),
            auth_time: 0,
            amr: Amr::password(),
            expires_at: 160,
            consumed: false,
            session_active: true,
            dpop_jkt: None,
        }
    }

    #[test]
    fn valid_exchange() {
        assert!(
            check_code_exchange(
                &code(),
                &client("a"),
                Some("https://a/cb"),
                Some(VERIFIER),
                100
            )
            .is_ok()
        );
    }

    #[test]
    fn code_from_another_client_is_refused() {
        let err = check_code_exchange(
            &code(),
            &client("b"),
            Some("https://a/cb"),
            Some(VERIFIER),
            100,
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidGrant);
    }

    #[test]
    fn expired_code_is_refused() {
        assert!(
            check_code_exchange(
                &code(),
                &client("a"),
                Some("https://a/cb"),
                Some(VERIFIER),
                160
            )
            .is_err()
        );
    }

    #[test]
    fn a_code_from_an_ended_session_is_refused() {
        let ended = IssuedCode {
            session_active: false,
            ..code()
        };
        let err = check_code_exchange(
            &ended,
            &client("a"),
            Some("https://a/cb"),
            Some(VERIFIER),
            100,
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidGrant);
    }

    #[test]
    fn redirect_uri_must_repeat_exactly() {
        assert!(
            check_code_exchange(
                &code(),
                &client("a"),
                Some("https://a/cb/"),
                Some(VERIFIER),
                100
            )
            .is_err()
        );
        assert!(check_code_exchange(&code(), &client("a"), None, Some(VERIFIER), 100).is_err());
    }

    #[test]
    fn one_absolute_resource_per_token_request() {
        let params = Params::parse(
            b"grant_type=client_credentials&resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb",
        );
        assert_eq!(
            parse_token_request(&params).unwrap_err().code,
            ErrorCode::InvalidTarget
        );
        let params = Params::parse(b"grant_type=client_credentials&resource=orders");
        assert_eq!(
            parse_token_request(&params).unwrap_err().code,
            ErrorCode::InvalidTarget
        );
        let params = Params::parse(b"grant_type=client_credentials&resource=https%3A%2F%2Fa");
        assert!(matches!(
            parse_token_request(&params).unwrap(),
            TokenRequest::ClientCredentials(ClientCredentialsGrant { resource: Some(r), .. })
                if r == "https://a"
        ));
    }

    #[test]
    fn a_client_uses_only_its_registered_grants() {
        let params = Params::parse(b"grant_type=client_credentials");
        let request = parse_token_request(&params).unwrap();
        let err = check_grant_allowed(&client("a"), &request).unwrap_err();
        assert_eq!(err.code, ErrorCode::UnauthorizedClient);
    }

    #[test]
    fn grant_types_and_duplicates() {
        let params = Params::parse(b"grant_type=password&username=a");
        assert_eq!(
            parse_token_request(&params).unwrap_err().code,
            ErrorCode::UnsupportedGrantType
        );
        let params = Params::parse(b"grant_type=authorization_code&code=a&code=b");
        assert_eq!(
            parse_token_request(&params).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
        let params = Params::parse(b"code=a");
        assert_eq!(
            parse_token_request(&params).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
    }
}
