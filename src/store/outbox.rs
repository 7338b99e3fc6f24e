//! OpenID Connect Back-Channel Logout 1.0, durably: which apps got tokens through which
//! browser session (`session_clients`), and the outbox of logout tokens still to deliver
//! (`backchannel_outbox`). Logouts are queued in the transaction that ends the session, so a
//! session never ends without its logouts written, and a crash loses none. A row is claimed
//! by one worker at a time (`for update skip locked` on PostgreSQL; SQLite has one writer)
//! for a lease; it leaves when delivered, or is marked given up.
pub use super::outbox_lease::OutboxStats;
use super::outbox_lease::{Lease, Outbox};
use super::{Store, StoreResult, on_pool};

const LOGOUTS: Outbox = Outbox::BackchannelLogout;

/// A logout token to deliver: to whom, about whom, and how it has gone so far.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingLogout {
    /// Also the token's `jti`.
    pub id: String,
    pub client_id: String,
    pub sub: String,
    pub sid: String,
    pub created_at: i64,
    /// Attempts made, this one included.
    pub attempts: i64,
}

/// A `session_clients` row taken because its session ended:
/// (session_id_hash, client_id, user_id, sid).
pub(crate) type TakenClient = (String, String, String, Option<String>);

/// Takes the `session_clients` rows a `delete … returning` statement (`$sql`, with one bind)
/// selects, and queues a logout for each whose client is one of `$receivers` (a back-channel
/// logout URI is registered). Runs inside the caller's transaction `$tx`; evaluates to the
/// number queued.
macro_rules! take_and_queue {
    ($tx:expr, $sql:expr, $bind:expr, $receivers:expr, $now:expr) => {{
        let taken: Vec<$crate::store::outbox::TakenClient> = sqlx::query_as($sql)
            .bind($bind)
            .fetch_all(&mut *$tx)
            .await?;
        let mut queued = 0_u64;
        for (session_id_hash, client_id, user_id, sid) in taken {
            if !$receivers.iter().any(|r: &String| *r == client_id) {
                continue;
            }
            let sid = sid.unwrap_or_else(|| crate::auth::session::public_id(&session_id_hash));
            sqlx::query(
                "insert into backchannel_outbox (id, client_id, sub, sid, created_at, next_attempt_at)
                 values ($1, $2, $3, $4, $5, $5)",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(&client_id)
            .bind(&user_id)
            .bind(&sid)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
            queued += 1;
        }
        queued
    }};
}
pub(crate) use take_and_queue;

/// The columns `take_and_queue!` reads back from `session_clients`.
pub(crate) const TAKEN: &str = "returning session_id_hash, client_id, user_id, sid";

impl Store {
    /// Claims up to `limit` deliveries due at `now` for `owner` until `now + timeout +` a
    /// margin, counting the attempt (the lease every outbox shares: `outbox_lease`).
    pub async fn claim_due_logouts(
        &self,
        owner: &str,
        now: i64,
        timeout: i64,
        limit: i64,
    ) -> StoreResult<Vec<PendingLogout>> {
        let lease = Lease {
            owner,
            now,
            timeout,
            limit,
        };
        let returning = "id, client_id, sub, sid, created_at, attempts";
        self.claim_due(LOGOUTS, returning, lease).await
    }

    /// A delivery succeeded (or its client is gone): the row leaves, if `owner` still holds it.
    pub async fn finish_logout(&self, id: &str, owner: &str) -> StoreResult<()> {
        self.finish_leased(LOGOUTS, id, owner).await
    }

    /// A delivery failed: try again at `next_attempt_at`, noting why (never the token).
    pub async fn retry_logout(
        &self,
        id: &str,
        owner: &str,
        next_attempt_at: i64,
        error: &str,
    ) -> StoreResult<()> {
        self.retry_leased(LOGOUTS, id, owner, next_attempt_at, error)
            .await
    }

    /// No more attempts: the row stays, marked, until the purge removes it.
    pub async fn give_up_logout(
        &self,
        id: &str,
        owner: &str,
        now: i64,
        error: &str,
    ) -> StoreResult<()> {
        self.give_up_leased(LOGOUTS, id, owner, now, error).await
    }

    pub async fn outbox_stats(&self) -> StoreResult<OutboxStats> {
        self.stats_of(LOGOUTS).await
    }

    /// Every row of the outbox, oldest first (tests and tools).
    pub async fn list_logouts(&self) -> StoreResult<Vec<PendingLogout>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "select id, client_id, sub, sid, created_at, attempts from backchannel_outbox
                 order by created_at, id",
            )
            .fetch_all(pool)
            .await
        })
    }

    /// The apps recorded for a session, by client id (tests and tools).
    pub async fn session_clients(&self, session_id_hash: &str) -> StoreResult<Vec<String>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select client_id from session_clients where session_id_hash = $1 order by client_id",
            )
            .bind(session_id_hash)
            .fetch_all(pool)
            .await
        })
    }
}
