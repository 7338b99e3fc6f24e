//! The Prometheus endpoint, on its own listener (`metrics_listen`) so metrics are never
//! exposed on the public port. Counters and histograms are recorded as things happen
//! (`observe`); gauges are sampled at each scrape.
use std::net::SocketAddr;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::observe;
use crate::state::{AppState, SharedState};

pub const PATH: &str = "/metrics";

/// Installs the recorder and serves the scrape endpoint on `listen`.
pub async fn serve(listen: SocketAddr, state: &AppState) -> Result<(), Box<dyn std::error::Error>> {
    let handle = observe::install()?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let router = Router::new()
        .route(PATH, get(scrape))
        .with_state((handle, state.shared()));
    tracing::info!(%listen, "metrics are served at {PATH}");
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
    Ok(())
}

async fn scrape(
    State((handle, shared)): State<(PrometheusHandle, SharedState)>,
) -> impl IntoResponse {
    let state = AppState::of(&shared);
    sample(&state);
    sample_outbox(&state).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
}

/// The outbox gauges, read from the database (every instance's rows): a scrape that cannot
/// read them keeps the last values.
async fn sample_outbox(state: &AppState) {
    let age = |oldest: Option<i64>| oldest.map_or(0, |at| state.now().saturating_sub(at).max(0));
    match state.store().outbox_stats().await {
        Ok(stats) => {
            metrics::gauge!(observe::OUTBOX_PENDING).set(stats.pending as f64);
            metrics::gauge!(observe::OUTBOX_OLDEST).set(age(stats.oldest_created_at) as f64);
            metrics::gauge!(observe::OUTBOX_GIVEN_UP).set(stats.given_up as f64);
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the back-channel logout outbox"),
    }
    match state.store().mail_outbox_stats().await {
        Ok(stats) => {
            metrics::gauge!(observe::MAIL_OUTBOX_PENDING).set(stats.pending as f64);
            metrics::gauge!(observe::MAIL_OUTBOX_OLDEST).set(age(stats.oldest_created_at) as f64);
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the mail outbox"),
    }
}

/// The gauges: argon2 queue, database pool, signing key.
fn sample(state: &AppState) {
    let in_flight = state.passwords().in_flight();
    metrics::gauge!(observe::ARGON2_QUEUE).set(in_flight as f64);
    let (in_use, idle) = state.store().pool_stats();
    metrics::gauge!(observe::DB_CONNECTIONS, "state" => "in_use").set(f64::from(in_use));
    metrics::gauge!(observe::DB_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    observe::signing_keys(state.keys(), state.now());
}
