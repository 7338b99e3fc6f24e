//! Signing in to an app: the password (wrong, then right), consent allowed and denied, the
//! code redeemed by a real client library, and the app's logout with confirmation; with and
//! without JavaScript, by mouse and by keyboard alone.
use crate::app::{self, CLIENT_NAME};
use crate::common::mfa::code_at;
use crate::common::*;
use crate::driver::{self, Browser, ENTER, Options, TAB};
use crate::steps::*;

#[tokio::test]
async fn code_flow_with_a_wrong_then_the_right_password_and_logout() {
    for backend in Backend::all() {
        let Some(mut browser) = driver::launch("code_flow", Options::default()).await else {
            return;
        };
        code_flow_and_logout(backend, &mut browser).await;
        browser.close().await;
    }
}

/// The same in dark mode on a 320 px wide phone (also what 200 % zoom of a 640 px window
/// shows): axe checks the dark palette's contrast.
#[tokio::test]
async fn code_flow_dark_at_320_px() {
    let options = Options {
        width: 320,
        height: 640,
        ..Options::default()
    };
    let Some(mut browser) = driver::launch("code_flow_dark_at_320_px", options).await else {
        return;
    };
    browser.color_scheme("dark").await;
    code_flow_and_logout(Backend::Sqlite, &mut browser).await;
    browser.close().await;
}

/// The same with JavaScript turned off: every page works without it.
#[tokio::test]
async fn code_flow_without_javascript() {
    let options = Options {
        javascript: false,
        ..Options::default()
    };
    let Some(mut browser) = driver::launch("code_flow_without_javascript", options).await else {
        return;
    };
    code_flow_and_logout(Backend::Sqlite, &mut browser).await;
    browser.close().await;
}

async fn code_flow_and_logout(backend: Backend, browser: &mut Browser) {
    let (tessera, app) = app::tessera_and_app(backend, "").await;
    let request = app::start_sign_in(&tessera, &app, &[]).await;
    browser.goto(&request.url).await;
    check(browser, "sign-in").await;
    assert!(browser.html().await.contains(CLIENT_NAME));
    assert_eq!(
        browser.focused().await,
        "email",
        "the first field has focus"
    );

    enter_password(browser, "not the password").await;
    check(browser, "sign-in, wrong password").await;
    assert_error_tied_to(browser, &["#email", "#password"]).await;
    let kept = browser.attribute("#email", "value").await;
    assert_eq!(kept.as_deref(), Some(USER_EMAIL), "the email is kept");

    enter_password(browser, USER_PASSWORD).await;
    check(browser, "consent").await;
    browser.click("button[value=allow]").await;
    wait_for_url(browser, &app.redirect_uri()).await;
    let tokens = request
        .finish(&app.last_response(), tessera.clock_now())
        .await;

    // The app signs the user out without an ID token hint: Tessera asks first, then
    // returns to the app.
    assert!(openidconnect::TokenResponse::id_token(&tokens).is_some());
    let logout = format!(
        "{}?client_id={}&post_logout_redirect_uri={}/signed-out&state=bye",
        tessera.url("/logout"),
        app::CLIENT_ID,
        app.base
    );
    browser.goto(&logout).await;
    check(browser, "logout confirmation").await;
    assert!(browser.html().await.contains(CLIENT_NAME));
    browser.click("main form button[type=submit]").await;
    let back = wait_for_url(browser, &format!("{}/signed-out", app.base)).await;
    assert!(back.ends_with("state=bye"), "{back}");
    browser.assert_no_problems("back at the app").await;

    // Signed out: the account page asks for a password again.
    browser.goto(&tessera.url("/account")).await;
    assert!(browser.has("#password").await, "signed out of Tessera");
}

#[tokio::test]
async fn consent_denied_returns_access_denied_to_the_app() {
    let Some(mut browser) = driver::launch("consent_denied", Options::default()).await else {
        return;
    };
    let (tessera, app) = app::tessera_and_app(Backend::Sqlite, "").await;
    let request = app::start_sign_in(&tessera, &app, &[]).await;
    browser.goto(&request.url).await;
    enter_password(&mut browser, USER_PASSWORD).await;
    check(&browser, "consent").await;
    browser.click("button[value=deny]").await;
    wait_for_url(&browser, &app.redirect_uri()).await;
    let response = app.last_response();
    assert_eq!(response["error"], "access_denied");
    assert_eq!(response.get("state"), Some(request.state.secret()));
    assert!(!response.contains_key("code"));
    browser.close().await;
}

