//! "Continue with …" in a real browser: the buttons on the sign-in page in every language,
//! by keyboard, and a whole sign-in through an upstream provider (a second Tessera on
//! `localhost`, a different site from Tessera's `127.0.0.1`, so each keeps its own cookies)
//! back to the app, whose library checks the ID token.
use crate::app;
use crate::common::federation::*;
use crate::common::*;
use crate::driver::{self, Browser, Options, TAB};
use crate::steps::*;

/// The upstream Tessera (its issuer on `localhost`) and a file holding its client's secret.
async fn corp() -> (TestApp, tempfile::TempDir, String) {
    let upstream = TestApp::spawn_with_toml_then(Backend::Sqlite, &downstream_client(), |c| {
        c.issuer = c.issuer.replace("127.0.0.1", "localhost")
    })
    .await;
    upstream.add_user(CORP_EMAIL, CORP_PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let block = corp_upstream(
        &upstream.issuer,
        &corp_secret_file(&dir),
        "create_users = true",
    );
    (upstream, dir, block)
}

/// The `[[upstreams]]` block must follow the app's `[[clients]]`, so it goes in by `adjust`.
fn with_block(block: String) -> impl FnOnce(&mut tessera::config::Config) {
    move |config| {
        let parsed: tessera::config::Config =
            tessera::config::Config::from_toml(&format!("issuer = \"{}\"\n{block}", config.issuer))
                .expect("the upstream block is valid");
        config.upstreams = parsed.upstreams;
    }
}

async fn tab_to_link(browser: &mut Browser, text: &str) {
    for _ in 0..20 {
        browser.keys(TAB).await;
        let focused = browser
            .script("return document.activeElement.textContent || ''")
            .await;
        if focused.as_str().is_some_and(|t| t.trim() == text) {
            let visible = browser
                .script("return document.activeElement.matches(':focus-visible')")
                .await;
            assert_eq!(visible, true, "the focused link shows its focus");
            return;
        }
    }
    panic!("Tab never reached {text}");
}

#[tokio::test]
async fn the_buttons_in_every_language_and_by_keyboard() {
    let (_upstream, _dir, block) = corp().await;
    for (accept, label, title) in [
        ("en-US,en", "Continue with Corp SSO", "Sign in"),
        ("de-DE,de", "Weiter mit Corp SSO", "Anmelden"),
        ("fr-FR,fr", "Continuer avec Corp SSO", "Connexion"),
    ] {
        let options = Options {
            accept_language: accept,
            ..Options::default()
        };
        let Some(mut browser) = driver::launch("upstream_buttons", options).await else {
            return;
        };
        let (tessera, app) =
            app::tessera_and_app_then(Backend::Sqlite, "", with_block(block.clone())).await;
        let request = app::start_sign_in(&tessera, &app, &[]).await;
        browser.goto(&request.url).await;
        check(&browser, title).await;
        assert_eq!(browser.text(".upstreams a").await, label);
        tab_to_link(&mut browser, label).await;
        browser.close().await;
    }
}

#[tokio::test]
async fn a_whole_sign_in_through_an_upstream_provider() {
    let Some(mut browser) = driver::launch("upstream_sign_in", Options::default()).await else {
        return;
    };
    let (upstream, _dir, block) = corp().await;
    let (tessera, app) = app::tessera_and_app_then(Backend::Sqlite, "", with_block(block)).await;
    let request = app::start_sign_in(&tessera, &app, &[]).await;
    browser.goto(&request.url).await;
    check(&browser, "sign-in with an upstream button").await;
    browser.click(".upstreams a").await;
    wait_for_url(&browser, &upstream.issuer).await;
    check(&browser, "the upstream's sign-in").await;
    browser.fill("#email", CORP_EMAIL).await;
    browser.fill("#password", CORP_PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    // Back at Tessera, signed in as the account the upstream made: consent for the app.
    wait_for_url(&browser, &tessera.url("/consent")).await;
    check(&browser, "consent after the upstream").await;
    browser.click("button[value=allow]").await;
    wait_for_url(&browser, &app.redirect_uri()).await;
    let tokens = request
        .finish(&app.last_response(), tessera.clock_now())
        .await;
    let id_token = openidconnect::TokenResponse::id_token(&tokens).unwrap();
    let claims = crate::common::mfa::jwt_claims(&id_token.to_string());
    assert_eq!(claims["email"], CORP_EMAIL);
    assert_eq!(claims["amr"], serde_json::json!(["fed"]));

    // The account's linked identities: the upstream, and no way to unlink the only way in.
    browser.goto(&tessera.url("/account")).await;
    check(&browser, "account with linked accounts").await;
    browser.click("a[href='/account/identities']").await;
    check(&browser, "linked accounts").await;
    assert!(browser.html().await.contains("Corp SSO"));
    browser
        .click("form[action='/account/identities/unlink'] button")
        .await;
    check(&browser, "unlinking the only way in").await;
    assert!(
        browser
            .text("#form-error")
            .await
            .contains("only way you can sign in")
    );
    browser.close().await;
}
