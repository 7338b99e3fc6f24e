//! Two-step verification helpers: the authenticator app (codes from a base32 secret at the
//! injected clock's time), enrolment through the account page, the TOTP sign-in step, and a
//! second Tessera instance sharing the first one's database.

use totp_rs::{Algorithm, Builder, Secret};

use super::*;

/// Base64 of 32 bytes: the test configuration's `master_key`.
pub const MASTER_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/// A client with `require_mfa = true`.
pub const MFA_CLIENT: &str = "mfa-required";
pub const MFA_REDIRECT: &str = "https://mfa.example.com/cb";
/// A client with `require_mfa = true` and `allow_enrolment = false`.
pub const STRICT_CLIENT: &str = "mfa-strict";
pub const STRICT_REDIRECT: &str = "https://strict.example.com/cb";
pub const STEP: i64 = 30;

/// What an authenticator app computes: the 6-digit code for `time`.
pub fn code_at(secret: &str, time: i64) -> String {
    let bytes = Secret::try_from_base32(secret).unwrap().as_bytes().to_vec();
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_secret(bytes)
        .build()
        .unwrap()
        .generate(time as u64)
        .to_string()
}

/// A 6-digit code that is none of the codes valid around `time`.
pub fn wrong_code(secret: &str, time: i64) -> String {
    let valid: Vec<String> = (-2..=2).map(|k| code_at(secret, time + k * STEP)).collect();
    (0..)
        .map(|n: u32| format!("{:06}", (n * 7919) % 1_000_000))
        .find(|c| !valid.contains(c))
        .unwrap()
}

/// The base32 key shown on the enrolment page, spaces removed.
pub fn secret_on(page: &Page) -> String {
    let marker = "id=\"totp-secret\">";
    let start = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no secret on {}", page.body))
        + marker.len();
    let end = page.body[start..].find('<').unwrap() + start;
    page.body[start..end].replace(' ', "")
}

/// The otpauth URI shown on the enrolment page, HTML entities decoded.
pub fn otpauth_uri_on(page: &Page) -> String {
    let marker = "id=\"otpauth-uri\">";
    let start = page.body.find(marker).expect("no otpauth URI") + marker.len();
    let end = page.body[start..].find('<').unwrap() + start;
    html_unescape(&page.body[start..end])
}

/// The recovery codes listed on a page (shown once, after enabling or regenerating).
pub fn recovery_codes_on(page: &Page) -> Vec<String> {
    let Some(list_start) = page.body.find("<ul class=\"codes\">") else {
        return Vec::new();
    };
    let list_end = page.body[list_start..].find("</ul>").unwrap() + list_start;
    page.body[list_start..list_end]
        .split("<code>")
        .skip(1)
        .map(|item| item.split("</code>").next().unwrap().to_string())
        .collect()
}

pub struct Enrolment {
    pub secret: String,
    pub recovery_codes: Vec<String>,
    /// The page shown after enabling (recovery codes and the way on).
    pub page: Page,
}

/// Signs the browser in with the password alone (for the confidential client) so that it
/// holds a session, and returns the code that sign-in produced.
pub async fn sign_in_with_password(app: &TestApp, browser: &mut Browser) -> String {
    obtain_code(app, browser, "confidential", REDIRECT).await
}

/// Turns two-step verification on from the account page of a signed-in browser, with the
/// code of the current time step. `query` carries an authorization request, if any.
pub async fn enrol_with_query(app: &TestApp, browser: &mut Browser, query: &str) -> Enrolment {
    let page = browser.get(&format!("/account/mfa{query}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let secret = secret_on(&page);
    let csrf = page.hidden("csrf_token");
    let code = code_at(&secret, app.clock_now());
    let done = browser
        .post_form(
            &format!("/account/mfa/enable{query}"),
            &[("csrf_token", &csrf), ("code", &code)],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let recovery_codes = recovery_codes_on(&done);
    assert_eq!(recovery_codes.len(), 10, "{}", done.body);
    Enrolment {
        secret,
        recovery_codes,
        page: done,
    }
}

pub async fn enrol(app: &TestApp, browser: &mut Browser) -> Enrolment {
    enrol_with_query(app, browser, "").await
}

/// A user with two-step verification on, enrolled in a browser that is then discarded. The
/// clock moves one step on, so the enrolment code's step is behind.
pub async fn enrolled_user(app: &TestApp) -> Enrolment {
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let mut browser = app.browser();
    sign_in_with_password(app, &mut browser).await;
    let enrolment = enrol(app, &mut browser).await;
    app.clock.advance(STEP);
    enrolment
}

/// Starts a sign-in for `client_id` in a fresh flow and enters the password; returns the
/// TOTP step's page.
pub async fn password_then_totp_page(
    browser: &mut Browser,
    client_id: &str,
    redirect_uri: &str,
) -> Page {
    let start = browser
        .get(&authorize_url(client_id, redirect_uri, &[]))
        .await;
    let login = browser.follow(start).await.unwrap();
    assert!(login.body.contains("name=\"password\""), "{}", login.body);
    let page = browser
        .submit_login(&login, USER_EMAIL, USER_PASSWORD)
        .await
        .unwrap();
    assert!(is_totp_page(&page), "expected the TOTP step: {}", page.body);
    page
}

pub fn is_totp_page(page: &Page) -> bool {
    page.status == 200 && page.body.contains("Code from your authenticator app")
}

/// Submits a code on the TOTP page; the answer is not followed.
pub async fn submit_code(browser: &mut Browser, totp_page: &Page, code: &str) -> Page {
    let csrf = totp_page.hidden("csrf_token");
    browser
        .post_form(
            &totp_page.form_action(),
            &[("csrf_token", &csrf), ("code", code)],
        )
        .await
}

pub fn has_session_cookie(browser: &Browser) -> bool {
    browser
        .cookies
        .keys()
        .any(|name| name.ends_with("tessera_session"))
}

impl TestApp {
    pub fn clock_now(&self) -> i64 {
        use tessera::clock::Clock;
        self.clock.now()
    }
}

/// Decodes a JWT's claims without checking it (the tests that need checking use openidconnect).
pub fn jwt_claims(jwt: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}
