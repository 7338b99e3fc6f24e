//! Pending sign-ins: sign-ins that passed their first factor and wait for the second step,
//! each behind a random cookie whose hash is its id. Deleting one is how a second step claims
//! it, so a sign-in completes once even when two tabs race.
use super::{Store, StoreResult, corrupt, on_pool};
use crate::oauth::amr::Amr;

/// A sign-in that passed its first factor, keyed by the hash of its cookie value.
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    pub id_hash: String,
    pub user_id: String,
    /// The one-factor session a step-up replaces.
    pub replaces_session_hash: Option<String>,
    /// What the first factor proved (a password, an upstream provider's sign-in): the
    /// session this becomes names it beside the second step.
    pub first_factor: Amr,
    /// When the first factor was proved: the auth_time of the session this becomes.
    pub auth_time: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id_hash: String,
    user_id: String,
    replaces_session_hash: Option<String>,
    first_factor_amr: String,
    auth_time: i64,
    created_at: i64,
    expires_at: i64,
}

impl TryFrom<Row> for PendingSignIn {
    type Error = sqlx::Error;

    fn try_from(row: Row) -> Result<Self, Self::Error> {
        Ok(Self {
            first_factor: row
                .first_factor_amr
                .parse()
                .map_err(|e| corrupt("first_factor_amr", e))?,
            id_hash: row.id_hash,
            user_id: row.user_id,
            replaces_session_hash: row.replaces_session_hash,
            auth_time: row.auth_time,
            created_at: row.created_at,
            expires_at: row.expires_at,
        })
    }
}

impl Store {
    /// Starts a pending sign-in, and clears out those that expired.
    pub async fn insert_pending_sign_in(&self, pending: &PendingSignIn) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from pending_sign_ins where expires_at <= $1")
                .bind(pending.created_at)
                .execute(&mut *pool)
                .await?;
            sqlx::query(
                "insert into pending_sign_ins (id_hash, user_id, replaces_session_hash, first_factor_amr, auth_time, created_at, expires_at)
                 values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&pending.id_hash)
            .bind(&pending.user_id)
            .bind(&pending.replaces_session_hash)
            .bind(pending.first_factor.to_string())
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
        let row: Option<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "select id_hash, user_id, replaces_session_hash, first_factor_amr, auth_time, created_at, expires_at
                 from pending_sign_ins where id_hash = $1 and expires_at > $2",
            )
            .bind(id_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })?;
        row.map(PendingSignIn::try_from).transpose()
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
