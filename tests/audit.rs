//! The audit trail as an operator reads it after an incident: a full flow (a wrong password,
//! the second step, consent, a copied refresh token, an administrator's disable) leaves
//! exactly its events, in order, with who did each and from where, and no secret in any row;
//! `tessera audit` reads them back.
mod common;

use common::mfa::*;
use common::process::{cli, config_text, database_url, free_port};
use common::*;
use serde_json::Value;
use tessera::audit::origin::{self, Origin};
use tessera::store::audit_events::{AuditFilter, AuditRow};

/// Every event, oldest first, once the writer has caught up.
async fn trail(app: &TestApp) -> Vec<AuditRow> {
    app.state.audit().flush().await;
    let filter = AuditFilter {
        limit: 1000,
        ..AuditFilter::default()
    };
    let mut rows = app.store.audit_events(&filter).await.unwrap();
    rows.reverse();
    rows
}

fn kinds(rows: &[AuditRow]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| (r.event_type.clone(), r.outcome.clone()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(t, o)| (t.to_string(), o.to_string()))
        .collect()
}

#[tokio::test]
async fn a_full_flow_leaves_exactly_its_events_in_order_and_no_secret() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let enrolment = enrolled_user(&app).await;
        let user_id = app
            .store
            .find_user_by_email(USER_EMAIL)
            .await
            .unwrap()
            .unwrap()
            .id;
        let before = trail(&app).await;
        assert_eq!(
            kinds(&before),
            pairs(&[
                ("user_created", "success"),
                ("sign_in", "success"),
                ("consent_granted", "success"),
                ("totp_enabled", "success"),
            ]),
            "{before:#?}"
        );

        // A new browser: a wrong password, the right one, the second step, consent.
        let mut browser = app.browser();
        let start = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let login = browser.follow(start).await.unwrap();
        browser
            .submit_login(&login, USER_EMAIL, "wrong-password-xyz")
            .await
            .unwrap();
        let url = authorize_url("confidential", REDIRECT, &[("prompt", "consent")]).replace(
            "scope=openid+email+profile",
            "scope=openid+email+profile+offline_access",
        );
        let start = browser.get(&url).await;
        let login = browser.follow(start).await.unwrap();
        let totp_page = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(is_totp_page(&totp_page), "{}", totp_page.body);
        let code = code_at(&enrolment.secret, app.clock_now());
        let consent = submit_code(&mut browser, &totp_page, &code).await;
        let consent = browser.follow(consent).await.unwrap();
        let done = browser.submit_consent(&consent, "allow").await;
        let auth_code = query_of(&done.location().unwrap())["code"].clone();
        let tokens: Value = exchange(&app, &auth_code).await.json().await.unwrap();
        let first_refresh = tokens["refresh_token"].as_str().unwrap().to_string();
        let rotated: Value = refresh(&app, &first_refresh, None)
            .await
            .json()
            .await
            .unwrap();
        // The replaced token comes back after the grace period: a copy. Its family is revoked.
        app.clock.advance(60);
        assert_eq!(refresh(&app, &first_refresh, None).await.status(), 400);
        // An operator disables the account from the command line.
        let disable = tessera::service::admin::access::set_disabled(
            &app.state,
            tessera::service::admin::UserKey::Email(USER_EMAIL),
            true,
            START,
        );
        origin::within(Origin::cli(), disable).await.unwrap();

        let rows = trail(&app).await;
        let flow = &rows[before.len()..];
        assert_eq!(
            kinds(flow),
            pairs(&[
                ("sign_in", "failure"),
                ("sign_in", "success"),
                ("second_step", "success"),
                ("consent_granted", "success"),
                ("refresh_token_reuse", "failure"),
                // Disabling ends every session first, then records the disable.
                ("session_ended", "success"),
                ("user_disabled", "success"),
            ]),
            "{flow:#?}"
        );
        for row in flow {
            assert_eq!(row.user_id.as_deref(), Some(user_id.as_str()), "{row:?}");
        }
        let browser_events = &flow[..4];
        for row in browser_events {
            assert_eq!(row.actor, "user", "{row:?}");
            assert_eq!(row.address.as_deref(), Some("127.0.0.1"), "{row:?}");
        }
        assert_eq!(flow[1].detail, r#"{"method":"password"}"#);
        assert_eq!(flow[2].detail, r#"{"method":"code"}"#);
        assert_eq!(flow[3].client_id.as_deref(), Some("confidential"));
        // The token endpoint is called by the app, not the person: still their event.
        assert_eq!(flow[4].client_id.as_deref(), Some("confidential"));
        for row in &flow[5..] {
            assert_eq!(row.actor, "cli", "{row:?}");
            assert_eq!(row.address, None);
        }

        let session = browser
            .cookies
            .iter()
            .find(|(k, _)| k.ends_with("tessera_session"))
            .map(|(_, v)| v.clone())
            .unwrap();
        let everything = format!("{rows:?}");
        let signature = |jwt: &str| jwt.rsplit('.').next().unwrap().to_string();
        for (name, secret) in [
            ("password", USER_PASSWORD.to_string()),
            ("wrong password", "wrong-password-xyz".to_string()),
            ("TOTP secret", enrolment.secret.clone()),
            ("TOTP code", code.clone()),
            ("recovery code", enrolment.recovery_codes[0].clone()),
            ("client secret", CONFIDENTIAL_SECRET.to_string()),
            ("code", auth_code.clone()),
            (
                "access token",
                signature(tokens["access_token"].as_str().unwrap()),
            ),
            ("id token", signature(tokens["id_token"].as_str().unwrap())),
            ("refresh token", first_refresh.clone()),
            (
                "rotated refresh token",
                rotated["refresh_token"].as_str().unwrap().into(),
            ),
            ("session cookie", session),
            ("PKCE verifier", VERIFIER.to_string()),
        ] {
            assert!(
                !everything.contains(&secret),
                "{name} is in the audit trail"
            );
        }
    }
}

