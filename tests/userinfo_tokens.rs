//! Userinfo accepts only access tokens Tessera signed, with RS256 and a published `kid`, of
//! type at+jwt, for this issuer, unexpired. Forgeries get 401 `invalid_token`.
mod common;

const ADA: tessera::service::admin::UserKey<'static> =
    tessera::service::admin::UserKey::Email(USER_EMAIL);

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use serde_json::{Value, json};

async fn issue_tokens(app: &TestApp) -> Value {
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let mut browser = app.browser();
    let code = obtain_code(app, &mut browser, "confidential", REDIRECT).await;
    exchange(app, &code).await.json().await.unwrap()
}

async fn userinfo(app: &TestApp, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url("/userinfo"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn assert_invalid_token(app: &TestApp, token: &str, why: &str) {
    let response = userinfo(app, token).await;
    assert_eq!(response.status(), 401, "{why}");
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        challenge.starts_with("Bearer") && challenge.contains("error=\"invalid_token\""),
        "{why}: {challenge}"
    );
}

fn parts(token: &str) -> (Value, Value) {
    let mut it = token.split('.');
    let header =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap()).unwrap();
    let payload =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap()).unwrap();
    (header, payload)
}

fn encode(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[tokio::test]
async fn a_real_access_token_works_by_header_and_by_form_body() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let tokens = issue_tokens(&app).await;
        let access = tokens["access_token"].as_str().unwrap();
        let (header, payload) = parts(access);
        assert_eq!(header["typ"], "at+jwt");
        assert_eq!(header["alg"], "RS256");
        for claim in [
            "iss",
            "sub",
            "aud",
            "client_id",
            "scope",
            "jti",
            "exp",
            "iat",
        ] {
            assert!(payload.get(claim).is_some(), "RFC 9068 claim {claim}");
        }
        assert_eq!(
            payload["exp"].as_i64().unwrap() - payload["iat"].as_i64().unwrap(),
            900
        );

        let response = userinfo(&app, access).await;
        assert_eq!(response.status(), 200);
        let claims: Value = response.json().await.unwrap();
        assert_eq!(claims["email"], USER_EMAIL);
        assert_eq!(claims["email_verified"], true);

        let response = reqwest::Client::new()
            .post(app.url("/userinfo"))
            .form(&[("access_token", access)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);

        // Both header and body: refused.
        let response = reqwest::Client::new()
            .post(app.url("/userinfo"))
            .bearer_auth(access)
            .form(&[("access_token", access)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
    }
}

#[tokio::test]
async fn no_token_gets_a_bare_bearer_challenge() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let response = reqwest::Client::new()
            .get(app.url("/userinfo"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert!(
            response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
    }
}

#[tokio::test]
async fn forged_tokens_are_refused() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let tokens = issue_tokens(&app).await;
        let access = tokens["access_token"].as_str().unwrap();
        let (header, payload) = parts(access);
        let signature = access.rsplit('.').next().unwrap();

        // Tampered payload, original signature.
        let mut tampered = payload.clone();
        tampered["sub"] = json!("someone-else");
        assert_invalid_token(
            &app,
            &format!("{}.{}.{signature}", encode(&header), encode(&tampered)),
            "tampered",
        )
        .await;

        // alg=none.
        let mut none = header.clone();
        none["alg"] = json!("none");
        assert_invalid_token(
            &app,
            &format!("{}.{}.", encode(&none), encode(&payload)),
            "alg none",
        )
        .await;

        // HS256 keyed with the public key (the classic algorithm confusion).
        let jwks: Value = reqwest::get(app.url("/jwks.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let public_jwk = jwks["keys"][0].to_string();
        for secret in [
            public_jwk.as_bytes().to_vec(),
            jwks["keys"][0]["n"].as_str().unwrap().as_bytes().to_vec(),
        ] {
            let mut hs = header.clone();
            hs["alg"] = json!("HS256");
            let mut jws_header = josekit::jws::JwsHeader::new();
            jws_header.set_token_type("at+jwt");
            jws_header.set_key_id(header["kid"].as_str().unwrap());
            let signer = josekit::jws::HS256.signer_from_bytes(&secret).unwrap();
            let payload =
                josekit::jwt::JwtPayload::from_map(payload.as_object().unwrap().clone()).unwrap();
            let forged = josekit::jwt::encode_with_signer(&payload, &jws_header, &signer).unwrap();
            assert_invalid_token(&app, &forged, "HS256 with public key").await;
        }

        // Signed by a key Tessera does not publish, under a kid it does publish, and under its own kid.
        let foreign_key = tessera::keys::material::generate_rsa().unwrap();
        let foreign = tessera::keys::KeySet::single(foreign_key, 0).unwrap();
        let forged = foreign
            .sign(
                tessera::keys::SigningAlg::Rs256,
                tessera::oauth::tokens::TokenType::Access,
                &payload,
                1,
            )
            .unwrap();
        assert_invalid_token(&app, &forged, "foreign key, own kid").await;
        let (_, forged_payload) = forged.split_once('.').unwrap();
        let mut real_kid = parts(&forged).0;
        real_kid["kid"] = header["kid"].clone();
        assert_invalid_token(
            &app,
            &format!("{}.{}", encode(&real_kid), forged_payload),
            "foreign key, real kid",
        )
        .await;

        // The ID token is signed by us, but it is not an access token.
        assert_invalid_token(
            &app,
            tokens["id_token"].as_str().unwrap(),
            "ID token as access token",
        )
        .await;

        // Signed by us, for another issuer.
        let mut other = payload.as_object().unwrap().clone();
        other.insert("iss".into(), json!("https://evil.example.com"));
        let token = app
            .state
            .keys()
            .sign(
                tessera::keys::SigningAlg::Rs256,
                tessera::oauth::tokens::TokenType::Access,
                &other,
                app.clock_now(),
            )
            .unwrap();
        assert_invalid_token(&app, &token, "other issuer").await;

        // Garbage.
        assert_invalid_token(&app, "not.a.jwt", "garbage").await;
        assert_invalid_token(&app, "x", "garbage").await;
    }
}

#[tokio::test]
async fn expired_access_token_is_refused() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let tokens = issue_tokens(&app).await;
        let access = tokens["access_token"].as_str().unwrap();
        app.clock.advance(899);
        assert_eq!(userinfo(&app, access).await.status(), 200);
        app.clock.advance(1);
        assert_invalid_token(&app, access, "expired").await;
    }
}

#[tokio::test]
async fn a_disabled_users_token_stops_working() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let tokens = issue_tokens(&app).await;
        let access = tokens["access_token"].as_str().unwrap();
        tessera::service::admin::access::set_disabled(&app.state, ADA, true, START)
            .await
            .unwrap();
        assert_invalid_token(&app, access, "disabled").await;
    }
}
