//! The admin API's users, on SQLite and PostgreSQL: made, found, changed and deleted; pages
//! that stay stable while users are added; and the writes with the CLI's effects (a disabled
//! user's sessions end with a back-channel logout and their tokens stop), each recorded in
//! the audit trail as the admin client's.
mod common;

use std::time::Duration;

use common::admin::*;
use common::relying_party::{Behaviour, RelyingParty};
use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn a_user_is_made_found_changed_and_deleted() {
    for backend in Backend::all() {
        let admin = Admin::spawn(backend).await;
        let body = json!({
            "email": " Grace@Example.com ", "name": "Grace Hopper",
            "email_verified": true, "password": "a long enough passphrase",
        });
        let created = admin.post("/users", body).await;
        assert_eq!(created.status, 201, "{created:?}");
        let id = created.body["id"].as_str().unwrap().to_string();
        assert_eq!(
            created.header("location"),
            Some(format!("{V1}/users/{id}").as_str())
        );
        assert_eq!(created.body["email"], "grace@example.com");
        assert_eq!(created.body["has_password"], true);
        assert_eq!(created.header("cache-control"), Some("no-store"));
        let row = admin.written_by_admin("user_created").await;
        assert_eq!(row["user_id"], id.as_str());
        // The password works at the sign-in page.
        let mut browser = admin.app.browser();
        let login = browser.get("/login").await;
        let signed_in = browser
            .submit_login(&login, "grace@example.com", "a long enough passphrase")
            .await
            .unwrap();
        assert!(!signed_in.body.contains("name=\"password\""), "signed in");

        let taken = admin
            .post(
                "/users",
                json!({"email": "GRACE@example.com", "invite": true}),
            )
            .await;
        assert_eq!(
            (taken.status, taken.problem()),
            (409, "urn:tessera:problem:email-taken")
        );

        let detail = admin.get(&format!("/users/{id}")).await;
        assert_eq!(detail.status, 200);
        assert_eq!(detail.body["user"]["name"], "Grace Hopper");
        assert_eq!(
            (
                detail.body["totp_enabled"].clone(),
                detail.body["passkeys"].clone()
            ),
            (json!(false), json!(0))
        );

        let changed = admin
            .patch(
                &format!("/users/{id}"),
                json!({"name": null, "email": "g.hopper@example.com"}),
            )
            .await;
        assert_eq!(changed.status, 200, "{changed:?}");
        assert_eq!(changed.body["name"], Value::Null);
        assert_eq!(changed.body["email"], "g.hopper@example.com");
        assert_eq!(
            changed.body["email_verified"], false,
            "a new address is unconfirmed"
        );
        let row = admin.written_by_admin("user_updated").await;
        assert_eq!(
            row["detail"]["fields"],
            json!(["name", "email", "email_verified"])
        );
        let kept = admin
            .patch(&format!("/users/{id}"), json!({"email_verified": true}))
            .await;
        assert_eq!(
            (
                kept.body["email_verified"].clone(),
                kept.body["name"].clone()
            ),
            (json!(true), Value::Null)
        );
        let other = admin.create_user("ada@example.com").await;
        let clash = admin
            .patch(
                &format!("/users/{other}"),
                json!({"email": "G.Hopper@example.com"}),
            )
            .await;
        assert_eq!(
            (clash.status, clash.problem()),
            (409, "urn:tessera:problem:email-taken")
        );

        let invited = admin
            .post(
                "/users",
                json!({"email": "hedy@example.com", "name": "Hedy", "invite": true}),
            )
            .await;
        assert_eq!(invited.status, 201, "{invited:?}");
        assert_eq!(invited.body["has_password"], false);
        assert_eq!(invited.body["email_verified"], false);
        let row = admin.written_by_admin("user_invited").await;
        assert_eq!(row["user_id"], invited.body["id"]);

        let deleted = admin.delete(&format!("/users/{id}")).await;
        assert_eq!(deleted.status, 204, "{deleted:?}");
        assert_eq!(
            admin.written_by_admin("user_deleted").await["user_id"],
            id.as_str()
        );
        let gone = admin.get(&format!("/users/{id}")).await;
        assert_eq!(
            (gone.status, gone.problem()),
            (404, "urn:tessera:problem:not-found")
        );
        assert_eq!(admin.delete(&format!("/users/{id}")).await.status, 404);
    }
}

