//! The upstream client driven for real: `Upstream::finish` against a fake GitHub, and against
//! a second Tessera acting as the OpenID provider (a real code from a real sign-in, a real ID
//! token signed with its keys). Each test is named after what it stops.
mod common;

use std::sync::Arc;

use common::fake_github::{FakeEmail, FakeGithub, FakeUser};
use common::{
    Backend, CONFIDENTIAL_SECRET, START, TestApp, USER_EMAIL, USER_PASSWORD, hashed, query_of,
};
use tessera::config::Config;
use tessera::upstream::{Upstream, UpstreamError, UpstreamRequest, Upstreams};

/// The Tessera that signs people in through the upstreams.
const DOWNSTREAM: &str = "https://id.example.com";
const GITHUB_CLIENT: &str = "Iv1.fake";
const GITHUB_SECRET: &str = "github-secret";

fn request(nonce: &str) -> UpstreamRequest {
    UpstreamRequest {
        state: format!("state-{nonce}"),
        nonce: nonce.into(),
        pkce_verifier: format!("verifier-{nonce}-{}", "x".repeat(40)),
    }
}

/// The upstream configured by `table` (its `[[upstreams]]` lines), its secret in a file.
async fn resolve(table: &str, secret: &str) -> (Arc<Upstream>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret");
    std::fs::write(&file, format!("{secret}\n")).unwrap();
    let text = format!(
        "issuer = \"{DOWNSTREAM}\"\n[[upstreams]]\n{table}\nclient_secret_file = \"{}\"\n",
        file.display()
    );
    let config = Config::from_toml(&text).unwrap();
    let upstreams = Upstreams::new(&config.issuer, &config.upstreams);
    let id = config.upstreams[0].id.clone();
    let upstream = upstreams.get(&id, START).await.unwrap();
    (upstream, dir)
}

// --- GitHub -------------------------------------------------------------------------------

async fn github(fake: &FakeGithub) -> (Arc<Upstream>, tempfile::TempDir) {
    let table = format!(
        "id = \"github\"\nkind = \"github\"\ndisplay_name = \"GitHub\"\nclient_id = \"{GITHUB_CLIENT}\"\nweb_url = \"{}\"\napi_url = \"{}\"",
        fake.web_url(),
        fake.api_url()
    );
    resolve(&table, GITHUB_SECRET).await
}

/// The browser's trip to GitHub and back: the callback's query.
async fn approve(
    upstream: &Upstream,
    request: &UpstreamRequest,
) -> std::collections::HashMap<String, String> {
    let url = upstream.authorization_url(request);
    let response = common::http_client()
        .get(url.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&format!("{DOWNSTREAM}/login/upstream/github/callback?")),
        "{location}"
    );
    query_of(&location)
}

async fn github_sign_in(
    fake: &FakeGithub,
) -> Result<tessera::upstream::VerifiedIdentity, UpstreamError> {
    let (upstream, _dir) = github(fake).await;
    let request = request("gh");
    let callback = approve(&upstream, &request).await;
    assert_eq!(callback["state"], request.state);
    upstream
        .finish(&callback["code"], None, &request, START)
        .await
}

#[tokio::test]
async fn github_sign_in_gives_the_numeric_id_and_the_verified_primary_address() {
    let fake = FakeGithub::spawn(GITHUB_CLIENT, GITHUB_SECRET).await;
    let identity = github_sign_in(&fake).await.unwrap();
    assert_eq!(identity.upstream_id, "github");
    assert_eq!(identity.issuer, fake.web_url());
    assert_eq!(identity.subject, "583231");
    assert_eq!(identity.email.as_deref(), Some("octocat@example.com"));
    assert!(identity.email_verified);
    assert_eq!(identity.name.as_deref(), Some("The Octocat"));
    assert_eq!(identity.account_name.as_deref(), Some("octocat"));
    assert_eq!(identity.hosted_domain, None);
    assert!(!identity.upstream_mfa, "GitHub says nothing about factors");
}

#[tokio::test]
async fn github_unverified_primary_address_is_not_verified() {
    let fake = FakeGithub::spawn(GITHUB_CLIENT, GITHUB_SECRET).await;
    fake.set_user(FakeUser {
        emails: vec![FakeEmail::new("octocat@example.com", true, false)],
        ..FakeUser::octocat()
    });
    let identity = github_sign_in(&fake).await.unwrap();
    assert_eq!(identity.email.as_deref(), Some("octocat@example.com"));
    assert!(!identity.email_verified);
}

