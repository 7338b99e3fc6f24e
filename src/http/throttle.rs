//! Applying attempt limits (see `auth::throttle`) to sign-in and client authentication.
use std::net::IpAddr;

use super::AppError;
use crate::auth::throttle::{Limit, retry_after};
use crate::state::AppState;
use crate::store::users::normalize_email;

/// The three limits on sign-in: per account stops guessing one password from many
/// addresses; per address stops one address spraying many accounts (credential stuffing);
/// per address and account keeps one noisy neighbour from locking everyone out of an account
/// sooner than they would alone.
pub struct LoginLimits {
    account: Limit,
    ip: Limit,
    ip_account: Limit,
}

impl LoginLimits {
    pub fn new(state: &AppState, email: &str, ip: IpAddr) -> Self {
        let config = state.config();
        let email = normalize_email(email);
        Self {
            account: Limit::new(
                "login-account",
                &email,
                config.login_max_failures_per_account,
            ),
            ip: Limit::new(
                "login-ip",
                &ip.to_string(),
                config.login_max_failures_per_ip,
            ),
            ip_account: Limit::new(
                "login-ip-account",
                &format!("{ip}|{email}"),
                config.login_max_failures_per_account,
            ),
        }
    }

    pub fn all(&self) -> [&Limit; 3] {
        [&self.account, &self.ip, &self.ip_account]
    }

    /// What a successful sign-in clears; the address's own count stands.
    pub fn of_account(&self) -> [&Limit; 2] {
        [&self.account, &self.ip_account]
    }
}

/// Per client, and per client from one address (a fifth of the limit, at least one), so one
/// address cannot lock a client out for everybody as quickly.
pub fn client_auth_limits(state: &AppState, client_id: &str, ip: IpAddr) -> [Limit; 2] {
    let max = state.config().client_max_auth_failures;
    [
        Limit::new("client", client_id, max),
        Limit::new("client-ip", &format!("{ip}|{client_id}"), (max / 5).max(1)),
    ]
}

/// Seconds until every limit allows an attempt again; `None` when all allow one now.
pub async fn blocked_for(
    state: &AppState,
    limits: impl IntoIterator<Item = &Limit>,
) -> Result<Option<i64>, AppError> {
    let (window, now) = (state.config().throttle_window, state.now());
    let mut longest = None;
    for limit in limits {
        let counter = state.store().throttle_counter(&limit.key).await?;
        if let Some(wait) = retry_after(counter, limit.max_failures, window, now) {
            longest = Some(longest.map_or(wait, |w: i64| w.max(wait)));
        }
    }
    Ok(longest)
}

pub async fn record_failure(
    state: &AppState,
    limits: impl IntoIterator<Item = &Limit>,
) -> Result<(), AppError> {
    let (window, now) = (state.config().throttle_window, state.now());
    for limit in limits {
        state
            .store()
            .record_failure(&limit.key, window, now)
            .await?;
    }
    Ok(())
}

pub async fn reset(
    state: &AppState,
    limits: impl IntoIterator<Item = &Limit>,
) -> Result<(), AppError> {
    for limit in limits {
        state.store().reset_counter(&limit.key).await?;
    }
    Ok(())
}
