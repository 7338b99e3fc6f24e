//! Remembered consent: the scopes and APIs a user approved for a client.
use super::{Store, StoreResult, corrupt, on_pool};
use crate::oauth::consent::Approval;
use crate::oauth::resource::ResourceIds;
use crate::oauth::scope::Scopes;

impl Store {
    pub async fn find_consent(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StoreResult<Option<Approval>> {
        let row: Option<(String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "select scope, resources from consents where user_id = $1 and client_id = $2",
            )
            .bind(user_id)
            .bind(client_id)
            .fetch_optional(pool)
            .await
        })?;
        row.map(|(scope, resources)| {
            Ok(Approval {
                scope: scope.parse().map_err(|e| corrupt("scope", e))?,
                resources: ResourceIds::parse(&resources),
            })
        })
        .transpose()
    }

    /// Records the approval, replacing what was there (callers pass the union).
    pub async fn save_consent(
        &self,
        user_id: &str,
        client_id: &str,
        approval: &Approval,
        now: i64,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into consents (user_id, client_id, scope, resources, updated_at) values ($1, $2, $3, $4, $5)
                 on conflict (user_id, client_id) do update
                 set scope = excluded.scope, resources = excluded.resources, updated_at = excluded.updated_at",
            )
            .bind(user_id)
            .bind(client_id)
            .bind(approval.scope.to_string())
            .bind(approval.resources.to_string())
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }
}

impl Store {
    /// (client_id, scope) pairs the user approved.
    pub async fn list_consents(&self, user_id: &str) -> StoreResult<Vec<(String, Scopes)>> {
        let rows: Vec<(String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "select client_id, scope from consents where user_id = $1 order by client_id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter()
            .map(|(client, scope)| Ok((client, scope.parse().map_err(|e| corrupt("scope", e))?)))
            .collect()
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
