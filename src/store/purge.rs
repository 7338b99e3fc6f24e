//! Removal of rows that can no longer matter: expired sessions and half-done sign-ins,
//! refresh-token families past their absolute expiry, revocations of access tokens that have
//! expired anyway, old throttle windows, and codes an hour after expiry (kept that long so a
//! late replay is still recognised as one).
use super::{Store, StoreResult, on_pool};
use crate::auth::throttle::MAX_THROTTLE_WINDOW;

/// How long a code row outlives its expiry, for replay detection.
const CODE_RETENTION: i64 = 3600;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub codes: u64,
    pub sessions: u64,
    pub pending_sign_ins: u64,
    pub refresh_tokens: u64,
    pub revoked_access_tokens: u64,
    pub throttle_counters: u64,
}

impl Store {
    pub async fn purge_expired(&self, now: i64) -> StoreResult<Purged> {
        let delete = |sql: &'static str, bound: i64| async move {
            on_pool!(self, |pool| {
                sqlx::query(sql)
                    .bind(bound)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected())
            })
        };
        let purged = Purged {
            codes: delete(
                "delete from authorization_codes where expires_at < $1",
                now - CODE_RETENTION,
            )
            .await?,
            sessions: delete(
                "delete from sessions where expires_at <= $1 or idle_expires_at <= $1",
                now,
            )
            .await?,
            pending_sign_ins: delete("delete from mfa_pending_logins where expires_at <= $1", now)
                .await?,
            refresh_tokens: delete("delete from refresh_tokens where expires_at <= $1", now)
                .await?,
            revoked_access_tokens: delete(
                "delete from revoked_access_tokens where expires_at <= $1",
                now,
            )
            .await?,
            throttle_counters: delete(
                "delete from throttle_counters where window_start < $1",
                now - MAX_THROTTLE_WINDOW,
            )
            .await?,
        };
        delete("delete from refresh_families where expires_at <= $1", now).await?;
        Ok(purged)
    }
}
