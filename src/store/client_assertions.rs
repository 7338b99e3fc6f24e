//! The replay guard for private_key_jwt client assertions: each `jti` once per client, until
//! the assertion has expired.
use super::{Store, StoreResult, on_pool};

impl Store {
    /// Records an assertion's `jti`; `false` when it was already recorded (a replay). One
    /// statement, so of two instances receiving the same assertion only one records it.
    pub async fn record_client_assertion(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into client_assertion_jtis (client_id, jti, expires_at) values ($1, $2, $3)
                 on conflict (client_id, jti) do nothing",
            )
            .bind(client_id)
            .bind(jti)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }
}
