//! Two real `tessera serve` processes on one PostgreSQL database, with the same issuer behind
//! a load balancer the test steers: every step of a flow can land on either instance, and
//! what one decides (a revocation, a throttle, a used code, a logout, a disabled user, a
//! signing key, a reloaded client) holds on the other. PostgreSQL only: several instances
//! need it (docs/operations.md, "Scale out").
mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::balancer::{Balancer, unpooled_client};
use common::mfa::code_at;
use common::process::{SECRET, Server, cli, config_text, database_url, free_port};
use common::*;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, RefreshToken, Scope, TokenResponse,
};
use serde_json::Value;

const A: usize = 0;
const B: usize = 1;

/// A client that asks for consent (the `app` client of `config_text` skips it).
fn consenting_client() -> String {
    let hash = tessera::auth::password::hash_blocking(SECRET.as_bytes()).unwrap();
    format!(
        r#"
[[clients]]
client_id = "consenting"
client_name = "Consenting App"
client_secret_hash = "{hash}"
redirect_uris = ["{REDIRECT}"]
scopes = ["openid", "profile", "email", "offline_access"]
"#
    )
}

struct Pair {
    balancer: Balancer,
    servers: Vec<Server>,
    configs: Vec<PathBuf>,
    dirs: Vec<tempfile::TempDir>,
}

