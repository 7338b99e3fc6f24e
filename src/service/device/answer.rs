//! The user's answer to a waiting device (RFC 8628 §3.3): allow or deny, by a signed-in user
//! whose sign-in is as strong as their account (a second factor they have was passed) and as
//! the client demands. The device consent is never remembered: every device is asked about,
//! since a code typed on someone's behalf is how the flow is phished (§5.4).
use super::super::error::Result;
use super::super::sessions;
use super::super::signed_in::{self, SignedIn};
use crate::audit::{AuditEvent, EventType};
use crate::auth::secret;
use crate::oauth::client::Client;
use crate::oauth::device::Approval;
use crate::state::AppState;

/// Who may answer, for the session cookie the browser sent.
#[derive(Debug)]
pub enum Answerer {
    /// Signed in as strongly as the account and the client need.
    Ready(Box<SignedIn>),
    /// Not signed in, or only with the password while the account has a second factor: the
    /// sign-in (both steps) comes first.
    SignInFirst,
    /// The client demands two-step verification and the account has none.
    SecondFactorMissing,
}

pub async fn answerer(
    state: &AppState,
    client: &Client,
    session_cookie: Option<&str>,
    now: i64,
) -> Result<Answerer> {
    let Some(current) = signed_in::signed_in(state, session_cookie, now).await? else {
        return Ok(Answerer::SignInFirst);
    };
    let view = sessions::view(state, &current.session).await?;
    let passed = current.session.amr.has_second_factor();
    Ok(match (passed, view.has_second_factor) {
        (true, _) => Answerer::Ready(Box::new(current)),
        (false, true) => Answerer::SignInFirst,
        (false, false) if client.require_mfa => Answerer::SecondFactorMissing,
        (false, false) => Answerer::Ready(Box::new(current)),
    })
}

/// How an answer went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Approved,
    Denied,
    /// The device no longer waits (expired, answered, or its code typed again elsewhere).
    NoLongerWaiting,
}

/// The user allowed the device: its next poll gets tokens for this user and sign-in.
pub async fn allow(
    state: &AppState,
    handle: &str,
    client: &Client,
    current: &SignedIn,
    now: i64,
) -> Result<Answered> {
    let session = &current.session;
    let approval = Approval {
        user_id: session.user_id.clone(),
        session_id_hash: session.id_hash.clone(),
        auth_time: session.auth_time,
        amr: session.amr.clone(),
    };
    let approved = state
        .store()
        .approve_device_code(&secret::hash(handle), &approval, now)
        .await?;
    if !approved {
        return Ok(Answered::NoLongerWaiting);
    }
    state.audit().record(
        AuditEvent::success(EventType::DeviceCodeApproved)
            .user(&session.user_id)
            .client(&client.id),
    );
    Ok(Answered::Approved)
}

/// The user denied the device (or it may not be allowed): its next poll gets
/// `access_denied`.
pub async fn deny(
    state: &AppState,
    handle: &str,
    client: &Client,
    user_id: Option<&str>,
    now: i64,
) -> Result<Answered> {
    let denied = state
        .store()
        .deny_device_code(&secret::hash(handle), now)
        .await?;
    if !denied {
        return Ok(Answered::NoLongerWaiting);
    }
    let event = AuditEvent::success(EventType::DeviceCodeDenied).client(&client.id);
    let event = match user_id {
        Some(user_id) => event.user(user_id),
        None => event,
    };
    state.audit().record(event);
    Ok(Answered::Denied)
}
