//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-02) and the
//! SSRF guard every fetch from a URL not in the configuration goes through. Documents are
//! served by a server the test starts on 127.0.0.1 (`common::document_server`), reachable
//! only with the test setting `client_id_metadata_allow_loopback`; with it off, loopback,
//! private and link-local addresses are refused, by address and by name.
mod common;

use std::time::Duration;

use common::document_server::{DocumentServer, Served};
use common::{Backend, Browser, TestApp};
use serde_json::json;
use tessera::outbound::metadata_document::MAX_DOCUMENT_BYTES;
use tessera::outbound::{FetchError, Guard, fetch_metadata_document};

const NOW: i64 = common::START;

fn url(text: &str) -> url::Url {
    url::Url::parse(text).unwrap()
}

fn forbidden(result: Result<impl std::fmt::Debug, FetchError>, what: &str) -> String {
    match result {
        Err(FetchError::Forbidden(why)) => why,
        other => panic!("{what}: expected a refusal before any request, got {other:?}"),
    }
}

fn failed(result: Result<impl std::fmt::Debug, FetchError>, what: &str) -> String {
    match result {
        Err(FetchError::Failed(why)) => why,
        other => panic!("{what}: expected a failed fetch, got {other:?}"),
    }
}

#[tokio::test]
async fn ssrf_guard_refuses_loopback_private_and_link_local_addresses_and_names_resolving_to_them()
{
    let site = DocumentServer::spawn().await;
    site.serve("/c", Served::json(&json!({"client_id": "x"})));
    let port = site.base.rsplit(':').next().unwrap().to_string();
    let guard = Guard::new(false).unwrap();
    for target in [
        format!("https://127.0.0.1:{port}/c"),
        format!("http://127.0.0.1:{port}/c"),
        "https://10.0.0.1/c".to_string(),
        "https://169.254.169.254/latest/meta-data/".to_string(),
        format!("https://[::1]:{port}/c"),
        format!("https://[::ffff:127.0.0.1]:{port}/c"),
        "https://[::ffff:a9fe:a9fe]/latest/meta-data/".to_string(),
        "https://192.168.1.1/c".to_string(),
        "https://100.64.0.1/c".to_string(),
        "https://[fd00::1]/c".to_string(),
        "https://0.0.0.0/c".to_string(),
        // Written other ways, the URL parser still finds the loopback address.
        format!("https://127.1:{port}/c"),
        format!("https://0x7f.0.0.1:{port}/c"),
        format!("https://2130706433:{port}/c"),
    ] {
        let why = forbidden(guard.get(&url(&target), "*/*", 1024).await, &target);
        assert!(
            why.contains("address") || why.contains("https"),
            "{target}: {why}"
        );
    }
    // A name is judged by what it resolves to: localhost is 127.0.0.1 and ::1.
    let why = forbidden(
        guard
            .get(&url(&format!("https://localhost:{port}/c")), "*/*", 1024)
            .await,
        "localhost",
    );
    assert!(why.contains("resolves to no public address"), "{why}");
    assert_eq!(site.hits("/c"), 0, "no request reached the server");
}

#[tokio::test]
async fn with_the_test_setting_only_loopback_is_added_and_private_addresses_stay_refused() {
    let site = DocumentServer::spawn().await;
    site.serve("/c", Served::json(&json!({"client_id": "x"})));
    let guard = Guard::new(true).unwrap();
    let fetched = guard.get(&url(&site.url("/c")), "*/*", 1024).await.unwrap();
    assert_eq!(fetched.status, 200);
    let by_name = site.url("/c").replace("127.0.0.1", "localhost");
    guard.get(&url(&by_name), "*/*", 1024).await.unwrap();
    assert_eq!(site.hits("/c"), 2);
    for target in [
        "http://10.0.0.1/c",
        "https://10.0.0.1/c",
        "https://169.254.169.254/latest/meta-data/",
        "http://app.example.com/c",
        "ftp://127.0.0.1/c",
    ] {
        forbidden(guard.get(&url(target), "*/*", 1024).await, target);
    }
}

