//! A trip to an upstream identity provider and back: started by the sign-in page's button
//! (or the account page's "link"), finished at the upstream's own callback.
//!
//! The request is an authorization code flow with PKCE S256, `state` and (OIDC) `nonce`,
//! bound three ways: to the browser (the `state` is also its cookie, compared before anything
//! is read, so a callback with an invented or another browser's `state` costs nothing), to the
//! server (a row, claimed once by deleting it, on any instance, for ten minutes) and to the
//! upstream (one callback per upstream: a response delivered to another upstream's callback
//! is refused, as is an RFC 9207 `iss` that is not the upstream's).
use subtle::ConstantTimeEq;

use crate::audit::{AuditEvent, EventType};
use crate::auth::secret;
use crate::observe;
use crate::service::error::Result;
use crate::service::sign_in::upstream::{
    UpstreamRefusal, UpstreamSignIn, key_of, sign_in_with_upstream,
};
use crate::service::signed_in;
use crate::state::AppState;
use crate::store::upstream_identities::Linked;
use crate::store::upstream_requests::UpstreamRequestRow;
use crate::upstream::{UpstreamError, UpstreamRequest};

/// A trip is finished within ten minutes, or not at all.
pub const TRIP_TTL: i64 = 10 * 60;

/// What a trip is for.
#[derive(Debug, Clone, Copy)]
pub enum TripFor<'a> {
    /// Signing in; `continuation` is the authorization request's query (empty: the account).
    SignIn { continuation: &'a str },
    /// Linking another identity to the signed-in user (the account page).
    Link { user_id: &'a str },
}

/// How starting a trip ended.
#[derive(Debug)]
pub enum Start {
    /// Off to the upstream: the browser is sent to `redirect` holding `cookie_value`.
    Go {
        redirect: url::Url,
        cookie_value: String,
    },
    /// No upstream has this id.
    Unknown,
    /// The upstream cannot be used now (its discovery failed, its secret is unreadable).
    Unavailable,
}

/// Starts a trip to `upstream_id`.
pub async fn start(
    state: &AppState,
    upstream_id: &str,
    trip_for: TripFor<'_>,
    now: i64,
) -> Result<Start> {
    let upstream = match state.upstreams().get(upstream_id, now).await {
        Ok(upstream) => upstream,
        Err(UpstreamError::UnknownUpstream) => return Ok(Start::Unknown),
        Err(e) => {
            tracing::warn!(upstream = upstream_id, error = %e, "upstream unavailable");
            observe::upstream_sign_in(upstream_id, "unavailable");
            return Ok(Start::Unavailable);
        }
    };
    let request = UpstreamRequest {
        state: secret::generate(),
        nonce: secret::generate(),
        pkce_verifier: secret::generate(),
    };
    let (continuation, link_user_id) = match trip_for {
        TripFor::SignIn { continuation } => (continuation.to_string(), None),
        TripFor::Link { user_id } => (String::new(), Some(user_id.to_string())),
    };
    let row = UpstreamRequestRow {
        state_hash: secret::hash(&request.state),
        upstream_id: upstream.id().to_string(),
        nonce: request.nonce.clone(),
        pkce_verifier: request.pkce_verifier.clone(),
        continuation,
        link_user_id,
        created_at: now,
        expires_at: now + TRIP_TTL,
    };
    state.store().insert_upstream_request(&row).await?;
    Ok(Start::Go {
        redirect: upstream.authorization_url(&request),
        cookie_value: request.state,
    })
}

/// The callback's query, as the upstream sent it.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallbackQuery<'a> {
    pub state: Option<&'a str>,
    pub code: Option<&'a str>,
    /// The upstream's refusal (RFC 6749 §4.1.2.1), e.g. `access_denied`.
    pub error: Option<&'a str>,
    /// RFC 9207: the issuer the response claims to come from.
    pub iss: Option<&'a str>,
}

/// What the browser brings back besides the query.
#[derive(Debug, Clone, Copy)]
pub struct Browser<'a> {
    /// The trip cookie (the `state` it was sent with).
    pub trip_cookie: Option<&'a str>,
    /// The session cookie: replaced by a sign-in, the signed-in user of a link.
    pub session_cookie: Option<&'a str>,
}

/// Why a trip ended without an identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The user said no at the upstream (or the upstream refused the request).
    Denied,
    /// The upstream could not be reached or answered wrongly; try again later.
    Unavailable,
    /// The upstream's answer was refused (a forged or expired ID token, another issuer).
    Refused,
}

/// How a link from the account page ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOutcome {
    Linked,
    Refused(UpstreamRefusal),
    /// The browser is no longer signed in as the user who started the link.
    NotSignedIn,
}

/// How a callback ended.
#[derive(Debug)]
pub enum Callback {
    /// No trip matches: expired, already finished, another browser's, or invented.
    NoTrip,
    SignIn {
        continuation: String,
        outcome: UpstreamSignIn,
    },
    Link(LinkOutcome),
    /// Nothing was proven; the sign-in may go on with the password form.
    Failed {
        continuation: String,
        for_link: bool,
        failure: Failure,
    },
}

