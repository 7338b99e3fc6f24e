//! PS256, ES256 and EdDSA beside RS256 (`signing_algs`, `id_token_signed_response_alg`): clients of
//! each algorithm sign in through a real relying party library, the JWKS holds a key of each
//! with its RFC 7638 kid, a non-RSA key rotates on its own (one instance making it), every
//! endpoint that reads our tokens accepts each algorithm, and a token never gets to choose
//! the algorithm a key is checked with.
mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::relying_party::claims_of;
use common::*;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreTokenResponse, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, TokenResponse,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tessera::config::Config;
use tessera::keys::{SigningAlg, material};
use tessera::oauth::tokens::TokenType;
use tessera::service;

const PS_CLIENT: &str = "ps-app";
const ES_CLIENT: &str = "es-app";
const ED_CLIENT: &str = "ed-app";

/// Every algorithm on, and three more confidential clients like `confidential` whose ID
/// tokens are PS256, ES256 and EdDSA.
fn all_algs(config: &mut Config) {
    config.signing_algs = SigningAlg::ALL.to_vec();
    let template = config
        .clients
        .iter()
        .find(|c| c.client_id == "confidential")
        .unwrap()
        .clone();
    for (id, alg) in [
        (PS_CLIENT, SigningAlg::Ps256),
        (ES_CLIENT, SigningAlg::Es256),
        (ED_CLIENT, SigningAlg::EdDsa),
    ] {
        let mut client = template.clone();
        client.client_id = id.into();
        client.client_name = Some(id.into());
        client.id_token_signed_response_alg = alg;
        config.clients.push(client);
    }
}

fn quick_keys(config: &mut Config) {
    all_algs(config);
    config.jwks_max_age = 10;
    config.key_refresh_interval = 5;
    config.key_prepublish = 60;
    config.key_rotation_interval = 0;
}

fn header_of(jwt: &str) -> Value {
    let header = jwt.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()
}

/// `jwt` with its header replaced (the signature is left as it was).
fn with_header(jwt: &str, header: &Value) -> String {
    let (_, rest) = jwt.split_once('.').unwrap();
    format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header.to_string()))
}

fn at(unix: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(unix, 0).unwrap()
}

