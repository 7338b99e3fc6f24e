//! Pending sign-ins: sign-ins that passed their first factor and wait for the second step,
//! each behind a random cookie whose hash is its id. Deleting one is how a second step claims
//! it, so a sign-in completes once even when two tabs race.
use super::{Store, StoreResult, on_pool};

/// A sign-in that passed its first factor, keyed by the hash of its cookie value.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingSignIn {
    pub id_hash: String,
    pub user_id: String,
    /// The password-only session a step-up replaces.
    pub replaces_session_hash: Option<String>,
    /// When the user entered the password: the auth_time of the session this becomes.
    pub auth_time: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Store {
    /// Starts a pending sign-in, and clears out those that expired.
    pub async fn insert_pending_sign_in(&self, pending: &PendingSignIn) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from pending_sign_ins where expires_at <= $1")
                .bind(pending.created_at)
                .execute(pool)
                .await?;
            sqlx::query(
                "insert into pending_sign_ins (id_hash, user_id, replaces_session_hash, auth_time, created_at, expires_at)
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&pending.id_hash)
            .bind(&pending.user_id)
            .bind(&pending.replaces_session_hash)
            .bind(pending.auth_time)
            .bind(pending.created_at)
            .bind(pending.expires_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// The pending sign-in behind a cookie, if it has not expired.
    pub async fn find_pending_sign_in(
        &self,
        id_hash: &str,
        now: i64,
    ) -> StoreResult<Option<PendingSignIn>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "select id_hash, user_id, replaces_session_hash, auth_time, created_at, expires_at
                 from pending_sign_ins where id_hash = $1 and expires_at > $2",
            )
            .bind(id_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
    }

    /// Ends a pending sign-in; true only for the one caller that removed it, so a sign-in
    /// completes once.
    pub async fn delete_pending_sign_in(&self, id_hash: &str) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query("delete from pending_sign_ins where id_hash = $1")
                .bind(id_hash)
                .execute(pool)
                .await
                .map(|r| r.rows_affected() == 1)
        })
    }
}
