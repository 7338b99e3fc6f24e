//! The audit events of a sign-in, one shape for every credential: which factor (`method`:
//! password, passkey, upstream, email_link; code or passkey at the second step), how it
//! ended, and for whom when that is known.
use crate::audit::{AuditEvent, EventType, Outcome};
use crate::service::error::Error;
use crate::state::AppState;

/// A first factor's outcome.
pub fn first_factor(
    state: &AppState,
    method: &'static str,
    outcome: Outcome,
    user_id: Option<&str>,
) {
    record(state, EventType::SignIn, method, outcome, user_id);
}

/// A second step's outcome.
pub fn second_step(state: &AppState, method: &'static str, outcome: Outcome, user_id: &str) {
    record(state, EventType::SecondStep, method, outcome, Some(user_id));
}

/// The outcome an error ends an attempt with, when it says something: a full limit or a
/// saturated password pool. Other errors (the database) are not the person's doing.
pub fn outcome_of(error: &Error) -> Option<Outcome> {
    match error {
        Error::Throttled { .. } => Some(Outcome::Throttled),
        Error::Overloaded => Some(Outcome::Shed),
        _ => None,
    }
}

fn record(
    state: &AppState,
    event_type: EventType,
    method: &'static str,
    outcome: Outcome,
    user_id: Option<&str>,
) {
    let mut event = AuditEvent::new(event_type, outcome).detail("method", method);
    if let Some(user_id) = user_id {
        event = event.user(user_id);
    }
    state.audit().record(event);
}
