//! The account's own security forms through the real router, on SQLite and PostgreSQL:
//! changing the password (the current one under the throttle, the policy, every other session
//! ended), a first password for an account made by an upstream sign-in, deleting the account
//! (nothing of the user left, the app told by back-channel logout), and the data download
//! (what Tessera holds, and none of the user's secrets).
mod common;

use std::time::Duration;

use common::mfa::{enrol, recovery_codes_on};
use common::relying_party::{Behaviour, RelyingParty, claims_of, verify_like_an_app};
use common::*;
use serde_json::Value;
use tessera::clock::Clock;
use tessera::oauth::amr::Amr;
use tessera::service::sessions::{self, SessionFor};
use tessera::store::users::UserRow;

const NEW_PASSWORD: &str = "quiet lantern orbit pebble";
const SESSION_COOKIE: &str = "tessera_session";

/// Posts the password form of the browser's account.
async fn change_password(browser: &mut Browser, current: &str, new: &str, again: &str) -> Page {
    let form = browser.get("/account/password").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = form.hidden("csrf_token");
    browser
        .post_form(
            "/account/password",
            &[
                ("csrf_token", &csrf),
                ("current_password", current),
                ("new_password", new),
                ("new_password_again", again),
            ],
        )
        .await
}

/// Signs a fresh browser in to its account page; true when the password was taken.
async fn signs_in(app: &TestApp, password: &str) -> bool {
    let mut browser = app.browser();
    let login = browser.get("/login").await;
    let after = browser.submit_login(&login, USER_EMAIL, password).await;
    after.is_ok_and(|page| page.body.contains("Change your password"))
}

async fn is_signed_in(browser: &mut Browser) -> bool {
    browser.get("/account").await.status == 200
}

#[tokio::test]
async fn a_new_password_ends_every_other_session_and_only_it_signs_in() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut here = app.browser();
        let here_tokens = offline_tokens(&app, &mut here).await;
        let mut elsewhere = app.browser();
        let elsewhere_tokens = offline_tokens(&app, &mut elsewhere).await;

        let done = change_password(&mut here, USER_PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(done.status, 303, "{}", done.body);
        let shown = here.follow(done).await.unwrap();
        assert!(shown.body.contains("Password changed."), "{}", shown.body);

        assert!(is_signed_in(&mut here).await, "this browser goes on");
        assert!(!is_signed_in(&mut elsewhere).await, "the other one is out");
        for tokens in [&elsewhere_tokens, &here_tokens] {
            let refresh_token = tokens["refresh_token"].as_str().unwrap();
            assert_eq!(refresh(&app, refresh_token, None).await.status(), 400);
        }
        let access_token = here_tokens["access_token"].as_str().unwrap();
        assert_eq!(userinfo_status(&app, access_token).await, 401);

        app.clock.advance(1);
        assert!(!signs_in(&app, USER_PASSWORD).await, "the old password");
        assert!(signs_in(&app, NEW_PASSWORD).await, "the new password");
    }
}

#[tokio::test]
async fn a_wrong_current_password_is_refused_and_counted_on_the_password_throttle() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| c.login_max_failures_per_account = 2).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        offline_tokens(&app, &mut browser).await;
        let hash_before = password_hash(&app).await;
        for _ in 0..2 {
            let refused =
                change_password(&mut browser, "wrong password", NEW_PASSWORD, NEW_PASSWORD).await;
            assert_eq!(refused.status, 200);
            assert!(refused.body.contains("The current password is wrong."));
        }
        // The limit is reached: even the right password is not looked at.
        let throttled =
            change_password(&mut browser, USER_PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(throttled.status, 429, "{}", throttled.body);
        assert!(throttled.header("retry-after").is_some());
        assert_eq!(password_hash(&app).await, hash_before);
        // The same limit as the sign-in page's.
        assert!(!signs_in(&app, USER_PASSWORD).await);
    }
}

