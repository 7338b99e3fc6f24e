//! Refresh tokens: rotation, reuse detection revoking the family (and its access tokens),
//! the grace window, scope narrowing, client binding, code replay.
mod common;

const ADA: tessera::service::admin::UserKey<'static> =
    tessera::service::admin::UserKey::Email(USER_EMAIL);

use common::*;
use openidconnect::core::{CoreClient, CoreProviderMetadata, CoreRevocableToken};
use openidconnect::{
    ClientId, ClientSecret, IssuerUrl, OAuth2TokenResponse, RedirectUrl, RefreshToken,
    RevocationUrl,
};
use serde_json::Value;

/// An `openidconnect` HTTP client that sends `https://` loopback requests as plain http.
async fn via_plain_http(
    request: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, reqwest::Error> {
    let (parts, body) = request.into_parts();
    let uri = parts.uri.to_string().replacen("https://", "http://", 1);
    let mut outgoing = reqwest::Client::new().request(parts.method, uri).body(body);
    for (name, value) in &parts.headers {
        outgoing = outgoing.header(name, value);
    }
    let response = outgoing.send().await?;
    let mut builder = openidconnect::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    Ok(builder.body(response.bytes().await?.to_vec()).unwrap())
}

async fn json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn openidconnect_client_refreshes_and_revokes() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let tokens = offline_tokens(&app, &mut browser).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let metadata = CoreProviderMetadata::discover_async(
            IssuerUrl::new(app.issuer.clone()).unwrap(),
            &http,
        )
        .await
        .unwrap();
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new("confidential".into()),
            Some(ClientSecret::new(CONFIDENTIAL_SECRET.into())),
        )
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap())
        // The library insists on an https revocation endpoint (RFC 7009 §2); the test stands in
        // for a TLS-terminating proxy by carrying its https requests over plain loopback http.
        .set_revocation_url(
            RevocationUrl::new(app.url("/revoke").replacen("http://", "https://", 1)).unwrap(),
        );

        let first = RefreshToken::new(tokens["refresh_token"].as_str().unwrap().into());
        let refreshed = client
            .exchange_refresh_token(&first)
            .unwrap()
            .request_async(&http)
            .await
            .expect("refresh");
        let second = refreshed
            .refresh_token()
            .expect("rotated refresh token")
            .clone();
        assert_ne!(second.secret(), first.secret());
        assert_eq!(
            userinfo_status(&app, refreshed.access_token().secret()).await,
            200
        );

        client
            .revoke_token(CoreRevocableToken::from(second.clone()))
            .unwrap()
            .request_async(&via_plain_http)
            .await
            .expect("revocation");
        assert!(
            client
                .exchange_refresh_token(&second)
                .unwrap()
                .request_async(&http)
                .await
                .is_err()
        );
        assert_eq!(
            userinfo_status(&app, refreshed.access_token().secret()).await,
            401,
            "revoking the refresh token revokes its access tokens"
        );
    }
}

#[tokio::test]
async fn a_rotation_chain_of_one_hundred_refreshes() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let mut token = offline_tokens(&app, &mut browser).await["refresh_token"]
            .as_str()
            .unwrap()
            .to_string();
        let first = token.clone();
        for i in 0..100 {
            app.clock.advance(10);
            let (status, body) = json(refresh(&app, &token, None).await).await;
            assert_eq!(status, 200, "refresh {i}: {body}");
            assert!(body["id_token"].is_string());
            assert_eq!(body["scope"], "openid email profile offline_access");
            let next = body["refresh_token"].as_str().unwrap().to_string();
            assert_ne!(next, token);
            token = next;
        }
        assert_eq!(introspect(&app, &token).await["active"], true);
        assert_eq!(introspect(&app, &first).await["active"], false);
    }
}

#[tokio::test]
async fn refresh_token_reuse_revokes_the_family_and_its_access_tokens() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let tokens = offline_tokens(&app, &mut browser).await;
        let stolen = tokens["refresh_token"].as_str().unwrap().to_string();
        let (_, rotated) = json(refresh(&app, &stolen, None).await).await;
        let current_refresh = rotated["refresh_token"].as_str().unwrap().to_string();
        let current_access = rotated["access_token"].as_str().unwrap().to_string();
        assert_eq!(userinfo_status(&app, &current_access).await, 200);

        // The attacker replays the old token after the grace window.
        app.clock.advance(60);
        let (status, body) = json(refresh(&app, &stolen, None).await).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );

        // The revocation was committed despite the error answer: everything in the family is dead.
        let (status, _) = json(refresh(&app, &current_refresh, None).await).await;
        assert_eq!(status, 400);
        assert_eq!(introspect(&app, &current_refresh).await["active"], false);
        assert_eq!(introspect(&app, &current_access).await["active"], false);
        assert_eq!(userinfo_status(&app, &current_access).await, 401);
        let first_access = tokens["access_token"].as_str().unwrap();
        assert_eq!(userinfo_status(&app, first_access).await, 401);
    }
}

