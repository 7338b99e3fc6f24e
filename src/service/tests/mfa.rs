//! Managing two-step verification: the enrolment page, and enabling, new recovery codes and
//! disabling under the re-authentication rule, where both limits are reserved before either
//! secret is looked at.
use zeroize::Zeroizing;

use super::*;
use crate::auth::throttle::{Limit, ThrottleKind};
use crate::oauth::amr::Method;
use crate::service::mfa::{
    Change, ChangeRequest, MfaView, disable, enable, regenerate_recovery_codes, view,
};
use crate::service::sign_in::code::{CodeCheck, CodeOf, check_code};
use crate::service::sign_in::password::sign_in_with_password;

/// The pending secret the enrolment page shows, as bytes.
async fn pending_secret(state: &AppState, user: &UserRow, now: i64) -> Vec<u8> {
    let MfaView::Enrol(enrolment) = view(state, &viewing(user), now).await.unwrap() else {
        panic!("expected the enrolment page");
    };
    let base32 = enrolment.secret_grouped.replace(' ', "");
    base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &base32).unwrap()
}

fn change<'a>(
    s: &'a NewSession,
    user: &'a UserRow,
    password: &str,
    code: &str,
) -> ChangeRequest<'a> {
    ChangeRequest {
        signed_in: lent(&s.row, user),
        password: Zeroizing::new(password.into()),
        code: Zeroizing::new(code.into()),
        ip: ip(),
    }
}

async fn failures(state: &AppState, limit: Limit) -> i64 {
    let counter = state.store().throttle_counter(&limit.key).await.unwrap();
    counter.map_or(0, |c| c.failures)
}

async fn code_failures(state: &AppState, user: &UserRow) -> i64 {
    let limits = crate::service::throttle::second_factor_limits(state.config(), &user.id);
    failures(state, limits[0].clone()).await
}

async fn password_failures(state: &AppState) -> i64 {
    let config = state.config();
    let account = Limit::new(
        ThrottleKind::LoginAccount,
        USER_EMAIL,
        config.login_max_failures_per_account,
        config.throttle_window,
    );
    failures(state, account).await
}

/// Past `reauth_max_age` after the session's sign-in at START.
fn too_late(state: &AppState) -> i64 {
    START + state.config().reauth_max_age + 1
}

#[tokio::test]
async fn enrolment_shows_the_same_pending_secret_on_every_visit() {
    let state = state().await;
    let user = ada(&state).await;
    let first = pending_secret(&state, &user, START).await;
    let again = pending_secret(&state, &user, START + 60).await;
    assert_eq!(first, again);
}

#[tokio::test]
async fn enrolment_is_unavailable_without_an_encryption_key() {
    let state = state_with(|c| c.master_key = None).await;
    let user = ada(&state).await;
    let page = view(&state, &viewing(&user), START).await.unwrap();
    assert!(matches!(page, MfaView::Unavailable), "{page:?}");
}

#[tokio::test]
async fn the_page_manages_an_enabled_authenticator_and_counts_recovery_codes() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let page = view(&state, &viewing(&user), START).await.unwrap();
    assert!(
        matches!(
            page,
            MfaView::Manage {
                recovery_codes_left: 10
            }
        ),
        "{page:?}"
    );
    let spent = check_code(
        &state,
        &user.id,
        &app.recovery_codes[0],
        CodeOf::Authenticator,
        START,
    );
    assert_eq!(spent.await.unwrap(), CodeCheck::Passed);
    let page = view(&state, &viewing(&user), START).await.unwrap();
    assert!(
        matches!(
            page,
            MfaView::Manage {
                recovery_codes_left: 9
            }
        ),
        "{page:?}"
    );
}

#[tokio::test]
async fn enabling_after_a_recent_sign_in_needs_no_password() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let secret = pending_secret(&state, &user, START).await;
    let now = START + 100;
    let request = change(&s, &user, "", &totp_code(&secret, now));
    let outcome = enable(&state, request, Some(&s.cookie_value), now)
        .await
        .unwrap();
    let Change::Done(Some(enabled)) = outcome else {
        panic!("not enabled: {outcome:?}");
    };
    assert_eq!(enabled.recovery_codes.len(), 10);
    assert!(state.store().totp_enabled(&user.id).await.unwrap());
}

#[tokio::test]
async fn enabling_makes_a_two_factor_session_that_keeps_the_auth_time() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let secret = pending_secret(&state, &user, START).await;
    let now = START + 100;
    let request = change(&s, &user, "", &totp_code(&secret, now));
    let outcome = enable(&state, request, Some(&s.cookie_value), now)
        .await
        .unwrap();
    let Change::Done(Some(enabled)) = outcome else {
        panic!("not enabled: {outcome:?}");
    };
    let new = enabled.session.row;
    assert_eq!(new.amr, Amr::password().with(Method::OneTimeCode));
    assert_eq!(new.auth_time, START);
    let old = sessions::current(&state, Some(&s.cookie_value), now).await;
    assert!(
        old.unwrap().is_none(),
        "the password-only session was replaced"
    );
}

#[tokio::test]
async fn an_old_sign_in_must_type_the_password_to_change_second_factors() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let secret = pending_secret(&state, &user, START).await;
    let now = too_late(&state);
    let code = totp_code(&secret, now);
    let outcome = enable(&state, change(&s, &user, "", &code), None, now).await;
    assert!(
        matches!(outcome, Ok(Change::PasswordRequired)),
        "{outcome:?}"
    );
    assert!(!state.store().totp_enabled(&user.id).await.unwrap());

    let grace = add_user(&state, "grace@example.com").await;
    let app = enrol(&state, &grace).await;
    let theirs = session(&state, &grace).await;
    let code = app.code_at(now);
    let outcome = regenerate_recovery_codes(&state, change(&theirs, &grace, "", &code), now).await;
    assert!(
        matches!(outcome, Ok(Change::PasswordRequired)),
        "{outcome:?}"
    );
    let outcome = disable(&state, change(&theirs, &grace, "", &code), now).await;
    assert!(
        matches!(outcome, Ok(Change::PasswordRequired)),
        "{outcome:?}"
    );
    assert!(state.store().totp_enabled(&grace.id).await.unwrap());
}

