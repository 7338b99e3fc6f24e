//! What each OIDC flow costs on one core (issue #12): starts the real `tessera` binary
//! pinned to CPU 0, drives it from the other CPU with AGENTS user agents (each with its own
//! cookie jar and keep-alive connection), one workload at a time, and reports rate, latency
//! percentiles, errors, and the server's CPU, memory and threads. Beside them: the ceiling
//! on that core (the in-process RS256 signing rate of Tessera's own signer; a code exchange
//! or a refresh signs two JWTs), the time from process start to the first discovery answer
//! (with a fresh keys folder and database, and again with existing keys), and idle memory.
//!
//! On PostgreSQL the server reaches the database through a proxy in the bench (issue 30)
//! that counts round trips on the wire, the pool's pings included, and can add a fixed
//! delay each way: each workload also reports round trips per operation, and the sign-ins
//! and single operations are counted one at a time, request by request.
//!
//! Run: `cargo bench --bench flows` (AGENTS, WARMUP_SECS, SECS, SIGN_SECS, JSON_OUT,
//! TESSERA_BENCH_POSTGRES_URL, TESSERA_BENCH_DB_LATENCY_MS or `-- --db-latency MS`; see
//! docs/performance.md). All traffic goes to 127.0.0.1.
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

#[path = "common/mod.rs"]
mod common;

use common::agent::{Agent, DISCOVERY, JWKS, Outcome, Provider};
use common::db_proxy::{DbProxy, latency_knob};
use common::pg_wire::WireSnapshot;
use common::round_trips::{ONE_AT_A_TIME, SignInTallies, Tally, count_silent_flows};
use common::server::{Cores, Database, EMAIL, PASSWORD, ProcSample, Setup, run_pinned};
use common::stats::{Latencies, env_secs, env_usize, json_out, mib, unix_now, write_json};

/// Re-invokes this binary under `taskset -c 0` with this flag to measure the signing
/// ceiling on the server's core.
const SIGN_CEILING_FLAG: &str = "--sign-ceiling";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Workload {
    Discovery,
    Jwks,
    SilentCodeFlow,
    Refresh,
    Userinfo,
    ClientCredentials,
    /// W3 with a DPoP proof at /token (RFC 9449): last, since its access tokens are bound
    /// and W5 sends the agent's newest one as a bearer token.
    SilentCodeFlowDpop,
}

impl Workload {
    const ALL: [Workload; 7] = [
        Workload::Discovery,
        Workload::Jwks,
        Workload::SilentCodeFlow,
        Workload::Refresh,
        Workload::Userinfo,
        Workload::ClientCredentials,
        Workload::SilentCodeFlowDpop,
    ];

    fn label(self) -> &'static str {
        match self {
            Workload::Discovery => "W1 discovery",
            Workload::Jwks => "W2 jwks",
            Workload::SilentCodeFlow => "W3 silent code flow",
            Workload::Refresh => "W4 refresh (rotation)",
            Workload::Userinfo => "W5 userinfo",
            Workload::ClientCredentials => "W6 client_credentials",
            Workload::SilentCodeFlowDpop => "W3d code flow + DPoP",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Workload::Discovery => "discovery",
            Workload::Jwks => "jwks",
            Workload::SilentCodeFlow => "silent_code_flow",
            Workload::Refresh => "refresh",
            Workload::Userinfo => "userinfo",
            Workload::ClientCredentials => "client_credentials",
            Workload::SilentCodeFlowDpop => "silent_code_flow_dpop",
        }
    }
}

/// One operation of a workload; for the code flow, /authorize and /token together.
async fn step(agent: &mut Agent, provider: &Provider, workload: Workload) -> Outcome {
    match workload {
        Workload::Discovery => agent.fetch_document(DISCOVERY).await,
        Workload::Jwks => agent.fetch_document(JWKS).await,
        Workload::SilentCodeFlow => agent.silent_flow(provider).await,
        Workload::Refresh => agent.refresh_or_restart(provider).await,
        Workload::Userinfo => agent.userinfo().await,
        Workload::ClientCredentials => agent.client_credentials().await,
        Workload::SilentCodeFlowDpop => agent.silent_flow_dpop(provider).await,
    }
}

