//! What Tessera tells an operator: Prometheus metrics (every name in this file, so the list in
//! docs/operations.md has one place to check against) and the request fields recorded on the
//! log span. Recording is a no-op until `serve` installs the recorder, so tests and the CLI
//! pay nothing.
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::keys::KeySet;

/// Requests answered, by route template, method and status.
pub const HTTP_REQUESTS: &str = "tessera_http_requests_total";
/// Time to answer, by route template (histogram, seconds).
pub const HTTP_DURATION: &str = "tessera_http_request_duration_seconds";
/// Password sign-ins by outcome.
pub const SIGN_INS: &str = "tessera_sign_ins_total";
/// Links sent by email, by purpose and what became of them.
pub const EMAILED_LINKS: &str = "tessera_emailed_links_total";
/// Sign-ins through an upstream provider, by upstream id and outcome.
pub const UPSTREAM_SIGN_INS: &str = "tessera_upstream_sign_ins_total";
/// Second-factor checks by outcome.
pub const SECOND_FACTOR: &str = "tessera_second_factor_total";
/// Tokens issued, by grant type.
pub const TOKENS_ISSUED: &str = "tessera_tokens_issued_total";
/// A rotated refresh token came back: its family was revoked.
pub const REFRESH_REUSE: &str = "tessera_refresh_token_reuse_total";
/// An authorization code was presented again: what it issued was revoked.
pub const CODES_REPLAYED: &str = "tessera_codes_replayed_total";
/// DPoP proofs refused, by reason (`invalid`, `replayed`, `use_nonce`, `missing`, `wrong_key`).
pub const DPOP_REFUSALS: &str = "tessera_dpop_refusals_total";
/// Hashes running or waiting in the argon2 pool.
pub const ARGON2_QUEUE: &str = "tessera_argon2_queue_depth";
/// Time a hash waited for a free slot (histogram, seconds).
pub const ARGON2_WAIT: &str = "tessera_argon2_wait_seconds";
/// Hashes refused at once because the queue was full (answered 503).
pub const ARGON2_SHED: &str = "tessera_argon2_shed_total";
/// Database connections by state (`in_use`, `idle`).
pub const DB_CONNECTIONS: &str = "tessera_db_connections";
/// Database errors seen by requests.
pub const DB_ERRORS: &str = "tessera_db_errors_total";
/// Age of the key signing now, in seconds.
pub const SIGNING_KEY_AGE: &str = "tessera_signing_key_age_seconds";
/// Seconds until the next key starts signing; 0 while no successor waits.
pub const SIGNING_KEY_NEXT_SWITCH: &str = "tessera_signing_key_next_switch_seconds";
/// Stored signing keys this instance cannot load and leaves out (not counting retired ones).
pub const SIGNING_KEYS_UNUSABLE: &str = "tessera_signing_keys_unusable";
/// Back-channel logouts queued when sessions ended (in this process).
pub const LOGOUTS_QUEUED: &str = "tessera_backchannel_logouts_queued_total";
/// Back-channel logout attempts by outcome (`delivered`, `retrying`, `rejected`, `given_up`,
/// `dropped`).
pub const LOGOUT_DELIVERIES: &str = "tessera_backchannel_logout_deliveries_total";
/// Time one delivery attempt took, answer or not (histogram, seconds).
pub const LOGOUT_ATTEMPT: &str = "tessera_backchannel_logout_attempt_seconds";
/// Logouts in the outbox waiting to be delivered (all instances).
pub const OUTBOX_PENDING: &str = "tessera_backchannel_outbox_pending";
/// Age of the oldest logout waiting, in seconds (0 when none waits).
pub const OUTBOX_OLDEST: &str = "tessera_backchannel_outbox_oldest_age_seconds";
/// Logouts given up and still kept in the outbox for inspection.
pub const OUTBOX_GIVEN_UP: &str = "tessera_backchannel_outbox_given_up";
/// Messages queued, by kind (`verify_email`, `reset_password`, …).
pub const MAIL_QUEUED: &str = "tessera_mail_queued_total";
/// Messages handed to the transport (the SMTP relay accepted it, or the file was written).
pub const MAIL_SENT: &str = "tessera_mail_sent_total";
/// Failed attempts by outcome (`retrying`, `given_up`).
pub const MAIL_FAILED: &str = "tessera_mail_failed_total";
/// Messages waiting in the mail outbox (all instances).
pub const MAIL_OUTBOX_PENDING: &str = "tessera_mail_outbox_pending";
/// Age of the oldest message waiting, in seconds (0 when none waits).
pub const MAIL_OUTBOX_OLDEST: &str = "tessera_mail_outbox_oldest_age_seconds";
/// Audit events that reached the log but not the `audit_events` table (the queue was full or
/// the write failed).
pub const AUDIT_EVENTS_LOST: &str = "tessera_audit_events_lost_total";
/// Always 1, labelled with the version and commit.
pub const BUILD_INFO: &str = "tessera_build_info";

/// The commit this binary was built from (`build.rs`), or `unknown`.
pub const COMMIT: &str = env!("BUILD_GIT_COMMIT");