#[tokio::test]
async fn github_verified_secondary_address_does_not_replace_the_primary() {
    let fake = FakeGithub::spawn(GITHUB_CLIENT, GITHUB_SECRET).await;
    fake.set_user(FakeUser {
        emails: vec![
            FakeEmail::new("victim@example.com", false, true),
            FakeEmail::new("octocat@example.com", true, false),
        ],
        ..FakeUser::octocat()
    });
    let identity = github_sign_in(&fake).await.unwrap();
    assert_eq!(identity.email.as_deref(), Some("octocat@example.com"));
    assert!(!identity.email_verified);
}

#[tokio::test]
async fn github_renamed_login_keeps_the_same_subject() {
    let fake = FakeGithub::spawn(GITHUB_CLIENT, GITHUB_SECRET).await;
    let before = github_sign_in(&fake).await.unwrap();
    fake.set_user(FakeUser {
        login: "octocat-renamed".into(),
        ..FakeUser::octocat()
    });
    let after = github_sign_in(&fake).await.unwrap();
    assert_eq!(before.subject, after.subject);
    assert_eq!(after.account_name.as_deref(), Some("octocat-renamed"));
}

#[tokio::test]
async fn github_api_failure_is_unavailable() {
    let fake = FakeGithub::spawn(GITHUB_CLIENT, GITHUB_SECRET).await;
    fake.fail_api(true);
    let error = github_sign_in(&fake).await.unwrap_err();
    assert!(matches!(error, UpstreamError::Unavailable(_)), "{error}");
}

#[tokio::test]
async fn github_bad_code_is_refused() {
    let fake = FakeGithub::spawn(GITHUB_CLIENT, GITHUB_SECRET).await;
    let (upstream, _dir) = github(&fake).await;
    let request = request("gh");
    let error = upstream
        .finish("not-a-code", None, &request, START)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, UpstreamError::Refused(why) if why.contains("bad_verification_code")),
        "{error}"
    );
}

#[tokio::test]
async fn github_code_with_another_pkce_verifier_is_refused() {
    let fake = FakeGithub::spawn(GITHUB_CLIENT, GITHUB_SECRET).await;
    let (upstream, _dir) = github(&fake).await;
    let callback = approve(&upstream, &request("gh")).await;
    // A code stolen from the callback is useless without the verifier that stayed behind.
    let error = upstream
        .finish(&callback["code"], None, &request("attacker"), START)
        .await
        .unwrap_err();
    assert!(matches!(error, UpstreamError::Refused(_)), "{error}");
}

#[tokio::test]
async fn github_code_is_good_once() {
    let fake = FakeGithub::spawn(GITHUB_CLIENT, GITHUB_SECRET).await;
    let (upstream, _dir) = github(&fake).await;
    let request = request("gh");
    let callback = approve(&upstream, &request).await;
    upstream
        .finish(&callback["code"], None, &request, START)
        .await
        .unwrap();
    let again = upstream
        .finish(&callback["code"], None, &request, START)
        .await;
    assert!(matches!(again, Err(UpstreamError::Refused(_))), "{again:?}");
}

#[tokio::test]
async fn github_declined_approval_comes_back_as_access_denied() {
    let fake = FakeGithub::spawn(GITHUB_CLIENT, GITHUB_SECRET).await;
    fake.deny(true);
    let (upstream, _dir) = github(&fake).await;
    let callback = approve(&upstream, &request("gh")).await;
    assert_eq!(callback["error"], "access_denied");
    assert!(!callback.contains_key("code"));
}

#[tokio::test]
async fn github_wrong_client_secret_is_refused() {
    let fake = FakeGithub::spawn(GITHUB_CLIENT, "another-secret").await;
    let error = github_sign_in(&fake).await.unwrap_err();
    assert!(matches!(error, UpstreamError::Refused(_)), "{error}");
}

// --- A second Tessera as the OpenID provider ----------------------------------------------

/// The upstream Tessera, with the downstream registered as a confidential client.
async fn upstream_tessera() -> TestApp {
    let callback = tessera::routes::upstream_callback(DOWNSTREAM, "tessera");
    let extra = format!(
        "\n[[clients]]\nclient_id = \"downstream\"\nclient_secret_hash = \"{}\"\nredirect_uris = [\"{callback}\"]\nscopes = [\"openid\", \"email\", \"profile\"]\n",
        hashed(CONFIDENTIAL_SECRET)
    );
    let app = TestApp::spawn_with_toml(Backend::Sqlite, &extra).await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    app
}

async fn oidc(app: &TestApp) -> (Arc<Upstream>, tempfile::TempDir) {
    let table = format!(
        "id = \"tessera\"\nkind = \"oidc\"\ndisplay_name = \"Upstream Tessera\"\nclient_id = \"downstream\"\nissuer = \"{}\"",
        app.issuer
    );
    resolve(&table, CONFIDENTIAL_SECRET).await
}