/// A sign-in for `client_id` in a browser of its own; the token response.
async fn tokens_for(app: &TestApp, client_id: &str) -> Value {
    let mut browser = app.browser();
    let code = obtain_code(app, &mut browser, client_id, REDIRECT).await;
    let response = token_request(
        app,
        Some((client_id, CONFIDENTIAL_SECRET)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn jwks(app: &TestApp) -> Vec<Value> {
    let body: Value = reqwest::get(app.url("/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["keys"].as_array().unwrap().clone()
}

/// RFC 7638 / RFC 8037 thumbprint, computed here independently of Tessera.
fn thumbprint(jwk: &Value) -> String {
    let members: &[&str] = match jwk["kty"].as_str().unwrap() {
        "RSA" => &["e", "kty", "n"],
        "EC" => &["crv", "kty", "x", "y"],
        "OKP" => &["crv", "kty", "x"],
        other => panic!("unexpected kty {other}"),
    };
    let canonical: Vec<String> = members
        .iter()
        .map(|m| format!("\"{m}\":\"{}\"", jwk[*m].as_str().unwrap()))
        .collect();
    let canonical = format!("{{{}}}", canonical.join(","));
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

#[tokio::test]
async fn es256_and_eddsa_clients_sign_in_with_a_relying_party_library() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, all_algs).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
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
        assert_eq!(
            metadata.id_token_signing_alg_values_supported(),
            &vec![
                CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                CoreJwsSigningAlgorithm::RsaSsaPssSha256,
                CoreJwsSigningAlgorithm::EcdsaP256Sha256,
                CoreJwsSigningAlgorithm::EdDsa,
            ]
        );
        for (client_id, alg) in [
            (PS_CLIENT, CoreJwsSigningAlgorithm::RsaSsaPssSha256),
            (ES_CLIENT, CoreJwsSigningAlgorithm::EcdsaP256Sha256),
            (ED_CLIENT, CoreJwsSigningAlgorithm::EdDsa),
        ] {
            let client = CoreClient::from_provider_metadata(
                metadata.clone(),
                ClientId::new(client_id.into()),
                Some(ClientSecret::new(CONFIDENTIAL_SECRET.into())),
            )
            .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let (url, _, nonce) = client
                .authorize_url(
                    CoreAuthenticationFlow::AuthorizationCode,
                    CsrfToken::new_random,
                    Nonce::new_random,
                )
                .set_pkce_challenge(challenge)
                .url();
            let mut browser = app.browser();
            let consent = browser.sign_in_at(url.as_str()).await;
            let code = browser.allow(&consent).await;
            let tokens: CoreTokenResponse = client
                .exchange_code(AuthorizationCode::new(code))
                .unwrap()
                .set_pkce_verifier(verifier)
                .request_async(&http)
                .await
                .expect("token exchange");

            let id_token = tokens.id_token().expect("id_token");
            assert_eq!(id_token.signing_alg().unwrap(), &alg, "{client_id}");
            // This relying party accepts its registered algorithm and nothing else.
            let verifier = client
                .id_token_verifier()
                .set_allowed_algs([alg.clone()])
                .set_time_fn(|| at(START + 1));
            let claims = id_token.claims(&verifier, &nonce).expect("valid ID token");
            assert_eq!(claims.subject().as_str(), user_id);
            let expected_hash = AccessTokenHash::from_token(
                tokens.access_token(),
                &alg,
                id_token.signing_key(&verifier).unwrap(),
            )
            .unwrap();
            assert_eq!(
                claims.access_token_hash(),
                Some(&expected_hash),
                "at_hash with {alg:?}'s hash"
            );
            let rs256_only = client
                .id_token_verifier()
                .set_allowed_algs([CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256])
                .set_time_fn(|| at(START + 1));
            assert!(id_token.claims(&rs256_only, &nonce).is_err());

            // The access token stays RS256 and works at userinfo.
            let access = tokens.access_token().secret();
            assert_eq!(header_of(access)["alg"], "RS256");
            let userinfo: CoreUserInfoClaims = client
                .user_info(tokens.access_token().clone(), None)
                .unwrap()
                .request_async(&http)
                .await
                .expect("userinfo");
            assert_eq!(userinfo.subject().as_str(), user_id);
        }
    }
}

#[tokio::test]
async fn the_jwks_holds_a_key_of_each_algorithm_named_by_its_thumbprint() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, all_algs).await;
        let keys = jwks(&app).await;
        let described: Vec<(&str, &str, Option<&str>)> = keys
            .iter()
            .map(|k| {
                (
                    k["alg"].as_str().unwrap(),
                    k["kty"].as_str().unwrap(),
                    k["crv"].as_str(),
                )
            })
            .collect();
        assert_eq!(
            described,
            [
                ("RS256", "RSA", None),
                ("PS256", "RSA", None),
                ("ES256", "EC", Some("P-256")),
                ("EdDSA", "OKP", Some("Ed25519")),
            ]
        );
        for key in &keys {
            assert_eq!(key["kid"].as_str().unwrap(), thumbprint(key), "{key}");
            assert_eq!(key["use"], "sig");
            assert!(key.get("d").is_none(), "no private part: {key}");
        }
        let imported = material::rsa_from_pem(test_key_pem()).unwrap().kid;
        assert_eq!(keys[0]["kid"], imported, "RS256 kept the key it had");
        let discovery = discovery_json(&app).await;
        assert_eq!(
            discovery["id_token_signing_alg_values_supported"],
            json!(["RS256", "PS256", "ES256", "EdDSA"])
        );
    }
}

/// The key of `alg` that `app` signs with now.
fn signer(app: &TestApp, alg: SigningAlg) -> String {
    let now = app.clock_now();
    let keys = app.state.current();
    keys.keys().current(alg, now).unwrap().kid.clone()
}

