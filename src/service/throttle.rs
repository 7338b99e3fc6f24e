//! The one throttle for every guessable secret: passwords, client secrets, second-factor
//! codes. An attempt is *reserved* on every limit that applies before the guess is evaluated
//! (argon2, TOTP), in one atomic statement per limit, so a burst of parallel guesses gets at
//! most the limit evaluated. A guess that turns out right gives its reservation back. Every
//! guess goes through `sign_in::attempt`, the one place a reservation is settled.
use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::error::{Error, Result};
use crate::auth::client_ip::AddressBlock;
use crate::auth::throttle::{Limit, ThrottleKind};
use crate::config::Config;
use crate::store::Store;
use crate::store::throttle::Settlement;
use crate::store::users::{SignInAccount, normalize_email};

/// The limits on one password attempt: per account (guessing one password from many
/// addresses), per address (one address spraying many accounts) and per address and account
/// (so one noisy neighbour cannot lock everybody out of an account as quickly). An IPv6
/// address counts by its /64, which its holder can rotate through at will.
pub fn password_limits(config: &Config, email: &str, ip: IpAddr) -> Vec<Limit> {
    let email = normalize_email(email);
    let ip = AddressBlock::of(ip);
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

/// The limit on one passkey sign-in: per address only. A passkey cannot be guessed, so the
/// account's password limits (which anyone who knows the email can fill with wrong
/// passwords) must not lock its owner's passkey out; failed assertions count here.
pub fn passkey_sign_in_limits(config: &Config, ip: IpAddr) -> Vec<Limit> {
    vec![Limit::new(
        ThrottleKind::LoginAddress,
        &AddressBlock::of(ip).to_string(),
        config.login_max_failures_per_ip,
        config.throttle_window,
    )]
}

/// Per client, and per client from one address (a fifth of the limit, at least one; an IPv6
/// address by its /64).
pub fn client_limits(config: &Config, client_id: &str, ip: IpAddr) -> Vec<Limit> {
    let max = config.client_max_auth_failures;
    let ip = AddressBlock::of(ip);
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

/// The limit on private_key_jwt assertions: per client and address only. Nobody can guess a
/// private key, so a failed assertion says nothing about the client's key being at risk; a
/// client-wide limit would only let forged assertions from a few addresses lock the genuine
/// client out (issue 22, finding 8). Replayed and malformed assertions still count here, so
/// one address cannot flood the verifier.
pub fn assertion_limits(config: &Config, client_id: &str, ip: IpAddr) -> Vec<Limit> {
    let max = config.client_max_auth_failures;
    vec![Limit::new(
        ThrottleKind::ClientAddress,
        &format!("{ip}|{client_id}"),
        (max / 5).max(1),
        config.throttle_window,
    )]
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

/// Emailed links a client address may ask for in an hour (reset, verification, sign-up),
/// whatever the mailbox.
pub const EMAILED_LINKS_PER_ADDRESS: i64 = 10;
/// Emailed links one mailbox may be sent in an hour.
pub const EMAILED_LINKS_PER_RECIPIENT: i64 = 3;
const EMAILED_LINK_WINDOW: i64 = 3600;

/// The limit on emailed links asked for from `ip`.
pub fn emailed_link_address_limit(ip: IpAddr) -> Vec<Limit> {
    let address = AddressBlock::of(ip).to_string();
    vec![Limit::new(
        ThrottleKind::EmailedLinkAddress,
        &address,
        EMAILED_LINKS_PER_ADDRESS,
        EMAILED_LINK_WINDOW,
    )]
}

/// The limit on emailed links sent to `email`.
pub fn emailed_link_recipient_limit(email: &str) -> Vec<Limit> {
    vec![Limit::new(
        ThrottleKind::EmailedLinkRecipient,
        &crate::store::users::normalize_email(email),
        EMAILED_LINKS_PER_RECIPIENT,
        EMAILED_LINK_WINDOW,
    )]
}

/// Wrong user codes one address (an IPv6 address by its /64), or one browser, may type in a
/// window of `device_flow.expires_in`: any code's lifetime spans at most two windows, so at
/// most 4 guesses from one address meet a given code, 4 / 20⁸ ≈ 2^-32.6 (docs/security.md).
pub const DEVICE_ENTRIES_PER_ADDRESS: i64 = 2;

/// The limits on typing a user code on the `/device` page: per address, per browser (the
/// CSRF cookie the form came with) and for everybody together.
pub fn device_entry_limits(config: &Config, ip: IpAddr, browser: &str) -> Vec<Limit> {
    let window = config.device_flow.expires_in;
    vec![
        Limit::new(
            ThrottleKind::DeviceEntryAddress,
            &AddressBlock::of(ip).to_string(),
            DEVICE_ENTRIES_PER_ADDRESS,
            window,
        ),
        Limit::new(
            ThrottleKind::DeviceEntryBrowser,
            browser,
            DEVICE_ENTRIES_PER_ADDRESS,
            window,
        ),
        Limit::new(
            ThrottleKind::DeviceEntryGlobal,
            "all",
            config.device_flow.max_failed_entries,
            window,
        ),
    ]
}

/// The limit on client registrations (`/register`) from `ip`: each one counts.
pub fn client_registration_limit(config: &Config, ip: IpAddr) -> Vec<Limit> {
    vec![Limit::new(
        ThrottleKind::ClientRegistrationAddress,
        &AddressBlock::of(ip).to_string(),
        config.dynamic_registrations_per_ip,
        config.throttle_window,
    )]
}

/// Forgets an account's second-factor attempts (its two-step verification was reset or
/// turned off: a new authenticator starts with a clean slate).
pub async fn forget_second_factor_attempts(store: &Store, user_id: &str) -> Result<()> {
    let key = Limit::key_for(ThrottleKind::SecondFactor, user_id);
    Ok(store.reset_counter(&key).await?)
}

/// How long a reservation waits for a limit busy with attempts in flight (not full of
/// failures), and how often it looks again: a burst of correct sign-ins for one account
/// (a shared test account, several tabs) queues briefly instead of being refused.
const BUSY_WAIT: Duration = Duration::from_secs(3);
const BUSY_POLL: Duration = Duration::from_millis(20);

/// Attempts reserved on a set of limits; the guess they allow may now be evaluated. Settle it
/// with `fail`, `release` or `clear`; one dropped unsettled (the request was abandoned) counts
/// as a failure, so disconnecting mid-check cannot hide a guess.
pub struct Reservation {
    store: Store,
    limits: Vec<Limit>,
    settled: bool,
}

/// Reserves one attempt on every limit, or none. A limit full of failures answers
/// `Throttled` at once, with the longest wait of the full limits; a limit only busy with
/// attempts in flight is tried again until `BUSY_WAIT` has passed.
pub async fn reserve(store: &Store, limits: Vec<Limit>, now: i64) -> Result<Reservation> {
    Ok(reserve_reading(store, limits, None, now).await?.0)
}

/// As [`reserve`], reading the account `email` names in the same round trip (one statement
/// on PostgreSQL, issue 30): a password sign-in's first step.
pub async fn reserve_reading_account(
    store: &Store,
    limits: Vec<Limit>,
    email: &str,
    now: i64,
) -> Result<(Reservation, Option<SignInAccount>)> {
    reserve_reading(store, limits, Some(email), now).await
}

async fn reserve_reading(
    store: &Store,
    limits: Vec<Limit>,
    account_email: Option<&str>,
    now: i64,
) -> Result<(Reservation, Option<SignInAccount>)> {
    let deadline = Instant::now() + BUSY_WAIT;
    loop {
        let (counted, account) = match account_email {
            Some(email) => {
                store
                    .reserve_attempts_and_find_account(&limits, email, now)
                    .await?
            }
            None => (store.reserve_attempts(&limits, now).await?, None),
        };
        match judge(store, &limits, &counted, now).await? {
            Try::Reserved => {
                let reservation = Reservation {
                    store: store.clone(),
                    limits,
                    settled: false,
                };
                return Ok((reservation, account));
            }
            Try::Full(retry_after) => return Err(Error::Throttled { retry_after }),
            Try::Busy if Instant::now() < deadline => tokio::time::sleep(BUSY_POLL).await,
            Try::Busy => return Err(Error::Throttled { retry_after: 1 }),
        }
    }
}

enum Try {
    Reserved,
    /// Seconds until every full limit has room again.
    Full(i64),
    Busy,
}

/// What a reservation that `counted` these keys of `limits` came to.
async fn judge(store: &Store, limits: &[Limit], counted: &[String], now: i64) -> Result<Try> {
    if counted.len() == limits.len() {
        return Ok(Try::Reserved);
    }
    // Some limit had no room: the attempts counted on the others are given back.
    let given_back: Vec<(&str, Settlement)> = counted
        .iter()
        .map(|key| (key.as_str(), Settlement::Release))
        .collect();
    store.settle_attempts(&given_back).await?;
    // Retrying when one full limit frees would only meet the next full one.
    let mut full_for = 0;
    for refused in limits.iter().filter(|l| !counted.contains(&l.key)) {
        let counter = store.throttle_counter(&refused.key).await?;
        if counter.is_some_and(|c| c.is_full(refused, now)) {
            full_for = full_for.max(refused.retry_after(counter, now));
        }
    }
    Ok(if full_for > 0 {
        Try::Full(full_for)
    } else {
        Try::Busy
    })
}

impl Reservation {
    /// The guess was wrong: it counts as a failure on every limit.
    pub async fn fail(self) -> Result<()> {
        self.settle(|_| Settlement::Fail).await
    }

    /// The guess was right: it does not count against anyone.
    pub async fn release(self) -> Result<()> {
        self.settle(|_| Settlement::Release).await
    }

    /// The guess was right: the failures of the limits at `clear` start over (the account's,
    /// after a correct password), and the rest are released.
    pub async fn clear(self, clear: &[ThrottleKind]) -> Result<()> {
        self.settle(|limit| match clear.iter().any(|kind| limit.is(*kind)) {
            true => Settlement::Clear,
            false => Settlement::Release,
        })
        .await
    }

    /// Settles every limit's attempt as `how` says, in one statement.
    async fn settle(mut self, how: impl Fn(&Limit) -> Settlement) -> Result<()> {
        self.settled = true;
        let attempts: Vec<(&str, Settlement)> = self
            .limits
            .iter()
            .map(|limit| (limit.key.as_str(), how(limit)))
            .collect();
        Ok(self.store.settle_attempts(&attempts).await?)
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let (store, keys) = (
            self.store.clone(),
            self.limits
                .iter()
                .map(|l| l.key.clone())
                .collect::<Vec<_>>(),
        );
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let attempts: Vec<(&str, Settlement)> = keys
                    .iter()
                    .map(|key| (key.as_str(), Settlement::Fail))
                    .collect();
                if let Err(e) = store.settle_attempts(&attempts).await {
                    tracing::warn!(error = %e, "an abandoned attempt could not be counted");
                }
            });
        }
    }
}
