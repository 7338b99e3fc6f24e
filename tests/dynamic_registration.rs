//! Dynamic Client Registration (RFC 7591) and its management (RFC 7592), against a real
//! listener: register, sign in through the registered client with PKCE and a resource
//! indicator, read, replace and delete the registration; the policy's refusals; a configured
//! client winning a clash; the per-address limit; two instances; registration off; the
//! initial-token mode; and an MCP client's whole trip (docs/mcp.md, as written).
mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge, RedirectUrl,
    Scope, TokenResponse,
};
use serde_json::{Value, json};
use tessera::store::registered_clients::RegisteredClientRow;

#[path = "dynamic_registration/mcp_server.rs"]
mod mcp_server;

const MCP: &str = "https://mcp.example.test/";
const ORDERS: &str = "https://orders.example.com";
const AGENT_REDIRECT: &str = "http://127.0.0.1:33418/callback";

/// An MCP server open to unregistered clients, and an API that stays reserved to the
/// configured ones.
fn resources() -> String {
    format!(
        r#"
[[resources]]
identifier = "{MCP}"
name = "Tools"
scopes = ["mcp:tools"]
dynamic_clients = true

[[resources]]
identifier = "{ORDERS}"
name = "Orders API"
scopes = ["orders:read"]
"#
    )
}

async fn spawn(backend: Backend, top: &str) -> TestApp {
    let extra = format!("{top}\n{}", resources());
    let app = TestApp::spawn_with_toml(backend, &extra).await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    app
}

async fn spawn_open(backend: Backend) -> TestApp {
    spawn(backend, "dynamic_registration = \"open\"").await
}

fn agent_metadata() -> Value {
    json!({
        "client_name": "Agent",
        "redirect_uris": [AGENT_REDIRECT],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
    })
}

