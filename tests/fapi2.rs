//! The FAPI 2.0 Security Profile mode (`profile = "fapi2"`) against a real listener: a client
//! that pushes with a private_key_jwt assertion (josekit) and finishes the flow with the
//! `openidconnect` crate, which verifies its PS256 ID token; and each thing the profile
//! forbids, refused: RS256 (in the registration and in an assertion), no PAR, a client secret,
//! another audience, a response type other than code, no PKCE; a refresh retried with the
//! previous token; the DPoP flag the profile sets (its enforcement is the DPoP branch's).
mod common;
#[path = "dpop/client.rs"]
#[allow(dead_code)]
mod dpop_client;

use std::sync::OnceLock;

use common::par::*;
use common::*;
use dpop_client::{DpopHttp, DpopKey, ath, claims as dpop_claims};
use josekit::jwk::Jwk;
use josekit::jws::{ES256, JwsHeader, PS256, RS256};
use josekit::jwt::{self, JwtPayload};
use openidconnect::core::{
    CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreTokenResponse,
};
use openidconnect::{
    AuthType, AuthorizationCode, ClientId, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, TokenResponse,
};
use serde_json::{Value, json};
use tessera::clock::Clock;
use tessera::config::Config;

const BANK: &str = "bank";
const BANK_REDIRECT: &str = "https://bank.example/cb";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The bank's keys: an EC key, and an RSA key registered without an `alg` (so it could sign
/// RS256 or PS256; the profile takes only the second).
struct BankKeys {
    ec: Jwk,
    ec_public: Value,
    rsa: Jwk,
    rsa_public: Value,
}

fn bank_keys() -> &'static BankKeys {
    static KEYS: OnceLock<BankKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let without_alg = |jwk: Jwk, kid: &str| {
            let mut map = jwk.as_ref().clone();
            map.remove("alg");
            map.insert("kid".into(), kid.into());
            Jwk::from_map(map).unwrap()
        };
        let ec = ES256.generate_key_pair().unwrap();
        let rsa = RS256.generate_key_pair(2048).unwrap();
        let public = |jwk: Jwk| Value::Object(jwk.as_ref().clone());
        BankKeys {
            ec: without_alg(ec.to_jwk_key_pair(), "ec"),
            ec_public: public(without_alg(ec.to_jwk_public_key(), "ec")),
            rsa: without_alg(rsa.to_jwk_key_pair(), "rsa"),
            rsa_public: public(without_alg(rsa.to_jwk_public_key(), "rsa")),
        }
    })
}

/// A JWK (string members only) as a TOML inline table.
fn toml_table(jwk: &Value) -> String {
    let members: Vec<String> = jwk
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    format!("{{ {} }}", members.join(", "))
}

/// PS256, ES256 and RS256 keys, and the bank: a fapi2 client keeping the profile.
fn fapi_config() -> String {
    let keys = bank_keys();
    format!(
        r#"signing_algs = ["RS256", "PS256", "ES256"]

[[clients]]
client_id = "{BANK}"
client_name = "Bank"
profile = "fapi2"
token_endpoint_auth_method = "private_key_jwt"
redirect_uris = ["{BANK_REDIRECT}"]
scopes = ["openid", "email", "offline_access"]
id_token_signed_response_alg = "PS256"
jwks = {{ keys = [ {}, {} ] }}
"#,
        toml_table(&keys.ec_public),
        toml_table(&keys.rsa_public)
    )
}

async fn spawn(backend: Backend) -> TestApp {
    let app = TestApp::spawn_with_toml(backend, &fapi_config()).await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    app
}

/// An assertion for the bank signed with `alg` (ES256 with the EC key; RS256 or PS256 with
/// the RSA key) for `aud`.
fn assertion(app: &TestApp, alg: &str, aud: Value) -> String {
    let now = app.clock.now();
    let claims = json!({
        "iss": BANK, "sub": BANK, "aud": aud,
        "iat": now, "exp": now + 60, "jti": uuid::Uuid::new_v4().to_string(),
    });
    let payload = JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap();
    let keys = bank_keys();
    let mut header = JwsHeader::new();
    match alg {
        "ES256" => {
            header.set_key_id("ec");
            jwt::encode_with_signer(&payload, &header, &ES256.signer_from_jwk(&keys.ec).unwrap())
        }
        "RS256" => {
            header.set_key_id("rsa");
            jwt::encode_with_signer(
                &payload,
                &header,
                &RS256.signer_from_jwk(&keys.rsa).unwrap(),
            )
        }
        "PS256" => {
            header.set_key_id("rsa");
            jwt::encode_with_signer(
                &payload,
                &header,
                &PS256.signer_from_jwk(&keys.rsa).unwrap(),
            )
        }
        other => panic!("no signer for {other}"),
    }
    .unwrap()
}

