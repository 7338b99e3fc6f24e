//! The admin API's gate and edges, on SQLite and PostgreSQL: who may call it (RFC 6750
//! challenges and problem documents for every refusal), what bad input gets (always a problem
//! document, never a 5xx or a page), the OpenAPI 3.1 document against the router, and
//! `admin_listen`.
mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::admin::*;
use common::*;
use reqwest::Method;
use serde_json::{Value, json};

const PROBLEM: &str = "urn:tessera:problem:";

fn problem(slug: &str) -> String {
    format!("{PROBLEM}{slug}")
}

/// A user's own ID and access tokens, from a sign-in through the confidential client.
async fn user_tokens(admin: &Admin) -> Value {
    admin.app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let code = obtain_code(
        &admin.app,
        &mut admin.app.browser(),
        "confidential",
        REDIRECT,
    )
    .await;
    let response = exchange(&admin.app, &code).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn without_a_valid_token_nothing_is_answered_but_the_challenge() {
    for backend in Backend::all() {
        let admin = Admin::spawn(backend).await;
        let app = &admin.app;
        let none = call_with(app, None, Method::GET, &format!("{V1}/users"), None).await;
        assert_eq!(none.status, 401);
        assert_eq!(none.problem(), problem("unauthenticated"));
        assert_eq!(
            none.header("www-authenticate"),
            Some("Bearer realm=\"tessera-admin\"")
        );
        // Basic credentials are no bearer token either.
        let basic = reqwest::Client::new()
            .get(app.url(&format!("{V1}/users")))
            .basic_auth(ADMIN, Some(ADMIN_SECRET))
            .send()
            .await
            .unwrap();
        assert_eq!(answer(basic).await.status, 401);

        let mut forged = admin.token.clone();
        let payload = forged.split('.').nth(1).unwrap().to_string();
        let mut claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&payload).unwrap()).unwrap();
        claims["client_id"] = json!("someone-else");
        let tampered = URL_SAFE_NO_PAD.encode(claims.to_string());
        forged = forged.replace(&payload, &tampered);
        for (token, why) in [
            ("garbage", "garbage"),
            ("a.b.c", "not a JWT"),
            (forged.as_str(), "a payload its signature does not cover"),
        ] {
            let users = format!("{V1}/users");
            let refused = call_with(app, Some(token), Method::GET, &users, None).await;
            assert_eq!(refused.status, 401, "{why}");
            assert_eq!(refused.problem(), problem("invalid-token"), "{why}");
            let challenge = refused.header("www-authenticate").unwrap();
            assert!(
                challenge.starts_with("Bearer realm=\"tessera-admin\", error=\"invalid_token\""),
                "{challenge}"
            );
        }

        // Expired: the access token lifetime passes on the server's clock.
        app.clock.advance(app.state.config().access_token_ttl + 1);
        let expired = admin.get("/users").await;
        assert_eq!(expired.status, 401);
        assert_eq!(expired.body["detail"], "the token has expired");
    }
}

#[tokio::test]
async fn a_revoked_admin_token_stops_at_once() {
    for backend in Backend::all() {
        let admin = Admin::spawn(backend).await;
        assert_eq!(admin.get("/users").await.status, 200);
        let fields = [("token", admin.token.as_str())];
        let revoked = client_post(&admin.app, "/revoke", (ADMIN, ADMIN_SECRET), &fields).await;
        assert_eq!(revoked.status(), 200);
        let refused = admin.get("/users").await;
        assert_eq!(refused.status, 401);
        assert_eq!(refused.problem(), problem("invalid-token"));
    }
}

