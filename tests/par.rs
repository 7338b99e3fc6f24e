//! Pushed authorization requests (RFC 9126) against a real listener, with the client's side
//! written as a relying party's back end would (reqwest) and the rest of the flow done by the
//! `openidconnect` crate: the happy path; a request_uri reused, expired or of another client;
//! a client that must push; pushed parameters the browser cannot change; and every bad push.
mod common;
#[path = "dpop/client.rs"]
#[allow(dead_code)]
mod dpop_client;

use common::par::*;
use common::*;
use dpop_client::{DpopKey, claims as dpop_claims};
use openidconnect::core::{CoreClient, CoreProviderMetadata, CoreTokenResponse};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, TokenResponse,
};
use serde_json::Value;
use tessera::clock::Clock;

/// A client that must push, beside the standard test clients.
const PUSHY: &str = "pushy";
const PUSHY_REDIRECT: &str = "https://pushy.example/cb";

fn pushy_client() -> String {
    format!(
        "\n[[clients]]\nclient_id = \"{PUSHY}\"\nclient_secret_hash = \"{}\"\nredirect_uris = [\"{PUSHY_REDIRECT}\"]\nrequire_pushed_authorization_requests = true\n",
        hashed(CONFIDENTIAL_SECRET)
    )
}

async fn spawn(backend: Backend) -> TestApp {
    let app = TestApp::spawn_with_toml(backend, &pushy_client()).await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    app
}

fn confidential() -> ParAuth<'static> {
    ParAuth::Basic("confidential", CONFIDENTIAL_SECRET)
}

/// The rows of the pushed-request table (to see what is stored and what the purge leaves).
async fn pushed_rows(app: &TestApp) -> i64 {
    count_rows(
        &app.store,
        "select count(*) from pushed_authorization_requests",
    )
    .await
}

/// The error page's status, and whether it names `invalid_request_uri`.
fn is_invalid_request_uri_page(page: &Page) -> bool {
    page.status == 400 && page.body.contains("invalid_request_uri")
}

#[tokio::test]
async fn a_pushed_request_completes_the_code_flow_with_the_openidconnect_client() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let http = http_client();
        let raw = discovery_json(&app).await;
        assert_eq!(
            raw["pushed_authorization_request_endpoint"],
            format!("{}/par", app.issuer)
        );
        assert_eq!(raw["require_pushed_authorization_requests"], false);
        let metadata = CoreProviderMetadata::discover_async(
            IssuerUrl::new(app.issuer.clone()).unwrap(),
            &http,
        )
        .await
        .expect("discovery");
        let oidc = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new("confidential".into()),
            Some(ClientSecret::new(CONFIDENTIAL_SECRET.into())),
        )
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = Nonce::new_random();

        // The back end pushes the whole request; the browser gets client_id and request_uri.
        let fields = request_fields(
            REDIRECT,
            &[
                ("code_challenge", challenge.as_str()),
                ("nonce", nonce.secret().as_str()),
                ("state", "st-par"),
            ],
        );
        let request_uri = pushed_request_uri(&app, confidential(), &fields).await;
        let mut browser = app.browser();
        let start = browser
            .get(&par_authorize_url("confidential", &request_uri))
            .await;
        assert_eq!(start.status, 303);
        let login_url = start.location().unwrap();
        for absent in [
            "redirect_uri",
            "code_challenge",
            "scope",
            "state",
            "request_uri",
        ] {
            assert!(!login_url.contains(absent), "{absent} in {login_url}");
        }
        assert!(login_url.contains("pushed_request="), "{login_url}");
        let login = browser.follow(start).await.unwrap();
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
        let location = back.location().unwrap();
        assert!(location.starts_with(REDIRECT), "{location}");
        let params = query_of(&location);
        assert_eq!(params["state"], "st-par");
        assert_eq!(params["iss"], app.issuer, "RFC 9207");

        let tokens: CoreTokenResponse = oidc
            .exchange_code(AuthorizationCode::new(params["code"].clone()))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request_async(&http)
            .await
            .expect("token exchange");
        let id_verifier = oidc
            .id_token_verifier()
            .set_time_fn(|| chrono::DateTime::from_timestamp(START + 1, 0).unwrap());
        let claims = tokens
            .id_token()
            .expect("id_token")
            .claims(&id_verifier, &nonce)
            .expect("a valid ID token carrying the pushed nonce");
        assert_eq!(claims.email().unwrap().as_str(), USER_EMAIL);
        assert!(!tokens.access_token().secret().is_empty());
    }
}

