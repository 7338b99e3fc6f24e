//! private_key_jwt client authentication (RFC 7523, OIDC Core §9) against a real listener:
//! a real OIDC library exchanging a code with an assertion, every accepted algorithm, revoke
//! and introspect, a client whose keys are served at a jwks_uri, and every refusal, each
//! `invalid_client` (or `invalid_request` for two methods at once) that changes nothing.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use josekit::jwk::Jwk;
use josekit::jwk::alg::ed::EdCurve;
use josekit::jws::{ES256, EdDSA, HS256, JwsHeader, PS256, RS256};
use josekit::jwt::{self, JwtPayload};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreTokenResponse,
};
use openidconnect::{
    AuthType, AuthorizationCode, ClientId, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};
use serde_json::{Value, json};
use tessera::clock::Clock;
use tessera::config::{ClientConfig, Config};
use tessera::oauth::client_assertion::AssertionAlg;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const KEY_CLIENT: &str = "keys";
const KEY_REDIRECT: &str = "https://keys.example.com/cb";

/// A client's key pair: the private half signs in the test, the public half is registered.
struct ClientKey {
    alg: &'static str,
    kid: String,
    private: Jwk,
    public: Value,
}

impl ClientKey {
    fn new(alg: &'static str, kid: &str, private: Jwk, mut public: Jwk) -> Self {
        public.set_key_id(kid);
        Self {
            alg,
            kid: kid.to_string(),
            private,
            public: Value::Object(public.as_ref().clone()),
        }
    }

    fn es256(kid: &str) -> Self {
        let pair = ES256.generate_key_pair().unwrap();
        Self::new(
            "ES256",
            kid,
            pair.to_jwk_key_pair(),
            pair.to_jwk_public_key(),
        )
    }

    /// An RSA key not tied to one algorithm (josekit marks its keys `alg: RS256`).
    fn rsa(alg: &'static str, kid: &str) -> Self {
        let pair = RS256.generate_key_pair(2048).unwrap();
        let any_alg = |jwk: Jwk| {
            let mut map = jwk.as_ref().clone();
            map.remove("alg");
            Jwk::from_map(map).unwrap()
        };
        Self::new(
            alg,
            kid,
            any_alg(pair.to_jwk_key_pair()),
            any_alg(pair.to_jwk_public_key()),
        )
    }

    fn ed25519(kid: &str) -> Self {
        let pair = EdDSA.generate_key_pair(EdCurve::Ed25519).unwrap();
        Self::new(
            "EdDSA",
            kid,
            pair.to_jwk_key_pair(),
            pair.to_jwk_public_key(),
        )
    }

    /// The same key used with another algorithm (an RSA key signs RS256 and PS256).
    fn as_alg(&self, alg: &'static str) -> Self {
        Self {
            alg,
            kid: self.kid.clone(),
            private: self.private.clone(),
            public: self.public.clone(),
        }
    }

    fn sign(&self, claims: &Value) -> String {
        self.sign_with_kid(claims, Some(&self.kid))
    }

    fn sign_with_kid(&self, claims: &Value, kid: Option<&str>) -> String {
        let mut header = JwsHeader::new();
        if let Some(kid) = kid {
            header.set_key_id(kid);
        }
        let payload = JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap();
        let key = &self.private;
        match self.alg {
            "ES256" => {
                jwt::encode_with_signer(&payload, &header, &ES256.signer_from_jwk(key).unwrap())
            }
            "RS256" => {
                jwt::encode_with_signer(&payload, &header, &RS256.signer_from_jwk(key).unwrap())
            }
            "PS256" => {
                jwt::encode_with_signer(&payload, &header, &PS256.signer_from_jwk(key).unwrap())
            }
            "EdDSA" => {
                jwt::encode_with_signer(&payload, &header, &EdDSA.signer_from_jwk(key).unwrap())
            }
            other => panic!("no signer for {other}"),
        }
        .unwrap()
    }
}

