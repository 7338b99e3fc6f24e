//! Signing keys in the database: rotation seen by a real relying party library, two
//! instances agreeing on the signer at every moment, exactly one instance preparing a due
//! key, PEM files of earlier versions imported with their kids, and TOTP secrets sealed under
//! the old mfa_encryption_key still opening after the upgrade.
mod common;

use common::mfa::*;
use common::*;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata, CoreTokenResponse,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, RedirectUrl, TokenResponse,
};
use tessera::auth::master_key::{MasterKey, Purpose};
use tessera::keys::material;
use tessera::service;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A relying party that discovered the provider (and fetched its JWKS) just now.
async fn relying_party(app: &TestApp) -> Client {
    let http = reqwest::Client::new();
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(app.issuer.clone()).unwrap(), &http)
            .await
            .unwrap();
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new("confidential".into()),
        Some(ClientSecret::new(CONFIDENTIAL_SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap())
}

/// A full sign-in for `client`; the ID token and the nonce it must carry.
async fn sign_in(app: &TestApp, client: &Client, browser: &mut Browser) -> (CoreIdToken, Nonce) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge)
        .url();
    let start = browser.get(url.as_str()).await;
    let page = match browser.follow(start).await {
        Ok(page) => page,
        Err(location) => return exchange_at(client, &location, verifier, nonce).await,
    };
    let page = if page.body.contains("name=\"password\"") {
        match browser.submit_login(&page, USER_EMAIL, USER_PASSWORD).await {
            Ok(page) => page,
            Err(location) => return exchange_at(client, &location, verifier, nonce).await,
        }
    } else {
        page
    };
    let done = browser.submit_consent(&page, "allow").await;
    let _ = app;
    exchange_at(client, &done.location().unwrap(), verifier, nonce).await
}

async fn exchange_at(
    client: &Client,
    location: &str,
    verifier: openidconnect::PkceCodeVerifier,
    nonce: Nonce,
) -> (CoreIdToken, Nonce) {
    let code = query_of(location)["code"].clone();
    let tokens: CoreTokenResponse = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&reqwest::Client::new())
        .await
        .unwrap();
    (tokens.id_token().unwrap().clone(), nonce)
}

fn chrono_like_time(unix: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(unix, 0).unwrap()
}

fn verifies(client: &Client, token: &CoreIdToken, nonce: &Nonce, now: i64) -> bool {
    let verifier = client
        .id_token_verifier()
        .set_time_fn(move || chrono_like_time(now));
    token.claims(&verifier, nonce).is_ok()
}

fn kid_of(token: &CoreIdToken) -> String {
    let header = token.to_string();
    let header = header.split('.').next().unwrap();
    let bytes =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header).unwrap();
    serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_string()
}

fn quick_keys(c: &mut tessera::config::Config) {
    c.jwks_max_age = 10;
    c.key_refresh_interval = 5;
    c.key_prepublish = 60;
    c.key_rotation_interval = 0;
}

fn sealer() -> tessera::auth::sealing::SealingKey {
    MasterKey::from_base64(MASTER_KEY)
        .unwrap()
        .derive(Purpose::SigningKeys)
}

/// Prepares the next key (signing after key_prepublish) and has `app` read the key set.
async fn prepare_next_key(app: &TestApp) -> String {
    let (config, now) = (app.state.config().clone(), app.clock_now());
    let key = material::generate_rsa().unwrap();
    let sign_at = now + config.key_prepublish;
    let kid = service::keys::prepare(
        &app.store,
        app.state.audit(),
        &sealer(),
        &config,
        key,
        now,
        sign_at,
    )
    .await
    .unwrap()
    .unwrap();
    service::keys::refresh(&app.state).await.unwrap();
    kid
}

#[tokio::test]
async fn a_relying_party_verifies_across_a_rotation_without_a_failed_token() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, quick_keys).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let stale = relying_party(&app).await;
        let (old_token, old_nonce) = sign_in(&app, &stale, &mut browser).await;
        let old_kid = kid_of(&old_token);

        let new_kid = prepare_next_key(&app).await;
        // Published now, not signing yet: a relying party that refreshes its JWKS in this
        // window (as every cache shorter than key_prepublish does) already holds the new key.
        let before_switch = relying_party(&app).await;
        let (token, _) = sign_in(&app, &before_switch, &mut browser).await;
        assert_eq!(
            kid_of(&token),
            old_kid,
            "the old key signs until the switch"
        );

        app.clock.advance(60);
        service::keys::refresh(&app.state).await.unwrap();
        let (new_token, new_nonce) = sign_in(&app, &before_switch, &mut browser).await;
        assert_eq!(
            kid_of(&new_token),
            new_kid,
            "the new key signs from its time on"
        );
        let now = app.clock_now();
        assert!(
            verifies(&before_switch, &new_token, &new_nonce, now),
            "a JWKS fetched before the switch verifies the new key's tokens"
        );
        let after_switch = relying_party(&app).await;
        assert!(
            verifies(&after_switch, &old_token, &old_nonce, now),
            "the old key stays published while its tokens live"
        );
        // Without the prepublish window this is what would have happened:
        assert!(!verifies(&stale, &new_token, &new_nonce, now));
    }
}

