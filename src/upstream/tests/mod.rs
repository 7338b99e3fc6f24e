//! Unit tests of the upstream client, against a tiny HTTP server on 127.0.0.1 where a test
//! needs one.
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod authorization_url;
mod email_domains;
mod github_email;
mod guarded_client;
mod mfa;
mod registry;

/// One canned answer: status, extra header lines, body.
pub struct Canned {
    pub status: u16,
    pub headers: Vec<String>,
    pub body: Vec<u8>,
}

impl Canned {
    pub fn json(body: serde_json::Value) -> Self {
        Self {
            status: 200,
            headers: vec!["content-type: application/json".into()],
            body: body.to_string().into_bytes(),
        }
    }
}

/// Serves `answer(path)` to every request until the test ends; returns `http://127.0.0.1:port`.
pub async fn serve(answer: impl Fn(&str) -> Canned + Send + Sync + 'static) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request);
                let path = text.split(' ').nth(1).unwrap_or("/").to_string();
                let canned = answer(&path);
                let mut head = format!(
                    "HTTP/1.1 {} X\r\nconnection: close\r\ncontent-length: {}\r\n",
                    canned.status,
                    canned.body.len()
                );
                for line in &canned.headers {
                    head.push_str(line);
                    head.push_str("\r\n");
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&canned.body).await;
            });
        }
    });
    base
}

/// A config of one upstream (`toml` is its table's lines), with its secret in a file.
pub fn upstream_config(toml: &str) -> (crate::config::UpstreamConfig, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "s3cret\n").unwrap();
    let text = format!(
        "issuer = \"https://id.example.com\"\n[[upstreams]]\n{toml}\nclient_secret_file = \"{}\"\n",
        secret.display()
    );
    let config = crate::config::Config::from_toml(&text).unwrap();
    (config.upstreams[0].clone(), dir)
}

/// A discovery document for an upstream at `base`.
pub fn discovery(base: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut document = serde_json::json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/jwks.json"),
        "userinfo_endpoint": format!("{base}/userinfo"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    if let (Some(document), Some(extra)) = (document.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            document.insert(key.clone(), value.clone());
        }
    }
    document
}

/// A loopback OIDC provider that serves discovery (with `extra`) and an empty JWKS.
pub async fn fake_oidc(extra: serde_json::Value) -> String {
    let slot = Arc::new(std::sync::OnceLock::<String>::new());
    let base_slot = slot.clone();
    let base = serve(move |path| {
        let base = base_slot.get().cloned().unwrap_or_default();
        match path {
            "/.well-known/openid-configuration" => Canned::json(discovery(&base, extra.clone())),
            "/jwks.json" => Canned::json(serde_json::json!({"keys": []})),
            _ => Canned {
                status: 404,
                headers: vec![],
                body: vec![],
            },
        }
    })
    .await;
    slot.set(base.clone()).unwrap();
    base
}
