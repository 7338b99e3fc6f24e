//! Client authentication at the token, revocation and introspection endpoints
//! (RFC 6749 §2.3, OIDC Core §9). The core says which client and which secret; this proves
//! the secret: from the instance's cache of verified secrets, or with argon2 after an attempt
//! was reserved on the client's limits, so parallel guesses cannot outrun them. A
//! private_key_jwt assertion is proved by `client_assertion`, on the same limits.
use std::net::IpAddr;

use zeroize::Zeroizing;

use super::error::{Error, Result};
use super::{client_assertion, throttle};
use crate::oauth::client::Client;
use crate::oauth::client_auth::{PresentedCredentials, identify_client};
use crate::oauth::error::OAuthError;
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
    // The common case, a secret that already passed argon2, costs no hashing and no
    // database round trip.
    if state.secret_cache().matches(&client.id, &secret) {
        return Ok(client);
    }
    if state.passwords().is_saturated() {
        return Err(Error::Overloaded);
    }
    let limits = throttle::client_limits(state.config(), &client.id, ip);
    let reservation = throttle::reserve(state.store(), limits, now).await?;
    let hash = client.secret_hash.clone();
    let verified = match hash {
        None => false,
        Some(hash) => {
            let checked = state
                .passwords()
                .verify(Zeroizing::new(secret.to_string()), Some(hash))
                .await;
            match checked {
                Ok(verified) => verified,
                // Not evaluated (the pool shed it): the attempt does not count.
                Err(e) => {
                    reservation.release().await?;
                    return Err(e.into());
                }
            }
        }
    };
    if !verified {
        reservation.fail().await?;
        tracing::info!(client_id = %client.id, "client authentication failed");
        return Err(OAuthError::invalid_client("client authentication failed").into());
    }
    reservation.release().await?;
    state.secret_cache().remember(&client.id, &secret);
    Ok(client)
}
