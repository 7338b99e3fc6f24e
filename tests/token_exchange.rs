//! RFC 8693 token exchange at `/token`: a backend trades the token a user's app sent it for
//! a token to another API, acting for that user. The user's tokens come from a real code
//! flow driven by the `openidconnect` crate; the exchanges are plain form posts (the crate
//! has no token-exchange call), against a real listener, on SQLite and PostgreSQL.
mod common;
#[allow(dead_code)]
#[path = "dpop/client.rs"]
mod dpop_client;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use dpop_client::{DpopHttp, DpopKey};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};
use serde_json::{Value, json};
use tessera::clock::Clock;
use tessera::store::audit_events::AuditFilter;

const ORDERS: &str = "https://orders.example.com";
const STOCK: &str = "https://stock.example.com";
const SHIPPING: &str = "https://shipping.example.com";
const API_SECRET: &str = "api-introspection-secret";
const SHOP_SECRET: &str = "shop-secret";
const BACKEND_SECRET: &str = "backend-secret";
const SHOP_REDIRECT: &str = "http://127.0.0.1:9912/cb";
const GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";
const ID: &str = "urn:ietf:params:oauth:token-type:id_token";

fn extra_config() -> String {
    format!(
        r#"
[[resources]]
identifier = "{ORDERS}"
name = "Orders API"
scopes = ["orders:read", "orders:write"]
introspection_secret_hash = "{api}"
access_token_ttl = 600

[[resources]]
identifier = "{STOCK}"
name = "Stock API"
scopes = ["orders:read", "stock:read"]
introspection_secret_hash = "{api}"
access_token_ttl = 300

[[resources]]
identifier = "{SHIPPING}"
name = "Shipping API"
scopes = ["orders:read"]
introspection_secret_hash = "{api}"

[[clients]]
client_id = "shop"
client_secret_hash = "{shop}"
redirect_uris = ["{SHOP_REDIRECT}"]
grant_types = ["authorization_code", "{GRANT}"]
scopes = ["openid", "email", "orders:read", "orders:write", "stock:read"]
resources = ["{ORDERS}", "{STOCK}"]

[[clients]]
client_id = "orders-backend"
client_secret_hash = "{backend}"
grant_types = ["{GRANT}", "client_credentials"]
scopes = ["orders:read", "stock:read"]
resources = ["{ORDERS}", "{STOCK}"]

[[clients]]
client_id = "stock-backend"
client_secret_hash = "{backend}"
grant_types = ["{GRANT}", "client_credentials"]
scopes = ["orders:read"]
resources = ["{STOCK}", "{SHIPPING}"]

[[clients]]
client_id = "impersonator"
client_secret_hash = "{backend}"
grant_types = ["{GRANT}"]
scopes = ["orders:read"]
resources = ["{ORDERS}", "{STOCK}"]
token_exchange_impersonation = true

[[clients]]
client_id = "no-exchange"
client_secret_hash = "{backend}"
grant_types = ["client_credentials"]
scopes = ["orders:read"]
resources = ["{ORDERS}", "{STOCK}"]
"#,
        api = hashed(API_SECRET),
        shop = hashed(SHOP_SECRET),
        backend = hashed(BACKEND_SECRET),
    )
}

async fn spawn(backend: Backend) -> TestApp {
    let app = TestApp::spawn_with_toml(backend, &extra_config()).await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    app
}

/// What the shop got for its user: an access token for the Orders API and an ID token.
struct UserTokens {
    access_token: String,
    id_token: String,
}

/// The shop signs its user in, with consent, for the Orders API.
async fn user_tokens(app: &TestApp) -> UserTokens {
    user_tokens_bound_to(app, None).await
}

