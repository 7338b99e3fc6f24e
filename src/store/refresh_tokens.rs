//! Refresh tokens, keyed by the SHA-256 of the token, and their families (one per grant).
//! Rotation and family revocation both start by locking the family row, so they serialise on
//! PostgreSQL as they do on SQLite: a revocation cannot miss the token a concurrent rotation
//! is inserting, and a rotation cannot continue a family that was just revoked
//! (RFC 9700 §4.14).
use super::held::{Held, on_held};
use super::users::{JoinedUserRow, UserRow, joined_user_columns};
use super::{Store, StoreResult, corrupt, on_pool};
use crate::oauth::amr::Amr;
use crate::oauth::refresh::RefreshTokenRecord;
use crate::oauth::resource::ResourceIds;
use crate::oauth::scope::Scopes;

#[derive(Debug, Clone)]
pub struct NewRefreshToken<'a> {
    pub token_hash: &'a str,
    pub family_id: &'a str,
    pub client_id: &'a str,
    pub user_id: &'a str,
    pub session_id_hash: &'a str,
    pub scope: &'a Scopes,
    /// The APIs the grant covers.
    pub resources: &'a ResourceIds,
    pub auth_time: i64,
    pub amr: &'a Amr,
    pub access_token_jti: &'a str,
    pub access_token_expires_at: i64,
    pub created_at: i64,
    pub idle_expires_at: i64,
    /// The family's end; rotation never extends it.
    pub expires_at: i64,
    /// The DPoP key a public client's token is bound to (RFC 9449 §5).
    pub dpop_jkt: Option<&'a str>,
}

#[derive(sqlx::FromRow)]
struct Row {
    family_id: String,
    client_id: String,
    user_id: String,
    session_id_hash: String,
    scope: String,
    resources: String,
    auth_time: i64,
    amr: String,
    created_at: i64,
    idle_expires_at: i64,
    expires_at: i64,
    replaced_at: Option<i64>,
    revoked_at: Option<i64>,
    dpop_jkt: Option<String>,
    #[sqlx(flatten)]
    user: JoinedUserRow,
}

impl Row {
    /// The token, and its user if the join found one.
    fn split(self) -> Result<(RefreshTokenRecord, Option<UserRow>), sqlx::Error> {
        let row = self;
        let record = RefreshTokenRecord {
            scope: row.scope.parse().map_err(|e| corrupt("scope", e))?,
            resources: ResourceIds::parse(&row.resources),
            amr: row.amr.parse().map_err(|e| corrupt("amr", e))?,
            family_id: row.family_id,
            client_id: row.client_id,
            user_id: row.user_id,
            session_id_hash: row.session_id_hash,
            auth_time: row.auth_time,
            created_at: row.created_at,
            idle_expires_at: row.idle_expires_at,
            expires_at: row.expires_at,
            replaced_at: row.replaced_at,
            revoked_at: row.revoked_at,
            dpop_jkt: row.dpop_jkt,
        };
        Ok((record, row.user.into_user()))
    }
}

/// Binds a refresh-token row's columns as $1–$15, in the order of [`REFRESH_TOKEN_COLUMNS`].
/// Scope, resources and amr are stored as their space-separated text, the form `Row` parses
/// back.
macro_rules! bind_refresh_token {
    ($query:expr, $token:expr) => {
        $query
            .bind($token.token_hash)
            .bind($token.family_id)
            .bind($token.client_id)
            .bind($token.user_id)
            .bind($token.session_id_hash)
            .bind($token.scope.to_string())
            .bind($token.auth_time)
            .bind($token.amr.to_string())
            .bind($token.access_token_jti)
            .bind($token.access_token_expires_at)
            .bind($token.created_at)
            .bind($token.idle_expires_at)
            .bind($token.expires_at)
            .bind($token.resources.to_string())
            .bind($token.dpop_jkt)
    };
}
pub(crate) use bind_refresh_token;

/// The columns [`bind_refresh_token`] binds, in its order.
macro_rules! refresh_token_columns {
    () => {
        "token_hash, family_id, client_id, user_id, session_id_hash, scope, auth_time, amr,
         access_token_jti, access_token_expires_at, created_at, idle_expires_at, expires_at,
         resources, dpop_jkt"
    };
}
pub(crate) use refresh_token_columns;

