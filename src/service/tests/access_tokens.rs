//! Tokens after they were issued: revocation (RFC 7009), introspection (RFC 7662), userinfo
//! and the resource server's check of an access token.
use super::*;
use crate::oauth::dpop::{PresentedProof, Scheme};
use crate::oauth::grants::RefreshGrant;
use crate::oauth::introspection::Caller;
use crate::oauth::scope::Scopes;
use crate::oauth::token_response::TokenResponse;
use crate::service::access_token::{Subject, TokenCheck, check};
use crate::service::introspect::introspect;
use crate::service::refresh::refresh;
use crate::service::revoke::revoke;
use crate::service::userinfo::{PresentedToken, Userinfo, userinfo};

async fn tokens(state: &AppState, client_id: &str) -> TokenResponse {
    let user = ada(state).await;
    let s = session(state, &user).await;
    offline_tokens(state, client_id, &s.row, START).await
}

async fn inactive_because(state: &AppState, access_token: &str, now: i64) -> &'static str {
    match check(state, access_token, now).await.unwrap() {
        TokenCheck::Inactive(why) => why,
        TokenCheck::Active(..) => panic!("the token is still active"),
    }
}

/// Userinfo for a bearer token: the claims, or the code of the refusal.
async fn bearer_userinfo(
    state: &AppState,
    token: &str,
    now: i64,
) -> std::result::Result<serde_json::Map<String, serde_json::Value>, ErrorCode> {
    let presented = PresentedToken {
        token,
        scheme: Scheme::Bearer,
        proof: &PresentedProof::Absent,
        method: "GET",
    };
    match userinfo(state, presented, now).await.unwrap() {
        Userinfo::Claims(claims) => Ok(claims),
        Userinfo::Refused(error, _) => Err(error.code),
    }
}

async fn introspected(state: &AppState, client_id: &str, token: &str, now: i64) -> bool {
    introspect(state, Caller::Client(client(state, client_id)), token, now)
        .await
        .unwrap()
        .active
}

#[tokio::test]
async fn a_fresh_access_token_is_active_for_its_user() {
    let state = state().await;
    let tokens = tokens(&state, APP).await;
    let TokenCheck::Active(claims, Subject::User(user)) =
        check(&state, &tokens.access_token, START).await.unwrap()
    else {
        panic!("inactive");
    };
    assert_eq!(claims.sub, user.id);
    assert_eq!(claims.client_id, APP);
}

