//! Running the server: resolve the master key, open the database, make sure signing keys
//! exist, listen; background tasks (purge, key refresh and rotation, reload on SIGHUP,
//! metrics); and on SIGTERM / Ctrl-C stop accepting and finish in-flight requests.
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::startup::{self, MasterKeySource};

mod checks;
mod couriers;
mod metrics;
pub mod outbox_worker;
pub mod pid_file;
mod tasks;

pub use checks::DEMO_CLIENT_SECRET;
pub use couriers::{MAIL_CONCURRENCY, send_due_mail, spawn_mail_worker};
pub use tasks::spawn_outbox_worker;

/// The key each algorithm signs with at `now`, as `alg:kid`, for the log.
fn signing_kids(keys: &crate::keys::KeySet, now: i64) -> Vec<String> {
    keys.signing(now)
        .map(|key| format!("{}:{}", key.alg, key.kid))
        .collect()
}

pub async fn serve(config_path: &Path, config: Config) -> Result<(), Box<dyn std::error::Error>> {
    // First of all, before anything that may take a while (see `Hangups`).
    let hangups = tasks::Hangups::listen();
    let addr = config.listen;
    checks::warn_about_unsafe_settings(&config, addr);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let reload_source = tasks::ReloadSource {
        config_path: config_path.to_path_buf(),
        configured_master_key: config.master_key.clone(),
    };
    let (config, store, source) = startup::open_with_master_key(config).await?;
    if let MasterKeySource::Generated(path) = &source {
        tracing::info!(file = %path.display(), "generated the master key (back it up: it opens every sealed secret)");
    }
    let (state, prepared) = startup::ready(config, store.clone(), clock).await?;
    for kid in &prepared.keys_added {
        tracing::info!(kid = %kid, "added a signing key");
    }
    if prepared.totp_secrets_resealed > 0 {
        tracing::info!(
            count = prepared.totp_secrets_resealed,
            "re-sealed TOTP secrets under the master key; mfa_encryption_key can be removed"
        );
    }
    let signing = signing_kids(state.keys(), state.now());
    tracing::info!(signing_kid = ?signing, "keys loaded");
    let pid_file = pid_file::write(&state.config().pid_file);
    tasks::spawn_all(&state, reload_source, hangups);
    if let Some(listen) = state.config().metrics_listen {
        metrics::serve(listen, &state).await?;
    }

    let header_read_timeout = Duration::from_secs(state.config().header_read_timeout);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let admin = match state.config().admin_listen {
        Some(admin_addr) => {
            let admin = tokio::net::TcpListener::bind(admin_addr).await?;
            tracing::info!(addr = %admin_addr, "the admin API is served here only");
            Some(admin)
        }
        None => None,
    };
    tracing::info!(%addr, issuer = %state.issuer(), "Tessera is listening");
    let audit = state.audit().clone();
    let main = serve_connections(
        listener,
        crate::app(state.clone()),
        header_read_timeout,
        shutdown_signal(),
    );
    match admin {
        Some(admin) => {
            let admin_router = crate::http::admin_app(state);
            let admin =
                serve_connections(admin, admin_router, header_read_timeout, shutdown_signal());
            tokio::join!(main, admin);
        }
        None => main.await,
    }
    // The events of the last requests, before the pool closes.
    audit.flush().await;
    store.close().await;
    if let Some(path) = pid_file {
        let _ = std::fs::remove_file(path);
    }
    tracing::info!("stopped");
    Ok(())
}

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting and lets
/// in-flight requests finish. Unlike `axum::serve`, a client must send its request headers
/// within `header_read_timeout`, so slow clients cannot hold connections open for free.
pub async fn serve_connections(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let connections = Connections {
        router,
        header_read_timeout,
        stop: watch::Sender::new(false),
    };
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => connections.serve(stream, peer, true),
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            () = &mut shutdown => break,
        }
    }
    // Connections the kernel completed but we had not accepted yet would be reset when the
    // listener closes: take them too, for one request each. Asked of the kernel directly, as
    // tokio would answer from readiness it may not have been told about yet.
    match listener.into_std() {
        Ok(listener) => {
            while let Ok((stream, peer)) = listener.accept() {
                let stream = stream.set_nonblocking(true).map(|()| stream);
                match stream.and_then(TcpStream::from_std) {
                    Ok(stream) => connections.serve(stream, peer, false),
                    Err(e) => tracing::debug!(error = %e, "a last connection was lost"),
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not take the last connections"),
    }
    connections.stop_and_wait().await;
}

/// How each accepted connection is served, and the signal that tells them all to finish.
struct Connections {
    router: Router,
    header_read_timeout: Duration,
    /// Set once on shutdown; every connection holds a receiver until it has closed.
    stop: watch::Sender<bool>,
}

impl Connections {
    fn serve(&self, stream: TcpStream, peer: SocketAddr, keep_alive: bool) {
        let service = self.router.clone().map_request(
            move |mut request: axum::extract::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            },
        );
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout)
            .keep_alive(keep_alive);
        let (mut stop, first_bytes_within) = (self.stop.subscribe(), self.header_read_timeout);
        tokio::spawn(async move {
            // A stop finding a connection idle closes it; one that has just been opened is
            // waiting for the request its client is already sending. Wait for those first
            // bytes, so the stop finds that request in progress and answers it.
            let readable = tokio::time::timeout(first_bytes_within, stream.readable()).await;
            if !matches!(readable, Ok(Ok(()))) {
                return;
            }
            let connection =
                builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            let mut connection = std::pin::pin!(connection);
            let mut stopping = false;
            loop {
                tokio::select! {
                    // The connection first: it reads the request that made it readable.
                    biased;
                    closed = connection.as_mut() => {
                        if let Err(e) = closed {
                            tracing::debug!(error = %e, "connection closed with an error");
                        }
                        return;
                    }
                    _ = stop.wait_for(|stop| *stop), if !stopping => {
                        stopping = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
        });
    }

    /// Tells every connection to finish its request in progress and close, and waits until
    /// they all have.
    async fn stop_and_wait(self) {
        self.stop.send_replace(true);
        self.stop.closed().await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
