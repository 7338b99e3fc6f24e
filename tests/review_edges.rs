//! The network edge and operations, as the second security and fault review found them
//! (issue 22, findings 2, 9, 11, 14 and 15): forged forwarded-for lines, invented methods in
//! the metrics, floods of account pages and of one IPv6 /64, files others can read, and a
//! database that refuses or never answers.
mod common;

use std::time::{Duration, Instant};

use common::process::{Server, behind_proxy, cli, database_url, flow, free_port, start_instance};
use common::*;

/// A client that does not follow redirects (the sign-in page counts in a bucket of its own).
fn no_redirects() -> reqwest::Client {
    http_client()
}

/// A GET of `path` as a trusted proxy on loopback forwards it, with these
/// `X-Forwarded-For` lines in this order.
async fn get_forwarded(app: &TestApp, path: &str, lines: &[&str], cookies: &str) -> u16 {
    let mut request = no_redirects().get(app.url(path)).header("cookie", cookies);
    for line in lines {
        request = request.header("x-forwarded-for", *line);
    }
    request.send().await.unwrap().status().as_u16()
}

fn behind_a_loopback_proxy_with_a_small_rate_limit(config: &mut tessera::config::Config) {
    config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    config.rate_limit_per_second = 1;
    config.rate_limit_burst = 5;
}

// Finding 2: only the first X-Forwarded-For line was read.

/// HAProxy's `option forwardfor` appends a line of its own: the client's forged first line
/// (`127.0.0.1`, which the rate limit exempts) must not be taken for the client.
#[tokio::test]
async fn a_forged_first_forwarded_for_line_does_not_become_the_client() {
    for backend in Backend::all() {
        let app =
            TestApp::spawn_with(backend, behind_a_loopback_proxy_with_a_small_rate_limit).await;
        let authorize = authorize_url("confidential", REDIRECT, &[]);
        let mut statuses = Vec::new();
        for _ in 0..10 {
            let lines = ["127.0.0.1", "203.0.113.7"];
            statuses.push(get_forwarded(&app, &authorize, &lines, "").await);
        }
        let limited = statuses.iter().filter(|s| **s == 429).count();
        assert!(limited >= 4, "{backend:?}: {statuses:?}");
    }
}

/// The same forgery against the sign-in throttle: failures sent with a victim's address in a
/// forged first line are counted against the sender, and never lock the victim out.
#[tokio::test]
async fn a_forged_first_forwarded_for_line_cannot_lock_out_the_address_it_names() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| {
            c.login_max_failures_per_ip = 3;
            c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        })
        .await;
        let mut browser = app.browser();
        for i in 0..3 {
            let email = format!("u{i}@example.com");
            let lines = ["198.51.100.1", "203.0.113.50"];
            sign_in_attempt(&mut browser, &email, "wrong", &lines).await;
        }
        let victim = sign_in_attempt(&mut browser, "z@example.com", "x", &["198.51.100.1"]).await;
        assert_ne!(
            victim, 429,
            "{backend:?}: the victim's address was locked out"
        );
        let sender = sign_in_attempt(&mut browser, "z@example.com", "x", &["203.0.113.50"]).await;
        assert_eq!(sender, 429, "{backend:?}: the sender was counted");
    }
}

/// One password attempt on a fresh sign-in page, forwarded with these lines; the status.
async fn sign_in_attempt(
    browser: &mut Browser,
    email: &str,
    password: &str,
    lines: &[&str],
) -> u16 {
    let start = browser
        .get(&authorize_url("confidential", REDIRECT, &[]))
        .await;
    let page = browser.follow(start).await.unwrap();
    let csrf = page.hidden("csrf_token");
    let cookies = cookie_header(browser);
    let mut request = browser
        .client
        .post(format!("{}{}", browser.origin(), page.form_action()))
        .header("cookie", cookies)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", email),
            ("password", password),
        ]);
    for line in lines {
        request = request.header("x-forwarded-for", *line);
    }
    request.send().await.unwrap().status().as_u16()
}

