//! Reloading a running server, as an operator does it: `tessera reload` signals only a
//! Tessera server, and a SIGHUP during start-up is a reload once the server is ready, not
//! the end of the process.
mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};

use common::Backend;
use common::mfa::MASTER_KEY;
use common::process::{BIN, Server, cli, config_text, database_url, free_port};

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