#[tokio::test]
async fn a_token_that_is_not_an_admin_clients_own_is_forbidden_with_the_scope_named() {
    for backend in Backend::all() {
        let admin = Admin::spawn(backend).await;
        let app = &admin.app;
        let users = format!("{V1}/users");
        let orders = client_token(
            app,
            ORDERS_SERVICE,
            ORDERS_SECRET,
            ORDERS_API,
            "orders:read",
        );
        let orders = orders.await.unwrap();
        let tokens = user_tokens(&admin).await;
        let user_access = tokens["access_token"].as_str().unwrap();
        for (token, why) in [
            (orders.as_str(), "another API's"),
            (user_access, "a user's"),
        ] {
            let refused = call_with(app, Some(token), Method::GET, &users, None).await;
            assert_eq!(refused.status, 403, "{why}: {refused:?}");
            assert_eq!(refused.problem(), problem("insufficient-scope"));
            assert_eq!(
                refused.header("www-authenticate"),
                Some(
                    "Bearer realm=\"tessera-admin\", error=\"insufficient_scope\", scope=\"admin:read\""
                )
            );
            assert_eq!(refused.body["scope"], "admin:read");
        }
        // An ID token is no access token at all.
        let id_token = tokens["id_token"].as_str().unwrap();
        let refused = call_with(app, Some(id_token), Method::GET, &users, None).await;
        assert_eq!(refused.status, 401);

        // Reading needs admin:read, writing admin:write; neither implies the other.
        let reader = client_token(app, READER, READER_SECRET, ADMIN_API, "admin:read");
        let reader = reader.await.unwrap();
        let writer = client_token(app, WRITER, WRITER_SECRET, ADMIN_API, "admin:write");
        let writer = writer.await.unwrap();
        let read = call_with(app, Some(&reader), Method::GET, &users, None).await;
        assert_eq!(read.status, 200);
        let body = json!({"email": "grace@example.com", "invite": true});
        let write = call_with(app, Some(&reader), Method::POST, &users, Some(body)).await;
        assert_eq!(write.status, 403);
        assert_eq!(write.body["scope"], "admin:write");
        assert!(
            write
                .header("www-authenticate")
                .unwrap()
                .contains("scope=\"admin:write\"")
        );
        let refused = call_with(app, Some(&writer), Method::GET, &users, None).await;
        assert_eq!(
            (refused.status, refused.body["scope"].clone()),
            (403, json!("admin:read"))
        );
        let disable = format!("{V1}/users/nobody/disable");
        let allowed = call_with(app, Some(&writer), Method::POST, &disable, None).await;
        assert_eq!(allowed.status, 404, "past the gate: {allowed:?}");

        // A user's client cannot even ask for an admin token.
        let asked = client_token(
            app,
            "confidential",
            CONFIDENTIAL_SECRET,
            ADMIN_API,
            "admin:read",
        );
        assert!(asked.await.is_err());
    }
}

