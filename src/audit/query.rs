//! Reading the trail: by user (id or email), client, type and time, newest first, a page at a
//! time behind an opaque cursor. The admin API, `tessera audit` and the account page read it
//! here.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::event::EventType;
use crate::store::audit_events::{AuditFilter, AuditRow};
use crate::store::{Store, StoreError, StoreResult};

/// The most events one page holds.
pub const MAX_PAGE: u32 = 500;

/// What to read. `email` names the user by their current address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub client_id: Option<String>,
    pub event_type: Option<EventType>,
    /// Unix seconds, inclusive.
    pub since: Option<i64>,
    /// Unix seconds, exclusive.
    pub until: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// At most [`MAX_PAGE`]; 0 means 50.
    pub limit: u32,
}

/// One page of events, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub events: Vec<AuditRow>,
    /// Present when more events may follow.
    pub next_cursor: Option<String>,
}

/// Why a query was refused.
#[derive(Debug)]
pub enum QueryError {
    /// The cursor was not one this server gave out.
    BadCursor,
    Failed(StoreError),
}

impl From<StoreError> for QueryError {
    fn from(error: StoreError) -> Self {
        Self::Failed(error)
    }
}

const CURSOR_PREFIX: &str = "audit:";

fn cursor_of(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{id}"))
}

fn id_of(cursor: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix(CURSOR_PREFIX)?
        .parse()
        .ok()
        .filter(|id| *id > 0)
}

/// The page `query` asks for.
pub async fn query(
    store: &Store,
    query: &AuditQuery,
) -> std::result::Result<AuditPage, QueryError> {
    let before = match &query.cursor {
        Some(cursor) => Some(id_of(cursor).ok_or(QueryError::BadCursor)?),
        None => None,
    };
    let user_id = match (&query.user_id, &query.email) {
        (Some(id), _) => Some(id.clone()),
        (None, Some(email)) => match store.find_user_by_email(email).await? {
            Some(user) => Some(user.id),
            // Nobody has that address now: no events can be theirs.
            None => {
                return Ok(AuditPage {
                    events: Vec::new(),
                    next_cursor: None,
                });
            }
        },
        (None, None) => None,
    };
    let limit = match query.limit {
        0 => 50,
        n => n.min(MAX_PAGE),
    };
    let filter = AuditFilter {
        user_id,
        client_id: query.client_id.clone(),
        event_type: query.event_type.map(|t| t.as_str().to_string()),
        except_event_type: None,
        since: query.since,
        until: query.until,
        before,
        limit: i64::from(limit) + 1,
    };
    let mut events = store.audit_events(&filter).await?;
    let next_cursor = if events.len() > limit as usize {
        events.truncate(limit as usize);
        events.last().map(|e| cursor_of(e.id))
    } else {
        None
    };
    Ok(AuditPage {
        events,
        next_cursor,
    })
}

/// A user's own latest events, for their account page. Token exchanges are left out: a
/// backend may exchange a user's token on every call, and those rows, which the page does
/// not show, would crowd out the ones it does.
pub async fn recent_for_user(
    store: &Store,
    user_id: &str,
    limit: u32,
) -> StoreResult<Vec<AuditRow>> {
    let filter = AuditFilter {
        user_id: Some(user_id.to_string()),
        except_event_type: Some(EventType::TokenExchanged.as_str().to_string()),
        limit: i64::from(limit),
        ..AuditFilter::default()
    };
    store.audit_events(&filter).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_a_forged_one_does_not() {
        assert_eq!(id_of(&cursor_of(42)), Some(42));
        for forged in [
            "",
            "42",
            "YXVkaXQ6",
            "YXVkaXQ6LTE",
            "!!!",
            &URL_SAFE_NO_PAD.encode("user:5"),
        ] {
            assert_eq!(id_of(forged), None, "{forged}");
        }
    }
}
