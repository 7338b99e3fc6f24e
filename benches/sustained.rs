//! Does Tessera hold a steady load for minutes (issue #11)? Starts the real `tessera` binary
//! pinned to CPU 0 and offers a mix of flows at a fixed rate from the other CPU for SECS
//! (600): sign-in with a password in a fresh cookie jar ~10 %, the silent code flow ~30 %,
//! refresh with rotation ~30 %, userinfo ~30 %. Without RATE, the mix first runs flat out
//! for CAPACITY_SECS (10) and the rate is set to 80 % of what it reached. Every REPORT_SECS
//! (10) a line gives the window's operations, requests, errors, latency and the server's
//! RSS; at the end, totals and a JSON report.
//!
//! Open loop: a dispatcher issues operations at their scheduled times whatever the answers
//! (as independent users would), AGENTS (16) user agents take them, and latency counts from
//! the scheduled time, so a server that falls behind shows it in p99 instead of slowing
//! the offered load down.
//!
//! Run: `cargo bench --bench sustained` (SECS, RATE, AGENTS, WARMUP_SECS, CAPACITY_SECS,
//! REPORT_SECS, JSON_OUT, TESSERA_BENCH_POSTGRES_URL; see docs/performance.md).
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

#[path = "common/mod.rs"]
mod common;

use common::agent::{Agent, Outcome, Provider};
use common::server::{Cores, Database, EMAIL, PASSWORD, ProcSample, Setup, run_pinned};
use common::stats::{Latencies, env_secs, env_usize, json_out, mib, write_json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Operation {
    SignIn,
    SilentCodeFlow,
    Refresh,
    Userinfo,
}

impl Operation {
    /// The mix, in a fixed order of ten: one sign-in, three of each other operation,
    /// interleaved so that no kind comes in bursts.
    const MIX: [Operation; 10] = [
        Operation::SignIn,
        Operation::SilentCodeFlow,
        Operation::Refresh,
        Operation::Userinfo,
        Operation::SilentCodeFlow,
        Operation::Refresh,
        Operation::Userinfo,
        Operation::SilentCodeFlow,
        Operation::Refresh,
        Operation::Userinfo,
    ];

    fn nth(n: u64) -> Operation {
        Self::MIX[(n % Self::MIX.len() as u64) as usize]
    }

    /// This kind's part of the mix (0.1 or 0.3).
    fn share(self) -> f64 {
        let count = Self::MIX.iter().filter(|o| **o == self).count();
        count as f64 / Self::MIX.len() as f64
    }

    fn key(self) -> &'static str {
        match self {
            Operation::SignIn => "sign_in",
            Operation::SilentCodeFlow => "silent_code_flow",
            Operation::Refresh => "refresh",
            Operation::Userinfo => "userinfo",
        }
    }
}

async fn perform(agent: &mut Agent, provider: &Provider, operation: Operation) -> Outcome {
    match operation {
        Operation::SignIn => {
            // A new browser: the agent's own session is put aside and comes back after.
            let session = agent.take_cookies();
            let outcome = agent.password_flow(provider).await;
            agent.set_cookies(session);
            outcome
        }
        Operation::SilentCodeFlow => agent.silent_flow(provider).await,
        Operation::Refresh => agent.refresh_or_restart(provider).await,
        Operation::Userinfo => agent.userinfo().await,
    }
}

/// What happened in one reporting window (or in the whole run).
#[derive(Default)]
struct Tally {
    ops: u64,
    requests: u64,
    errors: u64,
    /// From the scheduled time (open loop) to the answer.
    latencies: Latencies,
    /// From the moment an agent started the operation to the answer.
    service: Latencies,
    /// Latency from the scheduled time of each kind of operation that succeeded.
    by_operation: BTreeMap<&'static str, Latencies>,
    errors_by_operation: BTreeMap<&'static str, u64>,
    first_errors: BTreeMap<&'static str, String>,
}

impl Tally {
    fn record(
        &mut self,
        operation: Operation,
        outcome: Outcome,
        requests: u64,
        latency: Duration,
        service: Duration,
    ) {
        self.ops += 1;
        self.requests += requests;
        match outcome {
            Ok(()) => {
                self.latencies.record(latency);
                self.service.record(service);
                self.by_operation
                    .entry(operation.key())
                    .or_default()
                    .record(latency);
            }
            Err(e) => {
                self.errors += 1;
                *self.errors_by_operation.entry(operation.key()).or_default() += 1;
                self.first_errors.entry(operation.key()).or_insert(e);
            }
        }
    }

