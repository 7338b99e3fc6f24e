//! Operations basics: health and readiness, request ids, discovery and JWKS documents, the CLI.
mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;
use serde_json::Value;

#[tokio::test]
async fn health_readiness_request_ids_and_unknown_routes() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let healthz = reqwest::get(app.url("/healthz")).await.unwrap();
        assert_eq!(healthz.status(), 200);
        assert!(healthz.headers().contains_key("x-request-id"));
        assert_eq!(
            reqwest::get(app.url("/readyz")).await.unwrap().status(),
            200
        );
        assert_eq!(reqwest::get(app.url("/nope")).await.unwrap().status(), 404);
        app.store.close().await;
        assert_eq!(
            reqwest::get(app.url("/readyz")).await.unwrap().status(),
            503
        );
    }
}

#[tokio::test]
async fn discovery_advertises_what_is_implemented() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let metadata = discovery_json(&app).await;
        assert_eq!(metadata["issuer"], app.issuer);
        assert_eq!(
            metadata["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
        assert_eq!(
            metadata["authorization_response_iss_parameter_supported"],
            true
        );
        assert_eq!(
            metadata["response_types_supported"],
            serde_json::json!(["code"])
        );
        assert_eq!(
            metadata["grant_types_supported"],
            serde_json::json!([
                "authorization_code",
                "refresh_token",
                "client_credentials",
                "urn:ietf:params:oauth:grant-type:token-exchange",
                "urn:ietf:params:oauth:grant-type:device_code"
            ])
        );
        for endpoint in [
            "revocation_endpoint",
            "introspection_endpoint",
            "end_session_endpoint",
        ] {
            assert!(
                metadata[endpoint]
                    .as_str()
                    .unwrap()
                    .starts_with(&app.issuer),
                "{endpoint}"
            );
        }
        for endpoint in [
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "jwks_uri",
        ] {
            let url = metadata[endpoint].as_str().unwrap();
            assert!(url.starts_with(&app.issuer), "{endpoint}");
        }
        let jwks: Value = reqwest::get(metadata["jwks_uri"].as_str().unwrap())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let key = &jwks["keys"][0];
        for field in ["kty", "use", "alg", "kid", "n", "e"] {
            assert!(key.get(field).is_some(), "{field}");
        }
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(key.get(private).is_none(), "{private}");
        }
    }
}

fn tessera(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["--config", dir.join("config.toml").to_str().unwrap()])
        .args(args)
        .current_dir(dir)
        .env_remove("TESSERA_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn cli_manages_users_keys_and_validates_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        base_config("http://127.0.0.1:8080"),
    )
    .unwrap();

    let (ok, out, err) = tessera(dir.path(), &["check-config"], None);
    assert!(ok, "{err}");
    assert!(out.contains("valid"));

    let (ok, out, err) = tessera(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "Grace@Example.com",
            "--name",
            "Grace",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert!(ok, "{err}");
    assert!(out.contains("created user"));
    let (ok, _, err) = tessera(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "grace@example.com",
            "--password-stdin",
        ],
        Some("another password\n"),
    );
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, _, err) = tessera(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "x@example.com",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!ok && err.contains("at least"), "{err}");
    let (ok, _, _) = tessera(
        dir.path(),
        &[
            "user",
            "passwd",
            "--email",
            "grace@example.com",
            "--password-stdin",
        ],
        Some("a new long password\n"),
    );
    assert!(ok);
    let (ok, _, _) = tessera(
        dir.path(),
        &["user", "disable", "--email", "grace@example.com"],
        None,
    );
    assert!(ok);
    let (ok, out, _) = tessera(dir.path(), &["user", "list"], None);
    assert!(ok);
    assert!(
        out.contains("grace@example.com") && out.contains("disabled"),
        "{out}"
    );

    let (ok, out, err) = tessera(dir.path(), &["keys", "rotate"], None);
    assert!(ok, "{err}");
    assert!(out.contains("is published now and signs from"), "{out}");
    let (ok, out, _) = tessera(dir.path(), &["keys", "list"], None);
    assert!(ok && out.contains("\tnext\t"), "{out}");

    let (ok, out, _) = tessera(dir.path(), &["client", "hash-secret"], Some("s3cret\n"));
    assert!(ok && out.trim().starts_with("$argon2id$"), "{out}");
    assert!(tessera::auth::password::verify_blocking(
        b"s3cret",
        out.trim()
    ));
    let (ok, out, _) = tessera(dir.path(), &["client", "hash-secret", "--generate"], None);
    assert!(
        ok && out.contains("client_secret = ") && out.contains("client_secret_hash = \"$argon2id$"),
        "{out}"
    );

    // Invalid configuration stops with a message naming the key.
    std::fs::write(
        dir.path().join("config.toml"),
        "issuer = \"https://id.example.com/path?x\"\n",
    )
    .unwrap();
    let (ok, _, err) = tessera(dir.path(), &["check-config"], None);
    assert!(!ok && err.contains("issuer"), "{err}");
    std::fs::write(dir.path().join("config.toml"), "unknown_key = 1\n").unwrap();
    let (ok, _, err) = tessera(dir.path(), &["serve"], None);
    assert!(!ok && err.contains("unknown_key"), "{err}");
}

