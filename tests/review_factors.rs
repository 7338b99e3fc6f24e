//! Issue 22, second factors and passkeys: each test is an attack from the review, through the
//! real router (or the CLI, or the store where the race is not visible over HTTP), on SQLite
//! and PostgreSQL.
mod common;

use common::mfa::{self, code_at, jwt_claims};
use common::passkeys::{Offer, offer_on, spawn_on_localhost};
use common::process::{cli, config_text, database_url, free_port};
use common::soft_authenticator::{BACKUP_ELIGIBLE, SoftAuthenticator};
use common::*;
use tessera::store::passkeys::{PasskeyRow, PasskeyUse};

/// Posts `answer` to the passkey page's add form with `extra` fields (password, code).
async fn post_add(
    browser: &mut Browser,
    page: &Page,
    answer: &str,
    extra: &[(&str, &str)],
) -> Page {
    let offer = offer_on(page).expect("an offer to add a passkey");
    let csrf = page.hidden("csrf_token");
    let mut fields = vec![
        ("csrf_token", csrf.as_str()),
        ("ceremony", offer.ceremony.as_str()),
        ("credential", answer),
        ("name", "Mine"),
    ];
    fields.extend_from_slice(extra);
    browser.post_form(&offer.action, &fields).await
}

/// Adds a passkey from `authenticator` in a browser signed in (with the password) just now.
async fn add_passkey(browser: &mut Browser, authenticator: &mut SoftAuthenticator) {
    let start = browser.get("/account/passkeys").await;
    let page = match browser.follow(start).await {
        Ok(page) if page.body.contains("name=\"email\"") => browser
            .submit_login(&page, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap(),
        Ok(page) => page,
        Err(location) => panic!("sent away to {location}"),
    };
    let offer = offer_on(&page).expect("an offer to add a passkey");
    let answer = authenticator.register(&offer.options);
    let added = post_add(browser, &page, &answer, &[]).await;
    assert_eq!(added.status, 303, "{}", added.body);
}

/// A browser holding a password-only session: the cookie an attacker stole, or one from
/// before the user set up a second factor.
async fn password_only_session(app: &TestApp) -> Browser {
    let mut browser = app.browser();
    mfa::sign_in_with_password(app, &mut browser).await;
    browser
}

/// A user whose passkey the owner added from their own browser, and a password-only session
/// of the same user held by someone else (a stolen cookie, or one from before the passkey).
/// Returns the user's ID and the stolen session.
async fn a_passkey_user_and_a_stolen_session(app: &TestApp) -> (String, Browser) {
    let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let stolen = password_only_session(app).await;
    let mut own = password_only_session(app).await;
    add_passkey(&mut own, &mut SoftAuthenticator::new(&app.issuer)).await;
    (user_id, stolen)
}

async fn passkey_count(app: &TestApp, user_id: &str) -> usize {
    app.store.passkeys_of(user_id).await.unwrap().len()
}

/// Finding 1: a session that never passed the second factor registers the attacker's
/// authenticator with the password alone, and then signs in as MFA.
#[tokio::test]
async fn a_password_only_session_cannot_add_a_passkey_once_the_user_has_totp() {
    for backend in Backend::all() {
        let app = spawn_on_localhost(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut stolen = password_only_session(&app).await;
        let mut own = password_only_session(&app).await;
        let enrolment = mfa::enrol(&app, &mut own).await;
        app.clock.advance(mfa::STEP);

        let mut attacker = SoftAuthenticator::new(&app.issuer);
        let page = stolen.get("/account/passkeys").await;
        assert!(page.body.contains("name=\"code\""), "asks for the code");
        let offer = offer_on(&page).unwrap();
        let answer = attacker.register(&offer.options);
        let refused = post_add(&mut stolen, &page, &answer, &[("password", USER_PASSWORD)]).await;
        assert_eq!(refused.status, 200, "{backend:?}: {}", refused.body);
        assert!(refused.body.contains("role=\"alert\""), "{}", refused.body);
        assert_eq!(passkey_count(&app, &user_id).await, 0, "{backend:?}");

        // The second factor now (a code from the app) is what the rule asks for.
        let page = stolen.get("/account/passkeys").await;
        let offer = offer_on(&page).unwrap();
        let answer = attacker.register(&offer.options);
        let code = code_at(&enrolment.secret, app.clock_now());
        let added = post_add(&mut stolen, &page, &answer, &[("code", &code)]).await;
        assert_eq!(added.status, 303, "{}", added.body);
        assert_eq!(passkey_count(&app, &user_id).await, 1);
    }
}

/// Finding 1: nor may such a session take the user's passkey away.
#[tokio::test]
async fn a_password_only_session_cannot_remove_the_users_passkey() {
    for backend in Backend::all() {
        let app = spawn_on_localhost(backend).await;
        let (user_id, mut stolen) = a_passkey_user_and_a_stolen_session(&app).await;

        let page = stolen.get("/account/passkeys").await;
        let csrf = page.hidden("csrf_token");
        let id = page.hidden("id");
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("id", id.as_str()),
            ("password", USER_PASSWORD),
        ];
        let refused = stolen.post_form("/account/passkeys/remove", &fields).await;
        assert_eq!(refused.status, 200, "{backend:?}: {}", refused.body);
        assert!(refused.body.contains("sign in again with a passkey"));
        assert_eq!(passkey_count(&app, &user_id).await, 1, "{backend:?}");
    }
}

/// Finding 1: and it may not bind the attacker's authenticator app to a user whose second
/// factor is a passkey (the password and the attacker's TOTP would then sign in as MFA).
#[tokio::test]
async fn a_password_only_session_cannot_turn_totp_on_for_a_passkey_user() {
    for backend in Backend::all() {
        let app = spawn_on_localhost(backend).await;
        let (user_id, mut stolen) = a_passkey_user_and_a_stolen_session(&app).await;

        let page = stolen.get("/account/mfa").await;
        assert!(page.body.contains("sign in again with a passkey"));
        let secret = mfa::secret_on(&page);
        let code = code_at(&secret, app.clock_now());
        let csrf = page.hidden("csrf_token");
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("code", code.as_str()),
            ("password", USER_PASSWORD),
        ];
        let refused = stolen.post_form("/account/mfa/enable", &fields).await;
        assert_eq!(refused.status, 200, "{backend:?}: {}", refused.body);
        assert!(refused.body.contains("role=\"alert\""));
        assert!(
            !app.store.totp_enabled(&user_id).await.unwrap(),
            "{backend:?}"
        );
    }
}