#[tokio::test]
async fn every_client_authentication_method_may_push_and_a_push_is_stored_for_any_instance() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let post = push(
            &app,
            ParAuth::Post("post-client", POST_SECRET),
            &request_fields("https://post.example.com/cb", &[]),
        )
        .await;
        assert_eq!(post.status(), 201);
        let public = push(
            &app,
            ParAuth::Public("public"),
            &request_fields(PUBLIC_REDIRECT, &[("scope", "openid email")]),
        )
        .await;
        assert_eq!(
            public.status(),
            201,
            "a public client may push (RFC 9126 §2)"
        );
        let body: Value = public.json().await.unwrap();
        assert_eq!(body["expires_in"], 60, "par_expires_in's default");

        // Pushed to one instance, used at another: the request is in the database.
        let request_uri =
            pushed_request_uri(&app, confidential(), &request_fields(REDIRECT, &[])).await;
        let other = app.second_instance(|_| {}).await;
        let mut browser = other.browser();
        let start = browser
            .get(&par_authorize_url("confidential", &request_uri))
            .await;
        let login = browser.follow(start).await.unwrap();
        let consent = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let code = browser.allow(&consent).await;
        assert_eq!(exchange(&other, &code).await.status(), 200);
        let again = app
            .browser()
            .get(&par_authorize_url("confidential", &request_uri))
            .await;
        assert!(
            is_invalid_request_uri_page(&again),
            "spent on the other instance too"
        );
    }
}

#[tokio::test]
async fn a_request_uri_is_single_use_expires_and_belongs_to_its_client() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let fields = request_fields(REDIRECT, &[]);

        // Another client's request_uri: refused, and left for its owner.
        let request_uri = pushed_request_uri(&app, confidential(), &fields).await;
        let mut thief = app.browser();
        let stolen = thief
            .get(&par_authorize_url("post-client", &request_uri))
            .await;
        assert!(is_invalid_request_uri_page(&stolen), "{}", stolen.body);
        assert!(stolen.location().is_none(), "never a redirect");
        let mut browser = app.browser();
        let first = browser
            .get(&par_authorize_url("confidential", &request_uri))
            .await;
        assert_eq!(first.status, 303, "the owner's use still works");

        // Used once: a second /authorize with it is refused.
        let reused = app
            .browser()
            .get(&par_authorize_url("confidential", &request_uri))
            .await;
        assert!(is_invalid_request_uri_page(&reused), "{}", reused.body);

        // Expired: par_expires_in (60 s) later it is gone.
        let late = pushed_request_uri(&app, confidential(), &fields).await;
        app.clock.advance(60);
        let expired = app
            .browser()
            .get(&par_authorize_url("confidential", &late))
            .await;
        assert!(is_invalid_request_uri_page(&expired), "{}", expired.body);

        // Not ours at all: a request object URL, or a URN of another shape.
        for other in [
            "https://client.example/request.jwt",
            "urn:ietf:params:oauth:request_uri:x",
        ] {
            let page = app
                .browser()
                .get(&par_authorize_url("confidential", other))
                .await;
            assert!(is_invalid_request_uri_page(&page), "{other}");
        }
        let no_client = app
            .browser()
            .get(&format!(
                "/authorize?request_uri={}",
                url_encode(&request_uri)
            ))
            .await;
        assert_eq!(no_client.status, 400);

        // The purge removes what has expired (claimed requests live their sign-in's length).
        assert!(pushed_rows(&app).await >= 2);
        app.clock.advance(3600);
        app.store.purge_expired(app.clock.now(), &[]).await.unwrap();
        assert_eq!(pushed_rows(&app).await, 0);
    }
}

