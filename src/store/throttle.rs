//! Throttle counters (see `auth::throttle`): one fixed window per key, holding the failures
//! and the attempts being evaluated (pending). An attempt is reserved — counted and checked
//! against failures + pending in one statement — before the guess is evaluated, so concurrent
//! requests, on this instance or another, cannot all slip under the limit.
use super::{Store, StoreResult, on_pool};
use crate::auth::throttle::Counter;

/// `pending - 1`, never below zero (a window restarted while an attempt was in flight).
macro_rules! one_less_pending {
    () => {
        "pending = case when pending > 0 then pending - 1 else 0 end"
    };
}

impl Store {
    pub async fn throttle_counter(&self, key: &str) -> StoreResult<Option<Counter>> {
        let row: Option<(i64, i64, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "select window_start, failures, pending from throttle_counters where key = $1",
            )
            .bind(key)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(window_start, failures, pending)| Counter {
            window_start,
            failures,
            pending,
        }))
    }

    /// Counts one attempt in flight against `key` unless failures + pending already reach
    /// `max`; a window older than `window` seconds starts over. True when it was counted.
    pub async fn reserve_attempt(
        &self,
        key: &str,
        max: i64,
        window: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let counted: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "insert into throttle_counters (key, window_start, failures, pending) values ($1, $2, 0, 1)
                 on conflict (key) do update set
                   failures = case when throttle_counters.window_start <= $3 then 0 else throttle_counters.failures end,
                   pending = case when throttle_counters.window_start <= $3 then 1 else throttle_counters.pending + 1 end,
                   window_start = case when throttle_counters.window_start <= $3 then $2 else throttle_counters.window_start end
                 where throttle_counters.window_start <= $3
                    or throttle_counters.failures + throttle_counters.pending < $4
                 returning pending",
            )
            .bind(key)
            .bind(now)
            .bind(now - window)
            .bind(max)
            .fetch_optional(pool)
            .await
        })?;
        Ok(counted.is_some())
    }

    /// The attempt in flight was a wrong guess: it becomes a failure.
    pub async fn fail_attempt(&self, key: &str) -> StoreResult<()> {
        self.settle(
            key,
            concat!(
                "update throttle_counters set failures = failures + 1, ",
                one_less_pending!(),
                " where key = $1"
            ),
        )
        .await
    }

    /// The attempt in flight does not count (it was right, or another limit refused it).
    pub async fn release_attempt(&self, key: &str) -> StoreResult<()> {
        self.settle(
            key,
            concat!(
                "update throttle_counters set ",
                one_less_pending!(),
                " where key = $1"
            ),
        )
        .await
    }

    /// The attempt in flight was right and the failures start over (a correct password).
    pub async fn clear_failures(&self, key: &str) -> StoreResult<()> {
        self.settle(
            key,
            concat!(
                "update throttle_counters set failures = 0, ",
                one_less_pending!(),
                " where key = $1"
            ),
        )
        .await
    }

    async fn settle(&self, key: &str, sql: &'static str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(sql).bind(key).execute(pool).await.map(|_| ())
        })
    }

    /// Forgets a counter altogether (an administrator reset the second factor).
    pub async fn reset_counter(&self, key: &str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from throttle_counters where key = $1")
                .bind(key)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }
}
