//! Issue 22, the protocol and key findings, each test named after the attack it stops and run
//! on every backend: array audiences in client assertions (3), a weak signing key that froze
//! every instance's key set (4), consent matched by scope name across APIs (6), forged
//! assertions locking out a private_key_jwt client (8), and a busy client's first burst after a
//! restart shed by the argon2 queue (16).
mod common;

use std::path::Path;

use common::process::{cli, config_text, database_url, free_port};
use common::*;
use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
use josekit::jwk::alg::ed::{EdCurve, EdKeyPair};
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jws::{ES256, JwsHeader};
use josekit::jwt::{self, JwtPayload};
use serde_json::{Value, json};
use tessera::auth::master_key::Purpose;
use tessera::clock::Clock;
use tessera::config::{ClientConfig, Config};
use tessera::keys::{SigningAlg, material};
use tessera::store::signing_keys::SigningKeyRow;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const KEY_CLIENT: &str = "keys";

/// A private_key_jwt client's ES256 key pair.
struct AssertionKey {
    private: josekit::jwk::Jwk,
    public: Value,
}

impl AssertionKey {
    fn new() -> Self {
        let pair = ES256.generate_key_pair().unwrap();
        let mut public = pair.to_jwk_public_key();
        public.set_key_id("k1");
        Self {
            private: pair.to_jwk_key_pair(),
            public: Value::Object(public.as_ref().clone()),
        }
    }

    fn sign(&self, claims: &Value) -> String {
        let mut header = JwsHeader::new();
        header.set_key_id("k1");
        let payload = JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap();
        let signer = ES256.signer_from_jwk(&self.private).unwrap();
        jwt::encode_with_signer(&payload, &header, &signer).unwrap()
    }
}

fn key_client(key: &AssertionKey) -> ClientConfig {
    let mut client: ClientConfig = toml::from_str(&format!(
        "client_id = \"{KEY_CLIENT}\"\ntoken_endpoint_auth_method = \"private_key_jwt\"\nredirect_uris = [\"https://keys.example.com/cb\"]"
    ))
    .unwrap();
    client.jwks = Some(json!({ "keys": [key.public] }));
    client
}

/// Assertion claims for `KEY_CLIENT`, now, with a fresh `jti` and audience `aud`.
fn assertion_claims(app: &TestApp, aud: Value) -> Value {
    let now = app.clock.now();
    json!({
        "iss": KEY_CLIENT, "sub": KEY_CLIENT, "aud": aud,
        "iat": now, "exp": now + 60, "jti": uuid::Uuid::new_v4().to_string(),
    })
}

