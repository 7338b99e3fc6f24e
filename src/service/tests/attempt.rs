//! The attempt sequence written once (`sign_in::attempt`): a verdict says how its attempt
//! counts, an evaluation that failed counts as its verdict type says, and nothing is evaluated
//! past a full limit.
use super::*;
use crate::auth::throttle::{Limit, ThrottleKind};
use crate::service::sign_in::attempt::{self, Settle, Verdict};

const WINDOW: i64 = 900;

fn limit(kind: ThrottleKind, max: i64) -> Limit {
    Limit::new(kind, "someone", max, WINDOW)
}

async fn failures(state: &AppState, limit: &Limit) -> i64 {
    let counter = state.store().throttle_counter(&limit.key).await.unwrap();
    counter.map_or(0, |c| c.failures + c.pending)
}

/// A verdict that counts as it is told to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Judged(Settle);

impl Verdict for Judged {
    fn settle(&self) -> Settle {
        self.0
    }
}

/// A verdict whose failed evaluation counts as a failure (as a passkey's does).
#[derive(Debug)]
struct Strict;

impl Verdict for Strict {
    fn settle(&self) -> Settle {
        Settle::Release
    }

    const IF_NOT_EVALUATED: Settle = Settle::Fail;
}

#[tokio::test]
async fn a_wrong_guess_counts_and_a_right_one_releases_or_clears_the_named_limits() {
    let state = state().await;
    let account = limit(ThrottleKind::LoginAccount, 5);
    let address = limit(ThrottleKind::LoginAddress, 5);
    let both = || vec![account.clone(), address.clone()];
    for _ in 0..2 {
        let wrong = async { Ok(Judged(Settle::Fail)) };
        attempt::run(state.store(), both(), START, wrong)
            .await
            .unwrap();
    }
    let right = async { Ok(Judged(Settle::Release)) };
    attempt::run(state.store(), both(), START, right)
        .await
        .unwrap();
    assert_eq!(failures(&state, &account).await, 2);
    const ACCOUNT: &[ThrottleKind] = &[ThrottleKind::LoginAccount];
    let clears = async { Ok(Judged(Settle::Clear(ACCOUNT))) };
    attempt::run(state.store(), both(), START, clears)
        .await
        .unwrap();
    assert_eq!(failures(&state, &account).await, 0);
    assert_eq!(failures(&state, &address).await, 2);
}

#[tokio::test]
async fn an_evaluation_that_failed_counts_as_its_verdict_says() {
    let state = state().await;
    let account = limit(ThrottleKind::LoginAccount, 5);
    let broken = async { Err::<Judged, _>(Error::Overloaded) };
    let outcome = attempt::run(state.store(), vec![account.clone()], START, broken).await;
    assert!(matches!(outcome, Err(Error::Overloaded)), "{outcome:?}");
    assert_eq!(failures(&state, &account).await, 0, "not a guess: released");
    let broken = async { Err::<Strict, _>(Error::Overloaded) };
    let outcome = attempt::run(state.store(), vec![account.clone()], START, broken).await;
    assert!(matches!(outcome, Err(Error::Overloaded)));
    assert_eq!(failures(&state, &account).await, 1, "strict: counted");
}

#[tokio::test]
async fn nothing_is_evaluated_past_a_full_limit() {
    let state = state().await;
    let account = limit(ThrottleKind::LoginAccount, 1);
    let wrong = async { Ok(Judged(Settle::Fail)) };
    attempt::run(state.store(), vec![account.clone()], START, wrong)
        .await
        .unwrap();
    let evaluated = std::sync::atomic::AtomicBool::new(false);
    let guess = async {
        evaluated.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(Judged(Settle::Release))
    };
    let outcome = attempt::run(state.store(), vec![account], START, guess).await;
    assert!(
        matches!(outcome, Err(Error::Throttled { .. })),
        "{outcome:?}"
    );
    assert!(!evaluated.load(std::sync::atomic::Ordering::SeqCst));
}
