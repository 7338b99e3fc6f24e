//! The one throttle: an attempt is reserved on every limit before the guess is evaluated;
//! `fail`, `release` and `clear` decide what it leaves behind.
use super::*;
use crate::auth::throttle::{Limit, ThrottleKind};
use crate::service::throttle::reserve;

const WINDOW: i64 = 900;

fn limit(kind: ThrottleKind, max: i64) -> Limit {
    Limit::new(kind, "someone", max, WINDOW)
}

async fn failures(state: &AppState, limit: &Limit) -> i64 {
    state
        .store()
        .throttle_counter(&limit.key)
        .await
        .unwrap()
        .map_or(0, |c| c.failures)
}

/// Fills `limit` with failures counted at `now`.
async fn fill(state: &AppState, limit: &Limit, now: i64) {
    for _ in 0..limit.max {
        reserve(state.store(), vec![limit.clone()], now)
            .await
            .unwrap()
            .fail()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn reservations_are_refused_once_the_limit_is_reached() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let account = limit(ThrottleKind::LoginAccount, 3);
        fill(&state, &account, START).await;
        let refused = reserve(state.store(), vec![account.clone()], START).await;
        assert!(retry_after(refused) > 0, "{backend:?}");
        assert_eq!(failures(&state, &account).await, 3, "{backend:?}");
    }
}

#[tokio::test]
async fn a_failed_reservation_stays_counted() {
    let state = state().await;
    let account = limit(ThrottleKind::LoginAccount, 3);
    reserve(state.store(), vec![account.clone()], START)
        .await
        .unwrap()
        .fail()
        .await
        .unwrap();
    assert_eq!(failures(&state, &account).await, 1);
}

#[tokio::test]
async fn a_released_reservation_does_not_count() {
    let state = state().await;
    let account = limit(ThrottleKind::LoginAccount, 3);
    let reserved = reserve(state.store(), vec![account.clone()], START)
        .await
        .unwrap();
    let counter = state.store().throttle_counter(&account.key).await.unwrap();
    assert_eq!(counter.map(|c| c.pending), Some(1), "held while evaluated");
    reserved.release().await.unwrap();
    assert_eq!(failures(&state, &account).await, 0);
}

#[tokio::test]
async fn clear_starts_the_named_limits_over_and_releases_the_others() {
    let state = state().await;
    let account = limit(ThrottleKind::LoginAccount, 5);
    let address = limit(ThrottleKind::LoginAddress, 5);
    for _ in 0..2 {
        reserve(state.store(), vec![account.clone(), address.clone()], START)
            .await
            .unwrap()
            .fail()
            .await
            .unwrap();
    }
    reserve(state.store(), vec![account.clone(), address.clone()], START)
        .await
        .unwrap()
        .clear(&[ThrottleKind::LoginAccount])
        .await
        .unwrap();
    assert_eq!(failures(&state, &account).await, 0);
    assert_eq!(failures(&state, &address).await, 2);
}

#[tokio::test]
async fn a_full_limit_gives_back_the_attempts_reserved_on_the_others() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let account = limit(ThrottleKind::LoginAccount, 5);
        let address = limit(ThrottleKind::LoginAddress, 1);
        fill(&state, &address, START).await;
        let refused = reserve(state.store(), vec![account.clone(), address.clone()], START).await;
        retry_after(refused);
        assert_eq!(failures(&state, &account).await, 0, "{backend:?}");
    }
}

#[tokio::test]
async fn the_window_starts_over_when_it_ends() {
    let state = state().await;
    let account = limit(ThrottleKind::LoginAccount, 2);
    fill(&state, &account, START).await;
    retry_after(reserve(state.store(), vec![account.clone()], START + WINDOW - 1).await);
    reserve(state.store(), vec![account.clone()], START + WINDOW)
        .await
        .unwrap()
        .fail()
        .await
        .unwrap();
    assert_eq!(failures(&state, &account).await, 1);
}

#[tokio::test]
async fn retry_after_counts_to_the_end_of_the_window() {
    let state = state().await;
    let account = limit(ThrottleKind::LoginAccount, 2);
    fill(&state, &account, START).await;
    let refused = reserve(state.store(), vec![account], START + 100).await;
    assert_eq!(retry_after(refused), WINDOW - 100);
}

/// Two full limits: retrying when the first frees would only meet the second.
#[tokio::test]
async fn retry_after_is_the_longest_wait_of_the_full_limits() {
    let state = state().await;
    let account = limit(ThrottleKind::LoginAccount, 2);
    let pair = limit(ThrottleKind::LoginAddressAccount, 2);
    fill(&state, &account, START).await;
    fill(&state, &pair, START + 50).await;
    let refused = reserve(state.store(), vec![account, pair], START + 100).await;
    assert_eq!(retry_after(refused), WINDOW - 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_reservations_never_exceed_the_limit() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let account = limit(ThrottleKind::SecondFactor, 5);
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (store, account) = (state.store().clone(), account.clone());
            set.spawn(async move {
                match reserve(&store, vec![account], START).await {
                    Ok(reserved) => {
                        reserved.fail().await.unwrap();
                        true
                    }
                    Err(Error::Throttled { .. }) => false,
                    Err(e) => panic!("{e}"),
                }
            });
        }
        let granted = set.join_all().await.into_iter().filter(|g| *g).count();
        assert_eq!(granted, 5, "{backend:?}");
        assert_eq!(failures(&state, &account).await, 5, "{backend:?}");
    }
}

/// A burst of right guesses (a shared account signing in from many tabs) queues on a limit
/// that is only busy, and every one of them gets through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_right_guesses_waits_its_turn_instead_of_being_refused() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let account = limit(ThrottleKind::LoginAccount, 2);
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..12 {
            let (store, account) = (state.store().clone(), account.clone());
            set.spawn(async move {
                let reserved = reserve(&store, vec![account], START).await?;
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                reserved.release().await
            });
        }
        for granted in set.join_all().await {
            granted.unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        }
        assert_eq!(failures(&state, &account).await, 0, "{backend:?}");
    }
}

/// A request abandoned mid-check (the client hung up) cannot hide its guess.
#[tokio::test]
async fn a_reservation_dropped_unsettled_counts_as_a_failure() {
    let state = state().await;
    let account = limit(ThrottleKind::LoginAccount, 3);
    drop(
        reserve(state.store(), vec![account.clone()], START)
            .await
            .unwrap(),
    );
    for _ in 0..50 {
        if failures(&state, &account).await == 1 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the abandoned attempt was never counted");
}
