//! Reloading a running server, as an operator does it: `tessera reload` signals only a
//! Tessera server, a SIGHUP during start-up is a reload once the server is ready, not the
//! end of the process, and key material changed in the file is named, never swapped.
mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};

use common::Backend;
use common::mfa::MASTER_KEY;
use common::process::{
    BIN, SECRET, Server, cli, config_text, database_url, flow, free_port, start_instance,
};

/// Ends `child` with SIGKILL and returns the signal that really ended it: SIGKILL (9) when it
/// was still running, SIGHUP (1) had `tessera reload` signalled it.
fn ending_signal(mut child: Child) -> Option<i32> {
    let _ = child.kill();
    child.wait().unwrap().signal()
}

#[tokio::test]
async fn reload_signals_only_a_tessera_server() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let url = database_url(backend, dir.path()).await;
        let config = dir.path().join("config.toml");
        std::fs::write(&config, config_text(free_port(), &url, dir.path(), "")).unwrap();
        let pid_file = dir.path().join("tessera.pid");
        let reload_with_pid = |pid: u32| {
            std::fs::write(&pid_file, format!("{pid}\n")).unwrap();
            cli(dir.path(), &config, &["reload"], None)
        };

        // The pid file of a crashed server, its number since taken by another program.
        let stranger = Command::new("sleep").arg("60").spawn().unwrap();
        let (ok, out, err) = reload_with_pid(stranger.id());
        assert!(!ok, "{out}");
        assert!(err.contains("not signalling it"), "{err}");
        assert!(err.contains("/sleep"), "names what runs there: {err}");
        assert_eq!(ending_signal(stranger), Some(9), "left alone");

        // Tessera, but not a server: a command waiting for a password, which SIGHUP would end.
        let command = Command::new(BIN)
            .current_dir(dir.path())
            .arg("--config")
            .arg(&config)
            .args([
                "user",
                "add",
                "--email",
                "x@example.com",
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (ok, _, err) = reload_with_pid(command.id());
        assert!(!ok && err.contains("not `tessera serve`"), "{err}");
        assert_eq!(ending_signal(command), Some(9), "left alone");

        // A number no process has.
        let gone = {
            let mut child = Command::new("true").spawn().unwrap();
            let pid = child.id();
            child.wait().unwrap();
            pid
        };
        let (ok, _, err) = reload_with_pid(gone);
        assert!(!ok && err.contains("not running"), "{err}");
    }
}

#[tokio::test]
async fn a_sighup_during_start_up_is_a_reload_once_the_server_is_ready() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let url = database_url(backend, dir.path()).await;
        // The master key comes through a FIFO: `serve` waits there, at the start of its
        // work, until the test writes the key, so the SIGHUP arrives at a known moment.
        let fifo = dir.path().join("master.key.fifo");
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let port = free_port();
        let extra = format!("master_key_file = \"{}\"", fifo.display());
        let text: String = config_text(port, &url, dir.path(), &extra)
            .lines()
            .filter(|line| !line.starts_with("master_key ="))
            .map(|line| format!("{line}\n"))
            .collect();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, text).unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let server = Server::spawn(Command::new(BIN), dir.path(), &config, &base, "early-hup");

        // Opening the FIFO for writing returns once `serve` has opened it to read the key.
        let path = fifo.clone();
        let writer = tokio::task::spawn_blocking(move || {
            std::fs::OpenOptions::new().write(true).open(path).unwrap()
        });
        let mut writer = writer.await.unwrap();
        server.signal("HUP");
        std::io::Write::write_all(&mut writer, format!("{MASTER_KEY}\n").as_bytes()).unwrap();
        drop(writer);

        server.wait_healthy().await;
        server.wait_for_log("configuration reloaded").await;
    }
}

#[tokio::test]
async fn a_reload_names_changed_key_material_and_keeps_the_running_keys() {
    let other_master = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let legacy = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
    for backend in Backend::all() {
        // SQLite: the master key was made in keys_dir; PostgreSQL: it is in the file.
        let instance = start_instance(backend, "").await;
        let text = std::fs::read_to_string(&instance.config).unwrap();
        let kept: String = text
            .lines()
            .filter(|line| !line.starts_with("master_key ="))
            .map(|line| format!("{line}\n"))
            .collect();
        let changed =
            format!("master_key = \"{other_master}\"\nmfa_encryption_key = \"{legacy}\"\n{kept}");
        std::fs::write(&instance.config, changed).unwrap();
        let (ok, out, err) = cli(instance.dir.path(), &instance.config, &["reload"], None);
        assert!(ok, "{out}{err}");
        let server = &instance.server;
        server.wait_for_log("configuration reloaded").await;

        let log = server.log_text();
        for key in ["master_key", "mfa_encryption_key"] {
            let named = log.lines().any(|line| {
                line.contains("needs a restart") && line.contains(&format!("key=\"{key}\""))
            });
            assert!(named, "no warning naming {key}:\n{log}");
        }
        assert!(
            !log.contains(other_master) && !log.contains(legacy),
            "a key reached the log"
        );
        // Still the key material it started with: it signs tokens as before.
        let tokens = flow(server, "app", SECRET).await;
        assert!(tokens["id_token"].is_string());
    }
}

/// The `kid` in a JWT's header.
fn kid_of(token: &str) -> String {
    use base64::Engine;
    let header = token.split('.').next().unwrap();
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    let header: serde_json::Value = serde_json::from_slice(&header).unwrap();
    header["kid"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_reload_makes_a_key_rotation_and_a_retirement_take_effect_at_once() {
    for backend in Backend::all() {
        // key_refresh_interval is 60 s: without the reload nothing would change here.
        let instance = start_instance(backend, "").await;
        let (dir, config, server) = (instance.dir.path(), &instance.config, &instance.server);
        let old = kid_of(
            flow(server, "app", SECRET).await["id_token"]
                .as_str()
                .unwrap(),
        );

        let (ok, _, err) = cli(dir, config, &["keys", "rotate", "--now"], None);
        assert!(ok, "{err}");
        let (ok, out, err) = cli(dir, config, &["keys", "retire", &old], None);
        assert!(ok, "{out}{err}");
        let (ok, out, err) = cli(dir, config, &["reload"], None);
        assert!(ok, "{out}{err}");
        server.wait_for_log("signing keys re-read").await;

        let new = kid_of(
            flow(server, "app", SECRET).await["id_token"]
                .as_str()
                .unwrap(),
        );
        assert_ne!(new, old, "the new key signs");
        let jwks = reqwest::get(server.url("/jwks.json")).await.unwrap();
        let jwks = jwks.text().await.unwrap();
        assert!(jwks.contains(&new) && !jwks.contains(&old), "{jwks}");
    }
}
