//! Typing the user code on `/device` (RFC 8628 §3.3), a guess like any other: one attempt is
//! reserved on the per-address, per-browser and global limits before the code is looked up
//! (`sign_in::attempt`), a code that names no waiting device counts as a failure, and a right
//! one gives its attempt back. From then on the pages carry a new 256-bit handle, never the
//! code, so a later step is no second guess.
use super::super::error::Result;
use super::super::sign_in::attempt::{self, Settle, Verdict};
use super::super::throttle::device_entry_limits;
use crate::audit::{AuditEvent, EventType, Outcome};
use crate::auth::secret;
use crate::oauth::client::Client;
use crate::oauth::device::UserCode;
use crate::oauth::resource::ResourceIds;
use crate::oauth::scope::Scopes;
use crate::service::Error;
use crate::state::AppState;
use std::net::IpAddr;

/// What typing a user code came to.
#[derive(Debug)]
pub enum Entry {
    /// It names a waiting device: the pages carry `handle` from now on.
    Found(Handle),
    /// It names none: wrong, expired, already answered, or not a code at all.
    Unknown,
}

/// The secret the device pages carry once the code was typed right. Never in Debug output.
pub struct Handle(pub String);

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handle(..)")
    }
}

impl Verdict for Entry {
    fn settle(&self) -> Settle {
        match self {
            Self::Found(_) => Settle::Release,
            Self::Unknown => Settle::Fail,
        }
    }
}

/// The user code `typed` from `ip` in the browser whose CSRF cookie is `browser`. Input that
/// cannot be a code is `Unknown` without counting: it cannot hit one.
pub async fn enter(
    state: &AppState,
    typed: &str,
    ip: IpAddr,
    browser: &str,
    now: i64,
) -> Result<Entry> {
    let Some(code) = UserCode::parse(typed) else {
        return Ok(Entry::Unknown);
    };
    let limits = device_entry_limits(state.config(), ip, browser);
    let entered = attempt::run(state.store(), limits, now, claim(state, &code, now)).await;
    let event = AuditEvent::new(EventType::DeviceCodeEntered, outcome(&entered));
    state.audit().record(event);
    entered
}

async fn claim(state: &AppState, code: &UserCode, now: i64) -> Result<Entry> {
    let handle = secret::generate();
    let claimed = state
        .store()
        .claim_user_code(&secret::hash(code.as_str()), &secret::hash(&handle), now)
        .await?;
    Ok(match claimed {
        Some(_) => Entry::Found(Handle(handle)),
        None => Entry::Unknown,
    })
}

fn outcome(entered: &Result<Entry>) -> Outcome {
    match entered {
        Ok(Entry::Found(_)) => Outcome::Success,
        Err(Error::Throttled { .. }) => Outcome::Throttled,
        _ => Outcome::Failure,
    }
}

/// A device waiting for its user's answer, as the pages show it.
#[derive(Debug)]
pub struct WaitingDevice<'s> {
    pub client: &'s Client,
    pub scope: Scopes,
    pub resources: ResourceIds,
}

/// The waiting device the pages' `handle` names, if it still waits (unanswered, unexpired,
/// its handle not replaced by a later entry of the code) and its client is still registered.
pub async fn waiting<'s>(
    state: &'s AppState,
    handle: &str,
    now: i64,
) -> Result<Option<WaitingDevice<'s>>> {
    let found = state
        .store()
        .find_device_code_by_handle(&secret::hash(handle), now)
        .await?;
    Ok(found.and_then(|grant| {
        let client = state.client(&grant.client_id)?;
        Some(WaitingDevice {
            client,
            scope: grant.scope,
            resources: grant.resources,
        })
    }))
}
