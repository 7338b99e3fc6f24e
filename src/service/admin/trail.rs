//! The audit trail as the admin API reads it: `audit::query`'s pages, each event a view with
//! its detail as JSON.
use super::{AdminError, Result};
use crate::audit::{self, AuditQuery, QueryError};
use crate::state::AppState;
use crate::store::audit_events::AuditRow;

/// One recorded event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventView {
    pub id: i64,
    pub at: i64,
    pub event_type: String,
    pub outcome: String,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    /// `user`, `admin_client`, `cli` or `system`.
    pub actor: String,
    /// The admin client's id, or the user's.
    pub actor_id: Option<String>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    /// A small JSON object: names, ids and counts, never a secret.
    pub detail: serde_json::Value,
}

impl From<AuditRow> for EventView {
    fn from(row: AuditRow) -> Self {
        Self {
            detail: serde_json::from_str(&row.detail).unwrap_or(serde_json::Value::Null),
            id: row.id,
            at: row.at,
            event_type: row.event_type,
            outcome: row.outcome,
            user_id: row.user_id,
            client_id: row.client_id,
            actor: row.actor,
            actor_id: row.actor_id,
            address: row.address,
            user_agent: row.user_agent,
        }
    }
}

/// One page of events, newest first; `next_cursor` when more may follow.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPage {
    pub events: Vec<EventView>,
    pub next_cursor: Option<String>,
}

pub async fn events(state: &AppState, query: &AuditQuery) -> Result<EventPage> {
    match audit::query(state.store(), query).await {
        Ok(page) => Ok(EventPage {
            events: page.events.into_iter().map(EventView::from).collect(),
            next_cursor: page.next_cursor,
        }),
        Err(QueryError::BadCursor) => Err(AdminError::BadCursor),
        Err(QueryError::Failed(error)) => Err(error.into()),
    }
}
