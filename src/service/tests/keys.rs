//! Retiring signing keys by hand (`tessera keys retire`): a key retired before is reported as
//! such, and signing never falls back to an older key.
use super::*;
use crate::keys::material;
use crate::service::keys::{self, Retire};

/// Stores a new key published at `publish_at` and signing from `sign_at`; its kid.
async fn key_at(state: &AppState, publish_at: i64, sign_at: i64) -> String {
    let sealer = state.signing_key_sealer().unwrap();
    let key = material::generate_rsa().unwrap();
    keys::prepare(
        state.store(),
        state.audit(),
        sealer,
        state.config(),
        key,
        publish_at,
        sign_at,
    )
    .await
    .unwrap()
    .unwrap()
}

async fn retire(state: &AppState, kid: &str, now: i64) -> Retire {
    keys::retire(
        state.store(),
        state.audit(),
        &state.config().signing_algs,
        kid,
        now,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn retiring_a_retired_key_says_so_instead_of_not_knowing_it() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let old = key_at(&state, START - 100, START - 100).await;
        let new = key_at(&state, START, START).await;
        assert_eq!(retire(&state, &old, START).await, Retire::Retired);
        assert_eq!(
            retire(&state, &old, START + 1).await,
            Retire::AlreadyRetired
        );
        assert_eq!(
            retire(&state, "no-such-kid", START).await,
            Retire::UnknownKey
        );

        // `new` hands over to a newer key, and the schedule retires it once every token it
        // signed has expired.
        key_at(&state, START + 10, START + 10).await;
        let config = state.config();
        let expired = START + 10 + config.access_token_ttl.max(config.id_token_ttl) + 300;
        assert_eq!(retire(&state, &new, expired).await, Retire::AlreadyRetired);
    }
}

/// The kid that signs at `now`, as an instance reading the database then would see it.
async fn signer(state: &AppState, now: i64) -> Option<String> {
    let sealer = state.signing_key_sealer().unwrap();
    let set = keys::load(state.store(), sealer, now).await.unwrap();
    set.current(crate::keys::SigningAlg::Rs256, now)
        .map(|k| k.kid.clone())
}

#[tokio::test]
async fn retiring_the_signing_key_never_hands_signing_back_to_an_older_key() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let old = key_at(&state, START - 100, START - 100).await;
        let current = key_at(&state, START - 10, START - 10).await;
        // `old` is still published (its tokens may be alive): it must not sign again.
        assert_eq!(retire(&state, &current, START).await, Retire::SignsNow);
        assert_eq!(
            signer(&state, START).await.as_deref(),
            Some(current.as_str())
        );
        assert_eq!(retire(&state, &old, START).await, Retire::Retired);
        assert_eq!(
            retire(&state, &current, START).await,
            Retire::SignsNow,
            "alone"
        );
    }
}

#[tokio::test]
async fn retiring_the_signing_key_hands_signing_to_the_published_next_key_at_once() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let current = key_at(&state, START - 100, START - 100).await;
        let next = key_at(&state, START - 50, START + 3600).await;
        let outcome = retire(&state, &current, START).await;
        let expected = Retire::HandedOver {
            successor: next.clone(),
            published_at: START - 50,
        };
        assert_eq!(outcome, expected);
        assert_eq!(signer(&state, START).await.as_deref(), Some(next.as_str()));
    }
}

#[tokio::test]
async fn a_key_not_yet_published_cannot_take_over_signing() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let current = key_at(&state, START - 100, START - 100).await;
        key_at(&state, START + 50, START + 3600).await;
        assert_eq!(retire(&state, &current, START).await, Retire::SignsNow);
        assert_eq!(
            signer(&state, START).await.as_deref(),
            Some(current.as_str())
        );
    }
}
