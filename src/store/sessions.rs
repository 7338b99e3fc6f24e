//! Browser sessions, keyed by the SHA-256 of the cookie value.
use super::{Store, StoreResult, on_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: String,
    pub auth_time: i64,
    pub amr: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub idle_expires_at: i64,
    pub expires_at: i64,
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
            .bind(&session.amr)
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
        let found: Option<SessionRow> = on_pool!(self, |pool| {
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
        let Some(mut session) = found else {
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

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from sessions where id_hash = $1")
                .bind(id_hash)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }
}

impl Store {
    /// A user's live sessions, newest first.
    pub async fn list_user_sessions(
        &self,
        user_id: &str,
        now: i64,
    ) -> StoreResult<Vec<SessionRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "select id_hash, user_id, auth_time, amr, created_at, last_seen_at, idle_expires_at, expires_at
                 from sessions where user_id = $1 and expires_at > $2 and idle_expires_at > $2
                 order by created_at desc",
            )
            .bind(user_id)
            .bind(now)
            .fetch_all(pool)
            .await
        })
    }
}