/// As `user_tokens`, the access token bound to `key` (RFC 9449) when one is given.
async fn user_tokens_bound_to(app: &TestApp, key: Option<&DpopKey>) -> UserTokens {
    let metadata = CoreProviderMetadata::discover_async(
        IssuerUrl::new(app.issuer.clone()).unwrap(),
        &http_client(),
    )
    .await
    .expect("discovery");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new("shop".into()),
        Some(ClientSecret::new(SHOP_SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(SHOP_REDIRECT.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scopes(["email", "orders:read", "orders:write"].map(|s| Scope::new(s.into())))
        .add_extra_param("resource", ORDERS)
        .add_extra_param("prompt", "consent")
        .set_pkce_challenge(challenge)
        .url();
    let mut browser = app.browser();
    let consent = browser.sign_in_at(auth_url.as_str()).await;
    let code = browser.allow(&consent).await;
    let request = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .add_extra_param("resource", ORDERS);
    let tokens = match key {
        Some(key) => request
            .request_async(&DpopHttp::new(key, &app.clock))
            .await
            .expect("a DPoP code exchange"),
        None => request
            .request_async(&http_client())
            .await
            .expect("code exchange"),
    };
    let id_token = tokens.id_token().expect("an ID token");
    let verifier = client
        .id_token_verifier()
        .set_time_fn(|| chrono::DateTime::from_timestamp(START + 1, 0).unwrap());
    id_token
        .claims(&verifier, &nonce)
        .expect("a valid ID token");
    UserTokens {
        access_token: tokens.access_token().secret().clone(),
        id_token: id_token.to_string(),
    }
}

/// The answer to a token request: its status and JSON body.
struct Answer {
    status: u16,
    body: Value,
}

impl Answer {
    fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or_default()
    }

    fn access_token(&self) -> &str {
        self.body["access_token"].as_str().expect("an access token")
    }

    #[track_caller]
    fn assert_refused(&self, error: &str) {
        assert_eq!((self.status, self.error()), (400, error), "{}", self.body);
    }
}

/// `POST /token` as `client` (Basic authentication) with `fields`.
async fn post_token(app: &TestApp, client: (&str, &str), fields: &[(&str, &str)]) -> Answer {
    post_token_with_proof(app, client, fields, None).await
}

/// As `post_token`, with a DPoP proof of `key` when one is given.
async fn post_token_with_proof(
    app: &TestApp,
    client: (&str, &str),
    fields: &[(&str, &str)],
    key: Option<&DpopKey>,
) -> Answer {
    let mut request = reqwest::Client::new()
        .post(app.url("/token"))
        .basic_auth(client.0, Some(client.1))
        .form(fields);
    if let Some(key) = key {
        let url = format!("{}/token", app.issuer);
        let proof = key.proof(&dpop_client::claims("POST", &url, app.clock.now()));
        request = request.header("DPoP", proof);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    Answer {
        status,
        body: response.json().await.unwrap(),
    }
}

/// A token exchange by `client` of an access token `subject`, with more `fields`.
async fn exchange_as(
    app: &TestApp,
    client: &str,
    subject: &str,
    fields: &[(&str, &str)],
) -> Answer {
    let mut all = vec![
        ("grant_type", GRANT),
        ("subject_token", subject),
        ("subject_token_type", ACCESS),
    ];
    all.extend_from_slice(fields);
    let secret = if client == "shop" {
        SHOP_SECRET
    } else {
        BACKEND_SECRET
    };
    post_token(app, (client, secret), &all).await
}

/// A client's own token (client_credentials) for `api`.
async fn service_token(app: &TestApp, client: &str, api: &str) -> String {
    let answer = post_token(
        app,
        (client, BACKEND_SECRET),
        &[("grant_type", "client_credentials"), ("resource", api)],
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.access_token().to_string()
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// `POST /introspect` as the API `api` (every test API shares one secret).
async fn api_introspects(app: &TestApp, api: &str, token: &str) -> Value {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    reqwest::Client::new()
        .post(app.url("/introspect"))
        .basic_auth(encode(api), Some(encode(API_SECRET)))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The token_exchanged events, oldest first, once the writer has caught up.
async fn exchange_events(app: &TestApp) -> Vec<(String, Option<String>, Option<String>, Value)> {
    app.state.audit().flush().await;
    let filter = AuditFilter {
        event_type: Some("token_exchanged".into()),
        limit: 100,
        ..AuditFilter::default()
    };
    let mut rows = app.store.audit_events(&filter).await.unwrap();
    rows.reverse();
    rows.into_iter()
        .map(|r| {
            let detail = serde_json::from_str(&r.detail).unwrap();
            (r.outcome, r.user_id, r.client_id, detail)
        })
        .collect()
}

#[tokio::test]
async fn a_backend_exchanges_a_users_token_for_another_api_and_acts_for_them() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let user = user_tokens(&app).await;
        let subject = claims(&user.access_token);
        app.clock.advance(100);

        let answer = exchange_as(
            &app,
            "orders-backend",
            &user.access_token,
            &[("resource", STOCK)],
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body["issued_token_type"], ACCESS);
        assert_eq!(answer.body["token_type"], "Bearer");
        assert_eq!(answer.body["scope"], "orders:read");
        assert!(
            answer.body.get("refresh_token").is_none() && answer.body.get("id_token").is_none()
        );
        let expires_in = answer.body["expires_in"].as_i64().unwrap();
        assert_eq!(
            expires_in, 300,
            "the Stock API's lifetime, inside the subject's 500 s left"
        );

        let exchanged = claims(answer.access_token());
        assert_eq!(exchanged["sub"], subject["sub"], "the same user");
        assert_eq!(exchanged["aud"], STOCK);
        assert_eq!(exchanged["client_id"], "orders-backend");
        assert_eq!(exchanged["scope"], "orders:read");
        assert_eq!(
            exchanged["act"],
            json!({ "sub": "orders-backend", "client_id": "orders-backend" })
        );
        assert_eq!(exchanged["auth_time"], subject["auth_time"]);
        assert!(exchanged["exp"].as_i64() <= subject["exp"].as_i64());

        // The Stock API sees who acts; the Orders API does not see a token not for it.
        let seen = api_introspects(&app, STOCK, answer.access_token()).await;
        assert_eq!(seen["active"], true, "{seen}");
        assert_eq!(seen["act"]["sub"], "orders-backend");
        assert_eq!(seen["sub"], subject["sub"]);
        assert_eq!(seen["scope"], "orders:read");
        assert_eq!(
            api_introspects(&app, ORDERS, answer.access_token()).await["active"],
            false
        );

        // Close to the subject token's end, the new token ends with it.
        app.clock.advance(400);
        let late = exchange_as(
            &app,
            "orders-backend",
            &user.access_token,
            &[("audience", STOCK)],
        )
        .await;
        assert_eq!(late.status, 200, "{}", late.body);
        assert_eq!(late.body["expires_in"], 100);
        assert_eq!(claims(late.access_token())["exp"], subject["exp"]);

        let events = exchange_events(&app).await;
        assert_eq!(events.len(), 2);
        let (outcome, user_id, client_id, detail) = &events[0];
        assert_eq!(outcome, "success");
        assert_eq!(user_id.as_deref(), subject["sub"].as_str());
        assert_eq!(client_id.as_deref(), Some("orders-backend"));
        assert_eq!(detail["target"], STOCK);
        assert_eq!(detail["actor"], "orders-backend");
        assert!(!detail.to_string().contains(&user.access_token));
        // The account page's activity is not crowded out by a backend's exchanges.
        let sub = subject["sub"].as_str().unwrap();
        let recent = tessera::audit::recent_for_user(&app.store, sub, 50)
            .await
            .unwrap();
        assert!(recent.iter().all(|row| row.event_type != "token_exchanged"));
        assert!(!recent.is_empty(), "the sign-in is there");
    }
}

#[tokio::test]
async fn a_delegation_chain_nests_each_actor_inside_the_next() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let user = user_tokens(&app).await;
        let first = exchange_as(
            &app,
            "orders-backend",
            &user.access_token,
            &[("resource", STOCK)],
        )
        .await;
        assert_eq!(first.status, 200, "{}", first.body);

        // The Stock backend passes the user on to Shipping, naming itself with its own token.
        let actor = service_token(&app, "stock-backend", STOCK).await;
        let second = exchange_as(
            &app,
            "stock-backend",
            first.access_token(),
            &[
                ("resource", SHIPPING),
                ("actor_token", &actor),
                ("actor_token_type", ACCESS),
                (
                    "requested_token_type",
                    "urn:ietf:params:oauth:token-type:jwt",
                ),
            ],
        )
        .await;
        assert_eq!(second.status, 200, "{}", second.body);
        let chained = claims(second.access_token());
        let expected = json!({
            "sub": "stock-backend",
            "client_id": "stock-backend",
            "act": { "sub": "orders-backend", "client_id": "orders-backend" }
        });
        assert_eq!(chained["act"], expected);
        assert_eq!(chained["sub"], claims(&user.access_token)["sub"]);
        assert_eq!(chained["aud"], SHIPPING);
        let seen = api_introspects(&app, SHIPPING, second.access_token()).await;
        assert_eq!(seen["active"], true, "{seen}");
        assert_eq!(seen["act"], expected);

        // An actor token the client neither holds nor was sent is refused.
        let others = service_token(&app, "no-exchange", ORDERS).await;
        let borrowed = exchange_as(
            &app,
            "stock-backend",
            first.access_token(),
            &[
                ("resource", SHIPPING),
                ("actor_token", &others),
                ("actor_token_type", ACCESS),
            ],
        )
        .await;
        borrowed.assert_refused("invalid_request");
    }
}

#[tokio::test]
async fn targets_scopes_and_audiences_outside_the_policy_are_refused() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let user = user_tokens(&app).await;
        let subject = user.access_token.as_str();
        for (fields, error) in [
            (vec![("resource", SHIPPING)], "invalid_target"),
            (
                vec![("audience", "https://billing.example.com")],
                "invalid_target",
            ),
            (vec![("audience", "stock")], "invalid_target"),
            (
                vec![("resource", STOCK), ("audience", ORDERS)],
                "invalid_target",
            ),
            (vec![], "invalid_target"),
            (
                vec![("resource", STOCK), ("scope", "stock:read")],
                "invalid_scope",
            ),
            (
                vec![("resource", ORDERS), ("scope", "orders:write")],
                "invalid_scope",
            ),
        ] {
            exchange_as(&app, "orders-backend", subject, &fields)
                .await
                .assert_refused(error);
        }
        // A user token meant for the Orders API is not the Stock backend's to exchange.
        exchange_as(&app, "stock-backend", subject, &[("resource", SHIPPING)])
            .await
            .assert_refused("invalid_request");
        // A client's own token speaks for no user.
        let own = service_token(&app, "orders-backend", ORDERS).await;
        exchange_as(&app, "orders-backend", &own, &[("resource", STOCK)])
            .await
            .assert_refused("invalid_request");

        let events = exchange_events(&app).await;
        assert_eq!(events.len(), 9);
        assert!(events.iter().all(|(outcome, ..)| outcome == "failure"));
        assert_eq!(events[0].3["error"], "invalid_target");
        assert_eq!(events[7].3["error"], "invalid_request");
        assert_eq!(
            events[7].1.as_deref(),
            claims(subject)["sub"].as_str(),
            "the user is named"
        );
    }
}

