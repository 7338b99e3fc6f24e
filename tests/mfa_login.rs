//! The sign-in's TOTP step: no session before the code passes, codes accepted once, ±1 step
//! of clock skew, recovery codes, the per-account attempt limit (also across instances), and
//! the five-minute lifetime of a half-done sign-in. Time moves only by the injected clock.
mod common;

use common::mfa::*;
use common::*;

#[tokio::test]
async fn password_alone_is_not_a_session_for_an_enrolled_user() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let enrolment = enrolled_user(&app).await;
        let mut browser = app.browser();
        let totp_page = password_then_totp_page(&mut browser, "confidential", REDIRECT).await;
        assert!(!has_session_cookie(&browser), "{:?}", browser.cookies);
        // The half-done sign-in authenticates nothing: the app still gets the login page,
        // and the account page wants a sign-in.
        let again = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        assert!(again.location().unwrap().starts_with("/login?"));
        assert_eq!(
            browser.get("/account/mfa").await.location().as_deref(),
            Some("/login?return_to=%2Faccount%2Fmfa")
        );

        let code = code_at(&enrolment.secret, app.clock_now());
        let passed = submit_code(&mut browser, &totp_page, &code).await;
        assert_eq!(passed.status, 303, "{}", passed.body);
        assert!(has_session_cookie(&browser));
        assert!(!browser.cookies.keys().any(|n| n.ends_with("tessera_mfa")));
        // Consent was given when the user enrolled; straight back to the app.
        let location = browser.follow(passed).await.unwrap_err();
        let code = query_of(&location)["code"].clone();
        let tokens: serde_json::Value = exchange(&app, &code).await.json().await.unwrap();
        let id = jwt_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(id["amr"], serde_json::json!(["pwd", "otp"]));
        assert_eq!(id["acr"], "urn:tessera:mfa");
        assert_eq!(id["auth_time"], app.clock_now());
    }
}

#[tokio::test]
async fn a_code_is_accepted_once_even_in_another_browser() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let enrolment = enrolled_user(&app).await;
        let now = app.clock_now();
        let code = code_at(&enrolment.secret, now);

        let mut first = app.browser();
        let page = password_then_totp_page(&mut first, "confidential", REDIRECT).await;
        assert_eq!(submit_code(&mut first, &page, &code).await.status, 303);

        // An onlooker who saw the code, within the same 30 seconds.
        let mut second = app.browser();
        let page = password_then_totp_page(&mut second, "confidential", REDIRECT).await;
        let replay = submit_code(&mut second, &page, &code).await;
        assert_eq!(replay.status, 200);
        assert!(replay.body.contains("not valid"), "{}", replay.body);
        assert!(!has_session_cookie(&second));
        // The previous step's code is spent too: steps only move forward.
        let earlier = code_at(&enrolment.secret, now - STEP);
        let replay = submit_code(&mut second, &page, &earlier).await;
        assert!(replay.body.contains("not valid"));

        app.clock.advance(STEP);
        let fresh = code_at(&enrolment.secret, app.clock_now());
        assert_eq!(submit_code(&mut second, &page, &fresh).await.status, 303);
    }
}

#[tokio::test]
async fn one_step_of_clock_skew_is_accepted_and_two_are_not() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let enrolment = enrolled_user(&app).await;
        // Mid-step, so that ±1 and ±2 steps are unambiguous.
        app.clock.advance(STEP + 15);
        let now = app.clock_now();
        let mut browser = app.browser();
        let page = password_then_totp_page(&mut browser, "confidential", REDIRECT).await;
        for offset in [-2, 2] {
            let code = code_at(&enrolment.secret, now + offset * STEP);
            let refused = submit_code(&mut browser, &page, &code).await;
            assert_eq!(refused.status, 200, "{offset}");
            assert!(refused.body.contains("not valid"), "{offset}");
        }
        let behind = code_at(&enrolment.secret, now - STEP);
        assert_eq!(submit_code(&mut browser, &page, &behind).await.status, 303);

        let mut other = app.browser();
        let page = password_then_totp_page(&mut other, "confidential", REDIRECT).await;
        let ahead = code_at(&enrolment.secret, now + STEP);
        assert_eq!(submit_code(&mut other, &page, &ahead).await.status, 303);
    }
}

