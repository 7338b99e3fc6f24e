//! The account page: it shows only the user's own sessions and consents, ends only the
//! user's own sessions (revoking what every app got through them), and withdrawing an app's
//! consent revokes that app's tokens.
use super::*;
use crate::auth::session::public_id;
use crate::oauth::consent::Approval;
use crate::oauth::scope::Scopes;
use crate::service::account::{end_session, overview, withdraw_consent};
use crate::service::signed_in::signed_in;

async fn revoked(state: &AppState, refresh_token: &str) -> bool {
    let hash = crate::auth::secret::hash(refresh_token);
    let record = state.store().find_refresh_token(&hash).await.unwrap();
    record.unwrap().revoked_at.is_some()
}

fn refresh_token_of(tokens: crate::oauth::token_response::TokenResponse) -> String {
    tokens.refresh_token.unwrap()
}

#[tokio::test]
async fn the_overview_lists_the_users_own_sessions_and_marks_the_current_one() {
    let state = state().await;
    let user = ada(&state).await;
    let current = session(&state, &user).await;
    let laptop = session_at(&state, &user, START + 10).await;
    let grace = add_user(&state, "grace@example.com").await;
    session(&state, &grace).await;
    let view = overview(&state, &as_signed_in(&current.row, &user), START + 20)
        .await
        .unwrap();
    assert_eq!(view.email, user.email);
    let mut listed: Vec<(String, bool)> = view
        .sessions
        .iter()
        .map(|s| (s.handle.clone(), s.current))
        .collect();
    listed.sort();
    let mut expected = vec![
        (public_id(&current.row.id_hash), true),
        (public_id(&laptop.row.id_hash), false),
    ];
    expected.sort();
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn the_overview_lists_consents_by_client_name() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let scope = Scopes::parse("openid email").unwrap();
    let store = state.store();
    store
        .save_consent(&user.id, APP, &Approval::of_scope(scope.clone()), START)
        .await
        .unwrap();
    let grace = add_user(&state, "grace@example.com").await;
    store
        .save_consent(&grace.id, OTHER, &Approval::of_scope(scope.clone()), START)
        .await
        .unwrap();
    let view = overview(&state, &as_signed_in(&s.row, &user), START)
        .await
        .unwrap();
    assert_eq!(view.consents.len(), 1);
    assert_eq!(view.consents[0].client_id, APP);
    assert_eq!(view.consents[0].client_name, "The App");
    assert_eq!(view.consents[0].scope, scope);
}

#[tokio::test]
async fn a_disabled_user_gets_no_overview() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    state.store().disable_user(USER_EMAIL, START).await.unwrap();
    // No signed-in user for the account pages: their sign-in is asked again.
    let found = signed_in(&state, Some(&s.cookie_value), START)
        .await
        .unwrap();
    assert!(found.is_none());
}

#[tokio::test]
async fn ending_another_users_session_is_impossible() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let grace = add_user(&state, "grace@example.com").await;
    let theirs = session(&state, &grace).await;
    let handle = public_id(&theirs.row.id_hash);
    assert!(
        !end_session(&state, &as_signed_in(&s.row, &user), &handle, START)
            .await
            .unwrap()
    );
    assert_eq!(live_sessions(&state, &grace, START).await.len(), 1);
}

#[tokio::test]
async fn ending_another_of_ones_sessions_keeps_the_current_one() {
    let state = state().await;
    let user = ada(&state).await;
    let current = session(&state, &user).await;
    let laptop = session(&state, &user).await;
    let handle = public_id(&laptop.row.id_hash);
    assert!(
        !end_session(&state, &as_signed_in(&current.row, &user), &handle, START)
            .await
            .unwrap()
    );
    let left = live_sessions(&state, &user, START).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id_hash, current.row.id_hash);
}

#[tokio::test]
async fn ending_the_current_session_says_so() {
    let state = state().await;
    let user = ada(&state).await;
    let current = session(&state, &user).await;
    let handle = public_id(&current.row.id_hash);
    assert!(
        end_session(&state, &as_signed_in(&current.row, &user), &handle, START)
            .await
            .unwrap()
    );
    assert!(live_sessions(&state, &user, START).await.is_empty());
}

#[tokio::test]
async fn ending_a_session_revokes_the_tokens_every_app_got_through_it() {
    let state = state().await;
    let user = ada(&state).await;
    let current = session(&state, &user).await;
    let laptop = session(&state, &user).await;
    let app = refresh_token_of(offline_tokens(&state, APP, &laptop.row, START).await);
    let other = refresh_token_of(offline_tokens(&state, OTHER, &laptop.row, START).await);
    let kept = refresh_token_of(offline_tokens(&state, APP, &current.row, START).await);
    let handle = public_id(&laptop.row.id_hash);
    end_session(&state, &as_signed_in(&current.row, &user), &handle, START)
        .await
        .unwrap();
    assert!(revoked(&state, &app).await && revoked(&state, &other).await);
    assert!(!revoked(&state, &kept).await);
}

#[tokio::test]
async fn withdrawing_consent_forgets_it_and_revokes_only_that_apps_tokens() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let store = state.store();
    let scope = Scopes::parse("openid email").unwrap();
    store
        .save_consent(&user.id, APP, &Approval::of_scope(scope.clone()), START)
        .await
        .unwrap();
    let app = refresh_token_of(offline_tokens(&state, APP, &s.row, START).await);
    let other = refresh_token_of(offline_tokens(&state, OTHER, &s.row, START).await);
    withdraw_consent(&state, &as_signed_in(&s.row, &user), APP, START)
        .await
        .unwrap();
    assert_eq!(store.find_consent(&user.id, APP).await.unwrap(), None);
    assert!(revoked(&state, &app).await);
    assert!(!revoked(&state, &other).await);
}

#[tokio::test]
async fn withdrawing_consent_leaves_other_users_tokens_for_the_app_alone() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let grace = add_user(&state, "grace@example.com").await;
    let theirs = session(&state, &grace).await;
    let kept = refresh_token_of(offline_tokens(&state, APP, &theirs.row, START).await);
    withdraw_consent(&state, &as_signed_in(&s.row, &user), APP, START)
        .await
        .unwrap();
    assert!(!revoked(&state, &kept).await);
}
