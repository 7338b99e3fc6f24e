//! When an outbox tries a failed delivery again, and when it stops: the one schedule of every
//! outbox (back-channel logouts, mail). Pure: the attempts so far and `now` in, the next
//! attempt out.

/// The longest wait between two attempts, however many failed before.
pub const MAX_BACKOFF: i64 = 3600;

/// How long failed deliveries are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Seconds before the second attempt; each later wait doubles, up to [`MAX_BACKOFF`].
    pub initial_backoff: i64,
    /// Seconds after the row was queued during which attempts are made.
    pub retry_for: i64,
}

/// After a failed attempt: when to try next, or to give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextAttempt {
    At(i64),
    GiveUp,
}

/// Exponential backoff from the `attempts` made so far (at least one). The last attempt is
/// made when `retry_for` has passed since the row was queued (`created_at`); after it, give up.
pub fn next_attempt(policy: RetryPolicy, created_at: i64, attempts: i64, now: i64) -> NextAttempt {
    let deadline = created_at.saturating_add(policy.retry_for);
    if now >= deadline {
        return NextAttempt::GiveUp;
    }
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let wait = policy
        .initial_backoff
        .max(1)
        .saturating_mul(1_i64 << doublings)
        .min(MAX_BACKOFF);
    NextAttempt::At(now.saturating_add(wait).min(deadline))
}
