//! `grant_type=refresh_token`: rotation on every use, reuse revoking the whole family (and
//! its access tokens), the grace window for confidential clients, scope narrowing and the
//! binding to the client. Run on PostgreSQL too: rotation and revocation race there.
use super::*;
use crate::oauth::grants::RefreshGrant;
use crate::oauth::scope::Scopes;
use crate::oauth::token_response::TokenResponse;
use crate::oauth::tokens::TokenType;
use crate::service::access_token::{TokenCheck, check};
use crate::service::refresh::refresh;
use crate::service::revoke::revoke;

const DAY: i64 = 24 * 3600;

/// A user, a session and offline tokens for `client_id` issued at START.
async fn tokens_for(state: &AppState, client_id: &str) -> (UserRow, TokenResponse) {
    let user = ada(state).await;
    let s = session(state, &user).await;
    let tokens = offline_tokens(state, client_id, &s.row, START).await;
    (user, tokens)
}

async fn use_token(
    state: &AppState,
    client_id: &str,
    token: &str,
    scope: Option<&str>,
    now: i64,
) -> Result<TokenResponse> {
    let request = RefreshGrant {
        scope: scope.map(str::to_string),
        ..RefreshGrant::token(token)
    };
    refresh(state, client(state, client_id), &request, None, now).await
}

fn refresh_token(tokens: &TokenResponse) -> String {
    tokens.refresh_token.clone().unwrap()
}

async fn is_active(state: &AppState, access_token: &str, now: i64) -> bool {
    matches!(
        check(state, access_token, now).await.unwrap(),
        TokenCheck::Active(..)
    )
}

#[tokio::test]
async fn refreshing_rotates_the_refresh_token() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let (_, first) = tokens_for(&state, APP).await;
        let second = use_token(&state, APP, &refresh_token(&first), None, START + 60).await;
        let second = second.unwrap();
        assert_ne!(refresh_token(&second), refresh_token(&first));
        assert!(is_active(&state, &second.access_token, START + 60).await);
        let third = use_token(&state, APP, &refresh_token(&second), None, START + 120).await;
        assert!(third.is_ok(), "{backend:?}");
    }
}

#[tokio::test]
async fn refresh_token_reuse_revokes_the_family() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let (_, first) = tokens_for(&state, APP).await;
        let second = use_token(&state, APP, &refresh_token(&first), None, START).await;
        let second = second.unwrap();
        let grace = state.config().refresh_grace_period;
        let reuse = use_token(&state, APP, &refresh_token(&first), None, START + grace).await;
        assert_eq!(oauth_code(reuse), ErrorCode::InvalidGrant, "{backend:?}");
        let newest = use_token(&state, APP, &refresh_token(&second), None, START + grace).await;
        assert_eq!(oauth_code(newest), ErrorCode::InvalidGrant, "{backend:?}");
    }
}

#[tokio::test]
async fn refresh_token_reuse_revokes_the_access_tokens_of_the_family() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let (_, first) = tokens_for(&state, APP).await;
        let second = use_token(&state, APP, &refresh_token(&first), None, START).await;
        let second = second.unwrap();
        let later = START + state.config().refresh_grace_period;
        let _ = use_token(&state, APP, &refresh_token(&first), None, later).await;
        assert!(
            !is_active(&state, &first.access_token, later).await,
            "{backend:?}"
        );
        assert!(
            !is_active(&state, &second.access_token, later).await,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_confidential_clients_racing_refresh_within_the_grace_window_keeps_the_family() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let (_, first) = tokens_for(&state, APP).await;
        let second = use_token(&state, APP, &refresh_token(&first), None, START).await;
        let second = second.unwrap();
        let within = START + state.config().refresh_grace_period - 1;
        let raced = use_token(&state, APP, &refresh_token(&first), None, within).await;
        assert_eq!(oauth_code(raced), ErrorCode::InvalidGrant, "{backend:?}");
        let newest = use_token(&state, APP, &refresh_token(&second), None, within).await;
        assert!(newest.is_ok(), "{backend:?}");
    }
}

#[tokio::test]
async fn a_public_client_has_no_grace_window() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let (_, first) = tokens_for(&state, NATIVE).await;
        let second = use_token(&state, NATIVE, &refresh_token(&first), None, START).await;
        let second = second.unwrap();
        let reuse = use_token(&state, NATIVE, &refresh_token(&first), None, START).await;
        assert_eq!(oauth_code(reuse), ErrorCode::InvalidGrant);
        let newest = use_token(&state, NATIVE, &refresh_token(&second), None, START).await;
        assert_eq!(oauth_code(newest), ErrorCode::InvalidGrant, "{backend:?}");
    }
}

#[tokio::test]
async fn a_refresh_may_narrow_the_scope_and_the_next_gets_the_grant_back() {
    let state = state().await;
    let (_, first) = tokens_for(&state, APP).await;
    let narrowed = use_token(&state, APP, &refresh_token(&first), Some("openid"), START).await;
    let narrowed = narrowed.unwrap();
    assert_eq!(narrowed.scope, Scopes::parse("openid").unwrap());
    let again = use_token(&state, APP, &refresh_token(&narrowed), None, START + 1).await;
    assert_eq!(again.unwrap().scope, first.scope);
}