    fn absorb(&mut self, other: Tally) {
        self.ops += other.ops;
        self.requests += other.requests;
        self.errors += other.errors;
        self.latencies.extend(other.latencies);
        self.service.extend(other.service);
        for (key, latencies) in other.by_operation {
            self.by_operation.entry(key).or_default().extend(latencies);
        }
        for (key, count) in other.errors_by_operation {
            *self.errors_by_operation.entry(key).or_default() += count;
        }
        for (key, error) in other.first_errors {
            self.first_errors.entry(key).or_insert(error);
        }
    }
}

/// The mix flat out (closed loop) for `warmup` then `secs`: how many operations per second
/// of the mix succeeded, limited by the kind that fell furthest behind its share.
async fn measure_capacity(
    agents: Vec<Agent>,
    provider: &Arc<Provider>,
    warmup: Duration,
    secs: Duration,
) -> (Vec<Agent>, f64, Tally) {
    let measure_from = Instant::now() + warmup;
    let end = measure_from + secs;
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for mut agent in agents {
        let (provider, next) = (provider.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            loop {
                let started = Instant::now();
                if started >= end {
                    break;
                }
                let operation = Operation::nth(next.fetch_add(1, Ordering::Relaxed));
                let before = agent.requests;
                let outcome = perform(&mut agent, &provider, operation).await;
                if started >= measure_from {
                    let elapsed = started.elapsed();
                    tally.record(
                        operation,
                        outcome,
                        agent.requests - before,
                        elapsed,
                        elapsed,
                    );
                }
            }
            (agent, tally)
        }));
    }
    let mut agents = Vec::new();
    let mut total = Tally::default();
    for task in tasks {
        let (agent, tally) = task.await.unwrap();
        agents.push(agent);
        total.absorb(tally);
    }
    // The rate at which the whole mix got done: when sign-ins are shed, the agents do more
    // of the cheap operations instead, and counting those would overstate what the server
    // sustains of this mix.
    let mix_done = [
        Operation::SignIn,
        Operation::SilentCodeFlow,
        Operation::Refresh,
        Operation::Userinfo,
    ]
    .into_iter()
    .map(|operation| {
        let done = total
            .by_operation
            .get(operation.key())
            .map_or(0, Latencies::len);
        done as f64 / operation.share()
    })
    .fold(f64::INFINITY, f64::min);
    (agents, mix_done / secs.as_secs_f64().max(1e-9), total)
}

/// One operation to do, and when it was due.
struct Job {
    due: Instant,
    operation: Operation,
}

fn main() {
    run_pinned(run);
}

