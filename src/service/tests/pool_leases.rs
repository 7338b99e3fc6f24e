//! The store's own pool (issue 30) does not ping a connection it takes back, as sqlx's did:
//! it pings one whose work did not end cleanly before the next request gets it. A request
//! cancelled in the middle of a transaction, or of a statement, leaves nothing behind.
use std::time::Duration;

use super::*;
use crate::store::{StoreResult, on_pool};

async fn probe_table(store: &Store) {
    on_pool!(store, |connection| {
        sqlx::query("create table pool_probe (n integer not null)")
            .execute(connection)
            .await
            .map(|_| ())
    })
    .unwrap();
}

/// Inserts `n` in a transaction, then waits forever before committing: cancelled by the
/// caller's deadline, as a request is when its client goes away.
async fn insert_and_hang(store: &Store, n: i32) -> StoreResult<()> {
    on_pool!(store, |connection| {
        let mut transaction = connection.begin().await?;
        sqlx::query("insert into pool_probe (n) values ($1)")
            .bind(n)
            .execute(&mut *transaction)
            .await?;
        std::future::pending::<()>().await;
        transaction.commit().await
    })
}

async fn committed(store: &Store, n: i32) -> i64 {
    on_pool!(store, |connection| {
        let mut transaction = connection.begin().await?;
        sqlx::query("insert into pool_probe (n) values ($1)")
            .bind(n)
            .execute(&mut *transaction)
            .await?;
        let count = sqlx::query_scalar("select count(*) from pool_probe")
            .fetch_one(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(count)
    })
    .unwrap()
}

#[tokio::test]
async fn a_request_cancelled_inside_a_transaction_leaves_nothing_on_the_connection() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let store = state.store();
        probe_table(store).await;
        for round in 0..3 {
            let cancelled =
                tokio::time::timeout(Duration::from_millis(50), insert_and_hang(store, -1)).await;
            assert!(cancelled.is_err(), "{backend:?}: the deadline cancelled it");
            // The next lease gets the same connection back (SQLite has one; PostgreSQL's
            // pool hands out the most recent): its transaction was rolled back, and a new
            // one starts and commits.
            assert_eq!(
                committed(store, round).await,
                round as i64 + 1,
                "{backend:?} round {round}: only the committed rows"
            );
        }
    }
}

#[tokio::test]
async fn a_statement_cancelled_before_its_answer_does_not_answer_the_next_one() {
    let Some(_) = postgres_url() else {
        eprintln!("SKIPPED: TESSERA_TEST_POSTGRES_URL is not set (CI sets it)");
        return;
    };
    let state = state_on(Backend::Postgres, |_| {}).await;
    let store = state.store();
    let slow = async {
        on_pool!(store, |connection| {
            sqlx::query_scalar::<_, i32>("select 7 from pg_sleep(0.3)")
                .fetch_one(connection)
                .await
        })
    };
    assert!(
        tokio::time::timeout(Duration::from_millis(50), slow)
            .await
            .is_err()
    );
    // The same connection comes back with the slow answer still on its way: the ping
    // before the lease waits it out, so this statement gets its own answer.
    let answer: i32 = on_pool!(store, |connection| {
        sqlx::query_scalar("select 42").fetch_one(connection).await
    })
    .unwrap();
    assert_eq!(answer, 42);
}
