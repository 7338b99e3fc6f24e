//! Regression tests for the security review's findings, each named after the attack it stops
//! and run on SQLite and PostgreSQL. docs/security.md lists them with the defence they prove.
mod common;

use common::mfa::*;
use common::*;
use serde_json::Value;

/// Sends the same request `n` times at once; returns the statuses.
async fn burst(n: usize, request: impl Fn() -> reqwest::RequestBuilder) -> Vec<u16> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let request = request();
        set.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    set.join_all().await
}

fn cookie_header(browser: &Browser) -> String {
    browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

// 1. Parallel guessing beats the login limit.

#[tokio::test]
async fn thirty_parallel_password_guesses_get_at_most_the_limit_evaluated() {
    for backend in Backend::all() {
        // A pool as large as a 16-core host has: without the reservation every guess ran.
        let app = TestApp::spawn_with(backend, |c| {
            c.password_hash_concurrency = 16;
            c.password_hash_queue = 64;
        })
        .await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let start = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let login = browser.follow(start).await.unwrap();
        let (action, csrf, cookies) = (
            app.url(&login.form_action()),
            login.hidden("csrf_token"),
            cookie_header(&browser),
        );
        let before = app.state.passwords().verifications();
        let http = reqwest::Client::new();
        let statuses = burst(30, || {
            http.post(&action).header("cookie", &cookies).form(&[
                ("csrf_token", csrf.as_str()),
                ("email", USER_EMAIL),
                ("password", "wrong guess"),
            ])
        })
        .await;
        let evaluated = app.state.passwords().verifications() - before;
        assert!(
            evaluated <= 5,
            "{evaluated} guesses evaluated: {statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 429).count() as u64,
            30 - evaluated,
            "{backend:?}: {statuses:?}"
        );
        // The account is locked now, for the right password too.
        let page = browser.get(&login.form_action()).await;
        let locked = browser
            .post_form(
                &page.form_action(),
                &[
                    ("csrf_token", &page.hidden("csrf_token")),
                    ("email", USER_EMAIL),
                    ("password", USER_PASSWORD),
                ],
            )
            .await;
        assert_eq!(locked.status, 429);
    }
}

#[tokio::test]
async fn thirty_parallel_client_secret_guesses_get_at_most_the_limit_evaluated() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| {
            c.password_hash_concurrency = 16;
            c.password_hash_queue = 64;
            c.client_max_auth_failures = 10; // two per address
        })
        .await;
        let before = app.state.passwords().verifications();
        let http = reqwest::Client::new();
        let url = app.url("/token");
        let statuses = burst(30, || {
            http.post(&url)
                .basic_auth("confidential", Some("wrong secret"))
                .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        })
        .await;
        let evaluated = app.state.passwords().verifications() - before;
        assert!(
            evaluated <= 2,
            "{evaluated} guesses evaluated: {statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 401).count() as u64,
            evaluated
        );
    }
}

// 2. Turning on TOTP needs no re-authentication and mints a fresh two-factor session.

#[tokio::test]
async fn a_stolen_password_only_cookie_cannot_enrol_an_authenticator() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        sign_in_with_password(&app, &mut browser).await;
        // Later, someone holding only the cookie enrols their own authenticator.
        app.clock.advance(10 * 60);
        let page = browser.get("/account/mfa").await;
        assert!(page.body.contains("name=\"password\""), "{}", page.body);
        let code = code_at(&secret_on(&page), app.clock_now());
        let csrf = page.hidden("csrf_token");
        let refused = browser
            .post_form(
                "/account/mfa/enable",
                &[("csrf_token", &csrf), ("code", &code)],
            )
            .await;
        assert!(
            refused.body.contains("Enter your password"),
            "{}",
            refused.body
        );
        assert!(recovery_codes_on(&refused).is_empty());
        let wrong = browser
            .post_form(
                "/account/mfa/enable",
                &[
                    ("csrf_token", &csrf),
                    ("code", &code),
                    ("password", "guess"),
                ],
            )
            .await;
        assert!(recovery_codes_on(&wrong).is_empty());
        let user = app
            .store
            .find_user_by_email(USER_EMAIL)
            .await
            .unwrap()
            .unwrap();
        assert!(!app.store.totp_enabled(&user.id).await.unwrap());
        // The owner, with the password, can.
        let done = browser
            .post_form(
                "/account/mfa/enable",
                &[
                    ("csrf_token", &csrf),
                    ("code", &code),
                    ("password", USER_PASSWORD),
                ],
            )
            .await;
        assert_eq!(recovery_codes_on(&done).len(), 10, "{}", done.body);
    }
}

