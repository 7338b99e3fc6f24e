//! The guarded client: a redirect is an answer, not an instruction; an answer too big is
//! refused before it is all read; only https leaves the machine.
use openidconnect::http;

use super::*;
use crate::upstream::http_client::{GuardedHttp, MAX_BODY};

fn get(url: &str) -> openidconnect::HttpRequest {
    http::Request::builder().uri(url).body(Vec::new()).unwrap()
}

#[tokio::test]
async fn a_redirect_is_refused_not_followed() {
    let base = serve(|path| match path {
        "/moved" => Canned {
            status: 302,
            headers: vec!["location: /target".into()],
            body: vec![],
        },
        _ => Canned::json(serde_json::json!({"reached": true})),
    })
    .await;
    let http = GuardedHttp::new(true).unwrap();
    let error = http.send(get(&format!("{base}/moved"))).await.unwrap_err();
    assert!(error.0.contains("redirects are not followed"), "{error}");
    let fine = http.send(get(&format!("{base}/target"))).await.unwrap();
    assert_eq!(fine.status(), 200);
}

#[tokio::test]
async fn an_oversized_answer_is_refused() {
    let base = serve(|_| Canned {
        status: 200,
        headers: vec!["content-type: application/json".into()],
        body: vec![b' '; MAX_BODY + 1],
    })
    .await;
    let http = GuardedHttp::new(true).unwrap();
    let error = http.send(get(&format!("{base}/big"))).await.unwrap_err();
    assert!(error.0.contains("larger than"), "{error}");
}

#[tokio::test]
async fn an_oversized_answer_without_a_length_is_cut_off() {
    // No content-length: the body is counted as it arrives.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buffer = [0u8; 4096];
        let _ = stream.read(&mut buffer).await;
        let _ = stream
            .write_all(
                b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\n\r\n",
            )
            .await;
        let chunk = vec![b' '; 64 * 1024];
        for _ in 0..40 {
            if stream.write_all(&chunk).await.is_err() {
                return;
            }
        }
    });
    let http = GuardedHttp::new(true).unwrap();
    let error = http.send(get(&format!("{base}/stream"))).await.unwrap_err();
    assert!(error.0.contains("larger than"), "{error}");
}

#[tokio::test]
async fn plain_http_is_refused_unless_the_upstream_is_loopback_http() {
    let base = serve(|_| Canned::json(serde_json::json!({}))).await;
    let strict = GuardedHttp::new(false).unwrap();
    let error = strict.send(get(&format!("{base}/x"))).await.unwrap_err();
    assert!(error.0.contains("not https"), "{error}");
    let loopback = GuardedHttp::for_base(&base).unwrap();
    assert!(loopback.send(get(&format!("{base}/x"))).await.is_ok());
    let elsewhere = url::Url::parse("http://upstream.example/token").unwrap();
    assert!(!loopback.permits(&elsewhere));
    assert!(
        !GuardedHttp::for_base("https://a.example")
            .unwrap()
            .permits(&elsewhere)
    );
}
