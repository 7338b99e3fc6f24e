//! Running the server: resolve the master key, open the database, make sure signing keys
//! exist, listen; background tasks (purge, key refresh and rotation, reload on SIGHUP,
//! metrics); and on SIGTERM / Ctrl-C stop accepting and finish in-flight requests.
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::startup::{self, MasterKeySource};

mod checks;
mod metrics;
mod tasks;

pub use checks::DEMO_CLIENT_SECRET;

pub async fn serve(config_path: &Path, config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let addr = config.listen;
    checks::warn_about_unsafe_settings(&config, addr);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (config, source) = startup::with_master_key(config)?;
    if let MasterKeySource::Generated(path) = &source {
        tracing::info!(file = %path.display(), "generated the master key (back it up: it opens every sealed secret)");
    }
    let store = startup::open_store(&config).await?;
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
    let signing = state.keys().current(state.now()).map(|k| k.kid.clone());
    tracing::info!(signing_kid = ?signing, "keys loaded");
    let pid_file = checks::write_pid_file(&state.config().pid_file);
    tasks::spawn_all(&state, config_path.to_path_buf());
    if let Some(listen) = state.config().metrics_listen {
        metrics::serve(listen, &state).await?;
    }

    let header_read_timeout = Duration::from_secs(state.config().header_read_timeout);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, issuer = %state.issuer(), "Tessera is listening");
    serve_connections(
        listener,
        crate::app(state),
        header_read_timeout,
        shutdown_signal(),
    )
    .await;
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
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service =
            router
                .clone()
                .map_request(move |mut request: axum::extract::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                });
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout);
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection closed with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
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
