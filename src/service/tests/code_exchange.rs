//! `grant_type=authorization_code`: what a code buys, that a replay revokes it, and that a
//! wrong presenter cannot burn the legitimate client's code.
use super::*;
use crate::oauth::grants::{CodeGrant, RefreshGrant};
use crate::oauth::tokens::TokenType;
use crate::service::access_token::{TokenCheck, check};
use crate::service::code_exchange::exchange_code;
use crate::service::refresh::refresh;
use crate::service::sessions::RevokeOnEnd;

async fn signed_in_code(state: &AppState, extra: &[(&str, &str)]) -> (UserRow, NewSession, String) {
    let user = ada(state).await;
    let s = session(state, &user).await;
    let code = code_for(state, APP, &s.row, extra, START).await;
    (user, s, code)
}

/// `exchange_code` for APP with the given redirect_uri and verifier.
async fn present(
    state: &AppState,
    code: &str,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Result<crate::oauth::token_response::TokenResponse> {
    let exchange = CodeGrant {
        code: code.into(),
        redirect_uri: redirect_uri.map(str::to_string),
        code_verifier: verifier.map(str::to_string),
        resource: None,
    };
    exchange_code(state, client(state, APP), &exchange, None, START).await
}

async fn is_active(state: &AppState, access_token: &str, now: i64) -> bool {
    matches!(
        check(state, access_token, now).await.unwrap(),
        TokenCheck::Active(..)
    )
}

#[tokio::test]
async fn a_code_buys_an_id_token_and_an_access_token() {
    let state = state().await;
    let (user, s, code) = signed_in_code(&state, &[]).await;
    let tokens = exchange(&state, APP, &code, START).await.unwrap();
    assert!(tokens.refresh_token.is_none());
    assert!(is_active(&state, &tokens.access_token, START).await);
    let id_token = tokens.id_token.unwrap();
    let claims = state.keys().verify(&id_token, TokenType::Id).unwrap();
    assert_eq!(claims["sub"], user.id.as_str());
    assert_eq!(claims["aud"], APP);
    assert_eq!(claims["nonce"], "n-456");
    assert_eq!(claims["auth_time"], s.row.auth_time);
    let sid = crate::auth::session::public_id(&s.row.id_hash);
    assert_eq!(claims["sid"], sid.as_str());
}

#[tokio::test]
async fn offline_access_brings_a_refresh_token() {
    let state = state().await;
    let extra = [
        ("scope", "openid email offline_access"),
        ("prompt", "consent"),
    ];
    let (_, _, code) = signed_in_code(&state, &extra).await;
    let tokens = exchange(&state, APP, &code, START).await.unwrap();
    assert!(tokens.refresh_token.is_some());
    assert!(tokens.scope.contains("offline_access"));
}

#[tokio::test]
async fn a_replayed_code_is_refused() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let (_, _, code) = signed_in_code(&state, &[]).await;
        exchange(&state, APP, &code, START).await.unwrap();
        let replay = exchange(&state, APP, &code, START + 1).await;
        assert_eq!(oauth_code(replay), ErrorCode::InvalidGrant, "{backend:?}");
    }
}

