//! The audit trail (`audit_events`): rows are appended in batches, read newest first through
//! a cursor (the row id), and purged after the retention. Nothing here updates a row.
use sqlx::QueryBuilder;

use super::{Store, StoreResult, on_pool};

/// One event as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub event_type: String,
    pub outcome: String,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub actor: String,
    pub actor_id: Option<String>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    /// A JSON object.
    pub detail: String,
}

/// An event to append (the database gives it its id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditRow {
    pub at: i64,
    pub event_type: &'static str,
    pub outcome: &'static str,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub actor: &'static str,
    pub actor_id: Option<String>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    pub detail: String,
}

/// Which events to read: every filter given must hold. Newest first; `before` is the id of
/// the last event of the previous page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub event_type: Option<String>,
    /// Every type but this one.
    pub except_event_type: Option<String>,
    /// Unix seconds, inclusive.
    pub since: Option<i64>,
    /// Unix seconds, exclusive.
    pub until: Option<i64>,
    pub before: Option<i64>,
    pub limit: i64,
}

const COLUMNS: &str = "id, at, event_type, outcome, user_id, client_id, actor, actor_id, \
                       address, user_agent, detail";

impl Store {
    /// Appends `rows` in one statement.
    pub async fn insert_audit_events(&self, rows: &[NewAuditRow]) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        on_pool!(self, |pool| {
            let mut insert = QueryBuilder::new(
                "insert into audit_events (at, event_type, outcome, user_id, client_id, actor, \
                 actor_id, address, user_agent, detail) ",
            );
            insert.push_values(rows, |mut row, event| {
                row.push_bind(event.at)
                    .push_bind(event.event_type)
                    .push_bind(event.outcome)
                    .push_bind(event.user_id.as_deref())
                    .push_bind(event.client_id.as_deref())
                    .push_bind(event.actor)
                    .push_bind(event.actor_id.as_deref())
                    .push_bind(event.address.as_deref())
                    .push_bind(event.user_agent.as_deref())
                    .push_bind(event.detail.as_str());
            });
            insert.build().execute(pool).await.map(|_| ())
        })
    }

    /// The events `filter` selects, newest first, at most `filter.limit`.
    pub async fn audit_events(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditRow>> {
        on_pool!(self, |pool| {
            let mut select =
                QueryBuilder::new(format!("select {COLUMNS} from audit_events where 1 = 1"));
            if let Some(user_id) = &filter.user_id {
                select.push(" and user_id = ").push_bind(user_id.as_str());
            }
            if let Some(client_id) = &filter.client_id {
                select
                    .push(" and client_id = ")
                    .push_bind(client_id.as_str());
            }
            if let Some(event_type) = &filter.event_type {
                select
                    .push(" and event_type = ")
                    .push_bind(event_type.as_str());
            }
            if let Some(except) = &filter.except_event_type {
                select
                    .push(" and event_type <> ")
                    .push_bind(except.as_str());
            }
            if let Some(since) = filter.since {
                select.push(" and at >= ").push_bind(since);
            }
            if let Some(until) = filter.until {
                select.push(" and at < ").push_bind(until);
            }
            if let Some(before) = filter.before {
                select.push(" and id < ").push_bind(before);
            }
            select
                .push(" order by id desc limit ")
                .push_bind(filter.limit);
            select.build_query_as::<AuditRow>().fetch_all(pool).await
        })
    }

    /// Deletes the events that happened before `cutoff` (unix seconds).
    pub async fn purge_audit_events(&self, cutoff: i64) -> StoreResult<u64> {
        on_pool!(self, |pool| {
            sqlx::query("delete from audit_events where at < $1")
                .bind(cutoff)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
    }
}
