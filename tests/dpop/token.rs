//! RFC 9449 §5, §6, §10 at the token endpoint: each grant binds its access token to the
//! proven key; a public client's refresh token is bound to it too, a confidential client's
//! is not; a code requested with `dpop_jkt` goes only with a proof of that key; a client
//! registered with `dpop_bound_access_tokens` gets nothing without a proof.
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};

use crate::client::{DpopHttp, DpopKey};
use crate::common::*;
use crate::*;

fn at_time(unix: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(unix, 0).unwrap()
}

#[tokio::test]
async fn a_public_client_with_openidconnect_gets_dpop_bound_tokens_and_refreshes_with_its_key() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let http = http_client();
        let metadata = CoreProviderMetadata::discover_async(
            IssuerUrl::new(app.issuer.clone()).unwrap(),
            &http,
        )
        .await
        .unwrap();
        assert_eq!(
            discovery_json(&app).await["dpop_signing_alg_values_supported"],
            serde_json::json!(["ES256", "EdDSA", "RS256", "PS256"])
        );
        let client =
            CoreClient::from_provider_metadata(metadata, ClientId::new("public".into()), None)
                .set_redirect_uri(RedirectUrl::new(PUBLIC_REDIRECT.into()).unwrap());
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("offline_access".into()))
            .add_extra_param("prompt", "consent")
            .set_pkce_challenge(challenge)
            .url();
        let mut browser = app.browser();
        let consent = browser.sign_in_at(auth_url.as_str()).await;
        let code = browser.allow(&consent).await;

        let key = DpopKey::es256();
        let dpop = DpopHttp::new(&key, &app.clock);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request_async(&dpop)
            .await
            .expect("a DPoP token exchange");
        // The crate reads the type case-insensitively (RFC 6749 §5.1) and lowers it.
        assert_eq!(tokens.token_type().as_ref(), "dpop");
        let access_token = tokens.access_token().secret().clone();
        assert_eq!(jwt_claims(&access_token)["cnf"]["jkt"], key.jkt());
        let id_token_verifier = client
            .id_token_verifier()
            .set_time_fn(|| at_time(START + 1));
        let id_claims = tokens
            .id_token()
            .unwrap()
            .claims(&id_token_verifier, &nonce)
            .unwrap();
        assert_eq!(id_claims.subject().as_str(), user_id);
        assert!(dpop.nonce().is_some(), "the answer carried a DPoP-Nonce");

        let info = userinfo_get(
            &app,
            &format!("DPoP {access_token}"),
            &[userinfo_proof(&app, &key, &access_token)],
        )
        .await;
        assert_eq!(info.status, 200, "{:?}", info.body);
        assert_eq!(info.body["sub"], user_id.as_str());

        // §5: the public client's refresh token is bound to the key: another key, or none,
        // is refused, and changes nothing.
        let refresh_token = tokens.refresh_token().unwrap().clone();
        let thief = DpopKey::ed25519();
        let stolen = client
            .exchange_refresh_token(&refresh_token)
            .unwrap()
            .request_async(&DpopHttp::new(&thief, &app.clock))
            .await;
        assert!(
            format!("{stolen:?}").contains("invalid_grant"),
            "{stolen:?}"
        );
        let fields = [
            ("grant_type", "refresh_token"),
            ("client_id", "public"),
            ("refresh_token", refresh_token.secret().as_str()),
        ];
        token_post(&app, None, &fields, &[])
            .await
            .assert_refused(400, "invalid_grant");
        let refreshed = client
            .exchange_refresh_token(&refresh_token)
            .unwrap()
            .request_async(&dpop)
            .await
            .expect("a refresh with the bound key");
        assert_eq!(refreshed.token_type().as_ref(), "dpop");
        let renewed = refreshed.access_token().secret();
        assert_eq!(jwt_claims(renewed)["cnf"]["jkt"], key.jkt());
        // The rotated token is bound like the first.
        let next = refreshed.refresh_token().unwrap().secret().as_str();
        let fields = [
            ("grant_type", "refresh_token"),
            ("client_id", "public"),
            ("refresh_token", next),
        ];
        let proof = token_proof(&app, &thief);
        token_post(&app, None, &fields, &[proof])
            .await
            .assert_refused(400, "invalid_grant");
    }
}

