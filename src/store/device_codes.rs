//! Device authorization grants (RFC 8628), keyed by the SHA-256 of the device code; the user
//! code and the pages' handle are stored hashed too. Every change is one conditional update,
//! so instances sharing the database agree: the user's answer only moves a pending, unexpired
//! row; a poll is recorded only if nobody polled since it was read; tokens are issued only by
//! the update that moves an approved row to spent.
use super::refresh_tokens::{NewRefreshToken, insert_family_query, insert_refresh_token_query};
use super::{Store, StoreResult, corrupt, on_pool};
use crate::oauth::device::{Approval, DeviceGrant};
use crate::oauth::resource::ResourceIds;
use crate::oauth::scope::Scopes;

/// A new device authorization request.
#[derive(Debug, Clone)]
pub struct NewDeviceCode<'a> {
    pub device_code_hash: &'a str,
    pub user_code_hash: &'a str,
    pub client_id: &'a str,
    pub scope: &'a Scopes,
    pub resources: &'a ResourceIds,
    pub created_at: i64,
    pub expires_at: i64,
    pub interval: i64,
}

const COLUMNS: &str =
    "client_id, scope, resources, status, expires_at, poll_interval, last_polled_at,
    user_id, session_id_hash, auth_time, amr";

#[derive(sqlx::FromRow)]
struct DeviceRow {
    client_id: String,
    scope: String,
    resources: String,
    status: String,
    expires_at: i64,
    poll_interval: i64,
    last_polled_at: Option<i64>,
    user_id: Option<String>,
    session_id_hash: Option<String>,
    auth_time: Option<i64>,
    amr: Option<String>,
}

impl TryFrom<DeviceRow> for DeviceGrant {
    type Error = sqlx::Error;

    fn try_from(row: DeviceRow) -> Result<Self, Self::Error> {
        let approval = match (row.user_id, row.session_id_hash, row.auth_time, row.amr) {
            (Some(user_id), Some(session_id_hash), Some(auth_time), Some(amr)) => Some(Approval {
                user_id,
                session_id_hash,
                auth_time,
                amr: amr.parse().map_err(|e| corrupt("amr", e))?,
            }),
            _ => None,
        };
        Ok(Self {
            scope: row.scope.parse().map_err(|e| corrupt("scope", e))?,
            resources: ResourceIds::parse(&row.resources),
            status: row
                .status
                .parse()
                .map_err(|e: String| corrupt("status", std::io::Error::other(e)))?,
            client_id: row.client_id,
            expires_at: row.expires_at,
            interval: row.poll_interval,
            last_polled_at: row.last_polled_at,
            approval,
        })
    }
}

/// A poll to record: the grant as it was read (`seen_last_poll`) and the interval from now on.
#[derive(Debug, Clone, Copy)]
pub struct PollRecord<'a> {
    pub device_code_hash: &'a str,
    pub seen_last_poll: Option<i64>,
    pub interval: i64,
    pub now: i64,
}