#[tokio::test]
async fn enrolling_does_not_refresh_auth_time_for_an_apps_max_age() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        sign_in_with_password(&app, &mut browser).await;
        let signed_in_at = app.clock_now();
        app.clock.advance(60);
        enrol(&app, &mut browser).await; // within reauth_max_age: no password needed
        app.clock.advance(60);
        // An app asking for a sign-in at most 90 s old must get a new sign-in, not the
        // enrolment's session passing as fresh.
        let start = browser
            .get(&authorize_url(
                "confidential",
                REDIRECT,
                &[("max_age", "90")],
            ))
            .await;
        assert!(start.location().unwrap().starts_with("/login?"));
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        let tokens: Value = exchange(&app, &code).await.json().await.unwrap();
        let id = jwt_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(id["auth_time"], signed_in_at);
        assert_eq!(id["amr"], serde_json::json!(["pwd", "otp"]));
    }
}

/// Five wrong codes on the recovery-codes form fill the account's code limit.
async fn fill_the_code_limit(app: &TestApp, browser: &mut Browser, secret: &str) {
    for _ in 0..5 {
        let page = browser.get("/account/mfa").await;
        browser
            .post_form(
                "/account/mfa/recovery-codes",
                &[
                    ("csrf_token", &page.hidden("csrf_token")),
                    ("code", &wrong_code(secret, app.clock_now())),
                    ("password", USER_PASSWORD),
                ],
            )
            .await;
    }
}

/// Posts the disable form with `password` and a code that is not checked unless the
/// password is right.
async fn disable_with(browser: &mut Browser, password: &str) -> Page {
    let page = browser.get("/account/mfa").await;
    browser
        .post_form(
            "/account/mfa/disable",
            &[
                ("csrf_token", &page.hidden("csrf_token")),
                ("password", password),
                ("code", "000000"),
            ],
        )
        .await
}

#[tokio::test]
async fn the_disable_form_is_no_password_oracle_once_the_code_limit_is_reached() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        sign_in_with_password(&app, &mut browser).await;
        let enrolment = enrol(&app, &mut browser).await;
        app.clock.advance(10 * 60);
        fill_the_code_limit(&app, &mut browser, &enrolment.secret).await;
        let wrong = disable_with(&mut browser, "not the password").await;
        let right = disable_with(&mut browser, USER_PASSWORD).await;
        assert_eq!(wrong.status, 429, "{}", wrong.body);
        assert_eq!(
            right.status, wrong.status,
            "the answer must not depend on the password"
        );
        let message = |page: &Page| page.body.contains("Too many attempts");
        assert!(message(&wrong) && message(&right));
    }
}

#[tokio::test]
async fn password_guesses_on_the_disable_form_are_throttled_like_a_sign_in() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        sign_in_with_password(&app, &mut browser).await;
        enrol(&app, &mut browser).await;
        for attempt in 0..5 {
            let refused = disable_with(&mut browser, &format!("guess {attempt}")).await;
            assert_eq!(refused.status, 200, "{}", refused.body);
        }
        let blocked = disable_with(&mut browser, USER_PASSWORD).await;
        assert_eq!(blocked.status, 429, "{}", blocked.body);
    }
}

// 3. On PostgreSQL a rotation racing a family revocation can leave a live token.

