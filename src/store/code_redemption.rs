//! Redeeming an authorization code (issue 30: one round trip on PostgreSQL, one hand-off on
//! SQLite, where it was six). In one atomic unit: the client is recorded as one that got
//! tokens through the code's session (for back-channel logout, with the `sid` it was given),
//! the code is marked used by that client with the tokens it produced, and the grant's
//! refresh-token family and first token are stored — only if the session is still live and
//! the code still unused.
//!
//! PostgreSQL does it in one statement of data-modifying `WITH` parts, each gated on the one
//! before through its `RETURNING` rows. The session row is locked first (`for key share`), as
//! ending a session deletes it first: an exchange and a logout of the same session take their
//! locks in the same order, and whichever comes second sees what the first did. The code's
//! row lock is re-checked on a concurrent change, so of two exchanges of one code only one
//! marks it used. When the code was used meanwhile the session's client row is still written
//! (no rollback in one statement), but it is the row the winning exchange of the same code
//! wrote for the same client and session: nothing is recorded that was not true.
//!
//! SQLite has no data-modifying `WITH`: the same steps run as one batch of statements inside
//! a transaction, each gated by reading what the one before wrote, and a final `select` says
//! which held; the transaction is rolled back unless both did.
use sqlx::Connection as _;

use super::StoreResult;
use super::codes::{CodeTokens, Redeemed, Redemption};
use super::held::{Held, HeldConnection};
use super::refresh_tokens::NewRefreshToken;

/// $1 client_id, $2 sid, $3 now, $4 session_id_hash, $5 access_token_jti,
/// $6 access_token_expires_at, $7 refresh_family_id, $8 code_hash.
const POSTGRES_SPEND: &str = "with recorded as (
        insert into session_clients (session_id_hash, client_id, user_id, sid, created_at)
        select id_hash, $1, user_id, $2, $3 from sessions where id_hash = $4 for key share
        on conflict (session_id_hash, client_id) do update set sid = excluded.sid
        returning 1
    ), spent as (
        update authorization_codes
        set consumed_at = $3, access_token_jti = $5, access_token_expires_at = $6, refresh_family_id = $7
        where code_hash = $8 and client_id = $1 and consumed_at is null and exists (select 1 from recorded)
        returning 1
    )";

/// The refresh-token family and its first token, after [`POSTGRES_SPEND`]: $9 token_hash,
/// $10 client_id, $11 user_id, $12 session_id_hash, $13 scope, $14 auth_time, $15 amr,
/// $16 access_token_jti, $17 access_token_expires_at, $18 created_at, $19 idle_expires_at,
/// $20 expires_at, $21 resources, $22 dpop_jkt, $23 family_id.
const POSTGRES_REFRESH: &str = ", family as (
        insert into refresh_families (id, client_id, user_id, session_id_hash, created_at, expires_at)
        select $23, $10, $11, $12, $18, $20 from spent
        returning id
    ), token as (
        insert into refresh_tokens (token_hash, family_id, client_id, user_id, session_id_hash, scope,
            auth_time, amr, access_token_jti, access_token_expires_at, created_at, idle_expires_at, expires_at,
            resources, dpop_jkt)
        select $9, id, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22 from family
    )";

const POSTGRES_OUTCOME: &str = "
    select exists (select 1 from recorded) as recorded, exists (select 1 from spent) as spent";

/// SQLite's batch, with the same parameters as [`POSTGRES_SPEND`].
const SQLITE_SPEND: &str = "insert into session_clients (session_id_hash, client_id, user_id, sid, created_at)
    select id_hash, $1, user_id, $2, $3 from sessions where id_hash = $4
    on conflict (session_id_hash, client_id) do update set sid = excluded.sid;
    update authorization_codes
    set consumed_at = $3, access_token_jti = $5, access_token_expires_at = $6, refresh_family_id = $7
    where code_hash = $8 and client_id = $1 and consumed_at is null
        and exists (select 1 from sessions where id_hash = $4);";

/// As [`POSTGRES_REFRESH`], each insert gated on the code having been spent by this batch.
const SQLITE_REFRESH: &str = "
    insert into refresh_families (id, client_id, user_id, session_id_hash, created_at, expires_at)
    select $23, $10, $11, $12, $18, $20
    where exists (select 1 from authorization_codes where code_hash = $8 and access_token_jti = $5);
    insert into refresh_tokens (token_hash, family_id, client_id, user_id, session_id_hash, scope,
        auth_time, amr, access_token_jti, access_token_expires_at, created_at, idle_expires_at, expires_at,
        resources, dpop_jkt)
    select $9, $23, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22
    where exists (select 1 from refresh_families where id = $23);";

