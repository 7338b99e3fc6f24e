//! The admin API beyond users, on SQLite and PostgreSQL: a user's sessions, consents,
//! identities and passkeys listed and ended or removed; signing keys listed, rotated and
//! retired; clients and APIs shown without their secrets; the audit trail filtered and paged.
mod common;

use common::admin::*;
use common::*;
use serde_json::{Value, json};
use tessera::store::passkeys::PasskeyRow;
use tessera::store::upstream_identities::IdentityKey;

async fn ada_signed_in(admin: &Admin) -> (String, Browser) {
    let id = admin.app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let mut browser = admin.app.browser();
    obtain_code(&admin.app, &mut browser, "confidential", REDIRECT).await;
    (id, browser)
}

fn items(answer: &Answer) -> Vec<Value> {
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body.as_array().unwrap().clone()
}

#[tokio::test]
async fn sessions_are_listed_and_ended_one_or_all() {
    for backend in Backend::all() {
        let admin = Admin::spawn(backend).await;
        let (id, mut browser) = ada_signed_in(&admin).await;
        let mut phone = admin.app.browser();
        let login = phone.get("/login").await;
        phone
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let sessions = items(&admin.get(&format!("/users/{id}/sessions")).await);
        assert_eq!(sessions.len(), 2);
        let session = &sessions[0];
        assert_eq!(session["amr"], json!(["pwd"]));
        for field in [
            "id",
            "started_at",
            "last_seen_at",
            "expires_at",
            "auth_time",
        ] {
            assert!(!session[field].is_null(), "{field}: {session}");
        }
        // Nothing that would let anyone be the user: the cookie is not in the answer.
        let listing = admin
            .get(&format!("/users/{id}/sessions"))
            .await
            .body
            .to_string();
        for cookie in browser.cookies.values().chain(phone.cookies.values()) {
            assert!(
                !listing.contains(cookie.as_str()),
                "a cookie value is shown"
            );
        }

        let handle = session["id"].as_str().unwrap();
        let ended = admin
            .delete(&format!("/users/{id}/sessions/{handle}"))
            .await;
        assert_eq!(ended.status, 204, "{ended:?}");
        let row = admin.written_by_admin("session_ended").await;
        assert_eq!(row["detail"]["by"], "admin");
        assert_eq!(
            items(&admin.get(&format!("/users/{id}/sessions")).await).len(),
            1
        );
        let again = admin
            .delete(&format!("/users/{id}/sessions/{handle}"))
            .await;
        assert_eq!(
            (again.status, again.problem()),
            (404, "urn:tessera:problem:not-found")
        );

        let all = admin.delete(&format!("/users/{id}/sessions")).await;
        assert_eq!(
            (all.status, all.body["ended_sessions"].clone()),
            (200, json!(1))
        );
        assert!(items(&admin.get(&format!("/users/{id}/sessions")).await).is_empty());
        for browser in [&mut browser, &mut phone] {
            let account = browser.get("/account").await;
            assert_eq!(account.status, 303, "signed out: {account:?}");
        }
    }
}

#[tokio::test]
async fn consents_are_listed_and_withdrawn() {
    for backend in Backend::all() {
        let admin = Admin::spawn(backend).await;
        let (id, mut browser) = ada_signed_in(&admin).await;
        let consents = items(&admin.get(&format!("/users/{id}/consents")).await);
        assert_eq!(consents.len(), 1);
        assert_eq!(consents[0]["client_id"], "confidential");
        assert_eq!(consents[0]["client_name"], "Confidential App");
        assert!(
            consents[0]["scope"]
                .as_array()
                .unwrap()
                .contains(&json!("openid"))
        );

        let withdrawn = admin
            .delete(&format!("/users/{id}/consents/confidential"))
            .await;
        assert_eq!(withdrawn.status, 204, "{withdrawn:?}");
        admin.written_by_admin("consent_withdrawn").await;
        assert!(items(&admin.get(&format!("/users/{id}/consents")).await).is_empty());
        let again = admin
            .delete(&format!("/users/{id}/consents/confidential"))
            .await;
        assert_eq!(again.status, 404);
        // The next sign-in asks again.
        let start = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let page = browser.follow(start).await.unwrap();
        assert!(page.body.contains("Allow"), "the consent page again");
    }
}

