//! Server nonces (RFC 9449 §8 at the token endpoint, §9 at userinfo): required of a client
//! with `dpop_nonce_required` or of everyone with `[dpop] nonce_required`; a proof without
//! one gets `use_dpop_nonce` and a `DPoP-Nonce` to retry with; nonces rotate, are sent in
//! successful answers too, and are good on every instance.
use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{ClientId, IssuerUrl, OAuth2TokenResponse, RefreshToken};
use serde_json::json;

use crate::client::{DpopHttp, DpopKey, claims};
use crate::common::*;
use crate::*;

/// A proof by `key` for `POST /token` now, carrying `nonce`.
fn token_proof_with(app: &TestApp, key: &DpopKey, nonce: &str) -> String {
    let mut c = claims("POST", &endpoint(app, "/token"), app.clock.now());
    c["nonce"] = json!(nonce);
    key.proof(&c)
}

#[tokio::test]
async fn a_client_that_must_use_nonces_retries_with_the_one_it_was_sent() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let code = code_for(&mut browser, "nonce-app", NONCE_REDIRECT, &[], true).await;
        let fields = public_exchange("nonce-app", NONCE_REDIRECT, &code);
        let key = DpopKey::es256();

        let first = token_post(&app, None, &fields, &[token_proof(&app, &key)]).await;
        first.assert_refused(400, "use_dpop_nonce");
        let nonce = first
            .header("dpop-nonce")
            .expect("a nonce to retry with")
            .to_string();
        assert_eq!(first.header("cache-control"), Some("no-store"));
        let forged = token_post(
            &app,
            None,
            &fields,
            &[token_proof_with(&app, &key, "made-up")],
        )
        .await;
        forged.assert_refused(400, "use_dpop_nonce");

        // The retry, with the nonce: the code was not spent by the refusals.
        let tokens = token_post(&app, None, &fields, &[token_proof_with(&app, &key, &nonce)]).await;
        assert_eq!(tokens.status, 200, "{:?}", tokens.body);
        assert_eq!(tokens.body["token_type"], "DPoP");
        assert!(
            tokens.header("dpop-nonce").is_some(),
            "sent with success too"
        );

        // Nonces rotate: two windows later the old one is refused, and a new one is sent.
        app.clock.advance(120);
        let refresh_token = tokens.body["refresh_token"].as_str().unwrap().to_string();
        let refresh = [
            ("grant_type", "refresh_token"),
            ("client_id", "nonce-app"),
            ("refresh_token", refresh_token.as_str()),
        ];
        let stale = token_post(
            &app,
            None,
            &refresh,
            &[token_proof_with(&app, &key, &nonce)],
        )
        .await;
        stale.assert_refused(400, "use_dpop_nonce");
        let rotated = stale.header("dpop-nonce").unwrap();
        assert_ne!(rotated, nonce);

        // What a client library does: the openidconnect crate over an HTTP client that keeps
        // the last nonce and retries once on use_dpop_nonce.
        let metadata = CoreProviderMetadata::discover_async(
            IssuerUrl::new(app.issuer.clone()).unwrap(),
            &http_client(),
        )
        .await
        .unwrap();
        let client =
            CoreClient::from_provider_metadata(metadata, ClientId::new("nonce-app".into()), None);
        let dpop = DpopHttp::new(&key, &app.clock);
        let refreshed = client
            .exchange_refresh_token(&RefreshToken::new(refresh_token))
            .unwrap()
            .request_async(&dpop)
            .await
            .expect("a refresh after one retry");
        assert_eq!(refreshed.token_type().as_ref(), "dpop");
        assert_eq!(
            *dpop.sent.lock().unwrap(),
            2,
            "one use_dpop_nonce, one retry"
        );

        // Any instance with the same master key takes the nonce another issued.
        let other = app
            .second_instance(|c| *c = app.state.config().clone())
            .await;
        let next = refreshed.refresh_token().unwrap().secret().as_str();
        let refresh = [
            ("grant_type", "refresh_token"),
            ("client_id", "nonce-app"),
            ("refresh_token", next),
        ];
        let nonce = dpop.nonce().unwrap();
        let answer = token_post(
            &other,
            None,
            &refresh,
            &[token_proof_with(&app, &key, &nonce)],
        )
        .await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
    }
}

#[tokio::test]
async fn with_nonces_required_everywhere_userinfo_asks_for_one_too() {
    for backend in Backend::all() {
        let config = extra_config() + "\n[dpop]\nnonce_required = true\n";
        let app = TestApp::spawn_with_toml(backend, &config).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let key = DpopKey::ed25519();

        let first = service_token(&app, "service", &[token_proof(&app, &key)]).await;
        first.assert_refused(400, "use_dpop_nonce");
        let nonce = first.header("dpop-nonce").unwrap().to_string();
        let ok = service_token(&app, "service", &[token_proof_with(&app, &key, &nonce)]).await;
        assert_eq!(ok.status, 200, "{:?}", ok.body);

        // A user's token, then userinfo (§9): 401 with the challenge and a nonce, then the retry.
        let mut browser = app.browser();
        let code = code_for(&mut browser, "confidential", REDIRECT, &[], false).await;
        let fields = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ];
        let basic = Some(("confidential", CONFIDENTIAL_SECRET));
        let tokens = token_post(
            &app,
            basic,
            &fields,
            &[token_proof_with(&app, &key, &nonce)],
        )
        .await;
        assert_eq!(tokens.status, 200, "{:?}", tokens.body);
        let token = tokens.body["access_token"].as_str().unwrap();
        let dpop = format!("DPoP {token}");
        let answer = userinfo_get(&app, &dpop, &[userinfo_proof(&app, &key, token)]).await;
        answer.assert_refused(401, "use_dpop_nonce");
        let challenge = answer.header("www-authenticate").unwrap();
        assert!(
            challenge.starts_with("DPoP error=\"use_dpop_nonce\""),
            "{challenge}"
        );
        let nonce = answer.header("dpop-nonce").unwrap();
        let mut c = claims("GET", &endpoint(&app, "/userinfo"), app.clock.now());
        c["ath"] = json!(crate::client::ath(token));
        c["nonce"] = json!(nonce);
        let retried = userinfo_get(&app, &dpop, &[key.proof(&c)]).await;
        assert_eq!(retried.status, 200, "{:?}", retried.body);
    }
}