#[tokio::test]
async fn a_search_matches_email_or_name_in_any_case_and_wildcards_are_plain() {
    for backend in Backend::all() {
        let admin = Admin::spawn(backend).await;
        for (email, name) in [
            ("ada@example.com", "Ada Lovelace"),
            ("grace@example.com", "Grace Hopper"),
            ("percent%user@example.com", "Under_Score"),
            ("hopper.fan@example.org", "Fan"),
        ] {
            admin.app.clock.advance(1);
            let body = json!({"email": email, "name": name, "invite": true});
            assert_eq!(admin.post("/users", body).await.status, 201);
        }
        let emails = |answer: &Answer| -> Vec<String> {
            let users = answer.body["users"].as_array().unwrap();
            users
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_string())
                .collect()
        };
        let found = admin.get("/users?q=HOPPER").await;
        assert_eq!(
            emails(&found),
            ["grace@example.com", "hopper.fan@example.org"]
        );
        assert_eq!(
            emails(&admin.get("/users?q=%25").await),
            ["percent%user@example.com"]
        );
        assert_eq!(
            emails(&admin.get("/users?q=_").await),
            ["percent%user@example.com"]
        );
        assert_eq!(
            emails(&admin.get("/users?q=lovel").await),
            ["ada@example.com"]
        );
        assert!(emails(&admin.get("/users?q=nobody").await).is_empty());
        assert_eq!(emails(&admin.get("/users").await).len(), 4);
    }
}

#[tokio::test]
async fn pages_stay_stable_while_users_are_added() {
    for backend in Backend::all() {
        let admin = Admin::spawn(backend).await;
        let mut before = Vec::new();
        for i in 0..7 {
            admin.app.clock.advance(1);
            let body = json!({"email": format!("user{i}@example.com"), "invite": true});
            before.push(admin.post("/users", body).await.body["id"].clone());
        }
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut added = 0;
        loop {
            let path = match &cursor {
                Some(cursor) => format!("/users?limit=3&cursor={cursor}"),
                None => "/users?limit=3".to_string(),
            };
            let page = admin.get(&path).await;
            assert_eq!(page.status, 200, "{page:?}");
            seen.extend(
                page.body["users"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|u| u["id"].clone()),
            );
            // Someone adds users between two pages.
            admin.app.clock.advance(1);
            let body = json!({"email": format!("late{added}@example.com"), "invite": true});
            assert_eq!(admin.post("/users", body).await.status, 201);
            added += 1;
            match page.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
            assert!(added < 20, "paging never ends");
        }
        let mut unique = seen.clone();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "no user twice: {seen:?}");
        assert_eq!(
            &seen[..7],
            &before[..],
            "the users that were there, in order, none skipped"
        );
        assert!(seen.len() > 7, "users added meanwhile come after them");
    }
}

/// The confidential client registers a back-channel logout URI at `rp`; Ada signs in with
/// offline access. The app's tokens.
async fn signed_in_with_an_app(backend: Backend, rp: &RelyingParty) -> (Admin, String, Value) {
    let uri = rp.url.clone();
    let config = admin_config();
    let app = TestApp::spawn_with_toml_then(backend, &config, |c| {
        c.backchannel_logout_poll_interval = 1;
        c.clients[0].backchannel_logout_uri = Some(uri);
    })
    .await;
    tessera::server::spawn_outbox_worker(&app.state);
    let id = app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let token = client_token(
        &app,
        ADMIN,
        ADMIN_SECRET,
        ADMIN_API,
        "admin:read admin:write",
    );
    let admin = Admin {
        token: token.await.unwrap(),
        app,
    };
    let tokens = offline_tokens(&admin.app, &mut admin.app.browser()).await;
    (admin, id, tokens)
}

#[tokio::test]
async fn disabling_ends_sessions_tells_the_apps_and_stops_every_token_as_the_cli_does() {
    for backend in Backend::all() {
        let rp = RelyingParty::start(Behaviour::Accept).await;
        let (admin, id, tokens) = signed_in_with_an_app(backend, &rp).await;
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(userinfo_status(&admin.app, access).await, 200);
        let sessions = admin.get(&format!("/users/{id}/sessions")).await;
        assert_eq!(sessions.body.as_array().unwrap().len(), 1, "{sessions:?}");

        let disabled = admin.post(&format!("/users/{id}/disable"), json!({})).await;
        assert_eq!(disabled.status, 200, "{disabled:?}");
        assert_eq!(disabled.body["disabled"], true);
        let logouts = rp.wait_for(1, Duration::from_secs(10)).await;
        assert_eq!(logouts.len(), 1, "the app is told");
        let sessions = admin.get(&format!("/users/{id}/sessions")).await;
        assert!(sessions.body.as_array().unwrap().is_empty());
        let refreshed = refresh(&admin.app, tokens["refresh_token"].as_str().unwrap(), None).await;
        assert_eq!(refreshed.status(), 400, "the refresh token stopped");
        assert_eq!(userinfo_status(&admin.app, access).await, 401);
        let row = admin.written_by_admin("user_disabled").await;
        assert_eq!(row["user_id"], id.as_str());
        let ended = admin.audit_rows().await;
        assert!(
            ended
                .iter()
                .any(|r| r["type"] == "session_ended" && r["actor"] == "admin_client")
        );

        // Idempotent: again is the same answer, and no second event.
        let again = admin.post(&format!("/users/{id}/disable"), json!({})).await;
        assert_eq!(
            (again.status, again.body["disabled"].clone()),
            (200, json!(true))
        );
        let rows = admin.audit_rows().await;
        assert_eq!(
            rows.iter().filter(|r| r["type"] == "user_disabled").count(),
            1
        );

        admin.app.clock.advance(1);
        let enabled = admin.post(&format!("/users/{id}/enable"), json!({})).await;
        assert_eq!(
            (enabled.status, enabled.body["disabled"].clone()),
            (200, json!(false))
        );
        admin.written_by_admin("user_enabled").await;
        let refreshed = refresh(&admin.app, tokens["refresh_token"].as_str().unwrap(), None).await;
        assert_eq!(refreshed.status(), 400, "nothing comes back");
        assert_eq!(userinfo_status(&admin.app, access).await, 401);
    }
}

