//! RP-Initiated Logout and the end of a session: forged or malformed requests end nothing,
//! only a live hint for this very session skips the confirmation, and ending a session
//! revokes exactly the refresh tokens `RevokeOnEnd` names.
use serde_json::json;

use super::*;
use crate::oauth::tokens::TokenType;
use crate::service::logout::{Logout, logout};
use crate::service::sessions::RevokeOnEnd;

/// A signed-in browser and the ID token APP got in it.
async fn signed_in(state: &AppState) -> (UserRow, NewSession, String) {
    let user = ada(state).await;
    let s = session(state, &user).await;
    let code = code_for(state, APP, &s.row, &[], START).await;
    let id_token = exchange(state, APP, &code, START)
        .await
        .unwrap()
        .id_token
        .unwrap();
    (user, s, id_token)
}

async fn log_out<'s>(
    state: &'s AppState,
    pairs: &[(&str, &str)],
    s: &NewSession,
    confirmed: bool,
    now: i64,
) -> Logout<'s> {
    logout(state, &params(pairs), Some(&s.cookie_value), confirmed, now)
        .await
        .unwrap()
}

async fn still_signed_in(state: &AppState, s: &NewSession, now: i64) -> bool {
    sessions::current(state, Some(&s.cookie_value), now)
        .await
        .unwrap()
        .is_some()
}

async fn revoked(state: &AppState, refresh_token: &str) -> bool {
    let hash = crate::auth::secret::hash(refresh_token);
    let record = state.store().find_refresh_token(&hash).await.unwrap();
    record.unwrap().revoked_at.is_some()
}

/// Offline tokens of APP and OTHER, both from session `s`.
async fn two_clients_tokens(state: &AppState, s: &NewSession) -> (String, String) {
    let app = offline_tokens(state, APP, &s.row, START).await;
    let other = offline_tokens(state, OTHER, &s.row, START).await;
    (app.refresh_token.unwrap(), other.refresh_token.unwrap())
}

#[tokio::test]
async fn a_forged_id_token_hint_is_invalid_and_ends_nothing() {
    let state = state().await;
    let (user, s, _) = signed_in(&state).await;
    let claims = json!({ "iss": "https://elsewhere.example", "aud": APP, "sub": user.id, "exp": START + 60 });
    let foreign = state
        .keys()
        .sign(crate::keys::SigningAlg::Rs256, TokenType::Id, &claims, 1)
        .unwrap();
    let claims = json!({ "iss": ISSUER, "aud": APP, "sub": user.id, "exp": START + 60 });
    let access = state
        .keys()
        .sign(
            crate::keys::SigningAlg::Rs256,
            TokenType::Access,
            &claims,
            1,
        )
        .unwrap();
    for hint in [foreign.as_str(), access.as_str(), "not-a-jwt"] {
        let outcome = log_out(&state, &[("id_token_hint", hint)], &s, false, START).await;
        assert!(matches!(outcome, Logout::Invalid(_)), "{outcome:?}");
    }
    assert!(still_signed_in(&state, &s, START).await);
}

/// What an ID token signed with a key this state no longer publishes looks like: a key of
/// its own, whose kid the state does not know.
fn signed_with_a_retired_key(claims: &serde_json::Value) -> String {
    let key = crate::keys::material::generate_rsa().unwrap();
    let gone = crate::keys::KeySet::single(key, 0).unwrap();
    gone.sign(crate::keys::SigningAlg::Rs256, TokenType::Id, claims, 1)
        .unwrap()
}

#[tokio::test]
async fn a_hint_signed_by_a_key_no_longer_published_is_ignored_and_the_user_confirms() {
    let state = state().await;
    let (user, s, _) = signed_in(&state).await;
    // Everything in it would end this session at once, were it trusted.
    let sid = crate::auth::session::public_id(&s.row.id_hash);
    let claims =
        json!({ "iss": ISSUER, "aud": OTHER, "sub": user.id, "sid": sid, "exp": START + 60 });
    let hint = signed_with_a_retired_key(&claims);
    let outcome = log_out(&state, &[("id_token_hint", &hint)], &s, false, START).await;
    let Logout::Confirm {
        client: None,
        redirect_uri: None,
    } = outcome
    else {
        panic!("expected a confirmation naming no client: {outcome:?}");
    };
    assert!(still_signed_in(&state, &s, START).await);

    // The client then comes from client_id alone (the hint's audience is not used), and the
    // user's confirmation ends the session.
    let pairs = [
        ("id_token_hint", hint.as_str()),
        ("client_id", APP),
        ("post_logout_redirect_uri", APP_SIGNED_OUT),
    ];
    let outcome = log_out(&state, &pairs, &s, false, START).await;
    assert!(
        matches!(outcome, Logout::Confirm { client: Some(c), .. } if c.id == APP),
        "{outcome:?}"
    );
    let outcome = log_out(&state, &pairs, &s, true, START).await;
    let Logout::Done {
        signed_out: true,
        redirect: Some(redirect),
    } = outcome
    else {
        panic!("expected a sign-out: {outcome:?}");
    };
    assert!(redirect.starts_with(APP_SIGNED_OUT));
    assert!(!still_signed_in(&state, &s, START).await);
}

