//! The password step: refusals that look alike, the throttle reserved before argon2, and
//! what a right password leaves behind (a session, or a pending second step).
use zeroize::Zeroizing;

use super::*;
use crate::auth::throttle::{Limit, ThrottleKind};
use crate::service::sign_in::password::sign_in_with_password;
use crate::service::sign_in::{Refusal, SignIn, pending};

async fn attempt(state: &AppState, email: &str, password: &str, now: i64) -> Result<SignIn> {
    sign_in_with_password(
        state,
        email,
        Zeroizing::new(password.into()),
        ip(),
        None,
        now,
    )
    .await
}

fn account_limit(state: &AppState) -> Limit {
    let config = state.config();
    Limit::new(
        ThrottleKind::LoginAccount,
        USER_EMAIL,
        config.login_max_failures_per_account,
        config.throttle_window,
    )
}

#[tokio::test]
async fn a_wrong_password_is_refused() {
    let state = state().await;
    ada(&state).await;
    let outcome = attempt(&state, USER_EMAIL, "wrong password", START).await;
    assert!(
        matches!(outcome, Ok(SignIn::Refused(Refusal::WrongEmailOrPassword))),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn an_unknown_email_is_refused_after_the_same_argon2_work() {
    let state = state().await;
    let before = state.passwords().verifications();
    let outcome = attempt(&state, "nobody@example.com", USER_PASSWORD, START).await;
    assert!(
        matches!(outcome, Ok(SignIn::Refused(Refusal::WrongEmailOrPassword))),
        "{outcome:?}"
    );
    assert_eq!(state.passwords().verifications(), before + 1);
}

#[tokio::test]
async fn a_disabled_user_is_refused_even_with_the_right_password() {
    let state = state().await;
    ada(&state).await;
    state.store().disable_user(USER_EMAIL, START).await.unwrap();
    let outcome = attempt(&state, USER_EMAIL, USER_PASSWORD, START).await;
    assert!(
        matches!(outcome, Ok(SignIn::Refused(Refusal::WrongEmailOrPassword))),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn the_right_password_signs_in_with_a_password_only_session() {
    let state = state().await;
    let user = ada(&state).await;
    let Ok(SignIn::SignedIn(new)) = attempt(&state, USER_EMAIL, USER_PASSWORD, START).await else {
        panic!("not signed in");
    };
    assert_eq!(new.row.user_id, user.id);
    assert_eq!(new.row.amr, Amr::password());
    assert_eq!(new.row.auth_time, START);
    let found = sessions::current(&state, Some(&new.cookie_value), START).await;
    assert!(found.unwrap().is_some());
}

#[tokio::test]
async fn password_guesses_are_throttled_after_the_account_limit() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        ada(&state).await;
        for _ in 0..state.config().login_max_failures_per_account {
            let outcome = attempt(&state, USER_EMAIL, "wrong password", START).await;
            assert!(
                matches!(outcome, Ok(SignIn::Refused(Refusal::WrongEmailOrPassword))),
                "{backend:?}"
            );
        }
        let locked = attempt(&state, USER_EMAIL, USER_PASSWORD, START + 1).await;
        assert_eq!(retry_after(locked), state.config().throttle_window - 1);
    }
}

#[tokio::test]
async fn a_throttled_guess_is_refused_before_argon2_runs() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        ada(&state).await;
        for _ in 0..state.config().login_max_failures_per_account {
            attempt(&state, USER_EMAIL, "wrong password", START)
                .await
                .unwrap();
        }
        let before = state.passwords().verifications();
        for _ in 0..3 {
            retry_after(attempt(&state, USER_EMAIL, "another guess", START).await);
        }
        assert_eq!(state.passwords().verifications(), before, "{backend:?}");
    }
}