#[tokio::test]
async fn a_recovery_code_signs_in_once() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let enrolment = enrolled_user(&app).await;
        let recovery = enrolment.recovery_codes[0].clone();

        let mut browser = app.browser();
        let page = password_then_totp_page(&mut browser, "confidential", REDIRECT).await;
        let passed = submit_code(&mut browser, &page, &recovery).await;
        assert_eq!(passed.status, 303, "{}", passed.body);
        assert!(has_session_cookie(&browser));

        let mut again = app.browser();
        let page = password_then_totp_page(&mut again, "confidential", REDIRECT).await;
        let spent = submit_code(&mut again, &page, &recovery).await;
        assert_eq!(spent.status, 200);
        assert!(spent.body.contains("not valid"));
        // Typed sloppily (lower case, no dashes), another code still works.
        let sloppy = enrolment.recovery_codes[1].replace('-', " ").to_lowercase();
        assert_eq!(submit_code(&mut again, &page, &sloppy).await.status, 303);
    }
}

#[tokio::test]
async fn wrong_codes_are_throttled_per_account_and_a_right_one_is_then_refused() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let enrolment = enrolled_user(&app).await;
        let mut browser = app.browser();
        let page = password_then_totp_page(&mut browser, "confidential", REDIRECT).await;
        let wrong = wrong_code(&enrolment.secret, app.clock_now());
        for attempt in 1..=5 {
            let refused = submit_code(&mut browser, &page, &wrong).await;
            assert_eq!(refused.status, 200, "attempt {attempt}");
            assert!(refused.body.contains("not valid"));
        }
        let right = code_at(&enrolment.secret, app.clock_now());
        let blocked = submit_code(&mut browser, &page, &right).await;
        assert_eq!(blocked.status, 429);
        assert!(
            blocked
                .body
                .contains("Too many attempts. Try again in 15 minutes"),
            "{}",
            blocked.body
        );
        assert!(!has_session_cookie(&browser));
        // A recovery code is no way around the limit, and neither is a new sign-in.
        let blocked = submit_code(&mut browser, &page, &enrolment.recovery_codes[0]).await;
        assert_eq!(blocked.status, 429);
        let mut other = app.browser();
        let page = password_then_totp_page(&mut other, "confidential", REDIRECT).await;
        assert_eq!(submit_code(&mut other, &page, &right).await.status, 429);

        // The window started with the first attempt: ten minutes on, five minutes remain.
        app.clock.advance(10 * 60);
        let page = password_then_totp_page(&mut other, "confidential", REDIRECT).await;
        let blocked = submit_code(&mut other, &page, &right).await;
        assert!(
            blocked.body.contains("Try again in 5 minutes"),
            "{}",
            blocked.body
        );
        app.clock.advance(5 * 60);
        let page = password_then_totp_page(&mut other, "confidential", REDIRECT).await;
        let right = code_at(&enrolment.secret, app.clock_now());
        assert_eq!(submit_code(&mut other, &page, &right).await.status, 303);
    }
}