const SQLITE_OUTCOME: &str = "
    select exists (select 1 from sessions where id_hash = $4) as recorded,
           exists (select 1 from authorization_codes where code_hash = $8 and access_token_jti = $5) as spent";

/// The one statement (PostgreSQL) or batch (SQLite) for a redemption with or without a
/// refresh token.
fn statement(postgres: bool, with_refresh: bool) -> String {
    let (spend, refresh, outcome) = match postgres {
        true => (POSTGRES_SPEND, POSTGRES_REFRESH, POSTGRES_OUTCOME),
        false => (SQLITE_SPEND, SQLITE_REFRESH, SQLITE_OUTCOME),
    };
    let refresh = if with_refresh { refresh } else { "" };
    format!("{spend}{refresh}{outcome}")
}

/// Binds a redemption's parameters, numbered as [`POSTGRES_SPEND`] and [`POSTGRES_REFRESH`]
/// say, to a query built for either database.
macro_rules! bind_redemption {
    ($query:expr, $code:expr, $tokens:expr, $refresh:expr) => {{
        let query = $query
            .bind($code.client_id)
            .bind($code.sid)
            .bind($code.now)
            .bind($code.session_id_hash)
            .bind(&$tokens.access_token_jti)
            .bind($tokens.access_token_expires_at)
            .bind(&$tokens.refresh_family_id)
            .bind($code.code_hash);
        match $refresh {
            None => query,
            Some(token) => query
                .bind(token.token_hash)
                .bind(token.client_id)
                .bind(token.user_id)
                .bind(token.session_id_hash)
                .bind(token.scope.to_string())
                .bind(token.auth_time)
                .bind(token.amr.to_string())
                .bind(token.access_token_jti)
                .bind(token.access_token_expires_at)
                .bind(token.created_at)
                .bind(token.idle_expires_at)
                .bind(token.expires_at)
                .bind(token.resources.to_string())
                .bind(token.dpop_jkt)
                .bind(token.family_id),
        }
    }};
}

/// What the final `select` of a redemption says.
#[derive(sqlx::FromRow)]
struct Outcome {
    recorded: bool,
    spent: bool,
}

impl Outcome {
    fn redeemed(&self) -> Redeemed {
        match (self.recorded, self.spent) {
            (false, _) => Redeemed::SessionEnded,
            (true, false) => Redeemed::AlreadyUsed,
            (true, true) => Redeemed::Redeemed,
        }
    }
}

impl Held<'_> {
    /// Marks the code used by `code.client_id`, records the tokens it produced and the client
    /// as one that got tokens through the code's session, and stores the new refresh token
    /// (and its family), all at once. Changes nothing else when the code was used meanwhile (a
    /// concurrent exchange won) or its session has ended.
    pub async fn redeem_code(
        &mut self,
        code: &Redemption<'_>,
        tokens: &CodeTokens,
        refresh: Option<&NewRefreshToken<'_>>,
    ) -> StoreResult<Redeemed> {
        let sql = statement(self.is_postgres(), refresh.is_some());
        let sql = sqlx::AssertSqlSafe(sql);
        let store = self.store;
        // A failure returns early and leaves the connection to be pinged (`Held::settle`).
        self.begin_work();
        let redeemed = match &mut self.connection {
            HeldConnection::Postgres(connection) => {
                let query = bind_redemption!(sqlx::query_as(sql), code, tokens, refresh);
                let outcome: Outcome = store.timed(query.fetch_one(&mut **connection)).await?;
                outcome.redeemed()
            }
            HeldConnection::Sqlite(connection) => {
                store
                    .timed(async {
                        let mut tx = connection.begin().await?;
                        let query = bind_redemption!(sqlx::query_as(sql), code, tokens, refresh);
                        let outcome: Outcome = query.fetch_one(&mut *tx).await?;
                        let redeemed = outcome.redeemed();
                        match redeemed {
                            Redeemed::Redeemed => tx.commit().await?,
                            Redeemed::AlreadyUsed | Redeemed::SessionEnded => tx.rollback().await?,
                        }
                        Ok(redeemed)
                    })
                    .await?
            }
        };
        self.settle();
        Ok(redeemed)
    }
}
