//! Back-channel logout, from a session's end to the outbox: which ends queue a logout and
//! for whom, and a step-up keeping the apps and the sid they know. The delivery rules are
//! `backchannel_delivery.rs`; the helpers here serve both.
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use super::*;
use crate::auth::session::public_id;
use crate::clock::ManualClock;
use crate::observe::LogoutOutcome;
use crate::service::backchannel::{claim, deliver, http_client};
use crate::service::sessions::RevokeOnEnd;

/// An app's back-channel endpoint on loopback: answers every request with `status` and
/// passes each request body to the test.
pub(super) async fn endpoint(status: u16) -> (String, mpsc::UnboundedReceiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/bcl", listener.local_addr().unwrap());
    let (sender, bodies) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let body = read_request_body(&mut stream).await;
            let _ = sender.send(body);
            let answer =
                format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    (url, bodies)
}

pub(super) async fn read_request_body(stream: &mut tokio::net::TcpStream) -> String {
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&buffer).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                return text[end + 4..end + 4 + length].to_string();
            }
        }
        let read = stream.read(&mut chunk).await.unwrap();
        if read == 0 {
            return String::new();
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

/// A state whose APP sends back-channel logouts to `uri`, and its clock.
pub(super) async fn state_for(backend: Backend, uri: &str) -> (AppState, ManualClock) {
    let mut config = config();
    config.clients[0].backchannel_logout_uri = Some(uri.to_string());
    config.backchannel_logout_initial_backoff = 10;
    config.backchannel_logout_retry_for = 100;
    let store = match backend {
        Backend::Sqlite => sqlite_store().await,
        Backend::Postgres => postgres_store().await,
    };
    store.migrate().await.unwrap();
    let clock = ManualClock::starting_at(START);
    let state = AppState::new(config, store, keys(), Arc::new(clock.clone()));
    (state, clock)
}

/// Ada signed in, with tokens for APP and OTHER from that session.
pub(super) async fn signed_in_to_both(state: &AppState) -> (UserRow, NewSession) {
    let user = ada(state).await;
    let s = session(state, &user).await;
    for client in [APP, OTHER] {
        let code = code_for(state, client, &s.row, &[], START).await;
        exchange(state, client, &code, START).await.unwrap();
    }
    (user, s)
}

pub(super) async fn outbox(state: &AppState) -> Vec<crate::store::outbox::PendingLogout> {
    state.store().list_logouts().await.unwrap()
}

/// Claims what is due now for `owner` and delivers it.
pub(super) async fn deliver_due(state: &AppState, owner: &str) -> Vec<LogoutOutcome> {
    let http = http_client().unwrap();
    let mut outcomes = Vec::new();
    for row in claim(state, owner, 10, state.now()).await.unwrap() {
        outcomes.push(deliver(state, &http, owner, row).await.unwrap());
    }
    outcomes
}

/// The `logout_token` of the next delivery the endpoint received.
pub(super) async fn posted_logout_token(bodies: &mut mpsc::UnboundedReceiver<String>) -> String {
    let body = bodies.recv().await.unwrap();
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(name, _)| name == "logout_token")
        .map(|(_, token)| token.into_owned())
        .unwrap()
}

#[tokio::test]
async fn ending_a_session_queues_a_logout_for_each_app_that_registered_a_uri() {
    let (state, _) = state_for(Backend::Sqlite, "https://app.example.com/bcl").await;
    let (user, s) = signed_in_to_both(&state).await;
    let store = state.store();
    assert_eq!(
        store.session_clients(&s.row.id_hash).await.unwrap(),
        [APP, OTHER]
    );
    sessions::end(&state, &s.row.id_hash, RevokeOnEnd::Nothing, START + 5)
        .await
        .unwrap();
    let queued = outbox(&state).await;
    assert_eq!(queued.len(), 1, "OTHER registered no URI: {queued:?}");
    assert_eq!(queued[0].client_id, APP);
    assert_eq!(queued[0].sub, user.id);
    assert_eq!(queued[0].sid, public_id(&s.row.id_hash));
    assert!(
        store
            .session_clients(&s.row.id_hash)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_step_up_keeps_the_apps_and_the_sid_they_know_and_another_user_ends_the_session() {
    let (state, _) = state_for(Backend::Sqlite, "https://app.example.com/bcl").await;
    let (user, s) = signed_in_to_both(&state).await;
    let stepped = sessions::start(
        &state,
        password_session(&user, START),
        Some(&s.cookie_value),
        START + 1,
    )
    .await
    .unwrap();
    assert!(outbox(&state).await.is_empty(), "the session lives on");
    let apps = state
        .store()
        .session_clients(&stepped.row.id_hash)
        .await
        .unwrap();
    assert_eq!(apps, [APP, OTHER]);

    let grace = add_user(&state, "grace@example.com").await;
    sessions::start(
        &state,
        password_session(&grace, START),
        Some(&stepped.cookie_value),
        START + 2,
    )
    .await
    .unwrap();
    let queued = outbox(&state).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].sub, user.id);
    assert_eq!(
        queued[0].sid,
        public_id(&s.row.id_hash),
        "the sid APP's ID token carried"
    );
}

#[tokio::test]
async fn a_step_up_replacing_two_sessions_of_the_user_keeps_each_app_once() {
    for backend in backends() {
        let (state, _) = state_for(backend, "https://app.example.com/bcl").await;
        let (user, first) = signed_in_to_both(&state).await;
        let second = session(&state, &user).await;
        let code = code_for(&state, APP, &second.row, &[], START).await;
        exchange(&state, APP, &code, START).await.unwrap();
        let replacing = [first.row.id_hash.clone(), second.row.id_hash.clone()];
        let like = password_session(&user, START);
        let new = sessions::start_replacing(&state, like, &replacing, START + 1)
            .await
            .unwrap();
        let apps = state
            .store()
            .session_clients(&new.row.id_hash)
            .await
            .unwrap();
        assert_eq!(apps, [APP, OTHER], "{backend:?}");
        assert!(
            outbox(&state).await.is_empty(),
            "{backend:?}: nothing ended"
        );
    }
}

#[tokio::test]
async fn an_administrator_and_the_expiry_purge_queue_logouts_too() {
    let (state, _) = state_for(Backend::Sqlite, "https://app.example.com/bcl").await;
    let (user, _) = signed_in_to_both(&state).await;
    let laptop = session(&state, &user).await;
    let code = code_for(&state, APP, &laptop.row, &[], START).await;
    exchange(&state, APP, &code, START).await.unwrap();
    let ada = crate::service::admin::UserKey::Email(USER_EMAIL);
    crate::service::admin::access::set_disabled(&state, ada, true, START + 5)
        .await
        .unwrap();
    assert_eq!(outbox(&state).await.len(), 2, "one per session");

    let (state, _) = state_for(Backend::Sqlite, "https://app.example.com/bcl").await;
    signed_in_to_both(&state).await;
    let store = state.store();
    let receivers = state.backchannel_receivers().to_vec();
    assert_eq!(
        store
            .purge_expired(START + 60, &receivers)
            .await
            .unwrap()
            .logouts_queued,
        0
    );
    let expired = START + state.config().session_idle_ttl;
    let purged = store.purge_expired(expired, &receivers).await.unwrap();
    assert_eq!((purged.sessions, purged.logouts_queued), (1, 1));
}