fn url_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn a_client_that_must_push_is_refused_at_authorize_without_par() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let mut browser = app.browser();
        let plain = browser
            .get(&authorize_url(PUSHY, PUSHY_REDIRECT, &[]))
            .await;
        assert_eq!(plain.status, 303);
        let location = plain.location().unwrap();
        assert!(location.starts_with(PUSHY_REDIRECT), "{location}");
        let error = query_of(&location);
        assert_eq!(error["error"], "invalid_request");
        assert_eq!(error["state"], "st-123");
        assert_eq!(error["iss"], app.issuer);
        // Not through a sign-in page's URL either.
        let login = authorize_url(PUSHY, PUSHY_REDIRECT, &[]).replace("/authorize", "/login");
        let direct = browser.get(&login).await;
        assert_eq!(
            query_of(&direct.location().unwrap())["error"],
            "invalid_request"
        );
        // Pushed, it goes through.
        let request_uri = pushed_request_uri(
            &app,
            ParAuth::Basic(PUSHY, CONFIDENTIAL_SECRET),
            &request_fields(PUSHY_REDIRECT, &[]),
        )
        .await;
        let start = browser.get(&par_authorize_url(PUSHY, &request_uri)).await;
        let login = browser.follow(start).await.unwrap();
        assert!(login.body.contains("name=\"password\""), "{}", login.body);
    }
}

#[tokio::test]
async fn the_global_requirement_is_advertised_and_holds_every_client_that_does_not_opt_out() {
    for backend in Backend::all() {
        let extra = format!(
            "require_pushed_authorization_requests = true\n{}",
            pushy_client()
                .replace(PUSHY, "relaxed")
                .replace("= true", "= false")
        );
        let app = TestApp::spawn_with_toml(backend, &extra).await;
        assert_eq!(
            discovery_json(&app).await["require_pushed_authorization_requests"],
            true
        );
        let mut browser = app.browser();
        let refused = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        assert_eq!(
            query_of(&refused.location().unwrap())["error"],
            "invalid_request"
        );
        let relaxed = browser
            .get(&authorize_url("relaxed", "https://relaxed.example/cb", &[]))
            .await;
        let login = browser.follow(relaxed).await.unwrap();
        assert!(login.body.contains("name=\"password\""));
    }
}

#[tokio::test]
async fn pushed_parameters_cannot_be_altered_through_the_browser() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let fields = request_fields(REDIRECT, &[("scope", "openid email")]);
        let request_uri = pushed_request_uri(&app, confidential(), &fields).await;
        let mut browser = app.browser();
        // Parameters beside request_uri at /authorize are ignored (RFC 9126 §4).
        let tampered = format!(
            "{}&redirect_uri={}&scope=openid+email+profile+offline_access&state=evil&prompt=none",
            par_authorize_url("confidential", &request_uri),
            url_encode("https://app.example.com/cb"),
        );
        let start = browser.get(&tampered).await;
        assert_eq!(
            start.status, 303,
            "prompt=none was not pushed: the sign-in page"
        );
        let login_url = start.location().unwrap();
        let login = browser.follow(start).await.unwrap();

        // The sign-in page's own URL, edited: only client_id and the handle are read.
        let edited_action = format!(
            "{}&redirect_uri={}&scope=openid+profile&code_challenge=abc",
            login.form_action(),
            url_encode("https://app.example.com/cb")
        );
        let csrf = login.hidden("csrf_token");
        let posted = browser
            .post_form(
                &edited_action,
                &[
                    ("csrf_token", &csrf),
                    ("email", USER_EMAIL),
                    ("password", USER_PASSWORD),
                ],
            )
            .await;
        let consent = browser.follow(posted).await.unwrap();
        assert!(consent.body.contains("See your email address"));
        assert!(
            !consent.body.contains("Stay connected"),
            "only the pushed scopes"
        );

        // Another client cannot take the handle over.
        let hijacked = login_url.replace("client_id=confidential", "client_id=post-client");
        let page = app.browser().get(&hijacked).await;
        assert_eq!(page.status, 400, "{}", page.body);

        let back = browser.submit_consent(&consent, "allow").await;
        let location = back.location().unwrap();
        assert!(
            location.starts_with(REDIRECT),
            "the pushed redirect_uri: {location}"
        );
        let params = query_of(&location);
        assert_eq!(params["state"], "st-pushed");
        let tokens: Value = exchange(&app, &params["code"]).await.json().await.unwrap();
        assert_eq!(tokens["scope"], "openid email", "{tokens}");

        // The request has ended: its pages answer nothing any more.
        let after = app.browser().get(&login_url).await;
        assert_eq!(after.status, 400);
        assert!(
            after.body.contains("expired or was already completed"),
            "{}",
            after.body
        );
    }
}