#[tokio::test]
async fn a_confidential_clients_tokens_are_bound_per_request_and_its_refresh_token_to_the_client() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let code = code_for(&mut browser, "confidential", REDIRECT, &[], true).await;
        let key = DpopKey::ed25519();
        let fields = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ];
        let basic = Some(("confidential", CONFIDENTIAL_SECRET));
        let tokens = token_post(&app, basic, &fields, &[token_proof(&app, &key)]).await;
        assert_eq!(tokens.status, 200, "{:?}", tokens.body);
        assert_eq!(tokens.body["token_type"], "DPoP");
        assert_eq!(tokens.access_token_claims()["cnf"]["jkt"], key.jkt());
        assert!(tokens.header("dpop-nonce").is_some());

        // Introspection tells a resource server the key (RFC 9449 §6.2).
        let access_token = tokens.body["access_token"].as_str().unwrap();
        let answer = introspect(&app, access_token).await;
        assert_eq!(answer["token_type"], "DPoP");
        assert_eq!(answer["cnf"]["jkt"], key.jkt());

        // The refresh token stays bound to the client's authentication: another key binds
        // the new access token to itself; no proof at all gets a bearer token.
        let refresh_token = tokens.body["refresh_token"].as_str().unwrap();
        let other = DpopKey::es256();
        let fields = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        let refreshed = token_post(&app, basic, &fields, &[token_proof(&app, &other)]).await;
        assert_eq!(refreshed.status, 200, "{:?}", refreshed.body);
        assert_eq!(refreshed.access_token_claims()["cnf"]["jkt"], other.jkt());
        let next = refreshed.body["refresh_token"].as_str().unwrap();
        let fields = [("grant_type", "refresh_token"), ("refresh_token", next)];
        let bearer = token_post(&app, basic, &fields, &[]).await;
        assert_eq!(bearer.body["token_type"], "Bearer");
        assert!(bearer.access_token_claims().get("cnf").is_none());
        assert!(bearer.header("dpop-nonce").is_none());
        let bearer_token = bearer.body["access_token"].as_str().unwrap();
        assert_eq!(introspect(&app, bearer_token).await["token_type"], "Bearer");
    }
}

#[tokio::test]
async fn client_credentials_with_a_proof_is_bound_and_a_client_registered_for_dpop_needs_one() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let key = DpopKey::es256();
        let bound = service_token(&app, "service", &[token_proof(&app, &key)]).await;
        assert_eq!(bound.status, 200, "{:?}", bound.body);
        assert_eq!(bound.body["token_type"], "DPoP");
        assert_eq!(bound.access_token_claims()["cnf"]["jkt"], key.jkt());
        let plain = service_token(&app, "service", &[]).await;
        assert_eq!(plain.body["token_type"], "Bearer");

        // §5.2: dpop_bound_access_tokens = true.
        service_token(&app, "bound-service", &[])
            .await
            .assert_refused(400, "invalid_dpop_proof");
        let proven = service_token(&app, "bound-service", &[token_proof(&app, &key)]).await;
        assert_eq!(proven.status, 200, "{:?}", proven.body);
        assert_eq!(proven.body["token_type"], "DPoP");
    }
}

#[tokio::test]
async fn a_code_requested_with_dpop_jkt_is_exchanged_only_with_a_proof_of_that_key() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let key = DpopKey::es256();
        let jkt = key.jkt();
        let code = code_for(
            &mut browser,
            "public",
            PUBLIC_REDIRECT,
            &[("dpop_jkt", &jkt)],
            false,
        )
        .await;
        let fields = public_exchange("public", PUBLIC_REDIRECT, &code);
        let other = DpopKey::es256();
        token_post(&app, None, &fields, &[token_proof(&app, &other)])
            .await
            .assert_refused(400, "invalid_grant");
        token_post(&app, None, &fields, &[])
            .await
            .assert_refused(400, "invalid_grant");
        // Neither attempt spent the code.
        let tokens = token_post(&app, None, &fields, &[token_proof(&app, &key)]).await;
        assert_eq!(tokens.status, 200, "{:?}", tokens.body);
        assert_eq!(tokens.access_token_claims()["cnf"]["jkt"], jkt);

        // A dpop_jkt that is no SHA-256 thumbprint is the client's mistake, sent back to it.
        let url = authorize_url(
            "public",
            PUBLIC_REDIRECT,
            &[("dpop_jkt", "not-a-thumbprint")],
        );
        let back = browser.get(&url).await;
        let location = back.location().unwrap();
        assert_eq!(
            query_of(&location)["error"],
            "invalid_request",
            "{location}"
        );
    }
}
