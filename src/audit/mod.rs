//! The audit trail: every security event — a sign-in, a factor added, a session ended, an
//! admin's write — recorded once where it happens, as a structured log line and as a row of
//! `audit_events` (docs/audit.md).
mod event;
mod log;
pub mod origin;
mod query;

pub use event::{AuditEvent, EventType, Outcome};
pub use log::AuditLog;
pub use origin::{Actor, Origin};
pub use query::{AuditPage, AuditQuery, MAX_PAGE, QueryError, query, recent_for_user};
