//! `database_timeout` bounds a call's wait for a pooled connection too: the pool is given the
//! same bound, so a busy pool does not fail a call (and, on PostgreSQL, mark the database down
//! for every request) before the operator's timeout is up.
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;

use super::*;
use crate::store::{Db, Store};

/// Longer than the built-in 5 s, so a pool still waiting only 5 s gives up first.
const TIMEOUT: Duration = Duration::from_secs(8);
/// How long every pooled connection is held: past 5 s, well inside `TIMEOUT`.
const HELD_FOR: Duration = Duration::from_secs(6);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_pool_does_not_fail_a_call_before_database_timeout() {
    let Some(url) = postgres_url() else {
        eprintln!("SKIPPED: TESSERA_TEST_POSTGRES_URL is not set (CI sets it)");
        return;
    };
    let options = PgConnectOptions::from_str(&url).unwrap();
    let store = Store::connect_postgres(options, TIMEOUT).await.unwrap();
    let Db::Postgres(pool) = store.db() else {
        unreachable!("a PostgreSQL store");
    };
    // Every connection the pool may open, taken (a burst of slow requests).
    let mut held = Vec::new();
    while let Ok(Ok(connection)) =
        tokio::time::timeout(Duration::from_millis(500), pool.acquire()).await
    {
        held.push(connection);
    }
    assert_eq!(held.len(), 16, "the pool's size");
    tokio::spawn(async move {
        tokio::time::sleep(HELD_FOR).await;
        drop(held);
    });
    let started = std::time::Instant::now();
    let answered = store.ping().await;
    assert!(
        answered.is_ok(),
        "gave up after {:?}: {answered:?}",
        started.elapsed()
    );
    assert!(started.elapsed() >= HELD_FOR - Duration::from_millis(500));
}