#[tokio::test]
async fn a_revoked_access_token_is_inactive() {
    let state = state().await;
    let tokens = tokens(&state, APP).await;
    revoke(&state, client(&state, APP), &tokens.access_token, START)
        .await
        .unwrap();
    let why = inactive_because(&state, &tokens.access_token, START).await;
    assert_eq!(why, "the token has been revoked");
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_its_family_and_access_tokens() {
    let state = state().await;
    let first = tokens(&state, APP).await;
    let app = client(&state, APP);
    let token = first.refresh_token.clone().unwrap();
    let second = refresh(&state, app, &RefreshGrant::token(&token), None, START)
        .await
        .unwrap();
    let newest = second.refresh_token.clone().unwrap();
    revoke(&state, app, &newest, START + 1).await.unwrap();
    for access_token in [&first.access_token, &second.access_token] {
        inactive_because(&state, access_token, START + 1).await;
    }
    let outcome = refresh(&state, app, &RefreshGrant::token(&newest), None, START + 2).await;
    assert_eq!(oauth_code(outcome), ErrorCode::InvalidGrant);
}

#[tokio::test]
async fn another_clients_revocation_changes_nothing() {
    let state = state().await;
    let tokens = tokens(&state, APP).await;
    let other = client(&state, OTHER);
    for token in [&tokens.access_token, tokens.refresh_token.as_ref().unwrap()] {
        revoke(&state, other, token, START).await.unwrap();
    }
    assert!(introspected(&state, APP, &tokens.access_token, START).await);
    assert!(introspected(&state, APP, tokens.refresh_token.as_ref().unwrap(), START).await);
}

#[tokio::test]
async fn revoking_an_unknown_token_succeeds_and_changes_nothing() {
    let state = state().await;
    assert!(
        revoke(&state, client(&state, APP), "no-such-token", START)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_expired_access_token_is_inactive() {
    let state = state().await;
    let tokens = tokens(&state, APP).await;
    let expiry = START + state.config().access_token_ttl;
    assert!(matches!(
        check(&state, &tokens.access_token, expiry - 1)
            .await
            .unwrap(),
        TokenCheck::Active(..)
    ));
    let why = inactive_because(&state, &tokens.access_token, expiry).await;
    assert_eq!(why, "the token has expired");
}

#[tokio::test]
async fn an_id_token_does_not_pass_as_an_access_token() {
    let state = state().await;
    let tokens = tokens(&state, APP).await;
    let why = inactive_because(&state, &tokens.id_token.unwrap(), START).await;
    assert_eq!(why, "the token has the wrong type");
}

#[tokio::test]
async fn disabling_a_user_kills_their_access_tokens_for_good() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    // No refresh family: only tokens_valid_after can end this token.
    let code = code_for(&state, APP, &s.row, &[], START).await;
    let tokens = exchange(&state, APP, &code, START).await.unwrap();
    let ada = crate::service::admin::UserKey::Email(USER_EMAIL);
    crate::service::admin::access::set_disabled(&state, ada, true, START + 10)
        .await
        .unwrap();
    inactive_because(&state, &tokens.access_token, START + 10).await;
    crate::service::admin::access::set_disabled(&state, ada, false, START + 20)
        .await
        .unwrap();
    let why = inactive_because(&state, &tokens.access_token, START + 20).await;
    assert_eq!(why, "the user account is no longer active");
}

#[tokio::test]
async fn a_public_client_may_not_introspect() {
    let state = state().await;
    let tokens = tokens(&state, NATIVE).await;
    let outcome = introspect(
        &state,
        Caller::Client(client(&state, NATIVE)),
        &tokens.access_token,
        START,
    )
    .await;
    assert_eq!(oauth_code(outcome), ErrorCode::InvalidClient);
}

#[tokio::test]
async fn introspection_reports_an_active_access_token_of_the_caller() {
    let state = state().await;
    let tokens = tokens(&state, APP).await;
    let answer = introspect(
        &state,
        Caller::Client(client(&state, APP)),
        &tokens.access_token,
        START,
    )
    .await
    .unwrap();
    assert!(answer.active);
    assert_eq!(answer.token_type, Some("Bearer"));
    assert_eq!(answer.client_id.as_deref(), Some(APP));
    assert_eq!(answer.scope, Some(tokens.scope));
    assert_eq!(answer.exp, Some(START + state.config().access_token_ttl));
}

#[tokio::test]
async fn introspection_reports_a_live_refresh_token_and_not_a_rotated_one() {
    let state = state().await;
    let first = tokens(&state, APP).await;
    let old = first.refresh_token.unwrap();
    let app = client(&state, APP);
    let answer = introspect(&state, Caller::Client(app), &old, START)
        .await
        .unwrap();
    assert!(answer.active);
    assert_eq!(answer.token_type, Some("refresh_token"));
    refresh(&state, app, &RefreshGrant::token(&old), None, START)
        .await
        .unwrap();
    assert!(!introspected(&state, APP, &old, START).await);
}

#[tokio::test]
async fn introspection_of_another_clients_tokens_says_only_inactive() {
    let state = state().await;
    let tokens = tokens(&state, APP).await;
    for token in [&tokens.access_token, tokens.refresh_token.as_ref().unwrap()] {
        let answer = introspect(&state, Caller::Client(client(&state, OTHER)), token, START)
            .await
            .unwrap();
        assert!(!answer.active);
        assert_eq!(
            serde_json::to_value(&answer).unwrap(),
            serde_json::json!({ "active": false })
        );
    }
}

#[tokio::test]
async fn introspection_of_a_disabled_users_refresh_token_says_inactive() {
    let state = state().await;
    let tokens = tokens(&state, APP).await;
    state.store().disable_user(USER_EMAIL, START).await.unwrap();
    let token = tokens.refresh_token.unwrap();
    assert!(!introspected(&state, APP, &token, START).await);
}

#[tokio::test]
async fn userinfo_releases_the_claims_of_the_scope() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let code = code_for(&state, APP, &s.row, &[("scope", "openid email")], START).await;
    let tokens = exchange(&state, APP, &code, START).await.unwrap();
    let claims = bearer_userinfo(&state, &tokens.access_token, START)
        .await
        .unwrap();
    assert_eq!(claims["sub"], user.id.as_str());
    assert_eq!(claims["email"], USER_EMAIL);
    assert!(!claims.contains_key("name"), "profile was not granted");
}

#[tokio::test]
async fn userinfo_refuses_a_revoked_token_with_invalid_token() {
    let state = state().await;
    let tokens = tokens(&state, APP).await;
    revoke(&state, client(&state, APP), &tokens.access_token, START)
        .await
        .unwrap();
    let outcome = bearer_userinfo(&state, &tokens.access_token, START).await;
    assert_eq!(outcome.unwrap_err(), ErrorCode::InvalidToken);
}

#[tokio::test]
async fn userinfo_refuses_a_token_without_openid_with_insufficient_scope() {
    let state = state().await;
    let first = tokens(&state, APP).await;
    let token = first.refresh_token.unwrap();
    let narrowed = refresh(
        &state,
        client(&state, APP),
        &RefreshGrant {
            scope: Some("email".into()),
            ..RefreshGrant::token(&token)
        },
        None,
        START,
    )
    .await
    .unwrap();
    assert_eq!(narrowed.scope, Scopes::parse("email").unwrap());
    let outcome = bearer_userinfo(&state, &narrowed.access_token, START).await;
    assert_eq!(outcome.unwrap_err(), ErrorCode::InsufficientScope);
}
