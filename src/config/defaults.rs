//! The value of every key `config.toml` may leave out (`#[serde(default = …)]`).
use std::net::SocketAddr;
use std::path::PathBuf;

pub fn database_timeout() -> u64 {
    5
}
pub fn key_prepublish() -> i64 {
    3600
}
pub fn key_rotation_interval() -> i64 {
    30 * 24 * 3600
}
pub fn key_refresh_interval() -> i64 {
    60
}
pub fn signing_algs() -> Vec<super::SigningAlg> {
    vec![super::SigningAlg::Rs256]
}
pub fn jwks_max_age() -> i64 {
    300
}
pub fn pid_file() -> PathBuf {
    PathBuf::from("data/tessera.pid")
}

/// `localhost`, not `127.0.0.1`: browsers allow passkeys only on a domain, and treat
/// `http://localhost` as a secure context.
pub fn issuer() -> String {
    "http://localhost:8080".into()
}
pub fn listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}
pub fn database_url() -> String {
    "sqlite://data/tessera.db".into()
}
pub fn keys_dir() -> PathBuf {
    PathBuf::from("keys")
}
pub fn access_token_ttl() -> i64 {
    900
}
pub fn id_token_ttl() -> i64 {
    3600
}
pub fn authorization_code_ttl() -> i64 {
    60
}
/// RFC 9126 §2.2's example; long enough for a browser to be sent on, short enough that a
/// request_uri seen in transit is soon worthless.
pub fn par_expires_in() -> i64 {
    60
}
pub fn session_idle_ttl() -> i64 {
    8 * 3600
}
pub fn session_absolute_ttl() -> i64 {
    7 * 24 * 3600
}
pub fn reauth_max_age() -> i64 {
    300
}
pub fn password_min_length() -> usize {
    crate::auth::password_policy::LEAST_MIN_LENGTH
}
pub fn refresh_token_ttl() -> i64 {
    30 * 24 * 3600
}
pub fn refresh_token_idle_ttl() -> i64 {
    14 * 24 * 3600
}
pub fn refresh_grace_period() -> i64 {
    5
}
pub fn purge_interval() -> i64 {
    3600
}
/// 90 days.
pub fn audit_retention() -> i64 {
    90 * 24 * 3600
}
pub fn login_max_failures_per_account() -> i64 {
    5
}
pub fn login_max_failures_per_ip() -> i64 {
    50
}
pub fn client_max_auth_failures() -> i64 {
    50
}
pub fn throttle_window() -> i64 {
    900
}
pub fn rate_limit_per_second() -> u32 {
    100
}
pub fn rate_limit_burst() -> u32 {
    200
}
pub fn max_body_bytes() -> usize {
    16 * 1024
}
pub fn request_timeout() -> u64 {
    30
}
pub fn header_read_timeout() -> u64 {
    10
}
pub fn mfa_max_attempts() -> i64 {
    5
}
pub fn mfa_attempt_window() -> i64 {
    15 * 60
}
pub fn backchannel_logout_timeout() -> u64 {
    5
}
pub fn backchannel_logout_initial_backoff() -> i64 {
    10
}
pub fn backchannel_logout_retry_for() -> i64 {
    24 * 3600
}
pub fn backchannel_logout_poll_interval() -> i64 {
    5
}
pub fn backchannel_logout_concurrency() -> usize {
    16
}
