//! Which authorization request a browser's request stands for, validated: the parameters
//! themselves (carried in the query string of every page and validated again at each step),
//! or a pushed request (RFC 9126 §4), claimed by the first `/authorize` that names its
//! `request_uri` and named on the pages by its handle only, read from the database at every
//! step where the browser cannot change it. Every other parameter beside the `request_uri`
//! (or handle) and `client_id` is ignored for a pushed request.
use super::error::Result;
use super::pushed;
use crate::oauth::authorize::{
    self, AuthorizationRequest, Channel, RedirectTarget, UntrustedRedirectError, Validation,
};
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::par::{self, PushedHandle};
use crate::oauth::params::Params;
use crate::oauth::redirect_uri;
use crate::state::AppState;

/// A request that cannot go on.
#[derive(Debug)]
pub enum Refusal {
    /// The redirect_uri is not trusted: tell the user, never redirect.
    Page(UntrustedRedirectError),
    /// Send the error to the client's (verified) redirect_uri.
    Redirect(String),
}

/// Where a request is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// `/authorize`, where a pushed request's `request_uri` is claimed.
    Endpoint,
    /// A sign-in page going on with a request, where a claimed pushed request is named by
    /// its handle.
    Page,
}

/// A request ready to go on: validated, its client, and what the pages carry in their URLs
/// (the request itself, or for a pushed one only its client and handle).
#[derive(Debug)]
pub struct Resolved<'s> {
    pub request: AuthorizationRequest,
    pub client: &'s Client,
    pub carried: Params,
}

/// A request that goes on, or why it cannot.
pub type Resolution<'s> = std::result::Result<Resolved<'s>, Refusal>;

/// The request `params` stand for at `entry`: a pushed one (claimed at the endpoint, or
/// named by its handle on a page), or the parameters themselves, validated against the
/// registered clients.
pub async fn resolve<'s>(
    state: &'s AppState,
    params: &Params,
    entry: Entry,
    now: i64,
) -> Result<Resolution<'s>> {
    match (entry, params.get("request_uri")) {
        (Entry::Endpoint, Some(request_uri)) => {
            return claimed(state, params, request_uri, now).await;
        }
        (Entry::Endpoint, None) => {}
        (Entry::Page, _) => {
            if let Some(handle) = PushedHandle::from_params(params) {
                return resumed(state, params, handle, now).await;
            }
        }
    }
    Ok(
        match authorize::validate(params, Channel::FrontChannel, |id| state.client(id)) {
            Validation::Valid(request, client) => {
                crate::observe::note_client(&client.id);
                Ok(Resolved {
                    request: *request,
                    client,
                    carried: params.clone(),
                })
            }
            Validation::ErrorPage(reason) => Err(Refusal::Page(reason)),
            Validation::ErrorRedirect(target, error) => {
                Err(Refusal::Redirect(error_redirect(state, &target, &error)))
            }
        },
    )
}

/// The error response URL for a trusted redirect_uri (RFC 6749 §4.1.2.1, RFC 9207).
pub fn error_redirect(state: &AppState, target: &RedirectTarget, error: &OAuthError) -> String {
    let mut pairs = vec![
        ("error", error.code.as_str()),
        ("error_description", error.description.as_ref()),
    ];
    if let Some(state_param) = &target.state {
        pairs.push(("state", state_param));
    }
    pairs.push(("iss", state.issuer()));
    redirect_uri::with_params(&target.redirect_uri, &pairs)
}

/// `/authorize?client_id=…&request_uri=…`: the pushed request, claimed now (that client's,
/// unexpired, once) and validated again, for the client's registration may have changed
/// since. Which of unknown, expired, used or another client's it was is not said.
async fn claimed<'s>(
    state: &'s AppState,
    params: &Params,
    request_uri: &str,
    now: i64,
) -> Result<Resolution<'s>> {
    let client = match client_of(state, params) {
        Ok(client) => client,
        Err(reason) => return Ok(Err(Refusal::Page(reason))),
    };
    let invalid = || {
        Ok(Err(Refusal::Page(
            UntrustedRedirectError::InvalidRequestUri,
        )))
    };
    let Ok(reference) = par::reference(request_uri) else {
        return invalid();
    };
    match pushed::claim(state, client, reference, now).await? {
        Some((pushed, handle)) => validated(state, &pushed, handle, now).await,
        None => invalid(),
    }
}

/// A sign-in page naming a claimed request by its handle: the stored request, if it is that
/// client's and has not ended.
async fn resumed<'s>(
    state: &'s AppState,
    params: &Params,
    handle: PushedHandle,
    now: i64,
) -> Result<Resolution<'s>> {
    let client = match client_of(state, params) {
        Ok(client) => client,
        Err(reason) => return Ok(Err(Refusal::Page(reason))),
    };
    match pushed::find(state, client, &handle, now).await? {
        Some(pushed) => validated(state, &pushed, handle, now).await,
        None => Ok(Err(Refusal::Page(
            UntrustedRedirectError::PushedRequestEnded,
        ))),
    }
}

/// The client the query names (once): the only parameter besides the `request_uri` or
/// handle read from the browser for a pushed request, and only to bind the request to it.
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

/// The stored request, validated as every request is (as pushed: the client authenticated
/// when it sent it); one that no longer passes ends here.
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
                request: *request,
                client,
                carried,
            }));
        }
        Validation::ErrorPage(reason) => Refusal::Page(reason),
        Validation::ErrorRedirect(target, error) => {
            Refusal::Redirect(error_redirect(state, &target, &error))
        }
    };
    pushed::end(state, &handle, now).await?;
    Ok(Err(refusal))
}