/// A private_key_jwt client registered with `keys` inline.
fn key_client(client_id: &str, keys: &[&ClientKey]) -> ClientConfig {
    let mut client: ClientConfig = toml::from_str(&format!(
        "client_id = \"{client_id}\"\ntoken_endpoint_auth_method = \"private_key_jwt\"\nredirect_uris = [\"{KEY_REDIRECT}\"]"
    ))
    .unwrap();
    let keys: Vec<Value> = keys.iter().map(|k| k.public.clone()).collect();
    client.jwks = Some(json!({ "keys": keys }));
    client
}

/// A private_key_jwt client whose keys are at `jwks_uri`.
fn uri_client(client_id: &str, jwks_uri: &str) -> ClientConfig {
    toml::from_str(&format!(
        "client_id = \"{client_id}\"\ntoken_endpoint_auth_method = \"private_key_jwt\"\nredirect_uris = [\"{KEY_REDIRECT}\"]\njwks_uri = \"{jwks_uri}\""
    ))
    .unwrap()
}

async fn spawn(
    backend: Backend,
    clients: Vec<ClientConfig>,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let app = TestApp::spawn_with(backend, |config| {
        config.clients.extend(clients);
        adjust(config);
    })
    .await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    app
}

/// Claims a client would put in an assertion now, with a fresh `jti`.
fn claims(app: &TestApp, client_id: &str) -> Value {
    let now = app.clock.now();
    json!({
        "iss": client_id, "sub": client_id, "aud": app.issuer,
        "iat": now, "exp": now + 60, "jti": uuid::Uuid::new_v4().to_string(),
    })
}

fn edited(mut claims: Value, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    edit(claims.as_object_mut().unwrap());
    claims
}

/// A form POST to `path` authenticated with `assertion` (and whatever else `fields` holds).
async fn post_with(
    app: &TestApp,
    path: &str,
    assertion: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = fields.to_vec();
    form.extend([
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    ]);
    reqwest::Client::new()
        .post(app.url(path))
        .form(&form)
        .send()
        .await
        .unwrap()
}

fn exchange_fields(code: &str) -> [(&str, &str); 4] {
    [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", KEY_REDIRECT),
        ("code_verifier", VERIFIER),
    ]
}

async fn error_of(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap_or_default().to_string(),
    )
}

/// A revocation of a token nobody has: 200 exactly when the client authenticated (RFC 7009 §2.2).
async fn authenticates(app: &TestApp, assertion: &str) -> (u16, String) {
    let response = post_with(app, "/revoke", assertion, &[("token", "no-such-token")]).await;
    if response.status() == 200 {
        return (200, String::new());
    }
    error_of(response).await
}

fn refused() -> (u16, String) {
    (401, "invalid_client".to_string())
}

#[tokio::test]
async fn openidconnect_client_exchanges_a_code_with_an_es256_assertion() {
    for backend in Backend::all() {
        let key = ClientKey::es256("k1");
        let mut client = key_client(KEY_CLIENT, &[&key]);
        client.token_endpoint_auth_signing_alg = Some(AssertionAlg::Es256);
        let app = spawn(backend, vec![client], |_| {}).await;
        let http = http_client();
        let metadata = CoreProviderMetadata::discover_async(
            IssuerUrl::new(app.issuer.clone()).unwrap(),
            &http,
        )
        .await
        .expect("discovery");
        let methods = metadata
            .token_endpoint_auth_methods_supported()
            .unwrap()
            .iter()
            .map(|m| m.as_ref().to_string())
            .collect::<Vec<_>>();
        assert!(
            methods.contains(&"private_key_jwt".to_string()),
            "{methods:?}"
        );
        let raw = discovery_json(&app).await;
        assert_eq!(
            raw["token_endpoint_auth_signing_alg_values_supported"],
            json!(["RS256", "PS256", "ES256", "EdDSA"])
        );

        // No secret: the library sends client_id in the body, the assertion rides along.
        let oidc =
            CoreClient::from_provider_metadata(metadata, ClientId::new(KEY_CLIENT.into()), None)
                .set_redirect_uri(RedirectUrl::new(KEY_REDIRECT.into()).unwrap())
                .set_auth_type(AuthType::RequestBody);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _state, nonce) = oidc
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge)
            .url();
        let mut browser = app.browser();
        let consent = browser.sign_in_at(auth_url.as_str()).await;
        let code = browser.allow(&consent).await;

        let assertion = key.sign(&claims(&app, KEY_CLIENT));
        let tokens: CoreTokenResponse = oidc
            .exchange_code(AuthorizationCode::new(code))
            .unwrap()
            .set_pkce_verifier(verifier)
            .add_extra_param("client_assertion_type", JWT_BEARER)
            .add_extra_param("client_assertion", assertion)
            .request_async(&http)
            .await
            .expect("token exchange with a client assertion");
        let id_verifier = oidc
            .id_token_verifier()
            .set_time_fn(|| chrono::DateTime::from_timestamp(START + 1, 0).unwrap());
        let id_claims = tokens
            .id_token()
            .expect("id_token")
            .claims(&id_verifier, &nonce)
            .expect("valid ID token");
        assert_eq!(id_claims.audiences()[0].as_str(), KEY_CLIENT);
        assert!(!tokens.access_token().secret().is_empty());
    }
}

