//! The device flow's pages (RFC 8628) in a real browser: the complete verification URI opens
//! `/device` with the code filled in, the sign-in follows, then the device consent with its
//! warning, and the page that sends the user back to the device; each page checked, and the
//! device's poll then gets its tokens.
use crate::common::*;
use crate::driver::{self, Browser, Options};
use crate::steps::*;
use tessera::config::Config;

const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

fn with_tv(config: &mut Config) {
    let tv = format!(
        "\n[[clients]]\nclient_id = \"tv\"\nclient_name = \"Living Room TV\"\ntoken_endpoint_auth_method = \"none\"\ngrant_types = [\"{GRANT}\"]\nscopes = [\"openid\", \"email\"]\n"
    );
    let issuer = config.issuer.clone();
    *config = Config::from_toml(&format!("{}{tv}", base_config(&issuer))).unwrap();
    config.issuer = issuer;
}

#[tokio::test]
async fn device_code_sign_in_and_consent() {
    let Some(mut browser) = driver::launch("device_flow", Options::default()).await else {
        return;
    };
    device_flow(&mut browser).await;
    browser.close().await;
}

#[tokio::test]
async fn device_flow_without_javascript_at_320_px() {
    let options = Options {
        javascript: false,
        width: 320,
        height: 640,
        ..Options::default()
    };
    let Some(mut browser) = driver::launch("device_flow_no_js_320", options).await else {
        return;
    };
    device_flow(&mut browser).await;
    browser.close().await;
}

async fn device_flow(browser: &mut Browser) {
    let tessera = TestApp::spawn_with(Backend::Sqlite, with_tv).await;
    tessera.add_user(USER_EMAIL, USER_PASSWORD).await;
    let http = http_client();
    let codes: serde_json::Value = http
        .post(tessera.url("/device_authorization"))
        .form(&[("client_id", "tv"), ("scope", "openid email")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let complete = codes["verification_uri_complete"].as_str().unwrap();
    browser.goto(complete).await;
    check(browser, "device code").await;
    let shown = browser.attribute("#user_code", "value").await;
    assert_eq!(shown.as_deref(), codes["user_code"].as_str());
    browser.click("main form button[type=submit]").await;
    check(browser, "sign-in for a device").await;
    assert!(browser.html().await.contains("Living Room TV"));
    enter_password(browser, USER_PASSWORD).await;
    check(browser, "device consent").await;
    let html = browser.html().await;
    assert!(
        html.contains("Only continue if you started this yourself"),
        "{html}"
    );
    browser.click("button[value=allow]").await;
    check(browser, "device connected").await;
    assert!(browser.html().await.contains("return to your device"));
    let tokens: serde_json::Value = http
        .post(tessera.url("/token"))
        .form(&[
            ("client_id", "tv"),
            ("grant_type", GRANT),
            ("device_code", codes["device_code"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(tokens["access_token"].is_string(), "{tokens}");
}
