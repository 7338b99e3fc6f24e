//! The second step of a sign-in: TOTP and recovery codes under the throttle and the replay
//! guard, and the pending sign-in that becomes a two-factor session once.
use zeroize::Zeroizing;

use super::*;
use crate::oauth::amr::Method;
use crate::service::sign_in::SignIn;
use crate::service::sign_in::code::{CodeCheck, CodeOf, check_code};
use crate::service::sign_in::password::sign_in_with_password;
use crate::service::sign_in::pending::PENDING_TTL;
use crate::service::sign_in::second_step::{SecondStep, complete_with_code};

async fn check(state: &AppState, user: &UserRow, code: &str, now: i64) -> Result<CodeCheck> {
    check_code(state, &user.id, code, CodeOf::Authenticator, now).await
}

/// The password step for an enrolled user: the pending sign-in's cookie value.
async fn password_step(state: &AppState, now: i64) -> String {
    let outcome = sign_in_with_password(
        state,
        USER_EMAIL,
        Zeroizing::new(USER_PASSWORD.into()),
        ip(),
        None,
        now,
    )
    .await;
    match outcome {
        Ok(SignIn::SecondStepNext(pending)) => pending.cookie_value,
        other => panic!("expected the second step: {other:?}"),
    }
}

async fn second_factor_failures(state: &AppState, user: &UserRow) -> i64 {
    let limit = &crate::service::throttle::second_factor_limits(state.config(), &user.id)[0];
    let counter = state.store().throttle_counter(&limit.key).await.unwrap();
    counter.map_or(0, |c| c.failures)
}

#[tokio::test]
async fn a_current_totp_code_passes() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let outcome = check(&state, &user, &app.code_at(START), START).await;
    assert_eq!(outcome.unwrap(), CodeCheck::Passed);
}

#[tokio::test]
async fn a_wrong_totp_code_is_refused() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let outcome = check(&state, &user, &wrong_code(&app.secret, START), START).await;
    assert_eq!(outcome.unwrap(), CodeCheck::Wrong);
}

#[tokio::test]
async fn a_replayed_totp_code_is_refused() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let code = app.code_at(START);
    assert_eq!(
        check(&state, &user, &code, START).await.unwrap(),
        CodeCheck::Passed
    );
    assert_eq!(
        check(&state, &user, &code, START + 5).await.unwrap(),
        CodeCheck::Wrong
    );
}

#[tokio::test]
async fn second_factor_codes_are_throttled_after_mfa_max_attempts() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let user = ada(&state).await;
        let app = enrol(&state, &user).await;
        for _ in 0..state.config().mfa_max_attempts {
            let outcome = check(&state, &user, &wrong_code(&app.secret, START), START).await;
            assert_eq!(outcome.unwrap(), CodeCheck::Wrong, "{backend:?}");
        }
        // The right code too: nothing is looked at once the limit is reached.
        retry_after(check(&state, &user, &app.code_at(START), START).await);
        let credential = state.store().find_totp_credential(&user.id).await;
        assert_eq!(credential.unwrap().unwrap().last_used_step, None);
    }
}

#[tokio::test]
async fn a_passing_code_gives_its_reservation_back() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    check(&state, &user, &wrong_code(&app.secret, START), START)
        .await
        .unwrap();
    check(&state, &user, &app.code_at(START), START)
        .await
        .unwrap();
    assert_eq!(second_factor_failures(&state, &user).await, 1);
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let code = &app.recovery_codes[0];
    assert_eq!(
        check(&state, &user, code, START).await.unwrap(),
        CodeCheck::Passed
    );
    assert_eq!(
        check(&state, &user, code, START + 60).await.unwrap(),
        CodeCheck::Wrong
    );
}

#[tokio::test]
async fn a_recovery_code_is_accepted_as_typed_in_lower_case_without_dashes() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let typed = app.recovery_codes[1].replace('-', "").to_lowercase();
    assert_eq!(
        check(&state, &user, &typed, START).await.unwrap(),
        CodeCheck::Passed
    );
}

