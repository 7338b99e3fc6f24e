//! Back-channel logout delivery: a signed token in the app's algorithm, backoff then giving
//! up, a 400 not sent again, a removed client never called, and a claimed row never sent by
//! two workers at once.
use super::backchannel::*;
use super::*;
use crate::auth::session::public_id;
use crate::oauth::logout_token::BACKCHANNEL_LOGOUT_EVENT;
use crate::oauth::tokens::TokenType;
use crate::observe::LogoutOutcome;
use crate::service::backchannel::claim;
use crate::service::sessions::RevokeOnEnd;

/// The JWS `alg` header of `token`.
fn alg_of(token: &str) -> String {
    use base64::Engine;
    let header = token.split('.').next().unwrap();
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    let header: serde_json::Value = serde_json::from_slice(&header).unwrap();
    header["alg"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_apps_logout_tokens_use_the_algorithm_of_its_id_tokens() {
    use crate::keys::{KeySet, LoadedKey, SigningAlg, lifecycle::KeyTimes, material};
    let (uri, mut bodies) = endpoint(200).await;
    let (base, _) = state_for(Backend::Sqlite, &uri).await;
    let mut config = base.config().clone();
    config.signing_algs = vec![SigningAlg::Rs256, SigningAlg::Es256];
    config.clients[0].id_token_signed_response_alg = SigningAlg::Es256;
    let times = KeyTimes {
        generation: 1,
        publish_at: 0,
        sign_at: 0,
        retire_at: None,
        retired_at: None,
    };
    let loaded = [
        crate::keys::material::rsa_from_pem(key_pem()).unwrap(),
        material::generate(SigningAlg::Es256).unwrap(),
    ]
    .map(|key| {
        let pem = Some(key.private_pem.as_slice());
        LoadedKey::new(key.kid, key.alg, times, 0, key.public_jwk, pem).unwrap()
    });
    let keys = KeySet::new(loaded.into_iter().collect(), 0);
    let clock = ManualClock::starting_at(START);
    let state = AppState::new(config, base.store().clone(), keys, Arc::new(clock));

    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let code = code_for(&state, APP, &s.row, &[], START).await;
    let tokens = exchange(&state, APP, &code, START).await.unwrap();
    assert_eq!(alg_of(tokens.id_token.as_deref().unwrap()), "ES256");
    assert_eq!(alg_of(&tokens.access_token), "RS256");
    sessions::end(&state, &s.row.id_hash, RevokeOnEnd::Nothing, START)
        .await
        .unwrap();
    assert_eq!(deliver_due(&state, "w").await, [LogoutOutcome::Delivered]);
    let logout_token = posted_logout_token(&mut bodies).await;
    assert_eq!(alg_of(&logout_token), "ES256");
    assert!(
        state
            .keys()
            .verify(&logout_token, TokenType::Logout)
            .is_ok()
    );
}

#[tokio::test]
async fn a_delivery_posts_a_signed_logout_token_and_leaves_the_outbox() {
    let (uri, mut bodies) = endpoint(200).await;
    let (state, _) = state_for(Backend::Sqlite, &uri).await;
    let (user, s) = signed_in_to_both(&state).await;
    sessions::end(&state, &s.row.id_hash, RevokeOnEnd::Nothing, START)
        .await
        .unwrap();
    assert_eq!(deliver_due(&state, "w").await, [LogoutOutcome::Delivered]);
    let logout_token = posted_logout_token(&mut bodies).await;
    let claims = state
        .keys()
        .verify(&logout_token, TokenType::Logout)
        .unwrap();
    assert!(state.keys().verify(&logout_token, TokenType::Id).is_err());
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["aud"], APP);
    assert_eq!(claims["sub"], user.id.as_str());
    assert_eq!(claims["sid"], public_id(&s.row.id_hash).as_str());
    assert!(claims["events"][BACKCHANNEL_LOGOUT_EVENT].is_object());
    assert!(claims.get("nonce").is_none());
    assert!(outbox(&state).await.is_empty());
}

#[tokio::test]
async fn a_failing_app_is_retried_with_backoff_and_given_up_after_retry_for() {
    let (uri, _) = endpoint(503).await;
    let (state, clock) = state_for(Backend::Sqlite, &uri).await;
    let (_, s) = signed_in_to_both(&state).await;
    sessions::end(&state, &s.row.id_hash, RevokeOnEnd::Nothing, START)
        .await
        .unwrap();
    assert_eq!(deliver_due(&state, "w").await, [LogoutOutcome::Retrying]);
    assert!(
        deliver_due(&state, "w").await.is_empty(),
        "not due before the backoff"
    );
    clock.advance(10);
    assert_eq!(deliver_due(&state, "w").await, [LogoutOutcome::Retrying]);
    clock.advance(19);
    assert!(
        deliver_due(&state, "w").await.is_empty(),
        "the second wait is 20 s"
    );
    clock.advance(1);
    assert_eq!(deliver_due(&state, "w").await, [LogoutOutcome::Retrying]);
    clock.advance(100);
    assert_eq!(deliver_due(&state, "w").await, [LogoutOutcome::GaveUp]);
    clock.advance(3600);
    assert!(deliver_due(&state, "w").await.is_empty(), "never again");
    let stats = state.store().outbox_stats().await.unwrap();
    assert_eq!((stats.pending, stats.given_up), (0, 1));
}

#[tokio::test]
async fn a_refused_token_is_not_sent_again_and_a_removed_client_is_never_called() {
    let (uri, mut bodies) = endpoint(400).await;
    let (state, clock) = state_for(Backend::Sqlite, &uri).await;
    let (_, s) = signed_in_to_both(&state).await;
    sessions::end(&state, &s.row.id_hash, RevokeOnEnd::Nothing, START)
        .await
        .unwrap();
    assert_eq!(deliver_due(&state, "w").await, [LogoutOutcome::Rejected]);
    clock.advance(3600);
    assert!(deliver_due(&state, "w").await.is_empty());
    bodies.recv().await.unwrap();

    let user = state
        .store()
        .find_user_by_email(USER_EMAIL)
        .await
        .unwrap()
        .unwrap();
    let again = session(&state, &user).await;
    let code = code_for(&state, APP, &again.row, &[], START).await;
    exchange(&state, APP, &code, START).await.unwrap();
    sessions::end(&state, &again.row.id_hash, RevokeOnEnd::Nothing, START)
        .await
        .unwrap();
    let mut without = state.config().clone();
    without.clients[0].backchannel_logout_uri = None;
    state.replace_settings(without);
    assert_eq!(
        deliver_due(&state.current(), "w").await,
        [LogoutOutcome::Dropped]
    );
    assert!(bodies.try_recv().is_err(), "nothing was sent");
}

#[tokio::test]
async fn a_claimed_logout_is_not_claimed_again_until_its_lease_runs_out() {
    for backend in backends() {
        let (state, clock) = state_for(backend, "https://app.example.com/bcl").await;
        let (_, s) = signed_in_to_both(&state).await;
        sessions::end(&state, &s.row.id_hash, RevokeOnEnd::Nothing, START)
            .await
            .unwrap();
        let (a, b) = tokio::join!(claim(&state, "a", 10, START), claim(&state, "b", 10, START));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(
            a.len() + b.len(),
            1,
            "{backend:?}: exactly one worker has it"
        );
        let (winner, loser) = if a.is_empty() { ("b", "a") } else { ("a", "b") };
        clock.advance(state.config().backchannel_logout_timeout as i64 + 30);
        let taken = claim(&state, loser, 10, state.now()).await.unwrap();
        assert_eq!(taken.len(), 1, "{backend:?}: the lease ran out");
        assert_eq!(taken[0].attempts, 2);
        state
            .store()
            .finish_logout(&taken[0].id, winner)
            .await
            .unwrap();
        assert_eq!(
            outbox(&state).await.len(),
            1,
            "the old claimant cannot finish it"
        );
        state
            .store()
            .finish_logout(&taken[0].id, loser)
            .await
            .unwrap();
        assert!(outbox(&state).await.is_empty());
    }
}
