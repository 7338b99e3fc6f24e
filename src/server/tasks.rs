//! What a running server does besides answering requests: purge expired rows, re-read (and,
//! when due, rotate) the signing keys, deliver back-channel logouts and mail from their
//! outboxes, and on
//! SIGHUP reload the configuration and re-read the keys. Each task logs its failures and
//! tries again on its next turn; none of them can stop the server.
use std::path::PathBuf;
use std::time::Duration;

use crate::audit::{AuditEvent, EventType};
use crate::auth::master_key::MasterKey;
use crate::config::Config;
use crate::service;
use crate::state::AppState;

use super::couriers::{Logouts, spawn_mail_worker};
use super::outbox_worker;

/// SIGHUP, listened for from the first moment of `serve`: until a process has a handler for
/// it, SIGHUP ends it, so a `systemctl reload` during a slow start (a database still coming
/// up) would kill the server. A hangup that arrives before the server is ready waits here,
/// and becomes a reload once it is.
pub struct Hangups {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Hangups {
    pub fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signal = signal(SignalKind::hangup())
                .inspect_err(|e| {
                    tracing::warn!(error = %e, "cannot listen for SIGHUP: reload needs a restart");
                })
                .ok();
            Self { signal }
        }
        #[cfg(not(unix))]
        Self {}
    }
}

/// Where a reload reads the configuration, and what it compares the key material with.
pub struct ReloadSource {
    pub config_path: PathBuf,
    /// `master_key` as the file and environment gave it at start (see `Config::reloaded`).
    pub configured_master_key: Option<MasterKey>,
}

pub fn spawn_all(state: &AppState, source: ReloadSource, hangups: Hangups) {
    resolve_upstreams(state);
    tokio::spawn(purge_periodically(state.clone()));
    tokio::spawn(refresh_keys_periodically(state.clone()));
    spawn_outbox_worker(state);
    spawn_mail_worker(state);
    #[cfg(unix)]
    if let Some(signal) = hangups.signal {
        tokio::spawn(reload_on_sighup(state.clone(), source, signal));
    }
    #[cfg(not(unix))]
    let _ = (source, hangups);
}

/// Every `purge_interval`, a few indexed deletes.
async fn purge_periodically(state: AppState) {
    loop {
        let current = state.current();
        let receivers = current.backchannel_receivers();
        match current
            .store()
            .purge_expired(current.now(), receivers)
            .await
        {
            Ok(purged) => {
                tracing::debug!(?purged, "purged expired rows");
                service::backchannel::queued(&current, purged.logouts_queued);
            }
            Err(e) => tracing::warn!(error = %e, "purge failed"),
        }
        let idle = current.now() - current.config().dynamic_client_idle_expiry;
        match current.store().purge_idle_registered_clients(idle).await {
            Ok(purged) => tracing::debug!(purged, "purged registered clients left unused"),
            Err(e) => tracing::warn!(error = %e, "purge of unused registered clients failed"),
        }
        let cutoff = current.now() - current.config().audit_retention;
        match current.store().purge_audit_events(cutoff).await {
            Ok(purged) => tracing::debug!(purged, "purged audit events past audit_retention"),
            Err(e) => tracing::warn!(error = %e, "purge of old audit events failed"),
        }
        let every = current.config().purge_interval.unsigned_abs();
        tokio::time::sleep(Duration::from_secs(every)).await;
    }
}

/// Reads the upstreams' secrets and discovery documents in the background: a slow or
/// unreachable provider must not hold up the start (or a reload), and one that fails is
/// logged by name now rather than at the first sign-in.
fn resolve_upstreams(state: &AppState) {
    let current = state.current();
    let (upstreams, now) = (current.upstreams(), current.now());
    tokio::spawn(async move { upstreams.resolve_all(now).await });
}

/// Every `key_refresh_interval`: prepare the next key if the schedule says so (one instance
/// wins), then read the key set again, so this instance signs with whatever every other
/// instance signs with.
async fn refresh_keys_periodically(state: AppState) {
    loop {
        let current = state.current();
        let every = current.config().key_refresh_interval.unsigned_abs();
        tokio::time::sleep(Duration::from_secs(every)).await;
        if let Err(e) = service::keys::refresh(&state.current()).await {
            tracing::warn!(error = %e, "key refresh failed; keeping the keys read before");
        }
    }
}

/// Starts the back-channel logout worker (`outbox_worker`): at most
/// `backchannel_logout_concurrency` deliveries at once, a look every
/// `backchannel_logout_poll_interval` or when rung.
pub fn spawn_outbox_worker(state: &AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(deliver_logouts(state.clone()))
}

async fn deliver_logouts(state: AppState) {
    let http = match service::backchannel::http_client() {
        Ok(http) => http,
        Err(e) => {
            tracing::error!(error = %e, "cannot start back-channel logout deliveries");
            return;
        }
    };
    let concurrency = state.config().backchannel_logout_concurrency;
    outbox_worker::run(state, Logouts { http }, concurrency).await;
}

#[cfg(unix)]
async fn reload_on_sighup(
    state: AppState,
    source: ReloadSource,
    mut hangups: tokio::signal::unix::Signal,
) {
    while hangups.recv().await.is_some() {
        reload(&state, &source).await;
    }
}

/// Applies the file's settings, then reads the signing keys again: after `tessera keys rotate
/// --now` or `tessera keys retire`, a reload makes this instance act now instead of at its
/// next `key_refresh_interval`. The keys are read even when the file is refused: they come
/// from the database, not from it.
async fn reload(state: &AppState, source: &ReloadSource) {
    reload_settings(state, source);
    match service::keys::refresh(&state.current()).await {
        Ok(()) => {
            let current = state.current();
            let signing = super::signing_kids(current.keys(), current.now());
            tracing::info!(signing_kid = ?signing, "signing keys re-read");
        }
        Err(e) => tracing::warn!(error = %e, "key refresh failed; keeping the keys read before"),
    }
}

/// Reads and validates the file again and swaps in every setting a running server can change;
/// an invalid file changes nothing.
fn reload_settings(state: &AppState, source: &ReloadSource) {
    match Config::load(&source.config_path, std::env::vars()) {
        Ok(file) => {
            let configured = source.configured_master_key.as_ref();
            let (applied, ignored) = state.current().config().reloaded(file, configured);
            for key in ignored {
                tracing::warn!(
                    key,
                    "changed in the file, but needs a restart: keeping the running value"
                );
            }
            let clients = applied.clients.len();
            state.replace_settings(applied);
            tracing::info!(clients, "configuration reloaded");
            let reloaded =
                AuditEvent::success(EventType::ConfigReloaded).detail("clients", clients);
            state.audit().record(reloaded);
            resolve_upstreams(state);
        }
        Err(e) => {
            tracing::error!(error = %e, "reload refused: the configuration is invalid; keeping the running one");
            state
                .audit()
                .record(AuditEvent::failure(EventType::ConfigReloaded));
        }
    }
}
