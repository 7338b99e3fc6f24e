//! One attempt at sending a claimed message: opened, handed to the transport, then sent,
//! retried later (the backoff every outbox shares, from 30 s doubling up to an hour), or
//! given up once `email.retry_for` has passed.
use crate::observe::{self, MailOutcome};
use crate::retry::{NextAttempt, RetryPolicy, next_attempt};
use crate::service::error::Result;
use crate::state::AppState;
use crate::store::mail_outbox::QueuedMail;

/// Seconds before the second attempt; each later wait doubles.
const INITIAL_BACKOFF: i64 = 30;

/// Seconds one attempt may hold its claim (the transport's own limits are shorter).
const ATTEMPT_TIMEOUT: i64 = 60;

/// Claims up to `limit` messages due at `now` for the worker `owner`.
pub async fn claim(
    state: &AppState,
    owner: &str,
    limit: usize,
    now: i64,
) -> Result<Vec<QueuedMail>> {
    let limit = i64::try_from(limit).unwrap_or(1);
    Ok(state
        .store()
        .claim_due_mail(owner, now, ATTEMPT_TIMEOUT, limit)
        .await?)
}

/// One attempt at sending `row`, claimed by `owner`, and what became of it.
pub async fn deliver(state: &AppState, owner: &str, row: QueuedMail) -> Result<MailOutcome> {
    let store = state.store();
    let opened = state
        .mail_sealer()
        .and_then(|key| key.open(&row.sealed_message, &row.id).ok());
    let Some(raw) = opened else {
        // Sealed under another master key (or altered): no attempt will ever open it.
        let now = state.now();
        let error = "the sealed message cannot be opened with this master key";
        store.give_up_mail(&row.id, owner, now, error).await?;
        tracing::error!(mail_id = %row.id, "mail given up: {error}");
        observe::mail_failed(MailOutcome::GaveUp);
        return Ok(MailOutcome::GaveUp);
    };
    let sent = super::transport::send(state.config(), &row.id, &row.recipient, &raw).await;
    let now = state.now();
    let outcome = match sent {
        Ok(()) => {
            store.finish_mail(&row.id, owner).await?;
            tracing::info!(mail_id = %row.id, attempts = row.attempts,
                waited = now - row.created_at, "mail sent");
            observe::mail_sent();
            MailOutcome::Sent
        }
        Err(error) => {
            let outcome = try_again(state, owner, &row, &error, now).await?;
            observe::mail_failed(outcome);
            outcome
        }
    };
    Ok(outcome)
}

/// A failed attempt: schedule the next one, or give up once `email.retry_for` has passed.
async fn try_again(
    state: &AppState,
    owner: &str,
    row: &QueuedMail,
    error: &str,
    now: i64,
) -> Result<MailOutcome> {
    let policy = RetryPolicy {
        initial_backoff: INITIAL_BACKOFF,
        retry_for: state.config().email.retry_for,
    };
    let store = state.store();
    match next_attempt(policy, row.created_at, row.attempts, now) {
        NextAttempt::At(at) => {
            store.retry_mail(&row.id, owner, at, error).await?;
            tracing::warn!(mail_id = %row.id, attempts = row.attempts, error,
                retry_in = at - now, "mail not sent; will try again");
            Ok(MailOutcome::Retrying)
        }
        NextAttempt::GiveUp => {
            store.give_up_mail(&row.id, owner, now, error).await?;
            tracing::error!(mail_id = %row.id, attempts = row.attempts, error,
                "mail given up: not sent within email.retry_for");
            Ok(MailOutcome::GaveUp)
        }
    }
}
