//! Every way a proof can fail RFC 9449 §4.3 at the token endpoint, each answered
//! `invalid_dpop_proof` (400) with nothing issued; and a `jti` accepted once, on any instance.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jws::HS256;
use serde_json::json;

use crate::client::{DpopKey, b64_json, claims};
use crate::common::*;
use crate::*;

/// Each proof is refused and no token is issued.
async fn refused(app: &TestApp, proofs: &[String], why: &str) {
    let answer = service_token(app, "service", proofs).await;
    assert_eq!(
        (answer.status, answer.error()),
        (400, "invalid_dpop_proof"),
        "{why}: {:?}",
        answer.body
    );
    assert!(answer.body.get("access_token").is_none(), "{why}");
}

#[tokio::test]
async fn proofs_for_another_request_or_time_are_refused() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let key = DpopKey::es256();
        let now = app.clock.now();
        let token_url = endpoint(&app, "/token");
        let with = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut c = claims("POST", &token_url, now);
            edit(&mut c);
            key.proof(&c)
        };
        refused(&app, &[with(&|c| c["htm"] = json!("GET"))], "wrong htm").await;
        let userinfo = endpoint(&app, "/userinfo");
        refused(
            &app,
            &[with(&|c| c["htu"] = json!(userinfo))],
            "another endpoint",
        )
        .await;
        let other_host = token_url.replace("127.0.0.1", "localhost");
        refused(
            &app,
            &[with(&|c| c["htu"] = json!(other_host))],
            "another host",
        )
        .await;
        refused(&app, &[with(&|c| c["iat"] = json!(now - 120))], "stale iat").await;
        refused(
            &app,
            &[with(&|c| c["iat"] = json!(now + 120))],
            "future iat",
        )
        .await;
        let no_jti = with(&|c| {
            c.as_object_mut().unwrap().remove("jti");
        });
        refused(&app, &[no_jti], "no jti").await;

        // §4.3 check 9: query and fragment are ignored, and the URL is normalised.
        let spelled = token_url.replace("http://", "HTTP://") + "?x=1#y";
        let answer = service_token(&app, "service", &[with(&|c| c["htu"] = json!(spelled))]).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        // The window is ±60 s, plus a little leeway.
        let late = service_token(&app, "service", &[with(&|c| c["iat"] = json!(now - 60))]).await;
        assert_eq!(late.status, 200, "{:?}", late.body);
    }
}

#[tokio::test]
async fn proofs_with_the_wrong_key_material_are_refused() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let key = DpopKey::ed25519();
        let c = || claims("POST", &endpoint(&app, "/token"), app.clock.now());

        // A private key in the jwk.
        let mut header = key.header();
        header["jwk"] = key.private.clone();
        refused(&app, &[key.sign(&header, &c())], "private jwk").await;
        // alg none: no signature at all.
        let mut header = key.header();
        header["alg"] = json!("none");
        let unsigned = format!("{}.{}.", b64_json(&header), b64_json(&c()));
        refused(&app, &[unsigned], "alg none").await;
        // HS256 with a shared secret its own jwk gives away.
        let secret = b"thirty-two bytes of shared secret";
        let header = json!({
            "typ": "dpop+jwt", "alg": "HS256",
            "jwk": { "kty": "oct", "k": URL_SAFE_NO_PAD.encode(secret) }
        });
        let input = format!("{}.{}", b64_json(&header), b64_json(&c()));
        let mac = HS256.signer_from_bytes(secret).unwrap();
        let signature = josekit::jws::JwsSigner::sign(&mac, input.as_bytes()).unwrap();
        let hs256 = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature));
        refused(&app, &[hs256], "HS256").await;
        // Signed by another key than the one its jwk names.
        let impostor = DpopKey::ed25519();
        refused(&app, &[impostor.sign(&key.header(), &c())], "another key").await;
        // Not typed as a DPoP proof.
        let mut header = key.header();
        header["typ"] = json!("JWT");
        refused(&app, &[key.sign(&header, &c())], "typ JWT").await;
        // Two DPoP header fields, each a good proof.
        let two = [key.proof(&c()), key.proof(&c())];
        refused(&app, &two, "two DPoP headers").await;
        refused(&app, &["not-a-jwt".to_string()], "not a JWT").await;
    }
}

#[tokio::test]
async fn a_proof_is_accepted_once_on_any_instance() {
    for backend in Backend::all() {
        let a = spawn(backend).await;
        let b = a.second_instance(|c| *c = a.state.config().clone()).await;
        let key = DpopKey::es256();
        let proof = token_proof(&a, &key);
        let first = service_token(&a, "service", std::slice::from_ref(&proof)).await;
        assert_eq!(first.status, 200, "{:?}", first.body);
        refused(
            &a,
            std::slice::from_ref(&proof),
            "replayed on the same instance",
        )
        .await;
        // Behind one issuer URL, the other instance reads the same record.
        refused(
            &b,
            std::slice::from_ref(&proof),
            "replayed on another instance",
        )
        .await;
        let other = service_token(&b, "service", &[token_proof(&b, &key)]).await;
        assert_eq!(other.status, 200, "{:?}", other.body);

        // Once the window has passed, the record may go: the proof is stale by then anyway.
        a.clock.advance(120);
        let purged = a.store.purge_expired(a.clock.now(), &[]).await.unwrap();
        assert_eq!(purged.dpop_proofs, 2);
    }
}
