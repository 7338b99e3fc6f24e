//! Throttle counters (see `auth::throttle`). Recording a failure is one upsert that starts a
//! new window when the old one has ended.
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

    pub async fn record_failure(&self, key: &str, window: i64, now: i64) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into throttle_counters (key, window_start, failures) values ($1, $2, 1)
                 on conflict (key) do update set
                   failures = case when throttle_counters.window_start <= $3 then 1 else throttle_counters.failures + 1 end,
                   window_start = case when throttle_counters.window_start <= $3 then $2 else throttle_counters.window_start end",
            )
            .bind(key)
            .bind(now)
            .bind(now - window)
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
