//! The real `tessera` binary as a process: a configuration written to a folder, `serve`
//! started on a free port and waited for, the CLI, signals, and the captured log. For tests
//! of what only a whole process shows: reload on SIGHUP, metrics, log format, file
//! permissions, several instances, crashes.
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{
    Backend, Browser, REDIRECT, USER_EMAIL, USER_PASSWORD, VERIFIER, authorize_url, query_of,
};

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
                    .execute(&mut *pool.acquire().await.unwrap())
                    .await
                    .unwrap();
            }
            admin.close().await;
            let separator = if url.contains('?') { '&' } else { '?' };
            format!("{url}{separator}options=-c%20search_path%3D{schema}")
        }
    }
}

/// `url` (PostgreSQL) reached through `port` on loopback instead (a proxy).
pub fn via_port(url: &str, port: u16) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    parsed.set_port(Some(port)).unwrap();
    parsed.to_string()
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
        command: Command,
        dir: &Path,
        config: &Path,
        base: &str,
        log_name: &str,
    ) -> Server {
        let server = Self::spawn(command, dir, config, base, log_name);
        server.wait_healthy().await;
        server
    }

    /// Starts `serve` without waiting for it to answer.
    pub fn spawn(
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
        Server {
            child,
            base: base.to_string(),
            log,
        }
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

pub const SECRET: &str = "live-secret";

/// A configuration for an instance on `port`, with a confidential client and `extra` lines.
/// PostgreSQL needs the master key given (SQLite makes one on first start).
pub fn config_text(port: u16, database_url: &str, dir: &Path, extra: &str) -> String {
    let hash = tessera::auth::password::hash_blocking(SECRET.as_bytes()).unwrap();
    let master_key = match database_url.starts_with("postgres") {
        true => format!("master_key = \"{}\"", super::mfa::MASTER_KEY),
        false => String::new(),
    };
    format!(
        r#"
{master_key}
issuer = "http://127.0.0.1:{port}"
listen = "127.0.0.1:{port}"
database_url = "{database_url}"
keys_dir = "{keys}"
pid_file = "{pid}"
{extra}

[[clients]]
client_id = "app"
client_secret_hash = "{hash}"
redirect_uris = ["{REDIRECT}"]
scopes = ["openid", "profile", "email", "offline_access"]
skip_consent = true
"#,
        keys = dir.join("keys").display(),
        pid = dir.join("tessera.pid").display(),
    )
}

pub struct Instance {
    pub server: Server,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

/// An instance on a fresh database with one user (Ada) and the client `app`.
pub async fn start_instance(backend: Backend, extra: &str) -> Instance {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(backend, dir.path()).await;
    start_on(dir, &url, extra).await
}

/// An instance on the database at `url` (a fresh one), with Ada and `app`.
pub async fn start_on(dir: tempfile::TempDir, url: &str, extra: &str) -> Instance {
    let port = free_port();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, config_text(port, url, dir.path(), extra)).unwrap();
    let (ok, _, err) = cli(
        dir.path(),
        &config,
        &["user", "add", "--email", USER_EMAIL, "--password-stdin"],
        Some(&format!("{USER_PASSWORD}\n")),
    );
    assert!(ok, "{err}");
    let base = format!("http://127.0.0.1:{port}");
    let server = Server::start(dir.path(), &config, &base, "live").await;
    Instance {
        server,
        dir,
        config,
    }
}

/// Signs in through `client_id` (skip_consent) and exchanges the code; the token response.
pub async fn flow(server: &Server, client_id: &str, secret: &str) -> serde_json::Value {
    let mut browser = Browser::new(&server.base);
    let start = browser.get(&authorize_url(client_id, REDIRECT, &[])).await;
    let login = browser.follow(start).await.unwrap();
    let location = browser
        .submit_login(&login, USER_EMAIL, USER_PASSWORD)
        .await
        .unwrap_err();
    let code = query_of(&location)["code"].clone();
    let response = reqwest::Client::new()
        .post(server.url("/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// An instance whose PostgreSQL connections go through a proxy the test controls, so the
/// test can put the database into each shape an outage takes. `None` (and a loud line)
/// without PostgreSQL: SQLite is a file, with no connection to take away.
pub async fn behind_proxy(extra: &str) -> Option<(Instance, super::proxy::DbProxy)> {
    let Some(url) = super::postgres_url() else {
        eprintln!("SKIPPED: TESSERA_TEST_POSTGRES_URL is not set (CI sets it)");
        return None;
    };
    let upstream = url::Url::parse(&url).unwrap();
    let upstream = format!(
        "{}:{}",
        upstream.host_str().unwrap(),
        upstream.port().unwrap_or(5432)
    );
    let proxy = super::proxy::DbProxy::start(&upstream).await;
    let dir = tempfile::tempdir().unwrap();
    let direct = database_url(super::Backend::Postgres, dir.path()).await;
    let instance = start_on(dir, &via_port(&direct, proxy.port), extra).await;
    Some((instance, proxy))
}
