//! A coarse per-address request-rate limit in front of the protocol endpoints (`/authorize`,
//! `/token`, `/userinfo`, `/introspect`, `/revoke`) and, in buckets of their own, the sign-in
//! pages and the account pages (a view of either may store a passkey ceremony):
//! `rate_limit_per_second` with bursts of `rate_limit_burst`, answered `429` with
//! `Retry-After`. An IPv6 client is counted by its /64 (`AddressBlock`). It is a flood guard,
//! not the brute-force defence (that is the database-backed throttle, shared by all instances): it
//! lives in each instance's memory, so N instances allow N times the rate. Loopback clients
//! are exempt: they are this machine, and a reverse proxy on it that is not listed in
//! `trusted_proxies` would otherwise put every user behind one shared limit.
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::client_ip::ClientIp;
use crate::auth::client_ip::AddressBlock;
use crate::config::Config;
use crate::state::SharedState;

/// Forget addresses that have been quiet this often (every N checked requests), so the
/// table stays as small as the set of recently active clients.
const SWEEP_EVERY: u64 = 4096;

pub struct RateLimit {
    limiter: DefaultKeyedRateLimiter<AddressBlock>,
    clock: DefaultClock,
    trusted_proxies: Vec<ipnet::IpNet>,
    checked: AtomicU64,
}

impl RateLimit {
    /// The limit `config` asks for; `None` when it is turned off.
    pub fn from_config(config: &Config) -> Option<Arc<Self>> {
        let rate = NonZeroU32::new(config.rate_limit_per_second)?;
        let burst = NonZeroU32::new(config.rate_limit_burst)?;
        Some(Arc::new(Self {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            clock: DefaultClock::default(),
            trusted_proxies: config.trusted_proxies.clone(),
            checked: AtomicU64::new(0),
        }))
    }

    /// Seconds until `ip` may send again, or `None` when it may now.
    fn wait(&self, ip: IpAddr) -> Option<u64> {
        if self.checked.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        if ip.is_loopback() {
            return None;
        }
        let denied = self.limiter.check_key(&AddressBlock::of(ip)).err()?;
        let wait = denied.wait_time_from(self.clock.now());
        Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
    }
}

pub async fn limit(State(limit): State<Arc<RateLimit>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let ClientIp(ip) = ClientIp::of(&parts, &limit.trusted_proxies);
    match limit.wait(ip) {
        None => next.run(Request::from_parts(parts, body)).await,
        Some(seconds) => too_many(seconds),
    }
}

fn too_many(seconds: u64) -> Response {
    let retry_after =
        HeaderValue::from_str(&seconds.max(1).to_string()).unwrap_or(HeaderValue::from_static("1"));
    (
        StatusCode::TOO_MANY_REQUESTS,
        [
            (header::RETRY_AFTER, retry_after),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        "Too many requests from this address. Please slow down.",
    )
        .into_response()
}

/// `routes` behind a per-address rate limit of their own (`rate_limit_per_second`).
pub fn rate_limited(routes: Router<SharedState>, config: &Config) -> Router<SharedState> {
    match RateLimit::from_config(config) {
        Some(rate) => routes.route_layer(axum::middleware::from_fn_with_state(rate, limit)),
        None => routes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_one_ipv6_64_share_one_allowance() {
        let config = Config::from_toml("rate_limit_per_second = 1\nrate_limit_burst = 2").unwrap();
        let limit = RateLimit::from_config(&config).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(limit.wait(ip("2001:db8:1:2::1")), None);
        assert_eq!(limit.wait(ip("2001:db8:1:2::2")), None);
        assert!(limit.wait(ip("2001:db8:1:2:ffff::3")).is_some());
        assert_eq!(limit.wait(ip("2001:db8:1:3::1")), None, "another /64");
    }
}
