//! The one throttle for every guessable secret: passwords, client secrets, second-factor
//! codes. An attempt is *reserved* on every limit that applies before the guess is evaluated
//! (argon2, TOTP), in one atomic statement per limit, so a burst of parallel guesses gets at
//! most the limit evaluated. A guess that turns out right gives its reservation back.
use std::net::IpAddr;

use super::error::{Error, Result};
use crate::auth::throttle::{Limit, ThrottleKind};
use crate::config::Config;
use crate::store::Store;
use crate::store::users::normalize_email;

/// The limits on one password attempt: per account (guessing one password from many
/// addresses), per address (one address spraying many accounts) and per address and account
/// (so one noisy neighbour cannot lock everybody out of an account as quickly).
pub fn password_limits(config: &Config, email: &str, ip: IpAddr) -> Vec<Limit> {
    let email = normalize_email(email);
    let window = config.throttle_window;
    let per_account = config.login_max_failures_per_account;
    vec![
        Limit::new(ThrottleKind::LoginAccount, &email, per_account, window),
        Limit::new(
            ThrottleKind::LoginAddress,
            &ip.to_string(),
            config.login_max_failures_per_ip,
            window,
        ),
        Limit::new(
            ThrottleKind::LoginAddressAccount,
            &format!("{ip}|{email}"),
            per_account,
            window,
        ),
    ]
}

/// Per client, and per client from one address (a fifth of the limit, at least one).
pub fn client_limits(config: &Config, client_id: &str, ip: IpAddr) -> Vec<Limit> {
    let max = config.client_max_auth_failures;
    let window = config.throttle_window;
    vec![
        Limit::new(ThrottleKind::Client, client_id, max, window),
        Limit::new(
            ThrottleKind::ClientAddress,
            &format!("{ip}|{client_id}"),
            (max / 5).max(1),
            window,
        ),
    ]
}

/// Second-factor codes of one account.
pub fn second_factor_limits(config: &Config, user_id: &str) -> Vec<Limit> {
    vec![Limit::new(
        ThrottleKind::SecondFactor,
        user_id,
        config.mfa_max_attempts,
        config.mfa_attempt_window,
    )]
}

/// Forgets an account's second-factor attempts (its two-step verification was reset or
/// turned off: a new authenticator starts with a clean slate).
pub async fn forget_second_factor_attempts(store: &Store, user_id: &str) -> Result<()> {
    let key = Limit::key_for(ThrottleKind::SecondFactor, user_id);
    Ok(store.reset_counter(&key).await?)
}

/// Attempts reserved on a set of limits; the guess they allow may now be evaluated.
#[must_use = "a reservation is kept (a failure) unless it is released or cleared"]
pub struct Reservation {
    limits: Vec<Limit>,
}

/// Reserves one attempt on every limit, or none: when one limit is full, the attempts
/// already reserved are given back and the answer is `Throttled` with the longest wait.
pub async fn reserve(store: &Store, limits: Vec<Limit>, now: i64) -> Result<Reservation> {
    for (index, limit) in limits.iter().enumerate() {
        if store
            .reserve_attempt(&limit.key, limit.max, limit.window, now)
            .await?
        {
            continue;
        }
        for reserved in limits.iter().take(index) {
            store.release_attempt(&reserved.key).await?;
        }
        let counter = store.throttle_counter(&limit.key).await?;
        let mut retry_after = limit.retry_after(counter, now);
        // Retrying when this limit frees would only meet the next full one.
        for later in limits.iter().skip(index + 1) {
            retry_after = retry_after.max(wait_if_full(store, later, now).await?);
        }
        return Err(Error::Throttled { retry_after });
    }
    Ok(Reservation { limits })
}

/// Seconds until `limit` allows an attempt again; 0 when it has room now.
async fn wait_if_full(store: &Store, limit: &Limit, now: i64) -> Result<i64> {
    let counter = store.throttle_counter(&limit.key).await?;
    let full =
        counter.is_some_and(|c| c.failures >= limit.max && c.window_start > now - limit.window);
    Ok(if full {
        limit.retry_after(counter, now)
    } else {
        0
    })
}

impl Reservation {
    /// The guess was wrong: the attempts stay counted.
    pub fn keep(self) {}

    /// The guess was right: it does not count against anyone.
    pub async fn release(self, store: &Store) -> Result<()> {
        for limit in &self.limits {
            store.release_attempt(&limit.key).await?;
        }
        Ok(())
    }

    /// The guess was right: the limits at `clear` start over (the account's, after a correct
    /// password), and the rest are released.
    pub async fn clear(self, store: &Store, clear: &[ThrottleKind]) -> Result<()> {
        for limit in &self.limits {
            if clear.iter().any(|kind| limit.is(*kind)) {
                store.reset_counter(&limit.key).await?;
            } else {
                store.release_attempt(&limit.key).await?;
            }
        }
        Ok(())
    }
}