#[tokio::test]
async fn refresh_tokens_are_revoked_by_user_and_by_client() {
    for backend in Backend::all() {
        for by in ["user", "user and client", "client"] {
            let rp = RelyingParty::start(Behaviour::Accept).await;
            let (admin, id, tokens) = signed_in_with_an_app(backend, &rp).await;
            let path = match by {
                "user" => format!("/users/{id}/refresh-tokens"),
                "user and client" => format!("/users/{id}/refresh-tokens?client_id=confidential"),
                _ => "/clients/confidential/refresh-tokens".to_string(),
            };
            let revoked = admin.delete(&path).await;
            assert_eq!(revoked.status, 200, "{by}: {revoked:?}");
            assert_eq!(revoked.body["revoked_families"], 1, "{by}");
            let refreshed = refresh(&admin.app, tokens["refresh_token"].as_str().unwrap(), None);
            assert_eq!(refreshed.await.status(), 400, "{by}");
            let access = tokens["access_token"].as_str().unwrap();
            assert_eq!(userinfo_status(&admin.app, access).await, 401, "{by}");
            let row = admin.written_by_admin("refresh_tokens_revoked").await;
            assert_eq!(row["detail"]["families"], 1);
            // Sessions stay.
            let sessions = admin.get(&format!("/users/{id}/sessions")).await;
            assert_eq!(sessions.body.as_array().unwrap().len(), 1, "{by}");
            let none_left = admin.delete(&path).await;
            assert_eq!(none_left.body["revoked_families"], 0, "{by}");
        }
    }
}

#[tokio::test]
async fn second_factors_are_reset_and_mail_is_sent_on_the_users_behalf() {
    for backend in Backend::all() {
        let admin = Admin::spawn(backend).await;
        let id = admin.create_user("grace@example.com").await;
        let reset = admin
            .post(&format!("/users/{id}/second-factors/reset"), json!({}))
            .await;
        assert_eq!(reset.status, 200, "{reset:?}");
        assert_eq!(
            reset.body,
            json!({"totp_removed": false, "passkeys_removed": 0})
        );
        admin.written_by_admin("second_factors_reset").await;

        let sent = admin
            .post(&format!("/users/{id}/verification-email"), json!({}))
            .await;
        assert_eq!(sent.status, 202, "{sent:?}");
        admin.written_by_admin("verification_sent").await;
        let sent = admin
            .post(&format!("/users/{id}/password-reset-email"), json!({}))
            .await;
        assert_eq!(sent.status, 202, "{sent:?}");
        admin.written_by_admin("password_reset_requested").await;
        let queued = admin.app.store.mail_outbox_stats().await.unwrap();
        assert_eq!(queued.pending, 2);

        let verified = admin
            .patch(&format!("/users/{id}"), json!({"email_verified": true}))
            .await;
        assert_eq!(verified.status, 200);
        let again = admin
            .post(&format!("/users/{id}/verification-email"), json!({}))
            .await;
        assert_eq!(
            (again.status, again.problem()),
            (409, "urn:tessera:problem:already-verified")
        );
        admin.post(&format!("/users/{id}/disable"), json!({})).await;
        let refused = admin
            .post(&format!("/users/{id}/password-reset-email"), json!({}))
            .await;
        assert_eq!(
            (refused.status, refused.problem()),
            (409, "urn:tessera:problem:user-disabled")
        );
        let unknown = admin
            .post("/users/nobody/verification-email", json!({}))
            .await;
        assert_eq!(unknown.status, 404);
    }
}