async fn run(cores: Cores) {
    let agent_count = env_usize("AGENTS", 16).max(1);
    let secs = env_secs("SECS", 600.0);
    let warmup = env_secs("WARMUP_SECS", 2.0);
    let capacity_secs = env_secs("CAPACITY_SECS", 10.0);
    let report_every = env_secs("REPORT_SECS", 10.0).max(Duration::from_millis(100));
    let setup = Setup::new(Database::from_env(), "");
    println!(
        "tessera sustained benchmark: {} database, {agent_count} agents, {:.0} s",
        setup.database.label(),
        secs.as_secs_f64()
    );
    println!("cores: {} available; {}", cores.total, cores.note);
    setup.add_user(EMAIL, PASSWORD);
    let mut server = setup.start(cores.server.as_deref());
    server.wait_ready().await;
    let pid = server.pid();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = server.sample();
    println!(
        "idle RSS {:.1} MiB, {} threads",
        mib(idle.rss_kib),
        idle.threads
    );
    let provider = Arc::new(Provider::fetch(&setup.base).await);
    let mut agents = Vec::new();
    // One at a time: each sign-in is an argon2 verification, and the server sheds logins
    // beyond its small hashing queue.
    for id in 0..agent_count {
        let mut agent = Agent::new(id, &setup.base);
        if let Err(e) = agent.password_flow(&provider).await {
            panic!("agent {id} could not sign in: {e}\n{}", server.log_text());
        }
        agents.push(agent);
    }

    let (rate, capacity) = match std::env::var("RATE")
        .ok()
        .and_then(|r| r.parse::<f64>().ok())
    {
        Some(rate) => (rate, None),
        None => {
            let (back, capacity, tally) =
                measure_capacity(agents, &provider, warmup, capacity_secs).await;
            agents = back;
            println!(
                "capacity: {capacity:.1} operations/s of the mix flat out over {:.0} s ({} operations, {} errors){}",
                capacity_secs.as_secs_f64(),
                tally.ops,
                tally.errors,
                first_errors_text(&tally),
            );
            (0.8 * capacity, Some(capacity))
        }
    };
    if rate <= 0.0 {
        panic!("the target rate is {rate}: nothing to offer");
    }
    println!(
        "offering {rate:.1} operations/s ({}) for {:.0} s",
        if capacity.is_some() {
            "80 % of capacity"
        } else {
            "RATE"
        },
        secs.as_secs_f64()
    );
    println!(
        "{:>8} {:>7} {:>9} {:>7} {:>8} {:>8} {:>8} {:>7} {:>8} {:>8}",
        "elapsed",
        "ops",
        "requests",
        "errors",
        "p50 ms",
        "p99 ms",
        "svc p99",
        "cpu %",
        "RSS MiB",
        "backlog"
    );

    let start = Instant::now();
    let end = start + secs;
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel::<Job>();
    let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
    let window = Arc::new(Mutex::new(Tally::default()));
    // Jobs issued and jobs taken by an agent: the difference is the backlog.
    let (issued, taken) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let issued_by_dispatcher = issued.clone();
    let dispatcher = tokio::spawn(async move {
        let mut n: u64 = 0;
        loop {
            let due = start + Duration::from_secs_f64(n as f64 / rate);
            if due >= end {
                break;
            }
            tokio::time::sleep_until(due.into()).await;
            let job = Job {
                due,
                operation: Operation::nth(n),
            };
            if sender.send(job).is_err() {
                break;
            }
            n += 1;
            issued_by_dispatcher.store(n, Ordering::Relaxed);
        }
        n
    });
    // Work left when the run ends is not started: a server far behind would otherwise keep
    // the benchmark going for as long again.
    let give_up = end + Duration::from_secs(5);
    let mut tasks = Vec::new();
    for mut agent in agents {
        let (provider, receiver, window) = (provider.clone(), receiver.clone(), window.clone());
        let taken = taken.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let job = receiver.lock().await.recv().await;
                let Some(job) = job else { break };
                taken.fetch_add(1, Ordering::Relaxed);
                let started = Instant::now();
                if started >= give_up {
                    break;
                }
                let before = agent.requests;
                let outcome = perform(&mut agent, &provider, job.operation).await;
                window.lock().unwrap().record(
                    job.operation,
                    outcome,
                    agent.requests - before,
                    job.due.elapsed(),
                    started.elapsed(),
                );
            }
            agent
        }));
    }

    let mut windows = Vec::new();
    let mut total = Tally::default();
    let mut previous = ProcSample::of(pid);
    let first = previous;
    let mut boundary = start;
    while boundary < end {
        boundary = (boundary + report_every).min(end);
        tokio::time::sleep_until(boundary.into()).await;
        let tally = std::mem::take(&mut *window.lock().unwrap());
        let sample = ProcSample::of(pid);
        let backlog = issued
            .load(Ordering::Relaxed)
            .saturating_sub(taken.load(Ordering::Relaxed));
        windows.push(window_line(&tally, &sample, &previous, start, backlog));
        previous = sample;
        total.absorb(tally);
    }
    let offered = dispatcher.await.unwrap();
    for task in tasks {
        let _ = task.await;
    }
    // Operations that finished after the last window closed.
    total.absorb(std::mem::take(&mut *window.lock().unwrap()));
    let last = ProcSample::of(pid);
    let unstarted = offered.saturating_sub(total.ops);
    server.stop();

    let seconds = secs.as_secs_f64().max(1e-9);
    let (p50, p99, p999) = (
        total.latencies.percentile_ms(0.50),
        total.latencies.percentile_ms(0.99),
        total.latencies.percentile_ms(0.999),
    );
    let service_p99 = total.service.percentile_ms(0.99);
    let cpu = last.cpu_percent_since(&first);
    println!();
    println!(
        "total: {} operations offered, {} done ({:.1}/s), {} requests ({:.1}/s), {} errors, {unstarted} not started",
        offered,
        total.ops,
        total.ops as f64 / seconds,
        total.requests,
        total.requests as f64 / seconds,
        total.errors,
    );
    println!(
        "latency from schedule: p50 {p50:.2} ms, p99 {p99:.2} ms, p99.9 {p999:.2} ms; service p99 {service_p99:.2} ms"
    );
    println!(
        "server: {cpu:.0} % CPU; RSS idle {:.1} MiB, at start of load {:.1} MiB, at end {:.1} MiB, peak {:.1} MiB; {} threads",
        mib(idle.rss_kib),
        mib(first.rss_kib),
        mib(last.rss_kib),
        mib(last.peak_rss_kib),
        last.threads,
    );
    let mut operations = serde_json::Map::new();
    for (key, latencies) in &mut total.by_operation {
        let (p50, p99) = (latencies.percentile_ms(0.50), latencies.percentile_ms(0.99));
        let errors = total.errors_by_operation.get(key).copied().unwrap_or(0);
        println!(
            "  {key:<17} {:>8} ok {errors:>6} errors  p50 {p50:>8.2} ms  p99 {p99:>8.2} ms",
            latencies.len()
        );
        operations.insert(
            key.to_string(),
            json!({"ok": latencies.len(), "errors": errors, "p50_ms": p50, "p99_ms": p99}),
        );
    }
    if total.errors > 0 {
        println!("errors by operation:{}", first_errors_text(&total));
    }

    let report = json!({
        "benchmark": "sustained",
        "database": setup.database.label(),
        "agents": agent_count,
        "secs": seconds,
        "capacity_per_sec": capacity,
        "target_rate_per_sec": rate,
        "mix": {"sign_in": 0.1, "silent_code_flow": 0.3, "refresh": 0.3, "userinfo": 0.3},
        "cores": {
            "available": cores.total,
            "server": cores.server,
            "load_generator": cores.load,
            "note": cores.note,
        },
        "totals": {
            "offered": offered,
            "ops": total.ops,
            "not_started": unstarted,
            "requests": total.requests,
            "errors": total.errors,
            "errors_by_operation": total.errors_by_operation,
            "first_errors": total.first_errors,
            "ops_per_sec": total.ops as f64 / seconds,
            "requests_per_sec": total.requests as f64 / seconds,
            "p50_ms": p50,
            "p99_ms": p99,
            "p999_ms": p999,
            "service_p99_ms": service_p99,
            "server_cpu_percent": cpu,
        },
        "operations": operations,
        "rss_kib": {
            "idle": idle.rss_kib,
            "start": first.rss_kib,
            "end": last.rss_kib,
            "peak": last.peak_rss_kib,
        },
        "threads_end": last.threads,
        "windows": windows,
    });
    write_json(&json_out("bench-sustained.json"), &report);
}

