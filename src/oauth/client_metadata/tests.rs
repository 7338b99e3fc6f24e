use serde_json::json;

use super::*;

fn mcp_api() -> Resource {
    Resource {
        identifier: "https://mcp.example.test/".into(),
        name: "MCP".into(),
        scopes: vec!["mcp:tools".into()],
        introspection_secret_hash: None,
        access_token_ttl: None,
        access_token_alg: SigningAlg::Rs256,
    }
}

fn policy() -> DynamicClientPolicy {
    DynamicClientPolicy {
        offline_access: false,
        resources: vec![mcp_api()],
        signing_algs: vec![SigningAlg::Rs256],
        require_pushed_authorization_requests: false,
    }
}

fn meta(value: serde_json::Value) -> ClientMetadata {
    serde_json::from_value(value).unwrap()
}

fn public() -> serde_json::Value {
    json!({
        "client_name": "Agent",
        "redirect_uris": ["http://127.0.0.1:33418/callback"],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
    })
}

fn with(mut base: serde_json::Value, key: &str, value: serde_json::Value) -> ClientMetadata {
    base[key] = value;
    meta(base)
}

fn refused(m: &ClientMetadata) -> MetadataError {
    to_client(m, "c1", ClientOrigin::Registered, &policy()).unwrap_err()
}

fn rsa_jwks() -> serde_json::Value {
    json!({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
        "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw",
        "e": "AQAB"}]})
}

#[test]
fn a_public_client_with_pkce_and_a_loopback_redirect_is_admitted() {
    let client = to_client(&meta(public()), "c1", ClientOrigin::Registered, &policy()).unwrap();
    assert_eq!(client.id, "c1");
    assert_eq!(client.name, "Agent");
    assert!(client.is_public());
    assert!(!client.skip_consent);
    assert_eq!(client.origin, ClientOrigin::Registered);
    assert!(client.redirect_uri_registered("http://127.0.0.1:51000/callback"));
    assert_eq!(client.resources.len(), 1);
    // Nothing asked: everything the policy allows, but no offline_access while it is off.
    assert!(client.allows_scope("openid") && client.allows_scope("mcp:tools"));
    assert!(!client.allows_scope("offline_access"));
}

#[test]
fn left_out_values_are_filled_in_as_registered() {
    let m = meta(json!({"redirect_uris": ["https://app.example/cb"]}));
    let registered = registered(&m, &policy()).unwrap();
    assert_eq!(
        registered.token_endpoint_auth_method.as_deref(),
        Some("none")
    );
    assert_eq!(
        registered.grant_types,
        Some(vec!["authorization_code".to_string()])
    );
    assert_eq!(registered.response_types, Some(vec!["code".to_string()]));
    assert_eq!(
        registered.scope.as_deref(),
        Some("openid profile email mcp:tools")
    );
}

#[test]
fn asked_scopes_are_kept_with_openid() {
    let m = with(public(), "scope", json!("mcp:tools email"));
    let client = to_client(&m, "c1", ClientOrigin::Registered, &policy()).unwrap();
    assert_eq!(client.allowed_scopes, ["openid", "mcp:tools", "email"]);
}

#[test]
fn offline_access_only_when_the_operator_allows_it() {
    let m = with(public(), "scope", json!("openid offline_access"));
    assert_eq!(refused(&m).code, "invalid_client_metadata");
    let open = DynamicClientPolicy {
        offline_access: true,
        ..policy()
    };
    let client = to_client(&m, "c1", ClientOrigin::Registered, &open).unwrap();
    assert!(client.allows_scope("offline_access"));
}

#[test]
fn scopes_of_apis_not_open_to_dynamic_clients_are_refused() {
    for scope in ["admin:read", "payments:write", "openid bogus", "a\"b"] {
        let m = with(public(), "scope", json!(scope));
        assert_eq!(refused(&m).code, "invalid_client_metadata", "{scope}");
    }
}

#[test]
fn skip_consent_is_never_granted() {
    let m = with(public(), "skip_consent", json!(true));
    assert_eq!(refused(&m).code, "invalid_client_metadata");
    let m = with(public(), "skip_consent", json!(false));
    assert!(
        !to_client(&m, "c", ClientOrigin::Registered, &policy())
            .unwrap()
            .skip_consent
    );
}

#[test]
fn shared_secret_methods_are_refused() {
    for method in [
        "client_secret_basic",
        "client_secret_post",
        "client_secret_jwt",
        "tls_client_auth",
    ] {
        let m = with(public(), "token_endpoint_auth_method", json!(method));
        assert_eq!(refused(&m).code, "invalid_client_metadata", "{method}");
    }
}

