//! `POST /device_authorization` (RFC 8628 §3.1, §3.2): the client authenticates as at
//! `/token` (every method, the same throttle; a public client names itself), must be
//! registered for the device grant, and its `scope` and `resource` are checked exactly as an
//! authorization request's are. A device code (256 random bits) and a user code are made and
//! stored hashed.
use super::super::client_request::ClientRequest;
use super::super::error::Result;
use crate::auth::secret;
use crate::oauth::authorize::device_request_scope;
use crate::oauth::client::GrantType;
use crate::oauth::device::{DeviceAuthorizationResponse, UserCode};
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::state::AppState;
use crate::store::device_codes::NewDeviceCode;

/// Attempts at a user code no live code has: with 20⁸ codes a clash is rare, and a
/// fourth in a row means something else is wrong.
const USER_CODE_TRIES: usize = 4;

pub async fn start(
    state: &AppState,
    call: &ClientRequest,
    now: i64,
) -> Result<DeviceAuthorizationResponse> {
    let client = call.authenticate(state, now).await?;
    if !client.may_use(GrantType::DeviceCode) {
        return Err(OAuthError::unauthorized_client(
            "this client is not registered for the device_code grant",
        )
        .into());
    }
    let (scope, resources) = device_request_scope(&call.params, client)?;
    let settings = &state.config().device_flow;
    let device_code = secret::generate();
    let device_code_hash = secret::hash(&device_code);
    for _ in 0..USER_CODE_TRIES {
        let user_code = UserCode::generate(rand::random::<u8>);
        let user_code_hash = secret::hash(user_code.as_str());
        let stored = state
            .store()
            .insert_device_code(&NewDeviceCode {
                device_code_hash: &device_code_hash,
                user_code_hash: &user_code_hash,
                client_id: &client.id,
                scope: &scope,
                resources: &resources,
                created_at: now,
                expires_at: now + settings.expires_in,
                interval: settings.interval,
            })
            .await?;
        // Not stored: the user code is a live (or not yet purged) grant's; draw another.
        if stored {
            return Ok(DeviceAuthorizationResponse::new(
                state.issuer(),
                device_code,
                &user_code,
                settings.expires_in,
                settings.interval,
            ));
        }
    }
    Err(OAuthError::new(
        ErrorCode::TemporarilyUnavailable,
        "no free user code: try again",
    )
    .into())
}