#[tokio::test]
async fn bad_input_gets_a_problem_document_never_a_page_or_a_5xx() {
    for backend in Backend::all() {
        let admin = Admin::spawn(backend).await;
        let raw = |method: Method, path: &str, content_type: &str, body: Vec<u8>| {
            let request = reqwest::Client::new()
                .request(method, admin.app.url(&format!("{V1}{path}")))
                .bearer_auth(&admin.token)
                .header("content-type", content_type.to_string())
                .body(body);
            async move { answer(request.send().await.unwrap()).await }
        };
        let json_type = "application/json";
        let cases: Vec<(Answer, u16, &str)> = vec![
            (
                raw(Method::POST, "/users", json_type, b"{\"email\": ".to_vec()).await,
                400,
                "malformed-json",
            ),
            (
                admin
                    .post(
                        "/users",
                        json!({"email": "a@example.com", "invite": true, "admin": true}),
                    )
                    .await,
                422,
                "invalid-body",
            ),
            (
                admin.patch("/users/x", json!([null, true])).await,
                422,
                "invalid-body",
            ),
            (
                admin
                    .post("/users", json!({"email": 5, "invite": true}))
                    .await,
                422,
                "invalid-body",
            ),
            (
                admin.post("/users", json!({"invite": true})).await,
                422,
                "invalid-body",
            ),
            (
                admin
                    .patch("/users/x", json!({"email_verified": "yes"}))
                    .await,
                422,
                "invalid-body",
            ),
            (
                raw(Method::POST, "/users", "text/plain", b"{}".to_vec()).await,
                415,
                "unsupported-media-type",
            ),
            (
                raw(Method::POST, "/users", json_type, vec![b' '; 70 * 1024]).await,
                413,
                "payload-too-large",
            ),
            (
                admin
                    .post("/users", json!({"email": "a@example.com"}))
                    .await,
                422,
                "invalid-value",
            ),
            (
                admin
                    .post(
                        "/users",
                        json!({"email": "a@example.com", "invite": true, "password": "x"}),
                    )
                    .await,
                422,
                "invalid-value",
            ),
            (
                admin
                    .post("/users", json!({"email": "not-an-address", "invite": true}))
                    .await,
                422,
                "invalid-email",
            ),
            (admin.get("/users?cursor=nope").await, 400, "invalid-cursor"),
            (
                admin.get("/users?limit=abc").await,
                400,
                "invalid-parameter",
            ),
            (admin.get("/users?limit=0").await, 400, "invalid-parameter"),
            (
                admin.get("/users?limit=201").await,
                400,
                "invalid-parameter",
            ),
            (
                admin.get(&format!("/users?q={}", "q".repeat(255))).await,
                400,
                "invalid-parameter",
            ),
            (
                admin.get("/audit-events?cursor=nope").await,
                400,
                "invalid-cursor",
            ),
            (
                admin.get("/audit-events?type=nope").await,
                400,
                "unknown-event-type",
            ),
            (
                admin.get("/audit-events?since=yesterday").await,
                400,
                "invalid-parameter",
            ),
            (
                admin.post("/keys/rotate", json!({"alg": "HS256"})).await,
                422,
                "invalid-body",
            ),
            (
                admin.post("/keys/rotate", json!({"alg": "EdDSA"})).await,
                422,
                "algorithm-not-enabled",
            ),
            (admin.get("/users/no-such-user").await, 404, "not-found"),
            (admin.get("/users/a%00b").await, 400, "invalid-parameter"),
            (
                admin.get("/audit-events?user_id=%00").await,
                400,
                "invalid-parameter",
            ),
            (admin.get("/users?q=%00").await, 400, "invalid-parameter"),
            (
                admin.patch("/users/x", json!({"name": "a\u{0}b"})).await,
                422,
                "invalid-body",
            ),
            (admin.get("/nowhere").await, 404, "not-found"),
            (
                admin.call(Method::PUT, "/users", None).await,
                405,
                "method-not-allowed",
            ),
        ];
        for (answer, status, slug) in cases {
            assert_eq!(answer.status, status, "{slug}: {answer:?}");
            assert_eq!(answer.problem(), problem(slug), "{answer:?}");
        }
        let not_allowed = admin.call(Method::PUT, "/users", None).await;
        assert!(not_allowed.header("allow").unwrap().contains("GET"));

        // Past the server's 16 KiB default, within the admin API's 64 KiB: read, and judged.
        let long_name = "n".repeat(30 * 1024);
        let body = json!({"email": "long@example.com", "name": long_name, "invite": true});
        let judged = admin.post("/users", body).await;
        assert_eq!(
            (judged.status, judged.problem()),
            (422, problem("invalid-value").as_str())
        );
        assert_eq!(judged.body["field"], "name");

        // Outside v1 but under /admin/api: a problem too, without a token.
        let outside = call_with(&admin.app, None, Method::GET, "/admin/api/v2/users", None).await;
        assert_eq!(
            (outside.status, outside.problem()),
            (404, problem("not-found").as_str())
        );
    }
}

#[tokio::test]
async fn the_password_rule_broken_is_named() {
    let admin = Admin::spawn(Backend::Sqlite).await;
    for (password, rule) in [
        ("short", "too_short"),
        ("password123", "too_common"),
        ("grace under pressure 1815", "like_your_account"),
    ] {
        let body = json!({"email": "grace@example.com", "password": password});
        let refused = admin.post("/users", body).await;
        assert_eq!(refused.status, 422);
        assert_eq!(refused.problem(), problem("password-policy"));
        assert_eq!(refused.body["rule"], rule);
        assert_eq!(refused.body["field"], "password");
    }
}

