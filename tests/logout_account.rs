//! RP-Initiated Logout, the account page (sessions and consents), and the purge.
mod common;

use common::*;
use serde_json::Value;

fn logout_url(pairs: &[(&str, &str)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/logout?{query}")
}

async fn signed_in_with_offline_tokens(app: &TestApp) -> (Browser, Value) {
    let mut browser = app.browser();
    let tokens = offline_tokens(app, &mut browser).await;
    (browser, tokens)
}

async fn is_signed_in(browser: &mut Browser) -> bool {
    let page = browser
        .get(&authorize_url(
            "confidential",
            REDIRECT,
            &[("prompt", "none")],
        ))
        .await;
    !page
        .location()
        .unwrap_or_default()
        .contains("login_required")
}

#[tokio::test]
async fn logout_with_a_hint_for_this_session_signs_out_and_redirects() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let (mut browser, tokens) = signed_in_with_offline_tokens(&app).await;
        let hint = tokens["id_token"].as_str().unwrap();
        let page = browser
            .get(&logout_url(&[
                ("id_token_hint", hint),
                ("post_logout_redirect_uri", POST_LOGOUT),
                ("state", "bye-1"),
                ("ui_locales", "fr-CA <script>"),
            ]))
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
        assert_eq!(
            page.location().unwrap(),
            format!("{POST_LOGOUT}?state=bye-1")
        );
        assert!(!is_signed_in(&mut browser).await);
        // This client's refresh token bound to that session is revoked (the default).
        assert_eq!(
            refresh(&app, tokens["refresh_token"].as_str().unwrap(), None)
                .await
                .status(),
            400
        );
    }
}

#[tokio::test]
async fn logout_without_a_hint_asks_for_confirmation() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let (mut browser, _) = signed_in_with_offline_tokens(&app).await;
        let page = browser
            .get(&logout_url(&[
                ("client_id", "confidential"),
                ("post_logout_redirect_uri", POST_LOGOUT),
                ("state", "s"),
            ]))
            .await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Sign out?"));
        assert!(
            is_signed_in(&mut browser).await,
            "nothing happens before confirmation"
        );

        // A forged confirmation (no CSRF token) is not a confirmation.
        let forged = browser
            .post_form(
                "/logout",
                &[("confirm", "yes"), ("client_id", "confidential")],
            )
            .await;
        assert!(forged.body.contains("Sign out?"));
        assert!(is_signed_in(&mut browser).await);

        let csrf = page.hidden("csrf_token");
        let done = browser
            .post_form(
                "/logout",
                &[
                    ("csrf_token", &csrf),
                    ("confirm", "yes"),
                    ("client_id", "confidential"),
                    ("post_logout_redirect_uri", POST_LOGOUT),
                    ("state", "s"),
                ],
            )
            .await;
        assert_eq!(done.location().unwrap(), format!("{POST_LOGOUT}?state=s"));
        assert!(!is_signed_in(&mut browser).await);
    }
}

#[tokio::test]
async fn an_unregistered_post_logout_redirect_uri_is_never_followed() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let (mut browser, tokens) = signed_in_with_offline_tokens(&app).await;
        let hint = tokens["id_token"].as_str().unwrap();
        for bad in [
            "https://evil.example.com/",
            "https://app.example.com/signed-out/",
            REDIRECT,
        ] {
            let page = browser
                .get(&logout_url(&[
                    ("client_id", "confidential"),
                    ("post_logout_redirect_uri", bad),
                ]))
                .await;
            assert!(page.location().is_none(), "{bad}");
        }
        // Without any client, no redirect either.
        let page = browser
            .get(&logout_url(&[("post_logout_redirect_uri", POST_LOGOUT)]))
            .await;
        assert!(page.location().is_none());
        // The hint names the client; a contradicting client_id is refused outright.
        let page = browser
            .get(&logout_url(&[
                ("id_token_hint", hint),
                ("client_id", "post-client"),
            ]))
            .await;
        assert_eq!(page.status, 400);
        // A forged hint is refused outright.
        let page = browser
            .get(&logout_url(&[(
                "id_token_hint",
                "eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.",
            )]))
            .await;
        assert_eq!(page.status, 400);
        assert!(is_signed_in(&mut browser).await);
        // Signed in after signing out with a bad URI: the plain page, no redirect.
        let page = browser
            .get(&logout_url(&[
                ("id_token_hint", hint),
                ("post_logout_redirect_uri", "https://evil.example.com/"),
            ]))
            .await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("You are signed out"), "{}", page.body);
        assert!(!is_signed_in(&mut browser).await);
    }
}

#[tokio::test]
async fn an_expired_hint_identifies_the_client_but_needs_confirmation() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let (mut browser, tokens) = signed_in_with_offline_tokens(&app).await;
        let hint = tokens["id_token"].as_str().unwrap();
        app.clock.advance(3600); // the ID token has expired; the session has not
        let page = browser
            .get(&logout_url(&[
                ("id_token_hint", hint),
                ("post_logout_redirect_uri", POST_LOGOUT),
            ]))
            .await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("Confidential App"),
            "client named from the hint"
        );
        assert!(is_signed_in(&mut browser).await);
        let csrf = page.hidden("csrf_token");
        let done = browser
            .post_form(
                "/logout",
                &[
                    ("csrf_token", &csrf),
                    ("confirm", "yes"),
                    ("id_token_hint", hint),
                    ("post_logout_redirect_uri", POST_LOGOUT),
                ],
            )
            .await;
        assert_eq!(done.location().unwrap(), POST_LOGOUT);
    }
}