#[tokio::test]
async fn the_account_page_shows_the_owner_their_recent_activity() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut stranger = app.browser();
        let start = stranger
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let login = stranger.follow(start).await.unwrap();
        stranger
            .submit_login(&login, USER_EMAIL, "not-the-password")
            .await
            .unwrap();
        let mut browser = app.browser();
        obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        app.state.audit().flush().await;
        let page = browser.get("/account").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Recent activity"), "{}", page.body);
        let failed = page
            .body
            .find("Sign-in attempt with a wrong password")
            .unwrap();
        let signed_in = page.body.find("<strong>Signed in</strong>").unwrap();
        assert!(signed_in < failed, "newest first: {}", page.body);
        assert!(page.body.contains("127.0.0.1"), "{}", page.body);
    }
}

#[tokio::test]
async fn tessera_audit_reads_the_trail_and_the_cli_is_its_actor() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let url = database_url(backend, dir.path()).await;
        let config = dir.path().join("config.toml");
        std::fs::write(&config, config_text(free_port(), &url, dir.path(), "")).unwrap();
        let (ok, _, err) = cli(dir.path(), &config, &["keys", "rotate"], None);
        assert!(ok, "{err}");

        let (ok, out, err) = cli(
            dir.path(),
            &config,
            &[
                "audit",
                "--type",
                "signing_key_rotated",
                "--since",
                "1h",
                "--json",
            ],
            None,
        );
        assert!(ok, "{err}");
        let events: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(!events.is_empty(), "{out}");
        for event in &events {
            assert_eq!(event["type"], "signing_key_rotated", "{event}");
            assert_eq!(event["actor"], "cli", "{event}");
            assert!(event["detail"]["kid"].is_string(), "{event}");
        }

        let (ok, out, _) = cli(dir.path(), &config, &["audit"], None);
        assert!(ok);
        assert!(
            out.contains("signing_key_rotated") && out.contains("actor=cli"),
            "{out}"
        );

        let (ok, _, err) = cli(dir.path(), &config, &["audit", "--type", "nope"], None);
        assert!(!ok && err.contains("unknown event type"), "{err}");
        let (ok, _, err) = cli(
            dir.path(),
            &config,
            &["audit", "--since", "yesterday"],
            None,
        );
        assert!(!ok && err.contains("--since"), "{err}");
    }
}