#[tokio::test]
async fn a_hint_naming_our_key_with_a_bad_signature_is_invalid() {
    let state = state().await;
    let (user, s, id_token) = signed_in(&state).await;
    let claims = json!({ "iss": ISSUER, "aud": APP, "sub": user.id, "exp": START + 60 });
    let other = signed_with_a_retired_key(&claims);
    let ours: Vec<&str> = id_token.split('.').collect();
    let theirs: Vec<&str> = other.split('.').collect();
    // Our header (our kid) over another key's signature, and over another payload.
    let swapped_signature = format!("{}.{}.{}", ours[0], ours[1], theirs[2]);
    let swapped_payload = format!("{}.{}.{}", ours[0], theirs[1], ours[2]);
    for hint in [swapped_signature, swapped_payload] {
        let outcome = log_out(&state, &[("id_token_hint", &hint)], &s, true, START).await;
        assert!(matches!(outcome, Logout::Invalid(_)), "{outcome:?}");
    }
    assert!(still_signed_in(&state, &s, START).await);
}

#[tokio::test]
async fn a_duplicated_parameter_is_invalid_and_ends_nothing() {
    let state = state().await;
    let (_, s, id_token) = signed_in(&state).await;
    let pairs = [
        ("id_token_hint", id_token.as_str()),
        ("post_logout_redirect_uri", APP_SIGNED_OUT),
        ("post_logout_redirect_uri", "https://evil.example/"),
    ];
    let outcome = log_out(&state, &pairs, &s, true, START).await;
    assert!(matches!(outcome, Logout::Invalid(_)), "{outcome:?}");
    assert!(still_signed_in(&state, &s, START).await);
}

#[tokio::test]
async fn a_hint_and_a_client_id_that_disagree_are_invalid() {
    let state = state().await;
    let (_, s, id_token) = signed_in(&state).await;
    let pairs = [("id_token_hint", id_token.as_str()), ("client_id", OTHER)];
    let outcome = log_out(&state, &pairs, &s, false, START).await;
    assert!(matches!(outcome, Logout::Invalid(_)), "{outcome:?}");
}

#[tokio::test]
async fn an_unregistered_client_id_is_invalid() {
    let state = state().await;
    let (_, s, _) = signed_in(&state).await;
    let outcome = log_out(&state, &[("client_id", "nobody")], &s, true, START).await;
    assert!(matches!(outcome, Logout::Invalid(_)), "{outcome:?}");
    assert!(still_signed_in(&state, &s, START).await);
}

#[tokio::test]
async fn without_a_hint_the_user_is_asked_to_confirm() {
    let state = state().await;
    let (_, s, _) = signed_in(&state).await;
    let pairs = [
        ("client_id", APP),
        ("post_logout_redirect_uri", APP_SIGNED_OUT),
    ];
    let outcome = log_out(&state, &pairs, &s, false, START).await;
    let Logout::Confirm {
        client,
        redirect_uri,
    } = outcome
    else {
        panic!("expected a confirmation: {outcome:?}");
    };
    assert_eq!(client.map(|c| c.id.as_str()), Some(APP));
    assert_eq!(redirect_uri.as_deref(), Some(APP_SIGNED_OUT));
    assert!(still_signed_in(&state, &s, START).await);
}

#[tokio::test]
async fn a_live_hint_for_this_session_signs_out_at_once_and_redirects_with_state() {
    let state = state().await;
    let (_, s, id_token) = signed_in(&state).await;
    let pairs = [
        ("id_token_hint", id_token.as_str()),
        ("post_logout_redirect_uri", APP_SIGNED_OUT),
        ("state", "bye"),
    ];
    let outcome = log_out(&state, &pairs, &s, false, START + 10).await;
    let Logout::Done {
        signed_out: true,
        redirect: Some(redirect),
    } = outcome
    else {
        panic!("expected a sign-out with a redirect: {outcome:?}");
    };
    assert!(redirect.starts_with(APP_SIGNED_OUT));
    assert_eq!(query_of(&redirect)["state"], "bye");
    assert!(!still_signed_in(&state, &s, START + 10).await);
}

