//! Enrolment and management on the account page: the QR code (a real SVG that decodes to the
//! otpauth URI), verify-then-enable, recovery codes shown once and regenerated, turning it off
//! with password and code, sealed secrets at rest, and the administrator's reset.
mod common;

use common::mfa::*;
use common::*;

/// Reads the QR code back out of the SVG: the modules are the path's unit squares, which are
/// drawn into a greyscale image and decoded by an independent QR decoder (rqrr).
fn decode_qr_svg(svg: &str) -> String {
    let doc = roxmltree::Document::parse(svg).expect("the QR code is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let size: usize = root.attribute("width").unwrap().parse().unwrap();
    assert_eq!(root.attribute("height").unwrap(), size.to_string());
    assert_eq!(
        root.attribute("viewBox").unwrap(),
        format!("0 0 {size} {size}")
    );
    let children: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert_eq!(children.len(), 2, "a background and the modules");
    assert_eq!(children[0].tag_name().name(), "rect");
    assert_eq!(children[0].attribute("fill"), Some("#fff"));
    let path = children[1];
    assert_eq!(path.tag_name().name(), "path");
    assert_eq!(path.attribute("fill"), Some("#000"));
    assert!(
        doc.descendants()
            .all(|n| !matches!(n.tag_name().name(), "script" | "foreignObject" | "image")),
        "nothing active or external in the SVG"
    );

    let mut dark = vec![false; size * size];
    for square in path.attribute("d").unwrap().split('M').skip(1) {
        // M{x} {y}h{w}v{h}H{x}V{y}
        let (xy, rest) = square.split_once('h').unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let (w, rest) = rest.split_once('v').unwrap();
        let (h, _) = rest.split_once('H').unwrap();
        let [x, y, w, h]: [usize; 4] = [x, y, w, h].map(|n| n.parse().unwrap());
        for row in y..y + h {
            for col in x..x + w {
                dark[row * size + col] = true;
            }
        }
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
        if dark[y * size + x] { 0 } else { 255 }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("a decodable QR code").1
}

fn svg_on(page: &Page) -> String {
    let start = page.body.find("<svg").expect("an inline SVG");
    let end = page.body[start..].find("</svg>").unwrap() + start + "</svg>".len();
    page.body[start..end].to_string()
}

#[tokio::test]
async fn the_enrolment_page_shows_a_qr_code_of_the_otpauth_uri_and_the_key() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        sign_in_with_password(&app, &mut browser).await;

        let page = browser.get("/account/mfa").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"));
        assert_eq!(page.header("cache-control").unwrap(), "no-store");

        let secret = secret_on(&page);
        assert_eq!(secret.len(), 32, "160 bits in base32: {secret}");
        let uri = otpauth_uri_on(&page);
        assert_eq!(
            uri,
            format!("otpauth://totp/Tessera:ada%40example.com?secret={secret}&issuer=Tessera")
        );
        assert_eq!(decode_qr_svg(&svg_on(&page)), uri);
        // A plain form, no script: usable without JavaScript.
        assert!(!page.body.contains("<script"));
        assert!(page.body.contains("action=\"/account/mfa/enable\""));

        // A reload shows the same pending secret (the user may already have scanned it).
        let again = browser.get("/account/mfa").await;
        assert_eq!(secret_on(&again), secret);
    }
}

#[tokio::test]
async fn two_step_verification_is_on_only_after_a_valid_code() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        sign_in_with_password(&app, &mut browser).await;
        let page = browser.get("/account/mfa").await;
        let secret = secret_on(&page);
        let csrf = page.hidden("csrf_token");

        let wrong = wrong_code(&secret, app.clock_now());
        let refused = browser
            .post_form(
                "/account/mfa/enable",
                &[("csrf_token", &csrf), ("code", &wrong)],
            )
            .await;
        assert_eq!(refused.status, 200);
        assert!(refused.body.contains("not valid"), "{}", refused.body);
        assert_eq!(
            secret_on(&refused),
            secret,
            "the same secret is offered again"
        );
        assert!(!app.store.totp_enabled(&user_id).await.unwrap());

        // The pending secret is not asked for at sign-in.
        let mut other = app.browser();
        sign_in_with_password(&app, &mut other).await;

        let right = code_at(&secret, app.clock_now());
        let enabled = browser
            .post_form(
                "/account/mfa/enable",
                &[("csrf_token", &csrf), ("code", &right)],
            )
            .await;
        assert_eq!(enabled.status, 200, "{}", enabled.body);
        assert!(app.store.totp_enabled(&user_id).await.unwrap());
        assert_eq!(recovery_codes_on(&enabled).len(), 10);

        // From now on the password is not enough.
        app.clock.advance(STEP);
        let mut later = app.browser();
        password_then_totp_page(&mut later, "confidential", REDIRECT).await;
    }
}