fn bank_auth(app: &TestApp) -> ParAuth<'static> {
    ParAuth::Assertion(BANK, assertion(app, "ES256", json!(app.issuer)))
}

/// A token request from the bank, authenticated with a fresh assertion.
async fn bank_token(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let key = DpopKey::es256();
    let proof = key.proof(&dpop_claims(
        "POST",
        &format!("{}/token", app.issuer),
        app.clock_now(),
    ));
    bank_token_with(app, fields, Some(&proof)).await
}

/// The bank's token request with a client assertion, and the DPoP proof `proof` if any (the
/// profile requires one: FAPI 2.0 §5.3.2.1).
async fn bank_token_with(
    app: &TestApp,
    fields: &[(&str, &str)],
    proof: Option<&str>,
) -> reqwest::Response {
    let assertion = assertion(app, "ES256", json!(app.issuer));
    let mut form = fields.to_vec();
    form.extend([
        ("client_id", BANK),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", &assertion),
    ]);
    let mut request = reqwest::Client::new().post(app.url("/token")).form(&form);
    if let Some(proof) = proof {
        request = request.header("DPoP", proof);
    }
    request.send().await.unwrap()
}

/// Pushes `fields` for the bank, signs Ada in through the browser and returns the code.
async fn bank_code(app: &TestApp, browser: &mut Browser, fields: &[(&str, String)]) -> String {
    let request_uri = pushed_request_uri(app, bank_auth(app), fields).await;
    let start = browser.get(&par_authorize_url(BANK, &request_uri)).await;
    let mut page = browser.follow(start).await.expect("a page of Tessera's");
    if page.body.contains("name=\"password\"") {
        page = match browser.submit_login(&page, USER_EMAIL, USER_PASSWORD).await {
            Ok(page) => page,
            Err(location) => return query_of(&location)["code"].clone(),
        };
    }
    let back = browser.submit_consent(&page, "allow").await;
    let location = back.location().expect("back to the bank");
    assert!(location.starts_with(BANK_REDIRECT), "{location}");
    let params = query_of(&location);
    assert_eq!(
        params["iss"], app.issuer,
        "RFC 9207 iss (FAPI 2.0 §5.3.2.2)"
    );
    params["code"].clone()
}