#[tokio::test]
async fn concurrent_refresh_of_one_token_has_exactly_one_winner() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();

        // Public client: no grace window, so the loser's attempt counts as reuse.
        let code = obtain_offline_code(&mut browser, "public", PUBLIC_REDIRECT).await;
        let (status, tokens) = json(
            token_request(
                &app,
                None,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", PUBLIC_REDIRECT),
                    ("code_verifier", VERIFIER),
                    ("client_id", "public"),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{tokens}");
        let token = tokens["refresh_token"].as_str().unwrap().to_string();
        let mut racers = tokio::task::JoinSet::new();
        for _ in 0..2 {
            let url = app.url("/token");
            let token = token.clone();
            racers.spawn(async move {
                let response = reqwest::Client::new()
                    .post(url)
                    .form(&[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", &token),
                        ("client_id", "public"),
                    ])
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap())
            });
        }
        let results = racers.join_all().await;
        let winners: Vec<&Value> = results
            .iter()
            .filter(|(s, _)| *s == 200)
            .map(|(_, b)| b)
            .collect();
        assert_eq!(winners.len(), 1, "{results:?}");

        // Confidential client within the grace window: the loser is refused, the family lives.
        let tokens = offline_tokens(&app, &mut browser).await;
        let token = tokens["refresh_token"].as_str().unwrap().to_string();
        let (status, winner) = json(refresh(&app, &token, None).await).await;
        assert_eq!(status, 200);
        let (status, _) = json(refresh(&app, &token, None).await).await;
        assert_eq!(status, 400, "the raced duplicate is refused");
        let newest = winner["refresh_token"].as_str().unwrap();
        assert_eq!(
            json(refresh(&app, newest, None).await).await.0,
            200,
            "family survives a race"
        );
    }
}

#[tokio::test]
async fn scope_can_be_narrowed_but_never_widened() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let tokens = offline_tokens(&app, &mut browser).await;
        let token = tokens["refresh_token"].as_str().unwrap();

        let (status, body) = json(
            refresh(
                &app,
                token,
                Some("openid profile email offline_access phone"),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope"))
        );

        let (status, narrowed) = json(refresh(&app, token, Some("openid")).await).await;
        assert_eq!(status, 200);
        assert_eq!(narrowed["scope"], "openid");
        let claims: Value = reqwest::Client::new()
            .get(app.url("/userinfo"))
            .bearer_auth(narrowed["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            claims.get("email").is_none(),
            "narrowed token releases less: {claims}"
        );
        // The next refresh token still carries the original grant.
        let (status, again) =
            json(refresh(&app, narrowed["refresh_token"].as_str().unwrap(), None).await).await;
        assert_eq!(status, 200);
        assert_eq!(again["scope"], "openid email profile offline_access");
    }
}

#[tokio::test]
async fn a_refresh_token_is_bound_to_its_client() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let tokens = offline_tokens(&app, &mut browser).await;
        let token = tokens["refresh_token"].as_str().unwrap();
        // Another client, even authenticated, cannot use it, and the public client cannot either.
        let (status, body) = json(
            token_request(
                &app,
                None,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", token),
                    ("client_id", "post-client"),
                    ("client_secret", POST_SECRET),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        let (status, _) = json(
            token_request(
                &app,
                None,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", token),
                    ("client_id", "public"),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(status, 400);
        // A public client's token without its client_id: client authentication fails.
        let (status, body) = json(
            token_request(
                &app,
                None,
                &[("grant_type", "refresh_token"), ("refresh_token", token)],
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client"))
        );
        // The rightful client still can.
        assert_eq!(json(refresh(&app, token, None).await).await.0, 200);
    }
}

#[tokio::test]
async fn offline_access_needs_prompt_consent() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let url = authorize_url("confidential", REDIRECT, &[])
            .replace("scope=openid+email+profile", "scope=openid+offline_access");
        let start = browser.get(&url).await;
        let login = browser.follow(start).await.unwrap();
        let consent = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(!consent.body.contains("Stay connected"));
        let done = browser.submit_consent(&consent, "allow").await;
        let code = query_of(&done.location().unwrap())["code"].clone();
        let (_, body) = json(exchange(&app, &code).await).await;
        assert!(body.get("refresh_token").is_none(), "{body}");
        assert_eq!(body["scope"], "openid");
    }
}

#[tokio::test]
async fn expired_disabled_and_signed_out_refresh_tokens_are_refused() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |config| config.refresh_token_idle_ttl = 3600).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();

        let idle = offline_tokens(&app, &mut browser).await;
        app.clock.advance(3600);
        let (status, _) =
            json(refresh(&app, idle["refresh_token"].as_str().unwrap(), None).await).await;
        assert_eq!(status, 400, "idle expiry");

        let tokens = offline_tokens(&app, &mut browser).await;
        tessera::service::admin::access::set_disabled(&app.state, ADA, true, START)
            .await
            .unwrap();
        let (status, body) =
            json(refresh(&app, tokens["refresh_token"].as_str().unwrap(), None).await).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "disabled user"
        );
    }
}

#[tokio::test]
async fn a_replayed_code_revokes_the_tokens_of_its_first_use() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let code = obtain_offline_code(&mut browser, "confidential", REDIRECT).await;
        let (status, tokens) = json(exchange(&app, &code).await).await;
        assert_eq!(status, 200);
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(userinfo_status(&app, access).await, 200);

        let (status, _) = json(exchange(&app, &code).await).await;
        assert_eq!(status, 400);
        assert_eq!(userinfo_status(&app, access).await, 401);
        let (status, _) =
            json(refresh(&app, tokens["refresh_token"].as_str().unwrap(), None).await).await;
        assert_eq!(status, 400);
    }
}
