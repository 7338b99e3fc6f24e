//! Does a login flood starve the token endpoint? Starts the real `tessera` binary on
//! loopback, measures `/token` code exchanges alone, then again while many clients flood
//! `/login` with wrong passwords (each one an argon2 verification), and reports latency
//! percentiles, flood throughput and the server's resident memory.
//!
//! Run: `cargo bench --bench login_flood` (options: FLOOD_RATE, FLOOD_CLIENTS, EXCHANGES,
//! TOKEN_WORKERS; TESSERA_BENCH_POSTGRES_URL for PostgreSQL).
//! All traffic goes to 127.0.0.1, bounded in count and time.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[path = "common/mod.rs"]
mod common;

use common::server::{
    CLIENT_ID, CLIENT_SECRET, Database, EMAIL, PASSWORD, ProcSample, REDIRECT, Setup,
};
use common::stats::{Latencies, env_usize};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Throttling is set out of reach so that every flood request costs a real argon2
/// verification: this measures the hashing pool's isolation, the worst case.
const NO_THROTTLE: &str = "login_max_failures_per_account = 1000000000
login_max_failures_per_ip = 1000000000";

fn authorize_path() -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .finish();
    format!("/authorize?{query}")
}

fn cookie_header(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .collect()
}

/// The login form's action, CSRF token and cookie for one flood client or the bench user.
async fn login_form(http: &reqwest::Client, base: &str) -> (String, String, String) {
    let login = format!(
        "{base}/login{}",
        authorize_path().trim_start_matches("/authorize")
    );
    let response = http.get(&login).send().await.unwrap();
    let cookies = cookie_header(&response).join("; ");
    let body = response.text().await.unwrap();
    let marker = "name=\"csrf_token\" value=\"";
    let start = body.find(marker).unwrap() + marker.len();
    let csrf = body[start..start + body[start..].find('"').unwrap()].to_string();
    (login, csrf, cookies)
}

async fn sign_in(http: &reqwest::Client, base: &str) -> String {
    let (login, csrf, cookies) = login_form(http, base).await;
    let response = http
        .post(&login)
        .header("cookie", &cookies)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", EMAIL),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "bench user signs in");
    cookie_header(&response).join("; ")
}

/// `count` code exchanges by `workers` concurrent clients; returns each /token latency.
async fn measure_exchanges(
    http: &reqwest::Client,
    base: &str,
    session: &str,
    count: usize,
    workers: usize,
) -> Latencies {
    let per_worker = count / workers;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (http, base, session) = (http.clone(), base.to_string(), session.to_string());
        tasks.spawn(async move {
            let mut latencies = Latencies::default();
            for _ in 0..per_worker {
                let response = http
                    .get(format!("{base}{}", authorize_path()))
                    .header("cookie", &session)
                    .send()
                    .await
                    .unwrap();
                let location = response.headers()["location"].to_str().unwrap().to_string();
                let code = url::Url::parse(&location)
                    .unwrap()
                    .query_pairs()
                    .find(|(k, _)| k == "code")
                    .unwrap()
                    .1
                    .into_owned();
                let started = Instant::now();
                let response = http
                    .post(format!("{base}/token"))
                    .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
                    .form(&[
                        ("grant_type", "authorization_code"),
                        ("code", code.as_str()),
                        ("redirect_uri", REDIRECT),
                        ("code_verifier", VERIFIER),
                    ])
                    .send()
                    .await
                    .unwrap();
                let ok = response.status() == 200;
                let _ = response.bytes().await;
                latencies.record(started.elapsed());
                assert!(ok, "token exchange failed");
            }
            latencies
        });
    }
    let mut all = Latencies::default();
    for latencies in tasks.join_all().await {
        all.extend(latencies);
    }
    all
}

fn report(label: &str, latencies: &mut Latencies) {
    println!(
        "{label:<28} n={:<5} p50={:>7.2} ms  p90={:>7.2} ms  p99={:>7.2} ms  max={:>7.2} ms",
        latencies.len(),
        latencies.percentile_ms(0.50),
        latencies.percentile_ms(0.90),
        latencies.percentile_ms(0.99),
        latencies.percentile_ms(1.0),
    );
}