struct Measured {
    workload: Workload,
    ops: usize,
    errors: usize,
    first_error: Option<String>,
    latencies: Latencies,
    seconds: f64,
    before: ProcSample,
    after: ProcSample,
    /// What the server sent to the database from the start of the window until the last
    /// operation started in it had finished (through the proxy only).
    wire: Option<WireSnapshot>,
}

impl Measured {
    fn rate(&self) -> f64 {
        self.ops as f64 / self.seconds
    }

    /// Round trips and pings per operation started in the window (failed ones included:
    /// they used the wire too). The operations still running from the warm-up when the
    /// window opens add theirs: at most one per agent, against thousands.
    fn wire_per_op(&self) -> Option<(f64, f64)> {
        let wire = self.wire?;
        let started = (self.ops + self.errors).max(1) as f64;
        Some((
            wire.round_trips as f64 / started,
            wire.pings as f64 / started,
        ))
    }

    /// W3, W3d and W4 sign two JWTs per operation, so their ceiling is half the signing rate;
    /// W6 signs one, so its ceiling is the signing rate; W5 signs nothing, so it is compared
    /// with the signing rate itself.
    fn versus_ceiling(&self, signs_per_second: Option<f64>) -> (String, Option<f64>) {
        let Some(signs) = signs_per_second.filter(|s| *s > 0.0) else {
            return ("-".into(), None);
        };
        match self.workload {
            Workload::SilentCodeFlow | Workload::SilentCodeFlowDpop | Workload::Refresh => {
                let percent = 100.0 * self.rate() / (signs / 2.0);
                (format!("{percent:.0}% of sign/2"), Some(percent / 100.0))
            }
            Workload::ClientCredentials => {
                let percent = 100.0 * self.rate() / signs;
                (format!("{percent:.0}% of sign"), Some(percent / 100.0))
            }
            Workload::Userinfo => {
                let times = self.rate() / signs;
                (format!("{times:.2}x sign"), Some(times))
            }
            Workload::Discovery | Workload::Jwks => ("-".into(), None),
        }
    }
}

/// Every agent repeats the workload's operation back to back (closed loop) for `warmup`,
/// then for `secs`, in which operations started are timed and counted.
async fn measure(
    agents: Vec<Agent>,
    provider: &Arc<Provider>,
    workload: Workload,
    warmup: Duration,
    secs: Duration,
    pid: u32,
    proxy: Option<&DbProxy>,
) -> (Vec<Agent>, Measured) {
    let measure_from = Instant::now() + warmup;
    let end = measure_from + secs;
    let mut tasks = Vec::new();
    for mut agent in agents {
        let provider = provider.clone();
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut errors, mut first_error) = (Latencies::default(), 0, None);
            loop {
                let started = Instant::now();
                if started >= end {
                    break;
                }
                let outcome = step(&mut agent, &provider, workload).await;
                if started < measure_from {
                    continue;
                }
                match outcome {
                    Ok(()) => latencies.record(started.elapsed()),
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            (agent, latencies, errors, first_error)
        }));
    }
    tokio::time::sleep_until(measure_from.into()).await;
    let before = ProcSample::of(pid);
    let wire_before = proxy.map(DbProxy::snapshot);
    tokio::time::sleep_until(end.into()).await;
    let after = ProcSample::of(pid);
    let mut measured = Measured {
        workload,
        ops: 0,
        errors: 0,
        first_error: None,
        latencies: Latencies::default(),
        seconds: secs.as_secs_f64().max(1e-9),
        before,
        after,
        wire: None,
    };
    let mut agents = Vec::new();
    for task in tasks {
        let (agent, latencies, errors, first_error) = task.await.unwrap();
        agents.push(agent);
        measured.ops += latencies.len();
        measured.latencies.extend(latencies);
        measured.errors += errors;
        if measured.first_error.is_none() {
            measured.first_error = first_error;
        }
    }
    measured.wire = proxy
        .zip(wire_before)
        .map(|(proxy, before)| proxy.snapshot().since(before));
    (agents, measured)
}