#[tokio::test]
async fn an_expired_hint_asks_for_confirmation() {
    let state = state().await;
    let (_, s, id_token) = signed_in(&state).await;
    let expired = START + state.config().id_token_ttl;
    let outcome = log_out(&state, &[("id_token_hint", &id_token)], &s, false, expired).await;
    assert!(matches!(outcome, Logout::Confirm { .. }), "{outcome:?}");
    assert!(still_signed_in(&state, &s, expired).await);
}

#[tokio::test]
async fn a_hint_from_another_session_asks_for_confirmation() {
    let state = state().await;
    let (user, _, id_token) = signed_in(&state).await;
    let elsewhere = session(&state, &user).await;
    let outcome = log_out(
        &state,
        &[("id_token_hint", &id_token)],
        &elsewhere,
        false,
        START,
    )
    .await;
    assert!(matches!(outcome, Logout::Confirm { .. }), "{outcome:?}");
    assert!(still_signed_in(&state, &elsewhere, START).await);
}

#[tokio::test]
async fn an_unregistered_post_logout_redirect_uri_is_not_followed() {
    let state = state().await;
    let (_, s, id_token) = signed_in(&state).await;
    let pairs = [
        ("id_token_hint", id_token.as_str()),
        ("post_logout_redirect_uri", "https://evil.example/"),
    ];
    let outcome = log_out(&state, &pairs, &s, false, START).await;
    assert!(
        matches!(
            outcome,
            Logout::Done {
                signed_out: true,
                redirect: None
            }
        ),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_confirmed_logout_without_a_client_ends_the_session_and_stays_here() {
    let state = state().await;
    let (_, s, _) = signed_in(&state).await;
    let outcome = log_out(&state, &[], &s, true, START).await;
    assert!(
        matches!(
            outcome,
            Logout::Done {
                signed_out: true,
                redirect: None
            }
        ),
        "{outcome:?}"
    );
    assert!(!still_signed_in(&state, &s, START).await);
}

#[tokio::test]
async fn without_a_session_logout_is_done_and_signs_nobody_out() {
    let state = state().await;
    let outcome = logout(&state, &params(&[]), None, false, START)
        .await
        .unwrap();
    assert!(
        matches!(
            outcome,
            Logout::Done {
                signed_out: false,
                redirect: None
            }
        ),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn logout_through_a_client_revokes_only_its_refresh_tokens_from_the_session() {
    let state = state().await;
    let (_, s, id_token) = signed_in(&state).await;
    let (app, other) = two_clients_tokens(&state, &s).await;
    log_out(&state, &[("id_token_hint", &id_token)], &s, false, START).await;
    assert!(revoked(&state, &app).await);
    assert!(!revoked(&state, &other).await);
}

#[tokio::test]
async fn logout_through_a_client_that_keeps_tokens_revokes_nothing() {
    let state = state().await;
    let (_, s, _) = signed_in(&state).await;
    let (app, other) = two_clients_tokens(&state, &s).await;
    log_out(&state, &[("client_id", OTHER)], &s, true, START).await;
    assert!(!still_signed_in(&state, &s, START).await);
    assert!(!revoked(&state, &app).await);
    assert!(!revoked(&state, &other).await);
}

#[tokio::test]
async fn ending_a_session_revoking_nothing_keeps_offline_access() {
    let state = state().await;
    let (_, s, _) = signed_in(&state).await;
    let (app, other) = two_clients_tokens(&state, &s).await;
    sessions::end(&state, &s.row.id_hash, RevokeOnEnd::Nothing, START)
        .await
        .unwrap();
    assert!(!still_signed_in(&state, &s, START).await);
    assert!(!revoked(&state, &app).await && !revoked(&state, &other).await);
}

#[tokio::test]
async fn ending_a_session_for_one_client_revokes_only_that_clients_tokens() {
    let state = state().await;
    let (_, s, _) = signed_in(&state).await;
    let (app, other) = two_clients_tokens(&state, &s).await;
    sessions::end(&state, &s.row.id_hash, RevokeOnEnd::Client(OTHER), START)
        .await
        .unwrap();
    assert!(!revoked(&state, &app).await);
    assert!(revoked(&state, &other).await);
}

#[tokio::test]
async fn ending_a_session_for_all_clients_spares_other_sessions_tokens() {
    let state = state().await;
    let (user, s, _) = signed_in(&state).await;
    let (app, other) = two_clients_tokens(&state, &s).await;
    let elsewhere = session(&state, &user).await;
    let kept = offline_tokens(&state, APP, &elsewhere.row, START).await;
    sessions::end(&state, &s.row.id_hash, RevokeOnEnd::AllClients, START)
        .await
        .unwrap();
    assert!(revoked(&state, &app).await && revoked(&state, &other).await);
    assert!(!revoked(&state, &kept.refresh_token.unwrap()).await);
    assert!(still_signed_in(&state, &elsewhere, START).await);
}