impl Pair {
    /// Two instances on a fresh PostgreSQL schema, started at the same moment (so they make
    /// the first signing key between them), with Ada and the clients `app` and `consenting`.
    /// `extra` goes into both configurations.
    async fn start(extra: &str) -> Option<Pair> {
        if std::env::var("TESSERA_TEST_POSTGRES_URL").is_err() {
            eprintln!("SKIPPED: TESSERA_TEST_POSTGRES_URL is not set (CI sets it)");
            return None;
        }
        let ports = vec![free_port(), free_port()];
        let balancer = Balancer::start(ports.clone()).await;
        let issuer = balancer.base();
        let dirs = vec![tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
        let url = database_url(Backend::Postgres, dirs[A].path()).await;
        let extra = format!("refresh_grace_period = 0\n{extra}\n{}", consenting_client());
        let configs: Vec<PathBuf> = [A, B]
            .iter()
            .map(|&i| {
                let own = format!("issuer = \"http://127.0.0.1:{}\"", ports[i]);
                let text = config_text(ports[i], &url, dirs[i].path(), &extra)
                    .replace(&own, &format!("issuer = \"{issuer}\""));
                let path = dirs[i].path().join("config.toml");
                std::fs::write(&path, text).unwrap();
                path
            })
            .collect();
        let (ok, _, err) = cli(
            dirs[A].path(),
            &configs[A],
            &["user", "add", "--email", USER_EMAIL, "--password-stdin"],
            Some(&format!("{USER_PASSWORD}\n")),
        );
        assert!(ok, "{err}");
        let (base_a, base_b) = (
            format!("http://127.0.0.1:{}", ports[A]),
            format!("http://127.0.0.1:{}", ports[B]),
        );
        let (a, b) = tokio::join!(
            Server::start(dirs[A].path(), &configs[A], &base_a, "instance-a"),
            Server::start(dirs[B].path(), &configs[B], &base_b, "instance-b"),
        );
        Some(Pair {
            balancer,
            servers: vec![a, b],
            configs,
            dirs,
        })
    }

    fn issuer(&self) -> String {
        self.balancer.base()
    }

    /// New connections go to `instance` from now on.
    fn on(&self, instance: usize) -> &Self {
        self.balancer.send_to(instance);
        self
    }

    /// A browser whose every request opens a new connection (so it lands where the balancer
    /// points).
    fn browser(&self) -> Browser {
        let mut browser = Browser::new(&self.issuer());
        browser.client = unpooled_client();
        browser
    }

    /// Runs the CLI with instance `instance`'s configuration.
    fn cli(&self, instance: usize, args: &[&str]) -> String {
        let (ok, out, err) = cli(
            self.dirs[instance].path(),
            &self.configs[instance],
            args,
            None,
        );
        assert!(ok, "{args:?}: {err}");
        out
    }

    /// Appends `text` to both configurations and reloads both instances.
    async fn reload_both_with(&self, text: &str) {
        for instance in [A, B] {
            let mut config = std::fs::read_to_string(&self.configs[instance]).unwrap();
            config.push_str(text);
            std::fs::write(&self.configs[instance], config).unwrap();
            let server = &self.servers[instance];
            let reloads = server.log_text().matches("configuration reloaded").count();
            server.signal("HUP");
            for _ in 0..200 {
                if server.log_text().matches("configuration reloaded").count() > reloads {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            assert!(
                server.log_text().matches("configuration reloaded").count() > reloads,
                "{}",
                server.log_text()
            );
        }
    }

    /// A token request by `client_id` (secret `SECRET`) on whichever instance is current.
    async fn token(&self, client_id: &str, form: &[(&str, &str)]) -> (u16, Value) {
        client_post(&self.issuer(), "/token", client_id, form).await
    }

    /// Whether `app` (which the test tokens are issued to) is told `token` is active.
    async fn active(&self, token: &str) -> bool {
        self.active_for("app", token).await
    }

    async fn active_for(&self, client_id: &str, token: &str) -> bool {
        client_post(
            &self.issuer(),
            "/introspect",
            client_id,
            &[("token", token)],
        )
        .await
        .1["active"]
            == true
    }
}

async fn client_post(
    issuer: &str,
    path: &str,
    client_id: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let response = unpooled_client()
        .post(format!("{issuer}{path}"))
        .basic_auth(client_id, Some(SECRET))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Signs `browser` in through `app` (skip_consent, offline_access) and exchanges the code:
/// the token response. The steps go wherever the balancer points.
async fn offline_tokens(pair: &Pair, browser: &mut Browser) -> Value {
    let url = authorize_url("app", REDIRECT, &[("prompt", "consent")]).replace(
        "scope=openid+email+profile",
        "scope=openid+email+profile+offline_access",
    );
    let start = browser.get(&url).await;
    let mut page = browser.follow(start).await;
    if let Ok(login) = &page
        && login.body.contains("name=\"password\"")
    {
        page = browser.submit_login(login, USER_EMAIL, USER_PASSWORD).await;
    }
    // offline_access is asked for with prompt=consent, even of a client that skips consent.
    let location = match page {
        Ok(consent) => {
            let back = browser.submit_consent(&consent, "allow").await;
            back.location().expect("a redirect back to the app")
        }
        Err(location) => location,
    };
    let code = query_of(&location)["code"].clone();
    let (status, tokens) = pair
        .token(
            "app",
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

async fn is_signed_in(browser: &mut Browser) -> bool {
    let page = browser
        .get(&authorize_url("app", REDIRECT, &[("prompt", "none")]))
        .await;
    let location = page.location().unwrap_or_default();
    assert!(location.starts_with(REDIRECT), "{}", page.body);
    !location.contains("error=login_required")
}

fn kid_of(jwt: &str) -> String {
    use base64::Engine;
    let header = jwt.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    serde_json::from_slice::<Value>(&bytes).unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_client_library_completes_a_flow_whose_steps_alternate_between_instances() {
    let Some(pair) = Pair::start("").await else {
        return;
    };
    let http = unpooled_client();
    pair.on(A);
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(pair.issuer()).unwrap(), &http)
            .await
            .expect("discovery through the balancer");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new("consenting".into()),
        Some(ClientSecret::new(SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
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

    // Sign in on A.
    let mut browser = pair.browser();
    let start = browser.get(url.as_str()).await;
    let login = browser.follow(start).await.unwrap();
    let consent = browser
        .submit_login(&login, USER_EMAIL, USER_PASSWORD)
        .await
        .unwrap();
    assert!(consent.body.contains("Consenting App"), "{}", consent.body);
    assert_eq!(
        pair.balancer.connections(B),
        0,
        "every step so far was on A"
    );

    // Consent on B.
    let on_a = pair.balancer.connections(A);
    pair.on(B);
    let back = browser.submit_consent(&consent, "allow").await;
    let location = back.location().expect("a redirect back to the app");
    let params = query_of(&location);
    assert_eq!(params["state"], *state.secret());
    assert_eq!(pair.balancer.connections(A), on_a, "consent was given on B");

    // Code exchange on A, checked by the library (signature from the JWKS, nonce, at_hash).
    pair.on(A);
    let tokens = client
        .exchange_code(AuthorizationCode::new(params["code"].clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("code exchange on A");
    let id_token = tokens.id_token().expect("an ID token");
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .expect("the ID token verifies");
    assert_eq!(claims.email().unwrap().as_str(), USER_EMAIL);

    // Userinfo on B.
    pair.on(B);
    let info: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo on B");
    assert_eq!(info.subject(), claims.subject());

    // Refresh on B, then again on A.
    let refreshed = client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .request_async(&http)
        .await
        .expect("refresh on B");
    pair.on(A);
    let again = client
        .exchange_refresh_token(refreshed.refresh_token().unwrap())
        .unwrap()
        .request_async(&http)
        .await
        .expect("refresh again on A");
    let newest = again.refresh_token().unwrap().secret().clone();
    let access = again.access_token().secret().clone();
    assert!(pair.active_for("consenting", &access).await);

    // Revoke on B: the family is gone on A at once.
    pair.on(B);
    let (status, _) = client_post(
        &pair.issuer(),
        "/revoke",
        "consenting",
        &[("token", &newest)],
    )
    .await;
    assert_eq!(status, 200);
    pair.on(A);
    let refused = client
        .exchange_refresh_token(&RefreshToken::new(newest))
        .unwrap()
        .request_async(&http)
        .await;
    assert!(refused.is_err(), "the revoked refresh token fails on A");
    assert!(
        !pair.active_for("consenting", &access).await,
        "its access token too"
    );
    let userinfo: Result<CoreUserInfoClaims, _> = client
        .user_info(again.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await;
    assert!(
        userinfo.is_err(),
        "userinfo on A refuses the revoked access token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_token_reused_on_b_after_rotation_on_a_revokes_the_family_on_both() {
    let Some(pair) = Pair::start("").await else {
        return;
    };
    let mut browser = pair.browser();
    let tokens = offline_tokens(pair.on(A), &mut browser).await;
    let first = tokens["refresh_token"].as_str().unwrap();
    fn refresh(token: &str) -> [(&str, &str); 2] {
        [("grant_type", "refresh_token"), ("refresh_token", token)]
    }
    let (status, rotated) = pair.token("app", &refresh(first)).await;
    assert_eq!(status, 200);
    let second = rotated["refresh_token"].as_str().unwrap();

    let (status, reused) = pair.on(B).token("app", &refresh(first)).await;
    assert_eq!(
        (status, reused["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    for instance in [A, B] {
        let (status, _) = pair.on(instance).token("app", &refresh(second)).await;
        assert_eq!(status, 400, "the family is revoked on instance {instance}");
        assert!(!pair.active(rotated["access_token"].as_str().unwrap()).await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_spread_over_both_instances_lock_the_account_on_both() {
    let Some(pair) = Pair::start("").await else {
        return;
    };
    let mut browser = pair.browser();
    let start = browser.get(&authorize_url("app", REDIRECT, &[])).await;
    let login = browser.follow(start).await.unwrap();
    for attempt in 0..5 {
        pair.on(attempt % 2);
        let page = browser
            .submit_login(&login, USER_EMAIL, "wrong password")
            .await
            .unwrap();
        assert!(
            page.body.contains("The email or password is incorrect"),
            "{}",
            page.body
        );
    }
    for instance in [A, B] {
        pair.on(instance);
        let page = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(
            page.body.contains("Too many attempts"),
            "the right password is refused on instance {instance}: {}",
            page.body
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_totp_code_used_on_a_is_refused_on_b_and_wrong_codes_count_on_both() {
    let Some(pair) = Pair::start("").await else {
        return;
    };
    // Enrol: sign in on A, read the secret on B, turn it on at A.
    let mut browser = pair.browser();
    offline_tokens(pair.on(A), &mut browser).await;
    pair.on(B);
    let page = browser.get("/account/mfa").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let secret = common::mfa::secret_on(&page);
    pair.on(A);
    let now = unix_now();
    let enabled = browser
        .post_form(
            "/account/mfa/enable",
            &[
                ("csrf_token", &page.hidden("csrf_token")),
                ("code", &code_at(&secret, now)),
            ],
        )
        .await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);

    // The next step's code (one step of skew is allowed) signs in on A …
    let next = code_at(&secret, now + common::mfa::STEP);
    let mut on_a = pair.browser();
    let totp = common::mfa::password_then_totp_page(&mut on_a, "app", REDIRECT).await;
    let done = common::mfa::submit_code(&mut on_a, &totp, &next).await;
    let location = on_a.follow(done).await.unwrap_err();
    assert!(query_of(&location).contains_key("code"), "{location}");

    // … and is refused on B.
    pair.on(B);
    let mut on_b = pair.browser();
    let totp = common::mfa::password_then_totp_page(&mut on_b, "app", REDIRECT).await;
    let replayed = common::mfa::submit_code(&mut on_b, &totp, &next).await;
    assert!(common::mfa::is_totp_page(&replayed), "{}", replayed.body);
    assert!(
        replayed.body.contains("That code is not valid"),
        "{}",
        replayed.body
    );

    // That was one wrong code; four more spread over A and B reach the limit of five.
    for attempt in 0..4 {
        pair.on(attempt % 2);
        let wrong = common::mfa::wrong_code(&secret, now);
        let page = common::mfa::submit_code(&mut on_b, &totp, &wrong).await;
        assert!(common::mfa::is_totp_page(&page), "{}", page.body);
    }
    for instance in [A, B] {
        pair.on(instance);
        let page = common::mfa::submit_code(&mut on_b, &totp, &next).await;
        assert!(
            page.body.contains("Too many attempts"),
            "locked on instance {instance}: {}",
            page.body
        );
    }
}

fn unix_now() -> i64 {
    use tessera::clock::Clock;
    tessera::clock::SystemClock.now()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_on_a_ends_the_session_on_b_and_disabling_a_user_holds_on_both() {
    let Some(pair) = Pair::start("").await else {
        return;
    };
    let mut browser = pair.browser();
    let tokens = offline_tokens(pair.on(A), &mut browser).await;
    pair.on(B);
    assert!(is_signed_in(&mut browser).await);
    let hint = tokens["id_token"].as_str().unwrap();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("id_token_hint", hint)
        .finish();
    pair.on(A);
    let page = browser.get(&format!("/logout?{query}")).await;
    assert!(page.status < 400, "{}", page.body);
    pair.on(B);
    assert!(!is_signed_in(&mut browser).await);

    // A fresh sign-in, then the administrator disables the user.
    let mut browser = pair.browser();
    let tokens = offline_tokens(pair.on(B), &mut browser).await;
    pair.cli(A, &["user", "disable", "--email", USER_EMAIL]);
    let access = tokens["access_token"].as_str().unwrap();
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    for instance in [A, B] {
        pair.on(instance);
        assert!(!pair.active(access).await, "instance {instance}");
        let (status, _) = pair
            .token(
                "app",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh_token),
                ],
            )
            .await;
        assert_eq!(status, 400, "instance {instance}");
        assert!(!is_signed_in(&mut browser).await, "instance {instance}");
        let mut stranger = pair.browser();
        let start = stranger.get(&authorize_url("app", REDIRECT, &[])).await;
        let login = stranger.follow(start).await.unwrap();
        let page = stranger
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(
            page.body.contains("The email or password is incorrect"),
            "{}",
            page.body
        );
    }
}

/// Both publish the same JWKS and sign with the same key; a rotation switches both at the
/// same moment (the switch time is in the database, each reads it within
/// `key_refresh_interval`), and a retired key is refused by both within that bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_instances_publish_the_same_keys_and_switch_signing_together() {
    let extra = "key_refresh_interval = 1\njwks_max_age = 0\nkey_prepublish = 3";
    let Some(pair) = Pair::start(extra).await else {
        return;
    };
    let jwks = |instance: usize| {
        pair.on(instance);
        async {
            let body: Value = unpooled_client()
                .get(format!("{}/jwks.json", pair.issuer()))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body
        }
    };
    let jwks_a = jwks(A).await;
    assert_eq!(jwks_a, jwks(B).await, "one key set between them");
    assert_eq!(jwks_a["keys"].as_array().unwrap().len(), 1);

    let mut browser = pair.browser();
    let tokens = offline_tokens(pair.on(A), &mut browser).await;
    let old_kid = kid_of(tokens["id_token"].as_str().unwrap());
    let old_access = tokens["access_token"].as_str().unwrap().to_string();
    let mut refresh_token = tokens["refresh_token"].as_str().unwrap().to_string();

    let out = pair.cli(B, &["keys", "rotate"]);
    assert!(out.contains("is published now"), "{out}");
    // Sample the signer on A and B in turn across the switch: the sequence is old … new,
    // never new then old again (which would mean the two disagreed).
    let mut seen = Vec::new();
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        for instance in [A, B] {
            pair.on(instance);
            let (status, body) = pair
                .token(
                    "app",
                    &[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", &refresh_token),
                    ],
                )
                .await;
            assert_eq!(status, 200, "{body}");
            refresh_token = body["refresh_token"].as_str().unwrap().to_string();
            seen.push((instance, kid_of(body["access_token"].as_str().unwrap())));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let switched_at = seen.iter().position(|(_, kid)| *kid != old_kid);
    let switched_at = switched_at.expect("the new key signs after key_prepublish");
    assert!(
        seen[switched_at..].iter().all(|(_, kid)| *kid != old_kid),
        "both switched together: {seen:?}"
    );
    let new_kid = seen[switched_at].1.clone();
    let jwks_a = jwks(A).await;
    assert_eq!(jwks_a, jwks(B).await);
    assert_eq!(
        jwks_a["keys"].as_array().unwrap().len(),
        2,
        "the old key is still published"
    );

    // Retired by the CLI on A: within key_refresh_interval both refuse what it signed.
    pair.cli(A, &["keys", "retire", &old_kid]);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    for instance in [A, B] {
        pair.on(instance);
        assert!(!pair.active(&old_access).await, "instance {instance}");
        let keys = jwks(instance).await;
        let kids: Vec<&str> = keys["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert_eq!(kids, vec![new_kid.as_str()], "instance {instance}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_added_by_reload_works_on_both_and_a_changed_secret_is_refused_on_both() {
    let Some(pair) = Pair::start("").await else {
        return;
    };
    // `app`'s secret is verified (and remembered) on both instances first.
    for instance in [A, B] {
        pair.on(instance);
        assert!(!pair.active("not-a-token").await);
    }
    let other_secret = "another-secret";
    let hash = tessera::auth::password::hash_blocking(other_secret.as_bytes()).unwrap();
    pair.reload_both_with(&format!(
        r#"
[[clients]]
client_id = "added"
client_secret_hash = "{}"
redirect_uris = ["{REDIRECT}"]
scopes = ["openid", "email"]
skip_consent = true
"#,
        tessera::auth::password::hash_blocking(SECRET.as_bytes()).unwrap()
    ))
    .await;

    // Sign in through the new client on B, exchange its code on A.
    let mut browser = pair.browser();
    pair.on(B);
    let start = browser.get(&authorize_url("added", REDIRECT, &[])).await;
    let login = browser.follow(start).await.unwrap();
    let location = browser
        .submit_login(&login, USER_EMAIL, USER_PASSWORD)
        .await
        .unwrap_err();
    let code = query_of(&location)["code"].clone();
    pair.on(A);
    let (status, tokens) = pair
        .token(
            "added",
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!(status, 200, "{tokens}");

    // `app` gets a new secret by reload: the old one, remembered by both, is refused at once.
    for instance in [A, B] {
        let config = std::fs::read_to_string(&pair.configs[instance]).unwrap();
        let app_block = config.find("client_id = \"app\"").unwrap();
        let old_hash_line = config[app_block..]
            .lines()
            .find(|line| line.starts_with("client_secret_hash"))
            .unwrap()
            .to_string();
        let config = config.replacen(
            &old_hash_line,
            &format!("client_secret_hash = \"{hash}\""),
            1,
        );
        std::fs::write(&pair.configs[instance], config).unwrap();
    }
    pair.reload_both_with("").await;
    for instance in [A, B] {
        pair.on(instance);
        let (status, _) =
            client_post(&pair.issuer(), "/introspect", "app", &[("token", "x")]).await;
        assert_eq!(status, 401, "the old secret on instance {instance}");
        let response = unpooled_client()
            .post(format!("{}/introspect", pair.issuer()))
            .basic_auth("app", Some(other_secret))
            .form(&[("token", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            200,
            "the new secret on instance {instance}"
        );
    }
}

/// RFC 8628: the device asks A for codes and polls A, the person types the code, signs in and
/// allows on B; A's next poll gets the tokens, and the poll after, on either, `invalid_grant`.
#[tokio::test]
async fn a_device_polling_a_gets_tokens_once_after_the_user_allows_on_b() {
    let hash = tessera::auth::password::hash_blocking(SECRET.as_bytes()).unwrap();
    let device_client = format!(
        "\n[[clients]]\nclient_id = \"tv\"\nclient_name = \"Living Room TV\"\nclient_secret_hash = \"{hash}\"\ngrant_types = [\"urn:ietf:params:oauth:grant-type:device_code\"]\nscopes = [\"openid\", \"email\"]\n"
    );
    let Some(pair) = Pair::start(&device_client).await else {
        return;
    };
    pair.on(A);
    let (status, codes) = client_post(
        &pair.issuer(),
        "/device_authorization",
        "tv",
        &[("scope", "openid email")],
    )
    .await;
    assert_eq!(status, 200, "{codes}");
    let device_code = codes["device_code"].as_str().unwrap();
    let poll = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("device_code", device_code),
    ];
    let pending = pair.token("tv", &poll).await;
    assert_eq!(pending.1["error"], "authorization_pending", "{pending:?}");

    pair.on(B);
    let mut browser = pair.browser();
    let complete = codes["verification_uri_complete"].as_str().unwrap();
    let form = browser.get(complete).await;
    let csrf = form.hidden("csrf_token");
    let user_code = codes["user_code"].as_str().unwrap();
    let entered = browser
        .post_form(
            "/device",
            &[("csrf_token", &csrf), ("user_code", user_code)],
        )
        .await;
    let login = browser.follow(entered).await.unwrap();
    let consent = browser
        .submit_login(&login, USER_EMAIL, USER_PASSWORD)
        .await
        .unwrap();
    assert!(consent.body.contains("Living Room TV"), "{}", consent.body);
    let done = browser.submit_consent(&consent, "allow").await;
    assert_eq!(done.status, 200, "{}", done.body);

    pair.on(A);
    let (status, tokens) = pair.token("tv", &poll).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["id_token"].is_string());
    assert_eq!(pair.token("tv", &poll).await.1["error"], "invalid_grant");
    pair.on(B);
    assert_eq!(pair.token("tv", &poll).await.1["error"], "invalid_grant");
}
