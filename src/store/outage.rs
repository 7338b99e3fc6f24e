//! Failing fast while a PostgreSQL database is away. sqlx takes a refused connection for a
//! server still starting and retries until its deadline, so in the usual outage (the host up,
//! nothing listening) every request would wait the whole `database_timeout` for its 503.
//!
//! Two signs mark the database down: a call still waiting after `SUSPECT_AFTER` asks the
//! database's port directly (and again while it waits) and is refused (or its Unix socket is
//! gone); or a call runs out of `database_timeout` (a black hole: connections accepted or
//! stalled, never answered). While it is down every call fails at once as unavailable (503),
//! and one background task pings through the pool until the database answers, which clears
//! the mark. SQLite has no connection to lose and no such guard.
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use tokio::time::Instant;

use super::pool::ConnectionPool;
use super::{StoreError, StoreResult};

/// How long a call waits before the port is asked whether anything listens: far longer
/// than a healthy database takes to hand out a connection, far shorter than a timeout.
const SUSPECT_AFTER: Duration = Duration::from_millis(50);
/// How long the port has to answer that question.
const ASK_FOR: Duration = Duration::from_secs(1);
/// An answer "listening" is believed this long, and a call still waiting asks again after
/// it: a slow database under load gets four questions a second however many calls wait
/// (each accepted connection costs PostgreSQL a process), and a database that stops
/// listening while calls wait is noticed within about this long.
const LISTENING_BELIEVED_FOR: Duration = Duration::from_millis(250);
/// Between the background pings while the database is down.
const PING_EVERY: Duration = Duration::from_millis(250);

#[derive(Debug)]
pub(crate) struct Outage {
    pool: ConnectionPool<PgConnection>,
    address: Address,
    down: AtomicBool,
    /// A background task is pinging; at most one per store.
    pinging: AtomicBool,
    /// When the port last accepted a connection; held while it is asked, so calls waiting at
    /// once share one question.
    listening_seen_at: tokio::sync::Mutex<Option<Instant>>,
}

/// Where the database listens, as sqlx connects to it.
#[derive(Debug, Clone)]
enum Address {
    Tcp(String, u16),
    #[cfg_attr(not(unix), allow(dead_code))]
    Unix(PathBuf),
}

/// What the port said.
enum Answer {
    Listening,
    Refused,
    /// No answer in time, or a name that does not resolve: not a refusal, so no verdict.
    Unknown,
}

impl Outage {
    pub(crate) fn new(pool: ConnectionPool<PgConnection>, options: &PgConnectOptions) -> Arc<Self> {
        Arc::new(Self {
            pool,
            address: Address::of(options),
            down: AtomicBool::new(false),
            pinging: AtomicBool::new(false),
            listening_seen_at: tokio::sync::Mutex::new(None),
        })
    }

    /// `work` within `timeout`, or at once an error while the database is known down.
    pub(crate) async fn run<T>(
        self: &Arc<Self>,
        timeout: Duration,
        work: impl Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
        if self.down.load(Ordering::Acquire) {
            return Err(away());
        }
        let work = tokio::time::timeout(timeout, work);
        let refused = async {
            tokio::time::sleep(SUSPECT_AFTER).await;
            while !self.refuses().await {
                tokio::time::sleep(LISTENING_BELIEVED_FOR).await;
            }
        };
        tokio::select! {
            biased;
            done = work => match done {
                Ok(Err(StoreError::PoolTimedOut)) | Err(_) => {
                    self.mark_down(timeout);
                    Err(StoreError::PoolTimedOut)
                }
                Ok(result) => result,
            },
            () = refused => {
                self.mark_down(timeout);
                Err(away())
            }
        }
    }

    /// Whether the database is down (known, or its port refuses now).
    async fn refuses(&self) -> bool {
        let mut seen = self.listening_seen_at.lock().await;
        if self.down.load(Ordering::Acquire) {
            return true;
        }
        if seen.is_some_and(|at| at.elapsed() < LISTENING_BELIEVED_FOR) {
            return false;
        }
        match self.address.ask().await {
            Answer::Refused => true,
            Answer::Listening => {
                *seen = Some(Instant::now());
                false
            }
            Answer::Unknown => false,
        }
    }

    /// Marks the database down and starts the ping that will clear the mark, unless one runs.
    fn mark_down(self: &Arc<Self>, timeout: Duration) {
        if !self.down.swap(true, Ordering::AcqRel) {
            tracing::warn!(
                "the database is unreachable: requests that need it are answered 503 at once until it answers again"
            );
        }
        if self.pinging.swap(true, Ordering::AcqRel) {
            return;
        }
        let outage = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                if outage.pool.is_closed() {
                    break;
                }
                let ping = outage.pool.ping();
                if matches!(tokio::time::timeout(timeout, ping).await, Ok(Ok(_))) {
                    // In this order: a call marking it down between the two starts a new
                    // ping rather than finding this one still running and leaving it down.
                    outage.pinging.store(false, Ordering::Release);
                    outage.down.store(false, Ordering::Release);
                    tracing::info!("the database answers again");
                    return;
                }
                tokio::time::sleep(PING_EVERY).await;
            }
            outage.pinging.store(false, Ordering::Release);
        });
    }
}

/// The error of a call refused at once: an I/O error, which callers treat as "unavailable".
fn away() -> StoreError {
    StoreError::Io(io::Error::new(
        io::ErrorKind::ConnectionRefused,
        "the database is unreachable (calls fail at once until it answers again)",
    ))
}

impl Address {
    /// The socket sqlx would use: a Unix socket when a socket folder is set or the host is a
    /// path, else TCP.
    fn of(options: &PgConnectOptions) -> Self {
        let port = options.get_port();
        let host = options.get_host();
        let folder = match options.get_socket() {
            Some(folder) => Some(folder.clone()),
            None if host.starts_with('/') => Some(PathBuf::from(host)),
            None => None,
        };
        match folder {
            Some(folder) => Self::Unix(folder.join(format!(".s.PGSQL.{port}"))),
            // sqlx passes IPv6 literals with their URL brackets; the resolver wants them bare.
            None => Self::Tcp(host.trim_matches(&['[', ']'][..]).to_string(), port),
        }
    }

    /// Opens a connection and closes it at once, sending nothing (PostgreSQL logs nothing for
    /// that, as it does for any port monitor).
    async fn ask(&self) -> Answer {
        let connected = match self {
            Self::Tcp(host, port) => {
                let connect = tokio::net::TcpStream::connect((host.as_str(), *port));
                tokio::time::timeout(ASK_FOR, connect)
                    .await
                    .map(|c| c.map(drop))
            }
            #[cfg(unix)]
            Self::Unix(path) => {
                let connect = tokio::net::UnixStream::connect(path);
                tokio::time::timeout(ASK_FOR, connect)
                    .await
                    .map(|c| c.map(drop))
            }
            #[cfg(not(unix))]
            Self::Unix(_) => return Answer::Unknown,
        };
        match connected {
            Ok(Ok(())) => Answer::Listening,
            Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => Answer::Refused,
            // A socket file that is gone: the server is not running.
            Ok(Err(e)) if matches!(self, Self::Unix(_)) && e.kind() == io::ErrorKind::NotFound => {
                Answer::Refused
            }
            Ok(Err(_)) | Err(_) => Answer::Unknown,
        }
    }
}
