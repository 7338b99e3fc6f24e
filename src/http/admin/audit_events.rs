//! `/audit-events`: the audit trail, newest first, filtered by user (id or current email),
//! client, type and time, a page at a time behind an opaque cursor (docs/audit.md).
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::QueryParams;
use super::problem::{Kind, Problem};
use super::users::given;
use crate::audit::{AuditQuery, EventType, MAX_PAGE};
use crate::service::admin::trail;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventFilter {
    /// Events about this user.
    pub user_id: Option<String>,
    /// Events about the user who has this email now.
    pub email: Option<String>,
    /// One event type, e.g. `sign_in`, `user_disabled` (docs/audit.md lists them).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub event_type: Option<String>,
    /// Events about this client.
    pub client_id: Option<String>,
    /// From this time on (inclusive): RFC 3339 or unix seconds.
    #[param(value_type = Option<Instant>)]
    pub since: Option<String>,
    /// Before this time: RFC 3339 or unix seconds.
    #[param(value_type = Option<Instant>)]
    pub until: Option<String>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// Events per page: 1 to 500 (50 when absent).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// A time: unix seconds, or RFC 3339 (`2026-03-01T12:00:00Z`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub enum Instant {
    Seconds(i64),
    #[schema(format = DateTime)]
    Time(String),
}

/// One recorded event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    #[serde(rename = "type")]
    pub event_type: String,
    /// `success`, `failure`, `throttled` or `shed`.
    pub outcome: String,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    /// `user`, `admin_client`, `cli` or `system`.
    pub actor: String,
    /// The admin client's id, or the user's.
    pub actor_id: Option<String>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    /// Names, ids and counts; never a secret.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// One page of events, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventPage {
    pub events: Vec<AuditEvent>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// Unix seconds from RFC 3339 (`2026-03-01T12:00:00Z`) or from seconds themselves.
fn instant(field: &'static str, value: Option<String>) -> Result<Option<i64>, Problem> {
    let Some(value) = value else { return Ok(None) };
    if let Ok(seconds) = value.parse::<i64>() {
        return Ok(Some(seconds));
    }
    chrono::DateTime::parse_from_rfc3339(&value)
        .map(|time| Some(time.timestamp()))
        .map_err(|_| {
            Problem::new(
                Kind::InvalidParameter,
                format!("{field} must be RFC 3339 (2026-03-01T12:00:00Z) or unix seconds"),
            )
            .field(field)
        })
}

/// Read the audit trail, a page at a time.
#[utoipa::path(get, path = "/audit-events", tag = "audit", params(EventFilter),
    responses((status = 200, description = "A page of events", body = AuditEventPage),
        (status = 400, description = "`unknown-event-type`, `invalid-cursor`, `invalid-parameter`")))]
pub async fn list_audit_events(
    State(state): State<AppState>,
    QueryParams(filter): QueryParams<EventFilter>,
) -> Result<Json<AuditEventPage>, Problem> {
    // Unlike the free-text filters, these three are never empty: `type=` names no type.
    let event_type = match filter.event_type.as_deref() {
        None => None,
        Some(name) => Some(EventType::parse(name).ok_or_else(|| {
            Problem::new(Kind::UnknownEventType, format!("no event type {name:?}")).field("type")
        })?),
    };
    let limit = filter.limit.unwrap_or(0);
    if filter.limit == Some(0) || limit > MAX_PAGE {
        return Err(Problem::new(Kind::InvalidParameter, "limit must be 1 to 500").field("limit"));
    }
    let query = AuditQuery {
        user_id: given(filter.user_id),
        email: given(filter.email),
        client_id: given(filter.client_id),
        event_type,
        since: instant("since", filter.since)?,
        until: instant("until", filter.until)?,
        cursor: given(filter.cursor),
        limit,
    };
    let page = trail::events(&state, &query).await?;
    let events = page
        .events
        .into_iter()
        .map(|e| AuditEvent {
            id: e.id,
            at: e.at,
            event_type: e.event_type,
            outcome: e.outcome,
            user_id: e.user_id,
            client_id: e.client_id,
            actor: e.actor,
            actor_id: e.actor_id,
            address: e.address,
            user_agent: e.user_agent,
            detail: e.detail,
        })
        .collect();
    Ok(Json(AuditEventPage {
        events,
        next_cursor: page.next_cursor,
    }))
}