#[tokio::test]
async fn identities_and_passkeys_are_listed_and_removed() {
    for backend in Backend::all() {
        let admin = Admin::spawn(backend).await;
        let id = admin.app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let store = &admin.app.store;
        let key = IdentityKey {
            upstream_id: "corp",
            issuer: "https://corp.example.com",
            subject: "ada-42",
        };
        store
            .link_upstream_identity(key, &id, Some("ada"), START)
            .await
            .unwrap();
        let passkey = PasskeyRow {
            credential_id: "-cred-one".into(),
            user_id: id.clone(),
            name: "Laptop".into(),
            passkey: "{}".into(),
            backup_eligible: true,
            sign_count: 0,
            created_at: START,
            last_used_at: None,
        };
        assert!(store.insert_passkey(&passkey).await.unwrap());

        let identities = items(&admin.get(&format!("/users/{id}/identities")).await);
        assert_eq!(identities.len(), 1);
        assert_eq!(identities[0]["upstream_id"], "corp");
        assert_eq!(identities[0]["subject"], "ada-42");
        assert_eq!(identities[0]["account_name"], "ada");
        let unlinked = admin.delete(&format!("/users/{id}/identities/corp")).await;
        assert_eq!(unlinked.status, 204, "{unlinked:?}");
        admin.written_by_admin("upstream_identity_unlinked").await;
        let again = admin.delete(&format!("/users/{id}/identities/corp")).await;
        assert_eq!(again.status, 404);

        let passkeys = items(&admin.get(&format!("/users/{id}/passkeys")).await);
        assert_eq!(passkeys.len(), 1);
        assert_eq!(
            (passkeys[0]["id"].clone(), passkeys[0]["synced"].clone()),
            (json!("-cred-one"), json!(true))
        );
        let detail = admin.get(&format!("/users/{id}")).await;
        assert_eq!(detail.body["passkeys"], 1);
        let removed = admin
            .delete(&format!("/users/{id}/passkeys/-cred-one"))
            .await;
        assert_eq!(removed.status, 204, "{removed:?}");
        admin.written_by_admin("passkey_removed").await;
        assert!(items(&admin.get(&format!("/users/{id}/passkeys")).await).is_empty());
        assert_eq!(
            admin
                .delete(&format!("/users/{id}/passkeys/-cred-one"))
                .await
                .status,
            404
        );
    }
}

#[tokio::test]
async fn an_upstream_only_account_keeps_its_last_way_to_sign_in() {
    let admin = Admin::spawn(Backend::Sqlite).await;
    let body = json!({"email": "corp@example.com", "invite": true});
    let id = admin.post("/users", body).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let key = IdentityKey {
        upstream_id: "corp",
        issuer: "https://corp.example.com",
        subject: "c-1",
    };
    admin
        .app
        .store
        .link_upstream_identity(key, &id, None, START)
        .await
        .unwrap();
    let refused = admin.delete(&format!("/users/{id}/identities/corp")).await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.problem(), "urn:tessera:problem:last-way-to-sign-in");
}

