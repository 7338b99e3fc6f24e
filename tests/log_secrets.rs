//! No secret reaches the logs or the audit trail: a full flow runs with every log level on,
//! then the captured output and every `audit_events` row are searched for each password,
//! secret, code and token that was used.
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::Value;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_full_flow_logs_no_secret() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_env_filter("trace")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        // A failed attempt first: its password must not be logged either.
        let start = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let login = browser.follow(start).await.unwrap();
        browser
            .submit_login(&login, USER_EMAIL, "wrong-password-xyz")
            .await
            .unwrap();
        let code = obtain_offline_code(&mut browser, "confidential", REDIRECT).await;
        let tokens: Value = exchange(&app, &code).await.json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap().to_string();
        let refresh_token = tokens["refresh_token"].as_str().unwrap().to_string();
        let id_token = tokens["id_token"].as_str().unwrap().to_string();
        assert_eq!(userinfo_status(&app, &access).await, 200);
        let rotated: Value = refresh(&app, &refresh_token, None)
            .await
            .json()
            .await
            .unwrap();
        // Replays and failures log warnings; they must name no secret either.
        exchange(&app, &code).await;
        refresh(&app, &refresh_token, None).await;
        token_request(
            &app,
            Some(("confidential", "wrong-client-secret-xyz")),
            &[("grant_type", "authorization_code"), ("code", "c")],
        )
        .await;
        client_post(
            &app,
            "/revoke",
            ("confidential", CONFIDENTIAL_SECRET),
            &[("token", &access)],
        )
        .await;

        let session = browser
            .cookies
            .iter()
            .find(|(k, _)| k.ends_with("tessera_session"))
            .map(|(_, v)| v.clone())
            .unwrap();
        // The audit trail is scanned with the log: its rows, as stored.
        app.state.audit().flush().await;
        let filter = tessera::store::audit_events::AuditFilter {
            limit: 1000,
            ..Default::default()
        };
        let rows = app.store.audit_events(&filter).await.unwrap();
        assert!(rows.len() >= 4, "the flow was audited: {rows:?}");
        let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
        let logs = format!("{logs}\n{rows:?}");
        assert!(logs.contains("sign_in"), "logging was captured");
        let signature = |jwt: &str| jwt.rsplit('.').next().unwrap().to_string();
        for (name, secret) in [
            ("password", USER_PASSWORD.to_string()),
            ("wrong password", "wrong-password-xyz".to_string()),
            ("client secret", CONFIDENTIAL_SECRET.to_string()),
            ("wrong client secret", "wrong-client-secret-xyz".to_string()),
            ("code", code.clone()),
            ("access token", signature(&access)),
            ("id token", signature(&id_token)),
            ("refresh token", refresh_token.clone()),
            (
                "rotated refresh token",
                rotated["refresh_token"].as_str().unwrap().to_string(),
            ),
            ("session cookie", session),
            ("PKCE verifier", VERIFIER.to_string()),
        ] {
            assert!(!logs.contains(&secret), "{name} appears in the logs");
        }
    }
}