#[tokio::test]
async fn an_es256_key_rotates_on_its_own_and_its_old_tokens_keep_verifying() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, quick_keys).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let old = tokens_for(&app, ES_CLIENT).await["id_token"]
            .as_str()
            .unwrap()
            .to_string();
        let (old_es, rs, ed) = (
            signer(&app, SigningAlg::Es256),
            signer(&app, SigningAlg::Rs256),
            signer(&app, SigningAlg::EdDsa),
        );
        assert_eq!(header_of(&old)["kid"], old_es.as_str());

        let config = app.state.config().clone();
        let now = app.clock_now();
        let sealer = tessera::auth::master_key::MasterKey::from_base64(common::mfa::MASTER_KEY)
            .unwrap()
            .derive(tessera::auth::master_key::Purpose::SigningKeys);
        let key = material::generate(SigningAlg::Es256).unwrap();
        let new_es = service::keys::prepare(
            &app.store,
            app.state.audit(),
            &sealer,
            &config,
            key,
            now,
            now + 60,
        )
        .await
        .unwrap()
        .unwrap();
        service::keys::refresh(&app.state).await.unwrap();
        let published: Vec<String> = jwks(&app)
            .await
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_string())
            .collect();
        assert!(published.contains(&new_es), "published before it signs");
        assert_eq!(signer(&app, SigningAlg::Es256), old_es);

        app.clock.advance(60);
        service::keys::refresh(&app.state).await.unwrap();
        assert_eq!(signer(&app, SigningAlg::Es256), new_es);
        assert_eq!(signer(&app, SigningAlg::Rs256), rs, "RS256 untouched");
        assert_eq!(signer(&app, SigningAlg::EdDsa), ed, "EdDSA untouched");
        let new = tokens_for(&app, ES_CLIENT).await["id_token"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(header_of(&new)["kid"], new_es.as_str());
        let keys = app.state.current();
        assert!(
            keys.keys().verify(&old, TokenType::Id).is_ok(),
            "old key still published"
        );
        assert!(keys.keys().verify(&new, TokenType::Id).is_ok());
        // Only the ES256 key was superseded: it alone has a retirement time.
        let rows = app.store.signing_keys().await.unwrap();
        let retiring: Vec<&str> = rows
            .iter()
            .filter(|r| r.retire_at.is_some())
            .map(|r| r.kid.as_str())
            .collect();
        assert_eq!(retiring, [old_es.as_str()]);
    }
}

#[tokio::test]
async fn exactly_one_instance_prepares_the_due_key_of_each_algorithm() {
    for backend in Backend::all() {
        let config = |c: &mut Config| {
            quick_keys(c);
            c.key_rotation_interval = 120;
        };
        let a = TestApp::spawn_with(backend, config).await;
        let b = a.second_instance(config).await;
        a.clock.advance(70); // 120 - 60 s of prepublish: due now, for every algorithm
        let (ra, rb) = tokio::join!(
            service::keys::refresh(&a.state),
            service::keys::refresh(&b.state)
        );
        ra.unwrap();
        rb.unwrap();
        let rows = a.store.signing_keys().await.unwrap();
        for alg in SigningAlg::ALL {
            let generations: Vec<i64> = rows
                .iter()
                .filter(|r| r.alg == alg.as_str())
                .map(|r| r.generation)
                .collect();
            assert_eq!(generations, [1, 2], "{alg}: {rows:?}");
        }
        let later = a.clock_now() + 60;
        for alg in SigningAlg::ALL {
            let kid = |app: &TestApp| {
                let keys = app.state.current();
                keys.keys().current(alg, later).map(|k| k.kid.clone())
            };
            assert_eq!(kid(&a), kid(&b), "{alg}");
        }
    }
}