fn cookie_header(browser: &Browser) -> String {
    browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

// Finding 9: invented methods created metric series for good.

/// Series of a metric in a scrape: one line per label set (`name{...} value`).
fn series(scrape: &str, name: &str) -> usize {
    let prefix = format!("{name}{{");
    scrape.lines().filter(|l| l.starts_with(&prefix)).count()
}

#[tokio::test]
async fn invented_methods_and_paths_add_no_metric_series() {
    for backend in Backend::all() {
        let metrics_port = free_port();
        let extra = format!("metrics_listen = \"127.0.0.1:{metrics_port}\"");
        let instance = start_instance(backend, &extra).await;
        let server = &instance.server;
        let http = reqwest::Client::new();
        let scrape = || async {
            reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        };
        // One of each kind first, so that what follows can only repeat them.
        let probe = |i: usize| reqwest::Method::from_bytes(format!("PROBE{i:04}X").as_bytes());
        for (method, path) in [
            (probe(0).unwrap(), "/healthz".to_string()),
            (reqwest::Method::GET, "/no/such/0".into()),
            (probe(0).unwrap(), "/no/such/0".into()),
        ] {
            http.request(method, server.url(&path))
                .send()
                .await
                .unwrap();
        }
        let before = scrape().await;
        for i in 1..=100 {
            let on_a_route = http.request(probe(i).unwrap(), server.url("/healthz"));
            assert_eq!(on_a_route.send().await.unwrap().status(), 405);
            let nowhere = http.get(server.url(&format!("/no/such/{i}")));
            assert_eq!(nowhere.send().await.unwrap().status(), 404);
            let both = http.request(probe(i).unwrap(), server.url(&format!("/x{i}")));
            assert_eq!(both.send().await.unwrap().status(), 404);
        }
        let after = scrape().await;
        for name in [
            "tessera_http_requests_total",
            "tessera_http_request_duration_seconds_count",
        ] {
            assert_eq!(
                series(&after, name),
                series(&before, name),
                "{backend:?}: {name} grew with invented methods and paths:\n{after}"
            );
        }
        assert!(
            after.contains(
                r#"tessera_http_requests_total{route="/healthz",method="other",status="405"} 101"#
            ),
            "{after}"
        );
        assert!(
            after.contains(
                r#"tessera_http_requests_total{route="unmatched",method="other",status="404"} 101"#
            ),
            "{after}"
        );
    }
}

// Finding 11: the account pages had no rate limit, and IPv6 was limited per /128.

/// Each view of the passkeys page stores a ceremony: a flood of views from one signed-in
/// address is cut off after the burst, as on the sign-in pages.
#[tokio::test]
async fn a_flood_of_account_passkey_page_views_stores_at_most_a_burst_of_ceremonies() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| {
            common::passkeys::on_localhost(c);
            behind_a_loopback_proxy_with_a_small_rate_limit(c);
        })
        .await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        browser
            .sign_in_at(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let cookies = cookie_header(&browser);
        let before = ceremonies(&app).await;
        let mut statuses = Vec::new();
        for _ in 0..30 {
            let lines = ["203.0.113.9"];
            statuses.push(get_forwarded(&app, "/account/passkeys", &lines, &cookies).await);
        }
        let shown = statuses.iter().filter(|s| **s == 200).count();
        assert!(shown <= 7, "{backend:?}: {statuses:?}");
        assert!(statuses.contains(&429), "{backend:?}: {statuses:?}");
        let stored = ceremonies(&app).await - before;
        assert_eq!(
            stored, shown as i64,
            "{backend:?}: one ceremony per page shown"
        );
        // The other account pages share the bucket; another address does not.
        let mut account = Vec::new();
        for _ in 0..5 {
            account.push(get_forwarded(&app, "/account", &["203.0.113.9"], &cookies).await);
        }
        assert!(account.contains(&429), "{backend:?}: {account:?}");
        let other = get_forwarded(&app, "/account/passkeys", &["203.0.113.10"], &cookies).await;
        assert_eq!(other, 200, "{backend:?}");
    }
}

async fn ceremonies(app: &TestApp) -> i64 {
    count_rows(&app.store, "select count(*) from webauthn_ceremonies").await
}

/// An IPv6 client holds a whole /64: taking a new address for each request must not give it a
/// new allowance each time.
#[tokio::test]
async fn rotating_addresses_within_one_ipv6_64_share_one_rate_limit() {
    for backend in Backend::all() {
        let app =
            TestApp::spawn_with(backend, behind_a_loopback_proxy_with_a_small_rate_limit).await;
        let authorize = authorize_url("confidential", REDIRECT, &[]);
        let mut statuses = Vec::new();
        for i in 1..=10 {
            let address = format!("2001:db8:1:2::{i:x}");
            statuses.push(get_forwarded(&app, &authorize, &[&address], "").await);
        }
        let limited = statuses.iter().filter(|s| **s == 429).count();
        assert!(limited >= 4, "{backend:?}: {statuses:?}");
        let next_network = get_forwarded(&app, &authorize, &["2001:db8:1:3::1"], "").await;
        assert_ne!(
            next_network, 429,
            "{backend:?}: another /64 is another client"
        );
    }
}

