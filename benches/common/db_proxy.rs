//! A TCP proxy on loopback between the server under test and its PostgreSQL (issue 30): it
//! counts the round trips the server makes on the wire, the pool's own pings included, and
//! can add a fixed network delay each way. It runs on a thread and runtime of its own, so
//! it keeps carrying while the benchmark's thread blocks (`tessera user add`) or is busy
//! driving agents.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};

use super::delay_line::{PreciseTimer, carry_delayed};
use super::pg_wire::{FrontendReader, WireCounts, WireSnapshot};

/// The added delay, in milliseconds each way (a decimal: `0.5`); `off` connects the server
/// to the database directly, without the proxy and its counts.
pub const LATENCY_ENV: &str = "TESSERA_BENCH_DB_LATENCY_MS";
/// The same as a flag of the bench binary (`cargo bench --bench flows -- --db-latency 1`),
/// which wins over the variable.
pub const LATENCY_FLAG: &str = "--db-latency";

/// How long the wire must stay still before a count is read: the pool pings a connection
/// it takes back after the request that used it has been answered.
const QUIET_FOR: Duration = Duration::from_millis(30);

/// Whether the server goes through the proxy, and with how much delay each way: the flag,
/// else the variable, else the proxy with no delay; `None` for `off`. Panics on a value
/// that is not a non-negative number of milliseconds, so that a typo never measures the
/// wrong thing.
pub fn latency_knob() -> Option<Duration> {
    let args: Vec<String> = std::env::args().collect();
    let from_flag = args.iter().enumerate().find_map(|(i, arg)| {
        match arg.strip_prefix(LATENCY_FLAG)?.strip_prefix('=') {
            Some(value) => Some(value.to_string()),
            None if arg == LATENCY_FLAG => args.get(i + 1).cloned(),
            None => None,
        }
    });
    let value = from_flag.or_else(|| std::env::var(LATENCY_ENV).ok().filter(|v| !v.is_empty()));
    let Some(value) = value else {
        return Some(Duration::ZERO);
    };
    if value.eq_ignore_ascii_case("off") {
        return None;
    }
    match value.parse::<f64>() {
        Ok(ms) if ms.is_finite() && ms >= 0.0 => Some(Duration::from_secs_f64(ms / 1000.0)),
        _ => panic!(
            "{LATENCY_FLAG} / {LATENCY_ENV}: {value:?} is not milliseconds (e.g. 0.5) or off"
        ),
    }
}

pub struct DbProxy {
    /// Where the server connects instead of the database.
    pub address: SocketAddr,
    /// Added in each direction.
    pub delay: Duration,
    counts: Arc<WireCounts>,
}

impl DbProxy {
    /// Listens on an ephemeral loopback port and carries each connection to `upstream`
    /// (host and port of the database).
    pub fn start(upstream: (String, u16), delay: Duration) -> DbProxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let address = listener.local_addr().expect("the proxy's address");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let counts = Arc::new(WireCounts::default());
        let shared = counts.clone();
        std::thread::Builder::new()
            .name("db-proxy".into())
            .spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the proxy's runtime")
                    .block_on(accept(listener, upstream, delay, shared));
            })
            .expect("the proxy's thread");
        DbProxy {
            address,
            delay,
            counts,
        }
    }

    pub fn snapshot(&self) -> WireSnapshot {
        self.counts.snapshot()
    }

    pub fn reset(&self) {
        self.counts.reset();
    }

    /// Returns once nothing has been sent to the database for `QUIET_FOR`.
    pub async fn settle(&self) {
        let mut seen = self.snapshot();
        loop {
            tokio::time::sleep(QUIET_FOR + 2 * self.delay).await;
            let now = self.snapshot();
            if now == seen {
                return;
            }
            seen = now;
        }
    }

    /// What `step` made the server send, from a still wire to a still wire.
    pub async fn count<T>(&self, step: impl std::future::Future<Output = T>) -> (T, WireSnapshot) {
        self.settle().await;
        let before = self.snapshot();
        let outcome = step.await;
        self.settle().await;
        (outcome, self.snapshot().since(before))
    }

    /// What the server sends on its own (outbox polls, key refreshes) over `period`.
    pub async fn background(&self, period: Duration) -> (WireSnapshot, Duration) {
        let (before, started) = (self.snapshot(), Instant::now());
        tokio::time::sleep(period).await;
        (self.snapshot().since(before), started.elapsed())
    }
}

async fn accept(
    listener: std::net::TcpListener,
    upstream: (String, u16),
    delay: Duration,
    counts: Arc<WireCounts>,
) {
    let listener = TcpListener::from_std(listener).expect("a tokio listener");
    let timer = PreciseTimer::start();
    loop {
        let Ok((client, _)) = listener.accept().await else {
            // Out of descriptors, say: try again without spinning.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let (upstream, timer, counts) = (upstream.clone(), timer.clone(), counts.clone());
        tokio::spawn(async move {
            // A connection refused upstream is refused to the client too: it is dropped.
            let Ok(server) = TcpStream::connect((upstream.0.as_str(), upstream.1)).await else {
                return;
            };
            // Without this, Nagle's algorithm would hold back small messages for the
            // previous one's acknowledgement and add delays of its own.
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (client_reads, client_writes) = client.into_split();
            let (server_reads, server_writes) = server.into_split();
            let mut frontend = FrontendReader::default();
            let to_server = carry_delayed(
                client_reads,
                server_writes,
                delay,
                timer.clone(),
                move |bytes| frontend.read(bytes, &counts),
            );
            let to_client = carry_delayed(server_reads, client_writes, delay, timer, |_| {});
            tokio::join!(to_server, to_client);
        });
    }
}
