//! The account pages: two-step verification set up by reading the key off the page and
//! typing the app's code, then asked for at the next sign-in; ending another session and
//! withdrawing an app's access.
use crate::app;
use crate::common::mfa::code_at;
use crate::common::*;
use crate::driver::{self, Browser, Options};
use crate::steps::*;

#[tokio::test]
async fn totp_enrolment_then_the_second_step_at_sign_in() {
    let Some(mut browser) = driver::launch("totp", Options::default()).await else {
        return;
    };
    totp_enrolment_and_sign_in(&mut browser).await;
    browser.close().await;
}

/// The same in dark mode, 320 px wide.
#[tokio::test]
async fn totp_dark_at_320_px() {
    let options = Options {
        width: 320,
        height: 640,
        ..Options::default()
    };
    let Some(mut browser) = driver::launch("totp_dark_at_320_px", options).await else {
        return;
    };
    browser.color_scheme("dark").await;
    totp_enrolment_and_sign_in(&mut browser).await;
    browser.close().await;
}

/// The same with JavaScript turned off.
#[tokio::test]
async fn totp_without_javascript() {
    let options = Options {
        javascript: false,
        ..Options::default()
    };
    let Some(mut browser) = driver::launch("totp_without_javascript", options).await else {
        return;
    };
    totp_enrolment_and_sign_in(&mut browser).await;
    browser.close().await;
}

async fn totp_enrolment_and_sign_in(browser: &mut Browser) {
    let (tessera, app) = app::tessera_and_app(Backend::Sqlite, "").await;
    browser.goto(&tessera.url("/account/mfa")).await;
    check(browser, "sign-in for the account").await;
    enter_password(browser, USER_PASSWORD).await;
    check(browser, "two-step verification: set up").await;

    // As a user with an authenticator app: read the key off the page, type the app's code.
    let secret = browser.text("#totp-secret").await.replace(' ', "");
    let wrong = crate::common::mfa::wrong_code(&secret, tessera.clock_now());
    browser.fill("#code", &wrong).await;
    browser.click("main form button[type=submit]").await;
    check(browser, "two-step verification: wrong code").await;
    assert_error_tied_to(browser, &["#code"]).await;
    browser
        .fill("#code", &code_at(&secret, tessera.clock_now()))
        .await;
    browser.click("main form button[type=submit]").await;
    check(browser, "recovery codes").await;
    let codes = browser
        .script("return document.querySelectorAll('.codes code').length")
        .await;
    assert_eq!(codes, 10);
    browser.click("a.button").await;
    check(browser, "two-step verification: on").await;

    // Sign out from the account, then sign in to the app: password, then the code.
    browser.goto(&tessera.url("/logout")).await;
    check(browser, "logout confirmation").await;
    browser.click("main form button[type=submit]").await;
    check(browser, "signed out").await;

    tessera.clock.advance(mfa::STEP);
    let request = app::start_sign_in(&tessera, &app, &[]).await;
    browser.goto(&request.url).await;
    enter_password(browser, USER_PASSWORD).await;
    check(browser, "sign-in: second step").await;
    assert_eq!(browser.focused().await, "code", "the code field has focus");
    browser
        .fill("#code", &code_at(&secret, tessera.clock_now()))
        .await;
    browser.click("main form button[type=submit]").await;
    check(browser, "consent after two steps").await;
    browser.click("button[value=allow]").await;
    wait_for_url(browser, &app.redirect_uri()).await;
    request
        .finish(&app.last_response(), tessera.clock_now())
        .await;
}

#[tokio::test]
async fn account_page_ends_another_session_and_withdraws_an_app() {
    for javascript in [true, false] {
        let options = Options {
            javascript,
            ..Options::default()
        };
        let Some(mut browser) = driver::launch("account_actions", options).await else {
            return;
        };
        account_actions(&mut browser).await;
        browser.close().await;
    }
}

async fn account_actions(browser: &mut Browser) {
    let (tessera, app) = app::tessera_and_app(Backend::Sqlite, "").await;
    // Signed in to the app in this browser; signed in on another device too.
    let request = app::start_sign_in(&tessera, &app, &[]).await;
    browser.goto(&request.url).await;
    enter_password(browser, USER_PASSWORD).await;
    browser.click("button[value=allow]").await;
    wait_for_url(browser, &app.redirect_uri()).await;
    let mut other_device = tessera.browser();
    mfa::sign_in_with_password(&tessera, &mut other_device).await;
    assert_eq!(other_device.get("/account").await.status, 200);

    browser.goto(&tessera.url("/account")).await;
    check(browser, "account").await;
    assert_eq!(session_rows(browser).await, 2);
    browser.click("li.session:not(.current) button").await;
    check(browser, "account, a session ended").await;
    assert_eq!(session_rows(browser).await, 1);
    let elsewhere = other_device.get("/account").await;
    assert_eq!(elsewhere.status, 303, "the other device is signed out");

    // Two apps have access: this one, and the one the other device signed in to.
    let withdraw = "form[action='/account/consents/withdraw'] button";
    assert_eq!(count(browser, withdraw).await, 2);
    browser.click(withdraw).await;
    check(browser, "account, access withdrawn").await;
    assert_eq!(count(browser, withdraw).await, 1);
}

async fn session_rows(browser: &Browser) -> i64 {
    count(browser, "li.session").await
}

async fn count(browser: &Browser, css: &str) -> i64 {
    let script = format!("return document.querySelectorAll({css:?}).length");
    browser.script(&script).await.as_i64().unwrap_or_default()
}