#[tokio::test]
async fn the_right_password_clears_the_account_counters() {
    let state = state().await;
    ada(&state).await;
    for _ in 0..state.config().login_max_failures_per_account - 1 {
        attempt(&state, USER_EMAIL, "wrong password", START)
            .await
            .unwrap();
    }
    let outcome = attempt(&state, USER_EMAIL, USER_PASSWORD, START).await;
    assert!(matches!(outcome, Ok(SignIn::SignedIn(_))), "{outcome:?}");
    let counter = state
        .store()
        .throttle_counter(&account_limit(&state).key)
        .await;
    assert_eq!(counter.unwrap().map_or(0, |c| c.failures + c.pending), 0);
    // The account may be guessed at again up to the limit, not one more.
    for _ in 0..state.config().login_max_failures_per_account {
        let outcome = attempt(&state, USER_EMAIL, "wrong password", START).await;
        assert!(
            matches!(outcome, Ok(SignIn::Refused(Refusal::WrongEmailOrPassword))),
            "{outcome:?}"
        );
    }
}

#[tokio::test]
async fn the_right_password_does_not_count_against_the_address() {
    let state = state().await;
    ada(&state).await;
    attempt(&state, USER_EMAIL, "wrong password", START)
        .await
        .unwrap();
    attempt(&state, USER_EMAIL, USER_PASSWORD, START)
        .await
        .unwrap();
    let config = state.config();
    let address = Limit::new(
        ThrottleKind::LoginAddress,
        &ip().to_string(),
        config.login_max_failures_per_ip,
        config.throttle_window,
    );
    let counter = state.store().throttle_counter(&address.key).await.unwrap();
    assert_eq!(counter.map(|c| c.failures), Some(1));
}

#[tokio::test]
async fn an_oversized_password_is_refused_without_hashing() {
    let state = state().await;
    ada(&state).await;
    let before = state.passwords().verifications();
    let outcome = attempt(&state, USER_EMAIL, &"x".repeat(1025), START).await;
    assert!(
        matches!(outcome, Ok(SignIn::Refused(Refusal::WrongEmailOrPassword))),
        "{outcome:?}"
    );
    assert_eq!(state.passwords().verifications(), before);
}

#[tokio::test]
async fn a_user_with_two_step_verification_gets_the_second_step_and_no_session() {
    let state = state().await;
    let user = ada(&state).await;
    enrol(&state, &user).await;
    let outcome = attempt(&state, USER_EMAIL, USER_PASSWORD, START).await;
    let Ok(SignIn::SecondStepNext(pending)) = outcome else {
        panic!("expected the second step: {outcome:?}");
    };
    assert!(live_sessions(&state, &user, START).await.is_empty());
    let found = pending::find(&state, Some(&pending.cookie_value), START)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user_id, user.id);
    assert_eq!(found.auth_time, START);
}

#[tokio::test]
async fn signing_in_replaces_the_browsers_old_session() {
    let state = state().await;
    let user = ada(&state).await;
    let old = session(&state, &user).await;
    let outcome = sign_in_with_password(
        &state,
        USER_EMAIL,
        Zeroizing::new(USER_PASSWORD.into()),
        ip(),
        Some(&old.cookie_value),
        START + 10,
    )
    .await;
    let Ok(SignIn::SignedIn(new)) = outcome else {
        panic!("not signed in: {outcome:?}");
    };
    assert_ne!(new.cookie_value, old.cookie_value);
    let old_found = sessions::current(&state, Some(&old.cookie_value), START + 10).await;
    assert!(old_found.unwrap().is_none());
}

#[tokio::test]
async fn changing_the_emails_case_does_not_escape_the_account_limit() {
    let state = state().await;
    ada(&state).await;
    for email in [
        "ADA@example.com",
        "Ada@Example.com",
        " ada@EXAMPLE.com",
        "aDa@example.COM",
        "ada@example.com",
    ] {
        attempt(&state, email, "wrong password", START)
            .await
            .unwrap();
    }
    retry_after(attempt(&state, "ADA@EXAMPLE.COM", USER_PASSWORD, START).await);
}

#[tokio::test]
async fn one_address_guessing_across_accounts_is_throttled() {
    let state = state_with(|c| c.login_max_failures_per_ip = 3).await;
    ada(&state).await;
    for email in ["a@example.com", "b@example.com", "c@example.com"] {
        attempt(&state, email, "password1", START).await.unwrap();
    }
    retry_after(attempt(&state, USER_EMAIL, USER_PASSWORD, START).await);
}
