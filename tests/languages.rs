//! The pages' language: the client's `ui_locales` first (and it stays through the sign-in),
//! then the browser's `Accept-Language`, then `default_locale`; discovery lists the choice.
mod common;

use common::mfa::*;
use common::*;

/// A browser whose every request says which languages it prefers.
fn browser_preferring(app: &TestApp, accept_language: &str) -> Browser {
    let mut browser = app.browser();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        accept_language.parse().unwrap(),
    );
    browser.client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    browser
}

async fn sign_in_page(browser: &mut Browser, extra: &[(&str, &str)]) -> Page {
    let start = browser
        .get(&authorize_url("confidential", REDIRECT, extra))
        .await;
    browser.follow(start).await.expect("the sign-in page")
}

fn assert_language(page: &Page, lang: &str, text: &str) {
    assert!(
        page.body.contains(&format!("<html lang=\"{lang}\">")),
        "not lang={lang}: {}",
        page.body
    );
    assert!(page.body.contains(text), "{text:?} missing: {}", page.body);
}

#[tokio::test]
async fn ui_locales_choose_the_sign_in_pages_language_and_it_stays_through_consent() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        // The client's choice wins over the browser's.
        let mut browser = browser_preferring(&app, "fr");
        let login = sign_in_page(&mut browser, &[("ui_locales", "ja de-CH")]).await;
        assert_eq!(login.status, 200);
        assert_language(&login, "de", "<h1>Anmelden</h1>");
        assert!(login.body.contains("um mit <strong>"), "{}", login.body);
        // The form's ids and names are the same in every language.
        assert!(login.body.contains("id=\"email\" name=\"email\""));

        let wrong = browser
            .submit_login(&login, USER_EMAIL, "wrong password")
            .await
            .unwrap();
        assert_language(&wrong, "de", "E-Mail-Adresse oder Passwort ist falsch.");

        // The refusal is a sign-in form again, carrying the request (and its ui_locales).
        let consent = browser
            .submit_login(&wrong, USER_EMAIL, USER_PASSWORD)
            .await
            .expect("the consent page");
        assert_language(&consent, "de", "<h1>Zugriff erlauben?</h1>");
        assert!(consent.body.contains("Wissen, wer Sie sind"));
        assert!(!consent.body.contains("Allow access"));
    }
}

#[tokio::test]
async fn ui_locales_stay_through_the_second_step() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let enrolment = enrolled_user(&app).await;
        let mut browser = app.browser();
        // prompt=consent: enrolling consented already, and the consent page is the last stop.
        let asked = [("ui_locales", "fr"), ("prompt", "consent")];
        let login = sign_in_page(&mut browser, &asked).await;
        assert_language(&login, "fr", "<h1>Connexion</h1>");
        let totp = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert_language(&totp, "fr", "Code de votre application d’authentification");
        // The recovery hint and the wrong-code message too.
        assert!(totp.body.contains("Appareil perdu"), "{}", totp.body);
        let wrong = submit_code(
            &mut browser,
            &totp,
            &wrong_code(&enrolment.secret, app.clock_now()),
        )
        .await;
        assert_language(&wrong, "fr", "Ce code n’est pas valide.");

        let code = code_at(&enrolment.secret, app.clock_now());
        let next = submit_code(&mut browser, &wrong, &code).await;
        let consent = browser.follow(next).await.unwrap();
        assert_language(&consent, "fr", "<h1>Autoriser l’accès\u{a0}?</h1>");
    }
}

#[tokio::test]
async fn ui_locales_stay_through_enrolment_demanded_by_an_application() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let start = browser
            .get(&authorize_url(
                MFA_CLIENT,
                MFA_REDIRECT,
                &[("ui_locales", "de")],
            ))
            .await;
        let login = browser.follow(start).await.unwrap();
        assert_language(&login, "de", "<strong>Bank</strong>");
        let enrolment = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert_language(
            &enrolment,
            "de",
            "<strong>Bank</strong> verlangt die Bestätigung in zwei Schritten.",
        );
        assert!(enrolment.body.contains("id=\"totp-secret\""));
        assert!(enrolment.body.contains("Scannen Sie diesen QR-Code"));

        let query = enrolment.form_action();
        let query = &query[query.find('?').unwrap()..];
        let enrolled = enrol_with_query(&app, &mut browser, query).await;
        assert_language(&enrolled.page, "de", "Weiter zu Bank");
    }
}

