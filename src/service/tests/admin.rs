//! The administrator's changes to a user: disabling and a new password sign the user out
//! everywhere and end every token issued so far, so nothing comes back later.
use zeroize::Zeroizing;

use super::*;
use crate::service::access_token::{TokenCheck, check};
use crate::service::admin::UserKey;
use crate::service::admin::access::{set_disabled, set_password};
use crate::service::admin::users::{FirstCredential, NewUser, create};
use crate::service::sign_in::SignIn;
use crate::service::sign_in::password::sign_in_with_password;

const NEW_PASSWORD: &str = "a brand new passphrase";

const ADA: UserKey<'static> = UserKey::Email(USER_EMAIL);

/// A session, a code not yet exchanged, and offline tokens from it.
async fn everything(
    state: &AppState,
) -> (UserRow, String, crate::oauth::token_response::TokenResponse) {
    let user = ada(state).await;
    let s = session(state, &user).await;
    let tokens = offline_tokens(state, APP, &s.row, START).await;
    let code = code_for(state, APP, &s.row, &[], START).await;
    (user, code, tokens)
}

async fn refresh_revoked(state: &AppState, refresh_token: &str) -> bool {
    let hash = crate::auth::secret::hash(refresh_token);
    let record = state.store().find_refresh_token(&hash).await.unwrap();
    record.unwrap().revoked_at.is_some()
}

async fn access_active(state: &AppState, access_token: &str, now: i64) -> bool {
    matches!(
        check(state, access_token, now).await.unwrap(),
        TokenCheck::Active(..)
    )
}

async fn tokens_valid_after(state: &AppState) -> i64 {
    let user = state.store().find_user_by_email(USER_EMAIL).await.unwrap();
    user.unwrap().tokens_valid_after
}

async fn signs_in(state: &AppState, password: &str, now: i64) -> bool {
    let password = Zeroizing::new(password.to_string());
    let outcome = sign_in_with_password(state, USER_EMAIL, password, ip(), None, now).await;
    matches!(outcome.unwrap(), SignIn::SignedIn(_))
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions() {
    let state = state().await;
    let (user, _, _) = everything(&state).await;
    set_disabled(&state, ADA, true, START + 10).await.unwrap();
    assert!(live_sessions(&state, &user, START + 10).await.is_empty());
}

#[tokio::test]
async fn disabling_a_user_revokes_their_refresh_tokens_and_access_tokens() {
    let state = state().await;
    let (_, _, tokens) = everything(&state).await;
    set_disabled(&state, ADA, true, START + 10).await.unwrap();
    assert!(refresh_revoked(&state, tokens.refresh_token.as_ref().unwrap()).await);
    assert!(!access_active(&state, &tokens.access_token, START + 10).await);
    assert_eq!(tokens_valid_after(&state).await, START + 10);
}

#[tokio::test]
async fn re_enabling_a_user_brings_back_no_session_code_or_token() {
    let state = state().await;
    let (user, code, tokens) = everything(&state).await;
    set_disabled(&state, ADA, true, START + 10).await.unwrap();
    set_disabled(&state, ADA, false, START + 20).await.unwrap();
    assert!(live_sessions(&state, &user, START + 20).await.is_empty());
    let exchanged = exchange(&state, APP, &code, START + 20).await;
    assert_eq!(oauth_code(exchanged), ErrorCode::InvalidGrant);
    assert!(!access_active(&state, &tokens.access_token, START + 20).await);
    assert!(signs_in(&state, USER_PASSWORD, START + 20).await);
}

#[tokio::test]
async fn a_new_password_ends_every_session_and_token() {
    let state = state().await;
    let (user, _, tokens) = everything(&state).await;
    let password = Zeroizing::new(NEW_PASSWORD.to_string());
    set_password(&state, ADA, password, START + 10)
        .await
        .unwrap();
    assert!(live_sessions(&state, &user, START + 10).await.is_empty());
    assert!(refresh_revoked(&state, tokens.refresh_token.as_ref().unwrap()).await);
    assert!(!access_active(&state, &tokens.access_token, START + 10).await);
    assert_eq!(tokens_valid_after(&state).await, START + 10);
}

#[tokio::test]
async fn after_a_reset_only_the_new_password_signs_in() {
    let state = state().await;
    ada(&state).await;
    let password = Zeroizing::new(NEW_PASSWORD.to_string());
    set_password(&state, ADA, password, START).await.unwrap();
    assert!(!signs_in(&state, USER_PASSWORD, START).await);
    assert!(signs_in(&state, NEW_PASSWORD, START).await);
}

#[tokio::test]
async fn a_short_password_is_refused_and_changes_nothing() {
    let state = state().await;
    let (user, _, _) = everything(&state).await;
    let short = Zeroizing::new("short".to_string());
    assert!(set_password(&state, ADA, short, START).await.is_err());
    assert_eq!(live_sessions(&state, &user, START).await.len(), 1);
    assert!(signs_in(&state, USER_PASSWORD, START).await);
}

#[tokio::test]
async fn changes_to_an_unknown_user_are_errors() {
    let state = state().await;
    let nobody = UserKey::Email("nobody@example.com");
    let password = Zeroizing::new(NEW_PASSWORD.to_string());
    assert!(set_password(&state, nobody, password, START).await.is_err());
    assert!(set_disabled(&state, nobody, true, START).await.is_err());
}

#[tokio::test]
async fn resetting_two_step_verification_forgets_the_wrong_codes() {
    let state = state().await;
    let user = ada(&state).await;
    let limits = crate::service::throttle::second_factor_limits(state.config(), &user.id);
    for _ in 0..5 {
        let reserved = crate::service::throttle::reserve(state.store(), limits.clone(), START);
        reserved.await.unwrap().fail().await.unwrap();
    }
    let full = crate::service::throttle::reserve(state.store(), limits.clone(), START).await;
    assert!(matches!(full, Err(Error::Throttled { .. })));
    crate::service::admin::access::reset_second_factors(&state, UserKey::Id(&user.id))
        .await
        .unwrap();
    let again = crate::service::throttle::reserve(state.store(), limits, START).await;
    assert!(
        again.is_ok(),
        "a new authenticator starts with a clean slate"
    );
}

#[tokio::test]
async fn the_cli_refuses_a_common_password_and_says_which_rule() {
    let state = state().await;
    let email = "grace@example.com";
    let with = |password: &str| NewUser {
        email: email.into(),
        name: None,
        email_verified: true,
        credential: FirstCredential::Password(Zeroizing::new(password.into())),
    };
    let refused = create(&state, with("password123"), START).await;
    let refused = refused.unwrap_err().to_string();
    assert!(refused.contains("too common"), "{refused}");
    let refused = create(&state, with("grace under pressure 1815"), START).await;
    let refused = refused.unwrap_err().to_string();
    assert!(refused.contains("must not contain the email"), "{refused}");
    assert!(
        state
            .store()
            .find_user_by_email(email)
            .await
            .unwrap()
            .is_none()
    );
}
