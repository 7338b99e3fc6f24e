//! The statements issue 30 folded keep their guarantees under concurrent requests. A code's
//! redemption is one statement on PostgreSQL (one batch in a transaction on SQLite) that
//! records the app for back-channel logout, spends the code and stores the refresh family,
//! gated on the session still being there; a logout deletes the session row first. Raced
//! against each other, either the exchange gets no tokens or the logout tells the app and
//! revokes what the exchange got: never tokens from a session whose end the app is not told
//! of, or that outlive an end meant to revoke them.
use super::backchannel::{outbox, state_for};
use super::*;
use crate::service::sessions::RevokeOnEnd;

const TRIALS: usize = 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_exchange_racing_its_sessions_end_gets_no_tokens_or_the_app_is_told() {
    for backend in backends() {
        let (state, _) = state_for(backend, "https://app.example.com/bcl").await;
        let user = ada(&state).await;
        let (mut exchanged, mut refused) = (0, 0);
        for trial in 0..TRIALS {
            let s = session(&state, &user).await;
            let code = code_for(
                &state,
                APP,
                &s.row,
                &[
                    ("scope", "openid email offline_access"),
                    ("prompt", "consent"),
                ],
                START,
            )
            .await;
            let exchange_task = {
                let (state, code) = (state.clone(), code.clone());
                tokio::spawn(async move { exchange(&state, APP, &code, START).await })
            };
            let end_task = {
                let (state, id_hash) = (state.clone(), s.row.id_hash.clone());
                tokio::spawn(async move {
                    sessions::end(&state, &id_hash, RevokeOnEnd::AllClients, START + 1).await
                })
            };
            let (exchanged_now, ended) = (exchange_task.await.unwrap(), end_task.await.unwrap());
            ended.unwrap();
            let sid = crate::auth::session::public_id(&s.row.id_hash);
            let told = outbox(&state)
                .await
                .iter()
                .any(|l| l.sid == sid && l.client_id == APP);
            match exchanged_now {
                Ok(tokens) => {
                    exchanged += 1;
                    assert!(
                        told,
                        "{backend:?} trial {trial}: tokens, and the app was not told"
                    );
                    let refresh = tokens.refresh_token.expect("offline_access was granted");
                    let hash = crate::auth::secret::hash(&refresh);
                    let record = state.store().find_refresh_token(&hash).await.unwrap();
                    assert!(
                        record.unwrap().revoked_at.is_some(),
                        "{backend:?} trial {trial}: the session's end left its refresh token live"
                    );
                }
                Err(error) => {
                    refused += 1;
                    assert_eq!(oauth_code(Err::<(), _>(error)), ErrorCode::InvalidGrant);
                    assert!(
                        !told,
                        "{backend:?} trial {trial}: told of tokens never issued"
                    );
                }
            }
            assert!(
                state
                    .store()
                    .session_clients(&s.row.id_hash)
                    .await
                    .unwrap()
                    .is_empty(),
                "{backend:?} trial {trial}: an app stays recorded for an ended session"
            );
        }
        eprintln!("{backend:?}: {exchanged} exchanged, {refused} refused of {TRIALS}");
    }
}
