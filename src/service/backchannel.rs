//! OpenID Connect Back-Channel Logout 1.0: telling the apps that got tokens through a session
//! that it has ended. Ending a session queues one logout per app in the same transaction
//! (`store::outbox`); the outbox worker (`server::tasks`) claims due rows and hands each to
//! [`deliver`]: a logout token signed now, POSTed to the URI the configuration registers for
//! the client today (a row never carries a URL), with a timeout and no redirects followed;
//! then delivered, retried later with backoff, or given up.
use std::time::{Duration, Instant};

use super::error::Result;
use crate::oauth::backchannel::{self, NextAttempt, RetryPolicy, Verdict};
use crate::oauth::client::Client;
use crate::oauth::logout_token::{LogoutSubject, logout_token_claims};
use crate::oauth::tokens::TokenType;
use crate::observe::{self, LogoutOutcome};
use crate::state::AppState;
use crate::store::outbox::PendingLogout;

/// Notes `count` logouts queued by this process and wakes the worker.
pub fn queued(state: &AppState, count: u64) {
    if count > 0 {
        observe::logouts_queued(count);
        state.ring_outbox();
    }
}

/// The client the worker sends with: no redirects followed (a redirect is an answer, and
/// following it would let an app's server send Tessera anywhere), no cookies, its own agent.
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Tessera/", env!("CARGO_PKG_VERSION")))
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
}

/// Claims up to `limit` deliveries due at `now` for the worker `owner`.
pub async fn claim(
    state: &AppState,
    owner: &str,
    limit: usize,
    now: i64,
) -> Result<Vec<PendingLogout>> {
    let timeout = i64::try_from(state.config().backchannel_logout_timeout).unwrap_or(60);
    let limit = i64::try_from(limit).unwrap_or(1);
    Ok(state
        .store()
        .claim_due_logouts(owner, now, timeout, limit)
        .await?)
}

/// One attempt at delivering `row`, claimed by `owner`, and what became of it.
pub async fn deliver(
    state: &AppState,
    http: &reqwest::Client,
    owner: &str,
    row: PendingLogout,
) -> Result<LogoutOutcome> {
    let store = state.store();
    let client = state.client(&row.client_id);
    let Some((client, uri)) = client.and_then(|c| Some((c, c.backchannel_logout_uri.as_deref()?)))
    else {
        // Only URIs in today's configuration are ever called: a client removed (or its URI
        // removed) since the logout was queued is not told.
        tracing::warn!(client_id = %row.client_id, logout_id = %row.id,
            "back-channel logout dropped: the client no longer registers a backchannel_logout_uri");
        store.finish_logout(&row.id, owner).await?;
        observe::logout_delivery(LogoutOutcome::Dropped);
        return Ok(LogoutOutcome::Dropped);
    };
    let answer = match sign(state, client, &row) {
        Ok(token) => post(state, http, uri, token).await,
        Err(e) => {
            tracing::error!(error = %e, "cannot sign a logout token");
            Err("no signing key".to_string())
        }
    };
    let now = state.now();
    let status = answer.as_ref().ok().copied();
    let outcome = match backchannel::verdict(status) {
        Verdict::Delivered => {
            store.finish_logout(&row.id, owner).await?;
            tracing::info!(client_id = %row.client_id, logout_id = %row.id, attempts = row.attempts,
                waited = now - row.created_at, "back-channel logout delivered");
            LogoutOutcome::Delivered
        }
        Verdict::Rejected => {
            store
                .give_up_logout(&row.id, owner, now, "HTTP 400")
                .await?;
            tracing::warn!(client_id = %row.client_id, logout_id = %row.id, attempts = row.attempts,
                "back-channel logout rejected by the app (400): not sent again");
            LogoutOutcome::Rejected
        }
        Verdict::TryAgain => {
            let error = match &answer {
                Ok(status) => format!("HTTP {status}"),
                Err(e) => e.clone(),
            };
            try_again(state, owner, &row, &error, now).await?
        }
    };
    observe::logout_delivery(outcome);
    Ok(outcome)
}

/// A failed attempt: schedule the next one, or give up once `retry_for` has passed.
async fn try_again(
    state: &AppState,
    owner: &str,
    row: &PendingLogout,
    error: &str,
    now: i64,
) -> Result<LogoutOutcome> {
    let config = state.config();
    let policy = RetryPolicy {
        initial_backoff: config.backchannel_logout_initial_backoff,
        retry_for: config.backchannel_logout_retry_for,
    };
    let store = state.store();
    match backchannel::next_attempt(policy, row.created_at, row.attempts, now) {
        NextAttempt::At(at) => {
            store.retry_logout(&row.id, owner, at, error).await?;
            tracing::info!(client_id = %row.client_id, logout_id = %row.id, attempts = row.attempts,
                error, retry_in = at - now, "back-channel logout failed; will try again");
            Ok(LogoutOutcome::Retrying)
        }
        NextAttempt::GiveUp => {
            store.give_up_logout(&row.id, owner, now, error).await?;
            tracing::warn!(client_id = %row.client_id, logout_id = %row.id, attempts = row.attempts,
                error, "back-channel logout given up: the app was not reached within backchannel_logout_retry_for");
            Ok(LogoutOutcome::GaveUp)
        }
    }
}

/// The logout token for `row`, signed now by the key signing now.
fn sign(state: &AppState, client: &Client, row: &PendingLogout) -> Result<String> {
    let subject = LogoutSubject {
        issuer: state.issuer(),
        client_id: &client.id,
        sub: &row.sub,
        sid: &row.sid,
        session_required: client.backchannel_logout_session_required,
        jti: &row.id,
    };
    let now = state.now();
    let claims = logout_token_claims(&subject, now);
    // The algorithm the client verifies its ID tokens with is the one it is ready for.
    let alg = client.id_token_signed_response_alg;
    Ok(state.keys().sign(alg, TokenType::Logout, &claims, now)?)
}

/// POSTs `logout_token` (§2.5) and returns the status. The body of the answer is never read,
/// so a huge or endless one costs nothing; the whole exchange is bounded by the timeout. The
/// error says what went wrong without the token.
async fn post(
    state: &AppState,
    http: &reqwest::Client,
    uri: &str,
    token: String,
) -> std::result::Result<u16, String> {
    let timeout = state.config().backchannel_logout_timeout;
    let started = Instant::now();
    let sent = http
        .post(uri)
        .timeout(Duration::from_secs(timeout))
        .form(&[("logout_token", token)])
        .send()
        .await;
    observe::logout_attempt_took(started.elapsed());
    match sent {
        Ok(response) => Ok(response.status().as_u16()),
        Err(e) if e.is_timeout() => Err(format!("no answer within {timeout} s")),
        Err(e) if e.is_connect() => Err("could not connect".to_string()),
        Err(e) => Err(format!("request failed: {}", e.without_url())),
    }
}