/// The value of an unlabelled series in a Prometheus scrape.
fn scraped(scrape: &str, name: &str) -> Option<f64> {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn the_next_switch_gauge_counts_down_to_the_switch_and_reads_0_while_no_key_waits() {
    // A recorder of this test's own (the runtime runs everything on this thread), so no
    // other test's metrics mix in.
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let _local = metrics::set_default_local_recorder(&recorder);
    let next_switch = |app: &TestApp| {
        tessera::observe::signing_keys(app.state.current().keys(), app.clock_now());
        scraped(&handle.render(), "tessera_signing_key_next_switch_seconds")
    };
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, quick_keys).await;
        assert_eq!(next_switch(&app), Some(0.0), "no next key yet");
        prepare_next_key(&app).await;
        assert_eq!(next_switch(&app), Some(60.0));
        app.clock.advance(59);
        assert_eq!(next_switch(&app), Some(1.0));
        app.clock.advance(1);
        service::keys::refresh(&app.state).await.unwrap();
        assert_eq!(
            next_switch(&app),
            Some(0.0),
            "switched, and no next key waits: not the last countdown value"
        );
    }
}

#[tokio::test]
async fn logout_with_a_hint_signed_by_a_retired_key_asks_to_confirm_instead_of_failing() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, quick_keys).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        let tokens: serde_json::Value = exchange(&app, &code).await.json().await.unwrap();
        let hint = tokens["id_token"].as_str().unwrap().to_string();

        // The emergency runbook: a new key signs at once, the old one is retired.
        let (config, now) = (app.state.config().clone(), app.clock_now());
        let old_kid = app
            .state
            .current()
            .keys()
            .current(tessera::keys::SigningAlg::Rs256, now)
            .unwrap()
            .kid
            .clone();
        let key = material::generate_rsa().unwrap();
        service::keys::prepare(
            &app.store,
            app.state.audit(),
            &sealer(),
            &config,
            key,
            now,
            now,
        )
        .await
        .unwrap()
        .unwrap();
        let retired = service::keys::retire(
            &app.store,
            app.state.audit(),
            &config.signing_algs,
            &old_kid,
            now,
        )
        .await;
        assert_eq!(retired.unwrap(), service::keys::Retire::Retired);
        service::keys::refresh(&app.state).await.unwrap();

        let logout = |hint: &str| {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("id_token_hint", hint),
                    ("post_logout_redirect_uri", POST_LOGOUT),
                ])
                .finish();
            format!("/logout?{query}")
        };
        let page = browser.get(&logout(&hint)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Sign out?"), "{}", page.body);
        let csrf = page.hidden("csrf_token");
        let done = browser
            .post_form(
                "/logout",
                &[
                    ("csrf_token", &csrf),
                    ("confirm", "yes"),
                    ("id_token_hint", &hint),
                ],
            )
            .await;
        assert_eq!(
            done.status, 200,
            "signed out, and no redirect: {}",
            done.body
        );

        // A hint naming the key that signs now, with a payload it did not sign: refused.
        let claims =
            serde_json::json!({ "iss": app.issuer, "aud": "confidential", "exp": now + 60 });
        let keys = app.state.current();
        let ours = keys.keys().sign(
            tessera::keys::SigningAlg::Rs256,
            tessera::oauth::tokens::TokenType::Id,
            &claims,
            now,
        );
        let ours = ours.unwrap();
        let parts: Vec<&str> = ours.split('.').collect();
        let forged_payload = hint.split('.').nth(1).unwrap();
        let forged = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
        assert_eq!(browser.get(&logout(&forged)).await.status, 400);
    }
}

