//! The `tessera serve` process under test: its folder and configuration, its database, the
//! CPU it is pinned to, starting and stopping it, and what /proc says about it.
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::Engine;

pub const BIN: &str = env!("CARGO_BIN_EXE_tessera");
pub const CLIENT_ID: &str = "bench";
pub const CLIENT_SECRET: &str = "bench-secret";
/// A machine client (client_credentials) for the benchmark API, with the same secret.
pub const SERVICE_ID: &str = "bench-service";
pub const API: &str = "https://api.bench.example";
/// Nothing listens here: the agents read the code from the redirect and never follow it.
pub const REDIRECT: &str = "http://127.0.0.1:9/cb";
pub const EMAIL: &str = "bench@example.com";
pub const PASSWORD: &str = "orchard lantern velvet 42";

/// Where the server keeps its data: a SQLite file in the bench folder, or a PostgreSQL
/// schema of its own (made now, dropped when this is dropped) so runs never see each
/// other's rows.
pub enum Database {
    Sqlite,
    Postgres {
        admin_url: String,
        schema: String,
        /// Where the server connects instead of the database's own address: the wire
        /// proxy (`db_proxy`). Schema setup and teardown still use `admin_url`.
        via: Option<std::net::SocketAddr>,
    },
}

impl Database {
    /// PostgreSQL when TESSERA_BENCH_POSTGRES_URL is set, SQLite otherwise.
    pub fn from_env() -> Database {
        let Some(url) = std::env::var("TESSERA_BENCH_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            return Database::Sqlite;
        };
        let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
        postgres_execute(&url, format!("create schema {schema}"));
        Database::Postgres {
            admin_url: url,
            schema,
            via: None,
        }
    }

    /// The database's host and port as TESSERA_BENCH_POSTGRES_URL names them (5432 when it
    /// names none); `None` on SQLite.
    pub fn postgres_address(&self) -> Option<(String, u16)> {
        let Database::Postgres { admin_url, .. } = self else {
            return None;
        };
        let url = url::Url::parse(admin_url).expect("TESSERA_BENCH_POSTGRES_URL is a URL");
        let host = url.host_str().unwrap_or("localhost");
        // The URL keeps an IPv6 literal's brackets; a socket address wants it bare.
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        Some((host, url.port().unwrap_or(5432)))
    }

    /// The server connects to `proxy` instead of the database (PostgreSQL only).
    pub fn through(mut self, proxy: std::net::SocketAddr) -> Database {
        if let Database::Postgres { via, .. } = &mut self {
            *via = Some(proxy);
        }
        self
    }

    pub fn label(&self) -> &'static str {
        match self {
            Database::Sqlite => "sqlite",
            Database::Postgres { .. } => "postgres",
        }
    }

    fn url(&self, dir: &std::path::Path) -> String {
        match self {
            Database::Sqlite => format!("sqlite://{}", dir.join("tessera.db").display()),
            Database::Postgres {
                admin_url,
                schema,
                via,
            } => {
                let server_url = match via {
                    Some(proxy) => with_address(admin_url, *proxy),
                    None => admin_url.clone(),
                };
                let separator = if server_url.contains('?') { '&' } else { '?' };
                format!("{server_url}{separator}options=-c%20search_path%3D{schema}")
            }
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Database::Postgres {
            admin_url, schema, ..
        } = self
        {
            postgres_execute(admin_url, format!("drop schema if exists {schema} cascade"));
        }
    }
}

/// `url` with its host and port replaced by `address`'s. A host given in the query string
/// (`?host=/run/postgresql`) would still win, and is not supported with the proxy.
fn with_address(url: &str, address: std::net::SocketAddr) -> String {
    let mut url = url::Url::parse(url).expect("TESSERA_BENCH_POSTGRES_URL is a URL");
    url.set_host(Some(&address.ip().to_string()))
        .expect("a URL that can take a host");
    url.set_port(Some(address.port()))
        .expect("a URL that can take a port");
    url.to_string()
}