#[tokio::test]
async fn rs256_ps256_es256_and_eddsa_assertions_are_accepted() {
    for backend in Backend::all() {
        let rsa = ClientKey::rsa("RS256", "r1");
        let ec = ClientKey::es256("e1");
        let ed = ClientKey::ed25519("d1");
        let app = spawn(
            backend,
            vec![key_client(KEY_CLIENT, &[&rsa, &ec, &ed])],
            |_| {},
        )
        .await;
        for key in [&rsa, &rsa.as_alg("PS256"), &ec, &ed] {
            let assertion = key.sign(&claims(&app, KEY_CLIENT));
            assert_eq!(authenticates(&app, &assertion).await.0, 200, "{}", key.alg);
        }
        // Without a kid, the only key that fits the algorithm is used.
        let assertion = ec.sign_with_kid(&claims(&app, KEY_CLIENT), None);
        assert_eq!(authenticates(&app, &assertion).await.0, 200);
    }
}

#[tokio::test]
async fn revoke_and_introspect_accept_an_assertion() {
    for backend in Backend::all() {
        let key = ClientKey::es256("k1");
        let app = spawn(backend, vec![key_client(KEY_CLIENT, &[&key])], |_| {}).await;
        let mut browser = app.browser();
        let code = obtain_code(&app, &mut browser, KEY_CLIENT, KEY_REDIRECT).await;
        let assertion = key.sign(&claims(&app, KEY_CLIENT));
        let response = post_with(&app, "/token", &assertion, &exchange_fields(&code)).await;
        assert_eq!(response.status(), 200);
        let tokens: Value = response.json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap();

        let introspect = |assertion: String| {
            let app = &app;
            async move {
                post_with(app, "/introspect", &assertion, &[("token", access)])
                    .await
                    .json::<Value>()
                    .await
                    .unwrap()
            }
        };
        let answer = introspect(key.sign(&claims(&app, KEY_CLIENT))).await;
        assert_eq!(answer["active"], true, "{answer}");
        assert_eq!(answer["client_id"], KEY_CLIENT);
        let revoked = post_with(
            &app,
            "/revoke",
            &key.sign(&claims(&app, KEY_CLIENT)),
            &[("token", access)],
        )
        .await;
        assert_eq!(revoked.status(), 200);
        let answer = introspect(key.sign(&claims(&app, KEY_CLIENT))).await;
        assert_eq!(answer["active"], false, "{answer}");
    }
}