#[tokio::test]
async fn expired_revoked_and_disabled_subjects_are_refused() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let stock = [("resource", STOCK)];

        // Expired: the Orders API's tokens live 600 s.
        let user = user_tokens(&app).await;
        app.clock.advance(600);
        exchange_as(&app, "orders-backend", &user.access_token, &stock)
            .await
            .assert_refused("invalid_request");

        // Revoked by the app that holds it.
        let user = user_tokens(&app).await;
        let revoked = client_post(
            &app,
            "/revoke",
            ("shop", SHOP_SECRET),
            &[("token", &user.access_token)],
        )
        .await;
        assert_eq!(revoked.status(), 200);
        exchange_as(&app, "orders-backend", &user.access_token, &stock)
            .await
            .assert_refused("invalid_request");

        // A disabled user's tokens, ID token included, speak for nobody.
        let user = user_tokens(&app).await;
        assert_eq!(
            exchange_as(&app, "orders-backend", &user.access_token, &stock)
                .await
                .status,
            200
        );
        let key = tessera::service::admin::UserKey::Email(USER_EMAIL);
        tessera::service::admin::access::set_disabled(&app.state, key, true, START + 700)
            .await
            .unwrap();
        exchange_as(&app, "orders-backend", &user.access_token, &stock)
            .await
            .assert_refused("invalid_request");
        let by_id_token = post_token(
            &app,
            ("shop", SHOP_SECRET),
            &[
                ("grant_type", GRANT),
                ("subject_token", &user.id_token),
                ("subject_token_type", ID),
                ("resource", STOCK),
            ],
        )
        .await;
        by_id_token.assert_refused("invalid_request");
    }
}

