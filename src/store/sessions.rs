//! Browser sessions, keyed by the SHA-256 of the cookie value.
use super::held::{Held, on_held};
use super::outbox::{TAKEN, take_and_queue};
use super::users::UserRow;
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
    /// The browser it started in (truncated), for the account page and the admin API.
    pub user_agent: Option<String>,
    /// The address it started from.
    pub address: Option<String>,
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
    // Read only where a session is listed; the statements that check a session skip them.
    #[sqlx(default)]
    user_agent: Option<String>,
    #[sqlx(default)]
    address: Option<String>,
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
            user_agent: row.user_agent,
            address: row.address,
        })
    }
}

/// A session joined with its user, as one statement reads them.
#[derive(sqlx::FromRow)]
pub(super) struct SessionUserRow {
    #[sqlx(flatten)]
    session: Row,
    email: String,
    name: Option<String>,
    password_hash: String,
    email_verified: bool,
    user_created_at: i64,
    tokens_valid_after: i64,
}

/// The columns of [`SessionUserRow`], sessions as `s` and users as `u`.
macro_rules! session_user_columns {
    () => {
        "s.id_hash, s.user_id, s.auth_time, s.amr, s.created_at, s.last_seen_at, s.idle_expires_at, s.expires_at,
         u.email, u.name, u.password_hash, u.email_verified, u.created_at as user_created_at, u.tokens_valid_after"
    };
}
pub(super) use session_user_columns;

/// The condition on `sessions s join users u` that finds the live session with id hash $1 at
/// $2, of a user who is not disabled.
macro_rules! live_session_of_active_user {
    () => {
        "s.id_hash = $1 and s.expires_at > $2 and s.idle_expires_at > $2 and not u.disabled"
    };
}
pub(super) use live_session_of_active_user;

impl SessionUserRow {
    pub(super) fn split(self) -> Result<(SessionRow, UserRow), sqlx::Error> {
        let user = UserRow {
            id: self.session.user_id.clone(),
            email: self.email,
            name: self.name,
            password_hash: self.password_hash,
            email_verified: self.email_verified,
            // Only sessions of users who are not disabled are read.
            disabled: false,
            created_at: self.user_created_at,
            tokens_valid_after: self.tokens_valid_after,
        };
        Ok((SessionRow::try_from(self.session)?, user))
    }
}

/// The insert of a session row, alone or inside the transaction that replaces old sessions.
macro_rules! insert_session_query {
    ($session:expr) => {
        sqlx::query(
            "insert into sessions (id_hash, user_id, auth_time, amr, created_at, last_seen_at, idle_expires_at, expires_at, user_agent, address)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&$session.id_hash)
        .bind(&$session.user_id)
        .bind($session.auth_time)
        .bind($session.amr.to_string())
        .bind($session.created_at)
        .bind($session.last_seen_at)
        .bind($session.idle_expires_at)
        .bind($session.expires_at)
        .bind($session.user_agent.as_deref())
        .bind($session.address.as_deref())
    };
}

/// What an ended session leaves behind that must not complete: its unexchanged codes and
/// the half-done step-ups that would replace it.
macro_rules! delete_pending_of_session {
    ($tx:expr, $id_hash:expr) => {
        for statement in [
            "delete from authorization_codes where session_id_hash = $1 and consumed_at is null",
            "delete from pending_sign_ins where replaces_session_hash = $1",
        ] {
            sqlx::query(statement)
                .bind($id_hash)
                .execute(&mut *$tx)
                .await?;
        }
    };
}

/// Sliding the idle expiry costs a write; do it at most this often per session.
const TOUCH_INTERVAL: i64 = 60;

impl Held<'_> {
    /// Slides a live session's idle expiry forward, at most once per [`TOUCH_INTERVAL`].
    pub(super) async fn slide_idle_expiry(
        &mut self,
        session: &mut SessionRow,
        now: i64,
        idle_ttl: i64,
    ) -> StoreResult<()> {
        if now - session.last_seen_at < TOUCH_INTERVAL {
            return Ok(());
        }
        session.last_seen_at = now;
        session.idle_expires_at = (now + idle_ttl).min(session.expires_at);
        let session: &SessionRow = session;
        on_held!(self, |connection| {
            sqlx::query(
                "update sessions set last_seen_at = $1, idle_expires_at = $2 where id_hash = $3",
            )
            .bind(session.last_seen_at)
            .bind(session.idle_expires_at)
            .bind(&session.id_hash)
            .execute(&mut *connection)
            .await
            .map(|_| ())
        })
    }
}