fn header_alg(jwt: &str) -> String {
    use base64::Engine;
    let header = jwt.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    let header: Value = serde_json::from_slice(&bytes).unwrap();
    header["alg"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_fapi2_client_pushes_signs_in_and_verifies_its_ps256_id_token_with_the_openidconnect_crate()
 {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let http = http_client();
        let metadata = CoreProviderMetadata::discover_async(
            IssuerUrl::new(app.issuer.clone()).unwrap(),
            &http,
        )
        .await
        .expect("discovery");
        assert!(
            metadata
                .id_token_signing_alg_values_supported()
                .contains(&CoreJwsSigningAlgorithm::RsaSsaPssSha256)
        );
        let jwks: Value = reqwest::get(app.url("/jwks.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let ps256: Vec<&Value> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["alg"] == "PS256")
            .collect();
        assert_eq!(ps256.len(), 1, "{jwks}");
        assert_eq!(ps256[0]["kty"], "RSA");

        let bank = app.state.client(BANK).expect("the bank");
        assert!(
            bank.dpop_bound_access_tokens,
            "the profile sets the DPoP flag"
        );
        assert!(bank.require_pushed_authorization_requests);

        let oidc = CoreClient::from_provider_metadata(metadata, ClientId::new(BANK.into()), None)
            .set_redirect_uri(RedirectUrl::new(BANK_REDIRECT.into()).unwrap())
            .set_auth_type(AuthType::RequestBody);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = Nonce::new_random();
        let fields = request_fields(
            BANK_REDIRECT,
            &[
                ("scope", "openid email"),
                ("code_challenge", challenge.as_str()),
                ("nonce", nonce.secret().as_str()),
            ],
        );
        let mut browser = app.browser();
        let code = bank_code(&app, &mut browser, &fields).await;
        // The profile binds its tokens to a key: every call carries a DPoP proof.
        let key = DpopKey::es256();
        let http = DpopHttp::new(&key, &app.clock);
        let tokens: CoreTokenResponse = oidc
            .exchange_code(AuthorizationCode::new(code))
            .unwrap()
            .set_pkce_verifier(verifier)
            .add_extra_param("client_assertion_type", JWT_BEARER)
            .add_extra_param(
                "client_assertion",
                assertion(&app, "ES256", json!(app.issuer)),
            )
            .request_async(&http)
            .await
            .expect("token exchange with a client assertion");

        let id_token = tokens.id_token().expect("id_token");
        assert_eq!(
            id_token.signing_alg().unwrap(),
            &CoreJwsSigningAlgorithm::RsaSsaPssSha256
        );
        let at = |t| move || chrono::DateTime::from_timestamp(t, 0).unwrap();
        let ps256_only = oidc
            .id_token_verifier()
            .set_allowed_algs([CoreJwsSigningAlgorithm::RsaSsaPssSha256])
            .set_time_fn(at(START + 1));
        let claims = id_token
            .claims(&ps256_only, &nonce)
            .expect("the crate verifies the PS256 signature against the JWKS");
        assert_eq!(claims.email().unwrap().as_str(), USER_EMAIL);
        let rs256_only = oidc
            .id_token_verifier()
            .set_allowed_algs([CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256])
            .set_time_fn(at(START + 1));
        assert!(id_token.claims(&rs256_only, &nonce).is_err());

        // The access token is not RS256 either (FAPI 2.0 §5.4.1), and userinfo takes it with
        // its proof, never as a bearer token.
        let access = tokens.access_token().secret();
        assert_eq!(header_alg(access), "PS256");
        let mut proof = dpop_claims("GET", &format!("{}/userinfo", app.issuer), app.clock_now());
        proof["ath"] = json!(ath(access));
        let userinfo = reqwest::Client::new()
            .get(app.url("/userinfo"))
            .header("Authorization", format!("DPoP {access}"))
            .header("DPoP", key.proof(&proof))
            .send()
            .await
            .unwrap();
        assert_eq!(userinfo.status(), 200);
        assert_eq!(
            userinfo_status(&app, access).await,
            401,
            "bound: not a bearer token"
        );
        // §5.3.4: never in the query string (RFC 6750 §2.3).
        let in_query = reqwest::get(app.url(&format!("/userinfo?access_token={access}")))
            .await
            .unwrap();
        assert_eq!(in_query.status(), 401);
    }
}

#[tokio::test]
async fn a_fapi2_client_is_refused_each_thing_the_profile_forbids() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let good = request_fields(BANK_REDIRECT, &[]);

        // No PAR: the browser's request is sent back with invalid_request.
        let plain = app
            .browser()
            .get(&authorize_url(BANK, BANK_REDIRECT, &[]))
            .await;
        let error = query_of(&plain.location().unwrap());
        assert_eq!(error["error"], "invalid_request");
        assert_eq!(error["iss"], app.issuer);

        // A client secret, or no authentication: not how this client authenticates.
        for auth in [
            ParAuth::Basic(BANK, "a-secret"),
            ParAuth::Post(BANK, "a-secret"),
            ParAuth::Public(BANK),
        ] {
            let refused = push(&app, auth, &good).await;
            assert_eq!(json_error(refused).await, (401, "invalid_client".into()));
        }
        // RS256 with a key that could also sign PS256: only PS256 passes.
        let rs256 = ParAuth::Assertion(BANK, assertion(&app, "RS256", json!(app.issuer)));
        assert_eq!(
            json_error(push(&app, rs256, &good).await).await,
            (401, "invalid_client".into())
        );
        let ps256 = ParAuth::Assertion(BANK, assertion(&app, "PS256", json!(app.issuer)));
        assert_eq!(push(&app, ps256, &good).await.status(), 201);
        // The assertion's audience is the issuer, as a string, and nothing else.
        for aud in [
            json!(format!("{}/token", app.issuer)),
            json!(format!("{}/par", app.issuer)),
            json!([app.issuer]),
        ] {
            let auth = ParAuth::Assertion(BANK, assertion(&app, "ES256", aud.clone()));
            let refused = push(&app, auth, &good).await;
            assert_eq!(
                json_error(refused).await,
                (401, "invalid_client".into()),
                "{aud}"
            );
        }
        // Only response_type=code, and PKCE with S256.
        for (edit, error) in [
            (("response_type", "token"), "unsupported_response_type"),
            (
                ("response_type", "code id_token"),
                "unsupported_response_type",
            ),
            (("code_challenge_method", "plain"), "invalid_request"),
        ] {
            let pushed = push(
                &app,
                bank_auth(&app),
                &request_fields(BANK_REDIRECT, &[edit]),
            )
            .await;
            assert_eq!(json_error(pushed).await, (400, error.into()), "{edit:?}");
        }
        for missing in ["code_challenge", "redirect_uri"] {
            let mut fields = good.clone();
            fields.retain(|(name, _)| *name != missing);
            let pushed = push(&app, bank_auth(&app), &fields).await;
            assert_eq!(
                json_error(pushed).await,
                (400, "invalid_request".into()),
                "{missing}"
            );
        }
    }
}

#[tokio::test]
async fn a_registration_that_breaks_the_profile_does_not_start() {
    let base = format!("issuer = \"https://id.example.com\"\n{}", fapi_config());
    let with = |from: &str, to: &str| {
        assert!(base.contains(from), "{from}");
        Config::from_toml(&base.replacen(from, to, 1))
            .unwrap_err()
            .key
    };
    assert!(Config::from_toml(&base).is_ok());
    assert_eq!(
        with(
            "id_token_signed_response_alg = \"PS256\"",
            "id_token_signed_response_alg = \"RS256\""
        ),
        "clients[0].id_token_signed_response_alg"
    );
    // A client secret (or none at all) instead of a key: the keys go too.
    let jwks_line = base.lines().find(|l| l.starts_with("jwks")).unwrap();
    let secret = format!("client_secret_hash = \"{}\"", hashed(CONFIDENTIAL_SECRET));
    let no_keys = base.replace(jwks_line, "");
    let secret_client = no_keys.replacen(
        "token_endpoint_auth_method = \"private_key_jwt\"",
        &secret,
        1,
    );
    assert_eq!(
        Config::from_toml(&secret_client).unwrap_err().key,
        "clients[0].token_endpoint_auth_method"
    );
    let public_client = no_keys.replacen(
        "token_endpoint_auth_method = \"private_key_jwt\"",
        "token_endpoint_auth_method = \"none\"",
        1,
    );
    assert_eq!(
        Config::from_toml(&public_client).unwrap_err().key,
        "clients[0].token_endpoint_auth_method"
    );
    assert_eq!(
        with(BANK_REDIRECT, "http://127.0.0.1:9000/cb"),
        "clients[0].redirect_uris[0]"
    );
}

#[tokio::test]
async fn a_refresh_retried_with_the_previous_token_succeeds_within_the_grace_period() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let mut browser = app.browser();
        let fields = request_fields(
            BANK_REDIRECT,
            &[
                ("scope", "openid email offline_access"),
                ("prompt", "consent"),
            ],
        );
        let code = bank_code(&app, &mut browser, &fields).await;
        let exchange_fields = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", BANK_REDIRECT),
            ("code_verifier", VERIFIER),
        ];
        let tokens: Value = bank_token(&app, &exchange_fields)
            .await
            .json()
            .await
            .unwrap();
        let first = tokens["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_string();
        let refresh = |token: String| {
            let app = &app;
            async move {
                let fields = [
                    ("grant_type", "refresh_token"),
                    ("refresh_token", token.as_str()),
                ];
                bank_token(app, &fields).await
            }
        };
        let rotated: Value = refresh(first.clone()).await.json().await.unwrap();
        let second = rotated["refresh_token"].as_str().unwrap().to_string();
        assert_ne!(second, first);
        // The answer was lost: the bank retries with the token it still has, and succeeds.
        app.clock.advance(2);
        let retried = refresh(first.clone()).await;
        assert_eq!(retried.status(), 200, "FAPI 2.0 §5.3.2.1 Note 2");
        let retried: Value = retried.json().await.unwrap();
        let third = retried["refresh_token"].as_str().unwrap().to_string();
        assert!(third != first && third != second);
        assert_eq!(
            refresh(third.clone()).await.status(),
            200,
            "the newest works"
        );
        // Past the grace period an old token is a copy: the family is revoked.
        app.clock.advance(app.state.config().refresh_grace_period);
        let reused = refresh(first).await;
        assert_eq!(json_error(reused).await, (400, "invalid_grant".into()));
        assert_eq!(refresh(third).await.status(), 400);
    }
}

