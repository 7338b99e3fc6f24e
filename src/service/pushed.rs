//! A pushed authorization request (RFC 9126) after `/par`: claimed once by the first
//! `/authorize` naming its `request_uri` (that client's, unexpired), which gives it a new
//! secret handle; read again through that handle by the sign-in pages; and ended (consumed)
//! when its code is issued or an error goes back to the client, after which neither the
//! `request_uri` nor the handle answers anything. Only hashes of both are stored.
use super::error::Result;
use crate::auth::secret;
use crate::oauth::authorize::{AuthorizationRequest, after_fresh_login};
use crate::oauth::client::Client;
use crate::oauth::par::PushedHandle;
use crate::oauth::params::Params;
use crate::state::AppState;
use crate::store::pushed_requests::Claim;

/// How long a claimed request may take through sign-in, second step and consent (and a trip
/// to an upstream provider, ten minutes of its own) before the user must start again.
pub const SIGN_IN_TTL: i64 = 900;

/// Claims the request `reference` names for `client`: its pushed parameters and the handle
/// it now goes on under, or `None` (unknown, expired, claimed before, another client's).
pub async fn claim(
    state: &AppState,
    client: &Client,
    reference: &str,
    now: i64,
) -> Result<Option<(Params, PushedHandle)>> {
    let handle = PushedHandle::new(secret::generate());
    let handle_hash = secret::hash(handle.as_str());
    let claim = Claim {
        reference_hash: &secret::hash(reference),
        client_id: &client.id,
        handle_hash: &handle_hash,
        now,
        until: now + SIGN_IN_TTL,
    };
    let pushed = state.store().claim_pushed_request(&claim).await?;
    Ok(pushed.map(|pushed| (Params::parse(pushed.as_bytes()), handle)))
}

/// The parameters of the claimed request `handle` names, if it is `client`'s and has not
/// ended.
pub async fn find(
    state: &AppState,
    client: &Client,
    handle: &PushedHandle,
    now: i64,
) -> Result<Option<Params>> {
    let handle_hash = secret::hash(handle.as_str());
    let pushed = state
        .store()
        .find_claimed_request(&handle_hash, &client.id, now)
        .await?;
    Ok(pushed.map(|pushed| Params::parse(pushed.as_bytes())))
}

/// A sign-in made for this request satisfies its `prompt=login` and `max_age` (as
/// `after_fresh_login` does for a request carried in the URL): the stored request says so
/// from now on, so the consent page does not ask for another.
pub async fn note_fresh_login(
    state: &AppState,
    request: &AuthorizationRequest,
    now: i64,
) -> Result<()> {
    let Some(handle) = &request.pushed else {
        return Ok(());
    };
    let handle_hash = secret::hash(handle.as_str());
    let store = state.store();
    if let Some(pushed) = store
        .find_claimed_request(&handle_hash, &request.client_id, now)
        .await?
    {
        let satisfied = after_fresh_login(&Params::parse(pushed.as_bytes()));
        store
            .update_claimed_request(&handle_hash, &satisfied.to_query())
            .await?;
    }
    Ok(())
}

/// Ends the claimed request, once: false if it had ended already (two answers at once).
pub async fn end(state: &AppState, handle: &PushedHandle, now: i64) -> Result<bool> {
    let handle_hash = secret::hash(handle.as_str());
    Ok(state
        .store()
        .consume_pushed_request(&handle_hash, now)
        .await?)
}