#[tokio::test]
async fn signing_keys_are_listed_rotated_and_retired_as_the_cli_does() {
    for backend in Backend::all() {
        let mut admin = Admin::spawn(backend).await;
        let keys = items(&admin.get("/keys").await);
        assert_eq!(keys.len(), 1);
        let first = keys[0]["kid"].as_str().unwrap().to_string();
        assert_eq!(keys[0]["state"], "current");

        let alone = admin
            .post(&format!("/keys/{first}/retire"), json!({}))
            .await;
        assert_eq!(
            (alone.status, alone.problem()),
            (409, "urn:tessera:problem:key-signs-now")
        );

        let rotated = admin.post("/keys/rotate", json!({})).await;
        assert_eq!(rotated.status, 200, "{rotated:?}");
        let added = rotated.body.as_array().unwrap();
        assert_eq!(added.len(), 1);
        assert_eq!(added[0]["alg"], "RS256");
        let newest = added[0]["kid"].as_str().unwrap().to_string();
        let prepublish = admin.app.state.config().key_prepublish;
        assert_eq!(added[0]["sign_at"].as_i64(), Some(START + prepublish));
        admin.written_by_admin("signing_key_rotated").await;
        let listed = items(&admin.get("/keys").await);
        let next = listed.iter().find(|k| k["kid"] == newest.as_str()).unwrap();
        assert_eq!(next["state"], "next");

        // The published successor takes over at once.
        let retired = admin
            .post(&format!("/keys/{first}/retire"), json!({}))
            .await;
        assert_eq!(retired.status, 200, "{retired:?}");
        assert_eq!(retired.body["outcome"], "handed_over");
        assert_eq!(retired.body["successor"], newest.as_str());
        // The token in hand was signed by the retired key: this instance refuses it now.
        assert_eq!(admin.get("/keys").await.status, 401);
        let token = client_token(
            &admin.app,
            ADMIN,
            ADMIN_SECRET,
            ADMIN_API,
            "admin:read admin:write",
        );
        admin.token = token.await.unwrap();
        admin.written_by_admin("signing_key_retired").await;
        let again = admin
            .post(&format!("/keys/{first}/retire"), json!({}))
            .await;
        assert_eq!(again.body["outcome"], "already_retired");
        let unknown = admin.post("/keys/no-such-kid/retire", json!({})).await;
        assert_eq!(unknown.status, 404);
        let now = admin
            .post("/keys/rotate", json!({"alg": "RS256", "now": true}))
            .await;
        assert_eq!(now.status, 200, "{now:?}");
        assert_eq!(now.body[0]["sign_at"].as_i64(), Some(START));
        // This instance follows at once: the retired key is out of its JWKS, and a token it
        // signed is refused.
        let jwks = reqwest::get(admin.app.url("/jwks.json"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(jwks.contains(&newest) && !jwks.contains(&first), "{jwks}");
    }
}

#[tokio::test]
async fn clients_and_apis_are_shown_without_their_secrets() {
    let admin = Admin::spawn(Backend::Sqlite).await;
    let clients = admin.get("/clients").await;
    let text = clients.body.to_string();
    assert!(
        !text.contains("argon2") && !text.contains("_hash"),
        "{text}"
    );
    let list = items(&clients);
    let confidential = list
        .iter()
        .find(|c| c["client_id"] == "confidential")
        .unwrap();
    assert_eq!(confidential["confidential"], true);
    assert_eq!(
        confidential["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    let tool = admin.get(&format!("/clients/{ADMIN}")).await;
    assert_eq!(tool.status, 200);
    assert_eq!(tool.body["resources"], json!([ADMIN_API]));
    assert_eq!(tool.body["grant_types"], json!(["client_credentials"]));
    let public = admin.get("/clients/public").await;
    assert_eq!(public.body["confidential"], false);
    assert_eq!(admin.get("/clients/nobody").await.status, 404);

    let resources = items(&admin.get("/resources").await);
    let built_in = resources
        .iter()
        .find(|r| r["identifier"] == ADMIN_API)
        .unwrap();
    assert_eq!(built_in["built_in"], true);
    assert_eq!(built_in["scopes"], json!(["admin:read", "admin:write"]));
    let orders = resources
        .iter()
        .find(|r| r["identifier"] == ORDERS_API)
        .unwrap();
    assert_eq!(
        (orders["built_in"].clone(), orders["introspects"].clone()),
        (json!(false), json!(false))
    );
}

#[tokio::test]
async fn the_audit_trail_is_filtered_and_paged() {
    for backend in Backend::all() {
        let admin = Admin::spawn(backend).await;
        let grace = admin.create_user("grace@example.com").await;
        admin.app.clock.advance(100);
        let ada = admin.create_user("ada@example.com").await;
        admin
            .post(&format!("/users/{ada}/disable"), json!({}))
            .await;
        admin.app.state.audit().flush().await;

        let of_type = admin.get("/audit-events?type=user_created").await;
        let events = of_type.body["events"].as_array().unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0]["user_id"], ada.as_str(), "newest first");
        let by_email = admin.get("/audit-events?email=GRACE@example.com").await;
        let events = by_email.body["events"].as_array().unwrap();
        assert!(events.iter().all(|e| e["user_id"] == grace.as_str()) && !events.is_empty());
        let by_id = admin
            .get(&format!("/audit-events?user_id={ada}&type=user_disabled"))
            .await;
        assert_eq!(by_id.body["events"].as_array().unwrap().len(), 1);
        let nobody = admin.get("/audit-events?email=nobody@example.com").await;
        assert!(nobody.body["events"].as_array().unwrap().is_empty());

        let since = START + 50;
        let recent = admin
            .get(&format!("/audit-events?type=user_created&since={since}"))
            .await;
        assert_eq!(recent.body["events"].as_array().unwrap().len(), 1);
        let rfc3339 = "2027-01-15T09:00:00Z";
        let until = admin
            .get(&format!("/audit-events?type=user_created&until={rfc3339}"))
            .await;
        assert_eq!(until.status, 200, "{until:?}");
        assert_eq!(until.body["events"].as_array().unwrap().len(), 2);

        // A page at a time, each event once.
        let mut seen = Vec::new();
        let mut path = "/audit-events?limit=1".to_string();
        loop {
            let page = admin.get(&path).await;
            assert_eq!(page.status, 200, "{page:?}");
            seen.extend(
                page.body["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["id"].clone()),
            );
            match page.body["next_cursor"].as_str() {
                Some(cursor) => path = format!("/audit-events?limit=1&cursor={cursor}"),
                None => break,
            }
        }
        let all = admin.get("/audit-events?limit=500").await;
        let ids: Vec<Value> = all.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].clone())
            .collect();
        assert_eq!(seen, ids);
        let client = admin.get(&format!("/audit-events?client_id={ADMIN}")).await;
        assert_eq!(client.status, 200);
    }
}
