//! Consent: what allowing remembers and issues, that it cannot skip the second factor, and
//! which sessions may answer the consent page at all.
use serde_json::json;

use super::*;
use crate::oauth::scope::Scopes;
use crate::oauth::tokens::TokenType;
use crate::service::authorize::Step;
use crate::service::consent::{allow, deny, signed_in_for};

async fn allow_for(
    state: &AppState,
    client_id: &str,
    extra: &[(&str, &str)],
    session: &SessionRow,
) -> Step {
    let request = request(state, client_id, extra);
    let user = state
        .store()
        .find_user(&session.user_id)
        .await
        .unwrap()
        .unwrap();
    let current = as_signed_in(session, &user);
    allow(state, &request, client(state, client_id), &current, START)
        .await
        .unwrap()
}

async fn consent_of(state: &AppState, user: &UserRow, client_id: &str) -> Option<Scopes> {
    state
        .store()
        .find_consent(&user.id, client_id)
        .await
        .unwrap()
        .map(|approval| approval.scope)
}

async fn signed_in(state: &AppState, extra: &[(&str, &str)], cookie: &str, now: i64) -> bool {
    let request = request(state, APP, extra);
    signed_in_for(state, &request, Some(cookie), now)
        .await
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn allowing_remembers_the_union_of_approved_scopes() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    allow_for(&state, APP, &[("scope", "openid email")], &s.row).await;
    allow_for(&state, APP, &[("scope", "openid profile")], &s.row).await;
    let remembered = consent_of(&state, &user, APP).await.unwrap();
    assert_eq!(remembered, Scopes::parse("openid email profile").unwrap());
}

#[tokio::test]
async fn allowing_issues_a_code_for_the_session() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let Step::Redirect(location) = allow_for(&state, APP, &[], &s.row).await else {
        panic!("expected a code");
    };
    let query = query_of(&location);
    assert_eq!(query["state"], "st-123");
    let code_hash = crate::auth::secret::hash(&query["code"]);
    let stored = state.store().find_code(&code_hash, START).await.unwrap();
    assert_eq!(stored.unwrap().session_id_hash, s.row.id_hash);
}

#[tokio::test]
async fn allowing_checks_the_second_factor_again() {
    let state = state().await;
    let user = ada(&state).await;
    enrol(&state, &user).await;
    let s = session(&state, &user).await;
    let step = allow_for(&state, APP, &[], &s.row).await;
    assert!(matches!(step, Step::SecondFactor(_)), "{step:?}");
    assert_eq!(consent_of(&state, &user, APP).await, None);
}

#[tokio::test]
async fn allowing_for_a_client_that_refuses_unenrolled_users_issues_no_code() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let Step::Redirect(location) = allow_for(&state, STRICT, &[], &s.row).await else {
        panic!("expected an error redirect");
    };
    let query = query_of(&location);
    assert_eq!(query["error"], "access_denied");
    assert!(!query.contains_key("code"));
    assert_eq!(consent_of(&state, &user, STRICT).await, None);
}

#[tokio::test]
async fn denying_redirects_access_denied_with_state_and_iss() {
    let state = state().await;
    let request = request(&state, APP, &[]);
    let Step::Redirect(location) = deny(&state, &request, START).await.unwrap() else {
        panic!("expected a redirect");
    };
    assert!(location.starts_with(APP_REDIRECT));
    let query = query_of(&location);
    assert_eq!(query["error"], "access_denied");
    assert_eq!(query["state"], "st-123");
    assert_eq!(query["iss"], ISSUER);
}

#[tokio::test]
async fn the_consent_page_is_answered_by_a_recent_session() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    assert!(signed_in(&state, &[], &s.cookie_value, START).await);
}

#[tokio::test]
async fn the_consent_page_refuses_every_existing_session_under_prompt_login() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    assert!(!signed_in(&state, &[("prompt", "login")], &s.cookie_value, START).await);
}

#[tokio::test]
async fn the_consent_page_refuses_a_session_older_than_max_age() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let extra = [("max_age", "300")];
    assert!(signed_in(&state, &extra, &s.cookie_value, START + 300).await);
    assert!(!signed_in(&state, &extra, &s.cookie_value, START + 301).await);
}

#[tokio::test]
async fn the_consent_page_refuses_a_session_of_another_user_than_the_hint() {
    let state = state().await;
    let user = ada(&state).await;
    let other = add_user(&state, "grace@example.com").await;
    let s = session(&state, &user).await;
    let claims = json!({ "iss": ISSUER, "sub": other.id, "aud": APP, "exp": START + 60 });
    let hint = state
        .keys()
        .sign(crate::keys::SigningAlg::Rs256, TokenType::Id, &claims, 1)
        .unwrap();
    assert!(!signed_in(&state, &[("id_token_hint", &hint)], &s.cookie_value, START).await);
}

#[tokio::test]
async fn the_consent_page_refuses_a_disabled_users_session() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    state.store().disable_user(USER_EMAIL, START).await.unwrap();
    assert!(!signed_in(&state, &[], &s.cookie_value, START).await);
}

/// /authorize answers such a request with invalid_request; the consent page, reachable
/// directly, must not answer it with a code instead.
#[tokio::test]
async fn the_consent_page_refuses_a_request_whose_hint_we_did_not_sign() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let claims = json!({ "iss": "https://elsewhere.example", "sub": user.id, "aud": APP });
    let foreign = state
        .keys()
        .sign(crate::keys::SigningAlg::Rs256, TokenType::Id, &claims, 1)
        .unwrap();
    for hint in [foreign.as_str(), "not-a-jwt"] {
        assert!(!signed_in(&state, &[("id_token_hint", hint)], &s.cookie_value, START).await);
    }
}
