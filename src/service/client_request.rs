//! What the token, revocation and introspection endpoints receive (RFC 6749 §2.3, §3.2): a
//! form body, the `Authorization` header as sent, the caller's address and any DPoP proof;
//! and the client (at introspection: the client or the API) that the request authenticates.
use std::net::IpAddr;

use super::error::Result;
use super::{client_auth, clients};
use crate::oauth::client::Client;
use crate::oauth::client_auth::{claimed_client_id, presented_credentials};
use crate::oauth::dpop::PresentedProof;
use crate::oauth::error::OAuthError;
use crate::oauth::introspection::Caller;
use crate::oauth::params::Params;
use crate::state::AppState;

pub struct ClientRequest {
    /// The form body: form-encoded, no parameter repeated but `resource`.
    pub params: Params,
    /// The `Authorization` header's value, unparsed.
    pub authorization: Option<Vec<u8>>,
    /// Where the request came from: failed authentications are limited per address too.
    pub ip: IpAddr,
    /// The `DPoP` header field(s) (RFC 9449 §4.1): read at the token endpoint only.
    pub dpop: PresentedProof,
}

impl ClientRequest {
    /// The request's state with the client its credentials name admitted (a registered
    /// client, say): what [`Self::authenticate`] must be given. Nothing is verified yet.
    pub async fn admit(&self, state: &AppState, now: i64) -> Result<AppState> {
        let presented = presented_credentials(self.authorization.as_deref(), &self.params)?;
        match claimed_client_id(&presented) {
            Some(client_id) => Ok(clients::admit(state, &client_id, now).await?),
            None => Ok(state.clone()),
        }
    }

    /// The client that the request's credentials prove.
    pub async fn authenticate<'s>(&self, state: &'s AppState, now: i64) -> Result<&'s Client> {
        let presented = presented_credentials(self.authorization.as_deref(), &self.params)?;
        client_auth::authenticate(state, presented, self.ip, now).await
    }

    /// The client or API (resource server) that the request's credentials prove.
    pub async fn authenticate_introspector<'s>(
        &self,
        state: &'s AppState,
        now: i64,
    ) -> Result<Caller<'s>> {
        let presented = presented_credentials(self.authorization.as_deref(), &self.params)?;
        client_auth::authenticate_introspector(state, presented, self.ip, now).await
    }

    /// The `token` parameter of a revocation (RFC 7009 §2.1) or introspection
    /// (RFC 7662 §2.1) request.
    pub fn token(&self) -> std::result::Result<&str, OAuthError> {
        self.params
            .get("token")
            .ok_or_else(|| OAuthError::invalid_request("token is required"))
    }
}
