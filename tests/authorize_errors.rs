//! Bad authorization requests: until client and redirect_uri are trusted the user gets an
//! error page and no redirect; after that, the error goes back to the client (RFC 6749 §4.1.2.1).
mod common;

use common::*;

async fn assert_error_page(browser: &mut Browser, url: &str) {
    let page = browser.get(url).await;
    assert_eq!(page.status, 400, "{url}");
    assert!(page.location().is_none(), "must not redirect: {url}");
    assert!(page.body.contains("Invalid sign-in request"), "{url}");
}

async fn assert_error_redirect(browser: &mut Browser, url: &str, error: &str) {
    let page = browser.get(url).await;
    assert_eq!(page.status, 303, "{url}");
    let location = page.location().unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    let params = query_of(&location);
    assert_eq!(params["error"], error, "{url}");
    assert_eq!(params["state"], "st-123");
    assert!(params.contains_key("iss"));
    assert!(!params.contains_key("code"));
}

#[tokio::test]
async fn unregistered_redirect_uris_get_an_error_page_and_no_location() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = app.browser();
        for redirect in [
            "https://evil.example.com/cb",
            "http://127.0.0.1:8765/cb/extra",
            "http://127.0.0.1:8765/c",
            "http://127.0.0.1:8765/CB",
            "HTTP://127.0.0.1:8765/cb",
            "http://127.0.0.1:8765/cb?added=query",
            "http://127.0.0.1:8765/cb#fragment",
            "http://127.0.0.1:8765/cb/../cb",
            "http://127.0.0.1:8765/%63b",
            "http://127.0.0.1:8765@evil.example.com/cb",
            "http://127.0.0.1:8765.evil.example.com/cb",
            "http://localhost:8765/cb",
            "https://app.example.com/cb/",
            "https://app.example.com.evil.example/cb",
            "https://app.example.com\\@evil.example/cb",
            "https://APP.example.com/cb",
            "https://app.example.com:443/cb",
            "https://xn--pple-43d.example.com/cb",
            "//evil.example.com/cb",
            "javascript:alert(1)",
        ] {
            assert_error_page(&mut browser, &authorize_url("confidential", redirect, &[])).await;
        }
    }
}

#[tokio::test]
async fn unknown_or_missing_client_and_missing_redirect_get_an_error_page() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = app.browser();
        assert_error_page(&mut browser, &authorize_url("nobody", REDIRECT, &[])).await;
        assert_error_page(&mut browser, "/authorize?response_type=code&scope=openid").await;
        assert_error_page(
            &mut browser,
            "/authorize?client_id=confidential&response_type=code&scope=openid",
        )
        .await;
        // A second redirect_uri could be used to smuggle an attacker's URI past a check.
        let twice = format!(
            "{}&redirect_uri=https%3A%2F%2Fevil.example.com%2Fcb",
            authorize_url("confidential", REDIRECT, &[])
        );
        assert_error_page(&mut browser, &twice).await;
        assert_error_page(&mut browser, "/authorize").await;
    }
}

#[tokio::test]
async fn pkce_is_required_and_only_s256() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = app.browser();
        let base = authorize_url("confidential", REDIRECT, &[]);
        let missing = base.replace(
            &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
            "",
        );
        assert_error_redirect(&mut browser, &missing, "invalid_request").await;
        let plain = base.replace("code_challenge_method=S256", "code_challenge_method=plain");
        assert_error_redirect(&mut browser, &plain, "invalid_request").await;
        let no_method = base.replace("&code_challenge_method=S256", "");
        assert_error_redirect(&mut browser, &no_method, "invalid_request").await;
        let short = base.replace(CHALLENGE, "abc");
        assert_error_redirect(&mut browser, &short, "invalid_request").await;
    }
}

#[tokio::test]
async fn other_request_errors_redirect_with_the_rfc_code() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = app.browser();
        let base = authorize_url("confidential", REDIRECT, &[]);
        assert_error_redirect(
            &mut browser,
            &base.replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        )
        .await;
        assert_error_redirect(
            &mut browser,
            &base.replace("&response_type=code", ""),
            "invalid_request",
        )
        .await;
        assert_error_redirect(
            &mut browser,
            &base.replace("scope=openid+email+profile", "scope=email"),
            "invalid_scope",
        )
        .await;
        assert_error_redirect(
            &mut browser,
            &format!("{base}&prompt=none+login"),
            "invalid_request",
        )
        .await;
        assert_error_redirect(
            &mut browser,
            &format!("{base}&max_age=soon"),
            "invalid_request",
        )
        .await;
        assert_error_redirect(
            &mut browser,
            &format!("{base}&request=eyJ"),
            "request_not_supported",
        )
        .await;
        assert_error_redirect(
            &mut browser,
            &format!("{base}&response_mode=fragment"),
            "invalid_request",
        )
        .await;
        assert_error_redirect(
            &mut browser,
            &format!("{base}&scope=openid"),
            "invalid_request",
        )
        .await;
        // Unknown parameters are ignored.
        let page = browser.get(&format!("{base}&unknown_thing=1")).await;
        assert!(page.location().unwrap().starts_with("/login?"));
    }
}

#[tokio::test]
async fn prompt_none_without_a_session_answers_login_required() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = app.browser();
        let url = authorize_url("confidential", REDIRECT, &[("prompt", "none")]);
        assert_error_redirect(&mut browser, &url, "login_required").await;
    }
}

