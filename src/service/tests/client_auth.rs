//! Client authentication: a secret is proved with argon2 only after an attempt was reserved
//! on the client's limits, and a proved secret is remembered.
use super::*;
use crate::auth::throttle::{Limit, ThrottleKind};
use crate::oauth::client_auth::PresentedCredentials;
use crate::service::client_auth::authenticate;

fn basic(client_id: &str, secret: &str) -> PresentedCredentials {
    PresentedCredentials {
        basic: Some((client_id.to_string(), secret.to_string())),
        ..Default::default()
    }
}

async fn attempt(state: &AppState, client_id: &str, secret: &str) -> Result<String> {
    authenticate(state, basic(client_id, secret), ip(), START)
        .await
        .map(|c| c.id.clone())
}

#[tokio::test]
async fn the_right_client_secret_authenticates() {
    let state = state().await;
    assert_eq!(attempt(&state, APP, CLIENT_SECRET).await.unwrap(), APP);
}

#[tokio::test]
async fn a_wrong_client_secret_is_invalid_client() {
    let state = state().await;
    let outcome = attempt(&state, APP, "wrong secret").await;
    assert_eq!(oauth_code(outcome), ErrorCode::InvalidClient);
}

#[tokio::test]
async fn a_public_client_is_identified_by_its_id_alone() {
    let state = state().await;
    let presented = PresentedCredentials {
        body_client_id: Some(NATIVE.into()),
        ..Default::default()
    };
    let client = authenticate(&state, presented, ip(), START).await.unwrap();
    assert_eq!(client.id, NATIVE);
}

#[tokio::test]
async fn client_secret_guesses_are_throttled_before_argon2_runs() {
    for backend in backends() {
        // Ten per client, two per client and address.
        let state = state_on(backend, |c| c.client_max_auth_failures = 10).await;
        for _ in 0..2 {
            let outcome = attempt(&state, APP, "wrong secret").await;
            assert_eq!(oauth_code(outcome), ErrorCode::InvalidClient, "{backend:?}");
        }
        let before = state.passwords().verifications();
        retry_after(attempt(&state, APP, CLIENT_SECRET).await);
        assert_eq!(state.passwords().verifications(), before, "{backend:?}");
    }
}

#[tokio::test]
async fn a_right_secret_gives_its_reservation_back() {
    let state = state().await;
    attempt(&state, APP, "wrong secret").await.unwrap_err();
    attempt(&state, APP, CLIENT_SECRET).await.unwrap();
    let config = state.config();
    let limit = Limit::new(
        ThrottleKind::Client,
        APP,
        config.client_max_auth_failures,
        config.throttle_window,
    );
    let counter = state.store().throttle_counter(&limit.key).await.unwrap();
    assert_eq!(counter.map(|c| c.failures), Some(1));
}

#[tokio::test]
async fn a_proved_secret_is_remembered_and_costs_no_argon2() {
    let state = state().await;
    attempt(&state, APP, CLIENT_SECRET).await.unwrap();
    let before = state.passwords().verifications();
    attempt(&state, APP, CLIENT_SECRET).await.unwrap();
    assert_eq!(state.passwords().verifications(), before);
}
