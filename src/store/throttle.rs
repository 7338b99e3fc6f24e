//! Throttle counters (see `auth::throttle`): one fixed window per key. An attempt is reserved
//! (counted and checked in one statement) before the guess is evaluated, so concurrent
//! requests, on this instance or another, cannot all slip under the limit.
use super::{Store, StoreResult, on_pool};
use crate::auth::throttle::Counter;

impl Store {
    pub async fn throttle_counter(&self, key: &str) -> StoreResult<Option<Counter>> {
        let row: Option<(i64, i64)> = on_pool!(self, |pool| {
            sqlx::query_as("select window_start, failures from throttle_counters where key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(|(window_start, failures)| Counter {
            window_start,
            failures,
        }))
    }

    /// Counts one attempt against `key` unless its window already holds `max` of them; a
    /// window older than `window` seconds starts over. True when the attempt was counted
    /// (it may go ahead); false when the limit is reached and nothing changed.
    pub async fn reserve_attempt(
        &self,
        key: &str,
        max: i64,
        window: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let counted: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "insert into throttle_counters (key, window_start, failures) values ($1, $2, 1)
                 on conflict (key) do update set
                   failures = case when throttle_counters.window_start <= $3 then 1 else throttle_counters.failures + 1 end,
                   window_start = case when throttle_counters.window_start <= $3 then $2 else throttle_counters.window_start end
                 where throttle_counters.window_start <= $3 or throttle_counters.failures < $4
                 returning failures",
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

    /// Gives back a reserved attempt (it succeeded, or another limit refused it).
    pub async fn release_attempt(&self, key: &str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update throttle_counters set failures = failures - 1 where key = $1 and failures > 0",
            )
            .bind(key)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

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