/// Finding 5: after the user adds a passkey, a password-only session (stolen, or just old)
/// must not keep getting codes that say `amr ["pwd"]` for an account that has a second factor.
#[tokio::test]
async fn a_password_only_session_is_stepped_up_after_the_user_adds_a_passkey() {
    for backend in Backend::all() {
        let app = spawn_on_localhost(backend).await;
        let (_, mut stolen) = a_passkey_user_and_a_stolen_session(&app).await;

        let again = stolen
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let step = stolen.follow(again).await;
        let step = step.unwrap_or_else(|to| panic!("{backend:?}: a silent code: {to}"));
        let offer = offer_on(&step).expect("the passkey as the second step");
        assert!(offer.action.starts_with("/login/totp/passkey"), "{offer:?}");
    }
}

/// Finding 5: a `require_mfa` app sends a passkey-only user to the passkey, not to TOTP
/// enrolment.
#[tokio::test]
async fn a_require_mfa_app_asks_a_passkey_user_for_the_passkey_not_totp_enrolment() {
    for backend in Backend::all() {
        let app = spawn_on_localhost(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = password_only_session(&app).await;
        add_passkey(&mut browser, &mut SoftAuthenticator::new(&app.issuer)).await;

        let url = authorize_url(mfa::MFA_CLIENT, mfa::MFA_REDIRECT, &[]);
        let start = browser.get(&url).await;
        let to = start.location().unwrap_or_default();
        assert!(!to.contains("/account/mfa"), "{backend:?}: sent to {to}");
        let step = browser.follow(start).await.unwrap();
        let offer: Offer = offer_on(&step).expect("the passkey as the second step");
        assert!(offer.action.starts_with("/login/totp/passkey"), "{offer:?}");
    }
}

/// Finding 7: anyone who knows the email fills the password's per-account limit; the
/// owner's passkey must still sign in.
#[tokio::test]
async fn wrong_passwords_from_anyone_do_not_lock_the_owner_out_of_passkey_sign_in() {
    for backend in Backend::all() {
        let app = spawn_on_localhost(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut laptop = SoftAuthenticator::new(&app.issuer);
        add_passkey(&mut app.browser(), &mut laptop).await;

        let mut attacker = app.browser();
        let max = app.state.config().login_max_failures_per_account;
        let mut last = 0;
        for _ in 0..=max {
            let login = attacker.get("/login").await;
            let csrf = login.hidden("csrf_token");
            let fields = [
                ("csrf_token", csrf.as_str()),
                ("email", USER_EMAIL),
                ("password", "not the password"),
            ];
            last = attacker
                .post_form(&login.form_action(), &fields)
                .await
                .status;
        }
        assert_eq!(last, 429, "the password is locked");

        let mut owner = app.browser();
        let login = owner.get("/login").await;
        let offer = offer_on(&login).unwrap();
        let answer = laptop.assert(&offer.options);
        let signed_in = owner.submit_passkey(&login, &offer, &answer).await;
        assert_eq!(signed_in.status, 303, "{backend:?}: {}", signed_in.body);
        assert!(mfa::has_session_cookie(&owner));
    }
}

/// Finding 12: a device-bound (backup-ineligible) flag is the authenticator's own unsigned
/// claim; without attestation it must not become `amr hwk`.
#[tokio::test]
async fn an_unattested_device_bound_passkey_is_not_claimed_as_hardware() {
    for backend in Backend::all() {
        let app = spawn_on_localhost(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut laptop = SoftAuthenticator::new(&app.issuer);
        add_passkey(&mut app.browser(), &mut laptop).await;

        let mut browser = app.browser();
        let start = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let login = browser.follow(start).await.unwrap();
        let offer = offer_on(&login).unwrap();
        let answer = laptop.assert(&offer.options);
        let signed_in = browser.submit_passkey(&login, &offer, &answer).await;
        let code = match browser.follow(signed_in).await {
            Ok(consent) => browser.allow(&consent).await,
            Err(location) => query_of(&location)["code"].clone(),
        };
        let tokens: serde_json::Value = exchange(&app, &code).await.json().await.unwrap();
        let claims = jwt_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(
            claims["amr"],
            serde_json::json!(["swk", "user", "mfa"]),
            "{backend:?}"
        );
    }
}

/// Finding 12: a passkey that turns backup eligible (synced) says so from then on; the flag
/// change is stored, not dropped.
#[tokio::test]
async fn a_passkey_that_becomes_synced_is_stored_as_synced() {
    for backend in Backend::all() {
        let app = spawn_on_localhost(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut laptop = SoftAuthenticator::new(&app.issuer);
        add_passkey(&mut app.browser(), &mut laptop).await;
        // Backup eligible now, not yet backed up: the change the library accepts.
        laptop.assertion_flags = BACKUP_ELIGIBLE;

        let mut browser = app.browser();
        let login = browser.get("/login").await;
        let second = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let offer = offer_on(&second).expect("the passkey as the second step");
        let answer = laptop.assert(&offer.options);
        let done = browser.submit_passkey(&second, &offer, &answer).await;
        assert_eq!(done.status, 303, "{}", done.body);
        let stored = app.store.passkeys_of(&user_id).await.unwrap();
        assert!(stored[0].backup_eligible, "{backend:?}");
    }
}

/// Finding 13: the second step's ceremony holds the credential as it was when the page was
/// shown. A clone that answers it after the original has signed in twice since must be judged
/// against the counter stored now, and must not roll it back.
#[tokio::test]
async fn a_cloned_passkey_cannot_pass_the_second_step_against_a_stale_counter() {
    for backend in Backend::all() {
        let app = spawn_on_localhost(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut original = SoftAuthenticator::new(&app.issuer);
        add_passkey(&mut app.browser(), &mut original).await;
        let mut clone = original.clone();

        let mut thief = app.browser();
        let login = thief.get("/login").await;
        let second = thief
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let stale = offer_on(&second).expect("the passkey as the second step");

        for _ in 0..2 {
            let mut owner = app.browser();
            let login = owner.get("/login").await;
            let offer = offer_on(&login).unwrap();
            let answer = original.assert(&offer.options);
            let signed_in = owner.submit_passkey(&login, &offer, &answer).await;
            assert_eq!(signed_in.status, 303, "{}", signed_in.body);
        }
        let before = app.store.passkeys_of(&user_id).await.unwrap()[0].sign_count;

        let answer = clone.assert(&stale.options);
        let refused = thief.submit_passkey(&second, &stale, &answer).await;
        assert_ne!(refused.status, 303, "{backend:?}: the clone signed in");
        assert!(!mfa::has_session_cookie(&thief));
        let after = app.store.passkeys_of(&user_id).await.unwrap()[0].sign_count;
        assert_eq!(after, before, "{backend:?}: the counter went back");
    }
}

/// Finding 13: two sign-ins racing write their counters with a compare, so the one that
/// finishes last with the lower counter cannot roll the stored one back; it is told it lost.
#[tokio::test]
async fn racing_sign_ins_cannot_roll_the_stored_passkey_counter_back() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let row = PasskeyRow {
            credential_id: "cred".into(),
            user_id: user_id.clone(),
            name: "Laptop".into(),
            passkey: "{}".into(),
            backup_eligible: false,
            sign_count: 1,
            created_at: START,
            last_used_at: None,
        };
        assert!(app.store.insert_passkey(&row).await.unwrap());
        let used = |sign_count| PasskeyUse {
            credential_id: "cred",
            passkey: "{}",
            sign_count,
            backup_eligible: false,
            now: START + 1,
        };
        assert!(
            app.store.passkey_used(&used(3)).await.unwrap(),
            "{backend:?}"
        );
        let late = app.store.passkey_used(&used(2)).await.unwrap();
        assert!(!late, "{backend:?}: the lower counter was written");
        let stored = app.store.find_passkey("cred").await.unwrap().unwrap();
        assert_eq!(stored.sign_count, 3, "{backend:?}");
    }
}

/// Finding 10: after a takeover the administrator resets the password; the attacker's
/// passkey must not keep signing in unnoticed. The reset ends the sessions, lists what
/// second factors remain, and removes them on request.
#[tokio::test]
async fn an_administrators_reset_lists_an_attackers_passkey_and_can_remove_it() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let url = database_url(backend, dir.path()).await;
        let config = dir.path().join("config.toml");
        std::fs::write(&config, config_text(free_port(), &url, dir.path(), "")).unwrap();
        let add = ["user", "add", "--email", USER_EMAIL, "--password-stdin"];
        let (ok, _, err) = cli(dir.path(), &config, &add, Some("a long enough password\n"));
        assert!(ok, "{err}");
        let store = tessera::store::Store::connect(&url).await.unwrap();
        let user = store.find_user_by_email(USER_EMAIL).await.unwrap().unwrap();
        let row = PasskeyRow {
            credential_id: "attackers-key".into(),
            user_id: user.id.clone(),
            name: "Not mine".into(),
            passkey: "{}".into(),
            backup_eligible: true,
            sign_count: 0,
            created_at: START,
            last_used_at: None,
        };
        assert!(store.insert_passkey(&row).await.unwrap());

        let passwd = ["user", "passwd", "--email", USER_EMAIL, "--password-stdin"];
        let (ok, out, err) = cli(
            dir.path(),
            &config,
            &passwd,
            Some("another long password\n"),
        );
        assert!(ok, "{err}");
        assert!(out.contains("signed out everywhere"), "{out}");
        assert!(
            out.contains("attackers-key\tNot mine"),
            "{backend:?}: {out}"
        );
        assert_eq!(store.passkeys_of(&user.id).await.unwrap().len(), 1);

        let disable = [
            "user",
            "disable",
            "--email",
            USER_EMAIL,
            "--remove-second-factors",
        ];
        let (ok, out, err) = cli(dir.path(), &config, &disable, None);
        assert!(ok, "{err}");
        assert!(out.contains("no second factors remain"), "{out}");
        assert!(store.passkeys_of(&user.id).await.unwrap().is_empty());
        store.close().await;
    }
}