#[tokio::test]
async fn a_refresh_racing_a_family_revocation_leaves_no_live_token() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        for round in 0..15 {
            let first = offline_tokens(&app, &mut browser).await;
            let replaced = first["refresh_token"].as_str().unwrap().to_string();
            let (_, second) = refresh_json(&app, &replaced).await;
            let live = second["refresh_token"].as_str().unwrap().to_string();
            // Out of the grace window: presenting the replaced token revokes the family.
            app.clock.advance(10);
            let mut racers = tokio::task::JoinSet::new();
            for token in [live.clone(), replaced.clone(), live.clone(), live] {
                let url = app.url("/token");
                racers.spawn(async move {
                    let response = reqwest::Client::new()
                        .post(url)
                        .basic_auth("confidential", Some(CONFIDENTIAL_SECRET))
                        .form(&[("grant_type", "refresh_token"), ("refresh_token", &token)])
                        .send()
                        .await
                        .unwrap();
                    let status = response.status().as_u16();
                    (status, response.json::<Value>().await.unwrap())
                });
            }
            let results = racers.join_all().await;
            let mut access_tokens = vec![
                first["access_token"].as_str().unwrap().to_string(),
                second["access_token"].as_str().unwrap().to_string(),
            ];
            for (status, body) in results.iter().filter(|(s, _)| *s == 200) {
                let _ = status;
                access_tokens.push(body["access_token"].as_str().unwrap().to_string());
                let newest = body["refresh_token"].as_str().unwrap();
                assert_eq!(
                    refresh(&app, newest, None).await.status(),
                    400,
                    "round {round}: a token of the revoked family still refreshes"
                );
            }
            for token in &access_tokens {
                assert_eq!(
                    introspect(&app, token).await["active"],
                    false,
                    "round {round}: an access token of the revoked family is active"
                );
            }
        }
    }
}

async fn refresh_json(app: &TestApp, token: &str) -> (u16, Value) {
    let response = refresh(app, token, None).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

// 4. Logout revokes other apps' refresh tokens — the flag worked backwards.

/// Offline tokens for the confidential and the public client in one browser session.
async fn two_apps_signed_in(app: &TestApp) -> (Browser, Value, Value) {
    let mut browser = app.browser();
    let confidential = offline_tokens(app, &mut browser).await;
    let code = obtain_offline_code(&mut browser, "public", PUBLIC_REDIRECT).await;
    let public: Value = token_request(
        app,
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
    (browser, confidential, public)
}

async fn still_refreshes(app: &TestApp, client: &str, tokens: &Value) -> bool {
    let token = tokens["refresh_token"].as_str().unwrap();
    let response = match client {
        "public" => {
            token_request(
                app,
                None,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", token),
                    ("client_id", "public"),
                ],
            )
            .await
        }
        _ => refresh(app, token, None).await,
    };
    response.status() == 200
}

fn logout_url(pairs: &[(&str, &str)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/logout?{query}")
}

#[tokio::test]
async fn logout_through_an_app_that_keeps_refresh_tokens_revokes_nobodys() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| {
            let public = c.clients.iter_mut().find(|c| c.client_id == "public");
            public.unwrap().logout_revokes_refresh_tokens = false;
        })
        .await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let (mut browser, confidential, public) = two_apps_signed_in(&app).await;
        let hint = public["id_token"].as_str().unwrap();
        let done = browser.get(&logout_url(&[("id_token_hint", hint)])).await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(still_refreshes(&app, "public", &public).await);
        assert!(still_refreshes(&app, "confidential", &confidential).await);
    }
}

#[tokio::test]
async fn logout_naming_no_app_revokes_no_offline_access() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let (mut browser, confidential, public) = two_apps_signed_in(&app).await;
        let confirm = browser.get("/logout").await;
        let done = browser
            .post_form(
                "/logout",
                &[
                    ("csrf_token", &confirm.hidden("csrf_token")),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(still_refreshes(&app, "public", &public).await);
        assert!(still_refreshes(&app, "confidential", &confidential).await);
    }
}

#[tokio::test]
async fn logout_through_an_app_that_revokes_revokes_only_its_own() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let (mut browser, confidential, public) = two_apps_signed_in(&app).await;
        let hint = confidential["id_token"].as_str().unwrap();
        browser.get(&logout_url(&[("id_token_hint", hint)])).await;
        assert!(!still_refreshes(&app, "confidential", &confidential).await);
        assert!(still_refreshes(&app, "public", &public).await);
    }
}

// 5. Public clients are re-approved silently.

#[tokio::test]
async fn an_attackers_authorization_url_for_a_public_client_is_not_approved_silently() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        // The victim approved the public app once.
        let start = browser
            .get(&authorize_url("public", PUBLIC_REDIRECT, &[]))
            .await;
        let login = browser.follow(start).await.unwrap();
        let consent = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let done = browser.submit_consent(&consent, "allow").await;
        assert!(done.location().unwrap().contains("code="));
        // The attacker's URL (their own PKCE challenge) opened in the victim's browser.
        let attack = browser
            .get(&authorize_url("public", PUBLIC_REDIRECT, &[]))
            .await;
        assert!(
            attack.location().unwrap().starts_with("/consent?"),
            "{:?}",
            attack.location()
        );
        let silent = browser
            .get(&authorize_url(
                "public",
                PUBLIC_REDIRECT,
                &[("prompt", "none")],
            ))
            .await;
        assert_eq!(
            query_of(&silent.location().unwrap())["error"],
            "consent_required"
        );
    }
}