#[tokio::test]
async fn an_id_token_is_exchanged_only_by_the_client_it_was_issued_to() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let user = user_tokens(&app).await;
        let with_id_token = |client: &'static str| {
            let id_token = user.id_token.clone();
            let app = &app;
            async move {
                let secret = if client == "shop" {
                    SHOP_SECRET
                } else {
                    BACKEND_SECRET
                };
                post_token(
                    app,
                    (client, secret),
                    &[
                        ("grant_type", GRANT),
                        ("subject_token", &id_token),
                        ("subject_token_type", ID),
                        ("resource", STOCK),
                        ("scope", "stock:read"),
                    ],
                )
                .await
            }
        };
        let own = with_id_token("shop").await;
        assert_eq!(own.status, 200, "{}", own.body);
        let exchanged = claims(own.access_token());
        assert_eq!(exchanged["sub"], claims(&user.access_token)["sub"]);
        assert_eq!(exchanged["scope"], "stock:read");
        assert_eq!(exchanged["act"]["sub"], "shop");
        with_id_token("orders-backend")
            .await
            .assert_refused("invalid_request");

        // An ID token is not an access token, nor the other way round.
        let swapped = exchange_as(&app, "shop", &user.id_token, &[("resource", STOCK)]).await;
        swapped.assert_refused("invalid_request");
    }
}

