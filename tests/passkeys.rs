//! Passkeys through the real router: added on the account page, then signing in to an app
//! without a password (an MFA sign-in by `amr`/`acr`), as the second step after a password,
//! removed with a recent password; and an IP-address issuer that explains why it has none.
mod common;

use common::mfa::jwt_claims;
use common::passkeys::{offer_on, spawn_on_localhost};
use common::soft_authenticator::SoftAuthenticator;
use common::*;

/// Signs `browser` in with the password and opens the passkey page.
async fn passkeys_page(browser: &mut Browser) -> Page {
    let start = browser.get("/account/passkeys").await;
    let login = browser.follow(start).await.unwrap();
    browser
        .submit_login(&login, USER_EMAIL, USER_PASSWORD)
        .await
        .expect("the passkey page")
}

/// Adds a passkey from `authenticator` on the account page of a signed-in `browser`.
async fn add_passkey(
    browser: &mut Browser,
    authenticator: &mut SoftAuthenticator,
    name: &str,
) -> Page {
    let page = browser.get("/account/passkeys").await;
    let offer = offer_on(&page).expect("an offer to add a passkey");
    let answer = authenticator.register(&offer.options);
    let csrf = page.hidden("csrf_token");
    let added = browser
        .post_form(
            &offer.action,
            &[
                ("csrf_token", &csrf),
                ("ceremony", &offer.ceremony),
                ("credential", &answer),
                ("name", name),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    browser.follow(added).await.unwrap()
}

#[tokio::test]
async fn a_passkey_added_on_the_account_page_signs_in_to_an_app_as_two_factors() {
    for backend in Backend::all() {
        let app = spawn_on_localhost(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut laptop = SoftAuthenticator::new(&app.issuer);
        let mut browser = app.browser();
        let page = passkeys_page(&mut browser).await;
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains("script-src 'self';"), "{csp}");
        let listed = add_passkey(&mut browser, &mut laptop, "Work laptop").await;
        assert!(listed.body.contains("Work laptop"), "{}", listed.body);
        assert!(
            listed.body.contains("role=\"status\""),
            "the page says it was added"
        );

        // Another browser, no password: the sign-in page's passkey form.
        let mut elsewhere = app.browser();
        let start = elsewhere
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let login = elsewhere.follow(start).await.unwrap();
        let offer = offer_on(&login).expect("a passkey offer on the sign-in page");
        assert!(login.body.contains("autocomplete=\"username webauthn\""));
        let answer = laptop.assert(&offer.options);
        let signed_in = elsewhere.submit_passkey(&login, &offer, &answer).await;
        let consent = elsewhere.follow(signed_in).await.unwrap();
        let code = elsewhere.allow(&consent).await;
        let tokens: serde_json::Value = exchange(&app, &code).await.json().await.unwrap();
        let claims = jwt_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(claims["amr"], serde_json::json!(["swk", "user", "mfa"]));
        assert_eq!(claims["acr"], "urn:tessera:mfa", "{backend:?}");
    }
}

#[tokio::test]
async fn an_app_that_requires_mfa_takes_a_passkey_sign_in_without_a_code() {
    let app = spawn_on_localhost(Backend::Sqlite).await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let mut phone = SoftAuthenticator::new(&app.issuer);
    phone.synced = true;
    let mut browser = app.browser();
    passkeys_page(&mut browser).await;
    add_passkey(&mut browser, &mut phone, "Phone").await;

    let mut elsewhere = app.browser();
    let url = authorize_url(mfa::MFA_CLIENT, mfa::MFA_REDIRECT, &[]);
    let start = elsewhere.get(&url).await;
    let login = elsewhere.follow(start).await.unwrap();
    let offer = offer_on(&login).unwrap();
    let answer = phone.assert(&offer.options);
    let signed_in = elsewhere.submit_passkey(&login, &offer, &answer).await;
    let next = elsewhere.follow(signed_in).await.unwrap();
    assert!(
        next.body.contains("decision"),
        "straight to consent: {}",
        next.body
    );
}

#[tokio::test]
async fn a_user_with_a_passkey_is_asked_for_it_after_the_password() {
    for backend in Backend::all() {
        let app = spawn_on_localhost(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut laptop = SoftAuthenticator::new(&app.issuer);
        let mut browser = app.browser();
        passkeys_page(&mut browser).await;
        add_passkey(&mut browser, &mut laptop, "Laptop").await;

        let mut elsewhere = app.browser();
        let start = elsewhere
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let login = elsewhere.follow(start).await.unwrap();
        let second = elsewhere
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let offer = offer_on(&second).expect("the passkey as the second step");
        assert!(
            offer.action.starts_with("/login/totp/passkey?"),
            "{offer:?}"
        );
        assert!(
            !second.body.contains("name=\"code\""),
            "no TOTP: no code field"
        );
        let answer = laptop.assert(&offer.options);
        let done = elsewhere.submit_passkey(&second, &offer, &answer).await;
        let consent = elsewhere.follow(done).await.unwrap();
        let code = elsewhere.allow(&consent).await;
        let tokens: serde_json::Value = exchange(&app, &code).await.json().await.unwrap();
        let claims = jwt_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(claims["amr"], serde_json::json!(["pwd", "swk", "user"]));
        assert_eq!(claims["acr"], "urn:tessera:mfa");
    }
}

#[tokio::test]
async fn a_forged_or_replayed_passkey_answer_is_refused_on_the_page() {
    let app = spawn_on_localhost(Backend::Sqlite).await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let mut laptop = SoftAuthenticator::new(&app.issuer);
    let mut browser = app.browser();
    passkeys_page(&mut browser).await;
    add_passkey(&mut browser, &mut laptop, "Laptop").await;

    let mut elsewhere = app.browser();
    let login = elsewhere.get("/login").await;
    let offer = offer_on(&login).unwrap();
    let answer = laptop.assert(&offer.options);
    for forged in [
        "not json",
        "{}",
        &answer.replace("\"type\":\"public-key\"", "\"type\":\"x\""),
    ] {
        let refused = elsewhere.submit_passkey(&login, &offer, forged).await;
        assert_eq!(refused.status, 200);
        assert!(refused.body.contains("role=\"alert\""), "{}", refused.body);
        assert!(!has_session(&elsewhere));
    }
    // The ceremony was taken by the first refusal: the real answer is now too late.
    let late = elsewhere.submit_passkey(&login, &offer, &answer).await;
    assert_eq!(late.status, 200);
    assert!(!has_session(&elsewhere));
}

fn has_session(browser: &Browser) -> bool {
    mfa::has_session_cookie(browser)
}

/// Removing changes the user's second factors: after `reauth_max_age` the password alone
/// (all a password-only session could give) is not enough; a fresh sign-in with the passkey
/// is.
#[tokio::test]
async fn removing_a_passkey_needs_a_recent_password_and_second_step() {
    let app = spawn_on_localhost(Backend::Sqlite).await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let mut laptop = SoftAuthenticator::new(&app.issuer);
    let mut browser = app.browser();
    passkeys_page(&mut browser).await;
    let page = add_passkey(&mut browser, &mut laptop, "Laptop").await;
    let id = page.hidden("id");
    app.clock.advance(app.state.config().reauth_max_age + 1);

    let page = browser.get("/account/passkeys").await;
    assert!(
        page.body.contains("name=\"password\""),
        "asks for the password"
    );
    let csrf = page.hidden("csrf_token");
    let remove = |password: &'static str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("id", id.clone()),
            ("password", password.to_string()),
        ]
    };
    for password in ["", "wrong password"] {
        let fields = remove(password);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = browser.post_form("/account/passkeys/remove", &fields).await;
        assert_eq!(refused.status, 200);
        assert!(refused.body.contains("role=\"alert\""));
        assert!(refused.body.contains("Laptop"), "still there");
    }
    let fields = remove(USER_PASSWORD);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser.post_form("/account/passkeys/remove", &fields).await;
    assert_eq!(refused.status, 200);
    assert!(refused.body.contains("sign in again with a passkey"));
    assert!(refused.body.contains("Laptop"), "still there");

    // Signed in again with the passkey: both are recent.
    let login = browser.get("/login").await;
    let offer = offer_on(&login).unwrap();
    let answer = laptop.assert(&offer.options);
    browser.submit_passkey(&login, &offer, &answer).await;
    let page = browser.get("/account/passkeys").await;
    let fields = [
        ("csrf_token", page.hidden("csrf_token")),
        ("id", id.clone()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let removed = browser.post_form("/account/passkeys/remove", &fields).await;
    assert_eq!(removed.status, 303);
    let page = browser.follow(removed).await.unwrap();
    assert!(!page.body.contains("Laptop"), "{}", page.body);
}

#[tokio::test]
async fn an_ip_address_issuer_says_why_it_has_no_passkeys() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let mut browser = app.browser();
    let page = passkeys_page(&mut browser).await;
    assert!(offer_on(&page).is_none());
    assert!(page.body.contains("IP address"), "{}", page.body);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        !csp.contains("script-src"),
        "no script without a passkey form: {csp}"
    );
    let login = app.browser().get("/login").await;
    assert!(offer_on(&login).is_none());
    assert!(
        !login
            .header("content-security-policy")
            .unwrap()
            .contains("script-src")
    );
}

#[tokio::test]
async fn the_passkey_script_is_served_as_javascript_and_never_sniffed() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = http_client()
        .get(app.url("/assets/passkeys.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let body = response.text().await.unwrap();
    assert!(body.contains("navigator.credentials"));
}
