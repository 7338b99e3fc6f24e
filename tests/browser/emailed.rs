//! The pages of emailed links in a real browser: "forgot password" from the sign-in page, the
//! mailed link (read from a real SMTP sink) opening the new-password page, the reset ending
//! on the account; sign-up and the account's address page in German and French. Every page
//! is checked on arrival (console, CSP, axe, no sideways scroll).
use std::time::Duration;

use crate::app;
use crate::common::smtp_sink::SmtpSink;
use crate::common::*;
use crate::driver::{self, Options};
use crate::steps::*;

fn mail_settings(sink: &SmtpSink, extra: &str) -> String {
    format!(
        "{extra}\n[email]\ntransport = \"smtp\"\nsmtp_url = \"{}\"\n",
        sink.url()
    )
}

/// The first link to Tessera in the newest message.
async fn link_from(sink: &SmtpSink, n: usize, issuer: &str) -> String {
    let mail = sink.wait_for(n, Duration::from_secs(10)).await;
    let parsed = mailparse::parse_mail(&mail[n - 1].data).unwrap();
    let text = parsed
        .subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/plain")
        .unwrap_or(&parsed)
        .get_body()
        .unwrap();
    let start = text.find(issuer).expect("a link");
    text[start..].split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn forgot_password_through_the_pages() {
    let Some(mut browser) = driver::launch("forgot_password", Options::default()).await else {
        return;
    };
    let sink = SmtpSink::start().await;
    let (tessera, _app) = app::tessera_and_app(Backend::Sqlite, &mail_settings(&sink, "")).await;
    let worker = tessera::server::spawn_mail_worker(&tessera.state);
    browser.goto(&tessera.url("/login")).await;
    browser.click("a[href='/password/forgot']").await;
    check(&browser, "forgot password").await;
    browser.fill("#email", USER_EMAIL).await;
    browser.click("main form button[type=submit]").await;
    check(&browser, "check your email").await;
    let link = link_from(&sink, 1, &tessera.issuer).await;
    browser.goto(&link).await;
    check(&browser, "choose a new password").await;
    assert!(
        !browser.url().await.contains("token"),
        "the token left the address bar"
    );
    browser.fill("#password", "a brand new passphrase").await;
    browser
        .fill("#confirmation", "a brand new passphrase")
        .await;
    browser.click("main form button[type=submit]").await;
    wait_for_url(&browser, &tessera.url("/account")).await;
    check(&browser, "the account after a reset").await;
    worker.abort();
    browser.close().await;
}

#[tokio::test]
async fn sign_up_and_the_address_page_in_german_and_french() {
    for (accept, title) in [
        ("de-DE,de", "Konto erstellen"),
        ("fr-FR,fr", "Créer un compte"),
    ] {
        let options = Options {
            accept_language: accept,
            ..Options::default()
        };
        let Some(mut browser) = driver::launch("sign_up_languages", options).await else {
            return;
        };
        let sink = SmtpSink::start().await;
        let settings = mail_settings(&sink, "registration = \"open\"");
        let (tessera, _app) = app::tessera_and_app(Backend::Sqlite, &settings).await;
        let worker = tessera::server::spawn_mail_worker(&tessera.state);
        browser.goto(&tessera.url("/signup")).await;
        check(&browser, title).await;
        assert_eq!(browser.text("h1").await, title);
        browser.fill("#email", "grace@example.com").await;
        browser.fill("#password", "a brand new passphrase").await;
        browser
            .fill("#confirmation", "a brand new passphrase")
            .await;
        browser.click("main form button[type=submit]").await;
        check(&browser, "check your email").await;
        // The mailed link's page: one button, then the account is ready.
        browser
            .goto(&link_from(&sink, 1, &tessera.issuer).await)
            .await;
        check(&browser, "confirm the sign-up").await;
        browser.click("main form button[type=submit]").await;
        check(&browser, "the account is ready").await;
        worker.abort();
        browser.goto(&tessera.url("/account/email")).await;
        enter_password(&mut browser, USER_PASSWORD).await;
        check(&browser, "the account's address").await;
        browser.goto(&tessera.url("/password/forgot")).await;
        check(&browser, "forgot password").await;
        browser.close().await;
    }
}