#[tokio::test]
async fn a_fapi2_code_lives_sixty_seconds_at_most() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let mut browser = app.browser();
        // §5.3.2.2 item 14: nonces of 64 characters are supported (Tessera takes up to 2048).
        let nonce = "n".repeat(64);
        let fields = request_fields(BANK_REDIRECT, &[("nonce", nonce.as_str())]);
        let code = bank_code(&app, &mut browser, &fields).await;
        app.clock.advance(app.state.config().authorization_code_ttl);
        let late = bank_token(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", BANK_REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
        assert_eq!(json_error(late).await, (400, "invalid_grant".into()));
        assert!(app.state.config().authorization_code_ttl <= 60);
    }
}

/// FAPI 2.0 §5.3.2.1 items 4–5: only sender-constrained access tokens. The profile sets
/// `dpop_bound_access_tokens` (checked above), so a token request without a DPoP proof is
/// refused.
#[tokio::test]
async fn a_fapi2_token_request_without_a_dpop_proof_is_refused() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let mut browser = app.browser();
        let code = bank_code(&app, &mut browser, &request_fields(BANK_REDIRECT, &[])).await;
        let response = bank_token_with(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", BANK_REDIRECT),
                ("code_verifier", VERIFIER),
            ],
            None,
        )
        .await;
        assert_eq!(
            response.status(),
            400,
            "a bearer token is never issued to it"
        );
    }
}