/// One operation of `workload` at a time by `agent`, each request counted on a still wire
/// (W3 as its two requests, and both together). W1 and W2 never reach the database.
async fn count_one_at_a_time(
    agent: &mut Agent,
    provider: &Provider,
    proxy: &DbProxy,
    workload: Workload,
) -> Vec<Tally> {
    let label = match workload {
        Workload::Discovery | Workload::Jwks => return Vec::new(),
        Workload::SilentCodeFlow => return count_silent_flows(agent, provider, proxy).await,
        Workload::Refresh => "W4 refresh (rotation)",
        Workload::Userinfo => "W5 userinfo",
        Workload::ClientCredentials => "W6 client_credentials",
        Workload::SilentCodeFlowDpop => "W3d silent code flow + DPoP (both)",
    };
    let mut tally = Tally::new(label);
    for _ in 0..ONE_AT_A_TIME {
        match proxy.count(step(agent, provider, workload)).await {
            (Ok(()), used) => tally.add(used),
            (Err(e), _) => println!("    {label}, one at a time: {e}"),
        }
    }
    vec![tally]
}

fn wire_json(wire: &WireSnapshot) -> serde_json::Value {
    json!({
        "round_trips": wire.round_trips,
        "pings": wire.pings,
        "statements": wire.statements,
        "prepares": wire.prepares,
        "sessions_opened": wire.sessions,
        "unreadable_sessions": wire.unreadable,
    })
}

/// Child mode: RS256 signatures of ID-token-sized claims with Tessera's own signer, for
/// SIGN_SECS, on whatever CPU this process was started on. Prints `signs_per_second=N`.
fn sign_ceiling() {
    use tessera::keys::{KeySet, material};
    use tessera::oauth::tokens::TokenType;
    let secs = env_secs("SIGN_SECS", 3.0);
    let now = unix_now();
    let keys = KeySet::single(material::generate_rsa().unwrap(), now).unwrap();
    let claims = json!({
        "iss": "http://127.0.0.1:8080",
        "sub": uuid::Uuid::new_v4().to_string(),
        "aud": "bench",
        "exp": now + 3600,
        "iat": now,
        "auth_time": now,
        "nonce": "n-0123456789",
        "sid": uuid::Uuid::new_v4().simple().to_string(),
        "amr": ["pwd"],
        "acr": "urn:tessera:pwd",
        "at_hash": "x4Yh0nYb3Hn1sJ2uJp1vbQ",
        "email": EMAIL,
        "email_verified": true,
        "name": "Bench User",
    });
    for _ in 0..50 {
        keys.sign(
            tessera::keys::SigningAlg::Rs256,
            TokenType::Id,
            &claims,
            now,
        )
        .unwrap();
    }
    let started = Instant::now();
    let mut signed: u64 = 0;
    while started.elapsed() < secs {
        keys.sign(
            tessera::keys::SigningAlg::Rs256,
            TokenType::Id,
            &claims,
            now,
        )
        .unwrap();
        signed += 1;
    }
    println!(
        "signs_per_second={:.1}",
        signed as f64 / started.elapsed().as_secs_f64()
    );
}