/// Ada signs in at the upstream and allows: the callback's query (code, state, iss).
async fn sign_in_upstream(
    app: &TestApp,
    upstream: &Upstream,
    request: &UpstreamRequest,
) -> std::collections::HashMap<String, String> {
    let mut browser = app.browser();
    let start = browser
        .get(upstream.authorization_url(request).as_str())
        .await;
    let login = browser.follow(start).await.expect("the sign-in page");
    let location = match browser
        .submit_login(&login, USER_EMAIL, USER_PASSWORD)
        .await
    {
        // Consent given in an earlier test step is remembered.
        Err(location) => location,
        Ok(consent) => {
            let back = browser.submit_consent(&consent, "allow").await;
            back.location().expect("a redirect to the downstream")
        }
    };
    assert!(location.starts_with(upstream.redirect_uri()), "{location}");
    let callback = query_of(&location);
    assert_eq!(callback["state"], request.state);
    callback
}

#[tokio::test]
async fn oidc_sign_in_gives_the_upstream_subject_and_verified_email() {
    let app = upstream_tessera().await;
    let (upstream, _dir) = oidc(&app).await;
    let request = request("n-1");
    let callback = sign_in_upstream(&app, &upstream, &request).await;
    assert_eq!(callback["iss"], app.issuer, "Tessera sends RFC 9207 iss");
    let identity = upstream
        .finish(&callback["code"], Some(&callback["iss"]), &request, START)
        .await
        .unwrap();
    let user = app
        .store
        .find_user_by_email(USER_EMAIL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(identity.subject, user.id);
    assert_eq!(identity.issuer, app.issuer);
    assert_eq!(identity.upstream_id, "tessera");
    assert_eq!(identity.email.as_deref(), Some(USER_EMAIL));
    assert!(identity.email_verified);
    assert_eq!(identity.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(identity.account_name.as_deref(), Some(USER_EMAIL));
    assert!(!identity.upstream_mfa, "a password alone");
}

#[tokio::test]
async fn oidc_id_token_for_another_nonce_is_refused() {
    let app = upstream_tessera().await;
    let (upstream, _dir) = oidc(&app).await;
    let request = request("n-1");
    let callback = sign_in_upstream(&app, &upstream, &request).await;
    let replayed = UpstreamRequest {
        nonce: "another-nonce".into(),
        state: request.state.clone(),
        pkce_verifier: request.pkce_verifier.clone(),
    };
    let error = upstream
        .finish(&callback["code"], Some(&callback["iss"]), &replayed, START)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, UpstreamError::Refused(why) if why.contains("nonce")),
        "{error}"
    );
}

#[tokio::test]
async fn oidc_iss_of_another_issuer_is_refused_before_the_code_is_sent() {
    let app = upstream_tessera().await;
    let (upstream, _dir) = oidc(&app).await;
    let request = request("n-1");
    let callback = sign_in_upstream(&app, &upstream, &request).await;
    let mixed_up = upstream
        .finish(
            &callback["code"],
            Some("https://evil.example"),
            &request,
            START,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&mixed_up, UpstreamError::Refused(why) if why.contains("mix-up")),
        "{mixed_up}"
    );
    // Tessera promises `iss` in its discovery: a callback without it is refused too.
    let missing = upstream
        .finish(&callback["code"], None, &request, START)
        .await;
    assert!(
        matches!(missing, Err(UpstreamError::Refused(_))),
        "{missing:?}"
    );
    // The code never left: the genuine callback still works.
    upstream
        .finish(&callback["code"], Some(&callback["iss"]), &request, START)
        .await
        .unwrap();
}

#[tokio::test]
async fn oidc_code_used_twice_is_refused() {
    let app = upstream_tessera().await;
    let (upstream, _dir) = oidc(&app).await;
    let request = request("n-1");
    let callback = sign_in_upstream(&app, &upstream, &request).await;
    let iss = Some(callback["iss"].as_str());
    upstream
        .finish(&callback["code"], iss, &request, START)
        .await
        .unwrap();
    let again = upstream
        .finish(&callback["code"], iss, &request, START)
        .await;
    assert!(matches!(again, Err(UpstreamError::Refused(_))), "{again:?}");
}

#[tokio::test]
async fn oidc_expired_id_token_is_refused() {
    let app = upstream_tessera().await;
    let (upstream, _dir) = oidc(&app).await;
    let request = request("n-1");
    let callback = sign_in_upstream(&app, &upstream, &request).await;
    let later = START + app.state.config().id_token_ttl + 1;
    let error = upstream
        .finish(&callback["code"], Some(&callback["iss"]), &request, later)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, UpstreamError::Refused(why) if why.contains("xpired")),
        "{error}"
    );
}