#[tokio::test]
async fn recovery_codes_are_shown_once_and_regenerating_replaces_them() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        sign_in_with_password(&app, &mut browser).await;
        let enrolment = enrol(&app, &mut browser).await;
        let first_set = enrolment.recovery_codes.clone();
        assert_eq!(
            first_set
                .iter()
                .collect::<std::collections::HashSet<_>>()
                .len(),
            10
        );

        let manage = browser.get("/account/mfa").await;
        assert!(
            manage.body.contains("Unused recovery codes: 10."),
            "{}",
            manage.body
        );
        for code in &first_set {
            assert!(!manage.body.contains(code.as_str()), "shown only once");
        }

        app.clock.advance(STEP);
        let csrf = manage.hidden("csrf_token");
        let code = code_at(&enrolment.secret, app.clock_now());
        let regenerated = browser
            .post_form(
                "/account/mfa/recovery-codes",
                &[("csrf_token", &csrf), ("code", &code)],
            )
            .await;
        assert_eq!(regenerated.status, 200, "{}", regenerated.body);
        let second_set = recovery_codes_on(&regenerated);
        assert_eq!(second_set.len(), 10);
        assert!(second_set.iter().all(|c| !first_set.contains(c)));

        let mut signing_in = app.browser();
        let page = password_then_totp_page(&mut signing_in, "confidential", REDIRECT).await;
        let old = submit_code(&mut signing_in, &page, &first_set[0]).await;
        assert!(
            old.body.contains("not valid"),
            "the old set no longer works"
        );
        let new = submit_code(&mut signing_in, &page, &second_set[0]).await;
        assert_eq!(new.status, 303);

        // Regenerating needs a valid code too.
        let manage = browser.get("/account/mfa").await;
        let refused = browser
            .post_form(
                "/account/mfa/recovery-codes",
                &[
                    ("csrf_token", &manage.hidden("csrf_token")),
                    ("code", &wrong_code(&enrolment.secret, app.clock_now())),
                ],
            )
            .await;
        assert!(recovery_codes_on(&refused).is_empty());
        assert!(refused.body.contains("not valid"));
    }
}

#[tokio::test]
async fn turning_it_off_needs_the_password_and_a_current_code() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        sign_in_with_password(&app, &mut browser).await;
        let enrolment = enrol(&app, &mut browser).await;
        app.clock.advance(STEP);
        let manage = browser.get("/account/mfa").await;
        let csrf = manage.hidden("csrf_token");
        let code = code_at(&enrolment.secret, app.clock_now());

        let wrong_password = browser
            .post_form(
                "/account/mfa/disable",
                &[
                    ("csrf_token", &csrf),
                    ("password", "wrong password"),
                    ("code", &code),
                ],
            )
            .await;
        assert!(
            wrong_password
                .body
                .contains("The password or the code is incorrect.")
        );
        let wrong_code_given = browser
            .post_form(
                "/account/mfa/disable",
                &[
                    ("csrf_token", &csrf),
                    ("password", USER_PASSWORD),
                    ("code", &wrong_code(&enrolment.secret, app.clock_now())),
                ],
            )
            .await;
        assert!(
            wrong_code_given
                .body
                .contains("The password or the code is incorrect.")
        );
        assert!(app.store.totp_enabled(&user_id).await.unwrap());

        // The code was not spent by the attempt with the wrong password.
        let off = browser
            .post_form(
                "/account/mfa/disable",
                &[
                    ("csrf_token", &csrf),
                    ("password", USER_PASSWORD),
                    ("code", &code),
                ],
            )
            .await;
        assert_eq!(off.status, 303);
        assert_eq!(off.location().unwrap(), "/account/mfa");
        assert!(!app.store.totp_enabled(&user_id).await.unwrap());
        assert!(
            app.store
                .find_totp_credential(&user_id)
                .await
                .unwrap()
                .is_none()
        );

        let mut later = app.browser();
        sign_in_with_password(&app, &mut later).await;
    }
}

