//! Passkeys in Chromium with a virtual authenticator: registered on the account page, then
//! a sign-in to an app with the passkey alone, whose ID token says so (`amr`, `acr`). Tessera
//! runs on `localhost`: an IP address cannot host passkeys.
use crate::app;
use crate::common::mfa::jwt_claims;
use crate::common::passkeys::on_localhost;
use crate::common::*;
use crate::driver::{self, Options};
use crate::steps::*;

#[tokio::test]
async fn a_passkey_registered_in_the_browser_signs_in_to_an_app_alone() {
    let Some(mut browser) = driver::launch("passkeys", Options::default()).await else {
        return;
    };
    let (tessera, app) = app::tessera_and_app_then(Backend::Sqlite, "", on_localhost).await;
    let issuer = tessera.issuer.clone();
    browser.goto(&format!("{issuer}/account/passkeys")).await;
    browser.add_virtual_authenticator().await;
    enter_password(&mut browser, USER_PASSWORD).await;
    check(&browser, "passkeys").await;
    browser.fill("#new-key-name", "Chromium").await;
    browser.click("#add-passkey").await;
    check(&browser, "passkeys, one added").await;
    assert!(browser.html().await.contains("Chromium"));
    assert!(browser.has(".notice").await, "the page says it was added");

    browser.goto(&format!("{issuer}/logout")).await;
    browser.click("main form button[type=submit]").await;

    // The app's sign-in, with the passkey only: no email, no password. The page offers
    // the passkey in the email field's autofill (conditional mediation), which Chromium's
    // virtual authenticator answers at once, and behind a button.
    let request = app::start_sign_in(&tessera, &app, &[]).await;
    browser.goto(&request.url).await;
    let consent = "button[value=allow]";
    if !browser.has(consent).await {
        check(&browser, "sign-in with a passkey offered").await;
        browser.click("#sign-in-with-passkey").await;
    }
    browser.find(consent).await;
    check(&browser, "consent after a passkey").await;
    browser.click("button[value=allow]").await;
    wait_for_url(&browser, &app.redirect_uri()).await;
    let tokens = request
        .finish(&app.last_response(), tessera.clock_now())
        .await;
    let id_token = openidconnect::TokenResponse::id_token(&tokens).unwrap();
    let claims = jwt_claims(&id_token.to_string());
    assert_eq!(claims["amr"], serde_json::json!(["hwk", "user", "mfa"]));
    assert_eq!(claims["acr"], "urn:tessera:mfa");
    browser.close().await;
}