#[tokio::test]
async fn two_instances_sign_with_the_same_key_at_every_moment() {
    for backend in Backend::all() {
        let a = TestApp::spawn_with(backend, quick_keys).await;
        let b = a.second_instance(quick_keys).await;
        prepare_next_key(&a).await;
        service::keys::refresh(&b.state).await.unwrap();
        for step in 0..8 {
            let now = a.clock_now();
            let (ka, kb) = (
                a.state
                    .current()
                    .keys()
                    .current(tessera::keys::SigningAlg::Rs256, now)
                    .unwrap()
                    .kid
                    .clone(),
                b.state
                    .current()
                    .keys()
                    .current(tessera::keys::SigningAlg::Rs256, now)
                    .unwrap()
                    .kid
                    .clone(),
            );
            assert_eq!(ka, kb, "step {step}");
            assert_eq!(
                a.state.current().keys().jwks(now),
                b.state.current().keys().jwks(now),
                "step {step}"
            );
            a.clock.advance(10);
        }
    }
}

#[tokio::test]
async fn exactly_one_instance_prepares_a_due_key() {
    for backend in Backend::all() {
        let config = |c: &mut tessera::config::Config| {
            quick_keys(c);
            c.key_rotation_interval = 120;
        };
        let a = TestApp::spawn_with(backend, config).await;
        let b = a.second_instance(config).await;
        a.clock.advance(70); // 120 - 60 s of prepublish: due now
        let (ra, rb) = tokio::join!(
            service::keys::refresh(&a.state),
            service::keys::refresh(&b.state)
        );
        ra.unwrap();
        rb.unwrap();
        let keys = a.store.signing_keys().await.unwrap();
        assert_eq!(keys.len(), 2, "{keys:?}");
        // The waiting key is the one both switch to.
        let now = a.clock_now() + 60;
        let signer = |app: &TestApp| {
            app.state
                .current()
                .keys()
                .current(tessera::keys::SigningAlg::Rs256, now)
                .map(|k| k.kid.clone())
        };
        assert_eq!(signer(&a), signer(&b));
        assert_eq!(signer(&a).as_deref(), Some(keys[1].kid.as_str()));
    }
}

#[tokio::test]
async fn the_jwks_is_cached_for_jwks_max_age_and_keys_of_earlier_versions_keep_their_kid() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, quick_keys).await;
        let response = reqwest::get(app.url("/jwks.json")).await.unwrap();
        assert_eq!(
            response.headers()["cache-control"].to_str().unwrap(),
            "public, max-age=10"
        );
        let jwks: serde_json::Value = response.json().await.unwrap();
        let imported = material::rsa_from_pem(test_key_pem()).unwrap().kid;
        assert_eq!(jwks["keys"][0]["kid"], imported.as_str());
    }
}

#[tokio::test]
async fn totp_secrets_sealed_under_the_old_mfa_encryption_key_open_after_the_upgrade() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        // What an earlier version stored: the secret sealed directly with mfa_encryption_key.
        let legacy_text = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let legacy = tessera::auth::sealing::SealingKey::from_base64(legacy_text).unwrap();
        let secret: Vec<u8> = (0..20u8).map(|i| i.wrapping_mul(37)).collect();
        let sealed = legacy.seal(&secret, &user_id).unwrap();
        app.store
            .insert_pending_totp(&user_id, &sealed, START)
            .await
            .unwrap();
        app.store.enable_totp(&user_id, &[], START).await.unwrap();

        // The new version starts with the old key still configured, beside the master key.
        let mut config = app.state.config().clone();
        config.mfa_encryption_key = Some(legacy.clone());
        let clock = std::sync::Arc::new(app.clock.clone());
        let (_, prepared) = tessera::startup::ready(config, app.store.clone(), clock)
            .await
            .unwrap();
        assert_eq!(prepared.totp_secrets_resealed, 1);
        let stored = app
            .store
            .find_totp_credential(&user_id)
            .await
            .unwrap()
            .unwrap();
        assert!(legacy.open(&stored.sealed_secret, &user_id).is_err());
        let master = MasterKey::from_base64(MASTER_KEY).unwrap();
        let opened = master
            .derive(Purpose::TotpSecrets)
            .open(&stored.sealed_secret, &user_id)
            .unwrap();
        assert_eq!(opened.as_slice(), secret.as_slice());

        // And the user signs in with their authenticator, with the old key gone.
        let mut browser = app.browser();
        let page = password_then_totp_page(&mut browser, "confidential", REDIRECT).await;
        let base32 = base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &secret);
        let code = code_at(&base32, app.clock_now());
        let passed = submit_code(&mut browser, &page, &code).await;
        assert_eq!(passed.status, 303, "{}", passed.body);
    }
}