/// The same rotation against the database throttle's per-address limit on sign-ins.
#[tokio::test]
async fn rotating_addresses_within_one_ipv6_64_share_the_sign_in_throttle() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| {
            c.login_max_failures_per_ip = 3;
            c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        })
        .await;
        let mut browser = app.browser();
        for i in 1..=3 {
            let (email, address) = (format!("u{i}@example.com"), format!("2001:db8:1:2::{i}"));
            sign_in_attempt(&mut browser, &email, "wrong", &[&address]).await;
        }
        let same_network =
            sign_in_attempt(&mut browser, "z@example.com", "x", &["2001:db8:1:2::99"]).await;
        assert_eq!(same_network, 429, "{backend:?}");
        let next_network =
            sign_in_attempt(&mut browser, "z@example.com", "x", &["2001:db8:1:3::1"]).await;
        assert_ne!(next_network, 429, "{backend:?}");
    }
}

// Finding 14: data files under the default umask, key files others can read.

/// The permission bits of `path`, in octal as `ls -l` counts them (`"600"`).
#[cfg(unix)]
fn mode_of(path: &std::path::Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    format!(
        "{:o}",
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    )
}

/// Under a umask that lets everybody read new files, what `serve` creates is still its own:
/// the database file (and its WAL), and every folder it makes.
#[cfg(unix)]
#[tokio::test]
async fn files_serve_creates_are_not_readable_by_other_users_under_a_permissive_umask() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{}", root.join("data/tessera.db").display()),
            Backend::Postgres => database_url(backend, root).await,
        };
        let master_key = match backend {
            Backend::Sqlite => String::new(),
            Backend::Postgres => format!("master_key = \"{}\"", common::mfa::MASTER_KEY),
        };
        let port = free_port();
        let config = root.join("config.toml");
        let text = format!(
            "{master_key}\nissuer = \"http://127.0.0.1:{port}\"\nlisten = \"127.0.0.1:{port}\"\ndatabase_url = \"{url}\"\nkeys_dir = \"{}\"\npid_file = \"{}\"\n",
            root.join("secrets/keys").display(),
            root.join("run/tessera.pid").display(),
        );
        std::fs::write(&config, text).unwrap();
        let mut with_umask = std::process::Command::new("sh");
        with_umask.args([
            "-c",
            "umask 022 && exec \"$0\" \"$@\"",
            common::process::BIN,
        ]);
        let base = format!("http://127.0.0.1:{port}");
        let server = Server::start_with(with_umask, root, &config, &base, "umask").await;
        if backend == Backend::Sqlite {
            assert_eq!(
                mode_of(&root.join("data/tessera.db")),
                "600",
                "the database"
            );
            for companion in ["data/tessera.db-wal", "data/tessera.db-shm"] {
                let path = root.join(companion);
                if path.exists() {
                    assert_eq!(mode_of(&path), "600", "{companion}");
                }
            }
            assert_eq!(mode_of(&root.join("secrets/keys/master.key")), "600");
            for folder in ["data", "secrets", "secrets/keys"] {
                assert_eq!(mode_of(&root.join(folder)), "700", "{folder}");
            }
        }
        assert_eq!(
            mode_of(&root.join("run")),
            "700",
            "{backend:?}: the pid file's folder"
        );
        drop(server);
    }
}

/// A master key file its group or other users can read is named in a warning, and with
/// `key_file_permissions = "refuse"` nothing starts until it is private.
#[cfg(unix)]
#[tokio::test]
async fn a_master_key_file_other_users_can_read_is_warned_about_or_refused() {
    use std::os::unix::fs::PermissionsExt;
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let url = database_url(backend, root).await;
        let key_file = root.join("master.key");
        std::fs::write(&key_file, common::mfa::MASTER_KEY).unwrap();
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let config = root.join("config.toml");
        let write_config = |policy: &str| {
            let text = format!(
                "database_url = \"{url}\"\nmaster_key_file = \"{}\"\nkeys_dir = \"{}\"\nkey_file_permissions = \"{policy}\"\n",
                key_file.display(),
                root.join("keys").display(),
            );
            std::fs::write(&config, text).unwrap();
        };
        let shown = key_file.display().to_string();

        write_config("warn");
        let (ok, _, err) = cli(root, &config, &["keys", "list"], None);
        assert!(ok, "{backend:?}: warned, not refused: {err}");
        assert!(
            err.contains(&shown) && err.contains("0644"),
            "{backend:?}: {err}"
        );

        write_config("refuse");
        let (ok, _, err) = cli(root, &config, &["keys", "list"], None);
        assert!(!ok, "{backend:?}: refused");
        assert!(
            err.contains(&shown) && err.contains("0644"),
            "{backend:?}: {err}"
        );

        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let (ok, _, err) = cli(root, &config, &["keys", "list"], None);
        assert!(ok, "{backend:?}: a private file is used: {err}");
        assert!(!err.contains(&shown), "{backend:?}: no warning: {err}");
    }
}