impl Store {
    /// Stores a new grant; false (nothing stored) when its user code is another grant's.
    pub async fn insert_device_code(&self, code: &NewDeviceCode<'_>) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into device_codes (device_code_hash, user_code_hash, client_id, scope, resources,
                    created_at, expires_at, poll_interval, status)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, 'pending')
                 on conflict (user_code_hash) do nothing",
            )
            .bind(code.device_code_hash)
            .bind(code.user_code_hash)
            .bind(code.client_id)
            .bind(code.scope.to_string())
            .bind(code.resources.to_string())
            .bind(code.created_at)
            .bind(code.expires_at)
            .bind(code.interval)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    /// The grant a device code names, whatever its state.
    pub async fn find_device_code(
        &self,
        device_code_hash: &str,
    ) -> StoreResult<Option<DeviceGrant>> {
        let sql = format!("select {COLUMNS} from device_codes where device_code_hash = $1");
        let row: Option<DeviceRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(device_code_hash)
                .fetch_optional(pool)
                .await
        })?;
        row.map(DeviceGrant::try_from).transpose()
    }

    /// The user code was typed right: the pending, unexpired grant it names gets the pages'
    /// handle (replacing any earlier one: the last browser to type the code answers).
    pub async fn claim_user_code(
        &self,
        user_code_hash: &str,
        handle_hash: &str,
        now: i64,
    ) -> StoreResult<Option<DeviceGrant>> {
        let sql = format!(
            "update device_codes set handle_hash = $1
             where user_code_hash = $2 and status = 'pending' and expires_at > $3
             returning {COLUMNS}"
        );
        let row: Option<DeviceRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(handle_hash)
                .bind(user_code_hash)
                .bind(now)
                .fetch_optional(pool)
                .await
        })?;
        row.map(DeviceGrant::try_from).transpose()
    }

    /// The pending, unexpired grant the pages' handle names.
    pub async fn find_device_code_by_handle(
        &self,
        handle_hash: &str,
        now: i64,
    ) -> StoreResult<Option<DeviceGrant>> {
        let sql = format!(
            "select {COLUMNS} from device_codes
             where handle_hash = $1 and status = 'pending' and expires_at > $2"
        );
        let row: Option<DeviceRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(handle_hash)
                .bind(now)
                .fetch_optional(pool)
                .await
        })?;
        row.map(DeviceGrant::try_from).transpose()
    }

    /// The user allowed the grant: it records who, and how they signed in. False when it was
    /// answered, expired or its handle replaced meanwhile.
    pub async fn approve_device_code(
        &self,
        handle_hash: &str,
        approval: &Approval,
        now: i64,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update device_codes
                 set status = 'approved', user_id = $1, session_id_hash = $2, auth_time = $3, amr = $4,
                     answered_at = $5, handle_hash = null
                 where handle_hash = $6 and status = 'pending' and expires_at > $5",
            )
            .bind(&approval.user_id)
            .bind(&approval.session_id_hash)
            .bind(approval.auth_time)
            .bind(approval.amr.to_string())
            .bind(now)
            .bind(handle_hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    /// The user denied the grant. False when it was answered or expired meanwhile.
    pub async fn deny_device_code(&self, handle_hash: &str, now: i64) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update device_codes set status = 'denied', answered_at = $1, handle_hash = null
                 where handle_hash = $2 and status = 'pending' and expires_at > $1",
            )
            .bind(now)
            .bind(handle_hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    /// Records a poll, only if nobody polled since the grant was read (a compare on the last
    /// poll's time): false means another poll came in between, and the caller reads again.
    pub async fn record_device_poll(&self, poll: &PollRecord<'_>) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update device_codes set last_polled_at = $1, poll_interval = $2
                 where device_code_hash = $3 and coalesce(last_polled_at, -1) = $4",
            )
            .bind(poll.now)
            .bind(poll.interval)
            .bind(poll.device_code_hash)
            .bind(poll.seen_last_poll.unwrap_or(-1))
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    /// Spends an approved grant for `client_id` and stores the refresh token it produced, in
    /// one transaction. False when it was not approved and unexpired at that moment: another
    /// poll (on any instance) spent it first.
    pub async fn spend_device_code(
        &self,
        device_code_hash: &str,
        client_id: &str,
        refresh: Option<&NewRefreshToken<'_>>,
        now: i64,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let spent = sqlx::query(
                "update device_codes set status = 'spent', last_polled_at = $1
                 where device_code_hash = $2 and client_id = $3 and status = 'approved' and expires_at > $1",
            )
            .bind(now)
            .bind(device_code_hash)
            .bind(client_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !spent {
                tx.rollback().await?;
                return Ok(false);
            }
            if let Some(refresh) = refresh {
                insert_family_query!(refresh).execute(&mut *tx).await?;
                insert_refresh_token_query!(refresh)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }
}
