//! `grant_type=urn:ietf:params:oauth:grant-type:device_code` (RFC 8628 §3.4, §3.5): a poll.
//! What it is answered with is `oauth::device::decide_poll`; each answer without tokens is
//! recorded with a compare on the last poll's time, so two polls at once on two instances
//! cannot both pass as on time. Tokens are issued as for an authorization code (the
//! approving sign-in's `auth_time` and `amr`, a refresh token with `offline_access`, bound
//! to the proven DPoP key) and only by the one update that spends the approved grant.
use super::super::error::Result;
use super::super::mint::issuance::Issuance;
use super::super::mint::refresh_family::{Family, NewRefresh};
use super::super::mint::sign::sign_tokens;
use crate::auth::secret;
use crate::oauth::client::Client;
use crate::oauth::device::{DeviceGrant, Poll, decide_poll};
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::grants::DeviceCodeGrant;
use crate::oauth::resource::token_audience;
use crate::oauth::token_response::TokenResponse;
use crate::state::AppState;
use crate::store::device_codes::PollRecord;

/// Reads of a grant whose poll record another poll beat: those are polls at the same
/// moment, so a third race is answered `slow_down` without reading again.
const RACES: usize = 2;

pub async fn poll(
    state: &AppState,
    client: &Client,
    request: &DeviceCodeGrant,
    dpop_jkt: Option<&str>,
    now: i64,
) -> Result<TokenResponse> {
    let device_code_hash = secret::hash(&request.device_code);
    for _ in 0..RACES {
        let Some(grant) = state.store().find_device_code(&device_code_hash).await? else {
            return Err(OAuthError::invalid_grant("the device code is invalid").into());
        };
        let poll = decide_poll(&grant, &client.id, now)?;
        let interval = match poll {
            Poll::Issue => {
                let spend = Spend {
                    device_code_hash: &device_code_hash,
                    grant: &grant,
                    dpop_jkt,
                };
                return issue(state, client, request, spend, now).await;
            }
            Poll::SlowDown { interval } => interval,
            Poll::Pending => grant.interval,
        };
        let record = PollRecord {
            device_code_hash: &device_code_hash,
            seen_last_poll: grant.last_polled_at,
            interval,
            now,
        };
        if state.store().record_device_poll(&record).await? {
            return Err(poll.error().map_or_else(pending, Into::into));
        }
    }
    Err(OAuthError::new(ErrorCode::SlowDown, "polling too fast").into())
}

fn pending() -> crate::service::Error {
    OAuthError::new(
        ErrorCode::AuthorizationPending,
        "the user has not answered yet",
    )
    .into()
}

/// An approved grant about to be spent.
struct Spend<'a> {
    device_code_hash: &'a str,
    grant: &'a DeviceGrant,
    dpop_jkt: Option<&'a str>,
}

async fn issue(
    state: &AppState,
    client: &Client,
    request: &DeviceCodeGrant,
    spend: Spend<'_>,
    now: i64,
) -> Result<TokenResponse> {
    let Spend {
        device_code_hash,
        grant,
        dpop_jkt,
    } = spend;
    let approval = grant
        .approval
        .as_ref()
        .ok_or_else(|| OAuthError::invalid_grant("the device code has no approval"))?;
    let audience = token_audience(
        &client.resources,
        &grant.resources,
        request.resource.as_deref(),
    )?;
    let user = state
        .store()
        .find_active_user(&approval.user_id)
        .await?
        .ok_or_else(|| OAuthError::invalid_grant("the user account is no longer active"))?;
    let issuance = Issuance {
        client,
        user: &user,
        scope: &grant.scope,
        audience,
        auth_time: approval.auth_time,
        amr: &approval.amr,
        nonce: None,
        session_id_hash: &approval.session_id_hash,
        dpop_jkt,
    };
    crate::observe::note_user(&user.id);
    let signed = sign_tokens(state, &issuance, now)?;
    let refresh = NewRefresh::for_grant(&grant.scope);
    let family_id = uuid::Uuid::new_v4().to_string();
    let family = Family::starting(
        &family_id,
        &grant.scope,
        &grant.resources,
        state.config(),
        now,
    );
    let refresh_row = refresh
        .as_ref()
        .map(|r| r.row(state.config(), &issuance, &family, &signed.id, now));
    let spent = state
        .store()
        .spend_device_code(device_code_hash, &client.id, refresh_row.as_ref(), now)
        .await?;
    if !spent {
        // Another poll (on any instance) spent it a moment ago.
        return Err(OAuthError::invalid_grant("the device code has already been used").into());
    }
    crate::observe::token_issued("device_code");
    Ok(signed.into_response(refresh.map(|r| r.token)))
}