// Finding 15: a refused database connection cost the whole database_timeout. These need a
// network database to take away: PostgreSQL only (SQLite is a file, with no connection to
// refuse or to hang).

/// The status of `request`, and how long it took.
async fn timed(request: reqwest::RequestBuilder) -> (u16, Duration) {
    let started = Instant::now();
    let status = request.send().await.unwrap().status().as_u16();
    (status, started.elapsed())
}

/// Far below `database_timeout = 5`, far above any machine's scheduling noise.
const AT_ONCE: Duration = Duration::from_secs(2);

/// `/readyz`, a token request and a sign-in each answer 503 within `AT_ONCE`.
async fn answered_503_at_once(server: &Server) {
    let http = reqwest::Client::new();
    let (ready, took) = timed(http.get(server.url("/readyz"))).await;
    assert_eq!(ready, 503);
    assert!(took < AT_ONCE, "/readyz answered in {took:?}");
    let token = http
        .post(server.url("/token"))
        .basic_auth("app", Some(common::process::SECRET))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")]);
    let (status, took) = timed(token).await;
    assert_eq!(status, 503);
    assert!(took < AT_ONCE, "/token answered in {took:?}");
    let mut browser = Browser::new(&server.base);
    let start = browser.get(&authorize_url("app", REDIRECT, &[])).await;
    let login = browser.follow(start).await.unwrap();
    let started = Instant::now();
    let page = browser
        .submit_login(&login, USER_EMAIL, USER_PASSWORD)
        .await;
    let took = started.elapsed();
    assert_eq!(page.map(|p| p.status).ok(), Some(503));
    assert!(took < AT_ONCE, "the sign-in answered in {took:?}");
}

/// Ready again, without a restart, once the database is back; and serving.
async fn serves_again(server: &Server) {
    let http = reqwest::Client::new();
    let since = Instant::now();
    while since.elapsed() < Duration::from_secs(20) {
        let (ready, _) = timed(http.get(server.url("/readyz"))).await;
        if ready == 200 {
            assert!(flow(server, "app", common::process::SECRET).await["access_token"].is_string());
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "not ready 20 s after the database came back:\n{}",
        server.log_text()
    );
}

/// Until a connection to the proxy's port is refused by the kernel.
async fn until_refused(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the proxy still listens");
}

/// The usual outage: the database host is up and nothing listens. sqlx retries a refused
/// connection until its deadline; Tessera must not wait with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_database_connection_answers_503_at_once_not_after_database_timeout() {
    let Some((instance, proxy)) = behind_proxy("database_timeout = 5").await else {
        return;
    };
    let server = &instance.server;
    // The pool holds connections, as a running server's does, which the outage cuts.
    flow(server, "app", common::process::SECRET).await;
    proxy.refuse();
    until_refused(proxy.port).await;
    answered_503_at_once(server).await;
    proxy.bring_up();
    serves_again(server).await;
}

/// Accepted and closed at once (the shape the earlier proxy had): fast already, kept so.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_that_accepts_and_closes_answers_503_at_once() {
    let Some((instance, proxy)) = behind_proxy("database_timeout = 5").await else {
        return;
    };
    let server = &instance.server;
    flow(server, "app", common::process::SECRET).await;
    proxy.take_down();
    // The proxy cuts its connections from its own tasks: let that land.
    tokio::time::sleep(Duration::from_millis(200)).await;
    answered_503_at_once(server).await;
    proxy.bring_up();
    serves_again(server).await;
}

/// A black hole (accepts, never answers) cannot be told from a slow database but by waiting:
/// the first call waits `database_timeout`, and from then on every call is answered at once
/// until the database answers again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_black_holed_database_costs_one_timeout_then_answers_503_at_once() {
    let Some((instance, proxy)) = behind_proxy("database_timeout = 5").await else {
        return;
    };
    let server = &instance.server;
    flow(server, "app", common::process::SECRET).await;
    proxy.black_hole();
    let (first, took) = timed(reqwest::Client::new().get(server.url("/readyz"))).await;
    assert_eq!(first, 503);
    assert!(
        took < Duration::from_secs(10),
        "the first call took {took:?}"
    );
    answered_503_at_once(server).await;
    proxy.bring_up();
    serves_again(server).await;
}