/// Tab and Enter only: the first field has focus, focus is visible on every control it
/// reaches, and the sign-in and consent complete.
#[tokio::test]
async fn keyboard_only_sign_in_and_consent() {
    let Some(mut browser) = driver::launch("keyboard_only", Options::default()).await else {
        return;
    };
    let (tessera, app) = app::tessera_and_app(Backend::Sqlite, "").await;
    let request = app::start_sign_in(&tessera, &app, &[]).await;
    browser.goto(&request.url).await;
    assert_eq!(browser.focused().await, "email");
    browser.keys(USER_EMAIL).await;
    browser.keys(TAB).await;
    assert_eq!(browser.focused().await, "password");
    assert_focus_visible(&browser).await;
    browser
        .keys_to_next_page(&format!("{USER_PASSWORD}{ENTER}"))
        .await;
    check(&browser, "consent").await;

    let allow = tab_to(&mut browser, "allow").await;
    assert_eq!(allow, "allow");
    browser.keys_to_next_page(ENTER).await;
    wait_for_url(&browser, &app.redirect_uri()).await;
    request
        .finish(&app.last_response(), tessera.clock_now())
        .await;

    // Two-step verification set up by keyboard: the code field has focus.
    browser.goto(&tessera.url("/account/mfa")).await;
    assert_eq!(browser.focused().await, "code");
    let secret = browser.text("#totp-secret").await.replace(' ', "");
    let code = code_at(&secret, tessera.clock_now());
    browser.keys_to_next_page(&format!("{code}{ENTER}")).await;
    check(&browser, "recovery codes").await;
    tab_to(&mut browser, "continue").await;
    browser.keys_to_next_page(ENTER).await;
    check(&browser, "two-step verification: on").await;

    // Sign out by keyboard, then sign in with both steps.
    browser.goto(&tessera.url("/logout")).await;
    tab_to(&mut browser, "sign-out").await;
    browser.keys_to_next_page(ENTER).await;
    check(&browser, "signed out").await;
    tessera.clock.advance(mfa::STEP);
    let request = app::start_sign_in(&tessera, &app, &[]).await;
    browser.goto(&request.url).await;
    browser.keys(&format!("{USER_EMAIL}{TAB}")).await;
    browser
        .keys_to_next_page(&format!("{USER_PASSWORD}{ENTER}"))
        .await;
    assert_eq!(browser.focused().await, "code");
    let code = code_at(&secret, tessera.clock_now());
    browser.keys_to_next_page(&format!("{code}{ENTER}")).await;
    // Consent was given before: straight back to the app.
    wait_for_url(&browser, &app.redirect_uri()).await;
    request
        .finish(&app.last_response(), tessera.clock_now())
        .await;
    browser.close().await;
}

/// Presses Tab until the control with value (or id) `target` has focus; each stop must show
/// its focus.
async fn tab_to(browser: &mut Browser, target: &str) -> String {
    for _ in 0..20 {
        browser.keys(TAB).await;
        assert_focus_visible(browser).await;
        let value = browser
            .script(
                "const e = document.activeElement;
                 return e.value || e.id || '';",
            )
            .await;
        if value == target {
            return target.to_string();
        }
    }
    panic!("Tab never reached {target}");
}

async fn assert_focus_visible(browser: &Browser) {
    let style = browser
        .script(
            "const e = document.activeElement; const s = getComputedStyle(e);
             return [e.matches(':focus-visible'), s.outlineStyle, s.outlineWidth];",
        )
        .await;
    assert_eq!(style[0], true, "focus is visible: {style}");
    assert_ne!(style[1], "none", "focused control has an outline: {style}");
}

#[tokio::test]
async fn an_unknown_client_gets_an_error_page() {
    let Some(mut browser) = driver::launch("error_page", Options::default()).await else {
        return;
    };
    let tessera = TestApp::spawn(Backend::Sqlite).await;
    let url = authorize_url("no-such-app", "https://evil.example/cb", &[]);
    browser.goto(&tessera.url(&url)).await;
    check(&browser, "error page").await;
    assert!(
        browser.url().await.starts_with(&tessera.base),
        "no redirect"
    );
    assert!(!browser.has("form").await);
    browser.close().await;
}

/// A person who opens the issuer's address is led to sign in (for their account), and an
/// address with no page shows the branded error page; both pass every page check.
#[tokio::test]
async fn the_issuers_address_leads_to_sign_in_and_a_missing_page_is_an_error_page() {
    let Some(mut browser) = driver::launch("landing", Options::default()).await else {
        return;
    };
    let tessera = TestApp::spawn(Backend::Sqlite).await;
    browser.goto(&tessera.url("/")).await;
    wait_for_url(&browser, &tessera.url("/login")).await;
    check(&browser, "sign-in from the issuer's address").await;
    browser.goto(&tessera.url("/no-such-page")).await;
    check(&browser, "a missing page").await;
    assert!(browser.html().await.contains("<h1>Page not found</h1>"));
    browser.close().await;
}