#[tokio::test]
async fn slow_header_senders_are_cut_off_and_shutdown_is_graceful() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(tessera::server::serve_connections(
            listener,
            tessera::app(app.state.clone()),
            std::time::Duration::from_millis(300),
            async {
                let _ = stopped.await;
            },
        ));

        let ok = reqwest::get(format!("http://{addr}/healthz"))
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);

        // Slow loris: headers that never finish. The server must hang up on its own.
        let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        let mut answer = Vec::new();
        let closed = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            slow.read_to_end(&mut answer),
        )
        .await;
        assert!(
            closed.is_ok(),
            "connection still open after the header timeout"
        );
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );

        stop.send(()).unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), server)
            .await
            .expect("server stopped")
            .unwrap();
    }
}

/// `user passkeys list` and `remove`, and `reset-mfa` removing the rest, on the database the
/// commands share.
#[tokio::test]
async fn cli_lists_and_removes_passkeys_and_reset_mfa_says_how_many() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        base_config("http://localhost:8080"),
    )
    .unwrap();
    let (ok, _, err) = tessera(
        dir.path(),
        &["user", "add", "--email", USER_EMAIL, "--password-stdin"],
        Some("a long enough password\n"),
    );
    assert!(ok, "{err}");
    let url = format!("sqlite://{}", dir.path().join("data/tessera.db").display());
    let store = tessera::store::Store::connect(&url).await.unwrap();
    let user = store.find_user_by_email(USER_EMAIL).await.unwrap().unwrap();
    for (id, name, synced) in [("cred-one", "Laptop", false), ("-cred-two", "Phone", true)] {
        let row = tessera::store::passkeys::PasskeyRow {
            credential_id: id.into(),
            user_id: user.id.clone(),
            name: name.into(),
            passkey: "{}".into(),
            backup_eligible: synced,
            sign_count: 0,
            created_at: 1_800_000_000,
            last_used_at: None,
        };
        assert!(store.insert_passkey(&row).await.unwrap());
    }
    store.close().await;

    let list = ["user", "passkeys", "list", "--email", USER_EMAIL];
    let (ok, out, err) = tessera(dir.path(), &list, None);
    assert!(ok, "{err}");
    assert!(out.contains("cred-one\tLaptop\tdevice-bound"), "{out}");
    assert!(out.contains("-cred-two\tPhone\tsynced"), "{out}");
    let remove = [
        "user",
        "passkeys",
        "remove",
        "--email",
        USER_EMAIL,
        "--id",
        "-cred-two",
    ];
    let (ok, out, err) = tessera(dir.path(), &remove, None);
    assert!(ok && out.contains("removed"), "{err}");
    let (ok, _, err) = tessera(dir.path(), &remove, None);
    assert!(!ok && err.contains("no passkey"), "{err}");
    let reset = ["user", "reset-mfa", "--email", USER_EMAIL];
    let (ok, out, err) = tessera(dir.path(), &reset, None);
    assert!(ok, "{err}");
    assert!(out.contains("1 passkey(s) removed"), "{out}");
    let (_, out, _) = tessera(dir.path(), &list, None);
    assert!(out.trim().is_empty(), "{out}");
}