#[tokio::test]
async fn a_code_of_the_pending_enrolment_does_not_pass_as_the_authenticator() {
    let state = state().await;
    let user = ada(&state).await;
    let secret = crate::auth::totp::TotpSecret::generate();
    let sealed = mfa_key().seal(secret.as_bytes(), &user.id).unwrap();
    let store = state.store();
    store
        .insert_pending_totp(&user.id, &sealed, START)
        .await
        .unwrap();
    let code = totp_code(secret.as_bytes(), START);
    assert_eq!(
        check(&state, &user, &code, START).await.unwrap(),
        CodeCheck::Wrong
    );
}

#[tokio::test]
async fn codes_cannot_be_checked_without_the_encryption_key() {
    let state = state_with(|c| c.master_key = None).await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let outcome = check(&state, &user, &app.code_at(START), START).await;
    assert_eq!(outcome.unwrap(), CodeCheck::Unavailable);
    assert_eq!(second_factor_failures(&state, &user).await, 0);
}

#[tokio::test]
async fn completing_makes_a_two_factor_session_with_the_passwords_auth_time() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let pending = password_step(&state, START).await;
    let later = START + 90;
    let outcome =
        complete_with_code(&state, Some(&pending), None, &app.code_at(later), later).await;
    let Ok(SecondStep::SignedIn(new)) = outcome else {
        panic!("not signed in: {outcome:?}");
    };
    assert_eq!(new.row.user_id, user.id);
    assert_eq!(new.row.amr, Amr::password().with(Method::OneTimeCode));
    assert_eq!(new.row.auth_time, START);
    assert_eq!(new.row.created_at, later);
}

#[tokio::test]
async fn a_wrong_code_leaves_the_pending_sign_in_waiting() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let pending = password_step(&state, START).await;
    let wrong = wrong_code(&app.secret, START);
    let outcome = complete_with_code(&state, Some(&pending), None, &wrong, START).await;
    assert!(matches!(outcome, Ok(SecondStep::Wrong)), "{outcome:?}");
    let outcome =
        complete_with_code(&state, Some(&pending), None, &app.code_at(START), START).await;
    assert!(
        matches!(outcome, Ok(SecondStep::SignedIn(_))),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn an_expired_pending_sign_in_starts_over() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let pending = password_step(&state, START).await;
    let late = START + PENDING_TTL;
    let outcome = complete_with_code(&state, Some(&pending), None, &app.code_at(late), late).await;
    assert!(matches!(outcome, Ok(SecondStep::StartOver)), "{outcome:?}");
}

#[tokio::test]
async fn an_unknown_or_missing_pending_sign_in_starts_over() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let code = app.code_at(START);
    for cookie in [Some("forged-cookie-value"), None] {
        let outcome = complete_with_code(&state, cookie, None, &code, START).await;
        assert!(matches!(outcome, Ok(SecondStep::StartOver)), "{outcome:?}");
    }
    assert!(live_sessions(&state, &user, START).await.is_empty());
}

#[tokio::test]
async fn a_pending_sign_in_completes_once() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let pending = password_step(&state, START).await;
    let first = complete_with_code(&state, Some(&pending), None, &app.code_at(START), START).await;
    assert!(matches!(first, Ok(SecondStep::SignedIn(_))), "{first:?}");
    let later = START + 60;
    let again = complete_with_code(&state, Some(&pending), None, &app.code_at(later), later).await;
    assert!(matches!(again, Ok(SecondStep::StartOver)), "{again:?}");
    assert_eq!(live_sessions(&state, &user, later).await.len(), 1);
}

#[tokio::test]
async fn a_user_disabled_meanwhile_cannot_complete_the_second_step() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let pending = password_step(&state, START).await;
    state.store().disable_user(USER_EMAIL, START).await.unwrap();
    let outcome =
        complete_with_code(&state, Some(&pending), None, &app.code_at(START), START).await;
    assert!(matches!(outcome, Ok(SecondStep::StartOver)), "{outcome:?}");
    assert!(live_sessions(&state, &user, START).await.is_empty());
}

#[tokio::test]
async fn completing_replaces_the_browsers_old_session() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let old = session(&state, &user).await;
    let pending = password_step(&state, START).await;
    let outcome = complete_with_code(
        &state,
        Some(&pending),
        Some(&old.cookie_value),
        &app.code_at(START),
        START,
    )
    .await;
    assert!(
        matches!(outcome, Ok(SecondStep::SignedIn(_))),
        "{outcome:?}"
    );
    let found = sessions::current(&state, Some(&old.cookie_value), START).await;
    assert!(found.unwrap().is_none());
}