#[tokio::test]
async fn a_typed_password_on_an_old_sign_in_enables_and_restarts_the_auth_time() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let secret = pending_secret(&state, &user, START).await;
    let now = too_late(&state);
    let request = change(&s, &user, USER_PASSWORD, &totp_code(&secret, now));
    let outcome = enable(&state, request, Some(&s.cookie_value), now)
        .await
        .unwrap();
    let Change::Done(Some(enabled)) = outcome else {
        panic!("not enabled: {outcome:?}");
    };
    assert_eq!(enabled.session.row.auth_time, now);
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_evaluating_the_code() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let secret = pending_secret(&state, &user, START).await;
    let now = too_late(&state);
    let code = totp_code(&secret, now);
    let outcome = enable(
        &state,
        change(&s, &user, "wrong password", &code),
        None,
        now,
    )
    .await;
    assert!(matches!(outcome, Ok(Change::Refused)), "{outcome:?}");
    assert_eq!(
        code_failures(&state, &user).await,
        0,
        "the code's attempt was given back"
    );
    let credential = state.store().find_totp_credential(&user.id).await.unwrap();
    assert_eq!(
        credential.unwrap().last_used_step,
        None,
        "the code was not checked"
    );
    // The same code still works with the right password: it was never spent.
    let outcome = enable(&state, change(&s, &user, USER_PASSWORD, &code), None, now).await;
    assert!(matches!(outcome, Ok(Change::Done(Some(_)))), "{outcome:?}");
}

#[tokio::test]
async fn a_wrong_code_is_refused_and_counted() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let secret = pending_secret(&state, &user, START).await;
    let request = change(&s, &user, "", &wrong_code(&secret, START));
    let outcome = enable(&state, request, None, START).await;
    assert!(matches!(outcome, Ok(Change::Refused)), "{outcome:?}");
    assert_eq!(code_failures(&state, &user).await, 1);
    assert!(!state.store().totp_enabled(&user.id).await.unwrap());
}

#[tokio::test]
async fn a_full_password_limit_throttles_the_change_whatever_the_password() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let secret = pending_secret(&state, &user, START).await;
    for _ in 0..state.config().login_max_failures_per_account {
        let guess = Zeroizing::new("wrong password".to_string());
        sign_in_with_password(&state, USER_EMAIL, guess, ip(), None, START)
            .await
            .unwrap();
    }
    let now = too_late(&state);
    let code = totp_code(&secret, now);
    for password in [USER_PASSWORD, "wrong password"] {
        retry_after(enable(&state, change(&s, &user, password, &code), None, now).await);
    }
    assert_eq!(code_failures(&state, &user).await, 0);
    assert!(!state.store().totp_enabled(&user.id).await.unwrap());
}

#[tokio::test]
async fn a_full_code_limit_throttles_the_change_whatever_the_password() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let secret = pending_secret(&state, &user, START).await;
    for _ in 0..state.config().mfa_max_attempts {
        let request = change(&s, &user, "", &wrong_code(&secret, START));
        enable(&state, request, None, START).await.unwrap();
    }
    let now = too_late(&state);
    let code = totp_code(&secret, now);
    for password in [USER_PASSWORD, "wrong password"] {
        retry_after(enable(&state, change(&s, &user, password, &code), None, now).await);
    }
    assert_eq!(
        password_failures(&state).await,
        0,
        "the password's attempt was given back"
    );
    assert!(!state.store().totp_enabled(&user.id).await.unwrap());
}

#[tokio::test]
async fn new_recovery_codes_retire_the_old_set() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let s = session(&state, &user).await;
    let request = change(&s, &user, "", &app.code_at(START));
    let outcome = regenerate_recovery_codes(&state, request, START)
        .await
        .unwrap();
    let Change::Done(codes) = outcome else {
        panic!("not regenerated: {outcome:?}");
    };
    assert_eq!(codes.len(), 10);
    let old = check_code(
        &state,
        &user.id,
        &app.recovery_codes[0],
        CodeOf::Authenticator,
        START,
    );
    assert_eq!(old.await.unwrap(), CodeCheck::Wrong);
    let new = check_code(
        &state,
        &user.id,
        codes[0].as_str(),
        CodeOf::Authenticator,
        START,
    );
    assert_eq!(new.await.unwrap(), CodeCheck::Passed);
}

#[tokio::test]
async fn disabling_removes_the_authenticator_and_recovery_codes() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let s = session(&state, &user).await;
    let outcome = disable(&state, change(&s, &user, "", &app.code_at(START)), START).await;
    assert!(matches!(outcome, Ok(Change::Done(()))), "{outcome:?}");
    assert!(!state.store().totp_enabled(&user.id).await.unwrap());
    let store = state.store();
    assert_eq!(
        store.count_unused_recovery_codes(&user.id).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn disabling_needs_a_code_from_the_authenticator() {
    let state = state().await;
    let user = ada(&state).await;
    let app = enrol(&state, &user).await;
    let s = session(&state, &user).await;
    let request = change(&s, &user, USER_PASSWORD, &wrong_code(&app.secret, START));
    let outcome = disable(&state, request, START).await;
    assert!(matches!(outcome, Ok(Change::Refused)), "{outcome:?}");
    assert!(state.store().totp_enabled(&user.id).await.unwrap());
}
