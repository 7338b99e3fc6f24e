//! Throttle counters (see `auth::throttle`): one fixed window per key, holding the failures
//! and the attempts being evaluated (pending). An attempt is reserved — counted and checked
//! against failures + pending in one statement — before the guess is evaluated, so concurrent
//! requests, on this instance or another, cannot all slip under the limit.
use super::{Db, Store, StoreResult, on_pool};
use crate::auth::throttle::{Counter, Limit};

/// How an attempt in flight is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// A wrong guess: it becomes a failure.
    Fail,
    /// It does not count (it was right, or another limit refused it).
    Release,
    /// It was right and the failures start over (a correct password).
    Clear,
}

impl Settlement {
    fn as_str(self) -> &'static str {
        match self {
            Self::Fail => "fail",
            Self::Release => "release",
            Self::Clear => "clear",
        }
    }
}

/// `count` rows of `width` numbered placeholders for a `values` list, the first numbered
/// `first`: `($2, $3, $4), ($5, $6, $7)`. Only numbers go into the SQL, never a value.
fn placeholder_rows(count: usize, width: usize, first: usize) -> String {
    (0..count)
        .map(|row| {
            let cells: Vec<String> = (0..width)
                .map(|cell| format!("${}", first + row * width + cell))
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The limits in the order of their keys, the order every statement takes their counters in.
pub(super) fn in_key_order(limits: &[Limit]) -> Vec<&Limit> {
    let mut limits: Vec<&Limit> = limits.iter().collect();
    limits.sort_by(|a, b| a.key.cmp(&b.key));
    limits
}

/// The `values` of the `wanted (key, max, stale_before)` rows of a reservation, one row per
/// limit from `$2` on (`$1` is now): bind each limit's key, its max and the start a window
/// must be newer than (`now - window`).
pub(super) fn wanted_rows(count: usize) -> String {
    placeholder_rows(count, 3, 2)
}

/// Binds `$1` (now) and the [`wanted_rows`] of `limits` (in key order) to `query`.
macro_rules! bind_wanted {
    ($query:expr, $limits:expr, $now:expr) => {{
        let mut query = $query.bind($now);
        for limit in $limits {
            query = query
                .bind(&limit.key)
                .bind(limit.max)
                .bind($now - limit.window);
        }
        query
    }};
}
pub(super) use bind_wanted;

/// The upsert that reserves an attempt on each `wanted` row with room (see
/// [`Store::reserve_attempts`]), returning the keys it counted.
pub(super) fn reserve_wanted() -> String {
    format!(
        "insert into throttle_counters (key, window_start, failures, pending)
         select key, $1, 0, 1 from wanted where true
         on conflict (key) do update set
           failures = case when {stale} then 0 else throttle_counters.failures end,
           pending = case when {stale} then 1 else throttle_counters.pending + 1 end,
           window_start = case when {stale} then $1 else throttle_counters.window_start end
         where {stale}
            or throttle_counters.failures + throttle_counters.pending
               < (select max from wanted where wanted.key = throttle_counters.key)
         returning key",
        stale = "throttle_counters.window_start
                 <= (select stale_before from wanted where wanted.key = throttle_counters.key)",
    )
}

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

    /// Counts one attempt in flight against each limit whose counter has room (failures +
    /// pending below its `max`; a window older than its `window` seconds starts over), all in
    /// one statement: one round trip whatever the number of limits (issue 30). The room is
    /// checked on the counter row as the upsert locks it, so concurrent requests, on this
    /// instance or another, cannot all slip under a limit. Returns the keys counted.
    ///
    /// The rows are written in the order of their keys, as [`Store::settle_attempts`] locks
    /// them: two statements that each lock several counters never wait for each other in a
    /// circle (PostgreSQL would abort one as a deadlock).
    pub async fn reserve_attempts(&self, limits: &[Limit], now: i64) -> StoreResult<Vec<String>> {
        if limits.is_empty() {
            return Ok(Vec::new());
        }
        let limits = in_key_order(limits);
        let sql = format!(
            "with wanted (key, max, stale_before) as (values {}) {}",
            wanted_rows(limits.len()),
            reserve_wanted()
        );
        on_pool!(self, |pool| {
            let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()));
            bind_wanted!(query, &limits, now).fetch_all(pool).await
        })
    }

    /// Settles the attempts in flight against these keys, each as it says, in one statement.
    /// On PostgreSQL the rows are locked in the order of their keys first (see
    /// [`Store::reserve_attempts`]); SQLite has one writer at a time anyway.
    pub async fn settle_attempts(&self, attempts: &[(&str, Settlement)]) -> StoreResult<()> {
        if attempts.is_empty() {
            return Ok(());
        }
        let rows = placeholder_rows(attempts.len(), 2, 1);
        let in_key_order = match self.db() {
            Db::Postgres(_) => " order by key for update",
            Db::Sqlite(_) => "",
        };
        let sql = format!(
            "with settled (key, outcome) as (values {rows}),
             locked as (
               select key from throttle_counters
               where key in (select key from settled){in_key_order}
             )
             update throttle_counters set
               failures = case (select outcome from settled where settled.key = throttle_counters.key)
                 when 'fail' then failures + 1 when 'clear' then 0 else failures end,
               {}
             where key in (select key from locked)",
            one_less_pending!(),
        );
        on_pool!(self, |pool| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for (key, settlement) in attempts {
                query = query.bind(*key).bind(settlement.as_str());
            }
            query.execute(pool).await.map(|_| ())
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

#[cfg(test)]
mod tests {
    use super::placeholder_rows;

    #[test]
    fn placeholder_rows_number_every_cell_once_after_the_leading_parameters() {
        assert_eq!(placeholder_rows(1, 2, 1), "($1, $2)");
        assert_eq!(placeholder_rows(2, 3, 2), "($2, $3, $4), ($5, $6, $7)");
    }
}
