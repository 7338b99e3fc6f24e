//! The real `tessera` binary as a process: a configuration written to a folder, `serve`
//! started on a free port and waited for, the CLI, signals, and the captured log. For tests
//! of what only a whole process shows: reload on SIGHUP, metrics, log format, file
//! permissions, several instances, crashes.
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::Backend;

pub const BIN: &str = env!("CARGO_BIN_EXE_tessera");

/// A free loopback port (bound, then released for the server to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A database for a process: a SQLite file in `dir`, or a fresh PostgreSQL schema.
pub async fn database_url(backend: Backend, dir: &Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.join("tessera.db").display()),
        Backend::Postgres => {
            let url = std::env::var("TESSERA_TEST_POSTGRES_URL").unwrap();
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let admin = tessera::store::Store::connect(&url).await.unwrap();
            if let tessera::store::Db::Postgres(pool) = admin.db() {
                sqlx::query(sqlx::AssertSqlSafe(format!("create schema {schema}")))
                    .execute(pool)
                    .await
                    .unwrap();
            }
            admin.close().await;
            let separator = if url.contains('?') { '&' } else { '?' };
            format!("{url}{separator}options=-c%20search_path%3D{schema}")
        }
    }
}

/// Runs a CLI command with `config` (from `dir`); returns success, stdout, stderr.
pub fn cli(
    dir: &Path,
    config: &Path,
    args: &[&str],
    stdin: Option<&str>,
) -> (bool, String, String) {
    let mut child = Command::new(BIN)
        .current_dir(dir)
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A running `tessera serve`, stopped (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub log: PathBuf,
}

impl Server {
    /// Starts `serve` in `dir` with `config` and waits until it answers /healthz.
    pub async fn start(dir: &Path, config: &Path, base: &str, log_name: &str) -> Server {
        Self::start_with(Command::new(BIN), dir, config, base, log_name).await
    }

    /// As `start`, with a prepared command (e.g. run as another user); `BIN serve` is added.
    pub async fn start_with(
        mut command: Command,
        dir: &Path,
        config: &Path,
        base: &str,
        log_name: &str,
    ) -> Server {
        let log = std::env::temp_dir().join(format!("{log_name}-{}.log", uuid::Uuid::new_v4()));
        let file = std::fs::File::create(&log).unwrap();
        let child = command
            .current_dir(dir)
            .arg("--config")
            .arg(config)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .unwrap();
        let server = Server {
            child,
            base: base.to_string(),
            log,
        };
        server.wait_healthy().await;
        server
    }

    pub async fn wait_healthy(&self) {
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(response) = client.get(format!("{}/healthz", self.base)).send().await
                && response.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not start:\n{}", self.log_text());
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits until the log contains `text` (a reload or shutdown finished).
    pub async fn wait_for_log(&self, text: &str) {
        for _ in 0..200 {
            if self.log_text().contains(text) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no {text:?} in the log:\n{}", self.log_text());
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