fn main() {
    let flood_clients = env_usize("FLOOD_CLIENTS", 256);
    let flood_rate = env_usize("FLOOD_RATE", 1000);
    let exchanges = env_usize("EXCHANGES", 600);
    let workers = env_usize("TOKEN_WORKERS", 4);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let setup = Setup::new(Database::from_env(), NO_THROTTLE);
        setup.add_user(EMAIL, PASSWORD);
        let mut server = setup.start(None);
        server.wait_ready().await;
        let base = server.base.clone();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(256)
            .build()
            .unwrap();
        let session = sign_in(&http, &base).await;
        // Warm up: first client-secret verification (argon2) and connection pools.
        measure_exchanges(&http, &base, &session, 40, workers).await;
        let rss_idle = server.sample().rss_kib;

        let mut baseline = measure_exchanges(&http, &base, &session, exchanges, workers).await;

        let stop = Arc::new(AtomicBool::new(false));
        let (answered, shed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        // Open loop: wrong-password logins arrive at a fixed rate whatever the answers, as
        // from many independent attackers, with at most `flood_clients` in flight.
        let mut forms = Vec::new();
        for _ in 0..flood_clients.min(16) {
            forms.push(login_form(&http, &base).await);
        }
        let flood = {
            let (http, stop, answered, shed) = (http.clone(), stop.clone(), answered.clone(), shed.clone());
            let in_flight = Arc::new(tokio::sync::Semaphore::new(flood_clients));
            tokio::spawn(async move {
                let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / flood_rate as f64));
                ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                let deadline = Instant::now() + Duration::from_secs(120);
                let mut sent: u64 = 0;
                while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                    ticker.tick().await;
                    let Ok(permit) = in_flight.clone().try_acquire_owned() else {
                        continue;
                    };
                    let (login, csrf, cookies) = forms[(sent as usize) % forms.len()].clone();
                    let email = format!("flood{}@example.com", sent % 1000);
                    sent += 1;
                    let (http, answered, shed) = (http.clone(), answered.clone(), shed.clone());
                    tokio::spawn(async move {
                        let response = http
                            .post(&login)
                            .header("cookie", &cookies)
                            .form(&[("csrf_token", csrf.as_str()), ("email", email.as_str()), ("password", "wrong")])
                            .send()
                            .await;
                        match response.map(|r| r.status().as_u16()) {
                            Ok(503) => shed.fetch_add(1, Ordering::Relaxed),
                            Ok(_) => answered.fetch_add(1, Ordering::Relaxed),
                            Err(_) => 0,
                        };
                        drop(permit);
                    });
                }
            })
        };
        // Let the flood reach its steady state, then measure under it.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let rss_peak = Arc::new(AtomicU64::new(server.sample().rss_kib));
        let sampler = {
            let (rss_peak, stop, pid) = (rss_peak.clone(), stop.clone(), server.pid());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    rss_peak.fetch_max(ProcSample::of(pid).rss_kib, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            })
        };
        let flood_started = Instant::now();
        let (answered_before, shed_before) = (answered.load(Ordering::Relaxed), shed.load(Ordering::Relaxed));
        let mut under_flood = measure_exchanges(&http, &base, &session, exchanges, workers).await;
        let flood_seconds = flood_started.elapsed().as_secs_f64();
        let (answered_during, shed_during) = (
            answered.load(Ordering::Relaxed) - answered_before,
            shed.load(Ordering::Relaxed) - shed_before,
        );
        stop.store(true, Ordering::Relaxed);
        let _ = flood.await;
        let _ = sampler.await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let rss_after = server.sample().rss_kib;

        println!("tessera login-flood benchmark ({} cores)", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
        println!(
            "/token exchanges: {exchanges} per phase by {workers} clients; flood: {flood_rate} wrong-password logins/s offered, at most {flood_clients} in flight"
        );
        report("/token without flood", &mut baseline);
        report("/token under login flood", &mut under_flood);
        println!(
            "p99 ratio (flood / no flood): {:.2}",
            under_flood.percentile_ms(0.99) / baseline.percentile_ms(0.99)
        );
        println!(
            "flood: {:.0} wrong-password answers/s (argon2 verifications), {:.0} shed with 503/s",
            answered_during as f64 / flood_seconds,
            shed_during as f64 / flood_seconds
        );
        println!(
            "server RSS: idle {} MiB, peak during flood {} MiB, 3 s after flood {} MiB",
            rss_idle / 1024,
            rss_peak.load(Ordering::Relaxed) / 1024,
            rss_after / 1024
        );
    });
}