#[tokio::test]
async fn a_usable_document_is_json_within_the_size_limit_and_kept_for_its_max_age() {
    let site = DocumentServer::spawn().await;
    let guard = Guard::new(true).unwrap();
    let document = json!({"client_id": site.url("/c"), "client_name": "Tool"});
    site.serve(
        "/c",
        Served::json(&document).with_cache_control("public, max-age=600"),
    );
    let fetched = fetch_metadata_document(&guard, &url(&site.url("/c")), NOW)
        .await
        .unwrap();
    assert_eq!(*fetched.json, document);
    assert_eq!(fetched.expires_at, NOW + 600);
    // A max-age under a minute is held to the minute; one over a day to the day.
    site.serve(
        "/c",
        Served::json(&document).with_cache_control("max-age=5"),
    );
    let short = fetch_metadata_document(&guard, &url(&site.url("/c")), NOW).await;
    assert_eq!(short.unwrap().expires_at, NOW + 60);
    site.serve(
        "/c",
        Served::json(&document).with_cache_control("max-age=999999"),
    );
    let long = fetch_metadata_document(&guard, &url(&site.url("/c")), NOW).await;
    assert_eq!(long.unwrap().expires_at, NOW + 86_400);
}

#[tokio::test]
async fn oversized_redirected_non_json_and_unreachable_documents_are_refused() {
    let site = DocumentServer::spawn().await;
    let guard = Guard::new(true).unwrap();
    let fetch = |path: &str| {
        let target = url(&site.url(path));
        let guard = guard.clone();
        async move { fetch_metadata_document(&guard, &target, NOW).await }
    };
    let big = json!({"client_id": "x", "padding": "a".repeat(MAX_DOCUMENT_BYTES)});
    site.serve("/big", Served::json(&big));
    assert!(failed(fetch("/big").await, "oversized").contains("larger than"));
    site.serve("/moved", Served::redirect(&site.url("/c")));
    assert!(failed(fetch("/moved").await, "302").contains("redirects are not followed"));
    site.serve("/c", Served::json(&json!({"client_id": "x"})));
    assert_eq!(site.hits("/c"), 0, "the redirect was not followed");
    site.serve("/html", Served::text("text/html", "<html></html>"));
    assert!(failed(fetch("/html").await, "html").contains("not application/json"));
    site.serve(
        "/broken",
        Served::text("application/json", "{\"client_id\":"),
    );
    assert!(failed(fetch("/broken").await, "broken").contains("not valid JSON"));
    site.serve("/array", Served::json(&json!(["client_id"])));
    assert!(failed(fetch("/array").await, "array").contains("not a JSON object"));
    failed(fetch("/missing").await, "404");
    // Nothing listens on a port just freed.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gone = format!("http://{}/c", listener.local_addr().unwrap());
    drop(listener);
    let why = failed(
        fetch_metadata_document(&guard, &url(&gone), NOW).await,
        "unreachable",
    );
    assert!(why.contains("unreachable"), "{why}");
}