/// Every (method, path) the document describes, `{…}` parameters as they are written.
fn described(document: &Value) -> Vec<(Method, String)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                operations.push((method, path.clone()));
            }
        }
    }
    operations
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_describes_exactly_the_routes() {
    let admin = Admin::spawn(Backend::Sqlite).await;
    let fetched = call_with(
        &admin.app,
        None,
        Method::GET,
        "/admin/api/openapi.json",
        None,
    )
    .await;
    assert_eq!(fetched.status, 200);
    let document = fetched.body;
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1."),
        "{document}"
    );
    assert_eq!(
        document,
        serde_json::from_str::<Value>(tessera::http::admin_api_document()).unwrap()
    );
    std::fs::write(
        "/tmp/openapi.json",
        serde_json::to_string_pretty(&document).unwrap(),
    )
    .unwrap();
    let operations = described(&document);
    assert!(operations.len() >= 29, "{operations:?}");
    let every_method = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ];
    for (path, item) in document["paths"].as_object().unwrap() {
        let concrete = path.replace("{id}", "no-such-user").replace(['{', '}'], "");
        for method in &every_method {
            let body = (*method == Method::POST || *method == Method::PATCH).then(|| json!({}));
            let answer = call_with(
                &admin.app,
                Some(&admin.token),
                method.clone(),
                &concrete,
                body,
            )
            .await;
            let documented = item.get(method.as_str().to_lowercase()).is_some();
            if documented {
                // Routed: never the router's own 404 or 405, and never a server error.
                assert_ne!(answer.status, 405, "{method} {path}: {answer:?}");
                let detail = answer.body["detail"].as_str().unwrap_or_default();
                assert!(
                    !detail.contains("no such resource"),
                    "{method} {path}: {answer:?}"
                );
                assert!(answer.status < 500, "{method} {path}: {answer:?}");
                if path.starts_with(V1) {
                    let security = &item[method.as_str().to_lowercase()]["security"];
                    let scope = if *method == Method::GET {
                        "admin:read"
                    } else {
                        "admin:write"
                    };
                    assert_eq!(security[0]["tessera_admin"][0], scope, "{method} {path}");
                }
            } else {
                assert_eq!(
                    answer.status, 405,
                    "{method} {path} is not described: {answer:?}"
                );
            }
        }
    }
}

/// Routes reach the router only through `routes!` (each with its description): a plain
/// axum route in the admin API's files would be served and not described.
#[test]
fn the_admin_router_has_no_route_the_document_does_not_describe() {
    for entry in std::fs::read_dir("src/http/admin").unwrap() {
        let path = entry.unwrap().path();
        let code = std::fs::read_to_string(&path).unwrap();
        for bypass in [
            ".route(",
            ".route_service(",
            ".nest_service(",
            ".merge(",
            "Router::new().route",
        ] {
            assert!(!code.contains(bypass), "{} uses {bypass}", path.display());
        }
    }
}

#[tokio::test]
async fn discovery_never_names_the_admin_scopes() {
    let admin = Admin::spawn(Backend::Sqlite).await;
    let metadata = discovery_json(&admin.app).await;
    let scopes = metadata["scopes_supported"].as_array().unwrap();
    assert!(scopes.iter().any(|s| s == "orders:read"), "{scopes:?}");
    assert!(
        !scopes
            .iter()
            .any(|s| s.as_str().unwrap().starts_with("admin:")),
        "{scopes:?}"
    );
}

#[tokio::test]
async fn with_admin_listen_the_api_lives_there_only() {
    for backend in Backend::all() {
        let admin = Admin::spawn_with(backend, "admin_listen = \"127.0.0.1:0\"").await;
        let main = admin.get("/users").await;
        assert_eq!(main.status, 404, "gone from the main listener");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = tessera::http::admin_app(admin.app.state.clone());
        tokio::spawn(async move {
            let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, service).await.unwrap();
        });
        let client = reqwest::Client::new();
        let there = client
            .get(format!("{base}{V1}/users"))
            .bearer_auth(&admin.token);
        let there = answer(there.send().await.unwrap()).await;
        assert_eq!(there.status, 200, "{there:?}");
        let elsewhere = answer(
            client
                .get(format!("{base}/authorize"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (elsewhere.status, elsewhere.problem()),
            (404, problem("not-found").as_str())
        );
        let document = answer(
            client
                .get(format!("{base}/admin/api/openapi.json"))
                .send()
                .await
                .unwrap(),
        );
        assert_eq!(document.await.status, 200);
    }
}

/// docs/admin-api.md lists every problem type the API answers.
#[test]
fn every_problem_type_is_documented() {
    let docs = std::fs::read_to_string("docs/admin-api.md").unwrap();
    for uri in tessera::http::admin_problem_types() {
        let slug = uri.trim_start_matches(PROBLEM);
        assert!(
            docs.contains(&format!("`{slug}`")),
            "docs/admin-api.md lacks `{slug}`"
        );
    }
}
