//! Clients registered at `/register` (RFC 7591), with the hash of their registration access
//! token (RFC 7592) and when they were last used, so unused ones can be purged.
use std::fmt;

use super::{Store, StoreResult, on_pool};

/// One registration as stored: the metadata JSON as the client sent it.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RegisteredClientRow {
    pub client_id: String,
    pub metadata: String,
    /// SHA-256 of the registration access token.
    pub registration_token_hash: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_used_at: i64,
}

impl fmt::Debug for RegisteredClientRow {
    // The token's hash stays out of Debug output, as every bearer secret's does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisteredClientRow")
            .field("client_id", &self.client_id)
            .field("created_at", &self.created_at)
            .field("last_used_at", &self.last_used_at)
            .finish_non_exhaustive()
    }
}

impl Store {
    pub async fn insert_registered_client(&self, row: &RegisteredClientRow) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into registered_clients (client_id, metadata, registration_token_hash, created_at, updated_at, last_used_at)
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&row.client_id)
            .bind(&row.metadata)
            .bind(&row.registration_token_hash)
            .bind(row.created_at)
            .bind(row.updated_at)
            .bind(row.last_used_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    pub async fn find_registered_client(
        &self,
        client_id: &str,
    ) -> StoreResult<Option<RegisteredClientRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "select client_id, metadata, registration_token_hash, created_at, updated_at, last_used_at
                 from registered_clients where client_id = $1",
            )
            .bind(client_id)
                .fetch_optional(pool)
                .await
        })
    }

    /// Every registration, oldest first (for the CLI and the admin API).
    pub async fn list_registered_clients(&self) -> StoreResult<Vec<RegisteredClientRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "select client_id, metadata, registration_token_hash, created_at, updated_at, last_used_at
                 from registered_clients order by created_at, client_id",
            )
            .fetch_all(pool)
            .await
        })
    }

    /// Marks the client used at `now` unless it was marked after `fresh_after`: one write
    /// per client per interval, not one per request.
    pub async fn touch_registered_client(
        &self,
        client_id: &str,
        now: i64,
        fresh_after: i64,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update registered_clients set last_used_at = $2
                 where client_id = $1 and last_used_at < $3",
            )
            .bind(client_id)
            .bind(now)
            .bind(fresh_after)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Replaces a registration's metadata (RFC 7592 §2.2); false when it no longer exists.
    pub async fn update_registered_client(
        &self,
        client_id: &str,
        metadata: &str,
        now: i64,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update registered_clients set metadata = $2, updated_at = $3, last_used_at = $3
                 where client_id = $1",
            )
            .bind(client_id)
            .bind(metadata)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    /// Deletes a registration; false when there was none.
    pub async fn delete_registered_client(&self, client_id: &str) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query("delete from registered_clients where client_id = $1")
                .bind(client_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected() == 1)
        })
    }

    /// Forgets every user's consent to a client (a registration deleted): its API consents
    /// go with them (`on delete cascade`).
    pub async fn delete_consents_of_client(&self, client_id: &str) -> StoreResult<u64> {
        on_pool!(self, |pool| {
            sqlx::query("delete from consents where client_id = $1")
                .bind(client_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
    }
}
