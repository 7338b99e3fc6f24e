//! The back-channel logout outbox with the real binary: a logout queued by the CLI while the
//! app is down survives a restart of Tessera and is delivered after it; a failing app is
//! retried with doubling waits until it answers; two instances on one PostgreSQL database
//! deliver each logout exactly once; and no logout token reaches the log.
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::process::{SECRET, Server, cli, config_text, database_url, flow, free_port};
use common::relying_party::{
    Behaviour, RelyingParty, claims_of, reserved_port, url_on, verify_like_an_app,
};
use common::*;
use serde_json::Value;
use tessera::clock::Clock;

const QUICK: &str = "backchannel_logout_poll_interval = 1\nbackchannel_logout_initial_backoff = 1\nbackchannel_logout_timeout = 2";

/// Two deliveries at a time per instance, to a slow app: one instance cannot take every
/// logout at once, so both work on the outbox together.
const BUSY: &str = "backchannel_logout_concurrency = 2";

fn unix_now() -> i64 {
    tessera::clock::SystemClock.now()
}

/// Writes the configuration of an instance on `port` (issuer `issuer`) whose client `app`
/// registers `logout_uri`.
fn write_config(
    dir: &Path,
    port: u16,
    issuer: &str,
    url: &str,
    logout_uri: &str,
    extra: &str,
) -> std::path::PathBuf {
    let own = format!("issuer = \"http://127.0.0.1:{port}\"");
    let text = config_text(port, url, dir, &format!("{QUICK}\n{extra}"))
        .replace(&own, &format!("issuer = \"{issuer}\""))
        .replace(
            "skip_consent = true\n",
            &format!("skip_consent = true\nbackchannel_logout_uri = \"{logout_uri}\"\n"),
        );
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn add_ada(dir: &Path, config: &Path) {
    let (ok, _, err) = cli(
        dir,
        config,
        &["user", "add", "--email", USER_EMAIL, "--password-stdin"],
        Some(&format!("{USER_PASSWORD}\n")),
    );
    assert!(ok, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_queued_while_the_app_is_down_arrives_after_tessera_restarts() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let url = database_url(backend, dir.path()).await;
        let (port, app_port) = (free_port(), reserved_port());
        let base = format!("http://127.0.0.1:{port}");
        let config = write_config(dir.path(), port, &base, &url, &url_on(app_port.port), "");
        add_ada(dir.path(), &config);
        let mut server = Server::start(dir.path(), &config, &base, "bcl-before").await;
        let tokens = flow(&server, "app", SECRET).await;

        // An administrator resets the password: the CLI queues the logout, the server tries.
        let (ok, _, err) = cli(
            dir.path(),
            &config,
            &["user", "passwd", "--email", USER_EMAIL, "--password-stdin"],
            Some("a new long password\n"),
        );
        assert!(ok, "{err}");
        server
            .wait_for_log("back-channel logout failed; will try again")
            .await;
        let log_before = server.log_text();
        server.signal("TERM");
        server.child.wait().unwrap();
        drop(server);

        let rp = RelyingParty::start_on(app_port, Behaviour::Accept).await;
        let restarted = Instant::now();
        let server = Server::start(dir.path(), &config, &base, "bcl-after").await;
        let received = rp.wait_for(1, Duration::from_secs(15)).await;
        eprintln!(
            "{backend:?}: delivered {:?} after the restart began",
            received[0].at - restarted
        );
        let claims = verify_like_an_app(&base, &base, "app", &received[0].token, unix_now()).await;
        let id = common::relying_party::claims_of(tokens["id_token"].as_str().unwrap());
        assert_eq!(claims["sid"], id["sid"]);
        server.wait_for_log("back-channel logout delivered").await;
        for log in [log_before, server.log_text()] {
            assert!(
                !log.contains(&received[0].token),
                "a logout token reached the log"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_postgres_deliver_each_logout_exactly_once() {
    if std::env::var("TESSERA_TEST_POSTGRES_URL").is_err() {
        eprintln!("SKIPPED: TESSERA_TEST_POSTGRES_URL is not set (CI sets it)");
        return;
    }
    let rp = RelyingParty::start(Behaviour::Slow).await;
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let url = database_url(Backend::Postgres, dirs[0].path()).await;
    let ports = [free_port(), free_port()];
    let issuer = format!("http://127.0.0.1:{}", ports[0]);
    let configs: Vec<_> = (0..2)
        .map(|i| write_config(dirs[i].path(), ports[i], &issuer, &url, &rp.url, BUSY))
        .collect();
    add_ada(dirs[0].path(), &configs[0]);
    let bases: Vec<String> = ports
        .iter()
        .map(|p| format!("http://127.0.0.1:{p}"))
        .collect();
    let (a, b) = tokio::join!(
        Server::start(dirs[0].path(), &configs[0], &bases[0], "bcl-a"),
        Server::start(dirs[1].path(), &configs[1], &bases[1], "bcl-b"),
    );
    const SESSIONS: usize = 6;
    for _ in 0..SESSIONS {
        flow(&a, "app", SECRET).await;
    }
    // Both workers look every second; the logouts are written by the CLI, so both find them.
    let (ok, _, err) = cli(
        dirs[1].path(),
        &configs[1],
        &["user", "disable", "--email", USER_EMAIL],
        None,
    );
    assert!(ok, "{err}");
    rp.wait_for(SESSIONS, Duration::from_secs(15)).await;
    // Long enough for a second delivery of any of them to arrive, were there one.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let received = rp.received();
    assert_eq!(received.len(), SESSIONS, "each logout exactly once");
    let mut jtis = Vec::new();
    for r in &received {
        let claims = verify_like_an_app(&bases[1], &issuer, "app", &r.token, unix_now()).await;
        jtis.push(claims["jti"].as_str().unwrap().to_string());
    }
    jtis.sort();
    jtis.dedup();
    assert_eq!(jtis.len(), SESSIONS);
    let delivered = |s: &Server| {
        s.log_text()
            .matches("back-channel logout delivered")
            .count()
    };
    assert_eq!(delivered(&a) + delivered(&b), SESSIONS);
    eprintln!(
        "instance A delivered {}, instance B {}",
        delivered(&a),
        delivered(&b)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_app_is_retried_with_doubling_waits_until_it_answers() {
    let rp = RelyingParty::start(Behaviour::Fail).await;
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(Backend::Sqlite, dir.path()).await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let config = write_config(dir.path(), port, &base, &url, &rp.url, "");
    add_ada(dir.path(), &config);
    let server = Server::start(dir.path(), &config, &base, "bcl-retries").await;
    flow(&server, "app", SECRET).await;
    let (ok, _, err) = cli(
        dir.path(),
        &config,
        &["user", "disable", "--email", USER_EMAIL],
        None,
    );
    assert!(ok, "{err}");
    // Waits of 1, 2 and 4 s (initial backoff 1 s), each seen at the next 1 s poll.
    let failed = rp.wait_for(3, Duration::from_secs(15)).await;
    rp.set(Behaviour::Accept);
    let all = rp.wait_for(4, Duration::from_secs(15)).await;
    let first = failed[0].at;
    let offsets: Vec<f64> = all.iter().map(|r| (r.at - first).as_secs_f64()).collect();
    eprintln!("attempts at {offsets:.2?} s after the first");
    let gaps: Vec<f64> = offsets.windows(2).map(|w| w[1] - w[0]).collect();
    for (gap, wait) in gaps.iter().zip([1.0, 2.0, 4.0]) {
        assert!(*gap >= wait - 0.1 && *gap < wait + 2.1, "gaps {gaps:?}");
    }
    let jtis: Vec<Value> = all
        .iter()
        .map(|r| claims_of(&r.token)["jti"].clone())
        .collect();
    assert!(
        jtis.windows(2).all(|w| w[0] == w[1]),
        "one jti for every attempt"
    );
    server.wait_for_log("back-channel logout delivered").await;
    assert_eq!(rp.received().len(), 4, "nothing after the success");
}
