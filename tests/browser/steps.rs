//! What a user does on Tessera's pages, one step at a time, with every page checked.
use crate::axe;
use crate::common::*;
use crate::driver::Browser;

/// The checks every page gets: the browser's log is clean (no console error, no CSP
/// violation), axe-core finds nothing serious, and nothing scrolls sideways.
pub async fn check(browser: &Browser, page: &str) {
    browser.assert_no_problems(page).await;
    // axe needs timers, which a page with JavaScript off does not run; the pages are the
    // same either way (they have no scripts), and the JavaScript runs check them.
    if browser.options.javascript {
        axe::assert_accessible(browser, page).await;
    }
    let width = browser.script("return window.innerWidth").await;
    assert_eq!(width, browser.options.width, "{page}: the viewport's width");
    let overflow = browser.horizontal_overflow().await;
    assert_eq!(
        overflow, 0,
        "{page}: {overflow} px wider than the {} px window",
        browser.options.width
    );
}

/// Types the email and `password` into the sign-in form and submits it.
pub async fn enter_password(browser: &mut Browser, password: &str) {
    browser.fill("#email", USER_EMAIL).await;
    browser.fill("#password", password).await;
    browser.click("main form button[type=submit]").await;
}

/// The sign-in's error is announced and tied to the fields it is about.
pub async fn assert_error_tied_to(browser: &Browser, fields: &[&str]) {
    let alert = browser.find("[role=alert]").await;
    let id = alert
        .attr("id")
        .await
        .unwrap()
        .expect("the alert has an id");
    for field in fields {
        let described_by = browser
            .attribute(field, "aria-describedby")
            .await
            .unwrap_or_default();
        assert!(
            described_by.split(' ').any(|token| token == id),
            "{field} is not described by the error #{id}"
        );
        let invalid = browser.attribute(field, "aria-invalid").await;
        assert_eq!(invalid.as_deref(), Some("true"), "{field} aria-invalid");
    }
}

/// Waits until the browser is at a URL starting with `prefix`.
pub async fn wait_for_url(browser: &Browser, prefix: &str) -> String {
    for _ in 0..100 {
        let url = browser.url().await;
        if url.starts_with(prefix) {
            return url;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("never reached {prefix}; at {}", browser.url().await);
}
