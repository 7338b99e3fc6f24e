//! Signing keys (see `keys::lifecycle`): the private key sealed, the public JWK, the times.
//! Preparing a key is one insert guarded by the unique `(alg, generation)` (migration 0011;
//! each algorithm's keys have generations of their own), so when several instances find a
//! rotation due at once, exactly one of them makes the key.
use super::{Store, StoreResult, on_pool};

/// A signing key as stored. The private key is sealed; still never for logs.
#[derive(Clone, sqlx::FromRow)]
pub struct SigningKeyRow {
    pub kid: String,
    pub generation: i64,
    pub alg: String,
    pub public_jwk: String,
    pub sealed_private_key: String,
    pub created_at: i64,
    pub publish_at: i64,
    pub sign_at: i64,
    pub retire_at: Option<i64>,
    pub retired_at: Option<i64>,
}

impl std::fmt::Debug for SigningKeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyRow")
            .field("kid", &self.kid)
            .field("generation", &self.generation)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Every key, by algorithm, oldest generation first.
    pub async fn signing_keys(&self) -> StoreResult<Vec<SigningKeyRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "select kid, generation, alg, public_jwk, sealed_private_key, created_at, publish_at,
                        sign_at, retire_at, retired_at
                 from signing_keys order by alg, generation",
            )
            .fetch_all(pool)
            .await
        })
    }

    /// Stores a new key; when the key it supersedes is named, sets that key's retirement in
    /// the same transaction. False, changing nothing, when another instance already took
    /// this generation of this algorithm (or the kid exists).
    pub async fn insert_signing_key(
        &self,
        key: &SigningKeyRow,
        supersedes: Option<(&str, i64)>,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "insert into signing_keys (kid, generation, alg, public_jwk, sealed_private_key,
                    created_at, publish_at, sign_at, retire_at, retired_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 on conflict do nothing",
            )
            .bind(&key.kid)
            .bind(key.generation)
            .bind(&key.alg)
            .bind(&key.public_jwk)
            .bind(&key.sealed_private_key)
            .bind(key.created_at)
            .bind(key.publish_at)
            .bind(key.sign_at)
            .bind(key.retire_at)
            .bind(key.retired_at)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !inserted {
                tx.rollback().await?;
                return Ok(false);
            }
            if let Some((kid, retire_at)) = supersedes {
                sqlx::query(
                    "update signing_keys set retire_at = $1 where kid = $2 and retire_at is null",
                )
                .bind(retire_at)
                .bind(kid)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Removes a key from service now (emergency); with a `successor`, that key signs from
    /// now on, in the same transaction, so no instance ever reads the one without the other.
    /// False, changing nothing, when the key was already retired (or does not exist).
    pub async fn retire_signing_key(
        &self,
        kid: &str,
        now: i64,
        successor: Option<&str>,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let retired = sqlx::query(
                "update signing_keys set retired_at = $1 where kid = $2 and retired_at is null",
            )
            .bind(now)
            .bind(kid)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !retired {
                tx.rollback().await?;
                return Ok(false);
            }
            if let Some(successor) = successor {
                sqlx::query("update signing_keys set sign_at = $1 where kid = $2 and sign_at > $1")
                    .bind(now)
                    .bind(successor)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Sets when a key leaves the JWKS, if nothing set it before (an algorithm dropped from
    /// `signing_algs`). False when it already had a time.
    pub async fn schedule_signing_key_retirement(
        &self,
        kid: &str,
        retire_at: i64,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            let updated = sqlx::query(
                "update signing_keys set retire_at = $1
                 where kid = $2 and retire_at is null and retired_at is null",
            )
            .bind(retire_at)
            .bind(kid)
            .execute(pool)
            .await?
            .rows_affected();
            Ok(updated == 1)
        })
    }
}
