//! Token-request parsing: grants (token exchange's too), client credentials (as given and as read from a header and
//! the body), PKCE verification and scopes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tessera::oauth::client::{AuthMethod, Client};
use tessera::oauth::client_auth::{PresentedCredentials, identify_client, presented_credentials};
use tessera::oauth::grants::{ClientCredentialsGrant, CodeGrant, RefreshGrant, TokenRequest, parse_token_request};
use tessera::oauth::params::Params;
use tessera::oauth::pkce::verify_pkce;
use tessera::oauth::scope::Scopes;

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn client(id: &str, method: AuthMethod) -> Client {
    Client::new(id, method)
}

fuzz_target!(|data: &[u8]| {
    let params = Params::parse(data);
    let clients = [client("basic", AuthMethod::ClientSecretBasic), client("public", AuthMethod::None)];
    let presented = PresentedCredentials {
        basic: params.get("basic_id").map(|id| (id.to_string(), params.get("basic_secret").unwrap_or("").to_string())),
        body_client_id: params.get("client_id").map(str::to_string),
        body_client_secret: params.get("client_secret").map(str::to_string),
        client_assertion_type: params.get("client_assertion_type").map(str::to_string),
        client_assertion: params.get("client_assertion").map(str::to_string),
    };
    let _ = identify_client(presented, |id| clients.iter().find(|c| c.id == id));
    // The same, read as the token endpoint reads a request: an Authorization header and the body.
    if let Ok(presented) = presented_credentials(params.get("authorization").map(str::as_bytes), &params) {
        let _ = identify_client(presented, |id| clients.iter().find(|c| c.id == id));
    }
    match parse_token_request(&params) {
        Ok(TokenRequest::AuthorizationCode(CodeGrant { code_verifier, .. })) => {
            if verify_pkce(Some(CHALLENGE), code_verifier.as_deref()).is_ok() {
                assert_eq!(code_verifier.as_deref(), Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
            }
            assert!(verify_pkce(None, code_verifier.as_deref()).is_err());
        }
        Ok(TokenRequest::RefreshToken(RefreshGrant { scope, .. }) | TokenRequest::ClientCredentials(ClientCredentialsGrant { scope, .. })) => {
            if let Some(scope) = scope {
                let _ = Scopes::parse(&scope).map(|s| s.to_string());
            }
        }
        Ok(TokenRequest::TokenExchange(grant)) => {
            // The tokens are required and never empty (an empty parameter counts as absent).
            assert!(!grant.subject_token.is_empty());
            assert!(grant.actor_token.as_deref().is_none_or(|actor| !actor.is_empty()));
            if let Some(scope) = grant.scope {
                let _ = Scopes::parse(&scope).map(|s| s.to_string());
            }
        }
        Ok(TokenRequest::DeviceCode(grant)) => {
            // The device code is required and never empty (an empty parameter counts as absent).
            assert!(!grant.device_code.is_empty());
        }
        Err(_) => {}
    }
});