#[tokio::test]
async fn the_policy_and_a_mismatch_refuse_before_any_guess_is_counted() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| c.login_max_failures_per_account = 2).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        offline_tokens(&app, &mut browser).await;
        for (new, again, said) in [
            ("short", "short", "at least 8 characters"),
            ("password123", "password123", "too common"),
            ("ada loves tessera", "ada loves tessera", "must not contain"),
            (NEW_PASSWORD, "something else", "not the same"),
        ] {
            let refused = change_password(&mut browser, "wrong password", new, again).await;
            assert_eq!(refused.status, 200);
            assert!(refused.body.contains(said), "{said}: {}", refused.body);
        }
        // Four refusals with a wrong current password, none counted: the limit of 2 is free.
        let done = change_password(&mut browser, USER_PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(done.status, 303, "{}", done.body);
    }
}

/// An account as an upstream sign-in makes it (no password), signed in at `now` in a
/// browser of its own.
async fn upstream_made_account(app: &TestApp) -> (Browser, String) {
    let now = app.clock.now();
    let user = UserRow {
        id: "upstream-made".into(),
        email: USER_EMAIL.into(),
        name: None,
        password_hash: String::new(),
        email_verified: true,
        disabled: false,
        created_at: now,
        tokens_valid_after: 0,
    };
    app.store.insert_user(&user).await.unwrap();
    let like = SessionFor {
        user_id: &user.id,
        amr: Amr::federated(false),
        auth_time: now,
    };
    let session = sessions::start(&app.state, like, None, now).await.unwrap();
    let mut browser = app.browser();
    browser
        .cookies
        .insert(SESSION_COOKIE.into(), session.cookie_value);
    (browser, user.id)
}

#[tokio::test]
async fn an_account_without_a_password_sets_a_first_one_only_after_a_recent_sign_in() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let (mut browser, _) = upstream_made_account(&app).await;
        let page = browser.get("/account/password").await;
        assert!(!page.body.contains("current_password"), "no current one");
        assert!(page.body.contains("Set password"));

        // Past reauth_max_age the page offers a sign-in instead of the form, and a post
        // (from the page as it was) is refused.
        app.clock.advance(301);
        let page = browser.get("/account/password").await;
        assert!(page.body.contains("/login?return_to=%2Faccount%2Fpassword"));
        assert!(!page.body.contains("new_password"), "{}", page.body);
        let csrf = browser.cookies["tessera_csrf"].clone();
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("new_password", NEW_PASSWORD),
            ("new_password_again", NEW_PASSWORD),
        ];
        let old = browser.post_form("/account/password", &fields).await;
        assert!(old.body.contains("sign in again"), "{}", old.body);
        assert!(password_hash(&app).await.is_empty());

        let (mut fresh, _) = {
            app.store.delete_user("upstream-made").await.unwrap();
            upstream_made_account(&app).await
        };
        let done = change_password(&mut fresh, "", NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert!(is_signed_in(&mut fresh).await);
        app.clock.advance(1);
        assert!(signs_in(&app, NEW_PASSWORD).await);
    }
}

async fn password_hash(app: &TestApp) -> String {
    let user = app.store.find_user_by_email(USER_EMAIL).await.unwrap();
    user.unwrap().password_hash
}

/// Posts the deletion form.
async fn delete_account(browser: &mut Browser, password: &str, confirm: bool) -> Page {
    let form = browser.get("/account/delete").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = form.hidden("csrf_token");
    let mut fields = vec![("csrf_token", csrf.as_str()), ("password", password)];
    if confirm {
        fields.push(("confirm", "yes"));
    }
    browser.post_form("/account/delete", &fields).await
}

