//! Remembered consent: the scopes a user approved for a client.
use super::{Store, StoreResult, on_pool};

impl Store {
    pub async fn find_consent(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StoreResult<Option<String>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar("select scope from consents where user_id = $1 and client_id = $2")
                .bind(user_id)
                .bind(client_id)
                .fetch_optional(pool)
                .await
        })
    }

    /// Records the approved scopes, replacing what was there (callers pass the union).
    pub async fn save_consent(
        &self,
        user_id: &str,
        client_id: &str,
        scope: &str,
        now: i64,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into consents (user_id, client_id, scope, updated_at) values ($1, $2, $3, $4)
                 on conflict (user_id, client_id) do update set scope = excluded.scope, updated_at = excluded.updated_at",
            )
            .bind(user_id)
            .bind(client_id)
            .bind(scope)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }
}

impl Store {
    /// (client_id, scope) pairs the user approved.
    pub async fn list_consents(&self, user_id: &str) -> StoreResult<Vec<(String, String)>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "select client_id, scope from consents where user_id = $1 order by client_id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
        })
    }

    pub async fn delete_consent(&self, user_id: &str, client_id: &str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from consents where user_id = $1 and client_id = $2")
                .bind(user_id)
                .bind(client_id)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }
}