/// Finishes the trip to `upstream_id` that the callback `query` ends.
pub async fn finish(
    state: &AppState,
    upstream_id: &str,
    query: CallbackQuery<'_>,
    browser: Browser<'_>,
    now: i64,
) -> Result<Callback> {
    // An id that is not configured has no trip, and must not become a metric label.
    if !state.upstreams().contains(upstream_id) {
        return Ok(Callback::NoTrip);
    }
    let Some(trip) = claim(state, upstream_id, query.state, browser.trip_cookie, now).await? else {
        observe::upstream_sign_in(upstream_id, "no_trip");
        return Ok(Callback::NoTrip);
    };
    let failed = |failure: Failure| {
        observe::upstream_sign_in(upstream_id, failure.as_str());
        Callback::Failed {
            continuation: trip.continuation.clone(),
            for_link: trip.link_user_id.is_some(),
            failure,
        }
    };
    if let Some(error) = query.error {
        tracing::info!(
            upstream = upstream_id,
            error = error_code(error),
            "the upstream refused the sign-in"
        );
        return Ok(failed(match error {
            "access_denied" => Failure::Denied,
            _ => Failure::Refused,
        }));
    }
    let (Some(code), Some(trip_state)) = (query.code, query.state) else {
        return Ok(failed(Failure::Refused));
    };
    let upstream = match state.upstreams().get(upstream_id, now).await {
        Ok(upstream) => upstream,
        Err(e) => {
            tracing::warn!(upstream = upstream_id, error = %e, "upstream unavailable");
            return Ok(failed(Failure::Unavailable));
        }
    };
    let request = UpstreamRequest {
        state: trip_state.to_string(),
        nonce: trip.nonce.clone(),
        pkce_verifier: trip.pkce_verifier.clone(),
    };
    let identity = match upstream.finish(code, query.iss, &request, now).await {
        Ok(identity) => identity,
        Err(e) => {
            tracing::warn!(upstream = upstream_id, error = %e, "upstream sign-in failed");
            return Ok(failed(match e {
                UpstreamError::Unavailable(_) | UpstreamError::UnknownUpstream => {
                    Failure::Unavailable
                }
                UpstreamError::Refused(_) => Failure::Refused,
            }));
        }
    };
    if let Some(user_id) = &trip.link_user_id {
        let outcome = link(state, &upstream, &identity, user_id, browser, now).await?;
        observe::upstream_sign_in(upstream_id, outcome.as_str());
        return Ok(Callback::Link(outcome));
    }
    let outcome =
        sign_in_with_upstream(state, &upstream, &identity, browser.session_cookie, now).await?;
    observe::upstream_sign_in(upstream_id, outcome_word(&outcome));
    Ok(Callback::SignIn {
        continuation: trip.continuation,
        outcome,
    })
}

/// The trip this callback ends, claimed once. The browser's cookie must hold the callback's
/// `state` (checked before the database is asked: an invented `state` costs nothing); then a
/// read, and only for a trip that exists the claiming delete.
async fn claim(
    state: &AppState,
    upstream_id: &str,
    query_state: Option<&str>,
    cookie: Option<&str>,
    now: i64,
) -> Result<Option<UpstreamRequestRow>> {
    let (Some(query_state), Some(cookie)) = (query_state, cookie) else {
        return Ok(None);
    };
    if !bool::from(query_state.as_bytes().ct_eq(cookie.as_bytes())) {
        return Ok(None);
    }
    let store = state.store();
    let state_hash = secret::hash(query_state);
    if !store.upstream_request_exists(&state_hash, now).await? {
        return Ok(None);
    }
    let trip = store.take_upstream_request(&state_hash, now).await?;
    // A response delivered to another upstream's callback is not this upstream's (mix-up).
    Ok(trip.filter(|trip| trip.upstream_id == upstream_id))
}

/// Links the identity to `user_id`, who started the link from the account page and must
/// still be the browser's signed-in user.
async fn link(
    state: &AppState,
    upstream: &crate::upstream::Upstream,
    identity: &crate::upstream::VerifiedIdentity,
    user_id: &str,
    browser: Browser<'_>,
    now: i64,
) -> Result<LinkOutcome> {
    let signed_in = signed_in::signed_in(state, browser.session_cookie, now).await?;
    if signed_in.as_ref().map(|s| s.user_id()) != Some(user_id) {
        return Ok(LinkOutcome::NotSignedIn);
    }
    if !upstream.allows_email_of(identity) {
        return Ok(LinkOutcome::Refused(UpstreamRefusal::DomainNotAllowed));
    }
    let account_name = identity.account_name.as_deref();
    let linked = state
        .store()
        .link_upstream_identity(key_of(identity), user_id, account_name, now)
        .await?;
    Ok(match linked {
        Linked::Linked => {
            state.audit().record(
                AuditEvent::success(EventType::UpstreamIdentityLinked)
                    .user(user_id)
                    .detail("upstream", upstream.id()),
            );
            LinkOutcome::Linked
        }
        Linked::ToAnotherUser => LinkOutcome::Refused(UpstreamRefusal::LinkedElsewhere),
    })
}

impl Failure {
    fn as_str(self) -> &'static str {
        match self {
            Self::Denied => "denied",
            Self::Unavailable => "unavailable",
            Self::Refused => "failed",
        }
    }
}

impl LinkOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Linked => "linked",
            Self::Refused(refusal) => refusal.as_str(),
            Self::NotSignedIn => "not_signed_in",
        }
    }
}

fn outcome_word(outcome: &UpstreamSignIn) -> &'static str {
    use crate::service::sign_in::SignIn;
    match outcome {
        UpstreamSignIn::SignIn(SignIn::SignedIn(_)) => "signed_in",
        UpstreamSignIn::SignIn(SignIn::SecondStepNext(_)) => "second_factor_next",
        UpstreamSignIn::SignIn(SignIn::Refused(_)) => "refused",
        UpstreamSignIn::LinkFirst(_) => "link_first",
        UpstreamSignIn::Refused(refusal) => refusal.as_str(),
    }
}

/// An upstream's error code for the log: it arrives in the browser's query, so anyone can
/// write it; only a short code of letters, digits and `_` (every RFC 6749 code is one) is
/// logged as it is.
fn error_code(text: &str) -> &str {
    let plain = text.len() <= 64 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    match plain {
        true => text,
        false => "(not an error code)",
    }
}
