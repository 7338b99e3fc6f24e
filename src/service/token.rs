//! `POST /token` (RFC 6749 §3.2, §5) as one use case: the client authenticates, the request
//! names a grant type the client is registered for, and that grant runs, each in a service
//! of its own (`code_exchange`, `refresh`, `client_credentials`).
use super::client_request::ClientRequest;
use super::error::Result;
use super::{client_credentials, code_exchange, refresh};
use crate::oauth::grants::{self, TokenRequest};
use crate::oauth::token_response::TokenResponse;
use crate::state::AppState;

pub async fn token_request(
    state: &AppState,
    request: &ClientRequest,
    now: i64,
) -> Result<TokenResponse> {
    let client = request.authenticate(state, now).await?;
    let grant = grants::parse_token_request(&request.params)?;
    grants::check_grant_allowed(client, &grant)?;
    match &grant {
        TokenRequest::AuthorizationCode(code) => {
            code_exchange::exchange_code(state, client, code, now).await
        }
        TokenRequest::RefreshToken(refresh) => refresh::refresh(state, client, refresh, now).await,
        TokenRequest::ClientCredentials(asked) => {
            client_credentials::issue(state, client, asked, now)
        }
    }
}