#[tokio::test]
async fn the_attempt_limit_holds_across_two_instances_sharing_a_database() {
    for backend in Backend::all() {
        let first = TestApp::spawn(backend).await;
        let second = first.second_instance(|_| {}).await;
        assert_ne!(first.base, second.base);
        let enrolment = enrolled_user(&first).await;
        let wrong = wrong_code(&enrolment.secret, first.clock_now());

        let mut on_first = first.browser();
        let page_first = password_then_totp_page(&mut on_first, "confidential", REDIRECT).await;
        let mut on_second = second.browser();
        let page_second = password_then_totp_page(&mut on_second, "confidential", REDIRECT).await;
        for _ in 0..3 {
            let refused = submit_code(&mut on_first, &page_first, &wrong).await;
            assert_eq!(refused.status, 200);
        }
        for _ in 0..2 {
            let refused = submit_code(&mut on_second, &page_second, &wrong).await;
            assert_eq!(refused.status, 200);
        }
        let right = code_at(&enrolment.secret, first.clock_now());
        assert_eq!(
            submit_code(&mut on_second, &page_second, &right)
                .await
                .status,
            429
        );
        assert_eq!(
            submit_code(&mut on_first, &page_first, &right).await.status,
            429
        );
        assert!(!has_session_cookie(&on_first) && !has_session_cookie(&on_second));
    }
}

#[tokio::test]
async fn a_code_used_on_one_instance_is_refused_on_the_other() {
    for backend in Backend::all() {
        let first = TestApp::spawn(backend).await;
        let second = first.second_instance(|_| {}).await;
        let enrolment = enrolled_user(&first).await;
        let code = code_at(&enrolment.secret, first.clock_now());
        let mut a = first.browser();
        let page = password_then_totp_page(&mut a, "confidential", REDIRECT).await;
        assert_eq!(submit_code(&mut a, &page, &code).await.status, 303);
        let mut b = second.browser();
        let page = password_then_totp_page(&mut b, "confidential", REDIRECT).await;
        let replay = submit_code(&mut b, &page, &code).await;
        assert!(replay.body.contains("not valid"), "{}", replay.body);
    }
}

#[tokio::test]
async fn a_half_done_sign_in_expires_after_five_minutes() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let enrolment = enrolled_user(&app).await;
        let mut browser = app.browser();
        let page = password_then_totp_page(&mut browser, "confidential", REDIRECT).await;
        app.clock.advance(5 * 60);
        let code = code_at(&enrolment.secret, app.clock_now());
        let expired = submit_code(&mut browser, &page, &code).await;
        assert_eq!(expired.status, 303);
        assert!(expired.location().unwrap().starts_with("/login?"));
        assert!(!has_session_cookie(&browser));
        // The page itself sends the browser back to the password too.
        let revisit = browser.get(&page.form_action()).await;
        assert!(revisit.location().unwrap().starts_with("/login?"));
    }
}

#[tokio::test]
async fn the_totp_form_needs_its_csrf_token() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let enrolment = enrolled_user(&app).await;
        let mut browser = app.browser();
        let page = password_then_totp_page(&mut browser, "confidential", REDIRECT).await;
        let code = code_at(&enrolment.secret, app.clock_now());
        let forged = browser
            .post_form(
                &page.form_action(),
                &[("csrf_token", "forged"), ("code", &code)],
            )
            .await;
        assert_eq!(forged.status, 403);
        assert!(!has_session_cookie(&browser));
        // Refused before the code was looked at, so it still works.
        assert_eq!(submit_code(&mut browser, &page, &code).await.status, 303);
    }
}

#[tokio::test]
async fn signing_in_to_the_account_page_also_asks_for_the_code() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let enrolment = enrolled_user(&app).await;
        let mut browser = app.browser();
        let login = browser.get("/login").await;
        let totp_page = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(is_totp_page(&totp_page), "{}", totp_page.body);
        assert!(!has_session_cookie(&browser), "no session before the code");
        assert_eq!(
            browser.get("/account").await.location().as_deref(),
            Some("/login")
        );
        let code = code_at(&enrolment.secret, app.clock_now());
        let passed = submit_code(&mut browser, &totp_page, &code).await;
        assert_eq!(passed.location().as_deref(), Some("/account"));
        let account = browser.get("/account").await;
        assert!(account.body.contains("Your account"));
    }
}
