//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-02) and the
//! SSRF guard every fetch from a URL not in the configuration goes through. Documents are
//! served by a server the test starts on 127.0.0.1 (`common::document_server`), reachable
//! only with the test setting `client_id_metadata_allow_loopback`; with it off, loopback,
//! private and link-local addresses are refused, by address and by name.
mod common;

use std::time::Duration;

use common::document_server::{DocumentServer, Served};
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