impl Store {
    pub async fn insert_session(&self, session: &SessionRow) -> StoreResult<()> {
        on_pool!(self, |pool| {
            insert_session_query!(session)
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
        let found = self.find_active_session_with_user(id_hash, now, idle_ttl);
        Ok(found.await?.map(|(session, _)| session))
    }

    /// As [`Store::find_active_session`], with its (active) user: the statement joins the
    /// user anyway, to leave out disabled ones, so the user costs no second round trip.
    pub async fn find_active_session_with_user(
        &self,
        id_hash: &str,
        now: i64,
        idle_ttl: i64,
    ) -> StoreResult<Option<(SessionRow, UserRow)>> {
        let mut held = self.hold().await?;
        let found: Option<SessionUserRow> = on_held!(&mut held, |connection| {
            sqlx::query_as(concat!(
                "select ",
                session_user_columns!(),
                " from sessions s join users u on u.id = s.user_id where ",
                live_session_of_active_user!(),
            ))
            .bind(id_hash)
            .bind(now)
            .fetch_optional(&mut *connection)
            .await
        })?;
        let Some((mut session, user)) = found.map(SessionUserRow::split).transpose()? else {
            return Ok(None);
        };
        held.slide_idle_expiry(&mut session, now, idle_ttl).await?;
        Ok(Some((session, user)))
    }

    /// Ends a session in one transaction: deletes it with everything still pending on it
    /// (codes not yet exchanged, half-done step-ups), so nothing it started can complete after
    /// it ended, and queues a back-channel logout for each app in `receivers` that got tokens
    /// through it. The session row goes first: on PostgreSQL that waits for a code exchange
    /// recording its app (which holds the row), so the app is seen here and told. Returns the
    /// number of logouts queued.
    pub async fn end_session(
        &self,
        id_hash: &str,
        receivers: &[String],
        now: i64,
    ) -> StoreResult<u64> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("delete from sessions where id_hash = $1")
                .bind(id_hash)
                .execute(&mut *tx)
                .await?;
            let sql = format!("delete from session_clients where session_id_hash = $1 {TAKEN}");
            let queued = take_and_queue!(tx, sqlx::AssertSqlSafe(sql), id_hash, receivers, now);
            delete_pending_of_session!(tx, id_hash);
            tx.commit().await?;
            Ok(queued)
        })
    }

    /// Ends every session of a user (sign-out everywhere) with their unexchanged codes and
    /// half-done sign-ins, queueing the back-channel logouts, in one transaction.
    pub async fn end_user_sessions(
        &self,
        user_id: &str,
        receivers: &[String],
        now: i64,
    ) -> StoreResult<u64> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("delete from sessions where user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            let sql = format!("delete from session_clients where user_id = $1 {TAKEN}");
            let queued = take_and_queue!(tx, sqlx::AssertSqlSafe(sql), user_id, receivers, now);
            for statement in [
                "delete from authorization_codes where user_id = $1 and consumed_at is null",
                "delete from pending_sign_ins where user_id = $1",
            ] {
                sqlx::query(statement)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(queued)
        })
    }

    /// Stores `new` in place of the browser's old sessions `replacing` (id hashes), in one
    /// transaction. An old session of the same user lives on as the new one (a step-up or a
    /// repeated sign-in): its apps and refresh families move over, and each app keeps the
    /// `sid` it was given, so the eventual logout names a session it knows. An old session of
    /// another user has ended: its apps in `receivers` are sent a logout.
    pub async fn start_session(
        &self,
        new: &SessionRow,
        replacing: &[String],
        receivers: &[String],
        now: i64,
    ) -> StoreResult<u64> {
        if replacing.iter().all(|old| *old == new.id_hash) {
            // Nothing to replace: one insert, without the transaction's BEGIN and COMMIT.
            self.insert_session(new).await?;
            return Ok(0);
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            insert_session_query!(new).execute(&mut *tx).await?;
            let mut queued = 0;
            for old in replacing.iter().filter(|old| **old != new.id_hash) {
                let owner: Option<String> =
                    sqlx::query_scalar("delete from sessions where id_hash = $1 returning user_id")
                        .bind(old)
                        .fetch_optional(&mut *tx)
                        .await?;
                if owner.as_deref() == Some(new.user_id.as_str()) {
                    // An app already moved over from another replaced session keeps that row.
                    let old_sid = crate::auth::session::public_id(old);
                    sqlx::query(
                        "update session_clients set session_id_hash = $1, sid = coalesce(sid, $2)
                         where session_id_hash = $3 and client_id not in
                             (select client_id from session_clients where session_id_hash = $1)",
                    )
                    .bind(&new.id_hash)
                    .bind(&old_sid)
                    .bind(old)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("delete from session_clients where session_id_hash = $1")
                        .bind(old)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "update refresh_families set session_id_hash = $1 where session_id_hash = $2",
                    )
                    .bind(&new.id_hash)
                    .bind(old)
                    .execute(&mut *tx)
                    .await?;
                } else {
                    let sql =
                        format!("delete from session_clients where session_id_hash = $1 {TAKEN}");
                    queued += take_and_queue!(tx, sqlx::AssertSqlSafe(sql), old, receivers, now);
                }
                delete_pending_of_session!(tx, old);
            }
            tx.commit().await?;
            Ok(queued)
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
                "select id_hash, user_id, auth_time, amr, created_at, last_seen_at, idle_expires_at, expires_at,
                        user_agent, address
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
