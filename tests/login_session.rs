//! The login page and the session it creates: CSRF, generic failures, cookie attributes,
//! no session fixation, sessions stored hashed, disabled users kept out.
mod common;

const ADA: tessera::service::admin::UserKey<'static> =
    tessera::service::admin::UserKey::Email(USER_EMAIL);

use common::*;
use tessera::auth::secret::hash;

async fn login_page(browser: &mut Browser) -> Page {
    let start = browser
        .get(&authorize_url("confidential", REDIRECT, &[]))
        .await;
    browser.follow(start).await.unwrap()
}

fn session_cookie(browser: &Browser) -> Option<String> {
    browser
        .cookies
        .iter()
        .find(|(name, _)| name.ends_with("tessera_session"))
        .map(|(_, value)| value.clone())
}

#[tokio::test]
async fn login_without_a_valid_csrf_token_is_refused_and_creates_no_session() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let page = login_page(&mut browser).await;
        let action = page.form_action();
        for token in [None, Some("forged-token")] {
            let mut fields = vec![("email", USER_EMAIL), ("password", USER_PASSWORD)];
            if let Some(t) = token {
                fields.push(("csrf_token", t));
            }
            let response = browser.post_form(&action, &fields).await;
            assert_eq!(response.status, 403, "{token:?}");
            assert!(response.location().is_none());
            assert!(session_cookie(&browser).is_none());
        }
        // Without the cookie half of the pair, the form's token alone is not enough.
        let token = page.hidden("csrf_token");
        browser.cookies.clear();
        let response = browser
            .post_form(
                &action,
                &[
                    ("csrf_token", &token),
                    ("email", USER_EMAIL),
                    ("password", USER_PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status, 403);
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let page = login_page(&mut browser).await;
        let wrong = browser
            .submit_login(&page, USER_EMAIL, "wrong password")
            .await
            .unwrap();
        let page = login_page(&mut browser).await;
        let unknown = browser
            .submit_login(&page, "nobody@example.com", "wrong password")
            .await
            .unwrap();
        assert_eq!(wrong.status, unknown.status);
        for response in [&wrong, &unknown] {
            assert!(
                response
                    .body
                    .contains("The email or password is incorrect.")
            );
            assert!(response.body.contains("name=\"password\""));
        }
        assert!(session_cookie(&browser).is_none());
        // Email is case-insensitive.
        let page = login_page(&mut browser).await;
        let ok = browser
            .submit_login(&page, "ADA@Example.com", USER_PASSWORD)
            .await
            .unwrap();
        assert!(ok.body.contains("Allow"));
    }
}

#[tokio::test]
async fn session_cookie_attributes_on_a_loopback_http_issuer() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let page = login_page(&mut browser).await;
        let csrf = page.hidden("csrf_token");
        let response = browser
            .post_form(
                &page.form_action(),
                &[
                    ("csrf_token", &csrf),
                    ("email", USER_EMAIL),
                    ("password", USER_PASSWORD),
                ],
            )
            .await;
        let cookie = response
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("tessera_session="))
            .expect("session cookie");
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        assert!(!cookie.contains("Domain"), "{cookie}");
    }
}

#[tokio::test]
async fn session_cookie_is_host_prefixed_and_secure_on_an_https_issuer() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |config| {
            config.issuer = "https://id.example.com".into();
        })
        .await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let page = login_page(&mut browser).await;
        assert!(browser.cookies.contains_key("__Host-tessera_csrf"));
        let csrf = page.hidden("csrf_token");
        let response = browser
            .post_form(
                &page.form_action(),
                &[
                    ("csrf_token", &csrf),
                    ("email", USER_EMAIL),
                    ("password", USER_PASSWORD),
                ],
            )
            .await;
        let cookie = response
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("__Host-tessera_session="))
            .expect("__Host- session cookie");
        for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        assert!(!cookie.contains("Domain"), "{cookie}");
    }
}

#[tokio::test]
async fn signing_in_issues_a_new_session_id_and_stores_only_its_hash() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        // An attacker plants a session id before the victim signs in.
        browser
            .cookies
            .insert("tessera_session".into(), "attacker-chosen-value".into());
        let page = login_page(&mut browser).await;
        browser
            .submit_login(&page, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let first = session_cookie(&browser).unwrap();
        assert_ne!(first, "attacker-chosen-value");
        let live = app
            .store
            .find_active_session(&hash(&first), START, 3600)
            .await
            .unwrap();
        assert!(live.is_some(), "stored under its hash");
        assert!(
            app.store
                .find_active_session(&first, START, 3600)
                .await
                .unwrap()
                .is_none(),
            "never stored raw"
        );

        // Signing in again (prompt=login) replaces the session; the old id is dead.
        let forced = browser
            .get(&authorize_url(
                "confidential",
                REDIRECT,
                &[("prompt", "login")],
            ))
            .await;
        let page = browser.follow(forced).await.unwrap();
        browser
            .submit_login(&page, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let second = session_cookie(&browser).unwrap();
        assert_ne!(first, second);
        assert!(
            app.store
                .find_active_session(&hash(&first), START, 3600)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn sessions_expire_when_idle_and_at_their_absolute_limit() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |config| {
            config.session_idle_ttl = 600;
            config.session_absolute_ttl = 1000;
        })
        .await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let page = login_page(&mut browser).await;
        browser
            .submit_login(&page, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let url = authorize_url("confidential", REDIRECT, &[]);
        // Activity keeps it alive...
        app.clock.advance(500);
        assert!(
            browser
                .get(&url)
                .await
                .location()
                .unwrap()
                .starts_with("/consent")
        );
        app.clock.advance(500);
        // ...but not past the absolute limit.
        assert!(
            browser
                .get(&url)
                .await
                .location()
                .unwrap()
                .starts_with("/login")
        );

        let mut idle = app.browser();
        let page = login_page(&mut idle).await;
        idle.submit_login(&page, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        app.clock.advance(601);
        assert!(
            idle.get(&url)
                .await
                .location()
                .unwrap()
                .starts_with("/login")
        );
    }
}

#[tokio::test]
async fn disabled_users_cannot_sign_in_and_lose_their_sessions() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let page = login_page(&mut browser).await;
        browser
            .submit_login(&page, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        tessera::service::admin::access::set_disabled(&app.state, ADA, true, START)
            .await
            .unwrap();
        let page = login_page(&mut browser).await;
        assert!(page.body.contains("name=\"password\""), "session ended");
        let refused = browser
            .submit_login(&page, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(refused.body.contains("The email or password is incorrect."));
    }
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = app.browser();
        let page = login_page(&mut browser).await;
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(
            csp.contains("form-action 'self' http://127.0.0.1:8765"),
            "{csp}"
        );
        assert_eq!(page.header("x-frame-options").unwrap(), "DENY");
        assert_eq!(page.header("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(page.header("referrer-policy").unwrap(), "no-referrer");
        assert_eq!(page.header("cache-control").unwrap(), "no-store");
        assert!(page.header("access-control-allow-origin").is_none());
    }
}