#[tokio::test]
async fn an_algorithm_dropped_from_signing_algs_stays_published_until_its_tokens_expire() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, quick_keys).await;
        let ed = signer(&app, SigningAlg::EdDsa);
        let mut config = app.state.config().clone();
        config.signing_algs = vec![SigningAlg::Rs256, SigningAlg::Es256];
        config
            .clients
            .retain(|c| c.client_id != ED_CLIENT && c.client_id != PS_CLIENT);
        app.state.replace_settings(config.clone());
        // A snapshot taken after the swap: `app.state` still holds the settings of the start.
        service::keys::refresh(&app.state.current()).await.unwrap();
        let kids = |keys: Vec<Value>| -> Vec<String> {
            keys.iter()
                .map(|k| k["kid"].as_str().unwrap().to_string())
                .collect()
        };
        assert!(kids(jwks(&app).await).contains(&ed), "still published");
        let retention = config.access_token_ttl.max(config.id_token_ttl) + 300;
        app.clock.advance(retention);
        service::keys::refresh(&app.state.current()).await.unwrap();
        let published = kids(jwks(&app).await);
        assert!(!published.contains(&ed), "retired once its tokens expired");
        assert_eq!(published.len(), 2, "RS256 and ES256 keep theirs");
        let rows = app.store.signing_keys().await.unwrap();
        assert_eq!(rows.len(), 4, "no EdDSA (or PS256) key made again");
    }
}

#[tokio::test]
async fn every_endpoint_reading_our_tokens_accepts_each_algorithm_and_none_lets_a_token_pick_it() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, all_algs).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let rs = tokens_for(&app, "confidential").await;
        let access = rs["access_token"].as_str().unwrap();
        assert_eq!(userinfo_status(&app, access).await, 200);

        // The same claims signed by the ES256 and EdDSA keys, as access tokens will be once
        // resources may choose their algorithm: userinfo and introspection take them.
        let claims = claims_of(access);
        let now = app.clock_now();
        let keys = app.state.current();
        let mut resigned = Vec::new();
        for alg in [SigningAlg::Es256, SigningAlg::EdDsa] {
            let token = keys
                .keys()
                .sign(alg, TokenType::Access, &claims, now)
                .unwrap();
            assert_eq!(userinfo_status(&app, &token).await, 200, "{alg}");
            assert_eq!(introspect(&app, &token).await["active"], true, "{alg}");
            resigned.push(token);
        }

        // An RS256 signature under the EC or Ed25519 kid: the named key's own algorithm decides.
        let es_kid = signer(&app, SigningAlg::Es256);
        let ed_kid = signer(&app, SigningAlg::EdDsa);
        for kid in [&es_kid, &ed_kid] {
            let mut header = header_of(access);
            header["kid"] = json!(kid);
            let forged = with_header(access, &header);
            assert_eq!(userinfo_status(&app, &forged).await, 401, "RS256 as {kid}");
            assert_eq!(introspect(&app, &forged).await["active"], false);
        }
        // An ES256 token whose header now claims RS256, with its EC kid.
        let mut header = header_of(&resigned[0]);
        header["alg"] = json!("RS256");
        let confused = with_header(&resigned[0], &header);
        assert_eq!(userinfo_status(&app, &confused).await, 401);

        // Logout: an ES256 ID token is a good hint; the same token claiming RS256 is not ours.
        let es = tokens_for(&app, ES_CLIENT).await;
        let hint = es["id_token"].as_str().unwrap();
        assert_eq!(header_of(hint)["alg"], "ES256");
        let mut header = header_of(hint);
        header["alg"] = json!("RS256");
        let logout = |hint: &str| {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("id_token_hint", hint),
                    ("post_logout_redirect_uri", POST_LOGOUT),
                ])
                .finish();
            format!("/logout?{query}")
        };
        let mut browser = app.browser();
        let refused = browser.get(&logout(&with_header(hint, &header))).await;
        assert_eq!(refused.status, 400, "{}", refused.body);
        let accepted = browser.get(&logout(hint)).await;
        assert_ne!(accepted.status, 400, "{}", accepted.body);

        // Revocation finds the EdDSA-signed token's jti; userinfo refuses it from then on.
        let revoked = client_post(
            &app,
            "/revoke",
            ("confidential", CONFIDENTIAL_SECRET),
            &[("token", &resigned[1])],
        )
        .await;
        assert_eq!(revoked.status(), 200);
        assert_eq!(userinfo_status(&app, &resigned[1]).await, 401);
    }
}
