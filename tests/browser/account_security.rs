//! The account's security pages in a browser: the password changed through its form (a wrong
//! current password first), then the account deleted through the confirmation page; each
//! page checked (console, CSP, axe, no sideways scroll), in English and in German at 320 px.
use crate::app;
use crate::common::*;
use crate::driver::{self, Browser, Options};
use crate::steps::*;

const NEW_PASSWORD: &str = "quiet lantern orbit pebble";

/// What the pages say, in the browser's language.
struct Words {
    wrong_current: &'static str,
    changed: &'static str,
    deleted: &'static str,
}

const ENGLISH: Words = Words {
    wrong_current: "The current password is wrong.",
    changed: "Password changed.",
    deleted: "Your account was deleted",
};

const GERMAN: Words = Words {
    wrong_current: "Das aktuelle Passwort ist falsch.",
    changed: "Passwort geändert.",
    deleted: "Ihr Konto wurde gelöscht",
};

#[tokio::test]
async fn change_the_password_then_delete_the_account() {
    let Some(mut browser) = driver::launch("account_security", Options::default()).await else {
        return;
    };
    password_then_deletion(&mut browser, &ENGLISH).await;
    browser.close().await;
}

#[tokio::test]
async fn the_same_in_german_at_320_px() {
    let options = Options {
        width: 320,
        height: 640,
        accept_language: "de-DE,de;q=0.9",
        ..Options::default()
    };
    let Some(mut browser) = driver::launch("account_security_de", options).await else {
        return;
    };
    browser.color_scheme("dark").await;
    password_then_deletion(&mut browser, &GERMAN).await;
    browser.close().await;
}

async fn password_then_deletion(browser: &mut Browser, words: &Words) {
    let (tessera, _app) = app::tessera_and_app(Backend::Sqlite, "").await;
    browser.goto(&tessera.url("/account")).await;
    enter_password(browser, USER_PASSWORD).await;
    check(browser, "account").await;
    for link in ["/account/password", "/account/export", "/account/delete"] {
        assert!(browser.has(&format!("a[href='{link}']")).await, "{link}");
    }

    browser.click("a[href='/account/password']").await;
    check(browser, "password").await;
    assert_eq!(browser.focused().await, "current-password");
    fill_password_form(browser, "wrong password").await;
    check(browser, "password: wrong current password").await;
    assert!(
        browser
            .text("[role=alert]")
            .await
            .contains(words.wrong_current)
    );
    assert_error_tied_to(browser, &["#current-password", "#new-password-again"]).await;
    fill_password_form(browser, USER_PASSWORD).await;
    check(browser, "password changed").await;
    assert!(browser.text("[role=status]").await.contains(words.changed));

    browser.goto(&tessera.url("/account/delete")).await;
    check(browser, "delete the account").await;
    browser.fill("#password", NEW_PASSWORD).await;
    browser
        .find("#confirm")
        .await
        .click()
        .await
        .expect("tick the box");
    browser.click("main form button[type=submit]").await;
    check(browser, "account deleted").await;
    assert!(browser.text("h1").await.contains(words.deleted));

    // Signed out: the account leads to the sign-in again.
    browser.goto(&tessera.url("/account")).await;
    wait_for_url(browser, &tessera.url("/login")).await;
    check(browser, "sign-in after deletion").await;
}

async fn fill_password_form(browser: &mut Browser, current: &str) {
    browser.fill("#current-password", current).await;
    browser.fill("#new-password", NEW_PASSWORD).await;
    browser.fill("#new-password-again", NEW_PASSWORD).await;
    browser.click("main form button[type=submit]").await;
}