/// Outcomes of a password sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOutcome {
    Success,
    SecondFactorNext,
    WrongPassword,
    UnknownAccount,
    DisabledAccount,
    Throttled,
    Shed,
}

impl SignInOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::SecondFactorNext => "second_factor_next",
            Self::WrongPassword => "wrong_password",
            Self::UnknownAccount => "unknown_account",
            Self::DisabledAccount => "disabled_account",
            Self::Throttled => "throttled",
            Self::Shed => "shed",
        }
    }
}

/// What became of one back-channel logout attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutOutcome {
    /// The app answered 2xx.
    Delivered,
    /// It failed; another attempt is scheduled.
    Retrying,
    /// The app answered 400: it refused the token, which is not sent again.
    Rejected,
    /// It failed and `backchannel_logout_retry_for` has passed: no more attempts.
    GaveUp,
    /// The client no longer registers a back-channel logout URI: nothing was sent.
    Dropped,
}

impl LogoutOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Retrying => "retrying",
            Self::Rejected => "rejected",
            Self::GaveUp => "given_up",
            Self::Dropped => "dropped",
        }
    }
}

/// What became of one attempt at sending a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailOutcome {
    Sent,
    /// It failed; another attempt is scheduled.
    Retrying,
    /// It failed and `email.retry_for` has passed (or it cannot be opened): no more attempts.
    GaveUp,
}

impl MailOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Retrying => "retrying",
            Self::GaveUp => "given_up",
        }
    }
}

pub fn mail_queued(kind: &'static str) {
    metrics::counter!(MAIL_QUEUED, "kind" => kind).increment(1);
}

pub fn mail_sent() {
    metrics::counter!(MAIL_SENT).increment(1);
}

pub fn mail_failed(outcome: MailOutcome) {
    metrics::counter!(MAIL_FAILED, "outcome" => outcome.as_str()).increment(1);
}

pub fn logouts_queued(count: u64) {
    metrics::counter!(LOGOUTS_QUEUED).increment(count);
}

pub fn logout_delivery(outcome: LogoutOutcome) {
    metrics::counter!(LOGOUT_DELIVERIES, "outcome" => outcome.as_str()).increment(1);
}

pub fn logout_attempt_took(took: Duration) {
    metrics::histogram!(LOGOUT_ATTEMPT).record(took.as_secs_f64());
}

pub fn sign_in(outcome: SignInOutcome) {
    metrics::counter!(SIGN_INS, "outcome" => outcome.as_str()).increment(1);
}

/// One sign-in through an upstream: `upstream` is a configured id (so the label set stays
/// as small as the configuration), `outcome` one of the outcome words listed in docs/operations.md.
pub fn upstream_sign_in(upstream: &str, outcome: &'static str) {
    metrics::counter!(UPSTREAM_SIGN_INS, "upstream" => upstream.to_string(), "outcome" => outcome)
        .increment(1);
}

/// One emailed link event: `purpose` as stored (`reset_password`, …), `outcome` one of
/// `requested`, `sent`, `used`, `expired` (a link that was not live when used), `refused`
/// (the mailbox had its links this hour).
pub fn emailed_link(purpose: &'static str, outcome: &'static str) {
    metrics::counter!(EMAILED_LINKS, "purpose" => purpose, "outcome" => outcome).increment(1);
}

/// `passed`, `wrong`, `throttled` or `unavailable`.
pub fn second_factor(outcome: &'static str) {
    metrics::counter!(SECOND_FACTOR, "outcome" => outcome).increment(1);
}

/// `authorization_code`, `refresh_token`, `client_credentials` or `token_exchange`.
pub fn token_issued(grant_type: &'static str) {
    metrics::counter!(TOKENS_ISSUED, "grant_type" => grant_type).increment(1);
}

pub fn refresh_token_reused() {
    metrics::counter!(REFRESH_REUSE).increment(1);
}

pub fn code_replayed() {
    metrics::counter!(CODES_REPLAYED).increment(1);
}

pub fn dpop_refused(reason: &'static str) {
    metrics::counter!(DPOP_REFUSALS, "reason" => reason).increment(1);
}

pub fn argon2_waited(wait: Duration) {
    metrics::histogram!(ARGON2_WAIT).record(wait.as_secs_f64());
}

pub fn argon2_shed() {
    metrics::counter!(ARGON2_SHED).increment(1);
}

pub fn db_error() {
    metrics::counter!(DB_ERRORS).increment(1);
}

