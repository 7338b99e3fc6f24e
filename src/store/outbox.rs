//! OpenID Connect Back-Channel Logout 1.0, durably: which apps got tokens through which
//! browser session (`session_clients`), and the outbox of logout tokens still to deliver
//! (`backchannel_outbox`). Logouts are queued in the transaction that ends the session, so a
//! session never ends without its logouts written, and a crash loses none. A row is claimed
//! by one worker at a time (`for update skip locked` on PostgreSQL; SQLite has one writer)
//! for a lease; it leaves when delivered, or is marked given up.
use super::{Db, Store, StoreResult, on_pool};

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

/// What the outbox holds, for metrics and operators.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OutboxStats {
    /// Rows waiting for delivery (not given up).
    pub pending: i64,
    /// When the oldest of them was queued.
    pub oldest_created_at: Option<i64>,
    pub given_up: i64,
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

/// How long past its timeout a delivery keeps its claim, so an instance whose clock runs a
/// little behind cannot take a row another one is still sending.
const LEASE_MARGIN: i64 = 30;

impl Store {
    /// Claims up to `limit` deliveries due at `now` for `owner` until `now + timeout +` a
    /// margin, counting the attempt. PostgreSQL skips rows another instance holds locked;
    /// a claim whose lease ran out (its instance died mid-delivery) is taken over.
    pub async fn claim_due_logouts(
        &self,
        owner: &str,
        now: i64,
        timeout: i64,
        limit: i64,
    ) -> StoreResult<Vec<PendingLogout>> {
        let lock = match self.db() {
            Db::Postgres(_) => "for update skip locked",
            Db::Sqlite(_) => "",
        };
        let sql = format!(
            "update backchannel_outbox
             set claimed_by = $1, claimed_until = $2, attempts = attempts + 1
             where id in (
                 select id from backchannel_outbox
                 where given_up_at is null and next_attempt_at <= $3
                   and (claimed_until is null or claimed_until <= $3)
                 order by next_attempt_at
                 limit $4 {lock})
             returning id, client_id, sub, sid, created_at, attempts"
        );
        on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(owner)
                .bind(now + timeout + LEASE_MARGIN)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await
        })
    }

    /// A delivery succeeded (or its client is gone): the row leaves, if `owner` still holds it.
    pub async fn finish_logout(&self, id: &str, owner: &str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from backchannel_outbox where id = $1 and claimed_by = $2")
                .bind(id)
                .bind(owner)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// A delivery failed: try again at `next_attempt_at`, noting why (never the token).
    pub async fn retry_logout(
        &self,
        id: &str,
        owner: &str,
        next_attempt_at: i64,
        error: &str,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update backchannel_outbox
                 set next_attempt_at = $1, last_error = $2, claimed_by = null, claimed_until = null
                 where id = $3 and claimed_by = $4",
            )
            .bind(next_attempt_at)
            .bind(error)
            .bind(id)
            .bind(owner)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// No more attempts: the row stays, marked, until the purge removes it.
    pub async fn give_up_logout(
        &self,
        id: &str,
        owner: &str,
        now: i64,
        error: &str,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update backchannel_outbox
                 set given_up_at = $1, last_error = $2, claimed_by = null, claimed_until = null
                 where id = $3 and claimed_by = $4",
            )
            .bind(now)
            .bind(error)
            .bind(id)
            .bind(owner)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    pub async fn outbox_stats(&self) -> StoreResult<OutboxStats> {
        let (pending, oldest_created_at, given_up): (i64, Option<i64>, i64) =
            on_pool!(self, |pool| {
                sqlx::query_as(
                    "select
                        coalesce(sum(case when given_up_at is null then 1 else 0 end), 0),
                        min(case when given_up_at is null then created_at end),
                        coalesce(sum(case when given_up_at is null then 0 else 1 end), 0)
                     from backchannel_outbox",
                )
                .fetch_one(pool)
                .await
            })?;
        Ok(OutboxStats {
            pending,
            oldest_created_at,
            given_up,
        })
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
