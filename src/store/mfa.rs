//! Two-step verification: the sealed TOTP secret and its replay guard, and recovery codes.
//! Everything that guards against replay lives here, so every instance sees the same state
//! (attempt limits are `throttle.rs`, sign-ins waiting for their second step
//! `pending_sign_ins.rs`).
use super::{Store, StoreResult, on_pool};

#[derive(Clone, sqlx::FromRow)]
pub struct TotpCredential {
    pub user_id: String,
    /// AES-256-GCM sealed (see `auth::sealing`); still not for logs.
    pub sealed_secret: String,
    pub enabled: bool,
    pub created_at: i64,
    pub enabled_at: Option<i64>,
    pub last_used_step: Option<i64>,
}

impl std::fmt::Debug for TotpCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpCredential")
            .field("user_id", &self.user_id)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// Deletes a user's recovery codes and inserts `hashes`, inside the transaction `tx`
/// (shared by enabling TOTP and regenerating codes).
macro_rules! replace_recovery_codes_in {
    ($tx:ident, $user_id:expr, $hashes:expr, $now:expr) => {
        sqlx::query("delete from recovery_codes where user_id = $1")
            .bind($user_id)
            .execute(&mut *$tx)
            .await?;
        for hash in $hashes {
            sqlx::query(
                "insert into recovery_codes (user_id, code_hash, created_at) values ($1, $2, $3)",
            )
            .bind($user_id)
            .bind(hash)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
        }
    };
}

impl Store {
    pub async fn find_totp_credential(&self, user_id: &str) -> StoreResult<Option<TotpCredential>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "select user_id, sealed_secret, enabled, created_at, enabled_at, last_used_step
                 from totp_credentials where user_id = $1",
            )
            .bind(user_id)
            .fetch_optional(pool)
            .await
        })
    }

    /// Every stored authenticator (to re-seal them under a new key).
    pub async fn all_totp_credentials(&self) -> StoreResult<Vec<TotpCredential>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "select user_id, sealed_secret, enabled, created_at, enabled_at, last_used_step
                 from totp_credentials order by user_id",
            )
            .fetch_all(pool)
            .await
        })
    }

    /// Replaces a sealed secret, unless it changed meanwhile (the user re-enrolled).
    pub async fn reseal_totp_secret(
        &self,
        user_id: &str,
        old_sealed: &str,
        new_sealed: &str,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update totp_credentials set sealed_secret = $1 where user_id = $2 and sealed_secret = $3",
            )
            .bind(new_sealed)
            .bind(user_id)
            .bind(old_sealed)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    /// True when the user has a confirmed authenticator.
    pub async fn totp_enabled(&self, user_id: &str) -> StoreResult<bool> {
        let enabled: Option<bool> = on_pool!(self, |pool| {
            sqlx::query_scalar("select enabled from totp_credentials where user_id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(enabled.unwrap_or(false))
    }

    /// Stores a pending (not yet enabled) secret, unless the user already has a credential.
    /// Returns false when one existed, so a reload of the enrolment page keeps the secret the
    /// user may already have scanned.
    pub async fn insert_pending_totp(
        &self,
        user_id: &str,
        sealed_secret: &str,
        now: i64,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into totp_credentials (user_id, sealed_secret, enabled, created_at)
                 values ($1, $2, false, $3)
                 on conflict (user_id) do nothing",
            )
            .bind(user_id)
            .bind(sealed_secret)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    /// Drops an enrolment that was never confirmed.
    pub async fn delete_pending_totp(&self, user_id: &str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from totp_credentials where user_id = $1 and not enabled")
                .bind(user_id)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// Records that the code of `step` was accepted, unless this or a later step already was.
    /// One conditional update, so two instances racing with the same code cannot both win.
    pub async fn accept_totp_step(&self, user_id: &str, step: i64) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update totp_credentials set last_used_step = $1
                 where user_id = $2 and (last_used_step is null or last_used_step < $1)",
            )
            .bind(step)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    /// Turns a pending credential on and replaces the recovery codes, in one transaction.
    /// Returns false when there was no pending credential (already enabled or removed).
    pub async fn enable_totp(
        &self,
        user_id: &str,
        recovery_code_hashes: &[String],
        now: i64,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let enabled = sqlx::query(
                "update totp_credentials set enabled = true, enabled_at = $1
                 where user_id = $2 and not enabled",
            )
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !enabled {
                tx.rollback().await?;
                return Ok(false);
            }
            replace_recovery_codes_in!(tx, user_id, recovery_code_hashes, now);
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Replaces the user's recovery codes; the old ones stop working at once.
    pub async fn replace_recovery_codes(
        &self,
        user_id: &str,
        hashes: &[String],
        now: i64,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            replace_recovery_codes_in!(tx, user_id, hashes, now);
            tx.commit().await
        })
    }

    /// Spends a recovery code: one atomic update, so a code works once even under a race.
    pub async fn consume_recovery_code(
        &self,
        user_id: &str,
        code_hash: &str,
        now: i64,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update recovery_codes set used_at = $1
                 where user_id = $2 and code_hash = $3 and used_at is null",
            )
            .bind(now)
            .bind(user_id)
            .bind(code_hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    pub async fn count_unused_recovery_codes(&self, user_id: &str) -> StoreResult<i64> {
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select count(*) from recovery_codes where user_id = $1 and used_at is null",
            )
            .bind(user_id)
            .fetch_one(pool)
            .await
        })
    }

    /// Removes the authenticator, recovery codes and pending sign-ins (the user turned
    /// two-step verification off, or an administrator reset it).
    pub async fn remove_mfa(&self, user_id: &str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for statement in [
                "delete from totp_credentials where user_id = $1",
                "delete from recovery_codes where user_id = $1",
                "delete from pending_sign_ins where user_id = $1",
            ] {
                sqlx::query(statement)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })
    }
}