pub fn http_request(route: &str, method: &str, status: u16, took: Duration) {
    let labels = [
        ("route", route.to_string()),
        ("method", method.to_string()),
        ("status", status.to_string()),
    ];
    metrics::counter!(HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(HTTP_DURATION, "route" => route.to_string()).record(took.as_secs_f64());
}

/// The signing-key gauges at `now`, sampled at each scrape. The next-switch gauge is set on
/// every sample, 0 when no successor waits: the exporter cannot remove a series, so a gauge
/// set only while a successor waits would show its last countdown value forever after.
pub fn signing_keys(keys: &KeySet, now: i64) {
    // With several algorithms, the oldest signing key: the one whose rotation is late first.
    let oldest = keys.signing(now).map(|k| k.times.sign_at).min();
    if let Some(sign_at) = oldest {
        let age = now.saturating_sub(sign_at);
        metrics::gauge!(SIGNING_KEY_AGE).set(age as f64);
    }
    let until = keys
        .next_switch(now)
        .map_or(0, |switch| switch.saturating_sub(now));
    metrics::gauge!(SIGNING_KEY_NEXT_SWITCH).set(until as f64);
    metrics::gauge!(SIGNING_KEYS_UNUSABLE).set(keys.unusable_live().count() as f64);
}

/// Notes the client a request is about on its log span (the `client_id` field).
pub fn note_client(client_id: &str) {
    tracing::Span::current().record("client_id", client_id);
}

/// Notes the user a request is about on its log span (the `user_id` field).
pub fn note_user(user_id: &str) {
    tracing::Span::current().record("user_id", user_id);
}

/// Installs the process-wide recorder; `serve` calls it once when `metrics_listen` is set.
pub fn install() -> Result<PrometheusHandle, String> {
    let latency = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ];
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &latency)
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| e.to_string())?;
    describe();
    metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION"), "commit" => COMMIT)
        .set(1.0);
    Ok(handle)
}

/// The HELP lines of the scrape.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "Requests answered, by route template, method and status."
    );
    describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "Time to answer a request, by route template."
    );
    describe_counter!(SIGN_INS, "Password sign-ins by outcome.");
    describe_counter!(SECOND_FACTOR, "Second-factor checks by outcome.");
    describe_counter!(
        EMAILED_LINKS,
        "Links sent by email, by purpose and outcome."
    );
    describe_counter!(
        UPSTREAM_SIGN_INS,
        "Sign-ins through an upstream provider, by upstream and outcome."
    );
    describe_counter!(TOKENS_ISSUED, "Tokens issued, by grant type.");
    describe_counter!(
        REFRESH_REUSE,
        "Rotated refresh tokens presented again (their family was revoked)."
    );
    describe_counter!(
        CODES_REPLAYED,
        "Authorization codes presented again (what they issued was revoked)."
    );
    describe_counter!(DPOP_REFUSALS, "DPoP proofs refused, by reason.");
    describe_gauge!(
        ARGON2_QUEUE,
        "Password hashes running or waiting for a slot."
    );
    describe_histogram!(
        ARGON2_WAIT,
        metrics::Unit::Seconds,
        "Time a password hash waited for a free slot."
    );
    describe_counter!(
        ARGON2_SHED,
        "Password hashes refused at once because the queue was full (answered 503)."
    );
    describe_gauge!(
        DB_CONNECTIONS,
        "Database connections in the pool, by state."
    );
    describe_counter!(DB_ERRORS, "Database errors seen while answering requests.");
    describe_gauge!(
        SIGNING_KEY_AGE,
        metrics::Unit::Seconds,
        "How long the current signing key has been signing."
    );
    describe_gauge!(
        SIGNING_KEY_NEXT_SWITCH,
        metrics::Unit::Seconds,
        "Seconds until the next signing key takes over; 0 while none waits."
    );
    describe_gauge!(
        SIGNING_KEYS_UNUSABLE,
        "Stored signing keys this instance cannot load (too weak, damaged, another master key) and leaves out; 0 when all load."
    );
    describe_counter!(
        LOGOUTS_QUEUED,
        "Back-channel logouts queued by this instance when sessions ended."
    );
    describe_counter!(
        LOGOUT_DELIVERIES,
        "Back-channel logout attempts by outcome (delivered, retrying, rejected, given_up, dropped)."
    );
    describe_histogram!(
        LOGOUT_ATTEMPT,
        metrics::Unit::Seconds,
        "Time one back-channel logout attempt took, answered or not."
    );
    describe_gauge!(
        OUTBOX_PENDING,
        "Back-channel logouts waiting in the outbox (every instance's)."
    );
    describe_gauge!(
        OUTBOX_OLDEST,
        metrics::Unit::Seconds,
        "Age of the oldest back-channel logout waiting in the outbox (0 when none)."
    );
    describe_gauge!(
        OUTBOX_GIVEN_UP,
        "Back-channel logouts given up and kept in the outbox for inspection."
    );
    describe_counter!(MAIL_QUEUED, "Messages queued in the mail outbox, by kind.");
    describe_counter!(MAIL_SENT, "Messages handed to the mail transport.");
    describe_counter!(
        MAIL_FAILED,
        "Failed attempts at sending mail, by outcome (retrying, given_up)."
    );
    describe_gauge!(
        MAIL_OUTBOX_PENDING,
        "Messages waiting in the mail outbox (every instance's)."
    );
    describe_gauge!(
        MAIL_OUTBOX_OLDEST,
        metrics::Unit::Seconds,
        "Age of the oldest message waiting in the mail outbox (0 when none)."
    );
    describe_gauge!(
        BUILD_INFO,
        "Always 1; the labels say which version and commit runs."
    );
}