// 6. id_token_hint is ignored at /authorize.

#[tokio::test]
async fn an_id_token_hint_for_another_user_is_not_answered_with_this_session() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        app.add_user("grace@example.com", USER_PASSWORD).await;
        // Grace's ID token, from another browser.
        let mut other = app.browser();
        let start = other
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let login = other.follow(start).await.unwrap();
        let consent = other
            .submit_login(&login, "grace@example.com", USER_PASSWORD)
            .await
            .unwrap();
        let code = query_of(
            &other
                .submit_consent(&consent, "allow")
                .await
                .location()
                .unwrap(),
        )["code"]
            .clone();
        let graces: Value = exchange(&app, &code).await.json().await.unwrap();
        let hint = graces["id_token"].as_str().unwrap();

        // Ada's browser is signed in; the app expects Grace.
        let mut browser = app.browser();
        sign_in_with_password(&app, &mut browser).await;
        let hinted = browser
            .get(&authorize_url(
                "confidential",
                REDIRECT,
                &[("id_token_hint", hint)],
            ))
            .await;
        assert!(hinted.location().unwrap().starts_with("/login?"));
        let silent = browser
            .get(&authorize_url(
                "confidential",
                REDIRECT,
                &[("id_token_hint", hint), ("prompt", "none")],
            ))
            .await;
        assert_eq!(
            query_of(&silent.location().unwrap())["error"],
            "login_required"
        );
        // Ada's own hint goes through; a forged one is an invalid request.
        let forged = format!("{hint}x");
        let refused = browser
            .get(&authorize_url(
                "confidential",
                REDIRECT,
                &[("id_token_hint", &forged)],
            ))
            .await;
        assert_eq!(
            query_of(&refused.location().unwrap())["error"],
            "invalid_request"
        );
    }
}

// 7. prompt=none combined with any other value.

#[tokio::test]
async fn prompt_none_combined_with_another_value_is_an_invalid_request() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = app.browser();
        for prompt in ["none login", "none select_account", "consent none"] {
            let answer = browser
                .get(&authorize_url(
                    "confidential",
                    REDIRECT,
                    &[("prompt", prompt)],
                ))
                .await;
            assert_eq!(
                query_of(&answer.location().unwrap())["error"],
                "invalid_request",
                "{prompt}"
            );
        }
        let discovery = discovery_json(&app).await;
        assert_eq!(
            discovery["prompt_values_supported"],
            serde_json::json!(["none", "login", "consent"])
        );
    }
}

// 8. Repeated parameters at /authorize.

#[tokio::test]
async fn a_repeated_redirect_uri_behind_a_repeated_state_gets_no_redirect() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let mut browser = app.browser();
        let url = format!(
            "{}&state=b&redirect_uri={}",
            authorize_url("public", PUBLIC_REDIRECT, &[]),
            url::form_urlencoded::byte_serialize(b"http://127.0.0.1:6666/native/cb")
                .collect::<String>()
        );
        let page = browser.get(&url).await;
        assert_eq!(page.status, 400, "{:?}", page.location());
        assert!(page.location().is_none());
        assert!(page.body.contains("redirect_uri was sent more than once"));
    }
}

// 9. A wrong client or verifier burns a code; a replay must always find what to revoke.

#[tokio::test]
async fn a_stolen_code_presented_by_another_client_does_not_burn_it() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        let stolen = client_post(
            &app,
            "/token",
            ("post-client", POST_SECRET),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
        assert_eq!(stolen.status(), 400);
        assert_eq!(exchange(&app, &code).await.status(), 200);
    }
}