#[tokio::test]
async fn accept_language_chooses_when_the_client_does_not() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = browser_preferring(&app, "de;q=0.5, fr-CH, en;q=0.8");
        let login = sign_in_page(&mut browser, &[]).await;
        assert_language(&login, "fr", "<h1>Connexion</h1>");

        // Error pages too, though they are made without the request.
        let error = browser.get("/authorize?response_type=code").await;
        assert_eq!(error.status, 400);
        assert_language(&error, "fr", "La demande ne contient pas de client_id.");
        assert!(
            error
                .body
                .contains("Demande de connexion invalide – Tessera")
        );
        assert!(error.header("content-security-policy").is_some());

        // Nothing asked: English.
        let mut plain = app.browser();
        let login = sign_in_page(&mut plain, &[]).await;
        assert_language(&login, "en", "<h1>Sign in</h1>");
    }
}

#[tokio::test]
async fn default_locale_applies_when_nobody_asks() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with_toml(backend, "default_locale = \"de\"\n").await;
        let mut browser = app.browser();
        let login = sign_in_page(&mut browser, &[]).await;
        assert_language(&login, "de", "<h1>Anmelden</h1>");
        let error = browser.get("/authorize").await;
        assert_language(&error, "de", "Ungültige Anmeldeanfrage");

        // Unsupported or refused languages leave the default in place.
        let mut browser = browser_preferring(&app, "ja, en;q=0");
        let login = sign_in_page(&mut browser, &[]).await;
        assert_language(&login, "de", "<h1>Anmelden</h1>");
    }
}

#[tokio::test]
async fn logout_pages_follow_the_logout_requests_ui_locales() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let mut browser = app.browser();
    browser
        .sign_in_at(&authorize_url("confidential", REDIRECT, &[]))
        .await;
    let confirm = browser
        .get("/logout?client_id=confidential&ui_locales=fr")
        .await;
    assert_language(&confirm, "fr", "<h1>Se déconnecter\u{a0}?</h1>");
    // The confirmation carries the language to the page after it.
    assert_eq!(confirm.hidden("ui_locales"), "fr");
    let csrf = confirm.hidden("csrf_token");
    let done = browser
        .post_form(
            "/logout",
            &[
                ("csrf_token", &csrf),
                ("confirm", "yes"),
                ("client_id", "confidential"),
                ("ui_locales", "fr"),
            ],
        )
        .await;
    assert_language(&done, "fr", "Vous êtes déconnecté");

    let refused = browser.get("/logout?client_id=nobody&ui_locales=de").await;
    assert_eq!(refused.status, 400);
    assert_language(&refused, "de", "Ungültige Abmeldeanfrage");
}

#[tokio::test]
async fn discovery_lists_the_supported_ui_locales() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let metadata = discovery_json(&app).await;
    assert_eq!(
        metadata["ui_locales_supported"],
        serde_json::json!(["en", "de", "fr"])
    );
}

/// The language each sign-in was made in is the user's mail's from then on: written when it
/// changes, on the authorization step's connection (issue 30).
#[tokio::test]
async fn the_language_of_the_last_sign_in_is_remembered_for_the_users_mail() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut stored = Vec::new();
        for language in ["de", "de", "fr", "en"] {
            let mut browser = app.browser();
            let login = sign_in_page(&mut browser, &[("ui_locales", language)]).await;
            let consent = browser
                .submit_login(&login, USER_EMAIL, USER_PASSWORD)
                .await
                .unwrap();
            assert_eq!(consent.status, 200, "the consent page");
            stored.push(app.store.user_locale(&user_id).await.unwrap());
        }
        let expected = ["de", "de", "fr", "en"].map(|l| Some(l.to_string()));
        assert_eq!(stored, expected, "{backend:?}");
    }
}
