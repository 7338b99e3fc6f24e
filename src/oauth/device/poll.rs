//! RFC 8628 §3.4, §3.5: what a poll of the token endpoint with a device code is answered
//! with, decided from the stored grant and `now`. The service records the poll (its time,
//! and a grown interval after `slow_down`) and, for `Issue`, spends the grant atomically.
use std::str::FromStr;

use super::SLOW_DOWN_STEP;
use crate::oauth::amr::Amr;
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::resource::ResourceIds;
use crate::oauth::scope::Scopes;

/// Where a device grant stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceStatus {
    /// Waiting for the user.
    Pending,
    /// The user allowed it: the next poll gets tokens.
    Approved,
    /// The user denied it.
    Denied,
    /// Tokens were issued: nothing more comes of it.
    Spent,
}

impl DeviceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Spent => "spent",
        }
    }
}

impl FromStr for DeviceStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pending" => Ok(Self::Pending),
            "approved" => Ok(Self::Approved),
            "denied" => Ok(Self::Denied),
            "spent" => Ok(Self::Spent),
            other => Err(format!("unknown device grant status {other:?}")),
        }
    }
}

/// Who allowed a device grant, and how they had signed in: what its tokens say.
#[derive(Debug, Clone)]
pub struct Approval {
    pub user_id: String,
    pub session_id_hash: String,
    pub auth_time: i64,
    pub amr: Amr,
}

/// A device grant as stored.
#[derive(Debug, Clone)]
pub struct DeviceGrant {
    pub client_id: String,
    pub scope: Scopes,
    /// The APIs named with `resource` (RFC 8707).
    pub resources: ResourceIds,
    pub status: DeviceStatus,
    pub expires_at: i64,
    /// Seconds the client must wait between polls (grown by every `slow_down`).
    pub interval: i64,
    pub last_polled_at: Option<i64>,
    /// Set once the user allowed it.
    pub approval: Option<Approval>,
}

/// What a poll is answered with, when it is not an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Poll {
    /// `authorization_pending`: the poll is recorded at `now`.
    Pending,
    /// `slow_down`: polled sooner than the interval; the interval becomes `interval`.
    SlowDown { interval: i64 },
    /// The user allowed it: tokens, once.
    Issue,
}

impl Poll {
    /// The error a poll that gets no tokens is answered with (RFC 8628 §3.5).
    pub fn error(self) -> Option<OAuthError> {
        match self {
            Self::Pending => Some(OAuthError::new(
                ErrorCode::AuthorizationPending,
                "the user has not answered yet",
            )),
            Self::SlowDown { interval } => Some(OAuthError::new(
                ErrorCode::SlowDown,
                format!("polling too fast: wait {interval} seconds between requests"),
            )),
            Self::Issue => None,
        }
    }
}

/// The answer to a poll by `client_id` at `now`. A spent grant is `invalid_grant` (success
/// comes once), then expiry, then the user's denial; a poll sooner than `interval` after the
/// last one is `slow_down` while the user has not answered.
pub fn decide_poll(grant: &DeviceGrant, client_id: &str, now: i64) -> Result<Poll, OAuthError> {
    if grant.client_id != client_id {
        return Err(OAuthError::invalid_grant(
            "the device code was issued to another client",
        ));
    }
    if grant.status == DeviceStatus::Spent {
        return Err(OAuthError::invalid_grant(
            "the device code has already been used",
        ));
    }
    if now >= grant.expires_at {
        return Err(OAuthError::new(
            ErrorCode::ExpiredToken,
            "the device code has expired: start again",
        ));
    }
    match grant.status {
        DeviceStatus::Denied => Err(OAuthError::new(
            ErrorCode::AccessDenied,
            "the user denied the request",
        )),
        DeviceStatus::Approved => Ok(Poll::Issue),
        DeviceStatus::Pending | DeviceStatus::Spent => {
            let too_soon = grant
                .last_polled_at
                .is_some_and(|last| now - last < grant.interval);
            Ok(match too_soon {
                true => Poll::SlowDown {
                    interval: grant.interval + SLOW_DOWN_STEP,
                },
                false => Poll::Pending,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(status: DeviceStatus) -> DeviceGrant {
        DeviceGrant {
            client_id: "tv".into(),
            scope: Scopes::parse("openid").unwrap(),
            resources: ResourceIds::default(),
            status,
            expires_at: 1600,
            interval: 5,
            last_polled_at: None,
            approval: None,
        }
    }

    fn code(result: Result<Poll, OAuthError>) -> ErrorCode {
        result.unwrap_err().code
    }

    #[test]
    fn pending_until_the_user_answers_then_tokens() {
        assert_eq!(
            decide_poll(&grant(DeviceStatus::Pending), "tv", 1000),
            Ok(Poll::Pending)
        );
        assert_eq!(
            decide_poll(&grant(DeviceStatus::Approved), "tv", 1000),
            Ok(Poll::Issue)
        );
        assert_eq!(
            code(decide_poll(&grant(DeviceStatus::Denied), "tv", 1000)),
            ErrorCode::AccessDenied
        );
    }

    #[test]
    fn each_poll_sooner_than_the_interval_grows_it_by_five_seconds() {
        let mut polled = grant(DeviceStatus::Pending);
        polled.last_polled_at = Some(1000);
        assert_eq!(
            decide_poll(&polled, "tv", 1004),
            Ok(Poll::SlowDown { interval: 10 })
        );
        assert_eq!(decide_poll(&polled, "tv", 1005), Ok(Poll::Pending));
        polled.interval = 10;
        assert_eq!(
            decide_poll(&polled, "tv", 1009),
            Ok(Poll::SlowDown { interval: 15 })
        );
        assert!(
            Poll::SlowDown { interval: 15 }
                .error()
                .unwrap()
                .description
                .contains("15")
        );
    }

    #[test]
    fn a_spent_code_is_invalid_grant_even_after_expiry_and_an_expired_one_expired_token() {
        assert_eq!(
            code(decide_poll(&grant(DeviceStatus::Spent), "tv", 1000)),
            ErrorCode::InvalidGrant
        );
        assert_eq!(
            code(decide_poll(&grant(DeviceStatus::Spent), "tv", 9000)),
            ErrorCode::InvalidGrant
        );
        for status in [
            DeviceStatus::Pending,
            DeviceStatus::Approved,
            DeviceStatus::Denied,
        ] {
            assert_eq!(
                code(decide_poll(&grant(status), "tv", 1600)),
                ErrorCode::ExpiredToken
            );
        }
    }

    #[test]
    fn another_clients_device_code_is_refused() {
        assert_eq!(
            code(decide_poll(&grant(DeviceStatus::Approved), "other", 1000)),
            ErrorCode::InvalidGrant
        );
    }

    #[test]
    fn statuses_round_trip() {
        for status in [
            DeviceStatus::Pending,
            DeviceStatus::Approved,
            DeviceStatus::Denied,
            DeviceStatus::Spent,
        ] {
            assert_eq!(status.as_str().parse::<DeviceStatus>(), Ok(status));
        }
        assert!("other".parse::<DeviceStatus>().is_err());
    }
}
