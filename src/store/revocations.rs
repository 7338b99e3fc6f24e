//! Revoked access tokens (by `jti`), kept until the token would have expired anyway.
use super::users::{UserRow, user_columns};
use super::{Store, StoreResult, on_pool};

impl Store {
    pub async fn revoke_access_token(&self, jti: &str, expires_at: i64) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("insert into revoked_access_tokens (jti, expires_at) values ($1, $2) on conflict (jti) do nothing")
                .bind(jti)
                .bind(expires_at)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// Whether an access token's `jti` is on the revocation list (for a client's own token,
    /// which has no user to read with it).
    pub async fn is_access_token_revoked(&self, jti: &str) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query_scalar("select exists(select 1 from revoked_access_tokens where jti = $1)")
                .bind(jti)
                .fetch_one(pool)
                .await
        })
    }

    /// The user an access token speaks for, and whether the token itself (its `jti`) was
    /// revoked: the check every bearer request makes, in one round trip.
    pub async fn find_token_user(&self, sub: &str, jti: &str) -> StoreResult<Option<TokenUser>> {
        on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "select ",
                user_columns!(),
                ", exists(select 1 from revoked_access_tokens where jti = $2) as revoked",
                " from users where id = $1"
            ))
            .bind(sub)
            .bind(jti)
            .fetch_optional(pool)
            .await
        })
    }
}

/// A token's user as [`Store::find_token_user`] reads it.
#[derive(Debug, sqlx::FromRow)]
pub struct TokenUser {
    #[sqlx(flatten)]
    pub user: UserRow,
    /// The token's `jti` is on the revocation list.
    pub revoked: bool,
}
