//! `POST /token` (RFC 6749 §3.2, §5) as one use case: the client authenticates, the request
//! names a grant type the client is registered for, its DPoP proof (if any) holds (RFC 9449
//! §5), and that grant runs, each in a service of its own (`code_exchange`, `refresh`,
//! `client_credentials`), binding its tokens to the proven key.
use super::client_request::ClientRequest;
use super::error::Result;
use super::{client_credentials, code_exchange, dpop, refresh};
use crate::oauth::grants::{self, TokenRequest};
use crate::oauth::token_response::TokenResponse;
use crate::state::AppState;

pub async fn token_request(
    state: &AppState,
    request: &ClientRequest,
    now: i64,
) -> Result<TokenResponse> {
    let admitted = request.admit(state, now).await?;
    let state = &admitted;
    let client = request.authenticate(state, now).await?;
    let grant = grants::parse_token_request(&request.params)?;
    grants::check_grant_allowed(client, &grant)?;
    let jkt = dpop::token_proof(state, client, &request.dpop, now).await?;
    let jkt = jkt.as_deref();
    match &grant {
        TokenRequest::AuthorizationCode(code) => {
            code_exchange::exchange_code(state, client, code, jkt, now).await
        }
        TokenRequest::RefreshToken(refresh) => {
            refresh::refresh(state, client, refresh, jkt, now).await
        }
        TokenRequest::ClientCredentials(asked) => {
            client_credentials::issue(state, client, asked, jkt, now)
        }
    }
}