#[tokio::test]
async fn the_account_page_wants_a_signed_in_user_and_csrf_tokens() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut stranger = app.browser();
        let page = stranger.get("/account/mfa").await;
        assert_eq!(page.status, 303);
        assert_eq!(
            page.location().as_deref(),
            Some("/login?return_to=%2Faccount%2Fmfa"),
            "the account sign-in, coming back here"
        );
        let post = stranger
            .post_form("/account/mfa/enable", &[("code", "123456")])
            .await;
        assert_eq!(post.status, 403);

        let mut browser = app.browser();
        sign_in_with_password(&app, &mut browser).await;
        let page = browser.get("/account/mfa").await;
        let code = code_at(&secret_on(&page), app.clock_now());
        let forged = browser
            .post_form(
                "/account/mfa/enable",
                &[("csrf_token", "forged"), ("code", &code)],
            )
            .await;
        assert_eq!(forged.status, 403);
        assert!(forged.body.contains("Form expired"));
    }
}

#[tokio::test]
async fn enrolment_is_refused_without_a_master_key() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| c.master_key = None).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        sign_in_with_password(&app, &mut browser).await;
        let page = browser.get("/account/mfa").await;
        assert_eq!(page.status, 503);
        assert!(page.body.contains("master key"), "{}", page.body);
        assert!(!page.body.contains("<svg"));
        assert!(
            app.store
                .find_totp_credential(&user_id)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn secrets_are_sealed_at_rest_and_recovery_codes_hashed() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let user_id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        sign_in_with_password(&app, &mut browser).await;
        let enrolment = enrol(&app, &mut browser).await;
        let stored = app
            .store
            .find_totp_credential(&user_id)
            .await
            .unwrap()
            .unwrap();
        assert!(stored.sealed_secret.starts_with("v1:"));
        assert!(!stored.sealed_secret.contains(&enrolment.secret));
        let raw = totp_rs::Secret::try_from_base32(&enrolment.secret)
            .unwrap()
            .as_bytes()
            .to_vec();
        let key = app.state.mfa_key().unwrap().clone();
        assert_eq!(
            key.open(&stored.sealed_secret, &user_id)
                .unwrap()
                .as_slice(),
            raw.as_slice()
        );
        assert!(!format!("{stored:?}").contains(&stored.sealed_secret));
        assert_eq!(
            app.store
                .count_unused_recovery_codes(&user_id)
                .await
                .unwrap(),
            10
        );
        for code in &enrolment.recovery_codes {
            assert!(
                !app.store
                    .consume_recovery_code(&user_id, code, 0)
                    .await
                    .unwrap(),
                "stored hashed, not as typed"
            );
        }
    }
}

#[tokio::test]
async fn an_administrator_reset_lets_the_user_in_with_the_password_alone() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let enrolment = enrolled_user(&app).await;
        let mut browser = app.browser();
        let half_done = password_then_totp_page(&mut browser, "confidential", REDIRECT).await;

        use tessera::service::admin::{UserKey, access::reset_second_factors};
        reset_second_factors(&app.state, UserKey::Email("ADA@example.com"))
            .await
            .unwrap();
        assert!(
            reset_second_factors(&app.state, UserKey::Email("nobody@example.com"))
                .await
                .is_err()
        );
        let mut after = app.browser();
        sign_in_with_password(&app, &mut after).await;
        // The half-done sign-in from before the reset is gone too.
        let page = browser.get(&half_done.form_action()).await;
        assert!(page.location().unwrap().starts_with("/login?"));
        // And a new enrolment starts from a new secret.
        let page = after.get("/account/mfa").await;
        assert_ne!(secret_on(&page), enrolment.secret);
    }
}
