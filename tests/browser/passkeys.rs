//! Passkeys in Chromium with a virtual authenticator: registered on the account page, then
//! sign-ins to an app with the passkey alone (from the email field's autofill, and with the
//! button) and as the second step after the password; each ID token says so (`amr`, `acr`).
//! Tessera runs on `localhost`: an IP address cannot host passkeys.
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
    // virtual authenticator answers at once.
    let request = app::start_sign_in(&tessera, &app, &[]).await;
    browser.goto(&request.url).await;
    let consent = "button[value=allow]";
    browser.find(consent).await;
    check(&browser, "consent after a passkey from autofill").await;
    browser.click(consent).await;
    wait_for_url(&browser, &app.redirect_uri()).await;
    let tokens = request
        .finish(&app.last_response(), tessera.clock_now())
        .await;
    assert_passkey_sign_in(&tokens, &["swk", "user", "mfa"]);

    // A browser without passkey autofill: the button, then the passkey after a password.
    let no_autofill =
        "PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);";
    browser
        .devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": no_autofill }),
        )
        .await;
    for second_step in [false, true] {
        browser.goto(&format!("{issuer}/logout")).await;
        browser.click("main form button[type=submit]").await;
        let request = app::start_sign_in(&tessera, &app, &[]).await;
        browser.goto(&request.url).await;
        check(&browser, "sign-in with a passkey button").await;
        let expected: &[&str] = if second_step {
            enter_password(&mut browser, USER_PASSWORD).await;
            check(&browser, "second step with a passkey").await;
            assert!(!browser.has("#code").await, "no TOTP: no code field");
            browser.click("#passkey-second-step").await;
            &["pwd", "swk", "user"]
        } else {
            browser.click("#sign-in-with-passkey").await;
            &["swk", "user", "mfa"]
        };
        // Consent was given at the first sign-in: straight back to the app.
        wait_for_url(&browser, &app.redirect_uri()).await;
        let tokens = request
            .finish(&app.last_response(), tessera.clock_now())
            .await;
        assert_passkey_sign_in(&tokens, expected);
    }
    browser.close().await;
}

/// The ID token says how the user signed in: `amr` as expected, and the MFA class.
fn assert_passkey_sign_in(tokens: &openidconnect::core::CoreTokenResponse, amr: &[&str]) {
    let id_token = openidconnect::TokenResponse::id_token(tokens).unwrap();
    let claims = jwt_claims(&id_token.to_string());
    assert_eq!(claims["amr"], serde_json::json!(amr));
    assert_eq!(claims["acr"], "urn:tessera:mfa");
}