#[tokio::test]
async fn a_pushed_prompt_login_is_satisfied_by_the_sign_in_made_for_it() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let mut browser = app.browser();
        // Signed in already, and remembered consent: a plain request goes straight back.
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        assert_eq!(exchange(&app, &code).await.status(), 200);
        app.clock.advance(10);
        let fields = request_fields(REDIRECT, &[("prompt", "login")]);
        let request_uri = pushed_request_uri(&app, confidential(), &fields).await;
        let start = browser
            .get(&par_authorize_url("confidential", &request_uri))
            .await;
        let login = browser.follow(start).await.unwrap();
        assert!(
            login.body.contains("name=\"password\""),
            "prompt=login asks again"
        );
        match browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
        {
            Err(location) => assert!(query_of(&location).contains_key("code"), "{location}"),
            Ok(page) => panic!("expected the code, got {} {}", page.status, page.body),
        }
        // An error sent back ends the request as a code does.
        let denied_uri = pushed_request_uri(
            &app,
            confidential(),
            &request_fields(REDIRECT, &[("prompt", "consent")]),
        )
        .await;
        let start = browser
            .get(&par_authorize_url("confidential", &denied_uri))
            .await;
        let consent = browser.follow(start).await.unwrap();
        let denied = browser.submit_consent(&consent, "deny").await;
        assert_eq!(
            query_of(&denied.location().unwrap())["error"],
            "access_denied"
        );
        let again = browser.submit_consent(&consent, "allow").await;
        assert_eq!(
            again.status, 400,
            "the denied request cannot be allowed after all"
        );
    }
}

#[tokio::test]
async fn bad_pushes_are_refused_as_rfc_9126_says() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let good = request_fields(REDIRECT, &[]);
        // Client authentication, as at /token.
        for (auth, expected) in [
            (ParAuth::Basic("nobody", "x"), (401, "invalid_client")),
            (
                ParAuth::Basic("confidential", "wrong"),
                (401, "invalid_client"),
            ),
            (ParAuth::Public("confidential"), (401, "invalid_client")),
            (ParAuth::Nothing, (401, "invalid_client")),
        ] {
            let response = push(&app, auth, &good).await;
            let challenge = response.headers().contains_key("www-authenticate");
            assert_eq!(json_error(response).await, (expected.0, expected.1.into()));
            assert!(challenge);
        }
        // The request itself, validated as /authorize validates it.
        let cases: [(&[(&'static str, &str)], &str); 8] = [
            (
                &[("request_uri", "urn:ietf:params:oauth:request_uri:abc")],
                "invalid_request",
            ),
            (
                &[("redirect_uri", "https://evil.example/cb")],
                "invalid_request",
            ),
            (&[("response_type", "token")], "unsupported_response_type"),
            (&[("code_challenge_method", "plain")], "invalid_request"),
            (&[("scope", "email")], "invalid_scope"),
            (&[("client_id", "post-client")], "invalid_request"),
            (&[("request", "eyJ.e30.")], "request_not_supported"),
            (&[("response_mode", "fragment")], "invalid_request"),
        ];
        for (edit, error) in cases {
            let response = push(&app, confidential(), &request_fields(REDIRECT, edit)).await;
            assert_eq!(json_error(response).await, (400, error.into()), "{edit:?}");
        }
        let mut no_pkce = good.clone();
        no_pkce.retain(|(name, _)| !name.starts_with("code_challenge"));
        let response = push(&app, confidential(), &no_pkce).await;
        assert_eq!(json_error(response).await, (400, "invalid_request".into()));
        let mut twice = good.clone();
        twice.push(("state", "again".into()));
        let response = push(&app, confidential(), &twice).await;
        assert_eq!(json_error(response).await, (400, "invalid_request".into()));

        // Malformed: not a form, a GET, too large.
        let http = reqwest::Client::new();
        let json = http
            .post(app.url("/par"))
            .basic_auth("confidential", Some(CONFIDENTIAL_SECRET))
            .json(&serde_json::json!({ "response_type": "code" }))
            .send()
            .await
            .unwrap();
        assert_eq!(json_error(json).await, (400, "invalid_request".into()));
        let get = http.get(app.url("/par")).send().await.unwrap();
        assert_eq!(get.status(), 405);
        let huge = "a".repeat(app.state.config().max_body_bytes + 1);
        let oversized = push(
            &app,
            confidential(),
            &request_fields(REDIRECT, &[("state", &huge)]),
        )
        .await;
        assert_eq!(oversized.status(), 413);
        assert_eq!(pushed_rows(&app).await, 0, "nothing refused was stored");
    }
}

#[tokio::test]
async fn failed_authentications_at_par_count_on_the_limit_token_uses() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| c.client_max_auth_failures = 10).await;
        for _ in 0..2 {
            let response = push(
                &app,
                ParAuth::Basic("confidential", "wrong"),
                &request_fields(REDIRECT, &[]),
            )
            .await;
            assert_eq!(response.status(), 401);
        }
        let response = token_request(
            &app,
            Some(("confidential", CONFIDENTIAL_SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", "x")],
        )
        .await;
        assert_eq!(
            response.status(),
            429,
            "the same per client and address limit"
        );
        let at_par = push(&app, confidential(), &request_fields(REDIRECT, &[])).await;
        assert_eq!(at_par.status(), 429);
    }
}