#[tokio::test]
async fn prompt_none_with_a_session_but_no_consent_answers_consent_required() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let start = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let login = browser.follow(start).await.unwrap();
        let consent = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(consent.body.contains("Allow"));
        let url = authorize_url("confidential", REDIRECT, &[("prompt", "none")]);
        assert_error_redirect(&mut browser, &url, "consent_required").await;
        // After consent, prompt=none succeeds silently.
        let consent = browser.get(&consent_url()).await;
        browser.submit_consent(&consent, "allow").await;
        let page = browser.get(&url).await;
        assert!(query_of(&page.location().unwrap()).contains_key("code"));
    }
}

fn consent_url() -> String {
    authorize_url("confidential", REDIRECT, &[]).replace("/authorize?", "/consent?")
}

#[tokio::test]
async fn deny_redirects_with_access_denied_and_issues_nothing() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let start = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let login = browser.follow(start).await.unwrap();
        let consent = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let denied = browser.submit_consent(&consent, "deny").await;
        let params = query_of(&denied.location().unwrap());
        assert_eq!(params["error"], "access_denied");
        assert!(!params.contains_key("code"));
        // Nothing was remembered: the next request asks again.
        let again = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        assert!(again.location().unwrap().starts_with("/consent?"));
    }
}

#[tokio::test]
async fn consent_is_remembered_and_asked_again_for_new_scopes() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let narrow = |extra: &[(&str, &str)]| {
            authorize_url("confidential", REDIRECT, extra)
                .replace("scope=openid+email+profile", "scope=openid+email")
        };
        let start = browser.get(&narrow(&[])).await;
        let login = browser.follow(start).await.unwrap();
        let consent = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(!consent.body.contains("See your name"));
        browser.submit_consent(&consent, "allow").await;
        // Same scopes: no consent page.
        let again = browser.get(&narrow(&[])).await;
        assert!(again.location().unwrap().starts_with(REDIRECT));
        // A new scope: asked again, listing it.
        let wider = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let page = browser.follow(wider).await.unwrap();
        assert!(page.body.contains("See your name"), "{}", page.body);
        // prompt=consent always asks.
        let forced = browser.get(&narrow(&[("prompt", "consent")])).await;
        assert!(forced.location().unwrap().starts_with("/consent?"));
    }
}

#[tokio::test]
async fn prompt_login_and_max_age_force_a_new_sign_in() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        assert!(!code.is_empty());

        let forced = browser
            .get(&authorize_url(
                "confidential",
                REDIRECT,
                &[("prompt", "login")],
            ))
            .await;
        let login = browser.follow(forced).await.unwrap();
        assert!(login.body.contains("name=\"password\""));
        app.clock.advance(30);
        let sent_to = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap_err();
        let code = query_of(&sent_to)["code"].clone();
        let tokens: serde_json::Value = exchange(&app, &code).await.json().await.unwrap();
        assert!(tokens["id_token"].is_string());

        app.clock.advance(120);
        let stale = browser
            .get(&authorize_url(
                "confidential",
                REDIRECT,
                &[("max_age", "60")],
            ))
            .await;
        assert!(stale.location().unwrap().starts_with("/login?"));
        let fresh = browser
            .get(&authorize_url(
                "confidential",
                REDIRECT,
                &[("max_age", "600")],
            ))
            .await;
        assert!(fresh.location().unwrap().starts_with(REDIRECT));
    }
}

#[tokio::test]
async fn login_hint_prefills_the_email() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = app.browser();
        let start = browser
            .get(&authorize_url(
                "confidential",
                REDIRECT,
                &[("login_hint", "grace@example.com")],
            ))
            .await;
        let login = browser.follow(start).await.unwrap();
        assert!(
            login.body.contains("value=\"grace@example.com\""),
            "{}",
            login.body
        );
    }
}

#[tokio::test]
async fn post_to_authorize_works_like_get() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = app.browser();
        let url = authorize_url("confidential", REDIRECT, &[]);
        let query = url.trim_start_matches("/authorize?");
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let fields: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let page = browser.post_form("/authorize", &fields).await;
        assert_eq!(page.status, 303);
        assert!(page.location().unwrap().starts_with("/login?"));
    }
}

#[tokio::test]
async fn the_consent_page_cannot_skip_a_demanded_sign_in() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        app.clock.advance(120);
        let post = "https://post.example.com/cb";
        for demand in [("prompt", "login"), ("max_age", "60")] {
            let direct =
                authorize_url("post-client", post, &[demand]).replace("/authorize?", "/consent?");
            let page = browser.get(&direct).await;
            assert!(
                page.location().unwrap().starts_with("/login?"),
                "{demand:?}"
            );
            let csrf = browser.cookies.get("tessera_csrf").cloned().unwrap();
            let posted = browser
                .post_form(&direct, &[("csrf_token", &csrf), ("decision", "allow")])
                .await;
            assert!(
                posted.location().unwrap().starts_with("/login?"),
                "{demand:?}"
            );
        }
        // The honest path: sign in again, then consent, with no loop back to the login page.
        let start = browser
            .get(&authorize_url(
                "post-client",
                post,
                &[("prompt", "login"), ("max_age", "0")],
            ))
            .await;
        let login = browser.follow(start).await.unwrap();
        let consent = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(consent.body.contains("Allow"), "{}", consent.body);
        let done = browser.submit_consent(&consent, "allow").await;
        assert!(query_of(&done.location().unwrap()).contains_key("code"));
    }
}
