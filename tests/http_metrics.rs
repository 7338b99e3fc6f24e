//! `tessera_http_requests_total` on the real binary counts every response, including those
//! no handler made: a path no route matches, a request that timed out, a body refused by its
//! Content-Length. (A caught panic is counted too: `http::router`'s unit test, as only a test
//! route can panic.)
mod common;

use std::time::Duration;

use common::Backend;
use common::process::{free_port, start_instance};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends the headers of a form POST to /token and only the start of its body, and returns the
/// status line the server answers with once it gives up waiting for the rest.
async fn post_a_body_too_slowly(base: &str) -> String {
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /token HTTP/1.1\r\nHost: {addr}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\ngrant_type="
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 64];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer)).await;
    let read = read.expect("an answer within request_timeout").unwrap();
    String::from_utf8_lossy(&answer[..read])
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The value of the request counter for `route`, `method` and `status`.
fn requests(scrape: &str, route: &str, method: &str, status: u16) -> Option<f64> {
    let labels = format!(r#"{{route="{route}",method="{method}",status="{status}"}} "#);
    let prefix = format!("tessera_http_requests_total{labels}");
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(&prefix)?.parse().ok())
}

#[tokio::test]
async fn responses_no_handler_made_are_counted_too() {
    for backend in Backend::all() {
        let metrics_port = free_port();
        let extra = format!(
            "metrics_listen = \"127.0.0.1:{metrics_port}\"\nrequest_timeout = 1\nmax_body_bytes = 1024"
        );
        let instance = start_instance(backend, &extra).await;
        let server = &instance.server;
        let client = reqwest::Client::new();

        let unmatched = client.get(server.url("/no/such/path")).send().await;
        assert_eq!(unmatched.unwrap().status(), 404);
        let too_big = client
            .post(server.url("/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(vec![b'a'; 4096])
            .send()
            .await;
        assert_eq!(too_big.unwrap().status(), 413);
        let timed_out = post_a_body_too_slowly(&server.base).await;
        assert!(timed_out.starts_with("HTTP/1.1 408"), "{timed_out}");

        let scrape = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for (route, method, status) in [
            ("unmatched", "GET", 404),
            ("/token", "POST", 413),
            ("/token", "POST", 408),
            ("/healthz", "GET", 200),
        ] {
            assert!(
                requests(&scrape, route, method, status).is_some_and(|n| n >= 1.0),
                "{route} {method} {status} not counted:\n{scrape}"
            );
        }
    }
}
