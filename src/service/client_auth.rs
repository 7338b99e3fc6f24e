//! Client authentication at the token, revocation and introspection endpoints
//! (RFC 6749 §2.3, OIDC Core §9). The core says which client and which secret; this proves
//! the secret: from the instance's cache of verified secrets, or with argon2 after an attempt
//! was reserved on the client's limits, so parallel guesses cannot outrun them; requests
//! presenting the same secret at once share that one verification (single flight). A
//! private_key_jwt assertion is proved by `client_assertion`, on the per-address limit only.
use std::net::IpAddr;

use zeroize::Zeroizing;

use super::error::{Error, Result};
use super::sign_in::attempt::{self, Settle, Verdict};
use super::{client_assertion, throttle};
use crate::audit::{AuditEvent, EventType};
use crate::oauth::client::Client;
use crate::oauth::client_auth::{PresentedCredentials, identify_client};
use crate::oauth::error::OAuthError;
use crate::oauth::introspection::Caller;
use crate::state::AppState;

pub async fn authenticate(
    state: &AppState,
    presented: PresentedCredentials,
    ip: IpAddr,
    now: i64,
) -> Result<&Client> {
    let claimed = identify_client(presented, |id| state.client(id))?;
    let client = claimed.client;
    crate::observe::note_client(&client.id);
    if let Some(assertion) = claimed.assertion {
        client_assertion::authenticate(state, client, &assertion, ip, now).await?;
        return Ok(client);
    }
    let Some(secret) = claimed.secret.map(Zeroizing::new) else {
        return Ok(client);
    };
    prove_secret(
        state,
        &client.id,
        client.secret_hash.clone(),
        secret,
        ip,
        now,
    )
    .await?;
    Ok(client)
}

/// The caller of `/introspect`: a client, as at the other endpoints, or an API (resource
/// server) presenting its identifier and introspection secret in a Basic header. Client ids
/// and API identifiers never coincide (the configuration refuses it), so the name decides.
pub async fn authenticate_introspector(
    state: &AppState,
    presented: PresentedCredentials,
    ip: IpAddr,
    now: i64,
) -> Result<Caller<'_>> {
    let api = match &presented.basic {
        Some((id, _)) => state.resource(id),
        None => None,
    };
    let Some(api) = api else {
        return authenticate(state, presented, ip, now)
            .await
            .map(Caller::Client);
    };
    let secret = presented
        .basic
        .map(|(_, secret)| secret)
        .unwrap_or_default();
    if presented.body_client_secret.is_some()
        || presented.body_client_id.is_some()
        || presented.client_assertion.is_some()
    {
        return Err(
            OAuthError::invalid_request("use exactly one client authentication method").into(),
        );
    }
    let hash = api.introspection_secret_hash.clone();
    prove_secret(
        state,
        &api.identifier,
        hash,
        Zeroizing::new(secret),
        ip,
        now,
    )
    .await?;
    Ok(Caller::Api(api))
}

/// Proves `secret` against `hash` (`None`: nothing can match) for the client or API `id`.
async fn prove_secret(
    state: &AppState,
    id: &str,
    hash: Option<String>,
    secret: Zeroizing<String>,
    ip: IpAddr,
    now: i64,
) -> Result<()> {
    // The common case, a secret that already passed argon2, costs no hashing and no
    // database round trip.
    if state.secret_cache().matches(id, &secret) {
        return Ok(());
    }
    // Requests presenting the same secret at once share one verification: a busy client's
    // first burst after a restart costs one argon2 run, not one per request.
    state
        .secret_cache()
        .verify_once(id, &secret, || {
            verify_secret(state, id, hash, &secret, ip, now)
        })
        .await
}

/// One guess: reserved on the client's limits, evaluated by argon2, counted when wrong.
async fn verify_secret(
    state: &AppState,
    id: &str,
    hash: Option<String>,
    secret: &str,
    ip: IpAddr,
    now: i64,
) -> Result<()> {
    if state.passwords().is_saturated() {
        return Err(Error::Overloaded);
    }
    let limits = throttle::client_limits(state.config(), id, ip);
    let checked = attempt::run(
        state.store(),
        limits,
        now,
        check_secret(state, hash, secret),
    );
    if checked.await? == SecretCheck::Wrong {
        state.audit().record(
            AuditEvent::failure(EventType::ClientAuthenticationFailed)
                .client(id)
                .detail("method", "client_secret"),
        );
        return Err(OAuthError::invalid_client("client authentication failed").into());
    }
    Ok(())
}

/// What argon2 made of a client's secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretCheck {
    Right,
    Wrong,
}

impl Verdict for SecretCheck {
    fn settle(&self) -> Settle {
        match self {
            Self::Right => Settle::Release,
            Self::Wrong => Settle::Fail,
        }
    }
}

/// Checks `secret` against `hash` (`None`: nothing can match); an error when the password
/// pool shed the work, so the attempt does not count.
async fn check_secret(state: &AppState, hash: Option<String>, secret: &str) -> Result<SecretCheck> {
    let Some(hash) = hash else {
        return Ok(SecretCheck::Wrong);
    };
    let secret = Zeroizing::new(secret.to_string());
    Ok(match state.passwords().verify(secret, Some(hash)).await? {
        true => SecretCheck::Right,
        false => SecretCheck::Wrong,
    })
}