/// Runs `sign_ceiling` in a new process on the server's CPU.
fn measure_sign_ceiling(cores: &Cores) -> Option<f64> {
    let exe = std::env::current_exe().ok()?;
    let mut command = match &cores.server {
        Some(cpus) => {
            let mut command = std::process::Command::new("taskset");
            command.args(["-c", cpus]).arg(exe);
            command
        }
        None => std::process::Command::new(exe),
    };
    let output = command.arg(SIGN_CEILING_FLAG).output().ok()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let rate = stdout
        .lines()
        .find_map(|l| l.strip_prefix("signs_per_second="))
        .and_then(|v| v.trim().parse().ok());
    if rate.is_none() {
        eprintln!(
            "the signing-ceiling child failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    rate
}

fn main() {
    if std::env::args().any(|a| a == SIGN_CEILING_FLAG) {
        sign_ceiling();
        return;
    }
    run_pinned(run);
}

async fn run(cores: Cores) {
    let agent_count = env_usize("AGENTS", 16).max(1);
    let warmup = env_secs("WARMUP_SECS", 2.0);
    let secs = env_secs("SECS", 10.0);
    let database = Database::from_env();
    let proxy = database
        .postgres_address()
        .zip(latency_knob())
        .map(|(upstream, delay)| DbProxy::start(upstream, delay));
    let database = match &proxy {
        Some(proxy) => database.through(proxy.address),
        None => database,
    };
    let setup = Setup::new(database, "");
    println!(
        "tessera flows benchmark: {} database, {agent_count} agents, warm-up {:.0} s, measure {:.0} s per workload",
        setup.database.label(),
        warmup.as_secs_f64(),
        secs.as_secs_f64(),
    );
    println!("cores: {} available; {}", cores.total, cores.note);
    match &proxy {
        Some(proxy) => println!(
            "database wire: through the counting proxy on {}, {:.2} ms added each way ({:.2} ms per round trip)",
            proxy.address,
            proxy.delay.as_secs_f64() * 1000.0,
            proxy.delay.as_secs_f64() * 2000.0,
        ),
        None if setup.database.postgres_address().is_some() => {
            println!("database wire: direct (TESSERA_BENCH_DB_LATENCY_MS=off), not counted")
        }
        None => {}
    }

    // Start-up twice: first with a fresh keys folder and database (master key, migrations,
    // the first signing key), then with everything in place.
    let mut server = setup.start(cores.server.as_deref());
    let startup_fresh = server.wait_ready().await;
    server.stop();
    setup.add_user(EMAIL, PASSWORD);
    let mut server = setup.start(cores.server.as_deref());
    let startup_existing = server.wait_ready().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = server.sample();
    println!(
        "start to first discovery 200: fresh keys {:.0} ms, existing keys {:.0} ms; idle RSS {:.1} MiB, {} threads",
        startup_fresh.as_secs_f64() * 1000.0,
        startup_existing.as_secs_f64() * 1000.0,
        mib(idle.rss_kib),
        idle.threads,
    );

    // What the server sends with nothing asked of it (the outbox poll, every 5 s by
    // default), while the signing ceiling is measured.
    let background_from = proxy.as_ref().map(|p| (p.snapshot(), Instant::now()));
    let signs_per_second = measure_sign_ceiling(&cores);
    let background = proxy
        .as_ref()
        .zip(background_from)
        .map(|(p, (before, at))| {
            let (wire, seconds) = (p.snapshot().since(before), at.elapsed().as_secs_f64());
            println!(
                "database wire while idle: {} round trips ({} pings) in {seconds:.1} s",
                wire.round_trips, wire.pings
            );
            json!({ "seconds": seconds, "wire": wire_json(&wire) })
        });
    match signs_per_second {
        Some(rate) => println!(
            "ceiling: {rate:.0} RS256 signatures/s in-process on the server's CPU ({:.0} code exchanges or refreshes/s)",
            rate / 2.0
        ),
        None => println!("ceiling: not measured"),
    }

    let provider = Arc::new(Provider::fetch(&setup.base).await);
    let mut agents = Vec::new();
    let mut sign_ins = SignInTallies::default();
    // One at a time: each sign-in is an argon2 verification, and the server sheds logins
    // beyond its small hashing queue.
    for id in 0..agent_count {
        let mut agent = Agent::new(id, &setup.base);
        let signed_in = match &proxy {
            Some(proxy) => sign_ins.sign_in(&mut agent, &provider, proxy).await,
            None => agent.password_flow(&provider).await,
        };
        if let Err(e) = signed_in {
            panic!("agent {id} could not sign in: {e}\n{}", server.log_text());
        }
        agents.push(agent);
    }
    let mut one_at_a_time = sign_ins.into_vec();

    println!();
    println!(
        "{:<22} {:>9} {:>8} {:>8} {:>7} {:>7} {:>8} {:>9} {:>7} {:>6} {:>6}  vs ceiling",
        "workload",
        "rate/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "cpu %",
        "RSS MiB",
        "peak MiB",
        "threads",
        "rt/op",
        "pings",
    );
    let mut rows = Vec::new();
    for workload in Workload::ALL {
        let (back, mut measured) = measure(
            agents,
            &provider,
            workload,
            warmup,
            secs,
            server.pid(),
            proxy.as_ref(),
        )
        .await;
        agents = back;
        let (versus, ratio) = measured.versus_ceiling(signs_per_second);
        let (p50, p99) = (
            measured.latencies.percentile_ms(0.50),
            measured.latencies.percentile_ms(0.99),
        );
        let cpu = measured.after.cpu_percent_since(&measured.before);
        let wire_per_op = measured.wire_per_op();
        let (trips, pings) = match wire_per_op {
            Some((trips, pings)) => (format!("{trips:.1}"), format!("{pings:.1}")),
            None => ("-".into(), "-".into()),
        };
        println!(
            "{:<22} {:>9.1} {:>8.2} {:>8.2} {:>7} {:>7.0} {:>8.1} {:>9.1} {:>7} {trips:>6} {pings:>6}  {versus}",
            workload.label(),
            measured.rate(),
            p50,
            p99,
            measured.errors,
            cpu,
            mib(measured.after.rss_kib),
            mib(measured.after.peak_rss_kib),
            measured.after.threads,
        );
        if let Some(error) = &measured.first_error {
            println!("    first error: {error}");
        }
        if let (Some(proxy), Some(agent)) = (&proxy, agents.first_mut()) {
            one_at_a_time.extend(count_one_at_a_time(agent, &provider, proxy, workload).await);
        }
        rows.push(json!({
            "workload": workload.key(),
            "label": workload.label(),
            "ops": measured.ops,
            "rate_per_sec": measured.rate(),
            "p50_ms": p50,
            "p99_ms": p99,
            "errors": measured.errors,
            "first_error": measured.first_error,
            "server_cpu_percent": cpu,
            "rss_kib": measured.after.rss_kib,
            "peak_rss_kib": measured.after.peak_rss_kib,
            "threads": measured.after.threads,
            "versus_ceiling": ratio,
            "wire_round_trips_per_op": wire_per_op.map(|(trips, _)| trips),
            "wire_pings_per_op": wire_per_op.map(|(_, pings)| pings),
            "wire": measured.wire.as_ref().map(wire_json),
        }));
    }
    server.stop();

    let one_at_a_time: Vec<&Tally> = one_at_a_time.iter().filter(|t| !t.is_empty()).collect();
    if !one_at_a_time.is_empty() {
        println!();
        println!(
            "round trips on the PostgreSQL wire, one operation at a time (median of the sign-ins, {ONE_AT_A_TIME} of each workload); pings are bare Syncs, statements include BEGIN/COMMIT:"
        );
        Tally::print_header();
        for tally in &one_at_a_time {
            tally.print_row();
        }
    }
    let db_proxy = proxy.as_ref().map(|proxy| {
        json!({
            "added_delay_ms_each_way": proxy.delay.as_secs_f64() * 1000.0,
            "background_while_idle": background,
            "one_at_a_time": one_at_a_time.iter().map(|t| t.to_json()).collect::<Vec<_>>(),
        })
    });

    let report = json!({
        "benchmark": "flows",
        "database": setup.database.label(),
        "agents": agent_count,
        "warmup_secs": warmup.as_secs_f64(),
        "secs": secs.as_secs_f64(),
        "cores": {
            "available": cores.total,
            "server": cores.server,
            "load_generator": cores.load,
            "note": cores.note,
        },
        "startup_ms": {
            "fresh_keys": startup_fresh.as_secs_f64() * 1000.0,
            "existing_keys": startup_existing.as_secs_f64() * 1000.0,
        },
        "idle": {
            "rss_kib": idle.rss_kib,
            "peak_rss_kib": idle.peak_rss_kib,
            "threads": idle.threads,
        },
        "sign_ceiling_per_sec": signs_per_second,
        "versus_ceiling_note": "W3, W3d and W4: rate / (signatures per second / 2); W5 and W6: rate / signatures per second",
        "workloads": rows,
        "db_proxy": db_proxy,
    });
    write_json(&json_out("bench-flows.json"), &report);
}
