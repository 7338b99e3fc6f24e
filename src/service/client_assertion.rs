//! private_key_jwt at the token, revocation and introspection endpoints (RFC 7523 §2.2 and
//! §3, OIDC Core §9). An attempt is reserved on the limit of the client at this address (never
//! client-wide: a forger must not lock the genuine client out); the
//! assertion is verified with the client's keys (inline, or from its `jwks_uri`); then its
//! `jti` is recorded in the database, so it authenticates once, on every instance.
use std::net::IpAddr;

use serde_json::Value;

use super::error::Result;
use super::sign_in::attempt::{self, Settle, Verdict};
use super::throttle;
use crate::audit::{AuditEvent, EventType};
use crate::oauth::client::{Client, ClientOrigin};
use crate::oauth::client_assertion::{
    self, AssertionHeader, ExpectedAssertion, JwkSource, KeyLookup, PrivateKeyJwt,
    VerifiedAssertion, select_key,
};
use crate::oauth::error::OAuthError;
use crate::routes;
use crate::state::AppState;

/// Proves `client` sent `assertion`, once.
pub async fn authenticate(
    state: &AppState,
    client: &Client,
    assertion: &str,
    ip: IpAddr,
    now: i64,
) -> Result<()> {
    let Some(registration) = client.private_key_jwt.as_ref() else {
        return Err(OAuthError::invalid_client("client authentication failed").into());
    };
    let limits = throttle::assertion_limits(state.config(), &client.id, ip);
    let checked = check(state, client, registration, assertion, now);
    match attempt::run(state.store(), limits, now, checked).await? {
        AssertionCheck::Verified => Ok(()),
        AssertionCheck::Invalid(e) => {
            state.audit().record(
                AuditEvent::failure(EventType::ClientAuthenticationFailed)
                    .client(&client.id)
                    .detail("method", "private_key_jwt"),
            );
            Err(e.into())
        }
        AssertionCheck::KeysUnavailable => Err(OAuthError::invalid_client(
            "the client's keys could not be fetched from its jwks_uri",
        )
        .into()),
        AssertionCheck::Replayed => {
            state.audit().record(
                AuditEvent::failure(EventType::ClientAuthenticationFailed)
                    .client(&client.id)
                    .detail("method", "private_key_jwt")
                    .detail("replayed", true),
            );
            Err(OAuthError::invalid_client(
                "client assertion was already used (its jti was seen before)",
            )
            .into())
        }
    }
}

/// What checking an assertion made of it.
enum AssertionCheck {
    /// Verified, and its `jti` recorded now.
    Verified,
    Invalid(OAuthError),
    /// Nothing was guessed: the client's own server did not answer.
    KeysUnavailable,
    /// Verified, but its `jti` was used before.
    Replayed,
}

impl Verdict for AssertionCheck {
    fn settle(&self) -> Settle {
        match self {
            Self::Verified | Self::KeysUnavailable => Settle::Release,
            Self::Invalid(_) | Self::Replayed => Settle::Fail,
        }
    }
}

/// Verifies the assertion, then records its `jti`: only now, so an assertion that fails
/// verification cannot use up a jti.
async fn check(
    state: &AppState,
    client: &Client,
    registration: &PrivateKeyJwt,
    assertion: &str,
    now: i64,
) -> Result<AssertionCheck> {
    let verified = match verify(state, client, registration, assertion, now).await {
        Ok(verified) => verified,
        Err(Refusal::Invalid(e)) => return Ok(AssertionCheck::Invalid(e)),
        Err(Refusal::KeysUnavailable) => return Ok(AssertionCheck::KeysUnavailable),
    };
    let recorded = state
        .store()
        .record_client_assertion(&client.id, &verified.jti, verified.remember_until)
        .await?;
    Ok(match recorded {
        true => AssertionCheck::Verified,
        false => AssertionCheck::Replayed,
    })
}

enum Refusal {
    Invalid(OAuthError),
    KeysUnavailable,
}

impl From<OAuthError> for Refusal {
    fn from(e: OAuthError) -> Self {
        Self::Invalid(e)
    }
}

async fn verify(
    state: &AppState,
    client: &Client,
    registration: &PrivateKeyJwt,
    assertion: &str,
    now: i64,
) -> std::result::Result<VerifiedAssertion, Refusal> {
    // Before any key is looked up or fetched: unsigned, HMAC and unregistered algorithms.
    let header = client_assertion::read_header(assertion, registration.alg)?;
    crate::oauth::profile::check_assertion_alg(client, header.alg)?;
    let key = find_key(state, client, registration, &header, now).await?;
    let token_endpoint = format!("{}{}", state.issuer(), routes::TOKEN);
    let expected = ExpectedAssertion {
        client_id: &client.id,
        issuer: state.issuer(),
        token_endpoint: registration
            .token_endpoint_audience
            .then_some(token_endpoint.as_str()),
        now,
    };
    Ok(client_assertion::verify(
        assertion, &header, &key, &expected,
    )?)
}

/// The key the header names, from the configuration or the client's `jwks_uri` (fetched
/// again when the key is not in the cached set, as far as the refetch limit allows).
async fn find_key(
    state: &AppState,
    client: &Client,
    registration: &PrivateKeyJwt,
    header: &AssertionHeader,
    now: i64,
) -> std::result::Result<Value, Refusal> {
    let uri = match &registration.keys {
        JwkSource::Inline(keys) => {
            return chosen(select_key(keys, header.alg, header.kid.as_deref()));
        }
        JwkSource::Uri(uri) => uri,
    };
    let cache = state.client_jwks();
    let unavailable = |_| Refusal::KeysUnavailable;
    // A jwks_uri Tessera did not get from its own configuration goes through the SSRF guard.
    let guard = match client.origin {
        ClientOrigin::Config => None,
        _ => Some(state.outbound().map_err(|_| Refusal::KeysUnavailable)?),
    };
    let keys = cache
        .keys(&client.id, uri, now, false, guard)
        .await
        .map_err(unavailable)?;
    match select_key(&keys, header.alg, header.kid.as_deref()) {
        KeyLookup::NotFound => {
            let keys = cache
                .keys(&client.id, uri, now, true, guard)
                .await
                .map_err(unavailable)?;
            chosen(select_key(&keys, header.alg, header.kid.as_deref()))
        }
        found => chosen(found),
    }
}

fn chosen(lookup: KeyLookup<'_>) -> std::result::Result<Value, Refusal> {
    match lookup {
        KeyLookup::Found(key) => Ok(key.clone()),
        KeyLookup::NotFound => Err(OAuthError::invalid_client(
            "client assertion: no registered key matches its kid (or, without a kid, its alg)",
        )
        .into()),
        KeyLookup::Ambiguous => Err(OAuthError::invalid_client(
            "client assertion: several registered keys fit; name one with kid",
        )
        .into()),
    }
}
