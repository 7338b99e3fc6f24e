//! RFC 9449 §7 at `/userinfo`, Tessera's own resource server: a bound token only with
//! `Authorization: DPoP` and a proof of its key for this request and this token; every
//! refusal of it a DPoP challenge (§7.1), a bearer token unchanged (§7.2).
use serde_json::json;

use crate::client::{DpopKey, ath, claims};
use crate::common::*;
use crate::*;

/// A confidential client's tokens, bound to `key` when given.
async fn tokens(app: &TestApp, browser: &mut Browser, key: Option<&DpopKey>) -> Answer {
    let code = code_for(browser, "confidential", REDIRECT, &[], false).await;
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let proofs: Vec<String> = key.iter().map(|k| token_proof(app, k)).collect();
    let basic = Some(("confidential", CONFIDENTIAL_SECRET));
    let answer = token_post(app, basic, &fields, &proofs).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer
}

#[track_caller]
fn assert_dpop_challenge(answer: &Answer, error: &str) {
    answer.assert_refused(401, error);
    let challenge = answer.header("www-authenticate").unwrap();
    assert!(
        challenge.starts_with(&format!("DPoP error=\"{error}\""))
            && challenge.contains("algs=\"ES256 EdDSA RS256 PS256\""),
        "{challenge}"
    );
}

#[tokio::test]
async fn userinfo_takes_a_bound_token_with_its_proof_and_refuses_it_any_other_way() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let key = DpopKey::es256();
        let issued = tokens(&app, &mut browser, Some(&key)).await;
        let token = issued.body["access_token"].as_str().unwrap().to_string();
        let dpop = format!("DPoP {token}");

        let proof = userinfo_proof(&app, &key, &token);
        let ok = userinfo_get(&app, &dpop, std::slice::from_ref(&proof)).await;
        assert_eq!(ok.status, 200, "{:?}", ok.body);
        assert_eq!(ok.body["sub"], user_id.as_str());
        assert!(ok.header("dpop-nonce").is_some());

        // §7.2: the bound token as a bearer token, in the header or in a form body.
        let as_bearer = userinfo_get(&app, &format!("Bearer {token}"), &[]).await;
        assert_dpop_challenge(&as_bearer, "invalid_token");
        let form = reqwest::Client::new()
            .post(app.url("/userinfo"))
            .form(&[("access_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_dpop_challenge(&Answer::of(form).await, "invalid_token");

        // The DPoP scheme without a proof, or with one that is not for this request or token.
        assert_dpop_challenge(&userinfo_get(&app, &dpop, &[]).await, "invalid_dpop_proof");
        let replayed = userinfo_get(&app, &dpop, std::slice::from_ref(&proof)).await;
        assert_dpop_challenge(&replayed, "invalid_dpop_proof");
        let now = app.clock.now();
        let mut wrong_ath = claims("GET", &endpoint(&app, "/userinfo"), now);
        wrong_ath["ath"] = json!(ath("another token"));
        let answer = userinfo_get(&app, &dpop, &[key.proof(&wrong_ath)]).await;
        assert_dpop_challenge(&answer, "invalid_dpop_proof");
        let mut no_ath = claims("GET", &endpoint(&app, "/userinfo"), now);
        let answer = userinfo_get(&app, &dpop, &[key.proof(&no_ath)]).await;
        assert_dpop_challenge(&answer, "invalid_dpop_proof");
        no_ath["htm"] = json!("POST");
        no_ath["ath"] = json!(ath(&token));
        let answer = userinfo_get(&app, &dpop, &[key.proof(&no_ath)]).await;
        assert_dpop_challenge(&answer, "invalid_dpop_proof");
        let two = [
            userinfo_proof(&app, &key, &token),
            userinfo_proof(&app, &key, &token),
        ];
        assert_dpop_challenge(&userinfo_get(&app, &dpop, &two).await, "invalid_dpop_proof");

        // §7: a good proof by another key than the token's.
        let thief = DpopKey::ed25519();
        let answer = userinfo_get(&app, &dpop, &[userinfo_proof(&app, &thief, &token)]).await;
        assert_dpop_challenge(&answer, "invalid_token");

        // Still usable by its holder after all that.
        let again = userinfo_get(&app, &dpop, &[userinfo_proof(&app, &key, &token)]).await;
        assert_eq!(again.status, 200, "{:?}", again.body);
    }
}

#[tokio::test]
async fn bearer_tokens_keep_working_and_are_not_dpop_tokens() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let issued = tokens(&app, &mut browser, None).await;
        assert_eq!(issued.body["token_type"], "Bearer");
        let token = issued.body["access_token"].as_str().unwrap();
        assert_eq!(userinfo_status(&app, token).await, 200);

        let key = DpopKey::es256();
        let proof = userinfo_proof(&app, &key, token);
        let answer = userinfo_get(&app, &format!("DPoP {token}"), &[proof]).await;
        assert_dpop_challenge(&answer, "invalid_token");

        // No credentials: a challenge of each scheme.
        let bare = reqwest::get(app.url("/userinfo")).await.unwrap();
        assert_eq!(bare.status(), 401);
        let challenge = bare.headers()["www-authenticate"].to_str().unwrap();
        assert_eq!(
            challenge,
            "Bearer realm=\"tessera\", DPoP algs=\"ES256 EdDSA RS256 PS256\""
        );
    }
}

#[tokio::test]
async fn an_api_introspecting_a_bound_token_learns_its_key() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let key = DpopKey::ed25519();
        let issued = service_token(&app, "service", &[token_proof(&app, &key)]).await;
        let token = issued.body["access_token"].as_str().unwrap();
        let answer: serde_json::Value = reqwest::Client::new()
            .post(app.url("/introspect"))
            .basic_auth(url_encoded(ORDERS), Some(API_SECRET))
            .form(&[("token", token)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["active"], true, "{answer}");
        assert_eq!(answer["token_type"], "DPoP");
        assert_eq!(answer["cnf"], json!({ "jkt": key.jkt() }));
    }
}

/// RFC 6749 §2.3.1: a client_id with ':' is form-encoded before it goes into Basic.
fn url_encoded(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}