/// The insert of a refresh-token row, shared by first issue and rotation (both inside a
/// transaction).
macro_rules! insert_refresh_token_query {
    ($token:expr) => {
        $crate::store::refresh_tokens::bind_refresh_token!(
            sqlx::query(concat!(
                "insert into refresh_tokens (",
                $crate::store::refresh_tokens::refresh_token_columns!(),
                ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
            )),
            $token
        )
    };
}
pub(crate) use insert_refresh_token_query;

/// The family row of a grant's first refresh token.
macro_rules! insert_family_query {
    ($token:expr) => {
        sqlx::query(
            "insert into refresh_families (id, client_id, user_id, session_id_hash, created_at, expires_at)
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind($token.family_id)
        .bind($token.client_id)
        .bind($token.user_id)
        .bind($token.session_id_hash)
        .bind($token.created_at)
        .bind($token.expires_at)
    };
}
pub(crate) use insert_family_query;

/// Which families a session's end revokes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FamilyFilter<'a> {
    /// Every family of the session.
    AllClients,
    /// Only this client's.
    Client(&'a str),
}

impl Held<'_> {
    /// The token with this hash, with its user (whether disabled or not: the caller asks
    /// [`UserRow::accepts_token_issued_at`]), in one round trip.
    pub async fn find_refresh_token_with_user(
        &mut self,
        token_hash: &str,
    ) -> StoreResult<Option<(RefreshTokenRecord, Option<UserRow>)>> {
        let row: Option<Row> = on_held!(self, |connection| {
            sqlx::query_as(concat!(
                "select t.family_id, t.client_id, t.user_id, t.session_id_hash, t.scope, t.resources, t.auth_time,
                    t.amr, t.created_at, t.idle_expires_at, t.expires_at, t.replaced_at, t.revoked_at, t.dpop_jkt, ",
                joined_user_columns!(),
                " from refresh_tokens t left join users u on u.id = t.user_id
                 where t.token_hash = $1"
            ))
            .bind(token_hash)
            .fetch_optional(&mut *connection)
            .await
        })?;
        row.map(Row::split).transpose()
    }
}

impl Store {
    pub async fn find_refresh_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<RefreshTokenRecord>> {
        let mut held = self.hold().await?;
        let found = held.find_refresh_token_with_user(token_hash).await?;
        Ok(found.map(|(record, _)| record))
    }

    /// Revokes a family: the family row first (which waits for a rotation in flight), then,
    /// seeing that rotation's token, every refresh token and every access token issued from it.
    pub async fn revoke_refresh_family(&self, family_id: &str, now: i64) -> StoreResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "update refresh_families set revoked_at = coalesce(revoked_at, $1) where id = $2",
            )
            .bind(now)
            .bind(family_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "insert into revoked_access_tokens (jti, expires_at)
                 select access_token_jti, access_token_expires_at from refresh_tokens
                 where family_id = $1 and access_token_expires_at > $2
                 on conflict (jti) do nothing",
            )
            .bind(family_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "update refresh_tokens set revoked_at = $1 where family_id = $2 and revoked_at is null",
            )
            .bind(now)
            .bind(family_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })
    }

    /// The live families of a user for one client (withdrawn consent).
    pub async fn refresh_families_for_client(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StoreResult<Vec<String>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select id from refresh_families
                 where user_id = $1 and client_id = $2 and revoked_at is null",
            )
            .bind(user_id)
            .bind(client_id)
            .fetch_all(pool)
            .await
        })
    }

    /// The live families started in one browser session, all or one client's.
    pub async fn refresh_families_for_session(
        &self,
        session_id_hash: &str,
        filter: FamilyFilter<'_>,
    ) -> StoreResult<Vec<String>> {
        let client_id = match filter {
            FamilyFilter::AllClients => None,
            FamilyFilter::Client(id) => Some(id),
        };
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select id from refresh_families
                 where session_id_hash = $1 and ($2 is null or client_id = $2) and revoked_at is null",
            )
            .bind(session_id_hash)
            .bind(client_id)
            .fetch_all(pool)
            .await
        })
    }

    /// Every live family of a user (sign-out everywhere).
    pub async fn refresh_families_for_user(&self, user_id: &str) -> StoreResult<Vec<String>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select id from refresh_families where user_id = $1 and revoked_at is null",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
        })
    }
}
