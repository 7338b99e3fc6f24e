//! OpenID Connect Discovery 1.0 §3 provider metadata, advertising exactly what Tessera does;
//! served as RFC 8414 authorization server metadata too, one document for both (RFC 8414 §2
//! allows the OpenID Connect parameters in it, and §3.3 asks for the same `issuer`).
use serde_json::{Value, json};

use super::client_assertion::keys::SUPPORTED_ALGS;
use super::dpop;
use super::signing_alg::SigningAlg;
use super::{acr, scope};
use crate::i18n::Locale;
use crate::routes;

/// What the metadata depends on besides the code: the issuer, the algorithms it signs with,
/// and the registered APIs.
#[derive(Debug, Clone, Default)]
pub struct Offered<'a> {
    pub issuer: &'a str,
    /// The configured `signing_algs`.
    pub signing_algs: &'a [SigningAlg],
    /// Every scope a registered API defines, listed after the OpenID Connect ones.
    pub api_scopes: Vec<&'a str>,
    /// RFC 9126 §5: whether every client must push its requests (the global setting; a
    /// client may be held to it alone, which its registration says).
    pub require_pushed_authorization_requests: bool,
    /// RFC 7591: `/register` is open (`dynamic_registration` is not `off`).
    pub registration_endpoint: bool,
    /// draft-ietf-oauth-client-id-metadata-document §6: URL client ids are accepted.
    pub client_id_metadata_document_supported: bool,
}

pub fn provider_metadata(offered: &Offered<'_>) -> Value {
    let issuer = offered.issuer;
    // RS256 first: some relying parties take the first value as the default to expect.
    let mut algs = offered.signing_algs.to_vec();
    algs.sort();
    let url = |path: &str| format!("{issuer}{path}");
    let mut scopes: Vec<&str> = scope::SUPPORTED.to_vec();
    for api_scope in &offered.api_scopes {
        if !scopes.contains(api_scope) {
            scopes.push(api_scope);
        }
    }
    let mut metadata = json!({
        "issuer": issuer,
        "authorization_endpoint": url(routes::AUTHORIZE),
        "token_endpoint": url(routes::TOKEN),
        // RFC 9126 §5. `request_uri_parameter_supported` below stays false: it is OpenID
        // Connect's request object by reference, which Tessera does not fetch.
        "pushed_authorization_request_endpoint": url(routes::PAR),
        // RFC 8628 §4.
        "device_authorization_endpoint": url(routes::DEVICE_AUTHORIZATION),
        "require_pushed_authorization_requests": offered.require_pushed_authorization_requests,
        "userinfo_endpoint": url(routes::USERINFO),
        "jwks_uri": url(routes::JWKS),
        "revocation_endpoint": url(routes::REVOKE),
        "introspection_endpoint": url(routes::INTROSPECT),
        "end_session_endpoint": url(routes::LOGOUT),
        // Back-Channel Logout 1.0 §2.1: logout tokens carry `sid` to apps that ask for it.
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "scopes_supported": scopes,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange", super::device::GRANT_TYPE],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        // RFC 7662 §2.1: the caller must be authorized; public clients cannot introspect.
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        // private_key_jwt assertions (RFC 8414 §2); none and HMAC are never accepted.
        "token_endpoint_auth_signing_alg_values_supported": SUPPORTED_ALGS,
        "revocation_endpoint_auth_signing_alg_values_supported": SUPPORTED_ALGS,
        "introspection_endpoint_auth_signing_alg_values_supported": SUPPORTED_ALGS,
        "code_challenge_methods_supported": ["S256"],
        // RFC 9449 §5.1: the algorithms a DPoP proof may use (asymmetric only).
        "dpop_signing_alg_values_supported": dpop::SUPPORTED_ALGS,
        "authorization_response_iss_parameter_supported": true,
        // select_account is accepted but does nothing (a session holds one account).
        "prompt_values_supported": ["none", "login", "consent"],
        "acr_values_supported": acr::SUPPORTED,
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash", "sid",
            "email", "email_verified", "name"
        ],
        // OIDC Discovery 1.0 §3: the languages of the pages, for `ui_locales`.
        "ui_locales_supported": Locale::ALL.map(Locale::as_str),
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
        "client_id_metadata_document_supported": offered.client_id_metadata_document_supported,
    });
    if offered.registration_endpoint
        && let Some(fields) = metadata.as_object_mut()
    {
        fields.insert("registration_endpoint".into(), url(routes::REGISTER).into());
    }
    metadata
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_use_the_route_constants() {
        let offered = Offered {
            issuer: "https://id.example",
            signing_algs: &[SigningAlg::Rs256],
            api_scopes: vec!["orders:read", "openid"],
            require_pushed_authorization_requests: false,
            registration_endpoint: false,
            client_id_metadata_document_supported: false,
        };
        let metadata = provider_metadata(&offered);
        assert_eq!(
            metadata["scopes_supported"],
            json!([
                "openid",
                "profile",
                "email",
                "offline_access",
                "orders:read"
            ])
        );
        assert_eq!(metadata["token_endpoint"], "https://id.example/token");
        assert_eq!(
            metadata["device_authorization_endpoint"],
            "https://id.example/device_authorization"
        );
        assert_eq!(
            metadata["pushed_authorization_request_endpoint"],
            "https://id.example/par"
        );
        assert_eq!(metadata["require_pushed_authorization_requests"], false);
        assert!(metadata.get("registration_endpoint").is_none());
        assert_eq!(
            metadata["jwks_uri"],
            format!("https://id.example{}", routes::JWKS)
        );
        assert_eq!(metadata["backchannel_logout_supported"], true);
        assert_eq!(
            metadata["token_endpoint_auth_signing_alg_values_supported"],
            json!(["RS256", "PS256", "ES256", "EdDSA"])
        );
        assert!(
            metadata["introspection_endpoint_auth_methods_supported"]
                .as_array()
                .unwrap()
                .contains(&json!("private_key_jwt"))
        );
        assert_eq!(metadata["backchannel_logout_session_supported"], true);
        assert_eq!(
            metadata["code_challenge_methods_supported"],
            json!(["S256"])
        );
        assert_eq!(
            metadata["dpop_signing_alg_values_supported"],
            json!(["ES256", "EdDSA", "RS256", "PS256"])
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
        let algs = [
            SigningAlg::EdDsa,
            SigningAlg::Ps256,
            SigningAlg::Rs256,
            SigningAlg::Es256,
        ];
        let offered = Offered {
            issuer: "https://id.example",
            signing_algs: &algs,
            api_scopes: Vec::new(),
            require_pushed_authorization_requests: true,
            registration_endpoint: true,
            client_id_metadata_document_supported: true,
        };
        let metadata = provider_metadata(&offered);
        assert_eq!(
            metadata["registration_endpoint"],
            "https://id.example/register"
        );
        assert_eq!(
            metadata["id_token_signing_alg_values_supported"],
            json!(["RS256", "PS256", "ES256", "EdDSA"])
        );
        assert_eq!(metadata["require_pushed_authorization_requests"], true);
        assert_eq!(metadata["client_id_metadata_document_supported"], true);
    }
}