#[tokio::test]
async fn only_confidential_clients_registered_for_the_grant_may_exchange_and_attempts_are_recorded()
{
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let user = user_tokens(&app).await;
        let fields = [
            ("grant_type", GRANT),
            ("subject_token", user.access_token.as_str()),
            ("subject_token_type", ACCESS),
            ("resource", STOCK),
        ];
        let mut public = fields.to_vec();
        public.push(("client_id", "public"));
        let answer = token_request(&app, None, &public).await;
        assert_eq!(answer.status(), 400);
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["error"], "unauthorized_client", "{body}");
        post_token(&app, ("no-exchange", BACKEND_SECRET), &fields)
            .await
            .assert_refused("unauthorized_client");
        let wrong = post_token(&app, ("orders-backend", "wrong"), &fields).await;
        assert_eq!((wrong.status, wrong.error()), (401, "invalid_client"));
        // Each attempt of an authenticated client is on record; the wrong secret is
        // client_authentication_failed's business.
        let events = exchange_events(&app).await;
        let seen: Vec<_> = events
            .iter()
            .map(|(outcome, user, client, detail)| {
                (
                    outcome.as_str(),
                    user.is_none(),
                    client.as_deref(),
                    detail["error"].clone(),
                )
            })
            .collect();
        let refused = json!("unauthorized_client");
        assert_eq!(
            seen,
            [
                ("failure", true, Some("public"), refused.clone()),
                ("failure", true, Some("no-exchange"), refused)
            ]
        );
    }
}