/// A revocation of a token nobody has, authenticated with `assertion`, from `address` (the
/// listener trusts loopback as a proxy): 200 exactly when the client authenticated.
async fn revoke_with(app: &TestApp, assertion: &str, address: &str) -> u16 {
    reqwest::Client::new()
        .post(app.url("/revoke"))
        .header("x-forwarded-for", address)
        .form(&[
            ("token", "no-such-token"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", assertion),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn spawn_key_client(backend: Backend, key: &AssertionKey) -> TestApp {
    let client = key_client(key);
    TestApp::spawn_with(backend, |config| {
        config.clients.push(client);
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await
}

// 3. An array `aud` naming the issuer among others.

#[tokio::test]
async fn an_assertion_with_an_array_audience_naming_us_is_refused() {
    for backend in Backend::all() {
        let key = AssertionKey::new();
        let app = spawn_key_client(backend, &key).await;
        let token_endpoint = format!("{}/token", app.issuer);
        let attacks = [
            json!([
                "https://attacker.example",
                "https://attacker.example/token",
                app.issuer
            ]),
            json!([app.issuer]),
            json!([app.issuer, token_endpoint]),
        ];
        for aud in attacks {
            let assertion = key.sign(&assertion_claims(&app, aud.clone()));
            assert_eq!(
                revoke_with(&app, &assertion, "198.51.100.1").await,
                401,
                "{aud}"
            );
        }
        // The issuer as the single string still authenticates.
        let assertion = key.sign(&assertion_claims(&app, json!(app.issuer)));
        assert_eq!(revoke_with(&app, &assertion, "198.51.100.1").await, 200);
    }
}

// 8. Forged assertions from a few addresses lock the client out.

#[tokio::test]
async fn fifty_forged_assertions_from_five_addresses_do_not_lock_out_the_genuine_client() {
    for backend in Backend::all() {
        let key = AssertionKey::new();
        let forger = AssertionKey::new();
        let app = spawn_key_client(backend, &key).await;
        // client_max_auth_failures is 50: ten per address, five addresses.
        for n in 0..5 {
            let address = format!("203.0.113.{n}");
            for _ in 0..10 {
                let forged = forger.sign(&assertion_claims(&app, json!(app.issuer)));
                assert_eq!(revoke_with(&app, &forged, &address).await, 401);
            }
            // That address has spent its share: it is held back.
            let forged = forger.sign(&assertion_claims(&app, json!(app.issuer)));
            assert_eq!(revoke_with(&app, &forged, &address).await, 429);
        }
        // The genuine client, from its own address, is not.
        let genuine = key.sign(&assertion_claims(&app, json!(app.issuer)));
        assert_eq!(revoke_with(&app, &genuine, "192.0.2.10").await, 200);
    }
}

// 16. A restarted instance sheds a busy confidential client's first burst.

const ORDERS: &str = "https://orders.example.com";
const SERVICE_SECRET: &str = "service-secret";

#[tokio::test]
async fn a_burst_of_one_clients_token_requests_after_a_restart_shares_one_secret_check() {
    for backend in Backend::all() {
        let extra = format!(
            r#"
password_hash_concurrency = 1
password_hash_queue = 1

[[resources]]
identifier = "{ORDERS}"
name = "Orders API"
scopes = ["orders:read"]

[[clients]]
client_id = "service"
client_secret_hash = "{service}"
grant_types = ["client_credentials"]
scopes = ["orders:read"]
resources = ["{ORDERS}"]
"#,
            service = hashed(SERVICE_SECRET),
        );
        let app = TestApp::spawn_with_toml(backend, &extra).await;
        let burst = |secret: &'static str, n: usize| {
            let url = app.url("/token");
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..n {
                let request = reqwest::Client::new()
                    .post(&url)
                    .basic_auth("service", Some(secret))
                    .form(&[("grant_type", "client_credentials")]);
                set.spawn(async move { request.send().await.unwrap().status().as_u16() });
            }
            set.join_all()
        };
        // The cache is empty (a fresh instance); two hashes fit the queue, twelve requests come.
        let before = app.state.passwords().verifications();
        let statuses = burst(SERVICE_SECRET, 12).await;
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        assert_eq!(
            app.state.passwords().verifications() - before,
            1,
            "one argon2 verification for the burst"
        );
        // A wrong secret shares nothing: each one pays argon2 and counts as a failure.
        let before = app.state.passwords().verifications();
        let statuses = burst("wrong secret", 3).await;
        assert_eq!(statuses, vec![401, 401, 401]);
        assert_eq!(app.state.passwords().verifications() - before, 3);
    }
}

// 6. Consent matched by scope name across APIs.

const API_A: &str = "https://a.example.com";
const API_B: &str = "https://b.example.com";
const TWO_APIS_REDIRECT: &str = "http://127.0.0.1:9912/cb";

/// Where `/authorize` for `scope` on `resource` leads a signed-in browser: the consent page
/// (`None`) or straight back to the app with a code (`Some(location)`).
async fn authorize_for(browser: &mut Browser, scope: &str, resource: &str) -> Result<Page, String> {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("client_id", "two-apis")
        .append_pair("redirect_uri", TWO_APIS_REDIRECT)
        .append_pair("response_type", "code")
        .append_pair("scope", scope)
        .append_pair("resource", resource)
        .append_pair("state", "st")
        .append_pair("code_challenge", CHALLENGE)
        .append_pair("code_challenge_method", "S256");
    let start = browser.get(&format!("/authorize?{}", query.finish())).await;
    browser.follow(start).await
}

#[tokio::test]
async fn approving_read_on_one_api_does_not_approve_read_on_another() {
    for backend in Backend::all() {
        let extra = format!(
            r#"
[[resources]]
identifier = "{API_A}"
name = "API A"
scopes = ["read"]

[[resources]]
identifier = "{API_B}"
name = "API B"
scopes = ["read", "write"]

[[clients]]
client_id = "two-apis"
client_secret_hash = "{secret}"
redirect_uris = ["{TWO_APIS_REDIRECT}"]
scopes = ["openid", "read", "write"]
resources = ["{API_A}", "{API_B}"]
"#,
            secret = hashed(CONFIDENTIAL_SECRET),
        );
        let app = TestApp::spawn_with_toml(backend, &extra).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        // `read` on A, approved after signing in.
        let login = authorize_for(&mut browser, "openid read", API_A)
            .await
            .expect("the sign-in page");
        let consent = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .expect("the consent page");
        browser.allow(&consent).await;
        // `write` on B, approved.
        let consent = authorize_for(&mut browser, "openid write", API_B)
            .await
            .expect("consent for a new API");
        browser.allow(&consent).await;
        // Both remembered as approved: straight back with a code.
        for (scope, api) in [("openid read", API_A), ("openid write", API_B)] {
            let back = authorize_for(&mut browser, scope, api).await;
            assert!(back.is_err(), "{scope} on {api} was approved");
        }
        // `read` on B was never approved: the user is asked.
        let page = authorize_for(&mut browser, "openid read", API_B)
            .await
            .expect("the consent page, not a code");
        assert!(page.body.contains("API B"), "{}", page.body);
        let code = browser.allow(&page).await;
        assert!(!code.is_empty());
        let back = authorize_for(&mut browser, "openid read", API_B).await;
        assert!(back.is_err(), "approved now");
    }
}

// 4. A weak signing key, once stored, froze every instance's key set.

/// A 1024-bit RSA key as an earlier `keys import` stored it: sealed, its JWK as josekit writes.
fn weak_key_row(
    sealer: &tessera::auth::sealing::SealingKey,
    generation: i64,
    now: i64,
) -> SigningKeyRow {
    let pair = RsaKeyPair::generate(1024).unwrap();
    let kid = format!("weak-{}", uuid::Uuid::new_v4().simple());
    let public = pair.to_jwk_public_key();
    let jwk = json!({
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
        "n": public.parameter("n").unwrap(), "e": public.parameter("e").unwrap(),
    });
    SigningKeyRow {
        sealed_private_key: sealer.seal(&pair.to_pem_private_key(), &kid).unwrap(),
        public_jwk: jwk.to_string(),
        kid,
        generation,
        alg: "RS256".into(),
        created_at: now,
        publish_at: now,
        sign_at: now,
        retire_at: None,
        retired_at: None,
    }
}

async fn jwks_kids(app: &TestApp) -> Vec<String> {
    let jwks: Value = reqwest::get(app.url("/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_weak_key_stored_by_an_earlier_import_does_not_freeze_rotation_or_retirement() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let state = app.state.current();
        let sealer = state.signing_key_sealer().unwrap().clone();
        let now = app.clock.now();
        let before = jwks_kids(&app).await;
        // Stored as `keys import --now` stored it before the fix.
        let weak = weak_key_row(&sealer, 1000, now);
        assert!(app.store.insert_signing_key(&weak, None).await.unwrap());
        tessera::service::keys::refresh(&state)
            .await
            .expect("the key set loads without the weak key");
        let unusable: Vec<String> = state
            .current()
            .keys()
            .unusable_live()
            .map(|k| k.kid.clone())
            .collect();
        assert_eq!(unusable, vec![weak.kid.clone()]);
        assert_eq!(
            jwks_kids(&app).await,
            before,
            "the good keys are still served"
        );

        // The emergency rotation takes effect.
        let fresh = material::generate(SigningAlg::Rs256).unwrap();
        let config = state.config().clone();
        let kid = tessera::service::keys::prepare(
            &app.store,
            app.state.audit(),
            &sealer,
            &config,
            fresh,
            now,
            now,
        )
        .await
        .unwrap()
        .unwrap();
        tessera::service::keys::refresh(&state).await.unwrap();
        assert!(
            jwks_kids(&app).await.contains(&kid),
            "the new key is published"
        );
        let signing: Vec<String> = state
            .current()
            .keys()
            .signing(now)
            .map(|k| k.kid.clone())
            .collect();
        assert_eq!(signing, vec![kid.clone()]);

        // And the weak key retires, after which nothing is left to warn about.
        let retired = tessera::service::keys::retire(
            &app.store,
            app.state.audit(),
            &config.signing_algs,
            &weak.kid,
            now,
        )
        .await
        .unwrap();
        assert_ne!(retired, tessera::service::keys::Retire::UnknownKey);
        tessera::service::keys::refresh(&state).await.unwrap();
        assert_eq!(state.current().keys().unusable_live().count(), 0);
    }
}

/// A configuration on a fresh database for the CLI; no server runs.
async fn cli_set_up(backend: Backend) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(backend, dir.path()).await;
    let config = dir.path().join("config.toml");
    std::fs::write(&config, config_text(free_port(), &url, dir.path(), "")).unwrap();
    (dir, config)
}

fn keys(dir: &Path, config: &Path, args: &[&str]) -> (bool, String, String) {
    let args: Vec<&str> = ["keys"].iter().chain(args).copied().collect();
    cli(dir, config, &args, None)
}

fn pem_file(dir: &Path, name: &str, pem: Vec<u8>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn importing_a_1024_bit_rsa_key_or_a_foreign_curve_is_refused_and_stores_nothing() {
    for backend in Backend::all() {
        let (dir, config) = cli_set_up(backend).await;
        let (dir, config) = (dir.path(), config.as_path());
        let (ok, listed, err) = keys(dir, config, &["list"]);
        assert!(ok, "{err}");
        let refusals = [
            (
                RsaKeyPair::generate(1024).unwrap().to_pem_private_key(),
                "1024 bits",
            ),
            (
                EcKeyPair::generate(EcCurve::P384)
                    .unwrap()
                    .to_pem_private_key(),
                "P-384",
            ),
            (
                EdKeyPair::generate(EdCurve::Ed448)
                    .unwrap()
                    .to_pem_private_key(),
                "Ed448",
            ),
        ];
        for (pem, why) in refusals {
            let file = pem_file(dir, "refused.pem", pem);
            let (ok, _, err) = keys(dir, config, &["import", &file, "--now"]);
            assert!(!ok && err.contains(why), "{why}: {err}");
            let (_, now_listed, _) = keys(dir, config, &["list"]);
            assert_eq!(now_listed, listed, "nothing was stored");
        }
        // A 2048-bit key imports, and the CLI has no unusable key to warn about.
        let good = pem_file(
            dir,
            "good.pem",
            RsaKeyPair::generate(2048).unwrap().to_pem_private_key(),
        );
        let (ok, out, err) = keys(dir, config, &["import", &good]);
        assert!(ok && out.contains("is published now"), "{out}{err}");
        assert!(!err.contains("cannot be loaded"), "{err}");
    }
}

#[tokio::test]
async fn the_cli_names_a_key_servers_leave_out_instead_of_promising_it_takes_effect() {
    for backend in Backend::all() {
        let (dir, config_path) = cli_set_up(backend).await;
        let (dir, config_path) = (dir.path(), config_path.as_path());
        let (ok, _, err) = keys(dir, config_path, &["list"]);
        assert!(ok, "{err}");
        // A weak row stored as the old `keys import` did, with the same master key.
        let config = Config::load(config_path, std::env::vars()).unwrap();
        let (config, store, _) = tessera::startup::open_with_master_key(config)
            .await
            .unwrap();
        let sealer = config
            .master_key
            .as_ref()
            .unwrap()
            .derive(Purpose::SigningKeys);
        let now = tessera::clock::SystemClock.now();
        let weak = weak_key_row(&sealer, 1000, now);
        assert!(store.insert_signing_key(&weak, None).await.unwrap());
        store.close().await;

        // Rotation works regardless, and the CLI says which key servers leave out.
        let (ok, out, err) = keys(dir, config_path, &["rotate", "--now"]);
        assert!(ok, "{out}{err}");
        assert!(
            err.contains(&format!("key {} (RS256) cannot be loaded", weak.kid))
                && err.contains("tessera_signing_keys_unusable"),
            "{err}"
        );
        let (ok, out, _) = keys(dir, config_path, &["list"]);
        assert!(ok);
        assert!(
            out.contains(&format!("{}\tRS256\tunusable", weak.kid)),
            "{out}"
        );
        // Retired, it is no longer warned about.
        let (ok, out, err) = keys(dir, config_path, &["retire", &weak.kid]);
        assert!(ok, "{out}{err}");
        assert!(!err.contains("cannot be loaded"), "{err}");
    }
}