#[tokio::test]
async fn oidc_code_with_another_pkce_verifier_is_refused() {
    let app = upstream_tessera().await;
    let (upstream, _dir) = oidc(&app).await;
    let request = request("n-1");
    let callback = sign_in_upstream(&app, &upstream, &request).await;
    let thief = UpstreamRequest {
        pkce_verifier: format!("stolen-{}", "y".repeat(43)),
        nonce: request.nonce.clone(),
        state: request.state.clone(),
    };
    let error = upstream
        .finish(&callback["code"], Some(&callback["iss"]), &thief, START)
        .await
        .unwrap_err();
    assert!(matches!(error, UpstreamError::Refused(_)), "{error}");
}

#[tokio::test]
async fn oidc_new_signing_key_is_fetched_but_at_most_once_a_minute() {
    let app = upstream_tessera().await;
    // Resolved (and the JWKS fetched) at START.
    let (upstream, _dir) = oidc(&app).await;
    let state = &app.state;
    let sealer = state.signing_key_sealer().unwrap().clone();
    let config = state.config().clone();
    let key = tessera::keys::material::generate(tessera::keys::SigningAlg::Rs256).unwrap();
    let kid = tessera::service::keys::prepare(
        &app.store,
        app.state.audit(),
        &sealer,
        &config,
        key,
        START,
        START,
    )
    .await
    .unwrap()
    .unwrap();
    tessera::service::keys::refresh(state).await.unwrap();

    // A token under the new key within a minute of the last fetch: not fetched again, so
    // forged kids cannot make Tessera hammer the provider.
    let request = request("n-1");
    let callback = sign_in_upstream(&app, &upstream, &request).await;
    let soon = START + tessera::upstream::JWKS_REFETCH_AFTER - 1;
    let error = upstream
        .finish(&callback["code"], Some(&callback["iss"]), &request, soon)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, UpstreamError::Refused(why) if why.contains("kid")),
        "{error}"
    );

    // A minute on, the unknown kid makes one fetch, which finds the key.
    let callback = sign_in_upstream(&app, &upstream, &request).await;
    let later = START + tessera::upstream::JWKS_REFETCH_AFTER;
    let identity = upstream
        .finish(&callback["code"], Some(&callback["iss"]), &request, later)
        .await
        .unwrap_or_else(|e| panic!("a token signed by {kid}: {e}"));
    assert_eq!(identity.email.as_deref(), Some(USER_EMAIL));
}

#[tokio::test]
async fn oidc_upstream_that_is_down_is_unavailable_and_named() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let text = format!(
        "issuer = \"{DOWNSTREAM}\"\n[[upstreams]]\nid = \"down\"\nkind = \"oidc\"\ndisplay_name = \"Down\"\nclient_id = \"x\"\nissuer = \"{issuer}\"\nclient_secret_env = \"PATH\"\n"
    );
    let config = Config::from_toml(&text).unwrap();
    let upstreams = Upstreams::new(&config.issuer, &config.upstreams);
    let checked = upstreams.check_all(START).await;
    let (id, result) = &checked[0];
    assert_eq!(id, "down");
    let error = result.as_ref().unwrap_err();
    assert!(matches!(error, UpstreamError::Unavailable(_)), "{error}");
    assert!(error.to_string().contains("down"), "{error}");
}

// --- check-config -------------------------------------------------------------------------

#[test]
fn check_config_fails_naming_the_upstream_that_does_not_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("github.secret");
    std::fs::write(&secret, "s3cret\n").unwrap();
    let config = format!(
        "issuer = \"http://127.0.0.1:8080\"\n\n[[upstreams]]\nid = \"github\"\nkind = \"github\"\ndisplay_name = \"GitHub\"\nclient_id = \"Iv1.abc\"\nclient_secret_file = \"{}\"\n\n[[upstreams]]\nid = \"broken\"\nkind = \"github\"\ndisplay_name = \"Broken\"\nclient_id = \"Iv1.def\"\nclient_secret_file = \"{}\"\n",
        secret.display(),
        dir.path().join("missing.secret").display()
    );
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["--config", dir.path().join("config.toml").to_str().unwrap()])
        .arg("check-config")
        .env_remove("TESSERA_CONFIG")
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(!output.status.success(), "{out}\n{err}");
    assert!(out.contains("upstream github: ok"), "{out}");
    assert!(
        out.contains("upstream broken:") && out.contains("client_secret_file"),
        "{out}"
    );
    assert!(err.contains("broken") && !err.contains("github"), "{err}");
    assert!(!out.contains("s3cret") && !err.contains("s3cret"));
}
