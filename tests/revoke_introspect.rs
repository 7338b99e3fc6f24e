//! RFC 7009 revocation and RFC 7662 introspection of every token type and state.
mod common;

use common::*;
use serde_json::Value;

const CONFIDENTIAL: (&str, &str) = ("confidential", CONFIDENTIAL_SECRET);
const OTHER: (&str, &str) = ("post-client", POST_SECRET);

async fn revoke(app: &TestApp, client: (&str, &str), token: &str, hint: Option<&str>) -> u16 {
    let mut fields = vec![("token", token)];
    if let Some(hint) = hint {
        fields.push(("token_type_hint", hint));
    }
    client_post(app, "/revoke", client, &fields)
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn revoking_each_token_type() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();

        // Access token: by jti; the refresh token of the grant is untouched.
        let tokens = offline_tokens(&app, &mut browser).await;
        let access = tokens["access_token"].as_str().unwrap();
        let refresh_token = tokens["refresh_token"].as_str().unwrap();
        assert_eq!(
            revoke(&app, CONFIDENTIAL, access, Some("access_token")).await,
            200
        );
        assert_eq!(userinfo_status(&app, access).await, 401);
        assert_eq!(introspect(&app, access).await["active"], false);
        assert_eq!(introspect(&app, refresh_token).await["active"], true);

        // Refresh token (wrong hint on purpose: hints only order the search).
        let (status, rotated) = {
            let r = refresh(&app, refresh_token, None).await;
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        };
        assert_eq!(status, 200);
        let newest = rotated["refresh_token"].as_str().unwrap();
        let newest_access = rotated["access_token"].as_str().unwrap();
        assert_eq!(
            revoke(&app, CONFIDENTIAL, newest, Some("access_token")).await,
            200
        );
        assert_eq!(refresh(&app, newest, None).await.status(), 400);
        assert_eq!(
            userinfo_status(&app, newest_access).await,
            401,
            "family's access tokens revoked"
        );
        // Revoking twice is fine.
        assert_eq!(revoke(&app, CONFIDENTIAL, newest, None).await, 200);
    }
}

#[tokio::test]
async fn another_clients_token_and_unknown_tokens_change_nothing() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let tokens = offline_tokens(&app, &mut browser).await;
        let access = tokens["access_token"].as_str().unwrap();
        let refresh_token = tokens["refresh_token"].as_str().unwrap();

        assert_eq!(revoke(&app, OTHER, access, None).await, 200);
        assert_eq!(revoke(&app, OTHER, refresh_token, None).await, 200);
        assert_eq!(userinfo_status(&app, access).await, 200, "still valid");
        assert_eq!(
            introspect(&app, refresh_token).await["active"],
            true,
            "still valid"
        );

        assert_eq!(revoke(&app, CONFIDENTIAL, "no-such-token", None).await, 200);
        assert_eq!(
            revoke(&app, CONFIDENTIAL, "eyJhbGciOiJub25lIn0.e30.", None).await,
            200
        );
    }
}

#[tokio::test]
async fn revocation_requires_client_authentication_and_a_token() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        assert_eq!(
            revoke(&app, ("confidential", "wrong"), "x", None).await,
            401
        );
        let response = client_post(&app, "/revoke", CONFIDENTIAL, &[]).await;
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request");
        let response = reqwest::Client::new()
            .post(app.url("/revoke"))
            .basic_auth("confidential", Some(CONFIDENTIAL_SECRET))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
    }
}

#[tokio::test]
async fn introspection_of_every_token_state() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let tokens = offline_tokens(&app, &mut browser).await;
        let access = tokens["access_token"].as_str().unwrap();
        let refresh_token = tokens["refresh_token"].as_str().unwrap();

        // Active access token: RFC 7662 §2.2 members.
        let answer = introspect(&app, access).await;
        assert_eq!(answer["active"], true);
        assert_eq!(answer["sub"], user_id.as_str());
        assert_eq!(answer["client_id"], "confidential");
        assert_eq!(answer["scope"], "openid email profile offline_access");
        assert_eq!(answer["token_type"], "Bearer");
        assert_eq!(answer["iss"], app.issuer);
        assert_eq!(answer["amr"], serde_json::json!(["pwd"]));
        assert_eq!(answer["acr"], "urn:tessera:pwd");
        for member in ["exp", "iat", "aud", "jti"] {
            assert!(answer.get(member).is_some(), "{member}");
        }

        // Active refresh token.
        let answer = introspect(&app, refresh_token).await;
        assert_eq!(answer["active"], true);
        assert_eq!(answer["token_type"], "refresh_token");
        assert_eq!(answer["acr"], "urn:tessera:pwd");
        assert_eq!(answer["sub"], user_id.as_str());

        // Another client may not learn about it.
        let other: Value = client_post(&app, "/introspect", OTHER, &[("token", access)])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(other, serde_json::json!({ "active": false }));

        // Rotated refresh token.
        let rotated: Value = refresh(&app, refresh_token, None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(introspect(&app, refresh_token).await["active"], false);
        let newest = rotated["refresh_token"].as_str().unwrap();
        assert_eq!(introspect(&app, newest).await["active"], true);

        // Forged, unknown.
        for token in ["garbage", "a.b.c", &format!("{access}x")] {
            assert_eq!(
                introspect(&app, token).await,
                serde_json::json!({ "active": false }),
                "{token}"
            );
        }

        // Expired access token.
        app.clock.advance(900);
        assert_eq!(introspect(&app, access).await["active"], false);
        assert_eq!(introspect(&app, newest).await["active"], true);

        // Revoked refresh token.
        assert_eq!(revoke(&app, CONFIDENTIAL, newest, None).await, 200);
        assert_eq!(introspect(&app, newest).await["active"], false);

        // Expired refresh token (absolute lifetime).
        let mut fresh_browser = app.browser();
        let tokens = offline_tokens(&app, &mut fresh_browser).await;
        app.clock.advance(31 * 24 * 3600);
        assert_eq!(
            introspect(&app, tokens["refresh_token"].as_str().unwrap()).await["active"],
            false
        );
    }
}

#[tokio::test]
async fn introspection_requires_client_authentication() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let response = client_post(
            &app,
            "/introspect",
            ("confidential", "wrong"),
            &[("token", "x")],
        )
        .await;
        assert_eq!(response.status(), 401);
        assert!(response.headers().contains_key("www-authenticate"));
        let response = reqwest::Client::new()
            .post(app.url("/introspect"))
            .form(&[("token", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
}
