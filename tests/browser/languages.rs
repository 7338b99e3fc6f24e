//! The pages in the browser's language and in the one the app asks for: `<html lang>` says
//! which (axe checks it is a valid language), the words are that language's, and the choice
//! stays from sign-in through the second step to consent.
use crate::app;
use crate::common::mfa::code_at;
use crate::common::*;
use crate::driver::{self, Browser, Options};
use crate::steps::*;

async fn lang(browser: &Browser) -> String {
    let lang = browser.script("return document.documentElement.lang").await;
    lang.as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_german_browser_gets_german_pages() {
    let options = Options {
        accept_language: "de-DE,de;q=0.9,en;q=0.5",
        ..Options::default()
    };
    let Some(mut browser) = driver::launch("german_browser", options).await else {
        return;
    };
    let (tessera, app) = app::tessera_and_app(Backend::Sqlite, "").await;
    let request = app::start_sign_in(&tessera, &app, &[]).await;
    browser.goto(&request.url).await;
    check(&browser, "Anmelden").await;
    assert_eq!(lang(&browser).await, "de");
    assert!(browser.html().await.contains("Anmelden"));
    enter_password(&mut browser, "falsch").await;
    check(&browser, "Anmelden, falsches Passwort").await;
    enter_password(&mut browser, USER_PASSWORD).await;
    check(&browser, "Zugriff erlauben").await;
    assert_eq!(lang(&browser).await, "de");
    assert_eq!(browser.text("button[value=allow]").await, "Erlauben");
    browser.close().await;
}

/// The app asks for French of a browser that prefers German: French from the sign-in
/// through the second step to consent.
#[tokio::test]
async fn the_apps_ui_locales_stay_through_both_steps_and_consent() {
    let options = Options {
        accept_language: "de-DE,de",
        ..Options::default()
    };
    let Some(mut browser) = driver::launch("ui_locales", options).await else {
        return;
    };
    let (tessera, app) = app::tessera_and_app(Backend::Sqlite, "").await;
    // Two-step verification set up first, so the sign-in has a second step.
    browser.goto(&tessera.url("/account/mfa")).await;
    enter_password(&mut browser, USER_PASSWORD).await;
    let secret = browser.text("#totp-secret").await.replace(' ', "");
    browser
        .fill("#code", &code_at(&secret, tessera.clock_now()))
        .await;
    browser.click("main form button[type=submit]").await;
    browser.goto(&tessera.url("/logout")).await;
    browser.click("main form button[type=submit]").await;
    tessera.clock.advance(mfa::STEP);

    let request = app::start_sign_in(&tessera, &app, &[("ui_locales", "fr-CA en")]).await;
    browser.goto(&request.url).await;
    check(&browser, "Connexion").await;
    assert_eq!(lang(&browser).await, "fr");
    enter_password(&mut browser, USER_PASSWORD).await;
    check(&browser, "Vérification en deux étapes").await;
    assert_eq!(lang(&browser).await, "fr");
    browser
        .fill("#code", &code_at(&secret, tessera.clock_now()))
        .await;
    browser.click("main form button[type=submit]").await;
    check(&browser, "Autoriser l’accès").await;
    assert_eq!(lang(&browser).await, "fr");
    assert_eq!(browser.text("button[value=allow]").await, "Autoriser");
    browser.click("button[value=allow]").await;
    wait_for_url(&browser, &app.redirect_uri()).await;
    request
        .finish(&app.last_response(), tessera.clock_now())
        .await;
    browser.close().await;
}