#[tokio::test]
async fn a_refresh_may_not_widen_the_scope() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let extra = [("scope", "openid offline_access"), ("prompt", "consent")];
    let code = code_for(&state, APP, &s.row, &extra, START).await;
    let tokens = exchange(&state, APP, &code, START).await.unwrap();
    let token = refresh_token(&tokens);
    let wider = use_token(&state, APP, &token, Some("openid email"), START).await;
    assert_eq!(oauth_code(wider), ErrorCode::InvalidScope);
    assert!(
        use_token(&state, APP, &refresh_token(&tokens), None, START)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_refresh_token_is_bound_to_its_client() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let (_, tokens) = tokens_for(&state, APP).await;
        let stolen = use_token(&state, OTHER, &refresh_token(&tokens), None, START).await;
        assert_eq!(oauth_code(stolen), ErrorCode::InvalidGrant);
        let own = use_token(&state, APP, &refresh_token(&tokens), None, START).await;
        assert!(own.is_ok(), "{backend:?}");
    }
}

#[tokio::test]
async fn a_refresh_token_of_a_disabled_user_is_refused() {
    let state = state().await;
    let (_, tokens) = tokens_for(&state, APP).await;
    state.store().disable_user(USER_EMAIL, START).await.unwrap();
    let outcome = use_token(&state, APP, &refresh_token(&tokens), None, START + 1).await;
    assert_eq!(oauth_code(outcome), ErrorCode::InvalidGrant);
}

#[tokio::test]
async fn a_refresh_token_unused_past_its_idle_lifetime_is_refused() {
    let state = state().await;
    let (_, tokens) = tokens_for(&state, APP).await;
    let idle = state.config().refresh_token_idle_ttl;
    let outcome = use_token(&state, APP, &refresh_token(&tokens), None, START + idle).await;
    assert_eq!(oauth_code(outcome), ErrorCode::InvalidGrant);
}

#[tokio::test]
async fn rotation_never_extends_the_family_lifetime() {
    let state = state().await;
    let (_, mut tokens) = tokens_for(&state, APP).await;
    let end = START + state.config().refresh_token_ttl;
    let mut now = START;
    while now + 10 * DAY < end {
        now += 10 * DAY;
        tokens = use_token(&state, APP, &refresh_token(&tokens), None, now)
            .await
            .unwrap();
    }
    let outcome = use_token(&state, APP, &refresh_token(&tokens), None, end).await;
    assert_eq!(oauth_code(outcome), ErrorCode::InvalidGrant);
}

#[tokio::test]
async fn a_refreshed_id_token_keeps_the_auth_time_and_drops_the_nonce() {
    let state = state().await;
    let (_, first) = tokens_for(&state, APP).await;
    let later = START + DAY;
    let refreshed = use_token(&state, APP, &refresh_token(&first), None, later).await;
    let id_token = refreshed.unwrap().id_token.unwrap();
    let claims = state.keys().verify(&id_token, TokenType::Id).unwrap();
    assert_eq!(claims["auth_time"], START);
    assert_eq!(claims["iat"], later);
    assert!(!claims.contains_key("nonce"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_racing_refreshes_rotate_the_token_once() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let (_, first) = tokens_for(&state, APP).await;
        let token = refresh_token(&first);
        let race = |state: AppState, token: String| async move {
            use_token(&state, APP, &token, None, START + 60).await
        };
        let (a, b) = tokio::join!(
            tokio::spawn(race(state.clone(), token.clone())),
            tokio::spawn(race(state.clone(), token.clone()))
        );
        let outcomes = [a.unwrap(), b.unwrap()];
        let winners: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "{backend:?}");
        // Within the grace window the loser changed nothing: the winner's token lives on.
        let next = use_token(&state, APP, &refresh_token(winners[0]), None, START + 61).await;
        assert!(next.is_ok(), "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_racing_a_revocation_leaves_nothing_alive() {
    for backend in backends() {
        for _ in 0..5 {
            let state = state_on(backend, |_| {}).await;
            let (_, first) = tokens_for(&state, APP).await;
            let token = refresh_token(&first);
            let rotating = {
                let (state, token) = (state.clone(), token.clone());
                tokio::spawn(async move { use_token(&state, APP, &token, None, START + 60).await })
            };
            let revoking = {
                let (state, token) = (state.clone(), token.clone());
                tokio::spawn(async move {
                    revoke(&state, client(&state, APP), &token, START + 60).await
                })
            };
            let (rotated, revoked) = tokio::join!(rotating, revoking);
            revoked.unwrap().unwrap();
            if let Ok(tokens) = rotated.unwrap() {
                let later = START + 61;
                assert!(
                    !is_active(&state, &tokens.access_token, later).await,
                    "{backend:?}"
                );
                let next = use_token(&state, APP, &refresh_token(&tokens), None, later).await;
                assert_eq!(oauth_code(next), ErrorCode::InvalidGrant, "{backend:?}");
            }
        }
    }
}
