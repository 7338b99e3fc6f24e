//! A pushed authorization request (RFC 9126 §4) on its way through the browser. The first
//! `/authorize` naming its `request_uri` claims it (that client's, unexpired, once) and gets a
//! new secret handle; the sign-in pages then carry only the client and that handle, and read
//! the request from the database at every step, where the browser cannot change it. The
//! request ends (consumed) when its code is issued or an error goes back to the client; the
//! handle and the `request_uri` then answer nothing.
use super::authorize::{Refusal, Resolution, Resolved, error_redirect};
use super::error::Result;
use crate::auth::secret;
use crate::oauth::authorize::{
    self, AuthorizationRequest, Channel, UntrustedRedirectError, Validation, after_fresh_login,
};
use crate::oauth::client::Client;
use crate::oauth::par::{self, PushedHandle};
use crate::oauth::params::Params;
use crate::state::AppState;
use crate::store::pushed_requests::Claim;

/// How long a claimed request may take through sign-in, second step and consent (and a trip
/// to an upstream provider, ten minutes of its own) before the user must start again.
pub const SIGN_IN_TTL: i64 = 900;

/// `/authorize?client_id=…&request_uri=…`: claims the pushed request and validates it again
/// (the client's registration may have changed since). Every other parameter is ignored
/// (RFC 9126 §4): only what was pushed counts.
pub async fn claim<'s>(
    state: &'s AppState,
    params: &Params,
    request_uri: &str,
    now: i64,
) -> Result<Resolution<'s>> {
    let client = match client_of(state, params) {
        Ok(client) => client,
        Err(reason) => return Ok(Err(Refusal::Page(reason))),
    };
    let Ok(reference) = par::reference(request_uri) else {
        return Ok(Err(Refusal::Page(
            UntrustedRedirectError::InvalidRequestUri,
        )));
    };
    let handle = PushedHandle::new(secret::generate());
    let handle_hash = secret::hash(handle.as_str());
    let claim = Claim {
        reference_hash: &secret::hash(reference),
        client_id: &client.id,
        handle_hash: &handle_hash,
        now,
        until: now + SIGN_IN_TTL,
    };
    match state.store().claim_pushed_request(&claim).await? {
        Some(pushed) => validated(state, &Params::parse(pushed.as_bytes()), handle, now).await,
        None => Ok(Err(Refusal::Page(
            UntrustedRedirectError::InvalidRequestUri,
        ))),
    }
}

/// A sign-in page naming a claimed request by its handle: the stored request, if it is that
/// client's and has not ended. Nothing else in the page's query counts.
pub async fn resume<'s>(
    state: &'s AppState,
    params: &Params,
    handle: PushedHandle,
    now: i64,
) -> Result<Resolution<'s>> {
    let client = match client_of(state, params) {
        Ok(client) => client,
        Err(reason) => return Ok(Err(Refusal::Page(reason))),
    };
    let handle_hash = secret::hash(handle.as_str());
    let store = state.store();
    match store
        .find_claimed_request(&handle_hash, &client.id, now)
        .await?
    {
        Some(pushed) => validated(state, &Params::parse(pushed.as_bytes()), handle, now).await,
        None => Ok(Err(Refusal::Page(
            UntrustedRedirectError::PushedRequestEnded,
        ))),
    }
}

/// The client the query names (once): the only parameter besides the request_uri or handle
/// that is read from the browser, and only to bind the request to it.
fn client_of<'s>(
    state: &'s AppState,
    params: &Params,
) -> std::result::Result<&'s Client, UntrustedRedirectError> {
    if params.is_duplicated("client_id") {
        return Err(UntrustedRedirectError::DuplicateParameter(
            "client_id".into(),
        ));
    }
    let client_id = params
        .get("client_id")
        .ok_or(UntrustedRedirectError::MissingClientId)?;
    state
        .client(client_id)
        .ok_or(UntrustedRedirectError::UnknownClient)
}

/// The stored request, validated as every request is; one that no longer passes ends here.
async fn validated<'s>(
    state: &'s AppState,
    pushed: &Params,
    handle: PushedHandle,
    now: i64,
) -> Result<Resolution<'s>> {
    let refusal = match authorize::validate(pushed, Channel::Pushed, |id| state.client(id)) {
        Validation::Valid(mut request, client) => {
            crate::observe::note_client(&client.id);
            let carried = par::continuation(pushed, &handle);
            request.pushed = Some(handle);
            return Ok(Ok(Resolved {
                request,
                client,
                carried,
            }));
        }
        Validation::ErrorPage(reason) => Refusal::Page(reason),
        Validation::ErrorRedirect(target, error) => {
            Refusal::Redirect(error_redirect(state, &target, &error))
        }
    };
    end(state, &handle, now).await?;
    Ok(Err(refusal))
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
