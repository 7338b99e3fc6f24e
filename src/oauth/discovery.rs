//! OpenID Connect Discovery 1.0 §3 provider metadata, advertising exactly what Tessera does.
use serde_json::{Value, json};

use super::signing_alg::SigningAlg;
use super::{acr, scope};
use crate::routes;

/// The metadata of the provider at `issuer` that signs with `signing_algs` (RS256 first).
pub fn provider_metadata(issuer: &str, signing_algs: &[SigningAlg]) -> Value {
    // RS256 first: some relying parties take the first value as the default to expect.
    let mut algs = signing_algs.to_vec();
    algs.sort();
    let url = |path: &str| format!("{issuer}{path}");
    json!({
        "issuer": issuer,
        "authorization_endpoint": url(routes::AUTHORIZE),
        "token_endpoint": url(routes::TOKEN),
        "userinfo_endpoint": url(routes::USERINFO),
        "jwks_uri": url(routes::JWKS),
        "revocation_endpoint": url(routes::REVOKE),
        "introspection_endpoint": url(routes::INTROSPECT),
        "end_session_endpoint": url(routes::LOGOUT),
        // Back-Channel Logout 1.0 §2.1: logout tokens carry `sid` to apps that ask for it.
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "scopes_supported": scope::SUPPORTED,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        // RFC 7662 §2.1: the caller must be authorized; public clients cannot introspect.
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        // select_account is accepted but does nothing (a session holds one account).
        "prompt_values_supported": ["none", "login", "consent"],
        "acr_values_supported": acr::SUPPORTED,
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash", "sid",
            "email", "email_verified", "name"
        ],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_use_the_route_constants() {
        let metadata = provider_metadata("https://id.example", &[SigningAlg::Rs256]);
        assert_eq!(metadata["token_endpoint"], "https://id.example/token");
        assert_eq!(
            metadata["jwks_uri"],
            format!("https://id.example{}", routes::JWKS)
        );
        assert_eq!(metadata["backchannel_logout_supported"], true);
        assert_eq!(metadata["backchannel_logout_session_supported"], true);
        assert_eq!(
            metadata["code_challenge_methods_supported"],
            json!(["S256"])
        );
        assert_eq!(
            metadata["acr_values_supported"],
            json!(["urn:tessera:mfa", "urn:tessera:pwd"])
        );
        assert_eq!(
            metadata["id_token_signing_alg_values_supported"],
            json!(["RS256"])
        );
    }

    #[test]
    fn the_configured_algorithms_are_advertised_rs256_first() {
        let algs = [SigningAlg::EdDsa, SigningAlg::Rs256, SigningAlg::Es256];
        let metadata = provider_metadata("https://id.example", &algs);
        assert_eq!(
            metadata["id_token_signing_alg_values_supported"],
            json!(["RS256", "ES256", "EdDSA"])
        );
    }
}
