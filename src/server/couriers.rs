//! The two outboxes' couriers for the one worker (`outbox_worker`): back-channel logouts
//! (POSTed to the apps) and mail (handed to the mail transport).
use std::future::Future;

use super::outbox_worker::{self, Courier};
use crate::service;
use crate::state::AppState;
use crate::store::mail_outbox::QueuedMail;
use crate::store::outbox::PendingLogout;

/// Back-channel logouts, POSTed with one shared HTTP client.
#[derive(Clone)]
pub struct Logouts {
    pub http: reqwest::Client,
}

impl Courier for Logouts {
    type Row = PendingLogout;
    const WHAT: &'static str = "back-channel logout";

    fn poll_interval(&self, state: &AppState) -> u64 {
        state
            .config()
            .backchannel_logout_poll_interval
            .unsigned_abs()
    }

    async fn claim(
        &self,
        state: &AppState,
        owner: &str,
        limit: usize,
        now: i64,
    ) -> service::Result<Vec<PendingLogout>> {
        service::backchannel::claim(state, owner, limit, now).await
    }

    async fn deliver(
        &self,
        state: &AppState,
        owner: &str,
        row: PendingLogout,
    ) -> service::Result<()> {
        service::backchannel::deliver(state, &self.http, owner, row)
            .await
            .map(|_| ())
    }

    fn ring(state: &AppState) {
        state.ring_outbox();
    }

    fn rung(state: &AppState) -> impl Future<Output = ()> + Send {
        let state = state.clone();
        async move { state.outbox_rung().await }
    }
}

/// Mail, through the transport the settings name at each attempt.
#[derive(Clone, Copy)]
pub struct Mails;

/// Seconds between the mail worker's looks when nobody rings: retries fall due on whole
/// backoff steps of 30 s and more, and mail queued by another instance or the CLI waits at
/// most this long.
const MAIL_POLL_INTERVAL: u64 = 5;

/// Messages sent at once by one instance.
pub const MAIL_CONCURRENCY: usize = 4;

impl Courier for Mails {
    type Row = QueuedMail;
    const WHAT: &'static str = "mail";

    fn poll_interval(&self, _: &AppState) -> u64 {
        MAIL_POLL_INTERVAL
    }

    async fn claim(
        &self,
        state: &AppState,
        owner: &str,
        limit: usize,
        now: i64,
    ) -> service::Result<Vec<QueuedMail>> {
        service::mail::deliver::claim(state, owner, limit, now).await
    }

    async fn deliver(&self, state: &AppState, owner: &str, row: QueuedMail) -> service::Result<()> {
        service::mail::deliver::deliver(state, owner, row)
            .await
            .map(|_| ())
    }

    fn ring(state: &AppState) {
        state.ring_mail();
    }

    fn rung(state: &AppState) -> impl Future<Output = ()> + Send {
        let state = state.clone();
        async move { state.mail_rung().await }
    }
}

/// Starts the mail worker (see `outbox_worker`).
pub fn spawn_mail_worker(state: &AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(outbox_worker::run(state.clone(), Mails, MAIL_CONCURRENCY))
}

/// Sends the mail due at the state's `now`, one message after another, and returns how many
/// were attempted: a test's (or a command's) worker pass, with the caller's clock.
pub async fn send_due_mail(state: &AppState) -> service::Result<usize> {
    let owner = outbox_worker::new_owner();
    outbox_worker::deliver_due(state, &Mails, &owner, 100).await
}
