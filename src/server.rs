//! Starting and stopping the server: open the database, migrate, make sure a signing key
//! exists, listen, and on SIGTERM / Ctrl-C stop accepting and finish in-flight requests.
use std::net::SocketAddr;
use std::sync::Arc;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::keys::{self, KeyStore};
use crate::state::AppState;
use crate::store::Store;

/// The secret of the demo client in the committed `config.toml` (documented in the README).
pub const DEMO_CLIENT_SECRET: &str = "tessera-demo-secret";

pub async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let addr = config.listen_addr()?;
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
    let purge_every = std::time::Duration::from_secs(config.purge_interval.unsigned_abs());
    tokio::spawn(purge_periodically(
        store.clone(),
        clock.clone(),
        purge_every,
    ));
    let state = AppState::new(config, store.clone(), keys, clock);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, %issuer, "Tessera is listening");
    axum::serve(
        listener,
        crate::app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
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
