//! The mail outbox (`mail_outbox`): each message composed, sealed and written before anyone
//! is told it was sent, so a restart or an SMTP outage delays mail and loses none. Claimed,
//! retried and given up with the lease every outbox shares (`outbox_lease`).
use super::outbox_lease::{Lease, Outbox, OutboxStats};
use super::{Store, StoreResult, on_pool};

const MAIL: Outbox = Outbox::Mail;

/// A message waiting to be sent. `sealed_message` opens only with the mail key and this id.
#[derive(Clone, sqlx::FromRow)]
pub struct QueuedMail {
    pub id: String,
    pub recipient: String,
    pub sealed_message: String,
    pub created_at: i64,
    /// Attempts made, this one included.
    pub attempts: i64,
}

impl std::fmt::Debug for QueuedMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueuedMail")
            .field("id", &self.id)
            .field("created_at", &self.created_at)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// What a row holds for operators and tests, the message left sealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailRow {
    pub id: String,
    pub recipient: String,
    pub sealed_message: String,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub given_up_at: Option<i64>,
}

impl Store {
    /// Writes a sealed message, due at once.
    pub async fn queue_mail(
        &self,
        id: &str,
        recipient: &str,
        sealed_message: &str,
        now: i64,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into mail_outbox (id, recipient, sealed_message, created_at, next_attempt_at)
                 values ($1, $2, $3, $4, $4)",
            )
            .bind(id)
            .bind(recipient)
            .bind(sealed_message)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Claims up to `limit` messages due at `now` for `owner` (see `Store::claim_due`).
    pub async fn claim_due_mail(
        &self,
        owner: &str,
        now: i64,
        timeout: i64,
        limit: i64,
    ) -> StoreResult<Vec<QueuedMail>> {
        let lease = Lease {
            owner,
            now,
            timeout,
            limit,
        };
        let returning = "id, recipient, sealed_message, created_at, attempts";
        self.claim_due(MAIL, returning, lease).await
    }

    /// Sent: the row leaves.
    pub async fn finish_mail(&self, id: &str, owner: &str) -> StoreResult<()> {
        self.finish_leased(MAIL, id, owner).await
    }

    /// Not sent: try again at `next_attempt_at`, noting why (never the message).
    pub async fn retry_mail(
        &self,
        id: &str,
        owner: &str,
        next_attempt_at: i64,
        error: &str,
    ) -> StoreResult<()> {
        self.retry_leased(MAIL, id, owner, next_attempt_at, error)
            .await
    }

    /// No more attempts: kept, marked, until the purge.
    pub async fn give_up_mail(
        &self,
        id: &str,
        owner: &str,
        now: i64,
        error: &str,
    ) -> StoreResult<()> {
        self.give_up_leased(MAIL, id, owner, now, error).await
    }

    pub async fn mail_outbox_stats(&self) -> StoreResult<OutboxStats> {
        self.stats_of(MAIL).await
    }

    /// Every row of the mail outbox, oldest first (tests and tools).
    pub async fn list_mail(&self) -> StoreResult<Vec<MailRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "select id, recipient, sealed_message, created_at, next_attempt_at, attempts,
                        last_error, given_up_at
                 from mail_outbox order by created_at, id",
            )
            .fetch_all(pool)
            .await
        })
    }
}