#[tokio::test]
async fn two_browsers_racing_with_one_request_uri_have_exactly_one_winner() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let other = app.second_instance(|_| {}).await;
        for _ in 0..5 {
            let request_uri =
                pushed_request_uri(&app, confidential(), &request_fields(REDIRECT, &[])).await;
            let url = par_authorize_url("confidential", &request_uri);
            let (mut a, mut b) = (app.browser(), other.browser());
            let (first, second) = tokio::join!(a.get(&url), b.get(&url));
            let mut statuses = [first.status, second.status];
            statuses.sort();
            assert_eq!(statuses, [303, 400], "one takes it, the other is refused");
        }
    }
}

/// RFC 9449 §10: a `dpop_jkt` pushed with the request binds its code to that key, as it does
/// on `/authorize`: the one validation of an authorization request reads it for both.
#[tokio::test]
async fn a_pushed_dpop_jkt_binds_the_code_to_that_key() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let (key, other) = (DpopKey::es256(), DpopKey::es256());
        let jkt = key.jkt();
        let fields = request_fields(REDIRECT, &[("dpop_jkt", jkt.as_str())]);
        let request_uri = pushed_request_uri(&app, confidential(), &fields).await;
        let mut browser = app.browser();
        let start = browser
            .get(&par_authorize_url("confidential", &request_uri))
            .await;
        let login = browser.follow(start).await.unwrap();
        let consent = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let done = browser.submit_consent(&consent, "allow").await;
        let code = query_of(&done.location().unwrap())["code"].clone();
        let exchange = |proof: String| {
            let app = &app;
            let code = code.clone();
            async move {
                reqwest::Client::new()
                    .post(app.url("/token"))
                    .basic_auth("confidential", Some(CONFIDENTIAL_SECRET))
                    .header("DPoP", proof)
                    .form(&[
                        ("grant_type", "authorization_code"),
                        ("code", code.as_str()),
                        ("redirect_uri", REDIRECT),
                        ("code_verifier", VERIFIER),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let token_url = format!("{}/token", app.issuer);
        let wrong = exchange(other.proof(&dpop_claims("POST", &token_url, app.clock.now()))).await;
        assert_eq!(json_error(wrong).await, (400, "invalid_grant".into()));
        let right = exchange(key.proof(&dpop_claims("POST", &token_url, app.clock.now()))).await;
        assert_eq!(right.status(), 200);
        let body: Value = right.json().await.unwrap();
        assert_eq!(body["token_type"], "DPoP", "{body}");
        let access = body["access_token"].as_str().unwrap();
        let payload = access.split('.').nth(1).unwrap();
        let claims: Value = serde_json::from_slice(
            &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(claims["cnf"]["jkt"], jkt.as_str());
    }
}