#[tokio::test]
async fn deleting_the_account_needs_the_password_leaves_nothing_and_tells_the_app() {
    for backend in Backend::all() {
        let rp = RelyingParty::start(Behaviour::Accept).await;
        let uri = rp.url.clone();
        let app = TestApp::spawn_with(backend, |c| {
            c.backchannel_logout_poll_interval = 1;
            c.clients[0].backchannel_logout_uri = Some(uri);
        })
        .await;
        tessera::server::spawn_outbox_worker(&app.state);
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let tokens = offline_tokens(&app, &mut browser).await;
        enrol(&app, &mut browser).await;

        let unconfirmed = delete_account(&mut browser, USER_PASSWORD, false).await;
        assert!(
            unconfirmed.body.contains("Tick the box"),
            "{}",
            unconfirmed.body
        );
        let wrong = delete_account(&mut browser, "wrong password", true).await;
        assert!(wrong.body.contains("The password is wrong."));
        assert!(app.store.find_user(&user_id).await.unwrap().is_some());

        let deleted = delete_account(&mut browser, USER_PASSWORD, true).await;
        assert_eq!(deleted.status, 200, "{}", deleted.body);
        assert!(deleted.body.contains("Your account was deleted"));
        assert!(!browser.cookies.contains_key(SESSION_COOKIE), "signed out");

        let store = &app.store;
        let now = app.clock.now();
        assert!(store.find_user(&user_id).await.unwrap().is_none());
        assert!(
            store
                .list_user_sessions(&user_id, now)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(store.list_consents(&user_id).await.unwrap().is_empty());
        assert!(
            store
                .find_totp_credential(&user_id)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            store.count_unused_recovery_codes(&user_id).await.unwrap(),
            0
        );
        assert!(store.passkeys_of(&user_id).await.unwrap().is_empty());
        assert!(
            store
                .list_upstream_identities(&user_id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .refresh_families_for_user(&user_id)
                .await
                .unwrap()
                .is_empty()
        );
        let refresh_token = tokens["refresh_token"].as_str().unwrap();
        assert_eq!(refresh(&app, refresh_token, None).await.status(), 400);

        // The app hears of it, signed as any logout token is.
        let received = rp.wait_for(1, Duration::from_secs(10)).await;
        let token = &received[0].token;
        let claims = verify_like_an_app(&app.base, &app.issuer, "confidential", token, now).await;
        let id_token = claims_of(tokens["id_token"].as_str().unwrap());
        assert_eq!(claims["sub"], id_token["sub"]);

        // The address is free again.
        assert_ne!(app.add_user(USER_EMAIL, USER_PASSWORD).await, user_id);
    }
}

#[tokio::test]
async fn the_export_holds_what_tessera_knows_and_none_of_the_users_secrets() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        assert_eq!(
            browser.get("/account/export").await.location().unwrap(),
            "/login?return_to=%2Faccount%2Fexport"
        );
        let tokens = offline_tokens(&app, &mut browser).await;
        let enrolment = enrol(&app, &mut browser).await;

        let export = browser.get("/account/export").await;
        assert_eq!(export.status, 200, "{}", export.body);
        assert_eq!(
            export.header("content-disposition").unwrap(),
            "attachment; filename=\"tessera-account.json\""
        );
        assert_eq!(export.header("cache-control").unwrap(), "no-store");
        let json: Value = serde_json::from_str(&export.body).unwrap();
        assert_eq!(json["profile"]["id"], user_id.as_str());
        assert_eq!(json["profile"]["email"], USER_EMAIL);
        assert_eq!(json["profile"]["email_verified"], true);
        assert!(json["sessions"][0]["methods"].is_array());
        assert_eq!(json["apps_allowed"][0]["client_id"], "confidential");
        assert_eq!(json["two_step_verification"]["totp_on"], true);
        assert_eq!(json["two_step_verification"]["recovery_codes_left"], 10);

        let user = app.store.find_user(&user_id).await.unwrap().unwrap();
        let totp = app.store.find_totp_credential(&user_id).await.unwrap();
        let session_cookie = browser.cookies[SESSION_COOKIE].clone();
        let mut secrets = vec![
            USER_PASSWORD.to_string(),
            user.password_hash,
            enrolment.secret.clone(),
            totp.unwrap().sealed_secret,
            tessera::auth::secret::hash(&session_cookie),
            session_cookie,
        ];
        secrets.extend(recovery_codes_on(&enrolment.page));
        for name in ["refresh_token", "access_token", "id_token"] {
            let token = tokens[name].as_str().unwrap().to_string();
            secrets.push(tessera::auth::secret::hash(&token));
            secrets.push(token);
        }
        for secret in secrets {
            assert!(
                !export.body.contains(&secret),
                "{secret} in {}",
                export.body
            );
        }
    }
}
