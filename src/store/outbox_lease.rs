//! What every outbox table shares (`backchannel_outbox`, `mail_outbox`): a row is claimed by
//! one worker at a time for a lease (`for update skip locked` on PostgreSQL; SQLite has one
//! writer), counting the attempt; it leaves when delivered, is put back with its next
//! attempt's time, or is marked given up and kept until the purge. Each outbox differs only in
//! its table and in the columns a claim reads back.
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use super::{Db, Store, StoreResult, on_pool};

/// The outbox tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outbox {
    BackchannelLogout,
    Mail,
}

impl Outbox {
    /// A fixed name, never data: the statements below are built from it.
    const fn table(self) -> &'static str {
        match self {
            Self::BackchannelLogout => "backchannel_outbox",
            Self::Mail => "mail_outbox",
        }
    }
}

/// What an outbox holds, for metrics and operators.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OutboxStats {
    /// Rows waiting for delivery (not given up).
    pub pending: i64,
    /// When the oldest of them was queued.
    pub oldest_created_at: Option<i64>,
    pub given_up: i64,
}

/// How long past its timeout a delivery keeps its claim, so an instance whose clock runs a
/// little behind cannot take a row another one is still sending.
const LEASE_MARGIN: i64 = 30;

/// A claim's lease: who holds the rows, and for how long one delivery may take.
#[derive(Debug, Clone, Copy)]
pub struct Lease<'a> {
    pub owner: &'a str,
    pub now: i64,
    /// Seconds one delivery may take.
    pub timeout: i64,
    pub limit: i64,
}

impl Store {
    /// Claims up to `lease.limit` rows of `outbox` due at `now` for `lease.owner` until
    /// `now + timeout +` a margin, counting the attempt, and reads back `returning`.
    /// PostgreSQL skips rows another instance holds locked; a claim whose lease ran out (its
    /// instance died mid-delivery) is taken over.
    pub(crate) async fn claim_due<R>(
        &self,
        outbox: Outbox,
        returning: &'static str,
        lease: Lease<'_>,
    ) -> StoreResult<Vec<R>>
    where
        R: Send + Unpin + for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow>,
    {
        let lock = match self.db() {
            Db::Postgres(_) => "for update skip locked",
            Db::Sqlite(_) => "",
        };
        let table = outbox.table();
        let sql = format!(
            "update {table}
             set claimed_by = $1, claimed_until = $2, attempts = attempts + 1
             where id in (
                 select id from {table}
                 where given_up_at is null and next_attempt_at <= $3
                   and (claimed_until is null or claimed_until <= $3)
                 order by next_attempt_at
                 limit $4 {lock})
             returning {returning}"
        );
        on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(lease.owner)
                .bind(lease.now + lease.timeout + LEASE_MARGIN)
                .bind(lease.now)
                .bind(lease.limit)
                .fetch_all(pool)
                .await
        })
    }

    /// A delivery succeeded (or has nowhere to go): the row leaves, if `owner` still holds it.
    pub(crate) async fn finish_leased(
        &self,
        outbox: Outbox,
        id: &str,
        owner: &str,
    ) -> StoreResult<()> {
        let sql = format!(
            "delete from {} where id = $1 and claimed_by = $2",
            outbox.table()
        );
        on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(id)
                .bind(owner)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// A delivery failed: try again at `next_attempt_at`, noting why (never the content).
    pub(crate) async fn retry_leased(
        &self,
        outbox: Outbox,
        id: &str,
        owner: &str,
        next_attempt_at: i64,
        error: &str,
    ) -> StoreResult<()> {
        let sql = format!(
            "update {}
             set next_attempt_at = $1, last_error = $2, claimed_by = null, claimed_until = null
             where id = $3 and claimed_by = $4",
            outbox.table()
        );
        on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
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
    pub(crate) async fn give_up_leased(
        &self,
        outbox: Outbox,
        id: &str,
        owner: &str,
        now: i64,
        error: &str,
    ) -> StoreResult<()> {
        let sql = format!(
            "update {}
             set given_up_at = $1, last_error = $2, claimed_by = null, claimed_until = null
             where id = $3 and claimed_by = $4",
            outbox.table()
        );
        on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(now)
                .bind(error)
                .bind(id)
                .bind(owner)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// Pending, oldest pending and given-up rows of `outbox`.
    pub async fn stats_of(&self, outbox: Outbox) -> StoreResult<OutboxStats> {
        let sql = format!(
            "select
                coalesce(sum(case when given_up_at is null then 1 else 0 end), 0),
                min(case when given_up_at is null then created_at end),
                coalesce(sum(case when given_up_at is null then 0 else 1 end), 0)
             from {}",
            outbox.table()
        );
        let (pending, oldest_created_at, given_up): (i64, Option<i64>, i64) =
            on_pool!(self, |pool| {
                sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .fetch_one(pool)
                    .await
            })?;
        Ok(OutboxStats {
            pending,
            oldest_created_at,
            given_up,
        })
    }

    /// Removes the rows of `outbox` given up before `before` (the purge).
    pub(crate) async fn purge_given_up(&self, outbox: Outbox, before: i64) -> StoreResult<u64> {
        let sql = format!("delete from {} where given_up_at <= $1", outbox.table());
        on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(before)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
    }
}
