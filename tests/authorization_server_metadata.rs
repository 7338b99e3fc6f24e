//! RFC 8414: OAuth 2.0 authorization server metadata at
//! `/.well-known/oauth-authorization-server`, the same facts as the OpenID configuration.
mod common;

use common::*;
use serde_json::Value;

#[tokio::test]
async fn oauth_clients_find_the_same_metadata_at_the_rfc_8414_address() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let response = http_client()
            .get(app.url("/.well-known/oauth-authorization-server"))
            .header("origin", "https://mcp-client.example")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(headers["access-control-allow-origin"], "*");
        let metadata: Value = response.json().await.unwrap();
        // §3.3: the issuer is the one the metadata was fetched for, exactly.
        assert_eq!(metadata["issuer"], app.issuer.as_str());
        // §2: required and the ones an OAuth client (an MCP client) relies on.
        for (name, expected) in [
            (
                "authorization_endpoint",
                format!("{}/authorize", app.issuer),
            ),
            ("token_endpoint", format!("{}/token", app.issuer)),
            ("jwks_uri", format!("{}/jwks.json", app.issuer)),
            ("revocation_endpoint", format!("{}/revoke", app.issuer)),
            (
                "introspection_endpoint",
                format!("{}/introspect", app.issuer),
            ),
        ] {
            assert_eq!(metadata[name], expected.as_str(), "{name}");
        }
        assert_eq!(
            metadata["response_types_supported"],
            serde_json::json!(["code"])
        );
        assert_eq!(
            metadata,
            discovery_json(&app).await,
            "one source, two documents (the rest of what it says is checked in operations.rs)"
        );
    }
}
