//! Tells the audit trail where each request came from: the client's address (as the rate
//! limits see it, through trusted proxies) and its user agent, set as the task's origin for
//! everything the request does (`audit::origin`).
use axum::extract::{Request, State};
use axum::http::header::USER_AGENT;
use axum::middleware::Next;
use axum::response::Response;

use super::client_ip::ClientIp;
use crate::audit::origin::{self, Origin};
use crate::state::AppState;

pub async fn audit_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let ClientIp(address) = ClientIp::of(&parts, state.trusted_proxies());
    let user_agent = parts
        .headers
        .get(USER_AGENT)
        .and_then(|agent| agent.to_str().ok());
    let origin = Origin::request(address, user_agent);
    let request = Request::from_parts(parts, body);
    origin::within(origin, next.run(request)).await
}
