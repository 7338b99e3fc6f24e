//! The whole sign-in driven by a real relying party library (`openidconnect`) against a real
//! listener: discovery → authorize → login → consent → code → token → ID token validation → userinfo.
mod common;

use common::*;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreTokenResponse, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};

#[tokio::test]
async fn openidconnect_client_signs_in_end_to_end() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let http = http_client();

        let metadata = CoreProviderMetadata::discover_async(
            IssuerUrl::new(app.issuer.clone()).unwrap(),
            &http,
        )
        .await
        .expect("discovery");
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new("confidential".into()),
            Some(ClientSecret::new(CONFIDENTIAL_SECRET.into())),
        )
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());

        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, csrf_state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();

        // The user's browser: authorize → login page → consent page → back to the app.
        let mut browser = app.browser();
        let first = browser.get(auth_url.as_str()).await;
        assert_eq!(first.status, 303);
        let login = browser.follow(first).await.unwrap();
        assert!(login.body.contains("Confidential App"));
        let consent = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(
            consent.body.contains("See your email address"),
            "{}",
            consent.body
        );
        let back = browser.submit_consent(&consent, "allow").await;
        assert_eq!(back.status, 303);
        let location = back.location().unwrap();
        assert!(location.starts_with(REDIRECT), "{location}");
        let params = query_of(&location);
        assert_eq!(params["state"], *csrf_state.secret());
        assert_eq!(params["iss"], app.issuer, "RFC 9207 iss parameter");

        let tokens: CoreTokenResponse = client
            .exchange_code(AuthorizationCode::new(params["code"].clone()))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request_async(&http)
            .await
            .expect("token exchange");
        assert_eq!(tokens.expires_in().unwrap().as_secs(), 900);

        let id_token = tokens.id_token().expect("id_token");
        // The library checks signature (JWKS), issuer, audience, expiry and nonce.
        let verifier = client
            .id_token_verifier()
            .set_time_fn(|| chrono_like_time(START + 1));
        let claims = id_token.claims(&verifier, &nonce).expect("valid ID token");
        assert_eq!(claims.subject().as_str(), user_id);
        assert_eq!(claims.email().unwrap().as_str(), USER_EMAIL);
        assert_eq!(claims.auth_time().unwrap().timestamp(), START);
        let amr: Vec<String> = claims
            .auth_method_refs()
            .unwrap()
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(amr, vec!["pwd"]);
        let expected_hash = AccessTokenHash::from_token(
            tokens.access_token(),
            id_token.signing_alg().unwrap(),
            id_token.signing_key(&verifier).unwrap(),
        )
        .unwrap();
        assert_eq!(claims.access_token_hash(), Some(&expected_hash));

        let userinfo: CoreUserInfoClaims = client
            .user_info(tokens.access_token().clone(), None)
            .unwrap()
            .request_async(&http)
            .await
            .expect("userinfo");
        assert_eq!(userinfo.subject().as_str(), user_id);
        assert_eq!(userinfo.email().unwrap().as_str(), USER_EMAIL);
        assert_eq!(
            userinfo.name().unwrap().get(None).unwrap().as_str(),
            "Ada Lovelace"
        );

        // A second sign-in reuses the session and the remembered consent: straight back to the app.
        let again = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let location = again.location().unwrap();
        assert!(
            location.starts_with(REDIRECT) && location.contains("code="),
            "{location}"
        );
    }
}

/// The ID token's `iat`/`exp` come from the injected clock, so the verifier must use it too.
fn chrono_like_time(unix: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(unix, 0).unwrap()
}

#[tokio::test]
async fn public_client_uses_pkce_without_a_secret_on_any_loopback_port() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let http = http_client();
        let metadata = CoreProviderMetadata::discover_async(
            IssuerUrl::new(app.issuer.clone()).unwrap(),
            &http,
        )
        .await
        .unwrap();
        // RFC 8252 §7.3: the registered loopback URI has no port; the app picks one at run time.
        let redirect = "http://127.0.0.1:49152/native/cb";
        let client =
            CoreClient::from_provider_metadata(metadata, ClientId::new("public".into()), None)
                .set_redirect_uri(RedirectUrl::new(redirect.into()).unwrap());
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .url();
        let mut browser = app.browser();
        let start = browser.get(auth_url.as_str()).await;
        let login = browser.follow(start).await.unwrap();
        let consent = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let back = browser.submit_consent(&consent, "allow").await;
        let code = query_of(&back.location().unwrap())["code"].clone();
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request_async(&http)
            .await
            .expect("public client exchange");
        let verifier = client
            .id_token_verifier()
            .set_time_fn(|| chrono_like_time(START + 1));
        tokens
            .id_token()
            .unwrap()
            .claims(&verifier, &nonce)
            .expect("valid ID token");
    }
}

#[tokio::test]
async fn client_secret_post_client_and_skip_consent_client() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();

        // A first-party client (skip_consent) goes from login straight back to the app.
        let start = browser
            .get(&authorize_url(
                "first-party",
                "https://first.example.com/cb",
                &[],
            ))
            .await;
        let login = browser.follow(start).await.unwrap();
        let sent_to = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap_err();
        assert!(
            sent_to.starts_with("https://first.example.com/cb?code="),
            "{sent_to}"
        );

        // client_secret_post: credentials in the body.
        let code = obtain_code(
            &app,
            &mut browser,
            "post-client",
            "https://post.example.com/cb",
        )
        .await;
        let response = token_request(
            &app,
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "https://post.example.com/cb"),
                ("code_verifier", VERIFIER),
                ("client_id", "post-client"),
                ("client_secret", POST_SECRET),
            ],
        )
        .await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["pragma"], "no-cache");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["scope"], "openid email profile");
    }
}