#[tokio::test]
async fn logging_out_of_one_app_keeps_other_apps_offline_tokens() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let (mut browser, confidential) = signed_in_with_offline_tokens(&app).await;
        // The public app gets offline access in the same browser session.
        let code = obtain_offline_code(&mut browser, "public", PUBLIC_REDIRECT).await;
        let public: Value = token_request(
            &app,
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", PUBLIC_REDIRECT),
                ("code_verifier", VERIFIER),
                ("client_id", "public"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
        let hint = confidential["id_token"].as_str().unwrap();
        browser.get(&logout_url(&[("id_token_hint", hint)])).await;
        assert_eq!(
            refresh(&app, confidential["refresh_token"].as_str().unwrap(), None)
                .await
                .status(),
            400
        );
        let public_refresh = token_request(
            &app,
            None,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", public["refresh_token"].as_str().unwrap()),
                ("client_id", "public"),
            ],
        )
        .await;
        assert_eq!(
            public_refresh.status(),
            200,
            "the other app's offline access survives"
        );
    }
}

#[tokio::test]
async fn account_page_lists_sessions_and_ends_one() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let (mut laptop, _) = signed_in_with_offline_tokens(&app).await;
        let (mut phone, phone_tokens) = signed_in_with_offline_tokens(&app).await;

        // Without a session the account page sends you to sign in, then back.
        let mut stranger = app.browser();
        let page = stranger.get("/account").await;
        assert_eq!(page.location().unwrap(), "/login");
        let login = stranger.get("/login").await;
        let account = stranger
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(account.body.contains("Your account"), "{}", account.body);

        let page = laptop.get("/account").await;
        assert_eq!(page.status, 200);
        assert_eq!(page.body.matches("name=\"session\"").count(), 3);
        assert!(page.body.contains("(this browser)"));
        assert!(page.body.contains("Confidential App"));

        // End the phone's session from the laptop.
        let phone_handle = {
            let phone_page = phone.get("/account").await;
            let marker = "(this browser)";
            let at = phone_page.body.find(marker).unwrap();
            let after = &phone_page.body[at..];
            let key = "name=\"session\" value=\"";
            let start = after.find(key).unwrap() + key.len();
            after[start..start + after[start..].find('"').unwrap()].to_string()
        };
        let csrf = page.hidden("csrf_token");
        let done = laptop
            .post_form(
                "/account/sessions/end",
                &[("csrf_token", &csrf), ("session", &phone_handle)],
            )
            .await;
        assert_eq!(done.location().unwrap(), "/account");
        assert!(!is_signed_in(&mut phone).await);
        assert!(is_signed_in(&mut laptop).await);
        // The phone session's refresh tokens went with it.
        assert_eq!(
            refresh(&app, phone_tokens["refresh_token"].as_str().unwrap(), None)
                .await
                .status(),
            400
        );

        // CSRF applies to the account forms too.
        let forged = laptop
            .post_form("/account/sessions/end", &[("session", &phone_handle)])
            .await;
        assert_eq!(forged.status, 403);
    }
}

#[tokio::test]
async fn withdrawing_consent_revokes_refresh_tokens_and_asks_again() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let (mut browser, tokens) = signed_in_with_offline_tokens(&app).await;
        let page = browser.get("/account").await;
        let csrf = page.hidden("csrf_token");
        let done = browser
            .post_form(
                "/account/consents/withdraw",
                &[("csrf_token", &csrf), ("client_id", "confidential")],
            )
            .await;
        assert_eq!(done.location().unwrap(), "/account");
        assert_eq!(
            refresh(&app, tokens["refresh_token"].as_str().unwrap(), None)
                .await
                .status(),
            400
        );
        let again = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        assert!(again.location().unwrap().starts_with("/consent?"));
        let page = browser.get("/account").await;
        assert!(page.body.contains("No apps yet."));
    }
}

#[tokio::test]
async fn purge_removes_what_has_expired_and_nothing_else() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let (mut browser, tokens) = signed_in_with_offline_tokens(&app).await;
        client_post(
            &app,
            "/revoke",
            ("confidential", CONFIDENTIAL_SECRET),
            &[("token", tokens["access_token"].as_str().unwrap())],
        )
        .await;
        let now = START;
        let nothing = app.store.purge_expired(now, &[]).await.unwrap();
        assert_eq!(nothing, Default::default());
        assert!(is_signed_in(&mut browser).await);

        // After every lifetime has run out, everything goes.
        let later = now + 31 * 24 * 3600;
        let purged = app.store.purge_expired(later, &[]).await.unwrap();
        assert_eq!(
            purged.codes, 2,
            "the sign-in's code and the prompt=none probe's"
        );
        assert_eq!(purged.sessions, 1);
        assert_eq!(purged.refresh_tokens, 1);
        assert_eq!(purged.revoked_access_tokens, 1);
    }
}