/// One statement on its own connection, from a thread of its own so that it works from
/// inside the benchmark's runtime as well as outside it (and from `Drop`).
fn postgres_execute(url: &str, statement: String) {
    use sqlx::Connection;
    let url = url.to_string();
    let result = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let mut connection = sqlx::postgres::PgConnection::connect(&url)
                .await
                .map_err(|e| e.to_string())?;
            sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
                .execute(&mut connection)
                .await
                .map_err(|e| format!("{statement}: {e}"))?;
            connection.close().await.map_err(|e| e.to_string())
        })
    })
    .join()
    .expect("the PostgreSQL thread panicked");
    if let Err(e) = result {
        panic!("PostgreSQL at TESSERA_BENCH_POSTGRES_URL: {e}");
    }
}

/// A free loopback port (bound, then released for the server to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The folder, configuration and database of one server; `start` it as often as needed.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub port: u16,
    pub base: String,
    pub database: Database,
}

impl Setup {
    /// A configuration with the confidential client `bench` (skip_consent, offline_access)
    /// and the `extra` top-level lines.
    pub fn new(database: Database, extra: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let hash = tessera::auth::password::hash_blocking(CLIENT_SECRET.as_bytes()).unwrap();
        // SQLite makes its master key in keys_dir on first start; PostgreSQL needs one given.
        let master_key = match database {
            Database::Sqlite => String::new(),
            Database::Postgres { .. } => {
                let mut key = [0u8; 32];
                openssl::rand::rand_bytes(&mut key).unwrap();
                let key = base64::engine::general_purpose::STANDARD.encode(key);
                format!("master_key = \"{key}\"")
            }
        };
        let config = format!(
            r#"
issuer = "{base}"
listen = "127.0.0.1:{port}"
database_url = "{db}"
keys_dir = "{keys}"
pid_file = "{pid}"
{master_key}
{extra}

[[clients]]
client_id = "{CLIENT_ID}"
client_secret_hash = "{hash}"
redirect_uris = ["{REDIRECT}"]
scopes = ["openid", "profile", "email", "offline_access"]
skip_consent = true

[[clients]]
client_id = "{SERVICE_ID}"
client_secret_hash = "{hash}"
grant_types = ["client_credentials"]
scopes = ["orders:read"]
resources = ["{API}"]

[[resources]]
identifier = "{API}"
scopes = ["orders:read"]
"#,
            db = database.url(dir.path()),
            keys = dir.path().join("keys").display(),
            pid = dir.path().join("tessera.pid").display(),
        );
        let config_path = dir.path().join("config.toml");
        std::fs::write(&config_path, config).unwrap();
        Setup {
            dir,
            config: config_path,
            port,
            base,
            database,
        }
    }

    /// `tessera user add` (which also applies the migrations).
    pub fn add_user(&self, email: &str, password: &str) {
        let mut add = Command::new(BIN)
            .arg("--config")
            .arg(&self.config)
            .args(["user", "add", "--email", email, "--password-stdin"])
            .env("TESSERA_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        std::io::Write::write_all(
            &mut add.stdin.take().unwrap(),
            format!("{password}\n").as_bytes(),
        )
        .unwrap();
        assert!(add.wait().unwrap().success(), "tessera user add failed");
    }

