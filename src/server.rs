//! Starting and stopping the server: open the database, migrate, make sure a signing key
//! exists, listen, and on SIGTERM / Ctrl-C stop accepting and finish in-flight requests.
use std::net::SocketAddr;
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
use crate::keys::{self, KeyStore};
use crate::state::AppState;
use crate::store::Store;

/// The secret of the demo client in the committed `config.toml` (documented in the README).
pub const DEMO_CLIENT_SECRET: &str = "tessera-demo-secret";

pub async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let addr = config.listen;
    warn_about_unsafe_settings(&config, addr);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);

    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    if let Some(kid) = keys::ensure_key(&config.keys_dir, clock.now())? {
        tracing::info!(kid = %kid, dir = %config.keys_dir.display(), "generated a signing key");
    }
    let keys = KeyStore::load(&config.keys_dir)?;
    tracing::info!(signing_kid = %keys.signing_kid(), published = keys.keys().len(), "keys loaded");

    let issuer = config.issuer.clone();
    let purge_every = Duration::from_secs(config.purge_interval.unsigned_abs());
    tokio::spawn(purge_periodically(
        store.clone(),
        clock.clone(),
        purge_every,
    ));
    let state = AppState::new(config, store.clone(), keys, clock);
    let header_read_timeout = Duration::from_secs(state.config().header_read_timeout);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, %issuer, "Tessera is listening");
    serve_connections(
        listener,
        crate::app(state),
        header_read_timeout,
        shutdown_signal(),
    )
    .await;
    store.close().await;
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

/// Runs the purge on a timer. Each run is a few indexed deletes; a failure is logged and the
/// next run tries again.
async fn purge_periodically(store: Store, clock: Arc<dyn Clock>, every: std::time::Duration) {
    let mut timer = tokio::time::interval(every);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        timer.tick().await;
        match store.purge_expired(clock.now()).await {
            Ok(purged) => tracing::debug!(?purged, "purged expired rows"),
            Err(e) => tracing::warn!(error = %e, "purge failed"),
        }
    }
}

fn warn_about_unsafe_settings(config: &Config, addr: SocketAddr) {
    if !config.secure_cookies() && !config.issuer_is_loopback_http() {
        tracing::warn!(
            issuer = %config.issuer,
            "the issuer is plain http on a non-loopback host: session cookies cannot be Secure; use an https issuer"
        );
    } else if !config.secure_cookies() && !addr.ip().is_loopback() {
        tracing::warn!(
            issuer = %config.issuer,
            "the issuer is plain http but Tessera listens beyond loopback: use an https issuer in production"
        );
    }
    if addr.ip().is_loopback() {
        return;
    }
    for client in &config.clients {
        let demo = client.client_secret_hash.as_deref().is_some_and(|hash| {
            crate::auth::password::verify_blocking(DEMO_CLIENT_SECRET.as_bytes(), hash)
        });
        if demo {
            tracing::warn!(
                client_id = %client.client_id,
                "this client uses the published demo secret: replace it (tessera client hash-secret --generate)"
            );
        }
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