async fn post_registration(app: &TestApp, body: &Value, bearer: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().post(app.url("/register")).json(body);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// Registers `body` and returns the client information response.
async fn register(app: &TestApp, body: &Value) -> Value {
    let response = post_registration(app, body, None).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.unwrap()
}

async fn refused(app: &TestApp, body: &Value) -> (u16, Value) {
    let response = post_registration(app, body, None).await;
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn manage(
    app: &TestApp,
    method: reqwest::Method,
    uri: &str,
    token: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .request(method, uri.replace(&app.issuer, &app.base))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// Signs Ada in for `client_id` with PKCE and `resource=MCP`, exchanges the code as a
/// public client, and returns the token response.
async fn sign_in_for_mcp(app: &TestApp, client_id: &str) -> Value {
    let mut browser = app.browser();
    let url = authorize_url(client_id, AGENT_REDIRECT, &[("resource", MCP)])
        .replace("scope=openid+email+profile", "scope=openid+mcp%3Atools");
    let consent = browser.sign_in_at(&url).await;
    assert!(consent.body.contains("Tools"), "{}", consent.body);
    let code = browser.allow(&consent).await;
    let response = token_request(
        app,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", &code),
            ("redirect_uri", AGENT_REDIRECT),
            ("code_verifier", VERIFIER),
            ("resource", MCP),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_registered_client_signs_in_reads_updates_and_deletes_its_registration() {
    for backend in Backend::all() {
        let app = spawn_open(backend).await;
        let registered = register(&app, &agent_metadata()).await;
        let client_id = registered["client_id"].as_str().unwrap().to_string();
        let token = registered["registration_access_token"]
            .as_str()
            .unwrap()
            .to_string();
        let uri = registered["registration_client_uri"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(uri, format!("{}/register/{client_id}", app.issuer));
        assert_eq!(registered["client_id_issued_at"], START);
        assert_eq!(registered["token_endpoint_auth_method"], "none");
        assert_eq!(registered["scope"], "openid profile email mcp:tools");
        assert_eq!(registered["redirect_uris"], json!([AGENT_REDIRECT]));
        let stored = app.store.find_registered_client(&client_id).await.unwrap();
        let stored = stored.expect("stored");
        assert_ne!(stored.registration_token_hash, token, "stored hashed");

        // The openidconnect crate as the client: discovery, PKCE, the MCP server's resource.
        let http = http_client();
        let metadata = CoreProviderMetadata::discover_async(
            IssuerUrl::new(app.issuer.clone()).unwrap(),
            &http,
        )
        .await
        .unwrap();
        let client =
            CoreClient::from_provider_metadata(metadata, ClientId::new(client_id.clone()), None)
                .set_redirect_uri(RedirectUrl::new(AGENT_REDIRECT.into()).unwrap());
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("mcp:tools".into()))
            .add_extra_param("resource", MCP)
            .set_pkce_challenge(challenge)
            .url();
        let mut browser = app.browser();
        let consent = browser.sign_in_at(auth_url.as_str()).await;
        assert!(consent.body.contains("Agent"), "{}", consent.body);
        let code = browser.allow(&consent).await;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .unwrap()
            .set_pkce_verifier(verifier)
            .add_extra_param("resource", MCP)
            .request_async(&http)
            .await
            .expect("token exchange");
        let id_verifier = client
            .id_token_verifier()
            .set_time_fn(|| chrono::DateTime::from_timestamp(START + 1, 0).unwrap());
        let id_claims = tokens
            .id_token()
            .expect("an ID token")
            .claims(&id_verifier, &nonce)
            .expect("valid ID token");
        assert_eq!(id_claims.audiences()[0].as_str(), client_id);
        let access = claims(openidconnect::OAuth2TokenResponse::access_token(&tokens).secret());
        assert_eq!(access["aud"], MCP);
        assert_eq!(access["client_id"], client_id.as_str());
        assert_eq!(access["scope"], "mcp:tools");

        // Read (RFC 7592 §2.1).
        let read = manage(&app, reqwest::Method::GET, &uri, &token, None).await;
        assert_eq!(read.status(), 200);
        let read: Value = read.json().await.unwrap();
        assert_eq!(read["client_id"], client_id.as_str());
        assert_eq!(read["client_name"], "Agent");
        assert_eq!(read["registration_access_token"], token.as_str());

        // Replace (§2.2): validated as a registration is; the body must name the client.
        let mut replaced = agent_metadata();
        replaced["client_name"] = json!("Agent 2");
        let without_id = manage(&app, reqwest::Method::PUT, &uri, &token, Some(&replaced)).await;
        assert_eq!(without_id.status(), 400);
        replaced["client_id"] = json!(client_id);
        let mut bad = replaced.clone();
        bad["redirect_uris"] = json!(["http://evil.example/cb"]);
        let refused = manage(&app, reqwest::Method::PUT, &uri, &token, Some(&bad)).await;
        assert_eq!(refused.status(), 400);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"], "invalid_redirect_uri");
        let updated = manage(&app, reqwest::Method::PUT, &uri, &token, Some(&replaced)).await;
        assert_eq!(updated.status(), 200);
        let read: Value = manage(&app, reqwest::Method::GET, &uri, &token, None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(read["client_name"], "Agent 2");
        assert_eq!(read["redirect_uris"], json!([AGENT_REDIRECT]));

        // A wrong token, or another client's, is invalid_token, and changes nothing.
        let other = register(&app, &agent_metadata()).await;
        let other_token = other["registration_access_token"].as_str().unwrap();
        for wrong in ["nope", other_token] {
            let response = manage(&app, reqwest::Method::DELETE, &uri, wrong, None).await;
            assert_eq!(response.status(), 401, "{wrong}");
            assert!(
                response.headers()["www-authenticate"]
                    .to_str()
                    .unwrap()
                    .contains("invalid_token")
            );
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"], "invalid_token");
        }
        let no_token = reqwest::Client::new()
            .get(uri.replace(&app.issuer, &app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(no_token.status(), 401);

        // Delete (§2.3): gone, with its consent; its token and its id no longer work.
        let deleted = manage(&app, reqwest::Method::DELETE, &uri, &token, None).await;
        assert_eq!(deleted.status(), 204);
        let gone = manage(&app, reqwest::Method::GET, &uri, &token, None).await;
        assert_eq!(gone.status(), 401);
        assert!(
            app.store
                .find_registered_client(&client_id)
                .await
                .unwrap()
                .is_none()
        );
        let user = app
            .store
            .find_user_by_email(USER_EMAIL)
            .await
            .unwrap()
            .unwrap();
        assert!(
            app.store
                .find_consent(&user.id, &client_id)
                .await
                .unwrap()
                .is_none(),
            "its consent went with it"
        );
        let mut browser = app.browser();
        let page = browser
            .get(&authorize_url(&client_id, AGENT_REDIRECT, &[]))
            .await;
        assert_eq!(
            page.status, 400,
            "an unknown client: an error page, never a redirect"
        );
        assert!(page.location().is_none());
    }
}

#[tokio::test]
async fn the_policy_refuses_what_unregistered_clients_may_not_have() {
    for backend in Backend::all() {
        let app = spawn_open(backend).await;
        let with = |key: &str, value: Value| {
            let mut body = agent_metadata();
            body[key] = value;
            body
        };
        for (body, error) in [
            (
                with("redirect_uris", json!(["http://app.example/cb"])),
                "invalid_redirect_uri",
            ),
            (
                with("redirect_uris", json!(["https://app.example/cb#x"])),
                "invalid_redirect_uri",
            ),
            (with("redirect_uris", json!([])), "invalid_redirect_uri"),
            (with("skip_consent", json!(true)), "invalid_client_metadata"),
            (
                with("scope", json!("openid orders:read")),
                "invalid_client_metadata",
            ),
            (
                with("scope", json!("openid offline_access")),
                "invalid_client_metadata",
            ),
            (
                with("token_endpoint_auth_method", json!("client_secret_basic")),
                "invalid_client_metadata",
            ),
            (
                with("grant_types", json!(["client_credentials"])),
                "invalid_client_metadata",
            ),
            (json!(["not", "an", "object"]), "invalid_client_metadata"),
        ] {
            let (status, answer) = refused(&app, &body).await;
            assert_eq!(status, 400, "{body}");
            assert_eq!(answer["error"], error, "{body}: {answer}");
            assert!(answer["error_description"].is_string());
        }
        // Not JSON, or too big.
        let form = reqwest::Client::new()
            .post(app.url("/register"))
            .form(&[("redirect_uris", AGENT_REDIRECT)])
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 400);
        let answer: Value = form.json().await.unwrap();
        assert_eq!(answer["error"], "invalid_client_metadata");
        // Past max_body_bytes the body is refused before it is read (413, as everywhere).
        let huge = with("client_uri", json!("x".repeat(70_000)));
        let response = post_registration(&app, &huge, None).await;
        assert_eq!(response.status(), 413);
        assert!(
            app.store
                .list_registered_clients()
                .await
                .unwrap()
                .is_empty(),
            "a refusal stores nothing"
        );

        // An API not opened to unregistered clients cannot be reached through the resource
        // parameter either.
        let registered = register(&app, &agent_metadata()).await;
        let client_id = registered["client_id"].as_str().unwrap();
        let mut browser = app.browser();
        let page = browser
            .get(&authorize_url(
                client_id,
                AGENT_REDIRECT,
                &[("resource", ORDERS)],
            ))
            .await;
        let back = page.location().expect("an error sent back to the client");
        assert_eq!(query_of(&back)["error"], "invalid_target", "{back}");
    }
}

#[tokio::test]
async fn a_configured_client_always_wins_a_clash_of_names() {
    for backend in Backend::all() {
        let app = spawn_open(backend).await;
        // A row that somehow holds a configured client's id (an older config, a bad import):
        // it is never admitted, nor managed.
        let token = "clash-token";
        app.store
            .insert_registered_client(&RegisteredClientRow {
                client_id: "public".into(),
                metadata: agent_metadata().to_string(),
                registration_token_hash: tessera::auth::secret::hash(token),
                created_at: START,
                updated_at: START,
                last_used_at: START,
            })
            .await
            .unwrap();
        let mut browser = app.browser();
        let page = browser
            .get(&authorize_url("public", AGENT_REDIRECT, &[]))
            .await;
        assert_eq!(
            page.status, 400,
            "the configured client's redirect URIs rule"
        );
        assert!(page.location().is_none());
        let read = manage(
            &app,
            reqwest::Method::GET,
            &app.url("/register/public"),
            token,
            None,
        )
        .await;
        assert_eq!(read.status(), 401);
        // The configured client works as ever.
        let code = obtain_code(&app, &mut browser, "public", PUBLIC_REDIRECT).await;
        assert!(!code.is_empty());
    }
}

#[tokio::test]
async fn registration_floods_are_limited_per_address() {
    for backend in Backend::all() {
        let app = spawn(
            backend,
            "dynamic_registration = \"open\"\ndynamic_registrations_per_ip = 3",
        )
        .await;
        for _ in 0..3 {
            register(&app, &agent_metadata()).await;
        }
        let flood = post_registration(&app, &agent_metadata(), None).await;
        assert_eq!(flood.status(), 429);
        assert!(flood.headers().contains_key("retry-after"));
        assert_eq!(app.store.list_registered_clients().await.unwrap().len(), 3);
        // The window passes: registrations are accepted again.
        app.clock.advance(901);
        register(&app, &agent_metadata()).await;
    }
}

#[tokio::test]
async fn a_client_registered_at_one_instance_is_used_at_another() {
    for backend in Backend::all() {
        let a = spawn_open(backend).await;
        let b = a.second_instance(|c| *c = a.state.config().clone()).await;
        let registered = register(&a, &agent_metadata()).await;
        let client_id = registered["client_id"].as_str().unwrap();
        let tokens = sign_in_for_mcp(&b, client_id).await;
        assert_eq!(claims(tokens["access_token"].as_str().unwrap())["aud"], MCP);
        let uri = registered["registration_client_uri"].as_str().unwrap();
        let token = registered["registration_access_token"].as_str().unwrap();
        let read = manage(&b, reqwest::Method::GET, uri, token, None).await;
        assert_eq!(read.status(), 200);
    }
}

#[tokio::test]
async fn registration_off_is_404_and_not_advertised() {
    for backend in Backend::all() {
        let app = spawn(backend, "").await;
        let response = post_registration(&app, &agent_metadata(), None).await;
        assert_eq!(response.status(), 404);
        let discovery = discovery_json(&app).await;
        assert!(discovery.get("registration_endpoint").is_none());
        let metadata: Value = reqwest::get(app.url("/.well-known/oauth-authorization-server"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(metadata.get("registration_endpoint").is_none());
        // Registrations left from when it was on are not admitted.
        app.store
            .insert_registered_client(&RegisteredClientRow {
                client_id: "dyn-left-over".into(),
                metadata: agent_metadata().to_string(),
                registration_token_hash: tessera::auth::secret::hash("t"),
                created_at: START,
                updated_at: START,
                last_used_at: START,
            })
            .await
            .unwrap();
        let page = app
            .browser()
            .get(&authorize_url("dyn-left-over", AGENT_REDIRECT, &[]))
            .await;
        assert_eq!(page.status, 400);
        let open = spawn_open(backend).await;
        let discovery = discovery_json(&open).await;
        assert_eq!(
            discovery["registration_endpoint"],
            format!("{}/register", open.issuer)
        );
    }
}

#[tokio::test]
async fn the_initial_token_mode_needs_the_operators_token() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("registration-token");
        std::fs::write(&file, "operator-initial-token\n").unwrap();
        let top = format!(
            "dynamic_registration = \"initial_token\"\ndynamic_registration_token_file = \"{}\"",
            file.display()
        );
        let app = spawn(backend, &top).await;
        for bearer in [None, Some("wrong"), Some("operator-initial-token-2")] {
            let response = post_registration(&app, &agent_metadata(), bearer).await;
            assert_eq!(response.status(), 401, "{bearer:?}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"], "invalid_token");
        }
        let response =
            post_registration(&app, &agent_metadata(), Some("operator-initial-token")).await;
        assert_eq!(response.status(), 201);
    }
}

/// docs/mcp.md, as written: the MCP client meets the MCP server's 401, reads its protected
/// resource metadata (RFC 9728), then Tessera's authorization server metadata (RFC 8414),
/// registers (RFC 7591), signs the user in with PKCE and `resource`, and calls the server,
/// which checks the token's signature against Tessera's JWKS and its `aud`.
#[tokio::test]
async fn an_mcp_client_registers_signs_in_and_calls_the_mcp_server() {
    for backend in Backend::all() {
        let app = spawn_open(backend).await;
        let server = mcp_server::start(&app.issuer, &app.base, MCP).await;
        let http = http_client();

        let first = http.get(server.url("/mcp")).send().await.unwrap();
        assert_eq!(first.status(), 401);
        let challenge = first.headers()["www-authenticate"].to_str().unwrap();
        let prm_url = challenge
            .split("resource_metadata=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("resource_metadata in the challenge");
        let prm: Value = http
            .get(prm_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(prm["resource"], MCP);
        let issuer = prm["authorization_servers"][0].as_str().unwrap();
        assert_eq!(issuer, app.issuer);

        let metadata: Value = http
            .get(format!(
                "{}/.well-known/oauth-authorization-server",
                issuer.replace(&app.issuer, &app.base)
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(metadata["issuer"], app.issuer);
        assert_eq!(
            metadata["code_challenge_methods_supported"],
            json!(["S256"])
        );
        let registration_endpoint = metadata["registration_endpoint"].as_str().unwrap();
        let registered: Value = http
            .post(registration_endpoint.replace(&app.issuer, &app.base))
            .json(&json!({
                "client_name": "MCP Inspector",
                "redirect_uris": [AGENT_REDIRECT],
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "scope": "mcp:tools",
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let client_id = registered["client_id"].as_str().unwrap();

        let tokens = sign_in_for_mcp(&app, client_id).await;
        let access_token = tokens["access_token"].as_str().unwrap();
        let call = http
            .get(server.url("/mcp"))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(call.status(), 200);
        let answer: Value = call.json().await.unwrap();
        assert_eq!(answer["client_id"], client_id);
        assert_eq!(answer["scope"], "mcp:tools");

        // A token for another audience (Tessera's own userinfo) is refused by the server.
        let mut browser = app.browser();
        let code = obtain_code(&app, &mut browser, "public", PUBLIC_REDIRECT).await;
        let other: Value = token_request(
            &app,
            None,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", "public"),
                ("code", &code),
                ("redirect_uri", PUBLIC_REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
        let refused = http
            .get(server.url("/mcp"))
            .bearer_auth(other["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 401);
    }
}

fn left_over_row(client_id: &str) -> RegisteredClientRow {
    RegisteredClientRow {
        client_id: client_id.into(),
        metadata: agent_metadata().to_string(),
        registration_token_hash: tessera::auth::secret::hash("t"),
        created_at: START,
        updated_at: START,
        last_used_at: START,
    }
}

#[tokio::test]
async fn the_cli_lists_shows_and_deletes_registered_clients() {
    use common::process::{cli, config_text, database_url, free_port};
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let url = database_url(backend, dir.path()).await;
        let config = dir.path().join("config.toml");
        let extra = "dynamic_registration = \"open\"";
        std::fs::write(&config, config_text(free_port(), &url, dir.path(), extra)).unwrap();
        assert!(cli(dir.path(), &config, &["migrate"], None).0);
        let store = tessera::store::Store::connect(&url).await.unwrap();
        store
            .insert_registered_client(&left_over_row("dyn-cli"))
            .await
            .unwrap();

        let (ok, out, err) = cli(dir.path(), &config, &["client", "list"], None);
        assert!(ok, "{err}");
        assert!(out.contains("app\tconfig"), "{out}");
        assert!(out.contains("dyn-cli\tregistered\tnone\tAgent"), "{out}");
        let (ok, out, _) = cli(dir.path(), &config, &["client", "show", "dyn-cli"], None);
        assert!(
            ok && out.contains("redirect_uris: http://127.0.0.1:33418/callback"),
            "{out}"
        );
        assert!(out.contains("origin: registered"), "{out}");
        let (ok, _, err) = cli(dir.path(), &config, &["client", "delete", "app"], None);
        assert!(!ok && err.contains("config.toml"), "{err}");
        let (ok, out, err) = cli(dir.path(), &config, &["client", "delete", "dyn-cli"], None);
        assert!(ok && out.contains("deleted dyn-cli"), "{err}");
        assert!(
            store
                .find_registered_client("dyn-cli")
                .await
                .unwrap()
                .is_none()
        );
        let (ok, _, err) = cli(dir.path(), &config, &["client", "delete", "dyn-cli"], None);
        assert!(!ok && err.contains("no registered client"), "{err}");
        store.close().await;
    }
}

#[tokio::test]
async fn the_admin_api_shows_registered_clients_read_only() {
    use common::admin::Admin;
    let admin = Admin::spawn(Backend::Sqlite).await;
    admin
        .app
        .store
        .insert_registered_client(&left_over_row("dyn-admin"))
        .await
        .unwrap();
    let clients = admin.get("/clients").await;
    assert_eq!(clients.status, 200);
    let list = clients.body.as_array().unwrap().clone();
    let registered = list
        .iter()
        .find(|c| c["client_id"] == "dyn-admin")
        .expect("listed");
    assert_eq!(registered["origin"], "registered");
    assert_eq!(registered["confidential"], false);
    assert_eq!(registered["skip_consent"], false);
    let configured = list.iter().find(|c| c["client_id"] == "public").unwrap();
    assert_eq!(configured["origin"], "config");
    let one = admin.get("/clients/dyn-admin").await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["redirect_uris"], json!([AGENT_REDIRECT]));
}

#[tokio::test]
async fn offline_access_when_allowed_and_deleting_revokes_the_refresh_tokens() {
    for backend in Backend::all() {
        let app = spawn(
            backend,
            "dynamic_registration = \"open\"\ndynamic_clients_offline_access = true",
        )
        .await;
        let mut asking = agent_metadata();
        asking["scope"] = json!("openid offline_access mcp:tools");
        let registered = register(&app, &asking).await;
        let client_id = registered["client_id"].as_str().unwrap();
        assert_eq!(registered["scope"], "openid offline_access mcp:tools");
        let mut browser = app.browser();
        // OIDC Core §11: offline_access only with prompt=consent.
        let extra = [("resource", MCP), ("prompt", "consent")];
        let url = authorize_url(client_id, AGENT_REDIRECT, &extra).replace(
            "scope=openid+email+profile",
            "scope=openid+offline_access+mcp%3Atools",
        );
        let consent = browser.sign_in_at(&url).await;
        let code = browser.allow(&consent).await;
        let tokens: Value = token_request(
            &app,
            None,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", client_id),
                ("code", &code),
                ("redirect_uri", AGENT_REDIRECT),
                ("code_verifier", VERIFIER),
                ("resource", MCP),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
        let refresh_token = tokens["refresh_token"].as_str().expect("a refresh token");
        let hash = tessera::auth::secret::hash(refresh_token);
        let uri = registered["registration_client_uri"].as_str().unwrap();
        let token = registered["registration_access_token"].as_str().unwrap();
        let deleted = manage(&app, reqwest::Method::DELETE, uri, token, None).await;
        assert_eq!(deleted.status(), 204);
        let record = app.store.find_refresh_token(&hash).await.unwrap().unwrap();
        assert!(record.revoked_at.is_some(), "revoked with the registration");
        let refused = token_request(
            &app,
            None,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", client_id),
                ("refresh_token", refresh_token),
            ],
        )
        .await;
        assert_eq!(refused.status(), 401);
    }
}

#[tokio::test]
async fn a_registered_private_key_jwt_client_authenticates_with_its_assertion() {
    use josekit::jws::{ES256, JwsHeader};
    use josekit::jwt::{self, JwtPayload};
    for backend in Backend::all() {
        let app = spawn_open(backend).await;
        let pair = ES256.generate_key_pair().unwrap();
        let mut public = pair.to_jwk_public_key();
        public.set_key_id("k1");
        let mut asking = agent_metadata();
        asking["token_endpoint_auth_method"] = json!("private_key_jwt");
        asking["jwks"] = json!({ "keys": [Value::Object(public.as_ref().clone())] });
        let registered = register(&app, &asking).await;
        assert_eq!(registered["token_endpoint_auth_method"], "private_key_jwt");
        let client_id = registered["client_id"].as_str().unwrap();

        let mut browser = app.browser();
        let consent = browser
            .sign_in_at(&authorize_url(client_id, AGENT_REDIRECT, &[]))
            .await;
        let code = browser.allow(&consent).await;
        let sign = |jti: &str| {
            let claims = json!({
                "iss": client_id, "sub": client_id, "aud": app.issuer, "jti": jti,
                "iat": START, "exp": START + 60,
            });
            let mut header = JwsHeader::new();
            header.set_key_id("k1");
            let payload = JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap();
            let signer = ES256.signer_from_jwk(&pair.to_jwk_key_pair()).unwrap();
            jwt::encode_with_signer(&payload, &header, &signer).unwrap()
        };
        let exchange = |assertion: String| {
            let app = &app;
            let code = code.clone();
            async move {
                token_request(
                    app,
                    None,
                    &[
                        ("grant_type", "authorization_code"),
                        ("code", &code),
                        ("redirect_uri", AGENT_REDIRECT),
                        ("code_verifier", VERIFIER),
                        (
                            "client_assertion_type",
                            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        ),
                        ("client_assertion", &assertion),
                    ],
                )
                .await
            }
        };
        // Another key's signature is refused, and the code is not spent.
        let other = ES256.generate_key_pair().unwrap();
        let mut header = JwsHeader::new();
        header.set_key_id("k1");
        let forged = jwt::encode_with_signer(
            &JwtPayload::from_map(
                json!({"iss": client_id, "sub": client_id, "aud": app.issuer, "jti": "f",
                    "iat": START, "exp": START + 60})
                .as_object()
                .unwrap()
                .clone(),
            )
            .unwrap(),
            &header,
            &ES256.signer_from_jwk(&other.to_jwk_key_pair()).unwrap(),
        )
        .unwrap();
        assert_eq!(exchange(forged).await.status(), 401);
        let answer = exchange(sign("j1")).await;
        assert_eq!(answer.status(), 200);
        let tokens: Value = answer.json().await.unwrap();
        assert_eq!(
            claims(tokens["access_token"].as_str().unwrap())["client_id"],
            client_id
        );
    }
}