#[test]
fn private_key_jwt_needs_exactly_one_key_source() {
    let base = || {
        with(
            public(),
            "token_endpoint_auth_method",
            json!("private_key_jwt"),
        )
    };
    assert_eq!(refused(&base()).code, "invalid_client_metadata");
    let both = ClientMetadata {
        jwks_uri: Some("https://app.example/jwks".into()),
        jwks: Some(rsa_jwks()),
        ..base()
    };
    assert_eq!(refused(&both).code, "invalid_client_metadata");
    let plain_http = ClientMetadata {
        jwks_uri: Some("http://app.example/jwks".into()),
        ..base()
    };
    assert_eq!(refused(&plain_http).code, "invalid_client_metadata");
    let not_a_set = ClientMetadata {
        jwks: Some(json!({"kty": "RSA"})),
        ..base()
    };
    assert_eq!(refused(&not_a_set).code, "invalid_client_metadata");
    let inline = ClientMetadata {
        jwks: Some(rsa_jwks()),
        ..base()
    };
    let client = to_client(&inline, "c", ClientOrigin::Registered, &policy()).unwrap();
    assert!(matches!(
        client.private_key_jwt.map(|p| p.keys),
        Some(JwkSource::Inline(_))
    ));
    let by_uri = ClientMetadata {
        jwks_uri: Some("https://app.example/jwks".into()),
        ..base()
    };
    assert!(to_client(&by_uri, "c", ClientOrigin::Registered, &policy()).is_ok());
}

#[test]
fn keys_without_private_key_jwt_are_refused() {
    let m = with(public(), "jwks", rsa_jwks());
    assert_eq!(refused(&m).code, "invalid_client_metadata");
}

#[test]
fn dangerous_redirect_uris_are_refused() {
    for uri in [
        "https://app.example/cb#fragment",
        "http://app.example/cb",
        "http://localhost:8000/cb",
        "http://10.0.0.1/cb",
        "javascript:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "myapp:/cb",
        "com.example.app://evil.example/cb",
        "https://user:pw@app.example/cb",
        "/relative",
        "",
    ] {
        let m = with(public(), "redirect_uris", json!([uri]));
        assert_eq!(refused(&m).code, "invalid_redirect_uri", "{uri}");
    }
    let none = with(public(), "redirect_uris", json!([]));
    assert_eq!(refused(&none).code, "invalid_redirect_uri");
    let many: Vec<String> = (0..21).map(|i| format!("https://a.example/{i}")).collect();
    let m = with(public(), "redirect_uris", json!(many));
    assert_eq!(refused(&m).code, "invalid_redirect_uri");
    let logout = with(
        public(),
        "post_logout_redirect_uris",
        json!(["http://x.example/"]),
    );
    assert_eq!(refused(&logout).code, "invalid_redirect_uri");
}

#[test]
fn loopback_https_and_private_use_redirects_are_admitted() {
    for uri in [
        "http://127.0.0.1/cb",
        "http://[::1]:8080/cb",
        "https://app.example/cb?tenant=1",
        "com.example.app:/oauth2redirect",
        "com.example.app:/cb",
    ] {
        let m = with(public(), "redirect_uris", json!([uri]));
        assert!(
            to_client(&m, "c", ClientOrigin::MetadataDocument, &policy()).is_ok(),
            "{uri}"
        );
    }
}

#[test]
fn only_the_code_grant_and_refresh_tokens() {
    for grants in [
        json!(["client_credentials"]),
        json!(["authorization_code", "client_credentials"]),
        json!(["implicit"]),
        json!(["password"]),
        json!(["urn:ietf:params:oauth:grant-type:device_code"]),
        json!(["refresh_token"]),
        json!([]),
    ] {
        let m = with(public(), "grant_types", grants.clone());
        assert_eq!(refused(&m).code, "invalid_client_metadata", "{grants}");
    }
    let m = with(public(), "response_types", json!(["token"]));
    assert_eq!(refused(&m).code, "invalid_client_metadata");
}

#[test]
fn id_token_algorithm_must_be_one_the_server_signs_with() {
    let m = with(public(), "id_token_signed_response_alg", json!("ES256"));
    assert_eq!(refused(&m).code, "invalid_client_metadata");
    let m = with(public(), "id_token_signed_response_alg", json!("none"));
    assert_eq!(refused(&m).code, "invalid_client_metadata");
    let m = with(public(), "id_token_signed_response_alg", json!("RS256"));
    assert!(to_client(&m, "c", ClientOrigin::Registered, &policy()).is_ok());
}

#[test]
fn client_names_are_bounded_and_printable() {
    let m = with(public(), "client_name", json!("x".repeat(201)));
    assert_eq!(refused(&m).code, "invalid_client_metadata");
    let m = with(public(), "client_name", json!("evil\napp"));
    assert_eq!(refused(&m).code, "invalid_client_metadata");
}
