//! Browser sessions, keyed by the SHA-256 of the cookie value.
use super::{Store, StoreResult, corrupt, on_pool};
use crate::oauth::amr::Amr;

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: String,
    /// When the user last entered their password.
    pub auth_time: i64,
    pub amr: Amr,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub idle_expires_at: i64,
    pub expires_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id_hash: String,
    user_id: String,
    auth_time: i64,
    amr: String,
    created_at: i64,
    last_seen_at: i64,
    idle_expires_at: i64,
    expires_at: i64,
}

impl TryFrom<Row> for SessionRow {
    type Error = sqlx::Error;

    fn try_from(row: Row) -> Result<Self, Self::Error> {
        Ok(Self {
            amr: row.amr.parse().map_err(|e| corrupt("amr", e))?,
            id_hash: row.id_hash,
            user_id: row.user_id,
            auth_time: row.auth_time,
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
            idle_expires_at: row.idle_expires_at,
            expires_at: row.expires_at,
        })
    }
}

/// Sliding the idle expiry costs a write; do it at most this often per session.
const TOUCH_INTERVAL: i64 = 60;

impl Store {
    pub async fn insert_session(&self, session: &SessionRow) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into sessions (id_hash, user_id, auth_time, amr, created_at, last_seen_at, idle_expires_at, expires_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&session.id_hash)
            .bind(&session.user_id)
            .bind(session.auth_time)
            .bind(session.amr.to_string())
            .bind(session.created_at)
            .bind(session.last_seen_at)
            .bind(session.idle_expires_at)
            .bind(session.expires_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// The live session with this id hash, its idle expiry slid forward. Expired sessions,
    /// and sessions of disabled users, are not returned.
    pub async fn find_active_session(
        &self,
        id_hash: &str,
        now: i64,
        idle_ttl: i64,
    ) -> StoreResult<Option<SessionRow>> {
        let found: Option<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "select s.id_hash, s.user_id, s.auth_time, s.amr, s.created_at, s.last_seen_at, s.idle_expires_at, s.expires_at
                 from sessions s join users u on u.id = s.user_id
                 where s.id_hash = $1 and s.expires_at > $2 and s.idle_expires_at > $2 and not u.disabled",
            )
            .bind(id_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })?;
        let Some(mut session) = found.map(SessionRow::try_from).transpose()? else {
            return Ok(None);
        };
        if now - session.last_seen_at >= TOUCH_INTERVAL {
            session.last_seen_at = now;
            session.idle_expires_at = (now + idle_ttl).min(session.expires_at);
            on_pool!(self, |pool| {
                sqlx::query("update sessions set last_seen_at = $1, idle_expires_at = $2 where id_hash = $3")
                    .bind(session.last_seen_at)
                    .bind(session.idle_expires_at)
                    .bind(id_hash)
                    .execute(pool)
                    .await
                    .map(|_| ())
            })?;
        }
        Ok(Some(session))
    }

    /// Deletes a session with everything still pending on it: codes not yet exchanged and
    /// half-done step-ups, so nothing it started can complete after it ended.
    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for statement in [
                "delete from sessions where id_hash = $1",
                "delete from authorization_codes where session_id_hash = $1 and consumed_at is null",
                "delete from mfa_pending_logins where replaces_session_hash = $1",
            ] {
                sqlx::query(statement)
                    .bind(id_hash)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })
    }

    /// Deletes every session of a user, their unexchanged codes and half-done sign-ins
    /// (sign-out everywhere).
    pub async fn delete_user_sessions(&self, user_id: &str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for statement in [
                "delete from sessions where user_id = $1",
                "delete from authorization_codes where user_id = $1 and consumed_at is null",
                "delete from mfa_pending_logins where user_id = $1",
            ] {
                sqlx::query(statement)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })
    }

    /// A user's live sessions, newest first.
    pub async fn list_user_sessions(
        &self,
        user_id: &str,
        now: i64,
    ) -> StoreResult<Vec<SessionRow>> {
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "select id_hash, user_id, auth_time, amr, created_at, last_seen_at, idle_expires_at, expires_at
                 from sessions where user_id = $1 and expires_at > $2 and idle_expires_at > $2
                 order by created_at desc",
            )
            .bind(user_id)
            .bind(now)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter().map(SessionRow::try_from).collect()
    }
}
