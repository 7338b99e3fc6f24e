//! The replay guard for DPoP proofs (RFC 9449 §11.1): each proof's `jti` once per key, until
//! the proof's `iat` window has passed. The `jti` is stored as its SHA-256: it is the client's
//! text, of any length up to the limit.
use super::{Store, StoreResult, on_pool};

impl Store {
    /// Records a proof; `false` when its key already used this `jti` (a replay). One
    /// statement, so of two instances receiving the same proof only one records it. The one
    /// database write a DPoP proof adds to a request.
    pub async fn record_dpop_proof(
        &self,
        jkt: &str,
        jti_hash: &str,
        expires_at: i64,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into dpop_proof_jtis (jkt, jti_hash, expires_at) values ($1, $2, $3)
                 on conflict (jkt, jti_hash) do nothing",
            )
            .bind(jkt)
            .bind(jti_hash)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }
}
