//! Revoked access tokens (by `jti`), kept until the token would have expired anyway.
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

    pub async fn is_access_token_revoked(&self, jti: &str) -> StoreResult<bool> {
        let count: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar("select count(*) from revoked_access_tokens where jti = $1")
                .bind(jti)
                .fetch_one(pool)
                .await
        })?;
        Ok(count > 0)
    }
}
