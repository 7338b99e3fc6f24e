//! Remembered consent: the scopes a user approved for a client (`consents`), and each API
//! with the scopes of it approved (`consent_apis`, migration 0014), removed with the client's
//! row by the foreign key.
use super::{Store, StoreResult, corrupt, on_pool};
use crate::oauth::consent::{ApiApproval, Approval};
use crate::oauth::scope::Scopes;

impl Store {
    /// The approval, read in one round trip (this runs on every authorization request): the
    /// client's row joined with its per-API rows, one result row per API (one with no API
    /// when there are none).
    pub async fn find_consent(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StoreResult<Option<Approval>> {
        let rows: Vec<ConsentRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "select c.scope, a.resource, a.scope from consents c
                 left join consent_apis a on a.user_id = c.user_id and a.client_id = c.client_id
                 where c.user_id = $1 and c.client_id = $2
                 order by a.resource",
            )
            .bind(user_id)
            .bind(client_id)
            .fetch_all(pool)
            .await
        })?;
        approval(rows)
    }

    /// Records the approval, replacing what was there (callers pass the union): the row per
    /// client, and one row per API with the scopes of it approved, in one transaction.
    pub async fn save_consent(
        &self,
        user_id: &str,
        client_id: &str,
        approval: &Approval,
        now: i64,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "insert into consents (user_id, client_id, scope, resources, updated_at) values ($1, $2, $3, $4, $5)
                 on conflict (user_id, client_id) do update
                 set scope = excluded.scope, resources = excluded.resources, updated_at = excluded.updated_at",
            )
            .bind(user_id)
            .bind(client_id)
            .bind(approval.scope.to_string())
            .bind(approval.resources().to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("delete from consent_apis where user_id = $1 and client_id = $2")
                .bind(user_id)
                .bind(client_id)
                .execute(&mut *tx)
                .await?;
            for api in &approval.apis {
                sqlx::query(
                    "insert into consent_apis (user_id, client_id, resource, scope) values ($1, $2, $3, $4)",
                )
                .bind(user_id)
                .bind(client_id)
                .bind(&api.resource)
                .bind(api.scope.to_string())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await
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

/// One result row of a consent read: the client's approved scope, and one API with its
/// approved scope (none when the approval names no API).
pub(super) type ConsentRow = (String, Option<String>, Option<String>);

/// The approval the rows of a consent read (the client's row left-joined with its per-API
/// rows) describe; none without rows.
pub(super) fn approval(rows: Vec<ConsentRow>) -> StoreResult<Option<Approval>> {
    let Some((scope, _, _)) = rows.first() else {
        return Ok(None);
    };
    let scope = scope.parse().map_err(|e| corrupt("scope", e))?;
    let apis = rows
        .into_iter()
        .filter_map(|(_, resource, scope)| resource.zip(scope))
        .map(|(resource, scope)| {
            Ok(ApiApproval {
                resource,
                scope: scope
                    .parse()
                    .map_err(|e| corrupt("consent_apis.scope", e))?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Some(Approval { scope, apis }))
}