#[tokio::test]
async fn every_bad_assertion_is_refused_and_the_code_stays_redeemable() {
    for backend in Backend::all() {
        let key = ClientKey::es256("k1");
        let rsa = ClientKey::rsa("RS256", "r1");
        let forger = ClientKey::es256("k1");
        let other = ClientKey::es256("b1");
        let mut client = key_client(KEY_CLIENT, &[&key, &rsa]);
        client.token_endpoint_auth_signing_alg = Some(AssertionAlg::Es256);
        let clients = vec![client, key_client("keys-b", &[&other])];
        // Room for every refusal below: the limit itself has its own test.
        let app = spawn(backend, clients, |config| {
            config.client_max_auth_failures = 1000
        })
        .await;
        let mut browser = app.browser();
        let code = obtain_code(&app, &mut browser, KEY_CLIENT, KEY_REDIRECT).await;
        let good = || claims(&app, KEY_CLIENT);
        let token_endpoint = format!("{}/token", app.issuer);
        let now = app.clock.now();

        let used = key.sign(&good());
        assert_eq!(authenticates(&app, &used).await.0, 200);
        let forged_claims = good();
        let unsigned = {
            let payload = JwtPayload::from_map(good().as_object().unwrap().clone()).unwrap();
            let mut header = JwsHeader::new();
            header.set_key_id("k1");
            jwt::encode_unsecured(&payload, &header).unwrap()
        };
        let hmac = {
            let payload = JwtPayload::from_map(good().as_object().unwrap().clone()).unwrap();
            let mut header = JwsHeader::new();
            header.set_key_id("k1");
            let signer = HS256
                .signer_from_bytes(b"a secret someone might have guessed")
                .unwrap();
            jwt::encode_with_signer(&payload, &header, &signer).unwrap()
        };
        let cases: Vec<(&str, String)> = vec![
            ("forged signature", forger.sign(&forged_claims)),
            ("replayed jti", used.clone()),
            ("alg none", unsigned),
            ("HS256", hmac),
            (
                "an algorithm the client did not register",
                rsa.sign(&good()),
            ),
            (
                "aud = token endpoint without the opt-in",
                key.sign(&edited(good(), |c| {
                    c.insert("aud".into(), json!(token_endpoint));
                })),
            ),
            (
                "aud = another server",
                key.sign(&edited(good(), |c| {
                    c.insert("aud".into(), json!("https://attacker.example"));
                })),
            ),
            (
                "exp missing",
                key.sign(&edited(good(), |c| {
                    c.remove("exp");
                })),
            ),
            (
                "exp too far ahead",
                key.sign(&edited(good(), |c| {
                    c.insert("exp".into(), json!(now + 3600));
                })),
            ),
            (
                "expired",
                key.sign(&edited(good(), |c| {
                    c.insert("exp".into(), json!(now - 120));
                })),
            ),
            (
                "iss differs from sub",
                key.sign(&edited(good(), |c| {
                    c.insert("iss".into(), json!("someone-else"));
                })),
            ),
            (
                "sub another client",
                key.sign(&edited(good(), |c| {
                    c.insert("iss".into(), json!("keys-b"));
                    c.insert("sub".into(), json!("keys-b"));
                })),
            ),
            (
                "jti missing",
                key.sign(&edited(good(), |c| {
                    c.remove("jti");
                })),
            ),
            ("unknown kid", key.sign_with_kid(&good(), Some("k9"))),
        ];
        for (case, assertion) in &cases {
            let response = post_with(&app, "/token", assertion, &exchange_fields(&code)).await;
            assert!(
                response.headers().get("www-authenticate").is_some(),
                "{case}"
            );
            assert_eq!(error_of(response).await, refused(), "{case}");
        }

        // Two methods at once, and a wrong assertion type.
        let fresh = key.sign(&good());
        let mut fields = exchange_fields(&code).to_vec();
        fields.push(("client_secret", "a-secret"));
        let both = post_with(&app, "/token", &fresh, &fields).await;
        assert_eq!(
            error_of(both).await,
            (400, "invalid_request".into()),
            "secret + assertion"
        );
        let basic_too = reqwest::Client::new()
            .post(app.url("/token"))
            .basic_auth(KEY_CLIENT, Some("a-secret"))
            .form(
                &[
                    &exchange_fields(&code)[..],
                    &[
                        ("client_assertion_type", JWT_BEARER),
                        ("client_assertion", &fresh),
                    ],
                ]
                .concat(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_of(basic_too).await,
            (400, "invalid_request".into()),
            "Basic + assertion"
        );
        let mut form = exchange_fields(&code).to_vec();
        form.extend([
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
            ),
            ("client_assertion", fresh.as_str()),
        ]);
        let wrong_type = reqwest::Client::new()
            .post(app.url("/token"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_of(wrong_type).await,
            refused(),
            "wrong client_assertion_type"
        );
        let mut fields = exchange_fields(&code).to_vec();
        fields.push(("client_id", "keys-b"));
        let other_id = post_with(&app, "/token", &fresh, &fields).await;
        assert_eq!(
            error_of(other_id).await,
            refused(),
            "body client_id of another client"
        );

        // Nothing was spent: not the code, and not the jti of the forged assertion, which a
        // genuine one may still use.
        let genuine = key.sign(&forged_claims);
        let response = post_with(&app, "/token", &genuine, &exchange_fields(&code)).await;
        assert_eq!(response.status(), 200);
    }
}

#[tokio::test]
async fn the_token_endpoint_as_audience_needs_the_opt_in() {
    for backend in Backend::all() {
        let key = ClientKey::es256("k1");
        let mut opted_in = key_client(KEY_CLIENT, &[&key]);
        opted_in.client_assertion_accepts_token_endpoint_aud = true;
        let app = spawn(
            backend,
            vec![opted_in, key_client("plain", &[&key])],
            |_| {},
        )
        .await;
        let token_endpoint = format!("{}/token", app.issuer);
        for (client_id, expected) in [(KEY_CLIENT, (200, String::new())), ("plain", refused())] {
            let assertion = key.sign(&edited(claims(&app, client_id), |c| {
                c.insert("aud".into(), json!(token_endpoint));
            }));
            assert_eq!(
                authenticates(&app, &assertion).await,
                expected,
                "{client_id}"
            );
            // The issuer is accepted from both, as the single string (never in an array:
            // rfc7523bis).
            let assertion = key.sign(&claims(&app, client_id));
            assert_eq!(authenticates(&app, &assertion).await.0, 200, "{client_id}");
        }
    }
}

#[tokio::test]
async fn an_assertion_used_on_one_instance_is_refused_on_another() {
    for backend in Backend::all() {
        let key = ClientKey::es256("k1");
        let client = key_client(KEY_CLIENT, &[&key]);
        let a = spawn(backend, vec![client.clone()], |_| {}).await;
        let b = a
            .second_instance(|config| config.clients.push(client))
            .await;
        let assertion = key.sign(&claims(&a, KEY_CLIENT));
        assert_eq!(authenticates(&a, &assertion).await.0, 200);
        assert_eq!(authenticates(&b, &assertion).await, refused());
        assert_eq!(authenticates(&a, &assertion).await, refused());
        let purged = a.store.purge_expired(a.clock.now(), &[]).await.unwrap();
        assert_eq!(
            purged.client_assertions, 0,
            "kept while the assertion is alive"
        );
        let purged = a
            .store
            .purge_expired(a.clock.now() + 3600, &[])
            .await
            .unwrap();
        assert_eq!(purged.client_assertions, 1, "gone once it has expired");
    }
}

#[tokio::test]
async fn failed_assertions_count_on_the_limit_of_the_client_at_that_address() {
    for backend in Backend::all() {
        let key = ClientKey::es256("k1");
        let forger = ClientKey::es256("k1");
        let app = spawn(backend, vec![key_client(KEY_CLIENT, &[&key])], |_| {}).await;
        // Per client and address: a fifth of client_max_auth_failures (50).
        for _ in 0..10 {
            let forged = forger.sign(&claims(&app, KEY_CLIENT));
            assert_eq!(authenticates(&app, &forged).await, refused());
        }
        let forged = forger.sign(&claims(&app, KEY_CLIENT));
        let response = post_with(&app, "/revoke", &forged, &[("token", "x")]).await;
        assert_eq!(response.status(), 429);
    }
}

/// A client's own server publishing its JWK Set, counting the fetches.
struct JwksServer {
    base: String,
    fetches: Arc<AtomicUsize>,
    set: Arc<Mutex<Value>>,
}

impl JwksServer {
    async fn start(keys: &[&ClientKey]) -> Self {
        use axum::http::{StatusCode, header};
        use axum::routing::get;
        let keys: Vec<Value> = keys.iter().map(|k| k.public.clone()).collect();
        let set = Arc::new(Mutex::new(json!({ "keys": keys })));
        let fetches = Arc::new(AtomicUsize::new(0));
        let big = json!({ "keys": keys, "padding": "x".repeat(70 * 1024) }).to_string();
        let (served, counted) = (set.clone(), fetches.clone());
        let router = axum::Router::new()
            .route(
                "/jwks",
                get(move || {
                    counted.fetch_add(1, Ordering::SeqCst);
                    let body = served.lock().unwrap().to_string();
                    async move { ([(header::CONTENT_TYPE, "application/json")], body) }
                }),
            )
            .route(
                "/moved",
                get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/jwks")]) }),
            )
            .route(
                "/big",
                get(move || {
                    let body = big.clone();
                    async move { ([(header::CONTENT_TYPE, "application/json")], body) }
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self { base, fetches, set }
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn jwks_uri_keys_are_cached_and_an_unknown_kid_refetches_at_most_once_a_minute() {
    for backend in Backend::all() {
        let k1 = ClientKey::es256("k1");
        let k2 = ClientKey::es256("k2");
        let server = JwksServer::start(&[&k1]).await;
        let client = uri_client(KEY_CLIENT, &format!("{}/jwks", server.base));
        let app = spawn(backend, vec![client], |_| {}).await;
        let sign =
            |key: &ClientKey, kid: &str| key.sign_with_kid(&claims(&app, KEY_CLIENT), Some(kid));

        assert_eq!(authenticates(&app, &sign(&k1, "k1")).await.0, 200);
        assert_eq!(authenticates(&app, &sign(&k1, "k1")).await.0, 200);
        assert_eq!(server.fetches(), 1, "cached");

        // The client rotates in k2; within the minute after a fetch it is not fetched again.
        let both = json!({ "keys": [k1.public.clone(), k2.public.clone()] });
        *server.set.lock().unwrap() = both;
        assert_eq!(authenticates(&app, &sign(&k2, "k2")).await, refused());
        assert_eq!(server.fetches(), 1, "refetch limited to once a minute");
        app.clock.advance(61);
        assert_eq!(authenticates(&app, &sign(&k2, "k2")).await.0, 200);
        assert_eq!(server.fetches(), 2, "an unknown kid refetched");

        // Unknown kids, however many, cost one fetch a minute.
        for _ in 0..3 {
            assert_eq!(authenticates(&app, &sign(&k2, "k9")).await, refused());
        }
        assert_eq!(server.fetches(), 2);
        app.clock.advance(61);
        assert_eq!(authenticates(&app, &sign(&k2, "k9")).await, refused());
        assert_eq!(authenticates(&app, &sign(&k2, "k9")).await, refused());
        assert_eq!(server.fetches(), 3);

        // After the cache lifetime the set is fetched again anyway.
        app.clock.advance(600);
        assert_eq!(authenticates(&app, &sign(&k1, "k1")).await.0, 200);
        assert_eq!(server.fetches(), 4);
    }
}

#[tokio::test]
async fn a_jwks_uri_that_redirects_or_answers_too_much_is_refused() {
    for backend in Backend::all() {
        let key = ClientKey::es256("k1");
        let server = JwksServer::start(&[&key]).await;
        let endless = endless_server().await;
        let clients = vec![
            uri_client("moved", &format!("{}/moved", server.base)),
            uri_client("big", &format!("{}/big", server.base)),
            uri_client("endless", &format!("{endless}/jwks")),
            uri_client("down", "http://127.0.0.1:1/jwks"),
        ];
        let app = spawn(backend, clients, |_| {}).await;
        for client_id in ["moved", "big", "endless", "down"] {
            let assertion = key.sign(&claims(&app, client_id));
            assert_eq!(
                authenticates(&app, &assertion).await,
                refused(),
                "{client_id}"
            );
        }
        assert_eq!(server.fetches(), 0, "the redirect was not followed");
    }
}

/// A server whose answer has no length and never ends: only reading at most 64 KiB stops it.
async fn endless_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0_u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"keys\": [], \"padding\": \"";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'x'; 8192];
                while socket.write_all(&chunk).await.is_ok() {}
            });
        }
    });
    base
}