#[tokio::test]
async fn malformed_requests_and_forged_tokens_are_refused() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let user = user_tokens(&app).await;
        let client = ("orders-backend", BACKEND_SECRET);
        let subject = user.access_token.as_str();
        for fields in [
            vec![("subject_token_type", ACCESS)],
            vec![("subject_token", subject)],
            vec![
                ("subject_token", subject),
                (
                    "subject_token_type",
                    "urn:ietf:params:oauth:token-type:saml2",
                ),
            ],
            vec![
                ("subject_token", subject),
                ("subject_token_type", ACCESS),
                ("actor_token", subject),
            ],
            vec![
                ("subject_token", subject),
                ("subject_token_type", ACCESS),
                (
                    "requested_token_type",
                    "urn:ietf:params:oauth:token-type:refresh_token",
                ),
            ],
            vec![
                ("subject_token", subject),
                ("subject_token_type", ACCESS),
                ("subject_token", subject),
            ],
            vec![
                ("subject_token", "not-a-jwt"),
                ("subject_token_type", ACCESS),
            ],
        ] {
            let mut all = vec![("grant_type", GRANT), ("resource", STOCK)];
            all.extend(fields);
            post_token(&app, client, &all)
                .await
                .assert_refused("invalid_request");
        }

        // The user's token with a wider scope written in: its signature no longer holds.
        let mut parts: Vec<String> = subject.split('.').map(str::to_string).collect();
        let mut forged_claims = claims(subject);
        forged_claims["scope"] = json!("orders:read orders:write stock:read");
        parts[1] = URL_SAFE_NO_PAD.encode(forged_claims.to_string());
        let forged = parts.join(".");
        let answer = exchange_as(&app, "orders-backend", &forged, &[("resource", STOCK)]).await;
        answer.assert_refused("invalid_request");
        assert!(
            answer.body["error_description"]
                .as_str()
                .unwrap()
                .contains("signature")
        );
        // Nothing was changed: the real token still exchanges.
        let real = exchange_as(&app, "orders-backend", subject, &[("resource", STOCK)]).await;
        assert_eq!(real.status, 200, "{}", real.body);
        // Malformed or not, every attempt is on record (but the repeated parameter, refused
        // before the client is known), and never with a token in it.
        let events = exchange_events(&app).await;
        assert_eq!(events.len(), 8, "{events:#?}");
        assert!(events[..7].iter().all(|(outcome, _, client, detail)| {
            outcome == "failure"
                && client.as_deref() == Some("orders-backend")
                && detail["error"] == "invalid_request"
        }));
        assert_eq!(events[7].0, "success");
        let all = format!("{events:?}");
        assert!(!all.contains(subject) && !all.contains(&forged));
    }
}

#[tokio::test]
async fn impersonation_leaves_out_act_only_for_a_client_allowed_to() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let user = user_tokens(&app).await;
        let impersonated = exchange_as(
            &app,
            "impersonator",
            &user.access_token,
            &[("resource", STOCK)],
        )
        .await;
        assert_eq!(impersonated.status, 200, "{}", impersonated.body);
        let token = claims(impersonated.access_token());
        assert!(token.get("act").is_none(), "{token}");
        assert_eq!(token["client_id"], "impersonator");
        let seen = api_introspects(&app, STOCK, impersonated.access_token()).await;
        assert_eq!(seen["active"], true);
        assert!(seen.get("act").is_none());

        let delegated = exchange_as(
            &app,
            "orders-backend",
            &user.access_token,
            &[("resource", STOCK)],
        )
        .await;
        assert_eq!(
            claims(delegated.access_token())["act"]["sub"],
            "orders-backend"
        );
        let events = exchange_events(&app).await;
        assert!(events[0].3.get("actor").is_none(), "{:?}", events[0]);
        assert_eq!(events[1].3["actor"], "orders-backend");
    }
}

#[tokio::test]
async fn a_dpop_bound_subject_token_is_exchanged_only_with_a_proof_of_its_key() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let key = DpopKey::es256();
        let user = user_tokens_bound_to(&app, Some(&key)).await;
        assert_eq!(claims(&user.access_token)["cnf"]["jkt"], key.jkt());
        let fields = [
            ("grant_type", GRANT),
            ("subject_token", user.access_token.as_str()),
            ("subject_token_type", ACCESS),
            ("resource", STOCK),
        ];
        let backend_client = ("orders-backend", BACKEND_SECRET);
        let bearer = post_token_with_proof(&app, backend_client, &fields, None).await;
        bearer.assert_refused("invalid_request");
        assert!(
            bearer.body["error_description"]
                .as_str()
                .unwrap()
                .contains("DPoP")
        );
        let thief = DpopKey::es256();
        post_token_with_proof(&app, backend_client, &fields, Some(&thief))
            .await
            .assert_refused("invalid_request");

        let proven = post_token_with_proof(&app, backend_client, &fields, Some(&key)).await;
        assert_eq!(proven.status, 200, "{}", proven.body);
        assert_eq!(proven.body["token_type"], "DPoP");
        assert_eq!(
            claims(proven.access_token())["cnf"]["jkt"],
            key.jkt(),
            "bound as the subject was"
        );
    }
}

#[tokio::test]
async fn discovery_lists_the_grant() {
    let app = TestApp::spawn_with_toml(Backend::Sqlite, &extra_config()).await;
    let metadata = discovery_json(&app).await;
    let grants = metadata["grant_types_supported"].as_array().unwrap();
    assert!(grants.contains(&Value::from(GRANT)));
}
