//! Rotating a refresh token (issue 30: one round trip on PostgreSQL, one hand-off on SQLite,
//! where it was five). The family row is locked first, as a family's revocation locks it
//! first: a revocation cannot miss the token a concurrent rotation is inserting, and a
//! rotation cannot continue a family that was just revoked (RFC 9700 §4.14).
//!
//! PostgreSQL does it in one statement: `family` locks the live family row (`for update`,
//! which waits for a revocation in flight and then re-reads the row, so a family revoked
//! meanwhile yields nothing), `claimed` marks the presented token replaced only if it is
//! still the live one of that family (its row lock is re-checked the same way, so of two
//! rotations of one token only one claims it), and the new token is inserted for the claimed
//! row only. The family's lock is taken while `claimed` looks for its row, before that row
//! is locked: the order a revocation takes them in.
//!
//! SQLite has no data-modifying `WITH`: the claim and the insert run as one batch of
//! statements inside a transaction, the insert gated on the claim's `changes()`.
use sqlx::Connection as _;

use super::StoreResult;
use super::held::{Held, HeldConnection, on_held};
use super::refresh_tokens::{
    NewRefreshToken, bind_refresh_token, insert_refresh_token_query, refresh_token_columns,
};

/// The new token's columns are $1–$15 ([`bind_refresh_token`]); $16 is the presented token's
/// hash.
const POSTGRES_ROTATE: &str = concat!(
    "with family as (
        select id from refresh_families where id = $2 and revoked_at is null for update
    ), claimed as (
        update refresh_tokens set replaced_at = $11
        where token_hash = $16 and replaced_at is null and revoked_at is null
            and family_id in (select id from family)
        returning 1
    )
    insert into refresh_tokens (",
    refresh_token_columns!(),
    ") select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 from claimed"
);

/// SQLite's batch, with the same parameters; its one row says whether the token rotated.
const SQLITE_ROTATE: &str = concat!(
    "update refresh_tokens set replaced_at = $11
     where token_hash = $16 and replaced_at is null and revoked_at is null
         and exists (select 1 from refresh_families where id = $2 and revoked_at is null);
     insert into refresh_tokens (",
    refresh_token_columns!(),
    ") select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 where changes() = 1;
     select changes() = 1"
);

impl Held<'_> {
    /// Replaces `old_hash` by `new`, the family locked first. Returns false, changing
    /// nothing, when the family was revoked or the old token was already replaced or revoked
    /// (a concurrent refresh or revocation won).
    pub async fn rotate_refresh_token(
        &mut self,
        old_hash: &str,
        new: &NewRefreshToken<'_>,
    ) -> StoreResult<bool> {
        let store = self.store;
        // A failure returns early and leaves the connection to be pinged (`Held::settle`).
        self.begin_work();
        let rotated = match &mut self.connection {
            HeldConnection::Postgres(connection) => {
                let query = bind_refresh_token!(sqlx::query(POSTGRES_ROTATE), new).bind(old_hash);
                let inserted = store.timed(query.execute(&mut **connection)).await?;
                inserted.rows_affected() == 1
            }
            HeldConnection::Sqlite(connection) => {
                store
                    .timed(async {
                        let mut tx = connection.begin().await?;
                        let query = bind_refresh_token!(sqlx::query_scalar(SQLITE_ROTATE), new)
                            .bind(old_hash);
                        let rotated: bool = query.fetch_one(&mut *tx).await?;
                        match rotated {
                            true => tx.commit().await?,
                            false => tx.rollback().await?,
                        }
                        Ok(rotated)
                    })
                    .await?
            }
        };
        self.settle();
        Ok(rotated)
    }

    /// Rotates again from a token replaced moments ago (a fapi2 client's retry, FAPI 2.0
    /// §5.3.2.1 Note 2): under the family lock, the family's live token (the replacement the
    /// client never received) is ended and `new` becomes the newest. False when the family or
    /// the presented token was revoked meanwhile.
    ///
    /// Separate statements in a transaction, not one: after waiting for the family's lock,
    /// each statement must see what the rotation it waited for inserted (a statement sees
    /// the database as it was when the statement began), or that rotation's token would stay
    /// live beside ours. It is the rare path.
    pub async fn rotate_refresh_token_again(
        &mut self,
        old_hash: &str,
        new: &NewRefreshToken<'_>,
    ) -> StoreResult<bool> {
        on_held!(self, |connection| {
            let mut tx = connection.begin().await?;
            let family_live = sqlx::query(
                "update refresh_families set revoked_at = revoked_at where id = $1 and revoked_at is null",
            )
            .bind(new.family_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            let presented_live = family_live
                && sqlx::query_scalar::<_, i64>(
                    "select count(*) from refresh_tokens
                     where token_hash = $1 and family_id = $2 and revoked_at is null",
                )
                .bind(old_hash)
                .bind(new.family_id)
                .fetch_one(&mut *tx)
                .await?
                    == 1;
            if !presented_live {
                tx.rollback().await?;
                return Ok(false);
            }
            sqlx::query(
                "update refresh_tokens set replaced_at = $1
                 where family_id = $2 and replaced_at is null and revoked_at is null",
            )
            .bind(new.created_at)
            .bind(new.family_id)
            .execute(&mut *tx)
            .await?;
            insert_refresh_token_query!(new).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(true)
        })
    }
}