#[tokio::test]
async fn racing_exchanges_of_one_code_leave_no_token_active() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        for round in 0..10 {
            let code = obtain_offline_code(&mut browser, "confidential", REDIRECT).await;
            let mut racers = tokio::task::JoinSet::new();
            for _ in 0..4 {
                let url = app.url("/token");
                let code = code.clone();
                racers.spawn(async move {
                    let response = reqwest::Client::new()
                        .post(url)
                        .basic_auth("confidential", Some(CONFIDENTIAL_SECRET))
                        .form(&[
                            ("grant_type", "authorization_code"),
                            ("code", code.as_str()),
                            ("redirect_uri", REDIRECT),
                            ("code_verifier", VERIFIER),
                        ])
                        .send()
                        .await
                        .unwrap();
                    let status = response.status().as_u16();
                    (status, response.json::<Value>().await.unwrap())
                });
            }
            let results = racers.join_all().await;
            let winners: Vec<&Value> = results
                .iter()
                .filter(|(s, _)| *s == 200)
                .map(|(_, b)| b)
                .collect();
            assert_eq!(winners.len(), 1, "round {round}: {results:?}");
            let winner = winners[0];
            let access = winner["access_token"].as_str().unwrap();
            assert_eq!(
                introspect(&app, access).await["active"],
                false,
                "round {round}"
            );
            let refresh_token = winner["refresh_token"].as_str().unwrap();
            assert_eq!(refresh(&app, refresh_token, None).await.status(), 400);
        }
    }
}

// 10. Codes outlive their session; a disabled user's access tokens come back.

#[tokio::test]
async fn a_code_cannot_be_exchanged_after_its_session_signed_out() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        let confirm = browser.get("/logout").await;
        browser
            .post_form(
                "/logout",
                &[
                    ("csrf_token", &confirm.hidden("csrf_token")),
                    ("confirm", "yes"),
                ],
            )
            .await;
        let hash = tessera::auth::secret::hash(&code);
        let row = app.store.find_code(&hash, app.clock_now()).await.unwrap();
        assert!(
            row.is_none(),
            "ending the session deletes its unexchanged codes"
        );
        let response = exchange(&app, &code).await;
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_grant");
    }
}

#[tokio::test]
async fn a_code_cannot_be_exchanged_after_its_session_expired() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| c.session_idle_ttl = 30).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        app.clock.advance(31); // the code lives 60 s; the idle session only 30
        let response = exchange(&app, &code).await;
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_grant");
    }
}

#[tokio::test]
async fn disabling_a_user_kills_access_tokens_that_have_no_refresh_family() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        let tokens: Value = exchange(&app, &code).await.json().await.unwrap();
        assert!(tokens.get("refresh_token").is_none());
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(userinfo_status(&app, access).await, 200);
        let admin = tessera::service::admin::access::set_disabled;
        let ada = tessera::service::admin::UserKey::Email(USER_EMAIL);
        admin(&app.state, ada, true, app.clock_now()).await.unwrap();
        app.clock.advance(60);
        admin(&app.state, ada, false, app.clock_now())
            .await
            .unwrap();
        assert_eq!(
            userinfo_status(&app, access).await,
            401,
            "re-enabling brings nothing back"
        );
        assert_eq!(introspect(&app, access).await["active"], false);
    }
}

// 11. Public clients can call /introspect.

#[tokio::test]
async fn a_public_client_cannot_introspect() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let response = reqwest::Client::new()
            .post(app.url("/introspect"))
            .form(&[("client_id", "public"), ("token", "anything")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client");
        let discovery = discovery_json(&app).await;
        let methods = discovery["introspection_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap();
        assert!(!methods.contains(&serde_json::json!("none")));
    }
}

// 12. Sign-in forgets where the user was going.

#[tokio::test]
async fn signing_in_from_an_account_page_returns_to_it_and_nowhere_else() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let start = browser.get("/account/mfa").await;
        let login = browser.follow(start).await.unwrap();
        let csrf = login.hidden("csrf_token");
        let done = browser
            .post_form(
                &login.form_action(),
                &[
                    ("csrf_token", &csrf),
                    ("email", USER_EMAIL),
                    ("password", USER_PASSWORD),
                ],
            )
            .await;
        assert_eq!(done.location().as_deref(), Some("/account/mfa"));
        // A return_to naming anything else is ignored: never an open redirect.
        let mut other = app.browser();
        for target in [
            "https://evil.example/",
            "//evil.example",
            "/account/../logout",
        ] {
            let login = other.get(&format!("/login?return_to={target}")).await;
            let done = other
                .post_form(
                    &login.form_action(),
                    &[
                        ("csrf_token", &login.hidden("csrf_token")),
                        ("email", USER_EMAIL),
                        ("password", USER_PASSWORD),
                    ],
                )
                .await;
            assert_eq!(done.location().as_deref(), Some("/account"), "{target}");
        }
    }
}
