//! `POST /par` (RFC 9126 §2) as one use case: the client authenticates as at `/token` (every
//! method, the same throttle), its request is validated exactly as `/authorize` validates one
//! (`oauth::authorize::validate`, told the request was pushed), and it is stored under a new
//! `request_uri` that lives `par_expires_in` seconds.
use serde::Serialize;

use super::client_request::ClientRequest;
use super::error::Result;
use crate::auth::secret;
use crate::oauth::authorize::{self, Channel, UntrustedRedirectError, Validation};
use crate::oauth::error::OAuthError;
use crate::oauth::par;
use crate::state::AppState;
use crate::store::pushed_requests::NewPushedRequest;

/// RFC 9126 §2.2: the answer, sent with 201 Created.
#[derive(Debug, Serialize)]
pub struct PushedRequest {
    pub request_uri: String,
    pub expires_in: i64,
}

pub async fn push(state: &AppState, call: &ClientRequest, now: i64) -> Result<PushedRequest> {
    let admitted = call.admit(state, now).await?;
    let state = &admitted;
    let client = call.authenticate(state, now).await?;
    let params = par::pushed_params(&call.params, &client.id)?;
    let only_this_client = |id: &str| (id == client.id).then_some(client);
    match authorize::validate(&params, Channel::Pushed, only_this_client) {
        Validation::Valid(..) => {}
        Validation::ErrorPage(reason) => return Err(untrusted(&reason).into()),
        Validation::ErrorRedirect(_, error) => return Err(error.into()),
    }
    let reference = secret::generate();
    let expires_in = state.config().par_expires_in;
    state
        .store()
        .insert_pushed_request(&NewPushedRequest {
            reference_hash: &secret::hash(&reference),
            client_id: &client.id,
            params: &params.to_query(),
            created_at: now,
            expires_at: now + expires_in,
        })
        .await?;
    Ok(PushedRequest {
        request_uri: par::request_uri(&reference),
        expires_in,
    })
}

/// RFC 9126 §2.3: what `/authorize` shows on a page (nowhere trusted to redirect to) is an
/// `invalid_request` here, told to the client that pushed it.
fn untrusted(reason: &UntrustedRedirectError) -> OAuthError {
    OAuthError::invalid_request(match reason {
        UntrustedRedirectError::MissingRedirectUri => "redirect_uri is required",
        UntrustedRedirectError::UnregisteredRedirectUri => {
            "redirect_uri is not registered for this client"
        }
        UntrustedRedirectError::DuplicateParameter(_) => {
            "client_id or redirect_uri was sent more than once"
        }
        UntrustedRedirectError::MissingClientId
        | UntrustedRedirectError::UnknownClient
        | UntrustedRedirectError::InvalidRequestUri
        | UntrustedRedirectError::PushedRequestEnded => "the request names no usable client",
    })
}