/// Prints one window's line and returns it as JSON.
fn window_line(
    tally: &Tally,
    sample: &ProcSample,
    previous: &ProcSample,
    start: Instant,
    backlog: u64,
) -> serde_json::Value {
    let mut latencies = tally.latencies.clone();
    let mut service = tally.service.clone();
    let (p50, p99, service_p99) = (
        latencies.percentile_ms(0.50),
        latencies.percentile_ms(0.99),
        service.percentile_ms(0.99),
    );
    let elapsed = sample.at.duration_since(start).as_secs_f64();
    let cpu = sample.cpu_percent_since(previous);
    println!(
        "{:>7.0}s {:>7} {:>9} {:>7} {:>8.2} {:>8.2} {:>8.2} {:>7.0} {:>8.1} {:>8}",
        elapsed,
        tally.ops,
        tally.requests,
        tally.errors,
        p50,
        p99,
        service_p99,
        cpu,
        mib(sample.rss_kib),
        backlog,
    );
    json!({
        "elapsed_secs": elapsed,
        "ops": tally.ops,
        "requests": tally.requests,
        "errors": tally.errors,
        "errors_by_operation": tally.errors_by_operation,
        "p50_ms": p50,
        "p99_ms": p99,
        "service_p99_ms": service_p99,
        "server_cpu_percent": cpu,
        "rss_kib": sample.rss_kib,
        "threads": sample.threads,
        "backlog": backlog,
    })
}

fn first_errors_text(tally: &Tally) -> String {
    tally
        .errors_by_operation
        .iter()
        .map(|(key, count)| {
            let first = tally.first_errors.get(key).map(String::as_str);
            format!("\n    {key}: {count} (first: {})", first.unwrap_or("-"))
        })
        .collect()
}