#[tokio::test]
async fn a_replayed_code_revokes_the_access_token_its_first_use_got() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let (_, _, code) = signed_in_code(&state, &[]).await;
        let first = exchange(&state, APP, &code, START).await.unwrap();
        let _ = exchange(&state, APP, &code, START + 1).await;
        assert!(
            !is_active(&state, &first.access_token, START + 1).await,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_replayed_code_revokes_the_refresh_family_its_first_use_got() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let user = ada(&state).await;
        let s = session(&state, &user).await;
        let extra = [("scope", "openid offline_access"), ("prompt", "consent")];
        let code = code_for(&state, APP, &s.row, &extra, START).await;
        let first = exchange(&state, APP, &code, START).await.unwrap();
        let _ = exchange(&state, APP, &code, START + 1).await;
        let refresh_token = first.refresh_token.unwrap();
        let refreshed = refresh(
            &state,
            client(&state, APP),
            &RefreshGrant::token(&refresh_token),
            None,
            START + 2,
        )
        .await;
        assert_eq!(
            oauth_code(refreshed),
            ErrorCode::InvalidGrant,
            "{backend:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_raced_by_two_exchanges_buys_tokens_once_and_they_are_revoked() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let (_, _, code) = signed_in_code(&state, &[]).await;
        let race = |state: AppState, code: String| async move {
            exchange(&state, APP, &code, START).await
        };
        let (a, b) = tokio::join!(
            tokio::spawn(race(state.clone(), code.clone())),
            tokio::spawn(race(state.clone(), code.clone()))
        );
        let outcomes = [a.unwrap(), b.unwrap()];
        let winners: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "{backend:?}");
        assert!(
            !is_active(&state, &winners[0].access_token, START).await,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_code_presented_by_another_client_is_refused_and_stays_usable() {
    let state = state().await;
    let (_, _, code) = signed_in_code(&state, &[]).await;
    let other = client(&state, OTHER);
    let exchange_request = CodeGrant {
        code: code.clone(),
        redirect_uri: Some(APP_REDIRECT.into()),
        code_verifier: Some(VERIFIER.into()),
        resource: None,
    };
    let stolen = exchange_code(&state, other, &exchange_request, None, START);
    assert_eq!(oauth_code(stolen.await), ErrorCode::InvalidGrant);
    assert!(exchange(&state, APP, &code, START).await.is_ok());
}

#[tokio::test]
async fn a_wrong_redirect_uri_is_refused_and_the_code_stays_usable() {
    let state = state().await;
    let (_, _, code) = signed_in_code(&state, &[]).await;
    for wrong in [Some("https://app.example.com/other"), None] {
        let outcome = present(&state, &code, wrong, Some(VERIFIER)).await;
        assert_eq!(oauth_code(outcome), ErrorCode::InvalidGrant);
    }
    assert!(exchange(&state, APP, &code, START).await.is_ok());
}

#[tokio::test]
async fn a_wrong_or_missing_pkce_verifier_is_refused_and_the_code_stays_usable() {
    let state = state().await;
    let (_, _, code) = signed_in_code(&state, &[]).await;
    let wrong = "x".repeat(43);
    for verifier in [Some(wrong.as_str()), None] {
        let outcome = present(&state, &code, Some(APP_REDIRECT), verifier).await;
        assert_eq!(oauth_code(outcome), ErrorCode::InvalidGrant);
    }
    assert!(exchange(&state, APP, &code, START).await.is_ok());
}

#[tokio::test]
async fn an_unknown_code_is_refused() {
    let state = state().await;
    let outcome = exchange(&state, APP, "no-such-code", START).await;
    assert_eq!(oauth_code(outcome), ErrorCode::InvalidGrant);
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let state = state().await;
    let (_, _, code) = signed_in_code(&state, &[]).await;
    let late = START + state.config().authorization_code_ttl;
    assert_eq!(
        oauth_code(exchange(&state, APP, &code, late).await),
        ErrorCode::InvalidGrant
    );
}

#[tokio::test]
async fn a_code_from_an_ended_session_is_refused() {
    let state = state().await;
    let (_, s, code) = signed_in_code(&state, &[]).await;
    sessions::end(&state, &s.row.id_hash, RevokeOnEnd::Nothing, START)
        .await
        .unwrap();
    assert_eq!(
        oauth_code(exchange(&state, APP, &code, START).await),
        ErrorCode::InvalidGrant
    );
}

#[tokio::test]
async fn a_code_from_a_session_that_expired_is_refused() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let last_moment = s.row.idle_expires_at - 1;
    let code = code_for(&state, APP, &s.row, &[], last_moment).await;
    let outcome = exchange(&state, APP, &code, s.row.idle_expires_at).await;
    assert_eq!(oauth_code(outcome), ErrorCode::InvalidGrant);
}

#[tokio::test]
async fn a_code_of_a_disabled_user_is_refused() {
    let state = state().await;
    let (_, _, code) = signed_in_code(&state, &[]).await;
    // Only the flag: the session and the code are still there.
    state.store().disable_user(USER_EMAIL, START).await.unwrap();
    assert_eq!(
        oauth_code(exchange(&state, APP, &code, START).await),
        ErrorCode::InvalidGrant
    );
}
