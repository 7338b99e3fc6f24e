//! The token endpoint refuses everything RFC 6749 §5.2 and RFC 7636 say it must, and a
//! refused request changes nothing it shouldn't.
mod common;

use common::*;
use serde_json::Value;

async fn error_of(response: reqwest::Response) -> (u16, String, Option<String>) {
    let status = response.status().as_u16();
    assert_eq!(response.headers()["cache-control"], "no-store");
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string());
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap().to_string(),
        challenge,
    )
}

async fn signed_in(app: &TestApp) -> Browser {
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    app.browser()
}

#[tokio::test]
async fn a_code_works_once_and_a_replay_is_invalid_grant() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = signed_in(&app).await;
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        assert_eq!(exchange(&app, &code).await.status(), 200);
        let (status, error, _) = error_of(exchange(&app, &code).await).await;
        assert_eq!((status, error.as_str()), (400, "invalid_grant"));
    }
}

#[tokio::test]
async fn concurrent_exchanges_of_one_code_have_exactly_one_winner() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = signed_in(&app).await;
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        let mut attempts = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let url = app.url("/token");
            let body = format!(
                "grant_type=authorization_code&code={code}&redirect_uri={}&code_verifier={VERIFIER}",
                url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
            );
            attempts.spawn(async move {
                reqwest::Client::new()
                    .post(url)
                    .basic_auth("confidential", Some(CONFIDENTIAL_SECRET))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            });
        }
        let statuses = attempts.join_all().await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{statuses:?}"
        );
    }
}

#[tokio::test]
async fn a_wrong_or_missing_verifier_is_refused_and_does_not_burn_the_code() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = signed_in(&app).await;
        for verifier in [
            Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj"),
            Some(CHALLENGE),
            Some("short"),
            None,
        ] {
            let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
            let mut fields = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
            ];
            if let Some(v) = verifier {
                fields.push(("code_verifier", v));
            }
            let response =
                token_request(&app, Some(("confidential", CONFIDENTIAL_SECRET)), &fields).await;
            let (status, error, _) = error_of(response).await;
            assert_eq!(
                (status, error.as_str()),
                (400, "invalid_grant"),
                "{verifier:?}"
            );
            // Nothing was spent: whoever stole the code without the verifier cannot deny
            // the legitimate client its exchange.
            assert_eq!(exchange(&app, &code).await.status(), 200);
        }
    }
}

#[tokio::test]
async fn code_of_another_client_is_refused() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = signed_in(&app).await;
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        let response = token_request(
            &app,
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
                ("client_id", "post-client"),
                ("client_secret", POST_SECRET),
            ],
        )
        .await;
        assert_eq!(error_of(response).await.1, "invalid_grant");
    }
}

#[tokio::test]
async fn expired_code_is_refused() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = signed_in(&app).await;
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        app.clock.advance(60);
        let (status, error, _) = error_of(exchange(&app, &code).await).await;
        assert_eq!((status, error.as_str()), (400, "invalid_grant"));
    }
}

#[tokio::test]
async fn wrong_redirect_uri_at_the_token_endpoint_is_refused() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = signed_in(&app).await;
        for redirect in [
            Some("https://app.example.com/cb"),
            Some("http://127.0.0.1:8765/cb/"),
            None,
        ] {
            let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
            let mut fields = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("code_verifier", VERIFIER),
            ];
            if let Some(r) = redirect {
                fields.push(("redirect_uri", r));
            }
            let response =
                token_request(&app, Some(("confidential", CONFIDENTIAL_SECRET)), &fields).await;
            assert_eq!(error_of(response).await.1, "invalid_grant", "{redirect:?}");
        }
    }
}

#[tokio::test]
async fn bad_client_credentials_are_401_invalid_client_and_keep_the_code() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = signed_in(&app).await;
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        let fields = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ];
        for creds in [("confidential", "wrong"), ("nobody", "x"), ("public", "x")] {
            let (status, error, challenge) =
                error_of(token_request(&app, Some(creds), &fields).await).await;
            assert_eq!(
                (status, error.as_str()),
                (401, "invalid_client"),
                "{creds:?}"
            );
            assert!(challenge.unwrap().starts_with("Basic"));
        }
        // No authentication at all for a confidential client.
        let mut unauthenticated = fields.to_vec();
        unauthenticated.push(("client_id", "confidential"));
        let (status, error, _) = error_of(token_request(&app, None, &unauthenticated).await).await;
        assert_eq!((status, error.as_str()), (401, "invalid_client"));
        // Client auth failed before the code was touched: it still works.
        assert_eq!(exchange(&app, &code).await.status(), 200);
    }
}

#[tokio::test]
async fn malformed_requests_are_invalid_request() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let auth = Some(("confidential", CONFIDENTIAL_SECRET));
        let (_, error, _) = error_of(token_request(&app, auth, &[("code", "x")]).await).await;
        assert_eq!(error, "invalid_request");
        let (_, error, _) = error_of(
            token_request(&app, auth, &[("grant_type", "password"), ("username", "a")]).await,
        )
        .await;
        assert_eq!(error, "unsupported_grant_type");
        let (_, error, _) = error_of(
            token_request(
                &app,
                auth,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", "a"),
                    ("code", "b"),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(error, "invalid_request");
        let (_, error, _) = error_of(
            token_request(
                &app,
                auth,
                &[("grant_type", "authorization_code"), ("code", "forged")],
            )
            .await,
        )
        .await;
        assert_eq!(error, "invalid_grant");

        // JSON instead of a form.
        let response = reqwest::Client::new()
            .post(app.url("/token"))
            .basic_auth("confidential", Some(CONFIDENTIAL_SECRET))
            .header("content-type", "application/json")
            .body(r#"{"grant_type":"authorization_code"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(response).await.1, "invalid_request");

        // GET is not allowed.
        let response = reqwest::Client::new()
            .get(app.url("/token"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405);

        // Oversized body.
        let big = "a".repeat(100 * 1024);
        let response = reqwest::Client::new()
            .post(app.url("/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("grant_type=authorization_code&code={big}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413);
    }
}
