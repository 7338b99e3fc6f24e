//! The real binary, run as an operator runs it: live reload on SIGHUP without dropping a
//! connection, Prometheus metrics on their own listener, JSON logs without secrets, and
//! `serve` under systemd-like confinement (an unprivileged user, a read-only working folder,
//! only its data folder writable).
mod common;

use std::path::Path;

use common::process::{SECRET, Server, cli, config_text, flow, free_port, start_instance as start};
use common::*;

#[tokio::test]
async fn a_reload_adds_a_client_without_dropping_a_connection_and_a_broken_file_changes_nothing() {
    for backend in Backend::all() {
        let instance = start(backend, "").await;
        let server = &instance.server;
        // One keep-alive connection, busy the whole time.
        let busy = reqwest::Client::new();
        let url = server.url("/.well-known/openid-configuration");
        let keep_asking = tokio::spawn(async move {
            let mut answered = 0;
            for _ in 0..200 {
                let status = busy.get(&url).send().await.map(|r| r.status().as_u16());
                assert_eq!(status.ok(), Some(200), "a request failed during the reload");
                answered += 1;
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            answered
        });

        let hash = tessera::auth::password::hash_blocking(b"new-secret").unwrap();
        let added = format!(
            "\n[[clients]]\nclient_id = \"new-app\"\nclient_secret_hash = \"{hash}\"\nredirect_uris = [\"{REDIRECT}\"]\nskip_consent = true\n"
        );
        let mut text = std::fs::read_to_string(&instance.config).unwrap();
        text.push_str(&added);
        std::fs::write(&instance.config, &text).unwrap();
        // `tessera reload` validates the file and signals through the pid file.
        let (ok, out, err) = cli(instance.dir.path(), &instance.config, &["reload"], None);
        assert!(ok, "{out}{err}");
        server.wait_for_log("configuration reloaded").await;
        let tokens = flow(server, "new-app", "new-secret").await;
        assert!(tokens["id_token"].is_string());

        // A broken file: refused, logged, and the running configuration stays.
        std::fs::write(
            &instance.config,
            text.replace("client_id = \"new-app\"", "clent_id = 1"),
        )
        .unwrap();
        server.signal("HUP");
        server.wait_for_log("reload refused").await;
        assert!(flow(server, "new-app", "new-secret").await["access_token"].is_string());
        assert_eq!(keep_asking.await.unwrap(), 200);
    }
}

#[tokio::test]
async fn metrics_are_served_on_their_own_listener_and_pass_promtool() {
    for backend in Backend::all() {
        let metrics_port = free_port();
        let extra = format!("metrics_listen = \"127.0.0.1:{metrics_port}\"");
        let instance = start(backend, &extra).await;
        flow(&instance.server, "app", SECRET).await;
        assert_eq!(
            reqwest::get(instance.server.url("/metrics"))
                .await
                .unwrap()
                .status(),
            404,
            "never on the public port"
        );
        let scrape = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for name in [
            "tessera_http_requests_total",
            "tessera_http_request_duration_seconds_bucket",
            "tessera_sign_ins_total{outcome=\"success\"}",
            "tessera_tokens_issued_total{grant_type=\"authorization_code\"}",
            "tessera_argon2_queue_depth",
            "tessera_argon2_wait_seconds",
            "tessera_db_connections{state=\"idle\"}",
            "tessera_signing_key_age_seconds",
            "tessera_signing_key_next_switch_seconds 0",
            "tessera_backchannel_outbox_pending 0",
            "tessera_build_info",
        ] {
            assert!(scrape.contains(name), "{name} missing from:\n{scrape}");
        }
        promtool_check(&scrape);
    }
}

/// `promtool check metrics` (Debian's prometheus package; .ci/run installs it).
fn promtool_check(scrape: &str) {
    let Ok(mut child) = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        eprintln!(
            "SKIPPED: promtool is not installed here; .ci/run installs it, so CI checks the scrape"
        );
        return;
    };
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), scrape.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn json_logs_carry_the_request_and_no_secret() {
    for backend in Backend::all() {
        let instance = start(backend, "log_format = \"json\"").await;
        let tokens = flow(&instance.server, "app", SECRET).await;
        let log = instance.server.log_text();
        let lines: Vec<serde_json::Value> = log
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect();
        let token_line = lines
            .iter()
            .find(|l| l["span"]["route"] == "/token" && l.get("status").is_some())
            .unwrap_or_else(|| panic!("no /token response line:\n{log}"));
        let span = &token_line["span"];
        assert!(span["id"].is_string(), "{token_line}");
        assert_eq!(span["client_id"], "app", "{token_line}");
        assert!(span["user_id"].is_string(), "{token_line}");
        assert_eq!(token_line["status"], 200, "{token_line}");
        assert!(token_line.get("latency").is_some(), "{token_line}");
        for secret in [
            USER_PASSWORD,
            SECRET,
            tokens["access_token"].as_str().unwrap(),
            tokens["id_token"].as_str().unwrap(),
        ] {
            assert!(!log.contains(secret), "a secret reached the log");
        }
    }
}

#[tokio::test]
async fn serve_runs_unprivileged_with_a_read_only_working_folder_and_a_writable_data_folder() {
    // What docs/operations.md's systemd unit sets up: User=tessera, ProtectSystem=strict,
    // ReadWritePaths=/var/lib/tessera, WorkingDirectory read-only. Here: a root-owned 0555
    // working folder, a data folder owned by `nobody`, and the process run as `nobody`.
    let setpriv = std::process::Command::new("setpriv")
        .arg("--version")
        .output();
    if setpriv.is_err() || !is_root() {
        eprintln!("SKIPPED: needs root and setpriv (util-linux) to switch to an unprivileged user");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let work = root.path().join("etc");
    let data = root.path().join("var");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(&data).unwrap();
    let port = free_port();
    let database = format!("sqlite://{}", data.join("tessera.db").display());
    let config = work.join("config.toml");
    let text = config_text(port, &database, &data, "").replace(
        &format!("pid_file = \"{}\"", data.join("tessera.pid").display()),
        &format!("pid_file = \"{}\"", data.join("run/tessera.pid").display()),
    );
    std::fs::write(&config, text).unwrap();
    chown_nobody(&data);
    chmod(root.path(), "0755");
    chmod(&work, "0555");
    let mut command = std::process::Command::new("setpriv");
    command.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        common::process::BIN,
    ]);
    let base = format!("http://127.0.0.1:{port}");
    let server = Server::start_with(command, &work, &config, &base, "confined").await;
    let jwks: serde_json::Value = reqwest::get(server.url("/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert!(
        data.join("keys/master.key").exists(),
        "{}",
        server.log_text()
    );
    assert!(data.join("tessera.db").exists());
    assert!(
        !work.join("data").exists(),
        "nothing written to the working folder"
    );
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn chown_nobody(path: &Path) {
    let status = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

fn chmod(path: &Path, mode: &str) {
    let status = std::process::Command::new("chmod")
        .arg(mode)
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}
