//! Removal of rows that can no longer matter: expired sessions and half-done sign-ins,
//! refresh-token families past their absolute expiry, revocations of access tokens that have
//! expired anyway, the `jti`s of client assertions and DPoP proofs that have expired, passkey
//! ceremonies never finished, trips to upstream providers and links never completed, old throttle windows,
//! outbox rows given up a week ago, pushed authorization requests past their end, and codes an hour after expiry (kept that long so a late replay is still recognised as one).
use super::outbox::{TAKEN, take_and_queue};
use super::outbox_lease::Outbox;
use super::{Store, StoreResult, on_pool};
use crate::auth::throttle::MAX_THROTTLE_WINDOW;

/// How long a code row outlives its expiry, for replay detection.
const CODE_RETENTION: i64 = 3600;

/// How long a back-channel logout or a message that was given up stays in its outbox for
/// operators to see.
const GIVEN_UP_RETENTION: i64 = 7 * 24 * 3600;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub codes: u64,
    pub sessions: u64,
    pub pending_sign_ins: u64,
    pub refresh_tokens: u64,
    pub revoked_access_tokens: u64,
    pub throttle_counters: u64,
    /// `jti`s of private_key_jwt assertions that would be refused as expired anyway.
    pub client_assertions: u64,
    /// `jti`s of DPoP proofs that would be refused as stale anyway.
    pub dpop_proofs: u64,
    /// Back-channel logouts queued for the expired sessions' apps.
    pub logouts_queued: u64,
}

impl Store {
    /// Deletes what has expired. An expired session has ended like any other: the apps in
    /// `receivers` that got tokens through it are sent a back-channel logout.
    pub async fn purge_expired(&self, now: i64, receivers: &[String]) -> StoreResult<Purged> {
        let (sessions, logouts_queued) = self.end_expired_sessions(now, receivers).await?;
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
            sessions,
            pending_sign_ins: delete("delete from pending_sign_ins where expires_at <= $1", now)
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
            client_assertions: delete(
                "delete from client_assertion_jtis where expires_at < $1",
                now,
            )
            .await?,
            dpop_proofs: delete("delete from dpop_proof_jtis where expires_at < $1", now).await?,
            logouts_queued,
        };
        delete("delete from refresh_families where expires_at <= $1", now).await?;
        delete(
            "delete from webauthn_ceremonies where expires_at <= $1",
            now,
        )
        .await?;
        delete("delete from upstream_requests where expires_at <= $1", now).await?;
        delete(
            "delete from pushed_authorization_requests where expires_at <= $1",
            now,
        )
        .await?;
        delete("delete from email_links where expires_at <= $1", now).await?;
        delete(
            "delete from upstream_pending_links where expires_at <= $1",
            now,
        )
        .await?;
        for outbox in [Outbox::BackchannelLogout, Outbox::Mail] {
            self.purge_given_up(outbox, now - GIVEN_UP_RETENTION)
                .await?;
        }
        Ok(purged)
    }

    /// Deletes expired sessions and, in the same transaction, takes the apps of every session
    /// that no longer exists (these, and any a crash left behind) and queues their logouts.
    /// On PostgreSQL two instances purging at once each take a row at most once: the second
    /// waits for the first's delete and then skips what it removed.
    async fn end_expired_sessions(
        &self,
        now: i64,
        receivers: &[String],
    ) -> StoreResult<(u64, u64)> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let sessions =
                sqlx::query("delete from sessions where expires_at <= $1 or idle_expires_at <= $1")
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            let sql = format!(
                "delete from session_clients
                 where not exists (select 1 from sessions s where s.id_hash = session_clients.session_id_hash)
                   and created_at <= $1 {TAKEN}"
            );
            let queued = take_and_queue!(tx, sqlx::AssertSqlSafe(sql), now, receivers, now);
            tx.commit().await?;
            Ok((sessions, queued))
        })
    }

    /// Deletes the registered clients (RFC 7591) unused since `before`, and the consents
    /// users gave them. Their refresh tokens stay until they expire: without a
    /// registration no request can authenticate as the client to use them.
    pub async fn purge_idle_registered_clients(&self, before: i64) -> StoreResult<u64> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "delete from consents where client_id in
                 (select client_id from registered_clients where last_used_at < $1)",
            )
            .bind(before)
            .execute(&mut *tx)
            .await?;
            let deleted = sqlx::query("delete from registered_clients where last_used_at < $1")
                .bind(before)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(deleted)
        })
    }
}
