//! The provider's authorization URL carries everything the callback will be checked against.
use std::collections::HashMap;

use super::*;
use crate::oauth::pkce::s256_challenge;
use crate::upstream::{Upstream, UpstreamRequest};

const ISSUER: &str = "https://id.example.com";

fn request() -> UpstreamRequest {
    UpstreamRequest {
        state: "state-123".into(),
        nonce: "nonce-456".into(),
        pkce_verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into(),
    }
}

fn query(url: &url::Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

#[tokio::test]
async fn github_url_has_pkce_s256_state_and_the_callback_but_no_nonce() {
    let (config, _dir) = upstream_config(
        "id = \"github\"\nkind = \"github\"\ndisplay_name = \"GitHub\"\nclient_id = \"Iv1.abc\"\nweb_url = \"https://ghe.example\"\napi_url = \"https://ghe.example/api/v3\"",
    );
    let upstream = Upstream::resolve(ISSUER, &config, 0).await.unwrap();
    let url = upstream.authorization_url(&request());
    assert_eq!(url.origin().ascii_serialization(), "https://ghe.example");
    assert_eq!(url.path(), "/login/oauth/authorize");
    let q = query(&url);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "Iv1.abc");
    assert_eq!(
        q["redirect_uri"],
        "https://id.example.com/login/upstream/github/callback"
    );
    assert_eq!(q["scope"], "read:user user:email");
    assert_eq!(q["state"], "state-123");
    assert_eq!(
        q["code_challenge"],
        s256_challenge(&request().pkce_verifier)
    );
    assert_eq!(
        q["code_challenge"],
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(!q.contains_key("nonce"));
    assert!(
        !url.as_str().contains(&request().pkce_verifier),
        "the verifier never leaves"
    );
    assert_eq!(upstream.issuer(), "https://ghe.example");
}

#[tokio::test]
async fn oidc_url_comes_from_discovery_and_carries_the_nonce() {
    let base = fake_oidc(serde_json::json!({})).await;
    let (config, _dir) = upstream_config(&format!(
        "id = \"corp\"\nkind = \"oidc\"\ndisplay_name = \"Corp\"\nclient_id = \"tessera\"\nissuer = \"{base}\"\nscopes = [\"openid\", \"email\"]"
    ));
    let upstream = Upstream::resolve(ISSUER, &config, 0).await.unwrap();
    let url = upstream.authorization_url(&request());
    assert_eq!(
        url.as_str().split('?').next().unwrap(),
        format!("{base}/authorize")
    );
    let q = query(&url);
    assert_eq!(q["nonce"], "nonce-456");
    assert_eq!(q["state"], "state-123");
    assert_eq!(q["scope"], "openid email");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(
        q["redirect_uri"],
        "https://id.example.com/login/upstream/corp/callback"
    );
    assert_eq!(upstream.issuer(), base);
}

#[tokio::test]
async fn discovery_for_another_issuer_is_refused() {
    let other = serde_json::json!({"issuer": "https://evil.example"});
    let base = fake_oidc(other).await;
    let (config, _dir) = upstream_config(&format!(
        "id = \"corp\"\nkind = \"oidc\"\ndisplay_name = \"Corp\"\nclient_id = \"tessera\"\nissuer = \"{base}\""
    ));
    let why = Upstream::resolve(ISSUER, &config, 0).await.unwrap_err();
    assert!(why.contains("issuer"), "{why}");
}

#[tokio::test]
async fn discovered_endpoints_in_the_clear_are_refused() {
    let clear = serde_json::json!({"token_endpoint": "http://token.example/token"});
    let base = fake_oidc(clear).await;
    let (config, _dir) = upstream_config(&format!(
        "id = \"corp\"\nkind = \"oidc\"\ndisplay_name = \"Corp\"\nclient_id = \"tessera\"\nissuer = \"{base}\""
    ));
    let why = Upstream::resolve(ISSUER, &config, 0).await.unwrap_err();
    assert!(
        why.contains("token_endpoint") && why.contains("not https"),
        "{why}"
    );
}

#[test]
fn the_request_secrets_stay_out_of_debug() {
    let shown = format!("{:?}", request());
    for secret in ["state-123", "nonce-456", "dBjftJeZ"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[tokio::test]
async fn the_client_secret_stays_out_of_debug() {
    let (config, _dir) = upstream_config(
        "id = \"github\"\nkind = \"github\"\ndisplay_name = \"GitHub\"\nclient_id = \"Iv1.abc\"",
    );
    let upstream = Upstream::resolve(ISSUER, &config, 0).await.unwrap();
    let shown = format!("{upstream:?}");
    assert!(
        !shown.contains("s3cret") && shown.contains("github"),
        "{shown}"
    );
}
