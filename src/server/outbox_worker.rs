//! The one worker of every outbox (back-channel logouts, mail): it claims due rows and
//! delivers each in a task of its own, at most `concurrency` at once, so a hanging receiver
//! holds one slot for its timeout and nothing else. It looks when rung (a row was queued
//! here, or a slot came free) and every poll interval (retries falling due, rows queued by
//! another instance or the CLI). What a delivery is, and which bell rings, is the courier's.
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::service;
use crate::state::AppState;

/// One kind of outbox, as the worker sees it.
pub trait Courier: Clone + Send + Sync + 'static {
    type Row: Send + 'static;
    /// What the outbox holds, for the log: "cannot read the {WHAT} outbox".
    const WHAT: &'static str;

    /// Seconds between looks when nobody rings.
    fn poll_interval(&self, state: &AppState) -> u64;

    /// Claims up to `limit` rows due at `now` for `owner`.
    fn claim(
        &self,
        state: &AppState,
        owner: &str,
        limit: usize,
        now: i64,
    ) -> impl Future<Output = service::Result<Vec<Self::Row>>> + Send;

    /// One attempt at delivering `row`; its outcome is recorded by the courier.
    fn deliver(
        &self,
        state: &AppState,
        owner: &str,
        row: Self::Row,
    ) -> impl Future<Output = service::Result<()>> + Send;

    /// Wakes this outbox's worker.
    fn ring(state: &AppState);

    /// Waits for [`Courier::ring`].
    fn rung(state: &AppState) -> impl Future<Output = ()> + Send;
}

/// A name for this worker's claims, so a row taken over after a lease ran out is not
/// finished by the worker that lost it.
pub fn new_owner() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Runs until the runtime stops.
pub async fn run<C: Courier>(state: AppState, courier: C, concurrency: usize) {
    let owner = new_owner();
    let slots = Arc::new(Semaphore::new(concurrency));
    loop {
        let current = state.current();
        let free = slots.available_permits();
        if free > 0 {
            match courier.claim(&current, &owner, free, current.now()).await {
                Ok(rows) => {
                    for row in rows {
                        let Ok(slot) = slots.clone().acquire_owned().await else {
                            return;
                        };
                        let (state, courier, owner) =
                            (current.clone(), courier.clone(), owner.clone());
                        tokio::spawn(async move {
                            if let Err(e) = courier.deliver(&state, &owner, row).await {
                                tracing::warn!(error = %e, "{} not recorded; retried when its claim runs out", C::WHAT);
                            }
                            drop(slot);
                            C::ring(&state);
                        });
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot read the {} outbox", C::WHAT),
            }
        }
        let every = courier.poll_interval(&current);
        tokio::select! {
            () = C::rung(&current) => {}
            () = tokio::time::sleep(Duration::from_secs(every)) => {}
        }
    }
}

/// One look, done here and now: claims up to `limit` rows due at the state's `now` and
/// delivers them one after another. Returns how many were attempted (tests drive a worker
/// this way with their own clock; `tessera` commands could too).
pub async fn deliver_due<C: Courier>(
    state: &AppState,
    courier: &C,
    owner: &str,
    limit: usize,
) -> service::Result<usize> {
    let rows = courier.claim(state, owner, limit, state.now()).await?;
    let count = rows.len();
    for row in rows {
        courier.deliver(state, owner, row).await?;
    }
    Ok(count)
}