    /// Starts `serve` (under `taskset -c cpus` when given) without waiting for it.
    pub fn start(&self, cpus: Option<&str>) -> Server {
        // TESSERA_BENCH_LOG sets the server's log filter (e.g. `sqlx::query=debug` to see
        // every statement, for counting round trips) and keeps the log in target/.
        let filter = std::env::var("TESSERA_BENCH_LOG").ok();
        let folder = match filter {
            Some(_) => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"),
            None => self.dir.path().to_path_buf(),
        };
        let log = folder.join(format!("serve-{}.log", uuid::Uuid::new_v4().simple()));
        let mut command = match cpus {
            Some(cpus) => {
                let mut command = Command::new("taskset");
                command.args(["-c", cpus, BIN]);
                command
            }
            None => Command::new(BIN),
        };
        let started = Instant::now();
        let child = command
            .current_dir(self.dir.path())
            .arg("--config")
            .arg(&self.config)
            .arg("serve")
            .env("TESSERA_LOG", filter.as_deref().unwrap_or("warn"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Server {
            child,
            base: self.base.clone(),
            log,
            started,
        }
    }
}

/// A running `tessera serve` (taskset execs it, so the child's pid is the server's),
/// killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub log: PathBuf,
    started: Instant,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the first 200 on discovery; returns the time since the process started.
    pub async fn wait_ready(&mut self) -> Duration {
        let http = reqwest::Client::new();
        let url = format!("{}/.well-known/openid-configuration", self.base);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(response) = http.get(&url).send().await
                && response.status() == 200
            {
                return self.started.elapsed();
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("tessera serve exited ({status}):\n{}", self.log_text());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        panic!(
            "tessera serve did not answer discovery:\n{}",
            self.log_text()
        );
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM (a graceful shutdown), then SIGKILL if it has not stopped after 10 s.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("tessera serve did not stop on SIGTERM within 10 s; killing it");
    }

    pub fn sample(&self) -> ProcSample {
        ProcSample::of(self.pid())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What /proc says about a process at one moment.
#[derive(Debug, Clone, Copy)]
pub struct ProcSample {
    pub at: Instant,
    /// utime + stime, in clock ticks.
    pub cpu_ticks: u64,
    pub rss_kib: u64,
    /// VmHWM: the peak resident set since the process started.
    pub peak_rss_kib: u64,
    pub threads: u64,
}

impl ProcSample {
    pub fn of(pid: u32) -> ProcSample {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // The command name may hold spaces and parentheses: fields are counted after the
        // last ')'. There, field 3 (state) is the first, so utime (14) and stime (15) are
        // the 12th and 13th.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let tick = |i: usize| -> u64 { fields.get(i).and_then(|v| v.parse().ok()).unwrap_or(0) };
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        };
        ProcSample {
            at: Instant::now(),
            cpu_ticks: tick(11) + tick(12),
            rss_kib: field("VmRSS:"),
            peak_rss_kib: field("VmHWM:"),
            threads: field("Threads:"),
        }
    }

    /// CPU used between `earlier` and this sample, in % of one core.
    pub fn cpu_percent_since(&self, earlier: &ProcSample) -> f64 {
        let seconds = self.at.duration_since(earlier.at).as_secs_f64();
        let used = self.cpu_ticks.saturating_sub(earlier.cpu_ticks) as f64 / clock_ticks();
        match seconds > 0.0 {
            true => 100.0 * used / seconds,
            false => 0.0,
        }
    }
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on every Linux in practice).
fn clock_ticks() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// Pins the load generator (before any thread exists, so every thread inherits it) and runs
/// `body` on one thread, so the load generator stays on its own core.
pub fn run_pinned<F: std::future::Future<Output = ()>>(body: impl FnOnce(Cores) -> F) {
    let cores = Cores::pin();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread tokio runtime")
        .block_on(body(cores));
}

/// Which CPUs the server and the load generator use.
#[derive(Debug, Clone)]
pub struct Cores {
    /// `taskset -c` list for the server, when pinning is possible.
    pub server: Option<String>,
    /// The CPUs this process (the load generator) was pinned to.
    pub load: Option<String>,
    pub total: usize,
    pub note: String,
}

impl Cores {
    /// Pins this process to every CPU but the first and plans the server on the first.
    /// Call before any thread is started: threads inherit the affinity of their creator, and
    /// `taskset -p` changes only the main thread's.
    pub fn pin() -> Cores {
        let total = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let taskset = Command::new("taskset")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !taskset {
            return Cores {
                server: None,
                load: None,
                total,
                note: format!(
                    "taskset not found (util-linux): server and load generator share all {total} cores"
                ),
            };
        }
        if total < 2 {
            return Cores {
                server: Some("0".into()),
                load: None,
                total,
                note: "one core only: server on CPU 0, load generator on the same core".into(),
            };
        }
        let load = match total {
            2 => "1".to_string(),
            _ => format!("1-{}", total - 1),
        };
        let pinned = Command::new("taskset")
            .args(["-p", "-c", &load, &std::process::id().to_string()])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let load = pinned.then_some(load);
        let note = match &load {
            Some(load) => format!(
                "server pinned to CPU 0 (taskset -c 0), load generator to CPU {load} (one thread)"
            ),
            None => "server pinned to CPU 0; pinning the load generator failed: it may share CPU 0"
                .into(),
        };
        Cores {
            server: Some("0".into()),
            load,
            total,
            note,
        }
    }
}