#[tokio::test]
async fn a_slow_document_server_is_given_up_on() {
    let site = DocumentServer::spawn().await;
    let guard = Guard::new(true).unwrap();
    let mut slow = Served::json(&json!({"client_id": "x"}));
    slow.delay = Some(Duration::from_secs(30));
    site.serve("/slow", slow);
    let started = std::time::Instant::now();
    let why = failed(
        fetch_metadata_document(&guard, &url(&site.url("/slow")), NOW).await,
        "slow",
    );
    assert!(why.contains("no answer within"), "{why}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

// ---- Flows: a client whose client_id is its document's URL -------------------------------

const APP_REDIRECT: &str = "http://127.0.0.1:9/cb";
const MCP_API: &str = "https://mcp.example.test/";
const DOC: &str = "/oauth/client.json";

/// Metadata documents on, loopback allowed (the test setting), and an MCP server's API open
/// to clients nobody registered.
fn settings(loopback: bool) -> String {
    format!(
        "client_id_metadata_documents = true\nclient_id_metadata_allow_loopback = {loopback}\n\
         [[resources]]\nidentifier = \"{MCP_API}\"\nname = \"MCP tools\"\n\
         scopes = [\"tools:read\"]\ndynamic_clients = true\n"
    )
}

async fn spawn(backend: Backend, loopback: bool) -> TestApp {
    let app = TestApp::spawn_with_toml(backend, &settings(loopback)).await;
    app.add_user(common::USER_EMAIL, common::USER_PASSWORD)
        .await;
    app
}

/// A public client's document, naming itself.
fn document(client_id: &str) -> serde_json::Value {
    json!({
        "client_id": client_id,
        "client_name": "Agent Tool",
        "redirect_uris": [APP_REDIRECT],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
    })
}

fn authorization(client_id: &str, redirect_uri: &str) -> String {
    common::authorize_url(client_id, redirect_uri, &[("resource", MCP_API)]).replace(
        "scope=openid+email+profile",
        "scope=openid+profile+tools%3Aread",
    )
}

/// The sign-in up to the consent page for `client_id`.
async fn consent_page(browser: &mut Browser, client_id: &str) -> common::Page {
    let first = browser.get(&authorization(client_id, APP_REDIRECT)).await;
    let page = browser.follow(first).await.expect("a page of Tessera's");
    let page = if page.body.contains("name=\"password\"") {
        browser
            .submit_login(&page, common::USER_EMAIL, common::USER_PASSWORD)
            .await
            .expect("the consent page")
    } else {
        page
    };
    assert!(page.body.contains("name=\"decision\""), "{}", page.body);
    page
}

async fn redeem(app: &TestApp, client_id: &str, code: &str) -> reqwest::Response {
    common::token_request(
        app,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", code),
            ("redirect_uri", APP_REDIRECT),
            ("code_verifier", common::VERIFIER),
            ("resource", MCP_API),
        ],
    )
    .await
}

fn claims(jwt: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// A tiny MCP server on 127.0.0.1: it answers a tool call only for an access token Tessera
/// signed (checked against its JWKS) whose `aud` is the MCP server.
async fn call_mcp_server(issuer_base: &str, issuer: &str, access_token: &str) -> u16 {
    use axum::http::{HeaderMap, StatusCode};
    let jwks: serde_json::Value = reqwest::get(format!("{issuer_base}/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (issuer, jwks) = (issuer.to_string(), jwks.to_string());
    let tools = axum::Router::new().route(
        "/mcp",
        axum::routing::post(move |headers: HeaderMap| {
            let (issuer, jwks) = (issuer.clone(), jwks.clone());
            async move {
                let Some(token) = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                else {
                    return StatusCode::UNAUTHORIZED;
                };
                let keys = josekit::jwk::JwkSet::from_bytes(jwks.as_bytes()).unwrap();
                let Ok(header) = josekit::jwt::decode_header(token) else {
                    return StatusCode::UNAUTHORIZED;
                };
                let kid = header.claim("kid").and_then(|k| k.as_str()).unwrap_or("");
                let Some(key) = keys.get(kid).first().copied() else {
                    return StatusCode::UNAUTHORIZED;
                };
                let verifier = josekit::jws::RS256.verifier_from_jwk(key).unwrap();
                let Ok((payload, _)) = josekit::jwt::decode_with_verifier(token, &verifier) else {
                    return StatusCode::UNAUTHORIZED;
                };
                let aud_ok = payload.audience().is_some_and(|aud| aud.contains(&MCP_API));
                if payload.issuer() == Some(issuer.as_str()) && aud_ok {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let at = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, tools).await.unwrap() });
    reqwest::Client::new()
        .post(at)
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn mcp_client_with_a_metadata_url_runs_the_code_flow_with_pkce_and_resource() {
    for backend in Backend::all() {
        let site = DocumentServer::spawn().await;
        let client_id = site.url(DOC);
        site.serve(DOC, Served::json(&document(&client_id)));
        let app = spawn(backend, true).await;
        // What an MCP client reads first: RFC 8414 metadata, which says URL client ids work.
        let metadata: serde_json::Value =
            reqwest::get(app.url("/.well-known/oauth-authorization-server"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        assert_eq!(metadata["client_id_metadata_document_supported"], true);
        assert_eq!(
            metadata["code_challenge_methods_supported"],
            json!(["S256"])
        );

        let mut browser = app.browser();
        let consent = consent_page(&mut browser, &client_id).await;
        assert!(consent.body.contains("Agent Tool"), "{}", consent.body);
        assert!(
            consent.body.contains("class=\"client-host\"")
                && consent.body.contains("<strong>127.0.0.1</strong>"),
            "the client's host is shown: {}",
            consent.body
        );
        assert!(consent.body.contains("not checked by this server"));
        assert!(consent.body.contains("Your answer is sent to 127.0.0.1"));
        let code = browser.allow(&consent).await;
        let response = redeem(&app, &client_id, &code).await;
        assert_eq!(response.status(), 200);
        let tokens: serde_json::Value = response.json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap();
        let access_claims = claims(access);
        assert_eq!(access_claims["aud"], MCP_API);
        assert_eq!(access_claims["client_id"], client_id);
        assert_eq!(access_claims["scope"], "tools:read");
        assert_eq!(call_mcp_server(&app.base, &app.issuer, access).await, 200);
        assert_eq!(
            call_mcp_server(&app.base, &app.issuer, "not-a-token").await,
            401
        );

        // Authorize, sign-in resume, consent (shown and posted) and token: one fetch.
        assert_eq!(site.hits(DOC), 1, "the cached document served every step");
        // The next sign-in asks again (never skipped), still from the cache.
        let again = consent_page(&mut browser, &client_id).await;
        assert!(again.body.contains("<strong>127.0.0.1</strong>"));
        assert_eq!(site.hits(DOC), 1);
    }
}

/// Opens the authorization URL of `client_id`; the status of the answer.
async fn open(browser: &mut Browser, client_id: &str) -> u16 {
    browser
        .get(&authorization(client_id, APP_REDIRECT))
        .await
        .status
}

#[tokio::test]
async fn a_document_is_cached_at_least_a_minute_whatever_its_max_age() {
    for backend in Backend::all() {
        let site = DocumentServer::spawn().await;
        let client_id = site.url(DOC);
        site.serve(
            DOC,
            Served::json(&document(&client_id)).with_cache_control("max-age=5"),
        );
        let app = spawn(backend, true).await;
        let mut browser = app.browser();
        assert_eq!(open(&mut browser, &client_id).await, 303);
        assert_eq!(site.hits(DOC), 1);
        app.clock.advance(30);
        assert_eq!(open(&mut browser, &client_id).await, 303);
        assert_eq!(site.hits(DOC), 1, "max-age=5 is held to the 60 s floor");
        app.clock.advance(31);
        assert_eq!(open(&mut browser, &client_id).await, 303);
        assert_eq!(site.hits(DOC), 2, "after a minute it is fetched again");
        assert_eq!(app.state.client_metadata().len(), 1);
    }
}

/// `/authorize` for `client_id`: the error page it answers (never a redirect).
async fn refused_page(app: &TestApp, client_id: &str, redirect_uri: &str) -> String {
    let page = app
        .browser()
        .get(&authorization(client_id, redirect_uri))
        .await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert_eq!(page.location(), None, "never a redirect");
    page.body
}

#[tokio::test]
async fn unusable_documents_get_a_clear_page_invalid_client_and_are_not_cached() {
    for backend in Backend::all() {
        let site = DocumentServer::spawn().await;
        let app = spawn(backend, true).await;
        let client_id = site.url(DOC);

        // The document names another client.
        site.serve(DOC, Served::json(&document(&site.url("/other.json"))));
        let body = refused_page(&app, &client_id, APP_REDIRECT).await;
        assert!(body.contains("Application not accepted"), "{body}");
        assert!(body.contains("is not the document"), "{body}");
        let token = redeem(&app, &client_id, "any-code").await;
        assert_eq!(token.status(), 401);
        let error: serde_json::Value = token.json().await.unwrap();
        assert_eq!(error["error"], "invalid_client");
        assert!(app.state.client_metadata().is_empty(), "nothing cached");
        // Fixed, it is used at once: the refused one was not kept.
        site.serve(DOC, Served::json(&document(&client_id)));
        let page = app
            .browser()
            .get(&authorization(&client_id, APP_REDIRECT))
            .await;
        assert_eq!(page.status, 303);
        assert_eq!(app.state.client_metadata().len(), 1);

        // A redirect_uri the document does not list: the ordinary unregistered-URI page.
        let body = refused_page(&app, &client_id, "http://127.0.0.1:9/elsewhere").await;
        assert!(
            body.contains("not registered for this application"),
            "{body}"
        );

        for (path, served, why) in [
            (
                "/big.json",
                Served::json(&json!({"client_id": site.url("/big.json"), "pad": "a".repeat(6000)})),
                "larger than",
            ),
            (
                "/moved.json",
                Served::redirect(&client_id),
                "redirects are not followed",
            ),
            (
                "/page.json",
                Served::text("text/html", "<html>hello</html>"),
                "not application/json",
            ),
            (
                "/secret.json",
                Served::json(
                    &json!({"client_id": site.url("/secret.json"), "redirect_uris": [APP_REDIRECT], "client_secret": "s3cret"}),
                ),
                "client_secret",
            ),
            (
                "/confidential.json",
                Served::json(
                    &json!({"client_id": site.url("/confidential.json"), "redirect_uris": [APP_REDIRECT], "token_endpoint_auth_method": "client_secret_basic"}),
                ),
                "no shared secret",
            ),
        ] {
            site.serve(path, served);
            let body = refused_page(&app, &site.url(path), APP_REDIRECT).await;
            assert!(body.contains(why), "{path}: {body}");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gone = format!("http://{}/client.json", listener.local_addr().unwrap());
        drop(listener);
        let body = refused_page(&app, &gone, APP_REDIRECT).await;
        assert!(body.contains("unreachable"), "{body}");
        assert_eq!(
            app.state.client_metadata().len(),
            1,
            "only the one usable document is cached"
        );
    }
}

#[tokio::test]
async fn a_slow_document_gets_the_error_page_after_the_timeout() {
    let site = DocumentServer::spawn().await;
    let app = spawn(Backend::Sqlite, true).await;
    let mut slow = Served::json(&document(&site.url(DOC)));
    slow.delay = Some(Duration::from_secs(30));
    site.serve(DOC, slow);
    let body = refused_page(&app, &site.url(DOC), APP_REDIRECT).await;
    assert!(body.contains("no answer within 5 s"), "{body}");
    assert!(app.state.client_metadata().is_empty());
}

#[tokio::test]
async fn without_the_test_setting_loopback_private_and_link_local_client_ids_are_refused() {
    for backend in Backend::all() {
        let site = DocumentServer::spawn().await;
        let port = site.base.rsplit(':').next().unwrap().to_string();
        let app = spawn(backend, false).await;
        for (client_id, why) in [
            (
                format!("https://127.0.0.1:{port}{DOC}"),
                "a loopback address",
            ),
            (
                format!("https://localhost:{port}{DOC}"),
                "resolves to no public address",
            ),
            (format!("https://[::1]:{port}{DOC}"), "a loopback address"),
            ("https://10.0.0.1/client.json".into(), "a private address"),
            (
                "https://169.254.169.254/latest/meta-data/".into(),
                "a link-local address",
            ),
        ] {
            let body = refused_page(&app, &client_id, APP_REDIRECT).await;
            assert!(
                body.contains(why) && body.contains("Application not accepted"),
                "{client_id}: {body}"
            );
        }
        // Plain http is not a client id URL at all without the test setting.
        let body = refused_page(&app, &site.url(DOC), APP_REDIRECT).await;
        assert!(body.contains("must be https"), "{body}");
        assert_eq!(site.hits(DOC), 0, "no request reached the server");
    }
}

#[tokio::test]
async fn off_by_default_and_host_lists_are_applied() {
    let site = DocumentServer::spawn().await;
    let client_id = site.url(DOC);
    site.serve(DOC, Served::json(&document(&client_id)));
    let off = TestApp::spawn(Backend::Sqlite).await;
    assert_eq!(
        common::discovery_json(&off).await["client_id_metadata_document_supported"],
        false
    );
    let body = refused_page(&off, &client_id, APP_REDIRECT).await;
    assert!(body.contains("not registered with this server"), "{body}");

    let denied = TestApp::spawn_with_toml(
        Backend::Sqlite,
        &format!(
            "client_id_metadata_hosts_deny = [\"127.0.0.1\"]\n{}",
            settings(true)
        ),
    )
    .await;
    let body = refused_page(&denied, &client_id, APP_REDIRECT).await;
    assert!(body.contains("not accepted here"), "{body}");
    let elsewhere = TestApp::spawn_with_toml(
        Backend::Sqlite,
        &format!(
            "client_id_metadata_hosts_allow = [\"*.example.com\"]\n{}",
            settings(true)
        ),
    )
    .await;
    let body = refused_page(&elsewhere, &client_id, APP_REDIRECT).await;
    assert!(body.contains("not accepted here"), "{body}");
    assert_eq!(site.hits(DOC), 0);
}

#[tokio::test]
async fn the_keys_of_a_client_from_outside_the_configuration_go_through_the_guard() {
    use tessera::auth::client_jwks::JwksCache;
    let pair = josekit::jws::EdDSA
        .generate_key_pair(josekit::jwk::alg::ed::EdCurve::Ed25519)
        .unwrap();
    let mut public = pair.to_jwk_public_key();
    public.set_key_id("k1");
    let site = DocumentServer::spawn().await;
    site.serve(
        "/jwks.json",
        Served::json(&json!({"keys": [serde_json::Value::from(public.as_ref().clone())]})),
    );
    let uri = site.url("/jwks.json");
    let cache = JwksCache::default();
    // A configured client's jwks_uri (the operator's own URL) is fetched as before.
    let keys = cache.keys("configured", &uri, NOW, false, None).await;
    assert_eq!(keys.unwrap().len(), 1);
    assert_eq!(site.hits("/jwks.json"), 1);
    // A client from outside the configuration names its own: loopback is refused by the
    // guard before any request.
    let guard = Guard::new(false).unwrap();
    let keys = cache
        .keys("https://tool.example/c", &uri, NOW, false, Some(&guard))
        .await;
    assert!(keys.is_err());
    assert_eq!(site.hits("/jwks.json"), 1, "no request reached the server");
}
